/* session.h — a graph planned once and run any number of times on one
 * backend: the engine's unit of work.
 *
 * A session owns its graph and the plan (order, lifetimes, the activation
 * arena) and borrows the backend. Create it once for a set of shapes, then
 * set inputs, run and read outputs as often as needed; nothing is rebuilt
 * or re-uploaded between runs. Several sessions may share one backend:
 * running a session whose graph is not the one the backend holds prepares
 * it again (weights stay resident, so that costs an arena, not an upload).
 *
 * Tensors are addressed by id (struct clx_graph) or found by name. */
#ifndef CLX_SESSION_H
#define CLX_SESSION_H

#include "clx/backend.h"
#include "clx/graph.h"
#include "clx/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

struct clx_session;

enum clx_session_flags {
	/* Every activation is kept after a run (no memory reuse), so any node's
	 * output can be read: per-node validation. */
	CLX_SESSION_KEEP_ALL = 1u << 0,
	/* Run the graph exactly as built: no epilogue fusion
	 * (clx_graph_fuse_epilogues, on by default). */
	CLX_SESSION_NO_FUSE = 1u << 1,
};

/* Fuses `g`'s epilogues (unless CLX_SESSION_NO_FUSE), plans it and prepares
 * it on `be`. The session takes `g` (also on failure: it is freed then). */
enum clx_status clx_session_create(struct clx_ctx *ctx, struct clx_graph *g,
				   struct clx_backend *be, unsigned flags,
				   struct clx_session **out);
void clx_session_free(struct clx_session *s);

const struct clx_graph *clx_session_graph(const struct clx_session *s);
const struct clx_plan *clx_session_plan(const struct clx_session *s);
struct clx_backend *clx_session_backend(const struct clx_session *s);

/* The id of the tensor called `name`, or -1. */
int clx_session_find(const struct clx_session *s, const char *name);

/* Copies host data into INPUT tensor t (its whole size, its dtype). */
enum clx_status clx_session_set_input(struct clx_ctx *ctx, struct clx_session *s, int t,
				      const void *data);
/* Runs every node in plan order and waits for the backend. `cb` (may be
 * NULL) is called after each node is dispatched. */
enum clx_status clx_session_run(struct clx_ctx *ctx, struct clx_session *s, clx_node_cb cb,
				void *user);
/* Copies tensor t (an output, or any activation under KEEP_ALL) to host. */
enum clx_status clx_session_read(struct clx_ctx *ctx, struct clx_session *s, int t, void *dst);
/* The same into a new buffer of the tensor's size (clx_free). */
enum clx_status clx_session_read_new(struct clx_ctx *ctx, struct clx_session *s, int t,
				     void **dst);

#ifdef __cplusplus
}
#endif
#endif
