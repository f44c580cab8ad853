/* test_frac.c: 256-bit products, comparisons and division; exact fraction
 * comparison and subtraction; basis points floored exactly (negative too)
 * and clamped; the bounds of the campaign's arithmetic. */
#include "testutil.h"

#include <stdint.h>
#include <string.h>

#include "frac.h"

static const frac_u128 s_two64 = (frac_u128)1 << 64;

static void test_u256_mul(void **state)
{
	frac_u256_t r;

	(void)state;
	r = frac_u256_mul(0, 12345);
	assert_true(frac_u256_is_zero(&r));
	r = frac_u256_mul(6, 7);
	assert_int_equal(r.w[0], 42);
	assert_int_equal(r.w[1] | r.w[2] | r.w[3], 0);
	/* (2^64 + 1)^2 = 2^128 + 2^65 + 1. */
	r = frac_u256_mul(s_two64 + 1, s_two64 + 1);
	assert_int_equal(r.w[0], 1);
	assert_int_equal(r.w[1], 2);
	assert_int_equal(r.w[2], 1);
	assert_int_equal(r.w[3], 0);
	/* (2^128 − 1)^2 = 2^256 − 2^129 + 1. */
	r = frac_u256_mul(~(frac_u128)0, ~(frac_u128)0);
	assert_int_equal(r.w[0], 1);
	assert_int_equal(r.w[1], 0);
	assert_int_equal(r.w[2], UINT64_MAX - 1);
	assert_int_equal(r.w[3], UINT64_MAX);
	r = frac_u256_mul_small(frac_u256_mul(s_two64, s_two64), 10000);   /* 10^4 × 2^128 */
	assert_int_equal(r.w[2], 10000);
	assert_int_equal(r.w[0] | r.w[1] | r.w[3], 0);
}

static void test_u256_cmp_div(void **state)
{
	frac_u256_t a = frac_u256_mul(s_two64 + 5, 3), b = frac_u256_mul(s_two64 + 5, 2), q, d;
	bool exact = false;

	(void)state;
	assert_int_equal(frac_u256_cmp(&a, &b), 1);
	assert_int_equal(frac_u256_cmp(&b, &a), -1);
	assert_int_equal(frac_u256_cmp(&a, &a), 0);
	/* 3x / 2x = 1 remainder x. */
	q = frac_u256_div(a, &b, &exact);
	assert_int_equal(q.w[0], 1);
	assert_int_equal(q.w[1] | q.w[2] | q.w[3], 0);
	assert_false(exact);
	/* (2^128 + 2^65 + 1) / (2^64 + 1) = 2^64 + 1 exactly. */
	a = frac_u256_mul(s_two64 + 1, s_two64 + 1);
	d = frac_u256_mul(s_two64 + 1, 1);
	q = frac_u256_div(a, &d, &exact);
	assert_true(exact);
	assert_int_equal(q.w[0], 1);
	assert_int_equal(q.w[1], 1);
	assert_int_equal(q.w[2] | q.w[3], 0);
	/* A quotient above 2^128. */
	a = frac_u256_mul(~(frac_u128)0, ~(frac_u128)0);
	d = frac_u256_mul(3, 1);
	q = frac_u256_div(a, &d, &exact);
	assert_true(exact);                       /* 2^128 − 1 is divisible by 3 */
	assert_int_equal(q.w[3], UINT64_MAX / 3);
}

static void test_cmp(void **state)
{
	(void)state;
	assert_int_equal(frac_cmp(frac_make(1, 3), frac_make(2, 6)), 0);
	assert_int_equal(frac_cmp(frac_make(1, 3), frac_make(1, 2)), -1);
	assert_int_equal(frac_cmp(frac_make(-1, 3), frac_make(-1, 2)), 1);
	assert_int_equal(frac_cmp(frac_make(-1, 3), frac_make(0, 7)), -1);
	assert_int_equal(frac_cmp(frac_make(0, 3), frac_make(0, 7)), 0);
	assert_int_equal(frac_cmp(frac_make(5, 1), frac_make(-5, 1)), 1);
	/* Terms near 2^126, where a double cannot tell them apart. */
	frac_i128 big = (frac_i128)1 << 126;

	assert_int_equal(frac_cmp(frac_make(big, big - 1), frac_make(big - 1, big - 2)), -1);
	assert_int_equal(frac_cmp(frac_make(big - 1, big - 2), frac_make(big, big - 1)), 1);
	assert_int_equal(frac_sign128(-big), -1);
	assert_true(frac_abs128(-big) == (frac_u128)big);
}

static void test_sub(void **state)
{
	frac_t r;

	(void)state;
	r = frac_sub(frac_make(1, 2), frac_make(1, 3));   /* 1/6, not reduced */
	assert_true(r.n == 1 && r.d == 6);
	r = frac_sub(frac_make(1, 3), frac_make(1, 2));
	assert_int_equal(frac_cmp(r, frac_make(-1, 6)), 0);
	/* Values of the evaluation: 8 × 10^15 over a percentage. */
	r = frac_sub(frac_make(800000000000000000LL, 8000000000000000LL), frac_make(0, 1));
	assert_int_equal(frac_cmp(r, frac_make(100, 1)), 0);
}

static void test_bp(void **state)
{
	bool exact = false;

	(void)state;
	assert_int_equal(frac_bp(frac_make(1, 1), frac_make(1, 1), &exact), 10000);
	assert_true(exact);
	assert_int_equal(frac_bp(frac_make(11, 10), frac_make(1, 1), &exact), 11000);
	assert_true(exact);
	/* 1/3: 3333.33… floors to 3333, not exact. */
	assert_int_equal(frac_bp(frac_make(1, 1), frac_make(3, 1), &exact), 3333);
	assert_false(exact);
	/* Negative: the floor is below (−3333.33… → −3334). */
	assert_int_equal(frac_bp(frac_make(-1, 1), frac_make(3, 1), &exact), -3334);
	assert_false(exact);
	assert_int_equal(frac_bp(frac_make(-1, 2), frac_make(1, 1), &exact), -5000);
	assert_true(exact);
	assert_int_equal(frac_bp(frac_make(0, 5), frac_make(3, 7), &exact), 0);
	assert_true(exact);
	/* Fractions on both sides: (2/3) / (4/9) = 1.5. */
	assert_int_equal(frac_bp(frac_make(2, 3), frac_make(4, 9), &exact), 15000);
	assert_true(exact);
	/* Clamped: a tiny divisor. */
	assert_int_equal(frac_bp(frac_make(INT64_MAX, 1), frac_make(1, INT64_MAX), &exact),
			 INT64_MAX);
	assert_int_equal(frac_bp(frac_make(-(frac_i128)INT64_MAX, 1), frac_make(1, INT64_MAX), &exact),
			 INT64_MIN);
	assert_true(frac_double(frac_make(1, 4)) == 0.25);
	assert_true(frac_double(frac_make(-3, 2)) == -1.5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u256_mul),
		cmocka_unit_test(test_u256_cmp_div),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_sub),
		cmocka_unit_test(test_bp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
