/* uplink_receipts.c: receipts from upstream (see uplink_int.h). */
#include <inttypes.h>

#include "lnob_err.h"
#include "log.h"
#include "uplink_int.h"
#include "util.h"

void uplink_on_receipt(uplink_t *u, const Lnob__Receipt *rc)
{
	enum outbox_receipt_took took = OUTBOX_RECEIPT_IGNORED;
	const char *signer = rc->signer ? rc->signer : "";
	bool refused = rc->state == LNOB__RECEIPT_STATE__RECEIPT_REFUSED;
	int r = outbox_receipt_take(u->ob, u->id->pub.node_id, rc, lnob_now_ms(), &took);

	if (r < 0) {
		log_warnx("cannot take a receipt for %s seq %" PRIu64 ": %s", signer, rc->seq,
			  lnob_strerror(r));
		return;
	}
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
