/*
 * verify.h: `lnob-aggregator verify`, the check of everything the
 * aggregator materialises against a recomputation of its own.
 *
 * From the envelope log: every report envelope is in the revision history
 * unless it is a pending or rejected amendment (approval.h), and every
 * revision in the history has its envelope, with the same base revision,
 * completion time and meaning (report_content_digest()); every nomination
 * and stage envelope is behind a nomination or stage record and every
 * record has its envelope, with the same content, its stage count, last
 * stage and resubmission links.
 * From the history, by THE RULES (aggstore.h) applied pair by pair (not
 * the incremental judge ingest uses): each unit's current and first
 * revision, revision count and open conflict against its LatestRecord and
 * ConflictRecord; and from the current revisions, by arithmetic of its own
 * (128-bit, not sums.h), every rollup: the same indicators (an indicator no
 * current report carries must be absent, not 0), the same sums and
 * carrier counts, the same units reported, no sum over 10^15; latest,
 * conflict and rollup records with nothing behind them. And the amendment
 * queue: a pending amendment's envelope is in the log and an approval
 * covering its unit holds it; a decided one is in the history exactly when
 * accepted.
 */
#ifndef LNOB_VERIFY_H
#define LNOB_VERIFY_H

#include <stddef.h>
#include <stdio.h>

#include "aggstore.h"
#include "campaigns.h"
#include "hierarchy.h"

/* Runs every check in txn (a read transaction). Writes one "DIFF ..." line
 * per difference to out (may be NULL), the number of differences to
 * *ret_diffs and how many (campaign, period, unit) rollups were compared
 * to *ret_checked. Returns 0 or a negative code (store errors,
 * LNOB_E_CORRUPT for a history that does not parse, -ENOMEM). */
int verify_store(store_t *st, MDB_txn *txn, const hier_t *hier, FILE *out,
		 size_t *ret_diffs, size_t *ret_checked);

/* The same with the hierarchy's versions (hierversions.h): each version's
 * tree and change list checked anew (hierver_verify()), and the rollups
 * of each (campaign, period) recomputed on the version of that period
 * (hierperiod.h; camps, may be NULL, gives the periods' days). */
int verify_store_versions(store_t *st, MDB_txn *txn, const hier_t *hier,
			  const campaigns_t *camps, FILE *out, size_t *ret_diffs,
			  size_t *ret_checked);

#endif
