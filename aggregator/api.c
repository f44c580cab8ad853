/* api.c: the HTTP API's router, authentication, errors and ETags (see
 * api.h); the routes are in api_views.c, api_units.c and api_actions.c. */
#include "api.h"
#include "api_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <time.h>

#include "lnob_err.h"
#include "log.h"
#include "metrics.h"
#include "util.h"
#include "web_assets.h"

#define S_JSON "application/json; charset=utf-8"

enum { S_ANY = 0, S_OPERATOR = 1 };

typedef struct s_route {
	const char *method;
	const char *pattern;           /* segments after "/api/"; "*" matches one */
	const char *endpoint;          /* its name in logs and metrics */
	api_route_fn fn;
	int role;
} s_route_t;

static const s_route_t s_routes[] = {
	{ "GET", "whoami", "/api/whoami", api_whoami, S_ANY },
	{ "GET", "campaigns", "/api/campaigns", api_campaigns, S_ANY },
	{ "GET", "units", "/api/units", api_units, S_ANY },
	{ "GET", "units/*", "/api/units/{code}", api_unit_one, S_ANY },
	{ "GET", "rollup", "/api/rollup", api_rollup, S_ANY },
	{ "GET", "series", "/api/series", api_series, S_ANY },
	{ "GET", "nominations", "/api/nominations", api_nominations, S_ANY },
	{ "GET", "nominations/*/*", "/api/nominations/{signer}/{id}", api_nomination_one, S_ANY },
	{ "GET", "history", "/api/history", api_history, S_ANY },
	{ "GET", "conflicts", "/api/conflicts", api_conflicts, S_ANY },
	{ "GET", "amendments", "/api/amendments", api_amendments, S_ANY },
	{ "GET", "approvals", "/api/approvals", api_approvals, S_ANY },
	{ "GET", "status", "/api/status", api_status, S_ANY },
	{ "GET", "fleet", "/api/fleet", api_fleet, S_ANY },
	{ "GET", "export", "/api/export", api_export, S_ANY },
	{ "GET", "requests", "/api/requests", api_requests, S_ANY },
	{ "GET", "/metrics", "/metrics", api_metrics, S_ANY },
	{ "POST", "approve", "/api/approve", api_approve, S_OPERATOR },
	{ "POST", "unapprove", "/api/unapprove", api_unapprove, S_OPERATOR },
	{ "POST", "amendments/*/*/accept", "/api/amendments/{signer}/{seq}/accept", api_accept,
	  S_OPERATOR },
	{ "POST", "amendments/*/*/reject", "/api/amendments/{signer}/{seq}/reject", api_reject,
	  S_OPERATOR },
	{ "POST", "nominations/*/*/stage", "/api/nominations/{signer}/{id}/stage", api_stage,
	  S_OPERATOR },
	{ "POST", "requests", "/api/requests", api_request_add, S_OPERATOR },
};
#define S_NROUTES (sizeof(s_routes) / sizeof(s_routes[0]))

void api_error(api_call_t *c, int status, const char *name, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *doc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	doc = json_pack("{s:s, s:s}", "error", name, "message", msg);
	free(c->resp->body);
	c->resp->status = status;
	c->resp->content_type = S_JSON;
	c->resp->body = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	c->resp->len = c->resp->body ? strlen(c->resp->body) : 0;
	c->resp->etag[0] = '\0';
	json_decref(doc);
}

void api_fail(api_call_t *c, int r, const char *msg)
{
	if (r == LNOB_E_INVALID || r == LNOB_E_NOTFOUND)
		api_error(c, 400, "bad_request", "%s", msg && msg[0] ? msg : lnob_strerror(r));
	else
		api_error(c, 500, "internal", "%s", msg && msg[0] ? msg : lnob_strerror(r));
}

/* The top-level key the ETag leaves out, as JSON_INDENT(2) writes it: a
 * raw newline and two spaces occur in that text only before a member of
 * the top-level object (JSON escapes a newline inside a string), and its
 * value, a number, ends at the next newline. */
#define S_GENERATED_AT "\n  \"generated_at\": "

void api_etag(const char *body, size_t len, char out[API_ETAG_LEN + 1])
{
	const char *g = memmem(body, len, S_GENERATED_AT, strlen(S_GENERATED_AT));
	const char *rest = body, *end = body + len;
	crypto_generichash_state st;
	char hex[33];
	uint8_t h[16];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	if (g) {
		/* Up to the line's newline, then from the next newline on. */
		crypto_generichash_update(&st, (const unsigned char *)body, (size_t)(g - body));
		rest = memchr(g + 1, '\n', (size_t)(end - g - 1));
		rest = rest ? rest : end;
	}
	crypto_generichash_update(&st, (const unsigned char *)rest, (size_t)(end - rest));
	crypto_generichash_final(&st, h, sizeof(h));
	snprintf(out, API_ETAG_LEN + 1, "\"%s\"", lnob_hex(hex, h, sizeof(h)));
}

/* Whether an If-None-Match header names etag (or is "*"). */
static bool s_etag_matches(const char *inm, const char *etag)
{
	return inm && (strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL);
}

void api_json(api_call_t *c, json_t *doc)
{
	http_resp_t *resp = c->resp;

	if (!doc) {
		api_error(c, 500, "internal", "out of memory");
		return;
	}
	/* One dump: the ETag is taken from the answer's own text (api_etag()),
	 * a second, compact dump for it was a third of the request's time. */
	resp->body = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	if (!resp->body) {
		api_error(c, 500, "internal", "out of memory");
		return;
	}
	resp->len = strlen(resp->body);
	api_etag(resp->body, resp->len, resp->etag);
	if (s_etag_matches(c->req->if_none_match, resp->etag)) {
		free(resp->body);
		resp->body = NULL;
		resp->len = 0;
		resp->status = 304;
		return;
	}
	resp->status = 200;
	resp->content_type = S_JSON;
	resp->cache_control = "no-cache";
}

/* Splits the path after "/api/" into c->parts. Returns false when it has
 * too many segments or an empty one. */
static bool s_split(api_call_t *c, const char *rest)
{
	char *save = NULL, *tok;

	if (lnob_strlcpy(c->path, rest, sizeof(c->path)) < 0)
		return false;
	for (tok = strtok_r(c->path, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (c->nparts == API_PARTS_MAX)
			return false;
		c->parts[c->nparts++] = tok;
	}
	return true;
}

/* Whether pattern matches c's segments. */
static bool s_match(const api_call_t *c, const char *pattern)
{
	char buf[128], *save = NULL, *tok;
	size_t i = 0;

	lnob_strlcpy(buf, pattern, sizeof(buf));
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save), i++)
		if (i >= c->nparts || (strcmp(tok, "*") != 0 && strcmp(tok, c->parts[i]) != 0))
			return false;
	return i == c->nparts;
}

/* The token of the Authorization header, checked in c->txn: false after
 * answering 401. */
static bool s_auth(api_call_t *c)
{
	const char *h = c->req->authorization;
	char err[256] = "";
	int r;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		api_error(c, 401, "unauthorized", "the Authorization header must be 'Bearer <token>' "
			  "(`lnob-aggregator token add` makes one)");
		return false;
	}
	h += 7;
	while (*h == ' ')
		h++;
	r = token_check(c->api->st, c->txn, c->api->hier, h, lnob_now_s(), &c->grant, err,
			sizeof(err));
	if (r == LNOB_E_NOTFOUND || r == LNOB_E_INVALID) {
		api_error(c, 401, "unauthorized", "%s", err);
		return false;
	}
	if (r < 0) {
		api_fail(c, r, "reading the token");
		return false;
	}
	return true;
}

/* The dashboard's files: GET (or HEAD) of an embedded path, no token. */
static void s_asset(api_call_t *c)
{
	const web_asset_t *a = web_asset_find(c->req->path);
	http_resp_t *resp = c->resp;
	char hex[33];
	uint8_t h[16];

	if (strcmp(c->req->method, "GET") != 0 && strcmp(c->req->method, "HEAD") != 0) {
		snprintf(resp->allow, sizeof(resp->allow), "GET, HEAD");
		api_error(c, 405, "method_not_allowed", "%s: only GET", c->req->path);
		return;
	}
	if (!a) {
		api_error(c, 404, "not_found", "no such path: %s", c->req->path);
		return;
	}
	crypto_generichash(h, sizeof(h), a->data, a->len, NULL, 0);
	snprintf(resp->etag, sizeof(resp->etag), "\"%s\"", lnob_hex(hex, h, sizeof(h)));
	resp->cache_control = "no-cache";
	if (s_etag_matches(c->req->if_none_match, resp->etag)) {
		resp->status = 304;
		return;
	}
	resp->status = 200;
	resp->content_type = a->content_type;
	resp->body = (char *)a->data;
	resp->len = a->len;
	resp->body_static = true;
}

/* Finds the route of c (404, 405 or 403 answered when none fits). */
static const s_route_t *s_route(api_call_t *c, bool metrics)
{
	bool path_known = false;
	char allow[32] = "";

	for (size_t i = 0; i < S_NROUTES; i++) {
		const s_route_t *rt = &s_routes[i];

		if (metrics != (rt->pattern[0] == '/') || (!metrics && !s_match(c, rt->pattern)))
			continue;
		path_known = true;
		if (strcmp(rt->method, c->req->method) != 0) {
			snprintf(allow, sizeof(allow), "%s", rt->method);
			continue;
		}
		if (rt->role == S_OPERATOR && c->grant.role != TOKEN_OPERATOR) {
			api_error(c, 403, "forbidden", "%s %s: the token's role is viewer; this action "
				  "needs an operator token", c->req->method, c->req->path);
			return NULL;
		}
		return rt;
	}
	if (!path_known) {
		api_error(c, 404, "not_found", "no such endpoint: %s", c->req->path);
		return NULL;
	}
	snprintf(c->resp->allow, sizeof(c->resp->allow), "%s", allow);
	api_error(c, 405, "method_not_allowed", "%s %s: use %s", c->req->method, c->req->path,
		  allow);
	return NULL;
}

/* POST: the body must be a JSON object (an empty body is {}). */
static bool s_body(api_call_t *c)
{
	json_error_t je;

	if (strcmp(c->req->method, "POST") != 0)
		return true;
	if (c->req->body_len == 0) {
		c->body = json_object();
		return true;
	}
	c->body = json_loadb(c->req->body, c->req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(c->body)) {
		api_error(c, 400, "bad_request", "the body is not a JSON object: %s",
			  c->body ? "another JSON value" : je.text);
		return false;
	}
	return true;
}

/* A /api/... or /metrics request. */
static void s_api(api_call_t *c, bool metrics)
{
	const s_route_t *rt;
	int r;

	if (!metrics && !s_split(c, c->req->path + strlen("/api/"))) {
		api_error(c, 404, "not_found", "no such endpoint: %s", c->req->path);
		return;
	}
	if ((r = store_begin(c->api->st, false, &c->txn)) < 0) {
		api_fail(c, r, "opening a read transaction");
		return;
	}
	if (c->req->too_many_args)
		api_error(c, 400, "bad_request", "more than %d query parameters", HTTP_ARGS_MAX);
	else if (s_auth(c) && (rt = s_route(c, metrics)) && (c->endpoint = rt->endpoint) &&
		 s_body(c)) {
		if (rt->role == S_OPERATOR)
			store_abort(&c->txn);   /* the action writes in its own transaction */
		rt->fn(c);
	}
	store_abort(&c->txn);
	json_decref(c->body);
}

void api_handle(void *api, const http_req_t *req, http_resp_t *resp)
{
	struct timespec t0, t1;
	api_call_t c;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&c, 0, sizeof(c));
	c.api = api;
	c.req = req;
	c.resp = resp;
	if (strncmp(req->path, "/api/", 5) == 0)
		s_api(&c, false);
	else if (strcmp(req->path, "/metrics") == 0)
		s_api(&c, true);
	else
		s_asset(&c);
	if (!resp->status)
		api_error(&c, 500, "internal", "no answer");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (c.api->metrics && (c.endpoint || strncmp(req->path, "/api/", 5) == 0))
		metrics_query(c.api->metrics, c.endpoint, resp->status,
			      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	log_debug("http: %s %s (%s) -> %d%s%s", req->method, req->path,
		  c.endpoint ? c.endpoint : "-", resp->status, c.grant.id[0] ? " token " : "",
		  c.grant.id);
}
