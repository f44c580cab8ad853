/*
 * store.h: LMDB helpers shared by the collector's outbox and the aggregator.
 *
 * A store is one LMDB environment in a directory (data.mdb, lock.mdb) with
 * named databases. Every store carries a "meta" database holding the schema
 * name and version; opening a store of another schema fails.
 *
 * Codes are converted here, at the store's edge: a missing record is
 * LNOB_E_NOTFOUND, a taken key (MDB_NOOVERWRITE) LNOB_E_EXISTS, a full map
 * LNOB_E_FULL (store_grow() may help), a damaged file LNOB_E_CORRUPT, an
 * environment that failed LNOB_E_BROKEN, errno values negated. Any other
 * LMDB code is passed on only to be named (lnob_strerror()) or classed
 * (store_is_transient()); no caller tests for one.
 */
#ifndef LNOB_STORE_H
#define LNOB_STORE_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_MAX_DBS 24

typedef struct store store_t;

enum store_flags {
	STORE_RDONLY = 1 << 0,   /* open as a reader beside a running daemon */
};

/* Opens (creating when writable and absent) the store in dir with the
 * named databases dbs[0..ndbs-1] (plus "meta"), map size map_size bytes,
 * checking the schema name and version recorded in meta (a new store records
 * them). Clears stale reader slots left by killed processes.
 * On failure err names the directory and the cause, and *ret is not written.
 * Returns 0, -errno, an LMDB code, LNOB_E_SCHEMA or LNOB_E_CORRUPT. */
int store_open(const char *dir, const char *schema, uint32_t version,
	       const char *const *dbs, size_t ndbs, size_t map_size,
	       unsigned flags, store_t **ret, char *err, size_t errlen);

/* Closes the store. Accepts NULL; sets *self_p to NULL. */
void store_destroy(store_t **self_p);

/* A database's handle. The index i is the position in the dbs array given
 * to store_open(); STORE_META is the meta database. */
#define STORE_META ((size_t)-1)
MDB_dbi store_dbi(store_t *self, size_t i);
const char *store_dir(const store_t *self);

/* What a writable open checks of dir without opening it (for `run -n`):
 * when dir exists, neither it nor its data.mdb may be readable or writable
 * by group or others. Returns 0 or -EACCES (err names the mode and the
 * chmod), or -errno. */
int store_check_private(const char *dir, char *err, size_t errlen);

/* What failure r of a write to the store means, for a message, into buf
 * (len bytes; returns buf): when r is -ENOSPC or -EIO (LMDB's word for a
 * short write) and the file system holding the store has under 1 MiB
 * left, "the disk holding <dir> is full (N kB free)"; else
 * lnob_strerror(r). */
const char *store_strerror(const store_t *self, int r, char *buf, size_t len);

/* Writes a consistent, compacted copy of the store (one read transaction:
 * a daemon may write meanwhile) to fd, an empty file open for writing
 * (mdb_env_copyfd2 with MDB_CP_COMPACT). The caller syncs and closes fd.
 * Returns 0 or a code. */
int store_copy_to_fd(store_t *self, int fd);

/* Begins a transaction (read-only when !write). Returns 0 or an LMDB code. */
int store_begin(store_t *self, bool write, MDB_txn **ret_txn);
/* Begins a read-only transaction that never adopts another process's
 * map size (MDB_MAP_RESIZED is returned as it is, as a code): the one
 * kind a thread may begin beside other threads' open transactions of
 * this process (mdb_env_set_mapsize() needs none open). Returns 0 or an
 * LMDB code. */
int store_begin_shared(store_t *self, MDB_txn **ret_txn);
/* Sets fn(ctx), called in the calling thread before this process changes
 * the map size (store_grow(), or store_begin() adopting another
 * process's size), to close every other thread's transactions first
 * (fn NULL: none). */
void store_set_quiesce(store_t *self, void (*fn)(void *ctx), void *ctx);
/* Begins a write transaction nested in parent (a write transaction with no
 * other child open): committing it hands its writes to parent, aborting it
 * undoes them and leaves parent as it was. Returns 0 or an LMDB code. */
int store_begin_child(MDB_txn *parent, MDB_txn **ret_txn);
/* True when r, a code from a store operation, is the store's trouble
 * rather than the data's: LMDB running out of room or failing (LNOB_E_FULL,
 * LNOB_E_BROKEN, transaction full, readers full, a bad transaction) or an errno
 * (I/O, disk full, memory). Such a failure may pass; anything else (a
 * value that does not fit, a record that does not parse) fails again with
 * the same data. */
bool store_is_transient(int r);
/* Commits; the transaction is gone either way and *txn_p is set to NULL. */
int store_commit(MDB_txn **txn_p);
/* Aborts; accepts NULL and *txn_p == NULL. */
void store_abort(MDB_txn **txn_p);

/* Thin wrappers (LNOB_E_NOTFOUND, LNOB_E_EXISTS ...). Borrowed data in
 * *ret is valid until the next update in the transaction or its end. */
int store_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, MDB_val *ret);
int store_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
	      const void *val, size_t vlen, unsigned flags);
int store_del(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen);
/* The last (greatest) key of dbi into *ret_key (borrowed, as store_get()'s
 * data), for a log appended to with store_put(..., MDB_APPEND). Returns 0,
 * LNOB_E_NOTFOUND (dbi is empty) or a store code. */
int store_last(MDB_txn *txn, MDB_dbi dbi, MDB_val *ret_key);

/* Calls fn(ctx, key, value) for each entry of dbi in key order, starting at
 * the first key >= from (flen bytes; from NULL: the first entry), until fn
 * returns non-zero: a negative code stops the walk and is returned, a
 * positive one stops it and 0 is returned. Key and value are borrowed for
 * the call (fn must not write to txn). Returns 0, fn's code or an LMDB
 * code. */
typedef int (*store_each_fn)(void *ctx, const MDB_val *key, const MDB_val *val);
int store_foreach(MDB_txn *txn, MDB_dbi dbi, const void *from, size_t flen, store_each_fn fn,
		  void *ctx);

/* Meta helpers: a uint64 under a name in meta (0 when absent). */
int store_meta_get_u64(MDB_txn *txn, store_t *self, const char *name, uint64_t *ret);
int store_meta_put_u64(MDB_txn *txn, store_t *self, const char *name, uint64_t v);

/* Number of entries in database i. */
int store_count(MDB_txn *txn, store_t *self, size_t i, size_t *ret);

/* Clears stale reader slots (left by processes that died inside a read
 * transaction; they pin old pages, so the map fills up). *ret_dead (may be
 * NULL) gets how many. Returns 0 or an LMDB code / -errno. */
int store_reader_check(store_t *self, int *ret_dead);
/* How many stale reader slots store_open() cleared (0 or more), so that the
 * caller can log it. */
int store_stale_readers_at_open(const store_t *self);

/* Grows the map to at least new_size bytes (LMDB rounds a size below the
 * data in use up to it). Only with no open transaction in this process
 * (LMDB's rule for mdb_env_set_mapsize); readers in other processes adopt
 * the new size on their next store_begin() (MDB_MAP_RESIZED is retried
 * there). Returns 0 or an LMDB code / -errno; after a failure the
 * environment may be left unmapped: the caller must not use it again, only
 * store_destroy() it. */
int store_grow(store_t *self, size_t new_size);
/* The current map size in bytes (0 if LMDB cannot say). */
size_t store_map_size(store_t *self);

/* The id of txn (mdb_txn_id(): a read transaction's is the last committed
 * one's when it began), 0 for NULL. */
uint64_t store_txn_id(MDB_txn *txn);

#endif
