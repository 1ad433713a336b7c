/* table.c — the terminal table: one column per device (start-up, latency,
 * time by op class, work, peaks, memory, agreement), then the top nodes of
 * each device. Unmeasured figures show as "-". */
#include "profile.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *prof_fmt_time(char *buf, size_t cap, double s)
{
	if (!isfinite(s))
		snprintf(buf, cap, "-");
	else if (fabs(s) >= 10)
		snprintf(buf, cap, "%.1f s", s);
	else if (fabs(s) >= 1)
		snprintf(buf, cap, "%.2f s", s);
	else if (fabs(s) >= 1e-3)
		snprintf(buf, cap, "%.1f ms", s * 1e3);
	else
		snprintf(buf, cap, "%.0f us", s * 1e6);
	return buf;
}

/* A row of the table: a label and one cell per device. */
typedef void (*cell_fn)(const struct prof_device *d, char *buf, size_t cap, const void *arg);

enum { COLW = 22 };

static void row(FILE *f, const struct prof_doc *doc, const char *label, cell_fn fn, const void *arg)
{
	fprintf(f, "%-28s", label);
	for (int i = 0; i < doc->n_devices; i++) {
		char cell[128];
		fn(&doc->devices[i], cell, sizeof cell, arg);
		fprintf(f, " %*.*s", COLW, COLW, cell);
	}
	fputc('\n', f);
}

#define OFFSET(field) ((const void *)offsetof(struct prof_device, field))

static double field(const struct prof_device *d, const void *off)
{
	return *(const double *)((const char *)d + (size_t)off);
}

static void c_time(const struct prof_device *d, char *buf, size_t cap, const void *off)
{
	prof_fmt_time(buf, cap, d->ok ? field(d, off) : NAN);
}

static void c_str(const struct prof_device *d, char *buf, size_t cap, const void *off)
{
	snprintf(buf, cap, "%s", (const char *)d + (size_t)off);
}

static void c_mib(const struct prof_device *d, char *buf, size_t cap, const void *off)
{
	const double v = field(d, off);
	snprintf(buf, cap, isfinite(v) ? "%.1f MiB" : "-", v / 1048576.0);
}

static void c_num(const struct prof_device *d, char *buf, size_t cap, const void *off)
{
	const double v = field(d, off);
	snprintf(buf, cap, isfinite(v) ? "%.3g" : "-", v);
}

static void c_status(const struct prof_device *d, char *buf, size_t cap, const void *arg)
{
	snprintf(buf, cap, "%s", d->ok ? "ok" : "FAILED");
}

static void c_latency(const struct prof_device *d, char *buf, size_t cap, const void *arg)
{
	const int which = (int)(intptr_t)arg; /* 0 min, 1 median, 2 max */
	prof_fmt_time(buf, cap, which == 0 ? d->lat_min_s : which == 1 ? d->lat_med_s : d->lat_max_s);
}

static void c_class(const struct prof_device *d, char *buf, size_t cap, const void *arg)
{
	const int c = (int)(intptr_t)arg;
	char t[32];
	const double total = d->node_sum_s;
	if (!isfinite(total) || total <= 0 || !isfinite(d->class_s[c])) {
		snprintf(buf, cap, "-");
		return;
	}
	snprintf(buf, cap, "%s %4.1f%%", prof_fmt_time(t, sizeof t, d->class_s[c]),
		 100.0 * d->class_s[c] / total);
}

static void c_host(const struct prof_device *d, char *buf, size_t cap, const void *arg)
{
	char t[32];
	if (!isfinite(d->host_s) || !isfinite(d->wall_s) || d->wall_s <= 0) {
		snprintf(buf, cap, "-");
		return;
	}
	snprintf(buf, cap, "%s %4.1f%%", prof_fmt_time(t, sizeof t, d->host_s), 100.0 * d->host_s / d->wall_s);
}

static void c_gflop(const struct prof_device *d, char *buf, size_t cap, const void *arg)
{
	snprintf(buf, cap, isfinite(d->flops) ? "%.2f" : "-", d->flops * 1e-9);
}

static void c_rate(const struct prof_device *d, char *buf, size_t cap, const void *arg)
{
	const int which = (int)(intptr_t)arg; /* 0 GFLOP/s on device time, 1 % of peak, 2 wall */
	const double dev = prof_ratio(d->flops, d->node_sum_s) * 1e-9;
	const double wall = prof_ratio(d->flops, d->lat_med_s) * 1e-9;
	const double v = which == 0 ? dev : which == 1 ? 100.0 * prof_ratio(dev, d->peak_gflops) : wall;
	snprintf(buf, cap, !isfinite(v) ? "-" : which == 1 ? "%.1f%%" : "%.1f", v);
}

static void c_gemm_eff(const struct prof_device *d, char *buf, size_t cap, const void *arg)
{
	const double g = prof_ratio(d->class_flops[CLX_OPCLASS_GEMM], d->class_s[CLX_OPCLASS_GEMM]) * 1e-9;
	snprintf(buf, cap, isfinite(g) ? "%.1f (%.0f%%)" : "-", g, 100.0 * prof_ratio(g, d->peak_gflops));
}

static void c_cache(const struct prof_device *d, char *buf, size_t cap, const void *arg)
{
	snprintf(buf, cap, "%s", d->program_from_cache < 0 ? "-" : d->program_from_cache ? "yes" : "no");
}

static void c_consistency(const struct prof_device *d, char *buf, size_t cap, const void *arg)
{
	const double r = prof_ratio(d->node_sum_s, d->device_s);
	snprintf(buf, cap, isfinite(r) ? "%.1f%%" : "-", 100.0 * r);
}

static void c_diff(const struct prof_device *d, char *buf, size_t cap, const void *arg)
{
	snprintf(buf, cap, isfinite(d->max_abs_diff) ? "%.2e" : "-", d->max_abs_diff);
}

/* qsort has no context argument: the device whose nodes are sorted. */
static const struct prof_device *sort_dev;
static int cmp_node_time(const void *a, const void *b)
{
	const double x = sort_dev->nodes[*(const int *)a].time_s;
	const double y = sort_dev->nodes[*(const int *)b].time_s;
	return x > y ? -1 : x < y;
}

int *prof_nodes_by_time(const struct prof_device *d)
{
	int *idx = clx_malloc((size_t)d->n_nodes * sizeof *idx);
	if (!idx)
		return NULL;
	for (int k = 0; k < d->n_nodes; k++)
		idx[k] = k;
	sort_dev = d;
	qsort(idx, (size_t)d->n_nodes, sizeof *idx, cmp_node_time);
	return idx;
}

void prof_print_table(const struct prof_doc *doc, FILE *f, int top_n)
{
	char hdr[160];
	fprintf(f, "\nclx-profile: %s  B=%lld T=%lld K=%lld L=%lld  (%d runs after %d warm-up)\n",
		doc->model_path, (long long)doc->B, (long long)doc->T, (long long)doc->K,
		(long long)doc->L, doc->runs, doc->warmup);
	fprintf(f, "%-28s", "");
	for (int i = 0; i < doc->n_devices; i++)
		fprintf(f, " %*.*s", COLW, COLW, doc->devices[i].id);
	fputc('\n', f);
	row(f, doc, "device", c_str, OFFSET(name));
	row(f, doc, "status", c_status, NULL);
	row(f, doc, "model load", c_time, OFFSET(model_load_s));
	row(f, doc, "cold start", c_time, OFFSET(cold_s));
	row(f, doc, "cold start to first result", c_time, OFFSET(cold_first_result_s));
	row(f, doc, "warm start", c_time, OFFSET(warm_s));
	row(f, doc, "  program from cache", c_cache, NULL);
	row(f, doc, "  program build or load", c_time, OFFSET(program_s));
	row(f, doc, "warm start to first result", c_time, OFFSET(first_result_s));
	row(f, doc, "latency min", c_latency, (const void *)(intptr_t)0);
	row(f, doc, "latency median", c_latency, (const void *)(intptr_t)1);
	row(f, doc, "latency max", c_latency, (const void *)(intptr_t)2);
	row(f, doc, "throughput (inputs/s)", c_num, OFFSET(throughput));
	row(f, doc, "profiled run wall", c_time, OFFSET(wall_s));
	row(f, doc, "device time (sum of nodes)", c_time, OFFSET(node_sum_s));
	for (int c = 0; c < CLX_OPCLASS_COUNT; c++) {
		snprintf(hdr, sizeof hdr, "  %s", clx_op_class_name((enum clx_op_class)c));
		row(f, doc, hdr, c_class, (const void *)(intptr_t)c);
	}
	row(f, doc, "host/dispatch overhead", c_host, NULL);
	row(f, doc, "  node timing", c_str, OFFSET(timing));
	row(f, doc, "two+ devices busy at once", c_time, OFFSET(overlap_s));
	row(f, doc, "nodes / measured device", c_consistency, NULL);
	row(f, doc, "GFLOP per forward", c_gflop, NULL);
	row(f, doc, "GFLOP/s (device time)", c_rate, (const void *)(intptr_t)0);
	row(f, doc, "GFLOP/s (median wall)", c_rate, (const void *)(intptr_t)2);
	row(f, doc, "peak FMA GFLOP/s", c_num, OFFSET(peak_gflops));
	row(f, doc, "peak copy GB/s", c_num, OFFSET(peak_gbps));
	row(f, doc, "of peak (device time)", c_rate, (const void *)(intptr_t)1);
	row(f, doc, "GEMM GFLOP/s (of peak)", c_gemm_eff, NULL);
	row(f, doc, "device weights", c_mib, OFFSET(mem_weights));
	row(f, doc, "device activations", c_mib, OFFSET(mem_activations));
	row(f, doc, "device other", c_mib, OFFSET(mem_other));
	row(f, doc, "host peak RSS", c_mib, OFFSET(host_peak_rss));
	row(f, doc, "max |logits - cpu|", c_diff, NULL);
	for (int i = 0; i < doc->n_devices; i++) {
		const struct prof_device *d = &doc->devices[i];
		if (!d->ok)
			fprintf(f, "%s: %s\n", d->id, d->error);
		if (d->timing_note[0])
			fprintf(f, "%s: nodes timed on the host with a synchronize after each (%s)\n", d->id,
				d->timing_note);
	}

	for (int i = 0; i < doc->n_devices && top_n > 0; i++) {
		const struct prof_device *d = &doc->devices[i];
		if (d->n_nodes == 0 || !isfinite(d->node_sum_s))
			continue;
		int *idx = prof_nodes_by_time(d);
		if (!idx)
			return;
		fprintf(f, "\ntop %d nodes on %s (%s), of %s device time:\n", top_n, d->id, d->name,
			prof_fmt_time(hdr, sizeof hdr, d->node_sum_s));
		fprintf(f, "  %-4s %-40s %-12s %-16s %10s %6s %9s %8s  %s\n", "#", "node", "op", "shape",
			"time", "%", "GFLOP/s", "of peak", "ran with");
		for (int k = 0; k < top_n && k < d->n_nodes; k++) {
			const struct prof_node *n = &d->nodes[idx[k]];
			char t[32], gf[32], pk[32];
			const double g = prof_ratio(n->flops, n->time_s) * 1e-9;
			snprintf(gf, sizeof gf, n->flops > 0 && isfinite(g) ? "%.1f" : "-", g);
			const double fr = n->flops > 0 ? prof_ratio(g, d->peak_gflops) : NAN;
			snprintf(pk, sizeof pk, isfinite(fr) ? "%.1f%%" : "-", 100.0 * fr);
			fprintf(f, "  %-4d %-40.40s %-12s %-16.16s %10s %5.1f%% %9s %8s  %s\n", k + 1, n->name,
				n->op, n->shape, prof_fmt_time(t, sizeof t, n->time_s),
				100.0 * prof_ratio(n->time_s, d->node_sum_s), gf, pk, n->impl[0] ? n->impl : "-");
		}
		clx_free(idx);
	}
	fputc('\n', f);
}
