/* fairq.c: per-sender lanes and round-robin batches (see fairq.h). */
#include "fairq.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One sender's FIFO: a ring of items[cap], len of them from head. */
typedef struct s_lane {
	const void *key;
	void **items;
	size_t head, len, cap;
} s_lane_t;

struct fairq {
	size_t lane_max;
	s_lane_t **lanes;     /* lanes with work, in turn order */
	size_t nlanes, cap;
	size_t next;          /* the lane whose turn is next */
	size_t last;          /* where the last lookup found its key (a hint) */
	size_t pending;
};

fairq_t *fairq_new(size_t lane_max)
{
	fairq_t *self;

	assert(lane_max >= 1);
	if (!(self = calloc(1, sizeof(*self))))
		return NULL;
	self->lane_max = lane_max;
	return self;
}

/* Frees a lane and, with free_item, its items. */
static void s_lane_free(s_lane_t *l, fairq_free_fn free_item)
{
	for (size_t i = 0; free_item && i < l->len; i++)
		free_item(l->items[(l->head + i) % l->cap]);
	free(l->items);
	free(l);
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
	void **ni;

	if (l->len < l->cap)
		return 0;
	cap = l->cap ? l->cap * 2 : 8;
	if (cap > self->lane_max)
		cap = self->lane_max;
	assert(cap > l->len);
	if (!(ni = malloc(cap * sizeof(*ni))))
		return -ENOMEM;
	for (size_t i = 0; l->cap > 0 && i < l->len; i++)   /* unwrap the ring */
		ni[i] = l->items[(l->head + i) % l->cap];
	free(l->items);
	l->items = ni;
	l->head = 0;
	l->cap = cap;
	return 0;
}

int fairq_push(fairq_t *self, const void *key, void *item)
{
	size_t i;
	s_lane_t *l;
	bool fresh = false;

	assert(self);
	i = s_find(self, key);
	if (i < self->nlanes) {
		l = self->lanes[i];
		if (l->len >= self->lane_max)
			return -ENOBUFS;
	} else {
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
	l->items[(l->head + l->len) % l->cap] = item;
	l->len++;
	self->pending++;
	self->last = i;
	return 0;
}

size_t fairq_pending(const fairq_t *self)
{
	assert(self);
	return self->pending;
}

size_t fairq_lane_len(const fairq_t *self, const void *key)
{
	size_t i;

	assert(self);
	i = s_find(self, key);
	return i < self->nlanes ? self->lanes[i]->len : 0;
}

size_t fairq_take(fairq_t *self, size_t max, void **ret_items, const void **ret_keys)
{
	size_t taken = 0;

	assert(self && (max == 0 || ret_items));
	while (taken < max && self->nlanes > 0) {
		s_lane_t *l;

		if (self->next >= self->nlanes)
			self->next = 0;
		l = self->lanes[self->next];
		assert(l->len > 0);
		ret_items[taken] = l->items[l->head];
		if (ret_keys)
			ret_keys[taken] = l->key;
		taken++;
		l->head = (l->head + 1) % l->cap;
		l->len--;
		self->pending--;
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
	s_lane_free(l, free_item);
	return n;
}
