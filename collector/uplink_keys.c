/* uplink_keys.c: the aggregator's keys the uplink uses, and the change to
 * the next ones the aggregator announced in its metadata (uplink_int.h;
 * proto/lnob.proto NextKey; README "Rotating the aggregator's keys"). */
#include <inttypes.h>
#include <string.h>

#include "colmeta.h"
#include "lnob_err.h"
#include "log.h"
#include "uplink_int.h"

void uplink_keys_init(uplink_t *u)
{
	colmeta_key_t k;

	memcpy(u->server_pk, u->conf->server_curve_pk, 32);
	memcpy(u->sign_pk, u->conf->agg_sign_pk, 32);
	if (!u->conf->has_agg_sign_pk || colmeta_adopted(u->ob, &k) < 0)
		return;
	memcpy(u->sign_pk, k.sign_pk, 32);
	if (k.has_curve)
		memcpy(u->server_pk, k.curve_pk, 32);
	log_info("using the aggregator's %s adopted from metadata version %" PRIu64 " (not the "
		 "configured ones)", k.has_curve ? "keys" : "signing key", k.version);
}

const uint8_t *uplink_server_key(const uplink_t *u)
{
	return u->try_next ? u->next.curve_pk : u->server_pk;
}

void uplink_keys_no_answer(uplink_t *u)
{
	identity_pub_t next;
	uint64_t version;

	if (u->try_next) {
		u->try_next = false;   /* back to the key in use */
		return;
	}
	if (!u->conf->has_agg_sign_pk || colmeta_next(u->ob, &next, &version) < 0 ||
	    strcmp(next.node_id, u->conf->server_id) != 0 ||
	    memcmp(next.curve_pk, u->server_pk, 32) == 0)
		return;
	u->try_next = true;
	u->next = next;
	log_info("no answer from %s with its server key: the next socket tries the next key "
		 "announced in metadata version %" PRIu64, u->conf->endpoint, version);
}

void uplink_keys_answered(uplink_t *u)
{
	if (u->try_next)
		uplink_adopt(u, &u->next, true);
}

void uplink_adopt(uplink_t *u, const identity_pub_t *next, bool curve)
{
	colmeta_key_t k, had;
	int r;

	memset(&k, 0, sizeof(k));
	memcpy(k.sign_pk, next->sign_pk, 32);
	if (curve) {
		k.has_curve = true;
		memcpy(k.curve_pk, next->curve_pk, 32);
	} else if (colmeta_adopted(u->ob, &had) == 0 && had.has_curve) {
		k.has_curve = true;   /* keep the server key adopted before */
		memcpy(k.curve_pk, had.curve_pk, 32);
	}
	k.version = colmeta_version(u->ob);
	memcpy(u->sign_pk, k.sign_pk, 32);
	if (curve)
		memcpy(u->server_pk, k.curve_pk, 32);
	u->try_next = false;
	if ((r = colmeta_adopt(u->ob, &k)) < 0)
		log_warnx("recording the aggregator's new keys: %s (they are used until a restart)",
			  lnob_strerror(r));
	log_info("adopted the aggregator %s's next %s, announced in its metadata: used from now "
		 "on; give this node its new public file ([uplink] server_public and "
		 "aggregator_sign_key)", next->node_id, curve ? "keys" : "signing key");
}
