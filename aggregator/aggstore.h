/*
 * aggstore.h: the aggregator's LMDB store: its named databases, key
 * layouts, enrolled nodes and persisted counters.
 *
 * Databases (keys are byte strings; "\0" separates text parts, numbers are
 * big-endian):
 *   envelopes   signer \0 seq(8)                      -> serialized Envelope (immutable log)
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
 *
 * The history (revisions) holds every accepted revision of a report with
 * what judging it needs (RevisionRecord: arrival time, base revision,
 * completion time, the digest of its meaning), so that a new revision is
 * judged without reading any envelope; revision_bases indexes the same
 * entries by base revision. Keys sort by revision, then signer (byte
 * order, as strcmp), then seq: the order of agg_history_load(). The
 * revision's content is its envelope in `envelopes`. Schema 2 (lnob 0.2)
 * changed the revisions values and the rollups (per-indicator carrier
 * counts) and added revision_bases; a schema 1 store is refused.
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
#include "lnob.pb-c.h"
#include "store.h"
#include "sums.h"

#define AGG_SCHEMA "lnob-aggregator"
#define AGG_SCHEMA_VERSION 2

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
	AGG_C_REJECTED_LAST = AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_WRONG_LEVEL,
	AGG_C_AMENDED,            /* stored reports held as amendments of an
	                             approval (approval.h), also in `stored` */
	AGG_C_COUNT
};

/* Name of counter c ("stored", "rejected_bad_signature" ...), static. */
const char *agg_counter_name(int c);
/* Lower-case NackReason name without the prefix ("bad_signature"), static. */
const char *agg_reason_name(int reason);

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

/* Reads the materialised rollup for (campaign, period, unit). An absent
 * rollup gives an empty record. Caller frees *ret. */
int agg_rollup_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, Lnob__RollupRecord **ret);

/* Writes the rollup of (campaign, period, unit): the sums s (with their
 * carrier counts) and units_reported. Returns 0, LNOB_E_INVALID (parts too
 * long), -ENOMEM or a store error. */
int agg_rollup_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, const sums_t *s, uint32_t units_reported);

/* Reads the LatestRecord / open ConflictRecord of (campaign, period,
 * unit). Caller frees *ret. Returns 0, LNOB_E_NOTFOUND, LNOB_E_CORRUPT or a
 * store error. */
int agg_latest_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, Lnob__LatestRecord **ret);
int agg_conflict_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, Lnob__ConflictRecord **ret);
/* Writes the LatestRecord of (campaign, period, unit). Returns 0,
 * LNOB_E_INVALID, -ENOMEM or a store error. */
int agg_latest_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, const Lnob__LatestRecord *rec);

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
/* Writes one revision into the history (RevisionRecord and the base
 * index). Returns 0, LNOB_E_INVALID (parts too long) or a store error. */
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

#endif
