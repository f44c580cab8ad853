/*
 * dhis2_in.h: a campaign's baseline file (campaign.h, THE BASELINE FILE)
 * from a DHIS2 export, read with a mapping (dhis2map.h) reversed: DHIS2's
 * dataValueSets JSON (dhis2_in_json.c, jansson) or ADX XML (dhis2_in_adx.c,
 * libxml2). `lnob-aggregator baseline import` (cmd_baseline.c); README
 * "Baselines from DHIS2" is the contract.
 *
 * Every data value must be of the imported period, an orgUnit of
 * [org_units], a dataElement (with its categoryOptionCombo) of
 * [data_elements], the mapping's attributeOptionCombo when it has one,
 * and a whole number 0..REPORT_VALUE_MAX; a (unit, indicator) given twice
 * is refused. Values of derived indicators (sums, rates: a baseline holds
 * counts and amounts) are skipped and counted. The first problem is the
 * error, with its place: "<file>: dataValues[12].value: ..." (JSON) or
 * "<file>:<line>: adx/group[2]/dataValue[3]/@value: ..." (ADX, the line of
 * the element: the group's for its attributes).
 *
 * Library code: returns codes with err filled, never logs.
 */
#ifndef LNOB_DHIS2_IN_H
#define LNOB_DHIS2_IN_H

#include <stddef.h>

#include "campaign.h"
#include "dhis2map.h"

typedef struct dhis2_in_opts {
	const dhis2map_t *map;
	const campaign_t *camp;
	const char *period;        /* the DHIS2 period imported (dhis2map_adx_period() knows it) */
	const char *name;          /* the input's name, for messages */
} dhis2_in_opts_t;

/* What was imported, besides the file. */
typedef struct dhis2_in_stats {
	size_t units, values;      /* rows and values of the baseline file */
	size_t derived;            /* values of derived indicators skipped */
	size_t deleted;            /* values marked "deleted": true skipped (JSON) */
} dhis2_in_stats_t;

/* Reads text[0..len) (JSON when its first non-blank byte is '{', ADX when
 * it is '<') and makes the baseline file: the header "unit" and the
 * imported indicators in the campaign's order, one row per unit in
 * [org_units] order, an empty field for a value not given, "\n" line
 * ends. Returns 0 with *ret_csv (caller frees) of *ret_len bytes and
 * *ret_stats; LNOB_E_INVALID with err naming the place of the first
 * problem (nothing to import is one: "no data value of period 2020");
 * -ENOMEM. Nothing is returned on error. */
int dhis2_in_read(const char *text, size_t len, const dhis2_in_opts_t *o, char **ret_csv,
		  size_t *ret_len, dhis2_in_stats_t *ret_stats, char *err, size_t errlen);

#endif
