/* t.h - the whole unit-test harness: CHECK, CHECK_STR, and a summary.
 * Each test program calls t_done() from main and exits non-zero on failure. */
#ifndef DS_T_H
#define DS_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond) do { \
	if (cond) { t_pass++; } else { t_fail++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) { t_pass++; } else { t_fail++; \
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
		    g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
} while (0)

static inline int
t_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
	return t_fail == 0 ? 0 : 1;
}

#endif
