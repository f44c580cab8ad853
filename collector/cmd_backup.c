/*
 * cmd_backup.c: `lnob-collector backup -c CONF DIR` and `lnob-collector
 * restore -c CONF DIR` (README "Backups"; backup.h): a consistent copy of
 * the outbox beside the running daemon, with its totals in the manifest;
 * and its restore into the configured data_dir (no store there, no daemon
 * running), next_seq moved COL_RESTORE_SEQ_SKIP ahead so that no seq used
 * after the backup is ever signed again with other content.
 */
#include "cmd_collector.h"

#include <inttypes.h>
#include <stdio.h>

#include "backup.h"
#include "lnob_err.h"
#include "outbox.h"
#include "runlock.h"

/* Seqs skipped by a restore: more than a node queues between two backups. */
#define COL_RESTORE_SEQ_SKIP UINT64_C(1000000)

int cmd_backup(cli_ctx_t *ctx)
{
	const char *dir = ctx->argv[0];
	outbox_stats_t st;
	json_t *held;
	char err[1024] = "";
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if ((r = outbox_stats(ctx->store, &st)) < 0)
		return cli_fail(ctx, "backup: %s: %s", ctx->data_dir, lnob_strerror(r));
	held = json_pack("{s:I, s:I, s:I}", "queued", (json_int_t)st.queued, "parked",
			 (json_int_t)st.parked, "next_seq", (json_int_t)st.next_seq);
	r = held ? outbox_backup(ctx->store, dir, COL_PROG, ctx->node_id, held, err, sizeof(err))
		 : lnob_errf(err, sizeof(err), -ENOMEM, "out of memory");
	json_decref(held);
	if (r < 0)
		return cli_fail(ctx, "backup: %s", err);
	printf("backup of %s in %s: %" PRIu64 " queued, %" PRIu64 " parked, next seq %" PRIu64
	       " (manifest.json, data.mdb)\n", ctx->data_dir, dir, st.queued, st.parked,
	       st.next_seq);
	return 0;
}

int cmd_restore(cli_ctx_t *ctx)
{
	const char *dir = ctx->argv[0];
	char err[1024] = "";
	uint64_t next = 0;
	int lockfd, rc = 0, r;

	if ((lockfd = runlock_take(ctx->data_dir, COL_PROG, err, sizeof(err))) < 0)
		return cli_fail(ctx, "restore: %s", err);
	if (backup_restore(dir, ctx->data_dir, COL_PROG, err, sizeof(err)) < 0)
		rc = cli_fail(ctx, "restore: %s", err);
	else if ((rc = cli_store(ctx, CLI_STORE_WRITE)) == 0 &&
		 (r = outbox_skip_seqs(ctx->store, COL_RESTORE_SEQ_SKIP, &next)) < 0)
		rc = cli_fail(ctx, "restore: %s: %s", ctx->data_dir, lnob_strerror(r));
	if (rc == 0)
		printf("restored %s into %s; next seq %" PRIu64 " (%" PRIu64 " skipped: seqs used "
		       "after the backup are never signed again)\n", dir, ctx->data_dir, next,
		       COL_RESTORE_SEQ_SKIP);
	cli_store_close(ctx);
	runlock_release(lockfd);
	return rc;
}
