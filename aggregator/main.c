/*
 * main.c: lnob-aggregator, the provincial aggregator.
 *
 *   lnob-aggregator keygen  --id NODE --out PATH
 *   lnob-aggregator run     -c CONF [-n]
 *   lnob-aggregator enroll  -c CONF --key NODE.pub --scope UNIT [--replace]
 *   lnob-aggregator revoke  -c CONF NODE
 *   lnob-aggregator rollup  -c CONF --campaign C --period P [--unit U | --cluster K] [--json]
 *   lnob-aggregator status  -c CONF [--json]
 *   lnob-aggregator verify  -c CONF
 *   lnob-aggregator history -c CONF --campaign C --period P --unit U [--json]
 *   lnob-aggregator conflicts -c CONF [--json]
 *   lnob-aggregator nominations -c CONF --campaign C [--occasion P] [--unit U] [--json|--csv]
 *   lnob-aggregator nominations -c CONF --nomination SIGNER/ID [--json]
 *   lnob-aggregator approve|unapprove|approvals|amendments|accept|reject ... (approval.h)
 *
 * Exit status: 0 success, 1 failure (one message naming the cause), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggstore.h"
#include "approval.h"
#include "cli.h"
#include "codec.h"
#include "conf.h"
#include "fault.h"
#include "history.h"
#include "hierarchy.h"
#include "identity.h"
#include "lnob_err.h"
#include "campaigns.h"
#include "log.h"
#include "nominations.h"
#include "rollup.h"
#include "verify.h"
#include "server.h"
#include "view.h"
#include "util.h"

#define PROG "lnob-aggregator"

/* Long options of `nominations` (nominations.h). */
enum { S_OPT_OCCASION = 0x4200, S_OPT_CSV, S_OPT_NOMINATION };

/* Long options without a short form (approval.h's subcommands). */
enum { S_OPT_BY = 0x4100, S_OPT_NOTE, S_OPT_REASON, S_OPT_AMENDMENT, S_OPT_DECIDED };

/* The validated configuration. Strings are borrowed from conf. */
typedef struct agg_conf {
	conf_t *conf;
	const char *node_id, *identity, *data_dir, *endpoint, *hier_file;
	uint64_t map_size_mb, map_max_mb, map_grow_mb, batch_max, window, max_body, max_frame;
	int log_level;
} agg_conf_t;

static const char *const s_keys[] = {
	"node.id", "node.identity", "node.data_dir", "node.map_size_mb",
	"store.map_max_mb", "store.map_grow_mb",
	"listen.endpoint", "hierarchy.file",
	"ingest.batch_max", "ingest.window", "ingest.max_body", "ingest.max_frame",
	"campaign.files", "campaign.clock_skew_s",
	"log.level", NULL,
};

/* Loads and validates the whole file; exits 1 with the first error. */
static void s_load_conf(const char *path, agg_conf_t *c)
{
	char err[1024];
	const char *level;
	int r;

	memset(c, 0, sizeof(*c));
	if (!path) {
		fprintf(stderr, "%s: -c CONFIG is required\n", PROG);
		exit(2);
	}
	r = conf_load(path, &c->conf, err, sizeof(err));
	if (r == 0) r = conf_check_keys(c->conf, s_keys, err, sizeof(err));
	if (r == 0) r = conf_str(c->conf, "node", "id", NULL, &c->node_id, err, sizeof(err));
	if (r == 0) r = conf_str(c->conf, "node", "identity", NULL, &c->identity, err, sizeof(err));
	if (r == 0) r = conf_str(c->conf, "node", "data_dir", NULL, &c->data_dir, err, sizeof(err));
	if (r == 0) r = conf_u64(c->conf, "node", "map_size_mb", false, 1024, 1, 1 << 20, &c->map_size_mb, err, sizeof(err));
	if (r == 0) r = conf_u64(c->conf, "store", "map_max_mb", false, c->map_size_mb, 1, 1 << 20, &c->map_max_mb, err, sizeof(err));
	if (r == 0) r = conf_u64(c->conf, "store", "map_grow_mb", false, c->map_size_mb, 1, 1 << 20, &c->map_grow_mb, err, sizeof(err));
	if (r == 0 && c->map_max_mb < c->map_size_mb) {
		snprintf(err, sizeof(err), "%s: [store] map_max_mb: %llu is below [node] map_size_mb %llu",
			 path, (unsigned long long)c->map_max_mb, (unsigned long long)c->map_size_mb);
		r = LNOB_E_CONFIG;
	}
	if (r == 0) r = conf_str(c->conf, "listen", "endpoint", NULL, &c->endpoint, err, sizeof(err));
	if (r == 0) r = conf_str(c->conf, "hierarchy", "file", NULL, &c->hier_file, err, sizeof(err));
	if (r == 0) r = conf_u64(c->conf, "ingest", "batch_max", false, 256, 1, 65536, &c->batch_max, err, sizeof(err));
	if (r == 0) r = conf_u64(c->conf, "ingest", "window", false, 256, 1, 65536, &c->window, err, sizeof(err));
	if (r == 0) r = conf_u64(c->conf, "ingest", "max_body", false, 65536, 256, 16 << 20, &c->max_body, err, sizeof(err));
	if (r == 0) r = conf_u64(c->conf, "ingest", "max_frame", false, 0, 0, 64 << 20, &c->max_frame, err, sizeof(err));
	if (r == 0) r = conf_str(c->conf, "log", "level", "info", &level, err, sizeof(err));
	if (r == 0 && (c->log_level = log_level_parse(level)) < 0) {
		snprintf(err, sizeof(err), "%s: [log] level: not one of error, warn, info, debug: '%s'",
			 path, level);
		r = LNOB_E_CONFIG;
	}
	if (r == 0 && !lnob_valid_id(c->node_id)) {
		snprintf(err, sizeof(err), "%s: [node] id: not 1..64 of [A-Za-z0-9._-]: '%s'",
			 path, c->node_id);
		r = LNOB_E_CONFIG;
	}
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		conf_destroy(&c->conf);
		exit(1);
	}
	if (c->max_frame == 0)
		c->max_frame = c->max_body + 4096;
	if (c->max_frame < c->max_body + 1024) {
		fprintf(stderr, "%s: %s: [ingest] max_frame must exceed max_body by 1024 at least\n",
			PROG, path);
		conf_destroy(&c->conf);
		exit(1);
	}
	log_init(PROG, (enum log_level)c->log_level);
}

static hier_t *s_load_hier(const agg_conf_t *c)
{
	char err[1024];
	hier_t *h = NULL;
	int r = hier_load_csv(c->hier_file, &h, err, sizeof(err));

	if (r < 0) {
		fprintf(stderr, "%s: hierarchy: %s\n", PROG, err);
		return NULL;
	}
	return h;
}

/* Loads the configured campaigns (none: an empty set); prints the error
 * naming file and line on failure. */
static int s_load_campaigns(const agg_conf_t *c, const hier_t *hier, campaigns_t *ret)
{
	char err[1024];
	int r = campaigns_load(ret, c->conf, hier, err, sizeof(err));

	if (r < 0)
		fprintf(stderr, "%s: campaign: %s\n", PROG, err);
	return r;
}

static store_t *s_open_store(const agg_conf_t *c, bool write)
{
	char err[1024];
	store_t *st = NULL;
	int r = aggstore_open(c->data_dir, (size_t)c->map_size_mb << 20,
			      write ? 0 : STORE_RDONLY, &st, err, sizeof(err));

	if (r < 0) {
		fprintf(stderr, "%s: store: %s\n", PROG, err);
		return NULL;
	}
	return st;
}

static int s_cmd_run(const char *cpath, bool check_only)
{
	agg_conf_t c;
	identity_t id;
	hier_t *hier = NULL;
	store_t *st = NULL;
	server_opts_t o;
	campaigns_t camps = { 0 };
	sigset_t mask;
	char err[1024];
	int rc = 1;

	/* SIGTERM/SIGINT wait (blocked) until server_run() has its handler, so
	 * a stop request during start-up ends the run cleanly, exit 0. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	s_load_conf(cpath, &c);
	if (identity_load(c.identity, &id, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: identity: %s\n", PROG, err);
		goto out;
	}
	if (strcmp(id.pub.node_id, c.node_id) != 0) {
		fprintf(stderr, "%s: %s: [node] id '%s' differs from the identity file's id '%s'\n",
			PROG, cpath, c.node_id, id.pub.node_id);
		goto out;
	}
	if (!(hier = s_load_hier(&c)))
		goto out;
	if (s_load_campaigns(&c, hier, &camps) < 0)
		goto out;
	if (check_only) {
		printf("configuration OK\n");
		rc = 0;
		goto out;
	}
	if (!(st = s_open_store(&c, true)))
		goto out;
	log_info("store %s (map %zu MB, may grow by %llu MB to %llu MB), hierarchy %s (%zu units)",
		 c.data_dir, store_map_size(st) >> 20, (unsigned long long)c.map_grow_mb,
		 (unsigned long long)c.map_max_mb, c.hier_file, hier_count(hier));
	if (store_map_size(st) > (size_t)c.map_max_mb << 20)
		log_warnx("store %s: its data (%zu MB) exceeds [store] map_max_mb %llu: it cannot "
			  "grow; raise map_max_mb in %s", c.data_dir, store_map_size(st) >> 20,
			  (unsigned long long)c.map_max_mb, cpath);
	if (store_stale_readers_at_open(st) > 0)
		log_info("store %s: cleared %d stale reader slot(s) of dead processes at open",
			 c.data_dir, store_stale_readers_at_open(st));
	o.endpoint = c.endpoint;
	o.conf_path = cpath;
	o.batch_max = c.batch_max;
	o.window = (uint32_t)c.window;
	o.max_body = c.max_body;
	o.max_frame = c.max_frame;
	o.flush_ms = 1000;
	o.map_max = (size_t)c.map_max_mb << 20;
	o.map_grow = (size_t)c.map_grow_mb << 20;
	o.reader_check_ms = 10000;
	o.campaigns = &camps;
	rc = server_run(&o, &id, st, hier);
out:
	identity_wipe(&id);
	store_destroy(&st);
	campaigns_clear(&camps);
	hier_destroy(&hier);
	conf_destroy(&c.conf);
	return rc;
}

static int s_cmd_enroll(const char *cpath, const char *keyfile, const char *scope, bool replace)
{
	Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT;
	identity_pub_t pub;
	agg_conf_t c;
	hier_t *hier = NULL;
	store_t *st = NULL;
	MDB_txn *txn = NULL;
	char err[1024];
	int rc = 1, r;

	s_load_conf(cpath, &c);
	if (identity_load_public(keyfile, &pub, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s enroll: %s\n", PROG, err);
		goto out;
	}
	if (!(hier = s_load_hier(&c)))
		goto out;
	if (hier_find(hier, scope) < 0) {
		fprintf(stderr, "%s enroll: --scope '%s' is not a unit of %s\n", PROG, scope, c.hier_file);
		goto out;
	}
	if (!(st = s_open_store(&c, true)))
		goto out;
	rec.node_id = pub.node_id;
	rec.sign_public.data = pub.sign_pk;
	rec.sign_public.len = 32;
	rec.curve_public.data = pub.curve_pk;
	rec.curve_public.len = 32;
	rec.scope = (char *)scope;
	rec.enrolled_at = lnob_now_s();
	r = store_begin(st, true, &txn);
	if (r == 0)
		r = agg_node_put(st, txn, &rec, replace);
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	if (r == LNOB_E_EXISTS) {
		fprintf(stderr, "%s enroll: node '%s' or its CURVE key is enrolled already "
			"(use --replace to re-key a node)\n", PROG, pub.node_id);
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "%s enroll: %s: %s\n", PROG, c.data_dir, lnob_strerror(r));
		goto out;
	}
	printf("enrolled %s with scope %s\n", pub.node_id, scope);
	rc = 0;
out:
	store_destroy(&st);
	hier_destroy(&hier);
	conf_destroy(&c.conf);
	return rc;
}

static int s_cmd_revoke(const char *cpath, const char *node_id)
{
	Lnob__NodeRecord *rec = NULL;
	agg_conf_t c;
	store_t *st = NULL;
	MDB_txn *txn = NULL;
	int rc = 1, r;

	s_load_conf(cpath, &c);
	if (!(st = s_open_store(&c, true)))
		goto out;
	r = store_begin(st, true, &txn);
	if (r == 0)
		r = agg_node_get(st, txn, node_id, &rec);
	if (r == 0) {
		uint8_t *buf;
		size_t len;
		rec->revoked = true;
		rec->revoked_at = lnob_now_s();
		r = codec_pack(&rec->base, &buf, &len);
		if (r == 0) {
			r = store_put(txn, store_dbi(st, AGG_DB_NODES), node_id, strlen(node_id), buf, len, 0);
			free(buf);
		}
	}
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	if (rec)
		lnob__node_record__free_unpacked(rec, NULL);
	if (r < 0) {
		fprintf(stderr, "%s revoke: node '%s': %s\n", PROG, node_id, lnob_strerror(r));
		goto out;
	}
	printf("revoked %s\n", node_id);
	rc = 0;
out:
	store_destroy(&st);
	conf_destroy(&c.conf);
	return rc;
}

static int s_cmd_rollup(const char *cpath, const char *campaign, const char *period,
			const char *unit, const char *cluster, bool json)
{
	agg_conf_t c;
	hier_t *hier = NULL;
	store_t *st = NULL;
	MDB_txn *txn = NULL;
	json_t *view = NULL;
	campaigns_t camps = { 0 };
	view_opts_t vo = { .campaigns = &camps, .campaign = campaign, .period = period,
			   .cluster = cluster, .now = lnob_now_s() };
	char err[1024] = "";
	int rc = 1, r;

	s_load_conf(cpath, &c);
	if (!(hier = s_load_hier(&c)) || s_load_campaigns(&c, hier, &camps) < 0 ||
	    !(st = s_open_store(&c, false)))
		goto out;
	if (unit) {
		vo.unit = hier_find(hier, unit);
		if (vo.unit < 0) {
			fprintf(stderr, "%s rollup: --unit '%s' is not a unit of %s\n", PROG, unit, c.hier_file);
			goto out;
		}
	} else {
		const int *roots;
		if (!cluster && hier_children(hier, -1, &roots) != 1) {
			fprintf(stderr, "%s rollup: the hierarchy has several roots; name one with --unit\n", PROG);
			goto out;
		}
		vo.unit = cluster ? 0 : roots[0];
	}
	r = store_begin(st, false, &txn);
	if (r == 0)
		r = view_build(st, txn, hier, &vo, &view, err, sizeof(err));
	store_abort(&txn);
	if (r < 0) {
		fprintf(stderr, "%s rollup: %s\n", PROG, err[0] ? err : lnob_strerror(r));
		goto out;
	}
	if (json)
		json_dumpf(view, stdout, JSON_INDENT(2) | JSON_SORT_KEYS), fputc('\n', stdout);
	else
		view_print_table(stdout, view);
	rc = 0;
out:
	json_decref(view);
	store_destroy(&st);
	campaigns_clear(&camps);
	hier_destroy(&hier);
	conf_destroy(&c.conf);
	return rc;
}

/* status: counts and counters, enrolled nodes with their last health. */
static int s_status_json(store_t *st, MDB_txn *txn, json_t **ret)
{
	uint64_t cnt[AGG_C_COUNT];
	size_t nenv = 0, nlatest = 0, nq = 0;
	json_t *counters = json_object(), *nodes = json_array();
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r;

	r = agg_counters_load(st, txn, cnt);
	if (r == 0) r = store_count(txn, st, AGG_DB_ENVELOPES, &nenv);
	if (r == 0) r = store_count(txn, st, AGG_DB_LATEST, &nlatest);
	if (r == 0) r = store_count(txn, st, AGG_DB_QUARANTINE, &nq);
	if (r == 0 && (r = mdb_cursor_open(txn, store_dbi(st, AGG_DB_NODES), &cur)) != 0)
		r = r > 0 ? -r : r;
	for (int mr = r ? 1 : mdb_cursor_get(cur, &k, &v, MDB_FIRST); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		ProtobufCMessage *m, *pm;
		Lnob__NodeRecord *n;
		Lnob__PeerRecord *peer = NULL;
		MDB_val pv;
		json_t *health = json_null(), *seen = json_null();

		if (codec_unpack(&lnob__node_record__descriptor, v.mv_data, v.mv_size, v.mv_size, &m) < 0)
			continue;
		n = (Lnob__NodeRecord *)m;
		if (store_get(txn, store_dbi(st, AGG_DB_PEERS), n->node_id, strlen(n->node_id), &pv) == 0 &&
		    codec_unpack(&lnob__peer_record__descriptor, pv.mv_data, pv.mv_size, pv.mv_size, &pm) == 0) {
			peer = (Lnob__PeerRecord *)pm;
			seen = json_integer(peer->last_seen_ms);
			if (peer->health)
				health = json_pack("{s:I, s:I, s:I, s:I}",
						   "queued", (json_int_t)peer->health->queued,
						   "parked", (json_int_t)peer->health->parked,
						   "oldest_queued_at_ms", (json_int_t)peer->health->oldest_queued_at,
						   "next_seq", (json_int_t)peer->health->next_seq);
			lnob__peer_record__free_unpacked(peer, NULL);
		}
		json_array_append_new(nodes, json_pack("{s:s, s:s, s:b, s:o, s:o}",
				"id", n->node_id, "scope", n->scope, "revoked", n->revoked,
				"last_seen_ms", seen, "health", health));
		lnob__node_record__free_unpacked(n, NULL);
	}
	if (cur)
		mdb_cursor_close(cur);
	if (r < 0) {
		json_decref(counters);
		json_decref(nodes);
		return r;
	}
	for (int i = 0; i < AGG_C_COUNT; i++)
		json_object_set_new(counters, agg_counter_name(i), json_integer((json_int_t)cnt[i]));
	*ret = json_pack("{s:I, s:I, s:I, s:o, s:o}", "envelopes", (json_int_t)nenv,
			 "reports", (json_int_t)nlatest, "quarantined", (json_int_t)nq,
			 "counters", counters, "nodes", nodes);
	return *ret ? 0 : -ENOMEM;
}

static int s_cmd_status(const char *cpath, bool json)
{
	agg_conf_t c;
	store_t *st = NULL;
	MDB_txn *txn = NULL;
	json_t *s = NULL, *val, *node;
	const char *key;
	size_t i;
	int rc = 1, r;

	s_load_conf(cpath, &c);
	if (!(st = s_open_store(&c, false)))
		goto out;
	r = store_begin(st, false, &txn);
	if (r == 0) {
		/* A reader killed here leaves a stale reader slot (tests). */
		fault_point("agg.status_in_txn");
		r = s_status_json(st, txn, &s);
	}
	store_abort(&txn);
	if (r < 0) {
		fprintf(stderr, "%s status: %s\n", PROG, lnob_strerror(r));
		goto out;
	}
	if (json) {
		json_dumpf(s, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		printf("envelopes stored  %lld\nlatest reports    %lld\nquarantined       %lld\n",
		       (long long)json_integer_value(json_object_get(s, "envelopes")),
		       (long long)json_integer_value(json_object_get(s, "reports")),
		       (long long)json_integer_value(json_object_get(s, "quarantined")));
		printf("counters:\n");
		json_object_foreach(json_object_get(s, "counters"), key, val)
			if (json_integer_value(val))
				printf("  %-28s %lld\n", key, (long long)json_integer_value(val));
		printf("nodes:\n  %-20s %-12s %-8s %-10s %s\n", "id", "scope", "revoked", "queued",
		       "last seen");
		json_array_foreach(json_object_get(s, "nodes"), i, node) {
			json_t *h = json_object_get(node, "health");
			long long seen = (long long)json_integer_value(json_object_get(node, "last_seen_ms"));
			char queued[24], ago[48];

			if (h)
				snprintf(queued, sizeof(queued), "%lld",
					 (long long)json_integer_value(json_object_get(h, "queued")));
			else
				snprintf(queued, sizeof(queued), "-");
			if (seen > 0)
				snprintf(ago, sizeof(ago), "%.1f s ago",
					 (double)(lnob_now_ms() - seen) / 1000.0);
			else
				snprintf(ago, sizeof(ago), "never");
			printf("  %-20s %-12s %-8s %-10s %s\n",
			       json_string_value(json_object_get(node, "id")),
			       json_string_value(json_object_get(node, "scope")),
			       json_is_true(json_object_get(node, "revoked")) ? "yes" : "no",
			       queued, ago);
		}
	}
	rc = 0;
out:
	json_decref(s);
	store_destroy(&st);
	conf_destroy(&c.conf);
	return rc;
}

static int s_cmd_verify(const char *cpath)
{
	agg_conf_t c;
	hier_t *hier = NULL;
	store_t *st = NULL;
	MDB_txn *txn = NULL;
	size_t diffs = 0, checked = 0;
	int rc = 1, r;

	s_load_conf(cpath, &c);
	if (!(hier = s_load_hier(&c)) || !(st = s_open_store(&c, false)))
		goto out;
	r = store_begin(st, false, &txn);
	if (r == 0)
		r = verify_store(st, txn, hier, stdout, &diffs, &checked);
	store_abort(&txn);
	if (r < 0) {
		fprintf(stderr, "%s verify: %s\n", PROG, lnob_strerror(r));
		goto out;
	}
	printf("verify: %zu rollups checked, %zu differences\n", checked, diffs);
	rc = diffs ? 1 : 0;
out:
	store_destroy(&st);
	hier_destroy(&hier);
	conf_destroy(&c.conf);
	return rc;
}

/* history and conflicts: read-only views of the revision history. */
static int s_cmd_history(const char *cpath, const char *campaign, const char *period,
			 const char *unit, bool json)
{
	agg_conf_t c;
	store_t *st = NULL;
	MDB_txn *txn = NULL;
	json_t *view = NULL;
	int rc = 1, r;

	s_load_conf(cpath, &c);
	if (!(st = s_open_store(&c, false)))
		goto out;
	r = store_begin(st, false, &txn);
	if (r == 0)
		r = unit ? history_view(st, txn, campaign, period, unit, &view)
			 : conflicts_view(st, txn, &view);
	store_abort(&txn);
	if (r < 0) {
		fprintf(stderr, "%s %s: %s\n", PROG, unit ? "history" : "conflicts", lnob_strerror(r));
		goto out;
	}
	if (json)
		json_dumpf(view, stdout, JSON_INDENT(2) | JSON_SORT_KEYS), fputc('\n', stdout);
	else if (unit)
		history_print(stdout, view);
	else
		conflicts_print(stdout, view);
	rc = 0;
out:
	json_decref(view);
	store_destroy(&st);
	conf_destroy(&c.conf);
	return rc;
}

/* nominations: the nominations of a campaign per level, or one with its
 * dossier and history (nominations.h). format: 0 table, 1 JSON, 2 CSV. */
static int s_cmd_nominations(const char *cpath, const char *campaign, const char *occasion,
			     const char *unit, const char *key, int format)
{
	agg_conf_t c;
	hier_t *hier = NULL;
	store_t *st = NULL;
	MDB_txn *txn = NULL;
	json_t *view = NULL;
	campaigns_t camps = { 0 };
	nominations_ctx_t nx = { 0 };
	nominations_query_t q = { .campaign = campaign, .occasion = occasion, .now = lnob_now_s() };
	const int *roots;
	char err[1024] = "";
	int rc = 1, r;

	s_load_conf(cpath, &c);
	if (!(hier = s_load_hier(&c)) || s_load_campaigns(&c, hier, &camps) < 0 ||
	    !(st = s_open_store(&c, false)))
		goto out;
	if (unit && (q.unit = hier_find(hier, unit)) < 0) {
		fprintf(stderr, "%s nominations: --unit '%s' is not a unit of %s\n", PROG, unit,
			c.hier_file);
		goto out;
	}
	if (!unit && !key && hier_children(hier, -1, &roots) != 1) {
		fprintf(stderr, "%s nominations: the hierarchy has several roots; name one with "
			"--unit\n", PROG);
		goto out;
	}
	if (!unit && !key)
		q.unit = roots[0];
	nx.st = st;
	nx.hier = hier;
	nx.campaigns = &camps;
	r = store_begin(st, false, &txn);
	if (r == 0)
		r = key ? nominations_one(&nx, txn, key, &view)
			: nominations_view(&nx, txn, &q, &view, err, sizeof(err));
	store_abort(&txn);
	if (r == LNOB_E_NOTFOUND && key) {
		fprintf(stderr, "%s nominations: no nomination '%s' is stored\n", PROG, key);
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "%s nominations: %s\n", PROG, err[0] ? err : lnob_strerror(r));
		goto out;
	}
	if (format == 1)
		json_dumpf(view, stdout, JSON_INDENT(2) | JSON_SORT_KEYS), fputc('\n', stdout);
	else if (format == 2 && nominations_print_csv(stdout, view) < 0)
		goto out;
	else if (format == 0 && key)
		nominations_print_one(stdout, view);
	else if (format == 0)
		nominations_print(stdout, view);
	rc = 0;
out:
	json_decref(view);
	store_destroy(&st);
	campaigns_clear(&camps);
	hier_destroy(&hier);
	conf_destroy(&c.conf);
	return rc;
}

static void s_usage(void)
{
	fprintf(stderr,
		"usage: %s keygen --id NODE --out PATH\n"
		"       %s run -c CONF [-n]\n"
		"       %s enroll -c CONF --key NODE.pub --scope UNIT [--replace]\n"
		"       %s revoke -c CONF NODE\n"
		"       %s rollup -c CONF --campaign C --period P [--unit U | --cluster K] [--json]\n"
		"       %s status -c CONF [--json]\n"
		"       %s verify -c CONF\n"
		"       %s history -c CONF --campaign C --period P --unit U [--json]\n"
		"       %s conflicts -c CONF [--json]\n",
		PROG, PROG, PROG, PROG, PROG, PROG, PROG, PROG, PROG);
	fprintf(stderr,
		"       %s nominations -c CONF --campaign C [--occasion P] [--unit U] [--json|--csv]\n"
		"       %s nominations -c CONF --nomination SIGNER/ID [--json]\n", PROG, PROG);
	fprintf(stderr,
		"       %s approve -c CONF --campaign C --period P --unit U --by NAME [--note TEXT]\n"
		"       %s unapprove -c CONF --campaign C --period P --unit U\n"
		"       %s approvals -c CONF [--json]\n"
		"       %s amendments -c CONF [--campaign C] [--period P] [--unit U] [--decided] [--json]\n"
		"       %s accept -c CONF --amendment SIGNER/SEQ --by NAME [--note TEXT]\n"
		"       %s reject -c CONF --amendment SIGNER/SEQ --by NAME --reason TEXT\n",
		PROG, PROG, PROG, PROG, PROG, PROG);
}

/* approve, unapprove, approvals, amendments, accept, reject (approval.h). */
static int s_cmd_approval(const char *cpath, const approval_args_t *a, bool write)
{
	agg_conf_t c;
	hier_t *hier = NULL;
	store_t *st = NULL;
	campaigns_t camps = { 0 };
	char err[1024] = "";
	int rc = 1, r;

	s_load_conf(cpath, &c);
	if (!(hier = s_load_hier(&c)) || s_load_campaigns(&c, hier, &camps) < 0 ||
	    !(st = s_open_store(&c, write)))
		goto out;
	r = approval_cli(st, hier, &camps, a, stdout, err, sizeof(err));
	if (r != 0)
		fprintf(stderr, "%s %s: %s\n", PROG, a->cmd, err[0] ? err : lnob_strerror(r));
	if (r == 2)
		s_usage();
	rc = r == 0 ? 0 : r == 2 ? 2 : 1;
out:
	store_destroy(&st);
	campaigns_clear(&camps);
	hier_destroy(&hier);
	conf_destroy(&c.conf);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "scope", required_argument, NULL, 's' },
		{ "replace", no_argument, NULL, 'R' },
		{ "campaign", required_argument, NULL, 'C' },
		{ "period", required_argument, NULL, 'P' },
		{ "unit", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "cluster", required_argument, NULL, 'K' },
		{ "occasion", required_argument, NULL, S_OPT_OCCASION },
		{ "csv", no_argument, NULL, S_OPT_CSV },
		{ "nomination", required_argument, NULL, S_OPT_NOMINATION },
		{ "by", required_argument, NULL, S_OPT_BY },
		{ "note", required_argument, NULL, S_OPT_NOTE },
		{ "reason", required_argument, NULL, S_OPT_REASON },
		{ "amendment", required_argument, NULL, S_OPT_AMENDMENT },
		{ "decided", no_argument, NULL, S_OPT_DECIDED },
		{ NULL, 0, NULL, 0 },
	};
	approval_args_t aa = { 0 };
	const char *cmd, *cpath = NULL, *key = NULL, *scope = NULL, *campaign = NULL,
		   *period = NULL, *unit = NULL, *cluster = NULL;
	const char *occasion = NULL, *nomination = NULL;
	bool csv = false;
	bool replace = false, json = false, check = false, write;
	int c;

	log_init(PROG, LOG_LVL_INFO);
	if (argc < 2) {
		s_usage();
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "keygen") == 0)
		return cli_keygen(PROG, argc - 1, argv + 1);
	optind = 2;
	while ((c = getopt_long(argc, argv, "c:n", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cpath = optarg; break;
		case 'n': check = true; break;
		case 'k': key = optarg; break;
		case 's': scope = optarg; break;
		case 'R': replace = true; break;
		case 'C': campaign = optarg; break;
		case 'P': period = optarg; break;
		case 'u': unit = optarg; break;
		case 'j': json = true; break;
		case 'K': cluster = optarg; break;
		case S_OPT_OCCASION: occasion = optarg; break;
		case S_OPT_CSV: csv = true; break;
		case S_OPT_NOMINATION: nomination = optarg; break;
		case S_OPT_BY: aa.by = optarg; break;
		case S_OPT_NOTE: aa.note = optarg; break;
		case S_OPT_REASON: aa.reason = optarg; break;
		case S_OPT_AMENDMENT: aa.amendment = optarg; break;
		case S_OPT_DECIDED: aa.decided = true; break;
		default: s_usage(); return 2;
		}
	}
	if (strcmp(cmd, "run") == 0 && optind == argc)
		return s_cmd_run(cpath, check);
	if (strcmp(cmd, "enroll") == 0 && key && scope && optind == argc)
		return s_cmd_enroll(cpath, key, scope, replace);
	if (strcmp(cmd, "revoke") == 0 && optind == argc - 1)
		return s_cmd_revoke(cpath, argv[optind]);
	if (strcmp(cmd, "rollup") == 0 && campaign && period && optind == argc &&
	    !(unit && cluster))
		return s_cmd_rollup(cpath, campaign, period, unit, cluster, json);
	if (strcmp(cmd, "status") == 0 && optind == argc)
		return s_cmd_status(cpath, json);
	if (strcmp(cmd, "history") == 0 && campaign && period && unit && optind == argc)
		return s_cmd_history(cpath, campaign, period, unit, json);
	if (strcmp(cmd, "conflicts") == 0 && optind == argc)
		return s_cmd_history(cpath, NULL, NULL, NULL, json);
	if (strcmp(cmd, "verify") == 0 && optind == argc)
		return s_cmd_verify(cpath);
	if (strcmp(cmd, "nominations") == 0 && optind == argc && !(json && csv) &&
	    (nomination ? !campaign && !occasion && !unit && !csv : campaign != NULL))
		return s_cmd_nominations(cpath, campaign, occasion, unit, nomination,
					 json ? 1 : csv ? 2 : 0);
	if (approval_is_cmd(cmd, &write) && optind == argc) {
		aa.cmd = cmd;
		aa.campaign = campaign;
		aa.period = period;
		aa.unit = unit;
		aa.json = json;
		return s_cmd_approval(cpath, &aa, write);
	}
	s_usage();
	return 2;
}
