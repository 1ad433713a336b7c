/* gemm.cl — clx's own GEMM family for CPU-class OpenCL devices, with the
 * matmul epilogue fused into the store:
 *
 *   C (M, N) = A (M, K) · Wᵀ  (+ bias (N)) (quick_gelu) (+ R (M, N))
 *
 * W is a Hugging Face Linear weight (N, K), re-packed once (at prepare, or
 * per run for an activation operand by gemm_pack) into panels:
 *
 *   NP = ⌈N / NR⌉ · NR                        (N zero-padded, K is not)
 *   Wp[(p·K + k)·NR + j] = W(n = p·NR + j, k), 0 where n ≥ N
 *
 * panel p is the K × NR transpose of NR weight rows, k-major, so one k step
 * of a panel is NR contiguous floats: NR / VW aligned floatVW loads. Packed
 * size NP · K floats per batch item.
 *
 * Build-time parameters (-D, so every variant is its own program in the
 * binary cache): CLX_GEMM_MR rows × CLX_GEMM_NR columns of C per work-item,
 * CLX_GEMM_VW the vector width, CLX_GEMM_NV = NR / VW (NR a multiple of VW),
 * CLX_GEMM_WHALF: the packed weight is IEEE half (an @f16 device), read by
 * vload_half (core OpenCL, no cl_khr_fp16) into floats: the arithmetic and
 * the accumulation stay f32. CLX_GEMM_HMATH (with WHALF, an @f16-math
 * device): each product a·w is an IEEE half product, a rounded to half
 * first, accumulated in f32. With CLX_GEMM_HNATIVE the device computes it
 * in half (cl_khr_fp16); without, it is emulated exactly: a product of two
 * halves is exact in f32, and vstore_half_rte rounds it as a half multiply
 * does (the CLX_CL_FP16_EMULATE test hook, for devices without the
 * extension).
 *
 * Work decomposition of gemm_packed: one work-item computes one MR × NR
 * tile of C — rows m0 = gid(0)·MR, columns n0 = gid(1)·NR (panel gid(1)),
 * batch item gid(2) — keeping MR · NR / VW floatVW accumulators in
 * registers over the whole K loop: per k, NR / VW vector loads of the
 * panel, MR broadcasts of A, MR · NR / VW fma. A work-group is LM × 1
 * work-items stacked along M that stream the same panel (it stays in L2);
 * no local memory, no barriers. Edges: rows ≥ M load row M − 1 and are not
 * stored; padded columns compute on zeros and are not stored; any K ≥ 1
 * (unrolled by 4, then a tail). No padding copies of A or C.
 *
 * fma(), not mad(): PoCL 3.1 emits a multiply and an add for mad() even
 * with -cl-mad-enable, half the throughput. Keep the index arithmetic
 * before the K loop minimal: on PoCL extra integer work there has been seen
 * to make LLVM spill the accumulators (2× slower). */

#ifndef CLX_GEMM_MR
#define CLX_GEMM_MR 6
#endif
#ifndef CLX_GEMM_NR
#define CLX_GEMM_NR 64
#endif
#ifndef CLX_GEMM_VW
#define CLX_GEMM_VW 16
#endif

#ifndef CLX_GEMM_NV
#define CLX_GEMM_NV 4 /* NR / VW, as one token for the repetition macros */
#endif

#define MR CLX_GEMM_MR
#define NR CLX_GEMM_NR
#define VW CLX_GEMM_VW
#define NV CLX_GEMM_NV
#if NR != NV * VW
#error "CLX_GEMM_NV must be CLX_GEMM_NR / CLX_GEMM_VW"
#endif

#define VT CLX_CAT(float, VW)

#ifdef CLX_GEMM_HNATIVE
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#endif
/* The half products' scale: 1. A macro so that a test can perturb them
 * (CLX_CL_TEST_PREFIX="#define CLX_HMATH_SCALE 1.01f") and see the check on
 * first use refuse them. */
#ifndef CLX_HMATH_SCALE
#define CLX_HMATH_SCALE 1.0f
#endif

#ifdef CLX_GEMM_WHALF
#define WT half
#if VW == 16
#define VLOAD_W(o, p) ((VT)(vload_half8(0, (p) + 16 * (o)), vload_half8(0, (p) + 16 * (o) + 8)))
#else
#define VLOAD_W(o, p) CLX_CAT(vload_half, VW)((o), (p))
#endif
#else
#define WT float
#endif
#if VW == 16
/* As two float8 halves: vload16, vstore16, fma and exp of a float16 are
 * library calls, and a 16-float vector argument has another ABI on x86
 * without AVX-512 (clang warns about each call when PoCL compiles the
 * program). Element by element, so the values do not change. */
#define VLOAD(o, p) ((VT)(vload8(0, (p) + 16 * (o)), vload8(0, (p) + 16 * (o) + 8)))
#define VSTORE(x, o, p) do { const VT x_ = (x); vstore8(x_.lo, 0, (p) + 16 * (o)); \
		vstore8(x_.hi, 0, (p) + 16 * (o) + 8); } while (0)
#define VEXP(x) ((VT)(exp((x).lo), exp((x).hi)))
#define VFMA(a, b, c) ((VT)(fma((a).lo, (b).lo, (c).lo), fma((a).hi, (b).hi, (c).hi)))
#else
#define VLOAD CLX_CAT(vload, VW)
#define VSTORE CLX_CAT(vstore, VW)
#define VEXP(x) exp(x)
#define VFMA(a, b, c) fma(a, b, c)
#endif

#if defined(CLX_GEMM_HMATH) && !defined(CLX_GEMM_HNATIVE)
/* x rounded to the nearest half, ties to even (as a half multiply rounds
 * its exact product), through core OpenCL's vstore_half_rte into a
 * private ushort (a private half is not declarable without cl_khr_fp16). */
inline float clx_round_half(float x)
{
	ushort h;
	vstore_half_rte(x, 0, (private half *)&h);
	return vload_half(0, (const private half *)&h);
}
inline VT clx_round_half_v(VT x)
{
	ushort h[VW];
	CLX_CAT(vstore_half, CLX_CAT(VW, _rte))(x, 0, (private half *)h);
	return CLX_CAT(vload_half, VW)(0, (const private half *)h);
}
#endif

/* X(0) X(1) … X(n − 1), written out by the preprocessor: the k loop's
 * body must hold no loop, because Mesa's llvmpipe leaves `#pragma unroll`
 * loops rolled and its loop limiter (65535 iterations, counted over the
 * whole run of a loop nested in another) then silently cuts the k loop
 * short (measured: a 6×64 float16 tile lost every k past ~1650). Two
 * families, so rows and vectors can nest. */
#define CLX_REPI1(X) X(0)
#define CLX_REPI2(X) CLX_REPI1(X) X(1)
#define CLX_REPI3(X) CLX_REPI2(X) X(2)
#define CLX_REPI4(X) CLX_REPI3(X) X(3)
#define CLX_REPI5(X) CLX_REPI4(X) X(4)
#define CLX_REPI6(X) CLX_REPI5(X) X(5)
#define CLX_REPI7(X) CLX_REPI6(X) X(6)
#define CLX_REPI8(X) CLX_REPI7(X) X(7)
#define CLX_REPI9(X) CLX_REPI8(X) X(8)
#define CLX_REPI10(X) CLX_REPI9(X) X(9)
#define CLX_REPI11(X) CLX_REPI10(X) X(10)
#define CLX_REPI12(X) CLX_REPI11(X) X(11)
#define CLX_REPI13(X) CLX_REPI12(X) X(12)
#define CLX_REPI14(X) CLX_REPI13(X) X(13)
#define CLX_REPI15(X) CLX_REPI14(X) X(14)
#define CLX_REPI16(X) CLX_REPI15(X) X(15)
#define CLX_REPV1(X) X(0)
#define CLX_REPV2(X) CLX_REPV1(X) X(1)
#define CLX_REPV3(X) CLX_REPV2(X) X(2)
#define CLX_REPV4(X) CLX_REPV3(X) X(3)
#define CLX_REPV5(X) CLX_REPV4(X) X(4)
#define CLX_REPV6(X) CLX_REPV5(X) X(5)
#define CLX_REPV7(X) CLX_REPV6(X) X(6)
#define CLX_REPV8(X) CLX_REPV7(X) X(7)
#define CLX_REPV9(X) CLX_REPV8(X) X(8)
#define CLX_REPV10(X) CLX_REPV9(X) X(9)
#define CLX_REPV11(X) CLX_REPV10(X) X(10)
#define CLX_REPV12(X) CLX_REPV11(X) X(11)
#define CLX_REPV13(X) CLX_REPV12(X) X(12)
#define CLX_REPV14(X) CLX_REPV13(X) X(13)
#define CLX_REPV15(X) CLX_REPV14(X) X(14)
#define CLX_REPV16(X) CLX_REPV15(X) X(15)
#define CLX_REPV17(X) CLX_REPV16(X) X(16)
#define CLX_REPV18(X) CLX_REPV17(X) X(17)
#define CLX_REPV19(X) CLX_REPV18(X) X(18)
#define CLX_REPV20(X) CLX_REPV19(X) X(19)
#define CLX_REPV21(X) CLX_REPV20(X) X(20)
#define CLX_REPV22(X) CLX_REPV21(X) X(21)
#define CLX_REPV23(X) CLX_REPV22(X) X(22)
#define CLX_REPV24(X) CLX_REPV23(X) X(23)
#define CLX_REPV25(X) CLX_REPV24(X) X(24)
#define CLX_REPV26(X) CLX_REPV25(X) X(25)
#define CLX_REPV27(X) CLX_REPV26(X) X(26)
#define CLX_REPV28(X) CLX_REPV27(X) X(27)
#define CLX_REPV29(X) CLX_REPV28(X) X(28)
#define CLX_REPV30(X) CLX_REPV29(X) X(29)
#define CLX_REPV31(X) CLX_REPV30(X) X(30)
#define CLX_REPV32(X) CLX_REPV31(X) X(31)
#define CLX_REPI(n, X) CLX_CAT(CLX_REPI, n)(X)
#define CLX_REPV(n, X) CLX_CAT(CLX_REPV, n)(X)

/* The epilogue of one vector of a row (n0 + VW·v ≤ N for every v), in
 * place: a pointer, not a VT by value, since PoCL builds with -Dinline=
 * and a float16 argument would hit the ABI of VLOAD's comment. */
inline void epilogue_vec(private VT *p, uint flags, global const float *bias,
			 global const float *r)
{
	VT v = *p;
	if (flags & CLX_EPI_BIAS)
		v += VLOAD(0, bias);
	if (flags & CLX_EPI_GELU)
		v = v / ((VT)1.0f + VEXP((VT)(-CLX_QUICK_GELU_ALPHA) * v));
	if (flags & CLX_EPI_RESIDUAL)
		v = VLOAD(0, r) + v;
	*p = v;
}

inline float epilogue(float v, uint flags, global const float *bias, global const float *r)
{
	if (flags & CLX_EPI_BIAS)
		v += bias[0];
	if (flags & CLX_EPI_GELU)
		v = clx_quick_gelu(v);
	if (flags & CLX_EPI_RESIDUAL)
		v = r[0] + v;
	return v;
}

/* C = A · Wpᵀ (+ epilogue) for batch item gid(2). Strides are per batch
 * item, in elements; bias and R may be any buffer when flags leave them out
 * (R may be C itself: each element is read before it is written, by the
 * same work-item). */
kernel void gemm_packed(uint M, uint N, uint K, global const float *A, ulong ao, uint lda,
			ulong a_stride, global const WT *Wp, ulong wo, ulong w_stride,
			global float *C, ulong co, uint ldc, ulong c_stride,
			global const float *bias, ulong bo, global const float *R, ulong ro, uint ldr,
			ulong r_stride, uint flags)
{
	const uint m0 = (uint)get_global_id(0) * MR, p = (uint)get_global_id(1);
	const uint n0 = p * NR;
	if (m0 >= M || n0 >= N)
		return;
	const size_t b = get_global_id(2);
	A += ao + b * a_stride;
	C += co + b * c_stride;
	R += ro + b * r_stride;
	bias += bo;
#ifdef CLX_GEMM_WHALF
	global const half *w = Wp + wo + b * w_stride + (size_t)p * K * NR;
#else
	global const VT *w = (global const VT *)(Wp + wo + b * w_stride + (size_t)p * K * NR);
#endif
	global const float *a[MR];
#pragma unroll
	for (int i = 0; i < MR; i++)
		a[i] = A + (size_t)min(m0 + i, M - 1) * lda;
	VT acc[MR][NV];
#pragma unroll
	for (int i = 0; i < MR; i++)
#pragma unroll
		for (int v = 0; v < NV; v++)
			acc[i][v] = (VT)0.0f;

	/* one k step: NV panel loads, then per row a broadcast of A and NV fma */
#ifdef CLX_GEMM_WHALF
#define LOAD_W(v) const VT w##v = VLOAD_W(kk * NV + v, w);
#else
#define LOAD_W(v) const VT w##v = w[kk * NV + v];
#endif
#if defined(CLX_GEMM_HMATH) && defined(CLX_GEMM_HNATIVE)
#define HT CLX_CAT(half, VW)
#define A_VAL(x) (x)
#define FMA_V(v) acc[i][v] += CLX_HMATH_SCALE * CLX_CAT(convert_float, VW)(          \
				CLX_CAT(convert_half, VW)(av) * CLX_CAT(convert_half, VW)(w##v));
#elif defined(CLX_GEMM_HMATH)
#define A_VAL(x) clx_round_half(x)
#define FMA_V(v) acc[i][v] += CLX_HMATH_SCALE * clx_round_half_v(av * w##v);
#else
#define A_VAL(x) (x)
#define FMA_V(v) acc[i][v] = VFMA(av, w##v, acc[i][v]);
#endif
#define ROW(r)                                      \
	{                                           \
		const int i = r;                    \
		const VT av = (VT)(A_VAL(a[i][kk])); \
		CLX_REPV(NV, FMA_V)                 \
	}
#define KSTEP(kexpr)                                \
	{                                           \
		const uint kk = (kexpr);            \
		CLX_REPV(NV, LOAD_W)                \
		CLX_REPI(MR, ROW)                   \
	}

	uint k = 0;
	for (; k + 4 <= K; k += 4) {
		KSTEP(k);
		KSTEP(k + 1);
		KSTEP(k + 2);
		KSTEP(k + 3);
	}
	for (; k < K; k++)
		KSTEP(k);
#undef KSTEP
#undef ROW
#undef FMA_V
#undef A_VAL
#undef LOAD_W

	const bool full = n0 + NR <= N;
#pragma unroll
	for (int i = 0; i < MR; i++) {
		const uint m = m0 + i;
		if (m >= M)
			break;
		global float *c = C + (size_t)m * ldc + n0;
		global const float *r = R + (size_t)m * ldr + n0;
		if (full) {
#pragma unroll
			for (int v = 0; v < NV; v++) {
				epilogue_vec(&acc[i][v], flags, bias + n0 + v * VW, r + v * VW);
				VSTORE(acc[i][v], 0, c + v * VW);
			}
		} else {
			float t[NR];
#pragma unroll
			for (int v = 0; v < NV; v++)
				VSTORE(acc[i][v], v, t);
			for (uint j = 0; j < N - n0; j++)
				c[j] = epilogue(t[j], flags, bias + n0 + j, r + j);
		}
	}
}

/* Packs W for gemm_packed: element (n, k) of batch item gid(2) is
 * W[wo + b·w_stride + n·sn + k·sk] (sn = K, sk = 1 for an (N, K) weight;
 * sn = 1, sk = N for a (K, N) one). One work-item per packed element:
 * global (K, NP, batch). */
kernel void gemm_pack(global const float *W, ulong wo, uint N, uint K, uint sn, uint sk,
		      ulong w_stride, global float *Wp, ulong po, ulong p_stride)
{
	const uint k = (uint)get_global_id(0), n = (uint)get_global_id(1);
	const size_t b = get_global_id(2);
	if (k >= K)
		return;
	const uint p = n / NR, j = n % NR;
	Wp[po + b * p_stride + ((size_t)p * K + k) * NR + j] =
		n < N ? W[wo + b * w_stride + (size_t)n * sn + (size_t)k * sk] : 0.0f;
}
