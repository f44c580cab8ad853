/*
 * cmd_context.c: what lnob-aggregator's subcommands share (see
 * cmd_aggregator.h): the configuration, validated in full before anything
 * starts, and the store as the command table's store: opened read-only
 * once for the hierarchy's cache, the ad-hoc requests and the command.
 */
#include "cmd_aggregator.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggstore.h"
#include "conf.h"
#include "endpoint.h"
#include "hiercache.h"
#include "hierversions.h"
#include "http.h"
#include "lnob_err.h"
#include "log.h"
#include "requests.h"
#include "unitsearch.h"
#include "util.h"
#include "vpool.h"

/* [node], [store], [listen], [hierarchy]. */
static int s_conf_node(cli_ctx_t *ctx, aggcmd_conf_t *c, char *err, size_t errlen)
{
	const conf_t *ini = ctx->conf;
	char why[512];
	int r;

	/* The paths must not be empty (fuzz_conf found an empty data_dir taken). */
	if ((r = conf_str(ini, "node", "id", NULL, &ctx->node_id, err, errlen)) < 0 ||
	    (r = cli_conf_nonempty(ini, "node", "identity", &ctx->identity_path, err,
				   errlen)) < 0 ||
	    (r = cli_conf_nonempty(ini, "node", "data_dir", &ctx->data_dir, err, errlen)) < 0 ||
	    (r = conf_u64(ini, "node", "map_size_mb", false, 1024, 1, 1 << 20, &c->map_size_mb,
			  err, errlen)) < 0 ||
	    (r = conf_u64(ini, "store", "map_max_mb", false, c->map_size_mb, 1, 1 << 20,
			  &c->map_max_mb, err, errlen)) < 0 ||
	    (r = conf_u64(ini, "store", "map_grow_mb", false, c->map_size_mb, 1, 1 << 20,
			  &c->map_grow_mb, err, errlen)) < 0)
		return r;
	if (c->map_max_mb < c->map_size_mb)
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s: [store] map_max_mb: %llu is below "
				 "[node] map_size_mb %llu", conf_name(ini),
				 (unsigned long long)c->map_max_mb, (unsigned long long)c->map_size_mb);
	if ((r = conf_str(ini, "node", "next_identity", "", &c->next_identity, err, errlen)) < 0)
		return r;
	if (!c->next_identity[0])
		c->next_identity = NULL;
	if ((r = conf_str(ini, "listen", "endpoint", NULL, &c->endpoint, err, errlen)) < 0 ||
	    (r = cli_conf_nonempty(ini, "hierarchy", "file", &ctx->hier_file, err, errlen)) < 0)
		return r;
	if (endpoint_check(c->endpoint, true, why, sizeof(why)) < 0)
		return cli_conf_error(ini, "listen", "endpoint", err, errlen, "%s", why);
	return 0;
}

/* The bounds in bytes of [ingest]: batch_bytes, window_bytes and
 * queue_bytes (README "Aggregator configuration"; queue_bytes at least
 * window_bytes). */
static int s_conf_bytes(const conf_t *ini, aggcmd_conf_t *c, char *err, size_t errlen)
{
	int r;

	if ((r = conf_u64(ini, "ingest", "batch_bytes", false, 1 << 20, 4096, 1 << 30,
			  &c->batch_bytes, err, errlen)) < 0 ||
	    (r = conf_u64(ini, "ingest", "window_bytes", false, 4 << 20, 64 << 10, 1 << 30,
			  &c->window_bytes, err, errlen)) < 0 ||
	    (r = conf_u64(ini, "ingest", "queue_bytes", false, 64 << 20, 64 << 10,
			  (uint64_t)16 << 30, &c->queue_bytes, err, errlen)) < 0)
		return r;
	if (c->queue_bytes < c->window_bytes)
		return cli_conf_error(ini, "ingest", "queue_bytes", err, errlen, "%llu is below "
				      "window_bytes %llu (queue_bytes, 64 MiB when not set, must be "
				      "at least window_bytes)", (unsigned long long)c->queue_bytes,
				      (unsigned long long)c->window_bytes);
	return 0;
}

/* [ingest] and [log], and the node id. */
static int s_conf_ingest(cli_ctx_t *ctx, aggcmd_conf_t *c, char *err, size_t errlen)
{
	const conf_t *ini = ctx->conf;
	const char *level, *target;
	int r, lv;

	if ((r = conf_u64(ini, "ingest", "batch_max", false, 256, 1, 65536, &c->batch_max, err,
			  errlen)) < 0 ||
	    (r = conf_u64(ini, "ingest", "window", false, 256, 1, 65536, &c->window, err,
			  errlen)) < 0 ||
	    (r = conf_u64(ini, "ingest", "max_body", false, 65536, 256, 16 << 20, &c->max_body, err,
			  errlen)) < 0 ||
	    (r = conf_u64(ini, "ingest", "max_frame", false, 0, 0, 64 << 20, &c->max_frame, err,
			  errlen)) < 0 ||
	    (r = conf_u64(ini, "ingest", "verify_threads", false, 0, 0, VPOOL_THREADS_MAX,
			  &c->verify_threads, err, errlen)) < 0 ||
	    (r = s_conf_bytes(ini, c, err, errlen)) < 0 ||
	    (r = conf_str(ini, "log", "level", "info", &level, err, errlen)) < 0 ||
	    (r = conf_str(ini, "log", "target", "stderr", &target, err, errlen)) < 0)
		return r;
	if ((lv = log_level_parse(level)) < 0)
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s: [log] level: not one of error, warn, "
				 "info, debug: '%s'", conf_name(ini), level);
	ctx->log_level = (enum log_level)lv;
	if ((ctx->log_syslog = log_target_parse(target)) < 0)
		return cli_conf_error(ini, "log", "target", err, errlen,
				      "not one of stderr, syslog: '%s'", target);
	if (!lnob_valid_id(ctx->node_id))
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s: [node] id: not 1..64 of "
				 "[A-Za-z0-9._-]: '%s'", conf_name(ini), ctx->node_id);
	if (c->max_frame == 0)
		c->max_frame = c->max_body + 4096;
	if (c->max_frame < c->max_body + 1024)
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s: [ingest] max_frame must exceed "
				 "max_body by 1024 at least", conf_name(ini));
	return 0;
}

/* [http] listen: absent, no HTTP server; else HOST:PORT (http.h). */
static int s_conf_http(cli_ctx_t *ctx, aggcmd_conf_t *c, char *err, size_t errlen)
{
	char why[256];
	uint32_t addr;
	uint16_t port;
	int r;

	if ((r = conf_str(ctx->conf, "http", "listen", "", &c->http_listen, err, errlen)) < 0)
		return r;
	if (!c->http_listen[0]) {
		c->http_listen = NULL;
		return 0;
	}
	if (http_listen_parse(c->http_listen, &addr, &port, why, sizeof(why)) < 0)
		return cli_conf_error(ctx->conf, "http", "listen", err, errlen, "%s", why);
	return 0;
}

/* [national]: absent, no national feed; else outbox and identity, the
 * unit (checked against the hierarchy by `run`) and interval_s. */
static int s_conf_national(const conf_t *ini, aggcmd_conf_t *c, char *err, size_t errlen)
{
	int r;

	if ((r = conf_str(ini, "national", "outbox", "", &c->national_outbox, err, errlen)) < 0 ||
	    (r = conf_str(ini, "national", "unit", "", &c->national_unit, err, errlen)) < 0 ||
	    (r = conf_u64(ini, "national", "interval_s", false, 60, 1, 86400,
			  &c->national_interval_s, err, errlen)) < 0)
		return r;
	if (!c->national_outbox[0])
		return 0;
	return conf_str(ini, "national", "identity", NULL, &c->national_identity, err, errlen);
}

int aggcmd_conf_load(cli_ctx_t *ctx, const char *path, char *err, size_t errlen)
{
	static const char *const keys[] = {
		"node.id", "node.identity", "node.next_identity", "node.data_dir", "node.map_size_mb",
		"store.map_max_mb", "store.map_grow_mb",
		"listen.endpoint", "hierarchy.file",
		"ingest.batch_max", "ingest.window", "ingest.max_body", "ingest.max_frame",
		"ingest.batch_bytes", "ingest.window_bytes", "ingest.queue_bytes",
		"ingest.verify_threads",
		"campaign.files", "campaign.clock_skew_s",
		"log.level", "log.target", "http.listen", "export.mapping",
		"national.outbox", "national.identity", "national.unit", "national.interval_s", NULL,
	};
	aggcmd_conf_t *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	ctx->daemon = c;
	if ((r = conf_load(path, &ctx->conf, err, errlen)) < 0 ||
	    (r = conf_check_keys(ctx->conf, keys, err, errlen)) < 0 ||
	    (r = s_conf_node(ctx, c, err, errlen)) < 0 ||
	    (r = s_conf_http(ctx, c, err, errlen)) < 0 ||
	    (r = s_conf_national(ctx->conf, c, err, errlen)) < 0)
		return r;
	return s_conf_ingest(ctx, c, err, errlen);
}

int aggcmd_store_open(cli_ctx_t *ctx, unsigned flags, void **ret, char *err, size_t errlen)
{
	store_t *st = NULL;
	int r = aggstore_open(ctx->data_dir, (size_t)aggcmd_conf(ctx)->map_size_mb << 20,
			      (flags & CLI_STORE_WRITE) ? 0 : STORE_RDONLY, &st, err, errlen);

	if (r == 0)
		*ret = st;
	return r;
}

void aggcmd_store_close(void *store)
{
	store_t *st = store;

	store_destroy(&st);
}

/* The stored ad-hoc requests into ctx->camps (requests_apply()), read in
 * the store the hierarchy's cache was read in (cli_store_quiet(): opened
 * once). A store that cannot be opened read-only (none yet, or one `run`
 * must upgrade) holds none that counts here: the command's own opening
 * says why. */
static int s_campaigns_extend(cli_ctx_t *ctx, char *err, size_t errlen)
{
	MDB_txn *txn = NULL;
	char why[1024];
	size_t added = 0, skipped = 0;
	int r;

	if (ctx->camps.n == 0 || cli_store_quiet(ctx) < 0)
		return 0;
	if ((r = store_begin(ctx->store, false, &txn)) == 0)
		r = requests_apply(ctx->store, txn, &ctx->camps, ctx->hier, &added, &skipped, why,
				   sizeof(why));
	store_abort(&txn);
	if (r < 0)
		return lnob_errf(err, errlen, r, "%s: reading the ad-hoc requests: %s", ctx->data_dir,
				 lnob_strerror(r));
	if (skipped)
		log_warnx("%zu ad-hoc request(s) left out: %s", skipped, why);
	return 0;
}

int aggcmd_hier_load(cli_ctx_t *ctx, char *err, size_t errlen)
{
	aggcmd_conf_t *c = ctx->daemon;
	MDB_txn *txn = NULL;
	int r;

	/* The store read-only, kept for the ad-hoc requests and the command's
	 * cli_store(ctx, CLI_STORE_READ). No store yet, or one `run` must
	 * upgrade: the file is parsed. */
	(void)cli_store_quiet(ctx);
	r = hiercache_load(ctx->store, ctx->hier_file, &ctx->hier, c->hier_digest,
			   &c->hier_cached, err, errlen);
	/* The versions before it (hierversions.h), when the store has some. */
	if (r == 0 && ctx->store && (r = store_begin(ctx->store, false, &txn)) == 0)
		r = hierver_attach(ctx->store, txn, ctx->hier, ctx->hier_file, c->hier_digest, err,
				   errlen);
	store_abort(&txn);
	return r;
}

const cli_context_ops_t aggcmd_context = {
	.conf_load = aggcmd_conf_load,
	.store_open = aggcmd_store_open,
	.store_close = aggcmd_store_close,
	.campaigns_extend = s_campaigns_extend,
	.hier_load = aggcmd_hier_load,
};

int aggcmd_unit(cli_ctx_t *ctx, int *ret)
{
	return aggcmd_unit_of(ctx, ctx->hier, ret);
}

int aggcmd_unit_of(cli_ctx_t *ctx, const hier_t *h, int *ret)
{
	const char *unit = cli_opt(ctx, "unit");
	const int *roots;

	char err[2048] = "";

	if (unit) {
		if (unit_resolve(h, unit, -1, ret, err, sizeof(err)) != 0)
			return cli_fail(ctx, "%s: --unit: %s (%s%s)", ctx->cmd->name, err,
					ctx->hier_file, h != ctx->hier ? ", the period's version" : "");
		return 0;
	}
	if (hier_children(h, -1, &roots) != 1)
		return cli_fail(ctx, "%s: the hierarchy has several roots; name one with --unit",
				ctx->cmd->name);
	*ret = roots[0];
	return 0;
}

int aggcmd_campaign(cli_ctx_t *ctx, const char *popt)
{
	const char *campaign = cli_opt(ctx, "campaign");
	char opt[32], err[1024] = "";

	snprintf(opt, sizeof(opt), "--%s", popt ? popt : "period");
	if (campaign && campaigns_lookup(&ctx->camps, campaign, popt ? cli_opt(ctx, popt) : NULL,
					 "--campaign", opt, NULL, err, sizeof(err)) != 0)
		return cli_fail(ctx, "%s: %s", ctx->cmd->name, err);
	return 0;
}
