/*
 * parked.c: the parked items of both lanes (see outbox.h): an item moves
 * from its queue to "parked" or "relay_parked" on a refusal, is listed for
 * the operator, and moves back unchanged on a requeue.
 */
#include "outbox.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "outbox_int.h"
#include "store.h"
#include "util.h"

/* A growing list of refs. */
typedef struct s_refs {
	outbox_ref_t *v;
	size_t n, cap;
} s_refs_t;

static int s_refs_push(s_refs_t *l, const char *signer, uint64_t seq)
{
	if (lnob_grow(&l->v, l->n, &l->cap, sizeof(*l->v), 16) < 0)
		return -ENOMEM;
	lnob_strlcpy(l->v[l->n].signer, signer, sizeof(l->v[l->n].signer));
	l->v[l->n].seq = seq;
	l->n++;
	return 0;
}

/* One walk over parked items: the callback of either listing, or the
 * refs of requeue --all (fn NULL, refs not NULL). */
typedef struct s_walk {
	bool relayed;
	outbox_parked_all_fn fn;
	void *ctx;
	s_refs_t *refs;
	bool stopped;   /* fn said stop */
} s_walk_t;

/* store_foreach() callback: one parked item. */
static int s_walk_one(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_walk_t *w = ctx;
	char signer[LNOB_ID_MAX + 1];
	Lnob__ParkedItem *p;
	uint64_t seq;
	int r;

	if ((r = outbox_key_parse(w->relayed, k, signer, &seq)) < 0)
		return r;
	if (w->refs)
		return s_refs_push(w->refs, signer, seq);
	if (outbox_parked_decode(v, &p) < 0)
		return LNOB_E_CORRUPT;
	w->stopped = w->fn(w->ctx, signer, seq, p) != 0;
	lnob__parked_item__free_unpacked(p, NULL);
	return w->stopped ? 1 : 0;
}

/* Walks the parked items of the own lane, then (unless stopped, and when
 * the store has them) of the relayed lane, in txn. Returns 0, a negative
 * code of the walk or an LMDB code. */
static int s_walk(outbox_t *self, MDB_txn *txn, bool relayed_too, s_walk_t *w)
{
	int r;

	for (int lane = 0; lane < (relayed_too && !self->legacy ? 2 : 1) && !w->stopped; lane++) {
		w->relayed = lane == 1;
		r = store_foreach(txn, store_dbi(self->st, outbox_lane_db(w->relayed, true)), NULL, 0,
				  s_walk_one, w);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Runs s_walk() in a read transaction of its own. */
static int s_walk_read(outbox_t *self, bool relayed_too, s_walk_t *w)
{
	MDB_txn *txn = NULL;
	int r;

	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	r = s_walk(self, txn, relayed_too, w);
	store_abort(&txn);
	return r;
}

/* outbox_parked_foreach()'s callback, as an outbox_parked_all_fn. */
typedef struct s_own_fn {
	outbox_parked_fn fn;
	void *ctx;
} s_own_fn_t;

static int s_own_one(void *ctx, const char *signer, uint64_t seq, const Lnob__ParkedItem *item)
{
	s_own_fn_t *o = ctx;

	(void)signer;
	return o->fn(o->ctx, seq, item);
}

int outbox_parked_foreach(outbox_t *self, outbox_parked_fn fn, void *ctx)
{
	s_own_fn_t o = { .fn = fn, .ctx = ctx };
	s_walk_t w = { .fn = s_own_one, .ctx = &o };

	assert(self && fn);
	return s_walk_read(self, false, &w);
}

int outbox_parked_foreach_all(outbox_t *self, outbox_parked_all_fn fn, void *ctx)
{
	s_walk_t w = { .fn = fn, .ctx = ctx };

	assert(self && fn);
	return s_walk_read(self, true, &w);
}

/* ---- requeue -------------------------------------------------------------- */

/* Moves one parked ref back to its queue in txn. Returns 0, 1 when it was
 * already moved in this transaction (named twice), LNOB_E_NOTFOUND,
 * LNOB_E_EXISTS, LNOB_E_CORRUPT, -ENOMEM or an LMDB code. */
static int s_requeue_one(outbox_t *self, MDB_txn *txn, const outbox_ref_t *ref, int64_t now_ms)
{
	bool relayed = ref->signer[0] != '\0';
	Lnob__OutboxItem item = LNOB__OUTBOX_ITEM__INIT;
	Lnob__ParkedItem *p = NULL;
	MDB_dbi from = store_dbi(self->st, outbox_lane_db(relayed, true));
	MDB_dbi to = store_dbi(self->st, outbox_lane_db(relayed, false));
	uint8_t key[OUTBOX_RELAY_KEY_MAX], *val = NULL;
	size_t klen = outbox_key(key, ref->signer, ref->seq), val_len = 0;
	MDB_val v;
	int r;

	r = store_get(txn, from, key, klen, &v);
	if (r == LNOB_E_NOTFOUND && store_get(txn, to, key, klen, &v) == 0)
		return 1;   /* queued: moved a moment ago, or never parked (caught below) */
	if (r < 0)
		return r;
	if (outbox_parked_decode(&v, &p) < 0)
		return LNOB_E_CORRUPT;
	item.queued_at_ms = p->queued_at_ms > 0 ? p->queued_at_ms : now_ms;
	item.envelope = p->envelope;
	r = codec_pack(&item.base, &val, &val_len);
	lnob__parked_item__free_unpacked(p, NULL);
	if (r < 0)
		return r;
	r = store_put(txn, to, key, klen, val, val_len, MDB_NOOVERWRITE);
	free(val);
	if (r < 0)
		return r;
	return store_del(txn, from, key, klen);
}

int outbox_requeue(outbox_t *self, const outbox_ref_t *refs, size_t n, bool all,
		   outbox_requeue_fn fn, void *ctx, size_t *ret_moved, outbox_ref_t *ret_bad)
{
	s_refs_t todo = { 0 }, moved = { 0 };
	MDB_txn *txn = NULL;
	uint64_t gen = 0;
	int64_t now_ms = lnob_now_ms();
	int r;

	assert(self);
	if (self->rdonly)
		return -EROFS;
	if (!all && n == 0)
		return -EINVAL;
	for (size_t i = 0; !all && i < n; i++)
		if (refs[i].seq == 0 || (refs[i].signer[0] && !lnob_valid_id(refs[i].signer)))
			return -EINVAL;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if (all) {
		s_walk_t w = { .refs = &todo };

		if ((r = s_walk(self, txn, true, &w)) < 0)
			goto out;
	} else {
		for (size_t i = 0; i < n; i++)
			if ((r = s_refs_push(&todo, refs[i].signer, refs[i].seq)) < 0)
				goto out;
	}
	for (size_t i = 0; i < todo.n; i++) {
		bool again = false;

		r = s_requeue_one(self, txn, &todo.v[i], now_ms);
		if (r == 1) {
			/* Queued already: fine only if this call moved it. */
			for (size_t j = 0; j < moved.n && !again; j++)
				again = moved.v[j].seq == todo.v[i].seq &&
					strcmp(moved.v[j].signer, todo.v[i].signer) == 0;
			r = again ? 0 : LNOB_E_NOTFOUND;
			if (again)
				continue;
		}
		if (r < 0) {
			if (ret_bad)
				*ret_bad = todo.v[i];
			goto out;
		}
		if ((r = s_refs_push(&moved, todo.v[i].signer, todo.v[i].seq)) < 0)
			goto out;
	}
	if (moved.n > 0) {
		if ((r = store_meta_get_u64(txn, self->st, OUTBOX_META_REQUEUE_GEN, &gen)) < 0 ||
		    (r = store_meta_put_u64(txn, self->st, OUTBOX_META_REQUEUE_GEN, gen + 1)) < 0 ||
		    (r = store_commit(&txn)) < 0)
			goto out;
	}
	for (size_t i = 0; fn && i < moved.n; i++)
		fn(ctx, moved.v[i].signer, moved.v[i].seq);
	if (ret_moved)
		*ret_moved = moved.n;
	r = 0;
out:
	store_abort(&txn);
	free(todo.v);
	free(moved.v);
	return r;
}

int outbox_requeue_gen(outbox_t *self, uint64_t *ret)
{
	MDB_txn *txn = NULL;
	uint64_t gen = 0;
	int r;

	assert(self && ret);
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	r = store_meta_get_u64(txn, self->st, OUTBOX_META_REQUEUE_GEN, &gen);
	store_abort(&txn);
	if (r == 0)
		*ret = gen;
	return r;
}
