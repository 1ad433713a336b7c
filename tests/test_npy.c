/* test_npy.c — the .npy reader and writer against NumPy.
 *
 * Golden: tests/fixtures/npy/<case>.npy written by NumPy and the values clx
 * must load (<case>.txt, tools/dev/gen_npy_golden.py), through both clx_npy_load
 * and clx_npy_parse; clx_npy_save must reproduce np.save's bytes exactly.
 * Then round trips, bad input generated in code from the enum below (each
 * check with a passing twin), and allocation-failure loops.
 *
 * Usage: test_npy FIXTURE_DIR (tests/fixtures/npy) */
#include "alloc_fail.h"
#include "check.h"
#include "test_files.h"
#include "clx/limits.h"
#include "clx/npy.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *g_dir;
static struct clx_ctx *g_ctx;
static char g_tmp[256]; /* a scratch file path */

/* ------------------------------------------------------------------ helpers */

/* Same float, NaN equal to NaN, -0 distinct from +0. */
static bool same_float(float a, float b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return a == b && signbit(a) == signbit(b);
}

static int64_t value_at(const struct clx_npy *a, int64_t i)
{
	if (a->dtype == CLX_DTYPE_I64)
		return ((const int64_t *)a->data)[i];
	return ((const int32_t *)a->data)[i];
}

/* ------------------------------------------------------------------ golden */

struct expected {
	char error[256];       /* non-empty: clx must refuse with this substring */
	enum clx_dtype dtype;
	int n_dims;
	int64_t shape[CLX_MAX_DIMS + 1];
	size_t n;
	char (*vals)[64];
};

static bool read_expected(const char *path, struct expected *e)
{
	memset(e, 0, sizeof *e);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[512];
	bool ok = fgets(line, sizeof line, f) != NULL;
	line[strcspn(line, "\n")] = '\0';
	if (ok && strncmp(line, "error ", 6) == 0) {
		snprintf(e->error, sizeof e->error, "%.255s", line + 6);
	} else if (ok && strncmp(line, "dtype ", 6) == 0) {
		e->dtype = strcmp(line + 6, "F32") == 0   ? CLX_DTYPE_F32
			   : strcmp(line + 6, "I32") == 0 ? CLX_DTYPE_I32
							  : CLX_DTYPE_I64;
		ok = fgets(line, sizeof line, f) != NULL && strncmp(line, "shape", 5) == 0;
		char *p = line + 5, *end;
		for (long long d; ok && (d = strtoll(p, &end, 10), end != p); p = end)
			if (e->n_dims <= CLX_MAX_DIMS)
				e->shape[e->n_dims++] = d;
		size_t cap = 0;
		while (ok && fgets(line, sizeof line, f)) {
			if (e->n == cap) {
				cap = cap ? 2 * cap : 64;
				void *nv = realloc(e->vals, cap * sizeof *e->vals);
				if (!nv) {
					ok = false;
					break;
				}
				e->vals = nv;
			}
			line[strcspn(line, "\n")] = '\0';
			snprintf(e->vals[e->n++], sizeof e->vals[0], "%.63s", line);
		}
	} else {
		ok = false;
	}
	fclose(f);
	return ok;
}

static void compare_array(const char *what, const struct clx_npy *a, const struct expected *e)
{
	CHECK(a->dtype == e->dtype, "%s: dtype %s, want %s", what, clx_dtype_name(a->dtype),
	      clx_dtype_name(e->dtype));
	CHECK(a->n_dims == e->n_dims, "%s: rank %d, want %d", what, a->n_dims, e->n_dims);
	int64_t n = 1;
	for (int i = 0; i < e->n_dims && i < a->n_dims; i++) {
		CHECK(a->shape[i] == e->shape[i], "%s: dim %d = %lld, want %lld", what, i,
		      (long long)a->shape[i], (long long)e->shape[i]);
		n *= e->shape[i];
	}
	CHECK(a->n_elems == n && (size_t)n == e->n, "%s: %lld elements, want %lld (%zu listed)",
	      what, (long long)a->n_elems, (long long)n, e->n);
	CHECK(a->data != NULL, "%s: data is NULL", what);
	if (a->n_elems != n || (size_t)n != e->n || !a->data || a->dtype != e->dtype)
		return;
	size_t bad = 0;
	for (size_t i = 0; i < e->n; i++) {
		bool ok;
		if (e->dtype == CLX_DTYPE_F32) {
			float want = (float)strtod(e->vals[i], NULL); /* exact: the text is a float32 */
			float got = ((const float *)a->data)[i];
			ok = same_float(got, want);
			if (!ok && !bad)
				fprintf(stderr, "%s: first mismatch at %zu: %.9g vs %s\n", what, i,
					(double)got, e->vals[i]);
		} else {
			int64_t want = strtoll(e->vals[i], NULL, 10);
			ok = value_at(a, (int64_t)i) == want;
			if (!ok && !bad)
				fprintf(stderr, "%s: first mismatch at %zu: %lld vs %s\n", what, i,
					(long long)value_at(a, (int64_t)i), e->vals[i]);
		}
		bad += !ok;
	}
	CHECK(bad == 0, "%s: %zu of %zu values differ", what, bad, e->n);
}

static void test_golden(void)
{
	static const char *const cases[] = {
		"f4_1d", "f4_4d", "f4_0d", "f4_empty", "f4_empty_3d", "f4_v2", "f4_v3",
		"f4_specials", "f8_2d", "i4_2d", "i8_1d", "i8_0d", "i8_v2", "u1_2d", "i1_1d",
		"b1_2d", "i4_8d", "fortran_2d", "bigendian_f4", "object_1d", "f2_1d",
		"structured",
	};
	/* np.save (1.0) files whose dtype clx_npy_save writes: must match bytes. */
	static const char *const save_same[] = {
		"f4_1d", "f4_4d", "f4_0d", "f4_empty", "f4_empty_3d", "f4_specials",
		"i4_2d", "i8_1d", "i8_0d", "i4_8d",
	};
	int n_ok = 0, n_refused = 0, n_bytes = 0;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		char npy[1024], txt[1024];
		snprintf(npy, sizeof npy, "%s/%s.npy", g_dir, cases[c]);
		snprintf(txt, sizeof txt, "%s/%s.txt", g_dir, cases[c]);
		struct expected e;
		bool have = read_expected(txt, &e);
		CHECK(have, "cannot read %s", txt);
		if (!have) {
			free(e.vals);
			continue;
		}
		struct clx_npy a, b;
		enum clx_status st = clx_npy_load(g_ctx, npy, &a);
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", clx_last_error(g_ctx));
		size_t len = 0;
		uint8_t *buf = test_read_file(npy, &len);
		CHECK(buf != NULL, "cannot read %s", npy);
		enum clx_status st2 = clx_npy_parse(g_ctx, cases[c], buf, len, &b);
		if (e.error[0]) {
			n_refused++;
			CHECK(st != CLX_OK && strstr(msg, e.error) && strstr(msg, npy),
			      "%s: load gave %s '%s', want '%s'", cases[c], clx_status_name(st), msg,
			      e.error);
			CHECK(st2 == st && strstr(clx_last_error(g_ctx), e.error),
			      "%s: parse gave %s '%s'", cases[c], clx_status_name(st2),
			      clx_last_error(g_ctx));
			CHECK(a.data == NULL && b.data == NULL, "%s: data set on failure", cases[c]);
		} else {
			n_ok++;
			CHECK(st == CLX_OK, "%s: load: %s", cases[c], msg);
			CHECK(st2 == CLX_OK, "%s: parse: %s", cases[c], clx_last_error(g_ctx));
			if (st == CLX_OK)
				compare_array(npy, &a, &e);
			if (st2 == CLX_OK)
				compare_array(cases[c], &b, &e);
			for (size_t k = 0; st == CLX_OK && k < sizeof save_same / sizeof save_same[0];
			     k++) {
				if (strcmp(save_same[k], cases[c]) != 0)
					continue;
				CHECK(clx_npy_save(g_ctx, g_tmp, a.dtype, a.n_dims, a.shape, a.data) ==
					      CLX_OK,
				      "%s: save: %s", cases[c], clx_last_error(g_ctx));
				size_t mlen = 0;
				uint8_t *mine = test_read_file(g_tmp, &mlen);
				CHECK(mine && mlen == len && memcmp(mine, buf, len) == 0,
				      "%s: clx_npy_save bytes differ from np.save (%zu vs %zu bytes)",
				      cases[c], mlen, len);
				free(mine);
				n_bytes++;
			}
		}
		clx_npy_release(&a);
		clx_npy_release(&b);
		free(buf);
		free(e.vals);
	}
	CHECK(n_bytes == (int)(sizeof save_same / sizeof save_same[0]), "byte compares %d",
	      n_bytes);
	printf("golden: %d NumPy files loaded (load and parse), %d refused, %d saved "
	       "byte-identical to np.save\n",
	       n_ok, n_refused, n_bytes);
}

/* -------------------------------------------------------------- round trip */

static bool no_temp_left(void)
{
	const char *slash = strrchr(g_tmp, '/');
	char dir[256];
	snprintf(dir, sizeof dir, "%.*s", (int)(slash - g_tmp), g_tmp);
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool clean = true;
	struct dirent *e;
	size_t base = strlen(slash + 1);
	while ((e = readdir(d)))
		if (strncmp(e->d_name, slash + 1, base) == 0 && strstr(e->d_name, ".tmp."))
			clean = false;
	closedir(d);
	return clean;
}

static void test_round_trip(void)
{
	static const struct {
		enum clx_dtype dt;
		int n_dims;
		int64_t shape[CLX_MAX_DIMS];
	} cases[] = {
		{ CLX_DTYPE_F32, 0, { 0 } },
		{ CLX_DTYPE_F32, 1, { 1 } },
		{ CLX_DTYPE_F32, 2, { 3, 7 } },
		{ CLX_DTYPE_F32, 3, { 2, 0, 5 } },
		{ CLX_DTYPE_F32, 1, { 70001 } },
		{ CLX_DTYPE_I32, 4, { 1, 3, 1, 5 } },
		{ CLX_DTYPE_I64, 2, { 8, 77 } },
		{ CLX_DTYPE_I64, 8, { 1, 2, 1, 3, 1, 2, 1, 2 } },
		{ CLX_DTYPE_I64, 1, { 12345 } },
	};
	int n = 0;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		int64_t count = 1;
		for (int i = 0; i < cases[c].n_dims; i++)
			count *= cases[c].shape[i];
		size_t es = clx_dtype_size(cases[c].dt);
		uint8_t *data = malloc((size_t)count * es + 1);
		if (!data)
			continue;
		for (int64_t i = 0; i < count; i++) {
			if (cases[c].dt == CLX_DTYPE_F32) {
				float v = (float)(sin((double)i * 0.37) * pow(10, (double)(i % 9 - 4)));
				memcpy(data + i * 4, &v, 4);
			} else if (cases[c].dt == CLX_DTYPE_I32) {
				int32_t v = (int32_t)(i * 2654435761u);
				memcpy(data + i * 4, &v, 4);
			} else {
				int64_t v = (int64_t)((uint64_t)i * 0x9E3779B97F4A7C15ull);
				memcpy(data + i * 8, &v, 8);
			}
		}
		enum clx_status st = clx_npy_save(g_ctx, g_tmp, cases[c].dt, cases[c].n_dims,
						  cases[c].shape, data);
		CHECK(st == CLX_OK, "round trip %zu: save: %s", c, clx_last_error(g_ctx));
		struct clx_npy a;
		st = clx_npy_load(g_ctx, g_tmp, &a);
		CHECK(st == CLX_OK, "round trip %zu: load: %s", c, clx_last_error(g_ctx));
		if (st == CLX_OK) {
			bool same = a.dtype == cases[c].dt && a.n_dims == cases[c].n_dims &&
				    a.n_elems == count &&
				    memcmp(a.data, data, (size_t)count * es) == 0;
			for (int i = 0; i < a.n_dims; i++)
				same = same && a.shape[i] == cases[c].shape[i];
			CHECK(same, "round trip %zu: differs", c);
			/* header aligned to 64 as NumPy's */
			size_t len = 0;
			uint8_t *buf = test_read_file(g_tmp, &len);
			CHECK(buf && (len - (size_t)count * es) % 64 == 0 && buf[len - (size_t)count * es - 1] == '\n',
			      "round trip %zu: header not 64-aligned", c);
			free(buf);
			n++;
		}
		clx_npy_release(&a);
		free(data);
	}
	CHECK(no_temp_left(), "a temp file was left beside %s", g_tmp);
	printf("round trip: %d save→load cases (0-d, empty, rank 8, 70001 elements)\n", n);

	/* Bad save arguments: each refused, the previous file left alone. */
	float one = 1.0f;
	int64_t shp[CLX_MAX_DIMS + 1] = { 2, 3, 4, 1, 1, 1, 1, 1, 1 };
	int64_t neg[2] = { 2, -3 }, huge[2] = { INT64_MAX, 4 };
	CHECK(clx_npy_save(g_ctx, g_tmp, CLX_DTYPE_F32, 0, NULL, &one) == CLX_OK, "0-d save");
	CHECK(clx_npy_save(g_ctx, g_tmp, CLX_DTYPE_F16, 0, NULL, &one) == CLX_ERR_INVALID_ARG &&
		      strstr(clx_last_error(g_ctx), "not F16"),
	      "F16 save: %s", clx_last_error(g_ctx));
	CHECK(clx_npy_save(g_ctx, g_tmp, CLX_DTYPE_F32, CLX_MAX_DIMS + 1, shp, &one) ==
		      CLX_ERR_INVALID_ARG,
	      "rank 9 save");
	CHECK(clx_npy_save(g_ctx, g_tmp, CLX_DTYPE_F32, -1, shp, &one) == CLX_ERR_INVALID_ARG,
	      "rank -1 save");
	CHECK(clx_npy_save(g_ctx, g_tmp, CLX_DTYPE_F32, 2, neg, &one) == CLX_ERR_INVALID_ARG,
	      "negative dim save");
	CHECK(clx_npy_save(g_ctx, g_tmp, CLX_DTYPE_I64, 2, huge, &one) == CLX_ERR_INVALID_ARG &&
		      strstr(clx_last_error(g_ctx), "overflows"),
	      "overflow save: %s", clx_last_error(g_ctx));
	CHECK(clx_npy_save(g_ctx, g_tmp, CLX_DTYPE_F32, 2, shp, NULL) == CLX_ERR_INVALID_ARG,
	      "NULL data save");
	CHECK(clx_npy_save(g_ctx, NULL, CLX_DTYPE_F32, 0, NULL, &one) == CLX_ERR_INVALID_ARG,
	      "NULL path save");
	struct clx_npy a;
	CHECK(clx_npy_load(g_ctx, g_tmp, &a) == CLX_OK && a.n_dims == 0 &&
		      ((float *)a.data)[0] == 1.0f,
	      "file kept after refused saves");
	clx_npy_release(&a);
	int64_t zero[1] = { 0 };
	CHECK(clx_npy_save(g_ctx, g_tmp, CLX_DTYPE_I32, 1, zero, NULL) == CLX_OK,
	      "empty save with NULL data: %s", clx_last_error(g_ctx));
	CHECK(clx_npy_save(g_ctx, "/nonexistent-dir/x.npy", CLX_DTYPE_F32, 0, NULL, &one) ==
		      CLX_ERR_IO &&
		      strstr(clx_last_error(g_ctx), "/nonexistent-dir/x.npy"),
	      "save into a missing directory: %s", clx_last_error(g_ctx));
	CHECK(clx_npy_load(g_ctx, "/nonexistent-dir/x.npy", &a) == CLX_ERR_NOT_FOUND &&
		      strcmp(clx_last_error(g_ctx),
			     "/nonexistent-dir/x.npy: No such file or directory") == 0,
	      "missing file: %s", clx_last_error(g_ctx));
	CHECK(clx_npy_load(g_ctx, "/tmp", &a) == CLX_ERR_IO, "directory: %s",
	      clx_last_error(g_ctx));
	CHECK(clx_npy_load(g_ctx, NULL, &a) == CLX_ERR_INVALID_ARG, "NULL path load");
	CHECK(clx_npy_parse(g_ctx, "x", NULL, 10, &a) == CLX_ERR_INVALID_ARG, "NULL buf parse");
	clx_npy_release(NULL);
	struct clx_npy z = { 0 };
	clx_npy_release(&z);
}

/* --------------------------------------------------- large converted loads */

/* Over the reader's 64 KiB chunk, for the converting path (f8, u1). */
static size_t build_raw(uint8_t **out, int major, const char *dict, const void *data,
			size_t dlen);

static void test_large_convert(void)
{
	enum { N = 20011 };
	double *d = malloc(N * sizeof *d);
	uint8_t *u = malloc(N * 4);
	if (!d || !u) {
		free(d);
		free(u);
		CHECK(0, "malloc");
		return;
	}
	for (int i = 0; i < N; i++)
		d[i] = i * 0.5 - 7.25;
	for (int i = 0; i < 4 * N; i++)
		u[i] = (uint8_t)(i * 7);
	for (int pass = 0; pass < 2; pass++) {
		char dict[128];
		snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }",
			 pass ? "|u1" : "<f8", pass ? 4 * N : N);
		uint8_t *file = NULL;
		size_t len = build_raw(&file, 1, dict, pass ? (void *)u : (void *)d,
				       pass ? 4 * (size_t)N : N * sizeof *d);
		test_write_file(g_tmp, file, len);
		struct clx_npy a;
		CHECK(clx_npy_load(g_ctx, g_tmp, &a) == CLX_OK, "large %s: %s", pass ? "u1" : "f8",
		      clx_last_error(g_ctx));
		size_t bad = 0;
		for (int i = 0; a.data && i < (pass ? 4 * N : N); i++)
			bad += pass ? ((int32_t *)a.data)[i] != (uint8_t)(i * 7)
				    : ((float *)a.data)[i] != (float)(i * 0.5 - 7.25);
		CHECK(a.data && bad == 0, "large %s: %zu values differ", pass ? "u1" : "f8", bad);
		clx_npy_release(&a);
		free(file);
	}
	free(d);
	free(u);
	printf("large: f8 and u1 arrays over the 64 KiB conversion chunk\n");
}

/* --------------------------------------------------------------- bad input */

/* A .npy image: preamble for `major`, `dict` padded like NumPy (spaces, a
 * newline, 64-byte alignment), then dlen bytes of data. */
static size_t build_raw(uint8_t **out, int major, const char *dict, const void *data,
			size_t dlen)
{
	size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
	size_t hlen = dl + 1;
	hlen += 64 - (pre + hlen) % 64;
	size_t len = pre + hlen + dlen;
	uint8_t *b = malloc(len + 1);
	if (!b) {
		*out = NULL;
		return 0;
	}
	memcpy(b, "\x93NUMPY", 6);
	b[6] = (uint8_t)major;
	b[7] = 0;
	for (size_t i = 0; i < pre - 8; i++)
		b[8 + i] = (uint8_t)(hlen >> (8 * i));
	memcpy(b + pre, dict, dl);
	memset(b + pre + dl, ' ', hlen - dl - 1);
	b[pre + hlen - 1] = '\n';
	if (dlen)
		memcpy(b + pre + hlen, data, dlen);
	*out = b;
	return len;
}

enum npy_case {
	GOOD_BASE,
	BAD_EMPTY_FILE,
	BAD_MAGIC,
	BAD_MAGIC_SHORT,
	BAD_PREAMBLE_TRUNCATED,
	BAD_VERSION_4,
	BAD_VERSION_0,
	BAD_MINOR,
	GOOD_V2,
	GOOD_V3,
	BAD_HEADER_LEN_PAST_EOF,
	BAD_HEADER_TRUNCATED,
	BAD_HEADER_TOO_LONG,
	GOOD_HEADER_AT_LIMIT,
	BAD_HEADER_EMPTY,
	BAD_FORTRAN,
	GOOD_FORTRAN_FALSE,
	BAD_BIG_ENDIAN_F4,
	BAD_BIG_ENDIAN_I8,
	GOOD_BIG_ENDIAN_U1,
	BAD_NATIVE_ORDER,
	BAD_OBJECT,
	BAD_COMPLEX,
	BAD_UNICODE,
	BAD_STRUCTURED,
	GOOD_I1,
	GOOD_B1_NONZERO,
	BAD_NEGATIVE_DIM,
	BAD_OVERFLOW_SHAPE,
	BAD_OVERFLOW_BYTES,
	BAD_DIM_OVER_INT64,
	BAD_HUGE_DIM_TRUNCATED,
	BAD_RANK_9,
	GOOD_RANK_8,
	GOOD_ZERO_DIM_HUGE_OTHER,
	BAD_TRUNCATED_DATA,
	BAD_TRAILING_DATA,
	GOOD_EMPTY_ARRAY,
	GOOD_SCALAR,
	BAD_MISSING_KEY,
	BAD_DUPLICATE_KEY,
	BAD_EXTRA_KEY,
	BAD_NO_CLOSE_BRACE,
	BAD_GARBAGE_AFTER_DICT,
	BAD_SHAPE_NOT_TUPLE,
	BAD_SHAPE_LIST,
	BAD_SHAPE_DOUBLE_COMMA,
	BAD_SHAPE_LONE_COMMA,
	BAD_SHAPE_FLOAT,
	BAD_SHAPE_LEADING_ZERO,
	BAD_SHAPE_MISSING_COMMA,
	BAD_FORTRAN_INT,
	BAD_FORTRAN_TRUEISH,
	BAD_DESCR_UNQUOTED,
	BAD_DESCR_BACKSLASH,
	BAD_UNTERMINATED_STRING,
	BAD_NON_ASCII,
	BAD_NUL_IN_HEADER,
	BAD_NOT_A_DICT,
	BAD_LONG_SUFFIX_V3,
	GOOD_LONG_SUFFIX_V1,
	GOOD_DOUBLE_QUOTES_REORDERED,
	GOOD_NO_TRAILING_COMMA_TABS,
	NPY_CASE_COUNT
};

struct npy_expect {
	uint8_t *buf;
	size_t len;
	enum clx_status st;
	const char *msg;
	int64_t n_elems; /* on success */
};

#define DICT(descr, fo, shape) "{'descr': '" descr "', 'fortran_order': " fo ", 'shape': " shape ", }"

static void make_case(enum npy_case c, struct npy_expect *e)
{
	static uint8_t data[4096];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 13 + 1);
	const char *dict = DICT("<f4", "False", "(2, 3)");
	int major = 1;
	size_t dlen = 24;
	e->st = CLX_ERR_FORMAT;
	e->msg = NULL;
	e->n_elems = 6;
	e->buf = NULL;
	e->len = 0;
	int post = 0; /* a byte-level change after building */
	static char bigdict[CLX_MAX_NPY_HEADER + 64];

	switch (c) {
	case GOOD_BASE: e->st = CLX_OK; break;
	case BAD_EMPTY_FILE: post = 1; e->msg = "not a .npy file (bad magic)"; break;
	case BAD_MAGIC: post = 2; e->msg = "not a .npy file (bad magic)"; break;
	case BAD_MAGIC_SHORT: post = 3; e->msg = "not a .npy file"; break;
	case BAD_PREAMBLE_TRUNCATED: post = 4; e->msg = "truncated in its preamble"; break;
	case BAD_VERSION_4: post = 5; e->st = CLX_ERR_UNSUPPORTED; e->msg = ".npy format version 4.0 is not supported"; break;
	case BAD_VERSION_0: post = 6; e->st = CLX_ERR_UNSUPPORTED; e->msg = "version 0.0"; break;
	case BAD_MINOR: post = 7; e->st = CLX_ERR_UNSUPPORTED; e->msg = "version 1.1"; break;
	case GOOD_V2: major = 2; e->st = CLX_OK; break;
	case GOOD_V3: major = 3; e->st = CLX_OK; break;
	case BAD_HEADER_LEN_PAST_EOF: post = 8; e->msg = "header length 60000 runs past the end of the file"; break;
	case BAD_HEADER_TRUNCATED: post = 9; e->msg = "runs past the end of the file"; break;
	case BAD_HEADER_TOO_LONG: post = 10; e->msg = "header length 65537 is over the 65536-byte limit"; break;
	case GOOD_HEADER_AT_LIMIT: post = 11; e->st = CLX_OK; break;
	case BAD_HEADER_EMPTY: post = 12; e->msg = "expected '{' at its end"; break;
	case BAD_FORTRAN: dict = DICT("<f4", "True", "(2, 3)"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "Fortran-order .npy arrays are not supported"; break;
	case GOOD_FORTRAN_FALSE: dict = DICT("<f4", "False", "(3, 2)"); e->st = CLX_OK; break;
	case BAD_BIG_ENDIAN_F4: dict = DICT(">f4", "False", "(2, 3)"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "big-endian dtype '>f4' is not supported"; break;
	case BAD_BIG_ENDIAN_I8: dict = DICT(">i8", "False", "(3,)"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "big-endian dtype '>i8'"; break;
	case GOOD_BIG_ENDIAN_U1: dict = DICT(">u1", "False", "(24,)"); e->st = CLX_OK; e->n_elems = 24; break;
	case BAD_NATIVE_ORDER: dict = DICT("=f4", "False", "(2, 3)"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "dtype '=f4' has no explicit byte order"; break;
	case BAD_OBJECT: dict = DICT("|O", "False", "(3,)"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "object arrays are not supported (dtype '|O')"; break;
	case BAD_COMPLEX: dict = DICT("<c8", "False", "(3,)"); e->st = CLX_ERR_UNSUPPORTED; e->msg = ".npy dtype '<c8' is not supported"; break;
	case BAD_UNICODE: dict = DICT("<U2", "False", "(3,)"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "dtype '<U2' is not supported"; break;
	case BAD_STRUCTURED: dict = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }"; e->st = CLX_ERR_UNSUPPORTED; e->msg = "structured .npy dtypes are not supported"; break;
	case GOOD_I1: dict = DICT("|i1", "False", "(4, 6)"); e->st = CLX_OK; e->n_elems = 24; break;
	case GOOD_B1_NONZERO: dict = DICT("|b1", "False", "(24,)"); e->st = CLX_OK; e->n_elems = 24; break;
	case BAD_NEGATIVE_DIM: dict = DICT("<f4", "False", "(-2, 3)"); e->msg = "negative dimension"; break;
	case BAD_OVERFLOW_SHAPE: dict = DICT("<f4", "False", "(4611686018427387904, 4611686018427387904)"); e->msg = "shape overflows"; break;
	case BAD_OVERFLOW_BYTES: dict = DICT("<i8", "False", "(4611686018427387904,)"); e->msg = "data size overflows"; break;
	case BAD_DIM_OVER_INT64: dict = DICT("<f4", "False", "(9223372036854775808,)"); e->msg = "dimension over 2^63-1"; break;
	case BAD_HUGE_DIM_TRUNCATED: dict = DICT("<f4", "False", "(1099511627776,)"); e->msg = "data truncated: shape needs 4398046511104 bytes, file has 24"; break;
	case BAD_RANK_9: dict = DICT("<f4", "False", "(1, 1, 1, 1, 1, 1, 2, 1, 3)"); e->st = CLX_ERR_UNSUPPORTED; e->msg = "more than 8 dimensions"; break;
	case GOOD_RANK_8: dict = DICT("<f4", "False", "(1, 1, 1, 1, 1, 2, 1, 3)"); e->st = CLX_OK; break;
	case GOOD_ZERO_DIM_HUGE_OTHER: dict = DICT("<f4", "False", "(0, 9223372036854775807)"); dlen = 0; e->st = CLX_OK; e->n_elems = 0; break;
	case BAD_TRUNCATED_DATA: dlen = 23; e->msg = "data truncated: shape needs 24 bytes, file has 23"; break;
	case BAD_TRAILING_DATA: dlen = 25; e->msg = "1 bytes of trailing data after the .npy array"; break;
	case GOOD_EMPTY_ARRAY: dict = DICT("<i8", "False", "(2, 0, 3)"); dlen = 0; e->st = CLX_OK; e->n_elems = 0; break;
	case GOOD_SCALAR: dict = DICT("<i8", "False", "()"); dlen = 8; e->st = CLX_OK; e->n_elems = 1; break;
	case BAD_MISSING_KEY: dict = "{'descr': '<f4', 'shape': (2, 3), }"; e->msg = "missing 'fortran_order'"; break;
	case BAD_DUPLICATE_KEY: dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'shape': (6,), }"; e->msg = "duplicate key 'shape'"; break;
	case BAD_EXTRA_KEY: dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}"; e->msg = "unexpected key 'x'"; break;
	case BAD_NO_CLOSE_BRACE: dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "; e->msg = "expected a quoted string at its end"; break;
	case BAD_GARBAGE_AFTER_DICT: dict = DICT("<f4", "False", "(2, 3)") " x"; e->msg = "unexpected data after the dict"; break;
	case BAD_SHAPE_NOT_TUPLE: dict = DICT("<f4", "False", "(6)"); e->msg = "shape (6) is not a tuple"; break;
	case BAD_SHAPE_LIST: dict = DICT("<f4", "False", "[2, 3]"); e->msg = "shape must be a tuple"; break;
	case BAD_SHAPE_DOUBLE_COMMA: dict = DICT("<f4", "False", "(2,, 3)"); e->msg = "expected a dimension"; break;
	case BAD_SHAPE_LONE_COMMA: dict = DICT("<f4", "False", "(,)"); e->msg = "expected a dimension"; break;
	case BAD_SHAPE_FLOAT: dict = DICT("<f4", "False", "(2.0, 3)"); e->msg = "expected ',' or ')' in shape"; break;
	case BAD_SHAPE_LEADING_ZERO: dict = DICT("<f4", "False", "(02, 3)"); e->msg = "leading zero in a dimension"; break;
	case BAD_SHAPE_MISSING_COMMA: dict = DICT("<f4", "False", "(2 3)"); e->msg = "expected ',' or ')' in shape"; break;
	case BAD_FORTRAN_INT: dict = DICT("<f4", "0", "(2, 3)"); e->msg = "fortran_order must be True or False"; break;
	case BAD_FORTRAN_TRUEISH: dict = DICT("<f4", "Falsey", "(2, 3)"); e->msg = "fortran_order must be True or False"; break;
	case BAD_DESCR_UNQUOTED: dict = "{'descr': float32, 'fortran_order': False, 'shape': (2, 3), }"; e->msg = "expected a quoted string at offset 10"; break;
	case BAD_DESCR_BACKSLASH: dict = DICT("<f\\x34", "False", "(2, 3)"); e->msg = "unexpected character in a string"; break;
	case BAD_UNTERMINATED_STRING: dict = "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3), }"; e->msg = "expected ',' or '}'"; break;
	case BAD_NON_ASCII: dict = DICT("<f4", "False", "(2, 3)") "\xc3\xa9"; e->msg = "(byte 0xc3)"; break;
	case BAD_NUL_IN_HEADER: post = 13; e->msg = "(byte 0x00)"; break;
	case BAD_NOT_A_DICT: dict = "('<f4', False, (2, 3))"; e->msg = "expected '{' at offset 0"; break;
	case BAD_LONG_SUFFIX_V3: major = 3; dict = DICT("<f4", "False", "(2L, 3L)"); e->msg = "expected ',' or ')' in shape"; break;
	case GOOD_LONG_SUFFIX_V1: dict = DICT("<f4", "False", "(2L, 3L)"); e->st = CLX_OK; break;
	case GOOD_DOUBLE_QUOTES_REORDERED: dict = "{\"shape\": (2,3),\"fortran_order\":False,\"descr\":\"<f4\"}"; e->st = CLX_OK; break;
	case GOOD_NO_TRAILING_COMMA_TABS: dict = "\t{ 'descr' :\t'<i4' ,\n'fortran_order' : False , 'shape' : ( 2 , 3 , ) }"; e->st = CLX_OK; break;
	case NPY_CASE_COUNT: break;
	}
	if (post == 11) {
		/* A 2.0 header of exactly CLX_MAX_NPY_HEADER bytes. */
		size_t dl = strlen(dict);
		memcpy(bigdict, dict, dl);
		memset(bigdict + dl, ' ', CLX_MAX_NPY_HEADER - 1 - dl);
		bigdict[CLX_MAX_NPY_HEADER - 1] = '\0';
		e->len = 12 + CLX_MAX_NPY_HEADER + dlen;
		e->buf = malloc(e->len);
		memcpy(e->buf, "\x93NUMPY\x02\x00", 8);
		uint32_t h = CLX_MAX_NPY_HEADER;
		for (int i = 0; i < 4; i++)
			e->buf[8 + i] = (uint8_t)(h >> (8 * i));
		memcpy(e->buf + 12, bigdict, CLX_MAX_NPY_HEADER - 1);
		e->buf[12 + CLX_MAX_NPY_HEADER - 1] = '\n';
		memcpy(e->buf + 12 + CLX_MAX_NPY_HEADER, data, dlen);
		return;
	}
	e->len = build_raw(&e->buf, major, dict, data, dlen);
	switch (post) {
	case 1: e->len = 0; break;
	case 2: e->buf[1] = 'n'; break;
	case 3: e->len = 3; break;
	case 4: e->len = 9; break;
	case 5: e->buf[6] = 4; break;
	case 6: e->buf[6] = 0; break;
	case 7: e->buf[7] = 1; break;
	case 8: e->buf[8] = 60000 & 0xff; e->buf[9] = 60000 >> 8; break;
	case 9: e->len = 40; break; /* the file ends inside the header */
	case 10: /* over the cap in a 2.0 header: refused before the size check */
		e->buf[6] = 2;
		e->buf[8] = 0x01; e->buf[9] = 0x00; e->buf[10] = 0x01; e->buf[11] = 0x00;
		break;
	case 12: e->buf[8] = 0; e->buf[9] = 0; e->len = 10; break;
	case 13: e->buf[10 + 20] = '\0'; break;
	}
}

static void test_bad_inputs(void)
{
	static struct npy_expect e;
	int n_good = 0, n_bad = 0;
	for (int c = 0; c < NPY_CASE_COUNT; c++) {
		make_case((enum npy_case)c, &e);
		CHECK(e.buf != NULL, "case %d: build", c);
		if (!e.buf)
			continue;
		for (int via_file = 0; via_file < 2; via_file++) {
			struct clx_npy a;
			memset(&a, 0x5a, sizeof a);
			clx_clear_error(g_ctx);
			enum clx_status st;
			if (via_file) {
				test_write_file(g_tmp, e.buf, e.len);
				st = clx_npy_load(g_ctx, g_tmp, &a);
			} else {
				st = clx_npy_parse(g_ctx, "t.npy", e.buf, e.len, &a);
			}
			const char *msg = clx_last_error(g_ctx);
			CHECK(st == e.st, "case %d (%s): status %s, want %s (%s)", c,
			      via_file ? "load" : "parse", clx_status_name(st),
			      clx_status_name(e.st), msg);
			if (e.st == CLX_OK) {
				CHECK(a.n_elems == e.n_elems && a.data, "case %d: %lld elements", c,
				      (long long)a.n_elems);
				clx_npy_release(&a);
			} else {
				CHECK(e.msg && strstr(msg, e.msg), "case %d (%s): message '%s' lacks '%s'",
				      c, via_file ? "load" : "parse", msg, e.msg ? e.msg : "");
				CHECK(strstr(msg, via_file ? g_tmp : "t.npy") == msg,
				      "case %d: message does not start with the name: %s", c, msg);
				CHECK(a.data == NULL && a.n_dims == 0, "case %d: out not cleared", c);
			}
		}
		if (e.st == CLX_OK)
			n_good++;
		else
			n_bad++;
		free(e.buf);
	}
	printf("bad input: %d failing and %d passing cases, each via parse and load\n", n_bad,
	       n_good);

	/* Converted values of the one-byte types. */
	uint8_t raw[6] = { 0, 1, 2, 127, 128, 255 };
	const char *dicts[3] = { DICT("|u1", "False", "(6,)"), DICT("|i1", "False", "(6,)"),
				 DICT("|b1", "False", "(6,)") };
	const int32_t want[3][6] = { { 0, 1, 2, 127, 128, 255 },
				     { 0, 1, 2, 127, -128, -1 },
				     { 0, 1, 1, 1, 1, 1 } };
	for (int k = 0; k < 3; k++) {
		uint8_t *buf;
		size_t len = build_raw(&buf, 1, dicts[k], raw, 6);
		struct clx_npy a;
		CHECK(buf && clx_npy_parse(g_ctx, "t", buf, len, &a) == CLX_OK &&
			      a.dtype == CLX_DTYPE_I32 &&
			      memcmp(a.data, want[k], sizeof want[k]) == 0,
		      "one-byte dtype %d converts", k);
		clx_npy_release(&a);
		free(buf);
	}
}

/* ------------------------------------------------------ allocation failure */

static void test_alloc_fail(void)
{
	static const char *const files[] = { "f8_2d", "f4_4d", "u1_2d" };
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s.npy", g_dir, files[k]);
		size_t len = 0;
		uint8_t *buf = test_read_file(path, &len);
		CHECK(buf != NULL, "read %s", path);
		for (int which = 0; buf && which < 3; which++) {
			long n;
			int clean = 1;
			for (n = 1; n < 1000; n++) {
				struct clx_npy a = { 0 };
				enum clx_status st;
				if (which == 2) {
					/* load first without failures, then fail the save */
					if (clx_npy_load(g_ctx, path, &a) != CLX_OK)
						break;
					alloc_fail_arm(n);
					st = clx_npy_save(g_ctx, g_tmp, a.dtype, a.n_dims, a.shape,
							  a.data);
				} else {
					alloc_fail_arm(n);
					st = which == 0 ? clx_npy_load(g_ctx, path, &a)
							: clx_npy_parse(g_ctx, files[k], buf, len, &a);
				}
				int hit = alloc_fail_hit();
				alloc_fail_arm(0);
				clx_npy_release(&a);
				if (!hit) {
					CHECK(st == CLX_OK, "%s n=%ld: %s", files[k], n,
					      clx_last_error(g_ctx));
					break;
				}
				if (st != CLX_ERR_NOMEM ||
				    !strstr(clx_last_error(g_ctx), "out of memory")) {
					clean = 0;
					CHECK(0, "%s n=%ld: %s %s", files[k], n, clx_status_name(st),
					      clx_last_error(g_ctx));
				}
			}
			CHECK(clean && n > 1, "%s: allocation failures reported cleanly", files[k]);
			printf("alloc-fail: %s on %s survives failing each of its %ld allocations\n",
			       which == 0 ? "clx_npy_load" : which == 1 ? "clx_npy_parse" : "clx_npy_save",
			       files[k], n - 1);
		}
		free(buf);
	}
	CHECK(no_temp_left(), "a temp file was left after failed saves");
}

int main(int argc, char **argv)
{
	g_dir = argc > 1 ? argv[1] : "tests/fixtures/npy";
	snprintf(g_tmp, sizeof g_tmp, "/tmp/clx_test_npy_%ld.npy", (long)getpid());
	g_ctx = clx_ctx_create();
	if (!g_ctx)
		return 1;
	test_golden();
	test_round_trip();
	test_large_convert();
	test_bad_inputs();
	test_alloc_fail();
	remove(g_tmp);
	clx_ctx_free(g_ctx);
	return check_summary();
}
