/*
 * fleet.h: the fleet view (README "The fleet"): every node enrolled at the
 * aggregator, with its last contact, its backlog and its oldest unsent
 * item as its heartbeats said (PeerRecord, aggstore.h), directly or
 * through the relay it is behind (Heartbeat.downstream, fleet_in.h), the
 * links that are down, and the aggregator's rejected counters by reason.
 * One document for `lnob-aggregator fleet --json` and the API's /api/fleet.
 *
 * Link state of a node at now_ms: "never" without a contact on record;
 * "down" when its last contact is more than fleet_down_ms() old; else
 * "up". For a node behind a relay the contact is its last frame to the
 * relay (the relay's clock) as the relay last said: when the relay itself
 * is down, what it said ages too.
 */
#ifndef LNOB_FLEET_H
#define LNOB_FLEET_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "hierarchy.h"
#include "store.h"

/* A link silent this long is down: two minutes, far above a collector's
 * default heartbeat_ms (1 s) and dead_after_ms (10 s), so that a
 * reconnect with back-off does not flap it, and long enough for a relay
 * to say each of a few thousand nodes behind it (BEHIND_PER_HEARTBEAT a
 * heartbeat, collector/behind.h). */
#define FLEET_DOWN_MS 120000
/* The environment variable that overrides FLEET_DOWN_MS (a positive
 * number of milliseconds; anything else is ignored), for small test
 * networks and operators who want another threshold. */
#define FLEET_DOWN_ENV "LNOB_FLEET_DOWN_MS"

/* FLEET_DOWN_MS, or the override of FLEET_DOWN_ENV. */
int64_t fleet_down_ms(void);

/* Every enrolled node (and every node a relay reported), with its scope,
 * last contact (ms), via (the relay it is behind, or null), queued, parked,
 * oldest unsent (ms, null if none), link state ("up" | "down" | "never",
 * down when silent over FLEET_DOWN_MS), and the aggregator's rejected
 * counters by reason; restricted to nodes whose scope is in root's
 * subtree (root -1: all), except self (the aggregator's own node id, or
 * NULL): it is enrolled to sign the stages the HTTP API records, and is the
 * receiving end, not a sender. Caller owns *ret.
 *
 * The document: {"generated_at" (Unix s), "now_ms", "down_after_ms",
 * "unit" ({code, name, level} or null for -1), "nodes": [{"id", "scope",
 * "scope_name", "revoked", "link", "last_contact_ms", "age_ms", "via",
 * "queued", "parked", "oldest_unsent_ms", "oldest_unsent_age_ms",
 * "next_seq"}], "summary": {"nodes", "up", "down", "never", "links_down":
 * [ids], "queued", "parked"}, "relays": [{"id", "link", "nodes": [ids],
 * "down": [ids], "queued"}], "units": [{"code", "name", "nodes", "down",
 * "queued"}] (per child of root), "rejected": {reason: count},
 * "rejected_total", "downstream_ignored"}. Returns 0, -ENOMEM,
 * LNOB_E_CORRUPT or a store error (err says which). */
int fleet_view(store_t *st, MDB_txn *txn, const hier_t *hier, int root, const char *self,
	       int64_t now_ms, json_t **ret, char *err, size_t errlen);

#endif
