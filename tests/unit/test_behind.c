/* test_behind.c: what a relay says of the nodes behind it (behind.h): its
 * seen, unrevoked downstream nodes and what its downstream relays said,
 * at most BEHIND_PER_HEARTBEAT a heartbeat within the byte budget, every
 * one in turn. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "behind.h"
#include "identity.h"
#include "outbox.h"

#define S_NODES 40

/* An outbox in dir with S_NODES downstream nodes n00..n39, all seen but
 * n39, n38 revoked. */
static outbox_t *s_outbox(const char *dir)
{
	outbox_t *ob = NULL;
	outbox_node_t seen[S_NODES];
	char err[256], id[16];

	assert_int_equal(outbox_open(dir, 0, 0, &ob, err, sizeof(err)), 0);
	for (int i = 0; i < S_NODES; i++) {
		identity_t k;

		snprintf(id, sizeof(id), "n%02d", i);
		assert_int_equal(identity_generate(id, &k), 0);
		assert_int_equal(outbox_downstream_enroll(ob, &k.pub, false, 100), 0);
		memset(&seen[i], 0, sizeof(seen[i]));
		seen[i].pub = k.pub;
		seen[i].last_seen_ms = i == S_NODES - 1 ? 0 : 1000 + i;
		seen[i].has_health = true;
		seen[i].queued = (uint64_t)i;
		identity_wipe(&k);
	}
	assert_int_equal(outbox_downstream_seen(ob, seen, S_NODES), 0);
	assert_int_equal(outbox_downstream_revoke(ob, "n38", 200), 0);
	return ob;
}

static void test_rotation(void **state)
{
	char *dir = strdup(tu_tmpdir());
	outbox_t *ob = s_outbox(dir);
	behind_t *b = behind_new();
	Lnob__Heartbeat hb = LNOB__HEARTBEAT__INIT, sub = LNOB__HEARTBEAT__INIT;
	Lnob__NodeHealth nh = LNOB__NODE_HEALTH__INIT, *p = &nh;
	int said[S_NODES + 1] = { 0 };
	size_t total = 0;

	(void)state;
	/* A downstream relay n00 says v1 is behind it. */
	nh.node_id = "v1";
	nh.last_seen_ms = 77;
	sub.n_downstream = 1;
	sub.downstream = &p;
	behind_note(b, "n00", &sub);
	/* 38 own (n38 revoked, n39 never seen) + v1 = 39: every one within two
	 * heartbeats of 32 (the second wraps round to the first ones). */
	for (int round = 0; round < 2; round++) {
		size_t k = behind_fill(b, ob, &hb, 1 << 20);

		assert_int_equal(k, BEHIND_PER_HEARTBEAT);
		assert_int_equal(hb.n_downstream, k);
		for (size_t i = 0; i < k; i++) {
			const Lnob__NodeHealth *e = hb.downstream[i];

			if (strcmp(e->node_id, "v1") == 0) {
				assert_string_equal(e->via, "n00");
				assert_int_equal(e->last_seen_ms, 77);
				said[S_NODES]++;
			} else {
				int n = atoi(e->node_id + 1);

				assert_string_equal(e->via, "");
				assert_int_equal(e->health->queued, (uint64_t)n);
				said[n]++;
			}
		}
		total += k;
	}
	assert_int_equal(total, 2 * BEHIND_PER_HEARTBEAT);
	for (int i = 0; i < S_NODES - 2; i++)
		assert_true(said[i] >= 1 && said[i] <= 2);
	assert_int_equal(said[38], 0);
	assert_int_equal(said[39], 0);
	assert_int_equal(said[S_NODES], 1);   /* the last of the 39: once */
	/* A small budget: fewer entries, within it. */
	assert_true(behind_fill(b, ob, &hb, 100) < 10);
	assert_true(lnob__heartbeat__get_packed_size(&hb) <= 100 + 4);
	assert_int_equal(behind_fill(b, ob, &hb, 0), 0);
	assert_null(hb.downstream);
	behind_destroy(&b);
	assert_null(b);
	outbox_destroy(&ob);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
