/* placed.h — the placed backend (placed.c): one graph over several
 * devices, by tower, with per-node fallback. Seen only by runtime/engine/;
 * clients open it through clx_backend_open with a placement spec. */
#ifndef CLX_ENGINE_PLACED_H
#define CLX_ENGINE_PLACED_H

#include "engine/backend_impl.h"

enum clx_tower { CLX_TOWER_VISION, CLX_TOWER_TEXT, CLX_TOWER_PROMPT, CLX_TOWER_COUNT };

/* "vision=SPEC,text=SPEC[,prompt=SPEC]" (prompt defaults to vision's
 * device): opens each distinct device once. Bad placements fail with
 * CLX_ERR_INVALID_ARG, an unavailable device with CLX_ERR_NOT_FOUND. */
enum clx_status clx_placed_open(struct clx_ctx *ctx, const char *spec, struct clx_backend **out);
/* What clx_placed_open checks, opening nothing; *all_reference: every
 * tower is on the CPU reference. */
enum clx_status clx_placed_check(struct clx_ctx *ctx, const char *spec, bool *all_reference);
/* One device, borrowed (not freed with the wrapper), whose declined nodes
 * fall back to the CPU reference: how a session runs a graph its backend
 * cannot run whole. */
enum clx_status clx_placed_wrap(struct clx_ctx *ctx, struct clx_backend *be, struct clx_backend **out);
bool clx_placed_is(const struct clx_backend *be);

#endif
