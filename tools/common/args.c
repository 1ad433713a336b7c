/* args.c — what every clx program shares on its command line (args.h):
 * option parsing, strict numbers, exit statuses and one-line errors, JSON
 * printing on stdout. Used by clx and clx-profile. */
#include "args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --------------------------------------------------------------- parsing */

/* "clx validate" for a subcommand, the program itself for "clx-profile". */
static void prog_name(const char *cmd, char *buf, size_t cap)
{
	snprintf(buf, cap, strncmp(cmd, "clx", 3) == 0 ? "%s" : "clx %s", cmd);
}

bool cli_parse(const char *cmd, int argc, char **argv, struct cli_opt *opts, const char **pos,
	       int max_pos, int *n_pos)
{
	char prog[64];
	prog_name(cmd, prog, sizeof prog);
	*n_pos = 0;
	bool options = true;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (options && strcmp(a, "--") == 0) {
			options = false; /* everything after is positional */
			continue;
		}
		if (!options || strncmp(a, "--", 2) != 0) {
			if (*n_pos >= max_pos) {
				cli_usage_error(cmd, "unexpected argument '%s' (see %s --help)", a, prog);
				return false;
			}
			pos[(*n_pos)++] = a;
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		const size_t len = eq ? (size_t)(eq - name) : strlen(name);
		struct cli_opt *o = opts;
		while (o->name && !(strlen(o->name) == len && strncmp(o->name, name, len) == 0))
			o++;
		if (!o->name) {
			cli_usage_error(cmd, "unknown option '%s' (see %s --help)", a, prog);
			return false;
		}
		if (o->value && !o->repeat) {
			cli_usage_error(cmd, "option --%s given twice", o->name);
			return false;
		}
		if (!o->takes_value) {
			if (eq) {
				cli_usage_error(cmd, "option --%s takes no value", o->name);
				return false;
			}
			o->value = "";
			continue;
		}
		const char *v;
		if (eq) {
			v = eq + 1;
		} else if (i + 1 < argc) {
			v = argv[++i];
		} else {
			cli_usage_error(cmd, "option --%s needs a value", o->name);
			return false;
		}
		if (!o->value)
			o->value = v;
		if (o->repeat) {
			const char **all = realloc(o->values, (size_t)(o->n_values + 1) * sizeof *all);
			if (!all) {
				cli_usage_error(cmd, "out of memory");
				return false;
			}
			o->values = all;
			o->values[o->n_values++] = v;
		}
	}
	return true;
}

const char *const *cli_get_all(const struct cli_opt *opts, const char *name, int *n)
{
	for (; opts->name; opts++)
		if (strcmp(opts->name, name) == 0) {
			*n = opts->n_values;
			return opts->values;
		}
	*n = 0;
	return NULL;
}

void cli_release(struct cli_opt *opts)
{
	for (; opts->name; opts++) {
		free(opts->values);
		opts->values = NULL;
		opts->n_values = 0;
	}
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
	char prog[64];
	va_list ap;
	prog_name(cmd, prog, sizeof prog);
	fprintf(stderr, "%s: ", prog);
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

bool cli_precision_valid(const char *precision)
{
	return !precision || strcmp(precision, "f32") == 0 || strcmp(precision, "f16") == 0 ||
	       strcmp(precision, "f16-math") == 0;
}

/* spec with "@f16" (or "@f16-math") after every OpenCL device it names
 * (each part of a placement); the CPU reference keeps f32. */
static enum clx_status with_precision(struct clx_ctx *ctx, const char *spec, const char *precision,
				      char *out, size_t cap)
{
	if (!spec)
		spec = "cpu";
	if (!precision || strcmp(precision, "f32") == 0) {
		snprintf(out, cap, "%s", spec);
		return CLX_OK;
	}
	if (!cli_precision_valid(precision))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, CLI_PRECISION_ERROR, precision);
	size_t len = 0;
	bool any = false;
	for (const char *p = spec; *p && len + 1 < cap;) {
		const size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n), *dev = eq ? eq + 1 : p;
		const size_t dn = n - (size_t)(dev - p);
		const bool cpu = dn == 3 && strncmp(dev, "cpu", 3) == 0;
		const bool has = memchr(dev, '@', dn) != NULL;
		len += (size_t)snprintf(out + len, cap - len, "%s%.*s%s%s", len ? "," : "", (int)n, p,
					cpu || has ? "" : "@", cpu || has ? "" : precision);
		any |= !cpu;
		p += n + (p[n] == ',');
	}
	if (len + 1 >= cap)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "--device %s: too long", spec);
	if (!any)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"--precision f16: the CPU reference keeps f32 weights; name an OpenCL device "
				"with --device");
	return CLX_OK;
}

enum clx_status cli_check_device(struct clx_ctx *ctx, const char *spec, const char *precision,
				 bool *reference)
{
	char full[512];
	enum clx_status st = with_precision(ctx, spec, precision, full, sizeof full);
	if (st == CLX_OK && (st = clx_device_spec_check(ctx, full, reference)) != CLX_OK)
		cli_prefix_error(ctx, st, "--device");
	return st;
}

enum clx_status cli_open_device(struct clx_ctx *ctx, const char *spec, const char *precision,
				struct clx_backend **out)
{
	char full[512];
	*out = NULL;
	enum clx_status st = with_precision(ctx, spec, precision, full, sizeof full);
	if (st != CLX_OK)
		return st;
	st = clx_backend_open(ctx, full, out);
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

/* ------------------------------------------------------------------ JSON */

void cli_json_fstring(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void cli_json_string(const char *s)
{
	cli_json_fstring(stdout, s);
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


bool cli_count_opt(const char *cmd, const struct cli_opt *opts, const char *name, long long lo,
		   int64_t *out)
{
	const char *v = cli_get(opts, name);
	long long n;
	if (!v)
		return true;
	if (!clx_parse_int(v, lo, 65536, &n)) {
		char prog[64];
		prog_name(cmd, prog, sizeof prog);
		cli_usage_error(cmd, "--%s needs an integer in [%lld, 65536], got %s (see %s --help)", name,
				lo, v, prog);
		return false;
	}
	*out = n;
	return true;
}
