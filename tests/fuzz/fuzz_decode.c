/* fuzz_decode.c — libFuzzer target for decoding and RGB conversion: small
 * synthetic streams built from the input, muxed as NUT in memory with
 * libavformat, then read by clx_video_read_memory (2 frames sampled).
 *
 * The first 8 bytes choose the stream: the codec (raw video, or one of the
 * codecs the test videos use: H.264, HEVC, VP9, MJPEG, MPEG-4 Part 2,
 * GIF), the size (1 to 64 per side), the pixel format of raw video (8- to
 * 16-bit YUV of every subsampling clx meets, grey, NV12/P010, RGB,
 * palette), the colour space, range, chroma siting and field order. The
 * rest is the payload: whole raw frames (the bytes repeated to fill up to
 * 3 frames), or up to 8 coded packets with a length byte each. Where the
 * demux fuzzer spends its time in probing, this one reaches the decoders
 * and every path of video_rgb.c and video_vchroma.c with odd sizes and formats.
 * Replayed under ctest over tests/fuzz/corpus/decode. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>

#include "fuzz_video.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum AVCodecID codecs[] = {
	AV_CODEC_ID_RAWVIDEO, AV_CODEC_ID_H264, AV_CODEC_ID_HEVC, AV_CODEC_ID_VP9,
	AV_CODEC_ID_MJPEG, AV_CODEC_ID_MPEG4, AV_CODEC_ID_GIF,
};

static const enum AVPixelFormat formats[] = {
	AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUVJ422P,
	AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV440P, AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUV410P,
	AV_PIX_FMT_YUV411P, AV_PIX_FMT_YUV420P9LE, AV_PIX_FMT_YUV420P10LE,
	AV_PIX_FMT_YUV420P12LE, AV_PIX_FMT_YUV420P16LE, AV_PIX_FMT_YUV420P10BE,
	AV_PIX_FMT_YUV422P10LE, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV444P12LE,
	AV_PIX_FMT_YUV440P10LE, AV_PIX_FMT_YUVA420P, AV_PIX_FMT_GRAY8, AV_PIX_FMT_GRAY10LE,
	AV_PIX_FMT_NV12, AV_PIX_FMT_P010LE, AV_PIX_FMT_RGB24, AV_PIX_FMT_BGR0, AV_PIX_FMT_PAL8,
};

struct membuf {
	uint8_t *data;
	size_t len, cap;
};

#if LIBAVFORMAT_VERSION_MAJOR >= 61
static int mem_write(void *opaque, const uint8_t *buf, int n)
#else
static int mem_write(void *opaque, uint8_t *buf, int n)
#endif
{
	struct membuf *m = opaque;
	if (m->len + (size_t)n > m->cap) {
		size_t cap = (m->len + (size_t)n) * 2;
		uint8_t *p = realloc(m->data, cap);
		if (!p)
			return AVERROR(ENOMEM);
		m->data = p;
		m->cap = cap;
	}
	memcpy(m->data + m->len, buf, (size_t)n);
	m->len += (size_t)n;
	return n;
}

/* One packet of n bytes taken from src (len bytes) from offset on, wrapping
 * round; 0 on failure. */
static int put_packet(AVFormatContext *oc, int64_t pts, int key, const uint8_t *src, size_t len,
		      size_t offset, size_t n)
{
	AVPacket *pkt = av_packet_alloc();
	if (!pkt || av_new_packet(pkt, (int)n) < 0) {
		av_packet_free(&pkt);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		pkt->data[i] = src[(offset + i) % len];
	pkt->pts = pkt->dts = pts;
	pkt->flags = key ? AV_PKT_FLAG_KEY : 0;
	int ret = av_write_frame(oc, pkt);
	av_packet_free(&pkt);
	return ret >= 0;
}

/* The NUT file of the stream the input describes into *m; 0 if it cannot
 * be muxed (a format NUT has no tag for, an empty payload). */
static int mux(const uint8_t *data, size_t size, struct membuf *m)
{
	const uint8_t *h = data, *p = data + 8;
	size_t left = size - 8;
	const enum AVCodecID codec = codecs[h[0] % (sizeof codecs / sizeof *codecs)];
	const int w = 1 + h[1] % 64, ht = 1 + h[2] % 64;
	const enum AVPixelFormat fmt = formats[h[3] % (sizeof formats / sizeof *formats)];
	AVFormatContext *oc = NULL;
	uint8_t *iobuf = NULL;
	int ok = 0;
	if (avformat_alloc_output_context2(&oc, NULL, "nut", NULL) < 0)
		return 0;
	iobuf = av_malloc(4096);
	if (!iobuf)
		goto done;
	oc->pb = avio_alloc_context(iobuf, 4096, 1, m, NULL, mem_write, NULL);
	if (!oc->pb) {
		av_free(iobuf);
		goto done;
	}
	AVStream *s = avformat_new_stream(oc, NULL);
	if (!s)
		goto done;
	s->time_base = (AVRational){ 1, 10 };
	AVCodecParameters *cp = s->codecpar;
	cp->codec_type = AVMEDIA_TYPE_VIDEO;
	cp->codec_id = codec;
	cp->width = w;
	cp->height = ht;
	cp->format = codec == AV_CODEC_ID_RAWVIDEO ? fmt : AV_PIX_FMT_NONE;
	cp->color_space = (enum AVColorSpace)(h[4] % AVCOL_SPC_NB);
	cp->color_range = (enum AVColorRange)(h[5] % AVCOL_RANGE_NB);
	cp->chroma_location = (enum AVChromaLocation)(h[6] % AVCHROMA_LOC_NB);
	cp->field_order = (enum AVFieldOrder)(h[7] % 6);
	if (codec == AV_CODEC_ID_RAWVIDEO) {
		cp->codec_tag = avcodec_pix_fmt_to_codec_tag(fmt);
		if (!cp->codec_tag)
			goto done;
	}
	if (avformat_write_header(oc, NULL) < 0)
		goto done;
	if (codec == AV_CODEC_ID_RAWVIDEO) {
		/* up to 3 whole frames, the payload repeated to fill them */
		int fsize = av_image_get_buffer_size(fmt, w, ht, 1);
		if (fsize <= 0 || !left)
			goto done;
		size_t n_frames = 1 + left / (size_t)fsize;
		for (size_t k = 0; k < n_frames && k < 3; k++)
			if (!put_packet(oc, (int64_t)k, 1, p, left, k * (size_t)fsize, (size_t)fsize))
				goto done;
	} else {
		/* up to 8 packets, each behind its length byte */
		for (int64_t k = 0; left > 1 && k < 8; k++) {
			size_t n = 1 + (size_t)p[0] * 8;
			p++;
			left--;
			if (n > left)
				n = left;
			if (!put_packet(oc, k, k == 0, p, left, 0, n))
				goto done;
			p += n;
			left -= n;
		}
	}
	ok = av_write_trailer(oc) >= 0;
done:
	if (oc) {
		if (oc->pb) {
			avio_flush(oc->pb);
			av_freep(&oc->pb->buffer);
			avio_context_free(&oc->pb);
		}
		avformat_free_context(oc);
	}
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 9)
		return 0;
	av_log_set_level(AV_LOG_QUIET);
	struct membuf m = { 0 };
	if (mux(data, size, &m)) {
		struct clx_video_opts opts;
		clx_video_opts_default(&opts);
		opts.n_frames = 2;
		opts.timeout_s = 2.0;
		opts.max_decoded_frames = 50;
		fuzz_read_video(m.data, m.len, &opts);
	}
	free(m.data);
	return 0;
}
