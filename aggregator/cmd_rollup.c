/*
 * cmd_rollup.c: `lnob-aggregator rollup -c CONF --campaign C --period P
 * [--unit U | --cluster K] [--json | --csv]` (README "Reading the
 * rollups"): the rollup view (view.h) of a unit and its children, or of a
 * cluster's members, as a table or its JSON document, read beside the
 * running daemon; --csv is the export's summary sheet of the unit and its
 * children (export.h: the same rows and columns as `export --format csv`).
 */
#include "cmd_aggregator.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "aggstore.h"
#include "export.h"
#include "hierperiod.h"
#include "lnob_err.h"
#include "render.h"
#include "util.h"
#include "view.h"

/* --csv: the export's summary of unit and its children on stdout. */
static int s_csv(cli_ctx_t *ctx, MDB_txn *txn, const hier_t *h, const view_opts_t *vo, char *err,
		 size_t errlen)
{
	export_opts_t eo = { .campaigns = vo->campaigns, .campaign = vo->campaign,
			     .period = vo->period, .unit = vo->unit, .now = vo->now };
	unsigned char *buf = NULL;
	json_t *doc = NULL;
	size_t len = 0;
	int r = export_build(ctx->store, txn, h, &eo, &doc, err, errlen);

	if (r == 0)
		r = export_render_csv(doc, "summary", &buf, &len, err, errlen);
	json_decref(doc);
	if (r == 0 && (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0))
		r = -EIO;
	free(buf);
	return r;
}

int cmd_rollup(cli_ctx_t *ctx)
{
	const char *cluster = cli_opt(ctx, "cluster");
	view_opts_t vo = { .campaigns = &ctx->camps, .campaign = cli_opt(ctx, "campaign"),
			   .period = cli_opt(ctx, "period"), .cluster = cluster,
			   .now = lnob_now_s() };
	const hier_t *h;
	MDB_txn *txn = NULL;
	json_t *view = NULL;
	char err[1024] = "";
	int rc, r;

	if (cluster && cli_opt(ctx, "unit"))
		return cli_usage(ctx, "--unit and --cluster: one of them at most");
	if ((rc = aggcmd_campaign(ctx, "period")) != 0)
		return rc;
	/* --unit in the period's hierarchy version (hierperiod.h). */
	h = hierperiod_tree(ctx->hier, &ctx->camps, vo.campaign, vo.period);
	if (!cluster && cli_opt(ctx, "unit") && hier_find(h, cli_opt(ctx, "unit")) < 0 &&
	    hierperiod_absent(ctx->hier, h, cli_opt(ctx, "unit"), vo.period, err, sizeof(err)))
		return cli_fail(ctx, "rollup: --unit: %s", err);
	if (cluster)
		vo.unit = 0;
	else if ((rc = aggcmd_unit_of(ctx, h, &vo.unit)) != 0)
		return rc;
	if (cluster && ctx->format == CLI_CSV)
		return cli_usage(ctx, "--csv and --cluster: --csv gives a unit and its children");
	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, false, &txn)) == 0) {
		if (ctx->format == CLI_CSV)
			r = s_csv(ctx, txn, h, &vo, err, sizeof(err));
		else
			r = view_build(ctx->store, txn, cluster ? ctx->hier : h, &vo, &view, err,
				       sizeof(err));
	}
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "rollup: %s", err[0] ? err : lnob_strerror(r));
	if (ctx->format == CLI_CSV)
		return 0;
	if (ctx->format == CLI_JSON)
		rc = render_json(stdout, view, JSON_SORT_KEYS) < 0;
	else
		view_print_table(stdout, view);
	json_decref(view);
	return rc;
}
