/*
 * calendar.h: the one calendar of lnob. Dates of the proleptic Gregorian
 * calendar (days since 1970-01-01, leap years, "YYYY-MM-DD"), times as
 * ISO 8601 with a UTC offset or Unix seconds, UTC offsets ("+07:00"), the
 * deadline forms of a campaign file ("before MM-DD [HH:MM]", "by ..."), and
 * the range of times and dates lnob accepts from a file or a message.
 * Pure functions: no clock, no time zone database, no allocation; every
 * parser reads the whole string (nothing may follow) and writes its ret_
 * outputs only on success.
 */
#ifndef LNOB_CALENDAR_H
#define LNOB_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

/* The range of every time lnob takes from a file or a message (a report's
 * completed_at, a nomination's proposed_at, a stage's at and its
 * decision_date): the years 2000 to 2100 inclusive, UTC. */
#define LNOB_TIME_MIN INT64_C(946684800)     /* 2000-01-01T00:00:00Z */
#define LNOB_TIME_MAX INT64_C(4133980799)    /* 2100-12-31T23:59:59Z */
#define LNOB_DATE_RANGE "2000-01-01 .. 2100-12-31"         /* for messages */
#define LNOB_TIME_RANGE LNOB_DATE_RANGE " UTC"              /* for messages */

/* True when Unix seconds t is in LNOB_TIME_MIN..LNOB_TIME_MAX. */
bool lnob_time_valid(int64_t t);
/* True when s is exactly a date "YYYY-MM-DD" of the Gregorian calendar
 * (29 February only in a leap year) in the years 2000..2100. False for
 * NULL. */
bool lnob_date_valid(const char *s);

/* Days from 1970-01-01 to y-m-d (m 1..12, d 1..31; negative before 1970),
 * proleptic Gregorian (H. Hinnant's days_from_civil). */
int64_t calendar_days(int y, int m, int d);
/* The date of day `days` since 1970-01-01 (calendar_days()'s inverse:
 * civil_from_days); each pointer may be NULL. */
void calendar_civil(int64_t days, int *ret_y, int *ret_m, int *ret_d);
/* True when y is a leap year (every 4th, but not every 100th, but every
 * 400th). */
bool calendar_leap(int y);
/* Days in month m (1..12) of year y: 28..31. */
int calendar_month_days(int y, int m);

/* Reads exactly n decimal digits at *p into *ret and moves *p past them.
 * Returns false (nothing written, *p unmoved) when one is not a digit. */
bool calendar_digits(const char **p, int n, int *ret);

/* Parses exactly "YYYY-MM-DD", a real date with min_year <= YYYY <=
 * max_year, into *ret_y, *ret_m, *ret_d (each may be NULL). Returns true,
 * or false for NULL or anything else. */
bool calendar_parse_date(const char *s, int min_year, int max_year, int *ret_y, int *ret_m,
			 int *ret_d);

/* Parses a UTC offset "+HH:MM" or "-HH:MM", at most 14:00 either way,
 * into seconds east of UTC. Returns true, or false for anything else. */
bool calendar_parse_offset(const char *s, int *ret_seconds);

/* Parses a time: ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.frac]]" with "Z" or an
 * offset "+HH:MM", "+HHMM" or "+HH" (a space may stand for the "T", "t"
 * and "z" for "T" and "Z"; fractions are dropped; a time without an offset
 * is refused, its instant being unknowable), or Unix seconds as plain
 * digits (at most INT64_MAX / 2). The result is Unix seconds UTC, never
 * negative. Returns 0 or LNOB_E_INVALID. */
int calendar_parse_time(const char *s, int64_t *ret);

/* A deadline as a campaign file writes it: "before|by MM-DD [HH:MM]"
 * (annual: in a year given later) or "before|by YYYY-MM-DD [HH:MM]". */
typedef struct calendar_deadline {
	bool by;            /* "by": late from the next day (or minute) */
	bool has_time;      /* HH:MM given */
	int year;           /* 0 for an annual deadline */
	int month, day, hour, minute;
} calendar_deadline_t;

/* Parses "before MM-DD [HH:MM]" or "by MM-DD [HH:MM]" (with_year false)
 * or the same with "YYYY-MM-DD" (with_year true, YYYY >= 1900), blanks
 * (space or tab) between the parts. An annual 02-29 is refused (it is not
 * in every year). Returns true with *ret set, or false. */
bool calendar_parse_deadline(const char *s, bool with_year, calendar_deadline_t *ret);

/* The instant (Unix seconds) from which a report is late by deadline d
 * taken in `year` (an annual deadline's year; d->year is not used) at
 * utc_offset seconds east of UTC: "before" from 00:00 of the day (or from
 * HH:MM), "by" from 00:00 of the next day (or from the next minute). */
int64_t calendar_deadline_late_from(const calendar_deadline_t *d, int year, int utc_offset);

#endif
