/* attention.cl — fused multi-head scaled dot-product attention:
 *   s_j = scale · q_i · k_j over one head's dh values, hidden keys excluded
 *   (causal: j > i; mask[n, j] == 0), p = softmax_j(s), out_i = Σ_j p_j v_j.
 * A query row whose keys are all hidden gets zeros, as the CPU reference.
 * Masking uses −INFINITY and a test for it: this program must never be
 * built with -cl-fast-relaxed-math or -cl-finite-math-only.
 *
 * Shapes: q (n, Sq, H·dh), k and v (n, Sk, H·dh), mask (n, Sk) i32 or none,
 * out (n, Sq, H·dh); head h owns columns [h·dh, (h+1)·dh).
 *
 * Work decomposition: one work-group per (query row i, batch item n, head h)
 * — group ids (i, n·H + h) — of L work-items (a power of two from the host).
 * Item l computes the scores of keys l, l + L, … into local memory
 * (`s`, Sk floats); the row max and the sum of exponentials are tree
 * reductions in `red` (L floats, clx_group_max/sum from common.cl);
 * then item l computes output columns l, l + L, … of the head. Global size
 * (Sq·L, n·H). Local memory: (Sk + L) floats, checked by the host. */

kernel void attention(global const float *q, ulong qo, global const float *k, ulong ko,
		      global const float *v, ulong vo, global const int *mask, ulong mo,
		      uint has_mask, global float *out, ulong oo, uint Sq, uint Sk, uint H,
		      uint dh, uint causal, float scale, local float *s, local float *red)
{
	const uint i = (uint)get_group_id(0);
	const uint nh = (uint)get_group_id(1), n = nh / H, h = nh % H;
	const uint lid = (uint)get_local_id(0), L = (uint)get_local_size(0);
	const ulong D = (ulong)H * dh;
	global const float *qi = q + qo + ((ulong)n * Sq + i) * D + (ulong)h * dh;

	/* scores and their maximum */
	float mx = -INFINITY;
	for (uint j = lid; j < Sk; j += L) {
		const bool hidden = (causal && j > i) ||
				    (has_mask && mask[mo + (ulong)n * Sk + j] == 0);
		float sc = -INFINITY;
		if (!hidden) {
			global const float *kj = k + ko + ((ulong)n * Sk + j) * D + (ulong)h * dh;
			float acc = 0.0f;
			for (uint d = 0; d < dh; d++)
				acc += qi[d] * kj[d];
			sc = scale * acc;
		}
		s[j] = sc;
		mx = fmax(mx, sc);
	}
	mx = clx_group_max(red, mx);

	/* exponentials (hidden keys weigh 0) and their sum */
	float sum = 0.0f;
	for (uint j = lid; j < Sk; j += L) {
		const float p = s[j] == -INFINITY ? 0.0f : exp(s[j] - mx);
		s[j] = p;
		sum += p;
	}
	sum = clx_group_sum(red, sum); /* its barriers also publish s[] */

	/* out_i = Σ_j p_j v_j / Σ_j p_j */
	global float *oi = out + oo + ((ulong)n * Sq + i) * D + (ulong)h * dh;
	for (uint d = lid; d < dh; d += L) {
		global const float *vd = v + vo + (ulong)n * Sk * D + (ulong)h * dh + d;
		float acc = 0.0f;
		for (uint j = 0; j < Sk; j++)
			acc += s[j] * vd[(ulong)j * D];
		oi[d] = sum > 0.0f ? acc / sum : 0.0f;
	}
}

/* ------------------------------------------------------------ attention_rows
 *
 * The same attention for CPU-class devices, where a work-group per query
 * row leaves the vector units idle: one work-item computes CLX_ATTN_QB
 * query rows of one (batch item n, head h) — ids (row block, n·H + h) —
 * with floatCLX_ROW_VW vectors (common.cl) along the head dimension (dh a multiple
 * of it) and the scores in private memory (Sk ≤ CLX_ATTN_MAX_SK, checked
 * by the host). Each key and value row is loaded once for the QB rows.
 * Rows past Sq compute on row Sq − 1 and are not stored. No local memory,
 * no barriers; the per-row steps are written out (CLX_ATTN_ROWS) so no
 * loop nests inside another more than needed (llvmpipe, gemm.cl). */

#define CLX_ATTN_QB 4
#define CLX_ATTN_MAX_SK 128
#define CLX_ATTN_ROWS(X) X(0) X(1) X(2) X(3)

kernel void attention_rows(global const float *q, ulong qo, global const float *k, ulong ko,
			   global const float *v, ulong vo, global const int *mask, ulong mo,
			   uint has_mask, global float *out, ulong oo, uint Sq, uint Sk, uint H,
			   uint dh, uint causal, float scale)
{
	const uint i0 = (uint)get_global_id(0) * CLX_ATTN_QB, nh = (uint)get_global_id(1);
	if (i0 >= Sq)
		return;
	const uint n = nh / H, h = nh % H;
	const ulong D = (ulong)H * dh;
	global const float *kb = k + ko + (ulong)n * Sk * D + (ulong)h * dh;
	global const float *vb = v + vo + (ulong)n * Sk * D + (ulong)h * dh;
#define ROW_PTR(r) \
	global const float *q##r = q + qo + ((ulong)n * Sq + min(i0 + r, Sq - 1)) * D + (ulong)h * dh;
	CLX_ATTN_ROWS(ROW_PTR)
#undef ROW_PTR
	float s[CLX_ATTN_QB][CLX_ATTN_MAX_SK];
	float mx[CLX_ATTN_QB] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };

	/* scores: s[r][j] = scale · q_r · k_j, −∞ where hidden */
	for (uint j = 0; j < Sk; j++) {
		global const float *kj = kb + (ulong)j * D;
		CLX_RVT a0 = (CLX_RVT)0.0f, a1 = (CLX_RVT)0.0f, a2 = (CLX_RVT)0.0f, a3 = (CLX_RVT)0.0f;
		for (uint d = 0; d < dh; d += CLX_ROW_VW) {
			const CLX_RVT kv = CLX_RVLOAD(0, kj + d);
#define DOT_STEP(r) a##r = fma(CLX_RVLOAD(0, q##r + d), kv, a##r);
			CLX_ATTN_ROWS(DOT_STEP)
#undef DOT_STEP
		}
		const bool masked = has_mask && mask[mo + (ulong)n * Sk + j] == 0;
#define SCORE(r)                                                                          \
	{                                                                                 \
		const float sc = masked || (causal && j > i0 + r) ? -INFINITY             \
								  : scale * clx_hsum(a##r); \
		s[r][j] = sc;                                                             \
		mx[r] = fmax(mx[r], sc);                                                  \
	}
		CLX_ATTN_ROWS(SCORE)
#undef SCORE
	}

	/* p = e^(s − max) (hidden keys weigh 0), and the sums */
	float sum[CLX_ATTN_QB] = { 0.0f, 0.0f, 0.0f, 0.0f };
	for (uint j = 0; j < Sk; j++) {
#define EXPS(r)                                                                   \
	{                                                                         \
		const float p = s[r][j] == -INFINITY ? 0.0f : exp(s[r][j] - mx[r]); \
		s[r][j] = p;                                                      \
		sum[r] += p;                                                      \
	}
		CLX_ATTN_ROWS(EXPS)
#undef EXPS
	}

	/* out_r = Σ_j p_rj v_j / Σ_j p_rj, VW columns at a time */
	for (uint d = 0; d < dh; d += CLX_ROW_VW) {
		CLX_RVT o0 = (CLX_RVT)0.0f, o1 = (CLX_RVT)0.0f, o2 = (CLX_RVT)0.0f, o3 = (CLX_RVT)0.0f;
		for (uint j = 0; j < Sk; j++) {
			const CLX_RVT vv = CLX_RVLOAD(0, vb + (ulong)j * D + d);
#define PV_STEP(r) o##r = fma((CLX_RVT)(s[r][j]), vv, o##r);
			CLX_ATTN_ROWS(PV_STEP)
#undef PV_STEP
		}
#define STORE_ROW(r)                                                                          \
	if (i0 + r < Sq)                                                                      \
		CLX_RVSTORE(sum[r] > 0.0f ? o##r / sum[r] : (CLX_RVT)0.0f, 0,                         \
			out + oo + ((ulong)n * Sq + i0 + r) * D + (ulong)h * dh + d);
		CLX_ATTN_ROWS(STORE_ROW)
#undef STORE_ROW
	}
}
