/* cl.h — the OpenCL backend: device discovery, selection by spec, and the
 * backend itself (kernels for every graph op, GEMMs through CLBlast).
 *
 * Available when the library was built with the OpenCL backend; the build
 * then defines CLX_HAVE_OPENCL for every target that links clx.
 *
 * Device ids are "cl:P:D": P is the platform's index as the ICD loader
 * returns them (clinfo -l numbers them the same way), D the device's index
 * within that platform. Platforms with zero devices (Mesa's Clover) are
 * skipped but keep their index, so ids are stable when they gain devices.
 *
 * Device specs (README.md "Commands"):
 *   "cl"      the best device: GPU over accelerator over CPU over anything
 *             else, then the most compute units × max clock, then the lowest id;
 *   "cl:P:D"  that device;
 *   other     the first device, in listing order, whose name contains the
 *             spec, ignoring case ("pthread", "llvmpipe", "nvidia", "gfx1100").
 *
 * Environment: CLX_CACHE_DIR, XDG_CACHE_HOME (program binary cache, see
 * cl/cl_program.c), CLX_NO_CACHE=1 (disable it), CLX_CL_FAIL (failure
 * injection, tests only, see below). */
#ifndef CLX_CL_H
#define CLX_CL_H

#include "clx/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- devices */

struct clx_cl_device_info {
	char id[32];                 /* "cl:P:D" */
	int platform;                /* P */
	int device;                  /* D */
	char name[256];
	char vendor[256];
	char platform_name[256];
	char platform_version[256];  /* "OpenCL 3.0 PoCL 3.1+debian ..." */
	char device_version[256];    /* "OpenCL 3.0 ..." */
	char opencl_c_version[256];  /* "OpenCL C 1.2 ..." */
	char driver_version[256];
	const char *type;            /* "GPU", "CPU", "ACCELERATOR", "CUSTOM", "DEFAULT" */
	int type_rank;               /* 3 GPU, 2 accelerator, 1 CPU, 0 other: the "cl" rule */
	uint32_t compute_units;
	uint32_t clock_mhz;
	uint64_t global_mem;         /* bytes */
	uint64_t local_mem;          /* bytes */
	uint64_t max_alloc;          /* CL_DEVICE_MAX_MEM_ALLOC_SIZE, bytes */
	size_t max_work_group;
	uint32_t base_align_bits;    /* CL_DEVICE_MEM_BASE_ADDR_ALIGN (bits) */
	bool fp16;                   /* cl_khr_fp16 */
	bool fp64;                   /* cl_khr_fp64 or a non-zero double fp config */
	/* CL_DEVICE_PREFERRED_VECTOR_WIDTH_{CHAR,SHORT,INT,LONG,FLOAT,DOUBLE,HALF} */
	uint32_t vec_char, vec_short, vec_int, vec_long, vec_float, vec_double, vec_half;
};

/* Every device of every platform that has devices. *n may be 0 when
 * platforms exist but none has a device. No platform at all →
 * CLX_ERR_NOT_FOUND "no OpenCL platform found (is an ICD installed? see clinfo)". */
enum clx_status clx_cl_list_devices(struct clx_ctx *ctx, struct clx_cl_device_info **out, int *n);
void clx_cl_devices_free(struct clx_cl_device_info *devs);

/* Index into devs of the device `spec` selects (rules above), or -1 with a
 * message naming the spec and the devices that exist. */
int clx_cl_select(struct clx_ctx *ctx, const struct clx_cl_device_info *devs, int n,
		  const char *spec);

/* ---------------------------------------------------------------- backend */

/* Opens the device `spec` selects, creates a context and an in-order queue
 * and builds the kernels (from the on-disk binary cache when it holds them). */
enum clx_status clx_backend_cl_create(struct clx_ctx *ctx, const char *spec,
				      struct clx_backend **out);

/* Whether be is an OpenCL backend (the functions below need one). */
bool clx_backend_is_cl(const struct clx_backend *be);

struct clx_cl_stats {
	/* device memory held by the backend, bytes */
	size_t weight_bytes;         /* resident weights (cached across prepares) */
	size_t arena_bytes;          /* the planned activation arena */
	size_t input_bytes;          /* input tensors */
	size_t temp_bytes;           /* GEMM temp buffer */
	int n_weights;               /* resident weight buffers */
	/* work done since creation */
	uint64_t kernels_enqueued;   /* clx kernels launched on the device */
	uint64_t gemm_calls;         /* GEMMs dispatched (CLBlast) */
	uint64_t weight_uploads;     /* weights copied host → device */
	uint64_t bytes_uploaded;     /* host → device: weights + inputs */
	uint64_t bytes_downloaded;   /* device → host: outputs */
	/* start-up */
	double build_seconds;        /* program build (or binary load) at create */
	const char *gemm_impl;       /* the GEMM implementation: "CLBlast 1.5.3" */
	bool program_from_cache;     /* the binary came from the on-disk cache */
	bool program_cacheable;      /* the cache applies to this driver (not Mesa rusticl
	                                22.x: it aborts on a binary it cannot read) */
};
void clx_backend_cl_stats(const struct clx_backend *be, struct clx_cl_stats *out);

/* The device the backend runs on. */
const struct clx_cl_device_info *clx_backend_cl_device(const struct clx_backend *be);

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
