/* tokenizer.h — the CLIP byte-level BPE tokenizer: label text → input_ids.
 *
 * Gives exactly the ids of transformers 5.24's CLIPTokenizer (the one backed
 * by the tokenizers library, tokenizers 0.23), built from a model's
 * vocab.json and merges.txt (docs/XCLIP.md §5):
 *
 *   1. The literal strings "<|startoftext|>" and "<|endoftext|>" anywhere in
 *      the raw text (exact bytes, before any normalisation) are the special
 *      tokens 49406 / 49407, as transformers does: a label containing
 *      "<|endoftext|>" gets an eos id in the middle (and X-CLIP pools the
 *      text at the first eos, so what follows it is ignored by the model).
 *      The batch result flags such labels so a caller can warn. Any other
 *      spelling ("<|ENDOFTEXT|>", "<| endoftext |>") is ordinary text.
 *   2. The text between them is normalised: NFC (with the Unicode 9.0
 *      composition data tokenizers uses, see tokenizer.c), every run of
 *      Unicode White_Space → one " ", then per-character lowercase (Rust's
 *      char::to_lowercase: 'İ' → "i̇", 'Σ' → 'σ' everywhere).
 *   3. Pre-tokenised with `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|
 *      'll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+` (matches kept, spaces
 *      dropped), each piece then split again by the ByteLevel GPT-2 pattern
 *      (which only changes a lowercased special-token spelling: "<|", "endoftext", "|>").
 *   4. Each piece's UTF-8 bytes are mapped to byte symbols, the last one with
 *      "</w>", and merged by BPE rank (lowest rank first, leftmost on ties).
 *   5. [bos] + ids + [eos].
 *
 * Edge cases (each has a test in tests/test_tokenizer.c):
 *   - Invalid UTF-8 (stray continuation byte, truncated sequence, overlong
 *     form, UTF-16 surrogate such as ED A0 80, code point > U+10FFFF, bytes
 *     F5..FF) is CLX_ERR_FORMAT naming the label and the byte offset.
 *     transformers cannot receive such text at all (a Python str is Unicode),
 *     so there is nothing to match; clx refuses rather than guesses.
 *   - NUL bytes inside `len` are ordinary characters (as "\x00" in Python).
 *   - The empty text, or one of only spaces, gives [bos, eos].
 *   - Text longer than CLX_MAX_TOKENIZER_TEXT bytes is CLX_ERR_INVALID_ARG.
 *   - Characters assigned after Unicode 15.0 (utf8proc 2.8's data) may be
 *     classified differently from transformers, whose tables are newer.
 *     Exhaustively checked per code point by tests/test_tokenizer.c.
 *   - Time is O(n log n) in the text length; scratch memory is about 40
 *     bytes per input byte (measured on 1 MiB labels without spaces, each one
 *     BPE word), under 80 whatever the text. 1 MiB takes well under a second.
 *
 * A loaded tokenizer is immutable: encode from several threads at once. */
#ifndef CLX_TOKENIZER_H
#define CLX_TOKENIZER_H

#include "clx/clx.h"

#ifdef __cplusplus
extern "C" {
#endif

struct clx_tokenizer;

struct clx_tokenizer_info {
	int32_t vocab_size;       /* largest id in vocab.json + 1 (49408 for CLIP) */
	int32_t n_merges;         /* distinct merge pairs (48894) */
	int32_t bos_id;           /* "<|startoftext|>" (49406) */
	int32_t eos_id;           /* "<|endoftext|>" (49407), also unk */
	int32_t pad_id;           /* = eos_id, as CLIP's pad_token */
	int32_t model_max_length; /* tokenizer_config.json's, else 77 */
};

/* Reads and validates vocab.json (a JSON object token → id; ids integers in
 * [0, CLX_MAX_TOKENIZER_VOCAB), no duplicate ids or tokens, both special
 * tokens present) and merges.txt ("#version" lines skipped; every other line
 * exactly "A B" with one space, "\r\n" accepted; A, B and AB must be in the
 * vocab, as tokenizers requires). Missing file → CLX_ERR_NOT_FOUND; bad
 * content → CLX_ERR_FORMAT with file:line or the token named. */
enum clx_status clx_tokenizer_load(struct clx_ctx *ctx, const char *vocab_json_path,
				   const char *merges_txt_path, struct clx_tokenizer **out);

/* dir/vocab.json + dir/merges.txt, and dir/tokenizer_config.json when present:
 * only its model_max_length is read (used when it is an integer in
 * [2, CLX_MAX_TOKENS]; transformers' "unset" value 1e30 or absent → 77).
 * do_lower_case and the other keys are ignored, as transformers 5 does. */
enum clx_status clx_tokenizer_load_dir(struct clx_ctx *ctx, const char *dir,
				       struct clx_tokenizer **out);

/* The same from memory (for fuzzing and embedding). `name` prefixes messages. */
enum clx_status clx_tokenizer_load_mem(struct clx_ctx *ctx, const char *name,
				       const char *vocab_json, size_t vocab_len,
				       const char *merges_txt, size_t merges_len,
				       struct clx_tokenizer **out);

/* Accepts NULL and half-built tokenizers. */
void clx_tokenizer_free(struct clx_tokenizer *tok);

const struct clx_tokenizer_info *clx_tokenizer_info(const struct clx_tokenizer *tok);

/* The vocab.json string of an id (byte-level form: "a</w>", "Ġ"...), its
 * length in *len when len is not NULL; NULL for an id not in the vocab. */
const char *clx_tokenizer_token(const struct clx_tokenizer *tok, int32_t id, size_t *len);

/* Encodes `len` bytes of UTF-8 `text` to [bos] + ids + [eos], untruncated.
 * *n_ids receives the full count on success and on CLX_ERR_INVALID_ARG for a
 * too-small buffer (then nothing is written; ids may be NULL with cap 0 to
 * ask the size). */
enum clx_status clx_tokenizer_encode(struct clx_ctx *ctx, const struct clx_tokenizer *tok,
				     const char *text, size_t len, int32_t *ids, size_t cap,
				     size_t *n_ids);

/* The same into a new clx_malloc'ed array (free with clx_free). */
enum clx_status clx_tokenizer_encode_alloc(struct clx_ctx *ctx, const struct clx_tokenizer *tok,
					   const char *text, size_t len, int32_t **ids,
					   size_t *n_ids);

/* ------------------------------------------------------------------ batches */

struct clx_tokenizer_batch_opts {
	size_t max_length;      /* 0: model_max_length (77). Each label is cut to
				 * bos + its first max_length-2 ids + eos, as
				 * truncation=True does; must be ≥ 2. */
	bool pad_to_max_length; /* false: pad to the longest label (padding=True);
				 * true: to max_length (padding="max_length") */
};

/* Labels as the text model takes them. */
struct clx_tokenizer_batch {
	int64_t n_texts;         /* K */
	int64_t seq_len;         /* L: the longest label after truncation */
	int32_t *input_ids;      /* (K, L) right-padded with pad_id */
	int32_t *attention_mask; /* (K, L) 1 for real tokens incl. bos/eos, 0 for padding */
	int64_t *lengths;        /* (K) real tokens per label, after truncation */
	int64_t *full_lengths;   /* (K) before truncation */
	bool *truncated;         /* (K) full_lengths > max_length: the caller warns */
	bool *special_literal;   /* (K) the text contains a literal "<|startoftext|>"
				  * or "<|endoftext|>" (encoded as that special id) */
	int64_t n_truncated;
	int64_t n_special_literal;
};

/* Encodes n_texts labels (lens NULL: each is NUL-terminated; else lens[k]
 * bytes, NULs allowed). n_texts = 0 is CLX_ERR_INVALID_ARG ("no labels").
 * An empty label is not an error here ([bos, eos], length 2, as transformers);
 * a caller that wants to refuse it checks lengths[k] == 2. Errors in one label
 * name it: "label 3 of 5 ("caf\xE9"): invalid UTF-8 at byte 3 ...". opts may
 * be NULL for the defaults. */
enum clx_status clx_tokenizer_encode_batch(struct clx_ctx *ctx, const struct clx_tokenizer *tok,
					   const char *const *texts, const size_t *lens,
					   size_t n_texts,
					   const struct clx_tokenizer_batch_opts *opts,
					   struct clx_tokenizer_batch **out);

/* Accepts NULL and half-built batches. */
void clx_tokenizer_batch_free(struct clx_tokenizer_batch *b);

/* ------------------------------------------------------ exposed for tests */

/* transformers' normaliser alone (step 2) on valid UTF-8, into a new
 * clx_malloc'ed NUL-terminated string. Invalid UTF-8 → CLX_ERR_FORMAT. */
enum clx_status clx_tokenizer_normalize(struct clx_ctx *ctx, const char *text, size_t len,
					char **out, size_t *out_len);

/* The pre-tokeniser's class of one code point. */
enum clx_tokenizer_class {
	CLX_TOKENIZER_CLASS_SPACE = 0, /* Unicode White_Space (\s) */
	CLX_TOKENIZER_CLASS_LETTER,    /* \p{L} */
	CLX_TOKENIZER_CLASS_NUMBER,    /* \p{N} */
	CLX_TOKENIZER_CLASS_OTHER,     /* anything else: punctuation, marks, symbols, controls */
};
enum clx_tokenizer_class clx_tokenizer_char_class(uint32_t cp);

#ifdef __cplusplus
}
#endif
#endif
