/* cl_program.c — builds the embedded kernels into one program per device,
 * through an on-disk cache of program binaries (docs/SECURITY.md §9:
 * first-run compilation is users' top complaint).
 *
 * Cache directory: $CLX_CACHE_DIR, else $XDG_CACHE_HOME/clx, else
 * $HOME/.cache/clx; CLX_NO_CACHE=1 disables the cache. One file per key,
 * named by the 64-bit FNV-1a hash of the key text; the key text covers
 * the platform name and version, the device name and version, the driver
 * version, the build options, the kernel source (hash and length) and the
 * clx version, and is stored in the file and compared in full, so a hash
 * collision or a foreign file is a miss, not a wrong program.
 *
 * File layout: "CLXBIN01" | u32 key length | key | u64 payload length |
 * u64 FNV-1a of the payload | payload (the device binary). Any mismatch,
 * truncation or a binary the driver rejects → rebuilt from source,
 * silently. Entries are written whole or not at all (clx_cache_store), so
 * a reader never sees half a file.
 *
 * Drivers that abort on a binary they cannot read (Mesa rusticl 22.x) do
 * not use the cache (binaries_safe).
 *
 * Not here: CLBlast's programs (CLBlast keeps them in memory only). */
#include "cl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct clx_cl_source {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct clx_cl_source clx_cl_sources[];
extern const int clx_cl_n_sources;

static char *debug_suffix; /* clx_cl_debug_source_suffix */

void clx_cl_debug_source_suffix(const char *text)
{
	free(debug_suffix);
	debug_suffix = NULL;
	if (text) {
		size_t n = strlen(text);
		debug_suffix = malloc(n + 1); /* test-only state: outside the clx allocator */
		if (debug_suffix)
			memcpy(debug_suffix, text, n + 1);
	}
}

/* ---------------------------------------------------------------- source */

bool cl_env_lists(const char *var, const char *name)
{
	const char *v = getenv(var);
	const size_t n = strlen(name);
	for (const char *s = v; s && *s;) {
		const char *e = strchr(s, ',');
		const size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == n && strncmp(s, name, n) == 0)
			return true;
		s = e ? e + 1 : s + len;
	}
	return false;
}

/* Whether kernel file `name` belongs to a program of `kind` (and, with
 * `only`, is that file): common.cl to every one, gemm.cl to the GEMM
 * programs, every other file to the ops. */
static bool in_program(const char *name, enum cl_program_kind kind, const char *only)
{
	if (strcmp(name, "common.cl") == 0)
		return true;
	if (only && strcmp(name, only) != 0)
		return false;
	return (strcmp(name, "gemm.cl") == 0) == (kind == CL_PROGRAM_GEMM);
}

/* The kernel files of `kind` (or only file `only` of it) concatenated in
 * build order, plus (for the ops) the debug suffix. Test hooks:
 * CLX_CL_TEST_PREFIX is put in front (a #define there can perturb a kernel
 * on purpose, so tests can see a numeric failure caught);
 * CLX_CL_REJECT=FILE[,FILE…] ends those files with an #error, so the
 * device's compiler rejects them for real. */
static char *assemble_source(enum cl_program_kind kind, const char *only, size_t *len)
{
	static const char reject[] = "#error \"rejected on purpose (CLX_CL_REJECT)\"\n";
	const char *prefix = getenv("CLX_CL_TEST_PREFIX");
	const char *suffix = kind == CL_PROGRAM_OPS ? debug_suffix : NULL;
	size_t n = 1 + (prefix ? strlen(prefix) + 1 : 0);
	for (int i = 0; i < clx_cl_n_sources; i++)
		n += clx_cl_sources[i].len + 64 + sizeof reject;
	if (suffix)
		n += strlen(suffix) + 2;
	char *s = clx_malloc(n);
	if (!s)
		return NULL;
	size_t at = 0;
	if (prefix)
		at += (size_t)snprintf(s, n, "%s\n", prefix);
	for (int i = 0; i < clx_cl_n_sources; i++) {
		if (!in_program(clx_cl_sources[i].name, kind, only))
			continue;
		at += (size_t)snprintf(s + at, n - at, "/* ---- %s ---- */\n", clx_cl_sources[i].name);
		memcpy(s + at, clx_cl_sources[i].text, clx_cl_sources[i].len);
		at += clx_cl_sources[i].len;
		s[at++] = '\n';
		if (cl_env_lists("CLX_CL_REJECT", clx_cl_sources[i].name))
			at += (size_t)snprintf(s + at, n - at, "%s", reject);
	}
	if (suffix)
		at += (size_t)snprintf(s + at, n - at, "%s\n", suffix);
	s[at] = '\0';
	*len = at;
	return s;
}

/* "-cl-std=CL1.2" when the device's OpenCL C is 1.2 or later, else "".
 * Never -cl-fast-relaxed-math / -cl-finite-math-only (attention masks with
 * −INFINITY). */
static const char *build_options(const struct clx_device_info *info)
{
	int major = 0, minor = 0;
	if (sscanf(info->opencl_c_version, "OpenCL C %d.%d", &major, &minor) == 2 &&
	    (major > 1 || (major == 1 && minor >= 2)))
		return "-cl-std=CL1.2";
	return "";
}

/* ----------------------------------------------------------------- cache */

/* Whether the driver survives a program binary it cannot read. Mesa's
 * rusticl 22.x aborts the process (a Rust panic, "unknown version") instead
 * of returning CL_INVALID_BINARY; it also compiles lazily, so a cached
 * binary saves it almost nothing. Such drivers do not use the cache. */
static bool binaries_safe(const struct clx_device_info *di)
{
	return strstr(di->platform_name, "rusticl") == NULL;
}

static const char magic[8] = { 'C', 'L', 'X', 'B', 'I', 'N', '0', '1' };

/* Reads the whole file if it is a valid entry for `key`; NULL otherwise. */
static unsigned char *cache_load(const char *path, const char *key, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *payload = NULL;
	char *fkey = NULL;
	char m[8];
	uint32_t klen;
	uint64_t plen, phash;
	const size_t want_klen = strlen(key);
	if (fread(m, 1, 8, f) != 8 || memcmp(m, magic, 8) != 0)
		goto bad;
	if (fread(&klen, sizeof klen, 1, f) != 1 || klen != want_klen)
		goto bad;
	if (!(fkey = clx_malloc((size_t)klen + 1)) || fread(fkey, 1, klen, f) != klen ||
	    memcmp(fkey, key, klen) != 0)
		goto bad;
	if (fread(&plen, sizeof plen, 1, f) != 1 || fread(&phash, sizeof phash, 1, f) != 1)
		goto bad;
	if (plen == 0 || plen > (1ull << 31))
		goto bad;
	if (!(payload = clx_malloc((size_t)plen)) || fread(payload, 1, (size_t)plen, f) != plen)
		goto bad;
	if (fgetc(f) != EOF || clx_fnv1a64(CLX_FNV_INIT, payload, (size_t)plen) != phash)
		goto bad; /* trailing bytes or corrupt payload */
	fclose(f);
	clx_free(fkey);
	*len = (size_t)plen;
	return payload;
bad:
	fclose(f);
	clx_free(fkey);
	clx_free(payload);
	return NULL;
}

/* Writes an entry whole or not at all (clx_cache_store). Failures are
 * silent: the cache is an optimisation. */
static bool cache_store(const char *path, const char *key, const unsigned char *bin, size_t len)
{
	const uint32_t klen = (uint32_t)strlen(key);
	const uint64_t plen = len, phash = clx_fnv1a64(CLX_FNV_INIT, bin, len);
	const size_t n = sizeof magic + sizeof klen + klen + sizeof plen + sizeof phash + len;
	unsigned char *e = clx_malloc(n), *at = e;
	if (!e)
		return false;
	memcpy(at, magic, sizeof magic), at += sizeof magic;
	memcpy(at, &klen, sizeof klen), at += sizeof klen;
	memcpy(at, key, klen), at += klen;
	memcpy(at, &plen, sizeof plen), at += sizeof plen;
	memcpy(at, &phash, sizeof phash), at += sizeof phash;
	memcpy(at, bin, len);
	const bool ok = clx_cache_store(path, e, n);
	clx_free(e);
	return ok;
}

/* ----------------------------------------------------------------- build */

/* The build log, trimmed to fit a message: NUL-terminated, caller frees. */
static char *build_log(cl_program prog, cl_device_id dev)
{
	size_t n = 0;
	if (CLW(clGetProgramBuildInfo, prog, dev, CL_PROGRAM_BUILD_LOG, 0, NULL, &n) != CL_SUCCESS)
		n = 0;
	char *log = clx_malloc(n + 1);
	if (!log)
		return NULL;
	log[0] = '\0';
	if (n > 0 && CLW(clGetProgramBuildInfo, prog, dev, CL_PROGRAM_BUILD_LOG, n, log, NULL) == CL_SUCCESS)
		log[n] = '\0';
	else
		log[0] = '\0';
	return log;
}

static bool program_binary(cl_program prog, unsigned char **bin, size_t *len)
{
	size_t size = 0;
	*bin = NULL;
	cl_uint ndev = 0;
	if (CLW(clGetProgramInfo, prog, CL_PROGRAM_NUM_DEVICES, sizeof ndev, &ndev, NULL) != CL_SUCCESS ||
	    ndev != 1)
		return false;
	if (CLW(clGetProgramInfo, prog, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
	    size == 0)
		return false;
	unsigned char *b = clx_malloc(size);
	if (!b)
		return false;
	if (CLW(clGetProgramInfo, prog, CL_PROGRAM_BINARIES, sizeof b, &b, NULL) != CL_SUCCESS) {
		clx_free(b);
		return false;
	}
	*bin = b;
	*len = size;
	return true;
}

enum clx_status cl_program_build(struct clx_ctx *ctx, const struct cl_dev *dev,
				 cl_context context, enum cl_program_kind kind, const char *only,
				 const char *defines, cl_program *out, struct cl_program_info *info)
{
	const double t0 = clx_now();
	const struct clx_device_info *di = &dev->info;
	memset(info, 0, sizeof *info);
	*out = NULL;
	size_t src_len = 0;
	char *src = assemble_source(kind, only, &src_len);
	char *key = NULL;
	unsigned char *bin = NULL;
	cl_program prog = NULL;
	cl_int err;
	enum clx_status st = CLX_OK;
	if (!src)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory assembling kernels", di->id);
	char opts[512];
	snprintf(opts, sizeof opts, "%s%s%s", build_options(di), defines && *defines ? " " : "",
		 defines ? defines : "");

	/* the cache key */
	size_t kcap = 2048 + strlen(opts);
	key = clx_malloc(kcap);
	if (!key) {
		clx_free(src);
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", di->id);
	}
	snprintf(key, kcap,
		 "clx program cache v1\nclx=%s\nplatform=%s\nplatform_version=%s\ndevice=%s\n"
		 "device_version=%s\ndriver=%s\noptions=%s\nsource_fnv1a=%016llx\nsource_len=%zu\n",
		 CLX_VERSION_STRING, di->platform_name, di->platform_version, di->name,
		 di->device_version, di->driver_version, opts,
		 (unsigned long long)clx_fnv1a64(CLX_FNV_INIT, src, src_len), src_len);
	char dir[1024];
	info->cacheable = binaries_safe(di);
	bool use_cache = info->cacheable && clx_cache_dir(dir, sizeof dir, NULL);
	if (use_cache)
		use_cache = (size_t)snprintf(info->cache_path, sizeof info->cache_path, "%s/%016llx.clbin",
					     dir, (unsigned long long)clx_fnv1a64(CLX_FNV_INIT, key, strlen(key))) <
			    sizeof info->cache_path;

	/* 1. a cached binary */
	size_t blen = 0;
	if (use_cache && (bin = cache_load(info->cache_path, key, &blen)) != NULL) {
		const unsigned char *bp = bin;
		cl_int bstatus = CL_SUCCESS;
		prog = CLW_CREATE(clCreateProgramWithBinary, &err, context, 1, &dev->device, &blen, &bp,
				  &bstatus);
		if (prog && err == CL_SUCCESS && bstatus == CL_SUCCESS &&
		    CLW(clBuildProgram, prog, 1, &dev->device, opts, NULL, NULL) == CL_SUCCESS) {
			info->from_cache = true;
			goto done;
		}
		if (prog)
			clReleaseProgram(prog); /* a bad entry: rebuild from source */
		prog = NULL;
	}
	clx_free(bin);
	bin = NULL;

	/* 2. from source */
	const char *sp = src;
	prog = CLW_CREATE(clCreateProgramWithSource, &err, context, 1, &sp, &src_len);
	if (!prog || err != CL_SUCCESS) {
		st = clx_fail(ctx, CLX_ERR_DEVICE, "%s (%s): clCreateProgramWithSource failed: %s (%d)",
			      di->id, di->name, clw_error_name(err), err);
		prog = NULL;
		goto done;
	}
	err = CLW(clBuildProgram, prog, 1, &dev->device, opts, NULL, NULL);
	if (err != CL_SUCCESS) {
		char *log = build_log(prog, dev->device);
		st = clx_fail(ctx, CLX_ERR_DEVICE,
			      "%s (%s): kernel build failed: %s (%d), options '%s'; build log:\n%.800s",
			      di->id, di->name, clw_error_name(err), err, opts,
			      log && *log ? log : "(empty)");
		clx_free(log);
		clReleaseProgram(prog);
		prog = NULL;
		goto done;
	}
	if (use_cache && program_binary(prog, &bin, &blen))
		info->cache_written = cache_store(info->cache_path, key, bin, blen);
done:
	clx_free(bin);
	clx_free(src);
	clx_free(key);
	info->seconds = clx_now() - t0;
	*out = prog;
	return st;
}

void cl_first_error(const char *msg, char *out, size_t cap)
{
	const char *log = strstr(msg, "build log:\n");
	const char *s = log ? log + strlen("build log:\n") : msg;
	const char *e = strstr(s, "error");
	if (e)
		while (e > s && e[-1] != '\n')
			e--;
	s = e ? e : s;
	snprintf(out, cap, "%.*s", (int)strcspn(s, "\n"), s);
}

enum clx_status cl_program_build_ops(struct clx_ctx *ctx, const struct cl_dev *dev,
				     cl_context context, const char *defines, cl_program *progs,
				     int cap, int *n, char *rejected, size_t rcap,
				     struct cl_program_info *info)
{
	*n = 0;
	rejected[0] = '\0';
	struct clx_ctx *probe = clx_ctx_create();
	if (!probe)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", dev->info.id);
	enum clx_status st = cl_program_build(probe, dev, context, CL_PROGRAM_OPS, NULL, defines,
					      &progs[0], info);
	*n = st == CLX_OK;
	if (st != CLX_ERR_DEVICE || !strstr(clx_last_error(probe), "kernel build failed")) {
		if (st != CLX_OK)
			clx_fail(ctx, st, "%s", clx_last_error(probe));
		clx_ctx_free(probe);
		return st;
	}
	/* the compiler rejected the whole: file by file, so a file it rejects
	 * costs only its own kernels (their ops fall back, docs/PLACEMENT.md) */
	char *whole = clx_malloc(strlen(clx_last_error(probe)) + 1);
	if (whole)
		strcpy(whole, clx_last_error(probe));
	double seconds = info->seconds;
	size_t at = 0;
	for (int i = 0; i < clx_cl_n_sources && *n < cap; i++) {
		const char *name = clx_cl_sources[i].name;
		if (strcmp(name, "common.cl") == 0 || !in_program(name, CL_PROGRAM_OPS, NULL))
			continue;
		struct cl_program_info fi;
		if (cl_program_build(probe, dev, context, CL_PROGRAM_OPS, name, defines, &progs[*n], &fi) ==
		    CLX_OK) {
			(*n)++;
		} else {
			char line[200];
			cl_first_error(clx_last_error(probe), line, sizeof line);
			at += (size_t)snprintf(rejected + at, at < rcap ? rcap - at : 0, "%s%s (%s)",
					       at ? "; " : "", name, line);
			at = at < rcap ? at : rcap;
		}
		seconds += fi.seconds;
	}
	info->seconds = seconds;
	info->from_cache = false;
	if (*n == 0)
		st = clx_fail(ctx, CLX_ERR_DEVICE, "%s", whole ? whole : clx_last_error(probe));
	else
		st = CLX_OK;
	clx_free(whole);
	clx_ctx_free(probe);
	return st;
}
