/*
 * national_feed.c: the snapshots of a province made from its view, and
 * queued in the national outbox (national_feed.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fault.h"
#include "lnob_err.h"
#include "national_feed.h"
#include "nominations.h"
#include "report.h"
#include "snapshot.h"
#include "util.h"
#include "view.h"

/* What one snapshot is made of, borrowed from the view and the store
 * while it is packed. */
typedef struct s_parts {
	const char *campaign, *period, *unit;
	Lnob__SnapshotPart part;
	int64_t now;
	const json_t *row;           /* the unit's row of the view */
	const json_t *completeness;  /* PART_OWN: the view's completeness.children */
	Lnob__IndicatorValue **own;  /* PART_OWN: the root's own values */
	size_t n_own;
	const json_t *noms;          /* the unit's counts in the nominations view (its
	                                "total", or its child row), or NULL */
} s_parts_t;

static uint32_t s_u32(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* The row's sums as IndicatorValues in vals/vp (room for n). */
static size_t s_sums(const json_t *sums, Lnob__IndicatorValue *vals, Lnob__IndicatorValue **vp,
		     size_t n)
{
	const char *code;
	json_t *v;
	size_t k = 0;

	json_object_foreach((json_t *)sums, code, v) {
		if (k == n || !json_is_integer(v))
			continue;
		lnob__indicator_value__init(&vals[k]);
		vals[k].code = (char *)code;
		if (report_code_is_amount(code)) {
			vals[k].value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
			vals[k].amount_vnd = json_integer_value(v);
		} else {
			vals[k].value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
			vals[k].count = json_integer_value(v);
		}
		vp[k] = &vals[k];
		k++;
	}
	return k;
}

/* The nominations view's counts noms ({"count", "by_form": {id: {"count"}},
 * "by_stage", "by_kind"}) into s, entries in c/cp (room for
 * SNAPSHOT_COUNTS_MAX), names borrowed from noms. */
static void s_noms(Lnob__Snapshot *s, const json_t *noms, Lnob__SnapshotNominationCount *c,
		   Lnob__SnapshotNominationCount **cp)
{
	static const char *const by[3][2] = {
		{ "form", "by_form" }, { "stage", "by_stage" }, { "kind", "by_kind" },
	};
	size_t k = 0;

	s->nominations = s_u32(noms, "count");
	for (int b = 0; b < 3; b++) {
		const char *name;
		json_t *v;

		json_object_foreach(json_object_get(noms, by[b][1]), name, v) {
			uint32_t n = s_u32(v, "count");

			if (n == 0 || k == SNAPSHOT_COUNTS_MAX)
				continue;
			lnob__snapshot_nomination_count__init(&c[k]);
			c[k].by = (char *)by[b][0];
			c[k].name = (char *)name;
			c[k].count = n;
			cp[k] = &c[k];
			k++;
		}
	}
	s->nomination_counts = cp;
	s->n_nomination_counts = k;
}

/* The snapshot of p, owned (packed and unpacked), appended to set. */
static int s_add(national_set_t *set, const s_parts_t *p)
{
	Lnob__Snapshot s = LNOB__SNAPSHOT__INIT;
	const json_t *sums = json_object_get(p->row, "sums");
	size_t n = json_object_size(sums);
	Lnob__IndicatorValue *vals = calloc(n ? n : 1, sizeof(*vals));
	Lnob__IndicatorValue **vp = calloc(n ? n : 1, sizeof(*vp)); /* NOLINT(bugprone-sizeof-expression) */
	Lnob__SnapshotNominationCount c[SNAPSHOT_COUNTS_MAX], *cp[SNAPSHOT_COUNTS_MAX];
	ProtobufCMessage *m = NULL;
	uint8_t *buf = NULL;
	size_t len;
	int r = -ENOMEM;

	if (!vals || !vp ||
	    lnob_grow(&set->v, set->n, &set->cap, sizeof(*set->v), 16) < 0) /* NOLINT(bugprone-sizeof-expression) */
		goto out;
	s.campaign = (char *)p->campaign;
	s.period = (char *)p->period;
	s.unit = (char *)p->unit;
	s.part = p->part;
	s.computed_at = p->now;
	if (p->part == LNOB__SNAPSHOT_PART__PART_OWN) {
		s.sums = p->own;
		s.n_sums = p->n_own;
		s.children_expected = s_u32(p->completeness, "expected");
		s.children_on_time = s_u32(p->completeness, "on_time");
		s.children_late = s_u32(p->completeness, "late");
		s.children_missing = s_u32(p->completeness, "missing");
	} else {
		s.sums = vp;
		s.n_sums = s_sums(sums, vals, vp, n);
	}
	if (p->noms)
		s_noms(&s, p->noms, c, cp);
	s.units_reported = s_u32(p->row, "units_reported");
	s.units_expected = s_u32(p->row, "units_expected");
	if ((r = codec_pack(&s.base, &buf, &len)) == 0 &&
	    (r = codec_unpack(&lnob__snapshot__descriptor, len ? buf : (const uint8_t *)"", len,
			      SIZE_MAX, &m)) == 0)
		set->v[set->n++] = (Lnob__Snapshot *)m;
out:
	free(buf);
	free(vals);
	free(vp);
	return r;
}

/* The root's own current values, borrowed from *ret_lr (caller frees), or
 * none. */
static int s_own(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		 const char *root, Lnob__LatestRecord **ret_lr)
{
	int r = agg_latest_load(st, txn, campaign, period, root, AGG_LATEST_VALUES, ret_lr);

	if (r == LNOB_E_NOTFOUND) {
		*ret_lr = NULL;
		return 0;
	}
	return r;
}

/* The row of child code in the nominations view nv, or NULL. */
static const json_t *s_noms_child(const json_t *nv, const char *code)
{
	size_t i;
	json_t *row;

	json_array_foreach(json_object_get(nv, "children"), i, row) {
		const char *c = json_string_value(json_object_get(row, "code"));

		if (c && strcmp(c, code) == 0)
			return row;
	}
	return NULL;
}

/* The nominations view of (campaign, period) for root's subtree. */
static int s_noms_view(store_t *st, MDB_txn *txn, const hier_t *hier, const campaigns_t *cs,
		       const char *campaign, const char *period, int root, int64_t now,
		       json_t **ret, char *err, size_t errlen)
{
	nominations_ctx_t x = { .st = st, .hier = hier, .campaigns = cs };
	nominations_query_t q = { .campaign = campaign, .occasion = period, .unit = root,
				  .now = now };

	return nominations_view(&x, txn, &q, ret, err, errlen);
}

/* The snapshots of one (campaign, period) from the view of root. */
static int s_period(store_t *st, MDB_txn *txn, const hier_t *hier, const campaigns_t *cs,
		    const char *campaign, const char *period, int root, int64_t now,
		    national_set_t *set, char *err, size_t errlen)
{
	view_opts_t o = { .campaigns = cs, .campaign = campaign, .period = period, .unit = root,
			  .now = now };
	s_parts_t p = { .campaign = campaign, .period = period, .now = now };
	Lnob__LatestRecord *lr = NULL;
	json_t *view = NULL, *nv = NULL, *kids, *row;
	size_t i;
	int r = view_build(st, txn, hier, &o, &view, err, errlen);

	if (r < 0)
		return r;
	p.row = json_object_get(view, "unit");
	if (s_u32(p.row, "units_reported") == 0)
		goto out;
	if ((r = s_noms_view(st, txn, hier, cs, campaign, period, root, now, &nv, err,
			     errlen)) < 0)
		goto out;
	if ((r = s_own(st, txn, campaign, period, hier_unit(hier, root)->code, &lr)) < 0)
		goto out;
	if (lr && lr->n_values > 0) {
		p.unit = hier_unit(hier, root)->code;
		p.part = LNOB__SNAPSHOT_PART__PART_OWN;
		p.completeness = json_object_get(json_object_get(view, "completeness"), "children");
		p.own = lr->values;
		p.n_own = lr->n_values;
		p.noms = json_object_get(nv, "total");
		if ((r = s_add(set, &p)) < 0)
			goto out;
	}
	kids = json_object_get(view, "children");
	json_array_foreach(kids, i, row) {
		if (s_u32(row, "units_reported") == 0 || json_object_size(json_object_get(row, "sums")) == 0)
			continue;
		p.row = row;
		p.unit = json_string_value(json_object_get(row, "code"));
		p.part = LNOB__SNAPSHOT_PART__PART_SUBTREE;
		p.noms = p.unit ? s_noms_child(nv, p.unit) : NULL;
		if (!p.unit || (r = s_add(set, &p)) < 0)
			goto out;
	}
out:
	if (r < 0 && !*err)
		snprintf(err, errlen, "%s/%s: %s", campaign, period, lnob_strerror(r));
	if (lr)
		lnob__latest_record__free_unpacked(lr, NULL);
	json_decref(view);
	json_decref(nv);
	return r;
}

int national_build(store_t *st, MDB_txn *txn, const hier_t *hier, const campaigns_t *cs,
		   int root, int64_t now, national_set_t *set, char *err, size_t errlen)
{
	int r;

	*err = '\0';
	for (size_t c = 0; c < cs->n; c++) {
		const campaign_t *camp = cs->v[c];

		for (size_t k = 0; k < campaign_period_count(camp); k++) {
			const campaign_period_t *p = campaign_period(camp, (int)k);

			/* An ad-hoc request is the province's own: the national
			 * campaign has no such period. */
			if (p->kind == CAMPAIGN_PERIOD_ADHOC)
				continue;
			if ((r = s_period(st, txn, hier, cs, campaign_id(camp), p->id, root, now,
					  set, err, errlen)) < 0)
				return r;
		}
	}
	return 0;
}

void national_set_clear(national_set_t *set)
{
	for (size_t i = 0; i < set->n; i++)
		lnob__snapshot__free_unpacked(set->v[i], NULL);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

int national_feed(store_t *st, const hier_t *hier, const campaigns_t *cs, int root,
		  outbox_t *ob, const identity_t *id, size_t *ret_made, size_t *ret_queued,
		  char *err, size_t errlen)
{
	national_set_t set = { 0 };
	MDB_txn *txn = NULL;
	int r = store_begin(st, false, &txn);

	*ret_made = *ret_queued = 0;
	if (r < 0) {
		snprintf(err, errlen, "the store: %s", lnob_strerror(r));
		return r;
	}
	r = national_build(st, txn, hier, cs, root, lnob_now_s(), &set, err, errlen);
	store_abort(&txn);
	if (r == 0 && set.n > 0 &&
	    (r = outbox_enqueue_snapshots(ob, id, set.v, set.n, lnob_now_ms(), ret_queued, err,
					  errlen)) < 0 && !*err)
		snprintf(err, errlen, "the national outbox: %s", lnob_strerror(r));
	*ret_made = set.n;
	national_set_clear(&set);
	if (r == 0 && *ret_queued > 0)
		fault_point("national.after_enqueue");
	return r;
}
