/*
 * snapshot_in.h: a Snapshot arriving at the national aggregator (proto,
 * THE NATIONAL TIER), read into the report it stands for, which ingest.c
 * then checks (campaign, unit, scope, levels) and applies as it does any
 * report.
 */
#ifndef LNOB_SNAPSHOT_IN_H
#define LNOB_SNAPSHOT_IN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aggstore.h"
#include "campaigns.h"
#include "hierarchy.h"
#include "lnob.pb-c.h"

/* Decodes env's body (at most max_body bytes) as a Snapshot and checks it
 * (snapshot_validate(); a PART_SUBTREE snapshot of a unit with children in
 * the hierarchy version of its period, hierperiod_tree() of hier and
 * campaigns, would count its subtree twice and is refused). Returns 0 with
 * *ret_rep (caller frees: lnob__report__free_unpacked()), or the
 * NackReason (NACK_MALFORMED, NACK_INVALID) with detail filled; -ENOMEM
 * counts as NACK_INVALID with "out of memory". */
int ingest_snapshot_decode(const hier_t *hier, const campaigns_t *campaigns,
			   const Lnob__Envelope *env, size_t max_body, Lnob__Report **ret_rep,
			   char *detail, size_t len);

/* The store holds snapshots (meta "snapshots", set in the transaction
 * storing the first): snapshot_in_mark() sets it in txn, a write
 * transaction; snapshot_in_present() reads it into *ret. Both return 0 or
 * a store error. A view reads a current report's envelope only in a
 * store that holds snapshots, so that a province's views read none. */
int snapshot_in_mark(store_t *st, MDB_txn *txn);
int snapshot_in_present(store_t *st, MDB_txn *txn, bool *ret);

/* When the envelope (signer, seq) of the log is a snapshot, sets
 * into["snapshot"] to what the province reckoned beside its figures
 * (README "The national tier": part, computed_at, units_reported,
 * units_expected and, for PART_OWN, children_expected, children_on_time,
 * children_late, children_missing); else leaves into as it is. Returns 0,
 * -ENOMEM or a store error (LNOB_E_CORRUPT: the log lacks it, or it does
 * not decode). */
int snapshot_in_describe(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
			 json_t *into);

#endif
