/* relay_receipts.c: receipts passed down to the origins (see
 * relay_receipts.h). */
#include "relay_receipts.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "log.h"
#include "util.h"

/* Relays a receipt may pass through below this one, at most. */
#define S_HOPS_MAX 8
/* Slots of the sent table: a receipt whose slot another took is sent
 * again early, never late. */
#define S_SLOTS 1024

/* When one receipt was last sent. */
typedef struct s_slot {
	char signer[LNOB_ID_MAX + 1];
	uint64_t seq;
	int64_t at_ms;
} s_slot_t;

struct relay_receipts {
	s_slot_t slots[S_SLOTS];
	/* one call's work */
	router_t *router;
	const behind_t *behind;
	int64_t since_ms, now_ms;
	size_t n;
};

relay_receipts_t *relay_receipts_new(void)
{
	return calloc(1, sizeof(relay_receipts_t));
}

void relay_receipts_destroy(relay_receipts_t **self_p)
{
	if (!self_p)
		return;
	free(*self_p);
	*self_p = NULL;
}

/* The slot of (signer, seq). */
static s_slot_t *s_slot(relay_receipts_t *self, const char *signer, uint64_t seq)
{
	uint64_t h;

	crypto_generichash((uint8_t *)&h, sizeof(h), (const uint8_t *)signer, strlen(signer),
			   (const uint8_t *)&seq, sizeof(seq));
	return &self->slots[h % S_SLOTS];
}

/* Whether rc was sent within RELAY_RECEIPT_RESEND_MS. */
static bool s_recent(relay_receipts_t *self, const Lnob__Receipt *rc)
{
	const s_slot_t *sl = s_slot(self, rc->signer, rc->seq);

	return sl->seq == rc->seq && strcmp(sl->signer, rc->signer) == 0 &&
	       self->now_ms - sl->at_ms < RELAY_RECEIPT_RESEND_MS;
}

/* outbox_receipt_out_fn: sends rc to its signer, or to the relay it is
 * behind (and so on down), unless it went lately. */
static int s_one(void *ctx, const Lnob__Receipt *rc)
{
	relay_receipts_t *self = ctx;
	Lnob__Frame f;
	const char *to = rc->signer;
	s_slot_t *sl;
	int r = LNOB_E_NOTFOUND;

	if (!rc->signer || s_recent(self, rc))
		return 0;
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_RECEIPT;
	f.receipt = (Lnob__Receipt *)rc;
	for (int hop = 0; to && hop < S_HOPS_MAX; hop++) {
		if ((r = router_send_to(self->router, to, self->since_ms, &f)) != LNOB_E_NOTFOUND)
			break;
		to = behind_via(self->behind, to);
	}
	if (r < 0) {
		if (r != LNOB_E_NOTFOUND)
			log_debug("relay: receipt for %s seq %" PRIu64 " not sent now: %s", rc->signer,
				  rc->seq, lnob_strerror(r));
		return 0;   /* kept for later */
	}
	log_debug("relay: receipt for %s seq %" PRIu64 " sent to %s", rc->signer, rc->seq, to);
	sl = s_slot(self, rc->signer, rc->seq);
	lnob_strlcpy(sl->signer, rc->signer, sizeof(sl->signer));
	sl->seq = rc->seq;
	sl->at_ms = self->now_ms;
	return ++self->n == RELAY_RECEIPTS_PER_CALL;
}

size_t relay_receipts_send(relay_receipts_t *self, router_t *router, outbox_t *ob,
			   const behind_t *behind, int64_t since_ms, int64_t now_ms)
{
	int r;

	self->router = router;
	self->behind = behind;
	self->since_ms = since_ms;
	self->now_ms = now_ms;
	self->n = 0;
	if ((r = outbox_receipts_out_scan(ob, SIZE_MAX, s_one, self)) < 0)
		log_warnx("relay: reading the receipts owed: %s", lnob_strerror(r));
	return self->n;
}

/* Whether a receipt for signer goes to from: from is signer, or the relay
 * signer is behind (or one further up the chain). */
static bool s_goes_to(const behind_t *behind, const char *signer, const char *from)
{
	const char *to = signer;

	for (int hop = 0; to && hop < S_HOPS_MAX; hop++) {
		if (strcmp(to, from) == 0)
			return true;
		to = behind_via(behind, to);
	}
	return false;
}

size_t relay_receipts_acked(relay_receipts_t *self, outbox_t *ob, const behind_t *behind,
			    const char *from, const Lnob__ReceiptAck *ra)
{
	outbox_ref_t refs[RELAY_RECEIPTS_PER_CALL];
	size_t n = 0;
	int r;

	for (size_t i = 0; i < ra->n_receipts && n < RELAY_RECEIPTS_PER_CALL; i++) {
		const Lnob__Ack *a = ra->receipts[i];
		s_slot_t *sl;

		if (!a->signer || !a->signer[0] || !s_goes_to(behind, a->signer, from)) {
			log_warnx("relay: %s acknowledged a receipt for %s seq %" PRIu64 ", not its "
				  "to take: ignored", from, a->signer ? a->signer : "", a->seq);
			continue;
		}
		if (lnob_strlcpy(refs[n].signer, a->signer, sizeof(refs[n].signer)) != 0)
			continue;
		refs[n++].seq = a->seq;
		sl = s_slot(self, a->signer, a->seq);
		if (sl->seq == a->seq && strcmp(sl->signer, a->signer) == 0)
			memset(sl, 0, sizeof(*sl));
	}
	if (n > 0 && (r = outbox_receipts_out_done(ob, refs, n)) < 0) {
		log_warnx("relay: deleting %zu receipts taken by %s: %s (they go again)", n, from,
			  lnob_strerror(r));
		return 0;
	}
	return n;
}
