/* test_cl_cache.c — the on-disk program binary cache (cl/cl_program.c).
 *
 *   test_cl_cache DEVICE_SPEC SCRATCH_DIR
 *
 * Checks: the first backend builds from source and writes one entry; the
 * next loads it; a corrupt payload, a truncated file, a foreign entry (the
 * right name, another key) and a binary the driver rejects (valid
 * checksum, garbage bytes) are each rebuilt silently and the entry is
 * rewritten valid; no temporary files are left behind; CLX_NO_CACHE=1
 * writes nothing; the directory falls back from CLX_CACHE_DIR to
 * $XDG_CACHE_HOME/clx to $HOME/.cache/clx; an unwritable directory only
 * costs the cache. Every backend must still compute (one tiny graph). */
#include "check.h"
#include "test_files.h"

#include "clx/cl.h"
#include "clx/sched.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct clx_ctx *ctx;
static const char *spec;
static bool cacheable;

/* Creates a backend and runs y = exp(x) on 5 values; reports whether the
 * program came from the cache. */
static bool open_and_run(const char *what, bool *from_cache)
{
	struct clx_backend *be = NULL;
	enum clx_status st = clx_backend_open(ctx, spec, &be);
	CHECK(st == CLX_OK, "%s: create: %s", what, clx_last_error(ctx));
	if (st != CLX_OK)
		return false;
	struct clx_backend_stats s;
	clx_backend_stats(be, &s);
	*from_cache = s.program_from_cache;
	cacheable = s.program_cacheable;
	struct clx_graph *g = clx_graph_create();
	const int64_t ne[1] = { 5 };
	const int32_t ia[4] = { 0 };
	const float fa[2] = { 0 };
	int x = clx_graph_input(g, "x", CLX_DTYPE_F32, 1, ne);
	int y = clx_graph_node(g, "y", CLX_OP_EXP, 1, &x, 1, ne, ia, fa);
	struct clx_plan *p = NULL;
	const float in[5] = { 0, 1, -1, 2, 0.5f };
	float out[5] = { 0 };
	bool ok = clx_sched_plan(ctx, g, &p) == CLX_OK &&
		  clx_backend_prepare(be, ctx, g, p->arena_bytes) == CLX_OK &&
		  clx_backend_set_tensor(be, ctx, g, x, in) == CLX_OK &&
		  clx_sched_run(ctx, g, p, be, NULL, NULL) == CLX_OK &&
		  clx_backend_get_tensor(be, ctx, g, y, out) == CLX_OK;
	CHECK(ok, "%s: run: %s", what, clx_last_error(ctx));
	CHECK(out[1] > 2.718f && out[1] < 2.719f, "%s: exp(1) = %g", what, out[1]);
	printf("  %-44s program %s (%.3f s)\n", what, *from_cache ? "from cache" : "built", s.build_seconds);
	clx_plan_free(p);
	clx_graph_free(g);
	clx_backend_free(be);
	return ok;
}

/* The single *.clbin in dir (path into buf); counts files and temporaries. */
static int entries(const char *dir, char *buf, size_t cap, int *tmp)
{
	int n = 0;
	*tmp = 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".tmp."))
			(*tmp)++;
		size_t l = strlen(e->d_name);
		if (l > 6 && strcmp(e->d_name + l - 6, ".clbin") == 0) {
			n++;
			snprintf(buf, cap, "%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	return n;
}

static void spit(const char *path, const unsigned char *b, size_t len)
{
	FILE *f = fopen(path, "wb");
	fwrite(b, 1, len, f);
	fclose(f);
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Damages the entry with `how`, then expects a silent rebuild and a valid
 * entry afterwards. */
static void damaged(const char *dir, const char *what, int how)
{
	char path[4096];
	int tmp;
	CHECK(entries(dir, path, sizeof path, &tmp) == 1, "%s: one entry before", what);
	size_t len = 0;
	unsigned char *b = test_read_file(path, &len);
	CHECK(b && len > 64, "%s: read entry", what);
	if (!b || len <= 64)
		return;
	uint32_t klen;
	memcpy(&klen, b + 8, 4);
	const size_t payload = 8 + 4 + klen + 16; /* magic, key length, key, length, hash */
	switch (how) {
	case 0: /* corrupt payload */
		b[len - 7] ^= 0x5a;
		spit(path, b, len);
		break;
	case 1: /* truncated */
		spit(path, b, 20);
		break;
	case 2: /* foreign: another key of the same length */
		b[12] ^= 0x01;
		spit(path, b, len);
		break;
	case 3: { /* garbage binary with a valid checksum */
		for (size_t i = payload; i < len; i++)
			b[i] = (unsigned char)(i * 131u + 7u);
		uint64_t h = fnv1a(b + payload, len - payload);
		memcpy(b + payload - 8, &h, 8);
		spit(path, b, len);
		break;
	}
	case 4: /* trailing bytes */
		b[len] = 0;
		spit(path, b, len + 1);
		break;
	}
	free(b);
	bool cached = true;
	open_and_run(what, &cached);
	CHECK(!cached, "%s: a damaged entry was used", what);
	open_and_run("  … and the rewritten entry", &cached);
	CHECK(cached, "%s: the entry was not rewritten valid", what);
	CHECK(entries(dir, path, sizeof path, &tmp) == 1 && tmp == 0, "%s: one entry, no temporaries (%d)",
	      what, tmp);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s DEVICE_SPEC SCRATCH_DIR\n", argv[0]);
		return 2;
	}
	spec = argv[1];
	ctx = clx_ctx_create();
	char dir[2048], path[4096], sub[4096];
	int tmp;
	bool cached = true;
	mkdir(argv[2], 0755);
	snprintf(dir, sizeof dir, "%s/cache-%ld", argv[2], (long)getpid());
	setenv("CLX_CACHE_DIR", dir, 1);
	unsetenv("CLX_NO_CACHE");
	unsetenv("CLX_CL_TEST_PREFIX");

	open_and_run("first backend (empty cache)", &cached);
	CHECK(!cached, "the first build cannot come from an empty cache");
	if (!cacheable) {
		/* drivers that abort on an unreadable binary (rusticl 22.x) skip the cache */
		CHECK(entries(dir, path, sizeof path, &tmp) == 0, "an uncacheable driver wrote an entry");
		open_and_run("second backend (driver does not use the cache)", &cached);
		CHECK(!cached, "an uncacheable driver loaded a binary");
		printf("this driver does not use the binary cache (see binaries_safe in cl_program.c)\n");
		clx_ctx_free(ctx);
		return check_summary();
	}
	CHECK(entries(dir, path, sizeof path, &tmp) == 1 && tmp == 0, "one entry written, no temporaries");
	open_and_run("second backend", &cached);
	CHECK(cached, "the second backend did not use the cache");

	damaged(dir, "corrupt payload", 0);
	damaged(dir, "truncated entry", 1);
	damaged(dir, "foreign entry (another key)", 2);
	damaged(dir, "binary the driver rejects", 3);
	damaged(dir, "trailing bytes", 4);

	/* CLX_NO_CACHE=1: nothing read, nothing written */
	snprintf(sub, sizeof sub, "%s/nocache", dir);
	setenv("CLX_CACHE_DIR", sub, 1);
	setenv("CLX_NO_CACHE", "1", 1);
	open_and_run("CLX_NO_CACHE=1", &cached);
	CHECK(!cached && entries(sub, path, sizeof path, &tmp) == 0, "CLX_NO_CACHE=1 used or wrote a cache");
	unsetenv("CLX_NO_CACHE");

	/* $XDG_CACHE_HOME/clx, then $HOME/.cache/clx */
	unsetenv("CLX_CACHE_DIR");
	snprintf(sub, sizeof sub, "%s/xdg", dir);
	setenv("XDG_CACHE_HOME", sub, 1);
	open_and_run("XDG_CACHE_HOME", &cached);
	snprintf(sub, sizeof sub, "%s/xdg/clx", dir);
	CHECK(entries(sub, path, sizeof path, &tmp) == 1, "no entry in $XDG_CACHE_HOME/clx");
	unsetenv("XDG_CACHE_HOME");
	snprintf(sub, sizeof sub, "%s/home", dir);
	mkdir(sub, 0755);
	const char *home = getenv("HOME");
	char *saved_home = home ? strdup(home) : NULL;
	setenv("HOME", sub, 1);
	open_and_run("HOME", &cached);
	snprintf(sub, sizeof sub, "%s/home/.cache/clx", dir);
	CHECK(entries(sub, path, sizeof path, &tmp) == 1, "no entry in $HOME/.cache/clx");
	if (saved_home)
		setenv("HOME", saved_home, 1);
	free(saved_home);

	/* an unusable directory costs only the cache */
	setenv("CLX_CACHE_DIR", "/proc/clx-cannot-create-this", 1);
	open_and_run("unwritable cache directory", &cached);
	CHECK(!cached, "an unusable directory gave a cached program");

	clx_ctx_free(ctx);
	return check_summary();
}
