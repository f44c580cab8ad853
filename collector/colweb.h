/*
 * colweb.h: the collector's local page (README "The collector's page"):
 * with [web] listen, `run` serves collector/web/ (embedded,
 * colweb_assets.h) and a small JSON API from its own loop (http.h,
 * uplink.h): GET /api/status (the `status --json` document), GET
 * /api/form (the units in scope, the indicators each reports, the
 * previous period's values, the open ad-hoc requests), POST /api/reports
 * (one report, through submit's checks and queue, or the correction of a
 * refused one), GET /api/reports (every own envelope and where it is), GET
 * /api/report (a refused report's values), POST /api/nominations (a
 * nomination with its dossier's files, through nominate's checks), GET
 * and POST /api/template (the Excel template, and a filled one through
 * submit's intake). Every /api/ request needs "Authorization: Bearer
 * <[web] password>"; the files do not.
 *
 * Daemon-level code: handlers read and write the daemon's own outbox
 * (ctx->store, open writable by `run`).
 */
#ifndef LNOB_COLWEB_H
#define LNOB_COLWEB_H

#include <jansson.h>

#include "cmd_collector.h"
#include "http.h"

/* The body limit of the upload routes (POST /api/nominations and POST
 * /api/template); every other route keeps HTTP_BODY_MAX. */
#define COLWEB_UPLOAD_MAX ((size_t)24 << 20)

/* Sets on h the upload routes' body limit (http_body_limit()) and the
 * password gate (colweb_gate(), http_set_gate()). Returns 0 or a negative
 * code. */
int colweb_attach(http_t *h);

/* http_set_gate()'s gate: a /api/ request without the password is
 * answered 401 before its body is read (colweb_handle() checks the same). */
void colweb_gate(void *ctx, const http_req_t *req, http_resp_t *resp);

/* http_handler_fn: answers one request (ctx a cli_ctx_t *). */
void colweb_handle(void *ctx, const http_req_t *req, http_resp_t *resp);

/* GET /api/form's document for campaign and period (either NULL: the
 * first campaign, its last period of the campaign file) from the metadata
 * held or else the configured campaigns, with the previous period's
 * values from ctx->store (may be NULL: none): *ret (caller owns). Returns
 * 0, or LNOB_E_NOTFOUND / LNOB_E_INVALID / a code with err
 * (colweb_form.c). */
int colweb_form(cli_ctx_t *ctx, const char *campaign, const char *period, json_t **ret,
		char *err, size_t errlen);

#endif
