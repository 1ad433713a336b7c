/* image_internal.h — what image.c (dispatch, limits, EXIF) shares with the
 * per-format decoders image_jpeg.c, image_png.c, image_webp.c, image_bmp.c and
 * image_gif.c. Internal.
 *
 * Each decoder fills out->width, height, rgb (through clx_image_alloc, which
 * checks the limits first), animated, and its metadata: the EXIF block (TIFF
 * bytes, with or without the "Exif\0\0" prefix) and XMP packet it found, which
 * image.c turns into an orientation as Pillow's Image.getexif does. On failure
 * a decoder frees what it allocated and leaves out->rgb NULL. */
#ifndef CLX_IO_IMAGE_INTERNAL_H
#define CLX_IO_IMAGE_INTERNAL_H

#include "clx/image.h"

#include <stddef.h>
#include <stdint.h>

struct clx_image_meta {
	uint8_t *exif; /* clx_malloc'ed copies or NULL, freed by image.c */
	size_t exif_len;
	uint8_t *xmp;
	size_t xmp_len;
};

typedef enum clx_status (*clx_image_decoder_fn)(struct clx_ctx *ctx, const char *name,
						  const uint8_t *data, size_t len,
						  struct clx_image *out, struct clx_image_meta *meta);

enum clx_status clx_image_decode_jpeg(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				      size_t len, struct clx_image *out,
				      struct clx_image_meta *meta);
enum clx_status clx_image_decode_png(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				     size_t len, struct clx_image *out,
				     struct clx_image_meta *meta);
enum clx_status clx_image_decode_webp(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				      size_t len, struct clx_image *out,
				      struct clx_image_meta *meta);
enum clx_status clx_image_decode_bmp(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				     size_t len, struct clx_image *out,
				     struct clx_image_meta *meta);
enum clx_status clx_image_decode_gif(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				     size_t len, struct clx_image *out,
				     struct clx_image_meta *meta);

/* The header's width × height against CLX_MAX_IMAGE_DIM / _PIXELS (fmt names
 * the format in the message): zero → CLX_ERR_FORMAT, over a limit →
 * CLX_ERR_UNSUPPORTED. */
enum clx_status clx_image_check_size(struct clx_ctx *ctx, const char *name, const char *fmt,
				     int64_t width, int64_t height);

/* Checks the size, then sets out->width / height and allocates out->rgb
 * (zero-filled). */
enum clx_status clx_image_alloc(struct clx_ctx *ctx, const char *name, const char *fmt,
				int64_t width, int64_t height, struct clx_image *out);

/* Keeps a copy of an EXIF or XMP block (the last one given wins; an
 * allocation failure only loses the metadata). */
void clx_image_meta_set(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len);

/* Libraries' warnings, one line per image: the first message and a count,
 * given to clx_warn when the decode ends (successful or not). */
struct clx_image_warnings {
	char first[160];
	int count;
};
void clx_image_warning_add(struct clx_image_warnings *w, const char *msg);
void clx_image_warning_flush(struct clx_ctx *ctx, const char *name, const char *fmt,
			     const struct clx_image_warnings *w);

#endif
