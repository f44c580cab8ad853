/* view_table.c: the operators' view as aligned tables (see view.h): names
 * wrapped at word boundaries (table.h), every listed unit printed, times
 * in the campaign's time zone with the offset shown. */
#include "view.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "rollup.h"
#include "table.h"
#include "util.h"

#define S_NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- tables ------------------------------------------------------------ */

/* Formats Unix time t in the view's offset as "2023-12-05 00:00 +07:00";
 * "-" for none (table_time()). */
static const char *s_time(const json_t *view, const json_t *t, char *buf, size_t len)
{
	return table_time(json_is_integer(t) ? json_integer_value(t) : 0,
			  json_integer_value(json_object_get(view, "utc_offset_s")), buf, len);
}

static const char *s_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* "CODE Name" of row into buf, indented by two for a child. Returns buf. */
static const char *s_unit(const json_t *row, bool child, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s %s", child ? "  " : "", s_str(row, "code"), s_str(row, "name"));
	return buf;
}

/* A number of the view: integers as such, reals with 2 decimals, "-" for
 * null; with sign, a leading "+" on positives. */
static const char *s_num(const json_t *v, bool sign, char *buf, size_t len)
{
	if (json_is_integer(v))
		snprintf(buf, len, sign ? "%+lld" : "%lld", (long long)json_integer_value(v));
	else if (json_is_number(v))
		snprintf(buf, len, sign ? "%+.2f" : "%.2f", json_number_value(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

static const json_t *s_indicator(const json_t *view, const char *code)
{
	const json_t *ind;
	size_t i;

	json_array_foreach(json_object_get(view, "indicators"), i, ind)
		if (strcmp(s_str(ind, "code"), code) == 0)
			return ind;
	return NULL;
}

static bool s_is_rate(const json_t *view, const char *code)
{
	return strcmp(s_str(s_indicator(view, code), "kind"), "rate") == 0;
}

#define VIEW_TABLE_WIDTH 160   /* a table wider than this is cut into column blocks */

/* " [62/84]" for a figure on the comparable basis (o has basis and
 * coverage), else "". */
static const char *s_coverage(const json_t *o, char *buf, size_t len)
{
	const json_t *cov = json_object_get(o, "coverage");

	if (strcmp(s_str(o, "basis"), "comparable") != 0)
		return "";
	snprintf(buf, len, " [%lld/%lld]",
		 (long long)json_integer_value(json_object_get(cov, "reported")),
		 (long long)json_integer_value(json_object_get(cov, "expected")));
	return buf;
}

/* One cell of a row: indicator code's figure ("derived": value with its
 * changes, and its coverage when partial). */
static void s_cell(const json_t *row, const char *code, bool derived, bool rate, char *buf,
		   size_t len)
{
	const json_t *v = json_object_get(json_object_get(row, "values"), code);
	char a[32], b[32], c[32], d[48];
	int n;

	if (!derived) {
		s_num(json_object_get(v, "value"), false, buf, len);
		return;
	}
	n = snprintf(buf, len, "%s%s (%s; %s)%s",
		     s_num(json_object_get(v, "value"), false, a, sizeof(a)),
		     rate && json_is_number(json_object_get(v, "value")) ? "%" : "",
		     s_num(json_object_get(v, "change_baseline"), true, b, sizeof(b)),
		     s_num(json_object_get(v, "change_previous"), true, c, sizeof(c)),
		     s_coverage(v, d, sizeof(d)));
	if (n < 0 && len)
		buf[0] = '\0';   /* a cell that does not fit is cut (snprintf ends it) */
}

/* The indicator columns (reported counts and amounts, or derived sums
 * and rates) that some row has a figure for, with their widths; returns
 * how many. */
static size_t s_columns(const json_t *view, const json_t *rows, bool derived, const char **codes,
			size_t *widths)
{
	const json_t *ind, *row;
	size_t nc = 0, i, j;
	char cell[128];

	json_array_foreach(json_object_get(view, "indicators"), i, ind) {
		const char *k = s_str(ind, "kind"), *code = s_str(ind, "code");
		bool is_derived = strcmp(k, "sum") == 0 || strcmp(k, "rate") == 0, any = false;
		size_t w = strlen(code);

		if (is_derived != derived || nc == CAMPAIGN_INDICATORS_MAX)
			continue;
		json_array_foreach(rows, j, row) {
			const json_t *v = json_object_get(json_object_get(row, "values"), code);

			if (json_is_number(json_object_get(v, "value"))) {
				s_cell(row, code, derived, strcmp(k, "rate") == 0, cell, sizeof(cell));
				if (lnob_utf8_width(cell) > w)
					w = lnob_utf8_width(cell);
				any = true;
			}
		}
		if (!any)
			continue;
		codes[nc] = code;
		widths[nc++] = w < 8 ? 8 : w;
	}
	return nc;
}

#define S_BLOCK_MAX 24   /* indicator columns of one block at most */

/* One block of columns codes[first..last): its header and every row. */
static void s_print_block(FILE *out, const json_t *view, const json_t *rows, bool with_unit,
			  bool derived, const char *const *codes, const size_t *widths, size_t n)
{
	table_col_t cols[S_BLOCK_MAX + 2] = { { "unit", 36, false }, { "reported", 8, true } };
	char cells[S_BLOCK_MAX][128], label[256], rep[24];
	const char *cell[S_BLOCK_MAX + 2];
	size_t k = derived ? 1 : 2, i, j;
	const json_t *row;

	for (i = 0; i < n; i++)
		cols[k + i] = (table_col_t){ codes[i], widths[i], true };
	table_header(out, "", cols, k + n);
	json_array_foreach(rows, j, row) {
		cell[0] = s_unit(row, with_unit && j > 0, label, sizeof(label));
		snprintf(rep, sizeof(rep), "%lld",
			 (long long)json_integer_value(json_object_get(row, "units_reported")));
		cell[1] = rep;
		for (i = 0; i < n; i++) {
			s_cell(row, codes[i], derived, s_is_rate(view, codes[i]), cells[i],
			       sizeof(cells[i]));
			cell[k + i] = cells[i];
		}
		table_row(out, "", cols, k + n, cell);
	}
}

/* A table of indicator columns with one row per unit (names wrapped),
 * cut into blocks of columns that fit VIEW_TABLE_WIDTH; columns no row
 * has a figure for are left out. */
static void s_print_columns(FILE *out, const json_t *view, const json_t *rows, bool with_unit,
			    bool derived)
{
	const char *codes[CAMPAIGN_INDICATORS_MAX];
	size_t widths[CAMPAIGN_INDICATORS_MAX], first = 0;
	size_t nc = s_columns(view, rows, derived, codes, widths);

	if (nc == 0)
		fprintf(out, "(no figures reported)\n");
	while (first < nc) {
		size_t width = 46, last = first;

		while (last < nc && last - first < S_BLOCK_MAX &&
		       (last == first || width + 1 + widths[last] <= VIEW_TABLE_WIDTH))
			width += 1 + widths[last++];
		s_print_block(out, view, rows, with_unit, derived, codes + first, widths + first,
			      last - first);
		first = last;
		if (first < nc)
			fputc('\n', out);
	}
}

/* Counts table: the reported counts and amounts of the campaign. */
static void s_print_counts(FILE *out, const json_t *view, const json_t *rows, bool with_unit)
{
	fprintf(out, "\nCounts (sums over each subtree; \"reported\": units with a report)\n");
	s_print_columns(out, view, rows, with_unit, false);
}

/* Derived values: each sum and rate now, and its change against the
 * baseline and the previous period. */
static void s_print_derived(FILE *out, const json_t *view, const json_t *rows, bool with_unit)
{
	const char *prev = json_string_value(json_object_get(view, "previous_period"));

	fprintf(out, "\nDerived values from the summed counts: now (change vs baseline; vs %s)"
		" [units reported / expected when partial: the comparable basis]\n",
		prev ? prev : "baseline");
	s_print_columns(out, view, rows, with_unit, true);
}

/* "poor_rate -3 pts/yr", "poor_near_poor -50 %", "< 0.5" ... */
static void s_form_text(const json_t *view, const json_t *t, char *buf, size_t len)
{
	const char *form = s_str(t, "form"), *ind = s_str(t, "indicator");
	double v = json_number_value(json_object_get(t, "value"));
	bool rate = s_is_rate(view, ind), annual = strcmp(s_str(t, "term_basis"), "annual") == 0;
	const char *pct = rate ? "%" : "";

	if (strcmp(form, "down_points") == 0)
		snprintf(buf, len, "%s -%g pts/yr%s", ind, v, annual ? " annual" : "");
	else if (strcmp(form, "down_percent") == 0)
		snprintf(buf, len, "%s -%g %%%s", ind, v, annual ? "/yr" : " by end");
	else if (strcmp(form, "below") == 0)
		snprintf(buf, len, "%s < %g%s", ind, v, pct);
	else if (strcmp(form, "at_most") == 0)
		snprintf(buf, len, "%s <= %g%s", ind, v, pct);
	else if (strcmp(form, "at_least") == 0)
		snprintf(buf, len, "%s >= %g%s", ind, v, pct);
	else
		snprintf(buf, len, "any of");
}

/* " on 62 of 84 units" after a verdict on the comparable basis ("(62 of
 * 84 units reported)" after INCOMPLETE), else "". */
static const char *s_verdict_basis(const json_t *t, char *buf, size_t len)
{
	const json_t *cov = json_object_get(t, "coverage");
	long long rep = (long long)json_integer_value(json_object_get(cov, "reported"));
	long long exp = (long long)json_integer_value(json_object_get(cov, "expected"));

	if (strcmp(s_str(t, "basis"), "comparable") != 0)
		return "";
	if (strcmp(s_str(t, "verdict"), "INCOMPLETE") == 0)
		snprintf(buf, len, " (%lld of %lld units reported)", rep, exp);
	else
		snprintf(buf, len, " on %lld of %lld units", rep, exp);
	return buf;
}

static const table_col_t s_target_cols[] = {
	{ "unit", 32, false }, { "target", 30, false }, { "asks", 28, false },
	{ "required", 9, true }, { "achieved", 9, true }, { "achievement", 11, true },
	{ "progress", 9, true }, { "on target", 0, false },
};

/* One target of row (its unit named on the first only). */
static void s_print_target_line(FILE *out, const json_t *view, const json_t *row, const json_t *t,
				bool first, bool child)
{
	const json_t *d = json_object_get(t, "decided_by");
	const json_t *use = d ? d : t;
	char unit[256], name[160], form[160], a[32], b[32], c[32], e[32], cov[64], verdict[96];

	snprintf(name, sizeof(name), "%s%s%s", s_str(t, "id"), d ? " > " : "",
		 d ? s_str(d, "id") : "");
	s_form_text(view, use, form, sizeof(form));
	snprintf(verdict, sizeof(verdict), " %s%s", s_str(t, "verdict"),
		 s_verdict_basis(t, cov, sizeof(cov)));
	table_row(out, "", s_target_cols, S_NCOLS(s_target_cols),
		  (const char *const[]){ first ? s_unit(row, child, unit, sizeof(unit)) : "", name,
			  form, s_num(json_object_get(t, "required_change"), false, a, sizeof(a)),
			  s_num(json_object_get(t, "change_baseline"), false, b, sizeof(b)),
			  s_num(json_object_get(t, "achievement_pct"), false, c, sizeof(c)),
			  s_num(json_object_get(t, "progress_pct"), false, e, sizeof(e)), verdict });
}

/* Targets: one line per effective target of each row. */
static void s_print_targets(FILE *out, const json_t *view, const json_t *rows, bool with_unit)
{
	const json_t *row, *t;
	size_t i, j;
	bool partial = false;
	char unit[256];

	fprintf(out, "\nTargets: change required by now vs achieved since the baseline "
		"(points for rates); achievement and progress in %%\n");
	table_header(out, "", s_target_cols, S_NCOLS(s_target_cols));
	json_array_foreach(rows, j, row) {
		const json_t *ts = json_object_get(row, "targets");

		if (json_array_size(ts) == 0)
			table_row(out, "", s_target_cols, 2, (const char *const[]){
				s_unit(row, with_unit && j > 0, unit, sizeof(unit)), "(no target)" });
		json_array_foreach(ts, i, t) {
			s_print_target_line(out, view, row, t, i == 0, with_unit && j > 0);
			if (strcmp(s_str(t, "basis"), "comparable") == 0)
				partial = true;
		}
	}
	if (partial)
		fprintf(out, "\"on N of M units\": not every unit that owes the figures has reported "
			"them; judged on the comparable basis, the N units' figures against the same "
			"units' baseline (see Completeness)\n");
}

/* "completed X, arrived Y (notes)" of a reported unit u, "" for others. */
static const char *s_report_text(const json_t *view, const json_t *u, char *buf, size_t len)
{
	char a[TABLE_TIME_LEN], b[TABLE_TIME_LEN];

	if (!json_object_get(u, "completed_at"))
		return "";
	snprintf(buf, len, "completed %s, arrived %s%s%s%s",
		 s_time(view, json_object_get(u, "completed_at"), a, sizeof(a)),
		 s_time(view, json_object_get(u, "received_at"), b, sizeof(b)),
		 json_is_true(json_object_get(u, "by_skew")) ? " (within clock skew)" : "",
		 json_is_true(json_object_get(u, "clock_suspect")) ?
		 " (completion stamp after arrival: judged by arrival)" : "",
		 json_is_true(json_object_get(u, "conflict")) ? " [revision conflict]" : "");
	return buf;
}

/* Every unit of a list (those with the flag only set, when only is not
 * NULL): its code and name, its parent's, and its report's times. */
static void s_print_list(FILE *out, const json_t *view, const char *what, const json_t *list,
			 const char *only)
{
	static const table_col_t cols[] = {
		{ "unit", 36, false }, { "parent", 30, false }, { "report", 0, false },
	};
	const json_t *u;
	size_t i, total = 0;

	json_array_foreach(list, i, u) {
		char label[256], parent[256], rep[256];

		if (only && !json_is_true(json_object_get(u, only)))
			continue;
		if (total++ == 0) {
			fprintf(out, "    %s:\n", what);
			table_header(out, "      ", cols, S_NCOLS(cols));
		}
		snprintf(parent, sizeof(parent), "%s %s", s_str(u, "parent"), s_str(u, "parent_name"));
		table_row(out, "      ", cols, S_NCOLS(cols), (const char *const[]){
			s_unit(u, false, label, sizeof(label)), parent,
			s_report_text(view, u, rep, sizeof(rep)) });
	}
}

static const table_col_t s_group_cols[] = {
	{ "level", 22, false }, { "late from", 23, false }, { "expected", 8, true },
	{ "on time", 8, true }, { "late", 6, true }, { "missing", 8, true },
	{ "pending", 8, true }, { "arrived late", 13, true }, { "conflicts", 9, true },
};

/* One group's line and its lists; the on-time reports that arrived late
 * are listed by name for the children only (a level may hold hundreds). */
static void s_print_group(FILE *out, const json_t *view, const char *label, const json_t *g,
			  bool list_arrived_late)
{
	static const char *const keys[] = { "expected", "on_time", "late", "missing", "pending",
					    "on_time_arrived_late", "conflicts" };
	char a[TABLE_TIME_LEN], n[7][24];
	const char *cells[9] = { label, s_time(view, json_object_get(g, "late_from"), a, sizeof(a)) };

	for (size_t k = 0; k < 7; k++) {
		snprintf(n[k], sizeof(n[k]), "%lld",
			 (long long)json_integer_value(json_object_get(g, keys[k])));
		cells[2 + k] = n[k];
	}
	table_row(out, "", s_group_cols, S_NCOLS(s_group_cols), cells);
	s_print_list(out, view, "late", json_object_get(g, "late_units"), NULL);
	s_print_list(out, view, "missing", json_object_get(g, "missing_units"), NULL);
	s_print_list(out, view, "open revision conflict (on time)",
		     json_object_get(g, "on_time_units"), "conflict");
	s_print_list(out, view, "open revision conflict (late)",
		     json_object_get(g, "late_units"), "conflict");
	if (list_arrived_late)
		s_print_list(out, view, "on time by completion, arrived late",
			     json_object_get(g, "on_time_units"), "arrived_late");
	else
		s_print_list(out, view, "on time within the clock-skew allowance",
			     json_object_get(g, "on_time_units"), "by_skew");
}

/* True unless the direct children are exactly the first level's units. */
static bool s_children_differ(const json_t *c)
{
	const json_t *kids = json_object_get(c, "children");
	const json_t *first = json_array_get(json_object_get(c, "levels"), 0);
	json_int_t n = json_integer_value(json_object_get(kids, "expected"));
	const json_t *lists[4] = { json_object_get(kids, "on_time_units"),
				   json_object_get(kids, "late_units"),
				   json_object_get(kids, "missing_units"),
				   json_object_get(kids, "pending_units") };

	if (n == 0)
		return false;
	if (!first || n != json_integer_value(json_object_get(first, "expected")))
		return true;
	for (size_t l = 0; l < 4; l++) {
		const json_t *u;
		size_t i;

		json_array_foreach(lists[l], i, u)
			if (strcmp(s_str(u, "level"), s_str(first, "level")) != 0)
				return true;
	}
	return false;
}

static void s_print_completeness(FILE *out, const json_t *view)
{
	const json_t *c = json_object_get(view, "completeness"), *g;
	size_t i;

	fprintf(out, "\nCompleteness and timeliness (each unit's first report, by its signed "
		"completion time; clock skew %lld s)\n",
		(long long)json_integer_value(json_object_get(view, "clock_skew_s")));
	table_header(out, "", s_group_cols, S_NCOLS(s_group_cols));
	if (s_children_differ(c))
		s_print_group(out, view, "children", json_object_get(c, "children"), true);
	json_array_foreach(json_object_get(c, "levels"), i, g)
		s_print_group(out, view, s_str(g, "level"), g, false);
}

/* Side by side: each member's status line. */
static void s_print_timeliness_rows(FILE *out, const json_t *view, const json_t *rows)
{
	static const table_col_t cols[] = {
		{ "unit", 36, false }, { "status", 10, false }, { "completed", 23, false },
		{ "arrived", 23, false }, { "", 0, false },
	};
	const json_t *row;
	size_t i;
	char a[TABLE_TIME_LEN], b[TABLE_TIME_LEN], label[256], note[64];

	fprintf(out, "\nReports\n");
	table_header(out, "", cols, S_NCOLS(cols));
	json_array_foreach(rows, i, row) {
		const json_t *r = json_object_get(row, "report");

		snprintf(note, sizeof(note), "%s%s",
			 json_is_true(json_object_get(r, "arrived_late")) ? "arrived late" : "",
			 json_is_true(json_object_get(r, "conflict")) ? " [revision conflict]" : "");
		table_row(out, "", cols, S_NCOLS(cols), (const char *const[]){
			s_unit(row, false, label, sizeof(label)),
			json_is_object(r) ? s_str(r, "status") : "-",
			s_time(view, json_object_get(r, "completed_at"), a, sizeof(a)),
			s_time(view, json_object_get(r, "received_at"), b, sizeof(b)), note });
	}
}

void view_print_table(FILE *out, const json_t *view)
{
	json_t *rows;
	const json_t *kid, *cl = json_object_get(view, "cluster");
	const char *prev = json_string_value(json_object_get(view, "previous_period"));
	char off[16];
	size_t i;

	if (!json_object_get(view, "indicators")) {
		rollup_print_table(out, view);
		return;
	}
	fprintf(out, "campaign %s (%s)\nperiod %s (%s; previous: %s); times in UTC%s\n",
		s_str(view, "campaign"), s_str(view, "campaign_name"), s_str(view, "period"),
		s_str(view, "period_kind"), prev ? prev : "the baseline",
		table_offset(json_integer_value(json_object_get(view, "utc_offset_s")), off,
			     sizeof(off)));
	rows = json_array();
	if (!rows)
		return;
	if (cl) {
		fprintf(out, "cluster %s (%s)\n", s_str(cl, "id"), s_str(cl, "name"));
		json_array_extend(rows, json_object_get(cl, "members"));
	} else {
		json_array_append(rows, json_object_get(view, "unit"));
		json_array_foreach(json_object_get(view, "children"), i, kid)
			json_array_append(rows, (json_t *)kid);
	}
	s_print_counts(out, view, rows, !cl);
	s_print_derived(out, view, rows, !cl);
	s_print_targets(out, view, rows, !cl);
	if (cl)
		s_print_timeliness_rows(out, view, rows);
	else
		s_print_completeness(out, view);
	json_decref(rows);
}
