/* layer_norm.cl — y = (x − mean) / sqrt(var + eps) · w + b over the last
 * dimension, biased variance (torch.nn.LayerNorm).
 *
 * Work decomposition: one work-group per row of D values; work-item l of L
 * (L a power of two, chosen by the host, ≤ the kernel's work-group limit)
 * sums elements l, l + L, l + 2L, … and the L partial sums are combined by a
 * tree reduction in local memory (`red`, L floats). Two passes over the row:
 * the mean, then Σ(x − mean)² — the CPU reference's order of operations,
 * in f32 with pairwise (tree) combination instead of f64.
 *
 * Shapes: x (rows, D), w (D), b (D) → y (rows, D); global size rows·L. */

kernel void layer_norm(global const float *x, ulong xo, global const float *w, ulong wo,
		       global const float *b, ulong bo, global float *y, ulong yo, uint D,
		       float eps, local float *red)
{
	const uint row = (uint)get_group_id(0);
	const uint lid = (uint)get_local_id(0), L = (uint)get_local_size(0);
	global const float *xr = x + xo + (ulong)row * D;
	global float *yr = y + yo + (ulong)row * D;

	/* mean */
	float s = 0.0f;
	for (uint i = lid; i < D; i += L)
		s += xr[i];
	const float mean = clx_group_sum(red, s) / (float)D;

	/* biased variance around that mean */
	float v = 0.0f;
	for (uint i = lid; i < D; i += L) {
		const float d = xr[i] - mean;
		v += d * d;
	}
	const float var = clx_group_sum(red, v) / (float)D;
	const float inv = 1.0f / sqrt(var + eps);

	for (uint i = lid; i < D; i += L)
		yr[i] = (xr[i] - mean) * inv * w[wo + i] + b[bo + i];
}

/* layer_norm_rows: the same for CPU-class devices, where a work-group's
 * barriers cost more than the arithmetic: one work-item per row (global
 * size rows), floatCLX_ROW_VW partial sums along it (D a multiple of
 * CLX_ROW_VW, checked by the host), the same two passes. */
kernel void layer_norm_rows(global const float *x, ulong xo, global const float *w, ulong wo,
			    global const float *b, ulong bo, global float *y, ulong yo, uint D,
			    float eps, uint rows)
{
	const uint row = (uint)get_global_id(0);
	if (row >= rows)
		return;
	global const float *xr = x + xo + (ulong)row * D;
	global float *yr = y + yo + (ulong)row * D;
	CLX_RVT s = (CLX_RVT)0.0f;
	for (uint i = 0; i < D; i += CLX_ROW_VW)
		s += CLX_RVLOAD(0, xr + i);
	const float mean = clx_hsum(s) / (float)D;
	CLX_RVT v = (CLX_RVT)0.0f;
	for (uint i = 0; i < D; i += CLX_ROW_VW) {
		const CLX_RVT d = CLX_RVLOAD(0, xr + i) - mean;
		v = fma(d, d, v);
	}
	const float inv = 1.0f / sqrt(clx_hsum(v) / (float)D + eps);
	for (uint i = 0; i < D; i += CLX_ROW_VW)
		CLX_RVSTORE((CLX_RVLOAD(0, xr + i) - mean) * inv * CLX_RVLOAD(0, w + wo + i) +
				    CLX_RVLOAD(0, b + bo + i),
			    0, yr + i);
}
