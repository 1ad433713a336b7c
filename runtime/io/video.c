/* video.c — sampled RGB24 frames from a video file with FFmpeg (clx/video.h):
 * the public entry points and the read plan. A read opens the input
 * (video_open.c), counts the frames (video_index.c), samples T indices
 * (video_sample.c), then either seeks — a GOP at a time (video_gop.c) or
 * counting frames after each keyframe (video_decode.c) — or decodes from the
 * start, and stores each sampled frame as RGB24 (video_rgb.c). When fewer
 * frames decode than were counted, N is corrected and the indices drawn
 * again.
 *
 * Deliberately not done: hardware decoding, audio, subtitles, frame-accurate
 * seeking without an index (we fall back to decoding from the start), and
 * guessing frame counts from duration × rate (see the header for why). */
#include "clx/video.h"
#include "clx/limits.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void clx_video_release(struct clx_video *v)
{
	if (!v)
		return;
	clx_free(v->rgb);
	clx_free(v->indices);
	memset(v, 0, sizeof *v);
}

#ifndef CLX_HAVE_FFMPEG
/* ============================================================ no FFmpeg */

bool clx_video_available(void)
{
	return false;
}

enum clx_status clx_video_read(struct clx_ctx *ctx, const char *path,
			       const struct clx_video_opts *opts, struct clx_video *out)
{
	(void)opts;
	if (out)
		memset(out, 0, sizeof *out);
	return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: clx was built without video support "
			"(CLX_FFMPEG=OFF)", path ? path : "video");
}

enum clx_status clx_video_read_memory(struct clx_ctx *ctx, const char *name,
				      const uint8_t *data, size_t size,
				      const struct clx_video_opts *opts, struct clx_video *out)
{
	(void)data;
	(void)size;
	return clx_video_read(ctx, name, opts, out);
}

#else
/* ================================================================ FFmpeg */

#include "io/video_internal.h"
#include "core/file.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

bool clx_video_available(void)
{
	return true;
}

void video_warn(struct clx_video *v, const char *fmt, ...)
{
	size_t cap = sizeof v->warning, len = strlen(v->warning);
	if (len + 3 >= cap)
		return;
	if (len) {
		memcpy(v->warning + len, "; ", 3);
		len += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->warning + len, cap - len, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------- plan */

/* Distinct sampled indices, ascending. */
static enum clx_status make_ranks(struct reader *r)
{
	struct clx_video *v = r->out;
	clx_free(r->ranks);
	r->ranks = clx_malloc(sizeof *r->ranks * (size_t)v->n_frames);
	if (!r->ranks)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	r->n_ranks = 0;
	for (int t = 0; t < v->n_frames; t++) {
		/* both sampling modes give non-decreasing indices */
		CLX_ASSERT(t == 0 || v->indices[t] >= v->indices[t - 1]);
		if (!r->n_ranks || r->ranks[r->n_ranks - 1] != v->indices[t])
			r->ranks[r->n_ranks++] = v->indices[t];
	}
	return CLX_OK;
}

static enum clx_status read_video(struct reader *r)
{
	struct clx_video *v = r->out;
	enum clx_status st;
	if ((st = video_open_input(r)))
		return st;
	int flip = 0;
	v->rotation = video_stream_rotation(r->st, &flip);
	if (r->opts->apply_rotation && flip)
		video_warn(v, "the display matrix also flips the image; only its rotation is applied");
	AVRational fr = av_guess_frame_rate(r->ic, r->st, NULL);
	v->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0.0;
	if ((st = video_build_table(r)))
		return st;
	if (r->n_tab == 0)
		return clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: no video frames%s%s", r->name,
				r->log.first_error[0] ? ": " : "", r->log.first_error);

	int64_t n = r->n_tab;
	for (int pass = 0; pass < 3; pass++) {
		v->n_total = n;
		if ((st = clx_video_sample_indices(r->ctx, r->opts, n, v->indices)))
			return st;
		if ((st = make_ranks(r)))
			return st;
		r->have_size = 0;
		r->resized_warned = 0;

		int seek = 0;
		if (pass == 0 && r->opts->seek != CLX_SEEK_NEVER && r->seekable && n == r->n_tab &&
		    (r->pb->seekable & AVIO_SEEKABLE_NORMAL)) {
			int64_t n_seeks, cost = video_seek_plan_cost(r, &n_seeks);
			seek = r->opts->seek == CLX_SEEK_ALWAYS ||
			       cost + 4 * n_seeks < (r->ranks[r->n_ranks - 1] + 1) / 2;
		}
		if (seek) {
			int fallback;
			r->inconsistent = 0;
			/* GOP at a time unless a GOP of a sampled frame is too long */
			int64_t cap = video_gop_cap(), longest = 0;
			for (int64_t i = 0; i < r->n_ranks; i++) {
				int64_t kp = video_key_before(r, r->ranks[i]);
				if (video_key_after(r, kp) - kp > longest)
					longest = video_key_after(r, kp) - kp;
			}
			st = longest <= cap ? video_decode_gops(r, &fallback)
					    : video_decode_seeking(r, &fallback);
			if (st)
				return st;
			if (!fallback)
				return CLX_OK;
			video_warn(v, "seeking did not give a consistent frame order; decoded from "
				   "the start");
		}
		/* from the start: a fresh demuxer and decoder unless still untouched */
		if (!r->fresh) {
			video_close_input(r);
			if ((st = video_open_input(r)))
				return st;
		}
		r->fresh = 0;
		int64_t seen;
		int ended;
		r->decode_errors = 0;
		r->corrupt_frames = 0;
		if ((st = video_decode_sequential(r, &seen, &ended)))
			return st;
		if (!ended || seen == n)
			return CLX_OK;
		/* fewer frames than counted: correct N and sample again */
		if (seen == 0)
			return clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: none of its %lld video frames "
					"could be decoded%s%s", r->name, (long long)n,
					r->log.first_error[0] ? ": " : "", r->log.first_error);
		video_warn(v, "%lld frames counted but only %lld decoded; sampled from those",
			   (long long)n, (long long)seen);
		n = seen;
	}
	return clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: the number of decodable frames keeps "
			"changing; giving up", r->name);
}

/* ----------------------------------------------------------------- public */

static enum clx_status read_common(struct reader *r, const struct clx_video_opts *opts,
				   struct clx_video *out)
{
	struct clx_video_opts defaults;
	enum clx_status st;
	if (!opts) {
		clx_video_opts_default(&defaults);
		opts = &defaults;
	}
	r->opts = opts;
	r->out = out;
	if (opts->n_frames < 1 || opts->n_frames > CLX_MAX_VIDEO_SAMPLES)
		return clx_fail(r->ctx, CLX_ERR_INVALID_ARG, "%s: %d frames requested, expected 1 "
				"to %d", r->name, (int)opts->n_frames, CLX_MAX_VIDEO_SAMPLES);
	r->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : CLX_VIDEO_TIMEOUT_S;
	if (r->timeout_s > 1e7)
		r->timeout_s = 1e7;
	r->max_decoded = opts->max_decoded_frames > 0 ? opts->max_decoded_frames
						      : CLX_MAX_VIDEO_DECODED_FRAMES;
	video_set_deadline(r);
	out->n_frames = opts->n_frames;
	out->indices = clx_calloc((size_t)opts->n_frames, sizeof *out->indices);
	if (!out->indices)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);

	video_log_install();
	r->pkt = av_packet_alloc();
	r->frame = av_frame_alloc();
	if (!r->pkt || !r->frame) {
		av_packet_free(&r->pkt);
		av_frame_free(&r->frame);
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	}
	struct log_sink *prev_sink = video_log_capture(&r->log);

	st = read_video(r);
	if (opts->on_frame) { /* the one-frame scratch of video_store_frame */
		clx_free(out->rgb);
		out->rgb = NULL;
	}
	if (!st) {
		if (r->decode_errors)
			video_warn(out, "%lld packets failed to decode%s%s",
				   (long long)r->decode_errors, r->log.first_error[0] ? ": " : "",
				   r->log.first_error);
		if (r->corrupt_frames)
			video_warn(out, "%lld frames decoded with errors (concealed)",
				   (long long)r->corrupt_frames);
	}

	video_close_input(r); /* decoder threads may still log while they wind down */
	video_log_release(prev_sink);
	av_packet_free(&r->pkt);
	av_frame_free(&r->frame);
	clx_free(r->tab);
	clx_free(r->ids);
	clx_free(r->ranks);
	if (st) {
		int64_t decoded = out->n_decoded;
		clx_video_release(out);
		out->n_decoded = decoded;
	}
	return st;
}

/* A pipe, FIFO or standard input: decoding seeks and reads twice, so the
 * stream is first copied to a temporary file (at most CLX_MAX_VIDEO_SPOOL
 * bytes, no wait for data over the input timeout), which is removed after
 * the read. */
static enum clx_status read_spooled(struct clx_ctx *ctx, const char *path,
				    const struct clx_video_opts *opts, struct clx_video *out)
{
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	const char *dir = getenv("TMPDIR");
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s/clx-video-XXXXXX", dir && *dir ? dir : "/tmp") >=
	    sizeof tmp)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: $TMPDIR is too long", name);
	int in;
	enum clx_status st = clx_input_open(ctx, path, true, &in, NULL, NULL);
	if (st != CLX_OK)
		return st;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		close(in);
		return clx_fail(ctx, CLX_ERR_IO, "%s: cannot create a temporary file in %s to spool "
				"it: %s", name, dir && *dir ? dir : "/tmp", strerror(errno));
	}
	uint64_t n = 0;
	st = clx_input_drain(ctx, name, in, CLX_MAX_VIDEO_SPOOL, clx_input_timeout(), fd, NULL, &n);
	close(in);
	if (close(fd) != 0 && st == CLX_OK)
		st = clx_fail(ctx, CLX_ERR_IO, "%s: cannot spool to %s: %s", name, tmp, strerror(errno));
	if (st == CLX_OK && n == 0)
		st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: empty (nothing was written to it)", name);
	if (st == CLX_OK) {
		struct reader r = { .ctx = ctx, .name = name, .path = tmp, .file_size = (int64_t)n };
		st = read_common(&r, opts, out);
	}
	unlink(tmp);
	return st;
}

enum clx_status clx_video_read(struct clx_ctx *ctx, const char *path,
			       const struct clx_video_opts *opts, struct clx_video *out)
{
	if (!out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_video_read: out is NULL");
	memset(out, 0, sizeof *out);
	if (!path || !*path)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_video_read: no path");
	struct stat sb;
	const bool is_stdin = strcmp(path, "-") == 0;
	if (!is_stdin && stat(path, &sb) != 0)
		return clx_fail(ctx, errno == ENOENT ? CLX_ERR_NOT_FOUND : CLX_ERR_IO,
				"%s: cannot open: %s%s", path, strerror(errno),
				errno == ELOOP ? " (a symbolic link loop)" : "");
	if (is_stdin || S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))
		return read_spooled(ctx, path, opts, out);
	if (S_ISDIR(sb.st_mode))
		return clx_fail(ctx, CLX_ERR_IO, "%s: is a directory, not a video file", path);
	if (!S_ISREG(sb.st_mode))
		return clx_fail(ctx, CLX_ERR_IO, "%s: not a regular file (%s)", path,
				S_ISCHR(sb.st_mode) ? "a character device" : "a block device");
	if (sb.st_size == 0)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: empty file", path);
	struct reader r = { .ctx = ctx, .name = path, .path = path, .file_size = (int64_t)sb.st_size };
	return read_common(&r, opts, out);
}

enum clx_status clx_video_read_memory(struct clx_ctx *ctx, const char *name,
				      const uint8_t *data, size_t size,
				      const struct clx_video_opts *opts, struct clx_video *out)
{
	if (!out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_video_read_memory: out is NULL");
	memset(out, 0, sizeof *out);
	if (!name)
		name = "video";
	if (!data && size)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: no data", name);
	if (size == 0)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: empty file", name);
	if (size > (size_t)INT64_MAX)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: too large", name);
	struct reader r = { .ctx = ctx, .name = name, .mem = data, .mem_size = size,
			    .file_size = (int64_t)size };
	return read_common(&r, opts, out);
}

#endif /* CLX_HAVE_FFMPEG */
