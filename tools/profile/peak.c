/* peak.c — clpeak-style microbenchmarks: the FMA throughput and the copy
 * bandwidth a device actually reaches, the ceilings of the roofline.
 *
 *   OpenCL: a kernel of 8 independent mad() chains (no extensions, OpenCL
 *           C 1.2) built as float4, float8 and float16 — the best of the
 *           three is the peak, as in clpeak; PoCL does best with float16,
 *           llvmpipe with float4 — best of 5 launches sized to run ≥ 20 ms, timed
 *           on the host around enqueue + clFinish (rusticl's profiling
 *           events read zero); a float4 copy kernel over 64 MiB (or a
 *           quarter of the largest allocation) for bandwidth.
 *   CPU:    the same arithmetic as a plain C loop on the CPU backend's
 *           thread count, compiled like the reference (no -march flags:
 *           this is the peak of portable C here, not of AVX-512), and a
 *           memcpy of 64 MiB per thread for bandwidth.
 * Bandwidth counts bytes read plus bytes written.
 *
 * Results are cached as JSON in <cache dir>/peak/<key>.json, the key a hash
 * of the device name, driver and platform version, threads and the clx
 * version, so a new driver measures again.
 *
 * Not here: the roofline itself (report.c, html.c). */
#include "profile.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(CLX_HAVE_OPENCL) && defined(CLX_PROFILE_OPENCL)
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#endif

/* ----------------------------------------------------------- cache dir */

static bool mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			*p = '/';
			return false;
		}
		*p = '/';
	}
	return mkdir(path, 0777) == 0 || errno == EEXIST;
}

void prof_cache_dir(char *buf, size_t cap)
{
	const char *env = getenv("CLX_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"),
		   *home = getenv("HOME");
	if (env && *env)
		snprintf(buf, cap, "%s", env);
	else if (xdg && *xdg)
		snprintf(buf, cap, "%s/clx", xdg);
	else if (home && *home)
		snprintf(buf, cap, "%s/.cache/clx", home);
	else
		buf[0] = '\0';
	if (buf[0] && !mkdir_p(buf))
		buf[0] = '\0';
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return (h ^ '|') * 0x100000001b3ull;
}

static void cache_path(const struct prof_device *d, const char *dir, char *buf, size_t cap)
{
	char threads[16];
	snprintf(threads, sizeof threads, "%d", d->threads);
	uint64_t h = 0xcbf29ce484222325ull;
	h = fnv1a(h, "clx-peak/3");
	h = fnv1a(h, d->backend);
	h = fnv1a(h, d->name);
	h = fnv1a(h, d->driver_version);
	h = fnv1a(h, d->platform_version);
	h = fnv1a(h, threads);
	h = fnv1a(h, CLX_VERSION_STRING);
	snprintf(buf, cap, "%s/peak/%016llx.json", dir, (unsigned long long)h);
}

static bool cache_load(const char *path, struct prof_device *d)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char text[4096];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	cJSON *j = cJSON_Parse(text);
	const cJSON *gf = cJSON_GetObjectItemCaseSensitive(j, "gflops");
	const cJSON *gb = cJSON_GetObjectItemCaseSensitive(j, "gbps");
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(j, "device");
	bool ok = cJSON_IsNumber(gf) && cJSON_IsNumber(gb) && cJSON_IsString(nm) &&
		  strcmp(nm->valuestring, d->name) == 0 && gf->valuedouble > 0 && gb->valuedouble > 0;
	if (ok) {
		d->peak_gflops = gf->valuedouble;
		d->peak_gbps = gb->valuedouble;
	}
	cJSON_Delete(j);
	return ok;
}

static void cache_store(const char *path, const struct prof_device *d)
{
	char dir[1200];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return;
	*slash = '\0';
	if (!mkdir_p(dir))
		return;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "device", d->name);
	cJSON_AddStringToObject(j, "driver_version", d->driver_version);
	cJSON_AddStringToObject(j, "platform_version", d->platform_version);
	cJSON_AddNumberToObject(j, "threads", d->threads);
	cJSON_AddNumberToObject(j, "gflops", d->peak_gflops);
	cJSON_AddNumberToObject(j, "gbps", d->peak_gbps);
	char *text = cJSON_Print(j);
	cJSON_Delete(j);
	if (!text)
		return;
	char tmp[1300];
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (f) {
		bool ok = fputs(text, f) >= 0;
		ok = fclose(f) == 0 && ok;
		if (!ok || rename(tmp, path) != 0)
			remove(tmp);
	}
	cJSON_free(text);
}

/* ---------------------------------------------------------------- CPU */

enum { LANES = 64, CHAINS_ITERS = 1 << 14 };

struct cpu_job {
	long iters;
	float sink;
	const uint8_t *src;
	uint8_t *dst;
	size_t bytes;
	int reps;
};

/* LANES independent x = x·a + b chains; the compiler may vectorise them. */
static void *cpu_fma(void *arg)
{
	struct cpu_job *j = arg;
	float x[LANES];
	volatile float va = 0.9999f, vb = 0.0001f;
	const float a = va, b = vb;
	for (int l = 0; l < LANES; l++)
		x[l] = (float)l * 1e-3f;
	for (long i = 0; i < j->iters; i++)
		for (int l = 0; l < LANES; l++)
			x[l] = x[l] * a + b;
	float s = 0;
	for (int l = 0; l < LANES; l++)
		s += x[l];
	j->sink = s;
	return NULL;
}

static void *cpu_copy(void *arg)
{
	struct cpu_job *j = arg;
	for (int r = 0; r < j->reps; r++)
		memcpy(j->dst, j->src, j->bytes);
	return NULL;
}

/* Runs fn on n threads over jobs[]; seconds of the slowest. */
static double cpu_parallel(int n, void *(*fn)(void *), struct cpu_job *jobs)
{
	pthread_t th[64];
	bool started[64] = { false };
	const double t0 = prof_now();
	for (int i = 1; i < n; i++)
		started[i] = pthread_create(&th[i], NULL, fn, &jobs[i]) == 0;
	fn(&jobs[0]);
	for (int i = 1; i < n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			fn(&jobs[i]);
	}
	return prof_since(t0);
}

static void cpu_peak(struct prof_device *d)
{
	int n = d->threads < 1 ? 1 : d->threads > 64 ? 64 : d->threads;
	struct cpu_job jobs[64];
	memset(jobs, 0, sizeof jobs);
	/* FMA: grow until one pass takes ≥ 0.1 s, then best of 3 */
	long iters = 1 << 12;
	double best = INFINITY;
	for (int tries = 0; tries < 24; tries++) {
		for (int i = 0; i < n; i++)
			jobs[i].iters = iters;
		double t = cpu_parallel(n, cpu_fma, jobs);
		if (t < 0.1) {
			iters *= 2;
			continue;
		}
		best = t;
		for (int r = 0; r < 2; r++)
			best = fmin(best, cpu_parallel(n, cpu_fma, jobs));
		break;
	}
	if (isfinite(best))
		d->peak_gflops = 2.0 * LANES * (double)iters * n / best * 1e-9;

	/* copy: 64 MiB per thread, past any cache */
	const size_t bytes = 64u << 20;
	uint8_t *buf = clx_malloc(2 * bytes * (size_t)n);
	if (!buf)
		return;
	memset(buf, 1, 2 * bytes * (size_t)n);
	for (int i = 0; i < n; i++)
		jobs[i] = (struct cpu_job){ .src = buf + 2 * bytes * (size_t)i,
					    .dst = buf + 2 * bytes * (size_t)i + bytes,
					    .bytes = bytes, .reps = 4 };
	best = INFINITY;
	for (int r = 0; r < 3; r++)
		best = fmin(best, cpu_parallel(n, cpu_copy, jobs));
	d->peak_gbps = 2.0 * (double)bytes * 4 * n / best * 1e-9;
	clx_free(buf);
}

/* -------------------------------------------------------------- OpenCL */

#if defined(CLX_HAVE_OPENCL) && defined(CLX_PROFILE_OPENCL)

#define FMA_ITERS 64 /* × 8 chains × W lanes × 2 flops per work-item */
/* Built with -DW=4, 8 and 16 (floatW); every lane feeds the result, so no
 * compiler can drop a lane. */
static const char peak_src[] =
	"#define CAT(a, b) a##b\n"
	"#define XCAT(a, b) CAT(a, b)\n"
	"#define VEC XCAT(float, W)\n"
	"__kernel void peak_fma(__global float *out, float a, float b)\n"
	"{\n"
	"	const float s = (float)get_global_id(0) * 1e-9f;\n"
	"	VEC x0 = (VEC)(s), x1 = x0 + 0.1f, x2 = x0 + 0.2f, x3 = x0 + 0.3f;\n"
	"	VEC x4 = x0 + 0.4f, x5 = x0 + 0.5f, x6 = x0 + 0.6f, x7 = x0 + 0.7f;\n"
	"	for (int i = 0; i < 64; i++) {\n"
	"		x0 = mad(x0, a, b); x1 = mad(x1, a, b); x2 = mad(x2, a, b); x3 = mad(x3, a, b);\n"
	"		x4 = mad(x4, a, b); x5 = mad(x5, a, b); x6 = mad(x6, a, b); x7 = mad(x7, a, b);\n"
	"	}\n"
	"	VEC r = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7));\n"
	"#if W == 16\n"
	"	float8 r8 = r.lo + r.hi;\n"
	"#elif W == 8\n"
	"	float8 r8 = r;\n"
	"#endif\n"
	"#if W >= 8\n"
	"	float4 r4 = r8.lo + r8.hi;\n"
	"#else\n"
	"	float4 r4 = r;\n"
	"#endif\n"
	"	out[get_global_id(0)] = (r4.x + r4.y) + (r4.z + r4.w);\n"
	"}\n"
	"__kernel void peak_copy(__global float4 *dst, __global const float4 *src)\n"
	"{\n"
	"	dst[get_global_id(0)] = src[get_global_id(0)];\n"
	"}\n";

/* Best of 5 launches of kernel k over `global` work-items, in seconds of
 * host time around enqueue + clFinish: some drivers (Mesa rusticl 23)
 * report zero-length profiling events, and a launch of ≥ 20 ms makes the
 * launch overhead negligible. */
static double launch_best(cl_command_queue q, cl_kernel k, size_t global)
{
	double best = INFINITY;
	for (int r = 0; r < 5; r++) {
		const double t0 = prof_now();
		if (clEnqueueNDRangeKernel(q, k, 1, NULL, &global, NULL, 0, NULL, NULL) != CL_SUCCESS ||
		    clFinish(q) != CL_SUCCESS)
			return NAN;
		best = fmin(best, prof_since(t0));
	}
	return best;
}

static void cl_peak(struct prof_device *d)
{
	int P = -1, D = -1;
	if (sscanf(d->id, "cl:%d:%d", &P, &D) != 2 || P < 0 || D < 0)
		return;
	cl_uint np = 0, nd = 0;
	cl_platform_id plats[64];
	cl_device_id devs[64];
	if (clGetPlatformIDs(64, plats, &np) != CL_SUCCESS || (cl_uint)P >= np)
		return;
	if (clGetDeviceIDs(plats[P], CL_DEVICE_TYPE_ALL, 64, devs, &nd) != CL_SUCCESS || (cl_uint)D >= nd)
		return;
	cl_device_id dev = devs[D];
	cl_int err;
	cl_context cx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
	if (!cx)
		return;
	cl_command_queue q = clCreateCommandQueue(cx, dev, 0, &err);
	const char *src = peak_src;
	cl_program prog = NULL;
	cl_kernel kf = NULL, kc = NULL;
	cl_mem out = NULL, a = NULL, b = NULL;
	if (!q)
		goto done;
	out = clCreateBuffer(cx, CL_MEM_WRITE_ONLY, (1u << 24) * sizeof(float), NULL, &err);
	if (!out)
		goto done;

	/* FMA, as float4, float8 and float16 (the best a device's compiler
	 * makes of one of them is its peak): grow each launch until it runs
	 * ≥ 20 ms (or 2^24 work-items) */
	for (int w = 4; w <= 16; w *= 2) {
		char opts[32];
		snprintf(opts, sizeof opts, "-DW=%d", w);
		if (kf)
			clReleaseKernel(kf);
		if (prog)
			clReleaseProgram(prog);
		kf = NULL;
		prog = clCreateProgramWithSource(cx, 1, &src, NULL, &err);
		if (!prog || clBuildProgram(prog, 1, &dev, opts, NULL, NULL) != CL_SUCCESS ||
		    !(kf = clCreateKernel(prog, "peak_fma", &err)))
			continue;
		const float fa = 0.9999f, fb = 0.0001f;
		clSetKernelArg(kf, 0, sizeof out, &out);
		clSetKernelArg(kf, 1, sizeof fa, &fa);
		clSetKernelArg(kf, 2, sizeof fb, &fb);
		for (size_t global = 1 << 12;;) {
			const double t = launch_best(q, kf, global);
			if (!isfinite(t))
				break;
			if (t >= 0.02 || global >= (1u << 24)) {
				const double gf = (double)global * FMA_ITERS * 8 * w * 2 / t * 1e-9;
				if (!(gf <= d->peak_gflops))
					d->peak_gflops = gf;
				break;
			}
			global *= t < 0.002 ? 8 : 2;
			if (global > (1u << 24))
				global = 1u << 24;
		}
	}
	if (!prog || !(kc = clCreateKernel(prog, "peak_copy", &err)))
		goto done;

	/* copy */
	cl_ulong max_alloc = 0;
	clGetDeviceInfo(dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc, &max_alloc, NULL);
	size_t bytes = 64u << 20;
	while (max_alloc && bytes > max_alloc / 4)
		bytes /= 2;
	a = clCreateBuffer(cx, CL_MEM_READ_ONLY, bytes, NULL, &err);
	b = clCreateBuffer(cx, CL_MEM_WRITE_ONLY, bytes, NULL, &err);
	if (!a || !b)
		goto done;
	const float zero = 0;
	clEnqueueFillBuffer(q, a, &zero, sizeof zero, 0, bytes, 0, NULL, NULL);
	clSetKernelArg(kc, 0, sizeof b, &b);
	clSetKernelArg(kc, 1, sizeof a, &a);
	double t = launch_best(q, kc, bytes / 16);
	if (isfinite(t))
		d->peak_gbps = 2.0 * (double)bytes / t * 1e-9;
done:
	if (a)
		clReleaseMemObject(a);
	if (b)
		clReleaseMemObject(b);
	if (out)
		clReleaseMemObject(out);
	if (kf)
		clReleaseKernel(kf);
	if (kc)
		clReleaseKernel(kc);
	if (prog)
		clReleaseProgram(prog);
	if (q)
		clReleaseCommandQueue(q);
	clReleaseContext(cx);
}
#endif

/* ------------------------------------------------------------------ API */

void prof_peak(struct prof_device *d, const char *cache_dir, bool quiet)
{
	char path[1200] = "";
	d->peak_gflops = d->peak_gbps = NAN;
	d->peak_source[0] = '\0';
	if (cache_dir && *cache_dir) {
		cache_path(d, cache_dir, path, sizeof path);
		if (cache_load(path, d)) {
			snprintf(d->peak_source, sizeof d->peak_source, "cache");
			return;
		}
	}
	if (!quiet)
		fprintf(stderr, isatty(STDERR_FILENO) ? "\r\033[K  %s: peak microbenchmark"
						       : "  %s: peak microbenchmark\n",
			d->id);
	if (strcmp(d->backend, "cpu") == 0)
		cpu_peak(d);
#if defined(CLX_HAVE_OPENCL) && defined(CLX_PROFILE_OPENCL)
	else if (strcmp(d->backend, "opencl") == 0)
		cl_peak(d);
#endif
	if (isfinite(d->peak_gflops) && isfinite(d->peak_gbps)) {
		snprintf(d->peak_source, sizeof d->peak_source, "measured");
		if (path[0])
			cache_store(path, d);
	}
}
