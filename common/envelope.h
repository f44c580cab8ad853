/*
 * envelope.h: building, signing, decoding and verifying Envelopes.
 * The signed bytes are specified in proto/lnob.proto; this is the one
 * implementation of that rule in lnob.
 */
#ifndef LNOB_ENVELOPE_H
#define LNOB_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "lnob.pb-c.h"

#define ENVELOPE_TAG "LNOB-ENVELOPE-V1"   /* followed by one 0x00 byte */
#define ENVELOPE_TAG_LEN 17
#define ENVELOPE_SIG_LEN 64

/* Builds the exact bytes the signature covers. Caller owns *ret_buf (free()).
 * Returns 0, -ENOMEM or LNOB_E_TOOBIG (signer or body over 2^32-1). */
int envelope_signed_bytes(const char *signer, uint64_t seq, uint32_t kind,
			  const uint8_t *body, size_t body_len,
			  uint8_t **ret_buf, size_t *ret_len);

/* Signs body as (id->pub.node_id, seq, kind) and returns the serialized
 * Envelope in *ret_buf (caller owns, free()). Returns 0 or a negative code;
 * seq must be >= 1. */
int envelope_seal(const identity_t *id, uint64_t seq, uint32_t kind,
		  const uint8_t *body, size_t body_len,
		  uint8_t **ret_buf, size_t *ret_len);

/* Decodes a serialized Envelope and checks its shape: signer a valid id,
 * seq >= 1, a 64-byte signature, body at most max_body bytes. Does not
 * verify the signature. Caller frees *ret with lnob__envelope__free_unpacked.
 * Returns 0, LNOB_E_DECODE, LNOB_E_INVALID or LNOB_E_TOOBIG. */
int envelope_open(const uint8_t *buf, size_t len, size_t max_body,
		  Lnob__Envelope **ret);

/* Best effort for an envelope envelope_open refused: if buf decodes at
 * all and names a valid signer and a seq >= 1, copies them out so a NACK
 * can name the message the sender must park. Returns 0 or LNOB_E_DECODE.
 * The decode is bounded by len, which the transport has already capped. */
int envelope_peek(const uint8_t *buf, size_t len, char *signer, size_t signer_size,
		  uint64_t *seq);

/* Verifies env's signature against the signer's Ed25519 public key.
 * Returns 0 or LNOB_E_BADSIG. */
int envelope_verify(const Lnob__Envelope *env, const uint8_t sign_pk[32]);

#endif
