/* test_fleet.c: relays' reports of the nodes behind them (fleet_in.h) and
 * the fleet view (fleet.h): only what the relay's scope covers is taken,
 * a direct contact overrides, a chain names the nearest relay; link states,
 * groups, the subtree restriction, the FLEET_DOWN_MS override. */
#include "testutil.h"
#include "aggtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "fleet_in.h"
#include "lnob_err.h"

/* A heartbeat's downstream list of up to 8 entries. */
typedef struct s_hb {
	Lnob__Heartbeat hb;
	Lnob__NodeHealth nh[8];
	Lnob__Health h[8];
	Lnob__NodeHealth *p[8];
} s_hb_t;

static void s_hb_init(s_hb_t *b)
{
	memset(b, 0, sizeof(*b));
	lnob__heartbeat__init(&b->hb);
	b->hb.downstream = b->p;
}

/* Adds node id (via may be "") seen at last, with queued and oldest. */
static void s_hb_add(s_hb_t *b, const char *id, const char *via, int64_t last, uint64_t queued,
		     int64_t oldest)
{
	size_t k = b->hb.n_downstream++;

	lnob__node_health__init(&b->nh[k]);
	lnob__health__init(&b->h[k]);
	b->nh[k].node_id = (char *)id;
	b->nh[k].via = (char *)via;
	b->nh[k].last_seen_ms = last;
	b->h[k].queued = queued;
	b->h[k].oldest_queued_at = oldest;
	b->nh[k].health = &b->h[k];
	b->p[k] = &b->nh[k];
}

/* Applies what sender said in b in one transaction; returns the ignored. */
static uint64_t s_apply(at_world_t *w, fleet_in_t *fi, const char *sender, const s_hb_t *b)
{
	MDB_txn *txn = NULL;
	uint64_t ignored = 99;

	fleet_in_note(fi, sender, &b->hb);
	assert_int_equal(store_begin(w->st, true, &txn), 0);
	assert_int_equal(fleet_in_apply(fi, w->st, txn, w->hier, &ignored), 0);
	assert_int_equal(store_commit(&txn), 0);
	fleet_in_clear(fi);
	assert_int_equal(fleet_in_pending(fi), 0);
	return ignored;
}

/* The fleet view of root at now without node self (caller frees). */
static json_t *s_view_self(at_world_t *w, const char *root, const char *self, int64_t now)
{
	MDB_txn *txn = NULL;
	json_t *doc = NULL;
	char err[256];

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(fleet_view(w->st, txn, w->hier, root ? hier_find(w->hier, root) : -1,
				    self, now, &doc, err, sizeof(err)), 0);
	store_abort(&txn);
	return doc;
}

/* The fleet view of root at now (caller frees). */
static json_t *s_view(at_world_t *w, const char *root, int64_t now)
{
	return s_view_self(w, root, NULL, now);
}

/* The row of node id in doc (borrowed), or NULL. */
static const json_t *s_row(const json_t *doc, const char *id)
{
	size_t i;
	const json_t *n;

	json_array_foreach(json_object_get(doc, "nodes"), i, n)
		if (strcmp(json_string_value(json_object_get(n, "id")), id) == 0)
			return n;
	return NULL;
}

static const char *s_str(const json_t *row, const char *key)
{
	return json_string_value(json_object_get(row, key));
}

static void test_scope_rule_and_view(void **state)
{
	at_world_t w;
	fleet_in_t *fi = fleet_in_new();
	s_hb_t b;
	json_t *doc;
	const json_t *r;

	(void)state;
	at_setup(&w, AT_UNITS);
	at_node(&w, "d1", "D1");
	at_node(&w, "c1", "C1");
	at_node(&w, "v1", "V1");
	at_node(&w, "prov", "P");
	s_hb_init(&b);
	s_hb_add(&b, "c1", "", 1000, 5, 900);
	s_hb_add(&b, "v1", "c1", 1000, 0, 0);     /* behind c1, a relay itself */
	s_hb_add(&b, "prov", "", 1000, 0, 0);     /* P is not in D1's subtree */
	s_hb_add(&b, "ghost", "", 1000, 0, 0);    /* not enrolled */
	s_hb_add(&b, "d1", "", 1000, 0, 0);       /* itself */
	assert_int_equal(s_apply(&w, fi, "d1", &b), 3);
	/* The same refusals again: counted again (logged once). */
	assert_int_equal(s_apply(&w, fi, "d1", &b), 3);
	/* A sender not enrolled may report nobody. */
	assert_int_equal(s_apply(&w, fi, "nobody", &b), 5);

	doc = s_view(&w, NULL, 2000);
	r = s_row(doc, "c1");
	assert_string_equal(s_str(r, "via"), "d1");
	assert_string_equal(s_str(r, "link"), "up");
	assert_int_equal(json_integer_value(json_object_get(r, "queued")), 5);
	assert_int_equal(json_integer_value(json_object_get(r, "oldest_unsent_ms")), 900);
	assert_int_equal(json_integer_value(json_object_get(r, "age_ms")), 1000);
	assert_string_equal(s_str(s_row(doc, "v1"), "via"), "c1");
	assert_string_equal(s_str(s_row(doc, "prov"), "link"), "never");
	assert_true(json_is_null(json_object_get(s_row(doc, "prov"), "via")));
	assert_true(json_is_null(json_object_get(s_row(doc, "prov"), "queued")));
	assert_string_equal(s_str(s_row(doc, "d1"), "link"), "never");
	assert_null(s_row(doc, "ghost"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"),
							    "queued")), 5);
	json_decref(doc);
	/* The aggregator's own node (self) is not part of its fleet. */
	doc = s_view_self(&w, NULL, "prov", 2000);
	assert_null(s_row(doc, "prov"));
	assert_non_null(s_row(doc, "c1"));
	json_decref(doc);

	/* Later: down; and restricted to D1's subtree (prov's scope P is not). */
	doc = s_view(&w, "D1", 1000 + FLEET_DOWN_MS + 1);
	assert_string_equal(s_str(s_row(doc, "c1"), "link"), "down");
	assert_null(s_row(doc, "prov"));
	assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "summary"),
							 "links_down")), 2);
	r = json_array_get(json_object_get(doc, "relays"), 0);
	assert_string_equal(s_str(r, "id"), "d1");
	assert_int_equal(json_integer_value(json_object_get(r, "queued")), 5);
	assert_string_equal(s_str(r, "link"), "never");
	r = json_array_get(json_object_get(doc, "units"), 0);   /* C1: c1 and v1 */
	assert_string_equal(s_str(r, "code"), "C1");
	assert_int_equal(json_integer_value(json_object_get(r, "nodes")), 2);
	assert_int_equal(json_integer_value(json_object_get(r, "down")), 2);
	json_decref(doc);
	fleet_in_destroy(&fi);
	assert_null(fi);
	at_teardown(&w);
}

static void test_direct_overrides(void **state)
{
	at_world_t w;
	fleet_in_t *fi = fleet_in_new();
	Lnob__PeerRecord rec = LNOB__PEER_RECORD__INIT;
	MDB_txn *txn = NULL;
	s_hb_t b;
	json_t *doc;

	(void)state;
	at_setup(&w, AT_UNITS);
	at_node(&w, "d1", "D1");
	at_node(&w, "c1", "C1");
	rec.node_id = "c1";
	rec.last_seen_ms = 5000;
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(agg_peer_put(w.st, txn, &rec), 0);
	assert_int_equal(store_commit(&txn), 0);
	s_hb_init(&b);
	s_hb_add(&b, "c1", "", 4000, 1, 0);       /* older than the direct contact */
	assert_int_equal(s_apply(&w, fi, "d1", &b), 0);
	doc = s_view(&w, NULL, 6000);
	assert_true(json_is_null(json_object_get(s_row(doc, "c1"), "via")));
	assert_int_equal(json_integer_value(json_object_get(s_row(doc, "c1"), "last_contact_ms")),
			 5000);
	json_decref(doc);
	b.nh[0].last_seen_ms = 7000;               /* newer: the node moved behind d1 */
	assert_int_equal(s_apply(&w, fi, "d1", &b), 0);
	doc = s_view(&w, NULL, 8000);
	assert_string_equal(s_str(s_row(doc, "c1"), "via"), "d1");
	json_decref(doc);
	fleet_in_destroy(&fi);
	at_teardown(&w);
}

static void test_down_override(void **state)
{
	(void)state;
	assert_int_equal(unsetenv(FLEET_DOWN_ENV), 0);
	assert_int_equal(fleet_down_ms(), FLEET_DOWN_MS);
	assert_int_equal(setenv(FLEET_DOWN_ENV, "2500", 1), 0);
	assert_int_equal(fleet_down_ms(), 2500);
	for (const char *const *v = (const char *const[]){ "0", "-5", "12ms", "", NULL }; *v; v++) {
		assert_int_equal(setenv(FLEET_DOWN_ENV, *v, 1), 0);
		assert_int_equal(fleet_down_ms(), FLEET_DOWN_MS);
	}
	assert_int_equal(unsetenv(FLEET_DOWN_ENV), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_rule_and_view),
		cmocka_unit_test(test_direct_overrides),
		cmocka_unit_test(test_down_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
