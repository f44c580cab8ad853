/*
 * relay_receipts.h: a relay passing receipts down to the origins
 * (proto/lnob.proto, THE LINK: Receipts). The receipts owed are in the
 * outbox ("receipts_out", outbox.h); each goes to the connection of its
 * signer, or, for a node behind a downstream relay (behind.h), to that
 * relay, which passes it on. Deleted once handed to the connection (at
 * least once: one lost with a dying connection is not sent again; the
 * origin keeps the envelope "sent" then).
 * Daemon-level code: logs what it cannot do. Used by relay.c.
 */
#ifndef LNOB_RELAY_RECEIPTS_H
#define LNOB_RELAY_RECEIPTS_H

#include <stddef.h>
#include <stdint.h>

#include "behind.h"
#include "outbox.h"
#include "router.h"

/* Receipts sent per call, at most. */
#define RELAY_RECEIPTS_PER_CALL 256

/* Sends the receipts owed to nodes whose connection (or whose relay's)
 * was seen at or after since_ms, and deletes them. Returns how many went. */
size_t relay_receipts_send(router_t *router, outbox_t *ob, const behind_t *behind,
			   int64_t since_ms);

#endif
