/*
 * campaign_eval.c: the pure functions of a campaign (campaign.h): counts
 * and the values derived from them, which target applies to a unit, the
 * verdict of a target with exact arithmetic (frac.h: fractions with 128-bit
 * terms, compared and divided through 256-bit products; no floating point
 * decides), any_of, deadlines and the timeliness of a report.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_int.h"
#include "frac.h"
#include "lnob_err.h"
#include "report.h"

/* ---- counts and derived values ----------------------------------------- */

void campaign_counts_clear(campaign_counts_t *c)
{
	assert(c);
	memset(c, 0, sizeof(*c));
}

int campaign_counts_set(const campaign_t *self, campaign_counts_t *c, const char *code,
			int64_t value)
{
	int i;

	assert(self && c);
	i = campaign_indicator_find(self, code);
	if (i < 0)
		return LNOB_E_NOTFOUND;
	if (self->ind[i].kind != CAMPAIGN_IND_COUNT && self->ind[i].kind != CAMPAIGN_IND_AMOUNT)
		return LNOB_E_INVALID;
	if (value < 0 || value > REPORT_VALUE_MAX)
		return LNOB_E_INVALID;
	c->v[i] = value;
	c->has[i] = true;
	return 0;
}

int campaign_counts_from_values(const campaign_t *self, Lnob__IndicatorValue *const *v,
				size_t n, campaign_counts_t *c)
{
	assert(self && c && (v || n == 0));
	campaign_counts_clear(c);
	for (size_t k = 0; k < n; k++) {
		int r = campaign_counts_set(self, c, v[k]->code, report_value_of(v[k]));

		if (r == LNOB_E_INVALID) {
			int i = campaign_indicator_find(self, v[k]->code);

			if (self->ind[i].kind == CAMPAIGN_IND_COUNT ||
			    self->ind[i].kind == CAMPAIGN_IND_AMOUNT) {
				campaign_counts_clear(c);
				return LNOB_E_INVALID;
			}
		}
	}
	return 0;
}

/* The integer value of a count, amount or sum (at most 8 × 10^15). */
static int s_int_value(const campaign_t *c, const campaign_counts_t *k, int i, int64_t *ret)
{
	const campaign_indicator_t *ind = &c->ind[i];
	int64_t v = 0;

	if (ind->kind == CAMPAIGN_IND_SUM) {
		for (size_t p = 0; p < ind->nparts; p++) {
			if (!k->has[ind->parts[p]])
				return LNOB_E_NOTFOUND;
			v += k->v[ind->parts[p]];
		}
		*ret = v;
		return 0;
	}
	assert(ind->kind == CAMPAIGN_IND_COUNT || ind->kind == CAMPAIGN_IND_AMOUNT);
	if (!k->has[i])
		return LNOB_E_NOTFOUND;
	assert(k->v[i] >= 0 && k->v[i] <= REPORT_VALUE_MAX);
	*ret = k->v[i];
	return 0;
}

int campaign_value(const campaign_t *self, const campaign_counts_t *c, int i,
		   int64_t *ret_num, int64_t *ret_den)
{
	const campaign_indicator_t *ind;
	int64_t n, d;
	int r;

	assert(self && c);
	if (i < 0 || (size_t)i >= self->nind || !ret_num || !ret_den)
		return -EINVAL;
	ind = &self->ind[i];
	if (ind->kind != CAMPAIGN_IND_RATE) {
		if ((r = s_int_value(self, c, i, &n)))
			return r;
		*ret_num = n;
		*ret_den = 1;
		return 0;
	}
	if ((r = s_int_value(self, c, ind->num, &n)) || (r = s_int_value(self, c, ind->den, &d)))
		return r;
	if (d == 0)
		return LNOB_E_INVALID;
	*ret_num = n;
	*ret_den = d;
	return 0;
}

/* Adds indicator k to the set ret[0..*n) unless it is there. */
static void s_add_input(int k, int *ret, size_t max, size_t *n)
{
	for (size_t j = 0; j < *n && j < max; j++)
		if (ret[j] == k)
			return;
	if (*n < max)
		ret[*n] = k;
	(*n)++;
}

/* The inputs of a count, amount or sum (not a rate). */
static void s_inputs(const campaign_t *c, int i, int *ret, size_t max, size_t *n)
{
	const campaign_indicator_t *ind = &c->ind[i];

	if (ind->kind == CAMPAIGN_IND_SUM)
		for (size_t p = 0; p < ind->nparts; p++)
			s_add_input(ind->parts[p], ret, max, n);
	else
		s_add_input(i, ret, max, n);
}

static int s_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

size_t campaign_indicator_inputs(const campaign_t *self, int i, int *ret, size_t max)
{
	size_t n = 0;

	assert(self);
	if (i < 0 || (size_t)i >= self->nind)
		return 0;
	if (self->ind[i].kind == CAMPAIGN_IND_RATE) {
		s_inputs(self, self->ind[i].num, ret, max, &n);
		s_inputs(self, self->ind[i].den, ret, max, &n);
	} else {
		s_inputs(self, i, ret, max, &n);
	}
	if (ret && n <= max)
		qsort(ret, n, sizeof(*ret), s_cmp_int);
	return n;
}

int campaign_value_display(const campaign_t *self, const campaign_counts_t *c, int i, double *ret)
{
	int64_t n, d;
	int r = campaign_value(self, c, i, &n, &d);

	if (r)
		return r;
	if (!ret)
		return -EINVAL;
	*ret = self->ind[i].kind == CAMPAIGN_IND_RATE ? 100.0 * (double)n / (double)d : (double)n;
	return 0;
}

/* ---- which target applies --------------------------------------------- */

static bool s_has_str(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool s_active(const campaign_target_t *t, int period)
{
	if (t->alternative)
		return false;
	if (!t->periods)
		return true;
	for (size_t i = 0; i < t->nperiods; i++)
		if (t->periods[i] == period)
			return true;
	return false;
}

/* The first target for goal g active in the period whose units
 * (by_units) or levels hold s, or NULL. */
static const campaign_target_t *s_listing(const campaign_t *c, int period, const char *g,
					  bool by_units, const char *s)
{
	for (size_t i = 0; i < c->ntargets; i++) {
		const campaign_target_t *t = &c->targets[i];

		if (s_active(t, period) && strcmp(t->goal, g) == 0 &&
		    (by_units ? s_has_str(t->units, t->nunits, s) : s_has_str(t->levels, t->nlevels, s)))
			return t;
	}
	return NULL;
}

/* The first target for goal g active in the period that cascades to
 * `level` from ancestor anc: by its units (by_units) or by its levels, or
 * NULL. */
static const campaign_target_t *s_cascading(const campaign_t *c, int period, const char *g,
					    const char *level, const hier_unit_t *anc, bool by_units)
{
	for (size_t i = 0; i < c->ntargets; i++) {
		const campaign_target_t *t = &c->targets[i];

		if (!s_active(t, period) || strcmp(t->goal, g) != 0 ||
		    !s_has_str(t->cascade, t->ncascade, level))
			continue;
		if (by_units ? s_has_str(t->units, t->nunits, anc->code) :
		    s_has_str(t->levels, t->nlevels, anc->level))
			return t;
	}
	return NULL;
}

/* The target for goal g of unit u, by the rules of campaign_target_for(). */
static bool s_resolve(const campaign_t *c, const hier_t *h, int u, int period, const char *g,
		      campaign_applied_t *ret)
{
	const hier_unit_t *unit = hier_unit(h, u);
	const campaign_target_t *t;

	if ((t = s_listing(c, period, g, true, unit->code))) {
		*ret = (campaign_applied_t){ t, CAMPAIGN_VIA_OWN, u };
		return true;
	}
	for (int a = unit->parent; a >= 0; a = hier_unit(h, a)->parent) {
		const hier_unit_t *anc = hier_unit(h, a);

		if ((t = s_cascading(c, period, g, unit->level, anc, true)) ||
		    (t = s_cascading(c, period, g, unit->level, anc, false))) {
			*ret = (campaign_applied_t){ t, CAMPAIGN_VIA_CASCADE, a };
			return true;
		}
	}
	if ((t = s_listing(c, period, g, false, unit->level))) {
		*ret = (campaign_applied_t){ t, CAMPAIGN_VIA_LEVEL, u };
		return true;
	}
	return false;
}

size_t campaign_target_for(const campaign_t *self, const hier_t *hier, int unit,
			   const campaign_period_t *p, campaign_applied_t *ret, size_t max)
{
	int period;
	size_t n = 0;

	assert(self && hier && p);
	if (!hier_unit(hier, unit) || p->kind == CAMPAIGN_PERIOD_ADHOC)
		return 0;   /* no target applies to an ad-hoc request */
	period = (int)campaign_period_index(self, p);
	for (size_t i = 0; i < self->ntargets; i++) {
		const campaign_target_t *t = &self->targets[i];
		campaign_applied_t a;
		bool seen = false;

		if (!s_active(t, period))
			continue;
		/* Each goal once, at its first target in the file. */
		for (size_t j = 0; j < i && !seen; j++)
			seen = s_active(&self->targets[j], period) &&
			       strcmp(self->targets[j].goal, t->goal) == 0;
		if (seen || !s_resolve(self, hier, unit, period, t->goal, &a))
			continue;
		if (ret && n < max)
			ret[n] = a;
		n++;
	}
	return n;
}

/* ---- evaluation ---------------------------------------------------------- */

/* U(x) of indicator i over counts k: a rate in percent, else the number.
 * Returns 0, LNOB_E_NOTFOUND or LNOB_E_INVALID (denominator 0). */
static int s_u(const campaign_t *c, const campaign_counts_t *k, int i, frac_t *ret)
{
	int64_t n, d;
	int r;

	if (!k)
		return LNOB_E_NOTFOUND;
	r = campaign_value(c, k, i, &n, &d);
	if (r)
		return r;
	if (c->ind[i].kind == CAMPAIGN_IND_RATE)
		*ret = frac_make((frac_i128)n * 100, d);
	else
		*ret = frac_make(n, 1);
	return 0;
}

/* Sets achievement (a / q) and progress (pa / g) when their divisors are
 * positive. */
static void s_set_ratios(campaign_eval_t *ev, frac_t a, frac_t q, frac_t pa, frac_t g)
{
	if (q.n > 0) {
		ev->has_achievement = true;
		ev->achievement_bp = frac_bp(a, q, &ev->achievement_exact);
	}
	if (g.n > 0) {
		ev->has_progress = true;
		ev->progress_bp = frac_bp(pa, g, &ev->progress_exact);
	}
	ev->required = frac_double(q);
	ev->goal = frac_double(g);
}

/* The terms of one evaluation (campaign.h, ARITHMETIC). */
typedef struct s_terms {
	frac_t ub, up, uc;      /* U(base), U(prev), U(cur) */
	frac_t ref;             /* U(base); basis annual: U(prev) */
	frac_t pa;              /* the change from the baseline, in the
	                           target's direction */
	unsigned E, e;          /* the term E, and e' = min(e, E) */
	bool annual, not_due;
	int dir;                /* 1; -1 for at_least */
} s_terms_t;

/* Fills ev's values (display) and k. Returns false when a value the
 * target needs is not known (ev's verdict stays NO_DATA). */
static bool s_terms(const campaign_t *c, const campaign_target_t *t, const campaign_period_t *p,
		    const campaign_counts_t *base, const campaign_counts_t *prev,
		    const campaign_counts_t *cur, campaign_eval_t *ev, s_terms_t *k)
{
	int rb, rp, rc;

	*k = (s_terms_t){ .ub = { 0, 1 }, .up = { 0, 1 }, .uc = { 0, 1 }, .E = t->term,
			  .annual = t->basis == CAMPAIGN_BASIS_ANNUAL,
			  .dir = t->form == CAMPAIGN_AT_LEAST ? -1 : 1 };
	k->e = p->years < k->E ? p->years : k->E;
	k->not_due = t->pace == CAMPAIGN_PACE_END && !k->annual && p->years < k->E;
	rb = s_u(c, base, t->indicator, &k->ub);
	rp = s_u(c, prev, t->indicator, &k->up);
	rc = s_u(c, cur, t->indicator, &k->uc);
	ev->has_base = rb == 0;
	ev->has_prev = rp == 0;
	ev->has_cur = rc == 0;
	if (ev->has_base)
		ev->base = frac_double(k->ub);
	if (ev->has_prev)
		ev->prev = frac_double(k->up);
	if (ev->has_cur)
		ev->cur = frac_double(k->uc);
	if (ev->has_base && ev->has_cur)
		ev->change_base = k->dir * frac_double(frac_sub(k->ub, k->uc));
	if (ev->has_prev && ev->has_cur)
		ev->change_prev = k->dir * frac_double(frac_sub(k->up, k->uc));
	if (rb || rc || (k->annual && rp))
		return false;
	k->ref = k->annual ? k->up : k->ub;
	k->pa = k->dir < 0 ? frac_sub(k->uc, k->ub) : frac_sub(k->ub, k->uc);
	return true;
}

/* down_points and down_percent: the reduction A = U(ref) − U(cur) against
 * the reduction required now, Q. */
static void s_eval_down(const campaign_target_t *t, const s_terms_t *k, campaign_eval_t *ev)
{
	frac_t a = frac_sub(k->ref, k->uc), q, g;
	int cmp;

	if (t->form == CAMPAIGN_DOWN_POINTS) {
		/* Q = P × e' (average) or P (annual), in points; G = P × E; but
		 * never more than the rate itself (U(ref), U(base)): a rate
		 * cannot fall below 0, so one at 0 has met any reduction. */
		q = frac_make((frac_i128)t->value_e4 * (k->annual ? 1 : k->e), CAMPAIGN_E4);
		g = frac_make((frac_i128)t->value_e4 * k->E, CAMPAIGN_E4);
		if (frac_cmp(k->ref, q) < 0)
			q = k->ref;
		if (frac_cmp(k->ub, g) < 0)
			g = k->ub;
	} else {
		/* Q = U(ref) × S/100 × e'/E (average) or U(ref) × S/100
		 * (annual); G = U(base) × S/100. */
		q = frac_make(k->ref.n * t->value_e4 * (k->annual ? 1 : k->e),
			      k->ref.d * 100 * CAMPAIGN_E4 * (k->annual ? 1 : k->E));
		g = frac_make(k->ub.n * t->value_e4, k->ub.d * 100 * CAMPAIGN_E4);
	}
	if (k->ref.n == 0) {
		/* Nothing to reduce: met when nothing is left. */
		ev->verdict = k->not_due ? CAMPAIGN_NOT_DUE :
			      k->uc.n == 0 ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
		s_set_ratios(ev, a, q, k->pa, g);
		return;
	}
	cmp = frac_cmp(a, q);
	if (k->not_due) {
		ev->verdict = CAMPAIGN_NOT_DUE;
		q = frac_make(0, 1);
	} else {
		ev->verdict = (t->strict ? cmp > 0 : cmp >= 0) ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
	}
	s_set_ratios(ev, a, q, k->pa, g);
}

/* below, at_most, at_least X: U(cur) against the value required now,
 * V = (U(base) × (E − e') + X × e') / E; Q = dir × (U(base) − V)
 * = dir × e' × (U(base) − X) / E; G = dir × (U(base) − X). */
static void s_eval_level(const campaign_target_t *t, const s_terms_t *k, campaign_eval_t *ev)
{
	frac_i128 x4 = t->value_e4, un = k->ub.n, ud = k->ub.d;
	unsigned E = k->E, e = k->e;
	frac_t v = frac_make(un * CAMPAIGN_E4 * (E - e) + x4 * ud * e, ud * CAMPAIGN_E4 * E);
	frac_t q = frac_make(k->dir * (un * CAMPAIGN_E4 - x4 * ud) * e, ud * CAMPAIGN_E4 * E);
	frac_t g = frac_make(k->dir * (un * CAMPAIGN_E4 - x4 * ud), ud * CAMPAIGN_E4);
	int cmp = frac_cmp(k->uc, v);

	if (k->not_due)
		ev->verdict = CAMPAIGN_NOT_DUE;
	else if (t->form == CAMPAIGN_BELOW)
		ev->verdict = cmp < 0 ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
	else if (t->form == CAMPAIGN_AT_MOST)
		ev->verdict = cmp <= 0 ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
	else
		ev->verdict = cmp >= 0 ? CAMPAIGN_MET : CAMPAIGN_NOT_MET;
	if (k->not_due)
		q = frac_make(0, 1);
	s_set_ratios(ev, k->pa, q, k->pa, g);
}

/* Evaluates a target with a form of its own (not any_of). */
static void s_eval_one(const campaign_t *c, const campaign_target_t *t, const campaign_period_t *p,
		       const campaign_counts_t *base, const campaign_counts_t *prev,
		       const campaign_counts_t *cur, campaign_eval_t *ev)
{
	s_terms_t k;

	*ev = (campaign_eval_t){ .verdict = CAMPAIGN_NO_DATA, .decided_by = t };
	if (!s_terms(c, t, p, base, prev, cur, ev, &k))
		return;
	if (t->form == CAMPAIGN_DOWN_POINTS || t->form == CAMPAIGN_DOWN_PERCENT)
		s_eval_down(t, &k, ev);
	else
		s_eval_level(t, &k, ev);
}

/* Rank of a verdict when combining alternatives: lower wins. */
static int s_rank(campaign_verdict_t v)
{
	switch (v) {
	case CAMPAIGN_MET: return 0;
	case CAMPAIGN_INCOMPLETE: return 1;
	case CAMPAIGN_NO_DATA: return 2;
	case CAMPAIGN_NOT_DUE: return 3;
	default: return 4;
	}
}

/* True when x beats y as the deciding alternative. */
static bool s_better(const campaign_eval_t *x, const campaign_eval_t *y)
{
	if (s_rank(x->verdict) != s_rank(y->verdict))
		return s_rank(x->verdict) < s_rank(y->verdict);
	if (x->has_achievement != y->has_achievement)
		return x->has_achievement;
	return x->has_achievement && x->achievement_bp > y->achievement_bp;
}

int campaign_evaluate(const campaign_t *self, const campaign_target_t *t,
		      const campaign_period_t *p, const campaign_counts_t *baseline,
		      const campaign_counts_t *previous, const campaign_counts_t *current,
		      campaign_eval_t *ret)
{
	campaign_eval_t best, ev;

	if (!self || !t || !p || !ret || !baseline || !current)
		return -EINVAL;
	(void)campaign_period_index(self, p);
	assert(t >= self->targets && t < self->targets + self->ntargets);
	if (p->previous < 0)
		previous = baseline;
	if (t->form != CAMPAIGN_ANY_OF) {
		s_eval_one(self, t, p, baseline, previous, current, ret);
		return 0;
	}
	s_eval_one(self, t->alts[0], p, baseline, previous, current, &best);
	for (size_t i = 1; i < t->nalts; i++) {
		s_eval_one(self, t->alts[i], p, baseline, previous, current, &ev);
		if (s_better(&ev, &best))
			best = ev;
	}
	*ret = best;
	return 0;
}

int campaign_any_of(const campaign_t *self, const campaign_target_t *t,
		    const campaign_eval_t *alts, campaign_eval_t *ret, size_t *ret_index)
{
	size_t best = 0;

	if (!self || !t || !alts || !ret || t->form != CAMPAIGN_ANY_OF || t->nalts == 0)
		return -EINVAL;
	for (size_t i = 1; i < t->nalts; i++)
		if (s_better(&alts[i], &alts[best]))
			best = i;
	*ret = alts[best];
	if (ret_index)
		*ret_index = best;
	return 0;
}

bool campaign_eval_achieves(const campaign_eval_t *ev, int64_t pct_bp, bool strict)
{
	assert(ev);
	if (!ev->has_achievement)
		return false;
	if (strict)
		return ev->achievement_bp > pct_bp ||
		       (ev->achievement_bp == pct_bp && !ev->achievement_exact);
	return ev->achievement_bp >= pct_bp;
}

bool campaign_eval_progresses(const campaign_eval_t *ev, int64_t pct_bp, bool strict)
{
	assert(ev);
	if (!ev->has_progress)
		return false;
	if (strict)
		return ev->progress_bp > pct_bp ||
		       (ev->progress_bp == pct_bp && !ev->progress_exact);
	return ev->progress_bp >= pct_bp;
}

/* ---- deadlines and timeliness ------------------------------------------ */

int campaign_deadline_for(const campaign_t *self, const char *level,
			  const campaign_period_t *p, int64_t *ret_late_from)
{
	const campaign_deadline_t *d;
	int l, year;

	assert(self && p);
	l = level ? campaign_level_index(self, level) : -1;
	if (l < 0)
		return LNOB_E_NOTFOUND;
	if (p->request) {   /* an ad-hoc request: by its due day, every level */
		if (ret_late_from)
			*ret_late_from = ((int64_t)p->request->due_day + 1) * 86400 - self->utc_offset;
		return 0;
	}
	d = &self->pdl[campaign_period_index(self, p) * self->nlevels + (size_t)l];
	year = d->set ? d->when.year : p->end_year;
	if (!d->set)
		d = &self->annual[l];
	if (!d->set)
		return LNOB_E_NOTFOUND;
	if (ret_late_from)
		*ret_late_from = calendar_deadline_late_from(&d->when, year, self->utc_offset);
	return 0;
}

int campaign_classify(int64_t late_from, int64_t completed_at, int64_t arrived_at,
		      int64_t skew, campaign_timeliness_t *ret)
{
	campaign_timeliness_t r = { 0 };

	if (!ret || skew < 0)
		return -EINVAL;
	r.arrived_late = arrived_at >= late_from;
	/* Differences of ordered int64 values fit in uint64: no overflow
	 * whatever a stamp says. */
	r.clock_suspect = completed_at > arrived_at &&
			  (uint64_t)completed_at - (uint64_t)arrived_at > (uint64_t)skew;
	if (!r.arrived_late) {
		r.on_time = true;
	} else if (!r.clock_suspect) {
		r.on_time = completed_at < late_from ||
			    (uint64_t)completed_at - (uint64_t)late_from < (uint64_t)skew;
		r.by_skew = r.on_time && completed_at >= late_from;
	}
	*ret = r;
	return 0;
}
