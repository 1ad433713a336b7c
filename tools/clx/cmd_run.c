/* cmd_run.c — `clx run`: XCLIPModel or CLIPModel forward on preprocessed
 * inputs.
 *
 *   clx run --model M --pixel-values X.npy --input-ids I.npy
 *           [--attention-mask A.npy] [--device SPEC] --out DIR [--json]
 *
 * X-CLIP: writes logits_per_video.npy (B,K), logits_per_text.npy (K,B),
 * video_embeds.npy (B,P) and text_embeds.npy (B,K,P) into DIR and prints
 * logits_per_video. CLIP: logits_per_image.npy (B,K), logits_per_text.npy
 * (K,B), image_embeds.npy (B,P) and text_embeds.npy (K,P); prints
 * logits_per_image. */
#include "cli.h"

#include "clx/pipeline.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: clx run --model M --pixel-values X.npy --input-ids I.npy\n"
	"               [--attention-mask A.npy] [--device SPEC] --out DIR [--json]\n"
	"\n"
	"Runs XCLIPModel or CLIPModel on preprocessed inputs, as transformers'\n"
	"model(**inputs).\n"
	"  --model M            model directory (config.json + model.safetensors) or a Hub id\n"
	"                       in the local Hugging Face cache (microsoft/xclip-base-patch32)\n"
	"  --pixel-values X     X-CLIP: (B, T, 3, H, W) float32 .npy, T = num_frames;\n"
	"                       CLIP: (B, 3, H, W); H = W = image_size\n"
	"  --input-ids I        (K, L) int64 or int32 .npy token ids\n"
	"  --attention-mask A   (K, L) 0/1 .npy; default all ones\n"
	"  --device SPEC        cpu (reference, default), cl, cl:P:D, a device-name substring,\n"
	"                       auto, or a placement vision=SPEC,text=SPEC[,prompt=SPEC]\n"
	CLI_PRECISION_HELP
	"  --out DIR            writes logits_per_video.npy, logits_per_text.npy,\n"
	"                       video_embeds.npy, text_embeds.npy (CLIP: logits_per_image.npy,\n"
	"                       logits_per_text.npy, image_embeds.npy, text_embeds.npy);\n"
	"                       created if missing\n"
	"  --json               print logits as one JSON document\n";

struct out_file {
	const char *name;
	int tensor;
	int n_dims;
	int64_t shape[3];
};

int cmd_run(int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ "model", true, NULL },  { "pixel-values", true, NULL }, { "input-ids", true, NULL },
		{ "attention-mask", true, NULL }, { "device", true, NULL }, CLI_PRECISION_OPT, { "out", true, NULL },
		{ "json", false, NULL },  { "help", false, NULL },        { NULL, false, NULL },
	};
	int rc0 = cli_start("run", argc, argv, opts, help);
	if (rc0 >= 0)
		return rc0;
	const char *model_path = cli_get(opts, "model"), *px_path = cli_get(opts, "pixel-values");
	const char *ids_path = cli_get(opts, "input-ids"), *mask_path = cli_get(opts, "attention-mask");
	const char *out_dir = cli_get(opts, "out");
	if (!model_path || !px_path || !ids_path || !out_dir)
		return cli_usage_error("run", "--model, --pixel-values, --input-ids and --out are required "
					      "(see clx run --help)");

	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_model *m = NULL;
	struct clx_backend *be = NULL;
	struct clx_session *s = NULL;
	struct clx_xclip_graph xg;
	struct cli_inputs in = { 0 };
	float *buf = NULL, *logits = NULL; /* logits_per_video (B, K) */
	int rc = CLI_BAD_INPUT;
	enum clx_status st;
	if (!ctx)
		return cli_usage_error("run", "out of memory");

	if ((st = clx_model_load(ctx, model_path, &m)) != CLX_OK)
		goto fail;
	const struct clx_model_config *c = &m->cfg;
	if ((st = cli_inputs_load(ctx, m, px_path, ids_path, mask_path, &in)) != CLX_OK)
		goto fail;
	const struct clx_xclip_shape shape = in.shape;
	if ((st = cli_open_device(ctx, cli_get(opts, "device"), cli_get(opts, "precision"), &be)) != CLX_OK)
		goto fail;
	if ((st = clx_pipeline_session(ctx, m, be, CLX_XCLIP_FULL, &shape, 0, &xg, &s)) != CLX_OK)
		goto fail;
	if ((st = clx_pipeline_set_inputs(ctx, s, &xg, in.pixels, in.ids, in.mask)) != CLX_OK ||
	    (st = clx_session_run(ctx, s, NULL, NULL)) != CLX_OK)
		goto fail;
	if ((st = cli_ensure_dir(ctx, out_dir)) != CLX_OK)
		goto fail;

	const int64_t B = shape.B, K = shape.K, P = c->projection_dim;
	const bool clip = m->kind == CLX_MODEL_CLIP;
	const char *logits_name = clip ? "logits_per_image" : "logits_per_video";
	const char *what = clip ? "image" : "video";
	const struct out_file files[] = {
		{ logits_name, xg.logits_per_video, 2, { B, K } },
		{ "logits_per_text", xg.logits_per_text, 2, { K, B } },
		{ clip ? "image_embeds" : "video_embeds", xg.video_embeds, 2, { B, P } },
		{ "text_embeds", xg.text_embeds, clip ? 2 : 3, { clip ? K : B, clip ? P : K, P } },
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		const struct out_file *f = &files[i];
		size_t n = (size_t)clx_tensor_nelems(&clx_session_graph(s)->tensors[f->tensor]);
		float *p = clx_malloc(n * sizeof *p);
		char path[4200];
		if (!p) {
			st = clx_fail(ctx, CLX_ERR_NOMEM, "run: out of memory reading %s", f->name);
			goto fail;
		}
		if (buf != logits)
			clx_free(buf);
		buf = p;
		if (i == 0)
			logits = p; /* kept for printing */
		if ((st = clx_session_read(ctx, s, f->tensor, buf)) != CLX_OK)
			goto fail;
		snprintf(path, sizeof path, "%s/%s.npy", out_dir, f->name);
		if ((st = clx_npy_save(ctx, path, CLX_DTYPE_F32, f->n_dims, f->shape, buf)) != CLX_OK)
			goto fail;
	}

	/* stdout: logits_per_video (the first 64 × 64 at most) */
	const int64_t pb = B < 64 ? B : 64, pk = K < 64 ? K : 64;
	if (cli_flag(opts, "json")) {
		printf("{\"device\": ");
		cli_json_string(clx_backend_name(be));
		printf(", \"out\": ");
		cli_json_string(out_dir);
		printf(", \"%s\": ", logits_name);
		cli_json_matrix(logits, pb, pk, K);
		printf("}\n");
	} else {
		printf("%s (%lld %ss x %lld prompts) on %s:\n", logits_name, (long long)B, what,
		       (long long)K, clx_backend_name(be));
		for (int64_t b = 0; b < pb; b++) {
			printf("  %s %lld:", what, (long long)b);
			for (int64_t k = 0; k < pk; k++)
				printf(" %10.5f", logits[b * K + k]);
			printf("\n");
		}
		printf("wrote %s/{%s,logits_per_text,%s_embeds,text_embeds}.npy\n", out_dir, logits_name,
		       what);
	}
	rc = CLI_OK;
	goto done;
fail:
	rc = cli_fail(ctx, st);
done:
	if (buf != logits)
		clx_free(buf);
	clx_free(logits);
	cli_inputs_release(&in);
	clx_session_free(s);
	clx_backend_free(be);
	clx_model_free(m);
	clx_ctx_free(ctx);
	return rc;
}
