/* relay_receipts.c: receipts passed down to the origins (see
 * relay_receipts.h). */
#include "relay_receipts.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "lnob_err.h"
#include "log.h"
#include "util.h"

/* Relays a receipt may pass through below this one, at most. */
#define S_HOPS_MAX 8

typedef struct s_send {
	router_t *router;
	const behind_t *behind;
	int64_t since_ms;
	outbox_ref_t sent[RELAY_RECEIPTS_PER_CALL];
	size_t n;
} s_send_t;

/* outbox_receipt_out_fn: sends rc to its signer, or to the relay it is
 * behind (and so on down). */
static int s_one(void *ctx, const Lnob__Receipt *rc)
{
	s_send_t *s = ctx;
	Lnob__Frame f;
	const char *to = rc->signer;
	int r = LNOB_E_NOTFOUND;

	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_RECEIPT;
	f.receipt = (Lnob__Receipt *)rc;
	for (int hop = 0; to && hop < S_HOPS_MAX; hop++) {
		if ((r = router_send_to(s->router, to, s->since_ms, &f)) != LNOB_E_NOTFOUND)
			break;
		to = behind_via(s->behind, to);
	}
	if (r < 0) {
		if (r != LNOB_E_NOTFOUND)
			log_debug("relay: receipt for %s seq %" PRIu64 " not sent now: %s", rc->signer,
				  rc->seq, lnob_strerror(r));
		return 0;   /* kept for later */
	}
	log_debug("relay: receipt for %s seq %" PRIu64 " sent to %s", rc->signer, rc->seq, to);
	lnob_strlcpy(s->sent[s->n].signer, rc->signer, sizeof(s->sent[0].signer));
	s->sent[s->n++].seq = rc->seq;
	return 0;
}

size_t relay_receipts_send(router_t *router, outbox_t *ob, const behind_t *behind,
			   int64_t since_ms)
{
	static s_send_t s;   /* large; one relay per process, one thread */
	int r;

	s.router = router;
	s.behind = behind;
	s.since_ms = since_ms;
	s.n = 0;
	if ((r = outbox_receipts_out_scan(ob, RELAY_RECEIPTS_PER_CALL, s_one, &s)) < 0) {
		log_warnx("relay: reading the receipts owed: %s", lnob_strerror(r));
		return 0;
	}
	if (s.n > 0 && (r = outbox_receipts_out_done(ob, s.sent, s.n)) < 0)
		log_warnx("relay: deleting %zu receipts sent: %s (they go again)", s.n,
			  lnob_strerror(r));
	return s.n;
}
