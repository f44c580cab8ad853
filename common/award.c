/*
 * award.c: eligibility for awards (award.h). Walks the campaign's award
 * rules for a form and an occasion, decides each rule's conditions with
 * campaign_evaluate() over the nominee unit's effective targets, and says
 * why in words and in figures. No allocation: everything is on the stack.
 */
#include "award.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Most goals of one unit looked at (campaign_target_for()'s entries). */
#define S_GOALS_MAX 64

/* Three-valued truth of a condition. */
enum { S_FAILS = 0, S_HOLDS = 1, S_UNKNOWN = 2 };

/* One condition's outcome. */
typedef struct s_cond {
	int state;
	award_cond_t cond;
	const campaign_target_t *target;
	campaign_eval_t eval;
	bool has_value, value_exact, need_strict;
	int64_t value_bp, need_bp;
	size_t ntargets;
	int indicator;
	bool has_amount;
	int64_t amount, need_amount;
	char text[AWARD_TEXT_MAX];
} s_cond_t;

const char *award_verdict_name(award_verdict_t v)
{
	switch (v) {
	case AWARD_ELIGIBLE: return "eligible";
	case AWARD_NOT_ELIGIBLE: return "not eligible";
	default: return "no data";
	}
}

/* Appends to buf[AWARD_TEXT_MAX] (truncating). */
static void s_cat(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_cat(char *buf, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= AWARD_TEXT_MAX)
		return;
	va_start(ap, fmt);
	/* clang-analyzer 14 loses the va_start just above (a false positive):
	 * NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	vsnprintf(buf + len, AWARD_TEXT_MAX - len, fmt, ap);
	va_end(ap);
}

/* A percentage from basis points, e.g. "109.99 %"; "109.99… %" when the
 * exact value lies above the shown (floor) one. Returns out. */
static const char *s_pct(char *out, size_t len, int64_t bp, bool exact)
{
	uint64_t a = bp < 0 ? (uint64_t)0 - (uint64_t)bp : (uint64_t)bp;

	snprintf(out, len, "%s%" PRIu64 ".%02" PRIu64 "%s %%", bp < 0 ? "-" : "", a / 100, a % 100,
		 exact ? "" : "…");
	return out;
}

static const char *s_op(bool strict)
{
	return strict ? ">" : ">=";
}

static const char *s_ind_code(const campaign_t *c, const campaign_target_t *t)
{
	const campaign_indicator_t *ind = campaign_indicator(c, t->indicator);

	return ind ? ind->code : "?";
}

/* ---- target conditions ------------------------------------------------ */

static bool s_goal_listed(const campaign_award_rule_t *r, const char *goal)
{
	if (!r->goals)
		return true;
	for (size_t i = 0; i < r->ngoals; i++)
		if (strcmp(r->goals[i], goal) == 0)
			return true;
	return false;
}

/* Rank of a target's state for the quantifier: lower decides. */
static int s_rank(int state, bool any)
{
	if (state == S_UNKNOWN)
		return 1;
	if (any)
		return state == S_HOLDS ? 0 : 2;
	return state == S_FAILS ? 0 : 2;
}

/* True when (state, value) beats the current deciding target: a lower rank;
 * on the same rank, all: the lower value, any: the higher (unknown: the
 * first). */
static bool s_decides(const s_cond_t *cur, bool have, int state, bool has_value, int64_t v, bool any)
{
	int64_t cv = cur->has_value ? cur->value_bp : INT64_MIN, nv = has_value ? v : INT64_MIN;

	if (!have)
		return true;
	if (s_rank(state, any) != s_rank(cur->state, any))
		return s_rank(state, any) < s_rank(cur->state, any);
	if (state == S_UNKNOWN)
		return false;
	return any ? nv > cv : nv < cv;
}

/* The state of one evaluated target for a threshold th on achievement
 * (progress): S_UNKNOWN without data, S_HOLDS or S_FAILS by its value
 * (*ret_value, *ret_exact), S_FAILS when NOT_MET without one; -1 when
 * nothing was required of it (it is left out). */
static int s_target_state(const campaign_eval_t *ev, const campaign_threshold_t *th, bool progress,
			  int64_t *ret_value, bool *ret_exact)
{
	bool has_value = progress ? ev->has_progress : ev->has_achievement;

	if (ev->verdict == CAMPAIGN_NO_DATA || ev->verdict == CAMPAIGN_INCOMPLETE)
		return S_UNKNOWN;
	if (has_value) {
		*ret_value = progress ? ev->progress_bp : ev->achievement_bp;
		*ret_exact = progress ? ev->progress_exact : ev->achievement_exact;
		return (progress ? campaign_eval_progresses(ev, th->bp, th->strict) :
			campaign_eval_achieves(ev, th->bp, th->strict)) ? S_HOLDS : S_FAILS;
	}
	return ev->verdict == CAMPAIGN_NOT_MET ? S_FAILS : -1;
}

/* Says in out->text why the target condition decided as it did (have: a
 * target decided; applicable: targets of the rule's goals there were). */
static void s_target_text(const campaign_t *c, const hier_t *h, const campaign_award_rule_t *r,
			  bool progress, const award_nominee_t *n, const campaign_period_t *p,
			  bool have, size_t applicable, s_cond_t *out)
{
	const campaign_threshold_t *th = progress ? &r->progress : &r->achievement;
	const char *what = progress ? "progress" : "achievement";
	char v[32], need[32];

	s_pct(need, sizeof(need), th->bp, true);
	if (!have) {
		const hier_unit_t *u = hier_unit(h, n->unit);

		if (applicable)
			snprintf(out->text, sizeof(out->text), "%s: no target of unit %s requires a change "
				 "in %s, needs %s %s", what, u->code, p->id, s_op(th->strict), need);
		else
			snprintf(out->text, sizeof(out->text), "%s: unit %s has no target in %s%s",
				 what, u->code, p->id, r->goals ? " for the rule's goals" : "");
		return;
	}
	if (out->state == S_UNKNOWN) {
		snprintf(out->text, sizeof(out->text), "%s: no data for target %s (%s) in %s: %s "
			 "not known (or a denominator is 0)", what, out->target->id,
			 s_ind_code(c, out->target), p->id,
			 !out->eval.has_base ? "the baseline value" :
			 !out->eval.has_cur ? "the period's value" : "the previous period's value");
		return;
	}
	if (!out->has_value) {
		snprintf(out->text, sizeof(out->text), "%s: target %s (%s) not met in %s, needs %s %s",
			 what, out->target->id, s_ind_code(c, out->target), p->id, s_op(th->strict), need);
		return;
	}
	snprintf(out->text, sizeof(out->text), "%s %s of target %s (%s) in %s", what,
		 s_pct(v, sizeof(v), out->value_bp, out->value_exact), out->target->id,
		 s_ind_code(c, out->target), p->id);
	if (out->ntargets > 1)
		s_cat(out->text, ", the %s of %zu targets", r->any ? "highest" : "lowest", out->ntargets);
	s_cat(out->text, ", needs %s %s", s_op(th->strict), need);
}

/* The achievement (progress) condition of rule r over the unit's targets. */
static void s_target_cond(const campaign_t *c, const hier_t *h, const campaign_award_rule_t *r,
			  bool progress, const award_nominee_t *n, const campaign_period_t *p,
			  const award_inputs_t *in, s_cond_t *out)
{
	const campaign_threshold_t *th = progress ? &r->progress : &r->achievement;
	campaign_applied_t ap[S_GOALS_MAX];
	size_t na = campaign_target_for(c, h, n->unit, p, ap, S_GOALS_MAX), applicable = 0;
	bool have = false;

	memset(out, 0, sizeof(*out));
	out->cond = progress ? AWARD_COND_PROGRESS : AWARD_COND_ACHIEVEMENT;
	out->indicator = -1;
	out->need_bp = th->bp;
	out->need_strict = th->strict;
	if (na > S_GOALS_MAX)
		na = S_GOALS_MAX;
	for (size_t i = 0; i < na; i++) {
		const campaign_target_t *t = ap[i].target;
		campaign_eval_t ev;
		bool exact = false, has_value;
		int64_t value = 0;
		int state;

		if (!s_goal_listed(r, t->goal))
			continue;
		applicable++;
		if (in->evaluate ? in->evaluate(in->evaluate_ctx, t, &ev) != 0
				 : campaign_evaluate(c, t, p, in->baseline, in->previous, in->current,
						     &ev) != 0)
			continue;   /* cannot happen: the arguments were checked */
		if ((state = s_target_state(&ev, th, progress, &value, &exact)) < 0)
			continue;   /* nothing was required of it: left out */
		out->ntargets++;
		has_value = state != S_UNKNOWN && (progress ? ev.has_progress : ev.has_achievement);
		if (s_decides(out, have, state, has_value, value, r->any)) {
			have = true;
			out->state = state;
			out->target = t;
			out->eval = ev;
			out->has_value = has_value;
			out->value_bp = has_value ? value : 0;
			out->value_exact = exact;
		}
	}
	if (!have)
		out->state = applicable ? S_UNKNOWN : S_FAILS;
	s_target_text(c, h, r, progress, n, p, have, applicable, out);
}

/* ---- contribution ----------------------------------------------------- */

static void s_contrib_cond(const campaign_t *c, const campaign_contrib_rule_t *cr,
			   const award_inputs_t *in, s_cond_t *out)
{
	const char *code = campaign_indicator(c, cr->indicator)->code;
	int64_t num = 0, den = 1;

	memset(out, 0, sizeof(*out));
	out->cond = AWARD_COND_CONTRIBUTION;
	out->indicator = cr->indicator;
	out->need_amount = cr->amount;
	out->need_strict = cr->strict;
	if (!in->contributions || campaign_value(c, in->contributions, cr->indicator, &num, &den) != 0) {
		out->state = S_UNKNOWN;
		snprintf(out->text, sizeof(out->text), "contribution %s not known, needs %s %" PRId64
			 " dong", code, s_op(cr->strict), cr->amount);
		return;
	}
	assert(den == 1);
	out->has_amount = true;
	out->amount = num;
	out->state = (cr->strict ? num > cr->amount : num >= cr->amount) ? S_HOLDS : S_FAILS;
	snprintf(out->text, sizeof(out->text), "contribution %s %" PRId64 " dong, needs %s %" PRId64 " dong",
		 code, num, s_op(cr->strict), cr->amount);
}

/* ---- one rule --------------------------------------------------------- */

static void s_result_from(award_result_t *ret, const s_cond_t *k)
{
	ret->cond = k->cond;
	ret->target = k->target;
	ret->eval = k->eval;
	ret->has_value = k->has_value;
	ret->value_bp = k->value_bp;
	ret->value_exact = k->value_exact;
	ret->need_bp = k->need_bp;
	ret->need_strict = k->need_strict;
	ret->ntargets = k->ntargets;
	ret->indicator = k->indicator;
	ret->has_amount = k->has_amount;
	ret->amount = k->amount;
	ret->need_amount = k->need_amount;
}

/* Decides rule r for the nominee into *ret (form, occasion set by the
 * caller). */
static void s_rule(const campaign_t *c, const hier_t *h, const campaign_award_rule_t *r,
		   const award_nominee_t *n, const campaign_period_t *p, const award_inputs_t *in,
		   award_result_t *ret)
{
	s_cond_t conds[3];
	size_t nc = 0;
	const s_cond_t *holds = NULL, *unknown = NULL, *fails = NULL;
	const char *disq = r->disqualify > 0 ? campaign_sanction(c, r->disqualify) : NULL;

	ret->rule = r;
	ret->indicator = -1;
	ret->sanction = n->sanction;
	ret->disqualify = r->disqualify;
	snprintf(ret->text, sizeof(ret->text), "%s on %s (rule %s): ",
		 campaign_award_form_code(r->form), p->id, r->id);
	if (r->disqualify > 0 && n->sanction >= r->disqualify) {
		ret->verdict = AWARD_NOT_ELIGIBLE;
		ret->cond = AWARD_COND_SANCTION;
		s_cat(ret->text, "not eligible: sanction '%s' (%s or above disqualifies)",
		      campaign_sanction(c, n->sanction), disq);
		return;
	}
	if (r->achievement.set)
		s_target_cond(c, h, r, false, n, p, in, &conds[nc++]);
	if (r->progress.set)
		s_target_cond(c, h, r, true, n, p, in, &conds[nc++]);
	if (r->contribution[n->kind].indicator >= 0)
		s_contrib_cond(c, &r->contribution[n->kind], in, &conds[nc++]);
	if (nc == 0) {
		/* Cannot happen: loading refuses a rule without a condition for
		 * one of its kinds. */
		ret->verdict = AWARD_NOT_ELIGIBLE;
		ret->cond = AWARD_COND_NO_RULE;
		s_cat(ret->text, "not eligible: the rule has no condition for kind %s",
		      campaign_nominee_kind_code(n->kind));
		return;
	}
	for (size_t i = 0; i < nc; i++) {
		if (conds[i].state == S_HOLDS && !holds)
			holds = &conds[i];
		if (conds[i].state == S_UNKNOWN && !unknown)
			unknown = &conds[i];
		if (conds[i].state == S_FAILS && !fails)
			fails = &conds[i];
	}
	if (holds && n->sanction == AWARD_SANCTION_UNKNOWN && r->disqualify > 0) {
		ret->verdict = AWARD_NO_DATA;
		s_result_from(ret, holds);
		ret->cond = AWARD_COND_SANCTION;
		s_cat(ret->text, "no data: disciplinary record not known (%s or above disqualifies); "
		      "%s", disq, holds->text);
		return;
	}
	if (holds) {
		ret->verdict = AWARD_ELIGIBLE;
		s_result_from(ret, holds);
		s_cat(ret->text, "eligible: %s", holds->text);
		return;
	}
	ret->verdict = unknown ? AWARD_NO_DATA : AWARD_NOT_ELIGIBLE;
	s_result_from(ret, unknown ? unknown : fails ? fails : &conds[0]);
	s_cat(ret->text, "%s: ", award_verdict_name(ret->verdict));
	for (size_t i = 0; i < nc; i++)
		s_cat(ret->text, "%s%s", i ? "; " : "", conds[i].text);
}

/* ---- the API ---------------------------------------------------------- */

static bool s_rule_applies(const campaign_t *c, const campaign_award_rule_t *r,
			   campaign_award_form_t form, const campaign_period_t *p,
			   campaign_nominee_kind_t kind)
{
	if (r->form != form || r->occasion != p->kind || !(r->nominees & (1u << kind)))
		return false;
	if (!r->periods)
		return true;
	for (size_t i = 0; i < r->nperiods; i++)
		if (campaign_period(c, r->periods[i]) == p)
			return true;
	return false;
}

static int s_verdict_rank(award_verdict_t v)
{
	return v == AWARD_ELIGIBLE ? 0 : v == AWARD_NO_DATA ? 1 : 2;
}

/* Checks the arguments common to award_check() and award_highest(). */
static int s_check_args(const campaign_t *c, const hier_t *h, const award_nominee_t *n,
			const campaign_period_t *p, const award_inputs_t *in)
{
	bool known = false;

	if (!c || !h || !n || !p || !in || !in->baseline || !in->current)
		return -EINVAL;
	if ((unsigned)n->kind >= CAMPAIGN_NOMINEE_KINDS || !hier_unit(h, n->unit))
		return -EINVAL;
	if (n->sanction < AWARD_SANCTION_UNKNOWN || n->sanction > (int)campaign_sanction_count(c))
		return -EINVAL;
	for (size_t i = 0; i < campaign_period_count(c) && !known; i++)
		known = campaign_period(c, (int)i) == p;
	return known ? 0 : -EINVAL;
}

int award_check(const campaign_t *c, const hier_t *hier, const award_nominee_t *nominee,
		campaign_award_form_t form, const campaign_period_t *occasion,
		const award_inputs_t *in, award_result_t *ret)
{
	award_result_t best, cur;
	bool have = false;
	int r;

	if ((r = s_check_args(c, hier, nominee, occasion, in)) != 0)
		return r;
	if (!ret || (unsigned)form >= CAMPAIGN_AWARD_FORMS)
		return -EINVAL;
	for (size_t i = 0; i < campaign_award_rule_count(c); i++) {
		const campaign_award_rule_t *rule = campaign_award_rule(c, (int)i);

		if (!s_rule_applies(c, rule, form, occasion, nominee->kind))
			continue;
		memset(&cur, 0, sizeof(cur));
		cur.form = form;
		cur.occasion = occasion;
		s_rule(c, hier, rule, nominee, occasion, in, &cur);
		if (!have || s_verdict_rank(cur.verdict) < s_verdict_rank(best.verdict)) {
			best = cur;
			have = true;
		}
	}
	if (!have) {
		memset(&best, 0, sizeof(best));
		best.verdict = AWARD_NOT_ELIGIBLE;
		best.form = form;
		best.occasion = occasion;
		best.cond = AWARD_COND_NO_RULE;
		best.indicator = -1;
		best.sanction = nominee->sanction;
		snprintf(best.text, sizeof(best.text), "%s on %s: not eligible: no rule gives it "
			 "on this occasion to a nominee of kind %s", campaign_award_form_code(form),
			 occasion->id, campaign_nominee_kind_code(nominee->kind));
	}
	*ret = best;
	return 0;
}

int award_highest(const campaign_t *c, const hier_t *hier, const award_nominee_t *nominee,
		  const campaign_period_t *occasion, const award_inputs_t *in, int *ret_form,
		  award_result_t ret_all[CAMPAIGN_AWARD_FORMS])
{
	award_result_t all[CAMPAIGN_AWARD_FORMS];
	int best = AWARD_NONE, r;

	if (!ret_form || !ret_all)
		return -EINVAL;
	for (int f = CAMPAIGN_AWARD_FORMS - 1; f >= 0; f--) {
		if ((r = award_check(c, hier, nominee, (campaign_award_form_t)f, occasion, in,
				     &all[f])) != 0)
			return r;
		if (best == AWARD_NONE && all[f].verdict == AWARD_ELIGIBLE)
			best = f;
	}
	memcpy(ret_all, all, sizeof(all));
	*ret_form = best;
	return 0;
}
