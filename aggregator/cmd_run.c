/*
 * cmd_run.c: `lnob-aggregator run -c CONF [-n]`: with everything validated
 * (the configuration, the identity, the hierarchy, the campaigns), -n says
 * "configuration OK"; else the server runs until SIGTERM or SIGINT, which
 * the command table blocked before anything started (server.h).
 */
#include "cmd_aggregator.h"

#include <stdio.h>

#include "aggstore.h"
#include "api.h"
#include "log.h"
#include "server.h"

/* Logs the store as it was opened. */
static void s_log_store(const cli_ctx_t *ctx, store_t *st)
{
	const aggcmd_conf_t *c = aggcmd_conf(ctx);

	log_info("store %s (map %zu MB, may grow by %llu MB to %llu MB), hierarchy %s (%zu units)",
		 ctx->data_dir, store_map_size(st) >> 20, (unsigned long long)c->map_grow_mb,
		 (unsigned long long)c->map_max_mb, ctx->hier_file, hier_count(ctx->hier));
	if (store_map_size(st) > (size_t)c->map_max_mb << 20)
		log_warnx("store %s: its data (%zu MB) exceeds [store] map_max_mb %llu: it cannot "
			  "grow; raise map_max_mb in %s", ctx->data_dir, store_map_size(st) >> 20,
			  (unsigned long long)c->map_max_mb, ctx->conf_path);
	if (store_stale_readers_at_open(st) > 0)
		log_info("store %s: cleared %d stale reader slot(s) of dead processes at open",
			 ctx->data_dir, store_stale_readers_at_open(st));
}

int cmd_run(cli_ctx_t *ctx)
{
	const aggcmd_conf_t *c = aggcmd_conf(ctx);
	server_opts_t o;
	api_t api;
	int rc;

	if (cli_flag(ctx, "check")) {
		printf("configuration OK\n");
		return 0;
	}
	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		return rc;
	s_log_store(ctx, ctx->store);
	o.endpoint = c->endpoint;
	o.conf_path = ctx->conf_path;
	o.batch_max = c->batch_max;
	o.window = (uint32_t)c->window;
	o.max_body = c->max_body;
	o.max_frame = c->max_frame;
	o.flush_ms = 1000;
	o.map_max = (size_t)c->map_max_mb << 20;
	o.map_grow = (size_t)c->map_grow_mb << 20;
	o.reader_check_ms = 10000;
	o.campaigns = &ctx->camps;
	api = (api_t){ .st = ctx->store, .hier = ctx->hier, .campaigns = &ctx->camps, .id = &ctx->id };
	o.http_listen = c->http_listen;
	o.api = &api;
	return server_run(&o, &ctx->id, ctx->store, ctx->hier);
}
