/*
 * snapshot_in.h: a Snapshot arriving at the national aggregator (proto,
 * THE NATIONAL TIER), read into the report it stands for, which ingest.c
 * then checks (campaign, unit, scope, levels) and applies as it does any
 * report.
 */
#ifndef LNOB_SNAPSHOT_IN_H
#define LNOB_SNAPSHOT_IN_H

#include <stddef.h>

#include "hierarchy.h"
#include "lnob.pb-c.h"

/* Decodes env's body (at most max_body bytes) as a Snapshot and checks it
 * (snapshot_validate(); a PART_SUBTREE snapshot of a unit with children in
 * hier would count its subtree twice and is refused). Returns 0 with
 * *ret_rep (caller frees: lnob__report__free_unpacked()), or the
 * NackReason (NACK_MALFORMED, NACK_INVALID) with detail filled; -ENOMEM
 * counts as NACK_INVALID with "out of memory". */
int ingest_snapshot_decode(const hier_t *hier, const Lnob__Envelope *env, size_t max_body,
			   Lnob__Report **ret_rep, char *detail, size_t len);

#endif
