/*
 * cmd_enroll.c: `lnob-aggregator enroll -c CONF --key NODE.pub --scope
 * UNIT [--replace]` and `enroll -c CONF --key NEW.pub --rotate [--grace D]`
 * (README "Keys and enrolment"): a node's keys and scope enrolled
 * (re-keyed, or rotated
 * with a grace for its old pair), in one write transaction beside the
 * running daemon (revoke: cmd_revoke.c).
 */
#include "cmd_aggregator.h"

#include <stdio.h>

#include "aggstore.h"
#include "aggstore_metadata.h"
#include "lnob_err.h"
#include "unitsearch.h"
#include "util.h"

/* `enroll --rotate`: the node's new pair enrolled, the old one retired. */
static int s_rotate(cli_ctx_t *ctx, const identity_pub_t *pub, int64_t grace_s)
{
	int64_t now = lnob_now_s();
	MDB_txn *txn = NULL;
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, true, &txn)) == 0 &&
	    (r = agg_node_rotate(ctx->store, txn, pub, grace_s, now)) == 0 &&
	    (r = agg_metadata_gen_bump(ctx->store, txn)) == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	return cli_rotate_said(ctx, r, pub, "", now + grace_s);
}

int cmd_enroll(cli_ctx_t *ctx)
{
	Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT;
	const char *scope = cli_opt(ctx, "scope");
	identity_pub_t pub;
	MDB_txn *txn = NULL;
	int64_t grace;
	char err[1024];
	int rc, r, unit;

	if ((rc = cli_key_grace(ctx, &grace)) != 0)
		return rc;
	if (!scope && !cli_flag(ctx, "rotate"))
		return cli_usage(ctx, "--scope UNIT is required (a rotation keeps the scope)");
	if (identity_load_public(cli_opt(ctx, "key"), &pub, err, sizeof(err)) < 0)
		return cli_fail(ctx, "enroll: %s", err);
	if (cli_flag(ctx, "rotate")) {
		if (scope)
			return cli_usage(ctx, "--rotate keeps the node's scope: no --scope");
		return s_rotate(ctx, &pub, grace);
	}
	if (unit_resolve(ctx->hier, scope, -1, &unit, err, sizeof(err)) != 0)
		return cli_fail(ctx, "enroll: --scope: %s (%s)", err, ctx->hier_file);
	scope = hier_unit(ctx->hier, unit)->code;   /* it may have been named by its name */
	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		return rc;
	rec.node_id = pub.node_id;
	rec.sign_public.data = pub.sign_pk;
	rec.sign_public.len = 32;
	rec.curve_public.data = pub.curve_pk;
	rec.curve_public.len = 32;
	rec.scope = (char *)scope;
	rec.enrolled_at = lnob_now_s();
	if ((r = store_begin(ctx->store, true, &txn)) == 0 &&
	    (r = agg_node_put(ctx->store, txn, &rec, cli_flag(ctx, "replace"))) == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	if (r == LNOB_E_EXISTS)
		return cli_fail(ctx, "enroll: node '%s' or its CURVE key is enrolled already (use "
				"--rotate to give a node new keys, --replace to re-key it at once)",
				pub.node_id);
	if (r < 0)
		return cli_fail(ctx, "enroll: %s: %s", ctx->data_dir, lnob_strerror(r));
	printf("enrolled %s with scope %s\n", pub.node_id, scope);
	return 0;
}
