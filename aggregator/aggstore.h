/*
 * aggstore.h: the aggregator's LMDB store: its named databases, key
 * layouts, enrolled nodes and persisted counters.
 *
 * Databases (keys are byte strings; "\0" separates text parts, numbers are
 * big-endian):
 *   envelopes   signer \0 seq(8)                      -> serialized Envelope (immutable log)
 *   latest      campaign \0 period \0 unit             -> LatestRecord
 *   revisions   campaign \0 period \0 unit \0 rev(4) \0 signer \0 seq(8) -> "" (history)
 *   rollups     campaign \0 period \0 unit             -> RollupRecord
 *   nodes       node id                                -> NodeRecord
 *   curvekeys   curve public key (32)                  -> node id
 *   counters    name                                   -> uint64(8)
 *   quarantine  signer \0 seq(8) \0 sha256(envelope)   -> QuarantineRecord
 *   peers       node id                                -> PeerRecord
 */
#ifndef LNOB_AGGSTORE_H
#define LNOB_AGGSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lnob.pb-c.h"
#include "store.h"

#define AGG_SCHEMA "lnob-aggregator"
#define AGG_SCHEMA_VERSION 1

enum agg_db {
	AGG_DB_ENVELOPES = 0,
	AGG_DB_LATEST,
	AGG_DB_REVISIONS,
	AGG_DB_ROLLUPS,
	AGG_DB_NODES,
	AGG_DB_CURVEKEYS,
	AGG_DB_COUNTERS,
	AGG_DB_QUARANTINE,
	AGG_DB_PEERS,
	AGG_DB_COUNT
};

/* Counters kept by the aggregator; names are what `status` prints. The
 * rejected_* ones follow NackReason order. */
enum agg_counter {
	AGG_C_STORED = 0,
	AGG_C_DUPLICATE,
	AGG_C_QUARANTINED,
	AGG_C_CONFLICT,           /* same revision of a unit from two envelopes */
	AGG_C_ZAP_DENIED,
	AGG_C_STORE_FAILED,       /* batches whose commit failed */
	AGG_C_REJECTED_BASE,      /* + NackReason value */
	AGG_C_COUNT = AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR + 1
};

/* Name of counter c ("stored", "rejected_bad_signature" ...), static. */
const char *agg_counter_name(int c);
/* Lower-case NackReason name without the prefix ("bad_signature"), static. */
const char *agg_reason_name(int reason);

/* Opens the store in dir (creating it unless STORE_RDONLY). */
int aggstore_open(const char *dir, size_t map_size, unsigned flags, store_t **ret,
		  char *err, size_t errlen);

/* Key builders. Each writes into out (at least AGG_KEY_MAX bytes) and returns
 * the length, or 0 if the parts do not fit. */
#define AGG_KEY_MAX 512
size_t agg_key_envelope(uint8_t *out, const char *signer, uint64_t seq);
size_t agg_key_unit(uint8_t *out, const char *campaign, const char *period, const char *unit);

/* Reads / writes all counters (absolute values) in txn. */
int agg_counters_load(store_t *st, MDB_txn *txn, uint64_t c[AGG_C_COUNT]);
int agg_counters_save(store_t *st, MDB_txn *txn, const uint64_t c[AGG_C_COUNT]);

/* Looks up a node by id. Caller frees *ret (lnob__node_record__free_unpacked).
 * Returns 0, LNOB_E_NOTFOUND or an error. */
int agg_node_get(store_t *st, MDB_txn *txn, const char *node_id, Lnob__NodeRecord **ret);
/* Looks up the node id enrolled for a CURVE public key into ret_id
 * (LNOB_ID_MAX+1 bytes). */
int agg_node_by_curve(store_t *st, MDB_txn *txn, const uint8_t curve_pk[32], char *ret_id);
/* Enrolls (or, with replace, re-keys) a node. LNOB_E_EXISTS when the id or
 * curve key is taken and !replace. */
int agg_node_put(store_t *st, MDB_txn *txn, const Lnob__NodeRecord *rec, bool replace);

/* Reads the materialised rollup for (campaign, period, unit). An absent
 * rollup gives an empty record. Caller frees *ret. */
int agg_rollup_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, Lnob__RollupRecord **ret);

#endif
