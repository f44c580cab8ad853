/*
 * cmd_households_report.c: `lnob-collector households report --campaign C
 * --period P` (README "The household register"): the register's counts
 * (households_report.h) made reports by `submit`'s own reader (intake.h,
 * from JSON), checked by its rules (submit_rules.h) and queued by its
 * path (col_queue_reports()), all in one transaction or nothing.
 */
#include "cmd_households.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "households_report.h"
#include "intake.h"
#include "lnob_err.h"
#include "render.h"
#include "util.h"

/* The register held into *list. Returns 0, or 1 after the message. */
static int s_register(cli_ctx_t *ctx, households_t *list)
{
	outbox_households_t *st = NULL;
	uint64_t no = 0;
	int rc, r;

	if ((rc = cmd_households_open(ctx, false, &st)) != 0)
		return rc;
	r = outbox_households_read(st, list, &no);
	outbox_households_close(&st);
	if (r < 0)
		return cli_fail(ctx, "households: %s: %s (nothing queued)", ctx->data_dir,
				lnob_strerror(r));
	if (no == 0)
		return cli_fail(ctx, "households: no register imported yet (households import FILE)");
	return 0;
}

/* The value of v, a count or an amount. */
static int64_t s_value(const Lnob__IndicatorValue *v)
{
	return v->value_case == LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND ? v->amount_vnd : v->count;
}

/* Prints what was queued: the reports of list as seq first.. */
static int s_print(cli_ctx_t *ctx, const intake_list_t *list, uint64_t first, size_t unchanged)
{
	json_t *doc, *arr = json_array();
	int rc = 0;

	for (size_t i = 0; arr && i < list->n; i++) {
		const Lnob__Report *r = list->v[i];
		json_t *vals = json_object();

		for (size_t k = 0; vals && k < r->n_values; k++)
			json_object_set_new(vals, r->values[k]->code, json_integer(s_value(r->values[k])));
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:o*}", "unit", r->unit,
						     "revision", (json_int_t)r->revision, "seq",
						     (json_int_t)first + (json_int_t)i, "values", vals));
	}
	doc = json_pack("{s:I, s:I, s:I, s:o*}", "queued", (json_int_t)list->n, "first_seq",
			(json_int_t)first, "unchanged", (json_int_t)unchanged, "reports", arr);
	if (!doc)
		return cli_fail(ctx, "households: out of memory (the reports are queued)");
	if (ctx->format == CLI_JSON) {
		rc = render_json(stdout, doc, JSON_PRESERVE_ORDER) < 0;
	} else {
		printf("queued %zu reports as seq %" PRIu64 "..%" PRIu64 " (%zu units unchanged)\n",
		       list->n, first, first + list->n - 1, unchanged);
		for (size_t i = 0; i < list->n; i++) {
			const Lnob__Report *r = list->v[i];

			printf("  seq %-6" PRIu64 " %-16s revision %-3u", first + i, r->unit, r->revision);
			for (size_t k = 0; k < r->n_values; k++)
				printf(" %s=%" PRId64, r->values[k]->code, s_value(r->values[k]));
			printf("\n");
		}
	}
	json_decref(doc);
	return rc;
}

/* The reports of in, read back by submit's reader into *list, checked by
 * rules and queued. Returns the exit status. */
static int s_queue(cli_ctx_t *ctx, const submit_rules_t *rules, households_report_in_t *in,
		   intake_list_t *list)
{
	int64_t now_ms = in->now_s * 1000;
	size_t unchanged = 0;
	json_t *arr = NULL;
	char err[1024], *text;
	uint64_t first = 0;
	int rc;

	in->ob = ctx->store;
	if (households_reports(in, &arr, &unchanged, err, sizeof(err)) < 0)
		return cli_fail(ctx, "households report: %s (nothing queued)", err);
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		printf("nothing queued: every unit's report carries the register's counts already "
		       "(%zu units unchanged)\n", unchanged);
		return 0;
	}
	text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(arr);
	if (!text)
		return cli_fail(ctx, "households report: out of memory (nothing queued)");
	rc = intake_parse_json("households report", text, strlen(text), in->now_s, list, err,
			       sizeof(err));
	free(text);
	if (rc < 0 || submit_rules_check(rules, list, 0, err, sizeof(err)) < 0 ||
	    col_queue_reports(ctx, list, now_ms, &first, err, sizeof(err)) < 0)
		return cli_fail(ctx, "%s%s", err, strstr(err, "nothing queued") ? "" :
				" (nothing queued)");
	return s_print(ctx, list, first, unchanged);
}

int cmd_households_report(cli_ctx_t *ctx, const submit_rules_t *rules,
			  const households_area_t *area)
{
	const char *cid = cli_opt(ctx, "campaign"), *pid = cli_opt(ctx, "period");
	households_report_in_t in = { .area = area, .now_s = lnob_now_s() };
	intake_list_t list = { 0 };
	households_t reg = { 0 };
	outbox_limits_t lim;
	char err[1024];
	int rc;

	if (!cid || !pid)
		return cli_usage(ctx, "report: give --campaign C and --period P");
	if (campaigns_lookup(rules->camps, cid, pid, "--campaign", "--period", &in.camp, err,
			     sizeof(err)) < 0)
		return cli_fail(ctx, "households report: %s (nothing queued)", err);
	if (!in.camp)
		return cli_fail(ctx, "households report: no campaign is held or configured: the "
				"register's counts are reported as its indicators (nothing queued)");
	in.period = campaign_period_find(in.camp, pid);
	if ((rc = s_register(ctx, &reg)) != 0 || (rc = col_known_limits(ctx, &lim)) != 0 ||
	    (rc = cli_store(ctx, CLI_STORE_WRITE)) != 0) {
		households_clear(&reg);
		return rc;
	}
	in.list = &reg;
	list.max_body = outbox_max_body(&lim);
	rc = s_queue(ctx, rules, &in, &list);
	intake_list_clear(&list);
	households_clear(&reg);
	return rc;
}
