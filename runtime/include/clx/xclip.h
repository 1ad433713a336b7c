/* xclip.h — the X-CLIP graph (docs/XCLIP.md §1) and a session that plans it
 * once and runs it many times on one backend.
 *
 * Entries: the full XCLIPModel forward, get_text_features (K, P) and
 * get_video_features (B, P), for any B ≥ 1, T = num_frames, K ≥ 1 and
 * 1 ≤ L ≤ max_position_embeddings. */
#ifndef CLX_XCLIP_H
#define CLX_XCLIP_H

#include "clx/backend.h"
#include "clx/graph.h"
#include "clx/model.h"
#include "clx/sched.h"

enum clx_xclip_entry {
	CLX_XCLIP_FULL,            /* logits, embeddings */
	CLX_XCLIP_TEXT_FEATURES,   /* get_text_features: (K, P), unnormalised */
	CLX_XCLIP_VIDEO_FEATURES,  /* get_video_features: (B, P), unnormalised */
};

struct clx_xclip_shape {
	int64_t B;                 /* videos */
	int64_t T;                 /* frames per video (= num_frames) */
	int64_t K;                 /* prompts */
	int64_t L;                 /* padded token length */
};

/* Tensor ids in the graph; -1 where the entry has no such tensor. */
struct clx_xclip_graph {
	struct clx_graph *g;
	int pixel_values;          /* input (B, T, C, S, S) f32 */
	int input_ids;             /* input (K, L) i32 */
	int attention_mask;        /* input (K, L) i32, 1 real, 0 padding */
	int logits_per_video;      /* (B, K) */
	int logits_per_text;       /* (K, B) */
	int text_embeds;           /* (B, K, P) normalised, video-conditioned */
	int video_embeds;          /* (B, P) normalised */
	int text_features;         /* (K, P) */
	int video_features;        /* (B, P) */
};

/* Checks the shape against the config (clear error otherwise), builds. */
enum clx_status clx_xclip_build(struct clx_ctx *ctx, const struct clx_model *m,
				enum clx_xclip_entry entry, const struct clx_xclip_shape *s,
				struct clx_xclip_graph *out);

/* Checks ids are in [0, vocab) and the mask is 0/1 (error names the index). */
enum clx_status clx_xclip_check_text(struct clx_ctx *ctx, const struct clx_model *m,
				     const struct clx_xclip_shape *s, const int32_t *ids,
				     const int32_t *mask);

struct clx_xclip_session {
	struct clx_xclip_graph xg;
	struct clx_plan *plan;
	struct clx_backend *be;    /* borrowed */
	enum clx_xclip_entry entry;
	struct clx_xclip_shape shape;
};

/* Builds, plans and prepares on `be`. keep_all marks every activation as an
 * output (no memory reuse) so any node can be read after a run. */
enum clx_status clx_xclip_session_create(struct clx_ctx *ctx, const struct clx_model *m,
					 struct clx_backend *be, enum clx_xclip_entry entry,
					 const struct clx_xclip_shape *s, bool keep_all,
					 struct clx_xclip_session **out);
void clx_xclip_session_free(struct clx_xclip_session *s);

/* Inputs the entry doesn't use may be NULL; a NULL mask means all ones. */
enum clx_status clx_xclip_session_run(struct clx_ctx *ctx, struct clx_xclip_session *s,
				      const float *pixel_values, const int32_t *input_ids,
				      const int32_t *attention_mask, clx_node_cb cb, void *user);

/* Copies tensor t (an output, or any tensor with keep_all) to host f32. */
enum clx_status clx_xclip_session_read(struct clx_ctx *ctx, struct clx_xclip_session *s, int t,
				       float *dst);

#endif
