/* test_xlsx_read.c: the pure parts of the xlsx intake: A1 references both
 * ways, the workbook's sheets (through its relationships) and defined
 * names, shared strings with rich text and phonetic runs, and a sheet's
 * cells (shared, inline, numbers, formulas, cells without r, every error
 * naming the part); and a template written by template.c read back by
 * the intake (an unfilled one has no reports). */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"
#include "hierarchy.h"
#include "intake.h"
#include "lnob_err.h"
#include "template.h"
#include "xlsx_read.h"

static char s_err[512];

static void test_refs(void **state)
{
	uint32_t row = 0, col = 0;
	char out[16];

	(void)state;
	assert_int_equal(xlsx_ref_parse("D14", &row, &col), 0);
	assert_int_equal(row, 14);
	assert_int_equal(col, 3);
	assert_int_equal(xlsx_ref_parse("$AA$1", &row, &col), 0);
	assert_int_equal(col, 26);
	assert_int_equal(xlsx_ref_parse("XFD1048576", &row, &col), 0);
	assert_int_equal(col, 16383);
	assert_int_equal(row, 1048576);
	row = 7;
	assert_int_equal(xlsx_ref_parse("XFE1", &row, &col), -EINVAL);
	assert_int_equal(xlsx_ref_parse("A1048577", &row, &col), -EINVAL);
	assert_int_equal(xlsx_ref_parse("A0", &row, &col), -EINVAL);
	assert_int_equal(xlsx_ref_parse("A01", &row, &col), -EINVAL);
	assert_int_equal(xlsx_ref_parse("1", &row, &col), -EINVAL);
	assert_int_equal(xlsx_ref_parse("a1", &row, &col), -EINVAL);
	assert_int_equal(xlsx_ref_parse("A1x", &row, &col), -EINVAL);
	assert_int_equal(xlsx_ref_parse("", &row, &col), -EINVAL);
	assert_int_equal(row, 7);   /* not written on failure */
	assert_string_equal(xlsx_ref(14, 3, out), "D14");
	assert_string_equal(xlsx_ref(1, 25, out), "Z1");
	assert_string_equal(xlsx_ref(1, 26, out), "AA1");
	assert_string_equal(xlsx_ref(1048576, 16383, out), "XFD1048576");
	for (uint32_t c = 0; c < XLSX_COL_MAX; c += 7) {
		assert_int_equal(xlsx_ref_parse(xlsx_ref(9, c, out), &row, &col), 0);
		assert_int_equal(col, c);
	}
}

static const char s_wb[] =
	"<?xml version=\"1.0\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/"
	"spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/"
	"2006/relationships\"><sheets><sheet name=\"Xã\" sheetId=\"1\" r:id=\"rId2\"/>"
	"<sheet name=\"village\" sheetId=\"2\" r:id=\"rId1\"/></sheets><definedNames>"
	"<definedName name=\"lnob_period\">\"2023\"</definedName><definedName "
	"name=\"q\">\"a\"\"b\"</definedName><definedName name=\"r\">Xã!$A$1</definedName>"
	"</definedNames></workbook>";
static const char s_rels[] =
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"t\" Target=\"worksheets/sheet2.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"t\" Target=\"/xl/worksheets/sheet1.xml\"/>"
	"</Relationships>";

static void test_book(void **state)
{
	xlsx_book_t b = { 0 };

	(void)state;
	assert_int_equal(xlsx_book_parse(s_wb, strlen(s_wb), s_rels, strlen(s_rels), &b, s_err,
					 sizeof(s_err)), 0);
	assert_int_equal(b.nsheets, 2);
	assert_string_equal(b.sheets[0].name, "Xã");
	assert_string_equal(b.sheets[0].part, "xl/worksheets/sheet1.xml");
	assert_string_equal(b.sheets[1].part, "xl/worksheets/sheet2.xml");
	assert_string_equal(xlsx_book_name(&b, "lnob_period"), "2023");
	assert_string_equal(xlsx_book_name(&b, "q"), "a\"b");
	assert_string_equal(xlsx_book_name(&b, "r"), "Xã!$A$1");
	assert_null(xlsx_book_name(&b, "lnob_campaign"));
	xlsx_book_clear(&b);
	assert_int_equal(xlsx_book_parse("<workbook", 9, s_rels, strlen(s_rels), &b, s_err,
					 sizeof(s_err)), LNOB_E_INVALID);
	assert_string_equal(s_err, "xl/workbook.xml: malformed XML");
	xlsx_book_clear(&b);
	assert_int_equal(xlsx_book_parse(s_wb, strlen(s_wb), "<Relationships/>", 16, &b, s_err,
					 sizeof(s_err)), LNOB_E_INVALID);
	assert_string_equal(s_err, "xl/workbook.xml: sheet 1: no name or no part");
	xlsx_book_clear(&b);
	assert_int_equal(xlsx_book_parse("<workbook/>", 11, s_rels, strlen(s_rels), &b, s_err,
					 sizeof(s_err)), LNOB_E_INVALID);
	assert_string_equal(s_err, "xl/workbook.xml: no sheets");
	xlsx_book_clear(&b);
}

static const char s_sst[] =
	"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	"<si><t>unit</t></si><si><r><t>Số hộ </t></r><r><rPr/><t>nghèo</t></r>"
	"<rPh><t>ふりがな</t></rPh></si><si><t xml:space=\"preserve\"> -3</t></si></sst>";

/* The shared strings above, parsed. */
static void t_shared(xlsx_strings_t *ss)
{
	assert_int_equal(xlsx_shared_parse(s_sst, strlen(s_sst), ss, s_err, sizeof(s_err)), 0);
}

static void test_shared(void **state)
{
	xlsx_strings_t ss = { 0 };

	(void)state;
	t_shared(&ss);
	assert_int_equal(ss.n, 3);
	assert_string_equal(ss.v[0], "unit");
	assert_string_equal(ss.v[1], "Số hộ nghèo");
	assert_string_equal(ss.v[2], " -3");
	assert_int_equal(xlsx_shared_parse("<sst><si>", 9, &ss, s_err, sizeof(s_err)),
			 LNOB_E_INVALID);
	assert_string_equal(s_err, "xl/sharedStrings.xml: malformed XML");
	xlsx_strings_clear(&ss);
}

/* Parses a sheet whose <sheetData> is data. */
static int t_sheet(const char *data, const xlsx_strings_t *ss, xlsx_cells_t *cells)
{
	char xml[2048];

	snprintf(xml, sizeof(xml), "<worksheet xmlns=\"http://schemas.openxmlformats.org/"
		 "spreadsheetml/2006/main\"><sheetData>%s</sheetData></worksheet>", data);
	s_err[0] = '\0';
	return xlsx_sheet_parse("xl/worksheets/sheet1.xml", xml, strlen(xml), ss, cells, s_err,
				sizeof(s_err));
}

static void test_sheet(void **state)
{
	xlsx_strings_t ss = { 0 };
	xlsx_cells_t c = { 0 };

	(void)state;
	t_shared(&ss);
	assert_int_equal(t_sheet("<row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c><c r=\"E3\" s=\"1\"/>"
				 "<c r=\"D3\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
				 "<row r=\"2\"><c><v>17</v></c><c t=\"s\"><v>1</v></c>"
				 "<c r=\"F2\"><f>A1+1</f></c><c><v>2.5</v></c></row>", &ss, &c), 0);
	assert_int_equal(c.n, 6);
	/* Sorted by row then column; the styled blank E3 is no cell. */
	assert_int_equal(c.v[0].row, 2);
	assert_int_equal(c.v[0].col, 0);
	assert_string_equal(c.v[0].text, "17");
	assert_int_equal(c.v[1].col, 1);
	assert_string_equal(c.v[1].text, "Số hộ nghèo");
	assert_int_equal(c.v[2].col, 5);
	assert_true(c.v[2].formula);
	assert_int_equal(c.v[3].col, 6);
	assert_string_equal(c.v[3].text, "2.5");
	assert_false(c.v[3].formula);
	assert_int_equal(c.v[4].row, 3);
	assert_string_equal(c.v[4].text, "unit");
	assert_int_equal(c.v[5].col, 3);
	assert_string_equal(c.v[5].text, "x");
	xlsx_cells_clear(&c);

	assert_int_equal(t_sheet("<row r=\"4\"><c r=\"B4\"><v>1</v></c><c r=\"B4\"><v>2</v></c>"
				 "</row>", &ss, &c), LNOB_E_INVALID);
	assert_string_equal(s_err, "xl/worksheets/sheet1.xml: cell B4 given twice");
	xlsx_cells_clear(&c);
	assert_int_equal(t_sheet("<row r=\"4\"><c r=\"B5\"><v>1</v></c></row>", &ss, &c),
			 LNOB_E_INVALID);
	assert_string_equal(s_err, "xl/worksheets/sheet1.xml: row 4: a bad cell reference, row "
			    "number or shared string index");
	xlsx_cells_clear(&c);
	assert_int_equal(t_sheet("<row r=\"4\"><c r=\"B4\" t=\"s\"><v>3</v></c></row>", &ss, &c),
			 LNOB_E_INVALID);
	xlsx_cells_clear(&c);
	assert_int_equal(t_sheet("<row r=\"0\"/>", &ss, &c), LNOB_E_INVALID);
	xlsx_cells_clear(&c);
	assert_int_equal(t_sheet("<row><c><v>1", &ss, &c), LNOB_E_INVALID);
	xlsx_cells_clear(&c);
	xlsx_strings_clear(&ss);
}

static const char s_units[] = "code,name,parent_code,level,kind\n"
	"C1,Xã Một,,commune,administrative\nV1,Thôn Một,C1,village,administrative\n"
	"V2,Thôn Hai,C1,village,administrative\n";
static const char s_campaign[] = "[campaign]\nid = c\nname = C\nstart = 2021-01-01\n"
	"end = 2025-12-31\nbaseline_date = 2020-12-31\nlevels = commune, village\n"
	"[indicators]\nhh = count\npoor = count\nrate = rate poor / hh\n"
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n";

static void test_template_read_back(void **state)
{
	const char *dir = tu_tmpdir();
	char path[512], tmp[520], bad[512];
	intake_list_t list = { 0 };
	hier_t *h = NULL;
	campaign_t *c = NULL;
	template_opts_t o = { .period = "2023", .root = -1 };
	size_t units = 0, sheets = 0;

	(void)state;
	assert_int_equal(hier_load_mem(s_units, strlen(s_units), "u.csv", &h, s_err,
				       sizeof(s_err)), 0);
	assert_int_equal(campaign_load_mem(s_campaign, "c.ini", h, &c, s_err, sizeof(s_err)), 0);
	o.campaign = c;
	o.hier = h;
	snprintf(path, sizeof(path), "%s/t.xlsx", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(template_write(path, &o, &units, &sheets, s_err, sizeof(s_err)), 0);
	/* Only villages report (the default: the last level). */
	assert_int_equal(units, 2);
	assert_int_equal(sheets, 1);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(intake_parse_file(path, 1700000000, &list, s_err, sizeof(s_err)),
			 LNOB_E_INVALID);
	assert_non_null(strstr(s_err, "t.xlsx: no reports"));
	assert_int_equal(list.n, 0);
	snprintf(bad, sizeof(bad), "%s/none/t.xlsx", dir);
	assert_int_equal(template_write(bad, &o, NULL, NULL, s_err, sizeof(s_err)), -ENOENT);
	assert_non_null(strstr(s_err, "(no file written)"));
	o.root = hier_find(h, "V1");
	o.period = "2023";
	snprintf(bad, sizeof(bad), "%s/c1.xlsx", dir);
	assert_int_equal(template_write(bad, &o, &units, &sheets, s_err, sizeof(s_err)), 0);
	assert_int_equal(units, 1);
	campaign_destroy(&c);
	hier_destroy(&h);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_book),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_sheet),
		cmocka_unit_test(test_template_read_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
