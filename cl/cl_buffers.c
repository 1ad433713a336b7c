/* cl_buffers.c — device memory of the OpenCL backend: buffers, resident
 * weights, the activation arena, inputs, the GEMM temp buffer, where a
 * tensor lives, host transfers, and how failures are reported.
 *
 * Weights are uploaded once and stay resident, cached by their host
 * pointer (plus size and a sampled fingerprint of the data), so preparing
 * another graph of the same model uploads nothing. The scheduler's planned
 * arena is ONE buffer; a tensor is (buffer, byte offset) and kernels take
 * the buffer and an element offset as separate arguments — no
 * sub-buffers, so CL_DEVICE_MEM_BASE_ADDR_ALIGN never constrains the
 * planner's offsets. Inputs have a buffer each. Host transfers happen only
 * in set/get tensor and for weights at prepare. A buffer over
 * CL_DEVICE_MAX_MEM_ALLOC_SIZE is refused with the sizes; an allocation
 * failure evicts cached weights the graph does not use and retries once.
 *
 * An asynchronous failure (clFinish, a blocking transfer) poisons the
 * backend: the queue is released and every later call fails with the
 * first error; free still releases everything. */
#include "cl_internal.h"

#include "clx/sched.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------- failures */

enum clx_status cl_err(struct cl_backend *b, struct clx_ctx *ctx, const char *what, cl_int err)
{
	enum clx_status st = err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_HOST_MEMORY
				     ? CLX_ERR_NOMEM
				     : CLX_ERR_DEVICE;
	return clx_fail(ctx, st, "%s: %s failed: %s (%d)", b->label, what, clw_error_name(err),
			err);
}

enum clx_status cl_poison(struct cl_backend *b, struct clx_ctx *ctx, const char *what, cl_int err)
{
	if (!b->poisoned) {
		b->poisoned = true;
		snprintf(b->poison_msg, sizeof b->poison_msg, "%s failed: %s (%d)", what,
			 clw_error_name(err), err);
		if (b->queue) {
			/* let what was queued end (or fail) first: buffers may use
			 * host memory in place, unmapped when they are released */
			clFinish(b->queue);
			clReleaseCommandQueue(b->queue);
		}
		b->queue = NULL;
	}
	return clx_fail(ctx, CLX_ERR_DEVICE,
			"%s: %s; the device queue was released, create a new backend to continue",
			b->label, b->poison_msg);
}

enum clx_status cl_check_alive(struct cl_backend *b, struct clx_ctx *ctx)
{
	if (!b->poisoned)
		return CLX_OK;
	return clx_fail(ctx, CLX_ERR_DEVICE, "%s: unusable after an earlier failure (%s)",
			b->label, b->poison_msg);
}

/* ------------------------------------------------------------- buffers */

static double mib(size_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

static size_t device_bytes_used(const struct cl_backend *b)
{
	return b->stats.weight_bytes + b->stats.arena_bytes + b->stats.input_bytes +
	       b->stats.temp_bytes;
}

void cl_release_mem(cl_mem m)
{
	if (m) {
		clReleaseMemObject(m);
		clw_live_buffers--;
	}
}

static void release_split(struct cl_split *s)
{
	for (int j = 1; s && j < s->n; j++) /* part 0 is the weight's mem */
		cl_release_mem(s->mem[j]);
	clx_free(s);
}

/* Releases cached weights the graph being prepared does not use and, with
 * max_idle ≥ 0, only those idle for more than max_idle prepares. */
static void evict_weights(struct cl_backend *b, int max_idle)
{
	int j = 0;
	for (int i = 0; i < b->n_weights; i++) {
		if (b->weights[i].used || (max_idle >= 0 && b->weights[i].idle <= max_idle)) {
			b->weights[j++] = b->weights[i];
			continue;
		}
		cl_release_mem(b->weights[i].mem);
		release_split(b->weights[i].split);
		cl_packed_release(&b->weights[i].host_packed);
		b->stats.weight_bytes -= b->weights[i].dev_bytes;
	}
	b->n_weights = j;
}

static bool is_alloc_failure(cl_int err)
{
	return err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES ||
	       err == CL_OUT_OF_HOST_MEMORY;
}

enum clx_status cl_alloc_buffer(struct cl_backend *b, struct clx_ctx *ctx, const char *what,
				    size_t bytes, cl_mem_flags flags, const void *host, cl_mem *out)
{
	*out = NULL;
	if (bytes == 0)
		bytes = 4;
	if (bytes > b->dev.info.max_alloc)
		return clx_fail(ctx, CLX_ERR_NOMEM,
				"%s: %s needs one buffer of %zu bytes (%.1f MiB), over this device's "
				"CL_DEVICE_MAX_MEM_ALLOC_SIZE of %llu bytes (%.1f MiB); use a smaller batch",
				b->label, what, bytes, mib(bytes),
				(unsigned long long)b->dev.info.max_alloc, mib(b->dev.info.max_alloc));
	cl_int err = CL_SUCCESS;
	const bool use_host = flags & CL_MEM_USE_HOST_PTR;
	for (int attempt = 0; attempt < 2; attempt++) {
		cl_mem m = CLW_CREATE(clCreateBuffer, &err, b->context, flags, bytes,
				      use_host ? (void *)host : NULL);
		if (m && err == CL_SUCCESS && host && !use_host)
			err = CLW(clEnqueueWriteBuffer, b->queue, m, CL_TRUE, 0, bytes, host, 0, NULL, NULL);
		if (m)
			clw_live_buffers++;
		if (m && err == CL_SUCCESS) {
			*out = m;
			if (host && !use_host)
				b->stats.bytes_uploaded += bytes;
			return CLX_OK;
		}
		if (m)
			cl_release_mem(m);
		if (!is_alloc_failure(err) || attempt == 1)
			break;
		evict_weights(b, -1);
	}
	return clx_fail(ctx, is_alloc_failure(err) ? CLX_ERR_NOMEM : CLX_ERR_DEVICE,
			"%s: cannot allocate %s: %s (%d); requested %.1f MiB, %.1f MiB already in use, "
			"device global memory %.1f MiB, max single allocation %.1f MiB",
			b->label, what, clw_error_name(err), err, mib(bytes),
			mib(device_bytes_used(b)), mib(b->dev.info.global_mem),
			mib(b->dev.info.max_alloc));
}

/* A cheap fingerprint of weight data: size and 64 sampled words. It tells
 * a different tensor at a reused host address from the cached one. */
static uint64_t fingerprint(const float *p, size_t bytes)
{
	uint64_t h = 0xcbf29ce484222325ull ^ bytes;
	const size_t n = bytes / sizeof(float);
	for (size_t i = 0; i < 64 && n > 0; i++) {
		uint32_t w;
		memcpy(&w, p + (n - 1) * i / 63, sizeof w);
		for (int k = 0; k < 4; k++) {
			h ^= (w >> (8 * k)) & 0xff;
			h *= 0x100000001b3ull;
		}
	}
	return h;
}

/* The packed f32 panels as IEEE half, round to nearest even (in place of
 * the f32 data, which is released). Weights an F16 file holds skip this:
 * half_from_file. */
static enum clx_status to_half(struct cl_backend *b, struct clx_ctx *ctx, const char *name,
			       struct cl_packed *p)
{
	const size_t n = p->bytes / sizeof(float);
	uint16_t *h = clx_malloc(n * sizeof *h + 1);
	if (!h) {
		cl_packed_release(p);
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory storing weight '%s' as f16",
				b->label, name);
	}
	for (size_t i = 0; i < n; i++)
		h[i] = clx_f32_to_f16(p->data[i]);
	cl_packed_release(p);
	p->owned = (float *)(void *)h;
	p->data = (const float *)(const void *)h;
	p->bytes = n * sizeof *h;
	return CLX_OK;
}

/* Weight w's data from host on as an F16 file holds it (its own half
 * values, never rounded from f32): packed for a GEMM, else as it is, in
 * the file's mapping. */
static enum clx_status half_from_file(struct cl_backend *b, struct clx_ctx *ctx,
				      const struct clx_tensor *w, const float *host, size_t bytes,
				      const struct cl_pack *pack, struct cl_packed *out)
{
	const uint16_t *src = w->host_half + (host - w->host);
	*out = (struct cl_packed){ .data = (const float *)(const void *)src, .bytes = bytes / 2 };
	if (!pack->nr)
		return CLX_OK;
	out->bytes = cl_pack_bytes(pack) / 2;
	uint16_t *h = clx_malloc(out->bytes + 1);
	if (!h)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory packing weight '%s' as f16",
				b->label, w->name);
	cl_pack_host_half(pack, src, h);
	out->owned = (float *)(void *)h;
	out->data = out->owned;
	return CLX_OK;
}

/* data (dev_bytes) as parts of whole units, each within max_alloc. */
static enum clx_status upload_parts(struct cl_backend *b, struct clx_ctx *ctx, const char *what,
				    const void *data, size_t dev_bytes, size_t unit, struct cl_split **out)
{
	*out = NULL;
	const size_t per = unit ? b->dev.info.max_alloc / unit * unit : 0;
	if (per == 0)
		return clx_fail(ctx, CLX_ERR_NOMEM,
				"%s: %s needs %.1f MiB in one buffer, over this device's max allocation of "
				"%.1f MiB, and cannot be split",
				b->label, what, mib(dev_bytes), mib(b->dev.info.max_alloc));
	const int n = (int)((dev_bytes + per - 1) / per);
	struct cl_split *s = clx_calloc(1, sizeof *s + (size_t)n * sizeof s->mem[0]);
	if (!s)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", b->label);
	s->part_bytes = per;
	s->unit = unit;
	enum clx_status st = CLX_OK;
	for (int j = 0; j < n && st == CLX_OK; j++, s->n++) {
		const size_t off = (size_t)j * per, len = dev_bytes - off < per ? dev_bytes - off : per;
		st = cl_alloc_buffer(b, ctx, what, len, CL_MEM_READ_ONLY,
				     data ? (const char *)data + off : NULL, &s->mem[j]);
	}
	if (st != CLX_OK) {
		for (int j = 0; j < s->n; j++)
			cl_release_mem(s->mem[j]);
		clx_free(s);
		return st;
	}
	*out = s;
	return CLX_OK;
}

enum clx_status cl_weight_resident(struct cl_backend *b, struct clx_ctx *ctx,
				   const struct clx_tensor *w, const float *host, size_t bytes,
				   const struct cl_pack *pack, size_t unit, cl_mem *out,
				   const struct cl_split **split)
{
	if (split)
		*split = NULL;
	/* data with a stable identity is not sampled: touching a mapped file's
	 * pages (and the kernel's fault-around) would make them resident */
	const uint64_t fp = w->host_key ? w->host_key ^ (uint64_t)(host - w->host) : fingerprint(host, bytes);
	const struct cl_pack raw = { 0 };
	if (!pack)
		pack = &raw;
	for (int i = 0; i < b->n_weights; i++) {
		struct cl_weight *r = &b->weights[i];
		if (r->host == host && r->bytes == bytes && r->fingerprint == fp &&
		    r->pack.nr == pack->nr && r->pack.w_kn == pack->w_kn && r->pack.N == pack->N &&
		    r->pack.K == pack->K && r->pack.half == pack->half) {
			r->used = true;
			*out = r->mem;
			if (split)
				*split = r->split;
			return CLX_OK;
		}
	}
	if (b->n_weights == b->cap_weights) {
		int cap = b->cap_weights ? 2 * b->cap_weights : 64;
		struct cl_weight *nw = clx_realloc(b->weights, (size_t)cap * sizeof *nw);
		if (!nw)
			return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", b->label);
		b->weights = nw;
		b->cap_weights = cap;
	}
	char what[CLX_MAX_NAME + 32];
	snprintf(what, sizeof what, "weight '%s'%s", w->name,
		 pack->half ? " (packed, f16)" : pack->nr ? " (packed)" : "");
	struct cl_packed packed = { 0 };
	const float *data = host;
	size_t dev_bytes = bytes;
	bool file_backed = w->host_mapped;
	enum clx_status st;
	if (pack->half && w->host_half) {
		if ((st = half_from_file(b, ctx, w, host, bytes, pack, &packed)) != CLX_OK)
			return st;
		data = packed.data;
		dev_bytes = packed.bytes;
		file_backed = !packed.owned; /* a table, in place in the mapping */
	} else if (pack->nr) {
		if ((st = cl_pack_get(b, ctx, w->name, pack, host, fp, w->host_key, &packed)) != CLX_OK)
			return st;
		data = packed.data;
		dev_bytes = packed.bytes;
		file_backed = packed.map != NULL;
		if (!packed.from_cache && w->host_mapped)
			clx_drop_mapped_pages(host, bytes); /* read once to pack; not needed again */
	} else if (pack->half) {
		/* a table as it is, as half */
		packed = (struct cl_packed){ .data = host, .bytes = bytes };
	}
	if (pack->half && !w->host_half) {
		if ((st = to_half(b, ctx, w->name, &packed)) != CLX_OK)
			return st;
		data = packed.data;
		dev_bytes = packed.bytes;
		file_backed = false;
	}
	/* in place where the device's memory is host memory and the data is a
	 * read-only file mapping that lives as long as the buffer, aligned as
	 * a buffer's base (kernels may use aligned vector loads: CLBlast's
	 * crashed on a weight at an odd offset of a safetensors file) */
	const size_t align = b->dev.info.base_align_bits >= 512 ? b->dev.info.base_align_bits / 8 : 64;
	const bool parts = split && dev_bytes > b->dev.info.max_alloc;
	const bool in_place = !parts && b->dev.info.host_unified && file_backed && (uintptr_t)data % align == 0;
	cl_mem m = NULL;
	struct cl_split *sp = NULL;
	if (parts) {
		st = upload_parts(b, ctx, what, data, dev_bytes, unit, &sp);
		m = sp ? sp->mem[0] : NULL;
	} else {
		st = cl_alloc_buffer(b, ctx, what, dev_bytes,
				     CL_MEM_READ_ONLY | (in_place ? CL_MEM_USE_HOST_PTR : 0), data, &m);
	}
	if (st != CLX_OK || !in_place) {
		cl_packed_release(&packed);
		if (st != CLX_OK)
			return st;
		/* The device has its copy (the write was blocking): on a CPU
		 * device it lives in host memory, so keeping the file's pages
		 * too would double the resident weights. */
		if (!pack->nr && w->host_mapped)
			clx_drop_mapped_pages(host, bytes);
	}
	b->weights[b->n_weights] =
		(struct cl_weight){ host, bytes, fp, *pack, m, sp, dev_bytes, packed, true, 0,
				    pack->half && w->host_half };
	*out = m;
	if (split)
		*split = sp;
	b->n_weights++;
	b->stats.weight_bytes += dev_bytes;
	b->stats.weight_uploads += !in_place;
	return CLX_OK;
}

void cl_buffers_release_graph(struct cl_backend *b)
{
	for (int j = 0; j < b->n_arena_parts; j++)
		cl_release_mem(b->arena_parts[j]);
	clx_free(b->arena_parts);
	b->arena_parts = NULL;
	b->n_arena_parts = 0;
	b->arena_chunk = 0;
	b->arena = NULL;
	b->arena_bytes = 0;
	b->stats.arena_bytes = 0;
	b->stats.arena_buffers = 0;
	clx_free(b->weight_split);
	b->weight_split = NULL;
	for (int i = 0; b->input_split && i < b->n_inputs_cap; i++)
		release_split(b->input_split[i]);
	clx_free(b->input_split);
	b->input_split = NULL;
	clx_free(b->win_tensors);
	b->win_tensors = NULL;
	b->stats.split_activations = 0;
	if (b->inputs)
		for (int i = 0; i < b->n_inputs_cap; i++)
			if (b->inputs[i])
				cl_release_mem(b->inputs[i]);
	clx_free(b->inputs);
	b->inputs = NULL;
	b->n_inputs_cap = 0;
	b->stats.input_bytes = 0;
	clx_free(b->weight_mem);
	clx_free(b->weight_half);
	b->weight_mem = NULL;
	b->weight_half = NULL;
	clx_free(b->node_kernel);
	b->node_kernel = NULL;
	clx_free(b->attention_rows);
	b->attention_rows = NULL;
	cl_gemm_release_graph(b);
}

int cl_part_root(const struct clx_graph *g, int t)
{
	const struct clx_tensor *x = &g->tensors[t];
	if (x->kind != CLX_TENSOR_VIEW)
		return x->kind == CLX_TENSOR_ACT || x->kind == CLX_TENSOR_INPUT ? t : -1;
	const int r = clx_graph_root(g, t);
	const struct clx_tensor *y = &g->tensors[r];
	return x->view_offs == 0 && clx_tensor_nbytes(x) == clx_tensor_nbytes(y) && x->n_dims &&
			       y->n_dims && x->ne[0] == y->ne[0] && y->kind != CLX_TENSOR_WEIGHT
		       ? r
		       : -1;
}

int64_t cl_part_units(const struct cl_backend *b, const struct clx_graph *g, int t)
{
	if (g->tensors[t].kind == CLX_TENSOR_VIEW) /* a reshape: its root's parts */
		return cl_part_root(g, t) >= 0 ? cl_part_units(b, g, cl_part_root(g, t)) : 0;
	const struct clx_tensor *x = &g->tensors[t];
	if (x->kind == CLX_TENSOR_INPUT)
		return b->input_split && b->input_split[t]
			       ? (int64_t)(b->input_split[t]->part_bytes / b->input_split[t]->unit)
			       : 0;
	return x->kind == CLX_TENSOR_ACT ? clx_sched_part_units(x, b->dev.info.max_alloc) : 0;
}

struct cl_addr cl_unit_addr(const struct cl_backend *b, const struct clx_graph *g, int t, int64_t u)
{
	const struct clx_tensor *x = &g->tensors[t];
	const size_t unit = clx_tensor_nbytes(x) / (size_t)(x->ne[0] ? x->ne[0] : 1);
	const int64_t per = cl_part_units(b, g, t);
	if (!per) {
		struct cl_addr a = cl_addr_of(b, g, t);
		a.offs += (size_t)u * unit;
		return a;
	}
	const size_t part = (size_t)(u / per), in = (size_t)(u % per) * unit;
	const int r = cl_part_root(g, t); /* t, or the root a reshape views */
	if (g->tensors[r].kind == CLX_TENSOR_INPUT)
		return (struct cl_addr){ b->input_split[r]->mem[part], in };
	return (struct cl_addr){ b->arena_parts[g->tensors[r].offs / b->arena_chunk + part], in };
}

struct cl_addr cl_addr_of(const struct cl_backend *b, const struct clx_graph *g, int t)
{
	for (int i = 0; i < b->n_win; i++) /* a node running in windows (cl_ops.c) */
		if (b->win_ids[i] == t)
			return b->win_addr[i];
	const struct clx_tensor *x = &g->tensors[t];
	struct cl_addr a = { NULL, 0 };
	switch (x->kind) {
	case CLX_TENSOR_WEIGHT: a.mem = b->weight_mem[t]; break;
	case CLX_TENSOR_INPUT: a.mem = b->inputs[t]; break;
	case CLX_TENSOR_ACT:
		if (b->n_arena_parts > 1) /* each tensor lies inside one part (the plan's chunk) */
			a.mem = b->arena_parts[x->offs / b->arena_chunk], a.offs = x->offs % b->arena_chunk;
		else
			a.mem = b->arena, a.offs = x->offs;
		break;
	case CLX_TENSOR_VIEW:
		a = cl_addr_of(b, g, x->view_src);
		a.offs += x->view_offs;
		break;
	}
	return a;
}

/* ------------------------------------------------------------ transfers */

enum clx_status cl_copy_tensor(struct cl_backend *b, struct clx_ctx *ctx, const struct clx_graph *g,
				   int t, void *data, bool to_device)
{
	enum clx_status st = cl_check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	const struct clx_tensor *x = &g->tensors[t];
	const size_t bytes = clx_tensor_nbytes(x);
	struct cl_addr a = cl_addr_of(b, g, t);
	if (!a.mem || bytes == 0)
		return bytes == 0 ? CLX_OK
				  : clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: tensor '%s' has no device buffer",
					     b->label, x->name);
	/* one transfer per part of a tensor held in parts */
	const int64_t per = cl_part_units(b, g, t), n = per ? x->ne[0] : 1;
	const size_t unit = per ? bytes / (size_t)x->ne[0] : bytes;
	for (int64_t u = 0; u < n; u += per ? per : 1) {
		const struct cl_addr p = per ? cl_unit_addr(b, g, t, u) : a;
		const size_t len = per ? (size_t)(n - u < per ? n - u : per) * unit : bytes;
		char *h = (char *)data + (size_t)u * unit;
		cl_int err = to_device ? CLW(clEnqueueWriteBuffer, b->queue, p.mem, CL_TRUE, p.offs, len,
					     h, 0, NULL, NULL)
				       : CLW(clEnqueueReadBuffer, b->queue, p.mem, CL_TRUE, p.offs, len, h,
					     0, NULL, NULL);
		if (err != CL_SUCCESS)
			return cl_poison(b, ctx, to_device ? "clEnqueueWriteBuffer" : "clEnqueueReadBuffer",
					 err);
	}
	if (to_device)
		b->stats.bytes_uploaded += bytes;
	else
		b->stats.bytes_downloaded += bytes;
	return CLX_OK;
}


/* -------------------------------------------------------------- prepare */

static enum clx_status alloc_arena(struct cl_backend *b, struct clx_ctx *ctx,
				   const struct clx_graph *g, size_t arena_bytes)
{
	const size_t chunk = clx_sched_chunk(b->dev.info.max_alloc);
	const int n = arena_bytes > b->dev.info.max_alloc ? (int)((arena_bytes + chunk - 1) / chunk) : 1;
	for (int t = 0; t < g->n_tensors && n > 1; t++) {
		const struct clx_tensor *x = &g->tensors[t];
		const size_t nb = clx_tensor_nbytes(x);
		if (x->kind == CLX_TENSOR_ACT && nb && x->offs / chunk != (x->offs + nb - 1) / chunk &&
		    (!clx_sched_part_units(x, chunk) || x->offs % chunk))
			return clx_fail(ctx, CLX_ERR_INVALID_ARG,
					"%s: activation '%s' crosses a %zu-byte buffer boundary; plan the graph "
					"for this device (clx_sched_plan_chunked)",
					b->label, x->name, chunk);
	}
	b->arena_parts = clx_calloc((size_t)n, sizeof *b->arena_parts);
	if (!b->arena_parts)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", b->label);
	for (int j = 0; j < n; j++, b->n_arena_parts++) {
		const size_t len = n == 1 ? arena_bytes : (arena_bytes - (size_t)j * chunk < chunk
								    ? arena_bytes - (size_t)j * chunk
								    : chunk);
		enum clx_status st = cl_alloc_buffer(b, ctx, "the activation arena", len, CL_MEM_READ_WRITE,
						     NULL, &b->arena_parts[j]);
		if (st != CLX_OK)
			return st;
	}
	b->arena = b->arena_parts[0];
	b->arena_chunk = chunk;
	b->arena_bytes = n == 1 ? arena_bytes : chunk; /* of part 0 (the test hooks') */
	b->stats.arena_bytes = arena_bytes;
	b->stats.arena_buffers = n;
	return CLX_OK;
}

/* Weight t is read only as the table of gather nodes (an embedding). */
static bool only_gathered(const struct clx_graph *g, int t)
{
	bool any = false;
	for (int i = 0; i < g->n_nodes; i++) {
		const struct clx_node *nd = &g->nodes[i];
		for (int s = 0; s < nd->n_src; s++) {
			if (clx_graph_root(g, nd->src[s]) != t)
				continue;
			if (nd->op != CLX_OP_GATHER || s != 0)
				return false;
			any = true;
		}
	}
	return any;
}

enum clx_status cl_buffers_prepare(struct cl_backend *b, struct clx_ctx *ctx,
				   const struct clx_graph *g, size_t arena_bytes)
{
	enum clx_status st = cl_check_alive(b, ctx);
	if (st != CLX_OK)
		return st;
	cl_buffers_release_graph(b);
	for (int i = 0; i < b->n_weights; i++)
		b->weights[i].used = false;

	/* shapes the kernels can index: uint element counts, f32/i32, 4-byte offsets */
	for (int t = 0; t < g->n_tensors; t++) {
		const struct clx_tensor *x = &g->tensors[t];
		if (clx_tensor_nelems(x) >= (int64_t)UINT32_MAX)
			return clx_fail(ctx, CLX_ERR_UNSUPPORTED,
					"%s: tensor '%s' has %lld elements; kernels index up to 2^32 - 1",
					b->label, x->name, (long long)clx_tensor_nelems(x));
		if (x->dtype != CLX_DTYPE_F32 && x->dtype != CLX_DTYPE_I32)
			return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s: tensor '%s' has dtype %s",
					b->label, x->name, clx_dtype_name(x->dtype));
		if ((x->kind == CLX_TENSOR_ACT && x->offs % 4) ||
		    (x->kind == CLX_TENSOR_VIEW && x->view_offs % 4))
			return clx_fail(ctx, CLX_ERR_INVALID_ARG, "%s: tensor '%s' is not 4-byte aligned",
					b->label, x->name);
	}

	b->inputs = clx_calloc((size_t)g->n_tensors + 1, sizeof *b->inputs);
	b->weight_mem = clx_calloc((size_t)g->n_tensors + 1, sizeof *b->weight_mem);
	b->weight_half = clx_calloc((size_t)g->n_tensors + 1, sizeof *b->weight_half);
	b->weight_split = clx_calloc((size_t)g->n_tensors + 1, sizeof *b->weight_split);
	b->node_kernel = clx_malloc((size_t)g->n_nodes + 1);
	if (!b->inputs || !b->weight_mem || !b->weight_half || !b->weight_split || !b->node_kernel) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory preparing the graph", b->label);
		goto fail;
	}
	b->n_inputs_cap = g->n_tensors;
	memset(b->node_kernel, -1, (size_t)g->n_nodes + 1);

	/* weights: resident, uploaded once; those only a packed GEMM reads are
	 * uploaded packed instead (cl_gemm_prepare) */
	if ((st = cl_choose(b, ctx, g)) != CLX_OK)
		goto fail;
	for (int t = 0; t < g->n_tensors; t++) {
		const struct clx_tensor *w = &g->tensors[t];
		if (w->kind != CLX_TENSOR_WEIGHT || !cl_gemm_needs_raw(b, g, t))
			continue;
		const struct cl_pack half = { .half = true };
		const bool table = only_gathered(g, t);
		b->weight_half[t] = b->dev.info.weights_f16 && table;
		/* a table over max_alloc is held in parts of whole rows */
		const size_t row = (size_t)(w->n_dims ? w->ne[w->n_dims - 1] : 1) * (b->weight_half[t] ? 2 : 4);
		if ((st = cl_weight_resident(b, ctx, w, w->host, clx_tensor_nbytes(w),
					     b->weight_half[t] ? &half : NULL, row, &b->weight_mem[t],
					     table ? &b->weight_split[t] : NULL)) != CLX_OK)
			goto fail;
	}
	/* inputs */
	for (int t = 0; t < g->n_tensors; t++) {
		const struct clx_tensor *x = &g->tensors[t];
		if (x->kind != CLX_TENSOR_INPUT)
			continue;
		char what[CLX_MAX_NAME + 16];
		snprintf(what, sizeof what, "input '%s'", x->name);
		const size_t nb = clx_tensor_nbytes(x);
		const int64_t per = clx_sched_part_units(x, b->dev.info.max_alloc);
		if (per) {
			/* over max_alloc: parts of whole outer slices (cl_unit_addr) */
			if (!b->input_split &&
			    !(b->input_split = clx_calloc((size_t)g->n_tensors + 1, sizeof *b->input_split))) {
				st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", b->label);
				goto fail;
			}
			if ((st = upload_parts(b, ctx, what, NULL, nb, nb / (size_t)x->ne[0],
					       &b->input_split[t])) != CLX_OK)
				goto fail;
			b->inputs[t] = b->input_split[t]->mem[0];
			b->stats.split_activations++;
		} else if ((st = cl_alloc_buffer(b, ctx, what, nb, CL_MEM_READ_ONLY, NULL,
					       &b->inputs[t])) != CLX_OK) {
			goto fail;
		}
		b->stats.input_bytes += nb;
	}
	/* the activation arena, tensors at the planner's offsets: one buffer,
	 * or buffers of the largest size the device allows, which the plan
	 * keeps every tensor inside (clx_sched_plan_chunked) */
	if ((st = alloc_arena(b, ctx, g, arena_bytes)) != CLX_OK)
		goto fail;
	for (int t = 0; t < g->n_tensors; t++)
		b->stats.split_activations += cl_part_units(b, g, t) > 0 && g->tensors[t].kind == CLX_TENSOR_ACT;
	/* nodes over a tensor held in parts run in windows, on a copy of the
	 * tensors whose outer sizes are the window's (cl_ops.c) */
	if (b->stats.split_activations &&
	    !(b->win_tensors = clx_malloc((size_t)g->n_tensors * sizeof *g->tensors + 1))) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", b->label);
		goto fail;
	}
	if (b->win_tensors)
		memcpy(b->win_tensors, g->tensors, (size_t)g->n_tensors * sizeof *g->tensors);

	/* GEMMs: packed weights, variant programs, temp and scratch buffers */
	if ((st = cl_gemm_prepare(b, ctx, g)) != CLX_OK)
		goto fail;
	for (int i = 0; i < b->n_weights; i++)
		b->weights[i].idle = b->weights[i].used ? 0 : b->weights[i].idle + 1;
	evict_weights(b, CL_WEIGHT_MAX_IDLE);
	b->stats.n_weights = b->n_weights;
	b->stats.half_weights = b->stats.half_from_file = b->stats.split_weights = 0;
	for (int i = 0; i < b->n_weights; i++) {
		b->stats.half_weights += b->weights[i].pack.half;
		b->stats.half_from_file += b->weights[i].half_from_file;
		b->stats.split_weights += b->weights[i].split != NULL;
	}
	return CLX_OK;
fail:
	cl_buffers_release_graph(b);
	return st;
}

void cl_buffers_free(struct cl_backend *b)
{
	cl_buffers_release_graph(b);
	for (int i = 0; i < b->n_weights; i++) {
		cl_release_mem(b->weights[i].mem);
		release_split(b->weights[i].split);
		cl_packed_release(&b->weights[i].host_packed);
	}
	b->stats.split_weights = 0;
	clx_free(b->weights);
	b->weights = NULL;
	b->n_weights = b->cap_weights = 0;
	b->stats.weight_bytes = 0;
}
