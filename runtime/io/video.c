/* video.c — sampled RGB24 frames from a video file with FFmpeg (clx/video.h).
 *
 * Three parts: frame sampling (plain C, NumPy's legacy RNG reproduced), the
 * FFmpeg reader (open with restrictions, count frames, decode sequentially
 * or by seeking), and the RGB24 conversion that reproduces PyAV 18's
 * `to_ndarray(format="rgb24")` on Debian 12's older libswscale.
 *
 * Deliberately not done: hardware decoding, audio, subtitles, frame-accurate
 * seeking without an index (we fall back to decoding from the start), and
 * guessing frame counts from duration × rate (see the header for why). */
#include "clx/video.h"
#include "clx/limits.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ sampling */

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

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>

bool clx_video_available(void)
{
	return true;
}

/* Appends one "; "-separated note to v->warning (truncated if long). */
static void video_warn(struct clx_video *v, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void video_warn(struct clx_video *v, const char *fmt, ...)
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

/* Containers a video may come in (libavformat demuxer names). Anything else
 * — playlists, image sequences, raw formats guessed from noise — is refused
 * before libavformat opens it. */
static const char *const allowed_formats[] = {
	"mov", "mp4", "matroska", "webm", "avi", "gif", "flv", "mpegts", "mpeg", "asf",
	"ogg", "nut", "ivf", "h264", "hevc", "m4v", "mpegvideo", "mjpeg", "apng",
	"yuv4mpegpipe", "obu", "dv", "mxf",
};

/* Gap (in frames) below which a run keeps decoding instead of seeking. */
#define SEEK_GAP 8

static char *err_str(int err, char *buf, size_t cap)
{
	if (av_strerror(err, buf, cap) < 0)
		snprintf(buf, cap, "error %d", err);
	return buf;
}
#define AVERR(e) err_str((e), (char[AV_ERROR_MAX_STRING_SIZE]){ 0 }, AV_ERROR_MAX_STRING_SIZE)

/* ---------------------------------------------------------------- logging */

/* FFmpeg logs through one process-wide callback. While a read runs on this
 * thread its messages are captured (the first error becomes part of the
 * warning); messages from FFmpeg's own threads during a read are dropped;
 * outside reads the default logger runs. CLX_FFMPEG_LOG=1 forwards all. */
struct log_sink {
	char first_error[160];
};
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

static void set_deadline(struct reader *r)
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

static int past_deadline(struct reader *r)
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
	return past_deadline(opaque);
}

static enum clx_status timeout_fail(struct reader *r)
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

static void close_input(struct reader *r)
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

static int is_mov(const AVFormatContext *ic)
{
	return strstr(ic->iformat->name, "mov") != NULL;
}

/* Opens the input, picks the first video stream and opens its decoder. */
static enum clx_status open_input(struct reader *r)
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
				return timeout_fail(r);
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
			return timeout_fail(r);
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
			return timeout_fail(r);
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
			return timeout_fail(r);
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

/* ------------------------------------------------------------- frame table */

static enum clx_status tab_push(struct reader *r, int64_t dts, int64_t pts, int key)
{
	if (r->n_tab >= CLX_MAX_VIDEO_FRAMES)
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: more than %d video frames",
				r->name, CLX_MAX_VIDEO_FRAMES);
	if (r->n_tab == r->cap_tab) {
		int64_t cap = r->cap_tab ? r->cap_tab * 2 : 1024;
		size_t bytes;
		if (!clx_mul_ok((size_t)cap, sizeof *r->tab, &bytes))
			return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		struct entry *t = clx_realloc(r->tab, bytes);
		if (!t)
			return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		r->tab = t;
		r->cap_tab = cap;
	}
	r->tab[r->n_tab++] = (struct entry){ dts, pts, key };
	return CLX_OK;
}

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Whether the table supports seeking: every packet identifiable by a unique
 * timestamp (dts, else pts) and the first packet a keyframe. */
static enum clx_status tab_index(struct reader *r)
{
	r->seekable = 0;
	if (r->n_tab == 0 || !r->tab[0].key)
		return CLX_OK;
	int dts_ok = 1, pts_ok = 1;
	for (int64_t i = 0; i < r->n_tab; i++) {
		if (r->tab[i].dts == AV_NOPTS_VALUE || (i && r->tab[i].dts <= r->tab[i - 1].dts))
			dts_ok = 0;
		if (r->tab[i].pts == AV_NOPTS_VALUE)
			pts_ok = 0;
	}
	if (!dts_ok && !pts_ok)
		return CLX_OK;
	r->use_dts = dts_ok;
	size_t bytes;
	if (!clx_mul_ok((size_t)r->n_tab, sizeof *r->ids, &bytes))
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	r->ids = clx_malloc(bytes);
	if (!r->ids)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	for (int64_t i = 0; i < r->n_tab; i++)
		r->ids[i] = (struct keyed){ r->use_dts ? r->tab[i].dts : r->tab[i].pts, i };
	if (!r->use_dts)
		qsort(r->ids, (size_t)r->n_tab, sizeof *r->ids, keyed_cmp);
	for (int64_t i = 1; i < r->n_tab; i++)
		if (r->ids[i].ts == r->ids[i - 1].ts)
			return CLX_OK; /* duplicate pts: cannot tell packets apart */
	r->seekable = 1;
	return CLX_OK;
}

/* Decode position of a packet, or -1. */
static int64_t tab_find(const struct reader *r, const AVPacket *pkt)
{
	int64_t ts = r->use_dts ? pkt->dts : pkt->pts;
	if (ts == AV_NOPTS_VALUE)
		return -1;
	int64_t lo = 0, hi = r->n_tab;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (r->ids[mid].ts < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n_tab && r->ids[lo].ts == ts ? r->ids[lo].pos : -1;
}

/* Counts the frames. MP4/MOV: the sample index, minus samples whose bytes lie
 * beyond the end of the file. Others: every packet of the stream, read but not
 * decoded. Leaves the demuxer wherever it stopped. */
static enum clx_status build_table(struct reader *r)
{
	enum clx_status st;
	int n_index = avformat_index_get_entries_count(r->st);
	if (is_mov(r->ic) && n_index > 0) {
		int64_t beyond = 0, listed = 0;
		for (int i = 0; i < n_index; i++) {
			const AVIndexEntry *e = avformat_index_get_entry(r->st, i);
			if (!e || (e->flags & AVINDEX_DISCARD_FRAME))
				continue;
			listed++;
			if (r->file_size >= 0 && (e->pos < 0 || e->size < 0 ||
						  e->pos > r->file_size - e->size)) {
				beyond++;
				continue;
			}
			if ((st = tab_push(r, e->timestamp, AV_NOPTS_VALUE,
					   (e->flags & AVINDEX_KEYFRAME) != 0)))
				return st;
		}
		if (beyond)
			video_warn(r->out, "truncated file: the container lists %lld frames, the file "
				   "holds %lld", (long long)listed, (long long)(listed - beyond));
		return tab_index(r);
	}

	int ret;
	int64_t last_end = AV_NOPTS_VALUE;
	r->fresh = 0;
	for (;;) {
		ret = av_read_frame(r->ic, r->pkt);
		if (ret < 0)
			break;
		if (r->pkt->stream_index == r->si && !(r->pkt->flags & AV_PKT_FLAG_DISCARD)) {
			st = tab_push(r, r->pkt->dts, r->pkt->pts, (r->pkt->flags & AV_PKT_FLAG_KEY) != 0);
			if (r->pkt->pts != AV_NOPTS_VALUE && r->pkt->duration > 0 &&
			    r->pkt->pts <= INT64_MAX - r->pkt->duration &&
			    (last_end == AV_NOPTS_VALUE || r->pkt->pts + r->pkt->duration > last_end))
				last_end = r->pkt->pts + r->pkt->duration;
		} else {
			st = CLX_OK;
		}
		av_packet_unref(r->pkt);
		if (st)
			return st;
		if (past_deadline(r))
			return timeout_fail(r);
	}
	if (r->timed_out || ret == AVERROR_EXIT)
		return timeout_fail(r);
	if (ret != AVERROR_EOF)
		video_warn(r->out, "stopped reading after %lld frames: %s", (long long)r->n_tab,
			   AVERR(ret));
	/* A header duration well past the last packet: the file was cut short. */
	if (r->ic->duration > 0 && last_end != AV_NOPTS_VALUE) {
		double have = (double)(last_end - (r->st->start_time != AV_NOPTS_VALUE ?
						    r->st->start_time : 0)) * av_q2d(r->st->time_base);
		double said = (double)r->ic->duration / AV_TIME_BASE;
		if (said - have > 0.5 && said > have * 1.05)
			video_warn(r->out, "the header says %.2f s but the video stream ends at "
				   "%.2f s (truncated file?)", said, have);
	}
	return tab_index(r);
}

/* ---------------------------------------------------------- RGB conversion */

/* Chroma sample position (x, y in 1/256 of a chroma sample) of an
 * AVChromaLocation, as libavutil's av_chroma_location_enum_to_pos. */
static void chroma_loc_pos(int loc, int *x, int *y)
{
	switch (loc) {
	case AVCHROMA_LOC_LEFT:       *x = 0;   *y = 128; break;
	case AVCHROMA_LOC_TOPLEFT:    *x = 0;   *y = 0;   break;
	case AVCHROMA_LOC_TOP:        *x = 128; *y = 0;   break;
	case AVCHROMA_LOC_BOTTOMLEFT: *x = 0;   *y = 256; break;
	case AVCHROMA_LOC_BOTTOM:     *x = 128; *y = 256; break;
	default:                      *x = 128; *y = 128; break; /* center, and unspecified */
	}
}

static int frame_interlaced(const AVFrame *f)
{
#ifdef AV_FRAME_FLAG_INTERLACED
	return (f->flags & AV_FRAME_FLAG_INTERLACED) != 0;
#else
	return f->interlaced_frame != 0;
#endif
}

/* One libswscale call the way PyAV 18 (libswscale 9, sws_scale_frame) sets it
 * up: SWS_BILINEAR; the source matrix from the frame's colorspace and its
 * range (YUVJ formats and grey count as full range); chroma siting from the
 * frame's chroma location; for an interlaced frame each field separately
 * (field = 1 top, 2 bottom) with the siting shifted as libswscale 9 does. The
 * caller passes an even-width source padded to a multiple of 16 columns:
 * libswscale 6's x86 YUV→RGB converter otherwise skips or overruns the last
 * columns (libswscale 9 handles the tail). */
static enum clx_status sws_run(struct reader *r, const AVFrame *f, const uint8_t *const src[4],
			       const int src_ls[4], int w, int h, int field, uint8_t *dst,
			       int dst_ls)
{
	const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
	struct SwsContext *sws = sws_alloc_context();
	if (!sws)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	int hpos = -513, vpos = -513;
	if (desc->log2_chroma_w || desc->log2_chroma_h) {
		int x, y;
		chroma_loc_pos(f->chroma_location, &x, &y);
		x *= (1 << desc->log2_chroma_w) - 1;
		y *= (1 << desc->log2_chroma_h) - 1;
		if (desc->log2_chroma_h && field) {
			if (field == 2)
				y += (256 << desc->log2_chroma_h) - 256;
			y >>= 1;
		}
		hpos = desc->log2_chroma_w ? x : -513;
		vpos = desc->log2_chroma_h ? y : -513;
	}
	av_opt_set_int(sws, "srcw", w, 0);
	av_opt_set_int(sws, "srch", h, 0);
	av_opt_set_int(sws, "src_format", f->format, 0);
	av_opt_set_int(sws, "dstw", w, 0);
	av_opt_set_int(sws, "dsth", h, 0);
	av_opt_set_int(sws, "dst_format", AV_PIX_FMT_RGB24, 0);
	av_opt_set_int(sws, "sws_flags", SWS_BILINEAR, 0);
	av_opt_set_int(sws, "src_h_chr_pos", hpos, 0);
	av_opt_set_int(sws, "src_v_chr_pos", vpos, 0);
	av_opt_set_int(sws, "threads", 1, 0);
	int ret = sws_init_context(sws, NULL, NULL);
	if (ret < 0) {
		sws_freeContext(sws);
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: cannot convert %s frames to RGB: %s",
				r->name, desc->name, AVERR(ret));
	}
	int full = f->color_range == AVCOL_RANGE_JPEG || desc->nb_components < 3;
	switch (f->format) {
	case AV_PIX_FMT_YUVJ420P:
	case AV_PIX_FMT_YUVJ411P:
	case AV_PIX_FMT_YUVJ422P:
	case AV_PIX_FMT_YUVJ444P:
	case AV_PIX_FMT_YUVJ440P:
		full = 1;
		break;
	default:
		break;
	}
	int *inv_table, *table, src_range, dst_range, brightness, contrast, saturation;
	sws_getColorspaceDetails(sws, &inv_table, &src_range, &table, &dst_range, &brightness,
				 &contrast, &saturation);
	sws_setColorspaceDetails(sws, sws_getCoefficients(f->colorspace), full,
				 sws_getCoefficients(AVCOL_SPC_RGB), 1, brightness, contrast,
				 saturation);
	uint8_t *dsts[4] = { dst, NULL, NULL, NULL };
	int dst_lss[4] = { dst_ls, 0, 0, 0 };
	ret = sws_scale(sws, src, src_ls, 0, h, dsts, dst_lss);
	sws_freeContext(sws);
	if (ret < 0)
		return clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: RGB conversion failed: %s", r->name,
				AVERR(ret));
	return CLX_OK;
}

/* Rotates a W×H RGB24 image counterclockwise by deg (90, 180, 270) as
 * np.rot90(img, deg / 90); out is H×W for 90/270. */
static void rotate_rgb(const uint8_t *in, int w, int h, int deg, uint8_t *out)
{
	int ow = (deg == 180) ? w : h;
	int oh = (deg == 180) ? h : w;
	for (int i = 0; i < oh; i++) {
		for (int j = 0; j < ow; j++) {
			int si, sj;
			if (deg == 90) {        /* out[i][j] = in[j][w-1-i] */
				si = j;
				sj = w - 1 - i;
			} else if (deg == 180) { /* out[i][j] = in[h-1-i][w-1-j] */
				si = h - 1 - i;
				sj = w - 1 - j;
			} else {                /* 270: out[i][j] = in[h-1-j][i] */
				si = h - 1 - j;
				sj = i;
			}
			memcpy(out + ((size_t)i * ow + j) * 3, in + ((size_t)si * w + sj) * 3, 3);
		}
	}
}

/* frame → packed RGB24 (w·h·3 bytes at out). Same size: the PyAV-identical
 * path. Another size (a mid-stream resolution change): scaled bilinear. */
static enum clx_status frame_to_rgb(struct reader *r, const AVFrame *f, int w, int h, uint8_t *out)
{
	enum clx_status st = CLX_OK;
	if (f->width <= 0 || f->height <= 0 || f->width > CLX_MAX_VIDEO_DIM ||
	    f->height > CLX_MAX_VIDEO_DIM || (int64_t)f->width * f->height > CLX_MAX_VIDEO_PIXELS)
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: decoded frame size %dx%d exceeds "
				"clx's limit", r->name, f->width, f->height);
	if (!sws_isSupportedInput(f->format))
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: pixel format %s cannot be "
				"converted to RGB", r->name, av_get_pix_fmt_name(f->format));
	if (f->width != w || f->height != h) {
		struct SwsContext *sws = sws_getContext(f->width, f->height, f->format, w, h,
							AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
		if (!sws)
			return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: cannot scale %dx%d %s to %dx%d",
					r->name, f->width, f->height,
					av_get_pix_fmt_name(f->format), w, h);
		int ls = (w + 32) * 3;
		uint8_t *buf = clx_malloc((size_t)ls * (size_t)(h + 1));
		if (!buf) {
			sws_freeContext(sws);
			return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		}
		uint8_t *dsts[4] = { buf, NULL, NULL, NULL };
		int dst_lss[4] = { ls, 0, 0, 0 };
		int ret = sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
				    dsts, dst_lss);
		sws_freeContext(sws);
		if (ret >= 0)
			for (int y = 0; y < h; y++)
				memcpy(out + (size_t)y * w * 3, buf + (size_t)y * ls, (size_t)w * 3);
		clx_free(buf);
		if (ret < 0)
			return clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: scaling failed: %s", r->name,
					AVERR(ret));
		return CLX_OK;
	}

	/* padded copy: an even width rounded up to a multiple of 16 (an odd width
	 * selects libswscale's full-chroma path, whose filters depend on the
	 * width, so it stays as it is) */
	int wp = (w & 1) ? w : (w + 15) & ~15;
	AVFrame *pad = av_frame_alloc();
	uint8_t *buf = NULL;
	if (!pad)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	pad->format = f->format;
	pad->width = wp;
	pad->height = h;
	int ret = av_frame_get_buffer(pad, 64);
	if (ret < 0) {
		st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory (%s)", r->name, AVERR(ret));
		goto done;
	}
	for (int i = 0; i < AV_NUM_DATA_POINTERS && pad->buf[i]; i++)
		memset(pad->buf[i]->data, 0, pad->buf[i]->size);
	av_image_copy(pad->data, pad->linesize, (const uint8_t **)f->data, f->linesize, f->format,
		      w, h);

	int ls = (wp + 32) * 3;
	buf = clx_malloc((size_t)ls * (size_t)(h + 2));
	if (!buf) {
		st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		goto done;
	}
	if (!frame_interlaced(f) || h < 2) {
		st = sws_run(r, f, (const uint8_t *const *)pad->data, pad->linesize, wp, h, 0, buf, ls);
	} else {
		/* libswscale 9 converts the two fields of an interlaced frame apart */
		const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
		for (int field = 1; field <= 2 && !st; field++) {
			const uint8_t *src[4] = { NULL, NULL, NULL, NULL };
			int src_ls[4] = { 0, 0, 0, 0 };
			for (int i = 0; i < 4 && pad->data[i]; i++) {
				int is_pal = (desc->flags & AV_PIX_FMT_FLAG_PAL) && i == 1;
				src[i] = pad->data[i] + (field == 2 && !is_pal ? pad->linesize[i] : 0);
				src_ls[i] = is_pal ? pad->linesize[i] : pad->linesize[i] * 2;
			}
			int fh = (h + (field == 1)) >> 1;
			st = sws_run(r, f, src, src_ls, wp, fh, field,
				     buf + (field == 2 ? ls : 0), ls * 2);
		}
	}
	if (!st)
		for (int y = 0; y < h; y++)
			memcpy(out + (size_t)y * w * 3, buf + (size_t)y * ls, (size_t)w * 3);
done:
	clx_free(buf);
	av_frame_free(&pad);
	return st;
}

/* Display rotation of the stream, degrees counterclockwise in [0, 360), and
 * whether the matrix also flips. */
static int stream_rotation(const AVStream *s, int *flip)
{
	const int32_t *m = NULL;
	*flip = 0;
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 29, 100)
	const AVPacketSideData *sd = av_packet_side_data_get(s->codecpar->coded_side_data,
							     s->codecpar->nb_coded_side_data,
							     AV_PKT_DATA_DISPLAYMATRIX);
	if (sd && sd->size >= 9 * sizeof(int32_t))
		m = (const int32_t *)sd->data;
#else
	size_t size = 0;
	const uint8_t *sd = av_stream_get_side_data(s, AV_PKT_DATA_DISPLAYMATRIX, &size);
	if (sd && size >= 9 * sizeof(int32_t))
		m = (const int32_t *)sd;
#endif
	if (!m)
		return 0;
	double a = av_display_rotation_get(m);
	if (isnan(a))
		return 0;
	*flip = (int64_t)m[0] * m[4] - (int64_t)m[1] * m[3] < 0;
	long deg = lround(a);
	deg %= 360;
	if (deg < 0)
		deg += 360;
	return (int)deg;
}

/* Converts the frame of rank `rank` into every output slot sampled at it. */
static enum clx_status store_frame(struct reader *r, const AVFrame *f, int64_t rank)
{
	struct clx_video *v = r->out;
	enum clx_status st;
	int w = f->width, h = f->height;
	if (!r->have_size) {
		if (w <= 0 || h <= 0 || w > CLX_MAX_VIDEO_DIM || h > CLX_MAX_VIDEO_DIM ||
		    (int64_t)w * h > CLX_MAX_VIDEO_PIXELS)
			return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: decoded frame size %dx%d "
					"exceeds clx's limit", r->name, w, h);
		size_t bytes;
		if (!clx_mul_ok((size_t)w * (size_t)h * 3, (size_t)v->n_frames, &bytes) ||
		    bytes > CLX_MAX_VIDEO_OUTPUT)
			return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: %d frames of %dx%d exceed "
					"the output limit of %zu bytes", r->name, v->n_frames, w, h,
					(size_t)CLX_MAX_VIDEO_OUTPUT);
		clx_free(v->rgb);
		v->rgb = clx_malloc(bytes);
		if (!v->rgb)
			return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory for %zu bytes of "
					"frames", r->name, bytes);
		int deg = r->opts->apply_rotation ? v->rotation : 0;
		if (deg % 90) {
			video_warn(v, "display rotation of %d degrees not applied (not a multiple "
				   "of 90)", deg);
			deg = 0;
		}
		r->rotate_applied = deg;
		v->width = (deg == 90 || deg == 270) ? h : w;
		v->height = (deg == 90 || deg == 270) ? w : h;
		r->have_size = 1;
	}
	int cw = r->rotate_applied == 90 || r->rotate_applied == 270 ? v->height : v->width;
	int ch = r->rotate_applied == 90 || r->rotate_applied == 270 ? v->width : v->height;
	if ((w != cw || h != ch) && !r->resized_warned) {
		video_warn(v, "resolution changes from %dx%d to %dx%d mid-stream; frames scaled to "
			   "%dx%d", cw, ch, w, h, cw, ch);
		r->resized_warned = 1;
	}
	size_t frame_bytes = (size_t)v->width * v->height * 3;
	int first = -1;
	for (int t = 0; t < v->n_frames; t++) {
		if (v->indices[t] != rank)
			continue;
		uint8_t *dst = v->rgb + (size_t)t * frame_bytes;
		if (first >= 0) {
			memcpy(dst, v->rgb + (size_t)first * frame_bytes, frame_bytes);
			continue;
		}
		first = t;
		if (!r->rotate_applied) {
			if ((st = frame_to_rgb(r, f, cw, ch, dst)))
				return st;
		} else {
			uint8_t *tmp = clx_malloc(frame_bytes);
			if (!tmp)
				return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
			st = frame_to_rgb(r, f, cw, ch, tmp);
			if (!st)
				rotate_rgb(tmp, cw, ch, r->rotate_applied, dst);
			clx_free(tmp);
			if (st)
				return st;
		}
	}
	return CLX_OK;
}

/* ---------------------------------------------------------------- decoding */

/* Next frame of the video stream into r->frame: 1, or 0 at the end of the
 * stream; a status (negative meaning is not used) through *st on failure.
 * In seek mode (track != 0) every packet read must be the next one of the
 * table, else r->inconsistent is set. */
static int next_frame(struct reader *r, int track, enum clx_status *st)
{
	*st = CLX_OK;
	int stuck = 0; /* rounds without a frame or a packet consumed */
	for (;;) {
		if (past_deadline(r)) {
			*st = timeout_fail(r);
			return 0;
		}
		if (++stuck > 1000) {
			*st = clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: the %s decoder makes no progress",
				       r->name, r->cc->codec->name);
			return 0;
		}
		int ret = avcodec_receive_frame(r->cc, r->frame);
		if (ret >= 0) {
			if (++r->out->n_decoded > r->max_decoded) {
				*st = clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: needs more than %lld "
					       "decoded frames (the limit)", r->name,
					       (long long)r->max_decoded);
				return 0;
			}
			if (r->frame->decode_error_flags || (r->frame->flags & AV_FRAME_FLAG_CORRUPT))
				r->corrupt_frames++;
			return 1;
		}
		if (ret == AVERROR_EOF)
			return 0;
		if (ret != AVERROR(EAGAIN)) {
			/* a broken frame: count it and feed the next packet */
			r->decode_errors++;
			if (track)
				r->inconsistent = 1;
		}
		if (r->eof_sent)
			return 0; /* draining and nothing more came out */
		if (!r->pending) {
			for (;;) {
				ret = av_read_frame(r->ic, r->pkt);
				if (ret < 0)
					break;
				if (r->pkt->stream_index == r->si)
					break;
				av_packet_unref(r->pkt);
			}
			if (ret < 0) {
				if (r->timed_out || ret == AVERROR_EXIT) {
					*st = timeout_fail(r);
					return 0;
				}
				avcodec_send_packet(r->cc, NULL);
				r->eof_sent = 1;
				continue;
			}
			if (track && !(r->pkt->flags & AV_PKT_FLAG_DISCARD)) {
				if (tab_find(r, r->pkt) != r->next_pos)
					r->inconsistent = 1;
				r->next_pos++;
			}
			r->pending = 1;
		}
		ret = avcodec_send_packet(r->cc, r->pkt);
		if (ret == AVERROR(EAGAIN))
			continue; /* receive first, the packet stays pending */
		av_packet_unref(r->pkt);
		r->pending = 0;
		stuck = 0;
		if (ret < 0) {
			r->decode_errors++;
			if (track)
				r->inconsistent = 1;
		}
	}
}

/* Positions the demuxer and decoder so that the next packet sent is the
 * keyframe at decode position kpos. Returns 1 on success, 0 if seeking did
 * not land where the table says (the caller falls back). */
static int seek_to(struct reader *r, int64_t kpos, enum clx_status *st)
{
	*st = CLX_OK;
	r->fresh = 0;
	avcodec_flush_buffers(r->cc);
	r->eof_sent = 0;
	if (r->pending)
		av_packet_unref(r->pkt);
	r->pending = 0;
	/* try the keyframe's own time, then earlier keyframes, then the start */
	int64_t target = kpos;
	for (int attempt = 0; attempt < 4; attempt++) {
		const struct entry *k = &r->tab[target];
		int64_t ts = k->dts != AV_NOPTS_VALUE ? k->dts : k->pts;
		if (k->pts != AV_NOPTS_VALUE && k->pts < ts)
			ts = k->pts;
		if (attempt == 3)
			ts = r->tab[0].dts != AV_NOPTS_VALUE ? r->tab[0].dts : r->tab[0].pts;
		int ret = av_seek_frame(r->ic, r->si, ts, AVSEEK_FLAG_BACKWARD);
		r->out->n_seeks++;
		if (ret < 0) {
			if (r->timed_out) {
				*st = timeout_fail(r);
				return 0;
			}
			return 0;
		}
		/* read until the keyframe; packets before it are not needed */
		int64_t landed = -1;
		for (;;) {
			ret = av_read_frame(r->ic, r->pkt);
			if (ret < 0)
				break;
			if (r->pkt->stream_index != r->si || (r->pkt->flags & AV_PKT_FLAG_DISCARD)) {
				av_packet_unref(r->pkt);
				continue;
			}
			int64_t pos = tab_find(r, r->pkt);
			if (landed < 0)
				landed = pos;
			if (pos < 0 || pos > kpos || (landed >= 0 && pos < landed))
				break; /* unknown packet, or past the keyframe */
			if (pos == kpos) {
				r->pending = 1;
				r->next_pos = kpos + 1;
				return 1;
			}
			av_packet_unref(r->pkt);
			if (past_deadline(r)) {
				*st = timeout_fail(r);
				return 0;
			}
		}
		if (ret >= 0)
			av_packet_unref(r->pkt);
		if (r->timed_out) {
			*st = timeout_fail(r);
			return 0;
		}
		if (landed < 0)
			return 0;
		/* overshot: aim at the keyframe before */
		int64_t prev = target - 1;
		while (prev > 0 && !r->tab[prev].key)
			prev--;
		target = prev < 0 ? 0 : prev;
	}
	return 0;
}

/* The keyframe at or before decode position p. */
static int64_t key_before(const struct reader *r, int64_t p)
{
	while (p > 0 && !r->tab[p].key)
		p--;
	return p;
}

/* Whether to seek to keyframe kp when the next frame out would be cur
 * (cur < 0: nothing decoded yet). seek=always seeks whenever the keyframe is
 * ahead; otherwise only when that skips more than SEEK_GAP frames. */
static int should_seek(const struct reader *r, int64_t kp, int64_t cur)
{
	int64_t gap = r->opts->seek == CLX_SEEK_ALWAYS ? 0 : SEEK_GAP;
	return cur < 0 || (kp > cur && kp - cur > gap);
}

/* Frames decoded by the seek plan (the same rule decode_seeking follows). */
static int64_t seek_plan_cost(const struct reader *r, int64_t *n_seeks)
{
	int64_t cost = 0, cur = -1;
	*n_seeks = 0;
	for (int64_t j = 0; j < r->n_ranks; j++) {
		int64_t k = r->ranks[j], kp = key_before(r, k);
		if (should_seek(r, kp, cur)) {
			cur = kp;
			(*n_seeks)++;
		}
		cost += k + 1 - cur;
		cur = k + 1;
	}
	return cost;
}

/* Seek mode. Relies on closed GOPs: after seeking to the keyframe at decode
 * position p, the decoder's j-th output frame is frame p + j. Checked as it
 * goes (packets must follow the table, output timestamps must increase and the
 * first output must be the keyframe); any surprise sets *fallback. */
static enum clx_status decode_seeking(struct reader *r, int *fallback)
{
	enum clx_status st;
	int64_t cur = -1, last_pts = AV_NOPTS_VALUE, key_pts = AV_NOPTS_VALUE;
	int first_of_run = 0;
	*fallback = 0;
	for (int64_t j = 0; j < r->n_ranks; j++) {
		int64_t k = r->ranks[j], kp = key_before(r, k);
		if (should_seek(r, kp, cur)) {
			if (!seek_to(r, kp, &st)) {
				if (st)
					return st;
				*fallback = 1;
				return CLX_OK;
			}
			cur = kp;
			key_pts = r->pkt->pts;
			last_pts = AV_NOPTS_VALUE;
			first_of_run = 1;
		}
		while (cur <= k) {
			int got = next_frame(r, 1, &st);
			if (st)
				return st;
			if (!got || r->inconsistent) {
				*fallback = 1;
				return CLX_OK;
			}
			int64_t pts = r->frame->pts != AV_NOPTS_VALUE ? r->frame->pts
								     : r->frame->best_effort_timestamp;
			if ((first_of_run && key_pts != AV_NOPTS_VALUE && pts != key_pts) ||
			    (last_pts != AV_NOPTS_VALUE && pts != AV_NOPTS_VALUE && pts <= last_pts)) {
				*fallback = 1; /* open GOP or reordering we cannot map */
				av_frame_unref(r->frame);
				return CLX_OK;
			}
			first_of_run = 0;
			last_pts = pts;
			if (cur == k)
				st = store_frame(r, r->frame, k);
			av_frame_unref(r->frame);
			if (st)
				return st;
			cur++;
		}
	}
	return CLX_OK;
}

/* Largest GOP (packets) decode_gops buffers; larger ones use decode_seeking.
 * CLX_VIDEO_GOP_CAP in the environment lowers it (tests run both paths). */
#define GOP_MAX_PACKETS 4096
#define GOP_MAX_BYTES ((int64_t)512 << 20)

static int64_t gop_cap(void)
{
	const char *e = getenv("CLX_VIDEO_GOP_CAP");
	if (e && *e >= '0' && *e <= '9') {
		long v = strtol(e, NULL, 10);
		if (v >= 0 && v < GOP_MAX_PACKETS)
			return v;
	}
	return GOP_MAX_PACKETS;
}

/* The next keyframe after decode position p, or n_tab. */
static int64_t key_after(const struct reader *r, int64_t p)
{
	for (p++; p < r->n_tab && !r->tab[p].key; p++)
		;
	return p;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* One received frame of the GOP pass: stored if its timestamp is a target's. */
static enum clx_status gop_output(struct reader *r, const int64_t *tpts, const int64_t *trank,
				  int64_t nt, int *got, int *bad)
{
	if (++r->out->n_decoded > r->max_decoded)
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: needs more than %lld decoded "
				"frames (the limit)", r->name, (long long)r->max_decoded);
	if (r->frame->decode_error_flags || (r->frame->flags & AV_FRAME_FLAG_CORRUPT))
		*bad = 1;
	int64_t pts = r->frame->pts != AV_NOPTS_VALUE ? r->frame->pts : r->frame->best_effort_timestamp;
	for (int64_t i = 0; i < nt; i++)
		if (tpts[i] == pts && !got[i]) {
			got[i] = 1;
			return store_frame(r, r->frame, trank[i]);
		}
	return CLX_OK;
}

/* Seek mode, a GOP at a time: read the packets from the keyframe before a
 * sampled frame to the next keyframe, sort their timestamps (closed GOP:
 * frame kp + i is the i-th smallest), then decode them with non-reference
 * frames skipped except the sampled ones, and pick the sampled frames out by
 * timestamp. Any surprise (open GOP, unknown or repeated timestamps, a packet
 * not where the table says, a decode error, a missing frame) sets *fallback. */
static enum clx_status decode_gops(struct reader *r, int *fallback)
{
	enum clx_status st = CLX_OK;
	AVPacket **buf = NULL;
	int64_t *pts = NULL, *sorted = NULL, *tpts = NULL, *trank = NULL;
	int *got = NULL;
	int64_t n_buf = 0, pending_pos = -1, j = 0;
	size_t cap = 0;
	*fallback = 0;
	tpts = clx_malloc(sizeof *tpts * (size_t)r->n_ranks);
	trank = clx_malloc(sizeof *trank * (size_t)r->n_ranks);
	got = clx_malloc(sizeof *got * (size_t)r->n_ranks);
	if (!tpts || !trank || !got) {
		st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		goto done;
	}
	while (j < r->n_ranks) {
		int64_t k = r->ranks[j], kp = key_before(r, k), kn = key_after(r, kp);
		int64_t n = kn - kp, j2 = j, bytes = 0;
		while (j2 < r->n_ranks && r->ranks[j2] < kn)
			j2++;
		/* position the demuxer at kp (already there after the previous GOP?) */
		if (!(r->pending && pending_pos == kp)) {
			if (!seek_to(r, kp, &st)) {
				*fallback = !st;
				goto done;
			}
		}
		r->fresh = 0;
		/* buffer packets kp … kn−1, then read packet kn (kept pending) */
		if ((size_t)n > cap) {
			size_t nb;
			if (!clx_mul_ok((size_t)n, sizeof *buf, &nb)) {
				*fallback = 1;
				goto done;
			}
			AVPacket **nbuf = clx_realloc(buf, nb);
			int64_t *npts = nbuf ? clx_realloc(pts, (size_t)n * sizeof *pts) : NULL;
			if (npts)
				pts = npts;
			int64_t *nsorted = npts ? clx_realloc(sorted, (size_t)n * sizeof *sorted) : NULL;
			if (nbuf)
				buf = nbuf;
			if (nsorted)
				sorted = nsorted;
			if (!nbuf || !npts || !nsorted) {
				st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
				goto done;
			}
			cap = (size_t)n;
		}
		n_buf = 0;
		pending_pos = -1;
		for (int64_t pos = kp; pos <= kn && pos < r->n_tab; pos++) {
			if (pos > kp || !r->pending) {
				int ret;
				for (;;) {
					ret = av_read_frame(r->ic, r->pkt);
					if (ret < 0 || (r->pkt->stream_index == r->si &&
							!(r->pkt->flags & AV_PKT_FLAG_DISCARD)))
						break;
					av_packet_unref(r->pkt);
				}
				if (ret < 0) {
					if (r->timed_out || ret == AVERROR_EXIT) {
						st = timeout_fail(r);
						goto done;
					}
					*fallback = 1; /* the table promised more packets */
					goto done;
				}
				r->pending = 1;
			}
			if (tab_find(r, r->pkt) != pos) {
				*fallback = 1;
				goto done;
			}
			if (pos == kn) { /* the next GOP's keyframe: stays pending */
				pending_pos = kn;
				break;
			}
			buf[n_buf] = av_packet_alloc();
			if (!buf[n_buf]) {
				st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
				goto done;
			}
			av_packet_move_ref(buf[n_buf], r->pkt);
			r->pending = 0;
			pts[n_buf] = buf[n_buf]->pts;
			bytes += buf[n_buf]->size;
			n_buf++;
			if (bytes > GOP_MAX_BYTES || past_deadline(r)) {
				if (r->timed_out) {
					st = timeout_fail(r);
					goto done;
				}
				*fallback = 1;
				goto done;
			}
		}
		/* presentation order within the GOP */
		memcpy(sorted, pts, sizeof *pts * (size_t)n_buf);
		qsort(sorted, (size_t)n_buf, sizeof *sorted, cmp_i64);
		if (n_buf != n || sorted[0] == AV_NOPTS_VALUE || sorted[0] != pts[0] ||
		    (pending_pos >= 0 && r->pkt->pts != AV_NOPTS_VALUE && r->pkt->pts <= sorted[n - 1])) {
			*fallback = 1; /* open GOP or timestamps we cannot order */
			goto done;
		}
		for (int64_t i = 1; i < n; i++)
			if (sorted[i] == sorted[i - 1]) {
				*fallback = 1;
				goto done;
			}
		int64_t nt = j2 - j;
		for (int64_t i = 0; i < nt; i++) {
			trank[i] = r->ranks[j + i];
			tpts[i] = sorted[trank[i] - kp];
			got[i] = 0;
		}
		/* decode: every reference frame, and the sampled frames */
		avcodec_flush_buffers(r->cc);
		r->eof_sent = 0;
		int bad = 0, n_got = 0;
		for (int64_t i = 0; i <= n_buf && n_got < nt; i++) {
			AVPacket *pk = i < n_buf ? buf[i] : NULL;
			int wanted = 0;
			for (int64_t t = 0; pk && t < nt; t++)
				wanted |= tpts[t] == pk->pts;
			r->cc->skip_frame = (pk && !wanted) ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
			int ret;
			for (;;) {
				ret = avcodec_send_packet(r->cc, pk);
				if (ret != AVERROR(EAGAIN))
					break;
				ret = avcodec_receive_frame(r->cc, r->frame);
				if (ret < 0) {
					bad = 1;
					break;
				}
				st = gop_output(r, tpts, trank, nt, got, &bad);
				av_frame_unref(r->frame);
				if (st)
					goto done;
			}
			if (ret < 0 && ret != AVERROR_EOF)
				bad = 1;
			for (;;) {
				ret = avcodec_receive_frame(r->cc, r->frame);
				if (ret < 0)
					break;
				st = gop_output(r, tpts, trank, nt, got, &bad);
				av_frame_unref(r->frame);
				if (st)
					goto done;
			}
			if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
				bad = 1;
			if (past_deadline(r)) {
				st = timeout_fail(r);
				goto done;
			}
			n_got = 0; /* stop once every sampled frame of the GOP is out */
			for (int64_t t = 0; t < nt; t++)
				n_got += got[t];
		}
		r->cc->skip_frame = AVDISCARD_DEFAULT;
		r->eof_sent = 1;
		for (int64_t i = 0; i < nt; i++)
			bad |= !got[i];
		if (bad) {
			*fallback = 1;
			goto done;
		}
		for (int64_t i = 0; i < n_buf; i++)
			av_packet_free(&buf[i]);
		n_buf = 0;
		j = j2;
	}
done:
	if (r->cc)
		r->cc->skip_frame = AVDISCARD_DEFAULT;
	for (int64_t i = 0; i < n_buf; i++)
		av_packet_free(&buf[i]);
	clx_free(buf);
	clx_free(pts);
	clx_free(sorted);
	clx_free(tpts);
	clx_free(trank);
	clx_free(got);
	return st;
}

/* From the start: the i-th output frame is frame i (PyAV's enumerate). Stores
 * the sampled ones; *seen = frames decoded (all of them if the stream ended
 * before the last sampled index). */
static enum clx_status decode_sequential(struct reader *r, int64_t *seen, int *ended)
{
	enum clx_status st;
	int64_t rank = 0, j = 0;
	*ended = 0;
	while (j < r->n_ranks) {
		int got = next_frame(r, 0, &st);
		if (st)
			return st;
		if (!got) {
			*ended = 1;
			break;
		}
		if (rank == r->ranks[j]) {
			st = store_frame(r, r->frame, rank);
			j++;
		}
		av_frame_unref(r->frame);
		if (st)
			return st;
		rank++;
	}
	*seen = rank;
	return CLX_OK;
}

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
	if ((st = open_input(r)))
		return st;
	int flip = 0;
	v->rotation = stream_rotation(r->st, &flip);
	if (r->opts->apply_rotation && flip)
		video_warn(v, "the display matrix also flips the image; only its rotation is applied");
	AVRational fr = av_guess_frame_rate(r->ic, r->st, NULL);
	v->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0.0;
	if ((st = build_table(r)))
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
			int64_t n_seeks, cost = seek_plan_cost(r, &n_seeks);
			seek = r->opts->seek == CLX_SEEK_ALWAYS ||
			       cost + 4 * n_seeks < (r->ranks[r->n_ranks - 1] + 1) / 2;
		}
		if (seek) {
			int fallback;
			r->inconsistent = 0;
			/* GOP at a time unless a GOP of a sampled frame is too long */
			int64_t cap = gop_cap(), longest = 0;
			for (int64_t i = 0; i < r->n_ranks; i++) {
				int64_t kp = key_before(r, r->ranks[i]);
				if (key_after(r, kp) - kp > longest)
					longest = key_after(r, kp) - kp;
			}
			st = longest <= cap ? decode_gops(r, &fallback) : decode_seeking(r, &fallback);
			if (st)
				return st;
			if (!fallback)
				return CLX_OK;
			video_warn(v, "seeking did not give a consistent frame order; decoded from "
				   "the start");
		}
		/* from the start: a fresh demuxer and decoder unless still untouched */
		if (!r->fresh) {
			close_input(r);
			if ((st = open_input(r)))
				return st;
		}
		r->fresh = 0;
		int64_t seen;
		int ended;
		r->decode_errors = 0;
		r->corrupt_frames = 0;
		if ((st = decode_sequential(r, &seen, &ended)))
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
	set_deadline(r);
	out->n_frames = opts->n_frames;
	out->indices = clx_calloc((size_t)opts->n_frames, sizeof *out->indices);
	if (!out->indices)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);

	pthread_once(&log_once, log_install);
	r->pkt = av_packet_alloc();
	r->frame = av_frame_alloc();
	if (!r->pkt || !r->frame) {
		av_packet_free(&r->pkt);
		av_frame_free(&r->frame);
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	}
	struct log_sink *prev_sink = log_sink;
	log_sink = &r->log;
	atomic_fetch_add(&reads_active, 1);

	st = read_video(r);
	if (!st) {
		if (r->decode_errors)
			video_warn(out, "%lld packets failed to decode%s%s",
				   (long long)r->decode_errors, r->log.first_error[0] ? ": " : "",
				   r->log.first_error);
		if (r->corrupt_frames)
			video_warn(out, "%lld frames decoded with errors (concealed)",
				   (long long)r->corrupt_frames);
	}

	close_input(r); /* decoder threads may still log while they wind down */
	atomic_fetch_sub(&reads_active, 1);
	log_sink = prev_sink;
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

enum clx_status clx_video_read(struct clx_ctx *ctx, const char *path,
			       const struct clx_video_opts *opts, struct clx_video *out)
{
	if (!out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_video_read: out is NULL");
	memset(out, 0, sizeof *out);
	if (!path || !*path)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_video_read: no path");
	struct stat sb;
	if (stat(path, &sb) != 0)
		return clx_fail(ctx, errno == ENOENT ? CLX_ERR_NOT_FOUND : CLX_ERR_IO,
				"%s: cannot open: %s", path, strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return clx_fail(ctx, CLX_ERR_IO, "%s: is a directory, not a video file", path);
	if (S_ISREG(sb.st_mode) && sb.st_size == 0)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: empty file", path);
	struct reader r = { .ctx = ctx, .name = path, .path = path,
			    .file_size = S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : -1 };
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
