/* image.h — still images decoded as Pillow's Image.open(f).convert("RGB")
 * gives them to CLIPProcessor (docs/IMAGES.md).
 *
 * JPEG (libjpeg-turbo), PNG (libpng), WebP (libwebp), BMP (clx's own reader)
 * and GIF (giflib, first frame), chosen by magic bytes, never by extension.
 * The result is 8-bit RGB, HWC, with Pillow's conversions reproduced: palette
 * lookup (tRNS ignored), alpha dropped, 1/2/4-bit grey scaled, 16-bit samples
 * cut to their high byte (16-bit grey clipped at 255, as Pillow's I;16),
 * CMYK JPEG converted as Pillow's cmyk2rgb. Limits: limits.h "Image input".
 *
 * Errors name the file: CLX_ERR_FORMAT for malformed or truncated data (and
 * an empty file), CLX_ERR_UNSUPPORTED for well-formed files clx does not
 * read (an unknown format, RLE BMP, 12-bit JPEG, an image over the limits),
 * CLX_ERR_IO / CLX_ERR_NOT_FOUND from reading the file. */
#ifndef CLX_IMAGE_H
#define CLX_IMAGE_H

#include "clx/clx.h"

#ifdef __cplusplus
extern "C" {
#endif

struct clx_image_opts {
	/* false: ignore EXIF orientation, as CLIPProcessor does. true: apply the
	 * orientation tag (1–8) as PIL.ImageOps.exif_transpose does — from the
	 * EXIF block of a JPEG (APP1), PNG (eXIf) or WebP (EXIF chunk), or, when
	 * that has no orientation tag, from XMP's tiff:Orientation. */
	bool apply_exif;
};

struct clx_image {
	int32_t width, height;
	uint8_t *rgb;            /* height × width × 3, row-major HWC, owned */
	char format[8];          /* "jpeg", "png", "webp", "bmp", "gif" */
	bool animated;           /* the file has more frames; the first was taken */
	int32_t orientation;     /* the EXIF orientation found (1–8), 0 when none;
	                          * applied only with apply_exif */
};

/* Reads a file (without blocking, through clx's input reader: a FIFO, pipe
 * or "-" works too) of at most CLX_MAX_IMAGE_FILE bytes and decodes it.
 * opts may be NULL (the defaults: apply_exif false). On failure *out is
 * zeroed and owns nothing. */
enum clx_status clx_image_read(struct clx_ctx *ctx, const char *path,
			       const struct clx_image_opts *opts, struct clx_image *out);

/* Decodes len bytes in memory; `name` is used in messages. */
enum clx_status clx_image_decode(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				 size_t len, const struct clx_image_opts *opts,
				 struct clx_image *out);

/* Frees img->rgb and zeroes *img; NULL and a zeroed image are fine. */
void clx_image_release(struct clx_image *img);

#ifdef __cplusplus
}
#endif
#endif
