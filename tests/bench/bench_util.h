/*
 * bench_util.h: what the bench's small programs share (tests/bench, README
 * "Benchmarks"): the monotonic clock, an unsigned argument, and the median
 * and percentiles of a sorted array. Header-only, static: each program is
 * one file and links nothing of it.
 */
#ifndef LNOB_BENCH_UTIL_H
#define LNOB_BENCH_UTIL_H

#include <errno.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The decimal argument s as an unsigned long in [min, max] into *ret;
 * returns 0, or -EINVAL (*ret not written). */
static inline int bench_arg_ul(const char *s, unsigned long min, unsigned long max,
			       unsigned long *ret)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* qsort's comparison of doubles. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of v[0..n-1], sorted ascending, n >= 1: the
 * nearest-rank value (the smallest v[i] with at least q*n values at or
 * below it). */
static inline double bench_quantile(const double *v, size_t n, double q)
{
	size_t rank = (size_t)((double)n * q + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

#endif
