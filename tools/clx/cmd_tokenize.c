/* cmd_tokenize.c — `clx tokenize`: label text → input_ids and attention
 * mask as transformers' CLIPTokenizer(padding=True, truncation=True) gives
 * them, printed as one JSON document. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

static const char help[] =
	"usage: clx tokenize --model M [--max-length N] [--pad-to-max] \"text\" ...\n"
	"\n"
	"Tokenises each text with the model's vocab.json + merges.txt exactly as\n"
	"transformers' CLIPTokenizer, pads to the longest (or to --max-length with\n"
	"--pad-to-max) with <|endoftext|>, truncates to --max-length (default the\n"
	"tokenizer's model_max_length, 77), and prints\n"
	"  {\"input_ids\": [[...], ...], \"attention_mask\": [[...], ...], \"lengths\": [...],\n"
	"   \"truncated\": [...]}\n"
	"  --model M   model directory or Hub id in the local Hugging Face cache\n";

static void print_matrix(const char *name, const int32_t *v, int64_t rows, int64_t cols)
{
	printf("  \"%s\": [", name);
	for (int64_t r = 0; r < rows; r++) {
		printf("%s[", r ? ", " : "");
		for (int64_t c = 0; c < cols; c++)
			printf("%s%d", c ? ", " : "", v[r * cols + c]);
		printf("]");
	}
	printf("]");
}

int cmd_tokenize(int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ "model", true, NULL }, { "max-length", true, NULL }, { "pad-to-max", false, NULL },
		{ "help", false, NULL }, { NULL, false, NULL },
	};
	const char **texts = clx_calloc((size_t)argc + 1, sizeof *texts);
	int n_texts = 0;
	if (!texts)
		return cli_usage_error("tokenize", "out of memory");
	if (!cli_parse("tokenize", argc, argv, opts, texts, argc, &n_texts)) {
		clx_free(texts);
		return CLI_BAD_INPUT;
	}
	if (cli_flag(opts, "help")) {
		clx_free(texts);
		fputs(help, stdout);
		return CLI_OK;
	}
	const char *model = cli_get(opts, "model"), *max_len = cli_get(opts, "max-length");
	if (!model || n_texts == 0) {
		clx_free(texts);
		return cli_usage_error("tokenize", "needs --model M and at least one text (see clx tokenize --help)");
	}
	struct clx_tokenizer_batch_opts bo = { 0, cli_flag(opts, "pad-to-max") };
	if (max_len) {
		long long v;
		if (!clx_parse_int(max_len, 2, CLX_MAX_TOKENS, &v)) {
			clx_free(texts);
			return cli_usage_error("tokenize", "--max-length %s: need an integer in [2, %d]", max_len,
					       CLX_MAX_TOKENS);
		}
		bo.max_length = (size_t)v;
	}

	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_tokenizer *tok = NULL;
	struct clx_tokenizer_batch *b = NULL;
	char dir[4096];
	int rc = CLI_OK;
	enum clx_status st = clx_model_resolve(ctx, model, dir, sizeof dir);
	if (st == CLX_OK)
		st = clx_tokenizer_load_dir(ctx, dir, &tok);
	if (st == CLX_OK)
		st = clx_tokenizer_encode_batch(ctx, tok, texts, NULL, (size_t)n_texts, &bo, &b);
	if (st != CLX_OK) {
		rc = cli_fail(ctx, st);
	} else {
		printf("{\n");
		print_matrix("input_ids", b->input_ids, b->n_texts, b->seq_len);
		printf(",\n");
		print_matrix("attention_mask", b->attention_mask, b->n_texts, b->seq_len);
		printf(",\n  \"lengths\": [");
		for (int64_t k = 0; k < b->n_texts; k++)
			printf("%s%lld", k ? ", " : "", (long long)b->lengths[k]);
		printf("],\n  \"truncated\": [");
		for (int64_t k = 0; k < b->n_texts; k++)
			printf("%s%s", k ? ", " : "", b->truncated[k] ? "true" : "false");
		printf("]\n}\n");
	}
	clx_tokenizer_batch_free(b);
	clx_tokenizer_free(tok);
	clx_ctx_free(ctx);
	clx_free(texts);
	return rc;
}
