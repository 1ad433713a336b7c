/* profile_hand.h — the hand count of FLOPs for the X-CLIP graph, in closed
 * form from the config (docs/PROFILE.md), and a model with shapes but no
 * weight data so tests can build graphs without 786 MB of weights. Shared
 * by test_profile_cost.c, test_profile.c and test_sched.c.
 *
 * The closed form knows the architecture (docs/XCLIP.md §1) — which
 * linears exist, on how many tokens, with or without bias — and counts
 * 2·M·N·K (+ M·N for a bias) per linear and 4·n·H·Sq·Sk·dh + 5·n·H·Sq·Sk +
 * n·Sq·D per attention, independently of runtime/graph/cost.c. */
#ifndef CLX_TEST_PROFILE_HAND_H
#define CLX_TEST_PROFILE_HAND_H

#include "clx/config.h"
#include "clx/model.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ shapes-only model */

struct shapes_only {
	struct clx_model m;
	int cap;
};

static inline void add_param(void *user, const char *name, int n_dims, const int64_t *shape)
{
	struct shapes_only *s = user;
	if (s->m.n_weights == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 512;
		s->m.weights = realloc(s->m.weights, (size_t)s->cap * sizeof *s->m.weights);
	}
	struct clx_weight *w = &s->m.weights[s->m.n_weights++];
	memset(w, 0, sizeof *w);
	w->name = strdup(name);
	w->n_dims = n_dims;
	memcpy(w->shape, shape, (size_t)n_dims * sizeof *shape);
	w->n_elems = 1;
	for (int i = 0; i < n_dims; i++)
		w->n_elems *= shape[i];
}

static inline void free_shapes(struct shapes_only *s)
{
	for (int i = 0; i < s->m.n_weights; i++)
		free((char *)s->m.weights[i].name);
	free(s->m.weights);
}

/* ---------------------------------------------------------- hand count */

/* A linear layer on M tokens, K in, N out. */
static inline double lin(double M, double K, double N, bool bias)
{
	return 2 * M * K * N + (bias ? M * N : 0);
}

/* The attention core: scores, softmax, weighted sum. */
static inline double attn(double n, double H, double Sq, double Sk, double D)
{
	const double dh = D / H;
	return 4 * n * H * Sq * Sk * dh + 5 * n * H * Sq * Sk + n * Sq * D;
}

struct hand {
	double vision, text, mit, prompts_visual, prompt_gen; /* GEMM + attention flops */
	double text_gemm_per_token;
};

static inline struct hand hand_count(const struct clx_model_config *c, double B, double K, double L)
{
	const struct clx_vision_config *v = &c->vision;
	const struct clx_text_config *t = &c->text;
	const double T = v->num_frames, N = B * T, D = v->hidden_size, I = v->intermediate_size;
	const double G = v->image_size / v->patch_size, np = G * G, S = np + 1;
	const double P = c->projection_dim, Cp = (double)v->num_channels * v->patch_size * v->patch_size;
	struct hand h = { 0 };
	/* vision: patch conv as a GEMM, then per layer message token (fc +
	 * attention across frames), attention over S + 1 tokens, MLP on S */
	h.vision = lin(N * np, Cp, D, false);
	for (int l = 0; l < v->num_hidden_layers; l++) {
		h.vision += lin(N, D, D, true);                                     /* message_fc */
		h.vision += 4 * lin(N, D, D, true) + attn(B, v->num_attention_heads, T, T, D);
		h.vision += 4 * lin(N * (S + 1), D, D, true) + attn(N, v->num_attention_heads, S + 1, S + 1, D);
		h.vision += lin(N * S, D, I, true) + lin(N * S, I, D, true);        /* MLP */
	}
	h.vision += lin(N, D, P, false); /* visual_projection of each frame's CLS */
	/* MIT: one CLIP layer per mit layer on (B, T, P) */
	const double Dm = v->mit_hidden_size, Im = v->mit_intermediate_size;
	for (int l = 0; l < v->mit_num_hidden_layers; l++)
		h.mit += 4 * lin(N, Dm, Dm, true) + attn(B, v->mit_num_attention_heads, T, T, Dm) +
			 lin(N, Dm, Im, true) + lin(N, Im, Dm, true);
	h.prompts_visual = lin(N * np, D, P, false);
	/* text: L tokens per prompt */
	const double Dt = t->hidden_size, It = t->intermediate_size;
	for (int l = 0; l < t->num_hidden_layers; l++) {
		h.text += 4 * lin(K * L, Dt, Dt, true) + attn(K, t->num_attention_heads, L, L, Dt);
		h.text += lin(K * L, Dt, It, true) + lin(K * L, It, Dt, true);
		h.text_gemm_per_token += 4 * lin(1, Dt, Dt, false) + lin(1, Dt, It, false) + lin(1, It, Dt, false);
	}
	h.text += lin(K, Dt, P, false); /* text_projection */
	/* prompt generator: cross-attention of the K prompts over np visual
	 * tokens per video (q/k/v without bias, proj with), MLP ×4 */
	for (int j = 0; j < c->prompt_layers; j++)
		h.prompt_gen += lin(B * K, P, P, false) + 2 * lin(B * np, P, P, false) +
				attn(B, c->prompt_num_attention_heads, K, np, P) + lin(B * K, P, P, true) +
				lin(B * K, P, 4 * P, true) + lin(B * K, 4 * P, P, true);
	/* logits: (B, 1, P) · (B, K, P)ᵀ */
	h.prompt_gen += 2 * B * K * P;
	return h;
}

/* The epilogues a session folds into its matmuls (runtime/engine/fuse.c),
 * which the profiler counts with them: a residual add (1 per output) after
 * every attention output projection and every second MLP linear, a
 * quick_gelu (4 per output) after every first MLP linear. */
static inline double hand_fused_epilogues(const struct clx_model_config *c, double B, double K,
					  double L)
{
	const struct clx_vision_config *v = &c->vision;
	const struct clx_text_config *t = &c->text;
	const double T = v->num_frames, N = B * T, D = v->hidden_size, I = v->intermediate_size;
	const double G = v->image_size / v->patch_size, S = G * G + 1, P = c->projection_dim;
	double f = 0;
	/* vision: message residual, attention residual over S + 1, MLP on S */
	f += v->num_hidden_layers * (N * D + N * (S + 1) * D + 4 * N * S * I + N * S * D);
	f += v->mit_num_hidden_layers * (N * v->mit_hidden_size + 4 * N * v->mit_intermediate_size +
					 N * v->mit_hidden_size);
	f += t->num_hidden_layers * (K * L * t->hidden_size + 4 * K * L * t->intermediate_size +
				     K * L * t->hidden_size);
	f += c->prompt_layers * (B * K * P + 4 * B * K * 4 * P + B * K * P);
	return f;
}

/* GEMM + attention FLOPs of the whole forward. */
static inline double hand_total(const struct hand *h)
{
	return h->vision + h->text + h->mit + h->prompts_visual + h->prompt_gen;
}

#endif
