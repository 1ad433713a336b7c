/* null_backend.c — a backend that computes nothing and only counts, so the
 * scheduler and planner can be tested without hardware (tinygrad's idea). */
#include "clx/backend.h"

struct null_backend {
	int nodes_run;
};

static const char *null_name(struct clx_backend *be)
{
	return "null";
}

static void null_free(struct clx_backend *be)
{
	if (be)
		clx_free(be->impl);
	clx_free(be);
}

static enum clx_status null_prepare(struct clx_backend *be, struct clx_ctx *ctx,
				    const struct clx_graph *g, size_t arena_bytes)
{
	return CLX_OK;
}

static enum clx_status null_copy(struct clx_backend *be, struct clx_ctx *ctx,
				 const struct clx_graph *g, int t, const void *data)
{
	return CLX_OK;
}

static enum clx_status null_get(struct clx_backend *be, struct clx_ctx *ctx,
				const struct clx_graph *g, int t, void *data)
{
	return CLX_OK;
}

static enum clx_status null_run_node(struct clx_backend *be, struct clx_ctx *ctx,
				     const struct clx_graph *g, int node)
{
	((struct null_backend *)be->impl)->nodes_run++;
	return CLX_OK;
}

static const struct clx_backend_i null_iface = {
	.name = null_name,
	.free = null_free,
	.prepare = null_prepare,
	.set_tensor = null_copy,
	.get_tensor = null_get,
	.run_node = null_run_node,
};

struct clx_backend *clx_backend_null_create(struct clx_ctx *ctx)
{
	struct clx_backend *be = clx_calloc(1, sizeof *be);
	struct null_backend *n = clx_calloc(1, sizeof *n);
	if (!be || !n) {
		clx_free(be);
		clx_free(n);
		clx_fail(ctx, CLX_ERR_NOMEM, "null backend: out of memory");
		return NULL;
	}
	be->iface = &null_iface;
	be->impl = n;
	return be;
}

int clx_backend_null_nodes_run(struct clx_backend *be)
{
	return ((struct null_backend *)be->impl)->nodes_run;
}
