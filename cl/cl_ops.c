/* cl_ops.c — one launch per graph op: every node's arguments marshalled
 * for its kernel in cl/kernels/; matmuls go to the GEMM dispatcher
 * (cl_gemm.c).
 *
 * A tensor is passed as (buffer, element offset) (cl_buffers.c).
 * CL_OUT_OF_RESOURCES or CL_INVALID_WORK_GROUP_SIZE at a launch retries
 * once with half the work-group. */
#include "cl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cl_kernel_names[CL_KID_COUNT] = {
	[CL_KID_QUICK_GELU] = "quick_gelu",
	[CL_KID_EXP] = "exp_f32",
	[CL_KID_ADD] = "add_f32",
	[CL_KID_MUL] = "mul_f32",
	[CL_KID_LAYER_NORM] = "layer_norm",
	[CL_KID_ATTENTION] = "attention",
	[CL_KID_GATHER] = "gather",
	[CL_KID_CONCAT] = "concat",
	[CL_KID_SLICE] = "slice_rows",
	[CL_KID_PATCHIFY] = "patchify",
	[CL_KID_POOL_ARGMAX] = "pool_argmax",
	[CL_KID_REPEAT] = "repeat",
	[CL_KID_TRANSPOSE] = "transpose",
	[CL_KID_MEAN] = "mean_axis1",
	[CL_KID_L2_NORMALIZE] = "l2_normalize",
	[CL_KID_MATMUL_EPILOGUE] = "matmul_epilogue",
	[CL_KID_ATTENTION_ROWS] = "attention_rows",
	[CL_KID_LAYER_NORM_ROWS] = "layer_norm_rows",
	[CL_KID_GELU] = "gelu",
	[CL_KID_GATHER_HALF] = "gather_half",
};

int cl_op_kernels(enum clx_op op, int kids[4])
{
	switch (op) {
	case CLX_OP_MATMUL: kids[0] = CL_KID_MATMUL_EPILOGUE; return 1;
	case CLX_OP_LAYER_NORM: kids[0] = CL_KID_LAYER_NORM, kids[1] = CL_KID_LAYER_NORM_ROWS; return 2;
	case CLX_OP_ATTENTION: kids[0] = CL_KID_ATTENTION, kids[1] = CL_KID_ATTENTION_ROWS; return 2;
	case CLX_OP_L2_NORMALIZE: kids[0] = CL_KID_L2_NORMALIZE; return 1;
	case CLX_OP_QUICK_GELU: kids[0] = CL_KID_QUICK_GELU; return 1;
	case CLX_OP_GELU: kids[0] = CL_KID_GELU; return 1;
	case CLX_OP_EXP: kids[0] = CL_KID_EXP; return 1;
	case CLX_OP_ADD: kids[0] = CL_KID_ADD; return 1;
	case CLX_OP_MUL: kids[0] = CL_KID_MUL; return 1;
	case CLX_OP_GATHER: kids[0] = CL_KID_GATHER, kids[1] = CL_KID_GATHER_HALF; return 2;
	case CLX_OP_CONCAT: kids[0] = CL_KID_CONCAT; return 1;
	case CLX_OP_SLICE: kids[0] = CL_KID_SLICE; return 1;
	case CLX_OP_MEAN: kids[0] = CL_KID_MEAN; return 1;
	case CLX_OP_PATCHIFY: kids[0] = CL_KID_PATCHIFY; return 1;
	case CLX_OP_POOL_ARGMAX: kids[0] = CL_KID_POOL_ARGMAX; return 1;
	case CLX_OP_REPEAT: kids[0] = CL_KID_REPEAT; return 1;
	case CLX_OP_TRANSPOSE: kids[0] = CL_KID_TRANSPOSE; return 1;
	case CLX_OP_COUNT:
	default: return 0;
	}
}

/* ------------------------------------------------------------- launches */

struct cl_args cl_args_begin(cl_kernel k, const char *name)
{
	return (struct cl_args){ k, name, 0, CL_SUCCESS, 0 };
}

void cl_arg(struct cl_args *a, size_t size, const void *v)
{
	if (a->err == CL_SUCCESS) {
		a->err = CLW(clSetKernelArg, a->k, a->i, size, v);
		a->err_at = a->i;
	}
	a->i++;
}

void cl_arg_mem(struct cl_args *a, cl_mem m, size_t elem_off)
{
	const cl_ulong off = elem_off;
	cl_arg(a, sizeof m, &m);
	cl_arg(a, sizeof off, &off);
}

void cl_arg_tensor(struct cl_args *a, const struct cl_backend *b, const struct clx_graph *g, int t)
{
	const struct cl_addr ad = cl_addr_of(b, g, t);
	cl_arg_mem(a, ad.mem, ad.offs / 4); /* element offset; prepare checked alignment */
}

void cl_arg_u32(struct cl_args *a, int64_t v)
{
	const cl_uint u = (cl_uint)v;
	cl_arg(a, sizeof u, &u);
}

void cl_arg_u64(struct cl_args *a, uint64_t v)
{
	const cl_ulong u = v;
	cl_arg(a, sizeof u, &u);
}

static void arg_f(struct cl_args *a, float v)
{
	const cl_float f = v;
	cl_arg(a, sizeof f, &f);
}

static struct cl_args args_begin(struct cl_backend *b, int kid)
{
	return cl_args_begin(b->kernels[kid], cl_kernel_names[kid]);
}

enum clx_status cl_args_check(struct cl_backend *b, struct clx_ctx *ctx, const char *node,
			      const struct cl_args *a)
{
	if (a->err == CL_SUCCESS)
		return CLX_OK;
	return clx_fail(ctx, CLX_ERR_DEVICE, "%s: clSetKernelArg(%s, %u) for node '%s' failed: %s (%d)",
			b->label, a->name, a->err_at, node, clw_error_name(a->err), a->err);
}

static size_t pow2_floor(size_t x)
{
	size_t p = 1;
	while (p * 2 <= x)
		p *= 2;
	return p;
}

/* Work-group size for kernel kid: a power of two ≤ want and ≤ the
 * kernel's and device's limits. */
static size_t pick_wg(const struct cl_backend *b, int kid, size_t want)
{
	size_t lim = b->kernel_wg[kid];
	if (b->dev.info.max_work_group < lim)
		lim = b->dev.info.max_work_group;
	if (want > lim)
		want = lim;
	return pow2_floor(want ? want : 1);
}

static size_t pow2_ceil(size_t x)
{
	size_t p = 1;
	while (p < x)
		p *= 2;
	return p;
}

static bool retryable(cl_int err)
{
	return err == CL_OUT_OF_RESOURCES || err == CL_INVALID_WORK_GROUP_SIZE;
}

/* Enqueues kernel kid over (g0·L, g1) items in work-groups of (L, 1);
 * `red_arg` ≥ 0 is a local-memory argument of L floats that follows L.
 * A launch refused for resources is retried once with L/2. */
static enum clx_status launch(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_node *nd,
			      int kid, size_t g0, size_t g1, size_t L, int red_arg)
{
	cl_int err = CL_SUCCESS;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (red_arg >= 0) {
			err = CLW(clSetKernelArg, b->kernels[kid], (cl_uint)red_arg, L * sizeof(cl_float), NULL);
			if (err != CL_SUCCESS)
				break;
		}
		const size_t global[2] = { g0 * L, g1 }, local[2] = { L, 1 };
		err = CLW(clEnqueueNDRangeKernel, b->queue, b->kernels[kid], g1 > 1 ? 2 : 1, NULL, global,
			  local, 0, NULL, NULL);
		if (err == CL_SUCCESS) {
			b->stats.kernels_enqueued++;
			if (b->node_kernel)
				b->node_kernel[b->cur_node] = (signed char)kid;
			return CLX_OK;
		}
		if (!retryable(err) || attempt == 1)
			break;
		/* row kernels keep L a power of two; item kernels cover g0·L
		 * items, so halving L doubles the groups (L = 1: the same again) */
		if (L > 1) {
			if (red_arg < 0)
				g0 *= 2;
			L /= 2;
		}
	}
	return clx_fail(ctx, CLX_ERR_DEVICE,
			"%s: launching kernel %s for node '%s' failed: %s (%d) (work-group %zu, "
			"after one retry, with a smaller work-group where there is one)",
			b->label, cl_kernel_names[kid], nd->name, clw_error_name(err), err, L);
}

enum clx_status cl_launch_items(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_node *nd,
				int kid, int64_t n)
{
	const size_t L = pick_wg(b, kid, 64);
	const size_t groups = ((size_t)n + L - 1) / L;
	return launch(b, ctx, nd, kid, groups, 1, L, -1);
}

/* One work-group per row of D values (layer_norm, l2_normalize): up to 256
 * items, a power of two, with the local reduction buffer as the argument
 * after the last one set in *a. */
static enum clx_status launch_rows(struct cl_backend *b, struct clx_ctx *ctx,
				   const struct clx_node *nd, int kid, const struct cl_args *a,
				   int64_t rows, int64_t D)
{
	enum clx_status st = cl_args_check(b, ctx, nd->name, a);
	if (st != CLX_OK || rows == 0)
		return st;
	return launch(b, ctx, nd, kid, (size_t)rows, 1,
		      pick_wg(b, kid, pow2_ceil(D < 256 ? (size_t)D : 256)), (int)a->i);
}

/* --------------------------------------------------------------- ops */

#define TN(i) (&g->tensors[nd->src[i]])

static enum clx_status op_layer_norm(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g,
				     const struct clx_node *nd)
{
	const struct clx_tensor *x = TN(0);
	const int64_t D = x->ne[x->n_dims - 1], rows = clx_tensor_nelems(x) / D;
	/* a work-item per row where the row is whole vectors (layer_norm_rows) */
	const bool row_kernel = cl_row_kernel_default(b, D % b->row_vw == 0);
	const int kid = row_kernel ? CL_KID_LAYER_NORM_ROWS : CL_KID_LAYER_NORM;
	struct cl_args a = args_begin(b, kid);
	cl_arg_tensor(&a, b, g, nd->src[0]);
	cl_arg_tensor(&a, b, g, nd->src[1]);
	cl_arg_tensor(&a, b, g, nd->src[2]);
	cl_arg_tensor(&a, b, g, nd->dst);
	cl_arg_u32(&a, D);
	arg_f(&a, nd->fattr[0]);
	if (!row_kernel)
		return launch_rows(b, ctx, nd, kid, &a, rows, D);
	cl_arg_u32(&a, rows);
	enum clx_status st = cl_args_check(b, ctx, nd->name, &a);
	if (st != CLX_OK || rows == 0)
		return st;
	return cl_launch_items(b, ctx, nd, kid, rows);
}

static enum clx_status op_attention(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g,
				    const struct clx_node *nd)
{
	const struct clx_tensor *q = TN(0), *k = TN(1);
	const int64_t n = q->ne[0], Sq = q->ne[1], Sk = k->ne[1], H = nd->iattr[0];
	const int64_t dh = q->ne[2] / H;
	const bool has_mask = nd->n_src > 3;
	if (b->attention_rows[nd - g->nodes]) { /* cl_choose.c */
		struct cl_args a = args_begin(b, CL_KID_ATTENTION_ROWS);
		cl_arg_tensor(&a, b, g, nd->src[0]);
		cl_arg_tensor(&a, b, g, nd->src[1]);
		cl_arg_tensor(&a, b, g, nd->src[2]);
		cl_arg_tensor(&a, b, g, has_mask ? nd->src[3] : nd->src[0]);
		cl_arg_u32(&a, has_mask);
		cl_arg_tensor(&a, b, g, nd->dst);
		cl_arg_u32(&a, Sq);
		cl_arg_u32(&a, Sk);
		cl_arg_u32(&a, H);
		cl_arg_u32(&a, dh);
		cl_arg_u32(&a, nd->iattr[1] != 0);
		arg_f(&a, nd->fattr[0]);
		enum clx_status st = cl_args_check(b, ctx, nd->name, &a);
		if (st != CLX_OK || n * Sq * H == 0)
			return st;
		return launch(b, ctx, nd, CL_KID_ATTENTION_ROWS, (size_t)(Sq + 3) / 4, (size_t)(n * H), 1,
			      -1);
	}
	size_t L = pick_wg(b, CL_KID_ATTENTION, pow2_ceil((size_t)(Sk > dh ? Sk : dh)));
	if (L > 128)
		L = 128;
	const size_t local_bytes = ((size_t)Sk + L) * sizeof(float);
	if (local_bytes > b->dev.info.local_mem)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED,
				"%s: attention '%s' over %lld keys needs %zu bytes of local memory; the "
				"device has %llu",
				b->label, nd->name, (long long)Sk, local_bytes,
				(unsigned long long)b->dev.info.local_mem);
	struct cl_args a = args_begin(b, CL_KID_ATTENTION);
	cl_arg_tensor(&a, b, g, nd->src[0]);
	cl_arg_tensor(&a, b, g, nd->src[1]);
	cl_arg_tensor(&a, b, g, nd->src[2]);
	cl_arg_tensor(&a, b, g, has_mask ? nd->src[3] : nd->src[0]); /* any buffer when unmasked */
	cl_arg_u32(&a, has_mask);
	cl_arg_tensor(&a, b, g, nd->dst);
	cl_arg_u32(&a, Sq);
	cl_arg_u32(&a, Sk);
	cl_arg_u32(&a, H);
	cl_arg_u32(&a, dh);
	cl_arg_u32(&a, nd->iattr[1] != 0);
	arg_f(&a, nd->fattr[0]);
	cl_arg(&a, (size_t)Sk * sizeof(float), NULL); /* s: scores of one query row */
	enum clx_status st = cl_args_check(b, ctx, nd->name, &a);
	if (st != CLX_OK || n * Sq * H == 0)
		return st;
	return launch(b, ctx, nd, CL_KID_ATTENTION, (size_t)Sq, (size_t)(n * H), L, (int)a.i);
}

/* The kernels with one work-item per output element (elementwise.cl,
 * movement.cl, reduce.cl's mean): arguments are the sources, the output,
 * the element count n (all but transpose) and a few op-specific integers. */
/* A gather from a table held in parts (over max_alloc, cl_buffers.c): one
 * launch per part, each writing the ids its rows hold. */
static enum clx_status gather_parts(struct cl_backend *b, struct clx_ctx *ctx,
				    const struct clx_graph *g, const struct clx_node *nd)
{
	const int table = clx_graph_root(g, nd->src[0]);
	const struct cl_split *sp = b->weight_split[table];
	const struct clx_tensor *x = &g->tensors[table];
	const int kid = b->weight_half[table] ? CL_KID_GATHER_HALF : CL_KID_GATHER;
	const int64_t n = clx_tensor_nelems(&g->tensors[nd->dst]), D = x->ne[1], V = x->ne[0];
	const int64_t per = (int64_t)(sp->part_bytes / sp->unit); /* rows per part */
	enum clx_status st = CLX_OK;
	for (int j = 0; j < sp->n && st == CLX_OK && n > 0; j++) {
		const int64_t v0 = j * per, rows = V - v0 < per ? V - v0 : per;
		struct cl_args a = args_begin(b, kid);
		cl_arg_mem(&a, sp->mem[j], 0);
		cl_arg_tensor(&a, b, g, nd->src[1]);
		cl_arg_tensor(&a, b, g, nd->dst);
		cl_arg_u32(&a, n);
		cl_arg_u32(&a, D);
		cl_arg_u32(&a, rows);
		cl_arg_u32(&a, v0);
		cl_arg_u32(&a, V);
		if ((st = cl_args_check(b, ctx, nd->name, &a)) == CLX_OK)
			st = cl_launch_items(b, ctx, nd, kid, n);
	}
	return st;
}

static enum clx_status op_items(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g,
				const struct clx_node *nd)
{
	const int64_t n = clx_tensor_nelems(&g->tensors[nd->dst]);
	const struct clx_tensor *x = TN(0);
	int kid, n_src = 1, n_ex = 0;
	bool pass_n = true;
	int64_t ex[4], run = 0; /* run > 0: a row kernel over n / run runs of run values */
	switch (nd->op) {
	case CLX_OP_QUICK_GELU:
		kid = CL_KID_QUICK_GELU;
		break;
	case CLX_OP_GELU:
		kid = CL_KID_GELU;
		break;
	case CLX_OP_EXP:
		kid = CL_KID_EXP;
		break;
	case CLX_OP_ADD:
	case CLX_OP_MUL:
		kid = nd->op == CLX_OP_ADD ? CL_KID_ADD : CL_KID_MUL;
		n_src = 2;
		ex[n_ex++] = clx_tensor_nelems(TN(1));
		break;
	case CLX_OP_GATHER:
		if (b->weight_split[clx_graph_root(g, nd->src[0])])
			return gather_parts(b, ctx, g, nd);
		kid = b->weight_half[clx_graph_root(g, nd->src[0])] ? CL_KID_GATHER_HALF : CL_KID_GATHER;
		n_src = 2;
		ex[n_ex++] = x->ne[1];
		ex[n_ex++] = x->ne[0];
		ex[n_ex++] = 0;        /* v0: the whole table */
		ex[n_ex++] = x->ne[0];
		break;
	case CLX_OP_CONCAT:
		kid = CL_KID_CONCAT;
		n_src = 2;
		run = TN(1)->ne[2];
		ex[n_ex++] = x->ne[0];
		ex[n_ex++] = x->ne[1];
		ex[n_ex++] = TN(1)->ne[1];
		ex[n_ex++] = TN(1)->ne[2];
		break;
	case CLX_OP_SLICE:
		kid = CL_KID_SLICE;
		run = x->ne[2];
		ex[n_ex++] = x->ne[1];
		ex[n_ex++] = x->ne[2];
		ex[n_ex++] = nd->iattr[0];
		ex[n_ex++] = nd->iattr[1];
		break;
	case CLX_OP_MEAN:
		kid = CL_KID_MEAN;
		ex[n_ex++] = x->ne[1];
		ex[n_ex++] = clx_tensor_nelems(x) / x->ne[0] / x->ne[1];
		break;
	case CLX_OP_PATCHIFY:
		kid = CL_KID_PATCHIFY;
		run = nd->iattr[0];
		ex[n_ex++] = x->ne[1];
		ex[n_ex++] = x->ne[2];
		ex[n_ex++] = x->ne[3];
		ex[n_ex++] = nd->iattr[0];
		break;
	case CLX_OP_POOL_ARGMAX:
		kid = CL_KID_POOL_ARGMAX;
		n_src = 2;
		ex[n_ex++] = x->ne[1];
		ex[n_ex++] = x->ne[2];
		ex[n_ex++] = nd->iattr[0] == 1; /* match iattr[1] instead of the maximum */
		ex[n_ex++] = nd->iattr[0] == 1 ? nd->iattr[1] : 0;
		break;
	case CLX_OP_REPEAT:
		kid = CL_KID_REPEAT;
		ex[n_ex++] = clx_tensor_nelems(x);
		break;
	case CLX_OP_TRANSPOSE:
		kid = CL_KID_TRANSPOSE;
		pass_n = false;
		ex[n_ex++] = x->ne[0];
		ex[n_ex++] = x->ne[1];
		break;
	default:
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: node '%s': op %s has no kernel",
				b->label, nd->name, clx_op_name(nd->op));
	}
	struct cl_args a = args_begin(b, kid);
	for (int i = 0; i < n_src; i++)
		cl_arg_tensor(&a, b, g, nd->src[i]);
	cl_arg_tensor(&a, b, g, nd->dst);
	if (pass_n)
		cl_arg_u32(&a, run ? n / run : n);
	for (int i = 0; i < n_ex; i++)
		cl_arg_u32(&a, ex[i]);
	enum clx_status st = cl_args_check(b, ctx, nd->name, &a);
	if (st != CLX_OK || n == 0)
		return st;
	if (!run)
		return cl_launch_items(b, ctx, nd, kid, n);
	/* one work-item per chunk of 16 values of a run (movement.cl) */
	const size_t chunks = ((size_t)run + 15) / 16;
	const size_t L = pick_wg(b, kid, pow2_ceil(chunks < 64 ? chunks : 64));
	return launch(b, ctx, nd, kid, (chunks + L - 1) / L, (size_t)(n / run), L, -1);
}

static enum clx_status op_l2_normalize(struct cl_backend *b, struct clx_ctx *ctx,
				       const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *x = TN(0);
	const int64_t D = x->ne[x->n_dims - 1], rows = clx_tensor_nelems(x) / D;
	struct cl_args a = args_begin(b, CL_KID_L2_NORMALIZE);
	cl_arg_tensor(&a, b, g, nd->src[0]);
	cl_arg_tensor(&a, b, g, nd->dst);
	cl_arg_u32(&a, D);
	return launch_rows(b, ctx, nd, CL_KID_L2_NORMALIZE, &a, rows, D);
}

#undef TN

/* ------------------------------------------------------------- windows */

int cl_window_operands(const struct clx_graph *g, int node, int ids[CLX_MAX_SRC + 1])
{
	const struct clx_node *nd = &g->nodes[node];
	const struct clx_tensor *y = &g->tensors[nd->dst];
	const int64_t outer = y->n_dims ? y->ne[0] : 0, per = outer ? clx_tensor_nelems(y) / outer : 0;
	bool win[CLX_MAX_SRC] = { false };
	switch (nd->op) {
	case CLX_OP_MATMUL: /* x and the residual; W and the bias are whole */
		if (nd->iattr[1])
			return 0;
		win[0] = true;
		win[nd->n_src - 1] = (nd->iattr[2] & CLX_MATMUL_RESIDUAL) != 0;
		break;
	case CLX_OP_LAYER_NORM:
	case CLX_OP_QUICK_GELU:
	case CLX_OP_GELU:
	case CLX_OP_EXP:
	case CLX_OP_L2_NORMALIZE:
	case CLX_OP_SLICE:
	case CLX_OP_PATCHIFY:
	case CLX_OP_MEAN:
		win[0] = true;
		break;
	case CLX_OP_CONCAT: /* a broadcast a (1, Sa, D) is whole */
		win[0] = g->tensors[nd->src[0]].ne[0] != 1;
		win[1] = true;
		break;
	case CLX_OP_GATHER: /* the ids; the table is whole */
	case CLX_OP_POOL_ARGMAX: /* x and its ids */
		win[1] = true;
		win[0] = nd->op == CLX_OP_POOL_ARGMAX;
		break;
	case CLX_OP_REPEAT: /* copies of a whole x */
		break;
	case CLX_OP_ADD:
	case CLX_OP_MUL: /* b repeats over a: whole, if it repeats within each slice */
		win[0] = true;
		win[1] = clx_tensor_nelems(&g->tensors[nd->src[1]]) == clx_tensor_nelems(y);
		if (!win[1] && (!clx_tensor_nelems(&g->tensors[nd->src[1]]) ||
				per % clx_tensor_nelems(&g->tensors[nd->src[1]]) != 0))
			return 0;
		break;
	case CLX_OP_ATTENTION: /* q, k, v (and the mask) per batch row */
		for (int s = 0; s < nd->n_src; s++)
			win[s] = true;
		break;
	default:
		return 0;
	}
	if (outer < 2 || y->kind == CLX_TENSOR_VIEW)
		return 0;
	int n = 0;
	ids[n++] = nd->dst;
	for (int s = 0; s < nd->n_src; s++) {
		const struct clx_tensor *x = &g->tensors[nd->src[s]];
		if (!win[s])
			continue;
		if (!x->n_dims || x->ne[0] != outer)
			return 0;
		ids[n++] = nd->src[s];
	}
	return n;
}

static enum clx_status run_one(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g,
			       int node);

/* Node over tensors held in parts: one run per window of outer slices that
 * lies inside one part of each, on b->win_tensors (the graph's tensors with
 * the windowed ones' outer sizes cut to the window's) and their addresses
 * at the window's first slice (cl_addr_of reads b->win_addr). */
static enum clx_status run_windows(struct cl_backend *b, struct clx_ctx *ctx,
				   const struct clx_graph *g, int node, const int *ids, int n)
{
	struct clx_graph sh = *g;
	sh.tensors = b->win_tensors;
	const int64_t outer = g->tensors[g->nodes[node].dst].ne[0];
	enum clx_status st = CLX_OK;
	for (int64_t u0 = 0, u1; u0 < outer && st == CLX_OK; u0 = u1) {
		u1 = outer;
		for (int i = 0; i < n; i++) {
			const int64_t per = cl_part_units(b, g, ids[i]);
			if (per && (u0 / per + 1) * per < u1)
				u1 = (u0 / per + 1) * per;
		}
		for (int i = 0; i < n; i++) {
			b->win_ids[i] = ids[i];
			b->win_addr[i] = cl_unit_addr(b, g, ids[i], u0);
			b->win_tensors[ids[i]].ne[0] = u1 - u0;
		}
		b->n_win = n;
		st = run_one(b, ctx, &sh, node);
		b->n_win = 0;
		for (int i = 0; i < n; i++)
			b->win_tensors[ids[i]].ne[0] = outer;
	}
	return st;
}

/* ------------------------------------------------------------- dispatch */

enum clx_status cl_ops_run(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g,
			   int node)
{
	b->cur_node = node;
	int ids[CLX_MAX_SRC + 1];
	const int n = b->win_tensors ? cl_window_operands(g, node, ids) : 0;
	bool parts = false;
	for (int i = 0; i < n; i++)
		parts |= cl_part_units(b, g, ids[i]) > 0;
	return parts ? run_windows(b, ctx, g, node, ids, n) : run_one(b, ctx, g, node);
}

static enum clx_status run_one(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g,
			       int node)
{
	const struct clx_node *nd = &g->nodes[node];
	switch (nd->op) {
	case CLX_OP_MATMUL: return cl_gemm_node_run(b, ctx, g, node);
	case CLX_OP_LAYER_NORM: return op_layer_norm(b, ctx, g, nd);
	case CLX_OP_ATTENTION: return op_attention(b, ctx, g, nd);
	case CLX_OP_L2_NORMALIZE: return op_l2_normalize(b, ctx, g, nd);
	case CLX_OP_QUICK_GELU:
	case CLX_OP_GELU:
	case CLX_OP_EXP:
	case CLX_OP_ADD:
	case CLX_OP_MUL:
	case CLX_OP_GATHER:
	case CLX_OP_CONCAT:
	case CLX_OP_SLICE:
	case CLX_OP_MEAN:
	case CLX_OP_PATCHIFY:
	case CLX_OP_POOL_ARGMAX:
	case CLX_OP_REPEAT:
	case CLX_OP_TRANSPOSE: return op_items(b, ctx, g, nd);
	case CLX_OP_COUNT:
	default:
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: node '%s' has unknown op %d", b->label,
				nd->name, (int)nd->op);
	}
}

void cl_ops_node_impl(const struct clx_backend *be, const struct clx_graph *g, int node, char *buf,
		      size_t cap)
{
	const struct cl_backend *b = cl_of(be);
	if (!b->node_kernel)
		return;
	if (g->nodes[node].op == CLX_OP_MATMUL && b->gemm)
		cl_gemm_describe(b, g, node, buf, cap);
	else if (b->node_kernel[node] >= 0)
		snprintf(buf, cap, "%s", cl_kernel_names[b->node_kernel[node]]);
}
