/*
 * ingest.h: verifying and storing a batch of envelopes in one LMDB write
 * transaction, updating the materialised rollups in that same transaction.
 * No sockets here: the daemon feeds batches in and sends the verdicts out,
 * acks only after ingest_batch() has returned (the commit happened).
 *
 * Threads: ingest_batch() and ingest_save_counters() run in the one
 * writer thread, which owns ingest_ctx_t; ingest_preverify() may run in
 * any thread at once, on items of a batch the writer does not hold then
 * (server.h, vpool.h), reading only the store and the item.
 */
#ifndef LNOB_INGEST_H
#define LNOB_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aggstore.h"
#include "campaigns.h"
#include "hierarchy.h"
#include "admit.h"
#include "identity.h"
#include "rollacc.h"

enum ingest_verdict {
	INGEST_ACK = 1,     /* stored now, or stored before with the same content */
	INGEST_NACK,        /* refused: reason, detail, retryable */
};

/* One envelope of a batch. The caller fills env/len/peer; ingest_batch()
 * fills the rest. env must stay valid during the call. */
typedef struct ingest_item {
	const uint8_t *env;
	size_t len;
	const char *peer;                 /* node that delivered it (ZAP user id) */
	enum ingest_verdict verdict;
	int reason;                       /* Lnob__NackReason when NACK */
	bool retryable;
	bool duplicate;                   /* ACK of something stored before */
	char signer[LNOB_ID_MAX + 1];     /* "" when the envelope did not decode */
	uint64_t seq;
	char detail[256];                 /* NACK: why, for the sender */
	bool conflict;                    /* ACK: this revision opened or joined a
	                                     revision conflict (note says which) */
	bool resolved;                    /* ACK: this revision closed its unit's
	                                     open conflict (note says which) */
	bool amended;                     /* ACK: held as an amendment of an
	                                     approval, not applied (approval.h;
	                                     note says which) */
	char note[256];                   /* for the operator's log, or "" */
	/* The signature checked ahead by ingest_preverify(), or all zero
	 * (the caller zeroes the item): ingest_batch() then verifies it. */
	admit_pre_t pre;
} ingest_item_t;

typedef struct ingest_ctx {
	store_t *st;
	const hier_t *hier;
	size_t max_body;
	/* The configured campaigns (borrowed; NULL or none: any campaign,
	 * period and indicator). With at least one, a report must name a
	 * configured campaign and one of its periods (else
	 * NACK_UNKNOWN_CAMPAIGN), and carry only indicators the campaign
	 * defines as reported, counts or amounts (else NACK_UNKNOWN_INDICATOR:
	 * sums and rates are derived, never reported), each of them one its
	 * unit's level reports (else NACK_WRONG_LEVEL; campaign_check_levels()). */
	const campaigns_t *campaigns;
	uint64_t counters[AGG_C_COUNT];   /* running totals, persisted each commit */
	rollacc_t *rollups;               /* ingest_batch()'s own during the call (its
	                                     rollups, written once per key at the
	                                     batch's end: rollacc.h); NULL between */
	/* Set by the caller before a batch: a batch that writes nothing but
	 * counters (only duplicates and refusals) is then not committed at
	 * all (no fsync): its counts stay in counters, counters_unsaved set,
	 * until the next batch that commits or ingest_save_counters(). The
	 * server sets it while more envelopes wait (a duplicate storm), so
	 * that a lone duplicate is still counted in the store before its ack.
	 * Nothing acked depends on such a batch: a duplicate's ack promises
	 * only what an earlier commit made durable. */
	bool lazy_counters;
	bool counters_unsaved;            /* counters hold counts not yet persisted */
} ingest_ctx_t;

/* Processes items[0..n-1] in one write transaction and commits it, the
 * counters included (with ctx->lazy_counters, a batch that wrote nothing
 * but counters is aborted instead: see there). On return every item has
 * a verdict. When the
 * transaction cannot be written or committed (LNOB_E_FULL, I/O error),
 * nothing of the batch is stored (envelopes, latest, revisions, rollups,
 * quarantine and counters share the one aborted transaction), the counters
 * are as before the call plus the batch's rejections and one
 * AGG_C_STORE_FAILED, and every item that is not a rejection becomes a
 * retryable NACK_STORE_FAILED naming its (signer, seq) when the envelope
 * decodes that far; the store code is returned (LNOB_E_FULL unchanged, so
 * the caller can grow the map and call again with the same items).
 * Returns 0 when the batch committed.
 *
 * Every accepted report is added to its unit's revision history (unless an
 * approval covers its unit: then it waits in the amendment queue, see
 * approval.h, and the item is marked amended); the unit's LatestRecord,
 * open ConflictRecord and (when the current revision changed) the rollups
 * along the path to the root follow in the same transaction (apply.h, by
 * THE RULES of aggstore.h).
 *
 * The checks of an envelope, which write nothing (admission: decode,
 * signer, revoked, signature, seq; the kind; a report's validity,
 * campaign, unit and scope), run in the batch's transaction itself, so a
 * refused envelope costs no transaction of its own (a flood of bad
 * signatures costs their verification and little more). What an envelope
 * writes (its records, or a reused seq's quarantine) runs in a
 * transaction nested in the batch's: a failure of the store itself
 * (store_is_transient(): the map full, I/O; or the nested transaction
 * failing) dooms the batch as below; any other failure applying one
 * envelope (a sum that would exceed 10^15, a stored record that does not
 * add up) undoes that envelope alone and refuses it NACK_INVALID naming
 * the unit and indicator, so no envelope can stop the daemon or poison
 * its batch.
 * Every NACK is counted under rejected_<reason>, seq_reused included; a
 * batch that cannot be written counts each envelope it answers
 * STORE_FAILED under rejected_store_failed and the batch under
 * store_failed.
 * A nomination or a stage (KIND_NOMINATION, KIND_STAGE) is checked and
 * stored by nominations_apply() (nominations.h) in that transaction too.
 *
 * Fault points (fault.h): "agg.mid_batch" once per call, before the next
 * envelope after the first one that wrote something (so only in batches
 * of 2 or more); "agg.before_commit" just before the commit;
 * "agg.after_commit" after a successful commit, before the caller can ack
 * (neither fires for a batch not committed under lazy_counters). */
int ingest_batch(ingest_ctx_t *ctx, ingest_item_t *items, size_t n);

/* The Ed25519 checks of items[0..n-1]'s envelopes ahead of
 * ingest_batch(), each into its item's pre (admit_preverify(): decode,
 * signer and stored copy looked up in one read transaction of its own,
 * store_begin_shared(), a signer's key looked up once for a run of its
 * envelopes; a duplicate or a revoked signer is not checked). Reads each
 * item's env and len and the store, writes each item's pre alone: safe
 * in any thread, for distinct items at once,
 * beside the writer's ingest_batch() of another batch (the server's
 * verification pool, vpool.h). ingest_batch() takes the result only when
 * the signer's key it looks up in its own transaction is unchanged, so a
 * key revoked or rotated meanwhile is honoured; an envelope stored
 * meanwhile (a duplicate of the batch before) is acked as a duplicate
 * whatever the check said. One found stored already with the same
 * content (it->pre.duplicate) is acked as a duplicate by ingest_batch()
 * at once, judged no further: the envelope log never forgets. */
void ingest_preverify(store_t *st, size_t max_body, ingest_item_t *items, size_t n);

/* Persists ctx->counters alone (for counts that change outside batches,
 * and those of batches that were not committed); clears
 * ctx->counters_unsaved when it committed. */
int ingest_save_counters(ingest_ctx_t *ctx);

#endif
