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
	size_t batch_max;          /* envelopes per write transaction */
	uint32_t window;           /* credit granted to each peer */
	size_t max_body;           /* bytes in an envelope body */
	size_t max_frame;          /* ZMQ_MAXMSGSIZE */
	int64_t flush_ms;          /* how often counters and peer health are persisted */
} server_opts_t;

/* Runs until SIGTERM or SIGINT, then finishes the batch in hand and returns
 * 0. Returns non-zero (after logging why) when it cannot start: bind
 * failure, or a ZAP self-test that does not refuse an unknown key. */
int server_run(const server_opts_t *opts, const identity_t *id, store_t *st,
	       const hier_t *hier);

#endif
