/*
 * relay.h: a district collector serving the collectors below it. It binds
 * the router (common/router.h: a ROUTER as CURVE server with the node's
 * own Curve25519 key, behind a ZAP handler that admits only downstream
 * nodes enrolled in the outbox store and not revoked) and speaks to them
 * exactly the protocol the aggregator speaks (the same router), so an
 * unchanged collector works against it:
 *
 *  - Every part of a message is handled as a Frame of its own and answered
 *    (a full batch is stored and answered mid-message, then the rest
 *    goes on). A part over RELAY_MAX_FRAME (MAXMSGSIZE is twice that)
 *    gets NACK_TOO_LARGE, naming (signer, seq) when the envelope inside
 *    can be peeked; one that does not decode, or is not a heartbeat or an
 *    envelope, NACK_MALFORMED without signer.
 *  - Frame{heartbeat} is answered with Frame{heartbeat{sent_at_ms, credit,
 *    max_body, max_frame}}: max_frame RELAY_MAX_FRAME, max_body the
 *    smaller of OUTBOX_BODY_MAX and the upstream's last max_body
 *    (relay_set_upstream_limits()), so that a downstream node never queues
 *    what the province would refuse. Its health is kept as the node's
 *    last word ("downstream_seen"), and so is every contact. The nodes a
 *    downstream relay reports behind it (Heartbeat.downstream) are kept
 *    in memory (behind.h) and said upward with this relay's own
 *    (relay_downstream()).
 *  - Frame{envelope}: the bytes must decode (envelope_open), with a body
 *    at most that max_body, name an enrolled, unrevoked downstream signer
 *    (never this node itself) and carry that signer's valid signature;
 *    otherwise a non-retryable Frame{nack} with MALFORMED, TOO_LARGE
 *    (detail naming size and limit), UNKNOWN_SIGNER, REVOKED_SIGNER or
 *    BAD_SIGNATURE. The envelopes that pass are taken
 *    into custody, the bytes unchanged, in ONE write transaction per batch
 *    (outbox_relay_put()); only after its commit are they acked,
 *    Frame{acks{acks, credit}}. A (signer, seq) in custody already is acked
 *    again; the same (signer, seq) with other bytes is refused as
 *    SEQ_REUSED (non-retryable) and the first copy kept.
 *  - When the custody transaction fails (LNOB_E_FULL, I/O), nothing of the
 *    batch is acked: each envelope that passed the checks gets a retryable
 *    NACK_STORE_FAILED, and credit is withheld (1, a probe, instead of the
 *    window) until a custody write succeeds again.
 *
 * Receipts (proto/lnob.proto, THE LINK: Receipts): its heartbeat answers
 * say Heartbeat.custody; the receipts its uplink keeps for the origins
 * (the upstream's ack or final refusal of a relayed envelope, or one it
 * receives for a node below it) are sent down by relay_tick()
 * (relay_receipts.h) to the origin's connection, or to the downstream
 * relay it is behind.
 *
 * The uplink forwards custody items upward (uplink.h); one that turns out
 * too large for the upstream (its limits shrank after custody) is parked
 * here with its origin signer. Scope is not judged here: the aggregator
 * judges it on the origin signer.
 *
 * Fault points (fault.h): "relay.before_custody" (in outbox_relay_put(),
 * see outbox.h) and "relay.after_custody": the custody transaction has
 * committed, the acks have not been sent.
 *
 * Daemon-level code: logs store failures and, through the router,
 * admissions refused and refusals (at most one line per (node, reason) a
 * second, then "... and N more like it in the last second").
 */
#ifndef LNOB_RELAY_H
#define LNOB_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "identity.h"
#include "lnob.pb-c.h"
#include "outbox.h"

/* Largest Frame a collector takes, from downstream (the relay) and from
 * upstream (the uplink): the relay advertises it as its max_frame and
 * answers a frame over it with NACK_TOO_LARGE (its ZMQ_MAXMSGSIZE is twice
 * this, so such a frame arrives). */
#define RELAY_MAX_FRAME ((size_t)1 << 20)
/* Envelopes taken from the ROUTER per custody transaction, at most. */
#define RELAY_BATCH_MAX 256
/* Poll items relay_poll_items() adds. */
#define RELAY_POLL_ITEMS 2

typedef struct relay_conf {
	const char *listen;        /* where the ROUTER binds, e.g. "tcp://0.0.0.0:7701" */
	uint32_t window;           /* credit granted to each downstream node, >= 1 */
	uint32_t heartbeat_ms;     /* ZeroMQ heartbeats on the ROUTER's connections */
	uint32_t dead_after_ms;    /* a connection silent this long is dropped */
} relay_conf_t;

typedef struct relay relay_t;

/* Binds the ZAP handler in zmq_ctx (one per context: the uplink's DEALER
 * is a CURVE client, which never consults it), then the ROUTER
 * (ROUTER_MANDATORY, bounded LINGER, MAXMSGSIZE 2 x RELAY_MAX_FRAME), and runs
 * the ZAP self-test: returns NULL (after logging why) unless a client with
 * an unknown key is refused. conf, id and ob are borrowed for the relay's
 * lifetime. Caller owns the result (relay_destroy(), before the context is
 * terminated). */
relay_t *relay_new(void *zmq_ctx, const relay_conf_t *conf, const identity_t *id, outbox_t *ob);

/* Persists what it knows of its downstream nodes, closes its sockets.
 * Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void relay_destroy(relay_t **self_p);

/* Writes the relay's RELAY_POLL_ITEMS poll items (ROUTER, ZAP) at items. */
void relay_poll_items(relay_t *self, zmq_pollitem_t *items);

/* After zmq_poll(): answers ZAP requests and takes the frames waiting on
 * the ROUTER (at most RELAY_BATCH_MAX envelopes per custody transaction,
 * a few transactions per call), as items (the ones relay_poll_items()
 * wrote) report them readable; items NULL means "try both" (used when
 * stopping). Returns the number of envelopes newly taken into custody. */
size_t relay_handle(relay_t *self, const zmq_pollitem_t *items);

/* The upstream's latest limits (its heartbeats, as the uplink learns
 * them): from now on the relay advertises and enforces max_body =
 * outbox_max_body(lim), the smaller of its own OUTBOX_BODY_MAX and the
 * upstream's, so that a downstream node never hands it what the upstream
 * would refuse. relay_new() starts from the limits recorded in the
 * outbox. */
void relay_set_upstream_limits(relay_t *self, const outbox_limits_t *lim);

/* Sets hb->downstream to what the relay knows of the nodes behind it, the
 * next few in rotation, within max_bytes encoded (behind.h; proto:
 * Heartbeat.downstream): its own downstream nodes as last persisted, and
 * the nodes its downstream relays reported in their heartbeats. What hb
 * points to is the relay's, valid until the next call. Returns how many. */
size_t relay_downstream(relay_t *self, Lnob__Heartbeat *hb, size_t max_bytes);

/* Sends the receipts owed to connected downstream nodes (at most every
 * quarter second unless force), persists the downstream nodes' last
 * contact and health when they changed, at most every few seconds unless
 * force, and forgets connections silent for long. */
void relay_tick(relay_t *self, bool force);

#endif
