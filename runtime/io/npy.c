/* npy.c — NumPy .npy reader (format 1.0, 2.0, 3.0) and 1.0 writer.
 *
 * File: "\x93NUMPY", major, minor, header length (u16 LE for 1.0, u32 LE for
 * 2.0/3.0), the header — a Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and a newline — then the raw C-order data.
 *
 * The header is parsed by a small strict parser for exactly that literal
 * (quoted keys, True/False, a tuple of non-negative ints), never evaluated.
 * Every file is untrusted: the header length is capped (CLX_MAX_NPY_HEADER)
 * and compared with the file size, ranks capped at CLX_MAX_DIMS, the data
 * size computed with overflow checks and required to equal what follows
 * the header exactly (truncated or trailing bytes are errors).
 *
 * Reads '<f4', '<f8' (→ F32), '<i4' (→ I32), '<i8' (→ I64) and the one-byte
 * '|u1', '|i1', '|b1' (→ I32). Deliberately not supported: big-endian,
 * Fortran order, object and structured dtypes, anything else (each a
 * message naming the file and the dtype). Assumes a little-endian host. */
#include "clx/npy.h"
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64           /* NumPy's ARRAY_ALIGN */
#define NPY_GROWTH_DIGITS 21   /* NumPy's GROWTH_AXIS_MAX_DIGITS */

/* ------------------------------------------------------------------ dtypes */

enum npy_kind { K_F4, K_F8, K_I4, K_I8, K_U1, K_I1, K_B1 };

static const struct {
	char code[3];          /* kind + size, as after the byte-order char */
	enum npy_kind kind;
	size_t size;           /* bytes per element in the file */
	enum clx_dtype out;
} npy_types[] = {
	{ "f4", K_F4, 4, CLX_DTYPE_F32 }, { "f8", K_F8, 8, CLX_DTYPE_F32 },
	{ "i4", K_I4, 4, CLX_DTYPE_I32 }, { "i8", K_I8, 8, CLX_DTYPE_I64 },
	{ "u1", K_U1, 1, CLX_DTYPE_I32 }, { "i1", K_I1, 1, CLX_DTYPE_I32 },
	{ "b1", K_B1, 1, CLX_DTYPE_I32 },
};

/* What the header says. */
struct npy_header {
	enum npy_kind kind;
	size_t item;           /* file bytes per element */
	enum clx_dtype out;
	int n_dims;
	int64_t shape[CLX_MAX_DIMS];
	int64_t n_elems;
	size_t data_off;       /* bytes before the data */
	size_t data_bytes;     /* n_elems · item */
	size_t out_bytes;      /* n_elems · size(out) */
};

/* -------------------------------------------------------- header literal */

struct lit {
	struct clx_ctx *ctx;
	const char *name;
	const char *s;         /* the header text, hlen bytes, not NUL-terminated */
	size_t len, pos;
	int major;
};

static enum clx_status lit_fail(struct lit *l, const char *what)
{
	if (l->pos >= l->len)
		return clx_fail(l->ctx, CLX_ERR_FORMAT, "%s: malformed .npy header: %s at its end",
				l->name, what);
	unsigned char c = (unsigned char)l->s[l->pos];
	if (c >= 0x20 && c < 0x7f)
		return clx_fail(l->ctx, CLX_ERR_FORMAT,
				"%s: malformed .npy header: %s at offset %zu ('%c')", l->name, what,
				l->pos, (char)c);
	return clx_fail(l->ctx, CLX_ERR_FORMAT,
			"%s: malformed .npy header: %s at offset %zu (byte 0x%02x)", l->name, what,
			l->pos, c);
}

static void lit_ws(struct lit *l)
{
	while (l->pos < l->len && (l->s[l->pos] == ' ' || l->s[l->pos] == '\t' ||
				   l->s[l->pos] == '\n' || l->s[l->pos] == '\r'))
		l->pos++;
}

/* Skips whitespace, then consumes `c` if it is next. */
static bool lit_eat(struct lit *l, char c)
{
	lit_ws(l);
	if (l->pos < l->len && l->s[l->pos] == c) {
		l->pos++;
		return true;
	}
	return false;
}

/* A quoted string of printable ASCII without escapes, at most cap-1 bytes. */
static enum clx_status lit_string(struct lit *l, char *out, size_t cap)
{
	lit_ws(l);
	if (l->pos >= l->len || (l->s[l->pos] != '\'' && l->s[l->pos] != '"'))
		return lit_fail(l, "expected a quoted string");
	char q = l->s[l->pos++];
	size_t n = 0;
	while (l->pos < l->len && l->s[l->pos] != q) {
		unsigned char c = (unsigned char)l->s[l->pos];
		if (c < 0x20 || c >= 0x7f || c == '\\')
			return lit_fail(l, "unexpected character in a string");
		if (n + 1 >= cap)
			return lit_fail(l, "string too long");
		out[n++] = (char)c;
		l->pos++;
	}
	if (l->pos >= l->len)
		return lit_fail(l, "unterminated string");
	l->pos++;
	out[n] = '\0';
	return CLX_OK;
}

static bool lit_word(struct lit *l, const char *w)
{
	size_t n = strlen(w);
	if (l->len - l->pos < n || memcmp(l->s + l->pos, w, n) != 0)
		return false;
	/* not a prefix of a longer identifier */
	if (l->pos + n < l->len) {
		char c = l->s[l->pos + n];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_')
			return false;
	}
	l->pos += n;
	return true;
}

static enum clx_status lit_bool(struct lit *l, bool *out)
{
	lit_ws(l);
	if (lit_word(l, "True"))
		*out = true;
	else if (lit_word(l, "False"))
		*out = false;
	else
		return lit_fail(l, "fortran_order must be True or False");
	return CLX_OK;
}

/* A non-negative decimal int ≤ INT64_MAX (Python 2's "3L" accepted in 1.0
 * and 2.0 headers, as NumPy does). */
static enum clx_status lit_dim(struct lit *l, int64_t *out)
{
	lit_ws(l);
	if (l->pos < l->len && l->s[l->pos] == '-')
		return clx_fail(l->ctx, CLX_ERR_FORMAT, "%s: negative dimension in .npy shape",
				l->name);
	size_t start = l->pos;
	uint64_t v = 0;
	while (l->pos < l->len && l->s[l->pos] >= '0' && l->s[l->pos] <= '9') {
		unsigned d = (unsigned)(l->s[l->pos] - '0');
		if (v > ((uint64_t)INT64_MAX - d) / 10)
			return clx_fail(l->ctx, CLX_ERR_FORMAT,
					"%s: .npy shape dimension over 2^63-1", l->name);
		v = v * 10 + d;
		l->pos++;
	}
	if (l->pos == start)
		return lit_fail(l, "expected a dimension");
	if (l->s[start] == '0' && l->pos - start > 1) {
		l->pos = start;
		return lit_fail(l, "leading zero in a dimension");
	}
	if (l->major < 3 && l->pos < l->len && (l->s[l->pos] == 'L' || l->s[l->pos] == 'l'))
		l->pos++;
	*out = (int64_t)v;
	return CLX_OK;
}

/* '(' [dim (',' dim)* [',']] ')' with "(n,)" for rank 1, as repr(tuple). */
static enum clx_status lit_shape(struct lit *l, struct npy_header *h)
{
	enum clx_status st;
	if (!lit_eat(l, '('))
		return lit_fail(l, "shape must be a tuple");
	h->n_dims = 0;
	bool comma = false;
	while (!lit_eat(l, ')')) {
		if (h->n_dims > 0 && !comma)
			return lit_fail(l, "expected ',' or ')' in shape");
		if (h->n_dims == CLX_MAX_DIMS)
			return clx_fail(l->ctx, CLX_ERR_UNSUPPORTED,
					"%s: .npy array has more than %d dimensions", l->name,
					CLX_MAX_DIMS);
		if ((st = lit_dim(l, &h->shape[h->n_dims])))
			return st;
		h->n_dims++;
		comma = lit_eat(l, ',');
	}
	if (h->n_dims == 1 && !comma)
		return clx_fail(l->ctx, CLX_ERR_FORMAT,
				"%s: malformed .npy header: shape (%lld) is not a tuple", l->name,
				(long long)h->shape[0]);
	return CLX_OK;
}

static enum clx_status parse_descr(struct lit *l, const char *d, struct npy_header *h)
{
	if (d[0] == 'O' || (d[0] && strchr("<>|=", d[0]) && d[1] == 'O'))
		return clx_fail(l->ctx, CLX_ERR_UNSUPPORTED,
				"%s: object arrays are not supported (dtype '%s')", l->name, d);
	char order = d[0];
	if (strlen(d) == 3 && strchr("<>|=", order)) {
		for (size_t i = 0; i < sizeof npy_types / sizeof npy_types[0]; i++) {
			if (strcmp(d + 1, npy_types[i].code) != 0)
				continue;
			/* Byte order matters only above one byte. */
			if (npy_types[i].size > 1 && order == '>')
				return clx_fail(l->ctx, CLX_ERR_UNSUPPORTED,
						"%s: big-endian dtype '%s' is not supported; save "
						"it little-endian ('<%s')",
						l->name, d, npy_types[i].code);
			if (npy_types[i].size > 1 && order != '<')
				return clx_fail(l->ctx, CLX_ERR_UNSUPPORTED,
						"%s: dtype '%s' has no explicit byte order",
						l->name, d);
			h->kind = npy_types[i].kind;
			h->item = npy_types[i].size;
			h->out = npy_types[i].out;
			return CLX_OK;
		}
	}
	return clx_fail(l->ctx, CLX_ERR_UNSUPPORTED,
			"%s: .npy dtype '%s' is not supported (f4, f8, i4, i8, u1, i1, b1)",
			l->name, d);
}

/* The dict with exactly the keys descr, fortran_order and shape. */
static enum clx_status parse_dict(struct lit *l, struct npy_header *h)
{
	enum clx_status st;
	bool seen_descr = false, seen_order = false, seen_shape = false, fortran = false;
	char descr[64] = "";

	if (!lit_eat(l, '{'))
		return lit_fail(l, "expected '{'");
	bool comma = true;
	while (!lit_eat(l, '}')) {
		if (!comma)
			return lit_fail(l, "expected ',' or '}'");
		char key[32];
		lit_ws(l);
		if (l->pos < l->len && l->s[l->pos] == '[')
			return lit_fail(l, "expected a key");
		if ((st = lit_string(l, key, sizeof key)))
			return st;
		if (!lit_eat(l, ':'))
			return lit_fail(l, "expected ':'");
		bool *seen;
		if (strcmp(key, "descr") == 0) {
			seen = &seen_descr;
			lit_ws(l);
			if (l->pos < l->len && l->s[l->pos] == '[')
				return clx_fail(l->ctx, CLX_ERR_UNSUPPORTED,
						"%s: structured .npy dtypes are not supported",
						l->name);
			st = lit_string(l, descr, sizeof descr);
		} else if (strcmp(key, "fortran_order") == 0) {
			seen = &seen_order;
			st = lit_bool(l, &fortran);
		} else if (strcmp(key, "shape") == 0) {
			seen = &seen_shape;
			st = lit_shape(l, h);
		} else {
			return clx_fail(l->ctx, CLX_ERR_FORMAT,
					"%s: malformed .npy header: unexpected key '%s'", l->name,
					key);
		}
		if (st)
			return st;
		if (*seen)
			return clx_fail(l->ctx, CLX_ERR_FORMAT,
					"%s: malformed .npy header: duplicate key '%s'", l->name,
					key);
		*seen = true;
		comma = lit_eat(l, ',');
	}
	lit_ws(l);
	if (l->pos != l->len)
		return lit_fail(l, "unexpected data after the dict");
	if (!seen_descr || !seen_order || !seen_shape)
		return clx_fail(l->ctx, CLX_ERR_FORMAT, "%s: malformed .npy header: missing '%s'",
				l->name,
				!seen_descr ? "descr" : !seen_order ? "fortran_order" : "shape");
	if ((st = parse_descr(l, descr, h)))
		return st;
	if (fortran)
		return clx_fail(l->ctx, CLX_ERR_UNSUPPORTED,
				"%s: Fortran-order .npy arrays are not supported; save a "
				"C-contiguous array (np.ascontiguousarray)",
				l->name);
	return CLX_OK;
}

/* ------------------------------------------------------------------ header */

/* `buf` holds the first `avail` bytes of a file of `file_size` bytes
 * (avail ≥ min(file_size, 12 + CLX_MAX_NPY_HEADER)). */
static enum clx_status parse_header(struct clx_ctx *ctx, const char *name, const uint8_t *buf,
				    size_t avail, uint64_t file_size, struct npy_header *h)
{
	memset(h, 0, sizeof *h);
	if (avail < NPY_MAGIC_LEN || memcmp(buf, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: not a .npy file (bad magic)", name);
	if (avail < 8)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: .npy file truncated in its preamble",
				name);
	int major = buf[6], minor = buf[7];
	if (!(major >= 1 && major <= 3) || minor != 0)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED,
				"%s: .npy format version %d.%d is not supported (1.0, 2.0, 3.0)",
				name, major, minor);
	size_t prefix = major == 1 ? 10 : 12;
	if (avail < prefix)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: .npy file truncated in its preamble",
				name);
	uint32_t hlen = major == 1 ? (uint32_t)buf[8] | (uint32_t)buf[9] << 8
				   : (uint32_t)buf[8] | (uint32_t)buf[9] << 8 |
					     (uint32_t)buf[10] << 16 | (uint32_t)buf[11] << 24;
	if (hlen > CLX_MAX_NPY_HEADER)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: .npy header length %u is over the %d-byte limit", name,
				(unsigned)hlen, CLX_MAX_NPY_HEADER);
	if (hlen > file_size - prefix) /* file_size ≥ avail ≥ prefix */
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: .npy header length %u runs past the end of the file (%llu "
				"bytes)",
				name, (unsigned)hlen, (unsigned long long)file_size);
	CLX_ASSERT(prefix + hlen <= avail);

	struct lit l = { ctx, name, (const char *)buf + prefix, hlen, 0, major };
	enum clx_status st = parse_dict(&l, h);
	if (st)
		return st;

	size_t n = 1, bytes, out_bytes;
	for (int i = 0; i < h->n_dims; i++)
		if (!clx_mul_ok(n, (size_t)h->shape[i], &n) || n > (size_t)INT64_MAX)
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: .npy shape overflows (element count over 2^63-1)",
					name);
	if (!clx_mul_ok(n, h->item, &bytes) || !clx_mul_ok(n, clx_dtype_size(h->out), &out_bytes))
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: .npy data size overflows", name);
	h->n_elems = (int64_t)n;
	h->data_off = prefix + hlen;
	h->data_bytes = bytes;
	h->out_bytes = out_bytes;
	uint64_t have = file_size - h->data_off;
	if (have < bytes)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: .npy data truncated: shape needs %zu bytes, file has %llu",
				name, bytes, (unsigned long long)have);
	if (have > bytes)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: %llu bytes of trailing data after the .npy array", name,
				(unsigned long long)(have - bytes));
	return CLX_OK;
}

/* Converts n file elements at src to h->out at dst (element index first). */
static void convert(const struct npy_header *h, const uint8_t *src, size_t n, void *dst,
		    size_t first)
{
	switch (h->kind) {
	case K_F4:
	case K_I4:
	case K_I8:
		memcpy((uint8_t *)dst + first * h->item, src, n * h->item);
		break;
	case K_F8:
		for (size_t i = 0; i < n; i++) {
			double d;
			memcpy(&d, src + 8 * i, 8);
			/* IEEE round to nearest, as NumPy's astype: beyond
			 * FLT_MAX + half an ulp it is ±inf (C11 Annex F). */
			((float *)dst)[first + i] = (float)d;
		}
		break;
	case K_U1:
		for (size_t i = 0; i < n; i++)
			((int32_t *)dst)[first + i] = src[i];
		break;
	case K_I1:
		for (size_t i = 0; i < n; i++)
			((int32_t *)dst)[first + i] = (int8_t)src[i];
		break;
	case K_B1:
		for (size_t i = 0; i < n; i++)
			((int32_t *)dst)[first + i] = src[i] != 0;
		break;
	}
}

static void fill_out(const struct npy_header *h, void *data, struct clx_npy *out)
{
	out->dtype = h->out;
	out->n_dims = h->n_dims;
	for (int i = 0; i < h->n_dims; i++)
		out->shape[i] = h->shape[i];
	out->n_elems = h->n_elems;
	out->data = data;
}

/* ------------------------------------------------------------------ public */

enum clx_status clx_npy_parse(struct clx_ctx *ctx, const char *name, const uint8_t *buf,
			      size_t size, struct clx_npy *out)
{
	if (!out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_npy_parse: NULL argument");
	memset(out, 0, sizeof *out);
	if (!buf && size)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_npy_parse: NULL argument");
	if (!name)
		name = "npy";
	struct npy_header h;
	enum clx_status st = parse_header(ctx, name, buf ? buf : (const uint8_t *)"", size, size,
					  &h);
	if (st)
		return st;
	void *data = clx_malloc(h.out_bytes);
	if (!data)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory (%zu bytes)", name,
				h.out_bytes);
	convert(&h, buf + h.data_off, (size_t)h.n_elems, data, 0);
	fill_out(&h, data, out);
	return CLX_OK;
}

enum clx_status clx_npy_load(struct clx_ctx *ctx, const char *path, struct clx_npy *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	if (!path || !out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_npy_load: NULL argument");
	/* a regular file only: the data is read after a seek past the header */
	int fd;
	int64_t file_size;
	enum clx_status st = clx_input_open(ctx, path, false, &fd, NULL, &file_size);
	if (st != CLX_OK)
		return st;
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		close(fd);
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: %s", path, strerror(errno));
	}
	uint8_t *head = NULL, *chunk = NULL;
	void *data = NULL;
	uint64_t size = (uint64_t)file_size;

	/* The preamble and the largest header we accept, or the whole file. */
	size_t want = 12 + CLX_MAX_NPY_HEADER;
	if (size < want)
		want = (size_t)size;
	if (!(head = clx_malloc(want))) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory (%zu bytes)", path, want);
		goto fail;
	}
	if (fread(head, 1, want, f) != want) {
		st = clx_fail(ctx, CLX_ERR_IO, "%s: read error (file changed?)", path);
		goto fail;
	}
	struct npy_header h;
	if ((st = parse_header(ctx, path, head, want, size, &h)))
		goto fail;
	clx_free(head);
	head = NULL;

	if (!(data = clx_malloc(h.out_bytes))) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory (%zu bytes)", path,
			      h.out_bytes);
		goto fail;
	}
	if (fseek(f, (long)h.data_off, SEEK_SET) != 0) { /* data_off ≤ 12 + CLX_MAX_NPY_HEADER */
		st = clx_fail(ctx, CLX_ERR_IO, "%s: seek failed", path);
		goto fail;
	}
	size_t n = (size_t)h.n_elems;
	if (h.item == clx_dtype_size(h.out) && h.kind != K_F8) {
		/* Same layout: read straight into the result. */
		if (fread(data, 1, h.data_bytes, f) != h.data_bytes) {
			st = clx_fail(ctx, CLX_ERR_IO, "%s: read error (file changed?)", path);
			goto fail;
		}
	} else {
		enum { CHUNK = 1 << 16 };
		if (!(chunk = clx_malloc(CHUNK))) {
			st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", path);
			goto fail;
		}
		size_t per = CHUNK / h.item;
		for (size_t done = 0; done < n;) {
			size_t k = n - done < per ? n - done : per;
			if (fread(chunk, h.item, k, f) != k) {
				st = clx_fail(ctx, CLX_ERR_IO, "%s: read error (file changed?)",
					      path);
				goto fail;
			}
			convert(&h, chunk, k, data, done);
			done += k;
		}
		clx_free(chunk);
	}
	fclose(f);
	fill_out(&h, data, out);
	return CLX_OK;
fail:
	clx_free(chunk);
	clx_free(data);
	clx_free(head);
	fclose(f);
	return st;
}

void clx_npy_release(struct clx_npy *a)
{
	if (!a)
		return;
	clx_free(a->data);
	memset(a, 0, sizeof *a);
}

/* ------------------------------------------------------------------- write */

static enum clx_status write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n > 0) {
		ssize_t w = write(fd, b, n > (1u << 30) ? (1u << 30) : n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return CLX_ERR_IO;
		}
		b += w;
		n -= (size_t)w;
	}
	return CLX_OK;
}

/* NumPy's own 1.0 header for these values, byte for byte (np.save). */
static size_t make_header(char *hdr, size_t cap, const char *descr, int n_dims,
			  const int64_t *shape)
{
	char dict[512];
	size_t o = (size_t)snprintf(dict, sizeof dict,
				    "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
	for (int i = 0; i < n_dims; i++)
		o += (size_t)snprintf(dict + o, sizeof dict - o, "%s%lld", i ? ", " : "",
				      (long long)shape[i]);
	o += (size_t)snprintf(dict + o, sizeof dict - o, "%s), }", n_dims == 1 ? "," : "");
	if (n_dims > 0) {
		/* spare room so the first axis can grow in place */
		int digits = snprintf(NULL, 0, "%lld", (long long)shape[0]);
		for (int i = digits; i < NPY_GROWTH_DIGITS; i++)
			dict[o++] = ' ';
	}
	size_t hlen = o + 1; /* + '\n' */
	size_t pad = NPY_ALIGN - (10 + hlen) % NPY_ALIGN;
	size_t total = 10 + hlen + pad;
	CLX_ASSERT(total <= cap && hlen + pad <= 65535);
	memcpy(hdr, NPY_MAGIC "\x01\x00", 8);
	hdr[8] = (char)((hlen + pad) & 0xff);
	hdr[9] = (char)((hlen + pad) >> 8);
	memcpy(hdr + 10, dict, o);
	memset(hdr + 10 + o, ' ', pad);
	hdr[total - 1] = '\n';
	return total;
}

enum clx_status clx_npy_save(struct clx_ctx *ctx, const char *path, enum clx_dtype dtype,
			     int n_dims, const int64_t *shape, const void *data)
{
	const char *descr = dtype == CLX_DTYPE_F32 ? "<f4"
			    : dtype == CLX_DTYPE_I32 ? "<i4"
			    : dtype == CLX_DTYPE_I64 ? "<i8"
						     : NULL;
	if (!path)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_npy_save: NULL path");
	if (!descr)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"%s: clx_npy_save writes F32, I32 or I64, not %s", path,
				clx_dtype_name(dtype));
	if (n_dims < 0 || n_dims > CLX_MAX_DIMS || (n_dims > 0 && !shape))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: bad rank %d (0..%d)", path, n_dims,
				CLX_MAX_DIMS);
	size_t n = 1, bytes;
	for (int i = 0; i < n_dims; i++) {
		if (shape[i] < 0)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: negative dimension %lld",
					path, (long long)shape[i]);
		if (!clx_mul_ok(n, (size_t)shape[i], &n))
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: shape overflows", path);
	}
	if (!clx_mul_ok(n, clx_dtype_size(dtype), &bytes))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: shape overflows", path);
	if (bytes && !data)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: NULL data", path);

	char hdr[1024];
	size_t hsize = make_header(hdr, sizeof hdr, descr, n_dims, shape);

	/* A unique temp file beside the target; rename is atomic on POSIX. */
	static _Thread_local unsigned counter;
	size_t tlen = strlen(path) + 64;
	char *tmp = clx_malloc(tlen);
	if (!tmp)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", path);
	int fd = -1;
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		snprintf(tmp, tlen, "%s.tmp.%ld.%u", path, (long)getpid(), counter++);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		enum clx_status st = clx_fail(ctx, CLX_ERR_IO, "%s: cannot create %s: %s", path,
					      tmp, strerror(errno));
		clx_free(tmp);
		return st;
	}
	int err = 0;
	errno = 0;
	if (write_all(fd, hdr, hsize) || write_all(fd, data, bytes) || fsync(fd) != 0)
		err = errno ? errno : EIO;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) != 0)
		err = errno;
	if (err) {
		unlink(tmp);
		clx_free(tmp);
		return clx_fail(ctx, CLX_ERR_IO, "%s: write failed: %s", path, strerror(err));
	}
	clx_free(tmp);
	return CLX_OK;
}
