/* api_stage.c: POST /api/nominations/{signer}/{id}/stage (see api.h): a
 * Stage built from the body (nomstage.h, as the collector builds one),
 * signed by the aggregator's own identity (enrolled at `run` with the
 * hierarchy's root as its scope: the province node) under its next own
 * seq, and taken through the server's ingest like a received one. */
#include "api_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "envelope.h"
#include "lnob_err.h"
#include "log.h"
#include "nominations.h"
#include "nomstage.h"
#include "util.h"

/* The nomination's campaign into camp (LNOB_ID_MAX + 1), after checking
 * that its unit is in the token's scope. Returns false after answering. */
static bool s_nomination(api_call_t *c, const char *key, char *camp)
{
	Lnob__NominationRecord *rec = NULL;
	MDB_txn *txn = NULL;
	char what[NOMINATE_KEY_SIZE + 16];
	bool ok;
	int r;

	if ((r = store_begin(c->api->st, false, &txn)) == 0)
		r = agg_nomination_get(c->api->st, txn, key, &rec);
	store_abort(&txn);
	if (r == LNOB_E_NOTFOUND) {
		api_error(c, 404, "not_found", "no nomination '%s' is stored", key);
		return false;
	}
	if (r < 0 || !rec || !rec->nomination) {
		api_fail(c, r, "reading the nomination");
		lnob__nomination_record__free_unpacked(rec, NULL);
		return false;
	}
	snprintf(what, sizeof(what), "nomination %s", key);
	ok = api_owned(c, rec->nomination->unit, what);
	lnob_strlcpy(camp, rec->nomination->campaign, LNOB_ID_MAX + 1);
	lnob__nomination_record__free_unpacked(rec, NULL);
	return ok;
}

/* The stage of the body, packed, signed under the next own seq into
 * *ret_env. Returns false after answering. */
static bool s_seal(api_call_t *c, const char *key, const char *camp, uint8_t **ret_env,
		   size_t *ret_len)
{
	nominate_stage_args_t a = {
		.campaign = camp, .nomination = key, .kind = api_arg(c, "stage"),
		.reason = api_arg(c, "reason"), .note = api_arg(c, "note"),
		.decision_number = api_arg(c, "decision_number"),
		.decision_date = api_arg(c, "decision_date"), .granted = api_arg(c, "granted_form"),
	};
	Lnob__Stage *stage = NULL;
	MDB_txn *txn = NULL;
	uint8_t *body = NULL;
	char err[512];
	uint64_t seq = 0;
	size_t len;
	int r = nominate_stage_build(&a, lnob_now_s(), &stage, err, sizeof(err));

	if (r < 0) {
		api_param_names(err, sizeof(err));
		api_error(c, 400, "bad_request", "%s", err);
		return false;
	}
	len = lnob__stage__get_packed_size(stage);
	if ((body = malloc(len ? len : 1)))
		lnob__stage__pack(stage, body);
	nominate_stage_free(&stage);
	if (!body || (r = store_begin(c->api->st, true, &txn)) < 0 ||
	    (r = agg_own_seq_next(c->api->st, txn, &seq)) < 0 || (r = store_commit(&txn)) < 0 ||
	    (r = envelope_seal(c->api->id, seq, LNOB__KIND__KIND_STAGE, body, len, ret_env,
			       ret_len)) < 0) {
		store_abort(&txn);
		free(body);
		api_fail(c, body ? r : -ENOMEM, "signing the stage");
		return false;
	}
	free(body);
	return true;
}

/* The nomination after the stage, as nominations_one() gives it. */
static void s_answer(api_call_t *c, const char *key)
{
	nominations_ctx_t nx = { .st = c->api->st, .hier = c->api->hier,
				 .campaigns = c->api->campaigns };
	json_t *one = NULL;
	int r = store_begin(c->api->st, false, &c->txn);

	if (r == 0)
		r = nominations_one(&nx, c->txn, key, &one);
	store_abort(&c->txn);
	if (r < 0)
		api_fail(c, r, "reading the nomination");
	else
		api_json(c, one);
}

void api_stage(api_call_t *c)
{
	static const char *const allowed[] = { "stage", "reason", "note", "decision_number",
					       "decision_date", "granted_form", NULL };
	char key[NOMINATE_KEY_SIZE + 1], camp[LNOB_ID_MAX + 1];
	ingest_item_t item;
	uint8_t *env = NULL;
	size_t len = 0;
	int r;

	if (!api_body_only(c, allowed))
		return;
	snprintf(key, sizeof(key), "%s/%s", c->parts[1], c->parts[2]);
	if (!c->api->ingest) {
		api_error(c, 500, "internal", "no ingest path in this process");
		return;
	}
	if (!s_nomination(c, key, camp) || !s_seal(c, key, camp, &env, &len))
		return;
	memset(&item, 0, sizeof(item));
	item.env = env;
	item.len = len;
	item.peer = c->api->id->pub.node_id;
	r = c->api->ingest(c->api->ingest_ctx, &item);
	free(env);
	if (r < 0 || item.verdict != INGEST_ACK) {
		const char *name = r < 0 ? "store_failed" : admit_reason_name(item.reason);

		log_info("api: token %s: stage %s of %s refused: %s: %s", c->grant.id,
			 api_arg(c, "stage"), key, name, r < 0 ? lnob_strerror(r) : item.detail);
		if (r < 0)
			api_error(c, 500, "internal", "%s: %s", name, lnob_strerror(r));
		else
			api_error(c, 409, "conflict", "%s: %s", name, item.detail);
		return;
	}
	log_info("api: token %s: stage %s of %s recorded as %s/%llu", c->grant.id,
		 api_arg(c, "stage"), key, item.signer, (unsigned long long)item.seq);
	s_answer(c, key);
}
