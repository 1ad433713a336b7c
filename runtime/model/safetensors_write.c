/* safetensors_write.c — writing a safetensors file (clx/safetensors.h):
 * the header built with the entries in the order given and checked as the
 * reader will check it, padded with spaces so the data starts 8-byte
 * aligned; written to a temporary file in the same folder, fsync'ed and
 * renamed over the target only after every byte is out.
 *
 * Not here: __metadata__ (never written) and dtypes clx does not run. */
#include "model/safetensors_internal.h"
#include "core/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------- header buffer */

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

/* -------------------------------------------------------------- writer */

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
					  st_show(e->name).s, (int)e->dtype, e->n_dims);
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
					  path, st_show(e->name).s);
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
		qsort(names, (size_t)n, sizeof *names, st_cmp_str);
		for (int i = 1; i < n; i++) {
			if (!strcmp(names[i - 1], names[i])) {
				status = clx_fail(ctx, CLX_ERR_INVALID_ARG,
						  "%s: duplicate tensor name '%s'", path,
						  st_show(names[i]).s);
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
