/*
 * backup.h: backups of a daemon's store (README "Backups"): a directory
 * holding data.mdb, a consistent and compacted copy taken in one read
 * transaction (the daemon may run and write meanwhile), and manifest.json
 * saying what it is:
 *
 *   {"format": "lnob-backup-1", "program": "lnob-aggregator",
 *    "node": "province", "source": "/var/lib/lnob/aggregator",
 *    "created_at": 1796180000, "bytes": 1048576, "sha256": "<64 hex>",
 *    ...the program's own members (its counters)}
 *
 * Both files are 0600, the directory 0700; each is written under a
 * temporary name, synced and renamed, so a backup cut short leaves no
 * manifest and is refused as one. A restore checks the manifest (format,
 * program, size, SHA-256) and copies data.mdb into a data directory that
 * holds no store, the same way. A program keeping more than one store
 * backs each up into a directory of its own (the collector's household
 * register: DIR/households beside the outbox's DIR/manifest.json) and
 * checks every one before it installs any.
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_BACKUP_H
#define LNOB_BACKUP_H

#include <jansson.h>
#include <stddef.h>

#include "store.h"

#define BACKUP_FORMAT "lnob-backup-1"

/* Creates dir (0700, and its parents) and refuses one holding name
 * already (a backup's manifest.json, a store's data.mdb). Returns 0, or
 * LNOB_E_EXISTS / a system code with err naming the path. */
int backup_fresh(const char *dir, const char *name, char *err, size_t errlen);

/* Writes the backup of st into dir (created; it must not hold a
 * manifest.json or data.mdb already), the manifest with program, node and
 * the members of extra (may be NULL; borrowed). Returns 0, or a code with
 * err naming the file. */
int backup_write(store_t *st, const char *dir, const char *program, const char *node,
		 const json_t *extra, char *err, size_t errlen);

/* Checks the backup in dir for program: its manifest (*ret, the caller's;
 * ret may be NULL) and that data.mdb has its size and SHA-256. Returns 0,
 * or LNOB_E_INVALID / a system code with err. */
int backup_check(const char *dir, const char *program, json_t **ret, char *err,
		 size_t errlen);

/* Copies dir/data.mdb, a backup backup_check() passed, into data_dir
 * (created 0700), which must hold no data.mdb: under a temporary name,
 * synced and renamed, so that a copy cut short leaves none. Returns 0,
 * LNOB_E_EXISTS or a system code with err. */
int backup_install(const char *dir, const char *data_dir, char *err, size_t errlen);

/* backup_check(), then backup_install(): copies dir/data.mdb into data_dir (created 0700),
 * which must hold no data.mdb. Returns 0, LNOB_E_EXISTS, LNOB_E_INVALID or
 * a system code with err. */
int backup_restore(const char *dir, const char *data_dir, const char *program, char *err,
		   size_t errlen);

#endif
