/* test_tokenizer.c — the CLIP tokenizer against transformers' CLIPTokenizer.
 *
 * Golden: tests/fixtures/clip_tokenizer/golden.json (tools/dev/gen_tokenizer_golden.py,
 * transformers 5.24 / tokenizers 0.23) — every corpus string's ids exactly,
 * padded/truncated batches with masks, and per code point: the
 * pre-tokeniser class, the normalisation of each character alone, and NFC
 * probes around every combining mark and canonical composite. Code points
 * that utf8proc does not know (unassigned in its Unicode version) may differ
 * and are counted separately; everything else must match.
 * Then bad input generated in code (invalid UTF-8, huge text, bad vocab and
 * merges, tokenizer_config.json), each with a passing twin, and
 * allocation-failure loops over load, encode, batch and normalize.
 *
 * Usage: test_tokenizer FIXTURE_DIR (tests/fixtures/clip_tokenizer) */
#include "alloc_fail.h"
#include "check.h"
#include "test_files.h"
#include "clx/limits.h"
#include "clx/tokenizer.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utf8proc.h>

static const char *g_dir;
static struct clx_ctx *g_ctx;
static struct clx_tokenizer *g_tok;

/* ---------------------------------------------------------------- helpers */

/* Hex of UTF-8 → bytes (malloc'ed, NUL-terminated), length in *n. */
static char *unhex(const char *h, size_t *n)
{
	size_t l = strlen(h) / 2;
	char *s = malloc(l + 1);
	for (size_t i = 0; i < l; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		s[i] = (char)v;
	}
	s[l] = '\0';
	*n = l;
	return s;
}

/* Does s[0..n) hold a code point utf8proc has as unassigned? */
static bool has_unassigned(const char *s, size_t n)
{
	utf8proc_ssize_t i = 0;
	while ((size_t)i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)n - i, &cp);
		if (k <= 0)
			return false;
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CN)
			return true;
		i += k;
	}
	return false;
}

static void print_ids(FILE *f, const char *label, const int32_t *ids, size_t n)
{
	fprintf(f, "    %s (%zu):", label, n);
	for (size_t i = 0; i < n && i < 40; i++)
		fprintf(f, " %d", ids[i]);
	fprintf(f, n > 40 ? " ...\n" : "\n");
}

static bool ids_equal_json(const int32_t *ids, size_t n, const cJSON *arr)
{
	if ((size_t)cJSON_GetArraySize(arr) != n)
		return false;
	size_t i = 0;
	for (const cJSON *v = arr->child; v; v = v->next, i++)
		if ((double)ids[i] != v->valuedouble)
			return false;
	return true;
}

/* ------------------------------------------------------------------ golden */

static void test_golden_corpus(const cJSON *golden)
{
	const cJSON *corpus = cJSON_GetObjectItemCaseSensitive(golden, "corpus");
	CHECK(cJSON_IsArray(corpus), "golden.json: no corpus");
	int total = 0, mismatches = 0, over77 = 0;
	for (const cJSON *it = corpus ? corpus->child : NULL; it; it = it->next) {
		size_t n;
		char *text = unhex(cJSON_GetObjectItemCaseSensitive(it, "hex")->valuestring, &n);
		const cJSON *want = cJSON_GetObjectItemCaseSensitive(it, "ids");
		int32_t *ids = NULL;
		size_t n_ids = 0;
		enum clx_status st = clx_tokenizer_encode_alloc(g_ctx, g_tok, text, n, &ids, &n_ids);
		total++;
		over77 += cJSON_GetArraySize(want) > 77;
		if (st != CLX_OK || !ids_equal_json(ids, n_ids, want)) {
			mismatches++;
			if (mismatches <= 10) {
				fprintf(stderr, "  mismatch for hex %s: %s\n",
					cJSON_GetObjectItemCaseSensitive(it, "hex")->valuestring,
					st == CLX_OK ? "" : clx_last_error(g_ctx));
				if (st == CLX_OK)
					print_ids(stderr, "clx", ids, n_ids);
				int32_t *w = malloc(sizeof *w * (size_t)cJSON_GetArraySize(want) + 1);
				size_t k = 0;
				for (const cJSON *v = want->child; v; v = v->next)
					w[k++] = (int32_t)v->valuedouble;
				print_ids(stderr, "transformers", w, k);
				free(w);
			}
		}
		clx_free(ids);
		free(text);
	}
	printf("golden corpus: %d strings (%d over 77 tokens), %d mismatches\n", total, over77,
	       mismatches);
	CHECK(total >= 300, "corpus has only %d strings", total);
	CHECK(mismatches == 0, "%d of %d corpus strings differ from transformers", mismatches, total);
}

static void test_golden_batches(const cJSON *golden)
{
	const cJSON *batches = cJSON_GetObjectItemCaseSensitive(golden, "batches");
	int nb = 0, bad = 0;
	for (const cJSON *b = batches ? batches->child : NULL; b; b = b->next, nb++) {
		const cJSON *hex = cJSON_GetObjectItemCaseSensitive(b, "hex");
		size_t K = (size_t)cJSON_GetArraySize(hex);
		char **texts = calloc(K, sizeof *texts);
		size_t *lens = calloc(K, sizeof *lens);
		size_t k = 0;
		for (const cJSON *h = hex->child; h; h = h->next, k++)
			texts[k] = unhex(h->valuestring, &lens[k]);
		struct clx_tokenizer_batch_opts opts = {
			.max_length = (size_t)cJSON_GetObjectItemCaseSensitive(b, "max_length")->valuedouble,
			.pad_to_max_length = !strcmp(cJSON_GetObjectItemCaseSensitive(b, "padding")->valuestring,
						     "max_length"),
		};
		struct clx_tokenizer_batch *out = NULL;
		enum clx_status st = clx_tokenizer_encode_batch(g_ctx, g_tok, (const char *const *)texts, lens,
							       K, &opts, &out);
		CHECK(st == CLX_OK, "batch %d: %s", nb, clx_last_error(g_ctx));
		if (st == CLX_OK) {
			const cJSON *ids = cJSON_GetObjectItemCaseSensitive(b, "input_ids");
			const cJSON *mask = cJSON_GetObjectItemCaseSensitive(b, "attention_mask");
			size_t L = (size_t)out->seq_len;
			bool ok = out->n_texts == (int64_t)K;
			k = 0;
			for (const cJSON *row = ids->child, *mrow = mask->child; row && ok;
			     row = row->next, mrow = mrow->next, k++) {
				ok = ids_equal_json(out->input_ids + k * L, L, row) &&
				     ids_equal_json(out->attention_mask + k * L, L, mrow);
				int64_t n = 0;
				for (const cJSON *v = mrow->child; v; v = v->next)
					n += v->valuedouble != 0;
				ok = ok && out->lengths[k] == n &&
				     out->truncated[k] == (out->full_lengths[k] > (int64_t)opts.max_length);
			}
			if (!ok) {
				bad++;
				fprintf(stderr, "  batch %d differs (L = %zu)\n", nb, L);
				for (k = 0; k < K; k++)
					print_ids(stderr, "clx", out->input_ids + k * L, L);
			}
		}
		clx_tokenizer_batch_free(out);
		for (k = 0; k < K; k++)
			free(texts[k]);
		free(texts);
		free(lens);
	}
	printf("golden batches: %d (padding, truncation, masks), %d mismatches\n", nb, bad);
	CHECK(nb >= 5 && bad == 0, "%d of %d batches differ", bad, nb);
}

static void test_golden_unicode(const cJSON *golden)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(golden, "unicode");
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(u, "class_runs");
	const cJSON *single = cJSON_GetObjectItemCaseSensitive(u, "single_norm");
	const cJSON *probes = cJSON_GetObjectItemCaseSensitive(u, "nfc_probes");
	CHECK(cJSON_IsArray(runs) && cJSON_IsArray(single) && cJSON_IsArray(probes),
	      "golden.json: no unicode tables");
	if (!runs || !single || !probes)
		return;

	/* Classes. */
	long n_cp = 0, cls_bad = 0, cls_unassigned = 0;
	for (const cJSON *r = runs->child; r; r = r->next) {
		uint32_t a = (uint32_t)cJSON_GetArrayItem(r, 0)->valuedouble;
		uint32_t b = (uint32_t)cJSON_GetArrayItem(r, 1)->valuedouble;
		char k = cJSON_GetArrayItem(r, 2)->valuestring[0];
		enum clx_tokenizer_class want = k == 'S'   ? CLX_TOKENIZER_CLASS_SPACE
						: k == 'L' ? CLX_TOKENIZER_CLASS_LETTER
						: k == 'N' ? CLX_TOKENIZER_CLASS_NUMBER
							   : CLX_TOKENIZER_CLASS_OTHER;
		for (uint32_t cp = a; cp <= b; cp++) {
			n_cp++;
			if (clx_tokenizer_char_class(cp) == want)
				continue;
			if (utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_CN) {
				cls_unassigned++;
			} else if (++cls_bad <= 10) {
				fprintf(stderr, "  class of U+%04X: clx %d, transformers %c\n", cp,
					clx_tokenizer_char_class(cp), k);
			}
		}
	}
	printf("classes: %ld code points, %ld differ (+%ld unassigned in utf8proc's Unicode %s)\n",
	       n_cp, cls_bad, cls_unassigned, utf8proc_unicode_version());
	CHECK(n_cp == 0x110000 - 0x800, "class runs cover %ld code points", n_cp);
	CHECK(cls_bad == 0, "%ld assigned code points classified differently", cls_bad);

	/* Each character alone through the normaliser. */
	size_t n_single = (size_t)cJSON_GetArraySize(single);
	uint32_t *exp_cp = malloc(n_single * sizeof *exp_cp);
	char **exp_s = malloc(n_single * sizeof *exp_s);
	size_t *exp_n = malloc(n_single * sizeof *exp_n), j = 0;
	for (const cJSON *s = single->child; s; s = s->next, j++) {
		exp_cp[j] = (uint32_t)cJSON_GetArrayItem(s, 0)->valuedouble;
		exp_s[j] = unhex(cJSON_GetArrayItem(s, 1)->valuestring, &exp_n[j]);
	}
	long norm_bad = 0, norm_unassigned = 0, n_checked = 0;
	j = 0;
	for (uint32_t cp = 0; cp < 0x110000; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		char in[4];
		size_t in_n = (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)in);
		const char *want = in;
		size_t want_n = in_n;
		if (j < n_single && exp_cp[j] == cp) {
			want = exp_s[j];
			want_n = exp_n[j];
			j++;
		}
		char *got = NULL;
		size_t got_n = 0;
		enum clx_status st = clx_tokenizer_normalize(g_ctx, in, in_n, &got, &got_n);
		n_checked++;
		if (st != CLX_OK || got_n != want_n || memcmp(got, want, want_n)) {
			if (utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_CN)
				norm_unassigned++;
			else if (++norm_bad <= 10)
				fprintf(stderr, "  normalize(U+%04X) differs from transformers\n", cp);
		}
		clx_free(got);
	}
	CHECK(j == n_single, "single_norm table not sorted or out of range");
	for (j = 0; j < n_single; j++)
		free(exp_s[j]);
	free(exp_cp);
	free(exp_s);
	free(exp_n);
	printf("normalizer, one character at a time: %ld code points (%zu changed by transformers), "
	       "%ld differ (+%ld unassigned)\n",
	       n_checked, n_single, norm_bad, norm_unassigned);
	CHECK(norm_bad == 0, "%ld assigned code points normalised differently", norm_bad);

	/* NFC probes: reordering around every mark, every canonical composite. */
	long n_probe = 0, probe_bad = 0, probe_unassigned = 0;
	for (const cJSON *p = probes->child; p; p = p->next) {
		size_t in_n, want_n, got_n = 0;
		char *in = unhex(cJSON_GetArrayItem(p, 0)->valuestring, &in_n);
		char *want = unhex(cJSON_GetArrayItem(p, 1)->valuestring, &want_n);
		char *got = NULL;
		enum clx_status st = clx_tokenizer_normalize(g_ctx, in, in_n, &got, &got_n);
		n_probe++;
		if (st != CLX_OK || got_n != want_n || memcmp(got, want, want_n)) {
			if (has_unassigned(in, in_n))
				probe_unassigned++;
			else if (++probe_bad <= 10)
				fprintf(stderr, "  NFC probe %s differs from transformers\n",
					cJSON_GetArrayItem(p, 0)->valuestring);
		}
		clx_free(got);
		free(in);
		free(want);
	}
	printf("NFC probes: %ld, %ld differ (+%ld with unassigned code points)\n", n_probe, probe_bad,
	       probe_unassigned);
	CHECK(n_probe > 3000 && probe_bad == 0, "%ld of %ld NFC probes differ", probe_bad, n_probe);
}

/* -------------------------------------------------------------- behaviour */

static void test_info_and_basics(void)
{
	const struct clx_tokenizer_info *in = clx_tokenizer_info(g_tok);
	CHECK(in->vocab_size == 49408 && in->n_merges == 48894, "vocab %d merges %d", in->vocab_size,
	      in->n_merges);
	CHECK(in->bos_id == 49406 && in->eos_id == 49407 && in->pad_id == 49407, "special ids");
	CHECK(in->model_max_length == 77, "model_max_length %d", in->model_max_length);
	size_t l = 0;
	const char *t = clx_tokenizer_token(g_tok, 320, &l);
	CHECK(t && !strcmp(t, "a</w>") && l == 5, "token 320 is \"%s\"", t ? t : "(null)");
	CHECK(clx_tokenizer_token(g_tok, 49408, NULL) == NULL && clx_tokenizer_token(g_tok, -1, NULL) == NULL,
	      "ids outside the vocab have no token");

	static const struct {
		const char *text;
		int32_t ids[8];
		size_t n;
	} cases[] = {
		{ "a photo of a cat", { 49406, 320, 1125, 539, 320, 2368, 49407 }, 7 },
		{ "playing sports", { 49406, 1629, 2054, 49407 }, 4 },
		{ "eating spaghetti", { 49406, 4371, 18440, 49407 }, 4 },
		{ "go shopping", { 49406, 861, 4266, 49407 }, 4 },
		{ "what's in the video", { 49406, 768, 568, 530, 518, 1455, 49407 }, 7 },
		{ "", { 49406, 49407 }, 2 },
		{ " \t\n\xC2\xA0\xE3\x80\x80 ", { 49406, 49407 }, 2 },
		{ "a<|endoftext|>b", { 49406, 320, 49407, 321, 49407 }, 5 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int32_t ids[16];
		size_t n = 0;
		enum clx_status st = clx_tokenizer_encode(g_ctx, g_tok, cases[i].text, strlen(cases[i].text),
							  ids, 16, &n);
		CHECK(st == CLX_OK && n == cases[i].n && !memcmp(ids, cases[i].ids, n * sizeof *ids),
		      "encode(\"%s\")", cases[i].text);
	}
	/* Buffer capacity: query, too small, exact. */
	size_t n = 0;
	int32_t ids[7];
	CHECK(clx_tokenizer_encode(g_ctx, g_tok, "a photo of a cat", 16, NULL, 0, &n) ==
		      CLX_ERR_INVALID_ARG && n == 7,
	      "size query gives 7, got %zu", n);
	memset(ids, 0x55, sizeof ids);
	CHECK(clx_tokenizer_encode(g_ctx, g_tok, "a photo of a cat", 16, ids, 6, &n) == CLX_ERR_INVALID_ARG &&
		      ids[0] == 0x55555555 && strstr(clx_last_error(g_ctx), "holds 6"),
	      "too small a buffer is refused untouched: %s", clx_last_error(g_ctx));
	CHECK(clx_tokenizer_encode(g_ctx, g_tok, "a photo of a cat", 16, ids, 7, &n) == CLX_OK && n == 7 &&
		      ids[6] == 49407,
	      "exact capacity");
	/* NUL bytes inside len are characters ("\x00" maps to byte symbol 'Ā'). */
	int32_t *v = NULL;
	CHECK(clx_tokenizer_encode_alloc(g_ctx, g_tok, "a\0b", 3, &v, &n) == CLX_OK && n == 5 &&
		      v[1] == 320 && v[3] == 321,
	      "NUL inside the text");
	clx_free(v);
}

enum bad_utf8 {
	BU_STRAY_CONT, BU_TRUNC2, BU_TRUNC_END, BU_OVERLONG_C0, BU_OVERLONG_E0, BU_OVERLONG_F0,
	BU_SURROGATE_HI, BU_SURROGATE_LO, BU_ABOVE_MAX, BU_F5, BU_FF, BU_COUNT
};

static void test_bad_utf8(void)
{
	static const struct {
		const char *s;
		size_t off;
		const char *why;
	} bad[BU_COUNT] = {
		[BU_STRAY_CONT] = { "ab\x80", 2, "continuation" },
		[BU_TRUNC2] = { "a\xC3" "b", 1, "truncated" },
		[BU_TRUNC_END] = { "abc\xE2\x82", 3, "truncated" },
		[BU_OVERLONG_C0] = { "\xC0\xAF", 0, "overlong" },
		[BU_OVERLONG_E0] = { "x\xE0\x80\xAF", 1, "overlong" },
		[BU_OVERLONG_F0] = { "\xF0\x80\x80\xAF", 0, "overlong" },
		[BU_SURROGATE_HI] = { "x\xED\xA0\x80", 1, "surrogate" },
		[BU_SURROGATE_LO] = { "cat \xED\xBF\xBF", 4, "surrogate" },
		[BU_ABOVE_MAX] = { "\xF4\x90\x80\x80", 0, "above U+10FFFF" },
		[BU_F5] = { "\xF5\x80\x80\x80", 0, "never valid" },
		[BU_FF] = { "a b \xFF", 4, "never valid" },
	};
	for (int i = 0; i < BU_COUNT; i++) {
		size_t n = 99;
		int32_t *ids = NULL;
		enum clx_status st = clx_tokenizer_encode_alloc(g_ctx, g_tok, bad[i].s, strlen(bad[i].s), &ids, &n);
		char want[32];
		snprintf(want, sizeof want, "at byte %zu", bad[i].off);
		CHECK(st == CLX_ERR_FORMAT && ids == NULL && strstr(clx_last_error(g_ctx), want) &&
			      strstr(clx_last_error(g_ctx), bad[i].why),
		      "bad UTF-8 case %d: %s: %s", i, clx_status_name(st), clx_last_error(g_ctx));
		char *norm = NULL;
		CHECK(clx_tokenizer_normalize(g_ctx, bad[i].s, strlen(bad[i].s), &norm, NULL) == CLX_ERR_FORMAT &&
			      !norm,
		      "normalize refuses bad UTF-8 case %d", i);
	}
	/* Passing twins: the boundaries of the valid ranges. */
	static const char *const good[] = { "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF", "\xEE\x80\x80", "\xC2\x80",
					    "\xE0\xA0\x80", "\xF0\x90\x80\x80", "\x7F" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int32_t *ids = NULL;
		size_t n = 0;
		CHECK(clx_tokenizer_encode_alloc(g_ctx, g_tok, good[i], strlen(good[i]), &ids, &n) == CLX_OK && n >= 3,
		      "valid boundary %zu: %s", i, clx_last_error(g_ctx));
		clx_free(ids);
	}
	/* In a batch the message names the label. */
	const char *labels[] = { "playing sports", "caf\xE9 au lait", "go shopping" };
	struct clx_tokenizer_batch *b = NULL;
	enum clx_status st = clx_tokenizer_encode_batch(g_ctx, g_tok, labels, NULL, 3, NULL, &b);
	CHECK(st == CLX_ERR_FORMAT && b == NULL && strstr(clx_last_error(g_ctx), "label 2 of 3") &&
		      strstr(clx_last_error(g_ctx), "caf\\xE9 au lait") &&
		      strstr(clx_last_error(g_ctx), "at byte 3"),
	      "batch names the bad label: %s", clx_last_error(g_ctx));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* 1 MB without a space: one BPE word, or a million pieces, or a million
 * marks to reorder. Must complete (no timing assertion; times printed). */
static void test_big_inputs(void)
{
	const size_t N = 1u << 20;
	char *s = malloc(N + 8);
	static const char *const units[] = { "a", "ab", "7", "!?", "\xE7\x8C\xAB", "\xCC\x81\xCC\x96",
					     "\xF0\x9F\x98\x80", "e\xCC\x81" };
	static const char *const names[] = { "'a'", "'ab'", "'7'", "'!?'", "CJK", "alternating marks",
					     "emoji", "e+U+0301" };
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		size_t ul = strlen(units[u]), n = 0;
		while (n + ul <= N) {
			memcpy(s + n, units[u], ul);
			n += ul;
		}
		int32_t *ids = NULL;
		size_t n_ids = 0;
		double t0 = now_s();
		enum clx_status st = clx_tokenizer_encode_alloc(g_ctx, g_tok, s, n, &ids, &n_ids);
		double dt = now_s() - t0;
		bool ok = st == CLX_OK && n_ids >= 3 && ids[0] == 49406 && ids[n_ids - 1] == 49407;
		for (size_t i = 0; ok && i < n_ids; i++)
			ok = ids[i] >= 0 && ids[i] < 49408;
		CHECK(ok, "1 MB of %s: %s", names[u], clx_last_error(g_ctx));
		printf("1 MB of %-18s → %8zu ids in %.2f s\n", names[u], n_ids, dt);
		clx_free(ids);
	}
	/* 'a' × n has a known shape: the same BPE word as the 2000-'a' golden
	 * string, so check against the model's own smaller answers instead of
	 * timing: every id is the same few tokens. */
	free(s);
	/* Over the cap. */
	size_t big = (size_t)CLX_MAX_TOKENIZER_TEXT + 1;
	char *h = malloc(big);
	memset(h, 'a', big);
	int32_t *ids = NULL;
	size_t n = 0;
	CHECK(clx_tokenizer_encode_alloc(g_ctx, g_tok, h, big, &ids, &n) == CLX_ERR_INVALID_ARG &&
		      strstr(clx_last_error(g_ctx), "limit"),
	      "text over CLX_MAX_TOKENIZER_TEXT: %s", clx_last_error(g_ctx));
	CHECK(clx_tokenizer_encode_alloc(g_ctx, g_tok, h, big - 1, &ids, &n) == CLX_OK,
	      "text of exactly CLX_MAX_TOKENIZER_TEXT");
	clx_free(ids);
	free(h);
}

static void test_batch_behaviour(void)
{
	char long_label[2000] = "";
	for (int i = 0; i < 40; i++)
		strcat(long_label, "a photo of a cat ");
	const char *labels[] = { "playing sports", "", long_label, "x <|endoftext|> y" };
	struct clx_tokenizer_batch *b = NULL;
	CHECK(clx_tokenizer_encode_batch(g_ctx, g_tok, labels, NULL, 4, NULL, &b) == CLX_OK,
	      "batch: %s", clx_last_error(g_ctx));
	if (!b)
		return;
	CHECK(b->n_texts == 4 && b->seq_len == 77, "K %lld L %lld", (long long)b->n_texts,
	      (long long)b->seq_len);
	CHECK(b->lengths[1] == 2 && b->input_ids[77] == 49406 && b->input_ids[78] == 49407 &&
		      b->input_ids[79] == 49407 && b->attention_mask[78] == 1 && b->attention_mask[79] == 0,
	      "empty label → [bos, eos] + padding");
	CHECK(b->truncated[2] && !b->truncated[0] && b->n_truncated == 1 && b->lengths[2] == 77 &&
		      b->full_lengths[2] == 2 + 40 * 5 && b->input_ids[2 * 77 + 76] == 49407 &&
		      b->input_ids[2 * 77 + 75] == 2368,
	      "long label truncated to bos + 75 + eos (full %lld)", (long long)b->full_lengths[2]);
	CHECK(b->special_literal[3] && !b->special_literal[0] && b->n_special_literal == 1 &&
		      b->input_ids[3 * 77 + 2] == 49407,
	      "a literal <|endoftext|> is the eos id and flagged");
	clx_tokenizer_batch_free(b);

	struct clx_tokenizer_batch_opts o = { .max_length = 1 };
	CHECK(clx_tokenizer_encode_batch(g_ctx, g_tok, labels, NULL, 1, &o, &b) == CLX_ERR_INVALID_ARG && !b,
	      "max_length 1 refused");
	o.max_length = CLX_MAX_TOKENS + 1;
	CHECK(clx_tokenizer_encode_batch(g_ctx, g_tok, labels, NULL, 1, &o, &b) == CLX_ERR_INVALID_ARG,
	      "max_length over CLX_MAX_TOKENS refused");
	CHECK(clx_tokenizer_encode_batch(g_ctx, g_tok, labels, NULL, 0, NULL, &b) == CLX_ERR_INVALID_ARG &&
		      strstr(clx_last_error(g_ctx), "no labels"),
	      "no labels refused");
	const char *with_null[] = { "a", NULL };
	CHECK(clx_tokenizer_encode_batch(g_ctx, g_tok, with_null, NULL, 2, NULL, &b) == CLX_ERR_INVALID_ARG &&
		      strstr(clx_last_error(g_ctx), "label 2 of 2 is NULL"),
	      "NULL label refused");
	const char *nul_label[] = { "a\0b" };
	size_t lens[] = { 3 };
	CHECK(clx_tokenizer_encode_batch(g_ctx, g_tok, nul_label, lens, 1, NULL, &b) == CLX_OK &&
		      b->lengths[0] == 5,
	      "explicit lengths keep NUL bytes");
	clx_tokenizer_batch_free(b);
	clx_tokenizer_batch_free(NULL);
}

/* ---------------------------------------------------------- bad vocab/merges */

/* A tiny valid tokenizer: byte symbols for 'a', 'b', their </w> forms, one
 * merge. Each bad case below edits one thing. */
#define V_OK "{\"<|startoftext|>\": 0, \"<|endoftext|>\": 1, \"a\": 2, \"b\": 3, \"a</w>\": 4, \"b</w>\": 5, \"ab</w>\": 6}"
#define M_OK "#version: 0.2\na b</w>\n"

enum bad_case {
	BV_MALFORMED, BV_TRUNCATED, BV_ARRAY, BV_DUP_ID, BV_DUP_TOKEN, BV_ID_RANGE, BV_ID_NEG, BV_ID_HUGE,
	BV_ID_FRACTION, BV_ID_STRING, BV_ID_NULL, BV_NAN, BV_INFINITY, BV_U0000, BV_NUL_BYTE, BV_DEEP,
	BV_NO_BOS, BV_NO_EOS, BV_TRAILING, BV_EMPTY_FILE, BV_EMPTY_OBJECT, BV_BAD_UTF8, BV_LONG_TOKEN,
	BM_UNKNOWN_LEFT, BM_UNKNOWN_RIGHT, BM_MERGED_UNKNOWN, BM_THREE, BM_ONE, BM_BLANK_LINE,
	BM_DOUBLE_SPACE, BM_LEADING_SPACE, BM_TAB, BM_BAD_UTF8,
	BAD_COUNT
};

static const struct {
	const char *vocab; /* NULL: V_OK */
	const char *merges; /* NULL: M_OK */
	const char *msg;    /* must appear in the error */
} bad_cases[BAD_COUNT] = {
	[BV_MALFORMED] = { "{\"a\": 1,, }", NULL, "invalid JSON" },
	[BV_TRUNCATED] = { "{\"<|startoftext|>\": 0, \"a\": 1,", NULL, "invalid JSON" },
	[BV_ARRAY] = { "[1, 2]", NULL, "expected a JSON object" },
	[BV_DUP_ID] = { "{\"<|startoftext|>\": 0, \"<|endoftext|>\": 1, \"a\": 1}", NULL, "id 1 is used by" },
	[BV_DUP_TOKEN] = { "{\"<|startoftext|>\": 0, \"<|endoftext|>\": 1, \"a\": 2, \"a\": 3}", NULL, "appears twice" },
	[BV_ID_RANGE] = { "{\"<|startoftext|>\": 0, \"<|endoftext|>\": 1000000}", NULL, "integer in [0, 1000000)" },
	[BV_ID_NEG] = { "{\"<|startoftext|>\": -1, \"<|endoftext|>\": 1}", NULL, "integer in" },
	[BV_ID_HUGE] = { "{\"<|startoftext|>\": 1e300, \"<|endoftext|>\": 1}", NULL, "integer in" },
	[BV_ID_FRACTION] = { "{\"<|startoftext|>\": 0.5, \"<|endoftext|>\": 1}", NULL, "integer in" },
	[BV_ID_STRING] = { "{\"<|startoftext|>\": \"0\", \"<|endoftext|>\": 1}", NULL, "integer in" },
	[BV_ID_NULL] = { "{\"<|startoftext|>\": null, \"<|endoftext|>\": 1}", NULL, "integer in" },
	[BV_NAN] = { "{\"<|startoftext|>\": NaN, \"<|endoftext|>\": 1}", NULL, "non-standard JSON token 'NaN'" },
	[BV_INFINITY] = { "{\"<|startoftext|>\": Infinity}", NULL, "non-standard JSON token 'Infinity'" },
	[BV_U0000] = { "{\"a\\u0000b\": 0}", NULL, "\\u0000" },
	[BV_NUL_BYTE] = { NULL, NULL, "NUL byte" }, /* built in code */
	[BV_DEEP] = { NULL, NULL, "nested deeper" }, /* built in code */
	[BV_NO_BOS] = { "{\"<|endoftext|>\": 0, \"a\": 1}", NULL, "no \"<|startoftext|>\"" },
	[BV_NO_EOS] = { "{\"<|startoftext|>\": 0, \"a\": 1}", NULL, "no \"<|endoftext|>\"" },
	[BV_TRAILING] = { V_OK " x", NULL, "trailing data after JSON" },
	[BV_EMPTY_FILE] = { "", NULL, "invalid JSON" },
	[BV_EMPTY_OBJECT] = { "{}", NULL, "empty vocabulary" },
	[BV_BAD_UTF8] = { "{\"\xC0\xAF\": 0}", NULL, "invalid UTF-8 at byte 2" },
	[BV_LONG_TOKEN] = { NULL, NULL, "more than 1024" }, /* built in code */
	[BM_UNKNOWN_LEFT] = { NULL, "#version: 0.2\nzz b</w>\n", ":2: symbol \"zz\" is not in the vocabulary" },
	[BM_UNKNOWN_RIGHT] = { NULL, "a qq\n", ":1: symbol \"qq\"" },
	[BM_MERGED_UNKNOWN] = { NULL, "a b\n", ":1: the merge of \"a b\" is not in the vocabulary" },
	[BM_THREE] = { NULL, "#version: 0.2\na b</w> x\n", ":2: expected two symbols" },
	[BM_ONE] = { NULL, "ab\n", ":1: expected two symbols" },
	[BM_BLANK_LINE] = { NULL, "#version: 0.2\n\na b</w>\n", ":2: expected two symbols" },
	[BM_DOUBLE_SPACE] = { NULL, "a  b</w>\n", ":1: expected two symbols" },
	[BM_LEADING_SPACE] = { NULL, " a b</w>\n", ":1: expected two symbols" },
	[BM_TAB] = { NULL, "a\tb</w>\n", ":1: expected two symbols" },
	[BM_BAD_UTF8] = { NULL, "#version: 0.2\na b</w>\n\xFF b\n", ":3: invalid UTF-8 at byte 22" },
};

static void test_bad_files(void)
{
	char *deep = malloc(2100);
	memset(deep, '[', 1001);
	strcpy(deep + 1001, "]");
	char *longtok = malloc(CLX_MAX_TOKENIZER_TOKEN + 64);
	strcpy(longtok, "{\"");
	memset(longtok + 2, 'x', CLX_MAX_TOKENIZER_TOKEN + 1);
	strcpy(longtok + 2 + CLX_MAX_TOKENIZER_TOKEN + 1, "\": 0}");
	static const char nul_vocab[] = "{\"<|startoftext|>\": 0,\0 \"<|endoftext|>\": 1}";

	for (int i = 0; i < BAD_COUNT; i++) {
		const char *v = bad_cases[i].vocab ? bad_cases[i].vocab : V_OK;
		size_t vn = strlen(v);
		if (i == BV_NUL_BYTE) {
			v = nul_vocab;
			vn = sizeof nul_vocab - 1;
		} else if (i == BV_DEEP) {
			v = deep;
			vn = strlen(deep);
		} else if (i == BV_LONG_TOKEN) {
			v = longtok;
			vn = strlen(longtok);
		}
		const char *m = bad_cases[i].merges ? bad_cases[i].merges : M_OK;
		struct clx_tokenizer *t = (struct clx_tokenizer *)1;
		enum clx_status st = clx_tokenizer_load_mem(g_ctx, "case", v, vn, m, strlen(m), &t);
		CHECK(st == CLX_ERR_FORMAT && t == NULL && strstr(clx_last_error(g_ctx), bad_cases[i].msg),
		      "bad case %d: %s: %s (want \"%s\")", i, clx_status_name(st), clx_last_error(g_ctx),
		      bad_cases[i].msg);
		clx_tokenizer_free(t == (struct clx_tokenizer *)1 ? NULL : t);
	}
	free(deep);
	free(longtok);

	/* Passing twins: the tiny vocabulary, and the variants tokenizers accepts. */
	static const struct {
		const char *merges;
		int32_t want[4]; /* ids of "ab" */
		size_t n;
	} good[] = {
		{ M_OK, { 0, 6, 1 }, 3 },
		{ "#version: 0.2\r\na b</w>\r\n", { 0, 6, 1 }, 3 },     /* CRLF */
		{ "a b</w>", { 0, 6, 1 }, 3 },                          /* no header, no final newline */
		{ "", { 0, 2, 5, 1 }, 4 },                              /* no merges */
		{ "a b</w>\n#version: 0.2\na b</w>\n", { 0, 6, 1 }, 3 }, /* repeated pair, "#version" anywhere */
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct clx_tokenizer *t = NULL;
		enum clx_status st = clx_tokenizer_load_mem(g_ctx, "good", V_OK, strlen(V_OK), good[i].merges,
							   strlen(good[i].merges), &t);
		CHECK(st == CLX_OK, "good merges %zu: %s", i, clx_last_error(g_ctx));
		if (st != CLX_OK)
			continue;
		int32_t ids[8];
		size_t n = 0;
		CHECK(clx_tokenizer_encode(g_ctx, t, "ab", 2, ids, 8, &n) == CLX_OK && n == good[i].n &&
			      !memcmp(ids, good[i].want, n * sizeof *ids),
		      "good merges %zu: ids of \"ab\"", i);
		/* A byte the vocabulary lacks is the unk id (<|endoftext|>), one per byte. */
		CHECK(clx_tokenizer_encode(g_ctx, t, "c\xC3\xA9", 3, ids, 8, &n) == CLX_OK && n == 5 &&
			      ids[1] == 1 && ids[2] == 1 && ids[3] == 1,
		      "unknown bytes → unk");
		clx_tokenizer_free(t);
	}
	/* Integral floats are accepted as ids (tokenizers is stricter: documented). */
	struct clx_tokenizer *t = NULL;
	const char *fv = "{\"<|startoftext|>\": 0.0, \"<|endoftext|>\": 1e0}";
	CHECK(clx_tokenizer_load_mem(g_ctx, NULL, fv, strlen(fv), "", 0, &t) == CLX_OK &&
		      clx_tokenizer_info(t)->vocab_size == 2,
	      "ids 0.0 and 1e0: %s", clx_last_error(g_ctx));
	clx_tokenizer_free(t);
	clx_tokenizer_free(NULL);
}

static void test_files_and_config(void)
{
	char dir[] = "/tmp/clx_tok_XXXXXX";
	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	char v[128], m[128], c[128];
	snprintf(v, sizeof v, "%s/vocab.json", dir);
	snprintf(m, sizeof m, "%s/merges.txt", dir);
	snprintf(c, sizeof c, "%s/tokenizer_config.json", dir);
	struct clx_tokenizer *t = NULL;

	CHECK(clx_tokenizer_load(g_ctx, v, m, &t) == CLX_ERR_NOT_FOUND && !t &&
		      strstr(clx_last_error(g_ctx), "vocab.json"),
	      "missing vocab.json: %s", clx_last_error(g_ctx));
	test_write_file(v, V_OK, strlen(V_OK));
	CHECK(clx_tokenizer_load(g_ctx, v, m, &t) == CLX_ERR_NOT_FOUND && strstr(clx_last_error(g_ctx), "merges.txt"),
	      "missing merges.txt: %s", clx_last_error(g_ctx));
	CHECK(clx_tokenizer_load(g_ctx, v, dir, &t) == CLX_ERR_IO, "a directory as merges.txt: %s",
	      clx_last_error(g_ctx));
	test_write_file(m, M_OK, strlen(M_OK));
	CHECK(clx_tokenizer_load(g_ctx, v, m, &t) == CLX_OK, "load: %s", clx_last_error(g_ctx));
	clx_tokenizer_free(t);

	static const struct {
		const char *json; /* NULL: no file */
		enum clx_status st;
		int32_t mml;
	} cfg[] = {
		{ NULL, CLX_OK, 77 },
		{ "{\"model_max_length\": 77, \"do_lower_case\": false}", CLX_OK, 77 },
		{ "{\"model_max_length\": 16}", CLX_OK, 16 },
		{ "{\"model_max_length\": 1e30}", CLX_OK, 77 },
		{ "{\"model_max_length\": null}", CLX_OK, 77 },
		{ "{\"bos_token\": {\"content\": \"<|startoftext|>\"}}", CLX_OK, 77 },
		{ "{\"model_max_length\": 1}", CLX_ERR_FORMAT, 0 },
		{ "{\"model_max_length\": 7.5}", CLX_ERR_FORMAT, 0 },
		{ "{\"model_max_length\": \"77\"}", CLX_ERR_FORMAT, 0 },
		{ "{\"model_max_length\": 77, \"model_max_length\": 20}", CLX_ERR_FORMAT, 0 },
		{ "{\"model_max_length\": NaN}", CLX_ERR_FORMAT, 0 },
		{ "[77]", CLX_ERR_FORMAT, 0 },
		{ "{", CLX_ERR_FORMAT, 0 },
	};
	for (size_t i = 0; i < sizeof cfg / sizeof cfg[0]; i++) {
		unlink(c);
		if (cfg[i].json)
			test_write_file(c, cfg[i].json, strlen(cfg[i].json));
		t = NULL;
		enum clx_status st = clx_tokenizer_load_dir(g_ctx, dir, &t);
		CHECK(st == cfg[i].st && (st != CLX_OK || clx_tokenizer_info(t)->model_max_length == cfg[i].mml),
		      "tokenizer_config case %zu: %s %s", i, clx_status_name(st), clx_last_error(g_ctx));
		CHECK(st == CLX_OK || (!t && strstr(clx_last_error(g_ctx), "tokenizer_config.json")),
		      "tokenizer_config case %zu names the file", i);
		clx_tokenizer_free(t);
	}
	unlink(c);
	unlink(v);
	unlink(m);
	rmdir(dir);
}

/* ------------------------------------------------------- allocation failure */

static void test_alloc_fail(void)
{
	/* Load: the tiny vocabulary + a config, every allocation. */
	char dir[] = "/tmp/clx_tok_XXXXXX";
	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	char p[128];
	snprintf(p, sizeof p, "%s/vocab.json", dir);
	test_write_file(p, V_OK, strlen(V_OK));
	snprintf(p, sizeof p, "%s/merges.txt", dir);
	test_write_file(p, M_OK, strlen(M_OK));
	snprintf(p, sizeof p, "%s/tokenizer_config.json", dir);
	test_write_file(p, "{\"model_max_length\": 77}", 24);
	long n, failures = 0;
	for (n = 1;; n++) {
		struct clx_tokenizer *t = NULL;
		alloc_fail_arm(n);
		enum clx_status st = clx_tokenizer_load_dir(g_ctx, dir, &t);
		int hit = alloc_fail_hit();
		alloc_fail_arm(0);
		if (!hit) {
			CHECK(st == CLX_OK, "load with no failure: %s", clx_last_error(g_ctx));
			clx_tokenizer_free(t);
			break;
		}
		failures += st != CLX_ERR_NOMEM || t != NULL || !clx_last_error(g_ctx)[0];
		clx_tokenizer_free(t);
	}
	CHECK(failures == 0, "load_dir: %ld of %ld injected failures not reported as NOMEM", failures, n - 1);
	printf("allocation failure: load_dir (tiny vocab) survives all %ld allocations\n", n - 1);
	unlink(p);
	snprintf(p, sizeof p, "%s/vocab.json", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/merges.txt", dir);
	unlink(p);
	rmdir(dir);

	/* Load of the real vocabulary: a spread of allocation indices. */
	long tried = 0;
	failures = 0;
	for (n = 1;; n = n < 64 ? n + 1 : n * 5 / 4) {
		struct clx_tokenizer *t = NULL;
		alloc_fail_arm(n);
		enum clx_status st = clx_tokenizer_load_dir(g_ctx, g_dir, &t);
		int hit = alloc_fail_hit();
		alloc_fail_arm(0);
		clx_tokenizer_free(t);
		if (!hit)
			break;
		tried++;
		failures += st != CLX_ERR_NOMEM || t != NULL;
	}
	CHECK(failures == 0, "load (real vocab): %ld of %ld failures not NOMEM", failures, tried);
	printf("allocation failure: load_dir (real vocab) at %ld allocation indices up to %ld\n", tried, n);

	/* Encode, batch and normalize with the real tokenizer, every allocation. */
	const char *text = "A Photo of   a CAT, İstanbul's café\xCC\x81 <|endoftext|> 猫 😀 !!!";
	const char *labels[] = { "playing sports", text, "a photo of a cat a photo of a cat a photo of a cat" };
	long enc_n = 0, batch_n = 0, norm_n = 0;
	failures = 0;
	for (int what = 0; what < 3; what++) {
		for (n = 1;; n++) {
			int32_t *ids = NULL;
			size_t k = 0;
			struct clx_tokenizer_batch *b = NULL;
			char *s = NULL;
			enum clx_status st;
			alloc_fail_arm(n);
			if (what == 0)
				st = clx_tokenizer_encode_alloc(g_ctx, g_tok, text, strlen(text), &ids, &k);
			else if (what == 1)
				st = clx_tokenizer_encode_batch(g_ctx, g_tok, labels, NULL, 3, NULL, &b);
			else
				st = clx_tokenizer_normalize(g_ctx, text, strlen(text), &s, &k);
			int hit = alloc_fail_hit();
			alloc_fail_arm(0);
			clx_free(ids);
			clx_tokenizer_batch_free(b);
			clx_free(s);
			if (!hit) {
				CHECK(st == CLX_OK, "no failure injected: %s", clx_last_error(g_ctx));
				break;
			}
			failures += st != CLX_ERR_NOMEM || ids || b || s;
		}
		*(what == 0 ? &enc_n : what == 1 ? &batch_n : &norm_n) = n - 1;
	}
	CHECK(failures == 0, "%ld injected failures in encode/batch/normalize not reported", failures);
	printf("allocation failure: encode %ld, batch %ld, normalize %ld allocations, all reported\n", enc_n,
	       batch_n, norm_n);
}

/* -------------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
		return 2;
	}
	g_dir = argv[1];
	g_ctx = clx_ctx_create();
	enum clx_status st = clx_tokenizer_load_dir(g_ctx, g_dir, &g_tok);
	CHECK(st == CLX_OK, "load %s: %s", g_dir, clx_last_error(g_ctx));
	if (st != CLX_OK)
		return check_summary();

	char path[4096];
	snprintf(path, sizeof path, "%s/golden.json", g_dir);
	size_t gn = 0;
	char *gs = test_read_file(path, &gn);
	CHECK(gs != NULL, "cannot read %s", path);
	cJSON *golden = gs ? cJSON_ParseWithLength(gs, gn) : NULL;
	CHECK(golden != NULL, "%s does not parse", path);
	if (golden) {
		const cJSON *ver = cJSON_GetObjectItemCaseSensitive(golden, "versions");
		printf("golden from transformers %s, tokenizers %s\n",
		       cJSON_GetObjectItemCaseSensitive(ver, "transformers")->valuestring,
		       cJSON_GetObjectItemCaseSensitive(ver, "tokenizers")->valuestring);
		test_golden_corpus(golden);
		test_golden_batches(golden);
		test_golden_unicode(golden);
	}
	cJSON_Delete(golden);
	free(gs);

	test_info_and_basics();
	test_bad_utf8();
	test_big_inputs();
	test_batch_behaviour();
	test_bad_files();
	test_files_and_config();
	test_alloc_fail();

	clx_tokenizer_free(g_tok);
	clx_ctx_free(g_ctx);
	return check_summary();
}
