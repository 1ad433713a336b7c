/* clip_blocks.c — the CLIP building blocks (clip_blocks.h): parameter
 * lists and graph builders shared by every model of the CLIP family.
 *
 * Shapes are validated by the model code before anything is built; inside
 * a builder a mismatch is a bug (CLX_ASSERT). Not here: anything X-CLIP
 * adds (message tokens, MIT, prompts: xclip.c). */
#include "clip_blocks.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ parameters */

void clip_param(struct clip_params *e, const char *name, int n_dims, int64_t d0, int64_t d1,
		int64_t d2, int64_t d3)
{
	int64_t shape[4] = { d0, d1, d2, d3 };
	e->fn(e->user, name, n_dims, shape);
	e->count++;
}

/* out = "a.b"; names are far below CLX_MAX_NAME, longer would be a bug. */
static void join(char *out, const char *a, const char *b)
{
	int n = snprintf(out, CLX_MAX_NAME, "%s.%s", a, b);
	CLX_ASSERT(n > 0 && n < CLX_MAX_NAME);
}

void clip_params_linear(struct clip_params *e, const char *prefix, int64_t out, int64_t in,
			bool bias)
{
	char name[CLX_MAX_NAME];
	join(name, prefix, "weight");
	clip_param(e, name, 2, out, in, 0, 0);
	if (bias) {
		join(name, prefix, "bias");
		clip_param(e, name, 1, out, 0, 0, 0);
	}
}

void clip_params_norm(struct clip_params *e, const char *prefix, int64_t d)
{
	char name[CLX_MAX_NAME];
	join(name, prefix, "weight");
	clip_param(e, name, 1, d, 0, 0, 0);
	join(name, prefix, "bias");
	clip_param(e, name, 1, d, 0, 0, 0);
}

void clip_params_attention(struct clip_params *e, const char *prefix, int64_t d)
{
	static const char *const proj[] = { "k_proj", "v_proj", "q_proj", "out_proj" };
	char name[CLX_MAX_NAME];
	for (int i = 0; i < 4; i++) {
		join(name, prefix, proj[i]);
		clip_params_linear(e, name, d, d, true);
	}
}

void clip_params_encoder_layer(struct clip_params *e, const char *prefix, int64_t d, int64_t ff)
{
	char name[CLX_MAX_NAME];
	join(name, prefix, "self_attn");
	clip_params_attention(e, name, d);
	join(name, prefix, "layer_norm1");
	clip_params_norm(e, name, d);
	join(name, prefix, "mlp.fc1");
	clip_params_linear(e, name, ff, d, true);
	join(name, prefix, "mlp.fc2");
	clip_params_linear(e, name, d, ff, true);
	join(name, prefix, "layer_norm2");
	clip_params_norm(e, name, d);
}

void clip_params_text_tower(struct clip_params *e, const struct clx_text_config *t)
{
	char name[CLX_MAX_NAME];
	clip_param(e, "text_model.embeddings.token_embedding.weight", 2, t->vocab_size,
		   t->hidden_size, 0, 0);
	clip_param(e, "text_model.embeddings.position_embedding.weight", 2,
		   t->max_position_embeddings, t->hidden_size, 0, 0);
	for (int l = 0; l < t->num_hidden_layers; l++) {
		snprintf(name, sizeof name, "text_model.encoder.layers.%d", l);
		clip_params_encoder_layer(e, name, t->hidden_size, t->intermediate_size);
	}
	clip_params_norm(e, "text_model.final_layer_norm", t->hidden_size);
}

void clip_params_vision_embeddings(struct clip_params *e, const struct clx_vision_config *v,
				   const char *pre_ln)
{
	const int64_t G = v->image_size / v->patch_size;
	clip_param(e, "vision_model.embeddings.class_embedding", 1, v->hidden_size, 0, 0, 0);
	clip_param(e, "vision_model.embeddings.patch_embedding.weight", 4, v->hidden_size,
		   v->num_channels, v->patch_size, v->patch_size);
	clip_param(e, "vision_model.embeddings.position_embedding.weight", 2, G * G + 1,
		   v->hidden_size, 0, 0);
	clip_params_norm(e, pre_ln, v->hidden_size);
}

/* ------------------------------------------------------------ primitives */

void clip_name(char *buf, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, CLX_MAX_NAME, f, ap);
	va_end(ap);
}

const struct clx_tensor *clip_tensor(struct clip_builder *b, int t)
{
	CLX_ASSERT(t >= 0);
	return &b->g->tensors[t];
}

/* The graph tensor of HF parameter `name`, created on first use. */
int clip_weight(struct clip_builder *b, const char *name)
{
	if (b->g->oom)
		return -1;
	for (int t = 0; t < b->g->n_tensors; t++) /* node outputs may share a name */
		if (b->g->tensors[t].kind == CLX_TENSOR_WEIGHT && strcmp(b->g->tensors[t].name, name) == 0)
			return t;
	const struct clx_weight *w = clx_model_weight(b->m, name);
	CLX_ASSERT(w != NULL); /* the loader checked every parameter */
	int t = clx_graph_weight(b->g, name, w->n_dims, w->shape, w->data);
	if (t >= 0) {
		b->g->tensors[t].host_mapped = !w->owned; /* in place in the safetensors mmap */
		b->g->tensors[t].host_key = w->key;
		b->g->tensors[t].host_half = w->half;
	}
	return t;
}

int clip_node(struct clip_builder *b, const char *name, enum clx_op op, int n_src, const int *src,
	      int n_dims, const int64_t *ne, int32_t i0, int32_t i1, float f0)
{
	const int32_t ia[4] = { i0, i1, 0, 0 };
	const float fa[2] = { f0, 0 };
	return clx_graph_node(b->g, name, op, n_src, src, n_dims, ne, ia, fa);
}

int clip_reshape3(struct clip_builder *b, int t, int64_t a, int64_t c, int64_t d)
{
	if (t < 0)
		return -1;
	const int64_t ne[3] = { a, c, d };
	CLX_ASSERT(a * c * d == clx_tensor_nelems(clip_tensor(b, t)));
	return clx_graph_reshape(b->g, t, 3, ne);
}

int clip_reshape2(struct clip_builder *b, int t, int64_t a, int64_t c)
{
	if (t < 0)
		return -1;
	const int64_t ne[2] = { a, c };
	CLX_ASSERT(a * c == clx_tensor_nelems(clip_tensor(b, t)));
	return clx_graph_reshape(b->g, t, 2, ne);
}

/* Same shape as x, one or two inputs. */
int clip_elementwise(struct clip_builder *b, const char *name, enum clx_op op, int x, int y)
{
	if (x < 0 || y < -1)
		return -1;
	const int src[2] = { x, y };
	const struct clx_tensor *tx = clip_tensor(b, x);
	if (y >= 0)
		CLX_ASSERT(clx_tensor_nelems(tx) % clx_tensor_nelems(clip_tensor(b, y)) == 0);
	return clip_node(b, name, op, y >= 0 ? 2 : 1, src, tx->n_dims, tx->ne, 0, 0, 0);
}

/* y = x·Wᵀ (+ b) with W = `hf`.weight (N, K) and b = `hf`.bias. */
int clip_linear(struct clip_builder *b, const char *name, int x, const char *hf, bool bias)
{
	char wn[CLX_MAX_NAME], bn[CLX_MAX_NAME];
	clip_name(wn, "%s.weight", hf);
	clip_name(bn, "%s.bias", hf);
	int w = clip_weight(b, wn);
	if (x < 0 || w < 0)
		return -1;
	const struct clx_tensor *tx = clip_tensor(b, x);
	CLX_ASSERT(clip_tensor(b, w)->ne[1] == tx->ne[tx->n_dims - 1]);
	int64_t ne[CLX_MAX_DIMS];
	memcpy(ne, tx->ne, sizeof ne);
	ne[tx->n_dims - 1] = clip_tensor(b, w)->ne[0];
	return clx_graph_matmul(b->g, name, x, w, bias ? clip_weight(b, bn) : -1, -1,
				bias ? CLX_MATMUL_BIAS : 0, false, false, tx->n_dims, ne);
}

int clip_layer_norm(struct clip_builder *b, const char *name, int x, const char *hf, float eps)
{
	char wn[CLX_MAX_NAME], bn[CLX_MAX_NAME];
	clip_name(wn, "%s.weight", hf);
	clip_name(bn, "%s.bias", hf);
	const int src[3] = { x, clip_weight(b, wn), clip_weight(b, bn) };
	if (x < 0)
		return -1;
	return clip_node(b, name, CLX_OP_LAYER_NORM, 3, src, clip_tensor(b, x)->n_dims, clip_tensor(b, x)->ne, 0, 0, eps);
}

/* Multi-head attention with projections (XCLIPAttention, and the prompt
 * generator's cross-attention when xq ≠ xkv):
 *   q = xq·Wqᵀ(+bq), k = xkv·Wkᵀ(+bk), v = xkv·Wvᵀ(+bv)
 *   o = softmax(q·kᵀ·head_dim^-0.5 + mask)·v per head, then o·Woᵀ + bo. */
int clip_attention(struct clip_builder *b, const char *name, int xq, int xkv, const char *hf,
		   int heads, bool causal, int mask, bool qkv_bias, const char *out_proj)
{
	char n[CLX_MAX_NAME], h[CLX_MAX_NAME];
	clip_name(n, "%s.q_proj", name), clip_name(h, "%s.q_proj", hf);
	int q = clip_linear(b, n, xq, h, qkv_bias);
	clip_name(n, "%s.k_proj", name), clip_name(h, "%s.k_proj", hf);
	int k = clip_linear(b, n, xkv, h, qkv_bias);
	clip_name(n, "%s.v_proj", name), clip_name(h, "%s.v_proj", hf);
	int v = clip_linear(b, n, xkv, h, qkv_bias);
	if (q < 0 || k < 0 || v < 0)
		return -1;
	const int64_t D = clip_tensor(b, q)->ne[2];
	CLX_ASSERT(D % heads == 0);
	const float scale = (float)pow((double)(D / heads), -0.5);
	const int src[4] = { q, k, v, mask };
	int o = clip_node(b, name, CLX_OP_ATTENTION, mask >= 0 ? 4 : 3, src, 3, clip_tensor(b, q)->ne,
			  heads, causal, scale);
	clip_name(n, "%s.%s", name, out_proj), clip_name(h, "%s.%s", hf, out_proj);
	return clip_linear(b, n, o, h, true);
}

/* fc2(act(fc1(x))) */
int clip_mlp(struct clip_builder *b, const char *name, int x, const char *fc1, const char *fc2,
	     enum clx_act act)
{
	char n[CLX_MAX_NAME];
	clip_name(n, "%s.fc1", name);
	int y = clip_linear(b, n, x, fc1, true);
	clip_name(n, "%s.act", name);
	y = clip_elementwise(b, n, act == CLX_ACT_GELU ? CLX_OP_GELU : CLX_OP_QUICK_GELU, y, -1);
	clip_name(n, "%s.fc2", name);
	return clip_linear(b, n, y, fc2, true);
}

int clip_residual_attention(struct clip_builder *b, const char *name, const char *hf, int x,
			    int kv, const struct clip_attn_spec *a)
{
	char n[CLX_MAX_NAME], p[CLX_MAX_NAME];
	clip_name(n, "%s.%s", name, a->norm), clip_name(p, "%s.%s", hf, a->norm);
	int y = clip_layer_norm(b, n, x, p, a->eps);
	clip_name(n, "%s.%s", name, a->attn), clip_name(p, "%s.%s", hf, a->attn);
	y = clip_attention(b, n, y, kv >= 0 ? kv : y, p, a->heads, a->causal, a->mask, a->qkv_bias,
			   a->out_proj);
	clip_name(n, "%s.%s.residual", name, a->attn);
	return clip_elementwise(b, n, CLX_OP_ADD, x, y);
}

int clip_residual_mlp(struct clip_builder *b, const char *name, const char *hf, int x,
		      const char *norm, const char *fc1, const char *fc2, float eps, enum clx_act act)
{
	char n[CLX_MAX_NAME], p[CLX_MAX_NAME], p2[CLX_MAX_NAME];
	clip_name(n, "%s.%s", name, norm), clip_name(p, "%s.%s", hf, norm);
	int y = clip_layer_norm(b, n, x, p, eps);
	clip_name(n, "%s.mlp", name), clip_name(p, "%s.%s", hf, fc1), clip_name(p2, "%s.%s", hf, fc2);
	y = clip_mlp(b, n, y, p, p2, act);
	return clip_elementwise(b, name, CLX_OP_ADD, x, y);
}

int clip_encoder_layer(struct clip_builder *b, const char *name, const char *hf, int h, int heads,
		       bool causal, int mask, float eps, enum clx_act act)
{
	const struct clip_attn_spec self = { "layer_norm1", "self_attn", "out_proj", heads, causal,
					     true, mask, eps };
	h = clip_residual_attention(b, name, hf, h, -1, &self);
	return clip_residual_mlp(b, name, hf, h, "layer_norm2", "mlp.fc1", "mlp.fc2", eps, act);
}

int clip_slice(struct clip_builder *b, const char *name, int x, int64_t start, int64_t len)
{
	if (x < 0)
		return -1;
	const struct clx_tensor *t = clip_tensor(b, x);
	const int64_t ne[3] = { t->ne[0], len, t->ne[2] };
	return clip_node(b, name, CLX_OP_SLICE, 1, &x, 3, ne, (int32_t)start, (int32_t)len, 0);
}

/* mean over axis 1 of (a, c, d) → (a, d) */
int clip_mean1(struct clip_builder *b, const char *name, int x)
{
	if (x < 0)
		return -1;
	const struct clx_tensor *t = clip_tensor(b, x);
	const int64_t ne[2] = { t->ne[0], t->ne[2] };
	return clip_node(b, name, CLX_OP_MEAN, 1, &x, 2, ne, 0, 0, 0);
}

/* ------------------------------------------------------------- towers */

int clip_vision_embeddings(struct clip_builder *b, const struct clx_vision_config *v, int pixels,
			   int64_t N, const char *pre_ln)
{
	const int64_t D = v->hidden_size, C = v->num_channels, p = v->patch_size;
	const int64_t G = v->image_size / p, np = G * G, S = np + 1;
	/* Patch conv (no bias) as patchify + matmul with W viewed (D, C·p·p). */
	const int64_t img[4] = { N, C, v->image_size, v->image_size };
	int x = clx_graph_reshape(b->g, pixels, 4, img);
	const int64_t pne[3] = { N, np, C * p * p };
	x = clip_node(b, "vision.embeddings.patchify", CLX_OP_PATCHIFY, 1, &x, 3, pne, (int32_t)p, 0, 0);
	int wconv = clip_reshape2(b, clip_weight(b, "vision_model.embeddings.patch_embedding.weight"),
				  D, C * p * p);
	const int src[2] = { x, wconv };
	const int64_t ene[3] = { N, np, D };
	x = clip_node(b, "vision.embeddings.patch_embedding", CLX_OP_MATMUL, 2, src, 3, ene, 0, 0, 0);
	/* [class_embedding; patches] + position_embedding */
	int cls = clip_reshape3(b, clip_weight(b, "vision_model.embeddings.class_embedding"), 1, 1, D);
	const int cat[2] = { cls, x };
	const int64_t hne[3] = { N, S, D };
	int h = clip_node(b, "vision.embeddings.concat", CLX_OP_CONCAT, 2, cat, 3, hne, 0, 0, 0);
	h = clip_elementwise(b, "vision.embeddings", CLX_OP_ADD, h,
			     clip_weight(b, "vision_model.embeddings.position_embedding.weight"));
	return clip_layer_norm(b, "vision.pre_layernorm", h, pre_ln, v->layer_norm_eps);
}

int clip_text_entry(struct clip_builder *b, enum clx_xclip_entry entry,
		    const struct clx_xclip_shape *s, struct clx_xclip_graph *out)
{
	if (entry == CLX_XCLIP_VIDEO_FEATURES)
		return -1;
	if (entry == CLX_XCLIP_CACHED_TEXT) {
		const int64_t ne[2] = { s->K, b->m->cfg.projection_dim };
		return out->text_features_in = clx_graph_input(b->g, "text_features", CLX_DTYPE_F32, 2, ne);
	}
	const int64_t ne[2] = { s->K, s->L };
	out->input_ids = clx_graph_input(b->g, "input_ids", CLX_DTYPE_I32, 2, ne);
	out->attention_mask = clx_graph_input(b->g, "attention_mask", CLX_DTYPE_I32, 2, ne);
	return clip_text_tower(b, &b->m->cfg.text, out->input_ids, out->attention_mask, s->K, s->L);
}

/* Text tower (docs/XCLIP.md §1.8): text features (K, P), unnormalised. */
int clip_text_tower(struct clip_builder *b, const struct clx_text_config *t, int ids, int mask,
		    int64_t K, int64_t L)
{
	const int64_t Dt = t->hidden_size;
	const int src[2] = { clip_weight(b, "text_model.embeddings.token_embedding.weight"), ids };
	const int64_t ne[3] = { K, L, Dt };
	int h = clip_node(b, "text.embeddings.token", CLX_OP_GATHER, 2, src, 3, ne, 0, 0, 0);
	int pos = clx_graph_prefix(
		b->g, clip_weight(b, "text_model.embeddings.position_embedding.weight"), L);
	h = clip_elementwise(b, "text.embeddings", CLX_OP_ADD, h, pos);
	for (int l = 0; l < t->num_hidden_layers; l++) {
		char name[CLX_MAX_NAME], pre[CLX_MAX_NAME];
		clip_name(name, "text.layers.%d", l);
		clip_name(pre, "text_model.encoder.layers.%d", l);
		h = clip_encoder_layer(b, name, pre, h, t->num_attention_heads, true, mask,
				       t->layer_norm_eps, t->hidden_act);
	}
	h = clip_layer_norm(b, "text.final_layer_norm", h, "text_model.final_layer_norm",
			    t->layer_norm_eps);
	/* CLIPTextTransformer: eos_token_id 2 (legacy) pools at the largest id,
	 * any other at the first position holding eos_token_id. */
	const int pool[2] = { h, ids };
	const int64_t kne[2] = { K, Dt };
	const bool match = t->eos_token_id != 2;
	h = clip_node(b, "text.pooled", CLX_OP_POOL_ARGMAX, 2, pool, 2, kne, match,
		      match ? t->eos_token_id : 0, 0);
	return clip_linear(b, "text_projection", h, "text_projection", false);
}

