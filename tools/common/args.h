/* args.h — what every clx program shares on its command line: option
 * parsing, strict numbers, exit statuses, one-line errors, JSON on stdout,
 * opening --device. Used by clx (tools/clx) and clx-profile (tools/profile).
 *
 * Exit status: 0 success, 1 failed check, 2 bad usage or bad input, with
 * one line on stderr naming the problem, 3 some videos of a run failed
 * (each named on stderr; the others done). */
#ifndef CLX_TOOLS_ARGS_H
#define CLX_TOOLS_ARGS_H

#include "clx/backend.h"
#include "clx/clx.h"

#include <stdbool.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_CHECK_FAILED = 1, CLI_BAD_INPUT = 2, CLI_SOME_FAILED = 3 };

/* One parsed option list: --name value (or --name=value) or --flag, and
 * positionals. "--" ends the options: what follows is positional, even when
 * it starts with "-". An option given twice is an error unless it is
 * marked repeatable. */
struct cli_opt {
	const char *name;          /* without "--" */
	bool takes_value;
	const char *value;         /* NULL if absent; "" for a flag present; the first of a
	                              repeatable option's values */
	bool repeat;               /* may be given more than once: every value in values[] */
	const char **values;       /* n_values values of a repeatable option (cli_release) */
	int n_values;
};

/* Parses argv against opts (NULL-terminated by name). Positionals are
 * collected into pos (cap max_pos). Prints a usage error and returns false
 * on an unknown option, a missing value, a flag given twice or a value for
 * a flag that takes none. */
bool cli_parse(const char *cmd, int argc, char **argv, struct cli_opt *opts, const char **pos,
	       int max_pos, int *n_pos);
/* A subcommand without positionals: parses, and prints `help` for --help
 * (opts must list "help"). Returns -1 to go on, else the exit status. */
int cli_start(const char *cmd, int argc, char **argv, struct cli_opt *opts, const char *help);
const char *cli_get(const struct cli_opt *opts, const char *name);
/* The values of repeatable option `name` (count in *n); NULL when absent. */
const char *const *cli_get_all(const struct cli_opt *opts, const char *name, int *n);
/* Frees what parsing allocated for repeatable options. */
void cli_release(struct cli_opt *opts);
bool cli_flag(const struct cli_opt *opts, const char *name);

/* Prints "clx CMD: message" ("clx-profile: message" when cmd starts with
 * "clx") to stderr and returns CLI_BAD_INPUT. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Prints "clx: <ctx's last error>" and returns the exit code for st. */
int cli_fail(struct clx_ctx *ctx, enum clx_status st);

/* clx_backend_open for --device SPEC [--precision f16|f32] (f16: every
 * OpenCL device SPEC names stores weights as half, SPEC@f16); a failure's
 * message starts with the flag. */
enum clx_status cli_open_device(struct clx_ctx *ctx, const char *spec, const char *precision,
				struct clx_backend **out);
/* --precision P: absent, f32, f16 or f16-math (else CLI_PRECISION_ERROR). */
bool cli_precision_valid(const char *precision);
#define CLI_PRECISION_ERROR "--precision %s: f32 (default), f16 or f16-math"
/* What cli_open_device would refuse, refused now, opening nothing
 * (clx_device_spec_check); *reference: it would run on the CPU reference. */
enum clx_status cli_check_device(struct clx_ctx *ctx, const char *spec, const char *precision,
				 bool *reference);

/* The option and its --help line, for every command that takes --device. */
#define CLI_PRECISION_OPT { "precision", true, NULL }
#define CLI_PRECISION_HELP                                                                  \
	"  --precision P        f32 (default); f16: weights stored as half on the OpenCL\n"  \
	"                       device(s), arithmetic in f32 (also per device: SPEC@f16);\n" \
	"                       f16-math: also the GEMM products in half, where the device\n" \
	"                       has cl_khr_fp16 and they pass a check on first use\n"
/* Rewrites ctx's last error as "<fmt>: <error>", to say which option it concerns. */
void cli_prefix_error(struct clx_ctx *ctx, enum clx_status st, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Option --name, when given, into *out: an integer in [lo, 65536];
 * otherwise *out is left as is. False after a usage error naming it. */
bool cli_count_opt(const char *cmd, const struct cli_opt *opts, const char *name, long long lo,
		   int64_t *out);

/* JSON on stdout: a string with escapes, and a rows × cols f32 matrix
 * [[...], ...] (row r starts at v + r·stride). */
void cli_json_string(const char *s);
/* The same to any stream. */
void cli_json_fstring(FILE *f, const char *s);
void cli_json_matrix(const float *v, int64_t rows, int64_t cols, int64_t stride);

#endif
