/* requests.c: ad-hoc requests at the aggregator (see requests.h). */
#include "requests.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

static campaign_t *s_campaign(campaigns_t *camps, const char *id)
{
	for (size_t i = 0; camps && id && i < camps->n; i++)
		if (strcmp(campaign_id(camps->v[i]), id) == 0)
			return camps->v[i];
	return NULL;
}

int requests_add(store_t *st, MDB_txn *txn, campaigns_t *camps, const hier_t *hier,
		 const Lnob__AdhocRequest *req, char *err, size_t errlen)
{
	campaign_t *c;
	int r;

	if ((r = campaigns_lookup(camps, req->campaign, NULL, "--campaign", NULL, NULL, err,
				  errlen)) != 0)
		return r;
	if (!(c = s_campaign(camps, req->campaign)))
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "no campaign is configured "
				 "([campaign] files): an ad-hoc request is a period of one");
	if ((r = campaign_request_add(c, hier, req, err, errlen)) < 0)
		return r;
	if ((r = agg_request_put(st, txn, req)) == LNOB_E_EXISTS)
		lnob_errf(err, errlen, r, "ad-hoc request '%s' of campaign '%s' is stored already",
			  req->id, req->campaign);
	else if (r < 0)
		lnob_errf(err, errlen, r, "storing ad-hoc request '%s': %s", req->id,
			  lnob_strerror(r));
	if (r < 0)
		campaign_request_drop_last(c);
	return r;
}

/* Splits list into v[0..max) pointing into *ret_buf (a copy of list).
 * Returns how many, max + 1 when there are more, or 0 with *ret_buf NULL
 * when out of memory. */
static size_t s_split(const char *list, char **ret_buf, char **v, size_t max)
{
	char *save = NULL;
	size_t n = 0;

	if (!(*ret_buf = strdup(list ? list : "")))
		return 0;
	for (char *t = strtok_r(*ret_buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		if (n == max)
			return max + 1;
		v[n++] = t;
	}
	return n;
}

int requests_from_text(const requests_text_t *t, int64_t now, requests_made_t *m)
{
	lnob__adhoc_request__init(&m->q);
	m->q.campaign = (char *)t->campaign;
	m->q.id = (char *)t->id;
	m->q.due = (char *)t->due;
	m->q.note = (char *)(t->note ? t->note : "");
	m->q.created_at = now;
	m->q.units = m->units;
	m->q.indicators = m->inds;
	m->q.n_units = s_split(t->units, &m->ubuf, m->units, CAMPAIGN_REQUEST_UNITS_MAX);
	m->q.n_indicators = s_split(t->indicators, &m->ibuf, m->inds, CAMPAIGN_INDICATORS_MAX);
	return m->ubuf && m->ibuf ? 0 : -ENOMEM;
}

void requests_made_free(requests_made_t *m)
{
	free(m->ubuf);
	free(m->ibuf);
	m->ubuf = m->ibuf = NULL;
}

typedef struct s_apply {
	campaigns_t *camps;
	const hier_t *hier;
	size_t added, skipped;
	char *err;
	size_t errlen;
} s_apply_t;

/* agg_request_fn: one stored request into its campaign. */
static int s_apply_one(void *ctx, const Lnob__AdhocRequest *q)
{
	s_apply_t *a = ctx;
	campaign_t *c = s_campaign(a->camps, q->campaign);
	char why[1024];
	int r;

	if (c && !campaign_period_find(c, q->id)) {
		r = campaign_request_add(c, a->hier, q, why, sizeof(why));
		if (r == -ENOMEM)
			return r;
		if (r == 0)
			a->added++;
		else if (a->skipped++ == 0)
			snprintf(a->err, a->errlen, "%s (left out)", why);
	} else if (c && campaign_period_find(c, q->id)->kind != CAMPAIGN_PERIOD_ADHOC &&
		   a->skipped++ == 0) {
		snprintf(a->err, a->errlen, "ad-hoc request '%s': campaign '%s' now has a period of "
			 "that id in its file (left out)", q->id, q->campaign);
	}
	return 0;
}

int requests_apply(store_t *st, MDB_txn *txn, campaigns_t *camps, const hier_t *hier,
		   size_t *ret_added, size_t *ret_skipped, char *err, size_t errlen)
{
	s_apply_t a = { .camps = camps, .hier = hier, .err = err, .errlen = errlen };
	int r;

	if (err && errlen)
		err[0] = '\0';
	r = agg_request_foreach(st, txn, s_apply_one, &a);
	if (ret_added)
		*ret_added = a.added;
	if (ret_skipped)
		*ret_skipped = a.skipped;
	return r;
}

/* A JSON array of the indicator codes p asks. */
static json_t *s_indicators(const campaign_t *c, const campaign_period_t *p)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < campaign_indicator_count(c); i++)
		if (p->request->asked[i])
			json_array_append_new(arr, json_string(campaign_indicator(c, (int)i)->code));
	return arr;
}

/* One request's object, its replies counted. */
static int s_request_json(store_t *st, MDB_txn *txn, const campaign_t *c,
			  const campaign_period_t *p, json_t **ret)
{
	const campaign_request_t *q = p->request;
	json_t *units = json_array(), *missing = json_array(), *o;
	int64_t late_from = 0;
	size_t reported = 0;
	int r = 0;

	for (size_t u = 0; units && missing && r == 0 && u < q->nunits; u++) {
		Lnob__LatestRecord *lr = NULL;

		json_array_append_new(units, json_string(q->units[u]));
		r = agg_latest_load(st, txn, campaign_id(c), p->id, q->units[u],
				    AGG_LATEST_IDENTITY, &lr);
		if (r == 0) {
			reported++;
			lnob__latest_record__free_unpacked(lr, NULL);
		} else if (r == LNOB_E_NOTFOUND || r == LNOB_E_INVALID) {
			r = json_array_append_new(missing, json_string(q->units[u])) < 0 ? -ENOMEM : 0;
		}
	}
	(void)campaign_deadline_for(c, campaign_level(c, 0), p, &late_from);
	o = r == 0 && units && missing
		    ? json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:O, s:o, s:I, s:I, s:O}",
				"campaign", campaign_id(c), "id", p->id, "due", q->due,
				"late_from", (json_int_t)late_from, "note", q->note,
				"created_at", (json_int_t)q->created_at, "units", units,
				"indicators", s_indicators(c, p), "expected", (json_int_t)q->nunits,
				"reported", (json_int_t)reported, "missing_units", missing)
		    : NULL;
	json_decref(units);
	json_decref(missing);
	if (r < 0)
		return r;
	if (!o)
		return -ENOMEM;
	*ret = o;
	return 0;
}

int requests_view(store_t *st, MDB_txn *txn, const campaigns_t *camps, const char *campaign,
		  json_t **ret)
{
	json_t *arr = json_array();
	int r = arr ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && camps && i < camps->n; i++) {
		const campaign_t *c = camps->v[i];

		if (campaign && strcmp(campaign, campaign_id(c)) != 0)
			continue;
		for (size_t k = 0; r == 0 && k < campaign_period_count(c); k++) {
			const campaign_period_t *p = campaign_period(c, (int)k);
			json_t *o;

			if (!p->request)
				continue;
			if ((r = s_request_json(st, txn, c, p, &o)) == 0 &&
			    json_array_append_new(arr, o) < 0)
				r = -ENOMEM;
		}
	}
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret = arr;
	return 0;
}
