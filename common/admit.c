/* admit.c: envelope admission (see admit.h). */
#include "admit.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "lnob_err.h"
#include "util.h"

static const char *const s_reasons[] = {
	"unspecified", "malformed", "unknown_signer", "revoked_signer", "bad_signature",
	"out_of_scope", "too_large", "seq_reused", "unknown_kind", "unknown_unit",
	"invalid", "store_failed", "unknown_campaign", "unknown_indicator",
	"unknown_nomination", "bad_stage", "wrong_level", "not_requested",
	"not_in_period_hierarchy",
};

const char *admit_reason_name(int reason)
{
	if (reason < 0 || (size_t)reason >= sizeof(s_reasons) / sizeof(s_reasons[0]))
		return "unknown";
	return s_reasons[reason];
}

/* Refuses: reason and detail into *a (printf-style). */
static void s_refuse(admit_t *a, int reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void s_refuse(admit_t *a, int reason, const char *fmt, ...)
{
	va_list ap;

	a->reason = reason;
	va_start(ap, fmt);
	vsnprintf(a->detail, sizeof(a->detail), fmt, ap);
	va_end(ap);
}

/* " at <self_name>" or "". */
static void s_at(const admit_conf_t *conf, char *out, size_t len)
{
	if (conf->self_name)
		snprintf(out, len, " at %s", conf->self_name);
	else
		out[0] = '\0';
}

/* envelope_open() refused buf with r: names (signer, seq) if the bytes
 * read that far, and says why (TOO_LARGE with the sizes, or MALFORMED). */
static void s_undecoded(const admit_conf_t *conf, const uint8_t *buf, size_t len, int r,
			admit_t *a)
{
	char whose[80] = "";
	ProtobufCMessage *m;

	(void)envelope_peek(buf, len, a->signer, sizeof(a->signer), &a->seq);
	if (r != LNOB_E_TOOBIG) {
		s_refuse(a, LNOB__NACK_REASON__NACK_MALFORMED, "%s",
			 r == LNOB_E_INVALID ? "envelope fields out of range"
					     : "envelope does not decode");
		return;
	}
	if (conf->self_name)
		snprintf(whose, sizeof(whose), "%s's ", conf->self_name);
	/* Decoded whole (len is bounded by the transport) to name the body's
	 * size; an envelope over the limit only by other fields names its own. */
	if (codec_unpack(&lnob__envelope__descriptor, buf, len, len, &m) == 0) {
		size_t body = ((Lnob__Envelope *)m)->body.len;

		protobuf_c_message_free_unpacked(m, NULL);
		if (body > conf->max_body) {
			s_refuse(a, LNOB__NACK_REASON__NACK_TOO_LARGE, "envelope body of %zu bytes "
				 "is over %smax_body of %zu bytes", body, whose, conf->max_body);
			return;
		}
	}
	s_refuse(a, LNOB__NACK_REASON__NACK_TOO_LARGE, "envelope of %zu bytes is over %smax_body "
		 "of %zu bytes", len, whose, conf->max_body);
}

/* Is the stored envelope buf[0..len-1] the same message as env (kind and
 * body), received as raw[0..rlen-1]? The same bytes are, without decoding
 * them; a stored copy that does not decode is not. */
static bool s_same(const uint8_t *buf, size_t len, const Lnob__Envelope *env,
		   const uint8_t *raw, size_t rlen)
{
	Lnob__Envelope *first = NULL;
	bool same = false;

	if (len == rlen && memcmp(buf, raw, len) == 0)
		return true;
	if (envelope_open(buf, len, SIZE_MAX / 2, &first) == 0) {
		same = first->kind == env->kind && first->body.len == env->body.len &&
		       (env->body.len == 0 ||
			memcmp(first->body.data, env->body.data, env->body.len) == 0);
		lnob__envelope__free_unpacked(first, NULL);
	}
	return same;
}

/* Whether env's signature verifies with key's signing key or one of its
 * older ones. */
static bool s_verifies(const Lnob__Envelope *env, const admit_key_t *key)
{
	if (key->has_key && envelope_verify(env, key->sign_pk) == 0)
		return true;
	for (size_t i = 0; i < key->n_older && i < ADMIT_OLDER_MAX; i++)
		if (envelope_verify(env, key->older_pk[i]) == 0)
			return true;
	return false;
}

/* Whether a and b are the same signer's key record as admission sees it. */
static bool s_key_same(const admit_key_t *a, const admit_key_t *b)
{
	if (a->revoked != b->revoked || a->has_key != b->has_key || a->n_older != b->n_older ||
	    (a->has_key && memcmp(a->sign_pk, b->sign_pk, sizeof(a->sign_pk)) != 0))
		return false;
	for (size_t i = 0; i < a->n_older && i < ADMIT_OLDER_MAX; i++)
		if (memcmp(a->older_pk[i], b->older_pk[i], sizeof(a->older_pk[i])) != 0)
			return false;
	return true;
}

/* s_verifies(), or the check made ahead (conf->pre) when it was made with
 * the same key. */
static bool s_verified(const admit_conf_t *conf, const Lnob__Envelope *env,
		       const admit_key_t *key)
{
	if (conf->pre && conf->pre->done && s_key_same(&conf->pre->key, key))
		return conf->pre->ok;
	return s_verifies(env, key);
}

/* Steps 2 to 7 of admit.h on the decoded env. Returns 0 with the verdict
 * in *a, or a lookup's negative code. */
static int s_judge(const admit_conf_t *conf, const Lnob__Envelope *env, const uint8_t *raw,
		   size_t rlen, admit_t *a)
{
	admit_key_t key;
	const uint8_t *prev = NULL;
	size_t plen = 0;
	char at[80];
	int r;

	s_at(conf, at, sizeof(at));
	if (conf->self_id && strcmp(env->signer, conf->self_id) == 0) {
		s_refuse(a, LNOB__NACK_REASON__NACK_UNKNOWN_SIGNER, "signer is %s itself",
			 conf->self_name ? conf->self_name : "this node");
		return 0;
	}
	memset(&key, 0, sizeof(key));
	r = conf->signer(conf->ctx, env->signer, &key);
	if (r == LNOB_E_NOTFOUND) {
		s_refuse(a, LNOB__NACK_REASON__NACK_UNKNOWN_SIGNER, "signer is not enrolled%s", at);
		return 0;
	}
	if (r < 0)
		return r;
	if (conf->stored && (r = conf->stored(conf->ctx, env->signer, env->seq, &prev, &plen)) < 0 &&
	    r != LNOB_E_NOTFOUND)
		return r;
	if (prev && s_same(prev, plen, env, raw, rlen)) {
		/* Re-sending is always safe: acked again, revoked signer or not. */
		a->duplicate = true;
		return 0;
	}
	if (key.revoked)
		s_refuse(a, LNOB__NACK_REASON__NACK_REVOKED_SIGNER, "signer's keys are revoked%s", at);
	else if (!s_verified(conf, env, &key))
		s_refuse(a, LNOB__NACK_REASON__NACK_BAD_SIGNATURE, "signature does not verify%s",
			 key.n_older ? " with the signer's key or a retired key still in its grace"
			 : "");
	else if (prev)
		s_refuse(a, LNOB__NACK_REASON__NACK_SEQ_REUSED, "this (signer, seq) was stored "
			 "before with other content; quarantined");
	return 0;
}

int admit_envelope(const admit_conf_t *conf, const uint8_t *buf, size_t len, admit_t *ret)
{
	Lnob__Envelope *env = NULL;
	int r;

	assert(conf && conf->signer && ret);
	memset(ret, 0, sizeof(*ret));
	r = envelope_open(buf, len, conf->max_body, &env);
	if (r < 0) {
		s_undecoded(conf, buf, len, r, ret);
		return 0;
	}
	lnob_strlcpy(ret->signer, env->signer, sizeof(ret->signer));
	ret->seq = env->seq;
	r = s_judge(conf, env, buf, len, ret);
	if (r == 0 && ret->reason == 0 && !ret->duplicate)
		ret->env = env;
	else
		lnob__envelope__free_unpacked(env, NULL);
	return r;
}

void admit_preverify(const admit_conf_t *conf, const uint8_t *buf, size_t len,
		     admit_pre_t *ret)
{
	Lnob__Envelope *env = NULL;
	const uint8_t *prev = NULL;
	size_t plen = 0;
	admit_key_t key;
	int r;

	assert(conf && conf->signer && ret);
	memset(ret, 0, sizeof(*ret));
	if (envelope_open(buf, len, conf->max_body, &env) < 0)
		return;
	/* The stored copy first: a duplicate needs no more (never checked). */
	r = conf->stored ? conf->stored(conf->ctx, env->signer, env->seq, &prev, &plen) : 0;
	if (r == LNOB_E_NOTFOUND)
		r = 0;
	memset(&key, 0, sizeof(key));
	if (r == 0 && prev && s_same(prev, plen, env, buf, len)) {
		ret->duplicate = true;
		lnob_strlcpy(ret->signer, env->signer, sizeof(ret->signer));
		ret->seq = env->seq;
	} else if (r == 0) {
		if (conf->self_id && strcmp(env->signer, conf->self_id) == 0)
			r = LNOB_E_NOTFOUND;
		else
			r = conf->signer(conf->ctx, env->signer, &key);
		if (r == 0 && !key.revoked) {
			ret->key = key;
			ret->ok = s_verifies(env, &key);
			ret->done = true;
		}
	}
	lnob__envelope__free_unpacked(env, NULL);
}
