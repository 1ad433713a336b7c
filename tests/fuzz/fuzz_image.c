/* fuzz_image.c — libFuzzer target for clx_image_decode (JPEG, PNG, WebP, BMP,
 * GIF by their magic bytes).
 *
 * Any input must decode (a size within the limits, every pixel readable) or
 * fail with a one-line message — never crash, leak, longjmp past its cleanup
 * or trip a sanitizer. Each input is decoded twice: as is and with EXIF
 * orientation applied, which must give the same pixel count. Seeds:
 * tests/fuzz/corpus/image (small fixture images). Build with
 * -fsanitize=fuzzer, or replay a corpus with tests/fuzz/replay.c. */
#include "clx/image.h"
#include "clx/limits.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(void *user, const char *msg)
{
	(void)user;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clx_ctx *ctx = clx_ctx_create();
	if (!ctx)
		return 0;
	clx_ctx_set_warning_handler(ctx, quiet, NULL);
	int64_t pixels = -1;
	for (int exif = 0; exif < 2; exif++) {
		struct clx_image_opts opts = { .apply_exif = exif == 1 };
		struct clx_image img;
		enum clx_status st = clx_image_decode(ctx, "fuzz", data, size, &opts, &img);
		if (st == CLX_OK) {
			int64_t n = (int64_t)img.width * img.height;
			if (img.width <= 0 || img.height <= 0 || img.width > CLX_MAX_IMAGE_DIM ||
			    img.height > CLX_MAX_IMAGE_DIM || n > CLX_MAX_IMAGE_PIXELS || !img.rgb ||
			    !img.format[0] || (pixels >= 0 && n != pixels))
				abort();
			pixels = n;
			/* Touch every byte so ASan sees the whole allocation. */
			volatile uint8_t sum = 0;
			for (size_t i = 0; i < (size_t)n * 3; i++)
				sum ^= img.rgb[i];
			(void)sum;
			clx_image_release(&img);
		} else {
			const char *msg = clx_last_error(ctx);
			if (!msg[0] || strchr(msg, '\n') || img.rgb || pixels >= 0)
				abort();
		}
	}
	clx_ctx_free(ctx);
	return 0;
}
