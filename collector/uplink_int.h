/*
 * uplink_int.h: what the two halves of the uplink share (uplink.c: the
 * connection, the frames from upstream and the loop; uplink_lanes.c: the
 * two lanes, own and relayed, with what is in flight, what is sent next,
 * what is sent again and what is parked unsent). Private to them.
 */
#ifndef LNOB_UPLINK_INT_H
#define LNOB_UPLINK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lnob.pb-c.h"
#include "uplink.h"

/* One envelope in flight. */
typedef struct uplink_flight {
	char signer[LNOB_ID_MAX + 1];   /* "" in the own lane */
	uint64_t seq;
	int64_t resend_at;   /* monotonic ms when it is sent again */
	uint32_t tries;      /* retryable NACKs in a row */
	bool acked;          /* acked upstream, its deletion not committed yet (the
	                        ack transaction waits for more: UPLINK_ACK_HOLD):
	                        no longer in flight, never sent again */
	bool done;           /* deleted or parked: removed at the next compaction */
} uplink_flight_t;

/* The acks of several loop turns share one write transaction (one fsync):
 * it commits once window * UPLINK_ACK_HOLD acks wait, or the oldest has
 * waited UPLINK_ACK_DELAY_MS, or at a stop. Meanwhile the acked entries
 * stay in their lane, marked acked, so that nothing sends them again; a
 * crash before the commit loses only deletions, and the envelopes sent
 * again are acked again as duplicates (the upstream keeps (signer, seq)
 * forever). A lane holds at most window * (1 + UPLINK_ACK_HOLD) entries. */
#define UPLINK_ACK_HOLD 4
#define UPLINK_ACK_DELAY_MS 20

/* A source of envelopes to send: own outbox items, or relayed ones. Its
 * in-flight entries are sorted by (signer, seq). */
typedef struct uplink_lane {
	bool relayed;
	uplink_flight_t *fl; /* at most window * (1 + UPLINK_ACK_HOLD) entries */
	size_t nfl;
	size_t nacked;       /* of them acked, not done (not in flight) */
	bool has_cursor;     /* false: the next scan starts at the first item */
	char cur_signer[LNOB_ID_MAX + 1];
	uint64_t cur_seq;    /* (cur_signer, cur_seq): the last item the scan passed */
	bool more;           /* the queue may hold items past the cursor */
} uplink_lane_t;

/* The running uplink: one connection upstream, two lanes. */
typedef struct uplink {
	const uplink_conf_t *conf;
	const identity_t *id;
	outbox_t *ob;
	relay_t *relay;           /* NULL unless [relay] listen is set */
	void *ctx;
	void *sock;               /* the DEALER, NULL while backing off */
	void *mon;                /* PAIR reading the DEALER's monitor events */
	unsigned serial;          /* makes each monitor endpoint unique */
	bool connected;           /* a CURVE handshake succeeded, no disconnect since */
	bool hello_pending;       /* a heartbeat is owed on this connection */
	bool blocked;             /* the last send hit EAGAIN: wait for POLLOUT */
	bool spoke;               /* upstream spoke since the socket was made */
	bool warned_handshake;    /* a failed handshake was logged on this socket */
	int64_t last_rx;          /* monotonic ms of the last frame (or socket creation) */
	int64_t next_hb;          /* monotonic ms of the next heartbeat */
	int64_t next_poll;        /* monotonic ms of the next outbox look when idle */
	int64_t next_reader_check;/* monotonic ms of the next mdb_reader_check */
	int64_t reconnect_at;     /* monotonic ms; meaningful while !sock */
	uint32_t attempt;         /* reconnects since the last contact */
	uint32_t credit;          /* upstream's latest grant */
	uint64_t requeue_gen;     /* the outbox's "requeue_gen" as last seen */
	uplink_lane_t own, rel;   /* the two lanes */
	bool rel_first;           /* which lane scans first (alternates) */
	uint64_t *acks;           /* own seqs acked, their deletion waiting */
	size_t nacks, acks_cap;
	outbox_ref_t *racks;      /* relayed (signer, seq) acked, waiting */
	size_t nracks, racks_cap;
	int64_t acks_since;       /* monotonic ms of the oldest of them */
	outbox_state_t state;     /* current */
	outbox_state_t saved;     /* as last written */
	int64_t saved_at;         /* monotonic ms of that write */
	outbox_limits_t lim;      /* what upstream last said it takes */
	outbox_limits_t lim_saved;/* as recorded in the outbox */
	uint8_t server_pk[32];    /* the CURVE server key in use: configured or adopted */
	uint8_t sign_pk[32];      /* the metadata signing key in use: configured or adopted */
	bool try_next;            /* this socket tries the announced next server key */
	identity_pub_t next;      /* that announcement, while try_next */
} uplink_t;

/* ---- uplink.c -------------------------------------------------------- */

/* The NackReason's enum name ("NACK_OUT_OF_SCOPE"), static storage. */
const char *uplink_reason_name(int reason);

/* Sends one Frame with ZMQ_DONTWAIT. Returns 0, -EAGAIN or another -errno. */
int uplink_send_frame(uplink_t *u, const Lnob__Frame *f);

/* Handles a send error other than success: EAGAIN marks the socket
 * blocked; anything else is logged. Returns r. */
int uplink_send_failed(uplink_t *u, int r, const char *what);

/* ---- uplink_metadata.c ----------------------------------------------- */

/* Metadata from upstream (colmeta_take()): stored, or refused and logged
 * with the reason, the last good one kept. */
void uplink_on_metadata(uplink_t *u, const Lnob__Metadata *m);

/* ---- uplink_lanes.c -------------------------------------------------- */

/* The lane of signer: own for this node's id (or ""), relayed otherwise;
 * *ret_signer gets the lane's key form of the signer. */
uplink_lane_t *uplink_lane_of(uplink_t *u, const char *signer, const char **ret_signer);

/* Index of the in-flight entry for (signer, seq) in l, or -1. */
long uplink_flight_find(const uplink_lane_t *l, const char *signer, uint64_t seq);

/* Marks (signer, seq) of the lane of signer done; returns whether it was
 * in flight or acked and not done yet. */
bool uplink_flight_done(uplink_t *u, const char *signer, uint64_t seq);

/* Marks (signer, seq) of the lane of signer acked (no longer in flight,
 * its deletion waiting: UPLINK_ACK_HOLD); returns whether it was in
 * flight. */
bool uplink_flight_acked(uplink_t *u, const char *signer, uint64_t seq);

/* Every acked entry of both lanes in flight again (their deletion
 * failed: they are sent again when due). */
void uplink_flight_unack(uplink_t *u);

/* Drops the lane's entries marked done. */
void uplink_flight_compact(uplink_lane_t *l);

/* Envelopes in flight over both lanes (acked ones not counted). */
size_t uplink_in_flight(const uplink_t *u);

/* Entries a lane holds at most: window * (1 + UPLINK_ACK_HOLD). */
size_t uplink_lane_cap(const uplink_t *u);

/* The next scan of the lane starts from its first item. */
void uplink_lane_rewind(uplink_lane_t *l);

/* Everything in flight becomes unsent, as after a lost connection (acked
 * entries stay: their deletion still waits); the credit is 0 until
 * upstream speaks again. */
void uplink_flight_reset(uplink_t *u);

/* Sends again what has waited too long for an answer. */
void uplink_resend_due(uplink_t *u, int64_t now);

/* Sends queued items past the cursors, as far as window and credit allow,
 * sharing what is free between the lanes (each takes at least half of it
 * while the other has work). */
void uplink_send_new(uplink_t *u, int64_t now);

/* A Receipt from upstream (uplink_receipts.c; proto: THE LINK,
 * Receipts): applied to an own envelope, or kept for the node it is for
 * (the relay passes it down). A failed write is logged: the upstream
 * sends it again (it deletes it only after the send, and the send is
 * repeated at the next connection if lost before). */
void uplink_on_receipt(uplink_t *u, const Lnob__Receipt *rc);

/* ---- the aggregator's keys (uplink_keys.c; proto/lnob.proto NextKey) ---- */

/* Sets the keys in use from the configuration, or from what was adopted
 * before (colmeta_adopted(); logged). */
void uplink_keys_init(uplink_t *u);

/* The CURVE server key the next socket uses. */
const uint8_t *uplink_server_key(const uplink_t *u);

/* A socket is given up without any answer: the next one tries the other
 * key, the announced next server key when the bundle held has one for
 * this upstream (its [uplink] server_public node id), else the key in
 * use. */
void uplink_keys_no_answer(uplink_t *u);

/* Upstream answered on this socket: a next key tried is adopted. */
void uplink_keys_answered(uplink_t *u);

/* Adopts next's signing key (and with curve its CURVE key): used from now
 * on and recorded (colmeta_adopt()), logged. */
void uplink_adopt(uplink_t *u, const identity_pub_t *next, bool curve);

#endif
