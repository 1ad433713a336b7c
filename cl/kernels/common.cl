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
