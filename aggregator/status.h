/*
 * status.h: the status document of `lnob-aggregator status --json` and
 * GET /api/status: the store's totals, every counter, and each enrolled
 * node with what its last heartbeat said.
 */
#ifndef LNOB_STATUS_H
#define LNOB_STATUS_H

#include <jansson.h>

#include "aggstore.h"

/* Builds the document in txn (a read transaction): {"envelopes",
 * "reports", "quarantined", "counters": {name: n}, "nodes": [{"id",
 * "scope", "revoked", "last_seen_ms", "health"}]}. Caller owns *ret.
 * Returns 0 or a negative code. */
int status_view(store_t *st, MDB_txn *txn, json_t **ret);

#endif
