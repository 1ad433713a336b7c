/* npy.h — NumPy .npy format 1.0/2.0/3.0 reader and 1.0 writer.
 *
 * Reads little-endian C-order f32, f64 (converted to f32), i32 and i64
 * arrays (also '|u1', '|i1' and '|b1' as i32 for masks); rejects Fortran
 * order, big-endian, object/structured arrays, truncated and trailing data
 * with a message naming the file. Writes f32 / i32 / i64 little-endian C
 * order, byte-identical to np.save. */
#ifndef CLX_NPY_H
#define CLX_NPY_H

#include "clx/clx.h"
#include "clx/limits.h"

struct clx_npy {
	enum clx_dtype dtype;        /* F32 or I64 or I32 after loading */
	int n_dims;
	int64_t shape[CLX_MAX_DIMS];
	int64_t n_elems;
	void *data;                  /* n_elems values of dtype, owned */
};

/* On failure *out is zeroed, so clx_npy_release(out) is always safe. */
enum clx_status clx_npy_load(struct clx_ctx *ctx, const char *path, struct clx_npy *out);
enum clx_status clx_npy_parse(struct clx_ctx *ctx, const char *name, const uint8_t *buf,
			      size_t size, struct clx_npy *out);
void clx_npy_release(struct clx_npy *a); /* frees data; a may be zeroed */

/* dtype F32 or I64 or I32. Writes atomically (temp file + rename). */
enum clx_status clx_npy_save(struct clx_ctx *ctx, const char *path, enum clx_dtype dtype,
			     int n_dims, const int64_t *shape, const void *data);

#endif
