/* test_export.c: the export (export.h). export_render() of a small
 * document: the CSV byte for byte (BOM, libcsv quoting, CRLF, empty fields
 * for null, percent numbers, ISO times in the offset), the workbook a ZIP
 * with no temporary file left behind, a malformed document refused; and
 * export_build() on aggtest's small province: the rows of the children and
 * of a level, the late and missing sheet, and the errors that name the
 * known campaigns, periods and levels. */
#include "testutil.h"
#include "aggtest.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "lnob_err.h"
#include "util.h"

static const char s_doc[] =
	"{\"utc_offset_s\": 25200, \"sheets\": [{\"id\": \"summary\", \"name\": \"Tổng hợp\","
	" \"columns\": [{\"id\": \"code\", \"header\": \"Mã đơn vị\", \"type\": \"text\"},"
	"  {\"id\": \"name\", \"header\": \"Tên\", \"type\": \"text\"},"
	"  {\"id\": \"n\", \"header\": \"Số hộ\", \"type\": \"integer\"},"
	"  {\"id\": \"r\", \"header\": \"Tỷ lệ (%)\", \"type\": \"percent\"},"
	"  {\"id\": \"d\", \"header\": \"Thay đổi\", \"type\": \"decimal\"},"
	"  {\"id\": \"t\", \"header\": \"Hạn\", \"type\": \"time\"}],"
	" \"rows\": [{\"code\": \"C1\", \"name\": \"Xã \\\"A\\\", B\", \"n\": 12, \"r\": 5.25,"
	"            \"d\": -1.5, \"t\": 1701709200},"
	"          {\"code\": \"C2\", \"name\": \"Xã C\", \"n\": null, \"r\": null, \"d\": null,"
	"           \"t\": null}]}]}";

static json_t *s_load(const char *text)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);

	if (!doc)
		fail_msg("json: %s", je.text);
	return doc;
}

static void test_render_csv(void **state)
{
	static const char want[] =
		"\xEF\xBB\xBF\"Mã đơn vị\",\"Tên\",\"Số hộ\",\"Tỷ lệ (%)\",\"Thay đổi\",\"Hạn\"\r\n"
		"\"C1\",\"Xã \"\"A\"\", B\",\"12\",\"5.25\",\"-1.5\",\"2023-12-05T00:00:00+07:00\"\r\n"
		"\"C2\",\"Xã C\",\"\",\"\",\"\",\"\"\r\n";
	json_t *doc = s_load(s_doc);
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[256] = "";

	(void)state;
	assert_int_equal(export_render(doc, EXPORT_CSV, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(buf, want, len);
	free(buf);
	assert_int_equal(export_render_csv(doc, "late", &buf, &len, err, sizeof(err)),
			 LNOB_E_NOTFOUND);
	assert_non_null(strstr(err, "late"));
	json_decref(doc);
}

/* How many entries dir holds (besides . and ..). */
static int s_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_render_xlsx(void **state)
{
	json_t *doc = s_load(s_doc);
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[256] = "", *dir = strdup(tu_tmpdir());

	(void)state;
	assert_non_null(dir);
	setenv("TMPDIR", dir, 1);
	assert_int_equal(export_render(doc, EXPORT_XLSX, &buf, &len, err, sizeof(err)), 0);
	assert_true(len > 1000);
	assert_memory_equal(buf, "PK\x03\x04", 4);
	assert_int_equal(s_entries(dir), 0);
	free(buf);
	/* a workbook that cannot be started: nothing returned, nothing left */
	setenv("TMPDIR", "/nonexistent-lnob-dir", 1);
	assert_true(export_render(doc, EXPORT_XLSX, &buf, &len, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent-lnob-dir"));
	unsetenv("TMPDIR");
	tu_rmtree(dir);
	free(dir);
	json_decref(doc);
}

static void test_render_bad(void **state)
{
	json_t *doc = s_load("{\"sheets\": [{\"id\": \"summary\", \"name\": \"x\", \"columns\":"
			     " [{\"id\": \"a\", \"header\": \"A\", \"type\": \"money\"}], \"rows\": []}]}");
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[256] = "";

	(void)state;
	assert_int_equal(export_render(doc, EXPORT_XLSX, &buf, &len, err, sizeof(err)),
			 LNOB_E_INVALID);
	assert_int_equal(export_render(doc, EXPORT_CSV, &buf, &len, err, sizeof(err)),
			 LNOB_E_INVALID);
	assert_non_null(strstr(err, "column 0"));
	json_decref(doc);
	doc = s_load("{}");
	assert_int_equal(export_render(doc, EXPORT_XLSX, &buf, &len, err, sizeof(err)),
			 LNOB_E_INVALID);
	assert_null(buf);
	json_decref(doc);
	assert_string_equal(export_ext(EXPORT_CSV), "csv");
	assert_string_equal(export_ext(EXPORT_XLSX), "xlsx");
}

/* ---- export_build on the small province -------------------------------- */

static const char s_campaign[] =
	"[campaign]\nid = " AT_CAMPAIGN "\nname = t\nstart = 2021-01-01\nend = 2025-12-31\n"
	"baseline_date = 2020-12-31\nutc_offset = +07:00\n"
	"levels = province, district, commune, village\nreported_by = village\n"
	"baseline_file = b.csv\n"
	"[indicators]\nhh = count\npoor = count\npoor_rate = rate poor / hh\n"
	"[labels]\nhh = Tổng số hộ\npoor_rate = Tỷ lệ hộ nghèo\n"
	"[deadlines]\nvillage = before 12-05\n"
	"[period 2022]\nkind = year\nstart = 2022-01-01\nend = 2022-12-31\n"
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n"
	"[target d]\nlevels = district, commune\ngoal = poverty\nindicator = poor_rate\n"
	"down_points = 3\n";

#define R(...) (&(at_report_t){ __VA_ARGS__ })

/* V1 and V2 report 2023, V3 does not. */
static void s_world(at_world_t *w)
{
	at_setup(w, AT_UNITS);
	at_file(w, "b.csv", "unit,hh,poor\nV1,100,20\nV2,100,40\nV3,200,10\n");
	at_campaign(w, s_campaign);
	(void)at_node(w, "n1", "P");
	assert_int_equal(at_send(w, 0, R(.period = "2023", .unit = "V1", .values = "hh=100,poor=10"),
				 NULL), 0);
	assert_int_equal(at_send(w, 0, R(.period = "2023", .unit = "V2", .values = "hh=100,poor=20"),
				 NULL), 0);
}

/* export_build() of unit code (level may be NULL); the result or the error. */
static int s_build(at_world_t *w, const char *campaign, const char *period, const char *code,
		   const char *level, json_t **ret, char *err, size_t errlen)
{
	export_opts_t o = { .campaigns = &w->camps, .campaign = campaign, .period = period,
			    .unit = hier_find(w->hier, code), .level = level, .now = lnob_now_s() };
	MDB_txn *txn;
	int r;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	r = export_build(w->st, txn, w->hier, &o, ret, err, errlen);
	store_abort(&txn);
	return r;
}

/* The codes of a sheet's rows, comma-separated, into buf. */
static const char *s_codes(const json_t *doc, size_t sheet, char *buf, size_t len)
{
	const json_t *row;
	size_t i;

	buf[0] = '\0';
	json_array_foreach(json_object_get(json_array_get(json_object_get(doc, "sheets"), sheet),
					   "rows"), i, row)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? "," : "",
			 json_string_value(json_object_get(row, "code")));
	return buf;
}

static void test_build(void **state)
{
	at_world_t w;
	json_t *doc = NULL;
	const json_t *p;
	char err[512], codes[256];

	(void)state;
	s_world(&w);
	assert_int_equal(s_build(&w, AT_CAMPAIGN, "2023", "P", NULL, &doc, err, sizeof(err)), 0);
	assert_string_equal(s_codes(doc, 0, codes, sizeof(codes)), "P,D1");
	assert_string_equal(s_codes(doc, 1, codes, sizeof(codes)), "V3");
	assert_string_equal(export_filename(doc, EXPORT_XLSX, NULL, codes, sizeof(codes)),
			    "lnob-" AT_CAMPAIGN "-2023-P.xlsx");
	assert_string_equal(export_filename(doc, EXPORT_CSV, "late", codes, sizeof(codes)),
			    "lnob-" AT_CAMPAIGN "-2023-P-late.csv");
	assert_string_equal(export_filename(doc, EXPORT_CSV, "late", codes, 10), "");
	p = json_array_get(json_object_get(json_array_get(json_object_get(doc, "sheets"), 0),
					   "rows"), 0);
	assert_int_equal(json_integer_value(json_object_get(p, "hh")), 200);
	assert_true(json_is_null(json_object_get(p, "poor_rate.change_previous")));
	assert_int_equal(json_integer_value(json_object_get(p, "expected")), 3);
	assert_int_equal(json_integer_value(json_object_get(p, "missing")), 1);
	json_decref(doc);
	assert_int_equal(s_build(&w, AT_CAMPAIGN, "2023", "D1", "commune", &doc, err, sizeof(err)),
			 0);
	assert_string_equal(s_codes(doc, 0, codes, sizeof(codes)), "D1,C1,C2");
	json_decref(doc);

	assert_int_equal(s_build(&w, AT_CAMPAIGN, "2030", "P", NULL, &doc, err, sizeof(err)),
			 LNOB_E_NOTFOUND);
	assert_non_null(strstr(err, "(2022, 2023)"));
	assert_int_equal(s_build(&w, "other", "2023", "P", NULL, &doc, err, sizeof(err)),
			 LNOB_E_NOTFOUND);
	assert_non_null(strstr(err, "(" AT_CAMPAIGN ")"));
	assert_int_equal(s_build(&w, AT_CAMPAIGN, "2023", "P", "hamlet", &doc, err, sizeof(err)),
			 LNOB_E_NOTFOUND);
	assert_non_null(strstr(err, "province, district, commune, village"));
	assert_int_equal(s_build(&w, AT_CAMPAIGN, "2023", "C1", "district", &doc, err, sizeof(err)),
			 LNOB_E_NOTFOUND);
	assert_non_null(strstr(err, "below C1"));
	assert_int_equal(s_build(&w, AT_CAMPAIGN, "2023", "nope", NULL, &doc, err, sizeof(err)),
			 LNOB_E_NOTFOUND);
	at_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_csv),
		cmocka_unit_test(test_render_xlsx),
		cmocka_unit_test(test_render_bad),
		cmocka_unit_test(test_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
