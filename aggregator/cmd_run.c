/*
 * cmd_run.c: `lnob-aggregator run -c CONF [-n]`: with everything validated
 * (the configuration, the identity, the hierarchy, the campaigns), -n says
 * "configuration OK"; else the server runs until SIGTERM or SIGINT, which
 * the command table blocked before anything started (server.h).
 */
#include "cmd_aggregator.h"

#include <stdio.h>
#include <string.h>

#include "aggstore.h"
#include "api.h"
#include "dhis2map.h"
#include "endpoint.h"
#include "hiercache.h"
#include "lnob_err.h"
#include "log.h"
#include "national_run.h"
#include "runlock.h"
#include "server.h"
#include "util.h"

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

/* How long the aggregator's own old keys are taken after it changed keys. */
#define S_SELF_GRACE_S ((int64_t)7 * 86400)

/* Keeps the parsed hierarchy in the store for the commands that read it
 * (hiercache.h), unless it came from there. A failure costs them the
 * parse only: logged, not fatal. */
static void s_cache_hier(cli_ctx_t *ctx)
{
	aggcmd_conf_t *c = ctx->daemon;
	int r;

	if (c->hier_cached)
		return;
	if ((r = hiercache_save(ctx->store, c->hier_digest, ctx->hier)) < 0)
		log_warnx("%s: the hierarchy's cache not written: %s", ctx->hier_file,
			  lnob_strerror(r));
	else
		log_info("%s: the hierarchy's cache written (%zu units)", ctx->hier_file,
			 hier_count(ctx->hier));
}

/* Enrolls the aggregator's own identity with the hierarchy's one root as
 * scope, when it is not enrolled yet (and rotates its record to the
 * identity's keys when they changed): it signs the nomination stages the
 * HTTP API records as the province node (api.h), and verify re-checks them
 * from the key directory like any other. Returns 0 or 1 (printed). */
static int s_enroll_self(cli_ctx_t *ctx)
{
	Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT, *old = NULL;
	identity_pub_t *pub = &ctx->id.pub;
	MDB_txn *txn = NULL;
	const int *roots;
	int r;

	if (hier_children(ctx->hier, -1, &roots) != 1) {
		log_warnx("the hierarchy has several roots: the aggregator is not enrolled as a node; "
			  "the HTTP API cannot record nomination stages");
		return 0;
	}
	if ((r = store_begin(ctx->store, true, &txn)) == 0 &&
	    (r = agg_node_get(ctx->store, txn, pub->node_id, &old)) == LNOB_E_NOTFOUND) {
		rec.node_id = pub->node_id;
		rec.sign_public = (ProtobufCBinaryData){ 32, pub->sign_pk };
		rec.curve_public = (ProtobufCBinaryData){ 32, pub->curve_pk };
		rec.scope = (char *)hier_unit(ctx->hier, roots[0])->code;
		rec.enrolled_at = lnob_now_s();
		if ((r = agg_node_put(ctx->store, txn, &rec, false)) == 0 &&
		    (r = store_commit(&txn)) == 0)
			log_info("enrolled the aggregator's own identity %s with scope %s (it signs the "
				 "stages the HTTP API records)", pub->node_id, rec.scope);
	}
	if (r == 0 && old && (old->sign_public.len != 32 ||
			      memcmp(old->sign_public.data, pub->sign_pk, 32) != 0)) {
		/* The aggregator's keys were changed (README "Rotating the
		 * aggregator's keys"): its own record follows, the old pair
		 * kept for the stages signed with it and not stored yet. */
		r = agg_node_rotate(ctx->store, txn, pub, S_SELF_GRACE_S, lnob_now_s());
		if (r == 0 && (r = store_commit(&txn)) == 0)
			log_info("rotated the aggregator's own node %s to its identity's keys",
				 pub->node_id);
		else if (r == LNOB_E_REVOKED || r == LNOB_E_EXISTS) {
			log_warnx("node %s is enrolled with other keys than the aggregator's identity "
				  "(%s): stages the HTTP API records will be refused", pub->node_id,
				  lnob_strerror(r));
			r = 0;
		}
	}
	store_abort(&txn);
	if (old)
		lnob__node_record__free_unpacked(old, NULL);
	if (r < 0)
		return cli_fail(ctx, "run: enrolling the aggregator's own identity: %s",
				lnob_strerror(r));
	return 0;
}

/* [node] next_identity, when set, into *ret: a secret identity file of
 * the same node id with other keys than [node] identity's. Returns 0, or
 * 1 after printing what is wrong with it. */
static int s_next_key(cli_ctx_t *ctx, identity_pub_t *ret, bool *ret_has)
{
	const aggcmd_conf_t *c = aggcmd_conf(ctx);
	identity_t next;
	char why[768], err[1024];

	*ret_has = false;
	if (!c->next_identity)
		return 0;
	if (identity_load(c->next_identity, &next, why, sizeof(why)) < 0) {
		cli_conf_error(ctx->conf, "node", "next_identity", err, sizeof(err), "%s", why);
		return cli_fail(ctx, "%s", err);
	}
	*ret = next.pub;
	identity_wipe(&next);
	if (strcmp(ret->node_id, ctx->id.pub.node_id) != 0)
		snprintf(why, sizeof(why), "%s: its id '%s' is not [node] identity's '%s'",
			 c->next_identity, ret->node_id, ctx->id.pub.node_id);
	else if (memcmp(ret->sign_pk, ctx->id.pub.sign_pk, 32) == 0 ||
		 memcmp(ret->curve_pk, ctx->id.pub.curve_pk, 32) == 0)
		snprintf(why, sizeof(why), "%s: it holds a key of [node] identity; the next identity "
			 "is a new pair (keygen)", c->next_identity);
	else {
		*ret_has = true;
		return 0;
	}
	cli_conf_error(ctx->conf, "node", "next_identity", err, sizeof(err), "%s", why);
	return cli_fail(ctx, "%s", err);
}

/* The national feed of [national], into *ret (NULL without one). Returns 0,
 * or 1 after the message. */
static int s_national(cli_ctx_t *ctx, national_t **ret)
{
	const aggcmd_conf_t *c = aggcmd_conf(ctx);
	char err[1024];
	int root, rc;

	*ret = NULL;
	if (!c->national_outbox[0])
		return 0;
	if ((rc = aggcmd_national_root(ctx, &root)) != 0)
		return rc;
	*ret = national_new(ctx->store, ctx->hier, &ctx->camps, root, c->national_outbox,
			    c->national_identity, (int64_t)c->national_interval_s * 1000, err,
			    sizeof(err));
	if (!*ret)
		return cli_fail(ctx, "%s: %s", ctx->conf_path, err);
	log_info("national feed: snapshots of %s every %llu s at most, into %s",
		 hier_unit(ctx->hier, root)->code, (unsigned long long)c->national_interval_s,
		 c->national_outbox);
	return 0;
}

/* The daemon, map (may be NULL) the API's export's. Returns the exit
 * status. */
static int s_run(cli_ctx_t *ctx, const dhis2map_t *map, const identity_pub_t *next,
		 bool has_next)
{
	const aggcmd_conf_t *c = aggcmd_conf(ctx);
	national_t *nat = NULL;
	server_opts_t o;
	api_t api;
	char err[1024];
	int rc, lockfd;

	if (cli_flag(ctx, "check")) {
		int root;

		if (store_check_private(ctx->data_dir, err, sizeof(err)) < 0)
			return cli_fail(ctx, "[node] data_dir: %s", err);
		if (endpoint_try_bind(c->endpoint, err, sizeof(err)) < 0)
			return cli_fail(ctx, "[listen] endpoint: %s", err);
		if (c->national_outbox[0] && (rc = aggcmd_national_root(ctx, &root)) != 0)
			return rc;
		printf("configuration OK\n");
		return 0;
	}
	if ((lockfd = runlock_take(ctx->data_dir, AGG_PROG, err, sizeof(err))) < 0)
		return cli_fail(ctx, "%s", err);
	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) == 0) {
		s_log_store(ctx, ctx->store);
		s_cache_hier(ctx);
		rc = s_enroll_self(ctx);
	}
	if (rc == 0)
		rc = s_national(ctx, &nat);
	if (rc != 0) {
		runlock_release(lockfd);
		return rc;
	}
	o.endpoint = c->endpoint;
	o.conf_path = ctx->conf_path;
	o.batch_max = c->batch_max;
	o.window = (uint32_t)c->window;
	o.max_body = c->max_body;
	o.max_frame = c->max_frame;
	o.batch_bytes = (size_t)c->batch_bytes;
	o.window_bytes = (size_t)c->window_bytes;
	o.queue_bytes = (size_t)c->queue_bytes;
	o.verify_threads = (unsigned)c->verify_threads;
	o.flush_ms = 1000;
	o.map_max = (size_t)c->map_max_mb << 20;
	o.map_grow = (size_t)c->map_grow_mb << 20;
	o.reader_check_ms = 10000;
	o.campaigns = &ctx->camps;
	api = (api_t){ .st = ctx->store, .hier = ctx->hier, .campaigns = &ctx->camps, .id = &ctx->id,
		       .mapping = map };
	o.http_listen = c->http_listen;
	o.api = &api;
	o.next_key = has_next ? next : NULL;
	if (has_next)
		log_info("announcing the next keys of %s (%s) in the metadata", next->node_id,
			 c->next_identity);
	o.tick = nat ? national_tick : NULL;
	o.tick_arg = nat;
	rc = server_run(&o, &ctx->id, ctx->store, ctx->hier);
	national_destroy(&nat);
	cli_store_close(ctx);   /* before the lock goes: the next run finds it closed */
	runlock_release(lockfd);
	return rc;
}

int cmd_run(cli_ctx_t *ctx)
{
	identity_pub_t next;
	bool has_next;
	dhis2map_t *map = NULL;     /* [export] mapping: /api/export's adx and dhis2 */
	int rc;

	if ((rc = s_next_key(ctx, &next, &has_next)) != 0 ||
	    (rc = aggcmd_mapping(ctx, "[export] mapping", NULL, NULL, &map)) != 0)
		return rc;
	rc = s_run(ctx, map, &next, has_next);
	dhis2map_destroy(&map);
	return rc;
}
