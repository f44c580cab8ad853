/* uplink_metadata.c: metadata frames from upstream (uplink_int.h,
 * colmeta.h). */
#include <inttypes.h>

#include "colmeta.h"
#include "lnob_err.h"
#include "log.h"
#include "uplink_int.h"

void uplink_on_metadata(uplink_t *u, const Lnob__Metadata *m)
{
	identity_pub_t next;
	char why[1024];
	int r;

	if (!u->conf->has_agg_sign_pk) {
		log_debug("metadata version %" PRIu64 " from %s ignored: no [uplink] "
			  "aggregator_sign_key", m->version, u->conf->endpoint);
		return;
	}
	r = colmeta_take(u->ob, u->sign_pk, m, &next, why, sizeof(why));
	if (r == 0) {
		log_info("metadata: version %" PRIu64 " from %s stored", m->version,
			 u->conf->endpoint);
		if (next.node_id[0])
			uplink_adopt(u, &next, false);
	} else if (r == LNOB_E_EXISTS)
		log_debug("metadata from %s: %s", u->conf->endpoint, why);
	else
		log_warnx("metadata from %s refused (the version held is kept): %s",
			  u->conf->endpoint, why);
}
