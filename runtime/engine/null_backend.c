/* null_backend.c — a backend that computes nothing, so the scheduler, the
 * planner and the session can be tested without hardware (tinygrad's idea).
 * Opened with the spec "null"; not listed. The engine counts the nodes it
 * runs (clx_backend_stats().nodes_run). */
#include "engine/backend_impl.h"

#include <string.h>

static const struct clx_device_info null_device = {
	.backend = "null",
	.id = "null",
	.reference = false,
	.name = "null (computes nothing)",
	.type = "DEFAULT",
};

static const char *null_name(const struct clx_backend *be)
{
	return "null";
}

static const struct clx_device_info *null_device_info(const struct clx_backend *be)
{
	return &null_device;
}

static void null_free(struct clx_backend *be)
{
	clx_free(be);
}

static enum clx_status null_prepare(struct clx_backend *be, struct clx_ctx *ctx,
				    const struct clx_graph *g, size_t arena_bytes)
{
	return CLX_OK;
}

static enum clx_status null_set(struct clx_backend *be, struct clx_ctx *ctx,
				const struct clx_graph *g, int t, const void *data)
{
	return CLX_OK;
}

static enum clx_status null_get(struct clx_backend *be, struct clx_ctx *ctx,
				const struct clx_graph *g, int t, void *data)
{
	memset(data, 0, clx_tensor_nbytes(&g->tensors[t]));
	return CLX_OK;
}

static enum clx_status null_run_node(struct clx_backend *be, struct clx_ctx *ctx,
				     const struct clx_graph *g, int node)
{
	return CLX_OK;
}

static const struct clx_backend_i null_iface = {
	.name = null_name,
	.free = null_free,
	.device = null_device_info,
	.prepare = null_prepare,
	.set_tensor = null_set,
	.get_tensor = null_get,
	.run_node = null_run_node,
};

static enum clx_status null_list(struct clx_ctx *ctx, struct clx_device_info **devs, int *n,
				 char *note, size_t cap)
{
	*n = 0;
	if (!(*devs = clx_malloc(sizeof **devs)))
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory listing devices");
	(*devs)[0] = null_device;
	*n = 1;
	return CLX_OK;
}

static enum clx_status null_open(struct clx_ctx *ctx, const struct clx_device_info *dev,
				 struct clx_backend **out)
{
	*out = clx_backend_new(ctx, &null_iface, NULL);
	return *out ? CLX_OK : CLX_ERR_NOMEM;
}

const struct clx_backend_reg clx_backend_reg_null = { "null", null_list, null_open };
