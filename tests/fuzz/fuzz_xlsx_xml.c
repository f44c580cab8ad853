/*
 * fuzz_xlsx_xml.c: the libxml2 readers of an .xlsx's parts
 * (collector/xlsx_read.h) on arbitrary XML, without the zip around them
 * (fuzz_intake_xlsx has that): the first input byte picks the part, the
 * rest is its text (NUL-terminated, as intake_xlsx.c reads a part):
 *   0  xl/workbook.xml and xl/_rels/workbook.xml.rels, separated by the
 *      first NUL byte (xlsx_book_parse(), xlsx_book_name())
 *   1  xl/sharedStrings.xml (xlsx_shared_parse())
 *   2  a worksheet (xlsx_sheet_parse()) with the shared strings "unit",
 *      "V-01", "12"
 * A sheet it takes must hold cells sorted by row, then column, each once,
 * within XFD1048576.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "xlsx_read.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void s_book(const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);
	size_t wblen = nul ? (size_t)(nul - text) : len;
	const char *rels = nul ? nul + 1 : "";
	size_t relslen = nul ? len - wblen - 1 : 0;
	xlsx_book_t b;
	char err[512];

	memset(&b, 0, sizeof(b));
	if (xlsx_book_parse(text, wblen, rels, relslen, &b, err, sizeof(err)) == 0) {
		(void)xlsx_book_name(&b, "lnob_campaign");
		(void)xlsx_book_name(&b, "lnob_period");
	}
	xlsx_book_clear(&b);
}

static void s_shared(const char *text, size_t len)
{
	xlsx_strings_t ss;
	char err[512];

	memset(&ss, 0, sizeof(ss));
	(void)xlsx_shared_parse(text, len, &ss, err, sizeof(err));
	xlsx_strings_clear(&ss);
}

static void s_sheet(const char *text, size_t len)
{
	static char *strings[] = { "unit", "V-01", "12" };
	xlsx_strings_t ss = { .v = strings, .n = 3, .cap = 3 };
	xlsx_cells_t cells;
	char err[512];

	memset(&cells, 0, sizeof(cells));
	if (xlsx_sheet_parse("xl/worksheets/sheet1.xml", text, len, &ss, &cells, err,
			     sizeof(err)) == 0) {
		for (size_t i = 0; i < cells.n; i++) {
			const xlsx_cell_t *c = &cells.v[i], *p = i ? &cells.v[i - 1] : NULL;

			if (c->row < 1 || c->row > XLSX_ROW_MAX || c->col >= XLSX_COL_MAX || !c->text)
				fuzz_die("cell %zu at row %u, col %u", i, c->row, c->col);
			if (p && (p->row > c->row || (p->row == c->row && p->col >= c->col)))
				fuzz_die("cells %zu and %zu out of order or twice", i - 1, i);
		}
	}
	xlsx_cells_clear(&cells);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1)
		return 0;
	text = fuzz_text(data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		s_book(text, size - 1);
		break;
	case 1:
		s_shared(text, size - 1);
		break;
	default:
		s_sheet(text, size - 1);
		break;
	}
	free(text);
	return 0;
}
