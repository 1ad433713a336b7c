/* cost.c — floating-point operations and compulsory bytes per graph node,
 * and the op classes the profiler groups time by.
 *
 * The counts are those of the math, not of any one implementation: a
 * multiply-add is 2 flops, exp / division / sqrt are 1 each, and a masked
 * or causal attention still counts the full Sq × Sk score matrix (what a
 * dense kernel computes). Bytes are the compulsory traffic: each input
 * element the op needs read once and the output written once, so
 * bytes / time is a lower bound on the bandwidth a device achieved. The
 * formulas are written out in docs/PROFILE.md; tests/test_profile_cost.c
 * checks them against a closed-form count for the base-patch32 shapes.
 *
 * Not here: timing (tools/profile) or anything device-specific. */
#include "clx/graph.h"

/* --------------------------------------------------------------- helpers */

static double nel(const struct clx_graph *g, int t)
{
	return (double)clx_tensor_nelems(&g->tensors[t]);
}

static double nbytes(const struct clx_graph *g, int t)
{
	return (double)clx_tensor_nbytes(&g->tensors[t]);
}

static int64_t last_dim(const struct clx_tensor *t)
{
	return t->ne[t->n_dims - 1];
}

/* ------------------------------------------------------------------ cost */

void clx_node_cost(const struct clx_graph *g, int node, double *flops, double *bytes)
{
	const struct clx_node *nd = &g->nodes[node];
	const struct clx_tensor *dst = &g->tensors[nd->dst];
	const double E = nel(g, nd->dst);      /* output elements */
	const double out_b = nbytes(g, nd->dst);
	double in_b = 0;                       /* every source read once */
	for (int i = 0; i < nd->n_src; i++)
		in_b += nbytes(g, nd->src[i]);
	double f = 0, b = in_b + out_b;

	switch (nd->op) {
	case CLX_OP_MATMUL: {
		/* y (rows, N) = x (rows, K) · W: 2·rows·N·K, + rows·N for a bias;
		 * batched: rows runs over every batch item. A fused epilogue costs
		 * what its nodes would: quick_gelu 4, the residual add 1 per output. */
		const struct clx_matmul_dims d = clx_matmul_dims(g, node);
		const double K = (double)d.K, N = (double)d.N, rows = E / N;
		f = 2.0 * rows * N * K + (d.flags & CLX_MATMUL_BIAS ? E : 0) +
		    (d.flags & CLX_MATMUL_GELU ? 4.0 * E : 0) + (d.flags & CLX_MATMUL_RESIDUAL ? E : 0);
		break;
	}
	case CLX_OP_ATTENTION: {
		/* q·kᵀ and p·v: 2·2·n·H·Sq·Sk·dh; softmax: scale, running max,
		 * subtract, exp, sum = 5 per score; one division per output. */
		const struct clx_tensor *q = &g->tensors[nd->src[0]], *k = &g->tensors[nd->src[1]];
		const double n = (double)q->ne[0], Sq = (double)q->ne[1], Sk = (double)k->ne[1];
		const double H = nd->iattr[0], dh = (double)q->ne[2] / H;
		f = 4.0 * n * H * Sq * Sk * dh + 5.0 * n * H * Sq * Sk + E;
		break;
	}
	case CLX_OP_LAYER_NORM: {
		/* mean 1, variance 3 (subtract, square, add), normalise and affine
		 * 4 per element; 5 per row (two divisions, + eps, sqrt, reciprocal). */
		const double rows = E / (double)last_dim(dst);
		f = 8.0 * E + 5.0 * rows;
		break;
	}
	case CLX_OP_L2_NORMALIZE: {
		/* square + add, then a division per element; a sqrt per row */
		const double rows = E / (double)last_dim(dst);
		f = 3.0 * E + rows;
		break;
	}
	case CLX_OP_QUICK_GELU:
		f = 4.0 * E; /* x / (1 + exp(−1.702·x)): multiply, exp, add, divide */
		break;
	case CLX_OP_GELU:
		f = 5.0 * E; /* 0.5·x·(1 + erf(x/√2)): multiply, erf, add, two multiplies */
		break;
	case CLX_OP_ADD:
	case CLX_OP_MUL:
	case CLX_OP_EXP:
		f = E;
		break;
	case CLX_OP_MEAN:
		f = nel(g, nd->src[0]) + E; /* the sums, one division per output */
		break;
	case CLX_OP_GATHER:
		b = nbytes(g, nd->src[1]) + 2.0 * out_b; /* ids, then only the rows they select */
		break;
	case CLX_OP_SLICE:
		b = 2.0 * out_b; /* only the rows kept are read */
		break;
	case CLX_OP_POOL_ARGMAX:
		b = nbytes(g, nd->src[1]) + 2.0 * out_b; /* ids, then one row per prompt */
		break;
	case CLX_OP_CONCAT:
	case CLX_OP_PATCHIFY:
	case CLX_OP_REPEAT:
	case CLX_OP_TRANSPOSE:
	case CLX_OP_COUNT:
	default:
		break; /* no arithmetic; every input read once, output written once */
	}
	*flops = f;
	*bytes = b;
}

/* --------------------------------------------------------------- classes */

enum clx_op_class clx_op_class_of(enum clx_op op)
{
	switch (op) {
	case CLX_OP_MATMUL: return CLX_OPCLASS_GEMM;
	case CLX_OP_ATTENTION: return CLX_OPCLASS_ATTENTION;
	case CLX_OP_LAYER_NORM:
	case CLX_OP_L2_NORMALIZE: return CLX_OPCLASS_NORM;
	case CLX_OP_QUICK_GELU:
	case CLX_OP_GELU:
	case CLX_OP_ADD:
	case CLX_OP_MUL:
	case CLX_OP_EXP:
	case CLX_OP_MEAN: return CLX_OPCLASS_ELEMENTWISE;
	case CLX_OP_GATHER:
	case CLX_OP_CONCAT:
	case CLX_OP_SLICE:
	case CLX_OP_PATCHIFY:
	case CLX_OP_POOL_ARGMAX:
	case CLX_OP_REPEAT:
	case CLX_OP_TRANSPOSE:
	case CLX_OP_COUNT:
	default: return CLX_OPCLASS_MOVEMENT;
	}
}

const char *clx_op_class_name(enum clx_op_class c)
{
	static const char *const names[CLX_OPCLASS_COUNT] = {
		[CLX_OPCLASS_GEMM] = "gemm",
		[CLX_OPCLASS_ATTENTION] = "attention",
		[CLX_OPCLASS_NORM] = "layer_norm",
		[CLX_OPCLASS_ELEMENTWISE] = "elementwise",
		[CLX_OPCLASS_MOVEMENT] = "data_movement",
	};
	return (unsigned)c < CLX_OPCLASS_COUNT ? names[c] : "?";
}
