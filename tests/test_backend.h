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
	if (strchr(spec, '=')) {
		/* a placement: each of its devices ran nodes, joined by copies */
		struct clx_placement pl;
		CHECK(strcmp(d->backend, "placed") == 0 && clx_backend_placement(be, &pl),
		      "asked for the placement %s, got %s (%s)", spec, d->id, d->backend);
		printf("placement %s: %d devices, %d copies (%zu bytes) per run, %llu kernels\n", clx_backend_name(be),
		       pl.n_devices, pl.n_copies, pl.copy_bytes, (unsigned long long)s.kernels_enqueued);
		for (int i = 0; i < pl.n_devices; i++)
			printf("  %s: %d nodes\n", pl.dev[i].name, pl.dev[i].nodes);
		CHECK(pl.n_devices >= 2 && pl.n_copies > 0, "placement %s ran on %d device(s)", spec,
		      pl.n_devices);
		CHECK(s.kernels_enqueued > 0, "no kernels ran for %s", spec);
		return;
	}
	printf("device work on %s: %llu nodes, %llu kernels, %llu GEMMs; device memory: weights "
	       "%.1f MiB, arena %.1f MiB\n",
	       d->id, (unsigned long long)s.nodes_run, (unsigned long long)s.kernels_enqueued,
	       (unsigned long long)s.gemm_calls, s.weight_bytes / 1048576.0, s.arena_bytes / 1048576.0);
	CHECK(strcmp(d->backend, "opencl") == 0, "asked for %s, got %s (%s)", spec, d->id, d->backend);
	/* @f16-math (emulated here, CLX_CL_FP16_EMULATE): it passed its check */
	if (strstr(spec, "@f16-math")) {
		printf("f16 math on %s: %s\n", d->id, d->math_f16 ? "on (passed its check)" : "off");
		CHECK(d->math_f16, "%s: the half products did not pass their check", spec);
	}
	CHECK(s.kernels_enqueued > 0 && s.gemm_calls > 0, "no kernels ran on %s", d->id);
	/* a forced small max allocation (CLX_CL_MAX_ALLOC): weights in parts */
	const char *cap = getenv("CLX_CL_MAX_ALLOC");
	if (cap && *cap) {
		printf("max allocation %s bytes: %d weights and %d activations in parts, the arena in %d "
		       "buffers\n",
		       cap, s.split_weights, s.split_activations, s.arena_buffers);
		CHECK(d->max_alloc == strtoull(cap, NULL, 10), "CLX_CL_MAX_ALLOC=%s, device reports %llu",
		      cap, (unsigned long long)d->max_alloc);
		CHECK(s.split_weights + s.split_activations > 0,
		      "CLX_CL_MAX_ALLOC=%s, but no weight or activation was split", cap);
	}
	/* a forced GEMM (CLX_GEMM) is what ran */
	const char *forced = getenv("CLX_GEMM");
	if (forced && *forced) {
		const bool own = strncmp(forced, "own", 3) == 0;
		printf("GEMMs (CLX_GEMM=%s): %s\n", forced, s.gemm_impl ? s.gemm_impl : "?");
		CHECK(s.gemm_impl && strncmp(s.gemm_impl, own ? "own " : "CLBlast", own ? 4 : 7) == 0 &&
			      !strstr(s.gemm_impl, own ? "CLBlast" : "own"),
		      "CLX_GEMM=%s, but the GEMMs ran %s", forced, s.gemm_impl ? s.gemm_impl : "?");
	}
	/* gemm.cl rejected by the compiler (CLX_CL_REJECT): every GEMM ran CLBlast */
	const char *rejected = getenv("CLX_CL_REJECT");
	if (rejected && strstr(rejected, "gemm.cl")) {
		printf("GEMMs with gemm.cl rejected: %s\n", s.gemm_impl ? s.gemm_impl : "?");
		CHECK(s.gemm_impl && strncmp(s.gemm_impl, "CLBlast", 7) == 0 && !strstr(s.gemm_impl, "own"),
		      "gemm.cl rejected, but the GEMMs ran %s", s.gemm_impl ? s.gemm_impl : "?");
	}
}

/* Under CLX_CL_DECLINE=op,… (the OpenCL backend's test hook) exactly the
 * declined ops fell back, to the CPU reference, with the reason recorded;
 * under CLX_CL_REJECT=file.cl,… (the compiler made to reject those kernel
 * files) exactly the ops CLX_TEST_REJECTED_OPS names did (maybe none), with
 * the compiler's reason; otherwise nothing fell back. `be` is the session's
 * backend. */
static inline void test_check_fallback(const struct clx_backend *be, const struct clx_graph *g)
{
	const char *rejected = getenv("CLX_CL_REJECT");
	const char *declined = rejected && *rejected ? getenv("CLX_TEST_REJECTED_OPS")
						      : getenv("CLX_CL_DECLINE");
	CHECK(!rejected || !*rejected || declined,
	      "CLX_CL_REJECT=%s needs CLX_TEST_REJECTED_OPS (empty: nothing falls back)", rejected);
	const char *cap = getenv("CLX_CL_MAX_ALLOC");
	const char *reason = rejected && *rejected ? "the compiler rejected" : "declined by";
	struct clx_placement pl;
	const bool placed = clx_backend_placement(be, &pl);
	if (!declined || !*declined) {
		/* only a forced small max allocation may move nodes, for that reason */
		int other = 0, for_size = 0;
		for (int i = 0; placed && i < g->n_nodes; i++) {
			char dev[64], why[160];
			clx_backend_node_device(be, g, i, dev, sizeof dev, why, sizeof why);
			for_size += strstr(why, "over the max allocation") != NULL;
			other += why[0] && !strstr(why, "over the max allocation");
		}
		CHECK(other == 0, "%d nodes fell back with nothing declined", other);
		CHECK(for_size == 0 || (cap && *cap), "%d nodes fell back for their size", for_size);
		if (for_size)
			printf("fallback: %d nodes with a tensor over the max allocation ran on the CPU "
			       "reference\n",
			       for_size);
		return;
	}
	CHECK(placed && pl.n_fallbacks > 0, "%s declined, but no node fell back", declined);
	int n = 0;
	for (int i = 0; i < g->n_nodes; i++) {
		char dev[64], why[160], op[40];
		clx_backend_node_device(be, g, i, dev, sizeof dev, why, sizeof why);
		snprintf(op, sizeof op, ",%s,", clx_op_name(g->nodes[i].op));
		char list[256];
		snprintf(list, sizeof list, ",%s,", declined);
		const bool want = strstr(list, op) != NULL;
		CHECK(want == (why[0] != '\0'), "node '%s' (%s): fallback '%s', declined list %s",
		      g->nodes[i].name, clx_op_name(g->nodes[i].op), why, declined);
		CHECK(!want || strstr(why, reason), "node '%s': fallback reason '%s', not '%s …'",
		      g->nodes[i].name, why, reason);
		if (want) {
			CHECK(strcmp(dev, "cpu") == 0, "declined node '%s' ran on %s", g->nodes[i].name, dev);
			n++;
		}
	}
	printf("fallback: %d nodes (%s) ran on the CPU reference, %d copies per run\n", n, declined,
	       pl.n_copies);
}

#endif
