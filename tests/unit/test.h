/*
 * test.h - a tiny TAP-style harness for the unit tests.  Each test binary
 * prints "ok N - what" / "not ok N - what" lines and a final
 * "# passed P failed F"; tests/run.sh adds them up.
 */
#ifndef BERTH_TEST_H
#define BERTH_TEST_H

#include <stdio.h>
#include <string.h>

static int t_n, t_failed;

#define T_OK(cond, ...) do { \
	int t_ok_ = !!(cond); \
	t_n++; \
	if (t_ok_) { printf("ok %d - ", t_n); } \
	else { t_failed++; printf("not ok %d - ", t_n); } \
	printf(__VA_ARGS__); \
	if (!t_ok_) printf("  (%s:%d: %s)", __FILE__, __LINE__, #cond); \
	printf("\n"); \
} while (0)

#define T_STREQ(a, b, ...) do { \
	const char *t_a = (a), *t_b = (b); \
	int t_c = t_a && t_b && strcmp(t_a, t_b) == 0; \
	T_OK(t_c, __VA_ARGS__); \
	if (!t_c) printf("#   got:      '%s'\n#   expected: '%s'\n", t_a ? t_a : "(null)", t_b ? t_b : "(null)"); \
} while (0)

#define T_SKIP(...) do { t_n++; printf("ok %d # skip ", t_n); printf(__VA_ARGS__); printf("\n"); } while (0)

static inline int t_done(void)
{
	printf("# passed %d failed %d\n", t_n - t_failed, t_failed);
	return t_failed ? 1 : 0;
}

#endif
