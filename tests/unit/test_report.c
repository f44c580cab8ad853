/* test_report.c: the rules a Report must satisfy, and the digest of its
 * meaning. */
#include "testutil.h"

#include <stdint.h>
#include <stdlib.h>
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
	r.completed_at = 1701140400;   /* 2023-11-28T03:00:00Z */
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
	/* A bad id is quoted as UTF-8 text (the detail travels in a NACK). */
	r->unit = "X\xff\nY";
	assert_int_equal(report_validate(r, d, sizeof(d)), LNOB_E_INVALID);
	assert_string_equal(d, "unit: missing or not 1..64 of [A-Za-z0-9._-]: 'X\\xff\\x0aY'");
	r->unit = "C01";
	r = s_report(vals, 0);
	assert_int_equal(report_validate(r, d, sizeof(d)), LNOB_E_INVALID);
}

/* report_validate() of r refuses it, the detail (into d[256]) starting
 * with the field's name. */
static void s_refused(const Lnob__Report *r, const char *field, char d[256])
{
	d[0] = '\0';
	assert_int_equal(report_validate(r, d, 256), LNOB_E_INVALID);
	if (strncmp(d, field, strlen(field)) != 0)
		fail_msg("detail '%s' does not start with '%s'", d, field);
}

/* completed_at: 2000-01-01T00:00:00Z .. 2100-12-31T23:59:59Z, each
 * boundary; far outside (INT64_MAX, the stamp that overflowed a rollup). */
static void test_completed_at_range(void **state)
{
	Lnob__IndicatorValue a = LNOB__INDICATOR_VALUE__INIT, *vals[1] = { &a };
	Lnob__Report *r;
	char d[256];

	(void)state;
	a.code = "poor_households";
	a.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	a.count = 12;
	r = s_report(vals, 1);
	r->completed_at = 946684799;
	s_refused(r, "completed_at", d);
	r->completed_at = 946684800;
	assert_int_equal(report_validate(r, d, sizeof(d)), 0);
	r->completed_at = 4133980799;
	assert_int_equal(report_validate(r, d, sizeof(d)), 0);
	r->completed_at = 4133980800;
	s_refused(r, "completed_at", d);
	r->completed_at = INT64_MAX;
	s_refused(r, "completed_at", d);
	assert_non_null(strstr(d, "9223372036854775807"));
	assert_non_null(strstr(d, "2000-01-01 .. 2100-12-31"));
	r->completed_at = INT64_MIN;
	s_refused(r, "completed_at", d);
	r->completed_at = 0;                  /* unset: refused too */
	s_refused(r, "completed_at", d);
	r->completed_at = -1;
	s_refused(r, "completed_at", d);
}

/* narrative: UTF-8, at most 64 KiB. */
static void test_narrative(void **state)
{
	Lnob__IndicatorValue a = LNOB__INDICATOR_VALUE__INIT, *vals[1] = { &a };
	Lnob__Report *r;
	char d[256], *big;

	(void)state;
	a.code = "poor_households";
	a.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	a.count = 12;
	r = s_report(vals, 1);
	r->narrative = "Đã rà soát 1.200 hộ, giảm 12 hộ nghèo\nso với năm trước.";
	assert_int_equal(report_validate(r, d, sizeof(d)), 0);
	r->narrative = "";
	assert_int_equal(report_validate(r, d, sizeof(d)), 0);
	r->narrative = "bad byte \xff here";
	s_refused(r, "narrative", d);
	assert_string_equal(d, "narrative: not valid UTF-8");
	r->narrative = "cut \xe1\xba";
	s_refused(r, "narrative", d);
	r->narrative = "overlong \xc0\xaf";
	s_refused(r, "narrative", d);
	r->narrative = "surrogate \xed\xa0\x80";
	s_refused(r, "narrative", d);
	big = malloc(REPORT_NARRATIVE_MAX + 2);
	assert_non_null(big);
	memset(big, 'x', REPORT_NARRATIVE_MAX);
	big[REPORT_NARRATIVE_MAX] = '\0';
	r->narrative = big;
	assert_int_equal(report_validate(r, d, sizeof(d)), 0);
	big[REPORT_NARRATIVE_MAX] = 'x';
	big[REPORT_NARRATIVE_MAX + 1] = '\0';
	s_refused(r, "narrative", d);
	free(big);
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
		cmocka_unit_test(test_completed_at_range),
		cmocka_unit_test(test_narrative),
		cmocka_unit_test(test_amount_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
