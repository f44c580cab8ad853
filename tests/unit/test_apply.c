/* test_apply.c: applying report revisions (apply.h) through ingest: absent
 * stays absent after a correction, at the unit and up the tree; a report
 * that would take a sum over 10^15 is refused alone, naming the unit and
 * the indicator, and the rest of its batch goes through; the same report
 * with its values in another order is no conflict; re-sending is safe
 * after a revocation; every NACK is counted. */
#include "testutil.h"
#include "aggtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "report.h"

#define R(...) (&(at_report_t){ __VA_ARGS__ })

/* Issue 8, case 1: rev 1 {households_total 100, poor_households 30}, rev 2
 * {households_total 100}: poor_households is absent, not 0, at the unit and
 * at every ancestor no other report carries it to. */
static void test_absent_after_correction(void **state)
{
	at_world_t w;
	char out[4096];
	uint32_t u = 0;
	int n;

	(void)state;
	at_setup(&w, AT_UNITS);
	n = at_node(&w, "n1", "P");
	assert_int_equal(at_send(&w, n, R(.unit = "V1", .revision = 1,
					.values = "households_total=100,poor_households=30"), NULL), 0);
	assert_int_equal(at_sum(&w, "2023", "D1", "poor_households", &u), 30);
	assert_int_equal(at_send(&w, n, R(.unit = "V1", .revision = 2, .base = 1,
					.values = "households_total=100"), NULL), 0);
	for (const char *const *c = (const char *const[]){ "V1", "C1", "D1", "P", NULL }; *c; c++) {
		assert_int_equal(at_sum(&w, "2023", *c, "poor_households", NULL), -1);
		assert_int_equal(at_sum(&w, "2023", *c, "households_total", &u), 100);
		assert_int_equal(u, 1);
	}
	/* Another village carries it: there it is, counted once. */
	assert_int_equal(at_send(&w, n, R(.unit = "V3", .values = "poor_households=0"), NULL), 0);
	assert_int_equal(at_sum(&w, "2023", "D1", "poor_households", &u), 0);
	assert_int_equal(u, 1);
	assert_int_equal(at_sum(&w, "2023", "C1", "poor_households", NULL), -1);
	assert_int_equal(at_verify(&w, out, sizeof(out)), 0);
	at_teardown(&w);
}

/* Issue 8, case 2: no sum may pass 10^15; the refusal names the unit and
 * the indicator, stores nothing, and the next report is taken. A
 * correction replacing a large value by another stays within. */
static void test_overflow_refused(void **state)
{
	at_world_t w;
	char detail[256], out[4096];
	int n;

	(void)state;
	at_setup(&w, AT_UNITS);
	n = at_node(&w, "n1", "P");
	assert_int_equal(at_send(&w, n, R(.unit = "V1", .values = "fund_vnd=1000000000000000"),
			 NULL), 0);
	assert_int_equal(at_send(&w, n, R(.unit = "V2", .values = "fund_vnd=1"), detail),
			 LNOB__NACK_REASON__NACK_INVALID);
	assert_non_null(strstr(detail, "unit 'C1'"));
	assert_non_null(strstr(detail, "'fund_vnd'"));
	assert_non_null(strstr(detail, "10^15"));
	assert_int_equal(at_sum(&w, "2023", "V2", "fund_vnd", NULL), -1);
	assert_int_equal(at_sum(&w, "2023", "P", "fund_vnd", NULL), 1000000000000000LL);
	assert_int_equal(w.ctx.counters[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_INVALID], 1);
	assert_int_equal(w.ctx.counters[AGG_C_STORED], 1);
	/* the daemon's next envelope */
	assert_int_equal(at_send(&w, n, R(.unit = "V2", .values = "poor_households=3"), NULL), 0);
	/* a correction of the large one: taken out before the new one goes in */
	assert_int_equal(at_send(&w, n, R(.unit = "V1", .revision = 2, .base = 1,
					.values = "fund_vnd=999999999999999"), NULL), 0);
	assert_int_equal(at_sum(&w, "2023", "P", "fund_vnd", NULL), 999999999999999LL);
	assert_int_equal(at_send(&w, n, R(.unit = "V3", .values = "fund_vnd=1"), NULL), 0);
	assert_int_equal(at_sum(&w, "2023", "P", "fund_vnd", NULL), 1000000000000000LL);
	assert_int_equal(at_verify(&w, out, sizeof(out)), 0);
	at_teardown(&w);
}

/* A batch of three whose middle one would overflow: the other two are
 * stored and acked, the middle one alone refused. */
static void test_failure_isolated_in_batch(void **state)
{
	at_world_t w;
	ingest_item_t it[3];
	uint8_t *env[3];
	char out[4096];
	int n;

	(void)state;
	at_setup(&w, AT_UNITS);
	n = at_node(&w, "n1", "P");
	assert_int_equal(at_send(&w, n, R(.unit = "V1", .values = "fund_vnd=999999999999990"),
			 NULL), 0);
	memset(it, 0, sizeof(it));
	env[0] = at_seal(&w, n, R(.unit = "V2", .values = "fund_vnd=5"), &it[0].len);
	env[1] = at_seal(&w, n, R(.unit = "V3", .values = "fund_vnd=6"), &it[1].len);
	env[2] = at_seal(&w, n, R(.unit = "V3", .period = "2024", .values = "fund_vnd=6"),
			 &it[2].len);
	for (int i = 0; i < 3; i++) {
		it[i].env = env[i];
		it[i].peer = "n1";
	}
	assert_int_equal(ingest_batch(&w.ctx, it, 3), 0);
	assert_int_equal(it[0].verdict, INGEST_ACK);
	assert_int_equal(it[1].verdict, INGEST_NACK);
	assert_int_equal(it[1].reason, LNOB__NACK_REASON__NACK_INVALID);
	assert_false(it[1].retryable);
	assert_non_null(strstr(it[1].detail, "unit 'D1'"));
	assert_int_equal(it[2].verdict, INGEST_ACK);
	assert_int_equal(at_sum(&w, "2023", "P", "fund_vnd", NULL), 999999999999995LL);
	assert_int_equal(at_sum(&w, "2023", "V3", "fund_vnd", NULL), -1);
	assert_int_equal(at_sum(&w, "2024", "V3", "fund_vnd", NULL), 6);
	assert_int_equal(at_verify(&w, out, sizeof(out)), 0);
	for (int i = 0; i < 3; i++)
		free(env[i]);
	at_teardown(&w);
}

/* Issue 8, case 5: the same report with its values in another order is the
 * same content: no conflict. Other values, or another signer, conflict. */
static void test_reordered_is_not_conflict(void **state)
{
	at_world_t w;
	char out[4096];
	int a, b;

	(void)state;
	at_setup(&w, AT_UNITS);
	a = at_node(&w, "a", "P");
	b = at_node(&w, "b", "D1");
	assert_int_equal(at_send(&w, a, R(.unit = "V1", .values = "households_total=9,poor_households=2"),
			 NULL), 0);
	assert_int_equal(at_send(&w, a, R(.unit = "V1", .values = "poor_households=2,households_total=9"),
			 NULL), 0);
	assert_int_equal(w.ctx.counters[AGG_C_CONFLICT], 0);
	assert_int_equal(at_verify(&w, out, sizeof(out)), 0);
	assert_int_equal(at_send(&w, a, R(.unit = "V1", .values = "poor_households=3,households_total=9"),
			 NULL), 0);
	assert_int_equal(w.ctx.counters[AGG_C_CONFLICT], 1);
	assert_int_equal(at_send(&w, b, R(.unit = "V2", .values = "poor_households=1"), NULL), 0);
	assert_int_equal(at_send(&w, a, R(.unit = "V2", .values = "poor_households=1"), NULL), 0);
	assert_int_equal(w.ctx.counters[AGG_C_CONFLICT], 2);
	assert_int_equal(at_verify(&w, out, sizeof(out)), 0);
	at_teardown(&w);
}

/* Re-sending is always safe: an envelope stored before its signer was
 * revoked is acked again as a duplicate; a new one is refused. A reused
 * seq is counted under rejected_seq_reused. */
static void test_revoked_duplicate_and_counts(void **state)
{
	at_world_t w;
	ingest_item_t it;
	Lnob__NodeRecord *node = NULL;
	uint8_t *env, *other;
	size_t len, olen;
	MDB_txn *txn;
	int n;

	(void)state;
	at_setup(&w, AT_UNITS);
	n = at_node(&w, "n1", "P");
	env = at_seal(&w, n, R(.unit = "V1", .values = "poor_households=1"), &len);
	w.seqs[n]--;   /* the same seq again, other content */
	other = at_seal(&w, n, R(.unit = "V1", .values = "poor_households=2"), &olen);
	memset(&it, 0, sizeof(it));
	it.env = env;
	it.len = len;
	assert_int_equal(ingest_batch(&w.ctx, &it, 1), 0);
	assert_int_equal(it.verdict, INGEST_ACK);
	it.env = other;
	it.len = olen;
	assert_int_equal(ingest_batch(&w.ctx, &it, 1), 0);
	assert_int_equal(it.reason, LNOB__NACK_REASON__NACK_SEQ_REUSED);
	assert_int_equal(w.ctx.counters[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_SEQ_REUSED], 1);
	assert_int_equal(w.ctx.counters[AGG_C_QUARANTINED], 1);
	/* revoke n1 */
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(agg_node_get(w.st, txn, "n1", &node), 0);
	node->revoked = true;
	assert_int_equal(agg_node_put(w.st, txn, node, true), 0);
	assert_int_equal(store_commit(&txn), 0);
	lnob__node_record__free_unpacked(node, NULL);
	it.env = env;
	it.len = len;
	assert_int_equal(ingest_batch(&w.ctx, &it, 1), 0);
	assert_int_equal(it.verdict, INGEST_ACK);
	assert_true(it.duplicate);
	assert_int_equal(at_send(&w, n, R(.unit = "V2", .values = "poor_households=1"), NULL),
			 LNOB__NACK_REASON__NACK_REVOKED_SIGNER);
	assert_int_equal(w.ctx.counters[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_REVOKED_SIGNER], 1);
	free(env);
	free(other);
	at_teardown(&w);
}

/* A long history of corrections, each on the one before: the latest
 * record follows, the history holds them all, no conflict. */
static void test_long_history(void **state)
{
	at_world_t w;
	char vals[64], out[4096];
	uint32_t u = 0;
	int n;

	(void)state;
	at_setup(&w, AT_UNITS);
	n = at_node(&w, "n1", "P");
	for (uint32_t rev = 1; rev <= 300; rev++) {
		snprintf(vals, sizeof(vals), "poor_households=%u", rev);
		assert_int_equal(at_send(&w, n, R(.unit = "V1", .revision = rev, .base = rev - 1,
						.values = vals), NULL), 0);
	}
	assert_int_equal(at_sum(&w, "2023", "P", "poor_households", &u), 300);
	assert_int_equal(u, 1);
	assert_int_equal(w.ctx.counters[AGG_C_CONFLICT], 0);
	assert_int_equal(at_verify(&w, out, sizeof(out)), 0);
	at_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_after_correction),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_failure_isolated_in_batch),
		cmocka_unit_test(test_reordered_is_not_conflict),
		cmocka_unit_test(test_revoked_duplicate_and_counts),
		cmocka_unit_test(test_long_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
