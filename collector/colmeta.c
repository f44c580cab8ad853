/* colmeta.c: the metadata bundle held, taken from upstream,
 * forwarded downstream, read for the offline checks (see colmeta.h). */
#include "colmeta.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "identity.h"
#include "lnob_err.h"
#include "outbox_metadata.h"
#include "util.h"

/* Largest record accepted from the store. */
#define S_RECORD_MAX (METADATA_BODY_MAX + 4096)

int colmeta_load_key(const char *spec, uint8_t pk[32], char *err, size_t errlen)
{
	identity_pub_t pub;
	uint8_t buf[64];
	size_t n = 0;
	char why[768];
	int r;

	if (sodium_base642bin(buf, sizeof(buf), spec, strlen(spec), " \t", &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) == 0 && n == 32) {
		memcpy(pk, buf, 32);
		return 0;
	}
	if ((r = identity_load_public(spec, &pub, why, sizeof(why))) < 0)
		return lnob_errf(err, errlen, r, "neither the base64 of a 32-byte key nor a public "
				 "identity file: %s", why);
	memcpy(pk, pub.sign_pk, 32);
	return 0;
}

uint64_t colmeta_version(outbox_t *ob)
{
	uint64_t v = 0;

	return outbox_metadata_version(ob, &v) == 0 ? v : 0;
}

uint64_t colmeta_heartbeat_version(outbox_t *ob, bool has_key)
{
	uint64_t v = has_key ? colmeta_version(ob) : 0;

	return has_key && v < 1 ? 1 : v;
}

int colmeta_get(outbox_t *ob, Lnob__MetadataRecord **ret)
{
	ProtobufCMessage *m;
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = outbox_metadata_get(ob, &buf, &len)) < 0)
		return r;
	r = codec_unpack(&lnob__metadata_record__descriptor, buf, len, S_RECORD_MAX, &m);
	free(buf);
	if (r < 0)
		return LNOB_E_CORRUPT;
	if (!((Lnob__MetadataRecord *)m)->metadata) {
		protobuf_c_message_free_unpacked(m, NULL);
		return LNOB_E_CORRUPT;
	}
	*ret = (Lnob__MetadataRecord *)m;
	return 0;
}

/* Stores m as the record held, received now. */
static int s_store(outbox_t *ob, const Lnob__Metadata *m)
{
	Lnob__MetadataRecord rec = LNOB__METADATA_RECORD__INIT;
	uint8_t *buf;
	size_t len;
	int r;

	rec.received_at_ms = lnob_now_ms();
	rec.metadata = (Lnob__Metadata *)m;
	if ((r = codec_pack(&rec.base, &buf, &len)) < 0)
		return r;
	r = outbox_metadata_put(ob, buf, len, m->version);
	free(buf);
	return r;
}

int colmeta_take(outbox_t *ob, const uint8_t pk[32], const Lnob__Metadata *m,
		 identity_pub_t *ret_next, char *why, size_t whylen)
{
	metadata_view_t v;
	uint64_t held = colmeta_version(ob), nv;
	char name[64];
	int r;

	ret_next->node_id[0] = '\0';
	if (metadata_verify(m, pk) < 0) {
		if (colmeta_next(ob, ret_next, &nv) < 0 || metadata_verify(m, ret_next->sign_pk) < 0) {
			ret_next->node_id[0] = '\0';
			return lnob_errf(why, whylen, LNOB_E_BADSIG, "version %" PRIu64 ": the "
					 "signature does not verify with [uplink] aggregator_sign_key "
					 "(nor with a next key announced)", m->version);
		}
	}
	if (m->version == held)
		return lnob_errf(why, whylen, LNOB_E_EXISTS, "version %" PRIu64 " is held already",
				 held);
	if (m->version < held)
		return lnob_errf(why, whylen, LNOB_E_INVALID, "version %" PRIu64 " is older than "
				 "the %" PRIu64 " held", m->version, held);
	snprintf(name, sizeof(name), "metadata v%" PRIu64, m->version);
	if ((r = metadata_parse(m->body.data, m->body.len, name, NULL, &v, why, whylen)) < 0)
		return r;
	metadata_view_clear(&v);
	if ((r = s_store(ob, m)) < 0)
		return lnob_errf(why, whylen, r, "storing it: %s", lnob_strerror(r));
	return 0;
}

void colmeta_forward(outbox_t *ob, router_t *r, router_peer_t *p, const Lnob__Heartbeat *hb,
		     size_t max_frame)
{
	Lnob__MetadataRecord *rec = NULL;
	Lnob__Frame f;
	int64_t now = lnob_mono_ms();

	uint64_t version = colmeta_version(ob);

	if (hb->metadata_version == 0 || hb->metadata_version >= version ||
	    !metadata_due(p->metadata_sent_ms, p->metadata_sent_version, version, now))
		return;
	p->metadata_sent_ms = now;
	p->metadata_sent_version = version;
	if (colmeta_get(ob, &rec) < 0)
		return;
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_METADATA;
	f.metadata = rec->metadata;
	if (lnob__frame__get_packed_size(&f) <= max_frame)
		router_send(r, p, &f);
	lnob__metadata_record__free_unpacked(rec, NULL);
}

int colmeta_view(outbox_t *ob, const char *self_id, metadata_view_t *ret, uint64_t *ret_version,
		 char *err, size_t errlen)
{
	Lnob__MetadataRecord *rec = NULL;
	char name[64];
	int r;

	if ((r = colmeta_get(ob, &rec)) < 0)
		return r == LNOB_E_NOTFOUND ? r : lnob_errf(err, errlen, r, "metadata: %s",
							     lnob_strerror(r));
	snprintf(name, sizeof(name), "metadata v%" PRIu64, rec->metadata->version);
	r = metadata_parse(rec->metadata->body.data, rec->metadata->body.len, name, self_id, ret,
			   err, errlen);
	if (r == 0)
		*ret_version = rec->metadata->version;
	lnob__metadata_record__free_unpacked(rec, NULL);
	return r;
}

json_t *colmeta_status_json(outbox_t *ob, int64_t now_ms)
{
	Lnob__MetadataRecord *rec = NULL;
	const Lnob__Metadata *m;
	json_t *o;

	if (!ob || colmeta_get(ob, &rec) < 0)
		return json_null();
	m = rec->metadata;
	o = json_pack("{s:I, s:s, s:I, s:I, s:f, s:I}", "version", (json_int_t)m->version,
		      "issuer", m->issuer ? m->issuer : "", "issued_at", (json_int_t)m->issued_at,
		      "received_at_ms", (json_int_t)rec->received_at_ms, "age_s",
		      (double)(now_ms - m->issued_at * 1000) / 1000.0, "body_bytes",
		      (json_int_t)m->body.len);
	lnob__metadata_record__free_unpacked(rec, NULL);
	return o;
}

void colmeta_status_print(outbox_t *ob, int64_t now_ms)
{
	Lnob__MetadataRecord *rec = NULL;
	const Lnob__Metadata *m;

	if (!ob || colmeta_get(ob, &rec) < 0) {
		printf("metadata: none\n");
		return;
	}
	m = rec->metadata;
	printf("metadata: version %" PRIu64 " from %s, issued %" PRId64 " (age %" PRId64
	       " s), received_at_ms %" PRId64 "\n", m->version, m->issuer ? m->issuer : "?",
	       m->issued_at, now_ms / 1000 - m->issued_at, rec->received_at_ms);
	lnob__metadata_record__free_unpacked(rec, NULL);
}
