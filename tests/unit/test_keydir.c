/* test_keydir.c: the key directory: enrol, look up by id and by CURVE
 * key, re-key, rotate with a grace, revoke, walk, and what a damaged
 * directory gives. */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "keydir.h"
#include "lnob_err.h"
#include "store.h"

static const char *const s_dbs[] = { "nodes", "curvekeys" };

typedef struct fix {
	const char *dir;
	store_t *st;
	MDB_txn *txn;
	keydir_t kd;
} fix_t;

static int t_setup(void **state)
{
	static fix_t f;
	char err[512];

	memset(&f, 0, sizeof(f));
	f.dir = tu_tmpdir();
	assert_int_equal(store_open(f.dir, "test-keydir", 1, s_dbs, 2, 1 << 20, 0, &f.st, err,
				    sizeof(err)), 0);
	f.kd.nodes = store_dbi(f.st, 0);
	f.kd.curve = store_dbi(f.st, 1);
	assert_int_equal(store_begin(f.st, true, &f.txn), 0);
	*state = &f;
	return 0;
}

static int t_teardown(void **state)
{
	fix_t *f = *state;

	store_abort(&f->txn);
	store_destroy(&f->st);
	tu_rmtree(f->dir);
	return 0;
}

/* A node with keys made of the byte b. */
static keydir_node_t s_node(const char *id, uint8_t b, const char *scope)
{
	keydir_node_t n;

	memset(&n, 0, sizeof(n));
	snprintf(n.pub.node_id, sizeof(n.pub.node_id), "%s", id);
	memset(n.pub.sign_pk, b, 32);
	memset(n.pub.curve_pk, (uint8_t)(b + 1), 32);
	snprintf(n.scope, sizeof(n.scope), "%s", scope);
	n.enrolled_at = 1700000000;
	return n;
}

static void test_put_get(void **state)
{
	fix_t *f = *state;
	keydir_node_t a = s_node("c-001", 0x10, "C001"), got;
	Lnob__NodeRecord *rec = NULL;
	char id[LNOB_ID_MAX + 1];

	assert_int_equal(keydir_put(f->txn, &f->kd, &a, false), 0);
	assert_int_equal(keydir_get(f->txn, &f->kd, "c-001", &got), 0);
	assert_memory_equal(&got, &a, sizeof(got));
	assert_int_equal(keydir_by_curve(f->txn, &f->kd, a.pub.curve_pk, &got), 0);
	assert_string_equal(got.pub.node_id, "c-001");
	assert_string_equal(got.scope, "C001");
	assert_int_equal(keydir_id_by_curve(f->txn, &f->kd, a.pub.curve_pk, id), 0);
	assert_string_equal(id, "c-001");
	assert_int_equal(keydir_record(f->txn, &f->kd, "c-001", &rec), 0);
	assert_string_equal(rec->node_id, "c-001");
	assert_string_equal(rec->scope, "C001");
	assert_int_equal(rec->curve_public.len, 32);
	lnob__node_record__free_unpacked(rec, NULL);

	/* Unknown ids and keys, and ids that cannot be ids. */
	assert_int_equal(keydir_get(f->txn, &f->kd, "c-002", &got), LNOB_E_NOTFOUND);
	assert_int_equal(keydir_get(f->txn, &f->kd, "", &got), LNOB_E_NOTFOUND);
	assert_int_equal(keydir_get(f->txn, &f->kd, "xã", &got), LNOB_E_NOTFOUND);
	assert_int_equal(keydir_record(f->txn, &f->kd, "c-002", &rec), LNOB_E_NOTFOUND);
	assert_int_equal(keydir_by_curve(f->txn, &f->kd, a.pub.sign_pk, &got), LNOB_E_NOTFOUND);

	/* No scope is a scope too; a bad id or scope is refused. */
	a = s_node("relay-down", 0x30, "");
	assert_int_equal(keydir_put(f->txn, &f->kd, &a, false), 0);
	assert_int_equal(keydir_get(f->txn, &f->kd, "relay-down", &got), 0);
	assert_string_equal(got.scope, "");
	a = s_node("bad id", 0x40, "");
	assert_int_equal(keydir_put(f->txn, &f->kd, &a, false), -EINVAL);
	a = s_node("ok", 0x40, "no such/scope");
	assert_int_equal(keydir_put(f->txn, &f->kd, &a, false), -EINVAL);
}

static void test_exists_and_replace(void **state)
{
	fix_t *f = *state;
	keydir_node_t a = s_node("a", 0x10, "A"), b = s_node("b", 0x20, "B"), got;

	assert_int_equal(keydir_put(f->txn, &f->kd, &a, false), 0);
	assert_int_equal(keydir_put(f->txn, &f->kd, &b, false), 0);
	/* The same id again, without replace. */
	assert_int_equal(keydir_put(f->txn, &f->kd, &a, false), LNOB_E_EXISTS);
	/* Another node's CURVE key, with or without replace. */
	b = s_node("b", 0x10, "B");
	assert_int_equal(keydir_put(f->txn, &f->kd, &b, false), LNOB_E_EXISTS);
	assert_int_equal(keydir_put(f->txn, &f->kd, &b, true), LNOB_E_EXISTS);
	assert_int_equal(keydir_get(f->txn, &f->kd, "b", &got), 0);
	assert_int_equal(got.pub.curve_pk[0], 0x21);

	/* Re-keying a revoked node moves its index entry and lifts the
	 * revocation (the new record says so). */
	assert_int_equal(keydir_revoke(f->txn, &f->kd, "a", 1700000100), 0);
	a = s_node("a", 0x50, "A2");
	assert_int_equal(keydir_put(f->txn, &f->kd, &a, true), 0);
	assert_int_equal(keydir_by_curve(f->txn, &f->kd, a.pub.curve_pk, &got), 0);
	assert_string_equal(got.pub.node_id, "a");
	assert_string_equal(got.scope, "A2");
	assert_false(got.revoked);
	memset(a.pub.curve_pk, 0x11, 32);   /* the old key */
	assert_int_equal(keydir_by_curve(f->txn, &f->kd, a.pub.curve_pk, &got), LNOB_E_NOTFOUND);
	/* Now free, the old key can go to another node. */
	b = s_node("c", 0x10, "C");
	assert_int_equal(keydir_put(f->txn, &f->kd, &b, false), 0);
}

static void test_revoke(void **state)
{
	fix_t *f = *state;
	keydir_node_t a = s_node("a", 0x10, "A"), got;

	assert_int_equal(keydir_revoke(f->txn, &f->kd, "a", 5), LNOB_E_NOTFOUND);
	assert_int_equal(keydir_put(f->txn, &f->kd, &a, false), 0);
	assert_int_equal(keydir_revoke(f->txn, &f->kd, "a", 1700000100), 0);
	assert_int_equal(keydir_revoke(f->txn, &f->kd, "a", 1700000200), 0);
	assert_int_equal(keydir_get(f->txn, &f->kd, "a", &got), 0);
	assert_true(got.revoked);
	assert_int_equal(got.revoked_at, 1700000100);   /* the first revocation */
	/* The keys stay known, so the node stays refused. */
	assert_int_equal(keydir_by_curve(f->txn, &f->kd, a.pub.curve_pk, &got), 0);
	assert_true(got.revoked);
}

typedef struct s_seen {
	char ids[8][LNOB_ID_MAX + 1];
	size_t n, stop_at;
} s_seen_t;

static int s_collect(void *ctx, const keydir_node_t *node)
{
	s_seen_t *s = ctx;

	snprintf(s->ids[s->n], sizeof(s->ids[s->n]), "%s", node->pub.node_id);
	s->n++;
	if (s->stop_at && s->n == s->stop_at)
		return 1;
	return s->n < 8 ? 0 : -ENOSPC;
}

/* Rotation: the new pair is enrolled, the old one taken (CURVE and
 * signing key) until now + grace and not from then on; the scope stays;
 * a pair the node has or had, another node's CURVE key, an unknown or a
 * revoked node are refused. */
static void test_rotate(void **state)
{
	fix_t *f = *state;
	keydir_node_t a = s_node("c-001", 0x10, "C001"), b = s_node("c-001", 0x20, ""), got;
	keydir_node_t other = s_node("c-002", 0x30, "C002");
	uint8_t older[KEYDIR_RETIRED_MAX][32];
	const int64_t t = 1800000000;

	assert_int_equal(keydir_put(f->txn, &f->kd, &a, false), 0);
	assert_int_equal(keydir_put(f->txn, &f->kd, &other, false), 0);
	assert_int_equal(keydir_rotate(f->txn, &f->kd, &b, 600, t), 0);
	assert_int_equal(keydir_get(f->txn, &f->kd, "c-001", &got), 0);
	assert_memory_equal(got.pub.sign_pk, b.pub.sign_pk, 32);
	assert_string_equal(got.scope, "C001");
	assert_int_equal(got.nretired, 1);
	assert_memory_equal(got.retired[0].sign_pk, a.pub.sign_pk, 32);
	assert_true(got.retired[0].until == t + 600);
	/* Both CURVE keys find the node; the old one is live only in its grace. */
	assert_int_equal(keydir_by_curve(f->txn, &f->kd, a.pub.curve_pk, &got), 0);
	assert_true(keydir_curve_live(&got, a.pub.curve_pk, t + 599));
	assert_false(keydir_curve_live(&got, a.pub.curve_pk, t + 600));
	assert_true(keydir_curve_live(&got, b.pub.curve_pk, t + 10 * 600));
	assert_int_equal(keydir_older_sign_keys(&got, t + 599, older), 1);
	assert_memory_equal(older[0], a.pub.sign_pk, 32);
	assert_int_equal(keydir_older_sign_keys(&got, t + 600, older), 0);
	/* Refusals. */
	assert_int_equal(keydir_rotate(f->txn, &f->kd, &a, 600, t), LNOB_E_EXISTS);
	other.pub = b.pub;
	snprintf(other.pub.node_id, sizeof(other.pub.node_id), "c-009");
	assert_int_equal(keydir_rotate(f->txn, &f->kd, &other, 600, t), LNOB_E_NOTFOUND);
	b = s_node("c-001", 0x30, "");          /* c-002's CURVE key */
	memset(b.pub.sign_pk, 0x77, 32);
	assert_int_equal(keydir_rotate(f->txn, &f->kd, &b, 600, t), LNOB_E_EXISTS);
	b = s_node("c-001", 0x40, "");
	assert_int_equal(keydir_rotate(f->txn, &f->kd, &b, -1, t), -EINVAL);
	assert_int_equal(keydir_revoke(f->txn, &f->kd, "c-001", t), 0);
	assert_int_equal(keydir_rotate(f->txn, &f->kd, &b, 600, t), LNOB_E_REVOKED);
}

/* Retired pairs are kept newest first, at most KEYDIR_RETIRED_MAX and only
 * while their grace runs; the dropped ones leave the CURVE index; a
 * replace drops them all. */
static void test_rotate_drops(void **state)
{
	fix_t *f = *state;
	keydir_node_t n = s_node("c-001", 0x02, "C001"), got;
	const int64_t t = 1800000000;
	char id[LNOB_ID_MAX + 1];
	uint8_t first_curve[32];

	memcpy(first_curve, n.pub.curve_pk, 32);
	assert_int_equal(keydir_put(f->txn, &f->kd, &n, false), 0);
	for (int i = 1; i <= KEYDIR_RETIRED_MAX + 2; i++) {
		n = s_node("c-001", (uint8_t)(0x02 + 2 * i), "");
		assert_int_equal(keydir_rotate(f->txn, &f->kd, &n, 1000, t + i), 0);
	}
	assert_int_equal(keydir_get(f->txn, &f->kd, "c-001", &got), 0);
	assert_int_equal(got.nretired, KEYDIR_RETIRED_MAX);
	assert_true(got.retired[0].retired_at == t + KEYDIR_RETIRED_MAX + 2);
	assert_int_equal(keydir_id_by_curve(f->txn, &f->kd, first_curve, id), LNOB_E_NOTFOUND);
	/* Past every grace: the next rotation keeps only the pair it retires. */
	n = s_node("c-001", 0x60, "");
	assert_int_equal(keydir_rotate(f->txn, &f->kd, &n, 5, t + 5000), 0);
	assert_int_equal(keydir_get(f->txn, &f->kd, "c-001", &got), 0);
	assert_int_equal(got.nretired, 1);
	n = s_node("c-001", 0x70, "C001");
	assert_int_equal(keydir_put(f->txn, &f->kd, &n, true), 0);
	assert_int_equal(keydir_get(f->txn, &f->kd, "c-001", &got), 0);
	assert_int_equal(got.nretired, 0);
	n = s_node("c-001", 0x60, "");
	assert_int_equal(keydir_id_by_curve(f->txn, &f->kd, n.pub.curve_pk, id), LNOB_E_NOTFOUND);
}

static void test_foreach_and_damage(void **state)
{
	fix_t *f = *state;
	const char *ids[] = { "m", "b", "z", "a" };
	s_seen_t seen;
	keydir_node_t n, got;
	uint8_t key[32];

	for (size_t i = 0; i < 4; i++) {
		n = s_node(ids[i], (uint8_t)(0x10 * (i + 1)), "");
		assert_int_equal(keydir_put(f->txn, &f->kd, &n, false), 0);
	}
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(keydir_foreach(f->txn, &f->kd, 0, s_collect, &seen), 0);
	assert_int_equal(seen.n, 4);
	assert_string_equal(seen.ids[0], "a");
	assert_string_equal(seen.ids[3], "z");
	memset(&seen, 0, sizeof(seen));
	seen.stop_at = 2;
	assert_int_equal(keydir_foreach(f->txn, &f->kd, 0, s_collect, &seen), 0);
	assert_int_equal(seen.n, 2);

	/* A record that does not decode, and an index entry of the wrong
	 * size or naming a record with another key. */
	assert_int_equal(store_put(f->txn, f->kd.nodes, "c", 1, "\xff\xff", 2, 0), 0);
	assert_int_equal(keydir_get(f->txn, &f->kd, "c", &got), LNOB_E_CORRUPT);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(keydir_foreach(f->txn, &f->kd, 0, s_collect, &seen), LNOB_E_CORRUPT);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(keydir_foreach(f->txn, &f->kd, KEYDIR_SKIP_CORRUPT, s_collect, &seen), 0);
	assert_int_equal(seen.n, 4);
	memset(key, 0x77, sizeof(key));
	assert_int_equal(store_put(f->txn, f->kd.curve, key, 32, "", 0, 0), 0);
	assert_int_equal(keydir_by_curve(f->txn, &f->kd, key, &got), LNOB_E_CORRUPT);
	assert_int_equal(store_put(f->txn, f->kd.curve, key, 32, "m", 1, 0), 0);
	assert_int_equal(keydir_by_curve(f->txn, &f->kd, key, &got), LNOB_E_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_get, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_exists_and_replace, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_revoke, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_rotate, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_rotate_drops, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_foreach_and_damage, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
