/* colweb_form.c: GET /api/form's document (see colweb.h): the campaigns
 * and periods, and for one of them the units in this node's scope with
 * the indicators each unit's level reports (derived ones never). */
#include "colweb.h"

#include <string.h>

#include "campaign.h"
#include "lnob_err.h"
#include "submit_rules.h"
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

/* The reported indicators of c that units of level report. */
static json_t *s_indicators(const campaign_t *c, const char *level)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < campaign_indicator_count(c); i++) {
		const campaign_indicator_t *ind = campaign_indicator(c, (int)i);

		if (ind->kind != CAMPAIGN_IND_COUNT && ind->kind != CAMPAIGN_IND_AMOUNT)
			continue;
		if (!campaign_level_reports(c, (int)i, level))
			continue;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "code", ind->code, "label",
						     ind->label, "kind", ind->kind ==
						     CAMPAIGN_IND_AMOUNT ? "amount" : "count"));
	}
	return arr;
}

/* The units of r's scope (all without metadata) that report something
 * of c. */
static json_t *s_units(const submit_rules_t *r, const campaign_t *c)
{
	json_t *arr = json_array();
	int own = r->from_meta ? r->mv.own : -1;

	for (size_t i = 0; arr && i < hier_count(r->hier); i++) {
		const hier_unit_t *u = hier_unit(r->hier, (int)i);
		json_t *inds;

		if (own >= 0 && !hier_in_subtree(r->hier, own, (int)i))
			continue;
		inds = s_indicators(c, u->level);
		if (inds && json_array_size(inds) == 0) {
			json_decref(inds);
			continue;
		}
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:o*}", "code", u->code, "name",
						     u->name, "level", u->level, "indicators", inds));
	}
	return arr;
}

/* The document for campaign c, period p of r. */
static json_t *s_doc(const submit_rules_t *r, const campaign_t *c, const char *period)
{
	return json_pack("{s:s,s:s,s:s,s:o*,s:I,s:o*,s:o*}", "campaign", campaign_id(c),
			 "period", period, "source", r->from_meta ? "metadata" : "configuration",
			 "metadata_version", r->from_meta ? json_integer((json_int_t)r->version)
			 : json_null(), "derived_excluded", (json_int_t)1, "campaigns",
			 s_campaigns(r->camps), "units", s_units(r, c));
}

int colweb_form(cli_ctx_t *ctx, const char *campaign, const char *period, json_t **ret,
		char *err, size_t errlen)
{
	submit_rules_t r;
	const campaign_t *c = NULL;
	int rc = 0;

	if ((rc = submit_rules_read(ctx, ctx->store, &r, err, errlen)) < 0)
		return rc;
	if (!r.camps || !r.hier || r.camps->n == 0)
		rc = lnob_errf(err, errlen, LNOB_E_NOTFOUND, "no campaigns here yet: no metadata "
			       "from the aggregator and no [campaign] files configured");
	else if (!(c = campaign ? campaigns_find(r.camps, campaign) : r.camps->v[0]))
		rc = lnob_errf(err, errlen, LNOB_E_NOTFOUND, "unknown campaign '%s'", campaign);
	else if (!period && campaign_period_count(c) > 0)
		period = campaign_period(c, (int)campaign_period_count(c) - 1)->id;
	if (rc == 0 && (!period || !campaign_period_find(c, period)))
		rc = lnob_errf(err, errlen, LNOB_E_NOTFOUND, "campaign '%s' has no period '%s'",
			       campaign_id(c), period ? period : "");
	if (rc == 0 && !(*ret = s_doc(&r, c, period)))
		rc = lnob_errf(err, errlen, -ENOMEM, "out of memory");
	submit_rules_clear(&r);
	return rc;
}
