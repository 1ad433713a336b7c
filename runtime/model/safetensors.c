/* safetensors.c — the safetensors reader (clx/safetensors.h): a buffer or
 * a file is validated from its header and size alone
 * (safetensors_header.c), then the file is mapped read-only and each tensor
 * points into the mapping; lookup by name; conversion to f32.
 *
 * Deliberately not done here: dtype conversion other than to f32, sub-byte
 * or complex dtypes (validated, then refused as unsupported), and protection
 * against another process truncating the file under the mapping. Writing is
 * safetensors_write.c. */
#include "model/safetensors_internal.h"
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------- helpers */

static int cmp_key_tensor(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct clx_st_tensor *const *)elem)->name);
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
	enum clx_status status = st_check_prefix(ctx, name, buf, size, &n);
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
	status = st_load_header(ctx, name, hdr, n, size, &st, &spans);
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
	int fd;
	int64_t file_size;
	/* mapped, so only a regular file will do */
	if ((status = clx_input_open(ctx, path, false, &fd, NULL, &file_size)) != CLX_OK)
		return status;
	if ((uint64_t)file_size > SIZE_MAX) {
		status = clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: file too large to map", path);
		goto done;
	}
	size = (size_t)file_size;

	/* validate from the header and the size alone, then map */
	uint8_t head[8];
	if (size >= 8 && !pread_all(fd, head, 8, 0)) {
		status = clx_fail(ctx, CLX_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
		goto done;
	}
	status = st_check_prefix(ctx, path, head, size, &n);
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
	status = st_load_header(ctx, path, hdr, n, size, &st, &spans);
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
			uint64_t u = st_le64(p);
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

