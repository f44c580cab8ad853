/*
 * households_report.c: the reports a household register gives (see
 * households_report.h).
 */
#include "households_report.h"

#include <errno.h>
#include <string.h>

#include "campaign_request.h"
#include "lnob_err.h"
#include "util.h"

/* Which of the register's indicators unit u reports, into on[]; returns
 * how many. */
static int s_codes(const households_report_in_t *in, int u, bool on[HOUSEHOLDS_IND_COUNT])
{
	const hier_unit_t *hu = hier_unit(in->area->hier, u);
	int n = 0;

	for (int k = 0; k < HOUSEHOLDS_IND_COUNT; k++) {
		int i = campaign_indicator_find(in->camp, households_indicator_code(k));

		on[k] = i >= 0 && campaign_indicator(in->camp, i)->kind == CAMPAIGN_IND_COUNT &&
			campaign_reports(in->camp, in->period, i, hu->code, hu->level);
		n += on[k];
	}
	return n;
}

/* The values of the entered report e (NULL: none) that the register does
 * not give into vals, and whether its register values equal c's. */
static bool s_carry(const Lnob__Report *e, const bool on[HOUSEHOLDS_IND_COUNT],
		    const households_counts_t *c, json_t *vals)
{
	size_t same = 0, want = 0;

	for (size_t i = 0; e && i < e->n_values; i++) {
		const Lnob__IndicatorValue *v = e->values[i];
		int k = households_indicator_find(v->code);
		int64_t x = v->value_case == LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND ? v->amount_vnd
										     : v->count;

		if (k < 0)
			json_object_set_new(vals, v->code, json_integer(x));
		else if (on[k] && x >= 0 && (uint64_t)x == c->v[k])
			same++;
	}
	for (int k = 0; k < HOUSEHOLDS_IND_COUNT; k++)
		want += on[k];
	return e && same == want && json_object_size(vals) + want == e->n_values;
}

/* The report of unit u (counting village when not NULL) appended to arr,
 * unless unchanged (then *unchanged is counted). */
static int s_unit(const households_report_in_t *in, int u, const char *village, json_t *arr,
		  size_t *unchanged)
{
	const char *code = hier_unit(in->area->hier, u)->code;
	Lnob__EnteredRecord *e = NULL;
	bool on[HOUSEHOLDS_IND_COUNT];
	households_counts_t c;
	json_t *vals, *rep = NULL;
	uint32_t rev;
	int r;

	if (s_codes(in, u, on) == 0)
		return 0;
	households_count(in->list, village, &c);
	r = in->ob ? outbox_entered_get(in->ob, campaign_id(in->camp), in->period->id, code, &e)
		   : LNOB_E_NOTFOUND;
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	rev = e ? e->report->revision : 0;
	if (!(vals = json_object())) {
		r = -ENOMEM;
	} else if (s_carry(e ? e->report : NULL, on, &c, vals)) {
		(*unchanged)++;
		json_decref(vals);
		r = 0;
	} else {
		for (int k = 0; k < HOUSEHOLDS_IND_COUNT; k++)
			if (on[k])
				json_object_set_new(vals, households_indicator_code(k),
						    json_integer((json_int_t)c.v[k]));
		rep = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "campaign",
				campaign_id(in->camp), "period", in->period->id, "unit", code,
				"revision", (json_int_t)rev + 1, "base_revision", (json_int_t)rev,
				"completed_at", (json_int_t)in->now_s, "values", vals);
		if (rep && e && e->report->narrative && e->report->narrative[0])
			json_object_set_new(rep, "narrative", json_string(e->report->narrative));
		r = rep && json_array_append_new(arr, rep) == 0 ? 0 : -ENOMEM;
	}
	if (e)
		lnob__entered_record__free_unpacked(e, NULL);
	return r;
}

/* The villages below u in file order, then u itself when it is root. */
static int s_walk(const households_report_in_t *in, int u, json_t *arr, size_t *unchanged)
{
	const int *kids;
	size_t n = hier_children(in->area->hier, u, &kids);
	int r = 0;

	if (n == 0 && u != in->area->root)
		return s_unit(in, u, hier_unit(in->area->hier, u)->code, arr, unchanged);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = s_walk(in, kids[i], arr, unchanged);
	if (r == 0 && u == in->area->root)
		r = s_unit(in, u, NULL, arr, unchanged);
	return r;
}

/* Every household's village must still be a village under the commune
 * (the hierarchy may have changed since the import). */
static int s_check_villages(const households_report_in_t *in, char *err, size_t errlen)
{
	const hier_t *h = in->area->hier;

	for (size_t i = 0; i < in->list->n; i++) {
		const household_t *hh = &in->list->v[i];
		int u = hier_find(h, hh->village);
		const int *kids;

		if (u < 0 || u == in->area->root || !hier_in_subtree(h, in->area->root, u) ||
		    hier_children(h, u, &kids) > 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "household '%s': village '%s' is "
					 "no longer a village under '%s' in the hierarchy held (import "
					 "the list again)", hh->id, hh->village,
					 hier_unit(h, in->area->root)->code);
	}
	return 0;
}

int households_reports(const households_report_in_t *in, json_t **ret, size_t *ret_unchanged,
		       char *err, size_t errlen)
{
	json_t *arr;
	int r;

	*ret_unchanged = 0;
	if ((r = s_check_villages(in, err, errlen)) < 0)
		return r;
	if (!(arr = json_array()))
		return -ENOMEM;
	r = s_walk(in, in->area->root, arr, ret_unchanged);
	if (r == 0 && json_array_size(arr) == 0 && *ret_unchanged == 0)
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "campaign '%s', period '%s': no unit of "
			      "'%s' reports any count the register gives (poor_households, "
			      "near_poor_households, escaped_households, newly_poor_households, "
			      "repoor_households, em_poor_households)", campaign_id(in->camp),
			      in->period->id, hier_unit(in->area->hier, in->area->root)->code);
	else if (r < 0 && r != LNOB_E_INVALID)
		lnob_errf(err, errlen, r, "reading the reports entered: %s", lnob_strerror(r));
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret = arr;
	return 0;
}
