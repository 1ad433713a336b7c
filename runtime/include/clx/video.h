/* video.h — T sampled frames of a video file as RGB24, decoded with FFmpeg.
 *
 * What a caller gets: `clx_video_read` opens a file (or a buffer), counts its
 * frames, picks T frame indices (uniform or the transformers X-CLIP docs'
 * windowed sampling), decodes only what those frames need (seeking to the
 * keyframe before each one on long videos) and converts each to RGB24 with
 * libswscale exactly as PyAV's `frame.to_ndarray(format="rgb24")` does.
 *
 * Frame index i means "the i-th frame the decoder outputs when the video
 * stream is decoded from the start" — PyAV's `enumerate(container.decode(
 * video=0))`, which is what the transformers docs example indexes.
 *
 * Sampling (N = frames in the video, T = opts.n_frames):
 *   uniform      index_t = floor((2t + 1) · N / (2T)), t = 0 … T−1: the
 *                middle frame of each of T equal segments of [0, N). When
 *                N < T, segments are shorter than a frame and some frames
 *                repeat (never an error).
 *   consecutive  the docs' sample_frame_indices(clip_len=T,
 *                frame_sample_rate=STRIDE, seg_len=N) after np.random.seed(
 *                seed): converted_len = T·STRIDE; end = randint(converted_len,
 *                N); start = end − converted_len; linspace(start, end, T)
 *                clipped to [start, end−1], truncated to int64. NumPy's legacy
 *                MT19937 and masked-rejection randint are reproduced exactly.
 *                When N ≤ converted_len (NumPy would raise), no random number
 *                is drawn: start = 0, end = converted_len, clipped to N−1, so
 *                the whole video is used and its last frame repeats.
 * N = 0 is an error ("no video frames").
 *
 * N comes from the container's sample index (MP4/MOV, checked against the
 * file size so a truncated file is noticed) or from reading every packet
 * header of the video stream without decoding (all other containers) — never
 * from a header frame count or duration × rate, which WebM, VFR and edited
 * files get wrong. If decoding then yields fewer frames than counted
 * (truncated or corrupt data), N is corrected to the decoded count, the
 * indices are recomputed and a warning says so.
 *
 * Display rotation: ignored by default, like PyAV (frames come out as coded).
 * `rotation` reports the display matrix's counterclockwise angle (PyAV's
 * frame.rotation); with opts.apply_rotation the frames are rotated by it
 * (multiples of 90° only; np.rot90(frame, rotation / 90)), which is how the
 * ffmpeg program shows them.
 *
 * A resolution change mid-stream: every frame is scaled (swscale bilinear) to
 * the size of the first sampled frame and a warning says so.
 *
 * Untrusted input (docs/SECURITY.md §8): only the file itself is read — the
 * `file` protocol, no nested opens (HLS, concat, image sequences, MOV
 * references are refused), a whitelist of container formats, at most
 * CLX_MAX_VIDEO_STREAMS streams, CLX_MAX_VIDEO_PIXELS per frame (also
 * enforced inside the decoder, so a mid-stream change cannot exceed it),
 * CLX_MAX_VIDEO_FRAMES counted, opts.max_decoded_frames decoded, and a
 * deadline (opts.timeout_s) checked by FFmpeg's interrupt callback.
 *
 * Seeking (opts.seek): the frame index comes from the container's sample
 * index or the packet scan; the keyframe before each sampled frame is sought
 * and its GOP read, its timestamps sorted (closed GOPs: presentation order
 * within the GOP gives the frame index) and decoded with non-reference frames
 * skipped, stopping once the sampled frames are out. GOPs longer than 4096
 * packets (or CLX_VIDEO_GOP_CAP in the environment, for tests) are decoded
 * counting output frames instead. Anything inconsistent (open GOPs, decode
 * errors, timestamps out of order) falls back to decoding from the start,
 * with a warning, so the result always means the same frame indices.
 *
 * While a read runs, FFmpeg's log goes nowhere (its first error line becomes
 * part of the warning); set CLX_FFMPEG_LOG=1 in the environment to see it.
 * This installs a process-wide av_log callback once.
 *
 * Built with CLX_FFMPEG=OFF, the read functions return CLX_ERR_UNSUPPORTED;
 * sampling and option parsing still work. */
#ifndef CLX_VIDEO_H
#define CLX_VIDEO_H

#include "clx/clx.h"

#ifdef __cplusplus
extern "C" {
#endif

enum clx_sample_mode {
	CLX_SAMPLE_UNIFORM = 0,
	CLX_SAMPLE_CONSECUTIVE,
};

enum clx_seek_mode {
	CLX_SEEK_AUTO = 0, /* seek when it decodes less than half of what reading from the start would */
	CLX_SEEK_ALWAYS,   /* seek whenever the index allows (tests) */
	CLX_SEEK_NEVER,    /* decode from the start (the PyAV reference procedure) */
};

struct clx_video_opts {
	int32_t n_frames;            /* T, 1 … CLX_MAX_VIDEO_SAMPLES (default 8) */
	enum clx_sample_mode sample; /* default uniform */
	int32_t stride;              /* consecutive: frame_sample_rate ≥ 1 (default 1) */
	uint32_t seed;               /* consecutive: np.random.seed(seed) (default 0) */
	bool apply_rotation;         /* default false: frames as coded, like PyAV */
	enum clx_seek_mode seek;     /* default auto */
	double timeout_s;            /* whole read; ≤ 0 → CLX_VIDEO_TIMEOUT_S */
	int64_t max_decoded_frames;  /* ≤ 0 → CLX_MAX_VIDEO_DECODED_FRAMES */
	/* When set, each sampled frame goes to on_frame as soon as it is
	 * converted, for every output slot t it was sampled at, and is not
	 * kept: clx_video's rgb stays NULL and the read holds one RGB frame
	 * (height × width, after rotation) at a time. A slot may be delivered
	 * again if the reader restarts a pass; the last delivery counts. A
	 * status other than CLX_OK from on_frame (with its message on ctx)
	 * ends the read with that status. Default NULL: rgb holds all T. */
	enum clx_status (*on_frame)(void *user, struct clx_ctx *ctx, int32_t t, const uint8_t *rgb,
				    int32_t height, int32_t width);
	void *on_frame_user;
};

struct clx_video {
	int32_t n_frames;   /* T */
	int32_t height;     /* of every frame in rgb (after rotation, if applied) */
	int32_t width;
	uint8_t *rgb;       /* (T, height, width, 3) RGB24, owned */
	int64_t *indices;   /* (T,) the sampled frame indices, owned */
	int64_t n_total;    /* N: frames in the video, as finally counted */
	double fps;         /* average frame rate, 0 if unknown */
	int32_t rotation;   /* display matrix, degrees counterclockwise: 0, 90, 180, 270 */
	int64_t n_decoded;  /* frames the decoder produced (all passes) */
	int32_t n_seeks;    /* seeks done (0: decoded from the start) */
	char warning[512];  /* "" or what was recovered from, "; "-separated */
};

/* Defaults listed in struct clx_video_opts. */
void clx_video_opts_default(struct clx_video_opts *opts);

/* "uniform", "consecutive" or "consecutive:STRIDE" (the CLI's --sample). */
enum clx_status clx_video_parse_sample(struct clx_ctx *ctx, const char *spec,
				       struct clx_video_opts *opts);

/* The T indices (opts->n_frames of them) into a video of n_total frames, as
 * described above. No FFmpeg needed. */
enum clx_status clx_video_sample_indices(struct clx_ctx *ctx, const struct clx_video_opts *opts,
					 int64_t n_total, int64_t *indices);

/* Decodes the sampled frames of the file at `path` into *out (zeroed first;
 * release with clx_video_release, also after a failure). opts NULL → defaults.
 * Errors name the file: CLX_ERR_NOT_FOUND / CLX_ERR_IO (cannot open or read),
 * CLX_ERR_FORMAT (not a video, no video stream, no frames, undecodable),
 * CLX_ERR_UNSUPPORTED (codec, size or format beyond clx's limits, or built
 * without FFmpeg), CLX_ERR_NOMEM. */
enum clx_status clx_video_read(struct clx_ctx *ctx, const char *path,
			       const struct clx_video_opts *opts, struct clx_video *out);

/* The same from `size` bytes in memory (not copied; must stay valid during
 * the call); `name` is used in messages. */
enum clx_status clx_video_read_memory(struct clx_ctx *ctx, const char *name,
				      const uint8_t *data, size_t size,
				      const struct clx_video_opts *opts, struct clx_video *out);

/* Frees what *v owns and zeroes it; v may be NULL or already released. */
void clx_video_release(struct clx_video *v);

/* Whether this build decodes video (CLX_FFMPEG=ON). */
bool clx_video_available(void);

#ifdef __cplusplus
}
#endif
#endif
