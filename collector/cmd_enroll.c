/*
 * cmd_enroll.c: `lnob-collector pubkey -c CONF` (the public keys this node
 * is enrolled with, to give the operator), and a relay's `lnob-collector
 * enroll -c CONF --key NODE.pub [--replace | --rotate [--grace D]]` and
 * `lnob-collector revoke -c CONF NODE` (README "Keys and enrolment"):
 * admits a downstream node below this relay, rotates its keys, or refuses
 * it from now on (its next handshake, its next envelope), beside the
 * running relay.
 */
#include "cmd_collector.h"

#include <stdio.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

int cmd_pubkey(cli_ctx_t *ctx)
{
	char text[512];

	if (identity_format_public(&ctx->id, text, sizeof(text)) < 0)
		return cli_fail(ctx, "pubkey: the public keys do not fit");
	fputs(text, stdout);
	return 0;
}

/* `enroll --rotate`: the downstream node's new pair, the old one retired. */
static int s_rotate(cli_ctx_t *ctx, const identity_pub_t *pub, int64_t grace_s)
{
	int64_t now = lnob_now_s();
	char where[LNOB_ID_MAX + 32];

	snprintf(where, sizeof(where), " downstream of %s", ctx->node_id);
	return cli_rotate_said(ctx, outbox_downstream_rotate(ctx->store, pub, grace_s, now), pub,
			       where, now + grace_s);
}

int cmd_enroll(cli_ctx_t *ctx)
{
	const char *key = cli_opt(ctx, "key");
	identity_pub_t pub;
	int64_t grace;
	char err[1024];
	int r, rc;

	if ((rc = cli_key_grace(ctx, &grace)) != 0)
		return rc;
	if (identity_load_public(key, &pub, err, sizeof(err)) < 0)
		return cli_fail(ctx, "enroll: %s", err);
	if (strcmp(pub.node_id, ctx->node_id) == 0)
		return cli_fail(ctx, "enroll: %s: '%s' is this node itself; a relay forwards only "
				"other nodes' envelopes", key, pub.node_id);
	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		return rc;
	if (cli_flag(ctx, "rotate"))
		return s_rotate(ctx, &pub, grace);
	r = outbox_downstream_enroll(ctx->store, &pub, cli_flag(ctx, "replace"), lnob_now_s());
	if (r == LNOB_E_EXISTS)
		return cli_fail(ctx, "enroll: node '%s' or its CURVE key is enrolled already (use "
				"--replace to re-key a node)", pub.node_id);
	if (r < 0)
		return cli_fail(ctx, "enroll: %s: %s", ctx->data_dir, lnob_strerror(r));
	printf("enrolled %s downstream of %s%s\n", pub.node_id, ctx->node_id,
	       col_conf(ctx)->has_relay ? ""
	       : " (no [relay] listen yet: it cannot connect until one is set)");
	return 0;
}

int cmd_revoke(cli_ctx_t *ctx)
{
	const char *node = ctx->argv[0];
	int r, rc;

	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		return rc;
	r = outbox_downstream_revoke(ctx->store, node, lnob_now_s());
	if (r == LNOB_E_NOTFOUND)
		return cli_fail(ctx, "revoke: node '%s' is not enrolled downstream of %s", node,
				ctx->node_id);
	if (r < 0)
		return cli_fail(ctx, "revoke: %s: %s", ctx->data_dir, lnob_strerror(r));
	printf("revoked %s\n", node);
	return 0;
}
