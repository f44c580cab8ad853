/* ingest.c: verify, dedupe, store and roll up a batch (see ingest.h). */
#include "ingest.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "approval.h"
#include "apply.h"
#include "campaign_request.h"
#include "codec.h"
#include "envelope.h"
#include "fault.h"
#include "hierperiod.h"
#include "lnob_err.h"
#include "nominations.h"
#include "report.h"
#include "snapshot_in.h"
#include "util.h"

#include <sodium.h>

/* Refuses it for reason, counted under rejected_<reason>. */
static void s_nack(ingest_ctx_t *ctx, ingest_item_t *it, int reason, const char *detail)
{
	it->verdict = INGEST_NACK;
	it->reason = reason;
	it->retryable = reason == LNOB__NACK_REASON__NACK_STORE_FAILED;
	snprintf(it->detail, sizeof(it->detail), "%s", detail);
	ctx->counters[AGG_C_REJECTED_BASE + reason]++;
}

/* Keeps a reused-seq envelope aside, keyed so repeats of it collapse. */
static int s_quarantine(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it)
{
	bool added = false;
	int r = agg_quarantine_put(ctx->st, txn, it->signer, it->seq, it->env, it->len, it->peer,
				   lnob_now_s(), &added);

	if (r == 0 && added)
		ctx->counters[AGG_C_QUARANTINED]++;
	return r;
}

/* A nomination or a stage (nominations.h): its records, then the envelope
 * into the log, acked; or refused with nothing written. */
static int s_nomination(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it,
			const Lnob__Envelope *env, const char *scope)
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
		r = agg_envelope_put(ctx->st, txn, env->signer, env->seq, it->env, it->len);
	if (r == 0) {
		it->verdict = INGEST_ACK;
		ctx->counters[AGG_C_STORED]++;
	}
	return r;
}

/* What admission looks up in the batch's transaction (admit.h): the
 * enrolled node, kept for the checks after admission, and the envelope
 * log. */
typedef struct s_lookup {
	store_t *st;
	MDB_txn *txn;
	Lnob__NodeRecord *node;   /* the signer's record once found; s_checked_free() frees it */
} s_lookup_t;

/* admit_signer_fn: the node enrolled under id. */
static int s_signer(void *arg, const char *id, admit_key_t *ret)
{
	s_lookup_t *lk = arg;
	int r = agg_node_get(lk->st, lk->txn, id, &lk->node);
	keydir_node_t k;

	if (r < 0)
		return r;
	ret->revoked = lk->node->revoked;
	ret->has_key = keydir_from_record(lk->node, &k) == 0;
	if (ret->has_key) {
		memcpy(ret->sign_pk, k.pub.sign_pk, sizeof(ret->sign_pk));
		ret->n_older = keydir_older_sign_keys(&k, lnob_now_s(), ret->older_pk);
	}
	return 0;
}

/* admit_stored_fn: the envelope log's copy of (signer, seq), valid in the
 * transaction. */
static int s_stored(void *arg, const char *signer, uint64_t seq, const uint8_t **ret_env,
		    size_t *ret_len)
{
	s_lookup_t *lk = arg;
	MDB_val v;
	int r = agg_envelope_raw(lk->st, lk->txn, signer, seq, &v);

	if (r < 0)
		return r;
	*ret_env = v.mv_data;
	*ret_len = v.mv_size;
	return 0;
}

/* Admission (admit.h, the envelope log being what was stored: the
 * idempotency key (signer, seq) forever, also after revocation), writing
 * nothing. Returns 0 with *ret_env (caller frees) and lk->node when it is
 * new and may be stored; 0 with *ret_env NULL and a verdict in it
 * otherwise (NACK_SEQ_REUSED among them: the caller quarantines it); or
 * a store error. */
static int s_admit(ingest_ctx_t *ctx, ingest_item_t *it, s_lookup_t *lk,
		   Lnob__Envelope **ret_env)
{
	admit_conf_t conf = { .max_body = ctx->max_body, .signer = s_signer, .stored = s_stored,
			      .ctx = lk, .pre = &it->pre };
	admit_t a;
	int r = admit_envelope(&conf, it->env, it->len, &a);

	*ret_env = NULL;
	lnob_strlcpy(it->signer, a.signer, sizeof(it->signer));
	it->seq = a.seq;
	if (r < 0)
		return r;
	if (a.duplicate) {
		/* Re-sending is always safe: acked again, revoked signer or not. */
		it->verdict = INGEST_ACK;
		it->duplicate = true;
		ctx->counters[AGG_C_DUPLICATE]++;
		return 0;
	}
	if (a.reason) {
		s_nack(ctx, it, a.reason, a.detail);
		return 0;
	}
	*ret_env = a.env;
	return 0;
}

/* What ingest_preverify() looks up in its read transaction: the store's
 * lookups (s_lookup_t), and the last signer's key, since the envelopes
 * of a batch come in runs of one signer and the key cannot change under
 * one read transaction. */
typedef struct s_pre_lookup {
	s_lookup_t lk;
	char id[LNOB_ID_MAX + 1];    /* "" or the signer of key */
	admit_key_t key;
} s_pre_lookup_t;

/* admit_signer_fn of ingest_preverify(): s_signer(), remembered. */
static int s_signer_remembered(void *arg, const char *id, admit_key_t *ret)
{
	s_pre_lookup_t *pl = arg;
	int r;

	if (pl->id[0] && strcmp(pl->id, id) == 0) {
		*ret = pl->key;
		return 0;
	}
	pl->id[0] = '\0';
	r = s_signer(&pl->lk, id, ret);
	if (pl->lk.node) {
		lnob__node_record__free_unpacked(pl->lk.node, NULL);
		pl->lk.node = NULL;
	}
	if (r == 0 && strlen(id) < sizeof(pl->id)) {
		pl->key = *ret;
		memcpy(pl->id, id, strlen(id) + 1);
	}
	return r;
}

/* admit_stored_fn of ingest_preverify(): s_stored(). */
static int s_stored_pre(void *arg, const char *signer, uint64_t seq, const uint8_t **ret_env,
			size_t *ret_len)
{
	s_pre_lookup_t *pl = arg;

	return s_stored(&pl->lk, signer, seq, ret_env, ret_len);
}

void ingest_preverify(store_t *st, size_t max_body, ingest_item_t *items, size_t n)
{
	s_pre_lookup_t pl = { .lk = { .st = st, .txn = NULL, .node = NULL } };
	admit_conf_t conf = { .max_body = max_body, .signer = s_signer_remembered,
			      .stored = s_stored_pre, .ctx = &pl };

	for (size_t i = 0; i < n; i++)
		memset(&items[i].pre, 0, sizeof(items[i].pre));
	if (store_begin_shared(st, &pl.lk.txn) < 0)
		return;   /* ingest_batch() verifies them */
	for (size_t i = 0; i < n; i++)
		admit_preverify(&conf, items[i].env, items[i].len, &items[i].pre);
	store_abort(&pl.lk.txn);
	sodium_memzero(&pl.key, sizeof(pl.key));
}

/* A report's body decoded: 0 with *ret (caller frees), or
 * NACK_MALFORMED with detail filled. */
static int s_decode_report(const Lnob__Envelope *env, size_t max_body, Lnob__Report **ret,
			   char *detail, size_t len)
{
	ProtobufCMessage *m;
	char field[128];

	if (codec_unpack_text(&lnob__report__descriptor, env->body.data, env->body.len, max_body,
			      &m, field, sizeof(field)) < 0) {
		snprintf(detail, len, "body does not decode as a Report%s%s%s", *field ? ": " : "",
			 field, *field ? ": a NUL byte in a string" : "");
		return LNOB__NACK_REASON__NACK_MALFORMED;
	}
	*ret = (Lnob__Report *)m;
	return 0;
}

/* The checks of a report that do not depend on the store: it decodes, it
 * is valid, its campaign takes it, its unit exists and is in the signer's
 * scope. Returns 0 with *ret_rep (caller frees) and *ret_unit, or the
 * NackReason with detail filled. */
static int s_check_report(ingest_ctx_t *ctx, const Lnob__Envelope *env,
			  const Lnob__NodeRecord *node, Lnob__Report **ret_rep, int *ret_unit,
			  char *detail, size_t len)
{
	const campaign_t *camp;
	const hier_t *h;
	Lnob__Report *rep;
	int reason, unit, scope;

	if ((reason = env->kind == LNOB__KIND__KIND_SNAPSHOT
			      ? ingest_snapshot_decode(ctx->hier, ctx->campaigns, env, ctx->max_body,
						       &rep, detail, len)
			      : s_decode_report(env, ctx->max_body, &rep, detail, len)) != 0)
		return reason;
	/* The hierarchy version of the report's period (hierperiod.h). */
	h = hierperiod_tree(ctx->hier, ctx->campaigns, rep->campaign, rep->period);
	unit = hier_find(h, rep->unit);
	scope = hier_find(h, node->scope);
	if (env->kind == LNOB__KIND__KIND_REPORT && report_validate(rep, detail, len) < 0) {
		reason = LNOB__NACK_REASON__NACK_INVALID;
	} else if ((reason = campaigns_check_report(ctx->campaigns, rep, detail, len)) != 0) {
		/* detail filled */
	} else if (unit < 0 && hierperiod_absent(ctx->hier, h, rep->unit, rep->period, detail, len)) {
		reason = LNOB__NACK_REASON__NACK_NOT_IN_PERIOD_HIERARCHY;
	} else if (unit < 0) {
		reason = LNOB__NACK_REASON__NACK_UNKNOWN_UNIT;
		snprintf(detail, len, "unit '%s' is not in the hierarchy", rep->unit);
	} else if (scope < 0 && hierperiod_scope_gone(ctx->hier, h, node->scope, rep->period,
						       detail, len)) {
		reason = LNOB__NACK_REASON__NACK_OUT_OF_SCOPE;
	} else if (scope < 0 || !hier_in_subtree(h, scope, unit)) {
		reason = LNOB__NACK_REASON__NACK_OUT_OF_SCOPE;
		snprintf(detail, len, "unit '%s' is outside %s's scope '%s'", rep->unit,
			 env->signer, node->scope);
	} else if ((camp = campaigns_find(ctx->campaigns, rep->campaign)) &&
		   (reason = campaign_check_reporter(camp, rep, hier_unit(h, unit)->level,
						     detail, len)) < 0) {
		/* Each indicator only at its reporting levels (campaign.h), so
		 * that nothing is counted twice up the tree; an ad-hoc request's
		 * period only from the units it asks, with what it asks. */
		reason = reason == LNOB_E_NOT_REQUESTED ? LNOB__NACK_REASON__NACK_NOT_REQUESTED
							: LNOB__NACK_REASON__NACK_WRONG_LEVEL;
	}
	if (reason) {
		lnob__report__free_unpacked(rep, NULL);
		return reason;
	}
	*ret_rep = rep;
	*ret_unit = unit;
	return 0;
}

/* A report admitted and checked: into the envelope log, then held as an
 * amendment of an approval covering its unit (approval.h) or applied. */
static int s_report(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it, const Lnob__Report *rep,
		    int unit, const Lnob__Envelope *env)
{
	apply_out_t out;
	const hier_t *h = hierperiod_tree(ctx->hier, ctx->campaigns, rep->campaign, rep->period);
	int r = agg_envelope_put(ctx->st, txn, env->signer, env->seq, it->env, it->len);

	if (r == 0 && env->kind == LNOB__KIND__KIND_SNAPSHOT)
		r = snapshot_in_mark(ctx->st, txn);
	if (r == 0)
		r = approval_hold(ctx->st, txn, h, rep, unit, it->signer, it->seq,
				  lnob_now_s(), it->note, sizeof(it->note));
	if (r == 1) {
		it->amended = true;
		ctx->counters[AGG_C_AMENDED]++;
		r = 0;
	} else if (r == 0) {
		r = apply_report(ctx->st, txn, ctx->rollups, h, rep, unit, it->signer, it->seq,
				 lnob_now_s(), &out);
		if (r < 0)
			snprintf(it->detail, sizeof(it->detail), "%s", out.detail);
		it->conflict = out.conflict;
		it->resolved = out.resolved;
		snprintf(it->note, sizeof(it->note), "%s", out.note);
		if (out.conflict)
			ctx->counters[AGG_C_CONFLICT]++;
	}
	if (r == 0) {
		it->verdict = INGEST_ACK;
		ctx->counters[AGG_C_STORED]++;
	}
	return r;
}

/* What the checks of one envelope leave to write (s_check()). */
typedef struct s_checked {
	Lnob__Envelope *env;        /* admitted and checked: a report, a nomination or
				       a stage to write; NULL: a verdict is in the item */
	Lnob__NodeRecord *node;     /* the signer's record, once found */
	Lnob__Report *rep;          /* a report's body, of the unit at index unit */
	int unit;
	bool quarantine;            /* refused NACK_SEQ_REUSED: to be kept aside */
} s_checked_t;

static void s_checked_free(s_checked_t *c)
{
	if (c->rep)
		lnob__report__free_unpacked(c->rep, NULL);
	if (c->node)
		lnob__node_record__free_unpacked(c->node, NULL);
	if (c->env)
		lnob__envelope__free_unpacked(c->env, NULL);
}

/* The checks of one envelope, which write nothing, in the batch's
 * transaction: admission (decode, signer, revoked, signature, seq), the
 * kind, a report's own checks and scope. Returns 0 with c->env set (or
 * c->quarantine) when something is to be written, with a verdict in *it
 * otherwise; or a store error (it->detail may say what). */
static int s_check(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it, s_checked_t *c)
{
	s_lookup_t lk = { .st = ctx->st, .txn = txn, .node = NULL };
	char detail[sizeof(it->detail)];
	int r = s_admit(ctx, it, &lk, &c->env), reason = 0;

	c->node = lk.node;
	if (r < 0 || !c->env) {
		c->quarantine = r == 0 && it->verdict == INGEST_NACK &&
				it->reason == LNOB__NACK_REASON__NACK_SEQ_REUSED;
		return r;
	}
	if (c->env->kind == LNOB__KIND__KIND_NOMINATION || c->env->kind == LNOB__KIND__KIND_STAGE)
		return 0;   /* nominations_apply() checks and writes it */
	if (c->env->kind != LNOB__KIND__KIND_REPORT && c->env->kind != LNOB__KIND__KIND_SNAPSHOT)
		s_nack(ctx, it, LNOB__NACK_REASON__NACK_UNKNOWN_KIND, "kind not accepted here");
	else if ((reason = s_check_report(ctx, c->env, c->node, &c->rep, &c->unit, detail,
					  sizeof(detail))))
		s_nack(ctx, it, reason, detail);
	if (it->verdict == INGEST_NACK) {
		lnob__envelope__free_unpacked(c->env, NULL);
		c->env = NULL;
	}
	return 0;
}

/* Writes what s_check() let through into txn. Returns 0 with a verdict
 * in *it, or an error applying it (it->detail may say what). */
static int s_write(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it, const s_checked_t *c)
{
	if (c->quarantine)
		return s_quarantine(ctx, txn, it);
	if (c->env->kind == LNOB__KIND__KIND_NOMINATION || c->env->kind == LNOB__KIND__KIND_STAGE)
		return s_nomination(ctx, txn, it, c->env, c->node->scope);
	return s_report(ctx, txn, it, c->rep, c->unit, c->env);
}

/* s_write() in a transaction nested in txn. Returns 0 when it committed
 * into txn; an error beginning or committing it, with *ret_txn_failed
 * set (the batch's trouble); or what writing failed with, its writes
 * undone. */
static int s_write_nested(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it,
			  const s_checked_t *c, bool *ret_txn_failed)
{
	MDB_txn *child = NULL;
	int r = store_begin_child(txn, &child);

	*ret_txn_failed = r < 0;
	if (r < 0)
		return r;
	r = s_write(ctx, child, it, c);
	if (r < 0) {
		store_abort(&child);
		return r;
	}
	r = store_commit(&child);
	*ret_txn_failed = r < 0;
	return r;
}

/* A failure r applying it that is not the store's: the counts it made
 * undone (back to before), refused NACK_INVALID alone. */
static void s_refuse_invalid(ingest_ctx_t *ctx, ingest_item_t *it,
			     const uint64_t before[AGG_C_COUNT], int r)
{
	char detail[sizeof(it->detail)];

	memcpy(ctx->counters, before, sizeof(ctx->counters));
	if (!it->detail[0])
		snprintf(it->detail, sizeof(it->detail), "could not be applied: %s", lnob_strerror(r));
	memcpy(detail, it->detail, sizeof(detail));
	it->conflict = it->resolved = it->amended = it->duplicate = false;
	it->note[0] = '\0';
	s_nack(ctx, it, LNOB__NACK_REASON__NACK_INVALID, detail);
}

/* One envelope: its checks in the batch's transaction itself (a refusal
 * writes nothing, so a flood of refusals costs no transaction of its
 * own), what it writes in a transaction nested in it. An error of the
 * store (store_is_transient(), or the nested transaction failing) dooms
 * the batch; any other failure (a sum that would overflow, a record that
 * does not add up) undoes what it wrote and refuses it alone,
 * NACK_INVALID, so that no envelope can stop the daemon. */
static int s_one(ingest_ctx_t *ctx, MDB_txn *txn, ingest_item_t *it)
{
	uint64_t before[AGG_C_COUNT];
	s_checked_t c = { .unit = -1 };
	bool txn_failed = false;
	int r;

	if (it->pre.duplicate) {
		/* Found stored with the same content ahead (ingest_preverify()):
		 * the envelope log never forgets, so it is one still. */
		lnob_strlcpy(it->signer, it->pre.signer, sizeof(it->signer));
		it->seq = it->pre.seq;
		it->verdict = INGEST_ACK;
		it->duplicate = true;
		ctx->counters[AGG_C_DUPLICATE]++;
		return 0;
	}
	memcpy(before, ctx->counters, sizeof(before));
	r = s_check(ctx, txn, it, &c);
	if (r == 0 && (c.env || c.quarantine))
		r = s_write_nested(ctx, txn, it, &c, &txn_failed);
	s_checked_free(&c);
	if (r == 0 || txn_failed || store_is_transient(r))
		return r;
	s_refuse_invalid(ctx, it, before, r);
	return 0;
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
	int r = (ctx->rollups = rollacc_new()) ? store_begin(ctx->st, true, &txn) : -ENOMEM;

	for (size_t i = 0; r == 0 && i < n; i++) {
		if (wrote && !mid_fired) {
			/* Something of this batch is in the transaction, more follows. */
			fault_point("agg.mid_batch");
			mid_fired = true;
		}
		r = s_one(ctx, txn, &items[i]);
		wrote = wrote || (r == 0 && s_wrote(&items[i]));
	}
	if (r == 0 && !wrote && ctx->lazy_counters) {
		/* Only counts changed: no commit, no fsync; they wait. */
		store_abort(&txn);
		rollacc_destroy(&ctx->rollups);
		ctx->counters_unsaved = true;
		return 0;
	}
	if (r == 0)
		r = rollacc_flush(ctx->rollups, ctx->st, txn);
	rollacc_destroy(&ctx->rollups);
	if (r == 0)
		r = agg_counters_save(ctx->st, txn, ctx->counters);
	if (r == 0) {
		fault_point("agg.before_commit");
		r = store_commit(&txn);
	}
	store_abort(&txn);
	if (r == 0) {
		ctx->counters_unsaved = false;
		fault_point("agg.after_commit");   /* committed, nothing acked yet */
	}
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
		ctx->counters[AGG_C_REJECTED_BASE + it->reason]++;
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
	if (r == 0)
		ctx->counters_unsaved = false;
	return r;
}
