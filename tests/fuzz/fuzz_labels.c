/* fuzz_labels.c — libFuzzer target for --labels-file and --labels
 * (tools/clx/labels.c): the input as a labels file, and, NUL-terminated,
 * as a comma-separated list. Labels or a message; never a crash, leak or
 * sanitizer report; every label is non-empty with no NUL inside. */
#include "cli.h"
#include "fuzz_input_file.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct cli_labels *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->text[i] || !l->text[i][0])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clx_ctx *ctx = clx_ctx_create();
	const char *path = fuzz_input_file(data, size);
	if (!ctx || !path) {
		clx_ctx_free(ctx);
		return 0;
	}
	struct cli_labels l = { 0 };
	if (cli_labels_read(ctx, path, &l) == CLX_OK) {
		check(&l);
		if (memchr(data, '\0', size))
			abort(); /* a NUL byte must be refused */
	}
	cli_labels_free(&l);
	char *list = malloc(size + 1);
	if (list) {
		memcpy(list, data, size);
		list[size] = '\0';
		struct cli_labels p = { 0 };
		if (cli_labels_parse(ctx, list, &p) == CLX_OK)
			check(&p);
		cli_labels_free(&p);
		free(list);
	}
	clx_ctx_free(ctx);
	return 0;
}
