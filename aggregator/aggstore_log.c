/* aggstore_log.c: the envelope log, the quarantine, peers and nodes
 * walked, the store's totals, and the per-unit databases walked (see
 * aggstore.h). */
#include "aggstore.h"
#include "aggstore_int.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "lnob_err.h"
#include "report.h"
#include "snapshot.h"
#include "util.h"

/* The arrival number (the log's key, 8 bytes) of envelope (signer, seq)
 * from the index into ret. Returns 0, LNOB_E_NOTFOUND, LNOB_E_INVALID,
 * LNOB_E_CORRUPT (an index value not 8 bytes) or a store error. */
static int s_arrival(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		     uint8_t ret[8])
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_envelope(key, signer, seq);
	MDB_val v;
	int r = klen ? store_get(txn, store_dbi(st, AGG_DB_ENVELOPE_IDS), key, klen, &v)
		     : LNOB_E_INVALID;

	if (r == 0 && v.mv_size != 8)
		r = LNOB_E_CORRUPT;
	if (r == 0)
		memcpy(ret, v.mv_data, 8);
	return r;
}

int agg_envelope_raw(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq, MDB_val *ret)
{
	uint8_t a[8];
	MDB_val v;
	int r = s_arrival(st, txn, signer, seq, a);

	if (r < 0)
		return r;
	r = store_get(txn, store_dbi(st, AGG_DB_ENVELOPES), a, 8, &v);
	if (r == LNOB_E_NOTFOUND)
		return LNOB_E_CORRUPT;   /* indexed, not in the log */
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int agg_envelope_get(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		     Lnob__Envelope **ret)
{
	MDB_val v;
	int r = agg_envelope_raw(st, txn, signer, seq, &v);

	if (r < 0)
		return r;
	return envelope_open(v.mv_data, v.mv_size, SIZE_MAX / 2, ret) < 0 ? LNOB_E_CORRUPT : 0;
}

int agg_envelope_report(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
			Lnob__Report **ret, uint8_t ret_digest[32])
{
	Lnob__Envelope *env = NULL;
	Lnob__Report *rep;
	int r = agg_envelope_get(st, txn, signer, seq, &env);

	if (r == LNOB_E_NOTFOUND)
		return LNOB_E_CORRUPT;   /* a record names an envelope the log lacks */
	if (r < 0)
		return r;
	r = snapshot_report_of_envelope(env, SIZE_MAX, &rep);
	lnob__envelope__free_unpacked(env, NULL);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return LNOB_E_CORRUPT;
	if (ret_digest && (r = report_content_digest(rep, ret_digest)) < 0) {
		lnob__report__free_unpacked(rep, NULL);
		return r;
	}
	*ret = rep;
	return 0;
}

int agg_envelope_put(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		     const uint8_t *env, size_t len)
{
	uint8_t key[AGG_KEY_MAX], a[8];
	size_t klen = agg_key_envelope(key, signer, seq);
	MDB_val last;
	int r = klen ? s_arrival(st, txn, signer, seq, a) : LNOB_E_INVALID;

	if (r == 0)   /* stored already: replaced where it is, as a put always did */
		return store_put(txn, store_dbi(st, AGG_DB_ENVELOPES), a, 8, env, len, 0);
	if (r != LNOB_E_NOTFOUND)
		return r;
	/* the next arrival number, appended: LMDB fills the last page
	 * instead of splitting pages in the middle */
	r = store_last(txn, store_dbi(st, AGG_DB_ENVELOPES), &last);
	if (r == 0 && last.mv_size != 8)
		return LNOB_E_CORRUPT;
	if (r == 0 && lnob_be64_get(last.mv_data) == UINT64_MAX)
		return LNOB_E_CORRUPT;
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	lnob_be64_put(a, r == 0 ? lnob_be64_get(last.mv_data) + 1 : 1);
	r = store_put(txn, store_dbi(st, AGG_DB_ENVELOPES), a, 8, env, len, MDB_APPEND);
	if (r == 0)
		r = store_put(txn, store_dbi(st, AGG_DB_ENVELOPE_IDS), key, klen, a, 8, 0);
	return r;
}

/* agg_envelope_foreach()'s walk. */
typedef struct s_env_walk {
	store_t *st;
	MDB_txn *txn;
	agg_envelope_fn fn;
	void *ctx;
} s_env_walk_t;

/* One index entry k -> arrival v: its envelope from the log, which must be
 * the envelope (signer, seq) of k. */
static int s_envelope_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_env_walk_t *w = ctx;
	Lnob__Envelope *env = NULL;
	uint8_t key[AGG_KEY_MAX];
	MDB_val e;
	int r = v->mv_size == 8 ? store_get(w->txn, store_dbi(w->st, AGG_DB_ENVELOPES), v->mv_data,
					    8, &e) : LNOB_E_NOTFOUND;

	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	if (r == 0 && envelope_open(e.mv_data, e.mv_size, SIZE_MAX / 2, &env) < 0)
		env = NULL;
	if (env && (agg_key_envelope(key, env->signer, env->seq) != k->mv_size ||
		    memcmp(key, k->mv_data, k->mv_size) != 0)) {
		lnob__envelope__free_unpacked(env, NULL);
		env = NULL;   /* the index names another envelope */
	}
	r = w->fn(w->ctx, env);
	if (env)
		lnob__envelope__free_unpacked(env, NULL);
	return r;
}

int agg_envelope_foreach(store_t *st, MDB_txn *txn, agg_envelope_fn fn, void *ctx)
{
	s_env_walk_t w = { .st = st, .txn = txn, .fn = fn, .ctx = ctx };

	return store_foreach(txn, store_dbi(st, AGG_DB_ENVELOPE_IDS), NULL, 0, s_envelope_entry,
			     &w);
}

int agg_envelope_counts(store_t *st, MDB_txn *txn, size_t *ret_log, size_t *ret_index)
{
	size_t a, b;
	int r = store_count(txn, st, AGG_DB_ENVELOPES, &a);

	if (r == 0)
		r = store_count(txn, st, AGG_DB_ENVELOPE_IDS, &b);
	if (r == 0) {
		*ret_log = a;
		*ret_index = b;
	}
	return r;
}

int agg_quarantine_put(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		       const uint8_t *env, size_t len, const char *peer, int64_t now,
		       bool *ret_new)
{
	Lnob__QuarantineRecord q = LNOB__QUARANTINE_RECORD__INIT;
	uint8_t key[AGG_KEY_MAX + 40];
	size_t klen = agg_key_envelope(key, signer, seq);
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	crypto_hash_sha256(key + klen, env, len);
	klen += crypto_hash_sha256_BYTES;
	q.received_at = now;
	q.envelope.data = (uint8_t *)env;
	q.envelope.len = len;
	q.peer = (char *)(peer ? peer : "");
	r = agg_msg_put(st, txn, AGG_DB_QUARANTINE, key, klen, &q.base, MDB_NOOVERWRITE);
	if (ret_new)
		*ret_new = r == 0;
	return r == LNOB_E_EXISTS ? 0 : r;   /* the same bad copy again */
}

int agg_peer_put(store_t *st, MDB_txn *txn, const Lnob__PeerRecord *rec)
{
	return agg_msg_put(st, txn, AGG_DB_PEERS, rec->node_id, strlen(rec->node_id), &rec->base, 0);
}

int agg_peer_get(store_t *st, MDB_txn *txn, const char *node_id, Lnob__PeerRecord **ret)
{
	return agg_msg_get(st, txn, AGG_DB_PEERS, node_id, strlen(node_id),
			   &lnob__peer_record__descriptor, (ProtobufCMessage **)ret);
}

int agg_totals(store_t *st, MDB_txn *txn, agg_totals_t *ret)
{
	agg_totals_t t;
	int r = store_count(txn, st, AGG_DB_ENVELOPES, &t.envelopes);

	if (r == 0)
		r = store_count(txn, st, AGG_DB_LATEST, &t.reports);
	if (r == 0)
		r = store_count(txn, st, AGG_DB_QUARANTINE, &t.quarantined);
	if (r == 0)
		*ret = t;
	return r;
}

/* agg_unit_foreach()'s walk. */
typedef struct s_unit_walk {
	agg_unit_fn fn;
	void *ctx;
} s_unit_walk_t;

static int s_unit_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_unit_walk_t *w = ctx;
	char buf[AGG_KEY_MAX + 1];
	const char *c, *p, *u;
	int r = agg_key_split(k, buf, &c, &p, &u);

	return r < 0 ? r : w->fn(w->ctx, c, p, u, v);
}

int agg_unit_foreach(store_t *st, MDB_txn *txn, enum agg_unit_db db, agg_unit_fn fn, void *ctx)
{
	static const int dbs[] = { [AGG_UNIT_LATEST] = AGG_DB_LATEST,
				   [AGG_UNIT_CONFLICTS] = AGG_DB_CONFLICTS,
				   [AGG_UNIT_ROLLUPS] = AGG_DB_ROLLUPS,
				   [AGG_UNIT_REVISIONS] = AGG_DB_REVISIONS };
	s_unit_walk_t w = { .fn = fn, .ctx = ctx };

	return store_foreach(txn, store_dbi(st, (size_t)dbs[db]), NULL, 0, s_unit_entry, &w);
}

/* store_foreach() from a key prefix: whether the first key has it. */
typedef struct s_prefix {
	const uint8_t *key;
	size_t len;
	bool found;
} s_prefix_t;

static int s_prefix_first(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_prefix_t *p = ctx;

	(void)v;
	p->found = k->mv_size >= p->len && memcmp(k->mv_data, p->key, p->len) == 0;
	return 1;
}

/* Whether the unit's LatestRecord keeps a history of one revision
 * (schema 4) and, with signer, whether it is (revision, signer, seq): 1,
 * 0, or a negative code. */
static int s_inline_rev(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			const char *unit, const char *signer, uint32_t revision, uint64_t seq)
{
	Lnob__LatestRecord *lr = NULL;
	/* Its identity only: the values stay in the envelope. */
	int r = agg_latest_load(st, txn, campaign, period, unit, AGG_LATEST_IDENTITY, &lr);

	if (r < 0)
		return r == LNOB_E_NOTFOUND ? 0 : r;
	r = lr->revisions == 1 &&
	    (!signer || (lr->revision == revision && lr->seq == seq &&
			 strcmp(lr->signer, signer) == 0));
	lnob__latest_record__free_unpacked(lr, NULL);
	return r;
}

int agg_history_exists(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		       const char *unit)
{
	uint8_t key[AGG_KEY_MAX + 1];
	size_t klen = agg_key_unit(key, campaign, period, unit);
	s_prefix_t x = { .key = key };
	int r;

	if (!klen || klen + 1 > AGG_KEY_MAX)
		return LNOB_E_INVALID;
	key[klen++] = 0;
	x.len = klen;
	r = store_foreach(txn, store_dbi(st, AGG_DB_REVISIONS), key, klen, s_prefix_first, &x);
	if (r < 0 || x.found)
		return r < 0 ? r : 1;
	return s_inline_rev(st, txn, campaign, period, unit, NULL, 0, 0);
}

int agg_revision_exists(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			const char *unit, uint32_t revision, const char *signer, uint64_t seq)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_revision(key, campaign, period, unit, revision, signer, seq);
	MDB_val v;
	int r = klen ? store_get(txn, store_dbi(st, AGG_DB_REVISIONS), key, klen, &v)
		     : LNOB_E_INVALID;

	if (r == LNOB_E_NOTFOUND)
		return s_inline_rev(st, txn, campaign, period, unit, signer, revision, seq);
	return r == 0 ? 1 : r;
}
