/* test_tune.c — the tuner and the tuning file (clx/tune.h, docs/TUNING.md).
 *
 *   test_tune DEVICE_SPEC SCRATCH_DIR
 *
 * On a graph of one matmul (M 50, N 77, K 33: no tile divides them; bias
 * and quick_gelu fused) and one masked attention, on DEVICE_SPEC:
 *   - the tuner times the candidates, admits only those within 1e-7 of the
 *     CPU reference, writes the file, and the backend then runs the choice
 *     (clx_backend_node_impl says so), also after reopening;
 *   - a candidate broken on purpose (CLX_CL_TEST_PREFIX redefines fma() in
 *     the MR = 4 GEMM programs) is not admitted, and the reason is "nmse";
 *   - the tuner refuses the CPU reference (nothing to choose);
 *   - a truncated, garbage, empty, foreign-device, other-version or
 *     wrong-schema file, and entries that are unusable or claim more than
 *     the tolerance, each give exactly one warning, run the defaults for
 *     what they cover, and never change a result beyond the tolerance. */
#include "check.h"
#include "test_backend.h"
#include "test_files.h"

#include "clx/check.h"
#include "clx/graph.h"
#include "clx/session.h"
#include "clx/tune.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NE(...) ((const int64_t[]){ __VA_ARGS__ })

static struct clx_ctx *ctx;
static const char *spec;
static char tune_path[600];

/* ------------------------------------------------------------ warnings */

static int n_warnings;
static char last_warning[1024];

static void on_warning(void *user, const char *msg)
{
	(void)user;
	n_warnings++;
	snprintf(last_warning, sizeof last_warning, "%s", msg);
	printf("  warning: %s\n", msg);
}

/* -------------------------------------------------------------- the graph */

enum { M = 50, N = 77, K = 33, NB = 2, S = 7, H = 2, DH = 64 };

static float w[N * K], bias[N];
static float x[M * K], q[NB * S * H * DH], k[NB * S * H * DH], v[NB * S * H * DH];
static int32_t mask[NB * S];

static void fill(float *p, int n, uint32_t seed)
{
	for (int i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (float)(seed >> 8) / (float)(1u << 24) * 2.0f - 1.0f;
	}
}

struct g2 {
	struct clx_graph *g;
	int x, q, k, v, mask, y, att;
	int mm_node, att_node;
};

static struct g2 build(void)
{
	struct g2 b;
	struct clx_graph *g = b.g = clx_graph_create();
	b.x = clx_graph_input(g, "x", CLX_DTYPE_F32, 2, NE(M, K));
	const int wt = clx_graph_weight(g, "fc.weight", 2, NE(N, K), w);
	const int bt = clx_graph_weight(g, "fc.bias", 1, NE(N), bias);
	b.y = clx_graph_matmul(g, "fc", b.x, wt, bt, -1, CLX_MATMUL_BIAS | CLX_MATMUL_GELU, false,
			       false, 2, NE(M, N));
	b.q = clx_graph_input(g, "q", CLX_DTYPE_F32, 3, NE(NB, S, H * DH));
	b.k = clx_graph_input(g, "k", CLX_DTYPE_F32, 3, NE(NB, S, H * DH));
	b.v = clx_graph_input(g, "v", CLX_DTYPE_F32, 3, NE(NB, S, H * DH));
	b.mask = clx_graph_input(g, "mask", CLX_DTYPE_I32, 2, NE(NB, S));
	const int32_t ia[4] = { H, 0, 0, 0 };
	const float fa[2] = { 0.125f, 0 };
	b.att = clx_graph_node(g, "attn", CLX_OP_ATTENTION, 4, (const int[]){ b.q, b.k, b.v, b.mask }, 3,
			       NE(NB, S, H * DH), ia, fa);
	g->tensors[b.y].is_output = g->tensors[b.att].is_output = true;
	b.mm_node = g->tensors[b.y].producer;
	b.att_node = g->tensors[b.att].producer;
	CHECK(!g->oom && b.y >= 0 && b.att >= 0, "graph builds");
	return b;
}

/* The outputs of a run on be: y (M·N) then att (NB·S·H·DH); impl of both. */
struct outcome {
	float y[M * N], att[NB * S * H * DH];
	char mm_impl[160], att_impl[160];
};

static bool run(struct clx_backend *be, struct outcome *o)
{
	struct g2 b = build();
	struct clx_session *s = NULL;
	enum clx_status st = clx_session_create(ctx, b.g, be, CLX_SESSION_NO_FUSE, &s);
	if (st == CLX_OK)
		st = clx_session_set_input(ctx, s, b.x, x);
	if (st == CLX_OK)
		st = clx_session_set_input(ctx, s, b.q, q);
	if (st == CLX_OK)
		st = clx_session_set_input(ctx, s, b.k, k);
	if (st == CLX_OK)
		st = clx_session_set_input(ctx, s, b.v, v);
	if (st == CLX_OK)
		st = clx_session_set_input(ctx, s, b.mask, mask);
	if (st == CLX_OK)
		st = clx_session_run(ctx, s, NULL, NULL);
	if (st == CLX_OK)
		st = clx_session_read(ctx, s, b.y, o->y);
	if (st == CLX_OK)
		st = clx_session_read(ctx, s, b.att, o->att);
	if (st == CLX_OK) {
		const struct clx_graph *g = clx_session_graph(s);
		clx_backend_node_impl(be, g, b.mm_node, o->mm_impl, sizeof o->mm_impl);
		clx_backend_node_impl(be, g, b.att_node, o->att_impl, sizeof o->att_impl);
	}
	CHECK(st == CLX_OK, "run on %s: %s", clx_backend_name(be), clx_last_error(ctx));
	clx_session_free(s);
	return st == CLX_OK;
}

/* node_impl's wording for a tuned implementation name. */
static void describe(const char *impl, char *buf, size_t cap)
{
	int mr, nr, vw, lm;
	if (strcmp(impl, "clblast") == 0)
		snprintf(buf, cap, "CLBlast");
	else if (sscanf(impl, "own:%dx%dx%d:%d", &mr, &nr, &vw, &lm) == 4)
		snprintf(buf, cap, "own %dx%d float%d lm%d", mr, nr, vw, lm);
	else if (strcmp(impl, "rows") == 0)
		snprintf(buf, cap, "attention_rows");
	else
		snprintf(buf, cap, "attention");
}

static bool ran_as(const char *got, const char *impl)
{
	char want[160];
	describe(impl, want, sizeof want);
	const bool exact = strncmp(want, "attention", 9) == 0;
	return exact ? strcmp(got, want) == 0 : strncmp(got, want, strlen(want)) == 0;
}

static struct outcome ref; /* the CPU reference */

static void check_results(const struct outcome *o, const char *what)
{
	const struct clx_diff dy = clx_diff_f32(o->y, ref.y, M * N, 0);
	const struct clx_diff da = clx_diff_f32(o->att, ref.att, NB * S * H * DH, 0);
	CHECK(clx_check_nmse(&dy, CLX_TUNE_NMSE) && clx_check_nmse(&da, CLX_TUNE_NMSE),
	      "%s: results within 1e-7 of the reference (matmul %.2e, attention %.2e)", what, dy.nmse,
	      da.nmse);
}

/* ----------------------------------------------------------------- cases */

struct choice {
	char mm[CLX_TUNE_IMPL_MAX], att[CLX_TUNE_IMPL_MAX];
	char mm_default[CLX_TUNE_IMPL_MAX], att_default[CLX_TUNE_IMPL_MAX];
};

static struct clx_backend *open_be(void)
{
	struct clx_backend *be = test_open_backend(ctx, spec);
	return be;
}

/* Tunes the graph with candidates `only`; the report's choices. */
static bool tune(const char *const *only, int n_only, struct clx_tune_report *r)
{
	struct clx_backend *be = open_be();
	if (!be)
		return false;
	struct g2 b = build();
	const struct clx_tune_opts o = { 0, 2, NULL, NULL, only, n_only };
	const enum clx_status st = clx_tune_run(ctx, be, b.g, &o, r);
	CHECK(st == CLX_OK, "clx_tune_run: %s", clx_last_error(ctx));
	clx_graph_free(b.g);
	clx_backend_free(be);
	return st == CLX_OK;
}

static const struct clx_tune_choice *choice_of(const struct clx_tune_report *r, const char *op)
{
	for (int i = 0; i < r->n_choices; i++)
		if (strncmp(r->choices[i].key, op, strlen(op)) == 0)
			return &r->choices[i];
	return NULL;
}

/* A fresh backend reading the file as it is now: the outcome, and the
 * warnings it gave. */
static bool reopen_run(struct outcome *o, const char *what)
{
	n_warnings = 0;
	last_warning[0] = '\0';
	struct clx_backend *be = open_be();
	bool ok = be && run(be, o);
	clx_backend_free(be);
	if (ok)
		check_results(o, what);
	return ok;
}

static char *good_file;

/* Writes text to the tuning file, reopens, and checks one warning holding
 * `needle`, and which implementations ran. */
static void bad_file(const char *what, const char *text, size_t len, const char *needle,
		     const char *mm_impl, const char *att_impl)
{
	printf("case: %s\n", what);
	test_write_file(tune_path, text, len);
	struct outcome o;
	if (!reopen_run(&o, what))
		return;
	CHECK(n_warnings == 1 && strstr(last_warning, needle),
	      "%s: one warning mentioning '%s' (got %d: %s)", what, needle, n_warnings, last_warning);
	CHECK(ran_as(o.mm_impl, mm_impl), "%s: the matmul ran %s (%s)", what, mm_impl, o.mm_impl);
	CHECK(ran_as(o.att_impl, att_impl), "%s: attention ran %s (%s)", what, att_impl, o.att_impl);
}

/* good_file with the first `from` after `after` replaced by `to`. */
static char *edited(const char *after, const char *from, const char *to)
{
	const char *a = strstr(good_file, after);
	const char *p = a ? strstr(a, from) : NULL;
	CHECK(p != NULL, "'%s' after '%s' in the tuning file", from, after);
	if (!p)
		return NULL;
	const size_t head = (size_t)(p - good_file), n = strlen(good_file) + strlen(to) + 1;
	char *s = malloc(n);
	memcpy(s, good_file, head);
	snprintf(s + head, n - head, "%s%s", to, p + strlen(from));
	return s;
}

static void edited_case(const char *what, const char *after, const char *from, const char *to,
			const char *needle, const char *mm, const char *att)
{
	char *s = edited(after, from, to);
	if (s)
		bad_file(what, s, strlen(s), needle, mm, att);
	free(s);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s DEVICE_SPEC SCRATCH_DIR\n", argv[0]);
		return 2;
	}
	spec = argv[1];
	const char *dir = argv[2];
	mkdir(dir, 0755);
	snprintf(tune_path, sizeof tune_path, "%s/tune.json", dir);
	remove(tune_path);
	setenv("CLX_TUNE_FILE", tune_path, 1);
	unsetenv("CLX_GEMM");
	unsetenv("CLX_ROW_KERNELS");
	ctx = clx_ctx_create();
	clx_ctx_set_warning_handler(ctx, on_warning, NULL);
	fill(w, N * K, 1), fill(bias, N, 2), fill(x, M * K, 3);
	fill(q, NB * S * H * DH, 4), fill(k, NB * S * H * DH, 5), fill(v, NB * S * H * DH, 6);
	for (int i = 0; i < NB * S; i++)
		mask[i] = i % S < S - 1 - i / S; /* row r hides its last r + 1 keys */

	struct clx_backend *cpu = test_open_backend(ctx, "cpu");
	if (!cpu || !run(cpu, &ref))
		return check_summary();
	clx_backend_free(cpu);

	/* the candidates: CLBlast, and two own tiles of MR 4 and another MR
	 * that are not the default (the lists differ by device) */
	static char own4[CLX_TUNE_IMPL_MAX], other[CLX_TUNE_IMPL_MAX];
	{
		struct clx_backend *be = open_be();
		struct g2 b = build();
		char cands[64][CLX_TUNE_IMPL_MAX];
		const int n = be ? clx_tune_candidates(be, b.g, b.mm_node, cands, 64) : 0;
		printf("%d matmul candidates, default %s\n", n, n ? cands[0] : "-");
		for (int i = 1; i < n; i++) {
			if (!own4[0] && strncmp(cands[i], "own:4x", 6) == 0)
				snprintf(own4, sizeof own4, "%s", cands[i]);
			if (!other[0] && strncmp(cands[i], "own:", 4) == 0 && strncmp(cands[i], "own:4x", 6) &&
			    strncmp(cands[i], cands[0], 6))
				snprintf(other, sizeof other, "%s", cands[i]);
		}
		CHECK(n >= 4 && strcmp(cands[0], "clblast") != 0 && own4[0] && other[0],
		      "own and CLBlast candidates listed (%d: %s, %s)", n, own4, other);
		clx_graph_free(b.g);
		clx_backend_free(be);
	}
	printf("case: tune (clblast, %s, %s, rows, groups)\n", own4, other);
	const char *const only[] = { "clblast", own4, other, "rows", "groups" };
	struct clx_tune_report r;
	if (!tune(only, 5, &r))
		return check_summary();
	const struct clx_tune_choice *cm = choice_of(&r, "matmul"), *ca = choice_of(&r, "attention");
	CHECK(r.n_shapes == 2 && r.n_choices == 2 && cm && ca,
	      "two shapes tuned (%d of %d)", r.n_choices, r.n_shapes);
	if (!cm || !ca)
		return check_summary();
	printf("matmul: %s -> %s (%d of %d admitted); attention: %s -> %s\n", cm->default_impl,
	       cm->impl, cm->n_admitted, cm->n_candidates, ca->default_impl, ca->impl);
	CHECK(cm->n_candidates == 4, "the default and the three listed GEMMs were tried (%d)",
	      cm->n_candidates);
	CHECK(cm->nmse <= CLX_TUNE_NMSE && ca->nmse <= CLX_TUNE_NMSE, "admitted within 1e-7");
	CHECK(cm->time_s > 0 && cm->time_s <= cm->default_time_s && ca->time_s <= ca->default_time_s,
	      "the choice is the fastest admitted, the default included");
	struct choice c;
	snprintf(c.mm, sizeof c.mm, "%s", cm->impl);
	snprintf(c.att, sizeof c.att, "%s", ca->impl);
	snprintf(c.mm_default, sizeof c.mm_default, "%s", cm->default_impl);
	snprintf(c.att_default, sizeof c.att_default, "%s", ca->default_impl);
	clx_tune_report_release(&r);
	good_file = test_read_file(tune_path, NULL);
	CHECK(good_file && strstr(good_file, "\"schema\"") && strstr(good_file, c.mm),
	      "the tuning file holds the choice");
	if (!good_file)
		return check_summary();

	struct outcome o;
	if (reopen_run(&o, "tuned")) {
		CHECK(n_warnings == 0, "a good file gives no warning (%s)", last_warning);
		CHECK(ran_as(o.mm_impl, c.mm), "the matmul runs the tuned %s (%s)", c.mm, o.mm_impl);
		CHECK(ran_as(o.att_impl, c.att), "attention runs the tuned %s (%s)", c.att, o.att_impl);
	}

	/* 2. bad files: one warning each, the defaults, the same results */
	const size_t len = strlen(good_file);
	bad_file("truncated", good_file, len / 2, "ignored", c.mm_default, c.att_default);
	bad_file("garbage", "\x89PNG\r\n\x1a\n\x01\x02garbage", 14, "ignored", c.mm_default,
		 c.att_default);
	bad_file("empty", "", 0, "ignored", c.mm_default, c.att_default);
	bad_file("not an object", "[1, 2, 3]", 9, "schema", c.mm_default, c.att_default);
	edited_case("wrong schema", "", "clx-tune/1", "clx-tune/99", "schema", c.mm_default,
		    c.att_default);
	edited_case("another device", "\"device\"", ":", ":\t\"Some Other GPU\", \"was\":",
		    "device", c.mm_default, c.att_default);
	edited_case("another clx version", "\"clx_version\"", ":", ":\t\"0.0.1\", \"was\":",
		    "clx_version", c.mm_default, c.att_default);
	edited_case("another driver", "\"driver_version\"", ":", ":\t\"999.0\", \"was\":",
		    "driver_version", c.mm_default, c.att_default);
	/* entries: the rest of the file still applies */
	char impl_field[80];
	snprintf(impl_field, sizeof impl_field, "\"%s\"", c.mm);
	edited_case("unusable matmul entry", "\"matmul", impl_field, "\"own:99x1x3:1\"", "own:99x1x3:1",
		    c.mm_default, c.att);
	edited_case("matmul entry over the tolerance", "\"matmul", "\"nmse\":", "\"nmse\": 0.5, \"x\":",
		    "tolerance", c.mm_default, c.att);
	edited_case("attention entry of a matmul", "\"attention", "\"impl\":",
		    "\"impl\": \"clblast\", \"x\":", "clblast", c.mm, c.att_default);
	free(good_file);

	/* 3. a candidate that is wrong is not admitted */
	printf("case: a broken candidate\n");
	remove(tune_path);
	setenv("CLX_CL_TEST_PREFIX",
	       "#if defined(CLX_GEMM_MR) && CLX_GEMM_MR == 4\n"
	       "#define fma(a, b, c) ((a) * (b) + (c) + 0.01f)\n"
	       "#endif\n",
	       1);
	const char *const broken[] = { "clblast", own4 };
	if (tune(broken, 2, &r)) {
		cm = choice_of(&r, "matmul");
		char want[80];
		snprintf(want, sizeof want, "%s: nmse", own4);
		CHECK(cm && strstr(cm->rejected, want), "%s rejected for its error (%s)", own4,
		      cm ? cm->rejected : "no matmul");
		CHECK(cm && strncmp(cm->impl, "own:4x", 6) != 0, "the choice is a correct one (%s)",
		      cm ? cm->impl : "-");
		clx_tune_report_release(&r);
	}
	unsetenv("CLX_CL_TEST_PREFIX");

	/* 4. a tuner on the CPU reference has nothing to choose */
	cpu = test_open_backend(ctx, "cpu");
	struct g2 b = build();
	const struct clx_tune_opts none = { 0 };
	CHECK(cpu && clx_tune_run(ctx, cpu, b.g, &none, &r) == CLX_ERR_UNSUPPORTED,
	      "tuning the CPU reference is refused: %s", clx_last_error(ctx));
	clx_graph_free(b.g);
	clx_backend_free(cpu);

	remove(tune_path);
	clx_ctx_free(ctx);
	return check_summary();
}
