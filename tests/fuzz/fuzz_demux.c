/* fuzz_demux.c — libFuzzer target: clx_video_read_memory over arbitrary bytes
 * (libavformat's probing and demuxing behind clx's restrictions, decoding,
 * frame counting, seeking and RGB conversion).
 *
 * Small limits keep each input fast: 2 frames sampled, 300 decoded, 2 s.
 * Both the seeking and the from-the-start paths run. Replayed under ctest by
 * tests/fuzz/replay.c over tests/fixtures/video (the seed corpus). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_video.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int seek = CLX_SEEK_ALWAYS; seek <= CLX_SEEK_NEVER; seek++) {
		struct clx_video_opts opts;
		clx_video_opts_default(&opts);
		opts.n_frames = 2;
		opts.seek = (enum clx_seek_mode)seek;
		opts.timeout_s = 2.0;
		opts.max_decoded_frames = 300;
		opts.apply_rotation = seek == CLX_SEEK_ALWAYS;
		fuzz_read_video(data, size, &opts);
	}
	return 0;
}
