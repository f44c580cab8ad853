/* status.c: the status document (see status.h). */
#include "status.h"

#include <errno.h>

/* agg_node_foreach() context: the store, its transaction, the nodes array. */
typedef struct s_nodes {
	store_t *st;
	MDB_txn *txn;
	json_t *arr;
} s_nodes_t;

/* A node's retired key pairs (keydir.h), newest first, as JSON. */
static json_t *s_retired(const keydir_node_t *n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n->nretired; i++)
		json_array_append_new(arr, json_pack("{s:I, s:I}",
			"retired_at", (json_int_t)n->retired[i].retired_at,
			"until", (json_int_t)n->retired[i].until));
	return arr;
}

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
	json_array_append_new(w->arr, json_pack("{s:s, s:s, s:b, s:o, s:o, s:o}", "id", id,
						"scope", n->scope, "revoked", n->revoked,
						"last_seen_ms", seen, "health", health,
						"retired_keys", s_retired(n)));
	return 0;
}

int status_view(store_t *st, MDB_txn *txn, json_t **ret)
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

