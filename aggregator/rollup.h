/*
 * rollup.h: the sums-only view of the materialised rollups (a campaign no
 * campaign file defines); verify.h checks them.
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

#endif
