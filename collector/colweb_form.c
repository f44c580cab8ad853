/* colweb_form.c: GET /api/form's document (see colweb.h): the campaigns
 * and periods, and for one of them the units in this node's scope with
 * the indicators each unit reports in that period (campaign_reports():
 * an ad-hoc request's period only its asked units and indicators; derived
 * ones never), the previous period's values this collector queued, and
 * the campaign's ad-hoc requests asking a unit in scope (colrequests.h). */
#include "colweb_int.h"

#include <string.h>

#include "campaign.h"
#include "campaign_request.h"
#include "colrequests.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

/* {"id", "name", "periods": [...]} for every campaign of r. */
static json_t *s_campaigns(const campaigns_t *camps)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < camps->n; i++) {
		const campaign_t *c = camps->v[i];
		json_t *periods = json_array();

		for (size_t p = 0; periods && p < campaign_period_count(c); p++)
			json_array_append_new(periods, json_string(campaign_period(c, (int)p)->id));
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o*}", "id", campaign_id(c), "name",
						     campaign_name(c), "periods", periods));
	}
	return arr;
}

/* {"code", "label", "kind"} of indicator i of c. */
static json_t *s_indicator(const campaign_t *c, int i)
{
	const campaign_indicator_t *ind = campaign_indicator(c, i);

	return json_pack("{s:s,s:s,s:s}", "code", ind->code, "label", ind->label, "kind",
			 ind->kind == CAMPAIGN_IND_AMOUNT ? "amount" : "count");
}

/* The counts and amounts of c that unit u reports in period p. */
static json_t *s_indicators(const campaign_t *c, const campaign_period_t *p,
			    const hier_unit_t *u)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < campaign_indicator_count(c); i++) {
		const campaign_indicator_t *ind = campaign_indicator(c, (int)i);

		if (ind->kind != CAMPAIGN_IND_COUNT && ind->kind != CAMPAIGN_IND_AMOUNT)
			continue;
		if (campaign_reports(c, p, (int)i, u->code, u->level))
			json_array_append_new(arr, s_indicator(c, (int)i));
	}
	return arr;
}

/* {"period", "seq", "queued_at_ms", "values"} of the last report this
 * collector queued for unit code in the period before p, or null. */
static json_t *s_previous(cli_ctx_t *ctx, const campaign_t *c, const campaign_period_t *p,
			  const char *code)
{
	const campaign_period_t *prev = campaign_period_previous(c, p);
	Lnob__EnteredRecord *e = NULL;
	json_t *doc;

	if (!prev || !ctx->store ||
	    outbox_entered_get(ctx->store, campaign_id(c), prev->id, code, &e) < 0)
		return json_null();
	doc = json_pack("{s:s,s:I,s:I,s:o*}", "period", prev->id, "seq", (json_int_t)e->seq,
			"queued_at_ms", (json_int_t)e->queued_at_ms, "values",
			colweb_values_json(e->report));
	lnob__entered_record__free_unpacked(e, NULL);
	return doc;
}

/* Whether unit i is in r's scope (every unit without metadata). */
static bool s_in_scope(const submit_rules_t *r, int i)
{
	int own = r->from_meta ? r->mv.own : -1;

	return own < 0 || hier_in_subtree(r->hier, own, i);
}

/* The units of r's scope that report something of c in p. */
static json_t *s_units(cli_ctx_t *ctx, const submit_rules_t *r, const campaign_t *c,
		       const campaign_period_t *p)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < hier_count(r->hier); i++) {
		const hier_unit_t *u = hier_unit(r->hier, (int)i);
		json_t *inds;

		if (!s_in_scope(r, (int)i))
			continue;
		inds = s_indicators(c, p, u);
		if (inds && json_array_size(inds) == 0) {
			json_decref(inds);
			continue;
		}
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:o*,s:o*}", "code", u->code,
						     "name", u->name, "level", u->level, "indicators",
						     inds, "previous", s_previous(ctx, c, p, u->code)));
	}
	return arr;
}

/* The ad-hoc requests of campaign c asking a unit in r's scope
 * (colrequests_json()'s, as `lnob-collector requests --json` lists them),
 * each with "late": whether now is past its late_from. */
static json_t *s_requests(const submit_rules_t *r, const campaign_t *c)
{
	int64_t now_s = lnob_now_ms() / 1000;
	json_t *all = NULL, *arr = json_array(), *q;
	size_t i;

	if (!arr || colrequests_json(r, &all) < 0) {
		json_decref(arr);
		return NULL;
	}
	json_array_foreach(all, i, q) {
		if (strcmp(json_string_value(json_object_get(q, "campaign")), campaign_id(c)) != 0)
			continue;
		json_object_set_new(q, "late", json_boolean(now_s >= json_integer_value(
			json_object_get(q, "late_from"))));
		json_array_append(arr, q);
	}
	json_decref(all);
	return arr;
}

/* The document for campaign c, period p of r. */
static json_t *s_doc(cli_ctx_t *ctx, const submit_rules_t *r, const campaign_t *c,
		     const campaign_period_t *p)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:o*,s:I,s:o*,s:o*,s:o*}", "campaign", campaign_id(c),
			 "period", p->id, "period_kind", p->kind == CAMPAIGN_PERIOD_ADHOC ? "adhoc"
			 : "campaign", "source", r->from_meta ? "metadata" : "configuration",
			 "metadata_version", r->from_meta ? json_integer((json_int_t)r->version)
			 : json_null(), "derived_excluded", (json_int_t)1, "campaigns",
			 s_campaigns(r->camps), "requests", s_requests(r, c), "units",
			 s_units(ctx, r, c, p));
}

/* The last period of c's campaign file (not an ad-hoc request), or NULL. */
static const campaign_period_t *s_last_period(const campaign_t *c)
{
	for (size_t i = campaign_period_count(c); i-- > 0;)
		if (campaign_period(c, (int)i)->kind != CAMPAIGN_PERIOD_ADHOC)
			return campaign_period(c, (int)i);
	return NULL;
}

int colweb_form(cli_ctx_t *ctx, const char *campaign, const char *period, json_t **ret,
		char *err, size_t errlen)
{
	submit_rules_t r;
	const campaign_t *c = NULL;
	const campaign_period_t *p = NULL;
	int rc = 0;

	if ((rc = submit_rules_read(ctx, ctx->store, &r, err, errlen)) < 0)
		return rc;
	if (!r.camps || !r.hier || r.camps->n == 0)
		rc = lnob_errf(err, errlen, LNOB_E_NOTFOUND, "no campaigns here yet: no metadata "
			       "from the aggregator and no [campaign] files configured");
	else if (!(c = campaign ? campaigns_find(r.camps, campaign) : r.camps->v[0]))
		rc = lnob_errf(err, errlen, LNOB_E_NOTFOUND, "unknown campaign '%s'", campaign);
	else if (!(p = period ? campaign_period_find(c, period) : s_last_period(c)))
		rc = lnob_errf(err, errlen, LNOB_E_NOTFOUND, "campaign '%s' has no period '%s'",
			       campaign_id(c), period ? period : "");
	if (rc == 0 && (!c || !p || !(*ret = s_doc(ctx, &r, c, p))))
		rc = lnob_errf(err, errlen, -ENOMEM, "out of memory");
	submit_rules_clear(&r);
	return rc;
}

void colweb_form_get(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	char err[1024];
	json_t *doc = NULL;
	int r = colweb_form(ctx, colweb_arg(req, "campaign"), colweb_arg(req, "period"), &doc, err,
			    sizeof(err));

	if (r == LNOB_E_NOTFOUND || r == LNOB_E_INVALID)
		colweb_error(resp, 400, "bad_request", "%s", err);
	else if (r < 0)
		colweb_error(resp, 500, "internal", "%s", err);
	else
		colweb_json(resp, 200, doc);
}
