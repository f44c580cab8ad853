/* api_export.c: GET /api/export (see api.h): the file `lnob-aggregator
 * export` writes (export.h: export_build() and export_render(), ADX and
 * DHIS2 with the mapping of the aggregator's [export] mapping), as an
 * attachment. */
#include "api_int.h"

#include <stdio.h>
#include <string.h>

#include "export.h"
#include "hierperiod.h"
#include "util.h"

/* format and sheet: false after answering 400. */
static bool s_format(api_call_t *c, export_format_t *ret, const char **ret_sheet)
{
	static const char *const names[] = { [EXPORT_XLSX] = "xlsx", [EXPORT_CSV] = "csv",
					     [EXPORT_ADX] = "adx", [EXPORT_DHIS2] = "dhis2" };
	const char *f = api_arg(c, "format"), *sheet = api_arg(c, "sheet");
	size_t i;

	for (i = 0; f && i < sizeof(names) / sizeof(names[0]) && strcmp(f, names[i]) != 0; i++)
		;
	if (!f || i == sizeof(names) / sizeof(names[0])) {
		api_error(c, 400, "bad_request", "parameter 'format' %s%s%s: xlsx, csv, adx or dhis2",
			  f ? "'" : "is required", f ? f : "", f ? "' is not" : "");
		return false;
	}
	*ret = (export_format_t)i;
	if ((*ret == EXPORT_ADX || *ret == EXPORT_DHIS2) && !c->api->mapping) {
		api_error(c, 400, "bad_request", "format '%s' needs a DHIS2 mapping: the "
			  "aggregator's [export] mapping is not set", f);
		return false;
	}
	if (sheet && *ret != EXPORT_CSV) {
		api_error(c, 400, "bad_request", "parameter 'sheet' goes with format=csv (a workbook "
			  "holds every sheet)");
		return false;
	}
	if (sheet && strcmp(sheet, "summary") != 0 && strcmp(sheet, "late") != 0 &&
	    strcmp(sheet, "nominations") != 0) {
		api_error(c, 400, "bad_request", "parameter 'sheet': '%s' is not summary, late or "
			  "nominations", sheet);
		return false;
	}
	*ret_sheet = sheet && strcmp(sheet, "summary") != 0 ? sheet : NULL;
	return true;
}

void api_export(api_call_t *c)
{
	static const char *const allowed[] = { "campaign", "period", "unit", "level", "format",
					       "sheet", NULL };
	export_opts_t o = { .campaigns = c->api->campaigns, .level = api_arg(c, "level"),
			    .now = lnob_now_s() };
	export_format_t f = EXPORT_XLSX;
	const campaign_t *camp;
	const hier_t *h;
	const char *sheet = NULL;
	unsigned char *buf = NULL;
	json_t *doc = NULL;
	char err[1024] = "", name[200] = "";
	size_t len = 0;
	int r;

	if (!api_args_only(c, allowed) || !s_format(c, &f, &sheet) ||
	    !api_campaign(c, "period", &camp))
		return;
	o.campaign = api_arg(c, "campaign");
	o.period = api_arg(c, "period");
	/* The unit in the period's hierarchy version (hierperiod.h). */
	h = hierperiod_tree(c->api->hier, o.campaigns, o.campaign, o.period);
	if (!api_unit_at(c, "unit", h, &o.unit))
		return;
	r = export_build(c->api->st, c->txn, h, &o, &doc, err, sizeof(err));
	if (r == 0)
		export_filename(doc, f, sheet, name, sizeof(name));
	if (r == 0)
		r = f == EXPORT_CSV ? export_render_csv(doc, sheet, &buf, &len, err, sizeof(err))
				    : export_render_mapped(doc, f, c->api->mapping, &buf, &len, err,
							   sizeof(err));
	json_decref(doc);
	if (r < 0) {
		api_fail(c, r, err);
		return;
	}
	c->resp->status = 200;
	c->resp->content_type = f == EXPORT_CSV ? "text/csv; charset=utf-8"
		: f == EXPORT_ADX ? "application/adx+xml"
		: f == EXPORT_DHIS2 ? "application/json"
		: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	c->resp->body = (char *)buf;
	c->resp->len = len;
	c->resp->cache_control = "no-store";
	snprintf(c->resp->disposition, sizeof(c->resp->disposition),
		 "attachment; filename=\"%s\"", name[0] ? name : "lnob-export");
}
