/*
 * relay_receipts.h: a relay passing receipts down to the origins
 * (proto/lnob.proto, THE LINK: Receipts). The receipts owed are in the
 * outbox ("receipts_out", outbox.h); each goes to the connection of its
 * signer, or, for a node behind a downstream relay (behind.h), to that
 * relay, which passes it on. It is sent again every RELAY_RECEIPT_RESEND_MS
 * until that connection answers Frame{receipt_ack} naming it, and deleted
 * then: one handed to a connection that dies, or to a process killed
 * before it committed it, goes again. When each was last sent is kept in
 * memory (a relay restarted sends every one owed at once).
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
/* A receipt not acknowledged goes again after this long. */
#define RELAY_RECEIPT_RESEND_MS 5000

typedef struct relay_receipts relay_receipts_t;

/* NULL when out of memory. */
relay_receipts_t *relay_receipts_new(void);
/* Accepts NULL and *self_p == NULL. */
void relay_receipts_destroy(relay_receipts_t **self_p);

/* Sends the receipts owed to nodes whose connection (or whose relay's)
 * was seen at or after since_ms, that were not sent within
 * RELAY_RECEIPT_RESEND_MS (now_ms: monotonic). Returns how many went. */
size_t relay_receipts_send(relay_receipts_t *self, router_t *router, outbox_t *ob,
			   const behind_t *behind, int64_t since_ms, int64_t now_ms);

/* Frame{receipt_ack} from node `from`: deletes the receipts it names that
 * were its to take (their signer is from, or is behind from: behind_via());
 * the others are left (logged). Returns how many were deleted. */
size_t relay_receipts_acked(relay_receipts_t *self, outbox_t *ob, const behind_t *behind,
			    const char *from, const Lnob__ReceiptAck *ra);

#endif
