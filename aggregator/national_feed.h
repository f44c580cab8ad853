/*
 * national_feed.h: the provincial side of the national tier (proto/lnob.proto,
 * THE NATIONAL TIER). The snapshots of every configured campaign's periods
 * are made from the operators' view of the province's root (view.h, never
 * recomputed) and queued in the national outbox (outbox.h,
 * outbox_enqueue_snapshots(): only the changed ones), which an
 * lnob-collector sends to the national aggregator.
 */
#ifndef LNOB_NATIONAL_FEED_H
#define LNOB_NATIONAL_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "aggstore.h"
#include "campaigns.h"
#include "hierarchy.h"
#include "identity.h"
#include "outbox.h"

/* Snapshots made in one pass: owned by the set (national_set_clear()). */
typedef struct national_set {
	Lnob__Snapshot **v;
	size_t n, cap;
} national_set_t;

/* Appends to *set the snapshots of every period of every campaign of cs
 * (its file's periods: ad-hoc requests are the province's own, none is
 * sent) in which unit `root` or one of its children has a
 * current report, read in txn (a read transaction) at time now: the
 * root's PART_OWN (only when it has a current report of its own) and a
 * PART_SUBTREE of each child whose subtree has one, revision 0 (the
 * outbox numbers them). Returns 0, -ENOMEM or a store error, with err
 * filled. */
int national_build(store_t *st, MDB_txn *txn, const hier_t *hier, const campaigns_t *cs,
		   int root, int64_t now, national_set_t *set, char *err, size_t errlen);

/* Frees what set holds; set is empty afterwards. */
void national_set_clear(national_set_t *set);

/* One pass: national_build() in a read transaction of st, then the set
 * queued in ob signed by id. *ret_queued gets how many were queued (the
 * changed ones), *ret_made how many were made. Returns 0 or a negative
 * code with err filled. */
int national_feed(store_t *st, const hier_t *hier, const campaigns_t *cs, int root,
		  outbox_t *ob, const identity_t *id, size_t *ret_made, size_t *ret_queued,
		  char *err, size_t errlen);

#endif
