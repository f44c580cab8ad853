/* keydir.c: enrolled node keys over a store's databases (see keydir.h). */
#include "keydir.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "store.h"
#include "util.h"

/* The stored record of node_id, borrowed in *ret (an id that is not a
 * valid node id is not found). */
static int s_lookup(MDB_txn *txn, const keydir_t *kd, const char *node_id, MDB_val *ret)
{
	assert(kd);
	if (!node_id || !lnob_valid_id(node_id))
		return LNOB_E_NOTFOUND;
	return store_get(txn, kd->nodes, node_id, strlen(node_id), ret);
}

int keydir_record(MDB_txn *txn, const keydir_t *kd, const char *node_id,
		  Lnob__NodeRecord **ret)
{
	ProtobufCMessage *m;
	MDB_val v;
	int r;

	assert(ret);
	if ((r = s_lookup(txn, kd, node_id, &v)) < 0)
		return r;
	if (codec_unpack(&lnob__node_record__descriptor, v.mv_data, v.mv_size, KEYDIR_RECORD_MAX,
			 &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__NodeRecord *)m;
	return 0;
}

int keydir_from_record(const Lnob__NodeRecord *rec, keydir_node_t *ret)
{
	keydir_node_t n;

	memset(&n, 0, sizeof(n));
	if (lnob_strlcpy(n.pub.node_id, rec->node_id ? rec->node_id : "", sizeof(n.pub.node_id)) < 0 ||
	    lnob_strlcpy(n.scope, rec->scope ? rec->scope : "", sizeof(n.scope)) < 0 ||
	    rec->sign_public.len != 32 || rec->curve_public.len != 32)
		return LNOB_E_CORRUPT;
	memcpy(n.pub.sign_pk, rec->sign_public.data, 32);
	memcpy(n.pub.curve_pk, rec->curve_public.data, 32);
	n.enrolled_at = rec->enrolled_at;
	n.revoked = rec->revoked;
	n.revoked_at = rec->revoked_at;
	*ret = n;
	return 0;
}

/* Decodes the record value v into *ret. Returns 0 or LNOB_E_CORRUPT. */
static int s_decode(const MDB_val *v, keydir_node_t *ret)
{
	ProtobufCMessage *m;
	int r;

	if (codec_unpack(&lnob__node_record__descriptor, v->mv_data, v->mv_size, KEYDIR_RECORD_MAX,
			 &m) < 0)
		return LNOB_E_CORRUPT;
	r = keydir_from_record((const Lnob__NodeRecord *)m, ret);
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

int keydir_get(MDB_txn *txn, const keydir_t *kd, const char *node_id, keydir_node_t *ret)
{
	MDB_val v;
	int r;

	assert(ret);
	if ((r = s_lookup(txn, kd, node_id, &v)) < 0)
		return r;
	return s_decode(&v, ret);
}

int keydir_id_by_curve(MDB_txn *txn, const keydir_t *kd, const uint8_t curve_pk[32],
		       char *ret_id)
{
	MDB_val v;
	int r;

	assert(kd && curve_pk && ret_id);
	if ((r = store_get(txn, kd->curve, curve_pk, 32, &v)) < 0)
		return r;
	if (v.mv_size == 0 || v.mv_size > LNOB_ID_MAX)
		return LNOB_E_CORRUPT;
	memcpy(ret_id, v.mv_data, v.mv_size);
	ret_id[v.mv_size] = '\0';
	return 0;
}

int keydir_by_curve(MDB_txn *txn, const keydir_t *kd, const uint8_t curve_pk[32],
		    keydir_node_t *ret)
{
	char id[LNOB_ID_MAX + 1];
	keydir_node_t n;
	int r;

	if ((r = keydir_id_by_curve(txn, kd, curve_pk, id)) < 0 ||
	    (r = keydir_get(txn, kd, id, &n)) < 0)
		return r;
	/* The index must agree with the record it points at. */
	if (memcmp(n.pub.curve_pk, curve_pk, 32) != 0)
		return LNOB_E_NOTFOUND;
	*ret = n;
	return 0;
}

/* Writes the NodeRecord of n in txn. Returns 0 or a negative code. */
static int s_put_record(MDB_txn *txn, const keydir_t *kd, const keydir_node_t *n)
{
	Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT;
	uint8_t *buf;
	size_t len;
	int r;

	rec.node_id = (char *)n->pub.node_id;
	rec.sign_public.data = (uint8_t *)n->pub.sign_pk;
	rec.sign_public.len = 32;
	rec.curve_public.data = (uint8_t *)n->pub.curve_pk;
	rec.curve_public.len = 32;
	rec.scope = (char *)n->scope;
	rec.enrolled_at = n->enrolled_at;
	rec.revoked = n->revoked;
	rec.revoked_at = n->revoked_at;
	if ((r = codec_pack(&rec.base, &buf, &len)) < 0)
		return r;
	r = store_put(txn, kd->nodes, n->pub.node_id, strlen(n->pub.node_id), buf, len, 0);
	free(buf);
	return r;
}

/* With an enrolled node of this id: LNOB_E_EXISTS unless replace, else
 * its CURVE key leaves the index. Returns 0 (also when none is enrolled)
 * or a negative code. */
static int s_unindex_old(MDB_txn *txn, const keydir_t *kd, const char *node_id, bool replace)
{
	Lnob__NodeRecord *old = NULL;
	int r = keydir_record(txn, kd, node_id, &old);

	if (r == LNOB_E_NOTFOUND)
		return 0;
	if (r < 0)
		return r;
	if (!replace)
		r = LNOB_E_EXISTS;
	else if (old->curve_public.len == 32)
		r = store_del(txn, kd->curve, old->curve_public.data, 32);
	lnob__node_record__free_unpacked(old, NULL);
	return r == LNOB_E_NOTFOUND ? 0 : r;
}

int keydir_put(MDB_txn *txn, const keydir_t *kd, const keydir_node_t *node, bool replace)
{
	const char *id = node->pub.node_id;
	char other[LNOB_ID_MAX + 1];
	int r;

	assert(kd && node);
	if (!lnob_valid_id(id) || (node->scope[0] && !lnob_valid_id(node->scope)))
		return -EINVAL;
	r = keydir_id_by_curve(txn, kd, node->pub.curve_pk, other);
	if (r == 0 && strcmp(other, id) != 0)
		return LNOB_E_EXISTS;   /* another node holds this transport key */
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	if ((r = s_unindex_old(txn, kd, id, replace)) < 0 ||
	    (r = s_put_record(txn, kd, node)) < 0)
		return r;
	return store_put(txn, kd->curve, node->pub.curve_pk, 32, id, strlen(id), 0);
}

int keydir_revoke(MDB_txn *txn, const keydir_t *kd, const char *node_id, int64_t now_s)
{
	keydir_node_t n;
	int r;

	assert(kd);
	if ((r = keydir_get(txn, kd, node_id, &n)) < 0)
		return r;
	if (n.revoked)
		return 0;
	n.revoked = true;
	n.revoked_at = now_s;
	return s_put_record(txn, kd, &n);
}

/* What keydir_foreach() hands store_foreach(). */
typedef struct s_walk {
	unsigned flags;
	keydir_fn fn;
	void *ctx;
} s_walk_t;

/* store_foreach() callback: one record. */
static int s_walk_one(void *ctx, const MDB_val *key, const MDB_val *val)
{
	s_walk_t *w = ctx;
	keydir_node_t n;

	(void)key;
	if (s_decode(val, &n) < 0)
		return (w->flags & KEYDIR_SKIP_CORRUPT) ? 0 : LNOB_E_CORRUPT;
	return w->fn(w->ctx, &n);
}

int keydir_foreach(MDB_txn *txn, const keydir_t *kd, unsigned flags, keydir_fn fn, void *ctx)
{
	s_walk_t w = { .flags = flags, .fn = fn, .ctx = ctx };

	assert(kd && fn);
	return store_foreach(txn, kd->nodes, NULL, 0, s_walk_one, &w);
}
