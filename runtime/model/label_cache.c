/* label_cache.c — the labels' text features on disk (label_cache.h), as
 * <cache dir>/labels/<key>.npy, float32 (K, P), written atomically. The key
 * covers everything the features' bits depend on, so an entry is either
 * exactly what the text tower would compute on this device or not found. */
#include "label_cache.h"

#include "clx/npy.h"
#include "clx/tune.h"
#include "core/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Mixes a regular file's contents into *h (absent: a fixed marker); false
 * for anything else, which cannot be read again to hash it. */
static bool hash_file(uint64_t *h, const char *path)
{
	int fd;
	enum clx_status st = clx_input_open(NULL, path, false, &fd, NULL, NULL);
	if (st == CLX_ERR_NOT_FOUND) {
		*h = clx_fnv1a64(*h, "absent", 6);
		return true;
	}
	if (st != CLX_OK)
		return false;
	unsigned char buf[65536];
	ssize_t got;
	while ((got = read(fd, buf, sizeof buf)) > 0)
		*h = clx_hash_bytes(*h, buf, (size_t)got);
	close(fd);
	return got == 0;
}

bool clx_label_cache_key(const struct clx_model *m, const struct clx_backend *be,
			 const struct clx_tokenizer_batch *labels, char key[CLX_LABEL_KEY_LEN])
{
	uint64_t h = clx_fnv1a64_field(CLX_FNV_INIT, "clx label cache 1");
	h = clx_fnv1a64_field(h, CLX_VERSION_STRING);
	/* the family and the text config's arithmetic (activation, EOS pooling,
	 * heads, eps: the weights alone do not fix them) */
	const struct clx_text_config *t = &m->cfg.text;
	const int32_t tc[4] = { (int32_t)m->kind, (int32_t)t->hidden_act, t->eos_token_id,
				t->num_attention_heads };
	h = clx_fnv1a64(h, tc, sizeof tc);
	h = clx_fnv1a64(h, &t->layer_norm_eps, sizeof t->layer_norm_eps);
	/* the text tower's weights: every text_model.* tensor and the projection */
	for (int i = 0; i < m->n_weights; i++) {
		const struct clx_weight *w = &m->weights[i];
		if (strncmp(w->name, "text_model.", 11) != 0 && strcmp(w->name, "text_projection.weight") != 0)
			continue;
		h = clx_fnv1a64_field(h, w->name);
		h = clx_fnv1a64(h, w->shape, sizeof w->shape[0] * (size_t)w->n_dims);
		h = clx_hash_bytes(h, w->data, (size_t)w->n_elems * sizeof *w->data);
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/vocab.json", m->dir);
	bool ok = hash_file(&h, path);
	snprintf(path, sizeof path, "%s/merges.txt", m->dir);
	ok = ok && hash_file(&h, path);
	const int64_t kl[2] = { labels->n_texts, labels->seq_len };
	const size_t n = (size_t)(labels->n_texts * labels->seq_len);
	h = clx_fnv1a64(h, kl, sizeof kl);
	h = clx_hash_bytes(h, labels->input_ids, n * sizeof *labels->input_ids);
	h = clx_hash_bytes(h, labels->attention_mask, n * sizeof *labels->attention_mask);
	/* the device and what selects its kernels */
	const struct clx_device_info *d = clx_backend_device(be);
	h = clx_fnv1a64_field(h, clx_backend_name(be));
	h = clx_fnv1a64_field(h, d->backend);
	h = clx_fnv1a64_field(h, d->name);
	h = clx_fnv1a64_field(h, d->platform_name);
	h = clx_fnv1a64_field(h, d->platform_version);
	h = clx_fnv1a64_field(h, d->driver_version);
	h = clx_fnv1a64_field(h, getenv("CLX_GEMM"));
	h = clx_fnv1a64_field(h, getenv("CLX_ROW_KERNELS"));
	h = clx_fnv1a64_field(h, getenv("CLX_CHECK_RESULTS"));
	if (clx_tune_path(d, path, sizeof path))
		ok = ok && hash_file(&h, path);
	snprintf(key, CLX_LABEL_KEY_LEN, "%016llx", (unsigned long long)h);
	return ok;
}

static bool entry_path(const char *key, char *buf, size_t cap)
{
	char dir[4096];
	return clx_cache_dir(dir, sizeof dir, "labels") &&
	       (size_t)snprintf(buf, cap, "%s/%s.npy", dir, key) < cap;
}

bool clx_label_cache_load(struct clx_ctx *ctx, const char *key, int64_t K, int64_t P, float *dst)
{
	char path[4200];
	if (!entry_path(key, path, sizeof path))
		return false;
	if (access(path, F_OK) != 0)
		return false; /* not cached yet */
	struct clx_npy a;
	struct clx_ctx *quiet = clx_ctx_create(); /* its error becomes the warning */
	enum clx_status st = clx_npy_load(quiet, path, &a);
	bool ok = false;
	if (st != CLX_OK)
		clx_warn(ctx, "label cache: %s; computing the text features again",
			 quiet ? clx_last_error(quiet) : "out of memory");
	else if (a.dtype != CLX_DTYPE_F32 || a.n_dims != 2 || a.shape[0] != K || a.shape[1] != P)
		clx_warn(ctx, "label cache %s: not a (%lld, %lld) float32 array; computing the text "
			      "features again", path, (long long)K, (long long)P);
	else {
		memcpy(dst, a.data, (size_t)(K * P) * sizeof *dst);
		ok = true;
	}
	clx_npy_release(&a);
	clx_ctx_free(quiet);
	return ok;
}

bool clx_label_cache_store(struct clx_ctx *ctx, const char *key, int64_t K, int64_t P,
			   const float *src)
{
	char path[4200];
	if (!entry_path(key, path, sizeof path))
		return false;
	struct clx_ctx *quiet = clx_ctx_create();
	const int64_t shape[2] = { K, P };
	enum clx_status st = clx_npy_save(quiet, path, CLX_DTYPE_F32, 2, shape, src);
	if (st != CLX_OK)
		clx_warn(ctx, "label cache: %s; the text features are not cached",
			 quiet ? clx_last_error(quiet) : "out of memory");
	clx_ctx_free(quiet);
	return st == CLX_OK;
}
