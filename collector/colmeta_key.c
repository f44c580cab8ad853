/* colmeta_key.c: the aggregator's keys a collector adopted from a NextKey
 * announcement, and the announcement in the bundle held (colmeta.h). */
#include "colmeta.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "outbox_metadata.h"
#include "util.h"

/* Largest AggregatorKeyRecord read back. */
#define S_KEY_RECORD_MAX 1024

int colmeta_adopted(outbox_t *ob, colmeta_key_t *ret)
{
	ProtobufCMessage *m;
	const Lnob__AggregatorKeyRecord *k;
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = outbox_aggkey_get(ob, &buf, &len)) < 0)
		return r;
	r = codec_unpack(&lnob__aggregator_key_record__descriptor, buf, len, S_KEY_RECORD_MAX, &m);
	free(buf);
	if (r < 0)
		return LNOB_E_CORRUPT;
	k = (const Lnob__AggregatorKeyRecord *)m;
	r = 0;
	memset(ret, 0, sizeof(*ret));
	if (k->sign_public.len != 32 || (k->curve_public.len != 0 && k->curve_public.len != 32))
		r = LNOB_E_CORRUPT;
	else {
		memcpy(ret->sign_pk, k->sign_public.data, 32);
		ret->has_curve = k->curve_public.len == 32;
		if (ret->has_curve)
			memcpy(ret->curve_pk, k->curve_public.data, 32);
		ret->adopted_at_ms = k->adopted_at_ms;
		ret->version = k->metadata_version;
	}
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

int colmeta_adopt(outbox_t *ob, const colmeta_key_t *k)
{
	Lnob__AggregatorKeyRecord rec = LNOB__AGGREGATOR_KEY_RECORD__INIT;
	uint8_t *buf;
	size_t len;
	int r;

	rec.sign_public = (ProtobufCBinaryData){ 32, (uint8_t *)k->sign_pk };
	if (k->has_curve)
		rec.curve_public = (ProtobufCBinaryData){ 32, (uint8_t *)k->curve_pk };
	rec.adopted_at_ms = lnob_now_ms();
	rec.metadata_version = k->version;
	if ((r = codec_pack(&rec.base, &buf, &len)) < 0)
		return r;
	r = outbox_aggkey_put(ob, buf, len);
	free(buf);
	return r;
}

int colmeta_next(outbox_t *ob, identity_pub_t *ret, uint64_t *ret_version)
{
	Lnob__MetadataRecord *rec = NULL;
	ProtobufCMessage *m;
	const Lnob__NextKey *k;
	int r;

	if ((r = colmeta_get(ob, &rec)) < 0)
		return r == LNOB_E_NOTFOUND ? r : LNOB_E_CORRUPT;
	r = codec_unpack(&lnob__metadata_body__descriptor, rec->metadata->body.data,
			 rec->metadata->body.len, METADATA_BODY_MAX, &m);
	*ret_version = rec->metadata->version;
	lnob__metadata_record__free_unpacked(rec, NULL);
	if (r < 0)
		return LNOB_E_CORRUPT;
	k = ((const Lnob__MetadataBody *)m)->next_key;
	r = LNOB_E_NOTFOUND;
	if (k && k->node_id && lnob_valid_id(k->node_id) && k->sign_public.len == 32 &&
	    k->curve_public.len == 32) {
		lnob_strlcpy(ret->node_id, k->node_id, sizeof(ret->node_id));
		memcpy(ret->sign_pk, k->sign_public.data, 32);
		memcpy(ret->curve_pk, k->curve_public.data, 32);
		r = 0;
	}
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

json_t *colmeta_key_json(outbox_t *ob)
{
	colmeta_key_t k;

	if (!ob || colmeta_adopted(ob, &k) < 0)
		return json_null();
	return json_pack("{s:I, s:I, s:b}", "adopted_at_ms", (json_int_t)k.adopted_at_ms,
			 "metadata_version", (json_int_t)k.version, "server_key", k.has_curve);
}
