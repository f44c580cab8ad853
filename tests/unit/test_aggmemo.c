/* test_aggmemo.c: a read's memo of latest records (aggstore.h, agg_memo_t):
 * a unit's record is read once and then given from the memo, its absence
 * too, until the memo goes; rollups through the memo are agg_rollup_get()'s;
 * a view with and without it is the same (test_figures). */
#include "testutil.h"
#include "aggtest.h"

#include <string.h>

#include "lnob_err.h"

#define P "2023"

static void test_read_once(void **state)
{
	const Lnob__LatestRecord *seen = NULL, *again = NULL;
	Lnob__LatestRecord *lr = NULL, *now = NULL;
	Lnob__RollupRecord *a = NULL, *b = NULL;
	agg_memo_t *memo = agg_memo_new();
	MDB_txn *txn = NULL;
	at_world_t w;
	int n;

	(void)state;
	assert_non_null(memo);
	at_setup(&w, AT_UNITS);
	n = at_node(&w, "n1", "P");
	assert_int_equal(at_send(&w, n, &(at_report_t){ .unit = "V1", .revision = 1,
					.values = "poor_households=3,households_total=10" }, NULL), 0);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(agg_latest_memo(w.st, txn, memo, AT_CAMPAIGN, P, "V1", &seen), 0);
	assert_non_null(seen);
	assert_int_equal(seen->n_values, 2);
	assert_int_equal(agg_latest_memo(w.st, txn, memo, AT_CAMPAIGN, P, "V2", &again),
			 LNOB_E_NOTFOUND);
	assert_null(again);
	/* Changed in the store after: the memo still gives what it read. */
	assert_int_equal(agg_latest_get(w.st, txn, AT_CAMPAIGN, P, "V1", &lr), 0);
	lr->received_at += 1000;
	assert_int_equal(agg_latest_put(w.st, txn, AT_CAMPAIGN, P, "V1", lr), 0);
	assert_int_equal(agg_latest_put(w.st, txn, AT_CAMPAIGN, P, "V2", lr), 0);
	assert_int_equal(agg_latest_memo(w.st, txn, memo, AT_CAMPAIGN, P, "V1", &again), 0);
	assert_ptr_equal(again, seen);
	assert_int_equal(again->received_at, lr->received_at - 1000);
	assert_int_equal(agg_latest_memo(w.st, txn, memo, AT_CAMPAIGN, P, "V2", &again),
			 LNOB_E_NOTFOUND);
	assert_int_equal(agg_latest_get(w.st, txn, AT_CAMPAIGN, P, "V2", &now), 0);
	assert_int_equal(now->received_at, lr->received_at);
	/* A rollup through the memo: a village's derived one, a commune's
	 * stored one, an empty one. */
	assert_int_equal(agg_rollup_memo(w.st, txn, memo, AT_CAMPAIGN, P, "V1", &a), 0);
	assert_int_equal(agg_rollup_get(w.st, txn, AT_CAMPAIGN, P, "V1", &b), 0);
	assert_int_equal(a->n_sums, 2);
	assert_int_equal(a->units_reported, b->units_reported);
	assert_int_equal(a->sums[1]->count, b->sums[1]->count);
	lnob__rollup_record__free_unpacked(a, NULL);
	lnob__rollup_record__free_unpacked(b, NULL);
	assert_int_equal(agg_rollup_memo(w.st, txn, memo, AT_CAMPAIGN, P, "C1", &a), 0);
	assert_int_equal(a->units_reported, 1);
	lnob__rollup_record__free_unpacked(a, NULL);
	assert_int_equal(agg_rollup_memo(w.st, txn, memo, AT_CAMPAIGN, P, "V3", &a), 0);
	assert_int_equal(a->n_sums, 0);
	assert_int_equal(a->units_reported, 0);
	lnob__rollup_record__free_unpacked(a, NULL);
	assert_int_equal(agg_latest_memo(w.st, txn, memo, AT_CAMPAIGN, P, "", &again),
			 LNOB_E_NOTFOUND);
	store_abort(&txn);
	lnob__latest_record__free_unpacked(lr, NULL);
	lnob__latest_record__free_unpacked(now, NULL);
	agg_memo_free(&memo);
	assert_null(memo);
	agg_memo_free(&memo);
	agg_memo_free(NULL);
	at_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
