/* colweb.c: the collector's page: its route table, the password, the
 * files, GET /api/status, and what the route files share (colweb_int.h;
 * see colweb.h). */
#include "colweb.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "colweb_assets.h"
#include "colweb_int.h"
#include "lnob_err.h"
#include "util.h"

void colweb_json(http_resp_t *resp, int status, json_t *doc)
{
	resp->status = doc ? status : 500;
	resp->content_type = COLWEB_JSON;
	resp->cache_control = "no-store";
	resp->body = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	resp->len = resp->body ? strlen(resp->body) : 0;
	json_decref(doc);
}

void colweb_error(http_resp_t *resp, int status, const char *name, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	colweb_json(resp, status, json_pack("{s:s,s:s}", "error", name, "message", msg));
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

const char *colweb_arg(const http_req_t *req, const char *key)
{
	for (size_t i = 0; i < req->nargs; i++)
		if (strcmp(req->args[i].key, key) == 0)
			return req->args[i].value[0] ? req->args[i].value : NULL;
	return NULL;
}

int colweb_attach(http_t *h)
{
	int r;

	if ((r = http_body_limit(h, "/api/nominations", COLWEB_UPLOAD_MAX)) < 0 ||
	    (r = http_body_limit(h, "/api/template", COLWEB_UPLOAD_MAX)) < 0)
		return r;
	http_set_gate(h, colweb_gate);
	return 0;
}

static void s_status(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	json_t *doc = NULL;

	(void)req;
	if (col_status_doc(ctx, &doc) != 0)
		colweb_error(resp, 500, "internal", "cannot read the outbox");
	else
		colweb_json(resp, 200, doc);
}

typedef void (*s_route_fn)(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp);

static const struct {
	const char *method, *path;
	s_route_fn fn;
} s_routes[] = {
	{ "GET", "/api/status", s_status },
	{ "GET", "/api/form", colweb_form_get },
	{ "GET", "/api/reports", colweb_reports_get },
	{ "POST", "/api/reports", colweb_reports_post },
	{ "GET", "/api/report", colweb_report_get },
	{ "POST", "/api/nominations", colweb_nominations_post },
	{ "GET", "/api/template", colweb_template_get },
	{ "POST", "/api/template", colweb_template_post },
};
#define S_NROUTES (sizeof(s_routes) / sizeof(s_routes[0]))

/* The Allow header of path: its routes' methods. */
static void s_allow(const char *path, http_resp_t *resp)
{
	size_t n = 0;

	resp->allow[0] = '\0';
	for (size_t i = 0; i < S_NROUTES; i++)
		if (strcmp(path, s_routes[i].path) == 0)
			n += (size_t)snprintf(resp->allow + n, sizeof(resp->allow) - n, "%s%s",
					      n ? ", " : "", s_routes[i].method);
}

/* A file of the page, or 404. */
static void s_asset(const http_req_t *req, http_resp_t *resp)
{
	const web_asset_t *a = colweb_asset_find(req->path);

	if (!a) {
		colweb_error(resp, 404, "not_found", "no such page: %s", req->path);
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		snprintf(resp->allow, sizeof(resp->allow), "GET, HEAD");
		colweb_error(resp, 405, "method_not_allowed", "%s %s", req->method, req->path);
		return;
	}
	resp->status = 200;
	resp->content_type = a->content_type;
	resp->cache_control = "no-cache";
	resp->body = (char *)(uintptr_t)a->data;
	resp->len = a->len;
	resp->body_static = true;
}

void colweb_gate(void *vctx, const http_req_t *req, http_resp_t *resp)
{
	if (strncmp(req->path, "/api/", 5) == 0 && !s_authorized(vctx, req))
		colweb_error(resp, 401, "unauthorized", "the Authorization header must be 'Bearer "
			     "<[web] password>'");
}

void colweb_handle(void *vctx, const http_req_t *req, http_resp_t *resp)
{
	cli_ctx_t *ctx = vctx;
	bool path_known = false;

	if (strncmp(req->path, "/api/", 5) != 0) {
		s_asset(req, resp);
		return;
	}
	colweb_gate(vctx, req, resp);
	if (resp->status)
		return;
	if (req->too_many_args) {
		colweb_error(resp, 400, "bad_request", "too many query arguments");
		return;
	}
	for (size_t i = 0; i < S_NROUTES; i++) {
		if (strcmp(req->path, s_routes[i].path) != 0)
			continue;
		path_known = true;
		if (strcmp(req->method, s_routes[i].method) == 0) {
			s_routes[i].fn(ctx, req, resp);
			return;
		}
	}
	if (path_known) {
		s_allow(req->path, resp);
		colweb_error(resp, 405, "method_not_allowed", "%s %s", req->method, req->path);
		return;
	}
	colweb_error(resp, 404, "not_found", "no such endpoint: %s", req->path);
}
