/*
 * cmd_export.c: `lnob-aggregator export -c CONF --period P [--campaign C]
 * [--unit U] [--level L] --format xlsx|csv|adx|dhis2 [--sheet S]
 * [--mapping FILE] [--output FILE]` (README "Export to Excel and CSV",
 * "Export to ADX and DHIS2"): the export document (export.h) of a
 * unit's subtree rendered into a file, written atomically (a temporary
 * beside it, fsync, rename: nothing half-written on error), read beside
 * the running daemon.
 */
#include "cmd_aggregator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggstore.h"
#include "export.h"
#include "hierperiod.h"
#include "lnob_err.h"
#include "util.h"

/* The campaign: --campaign, else the only one configured; checked with
 * --period (campaigns_lookup(): the known ids on a miss). Returns 0, or
 * the exit status after saying why not. */
static int s_campaign(cli_ctx_t *ctx, const char **ret)
{
	const char *c = cli_opt(ctx, "campaign");
	char err[1024] = "";

	if (ctx->camps.n == 0)
		return cli_fail(ctx, "export: no campaign is configured ([campaign] files)");
	for (size_t i = 0; !c && ctx->camps.n > 1 && i < ctx->camps.n; i++)
		snprintf(err + strlen(err), sizeof(err) - strlen(err), "%s%s", i ? ", " : "",
			 campaign_id(ctx->camps.v[i]));
	if (err[0])
		return cli_usage(ctx, "--campaign C is required: several are configured (%s)", err);
	if (!c)
		c = campaign_id(ctx->camps.v[0]);
	if (campaigns_lookup(&ctx->camps, c, cli_opt(ctx, "period"), "--campaign", "--period", NULL,
			     err, sizeof(err)) < 0)
		return cli_fail(ctx, "export: %s", err);
	*ret = c;
	return 0;
}

/* The format and CSV sheet options. Returns 0, or 2 after the usage. */
static int s_format(cli_ctx_t *ctx, export_format_t *ret, const char **ret_sheet)
{
	static const char *const names[] = { [EXPORT_XLSX] = "xlsx", [EXPORT_CSV] = "csv",
					     [EXPORT_ADX] = "adx", [EXPORT_DHIS2] = "dhis2" };
	const char *f = cli_opt(ctx, "format"), *sheet = cli_opt(ctx, "sheet");
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]) && strcmp(f, names[i]) != 0; i++)
		;
	if (i == sizeof(names) / sizeof(names[0]))
		return cli_usage(ctx, "--format: '%s' is not xlsx, csv, adx or dhis2", f);
	*ret = (export_format_t)i;
	if ((*ret == EXPORT_ADX || *ret == EXPORT_DHIS2) &&
	    !aggcmd_mapping_path(ctx, cli_opt(ctx, "mapping")))
		return cli_usage(ctx, "--format %s needs a DHIS2 mapping: --mapping FILE or "
				 "[export] mapping", f);
	if (cli_opt(ctx, "mapping") && *ret != EXPORT_ADX && *ret != EXPORT_DHIS2)
		return cli_usage(ctx, "--mapping goes with --format adx or dhis2");
	if (sheet && *ret != EXPORT_CSV)
		return cli_usage(ctx, "--sheet goes with --format csv (a workbook holds every sheet)");
	if (sheet && strcmp(sheet, "summary") != 0 && strcmp(sheet, "late") != 0 &&
	    strcmp(sheet, "nominations") != 0)
		return cli_usage(ctx, "--sheet: '%s' is not summary, late or nominations", sheet);
	*ret_sheet = sheet && strcmp(sheet, "summary") != 0 ? sheet : NULL;
	return 0;
}

/* Builds and renders the export into *ret_buf / *ret_len, its default
 * file name into name. Returns 0 or the exit status after saying why not. */
static int s_make(cli_ctx_t *ctx, const export_opts_t *o, export_format_t f, const char *sheet,
		  unsigned char **ret_buf, size_t *ret_len, char *name, size_t namelen)
{
	dhis2map_t *map = NULL;
	MDB_txn *txn = NULL;
	json_t *doc = NULL;
	char err[1024] = "";
	int rc, r;

	if ((f == EXPORT_ADX || f == EXPORT_DHIS2) &&
	    (rc = aggcmd_mapping(ctx, "export", cli_opt(ctx, "mapping"),
				 campaigns_find(&ctx->camps, o->campaign), &map)) != 0)
		return rc;
	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0) {
		dhis2map_destroy(&map);
		return rc;
	}
	if ((r = store_begin(ctx->store, false, &txn)) == 0)
		r = export_build(ctx->store, txn, hierperiod_tree(ctx->hier, &ctx->camps, o->campaign,
								  o->period), o, &doc, err, sizeof(err));
	store_abort(&txn);
	if (r == 0)
		export_filename(doc, f, sheet, name, namelen);
	if (r == 0)
		r = f == EXPORT_CSV ? export_render_csv(doc, sheet, ret_buf, ret_len, err, sizeof(err))
				    : export_render_mapped(doc, f, map, ret_buf, ret_len, err,
							   sizeof(err));
	json_decref(doc);
	dhis2map_destroy(&map);
	if (r < 0)
		return cli_fail(ctx, "export: %s", err[0] ? err : lnob_strerror(r));
	return 0;
}

/* Writes buf to --output (default: name; "-": standard output). Returns
 * the exit status. */
static int s_output(cli_ctx_t *ctx, const char *name, const unsigned char *buf, size_t len)
{
	const char *out = cli_opt(ctx, "output");
	int r;

	if (out && strcmp(out, "-") == 0)
		return fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0 ?
		       cli_fail(ctx, "export: cannot write to standard output") : 0;
	if (!out && !name[0])
		return cli_fail(ctx, "export: the default file name is too long; name one with --output");
	if (!out)
		out = name;
	if ((r = lnob_write_file_atomic(out, buf, len, 0644)) < 0)
		return cli_fail(ctx, "export: cannot write %s: %s", out, lnob_strerror(r));
	printf("%s (%zu bytes)\n", out, len);
	return 0;
}

int cmd_export(cli_ctx_t *ctx)
{
	export_opts_t o = { .campaigns = &ctx->camps, .period = cli_opt(ctx, "period"),
			    .level = cli_opt(ctx, "level"), .now = lnob_now_s() };
	export_format_t f = EXPORT_XLSX;
	const char *sheet = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	char name[512] = "";
	int rc;

	if ((rc = s_format(ctx, &f, &sheet)) != 0 || (rc = s_campaign(ctx, &o.campaign)) != 0 ||
	    /* --unit in the period's hierarchy version (hierperiod.h) */
	    (rc = aggcmd_unit_of(ctx, hierperiod_tree(ctx->hier, &ctx->camps, o.campaign, o.period),
				 &o.unit)) != 0 ||
	    (rc = s_make(ctx, &o, f, sheet, &buf, &len, name, sizeof(name))) != 0)
		return rc;
	rc = s_output(ctx, name, buf, len);
	free(buf);
	return rc;
}
