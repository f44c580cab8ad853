/*
 * outbox_households.c: the household register's store beside the outbox
 * (see outbox_households.h), over store.h.
 */
#include "outbox_households.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "lnob_err.h"
#include "store.h"
#include "util.h"

enum { S_DB_REGISTER = 0, S_DB_IMPORTS, S_DB_COUNT };
#define S_META_LAST "last_import"

struct outbox_households {
	store_t *st;
	bool write;
};

int outbox_households_open(const char *data_dir, size_t map_size, bool write,
			   outbox_households_t **ret, char *err, size_t errlen)
{
	static const char *const dbs[S_DB_COUNT] = { "register", "imports" };
	outbox_households_t *self = calloc(1, sizeof(*self));
	char dir[4096];
	int r;

	if (!self)
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", data_dir);
	if (snprintf(dir, sizeof(dir), "%s/%s", data_dir, OUTBOX_HOUSEHOLDS_DIR) >=
	    (int)sizeof(dir)) {
		free(self);
		return lnob_errf(err, errlen, -ENAMETOOLONG, "%s: path too long", data_dir);
	}
	r = store_open(dir, OUTBOX_HOUSEHOLDS_SCHEMA, OUTBOX_HOUSEHOLDS_SCHEMA_VERSION, dbs,
		       S_DB_COUNT, map_size, write ? 0 : STORE_RDONLY, &self->st, err, errlen);
	if (r < 0) {
		free(self);
		return r;
	}
	self->write = write;
	*ret = self;
	return 0;
}

void outbox_households_close(outbox_households_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	store_destroy(&(*self_p)->st);
	free(*self_p);
	*self_p = NULL;
}

/* store_foreach() over "register": each record onto the list ctx. */
static int s_read_one(void *ctx, const MDB_val *key, const MDB_val *val)
{
	household_t h;
	int r = households_decode(key->mv_data, key->mv_size, val->mv_data, val->mv_size, &h);

	return r < 0 ? r : households_push(ctx, &h);
}

/* The register in txn into *ret. */
static int s_read(outbox_households_t *self, MDB_txn *txn, households_t *ret)
{
	int r = store_foreach(txn, store_dbi(self->st, S_DB_REGISTER), NULL, 0, s_read_one, ret);

	if (r < 0)
		households_clear(ret);
	return r;   /* LMDB's key order is strcmp's: the list is sorted by id */
}

int outbox_households_read(outbox_households_t *self, households_t *ret, uint64_t *ret_last)
{
	MDB_txn *txn = NULL;
	int r;

	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = store_meta_get_u64(txn, self->st, S_META_LAST, ret_last)) == 0)
		r = s_read(self, txn, ret);
	store_abort(&txn);
	return r;
}

/* The import's document: info, the numbers and the diff of old to now. */
static int s_doc(const json_t *info, uint64_t no, const households_t *old,
		 const households_t *now, json_t **ret)
{
	json_t *doc = json_deep_copy(info), *diff = NULL;
	int r = doc ? households_diff(old, now, &diff) : -ENOMEM;

	if (r == 0 && (json_object_set_new(doc, "import", json_integer((json_int_t)no)) < 0 ||
		       json_object_set_new(doc, "previous", no > 1 ? json_integer((json_int_t)no - 1)
							       : json_null()) < 0 ||
		       json_object_set_new(doc, "households", json_integer((json_int_t)now->n)) < 0 ||
		       json_object_update(doc, diff) < 0))
		r = -ENOMEM;
	json_decref(diff);
	if (r < 0) {
		json_decref(doc);
		return r;
	}
	*ret = doc;
	return 0;
}

/* Writes now over old in txn: the removed deleted, every household put. */
static int s_write(outbox_households_t *self, MDB_txn *txn, const households_t *old,
		   const households_t *now)
{
	MDB_dbi dbi = store_dbi(self->st, S_DB_REGISTER);
	uint8_t rec[HOUSEHOLDS_RECORD_MAX];
	int r = 0;

	for (size_t i = 0; r == 0 && i < old->n; i++)
		if (!households_find(now, old->v[i].id))
			r = store_del(txn, dbi, old->v[i].id, strlen(old->v[i].id));
	for (size_t i = 0; r == 0 && i < now->n; i++)
		r = store_put(txn, dbi, now->v[i].id, strlen(now->v[i].id), rec,
			      households_encode(&now->v[i], rec), 0);
	return r;
}

/* Stores doc as import no in txn, and no as the last. */
static int s_put_doc(outbox_households_t *self, MDB_txn *txn, uint64_t no, const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	uint8_t key[8];
	int r;

	if (!text)
		return -ENOMEM;
	lnob_be64_put(key, no);
	r = store_put(txn, store_dbi(self->st, S_DB_IMPORTS), key, 8, text, strlen(text),
		      MDB_NOOVERWRITE);
	free(text);
	if (r == LNOB_E_EXISTS)
		return LNOB_E_CORRUPT;   /* last_import went backwards */
	return r < 0 ? r : store_meta_put_u64(txn, self->st, S_META_LAST, no);
}

int outbox_households_import(outbox_households_t *self, const households_t *now,
			     const json_t *info, json_t **ret_doc)
{
	households_t old = { 0 };
	json_t *doc = NULL;
	MDB_txn *txn = NULL;
	uint64_t last = 0;
	int r;

	if (!self->write)
		return -EROFS;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if ((r = store_meta_get_u64(txn, self->st, S_META_LAST, &last)) == 0 &&
	    (r = s_read(self, txn, &old)) == 0 && (r = s_doc(info, last + 1, &old, now, &doc)) == 0 &&
	    (r = s_write(self, txn, &old, now)) == 0 && (r = s_put_doc(self, txn, last + 1, doc)) == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	households_clear(&old);
	if (r < 0) {
		json_decref(doc);
		return r;
	}
	*ret_doc = doc;
	return 0;
}

int outbox_households_import_get(outbox_households_t *self, uint64_t no, json_t **ret)
{
	MDB_txn *txn = NULL;
	uint8_t key[8];
	MDB_val v;
	int r;

	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if (no == 0 && (r = store_meta_get_u64(txn, self->st, S_META_LAST, &no)) == 0 && no == 0)
		r = LNOB_E_NOTFOUND;
	lnob_be64_put(key, no);
	if (r == 0 && (r = store_get(txn, store_dbi(self->st, S_DB_IMPORTS), key, 8, &v)) == 0 &&
	    !(*ret = json_loadb(v.mv_data, v.mv_size, 0, NULL)))
		r = LNOB_E_CORRUPT;
	store_abort(&txn);
	return r;
}

int outbox_households_stats(outbox_households_t *self, uint64_t *ret_households,
			    uint64_t *ret_last)
{
	MDB_txn *txn = NULL;
	size_t n = 0;
	int r;

	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = store_meta_get_u64(txn, self->st, S_META_LAST, ret_last)) == 0 &&
	    (r = store_count(txn, self->st, S_DB_REGISTER, &n)) == 0)
		*ret_households = n;
	store_abort(&txn);
	return r;
}

int outbox_households_backup(outbox_households_t *self, const char *dir, const char *program,
			     const char *node, const json_t *extra, char *err, size_t errlen)
{
	return backup_write(self->st, dir, program, node, extra, err, errlen);
}

const char *outbox_households_strerror(const outbox_households_t *self, int r, char *buf,
				       size_t len)
{
	return store_strerror(self->st, r, buf, len);
}
