/* model.c — loads a model directory (config.json + model.safetensors) or a
 * Hub id from the local Hugging Face cache: the kind and its config from
 * config.json, then every parameter of that kind from the safetensors file.
 *
 * Every parameter the config implies must be present with exactly the
 * implied shape; `*.position_ids` and other unused tensors are ignored.
 * f32 data aligned to 4 bytes is used in place from the mapping (no copy:
 * peak memory stays near the file size); f16/bf16/misaligned data is
 * converted into owned f32 copies, and f16 data is also kept where it is
 * (clx_weight.half) for devices that store weights as half. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "clx/model.h"

#include "clx/graph.h"
#include "clx/safetensors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------ resolution */

static bool is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool is_file(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* "org/name" → <cache>/models--org--name/snapshots/<refs/main>. */
static bool resolve_in_cache(const char *cache, const char *id, char *out, size_t cap)
{
	char repo[4096], ref[128] = "", path[4096];
	snprintf(repo, sizeof repo, "%s/models--", cache);
	size_t n = strlen(repo);
	for (const char *p = id; *p && n + 2 < sizeof repo; p++) {
		if (*p == '/') {
			repo[n++] = '-';
			repo[n++] = '-';
		} else {
			repo[n++] = *p;
		}
	}
	repo[n] = '\0';
	int w = snprintf(path, sizeof path, "%s/refs/main", repo);
	if (w < 0 || (size_t)w >= sizeof path)
		return false;
	char *text;
	size_t len;
	if (clx_file_read(NULL, path, sizeof ref - 1, &text, &len) != CLX_OK)
		return false;
	snprintf(ref, sizeof ref, "%s", text);
	clx_free(text);
	ref[strcspn(ref, "\r\n")] = '\0';
	if (!ref[0] || strchr(ref, '/'))
		return false;
	w = snprintf(out, cap, "%s/snapshots/%s", repo, ref);
	return w > 0 && (size_t)w < cap && is_dir(out);
}

/* A directory as given, or a Hub id looked up in $HF_HUB_CACHE,
 * $HF_HOME/hub, ~/.cache/huggingface/hub (huggingface_hub's order). */
enum clx_status clx_model_resolve(struct clx_ctx *ctx, const char *path, char *out, size_t cap)
{
	if (is_dir(path)) {
		snprintf(out, cap, "%s", path);
		return CLX_OK;
	}
	struct stat sb;
	if (stat(path, &sb) != 0 && errno == ELOOP)
		return clx_fail(ctx, CLX_ERR_IO, "%s: a symbolic link loop (%s)", path, strerror(ELOOP));
	if (stat(path, &sb) == 0) /* and not a directory */
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: not a directory (give the model's folder)",
				path);
	const char *slash = strchr(path, '/');
	bool hub_id = slash && slash != path && !strchr(slash + 1, '/') && slash[1] && path[0] != '.';
	if (hub_id) {
		char cache[4096];
		const char *env;
		if ((env = getenv("HF_HUB_CACHE")) && *env && resolve_in_cache(env, path, out, cap))
			return CLX_OK;
		if ((env = getenv("HF_HOME")) && *env) {
			snprintf(cache, sizeof cache, "%s/hub", env);
			if (resolve_in_cache(cache, path, out, cap))
				return CLX_OK;
		}
		if ((env = getenv("HOME")) && *env) {
			snprintf(cache, sizeof cache, "%s/.cache/huggingface/hub", env);
			if (resolve_in_cache(cache, path, out, cap))
				return CLX_OK;
		}
		return clx_fail(ctx, CLX_ERR_NOT_FOUND,
				"%s: not a directory, and not found as a Hub id in the local Hugging Face cache "
				"($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub); download it with "
				"`huggingface-cli download %s`",
				path, path);
	}
	return clx_fail(ctx, CLX_ERR_NOT_FOUND, "%s: model directory not found", path);
}

/* ---------------------------------------------------------------- params */

struct collect {
	struct clx_weight *w;
	int n, cap;
	bool oom;
};

static void collect_param(void *user, const char *name, int n_dims, const int64_t *shape)
{
	struct collect *c = user;
	if (c->oom)
		return;
	if (c->n == c->cap) {
		int cap = c->cap ? 2 * c->cap : 512;
		void *p = clx_realloc(c->w, (size_t)cap * sizeof *c->w);
		if (!p) {
			c->oom = true;
			return;
		}
		c->w = p;
		c->cap = cap;
	}
	struct clx_weight *w = &c->w[c->n];
	memset(w, 0, sizeof *w);
	w->name = clx_strdup(name);
	if (!w->name) {
		c->oom = true;
		return;
	}
	w->n_dims = n_dims;
	w->n_elems = 1;
	for (int i = 0; i < n_dims; i++) {
		w->shape[i] = shape[i];
		w->n_elems *= shape[i];
	}
	c->n++;
}

/* A hash of what identifies the file's contents across processes: its real
 * path, size, modification time and inode (0 if it cannot be read). */
static uint64_t file_identity(const char *path)
{
	char real[4096];
	struct stat sb;
	if (!realpath(path, real) || stat(real, &sb) != 0)
		return 0;
	const long long fields[4] = { (long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
				      (long long)sb.st_mtim.tv_nsec, (long long)sb.st_ino };
	uint64_t h = clx_fnv1a64(CLX_FNV_INIT, real, strlen(real));
	h = clx_fnv1a64(h, fields, sizeof fields);
	return h ? h : 1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ------------------------------------------------------------------ load */

void clx_model_free(struct clx_model *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->n_weights; i++) {
		clx_free((char *)m->weights[i].name);
		if (m->weights[i].owned)
			clx_free((float *)m->weights[i].data);
	}
	clx_free(m->weights);
	clx_safetensors_free(m->st);
	clx_free(m->dir);
	clx_free(m);
}

const struct clx_weight *clx_model_weight(const struct clx_model *m, const char *name)
{
	for (int i = 0; i < m->n_weights; i++)
		if (strcmp(m->weights[i].name, name) == 0)
			return &m->weights[i];
	return NULL;
}

static enum clx_status bind_weight(struct clx_ctx *ctx, const char *file, struct clx_weight *w,
				   const struct clx_st_tensor *t)
{
	char want[128], have[128];
	clx_shape_str(want, sizeof want, w->n_dims, w->shape);
	if (!t)
		return clx_fail(ctx, CLX_ERR_NOT_FOUND, "%s: missing tensor '%s' (config expects shape %s)",
				file, w->name, want);
	bool same = t->n_dims == w->n_dims;
	for (int i = 0; same && i < w->n_dims; i++)
		same = t->shape[i] == w->shape[i];
	if (!same) {
		clx_shape_str(have, sizeof have, t->n_dims, t->shape);
		return clx_fail(ctx, CLX_ERR_SHAPE, "%s: tensor '%s' has shape %s, config expects %s", file,
				w->name, have, want);
	}
	if (t->dtype != CLX_DTYPE_F32 && t->dtype != CLX_DTYPE_F16 && t->dtype != CLX_DTYPE_BF16)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED,
				"%s: tensor '%s' has dtype %s; weights must be F32, F16 or BF16", file,
				w->name, clx_dtype_name(t->dtype));
	if (t->dtype == CLX_DTYPE_F32 && (uintptr_t)t->data % sizeof(float) == 0) {
		w->data = (const float *)(const void *)t->data; /* in place, in the mapping */
		return CLX_OK;
	}
	float *copy = clx_malloc((size_t)w->n_elems * sizeof *copy);
	if (!copy)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory converting tensor '%s' to f32", file,
				w->name);
	clx_safetensors_read_f32(t, copy);
	w->data = copy;
	w->owned = true;
	if (t->dtype == CLX_DTYPE_F16 && (uintptr_t)t->data % sizeof(uint16_t) == 0)
		w->half = (const uint16_t *)(const void *)t->data; /* for @f16 devices, as it is */
	return CLX_OK;
}

enum clx_status clx_model_load(struct clx_ctx *ctx, const char *path, struct clx_model **out)
{
	*out = NULL;
	char dir[4096], file[4200];
	enum clx_status st = clx_model_resolve(ctx, path, dir, sizeof dir);
	if (st != CLX_OK)
		return st;
	struct clx_model *m = clx_calloc(1, sizeof *m);
	struct collect c = { 0 };
	if (!m || !(m->dir = clx_strdup(dir)))
		goto nomem;

	snprintf(file, sizeof file, "%s/config.json", dir);
	if ((st = clx_config_load(ctx, file, &m->cfg)) != CLX_OK) /* model_type xclip or clip */
		goto fail;
	m->kind = m->cfg.kind;

	snprintf(file, sizeof file, "%s/model.safetensors", dir);
	struct stat sb;
	if (lstat(file, &sb) != 0) {
		char bin[4200];
		snprintf(bin, sizeof bin, "%s/pytorch_model.bin", dir);
		if (is_file(bin))
			st = clx_fail(ctx, CLX_ERR_UNSUPPORTED,
				      "%s: only pytorch_model.bin is present; convert it once with "
				      "`python3 tools/dev/convert_checkpoint.py %s` (clx never unpickles)",
				      dir, dir);
		else
			st = clx_fail(ctx, CLX_ERR_NOT_FOUND, "%s: No such file", file);
		goto fail;
	}
	if ((st = clx_safetensors_open(ctx, file, &m->st)) != CLX_OK)
		goto fail;

	const uint64_t file_key = file_identity(file);
	clx_model_for_each_param(&m->cfg, collect_param, &c);
	m->weights = c.w;
	m->n_weights = c.n;
	if (c.oom)
		goto nomem;
	for (int i = 0; i < m->n_weights; i++) {
		st = bind_weight(ctx, file, &m->weights[i],
				 clx_safetensors_find(m->st, m->weights[i].name));
		if (st != CLX_OK)
			goto fail;
		if (!m->weights[i].owned && file_key)
			m->weights[i].key = clx_fnv1a64(file_key, m->weights[i].name, strlen(m->weights[i].name));
	}
	/* Tensors the graph does not use (position_ids buffers are expected). */
	int used = m->n_weights;
	for (int i = 0; i < m->st->n_tensors; i++)
		if (ends_with(m->st->tensors[i].name, ".position_ids"))
			used++;
	m->n_ignored = m->st->n_tensors - used;
	*out = m;
	return CLX_OK;
nomem:
	if (!m)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory loading the model", dir);
	st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory loading the model", dir);
fail:
	clx_model_free(m);
	return st;
}
