/*
 * cmd_submit.c: `lnob-collector submit -c CONF FILE...` (README
 * "Submitting reports", "Offline checks"): parses every file (and, with
 * metadata held or the campaigns configured, checks each report as the
 * aggregator would: submit_rules.h), then queues all
 * their reports in one transaction, or nothing.
 */
#include "cmd_collector.h"

#include <inttypes.h>
#include <lmdb.h>
#include <stdio.h>
#include <string.h>

#include "intake.h"
#include "lnob_err.h"
#include "submit_rules.h"
#include "util.h"

/* Parses ctx's files into list, each checked against the campaigns when
 * they are configured. Returns 0, or 1 after printing the failure. */
static int s_parse_files(cli_ctx_t *ctx, const outbox_limits_t *lim, int64_t now_ms,
			 const submit_rules_t *rules, intake_list_t *list)
{
	char err[1024], origin[160];
	int r;

	/* Each report must fit the upstream's max_body as last known, or
	 * the upstream would refuse it: refused here, before anything is
	 * queued. */
	list->max_body = outbox_max_body(lim);
	list->xlsx_campaign = cli_opt(ctx, "campaign");
	list->xlsx_period = cli_opt(ctx, "period");
	for (int i = 0; i < ctx->argc; i++) {
		size_t from = list->n;

		r = intake_parse_file(ctx->argv[i], now_ms / 1000, list, err, sizeof(err));
		if (r == LNOB_E_TOOBIG)
			return cli_fail(ctx, "%s (%s; nothing queued)", err, col_limit_origin(lim, origin));
		if (r < 0 || submit_rules_check(rules, list, from, err, sizeof(err)) < 0)
			return cli_fail(ctx, "%s (nothing queued)", err);
	}
	return 0;
}

int col_queue_reports(cli_ctx_t *ctx, const intake_list_t *list, int64_t now_ms,
		      uint64_t *first, char *err, size_t errlen)
{
	outbox_limits_t lim;
	char detail[512] = "", origin[160], why[1200];
	int r;

	r = outbox_enqueue_reports(ctx->store, &ctx->id, (const Lnob__Report *const *)list->v,
				   list->n, now_ms, first, detail, sizeof(detail));
	if (r == LNOB_E_FULL)
		return lnob_errf(err, errlen, r, "%s: outbox is full ([node] map_size_mb = %zu); "
				 "nothing queued", ctx->data_dir, col_conf(ctx)->map_size >> 20);
	if (r == LNOB_E_TOOBIG && outbox_get_limits(ctx->store, &lim) == 0)
		/* The daemon learned a smaller limit meanwhile. */
		return lnob_errf(err, errlen, r, "%s: cannot queue: %s (%s; nothing queued)",
				 ctx->data_dir, detail, col_limit_origin(&lim, origin));
	if (r < 0)
		return lnob_errf(err, errlen, r, "%s: cannot queue: %s%s%s (nothing queued)",
				 ctx->data_dir, outbox_strerror(ctx->store, r, why, sizeof(why)),
				 detail[0] ? ": " : "", detail);
	return 0;
}

/* Queues list's reports in one transaction. Returns 0, or 1 after
 * printing the failure. */
static int s_queue(cli_ctx_t *ctx, const intake_list_t *list, int64_t now_ms, uint64_t *first)
{
	char err[1024];
	int r;

	if ((r = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		return r;
	if (col_queue_reports(ctx, list, now_ms, first, err, sizeof(err)) < 0)
		return cli_fail(ctx, "%s", err);
	return 0;
}

int cmd_submit(cli_ctx_t *ctx)
{
	intake_list_t list = { 0 };
	submit_rules_t rules;
	outbox_limits_t lim;
	uint64_t first = 0;
	int64_t now_ms = lnob_now_ms();
	int rc;

	if ((rc = submit_rules_load(ctx, &rules)) != 0)
		return rc;
	if ((rc = col_known_limits(ctx, &lim)) == 0 &&
	    (rc = s_parse_files(ctx, &lim, now_ms, &rules, &list)) == 0 &&
	    (rc = s_queue(ctx, &list, now_ms, &first)) == 0)
		printf("queued %zu reports as seq %" PRIu64 "..%" PRIu64 "\n", list.n, first,
		       first + list.n - 1);
	intake_list_clear(&list);
	submit_rules_clear(&rules);
	return rc;
}
