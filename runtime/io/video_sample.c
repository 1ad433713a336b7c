/* video_sample.c — which frames a read decodes (clx/video.h "Sampling"):
 * uniform segments, or the transformers X-CLIP docs' consecutive windows
 * with NumPy's legacy RandomState (MT19937 and masked-rejection randint)
 * reproduced bit for bit; the CLI's --sample spelling; the defaults.
 *
 * Plain C, no FFmpeg: it builds and works with CLX_FFMPEG=OFF. Not here:
 * counting the frames (video_index.c) or reading them. */
#include "clx/video.h"
#include "clx/limits.h"

#include <string.h>

void clx_video_opts_default(struct clx_video_opts *opts)
{
	*opts = (struct clx_video_opts){
		.n_frames = 8,
		.sample = CLX_SAMPLE_UNIFORM,
		.stride = 1,
		.seed = 0,
		.apply_rotation = false,
		.seek = CLX_SEEK_AUTO,
		.timeout_s = 0.0,
		.max_decoded_frames = 0,
	};
}

/* NumPy's legacy RandomState bit generator: MT19937, seeded by
 * np.random.seed(n) with Matsumoto–Nishimura's init_genrand (numpy
 * mt19937_seed), 32-bit outputs tempered as in genrand_int32. */
struct mt19937 {
	uint32_t key[624];
	int pos;
};

static void mt_seed(struct mt19937 *m, uint32_t seed)
{
	for (int i = 0; i < 624; i++) {
		m->key[i] = seed;
		seed = 1812433253u * (seed ^ (seed >> 30)) + (uint32_t)(i + 1);
	}
	m->pos = 624;
}

static uint32_t mt_next(struct mt19937 *m)
{
	if (m->pos == 624) {
		/* In place, so entries ≥ 227 read already-updated words, exactly as
		 * the reference two-loop version does. */
		for (int i = 0; i < 624; i++) {
			uint32_t y = (m->key[i] & 0x80000000u) | (m->key[(i + 1) % 624] & 0x7fffffffu);
			m->key[i] = m->key[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
		}
		m->pos = 0;
	}
	uint32_t y = m->key[m->pos++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	y ^= y >> 18;
	return y;
}

/* RandomState.randint(low, high) for int64 with high − low ≤ 2^32: NumPy's
 * random_bounded_uint64_fill with use_masked (the legacy method): draw 32
 * bits, AND with the smallest all-ones mask covering rng = high − 1 − low,
 * reject values above rng. */
static int64_t np_randint(struct mt19937 *m, int64_t low, int64_t high)
{
	uint64_t rng = (uint64_t)(high - 1 - low);
	CLX_ASSERT(high > low && rng <= 0xffffffffu);
	if (rng == 0)
		return low;
	if (rng == 0xffffffffu)
		return low + (int64_t)mt_next(m);
	uint32_t mask = (uint32_t)rng;
	mask |= mask >> 1;
	mask |= mask >> 2;
	mask |= mask >> 4;
	mask |= mask >> 8;
	mask |= mask >> 16;
	uint32_t v;
	while ((v = mt_next(m) & mask) > (uint32_t)rng)
		;
	return low + (int64_t)v;
}

enum clx_status clx_video_sample_indices(struct clx_ctx *ctx, const struct clx_video_opts *opts,
					 int64_t n_total, int64_t *indices)
{
	int64_t t_n = opts->n_frames;
	if (t_n < 1 || t_n > CLX_MAX_VIDEO_SAMPLES)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "video sampling: %lld frames requested, "
				"expected 1 to %d", (long long)t_n, CLX_MAX_VIDEO_SAMPLES);
	if (n_total < 1 || n_total > CLX_MAX_VIDEO_FRAMES)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "video sampling: a video of %lld frames, "
				"expected 1 to %d", (long long)n_total, CLX_MAX_VIDEO_FRAMES);
	if (opts->sample == CLX_SAMPLE_UNIFORM) {
		/* middle of segment t of [0, N) cut in T: floor((t + 1/2) · N / T) */
		for (int64_t t = 0; t < t_n; t++)
			indices[t] = (2 * t + 1) * n_total / (2 * t_n);
		return CLX_OK;
	}
	if (opts->sample != CLX_SAMPLE_CONSECUTIVE)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "video sampling: unknown mode %d",
				(int)opts->sample);
	if (opts->stride < 1 || opts->stride > CLX_MAX_VIDEO_FRAMES)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "video sampling: stride %d, expected 1 to %d",
				(int)opts->stride, CLX_MAX_VIDEO_FRAMES);
	/* sample_frame_indices(clip_len=T, frame_sample_rate=stride, seg_len=N) */
	int64_t converted_len = t_n * opts->stride;
	int64_t start, end, hi;
	if (n_total > converted_len) {
		struct mt19937 mt;
		mt_seed(&mt, opts->seed);
		end = np_randint(&mt, converted_len, n_total);
		start = end - converted_len;
		hi = end - 1;
	} else { /* NumPy would raise: take the whole video, repeat its last frame */
		start = 0;
		end = converted_len;
		hi = n_total - 1;
	}
	/* np.linspace(start, end, num=T): i·step + start, the last one = end */
	double step = t_n > 1 ? (double)(end - start) / (double)(t_n - 1) : 0.0;
	for (int64_t i = 0; i < t_n; i++) {
		double v = (double)i * step + (double)start;
		if (t_n > 1 && i == t_n - 1)
			v = (double)end;
		if (v < (double)start) /* np.clip(…, start, hi), then astype(int64) */
			v = (double)start;
		if (v > (double)hi)
			v = (double)hi;
		indices[i] = (int64_t)v;
	}
	return CLX_OK;
}

enum clx_status clx_video_parse_sample(struct clx_ctx *ctx, const char *spec,
				       struct clx_video_opts *opts)
{
	if (!spec)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "frame sampling: no method given");
	if (strcmp(spec, "uniform") == 0) {
		opts->sample = CLX_SAMPLE_UNIFORM;
		return CLX_OK;
	}
	if (strcmp(spec, "consecutive") == 0) {
		opts->sample = CLX_SAMPLE_CONSECUTIVE;
		opts->stride = 1;
		return CLX_OK;
	}
	const char *p = "consecutive:";
	if (strncmp(spec, p, strlen(p)) == 0) {
		const char *s = spec + strlen(p);
		long long v = 0;
		if (!*s)
			goto bad;
		for (; *s; s++) {
			if (*s < '0' || *s > '9' || v > CLX_MAX_VIDEO_FRAMES)
				goto bad;
			v = v * 10 + (*s - '0');
		}
		if (v < 1 || v > CLX_MAX_VIDEO_FRAMES)
			goto bad;
		opts->sample = CLX_SAMPLE_CONSECUTIVE;
		opts->stride = (int32_t)v;
		return CLX_OK;
	}
bad:
	return clx_fail(ctx, CLX_ERR_INVALID_ARG, "frame sampling '%.64s': expected uniform, "
			"consecutive or consecutive:STRIDE with STRIDE 1 to %d", spec, CLX_MAX_VIDEO_FRAMES);
}
