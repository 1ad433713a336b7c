/* test_profile_cost.c — clx_node_cost (runtime/graph/cost.c) against a
 * hand count written here in closed form from the config, for the base
 * xclip-base-patch32 shapes (B = 1, T = 8, K = 3, L = 7) and the tiny
 * fixture's config (docs/PROFILE.md "FLOPs and bytes").
 *
 * The closed form is independent of the graph: it knows the architecture
 * (docs/XCLIP.md §1) — which linears exist, on how many tokens, with or
 * without bias — and counts 2·M·N·K (+ M·N for a bias) per linear and
 * 4·n·H·Sq·Sk·dh + 5·n·H·Sq·Sk + n·Sq·D per attention. The graph side sums
 * clx_node_cost over the nodes the builder made. Only shapes are needed:
 * the model here has no weight data. Usage: test_profile_cost BASE_CONFIG
 * TINY_CONFIG. */
#include "check.h"
#include "profile_hand.h"

#include "clx/config.h"
#include "clx/graph.h"
#include "clx/model.h"
#include "clx/xclip.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct clx_ctx *ctx;

/* ------------------------------------------------------------- graph side */

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Σ clx_node_cost flops of GEMM and attention nodes, by tower. */
static struct hand graph_count(const struct clx_graph *g)
{
	struct hand h = { 0 };
	for (int n = 0; n < g->n_nodes; n++) {
		const struct clx_node *nd = &g->nodes[n];
		if (nd->op != CLX_OP_MATMUL && nd->op != CLX_OP_ATTENTION)
			continue;
		double f, b;
		clx_node_cost(g, n, &f, &b);
		const char *nm = nd->name;
		if (starts(nm, "vision.") || starts(nm, "visual_projection"))
			h.vision += f;
		else if (starts(nm, "mit."))
			h.mit += f;
		else if (starts(nm, "prompts_visual"))
			h.prompts_visual += f;
		else if (starts(nm, "text.") || starts(nm, "text_projection"))
			h.text += f;
		else
			h.prompt_gen += f;
	}
	return h;
}

static int node_named(const struct clx_graph *g, const char *name)
{
	for (int n = 0; n < g->n_nodes; n++)
		if (strcmp(g->nodes[n].name, name) == 0)
			return n;
	return -1;
}

static bool close_rel(double a, double b)
{
	return fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b));
}

/* ----------------------------------------------------------------- tests */

static void check_config(const char *path, const char *what, int64_t B, int64_t K, int64_t L,
			 bool base)
{
	struct shapes_only s = { 0 };
	if (clx_config_load(ctx, path, &s.m.cfg) != CLX_OK) {
		CHECK(false, "%s: %s", path, clx_last_error(ctx));
		return;
	}
	clx_model_for_each_param(&s.m.cfg, add_param, &s);
	const struct clx_xclip_shape shape = { .B = B, .T = s.m.cfg.vision.num_frames, .K = K, .L = L };
	struct clx_xclip_graph xg;
	if (clx_xclip_build(ctx, &s.m, CLX_XCLIP_FULL, &shape, &xg) != CLX_OK) {
		CHECK(false, "%s: build: %s", what, clx_last_error(ctx));
		free_shapes(&s);
		return;
	}
	const struct hand h = hand_count(&s.m.cfg, (double)B, (double)K, (double)L);
	const struct hand gc = graph_count(xg.g);
	printf("%s (B=%lld K=%lld L=%lld): GEMM+attention GFLOP  vision %.6f (hand %.6f), mit %.6f "
	       "(%.6f), prompts_visual %.6f (%.6f), text %.6f (%.6f), prompt generator + logits %.6f "
	       "(%.6f); text GEMM per token %.3f MFLOP\n",
	       what, (long long)B, (long long)K, (long long)L, gc.vision * 1e-9, h.vision * 1e-9,
	       gc.mit * 1e-9, h.mit * 1e-9, gc.prompts_visual * 1e-9, h.prompts_visual * 1e-9,
	       gc.text * 1e-9, h.text * 1e-9, gc.prompt_gen * 1e-9, h.prompt_gen * 1e-9,
	       h.text_gemm_per_token * 1e-6);
	CHECK(close_rel(gc.vision, h.vision), "%s vision: graph %.0f vs hand %.0f", what, gc.vision, h.vision);
	CHECK(close_rel(gc.mit, h.mit), "%s mit: graph %.0f vs hand %.0f", what, gc.mit, h.mit);
	CHECK(close_rel(gc.prompts_visual, h.prompts_visual), "%s prompts_visual: %.0f vs %.0f", what,
	      gc.prompts_visual, h.prompts_visual);
	CHECK(close_rel(gc.text, h.text), "%s text: graph %.0f vs hand %.0f", what, gc.text, h.text);
	CHECK(close_rel(gc.prompt_gen, h.prompt_gen), "%s prompt generator: graph %.0f vs hand %.0f", what,
	      gc.prompt_gen, h.prompt_gen);

	/* per-node spot checks and every node's cost is sane */
	double total = 0;
	bool sane = true;
	for (int n = 0; n < xg.g->n_nodes; n++) {
		double f, b;
		clx_node_cost(xg.g, n, &f, &b);
		total += f;
		if (!(f >= 0) || !(b > 0)) {
			sane = false;
			fprintf(stderr, "node %s: flops %g bytes %g\n", xg.g->nodes[n].name, f, b);
		}
	}
	CHECK(sane, "%s: every node has flops >= 0 and bytes > 0", what);
	const struct clx_vision_config *v = &s.m.cfg.vision;
	const double N = (double)(B * v->num_frames), D = v->hidden_size, I = v->intermediate_size;
	const double G = v->image_size / v->patch_size, S = G * G + 1;
	int id = node_named(xg.g, "vision.layers.0.mlp.fc1");
	if (id >= 0) {
		double f, b;
		clx_node_cost(xg.g, id, &f, &b);
		CHECK(f == 2 * N * S * D * I + N * S * I, "%s fc1 flops %.0f", what, f);
		CHECK(b == 4 * (N * S * D + I * D + I + N * S * I), "%s fc1 bytes %.0f", what, b);
	} else {
		CHECK(false, "%s: no node vision.layers.0.mlp.fc1", what);
	}
	id = node_named(xg.g, "vision.layers.0.layer_norm1");
	if (id >= 0) {
		double f, b;
		clx_node_cost(xg.g, id, &f, &b);
		const double E = N * (S + 1) * D;
		CHECK(f == 8 * E + 5 * N * (S + 1), "%s layer_norm1 flops %.0f", what, f);
		CHECK(b == 4 * (2 * E + 2 * D), "%s layer_norm1 bytes %.0f", what, b);
	}
	id = node_named(xg.g, "text.embeddings.token");
	if (id >= 0) {
		double f, b;
		clx_node_cost(xg.g, id, &f, &b);
		const double Dt = s.m.cfg.text.hidden_size;
		CHECK(f == 0 && b == 4.0 * K * L + 2 * 4.0 * K * L * Dt,
		      "%s gather reads only the rows it selects: flops %.0f bytes %.0f", what, f, b);
	}

	if (base) {
		/* the headline: about 70 GFLOP of vision, about 75 MFLOP
		 * per text token, roughly 73 GFLOP in all with 3 short prompts */
		const double vis = (gc.vision + gc.prompts_visual) * 1e-9;
		printf("base: vision tower %.2f GFLOP, text %.2f MFLOP per token, whole forward %.2f GFLOP\n",
		       vis, h.text_gemm_per_token * 1e-6, total * 1e-9);
		CHECK(vis > 65 && vis < 75, "vision %.2f GFLOP is about 70", vis);
		CHECK(h.text_gemm_per_token > 70e6 && h.text_gemm_per_token < 80e6,
		      "text %.2f MFLOP per token is about 75", h.text_gemm_per_token * 1e-6);
		CHECK(gc.text / (double)(K * L) > 70e6 && gc.text / (double)(K * L) < 80e6,
		      "graph text %.2f MFLOP per token", gc.text / (double)(K * L) * 1e-6);
		CHECK(total > 72e9 && total < 75e9, "whole forward %.2f GFLOP is roughly 73", total * 1e-9);
	}

	/* op classes: every op has one and a name */
	for (int op = 0; op < CLX_OP_COUNT; op++) {
		const enum clx_op_class c = clx_op_class_of((enum clx_op)op);
		CHECK(c < CLX_OPCLASS_COUNT && strcmp(clx_op_class_name(c), "?") != 0, "op %d has a class", op);
	}
	CHECK(clx_op_class_of(CLX_OP_MATMUL) == CLX_OPCLASS_GEMM &&
		      clx_op_class_of(CLX_OP_ATTENTION) == CLX_OPCLASS_ATTENTION &&
		      clx_op_class_of(CLX_OP_LAYER_NORM) == CLX_OPCLASS_NORM &&
		      clx_op_class_of(CLX_OP_ADD) == CLX_OPCLASS_ELEMENTWISE &&
		      clx_op_class_of(CLX_OP_CONCAT) == CLX_OPCLASS_MOVEMENT,
	      "op classes");
	clx_graph_free(xg.g);
	free_shapes(&s);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s BASE_CONFIG TINY_CONFIG\n", argv[0]);
		return 2;
	}
	ctx = clx_ctx_create();
	check_config(argv[1], "base-patch32", 1, 3, 7, true);
	check_config(argv[1], "base-patch32 B=2 K=5 L=16", 2, 5, 16, false);
	check_config(argv[2], "tiny", 2, 3, 7, false);
	clx_ctx_free(ctx);
	return check_summary();
}
