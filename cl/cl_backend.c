/* cl_backend.c — the OpenCL backend (struct clx_backend_i): one device, one
 * context, one in-order queue; every graph op as a kernel from
 * cl/kernels/, matmuls through the GEMM dispatcher (cl_gemm.c).
 *
 * Memory: weights are uploaded once and stay resident, cached by their
 * host pointer (plus size and a sampled fingerprint of the data), so
 * preparing another graph of the same model uploads nothing. The
 * scheduler's planned arena is ONE buffer; a tensor is (buffer, byte
 * offset) and kernels take the buffer and an element offset as separate
 * arguments — no sub-buffers, so CL_DEVICE_MEM_BASE_ADDR_ALIGN never
 * constrains the planner's offsets. Inputs have a buffer each. Host
 * transfers happen only in set_tensor / get_tensor and for weights at
 * prepare. A buffer over CL_DEVICE_MAX_MEM_ALLOC_SIZE is refused with the
 * sizes; an allocation failure evicts cached weights the graph does not
 * use and retries once.
 *
 * Failures: errors by name (clw.h). CL_OUT_OF_RESOURCES or
 * CL_INVALID_WORK_GROUP_SIZE at a launch retries once with half the
 * work-group. An asynchronous failure (clFinish, a blocking read) poisons
 * the backend: the queue is released and every later call fails with the
 * first error; free() still releases everything.
 *
 * CLX_CHECK_RESULTS=1 runs every node on the CPU reference too, from the
 * device's own inputs to that node, and fails on the first node whose
 * result differs beyond docs/NUMERICS.md's NMSE thresholds.
 *
 * Not here: several devices, concurrent queues, fp16. */
#include "cl_internal.h"

#include <clblast_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cl_kernel_names[K_COUNT] = {
	[K_QUICK_GELU] = "quick_gelu", [K_EXP] = "exp_f32",         [K_ADD] = "add_f32",
	[K_MUL] = "mul_f32",           [K_LAYER_NORM] = "layer_norm", [K_ATTENTION] = "attention",
	[K_GATHER] = "gather",         [K_CONCAT] = "concat",         [K_SLICE] = "slice_rows",
	[K_PATCHIFY] = "patchify",     [K_POOL_ARGMAX] = "pool_argmax", [K_REPEAT] = "repeat",
	[K_TRANSPOSE] = "transpose",   [K_MEAN] = "mean_axis1",       [K_L2_NORMALIZE] = "l2_normalize",
};

struct clx_backend_cl {
	struct clbe b;
	char label[300];
	/* CLX_CHECK_RESULTS */
	struct clx_backend *check_cpu;
	bool check;
	/* profiling (set_profiling / node_times, see "profiling" below) */
	bool profiling;
	cl_event gate;               /* user event holding the queue during a run */
	cl_event gate_marker;        /* marker behind the gate: the run's device start */
	cl_event *node_end;          /* per node id: marker after the node's commands */
	int *run_order;              /* node ids in the order they ran */
	int n_run, node_cap;
};

static void ungate(struct clx_backend_cl *c);
static void release_profile_events(struct clx_backend_cl *c);
static enum clx_status profile_begin(struct clx_backend_cl *c, struct clx_ctx *ctx, int node,
				     int n_nodes);
static enum clx_status profile_end(struct clx_backend_cl *c, struct clx_ctx *ctx, int node);

static struct clbe *be_of(const struct clx_backend *be)
{
	return &((struct clx_backend_cl *)be->impl)->b;
}

const char *cl_be_label(const struct clbe *b)
{
	return ((const struct clx_backend_cl *)(const void *)b)->label;
}

static const struct clx_backend_i cl_iface;

bool clx_backend_is_cl(const struct clx_backend *be)
{
	return be && be->iface == &cl_iface;
}

/* ------------------------------------------------------------- failures */

static enum clx_status cl_err(struct clbe *b, struct clx_ctx *ctx, const char *what, cl_int err)
{
	enum clx_status st = err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_HOST_MEMORY
				     ? CLX_ERR_NOMEM
				     : CLX_ERR_DEVICE;
	return clx_fail(ctx, st, "%s: %s failed: %s (%d)", cl_be_label(b), what, clw_error_name(err),
			err);
}

/* An asynchronous failure: the queue may hold broken work, so it is
 * released and the backend refuses every later call. */
static enum clx_status poison(struct clbe *b, struct clx_ctx *ctx, const char *what, cl_int err)
{
	if (!b->poisoned) {
		b->poisoned = true;
		snprintf(b->poison_msg, sizeof b->poison_msg, "%s failed: %s (%d)", what,
			 clw_error_name(err), err);
		if (b->queue)
			clReleaseCommandQueue(b->queue);
		b->queue = NULL;
	}
	return clx_fail(ctx, CLX_ERR_DEVICE,
			"%s: %s; the device queue was released, create a new backend to continue",
			cl_be_label(b), b->poison_msg);
}

static enum clx_status check_alive(struct clbe *b, struct clx_ctx *ctx)
{
	if (!b->poisoned)
		return CLX_OK;
	return clx_fail(ctx, CLX_ERR_DEVICE, "%s: unusable after an earlier failure (%s)",
			cl_be_label(b), b->poison_msg);
}

/* ------------------------------------------------------------- buffers */

static double mib(size_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

static size_t device_bytes_used(const struct clbe *b)
{
	return b->stats.weight_bytes + b->stats.arena_bytes + b->stats.input_bytes +
	       b->stats.temp_bytes;
}

static void release_mem(cl_mem m)
{
	if (m) {
		clReleaseMemObject(m);
		clw_live_buffers--;
	}
}

/* Releases cached weights the graph being prepared does not use and, with
 * max_idle ≥ 0, only those idle for more than max_idle prepares. */
static void evict_weights(struct clbe *b, int max_idle)
{
	int j = 0;
	for (int i = 0; i < b->n_weights; i++) {
		if (b->weights[i].used || (max_idle >= 0 && b->weights[i].idle <= max_idle)) {
			b->weights[j++] = b->weights[i];
			continue;
		}
		release_mem(b->weights[i].mem);
		b->stats.weight_bytes -= b->weights[i].bytes;
	}
	b->n_weights = j;
}

static bool is_alloc_failure(cl_int err)
{
	return err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES ||
	       err == CL_OUT_OF_HOST_MEMORY;
}

/* A device buffer of `bytes` (optionally filled from host), refusing sizes
 * over the device's allocation limit; on an allocation failure, evicts
 * unused cached weights and retries once. */
static enum clx_status alloc_buffer(struct clbe *b, struct clx_ctx *ctx, const char *what,
				    size_t bytes, cl_mem_flags flags, const void *host, cl_mem *out)
{
	*out = NULL;
	if (bytes == 0)
		bytes = 4;
	if (bytes > b->dev.info.max_alloc)
		return clx_fail(ctx, CLX_ERR_NOMEM,
				"%s: %s needs one buffer of %zu bytes (%.1f MiB), over this device's "
				"CL_DEVICE_MAX_MEM_ALLOC_SIZE of %llu bytes (%.1f MiB); use a smaller batch",
				cl_be_label(b), what, bytes, mib(bytes),
				(unsigned long long)b->dev.info.max_alloc, mib(b->dev.info.max_alloc));
	cl_int err = CL_SUCCESS;
	for (int attempt = 0; attempt < 2; attempt++) {
		cl_mem m = CLW_CREATE(clCreateBuffer, &err, b->context, flags, bytes, NULL);
		if (m && err == CL_SUCCESS && host)
			err = CLW(clEnqueueWriteBuffer, b->queue, m, CL_TRUE, 0, bytes, host, 0, NULL, NULL);
		if (m)
			clw_live_buffers++;
		if (m && err == CL_SUCCESS) {
			*out = m;
			if (host)
				b->stats.bytes_uploaded += bytes;
			return CLX_OK;
		}
		if (m)
			release_mem(m);
		if (!is_alloc_failure(err) || attempt == 1)
			break;
		evict_weights(b, -1);
	}
	return clx_fail(ctx, is_alloc_failure(err) ? CLX_ERR_NOMEM : CLX_ERR_DEVICE,
			"%s: cannot allocate %s: %s (%d); requested %.1f MiB, %.1f MiB already in use, "
			"device global memory %.1f MiB, max single allocation %.1f MiB",
			cl_be_label(b), what, clw_error_name(err), err, mib(bytes),
			mib(device_bytes_used(b)), mib(b->dev.info.global_mem),
			mib(b->dev.info.max_alloc));
}

/* A cheap fingerprint of weight data: size and 64 sampled words. It tells
 * a different tensor at a reused host address from the cached one. */
static uint64_t fingerprint(const float *p, size_t bytes)
{
	uint64_t h = 0xcbf29ce484222325ull ^ bytes;
	const size_t n = bytes / sizeof(float);
	for (size_t i = 0; i < 64 && n > 0; i++) {
		uint32_t w;
		memcpy(&w, p + (n - 1) * i / 63, sizeof w);
		for (int k = 0; k < 4; k++) {
			h ^= (w >> (8 * k)) & 0xff;
			h *= 0x100000001b3ull;
		}
	}
	return h;
}

/* The resident copy of weight tensor t, uploaded if needed. */
static enum clx_status weight_resident(struct clbe *b, struct clx_ctx *ctx,
				       const struct clx_tensor *t, cl_mem *out)
{
	const size_t bytes = clx_tensor_nbytes(t);
	const uint64_t fp = fingerprint(t->host, bytes);
	for (int i = 0; i < b->n_weights; i++) {
		struct cl_weight *w = &b->weights[i];
		if (w->host == t->host && w->bytes == bytes && w->fingerprint == fp) {
			w->used = true;
			*out = w->mem;
			return CLX_OK;
		}
	}
	if (b->n_weights == b->cap_weights) {
		int cap = b->cap_weights ? 2 * b->cap_weights : 64;
		struct cl_weight *nw = clx_realloc(b->weights, (size_t)cap * sizeof *nw);
		if (!nw)
			return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", cl_be_label(b));
		b->weights = nw;
		b->cap_weights = cap;
	}
	char what[CLX_MAX_NAME + 16];
	snprintf(what, sizeof what, "weight '%s'", t->name);
	cl_mem m;
	enum clx_status st = alloc_buffer(b, ctx, what, bytes, CL_MEM_READ_ONLY, t->host, &m);
	if (st != CLX_OK)
		return st;
	/* The device has its copy (the write was blocking): on a CPU device it
	 * lives in host memory, so keeping the file's pages too would double
	 * the resident weights. */
	if (t->host_mapped)
		clx_drop_mapped_pages(t->host, bytes);
	b->weights[b->n_weights] = (struct cl_weight){ t->host, bytes, fp, m, true, 0 };
	*out = m;
	b->n_weights++;
	b->stats.weight_bytes += bytes;
	b->stats.weight_uploads++;
	return CLX_OK;
}

static void release_graph_buffers(struct clbe *b)
{
	if (b->arena)
		release_mem(b->arena);
	b->arena = NULL;
	b->arena_bytes = 0;
	b->stats.arena_bytes = 0;
	if (b->inputs)
		for (int i = 0; i < b->n_inputs_cap; i++)
			if (b->inputs[i])
				release_mem(b->inputs[i]);
	clx_free(b->inputs);
	b->inputs = NULL;
	b->n_inputs_cap = 0;
	b->stats.input_bytes = 0;
	clx_free(b->weight_mem);
	b->weight_mem = NULL;
	if (b->gemm_temp)
		release_mem(b->gemm_temp);
	b->gemm_temp = NULL;
	b->gemm_temp_bytes = 0;
	b->stats.temp_bytes = 0;
}

/* Where tensor t lives on the device. */
static struct cl_addr addr(const struct clbe *b, const struct clx_graph *g, int t)
{
	const struct clx_tensor *x = &g->tensors[t];
	struct cl_addr a = { NULL, 0 };
	switch (x->kind) {
	case CLX_TENSOR_WEIGHT: a.mem = b->weight_mem[t]; break;
	case CLX_TENSOR_INPUT: a.mem = b->inputs[t]; break;
	case CLX_TENSOR_ACT: a.mem = b->arena, a.offs = x->offs; break;
	case CLX_TENSOR_VIEW:
		a = addr(b, g, x->view_src);
		a.offs += x->view_offs;
		break;
	}
	return a;
}

/* ------------------------------------------------------------- launches */

struct args {
	cl_kernel k;
	cl_uint i;
	cl_int err;
	cl_uint err_at;
};

static void arg(struct args *a, size_t size, const void *v)
{
	if (a->err == CL_SUCCESS) {
		a->err = CLW(clSetKernelArg, a->k, a->i, size, v);
		a->err_at = a->i;
	}
	a->i++;
}

static void arg_t(struct args *a, const struct clbe *b, const struct clx_graph *g, int t)
{
	struct cl_addr ad = addr(b, g, t);
	cl_ulong off = ad.offs / 4; /* element offset; prepare checked alignment */
	arg(a, sizeof ad.mem, &ad.mem);
	arg(a, sizeof off, &off);
}

static void arg_u(struct args *a, int64_t v)
{
	cl_uint u = (cl_uint)v;
	arg(a, sizeof u, &u);
}

static void arg_f(struct args *a, float v)
{
	cl_float f = v;
	arg(a, sizeof f, &f);
}

static struct args args_begin(struct clbe *b, int kid)
{
	return (struct args){ b->kernels[kid], 0, CL_SUCCESS, 0 };
}

static enum clx_status args_check(struct clbe *b, struct clx_ctx *ctx, const struct clx_node *nd,
				  int kid, const struct args *a)
{
	if (a->err == CL_SUCCESS)
		return CLX_OK;
	return clx_fail(ctx, CLX_ERR_DEVICE, "%s: clSetKernelArg(%s, %u) for node '%s' failed: %s (%d)",
			cl_be_label(b), cl_kernel_names[kid], a->err_at, nd->name,
			clw_error_name(a->err), a->err);
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
static size_t pick_wg(const struct clbe *b, int kid, size_t want)
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
static enum clx_status launch(struct clbe *b, struct clx_ctx *ctx, const struct clx_node *nd,
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
			return CLX_OK;
		}
		if (!retryable(err) || L == 1 || attempt == 1)
			break;
		/* row kernels keep L a power of two; item kernels cover g0·L
		 * items, so halving L doubles the groups */
		if (red_arg < 0)
			g0 *= 2;
		L /= 2;
	}
	return clx_fail(ctx, CLX_ERR_DEVICE,
			"%s: launching kernel %s for node '%s' failed: %s (%d) (work-group %zu, "
			"after one retry with a smaller work-group where allowed)",
			cl_be_label(b), cl_kernel_names[kid], nd->name, clw_error_name(err), err, L);
}

/* One work-item per element of n: groups of up to 64, n rounded up. */
static enum clx_status launch_items(struct clbe *b, struct clx_ctx *ctx, const struct clx_node *nd,
				    int kid, int64_t n)
{
	const size_t L = pick_wg(b, kid, 64);
	const size_t groups = ((size_t)n + L - 1) / L;
	return launch(b, ctx, nd, kid, groups, 1, L, -1);
}

/* --------------------------------------------------------------- ops */

#define TN(i) (&g->tensors[nd->src[i]])

static enum clx_status op_matmul(struct clbe *b, struct clx_ctx *ctx, const struct clx_graph *g,
				 const struct clx_node *nd)
{
	const struct clx_tensor *x = TN(0), *w = TN(1);
	const bool w_kn = nd->iattr[0] != 0, batched = nd->iattr[1] != 0;
	const int64_t K = x->ne[x->n_dims - 1];
	const int64_t Bt = batched ? x->ne[0] : 1;
	const int64_t N = w_kn ? w->ne[w->n_dims - 1] : clx_tensor_nelems(w) / K / Bt;
	const int64_t M = clx_tensor_nelems(x) / K / Bt;
	if (M == 0 || N == 0)
		return CLX_OK;
	struct cl_addr A = addr(b, g, nd->src[0]), W = addr(b, g, nd->src[1]), C = addr(b, g, nd->dst);
	struct cl_gemm gm = {
		.node = nd->name, .M = (size_t)M, .N = (size_t)N, .K = (size_t)K, .batch = (size_t)Bt,
		.b_trans = !w_kn, .a = A.mem, .b = W.mem, .c = C.mem,
		.a_off = A.offs / 4, .b_off = W.offs / 4, .c_off = C.offs / 4,
		.lda = (size_t)K, .ldb = w_kn ? (size_t)N : (size_t)K, .ldc = (size_t)N,
		.a_stride = (size_t)(M * K), .b_stride = (size_t)(N * K), .c_stride = (size_t)(M * N),
	};
	enum clx_status st = cl_gemm_run(b, ctx, &gm);
	if (st != CLX_OK || nd->n_src < 3)
		return st;
	/* + bias, in place: y = y + bias[i mod N] */
	struct args a = args_begin(b, K_ADD);
	arg_t(&a, b, g, nd->dst);
	arg_t(&a, b, g, nd->src[2]);
	arg_t(&a, b, g, nd->dst);
	arg_u(&a, M * N * Bt);
	arg_u(&a, N);
	if ((st = args_check(b, ctx, nd, K_ADD, &a)) != CLX_OK)
		return st;
	return launch_items(b, ctx, nd, K_ADD, M * N * Bt);
}

static enum clx_status op_layer_norm(struct clbe *b, struct clx_ctx *ctx, const struct clx_graph *g,
				     const struct clx_node *nd)
{
	const struct clx_tensor *x = TN(0);
	const int64_t D = x->ne[x->n_dims - 1], rows = clx_tensor_nelems(x) / D;
	struct args a = args_begin(b, K_LAYER_NORM);
	arg_t(&a, b, g, nd->src[0]);
	arg_t(&a, b, g, nd->src[1]);
	arg_t(&a, b, g, nd->src[2]);
	arg_t(&a, b, g, nd->dst);
	arg_u(&a, D);
	arg_f(&a, nd->fattr[0]);
	enum clx_status st = args_check(b, ctx, nd, K_LAYER_NORM, &a);
	if (st != CLX_OK || rows == 0)
		return st;
	return launch(b, ctx, nd, K_LAYER_NORM, (size_t)rows, 1,
		      pick_wg(b, K_LAYER_NORM, pow2_ceil(D < 256 ? (size_t)D : 256)), (int)a.i);
}

static enum clx_status op_attention(struct clbe *b, struct clx_ctx *ctx, const struct clx_graph *g,
				    const struct clx_node *nd)
{
	const struct clx_tensor *q = TN(0), *k = TN(1);
	const int64_t n = q->ne[0], Sq = q->ne[1], Sk = k->ne[1], H = nd->iattr[0];
	const int64_t dh = q->ne[2] / H;
	const bool has_mask = nd->n_src > 3;
	size_t L = pick_wg(b, K_ATTENTION, pow2_ceil((size_t)(Sk > dh ? Sk : dh)));
	if (L > 128)
		L = 128;
	const size_t local_bytes = ((size_t)Sk + L) * sizeof(float);
	if (local_bytes > b->dev.info.local_mem)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED,
				"%s: attention '%s' over %lld keys needs %zu bytes of local memory; the "
				"device has %llu",
				cl_be_label(b), nd->name, (long long)Sk, local_bytes,
				(unsigned long long)b->dev.info.local_mem);
	struct args a = args_begin(b, K_ATTENTION);
	arg_t(&a, b, g, nd->src[0]);
	arg_t(&a, b, g, nd->src[1]);
	arg_t(&a, b, g, nd->src[2]);
	arg_t(&a, b, g, has_mask ? nd->src[3] : nd->src[0]); /* any buffer when unmasked */
	arg_u(&a, has_mask);
	arg_t(&a, b, g, nd->dst);
	arg_u(&a, Sq);
	arg_u(&a, Sk);
	arg_u(&a, H);
	arg_u(&a, dh);
	arg_u(&a, nd->iattr[1] != 0);
	arg_f(&a, nd->fattr[0]);
	arg(&a, (size_t)Sk * sizeof(float), NULL); /* s: scores of one query row */
	enum clx_status st = args_check(b, ctx, nd, K_ATTENTION, &a);
	if (st != CLX_OK || n * Sq * H == 0)
		return st;
	return launch(b, ctx, nd, K_ATTENTION, (size_t)Sq, (size_t)(n * H), L, (int)a.i);
}

static enum clx_status op_items(struct clbe *b, struct clx_ctx *ctx, const struct clx_graph *g,
				const struct clx_node *nd)
{
	const int64_t n = clx_tensor_nelems(&g->tensors[nd->dst]);
	int kid;
	struct args a;
	switch (nd->op) {
	case CLX_OP_QUICK_GELU:
	case CLX_OP_EXP:
		kid = nd->op == CLX_OP_QUICK_GELU ? K_QUICK_GELU : K_EXP;
		a = args_begin(b, kid);
		arg_t(&a, b, g, nd->src[0]);
		arg_t(&a, b, g, nd->dst);
		arg_u(&a, n);
		break;
	case CLX_OP_ADD:
	case CLX_OP_MUL:
		kid = nd->op == CLX_OP_ADD ? K_ADD : K_MUL;
		a = args_begin(b, kid);
		arg_t(&a, b, g, nd->src[0]);
		arg_t(&a, b, g, nd->src[1]);
		arg_t(&a, b, g, nd->dst);
		arg_u(&a, n);
		arg_u(&a, clx_tensor_nelems(TN(1)));
		break;
	case CLX_OP_GATHER:
		kid = K_GATHER;
		a = args_begin(b, kid);
		arg_t(&a, b, g, nd->src[0]);
		arg_t(&a, b, g, nd->src[1]);
		arg_t(&a, b, g, nd->dst);
		arg_u(&a, n);
		arg_u(&a, TN(0)->ne[1]);
		arg_u(&a, TN(0)->ne[0]);
		break;
	case CLX_OP_CONCAT:
		kid = K_CONCAT;
		a = args_begin(b, kid);
		arg_t(&a, b, g, nd->src[0]);
		arg_t(&a, b, g, nd->src[1]);
		arg_t(&a, b, g, nd->dst);
		arg_u(&a, n);
		arg_u(&a, TN(0)->ne[0]);
		arg_u(&a, TN(0)->ne[1]);
		arg_u(&a, TN(1)->ne[1]);
		arg_u(&a, TN(1)->ne[2]);
		break;
	case CLX_OP_SLICE:
		kid = K_SLICE;
		a = args_begin(b, kid);
		arg_t(&a, b, g, nd->src[0]);
		arg_t(&a, b, g, nd->dst);
		arg_u(&a, n);
		arg_u(&a, TN(0)->ne[1]);
		arg_u(&a, TN(0)->ne[2]);
		arg_u(&a, nd->iattr[0]);
		arg_u(&a, nd->iattr[1]);
		break;
	case CLX_OP_MEAN: {
		const struct clx_tensor *x = TN(0);
		kid = K_MEAN;
		a = args_begin(b, kid);
		arg_t(&a, b, g, nd->src[0]);
		arg_t(&a, b, g, nd->dst);
		arg_u(&a, n);
		arg_u(&a, x->ne[1]);
		arg_u(&a, clx_tensor_nelems(x) / x->ne[0] / x->ne[1]);
		break;
	}
	case CLX_OP_PATCHIFY:
		kid = K_PATCHIFY;
		a = args_begin(b, kid);
		arg_t(&a, b, g, nd->src[0]);
		arg_t(&a, b, g, nd->dst);
		arg_u(&a, n);
		arg_u(&a, TN(0)->ne[1]);
		arg_u(&a, TN(0)->ne[2]);
		arg_u(&a, TN(0)->ne[3]);
		arg_u(&a, nd->iattr[0]);
		break;
	case CLX_OP_POOL_ARGMAX:
		kid = K_POOL_ARGMAX;
		a = args_begin(b, kid);
		arg_t(&a, b, g, nd->src[0]);
		arg_t(&a, b, g, nd->src[1]);
		arg_t(&a, b, g, nd->dst);
		arg_u(&a, n);
		arg_u(&a, TN(0)->ne[1]);
		arg_u(&a, TN(0)->ne[2]);
		break;
	case CLX_OP_REPEAT:
		kid = K_REPEAT;
		a = args_begin(b, kid);
		arg_t(&a, b, g, nd->src[0]);
		arg_t(&a, b, g, nd->dst);
		arg_u(&a, n);
		arg_u(&a, clx_tensor_nelems(TN(0)));
		break;
	case CLX_OP_TRANSPOSE:
		kid = K_TRANSPOSE;
		a = args_begin(b, kid);
		arg_t(&a, b, g, nd->src[0]);
		arg_t(&a, b, g, nd->dst);
		arg_u(&a, TN(0)->ne[0]);
		arg_u(&a, TN(0)->ne[1]);
		break;
	default:
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: node '%s': op %s has no kernel",
				cl_be_label(b), nd->name, clx_op_name(nd->op));
	}
	enum clx_status st = args_check(b, ctx, nd, kid, &a);
	if (st != CLX_OK || n == 0)
		return st;
	return launch_items(b, ctx, nd, kid, n);
}

static enum clx_status op_l2_normalize(struct clbe *b, struct clx_ctx *ctx,
				       const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *x = TN(0);
	const int64_t D = x->ne[x->n_dims - 1], rows = clx_tensor_nelems(x) / D;
	struct args a = args_begin(b, K_L2_NORMALIZE);
	arg_t(&a, b, g, nd->src[0]);
	arg_t(&a, b, g, nd->dst);
	arg_u(&a, D);
	enum clx_status st = args_check(b, ctx, nd, K_L2_NORMALIZE, &a);
	if (st != CLX_OK || rows == 0)
		return st;
	return launch(b, ctx, nd, K_L2_NORMALIZE, (size_t)rows, 1,
		      pick_wg(b, K_L2_NORMALIZE, pow2_ceil(D < 256 ? (size_t)D : 256)), (int)a.i);
}

#undef TN

/* Copies tensor t between host and device, blocking. A read also waits for
 * every kernel queued before it, so their failures show here. */
static enum clx_status copy_tensor(struct clbe *b, struct clx_ctx *ctx, const struct clx_graph *g,
				   int t, void *data, bool to_device)
{
	enum clx_status st = check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	const size_t bytes = clx_tensor_nbytes(&g->tensors[t]);
	struct cl_addr a = addr(b, g, t);
	if (!a.mem || bytes == 0)
		return bytes == 0 ? CLX_OK
				  : clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: tensor '%s' has no device buffer",
					     cl_be_label(b), g->tensors[t].name);
	cl_int err = to_device ? CLW(clEnqueueWriteBuffer, b->queue, a.mem, CL_TRUE, a.offs, bytes,
				     data, 0, NULL, NULL)
			       : CLW(clEnqueueReadBuffer, b->queue, a.mem, CL_TRUE, a.offs, bytes, data,
				     0, NULL, NULL);
	if (err != CL_SUCCESS)
		return poison(b, ctx, to_device ? "clEnqueueWriteBuffer" : "clEnqueueReadBuffer", err);
	if (to_device)
		b->stats.bytes_uploaded += bytes;
	else
		b->stats.bytes_downloaded += bytes;
	return CLX_OK;
}

/* ------------------------------------------------------- result checking */

/* CLX_CHECK_RESULTS: node `node` again on the CPU reference, from the
 * device's own values of its inputs, and compared by NMSE. */
static enum clx_status check_node(struct clx_backend_cl *c, struct clx_ctx *ctx,
				  const struct clx_graph *g, int node)
{
	struct clbe *b = &c->b;
	const struct clx_node *nd = &g->nodes[node];
	struct clx_backend *cpu = c->check_cpu;
	enum clx_status st = CLX_OK;
	float *got = NULL, *want = NULL;
	void *tmp = NULL;
	cl_int err = CLW(clFinish, b->queue);
	if (err != CL_SUCCESS)
		return poison(b, ctx, "clFinish", err);
	for (int s = 0; s < nd->n_src; s++) {
		const int t = nd->src[s];
		const int root = clx_graph_root(g, t);
		if (g->tensors[root].kind == CLX_TENSOR_WEIGHT)
			continue; /* the CPU reads the host copy */
		const size_t bytes = clx_tensor_nbytes(&g->tensors[t]);
		void *p = clx_realloc(tmp, bytes ? bytes : 1);
		if (!p) {
			st = clx_fail(ctx, CLX_ERR_NOMEM, "CLX_CHECK_RESULTS: out of memory");
			goto done;
		}
		tmp = p;
		if ((st = copy_tensor(b, ctx, g, t, tmp, false)) != CLX_OK)
			goto done;
		if ((st = cpu->iface->set_tensor(cpu, ctx, g, t, tmp)) != CLX_OK)
			goto done;
	}
	if ((st = cpu->iface->run_node(cpu, ctx, g, node)) != CLX_OK)
		goto done;
	const size_t n = (size_t)clx_tensor_nelems(&g->tensors[nd->dst]);
	got = clx_malloc(n * sizeof *got + 1);
	want = clx_malloc(n * sizeof *want + 1);
	if (!got || !want) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "CLX_CHECK_RESULTS: out of memory");
		goto done;
	}
	if ((st = copy_tensor(b, ctx, g, nd->dst, got, false)) != CLX_OK ||
	    (st = cpu->iface->get_tensor(cpu, ctx, g, nd->dst, want)) != CLX_OK)
		goto done;
	double se = 0, sw = 0;
	bool finite = true;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(got[i]) || !isfinite(want[i])) {
			finite = finite && isfinite(got[i]) == isfinite(want[i]);
			continue;
		}
		const double d = (double)got[i] - want[i];
		se += d * d;
		sw += (double)want[i] * want[i];
	}
	const double nmse = sw > 0 ? se / sw : se;
	const double tol = nd->op == CLX_OP_MATMUL ? 1e-7 : 1e-9;
	if (!finite || !(nmse <= tol))
		st = clx_fail(ctx, CLX_ERR_DEVICE,
			      "CLX_CHECK_RESULTS: %s: node '%s' (%s) differs from the CPU reference: "
			      "nmse %.3e > %.0e%s",
			      cl_be_label(b), nd->name, clx_op_name(nd->op), nmse, tol,
			      finite ? "" : " (non-finite values)");
done:
	clx_free(tmp);
	clx_free(got);
	clx_free(want);
	return st;
}

/* --------------------------------------------------------------- iface */

static const char *cl_name(struct clx_backend *be)
{
	return be_of(be)->dev.info.id;
}

static void cl_free(struct clx_backend *be)
{
	if (!be)
		return;
	struct clx_backend_cl *c = be->impl;
	if (c) {
		struct clbe *b = &c->b;
		ungate(c);
		if (b->queue)
			clFinish(b->queue);
		release_profile_events(c);
		clx_free(c->node_end);
		clx_free(c->run_order);
		release_graph_buffers(b);
		for (int i = 0; i < b->n_weights; i++)
			release_mem(b->weights[i].mem);
		clx_free(b->weights);
		for (int k = 0; k < K_COUNT; k++)
			if (b->kernels[k])
				clReleaseKernel(b->kernels[k]);
		if (b->program)
			clReleaseProgram(b->program);
		if (b->queue)
			clReleaseCommandQueue(b->queue);
		/* CLBlast caches programs per context: drop them before the context */
		if (b->context) {
			CLBlastClearCache();
			clReleaseContext(b->context);
		}
		clx_backend_free(c->check_cpu);
		clx_free(c);
	}
	clx_free(be);
}

static enum clx_status cl_prepare(struct clx_backend *be, struct clx_ctx *ctx,
				  const struct clx_graph *g, size_t arena_bytes)
{
	struct clx_backend_cl *c = be->impl;
	struct clbe *b = &c->b;
	enum clx_status st = check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	release_graph_buffers(b);
	for (int i = 0; i < b->n_weights; i++)
		b->weights[i].used = false;

	/* shapes the kernels can index: uint element counts, f32/i32, 4-byte offsets */
	for (int t = 0; t < g->n_tensors; t++) {
		const struct clx_tensor *x = &g->tensors[t];
		if (clx_tensor_nelems(x) >= (int64_t)UINT32_MAX)
			return clx_fail(ctx, CLX_ERR_UNSUPPORTED,
					"%s: tensor '%s' has %lld elements; kernels index up to 2^32 - 1",
					cl_be_label(b), x->name, (long long)clx_tensor_nelems(x));
		if (x->dtype != CLX_DTYPE_F32 && x->dtype != CLX_DTYPE_I32)
			return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: tensor '%s' has dtype %s",
					cl_be_label(b), x->name, clx_dtype_name(x->dtype));
		if ((x->kind == CLX_TENSOR_ACT && x->offs % 4) ||
		    (x->kind == CLX_TENSOR_VIEW && x->view_offs % 4))
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: tensor '%s' is not 4-byte aligned",
					cl_be_label(b), x->name);
	}

	b->inputs = clx_calloc((size_t)g->n_tensors + 1, sizeof *b->inputs);
	b->weight_mem = clx_calloc((size_t)g->n_tensors + 1, sizeof *b->weight_mem);
	if (!b->inputs || !b->weight_mem) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory preparing the graph", cl_be_label(b));
		goto fail;
	}
	b->n_inputs_cap = g->n_tensors;

	/* weights: resident, uploaded once */
	for (int t = 0; t < g->n_tensors; t++)
		if (g->tensors[t].kind == CLX_TENSOR_WEIGHT &&
		    (st = weight_resident(b, ctx, &g->tensors[t], &b->weight_mem[t])) != CLX_OK)
			goto fail;
	/* inputs */
	for (int t = 0; t < g->n_tensors; t++) {
		const struct clx_tensor *x = &g->tensors[t];
		if (x->kind != CLX_TENSOR_INPUT)
			continue;
		char what[CLX_MAX_NAME + 16];
		snprintf(what, sizeof what, "input '%s'", x->name);
		if ((st = alloc_buffer(b, ctx, what, clx_tensor_nbytes(x), CL_MEM_READ_ONLY, NULL,
				       &b->inputs[t])) != CLX_OK)
			goto fail;
		b->stats.input_bytes += clx_tensor_nbytes(x);
	}
	/* the activation arena: one buffer, tensors at the planner's offsets */
	if ((st = alloc_buffer(b, ctx, "the activation arena", arena_bytes, CL_MEM_READ_WRITE, NULL,
			       &b->arena)) != CLX_OK)
		goto fail;
	b->arena_bytes = arena_bytes;
	b->stats.arena_bytes = arena_bytes;

	/* the GEMM temp buffer, sized for the largest need of any matmul */
	size_t temp = 0;
	for (int i = 0; i < g->n_nodes; i++) {
		const struct clx_node *nd = &g->nodes[i];
		if (nd->op != CLX_OP_MATMUL)
			continue;
		const struct clx_tensor *x = &g->tensors[nd->src[0]], *w = &g->tensors[nd->src[1]];
		const bool w_kn = nd->iattr[0] != 0;
		const int64_t K = x->ne[x->n_dims - 1], Bt = nd->iattr[1] ? x->ne[0] : 1;
		const int64_t N = w_kn ? w->ne[w->n_dims - 1] : clx_tensor_nelems(w) / K / Bt;
		const int64_t M = clx_tensor_nelems(x) / K / Bt;
		if (M == 0 || N == 0 || K == 0)
			continue;
		struct cl_addr A = addr(b, g, nd->src[0]), W = addr(b, g, nd->src[1]);
		struct cl_addr C = addr(b, g, nd->dst);
		struct cl_gemm gm = {
			.node = nd->name, .M = (size_t)M, .N = (size_t)N, .K = (size_t)K,
			.batch = (size_t)Bt, .b_trans = !w_kn, .a_off = A.offs / 4, .b_off = W.offs / 4,
			.c_off = C.offs / 4, .lda = (size_t)K, .ldb = w_kn ? (size_t)N : (size_t)K,
			.ldc = (size_t)N,
		};
		size_t need = 0;
		if ((st = cl_gemm_temp_size(b, ctx, &gm, &need)) != CLX_OK)
			goto fail;
		if (need > temp)
			temp = need;
	}
	if (temp > 0) {
		if ((st = alloc_buffer(b, ctx, "the GEMM temp buffer", temp, CL_MEM_READ_WRITE, NULL,
				       &b->gemm_temp)) != CLX_OK)
			goto fail;
		b->gemm_temp_bytes = temp;
		b->stats.temp_bytes = temp;
	}
	for (int i = 0; i < b->n_weights; i++)
		b->weights[i].idle = b->weights[i].used ? 0 : b->weights[i].idle + 1;
	evict_weights(b, CL_WEIGHT_MAX_IDLE);
	b->stats.n_weights = b->n_weights;

	if (c->check) {
		if (!c->check_cpu && !(c->check_cpu = clx_backend_cpu_create(ctx))) {
			st = CLX_ERR_NOMEM;
			goto fail;
		}
		if ((st = c->check_cpu->iface->prepare(c->check_cpu, ctx, g, arena_bytes)) != CLX_OK)
			goto fail;
	}
	return CLX_OK;
fail:
	release_graph_buffers(b);
	return st;
}

static enum clx_status cl_set_tensor(struct clx_backend *be, struct clx_ctx *ctx,
				     const struct clx_graph *g, int t, const void *data)
{
	ungate(be->impl);
	return copy_tensor(be_of(be), ctx, g, t, (void *)data, true);
}

static enum clx_status cl_get_tensor(struct clx_backend *be, struct clx_ctx *ctx,
				     const struct clx_graph *g, int t, void *data)
{
	ungate(be->impl);
	return copy_tensor(be_of(be), ctx, g, t, data, false);
}

static enum clx_status cl_run_node(struct clx_backend *be, struct clx_ctx *ctx,
				   const struct clx_graph *g, int node)
{
	struct clx_backend_cl *c = be->impl;
	struct clbe *b = &c->b;
	enum clx_status st = check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	const struct clx_node *nd = &g->nodes[node];
	if (c->profiling && (st = profile_begin(c, ctx, node, g->n_nodes)) != CLX_OK)
		return st;
	switch (nd->op) {
	case CLX_OP_MATMUL: st = op_matmul(b, ctx, g, nd); break;
	case CLX_OP_LAYER_NORM: st = op_layer_norm(b, ctx, g, nd); break;
	case CLX_OP_ATTENTION: st = op_attention(b, ctx, g, nd); break;
	case CLX_OP_L2_NORMALIZE: st = op_l2_normalize(b, ctx, g, nd); break;
	case CLX_OP_QUICK_GELU:
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
	case CLX_OP_TRANSPOSE: st = op_items(b, ctx, g, nd); break;
	case CLX_OP_COUNT:
	default:
		ungate(c);
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: node '%s' has unknown op %d",
				cl_be_label(b), nd->name, (int)nd->op);
	}
	if (st == CLX_OK && c->profiling)
		st = profile_end(c, ctx, node);
	if (st != CLX_OK)
		ungate(c); /* the run stops here: let the queue drain */
	if (st == CLX_OK && c->check)
		st = check_node(c, ctx, g, node);
	return st;
}

static enum clx_status cl_synchronize(struct clx_backend *be, struct clx_ctx *ctx)
{
	struct clbe *b = be_of(be);
	ungate(be->impl);
	enum clx_status st = check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	cl_int err = CLW(clFinish, b->queue);
	if (err != CL_SUCCESS)
		return poison(b, ctx, "clFinish", err);
	return CLX_OK;
}

static bool cl_supports(struct clx_backend *be, const struct clx_graph *g, int node)
{
	const struct clx_node *nd = &g->nodes[node];
	return nd->op >= 0 && nd->op < CLX_OP_COUNT;
}

/* ------------------------------------------------------------ profiling */

/* With profiling on (clx-profile, docs/PROFILE.md) the queue has
 * CL_QUEUE_PROFILING_ENABLE and a run is gated: its first node enqueues a
 * marker behind a user event, so nothing executes until synchronize
 * releases it. The device then runs the whole graph back to back, and a
 * marker after each node's commands gives the node's device time as the
 * difference of consecutive markers' end times — every kernel of the node
 * included, whole CLBlast calls too (CLBlast's own event covers only its
 * last kernel), and no time the device spent waiting for the host. A
 * failed run, a transfer or free() releases the gate first. Not with
 * CLX_CHECK_RESULTS (its blocking reads would wait on the gate). */

static void release_profile_events(struct clx_backend_cl *c)
{
	if (c->gate_marker)
		clReleaseEvent(c->gate_marker);
	c->gate_marker = NULL;
	for (int i = 0; c->node_end && i < c->node_cap; i++)
		if (c->node_end[i]) {
			clReleaseEvent(c->node_end[i]);
			c->node_end[i] = NULL;
		}
	c->n_run = 0;
}

/* Lets a gated queue run. */
static void ungate(struct clx_backend_cl *c)
{
	if (!c->gate)
		return;
	clSetUserEventStatus(c->gate, CL_COMPLETE);
	clReleaseEvent(c->gate);
	c->gate = NULL;
}

/* Before a node: at the first node of a run, the gate. */
static enum clx_status profile_begin(struct clx_backend_cl *c, struct clx_ctx *ctx, int node,
				     int n_nodes)
{
	struct clbe *b = &c->b;
	if (node >= c->node_cap) {
		const int cap = n_nodes > node ? n_nodes : node + 1;
		cl_event *e = clx_realloc(c->node_end, (size_t)cap * sizeof *e);
		if (e)
			c->node_end = e;
		int *o = e ? clx_realloc(c->run_order, (size_t)cap * sizeof *o) : NULL;
		if (!e || !o)
			return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for profiling", cl_be_label(b));
		c->run_order = o;
		for (int i = c->node_cap; i < cap; i++)
			c->node_end[i] = NULL;
		c->node_cap = cap;
	}
	if (c->gate || c->check)
		return CLX_OK;
	release_profile_events(c);
	cl_int err;
	c->gate = clCreateUserEvent(b->context, &err);
	if (!c->gate)
		return cl_err(b, ctx, "clCreateUserEvent", err);
	err = clEnqueueMarkerWithWaitList(b->queue, 1, &c->gate, &c->gate_marker);
	if (err != CL_SUCCESS) {
		ungate(c);
		return cl_err(b, ctx, "clEnqueueMarkerWithWaitList", err);
	}
	return CLX_OK;
}

/* After a node: the marker that ends it. */
static enum clx_status profile_end(struct clx_backend_cl *c, struct clx_ctx *ctx, int node)
{
	if (c->node_end[node]) {
		clReleaseEvent(c->node_end[node]);
		c->node_end[node] = NULL;
	}
	cl_int err = clEnqueueMarkerWithWaitList(c->b.queue, 0, NULL, &c->node_end[node]);
	if (err != CL_SUCCESS)
		return cl_err(&c->b, ctx, "clEnqueueMarkerWithWaitList", err);
	if (c->n_run < c->node_cap)
		c->run_order[c->n_run++] = node;
	return CLX_OK;
}

static enum clx_status cl_set_profiling(struct clx_backend *be, struct clx_ctx *ctx, bool on)
{
	struct clx_backend_cl *c = be->impl;
	struct clbe *b = &c->b;
	enum clx_status st = check_alive(b, ctx);
	if (st != CLX_OK || on == c->profiling)
		return st;
	/* a queue with (or without) profiling replaces the idle one */
	ungate(c);
	release_profile_events(c);
	cl_int err = clFinish(b->queue);
	if (err != CL_SUCCESS)
		return poison(b, ctx, "clFinish", err);
	cl_command_queue q = CLW_CREATE(clCreateCommandQueue, &err, b->context, b->dev.device,
					on ? CL_QUEUE_PROFILING_ENABLE : 0);
	if (!q || err != CL_SUCCESS)
		return cl_err(b, ctx, "clCreateCommandQueue(CL_QUEUE_PROFILING_ENABLE)", err);
	clReleaseCommandQueue(b->queue);
	b->queue = q;
	c->profiling = on;
	return CLX_OK;
}

static enum clx_status cl_node_times(struct clx_backend *be, struct clx_ctx *ctx,
				     const struct clx_graph *g, double *ns)
{
	struct clx_backend_cl *c = be->impl;
	struct clbe *b = &c->b;
	if (!c->profiling || c->check || !c->gate_marker || c->gate)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"%s: no profiled run to report (profiling %s%s)", cl_be_label(b),
				c->profiling ? "on" : "off", c->check ? ", CLX_CHECK_RESULTS set" : "");
	for (int i = 0; i < g->n_nodes; i++)
		ns[i] = 0;
	cl_ulong prev = 0, first = 0;
	cl_int err = clGetEventProfilingInfo(c->gate_marker, CL_PROFILING_COMMAND_END, sizeof prev, &prev,
					     NULL);
	first = prev;
	for (int k = 0; k < c->n_run && err == CL_SUCCESS; k++) {
		const int node = c->run_order[k];
		cl_ulong end = 0;
		if (node >= g->n_nodes || !c->node_end[node])
			continue;
		err = clGetEventProfilingInfo(c->node_end[node], CL_PROFILING_COMMAND_END, sizeof end, &end,
					      NULL);
		if (err == CL_SUCCESS && end < prev)
			return clx_fail(ctx, CLX_ERR_DEVICE,
					"%s: the driver's profiling timestamps go backwards at node '%s'; "
					"per-node times are unavailable on this device",
					cl_be_label(b), g->nodes[node].name);
		ns[node] = (double)(end - prev);
		prev = end;
	}
	if (err != CL_SUCCESS)
		return cl_err(b, ctx, "clGetEventProfilingInfo", err);
	if (c->n_run > 0 && prev == first)
		return clx_fail(ctx, CLX_ERR_DEVICE,
				"%s: the driver's profiling timestamps do not advance; per-node times are "
				"unavailable on this device",
				cl_be_label(b));
	return CLX_OK;
}

/* Device memory held: resident weights, the arena, and inputs + GEMM temp. */
static void cl_memory(struct clx_backend *be, size_t *weights, size_t *activations, size_t *other)
{
	const struct clbe *b = be_of(be);
	*weights = b->stats.weight_bytes;
	*activations = b->stats.arena_bytes;
	*other = b->stats.input_bytes + b->stats.temp_bytes;
}

static const struct clx_backend_i cl_iface = {
	.name = cl_name,
	.free = cl_free,
	.prepare = cl_prepare,
	.set_tensor = cl_set_tensor,
	.get_tensor = cl_get_tensor,
	.run_node = cl_run_node,
	.synchronize = cl_synchronize,
	.supports = cl_supports,
	.set_profiling = cl_set_profiling,
	.node_times = cl_node_times,
	.memory = cl_memory,
};

/* --------------------------------------------------------------- create */

static enum clx_status open_device(struct clx_backend_cl *c, struct clx_ctx *ctx,
				   const struct cl_dev *dev)
{
	struct clbe *b = &c->b;
	b->dev = *dev;
	snprintf(c->label, sizeof c->label, "%s (%s)", dev->info.id, dev->info.name);
	cl_int err;
	const cl_context_properties props[] = { CL_CONTEXT_PLATFORM,
						(cl_context_properties)dev->platform, 0 };
	b->context = CLW_CREATE(clCreateContext, &err, props, 1, &dev->device, NULL, NULL);
	if (!b->context || err != CL_SUCCESS) {
		b->context = NULL;
		return cl_err(b, ctx, "clCreateContext", err);
	}
	b->queue = CLW_CREATE(clCreateCommandQueue, &err, b->context, dev->device, 0);
	if (!b->queue || err != CL_SUCCESS) {
		b->queue = NULL;
		return cl_err(b, ctx, "clCreateCommandQueue", err);
	}
	enum clx_status st = cl_program_build(ctx, dev, b->context, &b->program, &b->prog);
	if (st != CLX_OK)
		return st;
	b->stats.build_seconds = b->prog.seconds;
	b->stats.program_from_cache = b->prog.from_cache;
	b->stats.gemm_impl = cl_gemm_impl_name();
	b->stats.program_cacheable = b->prog.cacheable;
	for (int k = 0; k < K_COUNT; k++) {
		b->kernels[k] = CLW_CREATE(clCreateKernel, &err, b->program, cl_kernel_names[k]);
		if (!b->kernels[k] || err != CL_SUCCESS) {
			b->kernels[k] = NULL;
			char what[80];
			snprintf(what, sizeof what, "clCreateKernel(%s)", cl_kernel_names[k]);
			return cl_err(b, ctx, what, err);
		}
		size_t wg = 0;
		if (CLW(clGetKernelWorkGroupInfo, b->kernels[k], dev->device, CL_KERNEL_WORK_GROUP_SIZE,
			sizeof wg, &wg, NULL) != CL_SUCCESS ||
		    wg == 0)
			wg = 1;
		b->kernel_wg[k] = wg;
	}
	return CLX_OK;
}

enum clx_status clx_backend_cl_create(struct clx_ctx *ctx, const char *spec,
				      struct clx_backend **out)
{
	*out = NULL;
	struct cl_dev *devs = NULL;
	int n = 0;
	enum clx_status st = cl_enumerate(ctx, &devs, &n);
	if (st != CLX_OK)
		return st;
	struct clx_cl_device_info *infos = clx_calloc((size_t)n + 1, sizeof *infos);
	if (!infos) {
		clx_free(devs);
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory opening an OpenCL device");
	}
	for (int i = 0; i < n; i++)
		infos[i] = devs[i].info;
	const int pick = clx_cl_select(ctx, infos, n, spec);
	clx_free(infos);
	if (pick < 0) {
		clx_free(devs);
		return CLX_ERR_NOT_FOUND;
	}
	struct clx_backend *be = clx_calloc(1, sizeof *be);
	struct clx_backend_cl *c = clx_calloc(1, sizeof *c);
	if (!be || !c) {
		clx_free(devs);
		clx_free(be);
		clx_free(c);
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory opening an OpenCL device");
	}
	be->iface = &cl_iface;
	be->impl = c;
	const char *chk = getenv("CLX_CHECK_RESULTS");
	c->check = chk && *chk && strcmp(chk, "0") != 0;
	st = open_device(c, ctx, &devs[pick]);
	clx_free(devs);
	if (st != CLX_OK) {
		cl_free(be);
		return st;
	}
	*out = be;
	return CLX_OK;
}

/* ------------------------------------------------------------ reporting */

void clx_backend_cl_stats(const struct clx_backend *be, struct clx_cl_stats *out)
{
	memset(out, 0, sizeof *out);
	if (clx_backend_is_cl(be))
		*out = be_of(be)->stats;
}

const struct clx_cl_device_info *clx_backend_cl_device(const struct clx_backend *be)
{
	return clx_backend_is_cl(be) ? &be_of(be)->dev.info : NULL;
}

enum clx_status clx_backend_cl_arena_fill(struct clx_backend *be, struct clx_ctx *ctx, uint8_t byte)
{
	if (!clx_backend_is_cl(be))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "not an OpenCL backend");
	struct clbe *b = be_of(be);
	enum clx_status st = check_alive(b, ctx);
	if (st != CLX_OK || !b->arena)
		return st;
	const size_t n = b->arena_bytes ? b->arena_bytes : 4;
	uint8_t *tmp = clx_malloc(n);
	if (!tmp)
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory");
	memset(tmp, byte, n);
	cl_int err = CLW(clEnqueueWriteBuffer, b->queue, b->arena, CL_TRUE, 0, n, tmp, 0, NULL, NULL);
	clx_free(tmp);
	return err == CL_SUCCESS ? CLX_OK : poison(b, ctx, "clEnqueueWriteBuffer", err);
}

enum clx_status clx_backend_cl_arena_read(struct clx_backend *be, struct clx_ctx *ctx, size_t offs,
					  size_t bytes, void *dst)
{
	if (!clx_backend_is_cl(be))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "not an OpenCL backend");
	struct clbe *b = be_of(be);
	enum clx_status st = check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	if (!b->arena || offs > b->arena_bytes || bytes > b->arena_bytes - offs)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "arena read [%zu, +%zu) outside %zu bytes", offs,
				bytes, b->arena_bytes);
	cl_int err = CLW(clEnqueueReadBuffer, b->queue, b->arena, CL_TRUE, offs, bytes, dst, 0, NULL,
			 NULL);
	return err == CL_SUCCESS ? CLX_OK : poison(b, ctx, "clEnqueueReadBuffer", err);
}
