/* fuzz_safetensors.c — libFuzzer entry point for the safetensors reader.
 *
 * Parses the input from memory; when it loads, looks every tensor up by
 * name and converts the small ones to f32, so the data pointers and the
 * name index are exercised too. Built with -fsanitize=fuzzer under clang
 * (CLX_FUZZ=ON), or linked with replay.c to run the seed corpus under
 * ctest with any compiler. */
#include "clx/safetensors.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_safetensors *st = NULL;
	if (!ctx)
		return 0;
	if (clx_safetensors_parse(ctx, "fuzz.safetensors", data, size, &st) == CLX_OK) {
		for (int i = 0; i < st->n_tensors; i++) {
			const struct clx_st_tensor *t = &st->tensors[i];
			if (clx_safetensors_find(st, t->name) != t)
				abort(); /* names are unique, so find must return this one */
			if (t->n_bytes > size || (size_t)t->n_elems > size)
				abort(); /* a valid tensor lies inside the input */
			float *dst = malloc((size_t)t->n_elems * sizeof *dst + 1);
			if (dst) {
				clx_safetensors_read_f32(t, dst);
				free(dst);
			}
		}
	} else if (st != NULL || clx_last_error(ctx)[0] == '\0') {
		abort(); /* a failure returns no object and always says why */
	}
	clx_safetensors_free(st);
	clx_ctx_free(ctx);
	return 0;
}
