/* ingest.c: verify, dedupe, store and roll up a batch (see ingest.h). */
#include "ingest.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "fault.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

static void s_nack(ingest_ctx_t *ctx, ingest_item_t *it, int reason, const char *detail)
{
	it->verdict = INGEST_NACK;
	it->reason = reason;
	it->retryable = reason == LNOB__NACK_REASON__NACK_STORE_FAILED;
	snprintf(it->detail, sizeof(it->detail), "%s", detail);
	if (reason != LNOB__NACK_REASON__NACK_SEQ_REUSED &&
	    reason != LNOB__NACK_REASON__NACK_STORE_FAILED)
		ctx->counters[AGG_C_REJECTED_BASE + reason]++;
}

/* Adds sign * vals into the rollup of (campaign, period, unit code); when
 * new_unit, the unit count grows by one. */
static int s_rollup_add(ingest_ctx_t *ctx, MDB_txn *txn, const Lnob__Report *rep,
			const char *code, Lnob__IndicatorValue *const *oldv, size_t oldn,
			bool had_old)
{
	Lnob__RollupRecord *rec = NULL, out = LNOB__ROLLUP_RECORD__INIT;
	report_sums_t sums = { 0 };
	uint8_t key[AGG_KEY_MAX], *buf = NULL;
	size_t klen = agg_key_unit(key, rep->campaign, rep->period, code), len;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	r = agg_rollup_get(ctx->st, txn, rep->campaign, rep->period, code, &rec);
	if (r < 0)
		return r;
	r = report_sums_add(&sums, rec->sums, rec->n_sums, 1);
	if (r == 0 && had_old)
		r = report_sums_add(&sums, oldv, oldn, -1);
	if (r == 0)
		r = report_sums_add(&sums, rep->values, rep->n_values, 1);
	if (r == 0) {
		out.sums = sums.v;
		out.n_sums = sums.n;
		out.units_reported = rec->units_reported + (had_old ? 0 : 1);
		r = codec_pack(&out.base, &buf, &len);
	}
	if (r == 0)
		r = store_put(txn, store_dbi(ctx->st, AGG_DB_ROLLUPS), key, klen, buf, len, 0);
	free(buf);
	report_sums_clear(&sums);
	lnob__rollup_record__free_unpacked(rec, NULL);
	return r;
}

/* Makes rep the latest report of its unit when its revision is higher than
 * the current latest, updating the rollups along the path to the root. */
static int s_apply_report(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it,
			  const Lnob__Report *rep, int unit)
{
	Lnob__LatestRecord *old = NULL, latest = LNOB__LATEST_RECORD__INIT;
	uint8_t key[AGG_KEY_MAX], hkey[AGG_KEY_MAX + 16], *buf = NULL;
	size_t klen = agg_key_unit(key, rep->campaign, rep->period, rep->unit), hlen, len;
	MDB_val v;
	int r;

	/* History: every revision, whatever its fate. */
	memcpy(hkey, key, klen);
	hlen = klen;
	hkey[hlen++] = 0;
	lnob_be32_put(hkey + hlen, rep->revision);
	hlen += 4;
	hkey[hlen++] = 0;
	hlen += agg_key_envelope(hkey + hlen, it->signer, it->seq);
	r = store_put(txn, store_dbi(ctx->st, AGG_DB_REVISIONS), hkey, hlen, "", 0, 0);
	if (r < 0)
		return r;

	r = store_get(txn, store_dbi(ctx->st, AGG_DB_LATEST), key, klen, &v);
	if (r == 0) {
		ProtobufCMessage *m;
		if (codec_unpack(&lnob__latest_record__descriptor, v.mv_data, v.mv_size,
				 v.mv_size, &m) < 0)
			return LNOB_E_CORRUPT;
		old = (Lnob__LatestRecord *)m;
		if (rep->revision <= old->revision) {
			/* An older or equal revision: kept in the log and history only. */
			if (rep->revision == old->revision)
				ctx->counters[AGG_C_CONFLICT]++;
			lnob__latest_record__free_unpacked(old, NULL);
			return 0;
		}
	} else if (r != LNOB_E_NOTFOUND) {
		return r;
	}
	latest.signer = it->signer;
	latest.seq = it->seq;
	latest.revision = rep->revision;
	latest.completed_at = rep->completed_at;
	latest.received_at = lnob_now_s();
	latest.values = rep->values;
	latest.n_values = rep->n_values;
	r = codec_pack(&latest.base, &buf, &len);
	if (r == 0)
		r = store_put(txn, store_dbi(ctx->st, AGG_DB_LATEST), key, klen, buf, len, 0);
	free(buf);
	for (int u = unit; r == 0 && u >= 0; u = hier_unit(ctx->hier, u)->parent)
		r = s_rollup_add(ctx, txn, rep, hier_unit(ctx->hier, u)->code,
				 old ? old->values : NULL, old ? old->n_values : 0, old != NULL);
	if (old)
		lnob__latest_record__free_unpacked(old, NULL);
	return r;
}

/* Keeps a reused-seq envelope aside, keyed so repeats of it collapse. */
static int s_quarantine(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it)
{
	Lnob__QuarantineRecord q = LNOB__QUARANTINE_RECORD__INIT;
	uint8_t key[AGG_KEY_MAX + 40], *buf;
	size_t klen = agg_key_envelope(key, it->signer, it->seq), len;
	int r;

	crypto_hash_sha256(key + klen, it->env, it->len);
	klen += crypto_hash_sha256_BYTES;
	q.received_at = lnob_now_s();
	q.envelope.data = (uint8_t *)it->env;
	q.envelope.len = it->len;
	q.peer = (char *)(it->peer ? it->peer : "");
	r = codec_pack(&q.base, &buf, &len);
	if (r < 0)
		return r;
	r = store_put(txn, store_dbi(ctx->st, AGG_DB_QUARANTINE), key, klen, buf, len, MDB_NOOVERWRITE);
	free(buf);
	if (r == LNOB_E_EXISTS)
		return 0;   /* the same bad copy again */
	if (r == 0)
		ctx->counters[AGG_C_QUARANTINED]++;
	return r;
}

/* One envelope. Returns 0 with a verdict in *it, or a store error that
 * dooms the whole batch. */
static int s_one(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it)
{
	Lnob__Envelope *env = NULL;
	Lnob__NodeRecord *node = NULL;
	Lnob__Report *rep = NULL;
	ProtobufCMessage *m;
	uint8_t key[AGG_KEY_MAX];
	size_t klen;
	MDB_val v;
	char detail[200];
	int r, unit, scope;

	r = envelope_open(it->env, it->len, ctx->max_body, &env);
	if (r < 0)   /* name the message if we can, so its sender can park it */
		(void)envelope_peek(it->env, it->len, it->signer, sizeof(it->signer), &it->seq);
	if (r == LNOB_E_TOOBIG) {
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_TOO_LARGE, "envelope body over max_body");
		return 0;
	}
	if (r < 0) {
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_MALFORMED,
		       r == LNOB_E_INVALID ? "envelope fields out of range" : "envelope does not decode");
		return 0;
	}
	lnob_strlcpy(it->signer, env->signer, sizeof(it->signer));
	it->seq = env->seq;

	r = agg_node_get(ctx->st, txn, env->signer, &node);
	if (r == LNOB_E_NOTFOUND) {
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_UNKNOWN_SIGNER, "signer is not enrolled");
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	if (node->revoked) {
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_REVOKED_SIGNER, "signer's keys are revoked");
		goto out;
	}
	if (node->sign_public.len != 32 || envelope_verify(env, node->sign_public.data) < 0) {
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_BAD_SIGNATURE, "signature does not verify");
		goto out;
	}

	/* The idempotency key: (signer, seq), forever. */
	klen = agg_key_envelope(key, env->signer, env->seq);
	r = store_get(txn, store_dbi(ctx->st, AGG_DB_ENVELOPES), key, klen, &v);
	if (r == 0) {
		Lnob__Envelope *first = NULL;
		bool same = false;

		if (envelope_open(v.mv_data, v.mv_size, SIZE_MAX / 2, &first) == 0) {
			same = first->kind == env->kind && first->body.len == env->body.len &&
			       (env->body.len == 0 ||
				memcmp(first->body.data, env->body.data, env->body.len) == 0);
			lnob__envelope__free_unpacked(first, NULL);
		}
		if (same) {
			it->verdict = INGEST_ACK;
			it->duplicate = true;
			ctx->counters[AGG_C_DUPLICATE]++;
		} else {
			r = s_quarantine(ctx, txn, it);
			s_nack(ctx, it, LNOB__NACK_REASON__NACK_SEQ_REUSED,
			       "this (signer, seq) was stored before with other content; quarantined");
		}
		goto out;
	}
	if (r != LNOB_E_NOTFOUND)
		goto out;
	r = 0;

	if (env->kind != LNOB__KIND__KIND_REPORT) {
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_UNKNOWN_KIND, "kind not accepted here");
		goto out;
	}
	if (codec_unpack(&lnob__report__descriptor, env->body.data, env->body.len,
			 ctx->max_body, &m) < 0) {
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_MALFORMED, "body does not decode as a Report");
		goto out;
	}
	rep = (Lnob__Report *)m;
	if (report_validate(rep, detail, sizeof(detail)) < 0) {
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_INVALID, detail);
		goto out;
	}
	unit = hier_find(ctx->hier, rep->unit);
	if (unit < 0) {
		snprintf(detail, sizeof(detail), "unit '%s' is not in the hierarchy", rep->unit);
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_UNKNOWN_UNIT, detail);
		goto out;
	}
	scope = hier_find(ctx->hier, node->scope);
	if (scope < 0 || !hier_in_subtree(ctx->hier, scope, unit)) {
		snprintf(detail, sizeof(detail), "unit '%s' is outside %s's scope '%s'",
			 rep->unit, env->signer, node->scope);
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_OUT_OF_SCOPE, detail);
		goto out;
	}

	r = store_put(txn, store_dbi(ctx->st, AGG_DB_ENVELOPES), key, klen, it->env, it->len, 0);
	if (r == 0)
		r = s_apply_report(ctx, txn, it, rep, unit);
	if (r == 0) {
		it->verdict = INGEST_ACK;
		ctx->counters[AGG_C_STORED]++;
	}
out:
	if (rep)
		lnob__report__free_unpacked(rep, NULL);
	if (node)
		lnob__node_record__free_unpacked(node, NULL);
	lnob__envelope__free_unpacked(env, NULL);
	return r;
}

/* True when processing it wrote something into the batch's transaction. */
static bool s_wrote(const ingest_item_t *it)
{
	return (it->verdict == INGEST_ACK && !it->duplicate) ||
	       (it->verdict == INGEST_NACK && it->reason == LNOB__NACK_REASON__NACK_SEQ_REUSED);
}

/* Runs the batch in one write transaction: every envelope, the counters,
 * the commit. Returns 0 when it committed; otherwise the transaction is
 * aborted (nothing of it is stored) and the store code is returned. */
static int s_batch_txn(ingest_ctx_t *ctx, ingest_item_t *items, size_t n)
{
	MDB_txn *txn = NULL;
	bool wrote = false, mid_fired = false;
	int r = store_begin(ctx->st, true, &txn);

	for (size_t i = 0; r == 0 && i < n; i++) {
		if (wrote && !mid_fired) {
			/* Something of this batch is in the transaction, more follows. */
			fault_point("agg.mid_batch");
			mid_fired = true;
		}
		r = s_one(ctx, txn, &items[i]);
		wrote = wrote || (r == 0 && s_wrote(&items[i]));
	}
	if (r == 0)
		r = agg_counters_save(ctx->st, txn, ctx->counters);
	if (r == 0) {
		fault_point("agg.before_commit");
		r = store_commit(&txn);
	}
	store_abort(&txn);
	if (r == 0)
		fault_point("agg.after_commit");   /* committed, nothing acked yet */
	return r;
}

int ingest_batch(ingest_ctx_t *ctx, ingest_item_t *items, size_t n)
{
	uint64_t before[AGG_C_COUNT];
	int r;

	memcpy(before, ctx->counters, sizeof(before));
	for (size_t i = 0; i < n; i++) {
		items[i].verdict = 0;
		items[i].reason = 0;
		items[i].retryable = false;
		items[i].duplicate = false;
		items[i].signer[0] = '\0';
		items[i].seq = 0;
		items[i].detail[0] = '\0';
	}
	r = s_batch_txn(ctx, items, n);
	if (r == 0)
		return 0;

	/* Nothing of the batch is stored: the envelope log, latest, revisions,
	 * rollups, quarantine and counters all went with the one aborted
	 * transaction. Rejections stay rejections (they store nothing and do
	 * not depend on the store); everything else must be sent again later,
	 * so each is named (signer, seq) for its sender, even those the loop
	 * never reached. */
	memcpy(ctx->counters, before, sizeof(before));
	for (size_t i = 0; i < n; i++) {
		ingest_item_t *it = &items[i];
		bool rejected = it->verdict == INGEST_NACK &&
				it->reason != LNOB__NACK_REASON__NACK_SEQ_REUSED &&
				it->reason != LNOB__NACK_REASON__NACK_STORE_FAILED;

		if (rejected) {
			ctx->counters[AGG_C_REJECTED_BASE + it->reason]++;
			continue;
		}
		if (!it->signer[0])
			(void)envelope_peek(it->env, it->len, it->signer, sizeof(it->signer), &it->seq);
		it->verdict = INGEST_NACK;
		it->reason = LNOB__NACK_REASON__NACK_STORE_FAILED;
		it->retryable = true;
		it->duplicate = false;
		snprintf(it->detail, sizeof(it->detail), "store failed: %s; retry later",
			 lnob_strerror(r));
	}
	ctx->counters[AGG_C_STORE_FAILED]++;
	return r;
}

int ingest_save_counters(ingest_ctx_t *ctx)
{
	MDB_txn *txn = NULL;
	int r = store_begin(ctx->st, true, &txn);

	if (r == 0)
		r = agg_counters_save(ctx->st, txn, ctx->counters);
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	return r;
}
