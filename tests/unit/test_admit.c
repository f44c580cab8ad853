/* test_admit.c: envelope admission (admit.h): every refusal reason with
 * its detail and the (signer, seq) it names, the order of the checks, a
 * duplicate acked again after its signer was revoked, a reused seq, and
 * lookups that fail. */
#include "testutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "codec.h"
#include "envelope.h"
#include "identity.h"
#include "lnob_err.h"

#define T_MAX_BODY 100

/* The owner's world: two enrolled signers, "n1" (its key as the test
 * sets it) and "relay" (the node itself, to a relay), and at most one
 * stored envelope. */
typedef struct t_world {
	identity_t n1, relay;
	admit_key_t key;            /* n1's */
	int signer_err;             /* != 0: the signer lookup fails with it */
	const uint8_t *stored;      /* the envelope stored as (n1, stored_seq) */
	size_t stored_len;
	uint64_t stored_seq;
	int stored_err;
	admit_conf_t conf;
} t_world_t;

static int s_signer(void *ctx, const char *id, admit_key_t *ret)
{
	t_world_t *w = ctx;

	if (w->signer_err)
		return w->signer_err;
	if (strcmp(id, "relay") == 0) {
		ret->has_key = true;
		memcpy(ret->sign_pk, w->relay.pub.sign_pk, 32);
		return 0;
	}
	if (strcmp(id, "n1") != 0)
		return LNOB_E_NOTFOUND;
	*ret = w->key;
	return 0;
}

static int s_stored(void *ctx, const char *signer, uint64_t seq, const uint8_t **ret_env,
		    size_t *ret_len)
{
	t_world_t *w = ctx;

	if (w->stored_err)
		return w->stored_err;
	if (!w->stored || strcmp(signer, "n1") != 0 || seq != w->stored_seq)
		return LNOB_E_NOTFOUND;
	*ret_env = w->stored;
	*ret_len = w->stored_len;
	return 0;
}

static void t_world(t_world_t *w, bool with_stored)
{
	memset(w, 0, sizeof(*w));
	assert_int_equal(identity_generate("n1", &w->n1), 0);
	assert_int_equal(identity_generate("relay", &w->relay), 0);
	w->key.has_key = true;
	memcpy(w->key.sign_pk, w->n1.pub.sign_pk, 32);
	w->conf = (admit_conf_t){ .max_body = T_MAX_BODY, .signer = s_signer,
		.stored = with_stored ? s_stored : NULL, .ctx = w };
}

/* A sealed envelope of id: seq, a body of len bytes of c. Caller frees. */
static uint8_t *t_seal(const identity_t *id, uint64_t seq, char c, size_t len, size_t *ret_len)
{
	uint8_t body[4096], *env;

	assert_true(len <= sizeof(body));
	memset(body, c, len);
	assert_int_equal(envelope_seal(id, seq, LNOB__KIND__KIND_REPORT, body, len, &env, ret_len),
			 0);
	return env;
}

/* Admits buf; checks the return, reason, (signer, seq) and that detail
 * (when not NULL) is the verdict's; returns the verdict (its env freed). */
static admit_t t_admit(t_world_t *w, const uint8_t *buf, size_t len, int ret, int reason,
		       const char *signer, uint64_t seq, const char *detail)
{
	admit_t a;

	assert_int_equal(admit_envelope(&w->conf, buf, len, &a), ret);
	assert_int_equal(a.reason, reason);
	assert_string_equal(a.signer, signer);
	assert_int_equal(a.seq, seq);
	if (detail)
		assert_string_equal(a.detail, detail);
	if (reason || ret || a.duplicate)
		assert_null(a.env);
	if (a.env) {
		assert_string_equal(a.env->signer, signer);
		lnob__envelope__free_unpacked(a.env, NULL);
		a.env = NULL;
	}
	return a;
}

/* Decoding: bytes that do not decode name nothing; fields out of range
 * and a body over max_body name (signer, seq); the detail of too_large
 * names the size and the limit, and the place with self_name. */
static void test_decode_refusals(void **state)
{
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
	Lnob__Envelope *env;
	t_world_t w;
	uint8_t *buf, *big;
	size_t len, blen;
	char want[160];

	(void)state;
	t_world(&w, true);
	t_admit(&w, junk, sizeof(junk), 0, LNOB__NACK_REASON__NACK_MALFORMED, "", 0,
		"envelope does not decode");

	/* A signature of the wrong length. */
	buf = t_seal(&w.n1, 4, 'a', 10, &len);
	assert_int_equal(envelope_open(buf, len, T_MAX_BODY, &env), 0);
	env->signature.len = 10;
	free(buf);
	assert_int_equal(codec_pack(&env->base, &buf, &len), 0);
	lnob__envelope__free_unpacked(env, NULL);
	t_admit(&w, buf, len, 0, LNOB__NACK_REASON__NACK_MALFORMED, "n1", 4,
		"envelope fields out of range");
	free(buf);

	/* A body over max_body, said with its size. */
	big = t_seal(&w.n1, 5, 'b', T_MAX_BODY + 1, &blen);
	snprintf(want, sizeof(want), "envelope body of %d bytes is over max_body of %d bytes",
		 T_MAX_BODY + 1, T_MAX_BODY);
	t_admit(&w, big, blen, 0, LNOB__NACK_REASON__NACK_TOO_LARGE, "n1", 5, want);
	w.conf.self_name = "this relay";
	snprintf(want, sizeof(want), "envelope body of %d bytes is over this relay's max_body of "
		 "%d bytes", T_MAX_BODY + 1, T_MAX_BODY);
	t_admit(&w, big, blen, 0, LNOB__NACK_REASON__NACK_TOO_LARGE, "n1", 5, want);
	w.conf.self_name = NULL;
	free(big);

	/* Within max_body, but over it by other (unknown) fields: the whole
	 * envelope is named. */
	buf = t_seal(&w.n1, 6, 'c', 10, &len);
	big = calloc(1, len + 3 + 2000);
	memcpy(big, buf, len);
	big[len] = (15 << 3) | 2;              /* field 15, length-delimited */
	big[len + 1] = 0xd0;                   /* 2000 as a varint */
	big[len + 2] = 0x0f;
	blen = len + 3 + 2000;
	snprintf(want, sizeof(want), "envelope of %zu bytes is over max_body of %d bytes", blen,
		 T_MAX_BODY);
	t_admit(&w, big, blen, 0, LNOB__NACK_REASON__NACK_TOO_LARGE, "n1", 6, want);
	free(big);
	free(buf);
}

/* The signer: this node itself, not enrolled, revoked, without a usable
 * key, a bad signature; each a final refusal with its detail, the place
 * said with self_name. */
static void test_signer_refusals(void **state)
{
	t_world_t w;
	uint8_t *buf, *own;
	size_t len, olen;

	(void)state;
	t_world(&w, false);
	own = t_seal(&w.relay, 1, 'a', 10, &olen);
	t_admit(&w, own, olen, 0, 0, "relay", 1, NULL);   /* no self_id: just a signer */
	w.conf.self_id = "relay";
	w.conf.self_name = "this relay";
	t_admit(&w, own, olen, 0, LNOB__NACK_REASON__NACK_UNKNOWN_SIGNER, "relay", 1,
		"signer is this relay itself");
	free(own);

	w.conf.self_id = NULL;

	{
		identity_t stranger;

		assert_int_equal(identity_generate("stranger", &stranger), 0);
		buf = t_seal(&stranger, 3, 'a', 10, &len);
		t_admit(&w, buf, len, 0, LNOB__NACK_REASON__NACK_UNKNOWN_SIGNER, "stranger", 3,
			"signer is not enrolled at this relay");
		w.conf.self_name = NULL;
		t_admit(&w, buf, len, 0, LNOB__NACK_REASON__NACK_UNKNOWN_SIGNER, "stranger", 3,
			"signer is not enrolled");
		free(buf);
	}

	buf = t_seal(&w.n1, 4, 'a', 10, &len);
	t_admit(&w, buf, len, 0, 0, "n1", 4, NULL);
	w.key.revoked = true;
	t_admit(&w, buf, len, 0, LNOB__NACK_REASON__NACK_REVOKED_SIGNER, "n1", 4,
		"signer's keys are revoked");
	w.conf.self_name = "this relay";
	t_admit(&w, buf, len, 0, LNOB__NACK_REASON__NACK_REVOKED_SIGNER, "n1", 4,
		"signer's keys are revoked at this relay");
	w.conf.self_name = NULL;
	w.key.revoked = false;
	w.key.has_key = false;
	t_admit(&w, buf, len, 0, LNOB__NACK_REASON__NACK_BAD_SIGNATURE, "n1", 4,
		"signature does not verify");
	w.key.has_key = true;
	/* Another node's key enrolled under n1: the signature does not verify. */
	memcpy(w.key.sign_pk, w.relay.pub.sign_pk, 32);
	t_admit(&w, buf, len, 0, LNOB__NACK_REASON__NACK_BAD_SIGNATURE, "n1", 4,
		"signature does not verify");
	/* n1's key as an older key still in its grace (a rotated node): taken. */
	memset(w.key.older_pk[0], 0x55, 32);
	memcpy(w.key.older_pk[1], w.n1.pub.sign_pk, 32);
	w.key.n_older = 2;
	t_admit(&w, buf, len, 0, 0, "n1", 4, NULL);
	w.key.n_older = 1;
	t_admit(&w, buf, len, 0, LNOB__NACK_REASON__NACK_BAD_SIGNATURE, "n1", 4,
		"signature does not verify with the signer's key or a retired key still in "
		"its grace");
	free(buf);
}

/* With a stored lookup: the same (signer, seq) and content is a duplicate,
 * also after revocation and also unsigned by the enrolled key; other
 * content is seq_reused when the signature verifies, refused revoked or
 * bad_signature before that. Without it, the same envelope is admitted
 * again (custody judges it). */
static void test_stored_duplicate_and_seq_reused(void **state)
{
	t_world_t w;
	admit_t a;
	uint8_t *first, *other;
	size_t flen, olen;

	(void)state;
	t_world(&w, true);
	first = t_seal(&w.n1, 7, 'a', 10, &flen);
	other = t_seal(&w.n1, 7, 'b', 10, &olen);
	a = t_admit(&w, first, flen, 0, 0, "n1", 7, NULL);   /* new */
	assert_false(a.duplicate);
	w.stored = first;
	w.stored_len = flen;
	w.stored_seq = 7;
	a = t_admit(&w, first, flen, 0, 0, "n1", 7, NULL);
	assert_true(a.duplicate);
	w.key.revoked = true;
	a = t_admit(&w, first, flen, 0, 0, "n1", 7, NULL);
	assert_true(a.duplicate);   /* re-sending is always safe */
	t_admit(&w, other, olen, 0, LNOB__NACK_REASON__NACK_REVOKED_SIGNER, "n1", 7, NULL);
	w.key.revoked = false;
	t_admit(&w, other, olen, 0, LNOB__NACK_REASON__NACK_SEQ_REUSED, "n1", 7,
		"this (signer, seq) was stored before with other content; quarantined");
	memcpy(w.key.sign_pk, w.relay.pub.sign_pk, 32);
	t_admit(&w, other, olen, 0, LNOB__NACK_REASON__NACK_BAD_SIGNATURE, "n1", 7, NULL);
	/* A stored copy that does not decode is not the same message. */
	memcpy(w.key.sign_pk, w.n1.pub.sign_pk, 32);
	w.stored = (const uint8_t *)"\xff\xff\xff";
	w.stored_len = 3;
	t_admit(&w, first, flen, 0, LNOB__NACK_REASON__NACK_SEQ_REUSED, "n1", 7, NULL);

	/* No stored lookup: admitted each time. */
	w.conf.stored = NULL;
	a = t_admit(&w, first, flen, 0, 0, "n1", 7, NULL);
	assert_false(a.duplicate);
	free(first);
	free(other);
}

/* A lookup that fails comes back as its code, the envelope named, no
 * verdict. */
static void test_lookup_errors(void **state)
{
	t_world_t w;
	uint8_t *buf;
	size_t len;

	(void)state;
	t_world(&w, true);
	buf = t_seal(&w.n1, 9, 'a', 10, &len);
	w.signer_err = -EIO;
	t_admit(&w, buf, len, -EIO, 0, "n1", 9, "");
	w.signer_err = 0;
	w.stored_err = LNOB_E_CORRUPT;
	t_admit(&w, buf, len, LNOB_E_CORRUPT, 0, "n1", 9, "");
	free(buf);
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(admit_reason_name(LNOB__NACK_REASON__NACK_MALFORMED), "malformed");
	assert_string_equal(admit_reason_name(LNOB__NACK_REASON__NACK_BAD_SIGNATURE),
			    "bad_signature");
	assert_string_equal(admit_reason_name(LNOB__NACK_REASON__NACK_WRONG_LEVEL), "wrong_level");
	assert_string_equal(admit_reason_name(-1), "unknown");
	assert_string_equal(admit_reason_name(LNOB__NACK_REASON__NACK_NOT_REQUESTED), "not_requested");
	assert_string_equal(admit_reason_name(LNOB__NACK_REASON__NACK_NOT_IN_PERIOD_HIERARCHY),
			    "not_in_period_hierarchy");
	assert_string_equal(admit_reason_name(LNOB__NACK_REASON__NACK_NOT_IN_PERIOD_HIERARCHY + 1),
			    "unknown");
	/* Every reason of the proto has a name of its own. */
	for (unsigned i = 0; i < lnob__nack_reason__descriptor.n_values; i++) {
		const ProtobufCEnumValue *v = &lnob__nack_reason__descriptor.values[i];
		char want[64];
		size_t j;

		for (j = 0; v->name[5 + j] && j < sizeof(want) - 1; j++)
			want[j] = (char)tolower((unsigned char)v->name[5 + j]);
		want[j] = '\0';
		assert_string_equal(admit_reason_name(v->value), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_refusals),
		cmocka_unit_test(test_signer_refusals),
		cmocka_unit_test(test_stored_duplicate_and_seq_reused),
		cmocka_unit_test(test_lookup_errors),
		cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
