/* check.h — the one numeric comparison and tolerance rule (docs/NUMERICS.md),
 * and a "checked backend" that runs every node on a second backend too.
 *
 * Rules:
 *   logits            max |got − ref| ≤ 1e-3
 *   embeddings        every row's cosine(got, ref) ≥ 0.99999
 *   a node's output   NMSE = Σ(got − ref)² / Σref² ≤ 1e-7 when the node is a
 *                     matmul or attention, or one is upstream of it in the
 *                     computation compared; ≤ 1e-9 otherwise
 * A NaN or infinity anywhere in either array fails every rule.
 *
 * Used by clx validate, CLX_CHECK_RESULTS=1 and the C tests. */
#ifndef CLX_CHECK_H
#define CLX_CHECK_H

#include "clx/backend.h"
#include "clx/graph.h"
#include "clx/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CLX_CHECK_LOGITS_MAX_ABS 1e-3
#define CLX_CHECK_EMBED_MIN_COS 0.99999
#define CLX_CHECK_NMSE_ELEMENTWISE 1e-9
#define CLX_CHECK_NMSE_GEMM 1e-7
/* Weights stored as half (an @f16 device; arithmetic stays f32): logits
 * within 1e-2, embeddings as above, every node NMSE ≤ 1e-5, and the argmax
 * label unchanged. Measured in docs/NUMERICS.md. */
#define CLX_CHECK_F16_LOGITS_MAX_ABS 1e-2
#define CLX_CHECK_F16_NMSE 1e-5

struct clx_diff {
	double max_abs;              /* max |got − ref| (∞ with non-finite values) */
	int64_t worst;               /* index of max_abs */
	double nmse;                 /* Σ(got−ref)² / Σref² (Σ(got−ref)² when ref is all 0) */
	double min_cos;              /* smallest row cosine (1 without rows; −1 non-finite) */
	int64_t n_nonfinite;         /* elements where got or ref is NaN or ±∞ */
};

/* Compares n floats; rows of `row` elements for the cosine (0: none). */
struct clx_diff clx_diff_f32(const float *got, const float *ref, int64_t n, int64_t row);

bool clx_check_logits(const struct clx_diff *d);
/* Rows (of `row` values) whose largest value is not where ref's is: the
 * label a user reads changed. */
int64_t clx_argmax_changed(const float *got, const float *ref, int64_t n, int64_t row);
/* The rule for logits with weights stored as half: finite, max abs ≤
 * CLX_CHECK_F16_LOGITS_MAX_ABS, and no row's argmax changed. */
bool clx_check_logits_f16(const struct clx_diff *d, int64_t argmax_changed);
bool clx_check_embeddings(const struct clx_diff *d);
/* The NMSE limit of a node's output: CLX_CHECK_NMSE_GEMM when `after_gemm`
 * (a matmul/attention upstream within what is compared) or the node itself
 * is one, else CLX_CHECK_NMSE_ELEMENTWISE. */
double clx_check_node_tolerance(const struct clx_graph *g, int node, bool after_gemm);
bool clx_check_nmse(const struct clx_diff *d, double tolerance);

/* Per tensor id: whether a matmul or attention computes it or is upstream
 * of it, following the plan's order (a new array of g->n_tensors, clx_free).
 * For whole-graph comparisons, where errors carry downstream. */
enum clx_status clx_check_after_gemm(struct clx_ctx *ctx, const struct clx_graph *g,
				     const struct clx_plan *plan, bool **out);

/* A backend that runs every node on `primary` and then again on
 * `reference`, from the primary's own values of the node's inputs, and
 * fails the run at the first node whose output differs beyond
 * clx_check_node_tolerance(…, false), naming it. Takes both backends (also
 * on failure). Results, name and device are the primary's; it cannot time
 * nodes. */
enum clx_status clx_backend_checked_create(struct clx_ctx *ctx, struct clx_backend *primary,
					   struct clx_backend *reference,
					   struct clx_backend **out);

#ifdef __cplusplus
}
#endif
#endif
