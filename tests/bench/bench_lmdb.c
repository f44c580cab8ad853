/*
 * bench_lmdb.c: the limit of LMDB's durable writes on the store's disk: puts
 * of VALUE_BYTES-byte values in write transactions of BATCH puts, each
 * committed with LMDB's default durability (a sync per commit, no
 * MDB_NOSYNC, as lnob's stores open), as tests/bench/run measures it
 * (README "Benchmarks"). It calls LMDB itself on purpose: it measures the
 * library under lnob, not lnob's store module.
 *
 *   bench_lmdb DIR [BATCHES [BATCH [VALUE_BYTES]]]   (defaults 100, 1000, 400)
 *
 * Makes a new environment in DIR (which must be empty or absent; the
 * caller removes it), keys "bench" \0 be64(seq) ascending like the
 * aggregator's envelope log, random values. Prints one line:
 *   lmdb_puts_per_s=N commits_per_s=C puts=K seconds=S
 * Exit 0, or 1 with LMDB's message.
 */
#include <errno.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench_util.h"

#define BENCH_PREFIX "bench"
#define BENCH_KEY_LEN (sizeof(BENCH_PREFIX) + 8)

/* One batch: BATCH puts from *seq on, one commit. Returns 0 or an LMDB code. */
static int s_batch(MDB_env *env, MDB_dbi dbi, unsigned long batch, unsigned char *val,
		   size_t vlen, uint64_t *seq)
{
	MDB_txn *txn = NULL;
	int r = mdb_txn_begin(env, NULL, 0, &txn);

	for (unsigned long i = 0; r == 0 && i < batch; i++) {
		unsigned char key[BENCH_KEY_LEN];
		uint64_t s = ++*seq;
		MDB_val k = { sizeof(key), key }, v = { vlen, val };

		memcpy(key, BENCH_PREFIX, sizeof(BENCH_PREFIX));
		for (int b = 0; b < 8; b++)
			key[sizeof(BENCH_PREFIX) + (size_t)b] = (unsigned char)(s >> (56 - 8 * b));
		memcpy(val, &s, sizeof(s));     /* every value differs */
		r = mdb_put(txn, dbi, &k, &v, 0);
	}
	if (r == 0)
		return mdb_txn_commit(txn);
	mdb_txn_abort(txn);
	return r;
}

/* Opens the environment in dir with one unnamed database. */
static int s_open(const char *dir, size_t map, MDB_env **ret_env, MDB_dbi *ret_dbi)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	int r;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return errno;
	if ((r = mdb_env_create(&env)) != 0)
		return r;
	if ((r = mdb_env_set_mapsize(env, map)) == 0 &&
	    (r = mdb_env_open(env, dir, MDB_NOTLS, 0600)) == 0 &&
	    (r = mdb_txn_begin(env, NULL, 0, &txn)) == 0 &&
	    (r = mdb_dbi_open(txn, NULL, 0, ret_dbi)) == 0) {
		r = mdb_txn_commit(txn);
		txn = NULL;
	}
	if (txn)
		mdb_txn_abort(txn);
	if (r != 0) {
		mdb_env_close(env);
		return r;
	}
	*ret_env = env;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long batches = 100, batch = 1000, vlen = 400;
	MDB_env *env = NULL;
	MDB_dbi dbi = 0;
	unsigned char *val;
	uint64_t seq = 0;
	double t0, t1;
	int r;

	if (argc < 2 || argc > 5 ||
	    (argc > 2 && bench_arg_ul(argv[2], 1, 100000, &batches) != 0) ||
	    (argc > 3 && bench_arg_ul(argv[3], 1, 100000, &batch) != 0) ||
	    (argc > 4 && bench_arg_ul(argv[4], 8, 65536, &vlen) != 0)) {
		fprintf(stderr, "usage: bench_lmdb DIR [BATCHES [BATCH [VALUE_BYTES]]]\n");
		return 2;
	}
	if ((val = malloc(vlen)) == NULL)
		return 1;
	for (unsigned long i = 0, x = 88172645; i < vlen; i++) {
		x = x * 6364136223846793005ul + 1442695040888963407ul;   /* filler */
		val[i] = (unsigned char)(x >> 56);
	}
	/* The data, twice over for LMDB's pages and the free list. */
	r = s_open(argv[1], (size_t)batches * batch * (vlen + 64) * 2 + (64u << 20), &env, &dbi);
	if (r != 0) {
		fprintf(stderr, "bench_lmdb: %s: %s\n", argv[1], mdb_strerror(r));
		free(val);
		return 1;
	}
	t0 = bench_now();
	for (unsigned long b = 0; r == 0 && b < batches; b++)
		r = s_batch(env, dbi, batch, val, vlen, &seq);
	t1 = bench_now();
	mdb_env_close(env);
	free(val);
	if (r != 0) {
		fprintf(stderr, "bench_lmdb: %s: %s\n", argv[1], mdb_strerror(r));
		return 1;
	}
	printf("lmdb_puts_per_s=%.0f commits_per_s=%.1f puts=%llu seconds=%.3f\n",
	       (double)seq / (t1 - t0), (double)batches / (t1 - t0), (unsigned long long)seq,
	       t1 - t0);
	return 0;
}
