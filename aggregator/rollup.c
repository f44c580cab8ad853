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

static void s_print_row(FILE *out, const json_t *row, const char **codes, size_t nc, bool total)
{
	char label[160], num[32];

	snprintf(label, sizeof(label), "%s%s %s", total ? "" : "  ",
		 json_string_value(json_object_get(row, "code")),
		 json_string_value(json_object_get(row, "name")));
	lnob_fput_col(out, label, 36, true);
	fputc(' ', out);
	lnob_fput_col(out, json_string_value(json_object_get(row, "level")), 10, true);
	fprintf(out, " %8lld", (long long)json_integer_value(json_object_get(row, "units_reported")));
	for (size_t i = 0; i < nc; i++) {
		json_t *v = json_object_get(json_object_get(row, "sums"), codes[i]);

		if (v)   /* an indicator no report of the subtree carries: "-", not 0 */
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		else
			snprintf(num, sizeof(num), "-");
		fputc(' ', out);
		lnob_fput_col(out, num, s_col_width(codes[i]), false);
	}
	fputc('\n', out);
}

void rollup_print_table(FILE *out, const json_t *view)
{
	json_t *codes = s_codes(view), *kid;
	size_t nc = json_array_size(codes), i;
	const char **names = calloc(nc ? nc : 1, sizeof(*names));

	if (!names) {
		json_decref(codes);
		return;
	}
	for (i = 0; i < nc; i++)
		names[i] = json_string_value(json_array_get(codes, i));
	qsort(names, nc, sizeof(*names), s_cmp_str);
	fprintf(out, "campaign %s, period %s\n",
		json_string_value(json_object_get(view, "campaign")),
		json_string_value(json_object_get(view, "period")));
	fprintf(out, "%-36s %-10s %8s", "unit", "level", "reported");
	for (i = 0; i < nc; i++) {
		fputc(' ', out);
		lnob_fput_col(out, names[i], s_col_width(names[i]), false);
	}
	fputc('\n', out);
	s_print_row(out, json_object_get(view, "unit"), names, nc, true);
	json_array_foreach(json_object_get(view, "children"), i, kid)
		s_print_row(out, kid, names, nc, false);
	free(names);
	json_decref(codes);
}
