/* safetensors.h — a validating reader for the safetensors format.
 *
 * Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON, data.
 * Every check of docs/SECURITY.md §4 runs before any tensor is exposed; the file
 * is then mmap'ed read-only and tensors point into the mapping. Data may be
 * misaligned: read it with memcpy (clx_safetensors_read_f32 does). */
#ifndef CLX_SAFETENSORS_H
#define CLX_SAFETENSORS_H

#include "clx/clx.h"
#include "clx/limits.h"

struct clx_st_tensor {
	char *name;                 /* NUL-terminated, owned by the file object */
	enum clx_dtype dtype;       /* F32, F16, BF16, I32 or I64 */
	int n_dims;                 /* 0 (scalar) … CLX_MAX_DIMS */
	int64_t shape[CLX_MAX_DIMS];/* outermost first, as in the file */
	int64_t n_elems;            /* prod(shape), 1 for a scalar */
	size_t n_bytes;             /* n_elems · dtype size */
	const uint8_t *data;        /* into the mapping; may be misaligned */
};

struct clx_safetensors {
	const char *path;
	int n_tensors;
	struct clx_st_tensor *tensors; /* in file (header) order */
	/* private */
	void *map;                  /* mmap'ed file (open) or NULL (parse) */
	size_t map_size;
	char *path_owned;
	char *names;                /* one block holding every tensor name */
	const struct clx_st_tensor **by_name; /* n_tensors, sorted by name */
};

/* Opens, validates and maps `path`. On failure returns a status with a
 * message naming the file and the problem; *out stays NULL. */
enum clx_status clx_safetensors_open(struct clx_ctx *ctx, const char *path,
				     struct clx_safetensors **out);

/* Same checks on a memory buffer (used by tests and the fuzz target). The
 * buffer must outlive the object; nothing is copied or mapped. */
enum clx_status clx_safetensors_parse(struct clx_ctx *ctx, const char *name,
				      const uint8_t *buf, size_t size,
				      struct clx_safetensors **out);

void clx_safetensors_free(struct clx_safetensors *st);

/* NULL when absent. Binary search in a sorted-name index built at load,
 * so looking up every tensor of a large file stays O(n log n). */
const struct clx_st_tensor *clx_safetensors_find(const struct clx_safetensors *st,
						 const char *name);

/* Converts the tensor to f32 into `dst` (n_elems floats): F32 copied
 * bit-exactly, F16/BF16 widened exactly, I32/I64 rounded to nearest.
 * Reads byte by byte (little-endian), so misaligned data is fine. */
void clx_safetensors_read_f32(const struct clx_st_tensor *t, float *dst);

/* Writes a safetensors file (header padded with spaces so data starts
 * 8-byte aligned; entries in the order given). Atomic: a temp file in the
 * same folder renamed over `path` only after every byte is written. */
struct clx_st_write_entry {
	const char *name;
	enum clx_dtype dtype;
	int n_dims;
	const int64_t *shape;
	const void *data;           /* prod(shape) · dtype size bytes */
};
enum clx_status clx_safetensors_write(struct clx_ctx *ctx, const char *path,
				      int n, const struct clx_st_write_entry *entries);

#endif
