/* test_util.c: byte order, ids, key text, file helpers, UTF-8 columns. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lnob_err.h"
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


/* Reads back what lnob_fput_col wrote. */
static const char *s_col(const char *text, size_t width, bool left)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	lnob_fput_col(f, text, width, left);
	fclose(f);
	return buf;
}

static void test_utf8_columns(void **state)
{
	(void)state;
	assert_int_equal(lnob_utf8_width("abc"), 3);
	assert_int_equal(lnob_utf8_width("Đắk Nông"), 8);       /* precomposed */
	assert_int_equal(lnob_utf8_width("Nam \xcc\x80"), 4);   /* a combining mark takes no column */
	assert_int_equal(lnob_utf8_width(""), 0);
	assert_string_equal(s_col("Đắk", 5, true), "Đắk  ");
	assert_string_equal(s_col("12", 5, false), "   12");
	assert_string_equal(s_col("Krông Nô", 5, true), "Krông");  /* cut at a code point */
	assert_string_equal(s_col("\xff\xfe", 3, true), "\xff\xfe ");    /* bad bytes still advance */
}

static void test_errf_quote(void **state)
{
	char err[16], q[LNOB_QUOTE_MAX + 4], long_s[LNOB_QUOTE_MAX + 10];

	(void)state;
	assert_int_equal(lnob_errf(err, sizeof(err), -7, "bad %s", "thing"), -7);
	assert_string_equal(err, "bad thing");
	assert_int_equal(lnob_errf(NULL, 0, 3, "ignored %d", 1), 3);
	assert_int_equal(lnob_errf(err, sizeof(err), 0, "%s", "a message longer than 16"), 0);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_string_equal(lnob_quote(q, "short"), "short");
	memset(long_s, 'x', sizeof(long_s) - 1);
	long_s[sizeof(long_s) - 1] = '\0';
	assert_int_equal(strlen(lnob_quote(q, long_s)), LNOB_QUOTE_MAX + 3);
	assert_string_equal(q + LNOB_QUOTE_MAX, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_be),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_key_text),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_utf8_columns),
		cmocka_unit_test(test_errf_quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
