/*
 * dhis2map.h: the mapping between lnob's codes and a DHIS2 instance's
 * identifiers, for the ADX and dataValueSets exports (export.h) and the
 * import of baselines from DHIS2 (dhis2_in.h). README "Export to ADX and
 * DHIS2" is the contract. An INI file (inifile.h), every key once:
 *
 *   [mapping]
 *   data_set               = lnobDataSet1   ; required: the dataSet id
 *   attribute_option_combo = HllvX50cXC0    ; optional: on every value
 *   baseline_period        = 2020           ; optional: what `baseline import` reads
 *
 *   [org_units]                             ; lnob unit code = orgUnit id
 *   P  = ImspTQPwCqd
 *
 *   [data_elements]                         ; indicator code = dataElement [categoryOptionCombo]
 *   households_total = hhTotal0001
 *   poor_households  = poorHH00001 HllvX50cXC0
 *
 *   [periods]                               ; lnob period id = DHIS2 period
 *   2023 = 2023
 *
 * Identifiers (values) are 1..64 of A-Za-z0-9._- (DHIS2 UIDs and codes of
 * that shape); a DHIS2 period is one of YYYY, YYYYSn, YYYYQn, YYYYMM,
 * YYYYMMDD, and its ADX form (ISO 8601 start/duration) is derived from it
 * (dhis2map_adx_period()). The reverse must be unique too: no orgUnit for
 * two units, no (dataElement, categoryOptionCombo) for two indicators, no
 * DHIS2 period for two lnob periods. Errors are "<file>:<line>: <problem>"
 * (inifile.h), the first found in file order.
 *
 * Library code: returns codes with err filled, never logs.
 */
#ifndef LNOB_DHIS2MAP_H
#define LNOB_DHIS2MAP_H

#include <stddef.h>

#include "campaign.h"
#include "hierarchy.h"

typedef struct dhis2map dhis2map_t;

/* One key = value of a list section ([org_units], [data_elements],
 * [periods]): lnob's code, the DHIS2 identifier, for [data_elements] the
 * categoryOptionCombo (NULL when none), and the line. Borrowed from the
 * mapping, valid until dhis2map_destroy(). */
typedef struct dhis2map_entry {
	const char *code;
	const char *id;
	const char *coc;
	unsigned line;
} dhis2map_entry_t;

typedef enum { DHIS2MAP_UNITS, DHIS2MAP_ELEMENTS, DHIS2MAP_PERIODS } dhis2map_list_t;

/* Reads and checks the mapping file at path (at most 16 MiB). Returns 0
 * with *ret set (caller owns: dhis2map_destroy()); LNOB_E_CONFIG with err
 * "<file>:<line>: <problem>" (an unknown section or key, a key given
 * twice, a missing data_set, a bad identifier or period, a reverse
 * duplicate); -errno with err naming the file when it cannot be read;
 * -ENOMEM. */
int dhis2map_load(const char *path, dhis2map_t **ret, char *err, size_t errlen);
/* The same from text in memory; name stands for the file in messages. */
int dhis2map_load_mem(const char *text, const char *name, dhis2map_t **ret, char *err,
		      size_t errlen);
/* Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void dhis2map_destroy(dhis2map_t **self_p);

/* Checks the mapping against a campaign and a hierarchy (either may be
 * NULL: not checked): every [data_elements] code is an indicator of camp,
 * every [periods] code one of its periods, every [org_units] code a unit
 * of hier. Returns 0 or LNOB_E_CONFIG with err "<file>:<line>: ...". */
int dhis2map_check(const dhis2map_t *self, const campaign_t *camp, const hier_t *hier, char *err,
		   size_t errlen);

/* The file name given at load. */
const char *dhis2map_file(const dhis2map_t *self);
/* [mapping] data_set; attribute_option_combo and baseline_period (NULL
 * when not given). */
const char *dhis2map_data_set(const dhis2map_t *self);
const char *dhis2map_aoc(const dhis2map_t *self);
const char *dhis2map_baseline_period(const dhis2map_t *self);

/* The entries of a list in file order (0 <= i < count; else NULL). */
size_t dhis2map_count(const dhis2map_t *self, dhis2map_list_t list);
const dhis2map_entry_t *dhis2map_entry(const dhis2map_t *self, dhis2map_list_t list, size_t i);
/* The entry of lnob's code in list, or NULL. */
const dhis2map_entry_t *dhis2map_find(const dhis2map_t *self, dhis2map_list_t list,
				      const char *code);
/* The entry whose DHIS2 identifier is id (for DHIS2MAP_ELEMENTS also its
 * categoryOptionCombo: coc NULL matches an entry without one), or NULL. */
const dhis2map_entry_t *dhis2map_find_id(const dhis2map_t *self, dhis2map_list_t list,
					 const char *id, const char *coc);

/* The ADX period (ISO 8601 start/duration) of a DHIS2 period into buf:
 * "2023" -> "2023-01-01/P1Y", "2023S2" -> "2023-07-01/P6M", "2023Q3" ->
 * "2023-07-01/P3M", "202311" -> "2023-11-01/P1M", "20231105" ->
 * "2023-11-05/P1D". Returns 0, or LNOB_E_INVALID for anything else (a
 * real date: no month 13, no 30 February) or a buf under 20 bytes. */
int dhis2map_adx_period(const char *period, char *buf, size_t len);

#endif
