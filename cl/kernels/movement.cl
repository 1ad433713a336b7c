/* movement.cl — ops that only move data: gather (embedding lookup),
 * concat, slice, patchify, pool_argmax, repeat, transpose.
 *
 * Work decomposition: the run kernels (concat, slice_rows, patchify) are
 * 2-D — gid(1) is a contiguous run of the output (a row of D values, a
 * patch row of p) and gid(0) a chunk of CLX_MOVE_CHUNK values of it — so an
 * item decodes its run's coordinates once and copies a chunk (vector
 * loads when whole); the others are one work-item per output element, 1-D
 * over the flat index.
 * Global sizes are rounded up to the work-group size (items past the end
 * return). No item writes outside the output. Exact copies: results are
 * bit-identical to the CPU reference. */

#define CLX_MOVE_CHUNK 16u

/* Copies chunk gid(0) of a run of `len` values from src to dst. */
inline void copy_chunk(global float *dst, global const float *src, uint len)
{
	const uint c0 = (uint)get_global_id(0) * CLX_MOVE_CHUNK;
	if (c0 + CLX_MOVE_CHUNK <= len) {
		/* two float8 halves: vload16/vstore16 are library calls whose
		 * 16-float vectors have another ABI on x86 without AVX-512 */
		vstore8(vload8(0, src + c0), 0, dst + c0);
		vstore8(vload8(0, src + c0 + 8), 0, dst + c0 + 8);
		return;
	}
	for (uint c = c0; c < len; c++)
		dst[c] = src[c];
}

/* table (V_all, D), ids (rows) i32 → y (rows, D). An id outside
 * [0, V_all) (never after input checks) gives 0 rather than an
 * out-of-bounds read. A table over the device's largest buffer comes in
 * parts: this launch holds rows [v0, v0 + V) and writes only those ids;
 * the part at v0 = 0 also writes the zeros. */
/* One body for both table types: LOAD(i) reads element i of tab. */
#define CLX_GATHER(name, T, LOAD)                                                           \
	kernel void name(global const T *tab, ulong to, global const int *ids, ulong io,    \
			 global float *y, ulong yo, uint n, uint D, uint V, uint v0, uint V_all) \
	{                                                                                   \
		const uint i = (uint)get_global_id(0);                                      \
		if (i >= n)                                                                 \
			return;                                                             \
		const uint r = i / D, c = i % D;                                            \
		const int id = ids[io + r];                                                 \
		if (id >= (int)v0 && (uint)id - v0 < V)                                     \
			y[yo + i] = LOAD(to + (ulong)((uint)id - v0) * D + c);              \
		else if (v0 == 0 && (id < 0 || (uint)id >= V_all))                          \
			y[yo + i] = 0.0f;                                                   \
	}
#define CLX_LOAD_F32(k) tab[k]
#define CLX_LOAD_HALF(k) vload_half((k), tab)
CLX_GATHER(gather, float, CLX_LOAD_F32)
/* from a table stored as half (an @f16 device): vload_half is core
 * OpenCL, no cl_khr_fp16 */
CLX_GATHER(gather_half, half, CLX_LOAD_HALF)

/* a (na, Sa, D) with na ∈ {1, nb}, b (nb, Sb, D) → y (nb, Sa + Sb, D), axis 1.
 * Runs: the n = nb · (Sa + Sb) output rows. */
kernel void concat(global const float *a, ulong ao, global const float *b, ulong bo,
		   global float *y, ulong yo, uint n, uint na, uint Sa, uint Sb, uint D)
{
	const uint row = (uint)get_global_id(1);
	if (row >= n)
		return;
	const uint S = Sa + Sb, r = row % S, m = row / S;
	copy_chunk(y + yo + (ulong)row * D,
		   r < Sa ? a + ao + ((ulong)(na == 1 ? 0 : m) * Sa + r) * D
			  : b + bo + ((ulong)m * Sb + (r - Sa)) * D,
		   D);
}

/* x (m, S, D) → y (m, len, D), rows [start, start + len) of axis 1.
 * Runs: the n = m · len output rows. */
kernel void slice_rows(global const float *x, ulong xo, global float *y, ulong yo, uint n,
		       uint S, uint D, uint start, uint len)
{
	const uint row = (uint)get_global_id(1);
	if (row >= n)
		return;
	const uint r = row % len, m = row / len;
	copy_chunk(y + yo + (ulong)row * D, x + xo + ((ulong)m * S + start + r) * D, D);
}

/* x (N, C, H, W) → y (N, gh·gw, C·p·p), gh = H/p, gw = W/p: patch (r, s) is
 * row r·gw + s, its elements ordered (c, kh, kw) like a conv weight.
 * Runs: the n = N · gh·gw · C · p patch rows (img, patch, c, kh) of p values. */
kernel void patchify(global const float *x, ulong xo, global float *y, ulong yo, uint n,
		     uint C, uint H, uint W, uint p)
{
	const uint run = (uint)get_global_id(1);
	if (run >= n)
		return;
	const uint gw = W / p, gh = H / p;
	const uint kh = run % p, ch = (run / p) % C, patch = (run / p / C) % (gh * gw);
	const uint img = run / p / C / (gh * gw);
	const uint r = patch / gw, s = patch % gw;
	copy_chunk(y + yo + (ulong)run * p, x + xo + (((ulong)img * C + ch) * H + r * p + kh) * W + s * p,
		   p);
}

/* x (K, L, D), ids (K, L) i32 → y (K, D): the row at the first maximum of
 * ids[k] (CLIP's legacy EOS pooling: the EOS token has the largest id), or
 * with `match` at the first j where ids[k][j] = id (row 0 when none). */
kernel void pool_argmax(global const float *x, ulong xo, global const int *ids, ulong io,
			global float *y, ulong yo, uint n, uint L, uint D, uint match, uint id)
{
	const uint i = (uint)get_global_id(0);
	if (i >= n)
		return;
	const uint kk = i / D, d = i % D;
	global const int *row = ids + io + (ulong)kk * L;
	uint best = 0;
	if (match) { /* the first j with row[j] == id, else 0 */
		for (uint j = 0; j < L; j++)
			if ((uint)row[j] == id) {
				best = j;
				break;
			}
	} else { /* the first maximum */
		for (uint j = 1; j < L; j++)
			if (row[j] > row[best])
				best = j;
	}
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
