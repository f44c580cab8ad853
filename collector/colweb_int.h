/*
 * colweb_int.h: what the page's route files share (colweb.c: the table,
 * the password, the files; colweb_form.c: GET /api/form;
 * colweb_reports.c: reports and corrections; colweb_nominate.c:
 * nominations; colweb_template.c: the Excel template), and no one else.
 * The public contract is colweb.h; the routes are README's "The
 * collector's page".
 */
#ifndef LNOB_COLWEB_INT_H
#define LNOB_COLWEB_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "colweb.h"
#include "intake.h"
#include "submit_rules.h"

#define COLWEB_JSON "application/json; charset=utf-8"

/* Answers doc (taken; NULL: 500) with status. */
void colweb_json(http_resp_t *resp, int status, json_t *doc);
/* Answers {"error": name, "message": ...} with status. */
void colweb_error(http_resp_t *resp, int status, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The query argument key when given and not empty, else NULL (borrowed
 * for the request). */
const char *colweb_arg(const http_req_t *req, const char *key);

/* Checks list's reports with rules (submit_rules_check()) and queues them
 * all in one transaction (col_queue_reports()). Returns 0 with *first, or
 * 400 (a check: nothing queued) / 500 with err. */
int colweb_check_queue(cli_ctx_t *ctx, const submit_rules_t *rules, const intake_list_t *list,
		       uint64_t *first, char *err, size_t errlen);

/* The own parked report seq, decoded: *ret (caller owns,
 * protobuf_c_message_free_unpacked()), and its reason and detail into
 * *ret_reason and detail[256] (either may be NULL). Returns 0,
 * LNOB_E_NOTFOUND (no own parked item seq), LNOB_E_INVALID (parked, not
 * a report) or a code (colweb_reports.c). */
int colweb_parked_report(cli_ctx_t *ctx, uint64_t seq, Lnob__Report **ret, int *ret_reason,
			 char *detail);

/* {code: value} of rep's values (caller owns; NULL when out of memory). */
json_t *colweb_values_json(const Lnob__Report *rep);

/* The routes (each answers resp). */
void colweb_form_get(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp);
void colweb_reports_get(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp);
void colweb_reports_post(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp);
void colweb_report_get(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp);
void colweb_nominations_post(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp);
void colweb_template_get(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp);
void colweb_template_post(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp);

#endif
