/* colweb_template.c: the Excel template on the page (README "The
 * collector's page", "Reporting templates in Excel"): GET /api/template
 * writes the same workbook as `lnob-collector template` (template.h) and
 * answers its bytes as an attachment; POST /api/template takes a filled
 * one through submit's xlsx intake, checks and queue. */
#include "colweb_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaigns.h"
#include "lnob_err.h"
#include "template.h"
#include "util.h"

#define S_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* Writes the template of o into data_dir and reads it back: *ret (caller
 * owns) of *ret_len bytes. Returns 0, or a code of template_write() with
 * err. */
static int s_render(cli_ctx_t *ctx, const template_opts_t *o, char **ret, size_t *ret_len,
		    char *err, size_t errlen)
{
	static unsigned s_count;
	char path[4096];
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/page-template-%ld-%u.xlsx", ctx->data_dir,
			     (long)getpid(), s_count++) >= sizeof(path))
		return lnob_errf(err, errlen, -ENAMETOOLONG, "data_dir name too long");
	if ((r = template_write(path, o, NULL, NULL, err, errlen)) < 0)
		return r;
	r = lnob_read_file(path, INTAKE_FILE_MAX, ret, ret_len);
	unlink(path);
	if (r < 0)
		return lnob_errf(err, errlen, r, "%s: cannot read back: %s", path, lnob_strerror(r));
	return 0;
}

/* The options of the request's template from rules r: 0, or 400 with
 * err. */
static int s_opts(const http_req_t *req, const submit_rules_t *r, template_opts_t *o,
		  char *err, size_t errlen)
{
	const char *camp = colweb_arg(req, "campaign"), *unit = colweb_arg(req, "unit");
	int own = r->from_meta ? r->mv.own : -1;

	o->period = colweb_arg(req, "period");
	o->hier = r->hier;
	o->root = own;
	if (!r->camps || !r->hier || r->camps->n == 0)
		return snprintf(err, errlen, "no campaigns here yet: no metadata from the aggregator "
				"and no [campaign] files configured"), 400;
	if (!(o->campaign = camp ? campaigns_find(r->camps, camp) : r->camps->v[0]))
		return snprintf(err, errlen, "campaign: unknown campaign '%s'", camp), 400;
	if (!o->period || !campaign_period_find(o->campaign, o->period))
		return snprintf(err, errlen, "period: campaign '%s' has no period '%s'",
				campaign_id(o->campaign), o->period ? o->period : ""), 400;
	if (unit && ((o->root = hier_find(r->hier, unit)) < 0 ||
		     (own >= 0 && !hier_in_subtree(r->hier, own, o->root))))
		return snprintf(err, errlen, "unit: '%s' is not in this node's scope", unit), 400;
	return 0;
}

void colweb_template_get(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	template_opts_t o = { 0 };
	submit_rules_t r;
	char err[1024], *body = NULL;
	size_t len = 0;
	int rc;

	if (submit_rules_read(ctx, ctx->store, &r, err, sizeof(err)) < 0) {
		colweb_error(resp, 500, "internal", "%s", err);
		return;
	}
	rc = s_opts(req, &r, &o, err, sizeof(err)) != 0 ? LNOB_E_NOTFOUND
	     : s_render(ctx, &o, &body, &len, err, sizeof(err));
	if (rc < 0)
		colweb_error(resp, rc == LNOB_E_NOTFOUND ? 400 : 500, rc == LNOB_E_NOTFOUND
			     ? "bad_request" : "internal", "%s", err);
	else {
		resp->status = 200;
		resp->content_type = S_XLSX;
		resp->cache_control = "no-store";
		resp->body = body;
		resp->len = len;
		snprintf(resp->disposition, sizeof(resp->disposition),
			 "attachment; filename=\"%s-%s.xlsx\"", campaign_id(o.campaign), o.period);
	}
	submit_rules_clear(&r);
}

void colweb_template_post(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	const char *name = colweb_arg(req, "name");
	intake_list_t list = { 0 };
	submit_rules_t rules;
	outbox_limits_t lim;
	char err[1024];
	uint64_t first = 0;
	int rc = 0;

	if (!name || strlen(name) > 128)
		name = "upload.xlsx";
	if (submit_rules_read(ctx, ctx->store, &rules, err, sizeof(err)) < 0) {
		colweb_error(resp, 500, "internal", "%s", err);
		return;
	}
	if (outbox_get_limits(ctx->store, &lim) < 0)
		memset(&lim, 0, sizeof(lim));
	list.max_body = outbox_max_body(&lim);
	list.xlsx_campaign = colweb_arg(req, "campaign");
	list.xlsx_period = colweb_arg(req, "period");
	if (intake_parse_xlsx(name, req->body, req->body_len, lnob_now_ms() / 1000, &list, err,
			      sizeof(err)) < 0)
		rc = 400;
	else
		rc = colweb_check_queue(ctx, &rules, &list, &first, err, sizeof(err));
	if (rc == 400)
		colweb_error(resp, 400, "refused", "%s", err);
	else if (rc)
		colweb_error(resp, 500, "internal", "%s", err);
	else
		colweb_json(resp, 200, json_pack("{s:I,s:I}", "seq", (json_int_t)first, "queued",
						 (json_int_t)list.n));
	intake_list_clear(&list);
	submit_rules_clear(&rules);
}
