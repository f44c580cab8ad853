/*
 * snapshot_in.c: a Snapshot at the national aggregator (snapshot_in.h).
 */
#include <errno.h>
#include <stdio.h>

#include "codec.h"
#include "hierperiod.h"
#include "lnob_err.h"
#include "snapshot.h"
#include "snapshot_in.h"

int ingest_snapshot_decode(const hier_t *hier, const campaigns_t *campaigns,
			   const Lnob__Envelope *env, size_t max_body, Lnob__Report **ret_rep,
			   char *detail, size_t len)
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
	hier = hierperiod_tree(hier, campaigns, s->campaign, s->period);
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

#define S_META_SNAPSHOTS "snapshots"

int snapshot_in_mark(store_t *st, MDB_txn *txn)
{
	return store_meta_put_u64(txn, st, S_META_SNAPSHOTS, 1);
}

int snapshot_in_present(store_t *st, MDB_txn *txn, bool *ret)
{
	uint64_t v = 0;
	int r = store_meta_get_u64(txn, st, S_META_SNAPSHOTS, &v);

	if (r < 0)
		return r;
	*ret = v != 0;
	return 0;
}

/* {"count", "by_form": {name: n}, "by_stage", "by_kind"} of s. */
static json_t *s_nominations(const Lnob__Snapshot *s)
{
	json_t *o = json_pack("{s:I, s:{}, s:{}, s:{}}", "count", (json_int_t)s->nominations,
			      "by_form", "by_stage", "by_kind");

	for (size_t i = 0; o && i < s->n_nomination_counts; i++) {
		const Lnob__SnapshotNominationCount *c = s->nomination_counts[i];
		char key[16];

		snprintf(key, sizeof(key), "by_%s", c->by);
		json_object_set_new(json_object_get(o, key), c->name, json_integer(c->count));
	}
	return o;
}

static json_t *s_describe(const Lnob__Snapshot *s)
{
	json_t *o = json_pack("{s:s, s:I, s:I, s:I}", "part",
			      s->part == LNOB__SNAPSHOT_PART__PART_OWN ? "own" : "subtree",
			      "computed_at", (json_int_t)s->computed_at,
			      "units_reported", (json_int_t)s->units_reported,
			      "units_expected", (json_int_t)s->units_expected);

	if (o)
		json_object_set_new(o, "nominations", s_nominations(s));
	if (o && s->part == LNOB__SNAPSHOT_PART__PART_OWN) {
		json_object_set_new(o, "children_expected", json_integer(s->children_expected));
		json_object_set_new(o, "children_on_time", json_integer(s->children_on_time));
		json_object_set_new(o, "children_late", json_integer(s->children_late));
		json_object_set_new(o, "children_missing", json_integer(s->children_missing));
	}
	return o;
}

int snapshot_in_describe(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
			 json_t *into)
{
	Lnob__Envelope *env = NULL;
	ProtobufCMessage *m;
	json_t *o;
	int r = agg_envelope_get(st, txn, signer, seq, &env);

	if (r == LNOB_E_NOTFOUND)
		return LNOB_E_CORRUPT;
	if (r < 0)
		return r;
	if (env->kind != LNOB__KIND__KIND_SNAPSHOT) {
		lnob__envelope__free_unpacked(env, NULL);
		return 0;
	}
	r = codec_unpack(&lnob__snapshot__descriptor,
			 env->body.len ? env->body.data : (const uint8_t *)"", env->body.len,
			 SIZE_MAX, &m);
	lnob__envelope__free_unpacked(env, NULL);
	if (r < 0)
		return LNOB_E_CORRUPT;
	o = s_describe((Lnob__Snapshot *)m);
	protobuf_c_message_free_unpacked(m, NULL);
	if (!o)
		return -ENOMEM;
	return json_object_set_new(into, "snapshot", o) == 0 ? 0 : -ENOMEM;
}
