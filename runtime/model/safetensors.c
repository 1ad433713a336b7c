/* safetensors.c — a validating safetensors reader (mmap) and an atomic writer.
 *
 * Reading runs every check of docs/SECURITY.md §4, in its order,
 * on the header and the file size alone; only a file that passes is mapped
 * and its tensors exposed. Messages read "PATH: problem" and name the
 * tensor, the bad value and the limit.
 *
 * Deliberately not done here: dtype conversion other than to f32, sub-byte
 * or complex dtypes (validated, then refused as unsupported), checking
 * shapes against a config (the model loader does that), and protection
 * against another process truncating the file under the mapping. */
#include "clx/safetensors.h"
#include "core/json.h"
#include "core/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------- helpers */

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* A name fit for a one-line message: at most 64 bytes (cut at a UTF-8
 * boundary, "..." appended), control bytes shown as '?'. Returned by value
 * so it can sit inside a clx_fail argument list. */
struct shown {
	char s[72];
};

static struct shown show(const char *name)
{
	struct shown o;
	size_t i = 0, max = 64;
	if (!name)
		name = "(null)";
	while (name[i] && i < max) {
		unsigned char c = (unsigned char)name[i];
		o.s[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		i++;
	}
	if (name[i]) {
		while (i > 0 && ((unsigned char)o.s[i] & 0xC0) == 0x80)
			i--; /* drop continuation bytes of a cut character */
		if (i > 0 && (unsigned char)o.s[i - 1] >= 0xC0)
			i--; /* and its lead byte */
		memcpy(o.s + i, "...", 3);
		i += 3;
	}
	o.s[i] = '\0';
	return o;
}

static bool json_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}


/* ------------------------------------------------------------- dtypes */

/* Every dtype the safetensors format defines, so a valid file with a dtype
 * clx does not run is told apart from a malformed one. Sizes in bits. */
static const struct {
	const char *name;
	unsigned bits;
	int clx; /* enum clx_dtype, or -1 when unsupported */
} dtypes[] = {
	{ "F32", 32, CLX_DTYPE_F32 },   { "F16", 16, CLX_DTYPE_F16 },
	{ "BF16", 16, CLX_DTYPE_BF16 }, { "I32", 32, CLX_DTYPE_I32 },
	{ "I64", 64, CLX_DTYPE_I64 },   { "F64", 64, -1 },
	{ "I8", 8, -1 },                { "U8", 8, -1 },
	{ "BOOL", 8, -1 },              { "I16", 16, -1 },
	{ "U16", 16, -1 },              { "U32", 32, -1 },
	{ "U64", 64, -1 },              { "F8_E4M3", 8, -1 },
	{ "F8_E5M2", 8, -1 },           { "F8_E8M0", 8, -1 },
	{ "F6_E2M3", 6, -1 },           { "F6_E3M2", 6, -1 },
	{ "F4", 4, -1 },                { "C64", 64, -1 },
};
#define N_DTYPES (sizeof dtypes / sizeof dtypes[0])

/* ------------------------------------------------------------- checks */

/* File ≥ 8 bytes; header length N ≤ the cap and ≤ size − 8 (compared,
 * never added). */
static enum clx_status check_prefix(struct clx_ctx *ctx, const char *name, const uint8_t *head,
				    size_t size, size_t *n_out)
{
	if (size < 8)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: file is %zu bytes, too small for the 8-byte header length", name,
				size);
	uint64_t n = le64(head);
	if (n > CLX_MAX_SAFETENSORS_HEADER)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: header length %" PRIu64 " exceeds the limit of %llu bytes", name, n,
				CLX_MAX_SAFETENSORS_HEADER);
	if (n > size - 8)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: header length %" PRIu64
				" runs past the end of the file (%zu bytes follow the length field)",
				name, n, size - 8);
	*n_out = (size_t)n;
	return CLX_OK;
}

/* One pass over the raw header before cJSON sees it: UTF-8, no NUL byte,
 * no \u0000 escape, no raw control character, nesting ≤ CLX_MAX_JSON_DEPTH
 * (cJSON recurses), no NaN/Infinity (Python writes them), and an upper
 * bound on the entry count (top-level commas) before a tree is built.
 * Offsets in messages are file offsets (the header starts at 8). */
static enum clx_status scan_header(struct clx_ctx *ctx, const char *name, const uint8_t *h,
				   size_t n)
{
	bool in_str = false;
	int depth = 0;
	uint64_t entries = 1;

	if (n >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: header starts with a UTF-8 byte-order mark",
				name);
	for (size_t i = 0; i < n;) {
		uint8_t c = h[i];
		if (c == 0)
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: header has a NUL byte at offset %zu",
					name, 8 + i);
		if (c >= 0x80) {
			size_t len = clx_utf8_seq(h + i, n - i, NULL);
			if (!len)
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s: header is not valid UTF-8 at offset %zu (byte 0x%02X)",
						name, 8 + i, c);
			i += len;
			continue;
		}
		if (in_str) {
			if (c == '"') {
				in_str = false;
			} else if (c == '\\') {
				if (n - i >= 6 && memcmp(h + i + 1, "u0000", 5) == 0)
					return clx_fail(ctx, CLX_ERR_FORMAT,
							"%s: header has a \\u0000 escape at offset %zu", name,
							8 + i);
				/* skip the escaped character unless the loop must still
				 * vet it (non-ASCII or NUL) */
				if (i + 1 < n && h[i + 1] != 0 && h[i + 1] < 0x80)
					i++;
			} else if (c < 0x20) {
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s: header has control character 0x%02X inside a string at offset %zu",
						name, c, 8 + i);
			}
			i++;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > CLX_MAX_JSON_DEPTH)
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s: header JSON is nested deeper than %d levels at offset %zu",
						name, CLX_MAX_JSON_DEPTH, 8 + i);
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		} else if (c == ',' && depth == 1) {
			if (++entries > CLX_MAX_SAFETENSORS_TENSORS)
				return clx_fail(ctx, CLX_ERR_UNSUPPORTED,
						"%s: header has more than %d entries (limit)", name,
						CLX_MAX_SAFETENSORS_TENSORS);
		} else if (c < 0x20 && !json_ws(c)) {
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: header has control character 0x%02X at offset %zu", name, c,
					8 + i);
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			size_t j = i;
			while (j < n && ((h[j] >= 'a' && h[j] <= 'z') || (h[j] >= 'A' && h[j] <= 'Z')))
				j++;
			size_t len = j - i;
			bool ok = (len == 4 && !memcmp(h + i, "true", 4)) ||
				  (len == 5 && !memcmp(h + i, "false", 5)) ||
				  (len == 4 && !memcmp(h + i, "null", 4));
			if (!ok) {
				size_t at = i, shown_len = len < 16 ? len : 16;
				bool neg = i > 0 && h[i - 1] == '-';
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s: header has non-standard JSON token '%s%.*s' at offset %zu (JSON has no NaN/Infinity)",
						name, neg ? "-" : "", (int)shown_len, (const char *)h + i,
						8 + at - (neg ? 1 : 0));
			}
			i = j;
			continue;
		}
		i++;
	}
	return CLX_OK;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Rejects a key that appears twice among obj's children (cJSON keeps both
 * and returns the first). Sorts the names: O(n log n) for any count. */
static enum clx_status check_unique(struct clx_ctx *ctx, const char *name, const cJSON *obj,
				    size_t count, const char *what)
{
	if (count < 2)
		return CLX_OK;
	const char **keys = clx_malloc(count * sizeof *keys);
	if (!keys)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory checking %zu names", name,
				count);
	size_t k = 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		keys[k++] = c->string;
	qsort(keys, count, sizeof *keys, cmp_str_ptr);
	for (k = 1; k < count; k++) {
		if (strcmp(keys[k - 1], keys[k]) == 0) {
			enum clx_status st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: duplicate %s '%s'",
						      name, what, show(keys[k]).s);
			clx_free(keys);
			return st;
		}
	}
	clx_free(keys);
	return CLX_OK;
}

/* A JSON integer 0 ≤ x ≤ CLX_MAX_SAFETENSORS_DIM, read from valuedouble
 * (valueint saturates). Exact: every such integer is a double. */
static bool get_dim(const cJSON *v, uint64_t *out)
{
	if (!cJSON_IsNumber(v))
		return false;
	double d = v->valuedouble;
	if (!(d >= 0.0) || d > (double)CLX_MAX_SAFETENSORS_DIM)
		return false; /* also NaN and ±inf */
	uint64_t u = (uint64_t)d;
	if ((double)u != d)
		return false; /* 2.5 */
	*out = u;
	return true;
}

/* Why get_dim refused v, for the message. */
static const char *describe_value(const cJSON *v, char *buf, size_t cap)
{
	if (cJSON_IsNumber(v))
		snprintf(buf, cap, "%.17g", v->valuedouble);
	else if (cJSON_IsString(v))
		snprintf(buf, cap, "the string \"%s\"", show(v->valuestring).s);
	else if (cJSON_IsArray(v))
		snprintf(buf, cap, "an array");
	else if (cJSON_IsObject(v))
		snprintf(buf, cap, "an object");
	else if (cJSON_IsBool(v))
		snprintf(buf, cap, "a boolean");
	else
		snprintf(buf, cap, "null");
	return buf;
}

/* "[2, 3]" from a validated shape array; at most 8 dims then "...". */
static const char *format_shape(const cJSON *shape, char *buf, size_t cap)
{
	size_t len = 0;
	int k = 0;
	len += (size_t)snprintf(buf, cap, "[");
	for (const cJSON *d = shape->child; d && len < cap; d = d->next, k++) {
		if (k == CLX_MAX_DIMS) {
			len += (size_t)snprintf(buf + len, cap - len, ", ...");
			break;
		}
		len += (size_t)snprintf(buf + len, cap - len, "%s%.0f", k ? ", " : "", d->valuedouble);
	}
	if (len < cap)
		snprintf(buf + len, cap - len, "]");
	return buf;
}

/* ------------------------------------------------------------- loader */

struct span {
	uint64_t begin, end; /* data_offsets, relative to the data section */
	int idx;             /* tensor index, header order */
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_tensor_ptr(const void *a, const void *b)
{
	const struct clx_st_tensor *x = *(const struct clx_st_tensor *const *)a;
	const struct clx_st_tensor *y = *(const struct clx_st_tensor *const *)b;
	return strcmp(x->name, y->name);
}

static int cmp_key_tensor(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct clx_st_tensor *const *)elem)->name);
}

/* Validates one tensor entry `e` (not __metadata__) and fills t and sp.
 * A valid entry that clx cannot run (dtype, rank) sets *unsup once; the
 * caller reports it after every format check has passed. */
static enum clx_status parse_entry(struct clx_ctx *ctx, const char *name, const cJSON *e,
				   struct clx_st_tensor *t, struct span *sp, char *unsup,
				   size_t unsup_cap)
{
	const char *tn = e->string;
	if (!cJSON_IsObject(e))
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' is not an object", name,
				show(tn).s);

	/* exactly dtype, shape and data_offsets, each once */
	const cJSON *dt = NULL, *sh = NULL, *off = NULL;
	for (const cJSON *f = e->child; f; f = f->next) {
		const cJSON **slot = !strcmp(f->string, "dtype")	? &dt :
				     !strcmp(f->string, "shape")	? &sh :
				     !strcmp(f->string, "data_offsets") ? &off :
									  NULL;
		if (!slot)
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: tensor '%s' has unknown field '%s' (expected exactly dtype, shape, data_offsets)",
					name, show(tn).s, show(f->string).s);
		if (*slot)
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' has field '%s' twice",
					name, show(tn).s, f->string);
		*slot = f;
	}
	if (!dt || !sh || !off)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' has no '%s'", name, show(tn).s,
				!dt ? "dtype" : !sh ? "shape" : "data_offsets");

	/* dtype */
	if (!cJSON_IsString(dt))
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' dtype is not a string", name,
				show(tn).s);
	size_t di = 0;
	while (di < N_DTYPES && strcmp(dt->valuestring, dtypes[di].name) != 0)
		di++;
	if (di == N_DTYPES)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' has unknown dtype '%s'", name,
				show(tn).s, show(dt->valuestring).s);

	/* shape: integers in [0, 2^48−1]; the product of the non-zero dims
	 * times the dtype size must fit, so strides computed later from any
	 * suffix of the shape cannot overflow either */
	char vbuf[96];
	if (!cJSON_IsArray(sh))
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' shape is %s, not an array",
				name, show(tn).s, describe_value(sh, vbuf, sizeof vbuf));
	int rank = 0;
	uint64_t nonzero = 1, bits;
	bool has_zero = false, overflow = false;
	for (const cJSON *d = sh->child; d; d = d->next, rank++) {
		uint64_t v;
		if (!get_dim(d, &v))
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: tensor '%s' shape[%d] is %s, expected an integer in [0, %llu]",
					name, show(tn).s, rank, describe_value(d, vbuf, sizeof vbuf),
					CLX_MAX_SAFETENSORS_DIM);
		if (rank < CLX_MAX_DIMS)
			t->shape[rank] = (int64_t)v;
		if (v == 0)
			has_zero = true;
		else if (__builtin_mul_overflow(nonzero, v, &nonzero))
			overflow = true;
	}
	char sbuf[200];
	if (overflow || __builtin_mul_overflow(nonzero, (uint64_t)dtypes[di].bits, &bits) ||
	    bits / 8 > (uint64_t)PTRDIFF_MAX)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' shape %s %s overflows the byte count",
				name, show(tn).s, format_shape(sh, sbuf, sizeof sbuf), dtypes[di].name);
	if (has_zero)
		bits = 0;
	if (bits % 8)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: tensor '%s' shape %s %s is not a whole number of bytes", name,
				show(tn).s, format_shape(sh, sbuf, sizeof sbuf), dtypes[di].name);

	/* data_offsets: two integers, begin ≤ end, end − begin = bytes */
	uint64_t begin, end;
	if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: tensor '%s' data_offsets is not an array of two integers", name,
				show(tn).s);
	if (!get_dim(off->child, &begin) || !get_dim(off->child->next, &end)) {
		const cJSON *bad = get_dim(off->child, &begin) ? off->child->next : off->child;
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: tensor '%s' data_offsets has %s, expected an integer in [0, %llu]",
				name, show(tn).s, describe_value(bad, vbuf, sizeof vbuf),
				CLX_MAX_SAFETENSORS_DIM);
	}
	if (end < begin)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: tensor '%s' has data_offsets [%" PRIu64 ", %" PRIu64 "]: end < begin",
				name, show(tn).s, begin, end);
	if (bits / 8 != end - begin)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: tensor '%s' has data_offsets [%" PRIu64 ", %" PRIu64
				"] but shape %s %s needs %" PRIu64 " bytes",
				name, show(tn).s, begin, end, format_shape(sh, sbuf, sizeof sbuf),
				dtypes[di].name, bits / 8);

	/* valid safetensors; can clx run it? */
	if (!unsup[0] && dtypes[di].clx < 0)
		snprintf(unsup, unsup_cap,
			 "%s: tensor '%s' has dtype %s, which clx does not support (F32, F16, BF16, I32, I64)",
			 name, show(tn).s, dtypes[di].name);
	if (!unsup[0] && rank > CLX_MAX_DIMS)
		snprintf(unsup, unsup_cap, "%s: tensor '%s' has rank %d, more than the %d clx supports",
			 name, show(tn).s, rank, CLX_MAX_DIMS);

	t->dtype = dtypes[di].clx < 0 ? CLX_DTYPE_F32 : (enum clx_dtype)dtypes[di].clx;
	t->n_dims = rank < CLX_MAX_DIMS ? rank : CLX_MAX_DIMS;
	t->n_elems = has_zero ? 0 : (int64_t)nonzero;
	t->n_bytes = (size_t)(bits / 8);
	sp->begin = begin;
	sp->end = end;
	return CLX_OK;
}

/* Sorted by offset, the tensors tile [0, data_len) exactly. */
static enum clx_status check_tiling(struct clx_ctx *ctx, const char *name,
				   const struct clx_safetensors *st, const struct span *sp, int n,
				   uint64_t data_len)
{
	uint64_t pos = 0;
	int prev = -1;
	for (int k = 0; k < n; k++) {
		const char *tn = st->tensors[sp[k].idx].name;
		if (sp[k].begin > pos) {
			if (prev < 0)
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s: hole of %" PRIu64
						" bytes at the start of the data before tensor '%s'",
						name, sp[k].begin, show(tn).s);
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: hole of %" PRIu64 " bytes between tensor '%s' (ends at %" PRIu64
					") and tensor '%s' (starts at %" PRIu64 ")",
					name, sp[k].begin - pos, show(st->tensors[sp[prev].idx].name).s,
					pos, show(tn).s, sp[k].begin);
		}
		if (sp[k].begin < pos)
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: tensor '%s' [%" PRIu64 ", %" PRIu64 "] overlaps tensor '%s' [%" PRIu64
					", %" PRIu64 "]",
					name, show(tn).s, sp[k].begin, sp[k].end,
					show(st->tensors[sp[prev].idx].name).s, sp[prev].begin,
					sp[prev].end);
		pos = sp[k].end;
		prev = k;
	}
	if (pos > data_len)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: data is truncated: tensor '%s' ends at data offset %" PRIu64
				" but the file holds only %" PRIu64 " data bytes",
				name, show(st->tensors[sp[prev].idx].name).s, pos, data_len);
	if (pos < data_len)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: %" PRIu64 " trailing bytes after the last tensor (tensors end at data offset %" PRIu64
				", the file holds %" PRIu64 " data bytes)",
				name, data_len - pos, pos, data_len);
	return CLX_OK;
}

/* Validates header `hdr` (n bytes, NUL-terminated copy, scanned in place)
 * of a file of `size` bytes and builds *out with data pointers unset; the
 * spans (for data pointers) come back in *spans_out, sorted by offset. */
static enum clx_status load_header(struct clx_ctx *ctx, const char *name, char *hdr, size_t n,
				   size_t size, struct clx_safetensors **out,
				   struct span **spans_out)
{
	enum clx_status status;
	struct clx_safetensors *st = NULL;
	struct span *spans = NULL;
	cJSON *root = NULL;
	char unsup[512] = "";

	st = clx_calloc(1, sizeof *st);
	if (!st || !(st->path_owned = clx_strdup(name))) {
		status = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", name);
		goto fail;
	}
	st->path = st->path_owned;

	status = scan_header(ctx, name, (const uint8_t *)hdr, n);
	if (status)
		goto fail;

	/* JSON parses and only whitespace follows (offsets in the file) */
	status = clx_json_parse(ctx, name, hdr, n, 8, &root);
	if (status)
		goto fail;
	if (!cJSON_IsObject(root)) {
		status = clx_fail(ctx, CLX_ERR_FORMAT, "%s: header is not a JSON object", name);
		goto fail;
	}

	/* no duplicate names */
	size_t n_keys = 0, n_tensors = 0, name_bytes = 0;
	const cJSON *meta = NULL;
	for (const cJSON *c = root->child; c; c = c->next) {
		n_keys++;
		if (strcmp(c->string, "__metadata__") == 0) {
			meta = c;
			continue;
		}
		n_tensors++;
		name_bytes += strlen(c->string) + 1; /* ≤ n: no overflow */
	}
	status = check_unique(ctx, name, root, n_keys, "tensor name");
	if (status)
		goto fail;

	/* __metadata__ is string → string */
	if (meta) {
		if (!cJSON_IsObject(meta)) {
			status = clx_fail(ctx, CLX_ERR_FORMAT,
					  "%s: __metadata__ is not an object of strings", name);
			goto fail;
		}
		size_t n_meta = 0;
		for (const cJSON *m = meta->child; m; m = m->next, n_meta++) {
			if (!cJSON_IsString(m)) {
				char vbuf[96];
				status = clx_fail(ctx, CLX_ERR_FORMAT,
						  "%s: __metadata__ key '%s' is %s, expected a string", name,
						  show(m->string).s, describe_value(m, vbuf, sizeof vbuf));
				goto fail;
			}
		}
		status = check_unique(ctx, name, meta, n_meta, "__metadata__ key");
		if (status)
			goto fail;
	}

	/* each entry: dtype, shape, data_offsets, consistent sizes */
	st->n_tensors = (int)n_tensors; /* ≤ CLX_MAX_SAFETENSORS_TENSORS (scan) */
	if (n_tensors) {
		st->tensors = clx_calloc(n_tensors, sizeof *st->tensors);
		st->names = clx_malloc(name_bytes);
		spans = clx_calloc(n_tensors, sizeof *spans);
		if (!st->tensors || !st->names || !spans) {
			status = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for %zu tensors", name,
					  n_tensors);
			goto fail;
		}
	}
	char *np = st->names;
	int k = 0;
	for (const cJSON *c = root->child; c; c = c->next) {
		if (c == meta)
			continue;
		struct clx_st_tensor *t = &st->tensors[k];
		size_t len = strlen(c->string) + 1;
		memcpy(np, c->string, len);
		t->name = np;
		np += len;
		spans[k].idx = k;
		status = parse_entry(ctx, name, c, t, &spans[k], unsup, sizeof unsup);
		if (status)
			goto fail;
		k++;
	}
	cJSON_Delete(root);
	root = NULL;

	/* sorted by offset, the tensors tile the data section up to EOF */
	if (n_tensors)
		qsort(spans, n_tensors, sizeof *spans, cmp_span);
	status = check_tiling(ctx, name, st, spans, st->n_tensors, (uint64_t)(size - 8 - n));
	if (status)
		goto fail;

	if (unsup[0]) {
		status = clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s", unsup);
		goto fail;
	}

	/* the name index for clx_safetensors_find */
	if (n_tensors) {
		st->by_name = clx_malloc(n_tensors * sizeof *st->by_name);
		if (!st->by_name) {
			status = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for the name index",
					  name);
			goto fail;
		}
		for (size_t i = 0; i < n_tensors; i++)
			st->by_name[i] = &st->tensors[i];
		qsort(st->by_name, n_tensors, sizeof *st->by_name, cmp_tensor_ptr);
	}
	*out = st;
	*spans_out = spans;
	return CLX_OK;

fail:
	cJSON_Delete(root);
	clx_free(spans);
	clx_safetensors_free(st);
	return status;
}

static void attach_data(struct clx_safetensors *st, const uint8_t *data, const struct span *sp)
{
	for (int k = 0; k < st->n_tensors; k++)
		st->tensors[sp[k].idx].data = data + sp[k].begin;
}

/* ------------------------------------------------------------- public */

enum clx_status clx_safetensors_parse(struct clx_ctx *ctx, const char *name, const uint8_t *buf,
				      size_t size, struct clx_safetensors **out)
{
	if (!out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_safetensors_parse: out is NULL");
	*out = NULL;
	if (!name)
		name = "<memory>";
	if (!buf && size)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: buffer is NULL", name);

	size_t n;
	enum clx_status status = check_prefix(ctx, name, buf, size, &n);
	if (status)
		return status;
	char *hdr = clx_malloc(n + 1);
	if (!hdr)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for the %zu-byte header", name,
				n);
	memcpy(hdr, buf + 8, n);
	hdr[n] = '\0';

	struct clx_safetensors *st = NULL;
	struct span *spans = NULL;
	status = load_header(ctx, name, hdr, n, size, &st, &spans);
	clx_free(hdr);
	if (status)
		return status;
	attach_data(st, buf + 8 + n, spans);
	clx_free(spans);
	*out = st;
	return CLX_OK;
}

/* Reads exactly len bytes at offset off; false on error or short file. */
static bool pread_all(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t r = pread(fd, p, len, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO; /* the file shrank under us */
			return false;
		}
		p += r;
		len -= (size_t)r;
		off += r;
	}
	return true;
}

enum clx_status clx_safetensors_open(struct clx_ctx *ctx, const char *path,
				     struct clx_safetensors **out)
{
	if (!out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_safetensors_open: out is NULL");
	*out = NULL;
	if (!path)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_safetensors_open: path is NULL");

	enum clx_status status;
	char *hdr = NULL;
	struct span *spans = NULL;
	struct clx_safetensors *st = NULL;
	void *map = NULL;
	size_t size = 0, n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		return clx_fail(ctx, e == ENOENT ? CLX_ERR_NOT_FOUND : CLX_ERR_IO,
				"%s: cannot open: %s", path, strerror(e));
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0) {
		status = clx_fail(ctx, CLX_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(sb.st_mode)) {
		status = clx_fail(ctx, CLX_ERR_IO, "%s: not a regular file", path);
		goto done;
	}
	if ((uintmax_t)sb.st_size > SIZE_MAX) {
		status = clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: file too large to map", path);
		goto done;
	}
	size = (size_t)sb.st_size;

	/* validate from the header and the size alone, then map */
	uint8_t head[8];
	if (size >= 8 && !pread_all(fd, head, 8, 0)) {
		status = clx_fail(ctx, CLX_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
		goto done;
	}
	status = check_prefix(ctx, path, head, size, &n);
	if (status)
		goto done;
	hdr = clx_malloc(n + 1);
	if (!hdr) {
		status = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for the %zu-byte header",
				  path, n);
		goto done;
	}
	if (!pread_all(fd, hdr, n, 8)) {
		status = clx_fail(ctx, CLX_ERR_IO, "%s: cannot read the header: %s", path,
				  strerror(errno));
		goto done;
	}
	hdr[n] = '\0';
	status = load_header(ctx, path, hdr, n, size, &st, &spans);
	if (status)
		goto done;

	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		status = clx_fail(ctx, CLX_ERR_IO, "%s: cannot mmap %zu bytes: %s", path, size,
				  strerror(errno));
		goto done;
	}
	st->map = map;
	st->map_size = size;
	attach_data(st, (const uint8_t *)map + 8 + n, spans);
	*out = st;
	st = NULL;

done:
	clx_safetensors_free(st);
	clx_free(spans);
	clx_free(hdr);
	close(fd);
	return status;
}

void clx_safetensors_free(struct clx_safetensors *st)
{
	if (!st)
		return;
	if (st->map)
		munmap(st->map, st->map_size);
	clx_free(st->by_name);
	clx_free(st->tensors);
	clx_free(st->names);
	clx_free(st->path_owned);
	clx_free(st);
}

const struct clx_st_tensor *clx_safetensors_find(const struct clx_safetensors *st,
						 const char *name)
{
	if (!st || !name || !st->by_name)
		return NULL;
	const struct clx_st_tensor *const *hit =
		bsearch(name, st->by_name, (size_t)st->n_tensors, sizeof *st->by_name, cmp_key_tensor);
	return hit ? *hit : NULL;
}

void clx_safetensors_read_f32(const struct clx_st_tensor *t, float *dst)
{
	CLX_ASSERT(t != NULL);
	CLX_ASSERT(dst != NULL || t->n_elems == 0);
	const uint8_t *p = t->data;
	for (int64_t i = 0; i < t->n_elems; i++) {
		switch (t->dtype) {
		case CLX_DTYPE_F32: {
			uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				     (uint32_t)p[3] << 24;
			memcpy(&dst[i], &u, 4);
			p += 4;
			break;
		}
		case CLX_DTYPE_F16:
			dst[i] = clx_f16_to_f32((uint16_t)(p[0] | p[1] << 8));
			p += 2;
			break;
		case CLX_DTYPE_BF16:
			dst[i] = clx_bf16_to_f32((uint16_t)(p[0] | p[1] << 8));
			p += 2;
			break;
		case CLX_DTYPE_I32: {
			uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				     (uint32_t)p[3] << 24;
			int32_t v;
			memcpy(&v, &u, 4);
			dst[i] = (float)v;
			p += 4;
			break;
		}
		case CLX_DTYPE_I64: {
			uint64_t u = le64(p);
			int64_t v;
			memcpy(&v, &u, 8);
			dst[i] = (float)v;
			p += 8;
			break;
		}
		case CLX_DTYPE_COUNT:
			CLX_ASSERT(!"bad dtype");
			return;
		}
	}
}

/* ------------------------------------------------------------- writer */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->cap - b->len < n + 1) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < n + 1) {
			if (cap > SIZE_MAX / 2) {
				b->oom = true;
				return;
			}
			cap *= 2;
		}
		char *p = clx_realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* A JSON string literal; s is valid UTF-8 (checked by the caller). */
static void sb_json_string(struct sbuf *b, const char *s)
{
	sb_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			sb_put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			sb_put(b, esc, 6);
		} else {
			sb_put(b, (const char *)&c, 1);
		}
	}
	sb_put(b, "\"", 1);
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return false;
		}
		p += w;
		len -= (size_t)w;
	}
	return true;
}

enum clx_status clx_safetensors_write(struct clx_ctx *ctx, const char *path, int n,
				      const struct clx_st_write_entry *entries)
{
	if (!path)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_safetensors_write: path is NULL");
	if (n < 0 || (n > 0 && !entries) || n > CLX_MAX_SAFETENSORS_TENSORS)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: cannot write %d tensors", path, n);

	enum clx_status status = CLX_OK;
	struct sbuf hb = { 0 };
	const char **names = NULL;
	char *tmp = NULL;
	int fd = -1;
	uint64_t offset = 0;
	size_t *bytes = NULL;

	if (n > 0) {
		names = clx_malloc((size_t)n * sizeof *names);
		bytes = clx_malloc((size_t)n * sizeof *bytes);
		if (!names || !bytes) {
			status = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", path);
			goto done;
		}
	}

	/* the header, entries in the order given, checked as the reader will */
	sb_str(&hb, "{");
	for (int i = 0; i < n; i++) {
		const struct clx_st_write_entry *e = &entries[i];
		if (!e->name ||
		    !clx_utf8_valid((const uint8_t *)e->name, strlen(e->name), NULL, NULL) ||
		    !strcmp(e->name, "__metadata__")) {
			status = clx_fail(ctx, CLX_ERR_INVALID_ARG,
					  "%s: entry %d has no name, a name that is not UTF-8, or the reserved name __metadata__",
					  path, i);
			goto done;
		}
		if ((unsigned)e->dtype >= CLX_DTYPE_COUNT || e->n_dims < 0 ||
		    e->n_dims > CLX_MAX_DIMS || (e->n_dims > 0 && !e->shape)) {
			status = clx_fail(ctx, CLX_ERR_INVALID_ARG,
					  "%s: tensor '%s' has a bad dtype (%d) or rank (%d)", path,
					  show(e->name).s, (int)e->dtype, e->n_dims);
			goto done;
		}
		uint64_t elems = 1, nb;
		bool bad = false;
		for (int d = 0; d < e->n_dims; d++) {
			if (e->shape[d] < 0 || (uint64_t)e->shape[d] > CLX_MAX_SAFETENSORS_DIM ||
			    __builtin_mul_overflow(elems, (uint64_t)e->shape[d], &elems))
				bad = true;
		}
		if (bad || __builtin_mul_overflow(elems, (uint64_t)clx_dtype_size(e->dtype), &nb) ||
		    nb > SIZE_MAX || nb > CLX_MAX_SAFETENSORS_DIM - offset ||
		    (nb > 0 && !e->data)) {
			status = clx_fail(ctx, CLX_ERR_INVALID_ARG,
					  "%s: tensor '%s' has a bad shape, no data, or is too large",
					  path, show(e->name).s);
			goto done;
		}
		names[i] = e->name;
		bytes[i] = (size_t)nb;

		char num[64];
		if (i)
			sb_str(&hb, ",");
		sb_json_string(&hb, e->name);
		sb_str(&hb, ":{\"dtype\":\"");
		sb_str(&hb, clx_dtype_name(e->dtype));
		sb_str(&hb, "\",\"shape\":[");
		for (int d = 0; d < e->n_dims; d++) {
			snprintf(num, sizeof num, "%s%" PRId64, d ? "," : "", e->shape[d]);
			sb_str(&hb, num);
		}
		snprintf(num, sizeof num, "],\"data_offsets\":[%" PRIu64 ",%" PRIu64 "]}", offset,
			 offset + nb);
		sb_str(&hb, num);
		offset += nb;
	}
	sb_str(&hb, "}");
	/* pad with spaces so the data starts 8-byte aligned */
	while (!hb.oom && hb.len % 8)
		sb_str(&hb, " ");
	if (hb.oom) {
		status = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory building the header", path);
		goto done;
	}
	if (hb.len > CLX_MAX_SAFETENSORS_HEADER) {
		status = clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: header of %zu bytes exceeds %llu",
				  path, hb.len, CLX_MAX_SAFETENSORS_HEADER);
		goto done;
	}
	if (n > 1) {
		qsort(names, (size_t)n, sizeof *names, cmp_str_ptr);
		for (int i = 1; i < n; i++) {
			if (!strcmp(names[i - 1], names[i])) {
				status = clx_fail(ctx, CLX_ERR_INVALID_ARG,
						  "%s: duplicate tensor name '%s'", path,
						  show(names[i]).s);
				goto done;
			}
		}
	}

	/* write a temp file next to path, then rename it over path */
	static atomic_uint seq;
	size_t tlen = strlen(path) + 64;
	tmp = clx_malloc(tlen);
	if (!tmp) {
		status = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", path);
		goto done;
	}
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		snprintf(tmp, tlen, "%s.tmp.%ld.%u", path, (long)getpid(),
			 atomic_fetch_add(&seq, 1u));
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		status = clx_fail(ctx, CLX_ERR_IO, "%s: cannot create %s: %s", path, tmp,
				  strerror(errno));
		goto done;
	}
	uint8_t head[8];
	for (int i = 0; i < 8; i++)
		head[i] = (uint8_t)((uint64_t)hb.len >> (8 * i));
	bool ok = write_all(fd, head, 8) && write_all(fd, hb.p, hb.len);
	for (int i = 0; ok && i < n; i++)
		ok = write_all(fd, entries[i].data, bytes[i]);
	if (ok)
		ok = fsync(fd) == 0;
	int e = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		e = errno;
	}
	fd = -1;
	if (ok && rename(tmp, path) != 0) {
		ok = false;
		e = errno;
	}
	if (!ok) {
		unlink(tmp);
		status = clx_fail(ctx, CLX_ERR_IO, "%s: cannot write: %s", path, strerror(e));
	}

done:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	clx_free(tmp);
	clx_free(hb.p);
	clx_free(names);
	clx_free(bytes);
	return status;
}
