/* compare.h — numeric comparison rules shared by the golden and backend
 * tests (docs/NUMERICS.md): max abs diff, NMSE = Σ(a−b)²/Σb², the
 * minimum row cosine, and the first mismatching index. NaN anywhere fails. */
#ifndef CLX_TEST_COMPARE_H
#define CLX_TEST_COMPARE_H

#include <math.h>
#include <stdint.h>

struct cmp {
	double max_abs;     /* max |a − b| */
	double nmse;        /* Σ(a−b)² / Σb² (Σ(a−b)² when b is all zero) */
	double min_cos;     /* min over rows of cos(a_row, b_row) */
	int64_t worst;      /* index of the max abs diff */
	int64_t n_nan;      /* NaN or Inf in a */
};

static inline struct cmp compare_f32(const float *a, const float *b, int64_t n, int64_t row)
{
	struct cmp c = { 0, 0, 1.0, 0, 0 };
	double se = 0, sb = 0;
	for (int64_t i = 0; i < n; i++) {
		if (!isfinite(a[i]) || !isfinite(b[i])) {
			c.n_nan++;
			continue;
		}
		double d = fabs((double)a[i] - b[i]);
		if (d > c.max_abs) {
			c.max_abs = d;
			c.worst = i;
		}
		se += d * d;
		sb += (double)b[i] * b[i];
	}
	c.nmse = sb > 0 ? se / sb : se;
	if (row > 0)
		for (int64_t r = 0; r + row <= n; r += row) {
			double ab = 0, aa = 0, bb = 0;
			for (int64_t i = r; i < r + row; i++) {
				ab += (double)a[i] * b[i];
				aa += (double)a[i] * a[i];
				bb += (double)b[i] * b[i];
			}
			double cs = (aa > 0 && bb > 0) ? ab / sqrt(aa * bb) : (aa == bb ? 1.0 : 0.0);
			if (cs < c.min_cos)
				c.min_cos = cs;
		}
	if (c.n_nan)
		c.nmse = c.max_abs = INFINITY, c.min_cos = -1;
	return c;
}

#endif
