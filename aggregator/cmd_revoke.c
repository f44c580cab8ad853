/*
 * cmd_revoke.c: `lnob-aggregator revoke -c CONF NODE` (README "Keys and
 * enrolment"): the node's record marked revoked in one write transaction
 * beside the running daemon. Apart from cmd_enroll.c, which reads key
 * files (libzmq's Z85), so that lnob-aggregator runs it itself (main.c).
 */
#include "cmd_aggregator.h"

#include <stdio.h>

#include "aggstore.h"
#include "aggstore_metadata.h"
#include "lnob_err.h"
#include "util.h"

int cmd_revoke(cli_ctx_t *ctx)
{
	const char *node_id = ctx->argv[0];
	Lnob__NodeRecord *rec = NULL;
	MDB_txn *txn = NULL;
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, true, &txn)) == 0 &&
	    (r = agg_node_get(ctx->store, txn, node_id, &rec)) == 0) {
		rec->revoked = true;
		rec->revoked_at = lnob_now_s();
		/* The same id and keys: a rewrite of the record (aggstore.h). */
		if ((r = agg_node_put(ctx->store, txn, rec, true)) == 0)
			r = store_commit(&txn);
	}
	store_abort(&txn);
	if (rec)
		lnob__node_record__free_unpacked(rec, NULL);
	if (r < 0)
		return cli_fail(ctx, "revoke: node '%s': %s", node_id, lnob_strerror(r));
	printf("revoked %s\n", node_id);
	return 0;
}
