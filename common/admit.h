/*
 * admit.h: envelope admission, the first judgement of every envelope a
 * receiver takes (the aggregator's ingest, a relay's custody), written
 * once: decode, body size, signer, revocation, signature, and the NACK
 * reason and detail of a refusal.
 *
 * admit_envelope() judges, in this order:
 *  1. the bytes decode as an Envelope of the right shape (envelope_open()
 *     with max_body): else NACK_TOO_LARGE (the body, or the whole
 *     envelope, over max_body; the detail names the size and the limit)
 *     or NACK_MALFORMED, naming (signer, seq) when envelope_peek() reads
 *     them, so that the sender can park it;
 *  2. the signer is not this node itself (self_id, when set): else
 *     NACK_UNKNOWN_SIGNER (a relay takes none of its own envelopes);
 *  3. the signer is enrolled (the owner's `signer` lookup): else
 *     NACK_UNKNOWN_SIGNER;
 *  4. with a `stored` lookup (an owner that keeps what it took, keyed by
 *     (signer, seq) forever): the same (signer, seq) stored before with
 *     the same kind and body is a duplicate, acked again and stored
 *     again never, also after its signer was revoked (re-sending is
 *     always safe);
 *  5. the signer is not revoked: else NACK_REVOKED_SIGNER;
 *  6. the signature verifies with the enrolled key, or with one of the
 *     signer's retired keys still in its grace (a rotated node's
 *     envelopes signed before the rotation): else NACK_BAD_SIGNATURE;
 *  7. with a `stored` lookup: the same (signer, seq) stored before with
 *     other content is NACK_SEQ_REUSED (the owner quarantines it; the
 *     first copy stays).
 * Every refusal here is final (not retryable): the sender parks it.
 *
 * Details name the place with self_name when set ("signer is not enrolled
 * at this relay", "... over this relay's max_body of 65536 bytes").
 *
 * Library module: no logging, no store of its own; the lookups are the
 * owner's.
 */
#ifndef LNOB_ADMIT_H
#define LNOB_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "lnob.pb-c.h"

/* Most older signing keys of a signer admission tries. */
#define ADMIT_OLDER_MAX LNOB_OLDER_KEYS_MAX

/* What admission needs to know of an enrolled signer. */
typedef struct admit_key {
	bool revoked;
	bool has_key;            /* false: no usable signing key (nothing verifies) */
	uint8_t sign_pk[32];     /* Ed25519 public key, when has_key */
	size_t n_older;          /* retired keys still in their grace (keydir.h) */
	uint8_t older_pk[ADMIT_OLDER_MAX][32];
} admit_key_t;

/* The owner's signer lookup: 0 with *ret filled, LNOB_E_NOTFOUND when no
 * node is enrolled under id, or another negative code (the store could
 * not be read). */
typedef int (*admit_signer_fn)(void *ctx, const char *id, admit_key_t *ret);

/* The owner's stored envelope for (signer, seq): 0 with its serialized
 * bytes in *ret_env and *ret_len (borrowed until the owner's store moves
 * on: the length of the call is enough), LNOB_E_NOTFOUND, or another
 * negative code. */
typedef int (*admit_stored_fn)(void *ctx, const char *signer, uint64_t seq,
			       const uint8_t **ret_env, size_t *ret_len);

/* A signature checked ahead of admission (admit_preverify()), possibly
 * in another thread: admit_envelope() takes its result instead of
 * verifying again only when the signer's key it looks up then is the
 * same as the one checked here (a key revoked, rotated or out of its
 * grace meanwhile is judged afresh). */
typedef struct admit_pre {
	bool done;               /* the signature was checked against key */
	bool ok;                 /* and it verified with one of key's keys */
	admit_key_t key;
	/* The `stored` lookup found (signer, seq) stored with the same content
	 * (never checked, done false). An owner whose store never forgets an
	 * envelope (the aggregator's log) may ack it as a duplicate at once,
	 * without admit_envelope(). */
	bool duplicate;
	char signer[LNOB_ID_MAX + 1];   /* when duplicate */
	uint64_t seq;                   /* when duplicate */
} admit_pre_t;

typedef struct admit_conf {
	size_t max_body;           /* the largest body taken, in bytes */
	const char *self_id;       /* NULL, or this node's id: refused as a signer */
	const char *self_name;     /* NULL, or how details name this node ("this relay") */
	admit_signer_fn signer;    /* required */
	admit_stored_fn stored;    /* NULL: nothing stored to judge (signer, seq) against */
	void *ctx;                 /* for the lookups */
	const admit_pre_t *pre;    /* NULL, or this envelope's admit_preverify() */
} admit_conf_t;

/* The verdict on one envelope. */
typedef struct admit {
	int reason;                        /* 0: admitted (or a duplicate); else a NackReason */
	bool duplicate;                    /* reason 0: stored before, same content: ack again */
	char signer[LNOB_ID_MAX + 1];      /* "" when the bytes do not name one */
	uint64_t seq;                      /* 0 when the bytes do not name one */
	char detail[256];                  /* a refusal: why, for the sender */
	Lnob__Envelope *env;               /* admitted and not a duplicate: the decoded
					      envelope (caller frees it with
					      lnob__envelope__free_unpacked()); else NULL */
} admit_t;

/* Judges the serialized envelope buf[0..len-1] (len already bounded by
 * the transport) as above; writes the verdict to *ret. Returns 0, or the
 * negative code of a lookup that failed (then ret->signer and ret->seq
 * name the envelope, ret->reason is 0 and ret->env NULL: the owner
 * decides, e.g. a retryable NACK_STORE_FAILED). */
int admit_envelope(const admit_conf_t *conf, const uint8_t *buf, size_t len, admit_t *ret);

/* The signature check of admit_envelope() step 6, ahead of it: decodes
 * buf as step 1 does, looks the signer up (step 3) and, with a `stored`
 * lookup, the stored copy (step 4), and checks the signature only when
 * admission would (the signer enrolled and not revoked, the envelope not
 * a duplicate: a duplicate is never verified). *ret gets done = true with
 * the key checked and the result; or duplicate = true, with the signer
 * and seq, when it is one; or neither when there was nothing to check or
 * a lookup failed (admission then does it all itself).
 * Writes nothing else; safe in several threads at once when the lookups
 * are (libsodium after sodium_init()). */
void admit_preverify(const admit_conf_t *conf, const uint8_t *buf, size_t len,
		     admit_pre_t *ret);

/* The NackReason's name as counters and logs spell it ("bad_signature"),
 * static storage; "unknown" for a value out of range. */
const char *admit_reason_name(int reason);

#endif
