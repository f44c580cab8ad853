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
	"nominations", "stages", "revision_bases",
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

size_t agg_key_revbase(uint8_t *out, const char *campaign, const char *period,
		       const char *unit, uint32_t base, uint32_t revision, const char *signer,
		       uint64_t seq)
{
	size_t off = agg_key_unit(out, campaign, period, unit), n = strlen(signer);

	if (!off || off + 1 + 8 + n + 1 + 8 > AGG_KEY_MAX)
		return 0;
	out[off++] = 0;
	lnob_be32_put(out + off, base);
	lnob_be32_put(out + off + 4, revision);
	off += 8;
	memcpy(out + off, signer, n + 1);
	off += n + 1;
	lnob_be64_put(out + off, seq);
	return off + 8;
}

/* Packs msg and puts it under the unit key in db. */
static int s_unit_put(store_t *st, MDB_txn *txn, int db, const ProtobufCMessage *msg,
		      const char *campaign, const char *period, const char *unit)
{
	uint8_t key[AGG_KEY_MAX], *buf = NULL;
	size_t klen = agg_key_unit(key, campaign, period, unit), len;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	if ((r = codec_pack(msg, &buf, &len)) < 0)
		return r;
	r = store_put(txn, store_dbi(st, (size_t)db), key, klen, buf, len, 0);
	free(buf);
	return r;
}

int agg_rollup_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, const sums_t *s, uint32_t units_reported)
{
	Lnob__RollupRecord rec = LNOB__ROLLUP_RECORD__INIT;

	rec.sums = s->v;
	rec.n_sums = s->n;
	rec.units = s->units;
	rec.n_units = s->n;
	rec.units_reported = units_reported;
	return s_unit_put(st, txn, AGG_DB_ROLLUPS, &rec.base, campaign, period, unit);
}

int agg_latest_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, const Lnob__LatestRecord *rec)
{
	return s_unit_put(st, txn, AGG_DB_LATEST, &rec->base, campaign, period, unit);
}

int agg_conflict_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, const agg_history_t *h, int64_t detected_at)
{
	Lnob__ConflictRecord rec = LNOB__CONFLICT_RECORD__INIT;
	Lnob__ConflictMember *mem;
	Lnob__ConflictMember **memp;
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit), k = 0;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	if (!h) {
		r = store_del(txn, store_dbi(st, AGG_DB_CONFLICTS), key, klen);
		return r == LNOB_E_NOTFOUND ? 0 : r;
	}
	mem = calloc(h->n ? h->n : 1, sizeof(*mem));
	memp = calloc(h->n ? h->n : 1, sizeof(*memp));
	if (!mem || !memp) {
		free(mem);
		free(memp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < h->n; i++) {
		if (!h->v[i].member)
			continue;
		lnob__conflict_member__init(&mem[k]);
		mem[k].signer = (char *)h->v[i].signer;
		mem[k].seq = h->v[i].seq;
		mem[k].revision = h->v[i].revision;
		mem[k].base_revision = h->v[i].base_revision;
		memp[k] = &mem[k];
		k++;
	}
	rec.members = memp;
	rec.n_members = k;
	rec.detected_at = detected_at;
	r = s_unit_put(st, txn, AGG_DB_CONFLICTS, &rec.base, campaign, period, unit);
	free(mem);
	free(memp);
	return r;
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
	       (other || memcmp(a->content, b->content, sizeof(a->content)) != 0);
}

/* (signer, seq) order: -1, 0, 1. */
static int s_rev_cmp_id(const agg_rev_t *a, const agg_rev_t *b)
{
	int c = strcmp(a->signer, b->signer);

	if (c)
		return c < 0 ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Counts the member flags of h into members and member_max. */
static void s_count_members(agg_history_t *h)
{
	h->members = 0;
	h->member_max = 0;
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].member) {
			h->members++;
			if (h->v[i].revision > h->member_max)
				h->member_max = h->v[i].revision;
		}
}

void agg_history_judge(agg_history_t *h)
{
	uint32_t max_base = 0;

	h->current = h->first = -1;
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
	/* The reference: every pair, as THE RULES say it. */
	for (size_t i = 0; i < h->n; i++)
		for (size_t j = i + 1; j < h->n; j++) {
			uint32_t top = h->v[i].revision > h->v[j].revision ? h->v[i].revision
									  : h->v[j].revision;

			if (max_base >= top || !agg_rev_conflicts(&h->v[i], &h->v[j]))
				continue;   /* resolved, or no conflict */
			h->v[i].member = h->v[j].member = true;
		}
	s_count_members(h);
}

/* qsort_r order of history indices by (base_revision, signer). */
static int s_cmp_base(const void *a, const void *b, void *ctx)
{
	const agg_rev_t *v = ctx, *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];

	if (x->base_revision != y->base_revision)
		return x->base_revision < y->base_revision ? -1 : 1;
	return strcmp(x->signer, y->signer);
}

/* Members by shared base: among the revisions idx[lo..hi) of one base, a
 * pair of different signers conflicts when one of them is above m. */
static void s_base_group(agg_rev_t *v, const size_t *idx, size_t lo, size_t hi, uint32_t m)
{
	const char *all = NULL, *tip = NULL;
	bool all2 = false, tip2 = false;

	for (size_t k = lo; k < hi; k++) {
		const agg_rev_t *x = &v[idx[k]];

		if (!all)
			all = x->signer;
		else if (strcmp(all, x->signer) != 0)
			all2 = true;
		if (x->revision > m) {
			if (!tip)
				tip = x->signer;
			else if (strcmp(tip, x->signer) != 0)
				tip2 = true;
		}
	}
	for (size_t k = lo; k < hi; k++) {
		agg_rev_t *x = &v[idx[k]];

		if (x->revision > m ? all2 : (tip2 || (tip && strcmp(tip, x->signer) != 0)))
			x->member = true;
	}
}

int agg_history_judge_members(agg_history_t *h, uint32_t max_base)
{
	size_t *idx = malloc((h->n ? h->n : 1) * sizeof(*idx)), lo = 0;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < h->n; i++) {
		idx[i] = i;
		h->v[i].member = false;
	}
	if (h->n)
		qsort_r(idx, h->n, sizeof(*idx), s_cmp_base, h->v);
	for (size_t k = 1; k <= h->n; k++)
		if (k == h->n || h->v[idx[k]].base_revision != h->v[idx[lo]].base_revision) {
			s_base_group(h->v, idx, lo, k, max_base);
			lo = k;
		}
	/* Members by shared revision number (key order groups them): above
	 * max_base, all of a group when it is not one (signer, content). */
	for (size_t i = 0, j; i < h->n; i = j) {
		bool mixed = false;

		for (j = i + 1; j < h->n && h->v[j].revision == h->v[i].revision; j++)
			mixed = mixed || strcmp(h->v[j].signer, h->v[i].signer) != 0 ||
				memcmp(h->v[j].content, h->v[i].content, sizeof(h->v[i].content)) != 0;
		for (size_t k = i; mixed && h->v[i].revision > max_base && k < j; k++)
			h->v[k].member = true;
	}
	free(idx);
	s_count_members(h);
	return 0;
}

/* Parses "\0 rev(4) \0 signer \0 seq(8)", the part of a history key after
 * the unit prefix, into rev. */
static int s_rev_key(const uint8_t *p, const uint8_t *end, agg_rev_t *rev)
{
	const uint8_t *nul;
	size_t slen;

	if (end - p < 1 + 4 + 1 + 1 + 1 + 8 || p[0] != 0 || p[5] != 0)
		return LNOB_E_CORRUPT;
	rev->revision = lnob_be32_get(p + 1);
	p += 6;
	nul = memchr(p, 0, (size_t)(end - p));
	if (!nul || end - nul != 1 + 8 || (slen = (size_t)(nul - p)) == 0 || slen > LNOB_ID_MAX)
		return LNOB_E_CORRUPT;
	memcpy(rev->signer, p, slen);
	rev->signer[slen] = '\0';
	rev->seq = lnob_be64_get(nul + 1);
	return 0;
}

/* Decodes a RevisionRecord value into rev. */
static int s_rev_value(const MDB_val *v, agg_rev_t *rev)
{
	ProtobufCMessage *m;
	Lnob__RevisionRecord *rr;
	int r = 0;

	if (codec_unpack(&lnob__revision_record__descriptor,
			 v->mv_size ? v->mv_data : (const uint8_t *)"", v->mv_size, v->mv_size, &m) < 0)
		return LNOB_E_CORRUPT;
	rr = (Lnob__RevisionRecord *)m;
	if (rr->content.len != sizeof(rev->content) || rr->base_revision >= rev->revision)
		r = LNOB_E_CORRUPT;
	else
		memcpy(rev->content, rr->content.data, sizeof(rev->content));
	rev->base_revision = rr->base_revision;
	rev->received_at = rr->received_at;
	rev->completed_at = rr->completed_at;
	lnob__revision_record__free_unpacked(rr, NULL);
	return r;
}

/* Decodes the report of rev from its envelope in the log. */
static int s_rev_report(store_t *st, MDB_txn *txn, agg_rev_t *rev)
{
	uint8_t ekey[AGG_KEY_MAX];
	size_t elen = agg_key_envelope(ekey, rev->signer, rev->seq);
	Lnob__Envelope *env = NULL;
	ProtobufCMessage *m;
	MDB_val ev;
	int r = store_get(txn, store_dbi(st, AGG_DB_ENVELOPES), ekey, elen, &ev);

	if (r == LNOB_E_NOTFOUND)
		return LNOB_E_CORRUPT;   /* history names an envelope the log lacks */
	if (r < 0)
		return r;
	if (envelope_open(ev.mv_data, ev.mv_size, SIZE_MAX / 2, &env) < 0)
		return LNOB_E_CORRUPT;
	r = codec_unpack(&lnob__report__descriptor, env->body.len ? env->body.data : (const uint8_t *)"",
			 env->body.len, SIZE_MAX, &m);
	lnob__envelope__free_unpacked(env, NULL);
	if (r < 0)
		return LNOB_E_CORRUPT;
	rev->report = (Lnob__Report *)m;
	if (rev->report->revision != rev->revision ||
	    rev->report->base_revision != rev->base_revision) {
		lnob__report__free_unpacked(rev->report, NULL);
		rev->report = NULL;
		return LNOB_E_CORRUPT;
	}
	return 0;
}

/* One history entry (key k past the unit prefix of plen bytes, value v). */
static int s_history_entry(store_t *st, MDB_txn *txn, const MDB_val *k, size_t plen,
			   const MDB_val *v, unsigned flags, agg_rev_t *rev)
{
	const uint8_t *p = (const uint8_t *)k->mv_data;
	int r;

	memset(rev, 0, sizeof(*rev));
	r = s_rev_key(p + plen, p + k->mv_size, rev);
	if (r == 0)
		r = s_rev_value(v, rev);
	if (r == 0 && (flags & AGG_HISTORY_REPORTS))
		r = s_rev_report(st, txn, rev);
	return r;
}

/* The unit prefix of history keys ("c\0p\0u\0") into prefix; its length,
 * or 0 when the parts do not fit. */
static size_t s_prefix(uint8_t *prefix, const char *campaign, const char *period, const char *unit)
{
	size_t plen = agg_key_unit(prefix, campaign, period, unit);

	if (!plen || plen + 1 + 8 > AGG_KEY_MAX)
		return 0;
	prefix[plen] = 0;   /* the separator before rev(4) or base(4) */
	return plen + 1;
}

/* Appends the history entries of db revisions from key `from` (flen
 * bytes, starting with the unit prefix of plen bytes) to the end of the
 * unit's entries. */
static int s_load_from(store_t *st, MDB_txn *txn, const uint8_t *from, size_t flen, size_t plen,
		       unsigned flags, agg_history_t *h)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r, mr;

	if ((r = mdb_cursor_open(txn, store_dbi(st, AGG_DB_REVISIONS), &cur)) != 0)
		return r > 0 ? -r : r;
	k.mv_data = (void *)from;
	k.mv_size = flen;
	for (mr = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		agg_rev_t rev;

		if (k.mv_size < plen || memcmp(k.mv_data, from, plen) != 0)
			break;
		r = s_history_entry(st, txn, &k, plen - 1, &v, flags, &rev);
		if (r == 0 && (r = agg_history_push(h, &rev)) < 0 && rev.report)
			lnob__report__free_unpacked(rev.report, NULL);
		if (r < 0)
			goto out;
	}
	r = mr != 0 && mr != MDB_NOTFOUND ? (mr > 0 ? -mr : mr) : 0;
out:
	mdb_cursor_close(cur);
	return r;
}

int agg_history_load(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, unsigned flags, agg_history_t *ret)
{
	uint8_t prefix[AGG_KEY_MAX];
	size_t plen = s_prefix(prefix, campaign, period, unit);
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->current = ret->first = -1;
	if (!plen)
		return LNOB_E_INVALID;
	r = s_load_from(st, txn, prefix, plen, plen, flags, ret);
	if (r == 0)
		agg_history_judge(ret);
	return r;
}

/* Appends the revisions at or below max_base with base b (from the base
 * index; their keys say all the members rule needs of them). */
static int s_load_peers(store_t *st, MDB_txn *txn, const uint8_t *prefix, size_t plen,
			uint32_t b, uint32_t max_base, agg_history_t *h)
{
	uint8_t from[AGG_KEY_MAX];
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r, mr;

	memcpy(from, prefix, plen);
	lnob_be32_put(from + plen, b);
	lnob_be32_put(from + plen + 4, 0);
	if ((r = mdb_cursor_open(txn, store_dbi(st, AGG_DB_REVBASES), &cur)) != 0)
		return r > 0 ? -r : r;
	k.mv_data = from;
	k.mv_size = plen + 8;
	for (mr = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *p = k.mv_data, *nul;
		agg_rev_t rev;
		size_t slen;

		if (k.mv_size < plen + 8 + 2 + 8 || memcmp(p, from, plen + 4) != 0)
			break;
		memset(&rev, 0, sizeof(rev));
		rev.base_revision = b;
		rev.revision = lnob_be32_get(p + plen + 4);
		if (rev.revision > max_base)
			break;
		nul = memchr(p + plen + 8, 0, k.mv_size - plen - 8);
		slen = nul ? (size_t)(nul - (p + plen + 8)) : 0;
		if (!nul || slen == 0 || slen > LNOB_ID_MAX || (size_t)(p + k.mv_size - nul) != 9) {
			r = LNOB_E_CORRUPT;
			goto out;
		}
		memcpy(rev.signer, p + plen + 8, slen);
		rev.signer[slen] = '\0';
		rev.seq = lnob_be64_get(nul + 1);
		if ((r = agg_history_push(h, &rev)) < 0)
			goto out;
	}
	r = mr != 0 && mr != MDB_NOTFOUND ? (mr > 0 ? -mr : mr) : 0;
out:
	mdb_cursor_close(cur);
	return r;
}

/* qsort order of revisions by key: revision, signer, seq. */
static int s_cmp_key(const void *a, const void *b)
{
	const agg_rev_t *x = a, *y = b;

	if (x->revision != y->revision)
		return x->revision < y->revision ? -1 : 1;
	return s_rev_cmp_id(x, y);
}

int agg_history_tips(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, uint32_t max_base, agg_history_t *ret)
{
	uint8_t prefix[AGG_KEY_MAX], from[AGG_KEY_MAX];
	size_t plen = s_prefix(prefix, campaign, period, unit), ntips;
	agg_history_t tips;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->current = ret->first = -1;
	if (!plen || max_base == UINT32_MAX)
		return LNOB_E_INVALID;
	memcpy(from, prefix, plen);
	lnob_be32_put(from + plen, max_base + 1);
	memset(&tips, 0, sizeof(tips));
	r = s_load_from(st, txn, from, plen + 4, plen, 0, &tips);
	ntips = tips.n;
	/* The peers: at or below max_base, sharing a tip's base. */
	for (size_t i = 0; r == 0 && i < ntips; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = tips.v[j].base_revision == tips.v[i].base_revision;
		if (!seen && tips.v[i].base_revision <= max_base)
			r = s_load_peers(st, txn, prefix, plen, tips.v[i].base_revision, max_base, ret);
	}
	for (size_t i = 0; r == 0 && i < ntips; i++)
		r = agg_history_push(ret, &tips.v[i]);
	free(tips.v);
	if (r == 0) {
		if (ret->n)
			qsort(ret->v, ret->n, sizeof(*ret->v), s_cmp_key);
		r = agg_history_judge_members(ret, max_base);
	}
	return r;
}

int agg_revision_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, const agg_rev_t *rev)
{
	Lnob__RevisionRecord rec = LNOB__REVISION_RECORD__INIT;
	uint8_t key[AGG_KEY_MAX], *buf = NULL;
	size_t klen = agg_key_revision(key, campaign, period, unit, rev->revision, rev->signer,
				       rev->seq), len;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	rec.received_at = rev->received_at;
	rec.base_revision = rev->base_revision;
	rec.completed_at = rev->completed_at;
	rec.content.data = (uint8_t *)rev->content;
	rec.content.len = sizeof(rev->content);
	if ((r = codec_pack(&rec.base, &buf, &len)) < 0)
		return r;
	r = store_put(txn, store_dbi(st, AGG_DB_REVISIONS), key, klen, buf, len, 0);
	free(buf);
	klen = agg_key_revbase(key, campaign, period, unit, rev->base_revision, rev->revision,
			       rev->signer, rev->seq);
	if (r == 0)
		r = klen ? store_put(txn, store_dbi(st, AGG_DB_REVBASES), key, klen, "", 0, 0)
			 : LNOB_E_INVALID;
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
