/* tokenizer_internal.h — what the files of the CLIP tokenizer share: the
 * loaded tokenizer, the per-call encoder scratch, and the few functions one
 * file calls in another. Not installed; only runtime/io/tokenizer*.c
 * include it.
 *
 * The files, one job each:
 *   tokenizer.c        BPE, encoding one text and batches of labels (the
 *                      public encode API)
 *   tokenizer_text.c   Unicode: character classes, transformers' NFC +
 *                      whitespace + lowercase normaliser, the pre-tokeniser
 *   tokenizer_vocab.c  reading and validating vocab.json, merges.txt and
 *                      tokenizer_config.json into the lookup tables */
#ifndef CLX_IO_TOKENIZER_INTERNAL_H
#define CLX_IO_TOKENIZER_INTERNAL_H

#include "clx/tokenizer.h"

#define BOS_TOKEN "<|startoftext|>"
#define EOS_TOKEN "<|endoftext|>"
#define EOW_SUFFIX "</w>"

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

/* The 64-bit finaliser both hash tables use (vocab strings and merge pairs). */
static inline uint64_t tokenizer_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
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

/* ---------------------------------------------------------- tokenizer.c */

/* Grows *p (of *cap elements of `elem` bytes) to hold `want`, doubling;
 * false when out of memory or the size would overflow. */
bool tokenizer_reserve(void **p, size_t *cap, size_t want, size_t elem);

void tokenizer_enc_free(struct enc *e);

/* One pre-token: code points → UTF-8 bytes → BPE ids appended to e->out. */
bool tokenizer_emit_piece(struct enc *e, const uint32_t *cp, size_t n);

/* Up to `max` bytes of s for a message: printable ASCII as is, the rest as
 * \xNN, "..." when cut. */
void tokenizer_quote(char *out, size_t cap, const char *s, size_t n, size_t max);

/* The message for a failed encode of `what` (CLX_ERR_FORMAT: invalid UTF-8
 * at e->bad_offset; CLX_ERR_INVALID_ARG: too long; else out of memory). */
enum clx_status tokenizer_encode_fail(struct clx_ctx *ctx, const struct enc *e,
				      enum clx_status st, const char *what, const char *text,
				      size_t len);

/* ----------------------------------------------------- tokenizer_text.c */

/* s[0..n) (valid UTF-8) → e->cp: NFC, White_Space runs → " ", lowercase. */
bool tokenizer_normalize(struct enc *e, const uint8_t *s, size_t n);

/* The Split pre-tokeniser over e->cp (matches kept, whitespace dropped), then
 * the ByteLevel GPT-2 split; each piece goes to tokenizer_emit_piece. */
bool tokenizer_pretokenize(struct enc *e);

#endif
