/*
 * server.h: the aggregator's `run` loop: ROUTER as CURVE server behind the
 * ZAP handler, batches of envelopes into ingest, acks after commit.
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
	uint32_t window;           /* credit granted to each peer */
	size_t max_body;           /* bytes in an envelope body */
	size_t max_frame;          /* ZMQ_MAXMSGSIZE */
	int64_t flush_ms;          /* how often counters and peer health are persisted */
	size_t map_max;            /* bytes the LMDB map may grow to ([store] map_max_mb) */
	size_t map_grow;           /* bytes added per growth ([store] map_grow_mb) */
	int64_t reader_check_ms;   /* how often stale reader slots are cleared */
	const struct campaigns *campaigns;  /* configured campaigns (may be empty, or NULL) */
} server_opts_t;

/* Runs until SIGTERM or SIGINT, then finishes the batch in hand (stored,
 * committed, answered), persists counters and peer health, gives queued
 * answers up to a second to leave, and returns 0. Returns non-zero (after
 * logging why) when it cannot start (bind failure, a ZAP self-test that
 * does not refuse an unknown key), or when the store's map could not be
 * remapped after a failed growth (the environment is unusable).
 *
 * Store write failures do not stop it: a batch whose transaction fails is
 * answered with retryable NACK_STORE_FAILED and counted (store_failed);
 * MDB_MAP_FULL grows the map by map_grow up to map_max and retries the
 * batch at once; while writes fail, heartbeats and acks grant a credit of
 * 1 (a probe) instead of the window. Failures are logged once per episode,
 * and once more when writes succeed again. */
int server_run(const server_opts_t *opts, const identity_t *id, store_t *st,
	       const hier_t *hier);

#endif
