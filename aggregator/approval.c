/* approval.c: approvals, the amendment queue and its decisions (see
 * approval.h); their views are approval_view.c's, the operator's
 * commands approval_cmd.c's (approval_cmd.h). */
#include "approval.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "hierperiod.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

int approval_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		 const char *unit, Lnob__ApprovalRecord **ret)
{
	return agg_approval_get(st, txn, campaign, period, unit, ret);
}

int approval_covering(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		      const char *period, int unit, int *ret_unit)
{
	for (int u = unit; u >= 0; u = hier_unit(hier, u)->parent) {
		int r = agg_approval_exists(st, txn, campaign, period, hier_unit(hier, u)->code);

		if (r < 0)
			return r;
		if (r == 1) {
			*ret_unit = u;
			return 0;
		}
	}
	return LNOB_E_NOTFOUND;
}

int approval_hold(store_t *st, MDB_txn *txn, const hier_t *hier, const Lnob__Report *rep,
		  int unit, const char *signer, uint64_t seq, int64_t received_at, char *note,
		  size_t notelen)
{
	Lnob__AmendmentRecord rec = LNOB__AMENDMENT_RECORD__INIT;
	int au = -1, r = approval_covering(st, txn, hier, rep->campaign, rep->period, unit, &au);

	if (r == LNOB_E_NOTFOUND)
		return 0;
	if (r < 0)
		return r;
	assert(au >= 0);
	rec.signer = (char *)signer;
	rec.seq = seq;
	rec.unit = rep->unit;
	rec.revision = rep->revision;
	rec.base_revision = rep->base_revision;
	rec.received_at = received_at;
	rec.approved_unit = (char *)hier_unit(hier, au)->code;
	rec.campaign = rep->campaign;
	rec.period = rep->period;
	if ((r = agg_amendment_put(st, txn, &rec)) < 0)
		return r;
	snprintf(note, notelen, "report %s/%s/%s rev %u by %s #%llu held as an amendment: "
		 "%s/%s is approved for %s; its approver accepts or rejects it "
		 "(lnob-aggregator amendments)", rep->campaign, rep->period, rep->unit,
		 rep->revision, signer, (unsigned long long)seq, rep->campaign, rep->period,
		 rec.approved_unit);
	return 1;
}

int approval_approve(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, const char *by, const char *note, int64_t now)
{
	Lnob__ApprovalRecord rec = LNOB__APPROVAL_RECORD__INIT;
	Lnob__RollupRecord *roll = NULL;
	int r = agg_approval_exists(st, txn, campaign, period, unit);

	if (r == 1)
		return LNOB_E_EXISTS;
	if (r < 0)
		return r;
	if ((r = agg_rollup_get(st, txn, campaign, period, unit, &roll)) < 0)
		return r;
	rec.by = (char *)by;
	rec.note = (char *)(note ? note : "");
	rec.approved_at = now;
	rec.rollup = roll;
	r = agg_approval_put(st, txn, campaign, period, unit, &rec);
	lnob__rollup_record__free_unpacked(roll, NULL);
	return r;
}

int approval_revoke(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		    const char *unit, size_t *ret_pending)
{
	size_t pending = 0;
	int r = agg_approval_exists(st, txn, campaign, period, unit);

	if (r == 0)
		return LNOB_E_NOTFOUND;
	if (r == 1)
		r = agg_amendment_count(st, txn, campaign, period, unit, &pending);
	if (r < 0)
		return r;
	if (ret_pending)
		*ret_pending = pending;
	if (pending)
		return LNOB_E_EXISTS;
	return agg_approval_del(st, txn, campaign, period, unit);
}

/* Moves the queued amendment rec to the decision log. */
static int s_decide(store_t *st, MDB_txn *txn, Lnob__AmendmentRecord *rec, bool accepted,
		    const char *by, const char *reason, int64_t now)
{
	Lnob__AmendmentDecision d = LNOB__AMENDMENT_DECISION__INIT;

	d.amendment = rec;
	d.accepted = accepted;
	d.by = (char *)by;
	d.reason = (char *)(reason ? reason : "");
	d.decided_at = now;
	return agg_amendment_decide(st, txn, rec, &d);
}

/* The report of rec from the log, checked to be the one rec names, and its
 * unit's index. */
static int s_amended_report(store_t *st, MDB_txn *txn, const hier_t *hier,
			    const Lnob__AmendmentRecord *rec, Lnob__Report **ret, int *ret_unit)
{
	Lnob__Report *rep = NULL;
	int r = agg_envelope_report(st, txn, rec->signer, rec->seq, &rep, NULL);

	if (r == 0 && (strcmp(rep->unit, rec->unit) != 0 || rep->revision != rec->revision ||
		       strcmp(rep->campaign, rec->campaign) != 0 ||
		       strcmp(rep->period, rec->period) != 0))
		r = LNOB_E_CORRUPT;
	if (r == 0 && (*ret_unit = hier_find(hier, rep->unit)) < 0)
		r = LNOB_E_HIER;
	if (r == 0)
		*ret = rep;
	else if (rep)
		lnob__report__free_unpacked(rep, NULL);
	return r;
}

int amendment_accept(store_t *st, const hier_t *hier, MDB_txn *txn, const char *signer,
		     uint64_t seq, const char *by, const char *note, int64_t now,
		     apply_out_t *ret)
{
	return amendment_accept_on(st, hier, NULL, txn, signer, seq, by, note, now, ret);
}

int amendment_accept_on(store_t *st, const hier_t *hier, const campaigns_t *camps, MDB_txn *txn,
			const char *signer, uint64_t seq, const char *by, const char *note,
			int64_t now, apply_out_t *ret)
{
	Lnob__AmendmentRecord *rec = NULL;
	Lnob__Report *rep = NULL;
	apply_out_t out;
	int unit = -1, r = agg_amendment_find(st, txn, signer, seq, &rec);

	if (r < 0)
		return r;
	hier = hierperiod_tree(hier, camps, rec->campaign, rec->period);
	memset(&out, 0, sizeof(out));
	r = s_amended_report(st, txn, hier, rec, &rep, &unit);
	if (r == 0)
		r = apply_report(st, txn, NULL, hier, rep, unit, signer, seq, rec->received_at, &out);
	if (r == 0)
		r = s_decide(st, txn, rec, true, by, note, now);
	if ((r == 0 || r == LNOB_E_OVERFLOW) && ret)
		*ret = out;   /* on overflow its detail names the unit and indicator */
	if (rep)
		lnob__report__free_unpacked(rep, NULL);
	lnob__amendment_record__free_unpacked(rec, NULL);
	return r;
}

int amendment_reject(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		     const char *by, const char *reason, int64_t now)
{
	Lnob__AmendmentRecord *rec = NULL;
	int r = agg_amendment_find(st, txn, signer, seq, &rec);

	if (r < 0)
		return r;
	r = s_decide(st, txn, rec, false, by, reason, now);
	lnob__amendment_record__free_unpacked(rec, NULL);
	return r;
}

/* amendments_pending_for()'s count. */
typedef struct s_pending_for {
	const char *campaign, *period, *unit;
	size_t n;
} s_pending_for_t;

static int s_pending_entry(void *ctx, const MDB_val *key, const Lnob__AmendmentRecord *rec,
			   const Lnob__AmendmentDecision *d)
{
	s_pending_for_t *p = ctx;

	(void)key;
	(void)d;
	p->n += strcmp(rec->campaign, p->campaign) == 0 && strcmp(rec->period, p->period) == 0 &&
		strcmp(rec->unit, p->unit) == 0;
	return 0;
}

int amendments_pending_for(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			   const char *unit, size_t *ret)
{
	s_pending_for_t p = { .campaign = campaign, .period = period, .unit = unit };
	int r = agg_amendment_foreach(st, txn, false, s_pending_entry, &p);

	if (r == 0)
		*ret = p.n;
	return r;
}

int amendment_key_parse(const char *s, char *ret_signer, uint64_t *ret_seq)
{
	const char *slash = strrchr(s, '/');
	char id[LNOB_ID_MAX + 1], *end;
	unsigned long long seq;
	size_t n;

	if (!slash || (n = (size_t)(slash - s)) == 0 || n > LNOB_ID_MAX)
		return LNOB_E_INVALID;
	memcpy(id, s, n);
	id[n] = '\0';
	if (!lnob_valid_id(id) || slash[1] < '0' || slash[1] > '9')
		return LNOB_E_INVALID;
	errno = 0;
	seq = strtoull(slash + 1, &end, 10);
	if (errno || *end || seq == 0)
		return LNOB_E_INVALID;
	memcpy(ret_signer, id, n + 1);
	*ret_seq = (uint64_t)seq;
	return 0;
}
