/* placed.c — the placed backend: one graph over several devices.
 *
 * A backend made of backends. Its prepare places every node on a device:
 * by tower (which inputs the node derives from, below), then, when that
 * device declines the node (clx_backend_supports), on the next device of
 * the fallback list, which ends at the CPU reference. Each device gets the
 * sub-graph of its nodes, planned and prepared on it like any graph. Where
 * an edge crosses devices the tensor's root becomes an input of the
 * consumer's sub-graph and a copy step (a transfer: read on the producer,
 * written on the consumer, through a host buffer) joins the DAG.
 *
 * Running: every device has a worker thread and a queue. run_node, called
 * by the scheduler in plan order, only queues: the node on its device, and
 * before it the copy steps it needs (copy-out on the producer's queue,
 * copy-in on the consumer's). A copy-in waits for its copy-out; nothing
 * else synchronises, so the towers run concurrently. synchronize waits for
 * every queue. With one device in use nothing is threaded.
 *
 * Towers: a node derives from pixel_values only (vision), from the other
 * inputs only (text: token ids, masks, cached text features), or from both
 * or neither (prompt: the prompt generator, the logits, logit_scale). The
 * rule follows the DAG, not names, so every model family gets it.
 *
 * Also here: the placement spec's grammar (clx_placed_open, which
 * clx_backend_open calls for a spec with '='). Not here: single-device specs
 * and "auto" (backend.c), the scheduler's order (sched.c), what a device
 * declines (each backend's supports). */
#include "engine/placed.h"

#include "clx/sched.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PARTS = 4 };

enum item_kind { ITEM_NODE, ITEM_OUT, ITEM_IN };

struct item {
	enum item_kind kind;
	int idx;                     /* sub-graph node, or transfer */
};

/* One edge crossing devices: tensor t (a root, full-graph id) made on part
 * `from`, needed on part `to`. */
struct xfer {
	int t, from, to;
	int t_from, t_to;            /* its ids in the two sub-graphs */
	void *host;
	size_t bytes;
	uint64_t issued, ready;      /* the run generation it was queued / read in */
};

struct part {
	struct clx_backend *be;
	bool owned;
	char spec[64];               /* what opened it ("" when borrowed) */
	struct clx_ctx *ctx;         /* the worker's */
	/* the prepared sub-graph */
	struct clx_graph *g;
	struct clx_plan *plan;
	int *tmap;                   /* full tensor id → sub id, -1 */
	int *full;                   /* sub-graph node → full graph node */
	int n_nodes;                 /* of the full graph placed here */
	/* the queue (under placed.mu) */
	struct item *q;
	int q_cap, q_head, q_len;
	uint64_t pushed, done;
	pthread_t thread;
	bool started;
};

struct placed {
	struct part parts[MAX_PARTS];
	int n_parts;
	int tower[CLX_TOWER_COUNT];  /* part index per tower */
	char name[256];
	struct clx_device_info info;
	/* the prepared graph */
	const struct clx_graph *g;
	int n_nodes;
	int *node_part, *node_sub;
	char (*why)[160];            /* per node: why it fell back, "" */
	double *t_start, *t_end;     /* per node, profiling: when its worker ran it (clx_now),
	                                synchronising after it, so the span is its device's */
	int *node_nx;                /* per node: how many transfers it needs … */
	int *xs_of;                  /* … at xs_of[node · CLX_MAX_SRC] */
	struct xfer *x;
	int n_x;
	/* running */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t gen;
	bool running, quit, failed, profiling;
	enum clx_status err;
	char errmsg[1024];
};

static struct placed *placed_of(const struct clx_backend *be)
{
	return be->impl;
}

static const char *const tower_names[CLX_TOWER_COUNT] = { "vision", "text", "prompt" };

/* ------------------------------------------------------------- workers */

static void queue_push(struct placed *p, int part, enum item_kind kind, int idx, bool *oom)
{
	struct part *pt = &p->parts[part];
	if (pt->q_len == pt->q_cap) {
		const int cap = pt->q_cap ? 2 * pt->q_cap : 256;
		struct item *q = clx_malloc((size_t)cap * sizeof *q);
		if (!q) {
			*oom = true;
			return;
		}
		for (int i = 0; i < pt->q_len; i++)
			q[i] = pt->q[(pt->q_head + i) % pt->q_cap];
		clx_free(pt->q);
		pt->q = q;
		pt->q_cap = cap;
		pt->q_head = 0;
	}
	pt->q[(pt->q_head + pt->q_len) % pt->q_cap] = (struct item){ kind, idx };
	pt->q_len++;
	pt->pushed++;
}

/* The first failure of a run stops it: later items are dropped. */
static void record_failure(struct placed *p, const struct part *pt, enum clx_status st)
{
	if (p->failed)
		return;
	p->failed = true;
	p->err = st;
	snprintf(p->errmsg, sizeof p->errmsg, "%s", clx_last_error(pt->ctx));
}

static enum clx_status run_node_timed(struct placed *p, struct part *pt, int sub)
{
	if (!p->profiling)
		return clx_backend_run_node(pt->be, pt->ctx, pt->g, sub);
	const int node = pt->full[sub];
	p->t_start[node] = clx_now();
	enum clx_status st = clx_backend_run_node(pt->be, pt->ctx, pt->g, sub);
	if (st == CLX_OK)
		st = clx_backend_synchronize(pt->be, pt->ctx);
	p->t_end[node] = clx_now();
	return st;
}

static enum clx_status run_item(struct placed *p, struct part *pt, struct item it)
{
	switch (it.kind) {
	case ITEM_NODE:
		return run_node_timed(p, pt, it.idx);
	case ITEM_OUT: {
		struct xfer *x = &p->x[it.idx];
		enum clx_status st = clx_backend_get_tensor(pt->be, pt->ctx, pt->g, x->t_from, x->host);
		if (st != CLX_OK)
			return st; /* the failure wakes the copy-in */
		pthread_mutex_lock(&p->mu);
		x->ready = p->gen;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		return CLX_OK;
	}
	case ITEM_IN: {
		struct xfer *x = &p->x[it.idx];
		pthread_mutex_lock(&p->mu);
		while (x->ready != p->gen && !p->failed)
			pthread_cond_wait(&p->cv, &p->mu);
		const bool failed = p->failed;
		pthread_mutex_unlock(&p->mu);
		return failed ? CLX_OK : clx_backend_set_tensor(pt->be, pt->ctx, pt->g, x->t_to, x->host);
	}
	}
	return CLX_OK;
}

struct worker_arg {
	struct placed *p;
	int part;
};

static void *worker(void *arg)
{
	struct placed *p = ((struct worker_arg *)arg)->p;
	struct part *pt = &p->parts[((struct worker_arg *)arg)->part];
	clx_free(arg);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (pt->q_len == 0 && !p->quit)
			pthread_cond_wait(&p->cv, &p->mu);
		if (pt->q_len == 0)
			break;
		const struct item it = pt->q[pt->q_head];
		pt->q_head = (pt->q_head + 1) % pt->q_cap;
		pt->q_len--;
		const bool skip = p->failed;
		pthread_mutex_unlock(&p->mu);
		const enum clx_status st = skip ? CLX_OK : run_item(p, pt, it);
		pthread_mutex_lock(&p->mu);
		if (st != CLX_OK)
			record_failure(p, pt, st);
		pt->done++;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static bool threaded(const struct placed *p)
{
	int used = 0;
	for (int i = 0; i < p->n_parts; i++)
		used += p->parts[i].n_nodes > 0;
	return used > 1;
}

static enum clx_status start_workers(struct placed *p, struct clx_ctx *ctx)
{
	for (int i = 0; i < p->n_parts; i++) {
		struct part *pt = &p->parts[i];
		if (pt->started || pt->n_nodes == 0)
			continue;
		struct worker_arg *a = clx_malloc(sizeof *a);
		if (!a)
			return clx_fail(ctx, CLX_ERR_NOMEM, "placed backend: out of memory");
		*a = (struct worker_arg){ p, i };
		if (pthread_create(&pt->thread, NULL, worker, a) != 0) {
			clx_free(a);
			return clx_fail(ctx, CLX_ERR_DEVICE, "placed backend: cannot start a thread for %s",
					clx_backend_name(pt->be));
		}
		pt->started = true;
	}
	return CLX_OK;
}

static void stop_workers(struct placed *p)
{
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->n_parts; i++)
		if (p->parts[i].started)
			pthread_join(p->parts[i].thread, NULL);
	for (int i = 0; i < p->n_parts; i++)
		p->parts[i].started = false;
	p->quit = false;
}

/* With p->mu held: until every queue is empty. */
static void wait_idle(struct placed *p)
{
	for (;;) {
		bool busy = false;
		for (int i = 0; i < p->n_parts; i++)
			busy |= p->parts[i].done != p->parts[i].pushed;
		if (!busy)
			return;
		pthread_cond_wait(&p->cv, &p->mu);
	}
}

/* Waits until every queue is empty; the run's failure, if any, into ctx
 * (reported once: the next run starts clean). */
static enum clx_status drain(struct placed *p, struct clx_ctx *ctx)
{
	pthread_mutex_lock(&p->mu);
	wait_idle(p);
	const bool failed = p->failed;
	p->failed = false;
	p->running = false;
	pthread_mutex_unlock(&p->mu);
	return failed ? clx_fail(ctx, p->err, "%s", p->errmsg) : CLX_OK;
}

/* --------------------------------------------------------------- placing */

/* Which inputs every tensor derives from: bit 0 pixel_values, bit 1 any
 * other input. */
static enum clx_status tower_of_nodes(struct clx_ctx *ctx, const struct clx_graph *g,
				      const int *order, enum clx_tower *out)
{
	unsigned char *from = clx_calloc((size_t)g->n_tensors + 1, 1);
	if (!from)
		return clx_fail(ctx, CLX_ERR_NOMEM, "placed backend: out of memory");
	for (int t = 0; t < g->n_tensors; t++)
		if (g->tensors[t].kind == CLX_TENSOR_INPUT)
			from[t] = strcmp(g->tensors[t].name, "pixel_values") == 0 ? 1 : 2;
	for (int k = 0; k < g->n_nodes; k++) {
		const struct clx_node *nd = &g->nodes[order[k]];
		unsigned char f = 0;
		for (int s = 0; s < nd->n_src; s++) {
			int t = nd->src[s];
			while (g->tensors[t].kind == CLX_TENSOR_VIEW) {
				f |= from[t];
				t = g->tensors[t].view_src;
			}
			f |= from[t];
		}
		from[nd->dst] = f;
		out[order[k]] = f == 1 ? CLX_TOWER_VISION : f == 2 ? CLX_TOWER_TEXT : CLX_TOWER_PROMPT;
	}
	clx_free(from);
	return CLX_OK;
}

static enum clx_status open_part(struct placed *p, struct clx_ctx *ctx, const char *spec, int *idx)
{
	for (int i = 0; i < p->n_parts; i++)
		if (p->parts[i].owned && strcmp(p->parts[i].spec, spec) == 0) {
			*idx = i;
			return CLX_OK;
		}
	if (p->n_parts == MAX_PARTS)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "device placement: more than %d devices",
				MAX_PARTS);
	struct part *pt = &p->parts[p->n_parts];
	memset(pt, 0, sizeof *pt);
	if (!(pt->ctx = clx_ctx_create()))
		return clx_fail(ctx, CLX_ERR_NOMEM, "placed backend: out of memory");
	enum clx_status st = clx_backend_open(ctx, spec, &pt->be);
	if (st != CLX_OK) {
		clx_ctx_free(pt->ctx);
		return st;
	}
	pt->owned = true;
	snprintf(pt->spec, sizeof pt->spec, "%s", spec);
	/* a device added for fallback times its nodes as the others do */
	bool timing = false;
	for (int i = 0; i < p->n_parts; i++)
		timing |= p->parts[i].be->profiling;
	if (timing && (st = clx_backend_set_profiling(pt->be, ctx, true)) != CLX_OK) {
		clx_backend_free(pt->be);
		clx_ctx_free(pt->ctx);
		return st;
	}
	*idx = p->n_parts++;
	return CLX_OK;
}

/* The part a node runs on: its tower's device, else the first device of
 * the fallback list (the placement's devices in order, then the CPU
 * reference) that takes it. */
static enum clx_status place_node(struct placed *p, struct clx_ctx *ctx, const struct clx_graph *g,
				  int node, enum clx_tower tower)
{
	const int first = p->tower[tower];
	char why[160] = "";
	if (clx_backend_supports_why(p->parts[first].be, g, node, why, sizeof why)) {
		p->node_part[node] = first;
		return CLX_OK;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < p->n_parts; i++) {
			if (i == first || !clx_backend_supports(p->parts[i].be, g, node))
				continue;
			p->node_part[node] = i;
			snprintf(p->why[node], sizeof p->why[node], "%.40s declined: %.100s",
				 clx_backend_name(p->parts[first].be), why);
			return CLX_OK;
		}
		if (pass == 0) {
			int cpu;
			enum clx_status st = open_part(p, ctx, "cpu", &cpu);
			if (st != CLX_OK)
				return st;
		}
	}
	return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "no device can run node '%s' (%s): %s", g->nodes[node].name,
			clx_op_name(g->nodes[node].op), why);
}

/* ------------------------------------------------------------- sub-graphs */

/* Tensor t of the full graph in part pi's sub-graph (added on first use):
 * an ACT made elsewhere becomes an INPUT there. */
static int sub_tensor(struct placed *p, int pi, int t)
{
	struct part *pt = &p->parts[pi];
	if (pt->tmap[t] >= 0)
		return pt->tmap[t];
	struct clx_tensor x = p->g->tensors[t];
	if (x.kind == CLX_TENSOR_VIEW) {
		const int src = sub_tensor(p, pi, x.view_src);
		if (src < 0)
			return -1;
		x.view_src = src;
	} else if (x.kind == CLX_TENSOR_ACT) {
		/* made here: added with its producer, in order; made elsewhere */
		x.kind = CLX_TENSOR_INPUT;
		x.is_output = false;
	}
	x.producer = -1;
	return pt->tmap[t] = clx_graph_copy_tensor(pt->g, &x);
}

static int sub_node(struct placed *p, int pi, int node)
{
	struct part *pt = &p->parts[pi];
	struct clx_graph *sg = pt->g;
	struct clx_node nd = p->g->nodes[node];
	for (int s = 0; s < nd.n_src; s++)
		if ((nd.src[s] = sub_tensor(p, pi, nd.src[s])) < 0)
			return -1;
	struct clx_tensor dst = p->g->tensors[nd.dst];
	dst.producer = sg->n_nodes;
	if ((nd.dst = pt->tmap[nd.dst] = clx_graph_copy_tensor(sg, &dst)) < 0)
		return -1;
	return clx_graph_copy_node(sg, &nd);
}

static int owner_part(const struct placed *p, int t)
{
	const int r = clx_graph_root(p->g, t);
	const int prod = p->g->tensors[r].producer;
	if (prod >= 0)
		return p->node_part[prod];
	for (int i = 0; i < p->n_parts; i++)
		if (p->parts[i].tmap && p->parts[i].tmap[t] >= 0)
			return i;
	return -1;
}

static void release_graph(struct placed *p)
{
	for (int i = 0; i < p->n_parts; i++) {
		struct part *pt = &p->parts[i];
		clx_graph_free(pt->g);
		clx_plan_free(pt->plan);
		clx_free(pt->tmap);
		clx_free(pt->full);
		pt->full = NULL;
		pt->g = NULL;
		pt->plan = NULL;
		pt->tmap = NULL;
		pt->n_nodes = 0;
	}
	for (int i = 0; i < p->n_x; i++)
		clx_free(p->x[i].host);
	clx_free(p->x);
	clx_free(p->node_part);
	clx_free(p->node_sub);
	clx_free(p->why);
	clx_free(p->node_nx);
	clx_free(p->xs_of);
	clx_free(p->t_start);
	clx_free(p->t_end);
	p->t_start = p->t_end = NULL;
	p->x = NULL;
	p->n_x = 0;
	p->node_part = p->node_sub = p->node_nx = p->xs_of = NULL;
	p->why = NULL;
	p->g = NULL;
	p->n_nodes = 0;
}

/* The transfers of node (its sources made on other parts), each once per
 * (root, consumer part). */
static enum clx_status add_transfers(struct placed *p, int node, int *cap)
{
	const struct clx_graph *g = p->g;
	const struct clx_node *nd = &g->nodes[node];
	const int to = p->node_part[node];
	p->node_nx[node] = 0;
	for (int s = 0; s < nd->n_src; s++) {
		const int r = clx_graph_root(g, nd->src[s]);
		const int prod = g->tensors[r].producer;
		if (prod < 0 || p->node_part[prod] == to)
			continue;
		int xi = -1;
		for (int i = 0; i < p->n_x && xi < 0; i++)
			if (p->x[i].t == r && p->x[i].to == to)
				xi = i;
		if (xi < 0) {
			if (p->n_x == *cap) {
				*cap = *cap ? 2 * *cap : 16;
				void *nx = clx_realloc(p->x, (size_t)*cap * sizeof *p->x);
				if (!nx)
					return CLX_ERR_NOMEM;
				p->x = nx;
			}
			const size_t bytes = clx_tensor_nbytes(&g->tensors[r]);
			p->x[p->n_x] = (struct xfer){ r, p->node_part[prod], to, -1, -1,
						      clx_malloc(bytes ? bytes : 1), bytes, 0, 0 };
			if (!p->x[p->n_x].host)
				return CLX_ERR_NOMEM;
			xi = p->n_x++;
		}
		p->xs_of[node * CLX_MAX_SRC + p->node_nx[node]++] = xi;
	}
	return CLX_OK;
}

static enum clx_status placed_prepare(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, size_t arena_bytes)
{
	(void)arena_bytes; /* every device plans its own */
	struct placed *p = placed_of(be);
	enum clx_status st = drain(p, ctx);
	if (st != CLX_OK)
		clx_clear_error(ctx); /* a failed earlier run; this graph starts afresh */
	p->failed = false;
	release_graph(p);
	p->g = g;
	p->n_nodes = g->n_nodes;
	const size_t n = (size_t)g->n_nodes + 1;
	int *order = clx_calloc(n, sizeof *order);
	enum clx_tower *tower = clx_calloc(n, sizeof *tower);
	p->node_part = clx_calloc(n, sizeof *p->node_part);
	p->node_sub = clx_calloc(n, sizeof *p->node_sub);
	p->why = clx_calloc(n, sizeof *p->why);
	p->node_nx = clx_calloc(n, sizeof *p->node_nx);
	p->xs_of = clx_calloc(n * CLX_MAX_SRC, sizeof *p->xs_of);
	p->t_start = clx_calloc(n, sizeof *p->t_start);
	p->t_end = clx_calloc(n, sizeof *p->t_end);
	st = CLX_ERR_NOMEM;
	if (!order || !tower || !p->node_part || !p->node_sub || !p->why || !p->node_nx || !p->t_start || !p->t_end || !p->xs_of)
		goto fail;
	if ((st = clx_sched_order(ctx, g, order)) != CLX_OK ||
	    (st = tower_of_nodes(ctx, g, order, tower)) != CLX_OK)
		goto fail;
	for (int k = 0; k < g->n_nodes; k++)
		if ((st = place_node(p, ctx, g, order[k], tower[order[k]])) != CLX_OK)
			goto fail;
	st = CLX_ERR_NOMEM;
	for (int i = 0; i < p->n_parts; i++) {
		struct part *pt = &p->parts[i];
		if (!(pt->g = clx_graph_create()) ||
		    !(pt->tmap = clx_malloc(((size_t)g->n_tensors + 1) * sizeof *pt->tmap)) ||
		    !(pt->full = clx_malloc(n * sizeof *pt->full)))
			goto fail;
		for (int t = 0; t < g->n_tensors; t++)
			pt->tmap[t] = -1;
	}
	/* nodes in execution order, so each sub-graph's own order is this one */
	int cap_x = 0;
	for (int k = 0; k < g->n_nodes; k++) {
		const int node = order[k], pi = p->node_part[node];
		p->parts[pi].n_nodes++;
		if ((p->node_sub[node] = sub_node(p, pi, node)) < 0 || add_transfers(p, node, &cap_x) != CLX_OK)
			goto fail;
		p->parts[pi].full[p->node_sub[node]] = node;
	}
	for (int i = 0; i < p->n_x; i++) {
		struct xfer *x = &p->x[i];
		/* made on `from`, never reused there before it is read */
		x->t_from = p->parts[x->from].tmap[x->t];
		p->parts[x->from].g->tensors[x->t_from].is_output = true;
		x->t_to = p->parts[x->to].tmap[x->t];
	}
	/* every tensor readable where it lives */
	for (int t = 0; t < g->n_tensors; t++) {
		const int o = owner_part(p, t);
		if (o >= 0 && g->tensors[t].kind != CLX_TENSOR_WEIGHT && sub_tensor(p, o, t) < 0)
			goto fail;
	}
	for (int i = 0; i < p->n_parts; i++) {
		struct part *pt = &p->parts[i];
		if (pt->g->oom)
			goto fail;
		if (pt->n_nodes == 0)
			continue;
		if ((st = clx_sched_plan_chunked(ctx, pt->g, clx_backend_device(pt->be)->max_alloc,
						 &pt->plan)) != CLX_OK ||
		    (st = clx_backend_prepare(pt->be, ctx, pt->g, pt->plan->arena_bytes)) != CLX_OK)
			goto fail;
	}
	if (threaded(p) && (st = start_workers(p, ctx)) != CLX_OK)
		goto fail;
	clx_free(order);
	clx_free(tower);
	return CLX_OK;
fail:
	clx_free(order);
	clx_free(tower);
	release_graph(p);
	return st == CLX_ERR_NOMEM ? clx_fail(ctx, st, "placed backend: out of memory placing %d nodes",
					     g->n_nodes)
				   : st;
}

/* ----------------------------------------------------------------- running */

static enum clx_status check_graph(struct placed *p, struct clx_ctx *ctx, const struct clx_graph *g)
{
	if (g != p->g)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "placed backend: graph not prepared");
	return CLX_OK;
}

static enum clx_status placed_set_tensor(struct clx_backend *be, struct clx_ctx *ctx,
					 const struct clx_graph *g, int t, const void *data)
{
	struct placed *p = placed_of(be);
	enum clx_status st = check_graph(p, ctx, g);
	if (st != CLX_OK || (st = drain(p, ctx)) != CLX_OK)
		return st;
	for (int i = 0; i < p->n_parts && st == CLX_OK; i++)
		if (p->parts[i].n_nodes && p->parts[i].tmap[t] >= 0)
			st = clx_backend_set_tensor(p->parts[i].be, ctx, p->parts[i].g, p->parts[i].tmap[t], data);
	return st;
}

static enum clx_status placed_get_tensor(struct clx_backend *be, struct clx_ctx *ctx,
					 const struct clx_graph *g, int t, void *data)
{
	struct placed *p = placed_of(be);
	enum clx_status st = check_graph(p, ctx, g);
	if (st != CLX_OK || (st = drain(p, ctx)) != CLX_OK)
		return st;
	const int o = owner_part(p, t);
	if (o < 0 || p->parts[o].tmap[t] < 0)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "placed backend: tensor '%s' is on no device",
				g->tensors[t].name);
	return clx_backend_get_tensor(p->parts[o].be, ctx, p->parts[o].g, p->parts[o].tmap[t], data);
}

static enum clx_status placed_run_node(struct clx_backend *be, struct clx_ctx *ctx,
				       const struct clx_graph *g, int node)
{
	struct placed *p = placed_of(be);
	enum clx_status st = check_graph(p, ctx, g);
	if (st != CLX_OK)
		return st;
	const int pi = p->node_part[node];
	if (!threaded(p))
		return clx_backend_run_node(p->parts[pi].be, ctx, p->parts[pi].g, p->node_sub[node]);
	bool oom = false;
	pthread_mutex_lock(&p->mu);
	if (!p->running) {
		/* a new run: the last one, finished or failed, is drained */
		wait_idle(p);
		p->running = true;
		p->failed = false;
		p->gen++;
	}
	if (p->failed) {
		pthread_mutex_unlock(&p->mu);
		return drain(p, ctx);
	}
	for (int k = 0; k < p->node_nx[node]; k++) {
		const int xi = p->xs_of[node * CLX_MAX_SRC + k];
		struct xfer *x = &p->x[xi];
		if (x->issued == p->gen)
			continue;
		x->issued = p->gen;
		queue_push(p, x->from, ITEM_OUT, xi, &oom);
		queue_push(p, x->to, ITEM_IN, xi, &oom);
	}
	queue_push(p, pi, ITEM_NODE, p->node_sub[node], &oom);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (oom) {
		(void)drain(p, ctx);
		return clx_fail(ctx, CLX_ERR_NOMEM, "placed backend: out of memory queueing a node");
	}
	return CLX_OK;
}

static enum clx_status placed_synchronize(struct clx_backend *be, struct clx_ctx *ctx)
{
	struct placed *p = placed_of(be);
	enum clx_status st = drain(p, ctx);
	for (int i = 0; i < p->n_parts && st == CLX_OK; i++)
		if (p->parts[i].n_nodes)
			st = clx_backend_synchronize(p->parts[i].be, ctx);
	return st;
}

static bool placed_supports(struct clx_backend *be, const struct clx_graph *g, int node, char *why,
			    size_t cap)
{
	(void)be, (void)g, (void)node, (void)why, (void)cap;
	return true; /* what no device takes fails in prepare, naming the node */
}

/* ---------------------------------------------------------- reporting */

static enum clx_status placed_node_spans(struct clx_backend *be, struct clx_ctx *ctx,
					 const struct clx_graph *g, double *start, double *end, int *dev)
{
	struct placed *p = placed_of(be);
	enum clx_status st = check_graph(p, ctx, g);
	if (st != CLX_OK || (st = drain(p, ctx)) != CLX_OK)
		return st;
	if (!p->profiling || !threaded(p))
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: no spans (%s)", p->name,
				p->profiling ? "one device" : "profiling is off");
	/* devices numbered as clx_backend_placement lists them */
	int index[MAX_PARTS], k = 0;
	for (int i = 0; i < p->n_parts; i++)
		index[i] = p->parts[i].n_nodes ? k++ : -1;
	for (int n = 0; n < g->n_nodes; n++) {
		start[n] = p->t_start[n];
		end[n] = p->t_end[n];
		dev[n] = index[p->node_part[n]];
	}
	return CLX_OK;
}

static bool placed_placement(const struct clx_backend *be, struct clx_placement *out)
{
	const struct placed *p = placed_of(be);
	for (int i = 0; i < p->n_parts; i++) {
		if (!p->parts[i].n_nodes)
			continue;
		snprintf(out->dev[out->n_devices].name, sizeof out->dev[0].name, "%s",
			 clx_backend_name(p->parts[i].be));
		out->dev[out->n_devices++].nodes = p->parts[i].n_nodes;
	}
	out->n_copies = p->n_x;
	for (int i = 0; i < p->n_x; i++)
		out->copy_bytes += p->x[i].bytes;
	for (int k = 0; k < p->n_nodes; k++)
		out->n_fallbacks += p->why[k][0] != '\0';
	return true;
}

static void placed_node_device(const struct clx_backend *be, const struct clx_graph *g, int node,
			       char *dev, size_t dcap, char *why, size_t wcap)
{
	const struct placed *p = placed_of(be);
	if (g != p->g || node < 0 || node >= p->n_nodes) {
		snprintf(dev, dcap, "%s", p->name);
		return;
	}
	snprintf(dev, dcap, "%s", clx_backend_name(p->parts[p->node_part[node]].be));
	snprintf(why, wcap, "%s", p->why[node]);
}

static const char *placed_name(const struct clx_backend *be)
{
	return placed_of(be)->name;
}

static const struct clx_device_info *placed_device(const struct clx_backend *be)
{
	return &placed_of(be)->info;
}

static enum clx_status placed_set_profiling(struct clx_backend *be, struct clx_ctx *ctx, bool on)
{
	struct placed *p = placed_of(be);
	enum clx_status st = CLX_OK;
	for (int i = 0; i < p->n_parts && st == CLX_OK; i++)
		st = clx_backend_set_profiling(p->parts[i].be, ctx, on);
	p->profiling = on && st == CLX_OK;
	return st;
}

static enum clx_status placed_node_times(struct clx_backend *be, struct clx_ctx *ctx,
					 const struct clx_graph *g, double *ns)
{
	struct placed *p = placed_of(be);
	enum clx_status st = check_graph(p, ctx, g);
	if (st != CLX_OK || (st = drain(p, ctx)) != CLX_OK)
		return st;
	if (threaded(p)) {
		/* the spans: each worker synchronised its device after each node */
		for (int k = 0; k < g->n_nodes; k++)
			ns[k] = (p->t_end[k] - p->t_start[k]) * 1e9;
		return CLX_OK;
	}
	for (int i = 0; i < p->n_parts && st == CLX_OK; i++) {
		struct part *pt = &p->parts[i];
		if (!pt->n_nodes)
			continue;
		double *sub = clx_calloc((size_t)pt->g->n_nodes + 1, sizeof *sub);
		if (!sub)
			return clx_fail(ctx, CLX_ERR_NOMEM, "placed backend: out of memory");
		if ((st = clx_backend_node_times(pt->be, ctx, pt->g, sub)) == CLX_OK)
			for (int k = 0; k < g->n_nodes; k++)
				if (p->node_part[k] == i)
					ns[k] = sub[p->node_sub[k]];
		clx_free(sub);
	}
	return st;
}

static void placed_stats(const struct clx_backend *be, struct clx_backend_stats *out)
{
	const struct placed *p = placed_of(be);
	memset(out, 0, sizeof *out);
	for (int i = 0; i < p->n_parts; i++) {
		struct clx_backend_stats s;
		clx_backend_stats(p->parts[i].be, &s);
		out->weight_bytes += s.weight_bytes;
		out->arena_bytes += s.arena_bytes;
		out->input_bytes += s.input_bytes;
		out->temp_bytes += s.temp_bytes;
		out->n_weights += s.n_weights;
		out->split_weights += s.split_weights;
		out->split_activations += s.split_activations;
		out->arena_buffers += s.arena_buffers;
		out->half_weights += s.half_weights;
		out->half_from_file += s.half_from_file;
		out->kernels_enqueued += s.kernels_enqueued;
		out->gemm_calls += s.gemm_calls;
		out->weight_uploads += s.weight_uploads;
		out->bytes_uploaded += s.bytes_uploaded;
		out->bytes_downloaded += s.bytes_downloaded;
		out->build_seconds += s.build_seconds;
		if (!out->gemm_impl || (s.gemm_impl && p->parts[i].n_nodes && !clx_backend_device(p->parts[i].be)->reference))
			out->gemm_impl = s.gemm_impl;
		out->program_from_cache |= s.program_from_cache;
		out->program_cacheable |= s.program_cacheable;
	}
}

static void placed_node_impl(const struct clx_backend *be, const struct clx_graph *g, int node,
			     char *buf, size_t cap)
{
	const struct placed *p = placed_of(be);
	if (g != p->g)
		return;
	const struct part *pt = &p->parts[p->node_part[node]];
	char impl[160];
	clx_backend_node_impl(pt->be, pt->g, p->node_sub[node], impl, sizeof impl);
	snprintf(buf, cap, "%s%s%s%s%s%s", clx_backend_name(pt->be), impl[0] ? ": " : "", impl,
		 p->why[node][0] ? " (fallback: " : "", p->why[node], p->why[node][0] ? ")" : "");
}

static void placed_free(struct clx_backend *be)
{
	struct placed *p = placed_of(be);
	if (p) {
		(void)drain(p, NULL);
		stop_workers(p);
		release_graph(p);
		for (int i = 0; i < p->n_parts; i++) {
			if (p->parts[i].owned)
				clx_backend_free(p->parts[i].be);
			clx_ctx_free(p->parts[i].ctx);
			clx_free(p->parts[i].q);
		}
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		clx_free(p);
	}
	clx_free(be);
}

static const struct clx_backend_i placed_iface = {
	.name = placed_name,
	.free = placed_free,
	.device = placed_device,
	.prepare = placed_prepare,
	.set_tensor = placed_set_tensor,
	.get_tensor = placed_get_tensor,
	.run_node = placed_run_node,
	.synchronize = placed_synchronize,
	.supports = placed_supports,
	.set_profiling = placed_set_profiling,
	.node_times = placed_node_times,
	.stats = placed_stats,
	.node_impl = placed_node_impl,
	.placement = placed_placement,
	.node_device = placed_node_device,
	.node_spans = placed_node_spans,
};

/* ---------------------------------------------------------------- opening */

static struct placed *placed_new(void)
{
	struct placed *p = clx_calloc(1, sizeof *p);
	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	return p;
}

/* name and device info from the towers' devices */
static void describe(struct placed *p)
{
	size_t len = 0;
	struct clx_device_info *in = &p->info;
	memset(in, 0, sizeof *in);
	snprintf(in->backend, sizeof in->backend, "placed");
	in->type = "PLACED";
	for (int t = 0; t < CLX_TOWER_COUNT; t++) {
		const struct clx_backend *b = p->parts[p->tower[t]].be;
		if (t == CLX_TOWER_PROMPT && p->tower[t] == p->tower[CLX_TOWER_VISION])
			break; /* the default */
		len += (size_t)snprintf(p->name + len, sizeof p->name - len, "%s%s=%s", t ? "," : "",
					tower_names[t], clx_backend_name(b));
		if (len >= sizeof p->name)
			len = sizeof p->name - 1;
	}
	snprintf(in->id, sizeof in->id, "%.*s", (int)sizeof in->id - 1, p->name);
	len = 0;
	for (int t = 0; t < CLX_TOWER_COUNT; t++) {
		const struct clx_device_info *d = clx_backend_device(p->parts[p->tower[t]].be);
		len += (size_t)snprintf(in->name + len, sizeof in->name - len, "%s%s: %s", t ? "; " : "",
					tower_names[t], d->reference ? "the CPU reference" : d->name);
		if (len >= sizeof in->name)
			len = sizeof in->name - 1;
	}
	for (int i = 0; i < p->n_parts; i++)
		in->weights_f16 |= clx_backend_device(p->parts[i].be)->weights_f16;
	const struct clx_device_info *v = clx_backend_device(p->parts[p->tower[0]].be);
	snprintf(in->platform_name, sizeof in->platform_name, "%s", v->platform_name);
	snprintf(in->driver_version, sizeof in->driver_version, "%s", v->driver_version);
}

enum clx_status clx_placed_wrap(struct clx_ctx *ctx, struct clx_backend *be, struct clx_backend **out)
{
	*out = NULL;
	struct placed *p = placed_new();
	struct clx_backend *pb = p ? clx_backend_new(ctx, &placed_iface, p) : NULL;
	if (!pb) {
		clx_free(p);
		return clx_fail(ctx, CLX_ERR_NOMEM, "placed backend: out of memory");
	}
	p->parts[0] = (struct part){ .be = be, .owned = false, .ctx = clx_ctx_create() };
	p->n_parts = 1;
	if (!p->parts[0].ctx) {
		clx_backend_free(pb);
		return clx_fail(ctx, CLX_ERR_NOMEM, "placed backend: out of memory");
	}
	describe(p);
	snprintf(p->name, sizeof p->name, "%s", clx_backend_name(be));
	p->info = *clx_backend_device(be);
	*out = pb;
	return CLX_OK;
}

bool clx_placed_is(const struct clx_backend *be)
{
	return be->iface == &placed_iface;
}

/* "vision=SPEC,text=SPEC[,prompt=SPEC]" into specs per tower. */
static enum clx_status parse(struct clx_ctx *ctx, const char *spec, char (*dev)[64])
{
	char buf[512];
	if (strlen(spec) >= sizeof buf)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "device placement is too long");
	if (spec[0] == ',' || spec[strlen(spec) - 1] == ',' || strstr(spec, ",,"))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "device placement '%s': an empty item", spec);
	snprintf(buf, sizeof buf, "%s", spec);
	for (int t = 0; t < CLX_TOWER_COUNT; t++)
		dev[t][0] = '\0';
	char *save = NULL;
	for (char *it = strtok_r(buf, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(it, '=');
		if (!eq)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"device placement '%s': '%s' is not PART=DEVICE (parts: vision, text, "
					"prompt)",
					spec, it);
		*eq = '\0';
		int t = -1;
		for (int k = 0; k < CLX_TOWER_COUNT; k++)
			if (strcmp(it, tower_names[k]) == 0)
				t = k;
		if (t < 0)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"device placement '%s': unknown part '%s' (parts: vision, text, prompt)",
					spec, it);
		if (dev[t][0])
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"device placement '%s': '%s' is placed twice", spec, it);
		if (!eq[1] || eq[1] == '@')
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"device placement '%s': '%s' needs a device (cpu, cl, cl:P:D or a name)",
					spec, it);
		if (strlen(eq + 1) >= 64)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"device placement: %s='%.40s…' is too long (at most 63 characters)",
					it, eq + 1);
		snprintf(dev[t], 64, "%s", eq + 1);
	}
	if (!dev[CLX_TOWER_VISION][0] || !dev[CLX_TOWER_TEXT][0])
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"device placement '%s': needs both vision= and text= (prompt= defaults to "
				"the vision device)",
				spec);
	if (!dev[CLX_TOWER_PROMPT][0])
		memcpy(dev[CLX_TOWER_PROMPT], dev[CLX_TOWER_VISION], 64);
	return CLX_OK;
}

/* The placement's device per tower as exact ids (so "cl" and "cl:0:0" are
 * one device), with their precision suffixes. */
static enum clx_status resolve(struct clx_ctx *ctx, const char *spec, char (*dev)[64])
{
	enum clx_status st = parse(ctx, spec, dev);
	if (st != CLX_OK)
		return st;
	/* the exact ids, so "cl" and "cl:0:0" are one device */
	struct clx_device_list l;
	if ((st = clx_backend_list(ctx, &l)) != CLX_OK)
		return st;
	for (int t = 0; t < CLX_TOWER_COUNT && st == CLX_OK; t++) {
		struct clx_device_info d;
		if ((st = clx_spec_device(ctx, dev[t], &l, &d)) != CLX_OK) {
			char why[1024];
			snprintf(why, sizeof why, "%s", clx_last_error(ctx));
			st = clx_fail(ctx, st, "device placement, %s=%s: %s", tower_names[t], dev[t], why);
		} else {
			clx_spec_canonical(&d, dev[t], 64);
		}
	}
	clx_device_list_release(&l);
	return st;
}

enum clx_status clx_placed_check(struct clx_ctx *ctx, const char *spec, bool *all_reference)
{
	char dev[CLX_TOWER_COUNT][64];
	enum clx_status st = resolve(ctx, spec, dev);
	*all_reference = st == CLX_OK;
	for (int t = 0; t < CLX_TOWER_COUNT && st == CLX_OK; t++)
		*all_reference &= strcmp(dev[t], "cpu") == 0;
	return st;
}

enum clx_status clx_placed_open(struct clx_ctx *ctx, const char *spec, struct clx_backend **out)
{
	*out = NULL;
	char dev[CLX_TOWER_COUNT][64];
	enum clx_status st = resolve(ctx, spec, dev);
	if (st != CLX_OK)
		return st;
	struct placed *p = placed_new();
	struct clx_backend *pb = p ? clx_backend_new(ctx, &placed_iface, p) : NULL;
	if (!pb) {
		clx_free(p);
		return clx_fail(ctx, CLX_ERR_NOMEM, "placed backend: out of memory");
	}
	for (int t = 0; t < CLX_TOWER_COUNT; t++)
		if ((st = open_part(p, ctx, dev[t], &p->tower[t])) != CLX_OK) {
			clx_backend_free(pb);
			return st;
		}
	describe(p);
	*out = pb;
	return CLX_OK;
}
