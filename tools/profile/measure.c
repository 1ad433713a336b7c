/* measure.c — the worker: everything clx-profile measures on one device,
 * in one process (profile.c starts one per device, so the peak RSS, the
 * cold start and a crash belong to that device alone).
 *
 *   1. load the model (timed: header checks + mmap) and make the inputs;
 *   2. start: backend create + session create (program build or binary
 *      cache load, weight upload or packing, arena); profile.c runs a
 *      --cold-only worker first with every cache empty (it stops after its
 *      first run), so this one is warm;
 *   3. warm-up runs, then --runs timed runs: inputs in, logits out;
 *   4. a second session with profiling on: per-node device times from
 *      the backend, host dispatch times from the node callback;
 *   5. the peak microbenchmarks (peak.c), memory, host peak RSS.
 *
 * Not here: agreement with the CPU reference (profile.c compares the
 * logits every worker returns) and output formats (report.c, html.c). */
#include "profile.h"

#include "clx/pipeline.h"
#include "clx/tune.h"
#include "clx/synth.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ time */

double prof_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double prof_since(double t0)
{
	return prof_now() - t0;
}

/* ---------------------------------------------------------------- inputs */

/* Real prompt lengths cycle through L, L−3, L−1, … (at least 2: bos, eos),
 * like three labels of different lengths padded to the longest. */
static int64_t prompt_len(int64_t k, int64_t L)
{
	static const int64_t cut[3] = { 0, 3, 1 };
	int64_t n = L - cut[k % 3];
	return n < 2 ? (L < 2 ? L : 2) : n;
}

void prof_synth_inputs(int64_t vocab, int64_t B, int64_t T, int64_t C, int64_t S, int64_t K,
		       int64_t L, float *pixels, int32_t *ids, int32_t *mask)
{
	/* pixels: the fixtures' input stream (docs/FIXTURES.md), seed 1235 */
	clx_synth_fill("pixel_values", 1235, pixels, B * T * C * S * S);
	/* ids: bos = vocab − 2, body tokens from the "input_ids" stream in
	 * [1, vocab − 3], eos = vocab − 1 (CLIP's layout: eos is the largest
	 * id, so EOS pooling finds it), padding with eos and mask 0. */
	uint64_t state = 1235 ^ clx_synth_fnv1a64("input_ids");
	const int64_t eos = vocab - 1, bos = vocab >= 3 ? vocab - 2 : 0;
	for (int64_t k = 0; k < K; k++) {
		const int64_t n = prompt_len(k, L);
		for (int64_t j = 0; j < L; j++) {
			int64_t id;
			if (j >= n)
				id = eos;
			else if (j == n - 1)
				id = eos;
			else if (j == 0)
				id = bos;
			else
				id = vocab > 4 ? 1 + (int64_t)(clx_synth_splitmix64(&state) % (uint64_t)(vocab - 3))
					       : 0;
			ids[k * L + j] = (int32_t)id;
			mask[k * L + j] = j < n;
		}
	}
}

/* -------------------------------------------------------------- helpers */

static void nan_fill(struct prof_device *d)
{
	d->model_load_s = d->cold_s = d->cold_first_result_s = d->warm_s = d->first_result_s = NAN;
	d->program_s = NAN;
	d->lat_min_s = d->lat_med_s = d->lat_max_s = d->throughput = NAN;
	d->wall_s = d->device_s = d->node_sum_s = d->host_s = d->overlap_s = NAN;
	d->flops = d->bytes = NAN;
	d->peak_gflops = d->peak_gbps = NAN;
	d->mem_weights = d->mem_activations = d->mem_other = d->host_peak_rss = NAN;
	d->max_abs_diff = NAN;
	d->program_from_cache = -1;
	for (int c = 0; c < CLX_OPCLASS_COUNT; c++)
		d->class_s[c] = d->class_flops[c] = d->class_bytes[c] = 0;
}

static void progress(const struct prof_worker_opts *o, const char *id, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void progress(const struct prof_worker_opts *o, const char *id, const char *fmt, ...)
{
	if (o->quiet)
		return;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K  %s: %s", id, msg);
	else
		fprintf(stderr, "  %s: %s\n", id, msg);
	fflush(stderr);
}

static void fail(struct prof_device *d, struct clx_ctx *ctx, const char *what, enum clx_status st)
{
	const char *msg = ctx ? clx_last_error(ctx) : "";
	snprintf(d->error, sizeof d->error, "%s: %s", what, msg && *msg ? msg : clx_status_name(st));
	d->ok = false;
}

/* Identity of the device behind `be`. */
static void describe(struct prof_device *d, struct clx_backend *be)
{
	const struct clx_device_info *di = clx_backend_device(be);
	snprintf(d->host, sizeof d->host, "%s", "");
	gethostname(d->host, sizeof d->host - 1);
	snprintf(d->backend, sizeof d->backend, "%s", di->backend);
	snprintf(d->id, sizeof d->id, "%s", di->id);
	snprintf(d->name, sizeof d->name, "%s", di->name);
	snprintf(d->vendor, sizeof d->vendor, "%s", di->vendor);
	snprintf(d->type, sizeof d->type, "%s", di->type ? di->type : "");
	snprintf(d->platform, sizeof d->platform, "%s", di->platform_name);
	snprintf(d->platform_version, sizeof d->platform_version, "%s", di->platform_version);
	snprintf(d->device_version, sizeof d->device_version, "%s", di->device_version);
	snprintf(d->driver_version, sizeof d->driver_version, "%s", di->driver_version);
	d->compute_units = (int)di->compute_units;
	d->clock_mhz = (int)di->clock_mhz;
	if (di->reference)
		d->threads = (int)di->compute_units;
}

static void read_memory(struct prof_device *d, struct clx_backend *be)
{
	struct clx_backend_stats s;
	clx_backend_stats(be, &s);
	d->mem_weights = (double)s.weight_bytes;
	d->mem_activations = (double)s.arena_bytes;
	d->mem_other = (double)(s.input_bytes + s.temp_bytes);
}

/* Peak resident set size of this process image: VmHWM from
 * /proc/self/status where there is one, else getrusage. getrusage's
 * ru_maxrss also counts the memory the process had before its exec — the
 * parent clx-profile's, which may have loaded OpenCL drivers — so it
 * overstates a worker's own peak. */
static void record_rss(struct prof_device *d)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f)) {
		long kb;
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) {
			d->host_peak_rss = (double)kb * 1024.0;
			fclose(f);
			return;
		}
	}
	if (f)
		fclose(f);
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		d->host_peak_rss = (double)ru.ru_maxrss * 1024.0;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------ one forward */

struct run_io {
	const float *pixels;
	const int32_t *ids, *mask;
	float *logits;              /* (B, K) out */
	double *host_t;             /* per node id: callback time, or NULL */
	double run_start, run_end;  /* around session_run (synchronised at the end) */
	bool sync_each;             /* synchronise after every node (host-timed nodes) */
	struct clx_ctx *ctx;
};

static enum clx_status on_node(void *user, struct clx_backend *be, const struct clx_graph *g,
			       int node)
{
	struct run_io *io = user;
	enum clx_status st = CLX_OK;
	if (io->sync_each)
		st = clx_backend_synchronize(be, io->ctx);
	io->host_t[node] = prof_now();
	return st;
}

/* One forward, inputs in and logits out; wall seconds in *wall. */
static enum clx_status forward(struct clx_ctx *ctx, struct clx_session *s,
			       const struct clx_xclip_graph *xg, struct run_io *io, double *wall)
{
	const double t0 = prof_now();
	io->run_start = t0;
	io->ctx = ctx;
	enum clx_status st = clx_pipeline_set_inputs(ctx, s, xg, io->pixels, io->ids, io->mask);
	if (st == CLX_OK)
		st = clx_session_run(ctx, s, io->host_t ? on_node : NULL, io);
	io->run_end = prof_now();
	if (st == CLX_OK)
		st = clx_session_read(ctx, s, xg->logits_per_video, io->logits);
	*wall = prof_since(t0);
	return st;
}

/* ------------------------------------------------------- profiled session */

struct edge {
	double t;
	int delta;
};

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t ? 1 : x->delta - y->delta; /* ends first */
}

/* A placement's profiled run: how long two or more devices were busy at
 * once, and from the first node's start to the last one's end (device_s),
 * from the nodes' spans on their devices' workers. */
static void span_overlap(struct prof_device *d, const double *start, const double *end, double t0)
{
	const int n = d->n_nodes;
	struct edge *e = clx_malloc((size_t)(2 * n + 1) * sizeof *e);
	if (!e)
		return;
	for (int i = 0; i < n; i++) {
		e[2 * i] = (struct edge){ start[i] - t0, +1 };
		e[2 * i + 1] = (struct edge){ end[i] - t0, -1 };
	}
	qsort(e, (size_t)(2 * n), sizeof *e, cmp_edge);
	double overlap = 0;
	int busy = 0;
	for (int i = 0; i < 2 * n; i++) {
		if (busy >= 2 && i > 0)
			overlap += e[i].t - e[i - 1].t;
		busy += e[i].delta;
	}
	d->overlap_s = overlap;
	d->device_s = n ? e[2 * n - 1].t - e[0].t : NAN;
	clx_free(e);
}

/* Per-node device times of the profiled runs; keeps the run whose wall
 * time is the median. Leaves d->nodes filled. The times come from the
 * backend (OpenCL events, CPU wall time per node); when it cannot give
 * them (no node_times, or a driver whose profiling timestamps do not
 * advance, as Mesa rusticl 23), from the host with a synchronize after
 * every node ("host-synchronized": includes dispatch and sync latency). */
static enum clx_status profiled(const struct prof_worker_opts *o, struct prof_device *d,
				struct clx_ctx *ctx, const struct clx_model *m,
				const struct clx_xclip_shape *shape, struct run_io *io)
{
	struct clx_backend *be = NULL;
	struct clx_session *s = NULL;
	struct clx_xclip_graph xg;
	double *ns = NULL, *host_t = NULL, *best_ns = NULL, *best_host = NULL, *walls = NULL;
	double *sp = NULL;  /* a placement's spans: start, end, and the best run's (nn each) */
	int *sp_dev = NULL; /* … and their devices: the last run's, the best run's */
	double best_t0 = 0, best_end = 0;
	enum clx_status st = clx_backend_open(ctx, d->id, &be);
	if (st != CLX_OK)
		goto done;
	const struct clx_backend_caps caps = clx_backend_caps(be);
	bool can_time = caps.node_times;
	if (can_time && (st = clx_backend_set_profiling(be, ctx, true)) != CLX_OK)
		goto done;
	snprintf(d->timing, sizeof d->timing, "%s",
		 !can_time ? "host-synchronized" : caps.async ? "events" : "wall");
	if ((st = clx_pipeline_session(ctx, m, be, CLX_XCLIP_FULL, shape, 0, &xg, &s)) != CLX_OK)
		goto done;
	const struct clx_graph *g = clx_session_graph(s);
	const struct clx_plan *plan = clx_session_plan(s);
	const int nn = g->n_nodes, P = o->profiled_runs < 1 ? 1 : o->profiled_runs;
	/* what runs the graph: be, or be with the CPU reference for the nodes
	 * be declines (its fallback wrapper, which also times those nodes) */
	struct clx_backend *run_be = clx_session_backend(s);
	struct clx_placement pl;
	bool spans = clx_backend_placement(run_be, &pl) && pl.n_devices > 1;
	d->n_tracks = spans ? pl.n_devices : 0;
	for (int i = 0; i < d->n_tracks; i++)
		snprintf(d->tracks[i], sizeof d->tracks[i], "%s", pl.dev[i].name);
	if (spans)
		snprintf(d->timing, sizeof d->timing, "host-sync per device");
	ns = clx_calloc((size_t)nn, sizeof *ns);
	host_t = clx_calloc((size_t)nn, sizeof *host_t);
	best_ns = clx_calloc((size_t)nn, sizeof *best_ns);
	best_host = clx_calloc((size_t)nn, sizeof *best_host);
	walls = clx_calloc((size_t)P, sizeof *walls);
	sp = clx_calloc((size_t)nn * 6, sizeof *sp);
	sp_dev = clx_calloc((size_t)nn * 2, sizeof *sp_dev);
	d->nodes = clx_calloc((size_t)nn, sizeof *d->nodes);
	if (!ns || !host_t || !best_ns || !best_host || !walls || !d->nodes || !sp || !sp_dev) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "profile: out of memory");
		goto done;
	}
	d->n_nodes = nn;
	io->host_t = host_t;
	double wall;
	progress(o, d->id, "profiled warm-up run");
	if ((st = forward(ctx, s, &xg, io, &wall)) != CLX_OK)
		goto done;
	if (can_time && clx_backend_node_times(run_be, ctx, g, ns) != CLX_OK) {
		/* the backend cannot time nodes here: host-timed runs instead */
		snprintf(d->timing_note, sizeof d->timing_note, "%s", clx_last_error(ctx));
		snprintf(d->timing, sizeof d->timing, "host-synchronized");
		clx_clear_error(ctx);
		can_time = false;
	}
	io->sync_each = !can_time;
	for (int r = 0; r < P; r++) {
		progress(o, d->id, "profiled run %d/%d", r + 1, P);
		const double t0 = prof_now();
		if ((st = forward(ctx, s, &xg, io, &walls[r])) != CLX_OK)
			goto done;
		if (can_time && (st = clx_backend_node_times(run_be, ctx, g, ns)) != CLX_OK)
			goto done;
		if (spans && (st = clx_backend_node_spans(run_be, ctx, g, sp, sp + nn, sp_dev)) != CLX_OK)
			goto done;
		if (!can_time) {
			double prev = io->run_start;
			for (int pos = 0; pos < plan->n_order; pos++) {
				const int id = plan->order[pos];
				ns[id] = (host_t[id] - prev) * 1e9;
				prev = host_t[id];
			}
		}
		/* keep the run closest to the median wall seen so far (all runs
		 * stored would cost nn × P doubles; this is enough for one) */
		double sorted[64];
		int n_sorted = r + 1 < 64 ? r + 1 : 64;
		memcpy(sorted, walls, (size_t)n_sorted * sizeof *sorted);
		qsort(sorted, (size_t)n_sorted, sizeof *sorted, cmp_double);
		const double med = sorted[n_sorted / 2];
		if (r == 0 || fabs(walls[r] - med) <= fabs(d->wall_s - med)) {
			d->wall_s = walls[r];
			best_t0 = t0;
			best_end = io->run_end;
			memcpy(best_ns, ns, (size_t)nn * sizeof *ns);
			memcpy(best_host, host_t, (size_t)nn * sizeof *host_t);
			memcpy(sp + 2 * nn, sp, (size_t)nn * 2 * sizeof *sp);
			memcpy(sp_dev + nn, sp_dev, (size_t)nn * sizeof *sp_dev);
		}
	}

	/* An asynchronous backend's profiled run is gated (cl_backend.c): the
	 * device runs the graph back to back once synchronize releases it, and
	 * is done when synchronize returns. */
	const bool sync = !caps.async || !can_time;
	double async_sum = 0;
	for (int i = 0; i < nn; i++)
		async_sum += best_ns[i] * 1e-9;
	/* nodes in execution order, with costs and the reconstructed timeline */
	double dev_clock = (best_end - best_t0) - async_sum, node_sum = 0, first_start = NAN,
	       last_end = NAN;
	d->flops = d->bytes = 0;
	for (int pos = 0; pos < plan->n_order; pos++) {
		const int id = plan->order[pos];
		const struct clx_node *nd = &g->nodes[id];
		struct prof_node *pn = &d->nodes[pos];
		snprintf(pn->name, sizeof pn->name, "%s", nd->name);
		snprintf(pn->op, sizeof pn->op, "%s", clx_op_name(nd->op));
		pn->cls = (int)clx_op_class_of(nd->op);
		const struct clx_tensor *t = &g->tensors[nd->dst];
		clx_shape_str(pn->shape, sizeof pn->shape, t->n_dims, t->ne);
		clx_backend_node_impl(run_be, g, id, pn->impl, sizeof pn->impl);
		clx_tune_key(g, id, pn->key, sizeof pn->key);
		clx_node_cost(g, id, &pn->flops, &pn->bytes);
		d->flops += pn->flops;
		d->bytes += pn->bytes;
		d->class_flops[pn->cls] += pn->flops;
		d->class_bytes[pn->cls] += pn->bytes;
		pn->host_s = best_host[id] - best_t0;
		pn->time_s = best_ns[id] * 1e-9;
		/* A synchronous backend ran the node just before its callback; a
		 * gated queue runs the nodes back to back. */
		double start = sync ? pn->host_s - pn->time_s : dev_clock;
		if (spans) {
			/* each device's own timeline: where its worker ran the node */
			start = sp[2 * nn + id] - best_t0;
			pn->track = sp_dev[nn + id];
		}
		pn->start_s = start;
		dev_clock = start + pn->time_s;
		if (pos == 0)
			first_start = start;
		last_end = dev_clock;
		node_sum += pn->time_s;
		d->class_s[pn->cls] += pn->time_s;
	}
	{
		d->node_sum_s = node_sum;
		d->host_s = d->wall_s - node_sum;
		/* The measured device total (docs/PROFILE.md), on the host clock:
		 * a synchronous backend is busy from the first node's start to the
		 * last node's end; a gated asynchronous one from the last dispatch
		 * (synchronize releases the gate) until synchronize returns. */
		const int last = plan->order[plan->n_order - 1];
		d->device_s = sync ? last_end - first_start : best_end - best_host[last];
		if (spans)
			span_overlap(d, sp + 2 * nn, sp + 3 * nn, best_t0);
	}
	progress(o, d->id, "profiled %d node(s)", nn);
done:
	io->host_t = NULL;
	clx_free(ns);
	clx_free(host_t);
	clx_free(best_ns);
	clx_free(best_host);
	clx_free(walls);
	clx_free(sp);
	clx_free(sp_dev);
	clx_session_free(s);
	clx_backend_free(be);
	return st;
}

/* ------------------------------------------------------------------ main */

void prof_measure(const struct prof_worker_opts *o, struct prof_device *d)
{
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_model *m = NULL;
	struct clx_backend *be = NULL;
	struct clx_session *s = NULL;
	struct clx_xclip_graph xg;
	float *pixels = NULL, *logits = NULL;
	int32_t *ids = NULL, *mask = NULL;
	enum clx_status st;
	nan_fill(d);
	d->ok = true;
	snprintf(d->id, sizeof d->id, "%s", o->device);
	if (!ctx) {
		snprintf(d->error, sizeof d->error, "out of memory");
		d->ok = false;
		return;
	}

	/* 1. model and inputs */
	progress(o, d->id, "loading %s", o->model);
	double t0 = prof_now();
	if ((st = clx_model_load(ctx, o->model, &m)) != CLX_OK) {
		fail(d, ctx, "model", st);
		goto done;
	}
	d->model_load_s = prof_since(t0);
	const struct clx_model_config *c = &m->cfg;
	const struct clx_xclip_shape shape = { .B = o->B, .T = c->vision.num_frames, .K = o->K, .L = o->L };
	d->B = shape.B, d->T = shape.T, d->K = shape.K, d->L = shape.L;
	const int64_t S = c->vision.image_size, C = c->vision.num_channels;
	const size_t n_px = (size_t)(shape.B * shape.T * C * S * S), n_ids = (size_t)(shape.K * shape.L);
	pixels = clx_malloc(n_px * sizeof *pixels);
	ids = clx_malloc(n_ids * sizeof *ids);
	mask = clx_malloc(n_ids * sizeof *mask);
	logits = clx_malloc((size_t)(shape.B * shape.K) * sizeof *logits);
	d->logits = clx_calloc((size_t)(shape.B * shape.K), sizeof *d->logits);
	if (!pixels || !ids || !mask || !logits || !d->logits) {
		snprintf(d->error, sizeof d->error, "out of memory for the inputs");
		d->ok = false;
		goto done;
	}
	prof_synth_inputs(c->text.vocab_size, shape.B, shape.T, C, S, shape.K, shape.L, pixels, ids,
			  mask);
	struct run_io io = { .pixels = pixels, .ids = ids, .mask = mask, .logits = logits };

	/* 2. start: backend + session (cold when profile.c emptied the cache) */
	progress(o, d->id, "%s start", o->cold_only ? "cold" : "warm");
	t0 = prof_now();
	if ((st = clx_backend_open(ctx, o->reference_only ? "cpu" : o->device, &be)) != CLX_OK) {
		fail(d, ctx, "device", st);
		goto done;
	}
	if ((st = clx_pipeline_session(ctx, m, be, CLX_XCLIP_FULL, &shape, 0, &xg, &s)) != CLX_OK) {
		fail(d, ctx, "session", st);
		goto done;
	}
	const double start_s = prof_since(t0);
	describe(d, be);
	char tune[sizeof d->tuning_file];
	if (clx_tune_path(clx_backend_device(be), tune, sizeof tune) && access(tune, R_OK) == 0)
		snprintf(d->tuning_file, sizeof d->tuning_file, "%s", tune);
	if (strcmp(clx_backend_device(be)->backend, "opencl") == 0) {
		struct clx_backend_stats bs;
		clx_backend_stats(be, &bs);
		d->program_from_cache = bs.program_from_cache;
		d->program_s = bs.build_seconds;
	}
	if (o->cold_only) {
		d->cold_s = start_s;
		double wall;
		if ((st = forward(ctx, s, &xg, &io, &wall)) != CLX_OK) {
			fail(d, ctx, "first run", st);
			goto done;
		}
		d->cold_first_result_s = start_s + wall;
		goto done;
	}
	d->warm_s = start_s;

	/* 3. warm latency */
	double wall;
	progress(o, d->id, "first run");
	if ((st = forward(ctx, s, &xg, &io, &wall)) != CLX_OK) {
		fail(d, ctx, "run", st);
		goto done;
	}
	d->first_result_s = d->warm_s + wall;
	d->n_logits = (int)(shape.B * shape.K);
	for (int i = 0; i < d->n_logits; i++)
		d->logits[i] = logits[i];
	if (o->reference_only)
		goto done;
	for (int w = 1; w < o->warmup; w++) {
		progress(o, d->id, "warm-up run %d/%d", w + 1, o->warmup);
		if ((st = forward(ctx, s, &xg, &io, &wall)) != CLX_OK) {
			fail(d, ctx, "run", st);
			goto done;
		}
	}
	d->n_runs = o->runs;
	d->runs_s = clx_calloc((size_t)(o->runs > 0 ? o->runs : 1), sizeof *d->runs_s);
	if (!d->runs_s) {
		snprintf(d->error, sizeof d->error, "out of memory");
		d->ok = false;
		goto done;
	}
	for (int r = 0; r < o->runs; r++) {
		progress(o, d->id, "run %d/%d%s", r + 1, o->runs, r ? "" : " (timing)");
		if ((st = forward(ctx, s, &xg, &io, &d->runs_s[r])) != CLX_OK) {
			fail(d, ctx, "run", st);
			goto done;
		}
	}
	if (o->runs > 0) {
		double *sorted = clx_malloc((size_t)o->runs * sizeof *sorted);
		if (sorted) {
			memcpy(sorted, d->runs_s, (size_t)o->runs * sizeof *sorted);
			qsort(sorted, (size_t)o->runs, sizeof *sorted, cmp_double);
			d->lat_min_s = sorted[0];
			d->lat_max_s = sorted[o->runs - 1];
			d->lat_med_s = o->runs % 2 ? sorted[o->runs / 2]
						   : 0.5 * (sorted[o->runs / 2 - 1] + sorted[o->runs / 2]);
			d->throughput = (double)shape.B / d->lat_med_s;
			clx_free(sorted);
		}
	}
	read_memory(d, be);
	clx_session_free(s);
	s = NULL;
	clx_backend_free(be);
	be = NULL;

	/* 4. per-node device time */
	if ((st = profiled(o, d, ctx, m, &shape, &io)) != CLX_OK) {
		fail(d, ctx, "profiled run", st);
		goto done;
	}

	/* 5. peaks, after the peak RSS (the copy benchmark allocates) */
	record_rss(d);
	if (!o->no_peak)
		prof_peak(d, o->peak_cache_dir, o->quiet);
done:
	if (!isfinite(d->host_peak_rss))
		record_rss(d);
	if (!o->quiet && isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	clx_session_free(s);
	clx_backend_free(be);
	clx_model_free(m);
	clx_free(pixels);
	clx_free(ids);
	clx_free(mask);
	clx_free(logits);
	clx_ctx_free(ctx);
}
