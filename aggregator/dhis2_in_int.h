/*
 * dhis2_in_int.h: what the DHIS2 readers (dhis2_in_json.c, dhis2_in_adx.c)
 * share with dhis2_in.c: one data value as read, and the table of the
 * baseline they fill.
 */
#ifndef LNOB_DHIS2_IN_INT_H
#define LNOB_DHIS2_IN_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "dhis2_in.h"

/* One data value as the file gives it (NULL: absent), and its place:
 * where (the value's: "dataValues[3]", "adx/group[1]/dataValue[2]") on
 * line (0: none, JSON) and gwhere (its group's, for orgUnit, period and
 * attributeOptionCombo: the same in JSON) on gline, a field named as
 * where + sep + name ("." or "/@"), pos its place for "first at"
 * ("dataValues[3]" or "line 9"). */
typedef struct dhis2_in_value {
	const char *org_unit, *period, *aoc, *data_element, *coc, *value;
	const char *where, *gwhere, *sep;
	unsigned line, gline;
	const char *pos;
} dhis2_in_value_t;

/* The baseline being read: per unit of [org_units] and indicator of the
 * campaign, the value and the place it came from. */
typedef struct dhis2_in_table {
	const dhis2_in_opts_t *o;
	char adx_period[32];       /* the ADX form of o->period */
	int64_t *v;                /* [unit * CAMPAIGN_INDICATORS_MAX + indicator] */
	char **first;              /* its pos (NULL: not given) */
	bool used[CAMPAIGN_INDICATORS_MAX];
	dhis2_in_stats_t stats;
} dhis2_in_table_t;

/* Checks one value against the mapping and adds it to t. Returns 0, or
 * LNOB_E_INVALID with err "<file>: <where><sep><field>: <problem>"; -ENOMEM. */
int dhis2_in_add(dhis2_in_table_t *t, const dhis2_in_value_t *v, char *err, size_t errlen);

/* The readers: every data value of the text into t (dhis2_in_add()).
 * Return 0 or dhis2_in_add()'s error, or LNOB_E_INVALID for a text that
 * is not a document of theirs (with the parser's line and column). */
int dhis2_in_json(const char *text, size_t len, dhis2_in_table_t *t, char *err, size_t errlen);
int dhis2_in_adx(const char *text, size_t len, dhis2_in_table_t *t, char *err, size_t errlen);

#endif
