/* safetensors_header.c — validating a safetensors header: every check of
 * docs/SECURITY.md §4, in its order, on the length prefix, the raw header
 * bytes (before cJSON sees them), the JSON entries and the tiling of the data
 * section, all from the header and the file size alone; then the tensor
 * table with its sorted name index. Messages read "PATH: problem" and name
 * the tensor, the bad value and the limit.
 *
 * Not here: reading or mapping the file (safetensors.c), data pointers, and
 * checking shapes against a config (the model loader does that). A valid
 * file with a dtype or rank clx cannot run is told apart from a malformed
 * one: it passes every format check, then fails as unsupported. */
#include "model/safetensors_internal.h"
#include "core/json.h"
#include "core/utf8.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- helpers */

struct shown st_show(const char *name)
{
	struct shown o;
	size_t i = 0, max = 64;
	if (!name)
		name = "(null)";
	while (name[i] && i < max) {
		unsigned char c = (unsigned char)name[i];
		o.s[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		i++;
	}
	if (name[i]) {
		while (i > 0 && ((unsigned char)o.s[i] & 0xC0) == 0x80)
			i--; /* drop continuation bytes of a cut character */
		if (i > 0 && (unsigned char)o.s[i - 1] >= 0xC0)
			i--; /* and its lead byte */
		memcpy(o.s + i, "...", 3);
		i += 3;
	}
	o.s[i] = '\0';
	return o;
}

static bool json_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}


/* ------------------------------------------------------------- dtypes */

/* Every dtype the safetensors format defines, so a valid file with a dtype
 * clx does not run is told apart from a malformed one. Sizes in bits. */
static const struct {
	const char *name;
	unsigned bits;
	int clx; /* enum clx_dtype, or -1 when unsupported */
} dtypes[] = {
	{ "F32", 32, CLX_DTYPE_F32 },   { "F16", 16, CLX_DTYPE_F16 },
	{ "BF16", 16, CLX_DTYPE_BF16 }, { "I32", 32, CLX_DTYPE_I32 },
	{ "I64", 64, CLX_DTYPE_I64 },   { "F64", 64, -1 },
	{ "I8", 8, -1 },                { "U8", 8, -1 },
	{ "BOOL", 8, -1 },              { "I16", 16, -1 },
	{ "U16", 16, -1 },              { "U32", 32, -1 },
	{ "U64", 64, -1 },              { "F8_E4M3", 8, -1 },
	{ "F8_E5M2", 8, -1 },           { "F8_E8M0", 8, -1 },
	{ "F6_E2M3", 6, -1 },           { "F6_E3M2", 6, -1 },
	{ "F4", 4, -1 },                { "C64", 64, -1 },
};
#define N_DTYPES (sizeof dtypes / sizeof dtypes[0])

/* ------------------------------------------------------------- checks */

/* File ≥ 8 bytes; header length N ≤ the cap and ≤ size − 8 (compared,
 * never added). */
enum clx_status st_check_prefix(struct clx_ctx *ctx, const char *name, const uint8_t *head,
				size_t size, size_t *n_out)
{
	if (size < 8)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: file is %zu bytes, too small for the 8-byte header length", name,
				size);
	uint64_t n = st_le64(head);
	if (n > CLX_MAX_SAFETENSORS_HEADER)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: header length %" PRIu64 " exceeds the limit of %llu bytes", name, n,
				CLX_MAX_SAFETENSORS_HEADER);
	if (n > size - 8)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: header length %" PRIu64
				" runs past the end of the file (%zu bytes follow the length field)",
				name, n, size - 8);
	*n_out = (size_t)n;
	return CLX_OK;
}

/* One pass over the raw header before cJSON sees it: UTF-8, no NUL byte,
 * no \u0000 escape, no raw control character, nesting ≤ CLX_MAX_JSON_DEPTH
 * (cJSON recurses), no NaN/Infinity (Python writes them), and an upper
 * bound on the entry count (top-level commas) before a tree is built.
 * Offsets in messages are file offsets (the header starts at 8). */
static enum clx_status scan_header(struct clx_ctx *ctx, const char *name, const uint8_t *h,
				   size_t n)
{
	bool in_str = false;
	int depth = 0;
	uint64_t entries = 1;

	if (n >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: header starts with a UTF-8 byte-order mark",
				name);
	for (size_t i = 0; i < n;) {
		uint8_t c = h[i];
		if (c == 0)
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: header has a NUL byte at offset %zu",
					name, 8 + i);
		if (c >= 0x80) {
			size_t len = clx_utf8_seq(h + i, n - i, NULL);
			if (!len)
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s: header is not valid UTF-8 at offset %zu (byte 0x%02X)",
						name, 8 + i, c);
			i += len;
			continue;
		}
		if (in_str) {
			if (c == '"') {
				in_str = false;
			} else if (c == '\\') {
				if (n - i >= 6 && memcmp(h + i + 1, "u0000", 5) == 0)
					return clx_fail(ctx, CLX_ERR_FORMAT,
							"%s: header has a \\u0000 escape at offset %zu", name,
							8 + i);
				/* skip the escaped character unless the loop must still
				 * vet it (non-ASCII or NUL) */
				if (i + 1 < n && h[i + 1] != 0 && h[i + 1] < 0x80)
					i++;
			} else if (c < 0x20) {
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s: header has control character 0x%02X inside a string at offset %zu",
						name, c, 8 + i);
			}
			i++;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > CLX_MAX_JSON_DEPTH)
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s: header JSON is nested deeper than %d levels at offset %zu",
						name, CLX_MAX_JSON_DEPTH, 8 + i);
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		} else if (c == ',' && depth == 1) {
			if (++entries > CLX_MAX_SAFETENSORS_TENSORS)
				return clx_fail(ctx, CLX_ERR_UNSUPPORTED,
						"%s: header has more than %d entries (limit)", name,
						CLX_MAX_SAFETENSORS_TENSORS);
		} else if (c < 0x20 && !json_ws(c)) {
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: header has control character 0x%02X at offset %zu", name, c,
					8 + i);
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			size_t j = i;
			while (j < n && ((h[j] >= 'a' && h[j] <= 'z') || (h[j] >= 'A' && h[j] <= 'Z')))
				j++;
			size_t len = j - i;
			bool ok = (len == 4 && !memcmp(h + i, "true", 4)) ||
				  (len == 5 && !memcmp(h + i, "false", 5)) ||
				  (len == 4 && !memcmp(h + i, "null", 4));
			if (!ok) {
				size_t at = i, shown_len = len < 16 ? len : 16;
				bool neg = i > 0 && h[i - 1] == '-';
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s: header has non-standard JSON token '%s%.*s' at offset %zu (JSON has no NaN/Infinity)",
						name, neg ? "-" : "", (int)shown_len, (const char *)h + i,
						8 + at - (neg ? 1 : 0));
			}
			i = j;
			continue;
		}
		i++;
	}
	return CLX_OK;
}

int st_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Rejects a key that appears twice among obj's children (cJSON keeps both
 * and returns the first). Sorts the names: O(n log n) for any count. */
static enum clx_status check_unique(struct clx_ctx *ctx, const char *name, const cJSON *obj,
				    size_t count, const char *what)
{
	if (count < 2)
		return CLX_OK;
	const char **keys = clx_malloc(count * sizeof *keys);
	if (!keys)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory checking %zu names", name,
				count);
	size_t k = 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		keys[k++] = c->string;
	qsort(keys, count, sizeof *keys, st_cmp_str);
	for (k = 1; k < count; k++) {
		if (strcmp(keys[k - 1], keys[k]) == 0) {
			enum clx_status st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: duplicate %s '%s'",
						      name, what, st_show(keys[k]).s);
			clx_free(keys);
			return st;
		}
	}
	clx_free(keys);
	return CLX_OK;
}

/* A JSON integer 0 ≤ x ≤ CLX_MAX_SAFETENSORS_DIM, read from valuedouble
 * (valueint saturates). Exact: every such integer is a double. */
static bool get_dim(const cJSON *v, uint64_t *out)
{
	if (!cJSON_IsNumber(v))
		return false;
	double d = v->valuedouble;
	if (!(d >= 0.0) || d > (double)CLX_MAX_SAFETENSORS_DIM)
		return false; /* also NaN and ±inf */
	uint64_t u = (uint64_t)d;
	if ((double)u != d)
		return false; /* 2.5 */
	*out = u;
	return true;
}

/* Why get_dim refused v, for the message. */
static const char *describe_value(const cJSON *v, char *buf, size_t cap)
{
	if (cJSON_IsNumber(v))
		snprintf(buf, cap, "%.17g", v->valuedouble);
	else if (cJSON_IsString(v))
		snprintf(buf, cap, "the string \"%s\"", st_show(v->valuestring).s);
	else if (cJSON_IsArray(v))
		snprintf(buf, cap, "an array");
	else if (cJSON_IsObject(v))
		snprintf(buf, cap, "an object");
	else if (cJSON_IsBool(v))
		snprintf(buf, cap, "a boolean");
	else
		snprintf(buf, cap, "null");
	return buf;
}

/* "[2, 3]" from a validated shape array; at most 8 dims then "...". */
static const char *format_shape(const cJSON *shape, char *buf, size_t cap)
{
	size_t len = 0;
	int k = 0;
	len += (size_t)snprintf(buf, cap, "[");
	for (const cJSON *d = shape->child; d && len < cap; d = d->next, k++) {
		if (k == CLX_MAX_DIMS) {
			len += (size_t)snprintf(buf + len, cap - len, ", ...");
			break;
		}
		len += (size_t)snprintf(buf + len, cap - len, "%s%.0f", k ? ", " : "", d->valuedouble);
	}
	if (len < cap)
		snprintf(buf + len, cap - len, "]");
	return buf;
}

/* ------------------------------------------------------------- loader */

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_tensor_ptr(const void *a, const void *b)
{
	const struct clx_st_tensor *x = *(const struct clx_st_tensor *const *)a;
	const struct clx_st_tensor *y = *(const struct clx_st_tensor *const *)b;
	return strcmp(x->name, y->name);
}


/* Validates one tensor entry `e` (not __metadata__) and fills t and sp.
 * A valid entry that clx cannot run (dtype, rank) sets *unsup once; the
 * caller reports it after every format check has passed. */
static enum clx_status parse_entry(struct clx_ctx *ctx, const char *name, const cJSON *e,
				   struct clx_st_tensor *t, struct span *sp, char *unsup,
				   size_t unsup_cap)
{
	const char *tn = e->string;
	if (!cJSON_IsObject(e))
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' is not an object", name,
				st_show(tn).s);

	/* exactly dtype, shape and data_offsets, each once */
	const cJSON *dt = NULL, *sh = NULL, *off = NULL;
	for (const cJSON *f = e->child; f; f = f->next) {
		const cJSON **slot = !strcmp(f->string, "dtype")	? &dt :
				     !strcmp(f->string, "shape")	? &sh :
				     !strcmp(f->string, "data_offsets") ? &off :
									  NULL;
		if (!slot)
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: tensor '%s' has unknown field '%s' (expected exactly dtype, shape, data_offsets)",
					name, st_show(tn).s, st_show(f->string).s);
		if (*slot)
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' has field '%s' twice",
					name, st_show(tn).s, f->string);
		*slot = f;
	}
	if (!dt || !sh || !off)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' has no '%s'", name,
				st_show(tn).s, !dt ? "dtype" : !sh ? "shape" : "data_offsets");

	/* dtype */
	if (!cJSON_IsString(dt))
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' dtype is not a string", name,
				st_show(tn).s);
	size_t di = 0;
	while (di < N_DTYPES && strcmp(dt->valuestring, dtypes[di].name) != 0)
		di++;
	if (di == N_DTYPES)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' has unknown dtype '%s'", name,
				st_show(tn).s, st_show(dt->valuestring).s);

	/* shape: integers in [0, 2^48−1]; the product of the non-zero dims
	 * times the dtype size must fit, so strides computed later from any
	 * suffix of the shape cannot overflow either */
	char vbuf[96];
	if (!cJSON_IsArray(sh))
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' shape is %s, not an array",
				name, st_show(tn).s, describe_value(sh, vbuf, sizeof vbuf));
	int rank = 0;
	uint64_t nonzero = 1, bits;
	bool has_zero = false, overflow = false;
	for (const cJSON *d = sh->child; d; d = d->next, rank++) {
		uint64_t v;
		if (!get_dim(d, &v))
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: tensor '%s' shape[%d] is %s, expected an integer in [0, %llu]",
					name, st_show(tn).s, rank,
					describe_value(d, vbuf, sizeof vbuf),
					CLX_MAX_SAFETENSORS_DIM);
		if (rank < CLX_MAX_DIMS)
			t->shape[rank] = (int64_t)v;
		if (v == 0)
			has_zero = true;
		else if (__builtin_mul_overflow(nonzero, v, &nonzero))
			overflow = true;
	}
	char sbuf[200];
	if (overflow || __builtin_mul_overflow(nonzero, (uint64_t)dtypes[di].bits, &bits) ||
	    bits / 8 > (uint64_t)PTRDIFF_MAX)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: tensor '%s' shape %s %s overflows the byte count",
				name, st_show(tn).s, format_shape(sh, sbuf, sizeof sbuf),
				dtypes[di].name);
	if (has_zero)
		bits = 0;
	if (bits % 8)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: tensor '%s' shape %s %s is not a whole number of bytes", name,
				st_show(tn).s, format_shape(sh, sbuf, sizeof sbuf),
				dtypes[di].name);

	/* data_offsets: two integers, begin ≤ end, end − begin = bytes */
	uint64_t begin, end;
	if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: tensor '%s' data_offsets is not an array of two integers", name,
				st_show(tn).s);
	if (!get_dim(off->child, &begin) || !get_dim(off->child->next, &end)) {
		const cJSON *bad = get_dim(off->child, &begin) ? off->child->next : off->child;
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: tensor '%s' data_offsets has %s, expected an integer in [0, %llu]",
				name, st_show(tn).s, describe_value(bad, vbuf, sizeof vbuf),
				CLX_MAX_SAFETENSORS_DIM);
	}
	if (end < begin)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: tensor '%s' has data_offsets [%" PRIu64 ", %" PRIu64 "]: end < begin",
				name, st_show(tn).s, begin, end);
	if (bits / 8 != end - begin)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: tensor '%s' has data_offsets [%" PRIu64 ", %" PRIu64
				"] but shape %s %s needs %" PRIu64 " bytes",
				name, st_show(tn).s, begin, end,
				format_shape(sh, sbuf, sizeof sbuf),
				dtypes[di].name, bits / 8);

	/* valid safetensors; can clx run it? */
	if (!unsup[0] && dtypes[di].clx < 0)
		snprintf(unsup, unsup_cap,
			 "%s: tensor '%s' has dtype %s, which clx does not support (F32, F16, BF16, I32, I64)",
			 name, st_show(tn).s, dtypes[di].name);
	if (!unsup[0] && rank > CLX_MAX_DIMS)
		snprintf(unsup, unsup_cap, "%s: tensor '%s' has rank %d, more than the %d clx supports",
			 name, st_show(tn).s, rank, CLX_MAX_DIMS);

	t->dtype = dtypes[di].clx < 0 ? CLX_DTYPE_F32 : (enum clx_dtype)dtypes[di].clx;
	t->n_dims = rank < CLX_MAX_DIMS ? rank : CLX_MAX_DIMS;
	t->n_elems = has_zero ? 0 : (int64_t)nonzero;
	t->n_bytes = (size_t)(bits / 8);
	sp->begin = begin;
	sp->end = end;
	return CLX_OK;
}

/* Sorted by offset, the tensors tile [0, data_len) exactly. */
static enum clx_status check_tiling(struct clx_ctx *ctx, const char *name,
				   const struct clx_safetensors *st, const struct span *sp, int n,
				   uint64_t data_len)
{
	uint64_t pos = 0;
	int prev = -1;
	for (int k = 0; k < n; k++) {
		const char *tn = st->tensors[sp[k].idx].name;
		if (sp[k].begin > pos) {
			if (prev < 0)
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s: hole of %" PRIu64
						" bytes at the start of the data before tensor '%s'",
						name, sp[k].begin, st_show(tn).s);
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: hole of %" PRIu64 " bytes between tensor '%s' (ends at %" PRIu64
					") and tensor '%s' (starts at %" PRIu64 ")",
					name, sp[k].begin - pos,
					st_show(st->tensors[sp[prev].idx].name).s,
					pos, st_show(tn).s, sp[k].begin);
		}
		if (sp[k].begin < pos)
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: tensor '%s' [%" PRIu64 ", %" PRIu64 "] overlaps tensor '%s' [%" PRIu64
					", %" PRIu64 "]",
					name, st_show(tn).s, sp[k].begin, sp[k].end,
					st_show(st->tensors[sp[prev].idx].name).s, sp[prev].begin,
					sp[prev].end);
		pos = sp[k].end;
		prev = k;
	}
	if (pos > data_len)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: data is truncated: tensor '%s' ends at data offset %" PRIu64
				" but the file holds only %" PRIu64 " data bytes",
				name, st_show(st->tensors[sp[prev].idx].name).s, pos, data_len);
	if (pos < data_len)
		return clx_fail(ctx, CLX_ERR_FORMAT,
				"%s: %" PRIu64 " trailing bytes after the last tensor (tensors end at data offset %" PRIu64
				", the file holds %" PRIu64 " data bytes)",
				name, data_len - pos, pos, data_len);
	return CLX_OK;
}

/* Validates header `hdr` (n bytes, NUL-terminated copy, scanned in place)
 * of a file of `size` bytes and builds *out with data pointers unset; the
 * spans (for data pointers) come back in *spans_out, sorted by offset. */
enum clx_status st_load_header(struct clx_ctx *ctx, const char *name, char *hdr, size_t n,
			       size_t size, struct clx_safetensors **out, struct span **spans_out)
{
	enum clx_status status;
	struct clx_safetensors *st = NULL;
	struct span *spans = NULL;
	cJSON *root = NULL;
	char unsup[512] = "";

	st = clx_calloc(1, sizeof *st);
	if (!st || !(st->path_owned = clx_strdup(name))) {
		status = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", name);
		goto fail;
	}
	st->path = st->path_owned;

	status = scan_header(ctx, name, (const uint8_t *)hdr, n);
	if (status)
		goto fail;

	/* JSON parses and only whitespace follows (offsets in the file) */
	status = clx_json_parse(ctx, name, hdr, n, 8, &root);
	if (status)
		goto fail;
	if (!cJSON_IsObject(root)) {
		status = clx_fail(ctx, CLX_ERR_FORMAT, "%s: header is not a JSON object", name);
		goto fail;
	}

	/* no duplicate names */
	size_t n_keys = 0, n_tensors = 0, name_bytes = 0;
	const cJSON *meta = NULL;
	for (const cJSON *c = root->child; c; c = c->next) {
		n_keys++;
		if (strcmp(c->string, "__metadata__") == 0) {
			meta = c;
			continue;
		}
		n_tensors++;
		name_bytes += strlen(c->string) + 1; /* ≤ n: no overflow */
	}
	status = check_unique(ctx, name, root, n_keys, "tensor name");
	if (status)
		goto fail;

	/* __metadata__ is string → string */
	if (meta) {
		if (!cJSON_IsObject(meta)) {
			status = clx_fail(ctx, CLX_ERR_FORMAT,
					  "%s: __metadata__ is not an object of strings", name);
			goto fail;
		}
		size_t n_meta = 0;
		for (const cJSON *m = meta->child; m; m = m->next, n_meta++) {
			if (!cJSON_IsString(m)) {
				char vbuf[96];
				status = clx_fail(ctx, CLX_ERR_FORMAT,
						  "%s: __metadata__ key '%s' is %s, expected a string", name,
						  st_show(m->string).s,
						  describe_value(m, vbuf, sizeof vbuf));
				goto fail;
			}
		}
		status = check_unique(ctx, name, meta, n_meta, "__metadata__ key");
		if (status)
			goto fail;
	}

	/* each entry: dtype, shape, data_offsets, consistent sizes */
	st->n_tensors = (int)n_tensors; /* ≤ CLX_MAX_SAFETENSORS_TENSORS (scan) */
	if (n_tensors) {
		st->tensors = clx_calloc(n_tensors, sizeof *st->tensors);
		st->names = clx_malloc(name_bytes);
		spans = clx_calloc(n_tensors, sizeof *spans);
		if (!st->tensors || !st->names || !spans) {
			status = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for %zu tensors", name,
					  n_tensors);
			goto fail;
		}
	}
	char *np = st->names;
	int k = 0;
	for (const cJSON *c = root->child; c; c = c->next) {
		if (c == meta)
			continue;
		struct clx_st_tensor *t = &st->tensors[k];
		size_t len = strlen(c->string) + 1;
		memcpy(np, c->string, len);
		t->name = np;
		np += len;
		spans[k].idx = k;
		status = parse_entry(ctx, name, c, t, &spans[k], unsup, sizeof unsup);
		if (status)
			goto fail;
		k++;
	}
	cJSON_Delete(root);
	root = NULL;

	/* sorted by offset, the tensors tile the data section up to EOF */
	if (n_tensors)
		qsort(spans, n_tensors, sizeof *spans, cmp_span);
	status = check_tiling(ctx, name, st, spans, st->n_tensors, (uint64_t)(size - 8 - n));
	if (status)
		goto fail;

	if (unsup[0]) {
		status = clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s", unsup);
		goto fail;
	}

	/* the name index for clx_safetensors_find */
	if (n_tensors) {
		st->by_name = clx_malloc(n_tensors * sizeof *st->by_name);
		if (!st->by_name) {
			status = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for the name index",
					  name);
			goto fail;
		}
		for (size_t i = 0; i < n_tensors; i++)
			st->by_name[i] = &st->tensors[i];
		qsort(st->by_name, n_tensors, sizeof *st->by_name, cmp_tensor_ptr);
	}
	*out = st;
	*spans_out = spans;
	return CLX_OK;

fail:
	cJSON_Delete(root);
	clx_free(spans);
	clx_safetensors_free(st);
	return status;
}
