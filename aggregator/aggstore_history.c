/* aggstore_history.c: the revision history of the aggregator's store:
 * loading it (whole, or only the tips a new revision is judged against),
 * writing one revision, and THE RULES that judge it (see aggstore.h). */
#include "aggstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "lnob_err.h"
#include "snapshot.h"
#include "util.h"

int agg_history_push(agg_history_t *h, const agg_rev_t *rev)
{
	if (lnob_grow(&h->v, h->n, &h->cap, sizeof(*h->v), 8) < 0)
		return -ENOMEM;
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
	Lnob__Envelope *env = NULL;
	MDB_val ev;
	int r = agg_envelope_raw(st, txn, rev->signer, rev->seq, &ev);

	if (r == LNOB_E_NOTFOUND)
		return LNOB_E_CORRUPT;   /* history names an envelope the log lacks */
	if (r < 0)
		return r;
	if (envelope_open(ev.mv_data, ev.mv_size, SIZE_MAX / 2, &env) < 0)
		return LNOB_E_CORRUPT;
	r = snapshot_report_of_envelope(env, SIZE_MAX, &rev->report);
	lnob__envelope__free_unpacked(env, NULL);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		rev->report = NULL;
		return LNOB_E_CORRUPT;
	}
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

/* A walk over one unit's history entries (store_foreach). */
typedef struct s_hwalk {
	store_t *st;
	MDB_txn *txn;
	const uint8_t *prefix;     /* the unit prefix, with its separator */
	size_t plen;
	unsigned flags;
	uint32_t max_base;         /* s_load_peers: the highest base of the history */
	uint32_t base;             /* s_load_peers: the base of the tip */
	agg_history_t *h;
} s_hwalk_t;

static int s_load_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_hwalk_t *w = ctx;
	agg_rev_t rev;
	int r;

	if (k->mv_size < w->plen || memcmp(k->mv_data, w->prefix, w->plen) != 0)
		return 1;   /* past the unit */
	r = s_history_entry(w->st, w->txn, k, w->plen - 1, v, w->flags, &rev);
	if (r == 0 && (r = agg_history_push(w->h, &rev)) < 0 && rev.report)
		lnob__report__free_unpacked(rev.report, NULL);
	return r;
}

/* Appends the history entries of the unit (prefix of plen bytes, with its
 * separator) from key `from` (flen bytes) to h. */
static int s_load_from(store_t *st, MDB_txn *txn, const uint8_t *from, size_t flen, size_t plen,
		       unsigned flags, agg_history_t *h)
{
	s_hwalk_t w = { .st = st, .txn = txn, .prefix = from, .plen = plen, .flags = flags, .h = h };

	return store_foreach(txn, store_dbi(st, AGG_DB_REVISIONS), from, flen, s_load_entry, &w);
}

int agg_latest_rev(const Lnob__LatestRecord *lr, agg_rev_t *ret)
{
	agg_rev_t x;

	memset(&x, 0, sizeof(x));
	if (lr->revisions != 1 || lr->content.len != sizeof(x.content) ||
	    lr->base_revision >= lr->revision || lnob_strlcpy(x.signer, lr->signer, sizeof(x.signer)) < 0)
		return LNOB_E_CORRUPT;
	x.seq = lr->seq;
	x.revision = lr->revision;
	x.base_revision = lr->base_revision;
	x.completed_at = lr->completed_at;
	x.received_at = lr->received_at;
	memcpy(x.content, lr->content.data, sizeof(x.content));
	*ret = x;
	return 0;
}

/* The history of one revision kept in the unit's LatestRecord (schema 4)
 * into h, which is empty: nothing when the unit has no LatestRecord or its
 * history is in `revisions` (revisions > 1). */
static int s_load_latest(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			 const char *unit, unsigned flags, agg_history_t *h)
{
	Lnob__LatestRecord *lr = NULL;
	agg_rev_t x;
	int r = agg_latest_get(st, txn, campaign, period, unit, &lr);

	if (r == LNOB_E_NOTFOUND)
		return 0;
	if (r < 0)
		return r;
	r = lr->revisions == 1 ? agg_latest_rev(lr, &x) : 1;
	lnob__latest_record__free_unpacked(lr, NULL);
	if (r != 0)
		return r < 0 ? r : 0;
	if (flags & AGG_HISTORY_REPORTS)
		r = s_rev_report(st, txn, &x);
	if (r == 0 && (r = agg_history_push(h, &x)) < 0 && x.report)
		lnob__report__free_unpacked(x.report, NULL);
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
	if (r == 0 && ret->n == 0)
		r = s_load_latest(st, txn, campaign, period, unit, flags, ret);
	if (r == 0)
		agg_history_judge(ret);
	return r;
}

/* One entry of the base index: a peer at or below max_base with base b
 * (its key says all the members rule needs of it). */
static int s_peer_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_hwalk_t *w = ctx;
	const uint8_t *p = k->mv_data, *nul;
	size_t plen = w->plen, slen;
	agg_rev_t rev;

	(void)v;
	if (k->mv_size < plen + 8 + 2 + 8 || memcmp(p, w->prefix, plen) != 0 ||
	    lnob_be32_get(p + plen) != w->base)
		return 1;   /* past the base */
	memset(&rev, 0, sizeof(rev));
	rev.base_revision = w->base;
	rev.revision = lnob_be32_get(p + plen + 4);
	if (rev.revision > w->max_base)
		return 1;
	nul = memchr(p + plen + 8, 0, k->mv_size - plen - 8);
	slen = nul ? (size_t)(nul - (p + plen + 8)) : 0;
	if (!nul || slen == 0 || slen > LNOB_ID_MAX || (size_t)(p + k->mv_size - nul) != 9)
		return LNOB_E_CORRUPT;
	memcpy(rev.signer, p + plen + 8, slen);
	rev.signer[slen] = '\0';
	rev.seq = lnob_be64_get(nul + 1);
	return agg_history_push(w->h, &rev);
}

/* Appends the revisions at or below max_base with base b (from the base
 * index). */
static int s_load_peers(store_t *st, MDB_txn *txn, const uint8_t *prefix, size_t plen,
			uint32_t b, uint32_t max_base, agg_history_t *h)
{
	uint8_t from[AGG_KEY_MAX];
	s_hwalk_t w = { .st = st, .txn = txn, .prefix = prefix, .plen = plen, .max_base = max_base,
			.base = b, .h = h };

	memcpy(from, prefix, plen);
	lnob_be32_put(from + plen, b);
	lnob_be32_put(from + plen + 4, 0);
	return store_foreach(txn, store_dbi(st, AGG_DB_REVBASES), from, plen + 8, s_peer_entry, &w);
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

