/* preprocess.c — transformers' VideoMAEImageProcessor (PIL backend) in C
 * (clx/preprocess.h): PIL-exact resize, center crop, rescale, normalise, and
 * the preprocessor_config.json reader.
 *
 * The resize is Pillow 13.0.0's libImaging/Resample.c (ImagingResample for
 * RGB, 8 bits per channel, including its choice of which pass runs first)
 * and, for NEAREST, Geometry.c's ImagingScaleAffine,
 * reproduced operation by operation so the uint8 result is bit-identical;
 * tests/test_preprocess.c checks it against Pillow. Rescale and normalise
 * follow NumPy's dtype rules in transformers' image_transforms.py: the
 * product in float64 rounded to float32, then float32 subtraction and
 * division — so pixel_values match to the last bit, not just within 1e-5.
 *
 * Deliberately not done: Pillow's reducing_gap (transformers passes None),
 * the torchvision backend (±1 level from PIL), channel formats other than
 * RGB. */
#include "clx/preprocess.h"
#include "core/file.h"
#include "core/json.h"
#include "clx/limits.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ============================================================== resample */

#define PIL_PI 3.14159265358979323846 /* M_PI */
#define PRECISION_BITS (32 - 8 - 2)   /* Pillow's 8-bpc fixed point */

static double box_filter(double x)
{
	if (x > -0.5 && x <= 0.5)
		return 1.0;
	return 0.0;
}

static double bilinear_filter(double x)
{
	if (x < 0.0)
		x = -x;
	if (x < 1.0)
		return 1.0 - x;
	return 0.0;
}

static double hamming_filter(double x)
{
	if (x < 0.0)
		x = -x;
	if (x == 0.0)
		return 1.0;
	if (x >= 1.0)
		return 0.0;
	x = x * PIL_PI;
	return sin(x) / x * (0.54f + 0.46f * cos(x)); /* float constants, as Pillow */
}

static double bicubic_filter(double x)
{
	const double a = -0.5;
	if (x < 0.0)
		x = -x;
	if (x < 1.0)
		return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
	if (x < 2.0)
		return (((x - 5) * x + 8) * x - 4) * a;
	return 0.0;
}

static double sinc_filter(double x)
{
	if (x == 0.0)
		return 1.0;
	x = x * PIL_PI;
	return sin(x) / x;
}

static double lanczos_filter(double x)
{
	if (-3.0 <= x && x < 3.0)
		return sinc_filter(x) * sinc_filter(x / 3);
	return 0.0;
}

struct filter {
	double (*fn)(double x);
	double support;
};

static const struct filter *filter_for(int resample)
{
	static const struct filter box = { box_filter, 0.5 }, bilinear = { bilinear_filter, 1.0 },
				   hamming = { hamming_filter, 1.0 },
				   bicubic = { bicubic_filter, 2.0 },
				   lanczos = { lanczos_filter, 3.0 };
	switch (resample) {
	case CLX_RESAMPLE_BOX:
		return &box;
	case CLX_RESAMPLE_BILINEAR:
		return &bilinear;
	case CLX_RESAMPLE_HAMMING:
		return &hamming;
	case CLX_RESAMPLE_BICUBIC:
		return &bicubic;
	case CLX_RESAMPLE_LANCZOS:
		return &lanczos;
	default:
		return NULL;
	}
}

/* One axis of the resample: for each output position its first input index
 * (bounds[2i]), tap count (bounds[2i+1]) and ksize fixed-point coefficients.
 * Pillow's precompute_coeffs + normalize_coeffs_8bpc, box = [in0, in1). */
struct coeffs {
	int ksize;
	int *bounds; /* (out, 2) */
	int32_t *k;  /* (out, ksize) */
};

static void coeffs_free(struct coeffs *c)
{
	clx_free(c->bounds);
	clx_free(c->k);
	c->bounds = NULL;
	c->k = NULL;
}

static enum clx_status coeffs_make(struct clx_ctx *ctx, int in_size, float in0, float in1,
				   int out_size, const struct filter *f, struct coeffs *c)
{
	double scale, filterscale;
	filterscale = scale = (double)(in1 - in0) / out_size;
	if (filterscale < 1.0)
		filterscale = 1.0;
	double support = f->support * filterscale;
	c->ksize = (int)ceil(support) * 2 + 1;
	size_t nk, nb;
	if (!clx_mul_ok((size_t)out_size, (size_t)c->ksize, &nk) ||
	    !clx_mul_ok(nk, sizeof(double), &nk) ||
	    !clx_mul_ok((size_t)out_size, 2 * sizeof(int), &nb))
		return clx_fail(ctx, CLX_ERR_NOMEM, "resize: %d → %d needs too many coefficients",
				in_size, out_size);
	double *kk = clx_malloc(nk);
	c->bounds = clx_malloc(nb);
	c->k = clx_malloc(nk / sizeof(double) * sizeof(int32_t));
	if (!kk || !c->bounds || !c->k) {
		clx_free(kk);
		coeffs_free(c);
		return clx_fail(ctx, CLX_ERR_NOMEM, "resize: out of memory");
	}
	for (int xx = 0; xx < out_size; xx++) {
		double center = in0 + (xx + 0.5) * scale;
		double ww = 0.0;
		double ss = 1.0 / filterscale;
		int xmin = (int)(center - support + 0.5); /* Pillow's rounding */
		if (xmin < 0)
			xmin = 0;
		int xmax = (int)(center + support + 0.5);
		if (xmax > in_size)
			xmax = in_size;
		xmax -= xmin;
		double *k = &kk[(size_t)xx * c->ksize];
		int x;
		for (x = 0; x < xmax; x++) {
			double w = f->fn((x + xmin - center + 0.5) * ss);
			k[x] = w;
			ww += w;
		}
		for (x = 0; x < xmax; x++)
			if (ww != 0.0)
				k[x] /= ww;
		for (; x < c->ksize; x++)
			k[x] = 0;
		c->bounds[xx * 2 + 0] = xmin;
		c->bounds[xx * 2 + 1] = xmax;
	}
	for (size_t i = 0; i < nk / sizeof(double); i++)
		c->k[i] = kk[i] < 0 ? (int32_t)(-0.5 + kk[i] * (1 << PRECISION_BITS))
				    : (int32_t)(0.5 + kk[i] * (1 << PRECISION_BITS));
	clx_free(kk);
	return CLX_OK;
}

static uint8_t clip8(int32_t ss)
{
	int32_t v = ss >> PRECISION_BITS; /* arithmetic shift, as Pillow relies on */
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* One output pixel of a pass: Σ k[i] · p[i · step] per channel, from half
 * a unit in fixed point, shifted back and clipped (Pillow's 8bpc loops). */
static void resample_px(const uint8_t *p, size_t step, const int32_t *k, int n, uint8_t *o)
{
	int32_t ss0, ss1, ss2;
	ss0 = ss1 = ss2 = 1 << (PRECISION_BITS - 1);
	for (int i = 0; i < n; i++, p += step) {
		ss0 += p[0] * k[i];
		ss1 += p[1] * k[i];
		ss2 += p[2] * k[i];
	}
	o[0] = clip8(ss0);
	o[1] = clip8(ss1);
	o[2] = clip8(ss2);
}

/* Horizontal pass (ImagingResampleHorizontal_8bpc, RGB): rows × in_w → rows × out_w. */
static void resample_h(const uint8_t *in, int in_w, int rows, const struct coeffs *hc, uint8_t *out,
		       int out_w)
{
	for (int yy = 0; yy < rows; yy++) {
		const uint8_t *row = in + (size_t)yy * in_w * 3;
		uint8_t *o = out + (size_t)yy * out_w * 3;
		for (int xx = 0; xx < out_w; xx++) {
			int xmin = hc->bounds[xx * 2 + 0], xmax = hc->bounds[xx * 2 + 1];
			resample_px(row + (size_t)xmin * 3, 3, &hc->k[(size_t)xx * hc->ksize], xmax,
				    o + xx * 3);
		}
	}
}

/* Vertical pass (ImagingResampleVertical_8bpc, RGB): w columns → out_h rows. */
static void resample_v(const uint8_t *in, int w, const struct coeffs *vc, uint8_t *out, int out_h)
{
	for (int yy = 0; yy < out_h; yy++) {
		const int32_t *k = &vc->k[(size_t)yy * vc->ksize];
		int ymin = vc->bounds[yy * 2 + 0], ymax = vc->bounds[yy * 2 + 1];
		uint8_t *o = out + (size_t)yy * w * 3;
		for (int xx = 0; xx < w; xx++)
			resample_px(in + ((size_t)ymin * w + xx) * 3, (size_t)w * 3, k, ymax, o + xx * 3);
	}
}

/* PIL's NEAREST: ImagingScaleAffine with a = (w_in/w_out, 0, 0, 0, h_in/h_out, 0). */
static void resize_nearest(const uint8_t *src, int sh, int sw, uint8_t *dst, int dh, int dw,
			   int *xintab)
{
	double a0 = (double)((float)sw - 0.0f) / dw;
	double a4 = (double)((float)sh - 0.0f) / dh;
	double xo = 0.0 + a0 * 0.5, yo = 0.0 + a4 * 0.5;
	for (int x = 0; x < dw; x++) {
		int xin = xo < 0.0 ? -1 : (int)xo;
		xintab[x] = xin >= 0 && xin < sw ? xin : -1;
		xo += a0;
	}
	for (int y = 0; y < dh; y++) {
		int yi = yo < 0.0 ? -1 : (int)yo;
		uint8_t *out = dst + (size_t)y * dw * 3;
		for (int x = 0; x < dw; x++) {
			if (yi >= 0 && yi < sh && xintab[x] >= 0)
				memcpy(out + (size_t)x * 3, src + ((size_t)yi * sw + xintab[x]) * 3, 3);
			else
				memset(out + (size_t)x * 3, 0, 3); /* fill = 1 */
		}
		yo += a4;
	}
}

enum clx_status clx_resize_rgb(struct clx_ctx *ctx, const uint8_t *src, int32_t sh, int32_t sw,
			       uint8_t *dst, int32_t dh, int32_t dw, int resample)
{
	if (!src || !dst || sh < 1 || sw < 1 || dh < 1 || dw < 1 || sh > CLX_MAX_VIDEO_DIM ||
	    sw > CLX_MAX_VIDEO_DIM || dh > CLX_MAX_VIDEO_DIM || dw > CLX_MAX_VIDEO_DIM)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "resize: %dx%d → %dx%d is not a valid "
				"resize (sides 1 to %d)", (int)sw, (int)sh, (int)dw, (int)dh,
				CLX_MAX_VIDEO_DIM);
	if (sh == dh && sw == dw) { /* Pillow copies */
		memcpy(dst, src, (size_t)sh * sw * 3);
		return CLX_OK;
	}
	if (resample == CLX_RESAMPLE_NEAREST) {
		int *xintab = clx_malloc(sizeof(int) * (size_t)dw);
		if (!xintab)
			return clx_fail(ctx, CLX_ERR_NOMEM, "resize: out of memory");
		resize_nearest(src, sh, sw, dst, dh, dw, xintab);
		clx_free(xintab);
		return CLX_OK;
	}
	const struct filter *f = filter_for(resample);
	if (!f)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "resize: resample %d is not a PIL filter "
				"(0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)",
				resample);

	/* ImagingResampleInner (Pillow 13): two separable passes. Horizontal
	 * first, over only the rows the vertical pass reads — unless the height
	 * shrinks by more than twice as many pixels as the width, then vertical
	 * first. The order changes the 8-bit intermediate, so it must match. */
	enum clx_status st;
	struct coeffs hc = { 0 }, vc = { 0 };
	uint8_t *tmp = NULL;
	int need_h = dw != sw, need_v = dh != sh;
	int horizontal_first = !(sh - dh > 0 && sh - dh > (sw - dw) * 2);
	if (need_v && (st = coeffs_make(ctx, sh, 0.0f, (float)sh, dh, f, &vc)))
		return st;
	if (need_h && (st = coeffs_make(ctx, sw, 0.0f, (float)sw, dw, f, &hc)))
		goto done;
	if (need_h && need_v) {
		int rows = dh, first = 0;
		if (horizontal_first) {
			first = vc.bounds[0];
			rows = vc.bounds[dh * 2 - 2] + vc.bounds[dh * 2 - 1] - first;
			for (int i = 0; i < dh; i++)
				vc.bounds[i * 2] -= first;
		}
		size_t n = horizontal_first ? (size_t)rows * dw * 3 : (size_t)dh * sw * 3;
		tmp = clx_malloc(n);
		if (!tmp) {
			st = clx_fail(ctx, CLX_ERR_NOMEM, "resize: out of memory");
			goto done;
		}
		if (horizontal_first) {
			resample_h(src + (size_t)first * sw * 3, sw, rows, &hc, tmp, dw);
			resample_v(tmp, dw, &vc, dst, dh);
		} else {
			resample_v(src, sw, &vc, tmp, dh);
			resample_h(tmp, sw, dh, &hc, dst, dw);
		}
	} else if (need_h) {
		resample_h(src, sw, sh, &hc, dst, dw);
	} else {
		resample_v(src, sw, &vc, dst, dh);
	}
	st = CLX_OK;
done:
	coeffs_free(&hc);
	coeffs_free(&vc);
	clx_free(tmp);
	return st;
}

/* ================================================================ pipeline */

void clx_preprocess_config_default(struct clx_preprocess_config *cfg)
{
	*cfg = (struct clx_preprocess_config){
		.do_resize = true,
		.do_center_crop = true,
		.do_rescale = true,
		.do_normalize = true,
		.shortest_edge = 224,
		.crop_height = 224,
		.crop_width = 224,
		.resample = CLX_RESAMPLE_BILINEAR,
		.rescale_factor = 1.0 / 255.0,
		.image_mean = { 0.5, 0.5, 0.5 },
		.image_std = { 0.5, 0.5, 0.5 },
	};
}

void clx_preprocess_config_default_clip(struct clx_preprocess_config *cfg)
{
	clx_preprocess_config_default(cfg);
	cfg->resample = CLX_RESAMPLE_BICUBIC;
	static const double mean[3] = { 0.48145466, 0.4578275, 0.40821073 }; /* OPENAI_CLIP_MEAN */
	static const double std[3] = { 0.26862954, 0.26130258, 0.27577711 };  /* OPENAI_CLIP_STD */
	memcpy(cfg->image_mean, mean, sizeof mean);
	memcpy(cfg->image_std, std, sizeof std);
}

/* The resized (height, width) of an h × w frame (transformers PilBackend.resize). */
static enum clx_status resized_size(struct clx_ctx *ctx, const struct clx_preprocess_config *c,
				    int32_t h, int32_t w, int32_t *oh, int32_t *ow)
{
	int64_t rh, rw;
	if (c->shortest_edge > 0 && c->longest_edge > 0) {
		/* get_size_with_aspect_ratio((h, w), shortest_edge, longest_edge) */
		int64_t size = c->shortest_edge;
		double raw = 0.0;
		int have_raw = 0;
		double mn = (double)(h < w ? h : w), mx = (double)(h < w ? w : h);
		if (mx / mn * (double)size > (double)c->longest_edge) {
			raw = (double)c->longest_edge * mn / mx;
			size = (int64_t)nearbyint(raw); /* Python round(): half to even */
			have_raw = 1;
		}
		if ((h <= w && h == size) || (w <= h && w == size)) {
			rh = h;
			rw = w;
		} else if (w < h) {
			rw = size;
			rh = have_raw ? (int64_t)(raw * h / w) : (int64_t)((double)(size * h) / w);
		} else {
			rh = size;
			rw = have_raw ? (int64_t)(raw * w / h) : (int64_t)((double)(size * w) / h);
		}
	} else if (c->shortest_edge > 0) {
		/* get_resize_output_image_size(size=S, default_to_square=False) */
		int64_t s = c->shortest_edge, sh = w <= h ? w : h, lg = w <= h ? h : w;
		int64_t nl = (int64_t)((double)(s * lg) / (double)sh);
		rh = w <= h ? nl : s;
		rw = w <= h ? s : nl;
	} else {
		rh = c->resize_height;
		rw = c->resize_width;
	}
	if (rh < 1 || rw < 1 || rh > CLX_MAX_VIDEO_DIM || rw > CLX_MAX_VIDEO_DIM)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "preprocess: a %dx%d frame resizes to "
				"%lldx%lld, outside 1 to %d", (int)w, (int)h, (long long)rw,
				(long long)rh, CLX_MAX_VIDEO_DIM);
	*oh = (int32_t)rh;
	*ow = (int32_t)rw;
	return CLX_OK;
}

static enum clx_status check_config(struct clx_ctx *ctx, const struct clx_preprocess_config *c)
{
	if (c->do_resize) {
		if (c->shortest_edge < 0 || c->longest_edge < 0 || c->shortest_edge > CLX_MAX_IMAGE_SIZE ||
		    c->longest_edge > CLX_MAX_IMAGE_SIZE ||
		    (c->shortest_edge == 0 &&
		     (c->resize_height < 1 || c->resize_width < 1 ||
		      c->resize_height > CLX_MAX_IMAGE_SIZE || c->resize_width > CLX_MAX_IMAGE_SIZE)))
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "preprocess: resize needs shortest_edge "
					"or height and width in 1 to %d", CLX_MAX_IMAGE_SIZE);
		if (c->resample != CLX_RESAMPLE_NEAREST && !filter_for(c->resample))
			return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "preprocess: resample %d is not a PIL "
					"filter (0 to 5)", (int)c->resample);
	}
	if (c->do_center_crop && (c->crop_height < 1 || c->crop_width < 1 ||
				  c->crop_height > CLX_MAX_IMAGE_SIZE ||
				  c->crop_width > CLX_MAX_IMAGE_SIZE))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "preprocess: crop size %dx%d outside 1 to %d",
				(int)c->crop_width, (int)c->crop_height, CLX_MAX_IMAGE_SIZE);
	if (c->do_normalize)
		for (int i = 0; i < 3; i++)
			if (!isfinite(c->image_mean[i]) || !isfinite(c->image_std[i]) ||
			    (float)c->image_std[i] == 0.0f)
				return clx_fail(ctx, CLX_ERR_INVALID_ARG, "preprocess: image_std[%d] = %g "
						"/ image_mean[%d] = %g: need finite values and a non-zero "
						"std", i, c->image_std[i], i, c->image_mean[i]);
	if (c->do_rescale && !isfinite(c->rescale_factor))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "preprocess: rescale_factor is not finite");
	return CLX_OK;
}

enum clx_status clx_preprocess_output_size(struct clx_ctx *ctx,
					   const struct clx_preprocess_config *cfg,
					   int32_t height, int32_t width,
					   int32_t *out_height, int32_t *out_width)
{
	enum clx_status st;
	if (height < 1 || width < 1 || height > CLX_MAX_VIDEO_DIM || width > CLX_MAX_VIDEO_DIM)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "preprocess: frame size %dx%d outside 1 to %d",
				(int)width, (int)height, CLX_MAX_VIDEO_DIM);
	if ((st = check_config(ctx, cfg)))
		return st;
	int32_t h = height, w = width;
	if (cfg->do_resize && (st = resized_size(ctx, cfg, height, width, &h, &w)))
		return st;
	if (cfg->do_center_crop) {
		h = cfg->crop_height;
		w = cfg->crop_width;
	}
	*out_height = h;
	*out_width = w;
	return CLX_OK;
}

enum clx_status clx_preprocess_frames(struct clx_ctx *ctx, const struct clx_preprocess_config *cfg,
				      const uint8_t *rgb, int32_t n_frames, int32_t height,
				      int32_t width, float *out)
{
	enum clx_status st;
	int32_t rh = height, rw = width, oh, ow;
	if (!cfg || !rgb || !out || n_frames < 1)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "preprocess: no frames");
	if ((st = clx_preprocess_output_size(ctx, cfg, height, width, &oh, &ow)))
		return st;
	if (cfg->do_resize && (st = resized_size(ctx, cfg, height, width, &rh, &rw)))
		return st;
	uint8_t *resized = NULL;
	size_t in_bytes = (size_t)height * width * 3, out_plane = (size_t)oh * ow;
	if (cfg->do_resize) {
		resized = clx_malloc((size_t)rh * rw * 3);
		if (!resized)
			return clx_fail(ctx, CLX_ERR_NOMEM, "preprocess: out of memory");
	}
	/* center_crop: top = (h − ch) // 2, left likewise (Python floor division).
	 * transformers pads a too-small frame with zeros and crops the padded
	 * image; working that through, output row y is always frame row
	 * y + top (and zero outside the frame), in both the cropping and the
	 * padding case. Same for columns. */
	int64_t top = 0, left = 0;
	if (cfg->do_center_crop) {
		int64_t t = (int64_t)rh - oh, l = (int64_t)rw - ow;
		top = t >= 0 ? t / 2 : -((-t + 1) / 2);
		left = l >= 0 ? l / 2 : -((-l + 1) / 2);
	}
	float mean[3], stdv[3];
	for (int c = 0; c < 3; c++) {
		mean[c] = (float)cfg->image_mean[c];
		stdv[c] = (float)cfg->image_std[c];
	}
	for (int32_t t = 0; t < n_frames; t++) {
		const uint8_t *img = rgb + (size_t)t * in_bytes;
		if (cfg->do_resize) {
			if ((st = clx_resize_rgb(ctx, img, height, width, resized, rh, rw, cfg->resample)))
				goto done;
			img = resized;
		}
		float *o = out + (size_t)t * 3 * out_plane;
		for (int32_t y = 0; y < oh; y++) {
			int64_t sy = y + top;
			for (int32_t x = 0; x < ow; x++) {
				int64_t sx = x + left;
				int inside = sy >= 0 && sy < rh && sx >= 0 && sx < rw;
				for (int c = 0; c < 3; c++) {
					uint8_t u = inside ? img[((size_t)sy * rw + (size_t)sx) * 3 + c] : 0;
					float v;
					if (cfg->do_rescale)
						v = (float)((double)u * cfg->rescale_factor);
					else
						v = (float)u;
					if (cfg->do_normalize) {
						float d = v - mean[c];
						v = d / stdv[c];
					}
					o[(size_t)c * out_plane + (size_t)y * ow + x] = v;
				}
			}
		}
	}
	st = CLX_OK;
done:
	clx_free(resized);
	return st;
}

/* ============================================================ JSON config */


struct parse {
	struct clx_ctx *ctx;
	const char *name;
};

/* Key lookup with a duplicate check (cJSON keeps the first, Python the last);
 * null counts as absent, as transformers' kwargs with None take the default. */
static enum clx_status get(const struct parse *p, const cJSON *obj, const char *prefix,
			   const char *key, const cJSON **out)
{
	*out = NULL;
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!it)
		return CLX_OK;
	for (const cJSON *c = it->next; c; c = c->next)
		if (c->string && strcmp(c->string, key) == 0)
			return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: duplicate key %s%s", p->name,
					prefix, key);
	if (!cJSON_IsNull(it))
		*out = it;
	return CLX_OK;
}

static enum clx_status as_int(const struct parse *p, const cJSON *it, const char *what,
			      int lo, int hi, int32_t *v)
{
	if (!cJSON_IsNumber(it))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s must be an integer, got %s", p->name,
				what, clx_json_type_name(it));
	double d = it->valuedouble;
	if (!isfinite(d) || d != floor(d))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s must be an integer, got %.10g",
				p->name, what, d);
	if (d < lo || d > hi)
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s = %.10g is out of range [%d, %d]",
				p->name, what, d, lo, hi);
	*v = (int32_t)d;
	return CLX_OK;
}

static enum clx_status as_double(const struct parse *p, const cJSON *it, const char *what,
				 double *v)
{
	if (!cJSON_IsNumber(it))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s must be a number, got %s", p->name,
				what, clx_json_type_name(it));
	if (!isfinite(it->valuedouble) || fabs(it->valuedouble) > FLT_MAX)
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s = %g is not a finite float", p->name,
				what, it->valuedouble);
	*v = it->valuedouble;
	return CLX_OK;
}

static enum clx_status read_bool(const struct parse *p, const cJSON *root, const char *key, bool *v)
{
	const cJSON *it;
	enum clx_status st = get(p, root, "", key, &it);
	if (st || !it)
		return st;
	if (!cJSON_IsBool(it))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s must be true or false, got %s",
				p->name, key, clx_json_type_name(it));
	*v = cJSON_IsTrue(it);
	return CLX_OK;
}

/* An [h, w] pair of integers 1 … CLX_MAX_IMAGE_SIZE. */
static enum clx_status read_pair(const struct parse *p, const cJSON *it, const char *key,
				 int32_t *h, int32_t *w)
{
	if (cJSON_GetArraySize(it) != 2)
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s as a list must be [height, width], "
				"got %d elements", p->name, key, cJSON_GetArraySize(it));
	char what[64];
	snprintf(what, sizeof what, "%s[0]", key);
	enum clx_status st = as_int(p, cJSON_GetArrayItem(it, 0), what, 1, CLX_MAX_IMAGE_SIZE, h);
	if (st)
		return st;
	snprintf(what, sizeof what, "%s[1]", key);
	return as_int(p, cJSON_GetArrayItem(it, 1), what, 1, CLX_MAX_IMAGE_SIZE, w);
}

static enum clx_status read_dict_int(const struct parse *p, const cJSON *obj, const char *key,
				     const char *sub, int32_t *v, bool *present)
{
	const cJSON *it;
	char prefix[64], what[96];
	snprintf(prefix, sizeof prefix, "%s.", key);
	enum clx_status st = get(p, obj, prefix, sub, &it);
	*present = false;
	if (st || !it)
		return st;
	snprintf(what, sizeof what, "%s.%s", key, sub);
	*present = true;
	return as_int(p, it, what, 1, CLX_MAX_IMAGE_SIZE, v);
}

static enum clx_status read_size(const struct parse *p, const cJSON *root,
				 struct clx_preprocess_config *c)
{
	const cJSON *it;
	enum clx_status st = get(p, root, "", "size", &it);
	if (st || !it)
		return st;
	c->shortest_edge = c->longest_edge = c->resize_height = c->resize_width = 0;
	if (cJSON_IsNumber(it)) /* get_size_dict(int, default_to_square=False) */
		return as_int(p, it, "size", 1, CLX_MAX_IMAGE_SIZE, &c->shortest_edge);
	if (cJSON_IsArray(it))
		return read_pair(p, it, "size", &c->resize_height, &c->resize_width);
	if (!cJSON_IsObject(it))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: size must be an integer, a [height, "
				"width] list or an object, got %s", p->name, clx_json_type_name(it));
	bool se, le, hh, ww;
	int32_t h = 0, w = 0;
	if ((st = read_dict_int(p, it, "size", "shortest_edge", &c->shortest_edge, &se)) ||
	    (st = read_dict_int(p, it, "size", "longest_edge", &c->longest_edge, &le)) ||
	    (st = read_dict_int(p, it, "size", "height", &h, &hh)) ||
	    (st = read_dict_int(p, it, "size", "width", &w, &ww)))
		return st;
	for (const cJSON *k = it->child; k; k = k->next)
		if (k->string && !cJSON_IsNull(k) && strcmp(k->string, "shortest_edge") &&
		    strcmp(k->string, "longest_edge") && strcmp(k->string, "height") &&
		    strcmp(k->string, "width"))
			return clx_fail(p->ctx, CLX_ERR_UNSUPPORTED, "%s: size.%.40s is not supported "
					"(clx reads shortest_edge, longest_edge, height, width)",
					p->name, k->string);
	/* transformers' precedence: shortest (+longest), then height and width */
	if (se) {
		if (!le)
			c->longest_edge = 0;
		return CLX_OK;
	}
	c->longest_edge = 0;
	if (hh && ww) {
		c->resize_height = h;
		c->resize_width = w;
		return CLX_OK;
	}
	return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: size needs shortest_edge, or height and "
			"width", p->name);
}

static enum clx_status read_crop(const struct parse *p, const cJSON *root,
				 struct clx_preprocess_config *c)
{
	const cJSON *it;
	enum clx_status st = get(p, root, "", "crop_size", &it);
	if (st || !it)
		return st;
	if (cJSON_IsNumber(it)) { /* get_size_dict(int, default_to_square=True) */
		if ((st = as_int(p, it, "crop_size", 1, CLX_MAX_IMAGE_SIZE, &c->crop_height)))
			return st;
		c->crop_width = c->crop_height;
		return CLX_OK;
	}
	if (cJSON_IsArray(it))
		return read_pair(p, it, "crop_size", &c->crop_height, &c->crop_width);
	if (!cJSON_IsObject(it))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: crop_size must be an integer, a [height, "
				"width] list or an object, got %s", p->name, clx_json_type_name(it));
	bool hh, ww;
	int32_t h = 0, w = 0;
	if ((st = read_dict_int(p, it, "crop_size", "height", &h, &hh)) ||
	    (st = read_dict_int(p, it, "crop_size", "width", &w, &ww)))
		return st;
	if (!hh || !ww)
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: crop_size needs height and width",
				p->name);
	c->crop_height = h;
	c->crop_width = w;
	return CLX_OK;
}

/* image_mean / image_std: a number (every channel) or 3 numbers. */
static enum clx_status read_triple(const struct parse *p, const cJSON *root, const char *key,
				   bool nonzero, double v[3])
{
	const cJSON *it;
	enum clx_status st = get(p, root, "", key, &it);
	if (st || !it)
		return st;
	double t[3];
	char what[48];
	if (cJSON_IsNumber(it)) {
		if ((st = as_double(p, it, key, &t[0])))
			return st;
		t[1] = t[2] = t[0];
	} else if (cJSON_IsArray(it)) {
		if (cJSON_GetArraySize(it) != 3)
			return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s must have 3 elements (RGB), got %d",
					p->name, key, cJSON_GetArraySize(it));
		for (int i = 0; i < 3; i++) {
			snprintf(what, sizeof what, "%s[%d]", key, i);
			if ((st = as_double(p, cJSON_GetArrayItem(it, i), what, &t[i])))
				return st;
		}
	} else {
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s must be a number or a list of 3, got %s",
				p->name, key, clx_json_type_name(it));
	}
	for (int i = 0; i < 3; i++)
		if (nonzero && (float)t[i] == 0.0f)
			return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s[%d] = %g would divide by zero",
					p->name, key, i, t[i]);
	memcpy(v, t, sizeof t);
	return CLX_OK;
}

/* s is NUL-terminated at s[len]. */
/* The defaults of the processor class the file names (image_processor_type,
 * else the legacy feature_extractor_type): CLIP's for a CLIP class. */
static enum clx_status processor_defaults(const struct parse *p, const cJSON *root,
					  struct clx_preprocess_config *c)
{
	static const char *const keys[2] = { "image_processor_type", "feature_extractor_type" };
	clx_preprocess_config_default(c);
	for (int i = 0; i < 2; i++) {
		const cJSON *it;
		enum clx_status st = get(p, root, "", keys[i], &it);
		if (st)
			return st;
		if (!it)
			continue;
		if (!cJSON_IsString(it))
			return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s must be a string, got %s",
					p->name, keys[i], clx_json_type_name(it));
		if (strncmp(it->valuestring, "CLIP", 4) == 0)
			clx_preprocess_config_default_clip(c);
		return CLX_OK;
	}
	return CLX_OK;
}

static enum clx_status parse_terminated(const struct parse *p, const char *s, size_t len,
					struct clx_preprocess_config *cfg)
{
	cJSON *root = NULL;
	enum clx_status st = clx_json_parse(p->ctx, p->name, s, len, 0, &root);
	if (st != CLX_OK)
		return st;
	if (!cJSON_IsObject(root)) {
		st = clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: top level must be an object, got %s",
			      p->name, clx_json_type_name(root));
		goto done;
	}
	struct clx_preprocess_config c;
	const cJSON *it;
	if ((st = processor_defaults(p, root, &c)))
		goto done;
	if ((st = read_bool(p, root, "do_resize", &c.do_resize)) ||
	    (st = read_bool(p, root, "do_center_crop", &c.do_center_crop)) ||
	    (st = read_bool(p, root, "do_rescale", &c.do_rescale)) ||
	    (st = read_bool(p, root, "do_normalize", &c.do_normalize)) ||
	    (st = read_size(p, root, &c)) || (st = read_crop(p, root, &c)) ||
	    (st = read_triple(p, root, "image_mean", false, c.image_mean)) ||
	    (st = read_triple(p, root, "image_std", true, c.image_std)))
		goto done;
	if ((st = get(p, root, "", "resample", &it)))
		goto done;
	if (it && (st = as_int(p, it, "resample", 0, 5, &c.resample)))
		goto done;
	if ((st = get(p, root, "", "rescale_factor", &it)))
		goto done;
	if (it && (st = as_double(p, it, "rescale_factor", &c.rescale_factor)))
		goto done;
	*cfg = c;
	st = CLX_OK;
done:
	cJSON_Delete(root);
	return st;
}

enum clx_status clx_preprocess_config_parse(struct clx_ctx *ctx, const char *name,
					    const char *json, size_t len,
					    struct clx_preprocess_config *cfg)
{
	struct parse p = { ctx, name ? name : "preprocessor_config.json" };
	if (!json || !cfg)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: NULL argument", p.name);
	if (len > CLX_MAX_JSON_FILE)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: %zu bytes is over the %u-byte JSON limit",
				p.name, len, (unsigned)CLX_MAX_JSON_FILE);
	char *copy = clx_malloc(len + 1);
	if (!copy)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", p.name);
	memcpy(copy, json, len);
	copy[len] = '\0';
	enum clx_status st = parse_terminated(&p, copy, len, cfg);
	clx_free(copy);
	return st;
}

enum clx_status clx_preprocess_config_load(struct clx_ctx *ctx, const char *path,
					   struct clx_preprocess_config *cfg)
{
	if (!path || !cfg)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_preprocess_config_load: NULL argument");
	struct parse p = { ctx, path };
	char *buf;
	size_t len;
	enum clx_status st = clx_file_read(ctx, path, CLX_MAX_JSON_FILE, &buf, &len);
	if (st != CLX_OK)
		return st;
	st = parse_terminated(&p, buf, len, cfg);
	clx_free(buf);
	return st;
}

enum clx_status clx_preprocess_config_load_dir(struct clx_ctx *ctx, const char *dir,
					       struct clx_preprocess_config *cfg, bool *found)
{
	if (found)
		*found = false;
	if (!dir || !cfg)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_preprocess_config_load_dir: NULL argument");
	size_t n = strlen(dir);
	const char *leaf = "preprocessor_config.json";
	char *path = clx_malloc(n + strlen(leaf) + 2);
	if (!path)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", dir);
	snprintf(path, n + strlen(leaf) + 2, "%s/%s", dir, leaf);
	struct stat sb;
	enum clx_status st;
	if (stat(path, &sb) != 0 && errno == ENOENT) {
		clx_preprocess_config_default(cfg);
		st = CLX_OK;
	} else {
		st = clx_preprocess_config_load(ctx, path, cfg);
		if (!st && found)
			*found = true;
	}
	clx_free(path);
	return st;
}
