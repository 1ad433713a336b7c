/* test_xclip_golden.c — the CPU reference against transformers' XCLIPModel
 * or CLIPModel (the model's kind decides which intermediates and outputs).
 *
 *   test_xclip_golden FIXTURE_DIR MODEL_DIR PIXEL_VALUES.npy [DEVICE_SPEC]
 *
 * DEVICE_SPEC (an OpenCL device: "pthread", "llvmpipe", "cl:0:0") runs the
 * same checks on that device instead of the CPU reference; the device must
 * exist (the test fails otherwise) and kernels must have run on it.
 *
 * FIXTURE_DIR holds transformers' inputs and outputs and ref/ intermediates
 * (tools/dev/gen_fixtures.py). Checks docs/NUMERICS.md's tolerances: logits max abs
 * diff ≤ 1e-3, every embedding row cosine ≥ 0.99999, intermediates NMSE ≤
 * 1e-7; reports the first diverging tensor in graph order. Also checks the
 * get_text_features / get_video_features (CLIP: get_image_features) entries. */
#include "check.h"
#include "clx/check.h"
#include "test_backend.h"

#include "clx/npy.h"
#include "clx/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *fixture;
static struct clx_ctx *ctx;

/* Loads FIXTURE/name.npy; returns false when the file does not exist. */
static bool load_ref(const char *name, struct clx_npy *a)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.npy", fixture, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	fclose(f);
	enum clx_status st = clx_npy_load(ctx, path, a);
	CHECK(st == CLX_OK, "%s: %s", path, clx_last_error(ctx));
	return st == CLX_OK;
}

/* The graph tensor holding hidden state i of a tower (transformers'
 * hidden_states[i]): `first` (the embedding step) for i = 0, else the
 * output of layer i − 1, "TOWER.layers.N". */
static void hidden_name(char *buf, size_t cap, int i, const char *first, const char *tower)
{
	if (i == 0)
		snprintf(buf, cap, "%s", first);
	else
		snprintf(buf, cap, "%s.layers.%d", tower, i - 1);
}

/* Reads graph tensor `tname` and compares it with FIXTURE/ref_name.npy.
 * With cls_only, the graph tensor (N, S, D) is reduced to rows [:, 0, :]. */
static bool compare_tensor(struct clx_session *s, const char *tname, const char *ref_name,
			   bool cls_only, double max_nmse, double max_abs, double min_cos)
{
	struct clx_npy ref = { 0 };
	if (!load_ref(ref_name, &ref))
		return true; /* this fixture does not carry that intermediate */
	int t = clx_session_find(s, tname);
	CHECK(t >= 0, "graph has no tensor '%s'", tname);
	if (t < 0) {
		clx_npy_release(&ref);
		return false;
	}
	const struct clx_tensor *x = &clx_session_graph(s)->tensors[t];
	int64_t n = clx_tensor_nelems(x);
	float *got = malloc((size_t)n * sizeof *got);
	CHECK(clx_session_read(ctx, s, t, got) == CLX_OK, "read %s: %s", tname, clx_last_error(ctx));
	int64_t D = x->ne[x->n_dims - 1];
	if (cls_only) { /* keep row 0 of each (S, D) block */
		int64_t S = x->ne[1], N = x->ne[0];
		for (int64_t i = 0; i < N; i++)
			memmove(got + i * D, got + i * S * D, (size_t)D * sizeof *got);
		n = N * D;
	}
	bool ok = n == ref.n_elems;
	CHECK(ok, "%s: %lld values, reference %s has %lld", tname, (long long)n, ref_name,
	      (long long)ref.n_elems);
	if (ok) {
		struct clx_diff c = clx_diff_f32(got, ref.data, n, D);
		ok = c.nmse <= max_nmse && c.max_abs <= max_abs && c.min_cos >= min_cos && !c.n_nonfinite;
		printf("  %-34s vs %-22s nmse %.3e  max|d| %.3e  min cos %.9f %s\n", tname, ref_name, c.nmse,
		       c.max_abs, c.min_cos, ok ? "ok" : "FAIL");
		CHECK(ok, "%s differs from transformers' %s: nmse %.3e (≤ %.0e), max abs %.3e at %lld "
			  "(got %.7g, want %.7g), min cos %.9f",
		      tname, ref_name, c.nmse, max_nmse, c.max_abs, (long long)c.worst, got[c.worst],
		      ((float *)ref.data)[c.worst], c.min_cos);
	}
	free(got);
	clx_npy_release(&ref);
	return ok;
}

/* Every row of graph tensor `name` has its largest value where
 * transformers' has: the label a user reads is the same. */
static void check_argmax(struct clx_session *s, const char *name)
{
	struct clx_npy ref = { 0 };
	const int t = clx_session_find(s, name);
	if (t < 0 || !load_ref(name, &ref))
		return;
	const struct clx_tensor *x = &clx_session_graph(s)->tensors[t];
	const int64_t n = clx_tensor_nelems(x), D = x->ne[x->n_dims - 1];
	float *got = malloc((size_t)n * sizeof *got);
	CHECK(got && clx_session_read(ctx, s, t, got) == CLX_OK, "read %s", name);
	const float *want = ref.data;
	CHECK(got && n == ref.n_elems, "%s: %lld values, transformers' %lld", name, (long long)n,
	      (long long)ref.n_elems);
	const int64_t changed = got && n == ref.n_elems ? clx_argmax_changed(got, want, n, D) : 0;
	printf("  %-34s argmax: %lld of %lld rows changed\n", name, (long long)changed,
	       (long long)(n / D));
	CHECK(changed == 0, "%s: the argmax of %lld rows differs from transformers'", name,
	      (long long)changed);
	free(got);
	clx_npy_release(&ref);
}

static int32_t *load_ids(const char *name, int64_t *K, int64_t *L)
{
	struct clx_npy a = { 0 };
	if (!load_ref(name, &a))
		return NULL;
	int32_t *ids = malloc((size_t)a.n_elems * sizeof *ids);
	for (int64_t i = 0; i < a.n_elems; i++)
		ids[i] = (int32_t)(a.dtype == CLX_DTYPE_I64 ? ((int64_t *)a.data)[i] : ((int32_t *)a.data)[i]);
	*K = a.shape[0];
	*L = a.shape[1];
	clx_npy_release(&a);
	return ids;
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: %s FIXTURE_DIR MODEL_DIR PIXEL_VALUES.npy [DEVICE_SPEC]\n", argv[0]);
		return 2;
	}
	fixture = argv[1];
	ctx = clx_ctx_create();
	struct clx_model *m = NULL;
	double t0 = clx_now();
	enum clx_status st = clx_model_load(ctx, argv[2], &m);
	CHECK(st == CLX_OK, "load %s: %s", argv[2], clx_last_error(ctx));
	if (st != CLX_OK)
		return check_summary();
	printf("model %s loaded in %.2f s (%d weights)\n", argv[2], clx_now() - t0, m->n_weights);

	struct clx_npy px = { 0 };
	st = clx_npy_load(ctx, argv[3], &px);
	CHECK(st == CLX_OK, "%s: %s", argv[3], clx_last_error(ctx));
	const bool clip = m->kind == CLX_MODEL_CLIP;
	struct clx_xclip_shape shape = { .B = px.shape[0], .T = clip ? 1 : px.shape[1] };
	int32_t *ids = load_ids("input_ids", &shape.K, &shape.L);
	int64_t mk, ml;
	int32_t *mask = load_ids("attention_mask", &mk, &ml);
	CHECK(ids && mask, "fixture inputs missing");
	if (st != CLX_OK || !ids || !mask)
		return check_summary();

	struct clx_backend *be = test_open_backend(ctx, argc == 5 ? argv[4] : NULL);
	if (!be)
		return check_summary();
	struct clx_session *s = NULL;
	struct clx_xclip_graph xg;
	const char *spec = argc == 5 ? argv[4] : NULL;
	st = clx_pipeline_session(ctx, m, be, CLX_XCLIP_FULL, &shape, CLX_SESSION_KEEP_ALL, &xg, &s);
	CHECK(st == CLX_OK, "session: %s", clx_last_error(ctx));
	if (st != CLX_OK)
		return check_summary();
	printf("graph: %d nodes, %d tensors; B=%lld T=%lld K=%lld L=%lld\n",
	       clx_session_graph(s)->n_nodes, clx_session_graph(s)->n_tensors, (long long)shape.B, (long long)shape.T, (long long)shape.K,
	       (long long)shape.L);
	t0 = clx_now();
	st = clx_pipeline_set_inputs(ctx, s, &xg, px.data, ids, mask);
	if (st == CLX_OK)
		st = clx_session_run(ctx, s, NULL, NULL);
	CHECK(st == CLX_OK, "run: %s", clx_last_error(ctx));
	printf("%s forward: %.2f s\n", clx_backend_name(be), clx_now() - t0);
	test_check_ran_on_device(be, spec);
	test_check_fallback(clx_session_backend(s), clx_session_graph(s));

	/* Weights stored as half (SPEC@f16) have their own tolerances, unless
	 * the model is an F16 checkpoint: then the device holds the file's own
	 * half values, uploaded as they are (not rounded again from f32), and
	 * the f32 tolerances hold. */
	bool f16_file = m->n_weights > 0;
	for (int i = 0; i < m->n_weights; i++)
		f16_file &= m->weights[i].half != NULL;
	struct clx_backend_stats bs;
	clx_backend_stats(clx_session_backend(s), &bs);
	if (spec && strstr(spec, "@f16")) {
		printf("weights held as half: %d, %d of them the file's own F16 values\n", bs.half_weights,
		       bs.half_from_file);
		CHECK(bs.half_weights > 0, "%s stored no weight as half", spec);
		CHECK(bs.half_from_file == (f16_file ? bs.half_weights : 0),
		      "%d of %d half weights came from the file, which is %s", bs.half_from_file,
		      bs.half_weights, f16_file ? "F16" : "not F16");
	}

	/* Intermediates in graph order: the first failure names the layer. */
	const struct clx_vision_config *v = &m->cfg.vision;
	const struct clx_text_config *tc = &m->cfg.text;
	const bool f16 = spec && strstr(spec, "@f16") && !f16_file;
	const double gemm = f16 ? CLX_CHECK_F16_NMSE : CLX_CHECK_NMSE_GEMM, big = 1e30;
	const double logits_tol = f16 ? CLX_CHECK_F16_LOGITS_MAX_ABS : CLX_CHECK_LOGITS_MAX_ABS;
	char tname[128], rname[128];
	bool first_bad_reported = false;
#define STEP(tn, rn, cls)                                                              \
	do {                                                                           \
		if (!compare_tensor(s, tn, rn, cls, gemm, big, -1) && !first_bad_reported) { \
			printf("first diverging tensor: %s\n", tn);                  \
			first_bad_reported = true;                                     \
		}                                                                      \
	} while (0)
	const char *vision_features = clip ? "visual_projection" : "mit.mean";
	for (int i = 0; i <= v->num_hidden_layers; i++) {
		hidden_name(tname, sizeof tname, i, "vision.pre_layernorm", "vision");
		snprintf(rname, sizeof rname, "ref/vision.hidden.%d", i);
		STEP(tname, rname, false);
		snprintf(rname, sizeof rname, "ref/vision.hidden_cls.%d", i);
		STEP(tname, rname, true);
	}
	STEP("vision.post_layernorm", "ref/vision.pooled", false);
	if (clip) {
		STEP("visual_projection", "ref/image_features", false);
	} else {
		STEP("mit.out", "ref/mit.out", false);
		STEP("mit.mean", "ref/video_features", false);
		STEP("prompts_visual.mean", "ref/img_features", false);
	}
	for (int i = 0; i <= tc->num_hidden_layers; i++) {
		hidden_name(tname, sizeof tname, i, "text.embeddings", "text");
		snprintf(rname, sizeof rname, "ref/text.hidden.%d", i);
		STEP(tname, rname, false);
	}
	STEP("text.final_layer_norm", "ref/text.last", false);
	STEP("text_projection", "ref/text_features", false);
	STEP("prompts_generator", "ref/prompts.out", false);

	/* Outputs under the contract tolerances. */
	const char *logits = clip ? "logits_per_image" : "logits_per_video";
	const char *embeds = clip ? "image_embeds" : "video_embeds";
	compare_tensor(s, logits, logits, false, big, logits_tol, -1);
	compare_tensor(s, "logits_per_text", "logits_per_text", false, big, logits_tol, -1);
	check_argmax(s, logits);
	compare_tensor(s, "text_embeds", "text_embeds", false, big, big, 0.99999);
	compare_tensor(s, embeds, embeds, false, big, big, 0.99999);
	clx_session_free(s);

	/* get_text_features / get_video_features entries on their own graphs. */
	st = clx_pipeline_session(ctx, m, be, CLX_XCLIP_TEXT_FEATURES, &shape, 0, &xg, &s);
	CHECK(st == CLX_OK, "text session: %s", clx_last_error(ctx));
	if (st == CLX_OK) {
		CHECK(clx_pipeline_set_inputs(ctx, s, &xg, NULL, ids, mask) == CLX_OK &&
			      clx_session_run(ctx, s, NULL, NULL) == CLX_OK,
		      "text run: %s", clx_last_error(ctx));
		compare_tensor(s, "text_projection", "ref/text_features", false, gemm, big, 0.99999);
		CHECK(xg.pixel_values < 0 && xg.text_features >= 0, "text entry has no vision input");
		clx_session_free(s);
	}
	st = clx_pipeline_session(ctx, m, be, CLX_XCLIP_VIDEO_FEATURES, &shape, 0, &xg, &s);
	CHECK(st == CLX_OK, "video session: %s", clx_last_error(ctx));
	if (st == CLX_OK) {
		CHECK(clx_pipeline_set_inputs(ctx, s, &xg, px.data, NULL, NULL) == CLX_OK &&
			      clx_session_run(ctx, s, NULL, NULL) == CLX_OK,
		      "video run: %s", clx_last_error(ctx));
		compare_tensor(s, vision_features, clip ? "ref/image_features" : "ref/video_features",
			       false, gemm, big, 0.99999);
		CHECK(xg.input_ids < 0 && xg.video_features >= 0, "video entry has no text input");
		clx_session_free(s);
	}

	clx_backend_free(be);
	free(ids);
	free(mask);
	clx_npy_release(&px);
	clx_model_free(m);
	clx_ctx_free(ctx);
	return check_summary();
}
