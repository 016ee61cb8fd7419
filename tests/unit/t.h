/*
 * t.h: the unit tests' few macros.  Each test binary prints TAP: one
 * "ok N - name" or "not ok N - name" per T_RUN, a plan at the end, and
 * exits 1 if anything failed.  A check that fails prints where and why
 * and marks the current test failed; the test goes on.
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_n, t_failed, t_cur_failed;

#define T_CHECK(c) do {							\
	if (!(c)) {							\
		printf("#   %s:%d: check failed: %s\n",			\
		    __FILE__, __LINE__, #c);				\
		t_cur_failed = 1;					\
	}								\
} while (0)

#define T_EQ_INT(a, b) do {						\
	long long t_a_ = (long long)(a), t_b_ = (long long)(b);		\
	if (t_a_ != t_b_) {						\
		printf("#   %s:%d: %s == %lld, expected %lld\n",	\
		    __FILE__, __LINE__, #a, t_a_, t_b_);		\
		t_cur_failed = 1;					\
	}								\
} while (0)

#define T_EQ_STR(a, b) do {						\
	const char *t_a_ = (a), *t_b_ = (b);				\
	if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) {	\
		printf("#   %s:%d: %s == \"%s\", expected \"%s\"\n",	\
		    __FILE__, __LINE__, #a, t_a_ ? t_a_ : "(null)",	\
		    t_b_ ? t_b_ : "(null)");				\
		t_cur_failed = 1;					\
	}								\
} while (0)

#define T_EQ_MEM(a, alen, b, blen) do {					\
	size_t t_al_ = (alen), t_bl_ = (blen);				\
	if (t_al_ != t_bl_ || memcmp((a), (b), t_al_) != 0) {		\
		printf("#   %s:%d: %s (%zu bytes) differs from %s "	\
		    "(%zu bytes)\n", __FILE__, __LINE__, #a, t_al_,	\
		    #b, t_bl_);						\
		t_cur_failed = 1;					\
	}								\
} while (0)

#define T_RUN(fn) do {							\
	t_cur_failed = 0;						\
	fn();								\
	t_n++;								\
	printf("%sok %d - %s\n", t_cur_failed ? "not " : "", t_n, #fn);\
	if (t_cur_failed)						\
		t_failed++;						\
} while (0)

#define T_DONE() do {							\
	printf("1..%d\n", t_n);						\
	return t_failed != 0;						\
} while (0)

#endif /* T_H */
