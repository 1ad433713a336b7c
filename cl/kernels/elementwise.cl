/* elementwise.cl — one value in, one value out: quick_gelu, exp, and add / mul
 * with a repeating second operand (also used for bias rows after a GEMM).
 *
 * Work decomposition: one work-item per output element, 1-D. The host
 * rounds the global size up to a multiple of the work-group size, so items
 * with i ≥ n return at once. Shapes are flat: the graph's tensors are
 * contiguous row-major, so "b repeats over a" is b[i mod nb].
 *
 * Conventions for every clx kernel: each buffer is passed as a pointer plus
 * an element offset (ulong), because the scheduler's arena is one buffer
 * and tensors live at offsets in it; element counts fit in uint (the host
 * checks); arithmetic is f32 with no fast-math build options. */

/* The constant of quick_gelu. A macro so that a test can perturb this one
 * kernel (CLX_CL_TEST_PREFIX="#define CLX_QUICK_GELU_ALPHA 1.8f") and see
 * validation catch it. */
#ifndef CLX_QUICK_GELU_ALPHA
#define CLX_QUICK_GELU_ALPHA 1.702f
#endif

/* y = x · sigmoid(1.702 x) = x / (1 + e^(−1.702 x)); x (n) → y (n) */
kernel void quick_gelu(global const float *x, ulong xo, global float *y, ulong yo, uint n)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	const float v = x[xo + i];
	y[yo + i] = v / (1.0f + exp(-CLX_QUICK_GELU_ALPHA * v));
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
