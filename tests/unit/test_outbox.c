/* test_outbox.c: the collector's durable outbox: seq assignment across
 * reopen, all-or-nothing enqueue (invalid report, map full), ack, park,
 * scan, state and read-only opening; relay custody (put, dedupe, conflict,
 * scan order, ack, park), requeue, and downstream nodes. */
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
	assert_int_equal(r, LNOB_E_FULL);
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

/* outbox_receipt_foreach(): the receipt of seq 2 (t_receipt_cb). */
typedef struct t_receipt {
	int found;
	char campaign[32], period[32], unit[32];
	int kind;
	int state;
} t_receipt_t;

static int t_receipt_cb(void *ctx, uint64_t seq, const Lnob__ReceiptRecord *rec)
{
	t_receipt_t *t = ctx;

	if (seq != 2)
		return 0;
	t->found++;
	snprintf(t->campaign, sizeof(t->campaign), "%s", rec->campaign);
	snprintf(t->period, sizeof(t->period), "%s", rec->period);
	snprintf(t->unit, sizeof(t->unit), "%s", rec->unit);
	t->kind = rec->kind;
	t->state = rec->state;
	return 0;
}

/* An ack keeps a receipt naming what was sent (campaign, period, unit,
 * kind), taken from what the item said when it was queued. */
static void test_ack_keeps_receipt(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0);
	t_receipt_t rc = { 0 };
	size_t deleted = 0;

	assert_int_equal(t_enqueue(ob, f, 3, 0, 1000, NULL), 0);
	assert_int_equal(outbox_ack(ob, (uint64_t[]){ 2 }, 1, NULL, &deleted), 0);
	assert_int_equal(deleted, 1);
	assert_int_equal(outbox_receipt_foreach(ob, t_receipt_cb, &rc), 0);
	assert_int_equal(rc.found, 1);
	assert_string_equal(rc.campaign, "lnob-2021-2025");
	assert_string_equal(rc.period, "2023");
	assert_string_equal(rc.unit, "U2");
	assert_int_equal(rc.kind, LNOB__KIND__KIND_REPORT);
	assert_int_equal(rc.state, LNOB__RECEIPT_STATE__RECEIPT_STORED);
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

/* The upstream's limits: nothing known means this node's own 65536; once
 * recorded (persisted, visible to another process) enqueue refuses what is
 * over them, all or nothing; outbox_fits() judges stored envelopes by body
 * and frame size and names both numbers. */
static void test_limits(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0), *ro;
	outbox_limits_t lim, got;
	outbox_stats_t st;
	static uint8_t body[3000];
	const uint8_t *bodies[2] = { body, body };
	size_t lens[2] = { 100, 2000 };
	uint8_t *env;
	size_t len;
	uint64_t first = 0;
	char detail[256], want[256];

	/* Nothing known yet. */
	assert_int_equal(outbox_get_limits(ob, &got), 0);
	assert_int_equal(got.max_body, 0);
	assert_int_equal(got.max_frame, 0);
	assert_int_equal(got.learned_at_ms, 0);
	assert_int_equal(outbox_max_body(&got), OUTBOX_BODY_MAX);
	assert_int_equal(outbox_max_body(NULL), OUTBOX_BODY_MAX);
	assert_int_equal(outbox_enqueue(ob, &f->id, LNOB__KIND__KIND_REPORT, bodies, lens, 2, 1,
					&first), 0);
	assert_int_equal(first, 1);

	/* Learned: 1024 bytes of body, 2048 of frame. */
	lim = (outbox_limits_t){ .max_body = 1024, .max_frame = 2048, .learned_at_ms = 777 };
	assert_int_equal(outbox_put_limits(ob, &lim), 0);
	ro = t_open(f, 0, OUTBOX_RDONLY);
	assert_int_equal(outbox_get_limits(ro, &got), 0);
	assert_int_equal(got.max_body, 1024);
	assert_int_equal(got.max_frame, 2048);
	assert_int_equal(got.learned_at_ms, 777);
	assert_int_equal(outbox_stats(ro, &st), 0);
	assert_int_equal(st.limits.max_body, 1024);
	assert_int_equal(st.limits.learned_at_ms, 777);
	assert_int_equal(outbox_put_limits(ro, &lim), -EROFS);
	outbox_destroy(&ro);
	assert_int_equal(outbox_max_body(&got), 1024);
	/* The 2000-byte body is refused now; so is the whole call. */
	first = 0;
	assert_int_equal(outbox_enqueue(ob, &f->id, LNOB__KIND__KIND_REPORT, bodies, lens, 2, 1,
					&first), LNOB_E_TOOBIG);
	assert_int_equal(first, 0);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.next_seq, 3);
	assert_int_equal(st.queued_own, 2);
	lens[1] = 1024;
	assert_int_equal(outbox_enqueue(ob, &f->id, LNOB__KIND__KIND_REPORT, bodies, lens, 2, 1,
					&first), 0);
	assert_int_equal(first, 3);

	/* The stored envelopes, judged: seq 1 (100 bytes) fits, seq 2 (2000)
	 * does not, by its body. */
	assert_int_equal(outbox_get(ob, 1, &env, &len), 0);
	assert_int_equal(outbox_fits(&got, env, len, detail, sizeof(detail)), 0);
	free(env);
	assert_int_equal(outbox_get(ob, 2, &env, &len), 0);
	assert_true(len > 2000);
	assert_int_equal(outbox_fits(&got, env, len, detail, sizeof(detail)), LNOB_E_TOOBIG);
	assert_string_equal(detail, "envelope body of 2000 bytes is over the upstream's max_body "
			    "of 1024 bytes");
	assert_int_equal(outbox_fits(NULL, env, len, NULL, 0), 0);
	/* By its frame: a frame limit below the frame's size. */
	lim = (outbox_limits_t){ .max_body = 0, .max_frame = 1500 };
	assert_int_equal(outbox_fits(&lim, env, len, detail, sizeof(detail)), LNOB_E_TOOBIG);
	snprintf(want, sizeof(want), "frame of %zu bytes is over the upstream's max_frame of 1500 "
		 "bytes", 1 + 2 + len);   /* tag, 2-byte length, the envelope */
	assert_string_equal(detail, want);
	/* A limit said above this node's own is this node's own. */
	lim = (outbox_limits_t){ .max_body = 1u << 20 };
	assert_int_equal(outbox_max_body(&lim), OUTBOX_BODY_MAX);
	lim.max_body = 1000;
	assert_int_equal(outbox_fits(&lim, env, len, detail, sizeof(detail)), LNOB_E_TOOBIG);
	free(env);
	/* Bytes that do not decode, longer than the limit. */
	memset(body, 0xff, sizeof(body));
	assert_int_equal(outbox_fits(&lim, body, sizeof(body), detail, sizeof(detail)),
			 LNOB_E_DECODE);
	/* Reports: the detail names the report, its size and the limit. */
	{
		t_report_t t;
		const Lnob__Report *rp[1] = { &t.r };
		char narrative[1200];

		t_report_init(&t, "C11", 1);
		memset(narrative, 'x', sizeof(narrative) - 1);
		narrative[sizeof(narrative) - 1] = '\0';
		t.r.narrative = narrative;
		lim = (outbox_limits_t){ .max_body = 1024 };
		assert_int_equal(outbox_put_limits(ob, &lim), 0);
		assert_int_equal(outbox_enqueue_reports(ob, &f->id, rp, 1, 1, &first, detail,
							sizeof(detail)), LNOB_E_TOOBIG);
		snprintf(want, sizeof(want), "report 0: %zu bytes, over the 1024-byte limit",
			 lnob__report__get_packed_size(&t.r));
		assert_string_equal(detail, want);
	}
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

/* ---- relay ------------------------------------------------------------- */

/* A relayed envelope: signed by a downstream identity. Caller frees. */
static uint8_t *t_relayed(const identity_t *id, uint64_t seq, const char *body, size_t *len)
{
	uint8_t *env = NULL;

	assert_int_equal(envelope_seal(id, seq, LNOB__KIND__KIND_REPORT, (const uint8_t *)body,
				       strlen(body), &env, len), 0);
	return env;
}

/* Collects what a relay scan visits. */
typedef struct t_rseen {
	char signer[8][LNOB_ID_MAX + 1];
	uint64_t seq[8];
	uint8_t env[8][512];
	size_t len[8];
	size_t n;
} t_rseen_t;

static int t_rcollect(void *ctx, const char *signer, uint64_t seq, const uint8_t *env, size_t len)
{
	t_rseen_t *s = ctx;

	assert_true(s->n < 8);
	assert_non_null(env);
	assert_true(len <= sizeof(s->env[0]));
	snprintf(s->signer[s->n], sizeof(s->signer[0]), "%s", signer);
	s->seq[s->n] = seq;
	memcpy(s->env[s->n], env, len);
	s->len[s->n] = len;
	s->n++;
	return 0;
}

static void test_relay_custody(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0);
	identity_t a, b;
	uint8_t *e1, *e2, *e3, *e1x, *got = NULL;
	size_t l1, l2, l3, l1x, glen = 0, stored = 99;
	outbox_stats_t st;
	t_rseen_t seen;
	bool more = true;

	assert_int_equal(identity_generate("c11", &a), 0);
	assert_int_equal(identity_generate("c1", &b), 0);
	e1 = t_relayed(&a, 1, "one", &l1);
	e2 = t_relayed(&a, 2, "two", &l2);
	e3 = t_relayed(&b, 7, "three", &l3);
	e1x = t_relayed(&a, 1, "other", &l1x);
	assert_int_equal(t_enqueue(ob, f, 1, 0, 900, NULL), 0);
	{
		outbox_relay_in_t in[3] = {
			{ .signer = "c11", .seq = 2, .env = e2, .len = l2 },
			{ .signer = "c1", .seq = 7, .env = e3, .len = l3 },
			{ .signer = "c11", .seq = 1, .env = e1, .len = l1 },
		};

		assert_int_equal(outbox_relay_put(ob, in, 3, 5000, &stored), 0);
		assert_int_equal(stored, 3);
		for (int i = 0; i < 3; i++)
			assert_int_equal(in[i].result, OUTBOX_CUSTODY_STORED);
	}
	/* The same again: duplicates, acked again, nothing stored; other
	 * bytes under a (signer, seq) in custody: a conflict, first copy kept;
	 * and the same key twice in one batch. */
	{
		outbox_relay_in_t in[3] = {
			{ .signer = "c11", .seq = 1, .env = e1, .len = l1 },
			{ .signer = "c11", .seq = 1, .env = e1x, .len = l1x },
			{ .signer = "c1", .seq = 7, .env = e3, .len = l3 },
		};

		assert_int_equal(outbox_relay_put(ob, in, 3, 6000, &stored), 0);
		assert_int_equal(stored, 0);
		assert_int_equal(in[0].result, OUTBOX_CUSTODY_DUPLICATE);
		assert_int_equal(in[1].result, OUTBOX_CUSTODY_CONFLICT);
		assert_int_equal(in[2].result, OUTBOX_CUSTODY_DUPLICATE);
	}
	{
		outbox_relay_in_t in[2] = {
			{ .signer = "c12", .seq = 1, .env = e1, .len = l1 },
			{ .signer = "c12", .seq = 1, .env = e1, .len = l1 },
		};

		assert_int_equal(outbox_relay_put(ob, in, 2, 6500, &stored), 0);
		assert_int_equal(stored, 1);
		assert_int_equal(in[0].result, OUTBOX_CUSTODY_STORED);
		assert_int_equal(in[1].result, OUTBOX_CUSTODY_DUPLICATE);
	}
	/* Bad input is refused before anything happens. */
	{
		outbox_relay_in_t in[1] = { { .signer = "bad id", .seq = 1, .env = e1, .len = l1 } };

		assert_int_equal(outbox_relay_put(ob, in, 1, 1, NULL), -EINVAL);
		in[0].signer = "c11";
		in[0].seq = 0;
		assert_int_equal(outbox_relay_put(ob, in, 1, 1, NULL), -EINVAL);
	}
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.queued_own, 1);
	assert_int_equal(st.queued_relayed, 4);
	assert_int_equal(st.queued, 5);
	assert_int_equal(st.parked, 0);
	assert_int_equal(st.oldest_queued_at_ms, 900);
	assert_int_equal(st.next_seq, 2);   /* relayed items take no own seq */
	/* (signer, seq) order: "c1" < "c11" < "c12", seqs ascending. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(outbox_relay_scan(ob, NULL, 0, 10, t_rcollect, &seen, NULL, &more), 0);
	assert_false(more);
	assert_int_equal(seen.n, 4);
	assert_string_equal(seen.signer[0], "c1");
	assert_int_equal(seen.seq[0], 7);
	assert_string_equal(seen.signer[1], "c11");
	assert_int_equal(seen.seq[1], 1);
	assert_string_equal(seen.signer[2], "c11");
	assert_int_equal(seen.seq[2], 2);
	assert_string_equal(seen.signer[3], "c12");
	/* The bytes are the origin's, unchanged (the first copy). */
	assert_int_equal(seen.len[1], l1);
	assert_memory_equal(seen.env[1], e1, l1);
	/* Strictly after a cursor, and bounded. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(outbox_relay_scan(ob, "c11", 1, 1, t_rcollect, &seen, NULL, &more), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.seq[0], 2);
	assert_true(more);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(outbox_relay_scan(ob, "c1", 99, 10, t_rcollect, &seen, NULL, &more), 0);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.signer[0], "c11");
	assert_int_equal(outbox_relay_get(ob, "c1", 7, &got, &glen), 0);
	assert_int_equal(glen, l3);
	assert_memory_equal(got, e3, l3);
	free(got);
	assert_int_equal(outbox_relay_get(ob, "c1", 8, &got, &glen), LNOB_E_NOTFOUND);
	/* Oldest: a relayed item older than every own one counts. */
	{
		outbox_relay_in_t in[1] = { { .signer = "c0", .seq = 3, .env = e1, .len = l1 } };

		assert_int_equal(outbox_relay_put(ob, in, 1, 100, NULL), 0);
		assert_int_equal(outbox_stats(ob, &st), 0);
		assert_int_equal(st.oldest_queued_at_ms, 100);
	}
	free(e1);
	free(e2);
	free(e3);
	free(e1x);
	identity_wipe(&a);
	identity_wipe(&b);
	outbox_destroy(&ob);
}

/* Checks parked items over both kinds. */
typedef struct t_allparked {
	char signer[8][LNOB_ID_MAX + 1];
	uint64_t seq[8];
	int reason[8];
	size_t n;
} t_allparked_t;

static int t_allparked_cb(void *ctx, const char *signer, uint64_t seq, const Lnob__ParkedItem *p)
{
	t_allparked_t *t = ctx;

	assert_true(t->n < 8);
	snprintf(t->signer[t->n], sizeof(t->signer[0]), "%s", signer);
	t->seq[t->n] = seq;
	t->reason[t->n] = p->reason;
	t->n++;
	return 0;
}

static void test_relay_ack_park_requeue(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0);
	identity_t a;
	uint8_t *e1, *e2, *got = NULL, *own2 = NULL;
	size_t l1, l2, glen = 0, own2_len = 0, deleted = 0, moved = 0, stored = 0;
	outbox_relay_in_t in[2];
	outbox_stats_t st;
	outbox_ref_t ack[2], bad;
	t_allparked_t pk;
	uint64_t gen = 99;

	assert_int_equal(identity_generate("c21", &a), 0);
	e1 = t_relayed(&a, 1, "one", &l1);
	e2 = t_relayed(&a, 2, "two", &l2);
	in[0] = (outbox_relay_in_t){ .signer = "c21", .seq = 1, .env = e1, .len = l1 };
	in[1] = (outbox_relay_in_t){ .signer = "c21", .seq = 2, .env = e2, .len = l2 };
	assert_int_equal(outbox_relay_put(ob, in, 2, 2000, NULL), 0);
	assert_int_equal(t_enqueue(ob, f, 3, 0, 1000, NULL), 0);

	/* One transaction deletes own and relayed acks; unknown ones ignored. */
	memset(ack, 0, sizeof(ack));
	snprintf(ack[0].signer, sizeof(ack[0].signer), "c21");
	ack[0].seq = 2;
	snprintf(ack[1].signer, sizeof(ack[1].signer), "c99");
	ack[1].seq = 2;
	assert_int_equal(outbox_ack_all(ob, (uint64_t[]){ 1 }, 1, ack, 2, NULL, &deleted), 0);
	assert_int_equal(deleted, 2);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.queued_own, 2);
	assert_int_equal(st.queued_relayed, 1);

	/* Park one own and one relayed item. */
	assert_int_equal(outbox_get(ob, 2, &own2, &own2_len), 0);
	assert_int_equal(outbox_park(ob, 2, LNOB__NACK_REASON__NACK_OUT_OF_SCOPE, "oos", 3000), 0);
	assert_int_equal(outbox_relay_park(ob, "c21", 1, LNOB__NACK_REASON__NACK_TOO_LARGE, "big",
					   3000), 0);
	assert_int_equal(outbox_relay_park(ob, "c21", 1, 1, "again", 1), LNOB_E_NOTFOUND);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.queued, 1);
	assert_int_equal(st.parked_own, 1);
	assert_int_equal(st.parked_relayed, 1);
	assert_int_equal(st.parked, 2);
	memset(&pk, 0, sizeof(pk));
	assert_int_equal(outbox_parked_foreach_all(ob, t_allparked_cb, &pk), 0);
	assert_int_equal(pk.n, 2);
	assert_string_equal(pk.signer[0], "");
	assert_int_equal(pk.seq[0], 2);
	assert_int_equal(pk.reason[0], LNOB__NACK_REASON__NACK_OUT_OF_SCOPE);
	assert_string_equal(pk.signer[1], "c21");
	assert_int_equal(pk.seq[1], 1);
	assert_int_equal(pk.reason[1], LNOB__NACK_REASON__NACK_TOO_LARGE);
	/* A parked relayed item offered again (its origin requeued it after
	 * the refusal's receipt) goes back to the queue; parked again here. */
	in[0].result = 0;
	assert_int_equal(outbox_relay_put(ob, in, 1, 4000, &stored), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(in[0].result, OUTBOX_CUSTODY_STORED);
	assert_int_equal(outbox_relay_park(ob, "c21", 1, LNOB__NACK_REASON__NACK_TOO_LARGE, "big",
					   3000), 0);

	/* Requeue is all or nothing: seq 3 is queued, not parked. */
	assert_int_equal(outbox_requeue_gen(ob, &gen), 0);
	assert_int_equal(gen, 0);
	{
		outbox_ref_t refs[2] = { { .signer = "", .seq = 2 }, { .signer = "", .seq = 3 } };

		memset(&bad, 0, sizeof(bad));
		assert_int_equal(outbox_requeue(ob, refs, 2, false, NULL, NULL, &moved, &bad),
				 LNOB_E_NOTFOUND);
		assert_string_equal(bad.signer, "");
		assert_int_equal(bad.seq, 3);
		refs[1].seq = 77;   /* nowhere at all */
		assert_int_equal(outbox_requeue(ob, refs, 2, false, NULL, NULL, &moved, &bad),
				 LNOB_E_NOTFOUND);
		assert_int_equal(bad.seq, 77);
	}
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.parked, 2);
	assert_int_equal(outbox_requeue_gen(ob, &gen), 0);
	assert_int_equal(gen, 0);
	assert_int_equal(outbox_requeue(ob, NULL, 0, false, NULL, NULL, NULL, NULL), -EINVAL);

	/* Own seq 2 (named twice) and the relayed one: moved back unchanged. */
	{
		outbox_ref_t refs[3] = { { .signer = "", .seq = 2 }, { .signer = "c21", .seq = 1 },
					 { .signer = "", .seq = 2 } };

		assert_int_equal(outbox_requeue(ob, refs, 3, false, NULL, NULL, &moved, NULL), 0);
		assert_int_equal(moved, 2);
	}
	assert_int_equal(outbox_requeue_gen(ob, &gen), 0);
	assert_int_equal(gen, 1);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.parked, 0);
	assert_int_equal(st.queued_own, 2);
	assert_int_equal(st.queued_relayed, 1);
	assert_int_equal(st.oldest_queued_at_ms, 1000);   /* it keeps its queued_at */
	assert_int_equal(outbox_get(ob, 2, &got, &glen), 0);
	assert_int_equal(glen, own2_len);
	assert_memory_equal(got, own2, glen);
	free(got);
	assert_int_equal(outbox_relay_get(ob, "c21", 1, &got, &glen), 0);
	assert_int_equal(glen, l1);
	assert_memory_equal(got, e1, l1);
	free(got);

	/* --all moves every parked item, own and relayed. */
	assert_int_equal(outbox_park(ob, 3, 1, "x", 5000), 0);
	assert_int_equal(outbox_relay_park(ob, "c21", 1, 1, "y", 5000), 0);
	assert_int_equal(outbox_requeue(ob, NULL, 0, true, NULL, NULL, &moved, NULL), 0);
	assert_int_equal(moved, 2);
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.parked, 0);
	assert_int_equal(st.queued, 3);
	/* Nothing parked: --all moves nothing and leaves the generation. */
	assert_int_equal(outbox_requeue(ob, NULL, 0, true, NULL, NULL, &moved, NULL), 0);
	assert_int_equal(moved, 0);
	assert_int_equal(outbox_requeue_gen(ob, &gen), 0);
	assert_int_equal(gen, 2);
	free(own2);
	free(e1);
	free(e2);
	identity_wipe(&a);
	outbox_destroy(&ob);
}

static void test_relay_map_full(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 20, 0);   /* 1 MiB */
	static uint8_t env[60000];
	outbox_relay_in_t in[40];
	outbox_stats_t st;
	size_t stored = 7;

	memset(env, 'e', sizeof(env));
	for (size_t i = 0; i < 40; i++)
		in[i] = (outbox_relay_in_t){ .signer = "c11", .seq = i + 1, .env = env,
					     .len = sizeof(env) };
	assert_int_equal(outbox_relay_put(ob, in, 40, 1, &stored), LNOB_E_FULL);
	assert_int_equal(stored, 7);   /* not written on failure */
	assert_int_equal(outbox_stats(ob, &st), 0);
	assert_int_equal(st.queued_relayed, 0);
	/* Still works afterwards. */
	assert_int_equal(outbox_relay_put(ob, in, 1, 1, &stored), 0);
	assert_int_equal(stored, 1);
	outbox_destroy(&ob);
}

/* Counts downstream nodes and remembers the last one. */
typedef struct t_nodes {
	size_t n;
	outbox_node_t last;
} t_nodes_t;

static int t_nodes_cb(void *ctx, const outbox_node_t *node)
{
	t_nodes_t *t = ctx;

	t->n++;
	t->last = *node;
	return 0;
}

static void test_downstream(void **state)
{
	t_fix_t *f = *state;
	outbox_t *ob = t_open(f, 1 << 24, 0), *ro;
	identity_t a, a2, b;
	outbox_node_t n;
	outbox_stats_t st;
	t_nodes_t tn = { 0 };
	identity_pub_t clash;

	assert_int_equal(identity_generate("c11", &a), 0);
	assert_int_equal(identity_generate("c11", &a2), 0);
	assert_int_equal(identity_generate("c12", &b), 0);
	assert_int_equal(outbox_downstream_enroll(ob, &a.pub, false, 100), 0);
	assert_int_equal(outbox_downstream_enroll(ob, &b.pub, false, 101), 0);
	assert_int_equal(outbox_downstream_enroll(ob, &a2.pub, false, 102), LNOB_E_EXISTS);
	/* Another id with a key already held. */
	clash = b.pub;
	snprintf(clash.node_id, sizeof(clash.node_id), "c13");
	assert_int_equal(outbox_downstream_enroll(ob, &clash, true, 103), LNOB_E_EXISTS);
	assert_int_equal(outbox_downstream_get(ob, "c11", &n), 0);
	assert_memory_equal(n.pub.sign_pk, a.pub.sign_pk, 32);
	assert_int_equal(n.enrolled_at, 100);
	assert_false(n.revoked);
	assert_int_equal(n.last_seen_ms, 0);
	assert_int_equal(outbox_downstream_by_curve(ob, b.pub.curve_pk, &n), 0);
	assert_string_equal(n.pub.node_id, "c12");
	assert_int_equal(outbox_downstream_by_curve(ob, f->id.pub.curve_pk, &n), LNOB_E_NOTFOUND);
	assert_int_equal(outbox_downstream_get(ob, "nobody", &n), LNOB_E_NOTFOUND);

	/* Re-keying with replace: the old CURVE key no longer admits. */
	assert_int_equal(outbox_downstream_enroll(ob, &a2.pub, true, 104), 0);
	assert_int_equal(outbox_downstream_by_curve(ob, a.pub.curve_pk, &n), LNOB_E_NOTFOUND);
	assert_int_equal(outbox_downstream_by_curve(ob, a2.pub.curve_pk, &n), 0);
	assert_string_equal(n.pub.node_id, "c11");

	/* Revoked: kept, marked. */
	assert_int_equal(outbox_downstream_revoke(ob, "c12", 200), 0);
	assert_int_equal(outbox_downstream_revoke(ob, "c99", 200), LNOB_E_NOTFOUND);
	assert_int_equal(outbox_downstream_by_curve(ob, b.pub.curve_pk, &n), 0);
	assert_true(n.revoked);
	assert_int_equal(n.revoked_at, 200);

	/* Last contact and health, as the relay records them. */
	memset(&n, 0, sizeof(n));
	snprintf(n.pub.node_id, sizeof(n.pub.node_id), "c12");
	n.last_seen_ms = 1700000000000;
	n.has_health = true;
	n.queued = 5;
	n.next_seq = 9;
	assert_int_equal(outbox_downstream_seen(ob, &n, 1), 0);
	ro = t_open(f, 0, OUTBOX_RDONLY);
	assert_int_equal(outbox_downstream_foreach(ro, t_nodes_cb, &tn), 0);
	assert_int_equal(tn.n, 2);
	assert_string_equal(tn.last.pub.node_id, "c12");
	assert_int_equal(tn.last.last_seen_ms, 1700000000000);
	assert_true(tn.last.has_health);
	assert_int_equal(tn.last.queued, 5);
	assert_int_equal(tn.last.next_seq, 9);
	assert_true(tn.last.revoked);
	assert_int_equal(outbox_stats(ro, &st), 0);
	assert_int_equal(st.downstream, 2);
	assert_int_equal(outbox_downstream_enroll(ro, &b.pub, true, 1), -EROFS);
	assert_int_equal(outbox_requeue(ro, NULL, 0, true, NULL, NULL, NULL, NULL), -EROFS);
	outbox_destroy(&ro);
	identity_wipe(&a);
	identity_wipe(&a2);
	identity_wipe(&b);
	outbox_destroy(&ob);
}

static void test_reader_on_first_layout(void **state)
{
	t_fix_t *f = *state;
	static const char *const dbs[] = { "outbox", "parked" };
	store_t *st = NULL;
	outbox_t *ro;
	outbox_stats_t s;
	t_nodes_t tn = { 0 };
	t_rseen_t seen = { .n = 0 };
	char err[512] = "";

	/* A store written before the relay databases existed. */
	assert_int_equal(store_open(f->dir, OUTBOX_SCHEMA, OUTBOX_SCHEMA_VERSION, dbs, 2, 1 << 20, 0,
				    &st, err, sizeof(err)), 0);
	store_destroy(&st);
	ro = t_open(f, 0, OUTBOX_RDONLY);
	assert_int_equal(outbox_stats(ro, &s), 0);
	assert_int_equal(s.queued, 0);
	assert_int_equal(s.queued_relayed, 0);
	assert_int_equal(s.downstream, 0);
	assert_int_equal(outbox_downstream_foreach(ro, t_nodes_cb, &tn), 0);
	assert_int_equal(tn.n, 0);
	assert_int_equal(outbox_relay_scan(ro, NULL, 0, 5, t_rcollect, &seen, NULL, NULL), 0);
	assert_int_equal(seen.n, 0);
	outbox_destroy(&ro);
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
		cmocka_unit_test_setup_teardown(test_ack_keeps_receipt, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_park_keeps_reason, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_scan_bounds, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_state_and_reader, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_limits, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_relay_custody, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_relay_ack_park_requeue, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_relay_map_full, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_downstream, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_reader_on_first_layout, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
