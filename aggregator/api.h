/*
 * api.h: the aggregator's HTTP API (README "HTTP API"): a router from an
 * http_req_t (http.h) to the same view documents the CLI's --json prints,
 * behind bearer tokens (tokens.h) with their scope, errors as JSON
 * {"error", "message"}, ETag and If-None-Match on views, the operator's
 * actions (approve, unapprove, accept, reject, a nomination stage signed by
 * the aggregator) logged with the token's id, and the dashboard's files
 * (web_assets.h) for every other path.
 *
 * Runs in the server's loop (single-threaded): each request reads in its
 * own read transaction; an action writes in its own write transaction,
 * between the server's batches; a stage goes through api_t.ingest (the
 * server's ingest path).
 */
#ifndef LNOB_API_H
#define LNOB_API_H

#include "aggstore.h"
#include "campaigns.h"
#include "dhis2map.h"
#include "hierarchy.h"
#include "http.h"
#include "identity.h"
#include "ingest.h"

/* Takes one envelope signed by the aggregator through the server's ingest
 * (ingest_batch() of one item, counters and map growth the server's).
 * Returns ingest_batch()'s code; item's verdict is filled. */
typedef int (*api_ingest_fn)(void *ctx, ingest_item_t *item);

typedef struct api {
	store_t *st;
	const hier_t *hier;
	campaigns_t *campaigns;         /* may be empty; POST /api/requests adds to it */
	const identity_t *id;           /* the aggregator's: signs stages */
	api_ingest_fn ingest;           /* set by the server */
	void *ingest_ctx;
	struct metrics *metrics;        /* the server's (metrics.h): queries recorded, /metrics */
	const uint64_t *counters;       /* the server's live ingest counters (AGG_C_COUNT) */
	const dhis2map_t *mapping;      /* [export] mapping (NULL: none): /api/export adx, dhis2 */
} api_t;

/* http_handler_fn: answers one request (api is an api_t *). */
void api_handle(void *api, const http_req_t *req, http_resp_t *resp);

#endif
