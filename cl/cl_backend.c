/* cl_backend.c — the OpenCL backend's interface table: opening a device
 * (context, in-order queue, program, kernels), the slots that glue the
 * other files together, stats, and the test hooks of clx/cl.h.
 *
 * Memory and transfers are cl_buffers.c, launches cl_ops.c, profiling
 * cl_profile.c, microbenchmarks cl_peak.c. Not here: several devices,
 * concurrent queues, fp16. */
#include "cl_internal.h"
#include "clx/sched.h"

#include <clblast_c.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const struct clx_backend_i cl_iface;

/* --------------------------------------------------------------- slots */

static const char *cl_name(const struct clx_backend *be)
{
	return cl_of(be)->dev.info.id;
}

static const struct clx_device_info *cl_device(const struct clx_backend *be)
{
	return &cl_of(be)->dev.info;
}

static void cl_free(struct clx_backend *be)
{
	if (!be)
		return;
	struct cl_backend *b = cl_of(be);
	if (b) {
		cl_profile_ungate(b);
		if (b->queue)
			clFinish(b->queue);
		cl_profile_free(b);
		cl_buffers_free(b);
		cl_gemm_free(b);
		for (int k = 0; k < CL_KID_COUNT; k++)
			if (b->kernels[k])
				clReleaseKernel(b->kernels[k]);
		for (int i = 0; i < b->n_programs; i++)
			clReleaseProgram(b->programs[i]);
		if (b->queue)
			clReleaseCommandQueue(b->queue);
		/* CLBlast caches programs per context: drop them before the context */
		if (b->context) {
			CLBlastClearCache();
			clReleaseContext(b->context);
		}
		clx_free(b);
	}
	clx_free(be);
}

static enum clx_status cl_prepare(struct clx_backend *be, struct clx_ctx *ctx,
				  const struct clx_graph *g, size_t arena_bytes)
{
	return cl_buffers_prepare(cl_of(be), ctx, g, arena_bytes);
}

static enum clx_status cl_set_tensor(struct clx_backend *be, struct clx_ctx *ctx,
				     const struct clx_graph *g, int t, const void *data)
{
	cl_profile_ungate(cl_of(be));
	return cl_copy_tensor(cl_of(be), ctx, g, t, (void *)data, true);
}

static enum clx_status cl_get_tensor(struct clx_backend *be, struct clx_ctx *ctx,
				     const struct clx_graph *g, int t, void *data)
{
	cl_profile_ungate(cl_of(be));
	return cl_copy_tensor(cl_of(be), ctx, g, t, data, false);
}

static enum clx_status cl_run_node(struct clx_backend *be, struct clx_ctx *ctx,
				   const struct clx_graph *g, int node)
{
	struct cl_backend *b = cl_of(be);
	enum clx_status st = cl_check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	if (b->profiling && (st = cl_profile_begin(b, ctx, node, g->n_nodes)) != CLX_OK)
		return st;
	st = cl_ops_run(b, ctx, g, node);
	if (st == CLX_OK && b->profiling)
		st = cl_profile_end(b, ctx, node);
	if (st != CLX_OK)
		cl_profile_ungate(b); /* the run stops here: let the queue drain */
	return st;
}

static enum clx_status cl_synchronize(struct clx_backend *be, struct clx_ctx *ctx)
{
	struct cl_backend *b = cl_of(be);
	cl_profile_ungate(b);
	enum clx_status st = cl_check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	cl_int err = CLW(clFinish, b->queue);
	if (err != CL_SUCCESS)
		return cl_poison(b, ctx, "clFinish", err);
	return CLX_OK;
}

/* Source s of node can be a weight held in parts within `max` bytes each:
 * the W of a non-batched matmul (panels of K · 128 floats at most), or the
 * table of a gather (rows), read directly (not through a view). */
static bool in_parts(const struct clx_graph *g, int node, int s, uint64_t max)
{
	const struct clx_node *nd = &g->nodes[node];
	if (s >= nd->n_src)
		return false;
	const struct clx_tensor *t = &g->tensors[nd->src[s]];
	const struct clx_tensor *r = &g->tensors[clx_graph_root(g, nd->src[s])];
	if (r->kind != CLX_TENSOR_WEIGHT)
		return false;
	if (nd->op == CLX_OP_MATMUL && s == 1) {
		const struct clx_matmul_dims d = clx_matmul_dims(g, node);
		return d.batch == 1 && (uint64_t)d.K * 128 * sizeof(float) <= max;
	}
	return nd->op == CLX_OP_GATHER && s == 0 && t == r &&
	       (uint64_t)t->ne[t->n_dims - 1] * sizeof(float) <= max;
}

static bool cl_supports(struct clx_backend *be, const struct clx_graph *g, int node, char *why,
			size_t cap)
{
	const struct clx_node *nd = &g->nodes[node];
	if (nd->op < 0 || nd->op >= CLX_OP_COUNT) {
		snprintf(why, cap, "no kernel for op %d", (int)nd->op);
		return false;
	}
	/* CLX_CL_DECLINE=op[,op…] (clx_op_name names), a test hook: the device
	 * declines those ops, so the scheduler's fallback runs them elsewhere */
	if (cl_env_lists("CLX_CL_DECLINE", clx_op_name(nd->op))) {
		snprintf(why, cap, "%s declined by CLX_CL_DECLINE", clx_op_name(nd->op));
		return false;
	}
	/* a kernel in a file this device's compiler rejected */
	if (nd->op == CLX_OP_MATMUL && !cl_gemm_runnable(cl_of(be), g, node, why, cap))
		return false;
	int kids[4];
	const int nk = cl_op_kernels(nd->op, kids);
	for (int i = 0; i < nk; i++)
		if (!cl_of(be)->kernels[kids[i]]) {
			snprintf(why, cap, "kernel %s not built: the compiler rejected %s",
				 cl_kernel_names[kids[i]], cl_of(be)->rejected);
			return false;
		}
	/* a tensor over the device's largest buffer: a weight the node can
	 * read in parts (a GEMM's packed panels, a gather table's rows) is
	 * split (cl_buffers.c), and so is an activation or input a row-wise
	 * node reads or writes a window of outer slices at a time (cl_ops.c);
	 * any other such tensor is declined */
	const uint64_t max = cl_of(be)->dev.info.max_alloc;
	int win[CLX_MAX_SRC + 1];
	const int n_win = cl_window_operands(g, node, win);
	for (int s = 0; s <= nd->n_src; s++) {
		const int id = s < nd->n_src ? nd->src[s] : nd->dst;
		const struct clx_tensor *t = &g->tensors[clx_graph_root(g, id)];
		if (clx_tensor_nbytes(t) <= max || in_parts(g, node, s, max))
			continue;
		bool windowed = false; /* held in parts, cut in windows */
		for (int i = 0; i < n_win; i++)
			windowed |= win[i] == id && cl_part_root(g, id) >= 0 &&
				    clx_sched_part_units(t, max) > 0;
		if (windowed)
			continue;
		snprintf(why, cap, "'%s' needs %.1f MiB in one buffer, over the max allocation of %.1f MiB",
			 t->name, (double)clx_tensor_nbytes(t) / 1048576.0, (double)max / 1048576.0);
		return false;
	}
	return true;
}

static void cl_stats(const struct clx_backend *be, struct clx_backend_stats *out)
{
	*out = cl_of(be)->stats;
}

static const struct clx_backend_i cl_iface = {
	.name = cl_name,
	.free = cl_free,
	.device = cl_device,
	.prepare = cl_prepare,
	.set_tensor = cl_set_tensor,
	.get_tensor = cl_get_tensor,
	.run_node = cl_run_node,
	.synchronize = cl_synchronize,
	.supports = cl_supports,
	.set_profiling = cl_profile_set,
	.node_times = cl_profile_node_times,
	.stats = cl_stats,
	.node_impl = cl_ops_node_impl,
	.candidates = cl_candidates,
	.peak = cl_peak,
};

/* ---------------------------------------------------------------- open */

static enum clx_status open_device(struct cl_backend *b, struct clx_ctx *ctx,
				   const struct cl_dev *dev)
{
	b->dev = *dev;
	snprintf(b->label, sizeof b->label, "%.32s (%.255s)", dev->info.id, dev->info.name);
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
	/* the row kernels' vector width: the device's preferred float width */
	b->row_vw = dev->info.vec_float >= 16 ? 16 : dev->info.vec_float >= 8 ? 8 : 4;
	char defines[64];
	snprintf(defines, sizeof defines, "-DCLX_ROW_VW=%d", b->row_vw);
	const int cap = (int)(sizeof b->programs / sizeof b->programs[0]);
	enum clx_status st = cl_program_build_ops(ctx, dev, b->context, defines, b->programs, cap,
						  &b->n_programs, b->rejected, sizeof b->rejected,
						  &b->prog);
	if (st != CLX_OK)
		return st;
	if (b->rejected[0])
		clx_warn(ctx, "%s: the OpenCL compiler rejected %s; the ops needing those kernels run "
			 "on the next device of the fallback list",
			 b->label, b->rejected);
	b->stats.build_seconds = b->prog.seconds;
	b->stats.program_from_cache = b->prog.from_cache;
	b->stats.gemm_impl = cl_gemm_clblast_name();
	b->stats.program_cacheable = b->prog.cacheable;
	for (int k = 0; k < CL_KID_COUNT; k++) {
		/* from the program that holds it; in none: its file was rejected */
		err = CL_INVALID_KERNEL_NAME;
		for (int i = 0; i < b->n_programs && err == CL_INVALID_KERNEL_NAME; i++)
			b->kernels[k] = CLW_CREATE(clCreateKernel, &err, b->programs[i], cl_kernel_names[k]);
		if (err == CL_INVALID_KERNEL_NAME && b->rejected[0]) {
			b->kernels[k] = NULL;
			continue;
		}
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

/* The registry's open: the listed device's handles, from its platform. */
enum clx_status cl_open(struct clx_ctx *ctx, const struct clx_device_info *info,
			struct clx_backend **out)
{
	*out = NULL;
	struct cl_dev dev;
	enum clx_status st = cl_find(ctx, info->platform, info->device, &dev);
	if (st != CLX_OK)
		return st;
	dev.info.weights_f16 = info->weights_f16;
	dev.info.math_f16 = false; /* set once validated (below) */
	/* CLX_CL_FP16_EMULATE=1, a test hook: a device without cl_khr_fp16
	 * computes @f16-math's half products exactly, emulated in f32 */
	const char *emu = getenv("CLX_CL_FP16_EMULATE");
	if (info->math_f16 && !dev.info.fp16 && !(emu && strcmp(emu, "1") == 0))
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED,
				"%s (%s): f16 arithmetic (@f16-math) needs cl_khr_fp16, which this device "
				"lacks; @f16 stores the weights as half with f32 arithmetic",
				dev.info.id, dev.info.name);
	/* CLX_CL_MAX_ALLOC=BYTES, a test hook: a device whose buffers hold at
	 * most that (split weights, a chunked arena, fallback beyond) */
	const char *cap = getenv("CLX_CL_MAX_ALLOC");
	char *end = NULL;
	const unsigned long long forced = cap && *cap ? strtoull(cap, &end, 10) : 0;
	if (forced >= 4096 && end && !*end && forced < dev.info.max_alloc)
		dev.info.max_alloc = forced;
	else if (cap && *cap && (forced < 4096 || !end || *end))
		clx_warn(ctx, "CLX_CL_MAX_ALLOC=%s ignored: a byte count of at least 4096", cap);
	if (info->weights_f16) /* the name every report uses says so */
		strncat(dev.info.id, info->math_f16 ? "@f16-math" : "@f16",
			sizeof dev.info.id - strlen(dev.info.id) - 1);
	struct cl_backend *b = clx_calloc(1, sizeof *b);
	struct clx_backend *be = b ? clx_backend_new(ctx, &cl_iface, b) : NULL;
	if (!be) {
		clx_free(b);
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory opening an OpenCL device");
	}
	b->self = be;
	if ((st = open_device(b, ctx, &dev)) != CLX_OK) {
		cl_free(be);
		return st;
	}
	/* @f16-math: the half products only after they pass on this device */
	char why[400];
	if (info->math_f16 && (st = cl_gemm_validate_math(b, ctx, why, sizeof why)) != CLX_OK) {
		cl_free(be);
		return st;
	}
	b->dev.info.math_f16 = b->math_on;
	if (info->math_f16 && !b->math_on)
		clx_warn(ctx, "%s: f16 math refused by its check on this device (%s); it computes in f32 "
			 "with its weights as half (@f16)",
			 b->label, why);
	*out = be;
	return CLX_OK;
}

const struct clx_backend_reg clx_backend_reg_cl = { "cl", cl_list, cl_open };

/* ---------------------------------------------------------- test hooks */

static struct cl_backend *cl_backend_of(struct clx_ctx *ctx, struct clx_backend *be)
{
	if (be && be->iface == &cl_iface)
		return cl_of(be);
	clx_fail(ctx, CLX_ERR_INVALID_ARG, "not an OpenCL backend");
	return NULL;
}

enum clx_status clx_backend_cl_arena_fill(struct clx_backend *be, struct clx_ctx *ctx, uint8_t byte)
{
	struct cl_backend *b = cl_backend_of(ctx, be);
	if (!b)
		return CLX_ERR_INVALID_ARG;
	enum clx_status st = cl_check_alive(b, ctx);
	if (st != CLX_OK || !b->arena)
		return st;
	const size_t n = b->arena_bytes ? b->arena_bytes : 4;
	uint8_t *tmp = clx_malloc(n);
	if (!tmp)
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory");
	memset(tmp, byte, n);
	cl_int err = CLW(clEnqueueWriteBuffer, b->queue, b->arena, CL_TRUE, 0, n, tmp, 0, NULL, NULL);
	clx_free(tmp);
	return err == CL_SUCCESS ? CLX_OK : cl_poison(b, ctx, "clEnqueueWriteBuffer", err);
}

enum clx_status clx_backend_cl_arena_read(struct clx_backend *be, struct clx_ctx *ctx, size_t offs,
					  size_t bytes, void *dst)
{
	struct cl_backend *b = cl_backend_of(ctx, be);
	if (!b)
		return CLX_ERR_INVALID_ARG;
	enum clx_status st = cl_check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	if (!b->arena || offs > b->arena_bytes || bytes > b->arena_bytes - offs)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "arena read [%zu, +%zu) outside %zu bytes", offs,
				bytes, b->arena_bytes);
	cl_int err = CLW(clEnqueueReadBuffer, b->queue, b->arena, CL_TRUE, offs, bytes, dst, 0, NULL,
			 NULL);
	return err == CL_SUCCESS ? CLX_OK : cl_poison(b, ctx, "clEnqueueReadBuffer", err);
}
