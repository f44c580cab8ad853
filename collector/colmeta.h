/*
 * colmeta.h: the metadata bundle at a collector or relay
 * (proto/lnob.proto, THE LINK, Metadata; README "Metadata sync down"):
 * kept in the outbox's store (meta "metadata": a MetadataRecord, and
 * "metadata_version"), taken from upstream only when it verifies with the
 * configured aggregator key, is newer than the one held and parses;
 * forwarded by a relay to the nodes below it; read by `submit` and
 * `status`.
 */
#ifndef LNOB_COL_METADATA_H
#define LNOB_COL_METADATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lnob.pb-c.h"
#include "metadata.h"
#include "outbox.h"
#include "router.h"

/* [uplink] aggregator_sign_key: spec is the aggregator's public identity
 * file (its keygen's .pub) or the base64 of its 32-byte Ed25519 public
 * signing key. Returns 0 with pk, or LNOB_E_KEYFILE / -errno with err. */
int colmeta_load_key(const char *spec, uint8_t pk[32], char *err, size_t errlen);

/* The version held (0: none). */
uint64_t colmeta_version(outbox_t *ob);

/* What a heartbeat upward says (Heartbeat.metadata_version): 0 without
 * the aggregator's key (takes none), else the version held, at least 1. */
uint64_t colmeta_heartbeat_version(outbox_t *ob, bool has_key);

/* The record held: *ret (caller frees with
 * lnob__metadata_record__free_unpacked()). Returns 0, LNOB_E_NOTFOUND,
 * LNOB_E_CORRUPT or an LMDB code. */
int colmeta_get(outbox_t *ob, Lnob__MetadataRecord **ret);

/* Takes m from upstream: verified with pk (or, failing that, with the
 * next signing key the bundle held announces: then *ret_next is set to
 * that announcement, else its node_id is ""), newer than what is held,
 * its body parsed; then stored with received_at now. Returns 0 (stored),
 * LNOB_E_EXISTS (the version held: nothing to do), or LNOB_E_BADSIG /
 * LNOB_E_DECODE / LNOB_E_INVALID / a loader's code (refused) / a store
 * code, with why. */
int colmeta_take(outbox_t *ob, const uint8_t pk[32], const Lnob__Metadata *m,
		 identity_pub_t *ret_next, char *why,
		 size_t whylen);

/* A relay's router_handler_t.heartbeat work: sends p the bundle held when
 * hb says a lower version, at most once every METADATA_RESEND_MS, when it
 * fits max_frame. */
void colmeta_forward(outbox_t *ob, router_t *r, router_peer_t *p, const Lnob__Heartbeat *hb,
		     size_t max_frame);

/* The bundle held, parsed, for the offline checks (self_id: this node's
 * id, for ret->own): 0 with *ret (and *ret_version), LNOB_E_NOTFOUND when
 * none, else a code with err. */
int colmeta_view(outbox_t *ob, const char *self_id, metadata_view_t *ret, uint64_t *ret_version,
		 char *err, size_t errlen);

/* The status document's "metadata": {version, issuer, issued_at,
 * received_at_ms, age_s (since issued_at), body_bytes}, or JSON null when
 * none is held (ob may be NULL). Caller owns the result (NULL: ENOMEM). */
json_t *colmeta_status_json(outbox_t *ob, int64_t now_ms);

/* The status table's line: "metadata: version V from ISSUER, issued T
 * (age N s), received_at_ms R", or "metadata: none". */
void colmeta_status_print(outbox_t *ob, int64_t now_ms);

/* ---- the aggregator's keys (colmeta_key.c) -------------------------------- */

/* The aggregator's keys adopted from a NextKey announcement
 * (AggregatorKeyRecord, meta "aggregator_key"; proto/lnob.proto NextKey). */
typedef struct colmeta_key {
	uint8_t sign_pk[32];      /* verifies its metadata */
	bool has_curve;           /* curve_pk adopted too (the upstream is the aggregator) */
	uint8_t curve_pk[32];     /* its CURVE server key */
	int64_t adopted_at_ms;
	uint64_t version;         /* the metadata version held when it was adopted */
} colmeta_key_t;

/* The keys adopted. Returns 0, LNOB_E_NOTFOUND (none), LNOB_E_CORRUPT or a
 * store code. */
int colmeta_adopted(outbox_t *ob, colmeta_key_t *ret);

/* Records k as adopted (adopted_at_ms now). Returns 0 or a store code. */
int colmeta_adopt(outbox_t *ob, const colmeta_key_t *k);

/* The aggregator's next keys the bundle held announces, and that bundle's
 * version. Returns 0, LNOB_E_NOTFOUND (no bundle, or no announcement in
 * it) or LNOB_E_CORRUPT. */
int colmeta_next(outbox_t *ob, identity_pub_t *ret, uint64_t *ret_version);

/* `status --json`'s "aggregator_key": null, or what was adopted. */
json_t *colmeta_key_json(outbox_t *ob);

#endif
