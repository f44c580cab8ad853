/*
 * hiercache.h: the [hierarchy] file, parsed and checked once and kept in
 * the store (aggstore_metadata.h: a HierarchyCacheRecord, lnob.proto) so
 * that a command loads it without parsing and checking the CSV again: on
 * 10,000 units that was four fifths of a `rollup --json`'s instructions.
 *
 * The cache is exact: it is used only for the very bytes it was made from
 * (their BLAKE2b-256, the file read anew at every load), else the file is
 * parsed as hier_load_csv() does, with its messages. `run`, which opens the
 * store read-write, writes it when the store holds none for the file. The
 * record holds the hierarchy's image (hierarchy.h, hier_image_t): read
 * back with a copy and a check of its structure, no parse.
 *
 * Daemon-level helper: returns codes, never logs.
 */
#ifndef LNOB_HIERCACHE_H
#define LNOB_HIERCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hierarchy.h"
#include "lnob.pb-c.h"
#include "store.h"

#define HIERCACHE_DIGEST_LEN 32

/* Loads the hierarchy file at path into *ret (caller owns, hier_destroy()):
 * from st's cache when it holds the cache of the file's bytes, else parsed
 * (st may be NULL: parsed). A cache record that cannot be used (another
 * digest or format, undecodable, an image whose structure does not hold)
 * is passed over.
 * ret_digest gets the file's digest, *ret_cached whether the cache gave
 * it. Returns 0, or hier_load_csv()'s codes with its message in err. */
int hiercache_load(store_t *st, const char *path, hier_t **ret,
		   uint8_t ret_digest[HIERCACHE_DIGEST_LEN], bool *ret_cached, char *err,
		   size_t errlen);

/* Writes h, loaded from a file of this digest, as st's cache, in a write
 * transaction of its own. Returns 0, -ENOMEM or a store code. */
int hiercache_save(store_t *st, const uint8_t digest[HIERCACHE_DIGEST_LEN], const hier_t *h);

/* The record (format 2) of h's image img (hier_image_of()) for a file of
 * this digest: rec's fields point into img and digest, valid while they
 * are. Shared with the hierarchy's versions (hierversions.c), whose trees
 * are laid out as this record. */
void hiercache_record_fill(Lnob__HierarchyCacheRecord *rec, const hier_image_t *img,
			   const uint8_t digest[HIERCACHE_DIGEST_LEN]);

/* The hierarchy of rec (named name in messages) when its format is 2 and
 * its image holds (hier_from_image()). Returns 0 with *ret (caller owns),
 * or LNOB_E_CORRUPT with err filled. */
int hiercache_record_tree(const Lnob__HierarchyCacheRecord *rec, const char *name, hier_t **ret,
			  char *err, size_t errlen);

#endif
