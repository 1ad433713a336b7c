/* classifier.c — many videos against one label set (classifier.h).
 *
 * Creating it runs the text tower once (or reads the label cache). A run
 * then works as a bounded pipeline:
 *
 *   workers (decode_threads)            the calling thread
 *   ------------------------            ------------------
 *   next() one at a time → seq          takes slots seq = head, head+1, …
 *   decode + preprocess into            in order as they become READY,
 *   slots[seq % window]                 frees each, gathers up to B decoded
 *   (waits while seq − head ≥ window)   videos, runs one forward, calls done
 *
 * so at most `window` decoded videos exist at any time, and items leave in
 * input order whatever order the workers finish in. Sessions are built per
 * batch size on first use: the full B, and the smaller last batch. */
#include "clx/classifier.h"

#include "clx/pipeline.h"
#include "label_cache.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 256
#define MAX_THREADS 64
/* Labels per text-tower forward by default: the text tower's activations
 * are those of 256 labels, whatever K (docs/SECURITY.md has the peaks). */
#define TEXT_CHUNK 256

/* ------------------------------------------------------------ options */

void clx_classifier_opts_default(const struct clx_model *m, struct clx_classifier_opts *o)
{
	memset(o, 0, sizeof *o);
	clx_video_opts_default(&o->video);
	o->video.n_frames = m->cfg.vision.num_frames;
}

int64_t clx_classifier_default_batch(const struct clx_backend *be)
{
	return clx_backend_device(be)->reference ? 1 : 8;
}

static int default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 4 ? 4 : (int)n;
}

void clx_video_item_release(struct clx_video_item *it)
{
	if (!it)
		return;
	clx_free(it->logits);
	clx_free(it->probs);
	clx_free(it->embedding);
	clx_video_release(&it->video);
	it->logits = it->probs = it->embedding = NULL;
}

/* ------------------------------------------------------------ classifier */

struct batch_session {
	int64_t B;
	struct clx_session *s;
	struct clx_xclip_graph xg;
};

struct clx_classifier {
	const struct clx_model *m;
	struct clx_backend *be;
	struct clx_classifier_opts o;
	struct clx_video_input video;  /* o.video checked, the processor config */
	int64_t K, P, B, frame_floats; /* frame_floats: one video's pixel values */
	float *text;                   /* (K, P) text features; NULL for embed */
	const char *text_source;
	struct batch_session sess[2];  /* [0] the full B, [1] a smaller last batch */
	float *px;                     /* (B, T, C, S, S) the forward's input */
	float *out;                    /* (B, K) logits or (B, P) features */
};

/* The text tower over the labels in chunks of TEXT_CHUNK, so that its
 * activations are bounded by the chunk, not K. Each label's features
 * depend only on its own row, so the chunks give one pass's values
 * (tests/test_classify.c checks the bits on each device). */
static enum clx_status text_tower_chunked(struct clx_ctx *ctx, struct clx_classifier *c,
					  const struct clx_tokenizer_batch *labels)
{
	const int64_t K = labels->n_texts, L = labels->seq_len;
	const int64_t chunk = c->o.text_chunk > 0 ? c->o.text_chunk : TEXT_CHUNK;
	struct clx_session *s = NULL;
	struct clx_xclip_graph xg;
	int64_t built = 0; /* the K of session s */
	enum clx_status st = CLX_OK;
	for (int64_t k0 = 0; k0 < K && st == CLX_OK; k0 += chunk) {
		const int64_t n = K - k0 < chunk ? K - k0 : chunk;
		if (n != built) {
			clx_session_free(s);
			s = NULL;
			const struct clx_xclip_shape shape = { .B = 1, .T = c->m->cfg.vision.num_frames,
							       .K = n, .L = L };
			if ((st = clx_pipeline_session(ctx, c->m, c->be, CLX_XCLIP_TEXT_FEATURES, &shape, 0,
						       &xg, &s)) != CLX_OK)
				break;
			built = n;
		}
		if ((st = clx_pipeline_set_inputs(ctx, s, &xg, NULL, labels->input_ids + k0 * L,
						  labels->attention_mask + k0 * L)) == CLX_OK &&
		    (st = clx_session_run(ctx, s, NULL, NULL)) == CLX_OK)
			st = clx_session_read(ctx, s, xg.text_features, c->text + k0 * c->P);
	}
	clx_session_free(s);
	return st;
}

/* The text tower once: get_text_features (K, P), from the label cache when
 * it holds them. */
static enum clx_status text_features(struct clx_ctx *ctx, struct clx_classifier *c,
				     const struct clx_tokenizer_batch *labels)
{
	const struct clx_xclip_shape shape = { .B = 1, .T = c->m->cfg.vision.num_frames,
					       .K = labels->n_texts, .L = labels->seq_len };
	enum clx_status st = clx_xclip_check_text(ctx, c->m, &shape, labels->input_ids,
						  labels->attention_mask);
	if (st != CLX_OK)
		return st;
	if (!(c->text = clx_malloc((size_t)(c->K * c->P) * sizeof *c->text)))
		return clx_fail(ctx, CLX_ERR_NOMEM, "text features: out of memory");
	char key[CLX_LABEL_KEY_LEN];
	const bool cache = !c->o.no_label_cache && clx_label_cache_key(c->m, c->be, labels, key);
	if (cache) {
		if (clx_label_cache_load(ctx, key, c->K, c->P, c->text)) {
			c->text_source = "cache";
			return CLX_OK;
		}
	}
	if ((st = text_tower_chunked(ctx, c, labels)) != CLX_OK)
		return st;
	c->text_source = "computed";
	if (cache && clx_label_cache_store(ctx, key, c->K, c->P, c->text))
		c->text_source = "computed, cached";
	return CLX_OK;
}

enum clx_status clx_classifier_create(struct clx_ctx *ctx, const struct clx_model *m,
				      struct clx_backend *be,
				      const struct clx_tokenizer_batch *labels,
				      const struct clx_classifier_opts *opts,
				      struct clx_classifier **out)
{
	*out = NULL;
	const struct clx_vision_config *v = &m->cfg.vision;
	if (!opts->embed && (!labels || labels->n_texts < 1))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "classify: no labels");
	if (opts->batch < 0 || opts->batch > MAX_BATCH)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "batch %lld: need 1..%d videos per forward",
				(long long)opts->batch, MAX_BATCH);
	if (opts->decode_threads < 0 || opts->decode_threads > MAX_THREADS)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "decode threads %d: need 1..%d",
				opts->decode_threads, MAX_THREADS);
	struct clx_classifier *c = clx_calloc(1, sizeof *c);
	if (!c)
		return clx_fail(ctx, CLX_ERR_NOMEM, "classifier: out of memory");
	c->m = m;
	c->be = be;
	c->o = *opts;
	c->B = opts->batch ? opts->batch : clx_classifier_default_batch(be);
	if (!c->o.decode_threads)
		c->o.decode_threads = default_threads();
	c->P = m->cfg.projection_dim;
	c->K = opts->embed ? 0 : labels->n_texts;
	c->frame_floats = (int64_t)v->num_frames * v->num_channels * v->image_size * v->image_size;
	c->text_source = "none";
	const int64_t per = opts->embed ? c->P : c->K;
	enum clx_status st = CLX_OK;
	c->px = clx_malloc((size_t)(c->B * c->frame_floats) * sizeof *c->px);
	c->out = clx_malloc((size_t)(c->B * per) * sizeof *c->out);
	if (!c->px || !c->out)
		st = clx_fail(ctx, CLX_ERR_NOMEM, "classifier: out of memory for a batch of %lld",
			      (long long)c->B);
	else
		st = clx_video_input_init(ctx, m, &opts->video, &c->video);
	c->video.image = opts->image;
	if (st == CLX_OK && !opts->embed)
		st = text_features(ctx, c, labels);
	if (st != CLX_OK) {
		clx_classifier_free(c);
		return st;
	}
	*out = c;
	return CLX_OK;
}

void clx_classifier_free(struct clx_classifier *c)
{
	if (!c)
		return;
	for (int i = 0; i < 2; i++)
		clx_session_free(c->sess[i].s);
	clx_free(c->text);
	clx_free(c->px);
	clx_free(c->out);
	clx_free(c);
}

const char *clx_classifier_text_source(const struct clx_classifier *c)
{
	return c->text_source;
}

int64_t clx_classifier_batch(const struct clx_classifier *c)
{
	return c->B;
}

int clx_classifier_threads(const struct clx_classifier *c)
{
	return c->o.decode_threads;
}

/* The session for n videos per forward, built on first use. */
static enum clx_status session_for(struct clx_ctx *ctx, struct clx_classifier *c, int64_t n,
				   struct batch_session **out)
{
	struct batch_session *bs = &c->sess[n == c->B ? 0 : 1];
	if (bs->s && bs->B == n) {
		*out = bs;
		return CLX_OK;
	}
	clx_session_free(bs->s);
	bs->s = NULL;
	const struct clx_xclip_shape shape = { .B = n, .T = c->m->cfg.vision.num_frames,
					       .K = c->o.embed ? 1 : c->K, .L = 1 };
	enum clx_status st = clx_pipeline_session(
		ctx, c->m, c->be, c->o.embed ? CLX_XCLIP_VIDEO_FEATURES : CLX_XCLIP_CACHED_TEXT,
		&shape, 0, &bs->xg, &bs->s);
	if (st != CLX_OK)
		return st;
	bs->B = n;
	*out = bs;
	return CLX_OK;
}

/* softmax over the labels, in f64 (logits_per_video.softmax(dim=1)) */
static void softmax(const float *logits, int64_t K, float *probs)
{
	double mx = logits[0], sum = 0;
	for (int64_t k = 1; k < K; k++)
		mx = logits[k] > mx ? logits[k] : mx;
	for (int64_t k = 0; k < K; k++)
		sum += exp((double)logits[k] - mx);
	for (int64_t k = 0; k < K; k++)
		probs[k] = (float)(exp((double)logits[k] - mx) / sum);
}

/* One forward over the n decoded videos in c->px; results into their items. */
static enum clx_status forward(struct clx_ctx *ctx, struct clx_classifier *c,
			       struct clx_video_item **ok, int64_t n)
{
	struct batch_session *bs;
	const double t0 = clx_now();
	enum clx_status st = session_for(ctx, c, n, &bs);
	if (st != CLX_OK)
		return st;
	const int out_t = c->o.embed ? bs->xg.video_features : bs->xg.logits_per_video;
	if ((st = clx_session_set_input(ctx, bs->s, bs->xg.pixel_values, c->px)) != CLX_OK ||
	    (!c->o.embed &&
	     (st = clx_session_set_input(ctx, bs->s, bs->xg.text_features_in, c->text)) != CLX_OK) ||
	    (st = clx_session_run(ctx, bs->s, NULL, NULL)) != CLX_OK ||
	    (st = clx_session_read(ctx, bs->s, out_t, c->out)) != CLX_OK)
		return st;
	const double share = (clx_now() - t0) / (double)n;
	const int64_t per = c->o.embed ? c->P : c->K;
	for (int64_t i = 0; i < n; i++) {
		struct clx_video_item *it = ok[i];
		float *a = clx_malloc((size_t)per * sizeof *a), *b = NULL;
		if (!a || (!c->o.embed && !(b = clx_malloc((size_t)per * sizeof *b)))) {
			clx_free(a);
			return clx_fail(ctx, CLX_ERR_NOMEM, "classify: out of memory");
		}
		memcpy(a, c->out + i * per, (size_t)per * sizeof *a);
		it->n = per;
		it->compute_s = share;
		if (c->o.embed) {
			it->embedding = a;
		} else {
			it->logits = a;
			it->probs = b;
			softmax(a, per, b);
		}
	}
	return CLX_OK;
}

/* ------------------------------------------------------------ the pipeline */

enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_READY };

struct slot {
	enum slot_state state;
	struct clx_video_item item;
	float *px;                     /* (T, C, S, S), NULL when the video failed */
};

struct pipe {
	struct clx_classifier *c;
	clx_video_next_fn next;
	void *next_user;
	pthread_mutex_t src;           /* held around next() */
	pthread_mutex_t mu;            /* the window: slots, issued, head, flags */
	pthread_cond_t cv;
	struct slot *slots;
	size_t window;
	size_t issued;                 /* videos handed to workers so far */
	size_t head;                   /* the next one the caller takes */
	bool exhausted, stop;
};

static void decode(struct pipe *p, struct slot *sl)
{
	struct clx_ctx *wctx = clx_ctx_create();
	const double t0 = clx_now();
	struct clx_video_item *it = &sl->item;
	it->status = wctx ? clx_pipeline_pixels(wctx, p->c->m, &p->c->video, it->path, &sl->px,
						&it->video)
			  : CLX_ERR_NOMEM;
	if (it->status != CLX_OK)
		snprintf(it->error, sizeof it->error, "%s", wctx ? clx_last_error(wctx) : "out of memory");
	it->decode_s = clx_now() - t0;
	clx_ctx_free(wctx);
}

/* next() runs outside mu (it may block on a pipe while the caller takes
 * finished videos) but under src, which keeps the calls one at a time and
 * the sequence numbers in the order the videos came. */
static void *worker(void *arg)
{
	struct pipe *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->src);
		pthread_mutex_lock(&p->mu);
		while (!p->stop && !p->exhausted && p->issued - p->head >= p->window)
			pthread_cond_wait(&p->cv, &p->mu);
		const bool quit = p->stop || p->exhausted;
		pthread_mutex_unlock(&p->mu);
		const char *path = NULL;
		const bool got = !quit && p->next(p->next_user, &path);
		pthread_mutex_lock(&p->mu);
		if (!quit && !got) {
			p->exhausted = true;
			pthread_cond_broadcast(&p->cv);
		}
		struct slot *sl = NULL;
		if (got) {
			const size_t seq = p->issued++;
			sl = &p->slots[seq % p->window];
			memset(sl, 0, sizeof *sl);
			sl->state = SLOT_BUSY;
			sl->item.index = seq;
			sl->item.path = path;
		}
		pthread_mutex_unlock(&p->mu);
		pthread_mutex_unlock(&p->src);
		if (!got)
			return NULL;
		decode(p, sl);
		pthread_mutex_lock(&p->mu);
		sl->state = SLOT_READY;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Takes the next video in order into *it (pixels into dst when it decoded).
 * False at the end of the input. */
static bool take(struct pipe *p, struct clx_video_item *it, float *dst)
{
	pthread_mutex_lock(&p->mu);
	struct slot *sl = &p->slots[p->head % p->window];
	while (!(p->head < p->issued && sl->state == SLOT_READY) &&
	       !(p->exhausted && p->head >= p->issued))
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->head >= p->issued) {
		pthread_mutex_unlock(&p->mu);
		return false;
	}
	pthread_mutex_unlock(&p->mu);
	*it = sl->item;
	if (sl->px)
		memcpy(dst, sl->px, (size_t)p->c->frame_floats * sizeof *dst);
	clx_free(sl->px);
	memset(sl, 0, sizeof *sl);
	pthread_mutex_lock(&p->mu);
	p->head++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return true;
}

enum clx_status clx_classifier_run(struct clx_ctx *ctx, struct clx_classifier *c,
				   clx_video_next_fn next, void *next_user,
				   clx_video_done_fn done, void *done_user)
{
	struct pipe p = { .c = c, .next = next, .next_user = next_user };
	const int n_threads = c->o.decode_threads;
	p.window = (size_t)(2 * c->B + n_threads);
	pthread_t th[MAX_THREADS];
	int started = 0;
	size_t cap = (size_t)c->B + 8, n_items = 0;
	struct clx_video_item *items = clx_calloc(cap, sizeof *items);
	struct clx_video_item **ok = clx_calloc((size_t)c->B, sizeof *ok);
	p.slots = clx_calloc(p.window, sizeof *p.slots);
	if (!items || !ok || !p.slots) {
		clx_free(items);
		clx_free(ok);
		clx_free(p.slots);
		return clx_fail(ctx, CLX_ERR_NOMEM, "classify: out of memory");
	}
	pthread_mutex_init(&p.src, NULL);
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	enum clx_status st = CLX_OK;
	for (; started < n_threads; started++)
		if (pthread_create(&th[started], NULL, worker, &p) != 0)
			break;
	if (started == 0)
		st = clx_fail(ctx, CLX_ERR_NOMEM, "classify: cannot start a decode thread");

	for (bool end = false; st == CLX_OK && !end;) {
		/* gather up to B decoded videos, and the failed ones among them */
		int64_t n_ok = 0;
		n_items = 0;
		while (n_ok < c->B) {
			if (n_items == cap) {
				struct clx_video_item *g = clx_realloc(items, 2 * cap * sizeof *g);
				if (!g) {
					st = clx_fail(ctx, CLX_ERR_NOMEM, "classify: out of memory");
					break;
				}
				items = g;
				cap *= 2;
			}
			struct clx_video_item *it = &items[n_items];
			if (!take(&p, it, c->px + n_ok * c->frame_floats)) {
				end = true;
				break;
			}
			n_items++;
			if (it->status == CLX_OK)
				n_ok++;
		}
		/* pointers after the last realloc */
		for (size_t i = 0, j = 0; i < n_items; i++)
			if (items[i].status == CLX_OK)
				ok[j++] = &items[i];
		if (st == CLX_OK && n_ok > 0)
			st = forward(ctx, c, ok, n_ok);
		if (st == CLX_OK && n_items > 0 && !done(done_user, items, n_items))
			end = true;
		for (size_t i = 0; i < n_items; i++)
			clx_video_item_release(&items[i]);
	}

	pthread_mutex_lock(&p.mu);
	p.stop = true;
	pthread_cond_broadcast(&p.cv);
	pthread_mutex_unlock(&p.mu);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < p.window; i++) {
		clx_free(p.slots[i].px);
		clx_video_item_release(&p.slots[i].item);
	}
	pthread_mutex_destroy(&p.src);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	clx_free(p.slots);
	clx_free(items);
	clx_free(ok);
	return st;
}

/* ------------------------------------------------------------ call forms */

struct array_src {
	const char *const *paths;
	size_t n, i;
	struct clx_video_item *items;
};

static bool array_next(void *user, const char **path)
{
	struct array_src *a = user;
	if (a->i >= a->n)
		return false;
	*path = a->paths[a->i++];
	return true;
}

/* Moves each item into the caller's array (the run releases what is left). */
static bool array_done(void *user, struct clx_video_item *items, size_t n)
{
	struct array_src *a = user;
	for (size_t i = 0; i < n; i++) {
		a->items[items[i].index] = items[i];
		memset(&items[i], 0, sizeof items[i]);
	}
	return true;
}

enum clx_status clx_classifier_classify_batch(struct clx_ctx *ctx, struct clx_classifier *c,
					      const char *const *paths, size_t n,
					      struct clx_video_item *items)
{
	struct array_src a = { paths, n, 0, items };
	memset(items, 0, n * sizeof *items);
	enum clx_status st = clx_classifier_run(ctx, c, array_next, &a, array_done, &a);
	if (st != CLX_OK)
		for (size_t i = 0; i < n; i++)
			clx_video_item_release(&items[i]);
	return st;
}

enum clx_status clx_classifier_classify(struct clx_ctx *ctx, struct clx_classifier *c,
					const char *path, struct clx_video_item *item)
{
	return clx_classifier_classify_batch(ctx, c, &path, 1, item);
}
