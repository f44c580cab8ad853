/*
 * frac.h: exact arithmetic for verdicts. Fractions n / d (d > 0) with
 * 128-bit terms, compared and divided through exact 256-bit products, so
 * that no floating point decides whether a target is met. Pure functions
 * on values: no allocation, no errors; the bounds each call needs are
 * documented and asserted (a caller outside them is a bug, never input).
 *
 * The bound the campaign's evaluation keeps (campaign.h, ARITHMETIC):
 * every value is at most 8 × 10^15 < 2^53 (a sum of at most 8 reported
 * values of at most REPORT_VALUE_MAX), a decimal × 10^4 at most 10^18 <
 * 2^60, a number of years at most 100; so every term it builds stays below
 * 2^127 and every product of two terms fits in 256 bits.
 */
#ifndef LNOB_FRAC_H
#define LNOB_FRAC_H

#include <stdbool.h>
#include <stdint.h>

typedef __int128 frac_i128;
typedef unsigned __int128 frac_u128;

/* n / d with d > 0; not reduced. Plain data. */
typedef struct frac {
	frac_i128 n;
	frac_i128 d;
} frac_t;

/* An unsigned 256-bit integer, least significant word first. */
typedef struct frac_u256 {
	uint64_t w[4];
} frac_u256_t;

/* Scale of basis points: 10000 = 100.00 %. */
#define FRAC_BP 10000

/* ---- 128-bit helpers ---------------------------------------------------- */

/* |v| as unsigned (also for the most negative value). */
frac_u128 frac_abs128(frac_i128 v);
/* -1, 0 or 1. */
int frac_sign128(frac_i128 v);

/* ---- 256-bit unsigned integers ------------------------------------------ */

/* a × b, exactly. */
frac_u256_t frac_u256_mul(frac_u128 a, frac_u128 b);
/* a × m; the product must fit in 256 bits (asserted). */
frac_u256_t frac_u256_mul_small(frac_u256_t a, uint64_t m);
/* -1, 0 or 1 as a <, ==, > b. */
int frac_u256_cmp(const frac_u256_t *a, const frac_u256_t *b);
bool frac_u256_is_zero(const frac_u256_t *a);
/* floor(n / d); d must be non-zero and below 2^255 (asserted). *ret_exact:
 * true when there is no remainder. */
frac_u256_t frac_u256_div(frac_u256_t n, const frac_u256_t *d, bool *ret_exact);

/* ---- fractions ---------------------------------------------------------- */

/* n / d; d > 0 (asserted). */
frac_t frac_make(frac_i128 n, frac_i128 d);
/* Compares a and b exactly: -1, 0 or 1. Terms below 2^127. */
int frac_cmp(frac_t a, frac_t b);
/* a − b, not reduced. Every term of a and b must be below 2^62 in size
 * (asserted): values of the evaluation, and their differences. */
frac_t frac_sub(frac_t a, frac_t b);
/* floor(FRAC_BP × a / b) for b > 0 (asserted), the exact floor also when
 * negative, clamped to INT64_MIN..INT64_MAX; *ret_exact: FRAC_BP × a / b
 * is an integer (as computed before clamping). */
int64_t frac_bp(frac_t a, frac_t b, bool *ret_exact);
/* The nearest double (display only). */
double frac_double(frac_t a);

#endif
