/* graph.h — the layer DAG: tensors, nodes and their names.
 *
 * A graph is built for concrete shapes (B, T, K, L). Every node computes one
 * op from a small closed set into one new tensor. Tensors are f32 (or i32 for
 * token ids and masks), contiguous, row-major with the outermost dimension
 * first (ne[0] is the slowest-varying, as in NumPy). A view (reshape, or a
 * contiguous prefix) aliases its source's memory and costs nothing.
 *
 * Names follow the Hugging Face parameter names: the node that computes
 * `vision_model.encoder.layers.3.self_attn` output is called
 * "vision.layers.3.self_attn", and validation and profiling report by them. */
#ifndef CLX_GRAPH_H
#define CLX_GRAPH_H

#include "clx/clx.h"
#include "clx/limits.h"

enum clx_op {
	CLX_OP_MATMUL,       /* y = act(x·Wᵀ (+ b)) (+ r): x (…, K), W (N, K) → (…, N).
	                        iattr[0]=1: W is (K, N) and y = x·W (raw Parameter).
	                        iattr[1]=1: batched: x (Bt, M, K), W (Bt, N, K).
	                        iattr[2]: the epilogue, CLX_MATMUL_* flags; the sources
	                        are x, W, then bias (N) if BIAS, then r (shape of y)
	                        if RESIDUAL. Built with clx_graph_matmul. */
	CLX_OP_LAYER_NORM,   /* x (…, D), w (D), b (D); fattr[0] = eps */
	CLX_OP_ATTENTION,    /* q (n, Sq, H·dh), k (n, Sk, H·dh), v (n, Sk, H·dh),
	                        optional mask (n, Sk) i32 1=keep 0=hide → (n, Sq, H·dh).
	                        iattr[0] = heads, iattr[1] = causal; fattr[0] = scale */
	CLX_OP_QUICK_GELU,   /* x · sigmoid(1.702 x) */
	CLX_OP_ADD,          /* a + b; b repeats over a (b's size divides a's) */
	CLX_OP_MUL,          /* a ⊙ b; b repeats over a */
	CLX_OP_EXP,          /* e^x */
	CLX_OP_GATHER,       /* table (V, D), ids (…) i32 → (…, D) */
	CLX_OP_CONCAT,       /* a (n|1, Sa, D), b (n, Sb, D) → (n, Sa+Sb, D) along
	                        axis 1; a with n = 1 is broadcast over n */
	CLX_OP_SLICE,        /* x (n, S, D) → (n, len, D) rows [start, start+len):
	                        iattr[0] = start, iattr[1] = len */
	CLX_OP_MEAN,         /* x (a, b, c) → (a, c), mean over b */
	CLX_OP_L2_NORMALIZE, /* rows of the last dim divided by their L2 norm */
	CLX_OP_PATCHIFY,     /* x (N, C, H, W) → (N, (H/p)·(W/p), C·p·p) ordered
	                        (c, kh, kw), patches row-major; iattr[0] = p */
	CLX_OP_POOL_ARGMAX,  /* x (K, L, D), ids (K, L) i32 → (K, D): CLIP's EOS
	                        pooling, the row at the first maximum of ids[k]
	                        (iattr[0] = 0), or at the first j with ids[k][j]
	                        = iattr[1] (iattr[0] = 1; row 0 when none) */
	CLX_OP_REPEAT,       /* x (…) → (r, …): iattr[0] = r copies */
	CLX_OP_TRANSPOSE,    /* x (a, b) → (b, a) */
	CLX_OP_GELU,         /* x · Φ(x) = x/2 · (1 + erf(x/√2)) (exact, not tanh) */
	CLX_OP_COUNT
};

const char *clx_op_name(enum clx_op op);

/* A matmul's epilogue, in the order applied: + bias, quick_gelu, + residual. */
enum clx_matmul_flags {
	CLX_MATMUL_BIAS = 1 << 0,
	CLX_MATMUL_GELU = 1 << 1,     /* quick_gelu(v) = v · sigmoid(1.702 v) */
	CLX_MATMUL_RESIDUAL = 1 << 2,
};

enum clx_tensor_kind {
	CLX_TENSOR_INPUT,    /* set by the caller before each run */
	CLX_TENSOR_WEIGHT,   /* host data owned by the model, resident on devices */
	CLX_TENSOR_ACT,      /* computed by a node, lives in the planned arena */
	CLX_TENSOR_VIEW,     /* aliases view_src at view_offs bytes */
};

struct clx_tensor {
	char name[CLX_MAX_NAME];
	enum clx_tensor_kind kind;
	enum clx_dtype dtype;          /* F32 or I32 */
	int n_dims;
	int64_t ne[CLX_MAX_DIMS];      /* outermost first */
	const float *host;             /* WEIGHT: f32 host data (owned by the model) */
	const uint16_t *host_half;     /* WEIGHT: the same values as IEEE half, as an F16 file
	                                  holds them (clx_weight.half), else NULL */
	uint64_t host_key;             /* WEIGHT: a stable identity of the host data across
	                                  processes (clx_weight.key), 0 if none: keys caches
	                                  derived from it (packed layouts) */
	bool host_mapped;              /* WEIGHT: host is in a read-only file mapping, so a
	                                  backend holding its own copy may drop those pages
	                                  (clx_drop_mapped_pages); they are re-read on access */
	int view_src;                  /* VIEW: the tensor aliased, -1 otherwise */
	size_t view_offs;              /* VIEW: byte offset into view_src */
	bool is_output;                /* kept alive after the run, never reused */
	int producer;                  /* node computing it, -1 for leaves */
	size_t offs;                   /* ACT: byte offset in the arena (planner) */
};

#define CLX_MAX_SRC 4

struct clx_node {
	char name[CLX_MAX_NAME];
	enum clx_op op;
	int n_src;
	int src[CLX_MAX_SRC];          /* tensor ids */
	int dst;                       /* tensor id */
	int32_t iattr[4];
	float fattr[2];
};

struct clx_graph {
	int n_tensors, cap_tensors;
	struct clx_tensor *tensors;
	int n_nodes, cap_nodes;
	struct clx_node *nodes;
	bool oom;                      /* a builder allocation failed; build fails */
};

struct clx_graph *clx_graph_create(void);
void clx_graph_free(struct clx_graph *g);

int64_t clx_tensor_nelems(const struct clx_tensor *t);
size_t clx_tensor_nbytes(const struct clx_tensor *t);
/* Follows views to the tensor that owns the memory. */
int clx_graph_root(const struct clx_graph *g, int t);
int clx_graph_find_tensor(const struct clx_graph *g, const char *name);

/* Builders. They return a tensor id, or -1 after an allocation failure
 * (g->oom is then set; every later call also returns -1, so a builder checks
 * once at the end). Shapes are checked with CLX_ASSERT: a mismatch here is
 * a bug in a graph builder, not bad input (inputs are checked before). */
int clx_graph_input(struct clx_graph *g, const char *name, enum clx_dtype dt, int n_dims,
		    const int64_t *ne);
int clx_graph_weight(struct clx_graph *g, const char *name, int n_dims, const int64_t *ne,
		     const float *host);
int clx_graph_reshape(struct clx_graph *g, int t, int n_dims, const int64_t *ne);
/* Rows [0, rows) of the outermost dimension: a contiguous prefix. */
int clx_graph_prefix(struct clx_graph *g, int t, int64_t rows);
int clx_graph_node(struct clx_graph *g, const char *name, enum clx_op op, int n_src,
		   const int *src, int n_dims, const int64_t *ne, const int32_t *iattr,
		   const float *fattr);
/* Appends a copy of t / n as it is (ids in it are the caller's to make
 * right): how the placed backend builds each device's sub-graph. The new
 * id, or -1 (g->oom) after an allocation failure. */
int clx_graph_copy_tensor(struct clx_graph *g, const struct clx_tensor *t);
int clx_graph_copy_node(struct clx_graph *g, const struct clx_node *n);

/* y (n_dims, ne) = act(x·op(w) (+ bias)) (+ residual): a MATMUL node with the
 * epilogue `flags` (CLX_MATMUL_*); bias and residual are tensor ids, -1
 * when the flags have none. */
int clx_graph_matmul(struct clx_graph *g, const char *name, int x, int w, int bias, int residual,
		     unsigned flags, bool w_kn, bool batched, int n_dims, const int64_t *ne);

/* The problem a MATMUL node computes, decoded from its shapes and
 * attributes: y (batch, M, N) = x (batch, M, K) · op(W) with op(W) = Wᵀ for
 * W (N, K), or W itself for W (K, N) when w_kn. batch = 1 unless batched. */
struct clx_matmul_dims {
	int64_t M, N, K, batch;
	bool w_kn;                     /* iattr[0]: W is (K, N) */
	bool batched;                  /* iattr[1]: x and W carry a leading batch */
	unsigned flags;                /* iattr[2]: CLX_MATMUL_* */
	int bias;                      /* tensor id of the bias (N), or -1 */
	int residual;                  /* tensor id of the residual (like y), or -1 */
};
struct clx_matmul_dims clx_matmul_dims(const struct clx_graph *g, int node);

/* "[2, 8, 3]" into buf; returns buf. */
const char *clx_shape_str(char *buf, size_t cap, int n_dims, const int64_t *ne);

/* ----------------------------------------------------------------- passes */

/* Folds each matmul's epilogue into it (runtime/engine/fuse.c): a
 * quick_gelu and then a residual add that read only the matmul's output
 * become CLX_MATMUL_GELU / CLX_MATMUL_RESIDUAL, and the fused node takes the
 * last absorbed node's name and output. Tensors marked is_output are never
 * absorbed. Returns the number of nodes removed. */
int clx_graph_fuse_epilogues(struct clx_graph *g);

/* ------------------------------------------------------------------ cost */

/* What a node costs (runtime/graph/cost.c, formulas in docs/PROFILE.md):
 * floating-point operations (a multiply-add counts 2; exp, division and
 * sqrt count 1 each) and the compulsory bytes moved: every input element
 * the op needs read once plus the output written once. Views cost
 * nothing. Used by profiling to report GFLOP/s, GB/s and the roofline. */
void clx_node_cost(const struct clx_graph *g, int node, double *flops, double *bytes);

/* The profiler's op classes. */
enum clx_op_class {
	CLX_OPCLASS_GEMM,        /* matmul */
	CLX_OPCLASS_ATTENTION,   /* attention (scores, softmax, weighted sum) */
	CLX_OPCLASS_NORM,        /* layer_norm, l2_normalize */
	CLX_OPCLASS_ELEMENTWISE, /* quick_gelu, gelu, add, mul, exp, mean */
	CLX_OPCLASS_MOVEMENT,    /* gather, concat, slice, patchify, pool_argmax, repeat, transpose */
	CLX_OPCLASS_COUNT
};
enum clx_op_class clx_op_class_of(enum clx_op op);
/* "gemm", "attention", "layer_norm", "elementwise", "data_movement" */
const char *clx_op_class_name(enum clx_op_class c);

#endif
