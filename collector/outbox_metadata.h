/*
 * outbox_metadata.h: the outbox's store keeps the collector's metadata
 * record (collector/colmeta.h) in its meta database: "metadata" (a
 * serialized MetadataRecord) and "metadata_version" (uint64, 0: none),
 * and the aggregator's keys adopted from an announcement in it:
 * "aggregator_key" (a serialized AggregatorKeyRecord).
 */
#ifndef LNOB_OUTBOX_METADATA_H
#define LNOB_OUTBOX_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"

/* *ret: the version held (0: none). Returns 0 or an LMDB code. */
int outbox_metadata_version(outbox_t *self, uint64_t *ret);
/* A copy of the record in *ret (caller frees). Returns 0,
 * LNOB_E_NOTFOUND, -ENOMEM or an LMDB code. */
int outbox_metadata_get(outbox_t *self, uint8_t **ret, size_t *ret_len);
/* Replaces the record and the version in one transaction. Returns 0,
 * -EROFS or an LMDB code. */
int outbox_metadata_put(outbox_t *self, const uint8_t *rec, size_t len, uint64_t version);

/* The same for "aggregator_key": a copy in *ret (caller frees; 0,
 * LNOB_E_NOTFOUND, -ENOMEM or an LMDB code), and its replacement (0,
 * -EROFS or an LMDB code). */
int outbox_aggkey_get(outbox_t *self, uint8_t **ret, size_t *ret_len);
int outbox_aggkey_put(outbox_t *self, const uint8_t *rec, size_t len);

#endif
