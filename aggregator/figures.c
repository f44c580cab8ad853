/* figures.c: a unit's figures per indicator, full or comparable, with
 * their coverage (see figures.h). */
#include "figures.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_request.h"
#include "codec.h"
#include "hierperiod.h"
#include "lnob_err.h"
#include "report.h"

/* What the walk knows of one unit of the subtree. */
typedef struct s_unit {
	const hier_unit_t *u;
	campaign_counts_t now, then, base;   /* current report, previous one, baseline */
	bool has_now, has_then, has_base;
} s_unit_t;

/* The values of (campaign, period, code)'s latest record into *k (when
 * there is one: *ret_has), read through memo (NULL: read anew). */
static int s_latest_counts(store_t *st, MDB_txn *txn, agg_memo_t *memo, const campaign_t *c,
			   const char *period, const char *code, campaign_counts_t *k,
			   bool *ret_has)
{
	const Lnob__LatestRecord *seen = NULL;
	Lnob__LatestRecord *lr = NULL;
	int r = memo ? agg_latest_memo(st, txn, memo, campaign_id(c), period, code, &seen)
		     : agg_latest_load(st, txn, campaign_id(c), period, code, AGG_LATEST_VALUES,
				       &lr);

	*ret_has = false;
	campaign_counts_clear(k);
	if (r == LNOB_E_NOTFOUND)
		return 0;
	if (r < 0)
		return r;
	if (lr)
		seen = lr;
	if (!seen)   /* agg_latest_memo() gives a record with 0 */
		return LNOB_E_CORRUPT;
	*ret_has = campaign_counts_from_values(c, seen->values, seen->n_values, k) == 0;
	if (lr)
		lnob__latest_record__free_unpacked(lr, NULL);
	return 0;
}

/* Adds x to a figure; past REPORT_VALUE_MAX it is not known (sums of a
 * subtree stay within it, but a baseline file need not add up). */
static void s_acc(int64_t *v, bool *has, int64_t x)
{
	if (x < 0 || *v > REPORT_VALUE_MAX - x)
		*has = false;
	else
		*v += x;
}

/* Adds what unit x contributes to indicator i's figures. */
static void s_add(const campaign_t *c, const campaign_period_t *p, figures_ind_t *f,
		  const int *in, size_t nin, const s_unit_t *x)
{
	bool owes = false, covers = x->has_now;

	for (size_t k = 0; k < nin; k++)
		if (campaign_reports(c, p, in[k], x->u->code, x->u->level)) {
			owes = true;
			covers = covers && x->now.has[in[k]];
		}
	if (!owes)
		return;
	f->expected++;
	if (!covers)
		return;
	f->reported++;
	for (size_t k = 0; k < nin; k++) {
		int j = in[k];

		if (!x->now.has[j])
			continue;   /* its level does not report it */
		if (!f->cur.has[j] && f->cur.v[j] == 0)
			f->cur.has[j] = true;
		s_acc(&f->cur.v[j], &f->cur.has[j], x->now.v[j]);
		f->base.has[j] = f->base.has[j] && x->has_base && x->base.has[j];
		s_acc(&f->base.v[j], &f->base.has[j], x->base.v[j]);
		f->prev.has[j] = f->prev.has[j] && x->has_then && x->then.has[j];
		s_acc(&f->prev.v[j], &f->prev.has[j], x->then.v[j]);
	}
}

/* The previous period's counts of code (a unit of hier, the period's
 * version): on the previous period's version, the sum of its
 * predecessors' (hier_predecessors(): known only when each of them has
 * them; hierperiod.h). */
#define S_PREDS_MAX 64
static int s_prev_counts(store_t *st, MDB_txn *txn, agg_memo_t *memo, const hier_t *hier,
			 const figures_t *f, const char *code, campaign_counts_t *k, bool *ret_has)
{
	const hier_t *then = hier_at_day(hier, f->prev->end_day);
	const char *preds[S_PREDS_MAX];
	campaign_counts_t part;
	bool unknown = false, has = true;
	size_t n = then == hier ? 1 : hier_predecessors(hier, then, code, preds, S_PREDS_MAX,
							  &unknown);
	int r = 0;

	if (then == hier)
		return s_latest_counts(st, txn, memo, f->camp, f->prev->id, code, k, ret_has);
	*ret_has = false;
	if (unknown || n == 0 || n > S_PREDS_MAX)
		return 0;
	for (size_t i = 0; r == 0 && has && i < n; i++) {
		r = s_latest_counts(st, txn, memo, f->camp, f->prev->id, preds[i], &part, &has);
		if (r == 0 && has)
			hierperiod_counts_add(f->camp, k, &part, i == 0);
	}
	*ret_has = r == 0 && has;
	return r;
}

/* Reads one unit of the subtree. */
static int s_read_unit(store_t *st, MDB_txn *txn, agg_memo_t *memo, const hier_t *hier,
		       const figures_t *f, int unit, s_unit_t *x)
{
	int r;

	x->u = hier_unit(hier, unit);
	r = s_latest_counts(st, txn, memo, f->camp, f->p->id, x->u->code, &x->now,
			    &x->has_now);
	x->has_then = false;
	campaign_counts_clear(&x->then);
	if (r == 0 && f->prev)
		r = s_prev_counts(st, txn, memo, hier, f, x->u->code, &x->then, &x->has_then);
	x->has_base = r == 0 && hierperiod_baseline(f->camp, hier, unit, &x->base) == 0;
	if (!x->has_base)
		campaign_counts_clear(&x->base);
	return r;
}

/* Starts every indicator's sums: known until a covering unit lacks one. */
static void s_start(figures_t *f)
{
	for (size_t i = 0; i < CAMPAIGN_INDICATORS_MAX; i++) {
		figures_ind_t *g = &f->ind[i];

		memset(g, 0, sizeof(*g));
		for (size_t j = 0; j < CAMPAIGN_INDICATORS_MAX; j++)
			g->base.has[j] = g->prev.has[j] = true;
	}
}

/* How many of the campaign's levels report indicator j in p (an ad-hoc
 * request's units, never nested, count as one). */
static size_t s_levels_reporting(const campaign_t *c, const campaign_period_t *p, int j)
{
	size_t n = 0;

	if (p->request)
		return 1;

	for (size_t l = 0; l < campaign_level_count(c); l++)
		n += campaign_level_reports(c, j, campaign_level(c, l));
	return n;
}

/* Settles each indicator: its basis, and what of it is known. */
static void s_finish(figures_t *f, const hier_t *hier)
{
	campaign_counts_t own;
	bool has_own = hierperiod_baseline(f->camp, hier, f->unit, &own) == 0;
	size_t n = campaign_indicator_count(f->camp);

	for (size_t i = 0; i < n; i++) {
		figures_ind_t *g = &f->ind[i];
		int in[CAMPAIGN_INDICATORS_MAX];
		size_t nin = campaign_indicator_inputs(f->camp, (int)i, in, CAMPAIGN_INDICATORS_MAX);

		g->partial = g->reported < g->expected;
		g->has_prev = f->prev && g->reported > 0;
		for (size_t k = 0; k < nin; k++) {
			int j = in[k];

			if (!g->partial) {   /* the full basis: the unit's own baseline */
				g->base.v[j] = has_own ? own.v[j] : 0;
				g->base.has[j] = has_own && own.has[j];
			} else if (s_levels_reporting(f->camp, f->p, j) > 1) {
				/* The baseline file holds subtree totals: the share of
				 * units that report it at several levels is not there. */
				g->base.has[j] = false;
			}
			g->base.has[j] = g->base.has[j] && g->cur.has[j];
			g->prev.has[j] = g->prev.has[j] && g->cur.has[j];
			if (!g->cur.has[j])
				g->base.v[j] = g->prev.v[j] = 0;
		}
		for (size_t j = 0; j < CAMPAIGN_INDICATORS_MAX; j++) {
			bool input = false;

			for (size_t k = 0; k < nin && !input; k++)
				input = in[k] == (int)j;
			if (!input)
				g->cur.has[j] = g->base.has[j] = g->prev.has[j] = false;
		}
	}
}

int figures_build(store_t *st, MDB_txn *txn, agg_memo_t *memo, const hier_t *hier,
		  const campaign_t *c, const campaign_period_t *p, int unit, figures_t *ret)
{
	size_t nu = hier_count(hier), head = 0, tail = 0, n = campaign_indicator_count(c);
	int *queue = malloc((nu ? nu : 1) * sizeof(*queue));
	s_unit_t *x = malloc(sizeof(*x));
	int in[CAMPAIGN_INDICATORS_MAX], r = 0;

	if (!queue || !x) {
		free(queue);
		free(x);
		return -ENOMEM;
	}
	ret->camp = c;
	ret->p = p;
	ret->prev = campaign_period_previous(c, p);
	ret->unit = unit;
	s_start(ret);
	queue[tail++] = unit;
	while (r == 0 && head < tail) {
		const int *ch;
		size_t nch = hier_children(hier, queue[head], &ch);

		r = s_read_unit(st, txn, memo, hier, ret, queue[head++], x);
		for (size_t k = 0; k < nch && tail < nu; k++)
			queue[tail++] = ch[k];
		for (size_t i = 0; r == 0 && i < n; i++) {
			size_t nin = campaign_indicator_inputs(c, (int)i, in, CAMPAIGN_INDICATORS_MAX);

			s_add(c, p, &ret->ind[i], in, nin, x);
		}
	}
	if (r == 0)
		s_finish(ret, hier);
	free(queue);
	free(x);
	return r;
}

/* One target with a form of its own on its indicator's figures. */
static int s_eval_one(const figures_t *f, const campaign_target_t *t, figures_eval_t *ret)
{
	const figures_ind_t *g = &f->ind[t->indicator];
	int r;

	memset(ret, 0, sizeof(*ret));
	r = campaign_evaluate(f->camp, t, f->p, &g->base, g->has_prev ? &g->prev : NULL, &g->cur,
			      &ret->ev);
	if (r < 0)
		return r;
	ret->comparable = g->partial;
	ret->reported = g->reported;
	ret->expected = g->expected;
	if (g->partial && campaign_partial_withhold(f->camp)) {
		ret->withheld = true;
		ret->ev.verdict = CAMPAIGN_INCOMPLETE;
		ret->ev.has_achievement = ret->ev.has_progress = false;
	}
	return 0;
}

int figures_evaluate(const figures_t *f, const campaign_target_t *t, figures_eval_t *ret)
{
	figures_eval_t alt[CAMPAIGN_INDICATORS_MAX];
	campaign_eval_t evs[CAMPAIGN_INDICATORS_MAX];
	size_t best = 0;
	int r;

	if (!f || !t || !ret)
		return -EINVAL;
	if (t->form != CAMPAIGN_ANY_OF)
		return s_eval_one(f, t, ret);
	if (t->nalts == 0 || t->nalts > CAMPAIGN_INDICATORS_MAX)
		return -EINVAL;
	for (size_t k = 0; k < t->nalts; k++) {
		if ((r = s_eval_one(f, t->alts[k], &alt[k])) < 0)
			return r;
		evs[k] = alt[k].ev;
	}
	*ret = alt[0];
	r = campaign_any_of(f->camp, t, evs, &ret->ev, &best);
	if (r == 0) {
		ret->comparable = alt[best].comparable;
		ret->withheld = alt[best].withheld;
		ret->reported = alt[best].reported;
		ret->expected = alt[best].expected;
	}
	return r;
}
