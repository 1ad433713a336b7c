/* cl_internal.h — what the files of the OpenCL backend share: the one
 * backend struct, device discovery, the program builder, buffers and
 * weight residency, launches, profiling and the one GEMM dispatch
 * function. Not installed; nothing outside cl/ includes it.
 *
 * The files, one job each:
 *   cl_device.c    platform/device discovery and the registry's list
 *   cl_program.c   program build and the on-disk binary cache
 *   cl_backend.c   opening a device, the interface table, stats, test hooks
 *   cl_buffers.c   device buffers, weight residency, where a tensor lives
 *   cl_ops.c       one kernel launch per graph op (argument marshalling)
 *   cl_choose.c    which implementation each node runs; the tuner's candidates
 *   cl_gemm.c      every matmul: own kernels (gemm.cl) and CLBlast
 *   cl_pack.c      packed weight layouts and their on-disk cache
 *   cl_profile.c   per-node device times from markers on a gated queue
 *   cl_peak.c      FMA and copy microbenchmarks
 *   clw.c          the failure-injection wrapper around every cl* call */
#ifndef CLX_CL_INTERNAL_H
#define CLX_CL_INTERNAL_H

#include "clw.h"

#include "clx/backend.h"
#include "clx/cl.h"
#include "clx/graph.h"
#include "engine/backend_impl.h"

struct cl_backend;

/* ------------------------------------------------------------- devices */

/* A device and its platform handle (cl_device.c). */
struct cl_dev {
	cl_platform_id platform;
	cl_device_id device;
	struct clx_device_info info;
};

/* Enumerates every device (handles and info); CLX_ERR_NOT_FOUND when there
 * is no platform at all. */
/* Sanitizer builds only (cl_sanitizer.c, which also keeps the drivers
 * loaded and suppresses their leaks): the deliberate-leak test hook
 * (CLX_TEST_LEAK=1). A no-op otherwise. */
#ifdef CLX_SANITIZE_BUILD
void cl_test_leak(void);
#else
static inline void cl_test_leak(void) {}
#endif

enum clx_status cl_enumerate(struct clx_ctx *ctx, struct cl_dev **out, int *n);

/* The handles of device cl:platform:device, queried from that platform
 * alone (opening one device does not wake every ICD again). */
enum clx_status cl_find(struct clx_ctx *ctx, int platform, int device, struct cl_dev *out);

/* The registry's entry points (cl_device.c, cl_backend.c). */
enum clx_status cl_list(struct clx_ctx *ctx, struct clx_device_info **devs, int *n, char *note,
			size_t cap);
enum clx_status cl_open(struct clx_ctx *ctx, const struct clx_device_info *dev,
			struct clx_backend **out);

/* ------------------------------------------------------------- kernels */

enum cl_kernel_id {
	CL_KID_QUICK_GELU,
	CL_KID_EXP,
	CL_KID_ADD,
	CL_KID_MUL,
	CL_KID_LAYER_NORM,
	CL_KID_ATTENTION,
	CL_KID_GATHER,
	CL_KID_CONCAT,
	CL_KID_SLICE,
	CL_KID_PATCHIFY,
	CL_KID_POOL_ARGMAX,
	CL_KID_REPEAT,
	CL_KID_TRANSPOSE,
	CL_KID_MEAN,
	CL_KID_L2_NORMALIZE,
	CL_KID_MATMUL_EPILOGUE,
	CL_KID_ATTENTION_ROWS,
	CL_KID_LAYER_NORM_ROWS,
	CL_KID_GELU,
	CL_KID_GATHER_HALF,
	CL_KID_COUNT
};

/* The kernel function names, indexed by enum cl_kernel_id (cl_ops.c). */
extern const char *const cl_kernel_names[CL_KID_COUNT];
/* The ops kernels a node of op may launch, into kids; their count
 * (cl_ops.c). A matmul's GEMM kernels are gemm.cl's, built at prepare. */
int cl_op_kernels(enum clx_op op, int kids[4]);
/* Whether node can run in windows of its output's outer dimension (a part
 * of a tensor held in parts at a time, cl_ops.c): its count of windowed
 * tensors (the output, then the sources cut with it; the others are read
 * whole) into ids, or 0. Ops whose output slice i reads slice i of the
 * windowed sources only: every op but a batched matmul and transpose. A
 * windowed view of a root held in parts must be a reshape (cl_part_root). */
int cl_window_operands(const struct clx_graph *g, int node, int ids[CLX_MAX_SRC + 1]);

struct cl_program_info {
	double seconds;      /* wall time to obtain the built program */
	bool from_cache;     /* loaded from the on-disk binary cache */
	bool cacheable;      /* the binary cache applies to this driver */
	bool cache_written;  /* a new cache entry was stored */
	char cache_path[1024];
};

/* The programs clx builds from its embedded kernels: the ops (every file
 * but gemm.cl), and GEMM variants (gemm.cl, built with -D parameters). */
enum cl_program_kind {
	CL_PROGRAM_OPS,
	CL_PROGRAM_GEMM,
};

/* Builds program `kind` (or, with `only`, just that kernel file of it and
 * common.cl) for dev with extra build options `defines` (NULL: none)
 * (cl_program.c): from the on-disk binary cache when a valid entry exists,
 * else from source (then stores the binary). A build failure returns
 * CLX_ERR_DEVICE with the build log. */
enum clx_status cl_program_build(struct clx_ctx *ctx, const struct cl_dev *dev,
				 cl_context context, enum cl_program_kind kind, const char *only,
				 const char *defines, cl_program *out, struct cl_program_info *info);

/* The ops programs: one, built whole; when the compiler rejects that, one
 * per kernel file that it accepts (*n of them, at most cap), and
 * `rejected` names each file it did not, with its first error line. Fails
 * only when no file builds, or for a reason other than the compiler's. */
enum clx_status cl_program_build_ops(struct clx_ctx *ctx, const struct cl_dev *dev,
				     cl_context context, const char *defines, cl_program *progs,
				     int cap, int *n, char *rejected, size_t rcap,
				     struct cl_program_info *info);

/* The line of build-failure message msg that names the first error (else
 * its first line), trimmed into out. */
void cl_first_error(const char *msg, char *out, size_t cap);

/* Whether environment variable var, a comma-separated list, names `name`
 * (the test hooks CLX_CL_DECLINE and CLX_CL_REJECT). */
bool cl_env_lists(const char *var, const char *name);

/* ------------------------------------------------------------- backend */

/* Where a tensor lives on the device: a buffer and a byte offset in it. */
struct cl_addr {
	cl_mem mem;
	size_t offs;
};

/* How a weight is laid out on the device: as in the file (nr = 0), or
 * packed into panels of nr columns for the own GEMM (gemm.cl): n rows of K,
 * read from host element (n, k) at n·K + k, or k·N + n when w_kn. */
struct cl_pack {
	int32_t nr;
	bool w_kn;
	int64_t N, K;
	bool half;            /* stored as IEEE half (packed as f32, then converted,
	                         round to nearest even): @f16 devices */
};

/* Bytes of a packed weight: ⌈N / nr⌉ · nr · K floats (cl_pack.c). */
size_t cl_pack_bytes(const struct cl_pack *p);
/* Packs host weight w (cl_pack's layout) into out (cl_pack_bytes). */
void cl_pack_host(const struct cl_pack *p, const float *w, float *out);
/* The same layout of IEEE half values (half of cl_pack_bytes). */
void cl_pack_host_half(const struct cl_pack *p, const uint16_t *w, uint16_t *out);

/* A packed weight on the host: a read-only mapping of its on-disk cache
 * entry (map), or memory packed here (owned). */
struct cl_packed {
	const float *data;
	size_t bytes;
	void *map;
	size_t map_len;
	float *owned;
	bool from_cache;      /* the entry existed (nothing was packed) */
};
/* The packed layout p of host weight data with sample fingerprint fp and
 * identity key (0: none, so no cache entry): from the on-disk cache, or
 * packed now (and stored there when a key and a cache directory allow). */
enum clx_status cl_pack_get(struct cl_backend *b, struct clx_ctx *ctx, const char *name,
			    const struct cl_pack *p, const float *host, uint64_t fp, uint64_t key,
			    struct cl_packed *out);
void cl_packed_release(struct cl_packed *p);

/* A weight over the device's largest buffer, held as several: part j is
 * mem[j], `part_bytes` of the device data from j · part_bytes (the last
 * holds the rest). Parts break at whole units (a GEMM panel, a table row),
 * so kernels run once per part (cl_gemm.c, cl_ops.c). */
struct cl_split {
	int n;
	size_t part_bytes;
	size_t unit;          /* bytes of one panel or row */
	cl_mem mem[];
};

/* A weight resident on the device, keyed by its host data and layout. */
struct cl_weight {
	const float *host;
	size_t bytes;         /* of the host data */
	uint64_t fingerprint; /* sampled hash of the host data (cl_buffers.c) */
	struct cl_pack pack;  /* its layout on the device */
	cl_mem mem;
	struct cl_split *split; /* over max_alloc: its parts (mem is part 0), else NULL */
	size_t dev_bytes;     /* of the device copy */
	struct cl_packed host_packed; /* a packed layout's host data while mem uses it in
	                                 place (CL_MEM_USE_HOST_PTR); else empty */
	bool used;            /* by the graph prepared last */
	int idle;             /* prepares in a row that did not use it */
	bool half_from_file;  /* half values an F16 file holds, uploaded as they are */
};

/* The GEMM implementation one matmul node runs (cl_gemm.c). */
enum cl_gemm_impl {
	CL_GEMM_CLBLAST,
	CL_GEMM_OWN,          /* gemm.cl, packed weights, fused epilogue */
};

struct cl_gemm_choice {
	enum cl_gemm_impl impl;
	int mr, nr, vw;       /* own: the tile and vector width (a program each) */
	int lm;               /* own: work-items per work-group along M */
};

/* A built variant of gemm.cl. */
struct cl_gemm_variant {
	int mr, nr, vw;
	bool half;            /* reads the packed weight as half (CLX_GEMM_WHALF) */
	bool math;            /* the products in half (CLX_GEMM_HMATH, an @f16-math device) */
	bool rejected;        /* the compiler rejected it: no program, no kernels */
	char why[200];        /* then its first error line */
	cl_program program;
	cl_kernel gemm, pack;
};

/* The variant (mr, nr, vw, half) of cl_backend.variants, built on first use
 * (cl_gemm.c); a variant the compiler rejected fails, now and later. A half
 * variant computes its products in half when math_on. */
enum clx_status cl_gemm_variant(struct cl_backend *b, struct clx_ctx *ctx, int mr, int nr, int vw,
				bool half, int *out);

/* What a prepared matmul node runs with. */
struct cl_gemm_node {
	struct cl_gemm_choice choice;
	int variant;          /* own: index into cl_backend.variants */
	cl_mem packed;        /* own: the packed weight (resident), or NULL when
	                         the operand is an activation, packed per run */
	bool half;            /* own: the packed weight is half (an @f16 device) */
	const struct cl_split *split; /* own: the packed weight's parts, or NULL */
	size_t scratch_off;   /* own, activation operand: where it is packed */
};

/* A cached weight that CL_WEIGHT_MAX_IDLE prepares in a row did not use is
 * released (another model's, or a freed one's): alternating between a
 * model's text, video and full graphs never re-uploads, and a process
 * that moves on to another model does not keep the old one resident. */
#define CL_WEIGHT_MAX_IDLE 4

/* The OpenCL backend: one device, one context, one in-order queue. */
struct cl_backend {
	struct clx_backend *self;    /* the engine's handle of this backend */
	struct cl_dev dev;
	char label[300];             /* "cl:0:0 (pthread-…)" for messages */
	cl_context context;
	cl_command_queue queue;
	cl_program programs[8];      /* the ops: one program, or one per kernel file
	                                the compiler accepted (cl_program_build_ops) */
	int n_programs;
	char rejected[512];          /* the kernel files it rejected, why; "" if none */
	cl_kernel kernels[CL_KID_COUNT]; /* NULL: its file was rejected */
	int row_vw;                  /* CLX_ROW_VW of the row kernels (ops program) */
	bool math_on;                /* @f16-math, validated: GEMM products in half */
	size_t kernel_wg[CL_KID_COUNT]; /* CL_KERNEL_WORK_GROUP_SIZE */
	struct cl_program_info prog;

	/* the prepared graph (cl_buffers.c) */
	cl_mem arena;
	size_t arena_bytes;
	cl_mem *inputs;              /* per tensor id: INPUT buffer, else NULL */
	int n_inputs_cap;
	cl_mem *weight_mem;          /* per tensor id: WEIGHT buffer (in weights[]) */
	bool *weight_half;           /* per tensor id: that buffer holds half (an @f16
	                                device's embedding tables, read only by gather) */
	const struct cl_split **weight_split; /* per tensor id: a gather table's parts, or NULL */
	struct cl_split **input_split; /* per tensor id: an input's parts (over max_alloc:
	                                  whole outer slices, inputs[t] is part 0), or NULL */
	struct clx_tensor *win_tensors; /* a copy of the graph's tensors, for windows */
	int n_win;                   /* a node running in windows: its windowed tensors, */
	int win_ids[CLX_MAX_SRC + 1]; /* whose addresses cl_addr_of returns from win_addr */
	struct cl_addr win_addr[CLX_MAX_SRC + 1];
	cl_mem *arena_parts;         /* the arena as buffers of arena_chunk bytes (the
	                                device's largest, docs/PLACEMENT.md); arena is part 0 */
	int n_arena_parts;
	size_t arena_chunk;
	signed char *node_kernel;    /* per node id: the ops kernel it launched last, or -1 */
	int cur_node;                /* the node cl_ops_run is enqueuing */
	struct cl_weight *weights;   /* resident, across prepares */
	int n_weights, cap_weights;
	struct cl_gemm_node *gemm;   /* per node id (matmuls only) */
	bool *attention_rows;        /* per node id: attention runs attention_rows */
	cl_mem gemm_temp;            /* pre-allocated CLBlast temp buffer */
	size_t gemm_temp_bytes;
	cl_mem gemm_scratch;         /* activation operands of own GEMMs, packed */
	char gemm_impl[160];         /* what the prepared graph's GEMMs run */

	/* gemm.cl programs built so far, across prepares */
	struct cl_gemm_variant variants[32];
	int n_variants;

	/* an asynchronous failure: the queue is released, every later call fails */
	bool poisoned;
	char poison_msg[512];

	/* profiling (cl_profile.c) */
	bool profiling;
	cl_event gate;               /* user event holding the queue during a run */
	cl_event gate_marker;        /* marker behind the gate: the run's device start */
	cl_event *node_end;          /* per node id: marker after the node's commands */
	int *run_order;              /* node ids in the order they ran */
	int n_run, node_cap;

	struct clx_backend_stats stats;
};

static inline struct cl_backend *cl_of(const struct clx_backend *be)
{
	return be->impl;
}

/* ------------------------------------------------------------- failures */

/* "LABEL: WHAT failed: CL_… (n)"; NOMEM for allocation codes (cl_buffers.c). */
enum clx_status cl_err(struct cl_backend *b, struct clx_ctx *ctx, const char *what, cl_int err);
/* An asynchronous failure: the queue may hold broken work, so it is
 * released and the backend refuses every later call. */
enum clx_status cl_poison(struct cl_backend *b, struct clx_ctx *ctx, const char *what, cl_int err);
/* CLX_OK, or the poisoned backend's error. */
enum clx_status cl_check_alive(struct cl_backend *b, struct clx_ctx *ctx);

/* -------------------------------------------------------------- buffers */

/* A device buffer of `bytes` (optionally filled from host), refusing sizes
 * over the device's allocation limit; on an allocation failure, evicts
 * unused cached weights and retries once. */
enum clx_status cl_alloc_buffer(struct cl_backend *b, struct clx_ctx *ctx, const char *what,
				size_t bytes, cl_mem_flags flags, const void *host, cl_mem *out);
void cl_release_mem(cl_mem m);
/* The resident device copy of host weight tensor w's data (or of the view
 * of it at host, bytes) in layout `pack` (NULL: as is), made when the cache
 * does not hold it: on a device whose memory is host memory, file-mapped
 * data (the model's, or a packed entry of cl_pack.c) is used in place
 * (CL_MEM_USE_HOST_PTR); elsewhere it is uploaded. Data over the device's
 * max allocation is held in parts of whole `unit`s of device bytes (*split,
 * which may be NULL when the caller cannot use parts: then it fails). */
enum clx_status cl_weight_resident(struct cl_backend *b, struct clx_ctx *ctx,
				   const struct clx_tensor *w, const float *host, size_t bytes,
				   const struct cl_pack *pack, size_t unit, cl_mem *out,
				   const struct cl_split **split);

/* Prepares g: shape checks, resident weights, inputs, the arena and the
 * GEMM temp buffer. */
enum clx_status cl_buffers_prepare(struct cl_backend *b, struct clx_ctx *ctx,
				   const struct clx_graph *g, size_t arena_bytes);
/* Releases what the last prepare made (not the resident weights). */
void cl_buffers_release_graph(struct cl_backend *b);
/* Releases everything, resident weights included. */
void cl_buffers_free(struct cl_backend *b);
/* Where tensor t lives (held in parts: where its part 0 does). */
struct cl_addr cl_addr_of(const struct cl_backend *b, const struct clx_graph *g, int t);
/* t if it is an activation or input, or the root a view reshapes whole with
 * the same outer size (so the same parts), else -1 (cl_buffers.c). */
int cl_part_root(const struct clx_graph *g, int t);
/* Activation or input t (or a reshape of one) held in parts (over max_alloc): the outer slices
 * ("units", clx_sched_part_units) per part; 0 when it is one buffer. */
int64_t cl_part_units(const struct cl_backend *b, const struct clx_graph *g, int t);
/* Where outer slice u of tensor t lives. */
struct cl_addr cl_unit_addr(const struct cl_backend *b, const struct clx_graph *g, int t, int64_t u);
/* Copies tensor t between host and device, blocking. A read also waits for
 * every kernel queued before it, so their failures show here. */
enum clx_status cl_copy_tensor(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g,
			       int t, void *data, bool to_device);

/* ----------------------------------------------------------------- ops */

/* Setting a kernel's arguments in order; the first failure is kept and
 * reported by cl_args_check (cl_ops.c). */
struct cl_args {
	cl_kernel k;
	const char *name;            /* the kernel, for messages */
	cl_uint i;
	cl_int err;
	cl_uint err_at;
};
struct cl_args cl_args_begin(cl_kernel k, const char *name);
void cl_arg(struct cl_args *a, size_t size, const void *v);
/* A buffer as (cl_mem, ulong element offset), the convention of every kernel. */
void cl_arg_mem(struct cl_args *a, cl_mem m, size_t elem_off);
void cl_arg_tensor(struct cl_args *a, const struct cl_backend *b, const struct clx_graph *g, int t);
void cl_arg_u32(struct cl_args *a, int64_t v);
void cl_arg_u64(struct cl_args *a, uint64_t v);
enum clx_status cl_args_check(struct cl_backend *b, struct clx_ctx *ctx, const char *node,
			      const struct cl_args *a);
/* Kernel kid over n work-items, one element each (groups of up to 64). */
enum clx_status cl_launch_items(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_node *nd,
				int kid, int64_t n);

/* Enqueues node `node` (cl_ops.c). */
enum clx_status cl_ops_run(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g,
			   int node);
/* The node_impl slot: the kernel node launched, or its GEMM's description. */
void cl_ops_node_impl(const struct clx_backend *be, const struct clx_graph *g, int node, char *buf,
		      size_t cap);

/* ----------------------------------------------------------- profiling */

/* Around a node's commands when profiling is on (cl_profile.c). */
enum clx_status cl_profile_begin(struct cl_backend *b, struct clx_ctx *ctx, int node, int n_nodes);
enum clx_status cl_profile_end(struct cl_backend *b, struct clx_ctx *ctx, int node);
/* Lets a gated queue run; before any transfer, a failed run and free. */
void cl_profile_ungate(struct cl_backend *b);
void cl_profile_free(struct cl_backend *b);
enum clx_status cl_profile_set(struct clx_backend *be, struct clx_ctx *ctx, bool on);
enum clx_status cl_profile_node_times(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, double *ns);

/* ---------------------------------------------------------------- peak */

enum clx_status cl_peak(struct clx_backend *be, struct clx_ctx *ctx, double *gflops, double *gbps);

/* ---------------------------------------------------------------- GEMM */

/* ---------------------------------------------------------------- choice */
/* An @f16-math device's half products, validated before first use against
 * the plain-C reference on a GEMM of K = 1024 (cl_gemm.c): from the cache
 * (<cache dir>/f16math), else run now and recorded. Sets b->math_on when
 * they pass; *why says what was measured. Fails only for the device's own
 * errors. */
enum clx_status cl_gemm_validate_math(struct cl_backend *b, struct clx_ctx *ctx, char *why,
				      size_t cap);

/* Whether matmul node reads its weight as half: an @f16 device's resident
 * (non-batched) weights (cl_choose.c). */
bool cl_gemm_half(const struct cl_backend *b, const struct clx_graph *g, int node);

/* Whether matmul node can run here when the compiler rejects own GEMM
 * variants (cl_choose.c): a node only the own kernels can run (half or
 * split weights) needs its default variant built, which this builds; why
 * says what was rejected. Any other node can run CLBlast. */
bool cl_gemm_runnable(struct cl_backend *b, const struct clx_graph *g, int node, char *why,
		      size_t cap);

/* Chooses what each matmul and attention node of g runs (cl_choose.c):
 * b->gemm[].choice and b->attention_rows. */
enum clx_status cl_choose(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g);
/* Whether a node that `fits` a row kernel runs it (CLX_ROW_KERNELS, else
 * on CPU-class devices). */
bool cl_row_kernel_default(const struct cl_backend *b, bool fits);
/* The candidates slot (clx/tune.h). */
int cl_candidates(const struct clx_backend *be, const struct clx_graph *g, int node,
		  char (*out)[CLX_TUNE_IMPL_MAX], int max);
/* ---------------------------------------------------------------- GEMM */
/* Whether weight tensor t must be resident as is (some node reads it other
 * than as the packed operand of an own GEMM). */
bool cl_gemm_needs_raw(const struct cl_backend *b, const struct clx_graph *g, int t);
/* After the weights and the arena: packed weights, variant programs, the
 * CLBlast temp buffer and the packing scratch. */
enum clx_status cl_gemm_prepare(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g);
void cl_gemm_release_graph(struct cl_backend *b);
/* Releases the variant programs too. */
void cl_gemm_free(struct cl_backend *b);
/* What matmul node `node` runs: "own 6x64 float16 lm4", "CLBlast 1.5.3 +
 * matmul_epilogue". */
void cl_gemm_describe(const struct cl_backend *b, const struct clx_graph *g, int node, char *buf,
		      size_t cap);
/* Runs matmul node `node` with its epilogue. */
enum clx_status cl_gemm_node_run(struct cl_backend *b, struct clx_ctx *ctx,
				 const struct clx_graph *g, int node);

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

/* The GEMM problem of matmul node `node` (addresses filled when the graph
 * is prepared); false when it is empty (M, N or K = 0). */
bool cl_gemm_of_node(const struct cl_backend *b, const struct clx_graph *g, int node,
		     struct cl_gemm *out);

/* CLBlast's name and version ("CLBlast 1.5.3"). */
const char *cl_gemm_clblast_name(void);

#endif
