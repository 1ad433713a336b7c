/* clw.h — the thin wrapper every OpenCL (and CLBlast) call in cl/ goes
 * through, so tests can make the Nth call of a function fail with a chosen
 * code (SQLite-style fault injection), and the names of OpenCL errors.
 *
 *   st = CLW(clFinish, queue);                       functions returning cl_int
 *   buf = CLW_CREATE(clCreateBuffer, &err, ctx, flags, size, NULL);
 *                                                    functions with errcode_ret
 *
 * An injected failure returns the code without calling the driver. The
 * counters are process-global and not thread-safe: injection is for tests.
 * Not here: retries and error messages (the callers decide). */
#ifndef CLX_CLW_H
#define CLX_CLW_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include "clx/cl.h"

/* Non-zero when this call of `fn` must fail; the code is then in clw_code. */
int clw_should_fail(const char *fn);
extern int clw_code;

#define CLW(fn, ...) (clw_should_fail(#fn) ? clw_code : (fn)(__VA_ARGS__))
#define CLW_CREATE(fn, errp, ...) \
	(clw_should_fail(#fn) ? (*(errp) = clw_code, NULL) : (fn)(__VA_ARGS__, (errp)))

/* Device buffers the backend holds now (created minus released), so
 * tests can see that every error path releases what it made. */
extern int clw_live_buffers;

/* "CL_OUT_OF_RESOURCES"; CLBlast's own codes by their CLBlast names. */
const char *clw_error_name(int code);

#endif
