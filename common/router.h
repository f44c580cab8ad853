/*
 * router.h: the receiving end of THE LINK (proto/lnob.proto), written
 * once: one ZeroMQ ROUTER as CURVE server behind the ZAP handler, used by
 * the aggregator (aggregator/server.c) and by a relay (collector/relay.c),
 * which plug in what they do with envelopes, and their counters, through
 * callbacks (router_handler_t).
 *
 * What the router does itself:
 *  - Set-up (router_new()): the ZAP handler is bound first (without it
 *    libzmq admits every CURVE client; zap.h), then the ROUTER: CURVE
 *    server with this node's key, ROUTER_MANDATORY (what cannot be routed
 *    fails instead of vanishing), LINGER bounded (ROUTER_LINGER_MS),
 *    SNDHWM and RCVHWM (the owner's: RCVHWM bounds per connection what
 *    libzmq queues for a sender the owner does not read, so that TCP's
 *    backpressure holds that sender alone), MAXMSGSIZE twice max_frame
 *    (so that a Frame over max_frame arrives and is answered; ZeroMQ
 *    drops the connection only beyond; it bounds each part, not the
 *    number of parts of one message, which libzmq holds whole before the
 *    owner sees any), ZMTP heartbeats when asked; bound; then the ZAP
 *    self-test:
 *    a client with an unknown key must be refused, or router_new() fails.
 *  - Peers: one per routing id, with the node id ZAP admitted it as, its
 *    last contact and the health of its last heartbeat (router_peer_t);
 *    forgotten by router_evict() after a long silence.
 *  - Framing: every part of a message is a Frame of its own, and every
 *    part is answered. A heartbeat is answered at once with
 *    Frame{heartbeat{sent_at_ms, credit, max_body, max_frame, custody}}
 *    (the values of router_set_credit(), router_set_max_body() and
 *    router_conf_t.custody); an
 *    envelope goes to the owner's `envelope` callback, which answers it
 *    later (router_answer(), router_nack()); a part over max_frame is
 *    refused NACK_TOO_LARGE (naming signer and seq when envelope_peek()
 *    reads them), one that does not decode, or is neither a heartbeat nor
 *    an envelope, NACK_MALFORMED without signer; these refusals are
 *    final, counted through `frame_refused` and logged.
 *  - Sending and receiving: ZMQ_DONTWAIT, and a call interrupted by a
 *    signal (EINTR) is tried again (a stop signal arrives while the last
 *    acks are sent: they must still go; a part of a message must not be
 *    lost half-way). An answer whose Frame part cannot be sent after its
 *    routing id went is ended with an empty part, so that the next answer
 *    is not glued to it (its peer gets one empty message, an empty Frame
 *    a sender ignores, and sends again what stays unanswered). A peer that
 *    is gone (EHOSTUNREACH) or full (EAGAIN) loses the answer; it sends
 *    again and is answered then.
 *  - Refusal logs: a refusal is logged at most once a second per (node,
 *    reason), "refused envelope (S, Q) from N: reason: detail" or
 *    "refused a frame from N: reason: detail"; the rest are counted and
 *    said in one line "refused envelopes from N: reason: ... and K more
 *    like it in the last second" (ratelim.h). ZAP's denials (unknown or
 *    revoked CURVE keys connecting) likewise: at most one line a second,
 *    "ZAP refused N connection attempt(s) ...", the rest said in one line
 *    "ZAP refused K more connection attempt(s) ... in the last second".
 *
 * Logging: the router calls no logging function of its own; its lines go
 * to the owner's sinks (router_log_t; the daemons pass log.h's).
 *
 * Fault injection (builds with LNOB_FAULT_INJECTION, fault.h): the
 * environment variable LNOB_FAULT_ROUTER, read by router_new(), makes the
 * router's own socket calls fail as a signal or a broken pipe would, each
 * once, and says so on stderr ("fault injection: router ..."):
 *   send_eintr:<n>   the n-th part the router sends fails with EINTR
 *   recv_eintr:<n>   the n-th part it receives fails with EINTR
 *   send_cut:<n>     the n-th answer's Frame part fails (EAGAIN) after its
 *                    routing id went: a half-sent message
 * several separated by commas, e.g. "send_eintr:3,send_cut:5".
 */
#ifndef LNOB_ROUTER_H
#define LNOB_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "identity.h"
#include "lnob.pb-c.h"
#include "zap.h"

/* Poll items router_poll_items() writes: the ROUTER, then ZAP. */
#define ROUTER_POLL_ITEMS 2
/* How long queued answers may wait at close (ZMQ_LINGER). */
#define ROUTER_LINGER_MS 1000
/* How long the ZAP self-test may take. */
#define ROUTER_SELF_TEST_MS 10000
/* A peer silent this long is forgotten by router_evict() (its routing
 * id is gone: a reconnecting sender gets a new one). */
#define ROUTER_EVICT_MS 600000

typedef struct router router_t;

/* A connected peer, as the owner sees it. Borrowed: valid until
 * router_evict() forgets it or router_destroy(); owners may keep pointers
 * to it in their batches meanwhile (each peer is allocated alone). */
typedef struct router_peer {
	char node_id[LNOB_ID_MAX + 1];   /* ZAP's user id; "" when none */
	int64_t last_seen_ms;            /* wall clock ms of its last message */
	bool has_health;                 /* a heartbeat carried health */
	Lnob__Health health;             /* the last one's (scalar fields only) */
	bool dirty;                      /* set by the router on a heartbeat (and by the
					    owner as it likes); the owner clears it
					    once it persisted the peer */
	int64_t metadata_sent_ms;        /* the owner's: monotonic ms it last sent p
					    metadata (THE LINK, Metadata), 0: never */
	uint64_t metadata_sent_version;  /* the owner's: the version it sent then */
} router_peer_t;

/* The owner's part. ctx is router_conf_t.ctx. Only `envelope` is
 * required. */
typedef struct router_handler {
	/* An envelope from p: f holds it (f->envelope) and now belongs to
	 * the owner (lnob__frame__free_unpacked()), who answers it with
	 * router_answer() or router_nack(). */
	void (*envelope)(void *ctx, router_peer_t *p, Lnob__Frame *f);
	/* A message from p arrived (first: p is new). */
	void (*contact)(void *ctx, router_peer_t *p, bool first);
	/* The router refused a frame of p itself (reason MALFORMED or
	 * TOO_LARGE): for the owner's counters. */
	void (*frame_refused)(void *ctx, const router_peer_t *p, int reason);
	/* ZAP denied n >= 1 connection attempts (already logged). */
	void (*zap_denied)(void *ctx, int n);
	/* A heartbeat from p carried downstream nodes (hb->n_downstream >= 1;
	 * proto: Heartbeat.downstream); hb is borrowed for the call. */
	void (*downstream)(void *ctx, router_peer_t *p, const Lnob__Heartbeat *hb);
	/* A heartbeat from p was answered (hb borrowed for the call): the
	 * owner may send p more, e.g. metadata (hb->metadata_version). */
	void (*heartbeat)(void *ctx, router_peer_t *p, const Lnob__Heartbeat *hb);
	/* p took the receipts of ra (Frame.receipt_ack; borrowed for the
	 * call). NULL: such a frame is refused as not a sender's. */
	void (*receipt_ack)(void *ctx, router_peer_t *p, const Lnob__ReceiptAck *ra);
	/* Whether p has work in the owner's hands (router_evict() keeps it). */
	bool (*busy)(void *ctx, const router_peer_t *p);
} router_handler_t;

/* A printf-like log sink; NULL: the line is dropped. */
typedef void (*router_log_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct router_log {
	router_log_fn warn, info, debug;
} router_log_t;

typedef struct router_conf {
	const char *endpoint;          /* where to bind, e.g. "tcp://0.0.0.0:7700" */
	const identity_t *id;          /* this node: its CURVE key pair */
	size_t max_frame;              /* largest Frame taken; MAXMSGSIZE is twice it */
	int sndhwm;                    /* SNDHWM, in messages (each connection's answers) */
	int rcvhwm;                    /* RCVHWM, in whole messages a connection: what
					  libzmq holds for a sender not read (each part at
					  most MAXMSGSIZE), beyond which TCP holds it */
	uint32_t zmtp_heartbeat_ms;    /* ZMQ_HEARTBEAT_IVL; 0: none */
	uint32_t zmtp_timeout_ms;      /* ZMQ_HEARTBEAT_TIMEOUT and ZMQ_HANDSHAKE_IVL;
					  0: libzmq's */
	size_t refusal_keys;           /* (node, reason) keys the refusal log tracks (>= 1) */
	const char *self_name;         /* NULL, or how details name this node: "over this
					  relay's max_frame of ..." */
	const char *log_prefix;        /* NULL, or before the router's own lines ("relay: ") */
	bool custody;                  /* a relay: heartbeat answers say Heartbeat.custody */
	zap_lookup_fn zap_lookup;      /* who ZAP admits (zap.h); its ctx is zap_ctx */
	void *zap_ctx;
	router_handler_t handler;
	void *ctx;                     /* for the handler */
	router_log_t log;
} router_conf_t;

/* One verdict of a batch, for router_answer(). */
typedef struct router_verdict {
	const router_peer_t *peer;     /* who sent it */
	const char *signer;            /* "" when the envelope names none */
	uint64_t seq;
	int reason;                    /* 0: ack; else the NackReason */
	const char *detail;            /* a NACK's; NULL: "" */
	bool retryable;                /* a NACK's */
} router_verdict_t;

/* Binds the ZAP handler in zmq_ctx (one per context), then the ROUTER as
 * above, and runs the ZAP self-test. Returns NULL (after logging why
 * through conf->log) when any of it fails or the self-test does not
 * refuse an unknown key; logs "ZAP self-test passed: ..." otherwise.
 * conf and everything it points to are borrowed for the router's
 * lifetime; the credit starts at 0 and max_body at 0 (set them).
 * Caller owns the result (router_destroy(), before the context is
 * terminated). */
router_t *router_new(void *zmq_ctx, const router_conf_t *conf);

/* Says the refusals the log still holds back, closes the ROUTER (its
 * queued answers get ROUTER_LINGER_MS to leave at zmq_ctx_term()) and the
 * ZAP handler, frees the peers. Accepts NULL and *self_p == NULL; sets
 * *self_p to NULL. */
void router_destroy(router_t **self_p);

/* The address bound (ZMQ_LAST_ENDPOINT), for the log. Static for the
 * router's lifetime. */
const char *router_endpoint(const router_t *self);

/* The credit heartbeats and acks grant from now on (the owner's window,
 * or a probe while it cannot store). */
void router_set_credit(router_t *self, uint32_t credit);

/* The max_body heartbeats advertise from now on. */
void router_set_max_body(router_t *self, uint64_t max_body);

/* Writes the ROUTER_POLL_ITEMS poll items (ROUTER, ZAP) at items. */
void router_poll_items(router_t *self, zmq_pollitem_t *items);

/* Answers every pending ZAP request; denials are logged (rate-limited,
 * above) and handed to `zap_denied`. */
void router_zap(router_t *self);

/* Reads one message waiting on the ROUTER: its routing id, then every
 * part, each handled as a Frame of its own (above). Returns the number of
 * parts read (>= 1; the routing id counts), 0 when none was waiting, or a
 * negative errno on a socket error. */
int router_recv(router_t *self);

/* Sends f to p. Returns 0, or a negative errno when it could not go
 * (EHOSTUNREACH: p is gone; EAGAIN: full; ENOMEM). */
int router_send(router_t *self, const router_peer_t *p, const Lnob__Frame *f);

/* Sends f, unsolicited, to the connection of node_id seen last, if it
 * was seen at or after since_ms (wall clock ms; proto: THE LINK,
 * Receipts). Returns 0, LNOB_E_NOTFOUND (no such connection) or
 * router_send()'s code. */
int router_send_to(router_t *self, const char *node_id, int64_t since_ms, const Lnob__Frame *f);

/* Sends Frame{nack{signer, seq, reason, detail, retryable}} to p (no log,
 * no count: the owner's). signer "" and seq 0 when unknown. */
void router_nack(router_t *self, const router_peer_t *p, const char *signer, uint64_t seq,
		 int reason, const char *detail, bool retryable);

/* Answers a batch: every NACK in a Frame of its own (a final one logged,
 * rate-limited as above; a retryable one at debug level), then the acks,
 * one Frame{acks{acks, credit}} per peer with that peer's acks in batch
 * order. Sends nothing when out of memory (the senders send again). */
void router_answer(router_t *self, const router_verdict_t *v, size_t n);

/* Closes the refusal log's windows that are over (call every loop turn). */
void router_tick(router_t *self);

/* Peers known now: router_peer_at(self, i) for i < router_peer_count(). */
size_t router_peer_count(const router_t *self);
router_peer_t *router_peer_at(router_t *self, size_t i);

/* Forgets the peers silent for more than ROUTER_EVICT_MS at now_ms (wall
 * clock) that are not dirty and not `busy`. Pointers to them die. */
void router_evict(router_t *self, int64_t now_ms);

#endif
