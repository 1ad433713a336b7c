/* test_synth.c — the C synthetic generator against the Python one.
 *
 * argv[1] is tests/fixtures/synth_check.json, written by
 * tools/dev/gen_fixtures.py: for a few (name, seed) pairs the FNV-1a hash, the
 * first raw splitmix64 draws, the rule (mean, scale) and the first 16 values
 * as float32 bit patterns. Everything must match bit for bit. Also checks
 * the rule table by name and published FNV-1a / splitmix64 vectors. */
#include "check.h"
#include "test_files.h"

#include "clx/synth.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hex_u64(const cJSON *s)
{
	return cJSON_IsString(s) ? strtoull(s->valuestring, NULL, 0) : 0;
}

static uint32_t f32_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

/* ----------------------------------------------------- against Python */

static void check_entry(const cJSON *e, int n)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(e, "name"));
	const char *seed_s = cJSON_GetStringValue(cJSON_GetObjectItem(e, "seed"));
	const cJSON *u64 = cJSON_GetObjectItem(e, "u64");
	const cJSON *bits = cJSON_GetObjectItem(e, "bits");
	double mean_py = cJSON_GetNumberValue(cJSON_GetObjectItem(e, "mean"));
	double scale_py = cJSON_GetNumberValue(cJSON_GetObjectItem(e, "scale"));

	CHECK(name && seed_s && cJSON_IsArray(u64) && cJSON_GetArraySize(bits) == n,
	      "synth_check.json: malformed entry");
	if (!name || !seed_s || !cJSON_IsArray(u64) || cJSON_GetArraySize(bits) != n)
		return;
	uint64_t seed = strtoull(seed_s, NULL, 10);

	uint64_t h = clx_synth_fnv1a64(name);
	CHECK(h == hex_u64(cJSON_GetObjectItem(e, "fnv1a64")), "fnv1a64('%s') = 0x%016" PRIx64, name, h);

	uint64_t state = seed ^ h;
	for (int i = 0; i < cJSON_GetArraySize(u64); i++) {
		uint64_t got = clx_synth_splitmix64(&state), want = hex_u64(cJSON_GetArrayItem(u64, i));
		CHECK(got == want, "'%s' seed %s draw %d: 0x%016" PRIx64 " != 0x%016" PRIx64, name, seed_s, i,
		      got, want);
	}

	double mean, scale;
	clx_synth_rule(name, &mean, &scale);
	CHECK(mean == mean_py && scale == scale_py, "rule('%s') = (%.17g, %.17g), Python (%.17g, %.17g)",
	      name, mean, scale, mean_py, scale_py);

	float v[64];
	CLX_ASSERT(n <= 64);
	clx_synth_fill(name, seed, v, n);
	int bad = 0, first = -1;
	for (int i = 0; i < n; i++) {
		uint32_t want = (uint32_t)hex_u64(cJSON_GetArrayItem(bits, i));
		if (f32_bits(v[i]) != want && bad++ == 0)
			first = i;
	}
	CHECK(bad == 0, "'%s' seed %s: %d of %d values differ, first at %d: %a (0x%08" PRIx32 ")", name,
	      seed_s, bad, n, first, first >= 0 ? (double)v[first] : 0.0,
	      first >= 0 ? f32_bits(v[first]) : 0u);
	printf("  %-55s seed %-20s %d values bit-exact: %s\n", name[0] ? name : "\"\"", seed_s, n,
	       bad ? "NO" : "yes");

	/* the explicit-rule entry point gives the same stream */
	float w[64];
	clx_synth_fill_rule(name, seed, mean_py, scale_py, w, n);
	CHECK(memcmp(v, w, (size_t)n * sizeof *v) == 0, "'%s': fill_rule differs from fill", name);
}

static void check_python(const char *path)
{
	char *text = test_read_file(path, NULL);
	CHECK(text != NULL, "cannot read %s", path);
	if (!text)
		return;
	cJSON *root = cJSON_Parse(text);
	free(text);
	CHECK(root != NULL, "%s: not JSON", path);
	if (!root)
		return;
	int n = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(root, "n"));
	const cJSON *entries = cJSON_GetObjectItem(root, "entries");
	CHECK(n > 0 && n <= 64 && cJSON_GetArraySize(entries) >= 8, "%s: expected n in 1..64 and >= 8 entries",
	      path);
	if (n > 0 && n <= 64) {
		const cJSON *e;
		cJSON_ArrayForEach(e, entries)
			check_entry(e, n);
	}
	cJSON_Delete(root);
}

/* ----------------------------------------------------- self-contained */

static void check_vectors(void)
{
	/* FNV-1a 64 reference values (Fowler/Noll/Vo test suite) */
	CHECK(clx_synth_fnv1a64("") == 0xcbf29ce484222325ull, "fnv1a64('')");
	CHECK(clx_synth_fnv1a64("a") == 0xaf63dc4c8601ec8cull, "fnv1a64('a')");
	CHECK(clx_synth_fnv1a64("foobar") == 0x85944171f73967e8ull, "fnv1a64('foobar')");
	/* splitmix64 seeded with 0 (Vigna's reference implementation) */
	uint64_t s = 0;
	CHECK(clx_synth_splitmix64(&s) == 0xe220a8397b1dcdafull, "splitmix64(0) #1");
	CHECK(clx_synth_splitmix64(&s) == 0x6e789e6aa1b965f4ull, "splitmix64(0) #2");
	CHECK(s == 2 * 0x9E3779B97F4A7C15ull, "splitmix64 state after two draws");
}

static void check_rule(const char *name, double mean, double scale)
{
	double m, sc;
	clx_synth_rule(name, &m, &sc);
	CHECK(m == mean && sc == scale, "rule('%s') = (%g, %g), expected (%g, %g)", name, m, sc, mean, scale);
}

static void check_rules(void)
{
	const double w = 0.034641016151377546;
	check_rule("logit_scale", 2.6592, 0.0);
	check_rule("prompts_generator.alpha", 0.1, 0.05);
	check_rule("mit.position_embedding", 0.0, 1.0);
	check_rule("vision_model.embeddings.class_embedding", 0.0, 0.5);
	check_rule("pixel_values", 0.0, 2.0);
	/* norm weights and biases, every spelling in XCLIPModel */
	static const char *const norms[] = {
		"vision_model.pre_layernorm", "vision_model.post_layernorm",
		"vision_model.encoder.layers.3.message_ln", "vision_model.encoder.layers.0.layer_norm1",
		"text_model.encoder.layers.11.layer_norm2", "text_model.final_layer_norm",
		"mit.encoder.layers.0.layer_norm1", "prompts_visual_layernorm",
		"prompts_generator.layernorm", "prompts_generator.decoder.1.norm1",
		"prompts_generator.decoder.0.norm3",
	};
	char name[160];
	for (size_t i = 0; i < sizeof norms / sizeof norms[0]; i++) {
		snprintf(name, sizeof name, "%s.weight", norms[i]);
		check_rule(name, 1.0, 0.05);
		snprintf(name, sizeof name, "%s.bias", norms[i]);
		check_rule(name, 0.0, 0.05);
	}
	/* everything else */
	check_rule("vision_model.encoder.layers.0.message_fc.weight", 0.0, w);
	check_rule("vision_model.encoder.layers.0.message_fc.bias", 0.0, w);
	check_rule("vision_model.embeddings.position_embedding.weight", 0.0, w);
	check_rule("vision_model.embeddings.patch_embedding.weight", 0.0, w);
	check_rule("text_model.embeddings.token_embedding.weight", 0.0, w);
	check_rule("prompts_visual_projection", 0.0, w);
	check_rule("prompts_generator.decoder.0.mlp.3.bias", 0.0, w);
	check_rule("text_projection.weight", 0.0, w);
	check_rule("layernorm", 0.0, w);         /* no module: not a norm parameter */
	check_rule("x.layernorm.running", 0.0, w); /* a norm module, but neither weight nor bias */
	check_rule("class_embedding", 0.0, w);   /* the rule is "*.class_embedding" */
}

static void check_stream_properties(void)
{
	/* a prefix of a longer stream is the shorter stream */
	enum { N = 1000 };
	static float a[N], b[17];
	clx_synth_fill("vision_model.encoder.layers.0.mlp.fc1.weight", 7, a, N);
	clx_synth_fill("vision_model.encoder.layers.0.mlp.fc1.weight", 7, b, 17);
	CHECK(memcmp(a, b, sizeof b) == 0, "prefix of the stream");
	/* range: mean ± scale, half-open */
	const double w = 0.034641016151377546;
	int out = 0;
	double sum = 0;
	for (int i = 0; i < N; i++) {
		out += !(a[i] >= (float)-w && a[i] <= (float)w);
		sum += a[i];
	}
	CHECK(out == 0, "%d values outside [-%g, %g]", out, w, w);
	CHECK(sum / N > -0.004 && sum / N < 0.004, "mean %g of 1000 uniform(-0.0346, 0.0346)", sum / N);
	/* scale 0 gives exactly the mean (logit_scale) */
	clx_synth_fill("logit_scale", 1, b, 17);
	int exact = 0;
	for (int i = 0; i < 17; i++)
		exact += b[i] == 2.6592f;
	CHECK(exact == 17, "logit_scale is 2.6592f everywhere");
	/* a different seed or name gives a different stream */
	clx_synth_fill("vision_model.encoder.layers.0.mlp.fc1.weight", 8, b, 17);
	CHECK(memcmp(a, b, sizeof b) != 0, "seed changes the stream");
	clx_synth_fill("vision_model.encoder.layers.1.mlp.fc1.weight", 7, b, 17);
	CHECK(memcmp(a, b, sizeof b) != 0, "name changes the stream");
	clx_synth_fill("x", 1, b, 0); /* n = 0 writes nothing */
	CHECK(1, "n = 0");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_synth tests/fixtures/synth_check.json\n");
		return 2;
	}
	check_vectors();
	check_rules();
	check_stream_properties();
	check_python(argv[1]);
	return check_summary();
}
