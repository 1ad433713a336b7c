/* test_sched.c — topological order, lifetimes and the memory plan, on the
 * null backend (no arithmetic, no hardware).
 *
 * Checks: a shuffled DAG is ordered so every producer runs before its
 * readers; a cycle is refused; no two activations that are alive at the
 * same time overlap in the arena; outputs are never reused; the planned
 * arena is smaller than the naive sum; and the real X-CLIP graph at the
 * base-patch32 shape (built from shapes only) plans and "runs" every node.
 * Prints planned vs naive activation bytes. */
#include "check.h"
#include "profile_hand.h" /* a model with shapes and no weight data */

#include "clx/config.h"
#include "clx/sched.h"
#include "clx/xclip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct clx_ctx *ctx;

/* Every pair of ACT roots alive at once must not overlap. Lifetime of a
 * tensor: [position of its producer, last_use] (outputs: to the end). */
static bool plan_is_safe(const struct clx_graph *g, const struct clx_plan *p)
{
	int *pos_of = calloc((size_t)g->n_nodes, sizeof *pos_of);
	for (int i = 0; i < p->n_order; i++)
		pos_of[p->order[i]] = i;
	bool ok = true;
	for (int a = 0; a < g->n_tensors && ok; a++) {
		const struct clx_tensor *ta = &g->tensors[a];
		if (ta->kind != CLX_TENSOR_ACT)
			continue;
		int a0 = pos_of[ta->producer];
		int a1 = ta->is_output ? p->n_order : (p->last_use[a] > a0 ? p->last_use[a] : a0);
		for (int b = a + 1; b < g->n_tensors && ok; b++) {
			const struct clx_tensor *tb = &g->tensors[b];
			if (tb->kind != CLX_TENSOR_ACT)
				continue;
			int b0 = pos_of[tb->producer];
			int b1 = tb->is_output ? p->n_order : (p->last_use[b] > b0 ? p->last_use[b] : b0);
			bool live_together = a0 <= b1 && b0 <= a1;
			bool overlap = ta->offs < tb->offs + clx_sched_footprint(tb, p->chunk) &&
				       tb->offs < ta->offs + clx_sched_footprint(ta, p->chunk);
			if (live_together && overlap) {
				fprintf(stderr, "overlap: %s [%zu] and %s [%zu]\n", ta->name, ta->offs,
					tb->name, tb->offs);
				ok = false;
			}
		}
		if (ta->offs + clx_sched_footprint(ta, p->chunk) > p->arena_bytes)
			ok = false;
	}
	free(pos_of);
	return ok;
}

static bool order_is_topological(const struct clx_graph *g, const struct clx_plan *p)
{
	int *pos_of = calloc((size_t)g->n_nodes, sizeof *pos_of);
	for (int i = 0; i < p->n_order; i++)
		pos_of[p->order[i]] = i;
	bool ok = true;
	for (int n = 0; n < g->n_nodes; n++)
		for (int s = 0; s < g->nodes[n].n_src; s++) {
			int prod = g->tensors[clx_graph_root(g, g->nodes[n].src[s])].producer;
			if (prod >= 0 && pos_of[prod] >= pos_of[n])
				ok = false;
		}
	free(pos_of);
	return ok;
}

/* A chain with a diamond, built with nodes added out of order. */
static void test_small_graph(void)
{
	struct clx_graph *g = clx_graph_create();
	const int64_t ne[2] = { 4, 8 };
	int x = clx_graph_input(g, "x", CLX_DTYPE_F32, 2, ne);
	int a = clx_graph_node(g, "a", CLX_OP_QUICK_GELU, 1, &x, 2, ne, NULL, NULL);
	int b = clx_graph_node(g, "b", CLX_OP_EXP, 1, &a, 2, ne, NULL, NULL);
	int c = clx_graph_node(g, "c", CLX_OP_EXP, 1, &a, 2, ne, NULL, NULL);
	const int bc[2] = { b, c };
	int d = clx_graph_node(g, "d", CLX_OP_ADD, 2, bc, 2, ne, NULL, NULL);
	int e = clx_graph_node(g, "e", CLX_OP_EXP, 1, &d, 2, ne, NULL, NULL);
	int f = clx_graph_node(g, "f", CLX_OP_EXP, 1, &e, 2, ne, NULL, NULL);
	g->tensors[f].is_output = true;
	/* Shuffle the node array (fixing producer links) so insertion order is
	 * no longer topological. */
	struct clx_node tmp = g->nodes[0];
	g->nodes[0] = g->nodes[4];
	g->nodes[4] = tmp;
	for (int n = 0; n < g->n_nodes; n++)
		g->tensors[g->nodes[n].dst].producer = n;

	struct clx_plan *p = NULL;
	CHECK(clx_sched_plan(ctx, g, &p) == CLX_OK, "plan: %s", clx_last_error(ctx));
	CHECK(p && p->n_order == 6, "6 nodes ordered");
	CHECK(p && order_is_topological(g, p), "order is topological");
	CHECK(p && plan_is_safe(g, p), "no live overlap");
	CHECK(p && p->arena_bytes < p->naive_bytes, "reuse: planned %zu < naive %zu",
	      p ? p->arena_bytes : 0, p ? p->naive_bytes : 0);
	struct clx_backend *be = NULL;
	struct clx_backend_stats bs = { 0 };
	CHECK(clx_backend_open(ctx, "null", &be) == CLX_OK, "null backend: %s", clx_last_error(ctx));
	CHECK(be && clx_sched_run(ctx, g, p, be, NULL, NULL) == CLX_OK, "null run");
	if (be)
		clx_backend_stats(be, &bs);
	CHECK(bs.nodes_run == 6, "null backend ran %llu nodes", (unsigned long long)bs.nodes_run);
	clx_backend_free(be);
	clx_plan_free(p);

	/* Make a cycle: a reads f. */
	for (int n = 0; n < g->n_nodes; n++)
		if (strcmp(g->nodes[n].name, "a") == 0)
			g->nodes[n].src[0] = f;
	p = NULL;
	enum clx_status st = clx_sched_plan(ctx, g, &p);
	CHECK(st == CLX_ERR_INVALID_ARG && p == NULL, "cycle refused: %s", clx_last_error(ctx));
	CHECK(strstr(clx_last_error(ctx), "cycle") != NULL, "message names the cycle");
	clx_graph_free(g);
}

static void test_xclip_plan(void)
{
	struct shapes_only s = { 0 };
	clx_config_default(&s.m.cfg);
	s.m.cfg.vision.patch_size = 32; /* base-patch32 */
	clx_model_for_each_param(&s.m.cfg, add_param, &s);
	const struct clx_xclip_shape shape = { .B = 1, .T = 8, .K = 3, .L = 7 };
	struct clx_xclip_graph xg;
	CHECK(clx_xclip_build(ctx, &s.m, CLX_XCLIP_FULL, &shape, &xg) == CLX_OK, "build: %s",
	      clx_last_error(ctx));
	struct clx_plan *p = NULL;
	CHECK(clx_sched_plan(ctx, xg.g, &p) == CLX_OK, "plan: %s", clx_last_error(ctx));
	if (p) {
		printf("X-CLIP base-patch32 B=1 T=8 K=3 L=7: %d nodes, %d tensors; activation arena "
		       "planned %.2f MiB vs naive %.2f MiB (%.1f%%)\n",
		       xg.g->n_nodes, xg.g->n_tensors, p->arena_bytes / 1048576.0, p->naive_bytes / 1048576.0,
		       100.0 * p->arena_bytes / p->naive_bytes);
		CHECK(order_is_topological(xg.g, p), "X-CLIP order is topological");
		CHECK(plan_is_safe(xg.g, p), "X-CLIP plan has no live overlap");
		CHECK(p->arena_bytes * 4 < p->naive_bytes, "X-CLIP plan reuses memory (%zu vs %zu)",
		      p->arena_bytes, p->naive_bytes);
		struct clx_backend *be = NULL;
		struct clx_backend_stats bs = { 0 };
		CHECK(clx_backend_open(ctx, "null", &be) == CLX_OK, "null backend: %s", clx_last_error(ctx));
		CHECK(be && clx_sched_run(ctx, xg.g, p, be, NULL, NULL) == CLX_OK, "null run");
		if (be)
			clx_backend_stats(be, &bs);
		CHECK(bs.nodes_run == (uint64_t)xg.g->n_nodes, "every node dispatched (%llu of %d)",
		      (unsigned long long)bs.nodes_run, xg.g->n_nodes);
		clx_backend_free(be);
	}
	/* Planned for a device with 1 MiB buffers: still safe, and no tensor
	 * that fits one buffer crosses a boundary (the arena can be held as
	 * several); a bigger one starts at a boundary, held in parts of whole
	 * outer slices, or (a slice over 1 MiB) is the fallback's (placed.c). */
	struct clx_plan *pc = NULL;
	const size_t chunk = 1u << 20;
	CHECK(clx_sched_plan_chunked(ctx, xg.g, chunk, &pc) == CLX_OK, "chunked plan: %s",
	      clx_last_error(ctx));
	if (pc) {
		int crossing = 0, over = 0, in_parts = 0, misplaced = 0;
		for (int t = 0; t < xg.g->n_tensors; t++) {
			const struct clx_tensor *x = &xg.g->tensors[t];
			const size_t nb = clx_tensor_nbytes(x);
			if (x->kind != CLX_TENSOR_ACT || nb == 0)
				continue;
			over += nb > chunk;
			crossing += nb <= chunk && x->offs / chunk != (x->offs + nb - 1) / chunk;
			const int64_t per = clx_sched_part_units(x, chunk);
			in_parts += per > 0;
			misplaced += per > 0 && (x->offs % chunk != 0 ||
						 (size_t)per * (nb / (size_t)x->ne[0]) > chunk);
		}
		printf("planned for 1 MiB buffers: arena %.2f MiB (unchunked %.2f MiB), %d tensors over "
		       "1 MiB (%d held in parts), %d crossing a boundary\n",
		       pc->arena_bytes / 1048576.0, p ? p->arena_bytes / 1048576.0 : 0, over, in_parts,
		       crossing);
		CHECK(crossing == 0, "%d tensors cross a 1 MiB boundary", crossing);
		CHECK(misplaced == 0, "%d tensors in parts off a boundary or with parts over 1 MiB",
		      misplaced);
		CHECK(plan_is_safe(xg.g, pc), "the chunked plan has no live overlap");
		CHECK(pc->chunk == chunk, "the plan records its chunk");
	}
	clx_plan_free(pc);
	/* Shape errors are input errors with a message, not asserts. */
	struct clx_xclip_shape bad = shape;
	bad.T = 7;
	struct clx_xclip_graph xg2;
	CHECK(clx_xclip_build(ctx, &s.m, CLX_XCLIP_FULL, &bad, &xg2) == CLX_ERR_SHAPE &&
		      strstr(clx_last_error(ctx), "num_frames"),
	      "T != num_frames refused: %s", clx_last_error(ctx));
	bad = shape;
	bad.L = 78;
	CHECK(clx_xclip_build(ctx, &s.m, CLX_XCLIP_FULL, &bad, &xg2) == CLX_ERR_SHAPE &&
		      strstr(clx_last_error(ctx), "max_position_embeddings"),
	      "L > 77 refused: %s", clx_last_error(ctx));
	clx_plan_free(p);
	clx_graph_free(xg.g);
	free_shapes(&s);
}

int main(void)
{
	ctx = clx_ctx_create();
	test_small_graph();
	test_xclip_plan();
	clx_ctx_free(ctx);
	return check_summary();
}
