/* outbox.c: the collector's durable outbox in LMDB (see outbox.h). */
#include "outbox.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "lnob_err.h"
#include "report.h"
#include "store.h"
#include "util.h"

enum { S_DB_OUTBOX = 0, S_DB_PARKED = 1 };

#define S_META_NEXT_SEQ "next_seq"
#define S_META_CONTACT "last_contact_ms"
#define S_META_IN_FLIGHT "in_flight"
/* Records at rest never exceed a body plus its envelope and framing. */
#define S_RECORD_MAX (OUTBOX_BODY_MAX + 4096)

struct outbox {
	store_t *st;
	bool rdonly;
};

int outbox_open(const char *dir, size_t map_size, unsigned flags, outbox_t **ret,
		char *err, size_t errlen)
{
	static const char *const dbs[] = { "outbox", "parked" };
	outbox_t *self = calloc(1, sizeof(*self));
	int r;

	if (!self) {
		snprintf(err, errlen, "%s: out of memory", dir);
		return -ENOMEM;
	}
	self->rdonly = (flags & OUTBOX_RDONLY) != 0;
	r = store_open(dir, OUTBOX_SCHEMA, OUTBOX_SCHEMA_VERSION, dbs, 2, map_size,
		       self->rdonly ? STORE_RDONLY : 0, &self->st, err, errlen);
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

int outbox_enqueue(outbox_t *self, const identity_t *id, uint32_t kind,
		   const uint8_t *const *bodies, const size_t *lens, size_t n,
		   int64_t now_ms, uint64_t *ret_first_seq)
{
	MDB_txn *txn = NULL;
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
	size_t *lens;
	char why[256];
	int r = 0;

	if (n == 0)
		return -EINVAL;
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
		if (lens[i] > OUTBOX_BODY_MAX) {
			if (detail)
				snprintf(detail, detail_len, "report %zu: %zu bytes, over the "
					 "%zu-byte limit", i, lens[i], OUTBOX_BODY_MAX);
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

int outbox_ack(outbox_t *self, const uint64_t *seqs, size_t n,
	       const outbox_state_t *state, size_t *ret_deleted)
{
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	size_t deleted = 0;
	int r;

	assert(self);
	if (self->rdonly)
		return -EROFS;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	dbi = store_dbi(self->st, S_DB_OUTBOX);
	for (size_t i = 0; i < n; i++) {
		uint8_t key[8];

		lnob_be64_put(key, seqs[i]);
		r = store_del(txn, dbi, key, 8);
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

int outbox_park(outbox_t *self, uint64_t seq, int reason, const char *detail, int64_t now_ms)
{
	Lnob__ParkedItem parked = LNOB__PARKED_ITEM__INIT;
	Lnob__OutboxItem *item = NULL;
	MDB_txn *txn = NULL;
	MDB_val v;
	uint8_t key[8], *val = NULL;
	size_t val_len = 0;
	int r;

	assert(self);
	if (self->rdonly)
		return -EROFS;
	lnob_be64_put(key, seq);
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if ((r = store_get(txn, store_dbi(self->st, S_DB_OUTBOX), key, 8, &v)) < 0)
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
	if ((r = store_put(txn, store_dbi(self->st, S_DB_PARKED), key, 8, val, val_len, 0)) < 0)
		goto out;
	if ((r = store_del(txn, store_dbi(self->st, S_DB_OUTBOX), key, 8)) < 0)
		goto out;
	r = store_commit(&txn);
out:
	store_abort(&txn);
	free(val);
	if (item)
		lnob__outbox_item__free_unpacked(item, NULL);
	return r;
}

int outbox_get(outbox_t *self, uint64_t seq, uint8_t **ret_env, size_t *ret_len)
{
	Lnob__OutboxItem *item = NULL;
	MDB_txn *txn = NULL;
	MDB_val v;
	uint8_t key[8], *copy;
	int r;

	assert(self);
	lnob_be64_put(key, seq);
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = store_get(txn, store_dbi(self->st, S_DB_OUTBOX), key, 8, &v)) < 0)
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

int outbox_stats(outbox_t *self, outbox_stats_t *ret)
{
	outbox_stats_t s;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	size_t count;
	uint64_t contact = 0;
	int r;

	assert(self && ret);
	memset(&s, 0, sizeof(s));
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = store_count(txn, self->st, S_DB_OUTBOX, &count)) < 0)
		goto out;
	s.queued = count;
	if ((r = store_count(txn, self->st, S_DB_PARKED, &count)) < 0)
		goto out;
	s.parked = count;
	if ((r = s_next_seq(self, txn, &s.next_seq)) < 0 ||
	    (r = store_meta_get_u64(txn, self->st, S_META_CONTACT, &contact)) < 0 ||
	    (r = store_meta_get_u64(txn, self->st, S_META_IN_FLIGHT, &s.state.in_flight)) < 0)
		goto out;
	s.state.last_contact_ms = contact <= INT64_MAX ? (int64_t)contact : 0;
	if ((r = mdb_cursor_open(txn, store_dbi(self->st, S_DB_OUTBOX), &cur)) != 0)
		goto out;
	r = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	if (r == 0) {
		Lnob__OutboxItem *item;

		if ((r = s_decode_item(&v, &item)) < 0)
			goto out;
		s.oldest_queued_at_ms = item->queued_at_ms;
		lnob__outbox_item__free_unpacked(item, NULL);
	} else if (r == MDB_NOTFOUND) {
		r = 0;
	}
	/* The daemon's in-flight count can lag an ack it has just written. */
	if (s.state.in_flight > s.queued)
		s.state.in_flight = s.queued;
out:
	if (r > 0)
		r = -r;
	if (cur)
		mdb_cursor_close(cur);
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
