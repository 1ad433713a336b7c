/* cpu_peak.c — the ceilings of the CPU reference's roofline: the FMA
 * throughput and the copy bandwidth portable C reaches on its threads.
 *
 *   FMA:  64 independent x = x·a + b chains per thread, compiled like the
 *         reference (no -march flags: the peak of portable C here, not of
 *         AVX-512); grown until a pass takes ≥ 0.1 s, best of 3.
 *   copy: memcpy of 64 MiB per thread (past any cache), 4 times, best of 3;
 *         bandwidth counts bytes read plus bytes written. */
#include "cpu_peak.h"

#include <math.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

enum { LANES = 64, MAX_THREADS = 64 };

struct job {
	long iters;
	float sink;
	const uint8_t *src;
	uint8_t *dst;
	size_t bytes;
	int reps;
};

/* LANES independent chains; the compiler may vectorise them. */
static void *fma_chains(void *arg)
{
	struct job *j = arg;
	float x[LANES];
	volatile float va = 0.9999f, vb = 0.0001f;
	const float a = va, b = vb;
	for (int l = 0; l < LANES; l++)
		x[l] = (float)l * 1e-3f;
	for (long i = 0; i < j->iters; i++)
		for (int l = 0; l < LANES; l++)
			x[l] = x[l] * a + b;
	float s = 0;
	for (int l = 0; l < LANES; l++)
		s += x[l];
	j->sink = s;
	return NULL;
}

static void *copy(void *arg)
{
	struct job *j = arg;
	for (int r = 0; r < j->reps; r++)
		memcpy(j->dst, j->src, j->bytes);
	return NULL;
}

/* Runs fn on n threads over jobs[]; seconds of the slowest. */
static double parallel(int n, void *(*fn)(void *), struct job *jobs)
{
	pthread_t th[MAX_THREADS];
	bool started[MAX_THREADS] = { false };
	const double t0 = clx_now();
	for (int i = 1; i < n; i++)
		started[i] = pthread_create(&th[i], NULL, fn, &jobs[i]) == 0;
	fn(&jobs[0]);
	for (int i = 1; i < n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			fn(&jobs[i]);
	}
	return clx_now() - t0;
}

enum clx_status cpu_peak_measure(struct clx_ctx *ctx, int n_threads, double *gflops, double *gbps)
{
	const int n = n_threads < 1 ? 1 : n_threads > MAX_THREADS ? MAX_THREADS : n_threads;
	struct job jobs[MAX_THREADS];
	memset(jobs, 0, sizeof jobs);
	*gflops = *gbps = NAN;
	long iters = 1 << 12;
	double best = INFINITY;
	for (int tries = 0; tries < 24; tries++) {
		for (int i = 0; i < n; i++)
			jobs[i].iters = iters;
		const double t = parallel(n, fma_chains, jobs);
		if (t < 0.1) {
			iters *= 2;
			continue;
		}
		best = t;
		for (int r = 0; r < 2; r++)
			best = fmin(best, parallel(n, fma_chains, jobs));
		break;
	}
	if (isfinite(best))
		*gflops = 2.0 * LANES * (double)iters * n / best * 1e-9;

	const size_t bytes = 64u << 20;
	uint8_t *buf = clx_malloc(2 * bytes * (size_t)n);
	if (!buf)
		return clx_fail(ctx, CLX_ERR_NOMEM, "cpu: out of memory for the copy benchmark");
	memset(buf, 1, 2 * bytes * (size_t)n);
	for (int i = 0; i < n; i++)
		jobs[i] = (struct job){ .src = buf + 2 * bytes * (size_t)i,
					.dst = buf + 2 * bytes * (size_t)i + bytes,
					.bytes = bytes, .reps = 4 };
	best = INFINITY;
	for (int r = 0; r < 3; r++)
		best = fmin(best, parallel(n, copy, jobs));
	*gbps = 2.0 * (double)bytes * 4 * n / best * 1e-9;
	clx_free(buf);
	return CLX_OK;
}
