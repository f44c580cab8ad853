/* test_envelope.c: the signed-bytes rule, sign/verify round trip, and that a
 * flipped bit anywhere the signature covers fails verification. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "lnob_err.h"
#include "util.h"

static identity_t s_id;

static int s_setup(void **state)
{
	(void)state;
	return identity_generate("c-001", &s_id);
}

/* The worked example documented in proto/lnob.proto. */
static void test_signed_bytes_example(void **state)
{
	const uint8_t body[] = { 0x0a, 0x01, 0x41 };
	const char *want = "4c4e4f422d454e56454c4f50452d563100" "00000002" "6331"
			   "0000000000000001" "00000001" "00000003" "0a0141";
	uint8_t *buf;
	size_t len;
	char hex[256];

	(void)state;
	assert_int_equal(envelope_signed_bytes("c1", 1, 1, body, 3, &buf, &len), 0);
	assert_int_equal(len, 42);
	assert_string_equal(lnob_hex(hex, buf, len), want);
	free(buf);
}

static Lnob__Envelope *s_seal_open(uint64_t seq, uint32_t kind, const char *body)
{
	uint8_t *buf;
	size_t len;
	Lnob__Envelope *env = NULL;

	assert_int_equal(envelope_seal(&s_id, seq, kind, (const uint8_t *)body, strlen(body),
				       &buf, &len), 0);
	assert_int_equal(envelope_open(buf, len, 65536, &env), 0);
	free(buf);
	return env;
}

static void test_round_trip(void **state)
{
	Lnob__Envelope *env = s_seal_open(42, LNOB__KIND__KIND_REPORT, "hello report");

	(void)state;
	assert_string_equal(env->signer, "c-001");
	assert_int_equal(env->seq, 42);
	assert_int_equal(env->kind, LNOB__KIND__KIND_REPORT);
	assert_int_equal(env->body.len, 12);
	assert_memory_equal(env->body.data, "hello report", 12);
	assert_int_equal(envelope_verify(env, s_id.pub.sign_pk), 0);
	lnob__envelope__free_unpacked(env, NULL);
}

static void test_flipped_bits_fail(void **state)
{
	Lnob__Envelope *env = s_seal_open(7, LNOB__KIND__KIND_REPORT, "body bytes");
	char *orig_signer = env->signer;
	char other[] = "c-003";   /* "c-001" with one bit flipped ('1' ^ 0x02) */

	(void)state;
	/* signer */
	env->signer = other;
	assert_int_equal(envelope_verify(env, s_id.pub.sign_pk), LNOB_E_BADSIG);
	env->signer = orig_signer;
	/* every bit of seq */
	for (int b = 0; b < 64; b++) {
		env->seq ^= 1ULL << b;
		assert_int_equal(envelope_verify(env, s_id.pub.sign_pk), LNOB_E_BADSIG);
		env->seq ^= 1ULL << b;
	}
	/* kind */
	for (int b = 0; b < 32; b++) {
		env->kind = (Lnob__Kind)((uint32_t)env->kind ^ (1U << b));
		assert_int_equal(envelope_verify(env, s_id.pub.sign_pk), LNOB_E_BADSIG);
		env->kind = (Lnob__Kind)((uint32_t)env->kind ^ (1U << b));
	}
	/* every bit of the body */
	for (size_t i = 0; i < env->body.len * 8; i++) {
		env->body.data[i / 8] ^= (uint8_t)(1U << (i % 8));
		assert_int_equal(envelope_verify(env, s_id.pub.sign_pk), LNOB_E_BADSIG);
		env->body.data[i / 8] ^= (uint8_t)(1U << (i % 8));
	}
	/* the signature itself */
	env->signature.data[10] ^= 0x20;
	assert_int_equal(envelope_verify(env, s_id.pub.sign_pk), LNOB_E_BADSIG);
	env->signature.data[10] ^= 0x20;
	/* untouched, it still verifies */
	assert_int_equal(envelope_verify(env, s_id.pub.sign_pk), 0);
	lnob__envelope__free_unpacked(env, NULL);
}

static void test_wrong_key_fails(void **state)
{
	identity_t other;
	Lnob__Envelope *env = s_seal_open(1, LNOB__KIND__KIND_REPORT, "x");

	(void)state;
	assert_int_equal(identity_generate("c-001", &other), 0);
	assert_int_equal(envelope_verify(env, other.pub.sign_pk), LNOB_E_BADSIG);
	lnob__envelope__free_unpacked(env, NULL);
}

static void test_open_rejects(void **state)
{
	const uint8_t garbage[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
	Lnob__Envelope env = LNOB__ENVELOPE__INIT, *out = NULL;
	uint8_t sig[64] = { 0 }, body[100] = { 0 }, *buf;
	size_t len;

	(void)state;
	assert_int_equal(envelope_open(garbage, sizeof(garbage), 1024, &out), LNOB_E_DECODE);
	assert_null(out);
	/* a well-formed envelope with each field out of range */
	env.signer = "c-001";
	env.seq = 1;
	env.kind = LNOB__KIND__KIND_REPORT;
	env.body.data = body;
	env.body.len = sizeof(body);
	env.signature.data = sig;
	env.signature.len = 64;
	assert_int_equal(codec_pack(&env.base, &buf, &len), 0);
	assert_int_equal(envelope_open(buf, len, 99, &out), LNOB_E_TOOBIG);
	assert_int_equal(envelope_open(buf, len, 100, &out), 0);
	lnob__envelope__free_unpacked(out, NULL);
	free(buf);
	env.seq = 0;
	assert_int_equal(codec_pack(&env.base, &buf, &len), 0);
	assert_int_equal(envelope_open(buf, len, 1024, &out), LNOB_E_INVALID);
	free(buf);
	env.seq = 1;
	env.signature.len = 63;
	assert_int_equal(codec_pack(&env.base, &buf, &len), 0);
	assert_int_equal(envelope_open(buf, len, 1024, &out), LNOB_E_INVALID);
	free(buf);
	env.signature.len = 64;
	env.signer = "bad signer";
	assert_int_equal(codec_pack(&env.base, &buf, &len), 0);
	assert_int_equal(envelope_open(buf, len, 1024, &out), LNOB_E_INVALID);
	free(buf);
}

static void test_seal_rejects_seq_zero(void **state)
{
	uint8_t *buf = NULL;
	size_t len;

	(void)state;
	assert_int_equal(envelope_seal(&s_id, 0, 1, (const uint8_t *)"x", 1, &buf, &len), LNOB_E_INVALID);
	assert_null(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_bytes_example),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_flipped_bits_fail),
		cmocka_unit_test(test_wrong_key_fails),
		cmocka_unit_test(test_open_rejects),
		cmocka_unit_test(test_seal_rejects_seq_zero),
	};
	return cmocka_run_group_tests(tests, s_setup, NULL);
}
