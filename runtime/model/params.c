/* params.c — the parameter list of XCLIPModel (docs/XCLIP.md §3.5) or
 * CLIPModel (docs/CLIP.md) for a config: CLIP's blocks (clip_blocks.c), plus
 * X-CLIP's own. Names and shapes only; no data. The order is fixed (towers
 * first), not the state_dict order. */
#include "clx/model.h"

#include "clip_blocks.h"

#include <stdio.h>

/* CLIPModel: the two towers, plain encoder layers, the projections. */
static int clip_model_params(const struct clx_model_config *cfg, clx_param_fn fn, void *user)
{
	struct clip_params e = { fn, user, 0 };
	const struct clx_vision_config *v = &cfg->vision;
	char name[CLX_MAX_NAME];
	clip_params_text_tower(&e, &cfg->text);
	clip_params_vision_embeddings(&e, v, "vision_model.pre_layrnorm"); /* sic, in CLIPModel */
	for (int l = 0; l < v->num_hidden_layers; l++) {
		snprintf(name, sizeof name, "vision_model.encoder.layers.%d", l);
		clip_params_encoder_layer(&e, name, v->hidden_size, v->intermediate_size);
	}
	clip_params_norm(&e, "vision_model.post_layernorm", v->hidden_size);
	clip_params_linear(&e, "visual_projection", cfg->projection_dim, v->hidden_size, false);
	clip_params_linear(&e, "text_projection", cfg->projection_dim, cfg->text.hidden_size, false);
	clip_param(&e, "logit_scale", 0, 0, 0, 0, 0);
	return e.count;
}

int clx_model_for_each_param(const struct clx_model_config *cfg, clx_param_fn fn, void *user)
{
	if (cfg->kind == CLX_MODEL_CLIP)
		return clip_model_params(cfg, fn, user);
	struct clip_params e = { fn, user, 0 };
	const struct clx_text_config *t = &cfg->text;
	const struct clx_vision_config *v = &cfg->vision;
	const int64_t P = cfg->projection_dim;
	char name[CLX_MAX_NAME];

	clip_params_text_tower(&e, t);
	clip_params_vision_embeddings(&e, v, "vision_model.pre_layernorm");
	for (int l = 0; l < v->num_hidden_layers; l++) {
		snprintf(name, sizeof name, "vision_model.encoder.layers.%d.message_fc", l);
		clip_params_linear(&e, name, v->hidden_size, v->hidden_size, true);
		snprintf(name, sizeof name, "vision_model.encoder.layers.%d.message_ln", l);
		clip_params_norm(&e, name, v->hidden_size);
		snprintf(name, sizeof name, "vision_model.encoder.layers.%d.message_attn", l);
		clip_params_attention(&e, name, v->hidden_size);
		snprintf(name, sizeof name, "vision_model.encoder.layers.%d", l);
		clip_params_encoder_layer(&e, name, v->hidden_size, v->intermediate_size);
	}
	clip_params_norm(&e, "vision_model.post_layernorm", v->hidden_size);

	/* projections, scale, prompt-visual path */
	clip_params_linear(&e, "visual_projection", P, v->hidden_size, false);
	clip_params_linear(&e, "text_projection", P, t->hidden_size, false);
	clip_param(&e, "logit_scale", 0, 0, 0, 0, 0);
	clip_params_norm(&e, "prompts_visual_layernorm", v->hidden_size);
	clip_param(&e, "prompts_visual_projection", 2, v->hidden_size, P, 0, 0);

	/* MIT */
	clip_param(&e, "mit.position_embedding", 3, 1, v->num_frames, v->mit_hidden_size, 0);
	for (int l = 0; l < v->mit_num_hidden_layers; l++) {
		snprintf(name, sizeof name, "mit.encoder.layers.%d", l);
		clip_params_encoder_layer(&e, name, v->mit_hidden_size, v->mit_intermediate_size);
	}

	/* prompt generator */
	clip_params_norm(&e, "prompts_generator.layernorm", P);
	for (int j = 0; j < cfg->prompt_layers; j++) {
		char p[CLX_MAX_NAME];
		static const char *const qkv[] = { "q_proj", "k_proj", "v_proj" };
		for (int i = 0; i < 3; i++) {
			snprintf(p, sizeof p, "prompts_generator.decoder.%d.cross_attn.%s", j, qkv[i]);
			clip_params_linear(&e, p, P, P, false);
		}
		snprintf(p, sizeof p, "prompts_generator.decoder.%d.cross_attn.proj", j);
		clip_params_linear(&e, p, P, P, true);
		snprintf(p, sizeof p, "prompts_generator.decoder.%d.norm1", j);
		clip_params_norm(&e, p, P);
		snprintf(p, sizeof p, "prompts_generator.decoder.%d.norm3", j);
		clip_params_norm(&e, p, P);
		snprintf(p, sizeof p, "prompts_generator.decoder.%d.mlp.0", j);
		clip_params_linear(&e, p, 4 * P, P, true);
		snprintf(p, sizeof p, "prompts_generator.decoder.%d.mlp.3", j);
		clip_params_linear(&e, p, P, 4 * P, true);
	}
	clip_param(&e, "prompts_generator.alpha", 1, P, 0, 0, 0);
	return e.count;
}
