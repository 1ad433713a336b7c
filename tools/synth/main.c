/* clx-synth — writes a synthetic X-CLIP model (and optionally pixel values)
 * from a config.json and a seed, bit-identical to tools/dev/gen_fixtures.py.
 *
 *   clx-synth --config config.json --seed N --out DIR
 *             [--pixels OUT.npy --pixel-seed M --pixel-shape 1,8,3,224,224]
 *
 * Writes DIR/config.json (a byte copy) and DIR/model.safetensors. A
 * development tool for the golden fixtures (docs/FIXTURES.md); not
 * installed. */
#include "clx/clx.h"
#include "clx/config.h"
#include "clx/npy.h"
#include "clx/synth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: clx-synth --config config.json --seed N --out DIR\n"
		   "                 [--pixels OUT.npy --pixel-seed M --pixel-shape D0,D1,...]\n");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* "1,8,3,224,224" → shape; false on anything else. */
static bool parse_shape(const char *s, int *n_dims, int64_t *shape)
{
	*n_dims = 0;
	while (s && *s) {
		char *end;
		errno = 0;
		long long v = strtoll(s, &end, 10);
		if (errno || end == s || v <= 0 || v > (1ll << 40) || *n_dims == CLX_MAX_DIMS)
			return false;
		shape[(*n_dims)++] = v;
		if (*end == ',')
			end++;
		else if (*end)
			return false;
		s = end;
	}
	return *n_dims > 0;
}

static int copy_file(const char *src, const char *dst)
{
	FILE *in = fopen(src, "rb"), *out = NULL;
	char buf[1 << 16];
	size_t n;
	int rc = 1;

	if (!in) {
		fprintf(stderr, "clx-synth: %s: %s\n", src, strerror(errno));
		return 1;
	}
	out = fopen(dst, "wb");
	if (!out) {
		fprintf(stderr, "clx-synth: %s: %s\n", dst, strerror(errno));
		goto done;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			goto done;
	rc = ferror(in) ? 1 : 0;
done:
	if (out && fclose(out) != 0)
		rc = 1;
	fclose(in);
	if (rc)
		fprintf(stderr, "clx-synth: copying %s to %s failed\n", src, dst);
	return rc;
}

int main(int argc, char **argv)
{
	const char *config = NULL, *out = NULL, *pixels = NULL, *pixel_shape = NULL;
	const char *seed_s = NULL, *pixel_seed_s = NULL;
	uint64_t seed = 0, pixel_seed = 0;
	int n_dims = 0;
	int64_t shape[CLX_MAX_DIMS];
	struct clx_model_config cfg;
	struct clx_ctx *ctx = NULL;
	char *dst = NULL;
	float *px = NULL;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = !strcmp(a, "--config")        ? &config
				    : !strcmp(a, "--seed")        ? &seed_s
				    : !strcmp(a, "--out")         ? &out
				    : !strcmp(a, "--pixels")      ? &pixels
				    : !strcmp(a, "--pixel-seed")  ? &pixel_seed_s
				    : !strcmp(a, "--pixel-shape") ? &pixel_shape
								  : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!slot || i + 1 >= argc) {
			fprintf(stderr, "clx-synth: %s: %s\n", a, slot ? "missing value" : "unknown option");
			usage(stderr);
			return 2;
		}
		*slot = argv[++i];
	}
	if (!config || !out || !parse_u64(seed_s, &seed)) {
		fprintf(stderr, "clx-synth: --config, --out and a non-negative integer --seed are required\n");
		usage(stderr);
		return 2;
	}
	if (pixels && (!parse_u64(pixel_seed_s, &pixel_seed) || !parse_shape(pixel_shape, &n_dims, shape))) {
		fprintf(stderr, "clx-synth: --pixels needs --pixel-seed M and --pixel-shape D0,D1,... "
				"(positive, at most %d dims)\n", CLX_MAX_DIMS);
		return 2;
	}

	ctx = clx_ctx_create();
	dst = malloc(strlen(out) + sizeof "/config.json");
	if (!ctx || !dst) {
		fprintf(stderr, "clx-synth: out of memory\n");
		goto done;
	}
	if (clx_config_load(ctx, config, &cfg) != CLX_OK) {
		fprintf(stderr, "clx-synth: %s\n", clx_last_error(ctx));
		goto done;
	}
	if (mkdir(out, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "clx-synth: mkdir %s: %s\n", out, strerror(errno));
		goto done;
	}
	sprintf(dst, "%s/config.json", out);
	{
		struct stat a, b;
		bool same = stat(config, &a) == 0 && stat(dst, &b) == 0 && a.st_dev == b.st_dev &&
			    a.st_ino == b.st_ino;
		if (!same && copy_file(config, dst))
			goto done;
	}

	double t0 = now_s();
	if (clx_synth_write_model(ctx, &cfg, seed, out) != CLX_OK) {
		fprintf(stderr, "clx-synth: %s\n", clx_last_error(ctx));
		goto done;
	}
	printf("clx-synth: %s/model.safetensors (seed %llu) in %.2f s\n", out, (unsigned long long)seed,
	       now_s() - t0);

	if (pixels) {
		int64_t n = 1;
		for (int d = 0; d < n_dims; d++) {
			if (__builtin_mul_overflow(n, shape[d], &n) || n > (1ll << 34)) {
				fprintf(stderr, "clx-synth: --pixel-shape is too large\n");
				goto done;
			}
		}
		px = malloc((size_t)n * sizeof *px);
		if (!px) {
			fprintf(stderr, "clx-synth: out of memory for %lld pixel values\n", (long long)n);
			goto done;
		}
		clx_synth_fill("pixel_values", pixel_seed, px, n);
		if (clx_npy_save(ctx, pixels, CLX_DTYPE_F32, n_dims, shape, px) != CLX_OK) {
			fprintf(stderr, "clx-synth: %s\n", clx_last_error(ctx));
			goto done;
		}
		printf("clx-synth: %s (%lld values, seed %llu)\n", pixels, (long long)n,
		       (unsigned long long)pixel_seed);
	}
	rc = 0;
done:
	free(px);
	free(dst);
	clx_ctx_free(ctx);
	return rc;
}
