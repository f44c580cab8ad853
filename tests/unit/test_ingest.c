/* test_ingest.c: the aggregator's batch ingest: a batch commits as one
 * transaction; a batch that hits LNOB_E_FULL stores nothing (no envelope,
 * latest, revision, rollup or counter of it), answers every envelope with a
 * retryable NACK_STORE_FAILED naming (signer, seq), keeps rejections as
 * rejections, and goes through once the map has grown; a process killed at
 * agg.mid_batch or agg.before_commit leaves nothing of its batch, one
 * killed at agg.after_commit leaves all of it. */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aggstore.h"
#include "approval.h"
#include "approval_cmd.h"
#include "campaign.h"
#include "campaigns.h"
#include "codec.h"
#include "envelope.h"
#include "hierarchy.h"
#include "identity.h"
#include "ingest.h"
#include "lnob_err.h"
#include "report.h"
#include "rollup.h"
#include "verify.h"
#include "vpool.h"
#include "store.h"

#define N_VILLAGES 400
#define BIG_NARRATIVE 3000

/* The world of one test: a store, a hierarchy P > D1 > C1 > V0001.., one
 * enrolled node "n1" with scope D1. */
typedef struct t_world {
	const char *dir;
	store_t *st;
	hier_t *hier;
	identity_t id;
	ingest_ctx_t ctx;
} t_world_t;

static void t_hier(t_world_t *w)
{
	size_t cap = 200 + N_VILLAGES * 64, len;
	char *csv = malloc(cap), err[256];

	assert_non_null(csv);
	len = (size_t)snprintf(csv, cap, "code,name,parent_code,level,kind\n"
			       "P,Province,,province,administrative\n"
			       "D1,District 1,P,district,administrative\n"
			       "C1,Commune 1,D1,commune,administrative\n");
	for (int i = 1; i <= N_VILLAGES; i++)
		len += (size_t)snprintf(csv + len, cap - len,
					"V%04d,Village %d,C1,village,administrative\n", i, i);
	assert_int_equal(hier_load_mem(csv, len, "units.csv", &w->hier, err, sizeof(err)), 0);
	free(csv);
}

static void t_open(t_world_t *w, size_t map)
{
	char err[512];

	assert_int_equal(aggstore_open(w->dir, map, 0, &w->st, err, sizeof(err)), 0);
	memset(&w->ctx, 0, sizeof(w->ctx));
	w->ctx.st = w->st;
	w->ctx.hier = w->hier;
	w->ctx.max_body = 65536;
}

/* n1's record (scope D1) put, or replaced: revoked, or with another
 * signing key. */
static void t_put_n1(t_world_t *w, bool revoked, const uint8_t sign_pk[32], bool replace)
{
	Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT;
	MDB_txn *txn;

	rec.node_id = (char *)"n1";
	rec.sign_public.data = (uint8_t *)sign_pk;
	rec.sign_public.len = 32;
	rec.curve_public.data = w->id.pub.curve_pk;
	rec.curve_public.len = 32;
	rec.scope = (char *)"D1";
	rec.revoked = revoked;
	assert_int_equal(store_begin(w->st, true, &txn), 0);
	assert_int_equal(agg_node_put(w->st, txn, &rec, replace), 0);
	assert_int_equal(store_commit(&txn), 0);
}

static void t_setup(t_world_t *w, size_t map)
{
	memset(w, 0, sizeof(*w));
	w->dir = strdup(tu_tmpdir());
	assert_non_null(w->dir);
	t_hier(w);
	assert_int_equal(identity_generate("n1", &w->id), 0);
	t_open(w, map);
	t_put_n1(w, false, w->id.pub.sign_pk, false);
}

static void t_teardown(t_world_t *w)
{
	store_destroy(&w->st);
	hier_destroy(&w->hier);
	identity_wipe(&w->id);
	tu_rmtree(w->dir);
	free((char *)w->dir);
}

/* A signed envelope of n1: a report for unit with poor_households = count
 * and a narrative of narrative_len bytes. Caller frees. */
static uint8_t *t_envelope(t_world_t *w, uint64_t seq, const char *unit, uint32_t revision,
			   int64_t count, size_t narrative_len, size_t *ret_len)
{
	Lnob__Report r = LNOB__REPORT__INIT;
	Lnob__IndicatorValue v = LNOB__INDICATOR_VALUE__INIT, *vp = &v;
	char *narrative = calloc(1, narrative_len + 1);
	uint8_t *body, *env;
	size_t blen;

	assert_non_null(narrative);
	memset(narrative, 'n', narrative_len);
	r.campaign = (char *)"lnob-2021-2025";
	r.period = (char *)"2023";
	r.unit = (char *)unit;
	r.revision = revision;
	r.base_revision = revision - 1;
	r.completed_at = 1701140400;
	r.narrative = narrative;
	v.code = (char *)"poor_households";
	v.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	v.count = count;
	r.values = &vp;
	r.n_values = 1;
	assert_int_equal(codec_pack(&r.base, &body, &blen), 0);
	assert_int_equal(envelope_seal(&w->id, seq, LNOB__KIND__KIND_REPORT, body, blen,
				       &env, ret_len), 0);
	free(body);
	free(narrative);
	return env;
}

/* A batch: items[i] carries the i-th envelope; bufs keep them alive. */
typedef struct t_batch {
	ingest_item_t *items;
	uint8_t **bufs;
	size_t n;
} t_batch_t;

static void t_batch_add(t_batch_t *b, uint8_t *env, size_t len)
{
	b->items = realloc(b->items, (b->n + 1) * sizeof(*b->items));
	b->bufs = realloc(b->bufs, (b->n + 1) * sizeof(*b->bufs));
	assert_non_null(b->items);
	assert_non_null(b->bufs);
	memset(&b->items[b->n], 0, sizeof(b->items[b->n]));
	b->items[b->n].env = env;
	b->items[b->n].len = len;
	b->items[b->n].peer = "n1";
	b->bufs[b->n] = env;
	b->n++;
}

/* Adds n1's report of unit (revision 1, poor_households = count) as seq. */
static void t_add(t_world_t *w, t_batch_t *b, uint64_t seq, const char *unit, int64_t count)
{
	size_t len;
	uint8_t *e = t_envelope(w, seq, unit, 1, count, 10, &len);

	t_batch_add(b, e, len);
}

static void t_batch_free(t_batch_t *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->bufs[i]);
	free(b->items);
	free(b->bufs);
	memset(b, 0, sizeof(*b));
}

/* Adds a unit's count of revisions (its LatestRecord's) to *ctx. */
static int t_add_revisions(void *ctx, const char *c, const char *p, const char *u,
			   const MDB_val *val)
{
	Lnob__LatestRecord *lr = lnob__latest_record__unpack(NULL, val->mv_size, val->mv_data);

	(void)c;
	(void)p;
	(void)u;
	assert_non_null(lr);
	*(size_t *)ctx += lr->revisions;
	lnob__latest_record__free_unpacked(lr, NULL);
	return 0;
}

/* What is in the store: envelopes, latest reports, revisions (of every
 * history, wherever kept: schema 4 keeps one revision in its latest
 * record); the root rollup's poor_households and units_reported;
 * verify's differences. */
typedef struct t_snap {
	size_t envelopes, latest, revisions, diffs;
	int64_t root_poor;
	uint32_t root_units;
	uint64_t counters[AGG_C_COUNT];
} t_snap_t;

static t_snap_t t_snap(t_world_t *w)
{
	Lnob__RollupRecord *rec = NULL;
	MDB_txn *txn;
	t_snap_t s;
	size_t checked;

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(store_count(txn, w->st, AGG_DB_ENVELOPES, &s.envelopes), 0);
	assert_int_equal(store_count(txn, w->st, AGG_DB_LATEST, &s.latest), 0);
	assert_int_equal(agg_unit_foreach(w->st, txn, AGG_UNIT_LATEST, t_add_revisions, &s.revisions),
			 0);
	assert_int_equal(agg_counters_load(w->st, txn, s.counters), 0);
	assert_int_equal(agg_rollup_get(w->st, txn, "lnob-2021-2025", "2023", "P", &rec), 0);
	s.root_units = rec->units_reported;
	for (size_t i = 0; i < rec->n_sums; i++)
		if (strcmp(rec->sums[i]->code, "poor_households") == 0)
			s.root_poor = rec->sums[i]->count;
	lnob__rollup_record__free_unpacked(rec, NULL);
	assert_int_equal(verify_store(w->st, txn, w->hier, NULL, &s.diffs, &checked), 0);
	store_abort(&txn);
	return s;
}

static void t_snap_equal(const t_snap_t *a, const t_snap_t *b)
{
	assert_int_equal(a->envelopes, b->envelopes);
	assert_int_equal(a->latest, b->latest);
	assert_int_equal(a->revisions, b->revisions);
	assert_int_equal(a->diffs, b->diffs);
	assert_int_equal(a->root_poor, b->root_poor);
	assert_int_equal(a->root_units, b->root_units);
	for (int i = 0; i < AGG_C_COUNT; i++)
		assert_int_equal(a->counters[i], b->counters[i]);
}

static void test_batch_commits(void **state)
{
	t_world_t w;
	t_batch_t b = { 0 };
	t_snap_t s;
	size_t len;
	uint8_t *e;

	(void)state;
	t_setup(&w, 8 << 20);
	e = t_envelope(&w, 1, "V0001", 1, 10, 10, &len);
	t_batch_add(&b, e, len);
	e = t_envelope(&w, 2, "V0002", 1, 20, 10, &len);
	t_batch_add(&b, e, len);
	e = t_envelope(&w, 3, "V0001", 2, 15, 10, &len);   /* corrects V0001 */
	t_batch_add(&b, e, len);
	e = t_envelope(&w, 4, "V0001", 1, 99, 10, &len);   /* older revision: log only */
	t_batch_add(&b, e, len);
	assert_int_equal(ingest_batch(&w.ctx, b.items, b.n), 0);
	for (size_t i = 0; i < b.n; i++) {
		assert_int_equal(b.items[i].verdict, INGEST_ACK);
		assert_string_equal(b.items[i].signer, "n1");
		assert_int_equal(b.items[i].seq, i + 1);
	}
	s = t_snap(&w);
	assert_int_equal(s.envelopes, 4);
	assert_int_equal(s.latest, 2);
	assert_int_equal(s.revisions, 4);
	assert_int_equal(s.root_poor, 35);
	assert_int_equal(s.root_units, 2);
	assert_int_equal(s.diffs, 0);
	assert_int_equal(s.counters[AGG_C_STORED], 4);
	assert_int_equal(s.counters[AGG_C_STORE_FAILED], 0);
	t_batch_free(&b);
	t_teardown(&w);
}

/* With lazy_counters, a batch of only duplicates (and refusals) commits
 * nothing: the store's counters stay as they were, the context's hold the
 * counts (counters_unsaved) until ingest_save_counters(); without it, or
 * with a batch that stores something, the counters are committed too. */
static void test_lazy_counters(void **state)
{
	t_world_t w;
	t_batch_t b = { 0 }, dup = { 0 };

	(void)state;
	t_setup(&w, 8 << 20);
	t_add(&w, &b, 1, "V0001", 10);
	w.ctx.lazy_counters = true;
	assert_int_equal(ingest_batch(&w.ctx, b.items, b.n), 0);   /* stores: commits */
	assert_false(w.ctx.counters_unsaved);
	assert_int_equal(t_snap(&w).counters[AGG_C_STORED], 1);
	t_add(&w, &dup, 1, "V0001", 10);
	assert_int_equal(ingest_batch(&w.ctx, dup.items, dup.n), 0);
	assert_int_equal(dup.items[0].verdict, INGEST_ACK);
	assert_true(dup.items[0].duplicate);
	assert_true(w.ctx.counters_unsaved);
	assert_int_equal(w.ctx.counters[AGG_C_DUPLICATE], 1);
	assert_int_equal(t_snap(&w).counters[AGG_C_DUPLICATE], 0);   /* not committed */
	assert_int_equal(ingest_save_counters(&w.ctx), 0);
	assert_false(w.ctx.counters_unsaved);
	assert_int_equal(t_snap(&w).counters[AGG_C_DUPLICATE], 1);
	w.ctx.lazy_counters = false;
	assert_int_equal(ingest_batch(&w.ctx, dup.items, dup.n), 0);
	assert_false(w.ctx.counters_unsaved);
	assert_int_equal(t_snap(&w).counters[AGG_C_DUPLICATE], 2);
	t_batch_free(&b);
	t_batch_free(&dup);
	t_teardown(&w);
}

/* ingest_preverify() checks ahead; ingest_batch() takes its result only
 * with the same key: a forged "ok" with the key unchanged is believed
 * (the result is used, not verified again), a key changed or revoked
 * since is judged afresh; a stored duplicate is never checked. */
static void test_preverify(void **state)
{
	t_world_t w;
	t_batch_t b = { 0 };
	identity_t other;

	(void)state;
	t_setup(&w, 8 << 20);
	t_add(&w, &b, 1, "V0001", 10);
	ingest_preverify(w.st, w.ctx.max_body, &b.items[0], 1);
	assert_true(b.items[0].pre.done);
	assert_true(b.items[0].pre.ok);
	b.items[0].pre.ok = false;          /* the writer takes the pool's word */
	assert_int_equal(ingest_batch(&w.ctx, b.items, 1), 0);
	assert_int_equal(b.items[0].reason, LNOB__NACK_REASON__NACK_BAD_SIGNATURE);
	ingest_preverify(w.st, w.ctx.max_body, &b.items[0], 1);
	assert_int_equal(identity_generate("n1", &other), 0);
	t_put_n1(&w, false, other.pub.sign_pk, true);   /* rotated meanwhile */
	assert_int_equal(ingest_batch(&w.ctx, b.items, 1), 0);
	assert_int_equal(b.items[0].reason, LNOB__NACK_REASON__NACK_BAD_SIGNATURE);
	t_put_n1(&w, false, w.id.pub.sign_pk, true);
	ingest_preverify(w.st, w.ctx.max_body, &b.items[0], 1);
	assert_true(b.items[0].pre.ok);
	t_put_n1(&w, true, w.id.pub.sign_pk, true);     /* revoked meanwhile */
	assert_int_equal(ingest_batch(&w.ctx, b.items, 1), 0);
	assert_int_equal(b.items[0].reason, LNOB__NACK_REASON__NACK_REVOKED_SIGNER);
	t_put_n1(&w, false, w.id.pub.sign_pk, true);
	ingest_preverify(w.st, w.ctx.max_body, &b.items[0], 1);
	assert_int_equal(ingest_batch(&w.ctx, b.items, 1), 0);
	assert_int_equal(b.items[0].verdict, INGEST_ACK);
	assert_false(b.items[0].duplicate);
	ingest_preverify(w.st, w.ctx.max_body, &b.items[0], 1);
	assert_false(b.items[0].pre.done);   /* stored: a duplicate, not checked */
	assert_true(b.items[0].pre.duplicate);
	assert_string_equal(b.items[0].pre.signer, "n1");
	assert_int_equal(b.items[0].pre.seq, b.items[0].seq);
	t_put_n1(&w, true, w.id.pub.sign_pk, true);     /* revoked since: acked all the same */
	assert_int_equal(ingest_batch(&w.ctx, b.items, 1), 0);
	assert_int_equal(b.items[0].verdict, INGEST_ACK);
	assert_true(b.items[0].duplicate);
	assert_string_equal(b.items[0].signer, "n1");
	assert_int_equal(t_snap(&w).counters[AGG_C_DUPLICATE], 1);
	/* Several in one read transaction, the signer's key looked up once:
	 * the stored one a duplicate, the new ones checked with the key as
	 * it is now (revoked: not checked). */
	t_put_n1(&w, false, w.id.pub.sign_pk, true);
	t_add(&w, &b, 2, "V0002", 7);
	t_add(&w, &b, 3, "V0003", 8);
	ingest_preverify(w.st, w.ctx.max_body, b.items, 3);
	assert_true(b.items[0].pre.duplicate);
	for (size_t i = 1; i < 3; i++) {
		assert_true(b.items[i].pre.done);
		assert_true(b.items[i].pre.ok);
		assert_false(b.items[i].pre.duplicate);
	}
	t_put_n1(&w, true, w.id.pub.sign_pk, true);
	ingest_preverify(w.st, w.ctx.max_body, b.items, 3);
	assert_true(b.items[0].pre.duplicate);
	assert_false(b.items[1].pre.done);
	assert_false(b.items[2].pre.done);
	identity_wipe(&other);
	t_batch_free(&b);
	t_teardown(&w);
}

/* The server's pipeline in small: the pool checks batch B's signatures
 * while this thread stores batch A; then B is stored with the pool's
 * checks (run under ThreadSanitizer too: no race on items or store). */
typedef struct t_pipe {
	t_world_t *w;
	t_batch_t *b;
} t_pipe_t;

static void t_pipe_item(void *ctx, size_t i)
{
	t_pipe_t *p = ctx;

	ingest_preverify(p->w->st, p->w->ctx.max_body, &p->b->items[i], 1);
}

static void test_pipeline(void **state)
{
	t_world_t w;
	t_batch_t a = { 0 }, b = { 0 };
	t_pipe_t pipe = { &w, &b };
	vpool_t *pool = vpool_new(2);

	(void)state;
	assert_non_null(pool);
	t_setup(&w, 8 << 20);
	for (uint64_t seq = 1; seq <= 64; seq++) {
		char unit[8];

		snprintf(unit, sizeof(unit), "V%04d", (int)seq);
		t_add(&w, seq <= 32 ? &a : &b, seq, unit, 1);
	}
	vpool_start(pool, t_pipe_item, &pipe, b.n);
	assert_int_equal(ingest_batch(&w.ctx, a.items, a.n), 0);
	vpool_wait(pool);
	for (size_t i = 0; i < b.n; i++)
		assert_true(b.items[i].pre.done && b.items[i].pre.ok);
	assert_int_equal(ingest_batch(&w.ctx, b.items, b.n), 0);
	for (size_t i = 0; i < a.n; i++)
		assert_int_equal(a.items[i].verdict, INGEST_ACK);
	for (size_t i = 0; i < b.n; i++)
		assert_int_equal(b.items[i].verdict, INGEST_ACK);
	assert_int_equal(t_snap(&w).envelopes, 64);
	vpool_destroy(&pool);
	t_batch_free(&a);
	t_batch_free(&b);
	t_teardown(&w);
}

static void test_map_full_batch_stores_nothing(void **state)
{
	t_world_t w;
	t_batch_t a = { 0 }, b = { 0 };
	t_snap_t before, after;
	uint64_t failed;
	size_t len;
	uint8_t *e;
	int r;

	(void)state;
	t_setup(&w, 512 << 10);
	/* A first batch that fits. */
	for (uint64_t seq = 1; seq <= 5; seq++) {
		char unit[8];
		snprintf(unit, sizeof(unit), "V%04d", (int)seq);
		e = t_envelope(&w, seq, unit, 1, (int64_t)seq, 10, &len);
		t_batch_add(&a, e, len);
	}
	assert_int_equal(ingest_batch(&w.ctx, a.items, a.n), 0);
	before = t_snap(&w);
	assert_int_equal(before.envelopes, 5);

	/* A batch far over the map: a rejection first (a unit out of the
	 * hierarchy), a correction of a stored unit, then 300 big reports. */
	e = t_envelope(&w, 6, "NOWHERE", 1, 1, 10, &len);
	t_batch_add(&b, e, len);
	e = t_envelope(&w, 7, "V0001", 2, 1000, 10, &len);
	t_batch_add(&b, e, len);
	for (uint64_t seq = 8; seq < 308; seq++) {
		char unit[8];
		snprintf(unit, sizeof(unit), "V%04d", (int)(seq - 2));
		e = t_envelope(&w, seq, unit, 1, 7, BIG_NARRATIVE, &len);
		t_batch_add(&b, e, len);
	}
	r = ingest_batch(&w.ctx, b.items, b.n);
	assert_int_equal(r, LNOB_E_FULL);
	assert_int_equal(b.items[0].verdict, INGEST_NACK);
	assert_int_equal(b.items[0].reason, LNOB__NACK_REASON__NACK_UNKNOWN_UNIT);
	assert_false(b.items[0].retryable);
	for (size_t i = 1; i < b.n; i++) {
		ingest_item_t *it = &b.items[i];

		assert_int_equal(it->verdict, INGEST_NACK);
		assert_int_equal(it->reason, LNOB__NACK_REASON__NACK_STORE_FAILED);
		assert_true(it->retryable);
		assert_false(it->duplicate);
		/* named, also the ones the transaction never reached */
		assert_string_equal(it->signer, "n1");
		assert_int_equal(it->seq, i + 6);
	}
	assert_int_equal(w.ctx.counters[AGG_C_STORE_FAILED], 1);
	assert_int_equal(w.ctx.counters[AGG_C_STORED], 5);
	assert_int_equal(w.ctx.counters[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_UNKNOWN_UNIT], 1);
	/* Nothing of it in the store: log, latest, revisions, rollups, counters. */
	after = t_snap(&w);
	t_snap_equal(&after, &before);

	/* Grown, the same batch goes through at once. */
	failed = w.ctx.counters[AGG_C_STORE_FAILED];
	assert_int_equal(store_grow(w.st, 16 << 20), 0);
	w.ctx.counters[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_UNKNOWN_UNIT] = 0;
	assert_int_equal(ingest_batch(&w.ctx, b.items, b.n), 0);
	assert_int_equal(b.items[0].reason, LNOB__NACK_REASON__NACK_UNKNOWN_UNIT);
	for (size_t i = 1; i < b.n; i++)
		assert_int_equal(b.items[i].verdict, INGEST_ACK);
	after = t_snap(&w);
	assert_int_equal(after.envelopes, 5 + b.n - 1);
	assert_int_equal(after.latest, 5 + 300);
	/* V0001 went from 1 to 1000; V0006.. add 7 each (V0002..V0005 keep theirs) */
	assert_int_equal(after.root_poor, 1000 + 2 + 3 + 4 + 5 + 300 * 7);
	assert_int_equal(after.diffs, 0);
	assert_int_equal(after.counters[AGG_C_STORE_FAILED], failed);
	assert_int_equal(after.counters[AGG_C_STORED], 5 + b.n - 1);
	t_batch_free(&a);
	t_batch_free(&b);
	t_teardown(&w);
}

#ifdef LNOB_FAULT_INJECTION
/* Runs a batch of three in a child with LNOB_FAULT=point; the child must
 * die by SIGKILL. Returns the envelopes stored afterwards. */
static size_t t_crash_at(const char *point)
{
	t_world_t w;
	t_batch_t b = { 0 };
	size_t len, n;
	uint8_t *e;
	pid_t pid;
	int status;

	t_setup(&w, 8 << 20);
	for (uint64_t seq = 1; seq <= 3; seq++) {
		char unit[8];
		snprintf(unit, sizeof(unit), "V%04d", (int)seq);
		e = t_envelope(&w, seq, unit, 1, 1, 10, &len);
		t_batch_add(&b, e, len);
	}
	store_destroy(&w.st);   /* the child opens its own */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];

		alarm(30);
		setenv("LNOB_FAULT", point, 1);
		if (aggstore_open(w.dir, 8 << 20, 0, &w.st, err, sizeof(err)) < 0)
			_exit(3);
		w.ctx.st = w.st;
		(void)ingest_batch(&w.ctx, b.items, b.n);
		_exit(4);   /* the point did not fire */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	t_open(&w, 8 << 20);
	n = t_snap(&w).envelopes;
	assert_int_equal(t_snap(&w).diffs, 0);
	t_batch_free(&b);
	t_teardown(&w);
	return n;
}

static void test_crash_points(void **state)
{
	(void)state;
	assert_int_equal(t_crash_at("agg.mid_batch"), 0);
	assert_int_equal(t_crash_at("agg.before_commit"), 0);
	assert_int_equal(t_crash_at("agg.after_commit"), 3);
}
#endif

/* ---- revisions, conflicts, campaigns ------------------------------------ */

/* Enrolls id with scope. */
static void t_enroll(t_world_t *w, const identity_t *id, const char *scope)
{
	Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT;
	MDB_txn *txn;

	rec.node_id = (char *)id->pub.node_id;
	rec.sign_public.data = (uint8_t *)id->pub.sign_pk;
	rec.sign_public.len = 32;
	rec.curve_public.data = (uint8_t *)id->pub.curve_pk;
	rec.curve_public.len = 32;
	rec.scope = (char *)scope;
	assert_int_equal(store_begin(w->st, true, &txn), 0);
	assert_int_equal(agg_node_put(w->st, txn, &rec, false), 0);
	assert_int_equal(store_commit(&txn), 0);
}

/* A signed report of id: one value code = val (an amount when the code
 * ends in _vnd). Caller frees. */
static uint8_t *t_report(const identity_t *id, uint64_t seq, const char *campaign,
			 const char *period, const char *unit, uint32_t rev, uint32_t base,
			 const char *code, int64_t val, size_t *ret_len)
{
	Lnob__Report r = LNOB__REPORT__INIT;
	Lnob__IndicatorValue v = LNOB__INDICATOR_VALUE__INIT, *vp = &v;
	uint8_t *body, *env;
	size_t blen;

	r.campaign = (char *)campaign;
	r.period = (char *)period;
	r.unit = (char *)unit;
	r.revision = rev;
	r.base_revision = base;
	r.completed_at = 1701140400 + rev;
	v.code = (char *)code;
	if (report_code_is_amount(code)) {
		v.value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
		v.amount_vnd = val;
	} else {
		v.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
		v.count = val;
	}
	r.values = &vp;
	r.n_values = 1;
	assert_int_equal(codec_pack(&r.base, &body, &blen), 0);
	assert_int_equal(envelope_seal(id, seq, LNOB__KIND__KIND_REPORT, body, blen, &env,
				       ret_len), 0);
	free(body);
	return env;
}

/* Ingests one envelope alone; returns its item (verdict, reason, detail). */
static ingest_item_t t_one(t_world_t *w, uint8_t *env, const size_t *len)
{
	ingest_item_t it;

	memset(&it, 0, sizeof(it));
	it.env = env;
	it.len = *len;
	it.peer = "n1";
	assert_int_equal(ingest_batch(&w->ctx, &it, 1), 0);
	free(env);
	return it;
}

static void t_rev(agg_history_t *h, const char *signer, uint64_t seq, uint32_t rev,
		  uint32_t base, uint8_t body, int64_t received_at)
{
	agg_rev_t r;

	memset(&r, 0, sizeof(r));
	snprintf(r.signer, sizeof(r.signer), "%s", signer);
	r.seq = seq;
	r.revision = rev;
	r.base_revision = base;
	r.received_at = received_at;
	r.completed_at = received_at;
	memset(r.content, body, sizeof(r.content));
	assert_int_equal(agg_history_push(h, &r), 0);
}

/* THE RULES of aggstore.h on hand-made histories (key order given). */
static void test_history_rules(void **state)
{
	agg_history_t h;

	(void)state;
	memset(&h, 0, sizeof(h));
	agg_history_judge(&h);
	assert_int_equal(h.current, -1);
	/* two first reports from two signers: a conflict; a#1 is current */
	t_rev(&h, "a", 1, 1, 0, 1, 20);
	t_rev(&h, "b", 1, 1, 0, 2, 10);
	agg_history_judge(&h);
	assert_int_equal(h.current, 0);
	assert_int_equal(h.first, 1);          /* the earlier one received */
	assert_int_equal(h.members, 2);
	assert_int_equal(h.member_max, 1);
	/* a revision with base 1 resolves it */
	t_rev(&h, "b", 2, 2, 1, 3, 30);
	agg_history_judge(&h);
	assert_int_equal(h.current, 2);
	assert_int_equal(h.members, 0);
	agg_history_clear(&h);

	/* the same signer: same revision and body again is no conflict, another
	 * body is; two corrections of one base by one signer are none */
	t_rev(&h, "a", 1, 1, 0, 1, 5);
	t_rev(&h, "a", 2, 1, 0, 1, 5);
	agg_history_judge(&h);
	assert_int_equal(h.members, 0);
	assert_int_equal(h.current, 0);        /* the smallest (signer, seq) */
	t_rev(&h, "a", 3, 2, 1, 2, 5);
	t_rev(&h, "a", 4, 3, 1, 3, 5);
	agg_history_judge(&h);
	assert_int_equal(h.members, 0);
	assert_int_equal(h.current, 3);
	agg_history_clear(&h);

	t_rev(&h, "a", 1, 1, 0, 1, 5);
	t_rev(&h, "a", 2, 1, 0, 9, 5);
	agg_history_judge(&h);
	assert_int_equal(h.members, 2);
	agg_history_clear(&h);

	/* forks from one base by two signers at different revisions: resolved
	 * only by a base at least the highest of them */
	t_rev(&h, "a", 1, 2, 1, 1, 5);
	t_rev(&h, "b", 1, 3, 1, 2, 5);
	t_rev(&h, "c", 1, 4, 2, 3, 5);
	agg_history_judge(&h);
	assert_int_equal(h.members, 2);
	assert_int_equal(h.member_max, 3);
	assert_false(h.v[2].member);
	t_rev(&h, "c", 2, 5, 3, 4, 5);
	agg_history_judge(&h);
	assert_int_equal(h.members, 0);
	assert_int_equal(h.current, 3);
	agg_history_clear(&h);
}

/* Out-of-order revisions, a conflict between two signers, its resolution,
 * a stale revision after it; verify finds nothing, then finds tampering. */
static void test_revisions_and_conflicts(void **state)
{
	const char *C = "lnob-2021-2025", *P = "2023";
	Lnob__LatestRecord *lr;
	Lnob__ConflictRecord *cr;
	t_world_t w;
	identity_t n2;
	ingest_item_t it;
	t_snap_t s;
	size_t len;
	MDB_txn *txn;
	uint8_t key[AGG_KEY_MAX];
	size_t klen;

	(void)state;
	t_setup(&w, 8 << 20);
	assert_int_equal(identity_generate("n2", &n2), 0);
	t_enroll(&w, &n2, "C1");

	/* rev 2 arrives before rev 1 */
	it = t_one(&w, t_report(&n2, 1, C, P, "V0001", 2, 1, "poor_households", 20, &len), &len);
	assert_int_equal(it.verdict, INGEST_ACK);
	it = t_one(&w, t_report(&w.id, 1, C, P, "V0001", 1, 0, "poor_households", 10, &len), &len);
	assert_int_equal(it.verdict, INGEST_ACK);
	assert_false(it.conflict);
	s = t_snap(&w);
	assert_int_equal(s.root_poor, 20);
	assert_int_equal(s.root_units, 1);
	assert_int_equal(s.diffs, 0);
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(agg_latest_get(w.st, txn, C, P, "V0001", &lr), 0);
	assert_string_equal(lr->signer, "n2");
	assert_int_equal(lr->revision, 2);
	assert_int_equal(lr->revisions, 2);
	assert_int_equal(lr->first_completed_at, 1701140401);   /* rev 1's */
	assert_int_equal(lr->completed_at, 1701140402);
	assert_false(lr->conflict);
	lnob__latest_record__free_unpacked(lr, NULL);
	store_abort(&txn);

	/* n1 corrects rev 1 too: two rev 2 from base 1, a conflict; the rollup
	 * follows the smallest signer (n1) meanwhile */
	it = t_one(&w, t_report(&w.id, 2, C, P, "V0001", 2, 1, "poor_households", 30, &len), &len);
	assert_int_equal(it.verdict, INGEST_ACK);
	assert_true(it.conflict);
	assert_non_null(strstr(it.note, "revision conflict"));
	s = t_snap(&w);
	assert_int_equal(s.root_poor, 30);
	assert_int_equal(s.counters[AGG_C_CONFLICT], 1);
	assert_int_equal(s.diffs, 0);
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(agg_conflict_get(w.st, txn, C, P, "V0001", &cr), 0);
	assert_int_equal(cr->n_members, 2);
	assert_string_equal(cr->members[0]->signer, "n1");
	assert_string_equal(cr->members[1]->signer, "n2");
	assert_true(cr->detected_at > 0);
	lnob__conflict_record__free_unpacked(cr, NULL);
	assert_int_equal(agg_latest_get(w.st, txn, C, P, "V0001", &lr), 0);
	assert_true(lr->conflict);
	assert_string_equal(lr->signer, "n1");
	lnob__latest_record__free_unpacked(lr, NULL);
	store_abort(&txn);

	/* rev 3 on base 2 resolves it */
	it = t_one(&w, t_report(&n2, 2, C, P, "V0001", 3, 2, "poor_households", 40, &len), &len);
	assert_true(it.resolved);
	assert_false(it.conflict);
	/* a stale rev 2 of n2 arriving now opens nothing */
	it = t_one(&w, t_report(&n2, 3, C, P, "V0001", 2, 1, "poor_households", 50, &len), &len);
	assert_int_equal(it.verdict, INGEST_ACK);
	assert_false(it.conflict);
	s = t_snap(&w);
	assert_int_equal(s.root_poor, 40);
	assert_int_equal(s.revisions, 5);
	assert_int_equal(s.counters[AGG_C_CONFLICT], 1);
	assert_int_equal(s.diffs, 0);
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(agg_conflict_get(w.st, txn, C, P, "V0001", &cr), LNOB_E_NOTFOUND);
	assert_int_equal(agg_latest_get(w.st, txn, C, P, "V0001", &lr), 0);
	assert_false(lr->conflict);
	assert_int_equal(lr->revisions, 5);
	assert_int_equal(lr->revision, 3);
	lnob__latest_record__free_unpacked(lr, NULL);
	store_abort(&txn);

	/* tampering: a latest record pointing elsewhere, a stray conflict */
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	klen = agg_key_unit(key, C, P, "V0001");
	assert_int_equal(agg_latest_get(w.st, txn, C, P, "V0001", &lr), 0);
	lr->seq = 1;
	{
		uint8_t *buf;
		size_t blen;

		assert_int_equal(codec_pack(&lr->base, &buf, &blen), 0);
		assert_int_equal(store_put(txn, store_dbi(w.st, AGG_DB_LATEST), key, klen, buf, blen, 0), 0);
		free(buf);
		klen = agg_key_unit(key, C, P, "V0002");
		assert_int_equal(store_put(txn, store_dbi(w.st, AGG_DB_CONFLICTS), key, klen, "", 0, 0), 0);
	}
	lnob__latest_record__free_unpacked(lr, NULL);
	assert_int_equal(store_commit(&txn), 0);
	s = t_snap(&w);
	assert_int_equal(s.diffs, 2);
	identity_wipe(&n2);
	t_teardown(&w);
}

static const char s_campaign_text[] =
	"[campaign]\n"
	"id = t\n"
	"name = Test\n"
	"start = 2021-01-01\n"
	"end = 2025-12-31\n"
	"baseline_date = 2020-12-31\n"
	"levels = province, district, commune, village\n"
	"[indicators]\n"
	"hh = count\n"
	"poor = count\n"
	"near = count\n"
	"fund_vnd = amount\n"
	"pnp = sum poor + near\n"
	"poor_rate = rate poor / hh\n"
	"[reported_by]\n"
	"fund_vnd = all\n"
	"[period 2023]\n"
	"kind = year\n"
	"start = 2023-01-01\n"
	"end = 2023-12-31\n";

/* With a campaign configured: unknown campaign, period and indicator,
 * derived indicators and negative counts are refused with their reason. */
static void test_campaign_nacks(void **state)
{
	static const struct {
		const char *campaign, *period, *code;
		int64_t val;
		int reason;             /* 0: ACK */
		const char *detail;
	} cases[] = {
		{ "t", "2023", "poor", 5, 0, NULL },
		{ "t", "2023", "fund_vnd", 1000, 0, NULL },
		{ "other", "2023", "poor", 5, LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN, "'other'" },
		{ "t", "2019", "poor", 5, LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN, "'2019'" },
		{ "t", "2023", "zzz", 5, LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR, "'zzz'" },
		{ "t", "2023", "poor_rate", 5, LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR, "a rate" },
		{ "t", "2023", "pnp", 5, LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR, "a sum" },
		{ "t", "2023", "poor", -3, LNOB__NACK_REASON__NACK_INVALID, "negative value -3" },
	};
	campaigns_t camps;
	t_world_t w;
	char err[512];
	uint64_t seq = 1;
	size_t len;

	(void)state;
	t_setup(&w, 8 << 20);
	memset(&camps, 0, sizeof(camps));
	assert_int_equal(campaigns_reserve(&camps, 1), 0);
	assert_int_equal(campaign_load_mem(s_campaign_text, "t.ini", w.hier, &camps.v[0], err,
					   sizeof(err)), 0);
	camps.n = 1;
	w.ctx.campaigns = &camps;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ingest_item_t it = t_one(&w, t_report(&w.id, seq++, cases[i].campaign,
						      cases[i].period, "V0001", 1 + (uint32_t)i, 0,
						      cases[i].code, cases[i].val, &len), &len);

		if (!cases[i].reason) {
			assert_int_equal(it.verdict, INGEST_ACK);
			continue;
		}
		assert_int_equal(it.verdict, INGEST_NACK);
		assert_int_equal(it.reason, cases[i].reason);
		assert_false(it.retryable);
		if (!strstr(it.detail, cases[i].detail))
			fail_msg("case %zu: detail '%s' lacks '%s'", i, it.detail, cases[i].detail);
	}
	assert_int_equal(w.ctx.counters[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN], 2);
	assert_int_equal(w.ctx.counters[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR], 3);
	assert_string_equal(agg_counter_name(AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN),
			    "rejected_unknown_campaign");
	assert_string_equal(agg_counter_name(AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR),
			    "rejected_unknown_indicator");
	/* Without campaigns, anything goes (as before). */
	w.ctx.campaigns = NULL;
	assert_int_equal(t_one(&w, t_report(&w.id, seq++, "other", "1999", "V0002", 1, 0, "zzz", 1,
					    &len), &len).verdict, INGEST_ACK);
	campaigns_clear(&camps);
	t_teardown(&w);
}

/* A signed report of n1 for campaign t, 2023, unit: fund_vnd = fund and
 * (poor >= 0) poor = poor. Caller frees. */
static uint8_t *t_level_report(t_world_t *w, uint64_t seq, const char *unit, int64_t fund,
			       int64_t poor, size_t *ret_len)
{
	Lnob__Report r = LNOB__REPORT__INIT;
	Lnob__IndicatorValue v[2], *vp[2] = { &v[0], &v[1] };
	uint8_t *body, *env;
	size_t blen;

	lnob__indicator_value__init(&v[0]);
	lnob__indicator_value__init(&v[1]);
	r.campaign = (char *)"t";
	r.period = (char *)"2023";
	r.unit = (char *)unit;
	r.revision = 1;
	r.completed_at = 1701140400;
	v[0].code = (char *)"fund_vnd";
	v[0].value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
	v[0].amount_vnd = fund;
	v[1].code = (char *)"poor";
	v[1].value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	v[1].count = poor;
	r.values = vp;
	r.n_values = poor >= 0 ? 2 : 1;
	assert_int_equal(codec_pack(&r.base, &body, &blen), 0);
	assert_int_equal(envelope_seal(&w->id, seq, LNOB__KIND__KIND_REPORT, body, blen, &env,
				       ret_len), 0);
	free(body);
	return env;
}

/* The rollup of campaign t, 2023, at code: units reported, poor, fund_vnd. */
static void t_level_rollup(t_world_t *w, const char *code, uint32_t *units, int64_t *poor,
			   int64_t *fund)
{
	Lnob__RollupRecord *rec = NULL;
	MDB_txn *txn;

	*poor = *fund = -1;
	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(agg_rollup_get(w->st, txn, "t", "2023", code, &rec), 0);
	*units = rec->units_reported;
	for (size_t i = 0; i < rec->n_sums; i++) {
		if (strcmp(rec->sums[i]->code, "poor") == 0)
			*poor = rec->sums[i]->count;
		if (strcmp(rec->sums[i]->code, "fund_vnd") == 0)
			*fund = rec->sums[i]->amount_vnd;
	}
	lnob__rollup_record__free_unpacked(rec, NULL);
	store_abort(&txn);
}

/* Reporting levels: a commune's report carrying a count the villages
 * report is refused wrong_level and stores nothing; its own fund_vnd is
 * taken; nothing is counted twice. */
static void test_wrong_level(void **state)
{
	campaigns_t camps;
	t_world_t w;
	ingest_item_t it;
	t_snap_t s;
	char err[512];
	uint32_t units;
	int64_t poor, fund;
	size_t len, checked, diffs;
	MDB_txn *txn;

	(void)state;
	t_setup(&w, 8 << 20);
	memset(&camps, 0, sizeof(camps));
	assert_int_equal(campaigns_reserve(&camps, 1), 0);
	assert_int_equal(campaign_load_mem(s_campaign_text, "t.ini", w.hier, &camps.v[0], err,
					   sizeof(err)), 0);
	camps.n = 1;
	w.ctx.campaigns = &camps;

	/* The commune C1 with fund_vnd (all levels) and poor (villages only). */
	it = t_one(&w, t_level_report(&w, 1, "C1", 5000000, 7, &len), &len);
	assert_int_equal(it.verdict, INGEST_NACK);
	assert_int_equal(it.reason, LNOB__NACK_REASON__NACK_WRONG_LEVEL);
	assert_false(it.retryable);
	assert_string_equal(it.signer, "n1");
	assert_int_equal(it.seq, 1);
	assert_string_equal(it.detail, "unit 'C1' is a commune; indicator 'poor' is reported by "
			    "village");
	assert_int_equal(w.ctx.counters[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_WRONG_LEVEL], 1);
	assert_string_equal(agg_counter_name(AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_WRONG_LEVEL),
			    "rejected_wrong_level");
	/* ... and the district D1 too. */
	it = t_one(&w, t_level_report(&w, 2, "D1", 1, 1, &len), &len);
	assert_int_equal(it.reason, LNOB__NACK_REASON__NACK_WRONG_LEVEL);
	assert_non_null(strstr(it.detail, "unit 'D1' is a district"));
	/* Nothing of them is stored: no envelope, latest, revision or rollup. */
	s = t_snap(&w);
	assert_int_equal(s.envelopes, 0);
	assert_int_equal(s.latest, 0);
	assert_int_equal(s.revisions, 0);
	assert_int_equal(s.counters[AGG_C_STORED], 0);
	assert_int_equal(s.counters[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_WRONG_LEVEL], 2);
	t_level_rollup(&w, "P", &units, &poor, &fund);
	assert_int_equal(units, 0);

	/* The commune's own fund_vnd is taken, and a village's count. */
	it = t_one(&w, t_level_report(&w, 3, "C1", 5000000, -1, &len), &len);
	assert_int_equal(it.verdict, INGEST_ACK);
	it = t_one(&w, t_level_report(&w, 4, "V0001", 1000000, 7, &len), &len);
	assert_int_equal(it.verdict, INGEST_ACK);
	/* Counted once each: P has 7 poor (the village's), the two funds. */
	t_level_rollup(&w, "P", &units, &poor, &fund);
	assert_int_equal(units, 2);
	assert_int_equal(poor, 7);
	assert_int_equal(fund, 6000000);
	t_level_rollup(&w, "C1", &units, &poor, &fund);
	assert_int_equal(units, 2);
	assert_int_equal(poor, 7);
	s = t_snap(&w);
	assert_int_equal(s.envelopes, 2);
	assert_int_equal(s.counters[AGG_C_STORED], 2);
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(verify_store(w.st, txn, w.hier, NULL, &diffs, &checked), 0);
	store_abort(&txn);
	assert_int_equal(diffs, 0);
	/* A campaign no file configures is unknown_campaign, not wrong_level;
	 * without campaigns there are no levels to check (as before). */
	it = t_one(&w, t_report(&w.id, 5, "other", "2023", "C1", 1, 0, "poor", 1, &len), &len);
	assert_int_equal(it.reason, LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN);
	w.ctx.campaigns = NULL;
	it = t_one(&w, t_level_report(&w, 6, "C1", 1, 1, &len), &len);
	assert_int_equal(it.verdict, INGEST_ACK);
	campaigns_clear(&camps);
	t_teardown(&w);
}

/* ---- approvals and amendments (approval.h) ------------------------------ */

/* The operator's texts and ids of approve, accept and reject are checked
 * before anything is stored: UTF-8, ids; a refusal stores nothing. */
static void test_approval_cli_checks(void **state)
{
	t_world_t w;
	approval_args_t a = { .cmd = "approve", .campaign = "lnob-2021-2025", .period = "2023",
			      .unit = "D1", .by = "Nguy\xc3\xaan V\xe1\xba\xa1n A" };
	Lnob__ApprovalRecord *rec = NULL;
	MDB_txn *txn;
	char err[256];
	FILE *out = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(out);
	t_setup(&w, 8 << 20);
	a.by = "Nguy\xea" "n";                                   /* Latin-1 */
	assert_int_equal(approval_cli(w.st, w.hier, NULL, &a, out, err, sizeof(err)), LNOB_E_INVALID);
	assert_string_equal(err, "--by: not valid UTF-8");
	a.by = "Nguy\xc3\xaan V\xe1\xba\xa1n A";
	a.note = "ghi ch\xc3";
	assert_int_equal(approval_cli(w.st, w.hier, NULL, &a, out, err, sizeof(err)), LNOB_E_INVALID);
	assert_string_equal(err, "--note: not valid UTF-8");
	a.note = NULL;
	a.campaign = "lnob 2021\xff";
	assert_int_equal(approval_cli(w.st, w.hier, NULL, &a, out, err, sizeof(err)), LNOB_E_INVALID);
	assert_string_equal(err, "--campaign: not 1..64 of [A-Za-z0-9._-]: 'lnob 2021\\xff'");
	a.campaign = "lnob-2021-2025";
	a.period = "";
	assert_int_equal(approval_cli(w.st, w.hier, NULL, &a, out, err, sizeof(err)), LNOB_E_INVALID);
	assert_string_equal(err, "--period: not 1..64 of [A-Za-z0-9._-]: ''");
	a.period = "2023";
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(approval_get(w.st, txn, a.campaign, a.period, "D1", &rec), LNOB_E_NOTFOUND);
	store_abort(&txn);
	/* The same, right: stored. */
	a.note = "đã kiểm tra";
	assert_int_equal(approval_cli(w.st, w.hier, NULL, &a, out, err, sizeof(err)), 0);
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(approval_get(w.st, txn, a.campaign, a.period, "D1", &rec), 0);
	store_abort(&txn);
	assert_string_equal(rec->by, "Nguy\xc3\xaan V\xe1\xba\xa1n A");
	lnob__approval_record__free_unpacked(rec, NULL);
	/* reject: the reason, too. */
	a.cmd = "reject";
	a.amendment = "d1/1";
	a.note = NULL;
	a.reason = "sai s\xe1";
	assert_int_equal(approval_cli(w.st, w.hier, NULL, &a, out, err, sizeof(err)), LNOB_E_INVALID);
	assert_string_equal(err, "--reason: not valid UTF-8");
	fclose(out);
	t_teardown(&w);
}

/* The nearest approval covering each unit, as approve and revoke change. */
static void test_approval_coverage(void **state)
{
	const char *C = "lnob-2021-2025", *P = "2023";
	t_world_t w;
	MDB_txn *txn;
	size_t pending = 99;
	int u = -2;
	int v1, c1, d1, p0;

	(void)state;
	t_setup(&w, 8 << 20);
	v1 = hier_find(w.hier, "V0001");
	c1 = hier_find(w.hier, "C1");
	d1 = hier_find(w.hier, "D1");
	p0 = hier_find(w.hier, "P");
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, P, v1, &u), LNOB_E_NOTFOUND);
	assert_int_equal(approval_approve(w.st, txn, C, P, "D1", "chief", NULL, 1000), 0);
	assert_int_equal(approval_approve(w.st, txn, C, P, "D1", "other", "x", 1001), LNOB_E_EXISTS);
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, P, v1, &u), 0);
	assert_int_equal(u, d1);
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, P, c1, &u), 0);
	assert_int_equal(u, d1);
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, P, d1, &u), 0);
	assert_int_equal(u, d1);
	u = -2;
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, P, p0, &u), LNOB_E_NOTFOUND);
	assert_int_equal(u, -2);   /* not written */
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, "2024", v1, &u), LNOB_E_NOTFOUND);
	assert_int_equal(approval_covering(w.st, txn, w.hier, "other", P, v1, &u), LNOB_E_NOTFOUND);
	/* the nearest one wins */
	assert_int_equal(approval_approve(w.st, txn, C, P, "C1", "commune", NULL, 1002), 0);
	assert_int_equal(approval_approve(w.st, txn, C, P, "P", "province", NULL, 1003), 0);
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, P, v1, &u), 0);
	assert_int_equal(u, c1);
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, P, d1, &u), 0);
	assert_int_equal(u, d1);
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, P, p0, &u), 0);
	assert_int_equal(u, p0);
	assert_int_equal(approval_revoke(w.st, txn, C, P, "C1", &pending), 0);
	assert_int_equal(pending, 0);
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, P, v1, &u), 0);
	assert_int_equal(u, d1);
	assert_int_equal(approval_revoke(w.st, txn, C, P, "C1", NULL), LNOB_E_NOTFOUND);
	assert_int_equal(approval_revoke(w.st, txn, C, P, "D1", NULL), 0);
	assert_int_equal(approval_revoke(w.st, txn, C, P, "P", NULL), 0);
	assert_int_equal(approval_covering(w.st, txn, w.hier, C, P, v1, &u), LNOB_E_NOTFOUND);
	assert_int_equal(store_commit(&txn), 0);
	{
		char signer[LNOB_ID_MAX + 1];
		uint64_t seq;

		assert_int_equal(amendment_key_parse("n1/42", signer, &seq), 0);
		assert_string_equal(signer, "n1");
		assert_int_equal(seq, 42);
		assert_int_equal(amendment_key_parse("n1/0", signer, &seq), LNOB_E_INVALID);
		assert_int_equal(amendment_key_parse("/4", signer, &seq), LNOB_E_INVALID);
		assert_int_equal(amendment_key_parse("n1/4x", signer, &seq), LNOB_E_INVALID);
		assert_int_equal(amendment_key_parse("n1", signer, &seq), LNOB_E_INVALID);
		assert_int_equal(amendment_key_parse("n 1/4", signer, &seq), LNOB_E_INVALID);
	}
	t_teardown(&w);
}

/* Accepts or rejects amendment (signer, seq) in its own transaction, as
 * the CLI does. */
static int t_decide(t_world_t *w, bool accept, const char *signer, uint64_t seq)
{
	MDB_txn *txn;
	int r;

	assert_int_equal(store_begin(w->st, true, &txn), 0);
	r = accept ? amendment_accept(w->st, w->hier, txn, signer, seq, "chief", NULL, 2000, NULL)
		   : amendment_reject(w->st, txn, signer, seq, "chief", "not signed off", 2000);
	if (r == 0)
		assert_int_equal(store_commit(&txn), 0);
	store_abort(&txn);
	return r;
}

static size_t t_count(t_world_t *w, int db)
{
	MDB_txn *txn;
	size_t n;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(store_count(txn, w->st, (size_t)db, &n), 0);
	store_abort(&txn);
	return n;
}

/* After an approval of D1 every revision for its subtree is stored, acked
 * and held; the rollups and the history do not move, verify agrees;
 * accepting applies it like ingest would have (with its arrival time),
 * rejecting moves nothing; the approval cannot go while some wait. */
static void test_approval_accept(void **state)
{
	const char *C = "lnob-2021-2025", *P = "2023";
	Lnob__LatestRecord *lr;
	t_world_t w, plain;
	ingest_item_t it;
	t_snap_t s, s0;
	MDB_txn *txn;
	size_t len, pending = 0;
	int64_t held_at;

	(void)state;
	t_setup(&w, 8 << 20);
	t_setup(&plain, 8 << 20);   /* the same reports, no approval */
	for (int k = 0; k < 2; k++) {
		t_world_t *x = k ? &plain : &w;

		it = t_one(x, t_report(&x->id, 1, C, P, "V0001", 1, 0, "poor_households", 10, &len), &len);
		assert_int_equal(it.verdict, INGEST_ACK);
		it = t_one(x, t_report(&x->id, 2, C, P, "V0002", 1, 0, "poor_households", 20, &len), &len);
		assert_int_equal(it.verdict, INGEST_ACK);
	}
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(approval_approve(w.st, txn, C, P, "D1", "chief", "ok", 1500), 0);
	assert_int_equal(store_commit(&txn), 0);
	s0 = t_snap(&w);
	assert_int_equal(s0.root_poor, 30);

	/* a correction and a first report, both held */
	it = t_one(&w, t_report(&w.id, 3, C, P, "V0001", 2, 1, "poor_households", 15, &len), &len);
	assert_int_equal(it.verdict, INGEST_ACK);
	assert_true(it.amended);
	assert_false(it.duplicate);
	assert_non_null(strstr(it.note, "held as an amendment"));
	it = t_one(&w, t_report(&w.id, 4, C, P, "V0003", 1, 0, "poor_households", 5, &len), &len);
	assert_true(it.amended);
	/* a copy of the held envelope is a duplicate, not a second amendment */
	it = t_one(&w, t_report(&w.id, 3, C, P, "V0001", 2, 1, "poor_households", 15, &len), &len);
	assert_int_equal(it.verdict, INGEST_ACK);
	assert_true(it.duplicate);
	assert_false(it.amended);
	s = t_snap(&w);
	assert_int_equal(s.envelopes, 4);
	assert_int_equal(s.revisions, 2);
	assert_int_equal(s.latest, 2);
	assert_int_equal(s.root_poor, 30);
	assert_int_equal(s.root_units, 2);
	assert_int_equal(s.diffs, 0);
	assert_int_equal(s.counters[AGG_C_AMENDED], 2);
	assert_int_equal(s.counters[AGG_C_STORED], 4);
	assert_int_equal(t_count(&w, AGG_DB_AMENDMENTS), 2);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(approval_revoke(w.st, txn, C, P, "D1", &pending), LNOB_E_EXISTS);
	assert_int_equal(pending, 2);
	store_abort(&txn);

	/* accept the correction: as if it had been ingested */
	assert_int_equal(t_decide(&w, true, "n1", 3), 0);
	it = t_one(&plain, t_report(&plain.id, 3, C, P, "V0001", 2, 1, "poor_households", 15, &len), &len);
	assert_false(it.amended);
	s = t_snap(&w);
	assert_int_equal(s.root_poor, 35);
	assert_int_equal(s.root_units, 2);
	assert_int_equal(s.revisions, 3);
	assert_int_equal(s.diffs, 0);
	s0 = t_snap(&plain);
	assert_int_equal(s.root_poor, s0.root_poor);
	assert_int_equal(s.root_units, s0.root_units);
	assert_int_equal(s.revisions, s0.revisions);
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(agg_latest_get(w.st, txn, C, P, "V0001", &lr), 0);
	assert_int_equal(lr->revision, 2);
	assert_int_equal(lr->seq, 3);
	assert_int_equal(lr->revisions, 2);
	held_at = lr->received_at;
	lnob__latest_record__free_unpacked(lr, NULL);
	store_abort(&txn);
	assert_true(held_at > 0 && held_at != 2000);   /* its arrival, not the decision */
	assert_int_equal(t_decide(&w, true, "n1", 3), LNOB_E_NOTFOUND);

	/* reject the first report of V0003: nothing moves */
	assert_int_equal(t_decide(&w, false, "n1", 4), 0);
	s = t_snap(&w);
	assert_int_equal(s.root_poor, 35);
	assert_int_equal(s.root_units, 2);
	assert_int_equal(s.diffs, 0);
	assert_int_equal(t_count(&w, AGG_DB_AMENDMENTS), 0);
	assert_int_equal(t_count(&w, AGG_DB_AMENDMENT_LOG), 2);
	assert_int_equal(t_decide(&w, false, "n1", 4), LNOB_E_NOTFOUND);

	/* outside the approved subtree: P itself reports, applied at once */
	{
		identity_t pn;

		assert_int_equal(identity_generate("pn", &pn), 0);
		t_enroll(&w, &pn, "P");
		it = t_one(&w, t_report(&pn, 1, C, P, "P", 1, 0, "poor_households", 100, &len), &len);
		assert_false(it.amended);
		identity_wipe(&pn);
	}
	s = t_snap(&w);
	assert_int_equal(s.root_poor, 135);
	assert_int_equal(s.diffs, 0);

	/* verify accounts for the queue: a held revision whose approval
	 * vanished is a difference */
	it = t_one(&w, t_report(&w.id, 5, C, P, "V0002", 2, 1, "poor_households", 1, &len), &len);
	assert_true(it.amended);
	assert_int_equal(t_snap(&w).diffs, 0);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	{
		uint8_t key[AGG_KEY_MAX];
		size_t klen = agg_key_unit(key, C, P, "D1");

		assert_int_equal(store_del(txn, store_dbi(w.st, AGG_DB_APPROVALS), key, klen), 0);
	}
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(t_snap(&w).diffs, 1);
	t_teardown(&plain);
	t_teardown(&w);
}

/* The queue's view: values, the difference against the current figures,
 * and whether accepting makes it current (THE RULES): a stale revision
 * would not, so it changes no rollup. */
static void test_amendments_view(void **state)
{
	const char *C = "lnob-2021-2025", *P = "2023";
	t_world_t w;
	ingest_item_t it;
	MDB_txn *txn;
	json_t *view, *list, *a;
	size_t len;

	(void)state;
	t_setup(&w, 8 << 20);
	it = t_one(&w, t_report(&w.id, 1, C, P, "V0001", 1, 0, "poor_households", 10, &len), &len);
	it = t_one(&w, t_report(&w.id, 2, C, P, "V0001", 2, 1, "poor_households", 12, &len), &len);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(approval_approve(w.st, txn, C, P, "C1", "chief", NULL, 1500), 0);
	assert_int_equal(store_commit(&txn), 0);
	it = t_one(&w, t_report(&w.id, 3, C, P, "V0001", 1, 0, "poor_households", 99, &len), &len);
	assert_true(it.amended);   /* stale: rev 1 again, other content */
	it = t_one(&w, t_report(&w.id, 4, C, P, "V0001", 3, 2, "poor_households", 8, &len), &len);
	assert_true(it.amended);
	it = t_one(&w, t_report(&w.id, 5, C, P, "V0002", 1, 0, "poor_households", 4, &len), &len);
	assert_true(it.amended);   /* a first report */
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(amendments_view(w.st, txn, w.hier, C, P, hier_find(w.hier, "V0001"), false,
					 &view), 0);
	list = json_object_get(view, "amendments");
	assert_int_equal(json_array_size(list), 2);
	a = json_array_get(list, 0);   /* key order: signer, seq */
	assert_string_equal(json_string_value(json_object_get(a, "key")), "n1/3");
	assert_string_equal(json_string_value(json_object_get(a, "approved_unit")), "C1");
	assert_false(json_is_true(json_object_get(a, "becomes_current")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "difference"),
							     "poor_households")), 87);
	assert_int_equal(json_object_size(json_object_get(json_object_get(a, "rollup_change"), "sums")), 0);
	a = json_array_get(list, 1);
	assert_string_equal(json_string_value(json_object_get(a, "key")), "n1/4");
	assert_true(json_is_true(json_object_get(a, "becomes_current")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(a,
			 "rollup_change"), "sums"), "poor_households")), -4);
	json_decref(view);
	assert_int_equal(amendments_view(w.st, txn, w.hier, NULL, NULL, -1, false, &view), 0);
	list = json_object_get(view, "amendments");
	assert_int_equal(json_array_size(list), 3);
	a = json_array_get(list, 2);
	assert_true(json_is_null(json_object_get(a, "current")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "rollup_change"),
							     "units_reported")), 1);
	json_decref(view);
	assert_int_equal(approvals_view(w.st, txn, &view), 0);
	a = json_array_get(json_object_get(view, "approvals"), 0);
	assert_int_equal(json_integer_value(json_object_get(a, "pending_amendments")), 3);
	json_decref(view);
	store_abort(&txn);
	assert_int_equal(t_snap(&w).diffs, 0);
	t_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_commits),
		cmocka_unit_test(test_lazy_counters),
		cmocka_unit_test(test_preverify),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_map_full_batch_stores_nothing),
		cmocka_unit_test(test_history_rules),
		cmocka_unit_test(test_revisions_and_conflicts),
		cmocka_unit_test(test_campaign_nacks),
		cmocka_unit_test(test_wrong_level),
		cmocka_unit_test(test_approval_coverage),
		cmocka_unit_test(test_approval_cli_checks),
		cmocka_unit_test(test_approval_accept),
		cmocka_unit_test(test_amendments_view),
#ifdef LNOB_FAULT_INJECTION
		cmocka_unit_test(test_crash_points),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
