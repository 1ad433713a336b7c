/* label_cache.h — the labels' text features (K, P) on disk, so reruns and
 * shards skip the text tower (classifier.c). Internal. */
#ifndef CLX_MODEL_LABEL_CACHE_H
#define CLX_MODEL_LABEL_CACHE_H

#include "clx/backend.h"
#include "clx/model.h"
#include "clx/tokenizer.h"

#define CLX_LABEL_KEY_LEN 17 /* 16 hex digits and the NUL */

/* The cache key of `labels` for model m on be: a hash of the text tower's
 * weights (their contents), the tokenizer files, the token ids and mask,
 * the device and driver, what selects its kernels (the tuning file and the
 * CLX_GEMM / CLX_ROW_KERNELS overrides) and the clx version. False when
 * one of those files is not a regular file (a FIFO the tokenizer has
 * already drained): no key, and the cache is not used. */
bool clx_label_cache_key(const struct clx_model *m, const struct clx_backend *be,
			 const struct clx_tokenizer_batch *labels, char key[CLX_LABEL_KEY_LEN]);

/* Reads the (K, P) features stored under key into dst. False when there
 * are none (or no cache directory); an unusable entry is ignored with one
 * warning. */
bool clx_label_cache_load(struct clx_ctx *ctx, const char *key, int64_t K, int64_t P, float *dst);

/* Stores them (atomically); a failure is one warning, never an error. */
bool clx_label_cache_store(struct clx_ctx *ctx, const char *key, int64_t K, int64_t P,
			   const float *src);

#endif
