/* xclip.c — builds the X-CLIP layer DAG (docs/XCLIP.md §1 and §8) and runs
 * it through the scheduler.
 *
 * Node names mirror the Hugging Face module names with short tower prefixes
 * ("vision.layers.3.self_attn", "text.layers.0.mlp.fc1", "mit.out"), so a
 * per-node comparison names the layer that diverged. Shapes are validated
 * here against the config before anything is built; inside the builder a
 * mismatch is a bug (CLX_ASSERT). */
#include "clx/xclip.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct builder {
	struct clx_graph *g;
	const struct clx_model *m;
};

/* ------------------------------------------------------------ primitives */

static void fmt(char *buf, const char *f, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void fmt(char *buf, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, CLX_MAX_NAME, f, ap);
	va_end(ap);
}

static const struct clx_tensor *T(struct builder *b, int t)
{
	CLX_ASSERT(t >= 0);
	return &b->g->tensors[t];
}

/* The graph tensor of HF parameter `name`, created on first use. */
static int weight(struct builder *b, const char *name)
{
	if (b->g->oom)
		return -1;
	for (int t = 0; t < b->g->n_tensors; t++) /* node outputs may share a name */
		if (b->g->tensors[t].kind == CLX_TENSOR_WEIGHT && strcmp(b->g->tensors[t].name, name) == 0)
			return t;
	const struct clx_weight *w = clx_model_weight(b->m, name);
	CLX_ASSERT(w != NULL); /* the loader checked every parameter */
	int t = clx_graph_weight(b->g, name, w->n_dims, w->shape, w->data);
	if (t >= 0)
		b->g->tensors[t].host_mapped = !w->owned; /* in place in the safetensors mmap */
	return t;
}

static int node(struct builder *b, const char *name, enum clx_op op, int n_src, const int *src,
		int n_dims, const int64_t *ne, int32_t i0, int32_t i1, float f0)
{
	const int32_t ia[4] = { i0, i1, 0, 0 };
	const float fa[2] = { f0, 0 };
	return clx_graph_node(b->g, name, op, n_src, src, n_dims, ne, ia, fa);
}

static int reshape3(struct builder *b, int t, int64_t a, int64_t c, int64_t d)
{
	if (t < 0)
		return -1;
	const int64_t ne[3] = { a, c, d };
	CLX_ASSERT(a * c * d == clx_tensor_nelems(T(b, t)));
	return clx_graph_reshape(b->g, t, 3, ne);
}

static int reshape2(struct builder *b, int t, int64_t a, int64_t c)
{
	if (t < 0)
		return -1;
	const int64_t ne[2] = { a, c };
	CLX_ASSERT(a * c == clx_tensor_nelems(T(b, t)));
	return clx_graph_reshape(b->g, t, 2, ne);
}

/* Same shape as x, one or two inputs. */
static int elementwise(struct builder *b, const char *name, enum clx_op op, int x, int y)
{
	if (x < 0 || y < -1)
		return -1;
	const int src[2] = { x, y };
	const struct clx_tensor *tx = T(b, x);
	if (y >= 0)
		CLX_ASSERT(clx_tensor_nelems(tx) % clx_tensor_nelems(T(b, y)) == 0);
	return node(b, name, op, y >= 0 ? 2 : 1, src, tx->n_dims, tx->ne, 0, 0, 0);
}

/* y = x·Wᵀ (+ b) with W = `hf`.weight (N, K) and b = `hf`.bias. */
static int linear(struct builder *b, const char *name, int x, const char *hf, bool bias)
{
	char wn[CLX_MAX_NAME], bn[CLX_MAX_NAME];
	fmt(wn, "%s.weight", hf);
	fmt(bn, "%s.bias", hf);
	int w = weight(b, wn);
	if (x < 0 || w < 0)
		return -1;
	const struct clx_tensor *tx = T(b, x);
	CLX_ASSERT(T(b, w)->ne[1] == tx->ne[tx->n_dims - 1]);
	int64_t ne[CLX_MAX_DIMS];
	memcpy(ne, tx->ne, sizeof ne);
	ne[tx->n_dims - 1] = T(b, w)->ne[0];
	const int src[3] = { x, w, bias ? weight(b, bn) : -1 };
	return node(b, name, CLX_OP_MATMUL, bias ? 3 : 2, src, tx->n_dims, ne, 0, 0, 0);
}

static int layer_norm(struct builder *b, const char *name, int x, const char *hf, float eps)
{
	char wn[CLX_MAX_NAME], bn[CLX_MAX_NAME];
	fmt(wn, "%s.weight", hf);
	fmt(bn, "%s.bias", hf);
	const int src[3] = { x, weight(b, wn), weight(b, bn) };
	if (x < 0)
		return -1;
	return node(b, name, CLX_OP_LAYER_NORM, 3, src, T(b, x)->n_dims, T(b, x)->ne, 0, 0, eps);
}

/* Multi-head attention with projections (XCLIPAttention, and the prompt
 * generator's cross-attention when xq ≠ xkv):
 *   q = xq·Wqᵀ(+bq), k = xkv·Wkᵀ(+bk), v = xkv·Wvᵀ(+bv)
 *   o = softmax(q·kᵀ·head_dim^-0.5 + mask)·v per head, then o·Woᵀ + bo. */
static int attention(struct builder *b, const char *name, int xq, int xkv, const char *hf,
		     int heads, bool causal, int mask, bool qkv_bias, const char *out_proj)
{
	char n[CLX_MAX_NAME], h[CLX_MAX_NAME];
	fmt(n, "%s.q_proj", name), fmt(h, "%s.q_proj", hf);
	int q = linear(b, n, xq, h, qkv_bias);
	fmt(n, "%s.k_proj", name), fmt(h, "%s.k_proj", hf);
	int k = linear(b, n, xkv, h, qkv_bias);
	fmt(n, "%s.v_proj", name), fmt(h, "%s.v_proj", hf);
	int v = linear(b, n, xkv, h, qkv_bias);
	if (q < 0 || k < 0 || v < 0)
		return -1;
	const int64_t D = T(b, q)->ne[2];
	CLX_ASSERT(D % heads == 0);
	const float scale = (float)pow((double)(D / heads), -0.5);
	const int src[4] = { q, k, v, mask };
	int o = node(b, name, CLX_OP_ATTENTION, mask >= 0 ? 4 : 3, src, 3, T(b, q)->ne, heads,
		     causal, scale);
	fmt(n, "%s.%s", name, out_proj), fmt(h, "%s.%s", hf, out_proj);
	return linear(b, n, o, h, true);
}

/* fc2(quick_gelu(fc1(x))) */
static int mlp(struct builder *b, const char *name, int x, const char *fc1, const char *fc2)
{
	char n[CLX_MAX_NAME];
	fmt(n, "%s.fc1", name);
	int y = linear(b, n, x, fc1, true);
	fmt(n, "%s.act", name);
	y = elementwise(b, n, CLX_OP_QUICK_GELU, y, -1);
	fmt(n, "%s.fc2", name);
	return linear(b, n, y, fc2, true);
}

/* A pre-LN CLIP encoder layer:
 *   h = h + self_attn(layer_norm1(h)); h = h + mlp(layer_norm2(h)). */
static int clip_layer(struct builder *b, const char *name, const char *hf, int h, int heads,
		      bool causal, int mask, float eps)
{
	char n[CLX_MAX_NAME], p[CLX_MAX_NAME], p2[CLX_MAX_NAME];
	fmt(n, "%s.layer_norm1", name), fmt(p, "%s.layer_norm1", hf);
	int x = layer_norm(b, n, h, p, eps);
	fmt(n, "%s.self_attn", name), fmt(p, "%s.self_attn", hf);
	x = attention(b, n, x, x, p, heads, causal, mask, true, "out_proj");
	fmt(n, "%s.self_attn.residual", name);
	h = elementwise(b, n, CLX_OP_ADD, h, x);
	fmt(n, "%s.layer_norm2", name), fmt(p, "%s.layer_norm2", hf);
	x = layer_norm(b, n, h, p, eps);
	fmt(n, "%s.mlp", name), fmt(p, "%s.mlp.fc1", hf), fmt(p2, "%s.mlp.fc2", hf);
	x = mlp(b, n, x, p, p2);
	return elementwise(b, name, CLX_OP_ADD, h, x);
}

static int slice(struct builder *b, const char *name, int x, int64_t start, int64_t len)
{
	if (x < 0)
		return -1;
	const struct clx_tensor *t = T(b, x);
	const int64_t ne[3] = { t->ne[0], len, t->ne[2] };
	return node(b, name, CLX_OP_SLICE, 1, &x, 3, ne, (int32_t)start, (int32_t)len, 0);
}

/* mean over axis 1 of (a, c, d) → (a, d) */
static int mean1(struct builder *b, const char *name, int x)
{
	if (x < 0)
		return -1;
	const struct clx_tensor *t = T(b, x);
	const int64_t ne[2] = { t->ne[0], t->ne[2] };
	return node(b, name, CLX_OP_MEAN, 1, &x, 2, ne, 0, 0, 0);
}

/* ---------------------------------------------------------------- towers */

/* Vision tower (§1.1–1.4): returns last_hidden_state (N, S, D), N = B·T. */
static int vision_tower(struct builder *b, int pixels, int64_t N)
{
	const struct clx_vision_config *v = &b->m->cfg.vision;
	const int64_t D = v->hidden_size, C = v->num_channels, p = v->patch_size;
	const int64_t G = v->image_size / p, np = G * G, S = np + 1;
	const float eps = v->layer_norm_eps;
	char n[CLX_MAX_NAME], hf[CLX_MAX_NAME];

	/* Patch conv (no bias) as patchify + matmul with W viewed (D, C·p·p). */
	const int64_t img[4] = { N, C, v->image_size, v->image_size };
	int x = clx_graph_reshape(b->g, pixels, 4, img);
	const int64_t pne[3] = { N, np, C * p * p };
	x = node(b, "vision.embeddings.patchify", CLX_OP_PATCHIFY, 1, &x, 3, pne, (int32_t)p, 0, 0);
	int wconv = reshape2(b, weight(b, "vision_model.embeddings.patch_embedding.weight"), D, C * p * p);
	const int src[2] = { x, wconv };
	const int64_t ene[3] = { N, np, D };
	x = node(b, "vision.embeddings.patch_embedding", CLX_OP_MATMUL, 2, src, 3, ene, 0, 0, 0);
	/* [class_embedding; patches] + position_embedding */
	int cls = reshape3(b, weight(b, "vision_model.embeddings.class_embedding"), 1, 1, D);
	const int cat[2] = { cls, x };
	const int64_t hne[3] = { N, S, D };
	int h = node(b, "vision.embeddings.concat", CLX_OP_CONCAT, 2, cat, 3, hne, 0, 0, 0);
	h = elementwise(b, "vision.embeddings", CLX_OP_ADD, h,
			weight(b, "vision_model.embeddings.position_embedding.weight"));
	h = layer_norm(b, "vision.pre_layernorm", h, "vision_model.pre_layernorm", eps);

	const int64_t B = N / v->num_frames, Tn = v->num_frames;
	for (int l = 0; l < v->num_hidden_layers; l++) {
		char name[CLX_MAX_NAME], pre[CLX_MAX_NAME];
		fmt(name, "vision.layers.%d", l);
		fmt(pre, "vision_model.encoder.layers.%d", l);
		/* 1–2: message token from each frame's CLS, attended across the T frames */
		fmt(n, "%s.cls", name);
		int m = slice(b, n, h, 0, 1);
		fmt(n, "%s.message_fc", name), fmt(hf, "%s.message_fc", pre);
		m = reshape3(b, linear(b, n, m, hf, true), B, Tn, D);
		fmt(n, "%s.message_ln", name), fmt(hf, "%s.message_ln", pre);
		int mln = layer_norm(b, n, m, hf, eps);
		fmt(n, "%s.message_attn", name), fmt(hf, "%s.message_attn", pre);
		int ma = attention(b, n, mln, mln, hf, v->num_attention_heads, false, -1, true, "out_proj");
		fmt(n, "%s.message", name);
		m = reshape3(b, elementwise(b, n, CLX_OP_ADD, m, ma), N, 1, D);
		/* 3: append it after the S tokens */
		const int two[2] = { h, m };
		const int64_t gne[3] = { N, S + 1, D };
		fmt(n, "%s.concat", name);
		int gx = node(b, n, CLX_OP_CONCAT, 2, two, 3, gne, 0, 0, 0);
		/* 4: attention over all S + 1 tokens */
		fmt(n, "%s.layer_norm1", name), fmt(hf, "%s.layer_norm1", pre);
		int x1 = layer_norm(b, n, gx, hf, eps);
		fmt(n, "%s.self_attn", name), fmt(hf, "%s.self_attn", pre);
		x1 = attention(b, n, x1, x1, hf, v->num_attention_heads, false, -1, true, "out_proj");
		fmt(n, "%s.self_attn.residual", name);
		gx = elementwise(b, n, CLX_OP_ADD, gx, x1);
		/* 5: drop the message token; 6: MLP */
		fmt(n, "%s.drop_message", name);
		h = slice(b, n, gx, 0, S);
		fmt(n, "%s.layer_norm2", name), fmt(hf, "%s.layer_norm2", pre);
		int x2 = layer_norm(b, n, h, hf, eps);
		char f1[CLX_MAX_NAME], f2[CLX_MAX_NAME];
		fmt(n, "%s.mlp", name), fmt(f1, "%s.mlp.fc1", pre), fmt(f2, "%s.mlp.fc2", pre);
		x2 = mlp(b, n, x2, f1, f2);
		h = elementwise(b, name, CLX_OP_ADD, h, x2);
	}
	return h;
}

/* Per-frame CLS → post_layernorm → visual_projection → MIT → mean over T
 * (§1.4–1.6). Returns video features (B, P), unnormalised. */
static int video_head(struct builder *b, int h, int64_t B)
{
	const struct clx_vision_config *v = &b->m->cfg.vision;
	const int64_t Tn = v->num_frames, P = b->m->cfg.projection_dim;
	const float eps = v->layer_norm_eps;
	int cls = slice(b, "vision.pooled_cls", h, 0, 1);
	cls = layer_norm(b, "vision.post_layernorm", cls, "vision_model.post_layernorm", eps);
	int x0 = reshape3(b, linear(b, "visual_projection", cls, "visual_projection", false), B, Tn, P);
	int x = elementwise(b, "mit.embeddings", CLX_OP_ADD, x0,
			    reshape2(b, weight(b, "mit.position_embedding"), Tn, P));
	for (int l = 0; l < v->mit_num_hidden_layers; l++) {
		char name[CLX_MAX_NAME], pre[CLX_MAX_NAME];
		fmt(name, "mit.layers.%d", l);
		fmt(pre, "mit.encoder.layers.%d", l);
		x = clip_layer(b, name, pre, x, v->mit_num_attention_heads, false, -1, eps);
	}
	x = elementwise(b, "mit.out", CLX_OP_ADD, x, x0); /* residual without position */
	return mean1(b, "mit.mean", x);
}

/* Patch tokens → prompts_visual_layernorm → ·P (raw, not transposed) → mean
 * over T (§1.7). Returns (B, np, P). */
static int visual_tokens(struct builder *b, int h, int64_t B)
{
	const struct clx_vision_config *v = &b->m->cfg.vision;
	const int64_t Tn = v->num_frames, P = b->m->cfg.projection_dim;
	const int64_t np = T(b, h)->ne[1] - 1, N = T(b, h)->ne[0];
	int x = slice(b, "prompts_visual.patches", h, 1, np);
	x = layer_norm(b, "prompts_visual_layernorm", x, "prompts_visual_layernorm", v->layer_norm_eps);
	const int src[2] = { x, weight(b, "prompts_visual_projection") };
	const int64_t ne[3] = { N, np, P };
	x = node(b, "prompts_visual.projection", CLX_OP_MATMUL, 2, src, 3, ne, 1, 0, 0);
	x = mean1(b, "prompts_visual.mean", reshape3(b, x, B, Tn, np * P));
	return reshape3(b, x, B, np, P);
}

/* Text tower (§1.8): returns text features (K, P), unnormalised. */
static int text_tower(struct builder *b, int ids, int mask, int64_t K, int64_t L)
{
	const struct clx_text_config *t = &b->m->cfg.text;
	const int64_t Dt = t->hidden_size;
	const int src[2] = { weight(b, "text_model.embeddings.token_embedding.weight"), ids };
	const int64_t ne[3] = { K, L, Dt };
	int h = node(b, "text.embeddings.token", CLX_OP_GATHER, 2, src, 3, ne, 0, 0, 0);
	int pos = clx_graph_prefix(b->g, weight(b, "text_model.embeddings.position_embedding.weight"), L);
	h = elementwise(b, "text.embeddings", CLX_OP_ADD, h, pos);
	for (int l = 0; l < t->num_hidden_layers; l++) {
		char name[CLX_MAX_NAME], pre[CLX_MAX_NAME];
		fmt(name, "text.layers.%d", l);
		fmt(pre, "text_model.encoder.layers.%d", l);
		h = clip_layer(b, name, pre, h, t->num_attention_heads, true, mask, t->layer_norm_eps);
	}
	h = layer_norm(b, "text.final_layer_norm", h, "text_model.final_layer_norm", t->layer_norm_eps);
	const int pool[2] = { h, ids };
	const int64_t kne[2] = { K, Dt };
	h = node(b, "text.pooled", CLX_OP_POOL_ARGMAX, 2, pool, 2, kne, 0, 0, 0);
	return linear(b, "text_projection", h, "text_projection", false);
}

/* Video-specific prompt generator (§1.9): text (K, P), visual (B, np, P)
 * → text + alpha ⊙ x, (B, K, P). */
static int prompt_generator(struct builder *b, int text, int visual, int64_t B)
{
	const struct clx_xclip_config *c = &b->m->cfg;
	const int64_t K = T(b, text)->ne[0], P = c->projection_dim;
	const float veps = c->vision.layer_norm_eps, teps = c->text.layer_norm_eps;
	const int64_t rne[3] = { B, K, P };
	int x0 = node(b, "prompts_generator.text", CLX_OP_REPEAT, 1, &text, 3, rne, (int32_t)B, 0, 0);
	int vis = layer_norm(b, "prompts_generator.layernorm", visual, "prompts_generator.layernorm", veps);
	int x = x0;
	for (int j = 0; j < c->prompt_layers; j++) {
		char name[CLX_MAX_NAME], pre[CLX_MAX_NAME], n[CLX_MAX_NAME], hf[CLX_MAX_NAME];
		char f1[CLX_MAX_NAME], f2[CLX_MAX_NAME];
		fmt(name, "prompts_generator.decoder.%d", j);
		fmt(pre, "prompts_generator.decoder.%d", j);
		fmt(n, "%s.norm1", name), fmt(hf, "%s.norm1", pre);
		int y = layer_norm(b, n, x, hf, teps);
		fmt(n, "%s.cross_attn", name), fmt(hf, "%s.cross_attn", pre);
		y = attention(b, n, y, vis, hf, c->prompt_num_attention_heads, false, -1, false, "proj");
		fmt(n, "%s.cross_attn.residual", name);
		x = elementwise(b, n, CLX_OP_ADD, x, y);
		fmt(n, "%s.norm3", name), fmt(hf, "%s.norm3", pre);
		y = layer_norm(b, n, x, hf, teps);
		fmt(n, "%s.mlp", name), fmt(f1, "%s.mlp.0", pre), fmt(f2, "%s.mlp.3", pre);
		y = mlp(b, n, y, f1, f2);
		x = elementwise(b, name, CLX_OP_ADD, x, y);
	}
	x = elementwise(b, "prompts_generator", CLX_OP_MUL, x, weight(b, "prompts_generator.alpha"));
	return elementwise(b, "text_embeds.conditioned", CLX_OP_ADD, x0, x);
}

/* ----------------------------------------------------------------- build */

static enum clx_status check_shape(struct clx_ctx *ctx, const struct clx_xclip_config *c,
				   enum clx_xclip_entry entry, const struct clx_xclip_shape *s)
{
	const bool vision = entry != CLX_XCLIP_TEXT_FEATURES, text = entry != CLX_XCLIP_VIDEO_FEATURES;
	if (vision && (s->B < 1 || s->B > 65536))
		return clx_fail(ctx, CLX_ERR_SHAPE, "pixel_values: %lld videos; need 1..65536", (long long)s->B);
	if (vision && s->T != c->vision.num_frames)
		return clx_fail(ctx, CLX_ERR_SHAPE,
				"pixel_values: %lld frames per video; this model needs exactly num_frames = %d",
				(long long)s->T, c->vision.num_frames);
	if (text && (s->K < 1 || s->K > 65536))
		return clx_fail(ctx, CLX_ERR_SHAPE, "input_ids: %lld prompts; need 1..65536", (long long)s->K);
	if (text && (s->L < 1 || s->L > c->text.max_position_embeddings))
		return clx_fail(ctx, CLX_ERR_SHAPE,
				"input_ids: sequence length %lld; need 1..max_position_embeddings = %d",
				(long long)s->L, c->text.max_position_embeddings);
	return CLX_OK;
}

enum clx_status clx_xclip_build(struct clx_ctx *ctx, const struct clx_model *m,
				enum clx_xclip_entry entry, const struct clx_xclip_shape *s,
				struct clx_xclip_graph *out)
{
	const struct clx_xclip_config *c = &m->cfg;
	memset(out, 0xff, sizeof *out); /* every id = -1 */
	out->g = NULL;
	enum clx_status st = check_shape(ctx, c, entry, s);
	if (st != CLX_OK)
		return st;
	struct builder b = { clx_graph_create(), m };
	if (!b.g)
		return clx_fail(ctx, CLX_ERR_NOMEM, "graph: out of memory");
	const int64_t S = c->vision.image_size;
	int video = -1, text = -1, h = -1;
	if (entry != CLX_XCLIP_TEXT_FEATURES) {
		const int64_t ne[5] = { s->B, s->T, c->vision.num_channels, S, S };
		out->pixel_values = clx_graph_input(b.g, "pixel_values", CLX_DTYPE_F32, 5, ne);
		h = vision_tower(&b, out->pixel_values, s->B * s->T);
		video = video_head(&b, h, s->B);
	}
	if (entry != CLX_XCLIP_VIDEO_FEATURES) {
		const int64_t ne[2] = { s->K, s->L };
		out->input_ids = clx_graph_input(b.g, "input_ids", CLX_DTYPE_I32, 2, ne);
		out->attention_mask = clx_graph_input(b.g, "attention_mask", CLX_DTYPE_I32, 2, ne);
		text = text_tower(&b, out->input_ids, out->attention_mask, s->K, s->L);
	}
	if (entry == CLX_XCLIP_FULL) {
		const int64_t B = s->B, K = s->K, P = c->projection_dim;
		int cond = prompt_generator(&b, text, visual_tokens(&b, h, B), B);
		/* §1.10: L2 normalise, then exp(logit_scale) · <video, text> */
		out->text_embeds = elementwise(&b, "text_embeds", CLX_OP_L2_NORMALIZE, cond, -1);
		out->video_embeds = elementwise(&b, "video_embeds", CLX_OP_L2_NORMALIZE, video, -1);
		const int dotsrc[2] = { reshape3(&b, out->video_embeds, B, 1, P), out->text_embeds };
		const int64_t dne[3] = { B, 1, K };
		int dots = node(&b, "logits.dot", CLX_OP_MATMUL, 2, dotsrc, 3, dne, 0, 1, 0);
		int scale = elementwise(&b, "logit_scale.exp", CLX_OP_EXP, weight(&b, "logit_scale"), -1);
		out->logits_per_video = elementwise(&b, "logits_per_video", CLX_OP_MUL,
						    reshape2(&b, dots, B, K), scale);
		const int64_t tne[2] = { K, B };
		out->logits_per_text = node(&b, "logits_per_text", CLX_OP_TRANSPOSE, 1,
					    &out->logits_per_video, 2, tne, 0, 0, 0);
	} else {
		out->text_features = text;
		out->video_features = video;
	}
	if (b.g->oom) {
		clx_graph_free(b.g);
		return clx_fail(ctx, CLX_ERR_NOMEM, "graph: out of memory building the X-CLIP graph");
	}
	const int outs[] = { out->logits_per_video, out->logits_per_text, out->text_embeds,
			     out->video_embeds, out->text_features, out->video_features };
	for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++)
		if (outs[i] >= 0)
			b.g->tensors[outs[i]].is_output = true;
	out->g = b.g;
	return CLX_OK;
}

enum clx_status clx_xclip_check_text(struct clx_ctx *ctx, const struct clx_model *m,
				     const struct clx_xclip_shape *s, const int32_t *ids,
				     const int32_t *mask)
{
	for (int64_t i = 0; i < s->K * s->L; i++) {
		if (ids[i] < 0 || ids[i] >= m->cfg.text.vocab_size)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"input_ids[%lld][%lld] = %d is outside the vocabulary [0, %d)",
					(long long)(i / s->L), (long long)(i % s->L), ids[i],
					m->cfg.text.vocab_size);
		if (mask && mask[i] != 0 && mask[i] != 1)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"attention_mask[%lld][%lld] = %d; must be 0 or 1",
					(long long)(i / s->L), (long long)(i % s->L), mask[i]);
	}
	return CLX_OK;
}
