/*
 * apply.h: applying one report revision to the aggregator's figures: its
 * place in the revision history, the unit's LatestRecord (current and
 * first revision, revision count), its open ConflictRecord, and the
 * rollups along the path to the root, by THE RULES of aggstore.h. The one
 * path for a report ingested (ingest.c) and an amendment accepted
 * (approval.c); below both.
 *
 * Cost: judging a new revision reads the unit's LatestRecord (with the
 * one envelope of its current revision, whose values and times the record
 * leaves out: schema 4) and its "tips" (the revisions above the highest
 * base revision, and those sharing a tip's base: agg_history_tips()),
 * never the whole history nor the tips' envelopes; so in a history of
 * corrections each built on the one before, a revision costs the same
 * whatever came before it.
 *
 * The rollups go through a rollup accumulator (rollacc.h): a batch
 * passes its own, written once per key at the batch's end, so that the
 * rollups near the root cost one write per batch, not one per report.
 *
 * Arithmetic is checked (sums.h): a revision that would take any rollup on
 * its path over SUMS_MAX is refused (LNOB_E_OVERFLOW) and the caller
 * aborts what it wrote (ingest runs each envelope in a nested
 * transaction); its rollup changes never reach the accumulator.
 */
#ifndef LNOB_APPLY_H
#define LNOB_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "aggstore.h"
#include "hierarchy.h"
#include "rollacc.h"

/* What applying did, for the operator's log. */
typedef struct apply_out {
	bool conflict;      /* this revision opened or joined a revision conflict */
	bool resolved;      /* this revision closed its unit's open conflict */
	char note[256];     /* which (conflict / resolved), else "" */
	char detail[256];   /* on LNOB_E_OVERFLOW or LNOB_E_CORRUPT: what and where */
} apply_out_t;

/* Applies the revision rep of hierarchy unit `unit`, the envelope (signer,
 * seq) already in the envelope log, arrived at received_at (aggregator
 * clock, Unix seconds), in txn. Its rollup changes go into acc (committed
 * there on success, rolled back on failure: the caller flushes acc into
 * the batch's transaction before its commit); with acc NULL they are
 * written into txn before the return. Returns 0 (out filled); LNOB_E_OVERFLOW
 * (a sum would exceed SUMS_MAX; out->detail names the unit and the
 * indicator); LNOB_E_CORRUPT (a stored record does not add up;
 * out->detail says which); LNOB_E_INVALID (parts too long); -ENOMEM; or a
 * store error. On failure txn holds part of the writes: the caller aborts
 * it. */
int apply_report(store_t *st, MDB_txn *txn, rollacc_t *acc, const hier_t *hier,
		 const Lnob__Report *rep, int unit, const char *signer, uint64_t seq,
		 int64_t received_at, apply_out_t *out);

#endif
