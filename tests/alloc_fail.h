/* alloc_fail.h — fail the Nth allocation made through clx_malloc.
 *
 * alloc_fail_arm(n): the nth allocation from now returns NULL (n ≥ 1);
 * alloc_fail_arm(0) disarms. alloc_fail_hit() tells whether it fired, so a
 * loop "for n = 1.. until the call succeeds without the failure firing"
 * covers every allocation of a loader (SQLite's fault-injection style). */
#ifndef CLX_TEST_ALLOC_FAIL_H
#define CLX_TEST_ALLOC_FAIL_H

#include <stdlib.h>
#include "clx/clx.h"

static long alloc_fail_countdown;
static int alloc_fail_fired;

static void *alloc_fail_malloc(size_t n)
{
	if (alloc_fail_countdown > 0 && --alloc_fail_countdown == 0) {
		alloc_fail_fired = 1;
		return NULL;
	}
	return malloc(n);
}

static void *alloc_fail_realloc(void *p, size_t n)
{
	if (alloc_fail_countdown > 0 && --alloc_fail_countdown == 0) {
		alloc_fail_fired = 1;
		return NULL;
	}
	return realloc(p, n);
}

static inline void alloc_fail_arm(long n)
{
	static const struct clx_allocator a = { alloc_fail_malloc, alloc_fail_realloc, free };
	alloc_fail_countdown = n;
	alloc_fail_fired = 0;
	clx_set_allocator(n > 0 ? &a : NULL);
}

static inline int alloc_fail_hit(void)
{
	return alloc_fail_fired;
}

#endif
