/* test_requests.c: ad-hoc requests at the aggregator (requests.h): stored
 * once with metadata_gen bumped, refused with the campaign as before,
 * added to freshly loaded campaigns (once; one that no longer fits left
 * out), replies checked at ingest (NACK_NOT_REQUESTED), listed with their
 * replies, and judged in the view's completeness and the figures'
 * coverage against the asked units only. */
#include "testutil.h"
#include "aggtest.h"

#include <string.h>

#include "aggstore_metadata.h"
#include "campaign_request.h"
#include "figures.h"
#include "lnob_err.h"
#include "requests.h"
#include "view.h"

static const char s_ini[] =
	"[campaign]\n"
	"id = " AT_CAMPAIGN "\n"
	"name = Test\n"
	"start = 2021-01-01\n"
	"end = 2025-12-31\n"
	"baseline_date = 2020-12-31\n"
	"levels = province, district, commune, village\n"
	"[indicators]\n"
	"hh = count\n"
	"poor = count\n"
	"poor_rate = rate poor / hh\n"
	"[period 2023]\n"
	"kind = year\n"
	"start = 2023-01-01\n"
	"end = 2023-12-31\n"
	"[deadlines]\n"
	"village = before 12-05\n";

typedef struct s_fx {
	at_world_t w;
	int d1;
} s_fx_t;

static int s_setup(void **state)
{
	s_fx_t *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	at_setup(&fx->w, AT_UNITS);
	at_campaign(&fx->w, s_ini);
	fx->d1 = at_node(&fx->w, "d1-office", "D1");
	*state = fx;
	return 0;
}

static int s_teardown(void **state)
{
	s_fx_t *fx = *state;

	at_teardown(&fx->w);
	free(fx);
	return 0;
}

/* The request dx asking V1 and V2 for poor, due 2099-12-31. */
static void s_req(Lnob__AdhocRequest *q, char **units, char **inds)
{
	lnob__adhoc_request__init(q);
	q->campaign = (char *)AT_CAMPAIGN;
	q->id = (char *)"dx";
	q->due = (char *)"2099-12-31";
	q->note = (char *)"nhanh";
	q->created_at = 1796000000;
	units[0] = (char *)"V1";
	units[1] = (char *)"V2";
	inds[0] = (char *)"poor";
	q->units = units;
	q->n_units = 2;
	q->indicators = inds;
	q->n_indicators = 1;
}

/* requests_add() in a transaction of its own. */
static int s_add(s_fx_t *fx, const Lnob__AdhocRequest *q, char *err, size_t errlen)
{
	MDB_txn *txn = NULL;
	int r = store_begin(fx->w.st, true, &txn);

	if (r == 0)
		r = requests_add(fx->w.st, txn, &fx->w.camps, fx->w.hier, q, err, errlen);
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	return r;
}

static uint64_t s_gen(s_fx_t *fx)
{
	MDB_txn *txn = NULL;
	uint64_t g = 0;

	assert_int_equal(store_begin(fx->w.st, false, &txn), 0);
	assert_int_equal(agg_metadata_gen(fx->w.st, txn, &g), 0);
	store_abort(&txn);
	return g;
}

static void test_stored_once(void **state)
{
	s_fx_t *fx = *state;
	Lnob__AdhocRequest q;
	char *units[2], *inds[1], err[512] = "";
	uint64_t g0 = s_gen(fx);

	s_req(&q, units, inds);
	q.campaign = (char *)"other";
	assert_int_equal(s_add(fx, &q, err, sizeof(err)), LNOB_E_NOTFOUND);
	assert_non_null(strstr(err, "'other' is not a configured campaign"));
	q.campaign = (char *)AT_CAMPAIGN;
	assert_int_equal(s_add(fx, &q, err, sizeof(err)), 0);
	assert_int_equal(s_gen(fx), g0 + 1);
	assert_non_null(campaign_period_find(fx->w.camps.v[0], "dx"));
	/* The same id again: refused by the campaign, nothing stored. */
	assert_int_equal(s_add(fx, &q, err, sizeof(err)), LNOB_E_INVALID);
	assert_non_null(strstr(err, "already has a period or a request of that id"));
	assert_int_equal(s_gen(fx), g0 + 1);
	assert_int_equal(campaign_request_count(fx->w.camps.v[0]), 1);
}

/* Loads the test campaign afresh (as another command would) and applies
 * the stored requests. */
static size_t s_fresh_apply(s_fx_t *fx, const char *ini, campaigns_t *camps, size_t *skipped,
			    char *why, size_t whylen)
{
	MDB_txn *txn = NULL;
	size_t added = 0;
	char err[512];

	memset(camps, 0, sizeof(*camps));
	assert_int_equal(campaigns_reserve(camps, 1), 0);
	if (campaign_load_mem(ini, "c.ini", fx->w.hier, &camps->v[0], err, sizeof(err)) != 0)
		fail_msg("%s", err);
	camps->n = 1;
	assert_int_equal(store_begin(fx->w.st, false, &txn), 0);
	assert_int_equal(requests_apply(fx->w.st, txn, camps, fx->w.hier, &added, skipped, why,
					whylen), 0);
	store_abort(&txn);
	return added;
}

static void test_applied_to_fresh_campaigns(void **state)
{
	s_fx_t *fx = *state;
	Lnob__AdhocRequest q;
	char *units[2], *inds[1], err[512] = "", why[1024] = "", ini[2048];
	campaigns_t camps;
	size_t skipped = 9;
	MDB_txn *txn = NULL;
	size_t added = 0;

	s_req(&q, units, inds);
	assert_int_equal(s_add(fx, &q, err, sizeof(err)), 0);
	assert_int_equal(s_fresh_apply(fx, s_ini, &camps, &skipped, why, sizeof(why)), 1);
	assert_int_equal(skipped, 0);
	assert_true(campaign_request_asks(campaign_period_find(camps.v[0], "dx"), "V2"));
	/* Applied again: nothing new. */
	assert_int_equal(store_begin(fx->w.st, false, &txn), 0);
	assert_int_equal(requests_apply(fx->w.st, txn, &camps, fx->w.hier, &added, &skipped, why,
					sizeof(why)), 0);
	store_abort(&txn);
	assert_int_equal(added, 0);
	assert_int_equal(campaign_request_count(camps.v[0]), 1);
	campaigns_clear(&camps);
	/* The campaign file now has a period of that id: the request is left out. */
	snprintf(ini, sizeof(ini), "%s[period dx]\nkind = year\nstart = 2024-01-01\n"
		 "end = 2024-12-31\n", s_ini);
	assert_int_equal(s_fresh_apply(fx, ini, &camps, &skipped, why, sizeof(why)), 0);
	assert_int_equal(skipped, 1);
	assert_non_null(strstr(why, "now has a period of that id"));
	assert_null(campaign_period_find(camps.v[0], "dx")->request);
	campaigns_clear(&camps);
}

static void test_replies_checked_and_counted(void **state)
{
	s_fx_t *fx = *state;
	Lnob__AdhocRequest q;
	char *units[2], *inds[1], err[512] = "", detail[512] = "";
	at_report_t ok = { .period = "dx", .unit = "V1", .revision = 1, .values = "poor=5" };
	at_report_t other = { .period = "dx", .unit = "V3", .revision = 1, .values = "poor=2" };
	at_report_t extra = { .period = "dx", .unit = "V2", .revision = 1,
			      .values = "poor=2,hh=40" };
	MDB_txn *txn = NULL;
	json_t *list = NULL, *view = NULL;
	view_opts_t vo = { .campaigns = &fx->w.camps, .campaign = AT_CAMPAIGN, .period = "dx",
			   .unit = hier_find(fx->w.hier, "C1"), .now = 1796000000 };
	figures_t *f = calloc(1, sizeof(*f));

	s_req(&q, units, inds);
	assert_int_equal(s_add(fx, &q, err, sizeof(err)), 0);
	assert_int_equal(at_send(&fx->w, fx->d1, &ok, detail), 0);
	assert_int_equal(at_send(&fx->w, fx->d1, &other, detail),
			 LNOB__NACK_REASON__NACK_NOT_REQUESTED);
	assert_string_equal(detail, "unit 'V3' is not asked by ad-hoc request 'dx' (it asks: V1, V2)");
	assert_int_equal(at_send(&fx->w, fx->d1, &extra, detail),
			 LNOB__NACK_REASON__NACK_NOT_REQUESTED);
	assert_non_null(strstr(detail, "indicator 'hh' is not asked"));
	assert_int_equal(at_sum(&fx->w, "dx", "P", "poor", NULL), 5);

	assert_int_equal(store_begin(fx->w.st, false, &txn), 0);
	assert_int_equal(requests_view(fx->w.st, txn, &fx->w.camps, NULL, &list), 0);
	assert_int_equal(json_array_size(list), 1);
	json_t *o = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(o, "expected")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "reported")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "missing_units"),
							     0)), "V2");
	/* The view: V1 on time, V2 pending; C2's V3 is not in C1. */
	assert_int_equal(view_build(fx->w.st, txn, fx->w.hier, &vo, &view, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(view, "period_kind")), "adhoc");
	json_t *lev = json_array_get(json_object_get(json_object_get(view, "completeness"),
						     "levels"), 0);
	assert_string_equal(json_string_value(json_object_get(lev, "level")), "village");
	assert_int_equal(json_integer_value(json_object_get(lev, "expected")), 2);
	assert_int_equal(json_integer_value(json_object_get(lev, "on_time")), 1);
	assert_int_equal(json_integer_value(json_object_get(lev, "pending")), 1);
	/* The figures: poor owed by the two asked units, covered by one. */
	assert_non_null(f);
	assert_int_equal(figures_build(fx->w.st, txn, NULL, fx->w.hier, fx->w.camps.v[0],
				       campaign_period_find(fx->w.camps.v[0], "dx"),
				       hier_find(fx->w.hier, "C1"), f), 0);
	int poor = campaign_indicator_find(fx->w.camps.v[0], "poor");
	assert_int_equal(f->ind[poor].expected, 2);
	assert_int_equal(f->ind[poor].reported, 1);
	assert_true(f->ind[poor].partial);
	store_abort(&txn);
	json_decref(list);
	json_decref(view);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stored_once, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_applied_to_fresh_campaigns, s_setup,
						s_teardown),
		cmocka_unit_test_setup_teardown(test_replies_checked_and_counted, s_setup,
						s_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
