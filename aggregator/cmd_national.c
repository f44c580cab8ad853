/*
 * cmd_national.c: `lnob-aggregator national send -c CONF`: the national
 * feed's pass on demand (national_feed.h), beside the running daemon,
 * which takes the same outbox (LMDB, one writer at a time).
 */
#include "cmd_aggregator.h"

#include <stdio.h>
#include <string.h>

#include "identity.h"
#include "lnob_err.h"
#include "national_feed.h"
#include "outbox.h"

int aggcmd_national_root(cli_ctx_t *ctx, int *ret)
{
	const aggcmd_conf_t *c = aggcmd_conf(ctx);
	const int *roots;
	char err[1024];

	if (c->national_unit[0]) {
		if ((*ret = hier_find(ctx->hier, c->national_unit)) >= 0)
			return 0;
		cli_conf_error(ctx->conf, "national", "unit", err, sizeof(err),
			       "'%s' is not in the hierarchy", c->national_unit);
		return cli_fail(ctx, "%s", err);
	}
	if (hier_children(ctx->hier, -1, &roots) == 1) {
		*ret = roots[0];
		return 0;
	}
	cli_conf_error(ctx->conf, "national", "unit", err, sizeof(err),
		       "missing: the hierarchy has several roots, name the province's");
	return cli_fail(ctx, "%s", err);
}

int cmd_national(cli_ctx_t *ctx)
{
	const aggcmd_conf_t *c = aggcmd_conf(ctx);
	outbox_t *ob = NULL;
	identity_t id;
	size_t made = 0, queued = 0;
	char err[1024];
	int root = -1, rc;

	if (strcmp(ctx->argv[0], "send") != 0)
		return cli_usage(ctx, "national: '%s' is not send", ctx->argv[0]);
	if (!c->national_outbox[0])
		return cli_fail(ctx, "%s: [national] outbox: missing (no national feed is configured)",
				ctx->conf_path);
	if ((rc = aggcmd_national_root(ctx, &root)) != 0 || (rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if (identity_load(c->national_identity, &id, err, sizeof(err)) < 0)
		return cli_fail(ctx, "%s: [national] identity: %s", ctx->conf_path, err);
	if (outbox_open(c->national_outbox, (size_t)256 << 20, 0, &ob, err, sizeof(err)) < 0) {
		identity_wipe(&id);
		return cli_fail(ctx, "%s: [national] outbox: %s", ctx->conf_path, err);
	}
	rc = national_feed(ctx->store, ctx->hier, &ctx->camps, root, ob, &id, &made, &queued, err,
			   sizeof(err));
	outbox_destroy(&ob);
	identity_wipe(&id);
	if (rc < 0)
		return cli_fail(ctx, "national send: %s", err);
	printf("queued %zu changed snapshot(s) of %zu for the national aggregator\n", queued, made);
	return 0;
}
