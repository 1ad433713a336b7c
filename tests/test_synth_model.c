/* test_synth_model.c — clx_synth_write_model against the Python generator.
 *
 * argv[1] is tests/fixtures/tiny (config.json + model.safetensors written by
 * tools/dev/gen_fixtures.py with seed 1); argv[2] a scratch folder. The C writer
 * must produce the same tensor names, shapes, dtypes and bytes — which also
 * checks clx_model_for_each_param against transformers' state_dict for the
 * tiny config. A different seed must change the data. */
#include "alloc_fail.h"
#include "check.h"

#include "clx/config.h"
#include "clx/safetensors.h"
#include "clx/synth.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static void compare(const struct clx_safetensors *got, const struct clx_safetensors *ref)
{
	int same_data = 0;
	CHECK(got->n_tensors == ref->n_tensors, "tensor count %d, Python %d", got->n_tensors,
	      ref->n_tensors);
	for (int i = 0; i < ref->n_tensors; i++) {
		const struct clx_st_tensor *r = &ref->tensors[i];
		const struct clx_st_tensor *g = clx_safetensors_find(got, r->name);
		CHECK(g != NULL, "'%s' missing from the C file", r->name);
		if (!g)
			continue;
		bool shape_ok = g->dtype == r->dtype && g->n_dims == r->n_dims &&
				memcmp(g->shape, r->shape, (size_t)r->n_dims * sizeof r->shape[0]) == 0;
		CHECK(shape_ok, "'%s': dtype/shape differ", r->name);
		if (shape_ok && g->n_bytes == r->n_bytes && memcmp(g->data, r->data, r->n_bytes) == 0)
			same_data++;
		else
			CHECK(0, "'%s': data differs", r->name);
	}
	printf("  %d of %d tensors byte-identical to tools/dev/gen_fixtures.py\n", same_data, ref->n_tensors);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: test_synth_model tests/fixtures/tiny SCRATCH_DIR\n");
		return 2;
	}
	char cfg_path[4096], ref_path[4096], out_path[4096];
	snprintf(cfg_path, sizeof cfg_path, "%s/config.json", argv[1]);
	snprintf(ref_path, sizeof ref_path, "%s/model.safetensors", argv[1]);
	snprintf(out_path, sizeof out_path, "%s/model.safetensors", argv[2]);
	CHECK(mkdir(argv[2], 0777) == 0 || errno == EEXIST, "mkdir %s", argv[2]);

	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_model_config cfg;
	struct clx_safetensors *ref = NULL, *got = NULL;
	enum clx_status st = clx_config_load(ctx, cfg_path, &cfg);
	CHECK(st == CLX_OK, "config: %s", clx_last_error(ctx));
	if (st == CLX_OK) {
		st = clx_synth_write_model(ctx, &cfg, 1, argv[2]);
		CHECK(st == CLX_OK, "write: %s", clx_last_error(ctx));
	}
	if (st == CLX_OK) {
		CHECK(clx_safetensors_open(ctx, ref_path, &ref) == CLX_OK, "%s", clx_last_error(ctx));
		CHECK(clx_safetensors_open(ctx, out_path, &got) == CLX_OK, "%s", clx_last_error(ctx));
	}
	if (ref && got)
		compare(got, ref);
	clx_safetensors_free(got);
	got = NULL;

	/* another seed: same names, different data */
	if (ref && clx_synth_write_model(ctx, &cfg, 2, argv[2]) == CLX_OK &&
	    clx_safetensors_open(ctx, out_path, &got) == CLX_OK) {
		const struct clx_st_tensor *a = clx_safetensors_find(got, "text_projection.weight");
		const struct clx_st_tensor *b = clx_safetensors_find(ref, "text_projection.weight");
		CHECK(a && b && a->n_bytes == b->n_bytes && memcmp(a->data, b->data, a->n_bytes) != 0,
		      "seed 2 differs from seed 1");
	} else {
		CHECK(0, "seed 2: %s", clx_last_error(ctx));
	}

	/* every allocation of the writer (and of the safetensors writer) can fail:
	 * a clean CLX_ERR_NOMEM or CLX_ERR_IO, never a crash or a leak (ASan) */
	int fired = 0, n_ok = 0;
	for (long n = 1; n < 1000; n++) {
		alloc_fail_arm(n);
		enum clx_status s = clx_synth_write_model(ctx, &cfg, 1, argv[2]);
		int hit = alloc_fail_hit();
		alloc_fail_arm(0);
		if (!hit) {
			n_ok = s == CLX_OK;
			break;
		}
		fired++;
		CHECK(s != CLX_OK, "allocation %ld failed but the writer returned ok", n);
	}
	CHECK(fired > 0 && n_ok, "fault injection: %d failures handled, then success", fired);
	printf("  %d injected allocation failures handled\n", fired);

	/* bad arguments are a status, not a crash */
	CHECK(clx_synth_write_model(ctx, NULL, 1, argv[2]) == CLX_ERR_INVALID_ARG, "NULL config");
	CHECK(clx_synth_write_model(ctx, &cfg, 1, "/nonexistent-clx-dir/x") != CLX_OK,
	      "missing folder fails");

	clx_safetensors_free(got);
	clx_safetensors_free(ref);
	clx_ctx_free(ctx);
	return check_summary();
}
