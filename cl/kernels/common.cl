/* common.cl — what every clx program shares; it comes first in each.
 *
 * Conventions for every clx kernel: each buffer is passed as a pointer plus
 * an element offset (ulong), because the scheduler's arena is one buffer
 * and tensors live at offsets in it; element counts fit in uint (the host
 * checks); arithmetic is f32 with no fast-math build options (masking uses
 * −INFINITY). */

/* The constant of quick_gelu. A macro so that a test can perturb it
 * (CLX_CL_TEST_PREFIX="#define CLX_QUICK_GELU_ALPHA 1.8f") and see
 * validation catch it, in every kernel that applies it. */
#ifndef CLX_QUICK_GELU_ALPHA
#define CLX_QUICK_GELU_ALPHA 1.702f
#endif

/* v · sigmoid(1.702 v) = v / (1 + e^(−1.702 v)) */
inline float clx_quick_gelu(float v)
{
	return v / (1.0f + exp(-CLX_QUICK_GELU_ALPHA * v));
}

/* A matmul's epilogue flags, as the graph's CLX_MATMUL_* (clx/graph.h). */
#define CLX_EPI_BIAS 1u
#define CLX_EPI_GELU 2u
#define CLX_EPI_RESIDUAL 4u

/* The vector width of the ops that work a row at a time on CPU-class
 * devices (attention_rows, layer_norm_rows): the device's preferred float
 * width, from the host. */
#ifndef CLX_ROW_VW
#define CLX_ROW_VW 4
#endif
#define CLX_CAT_(a, b) a##b
#define CLX_CAT(a, b) CLX_CAT_(a, b)
#define CLX_RVT CLX_CAT(float, CLX_ROW_VW)
#define CLX_RVLOAD CLX_CAT(vload, CLX_ROW_VW)
#define CLX_RVSTORE CLX_CAT(vstore, CLX_ROW_VW)

/* The sum of a row vector's lanes, pairwise. */
inline float clx_hsum(CLX_RVT v)
{
#if CLX_ROW_VW == 16
	const float8 a = v.lo + v.hi;
	const float4 b = a.lo + a.hi;
#elif CLX_ROW_VW == 8
	const float4 b = v.lo + v.hi;
#else
	const float4 b = v;
#endif
	return (b.x + b.y) + (b.z + b.w);
}

/* Tree reduction of v over the work-group in red[0..L): the sum, or with
 * is_max the maximum; every item gets the result. The loop is uniform
 * across the group (is_max is the same for every item). */
float clx_group_reduce(local float *red, float v, bool is_max)
{
	const uint lid = (uint)get_local_id(0), L = (uint)get_local_size(0);
	red[lid] = v;
	barrier(CLK_LOCAL_MEM_FENCE);
	for (uint s = L / 2; s > 0; s >>= 1) {
		if (lid < s)
			red[lid] = is_max ? fmax(red[lid], red[lid + s]) : red[lid] + red[lid + s];
		barrier(CLK_LOCAL_MEM_FENCE);
	}
	const float r = red[0];
	barrier(CLK_LOCAL_MEM_FENCE); /* red is reused by the caller */
	return r;
}

/* Tree sum of red[0..L) into red[0]; every item gets the result. */
float clx_group_sum(local float *red, float v)
{
	return clx_group_reduce(red, v, false);
}

/* Tree maximum, as clx_group_sum. */
float clx_group_max(local float *red, float v)
{
	return clx_group_reduce(red, v, true);
}
