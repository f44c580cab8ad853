/*
 * keydir.h: the key directory, the enrolled node keys of a store, kept in
 * two of its databases (the caller's store and transaction):
 *
 *   nodes   node id -> NodeRecord (proto/lnob.proto): the node's signing
 *           and CURVE public keys, its scope ("" where the directory has
 *           none), enrolled_at, revoked, revoked_at
 *   curve   CURVE public key (32 bytes) -> node id: ZAP's index
 *
 * The aggregator's "nodes" and "curvekeys" (aggstore.h) and a relay's
 * "downstream" and "downstream_keys" (collector/downstream.h) are key
 * directories. A CURVE key belongs to one node at most; re-keying a node
 * (keydir_put() with replace) moves its index entry and drops its retired
 * pairs; rotating it (keydir_rotate()) keeps the old pair, indexed, as a
 * retired one until its grace ends. Revoking keeps the keys, so a revoked
 * node stays known, and refused.
 *
 * Library module: returns codes (LMDB's as store.h passes them), never
 * logs. It reads and writes only in the transaction it is given.
 */
#ifndef LNOB_KEYDIR_H
#define LNOB_KEYDIR_H

#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>

#include "identity.h"
#include "lnob.pb-c.h"

/* Largest NodeRecord read back. */
#define KEYDIR_RECORD_MAX 4096

/* The two databases of a key directory (store_dbi() handles). */
typedef struct keydir {
	MDB_dbi nodes;
	MDB_dbi curve;
} keydir_t;

/* Most retired key pairs a node keeps (NodeRecord.retired). */
#define KEYDIR_RETIRED_MAX LNOB_OLDER_KEYS_MAX

/* A key pair the node had before a rotation, taken while now < until. */
typedef struct keydir_retired {
	uint8_t sign_pk[32];
	uint8_t curve_pk[32];
	int64_t retired_at;             /* Unix seconds */
	int64_t until;                  /* Unix seconds, exclusive */
} keydir_retired_t;

/* One enrolled node. */
typedef struct keydir_node {
	identity_pub_t pub;             /* node id, signing and CURVE public keys */
	char scope[LNOB_ID_MAX + 1];    /* org-unit code; "" where there is none */
	int64_t enrolled_at;            /* Unix seconds */
	bool revoked;
	int64_t revoked_at;             /* Unix seconds, 0 unless revoked */
	size_t nretired;
	keydir_retired_t retired[KEYDIR_RETIRED_MAX];   /* newest first */
} keydir_node_t;

/* Reads the node enrolled as node_id into *ret. An id that is not a
 * valid node id is not found. Returns 0, LNOB_E_NOTFOUND, LNOB_E_CORRUPT
 * (the record does not decode, or its keys are not 32 bytes, or its id or
 * scope is too long) or an LMDB code. */
int keydir_get(MDB_txn *txn, const keydir_t *kd, const char *node_id, keydir_node_t *ret);

/* The record of node_id as stored, for callers that keep the protobuf
 * type. Caller owns *ret (lnob__node_record__free_unpacked()). Returns 0,
 * LNOB_E_NOTFOUND, LNOB_E_CORRUPT (does not decode) or an LMDB code. */
int keydir_record(MDB_txn *txn, const keydir_t *kd, const char *node_id,
		  Lnob__NodeRecord **ret);
/* A record's fields into *ret. Returns 0, or LNOB_E_CORRUPT when a key is
 * not 32 bytes or the id or scope is too long. */
int keydir_from_record(const Lnob__NodeRecord *rec, keydir_node_t *ret);

/* The id the CURVE index gives for curve_pk, into ret_id (LNOB_ID_MAX + 1
 * bytes). Returns 0, LNOB_E_NOTFOUND, LNOB_E_CORRUPT (an entry of the
 * wrong size) or an LMDB code. */
int keydir_id_by_curve(MDB_txn *txn, const keydir_t *kd, const uint8_t curve_pk[32],
		       char *ret_id);

/* Reads the node holding curve_pk into *ret: the index entry, then the
 * record it names, whose CURVE key or one of whose retired CURVE keys
 * must be curve_pk (else not found; whether a retired one is still taken
 * is keydir_curve_live()'s). Returns as keydir_get(). */
int keydir_by_curve(MDB_txn *txn, const keydir_t *kd, const uint8_t curve_pk[32],
		    keydir_node_t *ret);

/* Writes node (its record and its index entry). Without replace, a node
 * already enrolled under that id is refused; with replace its record is
 * overwritten (so a revocation is lifted when node says so) and its old
 * CURVE key leaves the index. A CURVE key held by another node is always
 * refused. Returns 0, -EINVAL (not a valid node id or scope),
 * LNOB_E_EXISTS or an LMDB code (-ENOMEM). */
int keydir_put(MDB_txn *txn, const keydir_t *kd, const keydir_node_t *node, bool replace);

/* Rotates node->pub.node_id's keys to node->pub's (its scope, or the
 * enrolled one when node->scope is ""): the enrolled pair becomes the
 * newest retired one, taken until now_s + grace_s; retired pairs whose
 * time is over at now_s, and the oldest beyond KEYDIR_RETIRED_MAX, are
 * dropped with their index entries. Returns 0, LNOB_E_NOTFOUND (not
 * enrolled), LNOB_E_REVOKED (a revoked node is re-keyed with replace),
 * LNOB_E_EXISTS (a CURVE or signing key the node has or had, or a CURVE
 * key of another node), -EINVAL (bad scope or grace_s < 0) or an LMDB
 * code. */
int keydir_rotate(MDB_txn *txn, const keydir_t *kd, const keydir_node_t *node, int64_t grace_s,
		  int64_t now_s);

/* Whether curve_pk may connect as n at now_s: its CURVE key, or a retired
 * one whose time is not over. Revocation is the caller's. */
bool keydir_curve_live(const keydir_node_t *n, const uint8_t curve_pk[32], int64_t now_s);

/* The retired signing keys of n still taken at now_s, into ret (at most
 * KEYDIR_RETIRED_MAX); returns how many. */
size_t keydir_older_sign_keys(const keydir_node_t *n, int64_t now_s,
			      uint8_t ret[KEYDIR_RETIRED_MAX][32]);

/* Marks node_id revoked at now_s (a node revoked already keeps its first
 * revoked_at). Returns 0, LNOB_E_NOTFOUND, LNOB_E_CORRUPT or an LMDB
 * code. */
int keydir_revoke(MDB_txn *txn, const keydir_t *kd, const char *node_id, int64_t now_s);

enum keydir_flags {
	KEYDIR_SKIP_CORRUPT = 1 << 0,   /* keydir_foreach(): pass over a bad record */
};

/* Called by keydir_foreach() with one node, borrowed for the call.
 * Returns 0 to go on, a negative code to stop with it, > 0 to stop. */
typedef int (*keydir_fn)(void *ctx, const keydir_node_t *node);

/* Visits every node in id order until fn returns non-zero. A record that
 * does not decode stops the walk with LNOB_E_CORRUPT, or is passed over
 * with KEYDIR_SKIP_CORRUPT. Returns 0, fn's negative code,
 * LNOB_E_CORRUPT or an LMDB code. */
int keydir_foreach(MDB_txn *txn, const keydir_t *kd, unsigned flags, keydir_fn fn, void *ctx);

#endif
