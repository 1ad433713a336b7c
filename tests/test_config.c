/* test_config.c — clx_config_default/parse/load against transformers.
 *
 * Golden: tests/fixtures/config/<case>.json and the values transformers
 * resolves from it (<case>.expected, tools/dev/gen_config_golden.py). Bad input:
 * generated in code from the enum below; every check has a passing twin.
 * Then an allocation-failure loop over clx_config_parse and _load.
 *
 * Usage: test_config FIXTURE_DIR (tests/fixtures/config) */
#include "alloc_fail.h"
#include "check.h"
#include "test_files.h"
#include "clx/config.h"
#include "clx/limits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *g_dir;
static struct clx_ctx *g_ctx;

/* ------------------------------------------------------------- field table */

struct field {
	const char *name;
	size_t off;
	bool is_float;
	unsigned kinds;  /* the families that have it: 1 << enum clx_model_kind */
};

#define XC (1u << CLX_MODEL_XCLIP)
#define CL (1u << CLX_MODEL_CLIP)
#define FI(path, k) { #path, offsetof(struct clx_model_config, path), false, k }
#define FF(path, k) { #path, offsetof(struct clx_model_config, path), true, k }
static const struct field fields[] = {
	FI(text.vocab_size, XC | CL), FI(text.hidden_size, XC | CL),
	FI(text.intermediate_size, XC | CL), FI(text.num_hidden_layers, XC | CL),
	FI(text.num_attention_heads, XC | CL), FI(text.max_position_embeddings, XC | CL),
	FF(text.layer_norm_eps, XC | CL), FI(text.hidden_act, CL), FI(text.eos_token_id, CL),
	FI(vision.hidden_size, XC | CL), FI(vision.intermediate_size, XC | CL),
	FI(vision.num_hidden_layers, XC | CL), FI(vision.num_attention_heads, XC | CL),
	FI(vision.mit_hidden_size, XC), FI(vision.mit_intermediate_size, XC),
	FI(vision.mit_num_hidden_layers, XC), FI(vision.mit_num_attention_heads, XC),
	FI(vision.num_channels, XC | CL), FI(vision.image_size, XC | CL),
	FI(vision.patch_size, XC | CL), FI(vision.num_frames, XC),
	FF(vision.layer_norm_eps, XC | CL), FI(vision.hidden_act, CL),
	FI(projection_dim, XC | CL), FI(prompt_layers, XC), FI(prompt_num_attention_heads, XC),
	FF(prompt_alpha, XC), FF(logit_scale_init_value, XC | CL),
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static const struct field *field_by_name(const char *name)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

/* Compares cfg with a <case>.expected file; every field must be listed. */
static void compare_expected(const char *what, const struct clx_model_config *cfg,
			     const char *expected_path)
{
	FILE *f = fopen(expected_path, "r");
	CHECK(f != NULL, "%s: cannot open %s", what, expected_path);
	if (!f)
		return;
	char name[128];
	double want;
	size_t seen = 0, n_kind = 0;
	for (size_t i = 0; i < N_FIELDS; i++)
		n_kind += (fields[i].kinds >> cfg->kind) & 1u;
	while (fscanf(f, "%127s %lf", name, &want) == 2) {
		const struct field *fd = field_by_name(name);
		CHECK(fd != NULL && ((fd->kinds >> cfg->kind) & 1u), "%s: unknown field %s in %s", what,
		      name, expected_path);
		if (!fd || !((fd->kinds >> cfg->kind) & 1u))
			continue;
		seen++;
		const char *base = (const char *)cfg + fd->off;
		if (fd->is_float) {
			float got;
			memcpy(&got, base, sizeof got);
			CHECK(got == (float)want, "%s: %s = %.9g, transformers %.9g", what, name,
			      (double)got, want);
		} else {
			int32_t got;
			memcpy(&got, base, sizeof got);
			CHECK((double)got == want, "%s: %s = %d, transformers %.17g", what, name,
			      (int)got, want);
		}
	}
	fclose(f);
	CHECK(seen == n_kind, "%s: %zu of %zu fields in %s", what, seen, n_kind, expected_path);
}

/* ------------------------------------------------------------------ golden */

static void test_golden(void)
{
	static const char *const cases[] = { "default", "empty", "null_subconfigs", "partial",
					     "legacy_dict", "legacy_dict_only", "tiny",
					     "clip_default", "clip_empty", "clip_partial",
					     "clip_legacy_dict" };
	char json[1024], exp[1024];
	struct clx_model_config cfg;

	clx_config_default(&cfg);
	snprintf(exp, sizeof exp, "%s/constructor.expected", g_dir);
	compare_expected("clx_config_default vs XCLIPConfig()", &cfg, exp);
	clx_config_default_clip(&cfg);
	snprintf(exp, sizeof exp, "%s/clip_constructor.expected", g_dir);
	compare_expected("clx_config_default_clip vs CLIPConfig()", &cfg, exp);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(json, sizeof json, "%s/%s.json", g_dir, cases[i]);
		snprintf(exp, sizeof exp, "%s/%s.expected", g_dir, cases[i]);
		memset(&cfg, 0xab, sizeof cfg);
		enum clx_status st = clx_config_load(g_ctx, json, &cfg);
		CHECK(st == CLX_OK, "golden %s: %s", cases[i], clx_last_error(g_ctx));
		if (st == CLX_OK)
			compare_expected(cases[i], &cfg, exp);
	}
	printf("golden: clx_config_default and %zu config.json files vs transformers\n",
	       sizeof cases / sizeof cases[0]);
}

/* --------------------------------------------------------------- bad input */

/* One case per check; GOOD_* are the passing twins of the BAD_* next to them. */
enum cfg_case {
	GOOD_MINIMAL,
	BAD_MALFORMED,
	BAD_MALFORMED_KEY,
	BAD_TRUNCATED_OBJECT,
	BAD_TRUNCATED_NESTED,
	BAD_TRUNCATED_STRING,
	BAD_EMPTY,
	BAD_WHITESPACE_ONLY,
	GOOD_TRAILING_WHITESPACE,
	BAD_TRAILING_GARBAGE,
	BAD_TRAILING_OBJECT,
	GOOD_ALPHA_NUMBER,
	GOOD_NAN_IN_STRING,
	BAD_NAN,
	BAD_INFINITY,
	BAD_NEG_INFINITY,
	BAD_TOP_ARRAY,
	BAD_TOP_STRING,
	BAD_TOP_NUMBER,
	BAD_TOP_NULL,
	GOOD_VISION_HIDDEN,
	BAD_VISION_HIDDEN_STRING,
	BAD_TEXT_CONFIG_NUMBER,
	BAD_VISION_CONFIG_ARRAY,
	BAD_HIDDEN_ACT_NUMBER,
	BAD_EPS_STRING,
	BAD_PROJECTION_BOOL,
	BAD_PROJECTION_NULL,
	BAD_PROJECTION_OBJECT,
	BAD_MODEL_TYPE_NUMBER,
	BAD_HIDDEN_NEGATIVE,
	BAD_HIDDEN_ZERO,
	BAD_HIDDEN_HUGE,
	BAD_HIDDEN_LIMIT_PLUS_1,
	GOOD_HIDDEN_LIMIT,
	BAD_HIDDEN_INF,
	BAD_VOCAB_HUGE,
	GOOD_VOCAB_LIMIT,
	BAD_LAYERS_ZERO,
	BAD_LAYERS_HUGE,
	GOOD_LAYERS_LIMIT,
	BAD_HIDDEN_FRACTION,
	GOOD_HIDDEN_INTEGRAL_FLOAT,
	GOOD_HIDDEN_EXPONENT,
	BAD_TEXT_HEADS,
	GOOD_TEXT_HEADS,
	BAD_VISION_HEADS,
	GOOD_VISION_HEADS,
	BAD_MIT_HEADS,
	GOOD_MIT_HEADS,
	BAD_PROMPT_HEADS,
	GOOD_PROMPT_HEADS,
	BAD_HEADS_ZERO,
	BAD_IMAGE_PATCH,
	BAD_PATCH_BIGGER,
	GOOD_IMAGE_PATCH,
	BAD_IMAGE_HUGE,
	BAD_EPS_ZERO,
	BAD_EPS_NEGATIVE,
	BAD_EPS_UNDERFLOW,
	BAD_EPS_HUGE,
	GOOD_EPS_SMALL,
	BAD_ALPHA_HUGE,
	BAD_TEXT_GELU,
	BAD_VISION_RELU,
	BAD_PROMPT_GELU,
	GOOD_QUICK_GELU,
	BAD_MIT_PROJECTION,
	GOOD_MIT_PROJECTION,
	BAD_MODEL_TYPE_BERT,
	GOOD_MODEL_TYPE_CLIP,
	BAD_CLIP_ACT,
	GOOD_CLIP_GELU,
	BAD_CLIP_EOS_LIST,
	GOOD_CLIP_EOS,
	GOOD_MODEL_TYPE_XCLIP,
	GOOD_SUB_MODEL_TYPES,
	BAD_MAX_POS_HUGE,
	GOOD_MAX_POS_LIMIT,
	BAD_FRAMES_ZERO,
	GOOD_FRAMES_ONE,
	BAD_CHANNELS_ZERO,
	BAD_DEEP_NESTING,
	BAD_DEEP_NESTING_1001,
	GOOD_NESTING_LIMIT,
	BAD_NUL_BYTE,
	BAD_ESCAPED_NUL,
	GOOD_ESCAPED_BACKSLASH_U0000,
	BAD_DUPLICATE_KEY,
	BAD_DUPLICATE_NESTED_KEY,
	GOOD_DUPLICATE_UNKNOWN_KEY,
	GOOD_UNKNOWN_KEYS,
	BAD_LEGACY_DICT_ARRAY,
	BAD_LEGACY_DICT_FIELD,
	GOOD_LEGACY_DICT_NULL,
	BAD_LONG_ACT_NAME,
	CFG_CASE_COUNT
};

struct cfg_expect {
	char json[8192];
	size_t len;            /* 0: strlen(json) */
	enum clx_status st;
	const char *msg;       /* substring of the message (NULL on success) */
};

static void make_case(enum cfg_case c, struct cfg_expect *e)
{
	char *j = e->json;
	size_t cap = sizeof e->json;
	e->len = 0;
	e->st = CLX_ERR_FORMAT;
	e->msg = NULL;
#define J(s) snprintf(j, cap, "%s", s)
	switch (c) {
	case GOOD_MINIMAL: J("{}"); e->st = CLX_OK; break;
	case BAD_MALFORMED: J("{\"projection_dim\": 512,,}"); e->msg = "t.json: invalid JSON near offset"; break;
	case BAD_MALFORMED_KEY: J("{projection_dim: 512}"); e->msg = "invalid JSON near offset 2"; break;
	case BAD_TRUNCATED_OBJECT: J("{\"projection_dim\": 512,"); e->msg = "unexpected end of input"; break;
	case BAD_TRUNCATED_NESTED: J("{\"text_config\": {\"hidden_size\": 5"); e->msg = "unexpected end of input"; break;
	case BAD_TRUNCATED_STRING: J("{\"model_type\": \"xcl"); e->msg = "unexpected end of input"; break;
	case BAD_EMPTY: J(""); e->msg = "unexpected end of input"; break;
	case BAD_WHITESPACE_ONLY: J(" \n\t "); e->msg = "unexpected end of input"; break;
	case GOOD_TRAILING_WHITESPACE: J("  {\"projection_dim\": 512}\r\n\t "); e->st = CLX_OK; break;
	case BAD_TRAILING_GARBAGE: J("{\"projection_dim\": 512} x"); e->msg = "trailing data after JSON at offset 24"; break;
	case BAD_TRAILING_OBJECT: J("{}{}"); e->msg = "trailing data after JSON at offset 2"; break;
	case GOOD_ALPHA_NUMBER: J("{\"prompt_alpha\": 0.5}"); e->st = CLX_OK; break;
	case GOOD_NAN_IN_STRING: J("{\"note\": \"NaN Infinity\"}"); e->st = CLX_OK; break;
	case BAD_NAN: J("{\"prompt_alpha\": NaN}"); e->msg = "t.json: non-standard JSON token 'NaN' at offset 17"; break;
	case BAD_INFINITY: J("{\"text_config\": {\"layer_norm_eps\": Infinity}}"); e->msg = "non-standard JSON token 'Infinity' at offset 35"; break;
	case BAD_NEG_INFINITY: J("{\"logit_scale_init_value\": -Infinity}"); e->msg = "non-standard JSON token '-Infinity' at offset 27"; break;
	case BAD_TOP_ARRAY: J("[{\"projection_dim\": 512}]"); e->msg = "top level must be an object, got array"; break;
	case BAD_TOP_STRING: J("\"xclip\""); e->msg = "top level must be an object, got string"; break;
	case BAD_TOP_NUMBER: J("512"); e->msg = "top level must be an object, got number"; break;
	case BAD_TOP_NULL: J("null"); e->msg = "top level must be an object, got null"; break;
	case GOOD_VISION_HIDDEN: J("{\"vision_config\": {\"hidden_size\": 1536}}"); e->st = CLX_OK; break;
	case BAD_VISION_HIDDEN_STRING: J("{\"vision_config\": {\"hidden_size\": \"768\"}}"); e->msg = "t.json: vision_config.hidden_size must be an integer, got string"; break;
	case BAD_TEXT_CONFIG_NUMBER: J("{\"text_config\": 5}"); e->msg = "t.json: text_config must be an object, got number"; break;
	case BAD_VISION_CONFIG_ARRAY: J("{\"vision_config\": []}"); e->msg = "vision_config must be an object, got array"; break;
	case BAD_HIDDEN_ACT_NUMBER: J("{\"text_config\": {\"hidden_act\": 1}}"); e->msg = "text_config.hidden_act must be a string, got number"; break;
	case BAD_EPS_STRING: J("{\"vision_config\": {\"layer_norm_eps\": \"1e-5\"}}"); e->msg = "vision_config.layer_norm_eps must be a number, got string"; break;
	case BAD_PROJECTION_BOOL: J("{\"projection_dim\": true}"); e->msg = "projection_dim must be an integer, got boolean"; break;
	case BAD_PROJECTION_NULL: J("{\"projection_dim\": null}"); e->msg = "projection_dim must be an integer, got null"; break;
	case BAD_PROJECTION_OBJECT: J("{\"projection_dim\": {}}"); e->msg = "projection_dim must be an integer, got object"; break;
	case BAD_MODEL_TYPE_NUMBER: J("{\"model_type\": 1}"); e->msg = "model_type must be a string, got number"; break;
	case BAD_HIDDEN_NEGATIVE: J("{\"text_config\": {\"hidden_size\": -512}}"); e->msg = "text_config.hidden_size = -512 is out of range [1, 65536]"; break;
	case BAD_HIDDEN_ZERO: J("{\"text_config\": {\"hidden_size\": 0}}"); e->msg = "text_config.hidden_size = 0 is out of range"; break;
	case BAD_HIDDEN_HUGE: J("{\"vision_config\": {\"intermediate_size\": 1e18}}"); e->msg = "vision_config.intermediate_size = 1e+18 is out of range"; break;
	case BAD_HIDDEN_LIMIT_PLUS_1: J("{\"text_config\": {\"intermediate_size\": 65537}}"); e->msg = "text_config.intermediate_size = 65537 is out of range"; break;
	case GOOD_HIDDEN_LIMIT: J("{\"text_config\": {\"intermediate_size\": 65536, \"hidden_size\": 65536}}"); e->st = CLX_OK; break;
	case BAD_HIDDEN_INF: J("{\"text_config\": {\"hidden_size\": 1e400}}"); e->msg = "text_config.hidden_size must be an integer, got inf"; break;
	case BAD_VOCAB_HUGE: J("{\"text_config\": {\"vocab_size\": 1000001}}"); e->msg = "text_config.vocab_size = 1000001 is out of range [1, 1000000]"; break;
	case GOOD_VOCAB_LIMIT: J("{\"text_config\": {\"vocab_size\": 1000000}}"); e->st = CLX_OK; break;
	case BAD_LAYERS_ZERO: J("{\"prompt_layers\": 0}"); e->msg = "prompt_layers = 0 is out of range [1, 256]"; break;
	case BAD_LAYERS_HUGE: J("{\"vision_config\": {\"mit_num_hidden_layers\": 257}}"); e->msg = "vision_config.mit_num_hidden_layers = 257 is out of range"; break;
	case GOOD_LAYERS_LIMIT: J("{\"vision_config\": {\"mit_num_hidden_layers\": 256}}"); e->st = CLX_OK; break;
	case BAD_HIDDEN_FRACTION: J("{\"text_config\": {\"hidden_size\": 2.5}}"); e->msg = "text_config.hidden_size must be an integer, got 2.5"; break;
	case GOOD_HIDDEN_INTEGRAL_FLOAT: J("{\"text_config\": {\"hidden_size\": 512.0}}"); e->st = CLX_OK; break;
	case GOOD_HIDDEN_EXPONENT: J("{\"text_config\": {\"hidden_size\": 5.12e2}}"); e->st = CLX_OK; break;
	case BAD_TEXT_HEADS: J("{\"text_config\": {\"num_attention_heads\": 7}}"); e->msg = "text_config.hidden_size = 512 is not divisible by text_config.num_attention_heads = 7"; break;
	case GOOD_TEXT_HEADS: J("{\"text_config\": {\"num_attention_heads\": 16}}"); e->st = CLX_OK; break;
	case BAD_VISION_HEADS: J("{\"vision_config\": {\"hidden_size\": 100}}"); e->msg = "vision_config.hidden_size = 100 is not divisible by vision_config.num_attention_heads = 12"; break;
	case GOOD_VISION_HEADS: J("{\"vision_config\": {\"hidden_size\": 96}}"); e->st = CLX_OK; break;
	case BAD_MIT_HEADS: J("{\"vision_config\": {\"mit_num_attention_heads\": 3}}"); e->msg = "vision_config.mit_hidden_size = 512 is not divisible by vision_config.mit_num_attention_heads = 3"; break;
	case GOOD_MIT_HEADS: J("{\"vision_config\": {\"mit_num_attention_heads\": 4}}"); e->st = CLX_OK; break;
	case BAD_PROMPT_HEADS: J("{\"prompt_num_attention_heads\": 5}"); e->msg = "projection_dim = 512 is not divisible by prompt_num_attention_heads = 5"; break;
	case GOOD_PROMPT_HEADS: J("{\"prompt_num_attention_heads\": 512}"); e->st = CLX_OK; break;
	case BAD_HEADS_ZERO: J("{\"text_config\": {\"num_attention_heads\": 0}}"); e->msg = "text_config.num_attention_heads = 0 is out of range"; break;
	case BAD_IMAGE_PATCH: J("{\"vision_config\": {\"patch_size\": 30}}"); e->msg = "vision_config.image_size = 224 is not divisible by vision_config.patch_size = 30"; break;
	case BAD_PATCH_BIGGER: J("{\"vision_config\": {\"patch_size\": 448}}"); e->msg = "vision_config.image_size = 224 is not divisible by vision_config.patch_size = 448"; break;
	case GOOD_IMAGE_PATCH: J("{\"vision_config\": {\"patch_size\": 16, \"image_size\": 336}}"); e->st = CLX_OK; break;
	case BAD_IMAGE_HUGE: J("{\"vision_config\": {\"image_size\": 8192}}"); e->msg = "vision_config.image_size = 8192 is out of range [1, 4096]"; break;
	case BAD_EPS_ZERO: J("{\"text_config\": {\"layer_norm_eps\": 0}}"); e->msg = "text_config.layer_norm_eps = 0 must be > 0"; break;
	case BAD_EPS_NEGATIVE: J("{\"vision_config\": {\"layer_norm_eps\": -1e-5}}"); e->msg = "vision_config.layer_norm_eps = -1e-05 must be > 0"; break;
	case BAD_EPS_UNDERFLOW: J("{\"vision_config\": {\"layer_norm_eps\": 1e-50}}"); e->msg = "vision_config.layer_norm_eps = 1e-50 must be > 0"; break;
	case BAD_EPS_HUGE: J("{\"text_config\": {\"layer_norm_eps\": 1e300}}"); e->msg = "text_config.layer_norm_eps = 1e+300 is not a finite float"; break;
	case GOOD_EPS_SMALL: J("{\"text_config\": {\"layer_norm_eps\": 1e-12}, \"vision_config\": {\"layer_norm_eps\": 1}}"); e->st = CLX_OK; break;
	case BAD_ALPHA_HUGE: J("{\"prompt_alpha\": -1e39}"); e->msg = "prompt_alpha = -1e+39 is not a finite float"; break;
	case BAD_TEXT_GELU: J("{\"text_config\": {\"hidden_act\": \"gelu\"}}"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "t.json: text_config.hidden_act 'gelu' is not supported"; break;
	case BAD_VISION_RELU: J("{\"vision_config\": {\"hidden_act\": \"relu\"}}"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "vision_config.hidden_act 'relu' is not supported"; break;
	case BAD_PROMPT_GELU: J("{\"prompt_hidden_act\": \"gelu_new\"}"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "prompt_hidden_act 'gelu_new' is not supported"; break;
	case GOOD_QUICK_GELU: J("{\"prompt_hidden_act\": \"quick_gelu\", \"text_config\": {\"hidden_act\": \"quick_gelu\"}, \"vision_config\": {\"hidden_act\": \"quick_gelu\"}}"); e->st = CLX_OK; break;
	case BAD_MIT_PROJECTION: J("{\"projection_dim\": 256}"); e->msg = "vision_config.mit_hidden_size = 512 must equal projection_dim = 256"; break;
	case GOOD_MIT_PROJECTION: J("{\"projection_dim\": 256, \"vision_config\": {\"mit_hidden_size\": 256}}"); e->st = CLX_OK; break;
	case BAD_MODEL_TYPE_BERT: J("{\"model_type\": \"bert\", \"projection_dim\": 512}"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "t.json: model_type 'bert' is not supported (clx runs model_type xclip and clip)"; break;
	case GOOD_MODEL_TYPE_CLIP: J("{\"model_type\": \"clip\", \"projection_dim\": 512}"); e->st = CLX_OK; break;
	case BAD_CLIP_ACT: J("{\"model_type\": \"clip\", \"vision_config\": {\"hidden_act\": \"gelu_new\"}}"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "vision_config.hidden_act 'gelu_new' is not supported (clx implements quick_gelu and gelu)"; break;
	case GOOD_CLIP_GELU: J("{\"model_type\": \"clip\", \"text_config\": {\"hidden_act\": \"gelu\"}}"); e->st = CLX_OK; break;
	case BAD_CLIP_EOS_LIST: J("{\"model_type\": \"clip\", \"text_config\": {\"eos_token_id\": [2, 3]}}"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "text_config.eos_token_id must be one integer (the EOS pooling position), got array"; break;
	case GOOD_CLIP_EOS: J("{\"model_type\": \"clip\", \"text_config\": {\"eos_token_id\": 2}}"); e->st = CLX_OK; break;
	case GOOD_MODEL_TYPE_XCLIP: J("{\"model_type\": \"xclip\"}"); e->st = CLX_OK; break;
	case GOOD_SUB_MODEL_TYPES: J("{\"text_config\": {\"model_type\": \"xclip_text_model\"}, \"vision_config\": {\"model_type\": \"xclip_vision_model\"}}"); e->st = CLX_OK; break;
	case BAD_MAX_POS_HUGE: J("{\"text_config\": {\"max_position_embeddings\": 4097}}"); e->msg = "text_config.max_position_embeddings = 4097 is out of range [1, 4096]"; break;
	case GOOD_MAX_POS_LIMIT: J("{\"text_config\": {\"max_position_embeddings\": 4096}}"); e->st = CLX_OK; break;
	case BAD_FRAMES_ZERO: J("{\"vision_config\": {\"num_frames\": 0}}"); e->msg = "vision_config.num_frames = 0 is out of range [1, 1024]"; break;
	case GOOD_FRAMES_ONE: J("{\"vision_config\": {\"num_frames\": 1}}"); e->st = CLX_OK; break;
	case BAD_CHANNELS_ZERO: J("{\"vision_config\": {\"num_channels\": 0}}"); e->msg = "vision_config.num_channels = 0 is out of range [1, 64]"; break;
	case BAD_DEEP_NESTING:
	case BAD_DEEP_NESTING_1001:
	case GOOD_NESTING_LIMIT: {
		/* The top object is level 1: n brackets inside make n + 1. */
		int n = c == GOOD_NESTING_LIMIT ? CLX_MAX_JSON_DEPTH - 1
			: c == BAD_DEEP_NESTING ? CLX_MAX_JSON_DEPTH : 1001;
		size_t o = (size_t)snprintf(j, cap, "{\"x\": ");
		for (int i = 0; i < n; i++)
			j[o++] = '[';
		for (int i = 0; i < n; i++)
			j[o++] = ']';
		snprintf(j + o, cap - o, "}");
		if (c == GOOD_NESTING_LIMIT)
			e->st = CLX_OK;
		else
			e->msg = "JSON nested deeper than 64 at offset 69";
		break;
	}
	case BAD_NUL_BYTE:
		memcpy(j, "{\"x\": \"a\0b\"}", 12);
		e->len = 12;
		e->msg = "t.json: NUL byte at offset 8";
		break;
	case BAD_ESCAPED_NUL: J("{\"model_type\": \"xclip\\u0000clip\"}"); e->msg = "\\u0000 in a string at offset 21"; break;
	case GOOD_ESCAPED_BACKSLASH_U0000: J("{\"x\": \"\\\\u0000\"}"); e->st = CLX_OK; break;
	case BAD_DUPLICATE_KEY: J("{\"projection_dim\": 512, \"projection_dim\": 256}"); e->msg = "t.json: duplicate key projection_dim"; break;
	case BAD_DUPLICATE_NESTED_KEY: J("{\"vision_config\": {\"patch_size\": 32, \"patch_size\": 16}}"); e->msg = "duplicate key vision_config.patch_size"; break;
	case GOOD_DUPLICATE_UNKNOWN_KEY: J("{\"x\": 1, \"x\": 2, \"architectures\": [\"XCLIPModel\"]}"); e->st = CLX_OK; break;
	case GOOD_UNKNOWN_KEYS: J("{\"torch_dtype\": \"float32\", \"text_config\": {\"pad_token_id\": null, \"eos_token_id\": [2, 3], \"HIDDEN_SIZE\": \"x\"}}"); e->st = CLX_OK; break;
	case BAD_LEGACY_DICT_ARRAY: J("{\"text_config_dict\": [1]}"); e->msg = "t.json: text_config_dict must be an object, got array"; break;
	case BAD_LEGACY_DICT_FIELD: J("{\"vision_config_dict\": {\"hidden_size\": \"x\"}}"); e->msg = "vision_config_dict.hidden_size must be an integer, got string"; break;
	case GOOD_LEGACY_DICT_NULL: J("{\"text_config_dict\": null, \"text_config\": {\"hidden_size\": 256, \"num_attention_heads\": 4}}"); e->st = CLX_OK; break;
	case BAD_LONG_ACT_NAME: {
		size_t o = (size_t)snprintf(j, cap, "{\"prompt_hidden_act\": \"");
		for (int i = 0; i < 4000; i++)
			j[o++] = (char)('a' + i % 26);
		snprintf(j + o, cap - o, "\\n\\u00e9\"}");
		e->st = CLX_ERR_UNSUPPORTED;
		e->msg = "prompt_hidden_act 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv...' is not supported";
		break;
	}
	case CFG_CASE_COUNT: break;
	}
#undef J
	if (!e->len)
		e->len = strlen(j);
}

static void test_bad_inputs(void)
{
	static struct cfg_expect e;
	int n_good = 0, n_bad = 0;
	for (int c = 0; c < CFG_CASE_COUNT; c++) {
		make_case((enum cfg_case)c, &e);
		struct clx_model_config cfg, before;
		memset(&cfg, 0x5a, sizeof cfg);
		before = cfg;
		clx_clear_error(g_ctx);
		enum clx_status st = clx_config_parse(g_ctx, "t.json", e.json, e.len, &cfg);
		const char *msg = clx_last_error(g_ctx);
		CHECK(st == e.st, "case %d: status %s, want %s (%s)", c, clx_status_name(st),
		      clx_status_name(e.st), msg);
		if (e.st == CLX_OK) {
			n_good++;
			CHECK(msg[0] == '\0', "case %d: message on success: %s", c, msg);
		} else {
			n_bad++;
			CHECK(e.msg && strstr(msg, e.msg), "case %d: message '%s' lacks '%s'", c, msg,
			      e.msg ? e.msg : "");
			CHECK(memcmp(&cfg, &before, sizeof cfg) == 0,
			      "case %d: cfg written on failure", c);
		}
	}
	printf("bad input: %d failing and %d passing cases\n", n_bad, n_good);

	/* Exact message from the brief. */
	struct clx_model_config cfg;
	const char *js = "{\"vision_config\": {\"hidden_size\": \"768\"}}";
	clx_config_parse(g_ctx, "config.json", js, strlen(js), &cfg);
	CHECK(strcmp(clx_last_error(g_ctx),
		     "config.json: vision_config.hidden_size must be an integer, got string") == 0,
	      "exact message: %s", clx_last_error(g_ctx));

	/* Values land where they should. */
	js = "{\"projection_dim\": 256, \"prompt_alpha\": 0.25, \"vision_config\": "
	     "{\"mit_hidden_size\": 256, \"patch_size\": 16, \"num_frames\": 16}, "
	     "\"text_config\": {\"hidden_size\": 5.12e2, \"layer_norm_eps\": 1e-6}}";
	CHECK(clx_config_parse(g_ctx, "t.json", js, strlen(js), &cfg) == CLX_OK, "values: %s",
	      clx_last_error(g_ctx));
	CHECK(cfg.projection_dim == 256 && cfg.vision.mit_hidden_size == 256 &&
		      cfg.vision.patch_size == 16 && cfg.vision.num_frames == 16 &&
		      cfg.text.hidden_size == 512 && cfg.text.layer_norm_eps == 1e-6f &&
		      cfg.prompt_alpha == 0.25f && cfg.vision.image_size == 224,
	      "values not applied");

	/* Legacy: *_dict wins over *_config even when both exist (transformers 5.24). */
	js = "{\"text_config\": {\"hidden_size\": 128, \"num_attention_heads\": 2}, "
	     "\"text_config_dict\": {\"vocab_size\": 500}}";
	CHECK(clx_config_parse(g_ctx, "t.json", js, strlen(js), &cfg) == CLX_OK, "legacy: %s",
	      clx_last_error(g_ctx));
	CHECK(cfg.text.hidden_size == 512 && cfg.text.num_attention_heads == 8 &&
		      cfg.text.vocab_size == 500,
	      "legacy: text_config_dict must override text_config entirely");

	/* Arguments. */
	CHECK(clx_config_parse(g_ctx, "t.json", NULL, 3, &cfg) == CLX_ERR_INVALID_ARG, "NULL json");
	CHECK(clx_config_parse(g_ctx, "t.json", "{}", 2, NULL) == CLX_ERR_INVALID_ARG, "NULL cfg");
	CHECK(clx_config_parse(NULL, NULL, "{}", 2, &cfg) == CLX_OK, "NULL ctx and name");
	CHECK(clx_config_parse(g_ctx, NULL, "[]", 2, &cfg) == CLX_ERR_FORMAT &&
		      strncmp(clx_last_error(g_ctx), "config: ", 8) == 0,
	      "NULL name: %s", clx_last_error(g_ctx));
	/* len, not the NUL, bounds the input. */
	CHECK(clx_config_parse(g_ctx, "t.json", "{}garbage", 2, &cfg) == CLX_OK, "len bound: %s",
	      clx_last_error(g_ctx));
}

/* -------------------------------------------------------------- file cases */

static void test_files(void)
{
	char path[256], msg[512];
	struct clx_model_config cfg;
	snprintf(path, sizeof path, "/tmp/clx_test_config_%ld.json", (long)getpid());

	/* Missing file. */
	remove(path);
	CHECK(clx_config_load(g_ctx, path, &cfg) == CLX_ERR_NOT_FOUND, "missing: %s",
	      clx_last_error(g_ctx));
	snprintf(msg, sizeof msg, "%s: No such file or directory", path);
	CHECK(strcmp(clx_last_error(g_ctx), msg) == 0, "missing message: %s",
	      clx_last_error(g_ctx));

	/* A directory. */
	CHECK(clx_config_load(g_ctx, "/tmp", &cfg) == CLX_ERR_IO &&
		      strstr(clx_last_error(g_ctx), "not a regular file"),
	      "directory: %s", clx_last_error(g_ctx));

	/* Size cap: exactly at the limit passes, one byte over fails (sparse file
	 * for the load: the check must come before any read). */
	size_t lim = CLX_MAX_JSON_FILE;
	char *big = malloc(lim + 1);
	CHECK(big != NULL, "malloc");
	if (big) {
		memset(big, ' ', lim + 1);
		big[0] = '{';
		big[lim - 1] = '}';
		CHECK(clx_config_parse(g_ctx, "big.json", big, lim, &cfg) == CLX_OK,
		      "at limit: %s", clx_last_error(g_ctx));
		CHECK(clx_config_parse(g_ctx, "big.json", big, lim + 1, &cfg) == CLX_ERR_FORMAT &&
			      strstr(clx_last_error(g_ctx),
				     "big.json: 16777217 bytes is over the 16777216-byte JSON limit"),
		      "over limit: %s", clx_last_error(g_ctx));
		test_write_file(path, big, lim);
		CHECK(clx_config_load(g_ctx, path, &cfg) == CLX_OK, "load at limit: %s",
		      clx_last_error(g_ctx));
		free(big);
	}
	FILE *f = fopen(path, "wb");
	if (f) {
		CHECK(ftruncate(fileno(f), (off_t)lim + 1) == 0, "ftruncate");
		fclose(f);
	}
	CHECK(clx_config_load(g_ctx, path, &cfg) == CLX_ERR_FORMAT &&
		      strstr(clx_last_error(g_ctx), "16777217 bytes is over the"),
	      "load over limit: %s", clx_last_error(g_ctx));

	/* Errors from a file carry its path; NUL bytes in a file are caught too. */
	test_write_file(path, "{\"text_config\": {\"hidden_act\": \"gelu\"}}", 39);
	snprintf(msg, sizeof msg, "%s: text_config.hidden_act 'gelu'", path);
	CHECK(clx_config_load(g_ctx, path, &cfg) == CLX_ERR_UNSUPPORTED &&
		      strstr(clx_last_error(g_ctx), msg),
	      "load message: %s", clx_last_error(g_ctx));
	test_write_file(path, "{}\0", 3);
	CHECK(clx_config_load(g_ctx, path, &cfg) == CLX_ERR_FORMAT &&
		      strstr(clx_last_error(g_ctx), "NUL byte at offset 2"),
	      "load NUL: %s", clx_last_error(g_ctx));
	test_write_file(path, "", 0);
	CHECK(clx_config_load(g_ctx, path, &cfg) == CLX_ERR_FORMAT, "empty file: %s",
	      clx_last_error(g_ctx));
	remove(path);
	printf("files: missing, directory, size cap (parse and load), path in messages\n");
}

/* ------------------------------------------------------ allocation failure */

static void test_alloc_fail(void)
{
	char path[1024];
	size_t len = 0;
	snprintf(path, sizeof path, "%s/default.json", g_dir);
	char *json = test_read_file(path, &len);
	CHECK(json != NULL && len > 0, "read %s", path);
	if (!json)
		return;
	for (int which = 0; which < 2; which++) {
		long n;
		int clean = 1;
		for (n = 1; n < 100000; n++) {
			struct clx_model_config cfg;
			alloc_fail_arm(n);
			enum clx_status st = which == 0
				? clx_config_parse(g_ctx, "default.json", json, len, &cfg)
				: clx_config_load(g_ctx, path, &cfg);
			int hit = alloc_fail_hit();
			alloc_fail_arm(0);
			if (!hit) {
				CHECK(st == CLX_OK, "alloc loop n=%ld: %s", n, clx_last_error(g_ctx));
				break;
			}
			if (st != CLX_ERR_NOMEM || !strstr(clx_last_error(g_ctx), "out of memory")) {
				clean = 0;
				CHECK(0, "alloc fail n=%ld: %s %s", n, clx_status_name(st),
				      clx_last_error(g_ctx));
			}
		}
		CHECK(clean, "allocation failures reported cleanly");
		CHECK(n > 10, "the loop covered cJSON's allocations too (%ld)", n);
		printf("alloc-fail: %s survives failing each of its %ld allocations\n",
		       which == 0 ? "clx_config_parse" : "clx_config_load", n - 1);
	}
	free(json);
}

int main(int argc, char **argv)
{
	g_dir = argc > 1 ? argv[1] : "tests/fixtures/config";
	g_ctx = clx_ctx_create();
	if (!g_ctx)
		return 1;
	test_golden();
	test_bad_inputs();
	test_files();
	test_alloc_fail();
	clx_ctx_free(g_ctx);
	return check_summary();
}
