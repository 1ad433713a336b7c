/* cpu_peak.h — the CPU reference's peak microbenchmarks (cpu_peak.c). */
#ifndef CLX_CPU_PEAK_H
#define CLX_CPU_PEAK_H

#include "clx/clx.h"

/* FMA GFLOP/s and copy GB/s (read + written) on n_threads threads. */
enum clx_status cpu_peak_measure(struct clx_ctx *ctx, int n_threads, double *gflops, double *gbps);

#endif
