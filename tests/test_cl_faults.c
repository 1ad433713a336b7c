/* test_cl_faults.c — OpenCL failures, injected through the cl* wrapper
 * (cl/clw.c), each giving a clean error or a documented recovery: a
 * status, a message naming the failure, no crash, and every device buffer
 * released (clx_cl_live_buffers() == 0 after the backend is freed; the
 * sanitizer build checks host memory).
 *
 *   test_cl_faults DEVICE_SPEC MODEL_DIR
 *
 * Runs the tiny X-CLIP model (MODEL_DIR: config.json + model.safetensors)
 * end to end per case. Cases:
 *   - no platform at all; a platform whose device query fails (skipped);
 *   - allocation failure of the Nth buffer: once → evict + retry recovers;
 *     twice in a row → CLX_ERR_NOMEM with requested/used/max sizes;
 *   - a kernel source that does not compile → the build log in the message;
 *     an injected clBuildProgram failure of a cached binary → silent rebuild;
 *     of the whole ops program too → rebuilt file by file; of every build
 *     → a clean error;
 *   - CL_OUT_OF_RESOURCES at a launch: once → retried with a smaller
 *     work-group, same results; twice → a clean error naming the node;
 *   - an asynchronous failure at clFinish, and at a blocking read → the
 *     backend is poisoned: this run and every later call fail cleanly;
 *   - a CLBlast failure → a clean error naming the node and the shape;
 *   - every wrapped call failing in turn ("*", sampled): success or a
 *     clean error, never a crash or a leaked buffer. */
#include "check.h"

#include "clx/cl.h"
#include "clx/pipeline.h"

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h> /* the error codes only */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct clx_ctx *ctx;
static const char *spec;
static struct clx_model *model;
static struct clx_xclip_shape shape = { .B = 1, .T = 8, .K = 2, .L = 5 };
static float *pixels;
static int32_t ids[10] = { 0, 5, 7, 98, 98, 0, 9, 98, 98, 98 };
static int32_t mask[10] = { 1, 1, 1, 1, 0, 1, 1, 1, 0, 0 };
static float baseline[4];

/* The tiny model's full graph on be. */
static enum clx_status open_session(struct clx_backend *be, struct clx_xclip_graph *xg,
				    struct clx_session **s)
{
	return clx_pipeline_session(ctx, model, be, CLX_XCLIP_FULL, &shape, 0, xg, s);
}

/* Inputs in, one forward, logits out. */
static enum clx_status run_once(struct clx_session *s, const struct clx_xclip_graph *xg,
				float *logits)
{
	enum clx_status st = clx_pipeline_set_inputs(ctx, s, xg, pixels, ids, mask);
	if (st == CLX_OK)
		st = clx_session_run(ctx, s, NULL, NULL);
	if (st == CLX_OK)
		st = clx_session_read(ctx, s, xg->logits_per_video, logits);
	return st;
}

struct outcome {
	enum clx_status st;
	char msg[1024];
	float logits[4];
	int fired;
	int live_after;
};

/* create → session → run → read logits → (optionally run again) → free.
 * Injection, if any, is configured by the caller before. */
static struct outcome run_model(bool twice)
{
	struct outcome o = { CLX_OK, "", { 0 }, 0, 0 };
	struct clx_backend *be = NULL;
	struct clx_session *s = NULL;
	struct clx_xclip_graph xg;
	clx_clear_error(ctx);
	o.st = clx_backend_open(ctx, spec, &be);
	if (o.st == CLX_OK)
		o.st = open_session(be, &xg, &s);
	for (int r = 0; r < (twice ? 2 : 1) && o.st == CLX_OK; r++)
		o.st = run_once(s, &xg, o.logits);
	snprintf(o.msg, sizeof o.msg, "%s", clx_last_error(ctx));
	o.fired = clx_cl_injected_count();
	clx_cl_inject_failure(NULL, 0, 0, 0);
	clx_session_free(s);
	clx_backend_free(be);
	o.live_after = clx_cl_live_buffers();
	return o;
}

static bool same_logits(const float *a)
{
	for (int i = 0; i < 2; i++)
		if (!(fabsf(a[i] - baseline[i]) <= 1e-5f))
			return false;
	return true;
}

/* A clean failure: an error status and a message, nothing left on the device. */
static void expect_clean_error(const char *what, const struct outcome *o, enum clx_status want,
			       const char *needle)
{
	printf("  %-58s → %s: %.150s%s\n", what, clx_status_name(o->st), o->msg,
	       strlen(o->msg) > 150 ? "…" : "");
	CHECK(o->fired > 0, "%s: the injected failure never fired", what);
	CHECK(o->st != CLX_OK, "%s: succeeded despite the failure", what);
	CHECK(want == CLX_OK || o->st == want, "%s: status %s, want %s", what, clx_status_name(o->st),
	      clx_status_name(want));
	CHECK(o->msg[0] != '\0', "%s: no message", what);
	CHECK(!needle || strstr(o->msg, needle), "%s: message lacks '%s': %s", what, needle, o->msg);
	CHECK(o->live_after == 0, "%s: %d device buffers leaked", what, o->live_after);
}

static void expect_recovery(const char *what, const struct outcome *o)
{
	printf("  %-58s → recovered (%d injected), logits %s\n", what, o->fired,
	       same_logits(o->logits) ? "as baseline" : "DIFFER");
	CHECK(o->fired > 0, "%s: the injected failure never fired", what);
	CHECK(o->st == CLX_OK, "%s: did not recover: %s", what, o->msg);
	CHECK(same_logits(o->logits), "%s: logits differ after recovery", what);
	CHECK(o->live_after == 0, "%s: %d device buffers leaked", what, o->live_after);
}

/* One run_model with call n of fn (or of any, "*") failing with err,
 * `times` calls in a row. */
static struct outcome run_failing(const char *fn, int n, int err, int times, bool twice)
{
	clx_cl_inject_failure(fn, n, err, times);
	return run_model(twice);
}

/* Call n of fn failing once is recovered from (`once` names the case);
 * failing twice in a row is a clean error with `want` and `needle`
 * (`twice`). Returns the second outcome. */
static struct outcome recovers_once_not_twice(const char *fn, int n, int err, const char *once,
					      const char *twice, enum clx_status want,
					      const char *needle)
{
	struct outcome o = run_failing(fn, n, err, 1, false);
	expect_recovery(once, &o);
	o = run_failing(fn, n, err, 2, false);
	expect_clean_error(twice, &o, want, needle);
	return o;
}

/* Calls of `fn` (or of all, "*") in one clean run. */
static int calls_in_clean_run(const char *fn)
{
	clx_cl_inject_failure(fn, 1 << 30, CL_OUT_OF_RESOURCES, 1);
	struct clx_backend *be = NULL;
	struct clx_session *s = NULL;
	struct clx_xclip_graph xg;
	float l[4];
	if (clx_backend_open(ctx, spec, &be) == CLX_OK && open_session(be, &xg, &s) == CLX_OK)
		run_once(s, &xg, l);
	int n = clx_cl_calls_seen();
	clx_cl_inject_failure(NULL, 0, 0, 0);
	clx_session_free(s);
	clx_backend_free(be);
	return n;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s DEVICE_SPEC MODEL_DIR\n", argv[0]);
		return 2;
	}
	spec = argv[1];
	ctx = clx_ctx_create();
	enum clx_status st = clx_model_load(ctx, argv[2], &model);
	CHECK(st == CLX_OK, "load %s: %s", argv[2], clx_last_error(ctx));
	if (st != CLX_OK)
		return check_summary();
	const struct clx_vision_config *v = &model->cfg.vision;
	const size_t npx = (size_t)(shape.B * shape.T * v->num_channels) * (size_t)v->image_size *
			   (size_t)v->image_size;
	pixels = malloc(npx * sizeof *pixels);
	for (size_t i = 0; i < npx; i++)
		pixels[i] = (float)((i * 7919) % 401) / 100.0f - 2.0f;

	/* baseline: the device must exist and work */
	struct outcome o = run_model(true);
	CHECK(o.st == CLX_OK, "device '%s' is required: %s", spec, o.msg);
	if (o.st != CLX_OK)
		return check_summary();
	memcpy(baseline, o.logits, sizeof baseline);
	CHECK(o.live_after == 0, "clean run leaked %d device buffers", o.live_after);
	const int n_buffers = calls_in_clean_run("clCreateBuffer");
	const int n_launch = calls_in_clean_run("clEnqueueNDRangeKernel");
	const int n_all = calls_in_clean_run("*");
	setenv("CLX_GEMM", "clblast", 1); /* the CLBlast path, whatever the device's default */
	const int n_gemm_tmp = calls_in_clean_run("CLBlastSgemmWithTempBuffer");
	const int n_gemm = calls_in_clean_run("CLBlastSgemm");
	unsetenv("CLX_GEMM");
	printf("clean run on %s: %d wrapped OpenCL calls, %d buffers, %d kernel launches; with "
	       "CLX_GEMM=clblast %d+%d CLBlast GEMMs; logits %.6f %.6f\n",
	       spec, n_all, n_buffers, n_launch, n_gemm_tmp, n_gemm, baseline[0], baseline[1]);
	CHECK(n_buffers > 0 && n_launch > 0 && n_all > n_launch, "call counting works");

	/* ---- discovery */
	o = run_failing("clGetPlatformIDs", 1, -1001 /* CL_PLATFORM_NOT_FOUND_KHR */, 1, false);
	expect_clean_error("no OpenCL platform", &o, CLX_ERR_NOT_FOUND,
			   "no OpenCL platform found (is an ICD installed? see clinfo)");
	o = run_failing("clGetDeviceIDs", 1, CL_DEVICE_NOT_FOUND, 64, false);
	expect_clean_error("every platform without devices", &o, CLX_ERR_NOT_FOUND, spec);

	/* ---- allocation failure on the Nth buffer */
	const int picks[] = { 1, 2, 10, n_buffers / 2, n_buffers - 1, n_buffers };
	for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
		const int N = picks[i];
		char once[96], twice[96];
		if (N < 1 || N > n_buffers)
			continue;
		snprintf(once, sizeof once, "buffer %d of %d fails once (evict + retry)", N, n_buffers);
		snprintf(twice, sizeof twice, "buffer %d of %d fails twice", N, n_buffers);
		recovers_once_not_twice("clCreateBuffer", N, CL_MEM_OBJECT_ALLOCATION_FAILURE, once,
					twice, CLX_ERR_NOMEM, "requested");
	}

	/* ---- program build */
	clx_cl_debug_source_suffix("kernel void clx_broken(global float *x) { x[0] = clx_no_such_symbol; }");
	o = run_model(false);
	clx_cl_debug_source_suffix(NULL);
	o.fired = 1; /* a real compiler error, nothing injected */
	expect_clean_error("kernel source that does not compile", &o, CLX_ERR_DEVICE, "build log");
	CHECK(strstr(o.msg, "clx_no_such_symbol") != NULL, "the build log names the error: %s", o.msg);
	o = run_failing("clBuildProgram", 1, CL_BUILD_PROGRAM_FAILURE, 1, false);
	expect_recovery("clBuildProgram of the cached binary fails (rebuild)", &o);
	o = run_failing("clBuildProgram", 1, CL_BUILD_PROGRAM_FAILURE, 2, false);
	expect_recovery("clBuildProgram fails (binary and source: file by file)", &o);
	o = run_failing("clBuildProgram", 1, CL_BUILD_PROGRAM_FAILURE, 1 << 20, false);
	expect_clean_error("clBuildProgram fails every time", &o, CLX_ERR_DEVICE,
			   "CL_BUILD_PROGRAM_FAILURE");
	o = run_failing("clCreateKernel", 3, CL_OUT_OF_HOST_MEMORY, 1, false);
	expect_clean_error("clCreateKernel fails", &o, CLX_ERR_NOMEM, "CL_OUT_OF_HOST_MEMORY");
	o = run_failing("clCreateCommandQueue", 1, CL_OUT_OF_RESOURCES, 1, false);
	expect_clean_error("clCreateCommandQueue fails", &o, CLX_ERR_DEVICE, "CL_OUT_OF_RESOURCES");

	/* ---- launches */
	const int launch_picks[] = { 1, n_launch / 3, n_launch };
	for (size_t i = 0; i < sizeof launch_picks / sizeof launch_picks[0]; i++) {
		char once[96], twice[96];
		const int N = launch_picks[i] < 1 ? 1 : launch_picks[i];
		snprintf(once, sizeof once, "launch %d of %d: CL_OUT_OF_RESOURCES once", N, n_launch);
		snprintf(twice, sizeof twice, "launch %d of %d: CL_OUT_OF_RESOURCES twice", N, n_launch);
		o = recovers_once_not_twice("clEnqueueNDRangeKernel", N, CL_OUT_OF_RESOURCES, once, twice,
					    CLX_ERR_DEVICE, "CL_OUT_OF_RESOURCES");
		CHECK(strstr(o.msg, "node '") != NULL, "the message names the node: %s", o.msg);
	}
	o = run_failing("clSetKernelArg", 7, CL_INVALID_ARG_SIZE, 1, false);
	expect_clean_error("clSetKernelArg fails", &o, CLX_ERR_DEVICE, "CL_INVALID_ARG_SIZE");

	/* ---- asynchronous failures poison the backend */
	o = run_failing("clFinish", 1, CL_OUT_OF_RESOURCES, 1, true);
	expect_clean_error("clFinish reports an asynchronous failure", &o, CLX_ERR_DEVICE,
			   "clFinish failed: CL_OUT_OF_RESOURCES");
	{
		/* the same backend refuses later work */
		struct clx_backend *be = NULL;
		struct clx_session *s = NULL;
		struct clx_xclip_graph xg;
		float l[4];
		st = clx_backend_open(ctx, spec, &be);
		if (st == CLX_OK)
			st = open_session(be, &xg, &s);
		clx_cl_inject_failure("clFinish", 1, CL_INVALID_COMMAND_QUEUE, 1);
		enum clx_status s1 = st == CLX_OK ? run_once(s, &xg, l) : st;
		enum clx_status s2 = st == CLX_OK ? run_once(s, &xg, l) : st;
		printf("  %-58s → %s: %s\n", "run after the failure", clx_status_name(s2), clx_last_error(ctx));
		CHECK(s1 == CLX_ERR_DEVICE && s2 == CLX_ERR_DEVICE, "poisoned backend: %d then %d", s1, s2);
		CHECK(strstr(clx_last_error(ctx), "unusable after an earlier failure") != NULL, "%s",
		      clx_last_error(ctx));
		CHECK(clx_session_read(ctx, s, xg.logits_per_video, l) == CLX_ERR_DEVICE,
		      "a read after the failure fails too");
		clx_cl_inject_failure(NULL, 0, 0, 0);
		clx_session_free(s);
		clx_backend_free(be);
		CHECK(clx_cl_live_buffers() == 0, "poisoned backend leaked %d buffers", clx_cl_live_buffers());
	}
	o = run_failing("clEnqueueReadBuffer", 1, CL_OUT_OF_RESOURCES, 1, false);
	expect_clean_error("blocking read reports an asynchronous failure", &o, CLX_ERR_DEVICE,
			   "clEnqueueReadBuffer failed");

	/* ---- CLBlast */
	const char *gemm_fn = n_gemm_tmp > 0 ? "CLBlastSgemmWithTempBuffer" : "CLBlastSgemm";
	setenv("CLX_GEMM", "clblast", 1);
	o = run_failing(gemm_fn, 2, -2040 /* CLBlastUnknownError */, 1, false);
	unsetenv("CLX_GEMM");
	expect_clean_error("a CLBlast GEMM fails", &o, CLX_ERR_DEVICE, "CLBlastUnknownError");
	CHECK(strstr(o.msg, "M=") != NULL, "the message gives the GEMM shape: %s", o.msg);
	/* ---- CLX_GEMM that cannot be read: refused with the accepted forms */
	setenv("CLX_GEMM", "own:6x60x16", 1);
	o = run_model(false);
	unsetenv("CLX_GEMM");
	o.fired = 1; /* nothing injected */
	expect_clean_error("CLX_GEMM=own:6x60x16 (NR not a multiple of VW)", &o, CLX_ERR_INVALID_ARG,
			   "expected clblast, own or own:MRxNRxVW");

	/* ---- every wrapped call in turn (sampled), each failing once */
	const int stride = n_all > 80 ? n_all / 80 : 1;
	int walked = 0, recovered = 0, failed = 0;
	for (int N = 1; N <= n_all; N += (N < 40 ? 1 : stride)) {
		o = run_failing("*", N, CL_OUT_OF_RESOURCES, 1, false);
		walked++;
		if (o.fired == 0)
			continue;
		if (o.st == CLX_OK) {
			recovered++;
			CHECK(same_logits(o.logits), "call %d failing: recovered with different logits", N);
		} else {
			failed++;
			CHECK(o.msg[0] != '\0', "call %d failing: error without a message", N);
		}
		CHECK(o.live_after == 0, "call %d failing: %d device buffers leaked", N, o.live_after);
	}
	printf("walk: failed call N of %d (%d runs): %d recovered, %d clean errors, no crash\n", n_all,
	       walked, recovered, failed);

	free(pixels);
	clx_model_free(model);
	clx_ctx_free(ctx);
	return check_summary();
}
