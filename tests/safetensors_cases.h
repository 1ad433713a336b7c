/* safetensors_cases.h — the generated inputs of tests/test_safetensors.c:
 * an enum of cases (llama.cpp's test-gguf), one per check of
 * docs/SECURITY.md §4 plus a passing twin for every check, and build(id),
 * which returns a case's whole file with the status and message part the
 * reader must give. Most cases are one header over zero-filled data (the
 * table); the others build their bytes in code. Also the byte-buffer helpers
 * the test uses to build files. Included by test_safetensors.c only. */
#ifndef CLX_TEST_SAFETENSORS_CASES_H
#define CLX_TEST_SAFETENSORS_CASES_H

#include "clx/safetensors.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- buffers */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *s, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p) {
			fprintf(stderr, "test: out of memory\n");
			exit(2);
		}
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void put_u64(struct buf *b, uint64_t v)
{
	uint8_t le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	put(b, le, 8);
}

static void put_f32(struct buf *b, uint32_t bits)
{
	uint8_t le[4] = { (uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16),
			  (uint8_t)(bits >> 24) };
	put(b, le, 4);
}

/* A whole file: length prefix, header bytes, data bytes. */
static struct buf file_of(const char *hdr, size_t hlen, const void *data, size_t dlen)
{
	struct buf b = { 0 };
	put_u64(&b, hlen);
	put(&b, hdr, hlen);
	put(&b, data, dlen);
	return b;
}

static uint32_t f32_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}


/* ------------------------------------------------------------- cases */

enum case_id {
	/* length prefix */
	CASE_EMPTY,
	CASE_7_BYTES,
	CASE_N_ZERO,
	CASE_N_MAX,
	CASE_N_OVER_LIMIT,
	CASE_N_PAST_EOF,
	CASE_NO_TENSORS, /* N ends exactly at EOF: valid */
	/* header bytes */
	CASE_BAD_UTF8,
	CASE_OVERLONG_UTF8,
	CASE_SURROGATE_UTF8,
	CASE_TRUNCATED_UTF8,
	CASE_GOOD_UTF8,
	CASE_NUL_IN_NAME,
	CASE_ESC_NUL_IN_NAME,
	CASE_ESC_BACKSLASH_U0000, /* "x\\u0000": a backslash, not a NUL: valid */
	CASE_ESC_UNICODE,
	CASE_CTRL_IN_STRING,
	CASE_BOM,
	CASE_NAN,
	CASE_INFINITY,
	CASE_NEG_INFINITY,
	CASE_NAN_IN_STRING,
	CASE_DEPTH_1001,
	CASE_DEPTH_65,
	CASE_DEPTH_64,
	/* JSON */
	CASE_TRUNC_OBJECT,
	CASE_TRUNC_STRING,
	CASE_AFTER_JSON,
	CASE_WHITESPACE_PAD,
	CASE_NOT_OBJECT,
	CASE_DUP_NAME,
	CASE_DUP_NAME_APART,
	CASE_SIMILAR_NAMES,
	CASE_META_OK,
	CASE_META_NOT_OBJECT,
	CASE_META_NUMBER,
	CASE_META_DUP_KEY,
	/* entries */
	CASE_ENTRY_NOT_OBJECT,
	CASE_DTYPE_UPPER,
	CASE_MISSING_OFFSETS,
	CASE_EXTRA_FIELD,
	CASE_FIELD_TWICE,
	CASE_DTYPE_NOT_STRING,
	CASE_DTYPE_UNKNOWN,
	CASE_DTYPE_F64,
	CASE_DTYPE_I8_AND_HOLE,
	CASE_DTYPE_F4_ODD,
	CASE_ALL_DTYPES,
	CASE_SHAPE_NOT_ARRAY,
	CASE_SHAPE_HUGE,
	CASE_SHAPE_MAX_DIM,
	CASE_SHAPE_OVER_DIM,
	CASE_SHAPE_OVERFLOW,
	CASE_SHAPE_OVERFLOW_ZERO,
	CASE_SHAPE_FRACTION,
	CASE_SHAPE_NEGATIVE,
	CASE_SHAPE_STRING,
	CASE_SHAPE_RANK8,
	CASE_SHAPE_RANK9,
	CASE_OFFSETS_THREE,
	CASE_OFFSETS_FRACTION,
	CASE_OFFSETS_NEGATIVE,
	CASE_END_BEFORE_BEGIN,
	CASE_SIZE_MISMATCH,
	/* tiling */
	CASE_OVERLAP,
	CASE_HOLE,
	CASE_HOLE_AT_START,
	CASE_TRAILING_BYTES,
	CASE_TRUNCATED_DATA,
	CASE_OUT_OF_ORDER,
	CASE_SCALARS_AND_EMPTY,
	CASE_MISALIGNED,
	CASE_COUNT
};

struct tcase {
	const char *name;
	enum clx_status want;
	const char *needle; /* part of the message (failures) */
	struct buf file;
};

static const uint8_t zeros[64];

/* One F32 tensor "a" of shape [n] at [0, 4n]: the usual valid header. */
#define ONE_A "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"

/* Misaligned case: three F32 values with awkward bit patterns. */
static const uint32_t misaligned_bits[3] = { 0x7fc12345u /* NaN payload */, 0x80000000u /* -0 */,
					     0x00000001u /* smallest subnormal */ };

/* F16 / BF16 patterns and their exact f32 values. */
static const uint16_t f16_in[] = { 0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x8000, 0x3555, 0x7c00, 0xfc00 };
static const float f16_want[] = { 1.0f, -2.0f, 65504.0f, 0x1p-24f, 0x3ffp-24f, -0.0f, 0x1.554p-2f,
				  INFINITY, -INFINITY };
static const uint16_t bf16_in[] = { 0x3f80, 0xc000, 0x4049, 0x0001, 0x7f7f, 0x8000, 0x7f80, 0xff80 };
static const float bf16_want[] = { 1.0f, -2.0f, 3.140625f, 0x1p-133f, 0x1.fep127f, -0.0f, INFINITY,
				   -INFINITY };
#define N_F16 (int)(sizeof f16_in / sizeof f16_in[0])
#define N_BF16 (int)(sizeof bf16_in / sizeof bf16_in[0])

/* The cases that are one header over `dlen` zero bytes, by id. */
struct simple_case {
	const char *name;
	enum clx_status want;
	const char *needle;
	const char *hdr;
	size_t dlen;
};

#define SIMPLE(id_, want_, needle_, hdr_, dlen_) \
	[id_] = { #id_, want_, needle_, hdr_, dlen_ }
static const struct simple_case simple_cases[CASE_COUNT] = {
	SIMPLE(CASE_NO_TENSORS, CLX_OK, NULL,
	       "{}", 0),
	SIMPLE(CASE_BAD_UTF8, CLX_ERR_FORMAT, "not valid UTF-8 at offset 10 (byte 0xFF)",
	       "{\"\xff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_OVERLONG_UTF8, CLX_ERR_FORMAT, "not valid UTF-8",
	       "{\"\xc0\xaf\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_SURROGATE_UTF8, CLX_ERR_FORMAT, "not valid UTF-8",
	       "{\"\xed\xa0\x80\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_TRUNCATED_UTF8, CLX_ERR_FORMAT, "not valid UTF-8",
	       "{\"\xe2\x82\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_GOOD_UTF8, CLX_OK, NULL,
	       "{\"h\xc3\xa9llo\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\":"
	       "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_ESC_NUL_IN_NAME, CLX_ERR_FORMAT, "\\u0000 escape",
	       "{\"ab\\u0000c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_ESC_BACKSLASH_U0000, CLX_OK, NULL,
	       "{\"x\\\\u0000\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_ESC_UNICODE, CLX_OK, NULL,
	       "{\"\\u00e9\\ud83d\\ude00\\n\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_CTRL_IN_STRING, CLX_ERR_FORMAT, "control character 0x01",
	       "{\"a\x01\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_BOM, CLX_ERR_FORMAT, "byte-order mark",
	       "\xef\xbb\xbf{" ONE_A "}", 4),
	SIMPLE(CASE_NAN, CLX_ERR_FORMAT, "non-standard JSON token 'NaN' at offset 37",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[NaN],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_INFINITY, CLX_ERR_FORMAT, "non-standard JSON token 'Infinity'",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,Infinity]}}", 4),
	SIMPLE(CASE_NEG_INFINITY, CLX_ERR_FORMAT,
	       "non-standard JSON token '-Infinity' at offset 37",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[-Infinity],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_NAN_IN_STRING, CLX_OK, NULL,
	       "{\"__metadata__\":{\"note\":\"NaN Infinity -Infinity\"}," ONE_A "}", 4),
	SIMPLE(CASE_TRUNC_OBJECT, CLX_ERR_FORMAT, "invalid JSON",
	       "{\"a\":1,", 0),
	SIMPLE(CASE_TRUNC_STRING, CLX_ERR_FORMAT, "invalid JSON",
	       "\"abc", 0),
	SIMPLE(CASE_AFTER_JSON, CLX_ERR_FORMAT, "trailing data after JSON at offset 11",
	       "{} {}", 0),
	SIMPLE(CASE_WHITESPACE_PAD, CLX_OK, NULL,
	       " \n\t\r{" ONE_A "} \t\r\n   ", 4),
	SIMPLE(CASE_NOT_OBJECT, CLX_ERR_FORMAT, "header is not a JSON object",
	       "[]", 0),
	SIMPLE(CASE_DUP_NAME, CLX_ERR_FORMAT, "duplicate tensor name 'a'",
	       "{" ONE_A "," ONE_A "}", 4),
	SIMPLE(CASE_DUP_NAME_APART, CLX_ERR_FORMAT, "duplicate tensor name 'x'",
	       "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
	       "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
	       "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12),
	SIMPLE(CASE_SIMILAR_NAMES, CLX_OK, NULL,
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
	       "\"a.b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
	       "\"A\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
	       "\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16),
	SIMPLE(CASE_META_OK, CLX_OK, NULL,
	       "{\"__metadata__\":{\"format\":\"pt\",\"other\":\"\"}," ONE_A "}", 4),
	SIMPLE(CASE_META_NOT_OBJECT, CLX_ERR_FORMAT, "__metadata__ is not an object",
	       "{\"__metadata__\":[\"pt\"]," ONE_A "}", 4),
	SIMPLE(CASE_META_NUMBER, CLX_ERR_FORMAT, "__metadata__ key 'v' is 1, expected a string",
	       "{\"__metadata__\":{\"format\":\"pt\",\"v\":1}," ONE_A "}", 4),
	SIMPLE(CASE_META_DUP_KEY, CLX_ERR_FORMAT, "duplicate __metadata__ key 'k'",
	       "{\"__metadata__\":{\"k\":\"1\",\"j\":\"\",\"k\":\"2\"}," ONE_A "}", 4),
	SIMPLE(CASE_ENTRY_NOT_OBJECT, CLX_ERR_FORMAT, "tensor 'a' is not an object",
	       "{\"a\":[1]}", 0),
	SIMPLE(CASE_DTYPE_UPPER, CLX_ERR_FORMAT, "tensor 'a' has unknown field 'DTYPE'",
	       "{\"a\":{\"DTYPE\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_MISSING_OFFSETS, CLX_ERR_FORMAT, "tensor 'a' has no 'data_offsets'",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
	SIMPLE(CASE_EXTRA_FIELD, CLX_ERR_FORMAT, "unknown field 'extra'",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":0}}", 4),
	SIMPLE(CASE_FIELD_TWICE, CLX_ERR_FORMAT, "field 'dtype' twice",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"dtype\":\"F16\",\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_DTYPE_NOT_STRING, CLX_ERR_FORMAT, "tensor 'a' dtype is not a string",
	       "{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_DTYPE_UNKNOWN, CLX_ERR_FORMAT, "tensor 'a' has unknown dtype 'F33'",
	       "{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_DTYPE_F64, CLX_ERR_UNSUPPORTED,
	       "tensor 'd' has dtype F64, which clx does not support",
	       "{" ONE_A ",\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[4,20]}}", 20),
	/* format beats unsupported */
	SIMPLE(CASE_DTYPE_I8_AND_HOLE, CLX_ERR_FORMAT, "hole of 1 bytes",
	       "{\"q\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[0,3]},"
	       "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
	SIMPLE(CASE_DTYPE_F4_ODD, CLX_ERR_FORMAT, "not a whole number of bytes",
	       "{\"q\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,1]}}", 1),
	SIMPLE(CASE_SHAPE_NOT_ARRAY, CLX_ERR_FORMAT, "tensor 'a' shape is 4, not an array",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_SHAPE_HUGE, CLX_ERR_FORMAT, "tensor 'a' shape[1] is 9.2233720368547758e+18",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,9223372036854775807],\"data_offsets\":[0,8]}}", 8),
	SIMPLE(CASE_SHAPE_MAX_DIM, CLX_OK, NULL,
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[0,281474976710655],\"data_offsets\":[0,0]}}", 0),
	SIMPLE(CASE_SHAPE_OVER_DIM, CLX_ERR_FORMAT,
	       "shape[1] is 281474976710656, expected an integer in [0, 281474976710655]",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[0,281474976710656],\"data_offsets\":[0,0]}}", 0),
	SIMPLE(CASE_SHAPE_OVERFLOW, CLX_ERR_FORMAT,
	       "shape [281474976710655, 281474976710655] F32 overflows",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[281474976710655,281474976710655],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_SHAPE_OVERFLOW_ZERO, CLX_ERR_FORMAT, "overflows",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[0,281474976710655,281474976710655],\"data_offsets\":[0,0]}}", 0),
	SIMPLE(CASE_SHAPE_FRACTION, CLX_ERR_FORMAT, "tensor 'a' shape[0] is 2.5",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,10]}}", 10),
	SIMPLE(CASE_SHAPE_NEGATIVE, CLX_ERR_FORMAT, "tensor 'a' shape[0] is -1",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
	SIMPLE(CASE_SHAPE_STRING, CLX_ERR_FORMAT, "tensor 'a' shape[0] is the string \"2\"",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8),
	SIMPLE(CASE_SHAPE_RANK8, CLX_OK, NULL,
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,2],\"data_offsets\":[0,8]}}", 8),
	SIMPLE(CASE_SHAPE_RANK9, CLX_ERR_UNSUPPORTED, "tensor 'a' has rank 9, more than the 8",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,2],\"data_offsets\":[0,8]}}", 8),
	SIMPLE(CASE_OFFSETS_THREE, CLX_ERR_FORMAT, "data_offsets is not an array of two integers",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4),
	SIMPLE(CASE_OFFSETS_FRACTION, CLX_ERR_FORMAT, "data_offsets has 0.5",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0.5,4.5]}}", 4),
	SIMPLE(CASE_OFFSETS_NEGATIVE, CLX_ERR_FORMAT, "data_offsets has -4",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4),
	SIMPLE(CASE_END_BEFORE_BEGIN, CLX_ERR_FORMAT, "data_offsets [4, 0]: end < begin",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4),
	SIMPLE(CASE_SIZE_MISMATCH, CLX_ERR_FORMAT,
	       "tensor 'a.weight' has data_offsets [0, 12] but shape [2, 2] F32 needs 16 bytes",
	       "{\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 12),
	SIMPLE(CASE_OVERLAP, CLX_ERR_FORMAT, "tensor 'b' [4, 12] overlaps tensor 'a' [0, 8]",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
	       "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
	SIMPLE(CASE_HOLE, CLX_ERR_FORMAT,
	       "hole of 4 bytes between tensor 'a' (ends at 4) and tensor 'b' (starts at 8)",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
	       "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12),
	SIMPLE(CASE_HOLE_AT_START, CLX_ERR_FORMAT,
	       "hole of 4 bytes at the start of the data before tensor 'a'",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
	SIMPLE(CASE_TRAILING_BYTES, CLX_ERR_FORMAT, "3 trailing bytes after the last tensor",
	       "{" ONE_A "}", 7),
	SIMPLE(CASE_TRUNCATED_DATA, CLX_ERR_FORMAT,
	       "data is truncated: tensor 'b' ends at data offset 12 but the file holds only 10",
	       "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
	       "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 10),
};
#undef SIMPLE

static struct tcase build(enum case_id id)
{
	struct tcase c = { .want = CLX_ERR_FORMAT };
	const struct simple_case *sc = &simple_cases[id];
	if (sc->name) {
		c.name = sc->name;
		c.want = sc->want;
		c.needle = sc->needle;
		c.file = file_of(sc->hdr, strlen(sc->hdr), zeros, sc->dlen);
		return c;
	}
	const char *hdr = NULL; /* NUL-terminated header, or set hlen for raw */
	size_t hlen = 0;
	const void *data = zeros;
	size_t dlen = 0;
	char big[4096];
	struct buf raw = { 0 };

#define CASE(id_, want_, needle_) \
	case id_:                  \
		c.name = #id_;     \
		c.want = want_;    \
		c.needle = needle_;
	switch (id) {
	CASE(CASE_EMPTY, CLX_ERR_FORMAT, "0 bytes")
		c.file = raw;
		return c;
	CASE(CASE_7_BYTES, CLX_ERR_FORMAT, "7 bytes")
		put(&raw, "\x02\0\0\0\0\0\0", 7);
		c.file = raw;
		return c;
	CASE(CASE_N_ZERO, CLX_ERR_FORMAT, "invalid JSON")
		put_u64(&raw, 0);
		c.file = raw;
		return c;
	CASE(CASE_N_MAX, CLX_ERR_FORMAT, "header length 18446744073709551615 exceeds the limit")
		put_u64(&raw, UINT64_MAX);
		put(&raw, "{}", 2);
		c.file = raw;
		return c;
	CASE(CASE_N_OVER_LIMIT, CLX_ERR_FORMAT, "exceeds the limit of 100000000")
		put_u64(&raw, CLX_MAX_SAFETENSORS_HEADER + 1);
		put(&raw, "{}", 2);
		c.file = raw;
		return c;
	CASE(CASE_N_PAST_EOF, CLX_ERR_FORMAT, "header length 3 runs past the end")
		put_u64(&raw, 3);
		put(&raw, "{}", 2);
		c.file = raw;
		return c;
	CASE(CASE_NUL_IN_NAME, CLX_ERR_FORMAT, "NUL byte at offset 12")
#define NUL_HDR "{\"ab\0c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"
		hdr = NUL_HDR;
		hlen = sizeof NUL_HDR - 1;
		dlen = 4;
		break;
	CASE(CASE_DEPTH_1001, CLX_ERR_FORMAT, "nested deeper than 64 levels")
		memset(big, '[', 1001);
		hdr = big;
		hlen = 1001;
		break;
	CASE(CASE_DEPTH_65, CLX_ERR_FORMAT, "nested deeper than 64 levels")
		memset(big, '[', 65);
		memset(big + 65, ']', 65);
		hdr = big;
		hlen = 130;
		break;
	CASE(CASE_DEPTH_64, CLX_ERR_FORMAT, "header is not a JSON object") /* depth passes */
		memset(big, '[', 64);
		memset(big + 64, ']', 64);
		hdr = big;
		hlen = 128;
		break;
	CASE(CASE_ALL_DTYPES, CLX_OK, NULL)
		/* f32: 1.5, -3; f16 and bf16 patterns; i32: -7, 2^31-1; i64: -2^40, 5 */
		snprintf(big, sizeof big,
			 "{\"f32\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
			 "\"f16\":{\"dtype\":\"F16\",\"shape\":[%d],\"data_offsets\":[8,%d]},"
			 "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[%d],\"data_offsets\":[%d,%d]},"
			 "\"i32\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[%d,%d]},"
			 "\"i64\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[%d,%d]}}",
			 N_F16, 8 + 2 * N_F16, N_BF16, 8 + 2 * N_F16, 8 + 2 * N_F16 + 2 * N_BF16,
			 8 + 2 * N_F16 + 2 * N_BF16, 16 + 2 * N_F16 + 2 * N_BF16,
			 16 + 2 * N_F16 + 2 * N_BF16, 32 + 2 * N_F16 + 2 * N_BF16);
		{
			struct buf d = { 0 };
			put_f32(&d, f32_bits(1.5f));
			put_f32(&d, f32_bits(-3.0f));
			for (int i = 0; i < N_F16; i++)
				put(&d, (uint8_t[2]){ (uint8_t)f16_in[i], (uint8_t)(f16_in[i] >> 8) }, 2);
			for (int i = 0; i < N_BF16; i++)
				put(&d, (uint8_t[2]){ (uint8_t)bf16_in[i], (uint8_t)(bf16_in[i] >> 8) }, 2);
			put_f32(&d, (uint32_t)-7);
			put_f32(&d, 0x7fffffffu);
			put_u64(&d, (uint64_t)-(INT64_C(1) << 40));
			put_u64(&d, 5);
			c.file = file_of(big, strlen(big), d.p, d.len);
			free(d.p);
		}
		return c;
	CASE(CASE_OUT_OF_ORDER, CLX_OK, NULL)
		hdr = "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
		      "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
		{
			struct buf d = { 0 };
			for (int i = 0; i < 4; i++)
				put_f32(&d, f32_bits((float)(i + 1)));
			c.file = file_of(hdr, strlen(hdr), d.p, d.len);
			free(d.p);
		}
		return c;
	CASE(CASE_SCALARS_AND_EMPTY, CLX_OK, NULL)
		hdr = "{\"e0\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
		      "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
		      "\"e1\":{\"dtype\":\"F16\",\"shape\":[3,0],\"data_offsets\":[4,4]},"
		      "\"e2\":{\"dtype\":\"I64\",\"shape\":[0,5],\"data_offsets\":[4,4]},"
		      "\"t\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[4,8]},"
		      "\"e3\":{\"dtype\":\"BF16\",\"shape\":[0],\"data_offsets\":[8,8]}}";
		{
			struct buf d = { 0 };
			put_f32(&d, f32_bits(-2.25f));
			put_f32(&d, 42u);
			c.file = file_of(hdr, strlen(hdr), d.p, d.len);
			free(d.p);
		}
		return c;
	CASE(CASE_MISALIGNED, CLX_OK, NULL)
		/* pad the header so 8 + N is odd: data lands on an odd address */
		snprintf(big, sizeof big,
			 "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}");
		while ((8 + strlen(big)) % 8 != 3)
			strcat(big, " ");
		{
			struct buf d = { 0 };
			for (int i = 0; i < 3; i++)
				put_f32(&d, misaligned_bits[i]);
			c.file = file_of(big, strlen(big), d.p, d.len);
			free(d.p);
		}
		return c;
	default: /* a simple case, or CASE_COUNT */
		break;
	}
#undef CASE
	if (!hlen)
		hlen = strlen(hdr);
	c.file = file_of(hdr, hlen, data, dlen);
	return c;
}

#endif
