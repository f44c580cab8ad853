/*
 * cmd_context.c: what lnob-collector's subcommands share (see
 * cmd_collector.h): the configuration, validated in full before anything
 * starts, the outbox as the command table's store, the upstream's limits
 * as last recorded, and queueing.
 */
#include "cmd_collector.h"

#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "endpoint.h"
#include "http.h"
#include "lnob_err.h"
#include "nominate.h"
#include "table.h"
#include "util.h"

/* A u32-sized number into *ret. */
static int s_u32(const conf_t *ini, const char *section, const char *key, uint64_t def,
		 uint64_t min, uint64_t max, uint32_t *ret, char *err, size_t errlen)
{
	uint64_t v;
	int r = conf_u64(ini, section, key, false, def, min, max, &v, err, errlen);

	if (r == 0)
		*ret = (uint32_t)v;
	return r;
}

/* [node]: id, identity, data_dir, map_size_mb. */
static int s_conf_node(cli_ctx_t *ctx, col_conf_t *c, char *err, size_t errlen)
{
	const conf_t *ini = ctx->conf;
	uint64_t map_mb;
	int r;

	if ((r = cli_conf_nonempty(ini, "node", "id", &ctx->node_id, err, errlen)) < 0)
		return r;
	if (!lnob_valid_id(ctx->node_id))
		return cli_conf_error(ini, "node", "id", err, errlen,
				      "not 1..64 of [A-Za-z0-9._-]: '%s'", ctx->node_id);
	if ((r = cli_conf_nonempty(ini, "node", "identity", &ctx->identity_path, err, errlen)) < 0 ||
	    (r = cli_conf_nonempty(ini, "node", "data_dir", &ctx->data_dir, err, errlen)) < 0 ||
	    (r = conf_u64(ini, "node", "map_size_mb", false, 256, 1, 1u << 20, &map_mb,
			  err, errlen)) < 0)
		return r;
	c->map_size = (size_t)map_mb << 20;
	return 0;
}

/* [uplink] and [relay]. */
static int s_conf_link(const conf_t *ini, col_conf_t *c, char *err, size_t errlen)
{
	uplink_conf_t *up = &c->up;
	char why[512];
	int r;

	if ((r = cli_conf_nonempty(ini, "uplink", "endpoint", &up->endpoint, err, errlen)) < 0)
		return r;
	if (endpoint_check(up->endpoint, false, why, sizeof(why)) < 0)
		return cli_conf_error(ini, "uplink", "endpoint", err, errlen, "%s", why);
	if ((r = cli_conf_nonempty(ini, "uplink", "server_public", &c->server_public, err, errlen)) < 0 ||
	    (r = s_u32(ini, "uplink", "window", 256, 1, 65536, &up->window, err, errlen)) < 0 ||
	    (r = s_u32(ini, "uplink", "heartbeat_ms", 1000, 50, 600000, &up->heartbeat_ms, err,
		       errlen)) < 0 ||
	    (r = s_u32(ini, "uplink", "dead_after_ms", 10000, (uint64_t)up->heartbeat_ms + 1,
		       3600000, &up->dead_after_ms, err, errlen)) < 0 ||
	    (r = s_u32(ini, "uplink", "resend_after_ms", 15000, 100, 86400000,
		       &up->resend_after_ms, err, errlen)) < 0 ||
	    (r = s_u32(ini, "uplink", "backoff_min_ms", 200, 1, 600000, &up->backoff_min_ms, err,
		       errlen)) < 0 ||
	    (r = s_u32(ini, "uplink", "backoff_max_ms", 30000, up->backoff_min_ms, 3600000,
		       &up->backoff_max_ms, err, errlen)) < 0 ||
	    (r = conf_str(ini, "uplink", "aggregator_sign_key", "", &c->agg_sign_key, err,
			  errlen)) < 0 ||
	    (r = conf_str(ini, "relay", "listen", "", &c->relay.listen, err, errlen)) < 0 ||
	    (r = s_u32(ini, "relay", "window", 128, 1, 65536, &c->relay.window, err, errlen)) < 0)
		return r;
	c->has_relay = c->relay.listen[0] != '\0';
	if (c->has_relay && endpoint_check(c->relay.listen, true, why, sizeof(why)) < 0)
		return cli_conf_error(ini, "relay", "listen", err, errlen, "%s", why);
	if (c->has_relay && strcmp(c->relay.listen, up->endpoint) == 0)
		return cli_conf_error(ini, "relay", "listen", err, errlen,
				      "the same endpoint as [uplink] endpoint: '%s'", c->relay.listen);
	c->relay.heartbeat_ms = up->heartbeat_ms;
	c->relay.dead_after_ms = up->dead_after_ms;
	return 0;
}

/* [nominations], [campaign] with [hierarchy], [log]. */
static int s_conf_rest(cli_ctx_t *ctx, col_conf_t *c, char *err, size_t errlen)
{
	const conf_t *ini = ctx->conf;
	const char *level, *target, *files;
	uint64_t attach;
	int r, lv;

	if ((r = conf_u64(ini, "nominations", "attach_max_bytes", false, NOMINATE_ATTACH_MAX_DEFAULT,
			  0, NOMINATE_ATTACH_MAX_LIMIT, &attach, err, errlen)) < 0 ||
	    (r = conf_str(ini, "nominations", "campaign", "", &c->nom_campaign, err, errlen)) < 0)
		return r;
	c->attach_max = (size_t)attach;
	if (c->nom_campaign[0] && !lnob_valid_id(c->nom_campaign))
		return cli_conf_error(ini, "nominations", "campaign", err, errlen,
				      "not 1..64 of [A-Za-z0-9._-]: '%s'", c->nom_campaign);
	/* Both or neither: the campaigns' rules need the units' levels. */
	if ((r = conf_str(ini, "campaign", "files", "", &files, err, errlen)) < 0 ||
	    (r = conf_str(ini, "hierarchy", "file", "", &ctx->hier_file, err, errlen)) < 0)
		return r;
	if (files[0] && !ctx->hier_file[0])
		return cli_conf_error(ini, "campaign", "files", err, errlen,
				      "needs [hierarchy] file too (the levels of the units)");
	if (ctx->hier_file[0] && !files[0])
		return cli_conf_error(ini, "hierarchy", "file", err, errlen,
				      "needs [campaign] files too (it is only used to check reports "
				      "against the campaigns)");
	c->has_campaigns = files[0] != '\0';
	if ((r = conf_str(ini, "log", "level", "info", &level, err, errlen)) < 0 ||
	    (r = conf_str(ini, "log", "target", "stderr", &target, err, errlen)) < 0)
		return r;
	if ((lv = log_level_parse(level)) < 0)
		return cli_conf_error(ini, "log", "level", err, errlen,
				      "not one of error, warn, info, debug: '%s'", level);
	ctx->log_level = (enum log_level)lv;
	if ((ctx->log_syslog = log_target_parse(target)) < 0)
		return cli_conf_error(ini, "log", "target", err, errlen,
				      "not one of stderr, syslog: '%s'", target);
	return 0;
}

/* [web] listen and password (README "The collector's page"): absent, no
 * page; else a loopback HOST:PORT (127.0.0.0/8 or localhost) and a
 * password. */
static int s_conf_web(const conf_t *ini, col_conf_t *c, char *err, size_t errlen)
{
	char why[256];
	uint32_t addr;
	uint16_t port;
	int r;

	if ((r = conf_str(ini, "web", "listen", "", &c->web_listen, err, errlen)) < 0 ||
	    (r = conf_str(ini, "web", "password", "", &c->web_password, err, errlen)) < 0)
		return r;
	if (!c->web_listen[0]) {
		if (c->web_password[0])
			return cli_conf_error(ini, "web", "password", err, errlen,
					      "needs [web] listen too (the page's address)");
		return 0;
	}
	if (http_listen_parse(c->web_listen, &addr, &port, why, sizeof(why)) < 0)
		return cli_conf_error(ini, "web", "listen", err, errlen, "%s", why);
	if ((addr >> 24) != 127)
		return cli_conf_error(ini, "web", "listen", err, errlen, "not a loopback address "
				      "(127.0.0.0/8 or localhost): '%s'", c->web_listen);
	if (!c->web_password[0])
		return cli_conf_error(ini, "web", "password", err, errlen,
				      "required with [web] listen");
	return 0;
}

int col_conf_load(cli_ctx_t *ctx, const char *path, char *err, size_t errlen)
{
	static const char *const keys[] = {
		"node.id", "node.identity", "node.data_dir", "node.map_size_mb",
		"uplink.endpoint", "uplink.server_public", "uplink.window",
		"uplink.heartbeat_ms", "uplink.dead_after_ms", "uplink.resend_after_ms",
		"uplink.backoff_min_ms", "uplink.backoff_max_ms", "uplink.aggregator_sign_key",
		"relay.listen", "relay.window",
		"nominations.attach_max_bytes", "nominations.campaign", "campaign.files",
		"hierarchy.file", "log.level", "log.target", "web.listen", "web.password", NULL,
	};
	col_conf_t *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	ctx->daemon = c;
	if ((r = conf_load(path, &ctx->conf, err, errlen)) < 0 ||
	    (r = conf_check_keys(ctx->conf, keys, err, errlen)) < 0 ||
	    (r = s_conf_node(ctx, c, err, errlen)) < 0 ||
	    (r = s_conf_link(ctx->conf, c, err, errlen)) < 0 ||
	    (r = s_conf_web(ctx->conf, c, err, errlen)) < 0)
		return r;
	return s_conf_rest(ctx, c, err, errlen);
}

int col_store_open(cli_ctx_t *ctx, unsigned flags, void **ret, char *err, size_t errlen)
{
	outbox_t *ob = NULL;
	bool write = (flags & CLI_STORE_WRITE) != 0;
	int r = outbox_open(ctx->data_dir, write ? col_conf(ctx)->map_size : 0,
			    write ? 0 : OUTBOX_RDONLY, &ob, err, errlen);

	if (r == 0)
		*ret = ob;
	return r;
}

void col_store_close(void *store)
{
	outbox_t *ob = store;

	outbox_destroy(&ob);
}

const cli_context_ops_t col_context = {
	.conf_load = col_conf_load,
	.store_open = col_store_open,
	.store_close = col_store_close,
};

const char *col_time_text(int64_t ms, char out[32])
{
	return table_time(ms / 1000, TABLE_DEFAULT_UTC_OFFSET, out, 32);
}

int col_known_limits(cli_ctx_t *ctx, outbox_limits_t *ret)
{
	char err[1024];
	int r;

	memset(ret, 0, sizeof(*ret));
	cli_store_close(ctx);
	/* No store yet, or one a starting `run` has made and not yet
	 * committed (store_open() says -ENOENT for both): nothing is
	 * recorded yet. */
	r = col_store_open(ctx, CLI_STORE_READ, &ctx->store, err, sizeof(err));
	if (r == -ENOENT) {
		ctx->store = NULL;
		return 0;
	}
	if (r < 0) {
		ctx->store = NULL;
		return cli_fail(ctx, "%s", err);
	}
	r = outbox_get_limits(ctx->store, ret);
	cli_store_close(ctx);
	if (r < 0)
		return cli_fail(ctx, "%s: %s", ctx->data_dir, lnob_strerror(r));
	return 0;
}

const char *col_limit_origin(const outbox_limits_t *lim, char out[160])
{
	char when[32];

	if (lim->max_body > 0 && lim->max_body <= OUTBOX_BODY_MAX)
		snprintf(out, 160, "the max_body its upstream advertised, last recorded %s",
			 col_time_text(lim->learned_at_ms, when));
	else
		snprintf(out, 160, "this collector's own limit%s", lim->learned_at_ms > 0 ? ""
			 : "; the upstream's is not known yet");
	return out;
}

int col_enqueue(cli_ctx_t *ctx, uint32_t kind, const uint8_t *const *bodies, const size_t *lens,
		size_t n, int64_t now_ms, uint64_t *ret_first)
{
	outbox_limits_t lim;
	char origin[160];
	size_t big = 0;
	int r;

	if ((r = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		return r;
	r = outbox_enqueue(ctx->store, &ctx->id, kind, bodies, lens, n, now_ms, ret_first);
	if (r == LNOB_E_TOOBIG && outbox_get_limits(ctx->store, &lim) == 0) {
		for (size_t i = 0; i < n; i++)
			big = lens[i] > big ? lens[i] : big;
		return cli_fail(ctx, "%s: cannot queue: a body of %zu bytes is over the %zu-byte limit "
				"(%s; nothing queued)", ctx->data_dir, big, outbox_max_body(&lim),
				col_limit_origin(&lim, origin));
	}
	if (r == LNOB_E_FULL)
		return cli_fail(ctx, "%s: outbox is full ([node] map_size_mb = %zu); nothing queued",
				ctx->data_dir, col_conf(ctx)->map_size >> 20);
	if (r < 0)
		return cli_fail(ctx, "%s: cannot queue: %s (nothing queued)", ctx->data_dir,
				lnob_strerror(r));
	return 0;
}
