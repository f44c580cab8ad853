/* hierperiod.c: a period's hierarchy version, and baselines on a version
 * other than the baseline's (see hierperiod.h). */
#include "hierperiod.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "hierchanges.h"
#include "lnob_err.h"
#include "report.h"

/* Predecessors looked at for the sum of theirs (more: the children's). */
#define S_PREDS_MAX 64

bool hierperiod_day(const campaigns_t *camps, const char *campaign, const char *period,
		    int32_t *ret_day)
{
	const campaign_t *c = camps && campaign ? campaigns_find(camps, campaign) : NULL;
	const campaign_period_t *p = c && period ? campaign_period_find(c, period) : NULL;
	const char *s = period;
	int y;

	if (p) {
		*ret_day = p->end_day;
		return true;
	}
	if (c || !s || strlen(s) != 4 || !calendar_digits(&s, 4, &y) || y < 2000 || y > 2100)
		return false;
	*ret_day = (int32_t)calendar_days(y, 12, 31);
	return true;
}

const hier_t *hierperiod_tree(const hier_t *hier, const campaigns_t *camps, const char *campaign,
			      const char *period)
{
	int32_t day;

	if (!hier || !hier_version_prev(hier) || !hierperiod_day(camps, campaign, period, &day))
		return hier;
	return hier_at_day(hier, day);
}

const char *hierperiod_from_text(const hier_t *h, char *buf, size_t len)
{
	int32_t from = hier_version_from(h);
	int y, m, d;

	if (from == HIER_FROM_START) {
		snprintf(buf, len, "the beginning");
		return buf;
	}
	calendar_civil(from, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
	return buf;
}

/* True when unit u of h is the same unit in b (hierperiod.h). */
static bool s_same(const hier_t *h, const hier_t *b, int u)
{
	const char *code = hier_unit(h, u)->code, *pred[2];
	const int *kids, *bkids;
	int bi = hier_find(b, code);
	bool unknown = false;
	size_t nk, np;

	if (bi < 0)
		return false;
	np = hier_predecessors(h, b, code, pred, 2, &unknown);
	if (unknown || np != 1 || strcmp(pred[0], code) != 0)
		return false;
	nk = hier_children(h, u, &kids);
	if (nk != hier_children(b, bi, &bkids))
		return false;
	for (size_t k = 0; k < nk; k++) {
		int bk = hier_find(b, hier_unit(h, kids[k])->code);

		if (bk < 0 || hier_unit(b, bk)->parent != bi || !s_same(h, b, kids[k]))
			return false;
	}
	return true;
}

/* True when code is one of v[0..n). */
static bool s_among(const char *const *v, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], code) == 0)
			return true;
	return false;
}

/* True when every child of u in h had, through each of its predecessors
 * in b, its parent among preds[0..np). */
static bool s_children_from(const hier_t *h, const hier_t *b, int u, const char *const *preds,
			    size_t np)
{
	const int *kids;
	size_t nk = hier_children(h, u, &kids);

	for (size_t k = 0; k < nk; k++) {
		const char *kp[S_PREDS_MAX];
		bool unknown = false;
		size_t n = hier_predecessors(h, b, hier_unit(h, kids[k])->code, kp, S_PREDS_MAX,
					     &unknown);

		if (unknown || n == 0 || n > S_PREDS_MAX)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!s_among(preds, np, hier_unit(b, hier_find(b, kp[i]))->parent_code))
				return false;
	}
	return true;
}

void hierperiod_counts_add(const campaign_t *c, campaign_counts_t *acc,
			   const campaign_counts_t *part, bool first)
{
	size_t n = campaign_indicator_count(c);

	if (first) {
		*acc = *part;
		return;
	}
	for (size_t j = 0; j < n; j++) {
		acc->has[j] = acc->has[j] && part->has[j] && part->v[j] >= 0 &&
			      acc->v[j] <= REPORT_VALUE_MAX - part->v[j];
		acc->v[j] = acc->has[j] ? acc->v[j] + part->v[j] : 0;
	}
}

/* The result of a sum: LNOB_E_NOTFOUND when nothing of it is known. */
static int s_known(const campaign_t *c, const campaign_counts_t *acc)
{
	for (size_t j = 0; j < campaign_indicator_count(c); j++)
		if (acc->has[j])
			return 0;
	return LNOB_E_NOTFOUND;
}

/* The sum of the baselines of preds[0..np) in b. */
static int s_preds_sum(const campaign_t *c, const hier_t *b, const char *const *preds, size_t np,
		       campaign_counts_t *ret)
{
	campaign_counts_t part;
	int r = 0;

	campaign_counts_clear(ret);
	for (size_t i = 0; r == 0 && i < np; i++) {
		r = campaign_baseline_for(c, b, hier_find(b, preds[i]), &part);
		if (r == 0)
			hierperiod_counts_add(c, ret, &part, i == 0);
	}
	return r < 0 ? r : s_known(c, ret);
}

/* hierperiod_baseline() with the baseline version b. */
static int s_baseline(const campaign_t *c, const hier_t *h, const hier_t *b, int u,
		      campaign_counts_t *ret)
{
	const char *code = hier_unit(h, u)->code, *preds[S_PREDS_MAX];
	bool unknown = false;
	campaign_counts_t part;
	const int *kids;
	size_t np, nk;
	int r = 0;

	if (s_same(h, b, u))
		return campaign_baseline_for(c, b, hier_find(b, code), ret);
	np = hier_predecessors(h, b, code, preds, S_PREDS_MAX, &unknown);
	if (unknown)
		return LNOB_E_NOTFOUND;
	if (np > 0 && np <= S_PREDS_MAX && s_children_from(h, b, u, preds, np))
		return s_preds_sum(c, b, preds, np, ret);
	nk = hier_children(h, u, &kids);
	if (nk == 0)
		return LNOB_E_NOTFOUND;
	campaign_counts_clear(ret);
	for (size_t k = 0; r == 0 && k < nk; k++) {
		r = s_baseline(c, h, b, kids[k], &part);
		if (r == 0)
			hierperiod_counts_add(c, ret, &part, k == 0);
	}
	return r < 0 ? r : s_known(c, ret);
}

int hierperiod_baseline(const campaign_t *c, const hier_t *h, int unit, campaign_counts_t *ret)
{
	const hier_t *b = hier_at_day(h, campaign_baseline_day(c));

	if (!hier_unit(h, unit))
		return -EINVAL;
	if (b == h)
		return campaign_baseline_for(c, h, unit, ret);
	return s_baseline(c, h, b, unit, ret);
}

/* What the walk of the rollups looks for. */
typedef struct s_walk {
	const campaigns_t *camps;
	int32_t day;
	char *what;
	size_t len;
} s_walk_t;

/* agg_unit_foreach(): stops (1) at the first rollup of a period on or
 * after the day. */
static int s_stored(void *ctx, const char *campaign, const char *period, const char *unit,
		    const MDB_val *val)
{
	s_walk_t *w = ctx;
	int32_t d;

	(void)unit;
	(void)val;
	if (hierperiod_day(w->camps, campaign, period, &d) && d < w->day)
		return 0;
	snprintf(w->what, w->len, "%s/%s", campaign, period);
	return 1;
}

int hierperiod_stored_from(store_t *st, MDB_txn *txn, const campaigns_t *camps, int32_t day,
			   char *what, size_t len)
{
	s_walk_t w = { camps, day, what, len };
	int r;

	what[0] = '\0';
	r = agg_unit_foreach(st, txn, AGG_UNIT_ROLLUPS, s_stored, &w);
	if (r < 0)
		return r;
	return what[0] ? 1 : 0;
}

/* What the change lists say of code (the newest line naming it, or
 * naming it as a merger's successor), into why. */
static void s_fate(const hier_t *latest, const char *code, char *why, size_t len)
{
	char day[32];

	why[0] = '\0';
	for (const hier_t *v = latest; v && !why[0]; v = hier_version_prev(v)) {
		size_t n;
		const hier_change_t *ch = hier_version_changes(v, &n);

		for (size_t i = 0; i < n && !why[0]; i++) {
			bool named = strcmp(ch[i].code, code) == 0 && ch[i].kind != HIER_CH_RENAMED &&
				     ch[i].kind != HIER_CH_MOVED;

			if (named)
				snprintf(why, len, ": %s%s%s in the version from %s",
					 hierchanges_kind_text(ch[i].kind), *ch[i].other ? " " : "",
					 ch[i].other, hierperiod_from_text(v, day, sizeof(day)));
			else if (ch[i].kind == HIER_CH_MERGED && strcmp(ch[i].other, code) == 0)
				snprintf(why, len, ": the successor of %s in the version from %s",
					 ch[i].code, hierperiod_from_text(v, day, sizeof(day)));
		}
	}
	if (!why[0])
		snprintf(why, len, ": a unit of another version");
}

/* True when a version of latest's chain has code. */
static bool s_in_some(const hier_t *latest, const char *code)
{
	for (const hier_t *v = latest; v; v = hier_version_prev(v))
		if (hier_find(v, code) >= 0)
			return true;
	return false;
}

bool hierperiod_absent(const hier_t *latest, const hier_t *t, const char *code,
		       const char *period, char *detail, size_t len)
{
	char day[32], why[256];

	if (!s_in_some(latest, code))
		return false;
	s_fate(latest, code, why, sizeof(why));
	snprintf(detail, len, "unit '%s' is not in the hierarchy version valid for period %s "
		 "(from %s)%s", code, period, hierperiod_from_text(t, day, sizeof(day)), why);
	return true;
}

bool hierperiod_scope_gone(const hier_t *latest, const hier_t *t, const char *scope,
			   const char *period, char *detail, size_t len)
{
	char day[32], why[256];

	if (!s_in_some(latest, scope))
		return false;
	s_fate(latest, scope, why, sizeof(why));
	snprintf(detail, len, "the signer's scope '%s' is not in the hierarchy version valid for "
		 "period %s (from %s)%s: a report of that period needs a node enrolled with a "
		 "scope of that version", scope, period, hierperiod_from_text(t, day, sizeof(day)),
		 why);
	return true;
}

int hierperiod_view_unit(const hier_t **hier, const campaigns_t *camps, const char *campaign,
			 const char *period, int *unit, char *err, size_t errlen)
{
	const hier_t *t = hierperiod_tree(*hier, camps, campaign, period);
	const hier_unit_t *u = hier_unit(*hier, *unit);
	int i;

	if (t == *hier || !u)
		return 0;
	if ((i = hier_find(t, u->code)) < 0) {
		hierperiod_absent(*hier, t, u->code, period, err, errlen);
		return LNOB_E_NOTFOUND;
	}
	*hier = t;
	*unit = i;
	return 0;
}

/* How many of preds[0..n) have a report of (c, prev). */
static int s_count_reports(store_t *st, MDB_txn *txn, agg_memo_t *memo, const campaign_t *c,
			   const campaign_period_t *prev, const char *const *preds, size_t n,
			   unsigned *acc)
{
	for (size_t i = 0; i < n; i++) {
		const Lnob__LatestRecord *lr = NULL;
		int r = agg_latest_memo(st, txn, memo, campaign_id(c), prev->id, preds[i], &lr);

		if (r == 0 && lr)
			(*acc)++;
		else if (r < 0 && r != LNOB_E_NOTFOUND && r != LNOB_E_INVALID)
			return r;
	}
	return 0;
}

int hierperiod_prev_reported(store_t *st, MDB_txn *txn, agg_memo_t *memo, const hier_t *t,
			     const campaign_t *c, const campaign_period_t *prev, int unit,
			     unsigned *ret)
{
	const hier_t *then = hier_at_day(t, prev->end_day);
	size_t nu = hier_count(t), head = 0, tail = 0;
	int *queue = malloc((nu ? nu : 1) * sizeof(*queue));
	int r = 0;

	if (!queue)
		return -ENOMEM;
	*ret = 0;
	queue[tail++] = unit;
	while (r == 0 && head < tail) {
		const char *preds[S_PREDS_MAX];
		const int *kids;
		int u = queue[head++];
		size_t nk = hier_children(t, u, &kids);
		bool unknown = false;
		size_t np = hier_predecessors(t, then, hier_unit(t, u)->code, preds, S_PREDS_MAX,
					      &unknown);

		for (size_t k = 0; k < nk && tail < nu; k++)
			queue[tail++] = kids[k];
		r = s_count_reports(st, txn, memo, c, prev, preds,
				    np < S_PREDS_MAX ? np : S_PREDS_MAX, ret);
	}
	free(queue);
	return r;
}
