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

/* The SHA-256 of the report's meaning: of its canonical encoding, the
 * Report with its values sorted by code and every unknown field dropped
 * (protobuf-c writes fields in number order), so that two encodings of the
 * same report, fields or values in another order, give the same digest.
 * Returns 0 or -ENOMEM. */
int report_content_digest(const Lnob__Report *r, uint8_t ret[32]);

#endif
