/*
 * metadata.h: the metadata bundle the aggregator signs and sends down
 * (proto/lnob.proto, THE LINK, Metadata): what a collector needs to check
 * a report offline, the campaign files and the hierarchy subtree of a
 * scope. Built and signed by the aggregator (aggregator/metadata_out.c),
 * verified, kept and forwarded by collectors and relays
 * (collector/colmeta.c), parsed by `submit` for its offline checks.
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_METADATA_H
#define LNOB_METADATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "campaigns.h"
#include "hierarchy.h"
#include "identity.h"
#include "lnob.pb-c.h"

/* The domain tag the signature covers (with one 0x00 byte after it). */
#define METADATA_DOMAIN "lnob-metadata-v1"
#define METADATA_DOMAIN_LEN 17
/* A peer is sent the same version of a bundle at most this often (a newer
 * version goes at its next heartbeat). */
#define METADATA_RESEND_MS 10000

/* Whether a peer last sent version `sent` at sent_ms (monotonic; 0:
 * never) is due version `version` now. */
static inline bool metadata_due(int64_t sent_ms, uint64_t sent, uint64_t version, int64_t now)
{
	return sent_ms == 0 || version > sent || now - sent_ms >= METADATA_RESEND_MS;
}
/* Largest Frame{metadata} sent: what a collector's DEALER takes from its
 * upstream (UPLINK_MAX_FRAME; a bigger message would drop the link). */
#define METADATA_FRAME_MAX ((size_t)1 << 20)
/* Largest body accepted. */
#define METADATA_BODY_MAX ((size_t)32 << 20)

/* An enrolled node, for MetadataBody.nodes. */
typedef struct metadata_node {
	const char *node_id;
	const char *scope;
} metadata_node_t;

/* Builds the serialized MetadataBody for scope (a hierarchy index; -1: the
 * whole hierarchy, every root) from hier, the campaign files of camps
 * (read again from their files; a baseline_file line is commented out),
 * the ad-hoc requests of camps asking a unit of the subtree (with only
 * those units) and those of nodes[0..nnodes) whose scope is in the subtree,
 * and with next (not NULL) the aggregator's next keys (NextKey).
 * Caller owns *ret_body (free). Returns 0, -errno or -ENOMEM with err. */
int metadata_body_build(const hier_t *hier, int scope, const campaigns_t *camps,
			const metadata_node_t *nodes, size_t nnodes, const identity_pub_t *next,
			uint8_t **ret_body, size_t *ret_len, char *err, size_t errlen);

/* Signs (issuer id's node id, version, issued_at, body) into sig with
 * id's signing key. Returns 0 or LNOB_E_CRYPTO / -ENOMEM. */
int metadata_sign(const identity_t *id, uint64_t version, int64_t issued_at,
		  const uint8_t *body, size_t len, uint8_t sig[64]);

/* Verifies m's signature with the aggregator's signing key pk. Returns 0,
 * LNOB_E_BADSIG or -ENOMEM. */
int metadata_verify(const Lnob__Metadata *m, const uint8_t pk[32]);

/* A parsed bundle: its scope, its hierarchy subtree and campaigns, and
 * the reader's own scope in it. */
typedef struct metadata_view {
	char scope[LNOB_ID_MAX + 1];
	hier_t *hier;
	campaigns_t camps;
	int own;                         /* hierarchy index of the reader's scope, -1: unknown */
	char own_scope[LNOB_ID_MAX + 1]; /* its code, "" when unknown */
	bool has_next;                   /* the bundle announces the aggregator's next keys */
	identity_pub_t next;             /* those (NextKey), when has_next */
} metadata_view_t;

/* Parses body (MetadataBody bytes): the hierarchy must load, contain the
 * scope, every campaign load (without a hierarchy check: the subtree
 * lacks the upper levels) and every ad-hoc request be added to its
 * campaign (campaign_request_add(), checked against the subtree). name names it in err ("metadata v3"). self_id
 * (may be NULL): the reader's node id, whose entry of nodes gives ret->own
 * (else the bundle's scope, -1 for a whole hierarchy). *ret is written
 * only on success; metadata_view_clear() frees it. Returns 0,
 * LNOB_E_DECODE, LNOB_E_INVALID, a loader's code or -ENOMEM. */
int metadata_parse(const uint8_t *body, size_t len, const char *name, const char *self_id,
		   metadata_view_t *ret, char *err, size_t errlen);

/* Frees what v holds; v may be parsed into again. */
void metadata_view_clear(metadata_view_t *v);

#endif
