/* outbox_metadata.c: the metadata record in the outbox's store (meta
 * "metadata" and "metadata_version"; collector/metadata.h). */
#include "outbox_metadata.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "outbox_int.h"

#define S_META_RECORD "metadata"
#define S_META_VERSION "metadata_version"
#define S_META_AGGKEY "aggregator_key"

int outbox_metadata_version(outbox_t *self, uint64_t *ret)
{
	MDB_txn *txn = NULL;
	int r;

	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	r = store_meta_get_u64(txn, self->st, S_META_VERSION, ret);
	store_abort(&txn);
	return r;
}

/* A copy of the meta entry name in *ret (caller frees). */
static int s_meta_copy(outbox_t *self, const char *name, uint8_t **ret, size_t *ret_len)
{
	MDB_txn *txn = NULL;
	MDB_val v;
	int r;

	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	r = store_get(txn, store_dbi(self->st, STORE_META), name, strlen(name), &v);
	if (r == 0) {
		if (!(*ret = malloc(v.mv_size ? v.mv_size : 1)))
			r = -ENOMEM;
		else {
			memcpy(*ret, v.mv_data, v.mv_size);
			*ret_len = v.mv_size;
		}
	}
	store_abort(&txn);
	return r;
}

int outbox_metadata_get(outbox_t *self, uint8_t **ret, size_t *ret_len)
{
	return s_meta_copy(self, S_META_RECORD, ret, ret_len);
}

int outbox_aggkey_get(outbox_t *self, uint8_t **ret, size_t *ret_len)
{
	return s_meta_copy(self, S_META_AGGKEY, ret, ret_len);
}

/* Replaces the meta entry name with rec (and, with version, the version
 * held) in one transaction. */
static int s_meta_put(outbox_t *self, const char *name, const uint8_t *rec, size_t len,
		      const uint64_t *version)
{
	MDB_txn *txn = NULL;
	int r;

	if (self->rdonly)
		return -EROFS;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if ((r = store_put(txn, store_dbi(self->st, STORE_META), name, strlen(name), rec, len,
			   0)) < 0 ||
	    (version && (r = store_meta_put_u64(txn, self->st, S_META_VERSION, *version)) < 0)) {
		store_abort(&txn);
		return r;
	}
	return store_commit(&txn);
}

int outbox_aggkey_put(outbox_t *self, const uint8_t *rec, size_t len)
{
	return s_meta_put(self, S_META_AGGKEY, rec, len, NULL);
}

int outbox_metadata_put(outbox_t *self, const uint8_t *rec, size_t len, uint64_t version)
{
	return s_meta_put(self, S_META_RECORD, rec, len, &version);
}
