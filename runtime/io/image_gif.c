/* image_gif.c — the first frame of a GIF through giflib, composed as Pillow
 * 13's GifImagePlugin composes frame 0:
 *   - the image is the logical screen, grown to hold the frame if the frame
 *     reaches past it;
 *   - it starts filled with the frame's transparency index (from a graphic
 *     control extension before it), else index 0, and the frame's pixels
 *     (every one, the transparent ones too) are written at its offset;
 *   - indices go through the frame's local colour table, else the global one,
 *     padded with black to 256 entries — or straight to grey when there is no
 *     table or the table is the identity grey ramp (Pillow's mode "L").
 * Later frames are not decoded; `animated` says whether one follows. giflib
 * leaves interlaced rows in stream order, so they are placed here. */
#include "io/image_internal.h"

#include <gif_lib.h>
#include <stdio.h>
#include <string.h>

struct gif_src {
	const uint8_t *data;
	size_t len, pos;
};

static int on_read(GifFileType *g, GifByteType *dst, int n)
{
	struct gif_src *s = g->UserData;
	size_t k = n < 0 ? 0 : (size_t)n;
	if (k > s->len - s->pos)
		k = s->len - s->pos;
	memcpy(dst, s->data + s->pos, k);
	s->pos += k;
	return (int)k;
}

static enum clx_status gif_error(struct clx_ctx *ctx, const char *name, int code)
{
	const char *why = GifErrorString(code);
	if (code == D_GIF_ERR_READ_FAILED || code == D_GIF_ERR_EOF_TOO_SOON)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: GIF is truncated (%s)", name,
				why ? why : "read failed");
	if (code == D_GIF_ERR_NOT_ENOUGH_MEM)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: GIF: out of memory", name);
	return clx_fail(ctx, CLX_ERR_FORMAT, "%s: corrupt GIF: %s", name,
			why ? why : "unknown giflib error");
}

/* Pillow's _is_palette_needed: false for the identity grey ramp. */
static bool palette_needed(const ColorMapObject *m)
{
	for (int i = 0; i < m->ColorCount; i++)
		if (m->Colors[i].Red != i || m->Colors[i].Green != i || m->Colors[i].Blue != i)
			return true;
	return false;
}

/* Skips an extension's sub-blocks; a graphic control extension's
 * transparency flag sets *trans (Pillow reads the first sub-block only). */
static int read_extension(GifFileType *g, int *trans)
{
	int code;
	GifByteType *ext = NULL;
	if (DGifGetExtension(g, &code, &ext) == GIF_ERROR)
		return GIF_ERROR;
	if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4 && (ext[1] & 1))
		*trans = ext[4];
	while (ext)
		if (DGifGetExtensionNext(g, &ext) == GIF_ERROR)
			return GIF_ERROR;
	return GIF_OK;
}

/* Reads the frame's rows into idx (canvas width cw), at its offset, in
 * interlaced order when the frame is interlaced. */
static int read_frame(GifFileType *g, uint8_t *idx, int64_t cw)
{
	const GifImageDesc *f = &g->Image;
	static const int start[4] = { 0, 4, 2, 1 }, step[4] = { 8, 8, 4, 2 };
	int passes = f->Interlace ? 4 : 1;
	for (int p = 0; p < passes; p++) {
		int y0 = f->Interlace ? start[p] : 0, dy = f->Interlace ? step[p] : 1;
		for (int y = y0; y < f->Height; y += dy) {
			uint8_t *row = idx + (size_t)(f->Top + y) * (size_t)cw + (size_t)f->Left;
			if (DGifGetLine(g, row, f->Width) == GIF_ERROR)
				return GIF_ERROR;
		}
	}
	return GIF_OK;
}

/* After frame 0: is there another image descriptor? (Errors: no.) */
static bool has_more_frames(GifFileType *g)
{
	int trans = -1;
	for (;;) {
		GifRecordType t;
		if (DGifGetRecordType(g, &t) == GIF_ERROR)
			return false;
		if (t == IMAGE_DESC_RECORD_TYPE)
			return true;
		if (t != EXTENSION_RECORD_TYPE || read_extension(g, &trans) == GIF_ERROR)
			return false;
	}
}

static void to_rgb(const uint8_t *idx, size_t n, const ColorMapObject *map, uint8_t *rgb)
{
	uint8_t pal[256][3];
	memset(pal, 0, sizeof pal);
	bool grey = !map || !palette_needed(map);
	for (int i = 0; i < 256; i++) {
		if (grey) {
			pal[i][0] = pal[i][1] = pal[i][2] = (uint8_t)i;
		} else if (i < map->ColorCount) {
			pal[i][0] = map->Colors[i].Red;
			pal[i][1] = map->Colors[i].Green;
			pal[i][2] = map->Colors[i].Blue;
		}
	}
	for (size_t i = 0; i < n; i++)
		memcpy(rgb + 3 * i, pal[idx[i]], 3);
}

static enum clx_status first_frame(struct clx_ctx *ctx, const char *name, GifFileType *g,
				   struct clx_image *out, uint8_t **idx)
{
	int trans = -1;
	for (;;) {
		GifRecordType t;
		if (DGifGetRecordType(g, &t) == GIF_ERROR)
			return gif_error(ctx, name, g->Error);
		if (t == TERMINATE_RECORD_TYPE)
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: GIF has no image", name);
		if (t == EXTENSION_RECORD_TYPE) {
			if (read_extension(g, &trans) == GIF_ERROR)
				return gif_error(ctx, name, g->Error);
			continue;
		}
		if (t == IMAGE_DESC_RECORD_TYPE)
			break;
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: corrupt GIF: unknown record", name);
	}
	if (DGifGetImageDesc(g) == GIF_ERROR)
		return gif_error(ctx, name, g->Error);
	const GifImageDesc *f = &g->Image;
	if (f->Width <= 0 || f->Height <= 0)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: GIF frame of %d x %d pixels", name,
				f->Width, f->Height);
	int64_t cw = g->SWidth, ch = g->SHeight; /* Pillow grows the screen to the frame */
	if ((int64_t)f->Left + f->Width > cw)
		cw = (int64_t)f->Left + f->Width;
	if ((int64_t)f->Top + f->Height > ch)
		ch = (int64_t)f->Top + f->Height;
	enum clx_status st = clx_image_check_size(ctx, name, "GIF", cw, ch);
	if (st)
		return st;
	*idx = clx_malloc((size_t)cw * (size_t)ch);
	if (!*idx)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", name);
	memset(*idx, trans >= 0 ? trans : 0, (size_t)cw * (size_t)ch);
	if (read_frame(g, *idx, cw) == GIF_ERROR)
		return gif_error(ctx, name, g->Error);
	if ((st = clx_image_alloc(ctx, name, "GIF", cw, ch, out)))
		return st;
	to_rgb(*idx, (size_t)cw * (size_t)ch, f->ColorMap ? f->ColorMap : g->SColorMap, out->rgb);
	out->animated = has_more_frames(g);
	return CLX_OK;
}

enum clx_status clx_image_decode_gif(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				     size_t len, struct clx_image *out,
				     struct clx_image_meta *meta)
{
	(void)meta; /* Pillow reads no EXIF from GIF */
	struct gif_src src = { data, len, 0 };
	int err = 0;
	GifFileType *g = DGifOpen(&src, on_read, &err);
	if (!g)
		return gif_error(ctx, name, err);
	uint8_t *idx = NULL;
	enum clx_status st = clx_image_check_size(ctx, name, "GIF", g->SWidth ? g->SWidth : 1,
						  g->SHeight ? g->SHeight : 1);
	if (!st)
		st = first_frame(ctx, name, g, out, &idx);
	clx_free(idx);
	DGifCloseFile(g, &err);
	if (st != CLX_OK) {
		clx_free(out->rgb);
		out->rgb = NULL;
	}
	return st;
}
