/* test_fuse.c — the epilogue fusion pass (runtime/engine/fuse.c).
 *
 *   test_fuse [DEVICE_SPEC]
 *
 * Structure: a matmul followed by a quick_gelu and a residual add becomes
 * one node with both flags, the name and output of the add; an
 * intermediate that is kept (is_output), read twice, read through a view,
 * or added with broadcasting is not absorbed; the absorbed intermediates
 * cannot be found by name. Numbers: a two-layer MLP block with residuals on
 * the CPU reference gives bit-identical outputs fused and unfused (the
 * fused matmul rounds where the separate nodes do); with DEVICE_SPEC the
 * fused graph on that device matches the unfused CPU reference within
 * docs/NUMERICS.md's rule (1e-7 after a GEMM). */
#include "check.h"
#include "test_backend.h"

#include "clx/check.h"
#include "clx/graph.h"
#include "clx/session.h"

#include <stdlib.h>
#include <string.h>

static struct clx_ctx *ctx;

#define NE(...) ((const int64_t[]){ __VA_ARGS__ })

static float *random_f32(int64_t n, uint32_t seed)
{
	float *p = malloc((size_t)n * sizeof *p);
	for (int64_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (float)(seed >> 8) / (float)(1u << 24) * 2.0f - 1.0f;
	}
	return p;
}

struct block {
	struct clx_graph *g;
	int x, out;
	float *data[6];
};

/* h (M, D) → h + fc2(quick_gelu(fc1(h))), then + h again through a view:
 * the builders' pre-LN MLP block without the norm. */
static struct block mlp_block(int64_t M, int64_t D, int64_t F)
{
	struct block b = { clx_graph_create(), -1, -1, { NULL } };
	struct clx_graph *g = b.g;
	b.data[0] = random_f32(F * D, 1);
	b.data[1] = random_f32(F, 2);
	b.data[2] = random_f32(D * F, 3);
	b.data[3] = random_f32(D, 4);
	b.x = clx_graph_input(g, "h", CLX_DTYPE_F32, 2, NE(M, D));
	int w1 = clx_graph_weight(g, "fc1.weight", 2, NE(F, D), b.data[0]);
	int b1 = clx_graph_weight(g, "fc1.bias", 1, NE(F), b.data[1]);
	int w2 = clx_graph_weight(g, "fc2.weight", 2, NE(D, F), b.data[2]);
	int b2 = clx_graph_weight(g, "fc2.bias", 1, NE(D), b.data[3]);
	const int32_t ia[4] = { 0 };
	const float fa[2] = { 0 };
	int y = clx_graph_matmul(g, "mlp.fc1", b.x, w1, b1, -1, CLX_MATMUL_BIAS, false, false, 2,
				 NE(M, F));
	y = clx_graph_node(g, "mlp.act", CLX_OP_QUICK_GELU, 1, &y, 2, NE(M, F), ia, fa);
	y = clx_graph_matmul(g, "mlp.fc2", y, w2, b2, -1, CLX_MATMUL_BIAS, false, false, 2, NE(M, D));
	const int add[2] = { b.x, y };
	b.out = clx_graph_node(g, "layer", CLX_OP_ADD, 2, add, 2, NE(M, D), ia, fa);
	g->tensors[b.out].is_output = true;
	return b;
}

static void block_free(struct block *b)
{
	clx_graph_free(b->g);
	for (int i = 0; i < 6; i++)
		free(b->data[i]);
}

static int node_named(const struct clx_graph *g, const char *name)
{
	for (int i = 0; i < g->n_nodes; i++)
		if (strcmp(g->nodes[i].name, name) == 0)
			return i;
	return -1;
}

static void check_structure(void)
{
	struct block b = mlp_block(5, 8, 16);
	struct clx_graph *g = b.g;
	CHECK(g->n_nodes == 4, "built %d nodes", g->n_nodes);
	const int removed = clx_graph_fuse_epilogues(g);
	CHECK(removed == 2 && g->n_nodes == 2, "fused: %d removed, %d nodes left", removed, g->n_nodes);
	const int act = node_named(g, "mlp.act"), layer = node_named(g, "layer");
	CHECK(act >= 0 && g->nodes[act].op == CLX_OP_MATMUL &&
		      g->nodes[act].iattr[2] == (CLX_MATMUL_BIAS | CLX_MATMUL_GELU),
	      "fc1 + quick_gelu is one matmul named after the activation");
	CHECK(layer >= 0 && g->nodes[layer].op == CLX_OP_MATMUL &&
		      g->nodes[layer].iattr[2] == (CLX_MATMUL_BIAS | CLX_MATMUL_RESIDUAL) &&
		      g->nodes[layer].dst == b.out && g->nodes[layer].n_src == 4 &&
		      g->nodes[layer].src[3] == b.x,
	      "fc2 + residual is one matmul with the add's name, output and residual source");
	CHECK(clx_graph_find_tensor(g, "mlp.fc1") < 0 && clx_graph_find_tensor(g, "mlp.fc2") < 0,
	      "absorbed intermediates cannot be found by name");
	CHECK(g->tensors[b.out].producer == layer, "the output's producer is the fused node");
	CHECK(clx_graph_fuse_epilogues(g) == 0, "a second pass finds nothing");
	block_free(&b);

	/* a kept intermediate blocks its absorption */
	b = mlp_block(5, 8, 16);
	b.g->tensors[clx_graph_find_tensor(b.g, "mlp.fc1")].is_output = true;
	CHECK(clx_graph_fuse_epilogues(b.g) == 1 && node_named(b.g, "mlp.act") >= 0 &&
		      b.g->nodes[node_named(b.g, "mlp.act")].op == CLX_OP_QUICK_GELU,
	      "a kept fc1 output stays; only fc2 + residual fuse");
	block_free(&b);

	/* read twice, read through a view, broadcast add: not absorbed */
	struct clx_graph *g2 = clx_graph_create();
	float *w = random_f32(4 * 4, 5), *r = random_f32(4, 6);
	const int32_t ia[4] = { 0 };
	const float fa[2] = { 0 };
	int x = clx_graph_input(g2, "x", CLX_DTYPE_F32, 2, NE(3, 4));
	int wt = clx_graph_weight(g2, "w", 2, NE(4, 4), w);
	int row = clx_graph_weight(g2, "row", 1, NE(4), r);
	int m1 = clx_graph_matmul(g2, "m1", x, wt, -1, -1, 0, false, false, 2, NE(3, 4));
	int a1 = clx_graph_node(g2, "twice.a", CLX_OP_QUICK_GELU, 1, &m1, 2, NE(3, 4), ia, fa);
	int a2 = clx_graph_node(g2, "twice.b", CLX_OP_EXP, 1, &m1, 2, NE(3, 4), ia, fa);
	int m2 = clx_graph_matmul(g2, "m2", x, wt, -1, -1, 0, false, false, 2, NE(3, 4));
	int v2 = clx_graph_reshape(g2, m2, 1, NE(12));
	int a3 = clx_graph_node(g2, "viewed", CLX_OP_QUICK_GELU, 1, &v2, 1, NE(12), ia, fa);
	int m3 = clx_graph_matmul(g2, "m3", x, wt, -1, -1, 0, false, false, 2, NE(3, 4));
	const int bsrc[2] = { m3, row };
	int a4 = clx_graph_node(g2, "broadcast", CLX_OP_ADD, 2, bsrc, 2, NE(3, 4), ia, fa);
	(void)a1, (void)a2, (void)a3, (void)a4;
	CHECK(clx_graph_fuse_epilogues(g2) == 0 && g2->n_nodes == 7,
	      "a twice-read, viewed or broadcast-added output is not absorbed (%d nodes)", g2->n_nodes);
	clx_graph_free(g2);
	free(w);
	free(r);
}

/* The block's output, run through a session with `flags` on `be`. */
static float *run_block(struct clx_backend *be, unsigned flags, int *n_nodes, int64_t *n)
{
	const int64_t M = 7, D = 33, F = 77;
	struct block b = mlp_block(M, D, F);
	b.data[4] = random_f32(M * D, 7);
	float *out = malloc((size_t)(M * D) * sizeof *out);
	*n = M * D;
	struct clx_session *s = NULL;
	const int x = b.x, y = b.out;
	enum clx_status st = clx_session_create(ctx, b.g, be, flags, &s); /* takes b.g */
	b.g = NULL;
	if (st == CLX_OK)
		st = clx_session_set_input(ctx, s, x, b.data[4]);
	if (st == CLX_OK)
		st = clx_session_run(ctx, s, NULL, NULL);
	if (st == CLX_OK)
		st = clx_session_read(ctx, s, y, out);
	CHECK(st == CLX_OK, "run on %s: %s", clx_backend_name(be), clx_last_error(ctx));
	*n_nodes = s ? clx_session_graph(s)->n_nodes : 0;
	clx_session_free(s);
	block_free(&b);
	return out;
}

int main(int argc, char **argv)
{
	ctx = clx_ctx_create();
	check_structure();

	struct clx_backend *cpu = test_open_backend(ctx, "cpu");
	int64_t n = 0;
	int nodes_fused = 0, nodes_plain = 0;
	float *fused = cpu ? run_block(cpu, 0, &nodes_fused, &n) : NULL;
	float *plain = cpu ? run_block(cpu, CLX_SESSION_NO_FUSE, &nodes_plain, &n) : NULL;
	CHECK(fused && plain && nodes_fused == 2 && nodes_plain == 4,
	      "sessions: %d nodes fused, %d unfused", nodes_fused, nodes_plain);
	if (fused && plain)
		CHECK(memcmp(fused, plain, (size_t)n * sizeof *fused) == 0,
		      "CPU reference: fused and unfused outputs are bit-identical");
	if (argc > 1) {
		struct clx_backend *dev = test_open_backend(ctx, argv[1]);
		int nd = 0;
		float *got = dev ? run_block(dev, 0, &nd, &n) : NULL;
		if (got && plain) {
			const struct clx_diff d = clx_diff_f32(got, plain, n, 0);
			printf("%s fused vs CPU unfused: nmse %.3e, max |diff| %.3e\n", argv[1], d.nmse,
			       d.max_abs);
			CHECK(clx_check_nmse(&d, CLX_CHECK_NMSE_GEMM), "%s: fused block nmse %.3e", argv[1],
			      d.nmse);
		}
		if (dev)
			test_check_ran_on_device(dev, argv[1]);
		free(got);
		clx_backend_free(dev);
	}
	free(fused);
	free(plain);
	clx_backend_free(cpu);
	clx_ctx_free(ctx);
	return check_summary();
}
