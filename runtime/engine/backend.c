/* backend.c — the backend registry (listing devices, selecting one by
 * spec, opening it) and the one wrapper per interface slot that every
 * client calls. The only code besides the backends themselves that
 * dereferences a backend's interface.
 *
 * Not here: planning and running graphs (sched.c, session.c), comparing
 * results (check.c). */
#include "engine/backend_impl.h"
#include "engine/placed.h"
#include "engine/tuning.h"

#include "clx/check.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h> /* strcasecmp */

/* ------------------------------------------------------------- registry */

#define CLX_BACKEND(name) extern const struct clx_backend_reg clx_backend_reg_##name;
#include "clx_backends.h"
#undef CLX_BACKEND

static const struct clx_backend_reg *const registry[] = {
#define CLX_BACKEND(name) &clx_backend_reg_##name,
#include "clx_backends.h"
#undef CLX_BACKEND
};
enum { N_REG = sizeof registry / sizeof registry[0] };

struct clx_backend *clx_backend_new(struct clx_ctx *ctx, const struct clx_backend_i *iface,
				    void *impl)
{
	struct clx_backend *be = clx_calloc(1, sizeof *be);
	if (!be) {
		clx_fail(ctx, CLX_ERR_NOMEM, "out of memory opening a backend");
		return NULL;
	}
	be->iface = iface;
	be->impl = impl;
	return be;
}

static bool is_hidden(const struct clx_device_info *d)
{
	return strcmp(d->backend, "null") == 0;
}

/* Every device of every registered backend, hidden ones included. */
static enum clx_status collect(struct clx_ctx *ctx, struct clx_device_list *out)
{
	memset(out, 0, sizeof *out);
	for (int r = 0; r < N_REG; r++) {
		struct clx_device_info *devs = NULL;
		int n = 0;
		char note[sizeof out->note] = "";
		enum clx_status st = registry[r]->list(ctx, &devs, &n, note, sizeof note);
		if (st != CLX_OK) {
			clx_device_list_release(out);
			return st;
		}
		if (note[0] && !out->note[0])
			snprintf(out->note, sizeof out->note, "%s", note);
		if (n == 0) {
			clx_free(devs);
			continue;
		}
		struct clx_device_info *all =
			clx_realloc(out->devs, (size_t)(out->n + n) * sizeof *all);
		if (!all) {
			clx_free(devs);
			clx_device_list_release(out);
			return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory listing devices");
		}
		memcpy(all + out->n, devs, (size_t)n * sizeof *devs);
		clx_free(devs);
		out->devs = all;
		out->n += n;
	}
	bool have_cl = false;
	for (int r = 0; r < N_REG; r++)
		have_cl |= strcmp(registry[r]->name, "cl") == 0;
	out->opencl_built = have_cl;
	if (!have_cl)
		snprintf(out->note, sizeof out->note, "this clx was built without the OpenCL backend");
	return CLX_OK;
}

enum clx_status clx_backend_list(struct clx_ctx *ctx, struct clx_device_list *out)
{
	enum clx_status st = collect(ctx, out);
	if (st != CLX_OK)
		return st;
	int j = 0;
	for (int i = 0; i < out->n; i++)
		if (!is_hidden(&out->devs[i]))
			out->devs[j++] = out->devs[i];
	out->n = j;
	return CLX_OK;
}

void clx_device_list_release(struct clx_device_list *l)
{
	if (!l)
		return;
	clx_free(l->devs);
	memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------ selection */

static bool contains_nocase(const char *hay, const char *needle)
{
	const size_t nl = strlen(needle);
	if (nl == 0)
		return false;
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < nl && hay[i] &&
		       tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == nl)
			return true;
	}
	return false;
}

static bool is_opencl(const struct clx_device_info *d)
{
	return strcmp(d->backend, "opencl") == 0;
}

/* "cpu, cl:0:0 pthread-…, …" for messages. */
static void available(const struct clx_device_list *l, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < l->n && len + 1 < cap; i++) {
		if (is_hidden(&l->devs[i]))
			continue;
		const int w = snprintf(buf + len, cap - len, "%s%s%s%s", len ? ", " : "",
				       l->devs[i].id, l->devs[i].reference ? "" : " ",
				       l->devs[i].reference ? "" : l->devs[i].name);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* The "cl" rule: GPU over accelerator over CPU over other, then compute
 * units × clock, then listing order. */
static int best_opencl(const struct clx_device_list *l, int skip)
{
	int best = -1;
	for (int i = 0; i < l->n; i++) {
		const struct clx_device_info *a = &l->devs[i];
		if (!is_opencl(a) || i == skip)
			continue;
		if (best < 0) {
			best = i;
			continue;
		}
		const struct clx_device_info *b = &l->devs[best];
		const double sa = (double)a->compute_units * a->clock_mhz;
		const double sb = (double)b->compute_units * b->clock_mhz;
		if (a->type_rank > b->type_rank || (a->type_rank == b->type_rank && sa > sb))
			best = i;
	}
	return best;
}

int clx_device_select(struct clx_ctx *ctx, const struct clx_device_list *l, const char *spec)
{
	char avail[700];
	if (!spec || !*spec)
		spec = "cpu";
	for (int i = 0; i < l->n; i++) /* ids and keywords in any case: CPU, CL:0:0 */
		if (strcasecmp(l->devs[i].id, spec) == 0)
			return i;
	available(l, avail, sizeof avail);
	if (strcasecmp(spec, "cl") == 0) {
		const int best = best_opencl(l, -1);
		if (best < 0)
			clx_fail(ctx, CLX_ERR_NOT_FOUND, "device spec 'cl': no OpenCL device (%s); available: %s",
				 l->note[0] ? l->note : "platforms exist but none has a device; see clinfo",
				 avail);
		return best;
	}
	if (strncasecmp(spec, "cl:", 3) == 0) {
		clx_fail(ctx, CLX_ERR_NOT_FOUND, "device spec '%s': no such OpenCL device%s%s; available: %s",
			 spec, l->note[0] ? " — " : "", l->note, avail);
		return -1;
	}
	for (int i = 0; i < l->n; i++)
		if (is_opencl(&l->devs[i]) && contains_nocase(l->devs[i].name, spec))
			return i;
	clx_fail(ctx, CLX_ERR_NOT_FOUND,
		 "device spec '%s': no OpenCL device name contains it%s%s; available: %s", spec,
		 l->note[0] ? " — " : "", l->note, avail);
	return -1;
}

/* ---------------------------------------------------------------- opening */

/* A device's precision: f32; f16, weights stored as half; f16-math, and
 * the GEMM products computed in half too (docs/PLACEMENT.md). */
enum precision { PREC_F32, PREC_F16, PREC_F16_MATH };

static const char *precision_suffix(enum precision p)
{
	return p == PREC_F16_MATH ? "@f16-math" : p == PREC_F16 ? "@f16" : "";
}

/* spec's precision suffix split off: "cl:0:0@f16" → "cl:0:0" in base (cap
 * bytes) and *p; no suffix or "@f32" is f32. An unknown suffix, or no
 * device before it, fails (CLX_ERR_INVALID_ARG, naming it). */
static enum clx_status split_precision(struct clx_ctx *ctx, const char *spec, char *base,
				       size_t cap, enum precision *p)
{
	*p = PREC_F32;
	const char *at = strchr(spec, '@');
	const size_t n = at ? (size_t)(at - spec) : strlen(spec);
	if (n >= cap)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "device spec '%s' is too long", spec);
	if (n == 0)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "device spec '%s' names no device before '@'",
				spec);
	memcpy(base, spec, n);
	base[n] = '\0';
	if (!at || strcmp(at, "@f32") == 0)
		return CLX_OK;
	if (strcmp(at, "@f16") == 0 || strcmp(at, "@f16-math") == 0) {
		*p = at[4] ? PREC_F16_MATH : PREC_F16;
		return CLX_OK;
	}
	return clx_fail(ctx, CLX_ERR_INVALID_ARG,
			"device spec '%s': unknown precision '%s' (@f16, @f16-math or @f32)", spec, at + 1);
}

enum clx_status clx_spec_device(struct clx_ctx *ctx, const char *spec,
				const struct clx_device_list *l, struct clx_device_info *dev)
{
	char base[256];
	enum precision p = PREC_F32;
	enum clx_status st = spec ? split_precision(ctx, spec, base, sizeof base, &p) : CLX_OK;
	if (st != CLX_OK)
		return st;
	const int pick = clx_device_select(ctx, l, spec ? base : NULL);
	if (pick < 0)
		return CLX_ERR_NOT_FOUND;
	*dev = l->devs[pick];
	if (p != PREC_F32 && !is_opencl(dev))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"device spec '%s': %s keeps f32 weights (@f16 is for OpenCL devices)", spec,
				dev->reference ? "the CPU reference" : dev->id);
	dev->weights_f16 = p != PREC_F32;
	dev->math_f16 = p == PREC_F16_MATH;
	return CLX_OK;
}

void clx_spec_canonical(const struct clx_device_info *dev, char *buf, size_t cap)
{
	snprintf(buf, cap, "%.52s%s", dev->id,
		 precision_suffix(dev->math_f16 ? PREC_F16_MATH : dev->weights_f16 ? PREC_F16 : PREC_F32));
}

/* "auto": the best OpenCL device by the "cl" rule for the vision tower and
 * the prompt; the text tower on the next best when there is one and the two
 * are not both CPU devices (those share the host's cores: splitting gains
 * nothing). One device, or none (the CPU reference), otherwise. */
static void auto_spec(const struct clx_device_list *l, char *buf, size_t cap)
{
	const int best = best_opencl(l, -1);
	const int next = best >= 0 ? best_opencl(l, best) : -1;
	if (best < 0)
		snprintf(buf, cap, "cpu");
	else if (next < 0 || (l->devs[best].type_rank == 1 && l->devs[next].type_rank == 1))
		snprintf(buf, cap, "%s", l->devs[best].id);
	else
		snprintf(buf, cap, "vision=%s,text=%s", l->devs[best].id, l->devs[next].id);
}

/* What every spec must be: not empty, no blanks, at most one device unless
 * a placement. */
static enum clx_status spec_syntax(struct clx_ctx *ctx, const char *spec)
{
	if (!*spec)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"an empty device spec (cpu, cl, cl:P:D, a device name, auto, or "
				"vision=SPEC,text=SPEC)");
	for (const char *p = spec; *p; p++)
		if (isspace((unsigned char)*p))
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "device spec '%s' contains a blank", spec);
	if (strchr(spec, ',') && !strchr(spec, '='))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"device spec '%s' names several devices; a placement is "
				"vision=SPEC,text=SPEC[,prompt=SPEC]",
				spec);
	return CLX_OK;
}

/* How far a spec resolves without opening anything: a placement (left to
 * placed.c), "auto" expanded into the spec it chose, or one device. */
struct resolved {
	bool placement;
	char expanded[200];           /* auto: what it chose, with its precision */
	struct clx_device_info dev;   /* else: the device */
};

static enum clx_status resolve(struct clx_ctx *ctx, const char *spec, struct resolved *r)
{
	memset(r, 0, sizeof *r);
	enum clx_status st = spec ? spec_syntax(ctx, spec) : CLX_OK;
	if (st != CLX_OK || (r->placement = spec && strchr(spec, '=')))
		return st;
	struct clx_device_list l;
	if ((st = collect(ctx, &l)) != CLX_OK)
		return st;
	char base[256];
	enum precision p = PREC_F32;
	if (spec && split_precision(ctx, spec, base, sizeof base, &p) == CLX_OK &&
	    strcasecmp(base, "auto") == 0) {
		/* auto@f16: half weights on each OpenCL device it chooses */
		char chosen[160];
		auto_spec(&l, chosen, sizeof chosen);
		if (p != PREC_F32 && strcmp(chosen, "cpu") == 0)
			st = clx_fail(ctx, CLX_ERR_INVALID_ARG,
				      "device spec '%s': auto chose the CPU reference, which keeps f32 weights",
				      spec);
		for (char *save = NULL, *it = strtok_r(chosen, ",", &save); it && st == CLX_OK;
		     it = strtok_r(NULL, ",", &save))
			snprintf(r->expanded + strlen(r->expanded), sizeof r->expanded - strlen(r->expanded),
				 "%s%s%s", r->expanded[0] ? "," : "", it, precision_suffix(p));
	} else {
		st = clx_spec_device(ctx, spec, &l, &r->dev);
	}
	clx_device_list_release(&l);
	return st;
}

enum clx_status clx_device_spec_check(struct clx_ctx *ctx, const char *spec, bool *reference)
{
	*reference = !spec;
	if (!spec)
		return CLX_OK;
	struct resolved r;
	enum clx_status st = resolve(ctx, spec, &r);
	if (st != CLX_OK)
		return st;
	if (r.placement)
		return clx_placed_check(ctx, spec, reference);
	if (r.expanded[0])
		return clx_device_spec_check(ctx, r.expanded, reference);
	*reference = r.dev.reference;
	return CLX_OK;
}

static const struct clx_backend_reg *reg_for(const struct clx_device_info *d)
{
	const char *kind = is_opencl(d) ? "cl" : d->backend;
	for (int r = 0; r < N_REG; r++)
		if (strcmp(registry[r]->name, kind) == 0)
			return registry[r];
	return NULL;
}

static bool check_results_requested(void)
{
	const char *v = getenv("CLX_CHECK_RESULTS");
	return v && *v && strcmp(v, "0") != 0;
}

enum clx_status clx_backend_open(struct clx_ctx *ctx, const char *spec, struct clx_backend **out)
{
	*out = NULL;
	struct resolved r;
	enum clx_status st = resolve(ctx, spec, &r);
	if (st != CLX_OK)
		return st;
	if (r.placement)
		return clx_placed_open(ctx, spec, out);
	if (r.expanded[0])
		return clx_backend_open(ctx, r.expanded, out);
	const struct clx_device_info dev = r.dev;
	const struct clx_backend_reg *reg = reg_for(&dev);
	CLX_ASSERT(reg != NULL); /* every listed device comes from a registered backend */
	struct clx_backend *be = NULL;
	if ((st = reg->open(ctx, &dev, &be)) != CLX_OK)
		return st;
	if (be->iface->candidates && (st = clx_tuning_load(ctx, clx_backend_device(be), &be->tuning)) !=
					     CLX_OK) {
		clx_backend_free(be);
		return st;
	}
	if (!dev.reference && !is_hidden(&dev) && check_results_requested()) {
		struct clx_backend *ref = NULL;
		if ((st = clx_backend_open(ctx, "cpu", &ref)) != CLX_OK) {
			clx_backend_free(be);
			return st;
		}
		if ((st = clx_backend_checked_create(ctx, be, ref, &be)) != CLX_OK)
			return st; /* it freed both */
	}
	*out = be;
	return CLX_OK;
}

void clx_backend_free(struct clx_backend *be)
{
	if (be) {
		clx_tuning_free(be->tuning);
		be->iface->free(be);
	}
}

/* ------------------------------------------------------------- wrappers */

const char *clx_backend_name(const struct clx_backend *be)
{
	return be->iface->name(be);
}

const struct clx_device_info *clx_backend_device(const struct clx_backend *be)
{
	return be->iface->device(be);
}

struct clx_backend_caps clx_backend_caps(const struct clx_backend *be)
{
	const struct clx_backend_i *i = be->iface;
	return (struct clx_backend_caps){
		.async = i->synchronize != NULL,
		.node_times = i->set_profiling != NULL && i->node_times != NULL,
		.peak = i->peak != NULL,
	};
}

void clx_backend_stats(const struct clx_backend *be, struct clx_backend_stats *out)
{
	memset(out, 0, sizeof *out);
	if (be->iface->stats)
		be->iface->stats(be, out);
	out->nodes_run = be->nodes_run;
}

enum clx_status clx_backend_prepare(struct clx_backend *be, struct clx_ctx *ctx,
				    const struct clx_graph *g, size_t arena_bytes)
{
	be->prepared_for = NULL;
	return be->iface->prepare(be, ctx, g, arena_bytes);
}

enum clx_status clx_backend_set_tensor(struct clx_backend *be, struct clx_ctx *ctx,
				       const struct clx_graph *g, int t, const void *data)
{
	return be->iface->set_tensor(be, ctx, g, t, data);
}

enum clx_status clx_backend_get_tensor(struct clx_backend *be, struct clx_ctx *ctx,
				       const struct clx_graph *g, int t, void *data)
{
	return be->iface->get_tensor(be, ctx, g, t, data);
}

bool clx_backend_supports_why(struct clx_backend *be, const struct clx_graph *g, int node,
			      char *why, size_t cap)
{
	why[0] = '\0';
	return !be->iface->supports || be->iface->supports(be, g, node, why, cap);
}

bool clx_backend_supports(struct clx_backend *be, const struct clx_graph *g, int node)
{
	char why[160];
	return clx_backend_supports_why(be, g, node, why, sizeof why);
}

bool clx_backend_placement(const struct clx_backend *be, struct clx_placement *out)
{
	memset(out, 0, sizeof *out);
	return be->iface->placement && be->iface->placement(be, out);
}

void clx_backend_node_device(const struct clx_backend *be, const struct clx_graph *g, int node,
			     char *dev, size_t dcap, char *why, size_t wcap)
{
	why[0] = '\0';
	if (be->iface->node_device)
		be->iface->node_device(be, g, node, dev, dcap, why, wcap);
	else
		snprintf(dev, dcap, "%s", clx_backend_name(be));
}

enum clx_status clx_backend_run_node(struct clx_backend *be, struct clx_ctx *ctx,
				     const struct clx_graph *g, int node)
{
	char why[160];
	if (!clx_backend_supports_why(be, g, node, why, sizeof why))
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: backend cannot run node '%s' (%s): %s",
				clx_backend_name(be), g->nodes[node].name,
				clx_op_name(g->nodes[node].op), why);
	be->nodes_run++;
	return be->iface->run_node(be, ctx, g, node);
}

enum clx_status clx_backend_synchronize(struct clx_backend *be, struct clx_ctx *ctx)
{
	return be->iface->synchronize ? be->iface->synchronize(be, ctx) : CLX_OK;
}

enum clx_status clx_backend_set_profiling(struct clx_backend *be, struct clx_ctx *ctx, bool on)
{
	if (!clx_backend_caps(be).node_times)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: cannot time nodes", clx_backend_name(be));
	enum clx_status st = be->iface->set_profiling(be, ctx, on);
	if (st == CLX_OK)
		be->profiling = on;
	return st;
}

enum clx_status clx_backend_node_times(struct clx_backend *be, struct clx_ctx *ctx,
				       const struct clx_graph *g, double *ns)
{
	if (!clx_backend_caps(be).node_times)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: cannot time nodes", clx_backend_name(be));
	return be->iface->node_times(be, ctx, g, ns);
}

enum clx_status clx_backend_node_spans(struct clx_backend *be, struct clx_ctx *ctx,
				       const struct clx_graph *g, double *start, double *end, int *dev)
{
	if (!be->iface->node_spans)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: one device, no spans", clx_backend_name(be));
	return be->iface->node_spans(be, ctx, g, start, end, dev);
}

void clx_backend_node_impl(const struct clx_backend *be, const struct clx_graph *g, int node,
			   char *buf, size_t cap)
{
	buf[0] = '\0';
	if (be->iface->node_impl && node >= 0 && node < g->n_nodes)
		be->iface->node_impl(be, g, node, buf, cap);
}

enum clx_status clx_backend_peak(struct clx_backend *be, struct clx_ctx *ctx, double *gflops,
				 double *gbps)
{
	if (!be->iface->peak)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: no peak microbenchmarks",
				clx_backend_name(be));
	return be->iface->peak(be, ctx, gflops, gbps);
}
