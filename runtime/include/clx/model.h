/* model.h — a model directory: config.json + model.safetensors, for any
 * model family of clx (the kind: X-CLIP or CLIP, config.h).
 *
 * Loading validates every tensor the graph needs against the shape the
 * config implies (error names the tensor and both shapes), ignores
 * `*.position_ids`, and gives each weight as f32: aliased into the mmap when
 * the file is f32 and 4-byte aligned, converted into an owned copy for
 * f16/bf16 or misaligned data. */
#ifndef CLX_MODEL_H
#define CLX_MODEL_H

#include "clx/clx.h"
#include "clx/config.h"
#include "clx/limits.h"

struct clx_safetensors;

struct clx_weight {
	const char *name;             /* HF parameter name */
	int n_dims;
	int64_t shape[CLX_MAX_DIMS];  /* as the config implies (== file's) */
	int64_t n_elems;
	const float *data;            /* f32, n_elems values */
	bool owned;                   /* data was converted/copied */
	const uint16_t *half;         /* an F16 tensor's own IEEE half values, in place in the
	                                 mapping (2-byte aligned), else NULL: a device that
	                                 stores weights as half takes them as they are */
	uint64_t key;                 /* identity of the data: a hash of the file (real path,
	                                 size, mtime, inode) and the tensor name; 0 when owned */
};

struct clx_model {
	enum clx_model_kind kind;     /* = cfg.kind */
	struct clx_model_config cfg;
	char *dir;                    /* resolved model directory */
	int n_weights;
	struct clx_weight *weights;   /* in clx_model_for_each_param order */
	int n_ignored;                /* tensors in the file the model doesn't use */
	struct clx_safetensors *st;
};

/* `path` is a model directory or a Hub id resolved in the local HF cache
 * ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub). */
enum clx_status clx_model_load(struct clx_ctx *ctx, const char *path, struct clx_model **out);
void clx_model_free(struct clx_model *m);

/* The directory `path` names: itself, or a Hub id's snapshot in the local
 * HF cache. For readers of the other model files (tokenizer, processor). */
enum clx_status clx_model_resolve(struct clx_ctx *ctx, const char *path, char *out, size_t cap);

/* NULL if the model has no such weight (a programming error for builders). */
const struct clx_weight *clx_model_weight(const struct clx_model *m, const char *name);

/* Every parameter XCLIPModel or CLIPModel (cfg->kind) has for `cfg`, with
 * its shape (docs/XCLIP.md §3.5, docs/CLIP.md), in a fixed order. Used by
 * the loader, the graph builder and the synthetic-weight generator.
 * Returns the count. */
typedef void (*clx_param_fn)(void *user, const char *name, int n_dims, const int64_t *shape);
int clx_model_for_each_param(const struct clx_model_config *cfg, clx_param_fn fn, void *user);

#endif
