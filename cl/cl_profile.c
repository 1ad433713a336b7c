/* cl_profile.c — per-node device times on the OpenCL backend.
 *
 * With profiling on (clx-profile, docs/PROFILE.md) the queue has
 * CL_QUEUE_PROFILING_ENABLE and a run is gated: its first node enqueues a
 * marker behind a user event, so nothing executes until synchronize
 * releases it. The device then runs the whole graph back to back, and a
 * marker after each node's commands gives the node's device time as the
 * difference of consecutive markers' end times — every kernel of the node
 * included, whole CLBlast calls too (CLBlast's own event covers only its
 * last kernel), and no time the device spent waiting for the host. A
 * failed run, a transfer or free() releases the gate first. */
#include "cl_internal.h"

#include <string.h>

static void release_events(struct cl_backend *b)
{
	if (b->gate_marker)
		clReleaseEvent(b->gate_marker);
	b->gate_marker = NULL;
	for (int i = 0; b->node_end && i < b->node_cap; i++)
		if (b->node_end[i]) {
			clReleaseEvent(b->node_end[i]);
			b->node_end[i] = NULL;
		}
	b->n_run = 0;
}

void cl_profile_ungate(struct cl_backend *b)
{
	if (!b->gate)
		return;
	clSetUserEventStatus(b->gate, CL_COMPLETE);
	clReleaseEvent(b->gate);
	b->gate = NULL;
}

/* Before a node: at the first node of a run, the gate. */
enum clx_status cl_profile_begin(struct cl_backend *b, struct clx_ctx *ctx, int node, int n_nodes)
{
	if (node >= b->node_cap) {
		const int cap = n_nodes > node ? n_nodes : node + 1;
		cl_event *e = clx_realloc(b->node_end, (size_t)cap * sizeof *e);
		if (e)
			b->node_end = e;
		int *o = e ? clx_realloc(b->run_order, (size_t)cap * sizeof *o) : NULL;
		if (!e || !o)
			return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for profiling", b->label);
		b->run_order = o;
		for (int i = b->node_cap; i < cap; i++)
			b->node_end[i] = NULL;
		b->node_cap = cap;
	}
	if (b->gate)
		return CLX_OK;
	release_events(b);
	cl_int err;
	b->gate = clCreateUserEvent(b->context, &err);
	if (!b->gate)
		return cl_err(b, ctx, "clCreateUserEvent", err);
	err = clEnqueueMarkerWithWaitList(b->queue, 1, &b->gate, &b->gate_marker);
	if (err != CL_SUCCESS) {
		cl_profile_ungate(b);
		return cl_err(b, ctx, "clEnqueueMarkerWithWaitList", err);
	}
	return CLX_OK;
}

/* After a node: the marker that ends it. */
enum clx_status cl_profile_end(struct cl_backend *b, struct clx_ctx *ctx, int node)
{
	if (b->node_end[node]) {
		clReleaseEvent(b->node_end[node]);
		b->node_end[node] = NULL;
	}
	cl_int err = clEnqueueMarkerWithWaitList(b->queue, 0, NULL, &b->node_end[node]);
	if (err != CL_SUCCESS)
		return cl_err(b, ctx, "clEnqueueMarkerWithWaitList", err);
	if (b->n_run < b->node_cap)
		b->run_order[b->n_run++] = node;
	return CLX_OK;
}

enum clx_status cl_profile_set(struct clx_backend *be, struct clx_ctx *ctx, bool on)
{
	struct cl_backend *b = cl_of(be);
	enum clx_status st = cl_check_alive(b, ctx);
	if (st != CLX_OK || on == b->profiling)
		return st;
	/* a queue with (or without) profiling replaces the idle one */
	cl_profile_ungate(b);
	release_events(b);
	cl_int err = clFinish(b->queue);
	if (err != CL_SUCCESS)
		return cl_poison(b, ctx, "clFinish", err);
	cl_command_queue q = CLW_CREATE(clCreateCommandQueue, &err, b->context, b->dev.device,
					on ? CL_QUEUE_PROFILING_ENABLE : 0);
	if (!q || err != CL_SUCCESS)
		return cl_err(b, ctx, "clCreateCommandQueue(CL_QUEUE_PROFILING_ENABLE)", err);
	clReleaseCommandQueue(b->queue);
	b->queue = q;
	b->profiling = on;
	return CLX_OK;
}

enum clx_status cl_profile_node_times(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, double *ns)
{
	struct cl_backend *b = cl_of(be);
	if (!b->profiling || !b->gate_marker || b->gate)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"%s: no profiled run to report (profiling %s)", b->label,
				b->profiling ? "on" : "off");
	for (int i = 0; i < g->n_nodes; i++)
		ns[i] = 0;
	cl_ulong prev = 0, first = 0;
	cl_int err = clGetEventProfilingInfo(b->gate_marker, CL_PROFILING_COMMAND_END, sizeof prev, &prev,
					     NULL);
	first = prev;
	for (int k = 0; k < b->n_run && err == CL_SUCCESS; k++) {
		const int node = b->run_order[k];
		cl_ulong end = 0;
		if (node >= g->n_nodes || !b->node_end[node])
			continue;
		err = clGetEventProfilingInfo(b->node_end[node], CL_PROFILING_COMMAND_END, sizeof end, &end,
					      NULL);
		if (err == CL_SUCCESS && end < prev)
			return clx_fail(ctx, CLX_ERR_DEVICE,
					"%s: the driver's profiling timestamps go backwards at node '%s'; "
					"per-node times are unavailable on this device",
					b->label, g->nodes[node].name);
		ns[node] = (double)(end - prev);
		prev = end;
	}
	if (err != CL_SUCCESS)
		return cl_err(b, ctx, "clGetEventProfilingInfo", err);
	if (b->n_run > 0 && prev == first)
		return clx_fail(ctx, CLX_ERR_DEVICE,
				"%s: the driver's profiling timestamps do not advance; per-node times are "
				"unavailable on this device",
				b->label);
	return CLX_OK;
}

void cl_profile_free(struct cl_backend *b)
{
	cl_profile_ungate(b);
	release_events(b);
	clx_free(b->node_end);
	clx_free(b->run_order);
	b->node_end = NULL;
	b->run_order = NULL;
	b->node_cap = 0;
}
