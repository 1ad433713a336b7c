/* synth.h — the synthetic weight generator of docs/FIXTURES.md.
 *
 * A deterministic stream of uniform values per tensor name, bit-identical to
 * tools/dev/gen_fixtures.py, so golden fixtures for the full-size model need
 * only a seed in git: clx regenerates the 786 MB of weights and the pixel
 * values itself. Development and test use only; a real model is loaded with
 * clx_model_load.
 *
 *   state   = seed ^ fnv1a64(name)
 *   u_i     = splitmix64(state)                       (i-th draw, C order)
 *   value_i = (float)(mean + scale · (2 · (u_i >> 11) · 2^-53 − 1))
 *
 * with (mean, scale) from the rule table keyed on the name. */
#ifndef CLX_SYNTH_H
#define CLX_SYNTH_H

#include "clx/clx.h"
#include "clx/config.h"

/* FNV-1a 64 of the NUL-terminated name's bytes. */
uint64_t clx_synth_fnv1a64(const char *name);

/* One splitmix64 step: advances *state and returns the next draw. */
uint64_t clx_synth_splitmix64(uint64_t *state);

/* The (mean, scale) rule for a tensor name (docs/FIXTURES.md table; the
 * first rule that matches wins; "pixel_values" is the input stream). */
void clx_synth_rule(const char *name, double *mean, double *scale);

/* n values of the stream for (name, seed) into dst, using the name's rule. */
void clx_synth_fill(const char *name, uint64_t seed, float *dst, int64_t n);

/* Same stream with an explicit rule. */
void clx_synth_fill_rule(const char *name, uint64_t seed, double mean, double scale, float *dst,
			 int64_t n);

/* Writes `out_dir`/model.safetensors holding every parameter XCLIPModel has
 * for `cfg` (clx_model_for_each_param order, f32, no position_ids), each
 * filled from the generator with `seed`. Peak memory is the f32 size of the
 * model plus the names. `out_dir` must exist. */
enum clx_status clx_synth_write_model(struct clx_ctx *ctx, const struct clx_model_config *cfg,
				      uint64_t seed, const char *out_dir);

#endif
