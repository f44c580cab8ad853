/*
 * colrequests.h: the ad-hoc (đột xuất) requests a collector holds (README
 * "Ad-hoc requests"): those of the synced metadata (submit_rules.h) asking
 * a unit of the node's own scope, for `lnob-collector requests`, `status`
 * and the page. A reply is an ordinary report whose period is the
 * request's id (submit checks it offline: campaign_check_reporter()).
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_COLREQUESTS_H
#define LNOB_COLREQUESTS_H

#include <jansson.h>
#include <stdio.h>

#include "campaign_request.h"
#include "submit_rules.h"

/* The requests of r asking a unit of its own scope (all of its hierarchy
 * when the scope is not known), in campaign then request order:
 * [{"campaign", "id", "due", "late_from", "note", "created_at", "units":
 * [the asked units in scope], "indicators": [{"code", "label"}]}].
 * *ret is the caller's. Returns 0 or -ENOMEM. */
int colrequests_json(const submit_rules_t *r, json_t **ret);

/* The same from ctx's metadata in ob (an open outbox, may be NULL), else
 * its configured campaigns (which hold none). Returns 0, or a code with
 * err. */
int colrequests_of(cli_ctx_t *ctx, outbox_t *ob, json_t **ret, char *err, size_t errlen);

/* Prints list (colrequests_json()'s) as "requests:" and a line each:
 *   "  dx-2026-1 (lnob-2021-2025) due 2026-12-10: V11-0001, V11-0002;
 *    poor_households, households_total — <note>"
 * or "requests: -". */
void colrequests_print(FILE *out, const json_t *list);

#endif
