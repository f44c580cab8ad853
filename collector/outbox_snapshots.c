/*
 * outbox_snapshots.c: the "snapshots" database of a provincial
 * aggregator's national outbox (outbox.h, outbox_enqueue_snapshots()):
 * the last snapshot queued per (campaign, period, unit), so that only a
 * changed one is queued and revisions follow each other, written in the
 * transaction that queues it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fault.h"
#include "lnob_err.h"
#include "outbox_int.h"
#include "snapshot.h"
#include "util.h"

/* The record of the last snapshot queued under key, or NULL in *ret.
 * Returns 0, LNOB_E_CORRUPT or a store code. */
static int s_sent(outbox_t *self, MDB_txn *txn, const uint8_t *key, size_t klen,
		  Lnob__SnapshotSentRecord **ret)
{
	ProtobufCMessage *m;
	MDB_val v;
	int r = store_get(txn, store_dbi(self->st, OUTBOX_DB_SNAPSHOTS), key, klen, &v);

	*ret = NULL;
	if (r == LNOB_E_NOTFOUND)
		return 0;
	if (r < 0)
		return r;
	if (codec_unpack(&lnob__snapshot_sent_record__descriptor, v.mv_data, v.mv_size,
			 OUTBOX_RECORD_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__SnapshotSentRecord *)m;
	return 0;
}

/* Records s, queued as seq, as the last one of its key. */
static int s_put_sent(outbox_t *self, MDB_txn *txn, const uint8_t *key, size_t klen,
		      const Lnob__Snapshot *s, uint8_t digest[32], uint64_t seq, int64_t now_ms)
{
	Lnob__SnapshotSentRecord rec = LNOB__SNAPSHOT_SENT_RECORD__INIT;
	uint8_t *val;
	size_t vlen;
	int r;

	rec.revision = s->revision;
	rec.digest.data = digest;
	rec.digest.len = 32;
	rec.seq = seq;
	rec.queued_at_ms = now_ms;
	if ((r = codec_pack(&rec.base, &val, &vlen)) < 0)
		return r;
	r = store_put(txn, store_dbi(self->st, OUTBOX_DB_SNAPSHOTS), key, klen, val, vlen, 0);
	free(val);
	return r;
}

/* One snapshot in txn: skipped (*ret_queued false) when its content is
 * the last one's, else numbered, checked, queued at seq and recorded. */
static int s_one(outbox_t *self, MDB_txn *txn, const identity_t *id, Lnob__Snapshot *s,
		 size_t max_body, uint64_t seq, int64_t now_ms, bool *ret_queued, char *why,
		 size_t whylen)
{
	uint8_t key[3 * (LNOB_ID_MAX + 1)], digest[32], *body = NULL;
	size_t klen = outbox_cpu_key(key, s->campaign, s->period, s->unit), blen;
	Lnob__SnapshotSentRecord *prev = NULL;
	int r;

	*ret_queued = false;
	if (klen == 0) {
		snprintf(why, whylen, "campaign, period or unit: missing or longer than an id");
		return LNOB_E_INVALID;
	}
	if ((r = snapshot_digest(s, digest)) < 0 || (r = s_sent(self, txn, key, klen, &prev)) < 0)
		return r;
	if (prev && prev->digest.len == 32 && memcmp(prev->digest.data, digest, 32) == 0) {
		lnob__snapshot_sent_record__free_unpacked(prev, NULL);
		return 0;
	}
	s->revision = prev ? prev->revision + 1 : 1;
	s->base_revision = s->revision - 1;
	if (prev)
		lnob__snapshot_sent_record__free_unpacked(prev, NULL);
	if ((r = snapshot_validate(s, why, whylen)) < 0 ||
	    (r = codec_pack(&s->base, &body, &blen)) < 0)
		return r;
	if (blen > max_body) {
		snprintf(why, whylen, "%zu bytes, over the %zu-byte limit", blen, max_body);
		free(body);
		return LNOB_E_TOOBIG;
	}
	r = outbox_put_in(self, txn, id, LNOB__KIND__KIND_SNAPSHOT, seq, body, blen, now_ms);
	free(body);
	if (r == 0 && (r = s_put_sent(self, txn, key, klen, s, digest, seq, now_ms)) == 0)
		*ret_queued = true;
	return r;
}

int outbox_enqueue_snapshots(outbox_t *self, const identity_t *id, Lnob__Snapshot *const *snaps,
			     size_t n, int64_t now_ms, size_t *ret_queued, char *detail,
			     size_t detail_len)
{
	MDB_txn *txn = NULL;
	outbox_limits_t lim;
	uint64_t seq;
	size_t queued = 0;
	char why[256] = "";
	bool q;
	int r;

	if (self->rdonly)
		return -EROFS;
	if ((r = store_begin(self->st, true, &txn)) < 0)
		return r;
	if ((r = outbox_limits_in(self, txn, &lim)) < 0 ||
	    (r = outbox_next_seq_in(self, txn, &seq)) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if ((r = s_one(self, txn, id, snaps[i], outbox_max_body(&lim), seq, now_ms, &q, why,
			       sizeof(why))) < 0) {
			if (detail && *why)
				snprintf(detail, detail_len, "snapshot %zu: %s", i, why);
			goto fail;
		}
		queued += q;
		seq += q;
	}
	if (queued && (r = outbox_set_next_seq_in(self, txn, seq)) < 0)
		goto fail;
	if (queued)
		fault_point("national.enqueue_before_commit");
	if (queued && (r = store_commit(&txn)) < 0)
		goto fail;
	store_abort(&txn);
	if (ret_queued)
		*ret_queued = queued;
	return 0;
fail:
	store_abort(&txn);
	return r;
}
