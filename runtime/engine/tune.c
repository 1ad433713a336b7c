/* tune.c — the tuner (clx/tune.h): every candidate of every distinct
 * tunable shape, timed and checked on a graph of that one node.
 *
 * For each shape the node is rebuilt alone with the same shapes and
 * attributes: weights become weights (so a backend packs them as it would),
 * other sources inputs, filled from the synthetic generator (an i32 mask
 * keeps all but the last r mod 3 keys of row r). The CPU reference runs it
 * once; each candidate then runs as the backend's trial (be->trial_*): one
 * run to warm up (program build, packing), then timed runs until there are
 * opts->runs of them and 20 ms in all (at most 200), the median kept. A
 * candidate that fails to prepare or run, or whose output is not within
 * CLX_TUNE_NMSE of the reference, is not admitted. The fastest admitted
 * one is chosen, but the default (always tried first) is kept unless
 * another is at least MARGIN faster.
 *
 * Not here: the file (tuning.c) and what a candidate means (the backend). */
#include "engine/backend_impl.h"
#include "engine/tuning.h"

#include "clx/session.h"
#include "clx/synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CANDIDATES 64
#define MARGIN 0.03 /* how much faster than the default a candidate must be */
#define MIN_TIMED_S 0.02
#define MAX_RUNS 200

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ------------------------------------------------------------ one node */

/* The node alone: its sources' data (weights and inputs alike), owned. */
struct single {
	const struct clx_graph *g;
	int node;
	int n_src;
	int src[CLX_MAX_SRC];        /* distinct tensor ids of g among the sources */
	void *data[CLX_MAX_SRC];
	float *want;                 /* the reference output */
	int64_t n_out;
};

static void single_release(struct single *s)
{
	for (int i = 0; i < s->n_src; i++)
		clx_free(s->data[i]);
	clx_free(s->want);
	memset(s, 0, sizeof *s);
}

static void fill(const struct clx_tensor *t, const char *name, uint64_t seed, void *dst)
{
	const int64_t n = clx_tensor_nelems(t);
	if (t->dtype == CLX_DTYPE_F32) {
		clx_synth_fill_rule(name, seed, 0.0, 1.0, dst, n);
		return;
	}
	const int64_t D = t->n_dims ? t->ne[t->n_dims - 1] : 1;
	int32_t *m = dst;
	for (int64_t e = 0; e < n; e++)
		m[e] = e % D < D - (e / D) % 3;
}

static enum clx_status single_init(struct clx_ctx *ctx, const struct clx_graph *g, int node,
				   uint64_t seed, struct single *s)
{
	memset(s, 0, sizeof *s);
	s->g = g;
	s->node = node;
	const struct clx_node *nd = &g->nodes[node];
	for (int i = 0; i < nd->n_src; i++) {
		bool seen = false;
		for (int j = 0; j < s->n_src; j++)
			seen |= s->src[j] == nd->src[i];
		if (seen)
			continue;
		const struct clx_tensor *t = &g->tensors[nd->src[i]];
		const size_t bytes = clx_tensor_nbytes(t);
		s->src[s->n_src] = nd->src[i];
		if (!(s->data[s->n_src] = clx_malloc(bytes ? bytes : 4))) {
			single_release(s);
			return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory for tuning '%s'", nd->name);
		}
		fill(t, t->name, seed + (uint64_t)i, s->data[s->n_src++]);
	}
	s->n_out = clx_tensor_nelems(&g->tensors[nd->dst]);
	return CLX_OK;
}

/* A new graph of the node alone: ids[j] holds s->data[j], *out_t is the
 * output. */
static enum clx_status single_graph(struct clx_ctx *ctx, const struct single *s,
				    struct clx_graph **out, int *ids, int *out_t)
{
	const struct clx_graph *g = s->g;
	const struct clx_node *nd = &g->nodes[s->node];
	struct clx_graph *sg = clx_graph_create();
	int src[CLX_MAX_SRC];
	for (int j = 0; sg && j < s->n_src; j++) {
		const struct clx_tensor *t = &g->tensors[s->src[j]];
		ids[j] = g->tensors[clx_graph_root(g, s->src[j])].kind == CLX_TENSOR_WEIGHT
				 ? clx_graph_weight(sg, t->name, t->n_dims, t->ne, s->data[j])
				 : clx_graph_input(sg, t->name, t->dtype, t->n_dims, t->ne);
	}
	for (int i = 0; sg && i < nd->n_src; i++)
		for (int j = 0; j < s->n_src; j++)
			if (s->src[j] == nd->src[i])
				src[i] = ids[j];
	const struct clx_tensor *y = sg ? &g->tensors[nd->dst] : NULL;
	const int t = sg ? clx_graph_node(sg, nd->name, nd->op, nd->n_src, src, y->n_dims, y->ne,
					  nd->iattr, nd->fattr)
			 : -1;
	if (!sg || sg->oom || t < 0) {
		clx_graph_free(sg);
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory building a graph for '%s'", nd->name);
	}
	sg->tensors[t].is_output = true;
	*out = sg;
	*out_t = t;
	return CLX_OK;
}

/* Runs the node alone on be: *median_s over timed runs (0 runs: one, not
 * timed) and the output into got (n_out floats). */
static enum clx_status single_run(struct clx_ctx *ctx, const struct single *s,
				  struct clx_backend *be, int runs, double *median_s, float *got)
{
	struct clx_graph *sg = NULL;
	int t = -1, ids[CLX_MAX_SRC];
	enum clx_status st = single_graph(ctx, s, &sg, ids, &t);
	if (st != CLX_OK)
		return st;
	struct clx_session *ss = NULL;
	if ((st = clx_session_create(ctx, sg, be, CLX_SESSION_NO_FUSE, &ss)) != CLX_OK)
		return st;
	for (int j = 0; j < s->n_src && st == CLX_OK; j++)
		if (sg->tensors[ids[j]].kind == CLX_TENSOR_INPUT)
			st = clx_session_set_input(ctx, ss, ids[j], s->data[j]);
	if (st == CLX_OK)
		st = clx_session_run(ctx, ss, NULL, NULL); /* warm: build, pack */
	double times[MAX_RUNS], total = 0;
	int n = 0;
	while (st == CLX_OK && runs > 0 && n < MAX_RUNS && (n < runs || total < MIN_TIMED_S)) {
		const double t0 = clx_now();
		st = clx_session_run(ctx, ss, NULL, NULL);
		times[n] = clx_now() - t0;
		total += times[n++];
	}
	if (st == CLX_OK)
		st = clx_session_read(ctx, ss, t, got);
	if (n > 0) {
		qsort(times, (size_t)n, sizeof *times, cmp_double);
		*median_s = times[n / 2];
	}
	clx_session_free(ss);
	return st;
}

/* ---------------------------------------------------------------- tuner */

struct tuner {
	struct clx_ctx *ctx;
	struct clx_backend *be, *ref;
	const struct clx_tune_opts *opts;
	double t0;
	int shape, n_shapes;
};

static void progress(const struct tuner *tu, const char *key, int cand, int n_cand, const char *impl)
{
	if (!tu->opts->progress)
		return;
	const struct clx_tune_progress p = { tu->shape, tu->n_shapes, key, cand, n_cand, impl,
					     clx_now() - tu->t0 };
	tu->opts->progress(tu->opts->user, &p);
}

static bool over_budget(const struct tuner *tu)
{
	return tu->opts->budget_s > 0 && clx_now() - tu->t0 > tu->opts->budget_s;
}

static void note_rejected(struct clx_tune_choice *c, const char *impl, const char *why)
{
	const size_t len = strlen(c->rejected);
	if (len + 8 < sizeof c->rejected)
		snprintf(c->rejected + len, sizeof c->rejected - len, "%s%s: %s", len ? "; " : "", impl,
			 why);
}

/* Tunes node's shape into *c: *tuned when a candidate was admitted (none
 * may be, or the budget ran out before the first). */
static enum clx_status tune_shape(struct tuner *tu, const struct clx_graph *g, int node,
				  const char *key, char (*cands)[CLX_TUNE_IMPL_MAX], int n_cand,
				  struct clx_tune_choice *c, bool *tuned)
{
	struct clx_ctx *ctx = tu->ctx;
	*tuned = false;
	memset(c, 0, sizeof *c);
	snprintf(c->key, sizeof c->key, "%s", key);
	snprintf(c->default_impl, sizeof c->default_impl, "%s", cands[0]);
	c->default_time_s = c->time_s = NAN;
	c->n_candidates = n_cand;
	struct single s;
	enum clx_status st = single_init(ctx, g, node, clx_synth_fnv1a64(key), &s);
	float *got = NULL;
	if (st == CLX_OK && (!(s.want = clx_malloc((size_t)s.n_out * sizeof(float) + 1)) ||
			     !(got = clx_malloc((size_t)s.n_out * sizeof(float) + 1))))
		st = clx_fail(ctx, CLX_ERR_NOMEM, "out of memory tuning '%s'", key);
	double unused;
	if (st == CLX_OK)
		st = single_run(ctx, &s, tu->ref, 0, &unused, s.want);
	double flops = 0, bytes = 0;
	clx_node_cost(g, node, &flops, &bytes);
	for (int k = 0; k < n_cand && st == CLX_OK; k++) {
		if (over_budget(tu))
			break;
		progress(tu, key, k + 1, n_cand, cands[k]);
		tu->be->trial_key = key;
		tu->be->trial_impl = cands[k];
		double med = NAN;
		struct clx_ctx *tc = clx_ctx_create(); /* a candidate's failure is not the run's */
		const enum clx_status cs =
			tc ? single_run(tc, &s, tu->be, tu->opts->runs > 0 ? tu->opts->runs : 5, &med, got)
			   : CLX_ERR_NOMEM;
		tu->be->trial_key = tu->be->trial_impl = NULL;
		if (cs == CLX_ERR_NOMEM) {
			st = clx_fail(ctx, CLX_ERR_NOMEM, "out of memory tuning '%s': %s", key,
				      tc ? clx_last_error(tc) : "");
		} else if (cs != CLX_OK) {
			note_rejected(c, cands[k], clx_last_error(tc));
		} else {
			const struct clx_diff d = clx_diff_f32(got, s.want, s.n_out, 0);
			if (!clx_check_nmse(&d, CLX_TUNE_NMSE)) {
				char why[96];
				snprintf(why, sizeof why, "nmse %.2e%s", d.nmse,
					 d.n_nonfinite ? " (non-finite values)" : "");
				note_rejected(c, cands[k], why);
			} else {
				c->n_admitted++;
				if (k == 0)
					c->default_time_s = med;
				/* the default stays unless beaten by the margin: timing
				 * noise must not pick a tile (a program, a packed
				 * layout) for nothing */
				const bool over_default = strcmp(c->impl, cands[0]) == 0;
				if (!(med >= c->time_s) &&
				    (!over_default || med < (1.0 - MARGIN) * c->default_time_s)) {
					snprintf(c->impl, sizeof c->impl, "%s", cands[k]);
					c->time_s = med;
					c->nmse = d.nmse;
					c->gflops = flops > 0 ? flops / med * 1e-9 : 0;
				}
			}
		}
		clx_ctx_free(tc);
	}
	clx_free(got);
	single_release(&s);
	*tuned = st == CLX_OK && c->n_admitted > 0;
	if (*tuned)
		progress(tu, key, 0, n_cand, c->impl);
	return st;
}

/* Keeps the default (cands[0]) and those opts->only lists, marking in
 * matched[] the ones found; the new count. */
static int filter(const struct clx_tune_opts *opts, bool *matched,
		  char (*cands)[CLX_TUNE_IMPL_MAX], int n)
{
	if (opts->n_only <= 0)
		return n;
	int kept = n > 0;
	for (int j = 0; j < opts->n_only; j++)
		matched[j] |= n > 0 && strcmp(cands[0], opts->only[j]) == 0;
	for (int k = 1; k < n; k++)
		for (int j = 0; j < opts->n_only; j++)
			if (strcmp(cands[k], opts->only[j]) == 0) {
				matched[j] = true;
				memmove(cands[kept++], cands[k], CLX_TUNE_IMPL_MAX);
				break;
			}
	return kept;
}

void clx_tune_report_release(struct clx_tune_report *r)
{
	if (r)
		clx_free(r->choices);
	if (r)
		memset(r, 0, sizeof *r);
}

int clx_tune_candidates(const struct clx_backend *be, const struct clx_graph *g, int node,
			char (*out)[CLX_TUNE_IMPL_MAX], int max)
{
	if (!be->iface->candidates || node < 0 || node >= g->n_nodes || max < 1)
		return 0;
	const int n = be->iface->candidates(be, g, node, out, max);
	return n >= 2 ? n : 0;
}

/* The distinct tunable shapes of g with candidates: node ids into *nodes. */
static enum clx_status shapes_of(struct clx_ctx *ctx, const struct clx_backend *be,
				 const struct clx_graph *g, int **nodes, int *n)
{
	*n = 0;
	*nodes = clx_malloc(((size_t)g->n_nodes + 1) * sizeof **nodes);
	if (!*nodes)
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory");
	char(*tmp)[CLX_TUNE_IMPL_MAX] = clx_malloc(MAX_CANDIDATES * sizeof *tmp);
	if (!tmp)
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory");
	char key[CLX_TUNE_KEY_MAX], other[CLX_TUNE_KEY_MAX];
	for (int i = 0; i < g->n_nodes; i++) {
		if (!clx_tune_key(g, i, key, sizeof key) ||
		    clx_tune_candidates(be, g, i, tmp, MAX_CANDIDATES) == 0)
			continue;
		bool seen = false;
		for (int j = 0; j < *n && !seen; j++)
			seen = clx_tune_key(g, (*nodes)[j], other, sizeof other) && strcmp(key, other) == 0;
		if (!seen)
			(*nodes)[(*n)++] = i;
	}
	clx_free(tmp);
	return CLX_OK;
}

enum clx_status clx_tune_run(struct clx_ctx *ctx, struct clx_backend *be,
			     const struct clx_graph *g, const struct clx_tune_opts *opts,
			     struct clx_tune_report *out)
{
	memset(out, 0, sizeof *out);
	const struct clx_device_info *dev = clx_backend_device(be);
	if (!be->iface->candidates)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED,
				"%s: nothing to tune: the backend runs each op one way", dev->id);
	if (!be->tuning && (clx_tuning_load(ctx, dev, &be->tuning)) != CLX_OK)
		return CLX_ERR_NOMEM;
	if (!be->tuning->path[0])
		return clx_fail(ctx, CLX_ERR_IO,
				"no place for the tuning file: the cache is off (CLX_NO_CACHE) or has no "
				"directory; set CLX_TUNE_FILE");
	snprintf(out->path, sizeof out->path, "%s", be->tuning->path);
	struct tuner tu = { ctx, be, NULL, opts, clx_now(), 0, 0 };
	int *nodes = NULL, n = 0;
	char(*cands)[CLX_TUNE_IMPL_MAX] = NULL;
	bool *matched = clx_calloc((size_t)(opts->n_only > 0 ? opts->n_only : 0) + 1, sizeof *matched);
	enum clx_status st = matched ? shapes_of(ctx, be, g, &nodes, &n)
				     : clx_fail(ctx, CLX_ERR_NOMEM, "out of memory");
	if (st == CLX_OK && n > 0) {
		out->choices = clx_calloc((size_t)n, sizeof *out->choices);
		cands = clx_malloc(MAX_CANDIDATES * sizeof *cands);
		if (!out->choices || !cands)
			st = clx_fail(ctx, CLX_ERR_NOMEM, "out of memory");
	}
	if (st == CLX_OK && n > 0)
		st = clx_backend_open(ctx, "cpu", &tu.ref);
	out->n_shapes = tu.n_shapes = n;
	for (int i = 0; i < n && st == CLX_OK; i++) {
		char key[CLX_TUNE_KEY_MAX];
		clx_tune_key(g, nodes[i], key, sizeof key);
		tu.shape = i + 1;
		if (over_budget(&tu)) {
			out->n_untuned = n - i;
			break;
		}
		const int nc = filter(opts, matched, cands,
				      clx_tune_candidates(be, g, nodes[i], cands, MAX_CANDIDATES));
		bool tuned;
		struct clx_tune_choice *c = &out->choices[out->n_choices];
		st = tune_shape(&tu, g, nodes[i], key, cands, nc, c, &tuned);
		if (st == CLX_OK && tuned) {
			out->n_choices++;
			st = clx_tuning_put(ctx, be->tuning, c);
		} else if (st == CLX_OK)
			out->n_untuned++; /* the budget, or no candidate admitted */
	}
	for (int j = 0; st == CLX_OK && !out->n_untuned && j < opts->n_only; j++)
		if (!matched[j])
			clx_warn(ctx, "candidate '%s' is not one of %s's for any shape of this graph",
				 opts->only[j], dev->id);
	clx_backend_free(tu.ref);
	clx_free(matched);
	clx_free(cands);
	clx_free(nodes);
	if (st == CLX_OK && out->n_choices > 0)
		st = clx_tuning_save(ctx, be->tuning, dev);
	be->prepared_for = NULL; /* the next session run prepares with the new choices */
	out->seconds = clx_now() - tu.t0;
	return st;
}
