/* safetensors_internal.h — what the files of the safetensors reader and
 * writer share. Not installed; only runtime/model/safetensors*.c include it.
 *
 * The files, one job each:
 *   safetensors.c         opening a file or buffer, mapping it, tensor
 *                         lookup and conversion to f32 (clx/safetensors.h)
 *   safetensors_header.c  every check of docs/SECURITY.md §4 on the length
 *                         prefix and the JSON header, building the tensor
 *                         table
 *   safetensors_write.c   the atomic writer */
#ifndef CLX_MODEL_SAFETENSORS_INTERNAL_H
#define CLX_MODEL_SAFETENSORS_INTERNAL_H

#include "clx/safetensors.h"

/* A little-endian u64 at p (may be misaligned). */
static inline uint64_t st_le64(const uint8_t *p)
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
struct shown st_show(const char *name);

/* qsort comparison of two `const char *`. */
int st_cmp_str(const void *a, const void *b);

/* Where a tensor's bytes lie, from its data_offsets. */
struct span {
	uint64_t begin, end; /* data_offsets, relative to the data section */
	int idx;             /* tensor index, header order */
};

/* File ≥ 8 bytes; header length *n_out ≤ the cap and ≤ size − 8. */
enum clx_status st_check_prefix(struct clx_ctx *ctx, const char *name, const uint8_t *head,
				size_t size, size_t *n_out);

/* Validates header `hdr` (n bytes, NUL-terminated copy, scanned in place)
 * of a file of `size` bytes and builds *out with data pointers unset; the
 * spans (for data pointers) come back in *spans_out, sorted by offset. */
enum clx_status st_load_header(struct clx_ctx *ctx, const char *name, char *hdr, size_t n,
			       size_t size, struct clx_safetensors **out, struct span **spans_out);

#endif
