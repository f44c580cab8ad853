/* uplink_lanes.c: the uplink's two lanes, own outbox items and relayed
 * ones: what is in flight, what is sent next (scans past a cursor), what
 * is sent again, and what is parked without being sent (see uplink.h). */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "lnob_err.h"
#include "log.h"
#include "uplink_int.h"
#include "util.h"

/* ---- in flight ---------------------------------------------------------- */

/* Orders (signer, seq) keys as the outbox does. */
static int s_key_cmp(const char *sa, uint64_t qa, const char *sb, uint64_t qb)
{
	int c = strcmp(sa, sb);

	if (c)
		return c;
	return qa < qb ? -1 : qa > qb;
}

/* The lane of signer: own for this node's id (or ""), relayed otherwise;
 * *ret_signer gets the lane's key form of the signer. */
uplink_lane_t *uplink_lane_of(uplink_t *u, const char *signer, const char **ret_signer)
{
	if (!signer[0] || strcmp(signer, u->id->pub.node_id) == 0) {
		*ret_signer = "";
		return &u->own;
	}
	*ret_signer = signer;
	return &u->rel;
}

/* The position of (signer, seq) in the lane, or where it would go: sets
 * *found. */
static size_t s_flight_pos(const uplink_lane_t *l, const char *signer, uint64_t seq,
			   bool *found)
{
	size_t lo = 0, hi = l->nfl;

	*found = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = s_key_cmp(l->fl[mid].signer, l->fl[mid].seq, signer, seq);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the in-flight entry for (signer, seq), or -1. */
long uplink_flight_find(const uplink_lane_t *l, const char *signer, uint64_t seq)
{
	bool found;
	size_t at = s_flight_pos(l, signer, seq, &found);

	return found ? (long)at : -1;
}

/* Puts (signer, seq) in flight, keeping the order. The caller has checked
 * it is not in flight and that there is room. */
static void s_flight_add(uplink_t *u, uplink_lane_t *l, const char *signer, uint64_t seq,
			 int64_t resend_at)
{
	bool found;
	size_t at = s_flight_pos(l, signer, seq, &found);
	uplink_flight_t *e;

	assert(!found && l->nfl < uplink_lane_cap(u));
	memmove(&l->fl[at + 1], &l->fl[at], (l->nfl - at) * sizeof(l->fl[0]));
	e = &l->fl[at];
	memset(e, 0, sizeof(*e));
	lnob_strlcpy(e->signer, signer, sizeof(e->signer));
	e->seq = seq;
	e->resend_at = resend_at;
	l->nfl++;
}

/* Drops the lane's entries marked done (keep is NULL), or those keep()
 * refuses; recounts the acked ones. */
static void s_compact_keep(uplink_lane_t *l, bool (*keep)(const uplink_flight_t *))
{
	size_t j = 0;

	l->nacked = 0;
	for (size_t i = 0; i < l->nfl; i++) {
		const uplink_flight_t *e = &l->fl[i];

		if (e->done || (keep && !keep(e)))
			continue;
		l->nacked += e->acked;
		l->fl[j++] = *e;
	}
	l->nfl = j;
}

void uplink_flight_compact(uplink_lane_t *l)
{
	s_compact_keep(l, NULL);
}

/* Envelopes in flight over both lanes (acked ones not counted). */
size_t uplink_in_flight(const uplink_t *u)
{
	return u->own.nfl - u->own.nacked + u->rel.nfl - u->rel.nacked;
}

size_t uplink_lane_cap(const uplink_t *u)
{
	return (size_t)u->conf->window * (1 + UPLINK_ACK_HOLD);
}

/* The next scan of the lane starts from its first item. */
void uplink_lane_rewind(uplink_lane_t *l)
{
	l->has_cursor = false;
	l->cur_signer[0] = '\0';
	l->cur_seq = 0;
	l->more = true;
}

/* s_compact_keep(): whether an entry survives a lost connection. */
static bool s_is_acked(const uplink_flight_t *e)
{
	return e->acked;
}

/* Everything in flight becomes unsent, as after a lost connection; the
 * acked entries stay (their deletion waits, nothing may send them). */
void uplink_flight_reset(uplink_t *u)
{
	s_compact_keep(&u->own, s_is_acked);
	s_compact_keep(&u->rel, s_is_acked);
	uplink_lane_rewind(&u->own);
	uplink_lane_rewind(&u->rel);
	u->credit = 0;
}

/* ---- sending ------------------------------------------------------------ */

/* Sends one stored Envelope as Frame{envelope}, byte for byte. */
static int s_send_envelope(uplink_t *u, const uint8_t *env, size_t len)
{
	Lnob__Frame f;
	int r;

	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_ENVELOPE;
	f.envelope.data = (uint8_t *)env;
	f.envelope.len = len;
	if ((r = uplink_send_frame(u, &f)) == 0)
		fault_point("collector.after_send");
	return r;
}

/* Marks (signer, seq) of the lane of signer done; returns whether it was
 * in flight or acked and not done yet. */
bool uplink_flight_done(uplink_t *u, const char *signer, uint64_t seq)
{
	const char *key;
	uplink_lane_t *l = uplink_lane_of(u, signer, &key);
	long at = uplink_flight_find(l, key, seq);

	if (at < 0 || l->fl[at].done)
		return false;
	if (l->fl[at].acked) {
		l->fl[at].acked = false;
		l->nacked--;
	}
	l->fl[at].done = true;
	return true;
}

bool uplink_flight_acked(uplink_t *u, const char *signer, uint64_t seq)
{
	const char *key;
	uplink_lane_t *l = uplink_lane_of(u, signer, &key);
	long at = uplink_flight_find(l, key, seq);

	if (at < 0 || l->fl[at].done || l->fl[at].acked)
		return false;
	l->fl[at].acked = true;
	l->nacked++;
	return true;
}

void uplink_flight_unack(uplink_t *u)
{
	uplink_lane_t *lanes[] = { &u->own, &u->rel };

	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < lanes[k]->nfl; i++)
			lanes[k]->fl[i].acked = false;
		lanes[k]->nacked = 0;
	}
}

/* Parks (signer, seq) of lane l locally with reason and detail instead of
 * sending it (relayed ones with their origin signer, like upstream's
 * refusals); logs it. Returns 0 when it left the queue (parked, or gone
 * meanwhile), else the store's code (it stays queued; tried again at
 * the next scan). */
static int s_park_local(uplink_t *u, const uplink_lane_t *l, const char *signer, uint64_t seq,
			int reason, const char *detail)
{
	int r;

	if (l->relayed)
		r = outbox_relay_park(u->ob, signer, seq, reason, detail, lnob_now_ms());
	else
		r = outbox_park(u->ob, seq, reason, detail, lnob_now_ms());
	if (r == 0)
		log_warnx("parked %s%s seq %" PRIu64 " without sending it: %s: %s",
			  l->relayed ? "relayed " : "", l->relayed ? signer : u->id->pub.node_id,
			  seq, uplink_reason_name(reason), detail);
	else if (r != LNOB_E_NOTFOUND)
		log_warnx("cannot park %s seq %" PRIu64 " (%s: %s): %s",
			  l->relayed ? signer : u->id->pub.node_id, seq, uplink_reason_name(reason), detail,
			  lnob_strerror(r));
	return r == LNOB_E_NOTFOUND ? 0 : r;
}

/* Sends again what of lane l has waited too long for an answer; returns
 * how many went. */
static size_t s_resend_lane(uplink_t *u, uplink_lane_t *l, int64_t now)
{
	size_t resent = 0;

	for (size_t i = 0; i < l->nfl && !u->blocked; i++) {
		uplink_flight_t *e = &l->fl[i];
		uint8_t *env;
		size_t len;
		char why[160];
		int r;

		if (e->done || e->acked || e->resend_at > now)
			continue;
		if (l->relayed)
			r = outbox_relay_get(u->ob, e->signer, e->seq, &env, &len);
		else
			r = outbox_get(u->ob, e->seq, &env, &len);
		if (r == LNOB_E_NOTFOUND) {
			e->done = true;   /* acked or parked meanwhile */
			continue;
		}
		if (r < 0) {
			log_warnx("reading %s seq %" PRIu64 " from the outbox: %s",
				  l->relayed ? e->signer : u->id->pub.node_id, e->seq, lnob_strerror(r));
			e->resend_at = now + u->conf->resend_after_ms;
			continue;
		}
		/* The limits may have shrunk since it was sent. */
		if (outbox_fits(&u->lim, env, len, why, sizeof(why)) == LNOB_E_TOOBIG) {
			free(env);
			if (s_park_local(u, l, e->signer, e->seq, LNOB__NACK_REASON__NACK_TOO_LARGE,
					 why) == 0)
				e->done = true;
			else
				e->resend_at = now + u->conf->resend_after_ms;
			continue;
		}
		r = s_send_envelope(u, env, len);
		free(env);
		if (r < 0) {
			uplink_send_failed(u, r, "an envelope");
			break;
		}
		e->resend_at = now + u->conf->resend_after_ms;
		resent++;
	}
	uplink_flight_compact(l);
	return resent;
}

/* Sends again what has waited too long for an answer. */
void uplink_resend_due(uplink_t *u, int64_t now)
{
	size_t resent = s_resend_lane(u, &u->own, now);

	resent += s_resend_lane(u, &u->rel, now);
	if (resent)
		log_info("sent %zu unanswered envelopes again", resent);
}

/* Context of one outbox scan. */
typedef struct s_scan {
	uplink_t *u;
	uplink_lane_t *l;
	int64_t now;
	size_t budget;        /* envelopes this scan may send */
	size_t sent;
	outbox_ref_t bad[16]; /* records that do not decode, parked after the scan */
	size_t nbad;
	outbox_ref_t big[16]; /* over the upstream's limits, parked after the scan */
	char big_why[16][160];
	size_t nbig;
	bool cut;             /* stopped at an item it could not note: scan again */
} s_scan_t;

/* One queued item met by a scan: skipped when in flight already, else
 * sent and put in flight. Stops the scan (returns 1) when the budget is
 * spent or the socket pushes back. */
static int s_scan_item(s_scan_t *sc, const char *signer, uint64_t seq, const uint8_t *env,
		       size_t len)
{
	uplink_t *u = sc->u;
	uplink_lane_t *l = sc->l;
	char why[160];
	int r = 0;

	if (uplink_flight_find(l, signer, seq) >= 0)
		goto passed;   /* after a rewind: it is in flight already */
	if (sc->sent == sc->budget)
		return 1;      /* not passed: the next scan starts here */
	if (env)
		r = outbox_fits(&u->lim, env, len, why, sizeof(why));
	if (r == LNOB_E_TOOBIG) {
		/* Never sent: the upstream would refuse it, or drop the
		 * connection for it; what is queued behind it goes on. */
		if (sc->nbig == sizeof(sc->big) / sizeof(sc->big[0])) {
			sc->cut = true;
			return 1;   /* not passed: the next scan starts here */
		}
		lnob_strlcpy(sc->big[sc->nbig].signer, signer, sizeof(sc->big[0].signer));
		lnob_strlcpy(sc->big_why[sc->nbig], why, sizeof(sc->big_why[0]));
		sc->big[sc->nbig++].seq = seq;
		goto passed;
	}
	if (!env || r == LNOB_E_DECODE) {
		if (sc->nbad < sizeof(sc->bad) / sizeof(sc->bad[0])) {
			lnob_strlcpy(sc->bad[sc->nbad].signer, signer, sizeof(sc->bad[0].signer));
			sc->bad[sc->nbad++].seq = seq;
		}
		goto passed;
	}
	r = s_send_envelope(u, env, len);
	if (r < 0) {
		uplink_send_failed(u, r, "an envelope");
		return 1;
	}
	s_flight_add(u, l, signer, seq, sc->now + u->conf->resend_after_ms);
	sc->sent++;
passed:
	l->has_cursor = true;
	lnob_strlcpy(l->cur_signer, signer, sizeof(l->cur_signer));
	l->cur_seq = seq;
	return 0;
}

/* outbox_scan() callback for the own lane. */
static int s_scan_own(void *ctx, uint64_t seq, const uint8_t *env, size_t len)
{
	return s_scan_item(ctx, "", seq, env, len);
}

/* outbox_relay_scan() callback for the relayed lane. */
static int s_scan_rel(void *ctx, const char *signer, uint64_t seq, const uint8_t *env,
		      size_t len)
{
	return s_scan_item(ctx, signer, seq, env, len);
}

/* Sends up to budget queued items of lane l past its cursor; returns how
 * many went. */
static size_t s_send_lane(uplink_t *u, uplink_lane_t *l, size_t budget, int64_t now)
{
	s_scan_t sc = { .u = u, .l = l, .now = now, .budget = budget };
	bool more = false;
	int r;

	if (budget == 0 || u->blocked)
		return 0;
	/* At most nfl items are skipped as in flight, so budget + nfl visits
	 * reach budget unsent ones. */
	if (l->relayed)
		r = outbox_relay_scan(u->ob, l->has_cursor ? l->cur_signer : NULL, l->cur_seq,
				      budget + l->nfl, s_scan_rel, &sc, NULL, &more);
	else
		r = outbox_scan(u->ob, l->cur_seq, budget + l->nfl, s_scan_own, &sc, NULL, &more);
	if (r < 0) {
		log_warnx("reading the outbox: %s", lnob_strerror(r));
		l->more = false;
		return sc.sent;
	}
	/* Stopped by the budget, EAGAIN or a full list: the item is still ahead. */
	l->more = more || u->blocked || sc.sent == budget || sc.cut;
	for (size_t i = 0; i < sc.nbig; i++)
		(void)s_park_local(u, l, sc.big[i].signer, sc.big[i].seq,
				   LNOB__NACK_REASON__NACK_TOO_LARGE, sc.big_why[i]);
	for (size_t i = 0; i < sc.nbad; i++) {
		if (l->relayed)
			r = outbox_relay_park(u->ob, sc.bad[i].signer, sc.bad[i].seq,
					      LNOB__NACK_REASON__NACK_MALFORMED,
					      "outbox record does not decode", lnob_now_ms());
		else
			r = outbox_park(u->ob, sc.bad[i].seq, LNOB__NACK_REASON__NACK_MALFORMED,
					"outbox record does not decode", lnob_now_ms());
		log_warnx("outbox record %s seq %" PRIu64 " does not decode; %s",
			  l->relayed ? sc.bad[i].signer : u->id->pub.node_id, sc.bad[i].seq,
			  r == 0 ? "parked" : lnob_strerror(r));
	}
	return sc.sent;
}

/* On the idle poll: when `requeue` moved parked items back (maybe below
 * the cursors), both lanes scan again from the start. */
static void s_check_requeue(uplink_t *u)
{
	uint64_t gen;
	int r = outbox_requeue_gen(u->ob, &gen);

	if (r < 0) {
		log_warnx("reading the outbox: %s", lnob_strerror(r));
		return;
	}
	if (gen == u->requeue_gen)
		return;
	u->requeue_gen = gen;
	log_info("parked items were requeued; scanning the outbox again");
	uplink_lane_rewind(&u->own);
	uplink_lane_rewind(&u->rel);
}

/* Sends queued items past the cursors, as far as window and credit allow,
 * sharing what is free between the lanes. */
void uplink_send_new(uplink_t *u, int64_t now)
{
	size_t limit = u->conf->window < u->credit ? u->conf->window : u->credit;
	bool poll = now >= u->next_poll;
	uplink_lane_t *first, *second;
	size_t free_slots, share;

	if (u->blocked || uplink_in_flight(u) >= limit)
		return;
	if (poll) {
		s_check_requeue(u);
		u->own.more = u->rel.more = true;
	}
	if (!u->own.more && !u->rel.more)
		return;
	first = u->rel_first ? &u->rel : &u->own;
	second = u->rel_first ? &u->own : &u->rel;
	u->rel_first = !u->rel_first;
	free_slots = limit - uplink_in_flight(u);
	share = second->more ? (free_slots + 1) / 2 : free_slots;
	if (first->more)
		s_send_lane(u, first, share, now);
	if (second->more && uplink_in_flight(u) < limit)
		s_send_lane(u, second, limit - uplink_in_flight(u), now);
	if (first->more && uplink_in_flight(u) < limit)
		s_send_lane(u, first, limit - uplink_in_flight(u), now);
	if (poll || (!u->own.more && !u->rel.more))
		u->next_poll = now + UPLINK_OUTBOX_POLL_MS;
}
