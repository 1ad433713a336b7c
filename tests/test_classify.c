/* test_classify.c — `clx classify`'s pipeline end to end against the
 * transformers docs pipeline (PyAV decode + XCLIPProcessor + XCLIPModel,
 * tools/dev/gen_classify_golden.py; or for a CLIP model Pillow's
 * Image.open(f).convert("RGB") + CLIPProcessor + CLIPModel,
 * tools/dev/gen_clip_classify_golden.py): for each bundled case, the
 * sampled frame indices are identical, pixel_values match within 1e-5 and
 * the logits within 1e-3 (docs/NUMERICS.md), probabilities sum to 1.
 *
 * Then the batch runner (classifier.h) on the same device, over a mixed
 * collection of the bundled videos with an audio-only and a broken file
 * (CLIP: bundled images with a truncated and a broken one):
 * every video's logits are bit-identical to the full X-CLIP graph run on it
 * alone (no label cache, B = 1), in batches of 3 and one by one, with the
 * text features computed, cached on disk and read back, and after the
 * cache entry is corrupted; the failed videos carry their errors and do
 * not stop the run; video embeddings likewise.
 *
 *   test_classify MODEL_DIR GOLDEN_DIR FIXTURES_DIR [DEVICE_SPEC [short]]
 * ("short": the batch runner twice, batch 3 uncached and cached, on the
 * first four videos, for slow devices) */
#include "check.h"
#include "test_files.h"
#include "clx/check.h"
#include "test_backend.h"

#include "clx/classifier.h"
#include "clx/npy.h"
#include "clx/pipeline.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct clx_ctx *ctx;

/* the first four in the short run; [1] and [2] fail to decode */
static const char *const mixed_videos[] = {
	"video/h264.mp4",  "video/audio.m4a", "BROKEN",         "video/anim.gif",
	"video/mjpeg.avi", "video/vp9.webm",  "video/portrait.mkv", "video/truncated.mkv",
};
static const char *const mixed_images[] = {
	"images/good/jpeg_420.jpg",  "images/bad/truncated.png",      "BROKEN",
	"images/good/gif_animated.gif", "images/good/webp_lossless.webp", "images/good/bmp_8_palette.bmp",
	"images/good/png_gray16.png", "images/good/jpeg_cmyk.jpg",
};
#define N_MAX (sizeof mixed_videos / sizeof mixed_videos[0])
static const char *const *mixed = mixed_videos;
static size_t N_MIXED = N_MAX;

/* The full graph on one video alone: logits (K) or video features (P). */
static bool reference(const struct clx_model *m, struct clx_backend *be, const char *path,
		      const struct clx_tokenizer_batch *tb, float *out)
{
	struct clx_video_opts vo;
	clx_video_opts_default(&vo);
	vo.n_frames = m->cfg.vision.num_frames;
	float *px = NULL;
	struct clx_video_input vin;
	if (clx_video_input_init(ctx, m, &vo, &vin) != CLX_OK ||
	    clx_pipeline_pixels(ctx, m, &vin, path, &px, NULL) != CLX_OK)
		return false;
	const struct clx_xclip_shape shape = { 1, vo.n_frames, tb ? tb->n_texts : 1, tb ? tb->seq_len : 1 };
	struct clx_session *s = NULL;
	struct clx_xclip_graph xg;
	enum clx_status st = clx_pipeline_session(ctx, m, be, tb ? CLX_XCLIP_FULL : CLX_XCLIP_VIDEO_FEATURES,
						  &shape, 0, &xg, &s);
	if (st == CLX_OK)
		st = clx_pipeline_set_inputs(ctx, s, &xg, px, tb ? tb->input_ids : NULL,
					     tb ? tb->attention_mask : NULL);
	if (st == CLX_OK)
		st = clx_session_run(ctx, s, NULL, NULL);
	if (st == CLX_OK)
		st = clx_session_read(ctx, s, tb ? xg.logits_per_video : xg.video_features, out);
	clx_session_free(s);
	free(px);
	return st == CLX_OK;
}

/* A classifier's run over the mixed collection against the references. */
static void check_run(const struct clx_model *m, struct clx_backend *be,
		      const struct clx_tokenizer_batch *tb, const struct clx_classifier_opts *co,
		      const char *const *paths, float (*ref)[64], const bool *ok, const char *what,
		      const char *want_source)
{
	struct clx_classifier *cl = NULL;
	struct clx_video_item items[N_MAX];
	enum clx_status st = clx_classifier_create(ctx, m, be, tb, co, &cl);
	CHECK(st == CLX_OK, "%s: create: %s", what, clx_last_error(ctx));
	if (st != CLX_OK)
		return;
	if (want_source)
		CHECK(strcmp(clx_classifier_text_source(cl), want_source) == 0,
		      "%s: text features %s, want %s", what, clx_classifier_text_source(cl), want_source);
	if (co->batch == 1) { /* one call per video */
		st = CLX_OK;
		for (size_t i = 0; i < N_MIXED && st == CLX_OK; i++)
			st = clx_classifier_classify(ctx, cl, paths[i], &items[i]);
	} else {
		st = clx_classifier_classify_batch(ctx, cl, paths, N_MIXED, items);
	}
	CHECK(st == CLX_OK, "%s: run: %s", what, clx_last_error(ctx));
	int same = 0, failed = 0;
	for (size_t i = 0; st == CLX_OK && i < N_MIXED; i++) {
		const struct clx_video_item *it = &items[i];
		CHECK((it->status == CLX_OK) == ok[i], "%s: %s: status %s (%s)", what, mixed[i],
		      clx_status_name(it->status), it->error);
		if (it->status != CLX_OK) {
			failed++;
			CHECK(strstr(it->error, paths[i]) != NULL, "%s: the error names the file: %s", what,
			      it->error);
			continue;
		}
		const float *got = co->embed ? it->embedding : it->logits;
		const bool eq = got && memcmp(got, ref[i], (size_t)it->n * sizeof *got) == 0;
		same += eq;
		CHECK(eq, "%s: %s: not bit-identical to the full graph on the video alone", what, mixed[i]);
	}
	printf("%-28s %d videos bit-identical to the reference, %d failed as expected (text: %s)\n",
	       what, same, failed, clx_classifier_text_source(cl));
	for (size_t i = 0; st == CLX_OK && i < N_MIXED; i++)
		clx_video_item_release(&items[i]);
	clx_classifier_free(cl);
}

/* short: the first two runs only (for slow devices). */
static void batch_and_caches(const struct clx_model *m, struct clx_backend *be,
			     const struct clx_tokenizer *tok, const char *fixtures, bool short_run)
{
	char tmpl[] = "/tmp/clx-classify-XXXXXX";
	const char *dir = mkdtemp(tmpl);
	CHECK(dir != NULL, "mkdtemp");
	if (!dir)
		return;
	setenv("CLX_CACHE_DIR", dir, 1); /* the label cache, isolated */
	char broken[4200], paths_buf[N_MAX][4200];
	const bool clip = m->kind == CLX_MODEL_CLIP;
	snprintf(broken, sizeof broken, "%s/broken.%s", dir, clip ? "jpg" : "mp4");
	test_write_text(broken, "this is not a video\n");
	mixed = clip ? mixed_images : mixed_videos;
	const char *paths[N_MAX];
	bool ok[N_MAX];
	static float ref[N_MAX][64], fref[N_MAX][64];
	N_MIXED = short_run ? 4 : N_MAX;
	const char *texts[] = { "playing sports", "eating spaghetti", "a cat on a sofa" };
	(void)N_MAX;
	struct clx_tokenizer_batch *tb = NULL;
	CHECK(clx_tokenizer_encode_batch(ctx, tok, texts, NULL, 3, NULL, &tb) == CLX_OK, "tokenize: %s",
	      clx_last_error(ctx));
	CHECK(m->cfg.projection_dim <= 64, "the test's buffers hold P <= 64");
	if (!tb || m->cfg.projection_dim > 64)
		return;
	for (size_t i = 0; i < N_MIXED; i++) {
		if (strcmp(mixed[i], "BROKEN") == 0)
			snprintf(paths_buf[i], sizeof paths_buf[i], "%s", broken);
		else
			snprintf(paths_buf[i], sizeof paths_buf[i], "%s/%s", fixtures, mixed[i]);
		paths[i] = paths_buf[i];
		ok[i] = reference(m, be, paths[i], tb, ref[i]);
		CHECK(!ok[i] || short_run || reference(m, be, paths[i], NULL, fref[i]), "%s: features",
		      mixed[i]);
		clx_clear_error(ctx);
	}
	CHECK(!ok[1] && !ok[2], "the %s and the broken file fail to decode",
	      clip ? "truncated" : "audio-only");
	int n_ok = 0;
	for (size_t i = 0; i < N_MIXED; i++)
		n_ok += ok[i];
	CHECK(n_ok == (int)N_MIXED - 2, "the other %d videos decode (%d do)", (int)N_MIXED - 2, n_ok);

	struct clx_classifier_opts co;
	clx_classifier_opts_default(m, &co);
	co.no_label_cache = true;
	co.batch = 3;
	check_run(m, be, tb, &co, paths, ref, ok, "batch 3, uncached", "computed");
	co.text_chunk = 2; /* the labels' text tower in chunks of 2 and 1: the same bits */
	check_run(m, be, tb, &co, paths, ref, ok, "batch 3, text tower in chunks of 2", "computed");
	co.text_chunk = 0;
	co.no_label_cache = false;
	check_run(m, be, tb, &co, paths, ref, ok, "batch 3, label cache written", "computed, cached");
	co.batch = 1;
	co.decode_threads = 1;
	if (!short_run)
		check_run(m, be, tb, &co, paths, ref, ok, "one by one, label cache read", "cache");
	co.batch = 4;
	co.decode_threads = 3;
	if (short_run)
		goto out;
	check_run(m, be, tb, &co, paths, ref, ok, "batch 4, label cache read", "cache");
	/* a corrupted entry: ignored with a warning, computed and written again */
	char cmd[4400];
	snprintf(cmd, sizeof cmd, "for f in %s/labels/*.npy; do printf 'garbage' >\"$f\"; done", dir);
	CHECK(system(cmd) == 0, "corrupt the cache entry");
	check_run(m, be, tb, &co, paths, ref, ok, "batch 4, corrupt cache entry", "computed, cached");
	co.embed = true;
	co.batch = 2;
	check_run(m, be, NULL, &co, paths, fref, ok, "embed, batch 2", "none");
out:
	clx_tokenizer_batch_free(tb);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "remove %s", dir);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s MODEL_DIR GOLDEN_DIR FIXTURES_DIR [DEVICE_SPEC]\n", argv[0]);
		return 2;
	}
	const char *model_dir = argv[1], *golden = argv[2], *fixtures = argv[3];
	const char *spec = argc > 4 ? argv[4] : NULL;
	ctx = clx_ctx_create();
	char path[4096];
	snprintf(path, sizeof path, "%s/cases.json", golden);
	char *json = test_read_file(path, NULL);
	CHECK(json != NULL, "%s missing", path);
	cJSON *root = json ? cJSON_Parse(json) : NULL;
	cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
	CHECK(cJSON_IsObject(cases), "cases.json has cases");
	struct clx_model *m = NULL;
	CHECK(clx_model_load(ctx, model_dir, &m) == CLX_OK, "load %s: %s", model_dir, clx_last_error(ctx));
	struct clx_backend *be = m ? test_open_backend(ctx, spec) : NULL;
	CHECK(be != NULL, "backend %s: %s", spec, clx_last_error(ctx));
	if (!m || !be || !cJSON_IsObject(cases))
		return check_summary();
	struct clx_tokenizer *tok = NULL;
	CHECK(clx_tokenizer_load_dir(ctx, model_dir, &tok) == CLX_OK, "tokenizer: %s", clx_last_error(ctx));

	const cJSON *c;
	cJSON_ArrayForEach(c, cases) {
		const bool clip = m->kind == CLX_MODEL_CLIP;
		const char *video = cJSON_GetObjectItemCaseSensitive(c, clip ? "image" : "video")->valuestring;
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(c, "labels");
		const cJSON *indices = cJSON_GetObjectItemCaseSensitive(c, "indices"); /* videos */
		const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, clip ? "logits_per_image"
									     : "logits_per_video");
		int K = cJSON_GetArraySize(labels);
		const char *texts[16];
		for (int k = 0; k < K && k < 16; k++)
			texts[k] = cJSON_GetArrayItem(labels, k)->valuestring;
		char vpath[4096];
		snprintf(vpath, sizeof vpath, "%s/%s", fixtures, video);
		struct clx_video_opts vo;
		clx_video_opts_default(&vo);
		vo.n_frames = m->cfg.vision.num_frames;

		/* pixel values */
		float *px = NULL;
		struct clx_video info = { 0 };
		struct clx_video_input vin;
		enum clx_status st = clx_video_input_init(ctx, m, &vo, &vin);
		if (st == CLX_OK)
			st = clx_pipeline_pixels(ctx, m, &vin, vpath, &px, &info);
		CHECK(st == CLX_OK, "%s: pixels: %s", c->string, clx_last_error(ctx));
		if (st != CLX_OK)
			continue;
		bool same_idx = clip || info.n_frames == cJSON_GetArraySize(indices);
		for (int t = 0; same_idx && t < info.n_frames; t++)
			same_idx = clip || info.indices[t] == (int64_t)cJSON_GetArrayItem(indices, t)->valuedouble;
		CHECK(same_idx, "%s: sampled frame indices differ from the golden", c->string);
		struct clx_npy ref = { 0 };
		snprintf(path, sizeof path, "%s/%s/pixel_values.npy", golden, c->string);
		CHECK(clx_npy_load(ctx, path, &ref) == CLX_OK, "%s", clx_last_error(ctx));
		struct clx_diff pc = clx_diff_f32(px, ref.data, ref.n_elems, 0);
		printf("%-9s pixel_values max|d| %.3e (%lld values)\n", c->string, pc.max_abs, (long long)ref.n_elems);
		CHECK(pc.max_abs <= 1e-5, "%s: pixel_values max abs diff %.3e > 1e-5 at %lld", c->string,
		      pc.max_abs, (long long)pc.worst);
		clx_npy_release(&ref);
		clx_video_release(&info);
		free(px);

		/* logits and probabilities */
		struct clx_tokenizer_batch *tb = NULL;
		CHECK(clx_tokenizer_encode_batch(ctx, tok, texts, NULL, (size_t)K, NULL, &tb) == CLX_OK,
		      "tokenize: %s", clx_last_error(ctx));
		struct clx_classifier_opts co;
		clx_classifier_opts_default(m, &co);
		co.no_label_cache = true;
		struct clx_classifier *cl = NULL;
		struct clx_video_item r = { 0 };
		st = clx_classifier_create(ctx, m, be, tb, &co, &cl);
		if (st == CLX_OK)
			st = clx_classifier_classify(ctx, cl, vpath, &r);
		if (st == CLX_OK && r.status != CLX_OK)
			st = clx_fail(ctx, r.status, "%s", r.error);
		CHECK(st == CLX_OK, "%s: classify: %s", c->string, clx_last_error(ctx));
		if (st == CLX_OK) {
			double max_d = 0, psum = 0;
			for (int k = 0; k < K; k++) {
				double d = fabs(r.logits[k] - cJSON_GetArrayItem(want, k)->valuedouble);
				max_d = d > max_d ? d : max_d;
				psum += r.probs[k];
			}
			/* weights stored as half (SPEC@f16) have their own tolerance */
			const double tol = spec && strstr(spec, "@f16") ? CLX_CHECK_F16_LOGITS_MAX_ABS
									: CLX_CHECK_LOGITS_MAX_ABS;
			int best = 0, want_best = 0;
			for (int k = 1; k < K; k++) {
				best = r.logits[k] > r.logits[best] ? k : best;
				want_best = cJSON_GetArrayItem(want, k)->valuedouble >
							    cJSON_GetArrayItem(want, want_best)->valuedouble
						    ? k
						    : want_best;
			}
			printf("%-9s logits max|d| %.3e on %s, label %d (transformers: %d)\n", c->string,
			       max_d, clx_backend_name(be), best, want_best);
			CHECK(max_d <= tol, "%s: logits differ from transformers by %.3e", c->string, max_d);
			CHECK(best == want_best, "%s: label %d, transformers' %d", c->string, best, want_best);
			CHECK(fabs(psum - 1) < 1e-5, "%s: probabilities sum to %.7f", c->string, psum);
		}
		clx_video_item_release(&r);
		clx_classifier_free(cl);
		clx_tokenizer_batch_free(tb);
	}
	batch_and_caches(m, be, tok, fixtures, argc > 5 && strcmp(argv[5], "short") == 0);

	/* --frames other than num_frames is refused with a message (videos). */
	struct clx_video_opts vo;
	clx_video_opts_default(&vo);
	vo.n_frames = m->cfg.vision.num_frames + 1;
	struct clx_video_input vin;
	CHECK(m->kind == CLX_MODEL_CLIP || (clx_video_input_init(ctx, m, &vo, &vin) == CLX_ERR_INVALID_ARG &&
					     strstr(clx_last_error(ctx), "num_frames")),
	      "wrong frame count refused: %s", clx_last_error(ctx));

	test_check_ran_on_device(be, spec);
	clx_tokenizer_free(tok);
	clx_backend_free(be);
	clx_model_free(m);
	cJSON_Delete(root);
	free(json);
	clx_ctx_free(ctx);
	return check_summary();
}
