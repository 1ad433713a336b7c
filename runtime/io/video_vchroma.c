/* video_vchroma.c — frames whose chroma is subsampled vertically (4:2:0 at 9
 * to 16 bits, as HEVC Main 10/12, H.264 High 10 and VP9 profile 2 decode
 * to; 4:4:0 and 4:1:0; 8-bit 4:2:0 of odd height) converted to RGB24 the
 * way PyAV 18's libswscale 9 converts them.
 *
 * Why it exists: libswscale upsamples such chroma vertically with a two-tap
 * bilinear filter. libswscale 9 applies both taps; Debian 12's libswscale 6
 * takes a shortcut (the nearer chroma row, or the mean of two), so about a
 * third of the values came out one or more 8-bit levels off, up to ~50 on
 * sharp chroma edges. 4:2:2, 4:4:4 and 8-bit 4:2:0 of even height (the
 * unscaled converter) agree in both versions and stay with libswscale.
 *
 * What it does, in libswscale 9's integer arithmetic:
 *   1. horizontal filters to 15-bit intermediates (luma: identity; chroma:
 *      the bilinear filter from the source's chroma siting to the output's);
 *   2. the vertical chroma filter with 12-bit coefficients;
 *   3. for an even width, packed output with one chroma sample per two
 *      pixels: Y, U, V rounded to 8 bits and clipped, as libswscale's
 *      output stage does before its colour tables, handed back as 16-bit
 *      4:2:2 with co-sited chroma (value << 8) for libswscale 6 to finish
 *      with identity filters and the same tables (video_rgb.c);
 *      for an odd width libswscale switches to full-chroma output, which
 *      has no 8-bit stage: the RGB is computed here, with the coefficients
 *      libswscale derives from the colour space and range.
 * The filters are libswscale's initFilter for SWS_BILINEAR: the same
 * positions, tap counts, near-zero trimming, border folding and
 * error-diffusing normalisation (with x86's tap alignment). */
#ifdef CLX_HAVE_FFMPEG
#include "io/video_internal.h"

#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include <stdlib.h>
#include <string.h>

/* libswscale's SWS_MAX_REDUCE_CUTOFF: leading or trailing taps whose
 * summed weight stays under this fraction of one are trimmed */
#define REDUCE_CUTOFF 0.002

/* x86 tap alignment (what PyAV's x86-64 wheels use): horizontal filters
 * are padded to 4 taps, vertical to 2 (1 when every row has one tap). */
#define H_ALIGN 4
#define V_ALIGN 2

struct taps {
	int size;      /* taps per output sample */
	int32_t *pos;  /* first source sample, per output sample */
	int16_t *coef; /* size per output sample, summing to `one` */
};

static void taps_free(struct taps *t)
{
	clx_free(t->pos);
	clx_free(t->coef);
	memset(t, 0, sizeof(*t));
}

static int64_t rounded_div(int64_t a, int64_t b)
{
	return (a >= 0 ? a + (b >> 1) : a - (b >> 1)) / b;
}

/* libswscale's chroma position in a plane subsampled by 2^sub, from a
 * position in 1/256 of a chroma sample (-513 or less: unset, centred). */
static int local_pos(int sub, int pos)
{
	if (pos == -1 || pos <= -513)
		pos = (128 << sub) - 128;
	pos += 128;
	return pos >> sub;
}

/* The bilinear filter libswscale builds from src_n to dst_n samples with
 * the given (local) positions, normalised to `one`. */
static int bilinear_taps(int src_n, int dst_n, int src_pos, int dst_pos, int one, int align,
			 struct taps *out)
{
	const int64_t fone = (int64_t)1 << 54;
	const int64_t inc = (((int64_t)src_n << 16) + (dst_n >> 1)) / dst_n;
	int64_t *f = NULL, *g = NULL;
	int32_t *pos = clx_malloc(sizeof(*pos) * (size_t)(dst_n + 1));
	int n;
	memset(out, 0, sizeof(*out));
	if (!pos)
		return -1;

	if (llabs(inc - 0x10000) < 10 && src_pos == dst_pos) {
		n = 1;
		f = clx_malloc(sizeof(*f) * (size_t)dst_n);
		if (!f)
			goto fail;
		for (int i = 0; i < dst_n; i++) {
			f[i] = fone;
			pos[i] = i;
		}
	} else {
		n = inc <= (1 << 16) ? 3 : 1 + (2 * src_n + dst_n - 1) / dst_n;
		if (n > src_n - 2)
			n = src_n - 2;
		if (n < 1)
			n = 1;
		f = clx_malloc(sizeof(*f) * (size_t)dst_n * (size_t)n);
		if (!f)
			goto fail;
		int64_t x = ((dst_pos * inc) >> 7) - (((int64_t)src_pos * 0x10000) >> 7);
		for (int i = 0; i < dst_n; i++) {
			int64_t xx = (x - (int64_t)(n - 2) * (1 << 16)) / (1 << 17);
			pos[i] = (int32_t)xx;
			for (int j = 0; j < n; j++, xx++) {
				int64_t d = llabs(xx * (1 << 17) - x) << 13;
				if (inc > 1 << 16)
					d = d * dst_n / src_n;
				int64_t c = ((int64_t)1 << 30) - d;
				f[(size_t)i * n + j] = (c < 0 ? 0 : c) * (fone >> 30);
			}
			x += 2 * inc;
		}
	}

	/* trim near-zero taps: shift leading ones out, count trailing ones */
	int min_size = 0;
	for (int i = dst_n - 1; i >= 0; i--) {
		int64_t *row = f + (size_t)i * n;
		int keep = n;
		int64_t cut = 0;
		for (int j = 0; j < n; j++) {
			cut += llabs(row[0]);
			if ((double)cut > REDUCE_CUTOFF * (double)fone)
				break;
			if (i < dst_n - 1 && pos[i] >= pos[i + 1])
				break;
			memmove(row, row + 1, sizeof(*row) * (size_t)(n - 1));
			row[n - 1] = 0;
			pos[i]++;
		}
		cut = 0;
		for (int j = n - 1; j > 0; j--) {
			cut += llabs(row[j]);
			if ((double)cut > REDUCE_CUTOFF * (double)fone)
				break;
			keep--;
		}
		if (keep > min_size)
			min_size = keep;
	}
	if (min_size == 1 && align == 2)
		align = 1;
	int size = (min_size + align - 1) & ~(align - 1);
	g = clx_calloc((size_t)dst_n * (size_t)size, sizeof(*g));
	if (!g)
		goto fail;
	for (int i = 0; i < dst_n; i++)
		for (int j = 0; j < size && j < n; j++)
			g[(size_t)i * size + j] = f[(size_t)i * n + j];

	/* fold taps outside the source into its first or last sample */
	for (int i = 0; i < dst_n; i++) {
		int64_t *row = g + (size_t)i * size;
		if (pos[i] < 0) {
			for (int j = 1; j < size; j++) {
				int left = j + pos[i] > 0 ? j + pos[i] : 0;
				row[left] += row[j];
				row[j] = 0;
			}
			pos[i] = 0;
		}
		if (pos[i] + size > src_n) {
			int shift = pos[i] + (size - src_n < 0 ? size - src_n : 0);
			int64_t acc = 0;
			for (int j = size - 1; j >= 0; j--)
				if (pos[i] + j >= src_n) {
					acc += row[j];
					row[j] = 0;
				}
			for (int j = size - 1; j >= 0; j--)
				row[j] = j < shift ? 0 : row[j - shift];
			pos[i] -= shift;
			row[src_n - 1 - pos[i]] += acc;
		}
	}

	out->coef = clx_malloc(sizeof(*out->coef) * (size_t)dst_n * (size_t)size);
	if (!out->coef)
		goto fail;
	for (int i = 0; i < dst_n; i++) {
		const int64_t *row = g + (size_t)i * size;
		int64_t sum = 0, err = 0;
		for (int j = 0; j < size; j++)
			sum += row[j];
		sum = (sum + one / 2) / one;
		if (!sum)
			sum = 1;
		for (int j = 0; j < size; j++) {
			int64_t v = row[j] + err;
			int64_t c = rounded_div(v, sum);
			out->coef[(size_t)i * size + j] = (int16_t)c;
			err = v - c * sum;
		}
	}
	out->size = size;
	out->pos = pos;
	clx_free(f);
	clx_free(g);
	return 0;
fail:
	clx_free(pos);
	clx_free(f);
	clx_free(g);
	taps_free(out);
	return -1;
}

static int clip_u8(int v)
{
	return v < 0 ? 0 : v > 255 ? 255 : v;
}

int video_vchroma_applies(const AVFrame *f, int h)
{
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
	/* 8-bit 4:2:0 of even height takes libswscale's unscaled YUV→RGB
	 * converter instead, which both versions share */
	if (!d || ((f->format == AV_PIX_FMT_YUV420P || f->format == AV_PIX_FMT_YUVJ420P) &&
		   !(h & 1)))
		return 0;
	const int depth = d->comp[0].depth;
	return d->nb_components == 3 && d->log2_chroma_h >= 1 && d->log2_chroma_w <= 2 &&
	       (d->flags & AV_PIX_FMT_FLAG_PLANAR) &&
	       !(d->flags & (AV_PIX_FMT_FLAG_BE | AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_FLOAT |
			     AV_PIX_FMT_FLAG_ALPHA | AV_PIX_FMT_FLAG_PAL)) &&
	       depth >= 8 && depth <= 16 && d->comp[0].step == (depth > 8 ? 2 : 1) &&
	       d->comp[0].plane == 0 && d->comp[1].plane == 1 && d->comp[2].plane == 2;
}

/* One plane row (src_n samples) through a horizontal filter to 15 bits.
 * Taps past the row's end carry zero weight (the border folding moved it),
 * so they are not read. */
static void hscale(const uint8_t *src, int wide, int src_n, const struct taps *t, int n, int sh,
		   int16_t *dst)
{
	const uint16_t *s16 = (const uint16_t *)src;
	for (int i = 0; i < n; i++) {
		const int16_t *c = t->coef + (size_t)i * t->size;
		const int p0 = t->pos[i], nj = p0 + t->size > src_n ? src_n - p0 : t->size;
		int val = 0;
		if (wide)
			for (int j = 0; j < nj; j++)
				val += s16[p0 + j] * c[j];
		else
			for (int j = 0; j < nj; j++)
				val += src[p0 + j] * c[j];
		val >>= sh;
		dst[i] = (int16_t)(val > 32767 ? 32767 : val);
	}
}

/* What both outputs share: luma at 15 bits (the identity filter), both
 * chroma planes horizontally filtered
 * to cw samples a row (chroma sited at dst_hpos), and the vertical filter
 * to h rows with a row of its sums. */
struct planes {
	int wide, sh, cw, ch_src;
	int16_t *chroma; /* 2 × ch_src × cw */
	int32_t *acc;    /* cw: one output row's vertical sums */
	struct taps tv;
};

static enum clx_status planes_prepare(struct reader *r, const AVFrame *f,
				      const uint8_t *const src[4], const int src_ls[4], int w,
				      int h, int hpos, int vpos, int cw, int dst_hpos,
				      struct planes *p)
{
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
	const int lw = d->log2_chroma_w, lh = d->log2_chroma_h;
	const int cw_src = -((-w) >> lw);
	struct taps th;
	const int depth = d->comp[0].depth, sh = depth - 1;
	memset(p, 0, sizeof(*p));
	p->wide = depth > 8;
	p->sh = sh;
	p->cw = cw;
	p->ch_src = -((-h) >> lh);
	if (bilinear_taps(cw_src, cw, local_pos(lw, hpos), dst_hpos, 1 << 14, H_ALIGN, &th))
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	enum clx_status st = CLX_OK;
	p->chroma = clx_malloc(sizeof(*p->chroma) * (size_t)cw * (size_t)p->ch_src * 2);
	p->acc = clx_malloc(sizeof(*p->acc) * (size_t)cw);
	if (!p->chroma || !p->acc || bilinear_taps(p->ch_src, h, local_pos(lh, vpos), local_pos(0, -513),
					1 << 12, V_ALIGN, &p->tv)) {
		st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	} else {
		for (int k = 0; k < 2; k++)
			for (int y = 0; y < p->ch_src; y++)
				hscale(src[1 + k] + (ptrdiff_t)y * src_ls[1 + k], p->wide, cw_src, &th,
				       cw, sh, p->chroma + ((size_t)k * p->ch_src + y) * cw);
	}
	taps_free(&th);
	return st;
}

static void planes_release(struct planes *p)
{
	clx_free(p->chroma);
	clx_free(p->acc);
	taps_free(&p->tv);
}

/* Luma sample x of a row at 15 bits. A 16-bit word may hold more than
 * the format's depth (a damaged stream): libswscale's arithmetic, then its
 * clip, as for any value. */
static int luma15(const struct planes *p, const uint8_t *row, int x)
{
	const int v = ((p->wide ? ((const uint16_t *)row)[x] : row[x]) * (1 << 14)) >> p->sh;
	return v > 32767 ? 32767 : v;
}

/* Chroma plane k (0 U, 1 V) at output row y: the vertical filter's sums
 * with 12-bit coefficients, into p->acc. */
static void chroma_sums(struct planes *p, int k, int y)
{
	const int16_t *c = p->tv.coef + (size_t)y * p->tv.size;
	const int16_t *plane = p->chroma + (size_t)k * p->ch_src * p->cw;
	memset(p->acc, 0, sizeof(*p->acc) * (size_t)p->cw);
	for (int j = 0; j < p->tv.size; j++) {
		if (!c[j]) /* zero weight: possibly past the last row */
			continue;
		const int16_t *row = plane + (size_t)(p->tv.pos[y] + j) * p->cw;
		for (int x = 0; x < p->cw; x++)
			p->acc[x] += row[x] * c[j];
	}
}

enum clx_status video_vchroma_to_yuv422p16(struct reader *r, const AVFrame *f,
					  const uint8_t *const src[4], const int src_ls[4],
					  int w, int h, int hpos, int vpos, AVFrame *out)
{
	/* packed RGB output keeps one chroma sample per two pixels, centred */
	struct planes p;
	enum clx_status st = planes_prepare(r, f, src, src_ls, w, h, hpos, vpos, (w + 1) >> 1,
					    local_pos(1, -513), &p);
	if (!st) {
		for (int y = 0; y < h; y++) {
			const uint8_t *s = src[0] + (ptrdiff_t)y * src_ls[0];
			uint16_t *o = (uint16_t *)(out->data[0] + (ptrdiff_t)y * out->linesize[0]);
			for (int x = 0; x < w; x++)
				o[x] = (uint16_t)(clip_u8((luma15(&p, s, x) * 4096 + (1 << 18)) >> 19)
						  << 8);
			for (int k = 0; k < 2; k++) {
				uint16_t *oc = (uint16_t *)(out->data[1 + k] +
							    (ptrdiff_t)y * out->linesize[1 + k]);
				chroma_sums(&p, k, y);
				for (int x = 0; x < p.cw; x++)
					oc[x] = (uint16_t)(clip_u8((p.acc[x] + (1 << 18)) >> 19) << 8);
			}
		}
	}
	planes_release(&p);
	return st;
}

/* libswscale's roundToInt16 of a 16.16 value. */
static int round16(int64_t v)
{
	int64_t r = (v + (1 << 15)) >> 16;
	return (int)(r < -0x8000 ? -0x8000 : r > 0x7fff ? 0x7fff : r);
}

static unsigned clip30(int v)
{
	return (v & ~((1 << 30) - 1)) ? (unsigned)((~v) >> 31) & ((1u << 30) - 1) : (unsigned)v;
}

enum clx_status video_vchroma_full_rgb(struct reader *r, const AVFrame *f,
				      const uint8_t *const src[4], const int src_ls[4], int w,
				      int h, int hpos, int vpos, uint8_t *dst, int dst_ls)
{
	/* the coefficients of libswscale's YUV→RGB set-up (default contrast,
	 * saturation and brightness) */
	const int *inv = sws_getCoefficients(f->colorspace);
	int64_t crv = inv[0], cbu = inv[1], cgu = -inv[2], cgv = -inv[3], cy = 1 << 16, oy = 0;
	if (!video_full_range(f)) {
		cy = (cy * 255) / 219;
		oy = 16 << 16;
	} else {
		crv = (crv * 224) / 255;
		cbu = (cbu * 224) / 255;
		cgu = (cgu * 224) / 255;
		cgv = (cgv * 224) / 255;
	}
	const int y_coeff = round16(cy * (1 << 13)), y_off = round16(oy * (1 << 9));
	const unsigned v2r = (unsigned)round16(crv * (1 << 13)),
		       v2g = (unsigned)round16(cgv * (1 << 13)),
		       u2g = (unsigned)round16(cgu * (1 << 13)),
		       u2b = (unsigned)round16(cbu * (1 << 13));

	/* full-chroma output: one chroma sample per pixel, centred */
	struct planes p;
	enum clx_status st = planes_prepare(r, f, src, src_ls, w, h, hpos, vpos, w,
					    local_pos(0, -513), &p);
	int32_t *u = st ? NULL : clx_malloc(sizeof(*u) * (size_t)w);
	if (!st && !u)
		st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	if (!st) {
		for (int y = 0; y < h; y++) {
			const uint8_t *s = src[0] + (ptrdiff_t)y * src_ls[0];
			uint8_t *o = dst + (ptrdiff_t)y * dst_ls;
			chroma_sums(&p, 0, y);
			memcpy(u, p.acc, sizeof(*u) * (size_t)w);
			chroma_sums(&p, 1, y);
			for (int x = 0; x < w; x++) {
				int Y = (luma15(&p, s, x) * 4096 + (1 << 9)) >> 10;
				int U = (u[x] - (128 << 19)) >> 10;
				int V = (p.acc[x] - (128 << 19)) >> 10;
				Y = (Y - y_off) * y_coeff + (1 << 21);
				int R = (int)((unsigned)Y + (unsigned)V * v2r);
				int G = (int)((unsigned)Y + (unsigned)V * v2g + (unsigned)U * u2g);
				int B = (int)((unsigned)Y + (unsigned)U * u2b);
				if ((R | G | B) & (int)0xC0000000) {
					R = (int)clip30(R);
					G = (int)clip30(G);
					B = (int)clip30(B);
				}
				o[3 * x] = (uint8_t)(R >> 22);
				o[3 * x + 1] = (uint8_t)(G >> 22);
				o[3 * x + 2] = (uint8_t)(B >> 22);
			}
		}
	}
	clx_free(u);
	planes_release(&p);
	return st;
}

#endif /* CLX_HAVE_FFMPEG */
