/* test_calendar.c: day numbers, leap years, dates, UTC offsets, ISO 8601
 * times and Unix seconds, deadline forms and their instants, and the range
 * of times and dates lnob accepts. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "lnob_err.h"

static void test_days(void **state)
{
	(void)state;
	assert_int_equal(calendar_days(1970, 1, 1), 0);
	assert_int_equal(calendar_days(1970, 1, 2), 1);
	assert_int_equal(calendar_days(1969, 12, 31), -1);
	assert_int_equal(calendar_days(2000, 1, 1), 10957);
	assert_int_equal(calendar_days(2000, 3, 1), 11017);      /* 2000-02-29 exists */
	assert_int_equal(calendar_days(2100, 3, 1) - calendar_days(2100, 2, 28), 1);
	assert_int_equal(calendar_days(2023, 11, 28), 19689);
	assert_int_equal(calendar_days(1900, 1, 1), -25567);
	assert_int_equal(calendar_days(0, 1, 1), -719528);
	assert_int_equal(calendar_days(9999, 12, 31), 2932896);
	/* Consecutive days, across every month end of a leap and a plain year. */
	for (int y = 2023; y <= 2024; y++) {
		for (int m = 1; m <= 12; m++) {
			int64_t first = calendar_days(y, m, 1);
			int64_t next = m == 12 ? calendar_days(y + 1, 1, 1) : calendar_days(y, m + 1, 1);

			assert_int_equal(next - first, calendar_month_days(y, m));
		}
	}
}

static void test_leap(void **state)
{
	(void)state;
	assert_true(calendar_leap(2000));
	assert_true(calendar_leap(2024));
	assert_false(calendar_leap(1900));
	assert_false(calendar_leap(2100));
	assert_false(calendar_leap(2023));
	assert_int_equal(calendar_month_days(2024, 2), 29);
	assert_int_equal(calendar_month_days(2023, 2), 28);
	assert_int_equal(calendar_month_days(2100, 2), 28);
	assert_int_equal(calendar_month_days(2023, 4), 30);
	assert_int_equal(calendar_month_days(2023, 12), 31);
}

static void test_digits(void **state)
{
	const char *p = "2023-1x";
	int v = -1;

	(void)state;
	assert_true(calendar_digits(&p, 4, &v));
	assert_int_equal(v, 2023);
	assert_string_equal(p, "-1x");
	p++;
	v = -1;
	assert_false(calendar_digits(&p, 2, &v));   /* "1x" */
	assert_int_equal(v, -1);
	assert_string_equal(p, "1x");
}

static void test_dates(void **state)
{
	int y = 0, m = 0, d = 0;

	(void)state;
	assert_true(calendar_parse_date("2024-02-29", 1900, 9999, &y, &m, &d));
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	assert_true(calendar_parse_date("1900-01-01", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date("1899-12-31", 1900, 9999, &y, &m, &d));
	assert_int_equal(y, 2024);                  /* not written on failure */
	assert_false(calendar_parse_date("2023-02-29", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date("2023-04-31", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date("2023-13-01", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date("2023-00-01", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date("2023-01-00", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date("2023-1-01", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date("2023-01-01 ", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date(" 2023-01-01", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date("2023/01/01", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date("", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date(NULL, 1900, 9999, NULL, NULL, NULL));
	assert_true(calendar_parse_date("2101-01-01", 1900, 9999, NULL, NULL, NULL));
	assert_false(calendar_parse_date("2101-01-01", 2000, 2100, NULL, NULL, NULL));
}

static void test_offsets(void **state)
{
	int off = 12345;

	(void)state;
	assert_true(calendar_parse_offset("+07:00", &off));
	assert_int_equal(off, 7 * 3600);
	assert_true(calendar_parse_offset("-03:30", &off));
	assert_int_equal(off, -(3 * 3600 + 30 * 60));
	assert_true(calendar_parse_offset("+14:00", &off));
	assert_int_equal(off, 14 * 3600);
	assert_true(calendar_parse_offset("-00:00", &off));
	assert_int_equal(off, 0);
	off = 1;
	assert_false(calendar_parse_offset("+14:01", &off));
	assert_false(calendar_parse_offset("+07:60", &off));
	assert_false(calendar_parse_offset("07:00", &off));
	assert_false(calendar_parse_offset("+0700", &off));
	assert_false(calendar_parse_offset("+7:00", &off));
	assert_false(calendar_parse_offset("+07:00 ", &off));
	assert_false(calendar_parse_offset("", &off));
	assert_int_equal(off, 1);
}

static void test_times(void **state)
{
	static const struct {
		const char *s;
		int64_t t;
	} ok[] = {
		{ "1701140400", 1701140400 },
		{ "0", 0 },
		{ "4611686018427387903", INT64_MAX / 2 },
		{ "2023-11-28T10:00:00+07:00", 1701140400 },
		{ "2023-11-28T03:00:00Z", 1701140400 },
		{ "2023-11-28t03:00:00z", 1701140400 },
		{ "2023-11-28 10:00+07:00", 1701140400 },
		{ "2023-11-28T10:00:00+0700", 1701140400 },
		{ "2023-11-28T10:00:00+07", 1701140400 },
		{ "2023-11-28T02:30:00-00:30", 1701140400 },
		{ "2023-11-28T03:00:00.999Z", 1701140400 },
		{ "2023-11-28T03:00:00,5Z", 1701140400 },
		{ "2023-11-28T03:00:60Z", 1701140460 },   /* a leap second */
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29T00:00:00Z", 1709164800 },
	};
	static const char *const bad[] = {
		"", "abc", "-5", "+5", " 1", "4611686018427387904", "99999999999999999999",
		"2023-11-28", "2023-11-28T10:00:00", "2023-11-28T10:00:00+7", "2023-11-28T10:00:00+07:",
		"2023-11-28T10:00:00+075", "2023-11-28T10:00:00+24:00", "2023-11-28T10:00:00+07:60",
		"2023-11-28T10:00:00+07:00x", "2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z",
		"2023-11-31T00:00:00Z", "2023-11-28T24:00:00Z", "2023-11-28T10:60:00Z",
		"2023-11-28T10:00:61Z", "2023-11-28T10:00:00.Z", "2023-11-28T10:00.5Z",
		"2023-11-28X10:00:00Z", "2023/11/28T10:00:00Z", "1970-01-01T00:00:00+01:00",
	};
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		t = -1;
		if (calendar_parse_time(ok[i].s, &t) != 0 || t != ok[i].t)
			fail_msg("'%s': got %lld, want %lld", ok[i].s, (long long)t, (long long)ok[i].t);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = -1;
		if (calendar_parse_time(bad[i], &t) != LNOB_E_INVALID || t != -1)
			fail_msg("'%s' accepted as %lld", bad[i], (long long)t);
	}
}

static void test_deadlines(void **state)
{
	calendar_deadline_t d = { 0 };

	(void)state;
	assert_true(calendar_parse_deadline("before 12-05", false, &d));
	assert_false(d.by);
	assert_false(d.has_time);
	assert_int_equal(d.month, 12);
	assert_int_equal(d.day, 5);
	/* Before: late from 00:00 of the day, in +07:00 time. */
	assert_int_equal(calendar_deadline_late_from(&d, 2023, 7 * 3600),
			 calendar_days(2023, 12, 5) * 86400 - 7 * 3600);
	assert_true(calendar_parse_deadline("by \t12-05  17:30", false, &d));
	assert_true(d.by);
	assert_true(d.has_time);
	assert_int_equal(d.hour, 17);
	assert_int_equal(d.minute, 30);
	/* By HH:MM: late from the next minute. */
	assert_int_equal(calendar_deadline_late_from(&d, 2023, 0),
			 calendar_days(2023, 12, 5) * 86400 + 17 * 3600 + 31 * 60);
	assert_true(calendar_parse_deadline("by 2024-02-29", true, &d));
	assert_int_equal(d.year, 2024);
	/* By a day: late from 00:00 of the next day. */
	assert_int_equal(calendar_deadline_late_from(&d, d.year, -3600),
			 calendar_days(2024, 3, 1) * 86400 + 3600);
	assert_true(calendar_parse_deadline("before 2023-11-30 00:00", true, &d));
	assert_true(d.has_time);

	d.month = 99;
	assert_false(calendar_parse_deadline("before 02-29", false, &d));   /* not every year */
	assert_false(calendar_parse_deadline("by 2023-02-29", true, &d));
	assert_false(calendar_parse_deadline("by 1899-12-31", true, &d));
	assert_false(calendar_parse_deadline("before 2023-12-05", false, &d));
	assert_false(calendar_parse_deadline("before 12-05", true, &d));
	assert_false(calendar_parse_deadline("after 12-05", false, &d));
	assert_false(calendar_parse_deadline("before12-05", false, &d));
	assert_false(calendar_parse_deadline("by 13-01", false, &d));
	assert_false(calendar_parse_deadline("by 12-05 24:00", false, &d));
	assert_false(calendar_parse_deadline("by 12-05 23:60", false, &d));
	assert_false(calendar_parse_deadline("by 12-05 9:00", false, &d));
	assert_false(calendar_parse_deadline("by 12-05x", false, &d));
	assert_false(calendar_parse_deadline("by 12-05 17:30 ", false, &d));
	assert_int_equal(d.month, 99);                 /* not written on failure */
}

static void test_range(void **state)
{
	(void)state;
	assert_string_equal(LNOB_TIME_RANGE, "2000-01-01 .. 2100-12-31 UTC");
	assert_string_equal(LNOB_DATE_RANGE, "2000-01-01 .. 2100-12-31");
	assert_int_equal(calendar_days(2000, 1, 1) * 86400, LNOB_TIME_MIN);
	assert_int_equal(calendar_days(2101, 1, 1) * 86400 - 1, LNOB_TIME_MAX);
	assert_true(lnob_time_valid(LNOB_TIME_MIN));
	assert_false(lnob_time_valid(LNOB_TIME_MAX + 1));
	assert_true(lnob_date_valid("2100-12-31"));
	assert_false(lnob_date_valid("1999-12-31"));
	assert_false(lnob_date_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_leap),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
