/*
 * outbox_entered.c: the "entered" database (outbox.h): the last report
 * this node queued per (campaign, period, unit), an EnteredRecord keyed
 * campaign 0x00 period 0x00 unit, written inside the transaction that
 * queues the report (outbox.c), read for the page's previous-period values.
 */
#include "outbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "outbox_int.h"

size_t outbox_cpu_key(uint8_t *key, const char *campaign, const char *period, const char *unit)
{
	const char *parts[3] = { campaign, period, unit };
	size_t n = 0;

	for (int i = 0; i < 3; i++) {
		size_t l = parts[i] ? strlen(parts[i]) : 0;

		if (l == 0 || l > LNOB_ID_MAX)
			return 0;
		memcpy(key + n, parts[i], l);
		n += l;
		if (i < 2)
			key[n++] = 0;
	}
	return n;
}

int outbox_entered_put(outbox_t *self, MDB_txn *txn, const Lnob__Report *rep, uint64_t seq,
		       int64_t now_ms)
{
	Lnob__EnteredRecord rec = LNOB__ENTERED_RECORD__INIT;
	uint8_t key[3 * (LNOB_ID_MAX + 1)], *val = NULL;
	size_t klen = outbox_cpu_key(key, rep->campaign, rep->period, rep->unit), vlen = 0;
	int r;

	if (klen == 0)
		return -EINVAL;   /* report_validate() let an invalid id through */
	rec.seq = seq;
	rec.queued_at_ms = now_ms;
	rec.report = (Lnob__Report *)rep;
	if ((r = codec_pack(&rec.base, &val, &vlen)) < 0)
		return r;
	r = store_put(txn, store_dbi(self->st, OUTBOX_DB_ENTERED), key, klen, val, vlen, 0);
	free(val);
	return r;
}

int outbox_entered_get(outbox_t *self, const char *campaign, const char *period,
		       const char *unit, Lnob__EnteredRecord **ret)
{
	uint8_t key[3 * (LNOB_ID_MAX + 1)];
	size_t klen = outbox_cpu_key(key, campaign, period, unit);
	ProtobufCMessage *m = NULL;
	MDB_txn *txn = NULL;
	MDB_val v;
	int r;

	if (klen == 0)
		return -EINVAL;
	if (self->ndbs <= OUTBOX_DB_ENTERED)
		return LNOB_E_NOTFOUND;   /* an older store: none recorded */
	if ((r = store_begin(self->st, false, &txn)) < 0)
		return r;
	r = store_get(txn, store_dbi(self->st, OUTBOX_DB_ENTERED), key, klen, &v);
	if (r == 0 && codec_unpack(&lnob__entered_record__descriptor, v.mv_data, v.mv_size,
				   OUTBOX_RECORD_MAX, &m) < 0)
		r = LNOB_E_CORRUPT;
	store_abort(&txn);
	if (r == 0 && !((Lnob__EnteredRecord *)m)->report) {
		protobuf_c_message_free_unpacked(m, NULL);
		r = LNOB_E_CORRUPT;
	}
	if (r == 0)
		*ret = (Lnob__EnteredRecord *)m;
	return r;
}
