/*
 * campaign_load.c: loading a campaign file (campaign.h). The INI reader
 * (inifile.h) parses it into sections; this file takes them in the order
 * their references need ([campaign], [indicators] and what names
 * indicators, [deadlines] and [period], [target], [cluster], [awards] and
 * [award], the baseline file) and builds the [campaign], [deadlines],
 * [period] and [cluster] parts itself; and a file's [campaign] id alone.
 */
#include "campaign.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "campaign_int.h"
#include "lnob_err.h"
#include "util.h"

/* Largest campaign file accepted. */
#define CAMPAIGN_MAX_BYTES ((size_t)1 << 20)

static const cload_keyspec_t s_campaign_keys[] = {
	{ "id", false }, { "name", false }, { "plan", false }, { "start", false },
	{ "end", false }, { "baseline_date", false }, { "utc_offset", false },
	{ "levels", true }, { "reported_by", false }, { "partial", false },
	{ "baseline_file", false }, { NULL, false },
};

/* [campaign] start, end, baseline_date and utc_offset. */
static int s_campaign_dates(cload_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;
	const inifile_kv_t *kv;

	if (cload_date_key(b, s, "start", &c->start_day, &c->first_year) ||
	    cload_date_key(b, s, "end", &c->end_day, &c->last_year) ||
	    cload_date_key(b, s, "baseline_date", &c->base_day, &c->base_year))
		return b->fail.code;
	if (c->end_day < c->start_day)
		return cload_fail(b, inifile_section_get(s, "end")->line, "[campaign] end: before start");
	if (c->base_day >= c->start_day)
		return cload_fail(b, inifile_section_get(s, "baseline_date")->line,
				  "[campaign] baseline_date: must be before start");
	if (c->base_year >= c->last_year)
		return cload_fail(b, inifile_section_get(s, "baseline_date")->line,
				  "[campaign] baseline_date: must be in a year before the campaign's last");
	c->utc_offset = 7 * 3600;
	if ((kv = inifile_section_get(s, "utc_offset")) &&
	    !calendar_parse_offset(kv->value, &c->utc_offset))
		return cload_fail(b, kv->line, "[campaign] utc_offset: not an offset (+HH:MM): '%s'",
				  kv->value);
	return 0;
}

/* [campaign] levels (each once, never "all") and reported_by (default:
 * the lowest level). */
static int s_campaign_levels(cload_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;
	const inifile_kv_t *kv;
	cload_item_t *lv;
	size_t nlv;

	if (cload_list(b, s, "levels", &lv, &nlv))
		return b->fail.code;
	if (nlv == 0)
		return cload_fail(b, s->line, "[campaign] levels: missing");
	if (!(c->levels = campaign_zalloc(c, nlv * sizeof(*c->levels))))
		return cload_oom(b);
	c->levels_line = lv[0].line;
	for (size_t i = 0; i < nlv; i++) {
		if (campaign_level_index(c, lv[i].text) >= 0)
			return cload_fail(b, lv[i].line, "[campaign] levels: '%s' given twice", lv[i].text);
		if (strcmp(lv[i].text, "all") == 0)
			return cload_fail(b, lv[i].line, "[campaign] levels: 'all' is not a level name "
					  "(reported_by = all means every level)");
		c->levels[c->nlevels++] = (char *)lv[i].text;
	}
	if (!(c->rep_default = campaign_zalloc(c, c->nlevels * sizeof(*c->rep_default))))
		return cload_oom(b);
	kv = inifile_section_get(s, "reported_by");
	if (kv && !*kv->value)
		return cload_fail(b, kv->line, "[campaign] reported_by: empty");
	if (!kv)
		c->rep_default[c->nlevels - 1] = true;
	else if (cload_reporters(b, s, kv, c->rep_default))
		return b->fail.code;
	return 0;
}

/* [campaign]; *ret_bl and *ret_bl_line: its baseline_file and line (NULL
 * and 0 when none). */
static int s_build_campaign(cload_t *b, const inifile_section_t *s, const char **ret_bl,
			    unsigned *ret_bl_line)
{
	campaign_t *c = b->c;
	const inifile_kv_t *kv;

	if (*s->id)
		return cload_fail(b, s->line, "[%s]: [campaign] takes no id", s->name);
	if (cload_check_keys(b, s, s_campaign_keys))
		return b->fail.code;
	if (!(kv = cload_need(b, s, "id")))
		return b->fail.code;
	if (!lnob_valid_id(kv->value))
		return cload_fail(b, kv->line, "[campaign] id: bad id '%s' (1..64 of A-Za-z0-9._-)",
				  kv->value);
	if (!(c->id = campaign_strdup(c, kv->value)))
		return cload_oom(b);
	if (!(kv = cload_need(b, s, "name")))
		return b->fail.code;
	if (!(c->name = campaign_strdup(c, kv->value)))
		return cload_oom(b);
	if (!(c->plan = campaign_strdup(c, cload_text(s, "plan"))))
		return cload_oom(b);
	if (s_campaign_dates(b, s) || s_campaign_levels(b, s))
		return b->fail.code;
	/* Verdicts on partial figures: judged on the comparable basis, or withheld. */
	if ((kv = inifile_section_get(s, "partial"))) {
		if (strcmp(kv->value, "withhold") == 0)
			c->withhold = true;
		else if (strcmp(kv->value, "comparable") != 0)
			return cload_fail(b, kv->line, "[campaign] partial: expected comparable or "
					  "withhold, not '%s'", kv->value);
	}
	kv = inifile_section_get(s, "baseline_file");
	if (kv && !*kv->value)
		return cload_fail(b, kv->line, "[campaign] baseline_file: empty");
	*ret_bl = kv ? kv->value : NULL;
	*ret_bl_line = kv ? kv->line : 0;
	return 0;
}

static int s_build_deadlines(cload_t *b, const inifile_section_t *s)
{
	campaign_t *c = b->c;

	if (*s->id)
		return cload_fail(b, s->line, "[%s]: [deadlines] takes no id", s->name);
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		int l = campaign_level_index(c, kv->key);
		campaign_deadline_t *d;

		if (l < 0)
			return cload_fail(b, kv->line, "[deadlines] %s: not a level of [campaign] levels", kv->key);
		d = &c->annual[l];
		if (d->set)
			return cload_fail(b, kv->line, "[deadlines] %s: given twice (first on line %u)",
					  kv->key, d->line);
		d->line = kv->line;
		if (!(d->set = calendar_parse_deadline(kv->value, false, &d->when)))
			return cload_fail(b, kv->line, "[deadlines] %s: expected 'before MM-DD [HH:MM]' or "
					  "'by MM-DD [HH:MM]': '%s'", kv->key, kv->value);
	}
	return 0;
}

static const cload_keyspec_t s_period_keys[] = {
	{ "kind", false }, { "start", false }, { "end", false }, { "years", false },
	{ "previous", false }, { "deadline.*", false }, { NULL, false },
};

static int s_build_period(cload_t *b, const inifile_section_t *s, size_t pi)
{
	campaign_t *c = b->c;
	campaign_period_t *p = &c->periods[pi];
	const inifile_kv_t *kv;
	int64_t years;

	if (cload_object(b, s, "period", s_period_keys))
		return b->fail.code;
	p->id = s->id;
	p->line = s->line;
	p->previous = -1;
	if (!(kv = cload_need(b, s, "kind")))
		return b->fail.code;
	if (!cload_period_kind(kv->value, "year", &p->kind))
		return cload_fail(b, kv->line, "[%s] kind: expected year, midterm or final: '%s'",
				  s->name, kv->value);
	if (cload_date_key(b, s, "start", &p->start_day, &p->start_year) ||
	    cload_date_key(b, s, "end", &p->end_day, &p->end_year))
		return b->fail.code;
	if (p->end_day < p->start_day)
		return cload_fail(b, inifile_section_get(s, "end")->line, "[%s] end: before start", s->name);
	if (p->start_day < c->start_day || p->end_day > c->end_day)
		return cload_fail(b, inifile_section_get(s, p->start_day < c->start_day ? "start" : "end")->line,
				  "[%s]: outside the campaign's start and end", s->name);
	years = p->end_year - c->base_year;
	if ((kv = inifile_section_get(s, "years")) && !lnob_parse_digits(kv->value, CAMPAIGN_YEARS_MAX, &years))
		return cload_fail(b, kv->line, "[%s] years: not a number of years: '%s'", s->name, kv->value);
	if (years < 1)
		return cload_fail(b, kv ? kv->line : s->line,
				  "[%s] years: must be at least 1 (the campaign years since the baseline)",
				  s->name);
	p->years = (unsigned)years;
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *d = &s->kv[i];
		const char *level;
		campaign_deadline_t *slot;
		int l;

		if (strncmp(d->key, "deadline.", 9) != 0)
			continue;
		level = d->key + 9;
		if ((l = campaign_level_index(c, level)) < 0)
			return cload_fail(b, d->line, "[%s] %s: '%s' is not a level of [campaign] levels",
					  s->name, d->key, level);
		slot = &c->pdl[pi * c->nlevels + (size_t)l];
		slot->line = d->line;
		if (!(slot->set = calendar_parse_deadline(d->value, true, &slot->when)))
			return cload_fail(b, d->line, "[%s] %s: expected 'before YYYY-MM-DD [HH:MM]' or "
					  "'by YYYY-MM-DD [HH:MM]': '%s'", s->name, d->key, d->value);
	}
	return 0;
}

/* Sets every period's previous, from its key or by default. */
static int s_link_periods(cload_t *b, const inifile_section_t *const *psecs)
{
	campaign_t *c = b->c;

	for (size_t i = 0; i < c->nperiods; i++) {
		campaign_period_t *p = &c->periods[i];
		const inifile_kv_t *kv = inifile_section_get(psecs[i], "previous");

		if (kv) {
			const campaign_period_t *q = campaign_period_find(c, kv->value);

			if (!q)
				return cload_fail(b, kv->line, "[%s] previous: unknown period '%s'",
						  psecs[i]->name, kv->value);
			if (q->end_day >= p->end_day)
				return cload_fail(b, kv->line, "[%s] previous: '%s' does not end before it",
						  psecs[i]->name, kv->value);
			p->previous = (int)(q - c->periods);
			continue;
		}
		for (size_t j = 0; j < c->nperiods; j++) {
			const campaign_period_t *q = &c->periods[j];

			if (q->kind != CAMPAIGN_PERIOD_YEAR || q->end_day >= p->end_day)
				continue;
			if (p->previous < 0 || q->end_day > c->periods[p->previous].end_day)
				p->previous = (int)j;
		}
	}
	return 0;
}

/* Refuses two periods of one kind whose days overlap: a day of a year
 * period belongs to that year alone, and so for midterm and final. Named
 * at the later section's line, with the days they share. */
static int s_check_overlaps(cload_t *b)
{
	const campaign_t *c = b->c;

	for (size_t j = 1; j < c->nperiods; j++) {
		const campaign_period_t *q = &c->periods[j];

		for (size_t i = 0; i < j; i++) {
			const campaign_period_t *p = &c->periods[i];
			int32_t from = p->start_day > q->start_day ? p->start_day : q->start_day;
			int32_t to = p->end_day < q->end_day ? p->end_day : q->end_day;
			int fy, fm, fd, ty, tm, td;

			if (p->kind != q->kind || from > to)
				continue;
			calendar_civil(from, &fy, &fm, &fd);
			calendar_civil(to, &ty, &tm, &td);
			return cload_fail(b, q->line, "[period %s]: overlaps [period %s], a period of "
					  "the same kind (%04d-%02d-%02d .. %04d-%02d-%02d in both)", q->id,
					  p->id, fy, fm, fd, ty, tm, td);
		}
	}
	return 0;
}

static const cload_keyspec_t s_cluster_keys[] = {
	{ "name", false }, { "members", true }, { "note", false }, { NULL, false },
};

static int s_build_cluster(cload_t *b, const inifile_section_t *s, size_t ci)
{
	campaign_t *c = b->c;
	campaign_cluster_t *cl = &c->clusters[ci];
	const inifile_kv_t *kv;
	cload_item_t *items;
	const char **m;
	size_t n;

	if (cload_object(b, s, "cluster", s_cluster_keys))
		return b->fail.code;
	cl->id = s->id;
	cl->line = s->line;
	if (!(kv = cload_need(b, s, "name")))
		return b->fail.code;
	cl->name = kv->value;
	if (cload_list(b, s, "members", &items, &n))
		return b->fail.code;
	if (n == 0)
		return cload_fail(b, s->line, "[%s] members: missing", s->name);
	m = campaign_zalloc(c, n * sizeof(*m));
	c->member_lines[ci] = campaign_zalloc(c, n * sizeof(**c->member_lines));
	if (!m || !c->member_lines[ci])
		return cload_oom(b);
	for (size_t i = 0; i < n; i++) {
		if (!lnob_valid_id(items[i].text))
			return cload_fail(b, items[i].line, "[%s] members: bad unit code '%s'", s->name,
					  items[i].text);
		for (size_t j = 0; j < i; j++)
			if (strcmp(m[j], items[i].text) == 0)
				return cload_fail(b, items[i].line, "[%s] members: '%s' given twice (line %u)",
						  s->name, items[i].text, c->member_lines[ci][j]);
		m[i] = items[i].text;
		c->member_lines[ci][i] = items[i].line;
	}
	cl->members = m;
	cl->nmembers = n;
	return 0;
}

/* The sections of a campaign file: the one-off ones, and how many of the
 * others. */
typedef struct s_secs {
	const inifile_section_t *camp, *inds, *labels, *dls, *awards, *repby;
	size_t np, nt, nc, na;
} s_secs_t;

/* Sorts the sections of ini by type into k; an unknown type is an error. */
static int s_sort_sections(cload_t *b, const inifile_t *ini, s_secs_t *k)
{
	const struct {
		const char *type;
		const inifile_section_t **one;
		size_t *count;
	} types[] = {
		{ "campaign", &k->camp, NULL }, { "indicators", &k->inds, NULL },
		{ "labels", &k->labels, NULL }, { "deadlines", &k->dls, NULL },
		{ "reported_by", &k->repby, NULL }, { "period", NULL, &k->np },
		{ "target", NULL, &k->nt }, { "cluster", NULL, &k->nc },
		{ "awards", &k->awards, NULL }, { "award", NULL, &k->na },
	};
	const size_t ntypes = sizeof(types) / sizeof(types[0]);

	for (size_t i = 0; i < inifile_section_count(ini); i++) {
		const inifile_section_t *s = inifile_section(ini, i);
		size_t t;

		for (t = 0; t < ntypes && strcmp(s->type, types[t].type) != 0; t++)
			;
		if (t == ntypes)
			return cload_fail(b, s->line, "[%s]: unknown section (campaign, indicators, labels, "
					  "reported_by, deadlines, period ID, target ID, cluster ID, awards, "
					  "award ID)", s->name);
		if (types[t].one)
			*types[t].one = s;
		else
			(*types[t].count)++;
	}
	return 0;
}

/* Allocates the model's arrays for the sections counted in k, and
 * *ret_psecs, *ret_tsecs for the sections of the periods and targets. */
static int s_alloc_model(cload_t *b, const s_secs_t *k, const inifile_section_t ***ret_psecs,
			 const inifile_section_t ***ret_tsecs)
{
	campaign_t *c = b->c;

	c->periods = campaign_zalloc(c, k->np * sizeof(*c->periods));
	c->annual = campaign_zalloc(c, c->nlevels * sizeof(*c->annual));
	c->pdl = campaign_zalloc(c, k->np * c->nlevels * sizeof(*c->pdl));
	c->targets = campaign_zalloc(c, k->nt * sizeof(*c->targets));
	c->tx = campaign_zalloc(c, k->nt * sizeof(*c->tx));
	c->clusters = campaign_zalloc(c, k->nc * sizeof(*c->clusters));
	c->member_lines = campaign_zalloc(c, k->nc * sizeof(*c->member_lines));
	c->rules = campaign_zalloc(c, k->na * sizeof(*c->rules));
	/* Arrays of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	*ret_psecs = campaign_zalloc(c, k->np * sizeof(**ret_psecs));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): the same */
	*ret_tsecs = campaign_zalloc(c, k->nt * sizeof(**ret_tsecs));
	if (!c->periods || !c->annual || !c->pdl || !c->targets || !c->tx || !c->clusters ||
	    !c->member_lines || !c->rules || !*ret_psecs || !*ret_tsecs)
		return cload_oom(b);
	return 0;
}

/* Builds each section of `type` with fn, in file order, the i-th as item
 * i, counting them in *count (and keeping the i-th in secs[i] when secs is
 * not NULL). */
static int s_build_each(cload_t *b, const inifile_t *ini, const char *type,
			int (*fn)(cload_t *b, const inifile_section_t *s, size_t i), size_t *count,
			const inifile_section_t **secs)
{
	for (size_t i = 0; i < inifile_section_count(ini); i++) {
		const inifile_section_t *s = inifile_section(ini, i);

		if (strcmp(s->type, type) != 0)
			continue;
		if (secs)
			secs[*count] = s;
		if (fn(b, s, *count))
			return b->fail.code;
		(*count)++;
	}
	return 0;
}

/* Builds the model from parsed sections, in the order their references
 * need. Returns 0 or the first error. */
static int s_build(cload_t *b, const inifile_t *ini)
{
	campaign_t *c = b->c;
	const inifile_section_t **psecs, **tsecs;
	s_secs_t k = { 0 };
	const char *bl = NULL;
	unsigned bl_line = 0;

	if (s_sort_sections(b, ini, &k))
		return b->fail.code;
	if (!k.camp)
		return cload_fail(b, 1, "no [campaign] section");
	if (s_build_campaign(b, k.camp, &bl, &bl_line))
		return b->fail.code;
	if (!k.inds)
		return cload_fail(b, 1, "no [indicators] section");
	if (cload_indicators(b, k.inds) || (k.labels && cload_labels(b, k.labels)) ||
	    cload_reported_by(b, k.repby))
		return b->fail.code;
	if (k.np == 0)
		return cload_fail(b, 1, "no [period ID] section");
	if (s_alloc_model(b, &k, &psecs, &tsecs) || (k.dls && s_build_deadlines(b, k.dls)))
		return b->fail.code;
	if (s_build_each(b, ini, "period", s_build_period, &c->nperiods, psecs) ||
	    s_check_overlaps(b) || s_link_periods(b, psecs))
		return b->fail.code;
	/* Targets: all first (any_of may name a later one), then links. */
	if (s_build_each(b, ini, "target", cload_target, &c->ntargets, tsecs) ||
	    cload_link_targets(b, tsecs) || cload_check_conflicts(b))
		return b->fail.code;
	if (s_build_each(b, ini, "cluster", s_build_cluster, &c->nclusters, NULL))
		return b->fail.code;
	/* Awards: the general conditions, then the rules (goals need targets). */
	if (cload_awards(b, k.awards) || s_build_each(b, ini, "award", cload_award, &c->nrules, NULL))
		return b->fail.code;
	if (bl && cload_baseline(b, bl, bl_line))
		return b->fail.code;
	return 0;
}

int campaign_load_mem(const char *text, const char *name, const hier_t *hier,
		      campaign_t **ret, char *err, size_t errlen)
{
	cload_t b = { .fail = { .err = err, .errlen = errlen } };
	campaign_t *c;
	int r;

	if (!text || !ret)
		return -EINVAL;
	if (!name)
		name = "<memory>";
	if (!(c = campaign_new(name)))
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
	b.c = c;
	b.file = c->file;
	r = inifile_parse(text, name, INIFILE_SECTIONS, &c->ini, err, errlen);
	if (r == 0)
		r = s_build(&b, c->ini);
	if (r == 0 && hier)
		r = campaign_check_hier(c, hier, err, errlen);
	if (r) {
		campaign_destroy(&c);
		return r;
	}
	*ret = c;
	return 0;
}

int campaign_load(const char *path, const hier_t *hier, campaign_t **ret, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	if (!path || !ret)
		return -EINVAL;
	if ((r = inifile_read_text(path, CAMPAIGN_MAX_BYTES, &text, &len, err, errlen)) < 0)
		return r;
	r = campaign_load_mem(text, path, hier, ret, err, errlen);
	free(text);
	return r;
}

int campaign_file_id(const char *path, char **ret_id, char *err, size_t errlen)
{
	const inifile_section_t *camp = NULL;
	const inifile_kv_t *kv;
	inifile_t *ini = NULL;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (!path || !ret_id)
		return -EINVAL;
	if ((r = inifile_read_text(path, CAMPAIGN_MAX_BYTES, &text, &len, err, errlen)) < 0)
		return r;
	r = inifile_parse(text, path, INIFILE_SECTIONS, &ini, err, errlen);
	free(text);
	if (r)
		return r;
	/* The section the load takes: the last [campaign] (s_sort_sections()). */
	for (size_t i = 0; i < inifile_section_count(ini); i++)
		if (strcmp(inifile_section(ini, i)->type, "campaign") == 0)
			camp = inifile_section(ini, i);
	kv = camp ? inifile_section_get(camp, "id") : NULL;
	if (!(*ret_id = strdup(kv ? kv->value : "")))
		r = lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", path);
	inifile_destroy(&ini);
	return r;
}
