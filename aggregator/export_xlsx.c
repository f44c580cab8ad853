/*
 * export_xlsx.c: an export document as an Excel workbook (export.h), with
 * libxlsxwriter: one worksheet per sheet of the document, a bold, wrapped
 * and frozen header row with an autofilter, the first two columns frozen,
 * column widths from the contents; numbers as numbers: integers "#,##0",
 * percent values as fractions shown "0.00%", decimals "+0.00", times as
 * Excel dates in the campaign's offset "yyyy-mm-dd hh:mm"; a null is an
 * empty cell.
 *
 * libxlsxwriter writes to a file: a temporary one in $TMPDIR (mkstemp),
 * read back into memory, then unlinked, on failure too.
 */
#include "export.h"
#include "export_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "lnob_err.h"
#include "render.h"
#include "util.h"

#define XLSX_MAX (256u << 20)      /* the largest workbook read back */
#define XLSX_HEADER_WIDTH 24       /* a header wraps beyond this many characters */
#define XLSX_TEXT_WIDTH 50         /* widest text column */

/* The workbook's formats, by export_type_t, and the header's. */
typedef struct s_fmts {
	lxw_format *type[EXPORT_T_TIME + 1];
	lxw_format *header;
} s_fmts_t;

static int s_fmts(lxw_workbook *wb, s_fmts_t *f)
{
	static const char *const nums[] = {
		[EXPORT_T_TEXT] = NULL, [EXPORT_T_INTEGER] = "#,##0",
		[EXPORT_T_PERCENT] = "0.00%", [EXPORT_T_DECIMAL] = "+0.00;-0.00;0.00",
		[EXPORT_T_TIME] = "yyyy-mm-dd hh:mm",
	};

	memset(f, 0, sizeof(*f));
	for (int t = EXPORT_T_INTEGER; t <= EXPORT_T_TIME; t++) {
		if (!(f->type[t] = workbook_add_format(wb)))
			return -ENOMEM;
		format_set_num_format(f->type[t], nums[t]);
	}
	if (!(f->header = workbook_add_format(wb)))
		return -ENOMEM;
	format_set_bold(f->header);
	format_set_text_wrap(f->header);
	format_set_align(f->header, LXW_ALIGN_VERTICAL_TOP);
	format_set_bottom(f->header, LXW_BORDER_THIN);
	return 0;
}

/* One cell: v as col's type wants it (nothing for null). */
static lxw_error s_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, int type, const json_t *v,
			const s_fmts_t *f, json_int_t off)
{
	char buf[64];

	if (!v || json_is_null(v))
		return LXW_NO_ERROR;
	if (type == EXPORT_T_TEXT || !json_is_number(v))
		return worksheet_write_string(ws, r, c, render_text(v, buf, sizeof(buf)), NULL);
	if (type == EXPORT_T_TIME)
		return worksheet_write_unixtime(ws, r, c, (int64_t)json_integer_value(v) + off,
						f->type[type]);
	/* a percent as a fraction, rounded so that 64.38 is 0.6438, not 0.64379999... */
	return worksheet_write_number(ws, r, c, type == EXPORT_T_PERCENT ?
				      round(json_number_value(v) * 1e8) / 1e10 : json_number_value(v),
				      f->type[type]);
}

/* The width of column c: its header (wrapped) and its widest value. */
static double s_width(const json_t *sheet, const json_t *col, int type)
{
	const char *id = json_string_value(json_object_get(col, "id"));
	size_t w = lnob_utf8_width(json_string_value(json_object_get(col, "header")));
	const json_t *row;
	size_t i;

	if (w > XLSX_HEADER_WIDTH)
		w = XLSX_HEADER_WIDTH;
	if (type == EXPORT_T_TIME && w < 17)
		w = 17;
	else if (type != EXPORT_T_TEXT && w < 12)
		w = 12;
	json_array_foreach(json_object_get(sheet, "rows"), i, row) {
		const char *s = json_string_value(json_object_get(row, id));
		size_t sw = s ? lnob_utf8_width(s) : 0;

		if (type == EXPORT_T_TEXT && sw > w)
			w = sw > XLSX_TEXT_WIDTH ? XLSX_TEXT_WIDTH : sw;
	}
	return (double)w + 2;
}

/* The header row of sheet into ws, with the columns' widths. */
static lxw_error s_header(lxw_worksheet *ws, const json_t *sheet, const s_fmts_t *f)
{
	const json_t *col;
	size_t c;
	lxw_error e = worksheet_set_row(ws, 0, 48, NULL);

	json_array_foreach(json_object_get(sheet, "columns"), c, col) {
		int type = export_col_type(col);

		if (e == LXW_NO_ERROR)
			e = worksheet_write_string(ws, 0, (lxw_col_t)c,
						   json_string_value(json_object_get(col, "header")),
						   f->header);
		if (e == LXW_NO_ERROR)
			e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
						 s_width(sheet, col, type), NULL);
	}
	return e;
}

/* One worksheet of the document. */
static lxw_error s_sheet(lxw_workbook *wb, const json_t *sheet, const s_fmts_t *f, json_int_t off)
{
	const json_t *cols = json_object_get(sheet, "columns"), *row, *col;
	size_t nrows = json_array_size(json_object_get(sheet, "rows")), i, c;
	lxw_worksheet *ws = workbook_add_worksheet(wb, json_string_value(json_object_get(sheet,
											  "name")));
	lxw_error e = ws ? s_header(ws, sheet, f) : LXW_ERROR_MEMORY_MALLOC_FAILED;

	json_array_foreach(json_object_get(sheet, "rows"), i, row)
		json_array_foreach(cols, c, col)
			if (e == LXW_NO_ERROR)
				e = s_cell(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, export_col_type(col),
					   json_object_get(row, json_string_value(json_object_get(col, "id"))),
					   f, off);
	if (e == LXW_NO_ERROR && json_array_size(cols) > 0)
		e = worksheet_autofilter(ws, 0, 0, (lxw_row_t)nrows,
					 (lxw_col_t)(json_array_size(cols) - 1));
	if (e == LXW_NO_ERROR)
		worksheet_freeze_panes(ws, 1, 2);
	return e;
}

/* Writes doc's sheets into a workbook at path. Returns 0 or -EIO / -ENOMEM
 * with err saying what libxlsxwriter said. */
static int s_workbook(const json_t *doc, const char *path, char *tmpdir, char *err, size_t errlen)
{
	lxw_workbook_options opts = { .tmpdir = tmpdir };
	lxw_workbook *wb = workbook_new_opt(path, &opts);
	json_int_t off = json_integer_value(json_object_get(doc, "utc_offset_s"));
	const json_t *sheet;
	s_fmts_t f;
	size_t i;
	lxw_error e = LXW_NO_ERROR, ce;

	if (!wb)
		return lnob_errf(err, errlen, -EIO, "xlsx: cannot start a workbook in %s", tmpdir);
	if (s_fmts(wb, &f) < 0)
		e = LXW_ERROR_MEMORY_MALLOC_FAILED;
	json_array_foreach(json_object_get(doc, "sheets"), i, sheet)
		if (e == LXW_NO_ERROR)
			e = s_sheet(wb, sheet, &f, off);
	ce = workbook_close(wb);   /* frees wb whatever happened */
	if (e == LXW_NO_ERROR)
		e = ce;
	if (e != LXW_NO_ERROR)
		return lnob_errf(err, errlen, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? -ENOMEM : -EIO,
				 "xlsx: %s", lxw_strerror(e));
	return 0;
}

int export_render_xlsx(const json_t *doc, unsigned char **ret_buf, size_t *ret_len, char *err,
		       size_t errlen)
{
	const char *env = getenv("TMPDIR");
	char tmpdir[4096], path[4200];
	const json_t *sheet;
	char *buf = NULL;
	size_t i, len = 0;
	int fd, r = 0;

	json_array_foreach(json_object_get(doc, "sheets"), i, sheet)
		if (r == 0)
			r = export_check_sheet(sheet, err, errlen);
	if (r < 0 || !json_is_array(json_object_get(doc, "sheets")))
		return r < 0 ? r : lnob_errf(err, errlen, LNOB_E_INVALID, "not an export document");
	lnob_strlcpy(tmpdir, env && env[0] ? env : "/tmp", sizeof(tmpdir));
	snprintf(path, sizeof(path), "%s/lnob-export-XXXXXX", tmpdir);
	if ((fd = mkstemp(path)) < 0)
		return lnob_errf(err, errlen, -errno, "xlsx: cannot make a temporary file in %s: %s",
				 tmpdir, strerror(errno));
	close(fd);
	r = s_workbook(doc, path, tmpdir, err, errlen);
	if (r == 0 && (r = lnob_read_file(path, XLSX_MAX, &buf, &len)) < 0)
		lnob_errf(err, errlen, r, "xlsx: cannot read back %s: %s", path, lnob_strerror(r));
	unlink(path);
	if (r < 0)
		return r;
	*ret_buf = (unsigned char *)buf;
	*ret_len = len;
	return 0;
}
