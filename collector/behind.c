/* behind.c: the nodes behind a relay, for its heartbeats upstream (see
 * behind.h). */
#include "behind.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One node behind the relay. */
typedef struct s_entry {
	char node_id[LNOB_ID_MAX + 1];
	char via[LNOB_ID_MAX + 1];      /* "" for the relay's own downstream nodes */
	int64_t last_seen_ms;
	bool has_health;
	uint64_t queued, parked, next_seq;
	int64_t oldest_queued_at;
	int64_t noted_at;               /* monotonic ms it was last noted (indirect) */
} s_entry_t;

struct behind {
	s_entry_t indirect[BEHIND_INDIRECT_MAX];
	size_t nind;
	s_entry_t *all;                 /* behind_fill()'s snapshot */
	size_t nall, cap;
	size_t rot;                     /* where the next rotation starts */
	Lnob__NodeHealth nh[BEHIND_PER_HEARTBEAT];
	Lnob__Health h[BEHIND_PER_HEARTBEAT];
	Lnob__NodeHealth *ptr[BEHIND_PER_HEARTBEAT];
};

behind_t *behind_new(void)
{
	return calloc(1, sizeof(behind_t));
}

void behind_destroy(behind_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	free((*self_p)->all);
	free(*self_p);
	*self_p = NULL;
}

/* The indirect entry of node_id: the one there, a free one, or the one
 * noted longest ago. */
static s_entry_t *s_slot(behind_t *self, const char *node_id)
{
	size_t old = 0;

	for (size_t i = 0; i < self->nind; i++) {
		if (strcmp(self->indirect[i].node_id, node_id) == 0)
			return &self->indirect[i];
		if (self->indirect[i].noted_at < self->indirect[old].noted_at)
			old = i;
	}
	if (self->nind < BEHIND_INDIRECT_MAX)
		return &self->indirect[self->nind++];
	return &self->indirect[old];
}

void behind_note(behind_t *self, const char *from, const Lnob__Heartbeat *hb)
{
	assert(self && from && hb);
	for (size_t i = 0; i < hb->n_downstream && i < BEHIND_NOTE_MAX; i++) {
		const Lnob__NodeHealth *nh = hb->downstream[i];
		const char *via = nh->via && nh->via[0] ? nh->via : from;
		s_entry_t *e;

		if (!nh->node_id || !lnob_valid_id(nh->node_id) || !lnob_valid_id(via) ||
		    strcmp(nh->node_id, from) == 0)
			continue;
		e = s_slot(self, nh->node_id);
		memset(e, 0, sizeof(*e));
		lnob_strlcpy(e->node_id, nh->node_id, sizeof(e->node_id));
		lnob_strlcpy(e->via, via, sizeof(e->via));
		e->last_seen_ms = nh->last_seen_ms;
		e->noted_at = lnob_mono_ms();
		if (nh->health) {
			e->has_health = true;
			e->queued = nh->health->queued;
			e->parked = nh->health->parked;
			e->next_seq = nh->health->next_seq;
			e->oldest_queued_at = nh->health->oldest_queued_at;
		}
	}
}

/* Appends e to the snapshot. Returns 0 or -ENOMEM. */
static int s_push(behind_t *self, const s_entry_t *e)
{
	int r = lnob_grow(&self->all, self->nall, &self->cap, sizeof(*self->all), 64);

	if (r == 0)
		self->all[self->nall++] = *e;
	return r;
}

/* outbox_node_fn: a seen, unrevoked downstream node joins the snapshot. */
static int s_add_direct(void *ctx, const outbox_node_t *n)
{
	s_entry_t e;

	if (n->revoked || n->last_seen_ms <= 0)
		return 0;
	memset(&e, 0, sizeof(e));
	lnob_strlcpy(e.node_id, n->pub.node_id, sizeof(e.node_id));
	e.last_seen_ms = n->last_seen_ms;
	e.has_health = n->has_health;
	e.queued = n->queued;
	e.parked = n->parked;
	e.next_seq = n->next_seq;
	e.oldest_queued_at = n->oldest_queued_at_ms;
	return s_push(ctx, &e) < 0 ? -1 : 0;
}

/* The k-th NodeHealth of the heartbeat, from e. */
static Lnob__NodeHealth *s_node_health(behind_t *self, size_t k, s_entry_t *e)
{
	Lnob__NodeHealth *nh = &self->nh[k];

	lnob__node_health__init(nh);
	nh->node_id = e->node_id;
	nh->via = e->via;
	nh->last_seen_ms = e->last_seen_ms;
	if (e->has_health) {
		lnob__health__init(&self->h[k]);
		self->h[k].queued = e->queued;
		self->h[k].parked = e->parked;
		self->h[k].next_seq = e->next_seq;
		self->h[k].oldest_queued_at = e->oldest_queued_at;
		nh->health = &self->h[k];
	}
	return nh;
}

size_t behind_fill(behind_t *self, outbox_t *ob, Lnob__Heartbeat *hb, size_t max_bytes)
{
	size_t start, k, bytes = 0;

	assert(self && ob && hb);
	hb->n_downstream = 0;
	hb->downstream = NULL;
	self->nall = 0;
	if (outbox_downstream_foreach(ob, s_add_direct, self) != 0)
		return 0;
	for (size_t i = 0; i < self->nind; i++)
		if (s_push(self, &self->indirect[i]) < 0)
			return 0;
	if (self->nall == 0)
		return 0;
	start = self->rot % self->nall;
	for (k = 0; k < BEHIND_PER_HEARTBEAT && k < self->nall; k++) {
		Lnob__NodeHealth *nh = s_node_health(self, k, &self->all[(start + k) % self->nall]);
		/* the entry's tag, its length (at most 2 bytes here) and itself */
		size_t len = 3 + lnob__node_health__get_packed_size(nh);

		if (bytes + len > max_bytes)
			break;
		bytes += len;
		self->ptr[k] = nh;
	}
	self->rot = start + k;
	hb->n_downstream = k;
	hb->downstream = k ? self->ptr : NULL;
	return k;
}

const char *behind_via(const behind_t *self, const char *node_id)
{
	for (size_t i = 0; self && node_id && i < self->nind; i++)
		if (strcmp(self->indirect[i].node_id, node_id) == 0)
			return self->indirect[i].via;
	return NULL;
}
