/*
 * dhis2map.c: the DHIS2 mapping file (dhis2map.h): read by the INI reader
 * (inifile.h), every section and key checked with its line, the lists kept
 * in file order, with two sorted indexes each (by lnob code, by DHIS2
 * identifier and categoryOptionCombo) for the lookups in O(log n) and the
 * reverse uniqueness check (neighbours in the second).
 */
#include "dhis2map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "inifile.h"
#include "lnob_err.h"
#include "util.h"

#define DHIS2MAP_MAX_BYTES ((size_t)16 << 20)
#define DHIS2MAP_LISTS 3

struct dhis2map {
	inifile_t *ini;
	char *name;
	const char *data_set, *aoc, *baseline;
	dhis2map_entry_t *list[DHIS2MAP_LISTS];
	size_t n[DHIS2MAP_LISTS];
	size_t *by_code[DHIS2MAP_LISTS], *by_id[DHIS2MAP_LISTS];   /* entry indices, sorted */
	char *cocs;             /* [data_elements] values split in place: a copy */
	size_t cocs_len;
};

static const char *const s_lists[DHIS2MAP_LISTS] = { "org_units", "data_elements", "periods" };

/* "<file>:<line>: [section] key: <problem>" */
static int s_fail(const dhis2map_t *m, const inifile_kv_t *kv, char *err, size_t errlen,
		  const char *what)
{
	return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s:%u: [%s] %s: %s", m->name, kv->line,
			 kv->section, kv->key, what);
}

/* A DHIS2 identifier: 1..64 of A-Za-z0-9._- */
static bool s_id_ok(const char *s)
{
	return lnob_valid_id(s);
}

/* [mapping]'s keys. */
static int s_mapping_key(dhis2map_t *m, const inifile_kv_t *kv, char *err, size_t errlen)
{
	char adx[32];

	if (strcmp(kv->key, "data_set") == 0)
		m->data_set = kv->value;
	else if (strcmp(kv->key, "attribute_option_combo") == 0)
		m->aoc = kv->value;
	else if (strcmp(kv->key, "baseline_period") == 0)
		m->baseline = kv->value;
	else
		return s_fail(m, kv, err, errlen, "unknown key (data_set, attribute_option_combo, "
			      "baseline_period)");
	if (m->baseline == kv->value)
		return dhis2map_adx_period(kv->value, adx, sizeof(adx)) == 0 ? 0 :
		       s_fail(m, kv, err, errlen, "not a DHIS2 period lnob knows (YYYY, YYYYSn, "
			      "YYYYQn, YYYYMM, YYYYMMDD)");
	return s_id_ok(kv->value) ? 0 : s_fail(m, kv, err, errlen, "not an identifier "
					       "(1..64 of A-Za-z0-9._-)");
}

/* A [data_elements] value "DE [COC]" split into e (in the copy m->cocs at
 * offset off of the value). Returns 0 or LNOB_E_CONFIG. */
static int s_element(dhis2map_t *m, const inifile_kv_t *kv, dhis2map_entry_t *e, size_t *off,
		     char *err, size_t errlen)
{
	char *s = m->cocs + *off, *sp;
	size_t len = strlen(kv->value);

	memcpy(s, kv->value, len + 1);
	*off += len + 1;
	e->id = s;
	if ((sp = strpbrk(s, " \t"))) {
		*sp++ = '\0';
		sp += strspn(sp, " \t");
		e->coc = sp;
	}
	if (!s_id_ok(e->id) || (e->coc && !s_id_ok(e->coc)))
		return s_fail(m, kv, err, errlen, "expected a dataElement id and an optional "
			      "categoryOptionCombo id (each 1..64 of A-Za-z0-9._-)");
	return 0;
}

/* An entry of list l from kv. */
static int s_entry(dhis2map_t *m, int l, const inifile_kv_t *kv, size_t *off, char *err,
		   size_t errlen)
{
	dhis2map_entry_t *e = &m->list[l][m->n[l]++];
	char adx[32];

	*e = (dhis2map_entry_t){ .code = kv->key, .id = kv->value, .line = kv->line };
	if (!lnob_valid_id(kv->key))
		return s_fail(m, kv, err, errlen, "not an lnob code (1..64 of A-Za-z0-9._-)");
	if (l == DHIS2MAP_ELEMENTS)
		return s_element(m, kv, e, off, err, errlen);
	if (l == DHIS2MAP_PERIODS)
		return dhis2map_adx_period(kv->value, adx, sizeof(adx)) == 0 ? 0 :
		       s_fail(m, kv, err, errlen, "not a DHIS2 period lnob knows (YYYY, YYYYSn, "
			      "YYYYQn, YYYYMM, YYYYMMDD)");
	return s_id_ok(kv->value) ? 0 : s_fail(m, kv, err, errlen, "not an identifier "
					       "(1..64 of A-Za-z0-9._-)");
}

/* NULL (no categoryOptionCombo) before any. */
static int s_cmp_coc(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int s_cmp_code(const void *x, const void *y, void *list)
{
	const dhis2map_entry_t *v = list;

	return strcmp(v[*(const size_t *)x].code, v[*(const size_t *)y].code);
}

static int s_cmp_id(const void *x, const void *y, void *list)
{
	const dhis2map_entry_t *a = (const dhis2map_entry_t *)list + *(const size_t *)x;
	const dhis2map_entry_t *b = (const dhis2map_entry_t *)list + *(const size_t *)y;
	int r = strcmp(a->id, b->id);

	r = r ? r : s_cmp_coc(a->coc, b->coc);
	return r ? r : (a->line > b->line) - (a->line < b->line);
}

/* The sorted indexes of every list, and no DHIS2 identifier (with its
 * categoryOptionCombo) twice in a list: the later line is named. */
static int s_index(dhis2map_t *m, char *err, size_t errlen)
{
	for (int l = 0; l < DHIS2MAP_LISTS; l++) {
		size_t n = m->n[l];

		m->by_code[l] = malloc((n ? n : 1) * sizeof(size_t));
		m->by_id[l] = malloc((n ? n : 1) * sizeof(size_t));
		if (!m->by_code[l] || !m->by_id[l])
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			m->by_code[l][i] = m->by_id[l][i] = i;
		qsort_r(m->by_code[l], n, sizeof(size_t), s_cmp_code, m->list[l]);
		qsort_r(m->by_id[l], n, sizeof(size_t), s_cmp_id, m->list[l]);
		for (size_t i = 1; i < n; i++) {
			const dhis2map_entry_t *a = &m->list[l][m->by_id[l][i - 1]];
			const dhis2map_entry_t *b = &m->list[l][m->by_id[l][i]];

			if (strcmp(a->id, b->id) == 0 && s_cmp_coc(a->coc, b->coc) == 0)
				return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s:%u: [%s] %s: '%s%s%s' "
						 "is already %s's (line %u)", m->name, b->line,
						 s_lists[l], b->code, b->id, b->coc ? " " : "",
						 b->coc ? b->coc : "", a->code, a->line);
		}
	}
	return 0;
}

/* Every key of the file into m. */
static int s_keys(dhis2map_t *m, char *err, size_t errlen)
{
	size_t n = inifile_entry_count(m->ini), off = 0;
	int r = 0;

	for (int l = 0; l < DHIS2MAP_LISTS; l++)
		if (!(m->list[l] = calloc(n ? n : 1, sizeof(*m->list[l]))))
			return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		m->cocs_len += strlen(inifile_entry(m->ini, i)->value) + 1;
	if (!(m->cocs = malloc(m->cocs_len + 1)))
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++) {
		const inifile_kv_t *kv = inifile_entry(m->ini, i);
		int l;

		for (l = 0; l < DHIS2MAP_LISTS && strcmp(kv->section, s_lists[l]) != 0; l++)
			;
		if (strcmp(kv->section, "mapping") == 0)
			r = s_mapping_key(m, kv, err, errlen);
		else if (l < DHIS2MAP_LISTS)
			r = s_entry(m, l, kv, &off, err, errlen);
		else
			r = lnob_errf(err, errlen, LNOB_E_CONFIG, "%s:%u: unknown section [%s] "
				      "(mapping, org_units, data_elements, periods)", m->name,
				      kv->line, kv->section);
	}
	return r;
}

/* Sections without keys are still known ones. */
static int s_sections(const dhis2map_t *m, char *err, size_t errlen)
{
	for (size_t i = 0; i < inifile_section_count(m->ini); i++) {
		const inifile_section_t *s = inifile_section(m->ini, i);
		bool known = strcmp(s->name, "mapping") == 0;

		for (int l = 0; !known && l < DHIS2MAP_LISTS; l++)
			known = strcmp(s->name, s_lists[l]) == 0;
		if (!known)
			return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s:%u: unknown section [%s] "
					 "(mapping, org_units, data_elements, periods)", m->name,
					 s->line, s->name);
	}
	return 0;
}

int dhis2map_load_mem(const char *text, const char *name, dhis2map_t **ret, char *err,
		      size_t errlen)
{
	dhis2map_t *m = calloc(1, sizeof(*m));
	int r;

	if (!m || !(m->name = strdup(name ? name : "<memory>"))) {
		free(m);
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	}
	r = inifile_parse(text, m->name, INIFILE_SECTIONS | INIFILE_KEYS_ONCE, &m->ini, err,
			  errlen);
	if (r == 0 && (r = s_sections(m, err, errlen)) == 0 && (r = s_keys(m, err, errlen)) == 0 &&
	    !m->data_set)
		r = lnob_errf(err, errlen, LNOB_E_CONFIG, "%s: [mapping] data_set: missing", m->name);
	if (r == 0)
		r = s_index(m, err, errlen);
	if (r == -ENOMEM)
		lnob_errf(err, errlen, r, "%s: out of memory", m->name);
	if (r < 0) {
		dhis2map_destroy(&m);
		return r;
	}
	*ret = m;
	return 0;
}

int dhis2map_load(const char *path, dhis2map_t **ret, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r = inifile_read_text(path, DHIS2MAP_MAX_BYTES, &text, &len, err, errlen);

	if (r == 0)
		r = dhis2map_load_mem(text, path, ret, err, errlen);
	free(text);
	return r;
}

void dhis2map_destroy(dhis2map_t **self_p)
{
	dhis2map_t *m = self_p ? *self_p : NULL;

	if (!m)
		return;
	for (int l = 0; l < DHIS2MAP_LISTS; l++) {
		free(m->list[l]);
		free(m->by_code[l]);
		free(m->by_id[l]);
	}
	free(m->cocs);
	inifile_destroy(&m->ini);
	free(m->name);
	free(m);
	*self_p = NULL;
}

/* Is code a unit of hier, an indicator or a period of camp (by list)? */
static bool s_known(int l, const char *code, const campaign_t *camp, const hier_t *hier)
{
	if (l == DHIS2MAP_UNITS)
		return !hier || hier_find(hier, code) >= 0;
	if (l == DHIS2MAP_ELEMENTS)
		return !camp || campaign_indicator_find(camp, code) >= 0;
	return !camp || campaign_period_find(camp, code) != NULL;
}

int dhis2map_check(const dhis2map_t *self, const campaign_t *camp, const hier_t *hier, char *err,
		   size_t errlen)
{
	static const char *const what[DHIS2MAP_LISTS] = {
		"not a unit of the hierarchy", "not an indicator of campaign", "not a period of campaign"
	};

	for (int l = 0; l < DHIS2MAP_LISTS; l++)
		for (size_t i = 0; i < self->n[l]; i++) {
			const dhis2map_entry_t *e = &self->list[l][i];

			if (!s_known(l, e->code, camp, hier))
				return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s:%u: [%s] %s: %s%s%s",
						 self->name, e->line, s_lists[l], e->code, what[l],
						 l == DHIS2MAP_UNITS ? "" : " ",
						 l == DHIS2MAP_UNITS ? "" : campaign_id(camp));
		}
	return 0;
}

const char *dhis2map_file(const dhis2map_t *self)
{
	return self->name;
}

const char *dhis2map_data_set(const dhis2map_t *self)
{
	return self->data_set;
}

const char *dhis2map_aoc(const dhis2map_t *self)
{
	return self->aoc;
}

const char *dhis2map_baseline_period(const dhis2map_t *self)
{
	return self->baseline;
}

size_t dhis2map_count(const dhis2map_t *self, dhis2map_list_t list)
{
	return (unsigned)list < DHIS2MAP_LISTS ? self->n[list] : 0;
}

const dhis2map_entry_t *dhis2map_entry(const dhis2map_t *self, dhis2map_list_t list, size_t i)
{
	return i < dhis2map_count(self, list) ? &self->list[list][i] : NULL;
}

const dhis2map_entry_t *dhis2map_find(const dhis2map_t *self, dhis2map_list_t list,
				      const char *code)
{
	size_t lo = 0, hi = dhis2map_count(self, list);

	while (code && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const dhis2map_entry_t *e = &self->list[list][self->by_code[list][mid]];
		int c = strcmp(code, e->code);

		if (c == 0)
			return e;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const dhis2map_entry_t *dhis2map_find_id(const dhis2map_t *self, dhis2map_list_t list,
					 const char *id, const char *coc)
{
	size_t lo = 0, hi = dhis2map_count(self, list);

	if (list != DHIS2MAP_ELEMENTS)
		coc = NULL;
	while (id && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const dhis2map_entry_t *e = &self->list[list][self->by_id[list][mid]];
		int c = strcmp(id, e->id);

		c = c ? c : s_cmp_coc(coc, e->coc);
		if (c == 0)
			return e;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ---- periods ------------------------------------------------------------ */

int dhis2map_adx_period(const char *period, char *buf, size_t len)
{
	const char *p = period;
	int y, a = 0, d = 1;
	char kind = 'Y';

	if (len < 20 || !p || !calendar_digits(&p, 4, &y) || y < 1)
		return LNOB_E_INVALID;
	if (*p == 'S' || *p == 'Q') {
		kind = *p++;
		if (!calendar_digits(&p, 1, &a) || a < 1 || a > (kind == 'S' ? 2 : 4))
			return LNOB_E_INVALID;
	} else if (*p && calendar_digits(&p, 2, &a)) {
		kind = 'M';
		if (a < 1 || a > 12)
			return LNOB_E_INVALID;
		if (*p && calendar_digits(&p, 2, &d)) {
			kind = 'D';
			if (d < 1 || d > calendar_month_days(y, a))
				return LNOB_E_INVALID;
		}
	}
	if (*p)
		return LNOB_E_INVALID;
	if (kind == 'Y')
		snprintf(buf, len, "%04d-01-01/P1Y", y);
	else if (kind == 'S')
		snprintf(buf, len, "%04d-%02d-01/P6M", y, a == 1 ? 1 : 7);
	else if (kind == 'Q')
		snprintf(buf, len, "%04d-%02d-01/P3M", y, 3 * a - 2);
	else if (kind == 'M')
		snprintf(buf, len, "%04d-%02d-01/P1M", y, a);
	else
		snprintf(buf, len, "%04d-%02d-%02d/P1D", y, a, d);
	return 0;
}
