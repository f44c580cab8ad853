/* test_verify.c: `verify` finds what it should: a rollup altered in the
 * store (a sum, a carrier count, units reported, and a 0 written where the
 * indicator is absent), a latest record, a revision record, a report in
 * the log that is in no history, a nomination record without its
 * envelope. Each alteration is written with the store's own calls, the
 * way a bug in ingest would write it. */
#include "testutil.h"
#include "aggtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "report.h"
#include "sums.h"
#include "util.h"

static const char s_units[] =
	"code,name,parent_code,level,kind\n"
	"P,Province,,province,administrative\n"
	"C1,Commune 1,P,commune,administrative\n"
	"V1,Village 1,C1,village,administrative\n"
	"V2,Village 2,C1,village,administrative\n";

#define R(...) (&(at_report_t){ __VA_ARGS__ })

/* A world with two villages' reports: V1 {hh 100, poor 30}, V2 {hh 50}. */
static void s_world(at_world_t *w)
{
	char out[4096];
	int n;

	at_setup(w, s_units);
	n = at_node(w, "n1", "P");
	assert_int_equal(at_send(w, n, R(.unit = "V1", .values = "hh=100,poor=30"), NULL), 0);
	assert_int_equal(at_send(w, n, R(.unit = "V2", .values = "hh=50"), NULL), 0);
	if (at_verify(w, out, sizeof(out)) != 0)
		fail_msg("verify of a clean store: %s", out);
}

/* Rewrites unit's rollup from "code=value/units,..." and units_reported. */
static void s_put_rollup(at_world_t *w, const char *unit, const char *sums, uint32_t reported)
{
	Lnob__IndicatorValue v[8], *vp[8];
	uint32_t units[8];
	char buf[256], *save = NULL, *tok;
	sums_t s = { 0 };
	size_t n = 0;
	MDB_txn *txn;

	snprintf(buf, sizeof(buf), "%s", sums);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++) {
		char *eq = strchr(tok, '='), *sl = strchr(tok, '/');

		*eq = *sl = '\0';
		lnob__indicator_value__init(&v[n]);
		v[n].code = tok;
		v[n].value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
		v[n].count = atoll(eq + 1);
		units[n] = (uint32_t)atoi(sl + 1);
		vp[n] = &v[n];
	}
	s.v = vp;
	s.units = units;
	s.n = n;
	assert_int_equal(store_begin(w->st, true, &txn), 0);
	assert_int_equal(agg_rollup_put(w->st, txn, AT_CAMPAIGN, "2023", unit, &s, reported), 0);
	assert_int_equal(store_commit(&txn), 0);
}

/* verify finds at least one difference, one of them holding want. */
static void s_expect_diff(at_world_t *w, const char *want)
{
	char out[8192];
	size_t diffs = at_verify(w, out, sizeof(out));

	if (diffs == 0 || !strstr(out, want))
		fail_msg("verify: %zu differences, none saying '%s':\n%s", diffs, want, out);
}

static void test_rollup_altered(void **state)
{
	at_world_t w;

	(void)state;
	s_world(&w);
	/* the right content, as ingest wrote it: nothing to say */
	s_put_rollup(&w, "C1", "hh=150/2,poor=30/1", 2);
	assert_int_equal(at_verify(&w, (char[64]){ 0 }, 64), 0);
	s_put_rollup(&w, "C1", "hh=151/2,poor=30/1", 2);
	s_expect_diff(&w, "materialised hh = 151 over 2 reports, the recomputation 150 over 2");
	s_put_rollup(&w, "C1", "hh=150/1,poor=30/1", 2);
	s_expect_diff(&w, "materialised hh = 150 over 1 reports");
	s_put_rollup(&w, "C1", "hh=150/2,poor=30/1", 3);
	s_expect_diff(&w, "materialised rollup has 3 units reported, the recomputation from the "
		      "history 2");
	s_put_rollup(&w, "C1", "hh=150/2", 2);
	s_expect_diff(&w, "materialised rollup lacks poor = 30");
	at_teardown(&w);
}

/* Issue 8: a 0 where the indicator is absent is a difference. */
static void test_zero_where_absent(void **state)
{
	at_world_t w;

	(void)state;
	s_world(&w);
	s_put_rollup(&w, "V2", "hh=50/1,poor=0/1", 1);
	s_expect_diff(&w, "V2: materialised rollup has poor = 0, but no current report of the "
		      "subtree carries it (absent, not 0)");
	at_teardown(&w);
}

/* Rewrites unit's latest record in 2023 after edit(). */
static void s_edit_latest(at_world_t *w, const char *unit, void (*edit)(Lnob__LatestRecord *))
{
	Lnob__LatestRecord *lr = NULL;
	MDB_txn *txn;

	assert_int_equal(store_begin(w->st, true, &txn), 0);
	assert_int_equal(agg_latest_get(w->st, txn, AT_CAMPAIGN, "2023", unit, &lr), 0);
	edit(lr);
	assert_int_equal(agg_latest_put(w->st, txn, AT_CAMPAIGN, "2023", unit, lr), 0);
	assert_int_equal(store_commit(&txn), 0);
	lnob__latest_record__free_unpacked(lr, NULL);
}

/* s_edit_latest()'s edits: the first report another one, a history of two
 * revisions, the current revision another envelope. */
static void s_first_seq_99(Lnob__LatestRecord *lr)
{
	lr->first_seq = 99;
}

static void s_two_revisions(Lnob__LatestRecord *lr)
{
	lr->revisions = 2;
}

static void s_seq_1(Lnob__LatestRecord *lr)
{
	lr->seq = 1;
}

static void test_records_altered(void **state)
{
	at_world_t w;
	uint8_t key[AGG_KEY_MAX];
	size_t klen;
	MDB_txn *txn;

	(void)state;
	s_world(&w);
	/* the latest record names another first report */
	s_edit_latest(&w, "V1", s_first_seq_99);
	s_expect_diff(&w, "V1: latest's first report (rev 1 by n1 #99)");
	at_teardown(&w);

	/* a history gone: V2's latest record counts two revisions (so its
	 * history is not its own: schema 4), `revisions` has none */
	s_world(&w);
	s_edit_latest(&w, "V2", s_two_revisions);
	s_expect_diff(&w, "the report n1 #2 (rev 1) is in the log but neither in the history nor "
		      "an amendment held or rejected");
	s_expect_diff(&w, "V2: a latest record but no revision in the history");
	at_teardown(&w);

	/* a single revision kept in a latest record naming another unit's
	 * envelope (V1's n1 #1) */
	s_world(&w);
	s_edit_latest(&w, "V2", s_seq_1);
	s_expect_diff(&w, "V2: revision 1 by n1 #1 is the envelope of another report (");
	s_expect_diff(&w, "the report n1 #2 (rev 1) is in the log but neither in the history");
	at_teardown(&w);

	/* a history entry whose unit has no latest record */
	s_world(&w);
	klen = agg_key_unit(key, AT_CAMPAIGN, "2023", "V2");
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(store_del(txn, store_dbi(w.st, AGG_DB_LATEST), key, klen), 0);
	{
		agg_rev_t x;

		memset(&x, 0, sizeof(x));
		strcpy(x.signer, "n1");
		x.seq = 2;
		x.revision = 1;
		assert_int_equal(agg_revision_put(w.st, txn, AT_CAMPAIGN, "2023", "V2", &x), 0);
	}
	assert_int_equal(store_commit(&txn), 0);
	s_expect_diff(&w, "V2: 1 revisions in the history but no latest record");
	at_teardown(&w);

	/* a revision record whose digest is not its envelope's meaning */
	s_world(&w);
	{
		agg_rev_t x;

		memset(&x, 0, sizeof(x));
		strcpy(x.signer, "n1");
		x.seq = 1;
		x.revision = 1;
		x.completed_at = 1701140400;
		memset(x.content, 7, sizeof(x.content));
		assert_int_equal(store_begin(w.st, true, &txn), 0);
		assert_int_equal(agg_revision_put(w.st, txn, AT_CAMPAIGN, "2023", "V1", &x), 0);
		assert_int_equal(store_commit(&txn), 0);
	}
	s_expect_diff(&w, "V1: the record of revision 1 by n1 #1 differs from its envelope's report");
	at_teardown(&w);
}

/* The envelope log (schema 4): appended under arrival numbers 1, 2, ...,
 * indexed by (signer, seq); read by (signer, seq) as before; verify finds
 * an envelope the index does not name, and an index entry naming another
 * envelope. */
static void test_envelope_log(void **state)
{
	at_world_t w;
	uint8_t key[AGG_KEY_MAX], a[8];
	size_t klen, nlog = 0, nidx = 0;
	MDB_txn *txn;
	MDB_val v, e;

	(void)state;
	s_world(&w);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	for (uint64_t seq = 1; seq <= 2; seq++) {
		klen = agg_key_envelope(key, "n1", seq);
		assert_int_equal(store_get(txn, store_dbi(w.st, AGG_DB_ENVELOPE_IDS), key, klen, &v), 0);
		assert_int_equal(v.mv_size, 8);
		assert_int_equal(lnob_be64_get(v.mv_data), seq);   /* arrival order */
		assert_int_equal(agg_envelope_raw(w.st, txn, "n1", seq, &e), 0);
		assert_int_equal(store_get(txn, store_dbi(w.st, AGG_DB_ENVELOPES), v.mv_data, 8, &v), 0);
		assert_int_equal(v.mv_size, e.mv_size);
	}
	assert_int_equal(agg_envelope_raw(w.st, txn, "n1", 3, &e), LNOB_E_NOTFOUND);
	/* a put of a (signer, seq) the log holds replaces it where it is */
	assert_int_equal(agg_envelope_raw(w.st, txn, "n1", 2, &e), 0);
	{
		uint8_t *copy = malloc(e.mv_size);
		size_t len = e.mv_size;

		memcpy(copy, e.mv_data, len);
		assert_int_equal(agg_envelope_put(w.st, txn, "n1", 2, copy, len), 0);
		free(copy);
	}
	assert_int_equal(agg_envelope_counts(w.st, txn, &nlog, &nidx), 0);
	assert_int_equal(nlog, 2);
	assert_int_equal(nidx, 2);
	/* an envelope the index does not name */
	lnob_be64_put(a, 3);
	assert_int_equal(store_put(txn, store_dbi(w.st, AGG_DB_ENVELOPES), a, 8, e.mv_data,
				   e.mv_size, MDB_APPEND), 0);
	assert_int_equal(store_commit(&txn), 0);
	s_expect_diff(&w, "the envelope log holds 3 envelopes, its index (signer, seq) 2");
	/* an index entry naming another envelope */
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(store_del(txn, store_dbi(w.st, AGG_DB_ENVELOPES), a, 8), 0);
	klen = agg_key_envelope(key, "n1", 1);
	lnob_be64_put(a, 2);
	assert_int_equal(store_put(txn, store_dbi(w.st, AGG_DB_ENVELOPE_IDS), key, klen, a, 8, 0), 0);
	assert_int_equal(store_commit(&txn), 0);
	s_expect_diff(&w, "an envelope in the log does not decode, or is not the one its index");
	at_teardown(&w);
}

static void test_nomination_without_envelope(void **state)
{
	at_world_t w;
	Lnob__NominationRecord rec = LNOB__NOMINATION_RECORD__INIT;
	Lnob__Nomination nom = LNOB__NOMINATION__INIT;
	uint8_t *buf;
	size_t len;
	MDB_txn *txn;

	(void)state;
	s_world(&w);
	nom.id = (char *)"2023-001";
	nom.campaign = (char *)AT_CAMPAIGN;
	rec.signer = (char *)"n1";
	rec.seq = 77;
	rec.nomination = &nom;
	rec.stages = 1;
	assert_int_equal(codec_pack(&rec.base, &buf, &len), 0);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(store_put(txn, store_dbi(w.st, AGG_DB_NOMINATIONS), "n1/2023-001", 11, buf,
				   len, 0), 0);
	assert_int_equal(store_commit(&txn), 0);
	free(buf);
	s_expect_diff(&w, "nomination n1/2023-001: its envelope n1 #77 in the log does not hold it");
	s_expect_diff(&w, "nomination n1/2023-001: stage 0 of its count is missing");
	at_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollup_altered),
		cmocka_unit_test(test_zero_where_absent),
		cmocka_unit_test(test_records_altered),
		cmocka_unit_test(test_nomination_without_envelope),
		cmocka_unit_test(test_envelope_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
