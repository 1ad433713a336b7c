/* collection.c — the videos of a batch run (collection.h): listed entries,
 * an optional streamed manifest, the shard filter and the resume set.
 * Manifest and record lines are untrusted JSON, parsed by core/json.c. */
#include "clx/collection.h"

#include "clx/limits.h"
#include "core/file.h"
#include "core/json.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 32          /* directory levels a walk descends */
#define MAX_LINE (1 << 20)    /* bytes in a manifest or record line */

const char *const clx_video_extensions[] = { "mp4", "m4v", "mov", "mkv", "webm", "avi", "gif",
					     "mpg", "mpeg", "ts", "mts", "flv", "wmv", "ogv", "3gp",
					     NULL };
const char *const clx_image_extensions[] = { "jpg", "jpeg", "jpe", "png", "webp", "bmp", "dib",
					     "gif", NULL };

struct entry {
	struct clx_collection_item it;
	char *id, *path;
	signed char verdict;         /* 0 not yet filtered, 1 passes, -1 skipped */
};

/* A manifest read line by line as the run goes, each wait for data at most
 * the input timeout (clx_input_timeout). */
struct stream {
	int fd;
	char name[4096], dir[4096];  /* for messages; relative paths resolve in dir */
	char *buf;
	size_t len, pos, cap, line;
	bool eof;
};

static void stream_free(struct stream *s)
{
	if (!s)
		return;
	close(s->fd);
	clx_free(s->buf);
	clx_free(s);
}

/* The next line of s, NUL-terminated without its '\n', in *line (valid
 * until the next call): true, or false at the end or on an error (then
 * err is set). */
static bool stream_line(struct stream *s, char **line, size_t *len, char *err, size_t err_cap)
{
	for (;;) {
		char *nl = s->len > s->pos ? memchr(s->buf + s->pos, '\n', s->len - s->pos) : NULL;
		if (nl || (s->eof && s->pos < s->len)) {
			char *end = nl ? nl : s->buf + s->len;
			*end = '\0';
			*line = s->buf + s->pos;
			*len = (size_t)(end - *line);
			s->pos = nl ? (size_t)(nl - s->buf) + 1 : s->len;
			s->line++;
			return true;
		}
		if (s->eof)
			return false;
		if (s->pos) { /* keep the unfinished line, at the start */
			memmove(s->buf, s->buf + s->pos, s->len - s->pos);
			s->len -= s->pos;
			s->pos = 0;
		}
		if (s->len + 65536 + 1 > s->cap) {
			if (s->len > MAX_LINE) {
				snprintf(err, err_cap, "%.300s:%zu: a line over %d bytes", s->name, s->line + 1,
					 MAX_LINE);
				return false;
			}
			char *nb = clx_realloc(s->buf, s->len + 65536 + 1);
			if (!nb) {
				snprintf(err, err_cap, "%.300s: out of memory", s->name);
				return false;
			}
			s->buf = nb;
			s->cap = s->len + 65536 + 1;
		}
		/* s->buf has room for 65536 bytes and the NUL of a last line */
		struct clx_ctx *ctx = clx_ctx_create();
		ssize_t got = -1;
		if (ctx && clx_input_wait(ctx, s->name, s->fd, clx_input_timeout()) == CLX_OK &&
		    (got = read(s->fd, s->buf + s->len, 65536)) < 0)
			clx_fail(ctx, CLX_ERR_IO, "%s: read error: %s", s->name, strerror(errno));
		if (got < 0)
			snprintf(err, err_cap, "%s", ctx ? clx_last_error(ctx) : "out of memory");
		clx_ctx_free(ctx);
		if (got < 0)
			return false;
		s->eof = got == 0;
		s->len += (size_t)got;
	}
}

struct clx_collection {
	struct entry *e;
	size_t n, cap, next;
	struct stream *stream;       /* a manifest from a pipe, FIFO or "-", read as it goes */
	int shard, n_shards;         /* n_shards 0: every video */
	char **done;                 /* sorted "path\nsize\nmtime" keys */
	size_t n_done;
	int64_t skipped_shard, skipped_done;
	bool images;                 /* directory walks take images, not videos */
	char error[512];
};

enum clx_status clx_collection_create(struct clx_ctx *ctx, struct clx_collection **out)
{
	if (!(*out = clx_calloc(1, sizeof **out)))
		return clx_fail(ctx, CLX_ERR_NOMEM, "collection: out of memory");
	return CLX_OK;
}

void clx_collection_free(struct clx_collection *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		clx_free(c->e[i].id);
		clx_free(c->e[i].path);
	}
	for (size_t i = 0; i < c->n_done; i++)
		clx_free(c->done[i]);
	clx_free(c->done);
	clx_free(c->e);
	stream_free(c->stream);
	clx_free(c);
}

static char *dup_n(const char *s, size_t n)
{
	char *d = clx_malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static enum clx_status push(struct clx_ctx *ctx, struct clx_collection *c, const char *id,
			    const char *path)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct entry *e = clx_realloc(c->e, cap * sizeof *e);
		if (!e)
			return clx_fail(ctx, CLX_ERR_NOMEM, "collection: out of memory");
		c->e = e;
		c->cap = cap;
	}
	struct entry *e = &c->e[c->n];
	memset(e, 0, sizeof *e);
	e->id = dup_n(id, strlen(id));
	e->path = dup_n(path, strlen(path));
	if (!e->id || !e->path) {
		clx_free(e->id);
		clx_free(e->path);
		return clx_fail(ctx, CLX_ERR_NOMEM, "collection: out of memory");
	}
	c->n++;
	return CLX_OK;
}

/* ------------------------------------------------------------ directories */

static bool wanted(const char *name, const char *glob, bool images)
{
	if (glob)
		return fnmatch(glob, name, 0) == 0;
	const char *dot = strrchr(name, '.');
	if (!dot || dot == name)
		return false;
	char ext[8];
	size_t n = strlen(dot + 1);
	if (n == 0 || n >= sizeof ext)
		return false;
	for (size_t i = 0; i <= n; i++)
		ext[i] = (char)(dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ? dot[1 + i] + 32 : dot[1 + i]);
	for (const char *const *e = images ? clx_image_extensions : clx_video_extensions; *e; e++)
		if (strcmp(ext, *e) == 0)
			return true;
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum clx_status walk(struct clx_ctx *ctx, struct clx_collection *c, const char *dir,
			    const char *glob, int depth)
{
	if (depth > MAX_DEPTH)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: more than %d directory levels (a link loop?)",
				dir, MAX_DEPTH);
	DIR *d = opendir(dir);
	if (!d)
		return clx_fail(ctx, CLX_ERR_IO, "%s: cannot read the directory: %s", dir, strerror(errno));
	char **names = NULL;
	size_t n = 0, cap = 0;
	enum clx_status st = CLX_OK;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue; /* ".", "..", hidden files */
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **g = clx_realloc(names, cap * sizeof *g);
			if (!g) {
				st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", dir);
				break;
			}
			names = g;
		}
		if (!(names[n] = dup_n(de->d_name, strlen(de->d_name)))) {
			st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", dir);
			break;
		}
		n++;
	}
	closedir(d);
	if (st == CLX_OK && n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n && st == CLX_OK; i++) {
		char path[4096];
		struct stat sb;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path)
			st = clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s/%s: path too long", dir, names[i]);
		else if (stat(path, &sb) != 0)
			continue; /* a dangling link */
		else if (S_ISDIR(sb.st_mode))
			st = walk(ctx, c, path, glob, depth + 1);
		else if (S_ISREG(sb.st_mode) && wanted(names[i], glob, c->images))
			st = push(ctx, c, path, path);
	}
	for (size_t i = 0; i < n; i++)
		clx_free(names[i]);
	clx_free(names);
	return st;
}

void clx_collection_take_images(struct clx_collection *c)
{
	c->images = true;
}

enum clx_status clx_collection_add_path(struct clx_ctx *ctx, struct clx_collection *c,
					const char *path, const char *glob)
{
	struct stat sb;
	if (!*path)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "an empty video path");
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		const size_t before = c->n;
		enum clx_status st = walk(ctx, c, path, glob, 0);
		if (st == CLX_OK && c->n == before)
			return clx_fail(ctx, CLX_ERR_NOT_FOUND, "%s: no %s files in the directory (%s)",
					path, c->images ? "image" : "video",
					glob ? glob
					: c->images ? "by extension: .jpg, .png, .webp, .bmp, .gif"
						    : "by extension: .mp4, .mkv, .webm, ...");
		return st;
	}
	return push(ctx, c, path, path); /* a missing file fails as that video */
}

/* ------------------------------------------------------------- manifests */

/* One manifest line (NUL-terminated, no newline) into an entry. `dir` is
 * the manifest's folder ("" for standard input). Blank and '#' lines: OK,
 * nothing added. */
static enum clx_status manifest_line(struct clx_ctx *ctx, struct clx_collection *c,
				     const char *name, size_t lineno, char *line, size_t len,
				     const char *dir)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = '\0';
	while (*line == ' ' || *line == '\t')
		line++, len--;
	if (len == 0 || *line == '#')
		return CLX_OK;
	if (memchr(line, '\0', len))
		return clx_fail(ctx, CLX_ERR_FORMAT, "%s:%zu: a NUL byte in the line", name, lineno);
	const char *id = line, *rel = line;
	cJSON *j = NULL;
	if (*line == '{') {
		char where[600];
		snprintf(where, sizeof where, "%s:%zu", name, lineno);
		enum clx_status st = clx_json_parse(ctx, where, line, len, 0, &j);
		if (st != CLX_OK)
			return st;
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "path");
		const cJSON *i = cJSON_GetObjectItemCaseSensitive(j, "id");
		if (!cJSON_IsObject(j) || !cJSON_IsString(p) || !*p->valuestring ||
		    (i && (!cJSON_IsString(i) || !*i->valuestring))) {
			cJSON_Delete(j);
			return clx_fail(ctx, CLX_ERR_FORMAT,
					"%s:%zu: need {\"path\": \"...\"} with an optional string \"id\"",
					name, lineno);
		}
		rel = p->valuestring;
		id = i ? i->valuestring : rel;
	}
	char path[4096];
	const bool join = *dir && rel[0] != '/';
	enum clx_status st;
	if ((size_t)snprintf(path, sizeof path, join ? "%s/%s" : "%.0s%s", dir, rel) >= sizeof path)
		st = clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s:%zu: path too long", name, lineno);
	else
		st = push(ctx, c, id, path);
	cJSON_Delete(j);
	return st;
}

/* Reads one line of f into *buf (getline); false at the end. */
static bool read_line(FILE *f, char **buf, size_t *cap, ssize_t *len)
{
	*len = getline(buf, cap, f);
	return *len >= 0;
}

/* path's folder, where its relative paths resolve ("" for none) */
static void folder_of(const char *path, char *dir, size_t cap)
{
	snprintf(dir, cap, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
}

enum clx_status clx_collection_add_manifest(struct clx_ctx *ctx, struct clx_collection *c,
					    const char *path)
{
	int fd;
	bool stream;
	enum clx_status st = clx_input_open(ctx, path, true, &fd, &stream, NULL);
	if (st != CLX_OK)
		return st;
	if (stream) {
		if (c->stream) {
			close(fd);
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: only one manifest can be a stream "
					"(a pipe, a FIFO or -); %s is one already", path, c->stream->name);
		}
		if (!(c->stream = clx_calloc(1, sizeof *c->stream))) {
			close(fd);
			return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", path);
		}
		c->stream->fd = fd;
		const bool is_stdin = strcmp(path, "-") == 0;
		snprintf(c->stream->name, sizeof c->stream->name, "%s", is_stdin ? "standard input" : path);
		if (!is_stdin)
			folder_of(path, c->stream->dir, sizeof c->stream->dir);
		return CLX_OK;
	}
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		close(fd);
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: %s", path, strerror(errno));
	}
	char dir[4096];
	folder_of(path, dir, sizeof dir);
	char *buf = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	while (st == CLX_OK && read_line(f, &buf, &cap, &len)) {
		lineno++;
		if (len > MAX_LINE)
			st = clx_fail(ctx, CLX_ERR_FORMAT, "%s:%zu: a line over %d bytes", path, lineno, MAX_LINE);
		else {
			if (len && buf[len - 1] == '\n')
				buf[--len] = '\0';
			st = manifest_line(ctx, c, path, lineno, buf, (size_t)len, dir);
		}
	}
	if (st == CLX_OK && ferror(f))
		st = clx_fail(ctx, CLX_ERR_IO, "%s: read error", path);
	free(buf);
	fclose(f);
	return st;
}

/* ---------------------------------------------------------------- shards */

bool clx_shard_holds(const char *id, int i, int n)
{
	return n <= 1 || clx_fnv1a64(CLX_FNV_INIT, id, strlen(id)) % (uint64_t)n == (uint64_t)i;
}

enum clx_status clx_collection_set_shard(struct clx_ctx *ctx, struct clx_collection *c, int i,
					 int n)
{
	if (n < 1 || i < 0 || i >= n)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "shard %d/%d: need 0 <= i < n", i, n);
	c->shard = i;
	c->n_shards = n;
	return CLX_OK;
}

enum clx_status clx_shard_from_env(struct clx_ctx *ctx, int n_fixed, int *i, int *n, char *from,
				   size_t from_cap)
{
	long long id, count, lo, step, fixed = n_fixed;
	bool has_id, has_count, has_min, has_step, has_fixed = n_fixed > 0;
	enum clx_status st;
	*i = 0;
	*n = 0;
	snprintf(from, from_cap, "%s", "");
	if (!has_fixed && (st = clx_env_int(ctx, "CLX_SHARDS", 1, 1L << 20, &fixed, &has_fixed)) != CLX_OK)
		return st;
	if ((st = clx_env_int(ctx, "SLURM_ARRAY_TASK_ID", 0, 1L << 30, &id, &has_id)) != CLX_OK)
		return st;
	const char *var = "SLURM_ARRAY_TASK_ID";
	if (!has_id) {
		if ((st = clx_env_int(ctx, "JOB_COMPLETION_INDEX", 0, 1L << 30, &id, &has_id)) != CLX_OK)
			return st;
		var = "JOB_COMPLETION_INDEX";
		if (!has_id)
			return CLX_OK;
		if (!has_fixed)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"JOB_COMPLETION_INDEX=%lld: the number of shards is not known; give "
					"--shards N or set CLX_SHARDS",
					id);
	}
	if (has_fixed) {
		if (id >= fixed)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s=%lld: outside the %lld shards (0..%lld)",
					var, id, fixed, fixed - 1);
		*i = (int)id;
		*n = (int)fixed;
	} else {
		if ((st = clx_env_int(ctx, "SLURM_ARRAY_TASK_COUNT", 1, 1L << 20, &count, &has_count)) != CLX_OK ||
		    (st = clx_env_int(ctx, "SLURM_ARRAY_TASK_MIN", 0, 1L << 30, &lo, &has_min)) != CLX_OK ||
		    (st = clx_env_int(ctx, "SLURM_ARRAY_TASK_STEP", 1, 1L << 30, &step, &has_step)) != CLX_OK)
			return st;
		if (!has_min)
			lo = 0;
		if (!has_step)
			step = 1;
		if (!has_count) {
			long long hi;
			bool has_max;
			if ((st = clx_env_int(ctx, "SLURM_ARRAY_TASK_MAX", 0, 1L << 30, &hi, &has_max)) != CLX_OK)
				return st;
			if (!has_max)
				return clx_fail(ctx, CLX_ERR_INVALID_ARG,
						"SLURM_ARRAY_TASK_ID=%lld without SLURM_ARRAY_TASK_COUNT or "
						"SLURM_ARRAY_TASK_MAX",
						id);
			count = (hi - lo) / step + 1;
		}
		if (id < lo || (id - lo) % step || (id - lo) / step >= count)
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"SLURM_ARRAY_TASK_ID=%lld is not one of the array's %lld tasks", id, count);
		*i = (int)((id - lo) / step);
		*n = (int)count;
	}
	snprintf(from, from_cap, "%s", var);
	return CLX_OK;
}

/* ---------------------------------------------------------------- resume */

/* The resume key. Records hold the numbers as JSON, which a reader has
 * as doubles (mtime_ns needs 61 bits): both sides compare them so. */
static char *done_key(const char *path, double size, double mtime_ns)
{
	char num[80];
	int k = snprintf(num, sizeof num, "\n%.17g\n%.17g", size, mtime_ns);
	size_t n = strlen(path);
	char *s = clx_malloc(n + (size_t)k + 1);
	if (s) {
		memcpy(s, path, n);
		memcpy(s + n, num, (size_t)k + 1);
	}
	return s;
}

/* One record line into the done set; false when it is not a record. */
static bool record_line(struct clx_collection *c, char *line, size_t len, bool *nomem)
{
	cJSON *j = NULL;
	struct clx_ctx *quiet = clx_ctx_create();
	enum clx_status st = clx_json_parse(quiet, "record", line, len, 0, &j);
	clx_ctx_free(quiet);
	if (st == CLX_ERR_NOMEM)
		*nomem = true;
	if (st != CLX_OK)
		return false;
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "path");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "size");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "mtime_ns");
	bool ok = cJSON_IsString(p) && cJSON_IsNumber(s) && cJSON_IsNumber(t);
	if (ok) {
		if (c->n_done % 256 == 0) {
			char **g = clx_realloc(c->done, (c->n_done + 256) * sizeof *g);
			if (!g)
				*nomem = true, ok = false;
			else
				c->done = g;
		}
		char *key = ok ? done_key(p->valuestring, s->valuedouble, t->valuedouble) : NULL;
		if (ok && !key)
			*nomem = true, ok = false;
		if (ok)
			c->done[c->n_done++] = key;
	}
	cJSON_Delete(j);
	return ok;
}

enum clx_status clx_collection_resume(struct clx_ctx *ctx, struct clx_collection *c,
				      const char *path, size_t *n_records)
{
	*n_records = 0;
	FILE *f = fopen(path, "rb+");
	if (!f) {
		if (errno == ENOENT)
			return CLX_OK;
		return clx_fail(ctx, CLX_ERR_IO, "%s: cannot open to resume: %s", path, strerror(errno));
	}
	char *buf = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	long good_end = 0; /* offset after the last complete line */
	bool nomem = false;
	enum clx_status st = CLX_OK;
	while (read_line(f, &buf, &cap, &len)) {
		lineno++;
		const bool complete = len > 0 && buf[len - 1] == '\n';
		if (!complete) {
			clx_warn(ctx, "%s: line %zu was cut off by an interrupted run; removed, its video "
				      "is done again", path, lineno);
			if (ftruncate(fileno(f), good_end) != 0)
				st = clx_fail(ctx, CLX_ERR_IO, "%s: cannot cut the torn last line: %s", path,
					      strerror(errno));
			break;
		}
		good_end = ftell(f);
		buf[--len] = '\0';
		if (len > MAX_LINE || !record_line(c, buf, (size_t)len, &nomem)) {
			if (nomem) {
				st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", path);
				break;
			}
			clx_warn(ctx, "%s: line %zu is not a record (path, size, mtime_ns); ignored", path,
				 lineno);
			continue;
		}
		(*n_records)++;
	}
	free(buf);
	fclose(f);
	if (st == CLX_OK && c->n_done)
		qsort(c->done, c->n_done, sizeof *c->done, by_name);
	return st;
}

static bool is_done(const struct clx_collection *c, const char *key)
{
	return c->n_done && bsearch(&key, c->done, c->n_done, sizeof *c->done, by_name);
}

/* ----------------------------------------------------------------- items */

/* Reads streamed manifest lines until one adds an entry; false at the end
 * or on an error (c->error). */
static bool stream_more(struct clx_collection *c)
{
	struct stream *sm = c->stream;
	char *line;
	size_t len;
	bool added = false;
	struct clx_ctx *ctx = clx_ctx_create();
	while (!added && ctx && stream_line(sm, &line, &len, c->error, sizeof c->error)) {
		const size_t before = c->n;
		if (manifest_line(ctx, c, sm->name, sm->line, line, len, sm->dir) != CLX_OK) {
			snprintf(c->error, sizeof c->error, "%s", clx_last_error(ctx));
			break;
		}
		added = c->n > before;
	}
	if (!ctx)
		snprintf(c->error, sizeof c->error, "out of memory");
	clx_ctx_free(ctx);
	if (!added) {
		stream_free(c->stream);
		c->stream = NULL;
	}
	return added;
}

/* Whether entry e passes the filters: decided once (one stat), counted
 * in the skip totals when it is first decided. */
static bool passes(struct clx_collection *c, struct entry *e)
{
	if (e->verdict)
		return e->verdict > 0;
	e->verdict = -1;
	if (!clx_shard_holds(e->id, c->shard, c->n_shards)) {
		c->skipped_shard++;
		return false;
	}
	struct stat sb;
	e->it.id = e->id;
	e->it.path = e->path;
	e->it.size = -1;
	e->it.mtime_ns = 0;
	if (stat(e->path, &sb) == 0) {
		e->it.size = (int64_t)sb.st_size;
		e->it.mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	}
	if (c->n_done) {
		char *key = done_key(e->path, (double)e->it.size, (double)e->it.mtime_ns);
		bool done = key && is_done(c, key);
		clx_free(key);
		if (done) {
			c->skipped_done++;
			return false;
		}
	}
	e->verdict = 1;
	return true;
}

bool clx_collection_next(struct clx_collection *c, const struct clx_collection_item **out)
{
	for (;;) {
		if (c->next == c->n && !(c->stream && stream_more(c)))
			return false;
		struct entry *e = &c->e[c->next++];
		if (passes(c, e)) {
			*out = &e->it;
			return true;
		}
	}
}

const char *clx_collection_error(const struct clx_collection *c)
{
	return c->error;
}

int64_t clx_collection_listed(const struct clx_collection *c)
{
	return c->stream ? -1 : (int64_t)c->n;
}

int64_t clx_collection_skipped_shard(const struct clx_collection *c)
{
	return c->skipped_shard;
}

int64_t clx_collection_skipped_done(const struct clx_collection *c)
{
	return c->skipped_done;
}

int64_t clx_collection_todo(struct clx_collection *c)
{
	if (c->stream)
		return -1;
	int64_t n = 0;
	for (size_t i = c->next; i < c->n; i++)
		n += passes(c, &c->e[i]);
	return n;
}
