/* image_png.c — PNG through libpng, converted as Pillow's PngImagePlugin and
 * convert("RGB") convert it:
 *   palette        index lookup in PLTE, zero-padded to 256 entries (an index
 *                  past the palette is black); tRNS ignored
 *   grey 1/2/4/8   Pillow's "1", "L;2", "L;4", "L": v·255, v·85, v·17, v
 *   grey 16        Pillow's I;16, whose convert("RGB") clips at 255
 *   RGB / RGBA /   16-bit samples cut to their high byte ("RGB;16B" ...);
 *   grey+alpha     alpha dropped
 *   interlaced     Adam7 through libpng's interlace handling
 * libpng is asked for nothing but packing (sub-byte samples one per byte), so
 * every value above is clx's own arithmetic. Gamma, sRGB and iCCP are
 * ignored, as Pillow ignores them.
 *
 * libpng reports errors by longjmp; as in image_jpeg.c, everything to free
 * lives in a heap job. Once every row is read, trouble in what follows (a
 * missing IEND, a bad trailing chunk) keeps the image, as Pillow's load_end
 * does; only the EXIF / XMP of chunks after IDAT is lost then. */
#include "io/image_internal.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

struct png_job {
	png_structp png;
	png_infop info;
	const uint8_t *data;
	size_t len, pos;
	bool eof;           /* the read callback ran out of data */
	bool rows_done;     /* an error from here on keeps the image */
	char msg[200];
	uint8_t *raw;       /* rows as libpng gives them */
	struct clx_image_warnings warn;
};

static void on_error(png_structp png, png_const_charp msg)
{
	struct png_job *j = png_get_error_ptr(png);
	snprintf(j->msg, sizeof j->msg, "%s", msg);
	png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
	struct png_job *j = png_get_error_ptr(png);
	clx_image_warning_add(&j->warn, msg);
}

static void on_read(png_structp png, png_bytep dst, size_t n)
{
	struct png_job *j = png_get_io_ptr(png);
	if (n > j->len - j->pos) {
		j->eof = true;
		png_error(png, "truncated");
	}
	memcpy(dst, j->data + j->pos, n);
	j->pos += n;
}

/* -------------------------------------------------------------- metadata */

static void collect_meta(struct png_job *j, struct clx_image_meta *meta)
{
	png_bytep exif = NULL;
	png_uint_32 n = 0;
	if (png_get_eXIf_1(j->png, j->info, &n, &exif) && exif)
		clx_image_meta_set(&meta->exif, &meta->exif_len, exif, n);
	png_textp text = NULL;
	int nt = 0;
	png_get_text(j->png, j->info, &text, &nt);
	for (int i = 0; i < nt; i++) /* Pillow keeps the last chunk of a keyword */
		if (text[i].key && strcmp(text[i].key, "XML:com.adobe.xmp") == 0 && text[i].text)
			clx_image_meta_set(&meta->xmp, &meta->xmp_len, (const uint8_t *)text[i].text,
					   text[i].itxt_length ? text[i].itxt_length
							       : text[i].text_length);
}

/* ------------------------------------------------------------ conversion */

struct layout {
	int color_type, bit_depth, channels;
	uint8_t palette[256][3];
};

/* Sample c of pixel x in a raw row: 8-bit, the high byte of 16-bit. */
static uint8_t sample8(const uint8_t *row, const struct layout *l, int32_t x, int c)
{
	if (l->bit_depth == 16)
		return row[((size_t)x * l->channels + c) * 2];
	return row[(size_t)x * l->channels + c];
}

static void convert_row(const uint8_t *row, const struct layout *l, int32_t w, uint8_t *out)
{
	for (int32_t x = 0; x < w; x++, out += 3) {
		switch (l->color_type) {
		case PNG_COLOR_TYPE_PALETTE:
			memcpy(out, l->palette[row[x]], 3);
			break;
		case PNG_COLOR_TYPE_GRAY: {
			unsigned v;
			if (l->bit_depth == 16) /* I;16 → RGB clips */
				v = row[2 * x] ? 255 : row[2 * x + 1];
			else /* packing: one sample per byte, unscaled */
				v = row[x] * (l->bit_depth == 1 ? 255u : l->bit_depth == 2 ? 85u
							: l->bit_depth == 4 ? 17u : 1u);
			out[0] = out[1] = out[2] = (uint8_t)v;
			break;
		}
		case PNG_COLOR_TYPE_GRAY_ALPHA:
			out[0] = out[1] = out[2] = sample8(row, l, x, 0);
			break;
		default: /* RGB, RGBA */
			out[0] = sample8(row, l, x, 0);
			out[1] = sample8(row, l, x, 1);
			out[2] = sample8(row, l, x, 2);
			break;
		}
	}
}

/* ---------------------------------------------------------------- decode */

static enum clx_status run(struct clx_ctx *ctx, const char *name, struct png_job *j,
			   struct clx_image *out, struct clx_image_meta *meta, struct layout *l)
{
	if (setjmp(png_jmpbuf(j->png))) {
		if (j->rows_done)
			return CLX_OK;
		if (j->eof)
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: PNG is truncated (the data ends "
					"before the image does)", name);
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: corrupt PNG: %s", name, j->msg);
	}
	png_set_read_fn(j->png, j, on_read);
	png_read_info(j->png, j->info);
	png_uint_32 w, h;
	int interlace;
	png_get_IHDR(j->png, j->info, &w, &h, &l->bit_depth, &l->color_type, &interlace, NULL,
		     NULL);
	enum clx_status st = clx_image_alloc(ctx, name, "PNG", w, h, out);
	if (st)
		return st;
	if (l->color_type == PNG_COLOR_TYPE_PALETTE) {
		png_colorp pal = NULL;
		int n = 0;
		if (png_get_PLTE(j->png, j->info, &pal, &n) && pal)
			for (int i = 0; i < n && i < 256; i++) {
				l->palette[i][0] = pal[i].red;
				l->palette[i][1] = pal[i].green;
				l->palette[i][2] = pal[i].blue;
			}
	}
	if (l->bit_depth < 8)
		png_set_packing(j->png);
	int passes = png_set_interlace_handling(j->png);
	png_read_update_info(j->png, j->info);
	l->channels = png_get_channels(j->png, j->info);
	size_t rowbytes = png_get_rowbytes(j->png, j->info);
	size_t need = (size_t)w * (size_t)l->channels * (l->bit_depth == 16 ? 2 : 1);
	if (rowbytes < need)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: PNG rows of %zu bytes, need %zu", name,
				rowbytes, need);
	/* Adam7 needs every row at once; otherwise one row at a time. */
	size_t rows = passes > 1 ? h : 1, total;
	if (!clx_mul_ok(rowbytes, rows, &total) || !(j->raw = clx_malloc(total)))
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for PNG rows", name);
	if (passes > 1) {
		for (int p = 0; p < passes; p++)
			for (png_uint_32 y = 0; y < h; y++)
				png_read_row(j->png, j->raw + (size_t)y * rowbytes, NULL);
		for (png_uint_32 y = 0; y < h; y++)
			convert_row(j->raw + (size_t)y * rowbytes, l, (int32_t)w,
				    out->rgb + (size_t)y * w * 3);
	} else {
		for (png_uint_32 y = 0; y < h; y++) {
			png_read_row(j->png, j->raw, NULL);
			convert_row(j->raw, l, (int32_t)w, out->rgb + (size_t)y * w * 3);
		}
	}
	collect_meta(j, meta); /* chunks before IDAT, in case the tail is bad */
	j->rows_done = true;
	png_read_end(j->png, j->info);
	collect_meta(j, meta); /* and those after it */
	return CLX_OK;
}

enum clx_status clx_image_decode_png(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				     size_t len, struct clx_image *out,
				     struct clx_image_meta *meta)
{
	struct png_job *j = clx_calloc(1, sizeof *j);
	struct layout *l = clx_calloc(1, sizeof *l);
	enum clx_status st;
	if (!j || !l) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", name);
		goto done;
	}
	j->data = data;
	j->len = len;
	j->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, j, on_error, on_warning);
	if (j->png)
		j->info = png_create_info_struct(j->png);
	if (!j->png || !j->info) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory (libpng)", name);
		goto done;
	}
	st = run(ctx, name, j, out, meta, l);
	if (st == CLX_OK)
		clx_image_warning_flush(ctx, name, "PNG", &j->warn);
done:
	if (j && j->png)
		png_destroy_read_struct(&j->png, j->info ? &j->info : NULL, NULL);
	if (j)
		clx_free(j->raw);
	clx_free(j);
	clx_free(l);
	if (st != CLX_OK) {
		clx_free(out->rgb);
		out->rgb = NULL;
	}
	return st;
}
