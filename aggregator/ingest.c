/* ingest.c: verify, dedupe, store and roll up a batch (see ingest.h). */
#include "ingest.h"

#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "codec.h"
#include "envelope.h"
#include "fault.h"
#include "lnob_err.h"
#include "nominations.h"
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

/* Replaces the superseded values (when had_old) by the new ones in the
 * rollup of (campaign, period, unit code); without an old revision the
 * unit count grows by one. */
static int s_rollup_add(ingest_ctx_t *ctx, MDB_txn *txn, const char *campaign,
			const char *period, const char *code,
			Lnob__IndicatorValue *const *newv, size_t newn,
			Lnob__IndicatorValue *const *oldv, size_t oldn, bool had_old)
{
	Lnob__RollupRecord *rec = NULL, out = LNOB__ROLLUP_RECORD__INIT;
	report_sums_t sums = { 0 };
	uint8_t key[AGG_KEY_MAX], *buf = NULL;
	size_t klen = agg_key_unit(key, campaign, period, code), len;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	r = agg_rollup_get(ctx->st, txn, campaign, period, code, &rec);
	if (r < 0)
		return r;
	r = report_sums_add(&sums, rec->sums, rec->n_sums, 1);
	if (r == 0 && had_old)
		r = report_sums_add(&sums, oldv, oldn, -1);
	if (r == 0)
		r = report_sums_add(&sums, newv, newn, 1);
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

/* Appends " rev R by SIGNER #SEQ" to buf (truncating). */
static void s_note_rev(char *buf, size_t len, const agg_rev_t *x)
{
	size_t n = strlen(buf);

	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s rev %u by %s #%llu", n && buf[n - 1] != '(' ? "," : "",
			 x->revision, x->signer, (unsigned long long)x->seq);
}

/* Writes (or, with no member, deletes) the unit's ConflictRecord from the
 * judged history h; marks it when its revision joined or closed one. */
static int s_put_conflict(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it,
			  const Lnob__Report *rep, const uint8_t *key, size_t klen,
			  const agg_history_t *h, int64_t now)
{
	Lnob__ConflictRecord *oldc = NULL, rec = LNOB__CONFLICT_RECORD__INIT;
	Lnob__ConflictMember *mem = NULL, **memp = NULL;
	const agg_rev_t *cur = &h->v[h->current];
	uint8_t *buf = NULL;
	size_t len, k = 0;
	bool joined = false;
	int r = agg_conflict_get(ctx->st, txn, rep->campaign, rep->period, rep->unit, &oldc);

	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	if (h->members == 0) {
		if (oldc) {
			r = store_del(txn, store_dbi(ctx->st, AGG_DB_CONFLICTS), key, klen);
			it->resolved = true;
			snprintf(it->note, sizeof(it->note), "revision conflict of %s/%s/%s resolved "
				 "by rev %u (base %u) by %s #%llu", rep->campaign, rep->period,
				 rep->unit, rep->revision, rep->base_revision, it->signer,
				 (unsigned long long)it->seq);
			lnob__conflict_record__free_unpacked(oldc, NULL);
		}
		return r == LNOB_E_NOTFOUND ? 0 : r;
	}
	mem = calloc(h->members, sizeof(*mem));
	memp = calloc(h->members, sizeof(*memp));
	if (!mem || !memp) {
		r = -ENOMEM;
		goto out;
	}
	snprintf(it->note, sizeof(it->note), "revision conflict of %s/%s/%s (", rep->campaign,
		 rep->period, rep->unit);
	for (size_t i = 0; i < h->n; i++) {
		const agg_rev_t *x = &h->v[i];

		if (!x->member)
			continue;
		lnob__conflict_member__init(&mem[k]);
		mem[k].signer = (char *)x->signer;
		mem[k].seq = x->seq;
		mem[k].revision = x->revision;
		mem[k].base_revision = x->base_revision;
		memp[k] = &mem[k];
		k++;
		s_note_rev(it->note, sizeof(it->note), x);
		if (x->seq == it->seq && strcmp(x->signer, it->signer) == 0)
			joined = true;
	}
	assert(k == h->members);
	rec.members = memp;
	rec.n_members = k;
	rec.detected_at = oldc ? oldc->detected_at : now;
	r = codec_pack(&rec.base, &buf, &len);
	if (r == 0)
		r = store_put(txn, store_dbi(ctx->st, AGG_DB_CONFLICTS), key, klen, buf, len, 0);
	if (r == 0 && joined) {
		size_t n = strlen(it->note);

		ctx->counters[AGG_C_CONFLICT]++;
		it->conflict = true;
		snprintf(it->note + n, sizeof(it->note) - n, "); the rollup uses rev %u by %s #%llu "
			 "until a revision with base_revision >= %u resolves it", cur->revision,
			 cur->signer, (unsigned long long)cur->seq, h->member_max);
	} else {
		it->note[0] = '\0';
	}
out:
	free(buf);
	free(mem);
	free(memp);
	if (oldc)
		lnob__conflict_record__free_unpacked(oldc, NULL);
	return r;
}

/* See ingest.h: the one step that applies a report revision, for ingest
 * and for an accepted amendment (approval.c). */
int ingest_apply_report(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it,
			const Lnob__Report *rep, int unit, int64_t received_at)
{
	Lnob__LatestRecord *old = NULL, latest = LNOB__LATEST_RECORD__INIT;
	agg_history_t h;
	const agg_rev_t *cur, *first;
	uint8_t key[AGG_KEY_MAX], hkey[AGG_KEY_MAX], rb[8], *buf = NULL;
	size_t klen = agg_key_unit(key, rep->campaign, rep->period, rep->unit), hlen, len;
	int64_t now = lnob_now_s();
	bool moved;
	int r;

	/* History: every revision, whatever its fate, with its arrival time. */
	hlen = agg_key_revision(hkey, rep->campaign, rep->period, rep->unit, rep->revision,
				it->signer, it->seq);
	if (!klen || !hlen)
		return LNOB_E_INVALID;
	lnob_be64_put(rb, (uint64_t)received_at);
	r = store_put(txn, store_dbi(ctx->st, AGG_DB_REVISIONS), hkey, hlen, rb, 8, 0);
	if (r < 0)
		return r;
	r = agg_latest_get(ctx->st, txn, rep->campaign, rep->period, rep->unit, &old);
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	r = agg_history_load(ctx->st, txn, rep->campaign, rep->period, rep->unit, &h);
	if (r == 0 && h.current < 0)
		r = LNOB_E_CORRUPT;   /* we have just written one */
	if (r < 0)
		goto out;
	cur = &h.v[h.current];
	first = &h.v[h.first];
	latest.signer = (char *)cur->signer;
	latest.seq = cur->seq;
	latest.revision = cur->revision;
	latest.base_revision = cur->base_revision;
	latest.completed_at = cur->completed_at;
	latest.received_at = cur->received_at;
	latest.values = cur->report->values;
	latest.n_values = cur->report->n_values;
	latest.first_completed_at = first->completed_at;
	latest.first_received_at = first->received_at;
	latest.revisions = (uint32_t)h.n;
	latest.conflict = h.members > 0;
	moved = !old || old->seq != cur->seq || strcmp(old->signer, cur->signer) != 0;
	if (old && !moved && cur->received_at == 0)
		latest.received_at = old->received_at;   /* history from before it kept one */
	r = codec_pack(&latest.base, &buf, &len);
	if (r == 0)
		r = store_put(txn, store_dbi(ctx->st, AGG_DB_LATEST), key, klen, buf, len, 0);
	free(buf);
	for (int u = unit; r == 0 && moved && u >= 0; u = hier_unit(ctx->hier, u)->parent)
		r = s_rollup_add(ctx, txn, rep->campaign, rep->period, hier_unit(ctx->hier, u)->code,
				 cur->report->values, cur->report->n_values,
				 old ? old->values : NULL, old ? old->n_values : 0, old != NULL);
	if (r == 0)
		r = s_put_conflict(ctx, txn, it, rep, key, klen, &h, now);
out:
	agg_history_clear(&h);
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

/* A nomination or a stage (nominations.h): its records, then the envelope
 * into the log, acked; or refused with nothing written. */
static int s_nomination(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it,
			const Lnob__Envelope *env, const char *scope, const uint8_t *key, size_t klen)
{
	nominations_ctx_t nx = { .st = ctx->st, .hier = ctx->hier, .campaigns = ctx->campaigns };
	char detail[sizeof(it->detail)];
	int reason = 0;
	int r = nominations_apply(&nx, txn, env, scope, lnob_now_s(), &reason, detail, sizeof(detail));

	if (r == 0 && reason) {
		s_nack(ctx, it, reason, detail);
		return 0;
	}
	if (r == 0)
		r = store_put(txn, store_dbi(ctx->st, AGG_DB_ENVELOPES), key, klen, it->env, it->len, 0);
	if (r == 0) {
		it->verdict = INGEST_ACK;
		ctx->counters[AGG_C_STORED]++;
	}
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
	int r, unit, scope, reason;

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

	if (env->kind == LNOB__KIND__KIND_NOMINATION || env->kind == LNOB__KIND__KIND_STAGE) {
		r = s_nomination(ctx, txn, it, env, node->scope, key, klen);
		goto out;
	}
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
	if ((reason = campaigns_check_report(ctx->campaigns, rep, detail, sizeof(detail))) != 0) {
		s_nack(ctx, it, reason, detail);
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
	/* Each indicator only at its reporting levels (campaign.h), so that
	 * nothing is counted twice up the tree. */
	{
		const campaign_t *camp = campaigns_find(ctx->campaigns, rep->campaign);

		if (camp && campaign_check_levels(camp, rep, hier_unit(ctx->hier, unit)->level,
						  detail, sizeof(detail)) < 0) {
			s_nack(ctx, it, LNOB__NACK_REASON__NACK_WRONG_LEVEL, detail);
			goto out;
		}
	}

	/* Stored and acked either way; after an approval covering the unit
	 * (approval.h) it waits in the amendment queue, else it applies. */
	r = store_put(txn, store_dbi(ctx->st, AGG_DB_ENVELOPES), key, klen, it->env, it->len, 0);
	if (r == 0)
		r = approval_hold(ctx->st, txn, ctx->hier, rep, unit, it->signer, it->seq,
				  lnob_now_s(), it->note, sizeof(it->note));
	if (r == 1) {
		it->amended = true;
		ctx->counters[AGG_C_AMENDED]++;
		r = 0;
	} else if (r == 0) {
		r = ingest_apply_report(ctx, txn, it, rep, unit, lnob_now_s());
	}
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
		items[i].conflict = false;
		items[i].resolved = false;
		items[i].amended = false;
		items[i].note[0] = '\0';
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
		it->conflict = it->resolved = it->amended = false;
		it->note[0] = '\0';
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
