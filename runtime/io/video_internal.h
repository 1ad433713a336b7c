/* video_internal.h — what the files of the FFmpeg video reader share: the
 * reader state and the functions one file calls in another. Not installed;
 * nothing outside runtime/io/video*.c includes it, and only with
 * CLX_HAVE_FFMPEG.
 *
 * The files, one job each:
 *   video.c         the public entry points and the read plan (count, sample,
 *                   seek or decode from the start, correct N, sample again)
 *   video_sample.c  frame sampling and option parsing (plain C, no FFmpeg)
 *   video_open.c    opening under the restrictions of docs/SECURITY.md §8,
 *                   the deadline, FFmpeg's log capture
 *   video_index.c   the frame table: counting frames, identifying packets
 *   video_decode.c  frame-by-frame decoding that counts output frames: from
 *                   the start, or after a seek (GOPs too long to buffer)
 *   video_gop.c     the seek path that buffers and sorts one GOP at a time
 *   video_rgb.c     frames → RGB24 as PyAV does, rotation, the output slots
 *   video_vchroma.c vertically subsampled chroma through libswscale 9's
 *                   filters (high-bit-depth 4:2:0, 4:4:0, 4:1:0) */
#ifndef CLX_IO_VIDEO_INTERNAL_H
#define CLX_IO_VIDEO_INTERNAL_H

#include "clx/video.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include <time.h>

/* ------------------------------------------------------------------ state */

struct entry {        /* one packet of the video stream, in decode order */
	int64_t dts;  /* AV_NOPTS_VALUE if unknown */
	int64_t pts;  /* AV_NOPTS_VALUE if unknown (MP4 index: always) */
	int key;
};

struct keyed {        /* identification of a packet → its decode position */
	int64_t ts;
	int64_t pos;
};

/* FFmpeg's first error line during a read (video_open.c). */
struct log_sink {
	char first_error[160];
};

struct reader {
	struct clx_ctx *ctx;
	const char *name;            /* for messages */
	const char *path;            /* file, or NULL for memory */
	const uint8_t *mem;
	size_t mem_size, mem_pos;
	int64_t file_size;           /* -1 if unknown */

	struct timespec deadline;
	int timed_out;
	double timeout_s;

	AVIOContext *pb;
	AVFormatContext *ic;
	AVCodecContext *cc;
	AVPacket *pkt;
	AVFrame *frame;
	int si;
	AVStream *st;

	/* frame table: N entries in decode order */
	struct entry *tab;
	int64_t n_tab, cap_tab;
	struct keyed *ids;           /* sorted by ts, for landing identification */
	int use_dts;                 /* identify packets by dts (else pts) */
	int seekable;                /* the table supports seeking */

	/* decode state */
	int eof_sent;                /* NULL packet sent: draining */
	int pending;                 /* pkt holds a packet not yet sent */
	int64_t next_pos;            /* decode position of the next packet read (seek mode) */
	int inconsistent;            /* seek mode saw something it cannot map */
	int fresh;                   /* demuxer and decoder untouched since opening */
	int64_t decode_errors;
	int64_t corrupt_frames;
	int64_t max_decoded;

	/* output */
	struct clx_video *out;
	const struct clx_video_opts *opts;
	int64_t *ranks;              /* distinct sampled indices, ascending */
	int64_t n_ranks;
	int have_size;               /* output size fixed by the first stored frame */
	int resized_warned;
	int rotate_applied;          /* degrees ccw applied to stored frames */
	struct log_sink log;
};

/* An FFmpeg error code as text, for messages. */
char *video_err_str(int err, char *buf, size_t cap);
#define AVERR(e) video_err_str((e), (char[AV_ERROR_MAX_STRING_SIZE]){ 0 }, AV_ERROR_MAX_STRING_SIZE)

/* ------------------------------------------------------------- video.c */

/* Appends one "; "-separated note to v->warning (truncated if long). */
void video_warn(struct clx_video *v, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* -------------------------------------------------------- video_open.c */

/* The deadline: set from r->timeout_s; past_deadline sets r->timed_out. */
void video_set_deadline(struct reader *r);
int video_past_deadline(struct reader *r);
enum clx_status video_timeout_fail(struct reader *r);

/* Opens the input, picks the first video stream and opens its decoder;
 * close releases all of that (safe on a half-open reader). */
enum clx_status video_open_input(struct reader *r);
void video_close_input(struct reader *r);

/* FFmpeg's log during a read: install the process-wide callback once, then
 * capture into r->log on this thread until video_log_release. */
void video_log_install(void);
struct log_sink *video_log_capture(struct log_sink *sink);
void video_log_release(struct log_sink *prev);

/* The next packet of the video stream into r->pkt (others are skipped, and
 * with skip_discarded those FFmpeg flags as discardable too); returns
 * av_read_frame's result. */
int video_read_packet(struct reader *r, int skip_discarded);

/* ------------------------------------------------------- video_index.c */

/* Counts the frames into r->tab and decides r->seekable. */
enum clx_status video_build_table(struct reader *r);

/* Decode position of a packet, or -1. */
int64_t video_tab_find(const struct reader *r, const AVPacket *pkt);

/* The keyframe at or before decode position p; the next keyframe after p,
 * or n_tab. */
int64_t video_key_before(const struct reader *r, int64_t p);
int64_t video_key_after(const struct reader *r, int64_t p);

/* ------------------------------------------------------ video_decode.c */

/* Accounts for the frame just received into r->frame: CLX_ERR_UNSUPPORTED
 * past the decoded-frame limit, else *corrupt says whether the decoder
 * flagged it (decode errors, concealment). */
enum clx_status video_count_decoded(struct reader *r, int *corrupt);

/* A decoded frame's timestamp: pts, else the best-effort one. */
int64_t video_frame_pts(const AVFrame *f);

/* Seeks so that the next packet sent is the keyframe at decode position
 * kpos: 1 on success, 0 if it did not land where the table says. */
int video_seek_to(struct reader *r, int64_t kpos, enum clx_status *st);

/* The seek plan's cost in decoded frames, and its number of seeks. */
int64_t video_seek_plan_cost(const struct reader *r, int64_t *n_seeks);

/* From the start: stores the sampled frames; *seen = frames decoded,
 * *ended when the stream ended before the last sampled index. */
enum clx_status video_decode_sequential(struct reader *r, int64_t *seen, int *ended);

/* Seek mode counting output frames after each keyframe; any surprise sets
 * *fallback (decode from the start instead). */
enum clx_status video_decode_seeking(struct reader *r, int *fallback);

/* --------------------------------------------------------- video_gop.c */

/* The largest GOP (packets) video_decode_gops buffers. */
int64_t video_gop_cap(void);

/* Seek mode a GOP at a time; any surprise sets *fallback. */
enum clx_status video_decode_gops(struct reader *r, int *fallback);

/* --------------------------------------------------------- video_rgb.c */

/* Display rotation of the stream, degrees counterclockwise in [0, 360), and
 * whether the matrix also flips. */
int video_stream_rotation(const AVStream *s, int *flip);

/* Converts the frame of rank `rank` into every output slot sampled at it
 * (the first stored frame fixes the output size). */
enum clx_status video_store_frame(struct reader *r, const AVFrame *f, int64_t rank);

/* Whether f's YUV is full range as libswscale 9 takes it (the YUVJ
 * formats and grey count as full). */
int video_full_range(const AVFrame *f);

/* --------------------------------------------------------- video_vchroma.c */

/* Whether h rows of f's format take video_vchroma.c's path: planar
 * native-endian YUV with vertically subsampled chroma, 8 to 16 bits, except
 * 8-bit 4:2:0 of even height. */
int video_vchroma_applies(const AVFrame *f, int h);

/* h rows of such a frame (or field: src and src_ls describe it, hpos and
 * vpos are its chroma siting as libswscale takes it) as libswscale 9's
 * scaler has them just before its RGB tables: 8-bit Y, U, V << 8 in the
 * 16-bit 4:2:2 frame `out` (allocated, at least w × h). */
enum clx_status video_vchroma_to_yuv422p16(struct reader *r, const AVFrame *f,
					  const uint8_t *const src[4], const int src_ls[4],
					  int w, int h, int hpos, int vpos, AVFrame *out);

/* The same rows of an odd width straight to RGB24 (dst, dst_ls), as
 * libswscale 9's full-chroma output does it. */
enum clx_status video_vchroma_full_rgb(struct reader *r, const AVFrame *f,
				      const uint8_t *const src[4], const int src_ls[4], int w,
				      int h, int hpos, int vpos, uint8_t *dst, int dst_ls);

#endif
