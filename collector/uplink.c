/* uplink.c: the collector's send loop over a ZeroMQ DEALER with CURVE
 * (see uplink.h for the protocol): the connection, the frames from
 * upstream and the loop; the lanes are uplink_lanes.c's. */
#include "uplink.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <zmq.h>

#include "codec.h"
#include "colmeta.h"
#include "fault.h"
#include "lnob_err.h"
#include "log.h"
#include "notify.h"
#include "uplink_int.h"
#include "util.h"

/* Longest wait in one poll, so that stop requests and timers are seen. */
#define S_POLL_MAX_MS 100
/* At most this many frames are taken from the socket per loop turn. */
#define S_RECV_BATCH 1024
/* The daemon's state is written at most this often (unless an ack
 * transaction carries it anyway). */
#define S_STATE_EVERY_MS 2000
#define S_LINGER_MS 1000
#define S_MON_EVENTS (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED | \
		      ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | \
		      ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)

/* ---- helpers ------------------------------------------------------------ */

/* A uniformly random delay in [0, min(max, min * 2^attempt)] ms (full jitter). */
static uint32_t s_backoff_ms(uint32_t min, uint32_t max, uint32_t attempt)
{
	uint64_t cap = min;

	for (uint32_t i = 0; i < attempt && cap < max; i++)
		cap *= 2;
	if (cap > max)
		cap = max;
	return cap ? randombytes_uniform((uint32_t)cap + 1) : 0;
}

/* The NackReason's enum name ("NACK_OUT_OF_SCOPE"), static storage. */
const char *uplink_reason_name(int reason)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&lnob__nack_reason__descriptor, reason);

	return v ? v->name : "NACK_?";
}

/* Sends one Frame with ZMQ_DONTWAIT. Returns 0, -EAGAIN or another -errno. */
int uplink_send_frame(uplink_t *u, const Lnob__Frame *f)
{
	size_t n = lnob__frame__get_packed_size(f);
	zmq_msg_t m;

	if (zmq_msg_init_size(&m, n) != 0)
		return -ENOMEM;
	lnob__frame__pack(f, zmq_msg_data(&m));
	if (zmq_msg_send(&m, u->sock, ZMQ_DONTWAIT) < 0) {
		int e = errno;

		zmq_msg_close(&m);
		return -e;
	}
	return 0;
}

/* Handles a send error other than success: EAGAIN marks the socket blocked;
 * anything else is logged. Returns r. */
int uplink_send_failed(uplink_t *u, int r, const char *what)
{
	if (r == -EAGAIN)
		u->blocked = true;
	else
		log_warnx("sending %s to %s: %s", what, u->conf->endpoint, zmq_strerror(-r));
	return r;
}

/* Whether the socket can take a message now (a live pipe with room). */
static bool s_writable(uplink_t *u)
{
	int events = 0;
	size_t len = sizeof(events);

	if (zmq_getsockopt(u->sock, ZMQ_EVENTS, &events, &len) != 0)
		return false;
	return (events & ZMQ_POLLOUT) != 0;
}

/* ---- socket lifecycle --------------------------------------------------- */

/* zmq_setsockopt() for an int option. Returns 0 or -1 (errno set). */
static int s_setopt_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof(v));
}

/* Makes a fresh DEALER (and its monitor) and connects it. Returns 0 or
 * LNOB_E_ZMQ (logged; the caller backs off and tries again). No ZMTP
 * heartbeats: the link's own (Frame.heartbeat, dead_after_ms) find a dead
 * upstream, and a ZMTP PING waiting in a ROUTER's stopped input when this
 * node goes away makes libzmq 4.3.4 abort there (stream_engine_base.cpp,
 * !_io_error). */
static int s_open_socket(uplink_t *u)
{
	const uplink_conf_t *c = u->conf;
	int64_t maxmsg = (int64_t)UPLINK_MAX_FRAME;
	uint32_t jitter = randombytes_uniform(c->backoff_min_ms + 1);
	char monep[96];
	void *s;

	assert(!u->sock && !u->mon);
	s = zmq_socket(u->ctx, ZMQ_DEALER);
	if (!s) {
		log_warnx("zmq_socket: %s", zmq_strerror(errno));
		return LNOB_E_ZMQ;
	}
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, uplink_server_key(u), 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, u->id->pub.curve_pk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, u->id->curve_sk, 32) != 0 ||
	    s_setopt_int(s, ZMQ_IMMEDIATE, 1) != 0 ||
	    s_setopt_int(s, ZMQ_LINGER, S_LINGER_MS) != 0 ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) != 0 ||
	    s_setopt_int(s, ZMQ_SNDHWM, (int)c->window + 64) != 0 ||
	    s_setopt_int(s, ZMQ_RECONNECT_IVL, (int)(c->backoff_min_ms + jitter)) != 0 ||
	    s_setopt_int(s, ZMQ_RECONNECT_IVL_MAX, (int)c->backoff_max_ms) != 0 ||
	    s_setopt_int(s, ZMQ_CONNECT_TIMEOUT, (int)c->dead_after_ms) != 0 ||
	    s_setopt_int(s, ZMQ_HANDSHAKE_IVL, (int)c->dead_after_ms) != 0) {
		log_warnx("setting socket options: %s", zmq_strerror(errno));
		zmq_close(s);
		return LNOB_E_ZMQ;
	}
	snprintf(monep, sizeof(monep), "inproc://lnob-uplink-monitor-%u", u->serial++);
	if (zmq_socket_monitor(s, monep, S_MON_EVENTS) != 0 ||
	    !(u->mon = zmq_socket(u->ctx, ZMQ_PAIR)) ||
	    s_setopt_int(u->mon, ZMQ_LINGER, 0) != 0 ||
	    zmq_connect(u->mon, monep) != 0) {
		log_warnx("socket monitor: %s", zmq_strerror(errno));
		zmq_socket_monitor(s, NULL, 0);
		if (u->mon)
			zmq_close(u->mon);
		u->mon = NULL;
		zmq_close(s);
		return LNOB_E_ZMQ;
	}
	if (zmq_connect(s, c->endpoint) != 0) {
		log_warnx("connecting to %s: %s", c->endpoint, zmq_strerror(errno));
		zmq_socket_monitor(s, NULL, 0);
		zmq_close(u->mon);
		u->mon = NULL;
		zmq_close(s);
		return LNOB_E_ZMQ;
	}
	u->sock = s;
	u->connected = false;
	u->spoke = false;
	u->warned_handshake = false;
	u->hello_pending = true;
	u->blocked = false;
	u->last_rx = lnob_mono_ms();
	u->next_hb = u->last_rx;
	uplink_flight_reset(u);
	log_info("connecting to %s (attempt %" PRIu32 ")", c->endpoint, u->attempt);
	return 0;
}

/* Closes the socket and its monitor; everything in flight becomes unsent. */
static void s_close_socket(uplink_t *u)
{
	if (u->sock) {
		zmq_socket_monitor(u->sock, NULL, 0);
		zmq_close(u->sock);
		u->sock = NULL;
	}
	if (u->mon) {
		zmq_close(u->mon);
		u->mon = NULL;
	}
	u->connected = false;
	uplink_flight_reset(u);
}

/* Closes the socket and schedules the next one after a jittered back-off. */
static void s_reconnect_later(uplink_t *u, const char *why)
{
	uint32_t delay = s_backoff_ms(u->conf->backoff_min_ms, u->conf->backoff_max_ms,
				      u->attempt);

	if (u->sock && !u->spoke)
		uplink_keys_no_answer(u);
	s_close_socket(u);
	u->attempt++;
	u->reconnect_at = lnob_mono_ms() + delay;
	log_warnx("%s; reconnecting to %s in %" PRIu32 " ms (attempt %" PRIu32 ")", why,
		  u->conf->endpoint, delay, u->attempt);
}

/* Closes m, a part just received from sock, and drops the rest of its
 * message. */
static void s_drop_rest(void *sock, zmq_msg_t *m)
{
	while (zmq_msg_more(m)) {
		zmq_msg_close(m);
		zmq_msg_init(m);
		if (zmq_msg_recv(m, sock, 0) < 0)
			break;
	}
	zmq_msg_close(m);
}

/* Reads the monitor's pending events: logs handshakes and disconnects; a
 * disconnect makes everything in flight unsent and owes a new heartbeat. */
static void s_monitor_events(uplink_t *u)
{
	for (;;) {
		zmq_msg_t m;
		uint16_t ev;
		uint32_t val;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, u->mon, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return;
		}
		if (zmq_msg_size(&m) < 6 || !zmq_msg_more(&m)) {
			zmq_msg_close(&m);
			continue;
		}
		memcpy(&ev, zmq_msg_data(&m), 2);
		memcpy(&val, (uint8_t *)zmq_msg_data(&m) + 2, 4);
		s_drop_rest(u->mon, &m);   /* the endpoint part (and any other part) */
		switch (ev) {
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
			log_info("connected to %s (CURVE handshake done)", u->conf->endpoint);
			u->connected = true;
			u->warned_handshake = false;
			u->hello_pending = true;
			break;
		case ZMQ_EVENT_DISCONNECTED:
			if (u->connected)
				log_warnx("disconnected from %s; %zu in flight will be sent again",
					  u->conf->endpoint, uplink_in_flight(u));
			u->connected = false;
			u->hello_pending = true;
			uplink_flight_reset(u);
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
			if (!u->warned_handshake)
				log_warnx("%s refused this node (ZAP status %" PRIu32 "): is '%s' "
					  "enrolled and not revoked?", u->conf->endpoint, val,
					  u->id->pub.node_id);
			u->warned_handshake = true;
			break;
		default:
			if (!u->warned_handshake)
				log_warnx("CURVE handshake with %s failed (0x%" PRIx32 "): check "
					  "[uplink] server_public", u->conf->endpoint, val);
			u->warned_handshake = true;
			break;
		}
	}
}

/* ---- frames from upstream ----------------------------------------------- */

/* Remembers an acked (signer, seq) for the next ack transaction (it
 * waits for more: UPLINK_ACK_HOLD), its flight entry marked acked; own
 * ones by seq, relayed ones by (signer, seq). When memory runs out the
 * ack is dropped: the item is resent and acked again. */
static void s_ack_push(uplink_t *u, const char *signer, uint64_t seq)
{
	const char *key;
	uplink_lane_t *l = uplink_lane_of(u, signer, &key);

	if (l == &u->own) {
		if (lnob_grow(&u->acks, u->nacks, &u->acks_cap, sizeof(*u->acks), 256) < 0)
			return;
		u->acks[u->nacks++] = seq;
	} else {
		if (!lnob_valid_id(signer) ||
		    lnob_grow(&u->racks, u->nracks, &u->racks_cap, sizeof(*u->racks), 256) < 0)
			return;
		lnob_strlcpy(u->racks[u->nracks].signer, signer, sizeof(u->racks[0].signer));
		u->racks[u->nracks].seq = seq;
		u->nracks++;
	}
	if (u->nacks + u->nracks == 1)
		u->acks_since = lnob_mono_ms();
	(void)uplink_flight_acked(u, signer, seq);
}

/* A refusal: non-retryable parks the item (it leaves flight), retryable
 * schedules a resend after a jittered back-off growing with each refusal;
 * one without signer/seq (an undecodable frame) is only logged. */
static void s_on_nack(uplink_t *u, const Lnob__Nack *n)
{
	const char *reason = uplink_reason_name(n->reason);
	char safe[1024];   /* upstream's text, kept and logged: UTF-8 of one line */
	const char *detail = lnob_text_safe(safe, sizeof(safe), n->detail);
	const char *key;
	uplink_lane_t *l;
	long at;
	int r;

	if (!n->signer || !*n->signer || n->seq == 0) {
		log_warnx("%s could not take a frame: %s: %s", u->conf->endpoint, reason, detail);
		return;
	}
	if (!lnob_valid_id(n->signer)) {
		log_warnx("ignoring a NACK naming an invalid signer");
		return;
	}
	l = uplink_lane_of(u, n->signer, &key);
	at = uplink_flight_find(l, key, n->seq);
	if (n->retryable) {
		uint32_t delay;

		if (at < 0 || l->fl[at].done || l->fl[at].acked)
			return;   /* not in flight: it goes again in order anyway */
		l->fl[at].tries++;
		delay = u->conf->backoff_min_ms +
			s_backoff_ms(u->conf->backoff_min_ms, u->conf->backoff_max_ms, l->fl[at].tries);
		l->fl[at].resend_at = lnob_mono_ms() + delay;
		if (l->fl[at].tries == 1)
			log_warnx("%s seq %" PRIu64 " refused for now (%s: %s); retrying in %" PRIu32 " ms",
				  n->signer, n->seq, reason, detail, delay);
		else
			log_debug("%s seq %" PRIu64 " refused again (%s); retrying in %" PRIu32 " ms",
				  n->signer, n->seq, reason, delay);
		return;
	}
	if (l == &u->own)
		r = outbox_park(u->ob, n->seq, n->reason, detail, lnob_now_ms());
	else
		r = outbox_relay_park(u->ob, n->signer, n->seq, n->reason, detail, lnob_now_ms());
	if (r == 0)
		log_warnx("parked %s%s seq %" PRIu64 ": %s: %s", l == &u->own ? "" : "relayed ",
			  n->signer, n->seq, reason, detail);
	else if (r == LNOB_E_NOTFOUND)
		log_debug("NACK for %s seq %" PRIu64 " not queued (already acked or parked)",
			  n->signer, n->seq);
	else
		log_warnx("cannot park %s seq %" PRIu64 " (%s: %s): %s", n->signer, n->seq, reason,
			  detail, lnob_strerror(r));
	if (r != 0 && r != LNOB_E_NOTFOUND)
		return;   /* stays in flight; resent later, refused and parked again */
	(void)uplink_flight_done(u, n->signer, n->seq);
}

/* Text of a limit for the log: "1024 bytes" or "(not said)", into out[32]. */
static const char *s_limit_text(uint64_t v, char out[32])
{
	if (v)
		snprintf(out, 32, "%" PRIu64 " bytes", v);
	else
		snprintf(out, 32, "(not said)");
	return out;
}

/* Upstream said its limits in a heartbeat (0: not said): they bound what
 * is sent from now on (outbox_fits()). When they changed they are
 * recorded in the outbox, for `submit` and for the next start, and
 * passed to the relay, which advertises them downward. A failed record
 * is tried again at the next heartbeat. */
static void s_on_limits(uplink_t *u, uint64_t max_body, uint64_t max_frame)
{
	char b[32], fr[32];
	int r;

	if (max_body != u->lim.max_body || max_frame != u->lim.max_frame ||
	    u->lim.learned_at_ms == 0) {
		u->lim.max_body = max_body;
		u->lim.max_frame = max_frame;
		u->lim.learned_at_ms = lnob_now_ms();
		log_info("%s takes envelope bodies up to %s and frames up to %s; this node sends "
			 "bodies up to %zu bytes", u->conf->endpoint, s_limit_text(max_body, b),
			 s_limit_text(max_frame, fr), outbox_max_body(&u->lim));
		if (u->relay)
			relay_set_upstream_limits(u->relay, &u->lim);
	}
	if (u->lim.max_body == u->lim_saved.max_body && u->lim.max_frame == u->lim_saved.max_frame &&
	    u->lim_saved.learned_at_ms > 0)
		return;
	if ((r = outbox_put_limits(u->ob, &u->lim)) < 0) {
		log_warnx("recording the upstream's limits in the outbox: %s", lnob_strerror(r));
		return;
	}
	u->lim_saved = u->lim;
}

/* Handles one message from the aggregator. */
static void s_on_frame(uplink_t *u, const uint8_t *buf, size_t len)
{
	ProtobufCMessage *m;
	Lnob__Frame *f;

	u->last_rx = lnob_mono_ms();
	u->state.last_contact_ms = lnob_now_ms();
	u->attempt = 0;
	if (!u->spoke) {
		log_info("%s answered; sending", u->conf->endpoint);
		u->spoke = true;
		uplink_keys_answered(u);
	}
	if (codec_unpack(&lnob__frame__descriptor, buf, len, UPLINK_MAX_FRAME, &m) < 0) {
		log_warnx("undecodable frame from %s (%zu bytes); ignored", u->conf->endpoint, len);
		return;
	}
	f = (Lnob__Frame *)m;
	switch (f->msg_case) {
	case LNOB__FRAME__MSG_HEARTBEAT:
		u->credit = f->heartbeat->credit;
		s_on_limits(u, f->heartbeat->max_body, f->heartbeat->max_frame);
		outbox_set_custody_upstream(u->ob, f->heartbeat->custody);
		break;
	case LNOB__FRAME__MSG_RECEIPT:
		uplink_on_receipt(u, f->receipt);
		break;
	case LNOB__FRAME__MSG_ACKS:
		for (size_t i = 0; i < f->acks->n_acks; i++) {
			const Lnob__Ack *a = f->acks->acks[i];

			if (a->signer && a->signer[0] && a->seq > 0)
				s_ack_push(u, a->signer, a->seq);
			else
				log_debug("ignoring an ack without signer or seq");
		}
		u->credit = f->acks->credit;
		break;
	case LNOB__FRAME__MSG_NACK:
		s_on_nack(u, f->nack);
		break;
	case LNOB__FRAME__MSG_METADATA:
		uplink_on_metadata(u, f->metadata);
		break;
	default:
		log_warnx("unexpected frame (case %d) from %s; ignored", (int)f->msg_case,
			  u->conf->endpoint);
		break;
	}
	protobuf_c_message_free_unpacked(m, NULL);
}

/* Takes the frames waiting on the socket (at most S_RECV_BATCH). */
static void s_recv_all(uplink_t *u)
{
	for (int i = 0; i < S_RECV_BATCH; i++) {
		zmq_msg_t m;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, u->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return;
		}
		if (zmq_msg_more(&m)) {
			log_warnx("multi-part message from %s; dropped", u->conf->endpoint);
			s_drop_rest(u->sock, &m);
			continue;
		}
		s_on_frame(u, zmq_msg_data(&m), zmq_msg_size(&m));
		zmq_msg_close(&m);
	}
}

/* Whether the acks waiting must be committed now (UPLINK_ACK_HOLD): with
 * force, or enough of them, or the oldest waited long enough. */
static bool s_acks_due(const uplink_t *u, bool force, int64_t now)
{
	size_t n = u->nacks + u->nracks;

	return n > 0 && (force || n >= (size_t)u->conf->window * UPLINK_ACK_HOLD ||
			 now - u->acks_since >= UPLINK_ACK_DELAY_MS);
}

/* The poll timeout that commits the acks waiting on time
 * (UPLINK_ACK_DELAY_MS): timeout, or less. */
static int s_acks_timeout(const uplink_t *u, int64_t now, int timeout)
{
	int64_t left = u->acks_since + UPLINK_ACK_DELAY_MS - now;

	if (u->nacks + u->nracks == 0 || left >= timeout)
		return timeout;
	return left <= 0 ? 0 : (int)left;
}

/* Deletes the acked items waiting (own and relayed) in one transaction
 * (with the state) and drops them from the lanes, when due (s_acks_due()).
 * On failure they are in flight again and are resent. */
static void s_flush_acks(uplink_t *u, bool force)
{
	size_t deleted = 0;
	int r;

	if (!s_acks_due(u, force, lnob_mono_ms()))
		return;
	/* The state written with the acks counts what stays in flight after. */
	u->state.in_flight = uplink_in_flight(u);
	fault_point("collector.after_ack");
	r = outbox_ack_all(u->ob, u->acks, u->nacks, u->racks, u->nracks, &u->state, &deleted);
	if (r < 0) {
		log_warnx("cannot delete %zu acked items from the outbox: %s", u->nacks + u->nracks,
			  lnob_strerror(r));
		uplink_flight_unack(u);
	} else {
		for (size_t i = 0; i < u->nacks; i++)
			uplink_flight_done(u, "", u->acks[i]);
		for (size_t i = 0; i < u->nracks; i++)
			uplink_flight_done(u, u->racks[i].signer, u->racks[i].seq);
		uplink_flight_compact(&u->own);
		uplink_flight_compact(&u->rel);
		u->state.in_flight = uplink_in_flight(u);
		u->saved = u->state;
		u->saved_at = lnob_mono_ms();
		log_debug("acked %zu own and %zu relayed (%zu deleted), %zu in flight", u->nacks,
			  u->nracks, deleted, uplink_in_flight(u));
	}
	u->nacks = 0;
	u->nracks = 0;
}

/* ---- heartbeats and state ----------------------------------------------- */

/* Sends a heartbeat with the outbox's health when one is owed (on a new
 * connection) or due (every heartbeat_ms), and the socket can take it. */
static void s_heartbeat(uplink_t *u, int64_t now)
{
	Lnob__Frame f;
	Lnob__Heartbeat hb = LNOB__HEARTBEAT__INIT;
	Lnob__Health h = LNOB__HEALTH__INIT;
	outbox_stats_t st;
	int r;

	if (!u->hello_pending && now < u->next_hb)
		return;
	if (!s_writable(u))
		return;   /* not connected yet, or full: try again next turn */
	lnob__frame__init(&f);
	if ((r = outbox_stats(u->ob, &st)) == 0) {
		h.queued = st.queued;
		h.parked = st.parked;
		h.oldest_queued_at = st.oldest_queued_at_ms;
		h.next_seq = st.next_seq;
	} else {
		log_warnx("reading the outbox: %s", lnob_strerror(r));
	}
	hb.sent_at_ms = lnob_now_ms();
	hb.health = &h;
	hb.metadata_version = colmeta_heartbeat_version(u->ob, u->conf->has_agg_sign_pk);
	if (u->relay)   /* the nodes behind it, within a quarter of a frame */
		relay_downstream(u->relay, &hb, (u->lim.max_frame ? u->lim.max_frame :
						 UPLINK_MAX_FRAME) / 4);
	f.msg_case = LNOB__FRAME__MSG_HEARTBEAT;
	f.heartbeat = &hb;
	if ((r = uplink_send_frame(u, &f)) < 0) {
		uplink_send_failed(u, r, "a heartbeat");
		return;
	}
	u->hello_pending = false;
	u->next_hb = now + u->conf->heartbeat_ms;
}

/* Writes the state when it changed, at most every S_STATE_EVERY_MS. */
static void s_save_state(uplink_t *u, int64_t now, bool force)
{
	int r;

	u->state.in_flight = uplink_in_flight(u);
	if (u->state.in_flight == u->saved.in_flight &&
	    u->state.last_contact_ms == u->saved.last_contact_ms)
		return;
	if (!force && now - u->saved_at < S_STATE_EVERY_MS)
		return;
	if ((r = outbox_put_state(u->ob, &u->state)) < 0) {
		log_warnx("recording the uplink state: %s", lnob_strerror(r));
		return;
	}
	u->saved = u->state;
	u->saved_at = now;
}

/* Clears stale LMDB reader slots (at start and every
 * UPLINK_READER_CHECK_MS). */
static void s_reader_check(uplink_t *u, int64_t now)
{
	int dead = 0, r;

	if (now < u->next_reader_check)
		return;
	u->next_reader_check = now + UPLINK_READER_CHECK_MS;
	if ((r = outbox_reader_check(u->ob, &dead)) < 0)
		log_warnx("checking the outbox's reader slots: %s", lnob_strerror(r));
	else if (dead > 0)
		log_warnx("cleared %d stale reader slot(s) left by dead processes", dead);
}

/* ---- the loop ----------------------------------------------------------- */

/* Takes a stop request from stop_fd and logs it. */
static void s_read_stop(int fd)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	if (n == (ssize_t)sizeof(si))
		log_info("%s: stopping", strsignal((int)si.ssi_signo));
	else
		log_info("stop requested");
}

/* One turn: poll, take events and frames, commit acks, serve the relay,
 * then (unless stopping) keep the connection alive and send. Sets *stop on
 * a request. */
static void s_turn(uplink_t *u, int stop_fd, bool *stop)
{
	zmq_pollitem_t items[4 + RELAY_POLL_ITEMS];
	int n = 0, timeout = S_POLL_MAX_MS, sock_at = -1, mon_at = -1, relay_at = -1;
	http_t *http = u->conf->http;
	int64_t now = lnob_mono_ms();

	items[n++] = (zmq_pollitem_t){ NULL, stop_fd, ZMQ_POLLIN, 0 };
	if (u->sock) {
		sock_at = n;
		items[n++] = (zmq_pollitem_t){ u->sock, 0, (short)(ZMQ_POLLIN |
						(u->blocked ? ZMQ_POLLOUT : 0)), 0 };
		mon_at = n;
		items[n++] = (zmq_pollitem_t){ u->mon, 0, ZMQ_POLLIN, 0 };
	} else if (u->reconnect_at - now < timeout) {
		timeout = u->reconnect_at > now ? (int)(u->reconnect_at - now) : 0;
	}
	timeout = s_acks_timeout(u, now, timeout);
	if (u->relay) {
		relay_at = n;
		relay_poll_items(u->relay, &items[n]);
		n += RELAY_POLL_ITEMS;
	}
	if (http) {
		long t = http_timeout_ms(http);

		if (t >= 0 && t < timeout)
			timeout = (int)t;
		items[n++] = (zmq_pollitem_t){ NULL, http_fd(http), ZMQ_POLLIN, 0 };
	}
	if (zmq_poll(items, n, timeout) < 0 && errno != EINTR) {
		log_warnx("zmq_poll: %s", zmq_strerror(errno));
		return;
	}
	if (items[0].revents & ZMQ_POLLIN) {
		s_read_stop(stop_fd);
		*stop = true;
	}
	if (mon_at >= 0 && (items[mon_at].revents & ZMQ_POLLIN))
		s_monitor_events(u);
	if (sock_at >= 0) {
		if (items[sock_at].revents & ZMQ_POLLOUT)
			u->blocked = false;
		s_recv_all(u);
	}
	s_flush_acks(u, false);
	if (relay_at >= 0) {
		/* New custody items may sort below the cursor: scan from the start
		 * (what is in flight is skipped). That scan would walk over the
		 * acked items waiting for their deletion: commit it first. */
		if (relay_handle(u->relay, &items[relay_at]) > 0) {
			s_flush_acks(u, true);
			uplink_lane_rewind(&u->rel);
		}
		relay_tick(u->relay, false);
	}
	if (http)
		http_run(http);   /* what is ready, and its timeouts */
	if (*stop)
		return;
	now = lnob_mono_ms();
	s_reader_check(u, now);
	if (!u->sock) {
		if (now >= u->reconnect_at && s_open_socket(u) < 0)
			s_reconnect_later(u, "cannot make a socket");
		s_save_state(u, now, false);
		return;
	}
	if (now - u->last_rx >= u->conf->dead_after_ms) {
		char why[128];

		snprintf(why, sizeof(why), "no word from upstream for %" PRIu32 " ms",
			 u->conf->dead_after_ms);
		s_reconnect_later(u, why);
		return;
	}
	s_heartbeat(u, now);
	uplink_resend_due(u, now);
	uplink_send_new(u, now);
	s_save_state(u, now, false);
}

int uplink_run(const uplink_conf_t *conf, const relay_conf_t *relay, const identity_t *id,
	       outbox_t *ob, int stop_fd)
{
	uplink_t u;
	outbox_stats_t st;
	bool stop = false;
	int rc = 0;

	assert(conf && id && ob && conf->window >= 1);
	memset(&u, 0, sizeof(u));
	u.conf = conf;
	u.id = id;
	u.ob = ob;
	u.own.more = u.rel.more = true;
	u.rel.relayed = true;
	uplink_keys_init(&u);
	s_reader_check(&u, lnob_mono_ms());
	if (outbox_stats(ob, &st) == 0) {
		u.state = st.state;
		u.state.in_flight = 0;
		u.saved = st.state;
		/* Until upstream speaks nothing is sent; its last word stands. */
		u.lim = st.limits;
		u.lim_saved = st.limits;
		log_info("outbox: %" PRIu64 " queued (%" PRIu64 " own, %" PRIu64 " relayed), %"
			 PRIu64 " parked, next seq %" PRIu64, st.queued, st.queued_own,
			 st.queued_relayed, st.parked, st.next_seq);
	}
	if (outbox_requeue_gen(ob, &u.requeue_gen) < 0)
		u.requeue_gen = 0;
	u.own.fl = calloc(uplink_lane_cap(&u), sizeof(*u.own.fl));
	u.rel.fl = calloc(uplink_lane_cap(&u), sizeof(*u.rel.fl));
	if (!u.own.fl || !u.rel.fl) {
		log_warnx("out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (!(u.ctx = zmq_ctx_new())) {
		log_warnx("zmq_ctx_new: %s", zmq_strerror(errno));
		rc = LNOB_E_ZMQ;
		goto out;
	}
	if (relay && !(u.relay = relay_new(u.ctx, relay, id, ob))) {
		rc = LNOB_E_ZMQ;
		goto out;
	}
	u.reconnect_at = lnob_mono_ms();
	notify_ready(relay ? "sending upstream, relaying" : "sending upstream");
	while (!stop) {
		s_turn(&u, stop_fd, &stop);
		notify_watchdog();
	}
	notify_stopping();
	/* Frames that arrived meanwhile: take them, and commit the acks. */
	if (u.sock)
		s_recv_all(&u);
	s_flush_acks(&u, true);
	if (u.relay)
		relay_handle(u.relay, NULL);
	s_close_socket(&u);
	s_save_state(&u, lnob_mono_ms(), true);
out:
	relay_destroy(&u.relay);
	if (u.ctx && zmq_ctx_term(u.ctx) != 0)
		log_warnx("zmq_ctx_term: %s", zmq_strerror(errno));
	free(u.own.fl);
	free(u.rel.fl);
	free(u.acks);
	free(u.racks);
	if (rc == 0)
		log_info("stopped");
	return rc;
}
