/* check.h — the tiny test harness every test uses.
 *
 * CHECK(cond, fmt, ...) counts a pass or prints the failure with its
 * location; check_summary() prints "N passed, N failed" and returns the
 * process exit status. A test with zero checks fails: assertion-free tests
 * do not exist here. */
#ifndef CLX_TEST_CHECK_H
#define CLX_TEST_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (cond) {                                                \
			check_passed++;                                    \
		} else {                                                   \
			check_failed++;                                    \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
		}                                                          \
	} while (0)

static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	if (check_passed + check_failed == 0) {
		fprintf(stderr, "no checks ran\n");
		return 1;
	}
	return check_failed ? 1 : 0;
}

#endif
