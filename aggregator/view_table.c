/* view_table.c: the operators' view as aligned tables (see view.h). */
#include "view.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign.h"
#include "rollup.h"
#include "util.h"

#define VIEW_LIST_MAX 12        /* names a table lists before "and N more" */

/* ---- tables ------------------------------------------------------------ */

/* Formats Unix time t in the view's offset as "2023-12-05 00:00"; "-" for
 * none, and for a time that cannot be shown (any int64 is safe: a stamp
 * stored before the range check, e.g. 2^63-1, does not overflow). */
static const char *s_time(const json_t *view, const json_t *t, char *buf, size_t len)
{
	json_int_t local;
	time_t s;
	struct tm tm;

	if (!json_is_integer(t) || json_integer_value(t) <= 0)
		return "-";
	if (__builtin_add_overflow(json_integer_value(t),
				   json_integer_value(json_object_get(view, "utc_offset_s")), &local))
		return "-";
	s = (time_t)local;
	if (!gmtime_r(&s, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M", &tm))
		return "-";
	return buf;
}

static const char *s_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* "CODE Name", indented for a child. */
static void s_put_unit(FILE *out, const json_t *row, size_t width, bool child)
{
	char label[256];

	snprintf(label, sizeof(label), "%s%s %s", child ? "  " : "", s_str(row, "code"),
		 s_str(row, "name"));
	lnob_fput_col(out, label, width, true);
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

/* A table of indicator columns (reported counts and amounts, or derived
 * sums and rates) with one line per row, cut into blocks of columns that
 * fit VIEW_TABLE_WIDTH; columns no row has a figure for are left out. */
static void s_print_columns(FILE *out, const json_t *view, const json_t *rows, bool with_unit,
			    bool derived)
{
	const json_t *ind, *row;
	const char *codes[CAMPAIGN_INDICATORS_MAX];
	size_t widths[CAMPAIGN_INDICATORS_MAX], nc = 0, i, j, first = 0;
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
	if (nc == 0)
		fprintf(out, "(no figures reported)\n");
	while (first < nc) {
		size_t width = 46, last = first;

		while (last < nc && (last == first || width + 1 + widths[last] <= VIEW_TABLE_WIDTH))
			width += 1 + widths[last++];
		lnob_fput_col(out, "unit", 36, true);
		if (!derived)
			fprintf(out, " %8s", "reported");
		for (i = first; i < last; i++) {
			fputc(' ', out);
			lnob_fput_col(out, codes[i], widths[i], false);
		}
		fputc('\n', out);
		json_array_foreach(rows, j, row) {
			s_put_unit(out, row, 36, with_unit && j > 0);
			if (!derived)
				fprintf(out, " %8lld",
					(long long)json_integer_value(json_object_get(row, "units_reported")));
			for (i = first; i < last; i++) {
				s_cell(row, codes[i], derived, s_is_rate(view, codes[i]), cell, sizeof(cell));
				fputc(' ', out);
				lnob_fput_col(out, cell, widths[i], false);
			}
			fputc('\n', out);
		}
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

static void s_print_target_line(FILE *out, const json_t *view, const json_t *row, const json_t *t,
				bool first, bool child)
{
	const json_t *d = json_object_get(t, "decided_by");
	const json_t *use = d ? d : t;
	char name[160], form[160], a[32], b[32], c[32], e[32], cov[64];

	if (first)
		s_put_unit(out, row, 32, child);
	else
		lnob_fput_col(out, "", 32, true);
	snprintf(name, sizeof(name), "%s%s%s", s_str(t, "id"), d ? " > " : "",
		 d ? s_str(d, "id") : "");
	fputc(' ', out);
	lnob_fput_col(out, name, 30, true);
	s_form_text(view, use, form, sizeof(form));
	fputc(' ', out);
	lnob_fput_col(out, form, 28, true);
	fprintf(out, " %9s %9s %11s %9s  %s%s\n",
		s_num(json_object_get(t, "required_change"), false, a, sizeof(a)),
		s_num(json_object_get(t, "change_baseline"), false, b, sizeof(b)),
		s_num(json_object_get(t, "achievement_pct"), false, c, sizeof(c)),
		s_num(json_object_get(t, "progress_pct"), false, e, sizeof(e)),
		s_str(t, "verdict"), s_verdict_basis(t, cov, sizeof(cov)));
}

/* Targets: one line per effective target of each row. */
static void s_print_targets(FILE *out, const json_t *view, const json_t *rows, bool with_unit)
{
	const json_t *row, *t;
	size_t i, j;
	bool partial = false;

	fprintf(out, "\nTargets: change required by now vs achieved since the baseline "
		"(points for rates); achievement and progress in %%\n");
	lnob_fput_col(out, "unit", 32, true);
	fputc(' ', out);
	lnob_fput_col(out, "target", 30, true);
	fputc(' ', out);
	lnob_fput_col(out, "asks", 28, true);
	fprintf(out, " %9s %9s %11s %9s  %s\n", "required", "achieved", "achievement",
		"progress", "on target");
	json_array_foreach(rows, j, row) {
		const json_t *ts = json_object_get(row, "targets");

		if (json_array_size(ts) == 0) {
			s_put_unit(out, row, 32, with_unit && j > 0);
			fprintf(out, " (no target)\n");
		}
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

/* Up to VIEW_LIST_MAX units of a list, with their times when they have them. */
static void s_print_list(FILE *out, const json_t *view, const char *what, const json_t *list,
			 const char *only)
{
	const json_t *u;
	size_t i, shown = 0, total = 0;
	char a[32], b[32];

	json_array_foreach(list, i, u) {
		char label[256];

		if (only && !json_is_true(json_object_get(u, only)))
			continue;
		if (total++ == 0)
			fprintf(out, "    %s:\n", what);
		if (shown >= VIEW_LIST_MAX)
			continue;
		shown++;
		snprintf(label, sizeof(label), "%s %s", s_str(u, "code"), s_str(u, "name"));
		fputs("      ", out);
		if (json_object_get(u, "completed_at")) {
			lnob_fput_col(out, label, 36, true);
			fprintf(out, " completed %s, arrived %s%s%s%s\n",
				s_time(view, json_object_get(u, "completed_at"), a, sizeof(a)),
				s_time(view, json_object_get(u, "received_at"), b, sizeof(b)),
				json_is_true(json_object_get(u, "by_skew")) ? " (within clock skew)" : "",
				json_is_true(json_object_get(u, "clock_suspect")) ?
				" (completion stamp after arrival: judged by arrival)" : "",
				json_is_true(json_object_get(u, "conflict")) ? " [revision conflict]" : "");
		} else {
			fprintf(out, "%s\n", label);
		}
	}
	if (total > shown)
		fprintf(out, "      ... and %zu more (--json lists all)\n", total - shown);
}

/* One group's line and its lists; the on-time reports that arrived late
 * are listed by name for the children only (a level may hold hundreds). */
static void s_print_group(FILE *out, const json_t *view, const char *label, const json_t *g,
			  bool list_arrived_late)
{
	char a[32];

	lnob_fput_col(out, label, 22, true);
	fprintf(out, " %-17s %8lld %8lld %6lld %8lld %8lld %13lld %9lld\n",
		s_time(view, json_object_get(g, "late_from"), a, sizeof(a)),
		(long long)json_integer_value(json_object_get(g, "expected")),
		(long long)json_integer_value(json_object_get(g, "on_time")),
		(long long)json_integer_value(json_object_get(g, "late")),
		(long long)json_integer_value(json_object_get(g, "missing")),
		(long long)json_integer_value(json_object_get(g, "pending")),
		(long long)json_integer_value(json_object_get(g, "on_time_arrived_late")),
		(long long)json_integer_value(json_object_get(g, "conflicts")));
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
	lnob_fput_col(out, "level", 22, true);
	fprintf(out, " %-17s %8s %8s %6s %8s %8s %13s %9s\n", "late from", "expected",
		"on time", "late", "missing", "pending", "arrived late", "conflicts");
	if (s_children_differ(c))
		s_print_group(out, view, "children", json_object_get(c, "children"), true);
	json_array_foreach(json_object_get(c, "levels"), i, g)
		s_print_group(out, view, s_str(g, "level"), g, false);
}

/* Side by side: each member's status line. */
static void s_print_timeliness_rows(FILE *out, const json_t *view, const json_t *rows)
{
	const json_t *row;
	size_t i;
	char a[32], b[32];

	fprintf(out, "\nReports\n");
	lnob_fput_col(out, "unit", 36, true);
	fprintf(out, " %-10s %-17s %-17s %s\n", "status", "completed", "arrived", "");
	json_array_foreach(rows, i, row) {
		const json_t *r = json_object_get(row, "report");

		s_put_unit(out, row, 36, false);
		fprintf(out, " %-10s %-17s %-17s %s%s\n", json_is_object(r) ? s_str(r, "status") :
			"-", s_time(view, json_object_get(r, "completed_at"), a, sizeof(a)),
			s_time(view, json_object_get(r, "received_at"), b, sizeof(b)),
			json_is_true(json_object_get(r, "arrived_late")) ? "arrived late" : "",
			json_is_true(json_object_get(r, "conflict")) ? " [revision conflict]" : "");
	}
}

void view_print_table(FILE *out, const json_t *view)
{
	json_t *rows;
	const json_t *kid, *cl = json_object_get(view, "cluster");
	const char *prev = json_string_value(json_object_get(view, "previous_period"));
	long long off;
	size_t i;

	if (!json_object_get(view, "indicators")) {
		rollup_print_table(out, view);
		return;
	}
	off = json_integer_value(json_object_get(view, "utc_offset_s"));
	fprintf(out, "campaign %s (%s)\nperiod %s (%s; previous: %s); times in UTC%c%02d:%02d\n",
		s_str(view, "campaign"), s_str(view, "campaign_name"), s_str(view, "period"),
		s_str(view, "period_kind"), prev ? prev : "the baseline", off < 0 ? '-' : '+',
		(int)(llabs(off) / 3600), (int)(llabs(off) % 3600 / 60));
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
