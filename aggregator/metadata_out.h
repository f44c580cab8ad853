/*
 * metadata_out.h: the aggregator's side of the metadata sync down
 * (proto/lnob.proto, THE LINK, Metadata; README "Metadata sync down"):
 * the bundle for each peer's enrolled scope, built once per scope and
 * signed with the aggregator's identity, sent to a peer whose heartbeat
 * says a lower metadata_version, at most once per peer every
 * METADATA_RESEND_MS, and only when it fits max_frame and
 * METADATA_FRAME_MAX.
 *
 * Each bundle lists the unrevoked nodes enrolled whose scope is in its
 * subtree (so that a node behind a relay finds its own scope), the
 * ad-hoc requests asking a unit of it (requests.h), and with next (the
 * public keys of [node] next_identity) the aggregator's next keys
 * (NextKey).
 * The version: the bundle of the whole hierarchy (every campaign file's
 * text, the hierarchy, the nodes and the requests) is hashed (BLAKE2b, its
 * first 8 bytes); the store's meta keeps the last ("metadata_digest",
 * "metadata_version"). A different digest makes a new version, max(last +
 * 1, now in Unix seconds), recorded; the same digest keeps the version.
 * This is done at start, and again whenever the store's "metadata_gen"
 * changes (a request added, a node enrolled or revoked by a command beside
 * the daemon), checked every METAOUT_CHECK_MS by metaout_tick(): the new
 * requests are added to the campaigns first, and the bundles are built
 * afresh.
 *
 * Daemon-level code: it logs.
 */
#ifndef LNOB_METADATA_OUT_H
#define LNOB_METADATA_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "campaigns.h"
#include "hierarchy.h"
#include "identity.h"
#include "router.h"
#include "store.h"

#define METAOUT_CHECK_MS 1000

typedef struct metaout metaout_t;

/* Computes and records the version (above). When that fails (logged:
 * a campaign file unreadable, the store not writable) no metadata is sent
 * during this run. Everything is borrowed for the object's lifetime.
 * Returns NULL when out of memory; caller owns the result
 * (metaout_destroy()). */
metaout_t *metaout_new(store_t *st, const hier_t *hier, campaigns_t *camps,
		       const identity_t *id, const identity_pub_t *next, size_t max_frame);

/* The loop's turn: every METAOUT_CHECK_MS, reads metadata_gen and, on a
 * change, adds the new ad-hoc requests to the campaigns and publishes a
 * new version (above; logged). Accepts NULL. */
void metaout_tick(metaout_t *self);

/* Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void metaout_destroy(metaout_t **self_p);

/* The version published. */
uint64_t metaout_version(const metaout_t *self);

/* router_handler_t.heartbeat's work: sends p its scope's bundle through
 * r when hb says a lower version (rate-limited as above). */
void metaout_on_heartbeat(metaout_t *self, router_t *r, router_peer_t *p,
			  const Lnob__Heartbeat *hb);

#endif
