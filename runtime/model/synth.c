/* synth.c — the synthetic weight generator (docs/FIXTURES.md), bit-identical
 * to tools/dev/gen_fixtures.py, and a writer of a whole synthetic model.
 *
 * It does not try to look like trained weights (uniform, not normal, no
 * per-layer scaling); it only has to be deterministic, cheap, identical in
 * both languages, and keep activations in a sane range. */
#include "clx/synth.h"

#include "clx/model.h"
#include "clx/safetensors.h"

#include <string.h>

/* ------------------------------------------------------------------ stream */

uint64_t clx_synth_fnv1a64(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}

uint64_t clx_synth_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void clx_synth_fill_rule(const char *name, uint64_t seed, double mean, double scale, float *dst,
			 int64_t n)
{
	uint64_t state = seed ^ clx_synth_fnv1a64(name);
	for (int64_t i = 0; i < n; i++) {
		uint64_t u = clx_synth_splitmix64(&state);
		double r = (double)(u >> 11) * 0x1p-53;  /* exact, in [0, 1) */
		double x = 2.0 * r - 1.0;                 /* exact, in [-1, 1) */
		/* Two roundings, as numpy does: the volatile keeps the compiler
		 * from contracting mean + scale·x into one fused multiply-add. */
		volatile double t = scale * x;
		dst[i] = (float)(mean + t);               /* one rounding to f32 */
	}
}

/* ------------------------------------------------------------------- rules */

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t k = strlen(suffix);
	return len >= k && memcmp(s + len - k, suffix, k) == 0;
}

/* The module name (the name without its last component) ends like a norm's. */
static bool is_norm_module(const char *module, size_t len)
{
	/* "norm" also covers layernorm, layer_norm, final_layer_norm. */
	static const char *const suffixes[] = { "norm", "norm1", "norm2", "norm3", "_ln" };
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
		if (ends_with(module, len, suffixes[i]))
			return true;
	return false;
}

void clx_synth_rule(const char *name, double *mean, double *scale)
{
	const char *dot = strrchr(name, '.');
	size_t module_len = dot ? (size_t)(dot - name) : 0;
	const char *last = dot ? dot + 1 : name;

	*mean = 0.0;
	*scale = 0.034641016151377546; /* uniform with std 0.02 */
	if (strcmp(name, "logit_scale") == 0) {
		*mean = 2.6592;
		*scale = 0.0;
	} else if (strcmp(name, "prompts_generator.alpha") == 0) {
		*mean = 0.1;
		*scale = 0.05;
	} else if (strcmp(name, "mit.position_embedding") == 0) {
		*scale = 1.0;
	} else if (ends_with(name, strlen(name), ".class_embedding")) {
		*scale = 0.5;
	} else if (is_norm_module(name, module_len) &&
		   (strcmp(last, "weight") == 0 || strcmp(last, "bias") == 0)) {
		*mean = strcmp(last, "weight") == 0 ? 1.0 : 0.0;
		*scale = 0.05;
	} else if (strcmp(name, "pixel_values") == 0) {
		*scale = 2.0;
	}
}

void clx_synth_fill(const char *name, uint64_t seed, float *dst, int64_t n)
{
	double mean, scale;
	clx_synth_rule(name, &mean, &scale);
	clx_synth_fill_rule(name, seed, mean, scale, dst, n);
}

/* ------------------------------------------------------------- whole model */

/* Two passes over the parameter list: the first sizes everything, the second
 * fills the entries, names, shapes and data, all in four allocations. */
struct collect {
	/* pass 1 */
	int n;
	size_t name_bytes;
	size_t n_floats;
	bool overflow;
	/* pass 2 */
	int i;
	struct clx_st_write_entry *entries; /* n */
	int64_t *shapes;                    /* n · CLX_MAX_DIMS */
	char *names;                        /* name_bytes */
	size_t name_off;
	float *data;                        /* n_floats */
	size_t data_off;
	uint64_t seed;
};

static void count_param(void *user, const char *name, int n_dims, const int64_t *shape)
{
	struct collect *c = user;
	size_t ne = 1;
	for (int d = 0; d < n_dims; d++)
		if (shape[d] < 0 || !clx_mul_ok(ne, (size_t)shape[d], &ne))
			c->overflow = true;
	if (n_dims > CLX_MAX_DIMS || !clx_add_ok(c->n_floats, ne, &c->n_floats) ||
	    !clx_add_ok(c->name_bytes, strlen(name) + 1, &c->name_bytes))
		c->overflow = true;
	c->n++;
}

static void fill_param(void *user, const char *name, int n_dims, const int64_t *shape)
{
	struct collect *c = user;
	CLX_ASSERT(c->i < c->n && n_dims <= CLX_MAX_DIMS);
	struct clx_st_write_entry *e = &c->entries[c->i];
	int64_t *sh = &c->shapes[(size_t)c->i * CLX_MAX_DIMS];
	size_t len = strlen(name) + 1;
	int64_t ne = 1;

	CLX_ASSERT(c->name_off + len <= c->name_bytes);
	memcpy(c->names + c->name_off, name, len);
	for (int d = 0; d < n_dims; d++) {
		sh[d] = shape[d];
		ne *= shape[d];
	}
	CLX_ASSERT(c->data_off + (size_t)ne <= c->n_floats);
	e->name = c->names + c->name_off;
	e->dtype = CLX_DTYPE_F32;
	e->n_dims = n_dims;
	e->shape = sh;
	e->data = c->data + c->data_off;
	clx_synth_fill(e->name, c->seed, c->data + c->data_off, ne);
	c->name_off += len;
	c->data_off += (size_t)ne;
	c->i++;
}

enum clx_status clx_synth_write_model(struct clx_ctx *ctx, const struct clx_model_config *cfg,
				      uint64_t seed, const char *out_dir)
{
	static const char file[] = "/model.safetensors";
	struct collect c = { 0 };
	enum clx_status st = CLX_OK;
	char *path = NULL;
	size_t bytes = 0;

	if (!cfg || !out_dir)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_synth_write_model: NULL argument");
	clx_model_for_each_param(cfg, count_param, &c);
	if (c.overflow || !clx_mul_ok(c.n_floats, sizeof(float), &bytes))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"clx_synth_write_model: the config's model size overflows");
	if (c.n == 0)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_synth_write_model: no parameters");

	c.seed = seed;
	c.entries = clx_calloc((size_t)c.n, sizeof *c.entries);
	c.shapes = clx_calloc((size_t)c.n * CLX_MAX_DIMS, sizeof *c.shapes);
	c.names = clx_malloc(c.name_bytes);
	c.data = clx_malloc(bytes ? bytes : 1);
	path = clx_malloc(strlen(out_dir) + sizeof file);
	if (!c.entries || !c.shapes || !c.names || !c.data || !path) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "clx_synth_write_model: out of memory (%zu bytes of weights)",
			      bytes);
		goto done;
	}
	strcpy(path, out_dir);
	strcat(path, file);

	clx_model_for_each_param(cfg, fill_param, &c);
	CLX_ASSERT(c.i == c.n && c.data_off == c.n_floats);
	st = clx_safetensors_write(ctx, path, c.n, c.entries);

done:
	clx_free(path);
	clx_free(c.data);
	clx_free(c.names);
	clx_free(c.shapes);
	clx_free(c.entries);
	return st;
}
