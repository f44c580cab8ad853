/*
 * verify_int.h: what the parts of `verify` share (verify_history.c: the
 * history, latest records, conflicts and rollups; verify_log.c: the
 * envelope log, the amendment queue and the nominations; verify_diff.c:
 * the report of a difference). Private to them and verify.c.
 */
#ifndef LNOB_VERIFY_INT_H
#define LNOB_VERIFY_INT_H

#include <stddef.h>
#include <stdio.h>

#include "aggstore.h"
#include "campaigns.h"
#include "hierarchy.h"

typedef struct verify {
	store_t *st;
	MDB_txn *txn;
	const hier_t *hier;
	const campaigns_t *camps;   /* may be NULL: periods' versions by their ids */
	FILE *out;
	size_t diffs, checked;
} verify_t;

/* Counts one difference and writes "DIFF <text>" to v->out (if any). */
void verify_diff(verify_t *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An LMDB return code as lnob's (0 or negative). */
int verify_mdb(int r);

/* verify_history.c: the history, latest records, conflicts and rollups
 * (passes 1 to 4). */
int verify_history(verify_t *v);
/* verify_log.c: the envelope log against the history, the amendment queue
 * and its decisions, and the nomination and stage records. */
int verify_log(verify_t *v);

#endif
