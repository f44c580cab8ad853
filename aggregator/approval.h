/*
 * approval.h: approving a period's figures for a unit's subtree, and the
 * amendment queue of report revisions that arrive after an approval.
 *
 * An operator approves (campaign, period) for a unit U (`approvals`,
 * ApprovalRecord, with U's rollup as approved). From then on the figures of
 * U's subtree for that period are locked. THE AMENDMENT RULE: a report
 * revision for (campaign, period, unit) whose envelope is stored while an
 * approval of (campaign, period) covers the unit (the unit itself or an
 * ancestor is approved) is an amendment: ingest stores it in the envelope
 * log and acks it (never lost), but it does not enter the revision history,
 * the latest record, the conflicts or the rollups; it waits in
 * `amendments`, under the NEAREST covering approval (the lowest approved
 * unit on the path to the root). This holds for every revision, a unit's
 * first report included (a unit that had none when approved would move
 * the approved units_reported and sums) and a stale one (it could open a
 * conflict or change the first report): nothing of the approved subtree
 * moves until the approver decides. Approval order against ingest is the
 * order of LMDB's write transactions: what committed before the approval
 * is approved, what commits after it is held.
 *
 * Accepting an amendment applies it in one write transaction through
 * apply_report() (apply.h), the path of ingest, with its original arrival time
 * (so timeliness judges it as it arrived), removes it from the queue and
 * logs the decision (`amendment_log`); rejecting removes it and logs the
 * decision with its reason. Its envelope stays in the log either way.
 * An approval with amendments pending cannot be revoked.
 *
 * The functions work inside a transaction the caller owns (a write
 * transaction where they write); LMDB serialises writers, so a CLI
 * transaction beside the running daemon is safe. They do not log.
 */
#ifndef LNOB_APPROVAL_H
#define LNOB_APPROVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aggstore.h"
#include "campaigns.h"
#include "apply.h"
#include "hierarchy.h"

/* Limits on what an operator types. */
#define APPROVAL_BY_MAX 128
#define APPROVAL_TEXT_MAX 1024

/* Reads the approval of (campaign, period) for unit. Caller frees *ret
 * (lnob__approval_record__free_unpacked). Returns 0, LNOB_E_NOTFOUND,
 * LNOB_E_INVALID (parts too long), LNOB_E_CORRUPT or a store error. */
int approval_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		 const char *unit, Lnob__ApprovalRecord **ret);

/* The nearest approval of (campaign, period) covering hierarchy unit
 * `unit`: the unit itself or its closest approved ancestor, its index into
 * *ret_unit. Returns 0, LNOB_E_NOTFOUND (none covers it), LNOB_E_INVALID
 * or a store error. */
int approval_covering(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		      const char *period, int unit, int *ret_unit);

/* Ingest's hook: when an approval covers rep's unit (hierarchy index
 * `unit`), queues the envelope (signer, seq), stored in the log already,
 * as an amendment of the nearest one, writes a line for the operator's log
 * into note and returns 1; returns 0 (note untouched) when none covers
 * it, or a negative store code. */
int approval_hold(store_t *st, MDB_txn *txn, const hier_t *hier, const Lnob__Report *rep,
		  int unit, const char *signer, uint64_t seq, int64_t received_at, char *note,
		  size_t notelen);

/* Records the approval of (campaign, period) for unit by `by` (with note,
 * may be NULL) at now, with the unit's current rollup. Returns 0,
 * LNOB_E_EXISTS (approved already), LNOB_E_INVALID or a store error. */
int approval_approve(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, const char *by, const char *note, int64_t now);

/* Revokes the approval of (campaign, period) for unit: from then on its
 * subtree takes revisions at once again. Refused with LNOB_E_EXISTS while
 * amendments are queued under it (*ret_pending, may be NULL, gets how
 * many). Returns 0, LNOB_E_NOTFOUND, LNOB_E_EXISTS or a store error. */
int approval_revoke(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		    const char *unit, size_t *ret_pending);

/* Accepts the queued amendment (signer, seq): applies its report through
 * apply_report() (apply.h) with the amendment's arrival time, removes it
 * from the queue and logs the decision (by, note may be NULL, at now).
 * *ret (may be NULL) gets what applying did (conflict, resolved, note; on
 * LNOB_E_OVERFLOW its detail names the unit and the indicator). Returns 0,
 * LNOB_E_NOTFOUND (no such amendment queued), LNOB_E_CORRUPT (its
 * envelope is missing or not its report, or a stored record does not add
 * up), LNOB_E_HIER (its unit left the hierarchy), LNOB_E_OVERFLOW (a sum on
 * its path would exceed 10^15) or a store error; on failure the caller
 * aborts txn. */
int amendment_accept(store_t *st, const hier_t *hier, MDB_txn *txn, const char *signer,
		     uint64_t seq, const char *by, const char *note, int64_t now,
		     apply_out_t *ret);
/* The same on the hierarchy version of the amendment's period
 * (hierperiod.h: camps, may be NULL, gives the period's day;
 * amendment_accept() passes NULL). */
int amendment_accept_on(store_t *st, const hier_t *hier, const campaigns_t *camps, MDB_txn *txn,
			const char *signer, uint64_t seq, const char *by, const char *note,
			int64_t now, apply_out_t *ret);

/* Rejects the queued amendment (signer, seq): removes it from the queue and
 * logs the decision with by and reason at now. Returns 0, LNOB_E_NOTFOUND
 * or a store error. */
int amendment_reject(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		     const char *by, const char *reason, int64_t now);

/* How many amendments of (campaign, period) for exactly unit are queued,
 * into *ret. Returns 0 or a negative code. */
int amendments_pending_for(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			   const char *unit, size_t *ret);

/* Parses an amendment key "SIGNER/SEQ" (as views print it). Returns 0 or
 * LNOB_E_INVALID; ret_signer holds LNOB_ID_MAX + 1 bytes. */
int amendment_key_parse(const char *s, char *ret_signer, uint64_t *ret_seq);

/* Every approval with its approved and current rollup and the amendments
 * pending under it, as JSON (README's shape). Caller owns *ret. Returns 0
 * or a negative code. */
int approvals_view(store_t *st, MDB_txn *txn, json_t **ret);
void approvals_print(FILE *out, const json_t *view, const campaigns_t *camps);

/* The amendment queue (or, with decided, the log of decisions), filtered by
 * campaign and period (NULL: any) and by unit (a hierarchy index: the
 * amendments for units of its subtree; -1: any), as JSON: each with its
 * values read from its envelope, the unit's current figures, the
 * difference, whether accepting it makes it the current revision (THE
 * RULES) and so what it changes in the rollups. Caller owns *ret. Returns 0
 * or a negative code. */
int amendments_view(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		    const char *period, int unit, bool decided, json_t **ret);
void amendments_print(FILE *out, const json_t *view, const campaigns_t *camps);

#endif
