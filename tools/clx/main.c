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

/* --------------------------------------------------------------- parsing */

bool cli_parse(const char *cmd, int argc, char **argv, struct cli_opt *opts, const char **pos,
	       int max_pos, int *n_pos)
{
	*n_pos = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (*n_pos >= max_pos) {
				cli_usage_error(cmd, "unexpected argument '%s' (see clx %s --help)", a, cmd);
				return false;
			}
			pos[(*n_pos)++] = a;
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		struct cli_opt *o = opts;
		while (o->name && !(strlen(o->name) == len && strncmp(o->name, name, len) == 0))
			o++;
		if (!o->name) {
			cli_usage_error(cmd, "unknown option '%s' (see clx %s --help)", a, cmd);
			return false;
		}
		if (!o->takes_value) {
			o->value = "";
			continue;
		}
		if (eq) {
			o->value = eq + 1;
		} else if (i + 1 < argc) {
			o->value = argv[++i];
		} else {
			cli_usage_error(cmd, "option --%s needs a value", o->name);
			return false;
		}
	}
	return true;
}

int cli_start(const char *cmd, int argc, char **argv, struct cli_opt *opts, const char *help)
{
	const char *pos[1];
	int n_pos;
	if (!cli_parse(cmd, argc, argv, opts, pos, 0, &n_pos))
		return CLI_BAD_INPUT;
	if (cli_flag(opts, "help")) {
		fputs(help, stdout);
		return CLI_OK;
	}
	return -1;
}

const char *cli_get(const struct cli_opt *opts, const char *name)
{
	for (; opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return opts->value;
	return NULL;
}

bool cli_flag(const struct cli_opt *opts, const char *name)
{
	return cli_get(opts, name) != NULL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "clx %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_BAD_INPUT;
}

int cli_fail(struct clx_ctx *ctx, enum clx_status st)
{
	const char *msg = clx_last_error(ctx);
	fprintf(stderr, "clx: %s\n", msg && *msg ? msg : clx_status_name(st));
	return CLI_BAD_INPUT;
}

/* --------------------------------------------------------------- devices */

enum clx_status cli_open_device(struct clx_ctx *ctx, const char *spec, struct clx_backend **out)
{
	enum clx_status st = clx_backend_open(ctx, spec, out);
	if (st != CLX_OK)
		cli_prefix_error(ctx, st, "--device");
	return st;
}

void cli_prefix_error(struct clx_ctx *ctx, enum clx_status st, const char *fmt, ...)
{
	char what[256], msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof msg, "%s", clx_last_error(ctx));
	clx_fail(ctx, st, "%s: %s", what, msg[0] ? msg : clx_status_name(st));
}

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

void cli_json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

void cli_json_matrix(const float *v, int64_t rows, int64_t cols, int64_t stride)
{
	putchar('[');
	for (int64_t r = 0; r < rows; r++) {
		printf("%s[", r ? ", " : "");
		for (int64_t c = 0; c < cols; c++)
			printf("%s%.9g", c ? ", " : "", v[r * stride + c]);
		putchar(']');
	}
	putchar(']');
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fputs("usage: clx <command> [options]   (clx <command> --help for details)\n"
	      "\n"
	      "commands:\n"
	      "  classify   probabilities of labels for a video file (zero-shot classification)\n"
	      "  embed      video or text embeddings (get_video_features / get_text_features)\n"
	      "  preprocess video file -> pixel_values .npy, as XCLIPProcessor\n"
	      "  run        run XCLIPModel on preprocessed .npy inputs, write outputs as .npy\n"
	      "  profile    performance of the model on every device side by side (clx-profile)\n"
	      "  tokenize   label text -> input_ids and attention mask (JSON), as CLIPTokenizer\n"
	      "  devices    list OpenCL platforms and devices (ids for --device)\n"
	      "  validate   every OpenCL device against the CPU reference (exit 1 on failure)\n"
	      "\n"
	      "clx " CLX_VERSION_STRING ": X-CLIP video-text models on OpenCL devices and a\n"
	      "plain-C reference CPU path. Exit status: 0 ok, 1 failed check, 2 bad usage or input.\n",
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
	fprintf(stderr, "clx: unknown command '%s' (clx --help lists the commands)\n", cmd);
	return CLI_BAD_INPUT;
}
