/*
 * api_int.h: what the parts of the HTTP API share (api*.c): one call's
 * state, its answers (a document with its ETag, an error), and the checks
 * of its parameters against the token's scope. Private to api*.c.
 */
#ifndef LNOB_API_INT_H
#define LNOB_API_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "api.h"
#include "tokens.h"

#define API_PARTS_MAX 8

/* One request in hand. */
typedef struct api_call {
	api_t *api;
	const http_req_t *req;
	http_resp_t *resp;
	token_grant_t grant;
	MDB_txn *txn;                   /* a read transaction, for GET */
	const char *parts[API_PARTS_MAX];   /* the path's segments after "/api/" */
	size_t nparts;
	char path[1024];                /* their storage */
	json_t *body;                   /* POST: the JSON object sent */
	const char *endpoint;           /* the route's name ("/api/units/{code}"), NULL
	                                   before one is found */
} api_call_t;

typedef void (*api_route_fn)(api_call_t *c);

/* Answers status with {"error": name, "message": ...}. */
void api_error(api_call_t *c, int status, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Answers a store or view failure r: 400 for LNOB_E_INVALID and
 * LNOB_E_NOTFOUND (with msg), else 500. */
void api_fail(api_call_t *c, int r, const char *msg);
/* Answers 200 with doc (taken) and its ETag (a digest of doc without
 * generated_at), or 304 when If-None-Match names it. */
void api_json(api_call_t *c, json_t *doc);
/* Characters of an ETag: 32 hex digits, quoted. */
#define API_ETAG_LEN 34
/* The ETag of an answered JSON text (JSON_INDENT(2)) of len bytes into
 * out: its BLAKE2b-128, quoted hex, over the text without the line of the
 * top-level "generated_at" member (when it has one), so that the same
 * document made at another time has the same ETag. */
void api_etag(const char *body, size_t len, char out[API_ETAG_LEN + 1]);

/* The query argument (or, for POST, the body's string member) name, or
 * NULL. */
const char *api_arg(const api_call_t *c, const char *name);
/* Refuses (400, returns false) a query argument not in allowed
 * (NULL-terminated), given twice, or empty. */
bool api_args_only(api_call_t *c, const char *const *allowed);
/* POST: refuses (400, returns false) a body member not in allowed
 * (NULL-terminated) or not a string. */
bool api_body_only(api_call_t *c, const char *const *allowed);
/* The unit of parameter name: absent, the token's scope; unknown, 400
 * naming the closest units; outside the scope, 403. Returns false after
 * answering. */
bool api_unit(api_call_t *c, const char *name, int *ret);
/* The same in h, a version of the hierarchy (hierperiod.h: a period's):
 * the unit and the token's scope taken there (a scope not in h: 403).
 * api_unit() is api_unit_at() in the latest version. */
bool api_unit_at(api_call_t *c, const char *name, const hier_t *h, int *ret);
/* The configured campaign of parameter "campaign" (required) and, with
 * need_period, its period of parameter name: 400 listing the known ids
 * when absent or unknown. With no campaign configured, any id goes
 * (*ret NULL). Returns false after answering. */
bool api_campaign(api_call_t *c, const char *period_param, const campaign_t **ret);
/* Rewrites the command line's option names in msg (a message of a
 * builder the CLI shares: "--kind decided needs --decision-number N") as
 * the API's parameter names ("stage decided needs decision_number N"), in
 * place. */
void api_param_names(char *msg, size_t size);
/* A required non-negative integer parameter (absent: def). */
bool api_uint(api_call_t *c, const char *name, int64_t max, int64_t def, int64_t *ret);
/* Whether unit i is in the token's subtree. */
bool api_in_scope(const api_call_t *c, int i);
/* Whether the unit of code (what's unit: "nomination c11/2023-001") is a
 * unit in the token's subtree; answers 403 when not. */
bool api_owned(api_call_t *c, const char *code, const char *what);

/* The routes (api_views.c, api_units.c, api_export.c, api_actions.c,
 * api_stage.c, api_fleet.c). */
void api_whoami(api_call_t *c);
void api_campaigns(api_call_t *c);
void api_units(api_call_t *c);
void api_unit_one(api_call_t *c);
void api_rollup(api_call_t *c);
void api_series(api_call_t *c);
void api_nominations(api_call_t *c);
void api_nomination_one(api_call_t *c);
void api_history(api_call_t *c);
void api_conflicts(api_call_t *c);
void api_amendments(api_call_t *c);
void api_approvals(api_call_t *c);
void api_status(api_call_t *c);
void api_export(api_call_t *c);
void api_fleet(api_call_t *c);
void api_metrics(api_call_t *c);
void api_not_implemented(api_call_t *c);
void api_approve(api_call_t *c);
void api_unapprove(api_call_t *c);
void api_accept(api_call_t *c);
void api_reject(api_call_t *c);
void api_stage(api_call_t *c);
void api_requests(api_call_t *c);      /* api_requests.c */
void api_request_add(api_call_t *c);

#endif
