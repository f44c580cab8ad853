/* test_util.c: byte order, ids, key text, file helpers, report rules. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lnob_err.h"
#include "report.h"
#include "util.h"

static void test_be(void **state)
{
	uint8_t b[8];

	(void)state;
	lnob_be64_put(b, 0x0102030405060708ULL);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[7], 8);
	assert_int_equal(lnob_be64_get(b), 0x0102030405060708ULL);
	lnob_be32_put(b, 0xa1b2c3d4);
	assert_int_equal(b[0], 0xa1);
	assert_int_equal(b[3], 0xd4);
}

static void test_ids(void **state)
{
	char s65[66];

	(void)state;
	assert_true(lnob_valid_id("c-001"));
	assert_true(lnob_valid_id("D01.x_y"));
	assert_false(lnob_valid_id(""));
	assert_false(lnob_valid_id(NULL));
	assert_false(lnob_valid_id("a b"));
	assert_false(lnob_valid_id("xã"));
	memset(s65, 'a', 65);
	s65[65] = '\0';
	assert_false(lnob_valid_id(s65));
	s65[64] = '\0';
	assert_true(lnob_valid_id(s65));
}

static void test_key_text(void **state)
{
	uint8_t k[32], back[32];
	char hex[65], z[41];

	(void)state;
	for (int i = 0; i < 32; i++)
		k[i] = (uint8_t)(i * 7);
	assert_int_equal(lnob_unhex(back, 32, lnob_hex(hex, k, 32)), 0);
	assert_memory_equal(k, back, 32);
	assert_int_equal(lnob_unhex(back, 32, "abc"), LNOB_E_KEYFILE);
	assert_int_equal(lnob_unz85_key(back, lnob_z85_key(z, k)), 0);
	assert_memory_equal(k, back, 32);
	assert_int_equal(lnob_unz85_key(back, "short"), LNOB_E_KEYFILE);
}

static void test_strlcpy(void **state)
{
	char b[4];

	(void)state;
	assert_int_equal(lnob_strlcpy(b, "abc", sizeof(b)), 0);
	assert_string_equal(b, "abc");
	assert_int_equal(lnob_strlcpy(b, "abcd", sizeof(b)), -ENAMETOOLONG);
	assert_string_equal(b, "abc");
}

static void test_files(void **state)
{
	const char *dir = tu_tmpdir();
	char path[4200], *buf;
	size_t len;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/sub/dir", dir);
	assert_int_equal(lnob_mkdirs(path), 0);
	snprintf(path, sizeof(path), "%s/sub/dir/f", dir);
	assert_int_equal(lnob_write_file_atomic(path, "hello", 5, 0640), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(lnob_read_file(path, 5, &buf, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(buf, "hello");
	free(buf);
	assert_int_equal(lnob_read_file(path, 4, &buf, &len), LNOB_E_TOOBIG);
	assert_int_equal(lnob_read_file("/nonexistent", 4, &buf, &len), -ENOENT);
	tu_rmtree(dir);
}

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

static void test_sums(void **state)
{
	Lnob__IndicatorValue a = LNOB__INDICATOR_VALUE__INIT, b = LNOB__INDICATOR_VALUE__INIT;
	Lnob__IndicatorValue *v1[1] = { &a }, *v2[1] = { &b };
	report_sums_t s = { 0 };

	(void)state;
	a.code = "poor";
	a.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	a.count = 10;
	b.code = "near_poor";
	b.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	b.count = 3;
	assert_int_equal(report_sums_add(&s, v1, 1, 1), 0);
	assert_int_equal(report_sums_add(&s, v2, 1, 1), 0);
	assert_int_equal(report_sums_add(&s, v1, 1, 1), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0]->code, "near_poor");   /* sorted */
	assert_int_equal(report_value_of(s.v[1]), 20);
	assert_int_equal(report_sums_add(&s, v1, 1, -1), 0);
	assert_int_equal(report_value_of(s.v[1]), 10);
	assert_false(report_sums_equal(&s, v1, 1));
	assert_int_equal(report_sums_add(&s, v2, 1, -1), 0);
	assert_true(report_sums_equal(&s, v1, 1));   /* zero entries count as absent */
	report_sums_clear(&s);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_be),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_key_text),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_report_rules),
		cmocka_unit_test(test_sums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
