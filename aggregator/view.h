/*
 * view.h: the operators' view of one (campaign, period): for a unit and its
 * children the summed counts, the derived values recomputed from them,
 * change against the baseline and the previous period, each effective
 * target's verdict, and per level the completeness and timeliness of the
 * reports against the campaign's deadlines; or the same side by side for
 * the members of an emulation cluster. Every derived value and target is
 * on its own basis, full or comparable, with its coverage (figures.h); an
 * indicator nobody reported is null, never 0. `lnob-aggregator rollup`
 * prints it as a table (view_table.c) or as JSON (README.md, "Reading the
 * rollups", documents the JSON shape).
 *
 * Without a configured campaign of that id the view is rollup_view()'s:
 * sums only.
 */
#ifndef LNOB_VIEW_H
#define LNOB_VIEW_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "aggstore.h"
#include "campaigns.h"
#include "hierarchy.h"

typedef struct view_opts {
	const campaigns_t *campaigns;   /* may be NULL: sums only */
	const char *campaign, *period;
	int unit;                       /* hierarchy index of the unit */
	const char *cluster;            /* NULL, or a cluster id: its members instead */
	int64_t now;                    /* Unix seconds: pending vs missing */
} view_opts_t;

/* Builds the view in txn (a read transaction). Returns 0 with *ret owned by
 * the caller (json_decref); LNOB_E_NOTFOUND with err filled when the period
 * or cluster is not the campaign's, or a cluster is asked for without a
 * configured campaign; a store error; -ENOMEM. */
int view_build(store_t *st, MDB_txn *txn, const hier_t *hier, const view_opts_t *o,
	       json_t **ret, char *err, size_t errlen);

/* Prints a view made by view_build() as aligned tables. */
void view_print_table(FILE *out, const json_t *view);

#endif
