/*
 * behind.h: what a relay knows of the nodes behind it, for the heartbeats
 * its uplink sends upstream (proto/lnob.proto: Heartbeat.downstream,
 * NodeHealth). Two sources:
 *  - its own downstream nodes, as the relay persisted their last contact
 *    and health in the outbox ("downstream_seen", outbox.h): every
 *    enrolled, unrevoked node it has seen;
 *  - the nodes its downstream relays reported in their own heartbeats (a
 *    chain of relays), kept in memory only (a restart forgets them until
 *    those relays speak again), at most BEHIND_INDIRECT_MAX; when full the
 *    entry heard of longest ago is replaced. Each names the relay it is
 *    directly behind (its NodeHealth.via, else the relay that reported it).
 *
 * behind_fill() puts at most BEHIND_PER_HEARTBEAT of them into one
 * heartbeat, within a byte budget, rotating through them when there are
 * more, so every node is said within ceil(n / BEHIND_PER_HEARTBEAT)
 * heartbeats.
 *
 * Library module: returns codes, never logs. Used by relay.c.
 */
#ifndef LNOB_BEHIND_H
#define LNOB_BEHIND_H

#include <stddef.h>

#include "lnob.pb-c.h"
#include "outbox.h"

/* Entries per heartbeat, at most. */
#define BEHIND_PER_HEARTBEAT 32
/* Entries taken from one downstream relay's heartbeat, at most (it sends
 * BEHIND_PER_HEARTBEAT; the rest are passed over). */
#define BEHIND_NOTE_MAX 64   /* twice BEHIND_PER_HEARTBEAT */
/* Nodes reported by downstream relays kept at once, at most. */
#define BEHIND_INDIRECT_MAX 1024

typedef struct behind behind_t;

/* An empty list. NULL when out of memory. Caller owns the result. */
behind_t *behind_new(void);

/* Frees it. Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void behind_destroy(behind_t **self_p);

/* Keeps what downstream relay `from` said in hb of the nodes behind it
 * (the latest word per node wins; at most BEHIND_NOTE_MAX entries; an
 * entry naming `from` itself or with a node id or via that is not an id
 * is passed over). */
void behind_note(behind_t *self, const char *from, const Lnob__Heartbeat *hb);

/* Sets hb->downstream to the next entries in rotation: at most
 * BEHIND_PER_HEARTBEAT, their encoded size at most max_bytes in all. What
 * hb points to is self's, valid until the next behind_fill() or
 * behind_destroy(). Returns how many (0 also when the outbox cannot be
 * read: the heartbeat goes without them). */
size_t behind_fill(behind_t *self, outbox_t *ob, Lnob__Heartbeat *hb, size_t max_bytes);

/* The relay node_id is directly behind, as a downstream relay reported it
 * (borrowed, valid until the next behind_note()), or NULL when none did. */
const char *behind_via(const behind_t *self, const char *node_id);

#endif
