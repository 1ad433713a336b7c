/* main.c — the clx command line: dispatch to subcommands and the helpers
 * they share (cli.h). Each subcommand lives in its own cmd_*.c. */
#include "cli.h"
#include "profile.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ files */

enum clx_status cli_ensure_dir(struct clx_ctx *ctx, const char *dir)
{
	struct stat sb;
	if (stat(dir, &sb) == 0)
		return S_ISDIR(sb.st_mode) ? CLX_OK
					   : clx_fail(ctx, CLX_ERR_IO, "%s: exists and is not a directory", dir);
	if (mkdir(dir, 0777) != 0)
		return clx_fail(ctx, CLX_ERR_IO, "%s: cannot create directory: %s", dir, strerror(errno));
	return CLX_OK;
}

enum clx_status cli_load_ids(struct clx_ctx *ctx, const char *path, int64_t *rows, int64_t *cols,
			     int32_t **out)
{
	struct clx_npy a = { 0 };
	*out = NULL;
	enum clx_status st = clx_npy_load(ctx, path, &a);
	if (st != CLX_OK)
		return st;
	if (a.n_dims != 2 || (a.dtype != CLX_DTYPE_I64 && a.dtype != CLX_DTYPE_I32)) {
		st = clx_fail(ctx, CLX_ERR_SHAPE, "%s: expected a 2-D integer array (K, L), got %d-D %s", path,
			      a.n_dims, clx_dtype_name(a.dtype));
		goto done;
	}
	int32_t *ids = clx_malloc((size_t)a.n_elems * sizeof *ids + 1);
	if (!ids) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", path);
		goto done;
	}
	for (int64_t i = 0; i < a.n_elems; i++) {
		int64_t v = a.dtype == CLX_DTYPE_I64 ? ((const int64_t *)a.data)[i] : ((const int32_t *)a.data)[i];
		if (v < INT32_MIN || v > INT32_MAX) {
			clx_free(ids);
			st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: value %lld at flat index %lld is out of range",
				      path, (long long)v, (long long)i);
			goto done;
		}
		ids[i] = (int32_t)v;
	}
	*rows = a.shape[0];
	*cols = a.shape[1];
	*out = ids;
done:
	clx_npy_release(&a);
	return st;
}

enum clx_status cli_inputs_load(struct clx_ctx *ctx, const struct clx_model *m, const char *px_path,
				const char *ids_path, const char *mask_path, struct cli_inputs *in)
{
	const struct clx_vision_config *v = &m->cfg.vision;
	enum clx_status st = clx_npy_load(ctx, px_path, &in->px);
	if (st != CLX_OK)
		return st;
	const struct clx_npy *px = &in->px;
	/* X-CLIP: (B, T, C, S, S); CLIP: (B, C, S, S), an image is one frame */
	const bool clip = m->kind == CLX_MODEL_CLIP;
	const int f = clip ? 0 : 1; /* where C sits after B and T */
	if (px->dtype != CLX_DTYPE_F32 || px->n_dims != (clip ? 4 : 5) || px->shape[0] < 1 ||
	    (!clip && px->shape[1] != v->num_frames) || px->shape[1 + f] != v->num_channels ||
	    px->shape[2 + f] != v->image_size || px->shape[3 + f] != v->image_size) {
		char got[160], want[96];
		if (clip)
			snprintf(want, sizeof want, "(B, %d, %d, %d)", v->num_channels, v->image_size,
				 v->image_size);
		else
			snprintf(want, sizeof want, "(B, %d, %d, %d, %d)", v->num_frames, v->num_channels,
				 v->image_size, v->image_size);
		return clx_fail(ctx, CLX_ERR_SHAPE,
				"%s: pixel_values must be float %s for this model, got %s %s", px_path,
				want, clx_dtype_name(px->dtype),
				clx_shape_str(got, sizeof got, px->n_dims, px->shape));
	}
	in->shape.B = px->shape[0];
	in->shape.T = clip ? 1 : px->shape[1];
	in->pixels = px->data;
	if ((st = cli_load_ids(ctx, ids_path, &in->shape.K, &in->shape.L, &in->ids)) != CLX_OK)
		return st;
	if (mask_path) {
		int64_t mk, ml;
		if ((st = cli_load_ids(ctx, mask_path, &mk, &ml, &in->mask)) != CLX_OK)
			return st;
		if (mk != in->shape.K || ml != in->shape.L)
			return clx_fail(ctx, CLX_ERR_SHAPE,
					"%s: shape (%lld, %lld) differs from input_ids (%lld, %lld)", mask_path,
					(long long)mk, (long long)ml, (long long)in->shape.K,
					(long long)in->shape.L);
	}
	return clx_xclip_check_text(ctx, m, &in->shape, in->ids, in->mask);
}

enum clx_status cli_vision_input(struct clx_ctx *ctx, const struct cli_opt *opts,
				    const struct clx_model *m, const char **path)
{
	const char *video = cli_get(opts, "video"), *image = cli_get(opts, "image");
	const bool clip = m->kind == CLX_MODEL_CLIP;
	*path = clip ? image : video;
	if (clip && video)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"--video %s: %s is a CLIP model, which takes images: give --image", video,
				m->dir);
	if (!clip && image)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"--image %s: %s is an X-CLIP model, which takes videos: give --video", image,
				m->dir);
	return CLX_OK;
}

void cli_inputs_release(struct cli_inputs *in)
{
	clx_free(in->owned_px);
	clx_npy_release(&in->px);
	clx_free(in->ids);
	clx_free(in->mask);
	memset(in, 0, sizeof *in);
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fputs("usage: clx <command> [options]   (clx <command> --help for details)\n"
	      "\n"
	      "commands:\n"
	      "  classify   probabilities of labels for videos (X-CLIP) or images (CLIP)\n"
	      "  embed      video, image or text embeddings (get_*_features)\n"
	      "  preprocess video or image file -> pixel_values .npy, as XCLIPProcessor / CLIPProcessor\n"
	      "  run        run XCLIPModel or CLIPModel on preprocessed .npy inputs, write .npy outputs\n"
	      "  profile    performance of the model on every device side by side (clx-profile)\n"
	      "  tokenize   label text -> input_ids and attention mask (JSON), as CLIPTokenizer\n"
	      "  tune       choose the fastest exact GEMM and attention kernels per shape for a device\n"
	      "  devices    list OpenCL platforms and devices (ids for --device)\n"
	      "  validate   every OpenCL device against the CPU reference (exit 1 on failure)\n"
	      "\n"
	      "clx " CLX_VERSION_STRING ": X-CLIP video-text models on OpenCL devices and a\n"
	      "plain-C reference CPU path. Exit status: 0 ok, 1 failed check, 2 bad usage or input,\n"
	      "3 some videos of a collection failed.\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_BAD_INPUT;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("clx %s\n", CLX_VERSION_STRING);
		return CLI_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(cmd, "profile") == 0)
		return prof_main("clx profile", true, argc - 2, argv + 2);
	if (strcmp(cmd, "tokenize") == 0)
		return cmd_tokenize(argc - 2, argv + 2);
	if (strcmp(cmd, "classify") == 0)
		return cmd_classify(argc - 2, argv + 2);
	if (strcmp(cmd, "preprocess") == 0)
		return cmd_preprocess(argc - 2, argv + 2);
	if (strcmp(cmd, "embed") == 0)
		return cmd_embed(argc - 2, argv + 2);
	if (strcmp(cmd, "devices") == 0)
		return cmd_devices(argc - 2, argv + 2);
	if (strcmp(cmd, "validate") == 0)
		return cmd_validate(argc - 2, argv + 2);
	if (strcmp(cmd, "tune") == 0)
		return cmd_tune(argc - 2, argv + 2);
	fprintf(stderr, "clx: unknown command '%s' (clx --help lists the commands)\n", cmd);
	return CLI_BAD_INPUT;
}
