/* fuzz_npy.c — libFuzzer target for clx_npy_parse.
 *
 * Any input must load (with a consistent shape and element count) or fail
 * with a message — never crash, leak or trip a sanitizer. A loaded array is
 * also written back and reloaded to exercise clx_npy_save. Build with
 * -fsanitize=fuzzer, or replay a corpus with tests/fuzz/replay.c. */
#include "clx/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clx_ctx *ctx = clx_ctx_create();
	if (!ctx)
		return 0;
	struct clx_npy a;
	enum clx_status st = clx_npy_parse(ctx, "fuzz.npy", data, size, &a);
	if (st == CLX_OK) {
		int64_t n = 1;
		for (int i = 0; i < a.n_dims; i++)
			n *= a.shape[i];
		if (a.n_dims < 0 || a.n_dims > CLX_MAX_DIMS || n != a.n_elems || !a.data ||
		    (size_t)a.n_elems > size)
			abort();
		/* Touch every byte so ASan sees the whole allocation. */
		volatile uint8_t sum = 0;
		for (size_t i = 0; i < (size_t)a.n_elems * clx_dtype_size(a.dtype); i++)
			sum ^= ((const uint8_t *)a.data)[i];
		(void)sum;
		char path[64];
		snprintf(path, sizeof path, "/tmp/clx_fuzz_npy_%ld.npy", (long)getpid());
		if (clx_npy_save(ctx, path, a.dtype, a.n_dims, a.shape, a.data) == CLX_OK) {
			struct clx_npy b;
			if (clx_npy_load(ctx, path, &b) != CLX_OK || b.n_elems != a.n_elems ||
			    b.dtype != a.dtype ||
			    memcmp(a.data, b.data, (size_t)a.n_elems * clx_dtype_size(a.dtype)))
				abort();
			clx_npy_release(&b);
			remove(path);
		}
		clx_npy_release(&a);
	} else if (!clx_last_error(ctx)[0] || a.data) {
		abort();
	}
	clx_ctx_free(ctx);
	return 0;
}
