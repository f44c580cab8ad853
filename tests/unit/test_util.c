/* test_util.c: byte order, ids, key text, file helpers, the UTF-8 check,
 * UTF-8 columns, the range of times and dates. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calendar.h"
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

/* lnob_grow(): room appears when the array is full, doubling from
 * `first`; what was there stays; sizes that would overflow are refused
 * with the array untouched. */
static void test_grow(void **state)
{
	uint64_t *v = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	for (uint64_t i = 0; i < 100; i++) {
		assert_int_equal(lnob_grow(&v, n, &cap, sizeof(*v), 4), 0);
		assert_true(cap > n);
		v[n++] = i * 7;
	}
	assert_int_equal(cap, 128);   /* 4, 8, ... 128 */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i], i * 7);
	assert_int_equal(lnob_grow(&v, 5, &cap, sizeof(*v), 4), 0);   /* room: unchanged */
	assert_int_equal(cap, 128);
	{
		uint64_t *keep = v;
		size_t big = SIZE_MAX / 2 + 1;

		assert_int_equal(lnob_grow(&v, big, &big, 1, 4), -ENOMEM);
		assert_ptr_equal(v, keep);
		big = 128;
		assert_int_equal(lnob_grow(&v, 128, &big, SIZE_MAX / 100, 4), -ENOMEM);
		assert_ptr_equal(v, keep);
		assert_int_equal(big, 128);
	}
	free(v);
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

/* A file over the limit is refused by its size, before it is read: a
 * sparse 1 TiB file (no disk, no memory) answers at once, *ret_buf and
 * *ret_len untouched. */
/* lnob_text_safe(): text from elsewhere made UTF-8 of one line, any
 * length up to its buffer. */
static void test_text_safe(void **state)
{
	char out[32], small[8];

	(void)state;
	assert_string_equal(lnob_text_safe(out, sizeof(out), "bad \xff\xfe detail \xc3"),
			    "bad \\xff\\xfe detail \\xc3");
	assert_string_equal(lnob_text_safe(out, sizeof(out), "h\xe1\xbb\x99 ngh\xc3\xa8o\n"),
			    "h\xe1\xbb\x99 ngh\xc3\xa8o\\x0a");
	assert_string_equal(lnob_text_safe(out, sizeof(out), NULL), "");
	assert_string_equal(lnob_text_safe(small, sizeof(small), "abcdef"), "abcd...");
	assert_string_equal(lnob_text_safe(small, sizeof(small), "abcd"), "abcd");
	assert_true(lnob_utf8_valid(out, strlen(out)));
}

static void test_read_file_size_first(void **state)
{
	const char *dir = tu_tmpdir();
	char path[4200], *buf = (char *)"untouched";
	size_t len = 7;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/huge", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)1 << 40), 0);
	close(fd);
	assert_int_equal(lnob_read_file(path, (size_t)64 << 20, &buf, &len), LNOB_E_TOOBIG);
	assert_string_equal(buf, "untouched");
	assert_int_equal(len, 7);
	tu_rmtree(dir);
}


/* lnob_utf8_valid() of a NUL-terminated literal (its bytes before the NUL). */
static bool s_utf8(const char *s)
{
	return lnob_utf8_valid(s, strlen(s));
}

static void test_utf8_valid(void **state)
{
	(void)state;
	/* Valid: ASCII, Vietnamese (precomposed and with combining marks),
	 * each length's first and last code point. */
	assert_true(s_utf8(""));
	assert_true(lnob_utf8_valid(NULL, 0));
	assert_true(s_utf8("Ấp Tân Hưng, xã Đắk Nông: Vượt 12 % chỉ tiêu giảm nghèo"));
	assert_true(s_utf8("Nam \xcc\x80 Bo\xcc\x9b\xcc\x81"));       /* combining marks */
	assert_true(s_utf8("\x01\t\n\r\x7f"));                        /* controls: the caller's to judge */
	assert_true(s_utf8("\xc2\x80\xdf\xbf"));                      /* U+0080, U+07FF */
	assert_true(s_utf8("\xe0\xa0\x80\xef\xbf\xbf"));              /* U+0800, U+FFFF */
	assert_true(s_utf8("\xed\x9f\xbf\xee\x80\x80"));              /* U+D7FF, U+E000 around the surrogates */
	assert_true(s_utf8("\xf0\x90\x80\x80"));                      /* U+10000 */
	assert_true(s_utf8("\xf4\x8f\xbf\xbf"));                      /* U+10FFFF: the 4-byte maximum */
	/* Overlong forms: '/' in 2, 3 and 4 bytes; U+07FF in 3; U+FFFF in 4. */
	assert_false(s_utf8("\xc0\xaf"));
	assert_false(s_utf8("\xc1\xbf"));
	assert_false(s_utf8("\xe0\x80\xaf"));
	assert_false(s_utf8("\xe0\x9f\xbf"));
	assert_false(s_utf8("\xf0\x80\x80\xaf"));
	assert_false(s_utf8("\xf0\x8f\xbf\xbf"));
	/* Surrogates, alone and as a CESU-8 pair. */
	assert_false(s_utf8("\xed\xa0\x80"));
	assert_false(s_utf8("\xed\xbf\xbf"));
	assert_false(s_utf8("\xed\xa0\xbd\xed\xb8\x80"));
	/* Above U+10FFFF; lead bytes that never occur. */
	assert_false(s_utf8("\xf4\x90\x80\x80"));                     /* U+110000 */
	assert_false(s_utf8("\xf5\x80\x80\x80"));
	assert_false(s_utf8("\xf8\x88\x80\x80\x80"));
	assert_false(s_utf8("\xfe"));
	assert_false(s_utf8("\xff"));
	/* Truncated sequences: at the end, and before another character. */
	assert_false(s_utf8("Đắk N\xc3"));
	assert_false(s_utf8("\xe1\xba"));
	assert_false(s_utf8("\xf0\x9f\x98"));
	assert_false(s_utf8("\xe1\xba" "a"));
	assert_false(lnob_utf8_valid("\xe1\xba\xaf", 2));             /* the length decides, not a NUL */
	/* A lone continuation byte; a bad continuation. */
	assert_false(s_utf8("a\x80z"));
	assert_false(s_utf8("\xc3\x28"));
	/* NUL, never: not even inside the given length. */
	assert_false(lnob_utf8_valid("ab\0cd", 5));
	assert_false(lnob_utf8_valid("\0", 1));
	assert_true(lnob_utf8_valid("ab\0cd", 2));
}

static void test_time_range(void **state)
{
	(void)state;
	assert_int_equal(LNOB_TIME_MIN, 946684800);      /* 2000-01-01T00:00:00Z */
	assert_int_equal(LNOB_TIME_MAX, 4133980799);     /* 2100-12-31T23:59:59Z */
	assert_false(lnob_time_valid(LNOB_TIME_MIN - 1));
	assert_true(lnob_time_valid(LNOB_TIME_MIN));
	assert_true(lnob_time_valid(1701140400));
	assert_true(lnob_time_valid(LNOB_TIME_MAX));
	assert_false(lnob_time_valid(LNOB_TIME_MAX + 1));
	assert_false(lnob_time_valid(0));
	assert_false(lnob_time_valid(-1));
	assert_false(lnob_time_valid(INT64_MAX));
	assert_false(lnob_time_valid(INT64_MIN));

	assert_true(lnob_date_valid("2000-01-01"));
	assert_true(lnob_date_valid("2024-01-15"));
	assert_true(lnob_date_valid("2100-12-31"));
	assert_true(lnob_date_valid("2000-02-29"));      /* divisible by 400: leap */
	assert_true(lnob_date_valid("2024-02-29"));
	assert_false(lnob_date_valid("2100-02-29"));     /* divisible by 100: not leap */
	assert_false(lnob_date_valid("2023-02-29"));
	assert_false(lnob_date_valid("2024-02-30"));
	assert_false(lnob_date_valid("2024-04-31"));
	assert_false(lnob_date_valid("2024-13-01"));
	assert_false(lnob_date_valid("2024-00-10"));
	assert_false(lnob_date_valid("2024-01-00"));
	assert_false(lnob_date_valid("1999-12-31"));
	assert_false(lnob_date_valid("2101-01-01"));
	assert_false(lnob_date_valid("9999-12-31"));
	assert_false(lnob_date_valid("2024-1-15"));
	assert_false(lnob_date_valid("2024-01-15 "));
	assert_false(lnob_date_valid("2024/01/15"));
	assert_false(lnob_date_valid("+024-01-15"));
	assert_false(lnob_date_valid(""));
	assert_false(lnob_date_valid(NULL));
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
	/* A cut message ends at a code point boundary: "bad ắ" cut inside
	 * the 3 bytes of "ắ" keeps "bad ". */
	assert_int_equal(lnob_errf(err, 7, 0, "%s", "bad \xe1\xba\xaf"), 0);
	assert_string_equal(err, "bad ");
	assert_int_equal(lnob_errf(err, 8, 0, "%s", "bad \xe1\xba\xaf"), 0);
	assert_string_equal(err, "bad \xe1\xba\xaf");
	assert_int_equal(lnob_errf(err, 6, 0, "%s", "bad \xf0\x9f\x98\x80"), 0);
	assert_string_equal(err, "bad ");
	assert_true(lnob_utf8_valid(err, strlen(err)));
	/* A quote is UTF-8 text of one line whatever it quotes. */
	assert_string_equal(lnob_quote(q, "Đắk Nông"), "Đắk Nông");
	assert_string_equal(lnob_quote(q, "a\xff" "b\xc3"), "a\\xffb\\xc3");
	assert_string_equal(lnob_quote(q, "two\nlines\t"), "two\\x0alines\\x09");
	assert_string_equal(lnob_quote(q, "\xed\xa0\x80"), "\\xed\\xa0\\x80");
	memset(long_s, 'x', sizeof(long_s) - 1);
	memcpy(long_s + LNOB_QUOTE_MAX - 1, "\xe1\xba\xaf", 3);   /* across the cut */
	lnob_quote(q, long_s);
	assert_int_equal(strlen(q), LNOB_QUOTE_MAX - 1 + 3);
	assert_string_equal(q + LNOB_QUOTE_MAX - 1, "...");
	memset(long_s, '\x01', sizeof(long_s) - 1);
	assert_true(lnob_utf8_valid(lnob_quote(q, long_s), strlen(q)));
	assert_int_equal(strlen(q), LNOB_QUOTE_MAX + 3);
}

/* Durations: digits and one of s m h d, within the maximum. */
static void test_parse_duration(void **state)
{
	int64_t v = -1;

	(void)state;
	assert_true(lnob_parse_duration("90s", 1000, &v) && v == 90);
	assert_true(lnob_parse_duration("2m", 1000, &v) && v == 120);
	assert_true(lnob_parse_duration("36h", 365 * 86400, &v) && v == 36 * 3600);
	assert_true(lnob_parse_duration("7d", 365 * 86400, &v) && v == 7 * 86400);
	assert_true(lnob_parse_duration("0s", 10, &v) && v == 0);
	assert_false(lnob_parse_duration("366d", 365 * 86400, &v));
	assert_false(lnob_parse_duration("7", 1000, &v));
	assert_false(lnob_parse_duration("d", 1000, &v));
	assert_false(lnob_parse_duration("-1s", 1000, &v));
	assert_false(lnob_parse_duration("7w", 1000000, &v));
	assert_false(lnob_parse_duration("99999999999999999999999d", INT64_MAX, &v));
	assert_false(lnob_parse_duration("", 10, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_be),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_key_text),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_read_file_size_first),
		cmocka_unit_test(test_text_safe),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_time_range),
		cmocka_unit_test(test_utf8_columns),
		cmocka_unit_test(test_errf_quote),
		cmocka_unit_test(test_parse_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
