/* check.c — the comparison every check uses, its tolerance rule, and the
 * checked backend (check.h; rules in docs/NUMERICS.md).
 *
 * Not here: which outputs a command compares and how it reports them
 * (clx validate, the tests). */
#include "clx/check.h"

#include "engine/backend_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ comparing */

struct clx_diff clx_diff_f32(const float *got, const float *ref, int64_t n, int64_t row)
{
	struct clx_diff d = { 0, 0, 0, 1.0, 0 };
	double se = 0, sr = 0;
	for (int64_t i = 0; i < n; i++) {
		if (!isfinite(got[i]) || !isfinite(ref[i])) {
			d.n_nonfinite++;
			continue;
		}
		const double e = fabs((double)got[i] - ref[i]);
		if (e > d.max_abs) {
			d.max_abs = e;
			d.worst = i;
		}
		se += e * e;
		sr += (double)ref[i] * ref[i];
	}
	d.nmse = sr > 0 ? se / sr : se;
	for (int64_t r = 0; row > 0 && r + row <= n; r += row) {
		double ab = 0, aa = 0, bb = 0;
		for (int64_t i = r; i < r + row; i++) {
			ab += (double)got[i] * ref[i];
			aa += (double)got[i] * got[i];
			bb += (double)ref[i] * ref[i];
		}
		const double c = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : (aa == bb ? 1.0 : 0.0);
		if (c < d.min_cos)
			d.min_cos = c;
	}
	if (d.n_nonfinite)
		d.max_abs = d.nmse = INFINITY, d.min_cos = -1;
	return d;
}

bool clx_check_logits(const struct clx_diff *d)
{
	return d->n_nonfinite == 0 && d->max_abs <= CLX_CHECK_LOGITS_MAX_ABS;
}

int64_t clx_argmax_changed(const float *got, const float *ref, int64_t n, int64_t row)
{
	int64_t changed = 0;
	for (int64_t r = 0; row > 0 && r + row <= n; r += row) {
		int64_t a = r, b = r;
		for (int64_t j = r + 1; j < r + row; j++) {
			a = got[j] > got[a] ? j : a;
			b = ref[j] > ref[b] ? j : b;
		}
		changed += a != b;
	}
	return changed;
}

bool clx_check_logits_f16(const struct clx_diff *d, int64_t argmax_changed)
{
	return d->n_nonfinite == 0 && d->max_abs <= CLX_CHECK_F16_LOGITS_MAX_ABS && argmax_changed == 0;
}

bool clx_check_embeddings(const struct clx_diff *d)
{
	return d->n_nonfinite == 0 && d->min_cos >= CLX_CHECK_EMBED_MIN_COS;
}

static bool is_gemm(enum clx_op op)
{
	return op == CLX_OP_MATMUL || op == CLX_OP_ATTENTION;
}

double clx_check_node_tolerance(const struct clx_graph *g, int node, bool after_gemm)
{
	return after_gemm || is_gemm(g->nodes[node].op) ? CLX_CHECK_NMSE_GEMM
							 : CLX_CHECK_NMSE_ELEMENTWISE;
}

bool clx_check_nmse(const struct clx_diff *d, double tolerance)
{
	return d->n_nonfinite == 0 && d->nmse <= tolerance;
}

enum clx_status clx_check_after_gemm(struct clx_ctx *ctx, const struct clx_graph *g,
				     const struct clx_plan *plan, bool **out)
{
	bool *f = clx_calloc((size_t)g->n_tensors + 1, sizeof *f);
	*out = f;
	if (!f)
		return clx_fail(ctx, CLX_ERR_NOMEM, "check: out of memory");
	for (int k = 0; k < plan->n_order; k++) {
		const struct clx_node *nd = &g->nodes[plan->order[k]];
		bool v = is_gemm(nd->op);
		for (int s = 0; s < nd->n_src; s++)
			v = v || f[clx_graph_root(g, nd->src[s])];
		f[nd->dst] = v;
	}
	return CLX_OK;
}

/* ------------------------------------------------------ checked backend */

struct checked {
	struct clx_backend *primary, *reference;
};

static struct checked *checked_of(const struct clx_backend *be)
{
	return be->impl;
}

static const char *checked_name(const struct clx_backend *be)
{
	return clx_backend_name(checked_of(be)->primary);
}

static const struct clx_device_info *checked_device(const struct clx_backend *be)
{
	return clx_backend_device(checked_of(be)->primary);
}

static void checked_free(struct clx_backend *be)
{
	if (!be)
		return;
	struct checked *c = checked_of(be);
	if (c) {
		clx_backend_free(c->primary);
		clx_backend_free(c->reference);
		clx_free(c);
	}
	clx_free(be);
}

static enum clx_status checked_prepare(struct clx_backend *be, struct clx_ctx *ctx,
				       const struct clx_graph *g, size_t arena_bytes)
{
	struct checked *c = checked_of(be);
	enum clx_status st = clx_backend_prepare(c->primary, ctx, g, arena_bytes);
	return st != CLX_OK ? st : clx_backend_prepare(c->reference, ctx, g, arena_bytes);
}

static enum clx_status checked_set_tensor(struct clx_backend *be, struct clx_ctx *ctx,
					  const struct clx_graph *g, int t, const void *data)
{
	struct checked *c = checked_of(be);
	enum clx_status st = clx_backend_set_tensor(c->primary, ctx, g, t, data);
	return st != CLX_OK ? st : clx_backend_set_tensor(c->reference, ctx, g, t, data);
}

static enum clx_status checked_get_tensor(struct clx_backend *be, struct clx_ctx *ctx,
					  const struct clx_graph *g, int t, void *data)
{
	return clx_backend_get_tensor(checked_of(be)->primary, ctx, g, t, data);
}

/* The node on the primary, then on the reference from the primary's values
 * of its inputs (weights are the reference's own: the same host data). */
static enum clx_status checked_run_node(struct clx_backend *be, struct clx_ctx *ctx,
					const struct clx_graph *g, int node)
{
	struct checked *c = checked_of(be);
	const struct clx_node *nd = &g->nodes[node];
	void *tmp = NULL;
	float *got = NULL, *want = NULL;
	enum clx_status st = clx_backend_run_node(c->primary, ctx, g, node);
	if (st == CLX_OK)
		st = clx_backend_synchronize(c->primary, ctx);
	for (int s = 0; s < nd->n_src && st == CLX_OK; s++) {
		const int t = nd->src[s];
		if (g->tensors[clx_graph_root(g, t)].kind == CLX_TENSOR_WEIGHT)
			continue;
		const size_t bytes = clx_tensor_nbytes(&g->tensors[t]);
		void *p = clx_realloc(tmp, bytes ? bytes : 1);
		if (!p) {
			st = clx_fail(ctx, CLX_ERR_NOMEM, "checked backend: out of memory");
			break;
		}
		tmp = p;
		if ((st = clx_backend_get_tensor(c->primary, ctx, g, t, tmp)) == CLX_OK)
			st = clx_backend_set_tensor(c->reference, ctx, g, t, tmp);
	}
	if (st == CLX_OK)
		st = clx_backend_run_node(c->reference, ctx, g, node);
	const struct clx_tensor *dst = &g->tensors[nd->dst];
	const int64_t n = clx_tensor_nelems(dst);
	if (st == CLX_OK && dst->dtype == CLX_DTYPE_F32) {
		got = clx_malloc((size_t)n * sizeof *got + 1);
		want = clx_malloc((size_t)n * sizeof *want + 1);
		if (!got || !want)
			st = clx_fail(ctx, CLX_ERR_NOMEM, "checked backend: out of memory");
		if (st == CLX_OK && (st = clx_backend_get_tensor(c->primary, ctx, g, nd->dst, got)) == CLX_OK)
			st = clx_backend_get_tensor(c->reference, ctx, g, nd->dst, want);
		if (st == CLX_OK) {
			const struct clx_diff d = clx_diff_f32(got, want, n, 0);
			const double tol = clx_check_node_tolerance(g, node, false);
			char impl[160];
			clx_backend_node_impl(c->primary, g, node, impl, sizeof impl);
			if (!clx_check_nmse(&d, tol))
				st = clx_fail(ctx, CLX_ERR_DEVICE,
					      "CLX_CHECK_RESULTS: %s (%s): node '%s' (%s%s%s) differs from %s: "
					      "nmse %.3e > %.0e%s",
					      clx_backend_name(c->primary), clx_backend_device(c->primary)->name,
					      nd->name, clx_op_name(nd->op), impl[0] ? ", " : "", impl,
					      clx_backend_device(c->reference)->reference
						      ? "the CPU reference"
						      : clx_backend_name(c->reference),
					      d.nmse, tol, d.n_nonfinite ? " (non-finite values)" : "");
		}
	}
	clx_free(tmp);
	clx_free(got);
	clx_free(want);
	return st;
}

static enum clx_status checked_synchronize(struct clx_backend *be, struct clx_ctx *ctx)
{
	return clx_backend_synchronize(checked_of(be)->primary, ctx);
}

static bool checked_supports(struct clx_backend *be, const struct clx_graph *g, int node, char *why,
			     size_t cap)
{
	const struct checked *c = checked_of(be);
	return clx_backend_supports_why(c->primary, g, node, why, cap) &&
	       clx_backend_supports_why(c->reference, g, node, why, cap);
}

static void checked_stats(const struct clx_backend *be, struct clx_backend_stats *out)
{
	clx_backend_stats(checked_of(be)->primary, out);
}

static void checked_node_impl(const struct clx_backend *be, const struct clx_graph *g, int node,
			      char *buf, size_t cap)
{
	clx_backend_node_impl(checked_of(be)->primary, g, node, buf, cap);
}

static const struct clx_backend_i checked_iface = {
	.name = checked_name,
	.free = checked_free,
	.device = checked_device,
	.prepare = checked_prepare,
	.set_tensor = checked_set_tensor,
	.get_tensor = checked_get_tensor,
	.run_node = checked_run_node,
	.synchronize = checked_synchronize,
	.supports = checked_supports,
	.stats = checked_stats,
	.node_impl = checked_node_impl,
};

enum clx_status clx_backend_checked_create(struct clx_ctx *ctx, struct clx_backend *primary,
					   struct clx_backend *reference,
					   struct clx_backend **out)
{
	*out = NULL;
	struct checked *c = clx_calloc(1, sizeof *c);
	struct clx_backend *be = c ? clx_backend_new(ctx, &checked_iface, c) : NULL;
	if (!be) {
		clx_free(c);
		clx_backend_free(primary);
		clx_backend_free(reference);
		return clx_fail(ctx, CLX_ERR_NOMEM, "checked backend: out of memory");
	}
	c->primary = primary;
	c->reference = reference;
	*out = be;
	return CLX_OK;
}
