/*
 * fuzz_frame.c: one part of a message on THE LINK (proto/lnob.proto,
 * Frame), decoded and judged as the receiving ends do:
 *  - the router (common/router.c, s_on_part): over max_frame the Frame is
 *    decoded without limit and envelope_peek() names (signer, seq); else
 *    codec_unpack() with max_frame (protobuf-c decodes every case:
 *    heartbeat, acks, NACK, receipts), and an envelope goes to
 *    admit_envelope() (with fuzz_signer(), as fuzz_envelope.c);
 *  - the collector's uplink (collector/uplink.c, s_on_frame): metadata,
 *    verified with the fixed key
 *    (metadata_verify()) and, when it verifies, parsed (metadata_parse()),
 *    so that gen_seeds.py's signed metadata frames reach the body.
 * Each input is judged against two max_frame limits: 1 MiB (the uplink's
 * UPLINK_MAX_FRAME) and 256 bytes, so that small inputs take the
 * oversized path too.
 */
#include "fuzz.h"

#include <string.h>

#include "admit.h"
#include "codec.h"
#include "envelope.h"
#include "metadata.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	(void)fuzz_identity();
	return 0;
}

/* The router's oversized part: decoded whole to name (signer, seq). */
static void s_too_large(const uint8_t *data, size_t size)
{
	char signer[LNOB_ID_MAX + 1] = "";
	uint64_t seq = 0;
	ProtobufCMessage *m;

	if (codec_unpack(&lnob__frame__descriptor, data, size, size, &m) < 0)
		return;
	if (((Lnob__Frame *)m)->msg_case == LNOB__FRAME__MSG_ENVELOPE) {
		const Lnob__Frame *f = (const Lnob__Frame *)m;

		if (envelope_peek(f->envelope.data, f->envelope.len, signer, sizeof(signer), &seq) == 0 &&
		    (!signer[0] || seq == 0))
			fuzz_die("envelope_peek() succeeded without signer and seq");
	}
	protobuf_c_message_free_unpacked(m, NULL);
}

static void s_envelope(const ProtobufCBinaryData *env)
{
	admit_conf_t conf = { .max_body = 65536, .signer = fuzz_signer };
	admit_t a;

	memset(&a, 0, sizeof(a));
	fuzz_note("envelope: %d, reason %s: %s", admit_envelope(&conf, env->data, env->len, &a),
		  admit_reason_name(a.reason), a.detail);
	if (a.env)
		lnob__envelope__free_unpacked(a.env, NULL);
}

static void s_metadata(const Lnob__Metadata *md)
{
	metadata_view_t v;
	char err[512];

	int r;

	if (metadata_verify(md, fuzz_identity()->pub.sign_pk) < 0) {
		fuzz_note("metadata does not verify");
		return;
	}
	memset(&v, 0, sizeof(v));
	err[0] = '\0';
	r = metadata_parse(md->body.data, md->body.len, "metadata", FUZZ_SIGNER, &v, err,
			   sizeof(err));
	fuzz_note("metadata_parse: %d %s", r, err);
	if (r == 0)
		metadata_view_clear(&v);
}

static void s_frame(const Lnob__Frame *f)
{
	switch (f->msg_case) {
	case LNOB__FRAME__MSG_ENVELOPE:
		s_envelope(&f->envelope);
		break;
	case LNOB__FRAME__MSG_METADATA:
		s_metadata(f->metadata);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t limits[] = { (size_t)1 << 20, 256 };

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		ProtobufCMessage *m;

		if (size > limits[i]) {
			s_too_large(data, size);
			continue;
		}
		if (codec_unpack(&lnob__frame__descriptor, data, size, limits[i], &m) < 0) {
			fuzz_note("max_frame %zu: does not decode", limits[i]);
			continue;
		}
		fuzz_note("max_frame %zu: case %d", limits[i], (int)((Lnob__Frame *)m)->msg_case);
		s_frame((const Lnob__Frame *)m);
		protobuf_c_message_free_unpacked(m, NULL);
	}
	return 0;
}
