/*
 * campaigns.h: the campaigns a daemon is configured for, and the report
 * rule they make: the aggregator applies it at ingest, the collector (when
 * its configuration names the campaigns too) at submit. One rule, one place.
 *
 *   [campaign]
 *   files = /etc/lnob/daknong.ini, /etc/lnob/other.ini   ; comma-separated
 *   clock_skew_s = 900        ; bound on an office clock's error (timeliness;
 *                             ;   the aggregator's only)
 *
 * Relative file names are taken from the directory of the configuration
 * file. Without [campaign] files the aggregator accepts any campaign id,
 * period and indicator (the report rules of report.h still hold) and rollups
 * carry sums only.
 */
#ifndef LNOB_CAMPAIGNS_H
#define LNOB_CAMPAIGNS_H

#include <stddef.h>
#include <stdint.h>

#include "campaign.h"
#include "conf.h"
#include "hierarchy.h"
#include "lnob.pb-c.h"

/* Any number of campaigns: zero-initialise one ({ 0 } is empty), and
 * campaigns_clear() frees it. */
typedef struct campaigns {
	campaign_t **v;         /* n campaigns, owned; cap slots */
	size_t n, cap;
	int64_t clock_skew_s;
} campaigns_t;

/* Makes room for n campaigns at least, so that v[0 .. n - 1] may be
 * filled (the caller then sets self->n). Returns 0 or -ENOMEM (self
 * unchanged). */
int campaigns_reserve(campaigns_t *self, size_t n);

/* Reads [campaign] files and clock_skew_s from conf and loads each file,
 * checked against hier. On failure err says which file and line, and
 * nothing is kept. Returns 0, LNOB_E_CONFIG, LNOB_E_CSV, -errno or -ENOMEM. */
int campaigns_load(campaigns_t *self, const conf_t *conf, const hier_t *hier,
		   char *err, size_t errlen);
/* The same, but with only (not NULL) loads only the file whose [campaign]
 * id is only: every file is read and its INI parsed (an unreadable file or
 * one whose INI does not parse is refused as campaigns_load() refuses it,
 * and so is an id of two files), but only that one is loaded in full and
 * checked against hier (its targets, its baseline file), the other files'
 * deeper errors unseen. When no file has that id, every file is loaded as
 * campaigns_load() does, so that campaigns_lookup() refuses only naming
 * the configured ids. only NULL: campaigns_load(). */
int campaigns_load_only(campaigns_t *self, const conf_t *conf, const hier_t *hier,
			const char *only, char *err, size_t errlen);
/* The campaign with this id, or NULL (also when none is configured). */
const campaign_t *campaigns_find(const campaigns_t *self, const char *id);
/* Checks rep against the configured campaigns (none configured: anything
 * goes): its campaign must be one of them and its period one of that
 * campaign's, else NACK_UNKNOWN_CAMPAIGN; every indicator it carries must
 * be a count or an amount of the campaign, else NACK_UNKNOWN_INDICATOR
 * (sums and rates are derived, never reported). Reporting levels are
 * campaign_check_levels()'s, once the unit's level is known. Returns 0, or
 * the Lnob__NackReason (> 0) the aggregator refuses rep with, detail
 * saying why ("indicator 'poor_rate' of campaign 'c' is derived (a rate,
 * computed by the aggregator), never reported"). */
int campaigns_check_report(const campaigns_t *self, const Lnob__Report *rep, char *detail,
			   size_t len);
/* The campaign (and period) an operator named, checked: the one place
 * that says which ids are known. campaign is required; period may be NULL
 * (the campaign only). copt and popt name them in the message: the
 * command line's "--campaign" and "--period" (or "--occasion"), the HTTP
 * API's "campaign" and "period". Returns 0 with *ret (when ret is not
 * NULL) the campaign, NULL when no campaign is configured (any id goes:
 * rollups of sums only); LNOB_E_NOTFOUND with err listing the known ids:
 *   "--campaign 'x' is not a configured campaign (lnob-2021-2025, other)"
 *   "--period '2030' is not a period of campaign lnob-2021-2025 (2021,
 *    2022, 2023, 2024, 2025)"
 * (the offending text quoted with lnob_quote()); LNOB_E_INVALID "campaign
 * is required" when campaign is NULL. */
int campaigns_lookup(const campaigns_t *self, const char *campaign, const char *period,
		     const char *copt, const char *popt, const campaign_t **ret, char *err,
		     size_t errlen);
/* The utc_offset (seconds east of UTC) of campaign id, or +07:00 (the
 * campaign files' default, TABLE_DEFAULT_UTC_OFFSET) when it is not
 * configured: the time zone tables show its times in. */
int64_t campaigns_utc_offset(const campaigns_t *self, const char *id);
/* Unix seconds t in campaign id's time zone (campaigns_utc_offset()) as
 * table_time() writes it, "2023-12-05 17:00 +07:00" ("-" for 0), into buf
 * (TABLE_TIME_LEN bytes). Returns buf. */
const char *campaigns_time(const campaigns_t *self, const char *id, int64_t t, char *buf,
			   size_t len);
/* Frees every campaign and the array; self is empty and may be loaded
 * again (clock_skew_s kept). */
void campaigns_clear(campaigns_t *self);

#endif
