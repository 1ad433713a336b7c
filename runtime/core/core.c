/* core.c — status names, the error context, dtypes and the allocator hook.
 * Deliberately tiny: no logging framework, no global error state. */
#include "clx/clx.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ status */

const char *clx_status_name(enum clx_status st)
{
	switch (st) {
	case CLX_OK: return "ok";
	case CLX_ERR_INVALID_ARG: return "invalid argument";
	case CLX_ERR_IO: return "I/O error";
	case CLX_ERR_FORMAT: return "malformed input";
	case CLX_ERR_UNSUPPORTED: return "unsupported";
	case CLX_ERR_SHAPE: return "shape mismatch";
	case CLX_ERR_NOMEM: return "out of memory";
	case CLX_ERR_DEVICE: return "device error";
	case CLX_ERR_NOT_FOUND: return "not found";
	}
	return "unknown status";
}

/* ----------------------------------------------------------------- context */

struct clx_ctx {
	char err[1024];
	clx_warning_fn warn;
	void *warn_user;
};

struct clx_ctx *clx_ctx_create(void)
{
	return clx_calloc(1, sizeof(struct clx_ctx));
}

void clx_ctx_free(struct clx_ctx *ctx)
{
	clx_free(ctx);
}

const char *clx_last_error(const struct clx_ctx *ctx)
{
	return ctx ? ctx->err : "";
}

void clx_clear_error(struct clx_ctx *ctx)
{
	if (ctx)
		ctx->err[0] = '\0';
}

enum clx_status clx_fail(struct clx_ctx *ctx, enum clx_status st, const char *fmt, ...)
{
	if (ctx) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
		va_end(ap);
	}
	return st;
}

void clx_ctx_set_warning_handler(struct clx_ctx *ctx, clx_warning_fn fn, void *user)
{
	if (ctx) {
		ctx->warn = fn;
		ctx->warn_user = user;
	}
}

void clx_warn(struct clx_ctx *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ctx && ctx->warn)
		ctx->warn(ctx->warn_user, msg);
	else
		fprintf(stderr, "clx: warning: %s\n", msg);
}

bool clx_parse_int(const char *s, long long lo, long long hi, long long *out)
{
	if (!s || !*s || !(isdigit((unsigned char)*s) || (*s == '-' && lo < 0 && s[1])))
		return false;
	char *end;
	errno = 0;
	const long long v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

enum clx_status clx_env_int(struct clx_ctx *ctx, const char *name, long long lo, long long hi,
			    long long *v, bool *set)
{
	const char *s = getenv(name);
	*set = s && *s;
	if (*set && !clx_parse_int(s, lo, hi, v))
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s=%s: need an integer in [%lld, %lld]", name,
				s, lo, hi);
	return CLX_OK;
}

void clx_assert_fail(const char *expr, const char *file, int line)
{
	fprintf(stderr, "clx: internal error: %s:%d: assertion '%s' failed\n", file, line, expr);
	abort();
}

/* ------------------------------------------------------------------ dtypes */

size_t clx_dtype_size(enum clx_dtype dt)
{
	switch (dt) {
	case CLX_DTYPE_F32: return 4;
	case CLX_DTYPE_F16: return 2;
	case CLX_DTYPE_BF16: return 2;
	case CLX_DTYPE_I32: return 4;
	case CLX_DTYPE_I64: return 8;
	case CLX_DTYPE_COUNT: break;
	}
	return 0;
}

const char *clx_dtype_name(enum clx_dtype dt)
{
	switch (dt) {
	case CLX_DTYPE_F32: return "F32";
	case CLX_DTYPE_F16: return "F16";
	case CLX_DTYPE_BF16: return "BF16";
	case CLX_DTYPE_I32: return "I32";
	case CLX_DTYPE_I64: return "I64";
	case CLX_DTYPE_COUNT: break;
	}
	return "?";
}

static float bits_to_f32(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

float clx_bf16_to_f32(uint16_t h)
{
	return bits_to_f32((uint32_t)h << 16);
}

/* IEEE half → single, exact for every input (subnormals, inf, NaN). */
float clx_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h >> 15) << 31;
	uint32_t exp = (h >> 10) & 0x1f;
	uint32_t man = h & 0x3ff;
	if (exp == 0x1f) /* inf / NaN */
		return bits_to_f32(sign | 0x7f800000u | (man << 13));
	if (exp == 0) {
		if (man == 0)
			return bits_to_f32(sign);
		/* subnormal: value = man · 2^-24 */
		float v = (float)man * 0x1p-24f;
		return sign ? -v : v;
	}
	return bits_to_f32(sign | ((exp + 112) << 23) | (man << 13));
}

uint16_t clx_f32_to_f16(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	const uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
	const uint32_t abs = u & 0x7fffffffu;
	if (abs > 0x7f800000u) /* NaN: keep it quiet and non-zero */
		return (uint16_t)(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
	if (abs >= 0x477ff000u) /* ≥ 65520 rounds past the largest half */
		return (uint16_t)(sign | 0x7c00u);
	if (abs < 0x38800000u) {
		/* a half subnormal (or zero): units of 2^-24, rounded to even */
		const uint32_t man = (abs & 0x7fffffu) | 0x800000u;
		const int shift = 126 - (int)(abs >> 23); /* ≥ 14 */
		if (shift > 24)
			return sign; /* below half the smallest subnormal */
		uint32_t q = man >> shift;
		const uint32_t rem = man & ((1u << shift) - 1), halfway = 1u << (shift - 1);
		if (rem > halfway || (rem == halfway && (q & 1u)))
			q++;
		return (uint16_t)(sign | q);
	}
	/* normal: rebias the exponent, round the 13 dropped bits to even */
	uint32_t h = ((abs >> 13) - (112u << 10));
	const uint32_t rem = abs & 0x1fffu;
	if (rem > 0x1000u || (rem == 0x1000u && (h & 1u)))
		h++;
	return (uint16_t)(sign | h);
}

/* --------------------------------------------------------------- allocator */

static struct clx_allocator g_alloc = { malloc, realloc, free };

void clx_set_allocator(const struct clx_allocator *a)
{
	if (a)
		g_alloc = *a;
	else
		g_alloc = (struct clx_allocator){ malloc, realloc, free };
}

void *clx_malloc(size_t n)
{
	return g_alloc.malloc_fn(n ? n : 1);
}

void *clx_calloc(size_t count, size_t size)
{
	size_t n;
	if (!clx_mul_ok(count, size, &n))
		return NULL;
	void *p = clx_malloc(n);
	if (p)
		memset(p, 0, n ? n : 1);
	return p;
}

void *clx_realloc(void *p, size_t n)
{
	return g_alloc.realloc_fn(p, n ? n : 1);
}

void clx_free(void *p)
{
	if (p)
		g_alloc.free_fn(p);
}

char *clx_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = clx_malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* ----------------------------------------------------------------- hashes */

uint64_t clx_fnv1a64(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

uint64_t clx_fnv1a64_field(uint64_t h, const char *s)
{
	s = s ? s : "";
	return clx_fnv1a64(clx_fnv1a64(h, s, strlen(s)), "|", 1);
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

uint64_t clx_hash_bytes(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t lane[4] = { h ^ 0x9e3779b97f4a7c15ull, h + n, ~h, h ^ 0x94d049bb133111ebull };
	size_t i = 0;
	for (; i + 32 <= n; i += 32)
		for (int j = 0; j < 4; j++) {
			uint64_t w;
			memcpy(&w, p + i + 8 * j, 8);
			lane[j] = (lane[j] ^ w) * 0x100000001b3ull;
			lane[j] ^= lane[j] >> 29;
		}
	uint64_t r = clx_fnv1a64(mix64(lane[0]) ^ mix64(lane[1] + 1) ^ mix64(lane[2] + 2) ^
					 mix64(lane[3] + 3),
				 p + i, n - i);
	return mix64(r ^ n);
}

/* ------------------------------------------------------------------ time */

double clx_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
