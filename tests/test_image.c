/* test_image.c — still-image decoding against Pillow (clx/image.h).
 *
 * Golden: every file of tests/fixtures/images/expected.json (written by
 * tools/dev/gen_image_golden.py) decoded by clx and compared value by value
 * with Pillow's Image.open(f).convert("RGB") (NAME.npy) and, for EXIF cases,
 * ImageOps.exif_transpose (NAME.exif.npy). One line per image: format, size,
 * max abs difference, differing values. Lossless formats must be exact, and
 * so must the lossy ones: Debian's libjpeg-turbo 2.1.5 and libwebp 1.2.4
 * measure bit-exact against Pillow 13's bundled libjpeg-turbo 3.2.0 and
 * libwebp 1.6.0 on these files (docs/IMAGES.md). LOSSY_MAX_DIFF is the bound
 * to loosen if a library update ever changes that.
 *
 * Bad input: every bad/ file fails with its status and a one-line message
 * naming the file; every prefix of some good files fails cleanly or decodes;
 * allocation failure at each clx allocation; warnings reach the context's
 * handler, one line per image, never stderr.
 *
 * Usage: test_image FIXTURE_DIR (tests/fixtures/images) */
#include "alloc_fail.h"
#include "check.h"
#include "test_files.h"
#include "clx/image.h"
#include "clx/limits.h"
#include "clx/npy.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOSSY_MAX_DIFF 0 /* measured: exact (see the header) */

static const char *g_dir;
static struct clx_ctx *g_ctx;

/* ------------------------------------------------------------------ helpers */

static void path_of(char *buf, size_t cap, const char *leaf)
{
	snprintf(buf, cap, "%s/%s", g_dir, leaf);
}

static enum clx_status status_named(const char *s)
{
	static const struct {
		const char *name;
		enum clx_status st;
	} t[] = { { "CLX_ERR_FORMAT", CLX_ERR_FORMAT }, { "CLX_ERR_UNSUPPORTED", CLX_ERR_UNSUPPORTED },
		  { "CLX_ERR_IO", CLX_ERR_IO }, { "CLX_ERR_NOMEM", CLX_ERR_NOMEM },
		  { "CLX_ERR_NOT_FOUND", CLX_ERR_NOT_FOUND } };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(s, t[i].name) == 0)
			return t[i].st;
	return CLX_OK;
}

struct diff {
	int max;
	size_t differing, total;
};

/* img against the uint8 (h, w, 3) array in npy_leaf. */
static bool compare(const char *what, const struct clx_image *img, const char *npy_leaf,
		    struct diff *d)
{
	char path[512];
	path_of(path, sizeof path, npy_leaf);
	struct clx_npy a;
	memset(d, 0, sizeof *d);
	enum clx_status st = clx_npy_load(g_ctx, path, &a);
	CHECK(st == CLX_OK, "%s: %s", path, clx_last_error(g_ctx));
	if (st)
		return false;
	bool shape_ok = a.n_dims == 3 && a.shape[0] == img->height && a.shape[1] == img->width &&
			a.shape[2] == 3 && a.dtype == CLX_DTYPE_I32;
	CHECK(shape_ok, "%s: clx %dx%d, Pillow (%lld, %lld, %lld)", what, img->width, img->height,
	      (long long)a.shape[0], (long long)(a.n_dims > 1 ? a.shape[1] : 0),
	      (long long)(a.n_dims > 2 ? a.shape[2] : 0));
	if (shape_ok) {
		const int32_t *want = a.data;
		d->total = (size_t)a.n_elems;
		for (size_t i = 0; i < d->total; i++) {
			int e = abs((int)img->rgb[i] - want[i]);
			if (e) {
				if (!d->differing)
					fprintf(stderr, "%s: first difference at value %zu (y %zu x %zu c %zu): "
						"clx %d, Pillow %d\n", what, i, i / 3 / img->width,
						i / 3 % img->width, i % 3, img->rgb[i], want[i]);
				d->differing++;
				if (e > d->max)
					d->max = e;
			}
		}
	}
	clx_npy_release(&a);
	return shape_ok;
}

static void check_one_line(const char *what, const char *msg, const char *file)
{
	CHECK(msg[0] && !strchr(msg, '\n'), "%s: message not one line: '%s'", what, msg);
	CHECK(strstr(msg, file) != NULL, "%s: message does not name the file: '%s'", what, msg);
}

/* ------------------------------------------------------------------ golden */

static void golden_one(const cJSON *e)
{
	const char *file = cJSON_GetStringValue(cJSON_GetObjectItem(e, "file"));
	const char *fmt = cJSON_GetStringValue(cJSON_GetObjectItem(e, "format"));
	const char *npy = cJSON_GetStringValue(cJSON_GetObjectItem(e, "expected"));
	const char *exif_npy = cJSON_GetStringValue(cJSON_GetObjectItem(e, "exif_expected"));
	bool lossy = cJSON_IsTrue(cJSON_GetObjectItem(e, "lossy"));
	bool animated = cJSON_IsTrue(cJSON_GetObjectItem(e, "animated"));
	CHECK(file && fmt && npy, "expected.json: incomplete entry");
	if (!file || !fmt || !npy)
		return;
	char path[512];
	path_of(path, sizeof path, file);
	struct clx_image img;
	enum clx_status st = clx_image_read(g_ctx, path, NULL, &img);
	CHECK(st == CLX_OK, "%s: %s", file, clx_last_error(g_ctx));
	if (st)
		return;
	CHECK(strcmp(img.format, fmt) == 0, "%s: format %s, want %s", file, img.format, fmt);
	CHECK(img.animated == animated, "%s: animated %d, want %d", file, img.animated, animated);
	struct diff d;
	if (compare(file, &img, npy, &d)) {
		printf("%-34s %-4s %3dx%-3d max |diff| %3d, %5zu of %5zu values differ%s\n", file,
		       img.format, img.width, img.height, d.max, d.differing, d.total,
		       lossy ? " (lossy)" : "");
		if (lossy)
			CHECK(d.max <= LOSSY_MAX_DIFF, "%s: max |diff| %d over the bound %d", file, d.max,
			      LOSSY_MAX_DIFF);
		else
			CHECK(d.differing == 0, "%s: %zu values differ from Pillow (lossless)", file,
			      d.differing);
	}
	/* the same bytes from memory decode the same */
	size_t len = 0;
	uint8_t *bytes = test_read_file(path, &len);
	CHECK(bytes != NULL, "%s: unreadable", path);
	if (bytes) {
		struct clx_image m;
		st = clx_image_decode(g_ctx, file, bytes, len, NULL, &m);
		CHECK(st == CLX_OK && m.width == img.width && m.height == img.height &&
		      memcmp(m.rgb, img.rgb, (size_t)m.width * m.height * 3) == 0,
		      "%s: clx_image_decode differs from clx_image_read", file);
		clx_image_release(&m);
		free(bytes);
	}
	if (exif_npy) {
		struct clx_image_opts opts = { .apply_exif = true };
		struct clx_image t;
		CHECK(img.orientation >= 1, "%s: no orientation found", file);
		st = clx_image_read(g_ctx, path, &opts, &t);
		CHECK(st == CLX_OK, "%s (apply_exif): %s", file, clx_last_error(g_ctx));
		if (!st && compare(file, &t, exif_npy, &d)) {
			printf("%-34s exif orientation %d → %dx%d, max |diff| %d, %zu differ\n", file,
			       t.orientation, t.width, t.height, d.max, d.differing);
			CHECK(d.max <= (lossy ? LOSSY_MAX_DIFF : 0), "%s (apply_exif): max |diff| %d",
			      file, d.max);
		}
		clx_image_release(&t);
	}
	clx_image_release(&img);
	CHECK(img.rgb == NULL && img.width == 0, "%s: release leaves the image zeroed", file);
}

static void bad_one(const cJSON *e)
{
	const char *file = cJSON_GetStringValue(cJSON_GetObjectItem(e, "file"));
	const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(e, "status"));
	const char *message = cJSON_GetStringValue(cJSON_GetObjectItem(e, "message"));
	CHECK(file && status && message, "expected.json: incomplete bad entry");
	if (!file || !status || !message)
		return;
	char path[512];
	path_of(path, sizeof path, file);
	struct clx_image img;
	memset(&img, 0xAB, sizeof img); /* must come back zeroed */
	enum clx_status st = clx_image_read(g_ctx, path, NULL, &img);
	const char *msg = clx_last_error(g_ctx);
	printf("%-34s %-19s %s\n", file, clx_status_name(st), msg);
	CHECK(st == status_named(status), "%s: %s, want %s (%s)", file, clx_status_name(st), status,
	      msg);
	CHECK(strstr(msg, message) != NULL, "%s: message '%s' lacks '%s'", file, msg, message);
	check_one_line(file, msg, path);
	CHECK(img.rgb == NULL && img.width == 0 && img.height == 0,
	      "%s: a failed decode leaves the image zeroed", file);
}

static void golden(void)
{
	char path[512];
	path_of(path, sizeof path, "expected.json");
	size_t len = 0;
	char *text = test_read_file(path, &len);
	CHECK(text != NULL, "cannot read %s", path);
	if (!text)
		return;
	cJSON *root = cJSON_Parse(text);
	free(text);
	CHECK(root != NULL, "%s: not JSON", path);
	const cJSON *e;
	int good = 0, bad = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(root, "good"))
	{
		golden_one(e);
		good++;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(root, "bad"))
	{
		bad_one(e);
		bad++;
	}
	CHECK(good >= 50 && bad >= 15, "expected.json: %d good, %d bad entries", good, bad);
	cJSON_Delete(root);
}

/* ------------------------------------------------------------------ bad input */

/* Every prefix of a file: an error with a one-line message, or (a prefix
 * that still holds the whole image, e.g. without its trailer) an image. */
static void prefixes(const char *leaf, size_t step)
{
	char path[512];
	path_of(path, sizeof path, leaf);
	size_t len = 0;
	uint8_t *bytes = test_read_file(path, &len);
	CHECK(bytes != NULL, "%s: unreadable", path);
	if (!bytes)
		return;
	int ok = 0, failed = 0;
	for (size_t n = 0; n < len; n += step) {
		uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes: ASan sees overreads */
		memcpy(copy, bytes, n);
		struct clx_image img;
		enum clx_status st = clx_image_decode(g_ctx, leaf, copy, n, NULL, &img);
		if (st == CLX_OK) {
			ok++;
			clx_image_release(&img);
		} else {
			failed++;
			const char *msg = clx_last_error(g_ctx);
			if (!msg[0] || strchr(msg, '\n') || !strstr(msg, leaf) ||
			    (st != CLX_ERR_FORMAT && st != CLX_ERR_UNSUPPORTED))
				CHECK(false, "%s[:%zu]: %s '%s'", leaf, n, clx_status_name(st), msg);
		}
		free(copy);
	}
	CHECK(failed > 0, "%s: no prefix failed", leaf);
	printf("%-34s prefixes: %d decode, %d refused\n", leaf, ok, failed);
	free(bytes);
}

static void bad_input(void)
{
	static const char *files[] = { "good/jpeg_420.jpg", "good/jpeg_progressive.jpg",
				       "good/jpeg_cmyk.jpg", "good/png_interlaced.png",
				       "good/png_palette_trns.png", "good/webp_lossy.webp",
				       "good/webp_animated.webp", "good/bmp_4_v5.bmp",
				       "good/bmp_32_bitfields.bmp", "good/gif_interlaced.gif",
				       "good/gif_animated.gif", "good/jpeg_exif6.jpg" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		prefixes(files[i], 1);

	struct clx_image img;
	char path[512];
	path_of(path, sizeof path, "no_such_file.png");
	CHECK(clx_image_read(g_ctx, path, NULL, &img) == CLX_ERR_NOT_FOUND, "missing file: %s",
	      clx_last_error(g_ctx));
	check_one_line("missing file", clx_last_error(g_ctx), path);
	CHECK(clx_image_read(g_ctx, g_dir, NULL, &img) == CLX_ERR_IO, "a directory: %s",
	      clx_last_error(g_ctx));
	CHECK(clx_image_read(g_ctx, NULL, NULL, &img) == CLX_ERR_INVALID_ARG, "NULL path");
	CHECK(clx_image_decode(g_ctx, "x", NULL, 4, NULL, &img) == CLX_ERR_INVALID_ARG, "NULL data");
	CHECK(clx_image_decode(g_ctx, "x", (const uint8_t *)"", 0, NULL, NULL) == CLX_ERR_INVALID_ARG,
	      "NULL out");
	clx_image_release(NULL);

	/* the magic bytes alone, of each format */
	static const struct {
		const char *bytes;
		size_t n;
	} magic[] = { { "\xff\xd8\xff", 3 }, { "\x89PNG\r\n\x1a\n", 8 }, { "RIFF\0\0\0\0WEBP", 12 },
		      { "BM", 2 }, { "GIF89a", 6 } };
	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++) {
		enum clx_status st = clx_image_decode(g_ctx, "magic", (const uint8_t *)magic[i].bytes,
						      magic[i].n, NULL, &img);
		CHECK(st == CLX_ERR_FORMAT, "magic %zu alone: %s %s", i, clx_status_name(st),
		      clx_last_error(g_ctx));
	}
}

/* A JPEG with its entropy-coded data scribbled on: libjpeg recovers with
 * warnings (Pillow decodes it silently); clx passes one line to the handler. */
struct warnings {
	int count;
	char last[512];
};

static void on_warning(void *user, const char *msg)
{
	struct warnings *w = user;
	w->count++;
	snprintf(w->last, sizeof w->last, "%s", msg);
}

static void warnings(void)
{
	char path[512];
	path_of(path, sizeof path, "good/jpeg_444.jpg");
	size_t len = 0;
	uint8_t *bytes = test_read_file(path, &len);
	CHECK(bytes != NULL && len > 800, "%s: unreadable", path);
	if (!bytes)
		return;
	for (size_t i = len - 300; i < len - 280; i++)
		bytes[i] = 0xFF; /* markers in the scan: "Corrupt JPEG data" */
	struct warnings w = { 0 };
	clx_ctx_set_warning_handler(g_ctx, on_warning, &w);
	struct clx_image img;
	enum clx_status st = clx_image_decode(g_ctx, "scribbled.jpg", bytes, len, NULL, &img);
	printf("scribbled.jpg: %s, %d warning line(s): %s\n", clx_status_name(st), w.count, w.last);
	CHECK(st == CLX_OK || st == CLX_ERR_FORMAT, "scribbled.jpg: %s", clx_last_error(g_ctx));
	CHECK(st != CLX_OK || w.count == 1, "scribbled.jpg: %d warning lines, want 1", w.count);
	CHECK(st != CLX_OK || strstr(w.last, "scribbled.jpg"), "warning does not name the file");
	clx_image_release(&img);
	clx_ctx_set_warning_handler(g_ctx, NULL, NULL);
	free(bytes);
}

/* ------------------------------------------------------------------ alloc */

static void alloc_failure(void)
{
	static const char *files[] = { "good/jpeg_exif6.jpg", "good/jpeg_gray.jpg",
				       "good/png_interlaced.png", "good/png_exif6.png",
				       "good/webp_exif8.webp", "good/bmp_8_palette.bmp",
				       "good/gif_subframe_trans.gif" };
	struct clx_image_opts opts = { .apply_exif = true };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[512];
		path_of(path, sizeof path, files[i]);
		size_t len = 0;
		uint8_t *bytes = test_read_file(path, &len);
		CHECK(bytes != NULL, "%s: unreadable", path);
		if (!bytes)
			continue;
		int n;
		for (n = 1; n < 100; n++) {
			struct clx_image img;
			alloc_fail_arm(n);
			enum clx_status st = clx_image_decode(g_ctx, files[i], bytes, len, &opts, &img);
			bool hit = alloc_fail_hit();
			alloc_fail_arm(0);
			if (st == CLX_OK) {
				clx_image_release(&img);
				if (!hit)
					break; /* every allocation has been failed once */
				/* only metadata was lost: the image still decoded */
				continue;
			}
			CHECK(st == CLX_ERR_NOMEM && hit && img.rgb == NULL,
			      "%s, allocation %d failed: %s %s", files[i], n, clx_status_name(st),
			      clx_last_error(g_ctx));
		}
		CHECK(n > 1 && n < 100, "%s: allocation loop ran %d times", files[i], n);
		free(bytes);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_image FIXTURE_DIR\n");
		return 2;
	}
	g_dir = argv[1];
	g_ctx = clx_ctx_create();
	golden();
	bad_input();
	warnings();
	alloc_failure();
	clx_ctx_free(g_ctx);
	return check_summary();
}
