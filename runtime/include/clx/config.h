/* config.h — XCLIPConfig read from a Hugging Face config.json.
 *
 * Absent fields take transformers' defaults (docs/XCLIP.md §3); values clx
 * cannot run (another activation, heads not dividing hidden, …) are a
 * clear error naming the field. */
#ifndef CLX_CONFIG_H
#define CLX_CONFIG_H

#include "clx/clx.h"

struct clx_text_config {
	int32_t vocab_size;              /* 49408 */
	int32_t hidden_size;             /* 512 */
	int32_t intermediate_size;       /* 2048 */
	int32_t num_hidden_layers;       /* 12 */
	int32_t num_attention_heads;     /* 8 */
	int32_t max_position_embeddings; /* 77 */
	float layer_norm_eps;            /* 1e-5 */
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
	int32_t num_frames;              /* 8 */
	float layer_norm_eps;            /* 1e-5 */
};

struct clx_xclip_config {
	struct clx_text_config text;
	struct clx_vision_config vision;
	int32_t projection_dim;            /* 512 */
	int32_t prompt_layers;             /* 2 */
	int32_t prompt_num_attention_heads;/* 8 */
	float prompt_alpha;                /* 0.1 (init only; weights hold alpha) */
	float logit_scale_init_value;      /* 2.6592 (init only) */
};

/* transformers' defaults (microsoft/xclip-base-patch32 shapes). */
void clx_config_default(struct clx_xclip_config *cfg);

/* Parses `json` (len bytes, need not be NUL-terminated); `name` is used in
 * messages (usually the file path). A legacy `text_config_dict` /
 * `vision_config_dict` overrides `text_config` / `vision_config`, as in
 * transformers. On failure *cfg is left unchanged. */
enum clx_status clx_config_parse(struct clx_ctx *ctx, const char *name,
				 const char *json, size_t len,
				 struct clx_xclip_config *cfg);

/* Reads and parses a config.json file (size capped by CLX_MAX_JSON_FILE). */
enum clx_status clx_config_load(struct clx_ctx *ctx, const char *path,
				struct clx_xclip_config *cfg);

#endif
