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

/* Entries of database db. */
static size_t s_count(at_world_t *w, int db)
{
	MDB_txn *txn;
	size_t n = 0;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(store_count(txn, w->st, (size_t)db, &n), 0);
	store_abort(&txn);
	return n;
}

/* The history of V1 in 2023, with its reports. */
static void s_history(at_world_t *w, agg_history_t *h)
{
	MDB_txn *txn;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(agg_history_load(w->st, txn, AT_CAMPAIGN, "2023", "V1",
					  AGG_HISTORY_REPORTS, h), 0);
	store_abort(&txn);
}

/* V1's LatestRecord as stored (not filled in by agg_latest_get()). */
static Lnob__LatestRecord *s_raw_latest(at_world_t *w)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, AT_CAMPAIGN, "2023", "V1");
	Lnob__LatestRecord *lr;
	MDB_txn *txn;
	MDB_val v;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(store_get(txn, store_dbi(w->st, AGG_DB_LATEST), key, klen, &v), 0);
	lr = lnob__latest_record__unpack(NULL, v.mv_size, v.mv_data);
	store_abort(&txn);
	assert_non_null(lr);
	return lr;
}

/* Schema 4: a history of one revision is its LatestRecord alone (no
 * revisions / revision_bases entries, first_* left out) and reads as a
 * history of that revision; the second revision writes both entries and
 * the first reads the same as before. Values, completed_at and content
 * are left out of the stored record and read from the envelope. */
static void test_single_revision_inline(void **state)
{
	at_world_t w;
	agg_history_t h;
	agg_rev_t one;
	Lnob__LatestRecord *lr;
	MDB_txn *txn;
	char out[4096];
	int n;

	(void)state;
	at_setup(&w, AT_UNITS);
	n = at_node(&w, "n1", "P");
	assert_int_equal(at_send(&w, n, R(.unit = "V1", .values = "poor_households=3"), NULL), 0);
	assert_int_equal(s_count(&w, AGG_DB_REVISIONS), 0);
	assert_int_equal(s_count(&w, AGG_DB_REVBASES), 0);
	lr = s_raw_latest(&w);
	assert_int_equal(lr->content.len, 0);   /* the envelope's, as */
	assert_int_equal(lr->n_values, 0);      /* the values and */
	assert_int_equal(lr->completed_at, 0);  /* completed_at */
	assert_string_equal(lr->first_signer, "");
	assert_int_equal(lr->first_received_at, 0);
	lnob__latest_record__free_unpacked(lr, NULL);
	s_history(&w, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.current, 0);
	assert_int_equal(h.first, 0);
	assert_string_equal(h.v[0].signer, "n1");
	assert_int_equal(h.v[0].seq, 1);
	assert_int_equal(h.v[0].revision, 1);
	assert_non_null(h.v[0].report);
	{
		uint8_t d[32];

		assert_int_equal(report_content_digest(h.v[0].report, d), 0);
		assert_memory_equal(d, h.v[0].content, 32);
	}
	one = h.v[0];
	one.report = NULL;
	agg_history_clear(&h);
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(agg_history_exists(w.st, txn, AT_CAMPAIGN, "2023", "V1"), 1);
	assert_int_equal(agg_history_exists(w.st, txn, AT_CAMPAIGN, "2023", "V2"), 0);
	assert_int_equal(agg_revision_exists(w.st, txn, AT_CAMPAIGN, "2023", "V1", 1, "n1", 1), 1);
	assert_int_equal(agg_revision_exists(w.st, txn, AT_CAMPAIGN, "2023", "V1", 1, "n1", 2), 0);
	assert_int_equal(agg_latest_get(w.st, txn, AT_CAMPAIGN, "2023", "V1", &lr), 0);
	assert_string_equal(lr->first_signer, "n1");   /* filled in */
	assert_int_equal(lr->first_seq, 1);
	assert_int_equal(lr->first_received_at, one.received_at);
	assert_int_equal(lr->n_values, 1);             /* from the envelope */
	assert_int_equal(lr->content.len, 32);
	assert_memory_equal(lr->content.data, one.content, 32);
	assert_int_equal(lr->completed_at, one.completed_at);
	assert_int_equal(lr->first_completed_at, one.completed_at);
	assert_string_equal(lr->values[0]->code, "poor_households");
	assert_int_equal(lr->values[0]->count, 3);
	lnob__latest_record__free_unpacked(lr, NULL);
	store_abort(&txn);
	assert_int_equal(at_verify(&w, out, sizeof(out)), 0);

	/* the second revision: both in the history, the first as it read */
	assert_int_equal(at_send(&w, n, R(.unit = "V1", .revision = 2, .base = 1,
					.values = "poor_households=4"), NULL), 0);
	assert_int_equal(s_count(&w, AGG_DB_REVISIONS), 2);
	assert_int_equal(s_count(&w, AGG_DB_REVBASES), 2);
	lr = s_raw_latest(&w);
	assert_int_equal(lr->content.len, 0);
	assert_string_equal(lr->first_signer, "n1");   /* first is not current */
	assert_int_equal(lr->revisions, 2);
	assert_int_equal(lr->n_values, 0);
	lnob__latest_record__free_unpacked(lr, NULL);
	assert_int_equal(at_sum(&w, "2023", "V1", "poor_households", NULL), 4);
	assert_int_equal(at_sum(&w, "2023", "P", "poor_households", NULL), 4);
	s_history(&w, &h);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.first, 0);
	assert_int_equal(h.current, 1);
	assert_string_equal(h.v[0].signer, one.signer);
	assert_int_equal(h.v[0].seq, one.seq);
	assert_int_equal(h.v[0].revision, one.revision);
	assert_int_equal(h.v[0].base_revision, one.base_revision);
	assert_int_equal(h.v[0].completed_at, one.completed_at);
	assert_int_equal(h.v[0].received_at, one.received_at);
	assert_memory_equal(h.v[0].content, one.content, sizeof(one.content));
	assert_false(h.v[0].member);
	agg_history_clear(&h);
	assert_int_equal(at_verify(&w, out, sizeof(out)), 0);
	at_teardown(&w);
}

/* A schema 3 store (histories in `revisions` only) is refused, naming the
 * schema and both versions. */
static void test_schema3_refused(void **state)
{
	static const char *const dbs[] = { "envelopes" };
	const char *dir = tu_tmpdir();
	char err[512];
	store_t *st = NULL;

	(void)state;
	assert_int_equal(store_open(dir, AGG_SCHEMA, 3, dbs, 1, 1 << 20, 0, &st, err, sizeof(err)),
			 0);
	store_destroy(&st);
	assert_int_equal(aggstore_open(dir, 1 << 20, 0, &st, err, sizeof(err)), LNOB_E_SCHEMA);
	assert_null(st);
	assert_non_null(strstr(err, "lnob-aggregator' version 3, this program needs 4"));
	tu_rmtree(dir);
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
		cmocka_unit_test(test_single_revision_inline),
		cmocka_unit_test(test_schema3_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
