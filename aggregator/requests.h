/*
 * requests.h: ad-hoc (đột xuất) requests at the aggregator (README
 * "Ad-hoc requests"): `lnob-aggregator request add` stores one
 * (db requests: campaign 0x00 id -> AdhocRequest) after
 * campaign_request_add() accepted it on the configured campaign, and bumps
 * the store's metadata_gen (aggstore_metadata.h); every command that loads the campaigns
 * adds the stored requests to them (requests_apply()), and the running
 * daemon does so when metadata_gen changes, then publishes a new metadata
 * version carrying them down to the collectors in scope. A request is a
 * period of its campaign like any other: replies are reports with the
 * request's id as their period, judged for completeness and timeliness
 * against its units and due day (campaign.h).
 *
 * Library module: returns codes, never logs (requests_apply() reports
 * what it skipped through err).
 */
#ifndef LNOB_REQUESTS_H
#define LNOB_REQUESTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "aggstore.h"
#include "campaign_request.h"
#include "campaigns.h"
#include "hierarchy.h"

/* Checks req (its campaign must be configured: else LNOB_E_NOTFOUND with
 * the known ids) by adding it to that campaign of camps, then stores it
 * and bumps metadata_gen in txn (a write transaction; the caller commits).
 * Returns 0, LNOB_E_NOTFOUND, LNOB_E_INVALID (err: "ad-hoc request 'x':
 * <problem>"), LNOB_E_EXISTS (stored already) or a store code. On failure
 * camps is as before. */
int requests_add(store_t *st, MDB_txn *txn, campaigns_t *camps, const hier_t *hier,
		 const Lnob__AdhocRequest *req, char *err, size_t errlen);

/* A request as an operator gives it (`request add`'s options, POST
 * /api/requests's members): the texts, units and indicators comma- or
 * blank-separated. */
typedef struct requests_text {
	const char *campaign, *id, *units, *indicators, *due, *note;   /* note may be NULL */
} requests_text_t;

/* What requests_from_text() made: the request and what it points to. */
typedef struct requests_made {
	Lnob__AdhocRequest q;
	char *units[CAMPAIGN_REQUEST_UNITS_MAX + 1], *inds[CAMPAIGN_INDICATORS_MAX + 1];
	char *ubuf, *ibuf;
} requests_made_t;

/* Builds m->q from t (created_at now), the lists split (more than the
 * most a request may ask are counted, so that campaign_request_add()
 * refuses them). The strings are borrowed from t. Returns 0 or -ENOMEM;
 * requests_made_free() either way. */
int requests_from_text(const requests_text_t *t, int64_t now, requests_made_t *m);
void requests_made_free(requests_made_t *m);

/* Adds the stored requests camps does not hold yet to their campaigns
 * (in key order). A request for a campaign not configured is left out; one
 * that no longer fits (a period of its id now in the campaign file, a
 * unit gone from the hierarchy) is left out and counted in *ret_skipped,
 * err saying why of the first. *ret_added: how many were added. Returns 0
 * or a store code (LNOB_E_CORRUPT for a record that does not parse). */
int requests_apply(store_t *st, MDB_txn *txn, campaigns_t *camps, const hier_t *hier,
		   size_t *ret_added, size_t *ret_skipped, char *err, size_t errlen);

/* The requests of camps (campaign: only that one; NULL: all) as JSON
 * (README "Ad-hoc requests"): [{"campaign", "id", "due", "late_from",
 * "note", "created_at", "units": [codes], "indicators": [codes],
 * "expected", "reported", "missing_units": [codes]}], replies counted from
 * the latest reports in txn. *ret is the caller's. Returns 0, -ENOMEM or
 * a store code. */
int requests_view(store_t *st, MDB_txn *txn, const campaigns_t *camps, const char *campaign,
		  json_t **ret);

#endif
