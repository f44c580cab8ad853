/* test_figures.c: the partial-data rule (figures.h). A subtree where every
 * unit that owes an indicator has reported it is judged on the full basis
 * (the unit's baseline); one where some have not is judged on the
 * comparable basis (the same units' counts and baselines), with its
 * coverage; partial = withhold gives INCOMPLETE; a unit that reports only
 * part of a rate's counts does not cover it; an indicator reported at
 * several levels has no comparable baseline. */
#include "testutil.h"
#include "aggtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "figures.h"
#include "lnob_err.h"

/* Rows add up: C1 = V1 + V2, C2 = V3, D1 = C1 + C2, P = D1. */
static const char s_baseline[] =
	"unit,hh,poor,near\n"
	"V1,100,20,10\n"
	"V2,100,40,0\n"
	"V3,200,10,10\n"
	"C1,200,60,10\n"
	"C2,200,10,10\n"
	"D1,400,70,20\n"
	"P,400,70,20\n";

static const char s_campaign[] =
	"[campaign]\nid = " AT_CAMPAIGN "\nname = t\nstart = 2021-01-01\nend = 2025-12-31\n"
	"baseline_date = 2020-12-31\nlevels = province, district, commune, village\n"
	"reported_by = village\n%s"
	"baseline_file = b.csv\n"
	"[reported_by]\nfund_vnd = all\n"
	"[indicators]\nhh = count\npoor = count\nnear = count\nfund_vnd = amount\n"
	"pnp = sum poor + near\npoor_rate = rate poor / hh\n"
	"[period 2022]\nkind = year\nstart = 2022-01-01\nend = 2022-12-31\n"
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n"
	"[target d]\nlevels = district\nindicator = poor_rate\ndown_points = 3\n"
	"[target scale]\nlevels = commune\nindicator = pnp\ndown_percent = 50\n";

#define R(...) (&(at_report_t){ __VA_ARGS__ })

static void s_world(at_world_t *w, const char *extra_campaign_keys)
{
	char ini[4096];

	at_setup(w, AT_UNITS);
	at_file(w, "b.csv", s_baseline);
	snprintf(ini, sizeof(ini), s_campaign, extra_campaign_keys);
	at_campaign(w, ini);
	(void)at_node(w, "n1", "P");
}

static figures_t *s_figures(at_world_t *w, const char *period, const char *unit)
{
	const campaign_t *c = w->camps.v[0];
	figures_t *f = calloc(1, sizeof(*f)), *g = calloc(1, sizeof(*g));
	agg_memo_t *memo = agg_memo_new();
	MDB_txn *txn;

	assert_non_null(f);
	assert_non_null(g);
	assert_non_null(memo);
	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(figures_build(w->st, txn, NULL, w->hier, c, campaign_period_find(c, period),
				       hier_find(w->hier, unit), f), 0);
	/* Through a memo (read twice: the second from it): the same figures. */
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(figures_build(w->st, txn, memo, w->hier, c,
					       campaign_period_find(c, period),
					       hier_find(w->hier, unit), g), 0);
		assert_memory_equal(f, g, sizeof(*f));
	}
	store_abort(&txn);
	agg_memo_free(&memo);
	free(g);
	return f;
}

static const figures_ind_t *s_ind(const at_world_t *w, const figures_t *f, const char *code)
{
	int i = campaign_indicator_find(w->camps.v[0], code);

	assert_true(i >= 0);
	return &f->ind[i];
}

static int s_idx(const at_world_t *w, const char *code)
{
	return campaign_indicator_find(w->camps.v[0], code);
}

static figures_eval_t s_eval(const at_world_t *w, const figures_t *f, const char *target)
{
	figures_eval_t fe;

	assert_int_equal(figures_evaluate(f, campaign_target_find(w->camps.v[0], target), &fe), 0);
	return fe;
}

/* Every village reported: the full basis, D1's own baseline row. */
static void test_full(void **state)
{
	at_world_t w;
	figures_t *f;
	const figures_ind_t *g;
	figures_eval_t fe;

	(void)state;
	s_world(&w, "");
	assert_int_equal(at_send(&w, 0, R(.unit = "V1", .values = "hh=100,poor=10,near=5"), NULL), 0);
	assert_int_equal(at_send(&w, 0, R(.unit = "V2", .values = "hh=100,poor=20,near=0"), NULL), 0);
	assert_int_equal(at_send(&w, 0, R(.unit = "V3", .values = "hh=200,poor=5,near=5"), NULL), 0);
	f = s_figures(&w, "2023", "D1");
	g = s_ind(&w, f, "poor_rate");
	assert_false(g->partial);
	assert_int_equal(g->reported, 3);
	assert_int_equal(g->expected, 3);
	assert_int_equal(g->cur.v[s_idx(&w, "poor")], 35);
	assert_int_equal(g->cur.v[s_idx(&w, "hh")], 400);
	assert_int_equal(g->base.v[s_idx(&w, "poor")], 70);
	assert_int_equal(g->base.v[s_idx(&w, "hh")], 400);
	fe = s_eval(&w, f, "d");
	assert_false(fe.comparable);
	/* 17.5 % -> 8.75 %: 8.75 points down, 9 asked in 2023 */
	assert_int_equal(fe.ev.verdict, CAMPAIGN_NOT_MET);
	assert_int_equal(fe.ev.achievement_bp, 9722);
	free(f);
	at_teardown(&w);
}

/* V3 has not reported: D1 on the comparable basis, V1 + V2 against their
 * own baselines (60/200, not D1's 70/400), coverage 2 of 3. */
static void test_comparable(void **state)
{
	at_world_t w;
	figures_t *f;
	const figures_ind_t *g;
	figures_eval_t fe;

	(void)state;
	s_world(&w, "");
	assert_int_equal(at_send(&w, 0, R(.unit = "V1", .values = "hh=100,poor=10,near=5"), NULL), 0);
	assert_int_equal(at_send(&w, 0, R(.unit = "V2", .values = "hh=100,poor=20,near=0"), NULL), 0);
	f = s_figures(&w, "2023", "D1");
	g = s_ind(&w, f, "poor_rate");
	assert_true(g->partial);
	assert_int_equal(g->reported, 2);
	assert_int_equal(g->expected, 3);
	assert_int_equal(g->cur.v[s_idx(&w, "poor")], 30);
	assert_int_equal(g->base.v[s_idx(&w, "poor")], 60);
	assert_int_equal(g->base.v[s_idx(&w, "hh")], 200);
	fe = s_eval(&w, f, "d");
	assert_true(fe.comparable);
	assert_int_equal(fe.reported, 2);
	assert_int_equal(fe.expected, 3);
	/* 30 % -> 15 %: 15 points down, 9 asked: met on 2 of 3 units (the whole
	 * district's baseline would have made it 17.5 % -> 15 %, not met) */
	assert_int_equal(fe.ev.verdict, CAMPAIGN_MET);
	free(f);
	/* The commune C1 is complete: full basis. */
	f = s_figures(&w, "2023", "C1");
	assert_false(s_ind(&w, f, "pnp")->partial);
	fe = s_eval(&w, f, "scale");
	assert_false(fe.comparable);
	free(f);
	at_teardown(&w);
}

/* partial = withhold: INCOMPLETE, nothing to award on. */
static void test_withhold(void **state)
{
	at_world_t w;
	figures_t *f;
	figures_eval_t fe;

	(void)state;
	s_world(&w, "partial = withhold\n");
	assert_int_equal(at_send(&w, 0, R(.unit = "V1", .values = "hh=100,poor=10,near=5"), NULL), 0);
	f = s_figures(&w, "2023", "D1");
	fe = s_eval(&w, f, "d");
	assert_true(fe.withheld);
	assert_int_equal(fe.ev.verdict, CAMPAIGN_INCOMPLETE);
	assert_false(fe.ev.has_achievement);
	assert_int_equal(fe.reported, 1);
	assert_int_equal(fe.expected, 3);
	free(f);
	f = s_figures(&w, "2023", "V1");
	fe = s_eval(&w, f, "d");   /* the village itself is complete */
	assert_false(fe.withheld);
	free(f);
	at_teardown(&w);
}

/* A village that reports hh but not poor does not cover the rate (nor
 * poor), but covers hh; absent counts stay absent. */
static void test_partial_report(void **state)
{
	at_world_t w;
	figures_t *f;
	const figures_ind_t *g;

	(void)state;
	s_world(&w, "");
	assert_int_equal(at_send(&w, 0, R(.unit = "V1", .values = "hh=100,poor=10"), NULL), 0);
	assert_int_equal(at_send(&w, 0, R(.unit = "V2", .values = "hh=100"), NULL), 0);
	f = s_figures(&w, "2023", "C1");
	g = s_ind(&w, f, "poor_rate");
	assert_int_equal(g->reported, 1);
	assert_int_equal(g->expected, 2);
	assert_int_equal(g->cur.v[s_idx(&w, "hh")], 100);   /* V1's only */
	g = s_ind(&w, f, "hh");
	assert_false(g->partial);
	assert_int_equal(g->cur.v[s_idx(&w, "hh")], 200);
	g = s_ind(&w, f, "near");
	assert_int_equal(g->reported, 0);
	assert_false(g->cur.has[s_idx(&w, "near")]);
	g = s_ind(&w, f, "pnp");   /* needs near too: nobody covers it */
	assert_int_equal(g->reported, 0);
	assert_int_equal(g->expected, 2);
	free(f);
	at_teardown(&w);
}

/* fund_vnd is reported at every level: a partial subtree has no
 * comparable baseline for it (the file holds subtree totals), the
 * previous period's figures come from the same units. */
static void test_every_level_and_previous(void **state)
{
	at_world_t w;
	figures_t *f;
	const figures_ind_t *g;

	(void)state;
	s_world(&w, "");
	assert_int_equal(at_send(&w, 0, R(.unit = "C1", .values = "fund_vnd=7"), NULL), 0);
	assert_int_equal(at_send(&w, 0, R(.unit = "V1", .values = "fund_vnd=5,hh=100,poor=10"),
			 NULL), 0);
	assert_int_equal(at_send(&w, 0, R(.unit = "V1", .period = "2022",
					.values = "hh=100,poor=15"), NULL), 0);
	f = s_figures(&w, "2023", "C1");
	g = s_ind(&w, f, "fund_vnd");
	assert_int_equal(g->expected, 3);   /* C1, V1, V2 */
	assert_int_equal(g->reported, 2);
	assert_int_equal(g->cur.v[s_idx(&w, "fund_vnd")], 12);
	assert_false(g->base.has[s_idx(&w, "fund_vnd")]);
	g = s_ind(&w, f, "poor_rate");
	assert_true(g->has_prev);
	assert_int_equal(g->prev.v[s_idx(&w, "poor")], 15);
	assert_true(g->prev.has[s_idx(&w, "poor")]);
	free(f);
	at_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_comparable),
		cmocka_unit_test(test_withhold),
		cmocka_unit_test(test_partial_report),
		cmocka_unit_test(test_every_level_and_previous),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
