/*
 * outbox_int.h: what the outbox's own modules share, and no one else:
 * outbox.c (the store, the own queue, acks, limits, stats), parked.c
 * (parked items of both lanes, requeue), custody.c (the relayed lane),
 * downstream.c (the relay's downstream nodes) and outbox_receipts.c
 * (receipts, the dismissed log), over outbox_lane.c (the
 * functions below), which calls none of them. The public contract is
 * outbox.h.
 *
 * A lane is one kind of queued envelope: own (key: seq, 8 bytes
 * big-endian; databases "outbox" and "parked") or relayed (key: signer
 * 0x00 seq; "relay" and "relay_parked"). An outbox_ref_t names an entry
 * of either: signer "" for the own lane.
 */
#ifndef LNOB_OUTBOX_INT_H
#define LNOB_OUTBOX_INT_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outbox.h"
#include "store.h"

/* The databases, in store_open() order (the names are outbox.h's). */
enum outbox_db {
	OUTBOX_DB_OUTBOX = 0,
	OUTBOX_DB_PARKED,
	OUTBOX_DB_RELAY,
	OUTBOX_DB_RELAY_PARKED,
	OUTBOX_DB_DOWN,
	OUTBOX_DB_DOWN_KEYS,
	OUTBOX_DB_DOWN_SEEN,
	OUTBOX_DB_RECEIPTS,       /* own envelopes after the next hop's ack */
	OUTBOX_DB_RECEIPTS_OUT,   /* receipts a relay owes downstream nodes */
	OUTBOX_DB_DISMISSED,      /* the dismissed log (all three: outbox_receipts.c) */
	OUTBOX_DB_ENTERED,        /* the last report queued per (campaign, period, unit):
				   * outbox_entered.c */
	OUTBOX_DB_SNAPSHOTS,      /* the last snapshot queued per (campaign, period, unit):
				   * outbox_snapshots.c (a provincial aggregator's
				   * national outbox) */
	OUTBOX_DB_COUNT,
};
/* The databases of the first layout: a reader on such a store sees the
 * others as empty. */
#define OUTBOX_DB_LEGACY 2

/* Records at rest never exceed a body plus its envelope and framing. */
#define OUTBOX_RECORD_MAX (OUTBOX_BODY_MAX + 4096)

/* meta names */
#define OUTBOX_META_REQUEUE_GEN "requeue_gen"

struct outbox {
	store_t *st;
	bool rdonly;
	bool legacy;   /* read-only on a store without the relay databases */
	size_t ndbs;   /* databases the store has (a reader on an older one: fewer) */
	bool custody_upstream;   /* the upstream is a relay: its acks are custody */
};

/* The database of a lane: its queue, or with parked its parked items. */
static inline size_t outbox_lane_db(bool relayed, bool parked)
{
	if (relayed)
		return parked ? OUTBOX_DB_RELAY_PARKED : OUTBOX_DB_RELAY;
	return parked ? OUTBOX_DB_PARKED : OUTBOX_DB_OUTBOX;
}

/* Makes the key of (signer, seq) in key: 8 bytes for an own seq (signer
 * NULL or ""), signer 0x00 seq for a relayed one. Returns its length, or
 * 0 for a relayed ref whose signer is not a valid id or whose seq is 0. */
size_t outbox_key(uint8_t key[OUTBOX_RELAY_KEY_MAX], const char *signer, uint64_t seq);

/* Splits a key of the lane into signer[LNOB_ID_MAX + 1] ("" for own) and
 * *seq. Returns 0 or LNOB_E_CORRUPT (a key of the wrong shape). */
int outbox_key_parse(bool relayed, const MDB_val *k, char *signer, uint64_t *seq);

/* The queue's primitives inside a write transaction of the caller
 * (outbox.c), for the modules that queue envelopes with records of their
 * own in the same transaction: next_seq (the stored value, or 1 for a new
 * outbox) read and written, an envelope sealed by id at seq and stored as
 * an OutboxItem (LNOB_E_CORRUPT when that seq is taken), and the recorded
 * limits (0 where absent). Return 0 or a negative code. */
int outbox_next_seq_in(outbox_t *self, MDB_txn *txn, uint64_t *ret);
int outbox_set_next_seq_in(outbox_t *self, MDB_txn *txn, uint64_t next);
int outbox_put_in(outbox_t *self, MDB_txn *txn, const identity_t *id, uint32_t kind,
		  uint64_t seq, const uint8_t *body, size_t len, int64_t now_ms);
int outbox_limits_in(outbox_t *self, MDB_txn *txn, outbox_limits_t *ret);

/* The key campaign 0x00 period 0x00 unit (of "entered" and "snapshots")
 * in key[3 * (LNOB_ID_MAX + 1)]: its length, or 0 when a part is empty or
 * longer than an id (outbox_entered.c). */
size_t outbox_cpu_key(uint8_t *key, const char *campaign, const char *period, const char *unit);

/* Decode an OutboxItem or a ParkedItem record. Caller frees *ret
 * (lnob__outbox_item__free_unpacked(), lnob__parked_item__free_unpacked()).
 * Return 0 or LNOB_E_CORRUPT. */
int outbox_item_decode(const MDB_val *v, Lnob__OutboxItem **ret);
int outbox_parked_decode(const MDB_val *v, Lnob__ParkedItem **ret);

/* Called by outbox_lane_scan() with one queued item: env borrowed for the
 * call (NULL, len 0, when the record does not decode). Non-zero stops. */
typedef int (*outbox_lane_fn)(void *ctx, const outbox_ref_t *ref, const uint8_t *env,
			      size_t len);

/* Visits the queued items of a lane from the key from[0..flen-1] (NULL:
 * the first; with after, strictly after it), at most max of them, in one
 * read transaction, until fn returns non-zero; *ret_visited and *ret_more
 * (both may be NULL) as outbox_scan() says. Returns 0, LNOB_E_CORRUPT or
 * an LMDB code. */
int outbox_lane_scan(outbox_t *self, bool relayed, const uint8_t *from, size_t flen, bool after,
		     size_t max, outbox_lane_fn fn, void *ctx, size_t *ret_visited, bool *ret_more);

/* Copies the envelope queued under ref into *ret_env (caller owns).
 * Returns 0, -EINVAL (a bad ref), LNOB_E_NOTFOUND, LNOB_E_CORRUPT, -ENOMEM
 * or an LMDB code. */
int outbox_lane_get(outbox_t *self, const outbox_ref_t *ref, uint8_t **ret_env, size_t *ret_len);

/* Moves ref from its queue to its lane's parked items, in a write
 * transaction of its own. Returns as outbox_park(), or -EROFS. */
int outbox_lane_park(outbox_t *self, const outbox_ref_t *ref, int reason, const char *detail,
		     int64_t now_ms);

/* The oldest queued_at among the relayed items in txn, 0 when none.
 * Returns 0 or an LMDB code. */
int outbox_relay_oldest(outbox_t *self, MDB_txn *txn, int64_t *ret);

/* outbox_receipts.c, inside the transactions of outbox.c and outbox_lane.c: the
 * next hop acked (signer, seq) whose queued record is v (an own one gets
 * its ReceiptRecord, a relayed one a STORED Receipt for its origin unless
 * the upstream is a relay too: custody only), or
 * parked it (a relayed one: a REFUSED Receipt). Return 0 or a code. */
int outbox_receipt_on_ack(outbox_t *self, MDB_txn *txn, const char *signer, uint64_t seq,
			  const MDB_val *v, int64_t now_ms);
int outbox_receipt_on_park(outbox_t *self, MDB_txn *txn, const outbox_ref_t *ref, int reason,
			   const char *detail, int64_t now_ms);

/* outbox_entered.c, inside outbox_enqueue_reports()'s transaction: records
 * rep, queued as seq at now_ms, as the last report entered for its
 * (campaign, period, unit). Returns 0, -ENOMEM or an LMDB code. */
int outbox_entered_put(outbox_t *self, MDB_txn *txn, const Lnob__Report *rep, uint64_t seq,
		       int64_t now_ms);

#endif
