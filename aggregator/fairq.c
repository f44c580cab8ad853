/* fairq.c: per-sender lanes and round-robin batches (see fairq.h). */
#include "fairq.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One item and the bytes it counts for. */
typedef struct s_slot {
	void *item;
	size_t size;
} s_slot_t;

/* One sender's FIFO: a ring of slots[cap], len of them from head, bytes
 * the sum of their sizes. */
typedef struct s_lane {
	const void *key;
	s_slot_t *slots;
	size_t head, len, cap;
	size_t bytes;
} s_lane_t;

struct fairq {
	size_t lane_max;
	size_t lane_bytes;    /* a lane's bound in bytes */
	size_t queue_bytes;   /* all lanes' bound in bytes */
	s_lane_t **lanes;     /* lanes with work, in turn order */
	size_t nlanes, cap;
	size_t next;          /* the lane whose turn is next */
	size_t last;          /* where the last lookup found its key (a hint) */
	size_t pending;
	size_t bytes;         /* the sum of every lane's bytes */
};

fairq_t *fairq_new(size_t lane_max, size_t lane_bytes, size_t queue_bytes)
{
	fairq_t *self;

	assert(lane_max >= 1 && lane_bytes >= 1 && queue_bytes >= 1);
	if (!(self = calloc(1, sizeof(*self))))
		return NULL;
	self->lane_max = lane_max;
	self->lane_bytes = lane_bytes;
	self->queue_bytes = queue_bytes;
	return self;
}

/* Frees a lane and, with free_item, its items. */
static void s_lane_free(s_lane_t *l, fairq_free_fn free_item)
{
	for (size_t i = 0; free_item && i < l->len; i++)
		free_item(l->slots[(l->head + i) % l->cap].item);
	free(l->slots);
	free(l);
}

/* Whether size more bytes keep used within bound (used may already be
 * over it: an item larger than the bound went in alone). */
static bool s_fits(size_t used, size_t size, size_t bound)
{
	return used <= bound && size <= bound - used;
}

void fairq_destroy(fairq_t **self_p, fairq_free_fn free_item)
{
	fairq_t *self;

	if (!self_p || !*self_p)
		return;
	self = *self_p;
	for (size_t i = 0; i < self->nlanes; i++)
		s_lane_free(self->lanes[i], free_item);
	free(self->lanes);
	free(self);
	*self_p = NULL;
}

/* The index of key's lane, or nlanes when it has none. */
static size_t s_find(const fairq_t *self, const void *key)
{
	if (self->last < self->nlanes && self->lanes[self->last]->key == key)
		return self->last;   /* a sender's items tend to come in a row */
	for (size_t i = 0; i < self->nlanes; i++)
		if (self->lanes[i]->key == key)
			return i;
	return self->nlanes;
}

/* Removes lanes[i] (emptied or dropped), keeping the turn order and
 * whose turn is next. */
static void s_unlink(fairq_t *self, size_t i)
{
	assert(i < self->nlanes);
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	memmove(&self->lanes[i], &self->lanes[i + 1], (self->nlanes - i - 1) * sizeof(self->lanes[0]));
	self->nlanes--;
	if (i < self->next)
		self->next--;
	if (self->next >= self->nlanes)
		self->next = 0;
}

/* A new, empty lane for key at the end of the turn. NULL when out of
 * memory. */
static s_lane_t *s_lane_add(fairq_t *self, const void *key)
{
	s_lane_t *l;

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	if (lnob_grow(&self->lanes, self->nlanes, &self->cap, sizeof(*self->lanes), 16) < 0)
		return NULL;
	if (!(l = calloc(1, sizeof(*l))))
		return NULL;
	l->key = key;
	self->lanes[self->nlanes++] = l;
	return l;
}

/* Makes room for one more item in l (doubling up to lane_max). Returns 0
 * or -ENOMEM. */
static int s_lane_grow(const fairq_t *self, s_lane_t *l)
{
	size_t cap;
	s_slot_t *ns;

	if (l->len < l->cap)
		return 0;
	cap = l->cap ? l->cap * 2 : 8;
	if (cap > self->lane_max)
		cap = self->lane_max;
	assert(cap > l->len);
	if (!(ns = malloc(cap * sizeof(*ns))))
		return -ENOMEM;
	for (size_t i = 0; l->cap > 0 && i < l->len; i++)   /* unwrap the ring */
		ns[i] = l->slots[(l->head + i) % l->cap];
	free(l->slots);
	l->slots = ns;
	l->head = 0;
	l->cap = cap;
	return 0;
}

int fairq_push(fairq_t *self, const void *key, void *item, size_t size)
{
	size_t i;
	s_lane_t *l = NULL;
	bool fresh = false;

	assert(self);
	i = s_find(self, key);
	if (i < self->nlanes) {
		l = self->lanes[i];
		if (l->len >= self->lane_max || !s_fits(l->bytes, size, self->lane_bytes))
			return -ENOBUFS;
	}
	if (self->pending > 0 && !s_fits(self->bytes, size, self->queue_bytes))
		return -ENOSPC;
	if (!l) {
		if (!(l = s_lane_add(self, key)))
			return -ENOMEM;
		i = self->nlanes - 1;
		fresh = true;
	}
	if (s_lane_grow(self, l) < 0) {
		if (fresh) {
			s_unlink(self, i);
			s_lane_free(l, NULL);
		}
		return -ENOMEM;
	}
	l->slots[(l->head + l->len) % l->cap] = (s_slot_t){ item, size };
	l->len++;
	l->bytes += size;   /* no overflow: within lane_bytes, or alone in the lane */
	self->pending++;
	self->bytes += size;
	self->last = i;
	return 0;
}

size_t fairq_pending(const fairq_t *self)
{
	assert(self);
	return self->pending;
}

size_t fairq_bytes(const fairq_t *self)
{
	assert(self);
	return self->bytes;
}

size_t fairq_lane_len(const fairq_t *self, const void *key)
{
	size_t i;

	assert(self);
	i = s_find(self, key);
	return i < self->nlanes ? self->lanes[i]->len : 0;
}

size_t fairq_lane_bytes(const fairq_t *self, const void *key)
{
	size_t i;

	assert(self);
	i = s_find(self, key);
	return i < self->nlanes ? self->lanes[i]->bytes : 0;
}

size_t fairq_take(fairq_t *self, size_t max, void **ret_items, const void **ret_keys)
{
	return fairq_take_bytes(self, max, SIZE_MAX, ret_items, ret_keys);
}

size_t fairq_take_bytes(fairq_t *self, size_t max, size_t max_bytes, void **ret_items,
			const void **ret_keys)
{
	size_t taken = 0, bytes = 0;

	assert(self && (max == 0 || ret_items));
	while (taken < max && self->nlanes > 0) {
		s_lane_t *l;
		s_slot_t slot;

		if (self->next >= self->nlanes)
			self->next = 0;
		l = self->lanes[self->next];
		assert(l->len > 0);
		slot = l->slots[l->head];
		if (taken > 0 && !s_fits(bytes, slot.size, max_bytes))
			break;   /* this lane's turn is first in the next call */
		ret_items[taken] = slot.item;
		if (ret_keys)
			ret_keys[taken] = l->key;
		taken++;
		bytes += slot.size;   /* no overflow: within max_bytes, or the first */
		l->head = (l->head + 1) % l->cap;
		l->len--;
		l->bytes -= slot.size;
		self->pending--;
		self->bytes -= slot.size;
		if (l->len == 0) {
			s_unlink(self, self->next);   /* next is now the lane after it */
			s_lane_free(l, NULL);
		} else {
			self->next++;
		}
	}
	return taken;
}

size_t fairq_drop(fairq_t *self, const void *key, fairq_free_fn free_item)
{
	size_t i, n;
	s_lane_t *l;

	assert(self);
	i = s_find(self, key);
	if (i == self->nlanes)
		return 0;
	l = self->lanes[i];
	n = l->len;
	s_unlink(self, i);
	self->pending -= n;
	self->bytes -= l->bytes;
	s_lane_free(l, free_item);
	return n;
}
