/* aggstore.c: the aggregator's databases, keys, nodes and counters
 * (see aggstore.h). */
#include "aggstore.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "identity.h"
#include "lnob_err.h"
#include "util.h"

static const char *const s_dbs[AGG_DB_COUNT] = {
	"envelopes", "latest", "revisions", "rollups", "nodes",
	"curvekeys", "counters", "quarantine", "peers", "conflicts",
	"approvals", "amendments", "amendment_log",
	"nominations", "stages",
};

static const char *const s_reasons[] = {
	"unspecified", "malformed", "unknown_signer", "revoked_signer", "bad_signature",
	"out_of_scope", "too_large", "seq_reused", "unknown_kind", "unknown_unit",
	"invalid", "store_failed", "unknown_campaign", "unknown_indicator",
	"unknown_nomination", "bad_stage", "wrong_level",
};

static const char *const s_counters[AGG_C_REJECTED_BASE] = {
	"stored", "duplicate", "quarantined", "conflict", "zap_denied", "store_failed",
};

const char *agg_reason_name(int reason)
{
	if (reason < 0 || (size_t)reason >= sizeof(s_reasons) / sizeof(s_reasons[0]))
		return "unknown";
	return s_reasons[reason];
}

const char *agg_counter_name(int c)
{
	static char names[AGG_C_COUNT][48];

	if (c < 0 || c >= AGG_C_COUNT)
		return "unknown";
	if (c < AGG_C_REJECTED_BASE)
		return s_counters[c];
	if (c == AGG_C_AMENDED)
		return "amended";
	if (!names[c][0])
		snprintf(names[c], sizeof(names[c]), "rejected_%s",
			 agg_reason_name(c - AGG_C_REJECTED_BASE));
	return names[c];
}

int aggstore_open(const char *dir, size_t map_size, unsigned flags, store_t **ret,
		  char *err, size_t errlen)
{
	return store_open(dir, AGG_SCHEMA, AGG_SCHEMA_VERSION, s_dbs, AGG_DB_COUNT,
			  map_size, flags, ret, err, errlen);
}

/* Appends a text part and its NUL; returns the new offset or 0 on overflow. */
static size_t s_part(uint8_t *out, size_t off, const char *s)
{
	size_t n = strlen(s);

	if (off + n + 1 > AGG_KEY_MAX)
		return 0;
	memcpy(out + off, s, n + 1);
	return off + n + 1;
}

size_t agg_key_envelope(uint8_t *out, const char *signer, uint64_t seq)
{
	size_t off = s_part(out, 0, signer);

	if (!off || off + 8 > AGG_KEY_MAX)
		return 0;
	lnob_be64_put(out + off, seq);
	return off + 8;
}

size_t agg_key_unit(uint8_t *out, const char *campaign, const char *period, const char *unit)
{
	size_t off = s_part(out, 0, campaign);

	if (off)
		off = s_part(out, off, period);
	if (off)
		off = s_part(out, off, unit);
	return off ? off - 1 : 0;   /* no trailing NUL */
}

int agg_counters_load(store_t *st, MDB_txn *txn, uint64_t c[AGG_C_COUNT])
{
	for (int i = 0; i < AGG_C_COUNT; i++) {
		const char *name = agg_counter_name(i);
		MDB_val v;
		int r = store_get(txn, store_dbi(st, AGG_DB_COUNTERS), name, strlen(name), &v);

		if (r == LNOB_E_NOTFOUND) {
			c[i] = 0;
			continue;
		}
		if (r < 0)
			return r;
		if (v.mv_size != 8)
			return LNOB_E_CORRUPT;
		c[i] = lnob_be64_get(v.mv_data);
	}
	return 0;
}

int agg_counters_save(store_t *st, MDB_txn *txn, const uint64_t c[AGG_C_COUNT])
{
	for (int i = 0; i < AGG_C_COUNT; i++) {
		const char *name = agg_counter_name(i);
		uint8_t b[8];
		int r;

		lnob_be64_put(b, c[i]);
		r = store_put(txn, store_dbi(st, AGG_DB_COUNTERS), name, strlen(name), b, 8, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

int agg_node_get(store_t *st, MDB_txn *txn, const char *node_id, Lnob__NodeRecord **ret)
{
	MDB_val v;
	ProtobufCMessage *m;
	int r = store_get(txn, store_dbi(st, AGG_DB_NODES), node_id, strlen(node_id), &v);

	if (r < 0)
		return r;
	r = codec_unpack(&lnob__node_record__descriptor, v.mv_data, v.mv_size, v.mv_size, &m);
	if (r < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__NodeRecord *)m;
	return 0;
}

int agg_node_by_curve(store_t *st, MDB_txn *txn, const uint8_t curve_pk[32], char *ret_id)
{
	MDB_val v;
	int r = store_get(txn, store_dbi(st, AGG_DB_CURVEKEYS), curve_pk, 32, &v);

	if (r < 0)
		return r;
	if (v.mv_size == 0 || v.mv_size > LNOB_ID_MAX)
		return LNOB_E_CORRUPT;
	memcpy(ret_id, v.mv_data, v.mv_size);
	ret_id[v.mv_size] = '\0';
	return 0;
}

int agg_node_put(store_t *st, MDB_txn *txn, const Lnob__NodeRecord *rec, bool replace)
{
	Lnob__NodeRecord *old = NULL;
	char other[LNOB_ID_MAX + 1];
	uint8_t *buf;
	size_t len;
	int r;

	if (rec->curve_public.len != 32 || rec->sign_public.len != 32)
		return LNOB_E_INVALID;
	r = agg_node_by_curve(st, txn, rec->curve_public.data, other);
	if (r == 0 && strcmp(other, rec->node_id) != 0)
		return LNOB_E_EXISTS;   /* another node holds this transport key */
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	r = agg_node_get(st, txn, rec->node_id, &old);
	if (r == 0) {
		if (!replace) {
			lnob__node_record__free_unpacked(old, NULL);
			return LNOB_E_EXISTS;
		}
		if (old->curve_public.len == 32)
			store_del(txn, store_dbi(st, AGG_DB_CURVEKEYS), old->curve_public.data, 32);
		lnob__node_record__free_unpacked(old, NULL);
	} else if (r != LNOB_E_NOTFOUND) {
		return r;
	}
	r = codec_pack(&rec->base, &buf, &len);
	if (r < 0)
		return r;
	r = store_put(txn, store_dbi(st, AGG_DB_NODES), rec->node_id, strlen(rec->node_id), buf, len, 0);
	free(buf);
	if (r < 0)
		return r;
	return store_put(txn, store_dbi(st, AGG_DB_CURVEKEYS), rec->curve_public.data, 32,
			 rec->node_id, strlen(rec->node_id), 0);
}

int agg_rollup_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, Lnob__RollupRecord **ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);
	MDB_val v = { 0, NULL };
	ProtobufCMessage *m;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	r = store_get(txn, store_dbi(st, AGG_DB_ROLLUPS), key, klen, &v);
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	if (r == LNOB_E_NOTFOUND)
		v.mv_size = 0;
	r = codec_unpack(&lnob__rollup_record__descriptor, v.mv_size ? v.mv_data : (const uint8_t *)"",
			 v.mv_size, SIZE_MAX, &m);
	if (r < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__RollupRecord *)m;
	return 0;
}

size_t agg_key_revision(uint8_t *out, const char *campaign, const char *period,
			const char *unit, uint32_t revision, const char *signer, uint64_t seq)
{
	size_t off = agg_key_unit(out, campaign, period, unit), n;

	if (!off || off + 1 + 4 + 1 > AGG_KEY_MAX)
		return 0;
	out[off++] = 0;
	lnob_be32_put(out + off, revision);
	off += 4;
	out[off++] = 0;
	n = strlen(signer);
	if (off + n + 1 + 8 > AGG_KEY_MAX)
		return 0;
	memcpy(out + off, signer, n + 1);
	off += n + 1;
	lnob_be64_put(out + off, seq);
	return off + 8;
}

/* Reads and unpacks one record of db under the unit key. */
static int s_unit_get(store_t *st, MDB_txn *txn, int db, const ProtobufCMessageDescriptor *d,
		      const char *campaign, const char *period, const char *unit,
		      ProtobufCMessage **ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);
	MDB_val v;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	r = store_get(txn, store_dbi(st, (size_t)db), key, klen, &v);
	if (r < 0)
		return r;
	if (codec_unpack(d, v.mv_size ? v.mv_data : (const uint8_t *)"", v.mv_size, SIZE_MAX, ret) < 0)
		return LNOB_E_CORRUPT;
	return 0;
}

int agg_latest_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, Lnob__LatestRecord **ret)
{
	return s_unit_get(st, txn, AGG_DB_LATEST, &lnob__latest_record__descriptor, campaign,
			  period, unit, (ProtobufCMessage **)ret);
}

int agg_conflict_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, Lnob__ConflictRecord **ret)
{
	return s_unit_get(st, txn, AGG_DB_CONFLICTS, &lnob__conflict_record__descriptor, campaign,
			  period, unit, (ProtobufCMessage **)ret);
}

int agg_history_push(agg_history_t *h, const agg_rev_t *rev)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		agg_rev_t *nv = realloc(h->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		h->v = nv;
		h->cap = cap;
	}
	h->v[h->n++] = *rev;
	return 0;
}

void agg_history_clear(agg_history_t *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].report)
			lnob__report__free_unpacked(h->v[i].report, NULL);
	free(h->v);
	memset(h, 0, sizeof(*h));
	h->current = h->first = -1;
}

bool agg_rev_conflicts(const agg_rev_t *a, const agg_rev_t *b)
{
	bool other = strcmp(a->signer, b->signer) != 0;

	if (!other && a->seq == b->seq)
		return false;   /* the same envelope */
	if (other && a->base_revision == b->base_revision)
		return true;
	return a->revision == b->revision &&
	       (other || memcmp(a->body_hash, b->body_hash, sizeof(a->body_hash)) != 0);
}

/* (signer, seq) order: -1, 0, 1. */
static int s_rev_cmp_id(const agg_rev_t *a, const agg_rev_t *b)
{
	int c = strcmp(a->signer, b->signer);

	if (c)
		return c < 0 ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void agg_history_judge(agg_history_t *h)
{
	uint32_t max_base = 0;

	h->current = h->first = -1;
	h->members = 0;
	h->member_max = 0;
	for (size_t i = 0; i < h->n; i++) {
		const agg_rev_t *x = &h->v[i];

		h->v[i].member = false;
		if (x->base_revision > max_base)
			max_base = x->base_revision;
		if (h->current < 0 || x->revision > h->v[h->current].revision ||
		    (x->revision == h->v[h->current].revision &&
		     s_rev_cmp_id(x, &h->v[h->current]) < 0))
			h->current = (int)i;
		if (h->first < 0 || x->revision < h->v[h->first].revision ||
		    (x->revision == h->v[h->first].revision &&
		     (x->received_at < h->v[h->first].received_at ||
		      (x->received_at == h->v[h->first].received_at &&
		       s_rev_cmp_id(x, &h->v[h->first]) < 0))))
			h->first = (int)i;
	}
	for (size_t i = 0; i < h->n; i++)
		for (size_t j = i + 1; j < h->n; j++) {
			uint32_t top = h->v[i].revision > h->v[j].revision ? h->v[i].revision
									  : h->v[j].revision;

			if (max_base >= top || !agg_rev_conflicts(&h->v[i], &h->v[j]))
				continue;   /* resolved, or no conflict */
			h->v[i].member = h->v[j].member = true;
		}
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].member) {
			h->members++;
			if (h->v[i].revision > h->member_max)
				h->member_max = h->v[i].revision;
		}
}

/* Fills rev from one history entry (key k past the unit prefix of plen
 * bytes, value v) and its envelope. */
static int s_history_entry(store_t *st, MDB_txn *txn, const MDB_val *k, size_t plen,
			   const MDB_val *v, agg_rev_t *rev)
{
	const uint8_t *p = (const uint8_t *)k->mv_data + plen, *end = (const uint8_t *)k->mv_data + k->mv_size;
	const uint8_t *nul;
	uint8_t ekey[AGG_KEY_MAX];
	size_t elen, slen;
	Lnob__Envelope *env = NULL;
	ProtobufCMessage *m;
	MDB_val ev;
	int r;

	memset(rev, 0, sizeof(*rev));
	/* \0 rev(4) \0 signer \0 seq(8) */
	if (end - p < 1 + 4 + 1 + 1 + 1 + 8 || p[0] != 0 || p[5] != 0)
		return LNOB_E_CORRUPT;
	rev->revision = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
	p += 6;
	nul = memchr(p, 0, (size_t)(end - p));
	if (!nul || end - nul != 1 + 8 || (slen = (size_t)(nul - p)) == 0 || slen > LNOB_ID_MAX)
		return LNOB_E_CORRUPT;
	memcpy(rev->signer, p, slen);
	rev->signer[slen] = '\0';
	rev->seq = lnob_be64_get(nul + 1);
	if (v->mv_size == 8)
		rev->received_at = (int64_t)lnob_be64_get(v->mv_data);
	else if (v->mv_size != 0)
		return LNOB_E_CORRUPT;

	elen = agg_key_envelope(ekey, rev->signer, rev->seq);
	r = store_get(txn, store_dbi(st, AGG_DB_ENVELOPES), ekey, elen, &ev);
	if (r == LNOB_E_NOTFOUND)
		return LNOB_E_CORRUPT;   /* history names an envelope the log lacks */
	if (r < 0)
		return r;
	if (envelope_open(ev.mv_data, ev.mv_size, SIZE_MAX / 2, &env) < 0)
		return LNOB_E_CORRUPT;
	crypto_hash_sha256(rev->body_hash, env->body.data, env->body.len);
	r = codec_unpack(&lnob__report__descriptor, env->body.len ? env->body.data : (const uint8_t *)"",
			 env->body.len, SIZE_MAX, &m);
	lnob__envelope__free_unpacked(env, NULL);
	if (r < 0)
		return LNOB_E_CORRUPT;
	rev->report = (Lnob__Report *)m;
	if (rev->report->revision != rev->revision) {
		lnob__report__free_unpacked(rev->report, NULL);
		rev->report = NULL;
		return LNOB_E_CORRUPT;
	}
	rev->base_revision = rev->report->base_revision;
	rev->completed_at = rev->report->completed_at;
	return 0;
}

int agg_history_load(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, agg_history_t *ret)
{
	uint8_t prefix[AGG_KEY_MAX];
	size_t plen = agg_key_unit(prefix, campaign, period, unit);
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r, mr;

	memset(ret, 0, sizeof(*ret));
	ret->current = ret->first = -1;
	if (!plen || plen + 1 > AGG_KEY_MAX)
		return LNOB_E_INVALID;
	prefix[plen] = 0;   /* the separator before rev(4) */
	if ((r = mdb_cursor_open(txn, store_dbi(st, AGG_DB_REVISIONS), &cur)) != 0)
		return r > 0 ? -r : r;
	k.mv_data = prefix;
	k.mv_size = plen + 1;
	for (mr = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		agg_rev_t rev;

		if (k.mv_size < plen + 1 || memcmp(k.mv_data, prefix, plen + 1) != 0)
			break;
		r = s_history_entry(st, txn, &k, plen, &v, &rev);
		if (r == 0 && (r = agg_history_push(ret, &rev)) < 0)
			lnob__report__free_unpacked(rev.report, NULL);
		if (r < 0)
			goto out;
	}
	if (mr != 0 && mr != MDB_NOTFOUND) {
		r = mr > 0 ? -mr : mr;
		goto out;
	}
	agg_history_judge(ret);
	r = 0;
out:
	mdb_cursor_close(cur);
	return r;
}

int agg_key_split(const MDB_val *k, char *buf, const char **c, const char **p, const char **u)
{
	char *a, *b;

	if (k->mv_size == 0 || k->mv_size > AGG_KEY_MAX)
		return LNOB_E_CORRUPT;
	memcpy(buf, k->mv_data, k->mv_size);
	buf[k->mv_size] = '\0';
	a = memchr(buf, '\0', k->mv_size);
	if (!a || a + 1 >= buf + k->mv_size)
		return LNOB_E_CORRUPT;
	b = memchr(a + 1, '\0', (size_t)(buf + k->mv_size - (a + 1)));
	if (!b || !b[1])
		return LNOB_E_CORRUPT;
	*c = buf;
	*p = a + 1;
	*u = b + 1;
	return 0;
}
