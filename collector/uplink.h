/*
 * uplink.h: the collector's `run` loop: a ZeroMQ DEALER, CURVE client,
 * sending the outbox to the aggregator and deleting what it acks.
 *
 * Protocol (proto/lnob.proto, THE LINK; one ZeroMQ message = one
 * serialized Frame, single part):
 *  - On every (re)connection and every heartbeat_ms the collector sends
 *    Frame{heartbeat{sent_at_ms, health}}; health counts own and relayed
 *    items (queued, parked, oldest queued_at); a relay's also carries
 *    downstream, the nodes behind it (relay_downstream(): at most
 *    BEHIND_PER_HEARTBEAT, within a quarter of upstream's max_frame, or of
 *    UPLINK_MAX_FRAME while not said). The aggregator (or a relay)
 *    answers heartbeats with Frame{heartbeat{credit, max_body,
 *    max_frame}}, commits with Frame{acks{acks, credit}}, refusals with
 *    Frame{nack}. Any frame from it counts as contact; the latest credit
 *    bounds what is in flight: in_flight <= min(window, credit), credit 0
 *    until upstream first speaks on a connection.
 *  - Limits: the max_body and max_frame of upstream's latest heartbeat
 *    (0: not said) bound what is sent (outbox_fits(): a body at most
 *    outbox_max_body(), the smaller of upstream's max_body and
 *    OUTBOX_BODY_MAX; a Frame at most max_frame when said). When they
 *    change they are recorded in the outbox (outbox_put_limits(): for
 *    `submit`, and for the next start) and handed to the relay. An item
 *    over them, own or relayed, is never sent: when a scan meets it, or a
 *    resend finds the limits shrunk, it is parked locally as NACK_TOO_LARGE
 *    with a detail naming its size and the limit (relayed ones with their
 *    origin signer), and the items behind it go on.
 *  - Two lanes share that window: own outbox items in seq order and, on a
 *    relay, relayed items in (signer, seq) order, each lane taking at least
 *    half of what is free while the other has work. Each goes as
 *    Frame{envelope}, the stored Envelope bytes unchanged (relayed ones are
 *    the origin's bytes), sent with ZMQ_DONTWAIT; EAGAIN stops the round
 *    and the item stays queued. Items submitted while running are picked
 *    up by polling the outbox (a read transaction) every
 *    UPLINK_OUTBOX_POLL_MS when idle; items taken into custody by the relay
 *    at once; items moved back by `requeue` (another process) when the
 *    poll sees "requeue_gen" change, by scanning again from the start
 *    (skipping what is in flight).
 *  - An ack for (own id, seq) deletes the own item, an ack for (other
 *    signer, seq) the relayed one: the acks of several loop turns in one
 *    write transaction, committed once window * UPLINK_ACK_HOLD wait or
 *    the oldest waited UPLINK_ACK_DELAY_MS (uplink_int.h: meanwhile the
 *    item is neither in flight nor sent again; a crash loses only the
 *    deletion, and upstream acks the envelope sent again as a
 *    duplicate); a non-retryable NACK (NACK_TOO_LARGE among them) parks
 *    it (relayed ones with their origin signer), a retryable one resends
 *    it after a jittered back-off;
 *    a NACK without signer/seq is only logged. An item unacked for
 *    resend_after_ms is sent again.
 *  - Receipts (proto: THE LINK, Receipts): the same ack transaction keeps
 *    an own item's ReceiptRecord ("sent" with its bytes when the
 *    upstream's heartbeat said custody, else "stored") and, when the
 *    upstream is not a relay, a STORED receipt for a relayed item's
 *    origin; parking a relayed item keeps a REFUSED one. A Frame{receipt}
 *    from upstream is applied to an own item (stored; refused: parked as
 *    a final NACK parks it) or kept for the node below (outbox.h).
 *  - No frame for dead_after_ms: the socket is closed, and a fresh one is
 *    made after an exponential back-off with full jitter (uniform in
 *    [0, min(backoff_max, backoff_min * 2^attempt)]), waited for in the
 *    poll timeout; attempt resets on contact. A disconnect seen by the
 *    socket monitor also makes everything in flight unsent.
 *  - Stale LMDB reader slots are cleared at start and every
 *    UPLINK_READER_CHECK_MS.
 *  - With conf->http (the page, [web] listen) its epoll fd is polled as a
 *    raw fd in the same loop and served there (http.h).
 *  - With a relay (relay.h) its ROUTER and ZAP handler are served in the
 *    same loop and ZeroMQ context, whether or not upstream is reachable.
 *
 * Fault points (fault.h): "collector.after_send" after each envelope sent
 * upstream (before its ack can arrive); "collector.after_ack" when acks
 * have been received, before the transaction deleting them commits.
 *
 * This module logs (connects, disconnects, back-offs, parks, the
 * upstream's limits when they change): it is daemon-level code. It is
 * two files: uplink.c (the connection, the frames from upstream, the
 * loop) and uplink_lanes.c (the two lanes: in flight, sent next, sent
 * again, parked unsent), sharing uplink_int.h.
 */
#ifndef LNOB_UPLINK_H
#define LNOB_UPLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "http.h"
#include "identity.h"
#include "outbox.h"
#include "relay.h"

/* How often the running loop looks for newly submitted items when idle. */
#define UPLINK_OUTBOX_POLL_MS 150
/* Largest Frame taken from upstream: the relay's (relay.h), which the
 * DEALER sets as its ZMQ_MAXMSGSIZE. */
#define UPLINK_MAX_FRAME RELAY_MAX_FRAME
/* How often stale LMDB reader slots are cleared while running. */
#define UPLINK_READER_CHECK_MS 60000

typedef struct uplink_conf {
	const char *endpoint;          /* e.g. "tcp://127.0.0.1:7700" */
	uint8_t server_curve_pk[32];   /* the aggregator's Curve25519 public key */
	char server_id[LNOB_ID_MAX + 1];  /* the node id of [uplink] server_public */
	uint32_t window;               /* most envelopes in flight, >= 1 */
	uint32_t heartbeat_ms;
	uint32_t dead_after_ms;
	uint32_t resend_after_ms;
	uint32_t backoff_min_ms;
	uint32_t backoff_max_ms;       /* >= backoff_min_ms */
	bool has_agg_sign_pk;          /* [uplink] aggregator_sign_key is set */
	uint8_t agg_sign_pk[32];       /* ... the aggregator's Ed25519 public key
					  (metadata, colmeta.h) */
	http_t *http;                  /* the page's server ([web] listen), served
					  in the same loop; NULL: none */
} uplink_conf_t;

/* Runs the uplink until stop_fd becomes readable (a signalfd for SIGTERM
 * and SIGINT, blocked in every thread before this call so that libzmq's
 * threads inherit the mask; any readable fd works). With relay (may be
 * NULL) it first starts the relay (relay_new(): returns LNOB_E_ZMQ,
 * logged, when it cannot, e.g. the ZAP self-test fails) and serves it in
 * the same loop. On a stop request it stops sending, processes the frames
 * already received (upstream acks committed; downstream envelopes taken
 * into custody and acked), records its state, closes the sockets (linger
 * bounded) and returns 0. conf, relay, id and ob are borrowed for the
 * duration of the call. Returns 0, or a negative code when ZeroMQ or the
 * relay cannot be set up at all (logged). */
int uplink_run(const uplink_conf_t *conf, const relay_conf_t *relay, const identity_t *id,
	       outbox_t *ob, int stop_fd);

#endif
