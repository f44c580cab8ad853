/*
 * intake_xlsx.c: a filled reporting template (`lnob-collector template`,
 * README "Reporting templates in Excel") into Lnob__Report values, the
 * same records the CSV reader yields (see intake.h). The archive is
 * opened with libzip from memory, its parts parsed by xlsx_read.c.
 *
 * Each sheet whose column A holds the id "unit" (the template's id row)
 * is read: the id row names the columns (unit, name, level, parent, then
 * indicator codes), every row below with a value is one report of the
 * unit in its column A. Campaign and period are the workbook's defined
 * names lnob_campaign and lnob_period (or submit's --campaign, --period).
 * Places are "<file>: <sheet>!<cell>".
 */
#include "intake.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "intake_int.h"
#include "lnob_err.h"
#include "util.h"
#include "xlsx_read.h"
#include "xlsx_zip.h"

/* How many rows below the top the id row may be. */
#define S_ID_ROW_MAX 10u

/* One workbook being read. */
typedef struct s_book {
	xlsx_zip_t z;             /* the file's name, its archive, messages */
	xlsx_book_t book;
	xlsx_strings_t ss;
	const char *campaign, *period;   /* borrowed from book or the options */
	const char *opt_campaign, *opt_period;   /* --campaign, --period or NULL */
	int64_t now_s;
	size_t max_body;
	intake_list_t out;
} s_book_t;

/* One sheet's columns: cols[c] the indicator code of column c, NULL for
 * the unit, name, level and parent columns (borrowed from the cells). */
typedef struct s_sheet {
	const char *name;
	const xlsx_cells_t *cells;
	const char **cols;
	uint32_t ncols, id_row;
} s_sheet_t;

/* The campaign or period: the defined name name, or the option opt
 * (value given, else NULL); both given must agree. */
static int s_book_id(s_book_t *b, const char *name, const char *opt, const char *given,
		     const char **ret)
{
	const char *v = xlsx_book_name(&b->book, name);

	if (v && given && strcmp(v, given) != 0)
		return lnob_errf(b->z.err, b->z.errlen, LNOB_E_INVALID, "%s: the workbook's %s is '%.64s', "
				 "%s says '%.64s'", b->z.name, name, v, opt, given);
	if (!v && !given)
		return lnob_errf(b->z.err, b->z.errlen, LNOB_E_INVALID, "%s: no defined name %s: not a "
				 "template written by `lnob-collector template` (give %s)", b->z.name,
				 name, opt);
	*ret = v ? v : given;
	return 0;
}

/* Reads the workbook, its relationships, shared strings and the defined
 * names lnob_campaign and lnob_period. */
static int s_book_open(s_book_t *b)
{
	int rc;

	if ((rc = xlsx_zip_book(&b->z, &b->book, &b->ss)) < 0 ||
	    (rc = s_book_id(b, "lnob_campaign", "--campaign", b->opt_campaign, &b->campaign)) < 0)
		return rc;
	return s_book_id(b, "lnob_period", "--period", b->opt_period, &b->period);
}

/* Finds the id row of sheet s (column A "unit" in the top rows) and
 * names its columns. Returns 1 when found, 0 when the sheet has none. */
static int s_sheet_columns(s_book_t *b, s_sheet_t *s)
{
	const xlsx_cells_t *c = s->cells;
	size_t i = 0;
	char ref[16];

	while (i < c->n && c->v[i].row <= S_ID_ROW_MAX &&
	       !(c->v[i].col == 0 && strcmp(c->v[i].text, "unit") == 0))
		i++;
	if (i == c->n || c->v[i].row > S_ID_ROW_MAX)
		return 0;
	s->id_row = c->v[i].row;
	for (size_t j = i; j < c->n && c->v[j].row == s->id_row; j++)
		s->ncols = c->v[j].col + 1;
	if (!(s->cols = calloc(s->ncols, sizeof(*s->cols))))
		return lnob_errf(b->z.err, b->z.errlen, -ENOMEM, "%s: out of memory", b->z.name);
	for (; i < c->n && c->v[i].row == s->id_row; i++) {
		const char *id = c->v[i].text;

		if (c->v[i].col == 0 || strcmp(id, "name") == 0 || strcmp(id, "level") == 0 ||
		    strcmp(id, "parent") == 0)
			continue;
		xlsx_ref(s->id_row, c->v[i].col, ref);
		if (!lnob_valid_id(id))
			return lnob_errf(b->z.err, b->z.errlen, LNOB_E_INVALID, "%s: %s!%s: indicator "
					 "code not " INTAKE_ID_RULE ": '%.64s'", b->z.name, s->name, ref, id);
		for (uint32_t k = 0; k < s->ncols; k++)
			if (s->cols[k] && strcmp(s->cols[k], id) == 0)
				return lnob_errf(b->z.err, b->z.errlen, LNOB_E_INVALID, "%s: %s!%s: "
						 "indicator '%s' given twice", b->z.name, s->name,
						 ref, id);
		s->cols[c->v[i].col] = id;
	}
	return 1;
}

/* Whether cells[from..to) (one row) hold an indicator value. */
static bool s_row_has_values(const s_sheet_t *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const xlsx_cell_t *c = &s->cells->v[i];

		if (c->col < s->ncols && s->cols[c->col])
			return true;
	}
	return false;
}

/* Adds the value of one indicator cell to r. */
static int s_value(s_book_t *b, const s_sheet_t *s, const xlsx_cell_t *c, Lnob__Report *r)
{
	char where[512], ref[16];

	snprintf(where, sizeof(where), "%s: %s!%s", b->z.name, s->name,
		 xlsx_ref(c->row, c->col, ref));
	if (c->formula)
		return lnob_errf(b->z.err, b->z.errlen, LNOB_E_INVALID, "%s: %s: a formula without a "
				 "stored result (type the number, or save the file in Excel)",
				 where, s->cols[c->col]);
	return intake_field_text_value(where, r, s->cols[c->col], c->text, b->z.err, b->z.errlen);
}

/* The report of one data row, cells[from..to), its unit in column A. */
static int s_row_report(s_book_t *b, const s_sheet_t *s, size_t from, size_t to)
{
	const xlsx_cell_t *first = &s->cells->v[from];
	const char *unit = first->col == 0 ? first->text : "";
	char where[512], place[512];
	Lnob__Report *r;
	int rc;

	snprintf(where, sizeof(where), "%s: %s!A%u", b->z.name, s->name, first->row);
	snprintf(place, sizeof(place), "%s: defined name", b->z.name);
	if (!(r = intake_report_new(b->now_s)))
		return lnob_errf(b->z.err, b->z.errlen, -ENOMEM, "%s: out of memory", where);
	if ((rc = intake_field_id(place, "lnob_campaign", &r->campaign, b->campaign, b->z.err,
				  b->z.errlen)) < 0 ||
	    (rc = intake_field_id(place, "lnob_period", &r->period, b->period, b->z.err,
				  b->z.errlen)) < 0 ||
	    (rc = intake_field_id(where, "unit", &r->unit, unit, b->z.err, b->z.errlen)) < 0)
		goto fail;
	for (size_t i = from; i < to; i++) {
		const xlsx_cell_t *c = &s->cells->v[i];

		if (c->col < s->ncols && s->cols[c->col] && (rc = s_value(b, s, c, r)) < 0)
			goto fail;
	}
	if ((rc = intake_check_report(where, r, b->max_body, b->z.err, b->z.errlen)) < 0)
		goto fail;
	if (intake_list_push(&b->out, r, where) == 0)
		return 0;
	rc = lnob_errf(b->z.err, b->z.errlen, -ENOMEM, "%s: out of memory", where);
fail:
	intake_report_free(r);
	return rc;
}

/* Reads the reports of one sheet; a sheet without an id row has none. */
static int s_sheet(s_book_t *b, const xlsx_sheet_t *sh)
{
	xlsx_cells_t cells = { 0 };
	s_sheet_t s = { .name = sh->name, .cells = &cells };
	char *xml = NULL;
	size_t len = 0, i = 0;
	int rc;

	if ((rc = xlsx_zip_part(&b->z, sh->part, false, &xml, &len)) < 0)
		return rc;
	if ((rc = xlsx_sheet_parse(sh->part, xml, len, &b->ss, &cells, b->z.err, b->z.errlen)) < 0)
		rc = xlsx_zip_in_file(&b->z, rc);
	free(xml);
	if (rc == 0 && (rc = s_sheet_columns(b, &s)) > 0) {
		while (i < cells.n && cells.v[i].row <= s.id_row)
			i++;
		for (rc = 0; i < cells.n && rc == 0;) {
			size_t to = i;

			while (to < cells.n && cells.v[to].row == cells.v[i].row)
				to++;
			if (s_row_has_values(&s, i, to))
				rc = s_row_report(b, &s, i, to);
			i = to;
		}
	}
	free(s.cols);
	xlsx_cells_clear(&cells);
	return rc;
}

/* Reads every sheet of the open workbook into b->out. */
static int s_book_read(s_book_t *b)
{
	int rc;

	if ((rc = s_book_open(b)) < 0)
		return rc;
	for (size_t i = 0; i < b->book.nsheets; i++)
		if ((rc = s_sheet(b, &b->book.sheets[i])) < 0)
			return rc;
	if (b->out.n == 0)
		return lnob_errf(b->z.err, b->z.errlen, LNOB_E_INVALID, "%s: no reports (no filled "
				 "indicator cell below a template's id row)", b->z.name);
	return 0;
}

int intake_parse_xlsx(const char *name, const void *data, size_t len, int64_t now_s,
		      intake_list_t *list, char *err, size_t errlen)
{
	s_book_t b = { .z = { .name = name, .max = INTAKE_FILE_MAX, .err = err,
			      .errlen = errlen },
		       .now_s = now_s, .max_body = intake_max_body(list),
		       .opt_campaign = list->xlsx_campaign, .opt_period = list->xlsx_period };
	int rc;

	if ((rc = xlsx_zip_open(&b.z, data, len)) < 0)
		return rc;
	rc = s_book_read(&b);
	if (rc == 0 && intake_list_take(list, &b.out) < 0)
		rc = lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
	xlsx_zip_close(&b.z);
	xlsx_book_clear(&b.book);
	xlsx_strings_clear(&b.ss);
	intake_list_clear(&b.out);
	return rc;
}
