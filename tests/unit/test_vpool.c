/* test_vpool.c: the verification pool: every item of a job runs exactly
 * once, on the workers or the waiting thread; what the items wrote is
 * seen after vpool_wait(); jobs follow one another; the thread count is
 * the CPUs (capped) for 0, capped otherwise; an empty job and a wait
 * without a job return at once; destroy waits for a job in progress. */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vpool.h"

#define T_ITEMS 1000

/* A job: each item counts its runs, writes its result and notes which
 * thread ran it. */
typedef struct t_job {
	atomic_int runs[T_ITEMS];
	uint64_t out[T_ITEMS];        /* written by the item's thread only */
	pthread_t by[T_ITEMS];
	unsigned spin;                /* work per item, to let the workers share */
} t_job_t;

static void t_item(void *ctx, size_t i)
{
	t_job_t *j = ctx;
	uint64_t x = i + 1;

	for (unsigned k = 0; k < j->spin; k++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	j->out[i] = j->spin ? x | 1 : i * 3 + 1;
	j->by[i] = pthread_self();
	atomic_fetch_add(&j->runs[i], 1);
}

static void t_check(t_job_t *j, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(atomic_load(&j->runs[i]), 1);
		if (!j->spin)
			assert_int_equal(j->out[i], i * 3 + 1);
		else
			assert_true(j->out[i] & 1);
	}
	for (size_t i = n; i < T_ITEMS; i++)
		assert_int_equal(atomic_load(&j->runs[i]), 0);
}

static void test_threads(void **state)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want = cpus < 1 ? 1 : cpus > VPOOL_THREADS_MAX ? VPOOL_THREADS_MAX
								 : (unsigned)cpus;
	vpool_t *p;

	(void)state;
	assert_int_equal(vpool_auto_threads(0), want);
	assert_int_equal(vpool_auto_threads(3), 3);
	assert_int_equal(vpool_auto_threads(100), VPOOL_THREADS_MAX);
	p = vpool_new(0);
	assert_non_null(p);
	assert_int_equal(vpool_threads(p), want);
	vpool_destroy(&p);
	assert_null(p);
	vpool_destroy(&p);      /* NULL is fine */
	vpool_destroy(NULL);
}

static void test_every_item_once(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 256, T_ITEMS };
	t_job_t *j = calloc(1, sizeof(*j));
	vpool_t *p = vpool_new(4);

	(void)state;
	assert_non_null(j);
	assert_non_null(p);
	vpool_wait(p);          /* no job: returns */
	assert_false(vpool_busy(p));
	for (int round = 0; round < 20; round++) {
		size_t n = sizes[round % (sizeof(sizes) / sizeof(sizes[0]))];

		memset(j, 0, sizeof(*j));
		j->spin = round % 2 ? 2000 : 0;
		vpool_start(p, t_item, j, n);
		assert_true(vpool_busy(p));
		vpool_wait(p);
		assert_false(vpool_busy(p));
		t_check(j, n);
	}
	vpool_destroy(&p);
	free(j);
}

/* The workers do share a job of slow items (with one thread waiting and
 * helping, at least one item runs elsewhere). */
static void test_workers_share(void **state)
{
	t_job_t *j = calloc(1, sizeof(*j));
	vpool_t *p = vpool_new(2);
	pthread_t self = pthread_self();
	size_t elsewhere = 0;

	(void)state;
	assert_non_null(j);
	assert_non_null(p);
	j->spin = 200000;
	vpool_start(p, t_item, j, 64);
	usleep(20000);          /* the workers start before the owner helps */
	vpool_wait(p);
	t_check(j, 64);
	for (size_t i = 0; i < 64; i++)
		elsewhere += !pthread_equal(j->by[i], self);
	assert_true(elsewhere > 0);
	vpool_destroy(&p);
	free(j);
}

/* Destroying a pool with a job in progress waits for it. */
static void test_destroy_waits(void **state)
{
	t_job_t *j = calloc(1, sizeof(*j));
	vpool_t *p = vpool_new(1);

	(void)state;
	assert_non_null(j);
	assert_non_null(p);
	j->spin = 20000;
	vpool_start(p, t_item, j, 100);
	vpool_destroy(&p);
	t_check(j, 100);
	free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_every_item_once),
		cmocka_unit_test(test_workers_share),
		cmocka_unit_test(test_destroy_waits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
