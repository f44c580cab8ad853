/*
 * server.h: the aggregator's `run` loop: ROUTER as CURVE server behind the
 * ZAP handler, batches of envelopes into ingest, acks after commit.
 *
 * The link (proto/lnob.proto, THE LINK) is the router's (common/router.h:
 * ZAP and its self-test, peers, heartbeats answered with the credit and
 * the opts' max_body and max_frame, every part of a message answered, a
 * part over max_frame refused NACK_TOO_LARGE, EINTR, rate-limited refusal
 * logs); this module plugs in:
 *  - Fair batches: received envelopes wait in one FIFO lane per
 *    connection, at most window envelopes and window_bytes long, all
 *    lanes together at most queue_bytes (an envelope that does not fit,
 *    from a sender over its credit or a flood, has batches flushed until
 *    it fits: the router reads nothing more meanwhile), and each batch of
 *    at most batch_max envelopes and batch_bytes is built round-robin
 *    over the lanes with work (fairq.h), one batch a loop turn, so one
 *    node flooding the aggregator, with many envelopes or large ones,
 *    cannot delay another's envelopes behind a whole batch of its own. A
 *    node's envelopes stay in its order; ingest_batch() sees only which
 *    items and in which order; acks still leave only after the commit.
 *  - ZeroMQ's own queue: the ROUTER's RCVHWM is window_bytes / max_frame
 *    messages a connection, at least window + 64 so that a sender keeping
 *    to its credit never fills it (16..100000), so what libzmq holds for a
 *    sender the aggregator does not read is bounded in bytes too (about
 *    window_bytes, at most twice it: a message may be 2 max_frame), and
 *    beyond it TCP's backpressure holds that sender, not the others.
 *  - Counters: the frames the router refuses count in rejected_malformed
 *    and rejected_too_large, ZAP's denials in zap_denied.
 *  - Peers' health: what their heartbeats say is persisted (PeerRecord)
 *    every flush_ms, and what relays say of the nodes behind them
 *    (Heartbeat.downstream) as fleet_in.h judges it, in the same
 *    transaction (relayed records first, so a direct contact overrides).
 *  - Metrics (metrics.h): the server owns one metrics_t; each batch's
 *    ingest and commit is timed on the monotonic clock
 *    (lnob_batch_commit_seconds); the gauges (queue depths, peers
 *    connected) are sampled at each state flush. The HTTP side, served in
 *    this loop, records its queries in the same metrics_t and renders
 *    /metrics with metrics_render(metrics, the live ingest counters).
 *  - Threads: one writer thread (the one calling server_run()) owns
 *    everything here: the router, the lanes, the store's write
 *    transactions, the counters, HTTP. A pool of verify_threads workers
 *    (vpool.h) owns nothing: while the writer stores, commits and answers
 *    batch k, the workers run ingest_preverify() on the items of batch
 *    k+1 (taken from the lanes, its signatures checked in read
 *    transactions of their own), writing each item's `pre` and nothing
 *    else; the writer touches batch k+1 only after vpool_wait(), and
 *    waits for the pool too before the map size changes (no read
 *    transaction may be open then: store_set_quiesce()). Only one batch
 *    is ahead; with nothing more waiting, the batch taken is stored in
 *    the same loop turn. The peers of the batch ahead are busy (not
 *    evicted). A batch of only duplicates and refusals, taken while more
 *    waits, is not committed (ingest.h lazy_counters): its counts are
 *    persisted with the next commit or state flush.
 *  - HTTP (with http_listen): the API's server (http.h) polled in the same
 *    zmq_poll, its timeout bounding the poll's; a stage the API signs goes
 *    through ingest_batch() as a batch of one, between the batches.
 */
#ifndef LNOB_SERVER_H
#define LNOB_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "hierarchy.h"
#include "identity.h"
#include "store.h"

typedef struct server_opts {
	const char *endpoint;      /* where the ROUTER binds */
	const char *conf_path;     /* named in messages to the operator */
	size_t batch_max;          /* envelopes per write transaction */
	size_t batch_bytes;        /* envelope bytes per write transaction (the first one
	                              alone may be more) */
	uint32_t window;           /* credit granted to each peer */
	size_t window_bytes;       /* envelope bytes a peer's lane holds (the first one
	                              alone may be more); sets the ROUTER's RCVHWM */
	size_t queue_bytes;        /* envelope bytes all lanes hold together */
	unsigned verify_threads;   /* threads verifying signatures (vpool.h), 0: one per CPU */
	size_t max_body;           /* bytes in an envelope body; advertised in heartbeats */
	size_t max_frame;          /* bytes in one Frame; advertised; ZMQ_MAXMSGSIZE is twice it */
	int64_t flush_ms;          /* how often counters and peer health are persisted */
	size_t map_max;            /* bytes the LMDB map may grow to ([store] map_max_mb) */
	size_t map_grow;           /* bytes added per growth ([store] map_grow_mb) */
	int64_t reader_check_ms;   /* how often stale reader slots are cleared */
	struct campaigns *campaigns;  /* configured campaigns (may be empty, or NULL); the
	                                 ad-hoc requests stored while it runs are added */
	const char *http_listen;   /* [http] listen (http.h), NULL: no HTTP server */
	const identity_pub_t *next_key;  /* [node] next_identity's keys, announced in the
	                                    metadata (NextKey); NULL: none */
	struct api *api;           /* the API (api.h) it serves; its ingest hook is set here */
	void (*tick)(void *arg);   /* called on every turn of the loop (the national
	                              feed, national_run.h); NULL: none */
	void *tick_arg;
} server_opts_t;

/* Runs until SIGTERM or SIGINT, then stores what it has received (the
 * lanes, at most a window per peer: stored, committed, answered),
 * persists counters and peer health, gives queued answers up to a second
 * to leave, and returns 0. Returns non-zero (after
 * logging why) when it cannot start (bind failure, a ZAP self-test that
 * does not refuse an unknown key), or when the store's map could not be
 * remapped after a failed growth (the environment is unusable).
 *
 * Store write failures do not stop it: a batch whose transaction fails is
 * answered with retryable NACK_STORE_FAILED and counted (store_failed);
 * LNOB_E_FULL grows the map by map_grow up to map_max and retries the
 * batch at once; while writes fail, heartbeats and acks grant a credit of
 * 1 (a probe) instead of the window. Failures are logged once per episode,
 * and once more when writes succeed again. */
int server_run(const server_opts_t *opts, const identity_t *id, store_t *st,
	       const hier_t *hier);

#endif
