/* classify_videos.c — zero-shot classification of a few videos through the
 * C API, as a program embeds clx instead of running `clx classify`:
 *
 *   classify_videos MODEL_DIR DEVICE "label a,label b,..." VIDEO...
 *
 * The first video goes through clx_classifier_classify, the rest through one
 * clx_classifier_classify_batch. For each video it prints one line per
 * label, in the order given:  PATH <tab> LABEL <tab> PROBABILITY
 * or, for a video that failed:  PATH <tab> error <tab> MESSAGE
 * Exit status: 0 all classified, 3 some video failed, 1 anything else.
 */
#include <clx/backend.h>
#include <clx/classifier.h>
#include <clx/clx.h>
#include <clx/model.h>
#include <clx/tokenizer.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LABELS = 64 };

static int report(const struct clx_video_item *it, char *const *labels)
{
	if (it->status != CLX_OK) {
		printf("%s\terror\t%s\n", it->path, it->error);
		return 1;
	}
	for (int64_t k = 0; k < it->n; k++)
		printf("%s\t%s\t%.9g\n", it->path, labels[k], it->probs[k]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s MODEL_DIR DEVICE \"label a,label b\" VIDEO...\n", argv[0]);
		return 1;
	}
	/* the labels: split the comma-separated list in place */
	char *labels[MAX_LABELS];
	size_t n_labels = 0;
	for (char *s = argv[3], *save = NULL, *t; (t = strtok_r(s, ",", &save)); s = NULL) {
		while (*t == ' ')
			t++;
		if (n_labels == MAX_LABELS) {
			fprintf(stderr, "at most %d labels\n", MAX_LABELS);
			return 1;
		}
		labels[n_labels++] = t;
	}

	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_model *m = NULL;
	struct clx_backend *be = NULL;
	struct clx_tokenizer *tok = NULL;
	struct clx_tokenizer_batch *tokens = NULL;
	struct clx_classifier *c = NULL;
	struct clx_video_item *items = NULL;
	size_t n = (size_t)argc - 4;
	int rc = 1;

	if (!ctx || clx_model_load(ctx, argv[1], &m) != CLX_OK ||
	    clx_backend_open(ctx, argv[2], &be) != CLX_OK ||
	    clx_tokenizer_load_dir(ctx, m->dir, &tok) != CLX_OK ||
	    clx_tokenizer_encode_batch(ctx, tok, (const char *const *)labels, NULL, n_labels, NULL,
				       &tokens) != CLX_OK)
		goto out;
	struct clx_classifier_opts opts;
	clx_classifier_opts_default(m, &opts);
	if (clx_classifier_create(ctx, m, be, tokens, &opts, &c) != CLX_OK)
		goto out;
	if (!(items = calloc(n, sizeof *items)))
		goto out;
	if (clx_classifier_classify(ctx, c, argv[4], &items[0]) != CLX_OK)
		goto out;
	if (n > 1 && clx_classifier_classify_batch(ctx, c, (const char *const *)argv + 5, n - 1,
						   items + 1) != CLX_OK)
		goto out;
	int failed = 0;
	for (size_t i = 0; i < n; i++)
		failed |= report(&items[i], labels);
	rc = failed ? 3 : 0;
out:
	if (rc == 1)
		fprintf(stderr, "classify_videos: %s\n", ctx ? clx_last_error(ctx) : "out of memory");
	for (size_t i = 0; items && i < n; i++)
		clx_video_item_release(&items[i]);
	free(items);
	clx_classifier_free(c);
	clx_tokenizer_batch_free(tokens);
	clx_tokenizer_free(tok);
	clx_backend_free(be);
	clx_model_free(m);
	clx_ctx_free(ctx);
	return rc;
}
