/* cpu_backend.c — the reference backend: plain C, f32 storage, f64
 * accumulation in every reduction and dot product.
 *
 * It is the oracle every OpenCL device is validated against, so each op
 * reads like the math in docs/XCLIP.md: naive loops, a comment per step.
 * The one concession to speed is splitting matmul rows across threads
 * (CLX_THREADS, default: online CPUs) and unrolling the dot product into
 * four independent f64 accumulators; the summation order is fixed, so
 * results do not depend on the thread count. No intrinsics. */
#include "cpu_peak.h"
#include "engine/backend_impl.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct cpu {
	struct clx_device_info info;
	uint8_t *arena;          /* planned activations */
	size_t arena_bytes;
	void **inputs;           /* per tensor id: INPUT data, else NULL */
	int n_inputs_cap;
	int n_threads;
	bool profiling;
	double *node_ns;         /* per node id, when profiling */
	int n_nodes;
};

static struct cpu *cpu_of(const struct clx_backend *be)
{
	return be->impl;
}

/* Address of tensor t's first element. */
static void *tensor_data(struct cpu *c, const struct clx_graph *g, int t)
{
	const struct clx_tensor *x = &g->tensors[t];
	switch (x->kind) {
	case CLX_TENSOR_WEIGHT: return (void *)x->host;
	case CLX_TENSOR_INPUT: return c->inputs[t];
	case CLX_TENSOR_ACT: return c->arena + x->offs;
	case CLX_TENSOR_VIEW: return (uint8_t *)tensor_data(c, g, x->view_src) + x->view_offs;
	}
	return NULL;
}

#define F32(t) ((float *)tensor_data(c, g, (t)))
#define I32(t) ((int32_t *)tensor_data(c, g, (t)))

/* ------------------------------------------------------------- threading */

struct par {
	void (*fn)(void *arg, int tid, int64_t begin, int64_t end);
	void *arg;
	int tid;
	int64_t begin, end;
};

static void *par_main(void *p)
{
	struct par *w = p;
	w->fn(w->arg, w->tid, w->begin, w->end);
	return NULL;
}

enum { MAX_THREADS = 64 };

/* Runs fn over [0, n) split into n_threads contiguous chunks; chunk i is
 * passed tid = i (for per-thread scratch). */
static void parallel_for(int n_threads, int64_t n, void (*fn)(void *, int, int64_t, int64_t),
			 void *arg)
{
	if (n_threads <= 1 || n < 2) {
		fn(arg, 0, 0, n);
		return;
	}
	struct par w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	bool started[MAX_THREADS] = { false };
	for (int i = 0; i < n_threads; i++)
		w[i] = (struct par){ fn, arg, i, n * i / n_threads, n * (i + 1) / n_threads };
	for (int i = 1; i < n_threads; i++)
		started[i] = pthread_create(&th[i], NULL, par_main, &w[i]) == 0;
	fn(arg, 0, w[0].begin, w[0].end);
	for (int i = 1; i < n_threads; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			fn(arg, i, w[i].begin, w[i].end); /* could not start: do it here */
	}
}

/* ----------------------------------------------------------------- matmul */

/* Σ_k a[k]·b[k·stride_b] in f64, four partial sums in a fixed order. */
static double dot(const float *a, const float *b, int64_t stride_b, int64_t K)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	int64_t k = 0;
	for (; k + 4 <= K; k += 4) {
		s0 += (double)a[k + 0] * b[(k + 0) * stride_b];
		s1 += (double)a[k + 1] * b[(k + 1) * stride_b];
		s2 += (double)a[k + 2] * b[(k + 2) * stride_b];
		s3 += (double)a[k + 3] * b[(k + 3) * stride_b];
	}
	for (; k < K; k++)
		s0 += (double)a[k] * b[k * stride_b];
	return (s0 + s1) + (s2 + s3);
}

/* x · sigmoid(1.702 x), in f64 from the f32 value. */
static float quick_gelu(float x)
{
	return (float)(x / (1.0 + exp(-1.702 * (double)x)));
}

/* x · Φ(x) = 0.5 x (1 + erf(x / √2)), in f64 (torch's exact GELU). */
static float gelu(float x)
{
	return (float)(0.5 * (double)x * (1.0 + erf((double)x * 0.70710678118654752440)));
}

struct mm {
	const float *x, *w, *bias;
	const float *res;        /* residual (M, N), or NULL */
	float *y;
	int64_t M, N, K;
	bool w_kn;               /* W stored (K, N) instead of (N, K) */
	bool gelu;
};

/* For rows m in [m0, m1): v = Σ_k x[m, k] · W[n, k] + bias[n] (f64, then
 * f32), then v = quick_gelu(v), then y[m, n] = res[m, n] + v — each step
 * rounded to f32 exactly as the separate nodes would. */
static void mm_rows(void *arg, int tid, int64_t m0, int64_t m1)
{
	const struct mm *p = arg;
	for (int64_t m = m0; m < m1; m++) {
		const float *xr = p->x + m * p->K;
		for (int64_t n = 0; n < p->N; n++) {
			double acc = p->w_kn ? dot(xr, p->w + n, p->N, p->K)
					     : dot(xr, p->w + n * p->K, 1, p->K);
			if (p->bias)
				acc += p->bias[n];
			float v = (float)acc;
			if (p->gelu)
				v = quick_gelu(v);
			if (p->res)
				v = p->res[m * p->N + n] + v;
			p->y[m * p->N + n] = v;
		}
	}
}

static void op_matmul(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_matmul_dims d = clx_matmul_dims(g, (int)(nd - g->nodes));
	const int64_t N = d.N, K = d.K;
	struct mm p = {
		.x = F32(nd->src[0]), .w = F32(nd->src[1]),
		.bias = d.bias >= 0 ? F32(d.bias) : NULL,
		.res = d.residual >= 0 ? F32(d.residual) : NULL,
		.y = F32(nd->dst), .M = d.M, .N = N, .K = K, .w_kn = d.w_kn,
		.gelu = d.flags & CLX_MATMUL_GELU,
	};
	if (!d.batched) {
		parallel_for(c->n_threads, p.M, mm_rows, &p);
		return;
	}
	/* batched: x (Bt, M, K) · W (Bt, N, K)ᵀ → (Bt, M, N) */
	for (int64_t b = 0; b < d.batch; b++) {
		struct mm q = p;
		q.x += b * p.M * K;
		q.w += b * N * K;
		q.y += b * p.M * N;
		if (q.res)
			q.res += b * p.M * N;
		mm_rows(&q, 0, 0, q.M);
	}
}

/* ------------------------------------------------------------- layer norm */

/* y = (x − mean) / sqrt(var + eps) · w + b over the last dim; biased var. */
static void op_layer_norm(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *xt = &g->tensors[nd->src[0]];
	const int64_t D = xt->ne[xt->n_dims - 1], rows = clx_tensor_nelems(xt) / D;
	const float *x = F32(nd->src[0]), *w = F32(nd->src[1]), *b = F32(nd->src[2]);
	float *y = F32(nd->dst);
	const double eps = nd->fattr[0];
	for (int64_t r = 0; r < rows; r++) {
		const float *xr = x + r * D;
		double mean = 0, var = 0;
		for (int64_t i = 0; i < D; i++)
			mean += xr[i];
		mean /= (double)D;
		for (int64_t i = 0; i < D; i++)
			var += (xr[i] - mean) * (xr[i] - mean);
		var /= (double)D;
		const double inv = 1.0 / sqrt(var + eps);
		for (int64_t i = 0; i < D; i++)
			y[r * D + i] = (float)((xr[i] - mean) * inv * w[i] + b[i]);
	}
}

/* -------------------------------------------------------------- attention */

struct attn {
	const float *q, *k, *v;
	const int32_t *mask;     /* (n, Sk) or NULL */
	float *out;
	double *scratch;         /* (threads, Sk) */
	int64_t Sq, Sk, H, dh;
	bool causal;
	double scale;
};

/* For each (batch item, head) in [i0, i1):
 *   s[i, j] = scale · q_i·k_j, hidden keys excluded (causal j > i, mask 0);
 *   p = softmax_j(s); out_i = Σ_j p[i, j] · v_j.
 * A query row whose keys are all hidden gets zeros (transformers gives NaN
 * there; it cannot happen with right padding and a kept BOS token). */
static void attn_heads(void *arg, int tid, int64_t i0, int64_t i1)
{
	const struct attn *a = arg;
	const int64_t D = a->H * a->dh;
	double *s = a->scratch + tid * a->Sk; /* scores of one query row */
	for (int64_t nh = i0; nh < i1; nh++) {
		const int64_t n = nh / a->H, h = nh % a->H;
		for (int64_t i = 0; i < a->Sq; i++) {
			const float *qi = a->q + (n * a->Sq + i) * D + h * a->dh;
			double mx = -INFINITY;
			for (int64_t j = 0; j < a->Sk; j++) {
				bool hidden = (a->causal && j > i) || (a->mask && a->mask[n * a->Sk + j] == 0);
				if (hidden) {
					s[j] = -INFINITY;
					continue;
				}
				s[j] = a->scale * dot(qi, a->k + (n * a->Sk + j) * D + h * a->dh, 1, a->dh);
				if (s[j] > mx)
					mx = s[j];
			}
			double sum = 0;
			for (int64_t j = 0; j < a->Sk; j++) {
				s[j] = s[j] == -INFINITY ? 0 : exp(s[j] - mx);
				sum += s[j];
			}
			float *o = a->out + (n * a->Sq + i) * D + h * a->dh;
			for (int64_t d = 0; d < a->dh; d++) {
				double acc = 0;
				for (int64_t j = 0; j < a->Sk; j++)
					acc += s[j] * a->v[(n * a->Sk + j) * D + h * a->dh + d];
				o[d] = sum > 0 ? (float)(acc / sum) : 0.0f;
			}
		}
	}
}

static enum clx_status op_attention(struct cpu *c, struct clx_ctx *ctx, const struct clx_graph *g,
				    const struct clx_node *nd)
{
	const struct clx_tensor *q = &g->tensors[nd->src[0]], *k = &g->tensors[nd->src[1]];
	struct attn a = {
		.q = F32(nd->src[0]), .k = F32(nd->src[1]), .v = F32(nd->src[2]),
		.mask = nd->n_src > 3 ? I32(nd->src[3]) : NULL,
		.out = F32(nd->dst),
		.Sq = q->ne[1], .Sk = k->ne[1], .H = nd->iattr[0],
		.dh = q->ne[2] / nd->iattr[0], .causal = nd->iattr[1] != 0, .scale = nd->fattr[0],
	};
	a.scratch = clx_malloc((size_t)c->n_threads * (size_t)a.Sk * sizeof *a.scratch);
	if (!a.scratch)
		return clx_fail(ctx, CLX_ERR_NOMEM, "cpu: out of memory in attention '%s'", nd->name);
	parallel_for(c->n_threads, q->ne[0] * a.H, attn_heads, &a);
	clx_free(a.scratch);
	return CLX_OK;
}

/* ----------------------------------------------------------- elementwise */

static void op_unary(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const int64_t n = clx_tensor_nelems(&g->tensors[nd->dst]);
	const float *x = F32(nd->src[0]);
	float *y = F32(nd->dst);
	for (int64_t i = 0; i < n; i++) {
		if (nd->op == CLX_OP_QUICK_GELU) /* x · sigmoid(1.702 x) */
			y[i] = quick_gelu(x[i]);
		else if (nd->op == CLX_OP_GELU)
			y[i] = gelu(x[i]);
		else /* CLX_OP_EXP */
			y[i] = (float)exp((double)x[i]);
	}
}

/* a ∘ b with b repeating over a: out[i] = a[i] ∘ b[i mod |b|]. */
static void op_binary(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const int64_t n = clx_tensor_nelems(&g->tensors[nd->src[0]]);
	const int64_t nb = clx_tensor_nelems(&g->tensors[nd->src[1]]);
	const float *a = F32(nd->src[0]), *b = F32(nd->src[1]);
	float *y = F32(nd->dst);
	for (int64_t i = 0; i < n; i++)
		y[i] = nd->op == CLX_OP_ADD ? a[i] + b[i % nb] : a[i] * b[i % nb];
}

/* -------------------------------------------------------- data movement */

static void op_gather(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *table = &g->tensors[nd->src[0]];
	const int64_t V = table->ne[0], D = table->ne[1];
	const int64_t n = clx_tensor_nelems(&g->tensors[nd->src[1]]);
	const float *tab = F32(nd->src[0]);
	const int32_t *ids = I32(nd->src[1]);
	float *y = F32(nd->dst);
	for (int64_t i = 0; i < n; i++) {
		CLX_ASSERT(ids[i] >= 0 && ids[i] < V); /* ids are checked on input */
		memcpy(y + i * D, tab + (int64_t)ids[i] * D, (size_t)D * sizeof *y);
	}
}

static void op_concat(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *a = &g->tensors[nd->src[0]], *b = &g->tensors[nd->src[1]];
	const int64_t n = b->ne[0], Sa = a->ne[1], Sb = b->ne[1], D = b->ne[2];
	const float *pa = F32(nd->src[0]), *pb = F32(nd->src[1]);
	float *y = F32(nd->dst);
	for (int64_t i = 0; i < n; i++) {
		const float *ai = pa + (a->ne[0] == 1 ? 0 : i) * Sa * D;
		memcpy(y + i * (Sa + Sb) * D, ai, (size_t)(Sa * D) * sizeof *y);
		memcpy(y + (i * (Sa + Sb) + Sa) * D, pb + i * Sb * D, (size_t)(Sb * D) * sizeof *y);
	}
}

static void op_slice(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *x = &g->tensors[nd->src[0]];
	const int64_t n = x->ne[0], S = x->ne[1], D = x->ne[2];
	const int64_t start = nd->iattr[0], len = nd->iattr[1];
	const float *px = F32(nd->src[0]);
	float *y = F32(nd->dst);
	for (int64_t i = 0; i < n; i++)
		memcpy(y + i * len * D, px + (i * S + start) * D, (size_t)(len * D) * sizeof *y);
}

static void op_mean(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *x = &g->tensors[nd->src[0]];
	const int64_t A = x->ne[0], B = x->ne[1], C = clx_tensor_nelems(x) / A / B;
	const float *px = F32(nd->src[0]);
	float *y = F32(nd->dst);
	for (int64_t a = 0; a < A; a++)
		for (int64_t k = 0; k < C; k++) {
			double s = 0;
			for (int64_t b = 0; b < B; b++)
				s += px[(a * B + b) * C + k];
			y[a * C + k] = (float)(s / (double)B);
		}
}

static void op_l2_normalize(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *x = &g->tensors[nd->src[0]];
	const int64_t D = x->ne[x->n_dims - 1], rows = clx_tensor_nelems(x) / D;
	const float *px = F32(nd->src[0]);
	float *y = F32(nd->dst);
	for (int64_t r = 0; r < rows; r++) {
		double ss = 0;
		for (int64_t i = 0; i < D; i++)
			ss += (double)px[r * D + i] * px[r * D + i];
		const double norm = sqrt(ss); /* no epsilon, as transformers */
		for (int64_t i = 0; i < D; i++)
			y[r * D + i] = (float)(px[r * D + i] / norm);
	}
}

/* (N, C, H, W) → (N, gh·gw, C·p·p): patch (r, s) → row r·gw + s, its
 * elements ordered (c, kh, kw) like the conv weight (D, C, p, p). */
static void op_patchify(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *x = &g->tensors[nd->src[0]];
	const int64_t N = x->ne[0], C = x->ne[1], H = x->ne[2], W = x->ne[3], p = nd->iattr[0];
	const int64_t gh = H / p, gw = W / p;
	const float *px = F32(nd->src[0]);
	float *y = F32(nd->dst);
	for (int64_t n = 0; n < N; n++)
		for (int64_t r = 0; r < gh; r++)
			for (int64_t s = 0; s < gw; s++) {
				float *row = y + ((n * gh + r) * gw + s) * C * p * p;
				for (int64_t ch = 0; ch < C; ch++)
					for (int64_t kh = 0; kh < p; kh++)
						memcpy(row + (ch * p + kh) * p,
						       px + ((n * C + ch) * H + r * p + kh) * W + s * p,
						       (size_t)p * sizeof *y);
			}
}

static void op_pool_argmax(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *x = &g->tensors[nd->src[0]];
	const int64_t K = x->ne[0], L = x->ne[1], D = x->ne[2];
	const float *px = F32(nd->src[0]);
	const int32_t *ids = I32(nd->src[1]);
	float *y = F32(nd->dst);
	const bool match = nd->iattr[0] == 1;
	for (int64_t k = 0; k < K; k++) {
		int64_t best = 0; /* the first maximum or match, as torch.argmax */
		for (int64_t j = match ? 0 : 1; j < L; j++) {
			if (match && ids[k * L + j] == nd->iattr[1]) {
				best = j;
				break;
			}
			if (!match && ids[k * L + j] > ids[k * L + best])
				best = j;
		}
		memcpy(y + k * D, px + (k * L + best) * D, (size_t)D * sizeof *y);
	}
}

static void op_repeat(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const int64_t n = clx_tensor_nelems(&g->tensors[nd->src[0]]);
	const float *px = F32(nd->src[0]);
	float *y = F32(nd->dst);
	for (int32_t r = 0; r < nd->iattr[0]; r++)
		memcpy(y + r * n, px, (size_t)n * sizeof *y);
}

static void op_transpose(struct cpu *c, const struct clx_graph *g, const struct clx_node *nd)
{
	const struct clx_tensor *x = &g->tensors[nd->src[0]];
	const int64_t A = x->ne[0], B = x->ne[1];
	const float *px = F32(nd->src[0]);
	float *y = F32(nd->dst);
	for (int64_t i = 0; i < A; i++)
		for (int64_t j = 0; j < B; j++)
			y[j * A + i] = px[i * B + j];
}

/* --------------------------------------------------------------- backend */

static const char *cpu_name(const struct clx_backend *be)
{
	return "cpu";
}

static const struct clx_device_info *cpu_device(const struct clx_backend *be)
{
	return &cpu_of(be)->info;
}

/* Frees what the last prepare allocated (arena, inputs, node times). */
static void release_graph_state(struct cpu *c)
{
	if (c->inputs)
		for (int i = 0; i < c->n_inputs_cap; i++)
			clx_free(c->inputs[i]);
	clx_free(c->inputs);
	clx_free(c->arena);
	clx_free(c->node_ns);
	c->inputs = NULL;
	c->n_inputs_cap = 0;
	c->arena = NULL;
	c->arena_bytes = 0;
	c->node_ns = NULL;
	c->n_nodes = 0;
}

static void cpu_free(struct clx_backend *be)
{
	if (!be)
		return;
	struct cpu *c = cpu_of(be);
	if (c) {
		release_graph_state(c);
		clx_free(c);
	}
	clx_free(be);
}

static enum clx_status cpu_prepare(struct clx_backend *be, struct clx_ctx *ctx,
				   const struct clx_graph *g, size_t arena_bytes)
{
	struct cpu *c = cpu_of(be);
	release_graph_state(c);
	c->arena = clx_malloc(arena_bytes);
	c->arena_bytes = arena_bytes;
	c->inputs = clx_calloc((size_t)g->n_tensors, sizeof *c->inputs);
	c->node_ns = clx_calloc((size_t)g->n_nodes + 1, sizeof *c->node_ns);
	c->n_nodes = g->n_nodes;
	if (!c->arena || !c->inputs || !c->node_ns)
		goto nomem;
	c->n_inputs_cap = g->n_tensors;
	for (int t = 0; t < g->n_tensors; t++)
		if (g->tensors[t].kind == CLX_TENSOR_INPUT &&
		    !(c->inputs[t] = clx_calloc(1, clx_tensor_nbytes(&g->tensors[t]))))
			goto nomem;
	return CLX_OK;
nomem:
	return clx_fail(ctx, CLX_ERR_NOMEM, "cpu: cannot allocate %zu bytes of activations", arena_bytes);
}

static enum clx_status cpu_set_tensor(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, int t, const void *data)
{
	memcpy(tensor_data(cpu_of(be), g, t), data, clx_tensor_nbytes(&g->tensors[t]));
	return CLX_OK;
}

static enum clx_status cpu_get_tensor(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, int t, void *data)
{
	memcpy(data, tensor_data(cpu_of(be), g, t), clx_tensor_nbytes(&g->tensors[t]));
	return CLX_OK;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static enum clx_status run_op(struct cpu *c, struct clx_ctx *ctx, const struct clx_graph *g,
			      const struct clx_node *nd);

static enum clx_status cpu_run_node(struct clx_backend *be, struct clx_ctx *ctx,
				    const struct clx_graph *g, int node)
{
	struct cpu *c = cpu_of(be);
	if (!c->profiling || node >= c->n_nodes)
		return run_op(c, ctx, g, &g->nodes[node]);
	double t0 = now_ns();
	enum clx_status st = run_op(c, ctx, g, &g->nodes[node]);
	c->node_ns[node] = now_ns() - t0;
	return st;
}

static enum clx_status cpu_set_profiling(struct clx_backend *be, struct clx_ctx *ctx, bool on)
{
	cpu_of(be)->profiling = on;
	return CLX_OK;
}

static enum clx_status cpu_node_times(struct clx_backend *be, struct clx_ctx *ctx,
				      const struct clx_graph *g, double *ns)
{
	struct cpu *c = cpu_of(be);
	if (!c->profiling || g->n_nodes != c->n_nodes)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG, "cpu: profiling was not on for this graph");
	memcpy(ns, c->node_ns, (size_t)g->n_nodes * sizeof *ns);
	return CLX_OK;
}

static void cpu_stats(const struct clx_backend *be, struct clx_backend_stats *out)
{
	const struct cpu *c = cpu_of(be);
	out->weight_bytes = 0; /* used in place from the model's mapping */
	out->arena_bytes = c->arena_bytes;
	out->gemm_impl = "reference";
}

static enum clx_status cpu_peak(struct clx_backend *be, struct clx_ctx *ctx, double *gflops,
				double *gbps)
{
	return cpu_peak_measure(ctx, cpu_of(be)->n_threads, gflops, gbps);
}

/* One node, by op. */
static enum clx_status run_op(struct cpu *c, struct clx_ctx *ctx, const struct clx_graph *g,
			      const struct clx_node *nd)
{
	switch (nd->op) {
	case CLX_OP_MATMUL: op_matmul(c, g, nd); break;
	case CLX_OP_LAYER_NORM: op_layer_norm(c, g, nd); break;
	case CLX_OP_ATTENTION: return op_attention(c, ctx, g, nd);
	case CLX_OP_QUICK_GELU:
	case CLX_OP_GELU:
	case CLX_OP_EXP: op_unary(c, g, nd); break;
	case CLX_OP_ADD:
	case CLX_OP_MUL: op_binary(c, g, nd); break;
	case CLX_OP_GATHER: op_gather(c, g, nd); break;
	case CLX_OP_CONCAT: op_concat(c, g, nd); break;
	case CLX_OP_SLICE: op_slice(c, g, nd); break;
	case CLX_OP_MEAN: op_mean(c, g, nd); break;
	case CLX_OP_L2_NORMALIZE: op_l2_normalize(c, g, nd); break;
	case CLX_OP_PATCHIFY: op_patchify(c, g, nd); break;
	case CLX_OP_POOL_ARGMAX: op_pool_argmax(c, g, nd); break;
	case CLX_OP_REPEAT: op_repeat(c, g, nd); break;
	case CLX_OP_TRANSPOSE: op_transpose(c, g, nd); break;
	case CLX_OP_COUNT:
	default:
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "cpu: node '%s' has unknown op %d", nd->name,
				(int)nd->op);
	}
	return CLX_OK;
}

static const struct clx_backend_i cpu_iface = {
	.name = cpu_name,
	.free = cpu_free,
	.device = cpu_device,
	.prepare = cpu_prepare,
	.set_tensor = cpu_set_tensor,
	.get_tensor = cpu_get_tensor,
	.run_node = cpu_run_node,
	.set_profiling = cpu_set_profiling,
	.node_times = cpu_node_times,
	.stats = cpu_stats,
	.peak = cpu_peak,
};

/* CLX_THREADS, else the online CPUs (at most MAX_THREADS); a CLX_THREADS
 * that is not an integer in [1, MAX_THREADS] fails the open (ctx) or, when
 * listing (ctx NULL), is ignored. */
static enum clx_status thread_count(struct clx_ctx *ctx, int *n)
{
	long long v;
	bool set;
	enum clx_status st = clx_env_int(ctx, "CLX_THREADS", 1, MAX_THREADS, &v, &set);
	if (st != CLX_OK && ctx)
		return st;
	if (st != CLX_OK || !set) {
		v = sysconf(_SC_NPROCESSORS_ONLN);
		v = v < 1 ? 1 : v > MAX_THREADS ? MAX_THREADS : v;
	}
	*n = (int)v;
	return CLX_OK;
}

/* The CPU's model name from /proc/cpuinfo ("" if unknown). */
static void cpu_model_name(char *buf, size_t cap)
{
	buf[0] = '\0';
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "model name", 10) == 0) {
			const char *p = strchr(line, ':');
			if (p) {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				snprintf(buf, cap, "%s", p);
				buf[strcspn(buf, "\n")] = '\0';
			}
			break;
		}
	}
	fclose(f);
}

static void describe(struct clx_device_info *d, int threads)
{
	memset(d, 0, sizeof *d);
	snprintf(d->backend, sizeof d->backend, "cpu");
	snprintf(d->id, sizeof d->id, "cpu");
	d->reference = true;
	cpu_model_name(d->name, sizeof d->name);
	d->type = "CPU";
	d->type_rank = 1;
	snprintf(d->platform_name, sizeof d->platform_name, "clx CPU reference");
	snprintf(d->platform_version, sizeof d->platform_version, "clx %s", CLX_VERSION_STRING);
#ifdef __VERSION__
	snprintf(d->driver_version, sizeof d->driver_version, "C compiler %s", __VERSION__);
#endif
	d->compute_units = (uint32_t)threads;
	d->host_unified = true;
	d->fp64 = true;
}

static enum clx_status cpu_list(struct clx_ctx *ctx, struct clx_device_info **devs, int *n,
				char *note, size_t cap)
{
	*n = 0;
	if (!(*devs = clx_malloc(sizeof **devs)))
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory listing devices");
	int threads;
	thread_count(NULL, &threads);
	describe(&(*devs)[0], threads);
	*n = 1;
	return CLX_OK;
}

static enum clx_status cpu_open(struct clx_ctx *ctx, const struct clx_device_info *dev,
				struct clx_backend **out)
{
	*out = NULL;
	int threads;
	enum clx_status st = thread_count(ctx, &threads);
	if (st != CLX_OK)
		return st;
	struct cpu *c = clx_calloc(1, sizeof *c);
	struct clx_backend *be = c ? clx_backend_new(ctx, &cpu_iface, c) : NULL;
	if (!be) {
		clx_free(c);
		return clx_fail(ctx, CLX_ERR_NOMEM, "cpu: out of memory creating the backend");
	}
	c->n_threads = threads;
	c->info = *dev;
	*out = be;
	return CLX_OK;
}

const struct clx_backend_reg clx_backend_reg_cpu = { "cpu", cpu_list, cpu_open };
