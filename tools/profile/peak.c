/* peak.c — the ceilings of each device's roofline: its measured FMA
 * throughput and copy bandwidth (the backends' microbenchmarks,
 * clx_backend_peak), cached so a device is measured once per driver.
 *
 * Results are cached as JSON in <cache dir>/peak/<key>.json (the directory
 * comes from the parent process: workers run with a temporary cache), the
 * key a hash
 * of the device name, driver and platform version, threads and the clx
 * version, so a new driver measures again.
 *
 * Not here: the microbenchmarks themselves (runtime/cpu/cpu_peak.c,
 * cl/cl_peak.c) and the roofline (report.c, html.c). */
#include "profile.h"

#include "clx/backend.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ----------------------------------------------------------- cache */

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
	h = fnv1a(h, "clx-peak/4");
	h = fnv1a(h, d->backend);
	h = fnv1a(h, d->name);
	h = fnv1a(h, d->driver_version);
	h = fnv1a(h, d->platform_version);
	h = fnv1a(h, threads);
	h = fnv1a(h, CLX_VERSION_STRING);
	snprintf(buf, cap, "%s/%016llx.json", dir, (unsigned long long)h);
}

static bool cache_load(const char *path, struct prof_device *d)
{
	char *text;
	size_t n;
	if (clx_file_read(NULL, path, 4096, &text, &n) != CLX_OK)
		return false;
	cJSON *j = cJSON_Parse(text);
	clx_free(text);
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

/* ------------------------------------------------------------------ API */

/* Opens the device again (the worker's backend is gone by now) and runs
 * its microbenchmarks. */
static void measure(struct prof_device *d)
{
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_backend *be = NULL;
	if (ctx && clx_backend_open(ctx, d->id, &be) == CLX_OK && clx_backend_caps(be).peak &&
	    clx_backend_peak(be, ctx, &d->peak_gflops, &d->peak_gbps) != CLX_OK)
		d->peak_gflops = d->peak_gbps = NAN;
	clx_backend_free(be);
	clx_ctx_free(ctx);
}

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
	measure(d);
	if (isfinite(d->peak_gflops) && isfinite(d->peak_gbps)) {
		snprintf(d->peak_source, sizeof d->peak_source, "measured");
		if (path[0])
			cache_store(path, d);
	}
}
