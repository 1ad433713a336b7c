/* backend.h — compute backends as their clients see them: the devices this
 * build can use, opening one from a device spec, and one call per thing a
 * backend does.
 *
 * A backend is opaque here. The interface a backend implements (a struct of
 * function pointers, ggml's ggml_backend_i) is runtime/engine/backend_impl.h;
 * only runtime/engine/ and the backends themselves see it. Backends register
 * at build time (cpu and null always, cl when the OpenCL backend is built),
 * so a client never needs to know which were compiled in.
 *
 * Device specs (the same for every command that takes --device):
 *   "cpu"     the plain-C reference;
 *   "cl"      the best OpenCL device: GPU over accelerator over CPU over
 *             anything else, then the most compute units × max clock, then
 *             the lowest id;
 *   "cl:P:D"  OpenCL platform P (the ICD loader's order, as clinfo -l
 *             numbers them), device D of that platform; platforms with no
 *             device (Mesa's Clover) keep their index;
 *   other     the first OpenCL device, in listing order, whose name contains
 *             the spec, ignoring case ("pthread", "llvmpipe", "gfx1100").
 *   "vision=SPEC,text=SPEC[,prompt=SPEC]"
 *             a placement: each tower on its device, at once (prompt, the
 *             prompt generator and logits, defaults to the vision device);
 *   "auto"    the best OpenCL device for vision and prompt, the next best
 *             for text unless both are CPU devices; else one device.
 * Any OpenCL device spec takes the suffix "@f16" (weights stored as half on
 * that device, arithmetic in f32) or "@f32" (the default): "cl:0:0@f16",
 * "vision=pthread@f16,text=cpu". The CPU reference is f32 only.
 * "null" opens a backend that computes nothing (scheduler tests); it is not
 * listed.
 *
 * Environment: CLX_CHECK_RESULTS=1 makes clx_backend_open wrap every
 * non-reference device in a checked backend (check.h) that runs each node on
 * the CPU reference too and fails on the first node beyond tolerance. */
#ifndef CLX_BACKEND_H
#define CLX_BACKEND_H

#include "clx/clx.h"
#include "clx/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

struct clx_backend;

/* ---------------------------------------------------------------- devices */

/* What a device is. Fields a backend does not have are 0 or "". */
struct clx_device_info {
	char backend[16];            /* "cpu", "opencl", "null" */
	char id[64];                 /* the exact spec that opens it: "cpu", "cl:P:D",
	                                "vision=cl:0:0,text=cpu" (a placement) */
	bool reference;              /* the CPU reference (not a device under validation) */
	int platform;                /* OpenCL: P of cl:P:D */
	int device;                  /* OpenCL: D */
	char name[256];
	char vendor[256];
	char platform_name[256];
	char platform_version[256];  /* "OpenCL 3.0 PoCL 3.1+debian ..." */
	char device_version[256];    /* "OpenCL 3.0 ..." */
	char opencl_c_version[256];  /* "OpenCL C 1.2 ..." */
	char driver_version[256];
	const char *type;            /* "GPU", "CPU", "ACCELERATOR", "CUSTOM", "DEFAULT" */
	int type_rank;               /* 3 GPU, 2 accelerator, 1 CPU, 0 other: the "cl" rule */
	uint32_t compute_units;      /* the CPU reference: its thread count */
	uint32_t clock_mhz;
	uint64_t global_mem;         /* bytes */
	uint64_t local_mem;          /* bytes */
	uint64_t max_alloc;          /* CL_DEVICE_MAX_MEM_ALLOC_SIZE, bytes */
	size_t max_work_group;
	uint32_t base_align_bits;    /* CL_DEVICE_MEM_BASE_ADDR_ALIGN (bits) */
	bool host_unified;           /* CL_DEVICE_HOST_UNIFIED_MEMORY */
	bool fp16;                   /* cl_khr_fp16 */
	bool weights_f16;            /* opened as SPEC@f16: matmul weights stored as half on the
	                                device, computed in f32 (docs/PLACEMENT.md) */
	bool math_f16;               /* opened as SPEC@f16-math: weights as half, and the GEMM
	                                products in half (accumulated in f32), once validated */
	bool fp64;                   /* cl_khr_fp64 or a non-zero double fp config */
	/* CL_DEVICE_PREFERRED_VECTOR_WIDTH_{CHAR,SHORT,INT,LONG,FLOAT,DOUBLE,HALF} */
	uint32_t vec_char, vec_short, vec_int, vec_long, vec_float, vec_double, vec_half;
};

struct clx_device_list {
	bool opencl_built;            /* this build has the OpenCL backend */
	int n;
	struct clx_device_info *devs; /* the CPU reference first, then every OpenCL device */
	char note[256];               /* why a backend contributed no device ("no OpenCL
	                                 platform found ..."), or "" */
};

/* Every device of every backend this build has. Never empty: the CPU
 * reference is always there. A backend that finds nothing (no OpenCL
 * platform) is not an error; the reason goes to `note`. */
enum clx_status clx_backend_list(struct clx_ctx *ctx, struct clx_device_list *out);
void clx_device_list_release(struct clx_device_list *l);

/* Index into l->devs of the device `spec` selects (rules above), or -1 with
 * a message naming the spec and the devices that exist. */
int clx_device_select(struct clx_ctx *ctx, const struct clx_device_list *l, const char *spec);

/* Checks a --device spec as clx_backend_open would, opening nothing: its
 * syntax (a device, SPEC@f16|@f32, auto, or a placement), and that the
 * devices it names exist. *reference: it runs on the CPU reference alone
 * (NULL is the default, "cpu"). */
enum clx_status clx_device_spec_check(struct clx_ctx *ctx, const char *spec, bool *reference);

/* ----------------------------------------------------------------- opening */

/* Opens the device `spec` selects (NULL: "cpu"). OpenCL: a context, an
 * in-order queue, the kernels (from the on-disk binary cache when it holds
 * them). */
enum clx_status clx_backend_open(struct clx_ctx *ctx, const char *spec, struct clx_backend **out);
/* Accepts NULL. */
void clx_backend_free(struct clx_backend *be);

/* ------------------------------------------------------------ what it is */

/* Short name for messages and reports: "cpu", "null", "cl:0:0". */
const char *clx_backend_name(const struct clx_backend *be);
const struct clx_device_info *clx_backend_device(const struct clx_backend *be);

struct clx_backend_caps {
	bool async;                  /* runs are queued; clx_backend_synchronize waits */
	bool node_times;             /* can time every node (set_profiling / node_times) */
	bool peak;                   /* has the peak microbenchmarks */
};
struct clx_backend_caps clx_backend_caps(const struct clx_backend *be);

/* What a backend holds and has done. Figures a backend does not track are 0. */
struct clx_backend_stats {
	/* memory held by the backend, bytes */
	size_t weight_bytes;         /* resident weights (the CPU reads them in place: 0) */
	size_t arena_bytes;          /* the planned activation arena */
	size_t input_bytes;          /* input tensors */
	size_t temp_bytes;           /* GEMM temp buffers */
	int split_weights;           /* weights held as several buffers (over max_alloc) */
	int split_activations;       /* activations and inputs held in parts (over max_alloc) */
	int arena_buffers;           /* buffers the activation arena is held in */
	int n_weights;               /* resident weight buffers */
	int half_weights;            /* of them, held as IEEE half (@f16 devices) */
	int half_from_file;          /* of those, an F16 file's own values, uploaded as they
	                                are (no f32 round trip) */
	/* work done since it was opened */
	uint64_t nodes_run;          /* graph nodes run (counted by the engine) */
	uint64_t kernels_enqueued;   /* device kernels launched (not counting GEMM libraries) */
	uint64_t gemm_calls;         /* GEMMs dispatched */
	uint64_t weight_uploads;     /* weights copied host → device */
	uint64_t bytes_uploaded;     /* host → device: weights + inputs */
	uint64_t bytes_downloaded;   /* device → host: outputs */
	/* start-up */
	double build_seconds;        /* program build (or binary load) when opened */
	const char *gemm_impl;       /* the GEMM implementation: "CLBlast 1.5.3", "reference" */
	bool program_from_cache;     /* the program binary came from the on-disk cache */
	bool program_cacheable;      /* the binary cache applies to this driver */
};
void clx_backend_stats(const struct clx_backend *be, struct clx_backend_stats *out);

/* ---------------------------------------------------------------- running */

/* Normally called through a session (session.h), which plans the graph. */

/* Once per planned graph before any run: allocates `arena_bytes` for the
 * activations (offsets in g->tensors[].offs) and makes every WEIGHT
 * resident. A backend holds one prepared graph at a time. */
enum clx_status clx_backend_prepare(struct clx_backend *be, struct clx_ctx *ctx,
				    const struct clx_graph *g, size_t arena_bytes);
/* Host ↔ backend copies of a whole tensor (an INPUT, or a kept activation). */
enum clx_status clx_backend_set_tensor(struct clx_backend *be, struct clx_ctx *ctx,
				       const struct clx_graph *g, int t, const void *data);
enum clx_status clx_backend_get_tensor(struct clx_backend *be, struct clx_ctx *ctx,
				       const struct clx_graph *g, int t, void *data);
/* Runs one node (maybe asynchronously); fails with CLX_ERR_UNSUPPORTED when
 * the backend cannot run it. */
enum clx_status clx_backend_run_node(struct clx_backend *be, struct clx_ctx *ctx,
				     const struct clx_graph *g, int node);
/* Waits for everything queued (immediate for synchronous backends). */
enum clx_status clx_backend_synchronize(struct clx_backend *be, struct clx_ctx *ctx);
/* Whether run_node can do this node; the _why form says why not in `why`
 * (cap ≥ 1; "" when it can). A session whose backend declines a node runs
 * that node on the CPU reference instead (placement below). */
bool clx_backend_supports(struct clx_backend *be, const struct clx_graph *g, int node);
bool clx_backend_supports_why(struct clx_backend *be, const struct clx_graph *g, int node,
			      char *why, size_t cap);

/* ------------------------------------------------------------- placement */

/* Where the prepared graph runs when it spans devices: a placement spec
 * ("vision=cl:0:0,text=cpu", docs/PLACEMENT.md) or a fallback. */
struct clx_placement {
	int n_devices;               /* devices holding nodes */
	struct {
		char name[64];       /* clx_backend_name of the device */
		int nodes;
	} dev[4];
	int n_copies;                /* cross-device copies per run */
	size_t copy_bytes;           /* their bytes per run */
	int n_fallbacks;             /* nodes not on their tower's device */
};
/* false (and *out zeroed) for a backend that is one device. */
bool clx_backend_placement(const struct clx_backend *be, struct clx_placement *out);
/* The device node runs on (a backend name) and why it fell back there ("").
 * A one-device backend writes its own name and "". */
void clx_backend_node_device(const struct clx_backend *be, const struct clx_graph *g, int node,
			     char *dev, size_t dcap, char *why, size_t wcap);

/* ------------------------------------------------------------- profiling */

/* With a placement over several devices and profiling on: when each node of
 * the last run started and ended (clx_now's clock; each device's worker
 * synchronises after every node while profiling, so a span is the node's
 * time on its device plus the wait) and which device ran it (an index into
 * clx_placement.dev). CLX_ERR_UNSUPPORTED otherwise. */
enum clx_status clx_backend_node_spans(struct clx_backend *be, struct clx_ctx *ctx,
				       const struct clx_graph *g, double *start, double *end, int *dev);

/* With caps.node_times. On (before prepare): every run records each node's
 * time — device time from events covering all of its kernels on OpenCL, wall
 * time on the CPU. node_times fills ns[node id] for the last run. Without the
 * capability both fail with CLX_ERR_UNSUPPORTED. */
enum clx_status clx_backend_set_profiling(struct clx_backend *be, struct clx_ctx *ctx, bool on);
enum clx_status clx_backend_node_times(struct clx_backend *be, struct clx_ctx *ctx,
				       const struct clx_graph *g, double *ns);

/* What node ran with in the last run: the kernel or library and its
 * parameters ("own 6x64x16 lm4", "CLBlast 1.5.3 + matmul_epilogue",
 * "attention_rows"), "" when the backend does not say or the node has not
 * run. Always NUL-terminates buf (cap ≥ 1). */
void clx_backend_node_impl(const struct clx_backend *be, const struct clx_graph *g, int node,
			   char *buf, size_t cap);

/* With caps.peak: the FMA throughput (GFLOP/s) and copy bandwidth (GB/s,
 * read + written) the device reaches in clpeak-style microbenchmarks. Takes
 * a second or two; callers cache it. */
enum clx_status clx_backend_peak(struct clx_backend *be, struct clx_ctx *ctx, double *gflops,
				 double *gbps);

#ifdef __cplusplus
}
#endif
#endif
