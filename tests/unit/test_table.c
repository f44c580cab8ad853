/* test_table.c: word-boundary wrapping by display columns, rows over
 * several lines, and times with their offset (table.h). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "table.h"

/* Asserts that wrapping s to width gives exactly the lines want (NULL-ended). */
static void s_wraps(const char *s, size_t width, const char *const *want)
{
	const char *rest = s;
	char line[256];
	size_t k = 0, len;

	while (*rest || k == 0) {
		const char *p = table_wrap(rest, width, &len, &rest);

		if (len == 0 && !*rest)
			break;
		assert_true(len < sizeof(line));
		memcpy(line, p, len);
		line[len] = '\0';
		assert_non_null(want[k]);
		assert_string_equal(line, want[k]);
		k++;
	}
	assert_null(want[k]);
}

static void test_wrap_words(void **state)
{
	(void)state;
	s_wraps("Huyện Mường Khương", 10, (const char *const[]){ "Huyện", "Mường", "Khương", NULL });
	s_wraps("Huyện Mường Khương", 11, (const char *const[]){ "Huyện Mường", "Khương", NULL });
	s_wraps("Huyện Mường Khương", 18, (const char *const[]){ "Huyện Mường Khương", NULL });
	/* leading blanks are an indent, kept on the first line only */
	s_wraps("  Xã  Pha   Long ", 9, (const char *const[]){ "  Xã  Pha", "Long", NULL });
	s_wraps("  Xã  Pha   Long ", 6, (const char *const[]){ "  Xã", "Pha", "Long", NULL });
	s_wraps("Xã  Pha   Long ", 7, (const char *const[]){ "Xã  Pha", "Long", NULL });
	/* a word wider than the column, and only then, is broken */
	s_wraps("Thịtrấnmườngkhương ở", 7, (const char *const[]){ "Thịtrấn", "mườngkh", "ương ở",
								 NULL });
	s_wraps("", 5, (const char *const[]){ NULL });
	/* combining marks (NFD) take no column and stay with their letter */
	s_wraps("Xa\xcc\x83 Long", 2, (const char *const[]){ "Xa\xcc\x83", "Lo", "ng", NULL });
}

/* The text table_row() prints for cells. */
static char *s_row_text(const table_col_t *cols, size_t n, const char *const *cells)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	table_row(out, "  ", cols, n, cells);
	fclose(out);
	return buf;
}

static void test_row(void **state)
{
	static const table_col_t cols[] = {
		{ "unit", 12, false }, { "n", 4, true }, { "note", 0, false },
	};
	char *t;

	(void)state;
	t = s_row_text(cols, 3, (const char *const[]){ "D01 Huyện Mường Khương", "17", "late" });
	assert_string_equal(t, "  D01 Huyện      17 late\n"
			       "  Mường Khương\n");
	free(t);
	t = s_row_text(cols, 3, (const char *const[]){ "Huyện Mường Khương", "17", "late" });
	assert_string_equal(t, "  Huyện Mường    17 late\n"
			       "  Khương\n");
	free(t);
	t = s_row_text(cols, 3, (const char *const[]){ "P", NULL, NULL });
	assert_string_equal(t, "  P\n");
	free(t);
	t = s_row_text(cols, 3, (const char *const[]){ "", "3", "một hai ba bốn năm" });
	assert_string_equal(t, "                  3 một hai ba bốn năm\n");
	free(t);
}

static void test_time(void **state)
{
	char buf[TABLE_TIME_LEN];

	(void)state;
	assert_string_equal(table_time(1701770400, 7 * 3600, buf, sizeof(buf)),
			    "2023-12-05 17:00 +07:00");
	assert_string_equal(table_time(1701770400, 0, buf, sizeof(buf)), "2023-12-05 10:00 +00:00");
	assert_string_equal(table_time(1701770400, -(5 * 3600 + 1800), buf, sizeof(buf)),
			    "2023-12-05 04:30 -05:30");
	assert_string_equal(table_time(0, 7 * 3600, buf, sizeof(buf)), "-");
	assert_string_equal(table_time(INT64_MAX, 7 * 3600, buf, sizeof(buf)), "-");
	assert_string_equal(table_offset(TABLE_DEFAULT_UTC_OFFSET, buf, sizeof(buf)), "+07:00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_words),
		cmocka_unit_test(test_row),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
