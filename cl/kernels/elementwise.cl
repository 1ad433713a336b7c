/* elementwise.cl — one value in, one value out: quick_gelu, gelu, exp, add / mul
 * with a repeating second operand, and the epilogue of a matmul whose GEMM
 * ran in a library.
 *
 * Work decomposition: one work-item per output element, 1-D. The host
 * rounds the global size up to a multiple of the work-group size, so items
 * with i ≥ n return at once. Shapes are flat: the graph's tensors are
 * contiguous row-major, so "b repeats over a" is b[i mod nb].
 * Conventions: common.cl. */

/* y = x · sigmoid(1.702 x) = x / (1 + e^(−1.702 x)); x (n) → y (n) */
kernel void quick_gelu(global const float *x, ulong xo, global float *y, ulong yo, uint n)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	y[yo + i] = clx_quick_gelu(x[xo + i]);
}

/* y = x · Φ(x) = 0.5 x · erfc(−x / √2) (exact GELU); x (n) → y (n). erfc,
 * not 1 + erf: for x ≪ 0 the sum cancels to a few bits in f32. */
kernel void gelu(global const float *x, ulong xo, global float *y, ulong yo, uint n)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	const float v = x[xo + i];
	y[yo + i] = 0.5f * v * erfc(-v * 0.70710678118654752440f);
}

/* y = e^x; x (n) → y (n) */
kernel void exp_f32(global const float *x, ulong xo, global float *y, ulong yo, uint n)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	y[yo + i] = exp(x[xo + i]);
}

/* y = a + b[i mod nb]; a (n), b (nb), nb divides n. y may be a (in place). */
kernel void add_f32(global const float *a, ulong ao, global const float *b, ulong bo,
		    global float *y, ulong yo, uint n, uint nb)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	y[yo + i] = a[ao + i] + b[bo + (nb == n ? i : i % nb)];
}

/* y = a · b[i mod nb]; a (n), b (nb), nb divides n. */
kernel void mul_f32(global const float *a, ulong ao, global const float *b, ulong bo,
		    global float *y, ulong yo, uint n, uint nb)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	y[yo + i] = a[ao + i] * b[bo + (nb == n ? i : i % nb)];
}

/* The epilogue of a matmul a GEMM library computed, in place on y (n =
 * rows · N): v = y (+ bias[i mod N]), then quick_gelu(v), then + r[i], as
 * `flags` (CLX_EPI_*) ask. r may be any buffer when unused. */
kernel void matmul_epilogue(global float *y, ulong yo, global const float *bias, ulong bo,
			    global const float *r, ulong ro, uint n, uint N, uint flags)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	float v = y[yo + i];
	if (flags & CLX_EPI_BIAS)
		v += bias[bo + i % N];
	if (flags & CLX_EPI_GELU)
		v = clx_quick_gelu(v);
	if (flags & CLX_EPI_RESIDUAL)
		v = r[ro + i] + v;
	y[yo + i] = v;
}
