/* rollup.c: the plain rollup view (a unit and its children) as a JSON
 * document and as a table (see rollup.h). */
#include "rollup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "report.h"
#include "table.h"
#include "util.h"

/* One row of the view: a unit's rollup as JSON. */
static int s_row(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		 const char *period, int unit, json_t **ret)
{
	const hier_unit_t *u = hier_unit(hier, unit);
	Lnob__RollupRecord *rec = NULL;
	json_t *row, *sums;
	int r = agg_rollup_get(st, txn, campaign, period, u->code, &rec);

	if (r < 0)
		return r;
	sums = json_object();
	for (size_t i = 0; i < rec->n_sums; i++)
		json_object_set_new(sums, rec->sums[i]->code,
				    json_integer(report_value_of(rec->sums[i])));
	row = json_pack("{s:s, s:s, s:s, s:I, s:o}", "code", u->code, "name", u->name,
			"level", u->level, "units_reported", (json_int_t)rec->units_reported,
			"sums", sums);
	lnob__rollup_record__free_unpacked(rec, NULL);
	if (!row)
		return -ENOMEM;
	*ret = row;
	return 0;
}

int rollup_view(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		const char *period, int unit, json_t **ret)
{
	json_t *view, *row = NULL, *children;
	const int *kids;
	size_t n = hier_children(hier, unit, &kids);
	int r = s_row(st, txn, hier, campaign, period, unit, &row);

	if (r < 0)
		return r;
	children = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *kid;
		r = s_row(st, txn, hier, campaign, period, kids[i], &kid);
		if (r < 0) {
			json_decref(children);
			json_decref(row);
			return r;
		}
		json_array_append_new(children, kid);
	}
	view = json_pack("{s:s, s:s, s:o, s:o}", "campaign", campaign, "period", period,
			 "unit", row, "children", children);
	if (!view)
		return -ENOMEM;
	*ret = view;
	return 0;
}

/* Collects the indicator codes of every row, in sorted order. */
static json_t *s_codes(const json_t *view)
{
	json_t *set = json_object(), *codes = json_array(), *kid;
	const char *code;
	json_t *val;
	size_t i;

	json_object_foreach(json_object_get(json_object_get(view, "unit"), "sums"), code, val)
		json_object_set(set, code, json_true());
	json_array_foreach(json_object_get(view, "children"), i, kid)
		json_object_foreach(json_object_get(kid, "sums"), code, val)
			json_object_set(set, code, json_true());
	json_object_foreach(set, code, val)
		json_array_append_new(codes, json_string(code));
	json_decref(set);
	return codes;
}

static int s_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Width of an indicator column: its name, at least wide enough for a
 * twelve-digit figure. */
static size_t s_col_width(const char *code)
{
	size_t w = strlen(code);

	return w < 12 ? 12 : w;
}

#define S_COLS_MAX 32   /* columns table_row() prints at most */

/* One row: "CODE Name" (indented for a child; wrapped), level, reported,
 * then each indicator's sum ("-" when no report of the subtree carries
 * it, never 0). */
static void s_print_row(FILE *out, const json_t *row, const table_col_t *cols, size_t n,
			bool total)
{
	char label[256], nums[S_COLS_MAX][32];
	const char *cells[S_COLS_MAX];

	snprintf(label, sizeof(label), "%s%s %s", total ? "" : "  ",
		 json_string_value(json_object_get(row, "code")),
		 json_string_value(json_object_get(row, "name")));
	cells[0] = label;
	cells[1] = json_string_value(json_object_get(row, "level"));
	snprintf(nums[2], sizeof(nums[2]), "%lld",
		 (long long)json_integer_value(json_object_get(row, "units_reported")));
	cells[2] = nums[2];
	for (size_t i = 3; i < n; i++) {
		json_t *v = json_object_get(json_object_get(row, "sums"), cols[i].title);

		snprintf(nums[i], sizeof(nums[i]), "%lld", (long long)json_integer_value(v));
		cells[i] = v ? nums[i] : "-";
	}
	table_row(out, "", cols, n, cells);
}

void rollup_print_table(FILE *out, const json_t *view)
{
	json_t *codes = s_codes(view), *kid;
	size_t nc = json_array_size(codes), i, n = 3;
	const char **names = calloc(nc ? nc : 1, sizeof(*names));
	table_col_t cols[S_COLS_MAX] = { { "unit", 36, false }, { "level", 10, false },
					 { "reported", 8, true } };

	if (!names) {
		json_decref(codes);
		return;
	}
	for (i = 0; i < nc; i++)
		names[i] = json_string_value(json_array_get(codes, i));
	qsort(names, nc, sizeof(*names), s_cmp_str);
	for (i = 0; i < nc && n < S_COLS_MAX; i++)
		cols[n++] = (table_col_t){ names[i], s_col_width(names[i]), true };
	fprintf(out, "campaign %s, period %s\n",
		json_string_value(json_object_get(view, "campaign")),
		json_string_value(json_object_get(view, "period")));
	table_header(out, "", cols, n);
	s_print_row(out, json_object_get(view, "unit"), cols, n, true);
	json_array_foreach(json_object_get(view, "children"), i, kid)
		s_print_row(out, kid, cols, n, false);
	free(names);
	json_decref(codes);
}
