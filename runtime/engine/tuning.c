/* tuning.c — shape keys, and a device's tuning file: where it lives, how
 * it is read (untrusted: a cache a user may copy, truncate or edit) and
 * written (whole or not at all). The format is docs/TUNING.md.
 *
 * Not here: measuring candidates (tune.c) and what an implementation name
 * means (the backend that lists it). */
#include "engine/tuning.h"

#include "engine/backend_impl.h"

#include "clx/limits.h"
#include "core/file.h"
#include "core/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TUNE_SCHEMA "clx-tune/1"

/* ------------------------------------------------------------------ keys */

bool clx_tune_key(const struct clx_graph *g, int node, char *buf, size_t cap)
{
	const struct clx_node *nd = &g->nodes[node];
	int w = -1;
	if (nd->op == CLX_OP_MATMUL) {
		const struct clx_matmul_dims d = clx_matmul_dims(g, node);
		const bool weight = g->tensors[clx_graph_root(g, nd->src[1])].kind == CLX_TENSOR_WEIGHT;
		w = snprintf(buf, cap, "matmul M=%lld N=%lld K=%lld batch=%lld w=%s wkn=%d flags=%u",
			     (long long)d.M, (long long)d.N, (long long)d.K, (long long)d.batch,
			     weight ? "weight" : "act", d.w_kn, d.flags);
	} else if (nd->op == CLX_OP_ATTENTION) {
		const struct clx_tensor *q = &g->tensors[nd->src[0]], *k = &g->tensors[nd->src[1]];
		const int64_t H = nd->iattr[0];
		w = snprintf(buf, cap, "attention n=%lld Sq=%lld Sk=%lld heads=%lld dh=%lld mask=%d causal=%d",
			     (long long)q->ne[0], (long long)q->ne[1], (long long)k->ne[1], (long long)H,
			     (long long)(H > 0 ? q->ne[2] / H : 0), nd->n_src > 3, nd->iattr[1] != 0);
	}
	if (w < 0 || (size_t)w >= cap) {
		if (cap)
			buf[0] = '\0';
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ path */

bool clx_tune_path(const struct clx_device_info *d, char *buf, size_t cap)
{
	const char *env = getenv("CLX_TUNE_FILE");
	if (env && *env)
		return (size_t)snprintf(buf, cap, "%s", env) < cap;
	char dir[1024];
	if (!clx_cache_dir(dir, sizeof dir, "tune")) {
		if (cap)
			buf[0] = '\0';
		return false;
	}
	uint64_t h = clx_fnv1a64_field(CLX_FNV_INIT, TUNE_SCHEMA);
	h = clx_fnv1a64_field(h, d->platform_name);
	h = clx_fnv1a64_field(h, d->platform_version);
	h = clx_fnv1a64_field(h, d->name);
	h = clx_fnv1a64_field(h, d->driver_version);
	h = clx_fnv1a64_field(h, CLX_VERSION_STRING);
	return (size_t)snprintf(buf, cap, "%s/%016llx.json", dir, (unsigned long long)h) < cap;
}

/* ----------------------------------------------------------------- table */

void clx_tuning_free(struct clx_tuning *t)
{
	if (t)
		clx_free(t->e);
	clx_free(t);
}

const struct clx_tune_choice *clx_tuning_find(const struct clx_tuning *t, const char *key)
{
	for (int i = 0; t && i < t->n; i++)
		if (strcmp(t->e[i].key, key) == 0)
			return &t->e[i];
	return NULL;
}

enum clx_status clx_tuning_put(struct clx_ctx *ctx, struct clx_tuning *t,
			       const struct clx_tune_choice *c)
{
	struct clx_tune_choice *old = (struct clx_tune_choice *)clx_tuning_find(t, c->key);
	if (old) {
		*old = *c;
		return CLX_OK;
	}
	if (t->n == CLX_MAX_TUNE_ENTRIES)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: more than %d tuned shapes", t->path,
				CLX_MAX_TUNE_ENTRIES);
	if (t->n == t->cap) {
		const int cap = t->cap ? 2 * t->cap : 32;
		void *p = clx_realloc(t->e, (size_t)cap * sizeof *t->e);
		if (!p)
			return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory for the tuning table");
		t->e = p;
		t->cap = cap;
	}
	t->e[t->n++] = *c;
	return CLX_OK;
}

/* ------------------------------------------------------------- backends */

const char *clx_backend_tuned(const struct clx_backend *be, const struct clx_graph *g, int node)
{
	char key[CLX_TUNE_KEY_MAX];
	if (!clx_tune_key(g, node, key, sizeof key))
		return NULL;
	if (be->trial_key)
		return strcmp(key, be->trial_key) == 0 ? be->trial_impl : NULL;
	const struct clx_tune_choice *c = clx_tuning_find(be->tuning, key);
	return c ? c->impl : NULL;
}

enum clx_status clx_backend_tuned_unusable(struct clx_backend *be, struct clx_ctx *ctx,
					   const struct clx_graph *g, int node, const char *impl,
					   const char *why)
{
	if (be->trial_key)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "candidate '%s' for node '%s': %s", impl,
				g->nodes[node].name, why);
	if (be->tuning && !be->tuning->warned) {
		be->tuning->warned = true;
		char key[CLX_TUNE_KEY_MAX];
		clx_tune_key(g, node, key, sizeof key);
		clx_warn(ctx, "tuning file %s: entry '%s' = '%s' ignored: %s; the default runs (rerun "
			      "`clx tune`)",
			 be->tuning->path, key, impl, why);
	}
	return CLX_OK;
}

/* ------------------------------------------------------------------ read */

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static double num_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Whether string field k of o equals want; *got is what it holds. */
static bool field_is(const cJSON *o, const char *k, const char *want, const char **got)
{
	*got = str_of(o, k);
	if (!*got)
		*got = "(none)";
	return strcmp(*got, want) == 0;
}

/* One entry into c; false when it is not one. */
static bool read_entry(const cJSON *e, struct clx_tune_choice *c)
{
	const char *key = str_of(e, "key"), *impl = str_of(e, "impl"), *def = str_of(e, "default_impl");
	memset(c, 0, sizeof *c);
	if (!cJSON_IsObject(e) || !key || !impl || !*key || !*impl ||
	    strlen(key) >= sizeof c->key || strlen(impl) >= sizeof c->impl)
		return false;
	snprintf(c->key, sizeof c->key, "%s", key);
	snprintf(c->impl, sizeof c->impl, "%s", impl);
	snprintf(c->default_impl, sizeof c->default_impl, "%s", def ? def : "");
	c->time_s = num_of(e, "time_s");
	c->gflops = num_of(e, "gflops");
	c->nmse = num_of(e, "nmse");
	c->default_time_s = num_of(e, "default_time_s");
	/* the bar is the tuner's: an entry that claims less cannot have been admitted */
	return isfinite(c->nmse) && c->nmse >= 0 && c->nmse <= CLX_TUNE_NMSE;
}

/* The entries of a parsed file for device d into t: false with why when
 * the file is not for d; true with why when some entries were dropped. */
static bool read_doc(const cJSON *root, const struct clx_device_info *d, struct clx_tuning *t,
		     struct clx_ctx *ctx, char *why, size_t cap)
{
	const char *got = "(none)";
	if (!cJSON_IsObject(root) || !field_is(root, "schema", TUNE_SCHEMA, &got)) {
		snprintf(why, cap, "not a clx tuning file (schema %.40s, expected %s)", got, TUNE_SCHEMA);
		return false;
	}
	const struct {
		const char *key, *want;
	} id[] = {
		{ "platform", d->platform_name },  { "platform_version", d->platform_version },
		{ "device", d->name },             { "driver_version", d->driver_version },
		{ "clx_version", CLX_VERSION_STRING },
	};
	for (size_t i = 0; i < sizeof id / sizeof id[0]; i++)
		if (!field_is(root, id[i].key, id[i].want, &got)) {
			snprintf(why, cap, "written for %s '%.80s', this is '%.80s'", id[i].key, got,
				 id[i].want);
			return false;
		}
	const cJSON *entries = cJSON_GetObjectItemCaseSensitive(root, "entries");
	if (!cJSON_IsArray(entries)) {
		snprintf(why, cap, "no entries array");
		return false;
	}
	int bad = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, entries)
	{
		struct clx_tune_choice c;
		if (!read_entry(e, &c) || clx_tuning_find(t, c.key)) {
			bad++;
			continue;
		}
		if (clx_tuning_put(ctx, t, &c) != CLX_OK) {
			snprintf(why, cap, "%s", clx_last_error(ctx));
			return false;
		}
	}
	if (bad)
		snprintf(why, cap, "%d entries unreadable, duplicated or over the tolerance", bad);
	return true;
}

enum clx_status clx_tuning_load(struct clx_ctx *ctx, const struct clx_device_info *d,
				struct clx_tuning **out)
{
	*out = NULL;
	struct clx_tuning *t = clx_calloc(1, sizeof *t);
	if (!t)
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory for the tuning table");
	if (!clx_tune_path(d, t->path, sizeof t->path) || access(t->path, F_OK) != 0) {
		*out = t; /* no file: the defaults, silently */
		return CLX_OK;
	}
	char *text = NULL, why[400] = "";
	size_t len = 0;
	cJSON *root = NULL;
	struct clx_ctx *quiet = clx_ctx_create(); /* a bad file is a warning, not ctx's error */
	enum clx_status st = quiet ? clx_file_read(quiet, t->path, CLX_MAX_TUNE_FILE, &text, &len)
				   : CLX_ERR_NOMEM;
	if (st == CLX_OK)
		st = clx_json_parse(quiet, t->path, text, len, 0, &root);
	if (st == CLX_ERR_NOMEM) {
		clx_ctx_free(quiet);
		clx_free(text);
		clx_tuning_free(t);
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory reading a tuning file");
	}
	bool usable = false;
	if (st != CLX_OK)
		snprintf(why, sizeof why, "%s", clx_last_error(quiet));
	else if (!(usable = read_doc(root, d, t, quiet, why, sizeof why)))
		t->n = 0;
	if (why[0])
		clx_warn(ctx, "tuning file %s%s: %s; %s (rerun `clx tune`, or delete the file)", t->path,
			 usable ? "" : " ignored", why,
			 usable ? "those shapes run the defaults" : "the defaults run");
	cJSON_Delete(root);
	clx_free(text);
	clx_ctx_free(quiet);
	*out = t;
	return CLX_OK;
}

/* ----------------------------------------------------------------- write */

static void add_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

enum clx_status clx_tuning_save(struct clx_ctx *ctx, const struct clx_tuning *t,
				const struct clx_device_info *d)
{
	if (!t->path[0])
		return clx_fail(ctx, CLX_ERR_IO,
				"no place for the tuning file: the cache is off (CLX_NO_CACHE) or has no "
				"directory; set CLX_TUNE_FILE");
	cJSON *root = cJSON_CreateObject();
	cJSON *entries = root ? cJSON_CreateArray() : NULL;
	bool ok = entries != NULL;
	if (ok) {
		cJSON_AddStringToObject(root, "schema", TUNE_SCHEMA);
		cJSON_AddStringToObject(root, "clx_version", CLX_VERSION_STRING);
		cJSON_AddStringToObject(root, "platform", d->platform_name);
		cJSON_AddStringToObject(root, "platform_version", d->platform_version);
		cJSON_AddStringToObject(root, "device", d->name);
		cJSON_AddStringToObject(root, "driver_version", d->driver_version);
		cJSON_AddItemToObject(root, "entries", entries);
	}
	for (int i = 0; ok && i < t->n; i++) {
		const struct clx_tune_choice *c = &t->e[i];
		cJSON *e = cJSON_CreateObject();
		if (!e) {
			ok = false;
			break;
		}
		cJSON_AddStringToObject(e, "key", c->key);
		cJSON_AddStringToObject(e, "impl", c->impl);
		add_num(e, "time_s", c->time_s);
		add_num(e, "gflops", c->gflops);
		add_num(e, "nmse", c->nmse);
		cJSON_AddStringToObject(e, "default_impl", c->default_impl);
		add_num(e, "default_time_s", c->default_time_s);
		cJSON_AddItemToArray(entries, e);
	}
	char *text = ok ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!text)
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory writing the tuning file");
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", t->path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
	ok = f && fclose(f) == 0 && ok;
	cJSON_free(text);
	if (!ok || rename(tmp, t->path) != 0) {
		const int e = errno;
		remove(tmp);
		return clx_fail(ctx, CLX_ERR_IO, "%s: cannot write the tuning file: %s", t->path,
				strerror(e));
	}
	return CLX_OK;
}
