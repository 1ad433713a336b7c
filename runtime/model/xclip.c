/* xclip.c — builds the X-CLIP layer DAG (docs/XCLIP.md §1 and §8) from the
 * shared CLIP blocks (clip_blocks.c) plus what X-CLIP adds: the cross-frame
 * message token in every vision layer, the MIT over frames, the visual
 * prompt and the video-specific prompt generator.
 *
 * Node names mirror the Hugging Face module names with short tower prefixes
 * ("vision.layers.3.self_attn", "text.layers.0.mlp.fc1", "mit.out"), so a
 * per-node comparison names the layer that diverged. Shapes are validated
 * here against the config before anything is built; inside the builder a
 * mismatch is a bug (CLX_ASSERT). Not here: planning and running (session.h). */
#include "clx/xclip.h"

#include "clip_blocks.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- towers */

/* Vision tower (§1.1–1.4): CLIP's embeddings, then X-CLIP's layers with the
 * cross-frame message token; last_hidden_state (N, S, D), N = B·T. */
static int vision_tower(struct clip_builder *b, int pixels, int64_t N)
{
	const struct clx_vision_config *v = &b->m->cfg.vision;
	const int64_t D = v->hidden_size, G = v->image_size / v->patch_size, S = G * G + 1;
	const float eps = v->layer_norm_eps;
	char n[CLX_MAX_NAME], hf[CLX_MAX_NAME];
	const struct clip_attn_spec self = { "layer_norm1", "self_attn", "out_proj",
					     v->num_attention_heads, false, true, -1, eps };
	int h = clip_vision_embeddings(b, v, pixels, N, "vision_model.pre_layernorm");
	const int64_t B = N / v->num_frames, Tn = v->num_frames;
	for (int l = 0; l < v->num_hidden_layers; l++) {
		char name[CLX_MAX_NAME], pre[CLX_MAX_NAME];
		clip_name(name, "vision.layers.%d", l);
		clip_name(pre, "vision_model.encoder.layers.%d", l);
		/* 1–2: message token from each frame's CLS, attended across the T frames */
		clip_name(n, "%s.cls", name);
		int m = clip_slice(b, n, h, 0, 1);
		clip_name(n, "%s.message_fc", name), clip_name(hf, "%s.message_fc", pre);
		m = clip_reshape3(b, clip_linear(b, n, m, hf, true), B, Tn, D);
		clip_name(n, "%s.message_ln", name), clip_name(hf, "%s.message_ln", pre);
		int mln = clip_layer_norm(b, n, m, hf, eps);
		clip_name(n, "%s.message_attn", name), clip_name(hf, "%s.message_attn", pre);
		int ma = clip_attention(b, n, mln, mln, hf, v->num_attention_heads, false, -1, true, "out_proj");
		clip_name(n, "%s.message", name);
		m = clip_reshape3(b, clip_elementwise(b, n, CLX_OP_ADD, m, ma), N, 1, D);
		/* 3: append it after the S tokens */
		const int two[2] = { h, m };
		const int64_t gne[3] = { N, S + 1, D };
		clip_name(n, "%s.concat", name);
		int gx = clip_node(b, n, CLX_OP_CONCAT, 2, two, 3, gne, 0, 0, 0);
		/* 4: attention over all S + 1 tokens */
		gx = clip_residual_attention(b, name, pre, gx, -1, &self);
		/* 5: drop the message token; 6: MLP */
		clip_name(n, "%s.drop_message", name);
		h = clip_slice(b, n, gx, 0, S);
		h = clip_residual_mlp(b, name, pre, h, "layer_norm2", "mlp.fc1", "mlp.fc2", eps,
				      CLX_ACT_QUICK_GELU);
	}
	return h;
}

/* Per-frame CLS → post_layernorm → visual_projection → MIT → mean over T
 * (§1.4–1.6). Returns video features (B, P), unnormalised. */
static int video_head(struct clip_builder *b, int h, int64_t B)
{
	const struct clx_vision_config *v = &b->m->cfg.vision;
	const int64_t Tn = v->num_frames, P = b->m->cfg.projection_dim;
	const float eps = v->layer_norm_eps;
	int cls = clip_slice(b, "vision.pooled_cls", h, 0, 1);
	cls = clip_layer_norm(b, "vision.post_layernorm", cls, "vision_model.post_layernorm", eps);
	int x0 = clip_reshape3(b, clip_linear(b, "visual_projection", cls, "visual_projection", false), B, Tn, P);
	int x = clip_elementwise(b, "mit.embeddings", CLX_OP_ADD, x0,
			    clip_reshape2(b, clip_weight(b, "mit.position_embedding"), Tn, P));
	for (int l = 0; l < v->mit_num_hidden_layers; l++) {
		char name[CLX_MAX_NAME], pre[CLX_MAX_NAME];
		clip_name(name, "mit.layers.%d", l);
		clip_name(pre, "mit.encoder.layers.%d", l);
		x = clip_encoder_layer(b, name, pre, x, v->mit_num_attention_heads, false, -1, eps,
				       CLX_ACT_QUICK_GELU);
	}
	x = clip_elementwise(b, "mit.out", CLX_OP_ADD, x, x0); /* residual without position */
	return clip_mean1(b, "mit.mean", x);
}

/* Patch tokens → prompts_visual_layernorm → ·P (raw, not transposed) → mean
 * over T (§1.7). Returns (B, np, P). */
static int visual_tokens(struct clip_builder *b, int h, int64_t B)
{
	const struct clx_vision_config *v = &b->m->cfg.vision;
	const int64_t Tn = v->num_frames, P = b->m->cfg.projection_dim;
	const int64_t np = clip_tensor(b, h)->ne[1] - 1, N = clip_tensor(b, h)->ne[0];
	int x = clip_slice(b, "prompts_visual.patches", h, 1, np);
	x = clip_layer_norm(b, "prompts_visual_layernorm", x, "prompts_visual_layernorm", v->layer_norm_eps);
	const int src[2] = { x, clip_weight(b, "prompts_visual_projection") };
	const int64_t ne[3] = { N, np, P };
	x = clip_node(b, "prompts_visual.projection", CLX_OP_MATMUL, 2, src, 3, ne, 1, 0, 0);
	x = clip_mean1(b, "prompts_visual.mean", clip_reshape3(b, x, B, Tn, np * P));
	return clip_reshape3(b, x, B, np, P);
}

/* Video-specific prompt generator (§1.9): text (K, P), visual (B, np, P)
 * → text + alpha ⊙ x, (B, K, P). */
static int prompt_generator(struct clip_builder *b, int text, int visual, int64_t B)
{
	const struct clx_model_config *c = &b->m->cfg;
	const int64_t K = clip_tensor(b, text)->ne[0], P = c->projection_dim;
	const float veps = c->vision.layer_norm_eps, teps = c->text.layer_norm_eps;
	const int64_t rne[3] = { B, K, P };
	int x0 = clip_node(b, "prompts_generator.text", CLX_OP_REPEAT, 1, &text, 3, rne, (int32_t)B, 0, 0);
	int vis = clip_layer_norm(b, "prompts_generator.layernorm", visual, "prompts_generator.layernorm", veps);
	const struct clip_attn_spec cross = { "norm1", "cross_attn", "proj",
					      c->prompt_num_attention_heads, false, false, -1, teps };
	int x = x0;
	for (int j = 0; j < c->prompt_layers; j++) {
		char name[CLX_MAX_NAME];
		clip_name(name, "prompts_generator.decoder.%d", j); /* = the HF module name */
		x = clip_residual_attention(b, name, name, x, vis, &cross);
		x = clip_residual_mlp(b, name, name, x, "norm3", "mlp.0", "mlp.3", teps,
				      CLX_ACT_QUICK_GELU);
	}
	x = clip_elementwise(b, "prompts_generator", CLX_OP_MUL, x, clip_weight(b, "prompts_generator.alpha"));
	return clip_elementwise(b, "text_embeds.conditioned", CLX_OP_ADD, x0, x);
}

/* ----------------------------------------------------------------- build */

static enum clx_status check_shape(struct clx_ctx *ctx, const struct clx_model_config *c,
				   enum clx_xclip_entry entry, const struct clx_xclip_shape *s)
{
	const bool vision = entry != CLX_XCLIP_TEXT_FEATURES;
	const bool text = entry != CLX_XCLIP_VIDEO_FEATURES && entry != CLX_XCLIP_CACHED_TEXT;
	if (vision && (s->B < 1 || s->B > 65536))
		return clx_fail(ctx, CLX_ERR_SHAPE, "pixel_values: %lld %s; need 1..65536", (long long)s->B,
				c->kind == CLX_MODEL_CLIP ? "images" : "videos");
	if (vision && c->kind == CLX_MODEL_CLIP && s->T != 1)
		return clx_fail(ctx, CLX_ERR_SHAPE, "pixel_values: %lld frames; a CLIP model takes images (T = 1)",
				(long long)s->T);
	if (vision && s->T != c->vision.num_frames)
		return clx_fail(ctx, CLX_ERR_SHAPE,
				"pixel_values: %lld frames per video; this model needs exactly num_frames = %d",
				(long long)s->T, c->vision.num_frames);
	if (entry != CLX_XCLIP_VIDEO_FEATURES && (s->K < 1 || s->K > 65536))
		return clx_fail(ctx, CLX_ERR_SHAPE, "input_ids: %lld prompts; need 1..65536", (long long)s->K);
	if (text && (s->L < 1 || s->L > c->text.max_position_embeddings))
		return clx_fail(ctx, CLX_ERR_SHAPE,
				"input_ids: sequence length %lld; need 1..max_position_embeddings = %d",
				(long long)s->L, c->text.max_position_embeddings);
	return CLX_OK;
}

static enum clx_status xclip_graph(struct clx_ctx *ctx, const struct clx_model *m,
				   enum clx_xclip_entry entry, const struct clx_xclip_shape *s,
				   struct clx_xclip_graph *out)
{
	const struct clx_model_config *c = &m->cfg;
	struct clip_builder b = { clx_graph_create(), m };
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
	text = clip_text_entry(&b, entry, s, out);
	if (entry == CLX_XCLIP_FULL || entry == CLX_XCLIP_CACHED_TEXT) {
		const int64_t B = s->B, K = s->K, P = c->projection_dim;
		int cond = prompt_generator(&b, text, visual_tokens(&b, h, B), B);
		/* §1.10: L2 normalise, then exp(logit_scale) · <video, text> */
		out->text_embeds = clip_elementwise(&b, "text_embeds", CLX_OP_L2_NORMALIZE, cond, -1);
		out->video_embeds = clip_elementwise(&b, "video_embeds", CLX_OP_L2_NORMALIZE, video, -1);
		const int dotsrc[2] = { clip_reshape3(&b, out->video_embeds, B, 1, P), out->text_embeds };
		const int64_t dne[3] = { B, 1, K };
		int dots = clip_node(&b, "logits.dot", CLX_OP_MATMUL, 2, dotsrc, 3, dne, 0, 1, 0);
		int scale = clip_elementwise(&b, "logit_scale.exp", CLX_OP_EXP, clip_weight(&b, "logit_scale"), -1);
		out->logits_per_video = clip_elementwise(&b, "logits_per_video", CLX_OP_MUL,
						    clip_reshape2(&b, dots, B, K), scale);
		const int64_t tne[2] = { K, B };
		out->logits_per_text = clip_node(&b, "logits_per_text", CLX_OP_TRANSPOSE, 1,
					    &out->logits_per_video, 2, tne, 0, 0, 0);
	} else {
		out->text_features = text;
		out->video_features = video;
	}
	if (b.g->oom) {
		clx_graph_free(b.g);
		return clx_fail(ctx, CLX_ERR_NOMEM, "graph: out of memory building the X-CLIP graph");
	}
	out->g = b.g;
	return CLX_OK;
}

enum clx_status clx_xclip_build(struct clx_ctx *ctx, const struct clx_model *m,
				enum clx_xclip_entry entry, const struct clx_xclip_shape *s,
				struct clx_xclip_graph *out)
{
	memset(out, 0xff, sizeof *out); /* every id = -1 */
	out->g = NULL;
	enum clx_status st = check_shape(ctx, &m->cfg, entry, s);
	if (st == CLX_OK)
		st = m->kind == CLX_MODEL_CLIP ? clip_build(ctx, m, entry, s, out)
					       : xclip_graph(ctx, m, entry, s, out);
	if (st != CLX_OK)
		return st;
	const int outs[] = { out->logits_per_video, out->logits_per_text, out->text_embeds,
			     out->video_embeds, out->text_features, out->video_features };
	for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++)
		if (outs[i] >= 0)
			out->g->tensors[outs[i]].is_output = true;
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
