/* fuzz_preprocess.c — libFuzzer target for preprocessing
 * (runtime/io/preprocess.c): a frame size and a processor configuration
 * from the first 12 bytes, the pixels from the rest (repeated to fill
 * the frame). Random sizes, shortest-edge and {height, width} resizes,
 * crops larger or smaller than the frame, every resample filter, rescale
 * and normalisation on or off. The output must be finite; never a crash
 * or sanitizer report. clx_resize_rgb is driven alone too. */
#include "clx/preprocess.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 12)
		return 0;
	const int32_t h = 1 + data[0] % 96, w = 1 + data[1] % 96, n = 1 + data[2] % 3;
	struct clx_preprocess_config cfg;
	clx_preprocess_config_default(&cfg);
	const uint8_t fl = data[3];
	cfg.do_resize = fl & 1;
	cfg.do_center_crop = fl & 2;
	cfg.do_rescale = fl & 4;
	cfg.do_normalize = fl & 8;
	cfg.resample = data[4] % 6;
	if (fl & 16) { /* size {height, width} */
		cfg.shortest_edge = 0;
		cfg.resize_height = 1 + data[5] % 64;
		cfg.resize_width = 1 + data[6] % 64;
	} else {
		cfg.shortest_edge = 1 + data[5] % 64;
		cfg.longest_edge = fl & 32 ? cfg.shortest_edge + data[6] % 64 : 0;
	}
	cfg.crop_height = 1 + data[7] % 64;
	cfg.crop_width = 1 + data[8] % 64;
	const size_t frame = (size_t)h * (size_t)w * 3, px = 12 < size ? size - 12 : 0;
	uint8_t *rgb = malloc(frame * (size_t)n);
	struct clx_ctx *ctx = clx_ctx_create();
	if (!rgb || !ctx || !px)
		goto out;
	for (size_t i = 0; i < frame * (size_t)n; i++)
		rgb[i] = data[12 + i % px];
	int32_t oh, ow;
	if (clx_preprocess_output_size(ctx, &cfg, h, w, &oh, &ow) == CLX_OK) {
		const size_t m = (size_t)n * 3 * (size_t)oh * (size_t)ow;
		float *out = malloc(m * sizeof *out);
		if (out && clx_preprocess_frames(ctx, &cfg, rgb, n, h, w, out) == CLX_OK)
			for (size_t i = 0; i < m; i++)
				if (!isfinite(out[i]))
					abort();
		free(out);
	}
	/* the resize alone, to any size */
	const int32_t dh = 1 + data[9] % 128, dw = 1 + data[10] % 128;
	uint8_t *dst = malloc((size_t)dh * (size_t)dw * 3);
	if (dst)
		clx_resize_rgb(ctx, rgb, h, w, dst, dh, dw, data[11] % 6);
	free(dst);
out:
	free(rgb);
	clx_ctx_free(ctx);
	return 0;
}
