/* test_preprocess.c — clx_preprocess_* and clx_resize_rgb against Pillow and
 * transformers' VideoMAEImageProcessor (PIL backend), golden data from
 * tools/dev/gen_video_golden.py.
 *
 * Usage: test_preprocess FIXTURES/preprocess FIXTURES/video/golden TMPDIR
 *
 *  1. clx_resize_rgb = PIL Image.resize, byte for byte: random images, down-
 *     and upscaling, every filter (0 nearest … 5 hamming).
 *  2. preprocessor_config.json cases: what transformers resolved (sizes,
 *     filter, factors, flags — or that it refused) and its pixel_values.
 *  3. pixel_values of the PyAV frames of every test video vs transformers:
 *     max abs diff and how many values differ by an 8-bit level.
 *  4. bad configs generated here; allocation failure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "alloc_fail.h"
#include "check.h"
#include "test_files.h"
#include "clx/npy.h"
#include "clx/preprocess.h"

static struct clx_ctx *ctx;
static const char *pre_dir, *golden_dir, *tmpdir;

static int load_npy(const char *dir, const char *file, struct clx_npy *a)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	enum clx_status st = clx_npy_load(ctx, path, a);
	CHECK(st == CLX_OK, "load %s: %s", file, clx_last_error(ctx));
	return st == CLX_OK;
}

static uint8_t *to_u8(const struct clx_npy *a)
{
	const int32_t *p = a->data;
	uint8_t *u = malloc((size_t)a->n_elems);
	for (int64_t i = 0; i < a->n_elems; i++)
		u[i] = (uint8_t)p[i];
	return u;
}

/* ------------------------------------------------------------------ resize */

struct resize_case {
	const char *name;
	int h, w;
	int outs[5][2];
	int n_outs;
};

static const struct resize_case resize_cases[] = {
	{ "a", 61, 97, { { 23, 40 }, { 90, 140 }, { 61, 40 }, { 20, 97 }, { 61, 97 } }, 5 },
	{ "b", 13, 17, { { 45, 38 }, { 5, 3 }, { 1, 1 }, { 13, 50 } }, 4 },
	{ "c", 120, 90, { { 7, 9 }, { 41, 60 }, { 17, 91 } }, 3 },
	{ "d", 1, 1, { { 3, 5 } }, 1 },
};

static void test_resize(void)
{
	int cases = 0, bad = 0;
	for (size_t i = 0; i < sizeof resize_cases / sizeof *resize_cases; i++) {
		const struct resize_case *rc = &resize_cases[i];
		char name[128];
		struct clx_npy img = { 0 };
		snprintf(name, sizeof name, "img_%s.npy", rc->name);
		if (!load_npy(pre_dir, name, &img))
			continue;
		uint8_t *src = to_u8(&img);
		for (int o = 0; o < rc->n_outs; o++) {
			int oh = rc->outs[o][0], ow = rc->outs[o][1];
			for (int f = 0; f <= 5; f++) {
				struct clx_npy ref = { 0 };
				snprintf(name, sizeof name, "resize_%s_%dx%d_f%d.npy", rc->name, oh, ow, f);
				if (!load_npy(pre_dir, name, &ref))
					continue;
				uint8_t *dst = malloc((size_t)oh * ow * 3);
				enum clx_status st = clx_resize_rgb(ctx, src, rc->h, rc->w, dst, oh, ow, f);
				CHECK(st == CLX_OK, "%s: %s", name, clx_last_error(ctx));
				int64_t nd = 0, md = 0;
				const int32_t *r = ref.data;
				for (int64_t k = 0; st == CLX_OK && k < ref.n_elems; k++) {
					int64_t d = llabs((long long)dst[k] - r[k]);
					nd += d != 0;
					md = d > md ? d : md;
				}
				CHECK(st == CLX_OK && nd == 0, "%s (%dx%d → %dx%d, filter %d): %lld bytes differ "
				      "from PIL, max %lld", name, rc->w, rc->h, ow, oh, f, (long long)nd,
				      (long long)md);
				cases++;
				bad += nd != 0 || st != CLX_OK;
				free(dst);
				clx_npy_release(&ref);
			}
		}
		free(src);
		clx_npy_release(&img);
	}
	printf("resize: %d Image.resize cases (down, up, mixed; filters 0-5), %d differ from PIL\n",
	       cases, bad);
}

/* ----------------------------------------------------------- config cases */

static cJSON *read_json(const char *dir, const char *file)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	char *text = test_read_file(path, NULL);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	return j;
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(it) ? it->valuedouble : cJSON_IsTrue(it) ? 1.0 : 0.0;
}

struct diff {
	double max_abs;
	int64_t n_diff;   /* |d| > 0 */
	int64_t n_level;  /* |d| ≥ half an 8-bit level after normalisation */
	int64_t worst;
};

static struct diff diff_f32(const float *a, const float *b, int64_t n, double level)
{
	struct diff d = { 0, 0, 0, -1 };
	for (int64_t i = 0; i < n; i++) {
		double e = fabs((double)a[i] - b[i]);
		if (!(e == e) || !isfinite(a[i])) {
			d.max_abs = INFINITY;
			d.worst = i;
			continue;
		}
		d.n_diff += e > 0;
		d.n_level += e >= level / 2;
		if (e > d.max_abs) {
			d.max_abs = e;
			d.worst = i;
		}
	}
	return d;
}

static void test_configs(void)
{
	struct clx_npy input = { 0 };
	if (!load_npy(pre_dir, "cfg_input.npy", &input))
		return;
	uint8_t *frames = to_u8(&input);
	int nf = (int)input.shape[0], h = (int)input.shape[1], w = (int)input.shape[2];
	for (int k = 0;; k++) {
		char name[64], path[1024];
		snprintf(name, sizeof name, "cfg_%d.resolved.json", k);
		cJSON *res = read_json(pre_dir, name);
		if (!res) {
			CHECK(k >= 14, "only %d config cases found", k);
			break;
		}
		snprintf(path, sizeof path, "%s/cfg_%d.json", pre_dir, k);
		struct clx_preprocess_config c;
		enum clx_status st = clx_preprocess_config_load(ctx, path, &c);
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(res, "error");
		if (cJSON_IsString(err)) {
			CHECK(st != CLX_OK, "cfg_%d: transformers refuses it (%s) but clx accepts it", k,
			      err->valuestring);
			printf("config cfg_%d: refused as transformers does: %s\n", k, clx_last_error(ctx));
			cJSON_Delete(res);
			continue;
		}
		CHECK(st == CLX_OK, "cfg_%d: %s", k, clx_last_error(ctx));
		if (st) {
			cJSON_Delete(res);
			continue;
		}
		/* resolved fields */
		int ok = c.shortest_edge == (int)jnum(res, "shortest_edge") &&
			 c.longest_edge == (int)jnum(res, "longest_edge") &&
			 c.resize_height == (int)jnum(res, "height") &&
			 c.resize_width == (int)jnum(res, "width") &&
			 c.crop_height == (int)jnum(res, "crop_height") &&
			 c.crop_width == (int)jnum(res, "crop_width") &&
			 c.resample == (int)jnum(res, "resample") &&
			 c.rescale_factor == jnum(res, "rescale_factor") &&
			 c.do_resize == (jnum(res, "do_resize") != 0) &&
			 c.do_center_crop == (jnum(res, "do_center_crop") != 0) &&
			 c.do_rescale == (jnum(res, "do_rescale") != 0) &&
			 c.do_normalize == (jnum(res, "do_normalize") != 0);
		const cJSON *mean = cJSON_GetObjectItemCaseSensitive(res, "image_mean");
		const cJSON *stdv = cJSON_GetObjectItemCaseSensitive(res, "image_std");
		for (int i = 0; i < 3; i++)
			ok &= c.image_mean[i] == cJSON_GetArrayItem(mean, i)->valuedouble &&
			      c.image_std[i] == cJSON_GetArrayItem(stdv, i)->valuedouble;
		CHECK(ok, "cfg_%d: parsed values differ from what transformers resolved", k);
		snprintf(name, sizeof name, "cfg_%d.pv.npy", k);
		snprintf(path, sizeof path, "%s/%s", pre_dir, name);
		struct stat sb;
		if (stat(path, &sb) == 0) {
			struct clx_npy ref = { 0 };
			if (load_npy(pre_dir, name, &ref)) {
				int32_t oh, ow;
				st = clx_preprocess_output_size(ctx, &c, h, w, &oh, &ow);
				CHECK(st == CLX_OK && ref.n_dims == 4 && ref.shape[0] == nf &&
				      ref.shape[2] == oh && ref.shape[3] == ow,
				      "cfg_%d: output %dx%d, transformers %lldx%lld", k, ow, oh,
				      (long long)ref.shape[3], (long long)ref.shape[2]);
				if (st == CLX_OK && ref.shape[2] == oh && ref.shape[3] == ow) {
					float *out = malloc(sizeof(float) * (size_t)ref.n_elems);
					st = clx_preprocess_frames(ctx, &c, frames, nf, h, w, out);
					CHECK(st == CLX_OK, "cfg_%d: %s", k, clx_last_error(ctx));
					struct diff d = diff_f32(out, ref.data, ref.n_elems, 1.0);
					CHECK(d.max_abs <= 1e-5, "cfg_%d: max abs diff %g at %lld", k, d.max_abs,
					      (long long)d.worst);
					printf("config cfg_%d: %dx%d → %lldx%lldx%lldx%lld, max abs diff %g, "
					       "%lld values differ\n", k, w, h, (long long)ref.shape[0],
					       (long long)ref.shape[1], (long long)ref.shape[2],
					       (long long)ref.shape[3], d.max_abs, (long long)d.n_diff);
					free(out);
				}
				clx_npy_release(&ref);
			}
		} else {
			printf("config cfg_%d: resolved values checked\n", k);
		}
		cJSON_Delete(res);
	}
	free(frames);
	clx_npy_release(&input);
}

/* ------------------------------------------------- pixel_values per video */

static const char *const stems[] = { "h264", "bt709", "fullrange", "vp9", "mjpeg", "anim",
				     "portrait", "odd444", "vfr", "interlaced", "rotated",
				     "truncated", "p10", "p10full", "p10center", "p10il",
				     "p422p10", "p444p10", "hevc10", "hevc12", "hevc422p12",
				     "hevc444p12", "vp9p10odd", "vp9p10oddw", "vp9p440",
				     "vp9p440p10", "vp9oddodd" };

static void config_hub(struct clx_preprocess_config *c)
{
	clx_preprocess_config_default(c);
	const double mean[3] = { 0.485, 0.456, 0.406 }, stdv[3] = { 0.229, 0.224, 0.225 };
	memcpy(c->image_mean, mean, sizeof mean);
	memcpy(c->image_std, stdv, sizeof stdv);
}

static void pv_case(const char *stem, const char *tag, const struct clx_preprocess_config *c,
		    int first, int count, double *worst)
{
	char name[128];
	struct clx_npy frames = { 0 }, ref = { 0 };
	snprintf(name, sizeof name, "%s.u3.rgb.npy", stem);
	if (!load_npy(golden_dir, name, &frames))
		return;
	snprintf(name, sizeof name, "%s.%s.npy", stem, tag);
	if (!load_npy(golden_dir, name, &ref)) {
		clx_npy_release(&frames);
		return;
	}
	int h = (int)frames.shape[1], w = (int)frames.shape[2];
	uint8_t *rgb = to_u8(&frames);
	float *out = malloc(sizeof(float) * (size_t)ref.n_elems);
	enum clx_status st = clx_preprocess_frames(ctx, c, rgb + (size_t)first * h * w * 3, count, h,
						   w, out);
	CHECK(st == CLX_OK, "%s %s: %s", stem, tag, clx_last_error(ctx));
	if (st == CLX_OK) {
		/* one 8-bit level after normalisation: rescale / std (smallest std) */
		double level = c->rescale_factor / c->image_std[0];
		for (int i = 1; i < 3; i++)
			if (c->rescale_factor / c->image_std[i] < level)
				level = c->rescale_factor / c->image_std[i];
		struct diff d = diff_f32(out, ref.data, ref.n_elems, level);
		CHECK(d.max_abs <= 1e-5, "%s %s: max abs diff %g at %lld (docs/NUMERICS.md: 1e-5)", stem, tag,
		      d.max_abs, (long long)d.worst);
		printf("pixel_values %-10s %-9s %dx%d → (%d, 3, %lld, %lld): max abs diff %g, %lld of %lld "
		       "values differ, %lld by ≥ half an 8-bit level\n", stem, tag, w, h, count,
		       (long long)ref.shape[2], (long long)ref.shape[3], d.max_abs, (long long)d.n_diff,
		       (long long)ref.n_elems, (long long)d.n_level);
		if (d.max_abs > *worst)
			*worst = d.max_abs;
	}
	free(out);
	free(rgb);
	clx_npy_release(&frames);
	clx_npy_release(&ref);
}

static void test_videos(void)
{
	struct clx_preprocess_config small, bicubic, hub;
	config_hub(&small);
	small.shortest_edge = 28;
	small.crop_height = small.crop_width = 24;
	config_hub(&bicubic);
	bicubic.shortest_edge = 0;
	bicubic.resize_height = 30;
	bicubic.resize_width = 44;
	bicubic.crop_height = 24;
	bicubic.crop_width = 36;
	bicubic.resample = CLX_RESAMPLE_BICUBIC;
	config_hub(&hub);
	double worst = 0;
	for (size_t i = 0; i < sizeof stems / sizeof *stems; i++) {
		pv_case(stems[i], "pv", &small, 0, 3, &worst);
		if (!strcmp(stems[i], "h264") || !strcmp(stems[i], "mjpeg") || !strcmp(stems[i], "portrait"))
			pv_case(stems[i], "pvbicubic", &bicubic, 0, 3, &worst);
		if (!strcmp(stems[i], "h264"))
			pv_case(stems[i], "pv224", &hub, 1, 1, &worst);
	}
	printf("pixel_values: worst max abs diff over all videos %g\n", worst);
}

/* --------------------------------------------------------------- bad input */

static void test_bad_configs(void)
{
	static const struct {
		const char *json;
		const char *expect; /* substring of the message */
	} bad[] = {
		{ "", "invalid JSON" },
		{ "not json", "invalid JSON" },
		{ "{\"size\": NaN}", "non-standard JSON token 'NaN'" },
		{ "{\"size\": 224} x", "trailing data" },
		{ "[224]", "top level must be an object" },
		{ "{\"size\": -1}", "size = -1 is out of range" },
		{ "{\"size\": 0}", "out of range" },
		{ "{\"size\": 5000}", "out of range" },
		{ "{\"size\": 40.5}", "must be an integer" },
		{ "{\"size\": \"224\"}", "size must be an integer, a [height, width] list or an object" },
		{ "{\"size\": [224]}", "[height, width]" },
		{ "{\"size\": {\"max_height\": 10, \"max_width\": 10}}", "size.max_height is not supported" },
		{ "{\"size\": {\"longest_edge\": 10}}", "size needs shortest_edge" },
		{ "{\"size\": {\"height\": 10}}", "size needs shortest_edge" },
		{ "{\"crop_size\": {\"height\": 10}}", "crop_size needs height and width" },
		{ "{\"crop_size\": true}", "crop_size must be" },
		{ "{\"image_std\": 0}", "divide by zero" },
		{ "{\"image_std\": [0.2, 0, 0.2]}", "divide by zero" },
		{ "{\"image_mean\": [0.1, 0.2, 0.3, 0.4]}", "must have 3 elements" },
		{ "{\"image_mean\": [0.1, \"a\", 0.3]}", "image_mean[1] must be a number" },
		{ "{\"image_mean\": 1e300}", "not a finite float" },
		{ "{\"resample\": 6}", "resample = 6 is out of range" },
		{ "{\"resample\": \"bilinear\"}", "resample must be an integer" },
		{ "{\"do_resize\": \"yes\"}", "do_resize must be true or false" },
		{ "{\"do_normalize\": 1}", "do_normalize must be true or false" },
		{ "{\"size\": 224, \"size\": 100}", "duplicate key size" },
		{ "{\"size\": {\"shortest_edge\": 1, \"shortest_edge\": 2}}", "duplicate key size.shortest_edge" },
		{ "{\"rescale_factor\": \"1/255\"}", "rescale_factor must be a number" },
		{ "{\"size\": 224", "invalid JSON" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct clx_preprocess_config c;
		clx_preprocess_config_default(&c);
		enum clx_status st = clx_preprocess_config_parse(ctx, "pp.json", bad[i].json,
								 strlen(bad[i].json), &c);
		const char *msg = clx_last_error(ctx);
		CHECK(st != CLX_OK && strstr(msg, bad[i].expect) && strstr(msg, "pp.json"),
		      "'%s': expected an error with '%s', got %s '%s'", bad[i].json, bad[i].expect,
		      clx_status_name(st), msg);
	}
	/* NUL byte, deep nesting */
	const char nul[] = "{\"size\": 224,\0 \"x\": 1}";
	struct clx_preprocess_config c;
	CHECK(clx_preprocess_config_parse(ctx, "pp.json", nul, sizeof nul - 1, &c) == CLX_ERR_FORMAT &&
	      strstr(clx_last_error(ctx), "NUL byte"), "NUL byte: %s", clx_last_error(ctx));
	char deep[300];
	memset(deep, '[', 200);
	snprintf(deep + 200, sizeof deep - 200, "{\"a\":1}");
	CHECK(clx_preprocess_config_parse(ctx, "pp.json", deep, strlen(deep), &c) == CLX_ERR_FORMAT &&
	      strstr(clx_last_error(ctx), "nested deeper"), "deep nesting: %s", clx_last_error(ctx));
	/* passing counterparts of the checks above */
	static const char *const good[] = {
		"{}", "{\"size\": 1}", "{\"size\": 4096}", "{\"size\": [30, 40]}", "{\"size\": null}",
		"{\"size\": {\"shortest_edge\": 10, \"height\": 5}}", "{\"crop_size\": [3, 4]}",
		"{\"image_std\": 1e-3}", "{\"image_mean\": [0.1, 0.2, 0.3]}", "{\"resample\": 0}",
		"{\"resample\": 5}", "{\"do_resize\": false}", "{\"rescale_factor\": 0.5}",
		" \n{\"unknown\": [1, {\"x\": null}]}\n ",
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		CHECK(clx_preprocess_config_parse(ctx, "pp.json", good[i], strlen(good[i]), &c) == CLX_OK,
		      "'%s': %s", good[i], clx_last_error(ctx));

	/* files */
	char path[1024];
	snprintf(path, sizeof path, "%s/none.json", tmpdir);
	CHECK(clx_preprocess_config_load(ctx, path, &c) == CLX_ERR_NOT_FOUND, "missing file");
	bool found = true;
	CHECK(clx_preprocess_config_load_dir(ctx, tmpdir, &c, &found) == CLX_OK && !found &&
	      c.shortest_edge == 224 && c.image_mean[0] == 0.5, "load_dir without a file: defaults");
	snprintf(path, sizeof path, "%s/preprocessor_config.json", tmpdir);
	FILE *f = fopen(path, "wb");
	fputs("{\"size\": 100, \"crop_size\": 90}", f);
	fclose(f);
	CHECK(clx_preprocess_config_load_dir(ctx, tmpdir, &c, &found) == CLX_OK && found &&
	      c.shortest_edge == 100 && c.crop_width == 90, "load_dir with a file");
	remove(path);

	/* invalid calls */
	uint8_t px[3 * 4 * 4] = { 0 };
	float out[3 * 224 * 224];
	clx_preprocess_config_default(&c);
	CHECK(clx_preprocess_frames(ctx, &c, px, 0, 4, 4, out) == CLX_ERR_INVALID_ARG, "0 frames");
	CHECK(clx_preprocess_frames(ctx, &c, px, 1, 0, 4, out) == CLX_ERR_INVALID_ARG, "height 0");
	c.resample = 9;
	CHECK(clx_preprocess_frames(ctx, &c, px, 1, 4, 4, out) == CLX_ERR_UNSUPPORTED, "resample 9");
	clx_preprocess_config_default(&c);
	c.image_std[1] = 0;
	CHECK(clx_preprocess_frames(ctx, &c, px, 1, 4, 4, out) == CLX_ERR_INVALID_ARG, "std 0");
	CHECK(clx_resize_rgb(ctx, px, 4, 4, px, 0, 4, 2) == CLX_ERR_INVALID_ARG, "resize to 0");
	CHECK(clx_resize_rgb(ctx, px, 4, 4, (uint8_t[48]){ 0 }, 4, 3, 7) == CLX_ERR_UNSUPPORTED,
	      "resize filter 7");

	/* output size: landscape / portrait, int() truncation (360x640 → 224x398) */
	int32_t oh, ow;
	clx_preprocess_config_default(&c);
	c.do_center_crop = false;
	CHECK(clx_preprocess_output_size(ctx, &c, 360, 640, &oh, &ow) == CLX_OK && oh == 224 &&
	      ow == 398, "360x640 → %dx%d", oh, ow);
	CHECK(clx_preprocess_output_size(ctx, &c, 640, 360, &oh, &ow) == CLX_OK && oh == 398 &&
	      ow == 224, "640x360 → %dx%d", oh, ow);
	printf("bad configs: %zu refused with a clear message, %zu valid ones accepted\n",
	       sizeof bad / sizeof *bad + 2, sizeof good / sizeof *good);
}

static void test_alloc_fail(void)
{
	struct clx_npy frames = { 0 };
	if (!load_npy(golden_dir, "mjpeg.u3.rgb.npy", &frames))
		return;
	uint8_t *rgb = to_u8(&frames);
	int h = (int)frames.shape[1], w = (int)frames.shape[2];
	const char *json = "{\"size\": 28, \"crop_size\": 24, \"resample\": 3, "
			   "\"image_mean\": [0.485, 0.456, 0.406], \"image_std\": [0.229, 0.224, 0.225]}";
	float *out = malloc(sizeof(float) * 3 * 3 * 24 * 24);
	int failures = 0, n;
	for (n = 1; n < 500; n++) {
		struct clx_preprocess_config c;
		alloc_fail_arm(n);
		enum clx_status st = clx_preprocess_config_parse(ctx, "pp.json", json, strlen(json), &c);
		if (st == CLX_OK)
			st = clx_preprocess_frames(ctx, &c, rgb, 3, h, w, out);
		int hit = alloc_fail_hit();
		alloc_fail_arm(0);
		if (!hit) {
			CHECK(st == CLX_OK, "no failure injected but %s", clx_last_error(ctx));
			break;
		}
		failures++;
		CHECK(st == CLX_ERR_NOMEM, "allocation %d: got %s (%s)", n, clx_status_name(st),
		      clx_last_error(ctx));
	}
	CHECK(n < 500, "allocation-failure loop did not finish");
	printf("allocation failure: %d injected failures, each a clean CLX_ERR_NOMEM\n", failures);
	free(out);
	free(rgb);
	clx_npy_release(&frames);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s FIXTURES/preprocess FIXTURES/video/golden TMPDIR\n", argv[0]);
		return 2;
	}
	pre_dir = argv[1];
	golden_dir = argv[2];
	tmpdir = argv[3];
	mkdir(tmpdir, 0755);
	ctx = clx_ctx_create();
	test_resize();
	test_configs();
	test_videos();
	test_bad_configs();
	test_alloc_fail();
	clx_ctx_free(ctx);
	return check_summary();
}
