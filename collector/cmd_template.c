/*
 * cmd_template.c: `lnob-collector template -c CONF --period P [--campaign
 * C] [--unit CODE] --out FILE.xlsx` (README "Reporting templates in
 * Excel"): the reporting template of a campaign's period for the units of
 * this node's scope (or of one unit's subtree), from the metadata the
 * collector holds, else the configured campaign and hierarchy files, as
 * `submit` checks with (submit_rules.h).
 */
#include "cmd_collector.h"

#include <stdio.h>

#include "campaigns.h"
#include "lnob_err.h"
#include "submit_rules.h"
#include "template.h"
#include "util.h"

/* The campaign --campaign names, or the only one there is. NULL after
 * printing why. */
static const campaign_t *s_campaign(cli_ctx_t *ctx, const campaigns_t *camps, int *status)
{
	const char *id = cli_opt(ctx, "campaign");
	const campaign_t *c = NULL;
	char err[1024];

	if (!id && camps->n == 1)
		id = campaign_id(camps->v[0]);
	if (campaigns_lookup(camps, id, cli_opt(ctx, "period"), "--campaign", "--period", &c, err,
			     sizeof(err)) < 0) {
		*status = cli_fail(ctx, "%s", err);
		return NULL;
	}
	return c;
}

/* The subtree's root: --unit (in the scope), else the scope's (-1: all).
 * Returns 0, or 1 after printing why. */
static int s_root(cli_ctx_t *ctx, const submit_rules_t *r, int *ret)
{
	const char *unit = cli_opt(ctx, "unit");
	int own = r->from_meta ? r->mv.own : -1;
	char q[LNOB_QUOTE_MAX + 4];

	*ret = own;
	if (!unit)
		return 0;
	if ((*ret = hier_find(r->hier, unit)) < 0 || (own >= 0 && !hier_in_subtree(r->hier, own,
										     *ret)))
		return cli_fail(ctx, "--unit '%s' is not in the hierarchy %s", lnob_quote(q, unit),
				r->from_meta ? "of this node's scope in the metadata held"
				: ctx->hier_file);
	return 0;
}

int cmd_template(cli_ctx_t *ctx)
{
	template_opts_t o = { .period = cli_opt(ctx, "period"), .root = -1 };
	const char *out = cli_opt(ctx, "out");
	char err[1024];
	size_t units = 0, sheets = 0;
	submit_rules_t r;
	int status = 1;

	if ((status = submit_rules_load(ctx, &r)) != 0)
		return status;
	status = 1;
	if (!r.hier || !r.camps || r.camps->n == 0)
		status = cli_fail(ctx, "%s: template needs [campaign] files and [hierarchy] file "
				  "(see \"Collector configuration\"); set them in this file, or "
				  "let `run` receive the metadata from the aggregator",
				  ctx->conf_path);
	else if ((o.campaign = s_campaign(ctx, r.camps, &status)) &&
		 (status = s_root(ctx, &r, &o.root)) == 0) {
		o.hier = r.hier;
		if (template_write(out, &o, &units, &sheets, err, sizeof(err)) < 0)
			status = cli_fail(ctx, "%s", err);
		else
			printf("wrote %s: %zu units on %zu sheets (campaign %s, period %s)\n", out,
			       units, sheets, campaign_id(o.campaign), o.period);
	}
	submit_rules_clear(&r);
	return status;
}
