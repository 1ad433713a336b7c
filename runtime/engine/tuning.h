/* tuning.h — a device's tuning table in memory and on disk (tuning.c), as
 * the engine keeps it for a backend. The file format is docs/TUNING.md;
 * the public side is clx/tune.h. */
#ifndef CLX_ENGINE_TUNING_H
#define CLX_ENGINE_TUNING_H

#include "clx/tune.h"

struct clx_tuning {
	char path[1024];
	struct clx_tune_choice *e;  /* entries, keys distinct */
	int n, cap;
	bool warned;                /* an unusable entry was reported once */
};

/* Device d's tuning table: its file when that exists and is valid, else an
 * empty table (a missing file is silent; an unusable one warns once and is
 * ignored). Fails only for lack of memory. */
enum clx_status clx_tuning_load(struct clx_ctx *ctx, const struct clx_device_info *d,
				struct clx_tuning **out);
void clx_tuning_free(struct clx_tuning *t);

const struct clx_tune_choice *clx_tuning_find(const struct clx_tuning *t, const char *key);
/* Adds c, or replaces the entry with its key. */
enum clx_status clx_tuning_put(struct clx_ctx *ctx, struct clx_tuning *t,
			       const struct clx_tune_choice *c);
/* Writes t to t->path for device d: a temporary file renamed over it, so a
 * reader sees the old file or the new one, never a part. */
enum clx_status clx_tuning_save(struct clx_ctx *ctx, const struct clx_tuning *t,
				const struct clx_device_info *d);

#endif
