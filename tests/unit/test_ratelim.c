/* test_ratelim.c: one line per (peer, reason) and interval, the rest
 * counted and reported once, in order; bounded keys. */
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ratelim.h"

/* What the callback was told, in order. */
typedef struct said {
	char peer[8][80];
	int reason[8];
	uint64_t n[8];
	size_t count;
} said_t;

static void s_said(void *ctx, const char *peer, int reason, uint64_t suppressed)
{
	said_t *s = ctx;

	assert_true(s->count < 8);
	snprintf(s->peer[s->count], sizeof(s->peer[0]), "%s", peer);
	s->reason[s->count] = reason;
	s->n[s->count] = suppressed;
	s->count++;
}

/* A flood from one peer: the first line passes, the rest of the second
 * are counted, and the count is said once when the window is over. */
static void test_flood_one_peer(void **state)
{
	ratelim_t *rl = ratelim_new(16, 1000);
	said_t s = { .count = 0 };
	int logged = 0;

	(void)state;
	assert_non_null(rl);
	for (int64_t t = 0; t < 1000; t += 25)   /* 40 events in the window */
		logged += ratelim_hit(rl, "c-001", 6, 5000 + t, s_said, &s);
	assert_int_equal(logged, 1);
	assert_int_equal(s.count, 0);
	/* Not yet over at 5999 ms; over at 6000 ms. */
	assert_int_equal(ratelim_expire(rl, 5999, s_said, &s), 1);
	assert_int_equal(s.count, 0);
	assert_int_equal(ratelim_expire(rl, 6000, s_said, &s), 0);
	assert_int_equal(s.count, 1);
	assert_string_equal(s.peer[0], "c-001");
	assert_int_equal(s.reason[0], 6);
	assert_int_equal(s.n[0], 39);
	/* Nothing left to say; the next event is logged again. */
	ratelim_flush(rl, s_said, &s);
	assert_int_equal(s.count, 1);
	assert_true(ratelim_hit(rl, "c-001", 6, 6001, s_said, &s));
	ratelim_destroy(&rl);
	assert_null(rl);
	ratelim_destroy(&rl);
	ratelim_destroy(NULL);
}

/* Peers and reasons are separate keys: one flooding peer does not hide
 * another's line, nor its own line of another reason. */
static void test_keys_apart(void **state)
{
	ratelim_t *rl = ratelim_new(16, 1000);
	said_t s = { .count = 0 };

	(void)state;
	assert_true(ratelim_hit(rl, "a", 1, 0, s_said, &s));
	assert_false(ratelim_hit(rl, "a", 1, 10, s_said, &s));
	assert_true(ratelim_hit(rl, "b", 1, 20, s_said, &s));
	assert_true(ratelim_hit(rl, "a", 2, 30, s_said, &s));
	assert_false(ratelim_hit(rl, "b", 1, 40, s_said, &s));
	assert_false(ratelim_hit(rl, "a", 2, 50, s_said, &s));
	assert_false(ratelim_hit(rl, "a", 2, 60, s_said, &s));
	/* NULL and "" are one key. */
	assert_true(ratelim_hit(rl, NULL, 1, 70, s_said, &s));
	assert_false(ratelim_hit(rl, "", 1, 80, s_said, &s));
	assert_int_equal(s.count, 0);
	/* a/1 opened at 0, b/1 at 20, a/2 at 30, ""/1 at 70: at 1025 only the
	 * first two are over. */
	assert_int_equal(ratelim_expire(rl, 1025, s_said, &s), 2);
	assert_int_equal(s.count, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(s.reason[i], 1);
		assert_int_equal(s.n[i], 1);
	}
	assert_true((strcmp(s.peer[0], "a") == 0 && strcmp(s.peer[1], "b") == 0) ||
		    (strcmp(s.peer[0], "b") == 0 && strcmp(s.peer[1], "a") == 0));
	ratelim_flush(rl, s_said, &s);
	assert_int_equal(s.count, 4);
	ratelim_destroy(&rl);
}

/* An event after its key's window closed, before any expire: the count
 * of the old window is said first, then the new line passes. */
static void test_count_before_next_line(void **state)
{
	ratelim_t *rl = ratelim_new(4, 1000);
	said_t s = { .count = 0 };

	(void)state;
	assert_true(ratelim_hit(rl, "c", 3, 100, s_said, &s));
	assert_false(ratelim_hit(rl, "c", 3, 200, s_said, &s));
	assert_false(ratelim_hit(rl, "c", 3, 1099, s_said, &s));
	assert_int_equal(s.count, 0);
	assert_true(ratelim_hit(rl, "c", 3, 1100, s_said, &s));
	assert_int_equal(s.count, 1);
	assert_int_equal(s.n[0], 2);
	/* A window with nothing hidden says nothing. */
	assert_true(ratelim_hit(rl, "c", 3, 2100, s_said, &s));
	assert_int_equal(s.count, 1);
	ratelim_destroy(&rl);
}

/* More keys than tracked: the window that opened first closes early
 * (its count said), so memory stays bounded and nothing is lost. */
static void test_bounded_keys(void **state)
{
	ratelim_t *rl = ratelim_new(2, 1000);
	said_t s = { .count = 0 };

	(void)state;
	assert_true(ratelim_hit(rl, "p1", 1, 0, s_said, &s));
	assert_false(ratelim_hit(rl, "p1", 1, 1, s_said, &s));
	assert_true(ratelim_hit(rl, "p2", 1, 2, s_said, &s));
	assert_true(ratelim_hit(rl, "p3", 1, 3, s_said, &s));   /* p1 closes */
	assert_int_equal(s.count, 1);
	assert_string_equal(s.peer[0], "p1");
	assert_int_equal(s.n[0], 1);
	assert_false(ratelim_hit(rl, "p2", 1, 4, s_said, &s));
	assert_false(ratelim_hit(rl, "p3", 1, 5, s_said, &s));
	/* p1 again: p2 (opened at 2) closes. */
	assert_true(ratelim_hit(rl, "p1", 1, 6, s_said, &s));
	assert_int_equal(s.count, 2);
	assert_string_equal(s.peer[1], "p2");
	assert_int_equal(ratelim_expire(rl, 10000, s_said, &s), 0);
	assert_int_equal(s.count, 3);
	assert_string_equal(s.peer[2], "p3");
	ratelim_destroy(&rl);
}

/* A peer id longer than an id: only its first LNOB_ID_MAX bytes count. */
static void test_long_peer(void **state)
{
	char a[100], b[100];
	ratelim_t *rl = ratelim_new(4, 1000);

	(void)state;
	memset(a, 'x', 99);
	a[99] = '\0';
	memcpy(b, a, sizeof(b));
	b[98] = 'y';
	assert_true(ratelim_hit(rl, a, 1, 0, NULL, NULL));
	assert_false(ratelim_hit(rl, b, 1, 1, NULL, NULL));
	ratelim_flush(rl, NULL, NULL);
	ratelim_destroy(&rl);
}

/* Events in bulk (ZAP's denials of one poll): the call that opens a
 * window logs all of its n; n events in an open window count n; a count
 * at the top saturates instead of wrapping. */
static void test_hit_n(void **state)
{
	ratelim_t *rl = ratelim_new(1, 1000);
	said_t s = { .count = 0 };

	(void)state;
	assert_true(ratelim_hit_n(rl, "", 0, 5, 0, s_said, &s));   /* its line says 5 */
	assert_false(ratelim_hit_n(rl, "", 0, 3, 10, s_said, &s));
	assert_false(ratelim_hit(rl, "", 0, 20, s_said, &s));
	assert_false(ratelim_hit_n(rl, "", 0, 1000, 999, s_said, &s));
	assert_int_equal(ratelim_expire(rl, 1000, s_said, &s), 0);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.n[0], 1004);
	/* A new window, then more than a uint64_t can count. */
	assert_true(ratelim_hit_n(rl, "", 0, 2, 2000, s_said, &s));
	assert_false(ratelim_hit_n(rl, "", 0, UINT64_MAX - 1, 2001, s_said, &s));
	assert_false(ratelim_hit_n(rl, "", 0, 7, 2002, s_said, &s));
	ratelim_flush(rl, s_said, &s);
	assert_int_equal(s.count, 2);
	assert_true(s.n[1] == UINT64_MAX);
	ratelim_destroy(&rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_one_peer),
		cmocka_unit_test(test_keys_apart),
		cmocka_unit_test(test_count_before_next_line),
		cmocka_unit_test(test_bounded_keys),
		cmocka_unit_test(test_long_peer),
		cmocka_unit_test(test_hit_n),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
