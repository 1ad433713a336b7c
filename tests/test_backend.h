/* test_backend.h — opening the backend a test was asked for: "cpu" (or
 * NULL) for the reference, else an OpenCL device spec ("pthread",
 * "llvmpipe", "cl:0:0"). A missing device FAILS the test (never skips), and
 * test_check_ran_on_device proves kernels ran on it: no silent CPU fallback. */
#ifndef CLX_TEST_BACKEND_H
#define CLX_TEST_BACKEND_H

#include "check.h"

#include "clx/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline struct clx_backend *test_open_backend(struct clx_ctx *ctx, const char *spec)
{
	struct clx_backend *be = NULL;
	CHECK(clx_backend_open(ctx, spec ? spec : "cpu", &be) == CLX_OK, "device %s: %s",
	      spec ? spec : "cpu", clx_last_error(ctx));
	if (be)
		printf("backend: %s\n", clx_backend_name(be));
	return be;
}

/* Asked for an OpenCL device, the test ran on one, and kernels ran there
 * (no silent CPU fallback). */
static inline void test_check_ran_on_device(struct clx_backend *be, const char *spec)
{
	const struct clx_device_info *d = clx_backend_device(be);
	if (!spec || strcmp(spec, "cpu") == 0) {
		CHECK(d->reference, "asked for the reference, ran on %s", d->id);
		return;
	}
	struct clx_backend_stats s;
	clx_backend_stats(be, &s);
	printf("device work on %s: %llu nodes, %llu kernels, %llu GEMMs; device memory: weights "
	       "%.1f MiB, arena %.1f MiB\n",
	       d->id, (unsigned long long)s.nodes_run, (unsigned long long)s.kernels_enqueued,
	       (unsigned long long)s.gemm_calls, s.weight_bytes / 1048576.0, s.arena_bytes / 1048576.0);
	CHECK(strcmp(d->backend, "opencl") == 0, "asked for %s, got %s (%s)", spec, d->id, d->backend);
	CHECK(s.kernels_enqueued > 0 && s.gemm_calls > 0, "no kernels ran on %s", d->id);
	/* a forced GEMM (CLX_GEMM) is what ran */
	const char *forced = getenv("CLX_GEMM");
	if (forced && *forced) {
		const bool own = strncmp(forced, "own", 3) == 0;
		printf("GEMMs (CLX_GEMM=%s): %s\n", forced, s.gemm_impl ? s.gemm_impl : "?");
		CHECK(s.gemm_impl && strncmp(s.gemm_impl, own ? "own " : "CLBlast", own ? 4 : 7) == 0 &&
			      !strstr(s.gemm_impl, own ? "CLBlast" : "own"),
		      "CLX_GEMM=%s, but the GEMMs ran %s", forced, s.gemm_impl ? s.gemm_impl : "?");
	}
}

#endif
