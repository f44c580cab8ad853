/*
 * rollacc.h: the rollup accumulator: the rollups a batch of reports
 * changes, kept in memory keyed by (campaign, period, unit) and written
 * once per key at the end of the batch (rollacc_flush(), in the batch's
 * write transaction, before its commit), instead of a read-modify-write
 * of every rollup on the path to the root for every report.
 *
 * Two layers, so that one envelope's failure does not poison the batch:
 * rollacc_replace() stages a change ("pending"), computed with checked
 * arithmetic (sums.h) against the accumulated value (the stored one read
 * on the key's first use, plus what the batch committed since);
 * rollacc_commit() makes every pending change part of the batch, and
 * rollacc_rollback() drops them (the envelope was refused, its nested
 * transaction aborted). A refused change (LNOB_E_OVERFLOW,
 * LNOB_E_CORRUPT) leaves the accumulated value as it was.
 *
 * While a batch holds entries, its write transaction must not change the
 * rollups database other than through it (the stored values it read would
 * be stale). Not thread-safe: one per write transaction.
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_ROLLACC_H
#define LNOB_ROLLACC_H

#include <stddef.h>
#include <stdint.h>

#include "aggstore.h"
#include "sums.h"

typedef struct rollacc rollacc_t;

/* A new, empty accumulator (caller owns: rollacc_destroy), or NULL. */
rollacc_t *rollacc_new(void);
/* Frees *self_p (NULL accepted) and nulls it; what it holds unwritten is
 * lost. */
void rollacc_destroy(rollacc_t **self_p);

/* Stages, for the rollup of (campaign, period, unit), the replacement of
 * one report's values oldv[0..oldn-1] by newv[0..newn-1] (sums_replace()),
 * units_reported growing by added (0 or 1). The value it starts from is
 * the key's pending one, else its accumulated one, else the stored rollup
 * read in txn. Returns 0; LNOB_E_OVERFLOW (a sum would exceed SUMS_MAX;
 * *ret_code, may be NULL, gets the indicator's code, borrowed from newv)
 * or LNOB_E_CORRUPT (the rollup does not add up; *ret_code gets the code
 * or ""), nothing staged for the key; LNOB_E_INVALID (parts too long);
 * -ENOMEM; or a store error. */
int rollacc_replace(rollacc_t *self, store_t *st, MDB_txn *txn, const char *campaign,
		    const char *period, const char *unit, Lnob__IndicatorValue *const *oldv,
		    size_t oldn, Lnob__IndicatorValue *const *newv, size_t newn, uint32_t added,
		    const char **ret_code);
/* Makes every pending change accumulated. */
void rollacc_commit(rollacc_t *self);
/* Drops every pending change. */
void rollacc_rollback(rollacc_t *self);

/* Writes every accumulated rollup that changed into txn, one
 * agg_rollup_save() per key, in key order, and empties the accumulator (pending changes dropped).
 * Returns 0, -ENOMEM or a store error (then the caller aborts txn; the
 * accumulator is emptied all the same). */
int rollacc_flush(rollacc_t *self, store_t *st, MDB_txn *txn);

/* Keys held (accumulated or pending), and of those the ones changed. */
size_t rollacc_keys(const rollacc_t *self);
size_t rollacc_changed(const rollacc_t *self);

#endif
