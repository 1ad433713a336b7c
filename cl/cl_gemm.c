/* cl_gemm.c — every matmul of the OpenCL backend: which implementation a
 * node runs, what it needs prepared, and the dispatch.
 *
 * Two implementations:
 *   own      gemm.cl: register-tiled kernels for CPU-class devices, built
 *            per variant (tile MR × NR, vector width VW, -D options, so
 *            each goes through the binary cache), weights packed once at
 *            prepare (an activation operand is packed per run into a
 *            scratch buffer), the epilogue fused into the store;
 *   CLBlast  CLBlastSgemmWithTempBuffer (a temp buffer sized at prepare
 *            for every such node) or CLBlastSgemmStridedBatched, then the
 *            matmul_epilogue kernel. A CLBlast call may launch several
 *            kernels: time it around the whole call, never by its event.
 *
 * Which one a node runs is cl_choose.c's. */
#include "cl_internal.h"
#include "clx/check.h"

#include <clblast_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cl_gemm_clblast_name(void)
{
	static char name[32];
	snprintf(name, sizeof name, "CLBlast %d.%d.%d", CLBLAST_VERSION_MAJOR, CLBLAST_VERSION_MINOR,
		 CLBLAST_VERSION_PATCH);
	return name;
}

bool cl_gemm_needs_raw(const struct cl_backend *b, const struct clx_graph *g, int t)
{
	for (int i = 0; i < g->n_nodes; i++) {
		const struct clx_node *nd = &g->nodes[i];
		for (int s = 0; s < nd->n_src; s++)
			if (clx_graph_root(g, nd->src[s]) == t &&
			    !(nd->op == CLX_OP_MATMUL && s == 1 && b->gemm[i].choice.impl == CL_GEMM_OWN))
				return true;
	}
	return false;
}

/* --------------------------------------------------------------- programs */

enum clx_status cl_gemm_variant(struct cl_backend *b, struct clx_ctx *ctx, int mr, int nr, int vw,
				bool half, int *out)
{
	const bool math = half && b->math_on;
	for (int i = 0; i < b->n_variants; i++)
		if (b->variants[i].mr == mr && b->variants[i].nr == nr && b->variants[i].vw == vw &&
		    b->variants[i].half == half && b->variants[i].math == math) {
			*out = i;
			if (b->variants[i].rejected)
				return clx_fail(ctx, CLX_ERR_DEVICE,
						"%s: the OpenCL compiler rejected GEMM variant own:%dx%dx%d%s: %s",
						b->label, mr, nr, vw, half ? " (f16 weights)" : "",
						b->variants[i].why);
			return CLX_OK;
		}
	if (b->n_variants == (int)(sizeof b->variants / sizeof b->variants[0]))
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: more than %d GEMM variants in one process",
				b->label, b->n_variants);
	struct cl_gemm_variant *v = &b->variants[b->n_variants];
	char defines[192];
	snprintf(defines, sizeof defines,
		 "-DCLX_GEMM_MR=%d -DCLX_GEMM_NR=%d -DCLX_GEMM_VW=%d -DCLX_GEMM_NV=%d%s%s%s", mr, nr, vw,
		 nr / vw, half ? " -DCLX_GEMM_WHALF=1" : "", math ? " -DCLX_GEMM_HMATH=1" : "",
		 math && b->dev.info.fp16 ? " -DCLX_GEMM_HNATIVE=1" : "");
	struct cl_program_info info;
	enum clx_status st = cl_program_build(ctx, &b->dev, b->context, CL_PROGRAM_GEMM, NULL, defines,
					      &v->program, &info);
	if (st == CLX_ERR_DEVICE && strstr(clx_last_error(ctx), "kernel build failed")) {
		/* remembered, so that no other node builds it again */
		*v = (struct cl_gemm_variant){ .mr = mr, .nr = nr, .vw = vw, .half = half, .math = math,
					       .rejected = true };
		cl_first_error(clx_last_error(ctx), v->why, sizeof v->why);
		*out = b->n_variants++;
	}
	if (st != CLX_OK)
		return st;
	b->stats.build_seconds += info.seconds;
	cl_int err;
	v->gemm = CLW_CREATE(clCreateKernel, &err, v->program, "gemm_packed");
	if (v->gemm && err == CL_SUCCESS)
		v->pack = CLW_CREATE(clCreateKernel, &err, v->program, "gemm_pack");
	if (!v->gemm || !v->pack || err != CL_SUCCESS) {
		if (v->gemm)
			clReleaseKernel(v->gemm);
		clReleaseProgram(v->program);
		memset(v, 0, sizeof *v);
		return cl_err(b, ctx, "clCreateKernel(gemm_packed, gemm_pack)", err);
	}
	v->mr = mr, v->nr = nr, v->vw = vw, v->half = half, v->math = math;
	*out = b->n_variants++;
	return CLX_OK;
}

/* ---------------------------------------------------------------- prepare */

bool cl_gemm_of_node(const struct cl_backend *b, const struct clx_graph *g, int node,
		     struct cl_gemm *out)
{
	const struct clx_node *nd = &g->nodes[node];
	const struct clx_matmul_dims d = clx_matmul_dims(g, node);
	const struct cl_addr A = cl_addr_of(b, g, nd->src[0]), W = cl_addr_of(b, g, nd->src[1]);
	const struct cl_addr C = cl_addr_of(b, g, nd->dst);
	const size_t M = (size_t)d.M, N = (size_t)d.N, K = (size_t)d.K;
	*out = (struct cl_gemm){
		.node = nd->name, .M = M, .N = N, .K = K, .batch = (size_t)d.batch,
		.b_trans = !d.w_kn, .a = A.mem, .b = W.mem, .c = C.mem,
		.a_off = A.offs / 4, .b_off = W.offs / 4, .c_off = C.offs / 4,
		.lda = K, .ldb = d.w_kn ? N : K, .ldc = N,
		.a_stride = M * K, .b_stride = N * K, .c_stride = M * N,
	};
	return M > 0 && N > 0;
}

static enum clx_status clblast_fail(struct cl_backend *b, struct clx_ctx *ctx,
				    const struct cl_gemm *g, const char *fn, int code)
{
	return clx_fail(ctx, code == CLBlastTempBufferAllocFailure || code == CLBlastOpenCLOutOfHostMemory
				     ? CLX_ERR_NOMEM
				     : CLX_ERR_DEVICE,
			"%s: %s for node '%s' (M=%zu N=%zu K=%zu batch=%zu) failed: %s (%d)", b->label,
			fn, g->node ? g->node : "?", g->M, g->N, g->K, g->batch, clw_error_name(code),
			code);
}

/* Temp buffer bytes CLBlast needs for g (0 for strided-batched). */
static enum clx_status clblast_temp_size(struct cl_backend *b, struct clx_ctx *ctx,
					 const struct cl_gemm *g, size_t *bytes)
{
	*bytes = 0;
	if (g->batch > 1 || g->K == 0)
		return CLX_OK;
	size_t size = 0;
	int code = CLW(CLBlastSGemmTempBufferSize, CLBlastLayoutRowMajor, CLBlastTransposeNo,
		       g->b_trans ? CLBlastTransposeYes : CLBlastTransposeNo, g->M, g->N, g->K,
		       g->a_off, g->lda, g->b_off, g->ldb, g->c_off, g->ldc, &b->queue, &size);
	if (code != CLBlastSuccess)
		return clblast_fail(b, ctx, g, "CLBlastSGemmTempBufferSize", code);
	*bytes = size; /* bytes (CLBlast converts from elements) */
	return CLX_OK;
}

static size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) / a * a;
}

/* What the graph's GEMMs run, for stats and reports. */
static void describe(struct cl_backend *b, const struct clx_graph *g)
{
	int own = 0, clblast = 0, mr = 0, nr = 0, vw = 0;
	bool mixed = false;
	for (int i = 0; i < g->n_nodes; i++) {
		if (g->nodes[i].op != CLX_OP_MATMUL)
			continue;
		const struct cl_gemm_choice *c = &b->gemm[i].choice;
		if (c->impl == CL_GEMM_CLBLAST) {
			clblast++;
			continue;
		}
		if (own++ && (c->mr != mr || c->nr != nr || c->vw != vw))
			mixed = true;
		mr = c->mr, nr = c->nr, vw = c->vw;
	}
	size_t n = 0;
	b->gemm_impl[0] = '\0';
	if (own)
		n += (size_t)snprintf(b->gemm_impl + n, sizeof b->gemm_impl - n, "own %s%dx%d float%d%s",
				      mixed ? "(mixed tiles, last) " : "", mr, nr, vw,
				      b->dev.info.weights_f16 ? ", f16 weights" : "");
	if (clblast && n < sizeof b->gemm_impl)
		snprintf(b->gemm_impl + n, sizeof b->gemm_impl - n, "%s%s", own ? " + " : "",
			 cl_gemm_clblast_name());
	if (!own && !clblast)
		snprintf(b->gemm_impl, sizeof b->gemm_impl, "none");
	b->stats.gemm_impl = b->gemm_impl;
}

enum clx_status cl_gemm_prepare(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g)
{
	size_t temp = 0, scratch = 0;
	enum clx_status st = CLX_OK;
	for (int i = 0; i < g->n_nodes && st == CLX_OK; i++) {
		struct cl_gemm_node *gn = &b->gemm[i];
		struct cl_gemm gm;
		if (g->nodes[i].op != CLX_OP_MATMUL || !cl_gemm_of_node(b, g, i, &gm))
			continue;
		if (gn->choice.impl == CL_GEMM_CLBLAST) {
			size_t need = 0;
			if ((st = clblast_temp_size(b, ctx, &gm, &need)) == CLX_OK && need > temp)
				temp = need;
			continue;
		}
		const struct cl_gemm_choice *c = &gn->choice;
		const int bt = g->nodes[i].src[1], root = clx_graph_root(g, bt);
		const struct clx_tensor *w = &g->tensors[root];
		const bool resident = w->kind == CLX_TENSOR_WEIGHT && gm.batch == 1;
		gn->half = cl_gemm_half(b, g, i);
		if ((st = cl_gemm_variant(b, ctx, c->mr, c->nr, c->vw, gn->half, &gn->variant)) != CLX_OK)
			break;
		const struct cl_pack pack = { c->nr, !gm.b_trans, (int64_t)gm.N, (int64_t)gm.K, gn->half };
		if (resident) {
			const float *host =
				(const float *)(const void *)((const char *)w->host +
							      (g->tensors[bt].kind == CLX_TENSOR_VIEW
								       ? g->tensors[bt].view_offs
								       : 0));
			/* over max_alloc: parts of whole panels (K · NR values each) */
			const size_t panel = gm.K * (size_t)c->nr * (gn->half ? 2 : 4);
			st = cl_weight_resident(b, ctx, w, host, clx_tensor_nbytes(&g->tensors[bt]), &pack,
						panel, &gn->packed, &gn->split);
		} else {
			gn->scratch_off = scratch / sizeof(float);
			scratch = align_up(scratch + cl_pack_bytes(&pack) * gm.batch, 256);
		}
	}
	if (st == CLX_OK && temp > 0 &&
	    (st = cl_alloc_buffer(b, ctx, "the GEMM temp buffer", temp, CL_MEM_READ_WRITE, NULL,
				  &b->gemm_temp)) == CLX_OK)
		b->gemm_temp_bytes = temp;
	if (st == CLX_OK && scratch > 0)
		st = cl_alloc_buffer(b, ctx, "the GEMM packing scratch", scratch, CL_MEM_READ_WRITE, NULL,
				     &b->gemm_scratch);
	b->stats.temp_bytes = temp + scratch;
	if (st == CLX_OK)
		describe(b, g);
	return st;
}

void cl_gemm_release_graph(struct cl_backend *b)
{
	cl_release_mem(b->gemm_temp);
	cl_release_mem(b->gemm_scratch);
	b->gemm_temp = b->gemm_scratch = NULL;
	b->gemm_temp_bytes = 0;
	b->stats.temp_bytes = 0;
	clx_free(b->gemm);
	b->gemm = NULL;
}

void cl_gemm_free(struct cl_backend *b)
{
	cl_gemm_release_graph(b);
	for (int i = 0; i < b->n_variants; i++) {
		if (b->variants[i].rejected)
			continue;
		clReleaseKernel(b->variants[i].gemm);
		clReleaseKernel(b->variants[i].pack);
		clReleaseProgram(b->variants[i].program);
	}
	b->n_variants = 0;
}

/* -------------------------------------------------------------------- run */

static enum clx_status clblast_run(struct cl_backend *b, struct clx_ctx *ctx, const struct cl_gemm *g)
{
	const CLBlastTranspose tb = g->b_trans ? CLBlastTransposeYes : CLBlastTransposeNo;
	int code;
	if (g->batch > 1) {
		code = CLW(CLBlastSgemmStridedBatched, CLBlastLayoutRowMajor, CLBlastTransposeNo, tb, g->M,
			   g->N, g->K, 1.0f, g->a, g->a_off, g->lda, g->a_stride, g->b, g->b_off, g->ldb,
			   g->b_stride, 0.0f, g->c, g->c_off, g->ldc, g->c_stride, g->batch, &b->queue,
			   NULL);
		return code == CLBlastSuccess ? CLX_OK
					      : clblast_fail(b, ctx, g, "CLBlastSgemmStridedBatched", code);
	}
	if (b->gemm_temp) {
		code = CLW(CLBlastSgemmWithTempBuffer, CLBlastLayoutRowMajor, CLBlastTransposeNo, tb, g->M,
			   g->N, g->K, 1.0f, g->a, g->a_off, g->lda, g->b, g->b_off, g->ldb, 0.0f, g->c,
			   g->c_off, g->ldc, &b->queue, NULL, b->gemm_temp);
		/* a shape the temp buffer was not sized for: let CLBlast allocate */
		if (code != CLBlastInsufficientMemoryTemp)
			return code == CLBlastSuccess
				       ? CLX_OK
				       : clblast_fail(b, ctx, g, "CLBlastSgemmWithTempBuffer", code);
	}
	code = CLW(CLBlastSgemm, CLBlastLayoutRowMajor, CLBlastTransposeNo, tb, g->M, g->N, g->K, 1.0f,
		   g->a, g->a_off, g->lda, g->b, g->b_off, g->ldb, 0.0f, g->c, g->c_off, g->ldc, &b->queue,
		   NULL);
	return code == CLBlastSuccess ? CLX_OK : clblast_fail(b, ctx, g, "CLBlastSgemm", code);
}

/* Enqueues k over global (3-D) in groups of local; a launch refused for
 * resources is retried once, with groups of one work-item. */
static enum clx_status enqueue(struct cl_backend *b, struct clx_ctx *ctx, const char *node,
			       const struct cl_args *a, size_t *global, size_t *local)
{
	enum clx_status st = cl_args_check(b, ctx, node, a);
	if (st != CLX_OK)
		return st;
	cl_int err = CL_SUCCESS;
	for (int attempt = 0; attempt < 2; attempt++) {
		err = CLW(clEnqueueNDRangeKernel, b->queue, a->k, 3, NULL, global, local, 0, NULL, NULL);
		if (err == CL_SUCCESS) {
			b->stats.kernels_enqueued++;
			return CLX_OK;
		}
		if (err != CL_OUT_OF_RESOURCES && err != CL_INVALID_WORK_GROUP_SIZE)
			break;
		local[0] = local[1] = local[2] = 1;
	}
	return clx_fail(ctx, CLX_ERR_DEVICE,
			"%s: launching kernel %s for node '%s' failed: %s (%d) (after one retry with "
			"work-groups of one)",
			b->label, a->name, node, clw_error_name(err), err);
}

/* Packs the activation operand of node `node` into the scratch buffer. */
static enum clx_status pack_operand(struct cl_backend *b, struct clx_ctx *ctx,
				    const struct cl_gemm_variant *v, const struct cl_gemm_node *gn,
				    const struct cl_gemm *gm)
{
	const size_t np = (gm->N + (size_t)v->nr - 1) / (size_t)v->nr * (size_t)v->nr;
	struct cl_args a = cl_args_begin(v->pack, "gemm_pack");
	cl_arg_mem(&a, gm->b, gm->b_off);
	cl_arg_u32(&a, (int64_t)gm->N);
	cl_arg_u32(&a, (int64_t)gm->K);
	cl_arg_u32(&a, gm->b_trans ? (int64_t)gm->ldb : 1);  /* sn */
	cl_arg_u32(&a, gm->b_trans ? 1 : (int64_t)gm->ldb);  /* sk */
	cl_arg_u64(&a, gm->b_stride);
	cl_arg_mem(&a, b->gemm_scratch, gn->scratch_off);
	cl_arg_u64(&a, np * gm->K);
	size_t global[3] = { gm->K, np, gm->batch }, local[3] = { 1, 1, 1 };
	return enqueue(b, ctx, gm->node, &a, global, local);
}

/* gemm_packed's arguments: C columns [n0, n0 + n) of gm (M rows, K), from
 * packed weight w (w_stride elements per batch item), with bias and R at
 * their addresses (column n0 of each) and the epilogue flags. */
static struct cl_args packed_args(const struct cl_gemm_variant *v, const struct cl_gemm *gm,
				  size_t n0, size_t n, cl_mem w, size_t w_off, size_t w_stride,
				  struct cl_addr bias, struct cl_addr res, uint32_t flags)
{
	struct cl_args a = cl_args_begin(v->gemm, "gemm_packed");
	cl_arg_u32(&a, (int64_t)gm->M);
	cl_arg_u32(&a, (int64_t)n);
	cl_arg_u32(&a, (int64_t)gm->K);
	cl_arg_mem(&a, gm->a, gm->a_off);
	cl_arg_u32(&a, (int64_t)gm->lda);
	cl_arg_u64(&a, gm->a_stride);
	cl_arg_mem(&a, w, w_off);
	cl_arg_u64(&a, w_stride);
	cl_arg_mem(&a, gm->c, gm->c_off + n0);
	cl_arg_u32(&a, (int64_t)gm->ldc);
	cl_arg_u64(&a, gm->c_stride);
	cl_arg_mem(&a, bias.mem, bias.offs / 4);
	cl_arg_mem(&a, res.mem, res.offs / 4);
	cl_arg_u32(&a, (int64_t)gm->N);
	cl_arg_u64(&a, gm->c_stride);
	cl_arg_u32(&a, flags);
	return a;
}

static enum clx_status own_run(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g,
			       int node, const struct cl_gemm *gm)
{
	const struct cl_gemm_node *gn = &b->gemm[node];
	const struct cl_gemm_variant *v = &b->variants[gn->variant];
	const struct clx_matmul_dims d = clx_matmul_dims(g, node);
	const size_t np = (gm->N + (size_t)v->nr - 1) / (size_t)v->nr * (size_t)v->nr;
	enum clx_status st = CLX_OK;
	if (!gn->packed && (st = pack_operand(b, ctx, v, gn, gm)) != CLX_OK)
		return st;
	struct cl_addr bias = cl_addr_of(b, g, d.bias >= 0 ? d.bias : g->nodes[node].dst);
	struct cl_addr res = cl_addr_of(b, g, d.residual >= 0 ? d.residual : g->nodes[node].dst);
	const size_t lm = (size_t)gn->choice.lm, tiles = (gm->M + (size_t)v->mr - 1) / (size_t)v->mr;
	if (!gn->split) {
		struct cl_args a = gn->packed ? packed_args(v, gm, 0, gm->N, gn->packed, 0, np * gm->K,
							    bias, res, d.flags)
					      : packed_args(v, gm, 0, gm->N, b->gemm_scratch,
							    gn->scratch_off, np * gm->K, bias, res, d.flags);
		size_t global[3] = { align_up(tiles, lm), np / (size_t)v->nr, gm->batch };
		size_t local[3] = { lm, 1, 1 };
		return enqueue(b, ctx, gm->node, &a, global, local);
	}
	/* a weight in parts: one launch per part, on its columns of C (and of
	 * bias and R), C's row stride unchanged */
	const struct cl_split *sp = gn->split;
	const size_t per = sp->part_bytes / sp->unit * (size_t)v->nr; /* columns per part */
	for (int j = 0; j < sp->n && st == CLX_OK; j++) {
		const size_t n0 = (size_t)j * per, nj = gm->N - n0 < per ? gm->N - n0 : per;
		struct cl_addr bj = bias, rj = res;
		bj.offs += d.bias >= 0 ? n0 * 4 : 0;
		rj.offs += d.residual >= 0 ? n0 * 4 : 0;
		struct cl_args a = packed_args(v, gm, n0, nj, sp->mem[j], 0, np * gm->K, bj, rj, d.flags);
		size_t gj[3] = { align_up(tiles, lm), (nj + (size_t)v->nr - 1) / (size_t)v->nr, 1 };
		size_t lj[3] = { lm, 1, 1 };
		st = enqueue(b, ctx, gm->node, &a, gj, lj);
	}
	return st;
}

void cl_gemm_describe(const struct cl_backend *b, const struct clx_graph *g, int node, char *buf,
		      size_t cap)
{
	const struct cl_gemm_node *gn = &b->gemm[node];
	const struct cl_gemm_choice *c = &gn->choice;
	if (c->impl == CL_GEMM_OWN)
		snprintf(buf, cap, "own %dx%d float%d lm%d%s%s%s", c->mr, c->nr, c->vw, c->lm,
			 gn->packed ? "" : ", B packed per run", gn->half ? ", f16 weight" : "",
			 gn->split ? ", weight in parts" : "");
	else
		snprintf(buf, cap, "%s%s", cl_gemm_clblast_name(),
			 clx_matmul_dims(g, node).flags ? " + matmul_epilogue" : "");
}

enum clx_status cl_gemm_node_run(struct cl_backend *b, struct clx_ctx *ctx,
				 const struct clx_graph *g, int node)
{
	const struct clx_node *nd = &g->nodes[node];
	struct cl_gemm gm;
	if (!cl_gemm_of_node(b, g, node, &gm))
		return CLX_OK;
	b->stats.gemm_calls++;
	if (b->gemm[node].choice.impl == CL_GEMM_OWN)
		return own_run(b, ctx, g, node, &gm);
	enum clx_status st = clblast_run(b, ctx, &gm);
	const struct clx_matmul_dims d = clx_matmul_dims(g, node);
	if (st != CLX_OK || !d.flags)
		return st;
	/* the epilogue, in place: (+ bias[i mod N]) (quick_gelu) (+ r[i]) */
	const int64_t n = (int64_t)(gm.M * gm.N * gm.batch);
	struct cl_args a = cl_args_begin(b->kernels[CL_KID_MATMUL_EPILOGUE], "matmul_epilogue");
	cl_arg_tensor(&a, b, g, nd->dst);
	cl_arg_tensor(&a, b, g, d.bias >= 0 ? d.bias : nd->dst);
	cl_arg_tensor(&a, b, g, d.residual >= 0 ? d.residual : nd->dst);
	cl_arg_u32(&a, n);
	cl_arg_u32(&a, (int64_t)gm.N);
	cl_arg_u32(&a, d.flags);
	if ((st = cl_args_check(b, ctx, nd->name, &a)) != CLX_OK)
		return st;
	return cl_launch_items(b, ctx, nd, CL_KID_MATMUL_EPILOGUE, n);
}

/* ------------------------------------------------------------ f16 math */

/* The cache entry of this device's half-product validation: its key text
 * and path; false without a cache directory. */
static bool math_entry(const struct cl_backend *b, char *key, size_t kcap, char *path, size_t pcap)
{
	char dir[1024];
	if (!clx_cache_dir(dir, sizeof dir, "f16math"))
		return false;
	const char *prefix = getenv("CLX_CL_TEST_PREFIX");
	snprintf(key, kcap,
		 "clx f16 math v1\nclx=%s\nplatform=%s\nplatform_version=%s\ndevice=%s\n"
		 "driver=%s\nnative=%d\ntest_prefix=%s\n",
		 CLX_VERSION_STRING, b->dev.info.platform_name, b->dev.info.platform_version,
		 b->dev.info.name, b->dev.info.driver_version, b->dev.info.fp16, prefix ? prefix : "");
	return (size_t)snprintf(path, pcap, "%s/%016llx.txt", dir,
				(unsigned long long)clx_fnv1a64(CLX_FNV_INIT, key, strlen(key))) < pcap;
}

/* A GEMM of the half products on the device: C = A · Wᵀ, A (M, K) and W
 * (N, K) from a fixed generator, W as half; its NMSE against the plain-C
 * reference (double sums of the same values) into *nmse. */
static enum clx_status math_gemm(struct cl_backend *b, struct clx_ctx *ctx, double *nmse)
{
	enum { M = 37, N = 48, K = 1024, MR = 4, NR = 16, VW = 4 };
	const struct cl_pack pack = { NR, false, N, K, true };
	float *a = clx_malloc(sizeof(float) * M * K), *c = clx_malloc(sizeof(float) * M * N);
	float *ref = clx_malloc(sizeof(float) * M * N);
	uint16_t *w = clx_malloc(sizeof(uint16_t) * N * K), *wp = clx_malloc(cl_pack_bytes(&pack) / 2);
	cl_mem ma = NULL, mw = NULL, mc = NULL;
	enum clx_status st = CLX_OK;
	if (!a || !c || !ref || !w || !wp) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", b->label);
		goto done;
	}
	uint64_t s = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < M * K + N * K; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17; /* xorshift64 */
		const float u = (float)(s >> 40) / (float)(1u << 24) - 0.5f; /* [-0.5, 0.5) */
		if (i < M * K)
			a[i] = 4.0f * u;
		else
			w[i - M * K] = clx_f32_to_f16(0.2f * u);
	}
	cl_pack_host_half(&pack, w, wp);
	int v;
	if ((st = cl_gemm_variant(b, ctx, MR, NR, VW, true, &v)) != CLX_OK ||
	    (st = cl_alloc_buffer(b, ctx, "the f16 math check", sizeof(float) * M * K, CL_MEM_READ_ONLY,
				  a, &ma)) != CLX_OK ||
	    (st = cl_alloc_buffer(b, ctx, "the f16 math check", cl_pack_bytes(&pack) / 2,
				  CL_MEM_READ_ONLY, wp, &mw)) != CLX_OK ||
	    (st = cl_alloc_buffer(b, ctx, "the f16 math check", sizeof(float) * M * N,
				  CL_MEM_READ_WRITE, NULL, &mc)) != CLX_OK)
		goto done;
	const struct cl_gemm gm = { .node = "the f16 math check", .M = M, .N = N, .K = K, .batch = 1,
				    .a = ma, .c = mc, .lda = K, .ldc = N };
	const struct cl_addr none = { mc, 0 }; /* no bias, no residual: flags 0 */
	struct cl_args g = packed_args(&b->variants[v], &gm, 0, N, mw, 0, 0, none, none, 0);
	size_t global[3] = { (M + MR - 1) / MR, (N + NR - 1) / NR, 1 }, local[3] = { 1, 1, 1 };
	if ((st = enqueue(b, ctx, "the f16 math check", &g, global, local)) != CLX_OK)
		goto done;
	cl_int err = CLW(clEnqueueReadBuffer, b->queue, mc, CL_TRUE, 0, sizeof(float) * M * N, c, 0,
			 NULL, NULL);
	if (err != CL_SUCCESS) {
		st = cl_poison(b, ctx, "clEnqueueReadBuffer", err);
		goto done;
	}
	/* the reference: double sums, rounded once to f32 */
	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			double sum = 0;
			for (int k = 0; k < K; k++)
				sum += (double)a[m * K + k] * clx_f16_to_f32(w[n * K + k]);
			ref[m * N + n] = (float)sum;
		}
	*nmse = clx_diff_f32(c, ref, (int64_t)M * N, 0).nmse;
done:
	cl_release_mem(ma);
	cl_release_mem(mw);
	cl_release_mem(mc);
	clx_free(a);
	clx_free(c);
	clx_free(ref);
	clx_free(w);
	clx_free(wp);
	return st;
}

enum clx_status cl_gemm_validate_math(struct cl_backend *b, struct clx_ctx *ctx, char *why,
				      size_t cap)
{
	char key[2048], path[1200], *text = NULL;
	size_t len = 0;
	const bool cached = math_entry(b, key, sizeof key, path, sizeof path);
	if (cached && clx_file_read(NULL, path, 4096, &text, &len) == CLX_OK &&
	    strncmp(text, key, strlen(key)) == 0) {
		const char *verdict = text + strlen(key);
		b->math_on = strncmp(verdict, "pass", 4) == 0;
		snprintf(why, cap, "%.*s (cached)", (int)strcspn(verdict, "\n"), verdict);
		clx_free(text);
		return CLX_OK;
	}
	clx_free(text);
	b->math_on = true; /* the variant to check computes in half */
	double nmse = INFINITY;
	struct clx_ctx *probe = clx_ctx_create();
	enum clx_status st = probe ? math_gemm(b, probe, &nmse) : CLX_ERR_NOMEM;
	const bool pass = st == CLX_OK && nmse <= CLX_CHECK_F16_NMSE;
	if (st == CLX_OK)
		snprintf(why, cap, "%s: GEMM K=1024 NMSE %.2e vs the reference (limit %.0e)",
			 pass ? "pass" : "fail", nmse, CLX_CHECK_F16_NMSE);
	else
		snprintf(why, cap, "fail: %.300s", probe ? clx_last_error(probe) : "out of memory");
	b->math_on = pass;
	if (st != CLX_ERR_NOMEM && b->poisoned) /* the device broke: that is its error */
		st = clx_fail(ctx, CLX_ERR_DEVICE, "%s", probe ? clx_last_error(probe) : why);
	else
		st = CLX_OK;
	clx_ctx_free(probe);
	if (st == CLX_OK && cached) {
		char entry[2600];
		snprintf(entry, sizeof entry, "%s%s\n", key, why);
		clx_cache_store(path, entry, strlen(entry));
	}
	return st;
}
