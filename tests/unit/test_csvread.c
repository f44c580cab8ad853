/* test_csvread.c: the CSV reader (csvread.h): records and trimmed fields
 * with the line each record starts on (quoted fields across lines, blank
 * lines, a BOM, CRLF, no final newline); the reader's errors with their
 * lines; a callback's error wins and stops the callbacks. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "csvread.h"
#include "lnob_err.h"

/* What the callbacks saw, as text: "<line>:<record>:<field>=<value>|" per
 * field and "<line>:<record>#<n>;" per record end. */
typedef struct s_seen {
	char log[1024];
	size_t fail_record;     /* fail at this record's second field (0: never) */
	int calls_after;        /* callbacks after the failure */
	int failed;
} s_seen_t;

static void s_field(void *ctx, csvread_t *r, const char *f, size_t len, size_t index)
{
	s_seen_t *s = ctx;
	size_t n = strlen(s->log);

	assert_int_equal(strlen(f), len);
	if (s->failed)
		s->calls_after++;
	snprintf(s->log + n, sizeof(s->log) - n, "%u:%zu:%zu=%s|", csvread_line(r),
		 csvread_record_index(r), index, f);
	if (s->fail_record && csvread_record_index(r) == s->fail_record && index == 1) {
		assert_int_equal(csvread_fail(r, LNOB_E_HIER, "bad field '%s'", f), LNOB_E_HIER);
		/* The first error wins. */
		assert_int_equal(csvread_fail(r, LNOB_E_CSV, "second"), LNOB_E_HIER);
		s->failed = 1;
	}
}

static void s_record(void *ctx, csvread_t *r, size_t nfields)
{
	s_seen_t *s = ctx;
	size_t n = strlen(s->log);

	if (s->failed)
		s->calls_after++;
	snprintf(s->log + n, sizeof(s->log) - n, "%u:%zu#%zu;", csvread_line(r),
		 csvread_record_index(r), nfields);
}

static const csvread_ops_t s_ops = { s_field, s_record };

static int s_parse(const char *text, s_seen_t *seen, char *err, size_t errlen)
{
	memset(seen, 0, sizeof(*seen));
	return csvread_parse(text, strlen(text), "t.csv", &s_ops, seen, err, errlen);
}

static void test_records(void **state)
{
	s_seen_t s;
	char err[256] = "";

	(void)state;
	assert_int_equal(s_parse("\xEF\xBB\xBF" "a, b ,c\r\n"
				 "\n"
				 "  \n"
				 "1,\"two\nlines\",\t3\n"
				 "x,\"\"\"q\"\"\",\n"
				 "last,row", &s, err, sizeof(err)), 0);
	assert_string_equal(s.log,
			    "1:0:0=a|1:0:1=b|1:0:2=c|1:0#3;"
			    "4:1:0=1|4:1:1=two\nlines|4:1:2=3|4:1#3;"
			    "6:2:0=x|6:2:1=\"q\"|6:2:2=|6:2#3;"
			    "7:3:0=last|7:3:1=row|7:3#2;");
	assert_string_equal(err, "");
}

static void test_errors(void **state)
{
	s_seen_t s;
	char err[256] = "";

	(void)state;
	assert_int_equal(s_parse("", &s, err, sizeof(err)), LNOB_E_CSV);
	assert_string_equal(err, "t.csv:1: header missing");
	assert_int_equal(s_parse("\n\n", &s, err, sizeof(err)), LNOB_E_CSV);
	assert_string_equal(err, "t.csv:1: header missing");
	assert_int_equal(s_parse("a,b\nx\"y,2\n", &s, err, sizeof(err)), LNOB_E_CSV);
	assert_string_equal(err, "t.csv:2: stray quote (inside an unquoted field, or text after a "
			    "closing quote)");
	assert_int_equal(s_parse("a,b\n\"x\"y,2\n", &s, err, sizeof(err)), LNOB_E_CSV);
	assert_string_equal(err, "t.csv:2: stray quote (inside an unquoted field, or text after a "
			    "closing quote)");
	/* An open quote: the line its record starts on. */
	assert_int_equal(s_parse("a,b\n1,2\n3,\"open\n\nstill\n", &s, err, sizeof(err)), LNOB_E_CSV);
	assert_string_equal(err, "t.csv:3: unterminated quoted field");
	/* A stray quote inside a record spanning lines: the physical line. */
	assert_int_equal(s_parse("a,b\n1,\"x\ny\"z\n", &s, err, sizeof(err)), LNOB_E_CSV);
	assert_string_equal(err, "t.csv:3: stray quote (inside an unquoted field, or text after a "
			    "closing quote)");
	assert_int_equal(csvread_parse("a,b\n1,\0\n", 8, "t.csv", &s_ops, &s, err, sizeof(err)),
			 LNOB_E_CSV);
	assert_string_equal(err, "t.csv:2: NUL byte");
	assert_int_equal(csvread_parse("a,b\n", 4, "t.csv", &s_ops, &s, NULL, 0), 0);
}

static void test_callback_error(void **state)
{
	static const char text[] = "h1,h2\nA,1\n\"B\n\",2,3\nC,\"unterminated\n";
	s_seen_t s = { .fail_record = 2 };
	char err[256] = "";

	(void)state;
	assert_int_equal(csvread_parse(text, sizeof(text) - 1, "t.csv", &s_ops, &s, err, sizeof(err)),
			 LNOB_E_HIER);
	/* The record's line, not the field's; nothing after the error. */
	assert_string_equal(err, "t.csv:3: bad field '2'");
	assert_int_equal(s.calls_after, 0);
	assert_null(strstr(s.log, "C"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_callback_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
