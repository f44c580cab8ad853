/*
 * aggstore_metadata.h: the version of the metadata the aggregator
 * publishes (metadata_out.h), kept in the store's meta database as
 * "metadata_digest" (the content's digest, uint64) and "metadata_version".
 */
#ifndef LNOB_AGGSTORE_METADATA_H
#define LNOB_AGGSTORE_METADATA_H

#include <stdint.h>

#include "store.h"

/* The version for content of this digest: the recorded one when the
 * digest is the recorded one, else max(recorded + 1, now_s), recorded
 * with the digest, in a write transaction of its own. Returns 0 with
 * *ret, or a store code. */
int agg_metadata_version(store_t *st, uint64_t digest, int64_t now_s, uint64_t *ret);

#endif
