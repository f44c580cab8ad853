/*
 * cmd_backup.c: `lnob-aggregator backup -c CONF DIR` and `lnob-aggregator
 * restore -c CONF DIR` (README "Backups"; backup.h): a consistent copy of
 * the store taken beside the running daemon, with a manifest of what the
 * store held when the copy began; and its restore into the configured
 * data_dir, which must hold no store and no running daemon, checked with
 * `verify` at once.
 */
#include "cmd_aggregator.h"

#include <stdio.h>

#include "aggstore.h"
#include "backup.h"
#include "lnob_err.h"
#include "runlock.h"
#include "status.h"

int cmd_backup(cli_ctx_t *ctx)
{
	const char *dir = ctx->argv[0];
	MDB_txn *txn = NULL;
	json_t *held = NULL;
	char err[1024] = "";
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	/* What the store held as the copy begins: the copy has at least that. */
	if ((r = store_begin(ctx->store, false, &txn)) == 0)
		r = status_view(ctx->store, txn, &held);
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "backup: %s: %s", ctx->data_dir, lnob_strerror(r));
	json_object_del(held, "nodes");
	r = backup_write(ctx->store, dir, AGG_PROG, ctx->node_id, held, err, sizeof(err));
	if (r < 0) {
		json_decref(held);
		return cli_fail(ctx, "backup: %s", err);
	}
	printf("backup of %s in %s: %lld envelopes, %lld reports (manifest.json, data.mdb)\n",
	       ctx->data_dir, dir, (long long)json_integer_value(json_object_get(held, "envelopes")),
	       (long long)json_integer_value(json_object_get(held, "reports")));
	json_decref(held);
	return 0;
}

int cmd_restore(cli_ctx_t *ctx)
{
	const char *dir = ctx->argv[0];
	char err[1024] = "";
	int lockfd, r;

	/* No daemon may run on the directory meanwhile, nor start; and none
	 * of ours is open on it (the hierarchy's read-only one, kept when
	 * there is a store: backup_restore() then refuses). */
	cli_store_close(ctx);
	if ((lockfd = runlock_take(ctx->data_dir, AGG_PROG, err, sizeof(err))) < 0)
		return cli_fail(ctx, "restore: %s", err);
	r = backup_restore(dir, ctx->data_dir, AGG_PROG, err, sizeof(err));
	if (r == 0) {
		printf("restored %s into %s\n", dir, ctx->data_dir);
		r = aggcmd_verify(ctx, "restore: verify");
	} else {
		r = cli_fail(ctx, "restore: %s", err);
	}
	cli_store_close(ctx);
	runlock_release(lockfd);
	return r;
}
