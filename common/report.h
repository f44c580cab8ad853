/*
 * report.h: the rules a Report must satisfy, and sums of indicator values.
 * The collector checks them at intake, the aggregator again at ingest:
 * one rule, one place.
 */
#ifndef LNOB_REPORT_H
#define LNOB_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lnob.pb-c.h"

#define REPORT_VALUE_MAX 1000000000000000LL   /* 10^15: no count or amount exceeds it */
#define REPORT_VALUES_MAX 256                 /* indicators per report */
#define REPORT_NARRATIVE_MAX 65536            /* bytes of a narrative */

/* True when an indicator code names an amount of money (ends in "_vnd");
 * every other indicator is a count. */
bool report_code_is_amount(const char *code);

/* Checks a decoded report: campaign and period valid ids, unit a valid id,
 * revision >= 1, base_revision < revision, completed_at in
 * LNOB_TIME_MIN..LNOB_TIME_MAX (2000-01-01 .. 2100-12-31 UTC), 1..
 * REPORT_VALUES_MAX values with valid, unique codes, each set in the field
 * its code calls for (count or amount_vnd) and in 0..REPORT_VALUE_MAX,
 * narrative UTF-8 (lnob_utf8_valid) of at most REPORT_NARRATIVE_MAX bytes.
 * Returns 0, or LNOB_E_INVALID with the first problem in detail, which
 * starts with the field's name ("completed_at: ..."). */
int report_validate(const Lnob__Report *r, char *detail, size_t detail_len);

/* The value of an IndicatorValue whichever field holds it. */
int64_t report_value_of(const Lnob__IndicatorValue *v);

/* A set of sums keyed by indicator code, kept sorted by code. */
typedef struct report_sums {
	Lnob__IndicatorValue **v;   /* each owned by the set, code strdup'd */
	size_t n, cap;
} report_sums_t;

/* Adds sign * each of vals[0..n-1] into s (codes absent get a new entry).
 * Returns 0 or -ENOMEM (s stays valid, partially updated). */
int report_sums_add(report_sums_t *s, Lnob__IndicatorValue *const *vals, size_t n, int sign);
/* True when a and b hold the same codes with the same values (entries of
 * value 0 count as absent). */
bool report_sums_equal(const report_sums_t *a, Lnob__IndicatorValue *const *b, size_t bn);
/* Frees every entry; s may be reused. */
void report_sums_clear(report_sums_t *s);

#endif
