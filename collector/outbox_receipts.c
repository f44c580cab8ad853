/*
 * outbox_receipts.c: what becomes of an envelope after the next hop's ack (see
 * outbox.h, "receipts and the dismissed log"; proto/lnob.proto, THE LINK:
 * Receipts): the origin's ReceiptRecords, the receipts a relay owes the
 * nodes below it, and the dismissed log.
 */
#include "outbox.h"

#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "outbox_int.h"
#include "snapshot.h"
#include "store.h"
#include "util.h"

void outbox_set_custody_upstream(outbox_t *self, bool custody)
{
	assert(self);
	self->custody_upstream = custody;
}

/* Packs m and puts it under key in db i of txn. Returns 0 or a code. */
static int s_put(outbox_t *self, MDB_txn *txn, size_t i, const uint8_t *key, size_t klen,
		 const ProtobufCMessage *m)
{
	uint8_t *val = NULL;
	size_t len = 0;
	int r = codec_pack(m, &val, &len);

	if (r == 0)
		r = store_put(txn, store_dbi(self->st, i), key, klen, val, len, 0);
	free(val);
	return r;
}

void outbox_report_of(const uint8_t *env, size_t len, char *campaign, char *period, char *unit,
		      int *ret_kind)
{
	ProtobufCMessage *m = NULL;
	const Lnob__Envelope *e;
	Lnob__Report *rep;

	campaign[0] = period[0] = unit[0] = '\0';
	if (ret_kind)
		*ret_kind = 0;
	if (!env || codec_unpack(&lnob__envelope__descriptor, env, len, len, &m) < 0)
		return;
	e = (const Lnob__Envelope *)m;
	if (ret_kind)
		*ret_kind = (int)e->kind;
	if ((e->kind == LNOB__KIND__KIND_REPORT || e->kind == LNOB__KIND__KIND_SNAPSHOT) &&
	    snapshot_report_of_envelope(e, e->body.len, &rep) == 0) {
		(void)lnob_strlcpy(campaign, rep->campaign, LNOB_ID_MAX + 1);
		(void)lnob_strlcpy(period, rep->period, LNOB_ID_MAX + 1);
		(void)lnob_strlcpy(unit, rep->unit, LNOB_ID_MAX + 1);
		lnob__report__free_unpacked(rep, NULL);
	}
	protobuf_c_message_free_unpacked(m, NULL);
}

/* The own envelope seq (queued record v) was acked: its ReceiptRecord. */
static int s_own_acked(outbox_t *self, MDB_txn *txn, uint64_t seq, const MDB_val *v,
		       int64_t now_ms)
{
	Lnob__ReceiptRecord rec = LNOB__RECEIPT_RECORD__INIT;
	char campaign[LNOB_ID_MAX + 1], period[LNOB_ID_MAX + 1], unit[LNOB_ID_MAX + 1];
	Lnob__OutboxItem *item = NULL;
	uint8_t key[8];
	int kind = 0, r;

	if (outbox_item_decode(v, &item) < 0)
		return 0;   /* nothing to say of it */
	rec.queued_at_ms = item->queued_at_ms;
	rec.sent_at_ms = now_ms;
	if (item->kind) {   /* said at queueing (OutboxItem) */
		rec.campaign = item->campaign;
		rec.period = item->period;
		rec.unit = item->unit;
		rec.kind = item->kind;
	} else {
		outbox_report_of(item->envelope.data, item->envelope.len, campaign, period, unit,
				 &kind);
		rec.campaign = campaign;
		rec.period = period;
		rec.unit = unit;
		rec.kind = (Lnob__Kind)kind;
	}
	if (self->custody_upstream) {
		rec.envelope = item->envelope;   /* kept until the receipt */
	} else {
		rec.state = LNOB__RECEIPT_STATE__RECEIPT_STORED;
		rec.done_at_ms = now_ms;
	}
	lnob_be64_put(key, seq);
	r = s_put(self, txn, OUTBOX_DB_RECEIPTS, key, 8, &rec.base);
	lnob__outbox_item__free_unpacked(item, NULL);
	return r;
}

/* Keeps a receipt for the origin of the relayed (signer, seq). */
static int s_owe(outbox_t *self, MDB_txn *txn, const char *signer, uint64_t seq, int state,
		 int reason, const char *detail, int64_t at_ms)
{
	Lnob__Receipt rc = LNOB__RECEIPT__INIT;
	uint8_t key[OUTBOX_RELAY_KEY_MAX];
	size_t klen = outbox_key(key, signer, seq);

	if (!klen)
		return -EINVAL;
	rc.signer = (char *)signer;
	rc.seq = seq;
	rc.state = (Lnob__ReceiptState)state;
	rc.reason = (Lnob__NackReason)reason;
	rc.detail = (char *)(detail ? detail : "");
	rc.at_ms = at_ms;
	return s_put(self, txn, OUTBOX_DB_RECEIPTS_OUT, key, klen, &rc.base);
}

int outbox_receipt_on_ack(outbox_t *self, MDB_txn *txn, const char *signer, uint64_t seq,
			  const MDB_val *v, int64_t now_ms)
{
	if (!signer[0])
		return s_own_acked(self, txn, seq, v, now_ms);
	if (self->custody_upstream)
		return 0;   /* a relay above took custody: its receipt comes later */
	return s_owe(self, txn, signer, seq, LNOB__RECEIPT_STATE__RECEIPT_STORED, 0, "", now_ms);
}

int outbox_receipt_on_park(outbox_t *self, MDB_txn *txn, const outbox_ref_t *ref, int reason,
			   const char *detail, int64_t now_ms)
{
	if (!ref->signer[0])
		return 0;   /* own: the parked item says it */
	return s_owe(self, txn, ref->signer, ref->seq, LNOB__RECEIPT_STATE__RECEIPT_REFUSED, reason,
		     detail, now_ms);
}

/* ---- the origin takes a receipt ------------------------------------------------ */

/* Whether key is in db i of txn: 1, 0, or a negative code. */
static int s_has(outbox_t *self, MDB_txn *txn, size_t i, const uint8_t key[8])
{
	MDB_val v;
	int r = store_get(txn, store_dbi(self->st, i), key, 8, &v);

	return r == 0 ? 1 : r == LNOB_E_NOTFOUND ? 0 : r;
}

/* REFUSED: parks the kept envelope of rec under key (unless the seq is
 * queued or parked already: requeued meanwhile, or a direct NACK). */
static int s_park_kept(outbox_t *self, MDB_txn *txn, const uint8_t key[8],
		       const Lnob__ReceiptRecord *rec, const Lnob__Receipt *rc, int64_t now_ms)
{
	Lnob__ParkedItem p = LNOB__PARKED_ITEM__INIT;
	int r;

	if ((r = s_has(self, txn, OUTBOX_DB_OUTBOX, key)) != 0 ||
	    (r = s_has(self, txn, OUTBOX_DB_PARKED, key)) != 0)
		return r < 0 ? r : 0;
	if (rec->envelope.len == 0)
		return 0;   /* nothing kept to park */
	p.queued_at_ms = rec->queued_at_ms;
	p.parked_at_ms = now_ms;
	p.reason = rc->reason;
	p.detail = rc->detail ? rc->detail : "";
	p.envelope = rec->envelope;
	return s_put(self, txn, OUTBOX_DB_PARKED, key, 8, &p.base);
}

/* rec (still sent) becomes what rc says, under key in txn. */
static int s_settle(outbox_t *self, MDB_txn *txn, const uint8_t key[8], Lnob__ReceiptRecord *rec,
		    const Lnob__Receipt *rc, int64_t now_ms)
{
	char *detail = rec->detail;
	int r;

	if (rc->state == LNOB__RECEIPT_STATE__RECEIPT_REFUSED &&
	    (r = s_park_kept(self, txn, key, rec, rc, now_ms)) < 0)
		return r;
	/* Stored after all (requeued at a relay after a fix): parked no more. */
	if (rec->state == LNOB__RECEIPT_STATE__RECEIPT_REFUSED &&
	    (r = store_del(txn, store_dbi(self->st, OUTBOX_DB_PARKED), key, 8)) < 0 &&
	    r != LNOB_E_NOTFOUND)
		return r;
	rec->state = rc->state;
	rec->done_at_ms = now_ms;
	rec->reason = rc->reason;
	rec->detail = rc->detail ? rc->detail : "";
	rec->envelope.len = 0;   /* parked now, or stored: not kept */
	r = s_put(self, txn, OUTBOX_DB_RECEIPTS, key, 8, &rec->base);
	rec->detail = detail;    /* rc's was borrowed */
	return r;
}

/* An own receipt in txn: applied to a record still "sent", and a STORED
 * one to a "refused" one too (stored is final); early for a seq still in
 * the outbox (the next hop's ack not taken yet); else ignored. */
static int s_own_receipt(outbox_t *self, MDB_txn *txn, const Lnob__Receipt *rc, int64_t now_ms,
			 enum outbox_receipt_took *ret)
{
	ProtobufCMessage *m;
	uint8_t key[8];
	MDB_val v;
	int state, r;

	*ret = OUTBOX_RECEIPT_IGNORED;
	lnob_be64_put(key, rc->seq);
	if ((r = store_get(txn, store_dbi(self->st, OUTBOX_DB_RECEIPTS), key, 8, &v)) ==
	    LNOB_E_NOTFOUND) {
		r = store_get(txn, store_dbi(self->st, OUTBOX_DB_OUTBOX), key, 8, &v);
		if (r == 0)
			*ret = OUTBOX_RECEIPT_EARLY;
		return r == LNOB_E_NOTFOUND ? 0 : r;
	}
	if (r < 0)
		return r;
	if (codec_unpack(&lnob__receipt_record__descriptor, v.mv_data, v.mv_size, v.mv_size, &m) < 0)
		return LNOB_E_CORRUPT;
	r = 0;
	state = ((Lnob__ReceiptRecord *)m)->state;
	if ((state == LNOB__RECEIPT_STATE__RECEIPT_UNSPECIFIED ||
	     (state == LNOB__RECEIPT_STATE__RECEIPT_REFUSED &&
	      rc->state == LNOB__RECEIPT_STATE__RECEIPT_STORED)) &&
	    (r = s_settle(self, txn, key, (Lnob__ReceiptRecord *)m, rc, now_ms)) == 0)
		*ret = OUTBOX_RECEIPT_APPLIED;
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

int outbox_receipt_take(outbox_t *self, const char *own_id, const Lnob__Receipt *rc,
			int64_t now_ms, enum outbox_receipt_took *ret)
{
	MDB_txn *txn = NULL;
	int r;

	assert(self && own_id && rc && ret);
	if (self->rdonly)
		return -EROFS;
	if (!rc->signer || !lnob_valid_id(rc->signer) || rc->seq == 0 ||
	    (rc->state != LNOB__RECEIPT_STATE__RECEIPT_STORED &&
	     rc->state != LNOB__RECEIPT_STATE__RECEIPT_REFUSED))
		return -EINVAL;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if (strcmp(rc->signer, own_id) == 0) {
		r = s_own_receipt(self, txn, rc, now_ms, ret);
	} else {
		r = s_owe(self, txn, rc->signer, rc->seq, rc->state, rc->reason, rc->detail,
			  rc->at_ms);
		*ret = OUTBOX_RECEIPT_KEPT;
	}
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	return r;
}

/* ---- reading: one scan for every database here ------------------------------------ */

/* The caller's callback (one of them set) and how many records it may see. */
typedef struct s_scan {
	const ProtobufCMessageDescriptor *desc;
	outbox_receipt_out_fn out;
	outbox_receipt_fn rec;
	outbox_dismissed_fn dis;
	void *ctx;
	size_t left;
} s_scan_t;

/* store_each_fn: one record decoded and handed to the caller's callback. */
static int s_scan_one(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_scan_t *s = ctx;
	ProtobufCMessage *m;
	int stop;

	if (s->left == 0)
		return 1;
	s->left--;
	if ((s->rec && k->mv_size != 8) ||
	    codec_unpack(s->desc, v->mv_data, v->mv_size, v->mv_size, &m) < 0)
		return LNOB_E_CORRUPT;
	if (s->out)
		stop = s->out(s->ctx, (const Lnob__Receipt *)m);
	else if (s->rec)
		stop = s->rec(s->ctx, lnob_be64_get(k->mv_data), (const Lnob__ReceiptRecord *)m);
	else
		stop = s->dis(s->ctx, (const Lnob__DismissedRecord *)m);
	protobuf_c_message_free_unpacked(m, NULL);
	return stop ? 1 : 0;
}

/* s_scan_one() over db i in a read transaction of its own. */
static int s_read_each(outbox_t *self, size_t i, s_scan_t *s)
{
	MDB_txn *txn = NULL;
	int r;

	if (i >= self->ndbs)
		return 0;   /* an older store: none */
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	r = store_foreach(txn, store_dbi(self->st, i), NULL, 0, s_scan_one, s);
	store_abort(&txn);
	return r < 0 ? r : 0;
}

int outbox_receipts_out_scan(outbox_t *self, size_t max, outbox_receipt_out_fn fn, void *ctx)
{
	s_scan_t s = { .desc = &lnob__receipt__descriptor, .out = fn, .ctx = ctx, .left = max };

	assert(self && fn);
	return s_read_each(self, OUTBOX_DB_RECEIPTS_OUT, &s);
}

int outbox_receipt_foreach(outbox_t *self, outbox_receipt_fn fn, void *ctx)
{
	s_scan_t s = { .desc = &lnob__receipt_record__descriptor, .rec = fn, .ctx = ctx,
		       .left = SIZE_MAX };

	assert(self && fn);
	return s_read_each(self, OUTBOX_DB_RECEIPTS, &s);
}

int outbox_dismissed_foreach(outbox_t *self, outbox_dismissed_fn fn, void *ctx)
{
	s_scan_t s = { .desc = &lnob__dismissed_record__descriptor, .dis = fn, .ctx = ctx,
		       .left = SIZE_MAX };

	assert(self && fn);
	return s_read_each(self, OUTBOX_DB_DISMISSED, &s);
}

/* ---- writing: refs, each in one write transaction ------------------------------------ */

/* What is done to one ref in txn. */
typedef int (*s_ref_fn)(outbox_t *self, MDB_txn *txn, const outbox_ref_t *ref, const char *text,
			int64_t now_ms);

/* fn for each of refs[0..n-1] in one write transaction: all or nothing;
 * *ret_bad (may be NULL) gets the ref that failed. */
static int s_write_refs(outbox_t *self, const outbox_ref_t *refs, size_t n, s_ref_fn fn,
			const char *text, int64_t now_ms, outbox_ref_t *ret_bad)
{
	MDB_txn *txn = NULL;
	int r = 0;

	if (self->rdonly)
		return -EROFS;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++)
		if ((r = fn(self, txn, &refs[i], text, now_ms)) < 0 && ret_bad)
			*ret_bad = refs[i];
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	return r;
}

/* s_ref_fn: a receipt sent, deleted (gone already: fine). */
static int s_sent_one(outbox_t *self, MDB_txn *txn, const outbox_ref_t *ref, const char *text,
		      int64_t now_ms)
{
	uint8_t key[OUTBOX_RELAY_KEY_MAX];
	size_t klen = outbox_key(key, ref->signer, ref->seq);
	int r;

	(void)text, (void)now_ms;
	if (!klen)
		return -EINVAL;
	r = store_del(txn, store_dbi(self->st, OUTBOX_DB_RECEIPTS_OUT), key, klen);
	return r == LNOB_E_NOTFOUND ? 0 : r;
}

int outbox_receipts_out_done(outbox_t *self, const outbox_ref_t *refs, size_t n)
{
	assert(self);
	return n ? s_write_refs(self, refs, n, s_sent_one, NULL, 0, NULL) : 0;
}

/* ---- the dismissed log ------------------------------------------------------------- */

/* Moves one parked item into the dismissed log in txn. */
static int s_dismiss_one(outbox_t *self, MDB_txn *txn, const outbox_ref_t *ref,
			 const char *reason, int64_t now_ms)
{
	Lnob__DismissedRecord d = LNOB__DISMISSED_RECORD__INIT;
	MDB_dbi parked = store_dbi(self->st, outbox_lane_db(ref->signer[0] != '\0', true));
	uint8_t key[OUTBOX_RELAY_KEY_MAX], digest[crypto_hash_sha256_BYTES];
	size_t klen = outbox_key(key, ref->signer, ref->seq);
	Lnob__ParkedItem *p;
	MDB_val v;
	int r;

	if (!klen || ref->seq == 0)
		return -EINVAL;
	if ((r = store_get(txn, parked, key, klen, &v)) < 0)
		return r;
	if (outbox_parked_decode(&v, &p) < 0)
		return LNOB_E_CORRUPT;
	crypto_hash_sha256(digest, p->envelope.data, p->envelope.len);
	d.signer = (char *)ref->signer;
	d.seq = ref->seq;
	d.reason = (char *)(reason ? reason : "");
	d.dismissed_at_ms = now_ms;
	d.refused = p->reason;
	d.detail = p->detail;
	d.digest.data = digest;
	d.digest.len = sizeof(digest);
	r = s_put(self, txn, OUTBOX_DB_DISMISSED, key, klen, &d.base);
	lnob__parked_item__free_unpacked(p, NULL);
	return r == 0 ? store_del(txn, parked, key, klen) : r;
}

int outbox_dismiss(outbox_t *self, const outbox_ref_t *refs, size_t n, const char *reason,
		   int64_t now_ms, outbox_ref_t *ret_bad)
{
	assert(self);
	return n ? s_write_refs(self, refs, n, s_dismiss_one, reason, now_ms, ret_bad) : -EINVAL;
}
