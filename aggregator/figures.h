/*
 * figures.h: the figures a unit is judged on for a (campaign, period), per
 * indicator: on the full basis when every unit of its subtree that owes
 * the indicator's counts has reported them, else on the comparable basis,
 * with the coverage either way. The one place the views and the award
 * eligibility take their figures from.
 *
 * THE PARTIAL-DATA RULE. Indicator i is computed from reported counts
 * (campaign_indicator_inputs(): itself, a sum's parts, a rate's numerator
 * and denominator parts). In the subtree of unit U (U included):
 *   - a unit OWES i when its level reports one of those counts
 *     (campaign_level_reports(), the campaign's reported_by);
 *   - a unit COVERS i when it owes i and its current report carries every
 *     one of those counts its level reports;
 *   - coverage = {reported: units covering i, expected: units owing i};
 *     i is PARTIAL when reported < expected.
 * The current counts of i are the sums, over the covering units, of the
 * counts they carry (for a count this is the rollup's sum). The baseline:
 * full basis (not partial) U's baseline (its row, or its children's sum:
 * campaign_baseline_for()); comparable basis (partial) the sum of the
 * covering units' baselines, so that the units that did not report are
 * left out of both sides (not known for a count reported at several
 * levels: the baseline file holds subtree totals, not a unit's own share;
 * a sum past 10^15 is not known either). The previous period's counts: the sums over the
 * covering units of their previous-period counts, known only when each of
 * them carried them then too.
 * A target is judged on its indicator's figures (an any_of on each
 * alternative's own, then combined: campaign_any_of()); when that
 * indicator is partial and the campaign says `partial = withhold` the
 * verdict is INCOMPLETE (achievement and progress withheld).
 */
#ifndef LNOB_FIGURES_H
#define LNOB_FIGURES_H

#include <stdbool.h>

#include "aggstore.h"
#include "campaign.h"
#include "hierarchy.h"

/* One indicator's figures. */
typedef struct figures_ind {
	campaign_counts_t cur, base, prev;   /* only its inputs are set */
	bool has_prev;                       /* prev is usable (see above) */
	unsigned expected, reported;         /* coverage */
	bool partial;                        /* reported < expected */
} figures_ind_t;

typedef struct figures {
	const campaign_t *camp;
	const campaign_period_t *p, *prev;   /* prev: campaign_period_previous(), or NULL */
	int unit;
	figures_ind_t ind[CAMPAIGN_INDICATORS_MAX];
} figures_t;

/* Builds the figures of hierarchy unit `unit` for (c, p) from the latest
 * records of its subtree in txn, read through memo (aggstore.h; NULL: each
 * read anew). *ret is the caller's (large: put it on the heap). Returns 0, -ENOMEM or a store error (LNOB_E_CORRUPT for a record
 * that does not parse). */
int figures_build(store_t *st, MDB_txn *txn, agg_memo_t *memo, const hier_t *hier,
		  const campaign_t *c, const campaign_period_t *p, int unit, figures_t *ret);

/* A target judged on figures. */
typedef struct figures_eval {
	campaign_eval_t ev;       /* verdict CAMPAIGN_INCOMPLETE when withheld */
	bool comparable;          /* on the comparable basis */
	bool withheld;            /* partial and the campaign withholds */
	unsigned reported, expected;   /* coverage of the (deciding) indicator */
} figures_eval_t;

/* Evaluates target t (an any_of too: each alternative on its own figures)
 * for f's unit and period. Returns 0 or -EINVAL. */
int figures_evaluate(const figures_t *f, const campaign_target_t *t, figures_eval_t *ret);

#endif
