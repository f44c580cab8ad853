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
	if (rec->n_retired > KEYDIR_RETIRED_MAX)
		return LNOB_E_CORRUPT;
	for (size_t i = 0; i < rec->n_retired; i++) {
		const Lnob__RetiredKey *k = rec->retired[i];

		if (k->sign_public.len != 32 || k->curve_public.len != 32)
			return LNOB_E_CORRUPT;
		memcpy(n.retired[i].sign_pk, k->sign_public.data, 32);
		memcpy(n.retired[i].curve_pk, k->curve_public.data, 32);
		n.retired[i].retired_at = k->retired_at;
		n.retired[i].until = k->until;
	}
	n.nretired = rec->n_retired;
	*ret = n;
	return 0;
}

bool keydir_curve_live(const keydir_node_t *n, const uint8_t curve_pk[32], int64_t now_s)
{
	if (memcmp(n->pub.curve_pk, curve_pk, 32) == 0)
		return true;
	for (size_t i = 0; i < n->nretired; i++)
		if (memcmp(n->retired[i].curve_pk, curve_pk, 32) == 0)
			return now_s < n->retired[i].until;
	return false;
}

size_t keydir_older_sign_keys(const keydir_node_t *n, int64_t now_s,
			      uint8_t ret[KEYDIR_RETIRED_MAX][32])
{
	size_t k = 0;

	for (size_t i = 0; i < n->nretired && i < KEYDIR_RETIRED_MAX; i++)
		if (now_s < n->retired[i].until)
			memcpy(ret[k++], n->retired[i].sign_pk, 32);
	return k;
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

/* Whether curve_pk is one of n's retired CURVE keys. */
static bool s_had_curve(const keydir_node_t *n, const uint8_t curve_pk[32])
{
	for (size_t i = 0; i < n->nretired; i++)
		if (memcmp(n->retired[i].curve_pk, curve_pk, 32) == 0)
			return true;
	return false;
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
	if (memcmp(n.pub.curve_pk, curve_pk, 32) != 0 && !s_had_curve(&n, curve_pk))
		return LNOB_E_NOTFOUND;
	*ret = n;
	return 0;
}

/* Writes the NodeRecord of n in txn. Returns 0 or a negative code. */
static int s_put_record(MDB_txn *txn, const keydir_t *kd, const keydir_node_t *n)
{
	Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT;
	Lnob__RetiredKey ret_keys[KEYDIR_RETIRED_MAX];
	Lnob__RetiredKey *ret_ptrs[KEYDIR_RETIRED_MAX];
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
	for (size_t i = 0; i < n->nretired && i < KEYDIR_RETIRED_MAX; i++) {
		ret_keys[i] = (Lnob__RetiredKey)LNOB__RETIRED_KEY__INIT;
		ret_keys[i].sign_public = (ProtobufCBinaryData){ 32, (uint8_t *)n->retired[i].sign_pk };
		ret_keys[i].curve_public = (ProtobufCBinaryData){ 32,
								  (uint8_t *)n->retired[i].curve_pk };
		ret_keys[i].retired_at = n->retired[i].retired_at;
		ret_keys[i].until = n->retired[i].until;
		ret_ptrs[i] = &ret_keys[i];
	}
	rec.n_retired = n->nretired < KEYDIR_RETIRED_MAX ? n->nretired : KEYDIR_RETIRED_MAX;
	rec.retired = ret_ptrs;
	if ((r = codec_pack(&rec.base, &buf, &len)) < 0)
		return r;
	r = store_put(txn, kd->nodes, n->pub.node_id, strlen(n->pub.node_id), buf, len, 0);
	free(buf);
	return r;
}

/* Removes the index entry of curve_pk when it names node_id. Returns 0
 * or a negative code. */
static int s_unindex(MDB_txn *txn, const keydir_t *kd, const uint8_t curve_pk[32],
		     const char *node_id)
{
	char holder[LNOB_ID_MAX + 1];
	int r = keydir_id_by_curve(txn, kd, curve_pk, holder);

	if (r == LNOB_E_NOTFOUND || (r == 0 && strcmp(holder, node_id) != 0))
		return 0;
	if (r < 0)
		return r;
	r = store_del(txn, kd->curve, curve_pk, 32);
	return r == LNOB_E_NOTFOUND ? 0 : r;
}

/* With an enrolled node of this id: LNOB_E_EXISTS unless replace, else
 * its CURVE keys, retired ones too, leave the index. Returns 0 (also
 * when none is enrolled) or a negative code. */
static int s_unindex_old(MDB_txn *txn, const keydir_t *kd, const char *node_id, bool replace)
{
	keydir_node_t old;
	int r = keydir_get(txn, kd, node_id, &old);

	if (r == LNOB_E_NOTFOUND)
		return 0;
	if (r < 0)
		return r;
	if (!replace)
		return LNOB_E_EXISTS;
	r = s_unindex(txn, kd, old.pub.curve_pk, node_id);
	for (size_t i = 0; r == 0 && i < old.nretired; i++)
		r = s_unindex(txn, kd, old.retired[i].curve_pk, node_id);
	return r;
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
	    (r = s_put_record(txn, kd, node)) < 0 ||
	    (r = store_put(txn, kd->curve, node->pub.curve_pk, 32, id, strlen(id), 0)) < 0)
		return r;
	/* A record rewritten as it was (a revocation) keeps its retired keys
	 * indexed, unless another node holds one by now. */
	for (size_t i = 0; r == 0 && i < node->nretired; i++) {
		r = keydir_id_by_curve(txn, kd, node->retired[i].curve_pk, other);
		if (r == LNOB_E_NOTFOUND)
			r = store_put(txn, kd->curve, node->retired[i].curve_pk, 32, id, strlen(id), 0);
	}
	return r;
}

/* Whether pk is n's signing or CURVE key, now or retired. */
static bool s_knows_key(const keydir_node_t *n, const uint8_t sign_pk[32],
			const uint8_t curve_pk[32])
{
	if (memcmp(n->pub.sign_pk, sign_pk, 32) == 0 || memcmp(n->pub.curve_pk, curve_pk, 32) == 0)
		return true;
	for (size_t i = 0; i < n->nretired; i++)
		if (memcmp(n->retired[i].sign_pk, sign_pk, 32) == 0 ||
		    memcmp(n->retired[i].curve_pk, curve_pk, 32) == 0)
			return true;
	return false;
}

/* The retired pairs of old that stay after a rotation at now_s: the
 * enrolled pair first (taken until until), then the earlier ones whose
 * time is not over, at most KEYDIR_RETIRED_MAX; the others' CURVE keys
 * leave the index. Writes them to *n. */
static int s_retire(MDB_txn *txn, const keydir_t *kd, const keydir_node_t *old, int64_t until,
		    int64_t now_s, keydir_node_t *n)
{
	int r = 0;

	n->nretired = 0;
	memcpy(n->retired[0].sign_pk, old->pub.sign_pk, 32);
	memcpy(n->retired[0].curve_pk, old->pub.curve_pk, 32);
	n->retired[0].retired_at = now_s;
	n->retired[0].until = until;
	n->nretired = 1;
	for (size_t i = 0; r == 0 && i < old->nretired; i++) {
		if (now_s < old->retired[i].until && n->nretired < KEYDIR_RETIRED_MAX)
			n->retired[n->nretired++] = old->retired[i];
		else
			r = s_unindex(txn, kd, old->retired[i].curve_pk, old->pub.node_id);
	}
	return r;
}

int keydir_rotate(MDB_txn *txn, const keydir_t *kd, const keydir_node_t *node, int64_t grace_s,
		  int64_t now_s)
{
	const char *id = node->pub.node_id;
	char other[LNOB_ID_MAX + 1];
	keydir_node_t old, n;
	int64_t until;
	int r;

	assert(kd && node);
	if (grace_s < 0 || (node->scope[0] && !lnob_valid_id(node->scope)) ||
	    __builtin_add_overflow(now_s, grace_s, &until))
		return -EINVAL;
	if ((r = keydir_get(txn, kd, id, &old)) < 0)
		return r;
	if (old.revoked)
		return LNOB_E_REVOKED;
	if (s_knows_key(&old, node->pub.sign_pk, node->pub.curve_pk))
		return LNOB_E_EXISTS;   /* a rotation brings a pair the node never had */
	r = keydir_id_by_curve(txn, kd, node->pub.curve_pk, other);
	if (r == 0)
		return LNOB_E_EXISTS;   /* another node holds this transport key */
	if (r != LNOB_E_NOTFOUND)
		return r;
	n = old;
	n.pub = node->pub;
	if (node->scope[0])
		lnob_strlcpy(n.scope, node->scope, sizeof(n.scope));
	n.enrolled_at = now_s;
	if ((r = s_retire(txn, kd, &old, until, now_s, &n)) < 0 ||
	    (r = s_put_record(txn, kd, &n)) < 0)
		return r;
	return store_put(txn, kd->curve, n.pub.curve_pk, 32, id, strlen(id), 0);
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
