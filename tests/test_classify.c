/* test_classify.c — `clx classify`'s pipeline end to end against the
 * transformers docs pipeline (PyAV decode + XCLIPProcessor + XCLIPModel),
 * from tools/dev/gen_classify_golden.py: for each bundled case, the sampled
 * frame indices are identical, pixel_values match within 1e-5 and the
 * logits within 1e-3 (docs/NUMERICS.md), probabilities sum to 1.
 *
 *   test_classify MODEL_DIR GOLDEN_DIR FIXTURES_DIR [DEVICE_SPEC] */
#include "check.h"
#include "test_files.h"
#include "clx/check.h"
#include "test_backend.h"

#include "clx/npy.h"
#include "clx/pipeline.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct clx_ctx *ctx;

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
		const char *video = cJSON_GetObjectItemCaseSensitive(c, "video")->valuestring;
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(c, "labels");
		const cJSON *indices = cJSON_GetObjectItemCaseSensitive(c, "indices");
		const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "logits_per_video");
		int K = cJSON_GetArraySize(labels);
		const char *texts[16];
		for (int k = 0; k < K && k < 16; k++)
			texts[k] = cJSON_GetArrayItem(labels, k)->valuestring;
		char vpath[4096];
		snprintf(vpath, sizeof vpath, "%s/%s", fixtures, video);
		struct clx_video_opts vo;
		clx_video_opts_default(&vo);
		vo.n_frames = m->cfg.xclip.vision.num_frames;

		/* pixel values */
		float *px = NULL;
		struct clx_video info = { 0 };
		enum clx_status st = clx_pipeline_pixels(ctx, m, vpath, &vo, &px, &info);
		CHECK(st == CLX_OK, "%s: pixels: %s", c->string, clx_last_error(ctx));
		if (st != CLX_OK)
			continue;
		bool same_idx = info.n_frames == cJSON_GetArraySize(indices);
		for (int t = 0; same_idx && t < info.n_frames; t++)
			same_idx = info.indices[t] == (int64_t)cJSON_GetArrayItem(indices, t)->valuedouble;
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
		struct clx_classify_result r = { 0 };
		st = clx_pipeline_classify(ctx, m, be, vpath, &vo, tb, &r);
		CHECK(st == CLX_OK, "%s: classify: %s", c->string, clx_last_error(ctx));
		if (st == CLX_OK) {
			double max_d = 0, psum = 0;
			for (int k = 0; k < K; k++) {
				double d = fabs(r.logits[k] - cJSON_GetArrayItem(want, k)->valuedouble);
				max_d = d > max_d ? d : max_d;
				psum += r.probs[k];
			}
			printf("%-9s logits_per_video max|d| %.3e on %s\n", c->string, max_d, clx_backend_name(be));
			CHECK(max_d <= 1e-3, "%s: logits differ from transformers by %.3e", c->string, max_d);
			CHECK(fabs(psum - 1) < 1e-5, "%s: probabilities sum to %.7f", c->string, psum);
		}
		clx_classify_result_release(&r);
		clx_tokenizer_batch_free(tb);
	}

	/* --frames other than num_frames is refused with a message. */
	struct clx_video_opts vo;
	clx_video_opts_default(&vo);
	vo.n_frames = m->cfg.xclip.vision.num_frames + 1;
	float *px = NULL;
	snprintf(path, sizeof path, "%s/video/h264.mp4", fixtures);
	CHECK(clx_pipeline_pixels(ctx, m, path, &vo, &px, NULL) == CLX_ERR_INVALID_ARG &&
		      strstr(clx_last_error(ctx), "num_frames"),
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
