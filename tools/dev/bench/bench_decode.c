/* bench_decode.c — times clx_video_read on one file (a benchmark, not a test).
 *
 * Usage: clx-bench-decode VIDEO [FRAMES [uniform|consecutive[:S]] [RUNS]
 *        [auto|always|never]]
 * Prints, per run, the wall and process CPU time (all threads), frames decoded
 * and seeks, then the medians.
 * tools/dev/bench/bench_decode.sh makes a 10-minute 1080p H.264 file and runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clx/video.h"

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s VIDEO [FRAMES [SAMPLE [RUNS [auto|always|never]]]]\n",
			argv[0]);
		return 2;
	}
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_video_opts opts;
	clx_video_opts_default(&opts);
	if (argc > 2)
		opts.n_frames = atoi(argv[2]);
	if (argc > 3 && clx_video_parse_sample(ctx, argv[3], &opts)) {
		fprintf(stderr, "%s\n", clx_last_error(ctx));
		return 2;
	}
	int runs = argc > 4 ? atoi(argv[4]) : 3;
	if (runs < 1 || runs > 100)
		runs = 3;
	if (argc > 5)
		opts.seek = strcmp(argv[5], "always") == 0 ? CLX_SEEK_ALWAYS
			  : strcmp(argv[5], "never") == 0 ? CLX_SEEK_NEVER : CLX_SEEK_AUTO;
	opts.timeout_s = 3600;
	opts.max_decoded_frames = 10000000;
	double times[100], cpus[100];
	for (int i = 0; i < runs; i++) {
		struct clx_video v;
		double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
		enum clx_status st = clx_video_read(ctx, argv[1], &opts, &v);
		times[i] = clock_s(CLOCK_MONOTONIC) - t0;
		cpus[i] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
		if (st) {
			fprintf(stderr, "%s\n", clx_last_error(ctx));
			return 1;
		}
		printf("run %d: %.3f s wall, %.3f s CPU, %d frames %dx%d of N=%lld, %lld decoded, "
		       "%d seeks%s%s\n", i + 1, times[i], cpus[i], v.n_frames, v.width, v.height, (long long)v.n_total,
		       (long long)v.n_decoded, v.n_seeks, v.warning[0] ? ", warning: " : "",
		       v.warning);
		clx_video_release(&v);
	}
	qsort(times, (size_t)runs, sizeof *times, cmp_double);
	qsort(cpus, (size_t)runs, sizeof *cpus, cmp_double);
	printf("median %.3f s wall, %.3f s CPU over %d runs (%ld CPUs online)\n", times[runs / 2],
	       cpus[runs / 2], runs, sysconf(_SC_NPROCESSORS_ONLN));
	clx_ctx_free(ctx);
	return 0;
}
