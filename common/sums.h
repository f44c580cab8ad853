/*
 * sums.h: the content of a rollup: per indicator code, the sum of the
 * values the current reports of a subtree carry and how many of those
 * reports carry it. An indicator no report carries is absent, never 0.
 *
 * Arithmetic is checked: no sum leaves 0..SUMS_MAX (a report that would
 * take one there is refused by the caller), and a stored rollup that does
 * not add up (a value or a count that could not have been built by these
 * functions) is LNOB_E_CORRUPT, never undefined behaviour.
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_SUMS_H
#define LNOB_SUMS_H

#include <stddef.h>
#include <stdint.h>

#include "lnob.pb-c.h"
#include "report.h"

/* The largest sum over a subtree: the largest reported value. Sums of up
 * to 8 parts of it (campaign "sum" indicators) and their rates stay exact
 * in lnob's 128/256-bit verdict arithmetic (campaign.h). */
#define SUMS_MAX REPORT_VALUE_MAX

/* Sums keyed by code, kept sorted by code (strcmp). Start from a zeroed
 * struct; everything in it is owned by it. */
typedef struct sums {
	Lnob__IndicatorValue **v;   /* each owned, code strdup'd */
	uint32_t *units;            /* units[i]: reports carrying v[i], >= 1 */
	size_t n, cap;
} sums_t;

/* Loads a stored rollup's sums: v[0..n-1] with their carrier counts
 * units[0..nu-1], into s (cleared first). Returns 0; LNOB_E_CORRUPT when
 * nu != n, the codes are not strictly increasing, a count is 0, a value is
 * outside 0..SUMS_MAX or not in the field its code calls for; -ENOMEM. On
 * failure s is empty. */
int sums_load(sums_t *s, Lnob__IndicatorValue *const *v, size_t n, const uint32_t *units,
	      size_t nu);

/* Replaces one report's values by another's: takes oldv[0..oldn-1] out
 * (each must be in s: its sum at least the value, its count at least 1;
 * an entry whose count reaches 0 is removed and must have reached 0) and
 * adds newv[0..newn-1] (validated values: report_validate()). Either list
 * may be empty. Returns 0; LNOB_E_OVERFLOW when a sum would exceed
 * SUMS_MAX (*ret_code, may be NULL, gets the indicator's code, borrowed
 * from newv); LNOB_E_CORRUPT when taking out does not add up (*ret_code
 * gets that code); -ENOMEM. On failure s is partly updated: the caller
 * discards it (sums_clear). */
int sums_replace(sums_t *s, Lnob__IndicatorValue *const *oldv, size_t oldn,
		 Lnob__IndicatorValue *const *newv, size_t newn, const char **ret_code);

/* The entry of code, or -1. */
long sums_find(const sums_t *s, const char *code);

/* Frees every entry; s may be reused. */
void sums_clear(sums_t *s);

#endif
