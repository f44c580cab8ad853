/* test_store.c: the LMDB helpers: create, reopen, schema check, read-only
 * open, damaged files, map full and growth, stale reader slots, the one
 * iterator, nested transactions. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lnob_err.h"
#include "store.h"
#include "util.h"

static const char *const s_dbs[] = { "one", "two" };

static store_t *s_open(const char *dir, const char *schema, unsigned flags, size_t map, int *ret)
{
	store_t *st = NULL;
	char err[512] = "";

	*ret = store_open(dir, schema, 1, s_dbs, 2, map, flags, &st, err, sizeof(err));
	if (*ret < 0)
		assert_non_null(strstr(err, dir));   /* every error names the place */
	return st;
}

static void test_create_reopen(void **state)
{
	const char *dir = tu_tmpdir();
	store_t *st;
	MDB_txn *txn;
	MDB_val v;
	uint64_t n;
	size_t cnt;
	int r;

	(void)state;
	st = s_open(dir, "test", 0, 1 << 20, &r);
	assert_int_equal(r, 0);
	assert_int_equal(store_begin(st, true, &txn), 0);
	assert_int_equal(store_put(txn, store_dbi(st, 0), "k", 1, "v1", 2, 0), 0);
	assert_int_equal(store_put(txn, store_dbi(st, 1), "k", 1, "v2", 2, 0), 0);
	assert_int_equal(store_put(txn, store_dbi(st, 0), "k", 1, "v3", 2, MDB_NOOVERWRITE), LNOB_E_EXISTS);
	assert_int_equal(store_meta_put_u64(txn, st, "next_seq", 77), 0);
	assert_int_equal(store_commit(&txn), 0);
	assert_null(txn);
	store_destroy(&st);
	assert_null(st);
	store_destroy(&st);   /* NULL is fine */

	st = s_open(dir, "test", STORE_RDONLY, 0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(store_begin(st, false, &txn), 0);
	assert_int_equal(store_get(txn, store_dbi(st, 0), "k", 1, &v), 0);
	assert_memory_equal(v.mv_data, "v1", 2);
	assert_int_equal(store_get(txn, store_dbi(st, 1), "k", 1, &v), 0);
	assert_memory_equal(v.mv_data, "v2", 2);
	assert_int_equal(store_get(txn, store_dbi(st, 1), "zz", 2, &v), LNOB_E_NOTFOUND);
	assert_int_equal(store_meta_get_u64(txn, st, "next_seq", &n), 0);
	assert_int_equal(n, 77);
	assert_int_equal(store_meta_get_u64(txn, st, "absent", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_count(txn, st, 0, &cnt), 0);
	assert_int_equal(cnt, 1);
	store_abort(&txn);
	store_abort(&txn);
	store_destroy(&st);
	tu_rmtree(dir);
}

static void test_schema_mismatch(void **state)
{
	const char *dir = tu_tmpdir();
	store_t *st;
	int r;

	(void)state;
	st = s_open(dir, "outbox", 0, 1 << 20, &r);
	assert_int_equal(r, 0);
	store_destroy(&st);
	st = s_open(dir, "aggregator", 0, 1 << 20, &r);
	assert_int_equal(r, LNOB_E_SCHEMA);
	assert_null(st);
	tu_rmtree(dir);
}

static void test_readonly_missing(void **state)
{
	const char *dir = tu_tmpdir();
	int r;

	(void)state;
	assert_null(s_open(dir, "test", STORE_RDONLY, 0, &r));
	assert_int_equal(r, -ENOENT);
	tu_rmtree(dir);
}

/* A store others may read or write is refused for writing, naming the
 * mode and the chmod; readers still open it. */
static void test_private_modes(void **state)
{
	const char *dir = tu_tmpdir();
	char path[1100], err[512] = "";
	store_t *st;
	int r;

	(void)state;
	assert_non_null(st = s_open(dir, "test", 0, 0, &r));
	store_destroy(&st);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(store_open(dir, "test", 1, s_dbs, 2, 0, 0, &st, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "the store's directory has mode 0777"));
	assert_non_null(strstr(err, "chmod 700"));
	assert_non_null(st = s_open(dir, "test", STORE_RDONLY, 0, &r));
	store_destroy(&st);
	assert_int_equal(chmod(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(store_open(dir, "test", 1, s_dbs, 2, 0, 0, &st, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "data.mdb: the store's data file has mode 0644"));
	assert_int_equal(chmod(path, 0600), 0);
	assert_non_null(st = s_open(dir, "test", 0, 0, &r));
	store_destroy(&st);
	tu_rmtree(dir);
}

/* LMDB makes a file whose main database is empty before the writer's first
 * commit: a reader meeting it finds no store yet; a file some other program
 * filled (a database that is not ours) is a schema error. */
static void s_foreign(const char *dir, const char *db)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	if (db) {
		assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
		assert_int_equal(mdb_dbi_open(txn, db, MDB_CREATE, &dbi), 0);
		assert_int_equal(mdb_txn_commit(txn), 0);
	}
	mdb_env_close(env);
}

static void test_readonly_being_created(void **state)
{
	const char *dir = tu_tmpdir();
	int r;

	(void)state;
	s_foreign(dir, NULL);
	assert_null(s_open(dir, "test", STORE_RDONLY, 0, &r));
	assert_int_equal(r, -ENOENT);
	s_foreign(dir, "theirs");
	assert_null(s_open(dir, "test", STORE_RDONLY, 0, &r));
	assert_int_equal(r, LNOB_E_SCHEMA);
	tu_rmtree(dir);
}

static void test_damaged_files(void **state)
{
	const char *dir = tu_tmpdir();
	char path[4200], junk[16384];
	store_t *st;
	MDB_txn *txn;
	int r, fd;

	(void)state;
	/* a healthy store with some data, then truncated */
	st = s_open(dir, "test", 0, 8 << 20, &r);
	assert_int_equal(r, 0);
	assert_int_equal(store_begin(st, true, &txn), 0);
	memset(junk, 'x', sizeof(junk));
	for (int i = 0; i < 200; i++) {
		char k[16];
		snprintf(k, sizeof(k), "key%04d", i);
		assert_int_equal(store_put(txn, store_dbi(st, 0), k, strlen(k), junk, 3000, 0), 0);
	}
	assert_int_equal(store_commit(&txn), 0);
	store_destroy(&st);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	assert_int_equal(truncate(path, 64 * 1024), 0);
	assert_null(s_open(dir, "test", 0, 8 << 20, &r));
	assert_int_equal(r, LNOB_E_CORRUPT);
	assert_int_equal(truncate(path, 1000), 0);
	assert_null(s_open(dir, "test", 0, 8 << 20, &r));
	assert_int_equal(r, LNOB_E_CORRUPT);
	/* not an LMDB file at all */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	assert_null(s_open(dir, "test", 0, 8 << 20, &r));
	assert_int_equal(r, LNOB_E_CORRUPT);
	tu_rmtree(dir);
}

static void test_map_full_and_grow(void **state)
{
	const char *dir = tu_tmpdir();
	static char big[64 * 1024];
	store_t *st;
	MDB_txn *txn;
	int r = 0, i;

	(void)state;
	st = s_open(dir, "test", 0, 256 * 1024, &r);
	assert_int_equal(r, 0);
	assert_int_equal(store_begin(st, true, &txn), 0);
	for (i = 0; i < 100 && r == 0; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%03d", i);
		r = store_put(txn, store_dbi(st, 0), k, strlen(k), big, sizeof(big), 0);
	}
	assert_int_equal(r, LNOB_E_FULL);   /* converted at the store's edge */
	assert_non_null(strstr(lnob_strerror(r), "full"));
	store_abort(&txn);
	assert_int_equal(store_grow(st, 16 << 20), 0);
	assert_true(store_map_size(st) >= (16u << 20));
	assert_int_equal(store_begin(st, true, &txn), 0);
	for (i = 0; i < 100; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%03d", i);
		assert_int_equal(store_put(txn, store_dbi(st, 0), k, strlen(k), big, sizeof(big), 0), 0);
	}
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(store_reader_check(st, NULL), 0);
	store_destroy(&st);
	tu_rmtree(dir);
}

/* Forks a child that opens dir read-only (beginning a read transaction
 * when in_txn), says so on a pipe and waits to be killed. Returns its pid. */
static pid_t s_spawn_reader(const char *dir, bool in_txn)
{
	int fds[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		store_t *st = NULL;
		MDB_txn *txn = NULL;
		char err[256];

		close(fds[0]);
		alarm(30);   /* never outlives a broken test */
		if (store_open(dir, "test", 1, s_dbs, 2, 0, STORE_RDONLY, &st, err, sizeof(err)) < 0 ||
		    (in_txn && store_begin(st, false, &txn) < 0))
			_exit(3);
		if (write(fds[1], "r", 1) != 1)
			_exit(4);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

static void s_kill(pid_t pid)
{
	int status;

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
}

static void test_stale_readers(void **state)
{
	const char *dir = tu_tmpdir();
	store_t *st;
	pid_t holder;
	int r, dead = -1;

	(void)state;
	st = s_open(dir, "test", 0, 1 << 20, &r);
	assert_int_equal(r, 0);
	assert_int_equal(store_stale_readers_at_open(st), 0);
	/* Killed inside a read transaction beside the running writer: the
	 * periodic check clears its slot, once. */
	s_kill(s_spawn_reader(dir, true));
	assert_int_equal(store_reader_check(st, &dead), 0);
	assert_int_equal(dead, 1);
	assert_int_equal(store_reader_check(st, &dead), 0);
	assert_int_equal(dead, 0);
	store_destroy(&st);
	/* The same while the writer is down but another reader keeps the
	 * environment open (alone, the first process to open it resets the
	 * reader table): store_open clears it and says how many. */
	holder = s_spawn_reader(dir, true);
	s_kill(s_spawn_reader(dir, true));
	st = s_open(dir, "test", 0, 1 << 20, &r);
	assert_int_equal(r, 0);
	assert_int_equal(store_stale_readers_at_open(st), 1);
	assert_int_equal(store_reader_check(st, &dead), 0);
	assert_int_equal(dead, 0);
	/* The live reader's slot is never cleared; once it is killed, it is. */
	s_kill(holder);
	assert_int_equal(store_reader_check(st, &dead), 0);
	assert_int_equal(dead, 1);
	store_destroy(&st);
	tu_rmtree(dir);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(lnob_strerror(0), "success");
	assert_string_equal(lnob_strerror(-ENOENT), strerror(ENOENT));
	assert_string_equal(lnob_strerror(LNOB_E_KEYPERM),
			    "secret key file is readable by group or others");
	assert_string_equal(lnob_strerror(MDB_NOTFOUND), mdb_strerror(MDB_NOTFOUND));
	for (int c = LNOB_E_LAST; c < LNOB_E_BASE; c++)
		assert_string_not_equal(lnob_strerror(c), "unknown error");
}

/* store_foreach(): a collector of keys, stopping at "stop". */
typedef struct s_walk {
	char seen[8][8];
	size_t n;
} s_walk_t;

static int s_collect(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_walk_t *w = ctx;

	(void)v;
	if (k->mv_size == 4 && memcmp(k->mv_data, "stop", 4) == 0)
		return 1;
	if (k->mv_size == 4 && memcmp(k->mv_data, "fail", 4) == 0)
		return LNOB_E_CORRUPT;
	assert_true(w->n < 8 && k->mv_size < 8);
	memcpy(w->seen[w->n], k->mv_data, k->mv_size);
	w->seen[w->n++][k->mv_size] = '\0';
	return 0;
}

/* The one iterator: every entry in key order, from a key, stopping when
 * asked, a callback's error returned. */
static void test_foreach(void **state)
{
	const char *dir = tu_tmpdir();
	static const char *const keys[] = { "a", "b", "c", "stop", "x" };
	s_walk_t w;
	store_t *st;
	MDB_txn *txn;
	int r;

	(void)state;
	st = s_open(dir, "test", 0, 1 << 20, &r);
	assert_int_equal(r, 0);
	assert_int_equal(store_begin(st, true, &txn), 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_foreach(txn, store_dbi(st, 0), NULL, 0, s_collect, &w), 0);
	assert_int_equal(w.n, 0);   /* empty */
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(store_put(txn, store_dbi(st, 0), keys[i], strlen(keys[i]), "", 0, 0), 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_foreach(txn, store_dbi(st, 0), NULL, 0, s_collect, &w), 0);
	assert_int_equal(w.n, 3);   /* a b c, then stop */
	assert_string_equal(w.seen[2], "c");
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_foreach(txn, store_dbi(st, 0), "bb", 2, s_collect, &w), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.seen[0], "c");
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_foreach(txn, store_dbi(st, 0), "t", 1, s_collect, &w), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.seen[0], "x");
	assert_int_equal(store_put(txn, store_dbi(st, 1), "fail", 4, "", 0, 0), 0);
	assert_int_equal(store_foreach(txn, store_dbi(st, 1), NULL, 0, s_collect, &w), LNOB_E_CORRUPT);
	store_abort(&txn);
	store_destroy(&st);
	tu_rmtree(dir);
}

/* A nested transaction: committed, its writes are the parent's; aborted,
 * the parent is as it was and goes on. What is the store's trouble and
 * what the data's. */
static void test_child_txn(void **state)
{
	const char *dir = tu_tmpdir();
	store_t *st;
	MDB_txn *txn, *child = NULL;
	MDB_val v;
	int r;

	(void)state;
	st = s_open(dir, "test", 0, 1 << 20, &r);
	assert_int_equal(r, 0);
	assert_int_equal(store_begin(st, true, &txn), 0);
	assert_int_equal(store_begin_child(txn, &child), 0);
	assert_int_equal(store_put(child, store_dbi(st, 0), "kept", 4, "1", 1, 0), 0);
	assert_int_equal(store_commit(&child), 0);
	assert_int_equal(store_begin_child(txn, &child), 0);
	assert_int_equal(store_put(child, store_dbi(st, 0), "undone", 6, "2", 1, 0), 0);
	store_abort(&child);
	assert_null(child);
	assert_int_equal(store_put(txn, store_dbi(st, 0), "after", 5, "3", 1, 0), 0);
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(store_begin(st, false, &txn), 0);
	assert_int_equal(store_get(txn, store_dbi(st, 0), "kept", 4, &v), 0);
	assert_int_equal(store_get(txn, store_dbi(st, 0), "undone", 6, &v), LNOB_E_NOTFOUND);
	assert_int_equal(store_get(txn, store_dbi(st, 0), "after", 5, &v), 0);
	store_abort(&txn);
	store_destroy(&st);
	tu_rmtree(dir);
	assert_true(store_is_transient(LNOB_E_FULL));
	assert_true(store_is_transient(LNOB_E_BROKEN));
	assert_true(store_is_transient(MDB_TXN_FULL));
	assert_true(store_is_transient(-EIO));
	assert_true(store_is_transient(-ENOSPC));
	assert_true(store_is_transient(-ENOMEM));
	assert_false(store_is_transient(MDB_BAD_VALSIZE));
	assert_false(store_is_transient(LNOB_E_OVERFLOW));
	assert_false(store_is_transient(LNOB_E_CORRUPT));
	assert_false(store_is_transient(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_reopen),
		cmocka_unit_test(test_schema_mismatch),
		cmocka_unit_test(test_readonly_missing),
		cmocka_unit_test(test_private_modes),
		cmocka_unit_test(test_readonly_being_created),
		cmocka_unit_test(test_damaged_files),
		cmocka_unit_test(test_map_full_and_grow),
		cmocka_unit_test(test_stale_readers),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_child_txn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
