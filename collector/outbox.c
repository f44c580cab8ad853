/* outbox.c: the collector's durable outbox in LMDB (see outbox.h). */
#include "outbox.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "fault.h"
#include "lnob_err.h"
#include "report.h"
#include "store.h"
#include "util.h"

enum {
	S_DB_OUTBOX = 0,
	S_DB_PARKED,
	S_DB_RELAY,
	S_DB_RELAY_PARKED,
	S_DB_DOWN,
	S_DB_DOWN_KEYS,
	S_DB_DOWN_SEEN,
	S_DB_COUNT,
};
/* The databases of the first layout: a reader on such a store sees the
 * others as empty. */
#define S_DB_LEGACY 2

#define S_META_NEXT_SEQ "next_seq"
#define S_META_CONTACT "last_contact_ms"
#define S_META_IN_FLIGHT "in_flight"
#define S_META_REQUEUE_GEN "requeue_gen"
#define S_META_MAX_BODY "upstream_max_body"
#define S_META_MAX_FRAME "upstream_max_frame"
#define S_META_LIMITS_AT "limits_at_ms"
/* Records at rest never exceed a body plus its envelope and framing. */
#define S_RECORD_MAX (OUTBOX_BODY_MAX + 4096)

struct outbox {
	store_t *st;
	bool rdonly;
	bool legacy;   /* read-only on a store without the relay databases */
};

int outbox_open(const char *dir, size_t map_size, unsigned flags, outbox_t **ret,
		char *err, size_t errlen)
{
	static const char *const dbs[S_DB_COUNT] = {
		"outbox", "parked", "relay", "relay_parked",
		"downstream", "downstream_keys", "downstream_seen",
	};
	outbox_t *self = calloc(1, sizeof(*self));
	int r;

	if (!self) {
		snprintf(err, errlen, "%s: out of memory", dir);
		return -ENOMEM;
	}
	self->rdonly = (flags & OUTBOX_RDONLY) != 0;
	r = store_open(dir, OUTBOX_SCHEMA, OUTBOX_SCHEMA_VERSION, dbs, S_DB_COUNT, map_size,
		       self->rdonly ? STORE_RDONLY : 0, &self->st, err, errlen);
	if (r == LNOB_E_SCHEMA && self->rdonly) {
		/* A store no writer has opened since the relay databases came:
		 * read what it has. */
		char err2[512];

		if (store_open(dir, OUTBOX_SCHEMA, OUTBOX_SCHEMA_VERSION, dbs, S_DB_LEGACY, map_size,
			       STORE_RDONLY, &self->st, err2, sizeof(err2)) == 0) {
			self->legacy = true;
			r = 0;
		}
	}
	if (r < 0) {
		free(self);
		return r;
	}
	*ret = self;
	return 0;
}

void outbox_destroy(outbox_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	store_destroy(&(*self_p)->st);
	free(*self_p);
	*self_p = NULL;
}

/* Reads next_seq in txn: the stored value, or 1 for a new outbox. */
static int s_next_seq(outbox_t *self, MDB_txn *txn, uint64_t *ret)
{
	uint64_t v = 0;
	int r = store_meta_get_u64(txn, self->st, S_META_NEXT_SEQ, &v);

	if (r < 0)
		return r;
	*ret = v ? v : 1;
	return 0;
}

/* Seals body at seq and stores it as an OutboxItem in txn. Returns 0 or a
 * negative code. */
static int s_put_one(outbox_t *self, MDB_txn *txn, const identity_t *id, uint32_t kind,
		     uint64_t seq, const uint8_t *body, size_t len, int64_t now_ms)
{
	Lnob__OutboxItem item = LNOB__OUTBOX_ITEM__INIT;
	uint8_t key[8], *env = NULL, *val = NULL;
	size_t env_len = 0, val_len = 0;
	int r;

	r = envelope_seal(id, seq, kind, body, len, &env, &env_len);
	if (r < 0)
		return r;
	item.queued_at_ms = now_ms;
	item.envelope.data = env;
	item.envelope.len = env_len;
	r = codec_pack(&item.base, &val, &val_len);
	free(env);
	if (r < 0)
		return r;
	lnob_be64_put(key, seq);
	r = store_put(txn, store_dbi(self->st, S_DB_OUTBOX), key, 8, val, val_len, MDB_NOOVERWRITE);
	free(val);
	/* A queued item at a seq we are about to assign means next_seq went
	 * backwards: refuse rather than overwrite. */
	return r == LNOB_E_EXISTS ? LNOB_E_CORRUPT : r;
}

/* Reads the recorded limits in txn into *ret (0 where absent). Returns 0
 * or an LMDB code. */
static int s_get_limits(outbox_t *self, MDB_txn *txn, outbox_limits_t *ret)
{
	uint64_t body = 0, frame = 0, at = 0;
	int r;

	if ((r = store_meta_get_u64(txn, self->st, S_META_MAX_BODY, &body)) < 0 ||
	    (r = store_meta_get_u64(txn, self->st, S_META_MAX_FRAME, &frame)) < 0 ||
	    (r = store_meta_get_u64(txn, self->st, S_META_LIMITS_AT, &at)) < 0)
		return r;
	ret->max_body = body;
	ret->max_frame = frame;
	ret->learned_at_ms = at <= INT64_MAX ? (int64_t)at : 0;
	return 0;
}

int outbox_enqueue(outbox_t *self, const identity_t *id, uint32_t kind,
		   const uint8_t *const *bodies, const size_t *lens, size_t n,
		   int64_t now_ms, uint64_t *ret_first_seq)
{
	MDB_txn *txn = NULL;
	outbox_limits_t lim;
	uint64_t first;
	int r;

	assert(self && id);
	if (self->rdonly)
		return -EROFS;
	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (lens[i] > OUTBOX_BODY_MAX)
			return LNOB_E_TOOBIG;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	/* Checked in the transaction that queues: the running daemon may
	 * have learned a smaller limit since the caller looked. */
	if ((r = s_get_limits(self, txn, &lim)) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] > outbox_max_body(&lim)) {
			r = LNOB_E_TOOBIG;
			goto fail;
		}
	}
	if ((r = s_next_seq(self, txn, &first)) < 0)
		goto fail;
	if (first > UINT64_MAX - n) {
		r = -EOVERFLOW;
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if ((r = s_put_one(self, txn, id, kind, first + i, bodies[i], lens[i], now_ms)) < 0)
			goto fail;
	if ((r = store_meta_put_u64(txn, self->st, S_META_NEXT_SEQ, first + n)) < 0)
		goto fail;
	fault_point("collector.enqueue_before_commit");
	if ((r = store_commit(&txn)) < 0)
		return r;
	if (ret_first_seq)
		*ret_first_seq = first;
	return 0;
fail:
	store_abort(&txn);
	return r;
}

int outbox_enqueue_reports(outbox_t *self, const identity_t *id,
			   const Lnob__Report *const *reports, size_t n, int64_t now_ms,
			   uint64_t *ret_first_seq, char *detail, size_t detail_len)
{
	uint8_t **bodies;
	size_t *lens, max_body;
	outbox_limits_t lim;
	char why[256];
	int r = 0;

	if (n == 0)
		return -EINVAL;
	if ((r = outbox_get_limits(self, &lim)) < 0)
		return r;
	max_body = outbox_max_body(&lim);
	bodies = calloc(n, sizeof(*bodies));
	lens = calloc(n, sizeof(*lens));
	if (!bodies || !lens) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (report_validate(reports[i], why, sizeof(why)) < 0) {
			if (detail)
				snprintf(detail, detail_len, "report %zu: %s", i, why);
			r = LNOB_E_INVALID;
			goto out;
		}
		if ((r = codec_pack(&reports[i]->base, &bodies[i], &lens[i])) < 0)
			goto out;
		if (lens[i] > max_body) {
			if (detail)
				snprintf(detail, detail_len, "report %zu: %zu bytes, over the "
					 "%zu-byte limit", i, lens[i], max_body);
			r = LNOB_E_TOOBIG;
			goto out;
		}
	}
	r = outbox_enqueue(self, id, LNOB__KIND__KIND_REPORT, (const uint8_t *const *)bodies,
			   lens, n, now_ms, ret_first_seq);
out:
	if (bodies)
		for (size_t i = 0; i < n; i++)
			free(bodies[i]);
	free(bodies);
	free(lens);
	return r;
}

/* Writes state into meta in txn. Returns 0 or an LMDB code. */
static int s_put_state(outbox_t *self, MDB_txn *txn, const outbox_state_t *state)
{
	int r = store_meta_put_u64(txn, self->st, S_META_CONTACT,
				   state->last_contact_ms > 0 ? (uint64_t)state->last_contact_ms : 0);

	if (r == 0)
		r = store_meta_put_u64(txn, self->st, S_META_IN_FLIGHT, state->in_flight);
	return r;
}

/* Makes the relay key of (signer, seq) in key; returns its length, or 0
 * when signer is not a valid id or seq is 0. */
static size_t s_relay_key(uint8_t key[OUTBOX_RELAY_KEY_MAX], const char *signer, uint64_t seq)
{
	size_t n;

	if (!signer || !lnob_valid_id(signer) || seq == 0)
		return 0;
	n = strlen(signer);
	assert(n <= LNOB_ID_MAX);
	memcpy(key, signer, n);
	key[n] = 0;
	lnob_be64_put(key + n + 1, seq);
	return n + 9;
}

/* Splits a relay key into signer[LNOB_ID_MAX + 1] and *seq. Returns 0 or
 * LNOB_E_CORRUPT. */
static int s_relay_key_parse(const MDB_val *k, char *signer, uint64_t *seq)
{
	const uint8_t *p = k->mv_data;
	size_t n;

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

int outbox_ack_all(outbox_t *self, const uint64_t *seqs, size_t n, const outbox_ref_t *refs,
		   size_t nrefs, const outbox_state_t *state, size_t *ret_deleted)
{
	MDB_txn *txn = NULL;
	size_t deleted = 0;
	int r;

	assert(self);
	if (self->rdonly)
		return -EROFS;
	for (size_t i = 0; i < nrefs; i++)
		if (refs[i].signer[0] && !lnob_valid_id(refs[i].signer))
			return -EINVAL;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	for (size_t i = 0; i < n + nrefs; i++) {
		uint8_t key[OUTBOX_RELAY_KEY_MAX];
		size_t klen = 8;
		MDB_dbi dbi = store_dbi(self->st, S_DB_OUTBOX);
		uint64_t seq = i < n ? seqs[i] : refs[i - n].seq;

		if (i >= n && refs[i - n].signer[0]) {
			if (!(klen = s_relay_key(key, refs[i - n].signer, seq)))
				continue;   /* seq 0: nothing can be queued under it */
			dbi = store_dbi(self->st, S_DB_RELAY);
		} else {
			lnob_be64_put(key, seq);
		}
		r = store_del(txn, dbi, key, klen);
		if (r == 0)
			deleted++;
		else if (r != LNOB_E_NOTFOUND)
			goto fail;
	}
	if (state && (r = s_put_state(self, txn, state)) < 0)
		goto fail;
	if ((r = store_commit(&txn)) < 0)
		return r;
	if (ret_deleted)
		*ret_deleted = deleted;
	return 0;
fail:
	store_abort(&txn);
	return r;
}

int outbox_ack(outbox_t *self, const uint64_t *seqs, size_t n,
	       const outbox_state_t *state, size_t *ret_deleted)
{
	return outbox_ack_all(self, seqs, n, NULL, 0, state, ret_deleted);
}

/* Decodes an OutboxItem record. Caller frees *ret with
 * lnob__outbox_item__free_unpacked(). Returns 0 or LNOB_E_CORRUPT. */
static int s_decode_item(const MDB_val *v, Lnob__OutboxItem **ret)
{
	ProtobufCMessage *m;

	if (codec_unpack(&lnob__outbox_item__descriptor, v->mv_data, v->mv_size,
			 S_RECORD_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__OutboxItem *)m;
	return 0;
}

/* Decodes a ParkedItem record (caller frees with
 * lnob__parked_item__free_unpacked()). Returns 0 or LNOB_E_CORRUPT. */
static int s_decode_parked(const MDB_val *v, Lnob__ParkedItem **ret)
{
	ProtobufCMessage *m;

	if (codec_unpack(&lnob__parked_item__descriptor, v->mv_data, v->mv_size,
			 2 * S_RECORD_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__ParkedItem *)m;
	return 0;
}

/* Moves key from database `from` to `to` as a ParkedItem, in its own write
 * transaction. Returns 0, LNOB_E_NOTFOUND, -ENOMEM or an LMDB code. */
static int s_park(outbox_t *self, size_t from, size_t to, const uint8_t *key, size_t klen,
		  int reason, const char *detail, int64_t now_ms)
{
	Lnob__ParkedItem parked = LNOB__PARKED_ITEM__INIT;
	Lnob__OutboxItem *item = NULL;
	MDB_txn *txn = NULL;
	MDB_val v;
	uint8_t *val = NULL;
	size_t val_len = 0;
	int r;

	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if ((r = store_get(txn, store_dbi(self->st, from), key, klen, &v)) < 0)
		goto out;
	if (s_decode_item(&v, &item) == 0) {
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
	if ((r = codec_pack(&parked.base, &val, &val_len)) < 0)
		goto out;
	if ((r = store_put(txn, store_dbi(self->st, to), key, klen, val, val_len, 0)) < 0)
		goto out;
	if ((r = store_del(txn, store_dbi(self->st, from), key, klen)) < 0)
		goto out;
	r = store_commit(&txn);
out:
	store_abort(&txn);
	free(val);
	if (item)
		lnob__outbox_item__free_unpacked(item, NULL);
	return r;
}

int outbox_park(outbox_t *self, uint64_t seq, int reason, const char *detail, int64_t now_ms)
{
	uint8_t key[8];

	assert(self);
	if (self->rdonly)
		return -EROFS;
	lnob_be64_put(key, seq);
	return s_park(self, S_DB_OUTBOX, S_DB_PARKED, key, 8, reason, detail, now_ms);
}

int outbox_relay_park(outbox_t *self, const char *signer, uint64_t seq, int reason,
		      const char *detail, int64_t now_ms)
{
	uint8_t key[OUTBOX_RELAY_KEY_MAX];
	size_t klen;

	assert(self);
	if (self->rdonly)
		return -EROFS;
	if (!(klen = s_relay_key(key, signer, seq)))
		return -EINVAL;
	return s_park(self, S_DB_RELAY, S_DB_RELAY_PARKED, key, klen, reason, detail, now_ms);
}

/* Copies the envelope of the OutboxItem under key in database db into
 * *ret_env (caller owns). Returns 0, LNOB_E_NOTFOUND, LNOB_E_CORRUPT,
 * -ENOMEM or an LMDB code. */
static int s_get(outbox_t *self, size_t db, const uint8_t *key, size_t klen,
		 uint8_t **ret_env, size_t *ret_len)
{
	Lnob__OutboxItem *item = NULL;
	MDB_txn *txn = NULL;
	MDB_val v;
	uint8_t *copy;
	int r;

	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = store_get(txn, store_dbi(self->st, db), key, klen, &v)) < 0)
		goto out;
	if ((r = s_decode_item(&v, &item)) < 0)
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

int outbox_get(outbox_t *self, uint64_t seq, uint8_t **ret_env, size_t *ret_len)
{
	uint8_t key[8];

	assert(self);
	lnob_be64_put(key, seq);
	return s_get(self, S_DB_OUTBOX, key, 8, ret_env, ret_len);
}

int outbox_relay_get(outbox_t *self, const char *signer, uint64_t seq, uint8_t **ret_env,
		     size_t *ret_len)
{
	uint8_t key[OUTBOX_RELAY_KEY_MAX];
	size_t klen;

	assert(self);
	if (!(klen = s_relay_key(key, signer, seq)))
		return -EINVAL;
	if (self->legacy)
		return LNOB_E_NOTFOUND;
	return s_get(self, S_DB_RELAY, key, klen, ret_env, ret_len);
}

int outbox_scan(outbox_t *self, uint64_t after_seq, size_t max, outbox_scan_fn fn,
		void *ctx, size_t *ret_visited, bool *ret_more)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint8_t key[8];
	size_t visited = 0;
	bool more = false;
	int r;

	assert(self && fn);
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = mdb_cursor_open(txn, store_dbi(self->st, S_DB_OUTBOX), &cur)) != 0)
		goto out;
	if (after_seq == UINT64_MAX)
		goto out;
	lnob_be64_put(key, after_seq + 1);
	k.mv_size = 8;
	k.mv_data = key;
	r = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (r == 0) {
		Lnob__OutboxItem *item = NULL;
		uint64_t seq;
		int stop;

		if (visited == max) {
			more = true;
			break;
		}
		if (k.mv_size != 8) {
			r = LNOB_E_CORRUPT;
			goto out;
		}
		seq = lnob_be64_get(k.mv_data);
		visited++;
		if (s_decode_item(&v, &item) == 0) {
			stop = fn(ctx, seq, item->envelope.data, item->envelope.len);
			lnob__outbox_item__free_unpacked(item, NULL);
		} else {
			stop = fn(ctx, seq, NULL, 0);
		}
		if (stop) {
			r = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
			more = r == 0;
			break;
		}
		r = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	r = (r == 0 || r == MDB_NOTFOUND) ? 0 : (r > 0 ? -r : r);
out:
	if (r > 0)
		r = -r;
	if (cur)
		mdb_cursor_close(cur);
	store_abort(&txn);
	if (r == 0) {
		if (ret_visited)
			*ret_visited = visited;
		if (ret_more)
			*ret_more = more;
	}
	return r;
}

int outbox_parked_foreach(outbox_t *self, outbox_parked_fn fn, void *ctx)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r;

	assert(self && fn);
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = mdb_cursor_open(txn, store_dbi(self->st, S_DB_PARKED), &cur)) != 0)
		goto out;
	for (r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
	     r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		ProtobufCMessage *m;
		int stop;

		if (k.mv_size != 8 || codec_unpack(&lnob__parked_item__descriptor, v.mv_data,
						   v.mv_size, 2 * S_RECORD_MAX, &m) < 0) {
			r = LNOB_E_CORRUPT;
			goto out;
		}
		stop = fn(ctx, lnob_be64_get(k.mv_data), (const Lnob__ParkedItem *)m);
		protobuf_c_message_free_unpacked(m, NULL);
		if (stop)
			break;
	}
	r = (r == 0 || r == MDB_NOTFOUND) ? 0 : r;
out:
	if (r > 0)
		r = -r;
	if (cur)
		mdb_cursor_close(cur);
	store_abort(&txn);
	return r;
}

/* The queued_at of the first item of database db, 0 when it is empty.
 * Returns 0, LNOB_E_CORRUPT or an LMDB code. */
static int s_first_queued_at(outbox_t *self, MDB_txn *txn, size_t db, int64_t *ret)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r;

	*ret = 0;
	if ((r = mdb_cursor_open(txn, store_dbi(self->st, db), &cur)) != 0)
		return r > 0 ? -r : r;
	r = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	if (r == 0) {
		Lnob__OutboxItem *item;

		if ((r = s_decode_item(&v, &item)) == 0) {
			*ret = item->queued_at_ms;
			lnob__outbox_item__free_unpacked(item, NULL);
		}
	} else if (r == MDB_NOTFOUND) {
		r = 0;
	}
	mdb_cursor_close(cur);
	return r > 0 ? -r : r;
}

/* The oldest queued_at among the relayed items, 0 when none. Only each
 * signer's lowest seq is read (a cursor jump per signer, so the cost
 * follows the number of downstream nodes, not of items): a signer's items
 * arrive in seq order, so that is its oldest but for requeued ones. */
static int s_oldest_relayed(outbox_t *self, MDB_txn *txn, int64_t *ret)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint8_t next[LNOB_ID_MAX + 2];
	int64_t oldest = 0;
	int r;

	if ((r = mdb_cursor_open(txn, store_dbi(self->st, S_DB_RELAY), &cur)) != 0)
		return r > 0 ? -r : r;
	r = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	while (r == 0) {
		Lnob__OutboxItem *item;
		const uint8_t *p = k.mv_data;
		const uint8_t *nul = k.mv_size > 0 ? memchr(p, 0, k.mv_size) : NULL;
		size_t n = nul ? (size_t)(nul - p) : 0;

		if (s_decode_item(&v, &item) == 0) {
			if (item->queued_at_ms > 0 && (oldest == 0 || item->queued_at_ms < oldest))
				oldest = item->queued_at_ms;
			lnob__outbox_item__free_unpacked(item, NULL);
		}
		if (n == 0 || n > LNOB_ID_MAX) {
			r = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
			continue;
		}
		/* signer 0x01 sorts after every key of this signer and before
		 * the next signer's. */
		memcpy(next, p, n);
		next[n] = 1;
		k.mv_data = next;
		k.mv_size = n + 1;
		r = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	}
	mdb_cursor_close(cur);
	if (r != MDB_NOTFOUND)
		return r > 0 ? -r : r;
	*ret = oldest;
	return 0;
}

int outbox_stats(outbox_t *self, outbox_stats_t *ret)
{
	outbox_stats_t s;
	MDB_txn *txn = NULL;
	size_t count;
	uint64_t contact = 0;
	int64_t relayed_oldest = 0;
	int r;

	assert(self && ret);
	memset(&s, 0, sizeof(s));
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = store_count(txn, self->st, S_DB_OUTBOX, &count)) < 0)
		goto out;
	s.queued_own = count;
	if ((r = store_count(txn, self->st, S_DB_PARKED, &count)) < 0)
		goto out;
	s.parked_own = count;
	if (!self->legacy) {
		if ((r = store_count(txn, self->st, S_DB_RELAY, &count)) < 0)
			goto out;
		s.queued_relayed = count;
		if ((r = store_count(txn, self->st, S_DB_RELAY_PARKED, &count)) < 0)
			goto out;
		s.parked_relayed = count;
		if ((r = store_count(txn, self->st, S_DB_DOWN, &count)) < 0)
			goto out;
		s.downstream = count;
	}
	s.queued = s.queued_own + s.queued_relayed;
	s.parked = s.parked_own + s.parked_relayed;
	if ((r = s_next_seq(self, txn, &s.next_seq)) < 0 ||
	    (r = store_meta_get_u64(txn, self->st, S_META_CONTACT, &contact)) < 0 ||
	    (r = store_meta_get_u64(txn, self->st, S_META_IN_FLIGHT, &s.state.in_flight)) < 0)
		goto out;
	s.state.last_contact_ms = contact <= INT64_MAX ? (int64_t)contact : 0;
	if ((r = s_get_limits(self, txn, &s.limits)) < 0)
		goto out;
	if ((r = s_first_queued_at(self, txn, S_DB_OUTBOX, &s.oldest_queued_at_ms)) < 0)
		goto out;
	if (s.queued_relayed && (r = s_oldest_relayed(self, txn, &relayed_oldest)) < 0)
		goto out;
	if (relayed_oldest > 0 &&
	    (s.oldest_queued_at_ms == 0 || relayed_oldest < s.oldest_queued_at_ms))
		s.oldest_queued_at_ms = relayed_oldest;
	/* The daemon's in-flight count can lag an ack it has just written. */
	if (s.state.in_flight > s.queued)
		s.state.in_flight = s.queued;
out:
	if (r > 0)
		r = -r;
	store_abort(&txn);
	if (r == 0)
		*ret = s;
	return r;
}

int outbox_put_state(outbox_t *self, const outbox_state_t *state)
{
	MDB_txn *txn = NULL;
	int r;

	assert(self && state);
	if (self->rdonly)
		return -EROFS;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if ((r = s_put_state(self, txn, state)) < 0) {
		store_abort(&txn);
		return r;
	}
	return store_commit(&txn);
}

int outbox_put_limits(outbox_t *self, const outbox_limits_t *lim)
{
	MDB_txn *txn = NULL;
	int r;

	assert(self && lim);
	if (self->rdonly)
		return -EROFS;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if ((r = store_meta_put_u64(txn, self->st, S_META_MAX_BODY, lim->max_body)) < 0 ||
	    (r = store_meta_put_u64(txn, self->st, S_META_MAX_FRAME, lim->max_frame)) < 0 ||
	    (r = store_meta_put_u64(txn, self->st, S_META_LIMITS_AT, lim->learned_at_ms > 0
				    ? (uint64_t)lim->learned_at_ms : 0)) < 0) {
		store_abort(&txn);
		return r;
	}
	return store_commit(&txn);
}

int outbox_get_limits(outbox_t *self, outbox_limits_t *ret)
{
	outbox_limits_t lim;
	MDB_txn *txn = NULL;
	int r;

	assert(self && ret);
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	r = s_get_limits(self, txn, &lim);
	store_abort(&txn);
	if (r == 0)
		*ret = lim;
	return r;
}

size_t outbox_max_body(const outbox_limits_t *lim)
{
	if (lim && lim->max_body > 0 && lim->max_body < OUTBOX_BODY_MAX)
		return (size_t)lim->max_body;
	return OUTBOX_BODY_MAX;
}

int outbox_fits(const outbox_limits_t *lim, const uint8_t *env, size_t len, char *detail,
		size_t detail_len)
{
	size_t max_body = outbox_max_body(lim), frame;
	Lnob__Frame f;

	/* A body is shorter than the envelope around it: only a long
	 * envelope needs decoding. */
	if (len > max_body) {
		ProtobufCMessage *m;
		size_t body;

		if (codec_unpack(&lnob__envelope__descriptor, env, len, len, &m) < 0)
			return lnob_errf(detail, detail_len, LNOB_E_DECODE, "envelope does not decode");
		body = ((Lnob__Envelope *)m)->body.len;
		protobuf_c_message_free_unpacked(m, NULL);
		if (body > max_body)
			return lnob_errf(detail, detail_len, LNOB_E_TOOBIG, "envelope body of %zu bytes "
					 "is over %s max_body of %zu bytes", body,
					 lim && lim->max_body > 0 && lim->max_body <= OUTBOX_BODY_MAX
					 ? "the upstream's" : "this node's", max_body);
	}
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_ENVELOPE;
	f.envelope.data = (uint8_t *)env;
	f.envelope.len = len;
	frame = lnob__frame__get_packed_size(&f);
	if (lim && lim->max_frame > 0 && frame > lim->max_frame)
		return lnob_errf(detail, detail_len, LNOB_E_TOOBIG, "frame of %zu bytes is over the "
				 "upstream's max_frame of %" PRIu64 " bytes", frame, lim->max_frame);
	return 0;
}

int outbox_reader_check(outbox_t *self, int *ret_dead)
{
	assert(self);
	return store_reader_check(self->st, ret_dead);
}

/* ---- relay: custody ------------------------------------------------------ */

/* Whether the record v (an OutboxItem or, when parked, a ParkedItem) holds
 * exactly env[0..len-1]. An undecodable record counts as other bytes. */
static bool s_same_envelope(const MDB_val *v, bool parked, const uint8_t *env, size_t len)
{
	bool same = false;

	if (parked) {
		Lnob__ParkedItem *p;

		if (s_decode_parked(v, &p) == 0) {
			same = p->envelope.len == len && (len == 0 || memcmp(p->envelope.data, env, len) == 0);
			lnob__parked_item__free_unpacked(p, NULL);
		}
	} else {
		Lnob__OutboxItem *item;

		if (s_decode_item(v, &item) == 0) {
			same = item->envelope.len == len &&
			       (len == 0 || memcmp(item->envelope.data, env, len) == 0);
			lnob__outbox_item__free_unpacked(item, NULL);
		}
	}
	return same;
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
		    !items[i].env || items[i].len > S_RECORD_MAX)
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
		Lnob__OutboxItem item = LNOB__OUTBOX_ITEM__INIT;
		uint8_t key[OUTBOX_RELAY_KEY_MAX], *val = NULL;
		size_t klen = s_relay_key(key, items[i].signer, items[i].seq), val_len = 0;
		MDB_val v;
		bool parked = false;

		r = store_get(txn, store_dbi(self->st, S_DB_RELAY), key, klen, &v);
		if (r == LNOB_E_NOTFOUND) {
			parked = true;
			r = store_get(txn, store_dbi(self->st, S_DB_RELAY_PARKED), key, klen, &v);
		}
		if (r == 0) {
			res[i] = s_same_envelope(&v, parked, items[i].env, items[i].len)
				 ? OUTBOX_CUSTODY_DUPLICATE : OUTBOX_CUSTODY_CONFLICT;
			continue;
		}
		if (r != LNOB_E_NOTFOUND)
			goto out;
		item.queued_at_ms = now_ms;
		item.envelope.data = (uint8_t *)items[i].env;
		item.envelope.len = items[i].len;
		if ((r = codec_pack(&item.base, &val, &val_len)) < 0)
			goto out;
		r = store_put(txn, store_dbi(self->st, S_DB_RELAY), key, klen, val, val_len,
			      MDB_NOOVERWRITE);
		free(val);
		if (r < 0)
			goto out;
		res[i] = OUTBOX_CUSTODY_STORED;
		stored++;
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

int outbox_relay_scan(outbox_t *self, const char *after_signer, uint64_t after_seq, size_t max,
		      outbox_relay_scan_fn fn, void *ctx, size_t *ret_visited, bool *ret_more)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint8_t key[OUTBOX_RELAY_KEY_MAX];
	size_t visited = 0, klen = 0;
	bool more = false;
	int r;

	assert(self && fn);
	if (after_signer && !(klen = s_relay_key(key, after_signer, after_seq)))
		return -EINVAL;
	if (self->legacy)
		goto done;
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = mdb_cursor_open(txn, store_dbi(self->st, S_DB_RELAY), &cur)) != 0)
		goto out;
	if (after_signer) {
		k.mv_size = klen;
		k.mv_data = key;
		r = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		/* Strictly after: skip the cursor's own key when it is still there. */
		if (r == 0 && k.mv_size == klen && memcmp(k.mv_data, key, klen) == 0)
			r = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	} else {
		r = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	}
	while (r == 0) {
		Lnob__OutboxItem *item = NULL;
		char signer[LNOB_ID_MAX + 1];
		uint64_t seq;
		int stop;

		if (visited == max) {
			more = true;
			break;
		}
		if (s_relay_key_parse(&k, signer, &seq) < 0) {
			r = LNOB_E_CORRUPT;
			goto out;
		}
		visited++;
		if (s_decode_item(&v, &item) == 0) {
			stop = fn(ctx, signer, seq, item->envelope.data, item->envelope.len);
			lnob__outbox_item__free_unpacked(item, NULL);
		} else {
			stop = fn(ctx, signer, seq, NULL, 0);
		}
		r = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
		if (stop) {
			more = r == 0;
			break;
		}
	}
	r = (r == 0 || r == MDB_NOTFOUND) ? 0 : r;
out:
	if (r > 0)
		r = -r;
	if (cur)
		mdb_cursor_close(cur);
	store_abort(&txn);
	if (r < 0)
		return r;
done:
	if (ret_visited)
		*ret_visited = visited;
	if (ret_more)
		*ret_more = more;
	return 0;
}

int outbox_parked_foreach_all(outbox_t *self, outbox_parked_all_fn fn, void *ctx)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r = 0;

	assert(self && fn);
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	for (size_t db = S_DB_PARKED; db == S_DB_PARKED || (db == S_DB_RELAY_PARKED && !self->legacy);
	     db = db == S_DB_PARKED ? S_DB_RELAY_PARKED : S_DB_COUNT) {
		bool stop = false;

		if ((r = mdb_cursor_open(txn, store_dbi(self->st, db), &cur)) != 0)
			goto out;
		for (r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0 && !stop;
		     r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			Lnob__ParkedItem *p;
			char signer[LNOB_ID_MAX + 1] = "";
			uint64_t seq;

			if (db == S_DB_PARKED) {
				if (k.mv_size != 8) {
					r = LNOB_E_CORRUPT;
					goto out;
				}
				seq = lnob_be64_get(k.mv_data);
			} else if (s_relay_key_parse(&k, signer, &seq) < 0) {
				r = LNOB_E_CORRUPT;
				goto out;
			}
			if (s_decode_parked(&v, &p) < 0) {
				r = LNOB_E_CORRUPT;
				goto out;
			}
			stop = fn(ctx, signer, seq, p) != 0;
			lnob__parked_item__free_unpacked(p, NULL);
		}
		mdb_cursor_close(cur);
		cur = NULL;
		if (r != 0 && r != MDB_NOTFOUND)
			goto out;
		r = 0;
		if (stop)
			break;
	}
out:
	if (r > 0)
		r = -r;
	if (cur)
		mdb_cursor_close(cur);
	store_abort(&txn);
	return r;
}

/* ---- requeue -------------------------------------------------------------- */

/* A growing list of refs. */
typedef struct s_refs {
	outbox_ref_t *v;
	size_t n, cap;
} s_refs_t;

static int s_refs_push(s_refs_t *l, const char *signer, uint64_t seq)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		outbox_ref_t *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	lnob_strlcpy(l->v[l->n].signer, signer, sizeof(l->v[l->n].signer));
	l->v[l->n].seq = seq;
	l->n++;
	return 0;
}

/* Every parked ref (own, then relayed) into l, in txn. */
static int s_collect_parked(outbox_t *self, MDB_txn *txn, s_refs_t *l)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r = 0;

	for (size_t db = S_DB_PARKED; db != S_DB_COUNT;
	     db = db == S_DB_PARKED ? S_DB_RELAY_PARKED : S_DB_COUNT) {
		if ((r = mdb_cursor_open(txn, store_dbi(self->st, db), &cur)) != 0)
			return r > 0 ? -r : r;
		for (r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
		     r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			char signer[LNOB_ID_MAX + 1] = "";
			uint64_t seq;

			if (db == S_DB_PARKED) {
				if (k.mv_size != 8) {
					r = LNOB_E_CORRUPT;
					break;
				}
				seq = lnob_be64_get(k.mv_data);
			} else if ((r = s_relay_key_parse(&k, signer, &seq)) < 0) {
				break;
			}
			if ((r = s_refs_push(l, signer, seq)) < 0)
				break;
		}
		mdb_cursor_close(cur);
		if (r != MDB_NOTFOUND)
			return r > 0 ? -r : r;
	}
	return 0;
}

/* Moves one parked ref back to its queue in txn. Returns 0, 1 when it was
 * already moved in this transaction (named twice), LNOB_E_NOTFOUND,
 * LNOB_E_EXISTS, LNOB_E_CORRUPT, -ENOMEM or an LMDB code. */
static int s_requeue_one(outbox_t *self, MDB_txn *txn, const outbox_ref_t *ref, int64_t now_ms)
{
	Lnob__OutboxItem item = LNOB__OUTBOX_ITEM__INIT;
	Lnob__ParkedItem *p = NULL;
	uint8_t key[OUTBOX_RELAY_KEY_MAX], *val = NULL;
	size_t klen, val_len = 0, from = S_DB_PARKED, to = S_DB_OUTBOX;
	MDB_val v;
	int r;

	if (ref->signer[0]) {
		klen = s_relay_key(key, ref->signer, ref->seq);
		from = S_DB_RELAY_PARKED;
		to = S_DB_RELAY;
	} else {
		lnob_be64_put(key, ref->seq);
		klen = 8;
	}
	r = store_get(txn, store_dbi(self->st, from), key, klen, &v);
	if (r == LNOB_E_NOTFOUND &&
	    store_get(txn, store_dbi(self->st, to), key, klen, &v) == 0)
		return 1;   /* queued: moved a moment ago, or never parked (caught below) */
	if (r < 0)
		return r;
	if (s_decode_parked(&v, &p) < 0)
		return LNOB_E_CORRUPT;
	item.queued_at_ms = p->queued_at_ms > 0 ? p->queued_at_ms : now_ms;
	item.envelope = p->envelope;
	r = codec_pack(&item.base, &val, &val_len);
	lnob__parked_item__free_unpacked(p, NULL);
	if (r < 0)
		return r;
	r = store_put(txn, store_dbi(self->st, to), key, klen, val, val_len, MDB_NOOVERWRITE);
	free(val);
	if (r < 0)
		return r;
	return store_del(txn, store_dbi(self->st, from), key, klen);
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
		if ((r = s_collect_parked(self, txn, &todo)) < 0)
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
		if ((r = store_meta_get_u64(txn, self->st, S_META_REQUEUE_GEN, &gen)) < 0 ||
		    (r = store_meta_put_u64(txn, self->st, S_META_REQUEUE_GEN, gen + 1)) < 0 ||
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
	r = store_meta_get_u64(txn, self->st, S_META_REQUEUE_GEN, &gen);
	store_abort(&txn);
	if (r == 0)
		*ret = gen;
	return r;
}

/* ---- relay: downstream nodes ---------------------------------------------- */

/* Fills *ret from a NodeRecord and the node's PeerRecord (if any) in txn.
 * Returns 0 or LNOB_E_CORRUPT. */
static int s_node_fill(outbox_t *self, MDB_txn *txn, const MDB_val *v, outbox_node_t *ret)
{
	ProtobufCMessage *m;
	Lnob__NodeRecord *rec;
	MDB_val pv;
	outbox_node_t n;

	memset(&n, 0, sizeof(n));
	if (codec_unpack(&lnob__node_record__descriptor, v->mv_data, v->mv_size, 4096, &m) < 0)
		return LNOB_E_CORRUPT;
	rec = (Lnob__NodeRecord *)m;
	if (lnob_strlcpy(n.pub.node_id, rec->node_id ? rec->node_id : "", sizeof(n.pub.node_id)) < 0 ||
	    rec->sign_public.len != 32 || rec->curve_public.len != 32) {
		lnob__node_record__free_unpacked(rec, NULL);
		return LNOB_E_CORRUPT;
	}
	memcpy(n.pub.sign_pk, rec->sign_public.data, 32);
	memcpy(n.pub.curve_pk, rec->curve_public.data, 32);
	n.enrolled_at = rec->enrolled_at;
	n.revoked = rec->revoked;
	n.revoked_at = rec->revoked_at;
	lnob__node_record__free_unpacked(rec, NULL);
	if (store_get(txn, store_dbi(self->st, S_DB_DOWN_SEEN), n.pub.node_id,
		      strlen(n.pub.node_id), &pv) == 0 &&
	    codec_unpack(&lnob__peer_record__descriptor, pv.mv_data, pv.mv_size, 4096, &m) == 0) {
		Lnob__PeerRecord *pr = (Lnob__PeerRecord *)m;

		n.last_seen_ms = pr->last_seen_ms;
		if (pr->health) {
			n.has_health = true;
			n.queued = pr->health->queued;
			n.parked = pr->health->parked;
			n.oldest_queued_at_ms = pr->health->oldest_queued_at;
			n.next_seq = pr->health->next_seq;
		}
		lnob__peer_record__free_unpacked(pr, NULL);
	}
	*ret = n;
	return 0;
}

/* Reads node_id's record in txn into *ret. */
static int s_node_get(outbox_t *self, MDB_txn *txn, const char *node_id, outbox_node_t *ret)
{
	MDB_val v;
	int r;

	if (!node_id || !lnob_valid_id(node_id))
		return LNOB_E_NOTFOUND;
	if ((r = store_get(txn, store_dbi(self->st, S_DB_DOWN), node_id, strlen(node_id), &v)) < 0)
		return r;
	return s_node_fill(self, txn, &v, ret);
}

/* Writes the NodeRecord of n in txn. */
static int s_node_put(outbox_t *self, MDB_txn *txn, const outbox_node_t *n)
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
	rec.scope = (char *)"";
	rec.enrolled_at = n->enrolled_at;
	rec.revoked = n->revoked;
	rec.revoked_at = n->revoked_at;
	if ((r = codec_pack(&rec.base, &buf, &len)) < 0)
		return r;
	r = store_put(txn, store_dbi(self->st, S_DB_DOWN), n->pub.node_id, strlen(n->pub.node_id),
		      buf, len, 0);
	free(buf);
	return r;
}

int outbox_downstream_enroll(outbox_t *self, const identity_pub_t *pub, bool replace,
			     int64_t now_s)
{
	outbox_node_t n, old;
	MDB_txn *txn = NULL;
	MDB_val v;
	int r;

	assert(self && pub);
	if (self->rdonly)
		return -EROFS;
	if (!lnob_valid_id(pub->node_id))
		return -EINVAL;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	r = store_get(txn, store_dbi(self->st, S_DB_DOWN_KEYS), pub->curve_pk, 32, &v);
	if (r == 0 && (v.mv_size != strlen(pub->node_id) ||
		       memcmp(v.mv_data, pub->node_id, v.mv_size) != 0)) {
		r = LNOB_E_EXISTS;   /* another node holds this transport key */
		goto out;
	}
	if (r < 0 && r != LNOB_E_NOTFOUND)
		goto out;
	r = s_node_get(self, txn, pub->node_id, &old);
	if (r == 0) {
		if (!replace) {
			r = LNOB_E_EXISTS;
			goto out;
		}
		r = store_del(txn, store_dbi(self->st, S_DB_DOWN_KEYS), old.pub.curve_pk, 32);
		if (r < 0 && r != LNOB_E_NOTFOUND)
			goto out;
	} else if (r != LNOB_E_NOTFOUND) {
		goto out;
	}
	memset(&n, 0, sizeof(n));
	n.pub = *pub;
	n.enrolled_at = now_s;
	if ((r = s_node_put(self, txn, &n)) < 0 ||
	    (r = store_put(txn, store_dbi(self->st, S_DB_DOWN_KEYS), pub->curve_pk, 32,
			   pub->node_id, strlen(pub->node_id), 0)) < 0)
		goto out;
	r = store_commit(&txn);
out:
	store_abort(&txn);
	return r;
}

int outbox_downstream_revoke(outbox_t *self, const char *node_id, int64_t now_s)
{
	outbox_node_t n;
	MDB_txn *txn = NULL;
	int r;

	assert(self);
	if (self->rdonly)
		return -EROFS;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if ((r = s_node_get(self, txn, node_id, &n)) < 0)
		goto out;
	if (!n.revoked) {
		n.revoked = true;
		n.revoked_at = now_s;
		if ((r = s_node_put(self, txn, &n)) < 0)
			goto out;
	}
	r = store_commit(&txn);
out:
	store_abort(&txn);
	return r;
}

int outbox_downstream_get(outbox_t *self, const char *node_id, outbox_node_t *ret)
{
	MDB_txn *txn = NULL;
	int r;

	assert(self && ret);
	if (self->legacy)
		return LNOB_E_NOTFOUND;
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	r = s_node_get(self, txn, node_id, ret);
	store_abort(&txn);
	return r;
}

int outbox_downstream_by_curve(outbox_t *self, const uint8_t curve_pk[32], outbox_node_t *ret)
{
	char id[LNOB_ID_MAX + 1];
	MDB_txn *txn = NULL;
	MDB_val v;
	int r;

	assert(self && ret);
	if (self->legacy)
		return LNOB_E_NOTFOUND;
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	r = store_get(txn, store_dbi(self->st, S_DB_DOWN_KEYS), curve_pk, 32, &v);
	if (r == 0 && (v.mv_size == 0 || v.mv_size > LNOB_ID_MAX))
		r = LNOB_E_CORRUPT;
	if (r == 0) {
		memcpy(id, v.mv_data, v.mv_size);
		id[v.mv_size] = '\0';
		r = s_node_get(self, txn, id, ret);
		/* The index must agree with the record it points at. */
		if (r == 0 && memcmp(ret->pub.curve_pk, curve_pk, 32) != 0)
			r = LNOB_E_NOTFOUND;
	}
	store_abort(&txn);
	return r;
}

int outbox_downstream_foreach(outbox_t *self, outbox_node_fn fn, void *ctx)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r;

	assert(self && fn);
	if (self->legacy)
		return 0;
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = mdb_cursor_open(txn, store_dbi(self->st, S_DB_DOWN), &cur)) != 0)
		goto out;
	for (r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
	     r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		outbox_node_t n;

		if (s_node_fill(self, txn, &v, &n) < 0) {
			r = LNOB_E_CORRUPT;
			goto out;
		}
		if (fn(ctx, &n) != 0)
			break;
	}
	r = (r == 0 || r == MDB_NOTFOUND) ? 0 : r;
out:
	if (r > 0)
		r = -r;
	if (cur)
		mdb_cursor_close(cur);
	store_abort(&txn);
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
		Lnob__PeerRecord rec = LNOB__PEER_RECORD__INIT;
		Lnob__Health h = LNOB__HEALTH__INIT;
		const outbox_node_t *nd = &nodes[i];
		uint8_t *buf;
		size_t len;

		if (!lnob_valid_id(nd->pub.node_id))
			continue;
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
			goto out;
		r = store_put(txn, store_dbi(self->st, S_DB_DOWN_SEEN), nd->pub.node_id,
			      strlen(nd->pub.node_id), buf, len, 0);
		free(buf);
		if (r < 0)
			goto out;
	}
	r = store_commit(&txn);
out:
	store_abort(&txn);
	return r;
}
