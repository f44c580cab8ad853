/* uplink_receipts.c: receipts from upstream (see uplink_int.h). */
#include <inttypes.h>

#include "fault.h"
#include "lnob_err.h"
#include "log.h"
#include "uplink_int.h"
#include "util.h"

/* Answers the upstream relay that rc is taken (committed), so that it
 * deletes it; one lost goes again with the receipt it answers. */
static void s_ack(uplink_t *u, const Lnob__Receipt *rc)
{
	Lnob__ReceiptAck ra = LNOB__RECEIPT_ACK__INIT;
	Lnob__Ack a = LNOB__ACK__INIT, *pa = &a;
	Lnob__Frame f;
	int r;

	a.signer = rc->signer;
	a.seq = rc->seq;
	ra.receipts = &pa;
	ra.n_receipts = 1;
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_RECEIPT_ACK;
	f.receipt_ack = &ra;
	if ((r = uplink_send_frame(u, &f)) < 0)
		uplink_send_failed(u, r, "a receipt's acknowledgement");
}

void uplink_on_receipt(uplink_t *u, const Lnob__Receipt *rc_in)
{
	enum outbox_receipt_took took = OUTBOX_RECEIPT_IGNORED;
	Lnob__Receipt safe_rc = *rc_in;   /* its detail as UTF-8 text of one line */
	char detail[1024];
	const Lnob__Receipt *rc = &safe_rc;
	const char *signer = rc->signer ? rc->signer : "";
	bool refused = rc->state == LNOB__RECEIPT_STATE__RECEIPT_REFUSED;
	int r;

	safe_rc.detail = (char *)lnob_text_safe(detail, sizeof(detail), rc_in->detail);
	fault_point("collector.receipt_before_take");
	if ((r = outbox_receipt_take(u->ob, u->id->pub.node_id, rc, lnob_now_ms(), &took)) < 0) {
		log_warnx("cannot take a receipt for %s seq %" PRIu64 ": %s", signer, rc->seq,
			  lnob_strerror(r));
		return;
	}
	if (took == OUTBOX_RECEIPT_EARLY) {
		log_debug("receipt for seq %" PRIu64 " before the relay's ack: taken when it "
			  "comes again", rc->seq);
		return;
	}
	if (signer[0])
		s_ack(u, rc);
	if (took == OUTBOX_RECEIPT_KEPT)
		log_debug("receipt for %s seq %" PRIu64 " kept to pass down", signer, rc->seq);
	else if (took == OUTBOX_RECEIPT_IGNORED)
		log_debug("receipt for seq %" PRIu64 " changes nothing (a duplicate)", rc->seq);
	else if (refused)
		log_warnx("parked seq %" PRIu64 ": refused upstream: %s: %s", rc->seq,
			  uplink_reason_name(rc->reason), rc->detail ? rc->detail : "");
	else
		log_info("seq %" PRIu64 " stored at the province", rc->seq);
}
