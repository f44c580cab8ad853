/*
 * cmd_request.c: `lnob-aggregator request add -c CONF --campaign C --id ID
 * --units U1,U2,... --indicators I1,I2,... --due YYYY-MM-DD [--note TEXT]`
 * and `request list -c CONF [--campaign C] [--json]` (README "Ad-hoc
 * requests"; requests.h). The running daemon takes a new request within a
 * second and sends it down with the metadata.
 */
#include "cmd_aggregator.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "lnob_err.h"
#include "render.h"
#include "requests.h"
#include "util.h"

/* Today's date YYYY-MM-DD at utc_offset seconds east of UTC, into buf. */
static const char *s_today(int64_t utc_offset, char buf[16])
{
	int64_t local = lnob_now_s() + utc_offset;
	int y, m, d;

	calendar_civil(local / 86400, &y, &m, &d);
	snprintf(buf, 16, "%04d-%02d-%02d", y, m, d);
	return buf;
}

/* `request add`. */
static int s_add(cli_ctx_t *ctx)
{
	static requests_made_t made;   /* large; one command per process */
	requests_made_t *m = &made;
	requests_text_t t;
	const char *need[] = { "campaign", "id", "units", "indicators", "due" };
	char err[1024] = "", today[16];
	MDB_txn *txn = NULL;
	int rc, r;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!cli_opt(ctx, need[i]))
			return cli_usage(ctx, "request add: --%s is required", need[i]);
	t = (requests_text_t){ cli_opt(ctx, "campaign"), cli_opt(ctx, "id"), cli_opt(ctx, "units"),
			       cli_opt(ctx, "indicators"), cli_opt(ctx, "due"), cli_opt(ctx, "note") };
	if (requests_from_text(&t, lnob_now_s(), m) < 0)
		r = -ENOMEM;
	else if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		r = 1;
	else if ((r = store_begin(ctx->store, true, &txn)) == 0)
		r = requests_add(ctx->store, txn, &ctx->camps, ctx->hier, &m->q, err, sizeof(err));
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	requests_made_free(m);
	if (r == 1)
		return rc;
	if (r != 0)
		return cli_fail(ctx, "request add: %s", err[0] ? err : lnob_strerror(r));
	printf("ad-hoc request %s of campaign %s: %zu unit(s), %zu indicator(s), due %s\n", t.id,
	       t.campaign, m->q.n_units, m->q.n_indicators, t.due);
	if (strcmp(t.due, s_today(campaigns_utc_offset(&ctx->camps, t.campaign), today)) < 0)
		fprintf(stderr, "note: the due date %s has passed: every unit asked that has not "
			"replied is late\n", t.due);
	return 0;
}

/* The list as a table. */
static void s_table(const json_t *list)
{
	size_t i;
	json_t *row;

	printf("%-16s  %-14s  %-10s  %-8s  %-28s  %s\n", "campaign", "request", "due", "replies",
	       "indicators", "missing");
	json_array_foreach(list, i, row) {
		char replies[32], inds[512] = "", missing[512] = "";
		size_t k, n = 0, m = 0;
		json_t *s;

		snprintf(replies, sizeof(replies), "%lld/%lld",
			 (long long)json_integer_value(json_object_get(row, "reported")),
			 (long long)json_integer_value(json_object_get(row, "expected")));
		json_array_foreach(json_object_get(row, "indicators"), k, s)
			n += (size_t)snprintf(inds + n, n < sizeof(inds) ? sizeof(inds) - n : 0, "%s%s",
					      k ? "," : "", json_string_value(s));
		json_array_foreach(json_object_get(row, "missing_units"), k, s)
			m += (size_t)snprintf(missing + m, m < sizeof(missing) ? sizeof(missing) - m : 0,
					      "%s%s", k ? "," : "", json_string_value(s));
		printf("%-16s  %-14s  %-10s  %-8s  %-28s  %s\n",
		       json_string_value(json_object_get(row, "campaign")),
		       json_string_value(json_object_get(row, "id")),
		       json_string_value(json_object_get(row, "due")), replies, inds,
		       m ? missing : "-");
	}
}

/* `request list`. */
static int s_list(cli_ctx_t *ctx)
{
	MDB_txn *txn = NULL;
	json_t *list = NULL;
	int rc, r;

	if ((rc = aggcmd_campaign(ctx, NULL)) != 0 ||
	    (rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, false, &txn)) == 0)
		r = requests_view(ctx->store, txn, &ctx->camps, cli_opt(ctx, "campaign"), &list);
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "request list: %s", lnob_strerror(r));
	if (ctx->format == CLI_JSON)
		rc = render_json(stdout, list, JSON_SORT_KEYS) < 0;
	else
		s_table(list);
	json_decref(list);
	return rc;
}

int cmd_request(cli_ctx_t *ctx)
{
	const char *what = ctx->argv[0];

	if (strcmp(what, "add") == 0)
		return s_add(ctx);
	if (strcmp(what, "list") == 0)
		return s_list(ctx);
	return cli_usage(ctx, "request: expected add or list, not '%s'", what);
}
