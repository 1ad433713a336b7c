/* report.c — the profile document: JSON out and back in (the schema of
 * docs/PROFILE.md, also written by tools/dev/pytorch_profile.py), one CSV
 * row per node per device, and the Chrome trace (chrome://tracing,
 * Perfetto).
 *
 * Unmeasured figures are NaN in memory and null in JSON. Not here:
 * measuring (measure.c, peak.c), the terminal table (table.c), the HTML
 * page (html.c). */
#include "profile.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- free */

void prof_device_free(struct prof_device *d)
{
	if (!d)
		return;
	clx_free(d->runs_s);
	clx_free(d->logits);
	clx_free(d->nodes);
	d->runs_s = NULL;
	d->logits = NULL;
	d->nodes = NULL;
}

void prof_doc_free(struct prof_doc *doc)
{
	if (!doc)
		return;
	for (int i = 0; i < doc->n_devices; i++)
		prof_device_free(&doc->devices[i]);
	clx_free(doc->devices);
	doc->devices = NULL;
	doc->n_devices = 0;
}

/* ------------------------------------------------------------ JSON: out */

static void add_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddStringToObject(o, k, v ? v : "");
}

double prof_ratio(double a, double b)
{
	return b > 0 && isfinite(a) && isfinite(b) ? a / b : NAN;
}

double prof_roof(const struct prof_device *d, double ai)
{
	if (!isfinite(d->peak_gflops))
		return NAN;
	if (!isfinite(d->peak_gbps) || !isfinite(ai))
		return d->peak_gflops;
	return fmin(d->peak_gflops, ai * d->peak_gbps);
}

/* ------------------------------------------------------------- schema */

/* One figure of the schema: its key and where it lives in a struct. The
 * tables below list each object's plain figures in the order they are
 * written; both directions go through them, so the writer and the reader
 * cannot drift apart. Figures with a rule of their own (null for "", for
 * -1, derived ones, arrays) stay in the code. */
enum field_kind {
	FIELD_STR, /* char array; "" when absent */
	FIELD_NUM, /* double; null in JSON when not finite, NaN when absent */
	FIELD_INT, /* int */
	FIELD_I64, /* int64_t */
};

struct field {
	const char *key;
	enum field_kind kind;
	size_t off, cap; /* cap: FIELD_STR's array size */
};

#define STR(T, k, m) { k, FIELD_STR, offsetof(T, m), sizeof ((T *)0)->m }
#define NUM(T, k, m) { k, FIELD_NUM, offsetof(T, m), 0 }
#define INT(T, k, m) { k, FIELD_INT, offsetof(T, m), 0 }
#define I64(T, k, m) { k, FIELD_I64, offsetof(T, m), 0 }
#define F(table) (table), sizeof (table) / sizeof *(table)

#define D struct prof_device
static const struct field dev_ident[] = {
	STR(D, "id", id), STR(D, "backend", backend), STR(D, "name", name),
	STR(D, "vendor", vendor), STR(D, "type", type), STR(D, "platform", platform),
	STR(D, "platform_version", platform_version), STR(D, "device_version", device_version),
	STR(D, "driver_version", driver_version), STR(D, "host", host),
	STR(D, "tuning_file", tuning_file),
	INT(D, "compute_units", compute_units), INT(D, "clock_mhz", clock_mhz),
	INT(D, "threads", threads),
};
static const struct field dev_shape[] = {
	I64(D, "batch", B), I64(D, "frames", T), I64(D, "prompts", K), I64(D, "tokens", L),
};
static const struct field dev_start[] = {
	NUM(D, "model_load_s", model_load_s), NUM(D, "cold_s", cold_s),
	NUM(D, "cold_first_result_s", cold_first_result_s), NUM(D, "warm_s", warm_s),
	NUM(D, "first_result_s", first_result_s), NUM(D, "program_s", program_s),
};
static const struct field dev_latency[] = {
	NUM(D, "min_s", lat_min_s), NUM(D, "median_s", lat_med_s), NUM(D, "max_s", lat_max_s),
};
static const struct field dev_time[] = {
	NUM(D, "wall_s", wall_s), NUM(D, "device_s", device_s), NUM(D, "node_sum_s", node_sum_s),
	NUM(D, "host_overhead_s", host_s), STR(D, "node_timing", timing),
	NUM(D, "overlap_s", overlap_s),
};
static const struct field dev_work[] = { NUM(D, "flops", flops), NUM(D, "bytes", bytes) };
static const struct field dev_peak[] = {
	NUM(D, "gflops", peak_gflops), NUM(D, "gbps", peak_gbps), STR(D, "source", peak_source),
};
static const struct field dev_memory[] = {
	NUM(D, "weights_bytes", mem_weights), NUM(D, "activations_bytes", mem_activations),
	NUM(D, "other_bytes", mem_other), NUM(D, "host_peak_rss_bytes", host_peak_rss),
};
#undef D

#define N struct prof_node
static const struct field node_names[] = { STR(N, "name", name), STR(N, "op", op) };
static const struct field node_figures[] = {
	STR(N, "shape", shape), STR(N, "key", key), STR(N, "impl", impl), NUM(N, "time_s", time_s), NUM(N, "start_s", start_s),
	NUM(N, "host_s", host_s), NUM(N, "flops", flops), NUM(N, "bytes", bytes),
	INT(N, "track", track),
};
#undef N

#define P struct prof_doc
static const struct field doc_clx[] = {
	STR(P, "version", clx_version), STR(P, "git_revision", git_revision),
};
static const struct field doc_host[] = {
	STR(P, "name", host), STR(P, "os", os), STR(P, "cpu", cpu), INT(P, "cores", cores),
};
static const struct field doc_model[] = {
	STR(P, "path", model_path), STR(P, "config_hash", config_hash),
	NUM(P, "weights_file_bytes", weights_file_bytes), I64(P, "parameters", n_params),
};
static const struct field doc_shape[] = {
	I64(P, "batch", B), I64(P, "frames", T), I64(P, "prompts", K), I64(P, "tokens", L),
	I64(P, "image_size", image_size),
};
static const struct field doc_settings[] = { INT(P, "runs", runs), INT(P, "warmup", warmup) };
#undef P
#undef STR
#undef NUM
#undef INT
#undef I64

static void put_fields(cJSON *o, const void *base, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = (const char *)base + f[i].off, *k = f[i].key;
		switch (f[i].kind) {
		case FIELD_STR: add_str(o, k, p); break;
		case FIELD_NUM: add_num(o, k, *(const double *)p); break;
		case FIELD_INT: cJSON_AddNumberToObject(o, k, *(const int *)p); break;
		case FIELD_I64: cJSON_AddNumberToObject(o, k, (double)*(const int64_t *)p); break;
		}
	}
}

static void put_array(cJSON *o, const char *k, const double *v, int n)
{
	cJSON *a = cJSON_AddArrayToObject(o, k);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
}

cJSON *prof_device_to_json(const struct prof_device *d)
{
	cJSON *o = cJSON_CreateObject();
	put_fields(o, d, F(dev_ident));
	cJSON_AddBoolToObject(o, "ok", d->ok);
	if (d->error[0])
		add_str(o, "error", d->error);
	else
		cJSON_AddNullToObject(o, "error");

	put_fields(cJSON_AddObjectToObject(o, "shape"), d, F(dev_shape));

	cJSON *st = cJSON_AddObjectToObject(o, "start");
	put_fields(st, d, F(dev_start));
	if (d->program_from_cache < 0)
		cJSON_AddNullToObject(st, "program_from_cache");
	else
		cJSON_AddBoolToObject(st, "program_from_cache", d->program_from_cache);

	cJSON *lat = cJSON_AddObjectToObject(o, "latency");
	put_array(lat, "runs_s", d->runs_s, d->n_runs);
	put_fields(lat, d, F(dev_latency));
	add_num(o, "throughput_videos_per_s", d->throughput);

	cJSON *tm = cJSON_AddObjectToObject(o, "time");
	put_fields(tm, d, F(dev_time));
	if (d->timing_note[0])
		add_str(tm, "node_timing_note", d->timing_note);
	else
		cJSON_AddNullToObject(tm, "node_timing_note");
	cJSON *tracks = cJSON_AddArrayToObject(tm, "tracks");
	for (int i = 0; i < d->n_tracks; i++)
		cJSON_AddItemToArray(tracks, cJSON_CreateString(d->tracks[i]));
	cJSON *bc = cJSON_AddObjectToObject(tm, "by_class");
	for (int c = 0; c < CLX_OPCLASS_COUNT; c++) {
		cJSON *e = cJSON_AddObjectToObject(bc, clx_op_class_name((enum clx_op_class)c));
		add_num(e, "time_s", isfinite(d->node_sum_s) ? d->class_s[c] : NAN);
		add_num(e, "flops", d->class_flops[c]);
		add_num(e, "bytes", d->class_bytes[c]);
	}

	cJSON *wk = cJSON_AddObjectToObject(o, "work");
	put_fields(wk, d, F(dev_work));
	add_num(wk, "achieved_gflops", prof_ratio(d->flops, d->node_sum_s) * 1e-9);

	put_fields(cJSON_AddObjectToObject(o, "peak"), d, F(dev_peak));
	put_fields(cJSON_AddObjectToObject(o, "memory"), d, F(dev_memory));

	cJSON *ag = cJSON_AddObjectToObject(o, "agreement");
	add_str(ag, "reference", "cpu");
	add_num(ag, "max_abs_logits_diff", d->max_abs_diff);
	put_array(ag, "logits_per_video", d->logits, d->n_logits);

	cJSON *nodes = cJSON_AddArrayToObject(o, "nodes");
	for (int i = 0; i < d->n_nodes; i++) {
		const struct prof_node *n = &d->nodes[i];
		cJSON *e = cJSON_CreateObject();
		put_fields(e, n, F(node_names));
		add_str(e, "class", clx_op_class_name((enum clx_op_class)n->cls));
		put_fields(e, n, F(node_figures));
		const double gf = prof_ratio(n->flops, n->time_s) * 1e-9, gb = prof_ratio(n->bytes, n->time_s) * 1e-9;
		add_num(e, "gflops", gf);
		add_num(e, "gbps", gb);
		add_num(e, "flops_peak_fraction", prof_ratio(gf, d->peak_gflops));
		add_num(e, "bw_peak_fraction", prof_ratio(gb, d->peak_gbps));
		add_num(e, "roofline_fraction", n->flops > 0 ? prof_ratio(gf, prof_roof(d, prof_ratio(n->flops, n->bytes))) : NAN);
		cJSON_AddItemToArray(nodes, e);
	}
	return o;
}

/* ------------------------------------------------------------- JSON: in */

static double get_num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void get_str(const cJSON *o, const char *k, char *buf, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	snprintf(buf, cap, "%s", cJSON_IsString(v) && v->valuestring ? v->valuestring : "");
}

static const cJSON *get_obj(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int64_t get_i64(const cJSON *o, const char *k)
{
	double v = get_num(o, k);
	return isfinite(v) ? (int64_t)v : 0;
}

static int class_of_name(const char *s)
{
	for (int c = 0; c < CLX_OPCLASS_COUNT; c++)
		if (strcmp(s, clx_op_class_name((enum clx_op_class)c)) == 0)
			return c;
	return CLX_OPCLASS_MOVEMENT;
}

static void get_fields(const cJSON *o, void *base, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *p = (char *)base + f[i].off;
		const char *k = f[i].key;
		switch (f[i].kind) {
		case FIELD_STR: get_str(o, k, p, f[i].cap); break;
		case FIELD_NUM: *(double *)p = get_num(o, k); break;
		case FIELD_INT: *(int *)p = (int)get_i64(o, k); break;
		case FIELD_I64: *(int64_t *)p = get_i64(o, k); break;
		}
	}
}

/* A number array into a new clx_calloc'ed *v of *n; absent, empty or out of
 * memory: nothing. */
static void get_array(const cJSON *o, const char *k, double **v, int *n)
{
	const cJSON *a = get_obj(o, k);
	const int len = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
	if (len > 0 && (*v = clx_calloc((size_t)len, sizeof **v))) {
		*n = len;
		for (int i = 0; i < len; i++)
			(*v)[i] = cJSON_GetArrayItem(a, i)->valuedouble;
	}
}

bool prof_device_from_json(const cJSON *o, struct prof_device *d)
{
	memset(d, 0, sizeof *d);
	if (!cJSON_IsObject(o))
		return false;
	get_fields(o, d, F(dev_ident));
	get_str(o, "error", d->error, sizeof d->error);
	d->ok = cJSON_IsTrue(get_obj(o, "ok"));

	get_fields(get_obj(o, "shape"), d, F(dev_shape));

	const cJSON *st = get_obj(o, "start");
	get_fields(st, d, F(dev_start));
	const cJSON *pc = get_obj(st, "program_from_cache");
	d->program_from_cache = cJSON_IsBool(pc) ? cJSON_IsTrue(pc) : -1;

	const cJSON *lat = get_obj(o, "latency");
	get_fields(lat, d, F(dev_latency));
	get_array(lat, "runs_s", &d->runs_s, &d->n_runs);
	d->throughput = get_num(o, "throughput_videos_per_s");

	const cJSON *tm = get_obj(o, "time");
	get_fields(tm, d, F(dev_time));
	get_str(tm, "node_timing_note", d->timing_note, sizeof d->timing_note);
	const cJSON *tracks = cJSON_GetObjectItemCaseSensitive(tm, "tracks");
	d->n_tracks = 0;
	for (const cJSON *t = cJSON_IsArray(tracks) ? tracks->child : NULL; t && d->n_tracks < 4; t = t->next)
		if (cJSON_IsString(t))
			snprintf(d->tracks[d->n_tracks++], sizeof d->tracks[0], "%s", t->valuestring);
	const cJSON *bc = get_obj(tm, "by_class");
	for (int c = 0; c < CLX_OPCLASS_COUNT; c++) {
		const cJSON *e = get_obj(bc, clx_op_class_name((enum clx_op_class)c));
		d->class_s[c] = get_num(e, "time_s");
		d->class_flops[c] = get_num(e, "flops");
		d->class_bytes[c] = get_num(e, "bytes");
	}

	get_fields(get_obj(o, "work"), d, F(dev_work));
	get_fields(get_obj(o, "peak"), d, F(dev_peak));
	get_fields(get_obj(o, "memory"), d, F(dev_memory));

	const cJSON *ag = get_obj(o, "agreement");
	d->max_abs_diff = get_num(ag, "max_abs_logits_diff");
	get_array(ag, "logits_per_video", &d->logits, &d->n_logits);

	const cJSON *nodes = get_obj(o, "nodes");
	const int nn = cJSON_IsArray(nodes) ? cJSON_GetArraySize(nodes) : 0;
	if (nn > 0 && (d->nodes = clx_calloc((size_t)nn, sizeof *d->nodes))) {
		d->n_nodes = nn;
		for (int i = 0; i < nn; i++) {
			const cJSON *e = cJSON_GetArrayItem(nodes, i);
			struct prof_node *n = &d->nodes[i];
			char cls[32];
			get_fields(e, n, F(node_names));
			get_str(e, "class", cls, sizeof cls);
			n->cls = class_of_name(cls);
			get_fields(e, n, F(node_figures));
		}
	}
	return true;
}

static cJSON *doc_to_json(const struct prof_doc *doc)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "schema", PROF_SCHEMA);
	put_fields(cJSON_AddObjectToObject(o, "clx"), doc, F(doc_clx));
	add_str(o, "created", doc->created);
	put_fields(cJSON_AddObjectToObject(o, "host"), doc, F(doc_host));
	put_fields(cJSON_AddObjectToObject(o, "model"), doc, F(doc_model));
	put_fields(cJSON_AddObjectToObject(o, "shape"), doc, F(doc_shape));
	put_fields(cJSON_AddObjectToObject(o, "settings"), doc, F(doc_settings));
	cJSON *devs = cJSON_AddArrayToObject(o, "devices");
	for (int i = 0; i < doc->n_devices; i++)
		cJSON_AddItemToArray(devs, prof_device_to_json(&doc->devices[i]));
	return o;
}

/* path, or stdout for "-"; NULL with the reason in err. */
static FILE *out_open(const char *path, char *err, size_t cap)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	if (!f)
		snprintf(err, cap, "%s: cannot write", path);
	return f;
}

/* Closes what out_open opened (stdout stays open); false with the reason
 * in err when writing failed. */
static bool out_close(FILE *f, bool ok, const char *path, char *err, size_t cap)
{
	if (f != stdout)
		ok = fclose(f) == 0 && ok;
	if (!ok)
		snprintf(err, cap, "%s: write failed", path);
	return ok;
}

/* The text of o (deleted here), indented or on one line, then a newline. */
static bool write_json(const char *path, cJSON *o, bool indent, char *err, size_t cap)
{
	char *text = indent ? cJSON_Print(o) : cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text) {
		snprintf(err, cap, "%s: out of memory", path);
		return false;
	}
	FILE *f = out_open(path, err, cap);
	bool ok = f && out_close(f, fputs(text, f) >= 0 && fputc('\n', f) != EOF, path, err, cap);
	cJSON_free(text);
	return ok;
}

bool prof_doc_write_json(const struct prof_doc *doc, const char *path, char *err, size_t cap)
{
	return write_json(path, doc_to_json(doc), true, err, cap);
}

static char *slurp(const char *path, char *err, size_t cap)
{
	struct clx_ctx *ctx = clx_ctx_create();
	char *text = NULL;
	size_t n;
	if (!ctx || clx_file_read(ctx, path, 256u << 20, &text, &n) != CLX_OK)
		snprintf(err, cap, "%s", ctx ? clx_last_error(ctx) : "out of memory");
	clx_ctx_free(ctx);
	return text;
}

bool prof_doc_read_json(const char *path, struct prof_doc *doc, char *err, size_t cap)
{
	memset(doc, 0, sizeof *doc);
	char *text = slurp(path, err, cap);
	if (!text)
		return false;
	cJSON *o = cJSON_Parse(text);
	clx_free(text);
	const cJSON *schema = get_obj(o, "schema");
	if (!cJSON_IsObject(o) || !cJSON_IsString(schema) ||
	    strncmp(schema->valuestring, "clx-profile/", 12) != 0) {
		snprintf(err, cap, "%s: not a clx-profile JSON document (no \"schema\": \"%s\")", path,
			 PROF_SCHEMA);
		cJSON_Delete(o);
		return false;
	}
	get_fields(get_obj(o, "clx"), doc, F(doc_clx));
	get_str(o, "created", doc->created, sizeof doc->created);
	get_fields(get_obj(o, "host"), doc, F(doc_host));
	get_fields(get_obj(o, "model"), doc, F(doc_model));
	get_fields(get_obj(o, "shape"), doc, F(doc_shape));
	get_fields(get_obj(o, "settings"), doc, F(doc_settings));
	const cJSON *devs = get_obj(o, "devices");
	const int n = cJSON_IsArray(devs) ? cJSON_GetArraySize(devs) : 0;
	doc->devices = clx_calloc((size_t)n + 1, sizeof *doc->devices);
	if (!doc->devices) {
		snprintf(err, cap, "%s: out of memory", path);
		cJSON_Delete(o);
		return false;
	}
	for (int i = 0; i < n; i++) {
		struct prof_device *d = &doc->devices[doc->n_devices];
		if (prof_device_from_json(cJSON_GetArrayItem(devs, i), d)) {
			snprintf(d->origin, sizeof d->origin, "%s", path);
			if (!d->host[0])
				snprintf(d->host, sizeof d->host, "%s", doc->host);
			doc->n_devices++;
		}
	}
	cJSON_Delete(o);
	return true;
}

/* ------------------------------------------------------------------ CSV */

/* A CSV field: quoted when it holds a comma, quote or newline. */
static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.9g", v);
	else
		fputc(',', f);
}

bool prof_doc_write_csv(const struct prof_doc *doc, const char *path, char *err, size_t cap)
{
	FILE *f = out_open(path, err, cap);
	if (!f)
		return false;
	fputs("device,device_name,index,node,op,class,shape,time_s,flops,bytes,gflops,gbps,"
	      "flops_peak_fraction,bw_peak_fraction,impl\n",
	      f);
	for (int i = 0; i < doc->n_devices; i++) {
		const struct prof_device *d = &doc->devices[i];
		for (int k = 0; k < d->n_nodes; k++) {
			const struct prof_node *n = &d->nodes[k];
			const double gf = prof_ratio(n->flops, n->time_s) * 1e-9;
			const double gb = prof_ratio(n->bytes, n->time_s) * 1e-9;
			csv_str(f, d->id);
			fputc(',', f);
			csv_str(f, d->name);
			fprintf(f, ",%d,", k);
			csv_str(f, n->name);
			fputc(',', f);
			csv_str(f, n->op);
			fputc(',', f);
			csv_str(f, clx_op_class_name((enum clx_op_class)n->cls));
			fputc(',', f);
			csv_str(f, n->shape);
			csv_num(f, n->time_s);
			csv_num(f, n->flops);
			csv_num(f, n->bytes);
			csv_num(f, gf);
			csv_num(f, gb);
			csv_num(f, prof_ratio(gf, d->peak_gflops));
			csv_num(f, prof_ratio(gb, d->peak_gbps));
			fputc(',', f);
			csv_str(f, n->impl);
			fputc('\n', f);
		}
	}
	return out_close(f, !ferror(f), path, err, cap);
}

/* ---------------------------------------------------------------- trace */

static cJSON *trace_event(const char *name, const char *cat, int pid, int tid, double ts_s,
			  double dur_s)
{
	cJSON *e = cJSON_CreateObject();
	add_str(e, "name", name);
	add_str(e, "cat", cat);
	add_str(e, "ph", "X");
	cJSON_AddNumberToObject(e, "pid", pid);
	cJSON_AddNumberToObject(e, "tid", tid);
	cJSON_AddNumberToObject(e, "ts", ts_s * 1e6);
	cJSON_AddNumberToObject(e, "dur", dur_s > 0 ? dur_s * 1e6 : 0);
	return e;
}

static void trace_meta(cJSON *evs, const char *what, int pid, int tid, const char *name)
{
	cJSON *e = cJSON_CreateObject();
	add_str(e, "name", what);
	add_str(e, "ph", "M");
	cJSON_AddNumberToObject(e, "pid", pid);
	cJSON_AddNumberToObject(e, "tid", tid);
	cJSON *a = cJSON_AddObjectToObject(e, "args");
	add_str(a, "name", name);
	cJSON_AddItemToArray(evs, e);
}

/* One process per device: host phases laid end to end on thread 1, the
 * profiled run's nodes on thread 2 (device) and, for asynchronous
 * backends, the host's dispatch of each node on thread 3. */
bool prof_doc_write_trace(const struct prof_doc *doc, const char *path, char *err, size_t cap)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *evs = cJSON_AddArrayToObject(o, "traceEvents");
	add_str(o, "displayTimeUnit", "ms");
	for (int i = 0; i < doc->n_devices; i++) {
		const struct prof_device *d = &doc->devices[i];
		const int pid = i + 1;
		char label[400];
		snprintf(label, sizeof label, "%s %s", d->id, d->name);
		trace_meta(evs, "process_name", pid, 0, label);
		trace_meta(evs, "thread_name", pid, 1, "host phases");
		if (d->n_tracks > 1)
			for (int k = 0; k < d->n_tracks; k++) {
				char tn[128];
				snprintf(tn, sizeof tn, "device %s: its nodes of the profiled run", d->tracks[k]);
				trace_meta(evs, "thread_name", pid, 10 + k, tn);
			}
		else
			trace_meta(evs, "thread_name", pid, 2, "device: nodes of the profiled run");
		const bool async = strcmp(d->backend, "opencl") == 0;
		if (async)
			trace_meta(evs, "thread_name", pid, 3, "host: node dispatch");
		double t = 0;
		struct {
			const char *name;
			double s;
		} phases[] = {
			{ "cold start (separate process, empty program cache)", d->cold_s },
			{ "model load", d->model_load_s },
			{ "warm start (backend + session)", d->warm_s },
			{ "first run", d->first_result_s - d->warm_s },
		};
		for (size_t p = 0; p < sizeof phases / sizeof phases[0]; p++)
			if (isfinite(phases[p].s)) {
				cJSON_AddItemToArray(evs, trace_event(phases[p].name, "phase", pid, 1, t, phases[p].s));
				t += phases[p].s;
			}
		for (int r = 0; r < d->n_runs; r++) {
			char name[48];
			snprintf(name, sizeof name, "run %d", r + 1);
			cJSON_AddItemToArray(evs, trace_event(name, "run", pid, 1, t, d->runs_s[r]));
			t += d->runs_s[r];
		}
		if (isfinite(d->wall_s)) {
			cJSON_AddItemToArray(evs, trace_event("profiled run", "run", pid, 1, t, d->wall_s));
			double prev_host = 0;
			for (int k = 0; k < d->n_nodes; k++) {
				const struct prof_node *n = &d->nodes[k];
				if (isfinite(n->time_s) && isfinite(n->start_s)) {
					const int tid = d->n_tracks > 1 ? 10 + n->track : 2;
					cJSON *e = trace_event(n->name, clx_op_class_name((enum clx_op_class)n->cls),
							       pid, tid, t + n->start_s, n->time_s);
					cJSON *a = cJSON_AddObjectToObject(e, "args");
					add_str(a, "op", n->op);
					add_str(a, "shape", n->shape);
					add_str(a, "impl", n->impl);
					add_num(a, "flops", n->flops);
					add_num(a, "bytes", n->bytes);
					add_num(a, "gflops", prof_ratio(n->flops, n->time_s) * 1e-9);
					cJSON_AddItemToArray(evs, e);
				}
				if (async && isfinite(n->host_s)) {
					cJSON_AddItemToArray(evs, trace_event(n->name, "dispatch", pid, 3,
									      t + prev_host, n->host_s - prev_host));
					prev_host = n->host_s;
				}
			}
		}
	}
	return write_json(path, o, false, err, cap);
}
