/* image_bmp.c — Windows / OS/2 bitmaps, clx's own reader, following Pillow
 * 13's BmpImagePlugin decision by decision:
 *   headers        BITMAPCOREHEADER (12 bytes, 3-byte palette entries) and the
 *                  40, 52, 56, 64, 108 (V4) and 124 (V5) byte headers
 *   depths         1, 4, 8 (palette), 16 (5-5-5; bitfields 5-6-5 or 5-5-5, each
 *                  field v·255 / max as Pillow's BGR;15 / BGR;16), 24, 32
 *                  (BI_RGB: BGRX; bitfields: Pillow's eight byte-aligned
 *                  layouts, alpha dropped)
 *   rows           bottom-up, or top-down when the height's top byte is 0xFF;
 *                  each padded to 4 bytes, the last one's padding not needed
 *   palette        BGR(X) lookup, entries past the palette black; a palette
 *                  that is a grey ramp is read as Pillow reads it ("1" or "L")
 *   pixel data     at bfOffBits, or after the palette when bfOffBits points
 *                  right behind the header
 * Refused: RLE4/RLE8 (Pillow decodes them; clx does not), JPEG/PNG inside a
 * BMP, other bitfield layouts and depths (Pillow refuses those too), and the
 * grey-ramp palettes Pillow misreads (8 bits with 2 entries, 4 bits). */
#include "io/image_internal.h"

#include <stdio.h>
#include <string.h>

#define BI_RGB 0
#define BI_RLE8 1
#define BI_RLE4 2
#define BI_BITFIELDS 3

static uint32_t u16le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct bmp {
	int64_t width, height;
	bool top_down;
	uint32_t header, bits, compression, colors, pal_entry; /* pal_entry: 3 or 4 bytes */
	uint32_t mask[4];        /* r, g, b, a for bitfields */
	size_t pal_at, data_at;  /* offsets in the file */
	enum { PIX_PALETTE, PIX_GREY1, PIX_GREY8, PIX_DIRECT } kind;
	uint8_t palette[256][3]; /* RGB */
};

static enum clx_status truncated(struct clx_ctx *ctx, const char *name, const char *what)
{
	return clx_fail(ctx, CLX_ERR_FORMAT, "%s: BMP is truncated (%s)", name, what);
}

/* The info header: sizes, depth, compression, masks. */
static enum clx_status read_header(struct clx_ctx *ctx, const char *name, const uint8_t *d,
				   size_t n, struct bmp *b)
{
	if (n < 18)
		return truncated(ctx, name, "no info header");
	b->header = u32le(d + 14);
	if (b->header != 12 && b->header != 40 && b->header != 52 && b->header != 56 &&
	    b->header != 64 && b->header != 108 && b->header != 124)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: BMP info header of %u bytes is not "
				"supported", name, b->header);
	if (n < 14 + (size_t)b->header)
		return truncated(ctx, name, "in the info header");
	const uint8_t *h = d + 18; /* the header after its size field */
	b->pal_at = 14 + b->header;
	if (b->header == 12) {
		b->width = u16le(h);
		b->height = u16le(h + 2);
		b->bits = u16le(h + 6);
		b->compression = BI_RGB;
		b->pal_entry = 3;
		return CLX_OK;
	}
	b->width = u32le(h); /* unsigned, as Pillow reads it: a negative width is huge */
	b->top_down = h[7] == 0xFF;
	b->height = b->top_down ? (int64_t)((1ull << 32) - u32le(h + 4)) : (int64_t)u32le(h + 4);
	b->bits = u16le(h + 10);
	b->compression = u32le(h + 12);
	b->colors = u32le(h + 28);
	b->pal_entry = 4;
	if (b->compression == BI_BITFIELDS) {
		if (b->header >= 52) { /* the masks are inside the header */
			for (int i = 0; i < 3; i++)
				b->mask[i] = u32le(h + 36 + 4 * i);
			b->mask[3] = b->header >= 56 ? u32le(h + 48) : 0;
		} else { /* after a 40-byte header: three masks */
			if (n < b->pal_at + 12)
				return truncated(ctx, name, "in the bitfield masks");
			for (int i = 0; i < 3; i++)
				b->mask[i] = u32le(d + b->pal_at + 4 * i);
			b->pal_at += 12;
		}
	}
	return CLX_OK;
}

static bool masks_are(const struct bmp *b, uint32_t r, uint32_t g, uint32_t bl, uint32_t a)
{
	return b->mask[0] == r && b->mask[1] == g && b->mask[2] == bl && b->mask[3] == a;
}

/* Pillow's SUPPORTED bitfield layouts. */
static bool bitfields_supported(const struct bmp *b)
{
	if (b->bits == 32)
		return masks_are(b, 0xFF0000, 0xFF00, 0xFF, 0) ||
		       masks_are(b, 0xFF000000, 0xFF0000, 0xFF00, 0) ||
		       masks_are(b, 0xFF000000, 0xFF00, 0xFF, 0) ||
		       masks_are(b, 0xFF000000, 0xFF0000, 0xFF00, 0xFF) ||
		       masks_are(b, 0xFF, 0xFF00, 0xFF0000, 0xFF000000) ||
		       masks_are(b, 0xFF0000, 0xFF00, 0xFF, 0xFF000000) ||
		       masks_are(b, 0xFF000000, 0xFF00, 0xFF, 0xFF0000) || masks_are(b, 0, 0, 0, 0);
	/* 24 and 16 bits: Pillow compares the RGB masks only */
	if (b->bits == 24)
		return b->mask[0] == 0xFF0000 && b->mask[1] == 0xFF00 && b->mask[2] == 0xFF;
	if (b->bits == 16)
		return b->mask[2] == 0x1F && ((b->mask[0] == 0xF800 && b->mask[1] == 0x7E0) ||
					      (b->mask[0] == 0x7C00 && b->mask[1] == 0x3E0));
	return false;
}

/* Depth and compression against what Pillow reads. */
static enum clx_status check_encoding(struct clx_ctx *ctx, const char *name, struct bmp *b)
{
	if (b->bits != 1 && b->bits != 4 && b->bits != 8 && b->bits != 16 && b->bits != 24 &&
	    b->bits != 32)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: BMP with %u bits per pixel is not "
				"supported", name, b->bits);
	switch (b->compression) {
	case BI_RGB:
		if (b->bits == 32) /* Pillow's BGRX */
			b->mask[0] = 0xFF0000, b->mask[1] = 0xFF00, b->mask[2] = 0xFF;
		else if (b->bits == 16) /* Pillow's BGR;15 */
			b->mask[0] = 0x7C00, b->mask[1] = 0x3E0, b->mask[2] = 0x1F;
		return CLX_OK;
	case BI_BITFIELDS:
		if (!bitfields_supported(b))
			return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: BMP bitfields layout %u bits "
					"R %#x G %#x B %#x A %#x is not supported", name, b->bits,
					b->mask[0], b->mask[1], b->mask[2], b->mask[3]);
		if (b->bits == 32 && !b->mask[0] && !b->mask[1] && !b->mask[2]) /* BGRA */
			b->mask[0] = 0xFF0000, b->mask[1] = 0xFF00, b->mask[2] = 0xFF;
		return CLX_OK;
	case BI_RLE8:
	case BI_RLE4:
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: RLE-compressed BMP (%s) is not "
				"supported", name, b->compression == BI_RLE8 ? "RLE8" : "RLE4");
	default:
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: BMP compression %u is not supported",
				name, b->compression);
	}
}

/* The palette, and Pillow's grey-ramp shortcut: a palette whose entry i is
 * grey (0, 255 for two colours; i otherwise) is dropped and the data read as
 * mode "1" (1 bit a pixel) or "L" (8 bits), whatever the file's depth. */
static enum clx_status read_palette(struct clx_ctx *ctx, const char *name, const uint8_t *d,
				    size_t n, struct bmp *b)
{
	if (b->colors == 0 || b->colors > 65536)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: BMP palette of %u colours", name,
				b->colors);
	size_t bytes = (size_t)b->colors * b->pal_entry;
	if (b->pal_at > n || n - b->pal_at < bytes)
		return truncated(ctx, name, "in the palette");
	const uint8_t *p = d + b->pal_at;
	bool grey = true;
	for (uint32_t i = 0; i < b->colors && grey; i++) {
		unsigned v = b->colors == 2 ? (i ? 255 : 0) : (i & 255); /* Pillow's o8 */
		const uint8_t *e = p + (size_t)i * b->pal_entry;
		grey = e[0] == v && e[1] == v && e[2] == v;
	}
	if (grey) {
		if (b->colors <= 2 && b->bits == 1) {
			b->kind = PIX_GREY1;
			return CLX_OK;
		}
		if (b->colors > 2 && b->bits == 8) {
			b->kind = PIX_GREY8;
			return CLX_OK;
		}
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: BMP of %u bits with a grey palette "
				"of %u entries (Pillow reads its data at the wrong depth)", name,
				b->bits, b->colors);
	}
	b->kind = PIX_PALETTE;
	for (uint32_t i = 0; i < b->colors && i < 256; i++) {
		const uint8_t *e = p + (size_t)i * b->pal_entry;
		b->palette[i][0] = e[2];
		b->palette[i][1] = e[1];
		b->palette[i][2] = e[0];
	}
	return CLX_OK;
}

static uint8_t field(uint32_t v, uint32_t mask)
{
	if (!mask)
		return 0;
	int shift = __builtin_ctz(mask);
	uint32_t max = mask >> shift;
	return (uint8_t)(((v & mask) >> shift) * 255 / max); /* exact for 8-bit fields */
}

static void convert_row(const struct bmp *b, const uint8_t *row, uint8_t *out)
{
	for (int64_t x = 0; x < b->width; x++, out += 3) {
		uint32_t v;
		switch (b->bits) {
		case 1: v = row[x >> 3] >> (7 - (x & 7)) & 1; break;
		case 4: v = row[x >> 1] >> ((x & 1) ? 0 : 4) & 15; break;
		case 8: v = row[x]; break;
		case 16: v = u16le(row + 2 * x); break;
		case 24: v = (uint32_t)row[3 * x] | (uint32_t)row[3 * x + 1] << 8 |
			     (uint32_t)row[3 * x + 2] << 16; break;
		default: v = u32le(row + 4 * x); break;
		}
		if (b->kind == PIX_PALETTE) {
			memcpy(out, b->palette[v], 3);
		} else if (b->kind == PIX_GREY1 || b->kind == PIX_GREY8) {
			out[0] = out[1] = out[2] = (uint8_t)(b->kind == PIX_GREY1 ? v * 255 : v);
		} else if (b->bits == 24) {
			out[0] = (uint8_t)(v >> 16), out[1] = (uint8_t)(v >> 8), out[2] = (uint8_t)v;
		} else {
			out[0] = field(v, b->mask[0]);
			out[1] = field(v, b->mask[1]);
			out[2] = field(v, b->mask[2]);
		}
	}
}

enum clx_status clx_image_decode_bmp(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				     size_t len, struct clx_image *out,
				     struct clx_image_meta *meta)
{
	(void)meta; /* BMP has no EXIF */
	struct bmp *b = clx_calloc(1, sizeof *b);
	if (!b)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", name);
	enum clx_status st = read_header(ctx, name, data, len, b);
	if (!st)
		st = check_encoding(ctx, name, b);
	if (!st)
		st = clx_image_check_size(ctx, name, "BMP", b->width, b->height);
	if (st)
		goto done;
	size_t offset = u32le(data + 10);
	if (b->bits <= 8) {
		if (b->colors == 0)
			b->colors = 1u << b->bits;
		if (offset == 14 + b->header)
			offset += (size_t)b->pal_entry * b->colors;
		if ((st = read_palette(ctx, name, data, len, b)))
			goto done;
	} else {
		b->kind = PIX_DIRECT;
	}
	/* the last row needs its pixels, not its padding (Pillow's raw decoder) */
	size_t stride = (((size_t)b->width * b->bits + 31) >> 3) & ~(size_t)3;
	size_t row_bytes = ((size_t)b->width * b->bits + 7) >> 3;
	size_t need = stride * (size_t)(b->height - 1) + row_bytes;
	if (offset > len || len - offset < need) {
		st = truncated(ctx, name, "in the pixel data");
		goto done;
	}
	if ((st = clx_image_alloc(ctx, name, "BMP", b->width, b->height, out)))
		goto done;
	for (int64_t y = 0; y < b->height; y++) {
		int64_t file_row = b->top_down ? y : b->height - 1 - y;
		convert_row(b, data + offset + (size_t)file_row * stride,
			    out->rgb + (size_t)y * (size_t)b->width * 3);
	}
done:
	clx_free(b);
	return st;
}
