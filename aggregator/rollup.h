/*
 * rollup.h: reading the materialised rollups for operators, and checking
 * them against a recomputation from the revision history.
 */
#ifndef LNOB_ROLLUP_H
#define LNOB_ROLLUP_H

#include <jansson.h>
#include <stdio.h>

#include "aggstore.h"
#include "hierarchy.h"

/* Builds the rollup view of unit (index in hier) and its children for
 * (campaign, period) as JSON (the shape README documents). Caller owns
 * *ret (json_decref). Returns 0 or a negative code. */
int rollup_view(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		const char *period, int unit, json_t **ret);

/* Prints a view made by rollup_view() as an aligned table. */
void rollup_print_table(FILE *out, const json_t *view);

/* Recomputes from the revision HISTORY (not from `latest`) what the
 * aggregator materialises, and compares (verify.c): per (campaign, period,
 * unit) the current revision, first report, revision count and open
 * conflict by the rules of aggstore.h against its LatestRecord and
 * ConflictRecord; every rollup (sums and units_reported) against the sums
 * of the current revisions over the unit's subtree; finds latest,
 * conflict and non-empty rollup records with no history behind them; and
 * accounts for the amendment queue (approval.h): a pending amendment has
 * its envelope in the log, an approval covering its unit and no place in
 * the history; a decided one is in the history exactly when accepted.
 * Writes one "DIFF ..." line per difference to out (may be NULL) and the
 * number of differences to *ret_diffs; *ret_checked gets how many
 * (campaign, period, unit) rollups were compared. Returns 0 or a negative
 * code (store errors, LNOB_E_CORRUPT for a history that does not parse). */
int rollup_verify(store_t *st, MDB_txn *txn, const hier_t *hier, FILE *out,
		  size_t *ret_diffs, size_t *ret_checked);

#endif
