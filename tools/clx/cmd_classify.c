/* cmd_classify.c — `clx classify`, `clx preprocess` and `clx embed`: the
 * commands that take a video (X-CLIP) or image (CLIP) file and/or label
 * text (pipeline.h). */
#include "batch.h"

#include "clx/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------ shared */

#define VIDEO_OPTS                                                                          \
	{ "frames", true, NULL }, { "sample", true, NULL }, { "seed", true, NULL },        \
	{ "apply-rotation", false, NULL }

#define VIDEO_HELP                                                                          \
	"  --frames N           frames sampled per video (default: the model's num_frames)\n"  \
	"  --sample S           uniform (default: the middle frame of each of N equal\n"       \
	"                       segments) or consecutive[:STRIDE] (the transformers docs'\n"   \
	"                       sample_frame_indices with np.random.seed(--seed))\n"           \
	"  --seed N             seed for consecutive sampling (default 0)\n"                   \
	"  --apply-rotation     rotate frames by the file's display matrix (default: as\n"     \
	"                       coded, like PyAV)\n"

/* --frames/--sample/--seed/--apply-rotation into opts (defaults: the model). */
static enum clx_status video_opts(struct clx_ctx *ctx, const struct cli_opt *opts,
				  const struct clx_model *m, struct clx_video_opts *vo)
{
	clx_video_opts_default(vo);
	vo->n_frames = m->cfg.vision.num_frames;
	const char *s;
	long long v;
	if ((s = cli_get(opts, "frames"))) {
		if (!clx_parse_int(s, 1, 100000, &v))
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "--frames %s: need a positive integer", s);
		if (v != m->cfg.vision.num_frames)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"--frames %s: this model takes exactly num_frames = %d frames per video",
					s, m->cfg.vision.num_frames);
		vo->n_frames = (int32_t)v;
	}
	if ((s = cli_get(opts, "sample"))) {
		enum clx_status st = clx_video_parse_sample(ctx, s, vo);
		if (st != CLX_OK) {
			cli_prefix_error(ctx, st, "--sample");
			return st;
		}
	}
	if ((s = cli_get(opts, "seed"))) {
		if (!clx_parse_int(s, 0, 4294967295LL, &v))
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "--seed %s: need an integer in [0, 2^32)", s);
		vo->seed = (uint32_t)v;
	}
	vo->apply_rotation = cli_flag(opts, "apply-rotation");
	return CLX_OK;
}

/* --labels "a,b" or --labels-file F */
static enum clx_status get_labels(struct clx_ctx *ctx, const struct cli_opt *opts,
				  struct cli_labels *l)
{
	const char *list = cli_get(opts, "labels"), *file = cli_get(opts, "labels-file");
	if (list && file)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "give --labels or --labels-file, not both");
	if (list)
		return cli_labels_parse(ctx, list, l);
	if (file)
		return cli_labels_read(ctx, file, l);
	return clx_fail(ctx, CLX_ERR_INVALID_ARG, "no labels: give --labels \"a,b,c\" or --labels-file F");
}

static void warn_video(const struct clx_video *v, const char *path)
{
	if (v->warning[0])
		fprintf(stderr, "clx: warning: %s: %s\n", path, v->warning);
}

/* ------------------------------------------------------------ classify */

static const char classify_help[] =
	"usage: clx classify --model M (--video PATH ... | --image PATH ... | --manifest F)\n"
	"                    (--labels \"a,b,c\" | --labels-file F) [--device SPEC] [--json]\n"
	"                    [--out F [--resume]] [--batch B] [--shard i/n] [video options]\n"
	"\n"
	"Zero-shot classification: probabilities of each label for each video (an X-CLIP\n"
	"model: softmax of logits_per_video) or image (a CLIP model: of logits_per_image),\n"
	"highest first, as the transformers X-CLIP and CLIP examples.\n"
	"The labels' text features are computed once per label set (and cached on disk);\n"
	"inputs are decoded on worker threads while the device runs B per forward.\n"
	"  --model M            model directory (config.json, model.safetensors, vocab.json,\n"
	"                       merges.txt, preprocessor_config.json) or a Hub id in the\n"
	"                       local Hugging Face cache (microsoft/xclip-base-patch32,\n"
	"                       openai/clip-vit-base-patch32)\n"
	"  --labels \"a,b,c\"     comma-separated labels; --labels-file F: one per line\n"
	"  --device SPEC        cpu (reference, default), cl, cl:P:D, a device-name substring,\n"
	"                       auto, or a placement vision=SPEC,text=SPEC[,prompt=SPEC]\n"
	CLI_PRECISION_HELP
	"  --json               a JSON Lines record per video on stdout (as --out writes)\n" VIDEO_HELP
	BATCH_HELP;

/* classify (labels from the options) or embed (none) over the videos of
 * the options, through the batch runner. */
static int batch_main(struct cli_opt *opts, const char *cmd, bool classify)
{
	const char *model_path = cli_get(opts, "model");
	struct batch_args a;
	memset(&a, 0, sizeof a);
	a.cmd = cmd;
	a.json = cli_flag(opts, "json");
	a.normalize = cli_flag(opts, "normalize");
	if (!model_path)
		return cli_usage_error(cmd, "--model is required (see clx %s --help)", cmd);
	if (!cli_batch_args(cmd, opts, &a))
		return CLI_BAD_INPUT;
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_model *m = NULL;
	struct clx_backend *be = NULL;
	struct cli_labels labels = { 0 };
	struct clx_tokenizer_batch *tb = NULL;
	struct clx_video_opts vo;
	enum clx_status st = CLX_OK;
	int rc;
	if (!ctx)
		return cli_usage_error(cmd, "out of memory");
	if ((classify && (st = get_labels(ctx, opts, &labels)) != CLX_OK) ||
	    (st = clx_model_load(ctx, model_path, &m)) != CLX_OK ||
	    (st = video_opts(ctx, opts, m, &vo)) != CLX_OK ||
	    (classify && (st = cli_labels_tokenize(ctx, m->dir, &labels, &tb)) != CLX_OK) ||
	    (st = cli_open_device(ctx, cli_get(opts, "device"), cli_get(opts, "precision"), &be)) != CLX_OK) {
		rc = cli_fail(ctx, st);
	} else {
		a.m = m;
		a.be = be;
		a.labels = classify ? &labels : NULL;
		a.tokens = tb;
		a.video = &vo;
		rc = cli_batch_run(ctx, &a);
	}
	clx_tokenizer_batch_free(tb);
	cli_labels_free(&labels);
	clx_backend_free(be);
	clx_model_free(m);
	clx_ctx_free(ctx);
	return rc;
}

int cmd_classify(int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ "model", true, NULL }, { "labels", true, NULL }, { "labels-file", true, NULL },
		{ "device", true, NULL }, CLI_PRECISION_OPT, VIDEO_OPTS, BATCH_OPTS, { "json", false, NULL },
		{ "help", false, NULL }, { NULL, false, NULL },
	};
	int rc = cli_start("classify", argc, argv, opts, classify_help);
	if (rc < 0)
		rc = batch_main(opts, "classify", true);
	cli_release(opts);
	return rc;
}

/* ---------------------------------------------------------- preprocess */

static const char preprocess_help[] =
	"usage: clx preprocess --model M (--video FILE | --image FILE [--apply-exif]) --out X.npy\n"
	"                      [--frames N] [--sample S] [--seed N]\n"
	"\n"
	"X-CLIP: decodes and samples frames and writes pixel_values (1, N, 3, H, W) float32\n"
	"exactly as XCLIPProcessor (VideoMAE image processor, PIL path). CLIP: decodes the\n"
	"image as Pillow's Image.open(f).convert(\"RGB\") and writes pixel_values (1, 3, H, W)\n"
	"as CLIPProcessor (PIL path; --apply-exif turns it by its EXIF orientation first).\n"
	"Both with the model's preprocessor_config.json; feed it to `clx run --pixel-values`.\n"
	VIDEO_HELP;

int cmd_preprocess(int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ "model", true, NULL }, { "video", true, NULL }, { "image", true, NULL },
		{ "apply-exif", false, NULL }, { "out", true, NULL }, VIDEO_OPTS,
		{ "help", false, NULL }, { NULL, false, NULL },
	};
	int rc0 = cli_start("preprocess", argc, argv, opts, preprocess_help);
	if (rc0 >= 0)
		return rc0;
	const char *model_path = cli_get(opts, "model"), *video = NULL;
	const char *out = cli_get(opts, "out");
	if (!model_path || !(cli_get(opts, "video") || cli_get(opts, "image")) || !out)
		return cli_usage_error("preprocess", "--model, --video or --image, and --out are required "
						     "(see clx preprocess --help)");
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_model *m = NULL;
	struct clx_video info = { 0 };
	struct clx_video_opts vo;
	struct clx_video_input vin;
	float *px = NULL;
	int rc = CLI_OK;
	enum clx_status st;
	if (!ctx)
		return cli_usage_error("preprocess", "out of memory");
	if ((st = clx_model_load(ctx, model_path, &m)) == CLX_OK &&
	    (st = cli_vision_input(ctx, opts, m, &video)) == CLX_OK && !video)
		st = clx_fail(ctx, CLX_ERR_INVALID_ARG, "--%s is required for this model",
			      m->kind == CLX_MODEL_CLIP ? "image" : "video");
	if (st == CLX_OK && (st = video_opts(ctx, opts, m, &vo)) == CLX_OK &&
	    (st = clx_video_input_init(ctx, m, &vo, &vin)) == CLX_OK) {
		vin.image.apply_exif = cli_flag(opts, "apply-exif");
		st = clx_pipeline_pixels(ctx, m, &vin, video, &px, &info);
	}
	if (st != CLX_OK) {
		rc = cli_fail(ctx, st);
		goto done;
	}
	warn_video(&info, video);
	const bool clip = m->kind == CLX_MODEL_CLIP;
	const int64_t S = m->cfg.vision.image_size;
	const int64_t shape5[5] = { 1, vo.n_frames, 3, S, S }, shape4[4] = { 1, 3, S, S };
	if ((st = clx_npy_save(ctx, out, CLX_DTYPE_F32, clip ? 4 : 5, clip ? shape4 : shape5, px)) !=
	    CLX_OK) {
		rc = cli_fail(ctx, st);
		goto done;
	}
	if (clip) {
		printf("%s: pixel_values (1, 3, %lld, %lld) from %s\n", out, (long long)S, (long long)S,
		       video);
	} else {
		printf("%s: pixel_values (1, %d, 3, %lld, %lld) from frames", out, vo.n_frames,
		       (long long)S, (long long)S);
		for (int32_t t = 0; t < info.n_frames; t++)
			printf(" %lld", (long long)info.indices[t]);
		printf(" of %lld\n", (long long)info.n_total);
	}
done:
	clx_free(px);
	clx_video_release(&info);
	clx_model_free(m);
	clx_ctx_free(ctx);
	return rc;
}

/* --------------------------------------------------------------- embed */

static const char embed_help[] =
	"usage: clx embed --model M (--video PATH ... | --image PATH ... | --manifest F | --text \"...\"\n"
	"                 | --labels \"a,b\" | --labels-file F) [--device SPEC] [--out F] [--json]\n"
	"                 [--normalize]\n"
	"\n"
	"Video (X-CLIP): get_video_features (1, P) — the MIT-pooled video embedding. Image\n"
	"(CLIP): get_image_features (1, P) — the projected CLS token. Text:\n"
	"get_text_features (K, P) — the projected EOS token (X-CLIP: without the\n"
	"video-specific prompt generator). Unnormalised as in transformers; --normalize\n"
	"divides each row by its L2 norm. Text, or one video or image with --out F.npy:\n"
	"written as .npy (float32) and/or printed with --json. Otherwise a JSON Lines record\n"
	"per input with its \"embedding\", to --out F and/or stdout (--json).\n" CLI_PRECISION_HELP
	VIDEO_HELP BATCH_HELP;

static bool ends_with(const char *s, const char *suffix)
{
	const size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int embed_main(struct cli_opt *opts)
{
	const char *model_path = cli_get(opts, "model");
	const char *video = cli_get(opts, "video") ? cli_get(opts, "video") : cli_get(opts, "image");
	const char *text = cli_get(opts, "text"), *out = cli_get(opts, "out");
	const bool any_text = text || cli_get(opts, "labels") || cli_get(opts, "labels-file");
	const bool any_video = video || cli_get(opts, "manifest");
	int n_videos, n_images;
	cli_get_all(opts, "video", &n_videos);
	cli_get_all(opts, "image", &n_images);
	n_videos += n_images;
	if (!model_path || (!any_video == !any_text))
		return cli_usage_error("embed", "needs --model and exactly one of --video/--image/--manifest "
						"or --text/--labels (see clx embed --help)");
	if (!out && !cli_flag(opts, "json"))
		return cli_usage_error("embed", "give --out F and/or --json");
	/* one video file into F.npy, as for text; anything else is a batch run */
	struct stat sb;
	if (any_video && !(out && ends_with(out, ".npy")))
		return batch_main(opts, "embed", false); /* records with each embedding */
	if (any_video && (n_videos != 1 || cli_get(opts, "manifest") ||
			  (stat(video, &sb) == 0 && S_ISDIR(sb.st_mode))))
		return cli_usage_error("embed", "--out %s: an .npy holds one input's embedding; give "
						"--out F.jsonl for records of many", out);

	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_model *m = NULL;
	struct clx_backend *be = NULL;
	struct cli_labels labels = { 0 };
	struct clx_tokenizer_batch *tb = NULL;
	struct clx_session *s = NULL;
	struct clx_xclip_graph xg;
	struct clx_video info = { 0 };
	struct clx_video_opts vo;
	float *px = NULL, *emb = NULL;
	int rc = CLI_OK;
	enum clx_status st;
	if (!ctx)
		return cli_usage_error("embed", "out of memory");
	if ((st = clx_model_load(ctx, model_path, &m)) != CLX_OK ||
	    (st = cli_open_device(ctx, cli_get(opts, "device"), cli_get(opts, "precision"), &be)) != CLX_OK)
		goto fail;
	struct clx_xclip_shape shape = { .B = 1, .T = m->cfg.vision.num_frames, .K = 1, .L = 1 };
	int64_t rows;
	if (video) {
		struct clx_video_input vin;
		if ((st = cli_vision_input(ctx, opts, m, &video)) != CLX_OK ||
		    (st = video_opts(ctx, opts, m, &vo)) != CLX_OK ||
		    (st = clx_video_input_init(ctx, m, &vo, &vin)) != CLX_OK)
			goto fail;
		vin.image.apply_exif = cli_flag(opts, "apply-exif");
		if ((st = clx_pipeline_pixels(ctx, m, &vin, video, &px, &info)) != CLX_OK)
			goto fail;
		warn_video(&info, video);
		rows = 1;
		if ((st = clx_pipeline_session(ctx, m, be, CLX_XCLIP_VIDEO_FEATURES, &shape, 0, &xg,
						&s)) != CLX_OK ||
		    (st = clx_pipeline_set_inputs(ctx, s, &xg, px, NULL, NULL)) != CLX_OK ||
		    (st = clx_session_run(ctx, s, NULL, NULL)) != CLX_OK)
			goto fail;
	} else {
		st = text ? cli_labels_add(ctx, &labels, text, "--text") : get_labels(ctx, opts, &labels);
		if (st != CLX_OK)
			goto fail;
		if ((st = cli_labels_tokenize(ctx, m->dir, &labels, &tb)) != CLX_OK)
			goto fail;
		shape.K = tb->n_texts;
		shape.L = tb->seq_len;
		rows = shape.K;
		if ((st = clx_xclip_check_text(ctx, m, &shape, tb->input_ids, tb->attention_mask)) != CLX_OK ||
		    (st = clx_pipeline_session(ctx, m, be, CLX_XCLIP_TEXT_FEATURES, &shape, 0, &xg,
						&s)) != CLX_OK ||
		    (st = clx_pipeline_set_inputs(ctx, s, &xg, NULL, tb->input_ids,
						  tb->attention_mask)) != CLX_OK ||
		    (st = clx_session_run(ctx, s, NULL, NULL)) != CLX_OK)
			goto fail;
	}
	const int64_t P = m->cfg.projection_dim;
	if (!(emb = clx_malloc((size_t)(rows * P) * sizeof *emb))) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "embed: out of memory");
		goto fail;
	}
	int t = video ? xg.video_features : xg.text_features;
	if ((st = clx_session_read(ctx, s, t, emb)) != CLX_OK)
		goto fail;
	if (cli_flag(opts, "normalize"))
		for (int64_t r = 0; r < rows; r++) {
			double ss = 0;
			for (int64_t i = 0; i < P; i++)
				ss += (double)emb[r * P + i] * emb[r * P + i];
			for (int64_t i = 0; i < P; i++)
				emb[r * P + i] = (float)(emb[r * P + i] / sqrt(ss));
		}
	const char *kind = !video ? "text" : m->kind == CLX_MODEL_CLIP ? "image" : "video";
	const int64_t oshape[2] = { rows, P };
	if (out && (st = clx_npy_save(ctx, out, CLX_DTYPE_F32, 2, oshape, emb)) != CLX_OK)
		goto fail;
	if (cli_flag(opts, "json")) {
		printf("{\"kind\": \"%s\", \"device\": ", kind);
		cli_json_string(clx_backend_name(be));
		printf(", \"shape\": [%lld, %lld], \"embeddings\": ", (long long)rows, (long long)P);
		cli_json_matrix(emb, rows, P, P);
		printf("}\n");
	} else {
		printf("%s: %s embeddings (%lld, %lld)\n", out, kind, (long long)rows,
		       (long long)P);
	}
	goto done;
fail:
	rc = cli_fail(ctx, st);
done:
	clx_free(emb);
	clx_free(px);
	clx_video_release(&info);
	clx_session_free(s);
	clx_tokenizer_batch_free(tb);
	cli_labels_free(&labels);
	clx_backend_free(be);
	clx_model_free(m);
	clx_ctx_free(ctx);
	return rc;
}

int cmd_embed(int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ "model", true, NULL }, { "text", true, NULL }, { "labels", true, NULL },
		{ "labels-file", true, NULL }, { "device", true, NULL }, CLI_PRECISION_OPT, { "json", false, NULL },
		{ "normalize", false, NULL }, VIDEO_OPTS, BATCH_OPTS, { "help", false, NULL },
		{ NULL, false, NULL },
	};
	int rc = cli_start("embed", argc, argv, opts, embed_help);
	if (rc < 0)
		rc = embed_main(opts);
	cli_release(opts);
	return rc;
}
