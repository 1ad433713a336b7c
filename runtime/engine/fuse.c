/* fuse.c — the graph pass that folds a matmul's epilogue into it: a
 * quick_gelu, then a residual add, that read nothing but the matmul's output
 * become its CLX_MATMUL_GELU / CLX_MATMUL_RESIDUAL flags, so a backend runs
 * linear + bias (+ act) (+ residual) as one kernel and the intermediate
 * tensor never exists.
 *
 * The fused node takes the name and the output tensor of the last node it
 * absorbs ("vision.layers.3" for fc2 + residual), so validation and
 * profiling still name the module whose output it is. Absorbed nodes are
 * removed; their intermediate tensors stay in the table, nameless and
 * unproduced (no session can find or read them). The arithmetic is that of
 * the separate nodes, rounded at the same points (every backend's fused
 * matmul must keep that). Not here: any other fusion, and the decision to
 * fuse (the session's, session.h). */
#include "clx/graph.h"

#include <stdio.h>
#include <string.h>

/* Readers of each tensor (a read through a view counts for its root). */
static int *count_readers(const struct clx_graph *g)
{
	int *n = clx_calloc((size_t)g->n_tensors + 1, sizeof *n);
	if (!n)
		return NULL;
	for (int i = 0; i < g->n_nodes; i++)
		for (int s = 0; s < g->nodes[i].n_src; s++)
			n[clx_graph_root(g, g->nodes[i].src[s])]++;
	return n;
}

/* The node that reads t directly (not through a view), or -1. */
static int reader_of(const struct clx_graph *g, const bool *dead, int t)
{
	for (int i = 0; i < g->n_nodes; i++) {
		if (dead[i])
			continue;
		for (int s = 0; s < g->nodes[i].n_src; s++)
			if (g->nodes[i].src[s] == t)
				return i;
	}
	return -1;
}

/* Folds reader q of matmul m's output into m when it is an epilogue step
 * m does not have yet; true when it did. */
static bool absorb(struct clx_graph *g, struct clx_node *m, const struct clx_node *q)
{
	const int t = m->dst;
	unsigned flags = (unsigned)m->iattr[2];
	if (q->op == CLX_OP_QUICK_GELU && q->n_src == 1 &&
	    !(flags & (CLX_MATMUL_GELU | CLX_MATMUL_RESIDUAL))) {
		flags |= CLX_MATMUL_GELU;
	} else if (q->op == CLX_OP_ADD && q->n_src == 2 && !(flags & CLX_MATMUL_RESIDUAL) &&
		   m->n_src < CLX_MAX_SRC && q->src[0] != q->src[1]) {
		const int r = q->src[0] == t ? q->src[1] : q->src[0];
		if (clx_tensor_nelems(&g->tensors[r]) != clx_tensor_nelems(&g->tensors[t]) ||
		    g->tensors[r].dtype != CLX_DTYPE_F32)
			return false; /* a broadcast add is not a residual */
		m->src[m->n_src++] = r;
		flags |= CLX_MATMUL_RESIDUAL;
	} else {
		return false;
	}
	m->iattr[2] = (int32_t)flags;
	m->dst = q->dst;
	snprintf(m->name, sizeof m->name, "%s", q->name);
	struct clx_tensor *gone = &g->tensors[t];
	gone->name[0] = '\0';
	gone->producer = -1;
	return true;
}

int clx_graph_fuse_epilogues(struct clx_graph *g)
{
	if (g->oom || g->n_nodes == 0)
		return 0;
	int *readers = count_readers(g);
	bool *dead = clx_calloc((size_t)g->n_nodes, sizeof *dead);
	int fused = 0;
	if (!readers || !dead) {
		clx_free(readers);
		clx_free(dead);
		return 0; /* no memory for the pass: the graph stays as built */
	}
	for (int i = 0; i < g->n_nodes; i++) {
		struct clx_node *m = &g->nodes[i];
		if (dead[i] || m->op != CLX_OP_MATMUL)
			continue;
		for (;;) {
			const int t = m->dst;
			if (g->tensors[t].is_output || readers[t] != 1)
				break;
			const int q = reader_of(g, dead, t);
			if (q < 0 || !absorb(g, m, &g->nodes[q]))
				break; /* read through a view, or not an epilogue step */
			dead[q] = true;
			fused++;
		}
	}
	if (fused) {
		int j = 0;
		for (int i = 0; i < g->n_nodes; i++)
			if (!dead[i])
				g->nodes[j++] = g->nodes[i];
		g->n_nodes = j;
		for (int i = 0; i < g->n_nodes; i++)
			g->tensors[g->nodes[i].dst].producer = i;
	}
	clx_free(readers);
	clx_free(dead);
	return fused;
}
