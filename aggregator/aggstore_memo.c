/*
 * aggstore_memo.c: a read's memo of latest records (see aggstore.h,
 * agg_memo_t). A view reads a unit's current report several times: its
 * rollup, its figures, its timeliness, its parent's figures and coverage;
 * since schema 4 each read decodes the envelope. The memo keeps each
 * (campaign, period, unit)'s record, with values, from its first read to
 * the memo's end, in a tree (tsearch()) keyed by the unit key's bytes.
 */
#include "aggstore.h"
#include "aggstore_int.h"

#include <errno.h>
#include <search.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"

/* One unit's read: its record, or r (LNOB_E_NOTFOUND, LNOB_E_INVALID). */
typedef struct s_entry {
	Lnob__LatestRecord *lr;
	int r;
	size_t klen;
	uint8_t key[];
} s_entry_t;

struct agg_memo {
	void *root;                /* tsearch() tree of s_entry_t */
};

static int s_entry_cmp(const void *a, const void *b)
{
	const s_entry_t *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

static void s_entry_free(void *p)
{
	s_entry_t *e = p;

	if (e->lr)
		lnob__latest_record__free_unpacked(e->lr, NULL);
	free(e);
}

agg_memo_t *agg_memo_new(void)
{
	return calloc(1, sizeof(agg_memo_t));
}

void agg_memo_free(agg_memo_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	tdestroy((*self_p)->root, s_entry_free);
	free(*self_p);
	*self_p = NULL;
}

/* The entry of key (read now when new). Returns it or NULL (-ENOMEM, or a
 * store error in *ret_r: not remembered). */
static s_entry_t *s_entry(store_t *st, MDB_txn *txn, agg_memo_t *m, const uint8_t *key,
			  size_t klen, const char *campaign, const char *period, const char *unit,
			  int *ret_r)
{
	/* The probe on the stack: a memo's hit allocates nothing. */
	_Alignas(max_align_t) uint8_t probe[sizeof(s_entry_t) + AGG_KEY_MAX];
	s_entry_t *e = (s_entry_t *)probe, **node;

	e->klen = klen;
	memcpy(e->key, key, klen);
	*ret_r = 0;
	if ((node = tfind(e, &m->root, s_entry_cmp)))
		return *node;
	*ret_r = -ENOMEM;
	if (!(e = malloc(sizeof(*e) + klen)))
		return NULL;
	e->klen = klen;
	memcpy(e->key, key, klen);
	e->lr = NULL;
	e->r = agg_latest_load(st, txn, campaign, period, unit, AGG_LATEST_VALUES, &e->lr);
	if (e->r < 0 && e->r != LNOB_E_NOTFOUND && e->r != LNOB_E_INVALID) {
		*ret_r = e->r;
		s_entry_free(e);
		return NULL;
	}
	if (!tsearch(e, &m->root, s_entry_cmp)) {
		s_entry_free(e);
		return NULL;
	}
	*ret_r = 0;
	return e;
}

int agg_latest_memo(store_t *st, MDB_txn *txn, agg_memo_t *memo, const char *campaign,
		    const char *period, const char *unit, const Lnob__LatestRecord **ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);
	s_entry_t *e;
	int r;

	*ret = NULL;
	if (!klen)
		return LNOB_E_INVALID;
	if (!(e = s_entry(st, txn, memo, key, klen, campaign, period, unit, &r)))
		return r;
	*ret = e->lr;
	return e->r;
}

int agg_rollup_memo(store_t *st, MDB_txn *txn, agg_memo_t *memo, const char *campaign,
		    const char *period, const char *unit, Lnob__RollupRecord **ret)
{
	const Lnob__LatestRecord *lr = NULL;
	int r = agg_rollup_stored(st, txn, campaign, period, unit, ret);

	if (r != LNOB_E_NOTFOUND)
		return r;
	r = agg_latest_memo(st, txn, memo, campaign, period, unit, &lr);
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	return agg_rollup_of_latest(lr, ret);
}
