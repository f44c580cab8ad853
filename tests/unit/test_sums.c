/* test_sums.c: rollup sums with per-indicator carrier counts: absent is
 * never 0, arithmetic is checked, a stored rollup that does not add up is
 * refused. */
#include "testutil.h"

#include <string.h>

#include "lnob_err.h"
#include "sums.h"

static Lnob__IndicatorValue s_v[8];
static Lnob__IndicatorValue *s_p[8];

/* Fills s_v[0..n-1] from code=value pairs and returns s_p. */
static Lnob__IndicatorValue **s_vals(size_t n, const char *const *codes, const int64_t *vals)
{
	for (size_t i = 0; i < n; i++) {
		lnob__indicator_value__init(&s_v[i]);
		s_v[i].code = (char *)codes[i];
		if (report_code_is_amount(codes[i])) {
			s_v[i].value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
			s_v[i].amount_vnd = vals[i];
		} else {
			s_v[i].value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
			s_v[i].count = vals[i];
		}
		s_p[i] = &s_v[i];
	}
	return s_p;
}

static int64_t s_get(const sums_t *s, const char *code, uint32_t *units)
{
	long at = sums_find(s, code);

	if (at < 0)
		return -1;
	*units = s->units[at];
	return report_value_of(s->v[at]);
}

/* A correction that leaves an indicator out takes it out: with no other
 * report carrying it, it is absent, not 0. */
static void test_absent_is_not_zero(void **state)
{
	static const char *const c2[] = { "households_total", "poor_households" };
	static const int64_t r1[] = { 100, 30 }, r2[] = { 100 };
	Lnob__IndicatorValue *old[2], **p;
	sums_t s = { 0 };
	uint32_t u = 0;

	(void)state;
	p = s_vals(2, c2, r1);
	assert_int_equal(sums_replace(&s, NULL, 0, p, 2, NULL), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0]->code, "households_total");   /* sorted */
	/* rev 2 of the same unit: {households_total 100} */
	Lnob__IndicatorValue a = s_v[0], b = s_v[1];
	old[0] = &a;
	old[1] = &b;
	p = s_vals(1, c2, r2);
	assert_int_equal(sums_replace(&s, old, 2, p, 1, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_true(sums_find(&s, "poor_households") < 0);
	assert_int_equal(s_get(&s, "households_total", &u), 100);
	assert_int_equal(u, 1);
	sums_clear(&s);
	assert_int_equal(s.n, 0);
}

/* Two carriers: taking one out leaves the other's value and a count of 1;
 * an explicit 0 is carried (and counted) like any value. */
static void test_carriers(void **state)
{
	static const char *const c[] = { "poor" };
	static const int64_t ten[] = { 10 }, zero[] = { 0 };
	Lnob__IndicatorValue a, *ap = &a;
	sums_t s = { 0 };
	uint32_t u = 0;

	(void)state;
	assert_int_equal(sums_replace(&s, NULL, 0, s_vals(1, c, ten), 1, NULL), 0);
	a = s_v[0];
	assert_int_equal(sums_replace(&s, NULL, 0, s_vals(1, c, zero), 1, NULL), 0);
	assert_int_equal(s_get(&s, "poor", &u), 10);
	assert_int_equal(u, 2);
	assert_int_equal(sums_replace(&s, &ap, 1, NULL, 0, NULL), 0);
	assert_int_equal(s_get(&s, "poor", &u), 0);   /* the 0 report still carries it */
	assert_int_equal(u, 1);
	sums_clear(&s);
}

/* A sum may reach SUMS_MAX but never pass it; the code is named. */
static void test_overflow(void **state)
{
	static const char *const c[] = { "fund_vnd" };
	static const int64_t max[] = { SUMS_MAX }, one[] = { 1 }, part[] = { SUMS_MAX - 5 };
	sums_t s = { 0 };
	const char *bad = NULL;
	uint32_t u = 0;

	(void)state;
	assert_int_equal(sums_replace(&s, NULL, 0, s_vals(1, c, part), 1, NULL), 0);
	assert_int_equal(sums_replace(&s, NULL, 0, s_vals(1, c, one), 1, NULL), 0);
	assert_int_equal(sums_replace(&s, NULL, 0, s_vals(1, c, max), 1, &bad), LNOB_E_OVERFLOW);
	assert_non_null(bad);
	assert_string_equal(bad, "fund_vnd");
	sums_clear(&s);
	assert_int_equal(sums_replace(&s, NULL, 0, s_vals(1, c, max), 1, NULL), 0);
	assert_int_equal(s_get(&s, "fund_vnd", &u), SUMS_MAX);
	sums_clear(&s);
}

/* Taking out what is not there, or more than is there, is corruption. */
static void test_corrupt(void **state)
{
	static const char *const c[] = { "poor" };
	static const int64_t ten[] = { 10 }, eleven[] = { 11 };
	Lnob__IndicatorValue a, *ap = &a;
	uint32_t units[2] = { 1, 1 };
	sums_t s = { 0 };
	const char *bad = NULL;

	(void)state;
	a = *s_vals(1, c, ten)[0];
	assert_int_equal(sums_replace(&s, &ap, 1, NULL, 0, &bad), LNOB_E_CORRUPT);
	assert_string_equal(bad, "poor");
	sums_clear(&s);
	assert_int_equal(sums_replace(&s, NULL, 0, s_vals(1, c, ten), 1, NULL), 0);
	a = *s_vals(1, c, eleven)[0];
	assert_int_equal(sums_replace(&s, &ap, 1, NULL, 0, NULL), LNOB_E_CORRUPT);
	sums_clear(&s);
	/* loading: unsorted codes, a count of 0, counts not matching */
	{
		static const char *const two[] = { "b", "a" };
		static const int64_t v2[] = { 1, 2 };

		assert_int_equal(sums_load(&s, s_vals(2, two, v2), 2, units, 2), LNOB_E_CORRUPT);
		assert_int_equal(s.n, 0);
		assert_int_equal(sums_load(&s, s_vals(2, two, v2), 2, units, 1), LNOB_E_CORRUPT);
		units[0] = 0;
		assert_int_equal(sums_load(&s, s_vals(1, c, ten), 1, units, 1), LNOB_E_CORRUPT);
		units[0] = 3;
		assert_int_equal(sums_load(&s, s_vals(1, c, ten), 1, units, 1), 0);
		assert_int_equal(s.n, 1);
		assert_int_equal(s.units[0], 3);
		sums_clear(&s);
	}
	{
		static const int64_t huge[] = { SUMS_MAX + 1 };

		units[0] = 1;
		assert_int_equal(sums_load(&s, s_vals(1, c, huge), 1, units, 1), LNOB_E_CORRUPT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_is_not_zero),
		cmocka_unit_test(test_carriers),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
