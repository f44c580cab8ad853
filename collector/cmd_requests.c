/*
 * cmd_requests.c: `lnob-collector requests -c CONF [--json]`: the ad-hoc
 * (đột xuất) requests the synced metadata holds for units of this node's
 * scope (colrequests.h; README "Ad-hoc requests"). A reply is submitted
 * like any report, with the request's id as its period.
 */
#include "cmd_collector.h"

#include <stdio.h>

#include "colrequests.h"
#include "render.h"

int cmd_requests(cli_ctx_t *ctx)
{
	json_t *list = NULL;
	char err[1024] = "";
	int rc;

	if ((rc = cli_store(ctx, CLI_STORE_READ | CLI_STORE_ABSENT_OK)) != 0)
		return rc;
	if (colrequests_of(ctx, ctx->store, &list, err, sizeof(err)) < 0)
		return cli_fail(ctx, "requests: %s: %s", ctx->data_dir, err);
	if (ctx->format == CLI_JSON)
		rc = render_json(stdout, list, JSON_PRESERVE_ORDER) < 0;
	else
		colrequests_print(stdout, list);
	json_decref(list);
	return rc;
}
