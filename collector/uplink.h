/*
 * uplink.h: the collector's `run` loop: a ZeroMQ DEALER, CURVE client,
 * sending the outbox to the aggregator and deleting what it acks.
 *
 * Protocol (one ZeroMQ message = one serialized Frame, single part):
 *  - On every (re)connection and every heartbeat_ms the collector sends
 *    Frame{heartbeat{sent_at_ms, health}}. The aggregator answers heartbeats
 *    with Frame{heartbeat{credit}}, commits with Frame{acks{acks, credit}},
 *    refusals with Frame{nack}. Any frame from it counts as contact; the
 *    latest credit bounds what is in flight: in_flight <= min(window,
 *    credit), credit 0 until the aggregator first speaks on a connection.
 *  - Outbox items go in seq order as Frame{envelope}, the stored Envelope
 *    bytes unchanged, sent with ZMQ_DONTWAIT; EAGAIN stops the round and
 *    the item stays queued. Items submitted while running are picked up by
 *    polling the outbox (a read transaction) every UPLINK_OUTBOX_POLL_MS when idle.
 *  - An ack for (own id, seq) deletes the item (all acks of one loop turn in
 *    one write transaction); a non-retryable NACK parks it, a retryable one
 *    resends it after a jittered back-off; a NACK without signer/seq is only
 *    logged. An item unacked for resend_after_ms is sent again.
 *  - No frame for dead_after_ms: the socket is closed, and a fresh one is
 *    made after an exponential back-off with full jitter (uniform in
 *    [0, min(backoff_max, backoff_min * 2^attempt)]), waited for in the
 *    poll timeout; attempt resets on contact. A disconnect seen by the
 *    socket monitor also makes everything in flight unsent.
 *
 * This module logs (connects, disconnects, back-offs, parks): it is
 * daemon-level code.
 */
#ifndef LNOB_UPLINK_H
#define LNOB_UPLINK_H

#include <stdint.h>

#include "identity.h"
#include "outbox.h"

/* How often the running loop looks for newly submitted items when idle. */
#define UPLINK_OUTBOX_POLL_MS 150
/* Largest ZeroMQ message accepted from the aggregator (ZMQ_MAXMSGSIZE). */
#define UPLINK_MAX_FRAME ((size_t)1 << 20)

typedef struct uplink_conf {
	const char *endpoint;          /* e.g. "tcp://127.0.0.1:7700" */
	uint8_t server_curve_pk[32];   /* the aggregator's Curve25519 public key */
	uint32_t window;               /* most envelopes in flight, >= 1 */
	uint32_t heartbeat_ms;
	uint32_t dead_after_ms;
	uint32_t resend_after_ms;
	uint32_t backoff_min_ms;
	uint32_t backoff_max_ms;       /* >= backoff_min_ms */
} uplink_conf_t;

/* Runs the uplink until stop_fd becomes readable (a signalfd for SIGTERM
 * and SIGINT, blocked in every thread before this call so that libzmq's
 * threads inherit the mask; any readable fd works). Then it stops sending,
 * processes the frames already received, commits their acks, records its
 * state, closes the socket (linger bounded) and returns 0. conf, id and ob
 * are borrowed for the duration of the call. Returns 0, or a negative code
 * when ZeroMQ cannot be set up at all (logged). */
int uplink_run(const uplink_conf_t *conf, const identity_t *id, outbox_t *ob, int stop_fd);

#endif
