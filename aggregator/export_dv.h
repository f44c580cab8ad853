/*
 * export_dv.h: the data values an export document (export.h) holds for a
 * DHIS2 mapping (dhis2map.h), what the ADX (export_adx.c) and
 * dataValueSets (export_dhis2.c) renderers write. Taken from the
 * document's summary sheet as they are, never recomputed: for each row
 * (unit) in order, for each [data_elements] entry in file order, the
 * row's value of that indicator's column (a count or amount: its sum; a
 * sum or rate: its value, a rate as a percent number); a null is left out.
 */
#ifndef LNOB_EXPORT_DV_H
#define LNOB_EXPORT_DV_H

#include <jansson.h>
#include <stddef.h>

#include "dhis2map.h"

/* One value: the ids borrowed from the mapping, the value as text (an
 * integer in decimal, a real in the fewest decimals that read back to it,
 * never an exponent: an xs:decimal and a DHIS2 number). */
typedef struct export_dv {
	const char *org_unit, *data_element, *coc;
	char value[64];
} export_dv_t;

/* The values of one document. Those of a unit are consecutive. */
typedef struct export_dvs {
	const char *period;        /* the DHIS2 period (the mapping's) */
	char adx_period[32];       /* its ADX form */
	const char *data_set, *aoc;
	char exported[32];         /* generated_at in UTC, "2026-12-04T01:16:43Z" */
	export_dv_t *v;
	size_t n;
} export_dvs_t;

/* Fills *ret from doc under map. Returns 0 (ret->v caller's:
 * export_dvs_free()); LNOB_E_INVALID when doc is not an export document;
 * LNOB_E_NOTFOUND with err naming the mapping file and what it lacks: the
 * document's period in [periods], a row's unit in [org_units], a
 * [data_elements] code that is no column of the document; -ENOMEM. */
int export_dvs_build(const json_t *doc, const dhis2map_t *map, export_dvs_t *ret, char *err,
		     size_t errlen);
/* Frees ret->v (accepts one never built: zeroed). */
void export_dvs_free(export_dvs_t *dvs);

/* The renderers, into memory (*ret_buf malloc'ed, caller frees). ADX
 * (export_adx.c): one <group> per unit with values, LNOB_E_NOTFOUND when
 * there is none (ADX needs one), -EIO when libxml2 fails. dataValueSets
 * (export_dhis2.c): {"dataSet", "dataValues": [...]}, the list may be
 * empty; -ENOMEM. */
int export_render_adx(const export_dvs_t *dvs, unsigned char **ret_buf, size_t *ret_len,
		      char *err, size_t errlen);
int export_render_dhis2(const export_dvs_t *dvs, unsigned char **ret_buf, size_t *ret_len,
			char *err, size_t errlen);

#endif
