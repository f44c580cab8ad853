/*
 * cmd_mapping.c: the DHIS2 mapping (dhis2map.h) a command uses: its
 * --mapping FILE (relative to the current directory), else the
 * configuration's [export] mapping (relative to the configuration file's
 * directory, as [campaign] files), read and checked against the hierarchy
 * and, when given, a campaign (README "Export to ADX and DHIS2").
 */
#include "cmd_aggregator.h"

#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "dhis2map.h"
#include "lnob_err.h"

const char *aggcmd_mapping_path(const cli_ctx_t *ctx, const char *opt)
{
	const char *path = NULL;

	if (opt)
		return opt;
	if (!ctx->conf || conf_str(ctx->conf, "export", "mapping", "", &path, NULL, 0) < 0)
		return NULL;
	return path && path[0] ? path : NULL;
}

int aggcmd_mapping(cli_ctx_t *ctx, const char *what, const char *opt, const campaign_t *camp,
		   dhis2map_t **ret)
{
	const char *path = aggcmd_mapping_path(ctx, opt);
	char err[1024] = "", full[4096], dir[4096];

	*ret = NULL;
	if (!path)
		return 0;
	if (!opt && path[0] != '/' && ctx->conf_path) {
		snprintf(dir, sizeof(dir), "%s", ctx->conf_path);
		if (snprintf(full, sizeof(full), "%s/%s", dirname(dir), path) >= (int)sizeof(full))
			return cli_fail(ctx, "%s: %s: path too long", what, path);
		path = full;
	}
	if (dhis2map_load(path, ret, err, sizeof(err)) < 0 ||
	    dhis2map_check(*ret, camp, ctx->hier, err, sizeof(err)) < 0) {
		dhis2map_destroy(ret);
		return cli_fail(ctx, "%s: %s", what, err);
	}
	return 0;
}
