/*
 * aggstore_metadata.h: the version of the metadata the aggregator
 * publishes (metadata_out.h), kept in the store's meta database as
 * "metadata_digest" (the content's digest, uint64) and "metadata_version";
 * and "metadata_gen", bumped in the same transaction as every change of
 * what the metadata carries from the store (a node record written by
 * agg_node_put(), an ad-hoc request stored by requests_add()), so that the
 * running daemon, polling it, publishes anew.
 */
#ifndef LNOB_AGGSTORE_METADATA_H
#define LNOB_AGGSTORE_METADATA_H

#include <stdint.h>

#include "store.h"

/* The version for content of this digest: the recorded one when the
 * digest is the recorded one, else max(recorded + 1, now_s), recorded
 * with the digest, in a write transaction of its own. Returns 0 with
 * *ret, or a store code. */
int agg_metadata_version(store_t *st, uint64_t digest, int64_t now_s, uint64_t *ret);

/* The store's metadata_gen (0 when never bumped). */
int agg_metadata_gen(store_t *st, MDB_txn *txn, uint64_t *ret);
/* Bumps it in txn (a write transaction). */
int agg_metadata_gen_bump(store_t *st, MDB_txn *txn);

#endif
