/*
 * households_xlsx.c: a household file in Excel (.xlsx: libzip for the
 * archive, xlsx_read.h for its parts) into a list (see households.h): the
 * workbook's first sheet, its first non-empty row the header, one
 * household per row below; each error naming the file, the sheet and the
 * cell: "h.xlsx: Sheet1!B7: village: 'V9' is not a unit of the hierarchy".
 */
#include "households.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "households_int.h"
#include "lnob_err.h"
#include "util.h"
#include "xlsx_read.h"
#include "xlsx_zip.h"

/* One workbook being read. */
typedef struct s_book {
	xlsx_zip_t z;             /* the file's name, its archive, messages */
	const households_area_t *area;
	xlsx_book_t book;
	xlsx_strings_t ss;
	xlsx_cells_t cells;
	households_cols_t cols;
	households_t out;
} s_book_t;

/* The workbook, its shared strings and the cells of its first sheet. */
static int s_open(s_book_t *b)
{
	char *sheet = NULL;
	size_t shl = 0;
	int rc;

	if ((rc = xlsx_zip_book(&b->z, &b->book, &b->ss)) < 0)
		return rc;
	if (b->book.nsheets == 0) {
		(void)lnob_errf(b->z.err, b->z.errlen, LNOB_E_INVALID, "no sheet");
		return xlsx_zip_in_file(&b->z, LNOB_E_INVALID);
	}
	if ((rc = xlsx_zip_part(&b->z, b->book.sheets[0].part, false, &sheet, &shl)) < 0)
		return rc;
	if ((rc = xlsx_sheet_parse(b->book.sheets[0].part, sheet, shl, &b->ss, &b->cells, b->z.err,
				   b->z.errlen)) < 0)
		rc = xlsx_zip_in_file(&b->z, rc);
	free(sheet);
	return rc;
}

/* The message why (about column col of row) with its place in front. */
static int s_fail(s_book_t *b, uint32_t row, size_t col, int rc, const char *why)
{
	char ref[16];

	if (col >= XLSX_COL_MAX)
		return lnob_errf(b->z.err, b->z.errlen, rc, "%s: %s row %u: %s", b->z.name,
				 b->book.sheets[0].name, row, why);
	return lnob_errf(b->z.err, b->z.errlen, rc, "%s: %s!%s: %s", b->z.name, b->book.sheets[0].name,
			 xlsx_ref(row, (uint32_t)col, ref), why);
}

/* One row's cells[0..width) (borrowed texts, NULL: empty) as the header
 * (first) or a household. */
static int s_row(s_book_t *b, bool header, uint32_t row, const char **cells, size_t width)
{
	char why[512], where[512], ref[16];
	household_t h;
	size_t col = 0;
	int rc;

	if (header) {
		rc = households_header(cells, width, &b->cols, &col, why, sizeof(why));
		return rc < 0 ? s_fail(b, row, col < width ? col : XLSX_COL_MAX, rc, why) : 0;
	}
	if ((rc = households_row(&b->cols, cells, width, b->area, &h, &col, why, sizeof(why))) != 0)
		return rc == 1 ? 0 : s_fail(b, row, col, rc, why);
	snprintf(where, sizeof(where), "%.255s: %.200s!%s", b->z.name, b->book.sheets[0].name,
		 xlsx_ref(row, (uint32_t)b->cols.at[HOUSEHOLDS_COL_ID], ref));
	if (!(h.where = strdup(where)))
		return lnob_errf(b->z.err, b->z.errlen, -ENOMEM, "%s: out of memory", b->z.name);
	if ((rc = households_push(&b->out, &h)) < 0) {
		free(h.where);
		return rc == -ENOMEM ? lnob_errf(b->z.err, b->z.errlen, rc, "%s: out of memory", b->z.name)
				     : s_fail(b, row, XLSX_COL_MAX, rc, "more than 1000000 households");
	}
	return 0;
}

/* Every row of the sheet's cells, in order. */
static int s_rows(s_book_t *b)
{
	size_t width = XLSX_COL_MAX, i = 0;
	const char **cells = calloc(XLSX_COL_MAX, sizeof(*cells));
	bool header = true;
	int rc = 0;

	if (!cells)
		return lnob_errf(b->z.err, b->z.errlen, -ENOMEM, "%s: out of memory", b->z.name);
	while (rc == 0 && i < b->cells.n) {
		uint32_t row = b->cells.v[i].row;

		memset(cells, 0, width * sizeof(*cells));
		for (; i < b->cells.n && b->cells.v[i].row == row; i++)
			if (b->cells.v[i].col < width)
				cells[b->cells.v[i].col] = b->cells.v[i].text;
		rc = s_row(b, header, row, cells, width);
		if (header)
			width = b->cols.width;
		header = false;
	}
	free(cells);
	if (rc == 0 && header)
		rc = lnob_errf(b->z.err, b->z.errlen, LNOB_E_INVALID, "%s: %s: header missing (the "
			       "sheet is empty)", b->z.name,
			       b->book.nsheets ? b->book.sheets[0].name : "");
	return rc;
}

int households_parse_xlsx(const char *name, const void *data, size_t len,
			  const households_area_t *area, households_t *ret, char *err,
			  size_t errlen)
{
	s_book_t b = { .z = { .name = name, .max = HOUSEHOLDS_FILE_MAX, .err = err,
			      .errlen = errlen },
		       .area = area };
	int rc;

	if ((rc = xlsx_zip_open(&b.z, data, len)) < 0)
		return rc;
	if ((rc = s_open(&b)) == 0 && (rc = s_rows(&b)) == 0)
		rc = households_finish(&b.out, name, err, errlen);
	xlsx_zip_close(&b.z);
	xlsx_book_clear(&b.book);
	xlsx_strings_clear(&b.ss);
	xlsx_cells_clear(&b.cells);
	if (rc < 0) {
		households_clear(&b.out);
		return rc;
	}
	*ret = b.out;
	return 0;
}
