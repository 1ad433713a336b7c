/* config.h — the CLIP family's config read from a Hugging Face config.json:
 * an XCLIPConfig (model_type "xclip") or a CLIPConfig ("clip"). One struct
 * holds both: CLIP's fields are a subset of X-CLIP's, and the X-CLIP-only
 * ones (mit_*, prompt_*, num_frames) are unused for CLIP (num_frames = 1:
 * an image is a video of one frame to the pipeline's shapes).
 *
 * Absent fields take transformers' defaults (docs/XCLIP.md §3, docs/CLIP.md);
 * values clx cannot run (another activation, heads not dividing hidden, …)
 * are a clear error naming the field. */
#ifndef CLX_CONFIG_H
#define CLX_CONFIG_H

#include "clx/clx.h"

/* The families clx runs, from config.json's model_type. */
enum clx_model_kind {
	CLX_MODEL_XCLIP,              /* "xclip": XCLIPModel */
	CLX_MODEL_CLIP,               /* "clip": CLIPModel */
};

/* hidden_act values clx runs. */
enum clx_act {
	CLX_ACT_QUICK_GELU,           /* "quick_gelu": x · sigmoid(1.702 x) */
	CLX_ACT_GELU,                 /* "gelu": x · Φ(x), erf form */
};

struct clx_text_config {
	int32_t vocab_size;              /* 49408 */
	int32_t hidden_size;             /* 512 */
	int32_t intermediate_size;       /* 2048 */
	int32_t num_hidden_layers;       /* 12 */
	int32_t num_attention_heads;     /* 8 */
	int32_t max_position_embeddings; /* 77 */
	float layer_norm_eps;            /* 1e-5 */
	enum clx_act hidden_act;         /* quick_gelu */
	int32_t eos_token_id;            /* EOS pooling: 2 (X-CLIP always; CLIP's legacy value)
	                                    takes the first maximum id, any other value the
	                                    first position holding it; CLIP's default 49407 */
};

struct clx_vision_config {
	int32_t hidden_size;             /* 768 */
	int32_t intermediate_size;       /* 3072 */
	int32_t num_hidden_layers;       /* 12 */
	int32_t num_attention_heads;     /* 12 */
	int32_t mit_hidden_size;         /* 512 */
	int32_t mit_intermediate_size;   /* 2048 */
	int32_t mit_num_hidden_layers;   /* 1 */
	int32_t mit_num_attention_heads; /* 8 */
	int32_t num_channels;            /* 3 */
	int32_t image_size;              /* 224 */
	int32_t patch_size;              /* 32 */
	int32_t num_frames;              /* 8; 1 for CLIP */
	float layer_norm_eps;            /* 1e-5 */
	enum clx_act hidden_act;         /* quick_gelu */
};

struct clx_model_config {
	enum clx_model_kind kind;
	struct clx_text_config text;
	struct clx_vision_config vision;
	int32_t projection_dim;            /* 512 */
	int32_t prompt_layers;             /* 2 */
	int32_t prompt_num_attention_heads;/* 8 */
	float prompt_alpha;                /* 0.1 (init only; weights hold alpha) */
	float logit_scale_init_value;      /* 2.6592 (init only) */
};

/* transformers' XCLIPConfig() defaults (microsoft/xclip-base-patch32 shapes). */
void clx_config_default(struct clx_model_config *cfg);
/* transformers' CLIPConfig() defaults (openai/clip-vit-base-patch32 shapes). */
void clx_config_default_clip(struct clx_model_config *cfg);

/* Parses `json` (len bytes, need not be NUL-terminated); `name` is used in
 * messages (usually the file path). model_type picks the family (absent:
 * X-CLIP, as before CLIP was supported). A legacy `text_config_dict` /
 * `vision_config_dict` overrides `text_config` / `vision_config`, as in
 * transformers. On failure *cfg is left unchanged. */
enum clx_status clx_config_parse(struct clx_ctx *ctx, const char *name,
				 const char *json, size_t len,
				 struct clx_model_config *cfg);

/* Reads and parses a config.json file (size capped by CLX_MAX_JSON_FILE). */
enum clx_status clx_config_load(struct clx_ctx *ctx, const char *path,
				struct clx_model_config *cfg);

#endif
