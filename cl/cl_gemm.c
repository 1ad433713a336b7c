/* cl_gemm.c — the one GEMM dispatch function of the OpenCL backend.
 *
 * Today every GEMM goes to CLBlast: CLBlastSgemmWithTempBuffer with the
 * backend's pre-allocated temp buffer (sized at prepare from
 * CLBlastSGemmTempBufferSize over every matmul of the graph) for single
 * problems, CLBlastSgemmStridedBatched for batched ones. Another
 * implementation (an own tiled kernel for CPU-class devices, a tuned
 * CLBlast) plugs in here and nowhere else.
 *
 * A CLBlast call may launch several kernels (pad/transpose + xgemm): time
 * it with events or clFinish around the whole call, never by its event.
 * Not here: bias (the backend adds it with its add kernel). */
#include "cl_internal.h"

#include <clblast_c.h>
#include <stdio.h>

const char *cl_gemm_impl_name(void)
{
	static char name[32];
	snprintf(name, sizeof name, "CLBlast %d.%d.%d", CLBLAST_VERSION_MAJOR, CLBLAST_VERSION_MINOR,
		 CLBLAST_VERSION_PATCH);
	return name;
}

static enum clx_status clblast_fail(struct cl_backend *b, struct clx_ctx *ctx, const struct cl_gemm *g,
				    const char *fn, int code)
{
	return clx_fail(ctx, code == CLBlastTempBufferAllocFailure || code == CLBlastOpenCLOutOfHostMemory
				     ? CLX_ERR_NOMEM
				     : CLX_ERR_DEVICE,
			"%s: %s for node '%s' (M=%zu N=%zu K=%zu batch=%zu) failed: %s (%d)",
			b->label, fn, g->node ? g->node : "?", g->M, g->N, g->K, g->batch,
			clw_error_name(code), code);
}

enum clx_status cl_gemm_temp_size(struct cl_backend *b, struct clx_ctx *ctx, const struct cl_gemm *g,
				  size_t *bytes)
{
	*bytes = 0;
	if (g->batch > 1)
		return CLX_OK; /* strided-batched manages its own */
	size_t size = 0;
	int code = CLW(CLBlastSGemmTempBufferSize, CLBlastLayoutRowMajor, CLBlastTransposeNo,
		       g->b_trans ? CLBlastTransposeYes : CLBlastTransposeNo, g->M, g->N, g->K,
		       g->a_off, g->lda, g->b_off, g->ldb, g->c_off, g->ldc, &b->queue, &size);
	if (code != CLBlastSuccess)
		return clblast_fail(b, ctx, g, "CLBlastSGemmTempBufferSize", code);
	*bytes = size; /* bytes (CLBlast converts from elements) */
	return CLX_OK;
}

enum clx_status cl_gemm_run(struct cl_backend *b, struct clx_ctx *ctx, const struct cl_gemm *g)
{
	const CLBlastTranspose tb = g->b_trans ? CLBlastTransposeYes : CLBlastTransposeNo;
	int code;
	b->stats.gemm_calls++;
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
