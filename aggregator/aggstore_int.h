/*
 * aggstore_int.h: what the parts of the aggregator's store share
 * (aggstore*.c): a record packed or unpacked under a key of one database,
 * and the rollup read that agg_rollup_get() and agg_rollup_memo() share.
 * Private to them: everything else goes through aggstore.h.
 */
#ifndef LNOB_AGGSTORE_INT_H
#define LNOB_AGGSTORE_INT_H

#include <lmdb.h>
#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "lnob.pb-c.h"
#include "store.h"

/* Reads the record under key in db and unpacks it as d (caller frees).
 * Returns 0, LNOB_E_NOTFOUND, LNOB_E_CORRUPT or a store error. */
int agg_msg_get(store_t *st, MDB_txn *txn, int db, const void *key, size_t klen,
		const ProtobufCMessageDescriptor *d, ProtobufCMessage **ret);
/* Packs msg and puts it under key in db (flags: store_put()'s). */
int agg_msg_put(store_t *st, MDB_txn *txn, int db, const void *key, size_t klen,
		const ProtobufCMessage *msg, unsigned flags);
/* Unpacks a value as d (an empty value is the empty message). */
int agg_msg_unpack(const MDB_val *v, const ProtobufCMessageDescriptor *d, ProtobufCMessage **ret);
/* The stored rollup record of (campaign, period, unit) (caller frees):
 * LNOB_E_NOTFOUND when the store holds none (agg_rollup_get() then derives
 * it), LNOB_E_INVALID, LNOB_E_CORRUPT or a store error. */
int agg_rollup_stored(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		      const char *unit, Lnob__RollupRecord **ret);
/* The rollup a unit's own current report lr alone makes (each value carried
 * by 1, units_reported 1), or an empty record when lr is NULL (caller
 * frees). Returns 0, LNOB_E_CORRUPT or -ENOMEM. */
int agg_rollup_of_latest(const Lnob__LatestRecord *lr, Lnob__RollupRecord **ret);

#endif
