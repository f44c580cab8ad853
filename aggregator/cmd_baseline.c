/*
 * cmd_baseline.c: `lnob-aggregator baseline import -c CONF [--campaign C]
 * [--mapping FILE] [--period DHIS2_PERIOD] --output FILE|- EXPORT` (README
 * "Baselines from DHIS2"): a campaign's baseline file made from a DHIS2
 * export (dataValueSets JSON or ADX) with the mapping reversed
 * (dhis2_in.h), written atomically (a temporary beside it, fsync, rename)
 * or to standard output; on any error nothing is written.
 */
#include "cmd_aggregator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhis2_in.h"
#include "dhis2map.h"
#include "lnob_err.h"
#include "util.h"

/* Largest export read. */
#define S_INPUT_MAX ((size_t)256 << 20)

/* The campaign: --campaign, else the only one configured. NULL after
 * saying why not (*rc the exit status). */
static const campaign_t *s_campaign(cli_ctx_t *ctx, int *rc)
{
	const char *c = cli_opt(ctx, "campaign");
	const campaign_t *camp;

	if (ctx->camps.n == 0) {
		*rc = cli_fail(ctx, "baseline: no campaign is configured ([campaign] files)");
		return NULL;
	}
	if (!c && ctx->camps.n > 1) {
		*rc = cli_usage(ctx, "--campaign C is required: several are configured");
		return NULL;
	}
	if (!(camp = c ? campaigns_find(&ctx->camps, c) : ctx->camps.v[0]))
		*rc = cli_fail(ctx, "baseline: --campaign '%s' is not a configured campaign", c);
	return camp;
}

/* Writes the file (or standard output) and says what it holds. */
static int s_output(cli_ctx_t *ctx, const char *out, const char *csv, size_t len,
		    const dhis2_in_stats_t *st)
{
	FILE *say = strcmp(out, "-") == 0 ? stderr : stdout;
	int r;

	if (strcmp(out, "-") == 0) {
		if (fwrite(csv, 1, len, stdout) != len || fflush(stdout) != 0)
			return cli_fail(ctx, "baseline: cannot write to standard output");
	} else if ((r = lnob_write_file_atomic(out, csv, len, 0644)) < 0) {
		return cli_fail(ctx, "baseline: cannot write %s: %s", out, lnob_strerror(r));
	}
	fprintf(say, "%s: %zu units, %zu values", strcmp(out, "-") == 0 ? "baseline" : out,
		st->units, st->values);
	if (st->derived)
		fprintf(say, "; %zu values of derived indicators skipped", st->derived);
	if (st->deleted)
		fprintf(say, "; %zu deleted values skipped", st->deleted);
	fputc('\n', say);
	return 0;
}

/* Reads the export and makes the file. Returns the exit status. */
static int s_import(cli_ctx_t *ctx, const dhis2_in_opts_t *o, const char *out)
{
	char *text = NULL, *csv = NULL, err[1024] = "";
	size_t len = 0, csvlen = 0;
	dhis2_in_stats_t st = { 0 };
	int r = lnob_read_file(o->name, S_INPUT_MAX, &text, &len);

	if (r < 0)
		return cli_fail(ctx, "baseline: cannot read %s: %s", o->name, lnob_strerror(r));
	r = dhis2_in_read(text, len, o, &csv, &csvlen, &st, err, sizeof(err));
	free(text);
	if (r < 0)
		return cli_fail(ctx, "baseline: %s", err);
	r = s_output(ctx, out, csv, csvlen, &st);
	free(csv);
	return r;
}

int cmd_baseline(cli_ctx_t *ctx)
{
	const char *out = cli_opt(ctx, "output");
	dhis2_in_opts_t o = { .period = cli_opt(ctx, "period"), .name = ctx->argv[1] };
	dhis2map_t *map = NULL;
	int rc = 0;

	if (strcmp(ctx->argv[0], "import") != 0)
		return cli_usage(ctx, "'%s': the only action is import", ctx->argv[0]);
	if (!aggcmd_mapping_path(ctx, cli_opt(ctx, "mapping")))
		return cli_usage(ctx, "a DHIS2 mapping is needed: --mapping FILE or [export] mapping");
	if (!(o.camp = s_campaign(ctx, &rc)))
		return rc;
	if ((rc = aggcmd_mapping(ctx, "baseline", cli_opt(ctx, "mapping"), o.camp, &map)) != 0)
		return rc;
	o.map = map;
	if (!o.period)
		o.period = dhis2map_baseline_period(map);
	if (!o.period)
		rc = cli_usage(ctx, "--period P is required: %s has no [mapping] baseline_period",
			       dhis2map_file(map));
	else
		rc = s_import(ctx, &o, out);
	dhis2map_destroy(&map);
	return rc;
}
