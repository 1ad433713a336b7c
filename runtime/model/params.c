/* params.c — the parameter list of XCLIPModel for a config (docs/XCLIP.md §3.5).
 * Names and shapes only; no data. The order is fixed (towers first), not the state_dict order. */
#include "clx/model.h"

#include <stdio.h>

struct emit {
	clx_param_fn fn;
	void *user;
	int count;
};

static void emit(struct emit *e, const char *name, int n, int64_t d0, int64_t d1, int64_t d2,
		 int64_t d3)
{
	int64_t shape[4] = { d0, d1, d2, d3 };
	e->fn(e->user, name, n, shape);
	e->count++;
}

/* out = "a.b"; names are far below CLX_MAX_NAME, longer would be a bug. */
static void join(char *out, const char *a, const char *b)
{
	int n = snprintf(out, CLX_MAX_NAME, "%s.%s", a, b);
	CLX_ASSERT(n > 0 && n < CLX_MAX_NAME);
}

static void emit_linear(struct emit *e, const char *prefix, int64_t out, int64_t in, bool bias)
{
	char name[CLX_MAX_NAME];
	join(name, prefix, "weight");
	emit(e, name, 2, out, in, 0, 0);
	if (bias) {
		join(name, prefix, "bias");
		emit(e, name, 1, out, 0, 0, 0);
	}
}

static void emit_norm(struct emit *e, const char *prefix, int64_t d)
{
	char name[CLX_MAX_NAME];
	join(name, prefix, "weight");
	emit(e, name, 1, d, 0, 0, 0);
	join(name, prefix, "bias");
	emit(e, name, 1, d, 0, 0, 0);
}

static void emit_attention(struct emit *e, const char *prefix, int64_t d)
{
	static const char *const proj[] = { "k_proj", "v_proj", "q_proj", "out_proj" };
	char name[CLX_MAX_NAME];
	for (int i = 0; i < 4; i++) {
		join(name, prefix, proj[i]);
		emit_linear(e, name, d, d, true);
	}
}

/* One pre-LN CLIP encoder layer: self_attn, layer_norm1, mlp, layer_norm2. */
static void emit_clip_layer(struct emit *e, const char *prefix, int64_t d, int64_t ff)
{
	char name[CLX_MAX_NAME];
	join(name, prefix, "self_attn");
	emit_attention(e, name, d);
	join(name, prefix, "layer_norm1");
	emit_norm(e, name, d);
	join(name, prefix, "mlp.fc1");
	emit_linear(e, name, ff, d, true);
	join(name, prefix, "mlp.fc2");
	emit_linear(e, name, d, ff, true);
	join(name, prefix, "layer_norm2");
	emit_norm(e, name, d);
}

int clx_xclip_for_each_param(const struct clx_xclip_config *cfg, clx_param_fn fn, void *user)
{
	struct emit e = { fn, user, 0 };
	const struct clx_text_config *t = &cfg->text;
	const struct clx_vision_config *v = &cfg->vision;
	const int64_t P = cfg->projection_dim;
	const int64_t np = (int64_t)(v->image_size / v->patch_size) * (v->image_size / v->patch_size);
	char name[CLX_MAX_NAME];

	/* text tower */
	emit(&e, "text_model.embeddings.token_embedding.weight", 2, t->vocab_size, t->hidden_size, 0, 0);
	emit(&e, "text_model.embeddings.position_embedding.weight", 2, t->max_position_embeddings,
	     t->hidden_size, 0, 0);
	for (int l = 0; l < t->num_hidden_layers; l++) {
		snprintf(name, sizeof name, "text_model.encoder.layers.%d", l);
		emit_clip_layer(&e, name, t->hidden_size, t->intermediate_size);
	}
	emit_norm(&e, "text_model.final_layer_norm", t->hidden_size);

	/* vision tower */
	emit(&e, "vision_model.embeddings.class_embedding", 1, v->hidden_size, 0, 0, 0);
	emit(&e, "vision_model.embeddings.patch_embedding.weight", 4, v->hidden_size, v->num_channels,
	     v->patch_size, v->patch_size);
	emit(&e, "vision_model.embeddings.position_embedding.weight", 2, np + 1, v->hidden_size, 0, 0);
	emit_norm(&e, "vision_model.pre_layernorm", v->hidden_size);
	for (int l = 0; l < v->num_hidden_layers; l++) {
		snprintf(name, sizeof name, "vision_model.encoder.layers.%d.message_fc", l);
		emit_linear(&e, name, v->hidden_size, v->hidden_size, true);
		snprintf(name, sizeof name, "vision_model.encoder.layers.%d.message_ln", l);
		emit_norm(&e, name, v->hidden_size);
		snprintf(name, sizeof name, "vision_model.encoder.layers.%d.message_attn", l);
		emit_attention(&e, name, v->hidden_size);
		snprintf(name, sizeof name, "vision_model.encoder.layers.%d", l);
		emit_clip_layer(&e, name, v->hidden_size, v->intermediate_size);
	}
	emit_norm(&e, "vision_model.post_layernorm", v->hidden_size);

	/* projections, scale, prompt-visual path */
	emit_linear(&e, "visual_projection", P, v->hidden_size, false);
	emit_linear(&e, "text_projection", P, t->hidden_size, false);
	emit(&e, "logit_scale", 0, 0, 0, 0, 0);
	emit_norm(&e, "prompts_visual_layernorm", v->hidden_size);
	emit(&e, "prompts_visual_projection", 2, v->hidden_size, P, 0, 0);

	/* MIT */
	emit(&e, "mit.position_embedding", 3, 1, v->num_frames, v->mit_hidden_size, 0);
	for (int l = 0; l < v->mit_num_hidden_layers; l++) {
		snprintf(name, sizeof name, "mit.encoder.layers.%d", l);
		emit_clip_layer(&e, name, v->mit_hidden_size, v->mit_intermediate_size);
	}

	/* prompt generator */
	emit_norm(&e, "prompts_generator.layernorm", P);
	for (int j = 0; j < cfg->prompt_layers; j++) {
		char p[CLX_MAX_NAME];
		static const char *const qkv[] = { "q_proj", "k_proj", "v_proj" };
		for (int i = 0; i < 3; i++) {
			snprintf(p, sizeof p, "prompts_generator.decoder.%d.cross_attn.%s", j, qkv[i]);
			emit_linear(&e, p, P, P, false);
		}
		snprintf(p, sizeof p, "prompts_generator.decoder.%d.cross_attn.proj", j);
		emit_linear(&e, p, P, P, true);
		snprintf(p, sizeof p, "prompts_generator.decoder.%d.norm1", j);
		emit_norm(&e, p, P);
		snprintf(p, sizeof p, "prompts_generator.decoder.%d.norm3", j);
		emit_norm(&e, p, P);
		snprintf(p, sizeof p, "prompts_generator.decoder.%d.mlp.0", j);
		emit_linear(&e, p, 4 * P, P, true);
		snprintf(p, sizeof p, "prompts_generator.decoder.%d.mlp.3", j);
		emit_linear(&e, p, P, 4 * P, true);
	}
	emit(&e, "prompts_generator.alpha", 1, P, 0, 0, 0);
	return e.count;
}
