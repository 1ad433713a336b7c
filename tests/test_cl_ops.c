/* test_cl_ops.c — every OpenCL kernel against the CPU reference, op by op.
 *
 *   test_cl_ops DEVICE_SPEC        (e.g. "pthread" for PoCL, "llvmpipe" for rusticl)
 *
 * Each case is a one-node graph run through the scheduler on both backends
 * from the same inputs (fixed seeds). Shapes include 1, odd sizes and sizes
 * that are not multiples of any work-group size. The output sits in the
 * OpenCL arena between guard regions filled with a sentinel byte; every
 * guard byte is checked afterwards. Rules (docs/NUMERICS.md): NMSE ≤
 * 1e-7 after GEMMs, ≤ 1e-9 for other arithmetic, and bit-identical results
 * for ops that only move data. NaN anywhere fails.
 *
 * Matmuls run under each GEMM of a documented sample (CLX_GEMM: the
 * default, CLBlast and own tiles), attention and layer_norm with the row
 * kernels forced on, off and by default (CLX_ROW_KERNELS).
 *
 * The device must exist: a missing device FAILS (CI must not go green on a
 * machine without it). Each case also checks that kernels were enqueued
 * on the OpenCL device (no silent CPU fallback). Prints the suite size and
 * the largest NMSE per op. */
#include "check.h"
#include "clx/check.h"

#include "clx/cl.h"
#include "clx/sched.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct clx_ctx *ctx;
static struct clx_backend *cl, *cpu;

enum { GUARD = 512, SENTINEL = 0xA5 };

/* ------------------------------------------------------------ test data */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static float frand(float lo, float hi)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return lo + (hi - lo) * (float)((rng >> 40) & 0xffffff) / (float)0x1000000;
}

static int irand(int n)
{
	return (int)(frand(0, 1) * (float)n) % n;
}

/* One case under construction: a graph plus the host data of its leaves. */
struct tcase {
	struct clx_graph *g;
	void *data[16];       /* per leaf, freed at the end */
	int leaf[16];         /* tensor id of each */
	int n_leaf;
};

static float *new_f32(struct tcase *c, int64_t n, float lo, float hi)
{
	float *p = malloc((size_t)(n ? n : 1) * sizeof *p);
	for (int64_t i = 0; i < n; i++)
		p[i] = frand(lo, hi);
	return p;
}

/* An f32 INPUT tensor with random values in [lo, hi). */
static int input_f32(struct tcase *c, const char *name, int nd, const int64_t *ne, float lo, float hi)
{
	int t = clx_graph_input(c->g, name, CLX_DTYPE_F32, nd, ne);
	c->leaf[c->n_leaf] = t;
	c->data[c->n_leaf++] = new_f32(c, clx_tensor_nelems(&c->g->tensors[t]), lo, hi);
	return t;
}

/* An i32 INPUT tensor with the given values. */
static int input_i32(struct tcase *c, const char *name, int nd, const int64_t *ne, const int32_t *v)
{
	int t = clx_graph_input(c->g, name, CLX_DTYPE_I32, nd, ne);
	int64_t n = clx_tensor_nelems(&c->g->tensors[t]);
	int32_t *p = malloc((size_t)n * sizeof *p);
	memcpy(p, v, (size_t)n * sizeof *p);
	c->leaf[c->n_leaf] = t;
	c->data[c->n_leaf++] = p;
	return t;
}

/* A WEIGHT tensor (resident on the device) with random values. */
static int weight_f32(struct tcase *c, const char *name, int nd, const int64_t *ne, float lo, float hi)
{
	int64_t n = 1;
	for (int i = 0; i < nd; i++)
		n *= ne[i];
	float *p = new_f32(c, n, lo, hi);
	int t = clx_graph_weight(c->g, name, nd, ne, p);
	c->leaf[c->n_leaf] = -2 - t; /* a weight: not set as input */
	c->data[c->n_leaf++] = p;
	return t;
}

/* ------------------------------------------------------------ per-op stats */

static int n_cases;
static int cases_per_op[CLX_OP_COUNT];
static double max_nmse[CLX_OP_COUNT];
static double max_abs[CLX_OP_COUNT];

/* Runs the case's single node on both backends and compares. tol < 0
 * means bit-identical. */
static void run_case(struct tcase *c, const char *desc, enum clx_op op, int dst, double tol)
{
	struct clx_graph *g = c->g;
	struct clx_plan *plan = NULL;
	CHECK(!g->oom && dst >= 0, "%s: graph build failed", desc);
	if (g->oom || dst < 0)
		goto out;
	enum clx_status st = clx_sched_plan(ctx, g, &plan);
	CHECK(st == CLX_OK, "%s: plan: %s", desc, clx_last_error(ctx));
	if (st != CLX_OK)
		goto out;
	/* the output between two guard regions */
	for (int t = 0; t < g->n_tensors; t++)
		if (g->tensors[t].kind == CLX_TENSOR_ACT)
			g->tensors[t].offs += GUARD;
	const size_t out_bytes = clx_tensor_nbytes(&g->tensors[dst]);
	const size_t arena = GUARD + plan->arena_bytes + GUARD;
	const size_t out_at = g->tensors[clx_graph_root(g, dst)].offs;
	const int64_t n = clx_tensor_nelems(&g->tensors[dst]);
	float *got = calloc((size_t)n + 1, sizeof *got), *want = calloc((size_t)n + 1, sizeof *want);
	uint8_t *bytes = malloc(arena);

	struct clx_backend *bes[2] = { cpu, cl };
	for (int i = 0; i < 2; i++) {
		struct clx_backend *be = bes[i];
		struct clx_backend_stats s0, s1;
		clx_backend_stats(be, &s0);
		st = clx_backend_prepare(be, ctx, g, arena);
		CHECK(st == CLX_OK, "%s: %s prepare: %s", desc, clx_backend_name(be), clx_last_error(ctx));
		if (st != CLX_OK)
			goto done;
		if (be == cl) {
			st = clx_backend_cl_arena_fill(cl, ctx, SENTINEL);
			CHECK(st == CLX_OK, "%s: arena fill: %s", desc, clx_last_error(ctx));
		}
		for (int l = 0; l < c->n_leaf; l++)
			if (c->leaf[l] >= 0)
				CHECK(clx_backend_set_tensor(be, ctx, g, c->leaf[l], c->data[l]) == CLX_OK,
				      "%s: set input: %s", desc, clx_last_error(ctx));
		st = clx_sched_run(ctx, g, plan, be, NULL, NULL);
		CHECK(st == CLX_OK, "%s: %s run: %s", desc, clx_backend_name(be), clx_last_error(ctx));
		if (st != CLX_OK)
			goto done;
		st = clx_backend_get_tensor(be, ctx, g, dst, be == cl ? got : want);
		CHECK(st == CLX_OK, "%s: read: %s", desc, clx_last_error(ctx));
		if (be == cl) {
			clx_backend_stats(be, &s1);
			CHECK(s1.kernels_enqueued + s1.gemm_calls > s0.kernels_enqueued + s0.gemm_calls,
			      "%s: no kernel ran on the OpenCL device", desc);
			/* the guard regions are untouched */
			st = clx_backend_cl_arena_read(cl, ctx, 0, arena, bytes);
			CHECK(st == CLX_OK, "%s: arena read: %s", desc, clx_last_error(ctx));
			size_t bad = 0, first = 0;
			for (size_t k = 0; k < arena && st == CLX_OK; k++) {
				if (k >= out_at && k < out_at + out_bytes)
					continue;
				if (bytes[k] != SENTINEL && bad++ == 0)
					first = k;
			}
			CHECK(bad == 0, "%s: %zu sentinel bytes overwritten, first at %zu (output at [%zu, %zu))",
			      desc, bad, first, out_at, out_at + out_bytes);
		}
	}
	if (g->tensors[dst].dtype == CLX_DTYPE_F32) {
		struct clx_diff r = clx_diff_f32(got, want, n, 0);
		bool ok = tol < 0 ? memcmp(got, want, (size_t)n * sizeof *got) == 0 : r.nmse <= tol;
		ok = ok && r.n_nonfinite == 0;
		CHECK(ok, "%s: nmse %.3e (limit %s), max abs %.3e at %lld (got %.9g, want %.9g)", desc,
		      r.nmse, tol < 0 ? "bit-identical" : "see rule", r.max_abs, (long long)r.worst,
		      got[r.worst], want[r.worst]);
		if (r.nmse > max_nmse[op])
			max_nmse[op] = r.nmse;
		if (r.max_abs > max_abs[op])
			max_abs[op] = r.max_abs;
	}
	n_cases++;
	cases_per_op[op]++;
done:
	free(got);
	free(want);
	free(bytes);
out:
	clx_plan_free(plan);
	for (int l = 0; l < c->n_leaf; l++)
		free(c->data[l]);
	clx_graph_free(g);
	c->g = NULL;
}

static struct tcase begin(void)
{
	struct tcase c = { 0 };
	c.g = clx_graph_create();
	return c;
}

static int node(struct tcase *c, enum clx_op op, int n_src, const int *src, int nd,
		const int64_t *ne, int32_t i0, int32_t i1, float f0)
{
	const int32_t ia[4] = { i0, i1, 0, 0 };
	const float fa[2] = { f0, 0 };
	return clx_graph_node(c->g, "op", op, n_src, src, nd, ne, ia, fa);
}

#define NE(...) ((const int64_t[]){ __VA_ARGS__ })
#define SRC(...) ((const int[]){ __VA_ARGS__ })

/* Tighter than docs/NUMERICS.md's whole-model starting thresholds (1e-7 after
 * GEMMs, 1e-9 elementwise), as its rule asks when measurements allow: on
 * PoCL and rusticl the largest NMSE measured was 5e-13 (matmul, K = 1000)
 * and 1e-13 (attention, layer_norm); f32 accumulation over K terms on
 * other devices stays orders of magnitude below these. */
static const double GEMM_TOL = 1e-10, EW_TOL = 1e-11, EXACT = -1;
/* A quick_gelu fused after the GEMM amplifies its relative error where the
 * outputs are near zero (measured 9e-10 on 3 outputs of about -1.7e-6, K =
 * 1000): those cases keep the documented rule, 1e-7 after a GEMM. */
static const double GEMM_GELU_TOL = CLX_CHECK_NMSE_GEMM;

/* A case of one node over one random f32 input "x" (nd_in, ne_in) in
 * [lo, hi): the output (nd_out, ne_out), integer attributes i0 and i1. */
static void one_input_case(const char *desc, enum clx_op op, int nd_in, const int64_t *ne_in,
			   float lo, float hi, int nd_out, const int64_t *ne_out, int32_t i0,
			   int32_t i1, double tol)
{
	struct tcase c = begin();
	int x = input_f32(&c, "x", nd_in, ne_in, lo, hi);
	int y = node(&c, op, 1, SRC(x), nd_out, ne_out, i0, i1, 0);
	run_case(&c, desc, op, y, tol);
}

/* ------------------------------------------------------------------ cases */

/* The epilogues a matmul node can carry (CLX_MATMUL_*). */
static const unsigned epilogues[] = {
	0,
	CLX_MATMUL_BIAS,
	CLX_MATMUL_BIAS | CLX_MATMUL_GELU,
	CLX_MATMUL_BIAS | CLX_MATMUL_RESIDUAL,
	CLX_MATMUL_GELU | CLX_MATMUL_RESIDUAL,
	CLX_MATMUL_BIAS | CLX_MATMUL_GELU | CLX_MATMUL_RESIDUAL,
};

static void cases_matmul(void)
{
	static const int64_t shapes[][3] = { /* M, K, N */
		{ 1, 1, 1 },     { 1, 7, 3 },      { 5, 13, 9 },    { 7, 33, 51 },  { 31, 64, 47 },
		{ 50, 77, 33 },  { 51, 50, 77 },   { 67, 129, 33 }, { 128, 96, 200 }, { 50, 768, 65 },
		{ 3, 1000, 1 },  { 1, 768, 3072 }, { 7, 3072, 33 }, { 51, 768, 768 },
	};
	char d[160];
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		const int64_t M = shapes[i][0], K = shapes[i][1], N = shapes[i][2];
		for (size_t e = 0; e < sizeof epilogues / sizeof epilogues[0]; e++) {
			const unsigned fl = epilogues[e];
			struct tcase c = begin();
			int x = input_f32(&c, "x", 2, NE(M, K), -1, 1);
			int w = weight_f32(&c, "w", 2, NE(N, K), -1, 1);
			int b = fl & CLX_MATMUL_BIAS ? weight_f32(&c, "b", 1, NE(N), -1, 1) : -1;
			int r = fl & CLX_MATMUL_RESIDUAL ? input_f32(&c, "r", 2, NE(M, N), -1, 1) : -1;
			int y = clx_graph_matmul(c.g, "y", x, w, b, r, fl, false, false, 2, NE(M, N));
			snprintf(d, sizeof d, "matmul x(%lld,%lld)·W(%lld,%lld)ᵀ%s%s%s", (long long)M,
				 (long long)K, (long long)N, (long long)K, fl & CLX_MATMUL_BIAS ? " + b" : "",
				 fl & CLX_MATMUL_GELU ? " → quick_gelu" : "",
				 fl & CLX_MATMUL_RESIDUAL ? " + r" : "");
			run_case(&c, d, CLX_OP_MATMUL, y, fl & CLX_MATMUL_GELU ? GEMM_GELU_TOL : GEMM_TOL);
		}
		/* W stored (K, N): y = x·W */
		struct tcase c = begin();
		int x = input_f32(&c, "x", 3, NE(1, M, K), -1, 1);
		int w = weight_f32(&c, "w", 2, NE(K, N), -1, 1);
		int y = clx_graph_matmul(c.g, "y", x, w, -1, -1, 0, true, false, 3, NE(1, M, N));
		snprintf(d, sizeof d, "matmul x(1,%lld,%lld)·W(%lld,%lld)", (long long)M, (long long)K,
			 (long long)K, (long long)N);
		run_case(&c, d, CLX_OP_MATMUL, y, GEMM_TOL);
	}
	static const int64_t batched[][4] = { /* Bt, M, K, N */
		{ 1, 1, 1, 1 }, { 2, 1, 64, 3 }, { 3, 5, 7, 9 }, { 4, 17, 33, 65 },
	};
	for (size_t i = 0; i < sizeof batched / sizeof batched[0]; i++) {
		const int64_t Bt = batched[i][0], M = batched[i][1], K = batched[i][2], N = batched[i][3];
		struct tcase c = begin();
		int x = input_f32(&c, "x", 3, NE(Bt, M, K), -1, 1);
		int w = input_f32(&c, "w", 3, NE(Bt, N, K), -1, 1);
		int y = clx_graph_matmul(c.g, "y", x, w, -1, -1, 0, false, true, 3, NE(Bt, M, N));
		snprintf(d, sizeof d, "batched matmul x(%lld,%lld,%lld)·W(%lld,%lld,%lld)ᵀ", (long long)Bt,
			 (long long)M, (long long)K, (long long)Bt, (long long)N, (long long)K);
		run_case(&c, d, CLX_OP_MATMUL, y, GEMM_TOL);
	}
}

static void cases_layer_norm(void)
{
	static const int64_t shapes[][2] = { { 1, 1 }, { 3, 5 }, { 7, 32 }, { 5, 257 }, { 2, 768 },
					     { 4, 1000 }, { 130, 64 } };
	char d[128];
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		const int64_t R = shapes[i][0], D = shapes[i][1];
		struct tcase c = begin();
		/* an offset mean, as residual streams have */
		int x = input_f32(&c, "x", 2, NE(R, D), 2, 5);
		int w = weight_f32(&c, "w", 1, NE(D), 0.5f, 1.5f);
		int b = weight_f32(&c, "b", 1, NE(D), -0.5f, 0.5f);
		int y = node(&c, CLX_OP_LAYER_NORM, 3, SRC(x, w, b), 2, NE(R, D), 0, 0, 1e-5f);
		snprintf(d, sizeof d, "layer_norm (%lld, %lld)", (long long)R, (long long)D);
		run_case(&c, d, CLX_OP_LAYER_NORM, y, EW_TOL);
	}
}

static void cases_attention(void)
{
	/* n, Sq, Sk, H, dh, causal, masked */
	static const int shapes[][7] = {
		{ 1, 1, 1, 1, 1, 0, 0 },   { 2, 5, 5, 1, 8, 1, 0 },    { 3, 7, 7, 4, 8, 1, 1 },
		{ 2, 51, 51, 12, 64, 0, 0 }, { 2, 3, 49, 8, 8, 0, 0 }, { 1, 9, 200, 2, 33, 0, 1 },
		{ 2, 8, 8, 8, 8, 0, 0 },   { 3, 77, 77, 2, 64, 1, 1 }, { 1, 4, 300, 1, 5, 1, 0 },
	};
	char d[160];
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		const int n = shapes[i][0], Sq = shapes[i][1], Sk = shapes[i][2], H = shapes[i][3];
		const int dh = shapes[i][4], causal = shapes[i][5], masked = shapes[i][6];
		struct tcase c = begin();
		int q = input_f32(&c, "q", 3, NE(n, Sq, H * dh), -2, 2);
		int k = input_f32(&c, "k", 3, NE(n, Sk, H * dh), -2, 2);
		int v = input_f32(&c, "v", 3, NE(n, Sk, H * dh), -2, 2);
		int m = -1;
		if (masked) {
			/* right padding of random lengths; the last item fully hidden */
			int32_t *mv = malloc((size_t)(n * Sk) * sizeof *mv);
			for (int a = 0; a < n; a++) {
				int len = a == n - 1 && n > 1 ? 0 : 1 + irand(Sk);
				for (int j = 0; j < Sk; j++)
					mv[a * Sk + j] = j < len;
			}
			m = input_i32(&c, "mask", 2, NE(n, Sk), mv);
			free(mv);
		}
		int y = node(&c, CLX_OP_ATTENTION, masked ? 4 : 3, SRC(q, k, v, m), 3, NE(n, Sq, H * dh), H,
			     causal, 1.0f / sqrtf((float)dh));
		snprintf(d, sizeof d, "attention n=%d Sq=%d Sk=%d H=%d dh=%d%s%s", n, Sq, Sk, H, dh,
			 causal ? " causal" : "", masked ? " masked (one item fully hidden)" : "");
		run_case(&c, d, CLX_OP_ATTENTION, y, EW_TOL);
	}
}

static void cases_unary_binary(void)
{
	static const int64_t sizes[] = { 1, 7, 65, 1000, 4099 };
	char d[128];
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		const int64_t n = sizes[i];
		snprintf(d, sizeof d, "quick_gelu (%lld)", (long long)n);
		one_input_case(d, CLX_OP_QUICK_GELU, 1, NE(n), -8, 8, 1, NE(n), 0, 0, EW_TOL);
		snprintf(d, sizeof d, "gelu (%lld)", (long long)n);
		one_input_case(d, CLX_OP_GELU, 1, NE(n), -8, 8, 1, NE(n), 0, 0, EW_TOL);
		snprintf(d, sizeof d, "exp (%lld)", (long long)n);
		one_input_case(d, CLX_OP_EXP, 1, NE(n), -5, 5, 1, NE(n), 0, 0, EW_TOL);
	}
	static const int64_t ab[][2] = { { 1, 1 }, { 7, 7 }, { 12, 3 }, { 195, 65 }, { 1000, 1 },
					 { 4099, 4099 }, { 51 * 768, 51 * 768 / 3 } };
	for (size_t i = 0; i < sizeof ab / sizeof ab[0]; i++) {
		for (int mul = 0; mul < 2; mul++) {
			const enum clx_op op = mul ? CLX_OP_MUL : CLX_OP_ADD;
			struct tcase c = begin();
			int a = input_f32(&c, "a", 1, NE(ab[i][0]), -3, 3);
			int b = weight_f32(&c, "b", 1, NE(ab[i][1]), -3, 3);
			int y = node(&c, op, 2, SRC(a, b), 1, NE(ab[i][0]), 0, 0, 0);
			snprintf(d, sizeof d, "%s a(%lld) b(%lld) repeating", mul ? "mul" : "add",
				 (long long)ab[i][0], (long long)ab[i][1]);
			run_case(&c, d, op, y, EW_TOL);
		}
	}
}

static void cases_reductions(void)
{
	static const int64_t mean[][3] = { { 1, 1, 1 }, { 2, 8, 5 }, { 3, 7, 33 }, { 1, 8, 25088 } };
	char d[128];
	for (size_t i = 0; i < sizeof mean / sizeof mean[0]; i++) {
		const int64_t A = mean[i][0], B = mean[i][1], C = mean[i][2];
		snprintf(d, sizeof d, "mean (%lld, %lld, %lld) over axis 1", (long long)A, (long long)B,
			 (long long)C);
		one_input_case(d, CLX_OP_MEAN, 3, NE(A, B, C), -2, 3, 2, NE(A, C), 0, 0, EW_TOL);
	}
	static const int64_t l2[][2] = { { 1, 1 }, { 3, 64 }, { 2, 513 }, { 6, 512 }, { 5, 3 } };
	for (size_t i = 0; i < sizeof l2 / sizeof l2[0]; i++) {
		const int64_t R = l2[i][0], D = l2[i][1];
		snprintf(d, sizeof d, "l2_normalize (%lld, %lld)", (long long)R, (long long)D);
		one_input_case(d, CLX_OP_L2_NORMALIZE, 2, NE(R, D), -1, 1, 2, NE(R, D), 0, 0, EW_TOL);
	}
}

static void cases_movement(void)
{
	char d[160];
	/* gather */
	static const int64_t gat[][4] = { { 1, 1, 1, 1 }, { 11, 5, 3, 4 }, { 99, 32, 3, 7 },
					  { 1000, 1, 2, 9 } };
	for (size_t i = 0; i < sizeof gat / sizeof gat[0]; i++) {
		const int64_t V = gat[i][0], D = gat[i][1], K = gat[i][2], L = gat[i][3];
		struct tcase c = begin();
		int tab = weight_f32(&c, "table", 2, NE(V, D), -1, 1);
		int32_t ids[64];
		for (int j = 0; j < K * L; j++)
			ids[j] = irand((int)V);
		int idt = input_i32(&c, "ids", 2, NE(K, L), ids);
		int y = node(&c, CLX_OP_GATHER, 2, SRC(tab, idt), 3, NE(K, L, D), 0, 0, 0);
		snprintf(d, sizeof d, "gather table(%lld,%lld) ids(%lld,%lld)", (long long)V, (long long)D,
			 (long long)K, (long long)L);
		run_case(&c, d, CLX_OP_GATHER, y, EXACT);
	}
	/* concat: a broadcast (1, Sa, D) or per item (n, Sa, D) */
	static const int64_t cat[][5] = { /* na, n, Sa, Sb, D */
		{ 1, 1, 1, 1, 1 }, { 1, 16, 1, 225, 32 }, { 3, 3, 50, 1, 7 }, { 2, 2, 5, 3, 65 },
	};
	for (size_t i = 0; i < sizeof cat / sizeof cat[0]; i++) {
		const int64_t na = cat[i][0], n = cat[i][1], Sa = cat[i][2], Sb = cat[i][3], D = cat[i][4];
		struct tcase c = begin();
		int a = na == 1 && n > 1 ? weight_f32(&c, "a", 3, NE(na, Sa, D), -1, 1)
					 : input_f32(&c, "a", 3, NE(na, Sa, D), -1, 1);
		int b = input_f32(&c, "b", 3, NE(n, Sb, D), -1, 1);
		int y = node(&c, CLX_OP_CONCAT, 2, SRC(a, b), 3, NE(n, Sa + Sb, D), 0, 0, 0);
		snprintf(d, sizeof d, "concat a(%lld,%lld,%lld) b(%lld,%lld,%lld)", (long long)na,
			 (long long)Sa, (long long)D, (long long)n, (long long)Sb, (long long)D);
		run_case(&c, d, CLX_OP_CONCAT, y, EXACT);
	}
	/* slice */
	static const int64_t sl[][5] = { /* n, S, D, start, len */
		{ 1, 1, 1, 0, 1 }, { 16, 51, 32, 0, 1 }, { 4, 52, 7, 0, 51 }, { 3, 50, 33, 1, 49 },
	};
	for (size_t i = 0; i < sizeof sl / sizeof sl[0]; i++) {
		snprintf(d, sizeof d, "slice x(%lld,%lld,%lld) rows [%lld, +%lld)", (long long)sl[i][0],
			 (long long)sl[i][1], (long long)sl[i][2], (long long)sl[i][3], (long long)sl[i][4]);
		one_input_case(d, CLX_OP_SLICE, 3, NE(sl[i][0], sl[i][1], sl[i][2]), -1, 1, 3,
			       NE(sl[i][0], sl[i][4], sl[i][2]), (int32_t)sl[i][3], (int32_t)sl[i][4],
			       EXACT);
	}
	/* patchify */
	static const int64_t pat[][5] = { /* N, C, H, W, p */
		{ 1, 1, 1, 1, 1 }, { 2, 3, 6, 6, 2 }, { 1, 3, 30, 30, 2 }, { 2, 3, 14, 21, 7 },
		{ 1, 3, 64, 64, 32 },
	};
	for (size_t i = 0; i < sizeof pat / sizeof pat[0]; i++) {
		const int64_t N = pat[i][0], C = pat[i][1], H = pat[i][2], W = pat[i][3], p = pat[i][4];
		snprintf(d, sizeof d, "patchify (%lld,%lld,%lld,%lld) p=%lld", (long long)N, (long long)C,
			 (long long)H, (long long)W, (long long)p);
		one_input_case(d, CLX_OP_PATCHIFY, 4, NE(N, C, H, W), -1, 1, 3,
			       NE(N, (H / p) * (W / p), C * p * p), (int32_t)p, 0, EXACT);
	}
	/* pool_argmax: ids with ties (the first maximum wins); and the match form
	 * (the first id equal to 3, or row 0 in rows without one) */
	static const int64_t pool[][3] = { { 1, 1, 1 }, { 3, 7, 32 }, { 2, 77, 65 } };
	for (int match = 0; match <= 1; match++)
		for (size_t i = 0; i < sizeof pool / sizeof pool[0]; i++) {
			const int64_t K = pool[i][0], L = pool[i][1], D = pool[i][2];
			struct tcase c = begin();
			int x = input_f32(&c, "x", 3, NE(K, L, D), -1, 1);
			int32_t ids[256];
			for (int j = 0; j < K * L; j++)
				ids[j] = irand(5); /* many ties */
			int idt = input_i32(&c, "ids", 2, NE(K, L), ids);
			int y = node(&c, CLX_OP_POOL_ARGMAX, 2, SRC(x, idt), 2, NE(K, D), match, 3, 0);
			snprintf(d, sizeof d, "pool_argmax%s x(%lld,%lld,%lld)", match ? " (match 3)" : "",
				 (long long)K, (long long)L, (long long)D);
			run_case(&c, d, CLX_OP_POOL_ARGMAX, y, EXACT);
		}
	/* repeat */
	static const int64_t rep[][3] = { { 1, 1, 1 }, { 3, 5, 2 }, { 3, 64, 4 } };
	for (size_t i = 0; i < sizeof rep / sizeof rep[0]; i++) {
		snprintf(d, sizeof d, "repeat (%lld,%lld) x%lld", (long long)rep[i][0], (long long)rep[i][1],
			 (long long)rep[i][2]);
		one_input_case(d, CLX_OP_REPEAT, 2, NE(rep[i][0], rep[i][1]), -1, 1, 3,
			       NE(rep[i][2], rep[i][0], rep[i][1]), (int32_t)rep[i][2], 0, EXACT);
	}
	/* transpose */
	static const int64_t tr[][2] = { { 1, 1 }, { 3, 7 }, { 33, 65 }, { 1, 9 } };
	for (size_t i = 0; i < sizeof tr / sizeof tr[0]; i++) {
		snprintf(d, sizeof d, "transpose (%lld,%lld)", (long long)tr[i][0], (long long)tr[i][1]);
		one_input_case(d, CLX_OP_TRANSPOSE, 2, NE(tr[i][0], tr[i][1]), -1, 1, 2,
			       NE(tr[i][1], tr[i][0]), 0, 0, EXACT);
	}
}

/* Weights are uploaded once: preparing a second graph over the same host
 * weights uploads nothing. */
static void check_weight_cache(void)
{
	float *w = new_f32(NULL, 64 * 32, -1, 1);
	struct clx_backend_stats s0, s1, s2;
	for (int round = 0; round < 2; round++) {
		struct clx_graph *g = clx_graph_create();
		int x = clx_graph_input(g, "x", CLX_DTYPE_F32, 2, NE(3 + round, 32));
		int wt = clx_graph_weight(g, "w", 2, NE(64, 32), w);
		const int32_t ia[4] = { 0 };
		const float fa[2] = { 0 };
		clx_graph_node(g, "y", CLX_OP_MATMUL, 2, SRC(x, wt), 2, NE(3 + round, 64), ia, fa);
		struct clx_plan *plan = NULL;
		CHECK(clx_sched_plan(ctx, g, &plan) == CLX_OK, "plan: %s", clx_last_error(ctx));
		clx_backend_stats(cl, round ? &s1 : &s0);
		CHECK(plan && clx_backend_prepare(cl, ctx, g, plan->arena_bytes) == CLX_OK, "prepare: %s",
		      clx_last_error(ctx));
		clx_backend_stats(cl, &s2);
		if (round == 0)
			CHECK(s2.weight_uploads == s0.weight_uploads + 1, "first prepare uploads the weight");
		else
			CHECK(s2.weight_uploads == s1.weight_uploads,
			      "a second graph over the same weights uploads again (%llu → %llu)",
			      (unsigned long long)s1.weight_uploads, (unsigned long long)s2.weight_uploads);
		clx_plan_free(plan);
		clx_graph_free(g);
	}
	free(w);
	printf("weight cache: second prepare uploaded %llu weights; device memory: weights %zu B "
	       "(%d buffers), arena %zu B, inputs %zu B, GEMM temp %zu B\n",
	       (unsigned long long)(s2.weight_uploads - s1.weight_uploads), s2.weight_bytes,
	       s2.n_weights, s2.arena_bytes, s2.input_bytes, s2.temp_bytes);
}

/* Device spec opened with buffers of at most 64 KiB (CLX_CL_MAX_ALLOC),
 * or NULL after a failed check. */
static struct clx_backend *open_small(const char *spec)
{
	setenv("CLX_CL_MAX_ALLOC", "65536", 1);
	struct clx_backend *small = NULL;
	CHECK(clx_backend_open(ctx, spec, &small) == CLX_OK, "open %s with a 64 KiB limit: %s", spec,
	      clx_last_error(ctx));
	unsetenv("CLX_CL_MAX_ALLOC");
	return small;
}

/* A device whose buffers hold at most 64 KiB (CLX_CL_MAX_ALLOC): an arena
 * planned for it is held in several buffers and a chain of 40 KiB tensors
 * computes as on the CPU reference; an arena planned without the limit
 * (a tensor across a boundary) is refused by name; one input over the
 * limit is refused with the sizes, and the backend stays usable. */
static void check_max_alloc(const char *spec)
{
	struct clx_backend *small = open_small(spec);
	if (!small)
		return;
	CHECK(clx_backend_device(small)->max_alloc == 65536, "CLX_CL_MAX_ALLOC: max_alloc %llu",
	      (unsigned long long)clx_backend_device(small)->max_alloc);
	const int64_t n = 10000; /* 40 000 bytes: two never fit one 64 KiB buffer */
	struct clx_graph *g = clx_graph_create();
	int t = clx_graph_input(g, "x", CLX_DTYPE_F32, 1, NE(n));
	const int32_t ia[4] = { 0 };
	const float fa[2] = { 0 };
	for (int i = 0; i < 6; i++) {
		char name[16];
		snprintf(name, sizeof name, "y%d", i);
		const int src[2] = { t, t };
		t = clx_graph_node(g, name, i % 2 ? CLX_OP_ADD : CLX_OP_EXP, i % 2 ? 2 : 1, src, 1, NE(n),
				   ia, fa);
	}
	g->tensors[t].is_output = true;
	float *x = malloc((size_t)n * sizeof *x), *got = malloc((size_t)n * sizeof *got);
	float *want = malloc((size_t)n * sizeof *want);
	for (int64_t i = 0; i < n; i++)
		x[i] = (float)(i % 97) / 400.0f - 0.1f;
	struct clx_plan *flat = NULL, *plan = NULL;
	CHECK(clx_sched_plan(ctx, g, &flat) == CLX_OK, "plan");
	enum clx_status st = clx_backend_prepare(small, ctx, g, flat->arena_bytes);
	printf("an unchunked %zu-byte arena: %s\n", flat->arena_bytes, clx_last_error(ctx));
	CHECK(st == CLX_ERR_INVALID_ARG && strstr(clx_last_error(ctx), "crosses a 65536-byte buffer boundary"),
	      "an arena planned without the limit: %s", clx_last_error(ctx));
	CHECK(clx_sched_plan_chunked(ctx, g, 65536, &plan) == CLX_OK, "chunked plan");
	st = clx_backend_prepare(small, ctx, g, plan->arena_bytes);
	CHECK(st == CLX_OK, "a chunked arena: %s", clx_last_error(ctx));
	struct clx_backend_stats s;
	clx_backend_stats(small, &s);
	printf("a chunked %zu-byte arena in %d buffers of at most 64 KiB\n", plan->arena_bytes,
	       s.arena_buffers);
	CHECK(s.arena_buffers >= 2, "the arena is %d buffers", s.arena_buffers);
	if (st == CLX_OK) {
		CHECK(clx_backend_set_tensor(small, ctx, g, 0, x) == CLX_OK, "set");
		for (int k = 0; k < plan->n_order; k++)
			CHECK(clx_backend_run_node(small, ctx, g, plan->order[k]) == CLX_OK, "run: %s",
			      clx_last_error(ctx));
		CHECK(clx_backend_synchronize(small, ctx) == CLX_OK &&
			      clx_backend_get_tensor(small, ctx, g, t, got) == CLX_OK,
		      "read: %s", clx_last_error(ctx));
		CHECK(clx_backend_prepare(cpu, ctx, g, plan->arena_bytes) == CLX_OK &&
			      clx_backend_set_tensor(cpu, ctx, g, 0, x) == CLX_OK,
		      "cpu: %s", clx_last_error(ctx));
		for (int k = 0; k < plan->n_order; k++)
			clx_backend_run_node(cpu, ctx, g, plan->order[k]);
		CHECK(clx_backend_get_tensor(cpu, ctx, g, t, want) == CLX_OK, "cpu read");
		const struct clx_diff d = clx_diff_f32(got, want, n, 0);
		printf("chained over the arena's buffers: nmse %.3e vs the CPU reference\n", d.nmse);
		CHECK(clx_check_nmse(&d, CLX_CHECK_NMSE_ELEMENTWISE), "chunked arena results: nmse %.3e",
		      d.nmse);
	}
	clx_plan_free(flat);
	clx_plan_free(plan);
	clx_graph_free(g);

	/* one buffer over the limit whose outer slices are too (one slice, so
	 * not held in parts): refused with the sizes, then usable */
	g = clx_graph_create();
	int big = clx_graph_input(g, "big", CLX_DTYPE_F32, 2, NE(1, 20000));
	clx_graph_node(g, "y", CLX_OP_EXP, 1, &big, 1, NE(4), ia, fa);
	st = clx_backend_prepare(small, ctx, g, 16);
	printf("an input over max allocation: %s: %s\n", clx_status_name(st), clx_last_error(ctx));
	CHECK(st == CLX_ERR_NOMEM && strstr(clx_last_error(ctx), "CL_DEVICE_MAX_MEM_ALLOC_SIZE"),
	      "an input over the device's max allocation: %s", clx_last_error(ctx));
	clx_graph_free(g);
	g = clx_graph_create();
	int small_x = clx_graph_input(g, "x", CLX_DTYPE_F32, 1, NE(4));
	clx_graph_node(g, "y", CLX_OP_EXP, 1, &small_x, 1, NE(4), ia, fa);
	CHECK(clx_backend_prepare(small, ctx, g, 256) == CLX_OK, "usable after: %s", clx_last_error(ctx));
	clx_graph_free(g);
	clx_backend_free(small);
	free(x);
	free(got);
	free(want);
}

/* ---------------------------------------------------------------- windows */

/* The case's node on `small` (a device whose buffers hold 64 KiB), over
 * tensors bigger than that: the device accepts it, holds them in parts and
 * runs it a window of outer slices at a time (cl_ops.c); the result is
 * compared with the CPU reference's. */
static void run_windowed(struct clx_backend *small, struct tcase *c, const char *desc, int dst,
			 double tol)
{
	struct clx_graph *g = c->g;
	struct clx_plan *plan = NULL;
	const int node = g->n_nodes - 1;
	char why[200] = "";
	const bool ok = !g->oom && dst >= 0 && clx_backend_supports_why(small, g, node, why, sizeof why);
	CHECK(ok, "%s: declined under 64 KiB buffers: %s", desc, why);
	const int64_t n = ok ? clx_tensor_nelems(&g->tensors[dst]) : 0;
	float *got = calloc((size_t)n + 1, sizeof *got), *want = calloc((size_t)n + 1, sizeof *want);
	enum clx_status st = ok ? clx_sched_plan_chunked(ctx, g, 65536, &plan) : CLX_ERR_INVALID_ARG;
	struct clx_backend *bes[2] = { cpu, small };
	for (int i = 0; i < 2 && st == CLX_OK; i++) {
		if ((st = clx_backend_prepare(bes[i], ctx, g, plan->arena_bytes)) != CLX_OK)
			break;
		for (int l = 0; l < c->n_leaf && st == CLX_OK; l++)
			if (c->leaf[l] >= 0)
				st = clx_backend_set_tensor(bes[i], ctx, g, c->leaf[l], c->data[l]);
		if (st == CLX_OK)
			st = clx_sched_run(ctx, g, plan, bes[i], NULL, NULL);
		if (st == CLX_OK)
			st = clx_backend_get_tensor(bes[i], ctx, g, dst, i ? got : want);
	}
	CHECK(!ok || st == CLX_OK, "%s: %s", desc, clx_last_error(ctx));
	if (ok && st == CLX_OK) {
		struct clx_backend_stats s;
		clx_backend_stats(small, &s);
		CHECK(s.split_activations > 0, "%s: nothing held in parts", desc);
		const struct clx_diff r = clx_diff_f32(got, want, n, 0);
		const bool same = tol < 0 ? memcmp(got, want, (size_t)n * sizeof *got) == 0
					  : r.nmse <= tol && r.n_nonfinite == 0;
		printf("  in windows: %-58s %d in parts, nmse %.3e\n", desc, s.split_activations, r.nmse);
		CHECK(same, "%s in windows: nmse %.3e, max abs %.3e at %lld", desc, r.nmse, r.max_abs,
		      (long long)r.worst);
	}
	free(got);
	free(want);
	clx_plan_free(plan);
	for (int l = 0; l < c->n_leaf; l++)
		free(c->data[l]);
	clx_graph_free(g);
	c->g = NULL;
}

/* One case per op that runs in windows, each over tensors of 100 KB and
 * more whose outer slices fit 64 KiB. */
static void check_windows(const char *spec)
{
	struct clx_backend *small = open_small(spec);
	if (!small)
		return;
	const int64_t R = 50, S = 20, D = 32; /* 128 000 bytes; a slice is 2 560 */
	struct tcase c = begin();
	int x = input_f32(&c, "x", 3, NE(R, S, D), 2, 5);
	int w = weight_f32(&c, "w", 1, NE(D), 0.5f, 1.5f), b = weight_f32(&c, "b", 1, NE(D), -1, 1);
	run_windowed(small, &c, "layer_norm (50, 20, 32)",
		     node(&c, CLX_OP_LAYER_NORM, 3, SRC(x, w, b), 3, NE(R, S, D), 0, 0, 1e-5f), EW_TOL);
	static const enum clx_op unary[] = { CLX_OP_GELU, CLX_OP_QUICK_GELU, CLX_OP_EXP,
					     CLX_OP_L2_NORMALIZE };
	for (size_t i = 0; i < sizeof unary / sizeof unary[0]; i++) {
		c = begin();
		x = input_f32(&c, "x", 3, NE(R, S, D), -2, 2);
		run_windowed(small, &c, clx_op_name(unary[i]),
			     node(&c, unary[i], 1, SRC(x), 3, NE(R, S, D), 0, 0, 0), EW_TOL);
	}
	for (int same = 0; same <= 1; same++) { /* b repeating within a slice, or as big as a */
		c = begin();
		x = input_f32(&c, "a", 3, NE(R, S, D), -2, 2);
		int y = same ? input_f32(&c, "b", 3, NE(R, S, D), -2, 2)
			     : weight_f32(&c, "b", 2, NE(S, D), -2, 2);
		run_windowed(small, &c, same ? "mul, b as big as a" : "add, b (20, 32) repeating",
			     node(&c, same ? CLX_OP_MUL : CLX_OP_ADD, 2, SRC(x, y), 3, NE(R, S, D), 0, 0, 0),
			     EW_TOL);
	}
	c = begin();
	x = input_f32(&c, "x", 3, NE(R, S, D), -1, 1);
	w = weight_f32(&c, "w", 2, NE(48, D), -1, 1);
	b = weight_f32(&c, "b", 1, NE(48), -1, 1);
	int r = input_f32(&c, "r", 3, NE(R, S, 48), -1, 1);
	run_windowed(small, &c, "matmul (50, 20, 32)·W(48, 32)ᵀ + b → quick_gelu + r",
		     clx_graph_matmul(c.g, "y", x, w, b, r,
				      CLX_MATMUL_BIAS | CLX_MATMUL_GELU | CLX_MATMUL_RESIDUAL, false,
				      false, 3, NE(R, S, 48)),
		     GEMM_GELU_TOL);
	c = begin();
	int q = input_f32(&c, "q", 3, NE(R, S, D), -2, 2), k = input_f32(&c, "k", 3, NE(R, S, D), -2, 2);
	int v = input_f32(&c, "v", 3, NE(R, S, D), -2, 2);
	int32_t *mv = malloc((size_t)(R * S) * sizeof *mv);
	for (int64_t j = 0; j < R * S; j++)
		mv[j] = j % S < 1 + (j / S) % S;
	int m = input_i32(&c, "mask", 2, NE(R, S), mv);
	free(mv);
	run_windowed(small, &c, "attention n=50 S=20 H=4 causal, masked",
		     node(&c, CLX_OP_ATTENTION, 4, SRC(q, k, v, m), 3, NE(R, S, D), 4, 1,
			  1.0f / sqrtf(8.0f)),
		     EW_TOL);
	c = begin();
	int a1 = weight_f32(&c, "cls", 3, NE(1, 1, D), -1, 1);
	x = input_f32(&c, "x", 3, NE(R, S, D), -1, 1);
	run_windowed(small, &c, "concat cls (1, 1, 32) before x (50, 20, 32)",
		     node(&c, CLX_OP_CONCAT, 2, SRC(a1, x), 3, NE(R, S + 1, D), 0, 0, 0), EXACT);
	c = begin();
	x = input_f32(&c, "x", 3, NE(R, S, D), -1, 1);
	run_windowed(small, &c, "slice rows [1, +18)",
		     node(&c, CLX_OP_SLICE, 1, SRC(x), 3, NE(R, 18, D), 1, 18, 0), EXACT);
	c = begin();
	x = input_f32(&c, "x", 3, NE(R, S, D), -1, 1);
	run_windowed(small, &c, "mean over axis 1",
		     node(&c, CLX_OP_MEAN, 1, SRC(x), 2, NE(R, D), 0, 0, 0), EW_TOL);
	c = begin();
	x = input_f32(&c, "x", 4, NE(R, 3, 16, 16), -1, 1);
	run_windowed(small, &c, "patchify (50, 3, 16, 16) p=4",
		     node(&c, CLX_OP_PATCHIFY, 1, SRC(x), 3, NE(R, 16, 48), 4, 0, 0), EXACT);
	c = begin();
	int tab = weight_f32(&c, "table", 2, NE(99, D), -1, 1);
	int32_t ids[50 * 20];
	for (int j = 0; j < R * S; j++)
		ids[j] = irand(99);
	int idt = input_i32(&c, "ids", 2, NE(R, S), ids);
	run_windowed(small, &c, "gather table (99, 32), ids (50, 20)",
		     node(&c, CLX_OP_GATHER, 2, SRC(tab, idt), 3, NE(R, S, D), 0, 0, 0), EXACT);
	c = begin();
	x = input_f32(&c, "x", 3, NE(R, S, D), -1, 1);
	for (int j = 0; j < R * S; j++)
		ids[j] = irand(5);
	idt = input_i32(&c, "ids", 2, NE(R, S), ids);
	run_windowed(small, &c, "pool_argmax (match 3) x (50, 20, 32)",
		     node(&c, CLX_OP_POOL_ARGMAX, 2, SRC(x, idt), 2, NE(R, D), 1, 3, 0), EXACT);
	c = begin();
	x = input_f32(&c, "x", 2, NE(S, D), -1, 1);
	run_windowed(small, &c, "repeat (20, 32) x50",
		     node(&c, CLX_OP_REPEAT, 1, SRC(x), 3, NE(R, S, D), (int32_t)R, 0, 0), EXACT);
	clx_backend_free(small);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DEVICE_SPEC\n", argv[0]);
		return 2;
	}
	ctx = clx_ctx_create();
	enum clx_status st = clx_backend_open(ctx, argv[1], &cl);
	CHECK(st == CLX_OK, "OpenCL device '%s' is required and could not be opened: %s", argv[1],
	      clx_last_error(ctx));
	if (st != CLX_OK)
		return check_summary();
	CHECK(clx_backend_open(ctx, "cpu", &cpu) == CLX_OK, "cpu: %s", clx_last_error(ctx));
	const struct clx_device_info *dev = clx_backend_device(cl);
	struct clx_backend_stats s;
	clx_backend_stats(cl, &s);
	printf("device %s: %s (%s, %s); kernels built in %.3f s%s; GEMM: %s\n", dev->id, dev->name,
	       dev->platform_name, dev->driver_version, s.build_seconds,
	       s.program_from_cache ? " (binary cache)" : "", s.gemm_impl);
	CHECK(strncmp(clx_backend_name(cl), "cl:", 3) == 0, "backend name %s", clx_backend_name(cl));

	check_max_alloc(argv[1]);
	check_windows(argv[1]);
	/* every matmul case under each GEMM of the documented sample
	 * (docs/TUNING.md): the default, CLBlast, and own tiles covering MR 1 to
	 * 8, one to four vectors of float4 / float8 / float16, LM 1, 2 and 4;
	 * only vectors as wide as the device prefers (at least float4), as the
	 * tuner's candidates: llvmpipe, which prefers scalars, takes minutes
	 * and gigabytes to compile wide tiles it would never run */
	static const char *const gemms[] = {
		"",	       "clblast",      "own:1x4x4:1",	"own:3x12x4:2",	 "own:4x16x4:1",
		"own:8x16x4:4", "own:3x24x8:2", "own:8x32x8:4", "own:2x16x16:4", "own:6x64x16:4",
	};
	const int widest = dev->vec_float > 4 ? (int)dev->vec_float : 4;
	for (size_t i = 0; i < sizeof gemms / sizeof gemms[0]; i++) {
		int mr, nr, vw = 4, lm;
		if (sscanf(gemms[i], "own:%dx%dx%d:%d", &mr, &nr, &vw, &lm) == 4 && vw > widest)
			continue;
		if (gemms[i][0])
			setenv("CLX_GEMM", gemms[i], 1);
		else
			unsetenv("CLX_GEMM");
		const int before = cases_per_op[CLX_OP_MATMUL];
		cases_matmul();
		printf("matmul with %s: %d cases\n", gemms[i][0] ? gemms[i] : "the default",
		       cases_per_op[CLX_OP_MATMUL] - before);
	}
	unsetenv("CLX_GEMM");
	/* the row kernels and the work-group kernels, each forced */
	static const char *const rows[] = { "", "on", "off" };
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (rows[i][0])
			setenv("CLX_ROW_KERNELS", rows[i], 1);
		else
			unsetenv("CLX_ROW_KERNELS");
		cases_layer_norm();
		cases_attention();
	}
	unsetenv("CLX_ROW_KERNELS");
	cases_unary_binary();
	cases_reductions();
	cases_movement();
	check_weight_cache();

	clx_backend_stats(cl, &s);
	printf("op suite: %d cases over %d ops on %s; %llu kernels and %llu GEMMs enqueued\n", n_cases,
	       CLX_OP_COUNT, dev->id, (unsigned long long)s.kernels_enqueued,
	       (unsigned long long)s.gemm_calls);
	printf("  %-14s %5s  %-12s %-12s\n", "op", "cases", "max nmse", "max |diff|");
	for (int op = 0; op < CLX_OP_COUNT; op++) {
		printf("  %-14s %5d  %-12.3e %-12.3e\n", clx_op_name((enum clx_op)op), cases_per_op[op],
		       max_nmse[op], max_abs[op]);
		CHECK(cases_per_op[op] > 0, "op %s has no case", clx_op_name((enum clx_op)op));
	}
	clx_backend_free(cl);
	clx_backend_free(cpu);
	clx_ctx_free(ctx);
	return check_summary();
}
