/* test_outbox.c: the collector's durable outbox: seq assignment across
 * reopen, all-or-nothing enqueue (invalid report, map full), ack, park,
 * scan, state and read-only opening. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "identity.h"
#include "lnob_err.h"
#include "outbox.h"
#include "store.h"
#include "util.h"

/* One report the tests queue; strings point at static storage. */
typedef struct t_report {
	Lnob__Report r;
	Lnob__IndicatorValue v[2];
	Lnob__IndicatorValue *vp[2];
} t_report_t;

static void t_report_init(t_report_t *t, const char *unit, int64_t count)
{
	lnob__report__init(&t->r);
	lnob__indicator_value__init(&t->v[0]);
	lnob__indicator_value__init(&t->v[1]);
	t->r.campaign = (char *)"lnob-2021-2025";
	t->r.period = (char *)"2023";
	t->r.unit = (char *)unit;
	t->r.revision = 1;
	t->r.completed_at = 1701140400;
	t->v[0].code = (char *)"poor_households";
	t->v[0].value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	t->v[0].count = count;
	t->v[1].code = (char *)"fund_vnd";
	t->v[1].value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
	t->v[1].amount_vnd = 1000000;
	t->vp[0] = &t->v[0];
	t->vp[1] = &t->v[1];
	t->r.values = t->vp;
	t->r.n_values = 2;
}

/* Fixture: a fresh directory and identity. */
typedef struct t_fix {
	char dir[4096];
	identity_t id;
} t_fix_t;

static int t_setup(void **state)
{
	t_fix_t *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "%s", tu_tmpdir());
	assert_int_equal(identity_generate("c-001", &f->id), 0);
	*state = f;
	return 0;
}

static int t_teardown(void **state)
{
	t_fix_t *f = *state;

	tu_rmtree(f->dir);
	identity_wipe(&f->id);
	free(f);
	return 0;
}

static outbox_t *t_open(const t_fix_t *f, size_t map, unsigned flags)
{
	outbox_t *ob = NULL;
	char err[512] = "";
	int r = outbox_open(f->dir, map, flags, &ob, err, sizeof(err));

	if (r != 0)
		fail_msg("outbox_open: %s (%s)", err, lnob_strerror(r));
	return ob;
}

/* Queues n valid reports (units U1.., counts from base) at now_ms. */
static int t_enqueue(outbox_t *ob, const t_fix_t *f, size_t n, int64_t base, int64_t now_ms,
		     uint64_t *ret_first)
{
	t_report_t *t = calloc(n, sizeof(*t));
	const Lnob__Report **rp = calloc(n, sizeof(*rp));
	char units[n][24];
	int r;

	assert_non_null(t);
	assert_non_null(rp);
	for (size_t i = 0; i < n; i++) {
		snprintf(units[i], sizeof(units[i]), "U%zu", i + 1);
		t_report_init(&t[i], units[i], base + (int64_t)i);
		rp[i] = &t[i].r;
	}
	r = outbox_enqueue_reports(ob, &f->id, rp, n, now_ms, ret_first, NULL, 0);
	free(rp);
	free(t);
	return r;
}

/* Collects the seqs a scan visits (and checks every envelope). */
typedef struct t_seen {
	const identity_t *id;
	uint64_t seqs[2048];
	size_t n;
	size_t stop_after;   /* 0: never stop */
} t_seen_t;

static int t_collect(void *ctx, uint64_t seq, const uint8_t *env, size_t len)
{
	t_seen_t *s = ctx;
	Lnob__Envelope *e = NULL;
	Lnob__Report *rep;

	assert_non_null(env);
	assert_int_equal(envelope_open(env, len, OUTBOX_BODY_MAX, &e), 0);
	assert_int_equal(envelope_verify(e, s->id->pub.sign_pk), 0);
	assert_string_equal(e->signer, "c-001");
	assert_int_equal(e->seq, seq);
	assert_int_equal(e->kind, LNOB__KIND__KIND_REPORT);
	rep = lnob__report__unpack(NULL, e->body.len, e->body.data);
	assert_non_null(rep);
	assert_string_equal(rep->campaign, "lnob-2021-2025");
	assert_int_equal(rep->n_values, 2);
	lnob__report__free_unpacked(rep, NULL);
	lnob__envelope__free_unpacked(e, NULL);
	assert_true(s->n < sizeof(s->seqs) / sizeof(s->seqs[0]));
	s->seqs[s->n++] = seq;
	return s->stop_after && s->n >= s->stop_after;
}

static void test_seq_increases_across_reopen(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0);
	outbox_stats_t st;
	uint64_t first = 0;

	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.next_seq, 1);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.oldest_queued_at_ms, 0);
	assert_int_equal(t_enqueue(ob, f, 3, 10, 1000, &first), 0);
	assert_int_equal(first, 1);
	outbox_destroy(&ob);
	assert_null(ob);
	outbox_destroy(&ob);   /* NULL is fine */

	ob = t_open(f, 1 << 24, 0);
	assert_int_equal(t_enqueue(ob, f, 2, 10, 2000, &first), 0);
	assert_int_equal(first, 4);
	/* Even with everything acked, a seq is never handed out again. */
	assert_int_equal(outbox_ack(ob, (uint64_t[]){ 1, 2, 3, 4, 5 }, 5, NULL, NULL), 0);
	outbox_destroy(&ob);
	ob = t_open(f, 1 << 24, 0);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.next_seq, 6);
	assert_int_equal(t_enqueue(ob, f, 1, 10, 3000, &first), 0);
	assert_int_equal(first, 6);
	outbox_destroy(&ob);
}

static void test_enqueue_many_in_one_txn(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 26, 0);
	outbox_stats_t st;
	t_seen_t *seen = calloc(1, sizeof(*seen));
	uint64_t first = 0;
	size_t visited = 0;
	bool more = true;

	assert_non_null(seen);
	seen->id = &f->id;
	assert_int_equal(t_enqueue(ob, f, 1000, 0, 5000, &first), 0);
	assert_int_equal(first, 1);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.queued, 1000);
	assert_int_equal(st.next_seq, 1001);
	assert_int_equal(st.oldest_queued_at_ms, 5000);
	assert_int_equal(outbox_scan(ob, 0, 5000, t_collect, seen, &visited, &more), 0);
	assert_int_equal(visited, 1000);
	assert_false(more);
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(seen->seqs[i], i + 1);
	free(seen);
	outbox_destroy(&ob);
}

static void test_enqueue_empty_refused(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0);

	assert_int_equal(outbox_enqueue_reports(ob, &f->id, NULL, 0, 1, NULL, NULL, 0), -EINVAL);
	outbox_destroy(&ob);
}

static void test_failed_enqueue_keeps_next_seq(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0);
	outbox_stats_t st;
	t_report_t good, bad;
	const Lnob__Report *rp[2] = { &good.r, &bad.r };
	uint64_t first = 77;
	char detail[256] = "";

	assert_int_equal(t_enqueue(ob, f, 2, 0, 1000, &first), 0);
	t_report_init(&good, "C11", 5);
	t_report_init(&bad, "bad unit", 5);
	first = 77;
	assert_int_equal(outbox_enqueue_reports(ob, &f->id, rp, 2, 2000, &first, detail,
						sizeof(detail)), LNOB_E_INVALID);
	assert_int_equal(first, 77);   /* not written on failure */
	assert_non_null(strstr(detail, "report 1: unit"));
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.next_seq, 3);
	assert_int_equal(st.queued, 2);
	/* A negative count is refused the same way. */
	t_report_init(&bad, "C12", -1);
	assert_int_equal(outbox_enqueue_reports(ob, &f->id, rp, 2, 2000, &first, NULL, 0),
			 LNOB_E_INVALID);
	/* Bodies over the limit too. */
	{
		static uint8_t big[OUTBOX_BODY_MAX + 1];
		const uint8_t *bodies[1] = { big };
		size_t lens[1] = { sizeof(big) };

		assert_int_equal(outbox_enqueue(ob, &f->id, LNOB__KIND__KIND_REPORT, bodies, lens, 1,
						 1, &first), LNOB_E_TOOBIG);
	}
	assert_int_equal(outbox_enqueue_reports(ob, &f->id, rp, 1, 3000, &first, NULL, 0), 0);
	assert_int_equal(first, 3);
	outbox_destroy(&ob);
}

static void test_map_full_keeps_next_seq(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 20, 0);   /* 1 MiB: room for little */
	outbox_stats_t st;
	static uint8_t body[60000];
	const uint8_t *bodies[40];
	size_t lens[40];
	uint64_t first = 0;
	int r;

	for (size_t i = 0; i < 40; i++) {
		bodies[i] = body;
		lens[i] = sizeof(body);
	}
	memset(body, 'x', sizeof(body));
	assert_int_equal(t_enqueue(ob, f, 1, 0, 1000, &first), 0);
	r = outbox_enqueue(ob, &f->id, LNOB__KIND__KIND_REPORT, bodies, lens, 40, 2000, &first);
	assert_int_equal(r, MDB_MAP_FULL);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.next_seq, 2);
	assert_int_equal(st.queued, 1);
	/* The outbox still works, and the failed batch took no seq. */
	assert_int_equal(t_enqueue(ob, f, 1, 0, 3000, &first), 0);
	assert_int_equal(first, 2);
	outbox_destroy(&ob);
}

static void test_ack_deletes_only_named(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0);
	outbox_stats_t st;
	outbox_state_t ds = { .last_contact_ms = 1700000000123, .in_flight = 2 };
	t_seen_t seen = { .id = &f->id };
	size_t deleted = 99;

	assert_int_equal(t_enqueue(ob, f, 3, 0, 1000, NULL), 0);
	assert_int_equal(t_enqueue(ob, f, 2, 0, 2000, NULL), 0);
	assert_int_equal(outbox_ack(ob, (uint64_t[]){ 2, 4, 99, 2 }, 4, &ds, &deleted), 0);
	assert_int_equal(deleted, 2);
	assert_int_equal(outbox_scan(ob, 0, 100, t_collect, &seen, NULL, NULL), 0);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.seqs[0], 1);
	assert_int_equal(seen.seqs[1], 3);
	assert_int_equal(seen.seqs[2], 5);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.queued, 3);
	assert_int_equal(st.state.last_contact_ms, 1700000000123);
	assert_int_equal(st.state.in_flight, 2);
	assert_int_equal(st.oldest_queued_at_ms, 1000);
	/* Acking the oldest moves oldest_queued_at on. */
	assert_int_equal(outbox_ack(ob, (uint64_t[]){ 1, 3 }, 2, NULL, &deleted), 0);
	assert_int_equal(deleted, 2);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.oldest_queued_at_ms, 2000);
	assert_int_equal(st.queued, 1);
	assert_int_equal(st.state.in_flight, 1);   /* never shown above queued */
	/* Nothing named: nothing deleted. */
	assert_int_equal(outbox_ack(ob, NULL, 0, NULL, &deleted), 0);
	assert_int_equal(deleted, 0);
	outbox_destroy(&ob);
}

/* Checks the one parked item. */
typedef struct t_parked {
	int calls;
	uint64_t seq;
	int reason;
	char detail[128];
	int64_t queued_at, parked_at;
	uint8_t env[4096];
	size_t env_len;
} t_parked_t;

static int t_parked_cb(void *ctx, uint64_t seq, const Lnob__ParkedItem *p)
{
	t_parked_t *t = ctx;

	t->calls++;
	t->seq = seq;
	t->reason = p->reason;
	snprintf(t->detail, sizeof(t->detail), "%s", p->detail);
	t->queued_at = p->queued_at_ms;
	t->parked_at = p->parked_at_ms;
	assert_true(p->envelope.len <= sizeof(t->env));
	memcpy(t->env, p->envelope.data, p->envelope.len);
	t->env_len = p->envelope.len;
	return 0;
}

static void test_park_keeps_reason(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0);
	outbox_stats_t st;
	t_parked_t p = { 0 };
	uint8_t *env = NULL;
	size_t len = 0;

	assert_int_equal(t_enqueue(ob, f, 3, 0, 1000, NULL), 0);
	assert_int_equal(outbox_get(ob, 2, &env, &len), 0);
	assert_int_equal(outbox_park(ob, 2, LNOB__NACK_REASON__NACK_OUT_OF_SCOPE,
				     "unit C21 is outside D1", 5555), 0);
	assert_int_equal(outbox_park(ob, 2, LNOB__NACK_REASON__NACK_OUT_OF_SCOPE, "again", 1),
			 LNOB_E_NOTFOUND);
	assert_int_equal(outbox_park(ob, 99, LNOB__NACK_REASON__NACK_INVALID, NULL, 1),
			 LNOB_E_NOTFOUND);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.queued, 2);
	assert_int_equal(st.parked, 1);
	assert_int_equal(outbox_parked_foreach(ob, t_parked_cb, &p), 0);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.seq, 2);
	assert_int_equal(p.reason, LNOB__NACK_REASON__NACK_OUT_OF_SCOPE);
	assert_string_equal(p.detail, "unit C21 is outside D1");
	assert_int_equal(p.queued_at, 1000);
	assert_int_equal(p.parked_at, 5555);
	assert_int_equal(p.env_len, len);
	assert_memory_equal(p.env, env, len);
	free(env);
	assert_int_equal(outbox_get(ob, 2, &env, &len), LNOB_E_NOTFOUND);
	/* Parked survives a reopen; acking a parked seq changes nothing. */
	outbox_destroy(&ob);
	ob = t_open(f, 1 << 24, 0);
	assert_int_equal(outbox_ack(ob, (uint64_t[]){ 2 }, 1, NULL, NULL), 0);
	memset(&p, 0, sizeof(p));
	assert_int_equal(outbox_parked_foreach(ob, t_parked_cb, &p), 0);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.reason, LNOB__NACK_REASON__NACK_OUT_OF_SCOPE);
	outbox_destroy(&ob);
}

static void test_scan_bounds(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0);
	t_seen_t seen = { .id = &f->id };
	size_t visited = 0;
	bool more = false;
	uint8_t *env = NULL;
	size_t len = 0;

	assert_int_equal(t_enqueue(ob, f, 5, 0, 1000, NULL), 0);
	assert_int_equal(outbox_scan(ob, 0, 2, t_collect, &seen, &visited, &more), 0);
	assert_int_equal(visited, 2);
	assert_true(more);
	seen.n = 0;
	assert_int_equal(outbox_scan(ob, 3, 10, t_collect, &seen, &visited, &more), 0);
	assert_int_equal(visited, 2);
	assert_false(more);
	assert_int_equal(seen.seqs[0], 4);
	assert_int_equal(seen.seqs[1], 5);
	seen.n = 0;
	seen.stop_after = 1;
	assert_int_equal(outbox_scan(ob, 1, 10, t_collect, &seen, &visited, &more), 0);
	assert_int_equal(visited, 1);
	assert_true(more);
	assert_int_equal(seen.seqs[0], 2);
	assert_int_equal(outbox_scan(ob, 5, 10, t_collect, &seen, &visited, &more), 0);
	assert_int_equal(visited, 0);
	assert_false(more);
	assert_int_equal(outbox_scan(ob, UINT64_MAX, 10, t_collect, &seen, &visited, &more), 0);
	assert_int_equal(visited, 0);
	/* outbox_get hands out the very bytes a scan sees. */
	assert_int_equal(outbox_get(ob, 4, &env, &len), 0);
	seen.n = 0;
	seen.stop_after = 0;
	assert_int_equal(t_collect(&seen, 4, env, len), 0);
	free(env);
	outbox_destroy(&ob);
}

static void test_state_and_reader(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0), *ro;
	outbox_stats_t st;
	outbox_state_t ds = { .last_contact_ms = 42, .in_flight = 1 };
	uint64_t first;

	assert_int_equal(t_enqueue(ob, f, 2, 0, 1000, NULL), 0);
	assert_int_equal(outbox_put_state(ob, &ds), 0);
	/* A reader beside the writer (status beside run). */
	ro = t_open(f, 0, OUTBOX_RDONLY);
	assert_int_equal(outbox_stats(ro, &st), 0);
	assert_int_equal(st.queued, 2);
	assert_int_equal(st.state.last_contact_ms, 42);
	assert_int_equal(st.state.in_flight, 1);
	assert_int_equal(t_enqueue(ro, f, 1, 0, 1000, &first), -EROFS);
	assert_int_equal(outbox_ack(ro, (uint64_t[]){ 1 }, 1, NULL, NULL), -EROFS);
	assert_int_equal(outbox_park(ro, 1, 1, "x", 1), -EROFS);
	assert_int_equal(outbox_put_state(ro, &ds), -EROFS);
	/* The writer goes on; the reader sees it in its next transaction. */
	assert_int_equal(t_enqueue(ob, f, 1, 0, 1000, &first), 0);
	assert_int_equal(first, 3);
	assert_int_equal(outbox_stats(ro, &st), 0);
	assert_int_equal(st.queued, 3);
	assert_int_equal(st.next_seq, 4);
	outbox_destroy(&ro);
	outbox_destroy(&ob);
}

static void test_open_errors(void **state)
{
	t_fix_t *f = *state;
	static const char *const dbs[] = { "x" };
	outbox_t *ob = NULL;
	store_t *st = NULL;
	char err[512] = "", dir[4200];

	/* Nothing there yet: a reader refuses, naming the directory. */
	snprintf(dir, sizeof(dir), "%s/none", f->dir);
	assert_int_equal(outbox_open(dir, 0, OUTBOX_RDONLY, &ob, err, sizeof(err)), -ENOENT);
	assert_null(ob);
	assert_non_null(strstr(err, dir));
	/* Another program's store. */
	snprintf(dir, sizeof(dir), "%s/other", f->dir);
	assert_int_equal(store_open(dir, "something-else", 1, dbs, 1, 1 << 20, 0, &st, err,
				    sizeof(err)), 0);
	store_destroy(&st);
	assert_int_equal(outbox_open(dir, 1 << 20, 0, &ob, err, sizeof(err)), LNOB_E_SCHEMA);
	assert_null(ob);
	assert_non_null(strstr(err, "something-else"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seq_increases_across_reopen, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_enqueue_many_in_one_txn, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_enqueue_empty_refused, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_failed_enqueue_keeps_next_seq, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_map_full_keeps_next_seq, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_ack_deletes_only_named, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_park_keeps_reason, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_scan_bounds, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_state_and_reader, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
