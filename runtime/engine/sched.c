/* sched.c — the scheduler: topological order, lifetimes, the memory plan and
 * dispatch through the backend wrappers. It never knows which backend it
 * drives.
 *
 * Not here: placement across several devices and the concurrency between
 * them (placed.c, a backend made of backends). */
#include "clx/sched.h"

#include <string.h>

/* -------------------------------------------------------------- ordering */

/* Kahn's algorithm; among ready nodes the lowest id goes first, so a graph
 * built in a valid order keeps that order. O(n²) scans are fine for the
 * few hundred nodes of X-CLIP. */
enum clx_status clx_sched_order(struct clx_ctx *ctx, const struct clx_graph *g, int *order)
{
	int n = g->n_nodes;
	int *pending = clx_calloc((size_t)n + 1, sizeof *pending); /* unfinished producers */
	bool *done = clx_calloc((size_t)n + 1, sizeof *done);
	if (!pending || !done) {
		clx_free(pending);
		clx_free(done);
		return clx_fail(ctx, CLX_ERR_NOMEM, "scheduler: out of memory ordering %d nodes", n);
	}
	for (int i = 0; i < n; i++)
		for (int s = 0; s < g->nodes[i].n_src; s++)
			if (g->tensors[clx_graph_root(g, g->nodes[i].src[s])].producer >= 0)
				pending[i]++;
	int placed = 0;
	while (placed < n) {
		int pick = -1;
		for (int i = 0; i < n && pick < 0; i++)
			if (!done[i] && pending[i] == 0)
				pick = i;
		if (pick < 0)
			break;
		done[pick] = true;
		order[placed++] = pick;
		int out = g->nodes[pick].dst;
		for (int i = 0; i < n; i++)
			for (int s = 0; s < g->nodes[i].n_src; s++)
				if (clx_graph_root(g, g->nodes[i].src[s]) == out)
					pending[i]--;
	}
	clx_free(pending);
	clx_free(done);
	if (placed < n)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "scheduler: the graph has a cycle (%d of %d nodes ordered)",
				placed, n);
	return CLX_OK;
}

/* ------------------------------------------------------------ the arena */

struct block {
	size_t offs, size;
};

struct arena {
	struct block *free; /* sorted by offset, never adjacent (merged) */
	int n_free, cap_free;
	size_t top;         /* high-water mark */
	size_t chunk;       /* 0, or: a tensor of at most this size never crosses a
	                       multiple of it (the device's largest buffer) */
	bool oom;
};

static bool arena_release(struct arena *a, size_t offs, size_t size);

/* Where a tensor of `size` may start at or after `offs` without crossing a
 * chunk boundary; one larger than a chunk (held in parts) at a boundary. */
static size_t chunk_start(const struct arena *a, size_t offs, size_t size)
{
	if (!a->chunk || (size <= a->chunk && offs % a->chunk + size <= a->chunk) ||
	    (size > a->chunk && offs % a->chunk == 0))
		return offs;
	return (offs / a->chunk + 1) * a->chunk;
}

size_t clx_sched_chunk(size_t max_alloc)
{
	return max_alloc / CLX_ARENA_ALIGN * CLX_ARENA_ALIGN;
}

int64_t clx_sched_part_units(const struct clx_tensor *t, size_t chunk)
{
	chunk = clx_sched_chunk(chunk);
	const size_t bytes = clx_tensor_nbytes(t);
	if (!chunk || bytes <= chunk || t->n_dims < 1 || t->ne[0] < 2)
		return 0;
	const size_t unit = bytes / (size_t)t->ne[0];
	return unit && unit <= chunk ? (int64_t)(chunk / unit) : 0;
}

static size_t align_up(size_t x)
{
	return (x + CLX_ARENA_ALIGN - 1) / CLX_ARENA_ALIGN * CLX_ARENA_ALIGN;
}

size_t clx_sched_footprint(const struct clx_tensor *t, size_t chunk)
{
	chunk = clx_sched_chunk(chunk);
	const int64_t per = clx_sched_part_units(t, chunk);
	if (!per)
		return align_up(clx_tensor_nbytes(t));
	const size_t unit = clx_tensor_nbytes(t) / (size_t)t->ne[0];
	const int64_t parts = (t->ne[0] + per - 1) / per;
	return (size_t)(parts - 1) * chunk + align_up((size_t)(t->ne[0] - (parts - 1) * per) * unit);
}

/* Best fit among free blocks; else grow at the top, absorbing a free block
 * that ends there. */
static size_t arena_alloc(struct arena *a, size_t size)
{
	int best = -1;
	for (int i = 0; i < a->n_free; i++) {
		const size_t s = chunk_start(a, a->free[i].offs, size) - a->free[i].offs;
		if (a->free[i].size >= size + s && (best < 0 || a->free[i].size < a->free[best].size))
			best = i;
	}
	if (best >= 0) {
		const struct block blk = a->free[best];
		const size_t offs = chunk_start(a, blk.offs, size);
		memmove(&a->free[best], &a->free[best + 1], (size_t)(a->n_free - best - 1) * sizeof *a->free);
		a->n_free--;
		/* what the tensor leaves of the block, before and after it, stays free */
		if (offs > blk.offs && !arena_release(a, blk.offs, offs - blk.offs))
			a->oom = true;
		if (blk.offs + blk.size > offs + size &&
		    !arena_release(a, offs + size, blk.offs + blk.size - offs - size))
			a->oom = true;
		return offs;
	}
	size_t offs = a->top;
	if (a->n_free > 0) {
		struct block *last = &a->free[a->n_free - 1];
		if (last->offs + last->size == a->top) {
			offs = last->offs;
			a->n_free--;
		}
	}
	const size_t start = chunk_start(a, offs, size);
	if (start > offs && !arena_release(a, offs, start - offs))
		a->oom = true;
	a->top = start + size;
	return start;
}

static bool arena_release(struct arena *a, size_t offs, size_t size)
{
	int i = 0;
	while (i < a->n_free && a->free[i].offs < offs)
		i++;
	/* merge with the previous and/or next block */
	bool prev = i > 0 && a->free[i - 1].offs + a->free[i - 1].size == offs;
	bool next = i < a->n_free && offs + size == a->free[i].offs;
	if (prev && next) {
		a->free[i - 1].size += size + a->free[i].size;
		memmove(&a->free[i], &a->free[i + 1], (size_t)(a->n_free - i - 1) * sizeof *a->free);
		a->n_free--;
		return true;
	}
	if (prev) {
		a->free[i - 1].size += size;
		return true;
	}
	if (next) {
		a->free[i].offs = offs;
		a->free[i].size += size;
		return true;
	}
	if (a->n_free == a->cap_free) {
		int cap = a->cap_free ? 2 * a->cap_free : 64;
		void *p = clx_realloc(a->free, (size_t)cap * sizeof *a->free);
		if (!p)
			return false;
		a->free = p;
		a->cap_free = cap;
	}
	memmove(&a->free[i + 1], &a->free[i], (size_t)(a->n_free - i) * sizeof *a->free);
	a->free[i] = (struct block){ offs, size };
	a->n_free++;
	return true;
}

/* ------------------------------------------------------------------ plan */

void clx_plan_free(struct clx_plan *p)
{
	if (!p)
		return;
	clx_free(p->order);
	clx_free(p->last_use);
	clx_free(p);
}

enum clx_status clx_sched_plan(struct clx_ctx *ctx, struct clx_graph *g, struct clx_plan **out)
{
	return clx_sched_plan_chunked(ctx, g, 0, out);
}

enum clx_status clx_sched_plan_chunked(struct clx_ctx *ctx, struct clx_graph *g, size_t chunk,
				       struct clx_plan **out)
{
	*out = NULL;
	if (g->oom)
		return clx_fail(ctx, CLX_ERR_NOMEM, "graph: out of memory while building");
	struct clx_plan *p = clx_calloc(1, sizeof *p);
	struct arena a = { .chunk = clx_sched_chunk(chunk) };
	enum clx_status st = CLX_ERR_NOMEM;
	if (!p)
		goto fail;
	p->n_order = g->n_nodes;
	p->order = clx_calloc((size_t)g->n_nodes + 1, sizeof *p->order);
	p->last_use = clx_calloc((size_t)g->n_tensors + 1, sizeof *p->last_use);
	if (!p->order || !p->last_use)
		goto fail;
	st = clx_sched_order(ctx, g, p->order);
	if (st != CLX_OK)
		goto fail;

	/* Lifetimes: a read through a view is a read of its root. */
	for (int t = 0; t < g->n_tensors; t++)
		p->last_use[t] = -1;
	for (int pos = 0; pos < p->n_order; pos++) {
		const struct clx_node *n = &g->nodes[p->order[pos]];
		for (int s = 0; s < n->n_src; s++)
			p->last_use[clx_graph_root(g, n->src[s])] = pos;
	}
	for (int t = 0; t < g->n_tensors; t++)
		if (g->tensors[t].is_output)
			g->tensors[clx_graph_root(g, t)].is_output = true;

	/* Greedy placement in execution order: allocate the output, then
	 * release every activation whose last reader was this node. */
	for (int pos = 0; pos < p->n_order; pos++) {
		const struct clx_node *n = &g->nodes[p->order[pos]];
		struct clx_tensor *dst = &g->tensors[n->dst];
		size_t size = clx_sched_footprint(dst, a.chunk);
		dst->offs = arena_alloc(&a, size);
		p->naive_bytes += size;
		for (int s = 0; s <= n->n_src; s++) {
			int t = clx_graph_root(g, s < n->n_src ? n->src[s] : n->dst);
			struct clx_tensor *tt = &g->tensors[t];
			if (tt->kind != CLX_TENSOR_ACT || tt->is_output || p->last_use[t] > pos)
				continue;
			if (s < n->n_src) {
				/* a tensor read twice by this node is released once */
				bool seen = false;
				for (int r = 0; r < s; r++)
					seen |= clx_graph_root(g, n->src[r]) == t;
				if (seen)
					continue;
			}
			if (!arena_release(&a, tt->offs, clx_sched_footprint(tt, a.chunk))) {
				st = CLX_ERR_NOMEM;
				goto fail;
			}
		}
	}
	if (a.oom) {
		st = CLX_ERR_NOMEM;
		goto fail;
	}
	p->arena_bytes = a.top;
	p->chunk = a.chunk;
	clx_free(a.free);
	*out = p;
	return CLX_OK;
fail:
	clx_free(a.free);
	clx_plan_free(p);
	if (st == CLX_ERR_NOMEM)
		return clx_fail(ctx, CLX_ERR_NOMEM, "scheduler: out of memory planning %d tensors",
				g->n_tensors);
	return st;
}

/* ------------------------------------------------------------------ run */

enum clx_status clx_sched_run(struct clx_ctx *ctx, const struct clx_graph *g,
			      const struct clx_plan *plan, struct clx_backend *be,
			      clx_node_cb cb, void *user)
{
	for (int pos = 0; pos < plan->n_order; pos++) {
		const int node = plan->order[pos];
		enum clx_status st = clx_backend_run_node(be, ctx, g, node);
		if (st != CLX_OK)
			return st;
		if (cb && (st = cb(user, be, g, node)) != CLX_OK)
			return st;
	}
	return clx_backend_synchronize(be, ctx);
}
