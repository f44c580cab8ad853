/* test_snapshot.c: the national tier's Snapshot (common/snapshot.h): its
 * rules, the report it stands for, its content digest, reading the log's
 * envelopes; and the national outbox's queue of snapshots
 * (outbox_enqueue_snapshots()): only changed ones, revisions in order,
 * all or nothing. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "identity.h"
#include "lnob_err.h"
#include "outbox.h"
#include "snapshot.h"
#include "util.h"

/* One snapshot the tests make; strings point at static storage. */
typedef struct t_snap {
	Lnob__Snapshot s;
	Lnob__IndicatorValue v[2];
	Lnob__IndicatorValue *vp[2];
} t_snap_t;

static void t_snap_init(t_snap_t *t, const char *unit, int64_t poor)
{
	lnob__snapshot__init(&t->s);
	for (int i = 0; i < 2; i++) {
		lnob__indicator_value__init(&t->v[i]);
		t->vp[i] = &t->v[i];
	}
	t->s.campaign = (char *)"lnob-2021-2025";
	t->s.period = (char *)"2023";
	t->s.unit = (char *)unit;
	t->s.part = LNOB__SNAPSHOT_PART__PART_SUBTREE;
	t->s.revision = 1;
	t->s.computed_at = 1701140400;
	t->s.units_reported = 3;
	t->s.units_expected = 4;
	t->v[0].code = (char *)"fund_vnd";
	t->v[0].value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
	t->v[0].amount_vnd = 5000000;
	t->v[1].code = (char *)"poor_households";
	t->v[1].value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	t->v[1].count = poor;
	t->s.sums = t->vp;
	t->s.n_sums = 2;
}

static void test_validate(void **state)
{
	t_snap_t t;
	char d[256];

	(void)state;
	t_snap_init(&t, "D1", 7);
	assert_int_equal(snapshot_validate(&t.s, d, sizeof(d)), 0);
	t.s.part = LNOB__SNAPSHOT_PART__PART_UNSPECIFIED;
	assert_int_equal(snapshot_validate(&t.s, d, sizeof(d)), LNOB_E_INVALID);
	assert_non_null(strstr(d, "part:"));
	t_snap_init(&t, "D1", 7);
	t.s.revision = 0;
	assert_int_equal(snapshot_validate(&t.s, d, sizeof(d)), LNOB_E_INVALID);
	assert_non_null(strstr(d, "revision:"));
	t_snap_init(&t, "D1", 7);
	t.s.revision = 3;
	t.s.base_revision = 1;
	assert_int_equal(snapshot_validate(&t.s, d, sizeof(d)), LNOB_E_INVALID);
	t_snap_init(&t, "D1", 7);
	t.s.n_sums = 0;
	assert_int_equal(snapshot_validate(&t.s, d, sizeof(d)), LNOB_E_INVALID);
	assert_non_null(strstr(d, "values:"));
	t_snap_init(&t, "D1", -1);
	assert_int_equal(snapshot_validate(&t.s, d, sizeof(d)), LNOB_E_INVALID);
	t_snap_init(&t, "D1", 7);
	t.s.computed_at = 0;
	assert_int_equal(snapshot_validate(&t.s, d, sizeof(d)), LNOB_E_INVALID);
	assert_non_null(strstr(d, "completed_at:"));
	t_snap_init(&t, "", 7);
	assert_int_equal(snapshot_validate(&t.s, d, sizeof(d)), LNOB_E_INVALID);
}

static void test_report_and_digest(void **state)
{
	t_snap_t a, b;
	Lnob__Report *rep = NULL;
	uint8_t da[32], db[32];

	(void)state;
	t_snap_init(&a, "D1", 7);
	a.s.revision = 4;
	a.s.base_revision = 3;
	assert_int_equal(snapshot_report(&a.s, &rep), 0);
	assert_string_equal(rep->unit, "D1");
	assert_string_equal(rep->period, "2023");
	assert_int_equal(rep->revision, 4);
	assert_int_equal(rep->base_revision, 3);
	assert_int_equal(rep->completed_at, 1701140400);
	assert_int_equal(rep->n_values, 2);
	assert_int_equal(rep->values[1]->count, 7);
	lnob__report__free_unpacked(rep, NULL);
	/* The digest ignores the numbering and the time, not the figures. */
	t_snap_init(&b, "D1", 7);
	b.s.computed_at = 1701149999;
	assert_int_equal(snapshot_digest(&a.s, da), 0);
	assert_int_equal(snapshot_digest(&b.s, db), 0);
	assert_memory_equal(da, db, 32);
	b.v[1].count = 8;
	assert_int_equal(snapshot_digest(&b.s, db), 0);
	assert_memory_not_equal(da, db, 32);
	t_snap_init(&b, "D1", 7);
	b.s.units_reported = 4;
	assert_int_equal(snapshot_digest(&b.s, db), 0);
	assert_memory_not_equal(da, db, 32);
}

/* An envelope of kind and body, decoded as the log holds it. */
static Lnob__Envelope *t_env(uint32_t kind, const ProtobufCMessage *body)
{
	Lnob__Envelope *e = calloc(1, sizeof(*e));
	uint8_t *buf;
	size_t len;

	assert_non_null(e);
	lnob__envelope__init(e);
	assert_int_equal(codec_pack(body, &buf, &len), 0);
	e->kind = (Lnob__Kind)kind;
	e->body.data = buf;
	e->body.len = len;
	return e;
}

static void t_env_free(Lnob__Envelope *e)
{
	free(e->body.data);
	free(e);
}

static void test_report_of_envelope(void **state)
{
	t_snap_t t;
	Lnob__Report *rep = NULL, *back = NULL;
	Lnob__Envelope *e;

	(void)state;
	t_snap_init(&t, "D2", 9);
	e = t_env(LNOB__KIND__KIND_SNAPSHOT, &t.s.base);
	assert_int_equal(snapshot_report_of_envelope(e, SIZE_MAX, &rep), 0);
	assert_string_equal(rep->unit, "D2");
	assert_int_equal(rep->values[1]->count, 9);
	t_env_free(e);
	/* A report's body is the report; another kind is not one. */
	e = t_env(LNOB__KIND__KIND_REPORT, &rep->base);
	assert_int_equal(snapshot_report_of_envelope(e, SIZE_MAX, &back), 0);
	assert_string_equal(back->unit, "D2");
	lnob__report__free_unpacked(back, NULL);
	e->kind = LNOB__KIND__KIND_STAGE;
	assert_int_equal(snapshot_report_of_envelope(e, SIZE_MAX, &back), LNOB_E_DECODE);
	e->kind = LNOB__KIND__KIND_SNAPSHOT;
	assert_int_equal(snapshot_report_of_envelope(e, 2, &back), LNOB_E_TOOBIG);
	t_env_free(e);
	lnob__report__free_unpacked(rep, NULL);
}

/* Fixture: a fresh outbox directory and identity. */
typedef struct t_fix {
	char dir[4096];
	identity_t id;
	outbox_t *ob;
} t_fix_t;

static int t_setup(void **state)
{
	t_fix_t *f = calloc(1, sizeof(*f));
	char err[512] = "";

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "%s", tu_tmpdir());
	assert_int_equal(identity_generate("p-aaa", &f->id), 0);
	if (outbox_open(f->dir, 8 << 20, 0, &f->ob, err, sizeof(err)) != 0)
		fail_msg("outbox_open: %s", err);
	*state = f;
	return 0;
}

static int t_teardown(void **state)
{
	t_fix_t *f = *state;

	outbox_destroy(&f->ob);
	tu_rmtree(f->dir);
	identity_wipe(&f->id);
	free(f);
	return 0;
}

/* The snapshot queued at seq, opened and decoded. */
static Lnob__Snapshot *t_queued(t_fix_t *f, uint64_t seq)
{
	Lnob__Envelope *e = NULL;
	ProtobufCMessage *m = NULL;
	uint8_t *env;
	size_t len;

	assert_int_equal(outbox_get(f->ob, seq, &env, &len), 0);
	assert_int_equal(envelope_open(env, len, SIZE_MAX, &e), 0);
	assert_int_equal(e->kind, LNOB__KIND__KIND_SNAPSHOT);
	assert_int_equal(e->seq, seq);
	assert_int_equal(codec_unpack(&lnob__snapshot__descriptor, e->body.data, e->body.len,
				      SIZE_MAX, &m), 0);
	lnob__envelope__free_unpacked(e, NULL);
	free(env);
	return (Lnob__Snapshot *)m;
}

static size_t t_queue(t_fix_t *f, t_snap_t *t, size_t n)
{
	Lnob__Snapshot *sp[4];
	size_t queued = 99;

	for (size_t i = 0; i < n; i++)
		sp[i] = &t[i].s;
	assert_int_equal(outbox_enqueue_snapshots(f->ob, &f->id, sp, n, 1000, &queued, NULL, 0), 0);
	return queued;
}

static void test_queue_on_change(void **state)
{
	t_fix_t *f = *state;
	t_snap_t t[2];
	Lnob__Snapshot *q;
	outbox_stats_t st;

	t_snap_init(&t[0], "D1", 7);
	t_snap_init(&t[1], "D2", 8);
	assert_int_equal(t_queue(f, t, 2), 2);
	assert_int_equal(t[0].s.revision, 1);
	assert_int_equal(t[1].s.base_revision, 0);
	/* The same content again (another time): nothing queued. */
	t_snap_init(&t[0], "D1", 7);
	t[0].s.computed_at += 60;
	t_snap_init(&t[1], "D2", 8);
	assert_int_equal(t_queue(f, t, 2), 0);
	assert_int_equal(outbox_stats(f->ob, &st), 0);
	assert_int_equal(st.queued, 2);
	assert_int_equal(st.next_seq, 3);
	/* D2 changed: revision 2 on base 1, at the next seq. */
	t_snap_init(&t[1], "D2", 80);
	assert_int_equal(t_queue(f, t, 2), 1);
	assert_int_equal(t[1].s.revision, 2);
	q = t_queued(f, 3);
	assert_string_equal(q->unit, "D2");
	assert_int_equal(q->revision, 2);
	assert_int_equal(q->base_revision, 1);
	assert_int_equal(q->sums[1]->count, 80);
	lnob__snapshot__free_unpacked(q, NULL);
}

static void test_queue_all_or_nothing(void **state)
{
	t_fix_t *f = *state;
	t_snap_t t[2];
	Lnob__Snapshot *sp[2] = { &t[0].s, &t[1].s };
	outbox_stats_t st;
	size_t queued = 0;
	char detail[256] = "";

	t_snap_init(&t[0], "D1", 7);
	t_snap_init(&t[1], "D2", -5);   /* a negative count */
	assert_int_equal(outbox_enqueue_snapshots(f->ob, &f->id, sp, 2, 1000, &queued, detail,
						  sizeof(detail)), LNOB_E_INVALID);
	if (!strstr(detail, "snapshot 1: poor_households: negative"))
		fail_msg("detail: %s", detail);
	assert_int_equal(outbox_stats(f->ob, &st), 0);
	assert_int_equal(st.queued, 0);
	/* Nothing recorded either: D1 is queued as revision 1 afterwards. */
	t_snap_init(&t[1], "D2", 5);
	assert_int_equal(outbox_enqueue_snapshots(f->ob, &f->id, sp, 2, 1000, &queued, NULL, 0),
			 0);
	assert_int_equal(queued, 2);
	assert_int_equal(t[0].s.revision, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_report_and_digest),
		cmocka_unit_test(test_report_of_envelope),
		cmocka_unit_test_setup_teardown(test_queue_on_change, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_queue_all_or_nothing, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
