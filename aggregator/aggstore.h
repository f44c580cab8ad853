/*
 * aggstore.h: the aggregator's LMDB store: its named databases, key
 * layouts, enrolled nodes and persisted counters.
 *
 * Databases (keys are byte strings; "\0" separates text parts, numbers are
 * big-endian):
 *   envelopes   arrival(8)                            -> serialized Envelope (immutable log,
 *                                                         in arrival order: appended, so
 *                                                         its pages are filled; schema 4)
 *   envelope_ids  signer \0 seq(8)                    -> arrival(8) (the log's index:
 *                                                         the idempotency key)
 *   latest      campaign \0 period \0 unit             -> LatestRecord
 *   revisions   campaign \0 period \0 unit \0 rev(4) \0 signer \0 seq(8)
 *                                                      -> RevisionRecord (history)
 *   revision_bases  campaign \0 period \0 unit \0 base(4) rev(4) signer \0 seq(8)
 *                                                      -> empty (the history by base)
 *   rollups     campaign \0 period \0 unit             -> RollupRecord
 *   nodes       node id                                -> NodeRecord
 *   curvekeys   curve public key (32)                  -> node id
 *   counters    name                                   -> uint64(8)
 *   quarantine  signer \0 seq(8) \0 sha256(envelope)   -> QuarantineRecord
 *   peers       node id                                -> PeerRecord
 *   conflicts   campaign \0 period \0 unit             -> ConflictRecord (open only)
 *   approvals   campaign \0 period \0 unit             -> ApprovalRecord (approval.h)
 *   amendments  campaign \0 period \0 approved unit \0 signer \0 seq(8)
 *                                                      -> AmendmentRecord (the queue)
 *   amendment_log  as amendments                       -> AmendmentDecision
 *   nominations signer "/" id                          -> NominationRecord (nominations.h)
 *   stages      signer "/" id \0 index(8)              -> StageRecord (its stage history;
 *                                                         both added to schema 1 as conflicts was)
 *   tokens      token id                               -> TokenRecord (HTTP API tokens,
 *                                                         tokens.h; added as stages was)
 *   requests    campaign 0x00 request id               -> AdhocRequest (ad-hoc requests,
 *                                                         requests.h; added as tokens was)
 *
 * The history (revisions) holds every accepted revision of a report with
 * what judging it needs (RevisionRecord: arrival time, base revision,
 * completion time, the digest of its meaning), so that a new revision is
 * judged without reading the history's envelopes (the current one's
 * aside: agg_latest_get()); revision_bases indexes the same
 * entries by base revision. Keys sort by revision, then signer (byte
 * order, as strcmp), then seq: the order of agg_history_load(). The
 * revision's content is its envelope in `envelopes`. Schema 2 (lnob 0.2)
 * changed the revisions values and the rollups (per-indicator carrier
 * counts) and added revision_bases; a schema 1 store is refused.
 * Schema 3 leaves out the rollup that is a unit's own report alone
 * (agg_rollup_save()); an older store is refused (an older lnob would read
 * the missing records as empty rollups).
 * Schema 4 keeps a history of one revision (nearly every unit) in the
 * unit's LatestRecord alone (LatestRecord.content; no revisions or
 * revision_bases entries: agg_latest_rev()); when a second revision
 * arrives both are written to the history, which then holds every
 * revision as before. agg_history_load(), agg_history_exists() and
 * agg_revision_exists() read both places. A stored LatestRecord leaves
 * out what the current revision's envelope says (values, completed_at,
 * content) and first_* when the first report is the current one:
 * agg_latest_get() fills them in, so its readers see the whole record.
 * And its envelope log is keyed by arrival number,
 * appended (MDB_APPEND: full pages, where (signer, seq) keys from
 * interleaved signers split pages half empty), with the index
 * envelope_ids (signer, seq) -> arrival number beside it: the
 * agg_envelope_*() calls are as before. A schema 3 store is refused (an
 * older lnob would read such a unit as having no history).
 *
 * THE RULES (one place: agg_history_judge())
 *   current   the highest revision; among equal revision numbers the
 *             smallest (signer, seq); independent of arrival order. The
 *             rollups are the sums of the current revisions' values.
 *   first     the lowest revision; among equal numbers the earliest
 *             received_at, then the smallest (signer, seq). Timeliness is
 *             judged on it (LatestRecord.first_*).
 *   conflict  two revisions a, b of the history conflict when they come
 *             from different signers with the same base_revision, or have
 *             the same revision number and different content (another
 *             signer, or another meaning: report_content_digest(), so the
 *             same report encoded with its fields in another order is the
 *             same content). Such a pair is RESOLVED when the
 *             history holds a revision r with r.base_revision >=
 *             max(a.revision, b.revision) (then r.revision is higher too).
 *             The open conflict of a unit is the set of revisions that are
 *             part of an unresolved pair; a revision whose base_revision is
 *             at least the highest revision among its members (and so whose
 *             revision is higher than all of them) resolves it. Being a set
 *             function of the history, it does not depend on arrival order
 *             either: a stale revision arriving after the resolution opens
 *             nothing.
 */
#ifndef LNOB_AGGSTORE_H
#define LNOB_AGGSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "keydir.h"
#include "lnob.pb-c.h"
#include "store.h"
#include "sums.h"

#define AGG_SCHEMA "lnob-aggregator"
#define AGG_SCHEMA_VERSION 4

enum agg_db {
	AGG_DB_ENVELOPES = 0,
	AGG_DB_LATEST,
	AGG_DB_REVISIONS,
	AGG_DB_ROLLUPS,
	AGG_DB_NODES,
	AGG_DB_CURVEKEYS,
	AGG_DB_COUNTERS,
	AGG_DB_QUARANTINE,
	AGG_DB_PEERS,
	AGG_DB_CONFLICTS,
	AGG_DB_APPROVALS,
	AGG_DB_AMENDMENTS,
	AGG_DB_AMENDMENT_LOG,
	AGG_DB_NOMINATIONS,
	AGG_DB_STAGES,
	AGG_DB_REVBASES,
	AGG_DB_TOKENS,
	AGG_DB_REQUESTS,
	AGG_DB_ENVELOPE_IDS,
	AGG_DB_COUNT
};

/* Counters kept by the aggregator; names are what `status` prints. The
 * rejected_* ones follow NackReason order. */
enum agg_counter {
	AGG_C_STORED = 0,
	AGG_C_DUPLICATE,
	AGG_C_QUARANTINED,
	AGG_C_CONFLICT,           /* accepted revisions that opened or joined a
	                             revision conflict (see THE RULES) */
	AGG_C_ZAP_DENIED,
	AGG_C_STORE_FAILED,       /* batches whose commit failed */
	AGG_C_REJECTED_BASE,      /* + NackReason value */
	AGG_C_REJECTED_LAST = AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_NOT_IN_PERIOD_HIERARCHY,
	AGG_C_AMENDED,            /* stored reports held as amendments of an
	                             approval (approval.h), also in `stored` */
	AGG_C_DOWNSTREAM_IGNORED, /* entries of relays' Heartbeat.downstream not
	                             taken: the sender's scope does not cover the
	                             node's (aggregator/fleet_in.h) */
	AGG_C_COUNT
};

/* Name of counter c ("stored", "rejected_bad_signature" ...: the reason
 * as admit_reason_name() names it), static. */
const char *agg_counter_name(int c);

/* Opens the store in dir (creating it unless STORE_RDONLY). */
int aggstore_open(const char *dir, size_t map_size, unsigned flags, store_t **ret,
		  char *err, size_t errlen);

/* Key builders. Each writes into out (at least AGG_KEY_MAX bytes) and returns
 * the length, or 0 if the parts do not fit. */
#define AGG_KEY_MAX 512
size_t agg_key_envelope(uint8_t *out, const char *signer, uint64_t seq);
size_t agg_key_unit(uint8_t *out, const char *campaign, const char *period, const char *unit);
/* Splits a key "campaign\0period\0unit[\0...]" into its parts: pointers
 * into buf (the caller's, AGG_KEY_MAX + 1 bytes); the unit ends at its NUL.
 * Returns 0 or LNOB_E_CORRUPT. */
int agg_key_split(const MDB_val *k, char *buf, const char **c, const char **p, const char **u);
/* The history key of one revision, and its key by base (see the layout
 * above). */
size_t agg_key_revision(uint8_t *out, const char *campaign, const char *period,
			const char *unit, uint32_t revision, const char *signer, uint64_t seq);
size_t agg_key_revbase(uint8_t *out, const char *campaign, const char *period,
		       const char *unit, uint32_t base, uint32_t revision, const char *signer,
		       uint64_t seq);

/* Reads / writes all counters (absolute values) in txn. */
int agg_counters_load(store_t *st, MDB_txn *txn, uint64_t c[AGG_C_COUNT]);
int agg_counters_save(store_t *st, MDB_txn *txn, const uint64_t c[AGG_C_COUNT]);

/* Looks up a node by id. Caller frees *ret (lnob__node_record__free_unpacked).
 * Returns 0, LNOB_E_NOTFOUND or an error. */
int agg_node_get(store_t *st, MDB_txn *txn, const char *node_id, Lnob__NodeRecord **ret);
/* Looks up the node id enrolled for a CURVE public key into ret_id
 * (LNOB_ID_MAX+1 bytes). */
int agg_node_by_curve(store_t *st, MDB_txn *txn, const uint8_t curve_pk[32], char *ret_id);
/* Enrolls (or, with replace, re-keys) a node. LNOB_E_EXISTS when the id or
 * curve key is taken and !replace. */
int agg_node_put(store_t *st, MDB_txn *txn, const Lnob__NodeRecord *rec, bool replace);
/* Rotates an enrolled node's keys to pub's (keydir_rotate(): the old pair
 * taken for grace_s more seconds; its scope kept). Returns as
 * keydir_rotate(), -EINVAL as LNOB_E_INVALID. */
int agg_node_rotate(store_t *st, MDB_txn *txn, const identity_pub_t *pub, int64_t grace_s,
		    int64_t now_s);

/* A memo of the latest records one read transaction reads (a view, an
 * export: aggstore_memo.c): each (campaign, period, unit)'s LatestRecord,
 * with values (AGG_LATEST_VALUES), is read and decoded once and kept until
 * agg_memo_free(). Use one memo with one read transaction only. */
typedef struct agg_memo agg_memo_t;
agg_memo_t *agg_memo_new(void);               /* NULL: out of memory */
void agg_memo_free(agg_memo_t **self_p);      /* accepts NULL, *self_p NULL */
/* The LatestRecord of (campaign, period, unit), with values, through memo:
 * *ret borrowed from the memo (valid until agg_memo_free()), NULL when it
 * has none. Returns 0, LNOB_E_NOTFOUND or LNOB_E_INVALID (then *ret is
 * NULL; remembered too), -ENOMEM or a store error (not remembered). */
int agg_latest_memo(store_t *st, MDB_txn *txn, agg_memo_t *memo, const char *campaign,
		    const char *period, const char *unit, const Lnob__LatestRecord **ret);

/* Reads the materialised rollup for (campaign, period, unit). An absent
 * record is the unit's own current report alone when the unit has a
 * LatestRecord (its values, each carried by 1; units_reported 1: see
 * agg_rollup_save()), else an empty record. Caller frees *ret. Returns 0,
 * LNOB_E_INVALID (parts too long), LNOB_E_CORRUPT or a store error. */
int agg_rollup_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, Lnob__RollupRecord **ret);

/* The same, a unit's own report read through memo (agg_latest_memo(),
 * aggstore_memo.c). */
int agg_rollup_memo(store_t *st, MDB_txn *txn, agg_memo_t *memo, const char *campaign,
		    const char *period, const char *unit, Lnob__RollupRecord **ret);

/* Writes the rollup of (campaign, period, unit): the sums s (with their
 * carrier counts) and units_reported. Returns 0, LNOB_E_INVALID (parts too
 * long), -ENOMEM or a store error. */
int agg_rollup_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, const sums_t *s, uint32_t units_reported);
/* The same in the store's compact form (schema 3): when units_reported is
 * 1 and the unit has a LatestRecord in txn (so the rollup is that report's
 * values alone), removes the record instead (agg_rollup_get() derives
 * it): a unit of the hierarchy's last level, most of them, costs no
 * rollup record. Write the unit's LatestRecord first. Returns as
 * agg_rollup_put(). */
int agg_rollup_save(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		    const char *unit, const sums_t *s, uint32_t units_reported);

/* Reads the LatestRecord / open ConflictRecord of (campaign, period,
 * unit). Caller frees *ret. The LatestRecord comes whole: what schema 4
 * leaves out of the stored record is filled in (first_*, and values,
 * completed_at and content from the current revision's envelope:
 * LNOB_E_CORRUPT when the log lacks it or it is another revision).
 * Returns 0, LNOB_E_NOTFOUND, LNOB_E_CORRUPT or a store error. */
int agg_latest_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, Lnob__LatestRecord **ret);
/* What agg_latest_load() fills in from the current revision's envelope. */
enum agg_latest_fill {
	AGG_LATEST_IDENTITY = 0,        /* nothing: no envelope read */
	AGG_LATEST_VALUES = 1 << 0,     /* values and completed_at */
	AGG_LATEST_CONTENT = 1 << 1,    /* with VALUES: and content (a SHA-256 of
	                                   the report, when one revision) */
};
/* The same, filling in only what fill (enum agg_latest_fill) names: the
 * rest of what the envelope would give (values, completed_at, content;
 * first_completed_at when first_* are left out) is left empty, for a
 * reader of the other fields. agg_latest_get() is VALUES | CONTENT. */
int agg_latest_load(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		    const char *unit, unsigned fill, Lnob__LatestRecord **ret);
int agg_conflict_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, Lnob__ConflictRecord **ret);
/* Writes the LatestRecord of (campaign, period, unit), leaving out what
 * agg_latest_get() fills in (schema 4: its values, which must be the
 * current revision's report's, completed_at, content; first_* when the
 * first is the current).
 * Returns 0, LNOB_E_INVALID, -ENOMEM or a store error. */
int agg_latest_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, const Lnob__LatestRecord *rec);

/* ---- the envelope log, quarantine, peers, totals ----------------------- */

/* The stored bytes of envelope (signer, seq) into *ret (borrowed: valid
 * until the next write in txn or its end). Returns 0, LNOB_E_NOTFOUND,
 * LNOB_E_INVALID (parts too long) or a store error. */
int agg_envelope_raw(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq, MDB_val *ret);
/* The same, opened (caller frees: lnob__envelope__free_unpacked); a stored
 * envelope that does not open is LNOB_E_CORRUPT. */
int agg_envelope_get(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		     Lnob__Envelope **ret);
/* The report envelope (signer, seq) holds, decoded (caller frees): an
 * envelope missing from the log, or not a report, is LNOB_E_CORRUPT (the
 * caller's record names it); *ret_digest (may be NULL) gets
 * report_content_digest(). */
int agg_envelope_report(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
			Lnob__Report **ret, uint8_t ret_digest[32]);
/* Puts envelope bytes into the log under (signer, seq): appended under the
 * next arrival number and indexed (envelope_ids); a (signer, seq) the log
 * holds already is replaced where it is. Returns 0, LNOB_E_INVALID (parts
 * too long), LNOB_E_CORRUPT (the log's last key or an index value not 8
 * bytes) or a store error. */
int agg_envelope_put(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		     const uint8_t *env, size_t len);
/* Calls fn(ctx, env) for every envelope of the log that opens, in (signer,
 * seq) order (the index's), and fn(ctx, NULL) for one that does not, is
 * missing from the log or is not the (signer, seq) indexed; fn's non-zero
 * stops the walk (negative: returned). */
typedef int (*agg_envelope_fn)(void *ctx, const Lnob__Envelope *env);
int agg_envelope_foreach(store_t *st, MDB_txn *txn, agg_envelope_fn fn, void *ctx);
/* The entries of the log and of its index into *ret_log and *ret_index
 * (verify: with agg_envelope_foreach() finding every index entry sound,
 * equal counts mean every envelope of the log is indexed). Returns 0 or a
 * store error. */
int agg_envelope_counts(store_t *st, MDB_txn *txn, size_t *ret_log, size_t *ret_index);
/* Keeps a reused-seq envelope aside, keyed by (signer, seq) and the
 * envelope's SHA-256 so that repeats of the same bad copy collapse:
 * *ret_new (may be NULL) says whether this copy is new. */
int agg_quarantine_put(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		       const uint8_t *env, size_t len, const char *peer, int64_t now,
		       bool *ret_new);
/* Writes a peer's last health (PeerRecord, keyed by its node id). */
int agg_peer_put(store_t *st, MDB_txn *txn, const Lnob__PeerRecord *rec);
/* The peer record of node_id (caller frees), or LNOB_E_NOTFOUND. */
int agg_peer_get(store_t *st, MDB_txn *txn, const char *node_id, Lnob__PeerRecord **ret);
/* Calls fn(ctx, node) for every enrolled node, in id order, passing over
 * a record that does not decode (status shows what it can). */
int agg_node_foreach(store_t *st, MDB_txn *txn, keydir_fn fn, void *ctx);

/* The store's totals, as `status` shows them. */
typedef struct agg_totals {
	size_t envelopes, reports, quarantined;
} agg_totals_t;
int agg_totals(store_t *st, MDB_txn *txn, agg_totals_t *ret);

/* ---- per (campaign, period, unit) records, walked ------------------------ */

enum agg_unit_db {
	AGG_UNIT_LATEST, AGG_UNIT_CONFLICTS, AGG_UNIT_ROLLUPS, AGG_UNIT_REVISIONS,
};
/* Calls fn(ctx, campaign, period, unit, value) for every record of one of
 * the unit-keyed databases in key order (for revisions: every history
 * entry, the unit's parts of the key only: the histories of two or more
 * revisions, schema 4); value borrowed for the call. A
 * key that does not split is LNOB_E_CORRUPT. */
typedef int (*agg_unit_fn)(void *ctx, const char *campaign, const char *period,
			   const char *unit, const MDB_val *val);
int agg_unit_foreach(store_t *st, MDB_txn *txn, enum agg_unit_db db, agg_unit_fn fn, void *ctx);
/* True (1) when (campaign, period, unit) has a revision in the history
 * (in `revisions`, or the one its LatestRecord keeps), 0 when not, or a
 * negative code. */
int agg_history_exists(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		       const char *unit);
/* True (1) when the revision (campaign, period, unit, revision, signer,
 * seq) is in the history (either place), 0 when not, or a negative code. */
int agg_revision_exists(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			const char *unit, uint32_t revision, const char *signer, uint64_t seq);

/* ---- approvals and the amendment queue (approval.h has the rules) -------- */

/* The approval of (campaign, period) for unit (caller frees), or
 * LNOB_E_NOTFOUND. */
int agg_approval_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, Lnob__ApprovalRecord **ret);
/* True (1) when there is one, 0 when not, or a negative code. */
int agg_approval_exists(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			const char *unit);
/* Writes a new approval (LNOB_E_EXISTS when there is one) / removes one. */
int agg_approval_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, const Lnob__ApprovalRecord *rec);
int agg_approval_del(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit);
/* Calls fn for every approval in key order. */
typedef int (*agg_approval_fn)(void *ctx, const char *campaign, const char *period,
			       const char *unit, const Lnob__ApprovalRecord *rec);
int agg_approval_foreach(store_t *st, MDB_txn *txn, agg_approval_fn fn, void *ctx);

/* The queue key of an amendment: campaign \0 period \0 approved unit \0
 * signer \0 seq(8); its length, or 0 when the parts do not fit. */
size_t agg_key_amendment(uint8_t *out, const char *campaign, const char *period,
			 const char *approved, const char *signer, uint64_t seq);
/* Queues an amendment under the key its fields make. */
int agg_amendment_put(store_t *st, MDB_txn *txn, const Lnob__AmendmentRecord *rec);
/* The queued amendment (signer, seq) (caller frees), or LNOB_E_NOTFOUND. */
int agg_amendment_find(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		       Lnob__AmendmentRecord **ret);
/* Moves the queued amendment rec to the log of decisions with d. */
int agg_amendment_decide(store_t *st, MDB_txn *txn, const Lnob__AmendmentRecord *rec,
			 const Lnob__AmendmentDecision *d);
/* How many amendments wait under the approval of (campaign, period, unit). */
int agg_amendment_count(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			const char *approved, size_t *ret);
/* Calls fn(ctx, key, rec, d) for every queued amendment (d NULL), or with
 * decided for every decision (rec = d->amendment), in key order; key is
 * the one it is filed under (borrowed). */
typedef int (*agg_amendment_fn)(void *ctx, const MDB_val *key, const Lnob__AmendmentRecord *rec,
				const Lnob__AmendmentDecision *d);
int agg_amendment_foreach(store_t *st, MDB_txn *txn, bool decided, agg_amendment_fn fn,
			  void *ctx);

/* ---- nominations and their stages (nominations.h has the rules) --------- */

/* The nomination record of key "signer/id" (caller frees), or
 * LNOB_E_NOTFOUND; a record without its nomination is LNOB_E_CORRUPT. */
int agg_nomination_get(store_t *st, MDB_txn *txn, const char *key,
		       Lnob__NominationRecord **ret);
int agg_nomination_put(store_t *st, MDB_txn *txn, const char *key,
		       const Lnob__NominationRecord *rec);
/* Calls fn(ctx, key, rec) for every nomination record in key order. */
typedef int (*agg_nomination_fn)(void *ctx, const char *key, const Lnob__NominationRecord *rec);
int agg_nomination_foreach(store_t *st, MDB_txn *txn, agg_nomination_fn fn, void *ctx);
/* Stage `index` of nomination key (caller frees), or LNOB_E_NOTFOUND. */
int agg_stage_get(store_t *st, MDB_txn *txn, const char *key, uint64_t index,
		  Lnob__StageRecord **ret);
/* Writes stage `index` of key; LNOB_E_EXISTS when there is one. */
int agg_stage_put(store_t *st, MDB_txn *txn, const char *key, uint64_t index,
		  const Lnob__StageRecord *rec);

/* ---- the revision history of one (campaign, period, unit) -------------- */

/* One revision. */
typedef struct agg_rev {
	char signer[LNOB_ID_MAX + 1];
	uint64_t seq;
	uint32_t revision, base_revision;
	int64_t completed_at;
	int64_t received_at;
	uint8_t content[32];            /* report_content_digest() */
	Lnob__Report *report;           /* decoded body with AGG_HISTORY_REPORTS,
	                                   else NULL */
	bool member;                    /* of the open conflict (agg_history_judge) */
} agg_rev_t;

typedef struct agg_history {
	agg_rev_t *v;                   /* key order: revision, signer, seq */
	size_t n, cap;
	int current;                    /* index, -1 when empty */
	int first;                      /* index, -1 when empty */
	size_t members;                 /* revisions in the open conflict */
	uint32_t member_max;            /* highest revision among them */
} agg_history_t;

enum agg_history_flags {
	AGG_HISTORY_REPORTS = 1 << 0,   /* also decode each revision's report */
};

/* Loads the history of (campaign, period, unit) in key order (with
 * AGG_HISTORY_REPORTS each revision's report decoded from its envelope)
 * and judges it (agg_history_judge()). *ret is cleared first and owned by
 * the caller (agg_history_clear), also on failure. An empty history is
 * n == 0. Returns 0, LNOB_E_INVALID (parts too long), LNOB_E_CORRUPT (a
 * key, value or envelope that does not parse, an envelope missing) or a
 * store error. */
int agg_history_load(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, unsigned flags, agg_history_t *ret);
/* Loads only what judging the open conflict needs when the highest
 * base_revision of the whole history is max_base: the revisions above
 * max_base ("tips") and the revisions at or below it with the base of a
 * tip, in key order; then judges members against max_base
 * (agg_history_judge_members()). current and first are left -1. The
 * member set equals the one agg_history_judge() finds on the whole
 * history, and the cost grows with the tips, not with the history. Returns
 * as agg_history_load(). */
int agg_history_tips(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, uint32_t max_base, agg_history_t *ret);
/* The one revision of a history kept in its LatestRecord lr (schema 4:
 * lr->revisions == 1, see LatestRecord.content) into *ret (report NULL).
 * Returns 0, or LNOB_E_CORRUPT when lr holds none (revisions not 1,
 * content not 32 bytes, base_revision not below revision, signer too
 * long). */
int agg_latest_rev(const Lnob__LatestRecord *lr, agg_rev_t *ret);
/* Writes one revision into the history (RevisionRecord and the base
 * index). Returns 0, LNOB_E_INVALID (parts too long) or a store error.
 * A history of one revision is kept in the LatestRecord instead
 * (apply.c writes its entries when the second arrives). */
int agg_revision_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, const agg_rev_t *rev);
/* Applies THE RULES to h->v[0..n-1] (which must be in key order): sets
 * current, first, every member flag, members and member_max. Pure. */
void agg_history_judge(agg_history_t *h);
/* Sets only the member flags, members and member_max of h->v[0..n-1] for
 * a history whose highest base_revision is max_base (h may hold only part
 * of it: agg_history_tips()), by grouping, in O(n log n). Pure; returns 0
 * or -ENOMEM (h unchanged). */
int agg_history_judge_members(agg_history_t *h, uint32_t max_base);
/* Appends a revision (copied; report is taken over) to h, which the caller
 * keeps in key order. Returns 0 or -ENOMEM. */
int agg_history_push(agg_history_t *h, const agg_rev_t *rev);
/* Frees what h holds; h may be reused. */
void agg_history_clear(agg_history_t *h);
/* Writes the open ConflictRecord of (campaign, period, unit): the members
 * of h in its order, detected_at; with h NULL deletes it (absent is fine).
 * Returns 0, LNOB_E_INVALID, -ENOMEM or a store error. */
int agg_conflict_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, const agg_history_t *h, int64_t detected_at);
/* True when revision a conflicts with b (THE RULES), resolution aside. */
bool agg_rev_conflicts(const agg_rev_t *a, const agg_rev_t *b);

/* ---- ad-hoc requests (requests.h has the rules; aggstore_requests.c) ---- */

/* Bytes of a requests key: campaign 0x00 id, both ids. */
#define AGG_REQUEST_KEY_MAX 130
/* Stores req under its campaign and id, and bumps metadata_gen
 * (aggstore_metadata.h) in txn. Returns 0, LNOB_E_EXISTS (stored
 * already), LNOB_E_INVALID (an empty or over-long campaign or id) or a
 * store code. */
int agg_request_put(store_t *st, MDB_txn *txn, const Lnob__AdhocRequest *req);
/* Calls fn(ctx, req) for every stored request in key order (a negative
 * return stops the walk and is returned). LNOB_E_CORRUPT for a record that
 * does not parse. */
typedef int (*agg_request_fn)(void *ctx, const Lnob__AdhocRequest *req);
int agg_request_foreach(store_t *st, MDB_txn *txn, agg_request_fn fn, void *ctx);

/* ---- HTTP API tokens (tokens.h has the rules) and the aggregator's own seq - */

/* The token record of id (caller frees), or LNOB_E_NOTFOUND. */
int agg_token_get(store_t *st, MDB_txn *txn, const char *id, Lnob__TokenRecord **ret);
/* Writes the record under rec->id (replacing one). */
int agg_token_put(store_t *st, MDB_txn *txn, const Lnob__TokenRecord *rec);
/* Calls fn(ctx, rec) for every token record in id order. */
typedef int (*agg_token_fn)(void *ctx, const Lnob__TokenRecord *rec);
int agg_token_foreach(store_t *st, MDB_txn *txn, agg_token_fn fn, void *ctx);
/* The next seq of envelopes the aggregator signs itself (nomination stages
 * recorded through the API), persisted in txn (a write transaction): 1, 2,
 * ... Returns 0 or a store error. */
int agg_own_seq_next(store_t *st, MDB_txn *txn, uint64_t *ret);

#endif
