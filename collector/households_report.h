/*
 * households_report.h: the reports a household register gives (README
 * "The household register"): for one campaign and period, one report per
 * village of the register's commune, and one of the commune itself, each
 * carrying the register's counts (households.h: households_count()) the
 * campaign defines as counts and the unit reports in that period
 * (campaign_reports(): its level, or an ad-hoc request's units and
 * indicators); a unit that reports none of them gets no report. Only
 * counts: no household id, no line of the list.
 *
 * A unit with a report entered here before (the outbox's "entered") gets
 * the next revision of it (revision + 1, based on it), keeping its other
 * values and its narrative, the register's counts replacing their codes;
 * when those counts equal the entered report's already, the unit is left
 * out (unchanged). Without one: revision 1.
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_HOUSEHOLDS_REPORT_H
#define LNOB_HOUSEHOLDS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "campaign.h"
#include "households.h"
#include "outbox.h"

typedef struct households_report_in {
	const campaign_t *camp;
	const campaign_period_t *period;
	const households_area_t *area;
	const households_t *list;     /* the register (finished) */
	outbox_t *ob;                 /* the outbox (its "entered"); NULL: none */
	int64_t now_s;                /* completed_at of every report */
} households_report_in_t;

/* The reports of in as a JSON array of intake.h's report objects
 * (campaign, period, unit, revision, base_revision, completed_at,
 * narrative, values) into *ret (caller owns), *ret_unchanged the units
 * left out as unchanged. Returns 0, LNOB_E_INVALID with err when the
 * campaign has no count the register gives at any of the units
 * ("campaign 'c' defines none of poor_households, ...") or when a
 * household's village is no longer under the commune, or a code of
 * outbox_entered_get(), -ENOMEM. */
int households_reports(const households_report_in_t *in, json_t **ret, size_t *ret_unchanged,
		       char *err, size_t errlen);

#endif
