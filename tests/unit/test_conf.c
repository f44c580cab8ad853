/* test_conf.c: INI loading, line numbers, duplicate and unknown keys, typed getters. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "lnob_err.h"

/* Asserts that err mentions ":<line>:" and, when given, the text want. */
static void s_assert_err_at(const char *err, unsigned line, const char *want)
{
	char tag[32];

	snprintf(tag, sizeof(tag), ":%u:", line);
	if (!strstr(err, tag) || (want && !strstr(err, want)))
		fail_msg("error '%s' lacks '%s' or '%s'", err, tag, want ? want : "");
}

/* Loads text that must parse; fails the test otherwise. */
static conf_t *s_load(const char *text)
{
	conf_t *c = NULL;
	char err[256] = "";

	if (conf_load_mem(text, "t.conf", &c, err, sizeof(err)) != 0)
		fail_msg("load failed: %s", err);
	assert_non_null(c);
	return c;
}

/* Loads text that must fail with code; returns the message in err. */
static void s_load_fails(const char *text, int code, char *err, size_t errlen)
{
	conf_t *c = (conf_t *)(uintptr_t)0x1;  /* must stay unwritten */

	err[0] = '\0';
	assert_int_equal(conf_load_mem(text, "t.conf", &c, err, errlen), code);
	assert_ptr_equal(c, (conf_t *)(uintptr_t)0x1);
	assert_true(err[0] != '\0');
}

static void test_happy(void **state)
{
	const char *text =
		"; collector settings\n"
		"# another comment\n"
		"\n"
		"[uplink]\n"
		"endpoint = tcp://agg:5555\n"
		"window=10 ; inline comment\n"
		"  indented = yes\n"
		"  second = also a key\n"
		"empty =\n"
		"[store]\n"
		"path: /var/lib/lnob\n";
	conf_t *c = s_load(text);
	const char *s = NULL;
	char err[256] = "";

	(void)state;
	assert_string_equal(conf_name(c), "t.conf");
	assert_int_equal(conf_str(c, "uplink", "endpoint", NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "tcp://agg:5555");
	assert_int_equal(conf_str(c, "uplink", "window", NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "10");
	assert_int_equal(conf_str(c, "uplink", "indented", NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "yes");
	assert_int_equal(conf_str(c, "uplink", "second", NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "also a key");
	assert_int_equal(conf_str(c, "uplink", "empty", NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "");
	assert_int_equal(conf_str(c, "store", "path", NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "/var/lib/lnob");
	/* Absent: the default, or "missing" when there is none. */
	assert_int_equal(conf_str(c, "store", "mode", "fast", &s, err, sizeof(err)), 0);
	assert_string_equal(s, "fast");
	s = "untouched";
	assert_int_equal(conf_str(c, "uplink", "nokey", NULL, &s, err, sizeof(err)), LNOB_E_CONFIG);
	assert_string_equal(err, "t.conf: [uplink] nokey: missing");
	assert_string_equal(s, "untouched");
	/* Sections and keys are case-sensitive. */
	assert_int_equal(conf_str(c, "Uplink", "endpoint", NULL, &s, err, sizeof(err)), LNOB_E_CONFIG);
	/* A NULL err is allowed. */
	assert_int_equal(conf_str(c, "uplink", "nokey", NULL, &s, NULL, 0), LNOB_E_CONFIG);
	conf_destroy(&c);
	assert_null(c);
	conf_destroy(&c);
	conf_destroy(NULL);
}

static void test_bom_crlf(void **state)
{
	conf_t *c = s_load("\xEF\xBB\xBF[a]\r\nx = 1\r\ny = two words \r\n");
	const char *s = NULL;
	uint64_t v = 0;
	char err[256] = "";

	(void)state;
	assert_int_equal(conf_u64(c, "a", "x", true, 0, 0, 10, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 1);
	assert_int_equal(conf_str(c, "a", "y", NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "two words");
	conf_destroy(&c);
}

static void test_file(void **state)
{
	const char *dir = tu_tmpdir();
	char path[4096], err[512] = "", want[4200];
	const char *const allowed[] = { "uplink.endpoint", "uplink.window", NULL };
	conf_t *c = NULL;
	const char *s = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s", tu_write(dir, "collector.conf",
		"[uplink]\n"
		"endpoint = tcp://x:1\n"
		"\n"
		"window = 5\n"
		"\n"
		"; typo below\n"
		"windw = 6\n", 0600));
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(conf_name(c), path);
	assert_int_equal(conf_str(c, "uplink", "endpoint", NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "tcp://x:1");
	assert_int_equal(conf_check_keys(c, allowed, err, sizeof(err)), LNOB_E_CONFIG);
	snprintf(want, sizeof(want), "%s:7: [uplink] windw: unknown key", path);
	assert_string_equal(err, want);
	conf_destroy(&c);
	tu_rmtree(dir);
}

static void test_unreadable(void **state)
{
	const char *dir = tu_tmpdir();
	char path[4096], err[512] = "";
	conf_t *c = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/absent.conf", dir);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), -ENOENT);
	assert_null(c);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "cannot read"));
	/* A directory cannot be read either (mode bits do not stop root). */
	assert_int_equal(conf_load(dir, &c, err, sizeof(err)), -EISDIR);
	assert_null(c);
	/* A NUL byte is refused with its line, not silently cut. */
	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite("[a]\nk=1\nj=x\0y\n", 1, 15, f), 15);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), LNOB_E_CONFIG);
	assert_null(c);
	s_assert_err_at(err, 3, "NUL byte");
	tu_rmtree(dir);
}

static void test_check_keys(void **state)
{
	const char *const allowed[] = { "a.x", "a.y", "b.x", NULL };
	const char *const none[] = { NULL };
	conf_t *c = s_load("[a]\nx=1\ny=2\n[b]\nx=3\n[a]\nz=4\n");
	char err[256] = "";

	(void)state;
	assert_int_equal(conf_check_keys(c, allowed, err, sizeof(err)), LNOB_E_CONFIG);
	assert_string_equal(err, "t.conf:7: [a] z: unknown key");
	conf_destroy(&c);

	c = s_load("[a]\nx=1\n[b]\nx=2\n");
	assert_int_equal(conf_check_keys(c, allowed, err, sizeof(err)), 0);
	/* "a.x" must not match section "a" key "x" by prefix tricks. */
	assert_int_equal(conf_check_keys(c, none, err, sizeof(err)), LNOB_E_CONFIG);
	assert_string_equal(err, "t.conf:2: [a] x: unknown key");
	conf_destroy(&c);

	c = s_load("[a.x]\ny=1\n");
	assert_int_equal(conf_check_keys(c, allowed, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err_at(err, 2, "[a.x] y: unknown key");
	conf_destroy(&c);
}

static void test_duplicate(void **state)
{
	char err[256];

	(void)state;
	s_load_fails("[uplink]\nwindow = 1\nendpoint = x\n\nwindow = 2\n", LNOB_E_CONFIG,
		     err, sizeof(err));
	assert_string_equal(err, "t.conf:5: [uplink] window: given twice (first on line 2)");
	/* Also when the section is opened again. */
	s_load_fails("[a]\nk=1\n[b]\nk=2\n[a]\nk=3\n", LNOB_E_CONFIG, err, sizeof(err));
	s_assert_err_at(err, 6, "[a] k: given twice (first on line 2)");
	/* An indented repeat is a key too, not a continuation. */
	s_load_fails("[a]\nk=1\n   k=2\n", LNOB_E_CONFIG, err, sizeof(err));
	s_assert_err_at(err, 3, "first on line 2");
}

static void test_same_key_other_section(void **state)
{
	conf_t *c = s_load("[a]\nk=1\n[b]\nk=2\n");
	const char *s = NULL;
	char err[256];

	(void)state;
	assert_int_equal(conf_str(c, "a", "k", NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "1");
	assert_int_equal(conf_str(c, "b", "k", NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "2");
	conf_destroy(&c);
}

static void test_syntax(void **state)
{
	char err[256], longline[512];

	(void)state;
	s_load_fails("[a]\nk=1\n\nnot a key value line\n", LNOB_E_CONFIG, err, sizeof(err));
	s_assert_err_at(err, 4, "syntax error");
	assert_non_null(strstr(err, "t.conf:4:"));
	s_load_fails("[a]\nk=1\n[broken\nj=2\n", LNOB_E_CONFIG, err, sizeof(err));
	s_assert_err_at(err, 3, "syntax error");
	/* The earlier of a syntax error and a duplicate wins. */
	s_load_fails("[a]\nk=1\ngarbage\nk=2\n", LNOB_E_CONFIG, err, sizeof(err));
	s_assert_err_at(err, 3, "syntax error");
	s_load_fails("[a]\nk=1\nk=2\ngarbage\n", LNOB_E_CONFIG, err, sizeof(err));
	s_assert_err_at(err, 3, "given twice");
	s_load_fails("k=1\n[a]\n", LNOB_E_CONFIG, err, sizeof(err));
	s_assert_err_at(err, 1, "k: key outside any [section]");
	s_load_fails("[a]\n\n= 1\n", LNOB_E_CONFIG, err, sizeof(err));
	s_assert_err_at(err, 3, "[a]: empty key");
	/* A line longer than the 198 bytes inih once held is read whole. */
	memset(longline, 'v', sizeof(longline));
	memcpy(longline, "[a]\nk=", 6);
	memcpy(longline + sizeof(longline) - 7, "\nj=1\n", 6);
	{
		conf_t *c = s_load(longline);
		const char *s = NULL;

		assert_int_equal(conf_str(c, "a", "k", NULL, &s, err, sizeof(err)), 0);
		assert_int_equal(strlen(s), sizeof(longline) - 13);
		conf_destroy(&c);
	}
}

static void test_u64(void **state)
{
	conf_t *c = s_load(
		"[n]\n"
		"ok = 42\n"
		"zero = 0\n"
		"ten = ten\n"
		"neg = -1\n"
		"trail = 10x\n"
		"plus = +5\n"
		"space = 1 2\n"
		"big = 18446744073709551615\n"
		"over = 18446744073709551616\n"
		"huge = 99999999999999999999999999\n"
		"empty =\n"
		"hex = 0x10\n"
		"low = 3\n"
		"high = 101\n");
	uint64_t v;
	char err[256];

	(void)state;
	v = 7;
	assert_int_equal(conf_u64(c, "n", "ok", true, 0, 0, 100, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 42);
	assert_int_equal(conf_u64(c, "n", "zero", true, 9, 0, 100, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0);
	assert_int_equal(conf_u64(c, "n", "big", true, 0, 0, UINT64_MAX, &v, err, sizeof(err)), 0);
	assert_true(v == UINT64_MAX);
	/* Absent: default, or missing when required. */
	assert_int_equal(conf_u64(c, "n", "absent", false, 17, 0, 100, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 17);
	v = 7;
	assert_int_equal(conf_u64(c, "n", "absent", true, 17, 0, 100, &v, err, sizeof(err)),
			 LNOB_E_CONFIG);
	assert_string_equal(err, "t.conf: [n] absent: missing");
	assert_int_equal(v, 7);

	assert_int_equal(conf_u64(c, "n", "ten", true, 0, 0, 100, &v, err, sizeof(err)), LNOB_E_CONFIG);
	assert_string_equal(err, "t.conf:4: [n] ten: not a number: 'ten'");
	assert_int_equal(conf_u64(c, "n", "neg", true, 0, 0, 100, &v, err, sizeof(err)), LNOB_E_CONFIG);
	assert_string_equal(err, "t.conf:5: [n] neg: out of range (min 0, max 100): '-1'");
	assert_int_equal(conf_u64(c, "n", "trail", true, 0, 0, 100, &v, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err_at(err, 6, "[n] trail: not a number: '10x'");
	assert_int_equal(conf_u64(c, "n", "plus", true, 0, 0, 100, &v, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err_at(err, 7, "not a number");
	assert_int_equal(conf_u64(c, "n", "space", true, 0, 0, 100, &v, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err_at(err, 8, "not a number");
	assert_int_equal(conf_u64(c, "n", "over", true, 0, 0, UINT64_MAX, &v, err, sizeof(err)),
			 LNOB_E_CONFIG);
	s_assert_err_at(err, 10, "out of range (min 0, max 18446744073709551615)");
	assert_int_equal(conf_u64(c, "n", "huge", true, 0, 0, 100, &v, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err_at(err, 11, "out of range");
	assert_int_equal(conf_u64(c, "n", "empty", false, 5, 0, 100, &v, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err_at(err, 12, "not a number: ''");
	assert_int_equal(conf_u64(c, "n", "hex", true, 0, 0, 100, &v, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err_at(err, 13, "not a number");
	/* Bounds are inclusive. */
	assert_int_equal(conf_u64(c, "n", "low", true, 0, 4, 100, &v, err, sizeof(err)), LNOB_E_CONFIG);
	assert_string_equal(err, "t.conf:14: [n] low: out of range (min 4, max 100): '3'");
	assert_int_equal(conf_u64(c, "n", "low", true, 0, 3, 3, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 3);
	assert_int_equal(conf_u64(c, "n", "high", true, 0, 1, 100, &v, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err_at(err, 15, "min 1, max 100");
	assert_int_equal(conf_u64(c, "n", "high", true, 0, 1, 101, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 101);
	conf_destroy(&c);
}

static void test_bool(void **state)
{
	static const struct { const char *text; bool want; } cases[] = {
		{ "yes", true }, { "no", false }, { "true", true }, { "false", false },
		{ "1", true }, { "0", false }, { "on", true }, { "off", false },
		{ "YES", true }, { "Off", false },
	};
	char text[64], err[256];
	bool b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		conf_t *c;

		snprintf(text, sizeof(text), "[f]\nflag = %s\n", cases[i].text);
		c = s_load(text);
		b = !cases[i].want;
		assert_int_equal(conf_bool(c, "f", "flag", !cases[i].want, &b, err, sizeof(err)), 0);
		assert_int_equal(b, cases[i].want);
		conf_destroy(&c);
	}

	conf_t *c = s_load("[f]\n\nflag = maybe\nnum = 2\n");
	b = true;
	assert_int_equal(conf_bool(c, "f", "flag", false, &b, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err_at(err, 3, "[f] flag: not a boolean");
	assert_non_null(strstr(err, "'maybe'"));
	assert_true(b);
	assert_int_equal(conf_bool(c, "f", "num", false, &b, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err_at(err, 4, "'2'");
	assert_int_equal(conf_bool(c, "f", "absent", false, &b, err, sizeof(err)), 0);
	assert_false(b);
	assert_int_equal(conf_bool(c, "f", "absent", true, &b, err, sizeof(err)), 0);
	assert_true(b);
	conf_destroy(&c);
}

static void test_empty(void **state)
{
	conf_t *c = s_load("");
	const char *const none[] = { NULL };
	char err[64];

	(void)state;
	assert_int_equal(conf_check_keys(c, none, err, sizeof(err)), 0);
	conf_destroy(&c);
	c = s_load("; only a comment\n\n");
	conf_destroy(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_happy),
		cmocka_unit_test(test_bom_crlf),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_check_keys),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_same_key_other_section),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
