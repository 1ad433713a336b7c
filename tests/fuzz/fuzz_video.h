/* fuzz_video.h — for the video targets: one clx_video_read_memory call on
 * the bytes, every output byte touched (a short buffer shows up under
 * ASan), everything released. */
#ifndef CLX_FUZZ_VIDEO_H
#define CLX_FUZZ_VIDEO_H

#include <stddef.h>
#include <stdint.h>

#include "clx/clx.h"
#include "clx/video.h"

static void fuzz_read_video(const uint8_t *data, size_t size, const struct clx_video_opts *opts)
{
	struct clx_ctx *ctx = clx_ctx_create();
	if (!ctx)
		return;
	struct clx_video v;
	if (clx_video_read_memory(ctx, "fuzz", data, size, opts, &v) == CLX_OK) {
		volatile uint8_t x = 0;
		for (size_t i = 0; i < (size_t)v.n_frames * v.width * v.height * 3; i++)
			x ^= v.rgb[i];
		(void)x;
	}
	clx_video_release(&v);
	clx_ctx_free(ctx);
}

#endif
