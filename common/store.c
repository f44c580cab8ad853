/* store.c: LMDB environments with named databases and a schema check
 * (see store.h). */
#include "store.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "lnob_err.h"

/* The two meta pages LMDB writes first (4 KiB pages): a shorter file is
 * damaged, or not written yet. */
#define S_META_BYTES ((off_t)2 * 4096)
#include "util.h"

struct store {
	MDB_env *env;
	MDB_dbi meta;
	MDB_dbi dbi[STORE_MAX_DBS];
	size_t ndbs;
	int stale_at_open;   /* reader slots of dead processes cleared by store_open() */
	void (*quiesce)(void *ctx);   /* before a map size change (store_set_quiesce()) */
	void *quiesce_ctx;
	char dir[1024];
};

/* LMDB's code r as lnob's: what a caller decides on is converted here, at
 * the store's edge (not found, exists, full, damaged, broken); errno values
 * are negated; the rest stay LMDB's, meaningful only to store_is_transient()
 * and lnob_strerror(). */
static int s_code(int r)
{
	switch (r) {
	case MDB_SUCCESS: return 0;
	case MDB_NOTFOUND: return LNOB_E_NOTFOUND;
	case MDB_KEYEXIST: return LNOB_E_EXISTS;
	case MDB_MAP_FULL: return LNOB_E_FULL;
	case MDB_PANIC: return LNOB_E_BROKEN;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
	case MDB_INCOMPATIBLE: return LNOB_E_CORRUPT;
	default: return r > 0 ? -r : r;
	}
}

/* Checks data.mdb before LMDB maps it: a file shorter than its own meta
 * page says would make reads fault, so it is refused as damaged. */
static int s_check_file(const char *dir, bool *ret_exists, char *err, size_t errlen)
{
	char path[1100];
	struct stat st;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT) {
			*ret_exists = false;
			return 0;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	*ret_exists = true;
	/* A process creating the store (e.g. `run` beside a first `submit`)
	 * has the file at 0 bytes until LMDB writes its meta pages: give it
	 * up to 200 ms before calling a short file damaged. */
	for (int i = 0; i < 20 && st.st_size < S_META_BYTES; i++) {
		struct timespec ts = { 0, 10L * 1000 * 1000 };

		nanosleep(&ts, NULL);
		if (stat(path, &st) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -errno;
		}
	}
	if (st.st_size < S_META_BYTES) {
		snprintf(err, errlen, "%s: store file is truncated (%lld bytes, "
			 "smaller than its two meta pages); refusing to open it, "
			 "restore it from a backup", path, (long long)st.st_size);
		return LNOB_E_CORRUPT;
	}
	return 0;
}

/* After open: the last page the meta records must lie inside the file. */
static int s_check_extent(store_t *self, char *err, size_t errlen)
{
	MDB_envinfo info;
	MDB_stat st;
	struct stat fst;
	char path[1100];

	snprintf(path, sizeof(path), "%s/data.mdb", self->dir);
	if (mdb_env_info(self->env, &info) != 0 || mdb_env_stat(self->env, &st) != 0)
		return 0;
	if (stat(path, &fst) < 0)
		return 0;
	if ((unsigned long long)(info.me_last_pgno + 1) * st.ms_psize >
	    (unsigned long long)fst.st_size) {
		snprintf(err, errlen, "%s: store file is truncated (%lld bytes, but its "
			 "meta page says %llu); refusing to open it, restore it from a backup",
			 path, (long long)fst.st_size,
			 (unsigned long long)(info.me_last_pgno + 1) * st.ms_psize);
		return LNOB_E_CORRUPT;
	}
	return 0;
}

static int s_check_schema(store_t *self, MDB_txn *txn, bool write, const char *schema,
			  uint32_t version, char *err, size_t errlen)
{
	MDB_val v;
	uint64_t have = 0;
	int r = store_get(txn, self->meta, "schema", 6, &v);

	if (r == LNOB_E_NOTFOUND) {
		if (!write) {
			snprintf(err, errlen, "%s: store has no schema record (not initialised)", self->dir);
			return LNOB_E_SCHEMA;
		}
		r = store_put(txn, self->meta, "schema", 6, schema, strlen(schema), 0);
		if (r == 0)
			r = store_meta_put_u64(txn, self, "schema_version", version);
		if (r < 0)
			snprintf(err, errlen, "%s: cannot record schema: %s", self->dir, lnob_strerror(r));
		return r;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", self->dir, lnob_strerror(r));
		return r;
	}
	if (v.mv_size != strlen(schema) || memcmp(v.mv_data, schema, v.mv_size) != 0) {
		snprintf(err, errlen, "%s: store holds schema '%.*s', expected '%s'",
			 self->dir, (int)v.mv_size, (const char *)v.mv_data, schema);
		return LNOB_E_SCHEMA;
	}
	r = store_meta_get_u64(txn, self, "schema_version", &have);
	if (r < 0 || have != version) {
		snprintf(err, errlen, "%s: store schema '%s' version %llu, this program needs %u",
			 self->dir, schema, (unsigned long long)have, version);
		return LNOB_E_SCHEMA;
	}
	return 0;
}

/* Creates and opens the LMDB environment of dir (the file checked already). */
static int s_env_open(store_t *self, const char *dir, size_t ndbs, size_t map_size, bool write,
		      char *err, size_t errlen)
{
	int r;

	if ((r = mdb_env_create(&self->env)) != 0 ||
	    (r = mdb_env_set_maxdbs(self->env, (MDB_dbi)ndbs + 1)) != 0 ||
	    (map_size && (r = mdb_env_set_mapsize(self->env, map_size)) != 0)) {
		snprintf(err, errlen, "%s: %s", dir, mdb_strerror(r));
		return r > 0 ? -r : r;
	}
	r = mdb_env_open(self->env, dir, (write ? 0 : MDB_RDONLY) | MDB_NOTLS, 0600);
	if (r == MDB_INVALID || r == MDB_VERSION_MISMATCH || r == MDB_CORRUPTED) {
		snprintf(err, errlen, "%s/data.mdb: store file is damaged or not an LMDB "
			 "file (%s); refusing to open it, restore it from a backup",
			 dir, mdb_strerror(r));
		return LNOB_E_CORRUPT;
	}
	if (r != 0) {
		snprintf(err, errlen, "%s: cannot open store: %s", dir, lnob_strerror(r > 0 ? -r : r));
		return r > 0 ? -r : r;
	}
	return 0;
}

/* Whether the main database holds nothing: no transaction has committed
 * into a file LMDB has just made. */
static bool s_main_empty(MDB_txn *txn)
{
	MDB_dbi main;
	MDB_stat ms;

	return mdb_dbi_open(txn, NULL, 0, &main) == 0 && mdb_stat(txn, main, &ms) == 0 &&
	       ms.ms_entries == 0;
}

/* Opens (creating when writable) the meta database and dbs[0..ndbs-1]. */
static int s_dbs_open(store_t *self, MDB_txn *txn, const char *const *dbs, size_t ndbs,
		      bool write, char *err, size_t errlen)
{
	int r = mdb_dbi_open(txn, "meta", write ? MDB_CREATE : 0, &self->meta);
	const char *missing = "meta";

	for (size_t i = 0; r == 0 && i < ndbs; i++) {
		missing = dbs[i];
		r = mdb_dbi_open(txn, dbs[i], write ? MDB_CREATE : 0, &self->dbi[i]);
	}
	if (r == 0)
		return 0;
	if (r == MDB_NOTFOUND && s_main_empty(txn)) {
		/* A writer has made the file and not yet committed its first
		 * transaction: for a reader there is no store here yet. */
		snprintf(err, errlen, "%s: no store here yet (being created)", self->dir);
		return -ENOENT;
	}
	if (r == MDB_NOTFOUND) {
		snprintf(err, errlen, "%s: store lacks its database '%s' (not made by this "
			 "program, or by an older version of it: the daemon's `run` adds what "
			 "a newer version needs)", self->dir, missing);
		return LNOB_E_SCHEMA;
	}
	if (r == MDB_INCOMPATIBLE || r == MDB_CORRUPTED || r == MDB_PAGE_NOTFOUND) {
		snprintf(err, errlen, "%s/data.mdb: store file is damaged (%s); refusing "
			 "to open it, restore it from a backup", self->dir, mdb_strerror(r));
		return LNOB_E_CORRUPT;
	}
	snprintf(err, errlen, "%s: %s", self->dir, mdb_strerror(r));
	return s_code(r);
}

/* Refuses a store whose directory or data file others may read or write
 * (path's mode & 077): a store holds every report and node key. */
static int s_check_private(const char *path, bool dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT && !dir)
			return 0;   /* not made yet: LMDB makes it 0600 */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!(st.st_mode & 077))
		return 0;
	snprintf(err, errlen, "%s: the store's %s has mode %04o; group and others must not read "
		 "or write it (chmod %s %s)", path, dir ? "directory" : "data file",
		 (unsigned)(st.st_mode & 07777), dir ? "700" : "600", path);
	return -EACCES;
}

int store_check_private(const char *dir, char *err, size_t errlen)
{
	char path[1100];
	struct stat st;
	int r;

	if (stat(dir, &st) < 0 && errno == ENOENT)
		return 0;   /* made 0700 at the first run */
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if ((r = s_check_private(dir, true, err, errlen)) < 0 ||
	    (r = s_check_private(path, false, err, errlen)) < 0)
		return r;
	return 0;
}

/* The directory and its data file, before LMDB sees them: made when
 * writable, refused when missing and read-only, or (writable) when others
 * may read or write them. */
static int s_prepare(store_t *self, const char *dir, bool write, bool *ret_exists, char *err,
		     size_t errlen)
{
	int r;

	if (lnob_strlcpy(self->dir, dir, sizeof(self->dir)) < 0) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	if (write && (r = lnob_mkdirs(dir)) < 0) {
		snprintf(err, errlen, "%s: cannot create directory: %s", dir, lnob_strerror(r));
		return r;
	}
	if (write) {
		char path[1100];

		snprintf(path, sizeof(path), "%s/data.mdb", dir);
		if ((r = s_check_private(dir, true, err, errlen)) < 0 ||
		    (r = s_check_private(path, false, err, errlen)) < 0)
			return r;
	}
	if ((r = s_check_file(dir, ret_exists, err, errlen)) < 0)
		return r;
	if (!*ret_exists && !write) {
		snprintf(err, errlen, "%s: no store here (data.mdb missing)", dir);
		return -ENOENT;
	}
	return 0;
}

int store_open(const char *dir, const char *schema, uint32_t version,
	       const char *const *dbs, size_t ndbs, size_t map_size,
	       unsigned flags, store_t **ret, char *err, size_t errlen)
{
	bool write = !(flags & STORE_RDONLY), exists = false;
	store_t *self;
	MDB_txn *txn = NULL;
	int r, dead;

	if (ndbs > STORE_MAX_DBS)
		return -EINVAL;
	if (!(self = calloc(1, sizeof(*self))))
		return -ENOMEM;
	self->ndbs = ndbs;
	r = s_prepare(self, dir, write, &exists, err, errlen);
	if (r == 0)
		r = s_env_open(self, dir, ndbs, map_size, write, err, errlen);
	if (r == 0 && exists)
		r = s_check_extent(self, err, errlen);
	if (r == 0 && mdb_reader_check(self->env, &dead) == 0 && dead > 0)
		self->stale_at_open = dead;
	if (r == 0 && (r = store_begin(self, write, &txn)) < 0)
		snprintf(err, errlen, "%s: %s", dir, lnob_strerror(r));
	if (r == 0)
		r = s_dbs_open(self, txn, dbs, ndbs, write, err, errlen);
	if (r == 0)
		r = s_check_schema(self, txn, write, schema, version, err, errlen);
	if (r == 0 && (r = store_commit(&txn)) < 0)
		snprintf(err, errlen, "%s: %s", dir, lnob_strerror(r));
	if (r == 0) {
		*ret = self;
		return 0;
	}
	store_abort(&txn);
	store_destroy(&self);
	return r;
}

void store_destroy(store_t **self_p)
{
	store_t *self = self_p ? *self_p : NULL;

	if (!self)
		return;
	if (self->env)
		mdb_env_close(self->env);
	free(self);
	*self_p = NULL;
}

MDB_dbi store_dbi(store_t *self, size_t i)
{
	if (i == STORE_META)
		return self->meta;
	assert(i < self->ndbs);
	return self->dbi[i];
}

const char *store_dir(const store_t *self)
{
	return self->dir;
}

int store_begin(store_t *self, bool write, MDB_txn **ret_txn)
{
	int r = mdb_txn_begin(self->env, NULL, write ? 0 : MDB_RDONLY, ret_txn);

	if (r == MDB_MAP_RESIZED) {
		/* Another process grew the map: adopt its size and retry. */
		if (self->quiesce)
			self->quiesce(self->quiesce_ctx);
		r = mdb_env_set_mapsize(self->env, 0);
		if (r == 0)
			r = mdb_txn_begin(self->env, NULL, write ? 0 : MDB_RDONLY, ret_txn);
	}
	return s_code(r);
}

int store_begin_shared(store_t *self, MDB_txn **ret_txn)
{
	return s_code(mdb_txn_begin(self->env, NULL, MDB_RDONLY, ret_txn));
}

void store_set_quiesce(store_t *self, void (*fn)(void *ctx), void *ctx)
{
	self->quiesce = fn;
	self->quiesce_ctx = ctx;
}

int store_begin_child(MDB_txn *parent, MDB_txn **ret_txn)
{
	return s_code(mdb_txn_begin(mdb_txn_env(parent), parent, 0, ret_txn));
}

bool store_is_transient(int r)
{
	switch (r) {
	case LNOB_E_FULL:
	case LNOB_E_BROKEN:
	case MDB_TXN_FULL:
	case MDB_PAGE_FULL:
	case MDB_READERS_FULL:
	case MDB_BAD_TXN:
	case MDB_MAP_RESIZED:
		return true;
	default:
		return r < 0 && r > -4096;
	}
}

int store_foreach(MDB_txn *txn, MDB_dbi dbi, const void *from, size_t flen, store_each_fn fn,
		  void *ctx)
{
	MDB_cursor *cur = NULL;
	MDB_val k = { flen, (void *)from }, v;
	int r = mdb_cursor_open(txn, dbi, &cur), mr;

	if (r != 0)
		return s_code(r);
	for (mr = mdb_cursor_get(cur, &k, &v, from ? MDB_SET_RANGE : MDB_FIRST); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		if ((r = fn(ctx, &k, &v)) != 0)
			break;
	mdb_cursor_close(cur);
	if (r != 0)
		return r < 0 ? r : 0;
	return mr == MDB_NOTFOUND ? 0 : s_code(mr);
}

int store_commit(MDB_txn **txn_p)
{
	int r = mdb_txn_commit(*txn_p);

	*txn_p = NULL;
	return s_code(r);
}

void store_abort(MDB_txn **txn_p)
{
	if (txn_p && *txn_p) {
		mdb_txn_abort(*txn_p);
		*txn_p = NULL;
	}
}

int store_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, MDB_val *ret)
{
	MDB_val k = { klen, (void *)key };
	return s_code(mdb_get(txn, dbi, &k, ret));
}

int store_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
	      const void *val, size_t vlen, unsigned flags)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	return s_code(mdb_put(txn, dbi, &k, &v, flags));
}

int store_del(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)key };
	return s_code(mdb_del(txn, dbi, &k, NULL));
}

int store_last(MDB_txn *txn, MDB_dbi dbi, MDB_val *ret_key)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r = mdb_cursor_open(txn, dbi, &cur);

	if (r != 0)
		return s_code(r);
	r = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	mdb_cursor_close(cur);
	if (r == 0)
		*ret_key = k;
	return s_code(r);
}

int store_meta_get_u64(MDB_txn *txn, store_t *self, const char *name, uint64_t *ret)
{
	MDB_val v;
	int r = store_get(txn, self->meta, name, strlen(name), &v);

	if (r == LNOB_E_NOTFOUND) {
		*ret = 0;
		return 0;
	}
	if (r < 0)
		return r;
	if (v.mv_size != 8)
		return LNOB_E_CORRUPT;
	*ret = lnob_be64_get(v.mv_data);
	return 0;
}

int store_meta_put_u64(MDB_txn *txn, store_t *self, const char *name, uint64_t v)
{
	uint8_t b[8];

	lnob_be64_put(b, v);
	return store_put(txn, self->meta, name, strlen(name), b, 8, 0);
}

int store_count(MDB_txn *txn, store_t *self, size_t i, size_t *ret)
{
	MDB_stat st;
	int r = mdb_stat(txn, store_dbi(self, i), &st);

	if (r != 0)
		return s_code(r);
	*ret = st.ms_entries;
	return 0;
}

int store_reader_check(store_t *self, int *ret_dead)
{
	int dead = 0;
	int r = mdb_reader_check(self->env, &dead);

	if (r != 0)
		return s_code(r);
	if (ret_dead)
		*ret_dead = dead;
	return 0;
}

int store_stale_readers_at_open(const store_t *self)
{
	return self->stale_at_open;
}

const char *store_strerror(const store_t *self, int r, char *buf, size_t len)
{
	struct statvfs fs;
	unsigned long long avail;

	if ((r == -ENOSPC || r == -EIO) && statvfs(self->dir, &fs) == 0) {
		avail = (unsigned long long)fs.f_bavail * (unsigned long long)fs.f_frsize;
		if (avail < (1ULL << 20)) {
			snprintf(buf, len, "the disk holding %s is full (%llu kB free)", self->dir,
				 avail / 1024);
			return buf;
		}
	}
	snprintf(buf, len, "%s", lnob_strerror(r));
	return buf;
}

int store_copy_to_fd(store_t *self, int fd)
{
	return s_code(mdb_env_copyfd2(self->env, fd, MDB_CP_COMPACT));
}

int store_grow(store_t *self, size_t new_size)
{
	if (self->quiesce)
		self->quiesce(self->quiesce_ctx);
	return s_code(mdb_env_set_mapsize(self->env, new_size));
}

uint64_t store_txn_id(MDB_txn *txn)
{
	return txn ? (uint64_t)mdb_txn_id(txn) : 0;
}

size_t store_map_size(store_t *self)
{
	MDB_envinfo info;

	if (mdb_env_info(self->env, &info) != 0)
		return 0;
	return info.me_mapsize;
}
