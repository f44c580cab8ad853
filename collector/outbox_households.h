/*
 * outbox_households.h: the household register's store (README "The
 * household register"), an LMDB store of its own beside the outbox, in
 * DATA_DIR/households (schema "lnob-collector-households", version 1), so
 * that nothing of the list is ever in the outbox that is sent upward:
 *
 *   "register"   household id -> its record (households_encode())
 *   "imports"    import number (uint64 BE, from 1) -> the import's
 *                document, JSON text: {"import", "previous" (its number,
 *                null for the first), "file", "imported_at_ms",
 *                "commune", "households", "counts", "changes"}
 *                (households_diff() for the last two)
 *   meta "last_import"   the last import's number (absent: none)
 *
 * An import is one write transaction (durable at commit, LMDB's default
 * sync): the register replaced by the new list, the import's document
 * appended, or nothing at all.
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_OUTBOX_HOUSEHOLDS_H
#define LNOB_OUTBOX_HOUSEHOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "households.h"

#define OUTBOX_HOUSEHOLDS_SCHEMA "lnob-collector-households"
#define OUTBOX_HOUSEHOLDS_SCHEMA_VERSION 1
/* The store's directory under the node's data_dir. */
#define OUTBOX_HOUSEHOLDS_DIR "households"

typedef struct outbox_households outbox_households_t;

/* Opens the store of data_dir (creating it when write) with a map of
 * map_size bytes (0: LMDB's default or the existing size). Without write,
 * an absent store is -ENOENT. Returns 0 with *ret (caller closes), or a
 * code with err naming the directory. */
int outbox_households_open(const char *data_dir, size_t map_size, bool write,
			   outbox_households_t **ret, char *err, size_t errlen);
/* Closes *self_p (NULL accepted) and sets it to NULL. */
void outbox_households_close(outbox_households_t **self_p);

/* The register held into *ret (empty on entry; sorted by id) and the
 * number of the import that stored it (0: none), in one read
 * transaction. Returns 0, LNOB_E_CORRUPT, -ENOMEM or a store code. */
int outbox_households_read(outbox_households_t *self, households_t *ret, uint64_t *ret_last);

/* Replaces the register with now (a finished list), in one write
 * transaction: the register held is read, compared with now
 * (households_diff()), and info (an object: file, imported_at_ms,
 * commune; borrowed) completed into the import's document, which is
 * stored as the next import and returned in *ret_doc (caller owns).
 * On failure nothing is stored. Returns 0, -EROFS, LNOB_E_CORRUPT,
 * -ENOMEM or a store code (LNOB_E_FULL when the map is full). */
int outbox_households_import(outbox_households_t *self, const households_t *now,
			     const json_t *info, json_t **ret_doc);

/* The document of import number no (0: the last) into *ret (caller
 * owns). Returns 0, LNOB_E_NOTFOUND, LNOB_E_CORRUPT or a store code. */
int outbox_households_import_get(outbox_households_t *self, uint64_t no, json_t **ret);

/* The number of households held and of the last import (0: none), in
 * one read transaction. Returns 0 or a store code. */
int outbox_households_stats(outbox_households_t *self, uint64_t *ret_households,
			    uint64_t *ret_last);

/* Writes a backup of the register into dir (backup.h's backup_write(),
 * for program with node and extra), a consistent copy taken in one read
 * transaction beside a running import. Returns 0 or a code with err. */
int outbox_households_backup(outbox_households_t *self, const char *dir, const char *program,
			     const char *node, const json_t *extra, char *err, size_t errlen);

/* What failure r of a write means, for a message (store_strerror()). */
const char *outbox_households_strerror(const outbox_households_t *self, int r, char *buf,
				       size_t len);

#endif
