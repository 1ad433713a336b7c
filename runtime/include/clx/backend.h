/* backend.h — the interface every compute backend implements.
 *
 * A backend is a struct of function pointers plus its own context (ggml's
 * ggml_backend_i). The scheduler drives it without knowing which it is:
 * prepare a planned graph (allocate the activation arena, make weights
 * resident), set inputs, run nodes in order, read outputs. */
#ifndef CLX_BACKEND_H
#define CLX_BACKEND_H

#include "clx/clx.h"
#include "clx/graph.h"

struct clx_backend;

struct clx_backend_i {
	/* Short name for messages and reports: "cpu", "null", "cl:0:0". */
	const char *(*name)(struct clx_backend *be);
	void (*free)(struct clx_backend *be);
	/* Called once per planned graph before any run: allocate `arena_bytes`
	 * for the activations (tensor offsets are in g->tensors[].offs) and make
	 * every WEIGHT tensor's data available on the device. */
	enum clx_status (*prepare)(struct clx_backend *be, struct clx_ctx *ctx,
				   const struct clx_graph *g, size_t arena_bytes);
	/* Host ↔ device copies of a whole INPUT or output tensor. */
	enum clx_status (*set_tensor)(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, int t, const void *data);
	enum clx_status (*get_tensor)(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, int t, void *data);
	/* Runs one node (may be asynchronous). */
	enum clx_status (*run_node)(struct clx_backend *be, struct clx_ctx *ctx,
				    const struct clx_graph *g, int node);
	/* Waits for everything queued. Optional (NULL: synchronous backend). */
	enum clx_status (*synchronize)(struct clx_backend *be, struct clx_ctx *ctx);
	/* Whether run_node can do this node. Optional (NULL: everything). */
	bool (*supports)(struct clx_backend *be, const struct clx_graph *g, int node);
	/* Optional profiling (NULL: the backend cannot time nodes). When on
	 * (call before prepare), every run records each node's time: device
	 * time from events covering all of its kernels on OpenCL, wall time on
	 * the CPU. node_times fills ns[node id] for the last run. */
	enum clx_status (*set_profiling)(struct clx_backend *be, struct clx_ctx *ctx, bool on);
	enum clx_status (*node_times)(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, double *ns);
	/* Optional: memory the backend holds, in bytes. */
	void (*memory)(struct clx_backend *be, size_t *weights, size_t *activations, size_t *other);
};

struct clx_backend {
	const struct clx_backend_i *iface;
	void *impl;
};

static inline const char *clx_backend_name(struct clx_backend *be)
{
	return be->iface->name(be);
}

static inline void clx_backend_free(struct clx_backend *be)
{
	if (be)
		be->iface->free(be);
}

/* The reference: plain C, f32 data, f64 accumulation. */
struct clx_backend *clx_backend_cpu_create(struct clx_ctx *ctx);

/* Does nothing but account: lets scheduler and planner tests run without
 * hardware. Counts nodes run. */
struct clx_backend *clx_backend_null_create(struct clx_ctx *ctx);
int clx_backend_null_nodes_run(struct clx_backend *be);

#endif
