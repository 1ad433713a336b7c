/* image.c — still images as Pillow's Image.open(f).convert("RGB") (clx/image.h,
 * docs/IMAGES.md): reading the file, choosing the decoder by magic bytes, the
 * limits, and the EXIF orientation as PIL.ImageOps.exif_transpose applies it.
 * The decoders are image_jpeg.c, image_png.c, image_webp.c, image_bmp.c and
 * image_gif.c. */
#include "io/image_internal.h"
#include "clx/limits.h"

#include <stdio.h>
#include <string.h>

/* ================================================================ limits */

enum clx_status clx_image_check_size(struct clx_ctx *ctx, const char *name, const char *fmt,
				     int64_t width, int64_t height)
{
	if (width <= 0 || height <= 0)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: %s image of %lld x %lld pixels (a zero "
				"or negative size)", name, fmt, (long long)width, (long long)height);
	if (width > CLX_MAX_IMAGE_DIM || height > CLX_MAX_IMAGE_DIM ||
	    width * height > CLX_MAX_IMAGE_PIXELS)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: %s image of %lld x %lld pixels is "
				"over clx's limits (%d per side, %d pixels)", name, fmt,
				(long long)width, (long long)height, CLX_MAX_IMAGE_DIM,
				CLX_MAX_IMAGE_PIXELS);
	return CLX_OK;
}

enum clx_status clx_image_alloc(struct clx_ctx *ctx, const char *name, const char *fmt,
				int64_t width, int64_t height, struct clx_image *out)
{
	enum clx_status st = clx_image_check_size(ctx, name, fmt, width, height);
	if (st)
		return st;
	/* within the limits the product fits easily: 89 M pixels × 3 */
	out->rgb = clx_calloc((size_t)width * (size_t)height, 3);
	if (!out->rgb)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for %lld x %lld pixels",
				name, (long long)width, (long long)height);
	out->width = (int32_t)width;
	out->height = (int32_t)height;
	return CLX_OK;
}

void clx_image_meta_set(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len)
{
	uint8_t *copy = clx_malloc(len ? len : 1);
	if (!copy)
		return; /* metadata is optional: the image still decodes */
	if (len)
		memcpy(copy, src, len);
	clx_free(*dst);
	*dst = copy;
	*dst_len = len;
}

/* ============================================================== warnings */

void clx_image_warning_add(struct clx_image_warnings *w, const char *msg)
{
	if (w->count++ == 0) {
		snprintf(w->first, sizeof w->first, "%s", msg);
		w->first[strcspn(w->first, "\n")] = '\0';
	}
}

void clx_image_warning_flush(struct clx_ctx *ctx, const char *name, const char *fmt,
			     const struct clx_image_warnings *w)
{
	if (w->count == 1)
		clx_warn(ctx, "%s: %s decoder: %s", name, fmt, w->first);
	else if (w->count > 1)
		clx_warn(ctx, "%s: %s decoder: %s (and %d more warnings)", name, fmt, w->first,
			 w->count - 1);
}

/* ================================================================== EXIF */

static uint32_t rd(const uint8_t *p, int n, bool big)
{
	uint32_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint32_t)p[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

/* The orientation tag (0x0112) of IFD0 in an EXIF block, as Pillow's Exif.load
 * reads it: the "Exif\0\0" prefix (once or twice) dropped, a TIFF header, IFD0's
 * entries read while they fit (a truncated IFD keeps the entries before the
 * cut), the last 0x0112 entry winning. *present tells whether the tag was
 * there; the value is 0 when it is not a single integer. */
static int exif_orientation(const uint8_t *d, size_t n, bool *present)
{
	*present = false;
	for (int i = 0; i < 2 && n >= 6 && memcmp(d, "Exif\0\0", 6) == 0; i++) {
		d += 6;
		n -= 6;
	}
	if (n < 8)
		return 0;
	bool big;
	if (memcmp(d, "II*\0", 4) == 0)
		big = false;
	else if (memcmp(d, "MM\0*", 4) == 0)
		big = true;
	else
		return 0;
	uint32_t ifd = rd(d + 4, 4, big);
	if (ifd > n || n - ifd < 2)
		return 0;
	uint32_t count = rd(d + ifd, 2, big);
	int value = 0;
	for (uint32_t i = 0; i < count; i++) {
		size_t at = (size_t)ifd + 2 + (size_t)i * 12;
		if (at + 12 > n)
			break;
		const uint8_t *e = d + at;
		if (rd(e, 2, big) != 0x0112)
			continue;
		*present = true;
		uint32_t type = rd(e + 2, 2, big), cnt = rd(e + 4, 4, big);
		value = 0;
		if (cnt != 1)
			continue; /* a tuple: Pillow's lookup finds no transpose */
		switch (type) {
		case 1: /* BYTE */
		case 6: /* SBYTE */
			value = (type == 6) ? (int8_t)e[8] : e[8];
			break;
		case 3: /* SHORT */
		case 8: /* SSHORT */
			value = (type == 8) ? (int16_t)rd(e + 8, 2, big) : (int)rd(e + 8, 2, big);
			break;
		case 4: /* LONG */
		case 9: /* SLONG */
			value = (int)(int32_t)rd(e + 8, 4, big);
			break;
		default:
			break;
		}
	}
	return value;
}

/* Pillow's fallback when EXIF has no orientation: the first match of
 * tiff:Orientation(="|>)([0-9]) in the XMP packet. */
static int xmp_orientation(const uint8_t *d, size_t n)
{
	static const char key[] = "tiff:Orientation";
	const size_t k = sizeof key - 1;
	for (size_t i = 0; i + k < n; i++) {
		if (memcmp(d + i, key, k) != 0)
			continue;
		size_t j = i + k;
		if (j + 2 < n && d[j] == '=' && d[j + 1] == '"' && d[j + 2] >= '0' &&
		    d[j + 2] <= '9')
			return d[j + 2] - '0';
		if (j + 1 < n && d[j] == '>' && d[j + 1] >= '0' && d[j + 1] <= '9')
			return d[j + 1] - '0';
	}
	return 0;
}

static int orientation_of(const struct clx_image_meta *m)
{
	bool present = false;
	int o = m->exif ? exif_orientation(m->exif, m->exif_len, &present) : 0;
	if (!present && m->xmp)
		o = xmp_orientation(m->xmp, m->xmp_len);
	return o >= 1 && o <= 8 ? o : 0;
}

/* ImageOps.exif_transpose's Image.transpose for orientation o (2–8): output
 * pixel (x, y) of the ow × oh result is source pixel (sx, sy). 5–8 swap the
 * sides. */
static enum clx_status transpose(struct clx_ctx *ctx, const char *name, struct clx_image *img,
				 int o)
{
	const int32_t w = img->width, h = img->height;
	const bool swap = o >= 5;
	const int32_t ow = swap ? h : w, oh = swap ? w : h;
	uint8_t *dst = clx_malloc((size_t)w * (size_t)h * 3);
	if (!dst)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for the EXIF rotation", name);
	for (int32_t y = 0; y < oh; y++) {
		for (int32_t x = 0; x < ow; x++) {
			int32_t sx, sy;
			switch (o) {
			case 2: sx = w - 1 - x; sy = y; break;          /* FLIP_LEFT_RIGHT */
			case 3: sx = w - 1 - x; sy = h - 1 - y; break;  /* ROTATE_180 */
			case 4: sx = x; sy = h - 1 - y; break;          /* FLIP_TOP_BOTTOM */
			case 5: sx = y; sy = x; break;                  /* TRANSPOSE */
			case 6: sx = y; sy = h - 1 - x; break;          /* ROTATE_270 */
			case 7: sx = w - 1 - y; sy = h - 1 - x; break;  /* TRANSVERSE */
			default: sx = w - 1 - y; sy = x; break;         /* 8: ROTATE_90 */
			}
			memcpy(dst + ((size_t)y * ow + x) * 3, img->rgb + ((size_t)sy * w + sx) * 3, 3);
		}
	}
	clx_free(img->rgb);
	img->rgb = dst;
	img->width = ow;
	img->height = oh;
	return CLX_OK;
}

/* ============================================================== dispatch */

static const char *format_of(const uint8_t *d, size_t n, clx_image_decoder_fn *fn)
{
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) {
		*fn = clx_image_decode_jpeg;
		return "jpeg";
	}
	if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) {
		*fn = clx_image_decode_png;
		return "png";
	}
	if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) {
		*fn = clx_image_decode_webp;
		return "webp";
	}
	if (n >= 2 && d[0] == 'B' && d[1] == 'M') {
		*fn = clx_image_decode_bmp;
		return "bmp";
	}
	if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) {
		*fn = clx_image_decode_gif;
		return "gif";
	}
	return NULL;
}

enum clx_status clx_image_decode(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				 size_t len, const struct clx_image_opts *opts,
				 struct clx_image *out)
{
	if (!out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_image_decode: NULL output");
	memset(out, 0, sizeof *out);
	if (!name)
		name = "image";
	if (!data && len)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: NULL data", name);
	if (len == 0)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: empty file", name);
	if (len > CLX_MAX_IMAGE_FILE)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: %zu bytes is over the %u-byte image "
				"file limit", name, len, (unsigned)CLX_MAX_IMAGE_FILE);
	clx_image_decoder_fn fn = NULL;
	const char *fmt = format_of(data, len, &fn);
	if (!fmt)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: not a JPEG, PNG, WebP, BMP or GIF "
				"file (unknown magic bytes)", name);
	struct clx_image_meta meta = { 0 };
	struct clx_image img = { 0 };
	enum clx_status st = fn(ctx, name, data, len, &img, &meta);
	if (st == CLX_OK) {
		snprintf(img.format, sizeof img.format, "%s", fmt);
		img.orientation = orientation_of(&meta);
		if (opts && opts->apply_exif && img.orientation >= 2)
			st = transpose(ctx, name, &img, img.orientation);
	}
	clx_free(meta.exif);
	clx_free(meta.xmp);
	if (st != CLX_OK) {
		clx_free(img.rgb);
		return st;
	}
	*out = img;
	return CLX_OK;
}

enum clx_status clx_image_read(struct clx_ctx *ctx, const char *path,
			       const struct clx_image_opts *opts, struct clx_image *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	if (!path || !out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_image_read: NULL argument");
	char *buf = NULL;
	size_t len = 0;
	enum clx_status st = clx_file_read(ctx, path, CLX_MAX_IMAGE_FILE, &buf, &len);
	if (st != CLX_OK)
		return st;
	st = clx_image_decode(ctx, path, (const uint8_t *)buf, len, opts, out);
	clx_free(buf);
	return st;
}

void clx_image_release(struct clx_image *img)
{
	if (!img)
		return;
	clx_free(img->rgb);
	memset(img, 0, sizeof *img);
}
