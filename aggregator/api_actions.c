/* api_actions.c: the HTTP API's operator actions (see api.h): approve,
 * unapprove, accept and reject through approval_act() (approval_cmd.h), as
 * the CLI does, with `by` "token:<id>"; each logged with the token's id. */
#include "api_int.h"

#include <stdio.h>
#include <string.h>

#include "approval.h"
#include "approval_cmd.h"
#include "lnob_err.h"
#include "log.h"

bool api_body_only(api_call_t *c, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(c->body, key, v) {
		size_t j;

		for (j = 0; allowed[j] && strcmp(allowed[j], key) != 0; j++)
			;
		if (!allowed[j]) {
			api_error(c, 400, "bad_request", "unknown member '%s' of the body of %s", key,
				  c->req->path);
			return false;
		}
		if (!json_is_string(v)) {
			api_error(c, 400, "bad_request", "member '%s' of the body: not a string", key);
			return false;
		}
	}
	return true;
}

/* Runs a through approval_act() and answers: 200 {"action", "by",
 * "message"}, or the error its code means. */
static void s_act(api_call_t *c, const approval_args_t *args)
{
	char by[64], msg[1024], err[1024];
	approval_args_t copy = *args, *a = &copy;
	int r;

	snprintf(by, sizeof(by), "token:%s", c->grant.id);
	a->by = by;
	r = approval_act(c->api->st, c->api->hier, c->api->campaigns, a, msg, sizeof(msg), err,
			 sizeof(err));
	if (r == 0) {
		log_info("api: token %s: %s", c->grant.id, msg);
		api_json(c, json_pack("{s:s, s:s, s:s}", "action", a->cmd, "by", by, "message", msg));
		return;
	}
	api_param_names(err, sizeof(err));
	log_info("api: token %s: %s refused: %s", c->grant.id, a->cmd, err);
	if (r == 2 || r == LNOB_E_INVALID)
		api_error(c, 400, "bad_request", "%s", err);
	else if (r == LNOB_E_EXISTS || (r == LNOB_E_NOTFOUND && !a->amendment))
		api_error(c, 409, "conflict", "%s", err);
	else if (r == LNOB_E_NOTFOUND)
		api_error(c, 404, "not_found", "%s", err);
	else
		api_fail(c, r, err);
}

/* approve and unapprove: campaign, period, unit (in scope) and note. */
static void s_approval(api_call_t *c, const char *cmd)
{
	static const char *const allowed[] = { "campaign", "period", "unit", "note", NULL };
	approval_args_t a = { .cmd = cmd };
	const campaign_t *camp;
	int unit;

	if (!api_body_only(c, allowed) || !api_campaign(c, "period", &camp))
		return;
	if (!api_arg(c, "unit")) {
		api_error(c, 400, "bad_request", "member 'unit' of the body is required");
		return;
	}
	if (!api_unit(c, "unit", &unit))
		return;
	a.campaign = api_arg(c, "campaign");
	a.period = api_arg(c, "period");
	a.unit = api_arg(c, "unit");
	a.note = api_arg(c, "note");
	s_act(c, &a);
}

void api_approve(api_call_t *c)
{
	s_approval(c, "approve");
}

void api_unapprove(api_call_t *c)
{
	s_approval(c, "unapprove");
}

/* Whether amendment key's unit is in the token's scope (an unknown one
 * passes: approval_act() answers it). Answers 403 or 500 when not. */
static bool s_amendment_in_scope(api_call_t *c, const char *key)
{
	Lnob__AmendmentRecord *rec = NULL;
	char signer[LNOB_ID_MAX + 1], what[2 * LNOB_ID_MAX + 16];
	MDB_txn *txn = NULL;
	uint64_t seq;
	bool ok;
	int r;

	if (amendment_key_parse(key, signer, &seq) < 0)
		return true;
	if ((r = store_begin(c->api->st, false, &txn)) == 0)
		r = agg_amendment_find(c->api->st, txn, signer, seq, &rec);
	store_abort(&txn);
	if (r == LNOB_E_NOTFOUND)
		return true;
	if (r < 0 || !rec) {
		api_fail(c, r, "reading the amendment");
		return false;
	}
	snprintf(what, sizeof(what), "amendment %s", key);
	ok = api_owned(c, rec->unit, what);
	lnob__amendment_record__free_unpacked(rec, NULL);
	return ok;
}

/* accept and reject of /api/amendments/{signer}/{seq}/{accept|reject}. */
static void s_decide(api_call_t *c, const char *cmd, const char *text)
{
	const char *const allowed[] = { text, NULL };
	approval_args_t a = { .cmd = cmd };
	char key[2 * LNOB_ID_MAX + 2];

	if (!api_body_only(c, allowed))
		return;
	snprintf(key, sizeof(key), "%s/%s", c->parts[1], c->parts[2]);
	if (!s_amendment_in_scope(c, key))
		return;
	a.amendment = key;
	a.note = strcmp(text, "note") == 0 ? api_arg(c, "note") : NULL;
	a.reason = strcmp(text, "reason") == 0 ? api_arg(c, "reason") : NULL;
	s_act(c, &a);
}

void api_accept(api_call_t *c)
{
	s_decide(c, "accept", "note");
}

void api_reject(api_call_t *c)
{
	s_decide(c, "reject", "reason");
}
