/* test_fairq.c: per-sender lanes and round-robin batches: a flooding
 * sender cannot fill a batch ahead of another; each sender's order is
 * kept; lanes are bounded in items and bytes, the queue in bytes, batches
 * in bytes; the turn goes on across batches. */
#include "testutil.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fairq.h"

/* Items are the integers (sender * 100000 + n), cast to pointers. */
#define S_ITEM(sender, n) ((void *)(uintptr_t)((sender) * 100000 + (n)))
#define S_SENDER(item) ((int)((uintptr_t)(item) / 100000))
#define S_N(item) ((int)((uintptr_t)(item) % 100000))

/* Distinct keys: the address of each sender's slot. */
static int s_keys[8];

/* A queue bounded in items per lane only. */
static fairq_t *s_new(size_t lane_max)
{
	return fairq_new(lane_max, SIZE_MAX, SIZE_MAX);
}

/* Pushes sender's item n of size bytes. */
static void s_push_sized(fairq_t *q, int sender, int n, size_t size)
{
	assert_int_equal(fairq_push(q, &s_keys[sender], S_ITEM(sender, n), size), 0);
}

static void s_push(fairq_t *q, int sender, int n)
{
	s_push_sized(q, sender, n, 1);
}

/* The flood: A has 1000 waiting, B one. B's goes in the first batch, and
 * A's leave in A's order over the batches. */
static void test_flood_does_not_delay_others(void **state)
{
	fairq_t *q = s_new(1000);
	void *items[256];
	const void *keys[256];
	int next_a = 0, batches = 0;
	size_t n, seen_b = 0;

	(void)state;
	assert_non_null(q);
	for (int i = 0; i < 1000; i++)
		s_push(q, 0, i);
	s_push(q, 1, 0);
	assert_int_equal(fairq_pending(q), 1001);
	assert_int_equal(fairq_lane_len(q, &s_keys[0]), 1000);
	assert_int_equal(fairq_lane_len(q, &s_keys[1]), 1);
	while ((n = fairq_take(q, 256, items, keys)) > 0) {
		assert_true(batches < 10);
		for (size_t i = 0; i < n; i++) {
			int sender = S_SENDER(items[i]);

			assert_ptr_equal(keys[i], &s_keys[sender]);
			if (sender == 1) {
				assert_int_equal(batches, 0);   /* in the first batch */
				seen_b++;
			} else {
				assert_int_equal(S_N(items[i]), next_a);   /* A's order */
				next_a++;
			}
		}
		batches++;
	}
	assert_int_equal(seen_b, 1);
	assert_int_equal(next_a, 1000);
	assert_int_equal(batches, 4);   /* 1001 items, 256 a batch */
	assert_int_equal(fairq_pending(q), 0);
	assert_int_equal(fairq_lane_len(q, &s_keys[0]), 0);
	fairq_destroy(&q, NULL);
	assert_null(q);
	fairq_destroy(&q, NULL);
	fairq_destroy(NULL, NULL);
}

/* Three senders with work share a batch evenly; the turn goes on in the
 * next call where this one stopped; a sender that comes later joins at
 * the end of the turn. */
static void test_round_robin_across_calls(void **state)
{
	fairq_t *q = s_new(64);
	void *items[16];
	size_t n;

	(void)state;
	for (int i = 0; i < 10; i++) {
		s_push(q, 0, i);
		s_push(q, 1, i);
		s_push(q, 2, i);
	}
	n = fairq_take(q, 4, items, NULL);
	assert_int_equal(n, 4);
	/* 0, 1, 2, 0 */
	assert_int_equal(S_SENDER(items[0]), 0);
	assert_int_equal(S_SENDER(items[1]), 1);
	assert_int_equal(S_SENDER(items[2]), 2);
	assert_int_equal(S_SENDER(items[3]), 0);
	assert_int_equal(S_N(items[3]), 1);
	s_push(q, 3, 0);
	n = fairq_take(q, 5, items, NULL);
	assert_int_equal(n, 5);
	/* goes on with 1, then 2, then the newcomer 3, then 0, 1 */
	assert_int_equal(S_SENDER(items[0]), 1);
	assert_int_equal(S_N(items[0]), 1);
	assert_int_equal(S_SENDER(items[1]), 2);
	assert_int_equal(S_SENDER(items[2]), 3);
	assert_int_equal(S_SENDER(items[3]), 0);
	assert_int_equal(S_SENDER(items[4]), 1);
	assert_int_equal(fairq_pending(q), 30 + 1 - 9);
	/* A batch larger than what is waiting takes it all. */
	n = fairq_take(q, 16, items, NULL);
	assert_int_equal(n, 16);
	n = fairq_take(q, 16, items, NULL);
	assert_int_equal(n, 30 + 1 - 9 - 16);
	assert_int_equal(fairq_take(q, 16, items, NULL), 0);
	assert_int_equal(fairq_take(q, 0, NULL, NULL), 0);
	fairq_destroy(&q, NULL);
}

/* A lane holds at most lane_max: the next push is refused and changes
 * nothing; after a take there is room again. Other lanes are not
 * affected. */
static void test_lane_bound(void **state)
{
	fairq_t *q = s_new(3);
	void *items[4];

	(void)state;
	for (int i = 0; i < 3; i++)
		s_push(q, 0, i);
	assert_int_equal(fairq_push(q, &s_keys[0], S_ITEM(0, 3), 1), -ENOBUFS);
	assert_int_equal(fairq_lane_len(q, &s_keys[0]), 3);
	s_push(q, 1, 0);
	assert_int_equal(fairq_pending(q), 4);
	assert_int_equal(fairq_take(q, 1, items, NULL), 1);
	assert_int_equal(S_N(items[0]), 0);
	s_push(q, 0, 3);
	assert_int_equal(fairq_take(q, 4, items, NULL), 4);
	/* 1's item, then 0's 1, 2, 3 in order */
	assert_int_equal(S_SENDER(items[0]), 1);
	for (int i = 1; i < 4; i++) {
		assert_int_equal(S_SENDER(items[i]), 0);
		assert_int_equal(S_N(items[i]), i);
	}
	fairq_destroy(&q, NULL);
}

/* The ring wraps while items come and go in a lane. */
static void test_ring_wraps(void **state)
{
	fairq_t *q = s_new(5);
	void *item;
	int in = 0, out = 0;

	(void)state;
	for (int round = 0; round < 40; round++) {
		while (fairq_lane_len(q, &s_keys[0]) < 5)
			s_push(q, 0, in++);
		for (int k = 0; k < 3; k++) {
			assert_int_equal(fairq_take(q, 1, &item, NULL), 1);
			assert_int_equal(S_N(item), out++);
		}
	}
	while (fairq_take(q, 1, &item, NULL) == 1)
		assert_int_equal(S_N(item), out++);
	assert_int_equal(in, out);
	fairq_destroy(&q, NULL);
}

/* drop() and destroy() free the items they hold (ASan checks leaks). */
static void test_drop_and_destroy_free(void **state)
{
	fairq_t *q = s_new(10);
	void *items[4];

	(void)state;
	for (int s = 0; s < 3; s++)
		for (int i = 0; i < 4; i++)
			assert_int_equal(fairq_push(q, &s_keys[s], malloc(16), 16), 0);
	assert_int_equal(fairq_drop(q, &s_keys[1], free), 4);
	assert_int_equal(fairq_drop(q, &s_keys[1], free), 0);
	assert_int_equal(fairq_pending(q), 8);
	/* The turn still alternates between the two left. */
	assert_int_equal(fairq_take(q, 2, items, NULL), 2);
	assert_ptr_not_equal(items[0], items[1]);
	free(items[0]);
	free(items[1]);
	fairq_destroy(&q, free);
}

/* A lane holds at most lane_bytes: a push that would go over is refused
 * (-ENOBUFS) and changes nothing, while other lanes still take items; an
 * item larger than the bound goes into an empty lane alone; the bytes
 * follow pushes, takes and drops. */
static void test_lane_bytes(void **state)
{
	fairq_t *q = fairq_new(100, 1000, SIZE_MAX);
	void *items[4];

	(void)state;
	s_push_sized(q, 0, 0, 600);
	s_push_sized(q, 0, 1, 400);   /* exactly at the bound */
	assert_int_equal(fairq_lane_bytes(q, &s_keys[0]), 1000);
	assert_int_equal(fairq_push(q, &s_keys[0], S_ITEM(0, 2), 1), -ENOBUFS);
	assert_int_equal(fairq_lane_len(q, &s_keys[0]), 2);
	assert_int_equal(fairq_lane_bytes(q, &s_keys[0]), 1000);
	s_push_sized(q, 1, 0, 5000);  /* over the bound, alone in its lane */
	assert_int_equal(fairq_push(q, &s_keys[1], S_ITEM(1, 1), 1), -ENOBUFS);
	assert_int_equal(fairq_bytes(q), 6000);
	assert_int_equal(fairq_take(q, 2, items, NULL), 2);   /* 0's first, 1's */
	assert_int_equal(S_N(items[0]), 0);
	assert_int_equal(S_SENDER(items[1]), 1);
	assert_int_equal(fairq_lane_bytes(q, &s_keys[0]), 400);
	assert_int_equal(fairq_lane_bytes(q, &s_keys[1]), 0);
	assert_int_equal(fairq_bytes(q), 400);
	s_push_sized(q, 0, 2, 600);
	assert_int_equal(fairq_drop(q, &s_keys[0], NULL), 2);
	assert_int_equal(fairq_bytes(q), 0);
	assert_int_equal(fairq_lane_bytes(q, &s_keys[0]), 0);
	fairq_destroy(&q, NULL);
}

/* All lanes together hold at most queue_bytes: a push over it is refused
 * (-ENOSPC), a new lane's too, until a take makes room; an empty queue
 * takes any item. */
static void test_queue_bytes(void **state)
{
	fairq_t *q = fairq_new(100, 1000, 1500);
	void *items[4];

	(void)state;
	s_push_sized(q, 0, 0, 1000);
	s_push_sized(q, 1, 0, 500);
	assert_int_equal(fairq_push(q, &s_keys[2], S_ITEM(2, 0), 1), -ENOSPC);
	assert_int_equal(fairq_lane_len(q, &s_keys[2]), 0);
	assert_int_equal(fairq_pending(q), 2);
	assert_int_equal(fairq_take(q, 1, items, NULL), 1);
	assert_int_equal(fairq_bytes(q), 500);
	s_push_sized(q, 2, 0, 1000);
	assert_int_equal(fairq_push(q, &s_keys[1], S_ITEM(1, 1), 1), -ENOSPC);
	assert_int_equal(fairq_take(q, 4, items, NULL), 2);
	assert_int_equal(fairq_bytes(q), 0);
	s_push_sized(q, 3, 0, 9000);  /* over every bound, into an empty queue */
	assert_int_equal(fairq_bytes(q), 9000);
	assert_int_equal(fairq_push(q, &s_keys[4], S_ITEM(4, 0), 1), -ENOSPC);
	fairq_destroy(&q, NULL);
}

/* fairq_take_bytes() cuts the batch before the item that would take it
 * over max_bytes (at max_bytes exactly it goes in), takes a first item
 * larger than max_bytes alone, and the lane that stopped it goes first in
 * the next call; max still bounds the count. */
static void test_take_bytes(void **state)
{
	fairq_t *q = s_new(100);
	void *items[8];
	const void *keys[8];

	(void)state;
	for (int i = 0; i < 4; i++) {
		s_push_sized(q, 0, i, 60);   /* a flood of large items */
		s_push_sized(q, 1, i, 1);    /* small ones */
	}
	s_push_sized(q, 2, 0, 500);
	/* 0:60, 1:1, 2:500 would be 561 */
	assert_int_equal(fairq_take_bytes(q, 8, 100, items, keys), 2);
	assert_ptr_equal(keys[0], &s_keys[0]);
	assert_ptr_equal(keys[1], &s_keys[1]);
	/* 2's 500 is larger than the bound: alone, first */
	assert_int_equal(fairq_take_bytes(q, 8, 100, items, keys), 1);
	assert_ptr_equal(keys[0], &s_keys[2]);
	/* 0:60, 1:1, 0:60 make 121, at the bound: in; 1:1 more would go over */
	assert_int_equal(fairq_take_bytes(q, 8, 121, items, keys), 3);
	assert_int_equal(S_N(items[2]), 2);
	assert_int_equal(fairq_take_bytes(q, 2, SIZE_MAX, items, keys), 2);   /* max */
	assert_int_equal(fairq_pending(q), 8 + 1 - 8);
	assert_int_equal(fairq_bytes(q), 1);
	assert_int_equal(fairq_take_bytes(q, 8, 1, items, keys), 1);
	assert_int_equal(fairq_take_bytes(q, 8, 1, items, keys), 0);
	assert_int_equal(fairq_take_bytes(q, 0, 1, NULL, NULL), 0);
	fairq_destroy(&q, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_does_not_delay_others),
		cmocka_unit_test(test_round_robin_across_calls),
		cmocka_unit_test(test_lane_bound),
		cmocka_unit_test(test_ring_wraps),
		cmocka_unit_test(test_drop_and_destroy_free),
		cmocka_unit_test(test_lane_bytes),
		cmocka_unit_test(test_queue_bytes),
		cmocka_unit_test(test_take_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
