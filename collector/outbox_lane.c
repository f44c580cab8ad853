/*
 * outbox_lane.c: what the outbox's lanes share (see outbox_int.h), below
 * outbox.c, parked.c and custody.c, which call it and never each other:
 * the keys of both lanes, their records, the one scan of a queue, copying
 * an envelope out, moving an item to its parked items, and the oldest
 * relayed item.
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

size_t outbox_key(uint8_t key[OUTBOX_RELAY_KEY_MAX], const char *signer, uint64_t seq)
{
	size_t n;

	if (!signer || !signer[0]) {
		lnob_be64_put(key, seq);
		return 8;
	}
	if (!lnob_valid_id(signer) || seq == 0)
		return 0;
	n = strlen(signer);
	assert(n <= LNOB_ID_MAX);
	memcpy(key, signer, n);
	key[n] = 0;
	lnob_be64_put(key + n + 1, seq);
	return n + 9;
}

int outbox_key_parse(bool relayed, const MDB_val *k, char *signer, uint64_t *seq)
{
	const uint8_t *p = k->mv_data;
	size_t n;

	if (!relayed) {
		if (k->mv_size != 8)
			return LNOB_E_CORRUPT;
		signer[0] = '\0';
		*seq = lnob_be64_get(p);
		return 0;
	}
	if (k->mv_size < 10 || k->mv_size > OUTBOX_RELAY_KEY_MAX)
		return LNOB_E_CORRUPT;
	n = k->mv_size - 9;
	if (p[n] != 0 || memchr(p, 0, n) != NULL)
		return LNOB_E_CORRUPT;
	memcpy(signer, p, n);
	signer[n] = '\0';
	*seq = lnob_be64_get(p + n + 1);
	return 0;
}

int outbox_item_decode(const MDB_val *v, Lnob__OutboxItem **ret)
{
	ProtobufCMessage *m;

	if (codec_unpack(&lnob__outbox_item__descriptor, v->mv_data, v->mv_size,
			 OUTBOX_RECORD_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__OutboxItem *)m;
	return 0;
}

int outbox_parked_decode(const MDB_val *v, Lnob__ParkedItem **ret)
{
	ProtobufCMessage *m;

	if (codec_unpack(&lnob__parked_item__descriptor, v->mv_data, v->mv_size,
			 2 * OUTBOX_RECORD_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__ParkedItem *)m;
	return 0;
}

/* One outbox_lane_scan(): where it stands. */
typedef struct s_scan {
	bool relayed;
	const uint8_t *skip;   /* with after: the key to pass over */
	size_t skip_len, max, visited;
	bool stop, more;
	outbox_lane_fn fn;
	void *ctx;
} s_scan_t;

/* store_foreach() callback of outbox_lane_scan(): one queued item. After
 * the last one visited (max reached, or fn stopped) an entry more means
 * that items remain. */
static int s_scan_one(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_scan_t *s = ctx;
	Lnob__OutboxItem *item;
	outbox_ref_t ref;

	if (s->skip && k->mv_size == s->skip_len && memcmp(k->mv_data, s->skip, s->skip_len) == 0)
		return 0;
	if (s->stop || s->visited == s->max) {
		s->more = true;
		return 1;
	}
	if (outbox_key_parse(s->relayed, k, ref.signer, &ref.seq) < 0)
		return LNOB_E_CORRUPT;
	s->visited++;
	if (outbox_item_decode(v, &item) == 0) {
		s->stop = s->fn(s->ctx, &ref, item->envelope.data, item->envelope.len) != 0;
		lnob__outbox_item__free_unpacked(item, NULL);
	} else {
		s->stop = s->fn(s->ctx, &ref, NULL, 0) != 0;
	}
	return 0;
}

int outbox_lane_scan(outbox_t *self, bool relayed, const uint8_t *from, size_t flen, bool after,
		     size_t max, outbox_lane_fn fn, void *ctx, size_t *ret_visited, bool *ret_more)
{
	s_scan_t s = { .relayed = relayed, .skip = after ? from : NULL, .skip_len = flen,
		       .max = max, .fn = fn, .ctx = ctx };
	MDB_txn *txn = NULL;
	int r;

	assert(self && fn);
	if (!(relayed && self->legacy)) {
		if ((r = store_begin(self->st, false, &txn)) < 0)
			return r;
		r = store_foreach(txn, store_dbi(self->st, outbox_lane_db(relayed, false)), from, flen,
				  s_scan_one, &s);
		store_abort(&txn);
		if (r < 0)
			return r;
	}
	if (ret_visited)
		*ret_visited = s.visited;
	if (ret_more)
		*ret_more = s.more;
	return 0;
}

int outbox_lane_get(outbox_t *self, const outbox_ref_t *ref, uint8_t **ret_env, size_t *ret_len)
{
	bool relayed = ref->signer[0] != '\0';
	Lnob__OutboxItem *item = NULL;
	uint8_t key[OUTBOX_RELAY_KEY_MAX], *copy;
	size_t klen = outbox_key(key, ref->signer, ref->seq);
	MDB_txn *txn = NULL;
	MDB_val v;
	int r;

	if (!klen)
		return -EINVAL;
	if (relayed && self->legacy)
		return LNOB_E_NOTFOUND;
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = store_get(txn, store_dbi(self->st, outbox_lane_db(relayed, false)), key, klen,
			   &v)) < 0 ||
	    (r = outbox_item_decode(&v, &item)) < 0)
		goto out;
	copy = malloc(item->envelope.len ? item->envelope.len : 1);
	if (!copy) {
		r = -ENOMEM;
		goto out;
	}
	if (item->envelope.len)
		memcpy(copy, item->envelope.data, item->envelope.len);
	*ret_env = copy;
	*ret_len = item->envelope.len;
out:
	if (item)
		lnob__outbox_item__free_unpacked(item, NULL);
	store_abort(&txn);
	return r;
}

/* ---- parking ------------------------------------------------------------------ */

int outbox_lane_park(outbox_t *self, const outbox_ref_t *ref, int reason, const char *detail,
		     int64_t now_ms)
{
	bool relayed = ref->signer[0] != '\0';
	Lnob__ParkedItem parked = LNOB__PARKED_ITEM__INIT;
	Lnob__OutboxItem *item = NULL;
	MDB_dbi from = store_dbi(self->st, outbox_lane_db(relayed, false));
	uint8_t key[OUTBOX_RELAY_KEY_MAX], *val = NULL;
	size_t klen = outbox_key(key, ref->signer, ref->seq), val_len = 0;
	MDB_txn *txn = NULL;
	MDB_val v;
	int r;

	if (self->rdonly)
		return -EROFS;
	if (!klen)
		return -EINVAL;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if ((r = store_get(txn, from, key, klen, &v)) < 0)
		goto out;
	if (outbox_item_decode(&v, &item) == 0) {
		parked.queued_at_ms = item->queued_at_ms;
		parked.envelope = item->envelope;
	} else {
		/* Keep the undecodable record's bytes for the operator. */
		parked.envelope.data = v.mv_data;
		parked.envelope.len = v.mv_size;
	}
	parked.parked_at_ms = now_ms;
	parked.reason = (Lnob__NackReason)reason;
	parked.detail = (char *)(detail ? detail : "");
	if ((r = codec_pack(&parked.base, &val, &val_len)) < 0 ||
	    (r = store_put(txn, store_dbi(self->st, outbox_lane_db(relayed, true)), key, klen, val,
			   val_len, 0)) < 0 ||
	    (r = store_del(txn, from, key, klen)) < 0 ||
	    (r = outbox_receipt_on_park(self, txn, ref, reason, detail, now_ms)) < 0)
		goto out;
	r = store_commit(&txn);
out:
	store_abort(&txn);
	free(val);
	if (item)
		lnob__outbox_item__free_unpacked(item, NULL);
	return r;
}

/* ---- the relayed lane's oldest item -------------------------------------------- */

/* The oldest of outbox_relay_oldest(): where the walk stands. */
typedef struct s_oldest {
	int64_t oldest;
	uint8_t next[LNOB_ID_MAX + 2];   /* the key to seek next */
	size_t next_len;                 /* 0: the end */
} s_oldest_t;

/* store_foreach() callback: the first item at or after the seek key, a
 * signer's lowest seq; then the key of the next signer, and stop. */
static int s_oldest_one(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_oldest_t *o = ctx;
	Lnob__OutboxItem *item;
	const uint8_t *p = k->mv_data;
	const uint8_t *nul = k->mv_size > 0 ? memchr(p, 0, k->mv_size) : NULL;
	size_t n = nul ? (size_t)(nul - p) : 0;

	if (outbox_item_decode(v, &item) == 0) {
		if (item->queued_at_ms > 0 && (o->oldest == 0 || item->queued_at_ms < o->oldest))
			o->oldest = item->queued_at_ms;
		lnob__outbox_item__free_unpacked(item, NULL);
	}
	if (n == 0 || n > LNOB_ID_MAX) {
		return 0;   /* not a signer's key: go on with the next entry */
	}
	/* signer 0x01 sorts after every key of this signer and before the
	 * next signer's. */
	memcpy(o->next, p, n);
	o->next[n] = 1;
	o->next_len = n + 1;
	return 1;
}

int outbox_relay_oldest(outbox_t *self, MDB_txn *txn, int64_t *ret)
{
	s_oldest_t o = { .oldest = 0 };
	uint8_t from[LNOB_ID_MAX + 2];
	size_t flen = 0;
	int r;

	/* Only each signer's lowest seq is read (a seek per signer, so the
	 * cost follows the number of downstream nodes, not of items): a
	 * signer's items arrive in seq order, so that is its oldest but for
	 * requeued ones. */
	do {
		o.next_len = 0;
		r = store_foreach(txn, store_dbi(self->st, OUTBOX_DB_RELAY), flen ? from : NULL, flen,
				  s_oldest_one, &o);
		if (r < 0)
			return r;
		memcpy(from, o.next, o.next_len);
		flen = o.next_len;
	} while (flen > 0);
	*ret = o.oldest;
	return 0;
}
