/* movement.cl — ops that only move data: gather (embedding lookup),
 * concat, slice, patchify, pool_argmax, repeat, transpose.
 *
 * Work decomposition: one work-item per OUTPUT element, 1-D, global size
 * rounded up to the work-group size (items past n return). Each item
 * decomposes its flat output index into coordinates and reads the one
 * source element it copies, so writes are contiguous across a work-group
 * and no item writes outside the output. Exact copies: results are
 * bit-identical to the CPU reference. */

/* table (V, D), ids (rows) i32 → y (rows, D). An id outside [0, V) (never
 * after input checks) gives 0 rather than an out-of-bounds read. */
kernel void gather(global const float *tab, ulong to, global const int *ids, ulong io,
		   global float *y, ulong yo, uint n, uint D, uint V)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	const uint r = i / D, c = i % D;
	const int id = ids[io + r];
	y[yo + i] = (id >= 0 && (uint)id < V) ? tab[to + (ulong)id * D + c] : 0.0f;
}

/* a (na, Sa, D) with na ∈ {1, nb}, b (nb, Sb, D) → y (nb, Sa + Sb, D), axis 1. */
kernel void concat(global const float *a, ulong ao, global const float *b, ulong bo,
		   global float *y, ulong yo, uint n, uint na, uint Sa, uint Sb, uint D)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	const uint S = Sa + Sb;
	const uint d = i % D, r = (i / D) % S, m = i / D / S;
	y[yo + i] = r < Sa ? a[ao + ((ulong)(na == 1 ? 0 : m) * Sa + r) * D + d]
			   : b[bo + ((ulong)m * Sb + (r - Sa)) * D + d];
}

/* x (m, S, D) → y (m, len, D), rows [start, start + len) of axis 1. */
kernel void slice_rows(global const float *x, ulong xo, global float *y, ulong yo, uint n,
		       uint S, uint D, uint start, uint len)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	const uint d = i % D, r = (i / D) % len, m = i / D / len;
	y[yo + i] = x[xo + ((ulong)m * S + start + r) * D + d];
}

/* x (N, C, H, W) → y (N, gh·gw, C·p·p), gh = H/p, gw = W/p: patch (r, s) is
 * row r·gw + s, its elements ordered (c, kh, kw) like a conv weight. */
kernel void patchify(global const float *x, ulong xo, global float *y, ulong yo, uint n,
		     uint C, uint H, uint W, uint p)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	const uint gw = W / p, gh = H / p, E = C * p * p;
	const uint e = i % E, patch = (i / E) % (gh * gw), img = i / E / (gh * gw);
	const uint ch = e / (p * p), kh = (e / p) % p, kw = e % p;
	const uint r = patch / gw, s = patch % gw;
	y[yo + i] = x[xo + (((ulong)img * C + ch) * H + r * p + kh) * W + s * p + kw];
}

/* x (K, L, D), ids (K, L) i32 → y (K, D): the row at the first maximum of
 * ids[k] (CLIP pools the EOS token, the largest id). */
kernel void pool_argmax(global const float *x, ulong xo, global const int *ids, ulong io,
			global float *y, ulong yo, uint n, uint L, uint D)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	const uint kk = i / D, d = i % D;
	global const int *row = ids + io + (ulong)kk * L;
	uint best = 0;
	for (uint j = 1; j < L; j++)
		if (row[j] > row[best])
			best = j;
	y[yo + i] = x[xo + ((ulong)kk * L + best) * D + d];
}

/* x (nx) → y (r·nx): r copies; n = r·nx. */
kernel void repeat(global const float *x, ulong xo, global float *y, ulong yo, uint n, uint nx)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	y[yo + i] = x[xo + i % nx];
}

/* x (A, B) → y (B, A). */
kernel void transpose(global const float *x, ulong xo, global float *y, ulong yo, uint A,
		      uint B)
{
	const uint i = (uint)get_global_id(0);
	if (i >= A * B)
		return;
	const uint row = i / A, col = i % A; /* y[row, col] = x[col, row] */
	y[yo + i] = x[xo + (ulong)col * B + row];
}
