/* video_rgb.c — decoded frames to RGB24 exactly as PyAV 18's
 * `frame.to_ndarray(format="rgb24")` gives them (libswscale set up the way
 * PyAV does, with the padding Debian 12's older libswscale needs), the
 * display rotation, and the output slots each sampled frame fills.
 *
 * Not here: decoding, and rotations other than multiples of 90° (warned
 * about, not applied). */
#ifdef CLX_HAVE_FFMPEG
#include "io/video_internal.h"
#include "clx/limits.h"

#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include <math.h>
#include <string.h>

/* --------------------------------------------------------------- libswscale */

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

int video_full_range(const AVFrame *f)
{
	const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
	switch (f->format) {
	case AV_PIX_FMT_YUVJ420P:
	case AV_PIX_FMT_YUVJ411P:
	case AV_PIX_FMT_YUVJ422P:
	case AV_PIX_FMT_YUVJ444P:
	case AV_PIX_FMT_YUVJ440P:
		return 1;
	default:
		return f->color_range == AVCOL_RANGE_JPEG || desc->nb_components < 3;
	}
}

/* The source chroma siting libswscale 9 uses for f (hpos, vpos in 1/256
 * of a luma sample, -513 where a direction is not subsampled): from the
 * frame's chroma location, and for one field of an interlaced frame
 * (field = 1 top, 2 bottom) shifted as libswscale 9 shifts it. */
static void chroma_siting(const AVFrame *f, int field, int *hpos, int *vpos)
{
	const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
	*hpos = *vpos = -513;
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
		*hpos = desc->log2_chroma_w ? x : -513;
		*vpos = desc->log2_chroma_h ? y : -513;
	}
}

/* One libswscale call the way PyAV 18 (libswscale 9, sws_scale_frame) sets it
 * up: SWS_BILINEAR; the source matrix from the frame's colorspace and its
 * range (YUVJ formats and grey count as full range); the chroma siting
 * given (chroma_siting). The source is in pixel format fmt: f's own, or the
 * 16-bit 4:2:2 that video_vchroma.c makes. The caller passes an even-width
 * source padded to a multiple of 16 columns: libswscale 6's x86 YUV→RGB
 * converter otherwise skips or overruns the last columns (libswscale 9
 * handles the tail). */
static enum clx_status sws_run(struct reader *r, const AVFrame *f, int fmt, int hpos, int vpos,
			       const uint8_t *const src[4], const int src_ls[4], int w, int h,
			       uint8_t *dst, int dst_ls)
{
	const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
	struct SwsContext *sws = sws_alloc_context();
	if (!sws)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	av_opt_set_int(sws, "srcw", w, 0);
	av_opt_set_int(sws, "srch", h, 0);
	av_opt_set_int(sws, "src_format", fmt, 0);
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
	int full = video_full_range(f);
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

/* The frame, or one field of it (field 1 top, 2 bottom; 0 the whole
 * frame), h rows of w pixels from a source padded to wp columns, to RGB24.
 * Vertically subsampled chroma that libswscale would filter goes through
 * video_vchroma.c (video_vchroma_applies). */
static enum clx_status convert_part(struct reader *r, const AVFrame *f, const uint8_t *const src[4],
				    const int src_ls[4], int w, int wp, int h, int field,
				    uint8_t *dst, int dst_ls)
{
	int hpos, vpos;
	chroma_siting(f, field, &hpos, &vpos);
	if (!video_vchroma_applies(f, h))
		return sws_run(r, f, f->format, hpos, vpos, src, src_ls, wp, h, dst, dst_ls);
	if (w & 1)
		return video_vchroma_full_rgb(r, f, src, src_ls, w, h, hpos, vpos, dst, dst_ls);
	AVFrame *q = av_frame_alloc();
	if (!q)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	q->format = AV_PIX_FMT_YUV422P16;
	q->width = wp;
	q->height = h;
	enum clx_status st = CLX_OK;
	int ret = av_frame_get_buffer(q, 64);
	if (ret < 0) {
		st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory (%s)", r->name, AVERR(ret));
	} else {
		for (int i = 0; i < AV_NUM_DATA_POINTERS && q->buf[i]; i++)
			memset(q->buf[i]->data, 0, q->buf[i]->size);
		st = video_vchroma_to_yuv422p16(r, f, src, src_ls, w, h, hpos, vpos, q);
		/* co-sited chroma, one sample per two pixels: identity filters */
		if (!st)
			st = sws_run(r, f, AV_PIX_FMT_YUV422P16, 128, -513,
				     (const uint8_t *const *)q->data, q->linesize, wp, h, dst, dst_ls);
	}
	av_frame_free(&q);
	return st;
}

/* ----------------------------------------------------------------- rotation */

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

/* ------------------------------------------------------------------- frames */

/* A decoded frame's size within CLX_MAX_VIDEO_DIM per side and
 * CLX_MAX_VIDEO_PIXELS (the decoder enforces the same; checked again before
 * anything is allocated for it). */
static enum clx_status check_size(struct reader *r, int w, int h)
{
	if (w <= 0 || h <= 0 || w > CLX_MAX_VIDEO_DIM || h > CLX_MAX_VIDEO_DIM ||
	    (int64_t)w * h > CLX_MAX_VIDEO_PIXELS)
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: decoded frame size %dx%d exceeds "
				"clx's limit", r->name, w, h);
	return CLX_OK;
}

/* frame → packed RGB24 (w·h·3 bytes at out). Same size: the PyAV-identical
 * path. Another size (a mid-stream resolution change): scaled bilinear. */
static enum clx_status frame_to_rgb(struct reader *r, const AVFrame *f, int w, int h, uint8_t *out)
{
	enum clx_status st = check_size(r, f->width, f->height);
	if (st)
		return st;
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
		st = convert_part(r, f, (const uint8_t *const *)pad->data, pad->linesize, w, wp, h, 0,
				  buf, ls);
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
			st = convert_part(r, f, src, src_ls, w, wp, fh, field,
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
int video_stream_rotation(const AVStream *s, int *flip)
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

/* ------------------------------------------------------------- output slots */

/* f as RGB24 (cw × ch as coded), rotated as the read applies it, into dst. */
static enum clx_status convert_rotated(struct reader *r, const AVFrame *f, int cw, int ch,
				       size_t frame_bytes, uint8_t *dst)
{
	if (!r->rotate_applied)
		return frame_to_rgb(r, f, cw, ch, dst);
	uint8_t *tmp = clx_malloc(frame_bytes);
	if (!tmp)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	enum clx_status st = frame_to_rgb(r, f, cw, ch, tmp);
	if (!st)
		rotate_rgb(tmp, cw, ch, r->rotate_applied, dst);
	clx_free(tmp);
	return st;
}

/* Converts the frame of rank `rank` into every output slot sampled at it
 * (or hands it to opts->on_frame). */
enum clx_status video_store_frame(struct reader *r, const AVFrame *f, int64_t rank)
{
	struct clx_video *v = r->out;
	enum clx_status st;
	int w = f->width, h = f->height;
	if (!r->have_size) {
		if ((st = check_size(r, w, h)))
			return st;
		size_t bytes;
		const size_t kept = r->opts->on_frame ? 1 : (size_t)v->n_frames;
		if (!clx_mul_ok((size_t)w * (size_t)h * 3, kept, &bytes) || bytes > CLX_MAX_VIDEO_OUTPUT)
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
	if (r->opts->on_frame) {
		/* one frame, converted once, handed to every slot sampled at it */
		bool converted = false;
		for (int t = 0; t < v->n_frames; t++) {
			if (v->indices[t] != rank)
				continue;
			if (!converted && (st = convert_rotated(r, f, cw, ch, frame_bytes, v->rgb)))
				return st;
			converted = true;
			if ((st = r->opts->on_frame(r->opts->on_frame_user, r->ctx, t, v->rgb, v->height,
						    v->width)))
				return st;
		}
		return CLX_OK;
	}
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
		if ((st = convert_rotated(r, f, cw, ch, frame_bytes, dst)))
			return st;
	}
	return CLX_OK;
}

#endif /* CLX_HAVE_FFMPEG */
