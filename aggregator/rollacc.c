/* rollacc.c: the rollup accumulator of a batch (see rollacc.h): a hash
 * table of entries keyed by the rollups' own key bytes, each with its
 * accumulated and its pending value. */
#include "rollacc.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

typedef struct s_entry {
	sums_t s, ps;                 /* accumulated; pending (when pending) */
	uint32_t reported, preported; /* units_reported of each */
	bool pending, changed;
	size_t klen;
	uint8_t key[];                /* agg_key_unit() */
} s_entry_t;

struct rollacc {
	s_entry_t **slots;            /* open addressing, cap a power of 2 */
	size_t cap;
	s_entry_t **all;              /* every entry, in the order of first use */
	size_t n, all_cap;
	s_entry_t **pend;             /* entries with a pending change */
	size_t npend, pend_cap;
	size_t changed;
};

rollacc_t *rollacc_new(void)
{
	return calloc(1, sizeof(rollacc_t));
}

/* FNV-1a of the key bytes. */
static size_t s_hash(const uint8_t *k, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ k[i]) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot of key: the entry's, or the empty one it would take. */
static s_entry_t **s_slot(s_entry_t **slots, size_t cap, const uint8_t *k, size_t len)
{
	size_t i = s_hash(k, len) & (cap - 1);

	while (slots[i] && (slots[i]->klen != len || memcmp(slots[i]->key, k, len) != 0))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Doubles the table (at least 64 slots) when it is half full. */
static int s_grow(rollacc_t *self)
{
	s_entry_t **slots;
	size_t cap;

	if (self->cap && self->n + 1 <= self->cap / 2)
		return 0;
	cap = self->cap ? self->cap * 2 : 64;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < self->n; i++)
		*s_slot(slots, cap, self->all[i]->key, self->all[i]->klen) = self->all[i];
	free(self->slots);
	self->slots = slots;
	self->cap = cap;
	return 0;
}

/* A new entry for key holding the stored rollup read in txn. */
static int s_load(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		  const char *unit, const uint8_t *key, size_t klen, s_entry_t **ret)
{
	Lnob__RollupRecord *rec = NULL;
	s_entry_t *e = calloc(1, sizeof(*e) + klen);
	int r = e ? agg_rollup_get(st, txn, campaign, period, unit, &rec) : -ENOMEM;

	if (r == 0)
		r = sums_load(&e->s, rec->sums, rec->n_sums, rec->units, rec->n_units);
	if (r == 0) {
		e->reported = rec->units_reported;
		e->klen = klen;
		memcpy(e->key, key, klen);
		*ret = e;
	} else {
		free(e);
	}
	if (rec)
		lnob__rollup_record__free_unpacked(rec, NULL);
	return r;
}

/* The entry of (campaign, period, unit), loaded on first use. */
static int s_entry(rollacc_t *self, store_t *st, MDB_txn *txn, const char *campaign,
		   const char *period, const char *unit, s_entry_t **ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);
	s_entry_t **slot, *e = NULL;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	if (self->cap && (e = *s_slot(self->slots, self->cap, key, klen)) != NULL) {
		*ret = e;
		return 0;
	}
	if (s_grow(self) < 0 ||
	    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	    lnob_grow(&self->all, self->n, &self->all_cap, sizeof(*self->all), 16) < 0)
		return -ENOMEM;
	if ((r = s_load(st, txn, campaign, period, unit, key, klen, &e)) < 0)
		return r;
	slot = s_slot(self->slots, self->cap, key, klen);
	*slot = e;
	self->all[self->n++] = e;
	*ret = e;
	return 0;
}

int rollacc_replace(rollacc_t *self, store_t *st, MDB_txn *txn, const char *campaign,
		    const char *period, const char *unit, Lnob__IndicatorValue *const *oldv,
		    size_t oldn, Lnob__IndicatorValue *const *newv, size_t newn, uint32_t added,
		    const char **ret_code)
{
	s_entry_t *e = NULL;
	sums_t t = { 0 };
	const sums_t *from;
	uint32_t reported;
	int r;

	assert(self && added <= 1);
	if (ret_code)
		*ret_code = "";
	r = s_entry(self, st, txn, campaign, period, unit, &e);
	if (r < 0)
		return r;
	assert(e);
	from = e->pending ? &e->ps : &e->s;
	reported = e->pending ? e->preported : e->reported;
	if (reported > UINT32_MAX - added)
		return LNOB_E_CORRUPT;
	if (!e->pending &&
	    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	    lnob_grow(&self->pend, self->npend, &self->pend_cap, sizeof(*self->pend), 16) < 0)
		return -ENOMEM;
	r = sums_load(&t, from->v, from->n, from->units, from->n);
	if (r == 0)
		r = sums_replace(&t, oldv, oldn, newv, newn, ret_code);
	if (r < 0) {
		sums_clear(&t);
		return r;
	}
	if (e->pending)
		sums_clear(&e->ps);
	else
		self->pend[self->npend++] = e;
	e->ps = t;
	e->preported = reported + added;
	e->pending = true;
	return 0;
}

void rollacc_commit(rollacc_t *self)
{
	for (size_t i = 0; i < self->npend; i++) {
		s_entry_t *e = self->pend[i];

		sums_clear(&e->s);
		e->s = e->ps;
		memset(&e->ps, 0, sizeof(e->ps));
		e->reported = e->preported;
		e->pending = false;
		if (!e->changed)
			self->changed++;
		e->changed = true;
	}
	self->npend = 0;
}

void rollacc_rollback(rollacc_t *self)
{
	for (size_t i = 0; i < self->npend; i++) {
		sums_clear(&self->pend[i]->ps);
		self->pend[i]->pending = false;
	}
	self->npend = 0;
}

/* Frees every entry; the table stays allocated for the next batch. */
static void s_empty(rollacc_t *self)
{
	rollacc_rollback(self);
	for (size_t i = 0; i < self->n; i++) {
		sums_clear(&self->all[i]->s);
		free(self->all[i]);
	}
	if (self->cap)
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
		memset(self->slots, 0, self->cap * sizeof(*self->slots));
	self->n = 0;
	self->changed = 0;
}

void rollacc_destroy(rollacc_t **self_p)
{
	rollacc_t *self = self_p ? *self_p : NULL;

	if (!self)
		return;
	s_empty(self);
	free(self->slots);
	free(self->all);
	free(self->pend);
	free(self);
	*self_p = NULL;
}

/* qsort order of entries by key bytes, as LMDB's default compare. */
static int s_cmp_key(const void *a, const void *b)
{
	const s_entry_t *x = *(const s_entry_t *const *)a, *y = *(const s_entry_t *const *)b;
	int c = memcmp(x->key, y->key, x->klen < y->klen ? x->klen : y->klen);

	if (c)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* Writes one changed entry. */
static int s_put(store_t *st, MDB_txn *txn, const s_entry_t *e)
{
	char buf[AGG_KEY_MAX + 1];
	const char *c, *p, *u;
	MDB_val k = { e->klen, (void *)e->key };
	int r = agg_key_split(&k, buf, &c, &p, &u);

	return r < 0 ? r : agg_rollup_save(st, txn, c, p, u, &e->s, e->reported);
}

int rollacc_flush(rollacc_t *self, store_t *st, MDB_txn *txn)
{
	size_t k = 0;
	int r = 0;

	rollacc_rollback(self);
	/* The changed entries first, in key order (the untouched ones after):
	 * puts in key order touch each page of the B-tree once. */
	for (size_t i = 0; i < self->n; i++)
		if (self->all[i]->changed) {
			s_entry_t *t = self->all[k];

			self->all[k++] = self->all[i];
			self->all[i] = t;
		}
	if (k > 1)
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
		qsort(self->all, k, sizeof(*self->all), s_cmp_key);
	for (size_t i = 0; r == 0 && i < k; i++)
		r = s_put(st, txn, self->all[i]);
	s_empty(self);
	return r;
}

size_t rollacc_keys(const rollacc_t *self)
{
	return self->n;
}

size_t rollacc_changed(const rollacc_t *self)
{
	return self->changed;
}
