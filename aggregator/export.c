/*
 * export.c: the export document (export.h): which units, the views behind
 * them, the late and missing units' sheet and the nominations' sheet; the
 * summary sheet is export_summary.c's.
 */
#include "export.h"
#include "export_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "hierperiod.h"
#include "nominations.h"
#include "util.h"
#include "view.h"

/* ---- sheets (export_int.h) --------------------------------------------- */

json_t *export_sheet(const char *id, const char *name)
{
	return json_pack("{s:s, s:s, s:[], s:[]}", "id", id, "name", name, "columns", "rows");
}

int export_col(json_t *sheet, const char *id, const char *header, const char *type)
{
	json_t *col = json_pack("{s:s, s:s, s:s}", "id", id, "header", header, "type", type);

	if (!col || json_array_append_new(json_object_get(sheet, "columns"), col) != 0)
		return -ENOMEM;
	return 0;
}

int export_row(json_t *sheet, json_t *row)
{
	if (!row || json_array_append_new(json_object_get(sheet, "rows"), row) != 0)
		return -ENOMEM;
	return 0;
}

void export_set(json_t *row, const char *key, json_t *v)
{
	json_object_set_new(row, key, v ? v : json_null());
}

json_t *export_unit_row(const hier_t *hier, const char *code, const char *name,
			const char *level)
{
	int i = hier_find(hier, code);
	const hier_unit_t *p = i >= 0 && hier_unit(hier, i)->parent >= 0 ?
			       hier_unit(hier, hier_unit(hier, i)->parent) : NULL;

	return json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "code", code, "name", name, "level", level,
			 "parent", p ? p->code : NULL, "parent_name", p ? p->name : NULL);
}

/* ---- what is asked ------------------------------------------------------ */

/* Appends ", id" (or the first id) to buf of len, cut when it is full. */
static void s_list_add(char *buf, size_t len, const char *id)
{
	size_t n = strlen(buf);

	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "", id);
}

/* The campaign and period of o, checked (campaigns_lookup(): err lists the
 * known ids). Returns 0 or LNOB_E_NOTFOUND. */
static int s_check_ids(const export_opts_t *o, char *err, size_t errlen)
{
	const campaign_t *c = NULL;
	int r = campaigns_lookup(o->campaigns, o->campaign, o->period, "campaign", "period", &c,
				 err, errlen);

	if (r == 0 && !c)
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "campaign '%s': no campaign is "
				 "configured ([campaign] files)", o->campaign);
	return r;
}

/* Whether some unit of hier is at level. */
static bool s_level_known(const hier_t *hier, const char *level)
{
	for (size_t i = 0; i < hier_count(hier); i++)
		if (strcmp(hier_unit(hier, (int)i)->level, level) == 0)
			return true;
	return false;
}

/* The levels of hier, in order of first appearance, into buf. */
static void s_levels(const hier_t *hier, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < hier_count(hier); i++) {
		const char *lv = hier_unit(hier, (int)i)->level;
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(hier_unit(hier, (int)j)->level, lv) == 0;
		if (!seen)
			s_list_add(buf, len, lv);
	}
}

/* The units of the summary: o->unit first, then its children or the units
 * of o->level below it. *ret (caller frees) and *ret_n. Returns 0,
 * LNOB_E_NOTFOUND (the level) or -ENOMEM. */
static int s_units(const hier_t *hier, const export_opts_t *o, int **ret, size_t *ret_n,
		   char *err, size_t errlen)
{
	size_t n = 1, nu = hier_count(hier);
	int *v = malloc((nu + 1) * sizeof(*v));
	char levels[512];

	if (!v)
		return -ENOMEM;
	v[0] = o->unit;
	for (size_t i = 0; i < nu; i++) {
		const hier_unit_t *u = hier_unit(hier, (int)i);

		if ((int)i != o->unit && (o->level ? strcmp(u->level, o->level) == 0 &&
					  hier_in_subtree(hier, o->unit, (int)i) :
					  u->parent == o->unit))
			v[n++] = (int)i;
	}
	if (o->level && n == 1) {
		const hier_unit_t *u = hier_unit(hier, o->unit);

		free(v);
		if (s_level_known(hier, o->level))
			return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "no unit of level '%s' below "
					 "%s (%s, %s)", o->level, u->code, u->name, u->level);
		s_levels(hier, levels, sizeof(levels));
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "unknown level '%s' (the levels of "
				 "the hierarchy: %s)", o->level, levels);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* ---- late and missing -------------------------------------------------- */

/* "UTC+07:00" of the campaign's offset, into buf. */
static const char *s_utc(const json_t *view, char *buf, size_t len)
{
	long long off = (long long)json_integer_value(json_object_get(view, "utc_offset_s"));

	snprintf(buf, len, "UTC%c%02lld:%02lld", off < 0 ? '-' : '+', llabs(off) / 3600,
		 llabs(off) % 3600 / 60);
	return buf;
}

static int s_late_cols(json_t *sheet, const json_t *view)
{
	static const char *const cols[][3] = {
		{ "code", "Mã đơn vị", "text" }, { "name", "Tên đơn vị", "text" },
		{ "parent", "Mã đơn vị cấp trên", "text" },
		{ "parent_name", "Tên đơn vị cấp trên", "text" }, { "level", "Cấp", "text" },
		{ "late_from", "Hạn nộp: trễ từ", "time" },
		{ "completed_at", "Hoàn thành lúc", "time" },
		{ "received_at", "Nhận được lúc", "time" }, { "status", "Tình trạng", "text" },
	};
	char utc[32], head[128];
	int r = 0;

	s_utc(view, utc, sizeof(utc));
	for (size_t i = 0; r == 0 && i < sizeof(cols) / sizeof(cols[0]); i++) {
		bool time = strcmp(cols[i][2], "time") == 0;

		snprintf(head, sizeof(head), "%s%s%s%s", cols[i][1], time ? " (" : "",
			 time ? utc : "", time ? ")" : "");
		r = export_col(sheet, cols[i][0], head, cols[i][2]);
	}
	return r;
}

/* The row of a late or missing unit u (a view's unit reference, or its
 * report object with code etc. given apart). */
static json_t *s_late_row(const hier_t *hier, const json_t *u, const char *code,
			  const char *name, const char *level, const char *status)
{
	static const char *const times[] = { "late_from", "completed_at", "received_at" };
	json_t *row = export_unit_row(hier, code, name, level);

	for (size_t i = 0; row && i < 3; i++) {
		const json_t *t = json_object_get(u, times[i]);

		export_set(row, times[i], t ? json_deep_copy(t) : NULL);
	}
	if (row)
		export_set(row, "status", json_string(status));
	return row;
}

/* The late and missing units of the view's subtree: the unit itself when
 * it is, then level by level the late, then the missing ones. */
static json_t *s_late(const hier_t *hier, const json_t *view)
{
	static const char *const lists[][2] = { { "late_units", "late" },
						{ "missing_units", "missing" } };
	const json_t *u = json_object_get(view, "unit"), *rep = json_object_get(u, "report"), *g;
	const char *own = json_string_value(json_object_get(rep, "status"));
	json_t *sheet = export_sheet("late", "Chậm, chưa báo cáo");
	size_t i, j;
	int r = sheet ? s_late_cols(sheet, view) : -ENOMEM;

	if (r == 0 && own && (strcmp(own, "late") == 0 || strcmp(own, "missing") == 0))
		r = export_row(sheet, s_late_row(hier, rep, json_string_value(json_object_get(u, "code")),
						 json_string_value(json_object_get(u, "name")),
						 json_string_value(json_object_get(u, "level")), own));
	json_array_foreach(json_object_get(json_object_get(view, "completeness"), "levels"), i, g)
		for (size_t l = 0; r == 0 && l < 2; l++) {
			const json_t *x;

			json_array_foreach(json_object_get(g, lists[l][0]), j, x)
				if (r == 0)
					r = export_row(sheet, s_late_row(
						hier, x, json_string_value(json_object_get(x, "code")),
						json_string_value(json_object_get(x, "name")),
						json_string_value(json_object_get(x, "level")), lists[l][1]));
		}
	if (r < 0) {
		json_decref(sheet);
		return NULL;
	}
	return sheet;
}

/* ---- nominations ------------------------------------------------------- */

static int s_nom_cols(json_t *sheet)
{
	static const char *const cols[][2] = {
		{ "key", "Mã hồ sơ" }, { "nominee_name", "Đối tượng đề nghị" },
		{ "nominee_kind", "Loại đối tượng" }, { "unit", "Mã đơn vị" },
		{ "unit_name", "Tên đơn vị" }, { "level", "Cấp" },
		{ "form", "Hình thức khen thưởng" }, { "stage", "Giai đoạn" },
		{ "holder", "Đơn vị đang giữ hồ sơ" }, { "holder_name", "Tên đơn vị đang giữ" },
		{ "eligibility", "Đủ điều kiện" }, { "eligibility_reason", "Căn cứ" },
	};
	int r = 0;

	for (size_t i = 0; r == 0 && i < sizeof(cols) / sizeof(cols[0]); i++)
		r = export_col(sheet, cols[i][0], cols[i][1], "text");
	return r;
}

/* One nomination's row from nominations_view()'s row n. */
static json_t *s_nom_row(const hier_t *hier, const json_t *n)
{
	static const char *const keys[] = { "key", "nominee_name", "nominee_kind", "unit",
					    "unit_name", "level", "form", "stage", "holder", NULL };
	const json_t *el = json_object_get(n, "eligibility");
	int h = hier_find(hier, json_string_value(json_object_get(n, "holder")) ?
			  json_string_value(json_object_get(n, "holder")) : "");
	json_t *row = json_object();

	for (size_t i = 0; row && keys[i]; i++) {
		const json_t *v = json_object_get(n, keys[i]);

		export_set(row, keys[i], v ? json_deep_copy(v) : NULL);
	}
	if (!row)
		return NULL;
	export_set(row, "holder_name", h >= 0 ? json_string(hier_unit(hier, h)->name) : NULL);
	export_set(row, "eligibility", json_deep_copy(json_object_get(el, "verdict")));
	export_set(row, "eligibility_reason", json_deep_copy(json_object_get(el, "reason")));
	return row;
}

/* The nominations of the period's occasion whose unit is in the subtree. */
static int s_noms(store_t *st, MDB_txn *txn, const hier_t *hier, const export_opts_t *o,
		  json_t **ret, char *err, size_t errlen)
{
	nominations_ctx_t nx = { .st = st, .hier = hier, .campaigns = o->campaigns };
	nominations_query_t q = { .campaign = o->campaign, .occasion = o->period,
				  .unit = o->unit, .now = o->now };
	json_t *view = NULL, *sheet = export_sheet("nominations", "Khen thưởng");
	const json_t *n;
	size_t i;
	int r = sheet ? s_nom_cols(sheet) : -ENOMEM;

	if (r == 0)
		r = nominations_view(&nx, txn, &q, &view, err, errlen);
	json_array_foreach(json_object_get(view, "nominations"), i, n)
		if (r == 0)
			r = export_row(sheet, s_nom_row(hier, n));
	json_decref(view);
	if (r < 0) {
		json_decref(sheet);
		return r;
	}
	*ret = sheet;
	return 0;
}

/* ---- the document ------------------------------------------------------ */

/* The views of units[0..n), into views (each NULL until built). */
static int s_views(store_t *st, MDB_txn *txn, const hier_t *hier, const export_opts_t *o,
		   const int *units, size_t n, json_t **views, char *err, size_t errlen)
{
	view_opts_t vo = { .campaigns = o->campaigns, .campaign = o->campaign,
			   .period = o->period, .now = o->now };
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		vo.unit = units[i];
		r = view_build(st, txn, hier, &vo, &views[i], err, errlen);
	}
	return r;
}

/* The document's head and its three sheets (references stolen). */
static json_t *s_doc(const hier_t *hier, const export_opts_t *o, const json_t *view,
		     json_t *summary, json_t *late, json_t *noms)
{
	const hier_unit_t *u = hier_unit(hier, o->unit);
	json_t *doc = json_pack("{s:O, s:O, s:O, s:O, s:O, s:{s:s, s:s, s:s}, s:s?, s:[ooo]}",
				"campaign", json_object_get(view, "campaign"),
				"campaign_name", json_object_get(view, "campaign_name"),
				"period", json_object_get(view, "period"),
				"utc_offset_s", json_object_get(view, "utc_offset_s"),
				"generated_at", json_object_get(view, "generated_at"),
				"unit", "code", u->code, "name", u->name, "level", u->level,
				"level", o->level, "sheets", summary, late, noms);

	return doc;
}

int export_build(store_t *st, MDB_txn *txn, const hier_t *hier, const export_opts_t *o,
		 json_t **ret, char *err, size_t errlen)
{
	json_t **views = NULL, *summary = NULL, *late = NULL, *noms = NULL, *doc = NULL;
	export_opts_t on = *o;   /* on the period's hierarchy version (hierperiod.h) */
	int *units = NULL;
	size_t n = 0;
	int r = s_check_ids(o, err, errlen);

	if (r == 0 && o->unit >= 0 && (size_t)o->unit < hier_count(hier))
		r = hierperiod_view_unit(&hier, o->campaigns, o->campaign, o->period, &on.unit, err,
					 errlen);
	o = &on;

	if (r == 0 && (o->unit < 0 || (size_t)o->unit >= hier_count(hier)))
		r = lnob_errf(err, errlen, LNOB_E_NOTFOUND, "no unit %d in the hierarchy", o->unit);
	if (r == 0)
		r = s_units(hier, o, &units, &n, err, errlen);
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if (r == 0 && !(views = calloc(n ? n : 1, sizeof(*views))))
		r = -ENOMEM;
	if (r == 0)
		r = s_views(st, txn, hier, o, units, n, views, err, errlen);
	if (r == 0 && !((summary = export_summary(hier, views, n)) && (late = s_late(hier, views[0]))))
		r = -ENOMEM;
	if (r == 0)
		r = s_noms(st, txn, hier, o, &noms, err, errlen);
	if (r == 0) {
		doc = s_doc(hier, o, views[0], summary, late, noms);
		summary = late = noms = NULL;   /* stolen, even when s_doc failed */
		if (!doc)
			r = -ENOMEM;
	}
	json_decref(summary);
	json_decref(late);
	for (size_t i = 0; views && i < n; i++)
		json_decref(views[i]);
	free(views);
	free(units);
	if (r == 0)
		*ret = doc;
	return r;
}
