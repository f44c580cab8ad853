/* envelope.c: the signed-bytes rule, sealing, opening and verifying
 * Envelopes (see envelope.h and proto/lnob.proto). */
#include "envelope.h"

#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "util.h"

int envelope_signed_bytes(const char *signer, uint64_t seq, uint32_t kind,
			  const uint8_t *body, size_t body_len,
			  uint8_t **ret_buf, size_t *ret_len)
{
	size_t slen = strlen(signer);
	size_t n, off = 0;
	uint8_t *buf;

	if (slen > UINT32_MAX || body_len > UINT32_MAX)
		return LNOB_E_TOOBIG;
	n = ENVELOPE_TAG_LEN + 4 + slen + 8 + 4 + 4 + body_len;
	buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, ENVELOPE_TAG, ENVELOPE_TAG_LEN);   /* includes the NUL */
	off = ENVELOPE_TAG_LEN;
	lnob_be32_put(buf + off, (uint32_t)slen);
	off += 4;
	/* length-prefixed bytes, not a C string */
	memcpy(buf + off, signer, slen); /* NOLINT(bugprone-not-null-terminated-result) */
	off += slen;
	lnob_be64_put(buf + off, seq);
	off += 8;
	lnob_be32_put(buf + off, kind);
	off += 4;
	lnob_be32_put(buf + off, (uint32_t)body_len);
	off += 4;
	if (body_len)
		memcpy(buf + off, body, body_len);
	off += body_len;
	assert(off == n);
	*ret_buf = buf;
	*ret_len = n;
	return 0;
}

int envelope_seal(const identity_t *id, uint64_t seq, uint32_t kind,
		  const uint8_t *body, size_t body_len,
		  uint8_t **ret_buf, size_t *ret_len)
{
	Lnob__Envelope env = LNOB__ENVELOPE__INIT;
	uint8_t sig[ENVELOPE_SIG_LEN];
	uint8_t *msg;
	size_t mlen;
	int r;

	if (seq == 0)
		return LNOB_E_INVALID;
	r = envelope_signed_bytes(id->pub.node_id, seq, kind, body, body_len, &msg, &mlen);
	if (r < 0)
		return r;
	r = crypto_sign_ed25519_detached(sig, NULL, msg, mlen, id->sign_sk);
	free(msg);
	if (r != 0)
		return LNOB_E_CRYPTO;
	env.signer = (char *)id->pub.node_id;
	env.seq = seq;
	env.kind = (Lnob__Kind)kind;
	env.body.data = (uint8_t *)body;
	env.body.len = body_len;
	env.signature.data = sig;
	env.signature.len = sizeof(sig);
	return codec_pack(&env.base, ret_buf, ret_len);
}

int envelope_open(const uint8_t *buf, size_t len, size_t max_body,
		  Lnob__Envelope **ret)
{
	ProtobufCMessage *m;
	Lnob__Envelope *env;
	/* Room for the envelope's own fields around the body. */
	int r = codec_unpack(&lnob__envelope__descriptor, buf, len, max_body + 1024, &m);

	if (r < 0)
		return r;
	env = (Lnob__Envelope *)m;
	if (env->body.len > max_body)
		r = LNOB_E_TOOBIG;
	else if (!lnob_valid_id(env->signer) || env->seq == 0 ||
		 env->signature.len != ENVELOPE_SIG_LEN)
		r = LNOB_E_INVALID;
	if (r < 0) {
		lnob__envelope__free_unpacked(env, NULL);
		return r;
	}
	*ret = env;
	return 0;
}

int envelope_peek(const uint8_t *buf, size_t len, char *signer, size_t signer_size,
		  uint64_t *seq)
{
	Lnob__Envelope *env = lnob__envelope__unpack(NULL, len, buf);
	int r = LNOB_E_DECODE;

	if (!env)
		return r;
	if (lnob_valid_id(env->signer) && env->seq >= 1 &&
	    strlen(env->signer) < signer_size) {
		memcpy(signer, env->signer, strlen(env->signer) + 1);
		*seq = env->seq;
		r = 0;
	}
	lnob__envelope__free_unpacked(env, NULL);
	return r;
}

int envelope_verify(const Lnob__Envelope *env, const uint8_t sign_pk[32])
{
	uint8_t *msg;
	size_t mlen;
	int r;

	if (env->signature.len != ENVELOPE_SIG_LEN)
		return LNOB_E_BADSIG;
	r = envelope_signed_bytes(env->signer, env->seq, (uint32_t)env->kind,
				  env->body.data, env->body.len, &msg, &mlen);
	if (r < 0)
		return r;
	r = crypto_sign_ed25519_verify_detached(env->signature.data, msg, mlen, sign_pk);
	free(msg);
	return r == 0 ? 0 : LNOB_E_BADSIG;
}
