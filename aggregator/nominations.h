/*
 * nominations.h: award nominations (khen thưởng) at the aggregator: taking
 * a Nomination or a Stage envelope into the batch's write transaction, and
 * the operators' views (`lnob-aggregator nominations`). proto/lnob.proto
 * has the messages; common/award.h the eligibility rules.
 *
 * STORAGE (aggstore.h): `nominations` maps a nomination's key
 * "<proposing signer>/<id>" to its NominationRecord (the Nomination as
 * signed but without the documents' bytes, how many bytes of each were
 * attached, the stage count, the last stage, the unit holding it and the
 * resubmission that revised it); `stages` maps key \0 index(8) (0, 1, ...)
 * to one StageRecord each: the full history, in arrival order. The
 * envelopes themselves are in the envelope log like reports.
 *
 * A NOMINATION is refused (nothing stored) when: its body does not decode
 * (malformed); a field is missing or out of range (invalid: campaign,
 * occasion and id not ids, no nominee name, an unknown nominee kind or
 * form, a dossier document of unknown kind, without a title, or whose
 * sha256 is not 32 bytes, attached content whose SHA-256 or size differs
 * from the declared ones, a sanction the campaign does not know, a
 * contribution over REPORT_VALUE_MAX, proposed_at outside LNOB_TIME_MIN..
 * LNOB_TIME_MAX (2000-01-01 .. 2100-12-31 UTC), text that is not UTF-8
 * (lnob_utf8_valid) or too long: nominee_name, document titles 512 bytes,
 * votes 4096, summary 65536; the name, titles and votes one line);
 * campaigns are configured and it names another campaign, or an occasion
 * that is not one of the campaign's periods (unknown_campaign); its unit is
 * not in the hierarchy (unknown_unit) or not in the signer's subtree
 * (out_of_scope); its key is stored already with other content ("nomination
 * id reused", invalid; the same content again under a new seq is acked and
 * changes nothing); it revises a key not stored (unknown_nomination), one
 * whose last stage is not RETURNED or that was already resubmitted
 * (bad_stage), or one of another campaign or nominee unit (invalid).
 *
 * THE STAGES (nominations_transition()). S is the unit of the stage
 * signer's scope; it must cover the nominee's unit (else out_of_scope). H is
 * the unit holding the nomination: the proposer's scope after the proposal,
 * then the scope of the signer of the last stage. "At or above H": S is H
 * or an ancestor of H; "above H": an ancestor of H.
 *
 *   last stage              next stage           signed by a node at
 *   (none: proposed)        received             H or above (the next level
 *                                                up, or the proposing level's
 *                                                own board)
 *   (none: proposed)        endorsed             H (its council endorses its
 *                                                own proposal upward)
 *   received                appraised            H (whoever received it)
 *   appraised               endorsed             H (upward)
 *   endorsed                received             above H (the next level
 *                                                takes it: the cycle repeats
 *                                                at each higher level)
 *   received, appraised,    decided              H or above (the awarding
 *   endorsed                                     authority)
 *   proposed, received,     returned, rejected   H or above
 *   appraised, endorsed
 *   decided, rejected,      nothing              (bad_stage)
 *   returned
 * Anything else is bad_stage, with the reason in the detail. A returned
 * nomination is resubmitted as a NEW nomination (its own key) whose
 * `revises` names it; both keep their histories. RETURNED and REJECTED need
 * a reason, DECIDED a decision number, a decision date (YYYY-MM-DD) and the
 * granted form; a stage must name the nomination's campaign (else
 * invalid); a stage naming a key not stored is unknown_nomination. A
 * stage's at must be in LNOB_TIME_MIN..LNOB_TIME_MAX and its
 * decision_date a date of 2000-01-01 .. 2100-12-31; reason and note are
 * UTF-8 of at most 4096 bytes, decision_number of at most 512 on one line
 * (else invalid, the detail naming the field).
 *
 * ELIGIBILITY (advisory, computed when viewed, so it follows the current
 * figures): when the nomination's campaign is configured and has award
 * rules, award_check() of the proposed form on the occasion, for the
 * nominee's kind and unit, each target judged on the unit's figures of the
 * occasion (figures.h: full or comparable basis, INCOMPLETE when the
 * campaign withholds), the nomination's contribution_vnd (0 is "none")
 * and its sanction ("" and "none" are level 0). The DECIDED stage records
 * what the council decided.
 */
#ifndef LNOB_NOMINATIONS_H
#define LNOB_NOMINATIONS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "aggstore.h"
#include "campaigns.h"
#include "hierarchy.h"

#define NOMINATION_KEY_MAX (2 * LNOB_ID_MAX + 1)   /* "signer/id", without NUL */

typedef struct nominations_ctx {
	store_t *st;
	const hier_t *hier;
	const campaigns_t *campaigns;   /* NULL or none: any campaign and occasion */
} nominations_ctx_t;

/* Takes one KIND_NOMINATION or KIND_STAGE envelope (signature and
 * (signer, seq) checked by the caller) signed by a node of scope `scope`
 * into txn, by the rules above, with `now` (Unix seconds) as its arrival.
 * Returns 0 with *ret_reason 0 when accepted (its records are written; the
 * caller stores the envelope in the log and acks it), or 0 with
 * *ret_reason a Lnob__NackReason and detail filled when refused (nothing is
 * written); a negative store error dooms the caller's transaction. */
int nominations_apply(const nominations_ctx_t *x, MDB_txn *txn, const Lnob__Envelope *env,
		      const char *scope, int64_t now, int *ret_reason, char *detail,
		      size_t detail_len);

/* The stage rule (THE STAGES), pure: whether `next` may follow `last`
 * (STAGE_UNSPECIFIED: only proposed) on a nomination held by hierarchy unit
 * `holder`, signed by a node whose scope is unit `signer`. Returns 0, or
 * NACK_BAD_STAGE with the reason in detail. Scope against the nominee's
 * unit is the caller's check. */
int nominations_transition(const hier_t *hier, int last, int holder, int next, int signer,
			   char *detail, size_t detail_len);

/* What `nominations` lists. */
typedef struct nominations_query {
	const char *campaign;
	const char *occasion;           /* NULL: every occasion */
	int unit;                       /* hierarchy index of the subtree's root */
	int64_t now;
	const char *stage;      /* NULL: any; else a stage name ("proposed", "received", ...) */
	const char *form;       /* NULL: any; else an award form id */
	const char *holder;     /* NULL: any; else a unit code: held by that unit */
	int64_t waiting_min_days; /* 0: any; else rows whose current stage is at least this many days old */
} nominations_query_t;

/* Checks q's names: its campaign and occasion against the configured
 * campaigns (campaigns_lookup()), its stage against the stage names, its
 * form against the award forms' ids, its holder against the hierarchy's
 * codes, waiting_min_days >= 0. opt prefixes the parameters' names in the
 * message: "--" for the command line, "" for the HTTP API. Returns 0, or
 * LNOB_E_NOTFOUND / LNOB_E_INVALID with err naming the parameter and listing
 * the known values ("--stage 'sent' is not a stage (proposed, received,
 * appraised, endorsed, returned, rejected, decided)"). */
int nominations_query_check(const nominations_ctx_t *x, const nominations_query_t *q,
			    const char *opt, char *err, size_t errlen);

/* The nominations of q's campaign (and occasion) whose nominee's unit is in
 * q->unit's subtree and that pass q's filters (stage, form, holder,
 * waiting_min_days), counted by form, current stage and nominee kind for
 * the subtree, for each level in it and for each child of its root, with
 * the keys behind each count and one row per nomination with its advisory
 * eligibility (the JSON README documents); counts and rows both follow the
 * filters. Each row's "waiting_days" is the whole days from its current
 * stage's arrival (the proposal's when only proposed) to q->now. q is
 * checked first (nominations_query_check(), opt ""). Caller owns *ret.
 * Returns 0 or a negative code (err says why when it can). */
int nominations_view(const nominations_ctx_t *x, MDB_txn *txn, const nominations_query_t *q,
		     json_t **ret, char *err, size_t errlen);

/* One nomination: its fields, dossier (titles, digests, declared and
 * attached sizes), full stage history, eligibility, and the nominations it
 * revises (each with its own history), as JSON. Caller owns *ret. Returns 0,
 * LNOB_E_NOTFOUND (no such key) or a negative code. */
int nominations_one(const nominations_ctx_t *x, MDB_txn *txn, const char *key, json_t **ret);

/* Prints a nominations_view() / nominations_one() result as tables. */
void nominations_print(FILE *out, const json_t *view);
void nominations_print_one(FILE *out, const json_t *one);
/* Prints a nominations_view() result as CSV (RFC 4180, libcsv quoting):
 * a header line, then one row per nomination. Returns 0 or -EIO. */
int nominations_print_csv(FILE *out, const json_t *view);

#endif
