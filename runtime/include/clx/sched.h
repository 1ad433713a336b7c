/* sched.h — topological order, tensor lifetimes, the activation memory plan
 * and dispatch of a graph to a backend.
 *
 * The plan places every activation at an offset in one arena, reusing the
 * memory of tensors whose last reader has run (greedy best-fit over the
 * topological order, like ggml-alloc). Outputs and tensors marked
 * is_output are never reused. */
#ifndef CLX_SCHED_H
#define CLX_SCHED_H

#include "clx/backend.h"
#include "clx/graph.h"

#define CLX_ARENA_ALIGN 256 /* bytes; ≥ any device's base address alignment */

struct clx_plan {
	int n_order;
	int *order;            /* node ids in execution order */
	int *last_use;         /* per tensor: position in `order` of its last reader, -1 */
	size_t arena_bytes;    /* planned high-water mark */
	size_t naive_bytes;    /* sum of every activation, no reuse */
	size_t chunk;          /* 0, or no activation of at most this size crosses a
	                          multiple of it (clx_sched_plan_chunked) */
};

/* The execution order alone: every node id once, producers first (Kahn's
 * algorithm, ties by the lowest id). Fails on a cycle. */
enum clx_status clx_sched_order(struct clx_ctx *ctx, const struct clx_graph *g, int *order);

/* Orders the nodes (Kahn's algorithm, ties by insertion order), computes
 * lifetimes and assigns g->tensors[].offs. Fails on a cycle. */
enum clx_status clx_sched_plan(struct clx_ctx *ctx, struct clx_graph *g, struct clx_plan **out);
/* The same for a device whose buffers hold at most `chunk` bytes (its
 * CL_DEVICE_MAX_MEM_ALLOC_SIZE; 0: no limit): the arena can then be several
 * buffers of `chunk` bytes, each tensor inside one of them, except a tensor
 * larger than that: it is held in parts (clx_sched_part_units), part j at
 * offs + j · chunk (offs a multiple of chunk). */
enum clx_status clx_sched_plan_chunked(struct clx_ctx *ctx, struct clx_graph *g, size_t chunk,
				       struct clx_plan **out);
void clx_plan_free(struct clx_plan *p);

/* A tensor larger than `chunk` bytes (rounded down to CLX_ARENA_ALIGN, as
 * the plan rounds it) is held in parts on such a device: whole slices of
 * its outermost dimension ("units" of nbytes / ne[0] bytes), the same
 * number in each part but the last, units u · p … u · p + p − 1 in part u.
 * Returns p, the units per part; 0 when t fits in one buffer or a unit does
 * not. */
int64_t clx_sched_part_units(const struct clx_tensor *t, size_t chunk);
/* The chunk a plan for buffers of at most max_alloc bytes uses: max_alloc
 * rounded down to CLX_ARENA_ALIGN (0: no limit). */
size_t clx_sched_chunk(size_t max_alloc);
/* The arena bytes t takes from its offset on, planned for `chunk`: its
 * size rounded up to CLX_ARENA_ALIGN, or held in parts, every part but the
 * last a whole chunk. */
size_t clx_sched_footprint(const struct clx_tensor *t, size_t chunk);

/* Called after each node when given (validation, profiling). Returning
 * non-OK stops the run with that status. */
typedef enum clx_status (*clx_node_cb)(void *user, struct clx_backend *be,
				       const struct clx_graph *g, int node);

/* Runs every node in plan order on `be`, then synchronises. */
enum clx_status clx_sched_run(struct clx_ctx *ctx, const struct clx_graph *g,
			      const struct clx_plan *plan, struct clx_backend *be,
			      clx_node_cb cb, void *user);

#endif
