/* fuzz_manifest.c — libFuzzer target for the batch run's text inputs
 * (runtime/io/collection.c): the input as a manifest (paths, JSON Lines
 * with id and path, comments) and as a --resume records file (its torn
 * last line cut). Any input gives entries or a message, never a crash,
 * leak or sanitizer report; every entry has an id and a path. */
#include "clx/collection.h"
#include "fuzz_input_file.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_collection *c = NULL;
	const char *path = fuzz_input_file(data, size);
	if (!ctx || !path || clx_collection_create(ctx, &c) != CLX_OK)
		goto out;
	if (clx_collection_add_manifest(ctx, c, path) == CLX_OK) {
		const struct clx_collection_item *it;
		while (clx_collection_next(c, &it))
			if (!it->id || !it->path || !it->path[0])
				abort();
	}
	clx_collection_free(c);
	c = NULL;
	/* the same bytes (the manifest reader left the file as it was) as the
	 * records of an earlier run */
	size_t n = 0;
	if (clx_collection_create(ctx, &c) == CLX_OK)
		clx_collection_resume(ctx, c, path, &n);
out:
	clx_collection_free(c);
	clx_ctx_free(ctx);
	return 0;
}
