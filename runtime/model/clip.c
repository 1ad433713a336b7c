/* clip.c — builds CLIPModel's layer DAG (docs/CLIP.md) from the shared CLIP
 * blocks (clip_blocks.c): the vision transformer over one image, the text
 * transformer, the two projections, and the scaled cosine logits.
 *
 * It fills the same struct clx_xclip_graph as X-CLIP (xclip.h), with the
 * image in the vision slots: pixel_values (B, C, S, S), logits_per_video =
 * logits_per_image (B, K), video_embeds = image_embeds (B, P),
 * video_features = get_image_features (B, P); text_embeds is (K, P), as
 * CLIP's text embeddings do not depend on the image. Node names follow the
 * Hugging Face modules as in X-CLIP ("vision.layers.3", "text_projection"). */
#include "clip_blocks.h"

#include <string.h>

/* CLIPVisionTransformer + visual_projection: image features (B, P). */
static int image_features(struct clip_builder *b, int pixels, int64_t B)
{
	const struct clx_vision_config *v = &b->m->cfg.vision;
	const float eps = v->layer_norm_eps;
	int h = clip_vision_embeddings(b, v, pixels, B, "vision_model.pre_layrnorm");
	for (int l = 0; l < v->num_hidden_layers; l++) {
		char name[CLX_MAX_NAME], pre[CLX_MAX_NAME];
		clip_name(name, "vision.layers.%d", l);
		clip_name(pre, "vision_model.encoder.layers.%d", l);
		h = clip_encoder_layer(b, name, pre, h, v->num_attention_heads, false, -1, eps,
				       v->hidden_act);
	}
	int cls = clip_reshape2(b, clip_slice(b, "vision.pooled_cls", h, 0, 1), B, v->hidden_size);
	cls = clip_layer_norm(b, "vision.post_layernorm", cls, "vision_model.post_layernorm", eps);
	return clip_linear(b, "visual_projection", cls, "visual_projection", false);
}

/* §4 of docs/CLIP.md: L2 normalise both, logits_per_image = exp(logit_scale)
 * · image_embeds · text_embedsᵀ (B, K), logits_per_text its transpose. */
static void logits(struct clip_builder *b, struct clx_xclip_graph *out, int image, int text,
		   int64_t B, int64_t K)
{
	const int64_t P = b->m->cfg.projection_dim;
	out->video_embeds = clip_elementwise(b, "image_embeds", CLX_OP_L2_NORMALIZE, image, -1);
	out->text_embeds = clip_elementwise(b, "text_embeds", CLX_OP_L2_NORMALIZE, text, -1);
	/* one batched product of two activations, as X-CLIP's logits.dot */
	const int src[2] = { clip_reshape3(b, out->video_embeds, 1, B, P),
			     clip_reshape3(b, out->text_embeds, 1, K, P) };
	const int64_t dne[3] = { 1, B, K };
	int dots = clip_node(b, "logits.dot", CLX_OP_MATMUL, 2, src, 3, dne, 0, 1, 0);
	int scale = clip_elementwise(b, "logit_scale.exp", CLX_OP_EXP, clip_weight(b, "logit_scale"), -1);
	out->logits_per_video = clip_elementwise(b, "logits_per_image", CLX_OP_MUL,
						 clip_reshape2(b, dots, B, K), scale);
	const int64_t tne[2] = { K, B };
	out->logits_per_text = clip_node(b, "logits_per_text", CLX_OP_TRANSPOSE, 1,
					 &out->logits_per_video, 2, tne, 0, 0, 0);
}

enum clx_status clip_build(struct clx_ctx *ctx, const struct clx_model *m,
			   enum clx_xclip_entry entry, const struct clx_xclip_shape *s,
			   struct clx_xclip_graph *out)
{
	const struct clx_model_config *c = &m->cfg;
	struct clip_builder b = { clx_graph_create(), m };
	if (!b.g)
		return clx_fail(ctx, CLX_ERR_NOMEM, "graph: out of memory");
	const int64_t S = c->vision.image_size;
	int image = -1, text = -1;
	if (entry != CLX_XCLIP_TEXT_FEATURES) {
		const int64_t ne[4] = { s->B, c->vision.num_channels, S, S };
		out->pixel_values = clx_graph_input(b.g, "pixel_values", CLX_DTYPE_F32, 4, ne);
		image = image_features(&b, out->pixel_values, s->B);
	}
	text = clip_text_entry(&b, entry, s, out);
	if (entry == CLX_XCLIP_FULL || entry == CLX_XCLIP_CACHED_TEXT) {
		logits(&b, out, image, text, s->B, s->K);
	} else {
		out->text_features = text;
		out->video_features = image;
	}
	if (b.g->oom) {
		clx_graph_free(b.g);
		return clx_fail(ctx, CLX_ERR_NOMEM, "graph: out of memory building the CLIP graph");
	}
	out->g = b.g;
	return CLX_OK;
}
