/* image_webp.c — WebP through libwebp's animation decoder, the API Pillow 13's
 * WebPImagePlugin uses for every WebP (still or animated, lossy or lossless):
 * MODE_RGBA, non-premultiplied, the first frame composed on a canvas cleared
 * to transparent black (the background colour ignored, as libwebp's
 * WebPAnimDecoder does). Alpha is dropped; RGB under transparent pixels is
 * kept as decoded. EXIF and XMP come from the container's chunks. The canvas
 * size is checked from the header before the decoder allocates it. */
#include "io/image_internal.h"

#include <stdio.h>
#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>

static void collect_chunk(const WebPDemuxer *demux, const char *fourcc, uint8_t **dst,
			  size_t *dst_len)
{
	WebPChunkIterator it;
	if (WebPDemuxGetChunk(demux, fourcc, 1, &it)) {
		clx_image_meta_set(dst, dst_len, it.chunk.bytes, it.chunk.size);
		WebPDemuxReleaseChunkIterator(&it);
	}
}

enum clx_status clx_image_decode_webp(struct clx_ctx *ctx, const char *name, const uint8_t *data,
				      size_t len, struct clx_image *out,
				      struct clx_image_meta *meta)
{
	WebPBitstreamFeatures feat;
	VP8StatusCode vs = WebPGetFeatures(data, len, &feat);
	if (vs == VP8_STATUS_NOT_ENOUGH_DATA)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: WebP is truncated (in its header)", name);
	if (vs != VP8_STATUS_OK)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: corrupt WebP header (libwebp status %d)",
				name, (int)vs);
	enum clx_status st = clx_image_check_size(ctx, name, "WebP", feat.width, feat.height);
	if (st)
		return st;
	WebPAnimDecoderOptions opt;
	if (!WebPAnimDecoderOptionsInit(&opt))
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: libwebp version mismatch", name);
	opt.color_mode = MODE_RGBA;
	opt.use_threads = 0;
	WebPData wd = { data, len };
	WebPAnimDecoder *dec = WebPAnimDecoderNew(&wd, &opt);
	if (!dec) /* the demuxer wants the whole file: truncation lands here too */
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: corrupt or truncated WebP (libwebp "
				"cannot parse it)", name);
	WebPAnimInfo info;
	uint8_t *rgba = NULL;
	int ts = 0;
	if (!WebPAnimDecoderGetInfo(dec, &info)) {
		st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: corrupt WebP (no canvas)", name);
		goto done;
	}
	if ((st = clx_image_alloc(ctx, name, "WebP", info.canvas_width, info.canvas_height, out)))
		goto done;
	if (!WebPAnimDecoderGetNext(dec, &rgba, &ts) || !rgba) {
		st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: corrupt WebP: the first frame does not "
			      "decode", name);
		goto done;
	}
	size_t n = (size_t)out->width * (size_t)out->height;
	for (size_t i = 0; i < n; i++)
		memcpy(out->rgb + 3 * i, rgba + 4 * i, 3);
	out->animated = info.frame_count > 1;
	const WebPDemuxer *demux = WebPAnimDecoderGetDemuxer(dec);
	if (demux) {
		collect_chunk(demux, "EXIF", &meta->exif, &meta->exif_len);
		collect_chunk(demux, "XMP ", &meta->xmp, &meta->xmp_len);
	}
done:
	WebPAnimDecoderDelete(dec);
	if (st != CLX_OK) {
		clx_free(out->rgb);
		out->rgb = NULL;
	}
	return st;
}
