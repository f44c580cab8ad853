/*
 * colweb.h: the collector's local page (README "The collector's page"):
 * with [web] listen, `run` serves collector/web/ (embedded,
 * colweb_assets.h) and a small JSON API from its own loop (http.h,
 * uplink.h): GET /api/status (the `status --json` document), GET
 * /api/form (the units in scope and the indicators each reports), POST
 * /api/reports (one report, through submit's checks and queue), GET
 * /api/reports (every own envelope and where it is). Every /api/ request
 * needs "Authorization: Bearer <[web] password>"; the files do not.
 *
 * Daemon-level code: handlers read and write the daemon's own outbox
 * (ctx->store, open writable by `run`).
 */
#ifndef LNOB_COLWEB_H
#define LNOB_COLWEB_H

#include <jansson.h>

#include "cmd_collector.h"
#include "http.h"

/* http_handler_fn: answers one request (ctx a cli_ctx_t *). */
void colweb_handle(void *ctx, const http_req_t *req, http_resp_t *resp);

/* GET /api/form's document for campaign and period (either NULL: the
 * first campaign, its last period) from the metadata held or else the
 * configured campaigns: *ret (caller owns). Returns 0, or
 * LNOB_E_NOTFOUND / LNOB_E_INVALID / a code with err (colweb_form.c). */
int colweb_form(cli_ctx_t *ctx, const char *campaign, const char *period, json_t **ret,
		char *err, size_t errlen);

#endif
