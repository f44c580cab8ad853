/*
 * cmd_nominations.c: `lnob-aggregator nominations -c CONF --campaign C
 * [--occasion P] [--unit U] [--json | --csv]` and `... --nomination
 * SIGNER/ID [--json]` (README "Nominations at the aggregator"): the
 * nominations of a campaign per level, or one with its dossier and
 * history (nominations.h), beside the running daemon.
 */
#include "cmd_aggregator.h"

#include <stdio.h>

#include "aggstore.h"
#include "lnob_err.h"
#include "nominations.h"
#include "render.h"
#include "unitsearch.h"
#include "util.h"

/* The usage errors of the two forms. Returns 0 or 2. */
static int s_check(cli_ctx_t *ctx)
{
	if (!cli_opt(ctx, "nomination")) {
		if (!cli_opt(ctx, "campaign"))
			return cli_usage(ctx, "--campaign C or --nomination SIGNER/ID is required");
		return 0;
	}
	if (cli_opt(ctx, "campaign") || cli_opt(ctx, "occasion") || cli_opt(ctx, "unit") ||
	    cli_opt(ctx, "stage") || cli_opt(ctx, "form") || cli_opt(ctx, "holder") ||
	    cli_opt(ctx, "waiting-days"))
		return cli_usage(ctx, "--nomination takes no --campaign, --occasion, --unit, --stage, "
				 "--form, --holder or --waiting-days");
	if (ctx->format == CLI_CSV)
		return cli_usage(ctx, "--csv: not an output format of --nomination (a table or --json)");
	return 0;
}

/* Prints view as ctx asks. Returns 0 or -EIO. */
static int s_print(const cli_ctx_t *ctx, const json_t *view)
{
	if (ctx->format == CLI_JSON)
		return render_json(stdout, view, JSON_SORT_KEYS);
	if (ctx->format == CLI_CSV)
		return nominations_print_csv(stdout, view);
	if (cli_opt(ctx, "nomination"))
		nominations_print_one(stdout, view);
	else
		nominations_print(stdout, view);
	return 0;
}

/* q from the command line: --unit and --holder resolved (a code or a
 * name), --waiting-days parsed, every name checked
 * (nominations_query_check()). Returns 0 or the exit status. */
static int s_query(cli_ctx_t *ctx, const nominations_ctx_t *nx, nominations_query_t *q)
{
	const char *holder = cli_opt(ctx, "holder"), *days = cli_opt(ctx, "waiting-days");
	char err[2048] = "";
	int rc, h;

	if ((rc = aggcmd_unit(ctx, &q->unit)) != 0)
		return rc;
	if (days && !lnob_parse_digits(days, 100000, &q->waiting_min_days))
		return cli_usage(ctx, "--waiting-days: not a number of days 0..100000: '%s'", days);
	if (holder && unit_resolve(ctx->hier, holder, -1, &h, err, sizeof(err)) != 0)
		return cli_fail(ctx, "nominations: --holder: %s (%s)", err, ctx->hier_file);
	if (holder)
		q->holder = hier_unit(ctx->hier, h)->code;
	if (nominations_query_check(nx, q, "--", err, sizeof(err)) != 0)
		return cli_fail(ctx, "nominations: %s", err);
	return 0;
}

int cmd_nominations(cli_ctx_t *ctx)
{
	const char *key = cli_opt(ctx, "nomination");
	nominations_query_t q = { .campaign = cli_opt(ctx, "campaign"),
				  .occasion = cli_opt(ctx, "occasion"), .now = lnob_now_s(),
				  .stage = cli_opt(ctx, "stage"), .form = cli_opt(ctx, "form") };
	nominations_ctx_t nx = { .hier = ctx->hier, .campaigns = &ctx->camps };
	MDB_txn *txn = NULL;
	json_t *view = NULL;
	char err[1024] = "";
	int rc, r;

	if ((rc = s_check(ctx)) != 0 || (!key && (rc = s_query(ctx, &nx, &q)) != 0) ||
	    (rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	nx.st = ctx->store;
	if ((r = store_begin(ctx->store, false, &txn)) == 0)
		r = key ? nominations_one(&nx, txn, key, &view)
			: nominations_view(&nx, txn, &q, &view, err, sizeof(err));
	store_abort(&txn);
	if (r == LNOB_E_NOTFOUND && key)
		return cli_fail(ctx, "nominations: no nomination '%s' is stored", key);
	if (r < 0)
		return cli_fail(ctx, "nominations: %s", err[0] ? err : lnob_strerror(r));
	rc = s_print(ctx, view) < 0;
	json_decref(view);
	return rc;
}
