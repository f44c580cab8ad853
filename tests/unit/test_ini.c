/* test_ini.c: the INI reader (inifile.h): sections and keys with their
 * lines, in file order; the text rules (BOM, CRLF, indentation, comments);
 * lines up to INIFILE_LINE_MAX; the first error wins, inih's syntax errors
 * included; INIFILE_SECTIONS
 * (sections as objects) and INIFILE_KEYS_ONCE (keys once); reading files. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "lnob_err.h"

static inifile_t *s_parse(const char *text, unsigned flags)
{
	char err[256] = "";
	inifile_t *ini = NULL;

	if (inifile_parse(text, "t.ini", flags, &ini, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s", err);
	return ini;
}

/* Asserts that text fails with code and exactly the message want. */
static void s_refused(const char *text, unsigned flags, int code, const char *want)
{
	char err[256] = "";
	inifile_t *ini = (inifile_t *)0x1;

	assert_int_equal(inifile_parse(text, "t.ini", flags, &ini, err, sizeof(err)), code);
	assert_ptr_equal(ini, (inifile_t *)0x1);
	assert_string_equal(err, want);
}

static void test_sections(void **state)
{
	inifile_t *ini = s_parse("\xEF\xBB\xBF; a comment\r\n"
				 "# another\n"
				 "[campaign]\n"
				 "id = c1 ; inline comment\n"
				 "  indented = yes\n"
				 "empty =\n"
				 "\n"
				 "[period 2023]\n"
				 "kind: year\n"
				 "kind = again\n", INIFILE_SECTIONS);
	const inifile_section_t *s;

	(void)state;
	assert_int_equal(inifile_section_count(ini), 2);
	s = inifile_section(ini, 0);
	assert_string_equal(s->name, "campaign");
	assert_string_equal(s->type, "campaign");
	assert_string_equal(s->id, "");
	assert_int_equal(s->line, 3);
	assert_int_equal(s->n, 3);
	assert_string_equal(s->kv[0].key, "id");
	assert_string_equal(s->kv[0].value, "c1");
	assert_int_equal(s->kv[0].line, 4);
	assert_string_equal(s->kv[1].key, "indented");
	assert_string_equal(s->kv[1].value, "yes");
	assert_string_equal(s->kv[2].value, "");
	assert_string_equal(s->kv[2].section, "campaign");
	s = inifile_section(ini, 1);
	assert_string_equal(s->type, "period");
	assert_string_equal(s->id, "2023");
	assert_int_equal(s->line, 8);
	/* Without INIFILE_KEYS_ONCE a key may repeat: the first is found. */
	assert_int_equal(s->n, 2);
	assert_string_equal(inifile_section_get(s, "kind")->value, "year");
	assert_null(inifile_section_get(s, "nokey"));
	assert_null(inifile_section(ini, 2));
	/* Every key in file order, with its section. */
	assert_int_equal(inifile_entry_count(ini), 5);
	assert_string_equal(inifile_entry(ini, 3)->section, "period 2023");
	assert_int_equal(inifile_entry(ini, 4)->line, 10);
	assert_null(inifile_entry(ini, 5));
	assert_string_equal(inifile_get(ini, "period 2023", "kind")->value, "year");
	assert_null(inifile_get(ini, "period", "kind"));
	assert_null(inifile_get(ini, NULL, "kind"));
	inifile_destroy(&ini);
	assert_null(ini);
	inifile_destroy(&ini);
	inifile_destroy(NULL);
}

static void test_keys_once(void **state)
{
	inifile_t *ini = s_parse("[a]\nx=1\n[b]\nx=2\n[a]\ny=3\n", INIFILE_KEYS_ONCE);

	(void)state;
	/* A repeated header is another section record; lookups see both. */
	assert_int_equal(inifile_section_count(ini), 3);
	assert_string_equal(inifile_get(ini, "a", "y")->value, "3");
	assert_int_equal(inifile_get(ini, "a", "y")->line, 6);
	assert_string_equal(inifile_get(ini, "b", "x")->value, "2");
	assert_null(inifile_get(ini, "A", "x"));
	inifile_destroy(&ini);
	s_refused("[a]\nx=1\n[b]\nx=2\n[a]\nx=3\n", INIFILE_KEYS_ONCE, LNOB_E_CONFIG,
		  "t.ini:6: [a] x: given twice (first on line 2)");
	/* Section names as inih gives them (blanks inside the brackets kept). */
	ini = s_parse("[ a ]\nx=1\n", INIFILE_KEYS_ONCE);
	assert_string_equal(inifile_section(ini, 0)->name, " a ");
	assert_string_equal(inifile_section(ini, 0)->type, "a");
	assert_non_null(inifile_get(ini, " a ", "x"));
	inifile_destroy(&ini);
}

/* A line of any length up to INIFILE_LINE_MAX, whatever its line end, keeps
 * its value whole and the next line its number; one byte more is refused. */
static void test_long_lines(void **state)
{
	size_t n = INIFILE_LINE_MAX;
	char *text = malloc(n + 64);
	inifile_t *ini;

	(void)state;
	assert_non_null(text);
	for (int crlf = 0; crlf < 2; crlf++) {
		strcpy(text, "[a]\nk=");
		memset(text + 6, 'v', n - 2);
		strcpy(text + 4 + n, crlf ? "\r\nj = 1\n" : "\nj = 1\n");
		ini = s_parse(text, INIFILE_KEYS_ONCE);
		assert_int_equal(strlen(inifile_get(ini, "a", "k")->value), n - 2);
		assert_int_equal(inifile_get(ini, "a", "j")->line, 3);
		inifile_destroy(&ini);
		strcpy(text, "[a]\nk=");
		memset(text + 6, 'v', n - 1);
		strcpy(text + 5 + n, crlf ? "\r\n" : "");
		s_refused(text, 0, LNOB_E_CONFIG, "t.ini:2: line longer than 1048576 bytes");
	}
	free(text);
}

static void test_errors(void **state)
{
	(void)state;
	s_refused("x = 1\n", 0, LNOB_E_CONFIG, "t.ini:1: x: key outside any [section]");
	s_refused("[a]\n= 1\n", 0, LNOB_E_CONFIG, "t.ini:2: [a]: empty key");
	s_refused("[a]\nx = 1\nnot a key\n", 0, LNOB_E_CONFIG,
		  "t.ini:3: syntax error (expected [section] or key = value)");
	/* The first error by line wins: inih's syntax error or ours. */
	s_refused("[a]\nbad\nx=1\nx=2\n", INIFILE_KEYS_ONCE, LNOB_E_CONFIG,
		  "t.ini:2: syntax error (expected [section] or key = value)");
	s_refused("[a]\nx=1\nx=2\nbad\n", INIFILE_KEYS_ONCE, LNOB_E_CONFIG,
		  "t.ini:3: [a] x: given twice (first on line 2)");
	/* Nothing after the first error is read. */
	s_refused("[a]\n= 1\n[a\n", 0, LNOB_E_CONFIG, "t.ini:2: [a]: empty key");
	assert_int_equal(inifile_parse(NULL, "t.ini", 0, &(inifile_t *){ NULL }, NULL, 0), -EINVAL);
	assert_int_equal(inifile_parse("", "t.ini", 0, NULL, NULL, 0), -EINVAL);
}

static void test_objects(void **state)
{
	char name[64], text[128];

	(void)state;
	s_refused("[a]\nx=1\n[b]\ny=1\n[a]\nz=1\n", INIFILE_SECTIONS, LNOB_E_CONFIG,
		  "t.ini:5: [a]: section given twice (first on line 1)");
	s_refused("[a]\n[b]\ny=1\n", INIFILE_SECTIONS, LNOB_E_CONFIG, "t.ini:1: empty section");
	s_refused("[a]\nx=1\n[b]\n; only a comment\n", INIFILE_SECTIONS, LNOB_E_CONFIG,
		  "t.ini:3: empty section");
	s_refused("[target a b]\nx=1\n", INIFILE_SECTIONS, LNOB_E_CONFIG,
		  "t.ini:1: [target a b]: a section name is a type and at most one id");
	memset(name, 'n', 49);
	name[49] = '\0';
	snprintf(text, sizeof(text), "[%s]\nx=1\n", name);
	s_refused(text, INIFILE_SECTIONS, LNOB_E_CONFIG, "t.ini:1: [nnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
		  "nnnnnnnnnnnnnnnnnnnn]: section name longer than 48 bytes");
	snprintf(text, sizeof(text), "[a]\n%s = 1\n", name);
	s_refused(text, INIFILE_SECTIONS, LNOB_E_CONFIG, "t.ini:2: [a] nnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
		  "nnnnnnnnnnnnnnnnnnnn: key longer than 48 bytes");
	/* The same files without INIFILE_SECTIONS. */
	inifile_destroy(&(inifile_t *){ s_parse("[a]\n[b]\ny=1\n[a]\nz=1\n", 0) });
	inifile_destroy(&(inifile_t *){ s_parse(text, 0) });
	/* An empty section and a syntax error on a later line: the section. */
	s_refused("[a]\n[b\nx=1\n", INIFILE_SECTIONS, LNOB_E_CONFIG, "t.ini:1: empty section");
}

static void test_messages(void **state)
{
	char err[16] = "";
	inifile_t *ini = NULL;

	(void)state;
	/* A message cut short by the buffer; NULL buffers are allowed. */
	assert_int_equal(inifile_parse("x=1\n", "t.ini", 0, &ini, err, sizeof(err)), LNOB_E_CONFIG);
	assert_string_equal(err, "t.ini:1: x: key");
	assert_int_equal(inifile_parse("x=1\n", NULL, 0, &ini, NULL, 0), LNOB_E_CONFIG);
	assert_int_equal(inifile_parse("[a]\nx=1\n", NULL, 0, &ini, NULL, 0), 0);
	inifile_destroy(&ini);
}

static void test_read_text(void **state)
{
	const char *dir = tu_tmpdir();
	char path[4200], err[4400] = "", want[4400];
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s", tu_write(dir, "a.ini", "[a]\nx = 1\n", 0600));
	assert_int_equal(inifile_read_text(path, 100, &text, &len, err, sizeof(err)), 0);
	assert_string_equal(text, "[a]\nx = 1\n");
	assert_int_equal(len, 10);
	free(text);
	text = NULL;
	assert_int_equal(inifile_read_text(path, 9, &text, &len, err, sizeof(err)), LNOB_E_CONFIG);
	snprintf(want, sizeof(want), "%s: larger than 9 bytes", path);
	assert_string_equal(err, want);
	assert_null(text);
	snprintf(path, sizeof(path), "%s/nul.ini", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite("[a]\nk=1\nj=x\0y\n", 1, 15, f), 15);
	fclose(f);
	assert_int_equal(inifile_read_text(path, 100, &text, &len, err, sizeof(err)), LNOB_E_CONFIG);
	snprintf(want, sizeof(want), "%s:3: NUL byte in line", path);
	assert_string_equal(err, want);
	snprintf(path, sizeof(path), "%s/absent.ini", dir);
	assert_int_equal(inifile_read_text(path, 100, &text, &len, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot read"));
	assert_null(text);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_keys_once),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_read_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
