/* html.c — one self-contained HTML page of a profile document: inline CSS
 * and SVG only, no scripts and no network resources, so it can be mailed,
 * attached to a CI run or opened offline.
 *
 * Sections: summary table (a column per device), warm latency bars with
 * min–max whiskers, device time stacked by op class (plus host overhead),
 * a log–log roofline of every node against each device's measured FMA and
 * copy peaks, and the top nodes per device. Hovering a mark shows its
 * <title>.
 *
 * Not here: measuring; the same figures as the terminal table (report.c). */
#include "profile.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_color[CLX_OPCLASS_COUNT] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
};
static const char *const host_color = "#bab0ac";
static const char *const dev_color[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
};
#define N_DEV_COLORS (sizeof dev_color / sizeof dev_color[0])

/* Text with &, <, >, " escaped. */
static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void label_of(const struct prof_device *d, char *buf, size_t cap)
{
	if (d->origin[0] && d->host[0])
		snprintf(buf, cap, "%s @%s", d->id, d->host);
	else
		snprintf(buf, cap, "%s", d->id);
}

/* ---------------------------------------------------------------- table */

static void td_time(FILE *f, double s)
{
	char b[32];
	fprintf(f, "<td>%s</td>", prof_fmt_time(b, sizeof b, s));
}

/* A number cell: `prec` significant digits (g) or decimals, then `unit`. */
static void td_num(FILE *f, int prec, bool g, const char *unit, double v)
{
	fputs("<td>", f);
	if (!isfinite(v))
		fputs("-", f);
	else if (g)
		fprintf(f, "%.*g%s", prec, v, unit);
	else
		fprintf(f, "%.*f%s", prec, v, unit);
	fputs("</td>", f);
}

static void summary(FILE *f, const struct prof_doc *doc)
{
	fputs("<table class=\"grid\"><tr><th></th>", f);
	for (int i = 0; i < doc->n_devices; i++) {
		char l[200];
		label_of(&doc->devices[i], l, sizeof l);
		fprintf(f, "<th style=\"color:%s\">", dev_color[i % N_DEV_COLORS]);
		esc(f, l);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
#define ROW(label, ...)                                                 \
	do {                                                            \
		fputs("<tr><th>" label "</th>", f);                     \
		for (int i = 0; i < doc->n_devices; i++) {              \
			const struct prof_device *d = &doc->devices[i]; \
			__VA_ARGS__;                                    \
		}                                                       \
		fputs("</tr>\n", f);                                    \
	} while (0)
	ROW("device", { fputs("<td>", f); esc(f, d->name); fputs("</td>", f); });
	ROW("platform / driver", {
		fputs("<td>", f);
		esc(f, d->platform);
		fputs("<br>", f);
		esc(f, d->driver_version);
		fputs("</td>", f);
	});
	ROW("status", {
		fputs(d->ok ? "<td>ok</td>" : "<td class=\"bad\">FAILED: ", f);
		if (!d->ok) {
			esc(f, d->error);
			fputs("</td>", f);
		}
	});
	ROW("cold start", td_time(f, d->cold_s));
	ROW("warm start", td_time(f, d->warm_s));
	ROW("warm start to first result", td_time(f, d->first_result_s));
	ROW("latency min / median / max", {
		char a[32], b[32], c[32];
		fprintf(f, "<td>%s / <b>%s</b> / %s</td>", prof_fmt_time(a, sizeof a, d->lat_min_s),
			prof_fmt_time(b, sizeof b, d->lat_med_s), prof_fmt_time(c, sizeof c, d->lat_max_s));
	});
	ROW("throughput (inputs/s)", td_num(f, 3, true, "", d->throughput));
	ROW("device time (sum of nodes)", td_time(f, d->node_sum_s));
	ROW("host/dispatch overhead", {
		char a[32];
		fprintf(f, "<td>%s", prof_fmt_time(a, sizeof a, d->host_s));
		if (isfinite(prof_ratio(d->host_s, d->wall_s)))
			fprintf(f, " (%.1f%%)", 100.0 * prof_ratio(d->host_s, d->wall_s));
		fputs("</td>", f);
	});
	ROW("GFLOP per forward", td_num(f, 2, false, "", d->flops * 1e-9));
	ROW("GFLOP/s on device time", td_num(f, 1, false, "", prof_ratio(d->flops, d->node_sum_s) * 1e-9));
	ROW("peak FMA GFLOP/s / copy GB/s", {
		fputs("<td>", f);
		if (isfinite(d->peak_gflops))
			fprintf(f, "%.1f / %.1f", d->peak_gflops, d->peak_gbps);
		else
			fputs("-", f);
		fputs("</td>", f);
	});
	ROW("GEMM GFLOP/s (of peak)", {
		const double g = prof_ratio(d->class_flops[CLX_OPCLASS_GEMM], d->class_s[CLX_OPCLASS_GEMM]) * 1e-9;
		fputs("<td>", f);
		if (isfinite(g))
			fprintf(f, "%.1f (%.0f%%)", g, 100.0 * prof_ratio(g, d->peak_gflops));
		else
			fputs("-", f);
		fputs("</td>", f);
	});
	ROW("device weights / activations", {
		fputs("<td>", f);
		for (int k = 0; k < 2; k++) {
			const double v = k ? d->mem_activations : d->mem_weights;
			if (isfinite(v))
				fprintf(f, "%s%.1f MiB", k ? " / " : "", v / 1048576.0);
			else
				fputs(k ? " / -" : "-", f);
		}
		fputs("</td>", f);
	});
	ROW("host peak RSS", td_num(f, 0, false, " MiB", d->host_peak_rss / 1048576.0));
	ROW("max |logits &minus; cpu|", td_num(f, 2, true, "", d->max_abs_diff));
#undef ROW
	fputs("</table>\n", f);
}

/* --------------------------------------------------------------- charts */

enum { W = 1000, LEFT = 230, RIGHT = 30, BAR = 26, GAP = 12 };

/* Starts a chart of one bar row per device, scaled so that the largest
 * finite positive value of the double at offset `field` fits; without one,
 * a note instead and false. *h: the SVG's height (`extra` below the rows). */
static bool bars_begin(FILE *f, const struct prof_doc *doc, size_t field, const char *none,
		       int extra, int *h, double *sx)
{
	double vmax = 0;
	for (int i = 0; i < doc->n_devices; i++) {
		const double v = *(const double *)((const char *)&doc->devices[i] + field);
		if (isfinite(v) && v > vmax)
			vmax = v;
	}
	if (vmax <= 0) {
		fprintf(f, "<p>%s</p>\n", none);
		return false;
	}
	*h = doc->n_devices * (BAR + GAP) + extra;
	*sx = (W - LEFT - RIGHT - 90) / vmax;
	fprintf(f, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", W, *h, W,
		*h);
	return true;
}

/* Bar row i: the device's label left of the bars; returns the row's y. */
static int bar_row(FILE *f, const struct prof_device *d, int i)
{
	const int y = 10 + i * (BAR + GAP);
	char l[200];
	label_of(d, l, sizeof l);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LEFT - 8, y + BAR / 2 + 5);
	esc(f, l);
	fputs("</text>\n", f);
	return y;
}

static void latency_bars(FILE *f, const struct prof_doc *doc)
{
	int h;
	double sx;
	if (!bars_begin(f, doc, offsetof(struct prof_device, lat_max_s), "No latency measured.", 40,
			&h, &sx))
		return;
	for (int i = 0; i < doc->n_devices; i++) {
		const struct prof_device *d = &doc->devices[i];
		const int y = bar_row(f, d, i);
		char t[32], a[32], b[32];
		if (!isfinite(d->lat_med_s))
			continue;
		fprintf(f,
			"<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>median %s "
			"(min %s, max %s)</title></rect>\n",
			LEFT, y, d->lat_med_s * sx, BAR, dev_color[i % N_DEV_COLORS],
			prof_fmt_time(t, sizeof t, d->lat_med_s), prof_fmt_time(a, sizeof a, d->lat_min_s),
			prof_fmt_time(b, sizeof b, d->lat_max_s));
		const double x0 = LEFT + d->lat_min_s * sx, x1 = LEFT + d->lat_max_s * sx;
		fprintf(f,
			"<path d=\"M%.1f %d H%.1f M%.1f %d V%d M%.1f %d V%d\" stroke=\"#222\" fill=\"none\"/>\n",
			x0, y + BAR / 2, x1, x0, y + 6, y + BAR - 6, x1, y + 6, y + BAR - 6);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", x1 + 6, y + BAR / 2 + 5, t);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis\">median warm latency; whiskers: min–max over "
		   "the runs</text>\n",
		LEFT, h - 8);
	fputs("</svg>\n", f);
}

static void class_bars(FILE *f, const struct prof_doc *doc)
{
	int h;
	double sx;
	if (!bars_begin(f, doc, offsetof(struct prof_device, wall_s), "No per-node times.", 60, &h,
			&sx))
		return;
	for (int i = 0; i < doc->n_devices; i++) {
		const struct prof_device *d = &doc->devices[i];
		const int y = bar_row(f, d, i);
		char t[32];
		if (!isfinite(d->node_sum_s))
			continue;
		double x = LEFT;
		for (int c = 0; c < CLX_OPCLASS_COUNT; c++) {
			const double w = d->class_s[c] * sx;
			if (!(w > 0))
				continue;
			fprintf(f,
				"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %s "
				"(%.1f%%)</title></rect>\n",
				x, y, w, BAR, class_color[c], clx_op_class_name((enum clx_op_class)c),
				prof_fmt_time(t, sizeof t, d->class_s[c]), 100.0 * prof_ratio(d->class_s[c], d->wall_s));
			x += w;
		}
		if (isfinite(d->host_s) && d->host_s > 0) {
			fprintf(f,
				"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>host/dispatch "
				"overhead: %s</title></rect>\n",
				x, y, d->host_s * sx, BAR, host_color, prof_fmt_time(t, sizeof t, d->host_s));
			x += d->host_s * sx;
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", x + 6, y + BAR / 2 + 5,
			prof_fmt_time(t, sizeof t, d->wall_s));
	}
	/* legend */
	int lx = LEFT;
	const int ly = h - 22;
	for (int c = 0; c <= CLX_OPCLASS_COUNT; c++) {
		const char *name = c < CLX_OPCLASS_COUNT ? clx_op_class_name((enum clx_op_class)c) : "host overhead";
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", lx, ly,
			c < CLX_OPCLASS_COUNT ? class_color[c] : host_color);
		fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n", lx + 16, ly + 11, name);
		lx += 20 + 8 * (int)strlen(name) + 14;
	}
	fputs("</svg>\n", f);
}

/* ------------------------------------------------------------- roofline */

static double lx_of(double ai, double lo, double hi, int x0, int x1)
{
	return x0 + (log10(ai) - lo) / (hi - lo) * (x1 - x0);
}

static void roofline(FILE *f, const struct prof_doc *doc)
{
	/* axis ranges over every plotted node and peak */
	double ai_lo = INFINITY, ai_hi = 0, g_lo = INFINITY, g_hi = 0;
	int n_points = 0;
	for (int i = 0; i < doc->n_devices; i++) {
		const struct prof_device *d = &doc->devices[i];
		for (int k = 0; k < d->n_nodes; k++) {
			const struct prof_node *n = &d->nodes[k];
			const double g = prof_ratio(n->flops, n->time_s) * 1e-9, ai = prof_ratio(n->flops, n->bytes);
			if (!(n->flops > 0) || !(g > 0) || !(ai > 0))
				continue;
			ai_lo = fmin(ai_lo, ai), ai_hi = fmax(ai_hi, ai);
			g_lo = fmin(g_lo, g), g_hi = fmax(g_hi, g);
			n_points++;
		}
		if (d->peak_gflops > 0)
			g_hi = fmax(g_hi, d->peak_gflops);
	}
	if (n_points == 0) {
		fputs("<p>No node has both FLOPs and a device time.</p>\n", f);
		return;
	}
	const double xlo = floor(log10(ai_lo)) - 0.0, xhi = ceil(log10(ai_hi)) + 0.5;
	const double ylo = floor(log10(g_lo)), yhi = ceil(log10(g_hi * 1.5));
	const int H = 560, X0 = 80, X1 = W - 40, Y0 = H - 60, Y1 = 20;
	fprintf(f, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", W, H, W, H);
	/* grid and labels: one line per decade */
	for (double e = xlo; e <= xhi + 1e-9; e += 1) {
		const double x = lx_of(pow(10, e), xlo, xhi, X0, X1);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>", x, Y0, x, Y1);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">%g</text>\n", x,
			Y0 + 18, pow(10, e));
	}
	for (double e = ylo; e <= yhi + 1e-9; e += 1) {
		const double y = Y0 - (e - ylo) / (yhi - ylo) * (Y0 - Y1);
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>", X0, y, X1, y);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"axis\">%g</text>\n", X0 - 6,
			y + 4, pow(10, e));
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">arithmetic intensity (FLOP / byte "
		   "moved)</text>\n",
		(X0 + X1) / 2, H - 20);
	fprintf(f, "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" text-anchor=\"middle\">GFLOP/s "
		   "(device time)</text>\n",
		(Y0 + Y1) / 2, (Y0 + Y1) / 2);
#define PX(ai) lx_of((ai), xlo, xhi, X0, X1)
#define PY(g) (Y0 - (log10(g) - ylo) / (yhi - ylo) * (Y0 - Y1))
	for (int i = 0; i < doc->n_devices; i++) {
		const struct prof_device *d = &doc->devices[i];
		const char *col = dev_color[i % N_DEV_COLORS];
		char l[200];
		label_of(d, l, sizeof l);
		/* the roof: bandwidth slope up to the ridge, then flat */
		if (d->peak_gflops > 0 && d->peak_gbps > 0) {
			const double a0 = pow(10, xlo), a1 = pow(10, xhi), ridge = d->peak_gflops / d->peak_gbps;
			const double g0 = fmax(a0 * d->peak_gbps, pow(10, ylo));
			const double ax = g0 / d->peak_gbps;
			fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
			fprintf(f, "%.1f,%.1f ", PX(ax), PY(g0));
			if (ridge > a0 && ridge < a1)
				fprintf(f, "%.1f,%.1f ", PX(ridge), PY(d->peak_gflops));
			fprintf(f, "%.1f,%.1f\"><title>", PX(a1), PY(d->peak_gflops));
			esc(f, l);
			fprintf(f, ": peak %.1f GFLOP/s, %.1f GB/s</title></polyline>\n", d->peak_gflops,
				d->peak_gbps);
		}
		for (int k = 0; k < d->n_nodes; k++) {
			const struct prof_node *n = &d->nodes[k];
			const double g = prof_ratio(n->flops, n->time_s) * 1e-9, ai = prof_ratio(n->flops, n->bytes);
			if (!(n->flops > 0) || !(g > 0) || !(ai > 0))
				continue;
			fprintf(f,
				"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"0.55\" "
				"stroke=\"%s\" stroke-width=\"0.6\"><title>",
				PX(ai), PY(g), n->cls == CLX_OPCLASS_GEMM ? 4.0 : 3.0, col, class_color[n->cls]);
			esc(f, l);
			fputs(" ", f);
			esc(f, n->name);
			fprintf(f, " (%s %s): %.2f GFLOP/s, %.2f FLOP/B</title></circle>\n", n->op, n->shape, g, ai);
		}
	}
	/* legend */
	for (int i = 0; i < doc->n_devices; i++) {
		char l[200];
		label_of(&doc->devices[i], l, sizeof l);
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", X0 + 12,
			Y1 + 8 + 18 * i, dev_color[i % N_DEV_COLORS]);
		fprintf(f, "<text x=\"%d\" y=\"%d\">", X0 + 30, Y1 + 19 + 18 * i);
		esc(f, l);
		fputs("</text>\n", f);
	}
#undef PX
#undef PY
	fputs("</svg>\n", f);
}

/* ------------------------------------------------------------ top nodes */

static void top_nodes(FILE *f, const struct prof_device *d, int color, int top_n)
{
	if (d->n_nodes == 0 || !isfinite(d->node_sum_s))
		return;
	int *idx = prof_nodes_by_time(d);
	if (!idx)
		return;
	char l[200];
	label_of(d, l, sizeof l);
	fprintf(f, "<h3 style=\"color:%s\">", dev_color[color % N_DEV_COLORS]);
	esc(f, l);
	fputs(" — ", f);
	esc(f, d->name);
	fputs("</h3>\n<table class=\"grid\"><tr><th>#</th><th>node</th><th>op</th><th>shape</th>"
	      "<th>time</th><th>share</th><th>GFLOP/s</th><th>GB/s</th><th>of peak FLOP/s</th></tr>\n",
	      f);
	for (int k = 0; k < top_n && k < d->n_nodes; k++) {
		const struct prof_node *n = &d->nodes[idx[k]];
		const double g = prof_ratio(n->flops, n->time_s) * 1e-9, b = prof_ratio(n->bytes, n->time_s) * 1e-9;
		char t[32];
		fprintf(f, "<tr><td>%d</td><td class=\"l\">", k + 1);
		esc(f, n->name);
		fprintf(f, "</td><td><span class=\"sw\" style=\"background:%s\"></span>%s</td><td>",
			class_color[n->cls], n->op);
		esc(f, n->shape);
		fprintf(f, "</td><td>%s</td><td>%.1f%%</td>", prof_fmt_time(t, sizeof t, n->time_s),
			100.0 * prof_ratio(n->time_s, d->node_sum_s));
		td_num(f, 1, false, "", n->flops > 0 ? g : NAN);
		td_num(f, 1, false, "", b);
		td_num(f, 1, false, "%", n->flops > 0 ? 100.0 * prof_ratio(g, d->peak_gflops) : NAN);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	clx_free(idx);
}

/* ----------------------------------------------------------------- page */

bool prof_doc_write_html(const struct prof_doc *doc, const char *path, int top_n, char *err,
			 size_t cap)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, cap, "%s: cannot write", path);
		return false;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<title>clx-profile</title>\n<style>\n"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\n"
	      "h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}\n"
	      "h3{font-size:15px;margin-bottom:4px}\n"
	      "table.grid{border-collapse:collapse;font-size:13px}\n"
	      "table.grid td,table.grid th{border:1px solid #ddd;padding:3px 8px;text-align:right}\n"
	      "table.grid th{background:#f4f4f4}table.grid td.l{text-align:left}\n"
	      "td.bad{color:#b00;text-align:left}\n"
	      ".meta{color:#555;font-size:13px}\n"
	      "svg{font:12px system-ui,sans-serif;display:block;margin:8px 0}\n"
	      "svg .axis{fill:#555;font-size:11px}svg line.grid{stroke:#e6e6e6}\n"
	      ".sw{display:inline-block;width:10px;height:10px;margin-right:4px}\n"
	      "</style>\n</head>\n<body>\n",
	      f);
	fputs("<h1>clx-profile</h1>\n<p class=\"meta\">model <code>", f);
	esc(f, doc->model_path);
	fprintf(f, "</code> (config %s, %.0f MB of weights), B&nbsp;=&nbsp;%lld, T&nbsp;=&nbsp;%lld, "
		   "K&nbsp;=&nbsp;%lld, L&nbsp;=&nbsp;%lld; %d timed runs after %d warm-up.<br>clx ",
		doc->config_hash, doc->weights_file_bytes / 1e6, (long long)doc->B, (long long)doc->T,
		(long long)doc->K, (long long)doc->L, doc->runs, doc->warmup);
	esc(f, doc->clx_version);
	fputs(" (", f);
	esc(f, doc->git_revision);
	fputs("), ", f);
	esc(f, doc->created);
	fputs(", host ", f);
	esc(f, doc->host);
	fputs(": ", f);
	esc(f, doc->cpu);
	fprintf(f, ", %d cores, ", doc->cores);
	esc(f, doc->os);
	fputs(".</p>\n", f);

	fputs("<h2>Summary</h2>\n", f);
	summary(f, doc);
	fputs("<h2>Warm latency</h2>\n", f);
	latency_bars(f, doc);
	fputs("<h2>Time of the profiled run by op class</h2>\n", f);
	class_bars(f, doc);
	fputs("<h2>Roofline</h2>\n<p class=\"meta\">Every node with arithmetic, at its FLOPs per "
	      "compulsory byte and its achieved GFLOP/s on device time; lines are each device's "
	      "measured FMA peak and copy bandwidth (docs/PROFILE.md).</p>\n",
	      f);
	roofline(f, doc);
	fprintf(f, "<h2>Top %d nodes per device</h2>\n", top_n);
	for (int i = 0; i < doc->n_devices; i++)
		top_nodes(f, &doc->devices[i], i, top_n);
	fputs("<p class=\"meta\">Written by clx-profile; schema and formulas in docs/PROFILE.md.</p>\n"
	      "</body>\n</html>\n",
	      f);
	bool ok = !ferror(f);
	ok = fclose(f) == 0 && ok;
	if (!ok)
		snprintf(err, cap, "%s: write failed", path);
	return ok;
}
