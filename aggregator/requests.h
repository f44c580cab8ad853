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

/* Splits an operator's list (`--units`, `--indicators`, their POST
 * members: comma- or blank-separated) into v[0..max) pointing into *ret_buf
 * (a copy of list, the caller's to free). Returns how many, max + 1 when
 * there are more (the rest left out), or 0 with *ret_buf NULL when out of
 * memory. */
size_t requests_split(const char *list, char **ret_buf, char **v, size_t max);

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
