/*
 * award.h: eligibility for awards (khen thưởng). Given a campaign whose
 * file holds award rules ([awards], [award ID]: see campaign.h, AWARD
 * RULES), a nominee, an award form and an occasion (a period of the
 * campaign), and the verified figures, says whether the nominee is
 * eligible, why, and with which figures. Pure functions: no LMDB, no I/O,
 * no allocation; the caller fetches the counts (rollups, the baseline) and
 * the disciplinary record. Exact: target conditions are decided by
 * campaign_evaluate() and campaign_eval_achieves()/_progresses() (integer
 * arithmetic); no floating point decides a verdict.
 *
 * How a form is decided on an occasion:
 *   - the rules that apply: the form's, the occasion's kind (annual: year
 *     periods), the period listed or no `periods`, the nominee's kind in
 *     `nominees`. None: NOT_ELIGIBLE (AWARD_COND_NO_RULE).
 *   - each rule: the general condition (a recorded sanction at or above its
 *     `disqualify` level: NOT_ELIGIBLE, whatever the figures) AND any of its
 *     conditions (achievement, progress, contribution). Three-valued: a
 *     condition without data is unknown; the rule is ELIGIBLE when a
 *     condition holds (and the record is known clean), NOT_ELIGIBLE when
 *     every condition fails (or the sanction rules out), else NO_DATA.
 *   - several rules: ELIGIBLE if any is; else NO_DATA if any is; else
 *     NOT_ELIGIBLE. The result names the deciding rule (the first of that
 *     verdict in file order) and its deciding condition.
 * A target condition over the unit's targets (campaign_target_for(), only
 * the rule's goals when it has `goals`), one campaign_evaluate() each:
 * a target with NO_DATA is unknown; one with an achievement (progress) is
 * compared with the threshold; one NOT_MET without one fails; one MET or
 * NOT_DUE without one (nothing was required of it) is left out.
 *   all (default): fails when one fails (deciding: the lowest such), else
 *     unknown when one is unknown, else holds when one holds (deciding: the
 *     lowest); nothing but left-out targets: unknown.
 *   any: holds when one holds (deciding: the highest), else unknown when
 *     one is, else fails (deciding: the highest).
 * A unit with no target in the period fails a target condition.
 */
#ifndef LNOB_AWARD_H
#define LNOB_AWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "campaign.h"
#include "hierarchy.h"

#define AWARD_SANCTION_UNKNOWN (-1)  /* nominee.sanction: no record at hand */
#define AWARD_NONE (-1)              /* award_highest(): no form */
#define AWARD_TEXT_MAX 384           /* award_result_t.text, with its NUL */

typedef enum award_verdict {
	AWARD_ELIGIBLE,
	AWARD_NOT_ELIGIBLE,
	AWARD_NO_DATA,          /* a figure the decision needs is not known */
} award_verdict_t;

/* The condition that decided. */
typedef enum award_cond {
	AWARD_COND_NO_RULE,     /* no rule gives the form on the occasion to the kind */
	AWARD_COND_ACHIEVEMENT, /* achievement of the unit's target(s) */
	AWARD_COND_PROGRESS,    /* progress towards the term's target(s) */
	AWARD_COND_CONTRIBUTION,
	AWARD_COND_SANCTION,    /* the disciplinary record (general condition) */
} award_cond_t;

typedef struct award_nominee {
	campaign_nominee_kind_t kind;
	int unit;               /* hierarchy index of the unit whose targets and
	                           counts judge the nominee (its own unit, or the
	                           area an official or enterprise is credited with) */
	int sanction;           /* the highest disciplinary sanction on record:
	                           0 none, 1..campaign_sanction_count() (for a
	                           collective: of any of its members), or
	                           AWARD_SANCTION_UNKNOWN */
} award_nominee_t;

/* The figures (borrowed for the call). */
typedef struct award_inputs {
	const campaign_counts_t *baseline;   /* the unit's baseline; required */
	const campaign_counts_t *previous;   /* the unit's previous-period counts
	                                        (campaign_period_previous()); NULL
	                                        when not known */
	const campaign_counts_t *current;    /* the unit's counts in the occasion's
	                                        period; required */
	const campaign_counts_t *contributions; /* the nominee's own contributions
	                                        over the occasion (amounts); NULL
	                                        when not known */
	/* When set, how each target is judged instead of campaign_evaluate()
	 * over the counts above (the aggregator judges on each indicator's own
	 * basis, see aggregator/figures.h); returns 0 with *ret filled. A
	 * verdict INCOMPLETE counts as unknown, like NO_DATA. */
	int (*evaluate)(void *ctx, const campaign_target_t *t, campaign_eval_t *ret);
	void *evaluate_ctx;
} award_inputs_t;

typedef struct award_result {
	award_verdict_t verdict;
	campaign_award_form_t form;
	const campaign_period_t *occasion;
	const campaign_award_rule_t *rule;   /* deciding rule; NULL with NO_RULE */
	award_cond_t cond;                   /* deciding condition */
	/* ACHIEVEMENT, PROGRESS: the deciding target (NULL when none, e.g. the
	 * unit has no target, or none is measurable) and its evaluation. */
	const campaign_target_t *target;
	campaign_eval_t eval;
	bool has_value;
	int64_t value_bp;       /* achievement_bp or progress_bp (floor) */
	bool value_exact;
	int64_t need_bp;        /* the rule's threshold */
	bool need_strict;       /* ">" rather than ">=" */
	size_t ntargets;        /* targets counted (left-out ones not) */
	/* CONTRIBUTION */
	int indicator;          /* -1 unless cond is CONTRIBUTION */
	bool has_amount;
	int64_t amount;         /* the nominee's, dong */
	int64_t need_amount;
	/* The record, always: the nominee's level and the rule's disqualify
	 * (0 when the rule does not check sanctions). */
	int sanction;
	int disqualify;
	/* All of it in words, e.g. "bang_khen_province on 2023 (rule
	 * annual-bang-khen): not eligible: achievement 109.99 % of target
	 * poverty-annual (poor_rate) in 2023, needs >= 110.00 %". */
	char text[AWARD_TEXT_MAX];
} award_result_t;

/* Decides whether nominee may receive form on occasion (a period of c),
 * as the header says. hier is the hierarchy nominee->unit indexes. Pure.
 * Returns 0 with *ret filled (the verdict may be NO_DATA), or -EINVAL when
 * an argument is NULL (in->previous and in->contributions may be), the
 * kind, form or sanction level is out of range, the unit is not in hier,
 * or occasion is not a period of c. */
int award_check(const campaign_t *c, const hier_t *hier, const award_nominee_t *nominee,
		campaign_award_form_t form, const campaign_period_t *occasion,
		const award_inputs_t *in, award_result_t *ret);

/* award_check() for every form, highest first. ret_all[f] gets form f's
 * result; *ret_form the highest form the nominee is eligible for, or
 * AWARD_NONE. A higher form with NO_DATA in ret_all is one the figures at
 * hand cannot decide. Returns 0, or -EINVAL as award_check() (nothing
 * written). */
int award_highest(const campaign_t *c, const hier_t *hier, const award_nominee_t *nominee,
		  const campaign_period_t *occasion, const award_inputs_t *in, int *ret_form,
		  award_result_t ret_all[CAMPAIGN_AWARD_FORMS]);

/* "eligible", "not eligible", "no data" (static). */
const char *award_verdict_name(award_verdict_t v);

#endif
