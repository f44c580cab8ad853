/*
 * campaign_targets.c: the targets of a campaign file (campaign.h, [target
 * ID]): each target's form, indicator and value, basis, pace, strictness
 * and term; its scope (units, levels, cascade) and periods; then the any_of
 * links to alternatives, and the conflicts campaign_target_for() could not
 * decide.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_int.h"

static const cload_keyspec_t s_target_keys[] = {
	{ "units", true }, { "levels", true }, { "cascade", true }, { "goal", false },
	{ "periods", true }, { "indicator", false }, { "down_points", false },
	{ "down_percent", false }, { "below", false }, { "at_most", false },
	{ "at_least", false }, { "any_of", true }, { "basis", false }, { "pace", false },
	{ "by", false }, { "strict", false }, { "source", false }, { NULL, false },
};

static const char *const s_form_keys[] = {
	[CAMPAIGN_DOWN_POINTS] = "down_points", [CAMPAIGN_DOWN_PERCENT] = "down_percent",
	[CAMPAIGN_BELOW] = "below", [CAMPAIGN_AT_MOST] = "at_most",
	[CAMPAIGN_AT_LEAST] = "at_least", [CAMPAIGN_ANY_OF] = "any_of",
};

static bool s_is_down(campaign_form_t f)
{
	return f == CAMPAIGN_DOWN_POINTS || f == CAMPAIGN_DOWN_PERCENT;
}

/* Parses the form's value of a target t whose indicator is known. */
static int s_target_value(cload_t *b, const inifile_section_t *s, campaign_target_t *t, const inifile_kv_t *kv)
{
	const campaign_indicator_t *ind = &b->c->ind[t->indicator];
	bool rate = ind->kind == CAMPAIGN_IND_RATE;
	int r;

	switch (t->form) {
	case CAMPAIGN_DOWN_POINTS:
		if (!rate)
			return cload_fail(b, kv->line, "[%s] down_points: needs a rate; '%s' is not one "
					  "(use down_percent to scale a count down)", s->name, ind->code);
		r = cload_parse_e4(kv->value, true, &t->value_e4);
		if (r || t->value_e4 <= 0 || t->value_e4 > (int64_t)100 * CAMPAIGN_E4)
			return cload_fail(b, kv->line, "[%s] down_points: expected percentage points "
					  "above 0, at most 100, 4 decimals at most: '%s'", s->name, kv->value);
		return 0;
	case CAMPAIGN_DOWN_PERCENT:
		r = cload_parse_e4(kv->value, true, &t->value_e4);
		if (r || t->value_e4 <= 0 || t->value_e4 > (int64_t)100 * CAMPAIGN_E4)
			return cload_fail(b, kv->line, "[%s] down_percent: expected a percentage above 0, "
					  "at most 100, 4 decimals at most: '%s'", s->name, kv->value);
		return 0;
	default:
		r = cload_parse_e4(kv->value, rate, &t->value_e4);
		if (rate && (r || t->value_e4 > (int64_t)100 * CAMPAIGN_E4))
			return cload_fail(b, kv->line, "[%s] %s: expected a percentage 0..100, 4 decimals "
					  "at most: '%s'", s->name, kv->key, kv->value);
		if (!rate && (r || t->value_e4 % CAMPAIGN_E4 != 0))
			return cload_fail(b, kv->line, "[%s] %s: '%s' is %s: expected a whole number up to "
					  "10^14: '%s'", s->name, kv->key, ind->code,
					  ind->kind == CAMPAIGN_IND_AMOUNT || ind->amounts ? "an amount" : "a count",
					  kv->value);
		return 0;
	}
}

/* The form of target t: exactly one form key. Returns its key = value,
 * or NULL (the error recorded). */
static const inifile_kv_t *s_form_key(cload_t *b, const inifile_section_t *s, campaign_target_t *t)
{
	const inifile_kv_t *form_kv = NULL;

	for (size_t i = 0; i < s->n; i++) {
		for (int f = 0; f <= CAMPAIGN_ANY_OF; f++) {
			if (strcmp(s->kv[i].key, s_form_keys[f]) != 0)
				continue;
			if (form_kv && strcmp(form_kv->key, s->kv[i].key) != 0) {
				cload_fail(b, s->kv[i].line, "[%s] %s: a target has one form; %s is on "
					   "line %u", s->name, s->kv[i].key, form_kv->key, form_kv->line);
				return NULL;
			}
			if (!form_kv)
				form_kv = &s->kv[i];
			t->form = (campaign_form_t)f;
		}
	}
	if (!form_kv)
		cload_fail(b, s->line, "[%s]: no form (down_points, down_percent, below, at_most, "
			   "at_least or any_of)", s->name);
	return form_kv;
}

/* A target's basis, pace, strict and by, and its term. */
static int s_target_options(cload_t *b, const inifile_section_t *s, campaign_target_t *t)
{
	const campaign_t *c = b->c;
	const inifile_kv_t *kv;

	t->basis = CAMPAIGN_BASIS_AVERAGE;
	if ((kv = inifile_section_get(s, "basis"))) {
		if (!s_is_down(t->form))
			return cload_fail(b, kv->line, "[%s] basis: only for down_points and down_percent",
					  s->name);
		if (strcmp(kv->value, "average") == 0)
			t->basis = CAMPAIGN_BASIS_AVERAGE;
		else if (strcmp(kv->value, "annual") == 0)
			t->basis = CAMPAIGN_BASIS_ANNUAL;
		else
			return cload_fail(b, kv->line, "[%s] basis: expected average or annual: '%s'",
					  s->name, kv->value);
	}
	t->pace = CAMPAIGN_PACE_LINEAR;
	if ((kv = inifile_section_get(s, "pace"))) {
		if (t->form == CAMPAIGN_ANY_OF || t->basis == CAMPAIGN_BASIS_ANNUAL)
			return cload_fail(b, kv->line, "[%s] pace: not with %s", s->name,
					  t->form == CAMPAIGN_ANY_OF ? "any_of" : "basis = annual");
		if (strcmp(kv->value, "linear") == 0)
			t->pace = CAMPAIGN_PACE_LINEAR;
		else if (strcmp(kv->value, "end") == 0)
			t->pace = CAMPAIGN_PACE_END;
		else
			return cload_fail(b, kv->line, "[%s] pace: expected linear or end: '%s'",
					  s->name, kv->value);
	}
	if ((kv = inifile_section_get(s, "strict"))) {
		if (!s_is_down(t->form))
			return cload_fail(b, kv->line, "[%s] strict: only for down_points and "
					  "down_percent (below is strict, at_most is not)", s->name);
		if (!cload_parse_bool(kv->value, &t->strict))
			return cload_fail(b, kv->line, "[%s] strict: expected yes or no: '%s'", s->name,
					  kv->value);
	}
	t->by_year = c->last_year;
	if ((kv = inifile_section_get(s, "by"))) {
		int64_t y;

		if (t->form == CAMPAIGN_ANY_OF)
			return cload_fail(b, kv->line, "[%s] by: not with any_of", s->name);
		if (!lnob_parse_digits(kv->value, 9999, &y) || y <= c->base_year || y > c->last_year)
			return cload_fail(b, kv->line, "[%s] by: expected a year after the baseline's, up "
					  "to %d: '%s'", s->name, c->last_year, kv->value);
		t->by_year = (int)y;
	}
	t->term = (unsigned)(t->by_year - c->base_year);
	return 0;
}

/* A target's form, indicator, value, basis, pace, strict and by. */
static int s_target_form(cload_t *b, const inifile_section_t *s, campaign_target_t *t)
{
	const inifile_kv_t *form_kv = s_form_key(b, s, t), *kv;

	if (!form_kv)
		return b->fail.code;
	kv = inifile_section_get(s, "indicator");
	if (t->form == CAMPAIGN_ANY_OF) {
		if (kv)
			return cload_fail(b, kv->line, "[%s] indicator: an any_of target takes its "
					  "alternatives' indicators", s->name);
	} else {
		if (!(kv = cload_need(b, s, "indicator")))
			return b->fail.code;
		t->indicator = campaign_indicator_find(b->c, kv->value);
		if (t->indicator < 0)
			return cload_fail(b, kv->line, "[%s] indicator: unknown indicator '%s'", s->name,
					  kv->value);
		if (s_target_value(b, s, t, form_kv))
			return b->fail.code;
	}
	return s_target_options(b, s, t);
}

/* A target's units: unit codes, each once, with their lines. */
static int s_target_units(cload_t *b, const inifile_section_t *s, campaign_target_t *t,
			  campaign_target_x_t *x)
{
	campaign_t *c = b->c;
	cload_item_t *items;
	const char **u;
	size_t n;

	if (cload_list(b, s, "units", &items, &n))
		return b->fail.code;
	if (n == 0)
		return 0;
	u = campaign_zalloc(c, n * sizeof(*u));
	x->unit_lines = campaign_zalloc(c, n * sizeof(*x->unit_lines));
	if (!u || !x->unit_lines)
		return cload_oom(b);
	for (size_t i = 0; i < n; i++) {
		if (!lnob_valid_id(items[i].text))
			return cload_fail(b, items[i].line, "[%s] units: bad unit code '%s'", s->name,
					  items[i].text);
		for (size_t j = 0; j < i; j++)
			if (strcmp(u[j], items[i].text) == 0)
				return cload_fail(b, items[i].line, "[%s] units: '%s' given twice",
						  s->name, items[i].text);
		u[i] = items[i].text;
		x->unit_lines[i] = items[i].line;
	}
	t->units = u;
	t->nunits = n;
	return 0;
}

/* A target's levels (cascade false) or cascade: declared levels, each
 * once; a cascade only to levels below every one of the target's levels. */
static int s_target_levels(cload_t *b, const inifile_section_t *s, bool cascade,
			   campaign_target_t *t, campaign_target_x_t *x)
{
	campaign_t *c = b->c;
	const char *key = cascade ? "cascade" : "levels";
	cload_item_t *items;
	const char **l;
	size_t n;

	if (cload_list(b, s, key, &items, &n))
		return b->fail.code;
	if (n == 0)
		return 0;
	if (!(l = campaign_zalloc(c, n * sizeof(*l))))
		return cload_oom(b);
	for (size_t i = 0; i < n; i++) {
		int li = campaign_level_index(c, items[i].text);

		if (li < 0)
			return cload_fail(b, items[i].line, "[%s] %s: '%s' is not a level of [campaign] "
					  "levels", s->name, key, items[i].text);
		for (size_t j = 0; j < i; j++)
			if (strcmp(l[j], items[i].text) == 0)
				return cload_fail(b, items[i].line, "[%s] %s: '%s' given twice", s->name,
						  key, items[i].text);
		/* A level target cascades only downwards. */
		for (size_t j = 0; cascade && j < t->nlevels; j++)
			if (campaign_level_index(c, t->levels[j]) >= li)
				return cload_fail(b, items[i].line, "[%s] cascade: '%s' is not below level "
						  "'%s'", s->name, items[i].text, t->levels[j]);
		l[i] = items[i].text;
	}
	if (cascade) {
		t->cascade = l;
		t->ncascade = n;
	} else {
		t->levels = l;
		t->nlevels = n;
		x->levels_line = items[0].line;
	}
	return 0;
}

/* A target's scope: units, levels, cascade; alternatives have none. */
static int s_target_scope(cload_t *b, const inifile_section_t *s, campaign_target_t *t,
			  campaign_target_x_t *x)
{
	static const char *const scoped_only[] = { "cascade", "goal", "periods" };
	const inifile_kv_t *kv;

	if (s_target_units(b, s, t, x) || s_target_levels(b, s, false, t, x) ||
	    s_target_levels(b, s, true, t, x))
		return b->fail.code;
	t->alternative = t->nunits == 0 && t->nlevels == 0;
	if (!t->alternative)
		return 0;
	for (size_t i = 0; i < 3; i++)
		if ((kv = inifile_section_get(s, scoped_only[i])))
			return cload_fail(b, kv->line, "[%s] %s: only for a target with units or levels",
					  s->name, scoped_only[i]);
	if (t->form == CAMPAIGN_ANY_OF)
		return cload_fail(b, s->line, "[%s]: an any_of target needs units or levels", s->name);
	return 0;
}

/* First pass over one target: everything but any_of references and
 * conflicts. */
int cload_target(cload_t *b, const inifile_section_t *s, size_t ti)
{
	campaign_t *c = b->c;
	campaign_target_t *t = &c->targets[ti];
	const inifile_kv_t *kv;

	if (cload_object(b, s, "target", s_target_keys))
		return b->fail.code;
	t->id = s->id;
	t->line = s->line;
	t->indicator = -1;
	t->source = cload_text(s, "source");
	if (s_target_form(b, s, t) || s_target_scope(b, s, t, &c->tx[ti]))
		return b->fail.code;

	if (cload_periods(b, s, NULL, NULL, &t->periods, &t->nperiods))
		return b->fail.code;
	/* Goal (the any_of default is set once alternatives are linked). */
	if ((kv = inifile_section_get(s, "goal"))) {
		if (!lnob_valid_id(kv->value))
			return cload_fail(b, kv->line, "[%s] goal: bad goal id '%s'", s->name, kv->value);
		t->goal = kv->value;
	} else if (t->indicator >= 0) {
		t->goal = c->ind[t->indicator].code;
	}
	return 0;
}

/* Second pass: links any_of to alternatives, checks every alternative is
 * used. */
int cload_link_targets(cload_t *b, const inifile_section_t *const *tsecs)
{
	campaign_t *c = b->c;
	bool *used = calloc(c->ntargets ? c->ntargets : 1, sizeof(*used));
	int r = 0;

	if (!used)
		return cload_oom(b);
	for (size_t i = 0; i < c->ntargets && !r; i++) {
		campaign_target_t *t = &c->targets[i];
		const campaign_target_t **alts;
		cload_item_t *items;
		size_t n;

		if (t->form != CAMPAIGN_ANY_OF)
			continue;
		if ((r = cload_list(b, tsecs[i], "any_of", &items, &n)))
			break;
		if (n < 2) {
			r = cload_fail(b, inifile_section_get(tsecs[i], "any_of")->line,
				       "[%s] any_of: needs two or more targets", tsecs[i]->name);
			break;
		}
		/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
		if (!(alts = campaign_zalloc(c, n * sizeof(*alts)))) {
			r = cload_oom(b);
			break;
		}
		for (size_t k = 0; k < n && !r; k++) {
			const campaign_target_t *a = campaign_target_find(c, items[k].text);

			if (!a) {
				r = cload_fail(b, items[k].line, "[%s] any_of: unknown target '%s'",
					       tsecs[i]->name, items[k].text);
				break;
			}
			if (!a->alternative)
				r = cload_fail(b, items[k].line, "[%s] any_of: '%s' has units or levels of its "
					       "own; an alternative has none", tsecs[i]->name, a->id);
			for (size_t j = 0; j < k && !r; j++)
				if (alts[j] == a)
					r = cload_fail(b, items[k].line, "[%s] any_of: '%s' given twice",
						       tsecs[i]->name, a->id);
			if (!r) {
				alts[k] = a;
				used[a - c->targets] = true;
			}
		}
		if (r)
			break;
		t->alts = alts;
		t->nalts = n;
		if (!t->goal)
			t->goal = c->ind[alts[0]->indicator].code;
	}
	for (size_t i = 0; i < c->ntargets && !r; i++)
		if (c->targets[i].alternative && !used[i])
			r = cload_fail(b, c->targets[i].line, "[%s]: no units or levels, and no any_of "
				       "lists it", tsecs[i]->name);
	free(used);
	return r;
}

/* True when targets a and b are both active in some period. */
static bool s_periods_overlap(const campaign_target_t *a, const campaign_target_t *b)
{
	if (!a->periods || !b->periods)
		return true;
	for (size_t i = 0; i < a->nperiods; i++)
		for (size_t j = 0; j < b->nperiods; j++)
			if (a->periods[i] == b->periods[j])
				return true;
	return false;
}

/* Refuses two targets of one goal on the same unit or level in a period:
 * campaign_target_for() could not choose. */
int cload_check_conflicts(cload_t *b)
{
	campaign_t *c = b->c;

	for (size_t j = 0; j < c->ntargets; j++) {
		const campaign_target_t *tj = &c->targets[j];

		for (size_t i = 0; i < j && !tj->alternative; i++) {
			const campaign_target_t *ti = &c->targets[i];

			if (ti->alternative || strcmp(ti->goal, tj->goal) != 0 ||
			    !s_periods_overlap(ti, tj))
				continue;
			for (size_t u = 0; u < tj->nunits; u++)
				for (size_t v = 0; v < ti->nunits; v++)
					if (strcmp(tj->units[u], ti->units[v]) == 0)
						return cload_fail(b, c->tx[j].unit_lines[u], "[target %s] units: "
								  "'%s' already has a target for goal '%s' "
								  "(target %s, line %u)", tj->id, tj->units[u],
								  tj->goal, ti->id, ti->line);
			for (size_t u = 0; u < tj->nlevels; u++)
				for (size_t v = 0; v < ti->nlevels; v++)
					if (strcmp(tj->levels[u], ti->levels[v]) == 0)
						return cload_fail(b, c->tx[j].levels_line, "[target %s] levels: "
								  "'%s' already has a target for goal '%s' "
								  "(target %s, line %u)", tj->id, tj->levels[u],
								  tj->goal, ti->id, ti->line);
		}
	}
	return 0;
}
