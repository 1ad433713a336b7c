/* classifier.h — many videos against one label set, through one session:
 * the library form of `clx classify` / `clx embed` over a collection. With
 * a CLIP model the inputs are images (the "video" in the names below is
 * then an image: one frame, no video report).
 *
 * A classifier is created once from a model, an open backend and the
 * tokenised labels. It computes the labels' text features once (the text
 * tower depends only on the labels) — or reads them from the on-disk label
 * cache — and then runs B videos per forward through the X-CLIP graph from
 * those features (CLX_XCLIP_CACHED_TEXT), which gives the same bits as the
 * full forward on the same device.
 *
 * Videos are decoded and preprocessed on a pool of CPU threads while the
 * device computes, through a bounded window of slots: memory stays bounded
 * whatever the number of videos. A video that fails to decode gets an item
 * with its error; the run goes on. Items come back in input order.
 *
 *     struct clx_classifier *c;
 *     clx_classifier_create(ctx, m, be, labels, &opts, &c);
 *     struct clx_video_item r;
 *     clx_classifier_classify(ctx, c, "a.mp4", &r);   // r.probs[k]
 *     clx_video_item_release(&r);
 *     clx_classifier_free(c);
 */
#ifndef CLX_CLASSIFIER_H
#define CLX_CLASSIFIER_H

#include "clx/backend.h"
#include "clx/image.h"
#include "clx/model.h"
#include "clx/tokenizer.h"
#include "clx/video.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct clx_classifier;

struct clx_classifier_opts {
	struct clx_video_opts video; /* n_frames must be the model's num_frames */
	struct clx_image_opts image; /* a CLIP model: how images are decoded */
	int64_t batch;               /* videos per forward; 0: clx_classifier_default_batch */
	int decode_threads;          /* decode + preprocess workers; 0: the CPU count, ≤ 4 */
	bool embed;                  /* video features (P) instead of label probabilities */
	bool no_label_cache;         /* neither read nor write the on-disk label cache */
	int64_t text_chunk;          /* labels per text-tower forward; 0: 256 (memory is
				      * bounded by the chunk, the values do not change) */
};
/* Defaults: the model's frames, uniform sampling, the label cache on. */
void clx_classifier_opts_default(const struct clx_model *m, struct clx_classifier_opts *o);

/* The batch a device runs best by default: 1 on the CPU reference (no gain
 * from batching there), 8 on OpenCL devices. */
int64_t clx_classifier_default_batch(const struct clx_backend *be);

/* One video's outcome. */
struct clx_video_item {
	size_t index;                /* position in the input */
	const char *path;            /* as given (borrowed from the caller) */
	enum clx_status status;      /* CLX_OK, or why this video failed */
	char error[512];             /* the message when status != CLX_OK */
	struct clx_video video;      /* decoder report: frame count, indices, warning */
	int64_t n;                   /* K probabilities / logits, or P embedding values */
	float *logits, *probs;       /* classify: (K) logits_per_video and their softmax */
	float *embedding;            /* embed: (P) get_video_features, unnormalised */
	double decode_s;             /* decode + preprocess, on a worker */
	double compute_s;            /* this video's share of its forward */
};
void clx_video_item_release(struct clx_video_item *it);

/* labels: the tokenised label set (classify; NULL with opts->embed). The
 * classifier borrows m and be; they must outlive it. Creating it computes
 * or loads the text features. */
enum clx_status clx_classifier_create(struct clx_ctx *ctx, const struct clx_model *m,
				      struct clx_backend *be,
				      const struct clx_tokenizer_batch *labels,
				      const struct clx_classifier_opts *opts,
				      struct clx_classifier **out);
void clx_classifier_free(struct clx_classifier *c);

/* Where the text features came from: "computed", "cache" (read from the
 * label cache), "computed, cached" (written to it), "none" (embed). */
const char *clx_classifier_text_source(const struct clx_classifier *c);
int64_t clx_classifier_batch(const struct clx_classifier *c);
int clx_classifier_threads(const struct clx_classifier *c);

/* The stream form. `next` hands out the videos in order: it returns false
 * when there are no more, else sets *path (valid until the item that
 * carries it has been passed to `done`). It is called from the worker
 * threads, one call at a time, and may block (a pipe): the videos already
 * decoded go on meanwhile. `done` is called on the calling thread with
 * every item of each forward, in input order, once per forward; the items
 * are released after it returns. A `done` that returns false stops the
 * run (the videos in flight are dropped). Returns a status only for a
 * failure of the run itself (the device); a video's failure is its item's. */
typedef bool (*clx_video_next_fn)(void *user, const char **path);
typedef bool (*clx_video_done_fn)(void *user, struct clx_video_item *items, size_t n);
enum clx_status clx_classifier_run(struct clx_ctx *ctx, struct clx_classifier *c,
				   clx_video_next_fn next, void *next_user,
				   clx_video_done_fn done, void *done_user);

/* The call forms: one video, or n videos into items[n] (each to release). */
enum clx_status clx_classifier_classify(struct clx_ctx *ctx, struct clx_classifier *c,
					const char *path, struct clx_video_item *item);
enum clx_status clx_classifier_classify_batch(struct clx_ctx *ctx, struct clx_classifier *c,
					      const char *const *paths, size_t n,
					      struct clx_video_item *items);

#ifdef __cplusplus
}
#endif
#endif
