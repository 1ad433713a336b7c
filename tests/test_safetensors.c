/* test_safetensors.c — the safetensors reader and writer.
 *
 * Bad inputs are generated in code from an enum of cases (llama.cpp's
 * test-gguf; safetensors_cases.h), one per case of docs/SECURITY.md §4 plus
 * a passing twin for every check. Each case runs through clx_safetensors_parse (from
 * memory) and clx_safetensors_open (from a file in a temp folder): an
 * invalid case must fail with its status and a message naming the file and
 * the problem; a valid one must load with the right names, shapes and bytes.
 * Then: a million tiny tensors, F16/BF16 bit patterns, the writer round
 * trip and its failures, and allocation-failure loops. */
#include "alloc_fail.h"
#include "check.h"
#include "safetensors_cases.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* clx_f32_to_f16 (the fp16 weight storage's conversion) against the exact
 * widening: every finite half survives the round trip, every midpoint
 * between neighbours rounds to the even one and a hair either side to the
 * nearer, and the overflow threshold is 65520 (the midpoint past 65504). */
static void test_f32_to_f16(void)
{
	int bad = 0;
	for (uint32_t h = 0; h < 0x10000u; h++) {
		const float f = clx_f16_to_f32((uint16_t)h);
		if (isnan(f)) {
			bad += !isnan(clx_f16_to_f32(clx_f32_to_f16(f)));
			continue;
		}
		bad += clx_f32_to_f16(f) != h;
		if ((h & 0x7fffu) >= 0x7bffu)
			continue; /* the largest finite and inf have no upper neighbour */
		const float g = clx_f16_to_f32((uint16_t)(h + 1));
		const float mid = (float)(((double)f + (double)g) / 2);
		const uint16_t even = (h & 1u) ? (uint16_t)(h + 1) : (uint16_t)h;
		bad += clx_f32_to_f16(mid) != even;
		bad += clx_f32_to_f16(nextafterf(mid, f)) != h;
		bad += clx_f32_to_f16(nextafterf(mid, g)) != h + 1;
	}
	CHECK(bad == 0, "f32_to_f16: %d conversions wrong", bad);
	CHECK(clx_f32_to_f16(65520.0f) == 0x7c00u && clx_f32_to_f16(-65520.0f) == 0xfc00u,
	      "f32_to_f16: 65520 does not overflow to inf");
	CHECK(clx_f32_to_f16(nextafterf(65520.0f, 0)) == 0x7bffu, "f32_to_f16: just below 65520");
	CHECK(clx_f32_to_f16(1e-8f) == 0 && clx_f32_to_f16(INFINITY) == 0x7c00u,
	      "f32_to_f16: underflow or inf");
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
	test_f32_to_f16();
	test_open_errors();
	test_round_trip();
	test_alloc_fail();
	test_million();
	test_too_many_entries();
	if (rmdir(tmpdir) != 0)
		CHECK(0, "temp folder %s not empty", tmpdir);
	return check_summary();
}
