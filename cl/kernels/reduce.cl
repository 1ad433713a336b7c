/* reduce.cl — mean over an axis and L2 normalisation of rows.
 *
 * mean: x (A, B, C) → y (A, C), mean over B. One work-item per output
 * element (a, c), 1-D, summing B values in order in f32 (B is the number
 * of frames here: small). Reads are contiguous across a work-group.
 *
 * l2_normalize: rows of D values divided by their L2 norm (no epsilon, as
 * transformers). One work-group per row, L work-items (power of two);
 * Σx² by strided partial sums and a tree reduction in local memory
 * (clx_group_sum from common.cl). Global size rows·L. */

kernel void mean_axis1(global const float *x, ulong xo, global float *y, ulong yo, uint n,
		       uint B, uint C)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	const uint a = i / C, c = i % C;
	global const float *xa = x + xo + (ulong)a * B * C + c;
	float s = 0.0f;
	for (uint b = 0; b < B; b++)
		s += xa[(ulong)b * C];
	y[yo + i] = s / (float)B;
}

kernel void l2_normalize(global const float *x, ulong xo, global float *y, ulong yo, uint D,
			 local float *red)
{
	const uint row = (uint)get_group_id(0);
	const uint lid = (uint)get_local_id(0), L = (uint)get_local_size(0);
	global const float *xr = x + xo + (ulong)row * D;
	global float *yr = y + yo + (ulong)row * D;
	float ss = 0.0f;
	for (uint i = lid; i < D; i += L)
		ss += xr[i] * xr[i];
	const float norm = sqrt(clx_group_sum(red, ss));
	for (uint i = lid; i < D; i += L)
		yr[i] = xr[i] / norm;
}
