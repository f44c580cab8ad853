/*
 * fairq.h: per-sender FIFO queues and the round-robin that builds batches
 * from them, so that a sender with a thousand envelopes waiting cannot
 * put a whole batch of its own in front of another sender's one.
 *
 * Each sender (a key: any pointer, e.g. the server's peer) has a lane
 * holding at most lane_max items, and at most lane_bytes bytes of them, in
 * the order they were pushed; all lanes together hold at most queue_bytes.
 * Each item is pushed with its size in bytes (what it costs to hold: the
 * server's is the envelope's length). A bound in bytes never refuses the
 * first item of an empty lane or of an empty queue, so an item larger than
 * a bound still goes through, alone.
 * fairq_take() takes one item from each lane with work in turn, so a batch
 * of max items holds min(lane length, about max / lanes) of each lane; the
 * turn goes on where the previous call stopped. fairq_take_bytes() also
 * stops before the item that would take the batch over max_bytes. A lane's
 * items always leave in their own order.
 *
 * Library module: no sockets, no logging. Items are opaque: the queue
 * stores the pointers and their sizes and never looks at them.
 */
#ifndef LNOB_FAIRQ_H
#define LNOB_FAIRQ_H

#include <stddef.h>

typedef struct fairq fairq_t;

/* Frees one item (fairq_drop(), fairq_destroy()). */
typedef void (*fairq_free_fn)(void *item);

/* A queue whose lanes hold at most lane_max (>= 1) items and lane_bytes
 * (>= 1) bytes each, and all of whose lanes together hold at most
 * queue_bytes (>= 1) bytes (SIZE_MAX: no bound in bytes). Returns NULL
 * when out of memory. Caller owns it (fairq_destroy()). */
fairq_t *fairq_new(size_t lane_max, size_t lane_bytes, size_t queue_bytes);

/* Frees the queue and, with free_item (may be NULL), every item still in
 * it. Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void fairq_destroy(fairq_t **self_p, fairq_free_fn free_item);

/* Appends item, of size bytes, to key's lane (made when key has none).
 * Returns 0; -ENOBUFS when the lane holds lane_max items already, or
 * holds items and size more bytes would take it over lane_bytes;
 * -ENOSPC when the queue holds items and size more bytes would take it
 * over queue_bytes; or -ENOMEM. On failure nothing changes and the
 * caller keeps item: taking a batch makes room. */
int fairq_push(fairq_t *self, const void *key, void *item, size_t size);

/* Items in all lanes. */
size_t fairq_pending(const fairq_t *self);

/* Bytes of the items in all lanes (the sum of their sizes). */
size_t fairq_bytes(const fairq_t *self);

/* Items in key's lane (0 when it has none). */
size_t fairq_lane_len(const fairq_t *self, const void *key);

/* Bytes of the items in key's lane (0 when it has none). */
size_t fairq_lane_bytes(const fairq_t *self, const void *key);

/* Takes up to max items round-robin over the lanes with work: one item
 * from each lane in turn, starting with the lane after the one that gave
 * the last item of the previous call (lanes made since join at the end of
 * the turn). ret_items[i] gets the i-th item taken (the caller owns it
 * now), ret_keys[i] (ret_keys may be NULL) its lane's key. Returns how
 * many were taken: min(max, fairq_pending()). A lane emptied is
 * forgotten. The same as fairq_take_bytes() with max_bytes SIZE_MAX. */
size_t fairq_take(fairq_t *self, size_t max, void **ret_items, const void **ret_keys);

/* fairq_take(), stopping also before the item whose size would take the
 * bytes taken over max_bytes; the first item is always taken, whatever its
 * size, so this takes at least one item when any is pending and max >= 1.
 * The stopping item's lane keeps its turn: it is the first lane of the
 * next call. */
size_t fairq_take_bytes(fairq_t *self, size_t max, size_t max_bytes, void **ret_items,
			const void **ret_keys);

/* Removes key's lane, freeing its items with free_item (may be NULL).
 * Returns how many items it held. */
size_t fairq_drop(fairq_t *self, const void *key, fairq_free_fn free_item);

#endif
