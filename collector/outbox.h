/*
 * outbox.h: the collector's durable outbox, one LMDB store (schema
 * "lnob-collector-outbox", version 1) in the node's data_dir.
 *
 *   "outbox"  seq (uint64 big-endian) -> OutboxItem   queued, not yet acked
 *   "parked"  seq (uint64 big-endian) -> ParkedItem   NACKed, kept for the operator
 *   meta      "next_seq"                 the next seq to assign (absent: 1)
 *             "last_contact_ms"          the running daemon's last word from
 *             "in_flight"                its aggregator, and its in-flight count
 *
 * A seq is assigned inside the write transaction that stores its item and
 * bumps next_seq, so a crash before commit leaves neither: a seq is never
 * reused, across restarts too. An item leaves the outbox only on an ack
 * (deleted) or a non-retryable NACK (moved to "parked"), each in one
 * transaction.
 *
 * Library module: returns codes, never logs. One outbox_t is used by one
 * thread; other processes may open the same directory (submit beside run,
 * status as a reader) since LMDB serialises writers.
 */
#ifndef LNOB_OUTBOX_H
#define LNOB_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "lnob.pb-c.h"

#define OUTBOX_SCHEMA "lnob-collector-outbox"
#define OUTBOX_SCHEMA_VERSION 1
/* Largest Envelope body accepted (the aggregator's default max_body). */
#define OUTBOX_BODY_MAX ((size_t)65536)

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

/* A snapshot of the outbox, read in one transaction. */
typedef struct outbox_stats {
	uint64_t queued;              /* items in "outbox" */
	uint64_t parked;              /* items in "parked" */
	int64_t oldest_queued_at_ms;  /* queued_at of the lowest queued seq, 0 if none */
	uint64_t next_seq;            /* the next seq to assign (>= 1) */
	outbox_state_t state;         /* as last written by outbox_put_state()/outbox_ack() */
} outbox_stats_t;

/* Opens (creating when writable) the outbox in dir with an LMDB map of
 * map_size bytes (0: LMDB's default, or the size of an existing store).
 * flags: OUTBOX_RDONLY or 0. On failure err names the directory and the
 * cause and *ret is not written. Caller owns *ret (outbox_destroy).
 * Returns 0, -errno, an LMDB code, LNOB_E_SCHEMA or LNOB_E_CORRUPT. */
int outbox_open(const char *dir, size_t map_size, unsigned flags, outbox_t **ret,
		char *err, size_t errlen);

/* Closes the outbox. Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void outbox_destroy(outbox_t **self_p);

/* Queues bodies[0..n-1] (each lens[i] bytes, at most OUTBOX_BODY_MAX) as
 * envelopes of the given kind signed by id, in ONE write transaction: reads
 * next_seq, seals each body at the next seq, stores it with queued_at_ms =
 * now_ms, bumps next_seq and commits. On success *ret_first_seq (may be
 * NULL) gets the seq of bodies[0]; the others follow consecutively. On any
 * failure nothing is stored and next_seq is unchanged.
 * Returns 0, -EINVAL (n == 0), LNOB_E_TOOBIG, -ENOMEM, LNOB_E_CRYPTO or an
 * LMDB code (MDB_MAP_FULL when the map is full). */
int outbox_enqueue(outbox_t *self, const identity_t *id, uint32_t kind,
		   const uint8_t *const *bodies, const size_t *lens, size_t n,
		   int64_t now_ms, uint64_t *ret_first_seq);

/* Like outbox_enqueue() for reports[0..n-1] (kind KIND_REPORT): each is
 * checked with report_validate() and serialized first. An invalid report
 * fails the whole call with LNOB_E_INVALID, and detail (may be NULL) gets
 * "report <i>: <problem>" (i counted from 0). Same all-or-nothing rule. */
int outbox_enqueue_reports(outbox_t *self, const identity_t *id,
			   const Lnob__Report *const *reports, size_t n, int64_t now_ms,
			   uint64_t *ret_first_seq, char *detail, size_t detail_len);

/* Deletes seqs[0..n-1] from the outbox in one write transaction; a seq not
 * queued is ignored. When state is not NULL it is recorded in the same
 * transaction. *ret_deleted (may be NULL) gets how many were deleted.
 * Returns 0 or an LMDB code (nothing deleted then). */
int outbox_ack(outbox_t *self, const uint64_t *seqs, size_t n,
	       const outbox_state_t *state, size_t *ret_deleted);

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

/* Records the daemon's state in its own write transaction.
 * Returns 0 or an LMDB code. */
int outbox_put_state(outbox_t *self, const outbox_state_t *state);

#endif
