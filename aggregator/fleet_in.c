/* fleet_in.c: relays' reports of the nodes behind them, judged and
 * persisted at the server's state flush (see fleet_in.h). */
#include "fleet_in.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aggstore.h"
#include "lnob_err.h"
#include "log.h"
#include "util.h"

typedef struct s_entry {
	char sender[LNOB_ID_MAX + 1];
	char node_id[LNOB_ID_MAX + 1];
	char via[LNOB_ID_MAX + 1];
	int64_t last_seen_ms;
	bool has_health;
	Lnob__Health health;            /* scalar fields only */
} s_entry_t;

typedef struct s_pair {
	char sender[LNOB_ID_MAX + 1];
	char node_id[LNOB_ID_MAX + 1];
} s_pair_t;

struct fleet_in {
	s_entry_t *v;
	size_t n, cap;
	uint64_t dropped;
	s_pair_t logged[FLEET_IN_LOGGED];
	size_t nlogged;
};

fleet_in_t *fleet_in_new(void)
{
	return calloc(1, sizeof(fleet_in_t));
}

void fleet_in_destroy(fleet_in_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	free((*self_p)->v);
	free(*self_p);
	*self_p = NULL;
}

size_t fleet_in_pending(const fleet_in_t *self)
{
	return self->n + (self->dropped ? 1 : 0);
}

void fleet_in_clear(fleet_in_t *self)
{
	self->n = 0;
	self->dropped = 0;
}

/* The pending entry of node_id, a new one, or NULL (full, or out of
 * memory: dropped and counted). */
static s_entry_t *s_slot(fleet_in_t *self, const char *node_id)
{
	for (size_t i = 0; i < self->n; i++)
		if (strcmp(self->v[i].node_id, node_id) == 0)
			return &self->v[i];
	if (self->n >= FLEET_IN_MAX ||
	    lnob_grow(&self->v, self->n, &self->cap, sizeof(*self->v), 64) < 0) {
		self->dropped++;
		return NULL;
	}
	return &self->v[self->n++];
}

void fleet_in_note(fleet_in_t *self, const char *sender, const Lnob__Heartbeat *hb)
{
	assert(self && sender && hb);
	if (hb->n_downstream > FLEET_IN_PER_HEARTBEAT)
		self->dropped += hb->n_downstream - FLEET_IN_PER_HEARTBEAT;
	for (size_t i = 0; i < hb->n_downstream && i < FLEET_IN_PER_HEARTBEAT; i++) {
		const Lnob__NodeHealth *nh = hb->downstream[i];
		const char *via = nh->via && nh->via[0] ? nh->via : sender;
		s_entry_t *e;

		if (!nh->node_id || !lnob_valid_id(nh->node_id) || !lnob_valid_id(via)) {
			self->dropped++;
			continue;
		}
		if (!(e = s_slot(self, nh->node_id)))
			continue;
		memset(e, 0, sizeof(*e));
		lnob_strlcpy(e->sender, sender, sizeof(e->sender));
		lnob_strlcpy(e->node_id, nh->node_id, sizeof(e->node_id));
		lnob_strlcpy(e->via, via, sizeof(e->via));
		e->last_seen_ms = nh->last_seen_ms;
		if (nh->health) {
			e->has_health = true;
			lnob__health__init(&e->health);
			e->health.queued = nh->health->queued;
			e->health.parked = nh->health->parked;
			e->health.oldest_queued_at = nh->health->oldest_queued_at;
			e->health.next_seq = nh->health->next_seq;
		}
	}
}

/* Logs an ignored entry, once per (sender, node) while there is room. */
static void s_log_ignored(fleet_in_t *self, const s_entry_t *e, const char *why)
{
	for (size_t i = 0; i < self->nlogged; i++)
		if (strcmp(self->logged[i].sender, e->sender) == 0 &&
		    strcmp(self->logged[i].node_id, e->node_id) == 0)
			return;
	if (self->nlogged == FLEET_IN_LOGGED)
		return;
	lnob_strlcpy(self->logged[self->nlogged].sender, e->sender, LNOB_ID_MAX + 1);
	lnob_strlcpy(self->logged[self->nlogged].node_id, e->node_id, LNOB_ID_MAX + 1);
	if (++self->nlogged == FLEET_IN_LOGGED)
		log_warnx("fleet: %d ignored (relay, node) pairs logged; further ones are only "
			  "counted (downstream_ignored)", FLEET_IN_LOGGED);
	log_warnx("fleet: ignoring what %s reports of node %s: %s (counted under "
		  "downstream_ignored; said once)", e->sender, e->node_id, why);
}

/* The hierarchy index of node id's enrolled scope into *ret_at and whether
 * it is revoked. Returns 0, LNOB_E_NOTFOUND (not enrolled, or its scope
 * not in the hierarchy) or a store error. */
static int s_scope(store_t *st, MDB_txn *txn, const hier_t *hier, const char *id, int *ret_at,
		   bool *ret_revoked)
{
	Lnob__NodeRecord *rec = NULL;
	int r = agg_node_get(st, txn, id, &rec);

	if (r < 0)
		return r;
	*ret_at = hier_find(hier, rec->scope);
	*ret_revoked = rec->revoked;
	lnob__node_record__free_unpacked(rec, NULL);
	return *ret_at < 0 ? LNOB_E_NOTFOUND : 0;
}

/* Why sender may not report e (THE RULE), NULL when it may; *ret_r gets a
 * store error (then the result is meaningless). */
static const char *s_refusal(store_t *st, MDB_txn *txn, const hier_t *hier, const s_entry_t *e,
			     int *ret_r)
{
	int rs, rn, at_s = -1, at_n = -1;
	bool rev_s = false, rev_n = false;

	*ret_r = 0;
	if (strcmp(e->sender, e->node_id) == 0)
		return "a node cannot report itself as behind itself";
	rs = s_scope(st, txn, hier, e->sender, &at_s, &rev_s);
	rn = s_scope(st, txn, hier, e->node_id, &at_n, &rev_n);
	if ((rs < 0 && rs != LNOB_E_NOTFOUND) || (rn < 0 && rn != LNOB_E_NOTFOUND)) {
		*ret_r = rs < 0 && rs != LNOB_E_NOTFOUND ? rs : rn;
		return NULL;
	}
	if (rs < 0)
		return "the sender has no enrolled scope in the hierarchy";
	if (rn < 0)
		return "the node is not enrolled here (or its scope is not in the hierarchy)";
	if (rev_n)
		return "the node is revoked";
	if (!hier_in_subtree(hier, at_s, at_n))
		return "the node's enrolled scope is not in the sender's subtree";
	return NULL;
}

/* Writes e as its node's record unless a direct contact as recent stands.
 * Returns 0 or a store error. */
static int s_take(store_t *st, MDB_txn *txn, const s_entry_t *e)
{
	Lnob__PeerRecord rec = LNOB__PEER_RECORD__INIT, *old = NULL;
	int r = agg_peer_get(st, txn, e->node_id, &old);

	if (r < 0 && r != LNOB_E_NOTFOUND && r != LNOB_E_CORRUPT)
		return r;
	if (r == 0) {
		bool direct = !old->via || !old->via[0];
		bool stands = direct && old->last_seen_ms >= e->last_seen_ms;

		lnob__peer_record__free_unpacked(old, NULL);
		if (stands)
			return 0;
	}
	rec.node_id = (char *)e->node_id;
	rec.last_seen_ms = e->last_seen_ms;
	rec.health = e->has_health ? (Lnob__Health *)&e->health : NULL;
	rec.via = (char *)e->via;
	return agg_peer_put(st, txn, &rec);
}

int fleet_in_apply(fleet_in_t *self, store_t *st, MDB_txn *txn, const hier_t *hier,
		   uint64_t *ret_ignored)
{
	uint64_t ignored = self->dropped;

	assert(self && st && txn && hier && ret_ignored);
	for (size_t i = 0; i < self->n; i++) {
		const s_entry_t *e = &self->v[i];
		int r;
		const char *why = s_refusal(st, txn, hier, e, &r);

		if (r < 0)
			return r;
		if (why) {
			ignored++;
			s_log_ignored(self, e, why);
			continue;
		}
		if ((r = s_take(st, txn, e)) < 0)
			return r;
	}
	*ret_ignored = ignored;
	return 0;
}
