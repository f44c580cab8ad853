/*
 * export_summary.c: the export's summary sheet (export.h): one row per
 * unit, its figures taken from that unit's own view (view_build()), never
 * recomputed: the reported counts and amounts, each derived value with its
 * changes and coverage, each target (by goal) with what it asks, its
 * achievement and verdict, and the completeness of the reports owed in the
 * unit's subtree.
 */
#include "export_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define EXPORT_GOALS_MAX 32     /* distinct target goals over the rows */

static const char *s_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static bool s_is(const json_t *o, const char *key, const char *want)
{
	return strcmp(s_str(o, key), want) == 0;
}

/* The label of indicator code in view (its code when it has none). */
static const char *s_label(const json_t *view, const char *code)
{
	const json_t *ind;
	size_t i;

	json_array_foreach(json_object_get(view, "indicators"), i, ind)
		if (s_is(ind, "code", code))
			return s_str(ind, "label")[0] ? s_str(ind, "label") : code;
	return code;
}

static bool s_is_rate(const json_t *view, const char *code)
{
	const json_t *ind;
	size_t i;

	json_array_foreach(json_object_get(view, "indicators"), i, ind)
		if (s_is(ind, "code", code))
			return s_is(ind, "kind", "rate");
	return false;
}

/* A column "<prefix><suffix>" with header "<head><tail>". */
static int s_col2(json_t *sheet, const char *prefix, const char *suffix, const char *head,
		  const char *tail, const char *type)
{
	char id[256], header[512];

	snprintf(id, sizeof(id), "%s%s", prefix, suffix);
	snprintf(header, sizeof(header), "%s%s", head, tail);
	return export_col(sheet, id, header, type);
}

/* ---- columns ----------------------------------------------------------- */

/* The unit's columns, then one per count or amount, then each derived
 * value's five. */
static int s_indicator_cols(json_t *sheet, const json_t *view)
{
	static const char *const unit_cols[][3] = {
		{ "code", "Mã đơn vị", "text" }, { "name", "Tên đơn vị", "text" },
		{ "level", "Cấp", "text" }, { "parent", "Mã đơn vị cấp trên", "text" },
		{ "parent_name", "Tên đơn vị cấp trên", "text" },
		{ "units_reported", "Số đơn vị đã báo cáo", "integer" },
	};
	const json_t *ind;
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < sizeof(unit_cols) / sizeof(unit_cols[0]); i++)
		r = export_col(sheet, unit_cols[i][0], unit_cols[i][1], unit_cols[i][2]);
	json_array_foreach(json_object_get(view, "indicators"), i, ind)
		if (r == 0 && (s_is(ind, "kind", "count") || s_is(ind, "kind", "amount")))
			r = export_col(sheet, s_str(ind, "code"), s_label(view, s_str(ind, "code")),
				       "integer");
	json_array_foreach(json_object_get(view, "indicators"), i, ind) {
		const char *code = s_str(ind, "code"), *label = s_label(view, code);
		bool rate = s_is(ind, "kind", "rate");

		if (r < 0 || !(rate || s_is(ind, "kind", "sum")))
			continue;
		if ((r = s_col2(sheet, code, "", label, rate ? " (%)" : "",
				rate ? "percent" : "integer")) == 0 &&
		    (r = s_col2(sheet, code, ".change_baseline", label, rate ?
				" – thay đổi so với đầu kỳ (điểm %)" : " – thay đổi so với đầu kỳ",
				rate ? "decimal" : "integer")) == 0 &&
		    (r = s_col2(sheet, code, ".change_previous", label, rate ?
				" – thay đổi so với kỳ trước (điểm %)" : " – thay đổi so với kỳ trước",
				rate ? "decimal" : "integer")) == 0 &&
		    (r = s_col2(sheet, code, ".reported", label, " – số đơn vị có số liệu",
				"integer")) == 0)
			r = s_col2(sheet, code, ".expected", label, " – số đơn vị phải báo cáo",
				   "integer");
	}
	return r;
}

/* The goals of the rows' targets, in order of first appearance. */
static size_t s_goals(json_t *const *views, size_t n, const char **goals)
{
	size_t ng = 0;

	for (size_t v = 0; v < n; v++) {
		const json_t *t;
		size_t i, g;

		json_array_foreach(json_object_get(json_object_get(views[v], "unit"), "targets"), i, t) {
			for (g = 0; g < ng && strcmp(goals[g], s_str(t, "goal")) != 0; g++)
				;
			if (g == ng && ng < EXPORT_GOALS_MAX)
				goals[ng++] = s_str(t, "goal");
		}
	}
	return ng;
}

/* Per goal: the target and what it asks, achievement, verdict; then the
 * completeness columns. */
static int s_target_cols(json_t *sheet, const char *const *goals, size_t ng)
{
	static const char *const comp_cols[][2] = {
		{ "report_status", "Tình trạng báo cáo của đơn vị" },
		{ "expected", "Số đơn vị phải nộp báo cáo" }, { "on_time", "Nộp đúng hạn" },
		{ "late", "Nộp trễ hạn" }, { "missing", "Chưa nộp (quá hạn)" },
		{ "pending", "Chưa đến hạn" },
	};
	int r = 0;

	for (size_t g = 0; r == 0 && g < ng; g++) {
		char id[160], head[200];

		snprintf(id, sizeof(id), "target.%s", goals[g]);
		snprintf(head, sizeof(head), "Mục tiêu %s", goals[g]);
		if ((r = s_col2(sheet, id, "", head, " – yêu cầu", "text")) == 0 &&
		    (r = s_col2(sheet, id, ".achievement_pct", head, " – mức đạt (%)",
				"percent")) == 0)
			r = s_col2(sheet, id, ".verdict", head, " – đánh giá", "text");
	}
	for (size_t i = 0; r == 0 && i < sizeof(comp_cols) / sizeof(comp_cols[0]); i++)
		r = export_col(sheet, comp_cols[i][0], comp_cols[i][1],
			       i == 0 ? "text" : "integer");
	return r;
}

/* ---- one row ----------------------------------------------------------- */

/* What target t asks, in words: "districts: một trong rate-3-points,
 * scale-50-percent; theo scale-50-percent: Quy mô ... giảm 50 % đến 2025". */
static void s_asks(const json_t *view, const json_t *t, char *buf, size_t len)
{
	const char *form = s_str(t, "form"), *ind = s_str(t, "indicator");
	const char *label = s_label(view, ind), *pct = s_is_rate(view, ind) ? " %" : "";
	double v = json_number_value(json_object_get(t, "value"));
	bool annual = s_is(t, "term_basis", "annual");
	long long by = (long long)json_integer_value(json_object_get(t, "by"));

	if (strcmp(form, "down_points") == 0)
		snprintf(buf, len, "%s giảm %g điểm %%/năm%s", label, v,
			 annual ? " so với năm trước" : " (bình quân)");
	else if (strcmp(form, "down_percent") == 0 && annual)
		snprintf(buf, len, "%s giảm %g %%/năm", label, v);
	else if (strcmp(form, "down_percent") == 0)
		snprintf(buf, len, "%s giảm %g %% đến %lld", label, v, by);
	else if (strcmp(form, "below") == 0)
		snprintf(buf, len, "%s < %g%s", label, v, pct);
	else if (strcmp(form, "at_most") == 0)
		snprintf(buf, len, "%s ≤ %g%s", label, v, pct);
	else if (strcmp(form, "at_least") == 0)
		snprintf(buf, len, "%s ≥ %g%s", label, v, pct);
	else
		snprintf(buf, len, "%s", form);
}

/* "id: asks" of target t, for any_of its alternatives and the deciding one. */
static json_t *s_target_text(const json_t *view, const json_t *t)
{
	const json_t *alt, *d = json_object_get(t, "decided_by");
	char buf[1024], asks[512];
	size_t i, n;

	if (!s_is(t, "form", "any_of")) {
		s_asks(view, t, asks, sizeof(asks));
		snprintf(buf, sizeof(buf), "%s: %s", s_str(t, "id"), asks);
		return json_string(buf);
	}
	n = (size_t)snprintf(buf, sizeof(buf), "%s: một trong", s_str(t, "id"));
	json_array_foreach(json_object_get(t, "alternatives"), i, alt)
		if (n < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s %s", i ? "," : "",
					      s_str(alt, "id"));
	if (d && n < sizeof(buf)) {
		s_asks(view, d, asks, sizeof(asks));
		snprintf(buf + n, sizeof(buf) - n, "; theo %s: %s", s_str(d, "id"), asks);
	}
	return json_string(buf);
}

/* "MET", "MET on 62 of 84 units", "INCOMPLETE (62 of 84 units reported)". */
static json_t *s_verdict_text(const json_t *t)
{
	const json_t *cov = json_object_get(t, "coverage");
	long long rep = (long long)json_integer_value(json_object_get(cov, "reported"));
	long long exp = (long long)json_integer_value(json_object_get(cov, "expected"));
	char buf[128];

	if (!s_is(t, "basis", "comparable"))
		return json_string(s_str(t, "verdict"));
	if (s_is(t, "verdict", "INCOMPLETE"))
		snprintf(buf, sizeof(buf), "INCOMPLETE (%lld of %lld units reported)", rep, exp);
	else
		snprintf(buf, sizeof(buf), "%s on %lld of %lld units", s_str(t, "verdict"), rep, exp);
	return json_string(buf);
}

/* A figure of the view, copied (null when absent). */
static json_t *s_copy(const json_t *v)
{
	return v ? json_deep_copy(v) : json_null();
}

/* A figure's coverage count ("reported" or "expected"), or NULL. */
static const json_t *s_cov(const json_t *v, const char *which)
{
	return json_object_get(json_object_get(v, "coverage"), which);
}

/* The counts, derived values and targets of the view's unit into row. */
static void s_figures(json_t *row, const json_t *view)
{
	const json_t *u = json_object_get(view, "unit"), *ind, *t;
	const json_t *vals = json_object_get(u, "values");
	size_t i;
	char key[256];

	export_set(row, "units_reported", s_copy(json_object_get(u, "units_reported")));
	json_array_foreach(json_object_get(view, "indicators"), i, ind) {
		const char *code = s_str(ind, "code");
		const json_t *v = json_object_get(vals, code);

		if (s_is(ind, "kind", "count") || s_is(ind, "kind", "amount")) {
			export_set(row, code, s_copy(json_object_get(json_object_get(u, "sums"), code)));
			continue;
		}
		export_set(row, code, s_copy(json_object_get(v, "value")));
		snprintf(key, sizeof(key), "%s.change_baseline", code);
		export_set(row, key, s_copy(json_object_get(v, "change_baseline")));
		snprintf(key, sizeof(key), "%s.change_previous", code);
		export_set(row, key, s_copy(json_object_get(v, "change_previous")));
		snprintf(key, sizeof(key), "%s.reported", code);
		export_set(row, key, s_copy(s_cov(v, "reported")));
		snprintf(key, sizeof(key), "%s.expected", code);
		export_set(row, key, s_copy(s_cov(v, "expected")));
	}
	json_array_foreach(json_object_get(u, "targets"), i, t) {
		snprintf(key, sizeof(key), "target.%s", s_str(t, "goal"));
		export_set(row, key, s_target_text(view, t));
		snprintf(key, sizeof(key), "target.%s.achievement_pct", s_str(t, "goal"));
		export_set(row, key, s_copy(json_object_get(t, "achievement_pct")));
		snprintf(key, sizeof(key), "target.%s.verdict", s_str(t, "goal"));
		export_set(row, key, s_verdict_text(t));
	}
}

/* The completeness of the reports owed in the view's subtree, the unit
 * itself included: its own report's status, and the counts of every level
 * below it (view.h "completeness.levels") with its own added. */
static void s_completeness(json_t *row, const json_t *view)
{
	static const char *const keys[] = { "expected", "on_time", "late", "missing", "pending" };
	const json_t *rep = json_object_get(json_object_get(view, "unit"), "report"), *g;
	const char *own = json_string_value(json_object_get(rep, "status"));
	json_int_t n[5] = { 0 };
	size_t i;

	json_array_foreach(json_object_get(json_object_get(view, "completeness"), "levels"), i, g)
		for (size_t k = 0; k < 5; k++)
			n[k] += json_integer_value(json_object_get(g, keys[k]));
	for (size_t k = 1; own && k < 5; k++)
		if (strcmp(own, keys[k]) == 0) {
			n[0]++;
			n[k]++;
		}
	export_set(row, "report_status", own ? json_string(own) : NULL);
	for (size_t k = 0; k < 5; k++)
		export_set(row, keys[k], json_integer(n[k]));
}

/* The row of one view's unit. */
static json_t *s_row(const hier_t *hier, const json_t *view)
{
	const json_t *u = json_object_get(view, "unit");
	json_t *row = export_unit_row(hier, s_str(u, "code"), s_str(u, "name"), s_str(u, "level"));

	if (!row)
		return NULL;
	s_figures(row, view);
	s_completeness(row, view);
	return row;
}

json_t *export_summary(const hier_t *hier, json_t *const *views, size_t n)
{
	const char *goals[EXPORT_GOALS_MAX];
	size_t ng = s_goals(views, n, goals);
	json_t *sheet = export_sheet("summary", "Tổng hợp");
	int r = sheet ? 0 : -ENOMEM;

	if (r == 0 && n > 0 && (r = s_indicator_cols(sheet, views[0])) == 0)
		r = s_target_cols(sheet, goals, ng);
	for (size_t v = 0; r == 0 && v < n; v++)
		r = export_row(sheet, s_row(hier, views[v]));
	if (r < 0) {
		json_decref(sheet);
		return NULL;
	}
	return sheet;
}
