/* backend_impl.h — the interface a backend implements, and how it registers.
 *
 * Seen only by runtime/engine/ and the backends (runtime/cpu, cl/, the null
 * and checked backends); clients use the wrappers of clx/backend.h. Every
 * slot marked optional may be NULL and the wrapper supplies the default. */
#ifndef CLX_ENGINE_BACKEND_IMPL_H
#define CLX_ENGINE_BACKEND_IMPL_H

#include "clx/backend.h"
#include "clx/tune.h"

struct clx_backend_i {
	const char *(*name)(const struct clx_backend *be);
	void (*free)(struct clx_backend *be);
	const struct clx_device_info *(*device)(const struct clx_backend *be);
	/* Allocate `arena_bytes` for the activations (tensor offsets are in
	 * g->tensors[].offs) and make every WEIGHT tensor's data available. */
	enum clx_status (*prepare)(struct clx_backend *be, struct clx_ctx *ctx,
				   const struct clx_graph *g, size_t arena_bytes);
	enum clx_status (*set_tensor)(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, int t, const void *data);
	enum clx_status (*get_tensor)(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, int t, void *data);
	enum clx_status (*run_node)(struct clx_backend *be, struct clx_ctx *ctx,
				    const struct clx_graph *g, int node);
	/* Optional (NULL: a synchronous backend). */
	enum clx_status (*synchronize)(struct clx_backend *be, struct clx_ctx *ctx);
	/* Optional (NULL: every node). Declining, it says why in `why`
	 * (cap ≥ 1): an op it lacks, a buffer it cannot hold. */
	bool (*supports)(struct clx_backend *be, const struct clx_graph *g, int node, char *why,
			 size_t cap);
	/* Optional, both or neither (NULL: cannot time nodes). */
	enum clx_status (*set_profiling)(struct clx_backend *be, struct clx_ctx *ctx, bool on);
	enum clx_status (*node_times)(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, double *ns);
	/* Optional (NULL: zeros). nodes_run is the engine's. */
	void (*stats)(const struct clx_backend *be, struct clx_backend_stats *out);
	/* Optional (NULL: ""). What node ran with in the last run. */
	void (*node_impl)(const struct clx_backend *be, const struct clx_graph *g, int node,
			  char *buf, size_t cap);
	/* Optional (NULL: nothing to tune). The implementations node can run
	 * with (clx/tune.h), the backend's untuned default first; returns how
	 * many were written (≤ max). The backend's prepare honours
	 * clx_backend_tuned. */
	int (*candidates)(const struct clx_backend *be, const struct clx_graph *g, int node,
			  char (*out)[CLX_TUNE_IMPL_MAX], int max);
	/* Optional (NULL: one device, no fallback). The placed backend's. */
	bool (*placement)(const struct clx_backend *be, struct clx_placement *out);
	void (*node_device)(const struct clx_backend *be, const struct clx_graph *g, int node,
			    char *dev, size_t dcap, char *why, size_t wcap);
	enum clx_status (*node_spans)(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, double *start, double *end, int *dev);
	/* Optional (NULL: no microbenchmarks). */
	enum clx_status (*peak)(struct clx_backend *be, struct clx_ctx *ctx, double *gflops,
				double *gbps);
};

struct clx_backend {
	const struct clx_backend_i *iface;
	void *impl;                  /* the backend's own state */
	/* the engine's */
	const void *prepared_for;    /* the session whose graph is prepared, or NULL */
	uint64_t nodes_run;
	bool profiling;              /* set_profiling's last success */
	struct clx_tuning *tuning;   /* the device's tuning file, read at open (tuning.c) */
	const char *trial_key;       /* the tuner's candidate under trial: shape key … */
	const char *trial_impl;      /* … and implementation (tune.c), or NULL */
};

/* For a backend's prepare: the implementation chosen for node (the tuner's
 * trial, else the tuning file's entry for its shape), or NULL: the
 * backend's default. */
const char *clx_backend_tuned(const struct clx_backend *be, const struct clx_graph *g, int node);
/* The backend cannot run node as `impl` says (why): under trial that fails
 * the candidate (an error in ctx, the status returned); from a file it is
 * one warning per file and CLX_OK, the default runs. */
enum clx_status clx_backend_tuned_unusable(struct clx_backend *be, struct clx_ctx *ctx,
					   const struct clx_graph *g, int node, const char *impl,
					   const char *why);

/* A backend kind, listed in the build's table (CMake generates
 * clx_backends.h from the backends it builds). */
struct clx_backend_reg {
	const char *name;            /* "cpu", "null", "cl" */
	/* Its devices, in a new array (clx_free). None is not an error: *n = 0
	 * with the reason in note. */
	enum clx_status (*list)(struct clx_ctx *ctx, struct clx_device_info **devs, int *n,
				char *note, size_t cap);
	/* Opens one of the devices `list` gave. */
	enum clx_status (*open)(struct clx_ctx *ctx, const struct clx_device_info *dev,
				struct clx_backend **out);
};

/* The device of one-device spec `spec` (not auto, not a placement) among
 * l's: its precision suffix (@f16, @f16-math, @f32) split off and set in
 * dev->weights_f16 / math_f16 (half weights on OpenCL devices only), the
 * rest selected by clx_device_select. */
enum clx_status clx_spec_device(struct clx_ctx *ctx, const char *spec,
				const struct clx_device_list *l, struct clx_device_info *dev);
/* The exact spec that opens dev again: its id and precision suffix. */
void clx_spec_canonical(const struct clx_device_info *dev, char *buf, size_t cap);

/* A new struct clx_backend for iface and impl (NULL after an allocation
 * failure, with the message in ctx). */
struct clx_backend *clx_backend_new(struct clx_ctx *ctx, const struct clx_backend_i *iface,
				    void *impl);

#endif
