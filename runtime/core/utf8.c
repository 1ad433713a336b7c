/* utf8.c — strict UTF-8 validation, decoding and encoding (utf8.h).
 *
 * Deliberately not here: normalisation, case mapping and character classes
 * (the tokenizer's, through utf8proc), and replacement of bad sequences:
 * every caller refuses invalid text rather than repairing it. */
#include "core/utf8.h"

size_t clx_utf8_seq(const uint8_t *s, size_t n, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	uint8_t c = s[0];
	if (c < 0x80)
		return 1;
	size_t need;
	uint32_t cp, min;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1, cp = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2, cp = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3, cp = c & 0x07, min = 0x10000;
	} else {
		*why = c <= 0xBF ? "unexpected continuation byte"
		       : c == 0xC0 || c == 0xC1 ? "overlong encoding"
						: "byte never valid in UTF-8";
		return 0;
	}
	for (size_t k = 1; k <= need; k++) {
		if (k >= n || (s[k] & 0xC0) != 0x80) {
			*why = "truncated sequence";
			return 0;
		}
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if (cp < min) {
		*why = "overlong encoding";
		return 0;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF) {
		*why = "UTF-16 surrogate code point";
		return 0;
	}
	if (cp > 0x10FFFF) {
		*why = "code point above U+10FFFF";
		return 0;
	}
	return need + 1;
}

bool clx_utf8_valid(const uint8_t *s, size_t n, size_t *bad, const char **why)
{
	for (size_t i = 0; i < n;) {
		size_t len = clx_utf8_seq(s + i, n - i, why);
		if (!len) {
			if (bad)
				*bad = i;
			return false;
		}
		i += len;
	}
	return true;
}

uint32_t clx_utf8_decode(const uint8_t *s, size_t *i)
{
	uint8_t c = s[*i];
	if (c < 0x80) {
		*i += 1;
		return c;
	}
	if (c < 0xE0) {
		uint32_t cp = ((uint32_t)(c & 0x1F) << 6) | (s[*i + 1] & 0x3F);
		*i += 2;
		return cp;
	}
	if (c < 0xF0) {
		uint32_t cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[*i + 1] & 0x3F) << 6) |
			      (s[*i + 2] & 0x3F);
		*i += 3;
		return cp;
	}
	uint32_t cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[*i + 1] & 0x3F) << 12) |
		      ((uint32_t)(s[*i + 2] & 0x3F) << 6) | (s[*i + 3] & 0x3F);
	*i += 4;
	return cp;
}

size_t clx_utf8_encode(uint8_t *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uint8_t)(0xC0 | (cp >> 6));
		o[1] = (uint8_t)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (uint8_t)(0xE0 | (cp >> 12));
		o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (uint8_t)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (uint8_t)(0xF0 | (cp >> 18));
	o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (uint8_t)(0x80 | (cp & 0x3F));
	return 4;
}
