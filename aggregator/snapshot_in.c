/*
 * snapshot_in.c: a Snapshot at the national aggregator (snapshot_in.h).
 */
#include <stdio.h>

#include "codec.h"
#include "snapshot.h"
#include "snapshot_in.h"

int ingest_snapshot_decode(const hier_t *hier, const Lnob__Envelope *env, size_t max_body,
			   Lnob__Report **ret_rep, char *detail, size_t len)
{
	ProtobufCMessage *m;
	Lnob__Snapshot *s;
	const int *kids;
	char field[128];
	int reason = 0, unit;

	if (codec_unpack_text(&lnob__snapshot__descriptor, env->body.data, env->body.len, max_body,
			      &m, field, sizeof(field)) < 0) {
		snprintf(detail, len, "body does not decode as a Snapshot%s%s%s",
			 *field ? ": " : "", field, *field ? ": a NUL byte in a string" : "");
		return LNOB__NACK_REASON__NACK_MALFORMED;
	}
	s = (Lnob__Snapshot *)m;
	unit = hier_find(hier, s->unit);
	if (snapshot_validate(s, detail, len) < 0) {
		reason = LNOB__NACK_REASON__NACK_INVALID;
	} else if (s->part == LNOB__SNAPSHOT_PART__PART_SUBTREE && unit >= 0 &&
		   hier_children(hier, unit, &kids) > 0) {
		snprintf(detail, len, "part: PART_SUBTREE of '%s', which has units below it in the "
			 "hierarchy: its figures would count twice", s->unit);
		reason = LNOB__NACK_REASON__NACK_INVALID;
	} else if (snapshot_report(s, ret_rep) < 0) {
		snprintf(detail, len, "out of memory");
		reason = LNOB__NACK_REASON__NACK_INVALID;
	}
	protobuf_c_message_free_unpacked(m, NULL);
	return reason;
}
