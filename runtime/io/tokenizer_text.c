/* tokenizer_text.c — the text side of the CLIP tokenizer (clx/tokenizer.h
 * steps 2 and 3): the pre-tokeniser's character classes, transformers'
 * normaliser (NFC, White_Space runs → " ", lowercase) and the pre-tokeniser
 * that cuts the normalised text into the pieces BPE encodes.
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
 * Both passes are linear in the text (canonical reordering is a counting
 * sort, not utf8proc's quadratic bubble sort).
 *
 * Not here: the raw special-token split and BPE (tokenizer.c), UTF-8
 * validation (core/utf8.c; callers validate before normalising). */
#include "io/tokenizer_internal.h"
#include "core/utf8.h"
#include "clx/limits.h"

#include <string.h>
#include <utf8proc.h>

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
 * (tools/dev/gen_tokenizer_golden.py writes those probes into the golden file,
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

static bool push_cp(struct enc *e, uint32_t cp)
{
	if (!tokenizer_reserve((void **)&e->cp, &e->cap_cp, e->n_cp + 1, sizeof *e->cp))
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
bool tokenizer_normalize(struct enc *e, const uint8_t *s, size_t n)
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
	if (!tokenizer_reserve((void **)&e->cp2, &e->cap_cp2, e->n_cp, sizeof *e->cp2))
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
	    !tokenizer_reserve((void **)&e->cp2, &e->cap_cp2, want, sizeof *e->cp2))
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

/* --------------------------------------------------------- pre-tokenisation */

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
bool tokenizer_pretokenize(struct enc *e)
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
			if (!tokenizer_emit_piece(e, cp + i, 2) || !tokenizer_emit_piece(e, cp + i + 2, j - 4) ||
			    !tokenizer_emit_piece(e, cp + i + j - 2, 2))
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
				if (!tokenizer_emit_piece(e, cp + i, j))
					return false;
				i += j;
				continue;
			}
		}
		j = i + 1;
		if (k == CLX_TOKENIZER_CLASS_LETTER || k == CLX_TOKENIZER_CLASS_OTHER)
			while (j < n && clx_tokenizer_char_class(cp[j]) == k)
				j++;
		if (!tokenizer_emit_piece(e, cp + i, j - i))
			return false;
		i = j;
	}
	return true;
}

/* ------------------------------------------------------------------- public */

enum clx_status clx_tokenizer_normalize(struct clx_ctx *ctx, const char *text, size_t len,
					char **out, size_t *out_len)
{
	if ((!text && len) || !out)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "clx_tokenizer_normalize: NULL argument");
	*out = NULL;
	struct enc e = { 0 };
	enum clx_status st = CLX_OK;
	if (len > CLX_MAX_TOKENIZER_TEXT) {
		st = tokenizer_encode_fail(ctx, &e, CLX_ERR_INVALID_ARG, "text", text, len);
		goto done;
	}
	if (!clx_utf8_valid((const uint8_t *)text, len, &e.bad_offset, &e.bad_why)) {
		st = tokenizer_encode_fail(ctx, &e, CLX_ERR_FORMAT, "text", text, len);
		goto done;
	}
	if (len && !tokenizer_normalize(&e, (const uint8_t *)text, len)) {
		st = tokenizer_encode_fail(ctx, &e, CLX_ERR_NOMEM, "text", text, len);
		goto done;
	}
	size_t bytes;
	char *s;
	if (!clx_mul_ok(e.n_cp, 4, &bytes) || !clx_add_ok(bytes, 1, &bytes) ||
	    !(s = clx_malloc(bytes))) {
		st = tokenizer_encode_fail(ctx, &e, CLX_ERR_NOMEM, "text", text, len);
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
	tokenizer_enc_free(&e);
	return st;
}
