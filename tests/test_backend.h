/* test_backend.h — opening the backend a test was asked for: "cpu" (or
 * NULL) for the reference, else an OpenCL device spec ("pthread",
 * "llvmpipe", "cl:0:0"). A missing device FAILS the test (never skips), and
 * test_check_ran_on_device proves kernels ran on it: no silent CPU fallback. */
#ifndef CLX_TEST_BACKEND_H
#define CLX_TEST_BACKEND_H

#include "check.h"

#include "clx/backend.h"
#include "clx/cl.h"

#include <stdio.h>
#include <string.h>

static inline struct clx_backend *test_open_backend(struct clx_ctx *ctx, const char *spec)
{
	if (!spec || strcmp(spec, "cpu") == 0)
		return clx_backend_cpu_create(ctx);
	struct clx_backend *be = NULL;
#ifdef CLX_HAVE_OPENCL
	CHECK(clx_backend_cl_create(ctx, spec, &be) == CLX_OK, "device %s: %s", spec, clx_last_error(ctx));
#else
	CHECK(false, "device %s: built without OpenCL", spec);
#endif
	if (be)
		printf("backend: %s\n", clx_backend_name(be));
	return be;
}

/* On OpenCL, kernels ran on the device (no silent CPU fallback). */
static inline void test_check_ran_on_device(struct clx_backend *be)
{
#ifdef CLX_HAVE_OPENCL
	if (!clx_backend_is_cl(be))
		return;
	struct clx_cl_stats s;
	clx_backend_cl_stats(be, &s);
	printf("device work: %llu kernels, %llu GEMMs; device memory: weights %.1f MiB, arena %.1f MiB\n",
	       (unsigned long long)s.kernels_enqueued, (unsigned long long)s.gemm_calls,
	       s.weight_bytes / 1048576.0, s.arena_bytes / 1048576.0);
	CHECK(s.kernels_enqueued > 0 && s.gemm_calls > 0, "no kernels ran on %s", clx_backend_name(be));
#else
	(void)be;
#endif
}

#endif
