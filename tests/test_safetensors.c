/* test_safetensors.c — the safetensors reader and writer.
 *
 * Bad inputs are generated in code from an enum of cases (llama.cpp's
 * test-gguf), one per case of docs/SECURITY.md §4 plus a passing
 * twin for every check. Each case runs through clx_safetensors_parse (from
 * memory) and clx_safetensors_open (from a file in a temp folder): an
 * invalid case must fail with its status and a message naming the file and
 * the problem; a valid one must load with the right names, shapes and bytes.
 * Then: a million tiny tensors, F16/BF16 bit patterns, the writer round
 * trip and its failures, and allocation-failure loops. */
#include "alloc_fail.h"
#include "check.h"
#include "clx/safetensors.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static char tmpdir[256];

static void write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");
	if (!f || (b->len && fwrite(b->p, 1, b->len, f) != b->len) || fclose(f) != 0) {
		fprintf(stderr, "test: cannot write %s\n", path);
		exit(2);
	}
}

static bool contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
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

static struct tcase build(enum case_id id)
{
	struct tcase c = { .want = CLX_ERR_FORMAT };
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
	CASE(CASE_NO_TENSORS, CLX_OK, NULL)
		hdr = "{}";
		break;
	CASE(CASE_BAD_UTF8, CLX_ERR_FORMAT, "not valid UTF-8 at offset 10 (byte 0xFF)")
		hdr = "{\"\xff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_OVERLONG_UTF8, CLX_ERR_FORMAT, "not valid UTF-8")
		hdr = "{\"\xc0\xaf\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_SURROGATE_UTF8, CLX_ERR_FORMAT, "not valid UTF-8")
		hdr = "{\"\xed\xa0\x80\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_TRUNCATED_UTF8, CLX_ERR_FORMAT, "not valid UTF-8")
		hdr = "{\"\xe2\x82\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_GOOD_UTF8, CLX_OK, NULL)
		hdr = "{\"h\xc3\xa9llo\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\":"
		      "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_NUL_IN_NAME, CLX_ERR_FORMAT, "NUL byte at offset 12")
#define NUL_HDR "{\"ab\0c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"
		hdr = NUL_HDR;
		hlen = sizeof NUL_HDR - 1;
		dlen = 4;
		break;
	CASE(CASE_ESC_NUL_IN_NAME, CLX_ERR_FORMAT, "\\u0000 escape")
		hdr = "{\"ab\\u0000c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_ESC_BACKSLASH_U0000, CLX_OK, NULL)
		hdr = "{\"x\\\\u0000\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_ESC_UNICODE, CLX_OK, NULL)
		hdr = "{\"\\u00e9\\ud83d\\ude00\\n\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_CTRL_IN_STRING, CLX_ERR_FORMAT, "control character 0x01")
		hdr = "{\"a\x01\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_BOM, CLX_ERR_FORMAT, "byte-order mark")
		hdr = "\xef\xbb\xbf{" ONE_A "}";
		dlen = 4;
		break;
	CASE(CASE_NAN, CLX_ERR_FORMAT, "non-standard JSON token 'NaN' at offset 37")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[NaN],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_INFINITY, CLX_ERR_FORMAT, "non-standard JSON token 'Infinity'")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,Infinity]}}";
		dlen = 4;
		break;
	CASE(CASE_NEG_INFINITY, CLX_ERR_FORMAT, "non-standard JSON token '-Infinity' at offset 37")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[-Infinity],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_NAN_IN_STRING, CLX_OK, NULL)
		hdr = "{\"__metadata__\":{\"note\":\"NaN Infinity -Infinity\"}," ONE_A "}";
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
	CASE(CASE_TRUNC_OBJECT, CLX_ERR_FORMAT, "invalid JSON")
		hdr = "{\"a\":1,";
		break;
	CASE(CASE_TRUNC_STRING, CLX_ERR_FORMAT, "invalid JSON")
		hdr = "\"abc";
		break;
	CASE(CASE_AFTER_JSON, CLX_ERR_FORMAT, "trailing data after JSON at offset 11")
		hdr = "{} {}";
		break;
	CASE(CASE_WHITESPACE_PAD, CLX_OK, NULL)
		hdr = " \n\t\r{" ONE_A "} \t\r\n   ";
		dlen = 4;
		break;
	CASE(CASE_NOT_OBJECT, CLX_ERR_FORMAT, "header is not a JSON object")
		hdr = "[]";
		break;
	CASE(CASE_DUP_NAME, CLX_ERR_FORMAT, "duplicate tensor name 'a'")
		hdr = "{" ONE_A "," ONE_A "}";
		dlen = 4;
		break;
	CASE(CASE_DUP_NAME_APART, CLX_ERR_FORMAT, "duplicate tensor name 'x'")
		hdr = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
		      "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
		      "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
		dlen = 12;
		break;
	CASE(CASE_SIMILAR_NAMES, CLX_OK, NULL)
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
		      "\"a.b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
		      "\"A\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
		      "\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}";
		dlen = 16;
		break;
	CASE(CASE_META_OK, CLX_OK, NULL)
		hdr = "{\"__metadata__\":{\"format\":\"pt\",\"other\":\"\"}," ONE_A "}";
		dlen = 4;
		break;
	CASE(CASE_META_NOT_OBJECT, CLX_ERR_FORMAT, "__metadata__ is not an object")
		hdr = "{\"__metadata__\":[\"pt\"]," ONE_A "}";
		dlen = 4;
		break;
	CASE(CASE_META_NUMBER, CLX_ERR_FORMAT, "__metadata__ key 'v' is 1, expected a string")
		hdr = "{\"__metadata__\":{\"format\":\"pt\",\"v\":1}," ONE_A "}";
		dlen = 4;
		break;
	CASE(CASE_META_DUP_KEY, CLX_ERR_FORMAT, "duplicate __metadata__ key 'k'")
		hdr = "{\"__metadata__\":{\"k\":\"1\",\"j\":\"\",\"k\":\"2\"}," ONE_A "}";
		dlen = 4;
		break;
	CASE(CASE_ENTRY_NOT_OBJECT, CLX_ERR_FORMAT, "tensor 'a' is not an object")
		hdr = "{\"a\":[1]}";
		break;
	CASE(CASE_DTYPE_UPPER, CLX_ERR_FORMAT, "tensor 'a' has unknown field 'DTYPE'")
		hdr = "{\"a\":{\"DTYPE\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_MISSING_OFFSETS, CLX_ERR_FORMAT, "tensor 'a' has no 'data_offsets'")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}";
		dlen = 4;
		break;
	CASE(CASE_EXTRA_FIELD, CLX_ERR_FORMAT, "unknown field 'extra'")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":0}}";
		dlen = 4;
		break;
	CASE(CASE_FIELD_TWICE, CLX_ERR_FORMAT, "field 'dtype' twice")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"dtype\":\"F16\",\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_DTYPE_NOT_STRING, CLX_ERR_FORMAT, "tensor 'a' dtype is not a string")
		hdr = "{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_DTYPE_UNKNOWN, CLX_ERR_FORMAT, "tensor 'a' has unknown dtype 'F33'")
		hdr = "{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_DTYPE_F64, CLX_ERR_UNSUPPORTED, "tensor 'd' has dtype F64, which clx does not support")
		hdr = "{" ONE_A ",\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[4,20]}}";
		dlen = 20;
		break;
	CASE(CASE_DTYPE_I8_AND_HOLE, CLX_ERR_FORMAT, "hole of 1 bytes") /* format beats unsupported */
		hdr = "{\"q\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[0,3]},"
		      "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
		dlen = 8;
		break;
	CASE(CASE_DTYPE_F4_ODD, CLX_ERR_FORMAT, "not a whole number of bytes")
		hdr = "{\"q\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,1]}}";
		dlen = 1;
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
	CASE(CASE_SHAPE_NOT_ARRAY, CLX_ERR_FORMAT, "tensor 'a' shape is 4, not an array")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_SHAPE_HUGE, CLX_ERR_FORMAT, "tensor 'a' shape[1] is 9.2233720368547758e+18")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,9223372036854775807],\"data_offsets\":[0,8]}}";
		dlen = 8;
		break;
	CASE(CASE_SHAPE_MAX_DIM, CLX_OK, NULL)
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0,281474976710655],\"data_offsets\":[0,0]}}";
		break;
	CASE(CASE_SHAPE_OVER_DIM, CLX_ERR_FORMAT, "shape[1] is 281474976710656, expected an integer in [0, 281474976710655]")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0,281474976710656],\"data_offsets\":[0,0]}}";
		break;
	CASE(CASE_SHAPE_OVERFLOW, CLX_ERR_FORMAT, "shape [281474976710655, 281474976710655] F32 overflows")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[281474976710655,281474976710655],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_SHAPE_OVERFLOW_ZERO, CLX_ERR_FORMAT, "overflows")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0,281474976710655,281474976710655],\"data_offsets\":[0,0]}}";
		break;
	CASE(CASE_SHAPE_FRACTION, CLX_ERR_FORMAT, "tensor 'a' shape[0] is 2.5")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,10]}}";
		dlen = 10;
		break;
	CASE(CASE_SHAPE_NEGATIVE, CLX_ERR_FORMAT, "tensor 'a' shape[0] is -1")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}";
		dlen = 4;
		break;
	CASE(CASE_SHAPE_STRING, CLX_ERR_FORMAT, "tensor 'a' shape[0] is the string \"2\"")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}";
		dlen = 8;
		break;
	CASE(CASE_SHAPE_RANK8, CLX_OK, NULL)
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,2],\"data_offsets\":[0,8]}}";
		dlen = 8;
		break;
	CASE(CASE_SHAPE_RANK9, CLX_ERR_UNSUPPORTED, "tensor 'a' has rank 9, more than the 8")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,2],\"data_offsets\":[0,8]}}";
		dlen = 8;
		break;
	CASE(CASE_OFFSETS_THREE, CLX_ERR_FORMAT, "data_offsets is not an array of two integers")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}";
		dlen = 4;
		break;
	CASE(CASE_OFFSETS_FRACTION, CLX_ERR_FORMAT, "data_offsets has 0.5")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0.5,4.5]}}";
		dlen = 4;
		break;
	CASE(CASE_OFFSETS_NEGATIVE, CLX_ERR_FORMAT, "data_offsets has -4")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}";
		dlen = 4;
		break;
	CASE(CASE_END_BEFORE_BEGIN, CLX_ERR_FORMAT, "data_offsets [4, 0]: end < begin")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}";
		dlen = 4;
		break;
	CASE(CASE_SIZE_MISMATCH, CLX_ERR_FORMAT,
	     "tensor 'a.weight' has data_offsets [0, 12] but shape [2, 2] F32 needs 16 bytes")
		hdr = "{\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}";
		dlen = 12;
		break;
	CASE(CASE_OVERLAP, CLX_ERR_FORMAT, "tensor 'b' [4, 12] overlaps tensor 'a' [0, 8]")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
		      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
		dlen = 12;
		break;
	CASE(CASE_HOLE, CLX_ERR_FORMAT, "hole of 4 bytes between tensor 'a' (ends at 4) and tensor 'b' (starts at 8)")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
		      "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
		dlen = 12;
		break;
	CASE(CASE_HOLE_AT_START, CLX_ERR_FORMAT, "hole of 4 bytes at the start of the data before tensor 'a'")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
		dlen = 8;
		break;
	CASE(CASE_TRAILING_BYTES, CLX_ERR_FORMAT, "3 trailing bytes after the last tensor")
		hdr = "{" ONE_A "}";
		dlen = 7;
		break;
	CASE(CASE_TRUNCATED_DATA, CLX_ERR_FORMAT, "data is truncated: tensor 'b' ends at data offset 12 but the file holds only 10")
		hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
		      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
		dlen = 10;
		break;
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
	case CASE_COUNT:
		break;
	}
#undef CASE
	if (!hlen)
		hlen = strlen(hdr);
	c.file = file_of(hdr, hlen, data, dlen);
	return c;
}

/* ------------------------------------------------------------- valid */

static const struct clx_st_tensor *want_tensor(const struct clx_safetensors *st, const char *case_name,
					       const char *name, enum clx_dtype dt, int n_dims,
					       const int64_t *shape)
{
	const struct clx_st_tensor *t = clx_safetensors_find(st, name);
	CHECK(t != NULL, "%s: tensor '%s' not found", case_name, name);
	if (!t)
		return NULL;
	CHECK(strcmp(t->name, name) == 0, "%s: find('%s') returned '%s'", case_name, name, t->name);
	CHECK(t->dtype == dt, "%s: '%s' dtype %d, want %d", case_name, name, (int)t->dtype, (int)dt);
	CHECK(t->n_dims == n_dims, "%s: '%s' rank %d, want %d", case_name, name, t->n_dims, n_dims);
	int64_t elems = 1;
	for (int i = 0; i < n_dims && i < t->n_dims; i++) {
		CHECK(t->shape[i] == shape[i], "%s: '%s' shape[%d] %lld, want %lld", case_name, name, i,
		      (long long)t->shape[i], (long long)shape[i]);
		elems *= shape[i];
	}
	CHECK(t->n_elems == elems, "%s: '%s' n_elems %lld, want %lld", case_name, name,
	      (long long)t->n_elems, (long long)elems);
	CHECK(t->n_bytes == (size_t)elems * clx_dtype_size(dt), "%s: '%s' n_bytes %zu", case_name, name,
	      t->n_bytes);
	return t;
}

static bool same_bits(float a, float b)
{
	return f32_bits(a) == f32_bits(b);
}

/* Everything a valid case must hold; `file` is the bytes it was built from,
 * data_start where its data section begins. */
static void check_valid(enum case_id id, const char *cn, const struct clx_safetensors *st,
			const uint8_t *data_start)
{
	static const int64_t s1[] = { 1 }, s2[] = { 2 };
	float f[16];
	const struct clx_st_tensor *t;

	CHECK(st->path && contains(st->path, cn), "%s: path '%s'", cn, st->path ? st->path : "");
	CHECK(clx_safetensors_find(st, "no such tensor") == NULL, "%s: found a missing tensor", cn);
	switch (id) {
	case CASE_NO_TENSORS:
		CHECK(st->n_tensors == 0, "%s: %d tensors", cn, st->n_tensors);
		CHECK(clx_safetensors_find(st, "a") == NULL, "%s: found 'a'", cn);
		break;
	case CASE_GOOD_UTF8:
		CHECK(st->n_tensors == 1, "%s: %d tensors", cn, st->n_tensors);
		want_tensor(st, cn, "h\xc3\xa9llo\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf",
			    CLX_DTYPE_F32, 1, s1);
		break;
	case CASE_ESC_BACKSLASH_U0000:
		want_tensor(st, cn, "x\\u0000", CLX_DTYPE_F32, 1, s1);
		break;
	case CASE_ESC_UNICODE:
		want_tensor(st, cn, "\xc3\xa9\xf0\x9f\x98\x80\n", CLX_DTYPE_F32, 1, s1);
		break;
	case CASE_NAN_IN_STRING:
	case CASE_WHITESPACE_PAD:
	case CASE_META_OK:
		CHECK(st->n_tensors == 1, "%s: %d tensors (metadata is not a tensor)", cn, st->n_tensors);
		CHECK(clx_safetensors_find(st, "__metadata__") == NULL, "%s: metadata found as tensor", cn);
		t = want_tensor(st, cn, "a", CLX_DTYPE_F32, 1, s1);
		CHECK(t && t->data == data_start, "%s: data pointer", cn);
		break;
	case CASE_SIMILAR_NAMES: {
		const char *names[] = { "a", "a.b", "A", "" };
		CHECK(st->n_tensors == 4, "%s: %d tensors", cn, st->n_tensors);
		for (int i = 0; i < 4; i++) {
			t = want_tensor(st, cn, names[i], CLX_DTYPE_F32, 1, s1);
			CHECK(t == &st->tensors[i] && t->data == data_start + 4 * i,
			      "%s: '%s' is tensor %d at offset %d", cn, names[i], i, 4 * i);
		}
		break;
	}
	case CASE_ALL_DTYPES: {
		static const int64_t sf16[] = { N_F16 }, sbf16[] = { N_BF16 };
		CHECK(st->n_tensors == 5, "%s: %d tensors", cn, st->n_tensors);
		if ((t = want_tensor(st, cn, "f32", CLX_DTYPE_F32, 1, s2))) {
			clx_safetensors_read_f32(t, f);
			CHECK(f[0] == 1.5f && f[1] == -3.0f, "%s: f32 %g %g", cn, f[0], f[1]);
		}
		if ((t = want_tensor(st, cn, "f16", CLX_DTYPE_F16, 1, sf16))) {
			clx_safetensors_read_f32(t, f);
			for (int i = 0; i < N_F16; i++)
				CHECK(same_bits(f[i], f16_want[i]), "%s: f16 0x%04x -> %a, want %a", cn,
				      f16_in[i], f[i], f16_want[i]);
		}
		if ((t = want_tensor(st, cn, "bf16", CLX_DTYPE_BF16, 1, sbf16))) {
			clx_safetensors_read_f32(t, f);
			for (int i = 0; i < N_BF16; i++)
				CHECK(same_bits(f[i], bf16_want[i]), "%s: bf16 0x%04x -> %a, want %a", cn,
				      bf16_in[i], f[i], bf16_want[i]);
		}
		if ((t = want_tensor(st, cn, "i32", CLX_DTYPE_I32, 1, s2))) {
			clx_safetensors_read_f32(t, f);
			CHECK(f[0] == -7.0f && f[1] == 2147483648.0f, "%s: i32 %g %g", cn, f[0], f[1]);
		}
		if ((t = want_tensor(st, cn, "i64", CLX_DTYPE_I64, 1, s2))) {
			clx_safetensors_read_f32(t, f);
			CHECK(f[0] == -0x1p40f && f[1] == 5.0f, "%s: i64 %g %g", cn, f[0], f[1]);
		}
		break;
	}
	case CASE_SHAPE_MAX_DIM: {
		static const int64_t s[] = { 0, 281474976710655 };
		want_tensor(st, cn, "a", CLX_DTYPE_F32, 2, s);
		break;
	}
	case CASE_SHAPE_RANK8: {
		static const int64_t s[] = { 1, 1, 1, 1, 1, 1, 1, 2 };
		want_tensor(st, cn, "a", CLX_DTYPE_F32, 8, s);
		break;
	}
	case CASE_OUT_OF_ORDER:
		CHECK(st->n_tensors == 2 && !strcmp(st->tensors[0].name, "b") &&
			      !strcmp(st->tensors[1].name, "a"),
		      "%s: tensors not in header order", cn);
		if ((t = want_tensor(st, cn, "b", CLX_DTYPE_F32, 1, s2))) {
			CHECK(t->data == data_start + 8, "%s: 'b' data pointer", cn);
			clx_safetensors_read_f32(t, f);
			CHECK(f[0] == 3.0f && f[1] == 4.0f, "%s: 'b' = %g %g", cn, f[0], f[1]);
		}
		if ((t = want_tensor(st, cn, "a", CLX_DTYPE_F32, 1, s2))) {
			clx_safetensors_read_f32(t, f);
			CHECK(f[0] == 1.0f && f[1] == 2.0f, "%s: 'a' = %g %g", cn, f[0], f[1]);
		}
		break;
	case CASE_SCALARS_AND_EMPTY: {
		static const int64_t s30[] = { 3, 0 }, s05[] = { 0, 5 }, s0[] = { 0 };
		CHECK(st->n_tensors == 6, "%s: %d tensors", cn, st->n_tensors);
		if ((t = want_tensor(st, cn, "s", CLX_DTYPE_F32, 0, NULL))) {
			clx_safetensors_read_f32(t, f);
			CHECK(f[0] == -2.25f, "%s: scalar %g", cn, f[0]);
		}
		if ((t = want_tensor(st, cn, "t", CLX_DTYPE_I32, 0, NULL))) {
			clx_safetensors_read_f32(t, f);
			CHECK(f[0] == 42.0f, "%s: i32 scalar %g", cn, f[0]);
		}
		want_tensor(st, cn, "e0", CLX_DTYPE_F32, 1, s0);
		want_tensor(st, cn, "e1", CLX_DTYPE_F16, 2, s30);
		want_tensor(st, cn, "e2", CLX_DTYPE_I64, 2, s05);
		if ((t = want_tensor(st, cn, "e3", CLX_DTYPE_BF16, 1, s0)))
			clx_safetensors_read_f32(t, NULL); /* zero elements: dst unused */
		break;
	}
	case CASE_MISALIGNED: {
		static const int64_t s3[] = { 3 };
		if ((t = want_tensor(st, cn, "w", CLX_DTYPE_F32, 1, s3))) {
			CHECK(((uintptr_t)t->data & 3) != 0, "%s: data is aligned after all", cn);
			CHECK(t->data == data_start, "%s: data pointer", cn);
			clx_safetensors_read_f32(t, f);
			for (int i = 0; i < 3; i++)
				CHECK(f32_bits(f[i]) == misaligned_bits[i], "%s: [%d] bits 0x%08x, want 0x%08x",
				      cn, i, f32_bits(f[i]), misaligned_bits[i]);
		}
		break;
	}
	default:
		CHECK(0, "%s: no check for this valid case", cn);
	}
}

/* ------------------------------------------------------------- runner */

static void check_result(const struct tcase *c, const char *file_name, const char *how,
			 enum clx_status got, struct clx_ctx *ctx, const struct clx_safetensors *st)
{
	const char *msg = clx_last_error(ctx);
	CHECK(got == c->want, "%s (%s): status '%s', want '%s' (%s)", c->name, how, clx_status_name(got),
	      clx_status_name(c->want), msg);
	if (c->want != CLX_OK) {
		CHECK(st == NULL, "%s (%s): object returned on failure", c->name, how);
		CHECK(contains(msg, file_name), "%s (%s): message does not name the file: %s", c->name,
		      how, msg);
		CHECK(contains(msg, c->needle), "%s (%s): message lacks \"%s\": %s", c->name, how,
		      c->needle, msg);
	}
}

static void test_cases(void)
{
	struct clx_ctx *ctx = clx_ctx_create();
	int n_valid = 0, n_invalid = 0;
	for (int id = 0; id < CASE_COUNT; id++) {
		struct tcase c = build((enum case_id)id);
		char name[128], path[512];
		snprintf(name, sizeof name, "%s.safetensors", c.name);
		snprintf(path, sizeof path, "%s/%s", tmpdir, name);

		/* from memory */
		struct clx_safetensors *st = (struct clx_safetensors *)1;
		clx_clear_error(ctx);
		enum clx_status got = clx_safetensors_parse(ctx, name, c.file.p, c.file.len, &st);
		check_result(&c, name, "parse", got, ctx, st);
		if (got == CLX_OK && c.want == CLX_OK) {
			size_t n = (size_t)c.file.p[0] | (size_t)c.file.p[1] << 8 | (size_t)c.file.p[2] << 16;
			check_valid((enum case_id)id, c.name, st, c.file.p + 8 + n);
		}
		clx_safetensors_free(got == CLX_OK ? st : NULL);

		/* from a file */
		write_file(path, &c.file);
		st = (struct clx_safetensors *)1;
		clx_clear_error(ctx);
		got = clx_safetensors_open(ctx, path, &st);
		check_result(&c, path, "open", got, ctx, st);
		if (got == CLX_OK && c.want == CLX_OK) {
			size_t n = (size_t)c.file.p[0] | (size_t)c.file.p[1] << 8 | (size_t)c.file.p[2] << 16;
			check_valid((enum case_id)id, c.name, st, (const uint8_t *)st->map + 8 + n);
		}
		clx_safetensors_free(got == CLX_OK ? st : NULL);
		remove(path);

		if (c.want == CLX_OK)
			n_valid++;
		else
			n_invalid++;
		free(c.file.p);
	}
	printf("cases: %d valid, %d invalid, each via parse and open\n", n_valid, n_invalid);
	clx_ctx_free(ctx);
}

/* Files that are not files, and NULL arguments. */
static void test_open_errors(void)
{
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_safetensors *st = NULL;
	char path[512];

	snprintf(path, sizeof path, "%s/missing.safetensors", tmpdir);
	CHECK(clx_safetensors_open(ctx, path, &st) == CLX_ERR_NOT_FOUND && !st,
	      "missing file: %s", clx_last_error(ctx));
	CHECK(contains(clx_last_error(ctx), path), "missing file message: %s", clx_last_error(ctx));

	CHECK(clx_safetensors_open(ctx, tmpdir, &st) == CLX_ERR_IO && !st, "directory: %s",
	      clx_last_error(ctx));
	CHECK(contains(clx_last_error(ctx), "not a regular file"), "directory message: %s",
	      clx_last_error(ctx));

	CHECK(clx_safetensors_open(ctx, NULL, &st) == CLX_ERR_INVALID_ARG, "NULL path");
	CHECK(clx_safetensors_open(ctx, path, NULL) == CLX_ERR_INVALID_ARG, "NULL out");
	CHECK(clx_safetensors_parse(ctx, "x", NULL, 10, &st) == CLX_ERR_INVALID_ARG, "NULL buffer");
	CHECK(clx_safetensors_parse(NULL, "x", (const uint8_t *)"", 0, &st) == CLX_ERR_FORMAT,
	      "NULL ctx still returns a status");
	CHECK(clx_safetensors_find(NULL, "a") == NULL, "find on NULL");
	clx_safetensors_free(NULL);
	clx_ctx_free(ctx);
}

/* A million tiny tensors, in reverse offset order: the loader stays
 * O(n log n) (sorting for duplicates, tiling and the name index). */
static void test_million(void)
{
	enum { N = 1000000 };
	struct buf h = { 0 }, d = { 0 };
	char ent[128];
	put(&h, "{", 1);
	for (int i = 0; i < N; i++) {
		int k = N - 1 - i;
		int len = snprintf(ent, sizeof ent,
				   "%s\"t%d\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[%d,%d]}",
				   i ? "," : "", k, 2 * k, 2 * k + 2);
		put(&h, ent, (size_t)len);
	}
	put(&h, "}", 1);
	for (int k = 0; k < N; k++)
		put(&d, (uint8_t[2]){ (uint8_t)k, (uint8_t)(k >> 8) & 0x3b }, 2);
	struct buf f = file_of((const char *)h.p, h.len, d.p, d.len);
	free(h.p);
	free(d.p);

	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_safetensors *st = NULL;
	enum clx_status got = clx_safetensors_parse(ctx, "million.safetensors", f.p, f.len, &st);
	CHECK(got == CLX_OK, "million: %s", clx_last_error(ctx));
	if (got == CLX_OK) {
		CHECK(st->n_tensors == N, "million: %d tensors", st->n_tensors);
		int bad = 0;
		for (int k = 0; k < N; k += 9973) {
			char name[32];
			snprintf(name, sizeof name, "t%d", k);
			const struct clx_st_tensor *t = clx_safetensors_find(st, name);
			float v;
			if (!t || t->n_dims != 0 || t->n_elems != 1) {
				bad++;
				continue;
			}
			clx_safetensors_read_f32(t, &v);
			uint16_t hb = (uint16_t)(k & 0xff) | (uint16_t)(((k >> 8) & 0x3b) << 8);
			if (!same_bits(v, clx_f16_to_f32(hb)))
				bad++;
		}
		CHECK(bad == 0, "million: %d lookups wrong", bad);
		CHECK(clx_safetensors_find(st, "t1000000") == NULL, "million: found t1000000");
	}
	printf("million: %zu-byte file, %d tensors\n", f.len, st ? st->n_tensors : 0);
	clx_safetensors_free(st);
	clx_ctx_free(ctx);
	free(f.p);
}

/* More top-level entries than CLX_MAX_SAFETENSORS_TENSORS is refused by
 * the header scan, before cJSON builds a tree. */
static void test_too_many_entries(void)
{
	size_t n = (size_t)CLX_MAX_SAFETENSORS_TENSORS + 1;
	struct buf h = { 0 };
	put(&h, "{", 1);
	for (size_t i = 0; i < n; i++)
		put(&h, i ? ",\"\":0" : "\"\":0", i ? 5 : 4);
	put(&h, "}", 1);
	struct buf f = file_of((const char *)h.p, h.len, NULL, 0);
	free(h.p);
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_safetensors *st = NULL;
	enum clx_status got = clx_safetensors_parse(ctx, "many.safetensors", f.p, f.len, &st);
	CHECK(got == CLX_ERR_UNSUPPORTED && !st, "too many entries: %s", clx_last_error(ctx));
	CHECK(contains(clx_last_error(ctx), "many.safetensors: header has more than 10000000 entries"),
	      "too many entries message: %s", clx_last_error(ctx));
	clx_ctx_free(ctx);
	free(f.p);
}

/* ------------------------------------------------------------- writer */

static int count_dir_entries(const char *dir, const char *needle)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && contains(e->d_name, needle))
			n++;
	closedir(d);
	return n;
}

static void test_round_trip(void)
{
	struct clx_ctx *ctx = clx_ctx_create();
	char path[512];
	snprintf(path, sizeof path, "%s/round.safetensors", tmpdir);

	float w[2 * 3] = { 1.0f, -2.5f, 0.0f, -0.0f, 1e-40f, 3.4e38f };
	uint16_t h16[3] = { 0x3c00, 0x7bff, 0x8001 };
	uint16_t hb[2] = { 0x3f80, 0xc049 };
	int32_t i32[1] = { -123456 };
	int64_t i64[2] = { INT64_MIN, INT64_MAX };
	float scalar = 7.0f;
	static const int64_t sw[] = { 2, 3 }, s3[] = { 3 }, s2[] = { 2 }, s1[] = { 1 }, s0[] = { 4, 0 };
	const struct clx_st_write_entry e[] = {
		{ "layer.0.weight", CLX_DTYPE_F32, 2, sw, w },
		{ "half \"quoted\" \\ back\tslash\x01", CLX_DTYPE_F16, 1, s3, h16 },
		{ "bf\xc3\xa9", CLX_DTYPE_BF16, 1, s2, hb },
		{ "int32", CLX_DTYPE_I32, 1, s1, i32 },
		{ "int64", CLX_DTYPE_I64, 1, s2, i64 },
		{ "scalar", CLX_DTYPE_F32, 0, NULL, &scalar },
		{ "empty", CLX_DTYPE_F32, 2, s0, NULL },
	};
	int n = (int)(sizeof e / sizeof e[0]);

	/* write twice: the second replaces the first */
	CHECK(clx_safetensors_write(ctx, path, 1, e) == CLX_OK, "write 1: %s", clx_last_error(ctx));
	CHECK(clx_safetensors_write(ctx, path, n, e) == CLX_OK, "write: %s", clx_last_error(ctx));
	CHECK(count_dir_entries(tmpdir, ".tmp.") == 0, "temp file left behind");

	struct clx_safetensors *st = NULL;
	enum clx_status got = clx_safetensors_open(ctx, path, &st);
	CHECK(got == CLX_OK, "reopen: %s", clx_last_error(ctx));
	if (got == CLX_OK) {
		CHECK(st->n_tensors == n, "round trip: %d tensors, want %d", st->n_tensors, n);
		for (int i = 0; i < n && i < st->n_tensors; i++) {
			const struct clx_st_tensor *t = &st->tensors[i];
			size_t bytes = clx_dtype_size(e[i].dtype);
			for (int d = 0; d < e[i].n_dims; d++)
				bytes *= (size_t)e[i].shape[d];
			CHECK(!strcmp(t->name, e[i].name), "round trip [%d]: name '%s'", i, t->name);
			CHECK(clx_safetensors_find(st, e[i].name) == t, "round trip: find '%s'", e[i].name);
			CHECK(t->dtype == e[i].dtype && t->n_dims == e[i].n_dims && t->n_bytes == bytes,
			      "round trip '%s': dtype/rank/bytes", e[i].name);
			for (int d = 0; d < e[i].n_dims; d++)
				CHECK(t->shape[d] == e[i].shape[d], "round trip '%s' shape[%d]", e[i].name, d);
			CHECK(bytes == 0 || memcmp(t->data, e[i].data, bytes) == 0,
			      "round trip '%s': bytes differ", e[i].name);
		}
		/* the header is padded so the data starts 8-byte aligned */
		const uint8_t *m = st->map;
		size_t hl = (size_t)m[0] | (size_t)m[1] << 8 | (size_t)m[2] << 16;
		CHECK((8 + hl) % 8 == 0, "data starts at %zu, not 8-aligned", 8 + hl);
		CHECK(m[8 + hl - 1] == ' ' || m[8 + hl - 1] == '}', "header ends with 0x%02x", m[8 + hl - 1]);
		float f[6];
		clx_safetensors_read_f32(&st->tensors[0], f);
		CHECK(memcmp(f, w, sizeof w) == 0, "round trip: f32 read back differs");
	}
	clx_safetensors_free(st);

	/* zero tensors */
	CHECK(clx_safetensors_write(ctx, path, 0, NULL) == CLX_OK, "write empty: %s", clx_last_error(ctx));
	st = NULL;
	CHECK(clx_safetensors_open(ctx, path, &st) == CLX_OK && st->n_tensors == 0, "reopen empty: %s",
	      clx_last_error(ctx));
	clx_safetensors_free(st);
	remove(path);

	/* bad arguments */
	const struct clx_st_write_entry dup[] = { { "x", CLX_DTYPE_F32, 1, s1, w },
						  { "y", CLX_DTYPE_F32, 1, s1, w },
						  { "x", CLX_DTYPE_F32, 1, s1, w } };
	CHECK(clx_safetensors_write(ctx, path, 3, dup) == CLX_ERR_INVALID_ARG, "duplicate names accepted");
	CHECK(contains(clx_last_error(ctx), "duplicate tensor name 'x'"), "dup message: %s",
	      clx_last_error(ctx));
	static const int64_t sneg[] = { -1 };
	const struct clx_st_write_entry bad[] = {
		{ "neg", CLX_DTYPE_F32, 1, sneg, w },
		{ "dtype", CLX_DTYPE_COUNT, 1, s1, w },
		{ NULL, CLX_DTYPE_F32, 1, s1, w },
		{ "bad\xff", CLX_DTYPE_F32, 1, s1, w },
		{ "__metadata__", CLX_DTYPE_F32, 1, s1, w },
		{ "nodata", CLX_DTYPE_F32, 1, s1, NULL },
		{ "rank", CLX_DTYPE_F32, CLX_MAX_DIMS + 1, sw, w },
	};
	for (int i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
		CHECK(clx_safetensors_write(ctx, path, 1, &bad[i]) == CLX_ERR_INVALID_ARG,
		      "bad entry %d accepted", i);
		CHECK(contains(clx_last_error(ctx), path), "bad entry %d message: %s", i, clx_last_error(ctx));
	}
	CHECK(access(path, F_OK) != 0, "a refused write created the file");

	/* I/O failures: no folder; target is a folder (rename fails after the
	 * temp file is written — it must be removed) */
	char nodir[512], isdir[512];
	snprintf(nodir, sizeof nodir, "%s/no/such/dir/x.safetensors", tmpdir);
	CHECK(clx_safetensors_write(ctx, nodir, 1, e) == CLX_ERR_IO, "write into a missing folder");
	CHECK(contains(clx_last_error(ctx), nodir) && contains(clx_last_error(ctx), "No such file"),
	      "missing folder message: %s", clx_last_error(ctx));
	snprintf(isdir, sizeof isdir, "%s/target", tmpdir);
	mkdir(isdir, 0700);
	CHECK(clx_safetensors_write(ctx, isdir, 1, e) == CLX_ERR_IO, "write over a folder");
	CHECK(contains(clx_last_error(ctx), isdir), "write over a folder message: %s", clx_last_error(ctx));
	CHECK(count_dir_entries(tmpdir, ".tmp.") == 0, "temp file left behind after a failed write");
	rmdir(isdir);
	clx_ctx_free(ctx);
}

/* ------------------------------------------------------------- alloc */

/* Fail the nth allocation for n = 1.. until the call succeeds without the
 * failure firing: every failure is a clean error and leaks nothing (the
 * sanitizer build checks the leaks). */
static void test_alloc_fail(void)
{
	struct tcase c = build(CASE_ALL_DTYPES);
	const char *hdr = "{\"__metadata__\":{\"format\":\"pt\",\"b\":\"c\"},"
			  "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
			  "\"y\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[8,10]}}";
	struct buf f = file_of(hdr, strlen(hdr), zeros, 10);
	char path[512];
	snprintf(path, sizeof path, "%s/alloc.safetensors", tmpdir);
	write_file(path, &f);
	struct clx_ctx *ctx = clx_ctx_create();

	for (int which = 0; which < 4; which++) {
		static const char *what[] = { "parse", "parse (5 dtypes)", "open", "write" };
		int n, clean = 1;
		for (n = 1; n < 10000; n++) {
			struct clx_safetensors *st = NULL;
			static const int64_t s2[] = { 2 };
			float v[2] = { 1, 2 };
			const struct clx_st_write_entry we[] = { { "p", CLX_DTYPE_F32, 1, s2, v },
								 { "q", CLX_DTYPE_F32, 0, NULL, v } };
			enum clx_status got;
			alloc_fail_arm(n);
			if (which == 0)
				got = clx_safetensors_parse(ctx, "alloc", f.p, f.len, &st);
			else if (which == 1)
				got = clx_safetensors_parse(ctx, "alloc", c.file.p, c.file.len, &st);
			else if (which == 2)
				got = clx_safetensors_open(ctx, path, &st);
			else
				got = clx_safetensors_write(ctx, path, 2, we);
			int hit = alloc_fail_hit();
			alloc_fail_arm(0);
			clx_safetensors_free(st);
			if (!hit) {
				CHECK(got == CLX_OK, "alloc %s: no failure injected but %s", what[which],
				      clx_last_error(ctx));
				break;
			}
			if (got != CLX_ERR_NOMEM || st != NULL) {
				clean = 0;
				CHECK(0, "alloc %s: failing allocation %d gave '%s' (%s)", what[which], n,
				      clx_status_name(got), clx_last_error(ctx));
			}
		}
		CHECK(clean, "alloc %s", what[which]);
		printf("alloc-fail %s: %d allocations each failed cleanly\n", what[which], n - 1);
	}
	CHECK(count_dir_entries(tmpdir, ".tmp.") == 0, "temp file left behind by alloc failures");
	remove(path);
	clx_ctx_free(ctx);
	free(f.p);
	free(c.file.p);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/clx_st_XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_cases();
	test_open_errors();
	test_round_trip();
	test_alloc_fail();
	test_million();
	test_too_many_entries();
	if (rmdir(tmpdir) != 0)
		CHECK(0, "temp folder %s not empty", tmpdir);
	return check_summary();
}
