/* ratelim.c: at most one log line per (peer, reason) and interval (see
 * ratelim.h). */
#include "ratelim.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

/* One (peer, reason) with an open window. */
typedef struct s_key {
	char peer[LNOB_ID_MAX + 1];
	int reason;
	int64_t start;        /* when the window opened: the logged event */
	uint64_t suppressed;  /* events of the window counted, not logged */
} s_key_t;

struct ratelim {
	int64_t interval;
	s_key_t *keys;        /* keys[0..n-1]: the open windows, in no order */
	size_t n, cap;
};

ratelim_t *ratelim_new(size_t max_keys, int64_t interval_ms)
{
	ratelim_t *self;

	assert(max_keys >= 1 && interval_ms >= 1);
	if (!(self = calloc(1, sizeof(*self))))
		return NULL;
	if (!(self->keys = calloc(max_keys, sizeof(*self->keys)))) {
		free(self);
		return NULL;
	}
	self->cap = max_keys;
	self->interval = interval_ms;
	return self;
}

void ratelim_destroy(ratelim_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	free((*self_p)->keys);
	free(*self_p);
	*self_p = NULL;
}

/* Reports key k's count through fn when it has one. */
static void s_report(const s_key_t *k, ratelim_fn fn, void *ctx)
{
	if (fn && k->suppressed > 0)
		fn(ctx, k->peer, k->reason, k->suppressed);
}

/* Forgets keys[i] (the last one takes its place). */
static void s_remove(ratelim_t *self, size_t i)
{
	assert(i < self->n);
	self->keys[i] = self->keys[--self->n];
}

/* The first LNOB_ID_MAX bytes of peer into out (truncated, never failing). */
static void s_peer_copy(char out[LNOB_ID_MAX + 1], const char *peer)
{
	size_t n = strnlen(peer, LNOB_ID_MAX);

	memcpy(out, peer, n);
	out[n] = '\0';
}

bool ratelim_hit(ratelim_t *self, const char *peer, int reason, int64_t now_ms,
		 ratelim_fn fn, void *ctx)
{
	return ratelim_hit_n(self, peer, reason, 1, now_ms, fn, ctx);
}

bool ratelim_hit_n(ratelim_t *self, const char *peer, int reason, uint64_t n, int64_t now_ms,
		   ratelim_fn fn, void *ctx)
{
	char key[LNOB_ID_MAX + 1];
	s_key_t *k = NULL;

	assert(self && n >= 1);
	s_peer_copy(key, peer ? peer : "");
	for (size_t i = 0; i < self->n; i++) {
		if (self->keys[i].reason == reason && strcmp(self->keys[i].peer, key) == 0) {
			k = &self->keys[i];
			break;
		}
	}
	if (k && now_ms - k->start < self->interval) {
		/* saturating: a count this large is said as it is */
		k->suppressed = n > UINT64_MAX - k->suppressed ? UINT64_MAX : k->suppressed + n;
		return false;
	}
	if (k) {
		s_report(k, fn, ctx);   /* its window closed: say what it hid */
	} else if (self->n == self->cap) {
		size_t oldest = 0;

		for (size_t i = 1; i < self->n; i++)
			if (self->keys[i].start < self->keys[oldest].start)
				oldest = i;
		s_report(&self->keys[oldest], fn, ctx);
		k = &self->keys[oldest];
	} else {
		k = &self->keys[self->n++];
	}
	memcpy(k->peer, key, sizeof(key));
	k->reason = reason;
	k->start = now_ms;
	k->suppressed = 0;
	return true;
}

size_t ratelim_expire(ratelim_t *self, int64_t now_ms, ratelim_fn fn, void *ctx)
{
	assert(self);
	for (size_t i = 0; i < self->n;) {
		if (now_ms - self->keys[i].start >= self->interval) {
			s_report(&self->keys[i], fn, ctx);
			s_remove(self, i);   /* keys[i] is now another key: look again */
		} else {
			i++;
		}
	}
	return self->n;
}

void ratelim_flush(ratelim_t *self, ratelim_fn fn, void *ctx)
{
	assert(self);
	for (size_t i = 0; i < self->n; i++)
		s_report(&self->keys[i], fn, ctx);
	self->n = 0;
}
