/* profile.h — clx-profile (also `clx profile`): the same model and the same
 * synthetic inputs on every selected device, side by side.
 *
 * Layout of tools/profile/:
 *   profile.c  command line, device selection, one worker process per device
 *              (clean peak RSS, a real cold start, a crash stays contained),
 *              agreement with the CPU reference, --compare
 *   measure.c  the worker: cold/warm start, warm latency, per-node device time
 *   peak.c     the devices' measured peaks (the backends' microbenchmarks), cached
 *   report.c   the document (JSON read/write), CSV, trace
 *   table.c    the terminal table
 *   html.c     the self-contained HTML page (inline SVG)
 *   main.c     the clx-profile entry point
 * The JSON schema is docs/PROFILE.md; it is also what
 * tools/dev/pytorch_profile.py writes, so --compare can put PyTorch beside clx.
 *
 * Not here: FLOP and byte counts (runtime/graph/cost.c) and anything that
 * changes how a backend runs. */
#ifndef CLX_PROFILE_H
#define CLX_PROFILE_H

#include "clx/clx.h"
#include "clx/graph.h"

#include <stdbool.h>
#include <stdio.h>

#define PROF_SCHEMA "clx-profile/1"

/* One node of the profiled run on one device. */
struct prof_node {
	char name[CLX_MAX_NAME];
	char op[24];
	int cls;                    /* enum clx_op_class */
	char shape[64];             /* output shape "[8, 51, 768]" */
	char key[160];              /* its tuning shape key (clx_tune_key), "" for other ops */
	char impl[96];              /* what it ran with ("own 6x64 float16 lm4", "attention_rows"),
	                               clx_backend_node_impl; "" when the backend does not say */
	double time_s;              /* device time; NaN when the backend cannot time nodes */
	double start_s;             /* trace: start on the device track, from the run's start
	                               (reconstructed for an in-order queue, docs/PROFILE.md) */
	double host_s;              /* trace: when the host had dispatched it, from the run's start */
	int track;                  /* a placement: the device that ran it (prof_device.tracks) */
	double flops, bytes;        /* clx_node_cost */
};

/* Everything measured on one device (a devices[] entry of the document).
 * Figures not measured are NaN (null in JSON). */
struct prof_device {
	char id[64];                /* "cpu", "cl:0:0", "torch:cpu", "torch:cuda:0" */
	char backend[16];           /* "cpu", "opencl", "pytorch" */
	char name[256], vendor[256], type[32];
	char platform[256], platform_version[256], device_version[256], driver_version[256];
	char host[128];             /* machine it ran on (hostname) */
	char origin[256];           /* --compare: the file it came from */
	int compute_units, clock_mhz, threads;
	bool ok;
	char error[1024];

	/* shapes it ran */
	int64_t B, T, K, L;

	/* start-up */
	double model_load_s;        /* clx_model_load: header checks + mmap */
	double cold_s;              /* backend create + session create, every cache empty (clx's
	                               programs and packed weights, the driver's kernels) */
	double cold_first_result_s; /* cold_s + the first run (libraries that compile at their
	                               first call, as CLBlast, do it there) */
	double warm_s;              /* the same in a fresh process, caches filled */
	double first_result_s;      /* warm_s + the first run */
	char tuning_file[1024];     /* the tuning file it ran with (docs/TUNING.md), "" if none */
	int program_from_cache;     /* on the warm start: 1 yes, 0 no, -1 unknown */
	double program_s;           /* of the warm start: program build or cache load */

	/* warm latency: wall time of one forward (inputs in, logits out) */
	int n_runs;
	double *runs_s;             /* n_runs */
	double lat_min_s, lat_med_s, lat_max_s;
	double throughput;          /* videos (CLIP: images) per second = B / median */

	/* the profiled run (profiling on, the run closest to the median wall) */
	double wall_s;              /* its wall time */
	double device_s;            /* its measured device total (docs/PROFILE.md) */
	double node_sum_s;          /* Σ per-node device time */
	int n_tracks;               /* a placement over several devices: how many, … */
	char tracks[4][64];         /* … their names (a node's track indexes them) … */
	double overlap_s;           /* … and how long two or more were busy at once in the
	                               profiled run (NaN for one device) */
	double host_s;              /* wall_s − node_sum_s: host / dispatch overhead */
	char timing[40];            /* how nodes were timed: "events", "wall",
	                               "host-synchronized" (docs/PROFILE.md) */
	char timing_note[512];      /* why not by the backend, when it could not */
	double class_s[CLX_OPCLASS_COUNT], class_flops[CLX_OPCLASS_COUNT];
	double class_bytes[CLX_OPCLASS_COUNT];
	double flops, bytes;        /* per forward */

	/* measured peaks */
	double peak_gflops, peak_gbps;
	char peak_source[32];       /* "measured", "cache", "" */

	/* memory, bytes */
	double mem_weights, mem_activations, mem_other, host_peak_rss;

	/* agreement with the CPU reference */
	int n_logits;
	double *logits;             /* logits_per_video (B, K) of the first run */
	double max_abs_diff;        /* vs the CPU reference */

	int n_nodes;
	struct prof_node *nodes;
};

struct prof_doc {
	char clx_version[32], git_revision[64], created[32];
	char model_path[1024], config_hash[32];
	double weights_file_bytes;
	int64_t n_params;
	int runs, warmup;
	int64_t B, T, K, L, image_size;
	char host[128], os[256], cpu[256];
	int cores;
	int n_devices;
	struct prof_device *devices;
};

/* ------------------------------------------------------------ profile.c */

/* The whole program. `cmd` is how the program was invoked: "clx-profile" or
 * "clx profile" (used in messages and to re-run itself as a worker). */
int prof_main(const char *cmd, bool via_clx, int argc, char **argv);

/* ------------------------------------------------------------ measure.c */

struct prof_worker_opts {
	const char *model;
	const char *device;         /* one spec */
	int64_t B, K, L;
	int runs, warmup, profiled_runs;
	bool cold_only;             /* stop after the cold start */
	bool reference_only;        /* one run on the CPU, logits only */
	bool quiet;                 /* no progress line */
	const char *peak_cache_dir; /* "" or NULL: no peak cache */
	bool no_peak;               /* skip the microbenchmark */
};

/* Runs everything for one device in this process and fills `d`. */
void prof_measure(const struct prof_worker_opts *o, struct prof_device *d);

/* The synthetic inputs (docs/PROFILE.md): pixel values from the generator
 * with seed 1235, K prompts of L tokens with ragged real lengths. */
void prof_synth_inputs(int64_t vocab, int64_t B, int64_t T, int64_t C, int64_t S, int64_t K,
		       int64_t L, float *pixels, int32_t *ids, int32_t *mask);

double prof_now(void);
/* Seconds from `t0` until now. */
double prof_since(double t0);

/* ---------------------------------------------------------------- peak.c */

/* Peak FMA GFLOP/s and copy GB/s of device d->id (clx_backend_peak), from
 * the cache in `cache_dir` ("" or NULL: none) or measured and stored there.
 * Sets d->peak_* (NaN when the backend has no microbenchmarks). */
void prof_peak(struct prof_device *d, const char *cache_dir, bool quiet);

/* -------------------------------------------------------------- report.c */

void prof_device_free(struct prof_device *d);
void prof_doc_free(struct prof_doc *doc);

/* Device ↔ JSON (cJSON objects, the docs/PROFILE.md schema). */
struct cJSON;
struct cJSON *prof_device_to_json(const struct prof_device *d);
bool prof_device_from_json(const struct cJSON *j, struct prof_device *d);
/* Whole documents to / from a file; on failure a one-line reason in err. */
bool prof_doc_write_json(const struct prof_doc *doc, const char *path, char *err, size_t cap);
bool prof_doc_read_json(const char *path, struct prof_doc *doc, char *err, size_t cap);
bool prof_doc_write_csv(const struct prof_doc *doc, const char *path, char *err, size_t cap);
bool prof_doc_write_trace(const struct prof_doc *doc, const char *path, char *err, size_t cap);
/* The aligned table and the top-N nodes per device. */
void prof_print_table(const struct prof_doc *doc, FILE *f, int top_n);
/* Indices of d's nodes (d->n_nodes ≥ 1), most device time first, as the
 * table and the HTML page list them; clx_malloc'ed, NULL when out of memory. */
int *prof_nodes_by_time(const struct prof_device *d);

/* "1.23 ms" style figures for tables: seconds with a unit that fits. */
const char *prof_fmt_time(char *buf, size_t cap, double s);
/* a / b, NaN unless both are finite and b > 0. */
double prof_ratio(double a, double b);
/* GFLOP/s d's roofline allows at arithmetic intensity ai (FLOP/byte). */
double prof_roof(const struct prof_device *d, double ai);

/* ---------------------------------------------------------------- html.c */

bool prof_doc_write_html(const struct prof_doc *doc, const char *path, int top_n, char *err,
			 size_t cap);

#endif
