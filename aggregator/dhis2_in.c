/*
 * dhis2_in.c: the baseline file from a DHIS2 export (dhis2_in.h): each
 * data value a reader hands over checked against the mapping, kept in a
 * table of units by indicators, and the table written as the campaign's
 * baseline CSV.
 */
#include "dhis2_in_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "report.h"
#include "util.h"

/* "<file>[:<line>]: <where><sep><field>: <fmt...>", the value's place
 * (group: its group's). */
__attribute__((format(printf, 7, 8)))
static int s_fail(const dhis2_in_table_t *t, const dhis2_in_value_t *v, bool group,
		  const char *field, char *err, size_t errlen, const char *fmt, ...)
{
	unsigned line = group ? v->gline : v->line;
	char what[512], at[16] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(at, sizeof(at), ":%u", line);
	return lnob_errf(err, errlen, LNOB_E_INVALID, "%s%s: %s%s%s: %s", t->o->name, at,
			 group ? v->gwhere : v->where, v->sep, field, what);
}

static const char *s_q(const char *s)
{
	return s ? s : "";
}

/* The unit (its index in [org_units]) of v, or -1 after the error. */
static long s_unit(const dhis2_in_table_t *t, const dhis2_in_value_t *v, char *err,
		   size_t errlen)
{
	const dhis2map_t *m = t->o->map;
	const dhis2map_entry_t *u = dhis2map_find_id(m, DHIS2MAP_UNITS, v->org_unit, NULL);

	if (!v->org_unit)
		return s_fail(t, v, true, "orgUnit", err, errlen, "missing"), -1;
	if (!u)
		return s_fail(t, v, true, "orgUnit", err, errlen, "'%s' is not in "
			      "[org_units] of %s", v->org_unit, dhis2map_file(m)), -1;
	return (long)(u - dhis2map_entry(m, DHIS2MAP_UNITS, 0));
}

/* The period and attributeOptionCombo of v. Returns 0 or the error. */
static int s_period(const dhis2_in_table_t *t, const dhis2_in_value_t *v, bool adx, char *err,
		    size_t errlen)
{
	const char *want = adx ? t->adx_period : t->o->period, *aoc = dhis2map_aoc(t->o->map);

	if (!v->period)
		return s_fail(t, v, true, "period", err, errlen, "missing");
	if (strcmp(v->period, want) != 0)
		return s_fail(t, v, true, "period", err, errlen, "'%s' is not the period "
			      "imported (%s)", v->period, want);
	if (aoc && v->aoc && strcmp(aoc, v->aoc) != 0)
		return s_fail(t, v, true, "attributeOptionCombo", err, errlen, "'%s' is "
			      "not the mapping's (%s)", v->aoc, aoc);
	return 0;
}

/* The indicator of v's dataElement and categoryOptionCombo: the entry of
 * both, else the dataElement's entry without one. -1 after the error. */
static int s_indicator(const dhis2_in_table_t *t, const dhis2_in_value_t *v, char *err,
		       size_t errlen)
{
	const dhis2map_t *m = t->o->map;
	const dhis2map_entry_t *e = NULL;

	if (!v->data_element)
		return s_fail(t, v, false, "dataElement", err, errlen, "missing"), -1;
	if (v->coc)
		e = dhis2map_find_id(m, DHIS2MAP_ELEMENTS, v->data_element, v->coc);
	if (!e)
		e = dhis2map_find_id(m, DHIS2MAP_ELEMENTS, v->data_element, NULL);
	if (!e)
		return s_fail(t, v, false, "dataElement", err, errlen, "'%s'%s%s%s is not in "
			      "[data_elements] of %s", v->data_element, v->coc ?
			      " with categoryOptionCombo '" : "", s_q(v->coc), v->coc ? "'" : "",
			      dhis2map_file(m)), -1;
	return campaign_indicator_find(t->o->camp, e->code);
}

int dhis2_in_add(dhis2_in_table_t *t, const dhis2_in_value_t *v, char *err, size_t errlen)
{
	const campaign_indicator_t *ind;
	long u = s_unit(t, v, err, errlen);
	int i, r;
	int64_t n;
	size_t k;

	if (u < 0)
		return LNOB_E_INVALID;
	if ((r = s_period(t, v, strcmp(v->sep, "/@") == 0, err, errlen)) < 0 ||
	    (i = s_indicator(t, v, err, errlen)) < 0)
		return r < 0 ? r : LNOB_E_INVALID;
	if (!(ind = campaign_indicator(t->o->camp, i)))
		return s_fail(t, v, false, "dataElement", err, errlen, "not an indicator");
	if (!v->value)
		return s_fail(t, v, false, "value", err, errlen, "missing");
	if (ind->kind != CAMPAIGN_IND_COUNT && ind->kind != CAMPAIGN_IND_AMOUNT) {
		t->stats.derived++;     /* a baseline holds counts and amounts */
		return 0;
	}
	if (!lnob_parse_digits(v->value, REPORT_VALUE_MAX, &n))
		return s_fail(t, v, false, "value", err, errlen, "'%s' is not a whole number "
			      "0..%lld", v->value, (long long)REPORT_VALUE_MAX);
	k = (size_t)u * CAMPAIGN_INDICATORS_MAX + (size_t)i;
	if (t->first[k])
		return s_fail(t, v, false, "value", err, errlen, "a second value of unit %s, "
			      "%s (first at %s)",
			      dhis2map_entry(t->o->map, DHIS2MAP_UNITS, (size_t)u)->code, ind->code,
			      t->first[k]);
	if (!(t->first[k] = strdup(v->pos)))
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	t->v[k] = n;
	t->used[i] = true;
	t->stats.values++;
	return 0;
}

/* The row of unit u into out, when it has a value. */
static void s_row(const dhis2_in_table_t *t, size_t u, FILE *out)
{
	const size_t base = u * CAMPAIGN_INDICATORS_MAX;
	size_t nind = campaign_indicator_count(t->o->camp);
	bool any = false;

	for (size_t i = 0; i < nind; i++)
		any = any || t->first[base + i];
	if (!any)
		return;
	fputs(dhis2map_entry(t->o->map, DHIS2MAP_UNITS, u)->code, out);
	for (size_t i = 0; i < nind; i++)
		if (t->used[i] && t->first[base + i])
			fprintf(out, ",%lld", (long long)t->v[base + i]);
		else if (t->used[i])
			fputc(',', out);
	fputc('\n', out);
}

/* The table as the baseline CSV. */
static int s_csv(dhis2_in_table_t *t, char **ret, size_t *ret_len)
{
	size_t nind = campaign_indicator_count(t->o->camp);
	size_t nunits = dhis2map_count(t->o->map, DHIS2MAP_UNITS);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return -ENOMEM;
	fputs("unit", out);
	for (size_t i = 0; i < nind; i++)
		if (t->used[i])
			fprintf(out, ",%s", campaign_indicator(t->o->camp, (int)i)->code);
	fputc('\n', out);
	for (size_t u = 0; u < nunits; u++) {
		size_t before = t->stats.units;

		s_row(t, u, out);
		for (size_t i = 0; i < nind && before == t->stats.units; i++)
			if (t->first[u * CAMPAIGN_INDICATORS_MAX + i])
				t->stats.units++;
	}
	if (fclose(out) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static void s_table_free(dhis2_in_table_t *t, size_t cells)
{
	for (size_t k = 0; t->first && k < cells; k++)
		free(t->first[k]);
	free(t->first);
	free(t->v);
}

int dhis2_in_read(const char *text, size_t len, const dhis2_in_opts_t *o, char **ret_csv,
		  size_t *ret_len, dhis2_in_stats_t *ret_stats, char *err, size_t errlen)
{
	size_t cells = dhis2map_count(o->map, DHIS2MAP_UNITS) * CAMPAIGN_INDICATORS_MAX, bom = 0, k;
	dhis2_in_table_t t = { .o = o };
	int r = 0;

	if (dhis2map_adx_period(o->period, t.adx_period, sizeof(t.adx_period)) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "'%s' is not a DHIS2 period lnob "
				 "knows (YYYY, YYYYSn, YYYYQn, YYYYMM, YYYYMMDD)", o->period);
	t.v = calloc(cells ? cells : 1, sizeof(*t.v));
	t.first = calloc(cells ? cells : 1, sizeof(*t.first));
	if (!t.v || !t.first) {
		free(t.v);
		free(t.first);
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		bom = 3;    /* a byte-order mark: jansson would refuse it */
	for (k = bom; k < len && text[k] && strchr(" \t\r\n", text[k]); k++)
		;
	if (r == 0 && k < len && text[k] == '{')
		r = dhis2_in_json(text + bom, len - bom, &t, err, errlen);
	else if (r == 0 && k < len && text[k] == '<')
		r = dhis2_in_adx(text, len, &t, err, errlen);
	else if (r == 0)
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: neither dataValueSets JSON ('{') "
			      "nor ADX XML ('<')", o->name);
	if (r == 0 && t.stats.values == 0)
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: no data value of period %s of a count "
			      "or amount to import", o->name, o->period);
	if (r == 0 && (r = s_csv(&t, ret_csv, ret_len)) < 0)
		lnob_errf(err, errlen, r, "out of memory");
	if (r == 0)
		*ret_stats = t.stats;
	s_table_free(&t, cells);
	return r;
}
