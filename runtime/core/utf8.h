/* utf8.h — strict UTF-8 (RFC 3629): validation with the reason a sequence
 * is refused, and decoding/encoding of single code points. Shared by every
 * reader of text from untrusted files (safetensors headers and names, the
 * tokenizer's vocab.json, merges.txt and label text). Internal.
 *
 * Refused: stray continuation bytes, C0/C1 and other overlong forms, UTF-16
 * surrogates (U+D800..DFFF), code points above U+10FFFF, bytes F5..FF and
 * truncated sequences. NUL is an ordinary (one-byte) character here; callers
 * that refuse it check for it themselves. */
#ifndef CLX_CORE_UTF8_H
#define CLX_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1 to 4) of the valid sequence at s, n ≥ 1 bytes available; 0 if
 * it is not valid, with what is wrong in *why (when why is not NULL):
 * "unexpected continuation byte", "overlong encoding", "byte never valid in
 * UTF-8", "truncated sequence", "UTF-16 surrogate code point" or "code point
 * above U+10FFFF". */
size_t clx_utf8_seq(const uint8_t *s, size_t n, const char **why);

/* Whether s[0, n) is valid UTF-8. On failure *bad is the offset of the
 * first byte of the bad sequence and *why as clx_utf8_seq (either pointer
 * may be NULL). */
bool clx_utf8_valid(const uint8_t *s, size_t n, size_t *bad, const char **why);

/* The code point at s[*i] of already validated UTF-8; advances *i past it. */
uint32_t clx_utf8_decode(const uint8_t *s, size_t *i);

/* Writes code point cp (≤ U+10FFFF) as 1 to 4 bytes at o; returns the count. */
size_t clx_utf8_encode(uint8_t *o, uint32_t cp);

#endif
