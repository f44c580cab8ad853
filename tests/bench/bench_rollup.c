/*
 * bench_rollup.c: rollup query latency through the library, on a store the
 * running aggregator writes (opened read-only beside it, as `rollup` does),
 * as tests/bench/run measures it (README "Benchmarks").
 *
 *   bench_rollup DATA_DIR UNITS_CSV CAMPAIGN QUERIES SEED PERIOD...
 *
 * QUERIES times: a unit drawn at random from UNITS_CSV and a period from
 * the PERIODs, then
 *   - get:  a read transaction, agg_rollup_get() of (CAMPAIGN, period,
 *           unit) (the materialised rollup record), the transaction ended;
 *   - view: a read transaction, view_build() of the sums-only rollup view
 *           (the unit and its children: what `rollup --json` and GET
 *           /api/rollup build before rendering), the transaction ended.
 * Each is timed on the monotonic clock. Prints one line:
 *   get_p50_us=.. get_p99_us=.. get_max_us=.. view_p50_us=.. view_p99_us=..
 *   view_max_us=.. queries=N reported=R
 * (R: the sum of units_reported over the queries, a check that the store
 * holds what the bench put there). Exit 0, or 1 with a message.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "aggstore.h"
#include "bench_util.h"
#include "hierarchy.h"
#include "lnob_err.h"
#include "view.h"

typedef struct s_bench {
	store_t *st;
	hier_t *hier;
	const char *campaign;
	char *const *periods;
	int nperiods;
	uint64_t rng;
	unsigned long long reported;
} s_bench_t;

/* xorshift64*: the next pseudo-random number of b. */
static uint64_t s_rand(s_bench_t *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 2685821657736338717ull;
}

/* One get query of (period, unit); its latency in µs into *ret_us. */
static int s_get(s_bench_t *b, const char *period, int unit, double *ret_us)
{
	Lnob__RollupRecord *rec = NULL;
	MDB_txn *txn = NULL;
	double t0 = bench_now();
	int r = store_begin(b->st, false, &txn);

	if (r == 0)
		r = agg_rollup_get(b->st, txn, b->campaign, period, hier_unit(b->hier, unit)->code,
				   &rec);
	store_abort(&txn);
	*ret_us = (bench_now() - t0) * 1e6;
	if (r == 0) {
		b->reported += rec->units_reported;
		lnob__rollup_record__free_unpacked(rec, NULL);
	}
	return r;
}

/* One view query of (period, unit); its latency in µs into *ret_us. */
static int s_view(s_bench_t *b, const char *period, int unit, double *ret_us)
{
	view_opts_t vo = { .campaigns = NULL, .campaign = b->campaign, .period = period,
			   .unit = unit, .cluster = NULL, .now = 0 };
	json_t *view = NULL;
	MDB_txn *txn = NULL;
	char err[512] = "";
	double t0 = bench_now();
	int r = store_begin(b->st, false, &txn);

	if (r == 0)
		r = view_build(b->st, txn, b->hier, &vo, &view, err, sizeof(err));
	store_abort(&txn);
	*ret_us = (bench_now() - t0) * 1e6;
	json_decref(view);
	if (r != 0 && err[0])
		fprintf(stderr, "bench_rollup: view: %s\n", err);
	return r;
}

/* Runs n queries of each kind into get[] and view[], sorted. */
static int s_run(s_bench_t *b, size_t n, double *get, double *view)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		int unit = (int)(s_rand(b) % hier_count(b->hier));
		const char *period = b->periods[s_rand(b) % (uint64_t)b->nperiods];

		r = s_get(b, period, unit, &get[i]);
		if (r == 0)
			r = s_view(b, period, unit, &view[i]);
	}
	qsort(get, n, sizeof(*get), bench_cmp_double);
	qsort(view, n, sizeof(*view), bench_cmp_double);
	return r;
}

int main(int argc, char **argv)
{
	s_bench_t b = { 0 };
	unsigned long n = 0, seed = 0;
	double *get = NULL, *view = NULL;
	char err[1024] = "";
	int r;

	if (argc < 7 || bench_arg_ul(argv[4], 1, 10000000, &n) != 0 ||
	    bench_arg_ul(argv[5], 0, 0xfffffffful, &seed) != 0) {
		fprintf(stderr, "usage: bench_rollup DATA_DIR UNITS_CSV CAMPAIGN QUERIES SEED "
				"PERIOD...\n");
		return 2;
	}
	b.campaign = argv[3];
	b.periods = argv + 6;
	b.nperiods = argc - 6;
	b.rng = 0x9e3779b97f4a7c15ull ^ seed;
	if ((r = hier_load_csv(argv[2], &b.hier, err, sizeof(err))) != 0 ||
	    (r = aggstore_open(argv[1], 0, STORE_RDONLY, &b.st, err, sizeof(err))) != 0) {
		fprintf(stderr, "bench_rollup: %s\n", err[0] ? err : lnob_strerror(r));
		hier_destroy(&b.hier);
		return 1;
	}
	get = calloc(n, sizeof(*get));
	view = calloc(n, sizeof(*view));
	r = (get && view) ? s_run(&b, n, get, view) : -1;
	if (r == 0)
		printf("get_p50_us=%.2f get_p99_us=%.2f get_max_us=%.2f view_p50_us=%.2f "
		       "view_p99_us=%.2f view_max_us=%.2f queries=%lu reported=%llu\n",
		       bench_quantile(get, n, 0.5), bench_quantile(get, n, 0.99), get[n - 1],
		       bench_quantile(view, n, 0.5), bench_quantile(view, n, 0.99), view[n - 1], n,
		       b.reported);
	else
		fprintf(stderr, "bench_rollup: %s\n", r == -1 ? "out of memory" : lnob_strerror(r));
	free(get);
	free(view);
	store_destroy(&b.st);
	hier_destroy(&b.hier);
	return r == 0 ? 0 : 1;
}
