/*
 * xlsx_read.h: the parts of an Office Open XML workbook (.xlsx) that
 * report intake reads, parsed with libxml2 from text already taken out of
 * the zip archive (intake_xlsx.c does that with libzip): the sheets and
 * defined names of xl/workbook.xml with the targets of
 * xl/_rels/workbook.xml.rels, the shared strings of xl/sharedStrings.xml,
 * and the cells of one xl/worksheets/sheetN.xml as text.
 *
 * Pure: no files, no logging. Every function returns 0 or a negative code
 * (LNOB_E_INVALID for a malformed part, -ENOMEM) with err naming the part.
 */
#ifndef LNOB_XLSX_READ_H
#define LNOB_XLSX_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest row and column (0-based 16383 = XFD) of a sheet, as Excel's. */
#define XLSX_ROW_MAX 1048576u
#define XLSX_COL_MAX 16384u

/* Parses an A1-style reference ("D14", "$D$14" too): *ret_col from 0
 * (A = 0), *ret_row from 1. Returns 0, or -EINVAL (not a reference, or
 * beyond XFD1048576); outputs written only on success. */
int xlsx_ref_parse(const char *ref, uint32_t *ret_row, uint32_t *ret_col);
/* The A1-style reference of (row from 1, col from 0) into out[16].
 * Returns out. */
const char *xlsx_ref(uint32_t row, uint32_t col, char out[16]);

/* A growing list of owned strings. */
typedef struct xlsx_strings {
	char **v;
	size_t n, cap;
} xlsx_strings_t;
void xlsx_strings_clear(xlsx_strings_t *s);

/* One sheet of the workbook: its name and its part ("xl/worksheets/
 * sheet1.xml"), both owned. */
typedef struct xlsx_sheet {
	char *name, *part;
} xlsx_sheet_t;

/* What the workbook holds: its sheets in order and its defined names
 * (names[i] = values[i], the text of the definition; a quoted constant
 * "\"2023\"" is unquoted to 2023). Start from a zeroed struct. */
typedef struct xlsx_book {
	xlsx_sheet_t *sheets;
	size_t nsheets;
	xlsx_strings_t names, values;
} xlsx_book_t;
void xlsx_book_clear(xlsx_book_t *b);

/* Parses workbook.xml (wb) and its relationships (rels) into *b. */
int xlsx_book_parse(const char *wb, size_t wblen, const char *rels, size_t relslen,
		    xlsx_book_t *b, char *err, size_t errlen);
/* The value of defined name, or NULL (borrowed from b). */
const char *xlsx_book_name(const xlsx_book_t *b, const char *name);

/* Appends the shared strings of sharedStrings.xml to *ret (rich text runs
 * joined, phonetic runs dropped). */
int xlsx_shared_parse(const char *xml, size_t len, xlsx_strings_t *ret, char *err,
		      size_t errlen);

/* One non-empty cell: where, and its text (owned): a shared or inline
 * string, or the number as written ("17", "2.5", "-3"); formula marks a
 * formula without a stored result (text ""). */
typedef struct xlsx_cell {
	uint32_t row, col;
	char *text;
	bool formula;
} xlsx_cell_t;
typedef struct xlsx_cells {
	xlsx_cell_t *v;
	size_t n, cap;
} xlsx_cells_t;
void xlsx_cells_clear(xlsx_cells_t *c);

/* The cells of one worksheet part (named part in messages), sorted by
 * row then column; shared string indexes resolved through ss. A cell
 * given twice, a bad reference or a shared string index out of range is
 * an error. */
int xlsx_sheet_parse(const char *part, const char *xml, size_t len, const xlsx_strings_t *ss,
		     xlsx_cells_t *ret, char *err, size_t errlen);

#endif
