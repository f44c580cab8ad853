/* api_requests.c: GET /api/requests and POST /api/requests (operator):
 * the ad-hoc requests of requests.h over HTTP (README "HTTP API"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "lnob_err.h"
#include "requests.h"
#include "util.h"

/* Keeps of arr's strings those naming a unit in the token's scope. */
static json_t *s_in_scope(const api_call_t *c, const json_t *arr)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		int u = hier_find(c->api->hier, json_string_value(v));

		if (out && u >= 0 && api_in_scope(c, u))
			json_array_append(out, v);
	}
	return out;
}

/* The requests asking a unit of the token's scope, with only those units. */
static json_t *s_scoped(const api_call_t *c, const json_t *all)
{
	json_t *out = json_array(), *q;
	size_t i;

	json_array_foreach(all, i, q) {
		json_t *units = s_in_scope(c, json_object_get(q, "units"));
		json_t *missing = s_in_scope(c, json_object_get(q, "missing_units"));
		json_t *o = json_deep_copy(q);

		if (!out || !units || !missing || !o || json_array_size(units) == 0) {
			json_decref(units);
			json_decref(missing);
			json_decref(o);
			continue;
		}
		json_object_set_new(o, "expected", json_integer((json_int_t)json_array_size(units)));
		json_object_set_new(o, "reported", json_integer((json_int_t)(json_array_size(units) -
									   json_array_size(missing))));
		json_object_set_new(o, "units", units);
		json_object_set_new(o, "missing_units", missing);
		json_array_append_new(out, o);
	}
	return out;
}

void api_requests(api_call_t *c)
{
	static const char *const allowed[] = { "campaign", NULL };
	const campaign_t *camp = NULL;
	json_t *all = NULL, *doc;
	int r;

	if (!api_args_only(c, allowed) ||
	    (api_arg(c, "campaign") && !api_campaign(c, NULL, &camp)))
		return;
	if ((r = requests_view(c->api->st, c->txn, c->api->campaigns,
			       camp ? campaign_id(camp) : NULL, &all)) < 0) {
		api_fail(c, r, "reading the ad-hoc requests");
		return;
	}
	doc = json_pack("{s:o}", "requests", s_scoped(c, all));
	json_decref(all);
	if (!doc) {
		api_fail(c, -ENOMEM, "out of memory");
		return;
	}
	api_json(c, doc);
}

/* Checks every asked unit is in the token's scope; 403 when not. */
static bool s_units_owned(api_call_t *c, const Lnob__AdhocRequest *q)
{
	char what[128];

	for (size_t i = 0; i < q->n_units && i <= CAMPAIGN_REQUEST_UNITS_MAX; i++) {
		if (hier_find(c->api->hier, q->units[i]) < 0)
			continue;   /* campaign_request_add() names it */
		snprintf(what, sizeof(what), "units: '%.64s'", q->units[i]);
		if (!api_owned(c, q->units[i], what))
			return false;
	}
	return true;
}

/* Stores q (requests_add()) and answers 200 with the stored request. */
static void s_store(api_call_t *c, Lnob__AdhocRequest *q)
{
	char err[1024] = "";
	MDB_txn *txn = NULL;
	json_t *all = NULL;
	int r;

	if ((r = store_begin(c->api->st, true, &txn)) == 0)
		r = requests_add(c->api->st, txn, c->api->campaigns, c->api->hier, q, err,
				 sizeof(err));
	if (r == 0 && (r = store_commit(&txn)) < 0)
		campaign_request_drop_last((campaign_t *)campaigns_find(c->api->campaigns,
									  q->campaign));
	store_abort(&txn);
	if (r == LNOB_E_EXISTS || (r == LNOB_E_INVALID && strstr(err, "already has"))) {
		api_error(c, 409, "conflict", "%s", err);
		return;
	}
	if (r < 0) {
		api_param_names(err, sizeof(err));
		api_fail(c, r, err[0] ? err : lnob_strerror(r));
		return;
	}
	if ((r = store_begin(c->api->st, false, &txn)) == 0)
		r = requests_view(c->api->st, txn, c->api->campaigns, q->campaign, &all);
	store_abort(&txn);
	for (size_t i = 0; r == 0 && i < json_array_size(all); i++) {
		json_t *o = json_array_get(all, i);

		if (strcmp(json_string_value(json_object_get(o, "id")), q->id) == 0)
			api_json(c, json_incref(o));
	}
	json_decref(all);
	if (r < 0)
		api_fail(c, r, "reading the request back");
}

void api_request_add(api_call_t *c)
{
	static const char *const allowed[] = { "campaign", "id", "units", "indicators", "due",
						"note", NULL };
	static requests_made_t made;   /* large; the loop is single-threaded */
	requests_text_t t;

	if (!api_body_only(c, allowed))
		return;
	for (size_t i = 0; i < 5; i++)
		if (!api_arg(c, allowed[i])) {
			api_error(c, 400, "bad_request", "%s is required", allowed[i]);
			return;
		}
	t = (requests_text_t){ api_arg(c, "campaign"), api_arg(c, "id"), api_arg(c, "units"),
			       api_arg(c, "indicators"), api_arg(c, "due"), api_arg(c, "note") };
	if (requests_from_text(&t, lnob_now_s(), &made) < 0)
		api_fail(c, -ENOMEM, "out of memory");
	else if (s_units_owned(c, &made.q))
		s_store(c, &made.q);
	requests_made_free(&made);
}
