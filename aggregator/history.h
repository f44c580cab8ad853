/*
 * history.h: the revision history of a report and the open revision
 * conflicts, for operators (`lnob-aggregator history` and `conflicts`).
 * Read-only: views are built in a read transaction the caller owns.
 */
#ifndef LNOB_HISTORY_H
#define LNOB_HISTORY_H

#include <jansson.h>
#include <stdio.h>

#include "aggstore.h"
#include "campaigns.h"

/* Every revision of (campaign, period, unit) in history order (revision,
 * then signer, then seq) as JSON (the shape README documents): each with
 * its values read from its envelope, which one is current and first, and
 * which are members of the open conflict, and how many revisions of it
 * wait in the amendment queue (approval.h), not part of the history.
 * Caller owns *ret (json_decref).
 * Returns 0 (an empty history gives "history": []), or a negative code. */
int history_view(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		 const char *unit, json_t **ret);
/* Prints a view made by history_view() as a table, times in the
 * campaign's time zone (camps may be NULL: +07:00). */
void history_print(FILE *out, const json_t *view, const campaigns_t *camps);

/* Every open conflict, in key order, with its members and the revision the
 * rollup uses meanwhile, as JSON. Caller owns *ret. Returns 0 or a
 * negative code. */
int conflicts_view(store_t *st, MDB_txn *txn, json_t **ret);
/* Prints a view made by conflicts_view() as a table, times in each
 * conflict's campaign's time zone. */
void conflicts_print(FILE *out, const json_t *view, const campaigns_t *camps);

#endif
