/* json.h — strict parsing of untrusted JSON (docs/SECURITY.md §5),
 * shared by every reader of JSON in clx: config.json, preprocessor_config.json,
 * vocab.json and safetensors headers. Internal to the library. */
#ifndef CLX_CORE_JSON_H
#define CLX_CORE_JSON_H

#include "clx/clx.h"

#include <cjson/cJSON.h>

/* Parses s[0, len); s[len] must be '\0' (a NUL-terminated copy). Before
 * cJSON sees it: no NUL byte and no \u0000 escape (C strings would cut a
 * value silently), nesting at most CLX_MAX_JSON_DEPTH (cJSON recurses).
 * Then only whitespace may follow the value. Every allocation goes through
 * clx_malloc; a failure is CLX_ERR_NOMEM, not a format error. Messages are
 * "NAME: …" with offsets + `base` (the text's offset in its file):
 *   NUL byte at offset N · \u0000 in a string at offset N ·
 *   JSON nested deeper than 64 at offset N ·
 *   non-standard JSON token 'NaN' at offset N (Python's NaN/Infinity) ·
 *   invalid JSON: unexpected end of input (truncated?) ·
 *   invalid JSON near offset N · trailing data after JSON at offset N.
 * On success the caller owns *out (cJSON_Delete). */
enum clx_status clx_json_parse(struct clx_ctx *ctx, const char *name, const char *s, size_t len,
			       size_t base, cJSON **out);

/* "object", "string", … for messages. */
const char *clx_json_type_name(const cJSON *j);

#endif
