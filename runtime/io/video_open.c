/* video_open.c — opening a video under the restrictions of docs/SECURITY.md
 * §8: only the file itself (the `file` protocol, or memory), no nested opens,
 * a whitelist of containers, at most CLX_MAX_VIDEO_STREAMS streams and
 * CLX_MAX_VIDEO_PIXELS per frame (inside the decoder too); the read's
 * deadline (FFmpeg's interrupt callback); FFmpeg's log, captured while a
 * read runs; reading the video stream's packets.
 *
 * Not here: counting frames (video_index.c), decoding (video_decode.c,
 * video_gop.c), conversion (video_rgb.c). */
#ifdef CLX_HAVE_FFMPEG
#include "io/video_internal.h"
#include "clx/limits.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Containers a video may come in (libavformat demuxer names). Anything else
 * — playlists, image sequences, raw formats guessed from noise — is refused
 * before libavformat opens it. */
static const char *const allowed_formats[] = {
	"mov", "mp4", "matroska", "webm", "avi", "gif", "flv", "mpegts", "mpeg", "asf",
	"ogg", "nut", "ivf", "h264", "hevc", "m4v", "mpegvideo", "mjpeg", "apng",
	"yuv4mpegpipe", "obu", "dv", "mxf",
};

/* ----------------------------------------------------------------- errors */

char *video_err_str(int err, char *buf, size_t cap)
{
	if (av_strerror(err, buf, cap) < 0)
		snprintf(buf, cap, "error %d", err);
	return buf;
}

/* ---------------------------------------------------------------- logging */

/* FFmpeg logs through one process-wide callback. While a read runs on this
 * thread its messages are captured (the first error becomes part of the
 * warning); messages from FFmpeg's own threads during a read are dropped;
 * outside reads the default logger runs. CLX_FFMPEG_LOG=1 forwards all. */
static _Thread_local struct log_sink *log_sink;
static atomic_int reads_active;
static int log_forward;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void log_callback(void *avcl, int level, const char *fmt, va_list vl)
{
	if (log_forward || (!log_sink && atomic_load(&reads_active) == 0)) {
		av_log_default_callback(avcl, level, fmt, vl);
		return;
	}
	struct log_sink *s = log_sink;
	if (s && level <= AV_LOG_ERROR && !s->first_error[0]) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* FFmpeg's own format strings */
		vsnprintf(s->first_error, sizeof s->first_error, fmt, vl);
#pragma GCC diagnostic pop
		size_t n = strlen(s->first_error);
		while (n && (s->first_error[n - 1] == '\n' || s->first_error[n - 1] == ' '))
			s->first_error[--n] = '\0';
	}
}

static void log_install(void)
{
	const char *e = getenv("CLX_FFMPEG_LOG");
	log_forward = e && *e && strcmp(e, "0") != 0;
	av_log_set_callback(log_callback);
}

void video_log_install(void)
{
	pthread_once(&log_once, log_install);
}

struct log_sink *video_log_capture(struct log_sink *sink)
{
	struct log_sink *prev = log_sink;
	log_sink = sink;
	atomic_fetch_add(&reads_active, 1);
	return prev;
}

void video_log_release(struct log_sink *prev)
{
	atomic_fetch_sub(&reads_active, 1);
	log_sink = prev;
}

/* --------------------------------------------------------------- deadline */

void video_set_deadline(struct reader *r)
{
	clock_gettime(CLOCK_MONOTONIC, &r->deadline);
	double s = r->timeout_s;
	time_t whole = (time_t)s;
	long ns = (long)((s - (double)whole) * 1e9);
	r->deadline.tv_sec += whole;
	r->deadline.tv_nsec += ns;
	if (r->deadline.tv_nsec >= 1000000000L) {
		r->deadline.tv_sec++;
		r->deadline.tv_nsec -= 1000000000L;
	}
}

int video_past_deadline(struct reader *r)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > r->deadline.tv_sec ||
	    (now.tv_sec == r->deadline.tv_sec && now.tv_nsec >= r->deadline.tv_nsec))
		r->timed_out = 1;
	return r->timed_out;
}

static int interrupt_cb(void *opaque)
{
	return video_past_deadline(opaque);
}

enum clx_status video_timeout_fail(struct reader *r)
{
	return clx_fail(r->ctx, CLX_ERR_IO, "%s: gave up after %.3g s (timeout)", r->name,
			r->timeout_s);
}

/* ------------------------------------------------------------- open/close */

static int mem_read(void *opaque, uint8_t *buf, int size)
{
	struct reader *r = opaque;
	size_t left = r->mem_size - r->mem_pos;
	if (left == 0)
		return AVERROR_EOF;
	size_t n = (size_t)size < left ? (size_t)size : left;
	memcpy(buf, r->mem + r->mem_pos, n);
	r->mem_pos += n;
	return (int)n;
}

static int64_t mem_seek(void *opaque, int64_t offset, int whence)
{
	struct reader *r = opaque;
	int64_t base;
	switch (whence & ~AVSEEK_FORCE) {
	case AVSEEK_SIZE:
		return (int64_t)r->mem_size;
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)r->mem_pos;
		break;
	case SEEK_END:
		base = (int64_t)r->mem_size;
		break;
	default:
		return AVERROR(EINVAL);
	}
	if ((offset > 0 && base > INT64_MAX - offset))
		return AVERROR(EINVAL);
	int64_t to = base + offset;
	if (to < 0 || to > (int64_t)r->mem_size)
		return AVERROR(EINVAL);
	r->mem_pos = (size_t)to;
	return to;
}

/* Every nested open (HLS segments, concat parts, image sequences, MOV data
 * references) is refused: a video may only read its own bytes. */
static int refuse_io_open(struct AVFormatContext *s, AVIOContext **pb, const char *url,
			  int flags, AVDictionary **options)
{
	(void)s;
	(void)pb;
	(void)url;
	(void)flags;
	(void)options;
	return AVERROR(EPERM);
}

void video_close_input(struct reader *r)
{
	avcodec_free_context(&r->cc);
	if (r->ic)
		avformat_close_input(&r->ic); /* custom I/O: leaves pb to us */
	if (r->pb) {
		if (r->path) {
			avio_closep(&r->pb);
		} else {
			av_freep(&r->pb->buffer);
			avio_context_free(&r->pb);
		}
	}
	r->st = NULL;
	r->eof_sent = 0;
	if (r->pending)
		av_packet_unref(r->pkt);
	r->pending = 0;
}

static int format_allowed(const char *names)
{
	/* names: "mov,mp4,m4a,3gp,3g2,mj2" — allowed if any part is listed */
	const char *p = names;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		for (size_t i = 0; i < sizeof allowed_formats / sizeof *allowed_formats; i++)
			if (strlen(allowed_formats[i]) == n && memcmp(allowed_formats[i], p, n) == 0)
				return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* Opens the input, picks the first video stream and opens its decoder. */
enum clx_status video_open_input(struct reader *r)
{
	enum clx_status st = CLX_OK;
	AVDictionary *opts = NULL, **stream_opts = NULL;
	unsigned n_stream_opts = 0;
	const AVInputFormat *fmt = NULL;
	AVIOInterruptCB icb = { interrupt_cb, r };
	int ret;

	if (r->path) {
		size_t n = strlen(r->path);
		char *url = clx_malloc(n + 6);
		if (!url)
			return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		memcpy(url, "file:", 5);
		memcpy(url + 5, r->path, n + 1);
		av_dict_set(&opts, "protocol_whitelist", "file", 0);
		ret = avio_open2(&r->pb, url, AVIO_FLAG_READ, &icb, &opts);
		av_dict_free(&opts);
		clx_free(url);
		if (ret < 0) {
			r->pb = NULL;
			if (r->timed_out)
				return video_timeout_fail(r);
			return clx_fail(r->ctx, ret == AVERROR(ENOENT) ? CLX_ERR_NOT_FOUND : CLX_ERR_IO,
					"%s: cannot open: %s", r->name, AVERR(ret));
		}
	} else {
		r->mem_pos = 0;
		uint8_t *buf = av_malloc(65536);
		if (!buf)
			return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		r->pb = avio_alloc_context(buf, 65536, 0, r, mem_read, NULL, mem_seek);
		if (!r->pb) {
			av_free(buf);
			return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		}
	}

	ret = av_probe_input_buffer2(r->pb, &fmt, r->name, NULL, 0, 0);
	if (ret < 0 || !fmt) {
		if (r->timed_out)
			return video_timeout_fail(r);
		return clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: not a video file FFmpeg recognises (%s)",
				r->name, ret < 0 ? AVERR(ret) : "unknown format");
	}
	if (!format_allowed(fmt->name))
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: container '%s' is not accepted "
				"(clx reads MP4/MOV, MKV/WebM, AVI, GIF and other single-file "
				"video containers)", r->name, fmt->name);

	r->ic = avformat_alloc_context();
	if (!r->ic)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	r->ic->pb = r->pb;
	r->ic->flags |= AVFMT_FLAG_CUSTOM_IO;
	r->ic->interrupt_callback = icb;
	r->ic->io_open = refuse_io_open;
	av_dict_set(&opts, "protocol_whitelist", "file", 0);
	av_dict_set_int(&opts, "max_streams", CLX_MAX_VIDEO_STREAMS, 0);
	ret = avformat_open_input(&r->ic, r->name, fmt, &opts);
	av_dict_free(&opts);
	if (ret < 0) {
		r->ic = NULL; /* freed by avformat_open_input */
		if (r->timed_out)
			return video_timeout_fail(r);
		const char *why = r->log.first_error[0] ? r->log.first_error : AVERR(ret);
		return clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: cannot read the %s container: %s",
				r->name, fmt->name, why);
	}

	/* stream info, with the pixel cap inside the probing decoders too */
	n_stream_opts = r->ic->nb_streams;
	if (n_stream_opts) {
		stream_opts = av_calloc(n_stream_opts, sizeof *stream_opts);
		if (!stream_opts)
			return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		for (unsigned i = 0; i < n_stream_opts; i++)
			av_dict_set_int(&stream_opts[i], "max_pixels", CLX_MAX_VIDEO_PIXELS, 0);
	}
	ret = avformat_find_stream_info(r->ic, stream_opts);
	for (unsigned i = 0; i < n_stream_opts; i++)
		av_dict_free(&stream_opts[i]);
	av_freep(&stream_opts);
	if (ret < 0) {
		if (r->timed_out)
			return video_timeout_fail(r);
		return clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: cannot read stream information: %s",
				r->name, AVERR(ret));
	}

	/* PyAV's streams.video[0]: the first video stream (cover art excluded) */
	r->si = -1;
	for (unsigned i = 0; i < r->ic->nb_streams; i++) {
		AVStream *s = r->ic->streams[i];
		if (r->si < 0 && s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
		    !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
			r->si = (int)i;
		else
			s->discard = AVDISCARD_ALL;
	}
	if (r->si < 0)
		return clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: no video stream (%u stream%s, none of "
				"them video)", r->name, r->ic->nb_streams,
				r->ic->nb_streams == 1 ? "" : "s");
	r->st = r->ic->streams[r->si];
	const AVCodecParameters *par = r->st->codecpar;
	if (par->width < 0 || par->height < 0 || par->width > CLX_MAX_VIDEO_DIM ||
	    par->height > CLX_MAX_VIDEO_DIM ||
	    (int64_t)par->width * par->height > CLX_MAX_VIDEO_PIXELS)
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: frame size %dx%d exceeds clx's "
				"limit (%d pixels, %d per side)", r->name, par->width, par->height,
				CLX_MAX_VIDEO_PIXELS, CLX_MAX_VIDEO_DIM);

	const AVCodec *codec = avcodec_find_decoder(par->codec_id);
	if (!codec)
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: no decoder for the %s video codec",
				r->name, avcodec_get_name(par->codec_id));
	r->cc = avcodec_alloc_context3(codec);
	if (!r->cc)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	ret = avcodec_parameters_to_context(r->cc, par);
	if (ret < 0)
		return clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: bad %s parameters: %s", r->name,
				codec->name, AVERR(ret));
	r->cc->pkt_timebase = r->st->time_base;
	r->cc->max_pixels = CLX_MAX_VIDEO_PIXELS;
	r->cc->thread_count = 0; /* automatic; the output does not depend on it */
	ret = avcodec_open2(r->cc, codec, NULL);
	if (ret < 0)
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: cannot open the %s decoder: %s",
				r->name, codec->name, AVERR(ret));
	r->eof_sent = 0;
	r->pending = 0;
	r->fresh = 1;
	return st;
}

/* ---------------------------------------------------------------- packets */

int video_read_packet(struct reader *r, int skip_discarded)
{
	for (;;) {
		int ret = av_read_frame(r->ic, r->pkt);
		if (ret < 0 || (r->pkt->stream_index == r->si &&
				!(skip_discarded && (r->pkt->flags & AV_PKT_FLAG_DISCARD))))
			return ret;
		av_packet_unref(r->pkt);
	}
}

#endif /* CLX_HAVE_FFMPEG */
