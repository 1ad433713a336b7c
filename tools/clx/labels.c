/* labels.c — label lists for classify/embed/tokenize: "--labels a,b,c" or
 * --labels-file (one label per line), and their tokenisation with the
 * model's tokenizer (warnings for truncation and literal special tokens). */
#include "cli.h"

#include "clx/limits.h"

#include <stdio.h>
#include <string.h>

void cli_labels_free(struct cli_labels *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		clx_free(l->text[i]);
	clx_free(l->text);
	clx_free(l->buf);
	l->text = NULL;
	l->buf = NULL;
	l->n = 0;
}

static enum clx_status push(struct clx_ctx *ctx, struct cli_labels *l, const char *s, size_t len,
			    const char *where);

enum clx_status cli_labels_add(struct clx_ctx *ctx, struct cli_labels *l, const char *text,
			       const char *where)
{
	return push(ctx, l, text, strlen(text), where);
}

static enum clx_status push(struct clx_ctx *ctx, struct cli_labels *l, const char *s, size_t len,
			    const char *where)
{
	/* trim surrounding spaces and a trailing CR */
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	if (len == 0)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: label %zu is empty", where, l->n + 1);
	if (l->n >= CLX_MAX_TOKENIZER_BATCH)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: more than %d labels", where,
				CLX_MAX_TOKENIZER_BATCH);
	char **t = clx_realloc(l->text, (l->n + 1) * sizeof *t);
	if (!t)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", where);
	l->text = t;
	if (!(t[l->n] = clx_malloc(len + 1)))
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", where);
	memcpy(t[l->n], s, len);
	t[l->n][len] = '\0';
	l->n++;
	return CLX_OK;
}

enum clx_status cli_labels_parse(struct clx_ctx *ctx, const char *list, struct cli_labels *l)
{
	for (const char *p = list;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		enum clx_status st = push(ctx, l, p, len, "--labels");
		if (st != CLX_OK)
			return st;
		if (!comma)
			break;
		p = comma + 1;
	}
	return CLX_OK;
}

enum clx_status cli_labels_read(struct clx_ctx *ctx, const char *path, struct cli_labels *l)
{
	char *buf;
	size_t n;
	enum clx_status st = clx_file_read(ctx, path, CLX_MAX_JSON_FILE, &buf, &n);
	if (st != CLX_OK)
		return st;
	l->buf = buf;
	if (strcmp(path, "-") == 0)
		path = "standard input";
	const char *nul = memchr(buf, '\0', n);
	if (nul) {
		size_t line = 1;
		for (const char *p = buf; p < nul; p++)
			line += *p == '\n';
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s:%zu: a NUL byte inside a label", path, line);
	}
	/* one label per line; blank lines are skipped */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && buf[j] != '\n')
			j++;
		size_t k = i;
		while (k < j && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\r'))
			k++;
		if (k < j && (st = push(ctx, l, buf + i, j - i, path)) != CLX_OK)
			return st;
		i = j + 1;
	}
	if (l->n == 0)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: no labels in the file", path);
	return CLX_OK;
}

enum clx_status cli_labels_tokenize(struct clx_ctx *ctx, const char *model_dir,
				    const struct cli_labels *l, struct clx_tokenizer_batch **out)
{
	struct clx_tokenizer *tok = NULL;
	*out = NULL;
	enum clx_status st = clx_tokenizer_load_dir(ctx, model_dir, &tok);
	if (st != CLX_OK)
		return st;
	st = clx_tokenizer_encode_batch(ctx, tok, (const char *const *)l->text, NULL, l->n, NULL, out);
	if (st == CLX_OK) {
		for (int64_t k = 0; k < (*out)->n_texts; k++) {
			if ((*out)->truncated[k])
				fprintf(stderr, "clx: warning: label %lld (\"%.40s\") has %lld tokens; truncated to %lld\n",
					(long long)k + 1, l->text[k], (long long)(*out)->full_lengths[k],
					(long long)(*out)->lengths[k]);
			if ((*out)->special_literal[k])
				fprintf(stderr, "clx: warning: label %lld (\"%.40s\") contains a literal special token "
						"(<|endoftext|>); the model reads only up to the first one\n",
					(long long)k + 1, l->text[k]);
		}
	}
	clx_tokenizer_free(tok);
	return st;
}
