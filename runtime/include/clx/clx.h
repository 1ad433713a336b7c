/* clx.h — the core of the public API: status codes, the error context,
 * data types and the overridable allocator.
 *
 * Every fallible library call takes a `struct clx_ctx *` and returns an
 * `enum clx_status`; on failure it leaves one human-readable line in the
 * context (`clx_last_error`). The library never exits and keeps no global
 * error string. Internal invariants use CLX_ASSERT, which stays on with
 * -DNDEBUG; input is never validated with assert(). */
#ifndef CLX_CLX_H
#define CLX_CLX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLX_VERSION_STRING "0.1.0"

enum clx_status {
	CLX_OK = 0,
	CLX_ERR_INVALID_ARG,   /* caller passed something impossible */
	CLX_ERR_IO,            /* open/read/write/mmap failed */
	CLX_ERR_FORMAT,        /* a file is malformed (safetensors, JSON, npy, …) */
	CLX_ERR_UNSUPPORTED,   /* well-formed but not something clx runs */
	CLX_ERR_SHAPE,         /* a tensor shape disagrees with what is expected */
	CLX_ERR_NOMEM,         /* an allocation failed */
	CLX_ERR_DEVICE,        /* a backend/device failure */
	CLX_ERR_NOT_FOUND,     /* missing file, tensor, device */
};

const char *clx_status_name(enum clx_status st);

/* ---------------------------------------------------------------- context */

/* Carries the last error message (and nothing global). Cheap to create. */
struct clx_ctx;

struct clx_ctx *clx_ctx_create(void);
void clx_ctx_free(struct clx_ctx *ctx);

/* The message of the last failure, "" if none. Valid until the next call
 * that fails on this context. */
const char *clx_last_error(const struct clx_ctx *ctx);

/* Records a printf-style message and returns `st`, so error paths read
 * `return clx_fail(ctx, CLX_ERR_FORMAT, "%s: ...", path);`. ctx may be NULL. */
enum clx_status clx_fail(struct clx_ctx *ctx, enum clx_status st, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

void clx_clear_error(struct clx_ctx *ctx);

/* Something the library recovered from and the user should hear about (an
 * unusable cache or tuning file that was ignored): one line, passed to the
 * context's handler, by default printed to stderr as "clx: warning: …".
 * Results never depend on a warning. */
typedef void (*clx_warning_fn)(void *user, const char *msg);
void clx_ctx_set_warning_handler(struct clx_ctx *ctx, clx_warning_fn fn, void *user);
void clx_warn(struct clx_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* ---------------------------------------------------------------- dtypes */

enum clx_dtype {
	CLX_DTYPE_F32 = 0,
	CLX_DTYPE_F16,
	CLX_DTYPE_BF16,
	CLX_DTYPE_I32,
	CLX_DTYPE_I64,
	CLX_DTYPE_COUNT
};

size_t clx_dtype_size(enum clx_dtype dt);
const char *clx_dtype_name(enum clx_dtype dt);

float clx_f16_to_f32(uint16_t h);
/* Single → IEEE half, rounding to nearest even (as vstore_half_rte and
 * NumPy's astype(float16)): overflow gives ±inf, NaN stays NaN. */
uint16_t clx_f32_to_f16(float f);
float clx_bf16_to_f32(uint16_t h);

/* -------------------------------------------------------------- allocator */

/* Every allocation in the library goes through these. Tests replace the
 * hooks to fail the Nth allocation (see tests/alloc_fail.h). */
void *clx_malloc(size_t n);
void *clx_calloc(size_t count, size_t size);
void *clx_realloc(void *p, size_t n);
void clx_free(void *p);
char *clx_strdup(const char *s);

struct clx_allocator {
	void *(*malloc_fn)(size_t n);
	void *(*realloc_fn)(void *p, size_t n);
	void (*free_fn)(void *p);
};
/* NULL restores the C library's allocator. Not thread-safe: set it once
 * before any other call. */
void clx_set_allocator(const struct clx_allocator *a);

/* ----------------------------------------------------------------- memory */

/* Tells the kernel the whole pages inside [p, p + n) of a read-only FILE
 * mapping are not needed now: resident memory drops, and a later access
 * re-reads them from the file. Only for such mappings (on anonymous memory
 * it would lose data). Used after a device has its own copy of a weight. */
void clx_drop_mapped_pages(const void *p, size_t n);

/* Writes all n bytes to fd (retrying short writes and EINTR); false with
 * errno set on failure. */
bool clx_write_all(int fd, const void *buf, size_t n);

/* The one integer rule for command lines and the environment: decimal
 * digits with a '-' only when lo < 0; no spaces, '+', hex or trailing
 * characters; within [lo, hi]. False otherwise (out untouched). */
bool clx_parse_int(const char *s, long long lo, long long hi, long long *out);

/* Environment variable `name` by that rule: *set false when it is unset or
 * empty; a value that breaks the rule is CLX_ERR_INVALID_ARG "NAME=VALUE:
 * need an integer in [lo, hi]". */
enum clx_status clx_env_int(struct clx_ctx *ctx, const char *name, long long lo, long long hi,
			    long long *v, bool *set);

/* Reads the whole input `path` (at most `limit` bytes) into a new
 * clx_malloc'ed buffer with a NUL after the last byte. "-" is standard
 * input; a FIFO or pipe is read to its end, waiting at most
 * $CLX_INPUT_TIMEOUT seconds (default CLX_INPUT_TIMEOUT_S, 120) for data,
 * and opening it never blocks. Errors name the path: missing →
 * CLX_ERR_NOT_FOUND "PATH: No such file or directory"; a directory, a
 * device node, a symbolic link loop, unreadable, no data before the
 * deadline, or changed size while read → CLX_ERR_IO; over the limit →
 * CLX_ERR_FORMAT. */
enum clx_status clx_file_read(struct clx_ctx *ctx, const char *path, size_t limit, char **out,
			      size_t *len);

/* ------------------------------------------------------------------ time */

/* Seconds on the monotonic clock: for intervals. */
double clx_now(void);

/* ----------------------------------------------------------------- hashes */

/* FNV-1a 64 over n bytes, continuing from h (start: CLX_FNV_INIT): keys of
 * the on-disk caches and file identities. */
#define CLX_FNV_INIT 0xcbf29ce484222325ull
uint64_t clx_fnv1a64(uint64_t h, const void *data, size_t n);
/* One text field of a key: s (NULL as "") and a '|' separator. */
uint64_t clx_fnv1a64_field(uint64_t h, const char *s);
/* A fast 64-bit hash of bulk data (weights: GB/s, 8 bytes a step in four
 * lanes), continuing from h. Not cryptographic; for cache keys. */
uint64_t clx_hash_bytes(uint64_t h, const void *data, size_t n);

/* ------------------------------------------------------------------ cache */

/* clx's on-disk cache directory into buf: $CLX_CACHE_DIR, else
 * $XDG_CACHE_HOME/clx, else $HOME/.cache/clx, plus "/sub" when sub is not
 * NULL, each level created when missing. False (buf = "") when
 * CLX_NO_CACHE=1, no variable names a place, or it cannot be made. */
bool clx_cache_dir(char *buf, size_t cap, const char *sub);
/* Writes cache entry `path` (n bytes) whole or not at all: a temporary
 * file beside it, renamed into place. False on any failure, which callers
 * may ignore (a cache is an optimisation). */
bool clx_cache_store(const char *path, const void *data, size_t n);

/* ---------------------------------------------------------------- checks */

/* Checked size arithmetic for every number that comes from a file. */
static inline bool clx_mul_ok(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}
static inline bool clx_add_ok(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

void clx_assert_fail(const char *expr, const char *file, int line);
#define CLX_ASSERT(x) ((x) ? (void)0 : clx_assert_fail(#x, __FILE__, __LINE__))

#ifdef __cplusplus
}
#endif
#endif
