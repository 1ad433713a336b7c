/* batch.c — `clx classify` and `clx embed` over a collection of videos
 * (collection.h) through one classifier (classifier.h): the inputs, the
 * shard, resume, JSON Lines records, progress and the summary.
 *
 * Records (README.md "Batch runs") are written a forward at a time: to
 * --out with one write() and an fsync per forward, so a run killed at any
 * point leaves complete records and at most one cut-off last line, which
 * --resume removes. */
#include "batch.h"

#include "clx/classifier.h"
#include "clx/collection.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct run {
	const struct batch_args *a;
	struct clx_collection *col;
	struct clx_collection_item *seen; /* by the classifier's index */
	size_t n_seen, cap_seen;
	int fd;                           /* --out, or -1 */
	bool json, progress, nomem;
	int write_errno;
	int64_t todo, n_ok, n_failed;
	double t0, decode_s, compute_s;
};

/* ---------------------------------------------------------------- inputs */

static bool next_video(void *user, const char **path)
{
	struct run *r = user;
	const struct clx_collection_item *it;
	if (!clx_collection_next(r->col, &it))
		return false;
	if (r->n_seen == r->cap_seen) {
		size_t cap = r->cap_seen ? 2 * r->cap_seen : 64;
		struct clx_collection_item *g = realloc(r->seen, cap * sizeof *g);
		if (!g) {
			r->nomem = true;
			return false;
		}
		r->seen = g;
		r->cap_seen = cap;
	}
	r->seen[r->n_seen++] = *it;
	*path = it->path;
	return true;
}

/* --video or --image (files, directories) as the model takes, --manifest,
 * the shard and --resume. */
static enum clx_status gather(struct clx_ctx *ctx, const struct batch_args *a,
			      struct clx_collection *col, char *shard_from, size_t cap)
{
	const bool clip = a->m->kind == CLX_MODEL_CLIP;
	if (clip && a->n_videos)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"--video %s: %s is a CLIP model, which takes images: give --image",
				a->videos[0], a->m->dir);
	if (!clip && a->n_images)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"--image %s: %s is an X-CLIP model, which takes videos: give --video",
				a->images[0], a->m->dir);
	if (clip)
		clx_collection_take_images(col);
	enum clx_status st = CLX_OK;
	for (int i = 0; i < a->n_videos && st == CLX_OK; i++)
		st = clx_collection_add_path(ctx, col, a->videos[i], a->glob);
	for (int i = 0; i < a->n_images && st == CLX_OK; i++)
		st = clx_collection_add_path(ctx, col, a->images[i], a->glob);
	for (int i = 0; i < a->n_manifests && st == CLX_OK; i++)
		st = clx_collection_add_manifest(ctx, col, a->manifests[i]);
	if (st != CLX_OK)
		return st;
	int si = 0, sn = 0;
	if (a->shard) {
		long long i, n;
		const char *slash = strchr(a->shard, '/');
		char head[32];
		if (!slash || (size_t)(slash - a->shard) >= sizeof head)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "--shard %s: need i/n, e.g. 0/4", a->shard);
		memcpy(head, a->shard, (size_t)(slash - a->shard));
		head[slash - a->shard] = '\0';
		if (!clx_parse_int(head, 0, 1 << 20, &i) || !clx_parse_int(slash + 1, 1, 1 << 20, &n) || i >= n)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "--shard %s: need i/n with 0 <= i < n",
					a->shard);
		si = (int)i;
		sn = (int)n;
		snprintf(shard_from, cap, "--shard");
	} else if ((st = clx_shard_from_env(ctx, a->shards, &si, &sn, shard_from, cap)) != CLX_OK) {
		return st;
	} else if (sn == 0 && a->shards > 0) {
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"--shards %d: no shard index (SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX) "
				"in the environment; give --shard i/n",
				a->shards);
	}
	if (sn > 0 && (st = clx_collection_set_shard(ctx, col, si, sn)) != CLX_OK)
		return st;
	if (a->resume) {
		size_t n;
		if ((st = clx_collection_resume(ctx, col, a->out, &n)) != CLX_OK)
			return st;
	}
	return CLX_OK;
}

/* --------------------------------------------------------------- records */

struct ranked {
	float prob, logit;
	size_t index;
};

static int by_prob_desc(const void *x, const void *y)
{
	const struct ranked *p = x, *q = y;
	if (p->prob != q->prob)
		return p->prob < q->prob ? 1 : -1;
	return p->index < q->index ? -1 : (p->index > q->index);
}

/* The labels of a classified item, highest probability first. */
static struct ranked *rank(const struct clx_video_item *it)
{
	struct ranked *rk = malloc((size_t)it->n * sizeof *rk);
	if (!rk)
		return NULL;
	for (int64_t k = 0; k < it->n; k++)
		rk[k] = (struct ranked){ it->probs[k], it->logits[k], (size_t)k };
	qsort(rk, (size_t)it->n, sizeof *rk, by_prob_desc);
	return rk;
}

/* One JSON Lines record. */
static bool json_record(FILE *f, const struct run *r, const struct clx_collection_item *ci,
			const struct clx_video_item *it)
{
	const struct batch_args *a = r->a;
	fprintf(f, "{\"id\": ");
	cli_json_fstring(f, ci->id);
	fprintf(f, ", \"path\": ");
	cli_json_fstring(f, ci->path);
	fprintf(f, ", \"size\": %lld, \"mtime_ns\": %lld, \"model\": ", (long long)ci->size,
		(long long)ci->mtime_ns);
	cli_json_fstring(f, a->m->dir);
	fprintf(f, ", \"device\": ");
	cli_json_fstring(f, clx_backend_name(a->be));
	if (it->status != CLX_OK) {
		fprintf(f, ", \"status\": \"error\", \"error\": ");
		cli_json_fstring(f, it->error);
	} else {
		fprintf(f, ", \"status\": \"ok\"");
		if (a->m->kind != CLX_MODEL_CLIP) {
			fprintf(f, ", \"frames_total\": %lld, \"frame_indices\": [",
				(long long)it->video.n_total);
			for (int32_t t = 0; t < it->video.n_frames; t++)
				fprintf(f, "%s%lld", t ? ", " : "", (long long)it->video.indices[t]);
			fprintf(f, "]");
		}
		if (it->video.warning[0]) {
			fprintf(f, ", \"warning\": ");
			cli_json_fstring(f, it->video.warning);
		}
		if (it->embedding) {
			double ss = 0;
			for (int64_t i = 0; i < it->n; i++)
				ss += (double)it->embedding[i] * it->embedding[i];
			const double scale = a->normalize ? 1 / sqrt(ss) : 1;
			fprintf(f, ", \"embedding\": [");
			for (int64_t i = 0; i < it->n; i++)
				fprintf(f, "%s%.9g", i ? ", " : "",
					a->normalize ? (float)(it->embedding[i] * scale) : it->embedding[i]);
			fprintf(f, "]");
		} else {
			struct ranked *rk = rank(it);
			if (!rk)
				return false;
			fprintf(f, ", \"labels\": [");
			for (int64_t k = 0; k < it->n; k++) {
				fprintf(f, "%s{\"label\": ", k ? ", " : "");
				cli_json_fstring(f, a->labels->text[rk[k].index]);
				fprintf(f, ", \"probability\": %.9g, \"logit\": %.9g}", rk[k].prob, rk[k].logit);
			}
			fprintf(f, "]");
			free(rk);
		}
	}
	/* last, so a comparison can drop it: the only field that varies between runs */
	fprintf(f, ", \"timing\": {\"decode_s\": %.4f, \"compute_s\": %.4f}}\n", it->decode_s,
		it->compute_s);
	return true;
}

/* The terminal form: the video's line, then each label. */
static bool human_record(FILE *f, const struct run *r, const struct clx_video_item *it)
{
	const struct batch_args *a = r->a;
	fprintf(f, "%s: ", it->path);
	if (a->m->kind != CLX_MODEL_CLIP) {
		fprintf(f, "%lld frames, sampled", (long long)it->video.n_total);
		for (int32_t t = 0; t < it->video.n_frames; t++)
			fprintf(f, " %lld", (long long)it->video.indices[t]);
		fprintf(f, "; ");
	}
	fprintf(f, "%s\n", clx_backend_name(a->be));
	struct ranked *rk = rank(it);
	if (!rk)
		return false;
	for (int64_t k = 0; k < it->n; k++)
		fprintf(f, "  %8.4f%%  %s\n", 100.0 * rk[k].prob, a->labels->text[rk[k].index]);
	free(rk);
	return true;
}

/* What the run's inputs are called. */
static const char *noun(const struct run *r)
{
	return r->a->m->kind == CLX_MODEL_CLIP ? "images" : "videos";
}

static void progress_line(const struct run *r)
{
	const int64_t done = r->n_ok + r->n_failed;
	const double dt = clx_now() - r->t0, rate = dt > 0 ? (double)done / dt : 0;
	fprintf(stderr, "\rclx %s: %lld", r->a->cmd, (long long)done);
	if (r->todo >= 0)
		fprintf(stderr, "/%lld", (long long)r->todo);
	fprintf(stderr, " %s, %.2f %s/s", noun(r), rate, noun(r));
	if (r->todo >= 0 && rate > 0)
		fprintf(stderr, ", ETA %.0f s", (double)(r->todo - done) / rate);
	fprintf(stderr, ", %lld failed   ", (long long)r->n_failed);
	fflush(stderr);
}

static bool batch_done(void *user, struct clx_video_item *items, size_t n)
{
	struct run *r = user;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool ok = f != NULL;
	for (size_t i = 0; i < n && ok; i++) {
		const struct clx_video_item *it = &items[i];
		const struct clx_collection_item *ci = &r->seen[it->index];
		if (it->status == CLX_OK) {
			r->n_ok++;
		} else {
			r->n_failed++;
			if (r->progress)
				fputc('\n', stderr);
			fprintf(stderr, "clx: %s\n", it->error);
		}
		if (it->status == CLX_OK && it->video.warning[0])
			fprintf(stderr, "clx: warning: %s: %s\n", it->path, it->video.warning);
		r->decode_s += it->decode_s;
		r->compute_s += it->compute_s;
		if (r->json)
			ok = json_record(f, r, ci, it);
		else if (it->status == CLX_OK)
			ok = human_record(f, r, it);
	}
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok) {
		r->nomem = true;
		free(text);
		return false;
	}
	if (r->fd >= 0) {
		if (!clx_write_all(r->fd, text, len) || fsync(r->fd) != 0)
			r->write_errno = errno ? errno : EIO;
	} else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		r->write_errno = errno ? errno : EIO;
	}
	free(text);
	if (r->progress && !r->write_errno)
		progress_line(r);
	return r->write_errno == 0;
}

/* ------------------------------------------------------------------- run */

bool cli_batch_args(const char *cmd, const struct cli_opt *opts, struct batch_args *a)
{
	a->videos = cli_get_all(opts, "video", &a->n_videos);
	a->images = cli_get_all(opts, "image", &a->n_images);
	a->apply_exif = cli_flag(opts, "apply-exif");
	a->manifests = cli_get_all(opts, "manifest", &a->n_manifests);
	a->glob = cli_get(opts, "glob");
	a->out = cli_get(opts, "out");
	a->shard = cli_get(opts, "shard");
	a->resume = cli_flag(opts, "resume");
	a->quiet = cli_flag(opts, "quiet");
	a->no_label_cache = cli_flag(opts, "no-label-cache");
	int n_stdin = 0;
	for (int i = 0; i < a->n_videos; i++)
		n_stdin += strcmp(a->videos[i], "-") == 0;
	for (int i = 0; i < a->n_images; i++)
		n_stdin += strcmp(a->images[i], "-") == 0;
	for (int i = 0; i < a->n_manifests; i++)
		n_stdin += strcmp(a->manifests[i], "-") == 0;
	const char *lf = cli_get(opts, "labels-file");
	n_stdin += lf && strcmp(lf, "-") == 0;
	if (n_stdin > 1) {
		cli_usage_error(cmd, "standard input ('-') can feed one of --video, --image, --manifest "
				     "and --labels-file, once");
		return false;
	}
	int64_t v = 0;
	if (!cli_count_opt(cmd, opts, "batch", 1, &v))
		return false;
	a->batch = v;
	v = 0;
	if (!cli_count_opt(cmd, opts, "decode-threads", 1, &v))
		return false;
	if (v > 64) {
		cli_usage_error(cmd, "--decode-threads %lld: at most 64", (long long)v);
		return false;
	}
	a->decode_threads = (int)v;
	v = 0;
	if (!cli_count_opt(cmd, opts, "shards", 1, &v))
		return false;
	a->shards = (int)v;
	if (a->shard && a->shards) {
		cli_usage_error(cmd, "give --shard i/n or --shards N, not both");
		return false;
	}
	if (a->n_videos + a->n_images + a->n_manifests == 0) {
		cli_usage_error(cmd, "no inputs: give --video PATH (X-CLIP), --image PATH (CLIP) or "
				     "--manifest F (see clx %s --help)", cmd);
		return false;
	}
	return true;
}

static void summary(const struct run *r, const struct clx_classifier *cl, const char *shard_from,
		    int threads)
{
	const double dt = clx_now() - r->t0;
	const int64_t done = r->n_ok + r->n_failed;
	fprintf(stderr, "clx %s: %lld %s in %.1f s (%.2f %s/s): %lld ok, %lld failed", r->a->cmd,
		(long long)done, noun(r), dt, dt > 0 ? (double)done / dt : 0.0, noun(r),
		(long long)r->n_ok, (long long)r->n_failed);
	if (r->a->resume)
		fprintf(stderr, ", %lld already in %s", (long long)clx_collection_skipped_done(r->col),
			r->a->out);
	if (shard_from[0])
		fprintf(stderr, ", %lld in other shards (shard from %s)",
			(long long)clx_collection_skipped_shard(r->col), shard_from);
	fprintf(stderr, "; decode %.1f s over %d threads, compute %.1f s, batch %lld; text features: %s\n",
		r->decode_s, threads, r->compute_s, (long long)clx_classifier_batch(cl),
		clx_classifier_text_source(cl));
}

int cli_batch_run(struct clx_ctx *ctx, const struct batch_args *a)
{
	struct run r = { .a = a, .fd = -1, .json = a->json || a->out };
	struct clx_classifier *cl = NULL;
	char shard_from[64] = "";
	enum clx_status st;
	int rc = CLI_OK;
	if (a->resume && !a->out)
		return cli_usage_error(a->cmd, "--resume needs --out F (the records to continue)");
	struct stat out_sb;
	if (a->out && stat(a->out, &out_sb) == 0 && !S_ISREG(out_sb.st_mode)) {
		/* records are fsync'ed and resumed: only a file will do */
		st = clx_fail(ctx, CLX_ERR_INVALID_ARG, "--out %s: not a regular file (--json writes "
				"the records to standard output)", a->out);
		goto fail;
	}
	if ((st = clx_collection_create(ctx, &r.col)) != CLX_OK ||
	    (st = gather(ctx, a, r.col, shard_from, sizeof shard_from)) != CLX_OK)
		goto fail;
	if (a->out) {
		struct stat sb;
		if (!a->resume && stat(a->out, &sb) == 0 && sb.st_size > 0) {
			st = clx_fail(ctx, CLX_ERR_INVALID_ARG,
				      "--out %s: the file has records; --resume continues it (or remove it)",
				      a->out);
			goto fail;
		}
		if ((r.fd = open(a->out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
			st = clx_fail(ctx, CLX_ERR_IO, "--out %s: %s", a->out, strerror(errno));
			goto fail;
		}
	}
	struct clx_classifier_opts co;
	clx_classifier_opts_default(a->m, &co);
	co.video = *a->video;
	co.image.apply_exif = a->apply_exif;
	co.batch = a->batch;
	co.decode_threads = a->decode_threads;
	co.embed = a->labels == NULL;
	co.no_label_cache = a->no_label_cache;
	if ((st = clx_classifier_create(ctx, a->m, a->be, a->tokens, &co, &cl)) != CLX_OK)
		goto fail;
	r.todo = clx_collection_todo(r.col);
	r.progress = !a->quiet && isatty(STDERR_FILENO);
	r.t0 = clx_now();
	st = clx_classifier_run(ctx, cl, next_video, &r, batch_done, &r);
	if (r.progress)
		fputc('\n', stderr);
	if (st == CLX_OK && r.nomem)
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", a->cmd);
	if (st == CLX_OK && r.write_errno)
		st = clx_fail(ctx, CLX_ERR_IO, "%s: cannot write the records: %s",
			      a->out ? a->out : "standard output", strerror(r.write_errno));
	if (st == CLX_OK && clx_collection_error(r.col)[0])
		st = clx_fail(ctx, CLX_ERR_FORMAT, "--manifest: %s", clx_collection_error(r.col));
	if (st != CLX_OK)
		goto fail;
	if (!a->quiet && (r.n_ok + r.n_failed > 1 || a->out || shard_from[0] || a->resume))
		summary(&r, cl, shard_from, clx_classifier_threads(cl));
	rc = r.n_failed ? CLI_SOME_FAILED : CLI_OK;
	goto done;
fail:
	rc = cli_fail(ctx, st);
done:
	if (r.fd >= 0)
		close(r.fd);
	clx_classifier_free(cl);
	clx_collection_free(r.col);
	free(r.seen);
	return rc;
}
