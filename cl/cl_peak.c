/* cl_peak.c — clpeak-style microbenchmarks on the backend's own context
 * and queue: the FMA throughput and copy bandwidth the device reaches, the
 * ceilings of its roofline (clx-profile) and the yardstick of GEMM tuning.
 *
 *   FMA:  16 independent multiply-add chains per work-item (enough to
 *         cover FMA latency × units on a CPU core) (OpenCL C 1.2,
 *         no extensions) built as float4, float8 and float16, each with
 *         mad() and with fma(); the best of the six is the peak. clpeak
 *         uses mad() alone, but PoCL 3.1 compiles mad() to a multiply and
 *         an add (half the rate of its FMA units) while fma() is one
 *         vfmadd, and a device without FMA hardware emulates fma()
 *         slowly, so neither alone is the device's ceiling (PoCL does
 *         best with fma float16, llvmpipe with float4). Each launch grows
 *         until it runs ≥ 20 ms; best of 5 launches, timed on the host
 *         around enqueue + clFinish (some drivers' profiling events read
 *         zero).
 *   copy: a float4 copy kernel over 64 MiB (or a quarter of the largest
 *         allocation); bandwidth counts bytes read plus bytes written.
 * The program is small and built from source each time (not cached). */
#include "cl_internal.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

/* × 16 chains × W lanes × 2 flops per work-item: long enough that the
 * per-work-item cost of a CPU driver (PoCL runs work-items as loop
 * iterations) vanishes, short enough for a GPU's thousands of them */
#define FMA_ITERS 1024

/* Built with -DW=4, 8 and 16 (floatW) and -DOP=mad or fma; every lane
 * feeds the result, so no compiler can drop a lane. */
static const char peak_src[] =
	"#define CAT(a, b) a##b\n"
	"#define XCAT(a, b) CAT(a, b)\n"
	"#define VEC XCAT(float, W)\n"
	"#define STEP4(x0, x1, x2, x3) x0 = OP(x0, a, b); x1 = OP(x1, a, b); x2 = OP(x2, a, b); "
	"x3 = OP(x3, a, b)\n"
	"__kernel void peak_fma(__global float *out, float a, float b, int iters)\n"
	"{\n"
	"	const VEC s = (VEC)((float)get_global_id(0) * 1e-9f);\n"
	"	VEC x0 = s, x1 = s + 0.1f, x2 = s + 0.2f, x3 = s + 0.3f, x4 = s + 0.4f, x5 = s + 0.5f;\n"
	"	VEC x6 = s + 0.6f, x7 = s + 0.7f, x8 = s + 0.8f, x9 = s + 0.9f, xa = s + 1.0f;\n"
	"	VEC xb = s + 1.1f, xc = s + 1.2f, xd = s + 1.3f, xe = s + 1.4f, xf = s + 1.5f;\n"
	"	for (int i = 0; i < iters; i++) {\n"
	"		STEP4(x0, x1, x2, x3); STEP4(x4, x5, x6, x7);\n"
	"		STEP4(x8, x9, xa, xb); STEP4(xc, xd, xe, xf);\n"
	"	}\n"
	"	VEC r = (((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7))) +\n"
	"		(((x8 + x9) + (xa + xb)) + ((xc + xd) + (xe + xf)));\n"
	"#if W == 16\n"
	"	float8 r8 = r.lo + r.hi;\n"
	"#elif W == 8\n"
	"	float8 r8 = r;\n"
	"#endif\n"
	"#if W >= 8\n"
	"	float4 r4 = r8.lo + r8.hi;\n"
	"#else\n"
	"	float4 r4 = r;\n"
	"#endif\n"
	"	out[get_global_id(0)] = (r4.x + r4.y) + (r4.z + r4.w);\n"
	"}\n"
	"__kernel void peak_copy(__global float4 *dst, __global const float4 *src)\n"
	"{\n"
	"	dst[get_global_id(0)] = src[get_global_id(0)];\n"
	"}\n";

/* Best of 5 launches of kernel k over `global` work-items, in seconds. */
static double launch_best(cl_command_queue q, cl_kernel k, size_t global)
{
	double best = INFINITY;
	for (int r = 0; r < 5; r++) {
		const double t0 = clx_now();
		if (clEnqueueNDRangeKernel(q, k, 1, NULL, &global, NULL, 0, NULL, NULL) != CL_SUCCESS ||
		    clFinish(q) != CL_SUCCESS)
			return NAN;
		best = fmin(best, clx_now() - t0);
	}
	return best;
}

/* Peak GFLOP/s of the floatW build with multiply-add `op` (NaN if it
 * fails); the first program built is kept in *prog for the copy kernel. */
static double fma_peak(struct cl_backend *b, cl_mem out, int w, const char *op, cl_program *prog)
{
	const char *src = peak_src;
	char opts[32];
	cl_int err;
	snprintf(opts, sizeof opts, "-DW=%d -DOP=%s", w, op);
	cl_program p = clCreateProgramWithSource(b->context, 1, &src, NULL, &err);
	cl_kernel k = NULL;
	double gf = NAN;
	if (!p || clBuildProgram(p, 1, &b->dev.device, opts, NULL, NULL) != CL_SUCCESS ||
	    !(k = clCreateKernel(p, "peak_fma", &err)))
		goto done;
	const float fa = 0.9999f, fb = 0.0001f;
	clSetKernelArg(k, 0, sizeof out, &out);
	clSetKernelArg(k, 1, sizeof fa, &fa);
	clSetKernelArg(k, 2, sizeof fb, &fb);
	const cl_int iters = FMA_ITERS;
	clSetKernelArg(k, 3, sizeof iters, &iters);
	const size_t cus = b->dev.info.compute_units ? b->dev.info.compute_units : 1;
	for (size_t global = 8 * cus;;) {
		const double t = launch_best(b->queue, k, global);
		if (!isfinite(t))
			break;
		if (t >= 0.02 || global >= (1u << 24)) {
			gf = (double)global * FMA_ITERS * 16 * w * 2 / t * 1e-9;
			break;
		}
		global *= t < 0.002 ? 8 : 2;
		if (global > (1u << 24))
			global = 1u << 24;
	}
done:
	if (k)
		clReleaseKernel(k);
	if (p && !*prog)
		*prog = p; /* kept for the copy kernel */
	else if (p)
		clReleaseProgram(p);
	return gf;
}

enum clx_status cl_peak(struct clx_backend *be, struct clx_ctx *ctx, double *gflops, double *gbps)
{
	struct cl_backend *b = cl_of(be);
	*gflops = *gbps = NAN;
	enum clx_status st = cl_check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	cl_int err;
	cl_program prog = NULL;
	cl_kernel kc = NULL;
	cl_mem a = NULL, c = NULL;
	cl_mem out = clCreateBuffer(b->context, CL_MEM_WRITE_ONLY, (1u << 24) * sizeof(float), NULL, &err);
	if (!out)
		return cl_err(b, ctx, "clCreateBuffer (peak)", err);
	for (int w = 4; w <= 16; w *= 2)
		for (int f = 0; f < 2; f++) {
			const double gf = fma_peak(b, out, w, f ? "fma" : "mad", &prog);
			if (isfinite(gf) && !(gf <= *gflops))
				*gflops = gf;
		}
	if (prog && (kc = clCreateKernel(prog, "peak_copy", &err))) {
		size_t bytes = 64u << 20;
		while (bytes > b->dev.info.max_alloc / 4 && bytes > 4096)
			bytes /= 2;
		a = clCreateBuffer(b->context, CL_MEM_READ_ONLY, bytes, NULL, &err);
		c = clCreateBuffer(b->context, CL_MEM_WRITE_ONLY, bytes, NULL, &err);
		const float zero = 0;
		if (a && c && clEnqueueFillBuffer(b->queue, a, &zero, sizeof zero, 0, bytes, 0, NULL,
						  NULL) == CL_SUCCESS) {
			clSetKernelArg(kc, 0, sizeof c, &c);
			clSetKernelArg(kc, 1, sizeof a, &a);
			const double t = launch_best(b->queue, kc, bytes / 16);
			if (isfinite(t))
				*gbps = 2.0 * (double)bytes / t * 1e-9;
		}
	}
	if (a)
		clReleaseMemObject(a);
	if (c)
		clReleaseMemObject(c);
	clReleaseMemObject(out);
	if (kc)
		clReleaseKernel(kc);
	if (prog)
		clReleaseProgram(prog);
	if (!isfinite(*gflops))
		return clx_fail(ctx, CLX_ERR_DEVICE, "%s: the peak microbenchmark did not run", b->label);
	return CLX_OK;
}
