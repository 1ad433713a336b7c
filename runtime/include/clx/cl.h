/* cl.h — what only the OpenCL backend has: its test and debugging hooks.
 *
 * Everything else about OpenCL devices goes through the backend API
 * (clx/backend.h): listing them, selecting one by spec ("cl", "cl:P:D", a
 * name substring), opening it, its device info and stats. These functions
 * exist when the library was built with the OpenCL backend (the build then
 * defines CLX_HAVE_OPENCL for every target that links clx).
 *
 * Environment: CLX_CACHE_DIR, XDG_CACHE_HOME (program binary cache,
 * cl/cl_program.c), CLX_NO_CACHE=1 (disable it), CLX_CL_FAIL (failure
 * injection, tests only, see below). */
#ifndef CLX_CL_H
#define CLX_CL_H

#include "clx/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --------------------------------------------------- testing and debugging */

/* Failure injection in the thin wrapper every cl* call goes through
 * (cl/clw.c): the `nth` call (1-based, counted from this call) of OpenCL
 * function `fn` ("clCreateBuffer", "clEnqueueNDRangeKernel", "clFinish",
 * "clBuildProgram", …) and the `count` − 1 calls after it fail with `code`
 * (a CL_* error value) without reaching the driver. fn = NULL clears.
 * The same can be set for a whole process with the environment variable
 * CLX_CL_FAIL=fn:nth:code[:count], code by name ("CL_OUT_OF_RESOURCES") or
 * number. Not thread-safe; tests only. */
void clx_cl_inject_failure(const char *fn, int nth, int code, int count);
/* fn = "*" counts every wrapped call, whatever the function: failing the
 * Nth call for N = 1, 2, … walks every failure point (SQLite-style). */
/* How many injected failures have fired since the last clx_cl_inject_failure. */
int clx_cl_injected_count(void);
/* Wrapped calls of the configured function (or of all, for "*") since then. */
int clx_cl_calls_seen(void);
/* Device buffers held by OpenCL backends right now (created − released). */
int clx_cl_live_buffers(void);

/* Appends `text` to the kernel source at the next clx_backend_cl_create
 * (NULL: none), to show what a build failure looks like. Tests only. */
void clx_cl_debug_source_suffix(const char *text);

/* Fills the whole activation arena with `byte`, or copies `bytes` from it
 * at byte offset `offs`: lets tests check sentinel bytes around outputs. */
enum clx_status clx_backend_cl_arena_fill(struct clx_backend *be, struct clx_ctx *ctx,
					  uint8_t byte);
enum clx_status clx_backend_cl_arena_read(struct clx_backend *be, struct clx_ctx *ctx,
					  size_t offs, size_t bytes, void *dst);

/* The name of an OpenCL (or CLBlast) error code: "CL_OUT_OF_RESOURCES";
 * "unknown OpenCL error" for codes it does not know (callers print the
 * number too). */
const char *clx_cl_error_name(int code);

#ifdef __cplusplus
}
#endif
#endif
