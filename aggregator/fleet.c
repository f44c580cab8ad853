/* fleet.c: the fleet view (see fleet.h). */
#include "fleet.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "aggstore.h"
#include "lnob_err.h"

int64_t fleet_down_ms(void)
{
	const char *v = getenv(FLEET_DOWN_ENV);
	char *end;
	long long n;

	if (!v || !*v)
		return FLEET_DOWN_MS;
	errno = 0;
	n = strtoll(v, &end, 10);
	return errno || *end || n <= 0 ? FLEET_DOWN_MS : (int64_t)n;
}

/* What the walk over the enrolled nodes builds. */
typedef struct s_walk {
	store_t *st;
	MDB_txn *txn;
	const hier_t *hier;
	int root;
	const char *self;              /* left out (NULL: none) */
	int64_t now, down;
	json_t *nodes, *relays, *units, *links_down;
	uint64_t up, ndown, never, queued, parked;
	int r;                         /* a store error */
} s_walk_t;

/* The unit of the view's groups node scope at belongs to: its ancestor
 * one level below the root (itself when it is the root), or -1. */
static int s_group(const s_walk_t *w, int at)
{
	unsigned depth = w->root >= 0 ? hier_unit(w->hier, w->root)->depth + 1 : 1;

	if (at < 0)
		return -1;
	while (hier_unit(w->hier, at)->depth > depth)
		at = hier_unit(w->hier, at)->parent;
	return at;
}

/* The entry of key's value `field` in the array arr of objects, made (with
 * init's fields) when absent. Borrowed. */
static json_t *s_entry(json_t *arr, const char *field, const char *key, json_t *init)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
		if (strcmp(json_string_value(json_object_get(e, field)), key) == 0) {
			json_decref(init);
			return e;
		}
	json_object_set_new(init, field, json_string(key));
	json_array_append_new(arr, init);
	return init;
}

/* Adds n to the integer member key of o. */
static void s_add(json_t *o, const char *key, json_int_t n)
{
	json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + n));
}

/* Counts node row in the summary, its relay's group and its unit's. */
static void s_count(s_walk_t *w, const json_t *row, int at)
{
	const char *id = json_string_value(json_object_get(row, "id"));
	const char *link = json_string_value(json_object_get(row, "link"));
	const char *via = json_string_value(json_object_get(row, "via"));
	json_int_t q = json_integer_value(json_object_get(row, "queued"));
	bool down = strcmp(link, "down") == 0;
	int g = s_group(w, at);

	*(strcmp(link, "up") == 0 ? &w->up : down ? &w->ndown : &w->never) += 1;
	if (down)
		json_array_append_new(w->links_down, json_string(id));
	w->queued += (uint64_t)q;
	w->parked += (uint64_t)json_integer_value(json_object_get(row, "parked"));
	if (via) {
		json_t *r = s_entry(w->relays, "id", via, json_pack("{s:[], s:[], s:I}", "nodes",
								    "down", "queued", (json_int_t)0));

		json_array_append_new(json_object_get(r, "nodes"), json_string(id));
		if (down)
			json_array_append_new(json_object_get(r, "down"), json_string(id));
		s_add(r, "queued", q);
	}
	if (g >= 0) {
		const hier_unit_t *u = hier_unit(w->hier, g);
		json_t *e = s_entry(w->units, "code", u->code, json_pack("{s:s, s:I, s:I, s:I}",
				    "name", u->name, "nodes", (json_int_t)0, "down", (json_int_t)0,
				    "queued", (json_int_t)0));

		s_add(e, "nodes", 1);
		s_add(e, "down", down);
		s_add(e, "queued", q);
	}
}

/* The link state of a contact at last_ms (0: none). */
static const char *s_link(const s_walk_t *w, int64_t last_ms)
{
	if (last_ms <= 0)
		return "never";
	return w->now - last_ms > w->down ? "down" : "up";
}

/* The row of node n and its peer record p (may be NULL). */
static json_t *s_row(const s_walk_t *w, const keydir_node_t *n, int at,
		     const Lnob__PeerRecord *p)
{
	int64_t last = p ? p->last_seen_ms : 0;
	const Lnob__Health *h = p ? p->health : NULL;
	int64_t oldest = h ? h->oldest_queued_at : 0;
	bool via = p && p->via && p->via[0];

	return json_pack("{s:s, s:s, s:o, s:b, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"id", n->pub.node_id, "scope", n->scope,
		"scope_name", at >= 0 ? json_string(hier_unit(w->hier, at)->name) : json_null(),
		"revoked", n->revoked, "link", s_link(w, last),
		"last_contact_ms", last > 0 ? json_integer(last) : json_null(),
		"age_ms", last > 0 ? json_integer(w->now - last) : json_null(),
		"via", via ? json_string(p->via) : json_null(),
		"queued", h ? json_integer((json_int_t)h->queued) : json_null(),
		"parked", h ? json_integer((json_int_t)h->parked) : json_null(),
		"oldest_unsent_ms", oldest > 0 ? json_integer(oldest) : json_null(),
		"oldest_unsent_age_ms", oldest > 0 ? json_integer(w->now - oldest) : json_null(),
		"next_seq", h ? json_integer((json_int_t)h->next_seq) : json_null());
}

/* keydir_fn: one enrolled node, when its scope is in the view's subtree. */
static int s_node(void *ctx, const keydir_node_t *n)
{
	s_walk_t *w = ctx;
	int at = hier_find(w->hier, n->scope);
	Lnob__PeerRecord *p = NULL;
	json_t *row;
	int r;

	if (w->root >= 0 && (at < 0 || !hier_in_subtree(w->hier, w->root, at)))
		return 0;
	if (w->self && strcmp(n->pub.node_id, w->self) == 0)
		return 0;
	r = agg_peer_get(w->st, w->txn, n->pub.node_id, &p);
	if (r < 0 && r != LNOB_E_NOTFOUND && r != LNOB_E_CORRUPT) {
		w->r = r;
		return r;
	}
	row = s_row(w, n, at, r == 0 ? p : NULL);
	if (p)
		lnob__peer_record__free_unpacked(p, NULL);
	if (!row) {
		w->r = -ENOMEM;
		return -ENOMEM;
	}
	s_count(w, row, at);
	json_array_append_new(w->nodes, row);
	return 0;
}

/* Each relay's own link, from its row (null when it is not in the view). */
static void s_relay_links(s_walk_t *w)
{
	size_t i, j;
	json_t *r, *n;

	json_array_foreach(w->relays, i, r) {
		json_t *link = json_null();

		json_array_foreach(w->nodes, j, n)
			if (json_equal(json_object_get(n, "id"), json_object_get(r, "id")))
				link = json_incref(json_object_get(n, "link"));
		json_object_set_new(r, "link", link);
	}
}

/* The rejected counters by reason, and their total. */
static json_t *s_rejected(const uint64_t c[AGG_C_COUNT], json_int_t *ret_total)
{
	json_t *o = json_object();

	*ret_total = 0;
	for (int r = 1; AGG_C_REJECTED_BASE + r <= AGG_C_REJECTED_LAST; r++) {
		json_object_set_new(o, admit_reason_name(r),
				    json_integer((json_int_t)c[AGG_C_REJECTED_BASE + r]));
		*ret_total += (json_int_t)c[AGG_C_REJECTED_BASE + r];
	}
	return o;
}

/* The document around the walk's parts (taken). */
static json_t *s_doc(s_walk_t *w, const uint64_t c[AGG_C_COUNT])
{
	const hier_unit_t *u = w->root >= 0 ? hier_unit(w->hier, w->root) : NULL;
	json_int_t total;
	json_t *rej = s_rejected(c, &total);

	s_relay_links(w);
	return json_pack("{s:I, s:I, s:I, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:o, s:I, s:I}, "
			 "s:o, s:o, s:o, s:I, s:I}",
		"generated_at", (json_int_t)(w->now / 1000), "now_ms", (json_int_t)w->now,
		"down_after_ms", (json_int_t)w->down,
		"unit", u ? json_pack("{s:s, s:s, s:s}", "code", u->code, "name", u->name,
				      "level", u->level) : json_null(),
		"nodes", w->nodes,
		"summary", "nodes", (json_int_t)json_array_size(w->nodes), "up", (json_int_t)w->up,
		"down", (json_int_t)w->ndown, "never", (json_int_t)w->never,
		"links_down", w->links_down, "queued", (json_int_t)w->queued,
		"parked", (json_int_t)w->parked,
		"relays", w->relays, "units", w->units, "rejected", rej,
		"rejected_total", total,
		"downstream_ignored", (json_int_t)c[AGG_C_DOWNSTREAM_IGNORED]);
}

int fleet_view(store_t *st, MDB_txn *txn, const hier_t *hier, int root, const char *self,
	       int64_t now_ms, json_t **ret, char *err, size_t errlen)
{
	s_walk_t w = { .st = st, .txn = txn, .hier = hier, .root = root, .self = self, .now = now_ms,
		       .down = fleet_down_ms(), .nodes = json_array(), .relays = json_array(),
		       .units = json_array(), .links_down = json_array() };
	uint64_t c[AGG_C_COUNT];
	json_t *doc = NULL;
	int r = agg_counters_load(st, txn, c);

	if (r == 0 && (!w.nodes || !w.relays || !w.units || !w.links_down))
		r = -ENOMEM;
	if (r == 0 && (r = agg_node_foreach(st, txn, s_node, &w)) == 0 && w.r < 0)
		r = w.r;
	if (r == 0) {
		/* json_pack's "o" takes the parts, also when it fails */
		if ((doc = s_doc(&w, c))) {
			*ret = doc;
			return 0;
		}
		r = -ENOMEM;
	} else {
		json_decref(w.nodes);
		json_decref(w.relays);
		json_decref(w.units);
		json_decref(w.links_down);
	}
	snprintf(err, errlen, "fleet: %s", lnob_strerror(r));
	return r;
}
