/* tokenizer_vocab.c — loading the CLIP tokenizer: vocab.json and merges.txt
 * read, validated (clx/tokenizer.h lists the rules: strict UTF-8 and JSON,
 * integer ids in range, no duplicate ids or tokens, both special tokens,
 * merges of two vocabulary symbols whose concatenation is in the vocabulary)
 * and turned into open-addressing tables (token → id, pair → rank and merged
 * id, byte → symbol id); tokenizer_config.json's model_max_length.
 *
 * Not here: encoding (tokenizer.c, tokenizer_text.c), and any other
 * tokenizer_config.json key (transformers 5 ignores them too). */
#include "io/tokenizer_internal.h"
#include "core/file.h"
#include "core/json.h"
#include "core/utf8.h"
#include "clx/limits.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_MAX_LENGTH 77

/* ---------------------------------------------------------------- hashing */

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, then mixed */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return tokenizer_mix64(h ^ n);
}

static size_t pow2_at_least(size_t n)
{
	size_t c = 16;
	while (c < n)
		c <<= 1;
	return c;
}

/* --------------------------------------------------------------- vocab.json */

/* vocab.json: valid UTF-8 (tokens are byte strings compared exactly), then
 * clx's strict JSON (core/json.h). */
static enum clx_status json_parse(struct clx_ctx *ctx, const char *name, const char *s, size_t n,
				  cJSON **out)
{
	size_t bad;
	const char *why;
	*out = NULL;
	if (!clx_utf8_valid((const uint8_t *)s, n, &bad, &why))
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: invalid UTF-8 at byte %zu: %s", name, bad, why);
	return clx_json_parse(ctx, name, s, n, 0, out);
}

static int32_t vocab_find(const struct clx_tokenizer *t, const char *s, size_t n)
{
	size_t mask = t->vocab_cap - 1;
	for (size_t h = (size_t)hash_bytes(s, n) & mask;; h = (h + 1) & mask) {
		uint32_t v = t->vocab_slots[h];
		if (!v)
			return -1;
		int32_t id = (int32_t)(v - 1);
		if (t->str_len[id] == n && !memcmp(t->strings + t->str_off[id], s, n))
			return id;
	}
}

static enum clx_status load_vocab(struct clx_ctx *ctx, struct clx_tokenizer *t, const char *name,
				  const char *s, size_t n)
{
	cJSON *root;
	enum clx_status st = json_parse(ctx, name, s, n, &root);
	if (st != CLX_OK)
		return st;
	char q[200], q2[200];
	if (!cJSON_IsObject(root)) {
		st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: expected a JSON object token → id", name);
		goto done;
	}
	/* Pass 1: types, ranges, sizes. */
	size_t count = 0, bytes = 0;
	int32_t max_id = -1;
	for (const cJSON *c = root->child; c; c = c->next) {
		size_t klen = strlen(c->string);
		if (++count > CLX_MAX_TOKENIZER_VOCAB) {
			st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: more than %d entries", name,
				      CLX_MAX_TOKENIZER_VOCAB);
			goto done;
		}
		if (klen > CLX_MAX_TOKENIZER_TOKEN) {
			tokenizer_quote(q, sizeof q, c->string, klen, 48);
			st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: token \"%s\" is %zu bytes, more than %d",
				      name, q, klen, CLX_MAX_TOKENIZER_TOKEN);
			goto done;
		}
		double d = c->valuedouble;
		if (!cJSON_IsNumber(c) || !isfinite(d) || d != floor(d) || d < 0 ||
		    d >= CLX_MAX_TOKENIZER_VOCAB) {
			tokenizer_quote(q, sizeof q, c->string, klen, 48);
			st = clx_fail(ctx, CLX_ERR_FORMAT,
				      "%s: token \"%s\": id must be an integer in [0, %d)", name, q,
				      CLX_MAX_TOKENIZER_VOCAB);
			goto done;
		}
		if ((int32_t)d > max_id)
			max_id = (int32_t)d;
		bytes += klen + 1; /* ≤ file size: every key is in the file */
	}
	if (count == 0) {
		st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: empty vocabulary", name);
		goto done;
	}
	t->info.vocab_size = max_id + 1;
	t->vocab_cap = pow2_at_least(count * 2);
	if (bytes > UINT32_MAX || !(t->strings = clx_malloc(bytes)) ||
	    !(t->str_off = clx_malloc((size_t)t->info.vocab_size * sizeof *t->str_off)) ||
	    !(t->str_len = clx_calloc((size_t)t->info.vocab_size, sizeof *t->str_len)) ||
	    !(t->vocab_slots = clx_calloc(t->vocab_cap, sizeof *t->vocab_slots))) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for %zu entries", name, count);
		goto done;
	}
	memset(t->str_off, 0xFF, (size_t)t->info.vocab_size * sizeof *t->str_off);
	/* Pass 2: fill, rejecting duplicate ids and duplicate tokens. */
	size_t off = 0;
	for (const cJSON *c = root->child; c; c = c->next) {
		size_t klen = strlen(c->string);
		int32_t id = (int32_t)c->valuedouble;
		if (t->str_off[id] != UINT32_MAX) {
			tokenizer_quote(q, sizeof q, c->string, klen, 48);
			tokenizer_quote(q2, sizeof q2, t->strings + t->str_off[id], t->str_len[id], 48);
			st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: id %d is used by \"%s\" and \"%s\"", name,
				      id, q2, q);
			goto done;
		}
		if (vocab_find(t, c->string, klen) >= 0) {
			tokenizer_quote(q, sizeof q, c->string, klen, 48);
			st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: token \"%s\" appears twice", name, q);
			goto done;
		}
		memcpy(t->strings + off, c->string, klen + 1);
		t->str_off[id] = (uint32_t)off;
		t->str_len[id] = (uint32_t)klen;
		off += klen + 1;
		size_t mask = t->vocab_cap - 1, h = (size_t)hash_bytes(c->string, klen) & mask;
		while (t->vocab_slots[h])
			h = (h + 1) & mask;
		t->vocab_slots[h] = (uint32_t)id + 1;
	}
	t->strings_len = off;
	int32_t bos = vocab_find(t, BOS_TOKEN, strlen(BOS_TOKEN));
	int32_t eos = vocab_find(t, EOS_TOKEN, strlen(EOS_TOKEN));
	if (bos < 0 || eos < 0) {
		st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: no \"%s\" token (CLIP's %s)", name,
			      bos < 0 ? BOS_TOKEN : EOS_TOKEN, bos < 0 ? "bos" : "eos/unk");
		goto done;
	}
	t->info.bos_id = bos;
	t->info.eos_id = t->info.pad_id = eos;
	/* Byte symbols: bytes_to_unicode (printable Latin-1 bytes stand for
	 * themselves, the other 68 for U+0100 + n in byte order). A missing
	 * symbol gives the unk id, as tokenizers does. */
	uint32_t next_extra = 0x100;
	for (int byte = 0; byte < 256; byte++) {
		bool printable = (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) ||
				 (byte >= 0xAE && byte <= 0xFF);
		uint32_t cp = printable ? (uint32_t)byte : next_extra++;
		char sym[8];
		size_t l = clx_utf8_encode((uint8_t *)sym, cp);
		int32_t id = vocab_find(t, sym, l);
		t->byte_id[byte] = id >= 0 ? id : eos;
		memcpy(sym + l, EOW_SUFFIX, 4);
		id = vocab_find(t, sym, l + 4);
		t->byte_eow_id[byte] = id >= 0 ? id : eos;
	}
done:
	cJSON_Delete(root);
	return st;
}

/* --------------------------------------------------------------- merges.txt */

static enum clx_status load_merges(struct clx_ctx *ctx, struct clx_tokenizer *t, const char *name,
				   const char *s, size_t n)
{
	size_t bad;
	const char *why;
	if (!clx_utf8_valid((const uint8_t *)s, n, &bad, &why)) {
		size_t line = 1;
		for (size_t i = 0; i < bad; i++)
			line += s[i] == '\n';
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s:%zu: invalid UTF-8 at byte %zu: %s", name, line,
				bad, why);
	}
	size_t lines = 1;
	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n';
	if (lines > CLX_MAX_TOKENIZER_MERGES + 1)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: more than %d lines", name,
				CLX_MAX_TOKENIZER_MERGES);
	t->merge_cap = pow2_at_least(lines * 2);
	if (!(t->merge_keys = clx_malloc(t->merge_cap * sizeof *t->merge_keys)) ||
	    !(t->merge_rank = clx_malloc(t->merge_cap * sizeof *t->merge_rank)) ||
	    !(t->merge_new = clx_malloc(t->merge_cap * sizeof *t->merge_new)))
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for %zu lines", name, lines);
	memset(t->merge_keys, 0xFF, t->merge_cap * sizeof *t->merge_keys);
	char cat[CLX_MAX_TOKENIZER_TOKEN];
	char q[200];
	uint32_t rank = 0;
	size_t line = 0;
	for (size_t pos = 0; pos < n;) {
		/* Rust's str::lines(): split at '\n', drop one trailing '\r'; a
		 * final '\n' does not start another line. */
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - s) : n, len = end - pos;
		const char *l = s + pos;
		pos = end + 1;
		line++;
		if (len && l[len - 1] == '\r')
			len--;
		if (len >= 8 && !memcmp(l, "#version", 8))
			continue;
		const char *sp = memchr(l, ' ', len);
		if (!sp || memchr(sp + 1, ' ', len - (size_t)(sp + 1 - l))) {
			tokenizer_quote(q, sizeof q, l, len, 48);
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s:%zu: expected two symbols separated by one space, got \"%s\"",
					name, line, q);
		}
		size_t la = (size_t)(sp - l), lb = len - la - 1;
		int32_t a = vocab_find(t, l, la), b = vocab_find(t, sp + 1, lb);
		int32_t ab = -1;
		if (a >= 0 && b >= 0 && la + lb <= sizeof cat) {
			memcpy(cat, l, la);
			memcpy(cat + la, sp + 1, lb);
			ab = vocab_find(t, cat, la + lb);
		}
		if (a < 0 || b < 0 || ab < 0) {
			const char *miss = a < 0 ? l : sp + 1;
			size_t lm = a < 0 ? la : lb;
			if (a >= 0 && b >= 0) {
				tokenizer_quote(q, sizeof q, l, len, 48);
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s:%zu: the merge of \"%s\" is not in the vocabulary",
						name, line, q);
			}
			tokenizer_quote(q, sizeof q, miss, lm, 48);
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s:%zu: symbol \"%s\" is not in the vocabulary",
					name, line, q);
		}
		/* A repeated pair takes its later rank (tokenizers builds a hash map). */
		uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
		size_t mask = t->merge_cap - 1, h = (size_t)tokenizer_mix64(key) & mask;
		while (t->merge_keys[h] != UINT64_MAX && t->merge_keys[h] != key)
			h = (h + 1) & mask;
		if (t->merge_keys[h] == UINT64_MAX)
			t->info.n_merges++;
		t->merge_keys[h] = key;
		t->merge_rank[h] = rank++;
		t->merge_new[h] = ab;
	}
	return CLX_OK;
}

/* ------------------------------------------------------------------- public */

const struct clx_tokenizer_info *clx_tokenizer_info(const struct clx_tokenizer *tok)
{
	return tok ? &tok->info : NULL;
}

const char *clx_tokenizer_token(const struct clx_tokenizer *tok, int32_t id, size_t *len)
{
	if (!tok || id < 0 || id >= tok->info.vocab_size || tok->str_off[id] == UINT32_MAX)
		return NULL;
	if (len)
		*len = tok->str_len[id];
	return tok->strings + tok->str_off[id];
}

void clx_tokenizer_free(struct clx_tokenizer *tok)
{
	if (!tok)
		return;
	clx_free(tok->strings);
	clx_free(tok->str_off);
	clx_free(tok->str_len);
	clx_free(tok->vocab_slots);
	clx_free(tok->merge_keys);
	clx_free(tok->merge_rank);
	clx_free(tok->merge_new);
	clx_free(tok);
}

static enum clx_status load_both(struct clx_ctx *ctx, const char *vname, const char *vocab,
				 size_t vlen, const char *mname, const char *merges, size_t mlen,
				 struct clx_tokenizer **out)
{
	struct clx_tokenizer *t = clx_calloc(1, sizeof *t);
	if (!t)
		return clx_fail(ctx, CLX_ERR_NOMEM, "tokenizer: out of memory");
	t->info.model_max_length = DEFAULT_MAX_LENGTH;
	enum clx_status st = load_vocab(ctx, t, vname, vocab, vlen);
	if (st == CLX_OK)
		st = load_merges(ctx, t, mname, merges, mlen);
	if (st != CLX_OK) {
		clx_tokenizer_free(t);
		return st;
	}
	*out = t;
	return CLX_OK;
}

enum clx_status clx_tokenizer_load_mem(struct clx_ctx *ctx, const char *name,
				       const char *vocab_json, size_t vocab_len,
				       const char *merges_txt, size_t merges_len,
				       struct clx_tokenizer **out)
{
	if (!out || (!vocab_json && vocab_len) || (!merges_txt && merges_len))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_tokenizer_load_mem: NULL argument");
	*out = NULL;
	if (!name)
		name = "tokenizer";
	if (vocab_len > CLX_MAX_TOKENIZER_FILE || merges_len > CLX_MAX_TOKENIZER_FILE)
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: vocabulary or merges larger than %u bytes",
				name, (unsigned)CLX_MAX_TOKENIZER_FILE);
	char vname[160], mname[160];
	snprintf(vname, sizeof vname, "%s vocab.json", name);
	snprintf(mname, sizeof mname, "%s merges.txt", name);
	/* cJSON wants a NUL-terminated copy. */
	char *v = clx_malloc(vocab_len + 1);
	if (!v)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", name);
	if (vocab_len)
		memcpy(v, vocab_json, vocab_len);
	v[vocab_len] = '\0';
	enum clx_status st = load_both(ctx, vname, v, vocab_len, mname, merges_txt ? merges_txt : "",
				       merges_len, out);
	clx_free(v);
	return st;
}

enum clx_status clx_tokenizer_load(struct clx_ctx *ctx, const char *vocab_json_path,
				   const char *merges_txt_path, struct clx_tokenizer **out)
{
	if (!vocab_json_path || !merges_txt_path || !out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_tokenizer_load: NULL argument");
	*out = NULL;
	char *v = NULL, *m = NULL;
	size_t vn = 0, mn = 0;
	enum clx_status st = clx_file_read(ctx, vocab_json_path, CLX_MAX_TOKENIZER_FILE, &v, &vn);
	if (st == CLX_OK)
		st = clx_file_read(ctx, merges_txt_path, CLX_MAX_TOKENIZER_FILE, &m, &mn);
	if (st == CLX_OK)
		st = load_both(ctx, vocab_json_path, v, vn, merges_txt_path, m, mn, out);
	clx_free(v);
	clx_free(m);
	return st;
}

/* ---------------------------------------------------- tokenizer_config.json */

/* model_max_length from tokenizer_config.json; absent file or key: no change. */
static enum clx_status load_config(struct clx_ctx *ctx, struct clx_tokenizer *t, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0 && errno == ENOENT)
		return CLX_OK;
	char *s;
	size_t n;
	enum clx_status st = clx_file_read(ctx, path, CLX_MAX_JSON_FILE, &s, &n);
	if (st != CLX_OK)
		return st;
	cJSON *root;
	st = json_parse(ctx, path, s, n, &root);
	clx_free(s);
	if (st != CLX_OK)
		return st;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: expected a JSON object", path);
	}
	int seen = 0;
	const cJSON *mml = NULL;
	for (const cJSON *c = root->child; c; c = c->next)
		if (!strcmp(c->string, "model_max_length")) {
			seen++;
			mml = c;
		}
	if (seen > 1) {
		cJSON_Delete(root);
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s: \"model_max_length\" appears %d times", path,
				seen);
	}
	if (mml && !cJSON_IsNull(mml)) {
		double d = mml->valuedouble;
		if (!cJSON_IsNumber(mml) || !isfinite(d) || d != floor(d) || d < 2) {
			cJSON_Delete(root);
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s: model_max_length must be an integer ≥ 2", path);
		}
		/* transformers writes 1e30 for "no limit": keep CLIP's 77. */
		if (d <= CLX_MAX_TOKENS)
			t->info.model_max_length = (int32_t)d;
	}
	cJSON_Delete(root);
	return CLX_OK;
}

enum clx_status clx_tokenizer_load_dir(struct clx_ctx *ctx, const char *dir,
				       struct clx_tokenizer **out)
{
	if (!dir || !out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_tokenizer_load_dir: NULL argument");
	*out = NULL;
	size_t dl = strlen(dir);
	size_t cap;
	if (!clx_add_ok(dl, 32, &cap))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_tokenizer_load_dir: path too long");
	char *v = clx_malloc(cap), *m = clx_malloc(cap), *c = clx_malloc(cap);
	enum clx_status st;
	if (!v || !m || !c) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", dir);
		goto done;
	}
	snprintf(v, cap, "%s/vocab.json", dir);
	snprintf(m, cap, "%s/merges.txt", dir);
	snprintf(c, cap, "%s/tokenizer_config.json", dir);
	struct clx_tokenizer *t;
	st = clx_tokenizer_load(ctx, v, m, &t);
	if (st != CLX_OK)
		goto done;
	st = load_config(ctx, t, c);
	if (st != CLX_OK) {
		clx_tokenizer_free(t);
		goto done;
	}
	*out = t;
done:
	clx_free(v);
	clx_free(m);
	clx_free(c);
	return st;
}
