/* clip_blocks.h — the CLIP building blocks every model of the CLIP family is
 * made of (docs/XCLIP.md §1, §3.5): for each block, its parameters (names
 * and shapes, for the loader and the synthetic-weight generator) and its
 * graph. X-CLIP (xclip.c) adds its video parts on top; plain CLIP uses the
 * blocks as they are. Internal to runtime/.
 *
 * Graph builders return a tensor id, or -1 once any allocation failed (the
 * graph's oom flag is then set; callers check once at the end). Node names
 * follow the Hugging Face module names with short tower prefixes, so a
 * per-node comparison names the layer that diverged. */
#ifndef CLX_CLIP_BLOCKS_H
#define CLX_CLIP_BLOCKS_H

#include "clx/config.h"
#include "clx/graph.h"
#include "clx/model.h"
#include "clx/xclip.h"

/* ------------------------------------------------------------ parameters */

struct clip_params {
	clx_param_fn fn;
	void *user;
	int count;
};

void clip_param(struct clip_params *e, const char *name, int n_dims, int64_t d0, int64_t d1,
		int64_t d2, int64_t d3);
/* prefix.weight (out, in) and, with bias, prefix.bias (out). */
void clip_params_linear(struct clip_params *e, const char *prefix, int64_t out, int64_t in,
			bool bias);
/* prefix.weight, prefix.bias (d). */
void clip_params_norm(struct clip_params *e, const char *prefix, int64_t d);
/* k_proj, v_proj, q_proj, out_proj, each (d, d) with bias. */
void clip_params_attention(struct clip_params *e, const char *prefix, int64_t d);
/* One pre-LN encoder layer: self_attn, layer_norm1, mlp.fc1, mlp.fc2, layer_norm2. */
void clip_params_encoder_layer(struct clip_params *e, const char *prefix, int64_t d, int64_t ff);
/* text_model.*: embeddings, every layer, final_layer_norm. */
void clip_params_text_tower(struct clip_params *e, const struct clx_text_config *t);
/* vision_model.embeddings.* and the pre-layer norm `pre_ln`
 * ("vision_model.pre_layernorm" in X-CLIP, "vision_model.pre_layrnorm" in CLIP). */
void clip_params_vision_embeddings(struct clip_params *e, const struct clx_vision_config *v,
				   const char *pre_ln);

/* ----------------------------------------------------------------- graph */

struct clip_builder {
	struct clx_graph *g;
	const struct clx_model *m;   /* weights by HF name */
};

/* printf into a CLX_MAX_NAME buffer. */
void clip_name(char *buf, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

const struct clx_tensor *clip_tensor(struct clip_builder *b, int t);
/* The graph tensor of HF parameter `name`, created on first use. */
int clip_weight(struct clip_builder *b, const char *name);
int clip_node(struct clip_builder *b, const char *name, enum clx_op op, int n_src, const int *src,
	      int n_dims, const int64_t *ne, int32_t i0, int32_t i1, float f0);
int clip_reshape2(struct clip_builder *b, int t, int64_t a, int64_t c);
int clip_reshape3(struct clip_builder *b, int t, int64_t a, int64_t c, int64_t d);
/* Same shape as x; y = -1 for a unary op. */
int clip_elementwise(struct clip_builder *b, const char *name, enum clx_op op, int x, int y);
/* x (n, S, D) → rows [start, start + len) of S. */
int clip_slice(struct clip_builder *b, const char *name, int x, int64_t start, int64_t len);
/* mean over axis 1 of (a, c, d) → (a, d). */
int clip_mean1(struct clip_builder *b, const char *name, int x);

/* y = x·Wᵀ (+ b), W = `hf`.weight (N, K), b = `hf`.bias. */
int clip_linear(struct clip_builder *b, const char *name, int x, const char *hf, bool bias);
int clip_layer_norm(struct clip_builder *b, const char *name, int x, const char *hf, float eps);
/* Multi-head attention with projections; cross-attention when xq ≠ xkv:
 *   q = xq·Wqᵀ(+bq), k = xkv·Wkᵀ(+bk), v = xkv·Wvᵀ(+bv),
 *   o = softmax(q·kᵀ·head_dim^-0.5 + mask)·v per head, then o·Woᵀ + bo
 * (Wo = `hf`.`out_proj`). mask: a (n, Sk) i32 tensor, or -1. */
int clip_attention(struct clip_builder *b, const char *name, int xq, int xkv, const char *hf,
		   int heads, bool causal, int mask, bool qkv_bias, const char *out_proj);
/* fc2(act(fc1(x))) */
int clip_mlp(struct clip_builder *b, const char *name, int x, const char *fc1, const char *fc2,
	     enum clx_act act);
/* How a layer names and runs its attention (clip_residual_attention). */
struct clip_attn_spec {
	const char *norm;            /* the layer norm before it: "layer_norm1", "norm1" */
	const char *attn;            /* the attention module: "self_attn", "cross_attn" */
	const char *out_proj;        /* its output projection: "out_proj", "proj" */
	int heads;
	bool causal;
	bool qkv_bias;
	int mask;                    /* (n, Sk) i32 tensor, or -1 */
	float eps;
};
/* x + attn(norm(x), kv): a pre-LN residual attention (self-attention on
 * norm(x) when kv = -1). Nodes "<name>.<norm>", "<name>.<attn>",
 * "<name>.<attn>.residual"; weights under hf. */
int clip_residual_attention(struct clip_builder *b, const char *name, const char *hf, int x,
			    int kv, const struct clip_attn_spec *a);
/* x + mlp(norm(x)) with hf.fc1 and hf.fc2; the sum is node `name`. */
int clip_residual_mlp(struct clip_builder *b, const char *name, const char *hf, int x,
		      const char *norm, const char *fc1, const char *fc2, float eps, enum clx_act act);
/* A pre-LN encoder layer: h = h + self_attn(layer_norm1(h)); h = h + mlp(layer_norm2(h)). */
int clip_encoder_layer(struct clip_builder *b, const char *name, const char *hf, int h, int heads,
		       bool causal, int mask, float eps, enum clx_act act);

/* pixels (N, C, S, S) → patch embedding (conv as patchify + matmul), class
 * token, position embedding, the pre-layer norm pre_ln (weights' HF name):
 * (N, S/p·S/p + 1, D). */
int clip_vision_embeddings(struct clip_builder *b, const struct clx_vision_config *v, int pixels,
			   int64_t N, const char *pre_ln);
/* The text tower: token + position embeddings, every layer (causal, masked),
 * final_layer_norm, EOS pooling (by t->eos_token_id), text_projection: text
 * features (K, P). */
int clip_text_tower(struct clip_builder *b, const struct clx_text_config *t, int ids, int mask,
		    int64_t K, int64_t L);

/* The text side of an entry: the text tower on new inputs input_ids and
 * attention_mask (K, L), or for CLX_XCLIP_CACHED_TEXT the input
 * text_features (K, P); -1 for the vision-only entry. Sets out's ids. */
int clip_text_entry(struct clip_builder *b, enum clx_xclip_entry entry,
		    const struct clx_xclip_shape *s, struct clx_xclip_graph *out);

/* CLIPModel's graph (clip.c) into X-CLIP's graph struct, the image in its
 * vision slots; called by clx_xclip_build, which checks the shape first and
 * marks the outputs after. */
enum clx_status clip_build(struct clx_ctx *ctx, const struct clx_model *m,
			   enum clx_xclip_entry entry, const struct clx_xclip_shape *s,
			   struct clx_xclip_graph *out);

/* CLIPModel's graph (clip.c) into X-CLIP's graph struct, the image in its
 * vision slots; called by clx_xclip_build, which checks the shape first and
 * marks the outputs after. */
enum clx_status clip_build(struct clx_ctx *ctx, const struct clx_model *m,
			   enum clx_xclip_entry entry, const struct clx_xclip_shape *s,
			   struct clx_xclip_graph *out);

#endif
