/* tokenizer.c — CLIP byte-level BPE, equal to transformers 5.24's
 * CLIPTokenizer (tokenizers 0.23). See clx/tokenizer.h for the pipeline and
 * the documented edge cases; the golden corpus and the exhaustive per-code-
 * point checks are in tests/test_tokenizer.c (data from
 * tools/gen_tokenizer_golden.py).
 *
 * Unicode data comes from utf8proc (category, canonical decomposition and
 * composition, combining class, simple lowercase). Where tokenizers differs
 * from utf8proc's data this file says so:
 *   - Lowercase is Rust's char::to_lowercase: the simple mapping except
 *     U+0130 'İ' → "i" U+0307 (the one unconditional multi-character
 *     lowercase mapping in SpecialCasing.txt).
 *   - NFC comes from the crate unicode-normalization-alignments, whose tables
 *     are Unicode 9.0: combining marks assigned later are starters to it
 *     (class 0) and the one later canonical composite (U+11938) is neither
 *     decomposed nor composed. `hf_unknown` lists those code points.
 *   - \s is Unicode White_Space (Oniguruma), \p{L} and \p{N} the general
 *     categories L* and N*.
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
#include "clx/tokenizer.h"
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
#include <utf8proc.h>

#define BOS_TOKEN "<|startoftext|>"
#define EOS_TOKEN "<|endoftext|>"
#define EOW_SUFFIX "</w>"
#define DEFAULT_MAX_LENGTH 77

/* ------------------------------------------------------------------ types */

struct clx_tokenizer {
	struct clx_tokenizer_info info;
	char *strings;          /* every vocab string, NUL-terminated, back to back */
	size_t strings_len;
	uint32_t *str_off;      /* (vocab_size) offset into strings; UINT32_MAX: no such id */
	uint32_t *str_len;      /* (vocab_size) bytes */
	uint32_t *vocab_slots;  /* (vocab_cap) open addressing, id + 1; 0 = empty */
	size_t vocab_cap;       /* power of two */
	uint64_t *merge_keys;   /* (merge_cap) left id << 32 | right id; UINT64_MAX = empty */
	uint32_t *merge_rank;   /* (merge_cap) line index among the merges */
	int32_t *merge_new;     /* (merge_cap) id of the concatenation */
	size_t merge_cap;       /* power of two */
	int32_t byte_id[256];   /* id of the byte symbol, unk id if absent */
	int32_t byte_eow_id[256]; /* id of the byte symbol + "</w>", unk id if absent */
};

/* ---------------------------------------------------------------- hashing */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, then mixed */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return mix64(h ^ n);
}

static size_t pow2_at_least(size_t n)
{
	size_t c = 16;
	while (c < n)
		c <<= 1;
	return c;
}

/* ------------------------------------------------------------- messages */

/* Up to `max` bytes of s for a message: printable ASCII as is, the rest as
 * \xNN, "..." when cut. */
static void quote_bytes(char *out, size_t cap, const char *s, size_t n, size_t max)
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

/* ------------------------------------------------------- Unicode classes */

enum clx_tokenizer_class clx_tokenizer_char_class(uint32_t cp)
{
	if (cp > 0x10FFFF)
		return CLX_TOKENIZER_CLASS_OTHER;
	if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85)
		return CLX_TOKENIZER_CLASS_SPACE;
	if (cp < 0x80) {
		if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
			return CLX_TOKENIZER_CLASS_LETTER;
		if (cp >= '0' && cp <= '9')
			return CLX_TOKENIZER_CLASS_NUMBER;
		return CLX_TOKENIZER_CLASS_OTHER;
	}
	switch (utf8proc_category((utf8proc_int32_t)cp)) {
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
		return CLX_TOKENIZER_CLASS_SPACE;
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return CLX_TOKENIZER_CLASS_LETTER;
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return CLX_TOKENIZER_CLASS_NUMBER;
	default:
		return CLX_TOKENIZER_CLASS_OTHER;
	}
}

/* Code points utf8proc (Unicode 15.0) knows as combining marks (class ≠ 0)
 * or as a canonical composite, but tokenizers' Unicode 9.0 NFC tables do
 * not: there they are starters that never decompose or compose. Found by
 * probing tokenizers' NFC with every mark of non-zero class
 * (tools/gen_tokenizer_golden.py writes those probes into the golden file,
 * so a change on either side fails the test). */
static const uint32_t hf_unknown[][2] = {
	{ 0x07FD, 0x07FD }, { 0x0898, 0x089F }, { 0x08CA, 0x08D3 }, { 0x09FE, 0x09FE },
	{ 0x0C3C, 0x0C3C }, { 0x0D3B, 0x0D3C }, { 0x0EBA, 0x0EBA }, { 0x1715, 0x1715 },
	{ 0x1ABF, 0x1ACE }, { 0x1DF6, 0x1DFA }, { 0xA82C, 0xA82C }, { 0x10D24, 0x10D27 },
	{ 0x10EAB, 0x10EAC }, { 0x10EFD, 0x10EFF }, { 0x10F46, 0x10F50 }, { 0x10F82, 0x10F85 },
	{ 0x11070, 0x11070 }, { 0x1133B, 0x1133B }, { 0x1145E, 0x1145E }, { 0x11839, 0x1183A },
	{ 0x11938, 0x11938 }, { 0x1193D, 0x1193E }, { 0x11943, 0x11943 }, { 0x119E0, 0x119E0 },
	{ 0x11A34, 0x11A34 }, { 0x11A47, 0x11A47 }, { 0x11A99, 0x11A99 }, { 0x11D42, 0x11D42 },
	{ 0x11D44, 0x11D45 }, { 0x11D97, 0x11D97 }, { 0x11F41, 0x11F42 }, { 0x16FF0, 0x16FF1 },
	{ 0x1E08F, 0x1E08F }, { 0x1E130, 0x1E136 }, { 0x1E2AE, 0x1E2AE }, { 0x1E2EC, 0x1E2EF },
	{ 0x1E4EC, 0x1E4EF },
};

static bool is_hf_unknown(uint32_t cp)
{
	size_t lo = 0, hi = sizeof hf_unknown / sizeof hf_unknown[0];
	if (cp < hf_unknown[0][0])
		return false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < hf_unknown[mid][0])
			hi = mid;
		else if (cp > hf_unknown[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Canonical combining class as tokenizers' NFC sees it. */
static int ccc(uint32_t cp)
{
	if (cp < 0x300)
		return 0;
	if (is_hf_unknown(cp))
		return 0;
	return utf8proc_get_property((utf8proc_int32_t)cp)->combining_class;
}

/* The primary composite of starter `a` and `b`, or 0. */
static uint32_t compose_pair(uint32_t a, uint32_t b)
{
	if (b < 0x300 || b == 0x11A7 || is_hf_unknown(a) || is_hf_unknown(b))
		return 0; /* no second element below U+0300; U+11A7 is no Hangul T */
	utf8proc_int32_t buf[2] = { (utf8proc_int32_t)a, (utf8proc_int32_t)b };
	utf8proc_ssize_t n = utf8proc_normalize_utf32(buf, 2, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n != 1 || is_hf_unknown((uint32_t)buf[0]))
		return 0;
	return (uint32_t)buf[0];
}

static uint32_t lower1(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	return (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
}

/* ------------------------------------------------------- growable arrays */

static bool reserve(void **p, size_t *cap, size_t want, size_t elem)
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

/* ------------------------------------------------------------ the encoder */

struct sym {
	int32_t id;     /* -1 once merged into its left neighbour */
	uint32_t prev;  /* UINT32_MAX: none */
	uint32_t next;  /* UINT32_MAX: none */
};

struct enc {
	const struct clx_tokenizer *tok;
	uint32_t *cp;       /* (n_cp) code points of the current segment */
	size_t n_cp, cap_cp;
	uint32_t *cp2;      /* scratch: reordering and the lowercased copy */
	size_t cap_cp2;
	uint8_t *pb;        /* UTF-8 bytes of one pre-token */
	size_t cap_pb;
	struct sym *sym;    /* one per byte of the pre-token */
	size_t cap_sym;
	uint64_t *heap;     /* rank << 32 | position, min-heap */
	size_t n_heap, cap_heap;
	int32_t *out;       /* ids of the whole text */
	size_t n_out, cap_out;
	bool special_literal;
	/* failure details for the caller's message */
	size_t bad_offset;
	const char *bad_why;
};

static void enc_free(struct enc *e)
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
	if (!reserve((void **)&e->out, &e->cap_out, e->n_out + 1, sizeof *e->out))
		return false;
	e->out[e->n_out++] = id;
	return true;
}

static bool push_cp(struct enc *e, uint32_t cp)
{
	if (!reserve((void **)&e->cp, &e->cap_cp, e->n_cp + 1, sizeof *e->cp))
		return false;
	e->cp[e->n_cp++] = cp;
	return true;
}

/* --------------------------------------------------------- normalisation */

/* Stable sort of one run of non-starters by combining class: insertion sort
 * when short, counting sort otherwise — linear, whatever the input. */
static void sort_marks(uint32_t *a, size_t n, uint32_t *scratch)
{
	if (n < 2)
		return;
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			uint32_t x = a[i];
			int cx = ccc(x);
			size_t j = i;
			while (j > 0 && ccc(a[j - 1]) > cx) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = x;
		}
		return;
	}
	size_t count[257] = { 0 };
	for (size_t i = 0; i < n; i++)
		count[ccc(a[i]) + 1]++;
	for (size_t c = 1; c < 257; c++)
		count[c] += count[c - 1];
	for (size_t i = 0; i < n; i++)
		scratch[count[ccc(a[i])]++] = a[i];
	memcpy(a, scratch, n * sizeof *a);
}

/* s[0..n) (valid UTF-8) → e->cp: NFC, White_Space runs → " ", lowercase. */
static bool normalize(struct enc *e, const uint8_t *s, size_t n)
{
	e->n_cp = 0;
	/* Canonical decomposition. */
	for (size_t i = 0; i < n;) {
		uint32_t cp = clx_utf8_decode(s, &i);
		if (cp < 0xC0 || is_hf_unknown(cp)) {
			if (!push_cp(e, cp))
				return false;
			continue;
		}
		utf8proc_int32_t d[32];
		int boundclass = 0;
		utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)cp, d, 32,
							     UTF8PROC_STABLE | UTF8PROC_DECOMPOSE,
							     &boundclass);
		CLX_ASSERT(k >= 1 && k <= 32);
		for (utf8proc_ssize_t j = 0; j < k; j++)
			if (!push_cp(e, (uint32_t)d[j]))
				return false;
	}
	/* Canonical ordering of every run of non-starters. */
	if (!reserve((void **)&e->cp2, &e->cap_cp2, e->n_cp, sizeof *e->cp2))
		return false;
	for (size_t i = 0; i < e->n_cp;) {
		if (ccc(e->cp[i]) == 0) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < e->n_cp && ccc(e->cp[j]) != 0)
			j++;
		sort_marks(e->cp + i, j - i, e->cp2);
		i = j;
	}
	/* Canonical composition (UAX #15): C joins the last starter unless a
	 * character between them has class 0 or a class ≥ C's. */
	size_t w = 0, starter = SIZE_MAX;
	int max_ccc = -1;
	for (size_t i = 0; i < e->n_cp; i++) {
		uint32_t c = e->cp[i];
		int cc = ccc(c);
		if (starter != SIZE_MAX && cc > max_ccc) {
			uint32_t comp = compose_pair(e->cp[starter], c);
			if (comp) {
				e->cp[starter] = comp;
				continue;
			}
		}
		e->cp[w] = c;
		if (cc == 0) {
			starter = w;
			max_ccc = -1;
		} else if (cc > max_ccc) {
			max_ccc = cc;
		}
		w++;
	}
	e->n_cp = w;
	/* White_Space runs → " ", then lowercase ('İ' grows to two). */
	size_t want;
	if (!clx_mul_ok(e->n_cp, 2, &want) ||
	    !reserve((void **)&e->cp2, &e->cap_cp2, want, sizeof *e->cp2))
		return false;
	size_t o = 0;
	bool in_space = false;
	for (size_t i = 0; i < e->n_cp; i++) {
		uint32_t c = e->cp[i];
		if (clx_tokenizer_char_class(c) == CLX_TOKENIZER_CLASS_SPACE) {
			if (!in_space)
				e->cp2[o++] = ' ';
			in_space = true;
			continue;
		}
		in_space = false;
		if (c == 0x130) {
			e->cp2[o++] = 'i';
			e->cp2[o++] = 0x307;
		} else {
			e->cp2[o++] = lower1(c);
		}
	}
	uint32_t *t = e->cp;
	size_t tc = e->cap_cp;
	e->cp = e->cp2;
	e->cap_cp = e->cap_cp2;
	e->cp2 = t;
	e->cap_cp2 = tc;
	e->n_cp = o;
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
	for (size_t h = (size_t)mix64(key) & mask;; h = (h + 1) & mask) {
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
	if (m > UINT32_MAX - 1 || !reserve((void **)&e->sym, &e->cap_sym, m, sizeof *e->sym) ||
	    !reserve((void **)&e->heap, &e->cap_heap, m, sizeof *e->heap))
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
		if (!reserve((void **)&e->heap, &e->cap_heap, e->n_heap + 2, sizeof *e->heap))
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
static bool emit_piece(struct enc *e, const uint32_t *cp, size_t n)
{
	size_t want;
	if (!clx_mul_ok(n, 4, &want) || !reserve((void **)&e->pb, &e->cap_pb, want, 1))
		return false;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		m += clx_utf8_encode(e->pb + m, cp[i]);
	return bpe_word(e, e->pb, m);
}

/* Length of "<|startoftext|>" / "<|endoftext|>" at cp[0..n), else 0. */
static size_t special_at_cp(const uint32_t *cp, size_t n)
{
	static const char *const names[2] = { BOS_TOKEN, EOS_TOKEN };
	for (int k = 0; k < 2; k++) {
		size_t len = strlen(names[k]), i = 0;
		if (n < len)
			continue;
		while (i < len && cp[i] == (unsigned char)names[k][i])
			i++;
		if (i == len)
			return len;
	}
	return 0;
}

/* The Split pre-tokeniser (matches kept, whitespace dropped), then the
 * ByteLevel GPT-2 split, which changes only a special-token match. */
static bool pretokenize(struct enc *e)
{
	const uint32_t *cp = e->cp;
	size_t n = e->n_cp, i = 0;
	while (i < n) {
		uint32_t c = cp[i];
		enum clx_tokenizer_class k = clx_tokenizer_char_class(c);
		size_t j;
		if (k == CLX_TOKENIZER_CLASS_SPACE) {
			i++;
			continue;
		}
		if (c == '<' && (j = special_at_cp(cp + i, n - i))) {
			if (!emit_piece(e, cp + i, 2) || !emit_piece(e, cp + i + 2, j - 4) ||
			    !emit_piece(e, cp + i + j - 2, 2))
				return false;
			i += j;
			continue;
		}
		if (c == '\'' && i + 1 < n) {
			uint32_t d = cp[i + 1], f = i + 2 < n ? cp[i + 2] : 0;
			j = 0;
			if (d == 's' || d == 't' || d == 'm' || d == 'd')
				j = 2;
			else if ((d == 'r' && f == 'e') || (d == 'v' && f == 'e') || (d == 'l' && f == 'l'))
				j = 3;
			if (j) {
				if (!emit_piece(e, cp + i, j))
					return false;
				i += j;
				continue;
			}
		}
		j = i + 1;
		if (k == CLX_TOKENIZER_CLASS_LETTER || k == CLX_TOKENIZER_CLASS_OTHER)
			while (j < n && clx_tokenizer_char_class(cp[j]) == k)
				j++;
		if (!emit_piece(e, cp + i, j - i))
			return false;
		i = j;
	}
	return true;
}

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
	return normalize(e, (const uint8_t *)s, n) && pretokenize(e);
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
static enum clx_status encode_fail(struct clx_ctx *ctx, const struct enc *e, enum clx_status st,
				   const char *what, const char *text, size_t len)
{
	char q[200];
	quote_bytes(q, sizeof q, text, len, 40);
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
		st = encode_fail(ctx, &e, st, "text", text, len);
		enc_free(&e);
		return st;
	}
	*ids = e.out;
	*n_ids = e.n_out;
	e.out = NULL;
	enc_free(&e);
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

enum clx_status clx_tokenizer_normalize(struct clx_ctx *ctx, const char *text, size_t len,
					char **out, size_t *out_len)
{
	if ((!text && len) || !out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_tokenizer_normalize: NULL argument");
	*out = NULL;
	struct enc e = { 0 };
	enum clx_status st = CLX_OK;
	if (len > CLX_MAX_TOKENIZER_TEXT) {
		st = encode_fail(ctx, &e, CLX_ERR_INVALID_ARG, "text", text, len);
		goto done;
	}
	if (!clx_utf8_valid((const uint8_t *)text, len, &e.bad_offset, &e.bad_why)) {
		st = encode_fail(ctx, &e, CLX_ERR_FORMAT, "text", text, len);
		goto done;
	}
	if (len && !normalize(&e, (const uint8_t *)text, len)) {
		st = encode_fail(ctx, &e, CLX_ERR_NOMEM, "text", text, len);
		goto done;
	}
	size_t bytes;
	char *s;
	if (!clx_mul_ok(e.n_cp, 4, &bytes) || !clx_add_ok(bytes, 1, &bytes) ||
	    !(s = clx_malloc(bytes))) {
		st = encode_fail(ctx, &e, CLX_ERR_NOMEM, "text", text, len);
		goto done;
	}
	size_t o = 0;
	for (size_t i = 0; i < e.n_cp; i++)
		o += clx_utf8_encode((uint8_t *)s + o, e.cp[i]);
	s[o] = '\0';
	*out = s;
	if (out_len)
		*out_len = o;
done:
	enc_free(&e);
	return st;
}

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
			st = encode_fail(ctx, &e, st, what, text, len);
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
	enc_free(&e);
	*out = b;
	return CLX_OK;
fail:
	clx_free(tmp);
	enc_free(&e);
	clx_tokenizer_batch_free(b);
	return st;
}

/* ---------------------------------------------------------------- loading */


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
			quote_bytes(q, sizeof q, c->string, klen, 48);
			st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: token \"%s\" is %zu bytes, more than %d",
				      name, q, klen, CLX_MAX_TOKENIZER_TOKEN);
			goto done;
		}
		double d = c->valuedouble;
		if (!cJSON_IsNumber(c) || !isfinite(d) || d != floor(d) || d < 0 ||
		    d >= CLX_MAX_TOKENIZER_VOCAB) {
			quote_bytes(q, sizeof q, c->string, klen, 48);
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
			quote_bytes(q, sizeof q, c->string, klen, 48);
			quote_bytes(q2, sizeof q2, t->strings + t->str_off[id], t->str_len[id], 48);
			st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: id %d is used by \"%s\" and \"%s\"", name,
				      id, q2, q);
			goto done;
		}
		if (vocab_find(t, c->string, klen) >= 0) {
			quote_bytes(q, sizeof q, c->string, klen, 48);
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
			quote_bytes(q, sizeof q, l, len, 48);
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
				quote_bytes(q, sizeof q, l, len, 48);
				return clx_fail(ctx, CLX_ERR_FORMAT,
						"%s:%zu: the merge of \"%s\" is not in the vocabulary",
						name, line, q);
			}
			quote_bytes(q, sizeof q, miss, lm, 48);
			return clx_fail(ctx, CLX_ERR_FORMAT, "%s:%zu: symbol \"%s\" is not in the vocabulary",
					name, line, q);
		}
		/* A repeated pair takes its later rank (tokenizers builds a hash map). */
		uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
		size_t mask = t->merge_cap - 1, h = (size_t)mix64(key) & mask;
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
