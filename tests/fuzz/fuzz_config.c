/* fuzz_config.c — libFuzzer target for clx_config_parse.
 *
 * Any input must give CLX_OK with a config that passes the invariants the
 * rest of clx relies on, or a failure with a message — never a crash, leak
 * or sanitizer report. Build with -fsanitize=fuzzer, or replay a corpus with
 * tests/fuzz/replay.c. */
#include "clx/config.h"
#include "clx/limits.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clx_ctx *ctx = clx_ctx_create();
	if (!ctx)
		return 0;
	struct clx_model_config cfg;
	enum clx_status st = clx_config_parse(ctx, "fuzz.json", (const char *)data, size, &cfg);
	if (st == CLX_OK) {
		/* What the graph builder divides by and sizes with. */
		if (cfg.text.hidden_size % cfg.text.num_attention_heads ||
		    cfg.vision.hidden_size % cfg.vision.num_attention_heads ||
		    cfg.vision.mit_hidden_size % cfg.vision.mit_num_attention_heads ||
		    cfg.projection_dim % cfg.prompt_num_attention_heads ||
		    cfg.vision.image_size % cfg.vision.patch_size ||
		    cfg.vision.mit_hidden_size != cfg.projection_dim ||
		    !(cfg.text.layer_norm_eps > 0) || !(cfg.vision.layer_norm_eps > 0) ||
		    cfg.text.max_position_embeddings > CLX_MAX_TOKENS || cfg.vision.num_frames < 1)
			abort();
	} else if (!clx_last_error(ctx)[0]) {
		abort();
	}
	clx_ctx_free(ctx);
	return 0;
}
