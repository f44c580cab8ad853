/* test_report.c: the rules a Report must satisfy, and the digest of its
 * meaning. */
#include "testutil.h"

#include <string.h>

#include "lnob_err.h"
#include "report.h"

static Lnob__Report *s_report(Lnob__IndicatorValue **vals, size_t n)
{
	static Lnob__Report r;

	lnob__report__init(&r);
	r.campaign = "lnob-2021-2025";
	r.period = "2023";
	r.unit = "C01";
	r.revision = 1;
	r.values = vals;
	r.n_values = n;
	return &r;
}

static void test_report_rules(void **state)
{
	Lnob__IndicatorValue a = LNOB__INDICATOR_VALUE__INIT, b = LNOB__INDICATOR_VALUE__INIT;
	Lnob__IndicatorValue *vals[2] = { &a, &b };
	Lnob__Report *r;
	char d[256];

	(void)state;
	a.code = "poor_households";
	a.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	a.count = 12;
	b.code = "fund_vnd";
	b.value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
	b.amount_vnd = 5000000;
	r = s_report(vals, 2);
	assert_int_equal(report_validate(r, d, sizeof(d)), 0);
	a.count = -1;
	assert_int_equal(report_validate(r, d, sizeof(d)), LNOB_E_INVALID);
	assert_non_null(strstr(d, "poor_households"));
	a.count = 12;
	b.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	b.count = 1;
	assert_int_equal(report_validate(r, d, sizeof(d)), LNOB_E_INVALID);
	assert_non_null(strstr(d, "fund_vnd"));
	b.code = "poor_households";
	assert_int_equal(report_validate(r, d, sizeof(d)), LNOB_E_INVALID);
	assert_non_null(strstr(d, "twice"));
	r = s_report(vals, 1);
	r->revision = 0;
	assert_int_equal(report_validate(r, d, sizeof(d)), LNOB_E_INVALID);
	r->revision = 2;
	r->base_revision = 2;
	assert_int_equal(report_validate(r, d, sizeof(d)), LNOB_E_INVALID);
	r->base_revision = 1;
	r->unit = "";
	assert_int_equal(report_validate(r, d, sizeof(d)), LNOB_E_INVALID);
	assert_non_null(strstr(d, "unit"));
	r = s_report(vals, 0);
	assert_int_equal(report_validate(r, d, sizeof(d)), LNOB_E_INVALID);
}

/* The digest of a report's meaning does not depend on the order of its
 * values, and changes with any value, the narrative or the completion
 * time. */
static void test_content_digest(void **state)
{
	Lnob__IndicatorValue a = LNOB__INDICATOR_VALUE__INIT, b = LNOB__INDICATOR_VALUE__INIT;
	Lnob__IndicatorValue *ab[2] = { &a, &b }, *ba[2] = { &b, &a };
	Lnob__Report *r;
	uint8_t d1[32], d2[32];

	(void)state;
	a.code = "poor";
	a.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	a.count = 10;
	b.code = "fund_vnd";
	b.value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
	b.amount_vnd = 7;
	r = s_report(ab, 2);
	assert_int_equal(report_content_digest(r, d1), 0);
	r = s_report(ba, 2);
	assert_int_equal(report_content_digest(r, d2), 0);
	assert_memory_equal(d1, d2, 32);
	a.count = 11;
	assert_int_equal(report_content_digest(r, d2), 0);
	assert_memory_not_equal(d1, d2, 32);
	a.count = 10;
	r->narrative = "x";
	assert_int_equal(report_content_digest(r, d2), 0);
	assert_memory_not_equal(d1, d2, 32);
	r->narrative = "";
	r->completed_at = 1;
	assert_int_equal(report_content_digest(r, d2), 0);
	assert_memory_not_equal(d1, d2, 32);
	/* 0 is a value, not the absence of one */
	r = s_report(ab, 1);
	assert_int_equal(report_content_digest(r, d1), 0);
	b.amount_vnd = 0;
	r = s_report(ab, 2);
	assert_int_equal(report_content_digest(r, d2), 0);
	assert_memory_not_equal(d1, d2, 32);
}

static void test_amount_codes(void **state)
{
	(void)state;
	assert_true(report_code_is_amount("fund_vnd"));
	assert_false(report_code_is_amount("vnd"));
	assert_false(report_code_is_amount("poor_households"));
	assert_false(report_code_is_amount("fund_vnd_x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_rules),
		cmocka_unit_test(test_content_digest),
		cmocka_unit_test(test_amount_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
