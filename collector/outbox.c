/*
 * outbox.c: the collector's durable outbox in LMDB (see outbox.h): the
 * store, the own queue (next_seq, enqueue, acks, get, scan), what the
 * running daemon records (state, the upstream's limits) and the snapshot
 * for `status`. Parked items are parked.c's, the relayed lane custody.c's,
 * the downstream nodes downstream.c's; what the lanes share,
 * outbox_lane.c's.
 */
#include "outbox.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "codec.h"
#include "envelope.h"
#include "fault.h"
#include "lnob_err.h"
#include "outbox_int.h"
#include "report.h"
#include "store.h"
#include "util.h"

#define S_META_NEXT_SEQ "next_seq"
#define S_META_CONTACT "last_contact_ms"
#define S_META_IN_FLIGHT "in_flight"
#define S_META_MAX_BODY "upstream_max_body"
#define S_META_MAX_FRAME "upstream_max_frame"
#define S_META_LIMITS_AT "limits_at_ms"

int outbox_open(const char *dir, size_t map_size, unsigned flags, outbox_t **ret,
		char *err, size_t errlen)
{
	static const char *const dbs[OUTBOX_DB_COUNT] = {
		"outbox", "parked", "relay", "relay_parked",
		"downstream", "downstream_keys", "downstream_seen",
		"receipts", "receipts_out", "dismissed", "entered", "snapshots",
	};
	static const size_t older[] = { OUTBOX_DB_SNAPSHOTS, OUTBOX_DB_ENTERED, OUTBOX_DB_RECEIPTS,
					OUTBOX_DB_LEGACY };
	outbox_t *self = calloc(1, sizeof(*self));
	int r;

	if (!self) {
		snprintf(err, errlen, "%s: out of memory", dir);
		return -ENOMEM;
	}
	self->rdonly = (flags & OUTBOX_RDONLY) != 0;
	r = store_open(dir, OUTBOX_SCHEMA, OUTBOX_SCHEMA_VERSION, dbs, OUTBOX_DB_COUNT, map_size,
		       self->rdonly ? STORE_RDONLY : 0, &self->st, err, errlen);
	self->ndbs = OUTBOX_DB_COUNT;
	/* A store no writer has opened since newer databases came: read what
	 * it has. */
	for (size_t i = 0; r == LNOB_E_SCHEMA && self->rdonly && i < sizeof(older) / sizeof(*older);
	     i++) {
		char err2[512];

		if (store_open(dir, OUTBOX_SCHEMA, OUTBOX_SCHEMA_VERSION, dbs, older[i], map_size,
			       STORE_RDONLY, &self->st, err2, sizeof(err2)) == 0) {
			self->legacy = older[i] == OUTBOX_DB_LEGACY;
			self->ndbs = older[i];
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

/* ---- the own queue ---------------------------------------------------------- */

int outbox_set_next_seq_in(outbox_t *self, MDB_txn *txn, uint64_t next)
{
	return store_meta_put_u64(txn, self->st, S_META_NEXT_SEQ, next);
}

int outbox_next_seq_in(outbox_t *self, MDB_txn *txn, uint64_t *ret)
{
	uint64_t v = 0;
	int r = store_meta_get_u64(txn, self->st, S_META_NEXT_SEQ, &v);

	if (r < 0)
		return r;
	*ret = v ? v : 1;
	return 0;
}

int outbox_put_in(outbox_t *self, MDB_txn *txn, const identity_t *id, uint32_t kind,
		  uint64_t seq, const uint8_t *body, size_t len, int64_t now_ms)
{
	Lnob__OutboxItem item = LNOB__OUTBOX_ITEM__INIT;
	char campaign[LNOB_ID_MAX + 1], period[LNOB_ID_MAX + 1], unit[LNOB_ID_MAX + 1];
	uint8_t key[8], *env = NULL, *val = NULL;
	size_t env_len = 0, val_len = 0;
	int r;

	r = envelope_seal(id, seq, kind, body, len, &env, &env_len);
	if (r < 0)
		return r;
	item.queued_at_ms = now_ms;
	item.envelope.data = env;
	item.envelope.len = env_len;
	/* What its receipt will name, so that the ack decodes nothing more. */
	outbox_report_of(env, env_len, campaign, period, unit, NULL);
	item.kind = (Lnob__Kind)kind;
	item.campaign = campaign;
	item.period = period;
	item.unit = unit;
	r = codec_pack(&item.base, &val, &val_len);
	free(env);
	if (r < 0)
		return r;
	lnob_be64_put(key, seq);
	r = store_put(txn, store_dbi(self->st, OUTBOX_DB_OUTBOX), key, 8, val, val_len, MDB_NOOVERWRITE);
	free(val);
	/* A queued item at a seq we are about to assign means next_seq went
	 * backwards: refuse rather than overwrite. */
	return r == LNOB_E_EXISTS ? LNOB_E_CORRUPT : r;
}

int outbox_limits_in(outbox_t *self, MDB_txn *txn, outbox_limits_t *ret)
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

/* outbox_enqueue(), and with reports (may be NULL: bodies[i] is the packed
 * reports[i]) each report recorded in "entered" in the same transaction. */
static int s_enqueue(outbox_t *self, const identity_t *id, uint32_t kind,
		     const uint8_t *const *bodies, const size_t *lens, size_t n,
		     int64_t now_ms, const Lnob__Report *const *reports, uint64_t *ret_first_seq)
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
	if ((r = outbox_limits_in(self, txn, &lim)) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] > outbox_max_body(&lim)) {
			r = LNOB_E_TOOBIG;
			goto fail;
		}
	}
	if ((r = outbox_next_seq_in(self, txn, &first)) < 0)
		goto fail;
	if (first > UINT64_MAX - n) {
		r = -EOVERFLOW;
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if ((r = outbox_put_in(self, txn, id, kind, first + i, bodies[i], lens[i], now_ms)) < 0 ||
		    (reports && (r = outbox_entered_put(self, txn, reports[i], first + i,
							now_ms)) < 0))
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

int outbox_enqueue(outbox_t *self, const identity_t *id, uint32_t kind,
		   const uint8_t *const *bodies, const size_t *lens, size_t n,
		   int64_t now_ms, uint64_t *ret_first_seq)
{
	return s_enqueue(self, id, kind, bodies, lens, n, now_ms, NULL, ret_first_seq);
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
	r = s_enqueue(self, id, LNOB__KIND__KIND_REPORT, (const uint8_t *const *)bodies, lens, n,
		      now_ms, reports, ret_first_seq);
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

int outbox_ack_all(outbox_t *self, const uint64_t *seqs, size_t n, const outbox_ref_t *refs,
		   size_t nrefs, const outbox_state_t *state, size_t *ret_deleted)
{
	MDB_txn *txn = NULL;
	size_t deleted = 0;
	int64_t now_ms = lnob_now_ms();
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
		const char *signer = i < n ? "" : refs[i - n].signer;
		uint8_t key[OUTBOX_RELAY_KEY_MAX];
		size_t klen = outbox_key(key, signer, i < n ? seqs[i] : refs[i - n].seq);

		MDB_dbi dbi = store_dbi(self->st, outbox_lane_db(signer[0] != '\0', false));
		MDB_val v;

		if (!klen)
			continue;   /* seq 0: nothing can be queued under it */
		r = store_get(txn, dbi, key, klen, &v);
		if (r == 0 && (r = outbox_receipt_on_ack(self, txn, signer, i < n ? seqs[i]
							  : refs[i - n].seq, &v, now_ms)) == 0)
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

int outbox_park(outbox_t *self, uint64_t seq, int reason, const char *detail, int64_t now_ms)
{
	outbox_ref_t ref = { .signer = "", .seq = seq };

	assert(self);
	return outbox_lane_park(self, &ref, reason, detail, now_ms);
}

int outbox_get(outbox_t *self, uint64_t seq, uint8_t **ret_env, size_t *ret_len)
{
	outbox_ref_t ref = { .signer = "", .seq = seq };

	assert(self);
	return outbox_lane_get(self, &ref, ret_env, ret_len);
}

/* outbox_scan()'s callback and context, for outbox_lane_scan(). */
typedef struct s_own_scan {
	outbox_scan_fn fn;
	void *ctx;
} s_own_scan_t;

static int s_own_one(void *ctx, const outbox_ref_t *ref, const uint8_t *env, size_t len)
{
	s_own_scan_t *s = ctx;

	return s->fn(s->ctx, ref->seq, env, len);
}

int outbox_scan(outbox_t *self, uint64_t after_seq, size_t max, outbox_scan_fn fn,
		void *ctx, size_t *ret_visited, bool *ret_more)
{
	s_own_scan_t s = { .fn = fn, .ctx = ctx };
	uint8_t from[8];

	assert(self && fn);
	if (after_seq == UINT64_MAX) {
		if (ret_visited)
			*ret_visited = 0;
		if (ret_more)
			*ret_more = false;
		return 0;
	}
	lnob_be64_put(from, after_seq + 1);
	return outbox_lane_scan(self, false, from, 8, false, max, s_own_one, &s, ret_visited,
				ret_more);
}

/* ---- the snapshot ------------------------------------------------------------ */

/* store_foreach() callback: the queued_at of the first item, then stop. */
static int s_first_one(void *ctx, const MDB_val *k, const MDB_val *v)
{
	Lnob__OutboxItem *item;
	int r;

	(void)k;
	if ((r = outbox_item_decode(v, &item)) < 0)
		return r;
	*(int64_t *)ctx = item->queued_at_ms;
	lnob__outbox_item__free_unpacked(item, NULL);
	return 1;
}

/* The counts of every database into *s, in txn (on a store of the first
 * layout, the relay's are 0). */
static int s_counts(outbox_t *self, MDB_txn *txn, outbox_stats_t *s)
{
	const size_t dbs[] = { OUTBOX_DB_OUTBOX, OUTBOX_DB_PARKED, OUTBOX_DB_RELAY,
			       OUTBOX_DB_RELAY_PARKED, OUTBOX_DB_DOWN };
	uint64_t *const dst[] = { &s->queued_own, &s->parked_own, &s->queued_relayed,
				  &s->parked_relayed, &s->downstream };
	size_t count;
	int r;

	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		if (self->legacy && dbs[i] >= OUTBOX_DB_LEGACY)
			break;
		if ((r = store_count(txn, self->st, dbs[i], &count)) < 0)
			return r;
		*dst[i] = count;
	}
	s->queued = s->queued_own + s->queued_relayed;
	s->parked = s->parked_own + s->parked_relayed;
	return 0;
}

int outbox_backup(outbox_t *self, const char *dir, const char *program, const char *node,
		  const json_t *extra, char *err, size_t errlen)
{
	return backup_write(self->st, dir, program, node, extra, err, errlen);
}

int outbox_skip_seqs(outbox_t *self, uint64_t n, uint64_t *ret_next)
{
	MDB_txn *txn = NULL;
	uint64_t next = 0;
	int r;

	if (self->rdonly)
		return -EROFS;
	if ((r = store_begin(self->st, true, &txn)) == 0 &&
	    (r = outbox_next_seq_in(self, txn, &next)) == 0) {
		next = next > UINT64_MAX - n ? UINT64_MAX : next + n;
		if ((r = store_meta_put_u64(txn, self->st, S_META_NEXT_SEQ, next)) == 0)
			r = store_commit(&txn);
	}
	store_abort(&txn);
	if (r == 0 && ret_next)
		*ret_next = next;
	return r;
}

const char *outbox_strerror(const outbox_t *self, int r, char *buf, size_t len)
{
	return store_strerror(self->st, r, buf, len);
}

int outbox_stats(outbox_t *self, outbox_stats_t *ret)
{
	outbox_stats_t s;
	MDB_txn *txn = NULL;
	uint64_t contact = 0;
	int64_t relayed_oldest = 0;
	int r;

	assert(self && ret);
	memset(&s, 0, sizeof(s));
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	if ((r = s_counts(self, txn, &s)) < 0 ||
	    (r = outbox_next_seq_in(self, txn, &s.next_seq)) < 0 ||
	    (r = store_meta_get_u64(txn, self->st, S_META_CONTACT, &contact)) < 0 ||
	    (r = store_meta_get_u64(txn, self->st, S_META_IN_FLIGHT, &s.state.in_flight)) < 0 ||
	    (r = outbox_limits_in(self, txn, &s.limits)) < 0 ||
	    (r = store_foreach(txn, store_dbi(self->st, OUTBOX_DB_OUTBOX), NULL, 0, s_first_one,
			       &s.oldest_queued_at_ms)) < 0 ||
	    (s.queued_relayed && (r = outbox_relay_oldest(self, txn, &relayed_oldest)) < 0))
		goto out;
	s.state.last_contact_ms = contact <= INT64_MAX ? (int64_t)contact : 0;
	if (relayed_oldest > 0 &&
	    (s.oldest_queued_at_ms == 0 || relayed_oldest < s.oldest_queued_at_ms))
		s.oldest_queued_at_ms = relayed_oldest;
	/* The daemon's in-flight count can lag an ack it has just written. */
	if (s.state.in_flight > s.queued)
		s.state.in_flight = s.queued;
out:
	store_abort(&txn);
	if (r == 0)
		*ret = s;
	return r;
}

/* ---- what the running daemon records ---------------------------------------- */

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
	r = outbox_limits_in(self, txn, &lim);
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
