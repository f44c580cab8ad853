/*
 * custody.c: the relayed lane of the outbox (see outbox.h, "relay:
 * custody"): envelopes a relay takes into custody from its downstream
 * nodes, byte for byte, queued for the aggregator under (signer, seq).
 */
#include "outbox.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fault.h"
#include "lnob_err.h"
#include "outbox_int.h"
#include "store.h"
#include "util.h"

/* Whether the record v (an OutboxItem or, when parked, a ParkedItem) holds
 * exactly env[0..len-1]. An undecodable record counts as other bytes. */
static bool s_same_envelope(const MDB_val *v, bool parked, const uint8_t *env, size_t len)
{
	bool same = false;

	if (parked) {
		Lnob__ParkedItem *p;

		if (outbox_parked_decode(v, &p) == 0) {
			same = p->envelope.len == len && (len == 0 || memcmp(p->envelope.data, env, len) == 0);
			lnob__parked_item__free_unpacked(p, NULL);
		}
	} else {
		Lnob__OutboxItem *item;

		if (outbox_item_decode(v, &item) == 0) {
			same = item->envelope.len == len &&
			       (len == 0 || memcmp(item->envelope.data, env, len) == 0);
			lnob__outbox_item__free_unpacked(item, NULL);
		}
	}
	return same;
}

/* Takes one envelope into custody in txn: *ret gets what happened.
 * Returns 0 or a negative code. */
static int s_custody_one(outbox_t *self, MDB_txn *txn, const outbox_relay_in_t *in,
			 int64_t now_ms, enum outbox_custody *ret)
{
	Lnob__OutboxItem item = LNOB__OUTBOX_ITEM__INIT;
	uint8_t key[OUTBOX_RELAY_KEY_MAX], *val = NULL;
	size_t klen = outbox_key(key, in->signer, in->seq), val_len = 0;
	MDB_val v;
	bool parked = false;
	int r;

	r = store_get(txn, store_dbi(self->st, OUTBOX_DB_RELAY), key, klen, &v);
	if (r == LNOB_E_NOTFOUND) {
		parked = true;
		r = store_get(txn, store_dbi(self->st, OUTBOX_DB_RELAY_PARKED), key, klen, &v);
	}
	if (r == 0) {
		bool same = s_same_envelope(&v, parked, in->env, in->len);

		*ret = same ? OUTBOX_CUSTODY_DUPLICATE : OUTBOX_CUSTODY_CONFLICT;
		/* Parked here and sent again: the origin requeued it (after a
		 * refusal's receipt), so it goes upward again. */
		if (!same || !parked)
			return 0;
		if ((r = store_del(txn, store_dbi(self->st, OUTBOX_DB_RELAY_PARKED), key, klen)) < 0)
			return r;
	} else if (r != LNOB_E_NOTFOUND) {
		return r;
	}
	item.queued_at_ms = now_ms;
	item.envelope.data = (uint8_t *)in->env;
	item.envelope.len = in->len;
	if ((r = codec_pack(&item.base, &val, &val_len)) < 0)
		return r;
	r = store_put(txn, store_dbi(self->st, OUTBOX_DB_RELAY), key, klen, val, val_len,
		      MDB_NOOVERWRITE);
	free(val);
	if (r == 0)
		*ret = OUTBOX_CUSTODY_STORED;
	return r;
}

int outbox_relay_put(outbox_t *self, outbox_relay_in_t *items, size_t n, int64_t now_ms,
		     size_t *ret_stored)
{
	enum outbox_custody *res = NULL;
	MDB_txn *txn = NULL;
	size_t stored = 0;
	int r;

	assert(self);
	if (self->rdonly)
		return -EROFS;
	for (size_t i = 0; i < n; i++)
		if (!items[i].signer || !lnob_valid_id(items[i].signer) || items[i].seq == 0 ||
		    !items[i].env || items[i].len > OUTBOX_RECORD_MAX)
			return -EINVAL;
	if (n == 0) {
		if (ret_stored)
			*ret_stored = 0;
		return 0;
	}
	if (!(res = calloc(n, sizeof(*res))))
		return -ENOMEM;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((r = s_custody_one(self, txn, &items[i], now_ms, &res[i])) < 0)
			goto out;
		stored += res[i] == OUTBOX_CUSTODY_STORED;
	}
	if (stored > 0) {
		fault_point("relay.before_custody");
		if ((r = store_commit(&txn)) < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++)
		items[i].result = res[i];
	if (ret_stored)
		*ret_stored = stored;
	r = 0;
out:
	store_abort(&txn);
	free(res);
	return r;
}

/* outbox_relay_scan()'s callback and context, for outbox_lane_scan(). */
typedef struct s_relay_scan {
	outbox_relay_scan_fn fn;
	void *ctx;
} s_relay_scan_t;

static int s_relay_one(void *ctx, const outbox_ref_t *ref, const uint8_t *env, size_t len)
{
	s_relay_scan_t *s = ctx;

	return s->fn(s->ctx, ref->signer, ref->seq, env, len);
}

int outbox_relay_scan(outbox_t *self, const char *after_signer, uint64_t after_seq, size_t max,
		      outbox_relay_scan_fn fn, void *ctx, size_t *ret_visited, bool *ret_more)
{
	s_relay_scan_t s = { .fn = fn, .ctx = ctx };
	uint8_t key[OUTBOX_RELAY_KEY_MAX];
	size_t klen = 0;

	assert(self && fn);
	if (after_signer && (!after_signer[0] || !(klen = outbox_key(key, after_signer, after_seq))))
		return -EINVAL;
	return outbox_lane_scan(self, true, after_signer ? key : NULL, klen, after_signer != NULL,
				max, s_relay_one, &s, ret_visited, ret_more);
}

int outbox_relay_get(outbox_t *self, const char *signer, uint64_t seq, uint8_t **ret_env,
		     size_t *ret_len)
{
	outbox_ref_t ref;

	assert(self);
	if (!signer || !signer[0] || lnob_strlcpy(ref.signer, signer, sizeof(ref.signer)) < 0)
		return -EINVAL;
	ref.seq = seq;
	return outbox_lane_get(self, &ref, ret_env, ret_len);
}

int outbox_relay_park(outbox_t *self, const char *signer, uint64_t seq, int reason,
		      const char *detail, int64_t now_ms)
{
	outbox_ref_t ref;

	assert(self);
	if (self->rdonly)
		return -EROFS;
	if (!signer || !signer[0] || lnob_strlcpy(ref.signer, signer, sizeof(ref.signer)) < 0)
		return -EINVAL;
	ref.seq = seq;
	return outbox_lane_park(self, &ref, reason, detail, now_ms);
}
