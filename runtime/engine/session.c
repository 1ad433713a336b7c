/* session.c — a planned graph bound to a backend, run many times.
 *
 * The backend remembers which session it was prepared for
 * (struct clx_backend.prepared_for), so a run after another session used
 * the same backend prepares again before setting anything. Inputs set
 * before such a switch are therefore set again by the caller for each
 * run, which is how every caller uses sessions anyway.
 *
 * A backend that declines some node (clx_backend_supports) is wrapped in a
 * placed backend of its own (placed.c) that runs those nodes on the CPU
 * reference, with the copies in and out: the session's backend is then
 * that wrapper. */
#include "clx/session.h"

#include "engine/backend_impl.h"
#include "engine/placed.h"

#include <string.h>

struct clx_session {
	struct clx_graph *g;
	struct clx_plan *plan;
	struct clx_backend *be;      /* borrowed, or `fallback` */
	struct clx_backend *fallback; /* owned: the caller's backend with the CPU reference */
};

void clx_session_free(struct clx_session *s)
{
	if (!s)
		return;
	if (s->be && s->be->prepared_for == s)
		s->be->prepared_for = NULL;
	clx_backend_free(s->fallback);
	clx_plan_free(s->plan);
	clx_graph_free(s->g);
	clx_free(s);
}

/* The backend holds this session's graph. */
static enum clx_status bind(struct clx_ctx *ctx, struct clx_session *s)
{
	if (s->be->prepared_for == s)
		return CLX_OK;
	enum clx_status st = clx_backend_prepare(s->be, ctx, s->g, s->plan->arena_bytes);
	if (st == CLX_OK)
		s->be->prepared_for = s;
	return st;
}

enum clx_status clx_session_create(struct clx_ctx *ctx, struct clx_graph *g,
				   struct clx_backend *be, unsigned flags,
				   struct clx_session **out)
{
	*out = NULL;
	struct clx_session *s = clx_calloc(1, sizeof *s);
	if (!s) {
		clx_graph_free(g);
		return clx_fail(ctx, CLX_ERR_NOMEM, "session: out of memory");
	}
	s->g = g;
	s->be = be;
	if (!(flags & CLX_SESSION_NO_FUSE))
		clx_graph_fuse_epilogues(g);
	if (flags & CLX_SESSION_KEEP_ALL)
		for (int t = 0; t < g->n_tensors; t++)
			if (g->tensors[t].kind == CLX_TENSOR_ACT)
				g->tensors[t].is_output = true;
	enum clx_status st = clx_sched_plan_chunked(ctx, g, clx_backend_device(be)->max_alloc, &s->plan);
	bool whole = true;
	for (int i = 0; i < g->n_nodes && whole && !clx_placed_is(be); i++)
		whole = clx_backend_supports(be, g, i);
	if (st == CLX_OK && !whole && (st = clx_placed_wrap(ctx, be, &s->fallback)) == CLX_OK)
		s->be = s->fallback;
	if (st == CLX_OK)
		st = bind(ctx, s);
	if (st != CLX_OK) {
		clx_session_free(s);
		return st;
	}
	*out = s;
	return CLX_OK;
}

const struct clx_graph *clx_session_graph(const struct clx_session *s)
{
	return s->g;
}

const struct clx_plan *clx_session_plan(const struct clx_session *s)
{
	return s->plan;
}

struct clx_backend *clx_session_backend(const struct clx_session *s)
{
	return s->be;
}

int clx_session_find(const struct clx_session *s, const char *name)
{
	return clx_graph_find_tensor(s->g, name);
}

static enum clx_status check_id(struct clx_ctx *ctx, const struct clx_session *s, int t)
{
	if (t < 0 || t >= s->g->n_tensors)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "session: no tensor with id %d (graph has %d)", t,
				s->g->n_tensors);
	return CLX_OK;
}

enum clx_status clx_session_set_input(struct clx_ctx *ctx, struct clx_session *s, int t,
				      const void *data)
{
	enum clx_status st = check_id(ctx, s, t);
	if (st != CLX_OK)
		return st;
	if (s->g->tensors[t].kind != CLX_TENSOR_INPUT)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "session: tensor '%s' is not an input",
				s->g->tensors[t].name);
	if (!data)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "session: no data for input '%s'",
				s->g->tensors[t].name);
	if ((st = bind(ctx, s)) != CLX_OK)
		return st;
	return clx_backend_set_tensor(s->be, ctx, s->g, t, data);
}

enum clx_status clx_session_run(struct clx_ctx *ctx, struct clx_session *s, clx_node_cb cb,
				void *user)
{
	enum clx_status st = bind(ctx, s);
	if (st != CLX_OK)
		return st;
	return clx_sched_run(ctx, s->g, s->plan, s->be, cb, user);
}

enum clx_status clx_session_read(struct clx_ctx *ctx, struct clx_session *s, int t, void *dst)
{
	enum clx_status st = check_id(ctx, s, t);
	if (st != CLX_OK)
		return st;
	const struct clx_tensor *x = &s->g->tensors[t];
	if (!x->is_output && !s->g->tensors[clx_graph_root(s->g, t)].is_output &&
	    x->kind != CLX_TENSOR_INPUT)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"session: tensor '%s' is not kept after the run", x->name);
	if (s->be->prepared_for != s)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"session: the backend ran another graph since; run this one again "
				"before reading '%s'",
				x->name);
	return clx_backend_get_tensor(s->be, ctx, s->g, t, dst);
}

enum clx_status clx_session_read_new(struct clx_ctx *ctx, struct clx_session *s, int t,
				     void **dst)
{
	*dst = NULL;
	enum clx_status st = check_id(ctx, s, t);
	if (st != CLX_OK)
		return st;
	const size_t bytes = clx_tensor_nbytes(&s->g->tensors[t]);
	void *p = clx_malloc(bytes ? bytes : 1);
	if (!p)
		return clx_fail(ctx, CLX_ERR_NOMEM, "session: out of memory reading '%s'",
				s->g->tensors[t].name);
	if ((st = clx_session_read(ctx, s, t, p)) != CLX_OK) {
		clx_free(p);
		return st;
	}
	*dst = p;
	return CLX_OK;
}
