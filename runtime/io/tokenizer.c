/* tokenizer.c — CLIP byte-level BPE, equal to transformers 5.24's
 * CLIPTokenizer (tokenizers 0.23). See clx/tokenizer.h for the pipeline and
 * the documented edge cases; the golden corpus and the exhaustive per-code-
 * point checks are in tests/test_tokenizer.c (data from
 * tools/dev/gen_tokenizer_golden.py).
 *
 * This file: BPE over one pre-token (tokenizers' Word::merge_all with a
 * binary heap of candidate merges), encoding a text (special-token literals
 * split out of the raw bytes, then normalise → pre-tokenise → BPE per
 * segment), batches of labels (truncation, padding, masks), and the
 * messages for a failed encode. Normalising and pre-tokenising are in
 * tokenizer_text.c, loading the files in tokenizer_vocab.c.
 *
 * Bounds: time O(n log n) for n bytes of text — normalisation and
 * pre-tokenisation are linear (canonical reordering is a counting sort, not
 * utf8proc's quadratic bubble sort), BPE keeps a binary heap of candidate
 * merges (at most 3 entries per byte of a word). Scratch memory, reused
 * across pieces: per input byte ≤ 2 code points ×2 arrays, 4 bytes of piece,
 * a 12-byte symbol, ≤ 3 heap entries of 8 bytes, one id — about 40 bytes
 * measured, under 80 with array doubling.
 *
 * Deliberately not done: decoding ids back to text, the slow (ftfy)
 * tokenizer's cleaning, added tokens other than CLIP's two specials, a BPE
 * cache (labels are short; a cache would not change any id). */
#include "io/tokenizer_internal.h"
#include "core/utf8.h"
#include "clx/limits.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------- messages */

/* Up to `max` bytes of s for a message: printable ASCII as is, the rest as
 * \xNN, "..." when cut. */
void tokenizer_quote(char *out, size_t cap, const char *s, size_t n, size_t max)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && o + 8 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == max) {
			snprintf(out + o, cap - o, "...");
			return;
		}
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02X", c);
		out[o] = '\0';
	}
}

/* ------------------------------------------------------- growable arrays */

bool tokenizer_reserve(void **p, size_t *cap, size_t want, size_t elem)
{
	if (want <= *cap)
		return true;
	size_t nc = *cap ? *cap : 64;
	while (nc < want) {
		if (nc > SIZE_MAX / 2)
			return false;
		nc *= 2;
	}
	size_t bytes;
	if (!clx_mul_ok(nc, elem, &bytes))
		return false;
	void *np = clx_realloc(*p, bytes);
	if (!np)
		return false;
	*p = np;
	*cap = nc;
	return true;
}

/* ---------------------------------------------------------- the encoder */

void tokenizer_enc_free(struct enc *e)
{
	clx_free(e->cp);
	clx_free(e->cp2);
	clx_free(e->pb);
	clx_free(e->sym);
	clx_free(e->heap);
	clx_free(e->out);
}

static bool push_id(struct enc *e, int32_t id)
{
	if (!tokenizer_reserve((void **)&e->out, &e->cap_out, e->n_out + 1, sizeof *e->out))
		return false;
	e->out[e->n_out++] = id;
	return true;
}

/* -------------------------------------------------------------------- BPE */

static bool merge_find(const struct clx_tokenizer *t, int32_t a, int32_t b, uint32_t *rank,
		       int32_t *new_id)
{
	if (!t->merge_cap)
		return false;
	uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
	size_t mask = t->merge_cap - 1;
	for (size_t h = (size_t)tokenizer_mix64(key) & mask;; h = (h + 1) & mask) {
		if (t->merge_keys[h] == UINT64_MAX)
			return false;
		if (t->merge_keys[h] == key) {
			*rank = t->merge_rank[h];
			*new_id = t->merge_new[h];
			return true;
		}
	}
}

static void heap_push(struct enc *e, uint64_t v)
{
	size_t i = e->n_heap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (e->heap[p] <= v)
			break;
		e->heap[i] = e->heap[p];
		i = p;
	}
	e->heap[i] = v;
}

static uint64_t heap_pop(struct enc *e)
{
	uint64_t top = e->heap[0], v = e->heap[--e->n_heap];
	size_t i = 0, n = e->n_heap;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && e->heap[c + 1] < e->heap[c])
			c++;
		if (v <= e->heap[c])
			break;
		e->heap[i] = e->heap[c];
		i = c;
	}
	if (n)
		e->heap[i] = v;
	return top;
}

/* tokenizers' Word::merge_all: take the candidate pair of lowest rank (then
 * leftmost), skip it if its symbols changed since it was queued, merge, and
 * queue the two pairs the new symbol forms. Every queued pair is new, so the
 * heap never holds more than (m - 1) + 2·(m - 1) entries; it grows as needed. */
static bool bpe_word(struct enc *e, const uint8_t *b, size_t m)
{
	const struct clx_tokenizer *t = e->tok;
	if (m == 1)
		return push_id(e, t->byte_eow_id[b[0]]);
	if (m > UINT32_MAX - 1 || !tokenizer_reserve((void **)&e->sym, &e->cap_sym, m, sizeof *e->sym) ||
	    !tokenizer_reserve((void **)&e->heap, &e->cap_heap, m, sizeof *e->heap))
		return false;
	for (size_t i = 0; i < m; i++) {
		e->sym[i].id = i + 1 == m ? t->byte_eow_id[b[i]] : t->byte_id[b[i]];
		e->sym[i].prev = i ? (uint32_t)(i - 1) : UINT32_MAX;
		e->sym[i].next = i + 1 < m ? (uint32_t)(i + 1) : UINT32_MAX;
	}
	e->n_heap = 0;
	for (size_t i = 0; i + 1 < m; i++) {
		uint32_t rank;
		int32_t nid;
		if (merge_find(t, e->sym[i].id, e->sym[i + 1].id, &rank, &nid))
			heap_push(e, (uint64_t)rank << 32 | i);
	}
	while (e->n_heap) {
		uint64_t top = heap_pop(e);
		uint32_t rank = (uint32_t)(top >> 32), pos = (uint32_t)top;
		struct sym *s = &e->sym[pos];
		if (s->id < 0 || s->next == UINT32_MAX)
			continue;
		struct sym *r = &e->sym[s->next];
		uint32_t cur_rank;
		int32_t nid;
		/* A pair is identified by its rank: ranks are unique per pair. */
		if (!merge_find(t, s->id, r->id, &cur_rank, &nid) || cur_rank != rank)
			continue;
		s->id = nid;
		r->id = -1;
		s->next = r->next;
		if (s->next != UINT32_MAX)
			e->sym[s->next].prev = pos;
		if (!tokenizer_reserve((void **)&e->heap, &e->cap_heap, e->n_heap + 2, sizeof *e->heap))
			return false;
		if (s->prev != UINT32_MAX &&
		    merge_find(t, e->sym[s->prev].id, s->id, &cur_rank, &nid))
			heap_push(e, (uint64_t)cur_rank << 32 | s->prev);
		if (s->next != UINT32_MAX && merge_find(t, s->id, e->sym[s->next].id, &cur_rank, &nid))
			heap_push(e, (uint64_t)cur_rank << 32 | pos);
	}
	for (uint32_t i = 0; i != UINT32_MAX; i = e->sym[i].next)
		if (!push_id(e, e->sym[i].id))
			return false;
	return true;
}

/* One pre-token: code points → UTF-8 bytes → BPE ids. */
bool tokenizer_emit_piece(struct enc *e, const uint32_t *cp, size_t n)
{
	size_t want;
	if (!clx_mul_ok(n, 4, &want) || !tokenizer_reserve((void **)&e->pb, &e->cap_pb, want, 1))
		return false;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		m += clx_utf8_encode(e->pb + m, cp[i]);
	return bpe_word(e, e->pb, m);
}


/* ----------------------------------------------------------------- encoding */

/* Which special token the raw bytes at s[0..n) start with: its length, and
 * its id in *id; 0 if none. */
static size_t special_at_raw(const struct clx_tokenizer *t, const char *s, size_t n, int32_t *id)
{
	if (n >= sizeof BOS_TOKEN - 1 && !memcmp(s, BOS_TOKEN, sizeof BOS_TOKEN - 1)) {
		*id = t->info.bos_id;
		return sizeof BOS_TOKEN - 1;
	}
	if (n >= sizeof EOS_TOKEN - 1 && !memcmp(s, EOS_TOKEN, sizeof EOS_TOKEN - 1)) {
		*id = t->info.eos_id;
		return sizeof EOS_TOKEN - 1;
	}
	return 0;
}

static bool encode_segment(struct enc *e, const char *s, size_t n)
{
	if (!n)
		return true;
	return tokenizer_normalize(e, (const uint8_t *)s, n) && tokenizer_pretokenize(e);
}

/* text → e->out = [bos] + ids + [eos]. CLX_ERR_FORMAT leaves bad_offset /
 * bad_why; the caller words the message. */
static enum clx_status encode_text(struct enc *e, const char *text, size_t len)
{
	const struct clx_tokenizer *t = e->tok;
	e->n_out = 0;
	e->special_literal = false;
	if (len > CLX_MAX_TOKENIZER_TEXT)
		return CLX_ERR_INVALID_ARG;
	if (!clx_utf8_valid((const uint8_t *)text, len, &e->bad_offset, &e->bad_why))
		return CLX_ERR_FORMAT;
	if (!push_id(e, t->info.bos_id))
		return CLX_ERR_NOMEM;
	size_t seg = 0, i = 0;
	while (i < len) {
		const char *lt = memchr(text + i, '<', len - i);
		if (!lt)
			break;
		i = (size_t)(lt - text);
		int32_t id;
		size_t k = special_at_raw(t, text + i, len - i, &id);
		if (!k) {
			i++;
			continue;
		}
		if (!encode_segment(e, text + seg, i - seg) || !push_id(e, id))
			return CLX_ERR_NOMEM;
		e->special_literal = true;
		i += k;
		seg = i;
	}
	if (!encode_segment(e, text + seg, len - seg) || !push_id(e, t->info.eos_id))
		return CLX_ERR_NOMEM;
	return CLX_OK;
}

/* The message for a failed encode_text of `what`. */
enum clx_status tokenizer_encode_fail(struct clx_ctx *ctx, const struct enc *e, enum clx_status st,
				   const char *what, const char *text, size_t len)
{
	char q[200];
	tokenizer_quote(q, sizeof q, text, len, 40);
	switch (st) {
	case CLX_ERR_FORMAT: {
		size_t o = e->bad_offset;
		return clx_fail(ctx, st, "%s (\"%s\"): invalid UTF-8 at byte %zu (0x%02X): %s", what, q,
				o, (unsigned)(unsigned char)text[o], e->bad_why);
	}
	case CLX_ERR_INVALID_ARG:
		return clx_fail(ctx, st, "%s: %zu bytes, more than the limit of %u", what, len,
				(unsigned)CLX_MAX_TOKENIZER_TEXT);
	default:
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory while tokenizing %zu bytes", what,
				len);
	}
}

/* ------------------------------------------------------------- public API */

enum clx_status clx_tokenizer_encode_alloc(struct clx_ctx *ctx, const struct clx_tokenizer *tok,
					   const char *text, size_t len, int32_t **ids,
					   size_t *n_ids)
{
	if (!tok || (!text && len) || !ids || !n_ids)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_tokenizer_encode: NULL argument");
	*ids = NULL;
	*n_ids = 0;
	struct enc e = { .tok = tok };
	enum clx_status st = encode_text(&e, text ? text : "", len);
	if (st != CLX_OK) {
		st = tokenizer_encode_fail(ctx, &e, st, "text", text, len);
		tokenizer_enc_free(&e);
		return st;
	}
	*ids = e.out;
	*n_ids = e.n_out;
	e.out = NULL;
	tokenizer_enc_free(&e);
	return CLX_OK;
}

enum clx_status clx_tokenizer_encode(struct clx_ctx *ctx, const struct clx_tokenizer *tok,
				     const char *text, size_t len, int32_t *ids, size_t cap,
				     size_t *n_ids)
{
	if (!n_ids || (!ids && cap))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_tokenizer_encode: NULL argument");
	int32_t *all;
	size_t n;
	enum clx_status st = clx_tokenizer_encode_alloc(ctx, tok, text, len, &all, &n);
	if (st != CLX_OK)
		return st;
	*n_ids = n;
	if (n > cap) {
		clx_free(all);
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"clx_tokenizer_encode: the text has %zu ids, the buffer holds %zu", n,
				cap);
	}
	memcpy(ids, all, n * sizeof *ids);
	clx_free(all);
	return CLX_OK;
}


/* ------------------------------------------------------------------ batches */

void clx_tokenizer_batch_free(struct clx_tokenizer_batch *b)
{
	if (!b)
		return;
	clx_free(b->input_ids);
	clx_free(b->attention_mask);
	clx_free(b->lengths);
	clx_free(b->full_lengths);
	clx_free(b->truncated);
	clx_free(b->special_literal);
	clx_free(b);
}

enum clx_status clx_tokenizer_encode_batch(struct clx_ctx *ctx, const struct clx_tokenizer *tok,
					   const char *const *texts, const size_t *lens,
					   size_t n_texts,
					   const struct clx_tokenizer_batch_opts *opts,
					   struct clx_tokenizer_batch **out)
{
	if (!tok || !texts || !out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_tokenizer_encode_batch: NULL argument");
	*out = NULL;
	if (n_texts == 0)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "tokenizer: no labels");
	if (n_texts > CLX_MAX_TOKENIZER_BATCH)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "tokenizer: %zu labels, more than the limit of %d",
				n_texts, CLX_MAX_TOKENIZER_BATCH);
	size_t max_len = opts && opts->max_length ? opts->max_length
						  : (size_t)tok->info.model_max_length;
	if (max_len < 2 || max_len > CLX_MAX_TOKENS)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"tokenizer: max_length %zu outside [2, %d] (bos and eos need two)",
				max_len, CLX_MAX_TOKENS);

	enum clx_status st = CLX_OK;
	struct enc e = { .tok = tok };
	int32_t *tmp = NULL; /* (K, max_len) truncated ids */
	struct clx_tokenizer_batch *b = clx_calloc(1, sizeof *b);
	size_t cells;
	if (!b || !clx_mul_ok(n_texts, max_len, &cells) ||
	    !(tmp = clx_calloc(cells, sizeof *tmp)) ||
	    !(b->lengths = clx_calloc(n_texts, sizeof *b->lengths)) ||
	    !(b->full_lengths = clx_calloc(n_texts, sizeof *b->full_lengths)) ||
	    !(b->truncated = clx_calloc(n_texts, sizeof *b->truncated)) ||
	    !(b->special_literal = clx_calloc(n_texts, sizeof *b->special_literal))) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "tokenizer: out of memory for %zu labels", n_texts);
		goto fail;
	}
	b->n_texts = (int64_t)n_texts;
	size_t longest = 0;
	for (size_t k = 0; k < n_texts; k++) {
		const char *text = texts[k];
		if (!text) {
			st = clx_fail(ctx, CLX_ERR_INVALID_ARG, "label %zu of %zu is NULL", k + 1, n_texts);
			goto fail;
		}
		size_t len = lens ? lens[k] : strlen(text);
		st = encode_text(&e, text, len);
		if (st != CLX_OK) {
			char what[64];
			snprintf(what, sizeof what, "label %zu of %zu", k + 1, n_texts);
			st = tokenizer_encode_fail(ctx, &e, st, what, text, len);
			goto fail;
		}
		size_t n = e.n_out;
		int32_t *row = tmp + k * max_len;
		b->full_lengths[k] = (int64_t)n;
		b->special_literal[k] = e.special_literal;
		b->n_special_literal += e.special_literal;
		if (n > max_len) {
			/* truncation=True: bos + the first max_len - 2 ids + eos */
			memcpy(row, e.out, (max_len - 1) * sizeof *row);
			row[max_len - 1] = tok->info.eos_id;
			n = max_len;
			b->truncated[k] = true;
			b->n_truncated++;
		} else {
			memcpy(row, e.out, n * sizeof *row);
		}
		b->lengths[k] = (int64_t)n;
		if (n > longest)
			longest = n;
	}
	size_t L = opts && opts->pad_to_max_length ? max_len : longest;
	b->seq_len = (int64_t)L;
	if (!clx_mul_ok(n_texts, L, &cells) ||
	    !(b->input_ids = clx_malloc(cells * sizeof *b->input_ids)) ||
	    !(b->attention_mask = clx_malloc(cells * sizeof *b->attention_mask))) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "tokenizer: out of memory for %zu labels", n_texts);
		goto fail;
	}
	for (size_t k = 0; k < n_texts; k++) {
		size_t n = (size_t)b->lengths[k];
		for (size_t i = 0; i < L; i++) {
			b->input_ids[k * L + i] = i < n ? tmp[k * max_len + i] : tok->info.pad_id;
			b->attention_mask[k * L + i] = i < n;
		}
	}
	clx_free(tmp);
	tokenizer_enc_free(&e);
	*out = b;
	return CLX_OK;
fail:
	clx_free(tmp);
	tokenizer_enc_free(&e);
	clx_tokenizer_batch_free(b);
	return st;
}

