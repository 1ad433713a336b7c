/* image_jpeg.c — JPEG through libjpeg-turbo, set up as Pillow's JpegDecode
 * sets it up: the library's defaults (JDCT_ISLOW, fancy upsampling), output
 * JCS_RGB for colour, JCS_GRAYSCALE for grey (replicated to RGB), JCS_CMYK
 * for CMYK and YCCK, which Pillow reads as inverted ("CMYK;I") and converts
 * with its cmyk2rgb.
 *
 * libjpeg reports errors by longjmp from error_exit. Everything that must be
 * freed on that path lives in a heap job reached through one pointer that
 * never changes after setjmp, so no local is left indeterminate. The source
 * manager refuses to invent an EOI at the end of the data (jpeg_mem_src
 * would, and decode the rest as grey): Pillow calls such a file truncated,
 * and so does clx. Warnings (corrupt data libjpeg recovered from, as Pillow
 * silently does too) become one clx_warn line. */
#include "io/image_internal.h"
#include "clx/limits.h"

#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

struct jpeg_job {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_error_mgr err;
	struct jpeg_source_mgr src;
	struct jpeg_progress_mgr progress;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
	int code;       /* libjpeg's msg_code of the error */
	bool too_many_scans;
	bool created;
	uint8_t *row;   /* one output row for grey and CMYK */
	uint8_t *exif;  /* the Exif APP1 segments, concatenated as Pillow does */
	size_t exif_len;
	struct clx_image_warnings warn;
};

/* ------------------------------------------------------------ callbacks */

static void on_error(j_common_ptr c)
{
	struct jpeg_job *j = (struct jpeg_job *)c->client_data;
	c->err->format_message(c, j->msg);
	j->code = c->err->msg_code;
	longjmp(j->jb, 1);
}

static void on_message(j_common_ptr c, int level)
{
	if (level >= 0)
		return; /* trace messages */
	struct jpeg_job *j = (struct jpeg_job *)c->client_data;
	char buf[JMSG_LENGTH_MAX];
	c->err->format_message(c, buf);
	c->err->num_warnings++;
	clx_image_warning_add(&j->warn, buf);
}

static void on_output(j_common_ptr c)
{
	(void)c; /* never print */
}

/* A hostile progressive file can carry thousands of tiny scans, each a full
 * pass over the coefficients: stop past CLX_MAX_IMAGE_JPEG_SCANS. */
static void on_progress(j_common_ptr c)
{
	struct jpeg_decompress_struct *d = (struct jpeg_decompress_struct *)c;
	struct jpeg_job *j = (struct jpeg_job *)c->client_data;
	if (d->input_scan_number > CLX_MAX_IMAGE_JPEG_SCANS) {
		j->too_many_scans = true;
		ERREXIT(c, JERR_NOT_COMPILED); /* any code: too_many_scans says why */
	}
}

static void src_init(j_decompress_ptr d)
{
	(void)d;
}

static boolean src_fill(j_decompress_ptr d)
{
	ERREXIT(d, JERR_INPUT_EOF); /* the whole file is in the buffer already */
	return FALSE;
}

static void src_skip(j_decompress_ptr d, long n)
{
	struct jpeg_source_mgr *s = d->src;
	if (n <= 0)
		return;
	if ((size_t)n > s->bytes_in_buffer)
		ERREXIT(d, JERR_INPUT_EOF);
	s->next_input_byte += n;
	s->bytes_in_buffer -= (size_t)n;
}

static void src_term(j_decompress_ptr d)
{
	(void)d;
}

/* ------------------------------------------------------------ metadata */

static void collect_markers(struct jpeg_job *j, struct clx_image_meta *meta)
{
	static const char xmp_id[] = "http://ns.adobe.com/xap/1.0/";
	for (jpeg_saved_marker_ptr m = j->cinfo.marker_list; m; m = m->next) {
		if (m->marker != JPEG_APP0 + 1)
			continue;
		if (m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
			/* the first whole, later ones without their prefix */
			size_t skip = j->exif ? 6 : 0, add = m->data_length - skip;
			uint8_t *grown = clx_realloc(j->exif, j->exif_len + add + 1);
			if (!grown)
				continue;
			memcpy(grown + j->exif_len, m->data + skip, add);
			j->exif = grown;
			j->exif_len += add;
		} else if (m->data_length >= sizeof xmp_id &&
			   memcmp(m->data, xmp_id, sizeof xmp_id) == 0) { /* with its NUL */
			clx_image_meta_set(&meta->xmp, &meta->xmp_len, m->data + sizeof xmp_id,
					   m->data_length - sizeof xmp_id);
		}
	}
	if (j->exif) {
		meta->exif = j->exif;
		meta->exif_len = j->exif_len;
		j->exif = NULL;
	}
}

/* ----------------------------------------------------------- conversion */

/* Pillow's MULDIV255: a · b / 255, rounded, in integers. */
static int muldiv255(int a, int b)
{
	int t = a * b + 128;
	return ((t >> 8) + t) >> 8;
}

static uint8_t clip8(int v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* One row of libjpeg's CMYK: inverted (Pillow's "CMYK;I" rawmode), then
 * Pillow's cmyk2rgb. */
static void cmyk_row(const uint8_t *in, uint8_t *out, int32_t w)
{
	for (int32_t x = 0; x < w; x++, in += 4, out += 3) {
		int c = 255 - in[0], m = 255 - in[1], y = 255 - in[2], k = 255 - in[3];
		int nk = 255 - k;
		out[0] = clip8(nk - muldiv255(c, nk));
		out[1] = clip8(nk - muldiv255(m, nk));
		out[2] = clip8(nk - muldiv255(y, nk));
	}
}

/* --------------------------------------------------------------- decode */

static enum clx_status run(struct clx_ctx *ctx, const char *name, struct jpeg_job *j,
			   const uint8_t *data, size_t len, struct clx_image *out,
			   struct clx_image_meta *meta)
{
	struct jpeg_decompress_struct *d = &j->cinfo;
	if (setjmp(j->jb)) {
		if (j->too_many_scans)
			return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: JPEG with more than %d "
					"progressive scans", name, CLX_MAX_IMAGE_JPEG_SCANS);
		switch (j->code) {
		case JERR_INPUT_EOF:
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: JPEG is truncated (the data "
					"ends before the image does)", name);
		case JERR_OUT_OF_MEMORY:
			return clx_fail(ctx, CLX_ERR_NOMEM, "%s: JPEG: %s", name, j->msg);
		case JERR_BAD_PRECISION:      /* 12-bit: Pillow refuses it too */
		case JERR_SOF_UNSUPPORTED:    /* lossless and hierarchical JPEG */
		case JERR_ARITH_NOTIMPL:
		case JERR_CONVERSION_NOTIMPL: /* 2 components and the like */
		case JERR_NOT_COMPILED:
			return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: JPEG: %s", name, j->msg);
		default:
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: corrupt JPEG: %s", name, j->msg);
		}
	}
	d->err = jpeg_std_error(&j->err);
	j->err.error_exit = on_error;
	j->err.emit_message = on_message;
	j->err.output_message = on_output;
	d->client_data = j;
	j->created = true; /* jpeg_destroy copes with a half-made object */
	jpeg_create_decompress(d); /* keeps err and client_data */
	j->src.init_source = src_init;
	j->src.fill_input_buffer = src_fill;
	j->src.skip_input_data = src_skip;
	j->src.resync_to_restart = jpeg_resync_to_restart;
	j->src.term_source = src_term;
	j->src.next_input_byte = data;
	j->src.bytes_in_buffer = len;
	d->src = &j->src;
	j->progress.progress_monitor = on_progress;
	d->progress = &j->progress;
	jpeg_save_markers(d, JPEG_APP0 + 1, 0xFFFF);
	jpeg_read_header(d, TRUE);

	int comps;
	switch (d->jpeg_color_space) {
	case JCS_GRAYSCALE:
		d->out_color_space = JCS_GRAYSCALE;
		comps = 1;
		break;
	case JCS_CMYK:
	case JCS_YCCK:
		d->out_color_space = JCS_CMYK;
		comps = 4;
		break;
	default:
		d->out_color_space = JCS_RGB;
		comps = 3;
		break;
	}
	enum clx_status st = clx_image_alloc(ctx, name, "JPEG", d->image_width, d->image_height,
					     out);
	if (st)
		return st;
	collect_markers(j, meta);
	if (comps != 3) {
		j->row = clx_malloc((size_t)d->image_width * comps);
		if (!j->row)
			return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", name);
	}
	jpeg_start_decompress(d);
	if (d->output_width != (JDIMENSION)out->width ||
	    d->output_height != (JDIMENSION)out->height || d->output_components != comps)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: JPEG decoder output %ux%u x%d, expected "
				"%dx%d x%d", name, d->output_width, d->output_height,
				d->output_components, out->width, out->height, comps);
	const int32_t w = out->width;
	while (d->output_scanline < d->output_height) {
		uint8_t *dst = out->rgb + (size_t)d->output_scanline * w * 3;
		JSAMPROW row = comps == 3 ? dst : j->row;
		if (jpeg_read_scanlines(d, &row, 1) != 1)
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: JPEG is truncated", name);
		if (comps == 1) {
			for (int32_t x = 0; x < w; x++)
				dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = j->row[x];
		} else if (comps == 4) {
			cmyk_row(j->row, dst, w);
		}
	}
	/* No jpeg_finish_decompress: what follows the last scanline (up to EOI)
	 * does not change the image, and Pillow accepts a file that ends there. */
	return CLX_OK;
}

enum clx_status clx_image_decode_jpeg(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				      size_t len, struct clx_image *out,
				      struct clx_image_meta *meta)
{
	struct jpeg_job *j = clx_calloc(1, sizeof *j);
	if (!j)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", name);
	enum clx_status st = run(ctx, name, j, data, len, out, meta);
	if (j->created)
		jpeg_destroy_decompress(&j->cinfo);
	if (st == CLX_OK) /* a failure's one line says enough */
		clx_image_warning_flush(ctx, name, "JPEG", &j->warn);
	clx_free(j->row);
	clx_free(j->exif);
	clx_free(j);
	if (st != CLX_OK) {
		clx_free(out->rgb);
		out->rgb = NULL;
	}
	return st;
}
