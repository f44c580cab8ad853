/*
 * outbox.h: the collector's durable outbox, one LMDB store (schema
 * "lnob-collector-outbox", version 1) in the node's data_dir.
 *
 *   "outbox"          seq (uint64 BE) -> OutboxItem    own envelopes, queued, not yet acked
 *   "parked"          seq (uint64 BE) -> ParkedItem    own envelopes NACKed, for the operator
 *   "relay"           signer 0x00 seq (uint64 BE) -> OutboxItem
 *                                        envelopes taken into custody from
 *                                        downstream nodes (relay), queued
 *                                        for the aggregator; the bytes are
 *                                        the origin's, unchanged
 *   "relay_parked"    signer 0x00 seq (uint64 BE) -> ParkedItem
 *                                        relayed envelopes NACKed upstream
 *   "downstream"      node id -> NodeRecord   nodes this relay admits (scope unused)
 *   "downstream_keys" Curve25519 public key (32 bytes) -> node id   ZAP's index
 *   "downstream_seen" node id -> PeerRecord   last contact and health of a
 *                                        downstream node, written by the relay
 *   "receipts"        seq (uint64 BE) -> ReceiptRecord   own envelopes the next
 *                                        hop acked: sent, stored end to end or
 *                                        refused by a Receipt
 *   "receipts_out"    signer 0x00 seq (uint64 BE) -> Receipt   receipts a relay
 *                                        owes the origin, until sent down
 *   "dismissed"       seq, or signer 0x00 seq -> DismissedRecord   the log of
 *                                        parked items the operator dismissed
 *   "entered"         campaign 0x00 period 0x00 unit -> EnteredRecord   the
 *                                        last report queued for each, written
 *                                        by outbox_enqueue_reports() in the
 *                                        transaction that queues it
 *   meta      "next_seq"                 the next own seq to assign (absent: 1)
 *             "last_contact_ms"          the running daemon's last word from
 *             "in_flight"                upstream, and its in-flight count
 *             "requeue_gen"              bumped by every outbox_requeue() that
 *                                        moved something, so the running
 *                                        uplink rescans from the start
 *             "upstream_max_body"        the limits the upstream last said it
 *             "upstream_max_frame"       takes (Heartbeat max_body, max_frame;
 *             "limits_at_ms"             absent or 0: not said) and when they
 *                                        were recorded, so that `submit`, a
 *                                        separate process, checks reports
 *                                        against them even offline
 *
 * A relay key is the signer's id (1..64 bytes of [A-Za-z0-9._-], never NUL),
 * one 0x00 byte and the seq big-endian, so LMDB's byte order is (signer,
 * seq) order. Own and relayed envelopes never share a key space: a relay
 * refuses envelopes signed with its own id, and enrols no node by that id.
 *
 * A seq is assigned inside the write transaction that stores its item and
 * bumps next_seq, so a crash before commit leaves neither: a seq is never
 * reused, across restarts too. An item leaves the queue only on an ack
 * (deleted) or a non-retryable NACK (moved to parked), each in one
 * transaction; outbox_requeue() moves parked items back unchanged.
 *
 * Databases added after version 1 ("relay" and the rest) are created by the
 * first writable open; a reader on an older store sees them as empty.
 *
 * Fault points (fault.h): "collector.enqueue_before_commit" in
 * outbox_enqueue() after the items and next_seq are written, before the
 * commit; "relay.before_custody" in outbox_relay_put() after the new
 * envelopes are written, before the commit.
 *
 * Implemented by outbox.c (the store, the own queue, acks, limits, stats),
 * outbox_entered.c (the last report entered per unit and period),
 * parked.c (parked items of both lanes, requeue), custody.c (the relayed
 * lane), outbox_receipts.c (receipts, the dismissed log) and
 * downstream.c (the downstream nodes: a key directory, keydir.h, over
 * "downstream" and "downstream_keys"), over store.h's one iterator;
 * what they share is outbox_lane.c's (outbox_int.h).
 *
 * Library module: returns codes, never logs. One outbox_t is used by one
 * thread; other processes may open the same directory (submit beside run,
 * status as a reader) since LMDB serialises writers.
 */
#ifndef LNOB_OUTBOX_H
#define LNOB_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "lnob.pb-c.h"

#define OUTBOX_SCHEMA "lnob-collector-outbox"
#define OUTBOX_SCHEMA_VERSION 1
/* Largest Envelope body this node queues, takes into custody or sends:
 * its own limit, and the one used while the upstream has not said its own
 * (the aggregator's default [ingest] max_body). */
#define OUTBOX_BODY_MAX ((size_t)65536)
/* Largest key in "relay" and "relay_parked". */
#define OUTBOX_RELAY_KEY_MAX (LNOB_ID_MAX + 1 + 8)

typedef struct outbox outbox_t;

/* On an outbox opened OUTBOX_RDONLY every call that writes returns -EROFS. */
enum outbox_flags {
	OUTBOX_RDONLY = 1 << 0,   /* a reader beside the running daemon (status) */
};

/* What the running daemon records for `status`. */
typedef struct outbox_state {
	int64_t last_contact_ms;  /* Unix ms of the last frame from the aggregator, 0: never */
	uint64_t in_flight;       /* envelopes sent and not yet answered */
} outbox_state_t;

/* What the upstream (the aggregator, or a relay) last said it takes, from
 * its heartbeats (proto/lnob.proto, THE LINK: Limits). */
typedef struct outbox_limits {
	uint64_t max_body;        /* bytes of an Envelope body; 0: not said */
	uint64_t max_frame;       /* bytes of one Frame; 0: not said */
	int64_t learned_at_ms;    /* Unix ms they were recorded; 0: never */
} outbox_limits_t;

/* A snapshot of the outbox, read in one transaction. */
typedef struct outbox_stats {
	uint64_t queued;              /* everything waiting to go upward: own + relayed */
	uint64_t queued_own;          /* items in "outbox" */
	uint64_t queued_relayed;      /* items in "relay" */
	uint64_t parked;              /* own + relayed */
	uint64_t parked_own;          /* items in "parked" */
	uint64_t parked_relayed;      /* items in "relay_parked" */
	uint64_t downstream;          /* nodes in "downstream" (revoked ones too) */
	int64_t oldest_queued_at_ms;  /* smallest queued_at of the lowest own seq and of
				       * each signer's lowest relayed seq, 0 if nothing
				       * is queued */
	uint64_t next_seq;            /* the next seq to assign (>= 1) */
	outbox_state_t state;         /* as last written by outbox_put_state()/outbox_ack() */
	outbox_limits_t limits;       /* as last written by outbox_put_limits() */
} outbox_stats_t;

/* Names one envelope: signer "" means this node's own (seq in "outbox" or
 * "parked"), any other signer a relayed one. */
typedef struct outbox_ref {
	char signer[LNOB_ID_MAX + 1];
	uint64_t seq;
} outbox_ref_t;

/* Opens (creating when writable) the outbox in dir with an LMDB map of
 * map_size bytes (0: LMDB's default, or the size of an existing store).
 * flags: OUTBOX_RDONLY or 0. On failure err names the directory and the
 * cause and *ret is not written. Caller owns *ret (outbox_destroy).
 * Returns 0, -errno, an LMDB code, LNOB_E_SCHEMA or LNOB_E_CORRUPT. */
int outbox_open(const char *dir, size_t map_size, unsigned flags, outbox_t **ret,
		char *err, size_t errlen);

/* Closes the outbox. Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void outbox_destroy(outbox_t **self_p);

/* Queues bodies[0..n-1] (each lens[i] bytes) as envelopes of the given
 * kind signed by id, in ONE write transaction: reads next_seq and the
 * recorded limits, refuses the whole call when a body is over
 * outbox_max_body() of them, seals each body at the next seq, stores it
 * with queued_at_ms = now_ms, bumps next_seq and commits. On success
 * *ret_first_seq (may be NULL) gets the seq of bodies[0]; the others
 * follow consecutively. On any failure nothing is stored and next_seq is
 * unchanged.
 * Returns 0, -EINVAL (n == 0), LNOB_E_TOOBIG, -ENOMEM, LNOB_E_CRYPTO or an
 * store code (LNOB_E_FULL when the map is full). */
int outbox_enqueue(outbox_t *self, const identity_t *id, uint32_t kind,
		   const uint8_t *const *bodies, const size_t *lens, size_t n,
		   int64_t now_ms, uint64_t *ret_first_seq);

/* Like outbox_enqueue() for reports[0..n-1] (kind KIND_REPORT): each is
 * checked with report_validate() and serialized first, and recorded in
 * "entered" (the last report queued for its campaign, period and unit) in
 * the same transaction. An invalid report
 * fails the whole call with LNOB_E_INVALID, one over the body limit with
 * LNOB_E_TOOBIG, and detail (may be NULL) gets "report <i>: <problem>" (i
 * counted from 0). Same all-or-nothing rule. */
int outbox_enqueue_reports(outbox_t *self, const identity_t *id,
			   const Lnob__Report *const *reports, size_t n, int64_t now_ms,
			   uint64_t *ret_first_seq, char *detail, size_t detail_len);

/* Deletes seqs[0..n-1] from the outbox in one write transaction; a seq not
 * queued is ignored. When state is not NULL it is recorded in the same
 * transaction. *ret_deleted (may be NULL) gets how many were deleted.
 * Returns 0 or an LMDB code (nothing deleted then). */
int outbox_ack(outbox_t *self, const uint64_t *seqs, size_t n,
	       const outbox_state_t *state, size_t *ret_deleted);

/* Like outbox_ack(), and also deletes the relayed items refs[0..nrefs-1]
 * (signer not "") from "relay", all in the same one transaction. A ref
 * with signer "" stands for an own seq. Returns 0, -EINVAL (a signer that
 * is not a valid id) or an LMDB code (nothing deleted then). */
int outbox_ack_all(outbox_t *self, const uint64_t *seqs, size_t n, const outbox_ref_t *refs,
		   size_t nrefs, const outbox_state_t *state, size_t *ret_deleted);

/* Moves seq from the outbox to "parked" with the NACK reason and detail
 * (NULL: "") and parked_at_ms = now_ms, in one write transaction.
 * Returns 0, LNOB_E_NOTFOUND (seq not queued; nothing changes), -ENOMEM or
 * an LMDB code. */
int outbox_park(outbox_t *self, uint64_t seq, int reason, const char *detail, int64_t now_ms);

/* Copies the serialized Envelope queued under seq into *ret_env (caller
 * owns, free()). Returns 0, LNOB_E_NOTFOUND, LNOB_E_CORRUPT (the record
 * does not decode), -ENOMEM or an LMDB code. */
int outbox_get(outbox_t *self, uint64_t seq, uint8_t **ret_env, size_t *ret_len);

/* Called by outbox_scan() with one queued item; env is borrowed and valid
 * only during the call (env is NULL, len 0, when the record does not
 * decode). Return 0 to go on, anything else to stop. */
typedef int (*outbox_scan_fn)(void *ctx, uint64_t seq, const uint8_t *env, size_t len);

/* Visits queued items with seq > after_seq in seq order, at most max of
 * them, in one read transaction, until fn returns non-zero.
 * *ret_visited (may be NULL) gets the number of calls made, *ret_more (may
 * be NULL) whether items beyond the last visited one remain.
 * Returns 0 or an LMDB code. */
int outbox_scan(outbox_t *self, uint64_t after_seq, size_t max, outbox_scan_fn fn,
		void *ctx, size_t *ret_visited, bool *ret_more);

/* Called by outbox_parked_foreach() with one parked item (borrowed, valid
 * only during the call). Return 0 to go on, anything else to stop. */
typedef int (*outbox_parked_fn)(void *ctx, uint64_t seq, const Lnob__ParkedItem *item);

/* Visits parked items in seq order in one read transaction.
 * Returns 0, LNOB_E_CORRUPT (a record does not decode) or an LMDB code. */
int outbox_parked_foreach(outbox_t *self, outbox_parked_fn fn, void *ctx);

/* Reads counts, the oldest queued_at, next_seq and the recorded state in
 * one read transaction. Returns 0, LNOB_E_CORRUPT or an LMDB code. */
int outbox_stats(outbox_t *self, outbox_stats_t *ret);

/* Writes a backup of the outbox into dir (backup.h's backup_write(), for
 * program with node and extra). Returns 0 or a code with err. */
int outbox_backup(outbox_t *self, const char *dir, const char *program, const char *node,
		  const json_t *extra, char *err, size_t errlen);

/* Moves next_seq n ahead (in one write transaction), so that seqs this
 * node may have used since a backup was taken are never assigned again.
 * *ret_next (may be NULL) gets the new next_seq. Returns 0 or a code. */
int outbox_skip_seqs(outbox_t *self, uint64_t n, uint64_t *ret_next);

/* What failure r of a write to the outbox means (store_strerror(): a full
 * disk named as such), into buf; returns buf. */
const char *outbox_strerror(const outbox_t *self, int r, char *buf, size_t len);

/* Records the daemon's state in its own write transaction.
 * Returns 0 or an LMDB code. */
int outbox_put_state(outbox_t *self, const outbox_state_t *state);

/* Records lim (the upstream's latest limits, with learned_at_ms) in its
 * own write transaction. Returns 0, -EROFS or an LMDB code. */
int outbox_put_limits(outbox_t *self, const outbox_limits_t *lim);

/* Reads the recorded limits into *ret (all 0 when never recorded).
 * Returns 0 or an LMDB code. */
int outbox_get_limits(outbox_t *self, outbox_limits_t *ret);

/* The largest Envelope body to queue or send under lim (may be NULL):
 * lim->max_body when it is said and below OUTBOX_BODY_MAX, else
 * OUTBOX_BODY_MAX. Never 0. */
size_t outbox_max_body(const outbox_limits_t *lim);

/* Whether the serialized Envelope env[0..len-1] may be sent under lim
 * (may be NULL: nothing said): its body at most outbox_max_body(lim), and
 * the Frame{envelope} carrying it at most lim->max_frame when that is
 * said. Returns 0; LNOB_E_TOOBIG with detail (may be NULL) naming the
 * size and the limit, e.g. "envelope body of 8214 bytes is over the
 * upstream's max_body of 1024 bytes"; or LNOB_E_DECODE when an envelope
 * longer than the body limit does not decode (its body size is unknown).
 * Decodes only envelopes longer than the body limit. */
int outbox_fits(const outbox_limits_t *lim, const uint8_t *env, size_t len, char *detail,
		size_t detail_len);

/* Clears reader slots left by processes that died inside a read
 * transaction (they pin pages, so the map fills up). *ret_dead (may be
 * NULL) gets how many. Returns 0 or an LMDB code. */
int outbox_reader_check(outbox_t *self, int *ret_dead);

/* The last report queued for (campaign, period, unit) (outbox_entered.c):
 * *ret (caller owns, lnob__entered_record__free_unpacked(); its report is
 * never NULL). Returns 0, LNOB_E_NOTFOUND (none, also on a store older
 * than "entered"), -EINVAL (a part empty or longer than an id),
 * LNOB_E_CORRUPT, -ENOMEM or an LMDB code. */
int outbox_entered_get(outbox_t *self, const char *campaign, const char *period,
		       const char *unit, Lnob__EnteredRecord **ret);

/* ---- snapshots: a provincial aggregator's national outbox (outbox_snapshots.c) */

/* Queues snaps[0..n-1] (KIND_SNAPSHOT, proto THE NATIONAL TIER) signed by
 * id in ONE write transaction, each only when its content
 * (snapshot_digest()) differs from the last one queued for its (campaign,
 * period, unit) in "snapshots": its revision is then that one's plus one
 * (1 for the first), base_revision the one before, which this call writes
 * into snaps[i]; a snapshot of unchanged content is skipped (its revision
 * fields left as they were). *ret_queued (may be NULL) gets how many were
 * queued. All or nothing: a snapshot that is invalid (snapshot_validate())
 * once numbered fails the call with LNOB_E_INVALID and detail "snapshot
 * <i>: <problem>", one over outbox_max_body() with LNOB_E_TOOBIG; nothing
 * is stored then. Returns 0, -EROFS, -ENOMEM, LNOB_E_CORRUPT or a store
 * code. */
int outbox_enqueue_snapshots(outbox_t *self, const identity_t *id, Lnob__Snapshot *const *snaps,
			     size_t n, int64_t now_ms, size_t *ret_queued, char *detail,
			     size_t detail_len);

/* ---- relay: custody of downstream envelopes (custody.c) ------------------ */

/* What outbox_relay_put() did with one envelope. */
enum outbox_custody {
	OUTBOX_CUSTODY_STORED = 1,   /* new, or the same bytes parked here (the origin
				      * requeued it): now queued in "relay" */
	OUTBOX_CUSTODY_DUPLICATE,    /* the same bytes are queued already: nothing
				      * stored, ack it again */
	OUTBOX_CUSTODY_CONFLICT,     /* other bytes hold this (signer, seq): the signer
				      * reused a seq; nothing stored */
};

/* One envelope offered for custody. The caller has decoded it and
 * verified its signature; signer and seq are the envelope's, env/len its
 * serialized bytes exactly as received (borrowed during the call). */
typedef struct outbox_relay_in {
	const char *signer;
	uint64_t seq;
	const uint8_t *env;
	size_t len;
	enum outbox_custody result;   /* written by outbox_relay_put() */
} outbox_relay_in_t;

/* Takes items[0..n-1] into custody in ONE write transaction: each new
 * (signer, seq) is stored in "relay" with queued_at_ms = now_ms, the bytes
 * unchanged; one already in "relay" is a duplicate (same bytes) and one in
 * "relay" or "relay_parked" with other bytes a conflict, changing nothing;
 * the same bytes parked in "relay_parked" move back to "relay" (stored). Every result is
 * written only when the call returns 0; *ret_stored (may be NULL) gets how
 * many were stored. On failure nothing is stored.
 * Returns 0, -EINVAL (a signer not a valid id, seq 0, len over
 * OUTBOX_BODY_MAX plus framing), -EROFS, -ENOMEM or an LMDB code
 * (LNOB_E_FULL when the map is full). */
int outbox_relay_put(outbox_t *self, outbox_relay_in_t *items, size_t n, int64_t now_ms,
		     size_t *ret_stored);

/* Called by outbox_relay_scan() with one queued relayed item; signer and
 * env are borrowed and valid only during the call (env NULL, len 0 when
 * the record does not decode). Return 0 to go on, anything else to stop. */
typedef int (*outbox_relay_scan_fn)(void *ctx, const char *signer, uint64_t seq,
				    const uint8_t *env, size_t len);

/* Visits queued relayed items after (after_signer, after_seq) in (signer,
 * seq) order (after_signer NULL: from the first; else after_seq >= 1), at
 * most max of them, in one read transaction, until fn returns non-zero.
 * *ret_visited and *ret_more as for outbox_scan(). Returns 0, -EINVAL,
 * LNOB_E_CORRUPT (a key of the wrong shape) or an LMDB code. */
int outbox_relay_scan(outbox_t *self, const char *after_signer, uint64_t after_seq, size_t max,
		      outbox_relay_scan_fn fn, void *ctx, size_t *ret_visited, bool *ret_more);

/* Copies the relayed envelope (signer, seq) into *ret_env (caller owns,
 * free()). Returns 0, -EINVAL, LNOB_E_NOTFOUND, LNOB_E_CORRUPT, -ENOMEM or
 * an LMDB code. */
int outbox_relay_get(outbox_t *self, const char *signer, uint64_t seq, uint8_t **ret_env,
		     size_t *ret_len);

/* Moves the relayed (signer, seq) from "relay" to "relay_parked" like
 * outbox_park(). Returns 0, -EINVAL, LNOB_E_NOTFOUND, -ENOMEM or an LMDB
 * code. */
int outbox_relay_park(outbox_t *self, const char *signer, uint64_t seq, int reason,
		      const char *detail, int64_t now_ms);

/* Called by outbox_parked_foreach_all() with one parked item; signer is
 * "" for an own one. Borrowed, valid only during the call. Return 0 to go
 * on, anything else to stop. */
typedef int (*outbox_parked_all_fn)(void *ctx, const char *signer, uint64_t seq,
				    const Lnob__ParkedItem *item);

/* Visits own parked items in seq order, then relayed ones in (signer, seq)
 * order, in one read transaction. Returns 0, LNOB_E_CORRUPT or an LMDB
 * code. */
int outbox_parked_foreach_all(outbox_t *self, outbox_parked_all_fn fn, void *ctx);

/* Called by outbox_requeue() once per moved item, after the commit. */
typedef void (*outbox_requeue_fn)(void *ctx, const char *signer, uint64_t seq);

/* Moves parked items back to their queue unchanged (same key, same bytes,
 * the queued_at they had), in ONE write transaction that also bumps
 * "requeue_gen": with all, every parked item (own and relayed); else
 * refs[0..n-1] (signer "" for own seqs; a ref named twice moves once).
 * All or nothing: when a named item is not parked, nothing moves,
 * *ret_bad (may be NULL) gets that ref and LNOB_E_NOTFOUND is returned.
 * On success fn (may be NULL) is called for each moved item and
 * *ret_moved (may be NULL) gets their number.
 * Returns 0, -EINVAL (no refs without all, a bad signer or seq 0),
 * LNOB_E_NOTFOUND, LNOB_E_EXISTS (the item is also queued: the store is
 * inconsistent; *ret_bad names it), LNOB_E_CORRUPT, -EROFS, -ENOMEM or an
 * LMDB code. */
int outbox_requeue(outbox_t *self, const outbox_ref_t *refs, size_t n, bool all,
		   outbox_requeue_fn fn, void *ctx, size_t *ret_moved, outbox_ref_t *ret_bad);

/* Reads "requeue_gen" (0 when never bumped). Returns 0 or an LMDB code. */
int outbox_requeue_gen(outbox_t *self, uint64_t *ret);

/* ---- receipts and the dismissed log (outbox_receipts.c) ------------------ */

/* The upstream said (Heartbeat.custody) whether its acks are custody only
 * (a relay) or end to end (the aggregator). From now on an acked own
 * envelope's ReceiptRecord is "sent" with its envelope kept (custody) or
 * "stored" (not). Starts false. */
void outbox_set_custody_upstream(outbox_t *self, bool custody);

/* What outbox_receipt_take() did. */
enum outbox_receipt_took {
	OUTBOX_RECEIPT_APPLIED = 1,  /* own: the record is stored, or refused and parked */
	OUTBOX_RECEIPT_IGNORED,      /* own: a duplicate, or no record of that seq */
	OUTBOX_RECEIPT_KEPT,         /* another signer's: kept in "receipts_out" to pass down */
	OUTBOX_RECEIPT_EARLY,        /* own, for a seq still in the outbox: before the next
	                                hop's ack was taken; not acknowledged, so it comes again */
};

/* Takes a Receipt from upstream in one write transaction: for own_id's
 * own seq whose record is "sent", STORED marks it stored (done_at_ms =
 * now_ms, the kept envelope dropped), REFUSED parks the kept envelope
 * with the reason and detail (as a final NACK does) unless it is queued
 * or parked already; a STORED one for a "refused" record (requeued at a
 * relay after a fix) marks it stored and unparks it; one for a seq still
 * queued here is early (OUTBOX_RECEIPT_EARLY); any other is ignored. For another signer it is kept for that node. Returns 0 (*ret said),
 * -EINVAL, -EROFS, -ENOMEM or an LMDB code. */
int outbox_receipt_take(outbox_t *self, const char *own_id, const Lnob__Receipt *rc,
			int64_t now_ms, enum outbox_receipt_took *ret);

/* Visits at most max receipts owed downstream in (signer, seq) order (one
 * read transaction); rc is borrowed for the call; non-zero stops.
 * Returns 0, LNOB_E_CORRUPT or an LMDB code. */
typedef int (*outbox_receipt_out_fn)(void *ctx, const Lnob__Receipt *rc);
int outbox_receipts_out_scan(outbox_t *self, size_t max, outbox_receipt_out_fn fn, void *ctx);

/* Deletes the receipts refs[0..n-1] (sent) in one write transaction.
 * Returns 0, -EINVAL, -EROFS or an LMDB code. */
int outbox_receipts_out_done(outbox_t *self, const outbox_ref_t *refs, size_t n);

/* Visits the own ReceiptRecords in seq order (one read transaction);
 * borrowed for the call; non-zero stops. Returns 0, LNOB_E_CORRUPT or an
 * LMDB code. */
typedef int (*outbox_receipt_fn)(void *ctx, uint64_t seq, const Lnob__ReceiptRecord *rec);
int outbox_receipt_foreach(outbox_t *self, outbox_receipt_fn fn, void *ctx);

/* Removes the parked items refs[0..n-1] (signer "" for own seqs) and logs
 * each in "dismissed" (reason: the operator's, NULL ""; the envelope's
 * SHA-256), all in one write transaction. All or nothing: one not parked
 * fails the call with LNOB_E_NOTFOUND and *ret_bad (may be NULL) names it.
 * Returns 0, -EINVAL, LNOB_E_NOTFOUND, LNOB_E_CORRUPT, -EROFS, -ENOMEM or
 * an LMDB code. */
int outbox_dismiss(outbox_t *self, const outbox_ref_t *refs, size_t n, const char *reason,
		   int64_t now_ms, outbox_ref_t *ret_bad);

/* Visits the dismissed log in key order (one read transaction); borrowed for the call; non-zero stops. Returns 0,
 * LNOB_E_CORRUPT or an LMDB code. */
typedef int (*outbox_dismissed_fn)(void *ctx, const Lnob__DismissedRecord *d);
int outbox_dismissed_foreach(outbox_t *self, outbox_dismissed_fn fn, void *ctx);

/* What report a serialized envelope carries: campaign, period and unit
 * into the buffers (each LNOB_ID_MAX + 1 bytes; "" when it is not a
 * report or does not decode) and its kind into *ret_kind (may be NULL). */
void outbox_report_of(const uint8_t *env, size_t len, char *campaign, char *period, char *unit,
		      int *ret_kind);

/* ---- relay: downstream nodes (downstream.c) ------------------------------ */

/* A downstream node as enrolled, with what the relay last saw of it. */
typedef struct outbox_node {
	identity_pub_t pub;
	int64_t enrolled_at;         /* Unix seconds */
	bool revoked;
	int64_t revoked_at;          /* Unix seconds, 0 unless revoked */
	int64_t last_seen_ms;        /* Unix ms of its last frame, 0: never seen */
	bool has_health;             /* it sent a heartbeat with health */
	uint64_t queued, parked, next_seq;   /* that health */
	int64_t oldest_queued_at_ms;
	size_t n_older;              /* its retired signing keys still in their grace */
	uint8_t older_pk[LNOB_OLDER_KEYS_MAX][32];
} outbox_node_t;

/* Enrols pub as a downstream node (enrolled_at = now_s, not revoked). With
 * replace an enrolled node of that id gets the new keys and is admitted
 * again (revocation lifted). Returns 0, LNOB_E_EXISTS (the id is enrolled
 * and !replace, or another node holds this CURVE key), -EINVAL, -EROFS or
 * an LMDB code. */
int outbox_downstream_enroll(outbox_t *self, const identity_pub_t *pub, bool replace,
			     int64_t now_s);

/* Rotates a downstream node's keys to pub's (keydir_rotate(): the old
 * pair is taken for grace_s more seconds). Returns 0, LNOB_E_NOTFOUND,
 * LNOB_E_REVOKED, LNOB_E_EXISTS, -EINVAL, -EROFS or an LMDB code. */
int outbox_downstream_rotate(outbox_t *self, const identity_pub_t *pub, int64_t grace_s,
			     int64_t now_s);

/* Marks a downstream node revoked (keys kept, so it stays refused).
 * Returns 0, LNOB_E_NOTFOUND, -EROFS, LNOB_E_CORRUPT or an LMDB code. */
int outbox_downstream_revoke(outbox_t *self, const char *node_id, int64_t now_s);

/* Reads the node enrolled as node_id, or the node holding curve_pk (its
 * key, or a retired one still in its grace), into *ret (last-seen fields
 * and the older signing keys still taken included). Returns 0,
 * LNOB_E_NOTFOUND, LNOB_E_CORRUPT or an LMDB code. */
int outbox_downstream_get(outbox_t *self, const char *node_id, outbox_node_t *ret);
int outbox_downstream_by_curve(outbox_t *self, const uint8_t curve_pk[32], outbox_node_t *ret);

/* Visits every downstream node in id order (one read transaction); node
 * is valid only during the call. Return 0 to go on, anything else to
 * stop. Returns 0, LNOB_E_CORRUPT or an LMDB code. */
typedef int (*outbox_node_fn)(void *ctx, const outbox_node_t *node);
int outbox_downstream_foreach(outbox_t *self, outbox_node_fn fn, void *ctx);

/* Records last_seen_ms and health of nodes[0..n-1] (by pub.node_id) in
 * "downstream_seen", one write transaction. Returns 0, -EROFS, -ENOMEM or
 * an LMDB code. */
int outbox_downstream_seen(outbox_t *self, const outbox_node_t *nodes, size_t n);

#endif
