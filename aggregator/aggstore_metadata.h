/*
 * aggstore_metadata.h: the version of the metadata the aggregator
 * publishes (metadata_out.h), kept in the store's meta database as
 * "metadata_digest" (the content's digest, uint64) and "metadata_version";
 * and "metadata_gen", bumped in the same transaction as every change of
 * what the metadata carries from the store (a node record written by
 * agg_node_put(), an ad-hoc request stored by requests_add()), so that the
 * running daemon, polling it, publishes anew. Also "hierarchy_cache", a
 * HierarchyCacheRecord (lnob.proto; hiercache.h decides when it holds).
 */
#ifndef LNOB_AGGSTORE_METADATA_H
#define LNOB_AGGSTORE_METADATA_H

#include <stdint.h>

#include "lnob.pb-c.h"
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

/* The hierarchy cache record into *ret (caller frees with
 * lnob__hierarchy_cache_record__free_unpacked()). Returns 0,
 * LNOB_E_NOTFOUND when the store holds none, a decode or store code. */
int agg_hier_cache_get(store_t *st, MDB_txn *txn, Lnob__HierarchyCacheRecord **ret);
/* The same record's bytes, borrowed (valid until txn ends): for a reader
 * that unpacks them with an allocator of its own (hiercache.c). Returns 0,
 * LNOB_E_NOTFOUND, LNOB_E_TOOBIG (over 128 MiB) or a store code. */
int agg_hier_cache_raw(store_t *st, MDB_txn *txn, MDB_val *ret);
/* Writes rec as the hierarchy cache record in txn (a write transaction),
 * replacing any. Returns 0, -ENOMEM or a store code. */
int agg_hier_cache_put(store_t *st, MDB_txn *txn, const Lnob__HierarchyCacheRecord *rec);

#endif
