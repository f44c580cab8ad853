/* test_render.c: view documents written out: JSON, and CSV rows chosen by
 * dotted paths, quoted as RFC 4180 wants. */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

static char *s_capture(json_t *doc, const render_col_t *cols, size_t ncol, bool csv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (csv)
		assert_int_equal(render_csv(f, json_object_get(doc, "rows"), cols, ncol), 0);
	else
		assert_int_equal(render_json(f, doc, JSON_SORT_KEYS), 0);
	fclose(f);
	return buf;
}

static void test_paths_and_text(void **state)
{
	json_t *row = json_pack("{s:s, s:{s:I, s:n}, s:f, s:b}", "key", "c1/1", "current", "at",
				(json_int_t)1705290000, "note", "share", 12.5, "ok", 1);
	char buf[64];

	(void)state;
	assert_string_equal(render_text(render_get(row, "key"), buf, sizeof(buf)), "c1/1");
	assert_string_equal(render_text(render_get(row, "current.at"), buf, sizeof(buf)),
			    "1705290000");
	assert_string_equal(render_text(render_get(row, "current.note"), buf, sizeof(buf)), "");
	assert_null(render_get(row, "current.missing"));
	assert_null(render_get(row, "key.deeper"));
	assert_string_equal(render_text(render_get(row, "share"), buf, sizeof(buf)), "12.5");
	assert_string_equal(render_text(render_get(row, "ok"), buf, sizeof(buf)), "true");
	assert_string_equal(render_text(render_get(row, "current"), buf, sizeof(buf)), "");
	json_decref(row);
}

static void test_csv(void **state)
{
	static const render_col_t cols[] = { { "key", "key" }, { "name", "name" },
					     { "at", "current.at" } };
	json_t *doc = json_pack("{s:[{s:s, s:s, s:{s:I}}, {s:s, s:s}]}", "rows",
				"key", "a", "name", "Hộ \"ông\", Y", "current", "at", (json_int_t)7,
				"key", "b", "name", "line\nbreak");
	char *out;

	(void)state;
	out = s_capture(doc, cols, 3, true);
	assert_string_equal(out, "\"key\",\"name\",\"at\"\n"
			    "\"a\",\"Hộ \"\"ông\"\", Y\",\"7\"\n"
			    "\"b\",\"line\nbreak\",\"\"\n");
	free(out);
	out = s_capture(doc, cols, 3, false);
	assert_non_null(strstr(out, "\"rows\": ["));
	assert_int_equal(out[strlen(out) - 1], '\n');
	free(out);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_and_text),
		cmocka_unit_test(test_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
