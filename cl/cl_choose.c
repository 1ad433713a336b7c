/* cl_choose.c — which implementation each node runs, and the candidates
 * `clx tune` may choose from (docs/TUNING.md).
 *
 * Per node, the first that applies:
 *   1. an environment variable forces it, for tests and comparisons:
 *      CLX_GEMM=clblast | own | own:MRxNRxVW[:LM] for every matmul,
 *      CLX_ROW_KERNELS=on | off for attention and layer_norm;
 *   2. the tuner's trial, or the device's tuning file (clx_backend_tuned);
 *   3. the default: on CPU-class devices the own GEMM kernels (the tile by
 *      the device's preferred float vector width: 16 → 6×64 of float16,
 *      8 → 6×16 of float8, else 4×16 of float4; where N is narrower
 *      than that tile, one vector of half the width (at least 4) and MR 4,
 *      or 2 below 4 rows; LM = 4 work-items per group from M ≥ 48 rows,
 *      else 1) and the row kernels where a row fits
 *      them; elsewhere CLBlast (whose defaults are tuned for GPUs) and the
 *      work-group kernels.
 *
 * Implementation names: "clblast", "own:MRxNRxVW:LM" for a matmul; "rows"
 * or "groups" for attention. */
#include "cl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ GEMM */

static bool valid_variant(int mr, int nr, int vw)
{
	return mr >= 1 && mr <= 16 && (vw == 4 || vw == 8 || vw == 16) && nr >= vw && nr <= 128 &&
	       nr % vw == 0;
}

/* "clblast" | "own" | "own:MRxNRxVW[:LM]" into *c; need_tile (a tuned
 * name): only "clblast" and "own:MRxNRxVW:LM". */
static bool parse_gemm(const char *s, bool need_tile, struct cl_gemm_choice *c)
{
	if (strcmp(s, "clblast") == 0) {
		*c = (struct cl_gemm_choice){ CL_GEMM_CLBLAST, 0, 0, 0, 0 };
		return true;
	}
	if (!need_tile && strcmp(s, "own") == 0) {
		*c = (struct cl_gemm_choice){ CL_GEMM_OWN, 0, 0, 0, 0 }; /* the default tile */
		return true;
	}
	int mr, nr, vw, lm = 0, used = 0, more = 0;
	if (sscanf(s, "own:%dx%dx%d%n", &mr, &nr, &vw, &used) == 3 &&
	    (s[used] == '\0' || (sscanf(s + used, ":%d%n", &lm, &more) == 1 &&
				 s[used + more] == '\0' && lm >= 1 && lm <= 64)) &&
	    (lm || !need_tile) && valid_variant(mr, nr, vw)) {
		*c = (struct cl_gemm_choice){ CL_GEMM_OWN, mr, nr, vw, lm };
		return true;
	}
	return false;
}

static void gemm_name(const struct cl_gemm_choice *c, char *buf, size_t cap)
{
	if (c->impl == CL_GEMM_CLBLAST)
		snprintf(buf, cap, "clblast");
	else
		snprintf(buf, cap, "own:%dx%dx%d:%d", c->mr, c->nr, c->vw, c->lm);
}

/* The default for matmul node on b's device, with the blanks of a forced
 * "own" (tile, LM) filled in. */
static void gemm_default(const struct cl_backend *b, const struct clx_graph *g, int node,
			 struct cl_gemm_choice *c, bool forced)
{
	const struct clx_device_info *d = &b->dev.info;
	if (!forced)
		*c = (struct cl_gemm_choice){ d->type_rank == 1 ? CL_GEMM_OWN : CL_GEMM_CLBLAST, 0, 0,
					      0, 0 };
	if (c->impl != CL_GEMM_OWN)
		return;
	const struct clx_matmul_dims md = clx_matmul_dims(g, node);
	if (c->mr == 0) {
		if (d->vec_float >= 16)
			c->mr = 6, c->nr = 64, c->vw = 16;
		else if (d->vec_float >= 8)
			c->mr = 6, c->nr = 16, c->vw = 8;
		else
			c->mr = 4, c->nr = 16, c->vw = 4;
		/* a narrow N (the logits: N = K prompts) would leave most of a
		 * wide tile's lanes idle: one vector of half the width */
		if (md.N < c->nr) {
			c->vw = c->vw > 4 ? c->vw / 2 : 4;
			c->nr = c->vw;
			c->mr = md.M < 4 ? 2 : 4;
		}
	}
	if (c->lm == 0)
		c->lm = md.M >= 48 ? 4 : 1;
}

/* The own tiles tried: MR rows × NV vectors of VW floats, for the device's
 * preferred width and half of it, as long as the MR·NV accumulators fit the
 * vector registers a CPU core has for them (AVX-512: 24 of 32, AVX2: 12 of
 * 16); LM 1, and 4 where there are ≥ 4 row tiles. GPUs (the kernels are
 * not written for them) get float4 tiles in work-groups of 16 and 64. */
static int gemm_candidates(const struct cl_backend *b, const struct clx_graph *g, int node,
			   char (*out)[CLX_TUNE_IMPL_MAX], int max)
{
	const struct clx_device_info *d = &b->dev.info;
	const bool cpu = d->type_rank == 1;
	const int64_t M = clx_matmul_dims(g, node).M;
	struct cl_gemm_choice def;
	gemm_default(b, g, node, &def, false);
	int n = 0;
	gemm_name(&def, out[n++], CLX_TUNE_IMPL_MAX);
	const struct cl_gemm_choice clblast = { CL_GEMM_CLBLAST, 0, 0, 0, 0 };
	if (def.impl != CL_GEMM_CLBLAST)
		gemm_name(&clblast, out[n++], CLX_TUNE_IMPL_MAX);
	const int pref = d->vec_float >= 16 ? 16 : d->vec_float >= 8 ? 8 : 4;
	const int widths[2] = { cpu ? pref : 4, cpu && pref > 4 ? pref / 2 : 0 };
	static const int mrs[] = { 2, 4, 6, 8 }, nvs[] = { 1, 2, 4 };
	for (int wi = 0; wi < 2 && widths[wi]; wi++)
		for (size_t mi = 0; mi < sizeof mrs / sizeof mrs[0]; mi++)
			for (size_t ni = 0; ni < sizeof nvs / sizeof nvs[0]; ni++) {
				const int vw = widths[wi], mr = mrs[mi], nv = nvs[ni];
				if (mr * nv > (vw >= 16 ? 24 : 12))
					continue;
				const int tiles = (int)((M + mr - 1) / mr);
				const int lms[2] = { cpu ? 1 : 16, cpu ? (tiles >= 4 ? 4 : 0) : 64 };
				for (int li = 0; li < 2 && lms[li]; li++) {
					const struct cl_gemm_choice c = { CL_GEMM_OWN, mr, nv * vw, vw, lms[li] };
					if (n == max)
						return n;
					if (c.mr == def.mr && c.nr == def.nr && c.vw == def.vw && c.lm == def.lm)
						continue;
					gemm_name(&c, out[n++], CLX_TUNE_IMPL_MAX);
				}
			}
	return n;
}

/* ------------------------------------------------------------- row kernels */

/* CLX_ROW_KERNELS: 1 on, 0 off, -1 unset. */
static int row_env(void)
{
	const char *e = getenv("CLX_ROW_KERNELS");
	if (e && strcmp(e, "off") == 0)
		return 0;
	if (e && strcmp(e, "on") == 0)
		return 1;
	return -1;
}

bool cl_row_kernel_default(const struct cl_backend *b, bool fits)
{
	const int e = row_env();
	return fits && (e >= 0 ? e == 1 : b->dev.info.type_rank == 1);
}

/* Whether attention node fits attention_rows: private scores of ≤ 128 keys,
 * the head a whole number of vectors. */
static bool attention_fits(const struct cl_backend *b, const struct clx_graph *g, int node)
{
	const struct clx_node *nd = &g->nodes[node];
	const struct clx_tensor *q = &g->tensors[nd->src[0]], *k = &g->tensors[nd->src[1]];
	const int64_t H = nd->iattr[0], dh = H > 0 ? q->ne[2] / H : 0;
	return k->ne[1] <= 128 && dh % b->row_vw == 0;
}

/* ---------------------------------------------------------------- choose */

/* The matmul's W is a resident weight (not an activation, not batched). */
static bool weight_operand(const struct clx_graph *g, int node)
{
	const struct clx_matmul_dims d = clx_matmul_dims(g, node);
	return d.batch == 1 && g->tensors[clx_graph_root(g, g->nodes[node].src[1])].kind == CLX_TENSOR_WEIGHT;
}

bool cl_gemm_half(const struct cl_backend *b, const struct clx_graph *g, int node)
{
	return b->dev.info.weights_f16 && weight_operand(g, node);
}

/* Whether only the own kernels can run matmul node: CLBlast reads one f32
 * buffer, so half weights, or a weight held in parts, need them. */
static bool own_only(const struct cl_backend *b, const struct clx_graph *g, int node)
{
	return weight_operand(g, node) &&
	       (b->dev.info.weights_f16 ||
		clx_tensor_nbytes(&g->tensors[clx_graph_root(g, g->nodes[node].src[1])]) >
			b->dev.info.max_alloc);
}

bool cl_gemm_runnable(struct cl_backend *b, const struct clx_graph *g, int node, char *why,
		      size_t cap)
{
	if (!own_only(b, g, node))
		return true; /* CLBlast stands in for a rejected own variant */
	struct cl_gemm_choice c = { CL_GEMM_OWN, 0, 0, 0, 0 };
	gemm_default(b, g, node, &c, true);
	struct clx_ctx *probe = clx_ctx_create();
	int v = -1;
	const bool ok = !probe || cl_gemm_variant(b, probe, c.mr, c.nr, c.vw,
						  cl_gemm_half(b, g, node), &v) == CLX_OK ||
			v < 0 || !b->variants[v].rejected; /* other failures: the prepare's to report */
	if (!ok)
		snprintf(why, cap, "GEMM variant own:%dx%dx%d not built: the compiler rejected gemm.cl (%s)",
			 c.mr, c.nr, c.vw, b->variants[v].why);
	clx_ctx_free(probe);
	return ok;
}

/* Builds the own GEMM variant *c names for node. When the compiler rejects
 * it, the node runs CLBlast if it can (clblast_ok), else the default tile
 * if that builds, with one warning per variant; otherwise the build log
 * fails the prepare. */
static enum clx_status own_or_clblast(struct cl_backend *b, struct clx_ctx *ctx,
				      const struct clx_graph *g, int node, bool clblast_ok,
				      struct cl_gemm_choice *c)
{
	const bool half = cl_gemm_half(b, g, node);
	const int known = b->n_variants;
	struct clx_ctx *probe = clx_ctx_create();
	if (!probe)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", b->label);
	int v = -1, dv = -1;
	enum clx_status st = cl_gemm_variant(b, probe, c->mr, c->nr, c->vw, half, &v);
	const bool rejected = st == CLX_ERR_DEVICE && v >= 0 && b->variants[v].rejected;
	/* only the own kernels: the default tile, which supports built (a
	 * tuned one may be rejected where the default is not) */
	struct cl_gemm_choice d = { CL_GEMM_OWN, 0, 0, 0, 0 };
	gemm_default(b, g, node, &d, true);
	const bool other = d.mr != c->mr || d.nr != c->nr || d.vw != c->vw;
	if (rejected && clblast_ok) {
		if (v >= known) /* rejected just now */
			clx_warn(ctx, "%s: the OpenCL compiler rejected GEMM variant own:%dx%dx%d (%s); "
				 "the matmuls it was chosen for run CLBlast",
				 b->label, c->mr, c->nr, c->vw, b->variants[v].why);
		*c = (struct cl_gemm_choice){ CL_GEMM_CLBLAST, 0, 0, 0, 0 };
		st = CLX_OK;
	} else if (rejected && other &&
		   cl_gemm_variant(b, probe, d.mr, d.nr, d.vw, half, &dv) == CLX_OK) {
		if (v >= known) /* rejected just now */
			clx_warn(ctx, "%s: the OpenCL compiler rejected GEMM variant own:%dx%dx%d (%s); "
				 "the matmuls it was chosen for run own:%dx%dx%d",
				 b->label, c->mr, c->nr, c->vw, b->variants[v].why, d.mr, d.nr, d.vw);
		*c = d;
		st = CLX_OK;
	} else if (st != CLX_OK) {
		clx_fail(ctx, st, "%s", clx_last_error(probe));
	}
	clx_ctx_free(probe);
	return st;
}

enum clx_status cl_choose(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g)
{
	clx_free(b->gemm);
	clx_free(b->attention_rows);
	b->gemm = clx_calloc((size_t)g->n_nodes + 1, sizeof *b->gemm);
	b->attention_rows = clx_calloc((size_t)g->n_nodes + 1, sizeof *b->attention_rows);
	if (!b->gemm || !b->attention_rows)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", b->label);
	const char *env = getenv("CLX_GEMM");
	struct cl_gemm_choice forced = { CL_GEMM_CLBLAST, 0, 0, 0, 0 };
	if (env && *env && !parse_gemm(env, false, &forced))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"CLX_GEMM='%s': expected clblast, own or own:MRxNRxVW[:LM] (MR 1-16, VW 4, 8 "
				"or 16, NR a multiple of VW up to 128, LM 1-64)",
				env);
	const bool env_gemm = env && *env, env_rows = row_env() >= 0;
	enum clx_status st = CLX_OK;
	for (int i = 0; i < g->n_nodes && st == CLX_OK; i++) {
		const enum clx_op op = g->nodes[i].op;
		if (op != CLX_OP_MATMUL && op != CLX_OP_ATTENTION)
			continue;
		const char *tuned = (op == CLX_OP_MATMUL ? env_gemm : env_rows)
					    ? NULL
					    : clx_backend_tuned(b->self, g, i);
		if (op == CLX_OP_MATMUL) {
			struct cl_gemm_choice c = forced;
			bool have = env_gemm;
			if (!have && tuned) {
				have = parse_gemm(tuned, true, &c);
				if (!have)
					st = clx_backend_tuned_unusable(b->self, ctx, g, i, tuned,
									"not a GEMM of this backend");
			}
			gemm_default(b, g, i, &c, have);
			const bool only_own = own_only(b, g, i);
			if (c.impl != CL_GEMM_OWN && only_own) {
				c = (struct cl_gemm_choice){ CL_GEMM_OWN, 0, 0, 0, 0 };
				gemm_default(b, g, i, &c, true);
			}
			if (c.impl == CL_GEMM_OWN && (st = own_or_clblast(b, ctx, g, i, !only_own, &c)) != CLX_OK)
				break;
			b->gemm[i].choice = c;
			b->gemm[i].variant = -1;
			continue;
		}
		const bool fits = attention_fits(b, g, i);
		bool rows = cl_row_kernel_default(b, fits);
		if (tuned && strcmp(tuned, "groups") == 0)
			rows = false;
		else if (tuned && strcmp(tuned, "rows") == 0 && fits)
			rows = true;
		else if (tuned)
			st = clx_backend_tuned_unusable(b->self, ctx, g, i, tuned,
							fits ? "not an attention kernel of this backend"
							     : "the rows kernel does not fit this shape");
		b->attention_rows[i] = rows;
	}
	return st;
}

int cl_candidates(const struct clx_backend *be, const struct clx_graph *g, int node,
		  char (*out)[CLX_TUNE_IMPL_MAX], int max)
{
	const struct cl_backend *b = cl_of(be);
	const char *env = getenv("CLX_GEMM");
	if (max < 2)
		return 0;
	if (g->nodes[node].op == CLX_OP_MATMUL) /* forced: nothing to choose */
		return env && *env ? 0 : gemm_candidates(b, g, node, out, max);
	if (g->nodes[node].op != CLX_OP_ATTENTION || !attention_fits(b, g, node) || row_env() >= 0)
		return 0;
	const bool rows = cl_row_kernel_default(b, true);
	snprintf(out[0], CLX_TUNE_IMPL_MAX, "%s", rows ? "rows" : "groups");
	snprintf(out[1], CLX_TUNE_IMPL_MAX, "%s", rows ? "groups" : "rows");
	return 2;
}
