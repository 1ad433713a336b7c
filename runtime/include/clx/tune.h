/* tune.h — choosing, per device and per shape, the fastest implementation
 * that is exact: the tuner and its tuning file (docs/TUNING.md).
 *
 * A backend that can run a node more than one way (the OpenCL backend: the
 * own GEMM kernels' tiles and CLBlast for a matmul, the row and the
 * work-group kernel for attention) lists its candidates for each node. The
 * tuner times every candidate on every distinct tunable shape of a graph,
 * admits one only when its output matches the CPU reference on that shape
 * (NMSE ≤ CLX_TUNE_NMSE, every value finite), and writes the fastest
 * admitted one per shape to the device's tuning file. Opening a backend
 * reads that file; a shape it does not list runs the backend's default.
 *
 * The tuning file is JSON at $CLX_TUNE_FILE, else <cache dir>/tune/<key>.json
 * with key a hash of the platform, its version, the device, the driver
 * version and the clx version; the same five are stored in it and checked
 * on load. A file that cannot be read, is not a tuning file, or names
 * another device, driver or clx version is ignored with one warning
 * (clx_warn); so is an entry a backend cannot use. Neither ever fails a
 * run or changes a result beyond the tolerance the tuner admitted. */
#ifndef CLX_TUNE_H
#define CLX_TUNE_H

#include "clx/backend.h"
#include "clx/check.h"
#include "clx/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The admission bar: a GEMM's normalised MSE against the CPU reference
 * (check.h), every value finite. */
#define CLX_TUNE_NMSE CLX_CHECK_NMSE_GEMM

/* The longest shape key and implementation name, with the NUL. */
#define CLX_TUNE_KEY_MAX 160
#define CLX_TUNE_IMPL_MAX 48

/* Node `node`'s shape key, the unit a tuning file chooses for:
 *   "matmul M=400 N=2304 K=768 batch=1 w=weight wkn=0 flags=1"
 *   "attention n=8 Sq=50 Sk=50 heads=12 dh=64 mask=0 causal=0"
 * false (buf "") for an op the tuner does not choose for. */
bool clx_tune_key(const struct clx_graph *g, int node, char *buf, size_t cap);

/* The implementations be can run node with, its default first, into out
 * (at most max); 0 when there is nothing to choose (an op run one way, a
 * backend without choices, or an environment variable forcing it). */
int clx_tune_candidates(const struct clx_backend *be, const struct clx_graph *g, int node,
			char (*out)[CLX_TUNE_IMPL_MAX], int max);

/* The tuning file for device d into buf; false when there is none
 * (CLX_NO_CACHE and no CLX_TUNE_FILE, or no cache directory). */
bool clx_tune_path(const struct clx_device_info *d, char *buf, size_t cap);

/* Where the tuner is, for a progress line. */
struct clx_tune_progress {
	int shape, n_shapes;          /* 1-based */
	const char *key;
	int candidate, n_candidates;  /* 1-based; 0 when the shape is done */
	const char *impl;             /* the candidate being tried, or the one chosen */
	double elapsed_s;
};

struct clx_tune_opts {
	double budget_s;              /* stop trying candidates after this (≤ 0: no limit) */
	int runs;                     /* timed runs per candidate, median (≤ 0: 5) */
	void (*progress)(void *user, const struct clx_tune_progress *p); /* may be NULL */
	void *user;
	/* Only these candidates (n_only > 0), besides the backend's default,
	 * which is always tried: the baseline every choice is measured against. */
	const char *const *only;
	int n_only;
};

/* One tuned shape. */
struct clx_tune_choice {
	char key[CLX_TUNE_KEY_MAX];
	char impl[CLX_TUNE_IMPL_MAX];         /* the fastest admitted */
	double time_s, gflops;                /* its median; gflops 0 for no-FLOP ops */
	double nmse;                          /* its error against the CPU reference */
	char default_impl[CLX_TUNE_IMPL_MAX]; /* what the backend runs untuned */
	double default_time_s;                /* its median (NaN if it was not admitted) */
	int n_candidates, n_admitted;
	char rejected[256];                   /* "impl: why; …" for candidates not admitted */
};

struct clx_tune_report {
	struct clx_tune_choice *choices;      /* clx_free */
	int n_choices;
	int n_shapes;                         /* distinct tunable shapes in the graph */
	int n_untuned;                        /* shapes left out when the budget ran out */
	double seconds;
	char path[1024];                      /* the file written */
};

/* Tunes every distinct tunable shape of graph g (as a session would run it:
 * fused) on backend be and merges the choices into be's tuning file
 * (entries for other shapes are kept). be must be able to list candidates
 * (an OpenCL device); the CPU reference checks them. Afterwards be runs
 * with the new choices. */
enum clx_status clx_tune_run(struct clx_ctx *ctx, struct clx_backend *be,
			     const struct clx_graph *g, const struct clx_tune_opts *opts,
			     struct clx_tune_report *out);
void clx_tune_report_release(struct clx_tune_report *r);

#ifdef __cplusplus
}
#endif
#endif
