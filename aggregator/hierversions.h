/*
 * hierversions.h: the hierarchy's versions in the store (README
 * "Hierarchy versions"): one HierarchyVersionRecord (lnob.proto) per
 * version in the meta database, key "hierarchy_version:" + its first day
 * (YYYY-MM-DD; "0000-00-00" for the first version, valid from the
 * beginning), written by `hierarchy import` and never replaced.
 *
 * A store without any is a single-version deployment: the configured
 * [hierarchy] file is the hierarchy, valid from the beginning, as it
 * always was. A store with versions requires the configured file to be
 * the latest version's (the same bytes): anything else is refused, never
 * taken silently for a new version.
 *
 * Daemon-level helper: returns codes with messages in err, never logs.
 */
#ifndef LNOB_HIERVERSIONS_H
#define LNOB_HIERVERSIONS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "hierarchy.h"
#include "store.h"

#define HIERVER_DIGEST_LEN 32

/* Attaches to *hier (the configured file, of this digest, named file) the
 * versions before it that st holds (hier_version_push()), in txn. No
 * version stored: 0, nothing changed. Returns 0; LNOB_E_HIER with err
 * when the file is not the latest version's ("<file>: not the
 * hierarchy's latest version (valid from D, imported from F): import it
 * with `lnob-aggregator hierarchy import` or configure the latest
 * version's file"), or a stored version does not decode or hold
 * (LNOB_E_CORRUPT); -ENOMEM; a store code. */
int hierver_attach(store_t *st, MDB_txn *txn, hier_t *hier, const char *file,
		   const uint8_t digest[HIERVER_DIGEST_LEN], char *err, size_t errlen);

/* What `hierarchy import` is given. */
typedef struct hierver_import {
	const char *file;          /* the new version's hierarchy CSV */
	const char *valid_from;    /* YYYY-MM-DD */
	const char *changes;       /* the change file (hierchanges.h), NULL: none */
	const char *current_file;  /* the configured [hierarchy] file */
	const uint8_t *current_digest;
	int64_t now;               /* Unix seconds */
} hierver_import_t;

/* Imports a new version in txn (a write transaction): the file loaded and
 * checked (hier_load_csv()), its change list loaded and checked against
 * the latest version (current, the configured file with its versions:
 * hierchanges_check()), valid_from after the latest version's first day;
 * a store without versions first gets the configured file as the first
 * version. Returns 0; LNOB_E_INVALID (valid_from), LNOB_E_HIER /
 * LNOB_E_CSV (the files), LNOB_E_EXISTS (the same bytes as the latest
 * version) with err naming the file and line; -ENOMEM; a store code. */
int hierver_import(store_t *st, MDB_txn *txn, const hier_t *current,
		   const hierver_import_t *in, char *err, size_t errlen);

/* The stored versions as JSON: {"versions": [{"valid_from", "source",
 * "changes_source", "imported_at", "units", "changes", "digest"}, ...]}
 * oldest first; with detail (`show`) only the version valid from
 * `valid_from` ("first" for the first), with its change lines
 * [{"change","code","other","line"}]. Returns 0, LNOB_E_NOTFOUND (no such
 * version, err says which there are), a decode or store code. */
int hierver_view(store_t *st, MDB_txn *txn, const char *valid_from, json_t **ret, char *err,
		 size_t errlen);

/* `verify` of the versions attached to hier: each version's change list
 * checked anew against its tree and the one before (hierchanges_check()),
 * each version's first day after the one before's. Writes one "DIFF
 * hierarchy version valid from D: <what>" line per version that fails to
 * out (may be NULL) and adds them to *diffs. Returns 0 or -ENOMEM. */
int hierver_verify(const hier_t *hier, FILE *out, size_t *diffs);

#endif
