/*
 * hierperiod.h: which hierarchy version a period is rolled up on, and a
 * unit's baseline on a version other than the baseline's (README
 * "Hierarchy versions").
 *
 * THE PERIOD'S VERSION. A period is rolled up on the version valid on its
 * last day: a campaign file's period (or an ad-hoc request's) its `end`;
 * a period of a campaign no campaign file defines, when its id is a year
 * YYYY (2000..2100), 31 December of it; any other period the latest
 * version.
 *
 * THE BASELINE ON ANOTHER VERSION. A campaign's baseline file describes
 * the version valid on its baseline_date (the baseline version). On a
 * later version a unit's baseline is, in this order:
 *   - the baseline version's (its row, or its children's sum) when the
 *     unit is the same there: the same code, no predecessor but itself,
 *     the same children, each the same;
 *   - the sum of its predecessors' baselines (hier_predecessors(): itself
 *     while it existed, and every unit merged into it) when it has some
 *     and each of its children had its parent among them;
 *   - the sum of its children's baselines (each by these rules) when it
 *     has children;
 *   - else not known; not known either when a split is on its way (the
 *     share of a split unit is not known).
 *
 * Daemon-level helper: returns codes, never logs.
 */
#ifndef LNOB_HIERPERIOD_H
#define LNOB_HIERPERIOD_H

#include <stdbool.h>
#include <stdint.h>

#include "campaign.h"
#include "aggstore.h"
#include "campaigns.h"
#include "hierarchy.h"

/* The last day of (campaign, period) by the rule above into *ret_day;
 * false when the period gives none (then the latest version). */
bool hierperiod_day(const campaigns_t *camps, const char *campaign, const char *period,
		    int32_t *ret_day);
/* The version of hier (the latest, or an earlier one: never later than
 * itself) a period is rolled up on. Borrowed from hier. */
const hier_t *hierperiod_tree(const hier_t *hier, const campaigns_t *camps, const char *campaign,
			      const char *period);
/* The first day of version h as text ("the beginning" for the first) into
 * buf. Returns buf. */
const char *hierperiod_from_text(const hier_t *h, char *buf, size_t len);

/* The baseline of unit (index in h, a version) of campaign c, by the rule
 * above, into *ret. Returns 0, LNOB_E_NOTFOUND (not known) or -ENOMEM. */
int hierperiod_baseline(const campaign_t *c, const hier_t *h, int unit, campaign_counts_t *ret);

/* For a view of (campaign, period) asked on *hier with *unit (an index of
 * *hier): when the period's version (hierperiod_tree()) is another, *hier
 * becomes it and *unit the same code's index there. Returns 0, or
 * LNOB_E_NOTFOUND with err "unit 'X' is not in the hierarchy version
 * valid for period P (from D): ...". */
int hierperiod_view_unit(const hier_t **hier, const campaigns_t *camps, const char *campaign,
			 const char *period, int *unit, char *err, size_t errlen);

/* For a report's unit code not in t (the version of its period) that a
 * version of latest's chain has: true with detail "unit 'X' is not in
 * the hierarchy version valid for period P (from D): merged into Y on
 * D2" (or abolished, or not yet created: created on D2 / split from Z);
 * false (detail untouched) when no version has it. */
bool hierperiod_absent(const hier_t *latest, const hier_t *t, const char *code,
		       const char *period, char *detail, size_t len);
/* The same for a signer's scope: true with detail "the signer's scope 'X'
 * is not in the hierarchy version valid for period P (...): a report of
 * that period needs a node enrolled with a scope of that version". */
bool hierperiod_scope_gone(const hier_t *latest, const hier_t *t, const char *scope,
			   const char *period, char *detail, size_t len);

/* Adds part into acc (first: acc becomes part): a value is known when it
 * is in both and the sum is at most REPORT_VALUE_MAX. */
void hierperiod_counts_add(const campaign_t *c, campaign_counts_t *acc,
			   const campaign_counts_t *part, bool first);

/* The units_reported of the previous period prev on version t (that of
 * the period after it): the reports of prev, on its own version, of the
 * predecessors (hier_predecessors()) of every unit of unit's subtree in t,
 * counted once each; read through memo. Returns 0, or a store code. */
int hierperiod_prev_reported(store_t *st, MDB_txn *txn, agg_memo_t *memo, const hier_t *t,
			     const campaign_t *c, const campaign_period_t *prev, int unit,
			     unsigned *ret);

/* Whether st holds, in txn, a rollup of a period rolled up on or after
 * day (by hierperiod_day(); a period that gives no day counts as after):
 * 1 with "campaign/period" of the first into what (len bytes), 0 when
 * none, or a store code. A version valid from day may not be imported
 * then (its periods' rollups were made on the version before). */
int hierperiod_stored_from(store_t *st, MDB_txn *txn, const campaigns_t *camps, int32_t day,
			   char *what, size_t len);

#endif
