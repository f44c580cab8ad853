/* aggstore_hierver.c: the hierarchy versions' records (see
 * aggstore_hierver.h). */
#include "aggstore_hierver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"

#define S_PREFIX "hierarchy_version:"
#define S_FIRST "0000-00-00"
/* Bound on a record read back: a hierarchy file is at most 64 MiB. */
#define S_RECORD_MAX ((size_t)160 << 20)

typedef struct s_walk {
	agg_hierver_fn fn;
	void *ctx;
} s_walk_t;

/* store_foreach(): one record of the prefix, else the end of the walk. */
static int s_each(void *ctx, const MDB_val *key, const MDB_val *val)
{
	s_walk_t *w = ctx;
	ProtobufCMessage *m = NULL;
	int r;

	if (key->mv_size < strlen(S_PREFIX) ||
	    memcmp(key->mv_data, S_PREFIX, strlen(S_PREFIX)) != 0)
		return 1;
	if (codec_unpack(&lnob__hierarchy_version_record__descriptor, val->mv_data, val->mv_size,
			 S_RECORD_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	r = w->fn(w->ctx, (Lnob__HierarchyVersionRecord *)m);
	return r < 0 ? r : 0;
}

int agg_hierver_foreach(store_t *st, MDB_txn *txn, agg_hierver_fn fn, void *ctx)
{
	s_walk_t w = { fn, ctx };
	int r = store_foreach(txn, store_dbi(st, STORE_META), S_PREFIX, strlen(S_PREFIX), s_each,
			      &w);

	return r == LNOB_E_NOTFOUND ? 0 : r;
}

int agg_hierver_put(store_t *st, MDB_txn *txn, const Lnob__HierarchyVersionRecord *rec)
{
	char key[64];
	uint8_t *buf = NULL;
	size_t len = 0;
	MDB_val v;
	int r;

	snprintf(key, sizeof(key), S_PREFIX "%s", *rec->valid_from ? rec->valid_from : S_FIRST);
	r = store_get(txn, store_dbi(st, STORE_META), key, strlen(key), &v);
	if (r == 0)
		return LNOB_E_EXISTS;
	if (r != LNOB_E_NOTFOUND)
		return r;
	if ((r = codec_pack(&rec->base, &buf, &len)) == 0)
		r = store_put(txn, store_dbi(st, STORE_META), key, strlen(key), buf, len, 0);
	free(buf);
	return r;
}
