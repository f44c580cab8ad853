/* aggstore_metadata.c: the published metadata's version, and the cache of
 * the parsed hierarchy, in the store's meta (see aggstore_metadata.h). */
#include "aggstore_metadata.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"

#define S_META_DIGEST "metadata_digest"
#define S_META_VERSION "metadata_version"
#define S_META_GEN "metadata_gen"
#define S_META_HIER "hierarchy_cache"
/* Bound on the record read back: a hierarchy file is at most 64 MiB. */
#define S_HIER_MAX ((size_t)128 << 20)

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

int agg_hier_cache_raw(store_t *st, MDB_txn *txn, MDB_val *ret)
{
	int r = store_get(txn, store_dbi(st, STORE_META), S_META_HIER, strlen(S_META_HIER), ret);

	if (r == 0 && ret->mv_size > S_HIER_MAX)
		return LNOB_E_TOOBIG;
	return r;
}

int agg_hier_cache_get(store_t *st, MDB_txn *txn, Lnob__HierarchyCacheRecord **ret)
{
	ProtobufCMessage *m = NULL;
	MDB_val v;
	int r = agg_hier_cache_raw(st, txn, &v);

	if (r < 0)
		return r;
	if ((r = codec_unpack(&lnob__hierarchy_cache_record__descriptor, v.mv_data, v.mv_size,
			      S_HIER_MAX, &m)) < 0)
		return r;
	*ret = (Lnob__HierarchyCacheRecord *)m;
	return 0;
}

int agg_hier_cache_put(store_t *st, MDB_txn *txn, const Lnob__HierarchyCacheRecord *rec)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = codec_pack(&rec->base, &buf, &len);

	if (r == 0)
		r = store_put(txn, store_dbi(st, STORE_META), S_META_HIER, strlen(S_META_HIER), buf,
			      len, 0);
	free(buf);
	return r;
}
