/* aggstore_metadata.c: the published metadata's version in the store's
 * meta (see aggstore_metadata.h). */
#include "aggstore_metadata.h"

#define S_META_DIGEST "metadata_digest"
#define S_META_VERSION "metadata_version"
#define S_META_GEN "metadata_gen"

int agg_metadata_gen(store_t *st, MDB_txn *txn, uint64_t *ret)
{
	return store_meta_get_u64(txn, st, S_META_GEN, ret);
}

int agg_metadata_gen_bump(store_t *st, MDB_txn *txn)
{
	uint64_t g = 0;
	int r = store_meta_get_u64(txn, st, S_META_GEN, &g);

	return r < 0 ? r : store_meta_put_u64(txn, st, S_META_GEN, g + 1);
}

int agg_metadata_version(store_t *st, uint64_t digest, int64_t now_s, uint64_t *ret)
{
	uint64_t old_digest = 0, old_version = 0, v;
	MDB_txn *txn = NULL;
	int r;

	if ((r = store_begin(st, true, &txn)) < 0 ||
	    (r = store_meta_get_u64(txn, st, S_META_DIGEST, &old_digest)) < 0 ||
	    (r = store_meta_get_u64(txn, st, S_META_VERSION, &old_version)) < 0)
		goto out;
	v = old_version;
	if (digest != old_digest || old_version == 0) {
		v = old_version + 1 > (uint64_t)now_s ? old_version + 1 : (uint64_t)now_s;
		if ((r = store_meta_put_u64(txn, st, S_META_DIGEST, digest)) < 0 ||
		    (r = store_meta_put_u64(txn, st, S_META_VERSION, v)) < 0 ||
		    (r = store_commit(&txn)) < 0)
			goto out;
	}
	*ret = v;
out:
	store_abort(&txn);
	return r;
}
