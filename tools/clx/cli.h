/* cli.h — what the clx subcommands share: argument parsing, exit codes,
 * device selection and .npy input helpers.
 *
 * Exit status (README.md "Commands"): 0 success, 1 failed check (validate),
 * 2 bad usage or bad input, with one line on stderr naming the problem. */
#ifndef CLX_CLI_H
#define CLX_CLI_H

#include "args.h"

#include "clx/backend.h"
#include "clx/clx.h"
#include "clx/limits.h"
#include "clx/model.h"
#include "clx/npy.h"
#include "clx/tokenizer.h"
#include "clx/xclip.h"

#include <stdbool.h>

/* Creates DIR (one level) if it does not exist. */
enum clx_status cli_ensure_dir(struct clx_ctx *ctx, const char *dir);

/* Loads an integer .npy (i32/i64, any integral dtype the reader gives) of
 * rank 2 as i32, range-checked. */
enum clx_status cli_load_ids(struct clx_ctx *ctx, const char *path, int64_t *rows, int64_t *cols,
			     int32_t **out);

/* The model inputs of `clx run` and `clx validate`: pixel_values
 * (B, T, C, S, S) f32, input_ids and attention_mask (K, L). */
struct cli_inputs {
	struct clx_npy px;            /* from --pixel-values */
	float *owned_px;              /* or decoded here (validate --video) */
	const float *pixels;          /* whichever of the two */
	int32_t *ids, *mask;          /* mask NULL: all ones */
	struct clx_xclip_shape shape;
};
/* From .npy files (mask_path may be NULL), each checked against the model:
 * errors name the file and the shape it needs. */
/* The one vision input of preprocess, embed and validate: --video for an
 * X-CLIP model, --image for a CLIP model (*path NULL when absent; an error
 * says which the model takes when the other is given). */
enum clx_status cli_vision_input(struct clx_ctx *ctx, const struct cli_opt *opts,
				 const struct clx_model *m, const char **path);
enum clx_status cli_inputs_load(struct clx_ctx *ctx, const struct clx_model *m, const char *px_path,
				const char *ids_path, const char *mask_path, struct cli_inputs *in);
void cli_inputs_release(struct cli_inputs *in);

/* Labels from "--labels a,b,c" (comma-separated) or a file (one per line,
 * blank lines skipped). Surrounding spaces are trimmed; an empty label is
 * an error naming its position. */
struct cli_labels {
	char **text;
	size_t n;
	char *buf;               /* file contents, when read from a file */
};
enum clx_status cli_labels_parse(struct clx_ctx *ctx, const char *list, struct cli_labels *l);
enum clx_status cli_labels_read(struct clx_ctx *ctx, const char *path, struct cli_labels *l);
/* One more label (trimmed; empty is an error naming `where`). */
enum clx_status cli_labels_add(struct clx_ctx *ctx, struct cli_labels *l, const char *text,
			       const char *where);
void cli_labels_free(struct cli_labels *l);
/* Tokenises with the model directory's vocab.json + merges.txt, padding to
 * the longest label; warns on stderr for truncated labels and literal
 * special tokens. */
enum clx_status cli_labels_tokenize(struct clx_ctx *ctx, const char *model_dir,
				    const struct cli_labels *l, struct clx_tokenizer_batch **out);

int cmd_run(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_preprocess(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_tune(int argc, char **argv);

#endif
