/* test_profile.c — clx-profile end to end on the tiny fixture: runs the
 * program on the CPU reference and, when this clx has the OpenCL backend
 * and PoCL is installed, on PoCL, then checks what it wrote:
 *
 *   JSON   every schema field of docs/PROFILE.md, parsed with cJSON; the
 *          per-node device times sum to within 10% of the measured device
 *          total; the FLOPs equal the hand count (profile_hand.h); the
 *          logits agree with the CPU reference;
 *   CSV    a header and one row per node per device, same field count;
 *   HTML   well-formed (tags balance) and self-contained (no "http", no
 *          scripts, no external resources);
 *   trace  Chrome trace JSON with events;
 *   --compare of the JSON with itself, `clx profile`, and bad usage (2).
 * No timing assertions beyond the 10% consistency.
 *
 * Usage: test_profile CLX_PROFILE CLX TINY_MODEL_DIR */
#include "check.h"
#include "test_files.h"
#include "profile_hand.h"

#include "clx/backend.h"
#include "clx/xclip.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[256];

/* -------------------------------------------------------------- helpers */

/* Runs a shell command, returns its exit status. */
static int run(const char *cmd)
{
	printf("$ %s\n", cmd);
	fflush(stdout);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const cJSON *obj(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = obj(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* the JSON document at path, or NULL when it is missing or does not parse */
static cJSON *read_json(const char *path)
{
	char *text = test_read_file(path, NULL);
	cJSON *o = text ? cJSON_Parse(text) : NULL;
	free(text);
	return o;
}

static bool is_str(const cJSON *o, const char *k)
{
	return cJSON_IsString(obj(o, k));
}

/* ------------------------------------------------------------------ JSON */

static const char *const classes[] = { "gemm", "attention", "layer_norm", "elementwise",
				       "data_movement" };

static void check_device(const cJSON *d, double hand_flops, const char *want_id)
{
	const char *id = is_str(d, "id") ? obj(d, "id")->valuestring : "?";
	printf("device %s\n", id);
	CHECK(strcmp(id, want_id) == 0, "device id %s, expected %s", id, want_id);
	const char *strs[] = { "backend", "name", "vendor", "type", "platform", "platform_version",
			       "device_version", "driver_version", "host" };
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		CHECK(is_str(d, strs[i]), "%s: string field %s", id, strs[i]);
	CHECK(cJSON_IsTrue(obj(d, "ok")), "%s ok (error: %s)", id,
	      is_str(d, "error") ? obj(d, "error")->valuestring : "null");
	CHECK(cJSON_IsNull(obj(d, "error")), "%s: error is null", id);
	CHECK(num(d, "compute_units") >= 1, "%s compute_units", id);
	const cJSON *sh = obj(d, "shape");
	CHECK(num(sh, "batch") == 1 && num(sh, "frames") == 8 && num(sh, "prompts") == 3 &&
		      num(sh, "tokens") == 7,
	      "%s shape", id);

	const cJSON *st = obj(d, "start");
	CHECK(num(st, "model_load_s") > 0 && num(st, "cold_s") > 0 && num(st, "warm_s") > 0 &&
		      num(st, "first_result_s") > num(st, "warm_s"),
	      "%s start figures", id);
	if (strcmp(obj(d, "backend")->valuestring, "opencl") == 0)
		CHECK(cJSON_IsTrue(obj(st, "program_from_cache")),
		      "%s: the warm start loads the program binary from the cache", id);

	const cJSON *lat = obj(d, "latency");
	const cJSON *runs = obj(lat, "runs_s");
	CHECK(cJSON_IsArray(runs) && cJSON_GetArraySize(runs) == 2, "%s: 2 runs", id);
	CHECK(num(lat, "min_s") > 0 && num(lat, "min_s") <= num(lat, "median_s") &&
		      num(lat, "median_s") <= num(lat, "max_s"),
	      "%s latency min <= median <= max", id);
	CHECK(num(d, "throughput_videos_per_s") > 0, "%s throughput", id);

	const cJSON *tm = obj(d, "time");
	const double dev = num(tm, "device_s"), sum = num(tm, "node_sum_s"), wall = num(tm, "wall_s");
	printf("  %s: profiled wall %.6f s, measured device total %.6f s, sum of nodes %.6f s (%.1f%%)\n",
	       id, wall, dev, sum, 100.0 * sum / dev);
	CHECK(dev > 0 && sum > 0 && wall > 0, "%s: time figures present", id);
	CHECK(fabs(sum - dev) <= 0.10 * dev, "%s: per-node times sum to %.6f s, within 10%% of the device "
					     "total %.6f s",
	      id, sum, dev);
	CHECK(fabs(num(tm, "host_overhead_s") - (wall - sum)) <= 1e-9 * wall, "%s host overhead = wall - nodes",
	      id);
	const cJSON *bc = obj(tm, "by_class");
	double class_sum = 0, class_flops = 0;
	for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++) {
		const cJSON *e = obj(bc, classes[c]);
		CHECK(num(e, "time_s") >= 0 && num(e, "flops") >= 0 && num(e, "bytes") >= 0, "%s class %s", id,
		      classes[c]);
		class_sum += num(e, "time_s");
		class_flops += num(e, "flops");
	}
	CHECK(fabs(class_sum - sum) <= 1e-9 * sum, "%s: classes add up to the node sum", id);

	const cJSON *wk = obj(d, "work");
	const double flops = num(wk, "flops");
	CHECK(fabs(class_flops - flops) <= 1e-9 * flops, "%s: class FLOPs add up", id);
	const double ga = num(obj(obj(tm, "by_class"), "gemm"), "flops") +
			  num(obj(obj(tm, "by_class"), "attention"), "flops");
	CHECK(fabs(ga - hand_flops) <= 1e-9 * hand_flops, "%s: GEMM + attention FLOPs %.0f = hand count %.0f",
	      id, ga, hand_flops);
	CHECK(num(wk, "bytes") > 0 && num(wk, "achieved_gflops") > 0, "%s work", id);

	const cJSON *pk = obj(d, "peak");
	CHECK(num(pk, "gflops") > 0 && num(pk, "gbps") > 0 && is_str(pk, "source"), "%s peak", id);
	const cJSON *mem = obj(d, "memory");
	CHECK(num(mem, "weights_bytes") >= 0 && num(mem, "activations_bytes") > 0 &&
		      num(mem, "other_bytes") >= 0 && num(mem, "host_peak_rss_bytes") > 0,
	      "%s memory", id);
	const cJSON *ag = obj(d, "agreement");
	CHECK(is_str(ag, "reference") && num(ag, "max_abs_logits_diff") <= 1e-3, "%s agrees with cpu: %g", id,
	      num(ag, "max_abs_logits_diff"));
	CHECK(cJSON_GetArraySize(obj(ag, "logits_per_video")) == 3, "%s logits (1, 3)", id);

	const cJSON *nodes = obj(d, "nodes");
	const int nn = cJSON_GetArraySize(nodes);
	CHECK(nn > 50, "%s: %d nodes", id, nn);
	double node_flops = 0, node_time = 0;
	bool fields = true;
	for (int i = 0; i < nn; i++) {
		const cJSON *n = cJSON_GetArrayItem(nodes, i);
		fields = fields && is_str(n, "name") && is_str(n, "op") && is_str(n, "class") &&
			 is_str(n, "shape") && num(n, "time_s") >= 0 && num(n, "flops") >= 0 &&
			 num(n, "bytes") > 0 && cJSON_IsNumber(obj(n, "start_s")) &&
			 cJSON_IsNumber(obj(n, "host_s")) && obj(n, "gflops") && obj(n, "gbps") &&
			 obj(n, "flops_peak_fraction") && obj(n, "bw_peak_fraction") &&
			 obj(n, "roofline_fraction") && is_str(n, "impl");
		node_flops += num(n, "flops");
		node_time += num(n, "time_s");
	}
	CHECK(fields, "%s: every node has its fields", id);
	CHECK(fabs(node_flops - flops) <= 1e-9 * flops, "%s: node FLOPs add up", id);
	CHECK(fabs(node_time - sum) <= 1e-9 * sum, "%s: node times add up", id);
}

/* Every node of device d says what it ran with: matmuls a GEMM starting
 * with `gemm`, attention and layer_norm nodes exactly kernel `attention` /
 * `layer_norm` ("": any), every other node something. */
static void check_impl(const cJSON *d, const char *gemm, const char *attention,
		       const char *layer_norm)
{
	const cJSON *nodes = obj(d, "nodes");
	int bad = 0, n_mm = 0, n_att = 0, n_ln = 0;
	const char *first_bad = "";
	for (int i = 0; i < cJSON_GetArraySize(nodes); i++) {
		const cJSON *n = cJSON_GetArrayItem(nodes, i);
		const char *op = obj(n, "op")->valuestring, *impl = obj(n, "impl")->valuestring;
		const char *want = strcmp(op, "matmul") == 0	   ? (n_mm++, gemm)
				   : strcmp(op, "attention") == 0  ? (n_att++, attention)
				   : strcmp(op, "layer_norm") == 0 ? (n_ln++, layer_norm)
								   : "";
		const bool ok = strcmp(op, "matmul") == 0 ? strncmp(impl, want, strlen(want)) == 0
							  : want[0] ? strcmp(impl, want) == 0 : impl[0] != '\0';
		if (!ok) {
			if (!bad++)
				first_bad = obj(n, "name")->valuestring;
		}
	}
	CHECK(n_mm > 0 && n_att > 0 && n_ln > 0 && bad == 0,
	      "%s: %d matmuls ran '%s…', %d attentions '%s', %d layer norms '%s' (%d nodes otherwise, "
	      "first %s)",
	      obj(d, "id")->valuestring, n_mm, gemm, n_att, attention, n_ln, layer_norm, bad, first_bad);
}

static int check_json(const char *path, double hand_flops, const char *const *ids, int n_ids)
{
	cJSON *o = read_json(path);
	CHECK(o != NULL, "%s parses as JSON", path);
	if (!o)
		return 0;
	CHECK(is_str(o, "schema") && strcmp(obj(o, "schema")->valuestring, "clx-profile/1") == 0, "schema");
	const cJSON *clx = obj(o, "clx");
	CHECK(is_str(clx, "version") && is_str(clx, "git_revision") &&
		      strlen(obj(clx, "git_revision")->valuestring) > 0,
	      "clx version and git revision");
	CHECK(is_str(o, "created"), "created");
	const cJSON *h = obj(o, "host");
	CHECK(is_str(h, "name") && is_str(h, "os") && is_str(h, "cpu") && num(h, "cores") >= 1, "host");
	const cJSON *m = obj(o, "model");
	CHECK(is_str(m, "path") && is_str(m, "config_hash") && strlen(obj(m, "config_hash")->valuestring) == 16 &&
		      num(m, "weights_file_bytes") > 0 && num(m, "parameters") > 0,
	      "model");
	const cJSON *sh = obj(o, "shape");
	CHECK(num(sh, "batch") == 1 && num(sh, "frames") == 8 && num(sh, "prompts") == 3 &&
		      num(sh, "tokens") == 7 && num(sh, "image_size") == 30,
	      "shape");
	CHECK(num(obj(o, "settings"), "runs") == 2 && num(obj(o, "settings"), "warmup") == 1, "settings");
	const cJSON *devs = obj(o, "devices");
	const int nd = cJSON_GetArraySize(devs);
	CHECK(nd == n_ids, "%d devices, expected %d", nd, n_ids);
	int nodes = 0;
	for (int i = 0; i < nd && i < n_ids; i++) {
		check_device(cJSON_GetArrayItem(devs, i), hand_flops, ids[i]);
		/* PoCL is a CPU-class device: own GEMMs (the row kernels only
		 * where a row's length fits their vector width) */
		if (strcmp(ids[i], "cpu") != 0)
			check_impl(cJSON_GetArrayItem(devs, i), "own ", "", "");
		nodes += cJSON_GetArraySize(obj(cJSON_GetArrayItem(devs, i), "nodes"));
	}
	cJSON_Delete(o);
	return nodes;
}

/* ------------------------------------------------------------------- CSV */

/* Fields of one CSV line (quotes honoured); -1 at the end of input. */
static int csv_fields(const char **p, char *first, size_t cap)
{
	const char *s = *p;
	if (!*s)
		return -1;
	int n = 1;
	bool quoted = false;
	size_t fl = 0;
	for (; *s && (quoted || *s != '\n'); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == ',' && !quoted)
			n++;
		else if (n == 1 && fl + 1 < cap)
			first[fl++] = *s;
	}
	first[fl] = '\0';
	*p = *s ? s + 1 : s;
	return n;
}

static void check_csv(const char *path, int want_rows, const char *const *ids, int n_ids)
{
	char *text = test_read_file(path, NULL);
	CHECK(text != NULL, "%s exists", path);
	if (!text)
		return;
	const char *p = text;
	char first[128];
	const int cols = csv_fields(&p, first, sizeof first);
	CHECK(cols == 15 && strcmp(first, "device") == 0, "CSV header: %d columns, first '%s'", cols, first);
	int rows = 0, bad = 0, n;
	while ((n = csv_fields(&p, first, sizeof first)) > 0) {
		rows++;
		bool known = false;
		for (int i = 0; i < n_ids; i++)
			known = known || strcmp(first, ids[i]) == 0;
		if (n != cols || !known)
			bad++;
	}
	printf("CSV: %d rows of %d columns\n", rows, cols);
	CHECK(rows == want_rows, "CSV has one row per node per device: %d, expected %d", rows, want_rows);
	CHECK(bad == 0, "CSV: %d rows with a wrong field count or device", bad);
	free(text);
}

/* ------------------------------------------------------------------ HTML */

static bool is_void(const char *tag)
{
	static const char *const v[] = { "meta", "br", "hr", "img", "link", "input", NULL };
	for (int i = 0; v[i]; i++)
		if (strcmp(tag, v[i]) == 0)
			return true;
	return false;
}

static void check_html(const char *path)
{
	char *text = test_read_file(path, NULL);
	CHECK(text != NULL, "%s exists", path);
	if (!text)
		return;
	CHECK(strncmp(text, "<!DOCTYPE html>", 15) == 0, "HTML starts with the doctype");
	/* self-contained: nothing fetched from anywhere */
	char *lower = strdup(text);
	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	CHECK(!strstr(lower, "http"), "HTML has no http reference");
	CHECK(!strstr(lower, "<script") && !strstr(lower, " src=") && !strstr(lower, "href=") &&
		      !strstr(lower, "url(") && !strstr(lower, "@import"),
	      "HTML loads no external resource");
	CHECK(strstr(lower, "<svg") != NULL, "HTML has inline SVG");
	free(lower);
	/* well-formed: every element closed in order */
	char stack[256][16];
	int depth = 0, n_tags = 0;
	bool ok = true;
	for (const char *s = text; (s = strchr(s, '<')) && ok; s++) {
		if (s[1] == '!')
			continue;
		const bool closing = s[1] == '/';
		const char *name = s + 1 + closing;
		size_t len = 0;
		while (isalnum((unsigned char)name[len]))
			len++;
		const char *end = strchr(name, '>');
		if (len == 0 || len >= 16 || !end) {
			fprintf(stderr, "bad tag at offset %ld\n", (long)(s - text));
			ok = false;
			break;
		}
		char tag[16];
		memcpy(tag, name, len);
		tag[len] = '\0';
		n_tags++;
		if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], tag) != 0) {
				fprintf(stderr, "</%s> closes <%s>\n", tag, depth ? stack[depth - 1] : "nothing");
				ok = false;
			}
			depth--;
		} else if (end[-1] != '/' && !is_void(tag)) {
			if (depth == 256) {
				ok = false;
				break;
			}
			snprintf(stack[depth++], sizeof stack[0], "%s", tag);
		}
	}
	printf("HTML: %d tags, depth at the end %d\n", n_tags, depth);
	CHECK(ok && depth == 0, "HTML is well-formed");
	CHECK(strstr(text, "</html>") != NULL, "HTML ends");
	free(text);
}

/* ----------------------------------------------------------------- trace */

static void check_trace(const char *path)
{
	cJSON *o = read_json(path);
	const cJSON *evs = obj(o, "traceEvents");
	int x = 0, bad = 0;
	for (int i = 0; i < cJSON_GetArraySize(evs); i++) {
		const cJSON *e = cJSON_GetArrayItem(evs, i);
		if (!is_str(e, "ph") || !cJSON_IsNumber(obj(e, "pid")) || !is_str(e, "name"))
			bad++;
		else if (strcmp(obj(e, "ph")->valuestring, "X") == 0) {
			x++;
			if (!(num(e, "ts") >= 0) || !(num(e, "dur") >= 0))
				bad++;
		}
	}
	printf("trace: %d complete events\n", x);
	CHECK(o && x > 100 && bad == 0, "Chrome trace: %d events, %d malformed", x, bad);
	cJSON_Delete(o);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s CLX_PROFILE CLX TINY_MODEL_DIR\n", argv[0]);
		return 2;
	}
	const char *exe = argv[1], *clx = argv[2], *model = argv[3];
	snprintf(tmp, sizeof tmp, "/tmp/clx-test-profile.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	char cache[300];
	snprintf(cache, sizeof cache, "%s/cache", tmp);
	setenv("CLX_CACHE_DIR", cache, 1); /* peak cache: keep the user's out of tests */

	/* the devices: the CPU reference, and PoCL when present */
	const char *ids[2] = { "cpu", NULL };
	int n_ids = 1;
	char pocl[64] = "";
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_device_list devs = { 0 };
	if (clx_backend_list(ctx, &devs) == CLX_OK)
		for (int i = 0; i < devs.n; i++)
			if (strstr(devs.devs[i].platform_name, "Portable Computing Language")) {
				snprintf(pocl, sizeof pocl, "%s", devs.devs[i].id);
				break;
			}
	clx_device_list_release(&devs);
	clx_ctx_free(ctx);
	if (pocl[0])
		ids[n_ids++] = pocl;
	else
		printf("note: no PoCL device (or no OpenCL backend): the CPU reference only\n");
	char devices[128];
	snprintf(devices, sizeof devices, "cpu%s%s", pocl[0] ? "," : "", pocl);

	/* the hand count for the tiny config at B=1, K=3, L=7 */
	char cfg_path[4200];
	snprintf(cfg_path, sizeof cfg_path, "%s/config.json", model);
	struct clx_model_config cfg;
	struct clx_ctx *c2 = clx_ctx_create();
	CHECK(clx_config_load(c2, cfg_path, &cfg) == CLX_OK, "tiny config: %s", clx_last_error(c2));
	clx_ctx_free(c2);
	const struct hand h = hand_count(&cfg, 1, 3, 7);
	/* the profiled sessions fuse matmul epilogues: their FLOPs count as GEMM */
	const double hand_flops = hand_total(&h) + hand_fused_epilogues(&cfg, 1, 3, 7);

	char cmd[8192];
	snprintf(cmd, sizeof cmd,
		 "'%s' --model '%s' --device %s --runs 2 --top 5 --json %s/p.json --csv %s/p.csv "
		 "--html %s/p.html --trace %s/p.trace.json --quiet",
		 exe, model, devices, tmp, tmp, tmp, tmp);
	CHECK(run(cmd) == 0, "clx-profile exits 0");
	char path[400];
	snprintf(path, sizeof path, "%s/p.json", tmp);
	const int rows = check_json(path, hand_flops, ids, n_ids);
	snprintf(path, sizeof path, "%s/p.csv", tmp);
	check_csv(path, rows, ids, n_ids);
	snprintf(path, sizeof path, "%s/p.html", tmp);
	check_html(path);
	snprintf(path, sizeof path, "%s/p.trace.json", tmp);
	check_trace(path);

	/* --compare merges documents: the same one twice gives twice the devices */
	snprintf(cmd, sizeof cmd, "'%s' --compare %s/p.json %s/p.json --json %s/c.json --html %s/c.html >/dev/null",
		 exe, tmp, tmp, tmp, tmp);
	CHECK(run(cmd) == 0, "--compare exits 0");
	snprintf(path, sizeof path, "%s/c.json", tmp);
	cJSON *o = read_json(path);
	CHECK(cJSON_GetArraySize(obj(o, "devices")) == 2 * n_ids, "--compare: %d devices",
	      cJSON_GetArraySize(obj(o, "devices")));
	cJSON_Delete(o);
	snprintf(path, sizeof path, "%s/c.html", tmp);
	check_html(path);

	/* forced implementations show as what ran */
	if (pocl[0]) {
		snprintf(cmd, sizeof cmd,
			 "CLX_GEMM=clblast CLX_ROW_KERNELS=off '%s' --model '%s' --device %s --runs 1 "
			 "--no-peak --quiet --json %s/f.json >/dev/null",
			 exe, model, pocl, tmp);
		CHECK(run(cmd) == 0, "clx-profile with CLX_GEMM=clblast exits 0");
		snprintf(path, sizeof path, "%s/f.json", tmp);
		o = read_json(path);
		const cJSON *f0 = cJSON_GetArrayItem(obj(o, "devices"), 0);
		CHECK(f0 && cJSON_IsTrue(obj(f0, "ok")), "forced run measured %s", pocl);
		if (f0) {
			check_impl(f0, "CLBlast ", "attention", "layer_norm");
		}
		cJSON_Delete(o);
	}

	/* `clx profile` is the same program (its workers re-run `clx profile`) */
	snprintf(cmd, sizeof cmd,
		 "'%s' profile --model '%s' --device cpu --runs 1 --no-peak --quiet --json %s/q.json >/dev/null",
		 clx, model, tmp);
	CHECK(run(cmd) == 0, "clx profile exits 0");
	snprintf(path, sizeof path, "%s/q.json", tmp);
	o = read_json(path);
	const cJSON *d0 = cJSON_GetArrayItem(obj(o, "devices"), 0);
	CHECK(d0 && cJSON_IsTrue(obj(d0, "ok")) && cJSON_GetArraySize(obj(d0, "nodes")) == rows / n_ids,
	      "clx profile measured the cpu");
	cJSON_Delete(o);

	/* bad usage and bad input exit 2 with a message */
	snprintf(cmd, sizeof cmd, "'%s' --model '%s' --frobnicate 2>/dev/null", exe, model);
	CHECK(run(cmd) == 2, "unknown option: exit 2");
	snprintf(cmd, sizeof cmd, "'%s' --model %s/no-such-model --device cpu 2>/dev/null", exe, tmp);
	CHECK(run(cmd) == 2, "missing model: exit 2");
	snprintf(cmd, sizeof cmd, "'%s' --model '%s' --runs 0 2>/dev/null", exe, model);
	CHECK(run(cmd) == 2, "--runs 0: exit 2");
	snprintf(cmd, sizeof cmd, "'%s' --compare %s/p.csv 2>/dev/null", exe, tmp);
	CHECK(run(cmd) == 2, "--compare of a non-document: exit 2");

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return check_summary();
}
