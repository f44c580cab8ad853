/*
 * cmd_history.c: `lnob-aggregator history -c CONF --campaign C --period P
 * --unit U [--json]` and `lnob-aggregator conflicts -c CONF [--json]`
 * (README "Corrections, history and conflicts"): read-only views of the
 * revision history (history.h), beside the running daemon.
 */
#include "cmd_aggregator.h"

#include <stdio.h>

#include "aggstore.h"
#include "hierperiod.h"
#include "history.h"
#include "lnob_err.h"
#include "render.h"

/* Builds the history of one unit (unit not NULL) or the open conflicts,
 * and prints it. Returns the exit status. */
static int s_show(cli_ctx_t *ctx, const char *unit)
{
	MDB_txn *txn = NULL;
	json_t *view = NULL;
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, false, &txn)) == 0)
		r = unit ? history_view(ctx->store, txn, cli_opt(ctx, "campaign"),
					cli_opt(ctx, "period"), unit, &view)
			 : conflicts_view(ctx->store, txn, &view);
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "%s: %s", ctx->cmd->name, lnob_strerror(r));
	if (ctx->format == CLI_JSON)
		rc = render_json(stdout, view, JSON_SORT_KEYS) < 0;
	else if (unit)
		history_print(stdout, view, &ctx->camps);
	else
		conflicts_print(stdout, view, &ctx->camps);
	json_decref(view);
	return rc;
}

int cmd_history(cli_ctx_t *ctx)
{
	/* --unit in the period's hierarchy version (hierperiod.h) */
	const hier_t *h = hierperiod_tree(ctx->hier, &ctx->camps, cli_opt(ctx, "campaign"),
					  cli_opt(ctx, "period"));
	int unit, rc;

	if ((rc = aggcmd_campaign(ctx, "period")) != 0 || (rc = aggcmd_unit_of(ctx, h, &unit)) != 0)
		return rc;
	return s_show(ctx, hier_unit(h, unit)->code);
}

int cmd_conflicts(cli_ctx_t *ctx)
{
	return s_show(ctx, NULL);
}
