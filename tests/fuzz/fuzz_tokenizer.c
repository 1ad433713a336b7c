/* fuzz_tokenizer.c — libFuzzer target for the CLIP tokenizer.
 *
 * The first byte picks what the rest is:
 *   0: one text, encoded with the real CLIP vocabulary and normalised;
 *   1: labels separated by '\n' (at most 64), encoded as a batch whose
 *      max_length is the second byte (0: the default 77);
 *   2: a vocab.json, a NUL byte, a merges.txt — loaded from memory, then
 *      used to encode a fixed text and the merges part.
 * Any input must give CLX_OK with results that keep the invariants below, or
 * a failure with a message — never a crash, leak or sanitizer report.
 *
 * The real vocabulary comes from $CLX_TOKENIZER_DIR, else the fixture folder
 * compiled in (CLX_TOKENIZER_FIXTURE); without either, modes 0 and 1 are
 * skipped. Build with -fsanitize=fuzzer, or replay a corpus with
 * tests/fuzz/replay.c. */
#include "clx/limits.h"
#include "clx/tokenizer.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct clx_tokenizer *real_tokenizer(void)
{
	static struct clx_tokenizer *tok;
	static bool tried;
	if (!tried) {
		tried = true;
		const char *dir = getenv("CLX_TOKENIZER_DIR");
#ifdef CLX_TOKENIZER_FIXTURE
		if (!dir)
			dir = CLX_TOKENIZER_FIXTURE;
#endif
		struct clx_ctx *ctx = clx_ctx_create();
		if (dir && ctx && clx_tokenizer_load_dir(ctx, dir, &tok) != CLX_OK)
			tok = NULL;
		clx_ctx_free(ctx);
	}
	return tok;
}

static void check_ids(const struct clx_tokenizer *tok, const int32_t *ids, size_t n)
{
	const struct clx_tokenizer_info *in = clx_tokenizer_info(tok);
	if (n < 2 || ids[0] != in->bos_id || ids[n - 1] != in->eos_id)
		abort();
	for (size_t i = 0; i < n; i++)
		if (ids[i] < 0 || ids[i] >= in->vocab_size || !clx_tokenizer_token(tok, ids[i], NULL))
			abort();
}

static void fuzz_text(struct clx_ctx *ctx, const struct clx_tokenizer *tok, const char *s, size_t n)
{
	int32_t *ids = NULL;
	size_t n_ids = 0;
	enum clx_status st = clx_tokenizer_encode_alloc(ctx, tok, s, n, &ids, &n_ids);
	if (st == CLX_OK)
		check_ids(tok, ids, n_ids);
	else if (st != CLX_ERR_FORMAT || ids || !clx_last_error(ctx)[0])
		abort();
	clx_free(ids);
	char *norm = NULL;
	size_t nn = 0;
	st = clx_tokenizer_normalize(ctx, s, n, &norm, &nn);
	if (st == CLX_OK) {
		if (!norm || norm[nn] != '\0')
			abort();
		/* The normalised text is valid UTF-8: it must encode. */
		int32_t *again = NULL;
		size_t na = 0;
		if (clx_tokenizer_encode_alloc(ctx, tok, norm, nn, &again, &na) != CLX_OK)
			abort();
		clx_free(again);
	}
	clx_free(norm);
}

static void fuzz_batch(struct clx_ctx *ctx, const struct clx_tokenizer *tok, const uint8_t *d,
		       size_t n)
{
	if (n == 0)
		return;
	struct clx_tokenizer_batch_opts opts = { .max_length = d[0] };
	const char *texts[64];
	size_t lens[64], k = 0, start = 1;
	for (size_t i = 1; i <= n && k < 64; i++) {
		if (i == n || d[i] == '\n') {
			texts[k] = (const char *)d + start;
			lens[k++] = i - start;
			start = i + 1;
		}
	}
	struct clx_tokenizer_batch *b = NULL;
	enum clx_status st = clx_tokenizer_encode_batch(ctx, tok, texts, lens, k, &opts, &b);
	if (st != CLX_OK) {
		if (b || !clx_last_error(ctx)[0])
			abort();
		return;
	}
	size_t max_len = opts.max_length ? opts.max_length : 77;
	if (b->n_texts != (int64_t)k || b->seq_len < 2 || (size_t)b->seq_len > max_len)
		abort();
	int64_t L = b->seq_len, truncated = 0;
	for (size_t i = 0; i < k; i++) {
		int64_t len = b->lengths[i];
		if (len < 2 || len > L || b->truncated[i] != (b->full_lengths[i] > (int64_t)max_len))
			abort();
		truncated += b->truncated[i];
		check_ids(tok, b->input_ids + i * L, (size_t)len);
		for (int64_t j = 0; j < L; j++)
			if (b->attention_mask[i * L + j] != (j < len) ||
			    (j >= len && b->input_ids[i * L + j] != clx_tokenizer_info(tok)->pad_id))
				abort();
	}
	if (truncated != b->n_truncated)
		abort();
	clx_tokenizer_batch_free(b);
}

static void fuzz_files(struct clx_ctx *ctx, const uint8_t *d, size_t n)
{
	const uint8_t *nul = memchr(d, 0, n);
	size_t vn = nul ? (size_t)(nul - d) : n;
	const char *m = nul ? (const char *)nul + 1 : "";
	size_t mn = nul ? n - vn - 1 : 0;
	struct clx_tokenizer *tok = NULL;
	enum clx_status st = clx_tokenizer_load_mem(ctx, "fuzz", (const char *)d, vn, m, mn, &tok);
	if (st != CLX_OK) {
		if (tok || !clx_last_error(ctx)[0])
			abort();
		return;
	}
	const struct clx_tokenizer_info *in = clx_tokenizer_info(tok);
	if (in->vocab_size < 2 || in->vocab_size > CLX_MAX_TOKENIZER_VOCAB ||
	    in->n_merges > CLX_MAX_TOKENIZER_MERGES)
		abort();
	static const char fixed[] = "A photo of a cat's <|endoftext|> café 123 !!";
	fuzz_text(ctx, tok, fixed, sizeof fixed - 1);
	fuzz_text(ctx, tok, m, mn);
	clx_tokenizer_free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct clx_ctx *ctx = clx_ctx_create();
	if (!ctx)
		return 0;
	const struct clx_tokenizer *tok = real_tokenizer();
	switch (data[0] % 3) {
	case 0:
		if (tok)
			fuzz_text(ctx, tok, (const char *)data + 1, size - 1);
		break;
	case 1:
		if (tok)
			fuzz_batch(ctx, tok, data + 1, size - 1);
		break;
	default:
		fuzz_files(ctx, data + 1, size - 1);
		break;
	}
	clx_ctx_free(ctx);
	return 0;
}
