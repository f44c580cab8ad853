/*
 * cmd_status.c: `lnob-aggregator status -c CONF [--json]` (README
 * "Reading the rollups"): the store's totals, every counter, and each
 * enrolled node with what its last heartbeat said, read beside the
 * running daemon.
 */
#include "cmd_aggregator.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "aggstore.h"
#include "fault.h"
#include "lnob_err.h"
#include "render.h"
#include "util.h"

/* agg_node_foreach() context: the store, its transaction, the nodes array. */
typedef struct s_nodes {
	store_t *st;
	MDB_txn *txn;
	json_t *arr;
} s_nodes_t;

/* One enrolled node with its last health (PeerRecord) as JSON. */
static int s_node_one(void *ctx, const keydir_node_t *n)
{
	s_nodes_t *w = ctx;
	const char *id = n->pub.node_id;
	Lnob__PeerRecord *peer;
	json_t *health = json_null(), *seen = json_null();

	if (agg_peer_get(w->st, w->txn, id, &peer) == 0) {
		seen = json_integer(peer->last_seen_ms);
		if (peer->health)
			health = json_pack("{s:I, s:I, s:I, s:I}",
					   "queued", (json_int_t)peer->health->queued,
					   "parked", (json_int_t)peer->health->parked,
					   "oldest_queued_at_ms", (json_int_t)peer->health->oldest_queued_at,
					   "next_seq", (json_int_t)peer->health->next_seq);
		lnob__peer_record__free_unpacked(peer, NULL);
	}
	json_array_append_new(w->arr, json_pack("{s:s, s:s, s:b, s:o, s:o}", "id", id,
						"scope", n->scope, "revoked", n->revoked,
						"last_seen_ms", seen, "health", health));
	return 0;
}

/* The status document: counts and counters, enrolled nodes with their
 * last health. Caller owns *ret. */
static int s_status_json(store_t *st, MDB_txn *txn, json_t **ret)
{
	s_nodes_t w = { .st = st, .txn = txn, .arr = json_array() };
	uint64_t cnt[AGG_C_COUNT];
	agg_totals_t t;
	json_t *counters = json_object();
	int r;

	r = agg_counters_load(st, txn, cnt);
	if (r == 0)
		r = agg_totals(st, txn, &t);
	if (r == 0)
		r = agg_node_foreach(st, txn, s_node_one, &w);
	if (r < 0) {
		json_decref(counters);
		json_decref(w.arr);
		return r;
	}
	for (int i = 0; i < AGG_C_COUNT; i++)
		json_object_set_new(counters, agg_counter_name(i), json_integer((json_int_t)cnt[i]));
	*ret = json_pack("{s:I, s:I, s:I, s:o, s:o}", "envelopes", (json_int_t)t.envelopes,
			 "reports", (json_int_t)t.reports, "quarantined", (json_int_t)t.quarantined,
			 "counters", counters, "nodes", w.arr);
	return *ret ? 0 : -ENOMEM;
}

/* One node of the table. */
static void s_print_node(const json_t *node)
{
	json_t *h = json_object_get(node, "health");
	long long seen = (long long)json_integer_value(json_object_get(node, "last_seen_ms"));
	char queued[24], ago[48];

	if (h)
		snprintf(queued, sizeof(queued), "%lld",
			 (long long)json_integer_value(json_object_get(h, "queued")));
	else
		snprintf(queued, sizeof(queued), "-");
	if (seen > 0)
		snprintf(ago, sizeof(ago), "%.1f s ago", (double)(lnob_now_ms() - seen) / 1000.0);
	else
		snprintf(ago, sizeof(ago), "never");
	printf("  %-20s %-12s %-8s %-10s %s\n", json_string_value(json_object_get(node, "id")),
	       json_string_value(json_object_get(node, "scope")),
	       json_is_true(json_object_get(node, "revoked")) ? "yes" : "no", queued, ago);
}

/* The status document as a table. */
static void s_print_table(const json_t *s)
{
	const char *key;
	json_t *val, *node;
	size_t i;

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
	json_array_foreach(json_object_get(s, "nodes"), i, node)
		s_print_node(node);
}

int cmd_status(cli_ctx_t *ctx)
{
	MDB_txn *txn = NULL;
	json_t *s = NULL;
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, false, &txn)) == 0) {
		/* A reader killed here leaves a stale reader slot (tests). */
		fault_point("agg.status_in_txn");
		r = s_status_json(ctx->store, txn, &s);
	}
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "status: %s", lnob_strerror(r));
	if (ctx->format == CLI_JSON)
		rc = render_json(stdout, s, 0) < 0;
	else
		s_print_table(s);
	json_decref(s);
	return rc;
}
