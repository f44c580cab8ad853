/* test_codec.c: size-checked protobuf packing and unpacking. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob.pb-c.h"
#include "lnob_err.h"

static void test_round_trip_and_limits(void **state)
{
	Lnob__Ack ack = LNOB__ACK__INIT;
	ProtobufCMessage *m = NULL;
	uint8_t *buf;
	size_t len;

	(void)state;
	ack.signer = "c-001";
	ack.seq = 123456789012ULL;
	assert_int_equal(codec_pack(&ack.base, &buf, &len), 0);
	assert_int_equal(codec_unpack(&lnob__ack__descriptor, buf, len, len - 1, &m), LNOB_E_TOOBIG);
	assert_null(m);
	assert_int_equal(codec_unpack(&lnob__ack__descriptor, buf, len, len, &m), 0);
	assert_string_equal(((Lnob__Ack *)m)->signer, "c-001");
	assert_int_equal(((Lnob__Ack *)m)->seq, 123456789012ULL);
	protobuf_c_message_free_unpacked(m, NULL);
	/* truncated input does not decode */
	m = NULL;
	assert_int_equal(codec_unpack(&lnob__ack__descriptor, buf, len - 1, len, &m), LNOB_E_DECODE);
	assert_null(m);
	free(buf);
}

static void test_empty_message(void **state)
{
	Lnob__Health h = LNOB__HEALTH__INIT;
	ProtobufCMessage *m;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(codec_pack(&h.base, &buf, &len), 0);
	assert_non_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(codec_unpack(&lnob__health__descriptor, buf, 0, 16, &m), 0);
	assert_int_equal(((Lnob__Health *)m)->queued, 0);
	protobuf_c_message_free_unpacked(m, NULL);
	free(buf);
}

static void test_garbage_frames(void **state)
{
	/* Random bytes must never crash the decoder; most do not decode. */
	uint8_t buf[64];
	unsigned seed = 12345;
	int decoded = 0;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		ProtobufCMessage *m = NULL;
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof(buf));
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rand_r(&seed);
		if (codec_unpack(&lnob__frame__descriptor, buf, len, sizeof(buf), &m) == 0) {
			decoded++;
			protobuf_c_message_free_unpacked(m, NULL);
		}
	}
	assert_true(decoded < 5000);
}

/* A Report packed with its strings, then one byte of the wire form
 * replaced: a NUL inside a string is refused by codec_unpack_text(),
 * naming the field, where codec_unpack() reads the string short. */
static void test_unpack_text_nul(void **state)
{
	static const char *const marks[] = { "MARK-MARK", "V11-0003", "households" };
	static const char *const names[] = { "narrative", "unit", "values.code" };
	Lnob__Report r = LNOB__REPORT__INIT;
	Lnob__IndicatorValue iv = LNOB__INDICATOR_VALUE__INIT, *ivs[1] = { &iv };
	ProtobufCMessage *m = NULL;
	char field[64];
	uint8_t *buf;
	size_t len;

	(void)state;
	r.campaign = "c";
	r.period = "2023";
	r.unit = "V11-0003";
	r.narrative = "MARK-MARK";
	iv.code = "households";
	iv.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	iv.count = 5;
	r.values = ivs;
	r.n_values = 1;
	assert_int_equal(codec_pack(&r.base, &buf, &len), 0);
	assert_int_equal(codec_unpack_text(&lnob__report__descriptor, buf, len, len, &m, field,
					   sizeof(field)), 0);
	assert_string_equal(field, "");
	protobuf_c_message_free_unpacked(m, NULL);
	for (size_t i = 0; i < 3; i++) {
		uint8_t *at = memmem(buf, len, marks[i], strlen(marks[i]));

		assert_non_null(at);
		at[3] = '\0';
		assert_int_equal(codec_unpack_text(&lnob__report__descriptor, buf, len, len, &m,
						   field, sizeof(field)), LNOB_E_DECODE);
		assert_string_equal(field, names[i]);
		assert_int_equal(codec_unpack(&lnob__report__descriptor, buf, len, len, &m), 0);
		protobuf_c_message_free_unpacked(m, NULL);
		at[3] = (uint8_t)marks[i][3];
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_limits),
		cmocka_unit_test(test_empty_message),
		cmocka_unit_test(test_garbage_frames),
		cmocka_unit_test(test_unpack_text_nul),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
