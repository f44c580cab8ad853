/*
 * export_dv.c: the data values of an export document under a DHIS2
 * mapping (export_dv.h), and export_render_mapped() choosing the ADX or
 * dataValueSets renderer (export.h).
 */
#include "export_dv.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "export_int.h"
#include "lnob_err.h"
#include "util.h"

/* v as text into buf: an integer in decimal; a real in the fewest
 * decimals (0..20) that read back to it. Returns false for anything
 * else (a string, a real that is not finite). */
static bool s_number(const json_t *v, char *buf, size_t len)
{
	double d;

	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return true;
	}
	if (!json_is_real(v) || !isfinite(d = json_real_value(v)) || fabs(d) >= 1e18)
		return false;
	for (int p = 0; p <= 20; p++) {
		snprintf(buf, len, "%.*f", p, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, len, "0");
	return true;
}

/* The document's generated_at (Unix seconds) as ISO 8601 UTC into buf. */
static void s_exported(const json_t *doc, char *buf, size_t len)
{
	time_t t = (time_t)json_integer_value(json_object_get(doc, "generated_at"));
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

/* Has the summary sheet a column of this id? */
static bool s_has_col(const json_t *sheet, const char *id)
{
	const json_t *col;
	size_t i;

	json_array_foreach(json_object_get(sheet, "columns"), i, col)
		if (strcmp(json_string_value(json_object_get(col, "id")), id) == 0)
			return true;
	return false;
}

/* The period, data set and the mapping's columns of doc into ret. */
static int s_head(const json_t *doc, const json_t *sheet, const dhis2map_t *map,
		  export_dvs_t *ret, char *err, size_t errlen)
{
	const char *period = json_string_value(json_object_get(doc, "period"));
	const dhis2map_entry_t *p = dhis2map_find(map, DHIS2MAP_PERIODS, period);

	if (!period)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "not an export document: no period");
	if (!p)
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "%s: [periods] has no DHIS2 period "
				 "for period '%s'", dhis2map_file(map), period);
	for (size_t i = 0; i < dhis2map_count(map, DHIS2MAP_ELEMENTS); i++) {
		const dhis2map_entry_t *e = dhis2map_entry(map, DHIS2MAP_ELEMENTS, i);

		if (!s_has_col(sheet, e->code))
			return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "%s:%u: [data_elements] %s: "
					 "not an indicator of the export", dhis2map_file(map),
					 e->line, e->code);
	}
	ret->period = p->id;
	ret->data_set = dhis2map_data_set(map);
	ret->aoc = dhis2map_aoc(map);
	s_exported(doc, ret->exported, sizeof(ret->exported));
	return dhis2map_adx_period(p->id, ret->adx_period, sizeof(ret->adx_period));
}

/* The values of one row (row k of the summary) into ret. */
static int s_row(const json_t *row, size_t k, const dhis2map_t *map, export_dvs_t *ret,
		 size_t *cap, char *err, size_t errlen)
{
	const char *code = json_string_value(json_object_get(row, "code"));
	const dhis2map_entry_t *u = dhis2map_find(map, DHIS2MAP_UNITS, code);

	if (!u)
		return lnob_errf(err, errlen, LNOB_E_NOTFOUND, "%s: [org_units] has no orgUnit "
				 "for unit '%s' (row %zu of the export)", dhis2map_file(map),
				 code ? code : "?", k + 1);
	for (size_t i = 0; i < dhis2map_count(map, DHIS2MAP_ELEMENTS); i++) {
		const dhis2map_entry_t *e = dhis2map_entry(map, DHIS2MAP_ELEMENTS, i);
		const json_t *v = json_object_get(row, e->code);
		export_dv_t *dv;

		if (!v || json_is_null(v))
			continue;    /* not known: left out, never 0 */
		if (lnob_grow(&ret->v, ret->n, cap, sizeof(*ret->v), 64) < 0)
			return lnob_errf(err, errlen, -ENOMEM, "out of memory");
		dv = &ret->v[ret->n];
		*dv = (export_dv_t){ .org_unit = u->id, .data_element = e->id, .coc = e->coc };
		if (!s_number(v, dv->value, sizeof(dv->value)))
			return lnob_errf(err, errlen, LNOB_E_INVALID, "not an export document: "
					 "unit '%s': %s is not a number", code, e->code);
		ret->n++;
	}
	return 0;
}

int export_dvs_build(const json_t *doc, const dhis2map_t *map, export_dvs_t *ret, char *err,
		     size_t errlen)
{
	const json_t *sheet = export_find_sheet(doc, "summary"), *row;
	export_dvs_t dvs = { 0 };
	size_t i, cap = 0;
	int r;

	if (!sheet)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "not an export document: no summary");
	if ((r = export_check_sheet(sheet, err, errlen)) < 0 ||
	    (r = s_head(doc, sheet, map, &dvs, err, errlen)) < 0)
		return r;
	json_array_foreach(json_object_get(sheet, "rows"), i, row)
		if ((r = s_row(row, i, map, &dvs, &cap, err, errlen)) < 0) {
			export_dvs_free(&dvs);
			return r;
		}
	*ret = dvs;
	return 0;
}

void export_dvs_free(export_dvs_t *dvs)
{
	free(dvs->v);
	dvs->v = NULL;
	dvs->n = 0;
}

int export_render_mapped(const json_t *doc, export_format_t f, const dhis2map_t *map,
			 unsigned char **ret_buf, size_t *ret_len, char *err, size_t errlen)
{
	export_dvs_t dvs = { 0 };
	int r;

	if (f != EXPORT_ADX && f != EXPORT_DHIS2)
		return export_render(doc, f, ret_buf, ret_len, err, errlen);
	if (!map)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s needs a mapping",
				 f == EXPORT_ADX ? "ADX" : "dataValueSets");
	if ((r = export_dvs_build(doc, map, &dvs, err, errlen)) < 0)
		return r;
	r = f == EXPORT_ADX ? export_render_adx(&dvs, ret_buf, ret_len, err, errlen)
			    : export_render_dhis2(&dvs, ret_buf, ret_len, err, errlen);
	export_dvs_free(&dvs);
	return r;
}
