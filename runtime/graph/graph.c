/* graph.c — the layer DAG container: growable arrays of tensors and nodes.
 * No scheduling, no memory and no arithmetic here (see sched.c, cpu/). */
#include "clx/graph.h"

#include <stdio.h>
#include <string.h>

const char *clx_op_name(enum clx_op op)
{
	static const char *const names[CLX_OP_COUNT] = {
		[CLX_OP_MATMUL] = "matmul",        [CLX_OP_LAYER_NORM] = "layer_norm",
		[CLX_OP_ATTENTION] = "attention",  [CLX_OP_QUICK_GELU] = "quick_gelu",
		[CLX_OP_ADD] = "add",              [CLX_OP_MUL] = "mul",
		[CLX_OP_EXP] = "exp",              [CLX_OP_GATHER] = "gather",
		[CLX_OP_CONCAT] = "concat",        [CLX_OP_SLICE] = "slice",
		[CLX_OP_MEAN] = "mean",            [CLX_OP_L2_NORMALIZE] = "l2_normalize",
		[CLX_OP_PATCHIFY] = "patchify",    [CLX_OP_POOL_ARGMAX] = "pool_argmax",
		[CLX_OP_REPEAT] = "repeat",        [CLX_OP_TRANSPOSE] = "transpose",
		[CLX_OP_GELU] = "gelu",
	};
	return (unsigned)op < CLX_OP_COUNT ? names[op] : "?";
}

struct clx_graph *clx_graph_create(void)
{
	return clx_calloc(1, sizeof(struct clx_graph));
}

void clx_graph_free(struct clx_graph *g)
{
	if (!g)
		return;
	clx_free(g->tensors);
	clx_free(g->nodes);
	clx_free(g);
}

int64_t clx_tensor_nelems(const struct clx_tensor *t)
{
	int64_t n = 1;
	for (int i = 0; i < t->n_dims; i++)
		n *= t->ne[i];
	return n;
}

size_t clx_tensor_nbytes(const struct clx_tensor *t)
{
	return (size_t)clx_tensor_nelems(t) * clx_dtype_size(t->dtype);
}

int clx_graph_root(const struct clx_graph *g, int t)
{
	while (g->tensors[t].kind == CLX_TENSOR_VIEW)
		t = g->tensors[t].view_src;
	return t;
}

int clx_graph_find_tensor(const struct clx_graph *g, const char *name)
{
	for (int i = 0; i < g->n_tensors; i++)
		if (strcmp(g->tensors[i].name, name) == 0)
			return i;
	return -1;
}

/* ---------------------------------------------------------------- builders */

/* Room for element n of *arr (cap elements of `size` bytes), doubling;
 * false (and g->oom) when the allocation fails. */
static bool room(struct clx_graph *g, void **arr, int *cap, int n, size_t size)
{
	if (n < *cap)
		return true;
	const int c = *cap ? 2 * *cap : 256;
	void *p = clx_realloc(*arr, (size_t)c * size);
	if (!p) {
		g->oom = true;
		return false;
	}
	*arr = p;
	*cap = c;
	return true;
}

int clx_graph_copy_tensor(struct clx_graph *g, const struct clx_tensor *t)
{
	if (g->oom || !room(g, (void **)&g->tensors, &g->cap_tensors, g->n_tensors, sizeof *g->tensors))
		return -1;
	g->tensors[g->n_tensors] = *t;
	return g->n_tensors++;
}

int clx_graph_copy_node(struct clx_graph *g, const struct clx_node *n)
{
	if (g->oom || !room(g, (void **)&g->nodes, &g->cap_nodes, g->n_nodes, sizeof *g->nodes))
		return -1;
	g->nodes[g->n_nodes] = *n;
	return g->n_nodes++;
}

static int new_tensor(struct clx_graph *g, const char *name, enum clx_tensor_kind kind,
		      enum clx_dtype dt, int n_dims, const int64_t *ne)
{
	if (g->oom)
		return -1;
	CLX_ASSERT(n_dims >= 0 && n_dims <= CLX_MAX_DIMS);
	/* `ne` may point into g->tensors (a shape copied from another tensor),
	 * which the growth below can move: copy it first. */
	int64_t shape[CLX_MAX_DIMS];
	memcpy(shape, ne, (size_t)n_dims * sizeof *shape);
	if (!room(g, (void **)&g->tensors, &g->cap_tensors, g->n_tensors, sizeof *g->tensors))
		return -1;
	struct clx_tensor *t = &g->tensors[g->n_tensors];
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", name);
	t->kind = kind;
	t->dtype = dt;
	t->n_dims = n_dims;
	for (int i = 0; i < n_dims; i++) {
		CLX_ASSERT(shape[i] >= 0);
		t->ne[i] = shape[i];
	}
	t->view_src = -1;
	t->producer = -1;
	return g->n_tensors++;
}

int clx_graph_input(struct clx_graph *g, const char *name, enum clx_dtype dt, int n_dims,
		    const int64_t *ne)
{
	return new_tensor(g, name, CLX_TENSOR_INPUT, dt, n_dims, ne);
}

int clx_graph_weight(struct clx_graph *g, const char *name, int n_dims, const int64_t *ne,
		     const float *host)
{
	int t = new_tensor(g, name, CLX_TENSOR_WEIGHT, CLX_DTYPE_F32, n_dims, ne);
	if (t >= 0)
		g->tensors[t].host = host;
	return t;
}

static int new_view(struct clx_graph *g, int src, const char *suffix, int n_dims,
		    const int64_t *ne, size_t offs)
{
	if (src < 0 || g->oom)
		return -1;
	char name[CLX_MAX_NAME];
	snprintf(name, sizeof name, "%.100s%s", g->tensors[src].name, suffix);
	int t = new_tensor(g, name, CLX_TENSOR_VIEW, g->tensors[src].dtype, n_dims, ne);
	if (t >= 0) {
		g->tensors[t].view_src = src;
		g->tensors[t].view_offs = offs;
		CLX_ASSERT(offs + clx_tensor_nbytes(&g->tensors[t]) <=
			   clx_tensor_nbytes(&g->tensors[src]));
	}
	return t;
}

int clx_graph_reshape(struct clx_graph *g, int t, int n_dims, const int64_t *ne)
{
	return new_view(g, t, ":view", n_dims, ne, 0);
}

int clx_graph_prefix(struct clx_graph *g, int t, int64_t rows)
{
	if (t < 0 || g->oom)
		return -1;
	const struct clx_tensor *s = &g->tensors[t];
	int64_t ne[CLX_MAX_DIMS];
	memcpy(ne, s->ne, sizeof ne);
	CLX_ASSERT(s->n_dims >= 1 && rows <= ne[0]);
	ne[0] = rows;
	return new_view(g, t, ":prefix", s->n_dims, ne, 0);
}

int clx_graph_node(struct clx_graph *g, const char *name, enum clx_op op, int n_src,
		   const int *src, int n_dims, const int64_t *ne, const int32_t *iattr,
		   const float *fattr)
{
	if (g->oom)
		return -1;
	CLX_ASSERT(n_src >= 1 && n_src <= CLX_MAX_SRC);
	for (int i = 0; i < n_src; i++)
		if (src[i] < 0)
			return -1; /* an earlier builder call failed */
	if (!room(g, (void **)&g->nodes, &g->cap_nodes, g->n_nodes, sizeof *g->nodes))
		return -1;
	int t = new_tensor(g, name, CLX_TENSOR_ACT, CLX_DTYPE_F32, n_dims, ne);
	if (t < 0)
		return -1;
	struct clx_node *n = &g->nodes[g->n_nodes];
	memset(n, 0, sizeof *n);
	snprintf(n->name, sizeof n->name, "%s", name);
	n->op = op;
	n->n_src = n_src;
	for (int i = 0; i < n_src; i++)
		n->src[i] = src[i];
	n->dst = t;
	if (iattr)
		memcpy(n->iattr, iattr, sizeof n->iattr);
	if (fattr)
		memcpy(n->fattr, fattr, sizeof n->fattr);
	g->tensors[t].producer = g->n_nodes;
	g->n_nodes++;
	return t;
}

/* ------------------------------------------------------------- reading */

struct clx_matmul_dims clx_matmul_dims(const struct clx_graph *g, int node)
{
	const struct clx_node *nd = &g->nodes[node];
	const struct clx_tensor *x = &g->tensors[nd->src[0]], *y = &g->tensors[nd->dst];
	struct clx_matmul_dims d = { 0 };
	d.w_kn = nd->iattr[0] != 0;
	d.batched = nd->iattr[1] != 0;
	d.flags = (unsigned)nd->iattr[2];
	int next = 2;
	d.bias = d.flags & CLX_MATMUL_BIAS ? nd->src[next++] : -1;
	d.residual = d.flags & CLX_MATMUL_RESIDUAL ? nd->src[next++] : -1;
	d.K = x->ne[x->n_dims - 1];
	d.N = y->ne[y->n_dims - 1];
	d.batch = d.batched ? x->ne[0] : 1;
	d.M = d.N > 0 && d.batch > 0 ? clx_tensor_nelems(y) / d.N / d.batch : 0;
	return d;
}

const char *clx_shape_str(char *buf, size_t cap, int n_dims, const int64_t *ne)
{
	if (cap == 0)
		return buf;
	size_t len = (size_t)snprintf(buf, cap, "[");
	for (int i = 0; i < n_dims && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%lld", i ? ", " : "", (long long)ne[i]);
	if (len < cap)
		snprintf(buf + len, cap - len, "]");
	return buf;
}

int clx_graph_matmul(struct clx_graph *g, const char *name, int x, int w, int bias, int residual,
		     unsigned flags, bool w_kn, bool batched, int n_dims, const int64_t *ne)
{
	int src[CLX_MAX_SRC] = { x, w };
	int n = 2;
	if (g->oom || ((flags & CLX_MATMUL_BIAS) && bias < 0) ||
	    ((flags & CLX_MATMUL_RESIDUAL) && residual < 0))
		return -1; /* an earlier builder call failed */
	if (flags & CLX_MATMUL_BIAS)
		src[n++] = bias;
	if (flags & CLX_MATMUL_RESIDUAL)
		src[n++] = residual;
	const int32_t ia[4] = { w_kn, batched, (int32_t)flags, 0 };
	const float fa[2] = { 0, 0 };
	return clx_graph_node(g, name, CLX_OP_MATMUL, n, src, n_dims, ne, ia, fa);
}
