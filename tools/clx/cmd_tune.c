/* cmd_tune.c — `clx tune`: chooses, per GEMM and attention shape of the
 * model's graph, the fastest implementation on a device that matches the
 * CPU reference, and stores the choice in the device's tuning file
 * (clx/tune.h, docs/TUNING.md), which every later run on that device reads.
 *
 *   clx tune --model M [--device SPEC] [--batch B] [--prompts K] [--tokens L]
 *            [--budget S] [--runs N] [--candidates LIST] [--quiet]
 *
 * Prints one line per shape (its share of the forward, default and chosen
 * implementation, their times) and an estimate of the forward's GEMM and
 * attention time before and after, from the shapes' counts in the graph. */
#include "cli.h"

#include "clx/graph.h"
#include "clx/tune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: clx tune --model M [--device SPEC] [--batch B] [--prompts K] [--tokens L]\n"
	"                [--budget S] [--runs N] [--candidates LIST] [--quiet]\n"
	"\n"
	"Times every candidate implementation (the own GEMM kernels' tiles, CLBlast; the\n"
	"attention kernels) on every GEMM and attention shape of the model's graph on one\n"
	"OpenCL device, admits a candidate only when it matches the CPU reference on that\n"
	"shape (NMSE <= 1e-7), and writes the fastest per shape to the device's tuning file\n"
	"(in the clx cache, or $CLX_TUNE_FILE), merged with shapes tuned before. Runs on\n"
	"that device then use it; shapes it does not list run the defaults.\n"
	"  --device SPEC  cl, cl:P:D or a device-name substring (default: cl)\n"
	"  --batch B      videos per forward to tune for (default 1; tune each batch size\n"
	"                 you run: the shapes differ)\n"
	"  --prompts K    prompts (default 3); --tokens L padded prompt length (default 7)\n"
	"  --budget S     stop trying candidates after S seconds (default 600); shapes not\n"
	"                 reached keep the defaults\n"
	"  --runs N       timed runs per candidate, median (default 5; at least 20 ms in all)\n"
	"  --candidates LIST  only these (comma-separated, e.g. clblast,own:6x32x16:4) besides\n"
	"                 each shape's default, which is always timed as the baseline\n"
	"Candidates: clblast and own:MRxNRxVW:LM (gemm.cl's tile of MR rows x NR columns in\n"
	"floatVW vectors, LM work-items per group) for a matmul; rows or groups for attention.\n"
	"  --quiet        no progress line\n"
	"CLX_GEMM or CLX_ROW_KERNELS in the environment force an implementation and leave\n"
	"nothing to tune for the ops they cover.\n"
	"Exit status: 0 tuned (or nothing to tune), 2 bad usage, input or device failure.\n";

struct progress_state {
	bool tty;
};

static void on_progress(void *user, const struct clx_tune_progress *p)
{
	const struct progress_state *ps = user;
	if (p->candidate == 0) { /* a shape is done */
		if (ps->tty)
			fprintf(stderr, "\r\033[K");
		return;
	}
	if (!ps->tty) {
		if (p->candidate == 1)
			fprintf(stderr, "clx tune: [%d/%d] %s: %d candidates (%.0f s)\n", p->shape,
				p->n_shapes, p->key, p->n_candidates, p->elapsed_s);
		return;
	}
	fprintf(stderr, "\r\033[Kclx tune: [%d/%d] %s: %d/%d %s (%.0f s)", p->shape, p->n_shapes,
		p->key, p->candidate, p->n_candidates, p->impl, p->elapsed_s);
}

/* How often the graph runs shape key. */
static int occurrences(const struct clx_graph *g, const char *key)
{
	char k[CLX_TUNE_KEY_MAX];
	int n = 0;
	for (int i = 0; i < g->n_nodes; i++)
		n += clx_tune_key(g, i, k, sizeof k) && strcmp(k, key) == 0;
	return n;
}

static void print_report(const struct clx_graph *g, const struct clx_tune_report *r)
{
	double before = 0, after = 0;
	bool complete = true;
	printf("%-72s %5s  %-16s %9s  %-16s %9s %7s %8s\n", "shape", "count", "default", "time",
	       "chosen", "time", "speedup", "GFLOP/s");
	for (int i = 0; i < r->n_choices; i++) {
		const struct clx_tune_choice *c = &r->choices[i];
		const int n = occurrences(g, c->key);
		char dt[32] = "rejected";
		if (isfinite(c->default_time_s))
			snprintf(dt, sizeof dt, "%.3f ms", c->default_time_s * 1e3);
		char gf[32] = "-";
		if (c->gflops > 0)
			snprintf(gf, sizeof gf, "%.1f", c->gflops);
		char sp[32] = "-";
		if (isfinite(c->default_time_s))
			snprintf(sp, sizeof sp, "%.2fx", c->default_time_s / c->time_s);
		printf("%-72s %5d  %-16s %9s  %-16s %6.3f ms %7s %8s\n", c->key, n, c->default_impl, dt,
		       c->impl, c->time_s * 1e3, sp, gf);
		if (c->rejected[0])
			printf("    not admitted: %s\n", c->rejected);
		after += n * c->time_s;
		if (isfinite(c->default_time_s))
			before += n * c->default_time_s;
		else
			complete = false;
	}
	if (r->n_choices > 0 && complete)
		printf("GEMM + attention per forward, from the shapes' times: %.1f ms with the defaults, "
		       "%.1f ms tuned (%.2fx)\n",
		       before * 1e3, after * 1e3, before / after);
}

int cmd_tune(int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ "model", true, NULL },  { "device", true, NULL },  { "batch", true, NULL },
		{ "prompts", true, NULL }, { "tokens", true, NULL }, { "budget", true, NULL },
		{ "runs", true, NULL },   { "candidates", true, NULL }, { "quiet", false, NULL },
		{ "help", false, NULL },  { NULL, false, NULL },
	};
	int rc = cli_start("tune", argc, argv, opts, help);
	if (rc >= 0)
		return rc;
	const char *model = cli_get(opts, "model"), *dev = cli_get(opts, "device");
	int64_t B = 1, K = 3, L = 7, budget = 600, runs = 5;
	if (!model)
		return cli_usage_error("tune", "--model is required (see clx tune --help)");
	if (!cli_count_opt("tune", opts, "batch", 1, &B) ||
	    !cli_count_opt("tune", opts, "prompts", 1, &K) ||
	    !cli_count_opt("tune", opts, "tokens", 2, &L) ||
	    !cli_count_opt("tune", opts, "budget", 1, &budget) ||
	    !cli_count_opt("tune", opts, "runs", 1, &runs))
		return CLI_BAD_INPUT;
	if (!dev)
		dev = "cl";
	const char *only[64];
	int n_only = 0;
	char list[1024] = "";
	const char *cands = cli_get(opts, "candidates");
	if (cands) {
		if (snprintf(list, sizeof list, "%s", cands) >= (int)sizeof list)
			return cli_usage_error("tune", "--candidates: list too long");
		for (char *p = strtok(list, ","); p; p = strtok(NULL, ",")) {
			if (n_only == 64)
				return cli_usage_error("tune", "--candidates: more than 64");
			only[n_only++] = p;
		}
		if (n_only == 0)
			return cli_usage_error("tune", "--candidates: empty list");
	}
	if (strcmp(dev, "cpu") == 0)
		return cli_usage_error("tune", "--device cpu: the CPU reference runs each op one way; "
					       "nothing to tune (give an OpenCL device)");
	if (strchr(dev, '='))
		return cli_usage_error("tune", "--device %s: tune one device at a time (a placement "
					       "uses each device's own tuning file)",
				       dev);

	struct clx_ctx *ctx = clx_ctx_create();
	if (!ctx)
		return cli_usage_error("tune", "out of memory");
	struct clx_model *m = NULL;
	struct clx_backend *be = NULL;
	struct clx_xclip_graph xg = { 0 };
	struct clx_tune_report rep = { 0 };
	enum clx_status st = clx_model_load(ctx, model, &m);
	if (st == CLX_OK)
		st = cli_open_device(ctx, dev, NULL, &be);
	if (st == CLX_OK) {
		const struct clx_xclip_shape shape = { .B = B, .T = m->cfg.vision.num_frames,
						       .K = K, .L = L };
		st = clx_xclip_build(ctx, m, CLX_XCLIP_FULL, &shape, &xg);
	}
	if (st == CLX_OK) {
		clx_graph_fuse_epilogues(xg.g); /* as a session runs it */
		struct progress_state ps = { isatty(STDERR_FILENO) != 0 };
		const struct clx_tune_opts to = { (double)budget, (int)runs,
						  cli_flag(opts, "quiet") ? NULL : on_progress, &ps,
						  only, n_only };
		const struct clx_device_info *d = clx_backend_device(be);
		if (!cli_flag(opts, "quiet"))
			fprintf(stderr, "clx tune: %s (%s), B=%lld T=%lld K=%lld L=%lld, budget %lld s\n",
				d->id, d->name, (long long)B, (long long)m->cfg.vision.num_frames,
				(long long)K, (long long)L, (long long)budget);
		st = clx_tune_run(ctx, be, xg.g, &to, &rep);
	}
	if (st == CLX_OK) {
		print_report(xg.g, &rep);
		if (rep.n_shapes == 0)
			printf("nothing to tune on %s: every op runs one way here%s\n",
			       clx_backend_device(be)->id,
			       getenv("CLX_GEMM") || getenv("CLX_ROW_KERNELS")
				       ? " (CLX_GEMM / CLX_ROW_KERNELS force it)"
				       : "");
		else
			printf("%d of %d shapes tuned in %.1f s%s -> %s\n", rep.n_choices, rep.n_shapes,
			       rep.seconds, rep.n_untuned ? " (the rest keep the defaults)" : "",
			       rep.n_choices ? rep.path : "(nothing written)");
	}
	rc = st == CLX_OK ? CLI_OK : cli_fail(ctx, st);
	clx_tune_report_release(&rep);
	clx_graph_free(xg.g);
	clx_backend_free(be);
	clx_model_free(m);
	clx_ctx_free(ctx);
	return rc;
}
