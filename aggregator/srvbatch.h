/*
 * srvbatch.h: the server's batch of envelopes taken from the lanes
 * (fairq.h): its ingest items, the frames that own their bytes, their
 * peers; and the start of its signature checks on the verification pool
 * (vpool.h, ingest_preverify()).
 *
 * Threads: the owner (the server's writer thread) takes, answers and
 * clears a batch; while srvbatch_preverify() runs on the pool, the
 * workers write each item's `pre` alone and the owner must not touch the
 * batch until vpool_wait().
 */
#ifndef LNOB_SRVBATCH_H
#define LNOB_SRVBATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "fairq.h"
#include "ingest.h"
#include "router.h"
#include "vpool.h"

typedef struct srvbatch {
	ingest_item_t *items;
	Lnob__Frame **frames;      /* own the items' bytes */
	router_peer_t **from;      /* each item's peer */
	size_t n;
	store_t *st;               /* for the checks (srvbatch_preverify()) */
	size_t max_body;
} srvbatch_t;

/* Allocates b for at most max items (b zeroed first). Returns 0 or
 * -ENOMEM; srvbatch_free() frees what was allocated either way. */
int srvbatch_init(srvbatch_t *b, size_t max, store_t *st, size_t max_body);

/* Frees b's arrays and the frames it still holds. */
void srvbatch_free(srvbatch_t *b);

/* Takes into the empty b up to max envelopes and max_bytes from q
 * (fairq_take_bytes(); taken and taken_from: scratch of max entries),
 * items zeroed and pointing at their frames' envelopes. Returns b->n. */
size_t srvbatch_take(srvbatch_t *b, fairq_t *q, size_t max, size_t max_bytes, void **taken,
		     const void **taken_from);

/* Starts pool on the signature checks of b's items (returns at once). */
void srvbatch_preverify(srvbatch_t *b, vpool_t *pool);

/* Sends the verdicts of b (router_answer(): nacks one by one, refusals
 * logged at most once per (peer, reason) a second, acks grouped per
 * peer), after logging what the operator must know of the acked ones:
 * conflicts, resolutions, amendments. verdicts: scratch of b->n. */
void srvbatch_answer(const srvbatch_t *b, router_t *router, router_verdict_t *verdicts);

/* Frees b's frames; b is empty again. */
void srvbatch_clear(srvbatch_t *b);

/* Whether an item of b came from p. */
bool srvbatch_has_peer(const srvbatch_t *b, const router_peer_t *p);

#endif
