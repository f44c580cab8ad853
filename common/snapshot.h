/*
 * snapshot.h: the national tier's Snapshot (proto/lnob.proto, THE NATIONAL
 * TIER): its rules, checked where it is made (the province) and where it
 * is stored (the national aggregator), and the report it stands for there.
 * One rule, one place, as report.h is for reports.
 */
#ifndef LNOB_SNAPSHOT_H
#define LNOB_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "lnob.pb-c.h"

/* Most nomination_counts entries of a snapshot. */
#define SNAPSHOT_COUNTS_MAX 64

/* Checks a decoded snapshot: part PART_OWN or PART_SUBTREE, revision >= 1
 * and base_revision == revision - 1, at most SNAPSHOT_COUNTS_MAX
 * nomination_counts, each by "form", "stage" or "kind", its name an id, its
 * count 1..nominations, (by, name) unique; and the report it stands for
 * (snapshot_report()) valid by report_validate(): campaign, period, unit,
 * 1..REPORT_VALUES_MAX sums with unique codes, each in 0..10^15,
 * computed_at a time in 2000..2100. Returns 0, or LNOB_E_INVALID with the
 * first problem in detail, which starts with the field's name. */
int snapshot_validate(const Lnob__Snapshot *s, char *detail, size_t detail_len);

/* The report snapshot s stands for at the receiver: its campaign, period
 * and unit, values = sums, revision and base_revision, completed_at =
 * computed_at, no narrative. *ret is the caller's
 * (lnob__report__free_unpacked()). Returns 0, -ENOMEM or LNOB_E_DECODE. */
int snapshot_report(const Lnob__Snapshot *s, Lnob__Report **ret);

/* SHA-256 of s packed with revision, base_revision and computed_at set to
 * 0: equal for two snapshots of the same content. Returns 0 or -ENOMEM. */
int snapshot_digest(const Lnob__Snapshot *s, uint8_t ret[32]);

/* The report an envelope of the log stands for: a KIND_REPORT body
 * decoded, a KIND_SNAPSHOT body's snapshot_report(). *ret is the caller's.
 * Returns 0, LNOB_E_DECODE (another kind, or a body that does not decode),
 * LNOB_E_TOOBIG (a body over max bytes) or -ENOMEM. */
int snapshot_report_of_envelope(const Lnob__Envelope *env, size_t max, Lnob__Report **ret);

#endif
