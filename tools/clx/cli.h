/* cli.h — what the clx subcommands share: argument parsing, exit codes,
 * device selection and .npy input helpers.
 *
 * Exit status (README.md "Commands"): 0 success, 1 failed check (validate),
 * 2 bad usage or bad input, with one line on stderr naming the problem. */
#ifndef CLX_CLI_H
#define CLX_CLI_H

#include "clx/backend.h"
#include "clx/clx.h"
#include "clx/limits.h"
#include "clx/model.h"
#include "clx/npy.h"
#include "clx/tokenizer.h"

#include <stdbool.h>

enum { CLI_OK = 0, CLI_CHECK_FAILED = 1, CLI_BAD_INPUT = 2 };

/* One parsed option list: --name value or --flag, and positionals. */
struct cli_opt {
	const char *name;          /* without "--" */
	bool takes_value;
	const char *value;         /* NULL if absent; "" for a flag present */
};

/* Parses argv against opts (NULL-terminated by name). Positionals are
 * collected into pos (cap max_pos). Prints a usage error and returns false
 * on an unknown option or a missing value. */
bool cli_parse(const char *cmd, int argc, char **argv, struct cli_opt *opts, const char **pos,
	       int max_pos, int *n_pos);
/* A subcommand without positionals: parses, and prints `help` for --help
 * (opts must list "help"). Returns -1 to go on, else the exit status. */
int cli_start(const char *cmd, int argc, char **argv, struct cli_opt *opts, const char *help);
const char *cli_get(const struct cli_opt *opts, const char *name);
bool cli_flag(const struct cli_opt *opts, const char *name);

/* Prints "clx CMD: message" to stderr and returns CLI_BAD_INPUT. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Prints "clx: <ctx's last error>" and returns the exit code for st. */
int cli_fail(struct clx_ctx *ctx, enum clx_status st);

/* clx_backend_open for --device SPEC; a failure's message starts with the flag. */
enum clx_status cli_open_device(struct clx_ctx *ctx, const char *spec, struct clx_backend **out);
/* Rewrites ctx's last error as "<fmt>: <error>", to say which option it concerns. */
void cli_prefix_error(struct clx_ctx *ctx, enum clx_status st, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Creates DIR (one level) if it does not exist. */
enum clx_status cli_ensure_dir(struct clx_ctx *ctx, const char *dir);

/* Loads an integer .npy (i32/i64, any integral dtype the reader gives) of
 * rank 2 as i32, range-checked. */
enum clx_status cli_load_ids(struct clx_ctx *ctx, const char *path, int64_t *rows, int64_t *cols,
			     int32_t **out);

/* JSON on stdout: a string with escapes, and a rows × cols f32 matrix
 * [[...], ...] (row r starts at v + r·stride). */
void cli_json_string(const char *s);
void cli_json_matrix(const float *v, int64_t rows, int64_t cols, int64_t stride);

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

#endif
