/* profile.c — the clx-profile program: options, device selection, one
 * worker process per device, agreement with the CPU reference, --compare,
 * and the outputs.
 *
 * Each device is measured by re-running this program as a worker
 * (`--worker SPEC`, hidden) twice: first with --cold-only and an empty
 * program cache in a temporary directory (the cold start), then normally
 * with that directory, now filled (the warm start in a fresh process, the
 * runs, the profiled run). A worker writes its device object as JSON to a
 * temporary file. Separate processes keep each device's host peak RSS its
 * own, make the cold start really cold and contain a crashing driver.
 *
 * Not here: the measurements (measure.c, peak.c) and the formats
 * (report.c, html.c). */
#include "profile.h"

#include "args.h"

#include "clx/backend.h"
#include "clx/limits.h"
#include "clx/model.h"
#include "clx/tune.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h> /* strncasecmp */
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLX_GIT_REVISION
#define CLX_GIT_REVISION "unknown"
#endif


static const char help[] =
	"usage: %1$s --model M [--device SPEC[,SPEC...]|all|all-cl] [--batch B] [--prompts K]\n"
	"          [--tokens L] [--runs N] [--warmup W] [--top N] [--json F] [--csv F]\n"
	"          [--html F] [--trace F] [--no-peak] [--quiet]\n"
	"       %1$s --compare A.json B.json ... [--json F] [--csv F] [--html F] [--trace F]\n"
	"\n"
	"Runs the same model on the same synthetic inputs on every selected device and\n"
	"reports start-up, warm latency, per-node and per-op-class device time, FLOPs,\n"
	"bytes and the fraction of each device's measured peak, memory, and agreement\n"
	"with the CPU reference (docs/PROFILE.md).\n"
	"  --model M     model directory or Hub id in the local Hugging Face cache\n"
	"  --device      cpu (reference), cl, cl:P:D, a device-name substring, auto, or\n"
	"                a comma-separated list of them (a placement vision=A,text=B is\n"
	"                one entry; SPEC@f16 stores the weights as half); all = every\n"
	"                OpenCL device plus cpu; all-cl = every OpenCL device only\n"
	"                (default: all). Mesa's rusticl lists devices only with\n"
	"                RUSTICL_ENABLE (e.g. llvmpipe)\n"
	"  --batch B     videos (X-CLIP) or images (CLIP) per forward (default 1)\n"
	"  --prompts K   prompts (default 3)\n"
	"  --tokens L    padded prompt length (default 7; real lengths L, L-3, L-1, ...)\n"
	"  --runs N      timed warm runs (default 5); --warmup W runs before (default 1)\n"
	"  --top N       most expensive nodes listed per device (default 10)\n"
	"  --json F      the whole document (F = - for stdout; the table then goes to stderr)\n"
	"  --csv F       one row per node per device\n"
	"  --html F      one self-contained page (inline SVG)\n"
	"  --trace F     Chrome trace JSON (chrome://tracing, ui.perfetto.dev)\n"
	"  --no-peak     skip the peak microbenchmarks (no roofline fractions)\n"
	"  --compare     merge earlier --json files (other machines, PyTorch) instead\n"
	"Exit status: 0 ok, 1 a device failed, 2 bad usage or input.\n";

/* ------------------------------------------------------------- options */

struct opts {
	const char *model, *device, *json, *csv, *html, *trace;
	int64_t B, K, L;
	int runs, warmup, top;
	bool no_peak, quiet;
	/* worker */
	const char *worker, *worker_out, *program_cache, *peak_cache;
	bool cold_only, reference_only;
	/* compare */
	const char *compare[64];    /* --compare: the files (positionals) */
	int n_compare;
};

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
	return cli_usage_error(cmd, "%s%s%s (see %s --help)", msg, arg ? " " : "", arg ? arg : "", cmd);
}

/* Returns -1 when parsed, else the exit status. */
static int parse(const char *cmd, int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .device = "all", .B = 1, .K = 3, .L = 7, .runs = 5, .warmup = 1, .top = 10 };
	struct cli_opt opts[] = {
		{ "model", true, NULL },   { "device", true, NULL },     { "json", true, NULL },
		{ "csv", true, NULL },     { "html", true, NULL },       { "trace", true, NULL },
		{ "batch", true, NULL },   { "prompts", true, NULL },    { "tokens", true, NULL },
		{ "runs", true, NULL },    { "warmup", true, NULL },     { "top", true, NULL },
		{ "no-peak", false, NULL }, { "quiet", false, NULL },    { "compare", false, NULL },
		{ "help", false, NULL },
		/* the worker's (hidden; profile.c runs itself) */
		{ "worker", true, NULL },  { "worker-out", true, NULL }, { "program-cache", true, NULL },
		{ "peak-cache", true, NULL }, { "cold-only", false, NULL },
		{ "reference-only", false, NULL },
		{ NULL, false, NULL },
	};
	if (!cli_parse(cmd, argc, argv, opts, o->compare, 64, &o->n_compare))
		return CLI_BAD_INPUT;
	if (cli_flag(opts, "help")) {
		printf(help, cmd);
		return CLI_OK;
	}
	if (cli_get(opts, "model"))
		o->model = cli_get(opts, "model");
	if (cli_get(opts, "device"))
		o->device = cli_get(opts, "device");
	o->json = cli_get(opts, "json");
	o->csv = cli_get(opts, "csv");
	o->html = cli_get(opts, "html");
	o->trace = cli_get(opts, "trace");
	int64_t runs = o->runs, warmup = o->warmup, top = o->top;
	if (!cli_count_opt(cmd, opts, "batch", 1, &o->B) || !cli_count_opt(cmd, opts, "prompts", 1, &o->K) ||
	    !cli_count_opt(cmd, opts, "tokens", 1, &o->L) || !cli_count_opt(cmd, opts, "runs", 1, &runs) ||
	    !cli_count_opt(cmd, opts, "warmup", 0, &warmup) || !cli_count_opt(cmd, opts, "top", 0, &top))
		return CLI_BAD_INPUT;
	o->runs = (int)runs, o->warmup = (int)warmup, o->top = (int)top;
	o->no_peak = cli_flag(opts, "no-peak");
	o->quiet = cli_flag(opts, "quiet");
	o->worker = cli_get(opts, "worker");
	o->worker_out = cli_get(opts, "worker-out");
	o->program_cache = cli_get(opts, "program-cache");
	o->peak_cache = cli_get(opts, "peak-cache");
	o->cold_only = cli_flag(opts, "cold-only");
	o->reference_only = cli_flag(opts, "reference-only");
	const bool compare = cli_flag(opts, "compare");
	if (compare && o->n_compare == 0)
		return usage_error(cmd, "--compare needs at least one JSON file", NULL);
	if (!compare && o->n_compare > 0)
		return usage_error(cmd, "unexpected argument", o->compare[0]);
	if (!o->n_compare && !o->model)
		return usage_error(cmd, "--model (or --compare) is required", NULL);
	return -1;
}

/* -------------------------------------------------------------- worker */

static int worker_main(const struct opts *o)
{
	if (o->program_cache)
		setenv("CLX_CACHE_DIR", o->program_cache, 1);
	struct prof_worker_opts w = {
		.model = o->model, .device = o->worker, .B = o->B, .K = o->K, .L = o->L,
		.runs = o->runs, .warmup = o->warmup < 1 ? 1 : o->warmup,
		.profiled_runs = o->runs < 3 ? (o->runs < 1 ? 1 : o->runs) : 3,
		.cold_only = o->cold_only, .reference_only = o->reference_only, .quiet = o->quiet,
		.peak_cache_dir = o->peak_cache, .no_peak = o->no_peak,
	};
	struct prof_device d;
	memset(&d, 0, sizeof d);
	prof_measure(&w, &d);
	cJSON *j = prof_device_to_json(&d);
	char *text = cJSON_Print(j);
	cJSON_Delete(j);
	prof_device_free(&d);
	FILE *f = text ? fopen(o->worker_out, "wb") : NULL;
	bool ok = f && fputs(text, f) >= 0;
	if (f)
		ok = fclose(f) == 0 && ok;
	cJSON_free(text);
	return ok ? CLI_OK : CLI_CHECK_FAILED;
}

/* ---------------------------------------------------------- temp files */

static void remove_tree(const char *path)
{
	DIR *dir = opendir(path);
	if (dir) {
		struct dirent *e;
		while ((e = readdir(dir))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char sub[4096];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			struct stat sb;
			if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
				remove_tree(sub);
			else
				remove(sub);
		}
		closedir(dir);
	}
	rmdir(path);
}

static bool make_temp_dir(char *buf, size_t cap)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(buf, cap, "%s/clx-profile.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(buf) != NULL;
}

/* --------------------------------------------------------- run a worker */

/* A device with every figure unmeasured (NaN) and ok = false. */
static void blank_device(struct prof_device *d)
{
	cJSON *e = cJSON_CreateObject();
	if (!e || !prof_device_from_json(e, d))
		memset(d, 0, sizeof *d);
	cJSON_Delete(e);
	d->program_from_cache = -1;
	d->ok = false;
}

/* ------------------------------------------------------- worker env */

/* Where OpenCL drivers keep compiled kernels of their own (PoCL, Mesa,
 * NVIDIA): a cold start points them at an empty directory. */
static const char *const driver_caches[] = { "POCL_CACHE_DIR", "MESA_SHADER_CACHE_DIR",
					     "CUDA_CACHE_PATH" };

struct saved_env {
	char *value[sizeof driver_caches / sizeof driver_caches[0] + 1]; /* + CLX_TUNE_FILE */
};

static const char *saved_name(size_t k)
{
	return k < sizeof driver_caches / sizeof driver_caches[0] ? driver_caches[k] : "CLX_TUNE_FILE";
}

static void save_env(struct saved_env *e)
{
	for (size_t k = 0; k < sizeof e->value / sizeof e->value[0]; k++) {
		const char *v = getenv(saved_name(k));
		e->value[k] = v ? strdup(v) : NULL;
	}
}

static void restore_env(struct saved_env *e)
{
	for (size_t k = 0; k < sizeof e->value / sizeof e->value[0]; k++) {
		if (e->value[k])
			setenv(saved_name(k), e->value[k], 1);
		else
			unsetenv(saved_name(k));
		free(e->value[k]);
	}
}

/* The tuning file device `spec` reads with this process's cache. */
static bool tuning_file_of(const char *spec, char *buf, size_t cap)
{
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_device_list l = { 0 };
	bool ok = false;
	if (ctx && clx_backend_list(ctx, &l) == CLX_OK) {
		const int i = clx_device_select(ctx, &l, spec);
		ok = i >= 0 && clx_tune_path(&l.devs[i], buf, cap);
	}
	clx_device_list_release(&l);
	clx_ctx_free(ctx);
	return ok;
}

/* Runs this program as a worker for `spec`; fills d from its output (or
 * with the reason it failed). */
static void run_worker(const char *cmd, bool via_clx, const struct opts *o, const char *spec,
		       const char *tmp, const char *program_cache, const char *peak_cache, bool cold_only,
		       bool reference_only, struct prof_device *d)
{
	char exe[4096], out[4200], nb[24], nk[24], nl[24], nr[24], nw[24];
	blank_device(d);
	snprintf(d->id, sizeof d->id, "%s", spec);
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len <= 0) {
		snprintf(d->error, sizeof d->error, "cannot find this program (/proc/self/exe)");
		return;
	}
	exe[len] = '\0';
	static int seq;
	snprintf(out, sizeof out, "%s/worker-%d.json", tmp, ++seq);
	snprintf(nb, sizeof nb, "%lld", (long long)o->B);
	snprintf(nk, sizeof nk, "%lld", (long long)o->K);
	snprintf(nl, sizeof nl, "%lld", (long long)o->L);
	snprintf(nr, sizeof nr, "%d", o->runs);
	snprintf(nw, sizeof nw, "%d", o->warmup);
	const char *args[40];
	int n = 0;
	args[n++] = exe;
	if (via_clx)
		args[n++] = "profile";
	const char *fixed[] = { "--worker", spec,        "--worker-out", out, "--model", o->model,
				"--batch",  nb,          "--prompts",    nk,  "--tokens", nl,
				"--runs",   nr,          "--warmup",     nw,  "--peak-cache", peak_cache,
				"--program-cache", program_cache };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		args[n++] = fixed[i];
	if (cold_only)
		args[n++] = "--cold-only";
	if (reference_only)
		args[n++] = "--reference-only";
	if (o->no_peak)
		args[n++] = "--no-peak";
	if (o->quiet)
		args[n++] = "--quiet";
	args[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(d->error, sizeof d->error, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		execv(exe, (char *const *)args);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* the worker's file is one device object */
	FILE *in = fopen(out, "rb");
	char *text = NULL;
	size_t cap = 0, used = 0;
	while (in) {
		if (used + 4096 + 1 > cap) {
			char *p = clx_realloc(text, cap = cap ? 2 * cap : 1 << 16);
			if (!p)
				break;
			text = p;
		}
		size_t got = fread(text + used, 1, cap - used - 1, in);
		used += got;
		if (got == 0)
			break;
	}
	if (in)
		fclose(in);
	remove(out);
	cJSON *j = NULL;
	if (text) {
		text[used] = '\0';
		j = cJSON_Parse(text);
		clx_free(text);
	}
	if (!j || !prof_device_from_json(j, d)) {
		blank_device(d);
		snprintf(d->id, sizeof d->id, "%s", spec);
		if (!in && WIFSIGNALED(status))
			snprintf(d->error, sizeof d->error, "%s worker for %s died with signal %d", cmd, spec,
				 WTERMSIG(status));
		else
			snprintf(d->error, sizeof d->error, "%s worker for %s exited with status %d and %s", cmd,
				 spec, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				 in ? "an unreadable result" : "no result");
		d->ok = false;
	}
	cJSON_Delete(j);
}

/* ----------------------------------------------------------- devices */

struct spec_list {
	char id[64][64];
	int n;
};

static void spec_add(struct spec_list *l, const char *id)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->id[i], id) == 0)
			return;
	if (l->n < 64)
		snprintf(l->id[l->n++], sizeof l->id[0], "%s", id);
}

/* Expands --device into canonical ids, cpu first (its logits are the
 * reference the others are compared with). */
static int expand_devices(const char *cmd, const char *spec, struct spec_list *out)
{
	struct spec_list l = { .n = 0 };
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", spec);
	bool want_cpu = false;
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_device_list devs = { 0 };
	if (!ctx || clx_backend_list(ctx, &devs) != CLX_OK) {
		fprintf(stderr, "%s: cannot list devices: %s\n", cmd, ctx ? clx_last_error(ctx) : "out of memory");
		clx_ctx_free(ctx);
		return CLI_BAD_INPUT;
	}
	int rc = -1;
	if (!spec[0] || spec[0] == ',' || spec[strlen(spec) - 1] == ',' || strstr(spec, ",,")) {
		fprintf(stderr, "%s: --device '%s': an empty item\n", cmd, spec);
		rc = CLI_BAD_INPUT;
	}
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && rc < 0;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strchr(tok, '=')) {
			/* a placement: this and the PART=DEVICE items after it */
			char placement[64];
			size_t len = (size_t)snprintf(placement, sizeof placement, "%s", tok);
			while (save && *save && strchr(save, '=') &&
			       (!strchr(save, ',') || strchr(save, '=') < strchr(save, ',')) &&
			       (tok = strtok_r(NULL, ",", &save)) != NULL && len < sizeof placement)
				len += (size_t)snprintf(placement + len, sizeof placement - len, ",%s", tok);
			bool reference;
			if (len >= sizeof placement) {
				fprintf(stderr, "%s: --device %s: placement too long\n", cmd, placement);
				rc = CLI_BAD_INPUT;
			} else if (clx_device_spec_check(ctx, placement, &reference) != CLX_OK) {
				fprintf(stderr, "%s: --device: %s\n", cmd, clx_last_error(ctx));
				rc = CLI_BAD_INPUT;
			}
			spec_add(&l, placement);
			continue;
		}
		const bool all = strcmp(tok, "all") == 0;
		if (all || strcmp(tok, "all-cl") == 0) {
			want_cpu |= all;
			for (int i = 0; i < devs.n; i++)
				if (!devs.devs[i].reference)
					spec_add(&l, devs.devs[i].id);
			continue;
		}
		/* SPEC@f16 (weights as half) is that device, another entry; auto
		 * as clx_backend_open resolves it */
		bool reference;
		if (clx_device_spec_check(ctx, tok, &reference) != CLX_OK) {
			fprintf(stderr, "%s: --device: %s\n", cmd, clx_last_error(ctx));
			rc = CLI_BAD_INPUT;
			continue;
		}
		if (strncasecmp(tok, "auto", 4) == 0 && (!tok[4] || tok[4] == '@')) {
			spec_add(&l, tok);
			continue;
		}
		char *at = strchr(tok, '@');
		if (at)
			*at = '\0';
		const int pick = clx_device_select(ctx, &devs, tok);
		if (pick < 0) {
			fprintf(stderr, "%s: --device %s: %s\n", cmd, tok, clx_last_error(ctx));
			rc = CLI_BAD_INPUT;
		} else if (devs.devs[pick].reference && !at) {
			want_cpu = true;
		} else {
			char id[64];
			snprintf(id, sizeof id, "%.40s%s%.8s", devs.devs[pick].id, at ? "@" : "", at ? at + 1 : "");
			spec_add(&l, id);
		}
	}
	clx_device_list_release(&devs);
	clx_ctx_free(ctx);
	if (rc >= 0)
		return rc;
	out->n = 0;
	if (want_cpu)
		spec_add(out, "cpu");
	for (int i = 0; i < l.n; i++)
		spec_add(out, l.id[i]);
	if (out->n == 0) {
		fprintf(stderr, "%s: --device %s selects no device (no OpenCL device found; add cpu)\n", cmd,
			spec);
		return CLI_BAD_INPUT;
	}
	return -1;
}

/* ------------------------------------------------------------ the doc */

/* FNV-1a of a file's bytes; *ok false when it cannot be read */
static uint64_t fnv1a64_file(const char *path, bool *ok)
{
	char *text;
	size_t n;
	*ok = clx_file_read(NULL, path, CLX_MAX_JSON_FILE, &text, &n) == CLX_OK;
	if (!*ok)
		return 0;
	uint64_t h = clx_fnv1a64(CLX_FNV_INIT, text, n);
	clx_free(text);
	return h;
}

static void cpu_name(char *buf, size_t cap)
{
	buf[0] = '\0';
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
			const char *p = strchr(line, ':') + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			snprintf(buf, cap, "%s", p);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
}

static void doc_host(struct prof_doc *doc)
{
	snprintf(doc->clx_version, sizeof doc->clx_version, "%s", CLX_VERSION_STRING);
	snprintf(doc->git_revision, sizeof doc->git_revision, "%s", CLX_GIT_REVISION);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(doc->created, sizeof doc->created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	gethostname(doc->host, sizeof doc->host - 1);
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(doc->os, sizeof doc->os, "%s %s %s", u.sysname, u.release, u.machine);
	cpu_name(doc->cpu, sizeof doc->cpu);
	doc->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* Model facts for the document; checks the model and the shape first. */
static int doc_model(const char *cmd, const struct opts *o, struct prof_doc *doc)
{
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_model *m = NULL;
	enum clx_status st = ctx ? clx_model_load(ctx, o->model, &m) : CLX_ERR_NOMEM;
	if (st != CLX_OK) {
		fprintf(stderr, "%s: %s\n", cmd, ctx ? clx_last_error(ctx) : "out of memory");
		clx_ctx_free(ctx);
		return CLI_BAD_INPUT;
	}
	int rc = -1;
	if (o->L > m->cfg.text.max_position_embeddings) {
		fprintf(stderr, "%s: --tokens %lld: this model takes at most max_position_embeddings = %d\n",
			cmd, (long long)o->L, m->cfg.text.max_position_embeddings);
		rc = CLI_BAD_INPUT;
	}
	snprintf(doc->model_path, sizeof doc->model_path, "%s", o->model);
	char path[4200];
	bool ok;
	snprintf(path, sizeof path, "%s/config.json", m->dir);
	uint64_t h = fnv1a64_file(path, &ok);
	snprintf(doc->config_hash, sizeof doc->config_hash, ok ? "%016llx" : "", (unsigned long long)h);
	snprintf(path, sizeof path, "%s/model.safetensors", m->dir);
	struct stat sb;
	doc->weights_file_bytes = stat(path, &sb) == 0 ? (double)sb.st_size : NAN;
	doc->n_params = 0;
	for (int i = 0; i < m->n_weights; i++)
		doc->n_params += m->weights[i].n_elems;
	doc->B = o->B, doc->T = m->cfg.vision.num_frames, doc->K = o->K, doc->L = o->L;
	doc->image_size = m->cfg.vision.image_size;
	doc->runs = o->runs;
	doc->warmup = o->warmup < 1 ? 1 : o->warmup;
	clx_model_free(m);
	clx_ctx_free(ctx);
	return rc;
}

/* max |logits − reference| for every device that has logits of the
 * reference's shape and no figure yet. */
static void agreement(struct prof_doc *doc, const struct prof_device *ref)
{
	for (int i = 0; i < doc->n_devices; i++) {
		struct prof_device *d = &doc->devices[i];
		if (!ref || ref->n_logits == 0 || d->n_logits != ref->n_logits || isfinite(d->max_abs_diff))
			continue;
		if (d->B != ref->B || d->K != ref->K || d->L != ref->L)
			continue;
		double mx = 0;
		for (int k = 0; k < d->n_logits; k++)
			mx = fmax(mx, fabs(d->logits[k] - ref->logits[k]));
		d->max_abs_diff = mx;
	}
}

static int write_outputs(const char *cmd, const struct opts *o, const struct prof_doc *doc)
{
	char err[512];
	FILE *table = o->json && strcmp(o->json, "-") == 0 ? stderr : stdout;
	prof_print_table(doc, table, o->top);
	bool ok = true;
	if (o->json && !prof_doc_write_json(doc, o->json, err, sizeof err))
		ok = false, fprintf(stderr, "%s: %s\n", cmd, err);
	if (o->csv && !prof_doc_write_csv(doc, o->csv, err, sizeof err))
		ok = false, fprintf(stderr, "%s: %s\n", cmd, err);
	if (o->trace && !prof_doc_write_trace(doc, o->trace, err, sizeof err))
		ok = false, fprintf(stderr, "%s: %s\n", cmd, err);
	if (o->html && !prof_doc_write_html(doc, o->html, o->top, err, sizeof err))
		ok = false, fprintf(stderr, "%s: %s\n", cmd, err);
	if (!ok)
		return CLI_BAD_INPUT;
	for (int i = 0; i < doc->n_devices; i++)
		if (!doc->devices[i].ok)
			return CLI_CHECK_FAILED;
	return CLI_OK;
}

/* ------------------------------------------------------------- compare */

static int compare_main(const char *cmd, const struct opts *o)
{
	struct prof_doc doc;
	memset(&doc, 0, sizeof doc);
	int rc = CLI_BAD_INPUT;
	for (int f = 0; f < o->n_compare; f++) {
		struct prof_doc one;
		char err[512];
		if (!prof_doc_read_json(o->compare[f], &one, err, sizeof err)) {
			fprintf(stderr, "%s: %s\n", cmd, err);
			goto done;
		}
		if (f == 0) {
			struct prof_device *keep = doc.devices;
			doc = one;
			doc.devices = keep;
			doc.n_devices = 0;
		} else if (strcmp(one.config_hash, doc.config_hash) != 0 || one.B != doc.B ||
			   one.K != doc.K || one.L != doc.L) {
			fprintf(stderr, "%s: note: %s has another model or shape (config %s, B=%lld K=%lld "
					"L=%lld) than %s\n",
				cmd, o->compare[f], one.config_hash, (long long)one.B, (long long)one.K,
				(long long)one.L, o->compare[0]);
		}
		struct prof_device *p = clx_realloc(doc.devices, (size_t)(doc.n_devices + one.n_devices + 1) *
									 sizeof *p);
		if (!p) {
			prof_doc_free(&one);
			fprintf(stderr, "%s: out of memory\n", cmd);
			goto done;
		}
		doc.devices = p;
		for (int i = 0; i < one.n_devices; i++)
			doc.devices[doc.n_devices++] = one.devices[i];
		clx_free(one.devices); /* the devices moved */
	}
	/* devices without an agreement figure (PyTorch) against a CPU reference
	 * of the same shape, when one is in the set */
	for (int i = 0; i < doc.n_devices; i++)
		if (strcmp(doc.devices[i].backend, "cpu") == 0 && doc.devices[i].n_logits) {
			agreement(&doc, &doc.devices[i]);
			break;
		}
	rc = write_outputs(cmd, o, &doc);
done:
	prof_doc_free(&doc);
	return rc;
}

/* ---------------------------------------------------------------- main */

int prof_main(const char *cmd, bool via_clx, int argc, char **argv)
{
	struct opts o;
	int rc = parse(cmd, argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.worker) {
		if (!o.worker_out)
			return usage_error(cmd, "--worker needs --worker-out", NULL);
		return worker_main(&o);
	}
	if (o.n_compare)
		return compare_main(cmd, &o);

	struct prof_doc doc;
	memset(&doc, 0, sizeof doc);
	doc_host(&doc);
	if ((rc = doc_model(cmd, &o, &doc)) >= 0)
		return rc;
	struct spec_list specs;
	if ((rc = expand_devices(cmd, o.device, &specs)) >= 0)
		return rc;
	char peak_cache[1024], tmp[1024], prog_cache[1100];
	clx_cache_dir(peak_cache, sizeof peak_cache, "peak"); /* "" when there is none */
	if (!make_temp_dir(tmp, sizeof tmp)) {
		fprintf(stderr, "%s: cannot create a temporary directory: %s\n", cmd, strerror(errno));
		return CLI_BAD_INPUT;
	}
	doc.devices = clx_calloc((size_t)specs.n + 1, sizeof *doc.devices);
	if (!doc.devices) {
		remove_tree(tmp);
		fprintf(stderr, "%s: out of memory\n", cmd);
		return CLI_BAD_INPUT;
	}
	const struct prof_device *ref = NULL;
	for (int i = 0; i < specs.n; i++) {
		const char *spec = specs.id[i];
		struct prof_device cold, *d = &doc.devices[doc.n_devices++];
		if (!o.quiet)
			fprintf(stderr, "[%d/%d] %s\n", i + 1, specs.n, spec);
		/* caches of its own, empty for the cold start: clx's (programs,
		 * packed weights) and the drivers' own kernel caches */
		snprintf(prog_cache, sizeof prog_cache, "%s/program-cache-%d", tmp, i);
		mkdir(prog_cache, 0700);
		char drv_cache[1100], tuning[1024];
		snprintf(drv_cache, sizeof drv_cache, "%s/driver-cache-%d", tmp, i);
		mkdir(drv_cache, 0700);
		struct saved_env env;
		save_env(&env);
		for (size_t k = 0; k < sizeof driver_caches / sizeof driver_caches[0]; k++)
			setenv(driver_caches[k], drv_cache, 1);
		/* the user's tuning file for this device, which the worker's own
		 * cache directory would hide */
		if (!getenv("CLX_TUNE_FILE") && tuning_file_of(spec, tuning, sizeof tuning))
			setenv("CLX_TUNE_FILE", tuning, 1);
		run_worker(cmd, via_clx, &o, spec, tmp, prog_cache, peak_cache, true, false, &cold);
		run_worker(cmd, via_clx, &o, spec, tmp, prog_cache, peak_cache, false, false, d);
		restore_env(&env);
		remove_tree(drv_cache);
		if (d->ok) {
			d->cold_s = cold.cold_s;
			d->cold_first_result_s = cold.cold_first_result_s;
			if (!cold.ok)
				snprintf(d->error, sizeof d->error, "cold start failed: %.900s", cold.error);
		}
		prof_device_free(&cold);
		remove_tree(prog_cache);
		if (strcmp(d->id, "cpu") == 0 && d->ok)
			ref = d;
	}
	/* the CPU reference's logits, from one run when cpu was not profiled */
	struct prof_device refdev;
	memset(&refdev, 0, sizeof refdev);
	if (!ref) {
		if (!o.quiet)
			fprintf(stderr, "[ref] cpu reference run for the agreement check\n");
		snprintf(prog_cache, sizeof prog_cache, "%s/program-cache-ref", tmp);
		run_worker(cmd, via_clx, &o, "cpu", tmp, prog_cache, peak_cache, false, true, &refdev);
		if (refdev.ok)
			ref = &refdev;
	}
	agreement(&doc, ref);
	prof_device_free(&refdev);
	remove_tree(tmp);
	rc = write_outputs(cmd, &o, &doc);
	prof_doc_free(&doc);
	return rc;
}
