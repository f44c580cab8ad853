/* apply.c: one report revision into the history, the latest record, the
 * open conflict and the rollups (see apply.h). */
#include "apply.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "rollacc.h"
#include "lnob_err.h"
#include "report.h"
#include "sums.h"
#include "util.h"

/* (signer, seq) order: negative, 0, positive. */
static int s_cmp_id(const char *sa, uint64_t qa, const char *sb, uint64_t qb)
{
	int c = strcmp(sa, sb);

	if (c)
		return c;
	return qa < qb ? -1 : qa > qb;
}

/* True when x is the current revision rather than the old one (THE
 * RULES: highest revision, then smallest (signer, seq)). */
static bool s_beats_current(const agg_rev_t *x, const Lnob__LatestRecord *old)
{
	if (x->revision != old->revision)
		return x->revision > old->revision;
	return s_cmp_id(x->signer, x->seq, old->signer, old->seq) < 0;
}

/* True when x is the first report rather than the old first (lowest
 * revision, then earliest arrival, then smallest (signer, seq)). */
static bool s_beats_first(const agg_rev_t *x, const Lnob__LatestRecord *old)
{
	if (x->revision != old->first_revision)
		return x->revision < old->first_revision;
	if (x->received_at != old->first_received_at)
		return x->received_at < old->first_received_at;
	return s_cmp_id(x->signer, x->seq, old->first_signer, old->first_seq) < 0;
}

/* Stages in acc the move of the rollups of every unit from `unit` up to
 * the root from the old current values (oldv, none without an old
 * revision) to newv (rollacc_replace(): checked, nothing written yet). */
static int s_rollups(store_t *st, MDB_txn *txn, rollacc_t *acc, const hier_t *hier,
		     const Lnob__Report *rep, int unit, const Lnob__LatestRecord *old,
		     apply_out_t *out)
{
	int r = 0;

	for (int u = unit; r == 0 && u >= 0; u = hier_unit(hier, u)->parent) {
		const char *code = hier_unit(hier, u)->code, *bad = "";

		r = rollacc_replace(acc, st, txn, rep->campaign, rep->period, code,
				    old ? old->values : NULL, old ? old->n_values : 0, rep->values,
				    rep->n_values, old ? 0 : 1, &bad);
		if (r == LNOB_E_OVERFLOW)
			snprintf(out->detail, sizeof(out->detail), "unit '%s': indicator '%s': the sum "
				 "over its subtree would exceed 10^15", code, bad);
		else if (r == LNOB_E_CORRUPT)
			snprintf(out->detail, sizeof(out->detail), "unit '%s': the stored rollup of "
				 "%s/%s does not add up%s%s", code, rep->campaign, rep->period,
				 bad[0] ? " at indicator " : "", bad);
	}
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

/* Writes the ConflictRecord of the judged member set h (or deletes it
 * when h has none); notes whether x joined or closed one. */
static int s_put_conflict(store_t *st, MDB_txn *txn, const Lnob__Report *rep,
			  const agg_rev_t *x, const agg_history_t *h,
			  const Lnob__LatestRecord *latest, apply_out_t *out)
{
	Lnob__ConflictRecord *oldc = NULL;
	int r = agg_conflict_get(st, txn, rep->campaign, rep->period, rep->unit, &oldc);
	bool joined = false;

	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	if (h->members == 0) {
		r = oldc ? agg_conflict_put(st, txn, rep->campaign, rep->period, rep->unit, NULL, 0) : 0;
		if (oldc) {
			out->resolved = true;
			snprintf(out->note, sizeof(out->note), "revision conflict of %s/%s/%s resolved "
				 "by rev %u (base %u) by %s #%llu", rep->campaign, rep->period,
				 rep->unit, x->revision, x->base_revision, x->signer,
				 (unsigned long long)x->seq);
			lnob__conflict_record__free_unpacked(oldc, NULL);
		}
		return r;
	}
	snprintf(out->note, sizeof(out->note), "revision conflict of %s/%s/%s (", rep->campaign,
		 rep->period, rep->unit);
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].member) {
			s_note_rev(out->note, sizeof(out->note), &h->v[i]);
			joined = joined || (h->v[i].seq == x->seq && strcmp(h->v[i].signer, x->signer) == 0);
		}
	r = agg_conflict_put(st, txn, rep->campaign, rep->period, rep->unit, h,
			     oldc ? oldc->detected_at : lnob_now_s());
	if (r == 0 && joined) {
		size_t n = strlen(out->note);

		out->conflict = true;
		snprintf(out->note + n, sizeof(out->note) - n, "); the rollup uses rev %u by %s #%llu "
			 "until a revision with base_revision >= %u resolves it", latest->revision,
			 latest->signer, (unsigned long long)latest->seq, h->member_max);
	} else {
		out->note[0] = '\0';
	}
	if (oldc)
		lnob__conflict_record__free_unpacked(oldc, NULL);
	return r;
}

/* The new LatestRecord of the unit from the old one (NULL: none) and x
 * (whose report is rep), borrowing from both. *ret_moved: the current
 * revision changed. */
static void s_latest(const Lnob__LatestRecord *old, const agg_rev_t *x, const Lnob__Report *rep,
		     Lnob__LatestRecord *lr, bool *ret_moved)
{
	bool cur = !old || s_beats_current(x, old), first = !old || s_beats_first(x, old);

	if (old)
		*lr = *old;
	lr->base.unknown_fields = NULL;
	lr->base.n_unknown_fields = 0;
	if (cur) {
		lr->signer = (char *)x->signer;
		lr->seq = x->seq;
		lr->revision = x->revision;
		lr->base_revision = x->base_revision;
		lr->completed_at = x->completed_at;
		lr->received_at = x->received_at;
		lr->values = rep->values;
		lr->n_values = rep->n_values;
	}
	if (first) {
		lr->first_revision = x->revision;
		lr->first_signer = (char *)x->signer;
		lr->first_seq = x->seq;
		lr->first_completed_at = x->completed_at;
		lr->first_received_at = x->received_at;
	}
	lr->revisions = old ? old->revisions + 1 : 1;
	if (!old || x->base_revision > old->max_base)
		lr->max_base = x->base_revision;
	lr->content.data = NULL;   /* the envelope's (agg_latest_get()) */
	lr->content.len = 0;
	*ret_moved = cur;
}

/* Writes revision x into the history of a unit that has one (old, its
 * LatestRecord): when that history is a single revision kept in old
 * (schema 4), first that revision's entries, from old. */
static int s_history_put(store_t *st, MDB_txn *txn, const Lnob__Report *rep,
			 const Lnob__LatestRecord *old, const agg_rev_t *x, apply_out_t *out)
{
	agg_rev_t first;
	int r = 0;

	if (old->revisions == 1) {
		r = agg_latest_rev(old, &first);
		if (r == LNOB_E_CORRUPT)
			snprintf(out->detail, sizeof(out->detail), "the latest record of %s/%s/%s "
				 "lacks its one revision's record", rep->campaign, rep->period,
				 rep->unit);
		if (r == 0)
			r = agg_revision_put(st, txn, rep->campaign, rep->period, rep->unit, &first);
	}
	return r == 0 ? agg_revision_put(st, txn, rep->campaign, rep->period, rep->unit, x) : r;
}

/* apply_report() with its rollup changes staged in acc (pending). */
static int s_apply(store_t *st, MDB_txn *txn, rollacc_t *acc, const hier_t *hier,
		   const Lnob__Report *rep, int unit, const char *signer, uint64_t seq,
		   int64_t received_at, apply_out_t *out)
{
	Lnob__LatestRecord *old = NULL, latest = LNOB__LATEST_RECORD__INIT;
	agg_history_t h = { 0 };
	agg_rev_t x;
	bool moved = false;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	if (lnob_strlcpy(x.signer, signer, sizeof(x.signer)) < 0)
		return LNOB_E_INVALID;
	x.seq = seq;
	x.revision = rep->revision;
	x.base_revision = rep->base_revision;
	x.completed_at = rep->completed_at;
	x.received_at = received_at;
	r = report_content_digest(rep, x.content);
	if (r == 0) {
		r = agg_latest_get(st, txn, rep->campaign, rep->period, rep->unit, &old);
		if (r == LNOB_E_NOTFOUND)
			r = 0;
	}
	if (r < 0)
		return r;
	if (old && (!old->first_signer[0] || old->revisions == 0)) {
		snprintf(out->detail, sizeof(out->detail), "the latest record of %s/%s/%s lacks its "
			 "first report", rep->campaign, rep->period, rep->unit);
		r = LNOB_E_CORRUPT;
		goto out;
	}
	if (old)   /* a first revision stays in its LatestRecord alone */
		r = s_history_put(st, txn, rep, old, &x, out);
	if (r == 0) {
		s_latest(old, &x, rep, &latest, &moved);
		if (moved)
			r = s_rollups(st, txn, acc, hier, rep, unit, old, out);
	}
	if (r == 0 && old)   /* one revision alone has no conflict */
		r = agg_history_tips(st, txn, rep->campaign, rep->period, rep->unit, latest.max_base, &h);
	if (r == 0) {
		latest.conflict = h.members > 0;
		r = agg_latest_put(st, txn, rep->campaign, rep->period, rep->unit, &latest);
	}
	if (r == 0)
		r = s_put_conflict(st, txn, rep, &x, &h, &latest, out);
out:
	agg_history_clear(&h);
	if (old)
		lnob__latest_record__free_unpacked(old, NULL);
	return r;
}

int apply_report(store_t *st, MDB_txn *txn, rollacc_t *acc, const hier_t *hier,
		 const Lnob__Report *rep, int unit, const char *signer, uint64_t seq,
		 int64_t received_at, apply_out_t *out)
{
	rollacc_t *own = acc ? NULL : rollacc_new();
	rollacc_t *a = acc ? acc : own;
	int r = a ? s_apply(st, txn, a, hier, rep, unit, signer, seq, received_at, out) : -ENOMEM;

	if (!a)
		memset(out, 0, sizeof(*out));
	if (r == 0)
		rollacc_commit(a);
	else if (a)
		rollacc_rollback(a);
	if (r == 0 && own)
		r = rollacc_flush(own, st, txn);
	rollacc_destroy(&own);
	return r;
}
