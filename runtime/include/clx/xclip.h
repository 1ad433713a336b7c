/* xclip.h — the X-CLIP graph (docs/XCLIP.md §1). It only builds graphs:
 * a session (session.h) plans and runs them, pipeline.h composes the two.
 *
 * Entries: the full XCLIPModel forward, get_text_features (K, P),
 * get_video_features (B, P), and the full forward from given text features
 * (the label cache: the text tower depends only on the labels), for any
 * B ≥ 1, T = num_frames, K ≥ 1 and 1 ≤ L ≤ max_position_embeddings. */
#ifndef CLX_XCLIP_H
#define CLX_XCLIP_H

#include "clx/graph.h"
#include "clx/model.h"

enum clx_xclip_entry {
	CLX_XCLIP_FULL,            /* logits, embeddings */
	CLX_XCLIP_TEXT_FEATURES,   /* get_text_features: (K, P), unnormalised */
	CLX_XCLIP_VIDEO_FEATURES,  /* get_video_features: (B, P), unnormalised */
	CLX_XCLIP_CACHED_TEXT,     /* FULL with the text tower's output given: input
	                              text_features (K, P) from a TEXT_FEATURES run on the
	                              same device gives the same bits as FULL (label cache) */
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
	int text_features_in;      /* input (K, P) f32 (CLX_XCLIP_CACHED_TEXT) */
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

#endif
