/* api_views.c: the HTTP API's GET routes of views (see api.h): each builds
 * the document the CLI's --json prints, in the call's read transaction,
 * with the token's scope applied. */
#include "api_int.h"

#include <stdio.h>
#include <string.h>

#include "approval.h"
#include "hierperiod.h"
#include "history.h"
#include "lnob_err.h"
#include "nominations.h"
#include "status.h"
#include "util.h"
#include "view.h"

void api_whoami(api_call_t *c)
{
	static const char *const allowed[] = { NULL };
	const hier_unit_t *u = hier_unit(c->api->hier, c->grant.scope);
	char day[16] = "", t[32];

	if (!api_args_only(c, allowed))
		return;
	if (c->grant.expires_at)
		snprintf(day, sizeof(day), "%.10s", lnob_utc_text(c->grant.expires_at, t, sizeof(t)));
	api_json(c, json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:o}", "token", c->grant.id,
			      "role", token_role_name(c->grant.role), "scope", "code", u->code,
			      "name", u->name, "level", u->level,
			      "expires", day[0] ? json_string(day) : json_null()));
}

/* One configured campaign, as /api/campaigns lists it. */
static json_t *s_campaign(const campaign_t *camp)
{
	static const char *const kinds[] = { "count", "amount", "sum", "rate" };
	json_t *periods = json_array(), *levels = json_array(), *inds = json_array();
	int off = campaign_utc_offset(camp), a = off < 0 ? -off : off;
	char utc[16];

	snprintf(utc, sizeof(utc), "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
	for (size_t i = 0; i < campaign_period_count(camp); i++)
		json_array_append_new(periods, json_string(campaign_period(camp, (int)i)->id));
	for (size_t i = 0; i < campaign_level_count(camp); i++)
		json_array_append_new(levels, json_string(campaign_level(camp, i)));
	for (size_t i = 0; i < campaign_indicator_count(camp); i++) {
		const campaign_indicator_t *ind = campaign_indicator(camp, (int)i);

		json_array_append_new(inds, json_pack("{s:s, s:s, s:s}", "id", ind->code, "name",
						      ind->label, "kind", kinds[ind->kind]));
	}
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}", "id", campaign_id(camp), "name",
			 campaign_name(camp), "periods", periods, "utc_offset", utc, "levels", levels,
			 "indicators", inds);
}

void api_campaigns(api_call_t *c)
{
	static const char *const allowed[] = { NULL };
	json_t *list = json_array();

	if (!api_args_only(c, allowed)) {
		json_decref(list);
		return;
	}
	for (size_t i = 0; i < c->api->campaigns->n; i++)
		json_array_append_new(list, s_campaign(c->api->campaigns->v[i]));
	api_json(c, list);
}

void api_rollup(api_call_t *c)
{
	static const char *const allowed[] = { "campaign", "period", "unit", "cluster", NULL };
	const char *cluster = api_arg(c, "cluster");
	view_opts_t vo = { .campaigns = c->api->campaigns, .cluster = cluster,
			   .now = lnob_now_s() };
	const campaign_t *camp;
	const hier_t *h;
	json_t *view = NULL;
	char err[512] = "";
	int r;

	if (!api_args_only(c, allowed) || !api_campaign(c, "period", &camp))
		return;
	if (cluster && api_arg(c, "unit")) {
		api_error(c, 400, "bad_request", "parameters 'unit' and 'cluster': one of them at most");
		return;
	}
	if (cluster && c->api->hier && hier_unit(c->api->hier, c->grant.scope)->parent >= 0) {
		api_error(c, 403, "forbidden", "parameter 'cluster': clusters span the province; "
			  "the token's scope is %s", hier_unit(c->api->hier, c->grant.scope)->code);
		return;
	}
	vo.campaign = api_arg(c, "campaign");
	vo.period = api_arg(c, "period");
	/* The unit in the period's hierarchy version (hierperiod.h). */
	h = hierperiod_tree(c->api->hier, vo.campaigns, vo.campaign, vo.period);
	if (!cluster && !api_unit_at(c, "unit", h, &vo.unit))
		return;
	if ((r = view_build(c->api->st, c->txn, cluster ? c->api->hier : h, &vo, &view, err,
			    sizeof(err))) < 0) {
		api_fail(c, r, err);
		return;
	}
	api_json(c, view);
}

void api_series(api_call_t *c)
{
	static const char *const allowed[] = { "campaign", "unit", NULL };
	view_opts_t vo = { .campaigns = c->api->campaigns, .now = lnob_now_s() };
	const campaign_t *camp;
	json_t *periods, *view = NULL;
	char err[512] = "";
	int r = 0;

	if (!api_args_only(c, allowed) || !api_campaign(c, NULL, &camp) ||
	    !api_unit(c, "unit", &vo.unit))
		return;
	if (!camp) {
		api_error(c, 400, "bad_request", "parameter 'campaign': '%s' is not configured: it has "
			  "no periods", api_arg(c, "campaign"));
		return;
	}
	vo.campaign = campaign_id(camp);
	periods = json_array();
	for (size_t i = 0; r == 0 && i < campaign_period_count(camp); i++) {
		vo.period = campaign_period(camp, (int)i)->id;
		/* A period whose hierarchy version lacks the unit: left out. */
		if (hier_find(hierperiod_tree(c->api->hier, vo.campaigns, vo.campaign, vo.period),
			      hier_unit(c->api->hier, vo.unit)->code) < 0)
			continue;
		if ((r = view_build(c->api->st, c->txn, c->api->hier, &vo, &view, err, sizeof(err))) < 0)
			break;
		json_array_append_new(periods, json_pack("{s:s, s:O*}", "period", vo.period, "values",
				      json_object_get(json_object_get(view, "unit"), "values")));
		json_decref(view);
	}
	if (r < 0) {
		json_decref(periods);
		api_fail(c, r, err);
		return;
	}
	api_json(c, json_pack("{s:s, s:s, s:o}", "campaign", vo.campaign, "unit",
			      hier_unit(c->api->hier, vo.unit)->code, "periods", periods));
}

void api_nominations(api_call_t *c)
{
	static const char *const allowed[] = { "campaign", "occasion", "unit", "stage", "form",
					       "holder", "waiting_min_days", NULL };
	nominations_query_t q = { .now = lnob_now_s(), .stage = api_arg(c, "stage"),
				  .form = api_arg(c, "form"), .holder = api_arg(c, "holder") };
	nominations_ctx_t nx = { .st = c->api->st, .hier = c->api->hier,
				 .campaigns = c->api->campaigns };
	const campaign_t *camp;
	json_t *view = NULL;
	char err[512] = "";
	int r;

	if (!api_args_only(c, allowed) ||
	    !api_campaign(c, api_arg(c, "occasion") ? "occasion" : NULL, &camp) ||
	    !api_unit(c, "unit", &q.unit) ||
	    !api_uint(c, "waiting_min_days", 100000, 0, &q.waiting_min_days))
		return;
	q.campaign = api_arg(c, "campaign");
	q.occasion = api_arg(c, "occasion");
	if ((r = nominations_view(&nx, c->txn, &q, &view, err, sizeof(err))) < 0) {
		api_fail(c, r, err);
		return;
	}
	api_json(c, view);
}

void api_nomination_one(api_call_t *c)
{
	static const char *const allowed[] = { NULL };
	nominations_ctx_t nx = { .st = c->api->st, .hier = c->api->hier,
				 .campaigns = c->api->campaigns };
	char key[NOMINATION_KEY_MAX + 2], what[NOMINATION_KEY_MAX + 16];
	json_t *one = NULL;
	int r;

	if (!api_args_only(c, allowed))
		return;
	snprintf(key, sizeof(key), "%s/%s", c->parts[1], c->parts[2]);
	r = nominations_one(&nx, c->txn, key, &one);
	if (r == LNOB_E_NOTFOUND) {
		api_error(c, 404, "not_found", "no nomination '%s' is stored", key);
		return;
	}
	if (r < 0) {
		api_fail(c, r, "reading the nomination");
		return;
	}
	snprintf(what, sizeof(what), "nomination %s", key);
	if (!api_owned(c, json_string_value(json_object_get(one, "unit")), what)) {
		json_decref(one);
		return;
	}
	api_json(c, one);
}

void api_history(api_call_t *c)
{
	static const char *const allowed[] = { "campaign", "period", "unit", NULL };
	const campaign_t *camp;
	json_t *view = NULL;
	int unit, r;

	if (!api_args_only(c, allowed) || !api_campaign(c, "period", &camp) ||
	    !api_unit(c, "unit", &unit))
		return;
	r = history_view(c->api->st, c->txn, api_arg(c, "campaign"), api_arg(c, "period"),
			 hier_unit(c->api->hier, unit)->code, &view);
	if (r < 0) {
		api_fail(c, r, "reading the history");
		return;
	}
	api_json(c, view);
}

/* Keeps the rows of doc[key] whose "unit" is in root's subtree (and whose
 * campaign and period are the given ones, when not NULL). */
static void s_filter(api_call_t *c, json_t *doc, const char *key, int root,
		     const char *campaign, const char *period)
{
	json_t *rows = json_object_get(doc, key);

	for (size_t i = json_array_size(rows); i-- > 0;) {
		json_t *row = json_array_get(rows, i);
		int u = hier_find(c->api->hier, json_string_value(json_object_get(row, "unit")));
		const char *rc = json_string_value(json_object_get(row, "campaign"));
		const char *rp = json_string_value(json_object_get(row, "period"));

		if (u < 0 || !hier_in_subtree(c->api->hier, root, u) ||
		    (campaign && (!rc || strcmp(rc, campaign) != 0)) ||
		    (period && (!rp || strcmp(rp, period) != 0)))
			json_array_remove(rows, i);
	}
}

void api_conflicts(api_call_t *c)
{
	static const char *const allowed[] = { "unit", NULL };
	json_t *view = NULL;
	int unit, r;

	if (!api_args_only(c, allowed) || !api_unit(c, "unit", &unit))
		return;
	if ((r = conflicts_view(c->api->st, c->txn, &view)) < 0) {
		api_fail(c, r, "reading the conflicts");
		return;
	}
	s_filter(c, view, "conflicts", unit, NULL, NULL);
	api_json(c, view);
}

/* The parameters of a queue's filters: only allowed ones, an optional
 * campaign (and period) checked, the unit (default the scope) into *ret. */
static bool s_queue_params(api_call_t *c, const char *const *allowed, int *ret)
{
	const campaign_t *camp;

	return api_args_only(c, allowed) &&
	       (!api_arg(c, "campaign") ||
		api_campaign(c, api_arg(c, "period") ? "period" : NULL, &camp)) &&
	       api_unit(c, "unit", ret);
}

void api_approvals(api_call_t *c)
{
	static const char *const allowed[] = { "campaign", "period", "unit", NULL };
	json_t *view = NULL;
	int unit, r;

	if (!s_queue_params(c, allowed, &unit))
		return;
	if ((r = approvals_view(c->api->st, c->txn, &view)) < 0) {
		api_fail(c, r, "reading the approvals");
		return;
	}
	s_filter(c, view, "approvals", unit, api_arg(c, "campaign"), api_arg(c, "period"));
	api_json(c, view);
}

void api_amendments(api_call_t *c)
{
	static const char *const allowed[] = { "campaign", "period", "unit", "decided", NULL };
	const char *decided = api_arg(c, "decided");
	json_t *view = NULL;
	int unit, r;

	if (!s_queue_params(c, allowed, &unit))
		return;
	if (decided && strcmp(decided, "true") != 0 && strcmp(decided, "false") != 0) {
		api_error(c, 400, "bad_request", "parameter 'decided': true or false, not '%s'",
			  decided);
		return;
	}
	r = amendments_view(c->api->st, c->txn, c->api->hier, api_arg(c, "campaign"),
			    api_arg(c, "period"), unit, decided && strcmp(decided, "true") == 0,
			    &view);
	if (r < 0) {
		api_fail(c, r, "reading the amendments");
		return;
	}
	api_json(c, view);
}

void api_status(api_call_t *c)
{
	static const char *const allowed[] = { NULL };
	json_t *view = NULL;
	int r;

	if (!api_args_only(c, allowed))
		return;
	if (hier_unit(c->api->hier, c->grant.scope)->parent >= 0) {
		api_error(c, 403, "forbidden", "/api/status needs a token scoped to the hierarchy's "
			  "root; this one's is %s", hier_unit(c->api->hier, c->grant.scope)->code);
		return;
	}
	if ((r = status_view(c->api->st, c->txn, &view)) < 0) {
		api_fail(c, r, "reading the status");
		return;
	}
	api_json(c, view);
}

void api_not_implemented(api_call_t *c)
{
	api_error(c, 501, "not_implemented", "%s is not in this build yet", c->req->path);
}
