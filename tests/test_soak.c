/* test_soak.c — the library in one long-lived process: N calls of
 * clx_classifier_classify on the tiny model (a mix of good, missing and
 * audio-only files, one classifier), then 21 classifiers created and freed, on one device (argv[4]: cpu or an OpenCL spec). After
 * the warm-up, every round must give back what it took:
 *   - allocator bytes and blocks (clx_set_allocator with counting hooks);
 *   - open file descriptors (/proc/self/fd);
 *   - OpenCL buffers (clx_cl_live_buffers);
 * and the results must not drift (every call's probabilities equal the
 * first call's, bit for bit). The RSS curve is printed every N/10 calls;
 * its growth after the warm-up must stay under 16 MiB, except under ASan,
 * whose quarantine keeps freed memory (RSS also counts the C library's and
 * the drivers' caches, so the exact checks are the three counters).
 *
 * Usage: test_soak MODEL_DIR VIDEO_DIR N [DEVICE_SPEC] */
#include "check.h"
#include "test_backend.h"

#include "clx/classifier.h"
#include "clx/model.h"
#include "clx/tokenizer.h"
#ifdef CLX_HAVE_OPENCL
#include "clx/cl.h"
#endif

#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------ a counting allocator */

static atomic_llong live_bytes, live_blocks;

/* Each block carries its size in a 16-byte header (keeps max_align_t). */
static void *count_malloc(size_t n)
{
	size_t *p = malloc(n + 16);
	if (!p)
		return NULL;
	*p = n;
	atomic_fetch_add(&live_bytes, (long long)n);
	atomic_fetch_add(&live_blocks, 1);
	return (char *)p + 16;
}

static void count_free(void *q)
{
	if (!q)
		return;
	size_t *p = (size_t *)(void *)((char *)q - 16);
	atomic_fetch_sub(&live_bytes, (long long)*p);
	atomic_fetch_sub(&live_blocks, 1);
	free(p);
}

static void *count_realloc(void *q, size_t n)
{
	if (!q)
		return count_malloc(n);
	size_t *p = (size_t *)(void *)((char *)q - 16), old = *p;
	size_t *np = realloc(p, n + 16);
	if (!np)
		return NULL;
	*np = n;
	atomic_fetch_add(&live_bytes, (long long)n - (long long)old);
	return (char *)np + 16;
}

/* ---------------------------------------------------------- the counters */

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1; /* the directory's own */
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int live_buffers(void)
{
#ifdef CLX_HAVE_OPENCL
	return clx_cl_live_buffers();
#else
	return 0;
#endif
}

struct snapshot {
	long long bytes, blocks;
	int fds, buffers;
};

static struct snapshot take(void)
{
	return (struct snapshot){ atomic_load(&live_bytes), atomic_load(&live_blocks), open_fds(),
				  live_buffers() };
}

static bool same(const struct snapshot *a, const struct snapshot *b, const char *what, int round)
{
	const bool eq = a->bytes == b->bytes && a->blocks == b->blocks && a->fds == b->fds &&
			a->buffers == b->buffers;
	CHECK(eq, "%s %d: allocator %lld B / %lld blocks, %d fds, %d CL buffers; at the start %lld B / "
		  "%lld blocks, %d fds, %d CL buffers",
	      what, round, b->bytes, b->blocks, b->fds, b->buffers, a->bytes, a->blocks, a->fds,
	      a->buffers);
	return eq;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s MODEL_DIR VIDEO_DIR N [DEVICE_SPEC]\n", argv[0]);
		return 2;
	}
	const struct clx_allocator counting = { count_malloc, count_realloc, count_free };
	clx_set_allocator(&counting);
	const char *model_dir = argv[1], *vids = argv[2], *spec = argc > 4 ? argv[4] : NULL;
	const int N = atoi(argv[3]);
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_model *m = NULL;
	CHECK(clx_model_load(ctx, model_dir, &m) == CLX_OK, "load: %s", clx_last_error(ctx));
	struct clx_backend *be = m ? test_open_backend(ctx, spec) : NULL;
	CHECK(be != NULL, "backend %s: %s", spec ? spec : "cpu", clx_last_error(ctx));
	struct clx_tokenizer *tok = NULL;
	struct clx_tokenizer_batch *tb = NULL;
	const char *labels[] = { "playing sports", "eating spaghetti", "a cat on a sofa" };
	if (be && clx_tokenizer_load_dir(ctx, model_dir, &tok) == CLX_OK)
		clx_tokenizer_encode_batch(ctx, tok, labels, NULL, 3, NULL, &tb);
	CHECK(tb != NULL, "tokenize: %s", clx_last_error(ctx));
	if (!tb || N < 10)
		return check_summary();

	char paths[4][4200];
	const char *names[4] = { "h264.mp4", "vp9.webm", "audio.m4a", "nonexistent.mp4" };
	for (int i = 0; i < 4; i++)
		snprintf(paths[i], sizeof paths[i], "%s/%s", vids, names[i]);
	struct clx_classifier_opts co;
	clx_classifier_opts_default(m, &co);
	co.no_label_cache = true; /* nothing on disk: the counters see the library alone */
	struct clx_classifier *c = NULL;
	CHECK(clx_classifier_create(ctx, m, be, tb, &co, &c) == CLX_OK, "classifier: %s",
	      clx_last_error(ctx));
	if (!c)
		return check_summary();

	/* N calls through one classifier */
	float first[2][3];
	struct snapshot start = { 0 };
	long rss_start = 0, rss_max = 0;
	int bad_rounds = 0, drift = 0;
	for (int i = 0; i < N; i++) {
		struct clx_video_item it;
		const int v = i % 4;
		enum clx_status st = clx_classifier_classify(ctx, c, paths[v], &it);
		CHECK(st == CLX_OK, "call %d: %s", i, clx_last_error(ctx));
		if (v < 2 && it.status == CLX_OK) {
			if (i < 4)
				memcpy(first[v], it.probs, sizeof first[v]);
			else
				drift += memcmp(first[v], it.probs, sizeof first[v]) != 0;
		} else if (v >= 2) {
			bad_rounds += it.status == CLX_OK; /* must fail, every time */
		}
		clx_video_item_release(&it);
		clx_clear_error(ctx);
		if (i == 9) { /* after the warm-up: decoder and driver one-time state exists */
			start = take();
			rss_start = rss_kib();
		}
		if (i > 9) {
			const struct snapshot now = take();
			if (!same(&start, &now, "call", i))
				break;
		}
		const long r = rss_kib();
		rss_max = r > rss_max ? r : rss_max;
		if ((i + 1) % (N / 10) == 0)
			printf("call %5d: RSS %ld KiB, allocator %lld B in %lld blocks, %d fds, %d CL buffers\n",
			       i + 1, r, (long long)atomic_load(&live_bytes),
			       (long long)atomic_load(&live_blocks), open_fds(), live_buffers());
	}
	CHECK(drift == 0, "%d calls gave other probabilities than the first", drift);
	CHECK(bad_rounds == 0, "a missing or audio-only file classified %d times", bad_rounds);
#if defined(__SANITIZE_ADDRESS__)
	/* ASan keeps freed blocks in its quarantine (256 MiB): RSS says nothing */
	printf("RSS growth %ld KiB, not checked under ASan\n", rss_max - rss_start);
#else
	CHECK(rss_max - rss_start < 16 * 1024, "RSS grew by %ld KiB after the warm-up", rss_max - rss_start);
#endif
	clx_classifier_free(c);

	/* classifiers created and freed: each gives back all it took. The
	 * backend keeps the arena of the last session it ran, so a round is
	 * compared with the last round of the same batch size (1, 2, 3), after
	 * one warm-up round each. */
	struct snapshot before[3] = { 0 };
	for (int r = 0; r < 21; r++) {
		struct clx_classifier *k = NULL;
		co.batch = 1 + r % 3;
		CHECK(clx_classifier_create(ctx, m, be, tb, &co, &k) == CLX_OK, "create %d: %s", r,
		      clx_last_error(ctx));
		struct clx_video_item items[3];
		const char *batch[3] = { paths[0], paths[2], paths[1] };
		CHECK(k && clx_classifier_classify_batch(ctx, k, batch, 3, items) == CLX_OK, "batch %d", r);
		for (int i = 0; k && i < 3; i++)
			clx_video_item_release(&items[i]);
		clx_classifier_free(k);
		const struct snapshot now = take();
		if (r >= 6 && !same(&before[r % 3], &now, "create/free", r))
			break;
		before[r % 3] = now;
	}
	printf("%d calls + 21 classifiers on %s: RSS %ld KiB after the warm-up, %ld KiB at most\n", N,
	       clx_backend_name(be), rss_start, rss_max);
	test_check_ran_on_device(be, spec);
	clx_tokenizer_batch_free(tb);
	clx_tokenizer_free(tok);
	clx_backend_free(be);
	clx_model_free(m);
	clx_ctx_free(ctx);
	return check_summary();
}
