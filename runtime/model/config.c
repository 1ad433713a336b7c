/* config.c — XCLIPConfig or CLIPConfig from a Hugging Face config.json
 * (clx/config.h).
 *
 * Semantics follow transformers 5.24 configuration_x_clip.py and
 * configuration_clip.py (the final word, see tools/dev/gen_config_golden.py),
 * which share this shape: absent keys and `null` sub-configs take the
 * dataclass defaults; a legacy `text_config_dict` / `vision_config_dict`, when
 * present and not null, is expanded with the defaults and then overrides
 * every field of `text_config` / `vision_config` — so in effect it alone
 * decides the sub-config. Unknown keys are ignored.
 *
 * The JSON is untrusted (docs/SECURITY.md §5): size capped, NUL bytes
 * and `\u0000` rejected, nesting depth checked before cJSON recurses, parse
 * end checked, numbers read from valuedouble with integrality and range
 * checks, duplicates of the keys we read rejected (cJSON returns the first,
 * Python the last — never let the two disagree silently).
 *
 * Deliberately not done: reading fields only used for training (dropouts,
 * initializer_*), X-CLIP's token ids (its text model forces the legacy eos
 * pooling), per-axis image/patch sizes (both embeddings use them as ints),
 * CLIP's vision_config.projection_dim / text_config.projection_dim (only the
 * *WithProjection models use them; CLIPModel projects to the top-level
 * projection_dim). */
#include "clx/config.h"
#include "clx/limits.h"
#include "core/file.h"
#include "core/json.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ---------------------------------------------------------------- defaults */

/* Equal to transformers 5.24 XCLIPConfig(): XCLIPTextConfig() and
 * XCLIPVisionConfig() defaults. XCLIPVisionConfig's own default patch_size is
 * 32 in 5.24 (the base-patch32 checkpoint), so XCLIPConfig() already has the
 * microsoft/xclip-base-patch32 shapes. Checked field by field against
 * tests/fixtures/config/default.expected by tests/test_config.c. */
void clx_config_default(struct clx_model_config *cfg)
{
	*cfg = (struct clx_model_config){
		.text = {
			.vocab_size = 49408,
			.hidden_size = 512,
			.intermediate_size = 2048,
			.num_hidden_layers = 12,
			.num_attention_heads = 8,
			.max_position_embeddings = 77,
			.layer_norm_eps = 1e-5f,
			.hidden_act = CLX_ACT_QUICK_GELU,
			.eos_token_id = 2, /* X-CLIP pools at the largest id, whatever the config */
		},
		.vision = {
			.hidden_size = 768,
			.intermediate_size = 3072,
			.num_hidden_layers = 12,
			.num_attention_heads = 12,
			.mit_hidden_size = 512,
			.mit_intermediate_size = 2048,
			.mit_num_hidden_layers = 1,
			.mit_num_attention_heads = 8,
			.num_channels = 3,
			.image_size = 224,
			.patch_size = 32,
			.num_frames = 8,
			.layer_norm_eps = 1e-5f,
			.hidden_act = CLX_ACT_QUICK_GELU,
		},
		.projection_dim = 512,
		.prompt_layers = 2,
		.prompt_num_attention_heads = 8,
		.prompt_alpha = 0.1f,
		.logit_scale_init_value = 2.6592f,
	};
}

/* Equal to transformers 5.24 CLIPConfig(): CLIPTextConfig() and
 * CLIPVisionConfig() defaults; the X-CLIP-only fields keep XCLIPConfig's
 * values, unused, except num_frames = 1. */
void clx_config_default_clip(struct clx_model_config *cfg)
{
	clx_config_default(cfg);
	cfg->kind = CLX_MODEL_CLIP;
	cfg->text.eos_token_id = 49407;
	cfg->vision.num_frames = 1;
}

/* ---------------------------------------------------------------- helpers */


/* A string from the file, made safe to print: at most 48 bytes, anything
 * outside printable ASCII as \xNN. */
static void quote_value(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	for (size_t i = 0; s[i] && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == 48) {
			o += (size_t)snprintf(out + o, cap - o, "...");
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
	}
	out[o < cap ? o : cap - 1] = '\0';
}

/* What the parser reads from: the JSON object and the key path used in
 * messages ("vision_config." or "" for the top level). */
struct obj {
	const cJSON *json; /* NULL: absent, all defaults */
	const char *prefix;
};

struct parse {
	struct clx_ctx *ctx;
	const char *name;
};

/* cJSON_GetObjectItemCaseSensitive plus a duplicate check for the key. */
static enum clx_status lookup(const struct parse *p, struct obj o, const char *key,
			      const cJSON **out)
{
	*out = NULL;
	if (!o.json)
		return CLX_OK;
	const cJSON *first = cJSON_GetObjectItemCaseSensitive(o.json, key);
	if (!first)
		return CLX_OK;
	for (const cJSON *c = first->next; c; c = c->next)
		if (c->string && strcmp(c->string, key) == 0)
			return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: duplicate key %s%s", p->name,
					o.prefix, key);
	*out = first;
	return CLX_OK;
}

/* An integer field in [lo, hi]; absent keeps *v (the default). */
static enum clx_status read_int(const struct parse *p, struct obj o, const char *key,
				int32_t lo, int32_t hi, int32_t *v)
{
	const cJSON *it;
	enum clx_status st = lookup(p, o, key, &it);
	if (st || !it)
		return st;
	if (!cJSON_IsNumber(it))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s%s must be an integer, got %s",
				p->name, o.prefix, key, clx_json_type_name(it));
	double d = it->valuedouble;
	if (!isfinite(d) || d != floor(d))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s%s must be an integer, got %.10g",
				p->name, o.prefix, key, d);
	if (d < (double)lo || d > (double)hi)
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s%s = %.10g is out of range [%d, %d]",
				p->name, o.prefix, key, d, (int)lo, (int)hi);
	*v = (int32_t)d;
	return CLX_OK;
}

/* A finite float field; `positive` also demands > 0 after rounding to
 * float (1e-50 would become 0). Absent keeps *v. */
static enum clx_status read_float(const struct parse *p, struct obj o, const char *key,
				  bool positive, float *v)
{
	const cJSON *it;
	enum clx_status st = lookup(p, o, key, &it);
	if (st || !it)
		return st;
	if (!cJSON_IsNumber(it))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s%s must be a number, got %s",
				p->name, o.prefix, key, clx_json_type_name(it));
	double d = it->valuedouble;
	if (!isfinite(d) || fabs(d) > FLT_MAX)
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s%s = %g is not a finite float",
				p->name, o.prefix, key, d);
	float f = (float)d;
	if (positive && !(f > 0.0f))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s%s = %g must be > 0", p->name,
				o.prefix, key, d);
	*v = f;
	return CLX_OK;
}

/* A string field that must equal `want` if present. */
static enum clx_status read_enum(const struct parse *p, struct obj o, const char *key,
				 const char *want, const char *what)
{
	const cJSON *it;
	enum clx_status st = lookup(p, o, key, &it);
	if (st || !it)
		return st;
	if (!cJSON_IsString(it) || !it->valuestring)
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s%s must be a string, got %s",
				p->name, o.prefix, key, clx_json_type_name(it));
	if (strcmp(it->valuestring, want) != 0) {
		char q[256];
		quote_value(q, sizeof q, it->valuestring);
		return clx_fail(p->ctx, CLX_ERR_UNSUPPORTED, "%s: %s%s '%s' is not supported (%s)",
				p->name, o.prefix, key, q, what);
	}
	return CLX_OK;
}

/* hidden_act: quick_gelu, or with allow_gelu also gelu; absent keeps *v. */
static enum clx_status read_act(const struct parse *p, struct obj o, const char *key,
				bool allow_gelu, enum clx_act *v)
{
	const cJSON *it;
	enum clx_status st = lookup(p, o, key, &it);
	if (st || !it)
		return st;
	if (!allow_gelu)
		return read_enum(p, o, key, "quick_gelu", "clx runs X-CLIP with quick_gelu only");
	if (!cJSON_IsString(it) || !it->valuestring)
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s%s must be a string, got %s",
				p->name, o.prefix, key, clx_json_type_name(it));
	if (strcmp(it->valuestring, "quick_gelu") == 0)
		*v = CLX_ACT_QUICK_GELU;
	else if (strcmp(it->valuestring, "gelu") == 0)
		*v = CLX_ACT_GELU;
	else {
		char q[256];
		quote_value(q, sizeof q, it->valuestring);
		return clx_fail(p->ctx, CLX_ERR_UNSUPPORTED,
				"%s: %s%s '%s' is not supported (clx implements quick_gelu and gelu)",
				p->name, o.prefix, key, q);
	}
	return CLX_OK;
}

/* The sub-config object: `<key>_dict` wins when present and not null (as
 * transformers' __post_init__), else `<key>`; null/absent → defaults. */
static enum clx_status sub_object(const struct parse *p, const cJSON *root, const char *key,
				  const char *key_dict, const char *prefix,
				  const char *prefix_dict, struct obj *out)
{
	struct obj top = { root, "" };
	const cJSON *it;
	enum clx_status st = lookup(p, top, key_dict, &it);
	if (st)
		return st;
	if (it && !cJSON_IsNull(it)) {
		if (!cJSON_IsObject(it))
			return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s must be an object, got %s",
					p->name, key_dict, clx_json_type_name(it));
		*out = (struct obj){ it, prefix_dict };
		return CLX_OK;
	}
	if ((st = lookup(p, top, key, &it)))
		return st;
	if (it && !cJSON_IsNull(it) && !cJSON_IsObject(it))
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s must be an object, got %s", p->name,
				key, clx_json_type_name(it));
	*out = (struct obj){ it && cJSON_IsObject(it) ? it : NULL, prefix };
	return CLX_OK;
}

/* ------------------------------------------------------------------- parse */

static enum clx_status read_text(const struct parse *p, struct obj o, bool clip,
				 struct clx_text_config *t)
{
	enum clx_status st;
	if (clip) {
		const cJSON *it;
		if ((st = lookup(p, o, "eos_token_id", &it)))
			return st;
		if (it && !cJSON_IsNumber(it))
			return clx_fail(p->ctx, CLX_ERR_UNSUPPORTED,
					"%s: %seos_token_id must be one integer (the EOS pooling position), got %s",
					p->name, o.prefix, clx_json_type_name(it));
		if ((st = read_int(p, o, "eos_token_id", 0, CLX_MAX_CONFIG_VOCAB, &t->eos_token_id)))
			return st;
	}
	if ((st = read_int(p, o, "vocab_size", 1, CLX_MAX_CONFIG_VOCAB, &t->vocab_size)) ||
	    (st = read_int(p, o, "hidden_size", 1, CLX_MAX_CONFIG_DIM, &t->hidden_size)) ||
	    (st = read_int(p, o, "intermediate_size", 1, CLX_MAX_CONFIG_DIM,
			   &t->intermediate_size)) ||
	    (st = read_int(p, o, "num_hidden_layers", 1, CLX_MAX_CONFIG_LAYERS,
			   &t->num_hidden_layers)) ||
	    (st = read_int(p, o, "num_attention_heads", 1, CLX_MAX_CONFIG_DIM,
			   &t->num_attention_heads)) ||
	    (st = read_int(p, o, "max_position_embeddings", 1, CLX_MAX_TOKENS,
			   &t->max_position_embeddings)) ||
	    (st = read_float(p, o, "layer_norm_eps", true, &t->layer_norm_eps)) ||
	    (st = read_act(p, o, "hidden_act", clip, &t->hidden_act)))
		return st;
	return CLX_OK;
}

static enum clx_status read_vision(const struct parse *p, struct obj o, bool clip,
				   struct clx_vision_config *v)
{
	enum clx_status st;
	if ((st = read_int(p, o, "hidden_size", 1, CLX_MAX_CONFIG_DIM, &v->hidden_size)) ||
	    (st = read_int(p, o, "intermediate_size", 1, CLX_MAX_CONFIG_DIM,
			   &v->intermediate_size)) ||
	    (st = read_int(p, o, "num_hidden_layers", 1, CLX_MAX_CONFIG_LAYERS,
			   &v->num_hidden_layers)) ||
	    (st = read_int(p, o, "num_attention_heads", 1, CLX_MAX_CONFIG_DIM,
			   &v->num_attention_heads)) ||
	    (st = read_int(p, o, "num_channels", 1, CLX_MAX_CONFIG_CHANNELS, &v->num_channels)) ||
	    (st = read_int(p, o, "image_size", 1, CLX_MAX_IMAGE_SIZE, &v->image_size)) ||
	    (st = read_int(p, o, "patch_size", 1, CLX_MAX_IMAGE_SIZE, &v->patch_size)) ||
	    (st = read_float(p, o, "layer_norm_eps", true, &v->layer_norm_eps)) ||
	    (st = read_act(p, o, "hidden_act", clip, &v->hidden_act)))
		return st;
	if (clip) /* CLIPVisionConfig has no MIT and no frames */
		return CLX_OK;
	if ((st = read_int(p, o, "mit_hidden_size", 1, CLX_MAX_CONFIG_DIM, &v->mit_hidden_size)) ||
	    (st = read_int(p, o, "mit_intermediate_size", 1, CLX_MAX_CONFIG_DIM,
			   &v->mit_intermediate_size)) ||
	    (st = read_int(p, o, "mit_num_hidden_layers", 1, CLX_MAX_CONFIG_LAYERS,
			   &v->mit_num_hidden_layers)) ||
	    (st = read_int(p, o, "mit_num_attention_heads", 1, CLX_MAX_CONFIG_DIM,
			   &v->mit_num_attention_heads)) ||
	    (st = read_int(p, o, "num_frames", 1, CLX_MAX_CONFIG_FRAMES, &v->num_frames)))
		return st;
	return CLX_OK;
}

static enum clx_status check_divides(const struct parse *p, const char *a, int32_t av,
				     const char *b, int32_t bv)
{
	/* bv ≥ 1: every size was range-checked before this. */
	if (av % bv != 0)
		return clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: %s = %d is not divisible by %s = %d",
				p->name, a, (int)av, b, (int)bv);
	return CLX_OK;
}

static enum clx_status validate(const struct parse *p, struct obj to, struct obj vo,
				const struct clx_model_config *c)
{
	char a[64], b[64];
	enum clx_status st;
#define NAMES(o1, k1, o2, k2)                                  \
	(snprintf(a, sizeof a, "%s%s", (o1).prefix, k1),       \
	 snprintf(b, sizeof b, "%s%s", (o2).prefix, k2))
	struct obj top = { NULL, "" };

	NAMES(to, "hidden_size", to, "num_attention_heads");
	if ((st = check_divides(p, a, c->text.hidden_size, b, c->text.num_attention_heads)))
		return st;
	NAMES(vo, "hidden_size", vo, "num_attention_heads");
	if ((st = check_divides(p, a, c->vision.hidden_size, b, c->vision.num_attention_heads)))
		return st;
	NAMES(vo, "image_size", vo, "patch_size");
	if ((st = check_divides(p, a, c->vision.image_size, b, c->vision.patch_size)))
		return st;
	if (c->kind == CLX_MODEL_CLIP)
		return CLX_OK;
	NAMES(vo, "mit_hidden_size", vo, "mit_num_attention_heads");
	if ((st = check_divides(p, a, c->vision.mit_hidden_size, b,
				c->vision.mit_num_attention_heads)))
		return st;
	NAMES(top, "projection_dim", top, "prompt_num_attention_heads");
	if ((st = check_divides(p, a, c->projection_dim, b, c->prompt_num_attention_heads)))
		return st;
	/* The MIT runs on the projected frame features and its output is added
	 * to them: its width is projection_dim. */
	if (c->vision.mit_hidden_size != c->projection_dim)
		return clx_fail(p->ctx, CLX_ERR_FORMAT,
				"%s: %smit_hidden_size = %d must equal projection_dim = %d", p->name,
				vo.prefix, (int)c->vision.mit_hidden_size, (int)c->projection_dim);
#undef NAMES
	return CLX_OK;
}

/* model_type: "xclip" (or absent) or "clip"; *c gets that family's defaults. */
static enum clx_status read_kind(const struct parse *p, struct obj top, struct clx_model_config *c)
{
	const cJSON *it;
	enum clx_status st = lookup(p, top, "model_type", &it);
	if (st)
		return st;
	if (it && cJSON_IsString(it) && it->valuestring && strcmp(it->valuestring, "clip") == 0) {
		clx_config_default_clip(c);
		return CLX_OK;
	}
	clx_config_default(c);
	return read_enum(p, top, "model_type", "xclip", "clx runs model_type xclip and clip");
}

/* `s` is NUL-terminated at s[len]. */
static enum clx_status parse_terminated(const struct parse *p, const char *s, size_t len,
					struct clx_model_config *out)
{
	cJSON *root = NULL;
	enum clx_status st = clx_json_parse(p->ctx, p->name, s, len, 0, &root);
	if (st != CLX_OK)
		return st;
	if (!cJSON_IsObject(root)) {
		st = clx_fail(p->ctx, CLX_ERR_FORMAT, "%s: top level must be an object, got %s",
			      p->name, clx_json_type_name(root));
		goto done;
	}

	struct obj top = { root, "" }, to, vo;
	struct clx_model_config c;
	if ((st = read_kind(p, top, &c)) ||
	    (st = sub_object(p, root, "text_config", "text_config_dict", "text_config.",
			     "text_config_dict.", &to)) ||
	    (st = sub_object(p, root, "vision_config", "vision_config_dict", "vision_config.",
			     "vision_config_dict.", &vo)))
		goto done;
	const bool clip = c.kind == CLX_MODEL_CLIP;
	if ((st = read_text(p, to, clip, &c.text)) || (st = read_vision(p, vo, clip, &c.vision)) ||
	    (st = read_int(p, top, "projection_dim", 1, CLX_MAX_CONFIG_DIM, &c.projection_dim)) ||
	    (st = read_float(p, top, "logit_scale_init_value", false,
			     &c.logit_scale_init_value)))
		goto done;
	if (!clip &&
	    ((st = read_int(p, top, "prompt_layers", 1, CLX_MAX_CONFIG_LAYERS, &c.prompt_layers)) ||
	     (st = read_int(p, top, "prompt_num_attention_heads", 1, CLX_MAX_CONFIG_DIM,
			    &c.prompt_num_attention_heads)) ||
	     (st = read_float(p, top, "prompt_alpha", false, &c.prompt_alpha)) ||
	     (st = read_enum(p, top, "prompt_hidden_act", "quick_gelu",
			     "clx runs X-CLIP with quick_gelu only"))))
		goto done;
	if ((st = validate(p, to, vo, &c)))
		goto done;
	*out = c;
	st = CLX_OK;
done:
	cJSON_Delete(root);
	return st;
}

enum clx_status clx_config_parse(struct clx_ctx *ctx, const char *name, const char *json,
				 size_t len, struct clx_model_config *cfg)
{
	struct parse p = { ctx, name ? name : "config" };
	if (!cfg || (!json && len))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_config_parse: NULL argument");
	if (len > CLX_MAX_JSON_FILE)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: %zu bytes is over the %u-byte JSON limit",
				p.name, len, (unsigned)CLX_MAX_JSON_FILE);
	enum clx_status st;
	char *copy = clx_malloc(len + 1);
	if (!copy)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory (%zu bytes)", p.name,
				len + 1);
	if (len)
		memcpy(copy, json, len);
	copy[len] = '\0';
	st = parse_terminated(&p, copy, len, cfg);
	clx_free(copy);
	return st;
}

enum clx_status clx_config_load(struct clx_ctx *ctx, const char *path,
				struct clx_model_config *cfg)
{
	if (!path || !cfg)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_config_load: NULL argument");
	struct parse p = { ctx, path };
	char *buf;
	size_t len;
	enum clx_status st = clx_file_read(ctx, path, CLX_MAX_JSON_FILE, &buf, &len);
	if (st != CLX_OK)
		return st;
	st = parse_terminated(&p, buf, len, cfg);
	clx_free(buf);
	return st;
}
