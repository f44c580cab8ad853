/*
 * aggstore_hierver.h: the records of the hierarchy's versions in the
 * store's meta database (hierversions.h decides what they hold): key
 * "hierarchy_version:" + the version's first day (YYYY-MM-DD, or
 * "0000-00-00" for the first version), value a HierarchyVersionRecord
 * (lnob.proto). Keys sort by day: a walk gives the versions oldest first.
 */
#ifndef LNOB_AGGSTORE_HIERVER_H
#define LNOB_AGGSTORE_HIERVER_H

#include <stddef.h>

#include "lnob.pb-c.h"
#include "store.h"

/* Calls fn(ctx, rec) for each stored version, oldest first; rec is fn's
 * (lnob__hierarchy_version_record__free_unpacked()). A negative return
 * of fn stops the walk and is returned. Returns 0, LNOB_E_CORRUPT (a record that does not decode), fn's
 * code or a store code. */
typedef int (*agg_hierver_fn)(void *ctx, Lnob__HierarchyVersionRecord *rec);
int agg_hierver_foreach(store_t *st, MDB_txn *txn, agg_hierver_fn fn, void *ctx);
/* Writes rec under its key (rec->valid_from, "" for the first) in txn,
 * a write transaction; refuses (LNOB_E_EXISTS) a key already there: a
 * version is never replaced. Returns 0, LNOB_E_EXISTS, -ENOMEM or a store
 * code. */
int agg_hierver_put(store_t *st, MDB_txn *txn, const Lnob__HierarchyVersionRecord *rec);

#endif
