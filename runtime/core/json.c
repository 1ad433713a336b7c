/* json.c — the one strict JSON parser (see json.h). cJSON does the parsing;
 * this adds what docs/SECURITY.md §5 asks of untrusted input around it. */
#include "core/json.h"

#include "clx/limits.h"

#include <string.h>

/* cJSON's hooks are process-wide; installing the same pair before every
 * parse is idempotent and keeps every allocation on clx's overridable hook.
 * The flag is thread-local so one thread's failure is not another's. */
static _Thread_local bool json_oom;

static void *json_malloc(size_t n)
{
	void *p = clx_malloc(n);
	if (!p)
		json_oom = true;
	return p;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Python's non-standard tokens at a parse error position. */
static const char *nonstandard_token(const char *s, size_t len, size_t off)
{
	static const char *const toks[] = { "-Infinity", "Infinity", "NaN" };
	for (int k = 0; k < 3; k++) {
		size_t n = strlen(toks[k]);
		if (off <= len && len - off >= n && memcmp(s + off, toks[k], n) == 0)
			return toks[k];
	}
	return NULL;
}

/* NUL, \u0000 and depth; *open_at_end: the text ends inside a string or an
 * unclosed container (a truncated file, for the message). */
static enum clx_status prescan(struct clx_ctx *ctx, const char *name, const char *s, size_t len,
			       size_t base, bool *open_at_end)
{
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\0')
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: NUL byte at offset %zu", name, base + i);
		if (in_str) {
			if (c == '"') {
				in_str = false;
			} else if (c == '\\' && i + 1 < len) {
				i++;
				if (s[i] == 'u' && len - i > 4 && memcmp(s + i + 1, "0000", 4) == 0)
					return clx_fail(ctx, CLX_ERR_FORMAT, "%s: \\u0000 in a string at offset %zu",
							name, base + i - 1);
				if (s[i] == '\0')
					return clx_fail(ctx, CLX_ERR_FORMAT, "%s: NUL byte at offset %zu", name,
							base + i);
			}
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > CLX_MAX_JSON_DEPTH)
				return clx_fail(ctx, CLX_ERR_FORMAT, "%s: JSON nested deeper than %d at offset %zu",
						name, CLX_MAX_JSON_DEPTH, base + i);
		} else if (c == '}' || c == ']') {
			depth--; /* unbalanced input is cJSON's to reject */
		}
	}
	*open_at_end = in_str || depth > 0;
	return CLX_OK;
}

enum clx_status clx_json_parse(struct clx_ctx *ctx, const char *name, const char *s, size_t len,
			       size_t base, cJSON **out)
{
	static cJSON_Hooks hooks = { json_malloc, clx_free };
	bool open_at_end = false;
	*out = NULL;
	CLX_ASSERT(s[len] == '\0');
	enum clx_status st = prescan(ctx, name, s, len, base, &open_at_end);
	if (st != CLX_OK)
		return st;
	cJSON_InitHooks(&hooks);
	json_oom = false;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (!root) {
		if (json_oom)
			return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory parsing JSON", name);
		size_t off = end && end >= s && end <= s + len ? (size_t)(end - s) : len;
		const char *tok = nonstandard_token(s, len, off);
		if (tok)
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: non-standard JSON token '%s' at offset %zu",
					name, tok, base + off);
		size_t ws = off;
		while (ws < len && is_ws(s[ws]))
			ws++;
		if (open_at_end || ws == len)
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: invalid JSON: unexpected end of input (truncated?)",
					name);
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: invalid JSON near offset %zu", name, base + off);
	}
	size_t off = (size_t)(end - s);
	while (off < len && is_ws(s[off]))
		off++;
	if (off != len) {
		cJSON_Delete(root);
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: trailing data after JSON at offset %zu", name,
				base + off);
	}
	*out = root;
	return CLX_OK;
}

const char *clx_json_type_name(const cJSON *j)
{
	if (cJSON_IsObject(j))
		return "object";
	if (cJSON_IsArray(j))
		return "array";
	if (cJSON_IsString(j))
		return "string";
	if (cJSON_IsNumber(j))
		return "number";
	if (cJSON_IsBool(j))
		return "boolean";
	if (cJSON_IsNull(j))
		return "null";
	return "invalid";
}
