/*
 * cmd_run.c: `lnob-collector run -c CONF [-n]`: with everything validated
 * (the configuration, the identity, the upstream's public file, the
 * campaigns when configured), -n says "configuration OK"; else the uplink
 * (and the relay, with [relay] listen) runs until SIGTERM or SIGINT, which
 * the command table blocked before anything started.
 */
#include "cmd_collector.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "colmeta.h"
#include "colweb.h"
#include "endpoint.h"
#include "http.h"
#include "lnob_err.h"
#include "runlock.h"
#include "store.h"
#include "util.h"

/* Runs the uplink on the outbox until a stop signal. Returns the exit
 * status. */
static int s_serve(cli_ctx_t *ctx, uplink_conf_t *up)
{
	const col_conf_t *c = col_conf(ctx);
	sigset_t mask;
	char err[1024];
	int rc, lockfd, sigfd = -1;

	if (sodium_init() < 0)
		return cli_fail(ctx, "libsodium cannot start");
	if ((lockfd = runlock_take(ctx->data_dir, COL_PROG, err, sizeof(err))) < 0)
		return cli_fail(ctx, "%s", err);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		goto out;
	if ((sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		rc = cli_fail(ctx, "signalfd: %s", strerror(errno));
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (c->web_listen[0] && !(up->http = http_new(c->web_listen, colweb_handle, ctx, err,
						       sizeof(err)))) {
		rc = cli_fail(ctx, "[web] listen: %s", err);
		goto out;
	}
	if (up->http && colweb_attach(up->http) < 0) {
		rc = cli_fail(ctx, "[web] listen: cannot set the upload limits and the password gate");
		goto out;
	}
	if (up->http)
		log_info("the page on http://%s/", c->web_listen);
	log_info("node %s: uplink to %s, window %" PRIu32 ", outbox in %s%s%s", ctx->node_id,
		 up->endpoint, up->window, ctx->data_dir, c->has_relay ? ", relay on " : "",
		 c->has_relay ? c->relay.listen : "");
	rc = uplink_run(up, c->has_relay ? &c->relay : NULL, &ctx->id, ctx->store, sigfd) < 0 ? 1 : 0;
out:
	http_destroy(&up->http);
	if (sigfd >= 0)
		close(sigfd);
	cli_store_close(ctx);
	runlock_release(lockfd);
	return rc;
}

int cmd_run(cli_ctx_t *ctx)
{
	const col_conf_t *c = col_conf(ctx);
	uplink_conf_t up = c->up;
	identity_pub_t server;
	char err[1024], why[768];

	if (identity_load_public(c->server_public, &server, why, sizeof(why)) < 0) {
		cli_conf_error(ctx->conf, "uplink", "server_public", err, sizeof(err), "%s", why);
		return cli_fail(ctx, "%s", err);
	}
	memcpy(up.server_curve_pk, server.curve_pk, 32);
	lnob_strlcpy(up.server_id, server.node_id, sizeof(up.server_id));
	if (c->agg_sign_key[0] &&
	    colmeta_load_key(c->agg_sign_key, up.agg_sign_pk, why, sizeof(why)) < 0) {
		cli_conf_error(ctx->conf, "uplink", "aggregator_sign_key", err, sizeof(err), "%s",
			       why);
		return cli_fail(ctx, "%s", err);
	}
	up.has_agg_sign_pk = c->agg_sign_key[0] != '\0';
	/* Only submit and the page use the campaigns: loaded (by the command
	 * table) so that a bad file is found by -n and at start, not at the
	 * next submit; kept for the run only with the page. */
	if (!c->web_listen[0]) {
		campaigns_clear(&ctx->camps);
		hier_destroy(&ctx->hier);
	}
	if (cli_flag(ctx, "check")) {
		if (store_check_private(ctx->data_dir, err, sizeof(err)) < 0)
			return cli_fail(ctx, "[node] data_dir: %s", err);
		if (c->has_relay && endpoint_try_bind(c->relay.listen, err, sizeof(err)) < 0)
			return cli_fail(ctx, "[relay] listen: %s", err);
		printf("configuration OK\n");
		return 0;
	}
	return s_serve(ctx, &up);
}
