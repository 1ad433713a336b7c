/* cmd_validate.c — `clx validate`: every selected OpenCL device against the
 * CPU reference on the same inputs (docs/NUMERICS.md), for X-CLIP or CLIP.
 *
 *   clx validate --model M (--pixel-values X.npy --input-ids I.npy [--attention-mask A.npy]
 *                          | (--video FILE | --image FILE) --labels "a,b" | --labels-file F)
 *                [--device SPEC|all] [--nodes]
 *
 * The CPU reference runs once; each device runs the graph twice (state
 * left over from one run must not change the next), and both runs are
 * compared with the reference: logits_per_video (CLIP: logits_per_image) /
 * logits_per_text max abs diff ≤ 1e-3, every row of text_embeds /
 * video_embeds (image_embeds) cosine ≥ 0.99999.
 * With --nodes every node's output is compared too (NMSE ≤ 1e-9 for nodes
 * with no GEMM or attention upstream, ≤ 1e-7 after one) and the first
 * node beyond tolerance, in execution order, is named. Exit status 1 when
 * any device fails (or none can be validated), 2 on bad usage or input.
 * The video (image) form decodes, samples (uniform, the model's num_frames)
 * and preprocesses as clx classify does (pipeline.h). */
#include "cli.h"

#include "clx/check.h"
#include "clx/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
	"usage: clx validate --model M --pixel-values X.npy --input-ids I.npy [--attention-mask A.npy]\n"
	"                    [--device SPEC|all] [--nodes]\n"
	"       clx validate --model M (--video FILE | --image FILE) (--labels \"a,b,c\" | --labels-file F)\n"
	"                    [--device SPEC|all] [--nodes]\n"
	"\n"
	"Runs the model on each selected OpenCL device (twice) and on the CPU reference and\n"
	"compares: logits max abs diff <= 1e-3, every embedding row cosine >= 0.99999.\n"
	"  --device SPEC|all    cl, cl:P:D, a device-name substring, a placement\n"
	"                       vision=SPEC,text=SPEC[,prompt=SPEC] (clx devices --help),\n"
	"                       or all (default: all)\n"
	CLI_PRECISION_HELP
	"  --nodes              also compare every node (NMSE <= 1e-9, <= 1e-7 after a GEMM)\n"
	"                       and name the first node beyond tolerance\n"
	"Exit status: 0 every device passes, 1 a device fails, 2 bad usage or input.\n";

/* ------------------------------------------------------------- outputs */

/* The four outputs of the full model, in this order. */
enum { OUT_LPV, OUT_LPT, OUT_TEXT, OUT_VIDEO, N_OUT };

/* Output i by its transformers name (the vision ones are CLIP's image ones). */
static const char *out_name(const struct clx_model *m, int i)
{
	static const char *const xclip[N_OUT] = { "logits_per_video", "logits_per_text",
						  "text_embeds", "video_embeds" };
	static const char *const clip[N_OUT] = { "logits_per_image", "logits_per_text",
						 "text_embeds", "image_embeds" };
	return (m->kind == CLX_MODEL_CLIP ? clip : xclip)[i];
}

static int out_tensor(const struct clx_xclip_graph *xg, int i)
{
	const int ids[N_OUT] = { xg->logits_per_video, xg->logits_per_text, xg->text_embeds,
				 xg->video_embeds };
	return ids[i];
}

/* A session with the X-CLIP graph's tensor ids. */
struct run {
	struct clx_session *s;
	struct clx_xclip_graph xg;
};

static int64_t nelems(const struct run *r, int t)
{
	return clx_tensor_nelems(&clx_session_graph(r->s)->tensors[t]);
}

/* Reads tensor t of r into a new buffer. */
static enum clx_status read_new(struct clx_ctx *ctx, struct run *r, int t, float **out)
{
	return clx_session_read_new(ctx, r->s, t, (void **)out);
}

/* ---------------------------------------------------------------- inputs */

/* --video FILE with --labels / --labels-file: as clx classify prepares them. */
static enum clx_status load_video_inputs(struct clx_ctx *ctx, const struct clx_model *m,
					 const char *video, const char *list, const char *file,
					 struct cli_inputs *in)
{
	struct cli_labels labels = { 0 };
	struct clx_tokenizer_batch *tb = NULL;
	struct clx_video info = { 0 };
	struct clx_video_opts vo;
	clx_video_opts_default(&vo);
	vo.n_frames = m->cfg.vision.num_frames;
	enum clx_status st = list ? cli_labels_parse(ctx, list, &labels) : cli_labels_read(ctx, file, &labels);
	if (st == CLX_OK)
		st = cli_labels_tokenize(ctx, m->dir, &labels, &tb);
	struct clx_video_input vin;
	if (st == CLX_OK)
		st = clx_video_input_init(ctx, m, &vo, &vin);
	if (st == CLX_OK)
		st = clx_pipeline_pixels(ctx, m, &vin, video, &in->owned_px, &info);
	if (st == CLX_OK) {
		const size_t n = (size_t)(tb->n_texts * tb->seq_len);
		in->ids = clx_malloc(n * sizeof *in->ids + 1);
		in->mask = clx_malloc(n * sizeof *in->mask + 1);
		if (!in->ids || !in->mask) {
			st = clx_fail(ctx, CLX_ERR_NOMEM, "validate: out of memory");
		} else {
			memcpy(in->ids, tb->input_ids, n * sizeof *in->ids);
			memcpy(in->mask, tb->attention_mask, n * sizeof *in->mask);
			in->shape = (struct clx_xclip_shape){ .B = 1, .T = vo.n_frames, .K = tb->n_texts,
							      .L = tb->seq_len };
			in->pixels = in->owned_px;
		}
	}
	clx_video_release(&info);
	clx_tokenizer_batch_free(tb);
	cli_labels_free(&labels);
	return st;
}


/* ------------------------------------------------------------- a device */

struct reference {
	struct run r;                /* CPU, KEEP_ALL with --nodes */
	float *out[N_OUT];
	int64_t row[N_OUT];          /* row length for the cosine */
};

/* Every node of the device run against the reference; prints the summary
 * and the first node beyond tolerance. */
static bool compare_nodes(struct clx_ctx *ctx, struct run *dev, struct run *ref, bool f16)
{
	const struct clx_graph *g = clx_session_graph(dev->s);
	const struct clx_plan *plan = clx_session_plan(dev->s);
	bool *after = NULL;
	int compared = 0, bad = 0, first_bad = -1, worst = -1;
	double worst_ratio = 0, first_nmse = 0;
	bool ok = clx_check_after_gemm(ctx, g, plan, &after) == CLX_OK;
	for (int k = 0; ok && k < plan->n_order; k++) {
		const int node = plan->order[k];
		const int t = g->nodes[node].dst;
		if (g->tensors[t].dtype != CLX_DTYPE_F32)
			continue;
		float *a = NULL, *b = NULL;
		if (read_new(ctx, dev, t, &a) != CLX_OK || read_new(ctx, ref, t, &b) != CLX_OK) {
			printf("    nodes: cannot read '%s': %s\n", g->tensors[t].name, clx_last_error(ctx));
			clx_free(a);
			ok = false;
			break;
		}
		const struct clx_diff d = clx_diff_f32(a, b, clx_tensor_nelems(&g->tensors[t]), 0);
		const double tol = f16 ? CLX_CHECK_F16_NMSE : clx_check_node_tolerance(g, node, after[t]);
		const double ratio = d.n_nonfinite ? INFINITY : d.nmse / tol;
		compared++;
		if (ratio > worst_ratio || worst < 0)
			worst_ratio = ratio, worst = node;
		if (!clx_check_nmse(&d, tol)) {
			if (bad++ == 0)
				first_bad = node, first_nmse = d.nmse;
		}
		clx_free(a);
		clx_free(b);
	}
	clx_free(after);
	if (!ok)
		return false;
	printf("    nodes: %d compared, %d beyond tolerance; largest nmse/limit: %.2g at '%s'\n",
	       compared, bad, worst_ratio, worst >= 0 ? g->nodes[worst].name : "-");
	if (bad)
		printf("    first node beyond tolerance: '%s' (%s), nmse %.3e\n", g->nodes[first_bad].name,
		       clx_op_name(g->nodes[first_bad].op), first_nmse);
	return bad == 0;
}

/* Where the graph runs when it spans devices (a placement, or nodes the
 * device declined and the CPU reference ran instead). */
static void print_placement(const struct clx_session *s)
{
	const struct clx_backend *be = clx_session_backend(s);
	const struct clx_graph *g = clx_session_graph(s);
	struct clx_placement pl;
	if (!clx_backend_placement(be, &pl))
		return;
	printf("  placement:");
	for (int i = 0; i < pl.n_devices; i++)
		printf("%s %s %d nodes", i ? "," : "", pl.dev[i].name, pl.dev[i].nodes);
	printf("; %d cross-device copies (%.1f KiB) per run; %d fallback%s\n", pl.n_copies,
	       pl.copy_bytes / 1024.0, pl.n_fallbacks, pl.n_fallbacks == 1 ? "" : "s");
	int shown = 0;
	for (int i = 0; i < g->n_nodes; i++) {
		char dev[64], why[160];
		clx_backend_node_device(be, g, i, dev, sizeof dev, why, sizeof why);
		if (!why[0])
			continue;
		if (shown++ < 8)
			printf("    '%s' (%s) on %s, fallback: %s\n", g->nodes[i].name,
			       clx_op_name(g->nodes[i].op), dev, why);
	}
	if (shown > 8)
		printf("    ... and %d more\n", shown - 8);
}

/* Opens device `spec`, runs twice, compares; true when everything passes. */
static bool validate_device(struct clx_ctx *ctx, const struct clx_model *m, const struct cli_inputs *in,
			    struct reference *ref, const char *spec, const char *precision, bool nodes)
{
	struct clx_backend *be = NULL;
	struct run dev = { 0 };
	float *first[N_OUT] = { NULL }; /* run 1's outputs */
	bool pass = true, ran = false;
	const double t0 = clx_now();
	enum clx_status st = cli_open_device(ctx, spec, precision, &be);
	if (st == CLX_OK)
		st = clx_pipeline_session(ctx, m, be, CLX_XCLIP_FULL, &in->shape,
					  nodes ? CLX_SESSION_KEEP_ALL : 0, &dev.xg, &dev.s);
	const double t_open = clx_now() - t0;
	printf("device %s", be ? clx_backend_name(be) : spec);
	const struct clx_device_info *di = be ? clx_backend_device(be) : NULL;
	if (di)
		printf(" (%s; %s, driver %s)", di->name, di->platform_name, di->driver_version);
	printf("\n");
	if (st != CLX_OK) {
		printf("  FAIL: %s\n", clx_last_error(ctx));
		pass = false;
		goto done;
	}
	print_placement(dev.s);
	/* weights stored as half have their own rules (clx/check.h) */
	const struct clx_device_info *sd = clx_backend_device(clx_session_backend(dev.s));
	const bool f16 = sd->weights_f16;
	if (f16)
		printf("  weights stored as f16%s: logits max|diff| <= %.0e, the argmax unchanged, nodes "
		       "nmse <= %.0e\n",
		       sd->math_f16 ? ", GEMM products in f16" : "", CLX_CHECK_F16_LOGITS_MAX_ABS,
		       CLX_CHECK_F16_NMSE);
	for (int run = 1; run <= 2; run++) {
		const double t1 = clx_now();
		st = clx_pipeline_set_inputs(ctx, dev.s, &dev.xg, in->pixels, in->ids, in->mask);
		if (st == CLX_OK)
			st = clx_session_run(ctx, dev.s, NULL, NULL);
		float *outs[N_OUT] = { NULL };
		for (int i = 0; i < N_OUT && st == CLX_OK; i++)
			st = read_new(ctx, &dev, out_tensor(&dev.xg, i), &outs[i]);
		if (st != CLX_OK) {
			printf("  run %d FAIL: %s\n", run, clx_last_error(ctx));
			pass = false;
			for (int i = 0; i < N_OUT; i++)
				clx_free(outs[i]);
			break;
		}
		ran = run == 2;
		printf("  run %d: %.3f s%s\n", run, clx_now() - t1,
		       run == 1 ? "" : " (warm)");
		if (run == 1)
			printf("    (backend open + kernels + weights upload: %.3f s)\n", t_open);
		printf("    %-18s %12s %14s  %-24s %s\n", "output", "max|diff|", "min row cos", "rule",
		       "result");
		for (int i = 0; i < N_OUT; i++) {
			const int64_t n = nelems(&dev, out_tensor(&dev.xg, i));
			const struct clx_diff d = clx_diff_f32(outs[i], ref->out[i], n, ref->row[i]);
			const bool logits = i == OUT_LPV || i == OUT_LPT;
			bool ok = logits ? clx_check_logits(&d) : clx_check_embeddings(&d);
			if (logits && f16)
				ok = clx_check_logits_f16(
					&d, clx_argmax_changed(outs[i], ref->out[i], n, ref->row[i]));
			printf("    %-18s %12.3e %14.9f  %-24s %s\n", out_name(m, i), d.max_abs, d.min_cos,
			       !logits ? "row cosine >= 0.99999"
			       : f16   ? "<= 1e-2, same argmax"
				       : "max|diff| <= 1e-3",
			       ok ? "pass" : "FAIL");
			pass = pass && ok;
		}
		if (run == 2) {
			double dmax = 0;
			for (int i = 0; i < N_OUT; i++) {
				const int64_t n = nelems(&dev, out_tensor(&dev.xg, i));
				const struct clx_diff d = clx_diff_f32(outs[i], first[i], n, 0);
				dmax = d.max_abs > dmax ? d.max_abs : dmax;
			}
			printf("    run 2 vs run 1: %s\n", dmax == 0 ? "identical" : "differ");
			if (dmax != 0)
				printf("    (max |diff| %.3e between runs)\n", dmax);
		}
		for (int i = 0; i < N_OUT; i++) {
			if (run == 1) {
				first[i] = outs[i];
			} else {
				clx_free(outs[i]);
				clx_free(first[i]);
				first[i] = NULL;
			}
		}
	}
	if (ran && nodes)
		pass = compare_nodes(ctx, &dev, &ref->r, f16) && pass;
done:
	printf("  %s: %s\n", be ? clx_backend_name(be) : spec, pass ? "PASS" : "FAIL");
	for (int i = 0; i < N_OUT; i++)
		clx_free(first[i]);
	clx_session_free(dev.s);
	clx_backend_free(be);
	return pass;
}

/* ----------------------------------------------------------------- main */

int cmd_validate(int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ "model", true, NULL },     { "pixel-values", true, NULL }, { "input-ids", true, NULL },
		{ "attention-mask", true, NULL }, { "device", true, NULL },  CLI_PRECISION_OPT, { "nodes", false, NULL },
		{ "video", true, NULL },     { "labels", true, NULL },       { "labels-file", true, NULL },
		{ "image", true, NULL },     { "help", false, NULL },
		{ NULL, false, NULL },
	};
	int rc0 = cli_start("validate", argc, argv, opts, help);
	if (rc0 >= 0)
		return rc0;
	const char *model_path = cli_get(opts, "model"), *px_path = cli_get(opts, "pixel-values");
	const char *ids_path = cli_get(opts, "input-ids"), *mask_path = cli_get(opts, "attention-mask");
	const char *device = cli_get(opts, "device");
	const bool nodes = cli_flag(opts, "nodes");
	const char *precision = cli_get(opts, "precision");
	const char *video = cli_get(opts, "video") ? cli_get(opts, "video") : cli_get(opts, "image");
	const char *labels = cli_get(opts, "labels");
	const char *labels_file = cli_get(opts, "labels-file");
	if (video && (px_path || ids_path || mask_path))
		return cli_usage_error("validate", "give either --video/--image with --labels, or "
						   "--pixel-values with --input-ids, not both");
	if (video && !labels == !labels_file)
		return cli_usage_error("validate", "--video/--image needs exactly one of --labels and "
						   "--labels-file");
	if (!model_path || (!video && (!px_path || !ids_path)))
		return cli_usage_error("validate", "--model and either --pixel-values with --input-ids or "
						   "--video/--image with --labels are required (see clx validate "
						   "--help)");
	if (!device)
		device = "all";
	if (!cli_precision_valid(precision))
		return cli_usage_error("validate", CLI_PRECISION_ERROR, precision);

	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_model *m = NULL;
	struct clx_backend *cpu = NULL;
	struct cli_inputs in = { 0 };
	struct reference ref = { 0 };
	int rc = CLI_BAD_INPUT;
	enum clx_status st;
	if (!ctx)
		return cli_usage_error("validate", "out of memory");
	if (strcmp(device, "all") != 0) {
		/* a bad spec or placement is bad usage (exit 2), not a failing device */
		bool reference = false;
		if ((st = cli_check_device(ctx, device, precision, &reference)) != CLX_OK)
			goto fail;
		if (reference) {
			clx_ctx_free(ctx);
			return cli_usage_error("validate", "--device %s: runs on the CPU, and the CPU is "
							   "the reference; name an OpenCL device or all",
					       device);
		}
	}
	if ((st = clx_model_load(ctx, model_path, &m)) != CLX_OK ||
	    (video && (st = cli_vision_input(ctx, opts, m, &video)) != CLX_OK))
		goto fail;
	st = video ? load_video_inputs(ctx, m, video, labels, labels_file, &in)
		   : cli_inputs_load(ctx, m, px_path, ids_path, mask_path, &in);
	if (st != CLX_OK)
		goto fail;

	/* the reference */
	const double t0 = clx_now();
	if ((st = clx_backend_open(ctx, "cpu", &cpu)) != CLX_OK ||
	    (st = clx_pipeline_session(ctx, m, cpu, CLX_XCLIP_FULL, &in.shape,
				       nodes ? CLX_SESSION_KEEP_ALL : 0, &ref.r.xg, &ref.r.s)) != CLX_OK ||
	    (st = clx_pipeline_set_inputs(ctx, ref.r.s, &ref.r.xg, in.pixels, in.ids, in.mask)) != CLX_OK ||
	    (st = clx_session_run(ctx, ref.r.s, NULL, NULL)) != CLX_OK)
		goto fail;
	for (int i = 0; i < N_OUT; i++) {
		const struct clx_tensor *t = &clx_session_graph(ref.r.s)->tensors[out_tensor(&ref.r.xg, i)];
		ref.row[i] = t->ne[t->n_dims - 1];
		if ((st = read_new(ctx, &ref.r, out_tensor(&ref.r.xg, i), &ref.out[i])) != CLX_OK)
			goto fail;
	}
	printf("reference: cpu, B=%lld T=%lld K=%lld L=%lld, %d nodes, %.3f s\n", (long long)in.shape.B,
	       (long long)in.shape.T, (long long)in.shape.K, (long long)in.shape.L,
	       clx_session_graph(ref.r.s)->n_nodes, clx_now() - t0);

	/* the devices */
	int n_checked = 0, n_failed = 0;
	if (strcmp(device, "all") != 0) {
		n_checked = 1;
		n_failed = !validate_device(ctx, m, &in, &ref, device, precision, nodes);
	} else {
		struct clx_device_list devs = { 0 };
		if ((st = clx_backend_list(ctx, &devs)) != CLX_OK)
			printf("%s\n", clx_last_error(ctx));
		else if (devs.note[0])
			printf("%s\n", devs.note);
		for (int i = 0; i < devs.n; i++) {
			if (devs.devs[i].reference)
				continue;
			n_checked++;
			n_failed += !validate_device(ctx, m, &in, &ref, devs.devs[i].id, precision, nodes);
		}
		clx_device_list_release(&devs);
	}
	if (n_checked == 0)
		printf("validate: no OpenCL device to validate: FAIL\n");
	else
		printf("validate: %d device%s, %d passed, %d failed\n", n_checked, n_checked == 1 ? "" : "s",
		       n_checked - n_failed, n_failed);
	rc = n_checked > 0 && n_failed == 0 ? CLI_OK : CLI_CHECK_FAILED;
	goto done;
fail:
	rc = cli_fail(ctx, st);
done:
	for (int i = 0; i < N_OUT; i++)
		clx_free(ref.out[i]);
	clx_session_free(ref.r.s);
	clx_backend_free(cpu);
	cli_inputs_release(&in);
	clx_model_free(m);
	clx_ctx_free(ctx);
	return rc;
}
