/*
 * cmd_verify.c: `lnob-aggregator verify -c CONF` (README "Reading the
 * rollups"): recomputes, by arithmetic of its own, what the store derives
 * from its envelope log (verify.h); exit 0 when all agree, 1 and one DIFF
 * line per difference otherwise.
 */
#include "cmd_aggregator.h"

#include <stdio.h>

#include "aggstore.h"
#include "hierversions.h"
#include "lnob_err.h"
#include "verify.h"

int aggcmd_verify(cli_ctx_t *ctx, const char *what)
{
	MDB_txn *txn = NULL;
	size_t diffs = 0, checked = 0;
	char err[1024] = "";
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	/* A store the hierarchy was loaded without (restore: none yet then):
	 * its versions now (hierversions.h). */
	if ((r = store_begin(ctx->store, false, &txn)) == 0 && !hier_version_prev(ctx->hier))
		r = hierver_attach(ctx->store, txn, ctx->hier, ctx->hier_file,
				   aggcmd_conf(ctx)->hier_digest, err, sizeof(err));
	if (r == 0)
		r = verify_store_versions(ctx->store, txn, ctx->hier, &ctx->camps, stdout, &diffs,
					  &checked);
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "%s: %s", what, err[0] ? err : lnob_strerror(r));
	printf("verify: %zu rollups checked, %zu differences\n", checked, diffs);
	return diffs ? 1 : 0;
}

int cmd_verify(cli_ctx_t *ctx)
{
	return aggcmd_verify(ctx, "verify");
}
