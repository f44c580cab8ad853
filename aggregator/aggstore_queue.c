/* aggstore_queue.c: approvals, the amendment queue and the log of its
 * decisions, nominations and their stages, as records of the store (see
 * aggstore.h; the rules are approval.h's and nominations.h's). */
#include "aggstore.h"
#include "aggstore_int.h"

#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

/* ---- approvals ------------------------------------------------------------ */

int agg_approval_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, Lnob__ApprovalRecord **ret)
{
	uint8_t key[AGG_KEY_MAX];

	return agg_msg_get(st, txn, AGG_DB_APPROVALS, key, agg_key_unit(key, campaign, period, unit),
			   &lnob__approval_record__descriptor, (ProtobufCMessage **)ret);
}

int agg_approval_exists(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			const char *unit)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);
	MDB_val v;
	int r = klen ? store_get(txn, store_dbi(st, AGG_DB_APPROVALS), key, klen, &v)
		     : LNOB_E_INVALID;

	return r == 0 ? 1 : r == LNOB_E_NOTFOUND ? 0 : r;
}

int agg_approval_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, const Lnob__ApprovalRecord *rec)
{
	uint8_t key[AGG_KEY_MAX];

	return agg_msg_put(st, txn, AGG_DB_APPROVALS, key, agg_key_unit(key, campaign, period, unit),
			   &rec->base, MDB_NOOVERWRITE);
}

int agg_approval_del(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);

	return klen ? store_del(txn, store_dbi(st, AGG_DB_APPROVALS), key, klen) : LNOB_E_INVALID;
}

/* agg_approval_foreach()'s walk. */
typedef struct s_appr_walk {
	agg_approval_fn fn;
	void *ctx;
} s_appr_walk_t;

static int s_approval_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_appr_walk_t *w = ctx;
	char buf[AGG_KEY_MAX + 1];
	const char *c = NULL, *p = NULL, *u = NULL;
	ProtobufCMessage *m = NULL;
	int r = agg_key_split(k, buf, &c, &p, &u);

	if (r == 0)
		r = agg_msg_unpack(v, &lnob__approval_record__descriptor, &m);
	if (r < 0)
		return r;
	r = w->fn(w->ctx, c, p, u, (Lnob__ApprovalRecord *)m);
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

int agg_approval_foreach(store_t *st, MDB_txn *txn, agg_approval_fn fn, void *ctx)
{
	s_appr_walk_t w = { .fn = fn, .ctx = ctx };

	return store_foreach(txn, store_dbi(st, AGG_DB_APPROVALS), NULL, 0, s_approval_entry, &w);
}

/* ---- the amendment queue and its log --------------------------------------- */

size_t agg_key_amendment(uint8_t *out, const char *campaign, const char *period,
			 const char *approved, const char *signer, uint64_t seq)
{
	size_t off = agg_key_unit(out, campaign, period, approved), n = strlen(signer);

	if (!off || off + 1 + n + 1 + 8 > AGG_KEY_MAX)
		return 0;
	out[off++] = 0;
	memcpy(out + off, signer, n + 1);
	off += n + 1;
	lnob_be64_put(out + off, seq);
	return off + 8;
}

/* The key rec is filed under. */
static size_t s_key_of(uint8_t *out, const Lnob__AmendmentRecord *rec)
{
	return agg_key_amendment(out, rec->campaign, rec->period, rec->approved_unit, rec->signer,
				 rec->seq);
}

int agg_amendment_put(store_t *st, MDB_txn *txn, const Lnob__AmendmentRecord *rec)
{
	uint8_t key[AGG_KEY_MAX];

	return agg_msg_put(st, txn, AGG_DB_AMENDMENTS, key, s_key_of(key, rec), &rec->base, 0);
}

/* agg_amendment_find()'s walk. */
typedef struct s_find {
	const char *signer;
	uint64_t seq;
	Lnob__AmendmentRecord *found;
} s_find_t;

static int s_find_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_find_t *f = ctx;
	ProtobufCMessage *m;
	Lnob__AmendmentRecord *rec;
	int r = agg_msg_unpack(v, &lnob__amendment_record__descriptor, &m);

	(void)k;
	if (r < 0)
		return r;
	rec = (Lnob__AmendmentRecord *)m;
	if (rec->seq == f->seq && strcmp(rec->signer, f->signer) == 0) {
		f->found = rec;
		return 1;
	}
	lnob__amendment_record__free_unpacked(rec, NULL);
	return 0;
}

int agg_amendment_find(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		       Lnob__AmendmentRecord **ret)
{
	s_find_t f = { .signer = signer, .seq = seq };
	int r = store_foreach(txn, store_dbi(st, AGG_DB_AMENDMENTS), NULL, 0, s_find_entry, &f);

	if (r < 0)
		return r;
	if (!f.found)
		return LNOB_E_NOTFOUND;
	*ret = f.found;
	return 0;
}

int agg_amendment_decide(store_t *st, MDB_txn *txn, const Lnob__AmendmentRecord *rec,
			 const Lnob__AmendmentDecision *d)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = s_key_of(key, rec);
	int r = agg_msg_put(st, txn, AGG_DB_AMENDMENT_LOG, key, klen, &d->base, 0);

	return r == 0 ? store_del(txn, store_dbi(st, AGG_DB_AMENDMENTS), key, klen) : r;
}

/* agg_amendment_count()'s walk: entries under a key prefix. */
typedef struct s_count {
	const uint8_t *prefix;
	size_t plen, n;
} s_count_t;

static int s_count_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_count_t *c = ctx;

	(void)v;
	if (k->mv_size < c->plen || memcmp(k->mv_data, c->prefix, c->plen) != 0)
		return 1;
	c->n++;
	return 0;
}

int agg_amendment_count(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			const char *approved, size_t *ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, approved);
	s_count_t c = { .prefix = key };
	int r;

	if (!klen || klen + 1 > AGG_KEY_MAX)
		return LNOB_E_INVALID;
	key[klen++] = 0;
	c.plen = klen;
	r = store_foreach(txn, store_dbi(st, AGG_DB_AMENDMENTS), key, klen, s_count_entry, &c);
	if (r == 0)
		*ret = c.n;
	return r;
}

/* agg_amendment_foreach()'s walk. */
typedef struct s_amend_walk {
	bool decided;
	agg_amendment_fn fn;
	void *ctx;
} s_amend_walk_t;

static int s_amendment_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_amend_walk_t *w = ctx;
	ProtobufCMessage *m;
	int r = agg_msg_unpack(v, w->decided ? &lnob__amendment_decision__descriptor
					     : &lnob__amendment_record__descriptor, &m);

	if (r < 0)
		return r;
	if (w->decided) {
		Lnob__AmendmentDecision *d = (Lnob__AmendmentDecision *)m;

		r = d->amendment ? w->fn(w->ctx, k, d->amendment, d) : LNOB_E_CORRUPT;
	} else {
		r = w->fn(w->ctx, k, (Lnob__AmendmentRecord *)m, NULL);
	}
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

int agg_amendment_foreach(store_t *st, MDB_txn *txn, bool decided, agg_amendment_fn fn,
			  void *ctx)
{
	s_amend_walk_t w = { .decided = decided, .fn = fn, .ctx = ctx };

	return store_foreach(txn, store_dbi(st, decided ? AGG_DB_AMENDMENT_LOG : AGG_DB_AMENDMENTS),
			     NULL, 0, s_amendment_entry, &w);
}

/* ---- nominations and their stages -------------------------------------------- */

int agg_nomination_get(store_t *st, MDB_txn *txn, const char *key,
		       Lnob__NominationRecord **ret)
{
	int r = agg_msg_get(st, txn, AGG_DB_NOMINATIONS, key, strlen(key),
			    &lnob__nomination_record__descriptor, (ProtobufCMessage **)ret);

	if (r == 0 && !(*ret)->nomination) {
		lnob__nomination_record__free_unpacked(*ret, NULL);
		*ret = NULL;
		r = LNOB_E_CORRUPT;
	}
	return r;
}

int agg_nomination_put(store_t *st, MDB_txn *txn, const char *key,
		       const Lnob__NominationRecord *rec)
{
	return agg_msg_put(st, txn, AGG_DB_NOMINATIONS, key, strlen(key), &rec->base, 0);
}

/* agg_nomination_foreach()'s walk. */
typedef struct s_nom_walk {
	agg_nomination_fn fn;
	void *ctx;
} s_nom_walk_t;

static int s_nomination_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_nom_walk_t *w = ctx;
	char key[AGG_KEY_MAX + 1];
	ProtobufCMessage *m;
	int r;

	if (k->mv_size > AGG_KEY_MAX)
		return LNOB_E_CORRUPT;
	memcpy(key, k->mv_data, k->mv_size);
	key[k->mv_size] = '\0';
	if ((r = agg_msg_unpack(v, &lnob__nomination_record__descriptor, &m)) < 0)
		return r;
	r = ((Lnob__NominationRecord *)m)->nomination
		    ? w->fn(w->ctx, key, (Lnob__NominationRecord *)m) : LNOB_E_CORRUPT;
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

int agg_nomination_foreach(store_t *st, MDB_txn *txn, agg_nomination_fn fn, void *ctx)
{
	s_nom_walk_t w = { .fn = fn, .ctx = ctx };

	return store_foreach(txn, store_dbi(st, AGG_DB_NOMINATIONS), NULL, 0, s_nomination_entry, &w);
}

/* The stage key: the nomination's key, a 0 byte, index(8). */
static size_t s_stage_key(uint8_t *out, const char *key, uint64_t index)
{
	size_t n = strlen(key);

	if (n + 1 + 8 > AGG_KEY_MAX)
		return 0;
	memcpy(out, key, n + 1);
	lnob_be64_put(out + n + 1, index);
	return n + 1 + 8;
}

int agg_stage_get(store_t *st, MDB_txn *txn, const char *key, uint64_t index,
		  Lnob__StageRecord **ret)
{
	uint8_t k[AGG_KEY_MAX];

	return agg_msg_get(st, txn, AGG_DB_STAGES, k, s_stage_key(k, key, index),
			   &lnob__stage_record__descriptor, (ProtobufCMessage **)ret);
}

int agg_stage_put(store_t *st, MDB_txn *txn, const char *key, uint64_t index,
		  const Lnob__StageRecord *rec)
{
	uint8_t k[AGG_KEY_MAX];

	return agg_msg_put(st, txn, AGG_DB_STAGES, k, s_stage_key(k, key, index), &rec->base,
			   MDB_NOOVERWRITE);
}
