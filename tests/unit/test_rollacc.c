/* test_rollacc.c: the rollup accumulator (rollacc.h): changes accumulate
 * in memory and reach the store only at the flush, once per key; a
 * rolled-back change leaves nothing; overflow is checked against the
 * stored value plus what the batch accumulated, and a refused change
 * leaves the accumulated value as it was; a stored rollup that does not
 * add up is refused; a unit's own report alone costs no rollup record
 * (schema 3: agg_rollup_save()), and reads the same. */
#include "testutil.h"
#include "aggtest.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "rollacc.h"

#define C AT_CAMPAIGN
#define P "2023"

/* One amount value fund_vnd = v. */
typedef struct s_val {
	Lnob__IndicatorValue iv;
	Lnob__IndicatorValue *p[1];
} s_val_t;

static Lnob__IndicatorValue *const *s_fund(s_val_t *x, int64_t v)
{
	lnob__indicator_value__init(&x->iv);
	x->iv.code = "fund_vnd";
	x->iv.value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
	x->iv.amount_vnd = v;
	x->p[0] = &x->iv;
	return x->p;
}

/* The stored fund_vnd sum of unit (in a read transaction of its own) and
 * its units_reported; -1 when absent. */
static int64_t s_stored(at_world_t *w, const char *unit, uint32_t *ret_reported)
{
	Lnob__RollupRecord *rec = NULL;
	MDB_txn *txn = NULL;
	int64_t v = -1;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(agg_rollup_get(w->st, txn, C, P, unit, &rec), 0);
	for (size_t i = 0; i < rec->n_sums; i++)
		if (strcmp(rec->sums[i]->code, "fund_vnd") == 0)
			v = rec->sums[i]->amount_vnd;
	if (ret_reported)
		*ret_reported = rec->units_reported;
	lnob__rollup_record__free_unpacked(rec, NULL);
	store_abort(&txn);
	return v;
}

/* Adds v to unit as a first report (added 1) and commits it. */
static int s_add(rollacc_t *a, at_world_t *w, MDB_txn *txn, const char *unit, int64_t v)
{
	s_val_t x;
	const char *bad = NULL;
	int r = rollacc_replace(a, w->st, txn, C, P, unit, NULL, 0, s_fund(&x, v), 1, 1, &bad);

	if (r == 0)
		rollacc_commit(a);
	return r;
}

static void test_flush_writes_once(void **state)
{
	at_world_t w;
	rollacc_t *a = rollacc_new();
	MDB_txn *txn = NULL;
	uint32_t reported = 0;

	(void)state;
	at_setup(&w, AT_UNITS);
	assert_non_null(a);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(s_add(a, &w, txn, "P", i), 0);
	assert_int_equal(s_add(a, &w, txn, "D1", 10), 0);
	assert_int_equal(rollacc_keys(a), 2);
	assert_int_equal(rollacc_changed(a), 2);
	assert_int_equal(rollacc_flush(a, w.st, txn), 0);
	assert_int_equal(rollacc_keys(a), 0);
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(s_stored(&w, "P", &reported), 6);
	assert_int_equal(reported, 3);
	assert_int_equal(s_stored(&w, "D1", &reported), 10);
	assert_int_equal(reported, 1);
	/* A second batch starts from the stored values. */
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(s_add(a, &w, txn, "P", 4), 0);
	assert_int_equal(rollacc_flush(a, w.st, txn), 0);
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(s_stored(&w, "P", &reported), 10);
	assert_int_equal(reported, 4);
	rollacc_destroy(&a);
	assert_null(a);
	rollacc_destroy(&a);
	at_teardown(&w);
}

static void test_rollback_leaves_nothing(void **state)
{
	at_world_t w;
	rollacc_t *a = rollacc_new();
	MDB_txn *txn = NULL;
	s_val_t x, y;

	(void)state;
	at_setup(&w, AT_UNITS);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(s_add(a, &w, txn, "P", 5), 0);
	/* Staged twice (from the pending value), then dropped. */
	assert_int_equal(rollacc_replace(a, w.st, txn, C, P, "P", NULL, 0, s_fund(&x, 7), 1, 1,
					 NULL), 0);
	assert_int_equal(rollacc_replace(a, w.st, txn, C, P, "P", s_fund(&x, 7), 1,
					 s_fund(&y, 8), 1, 0, NULL), 0);
	assert_int_equal(rollacc_replace(a, w.st, txn, C, P, "C1", NULL, 0, s_fund(&x, 1), 1, 1,
					 NULL), 0);
	rollacc_rollback(a);
	assert_int_equal(rollacc_changed(a), 1);
	/* Pending changes left at the flush are dropped too. */
	assert_int_equal(rollacc_replace(a, w.st, txn, C, P, "D1", NULL, 0, s_fund(&x, 1), 1, 1,
					 NULL), 0);
	assert_int_equal(rollacc_flush(a, w.st, txn), 0);
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(s_stored(&w, "P", NULL), 5);
	assert_int_equal(s_stored(&w, "C1", NULL), -1);
	assert_int_equal(s_stored(&w, "D1", NULL), -1);
	rollacc_destroy(&a);
	at_teardown(&w);
}

static void test_overflow_against_stored_and_batch(void **state)
{
	at_world_t w;
	rollacc_t *a = rollacc_new();
	MDB_txn *txn = NULL;
	const char *bad = NULL;
	s_val_t x;

	(void)state;
	at_setup(&w, AT_UNITS);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(s_add(a, &w, txn, "P", SUMS_MAX - 10), 0);
	assert_int_equal(rollacc_flush(a, w.st, txn), 0);
	assert_int_equal(store_commit(&txn), 0);

	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(s_add(a, &w, txn, "P", 5), 0);
	/* 5 more fit, 6 would not: the batch's 5 counts. */
	assert_int_equal(rollacc_replace(a, w.st, txn, C, P, "P", NULL, 0, s_fund(&x, 6), 1, 1,
					 &bad), LNOB_E_OVERFLOW);
	assert_string_equal(bad, "fund_vnd");
	rollacc_rollback(a);
	assert_int_equal(s_add(a, &w, txn, "P", 5), 0);
	assert_int_equal(s_add(a, &w, txn, "P", 1), LNOB_E_OVERFLOW);
	rollacc_rollback(a);
	assert_int_equal(rollacc_flush(a, w.st, txn), 0);
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(s_stored(&w, "P", NULL), SUMS_MAX);
	rollacc_destroy(&a);
	at_teardown(&w);
}

static void test_corrupt_stored_refused(void **state)
{
	at_world_t w;
	rollacc_t *a = rollacc_new();
	MDB_txn *txn = NULL;
	sums_t s = { 0 };
	s_val_t x;
	uint32_t zero = 0;

	(void)state;
	at_setup(&w, AT_UNITS);
	/* A stored sum with a carrier count of 0: cannot have been built. */
	s.v = x.p;
	s_fund(&x, 3);
	s.units = &zero;
	s.n = 1;
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(agg_rollup_put(w.st, txn, C, P, "C1", &s, 1), 0);
	assert_int_equal(s_add(a, &w, txn, "C1", 1), LNOB_E_CORRUPT);
	assert_int_equal(rollacc_keys(a), 0);
	assert_int_equal(s_add(a, &w, txn, "C2", 1), 0);
	assert_int_equal(rollacc_flush(a, w.st, txn), 0);
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(s_stored(&w, "C2", NULL), 1);
	rollacc_destroy(&a);
	at_teardown(&w);
}

/* Many keys: the table grows and every key keeps its own value. */
static void test_many_keys(void **state)
{
	at_world_t w;
	rollacc_t *a = rollacc_new();
	MDB_txn *txn = NULL;
	char unit[16];

	(void)state;
	at_setup(&w, AT_UNITS);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 500; i++) {
			snprintf(unit, sizeof(unit), "X%03d", i);
			assert_int_equal(s_add(a, &w, txn, unit, i), 0);
		}
	assert_int_equal(rollacc_keys(a), 500);
	assert_int_equal(rollacc_flush(a, w.st, txn), 0);
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(s_stored(&w, "X000", NULL), 0);
	assert_int_equal(s_stored(&w, "X321", NULL), 642);
	assert_int_equal(s_stored(&w, "X499", NULL), 998);
	rollacc_destroy(&a);
	at_teardown(&w);
}

/* True when the rollups database holds a record of unit in P. */
static bool s_has_record(at_world_t *w, const char *unit)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, C, P, unit);
	MDB_txn *txn = NULL;
	MDB_val v;
	int r;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	r = store_get(txn, store_dbi(w->st, AGG_DB_ROLLUPS), key, klen, &v);
	store_abort(&txn);
	assert_true(r == 0 || r == LNOB_E_NOTFOUND);
	return r == 0;
}

static void test_own_report_not_stored(void **state)
{
	at_world_t w;
	char out[4096];
	uint32_t u = 0, reported = 0;
	int n;

	(void)state;
	at_setup(&w, AT_UNITS);
	n = at_node(&w, "n1", "P");
	assert_int_equal(at_send(&w, n, &(at_report_t){ .unit = "V1", .revision = 1,
					.values = "poor_households=3,households_total=10" }, NULL), 0);
	assert_false(s_has_record(&w, "V1"));
	assert_true(s_has_record(&w, "C1"));
	assert_int_equal(at_sum(&w, P, "V1", "households_total", &u), 10);
	assert_int_equal(u, 1);
	assert_int_equal(at_sum(&w, P, "V1", "poor_households", &u), 3);
	assert_int_equal(s_stored(&w, "V1", &reported), -1);
	assert_int_equal(reported, 1);
	/* A correction keeps it derived; the commune's own report joins its
	 * village's: then it is stored. */
	assert_int_equal(at_send(&w, n, &(at_report_t){ .unit = "V1", .revision = 2, .base = 1,
					.values = "households_total=12" }, NULL), 0);
	assert_false(s_has_record(&w, "V1"));
	assert_int_equal(at_sum(&w, P, "V1", "households_total", NULL), 12);
	assert_int_equal(at_sum(&w, P, "V1", "poor_households", NULL), -1);
	assert_int_equal(at_send(&w, n, &(at_report_t){ .unit = "C2", .revision = 1,
					.values = "households_total=5" }, NULL), 0);
	assert_false(s_has_record(&w, "C2"));
	assert_int_equal(at_send(&w, n, &(at_report_t){ .unit = "V3", .revision = 1,
					.values = "households_total=7" }, NULL), 0);
	assert_true(s_has_record(&w, "C2"));
	assert_int_equal(at_sum(&w, P, "C2", "households_total", &u), 12);
	assert_int_equal(u, 2);
	assert_int_equal(at_sum(&w, P, "P", "households_total", &u), 24);
	assert_int_equal(u, 3);
	assert_int_equal(at_verify(&w, out, sizeof(out)), 0);
	at_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flush_writes_once),
		cmocka_unit_test(test_rollback_leaves_nothing),
		cmocka_unit_test(test_overflow_against_stored_and_batch),
		cmocka_unit_test(test_corrupt_stored_refused),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_own_report_not_stored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
