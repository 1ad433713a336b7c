/* cl_internal.h — what the files of the OpenCL backend share: the backend
 * state, device discovery internals, the program builder and the one GEMM
 * dispatch function. Not installed; nothing outside cl/ includes it. */
#ifndef CLX_CL_INTERNAL_H
#define CLX_CL_INTERNAL_H

#include "clw.h"

#include "clx/backend.h"
#include "clx/cl.h"
#include "clx/graph.h"

/* ------------------------------------------------------------- devices */

/* A device and its platform handle (cl_device.c). */
struct cl_dev {
	cl_platform_id platform;
	cl_device_id device;
	struct clx_cl_device_info info;
};

/* Enumerates every device (handles and info); CLX_ERR_NOT_FOUND when there
 * is no platform at all. */
enum clx_status cl_enumerate(struct clx_ctx *ctx, struct cl_dev **out, int *n);

/* ------------------------------------------------------------- kernels */

enum cl_kernel_id {
	K_QUICK_GELU,
	K_EXP,
	K_ADD,
	K_MUL,
	K_LAYER_NORM,
	K_ATTENTION,
	K_GATHER,
	K_CONCAT,
	K_SLICE,
	K_PATCHIFY,
	K_POOL_ARGMAX,
	K_REPEAT,
	K_TRANSPOSE,
	K_MEAN,
	K_L2_NORMALIZE,
	K_COUNT
};

/* The kernel function names, indexed by enum cl_kernel_id. */
extern const char *const cl_kernel_names[K_COUNT];

struct cl_program_info {
	double seconds;      /* wall time to obtain the built program */
	bool from_cache;     /* loaded from the on-disk binary cache */
	bool cacheable;      /* the binary cache applies to this driver */
	bool cache_written;  /* a new cache entry was stored */
	char cache_path[1024];
};

/* Builds the embedded kernels for dev (cl_program.c): from the on-disk
 * binary cache when a valid entry exists, else from source (then stores
 * the binary). A build failure returns CLX_ERR_DEVICE with the build log. */
enum clx_status cl_program_build(struct clx_ctx *ctx, const struct cl_dev *dev,
				 cl_context context, cl_program *out, struct cl_program_info *info);

/* ------------------------------------------------------------- backend */

/* Where a tensor lives on the device: a buffer and a byte offset in it. */
struct cl_addr {
	cl_mem mem;
	size_t offs;
};

/* A weight resident on the device, keyed by its host data. */
struct cl_weight {
	const float *host;
	size_t bytes;
	uint64_t fingerprint; /* sampled hash of the host data (cl_backend.c) */
	cl_mem mem;
	bool used;            /* by the graph prepared last */
	int idle;             /* prepares in a row that did not use it */
};

/* A cached weight that CL_WEIGHT_MAX_IDLE prepares in a row did not use is
 * released (another model's, or a freed one's): alternating between a
 * model's text, video and full graphs never re-uploads, and a process
 * that moves on to another model does not keep the old one resident. */
#define CL_WEIGHT_MAX_IDLE 4

struct clbe {
	struct cl_dev dev;
	cl_context context;
	cl_command_queue queue;
	cl_program program;
	cl_kernel kernels[K_COUNT];
	size_t kernel_wg[K_COUNT];   /* CL_KERNEL_WORK_GROUP_SIZE */
	struct cl_program_info prog;

	/* the prepared graph */
	cl_mem arena;
	size_t arena_bytes;
	cl_mem *inputs;              /* per tensor id: INPUT buffer, else NULL */
	int n_inputs_cap;
	cl_mem *weight_mem;          /* per tensor id: WEIGHT buffer (in weights[]) */

	struct cl_weight *weights;   /* resident, across prepares */
	int n_weights, cap_weights;

	cl_mem gemm_temp;            /* pre-allocated CLBlast temp buffer */
	size_t gemm_temp_bytes;

	/* an asynchronous failure: the queue is released, every later call fails */
	bool poisoned;
	char poison_msg[512];

	struct clx_cl_stats stats;
};

/* ---------------------------------------------------------------- GEMM */

/* C = A · op(B) (+ the caller's bias kernel), row-major, f32; batch ≥ 1
 * problems at element strides *_stride. op(B) = Bᵀ when b_trans. Offsets,
 * leading dimensions and strides are in elements. */
struct cl_gemm {
	const char *node;            /* for messages */
	size_t M, N, K, batch;
	bool b_trans;
	cl_mem a, b, c;
	size_t a_off, b_off, c_off;
	size_t lda, ldb, ldc;
	size_t a_stride, b_stride, c_stride;
};

/* The one GEMM dispatch function (cl_gemm.c): every matmul of the graph
 * goes through here, so another implementation (an own kernel, a tuned
 * CLBlast) plugs in at this one place. Enqueues; does not wait. */
enum clx_status cl_gemm_run(struct clbe *b, struct clx_ctx *ctx, const struct cl_gemm *g);

/* Temp buffer bytes the dispatcher needs for g (0 if none). */
enum clx_status cl_gemm_temp_size(struct clbe *b, struct clx_ctx *ctx, const struct cl_gemm *g,
				  size_t *bytes);

/* Name of the GEMM implementation in use ("CLBlast 1.5.3"). */
const char *cl_gemm_impl_name(void);

/* "cl:0:0 (pthread-…)" for messages. */
const char *cl_be_label(const struct clbe *b);

#endif
