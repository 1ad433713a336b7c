/* test_model.c — loading a model directory: every loader error gives a
 * status and one message naming the file and the problem; valid variants
 * (f16/bf16 weights, extra tensors, position_ids, Hub ids in the local HF
 * cache) load. Cases are generated from the tiny fixture in a temp dir.
 *
 *   test_model TINY_FIXTURE_DIR */
#include "alloc_fail.h"
#include "check.h"
#include "test_files.h"

#include "clx/model.h"
#include "clx/safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct clx_ctx *ctx;
static const char *tiny;
static char tmp[256];

static void copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	char buf[65536];
	size_t n;
	while (a && b && (n = fread(buf, 1, sizeof buf, a)) > 0)
		fwrite(buf, 1, n, b);
	if (a)
		fclose(a);
	if (b)
		fclose(b);
}

/* A fresh model dir: DIR/config.json from the fixture. */
static void fresh_dir(const char *dir)
{
	char cmd[600], p[512], q[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "rm");
	mkdir(dir, 0777);
	snprintf(p, sizeof p, "%s/config.json", tiny);
	snprintf(q, sizeof q, "%s/config.json", dir);
	copy_file(p, q);
}

enum edit {
	EDIT_NONE,
	EDIT_DROP,         /* drop one tensor */
	EDIT_RESHAPE,      /* wrong shape for one tensor */
	EDIT_I32,          /* one weight stored as I32 */
	EDIT_F16,          /* every weight as f16 */
	EDIT_BF16,         /* every weight as bf16 */
	EDIT_EXTRA,        /* an unused tensor and a position_ids buffer */
};

/* Writes DIR/model.safetensors from the fixture's, edited. */
static void write_model(const char *dir, enum edit e, const char *target)
{
	char src[512], dst[512];
	snprintf(src, sizeof src, "%s/model.safetensors", tiny);
	snprintf(dst, sizeof dst, "%s/model.safetensors", dir);
	struct clx_safetensors *st = NULL;
	CHECK(clx_safetensors_open(ctx, src, &st) == CLX_OK, "open fixture: %s", clx_last_error(ctx));
	int n = st->n_tensors;
	struct clx_st_write_entry *w = calloc((size_t)n + 2, sizeof *w);
	int64_t (*shapes)[CLX_MAX_DIMS] = calloc((size_t)n + 2, sizeof *shapes);
	void **bufs = calloc((size_t)n + 2, sizeof *bufs);
	int k = 0;
	for (int i = 0; i < n; i++) {
		const struct clx_st_tensor *t = &st->tensors[i];
		bool is_target = target && strcmp(t->name, target) == 0;
		if (e == EDIT_DROP && is_target)
			continue;
		memcpy(shapes[k], t->shape, sizeof shapes[k]);
		w[k] = (struct clx_st_write_entry){ t->name, t->dtype, t->n_dims, shapes[k], t->data };
		if (e == EDIT_RESHAPE && is_target)
			shapes[k][0] = 1, shapes[k][1] = t->n_elems; /* same bytes, other shape */
		if (e == EDIT_I32 && is_target)
			w[k].dtype = CLX_DTYPE_I32;
		if (e == EDIT_F16 || e == EDIT_BF16) {
			uint16_t *h = malloc((size_t)t->n_elems * 2 + 2);
			const float *f = (const float *)(const void *)t->data;
			for (int64_t j = 0; j < t->n_elems; j++) {
				uint32_t u;
				memcpy(&u, &f[j], 4);
				/* bf16: truncate; f16: use a value exactly representable */
				h[j] = e == EDIT_BF16 ? (uint16_t)(u >> 16) : (uint16_t)(0x3c00 + (j % 7));
			}
			w[k].dtype = e == EDIT_BF16 ? CLX_DTYPE_BF16 : CLX_DTYPE_F16;
			w[k].data = bufs[k] = h;
		}
		k++;
	}
	static const float extra[3] = { 1, 2, 3 };
	static const int64_t pos[2] = { 1, 3 };
	static const int64_t three[1] = { 3 };
	if (e == EDIT_EXTRA) {
		w[k++] = (struct clx_st_write_entry){ "text_model.embeddings.position_ids", CLX_DTYPE_I64, 1,
						      pos + 1, "\0\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0\2\0\0\0\0\0\0" };
		w[k++] = (struct clx_st_write_entry){ "something.unused", CLX_DTYPE_F32, 1, three, extra };
	}
	CHECK(clx_safetensors_write(ctx, dst, k, w) == CLX_OK, "write %s: %s", dst, clx_last_error(ctx));
	for (int i = 0; i < k; i++)
		free(bufs[i]);
	free(bufs);
	free(shapes);
	free(w);
	clx_safetensors_free(st);
}

static void expect_error(const char *dir, enum clx_status want, const char *needle1, const char *needle2)
{
	struct clx_model *m = (struct clx_model *)1;
	enum clx_status st = clx_model_load(ctx, dir, &m);
	const char *msg = clx_last_error(ctx);
	CHECK(st == want, "load %s: status %s, want %s (%s)", dir, clx_status_name(st),
	      clx_status_name(want), msg);
	CHECK(m == NULL, "no model on failure");
	CHECK(!needle1 || strstr(msg, needle1), "message '%s' lacks '%s'", msg, needle1);
	CHECK(!needle2 || strstr(msg, needle2), "message '%s' lacks '%s'", msg, needle2);
	CHECK(strchr(msg, '\n') == NULL && *msg, "one line: '%s'", msg);
}

static struct clx_model *expect_ok(const char *path)
{
	struct clx_model *m = NULL;
	enum clx_status st = clx_model_load(ctx, path, &m);
	CHECK(st == CLX_OK && m, "load %s: %s", path, clx_last_error(ctx));
	return m;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s TINY_FIXTURE_DIR\n", argv[0]);
		return 2;
	}
	tiny = argv[1];
	ctx = clx_ctx_create();
	snprintf(tmp, sizeof tmp, "/tmp/clx-test-model-%d", (int)getpid());
	mkdir(tmp, 0777);
	char dir[400], path[512];
	snprintf(dir, sizeof dir, "%s/m", tmp);

	/* The fixture itself. */
	struct clx_model *m = expect_ok(tiny);
	if (m) {
		CHECK(m->n_weights == 151, "151 weights, got %d", m->n_weights);
		CHECK(m->n_ignored == 0, "nothing ignored");
		const struct clx_weight *w = clx_model_weight(m, "logit_scale");
		CHECK(w && w->n_dims == 0 && w->data[0] > 2.65f && w->data[0] < 2.66f, "logit_scale scalar");
		clx_model_free(m);
	}

	/* Missing files. */
	expect_error("/nonexistent/model", CLX_ERR_NOT_FOUND, "/nonexistent/model", "not found");
	expect_error("no-such-org/no-such-model", CLX_ERR_NOT_FOUND, "no-such-org/no-such-model",
		     "huggingface-cli download");
	fresh_dir(dir);
	expect_error(dir, CLX_ERR_NOT_FOUND, "model.safetensors", NULL);
	snprintf(path, sizeof path, "%s/pytorch_model.bin", dir);
	test_write_text(path, "not a pickle");
	expect_error(dir, CLX_ERR_UNSUPPORTED, "pytorch_model.bin", "convert");
	snprintf(path, sizeof path, "%s/config.json", dir);
	unlink(path);
	expect_error(dir, CLX_ERR_NOT_FOUND, "config.json", NULL);

	/* Broken config: the config parser's own cases live in test_config. */
	fresh_dir(dir);
	write_model(dir, EDIT_NONE, NULL);
	snprintf(path, sizeof path, "%s/config.json", dir);
	test_write_text(path, "{\"projection_dim\": NaN}");
	expect_error(dir, CLX_ERR_FORMAT, "config.json", "NaN");

	/* Tensor problems, each naming the tensor. */
	const char *victim = "vision_model.encoder.layers.1.mlp.fc1.weight";
	fresh_dir(dir);
	write_model(dir, EDIT_DROP, victim);
	expect_error(dir, CLX_ERR_NOT_FOUND, victim, "[37, 32]");
	fresh_dir(dir);
	write_model(dir, EDIT_RESHAPE, victim);
	expect_error(dir, CLX_ERR_SHAPE, victim, "has shape [1, 1184], config expects [37, 32]");
	fresh_dir(dir);
	write_model(dir, EDIT_I32, victim);
	expect_error(dir, CLX_ERR_UNSUPPORTED, victim, "I32");

	/* Garbage safetensors: the reader's cases live in test_safetensors. */
	fresh_dir(dir);
	snprintf(path, sizeof path, "%s/model.safetensors", dir);
	test_write_text(path, "GIF89a polyglot garbage that is not safetensors at all");
	expect_error(dir, CLX_ERR_FORMAT, "model.safetensors", NULL);

	/* Valid variants. */
	fresh_dir(dir);
	write_model(dir, EDIT_EXTRA, NULL);
	if ((m = expect_ok(dir))) {
		CHECK(m->n_ignored == 1, "one unused tensor (position_ids not counted), got %d", m->n_ignored);
		clx_model_free(m);
	}
	fresh_dir(dir);
	write_model(dir, EDIT_BF16, NULL);
	if ((m = expect_ok(dir))) {
		struct clx_model *ref = expect_ok(tiny);
		const struct clx_weight *a = clx_model_weight(m, victim), *b = clx_model_weight(ref, victim);
		bool same = a && b && a->owned;
		for (int64_t j = 0; same && j < a->n_elems; j++) {
			uint32_t u;
			memcpy(&u, &b->data[j], 4);
			u &= 0xffff0000u;
			float want;
			memcpy(&want, &u, 4);
			same = a->data[j] == want;
		}
		CHECK(same, "bf16 weights widen exactly");
		clx_model_free(ref);
		clx_model_free(m);
	}
	fresh_dir(dir);
	write_model(dir, EDIT_F16, NULL);
	if ((m = expect_ok(dir))) {
		const struct clx_weight *a = clx_model_weight(m, victim);
		CHECK(a && a->data[0] == 1.0f && a->data[1] == 1.0f + 1.0f / 1024, "f16 weights widen exactly");
		clx_model_free(m);
	}

	/* A Hub id in a local HF cache, through each variable in turn. */
	char cache[400], snap[600];
	snprintf(cache, sizeof cache, "%s/hub", tmp);
	snprintf(snap, sizeof snap, "%s/models--acme--xclip-tiny/snapshots/0123abcd", cache);
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s/models--acme--xclip-tiny/refs' && cp '%s/config.json' '%s/model.safetensors' '%s/' && printf 0123abcd > '%s/models--acme--xclip-tiny/refs/main'",
		 snap, cache, tiny, tiny, snap, cache);
	CHECK(system(cmd) == 0, "make cache");
	setenv("HF_HUB_CACHE", cache, 1);
	if ((m = expect_ok("acme/xclip-tiny"))) {
		CHECK(strstr(m->dir, "snapshots/0123abcd") != NULL, "resolved to the snapshot: %s", m->dir);
		clx_model_free(m);
	}
	unsetenv("HF_HUB_CACHE");
	setenv("HF_HOME", tmp, 1);
	if ((m = expect_ok("acme/xclip-tiny")))
		clx_model_free(m);
	expect_error("acme/other", CLX_ERR_NOT_FOUND, "acme/other", "Hugging Face cache");
	unsetenv("HF_HOME");

	/* Every allocation of the loader can fail cleanly. */
	int n_fail = 0;
	for (long n = 1; n < 10000; n++) {
		struct clx_model *mm = NULL;
		alloc_fail_arm(n);
		enum clx_status st = clx_model_load(ctx, tiny, &mm);
		bool fired = alloc_fail_hit();
		alloc_fail_arm(0);
		if (!fired) {
			CHECK(st == CLX_OK, "load without failure");
			clx_model_free(mm);
			break;
		}
		n_fail++;
		if (st != CLX_ERR_NOMEM || mm) {
			CHECK(false, "allocation %ld failed: status %s (%s)", n, clx_status_name(st),
			      clx_last_error(ctx));
			clx_model_free(mm);
		}
	}
	CHECK(n_fail > 10, "allocation failures injected: %d", n_fail);
	printf("model loader: %d allocation-failure points checked\n", n_fail);

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	CHECK(system(cmd) == 0, "cleanup");
	clx_ctx_free(ctx);
	return check_summary();
}
