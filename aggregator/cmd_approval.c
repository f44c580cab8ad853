/*
 * cmd_approval.c: `lnob-aggregator approve | unapprove | approvals |
 * amendments | accept | reject` (README "Approving data"): each runs
 * approval_cmd.h's command on the store, opened writable for the ones that
 * write, beside the running daemon.
 */
#include "cmd_aggregator.h"

#include <stdio.h>

#include "approval_cmd.h"
#include "lnob_err.h"

int cmd_approval(cli_ctx_t *ctx)
{
	approval_args_t a = {
		.cmd = ctx->cmd->name, .campaign = cli_opt(ctx, "campaign"),
		.period = cli_opt(ctx, "period"), .unit = cli_opt(ctx, "unit"),
		.by = cli_opt(ctx, "by"), .note = cli_opt(ctx, "note"),
		.reason = cli_opt(ctx, "reason"), .amendment = cli_opt(ctx, "amendment"),
		.json = ctx->format == CLI_JSON, .decided = cli_flag(ctx, "decided"),
	};
	char err[1024] = "";
	bool write = false;
	int rc, r;

	if (!approval_is_cmd(a.cmd, &write))
		return cli_usage(ctx, "not an approval command");
	if ((rc = cli_store(ctx, write ? CLI_STORE_WRITE : CLI_STORE_READ)) != 0)
		return rc;
	r = approval_cli(ctx->store, ctx->hier, &ctx->camps, &a, stdout, err, sizeof(err));
	if (r == 2)
		return cli_usage(ctx, "%s", err);
	if (r != 0)
		return cli_fail(ctx, "%s: %s", a.cmd, err[0] ? err : lnob_strerror(r));
	return 0;
}
