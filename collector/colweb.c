/* colweb.c: the collector's page: its routes, the password, the files
 * (see colweb.h). */
#include "colweb.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "colweb_assets.h"
#include "lnob_err.h"
#include "submit_rules.h"
#include "util.h"

#define S_JSON "application/json; charset=utf-8"

/* Answers doc (taken) with status. */
static void s_json(http_resp_t *resp, int status, json_t *doc)
{
	resp->status = doc ? status : 500;
	resp->content_type = S_JSON;
	resp->cache_control = "no-store";
	resp->body = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	resp->len = resp->body ? strlen(resp->body) : 0;
	json_decref(doc);
}

/* Answers {"error": name, "message": ...} with status. */
static void s_error(http_resp_t *resp, int status, const char *name, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s_json(resp, status, json_pack("{s:s,s:s}", "error", name, "message", msg));
}

/* Whether the request carries "Bearer <password>": both hashed, then
 * compared in constant time. */
static bool s_authorized(const cli_ctx_t *ctx, const http_req_t *req)
{
	const char *pw = col_conf(ctx)->web_password, *h = req->authorization;
	unsigned char a[32], b[32];

	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	crypto_generichash(a, sizeof(a), (const unsigned char *)h, strlen(h), NULL, 0);
	crypto_generichash(b, sizeof(b), (const unsigned char *)pw, strlen(pw), NULL, 0);
	return sodium_memcmp(a, b, sizeof(a)) == 0;
}

/* The query argument key, or NULL. */
static const char *s_arg(const http_req_t *req, const char *key)
{
	for (size_t i = 0; i < req->nargs; i++)
		if (strcmp(req->args[i].key, key) == 0)
			return req->args[i].value[0] ? req->args[i].value : NULL;
	return NULL;
}

static void s_status(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	json_t *doc = NULL;

	(void)req;
	if (col_status_doc(ctx, &doc) != 0)
		s_error(resp, 500, "internal", "cannot read the outbox");
	else
		s_json(resp, 200, doc);
}

static void s_form(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	char err[1024];
	json_t *doc = NULL;
	int r = colweb_form(ctx, s_arg(req, "campaign"), s_arg(req, "period"), &doc, err,
			    sizeof(err));

	if (r == LNOB_E_NOTFOUND || r == LNOB_E_INVALID)
		s_error(resp, 400, "bad_request", "%s", err);
	else if (r < 0)
		s_error(resp, 500, "internal", "%s", err);
	else
		s_json(resp, 200, doc);
}

static void s_reports_get(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	json_t *arr = NULL;
	int r = col_report_rows(ctx, NULL, NULL, &arr);

	(void)req;
	if (r < 0)
		s_error(resp, 500, "internal", "%s", lnob_strerror(r));
	else
		s_json(resp, 200, json_pack("{s:o}", "reports", arr));
}

/* Parses, checks and queues the body's reports as `submit` does a file.
 * Returns 0 with *first and *n, 400 or 500 with err. */
static int s_submit(cli_ctx_t *ctx, const http_req_t *req, uint64_t *first, size_t *n,
		    char *err, size_t errlen)
{
	intake_list_t list = { 0 };
	submit_rules_t rules;
	outbox_limits_t lim;
	int64_t now_ms = lnob_now_ms();
	int rc = 0;

	if (submit_rules_read(ctx, ctx->store, &rules, err, errlen) < 0)
		return 500;
	if (outbox_get_limits(ctx->store, &lim) < 0)
		memset(&lim, 0, sizeof(lim));
	list.max_body = outbox_max_body(&lim);
	if (intake_parse_json("page", req->body, req->body_len, now_ms / 1000, &list, err,
			      errlen) < 0 ||
	    submit_rules_check(&rules, &list, 0, err, errlen) < 0)
		rc = 400;
	else if (list.n == 0)
		rc = 400, snprintf(err, errlen, "page: no report");
	else if (col_queue_reports(ctx, &list, now_ms, first, err, errlen) < 0)
		rc = 500;
	*n = list.n;
	intake_list_clear(&list);
	submit_rules_clear(&rules);
	return rc;
}

static void s_reports_post(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	char err[1024] = "";
	uint64_t first = 0;
	size_t n = 0;
	int rc = s_submit(ctx, req, &first, &n, err, sizeof(err));

	if (rc == 400)
		s_error(resp, 400, "refused", "%s", err);
	else if (rc)
		s_error(resp, 500, "internal", "%s", err);
	else
		s_json(resp, 200, json_pack("{s:I,s:I}", "seq", (json_int_t)first, "queued",
					    (json_int_t)n));
}

typedef void (*s_route_fn)(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp);

static const struct {
	const char *method, *path;
	s_route_fn fn;
} s_routes[] = {
	{ "GET", "/api/status", s_status },
	{ "GET", "/api/form", s_form },
	{ "GET", "/api/reports", s_reports_get },
	{ "POST", "/api/reports", s_reports_post },
};

/* A file of the page, or 404. */
static void s_asset(const http_req_t *req, http_resp_t *resp)
{
	const web_asset_t *a = colweb_asset_find(req->path);

	if (!a) {
		s_error(resp, 404, "not_found", "no such page: %s", req->path);
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		snprintf(resp->allow, sizeof(resp->allow), "GET, HEAD");
		s_error(resp, 405, "method_not_allowed", "%s %s", req->method, req->path);
		return;
	}
	resp->status = 200;
	resp->content_type = a->content_type;
	resp->cache_control = "no-cache";
	resp->body = (char *)(uintptr_t)a->data;
	resp->len = a->len;
	resp->body_static = true;
}

void colweb_handle(void *vctx, const http_req_t *req, http_resp_t *resp)
{
	cli_ctx_t *ctx = vctx;
	bool path_known = false;

	if (strncmp(req->path, "/api/", 5) != 0) {
		s_asset(req, resp);
		return;
	}
	if (!s_authorized(ctx, req)) {
		s_error(resp, 401, "unauthorized", "the Authorization header must be 'Bearer "
			"<[web] password>'");
		return;
	}
	if (req->too_many_args) {
		s_error(resp, 400, "bad_request", "too many query arguments");
		return;
	}
	for (size_t i = 0; i < sizeof(s_routes) / sizeof(s_routes[0]); i++) {
		if (strcmp(req->path, s_routes[i].path) != 0)
			continue;
		path_known = true;
		if (strcmp(req->method, s_routes[i].method) == 0) {
			s_routes[i].fn(ctx, req, resp);
			return;
		}
	}
	if (path_known) {
		snprintf(resp->allow, sizeof(resp->allow), "%s", strcmp(req->path, "/api/reports")
			 == 0 ? "GET, POST" : "GET");
		s_error(resp, 405, "method_not_allowed", "%s %s", req->method, req->path);
		return;
	}
	s_error(resp, 404, "not_found", "no such endpoint: %s", req->path);
}
