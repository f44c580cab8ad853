/*
 * downstream.c: the nodes a relay admits (see outbox.h, "relay: downstream
 * nodes"): a key directory (keydir.h) over "downstream" and
 * "downstream_keys", and what the relay last saw of each node in
 * "downstream_seen".
 */
#include "outbox.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "keydir.h"
#include "lnob_err.h"
#include "outbox_int.h"
#include "store.h"
#include "util.h"

/* The key directory of the outbox. */
static keydir_t s_keydir(const outbox_t *self)
{
	keydir_t kd = { store_dbi(self->st, OUTBOX_DB_DOWN), store_dbi(self->st, OUTBOX_DB_DOWN_KEYS) };

	return kd;
}

/* Fills *ret from an enrolled node and what "downstream_seen" holds of it
 * in txn (a record that does not decode counts as never seen). */
static void s_fill(outbox_t *self, MDB_txn *txn, const keydir_node_t *k, outbox_node_t *ret)
{
	ProtobufCMessage *m;
	MDB_val pv;

	memset(ret, 0, sizeof(*ret));
	ret->pub = k->pub;
	ret->enrolled_at = k->enrolled_at;
	ret->revoked = k->revoked;
	ret->revoked_at = k->revoked_at;
	ret->n_older = keydir_older_sign_keys(k, lnob_now_s(), ret->older_pk);
	if (store_get(txn, store_dbi(self->st, OUTBOX_DB_DOWN_SEEN), k->pub.node_id,
		      strlen(k->pub.node_id), &pv) < 0 ||
	    codec_unpack(&lnob__peer_record__descriptor, pv.mv_data, pv.mv_size, 4096, &m) < 0)
		return;
	ret->last_seen_ms = ((Lnob__PeerRecord *)m)->last_seen_ms;
	if (((Lnob__PeerRecord *)m)->health) {
		const Lnob__Health *h = ((Lnob__PeerRecord *)m)->health;

		ret->has_health = true;
		ret->queued = h->queued;
		ret->parked = h->parked;
		ret->oldest_queued_at_ms = h->oldest_queued_at;
		ret->next_seq = h->next_seq;
	}
	protobuf_c_message_free_unpacked(m, NULL);
}

/* A write transaction on the downstream key directory: *ret_kd and
 * *ret_txn, or -EROFS / a store code. */
static int s_begin(outbox_t *self, keydir_t *ret_kd, MDB_txn **ret_txn)
{
	if (self->rdonly)
		return -EROFS;
	*ret_kd = s_keydir(self);
	return store_begin(self->st, true, ret_txn);
}

/* Commits *txn after r == 0, else aborts it. Returns r or the commit's code. */
static int s_end(MDB_txn **txn, int r)
{
	if (r < 0) {
		store_abort(txn);
		return r;
	}
	return store_commit(txn);
}

int outbox_downstream_enroll(outbox_t *self, const identity_pub_t *pub, bool replace,
			     int64_t now_s)
{
	keydir_t kd;
	keydir_node_t n;
	MDB_txn *txn = NULL;
	int r;

	assert(self && pub);
	if (!self->rdonly && !lnob_valid_id(pub->node_id))
		return -EINVAL;
	memset(&n, 0, sizeof(n));
	n.pub = *pub;
	n.enrolled_at = now_s;
	if ((r = s_begin(self, &kd, &txn)) < 0)
		return r;
	return s_end(&txn, keydir_put(txn, &kd, &n, replace));
}

int outbox_downstream_rotate(outbox_t *self, const identity_pub_t *pub, int64_t grace_s,
			     int64_t now_s)
{
	keydir_t kd;
	keydir_node_t n;
	MDB_txn *txn = NULL;
	int r;

	assert(self && pub);
	memset(&n, 0, sizeof(n));
	n.pub = *pub;
	if ((r = s_begin(self, &kd, &txn)) < 0)
		return r;
	return s_end(&txn, keydir_rotate(txn, &kd, &n, grace_s, now_s));
}

int outbox_downstream_revoke(outbox_t *self, const char *node_id, int64_t now_s)
{
	keydir_t kd;
	MDB_txn *txn = NULL;
	int r;

	assert(self);
	if ((r = s_begin(self, &kd, &txn)) < 0)
		return r;
	return s_end(&txn, keydir_revoke(txn, &kd, node_id, now_s));
}

/* outbox_downstream_get() and _by_curve(): one node by id (curve_pk
 * NULL) or by CURVE key, in a read transaction of its own. */
static int s_lookup(outbox_t *self, const char *node_id, const uint8_t *curve_pk,
		    outbox_node_t *ret)
{
	keydir_t kd = s_keydir(self);
	keydir_node_t k;
	MDB_txn *txn = NULL;
	int r;

	if (self->legacy)
		return LNOB_E_NOTFOUND;
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	r = curve_pk ? keydir_by_curve(txn, &kd, curve_pk, &k) : keydir_get(txn, &kd, node_id, &k);
	if (r == 0 && curve_pk && !keydir_curve_live(&k, curve_pk, lnob_now_s()))
		r = LNOB_E_NOTFOUND;   /* a retired key whose grace is over */
	if (r == 0)
		s_fill(self, txn, &k, ret);
	store_abort(&txn);
	return r;
}

int outbox_downstream_get(outbox_t *self, const char *node_id, outbox_node_t *ret)
{
	assert(self && ret);
	return s_lookup(self, node_id, NULL, ret);
}

int outbox_downstream_by_curve(outbox_t *self, const uint8_t curve_pk[32], outbox_node_t *ret)
{
	assert(self && curve_pk && ret);
	return s_lookup(self, NULL, curve_pk, ret);
}

/* What outbox_downstream_foreach() hands keydir_foreach(). */
typedef struct s_walk {
	outbox_t *self;
	MDB_txn *txn;
	outbox_node_fn fn;
	void *ctx;
} s_walk_t;

static int s_walk_one(void *ctx, const keydir_node_t *k)
{
	s_walk_t *w = ctx;
	outbox_node_t n;

	s_fill(w->self, w->txn, k, &n);
	return w->fn(w->ctx, &n) != 0 ? 1 : 0;
}

int outbox_downstream_foreach(outbox_t *self, outbox_node_fn fn, void *ctx)
{
	keydir_t kd;
	s_walk_t w = { .self = self, .fn = fn, .ctx = ctx };
	int r;

	assert(self && fn);
	if (self->legacy)
		return 0;
	kd = s_keydir(self);
	if ((r = store_begin(self->st, false, &w.txn)) < 0)
		return r;
	r = keydir_foreach(w.txn, &kd, 0, s_walk_one, &w);
	store_abort(&w.txn);
	return r;
}

/* Writes the PeerRecord of nd in txn. Returns 0 or a negative code. */
static int s_seen_put(outbox_t *self, MDB_txn *txn, const outbox_node_t *nd)
{
	Lnob__PeerRecord rec = LNOB__PEER_RECORD__INIT;
	Lnob__Health h = LNOB__HEALTH__INIT;
	uint8_t *buf;
	size_t len;
	int r;

	rec.node_id = (char *)nd->pub.node_id;
	rec.last_seen_ms = nd->last_seen_ms;
	if (nd->has_health) {
		h.queued = nd->queued;
		h.parked = nd->parked;
		h.oldest_queued_at = nd->oldest_queued_at_ms;
		h.next_seq = nd->next_seq;
		rec.health = &h;
	}
	if ((r = codec_pack(&rec.base, &buf, &len)) < 0)
		return r;
	r = store_put(txn, store_dbi(self->st, OUTBOX_DB_DOWN_SEEN), nd->pub.node_id,
		      strlen(nd->pub.node_id), buf, len, 0);
	free(buf);
	return r;
}

int outbox_downstream_seen(outbox_t *self, const outbox_node_t *nodes, size_t n)
{
	MDB_txn *txn = NULL;
	int r;

	assert(self);
	if (self->rdonly)
		return -EROFS;
	if (n == 0)
		return 0;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (lnob_valid_id(nodes[i].pub.node_id) && (r = s_seen_put(self, txn, &nodes[i])) < 0) {
			store_abort(&txn);
			return r;
		}
	}
	return store_commit(&txn);
}
