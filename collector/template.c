/*
 * template.c: the reporting template as an Excel workbook (libxlsxwriter),
 * laid out as template.h says; who reports what is the period's rule
 * (campaign_reports(): an ad-hoc request's asked units and indicators).
 */
#include "template.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "campaign_request.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

/* Rows (0-based) of the layout, and the first indicator column. */
enum { S_ROW_TITLE, S_ROW_LABELS, S_ROW_IDS, S_ROW_DATA, S_COL_IND = 4 };

static const char *const s_fixed_labels[S_COL_IND] = { "Mã đơn vị", "Tên đơn vị", "Cấp",
	"Đơn vị cấp trên" };
static const char *const s_fixed_ids[S_COL_IND] = { "unit", "name", "level", "parent" };

/* The workbook being written and its formats. */
typedef struct s_tpl {
	const template_opts_t *o;
	const campaign_period_t *p;   /* o->period's */
	lxw_workbook *wb;
	lxw_format *title, *header, *ids, *input;
	int *units;          /* the subtree in tree order */
	size_t nunits;
	size_t written, sheets;
} s_tpl_t;

/* Appends unit i and its descendants, depth first, to t->units. */
static void s_collect(s_tpl_t *t, int i)
{
	const int *kids;
	size_t n = hier_children(t->o->hier, i, &kids);

	if (i >= 0)
		t->units[t->nunits++] = i;
	for (size_t k = 0; k < n; k++)
		s_collect(t, kids[k]);
}

/* The formats every sheet uses. */
static int s_formats(s_tpl_t *t)
{
	t->title = workbook_add_format(t->wb);
	t->header = workbook_add_format(t->wb);
	t->ids = workbook_add_format(t->wb);
	t->input = workbook_add_format(t->wb);
	if (!t->title || !t->header || !t->ids || !t->input)
		return -ENOMEM;
	format_set_bold(t->title);
	format_set_font_size(t->title, 13);
	format_set_bold(t->header);
	format_set_text_wrap(t->header);
	format_set_align(t->header, LXW_ALIGN_VERTICAL_TOP);
	format_set_bg_color(t->header, 0xDDEBF7);
	format_set_border(t->header, LXW_BORDER_THIN);
	format_set_italic(t->ids);
	format_set_font_color(t->ids, LXW_COLOR_GRAY);
	format_set_unlocked(t->input);
	format_set_border(t->input, LXW_BORDER_THIN);
	format_set_bg_color(t->input, 0xFFF2CC);
	return 0;
}

/* Rows 1..3 of a sheet for level with the indicators ind[0..n). */
static lxw_error s_sheet_head(s_tpl_t *t, lxw_worksheet *ws, const char *level,
			      const int *ind, size_t n)
{
	const campaign_t *c = t->o->campaign;
	char title[512];
	lxw_error e;

	snprintf(title, sizeof(title), "Biểu mẫu báo cáo: %s — kỳ %s — cấp %s", campaign_name(c),
		 t->o->period, level);
	if ((e = worksheet_write_string(ws, S_ROW_TITLE, 0, title, t->title)) != LXW_NO_ERROR)
		return e;
	for (int k = 0; k < S_COL_IND; k++)
		if ((e = worksheet_write_string(ws, S_ROW_LABELS, (lxw_col_t)k, s_fixed_labels[k],
						t->header)) ||
		    (e = worksheet_write_string(ws, S_ROW_IDS, (lxw_col_t)k, s_fixed_ids[k], t->ids)))
			return e;
	for (size_t k = 0; k < n; k++) {
		const campaign_indicator_t *ci = campaign_indicator(c, ind[k]);
		lxw_col_t col = (lxw_col_t)(S_COL_IND + k);

		if ((e = worksheet_write_string(ws, S_ROW_LABELS, col, ci->label, t->header)) ||
		    (e = worksheet_write_string(ws, S_ROW_IDS, col, ci->code, t->ids)))
			return e;
	}
	worksheet_set_column(ws, 0, 0, 12, NULL);
	worksheet_set_column(ws, 1, 1, 30, NULL);
	worksheet_set_column(ws, 2, 2, 10, NULL);
	worksheet_set_column(ws, 3, 3, 30, NULL);
	worksheet_set_column(ws, S_COL_IND, (lxw_col_t)(S_COL_IND + n - 1), 18, NULL);
	worksheet_set_row(ws, S_ROW_LABELS, 45, NULL);
	worksheet_freeze_panes(ws, S_ROW_DATA, 2);
	return LXW_NO_ERROR;
}

/* One unit's row: its fixed cells and the empty input cells. */
static lxw_error s_unit_row(s_tpl_t *t, lxw_worksheet *ws, lxw_row_t row, int unit, size_t n)
{
	const hier_unit_t *u = hier_unit(t->o->hier, unit);
	char parent[512] = "";
	lxw_error e;

	if (u->parent >= 0)
		snprintf(parent, sizeof(parent), "%s %s", u->parent_code,
			 hier_unit(t->o->hier, u->parent)->name);
	if ((e = worksheet_write_string(ws, row, 0, u->code, NULL)) ||
	    (e = worksheet_write_string(ws, row, 1, u->name, NULL)) ||
	    (e = worksheet_write_string(ws, row, 2, u->level, NULL)) ||
	    (e = worksheet_write_string(ws, row, 3, parent, NULL)))
		return e;
	for (size_t k = 0; k < n; k++)
		if ((e = worksheet_write_blank(ws, row, (lxw_col_t)(S_COL_IND + k), t->input)))
			return e;
	return LXW_NO_ERROR;
}

/* Whole numbers 0..10^15 in the input cells of rows [S_ROW_DATA, last]. */
static lxw_error s_validation(lxw_worksheet *ws, lxw_row_t last, size_t n)
{
	lxw_data_validation dv = {
		.validate = LXW_VALIDATION_TYPE_INTEGER,
		.criteria = LXW_VALIDATION_CRITERIA_BETWEEN,
		.minimum_number = 0,
		.maximum_number = (double)REPORT_VALUE_MAX,
		.error_title = "Số không hợp lệ",
		.error_message = "Nhập số nguyên không âm (0 .. 10^15), hoặc để trống nếu không báo cáo.",
	};

	return worksheet_data_validation_range(ws, S_ROW_DATA, S_COL_IND, last,
					       (lxw_col_t)(S_COL_IND + n - 1), &dv);
}

/* Whether unit u reports indicator i in the template's period. */
static bool s_reports(const s_tpl_t *t, int i, int u)
{
	const hier_unit_t *hu = hier_unit(t->o->hier, u);

	return campaign_reports(t->o->campaign, t->p, i, hu->code, hu->level);
}

/* The columns of level's sheet: the indicators some unit of the level in
 * the subtree reports in the period, into ind; their count. */
static size_t s_columns(const s_tpl_t *t, const char *level, int ind[CAMPAIGN_INDICATORS_MAX])
{
	const campaign_t *c = t->o->campaign;
	size_t n = 0;

	for (size_t i = 0; i < campaign_indicator_count(c) && n < CAMPAIGN_INDICATORS_MAX; i++)
		for (size_t k = 0; k < t->nunits; k++)
			if (strcmp(hier_unit(t->o->hier, t->units[k])->level, level) == 0 &&
			    s_reports(t, (int)i, t->units[k])) {
				ind[n++] = (int)i;
				break;
			}
	return n;
}

/* Whether unit u has a row on its level's sheet of columns ind[0..n). */
static bool s_has_row(const s_tpl_t *t, const char *level, int u, const int *ind, size_t n)
{
	if (strcmp(hier_unit(t->o->hier, u)->level, level) != 0)
		return false;
	for (size_t k = 0; k < n; k++)
		if (s_reports(t, ind[k], u))
			return true;
	return false;
}

/* The sheet of one level, when it has units and indicators. */
static int s_level_sheet(s_tpl_t *t, const char *level, char *err, size_t errlen)
{
	int ind[CAMPAIGN_INDICATORS_MAX];
	size_t n = s_columns(t, level, ind), rows = 0;
	lxw_worksheet *ws;
	lxw_error e;

	for (size_t i = 0; i < t->nunits; i++)
		rows += s_has_row(t, level, t->units[i], ind, n);
	if (n == 0 || rows == 0)
		return 0;
	if (workbook_validate_sheet_name(t->wb, level) != LXW_NO_ERROR ||
	    !(ws = workbook_add_worksheet(t->wb, level)))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "level '%s' cannot name a sheet "
				 "(at most 31 characters, none of []:*?/\\)", level);
	if ((e = s_sheet_head(t, ws, level, ind, n)) != LXW_NO_ERROR)
		goto fail;
	rows = 0;
	for (size_t i = 0; i < t->nunits; i++)
		if (s_has_row(t, level, t->units[i], ind, n) &&
		    (e = s_unit_row(t, ws, (lxw_row_t)(S_ROW_DATA + rows++), t->units[i], n)))
			goto fail;
	if ((e = s_validation(ws, (lxw_row_t)(S_ROW_DATA + rows - 1), n)) != LXW_NO_ERROR)
		goto fail;
	worksheet_protect(ws, NULL, NULL);
	t->written += rows;
	t->sheets++;
	return 0;
fail:
	return lnob_errf(err, errlen, -EIO, "sheet '%s': %s", level, lxw_strerror(e));
}

/* The defined name of a text constant: lnob_campaign = "<id>". */
static int s_define(s_tpl_t *t, const char *name, const char *text)
{
	char formula[160];

	/* Ids are [A-Za-z0-9._-]: no quote to double. */
	snprintf(formula, sizeof(formula), "=\"%s\"", text);
	return workbook_define_name(t->wb, name, formula) == LXW_NO_ERROR ? 0 : -EINVAL;
}

/* Every sheet of the workbook t->wb (not yet closed). */
static int s_book(s_tpl_t *t, char *err, size_t errlen)
{
	const campaign_t *c = t->o->campaign;
	int rc;

	lxw_doc_properties props = { .title = "lnob", .created = TEMPLATE_CREATED };

	if (s_formats(t) < 0)
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	/* A fixed creation time: the same template is the same bytes. */
	if (workbook_set_properties(t->wb, &props) != LXW_NO_ERROR)
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	if (s_define(t, "lnob_campaign", campaign_id(c)) < 0 ||
	    s_define(t, "lnob_period", t->o->period) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "cannot define the names "
				 "lnob_campaign and lnob_period");
	for (size_t i = 0; i < campaign_level_count(c); i++)
		if ((rc = s_level_sheet(t, campaign_level(c, i), err, errlen)) < 0)
			return rc;
	if (t->sheets == 0)
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "no unit of the subtree reports an "
				 "indicator of campaign %s (its levels: reported_by)", campaign_id(c));
	return 0;
}

int template_write(const char *path, const template_opts_t *o, size_t *ret_units,
		   size_t *ret_sheets, char *err, size_t errlen)
{
	s_tpl_t t = { .o = o };
	char tmp[4096], why[512] = "";
	lxw_workbook_options wo = { .constant_memory = LXW_FALSE };
	lxw_error e;
	int rc, fd;

	if (!(t.p = campaign_period_find(o->campaign, o->period)))
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "%s: campaign %s has no period '%s' "
				 "(no file written)", path, campaign_id(o->campaign), o->period);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return lnob_errf(err, errlen, -ENAMETOOLONG, "%s: name too long", path);
	/* Made here first so that a directory we cannot write is named with
	 * its reason (libxlsxwriter only creates the file at close). */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		rc = -errno;
		return lnob_errf(err, errlen, rc, "%s: cannot create: %s (no file written)", tmp,
				 lnob_strerror(rc));
	}
	close(fd);
	if (!(t.units = malloc((hier_count(o->hier) + 1) * sizeof(*t.units))) ||
	    !(t.wb = workbook_new_opt(tmp, &wo))) {
		free(t.units);
		unlink(tmp);
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", path);
	}
	if (o->root >= 0)
		s_collect(&t, o->root);
	else
		s_collect(&t, -1);
	rc = s_book(&t, why, sizeof(why));
	if (rc < 0) {
		lxw_workbook_free(t.wb);
		free(t.units);
		unlink(tmp);
		return lnob_errf(err, errlen, rc, "%s: %s (no file written)", path, why);
	}
	free(t.units);
	if ((e = workbook_close(t.wb)) != LXW_NO_ERROR) {
		unlink(tmp);
		return lnob_errf(err, errlen, -EIO, "%s: cannot write: %s (no file written)", tmp,
				 lxw_strerror(e));
	}
	if (rename(tmp, path) != 0) {
		rc = -errno;
		unlink(tmp);
		return lnob_errf(err, errlen, rc, "%s: cannot rename %s into place: %s", path, tmp,
				 lnob_strerror(rc));
	}
	if (ret_units)
		*ret_units = t.written;
	if (ret_sheets)
		*ret_sheets = t.sheets;
	return 0;
}
