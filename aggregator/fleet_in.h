/*
 * fleet_in.h: what relays report of the nodes behind them
 * (proto/lnob.proto: Heartbeat.downstream, NodeHealth), between a relay's
 * heartbeat and the server's next state flush (server.c), where it is
 * judged and persisted in the same write transaction as the direct peers'
 * records.
 *
 * THE RULE: an entry from sender R about node N is taken only when R and N
 * are both enrolled here, N is not revoked and not R, and N's enrolled
 * scope is in the subtree of R's enrolled scope (the hierarchy's; R may
 * report for its own subtree only, as for reports). Taken, it becomes N's
 * PeerRecord {node_id N, last_seen_ms (the relay's clock), health, via:
 * NodeHealth.via when set (a chain of relays), else R} unless N's record
 * is of a direct contact (via empty) at least as recent: a direct contact
 * of the node itself overrides what a relay says of it (the server writes
 * the direct peers after the relayed ones, in the same transaction). Any
 * other entry is ignored: counted (AGG_C_DOWNSTREAM_IGNORED) and logged
 * once per (sender, node) per run (at most FLEET_IN_LOGGED pairs; beyond,
 * only counted).
 *
 * Pending entries are bounded (FLEET_IN_MAX, the latest word per node
 * wins; when full a new node's entry is dropped and counted ignored).
 *
 * Daemon-level code of the server: logs what it ignores.
 */
#ifndef LNOB_FLEET_IN_H
#define LNOB_FLEET_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hierarchy.h"
#include "lnob.pb-c.h"
#include "store.h"

/* Entries pending at once, at most. */
#define FLEET_IN_MAX 4096
/* Entries taken from one heartbeat, at most (a relay sends at most 32,
 * BEHIND_PER_HEARTBEAT in collector/behind.h); the rest are dropped and
 * counted ignored. */
#define FLEET_IN_PER_HEARTBEAT 64
/* (sender, node) pairs whose refusal is logged, at most per run. */
#define FLEET_IN_LOGGED 256

typedef struct fleet_in fleet_in_t;

/* NULL when out of memory. Caller owns the result. */
fleet_in_t *fleet_in_new(void);
/* Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void fleet_in_destroy(fleet_in_t **self_p);

/* Keeps the entries of hb->downstream that sender (a node id) sent. */
void fleet_in_note(fleet_in_t *self, const char *sender, const Lnob__Heartbeat *hb);

/* Entries waiting for fleet_in_apply(). */
size_t fleet_in_pending(const fleet_in_t *self);

/* Judges the pending entries by THE RULE in txn (a write transaction) and
 * writes the PeerRecords of those taken; *ret_ignored gets how many were
 * ignored (with those dropped since the last fleet_in_clear()). Keeps the
 * entries: call fleet_in_clear() once txn has committed (a failed
 * transaction is tried again with the same entries). Returns 0, -ENOMEM
 * or a store error. */
int fleet_in_apply(fleet_in_t *self, store_t *st, MDB_txn *txn, const hier_t *hier,
		   uint64_t *ret_ignored);

/* Forgets the pending entries and the dropped count. */
void fleet_in_clear(fleet_in_t *self);

#endif
