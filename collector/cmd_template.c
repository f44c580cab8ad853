/*
 * cmd_template.c: `lnob-collector template -c CONF --period P [--campaign
 * C] [--unit CODE] --out FILE.xlsx` (README "Reporting templates in
 * Excel"): the reporting template of the configured campaign's period for
 * the units of the configured hierarchy (or of one unit's subtree).
 */
#include "cmd_collector.h"

#include <stdio.h>

#include "campaigns.h"
#include "lnob_err.h"
#include "template.h"
#include "util.h"

/* The campaign --campaign names, or the only one configured. NULL after
 * printing why. */
static const campaign_t *s_campaign(cli_ctx_t *ctx, int *status)
{
	const char *id = cli_opt(ctx, "campaign");
	const campaign_t *c = NULL;
	char err[1024];

	if (!id && ctx->camps.n == 1)
		id = campaign_id(ctx->camps.v[0]);
	if (campaigns_lookup(&ctx->camps, id, cli_opt(ctx, "period"), "--campaign", "--period",
			     &c, err, sizeof(err)) < 0) {
		*status = cli_fail(ctx, "%s", err);
		return NULL;
	}
	return c;
}

int cmd_template(cli_ctx_t *ctx)
{
	template_opts_t o = { .period = cli_opt(ctx, "period"), .hier = ctx->hier, .root = -1 };
	const char *out = cli_opt(ctx, "out"), *unit = cli_opt(ctx, "unit");
	char err[1024], q[LNOB_QUOTE_MAX + 4];
	size_t units = 0, sheets = 0;
	int status = 1;

	if (!ctx->hier || ctx->camps.n == 0)
		return cli_fail(ctx, "%s: template needs [campaign] files and [hierarchy] file "
				"(see \"Collector configuration\"); set them in this file",
				ctx->conf_path);
	if (!(o.campaign = s_campaign(ctx, &status)))
		return status;
	if (unit && (o.root = hier_find(ctx->hier, unit)) < 0)
		return cli_fail(ctx, "--unit '%s' is not in the hierarchy %s", lnob_quote(q, unit),
				ctx->hier_file);
	if (template_write(out, &o, &units, &sheets, err, sizeof(err)) < 0)
		return cli_fail(ctx, "%s", err);
	printf("wrote %s: %zu units on %zu sheets (campaign %s, period %s)\n", out, units, sheets,
	       campaign_id(o.campaign), o.period);
	return 0;
}
