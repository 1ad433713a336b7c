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
 * reductions in `red` (L floats, clx_group_max/sum from layer_norm.cl);
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
