/*
 * campaign_request.h: ad-hoc (đột xuất) requests as periods of their
 * campaign (kind CAMPAIGN_PERIOD_ADHOC, campaign_period_t.request), and the
 * rules that depend on the period: who reports what (campaign_reports(),
 * campaign_check_reporter()) and who is expected by when
 * (campaign_due_for()). The aggregator keeps the requests (requests.h) and
 * sends them down in the metadata (metadata.h); both sides add them to the
 * campaign with campaign_request_add().
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_CAMPAIGN_REQUEST_H
#define LNOB_CAMPAIGN_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "campaign.h"

/* Who reports what in period p: for a period of the campaign file,
 * campaign_level_reports(self, i, level); for an ad-hoc request's period,
 * true when the request asks indicator i and asks unit `code` itself.
 * p NULL: the campaign file's rule. */
bool campaign_reports(const campaign_t *self, const campaign_period_t *p, int i,
		      const char *code, const char *level);
/* campaign_check_levels() for the period p of rep: for an ad-hoc
 * request's period, every value must be an indicator the request asks and
 * rep's unit one it asks, else LNOB_E_NOT_REQUESTED with detail "unit
 * 'C001' is not asked by ad-hoc request 'dx-1' (it asks: DGL, TDU)" or
 * "indicator 'fund_vnd' is not asked by ad-hoc request 'dx-1' (it asks:
 * poor_households)"; other periods as campaign_check_levels(). The period
 * must be one of the campaign's (campaigns_check_report() first), else
 * -EINVAL. */
int campaign_check_reporter(const campaign_t *self, const Lnob__Report *rep, const char *level,
			    char *detail, size_t len);

#define CAMPAIGN_REQUESTS_MAX 1024        /* per campaign */
#define CAMPAIGN_REQUEST_UNITS_MAX 4096   /* units one request asks */
#define CAMPAIGN_REQUEST_NOTE_MAX 1024    /* bytes of its note */

/* Adds the ad-hoc request req (proto/lnob.proto AdhocRequest; its
 * campaign must be self's id) as a period of kind CAMPAIGN_PERIOD_ADHOC:
 * start the day of created_at (in utc_offset), end its due day, years 1,
 * no previous period; no target and no award rule applies to it; its
 * deadline, for every level, is late from 00:00 of the day after `due`
 * (campaign_deadline_for()); a unit is expected to reply only when the
 * request asks it (campaign_due_for()). Checked, each refusal
 * LNOB_E_INVALID with err "ad-hoc request 'dx-1': <problem>":
 *   - the id is an id ([A-Za-z0-9._-], 1..64) no period or request of the
 *     campaign has;
 *   - 1..CAMPAIGN_REQUEST_UNITS_MAX units, each an id, none twice; with
 *     hier (may be NULL: not checked), each in it, at a declared level,
 *     and none within another asked unit's subtree (it would count twice);
 *   - 1..CAMPAIGN_INDICATORS_MAX indicators, each a count or an amount of
 *     the campaign (a derived one is refused naming its inputs), none twice;
 *   - due a valid YYYY-MM-DD not before the campaign's start;
 *   - a note of at most CAMPAIGN_REQUEST_NOTE_MAX bytes, valid UTF-8 with
 *     no control character but newline and tab;
 *   - at most CAMPAIGN_REQUESTS_MAX requests per campaign.
 * Returns 0, LNOB_E_INVALID or -ENOMEM (nothing added on failure). */
int campaign_request_add(campaign_t *self, const hier_t *hier, const Lnob__AdhocRequest *req,
			 char *err, size_t errlen);
/* How many ad-hoc requests self holds (the last of its periods). */
size_t campaign_request_count(const campaign_t *self);
/* Takes back the request added last (when what was to record it failed);
 * its memory stays with self until campaign_destroy(). */
void campaign_request_drop_last(campaign_t *self);
/* True when ad-hoc request p asks unit code (false for other periods). */
bool campaign_request_asks(const campaign_period_t *p, const char *code);
/* The instant from which the report of unit code (at level) is late in p,
 * and whether it is expected at all: for an ad-hoc request's period, only
 * the units it asks (LNOB_E_NOTFOUND for the others); else
 * campaign_deadline_for(self, level, p). Returns 0 or LNOB_E_NOTFOUND. */
int campaign_due_for(const campaign_t *self, const campaign_period_t *p, const char *code,
		     const char *level, int64_t *ret_late_from);

#endif
