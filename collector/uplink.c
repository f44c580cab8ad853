/* uplink.c: the collector's send loop over a ZeroMQ DEALER with CURVE
 * (see uplink.h for the protocol). */
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
#include "fault.h"
#include "lnob_err.h"
#include "log.h"
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

/* One envelope in flight. */
typedef struct s_flight {
	char signer[LNOB_ID_MAX + 1];   /* "" in the own lane */
	uint64_t seq;
	int64_t resend_at;   /* monotonic ms when it is sent again */
	uint32_t tries;      /* retryable NACKs in a row */
	bool done;           /* acked or parked: removed at the next compaction */
} s_flight_t;

/* A source of envelopes to send: own outbox items, or relayed ones. Its
 * in-flight entries are sorted by (signer, seq). */
typedef struct s_lane {
	bool relayed;
	s_flight_t *fl;      /* at most window entries */
	size_t nfl;
	bool has_cursor;     /* false: the next scan starts at the first item */
	char cur_signer[LNOB_ID_MAX + 1];
	uint64_t cur_seq;    /* (cur_signer, cur_seq): the last item the scan passed */
	bool more;           /* the queue may hold items past the cursor */
} s_lane_t;

typedef struct uplink {
	const uplink_conf_t *conf;
	const identity_t *id;
	outbox_t *ob;
	relay_t *relay;           /* NULL unless [relay] listen is set */
	void *ctx;
	void *sock;               /* the DEALER, NULL while backing off */
	void *mon;                /* PAIR reading the DEALER's monitor events */
	unsigned serial;          /* makes each monitor endpoint unique */
	bool connected;           /* a CURVE handshake succeeded, no disconnect since */
	bool hello_pending;       /* a heartbeat is owed on this connection */
	bool blocked;             /* the last send hit EAGAIN: wait for POLLOUT */
	bool spoke;               /* upstream spoke since the socket was made */
	bool warned_handshake;    /* a failed handshake was logged on this socket */
	int64_t last_rx;          /* monotonic ms of the last frame (or socket creation) */
	int64_t next_hb;          /* monotonic ms of the next heartbeat */
	int64_t next_poll;        /* monotonic ms of the next outbox look when idle */
	int64_t next_reader_check;/* monotonic ms of the next mdb_reader_check */
	int64_t reconnect_at;     /* monotonic ms; meaningful while !sock */
	uint32_t attempt;         /* reconnects since the last contact */
	uint32_t credit;          /* upstream's latest grant */
	uint64_t requeue_gen;     /* the outbox's "requeue_gen" as last seen */
	s_lane_t own, rel;        /* the two lanes */
	bool rel_first;           /* which lane scans first (alternates) */
	uint64_t *acks;           /* own seqs acked this loop turn */
	size_t nacks, acks_cap;
	outbox_ref_t *racks;      /* relayed (signer, seq) acked this loop turn */
	size_t nracks, racks_cap;
	outbox_state_t state;     /* current */
	outbox_state_t saved;     /* as last written */
	int64_t saved_at;         /* monotonic ms of that write */
	outbox_limits_t lim;      /* what upstream last said it takes */
	outbox_limits_t lim_saved;/* as recorded in the outbox */
} uplink_t;

/* ---- helpers --------------------------------------------------------- */

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
static const char *s_reason_name(int reason)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&lnob__nack_reason__descriptor, reason);

	return v ? v->name : "NACK_?";
}

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
static s_lane_t *s_lane_of(uplink_t *u, const char *signer, const char **ret_signer)
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
static size_t s_flight_pos(const s_lane_t *l, const char *signer, uint64_t seq, bool *found)
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
static long s_flight_find(const s_lane_t *l, const char *signer, uint64_t seq)
{
	bool found;
	size_t at = s_flight_pos(l, signer, seq, &found);

	return found ? (long)at : -1;
}

/* Puts (signer, seq) in flight, keeping the order. The caller has checked
 * it is not in flight and that there is room. */
static void s_flight_add(uplink_t *u, s_lane_t *l, const char *signer, uint64_t seq,
			 int64_t resend_at)
{
	bool found;
	size_t at = s_flight_pos(l, signer, seq, &found);
	s_flight_t *e;

	assert(!found && l->nfl < u->conf->window);
	memmove(&l->fl[at + 1], &l->fl[at], (l->nfl - at) * sizeof(l->fl[0]));
	e = &l->fl[at];
	memset(e, 0, sizeof(*e));
	lnob_strlcpy(e->signer, signer, sizeof(e->signer));
	e->seq = seq;
	e->resend_at = resend_at;
	l->nfl++;
}

/* Drops the lane's entries marked done. */
static void s_flight_compact(s_lane_t *l)
{
	size_t j = 0;

	for (size_t i = 0; i < l->nfl; i++)
		if (!l->fl[i].done)
			l->fl[j++] = l->fl[i];
	l->nfl = j;
}

/* Envelopes in flight over both lanes. */
static size_t s_in_flight(const uplink_t *u)
{
	return u->own.nfl + u->rel.nfl;
}

/* The next scan of the lane starts from its first item. */
static void s_lane_rewind(s_lane_t *l)
{
	l->has_cursor = false;
	l->cur_signer[0] = '\0';
	l->cur_seq = 0;
	l->more = true;
}

/* Everything in flight becomes unsent, as after a lost connection. */
static void s_flight_reset(uplink_t *u)
{
	u->own.nfl = 0;
	u->rel.nfl = 0;
	s_lane_rewind(&u->own);
	s_lane_rewind(&u->rel);
	u->credit = 0;
}

/* Sends one Frame with ZMQ_DONTWAIT. Returns 0, -EAGAIN or another -errno. */
static int s_send_frame(uplink_t *u, const Lnob__Frame *f)
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

/* Sends one stored Envelope as Frame{envelope}, byte for byte. */
static int s_send_envelope(uplink_t *u, const uint8_t *env, size_t len)
{
	Lnob__Frame f;
	int r;

	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_ENVELOPE;
	f.envelope.data = (uint8_t *)env;
	f.envelope.len = len;
	if ((r = s_send_frame(u, &f)) == 0)
		fault_point("collector.after_send");
	return r;
}

/* Handles a send error other than success: EAGAIN marks the socket blocked;
 * anything else is logged. Returns r. */
static int s_send_failed(uplink_t *u, int r, const char *what)
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

/* ---- socket lifecycle ------------------------------------------------ */

/* zmq_setsockopt() for an int option. Returns 0 or -1 (errno set). */
static int s_setopt_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof(v));
}

/* Makes a fresh DEALER (and its monitor) and connects it. Returns 0 or
 * LNOB_E_ZMQ (logged; the caller backs off and tries again). */
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
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, c->server_curve_pk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, u->id->pub.curve_pk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, u->id->curve_sk, 32) != 0 ||
	    s_setopt_int(s, ZMQ_IMMEDIATE, 1) != 0 ||
	    s_setopt_int(s, ZMQ_LINGER, S_LINGER_MS) != 0 ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) != 0 ||
	    s_setopt_int(s, ZMQ_SNDHWM, (int)c->window + 64) != 0 ||
	    s_setopt_int(s, ZMQ_RECONNECT_IVL, (int)(c->backoff_min_ms + jitter)) != 0 ||
	    s_setopt_int(s, ZMQ_RECONNECT_IVL_MAX, (int)c->backoff_max_ms) != 0 ||
	    s_setopt_int(s, ZMQ_HEARTBEAT_IVL, (int)c->heartbeat_ms) != 0 ||
	    s_setopt_int(s, ZMQ_HEARTBEAT_TIMEOUT, (int)c->dead_after_ms) != 0 ||
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
	s_flight_reset(u);
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
	s_flight_reset(u);
}

/* Closes the socket and schedules the next one after a jittered back-off. */
static void s_reconnect_later(uplink_t *u, const char *why)
{
	uint32_t delay = s_backoff_ms(u->conf->backoff_min_ms, u->conf->backoff_max_ms,
				      u->attempt);

	s_close_socket(u);
	u->attempt++;
	u->reconnect_at = lnob_mono_ms() + delay;
	log_warnx("%s; reconnecting to %s in %" PRIu32 " ms (attempt %" PRIu32 ")", why,
		  u->conf->endpoint, delay, u->attempt);
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
		/* Drop the endpoint part (and any other part). */
		while (zmq_msg_more(&m)) {
			zmq_msg_close(&m);
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, u->mon, 0) < 0)
				break;
		}
		zmq_msg_close(&m);
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
					  u->conf->endpoint, s_in_flight(u));
			u->connected = false;
			u->hello_pending = true;
			s_flight_reset(u);
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

/* ---- frames from the aggregator --------------------------------------- */

/* Remembers an acked (signer, seq) for the ack transaction of this loop
 * turn; own ones by seq, relayed ones by (signer, seq). When memory runs
 * out the ack is dropped: the item is resent and acked again. */
static void s_ack_push(uplink_t *u, const char *signer, uint64_t seq)
{
	const char *key;
	s_lane_t *l = s_lane_of(u, signer, &key);

	if (l == &u->own) {
		if (u->nacks == u->acks_cap) {
			size_t cap = u->acks_cap ? u->acks_cap * 2 : 256;
			uint64_t *na = realloc(u->acks, cap * sizeof(*na));

			if (!na)
				return;
			u->acks = na;
			u->acks_cap = cap;
		}
		u->acks[u->nacks++] = seq;
		return;
	}
	if (!lnob_valid_id(signer))
		return;
	if (u->nracks == u->racks_cap) {
		size_t cap = u->racks_cap ? u->racks_cap * 2 : 256;
		outbox_ref_t *na = realloc(u->racks, cap * sizeof(*na));

		if (!na)
			return;
		u->racks = na;
		u->racks_cap = cap;
	}
	lnob_strlcpy(u->racks[u->nracks].signer, signer, sizeof(u->racks[0].signer));
	u->racks[u->nracks].seq = seq;
	u->nracks++;
}

/* A refusal: non-retryable parks the item (it leaves flight), retryable
 * schedules a resend after a jittered back-off growing with each refusal;
 * one without signer/seq (an undecodable frame) is only logged. */
static void s_on_nack(uplink_t *u, const Lnob__Nack *n)
{
	const char *reason = s_reason_name(n->reason);
	const char *detail = n->detail ? n->detail : "";
	const char *key;
	s_lane_t *l;
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
	l = s_lane_of(u, n->signer, &key);
	at = s_flight_find(l, key, n->seq);
	if (n->retryable) {
		uint32_t delay;

		if (at < 0 || l->fl[at].done)
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
	if (at >= 0)
		l->fl[at].done = true;
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
			while (zmq_msg_more(&m)) {
				zmq_msg_close(&m);
				zmq_msg_init(&m);
				if (zmq_msg_recv(&m, u->sock, 0) < 0)
					break;
			}
			zmq_msg_close(&m);
			continue;
		}
		s_on_frame(u, zmq_msg_data(&m), zmq_msg_size(&m));
		zmq_msg_close(&m);
	}
}

/* Marks (signer, seq) of the lane of signer done; returns whether it was
 * in flight and not done yet. */
static bool s_flight_done(uplink_t *u, const char *signer, uint64_t seq)
{
	const char *key;
	s_lane_t *l = s_lane_of(u, signer, &key);
	long at = s_flight_find(l, key, seq);

	if (at < 0 || l->fl[at].done)
		return false;
	l->fl[at].done = true;
	return true;
}

/* Deletes this turn's acked items (own and relayed) in one transaction
 * (with the state) and drops them from flight. On failure they stay in
 * flight and are resent. */
static void s_flush_acks(uplink_t *u)
{
	size_t deleted = 0, leaving = 0;
	int r;

	if (u->nacks == 0 && u->nracks == 0)
		return;
	/* The state written with the acks counts what stays in flight after. */
	for (size_t i = 0; i < u->nacks; i++) {
		long at = s_flight_find(&u->own, "", u->acks[i]);
		if (at >= 0 && !u->own.fl[at].done)
			leaving++;
	}
	for (size_t i = 0; i < u->nracks; i++) {
		long at = s_flight_find(&u->rel, u->racks[i].signer, u->racks[i].seq);
		if (at >= 0 && !u->rel.fl[at].done)
			leaving++;
	}
	u->state.in_flight = s_in_flight(u) > leaving ? s_in_flight(u) - leaving : 0;
	fault_point("collector.after_ack");
	r = outbox_ack_all(u->ob, u->acks, u->nacks, u->racks, u->nracks, &u->state, &deleted);
	if (r < 0) {
		log_warnx("cannot delete %zu acked items from the outbox: %s", u->nacks + u->nracks,
			  lnob_strerror(r));
	} else {
		for (size_t i = 0; i < u->nacks; i++)
			s_flight_done(u, "", u->acks[i]);
		for (size_t i = 0; i < u->nracks; i++)
			s_flight_done(u, u->racks[i].signer, u->racks[i].seq);
		s_flight_compact(&u->own);
		s_flight_compact(&u->rel);
		u->state.in_flight = s_in_flight(u);
		u->saved = u->state;
		u->saved_at = lnob_mono_ms();
		log_debug("acked %zu own and %zu relayed (%zu deleted), %zu in flight", u->nacks,
			  u->nracks, deleted, s_in_flight(u));
	}
	u->nacks = 0;
	u->nracks = 0;
}

/* ---- sending ---------------------------------------------------------- */

/* Parks (signer, seq) of lane l locally with reason and detail instead of
 * sending it (relayed ones with their origin signer, like upstream's
 * refusals); logs it. Returns 0 when it left the queue (parked, or gone
 * meanwhile), else the store's code (it stays queued; tried again at
 * the next scan). */
static int s_park_local(uplink_t *u, const s_lane_t *l, const char *signer, uint64_t seq,
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
			  seq, s_reason_name(reason), detail);
	else if (r != LNOB_E_NOTFOUND)
		log_warnx("cannot park %s seq %" PRIu64 " (%s: %s): %s",
			  l->relayed ? signer : u->id->pub.node_id, seq, s_reason_name(reason), detail,
			  lnob_strerror(r));
	return r == LNOB_E_NOTFOUND ? 0 : r;
}

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
	f.msg_case = LNOB__FRAME__MSG_HEARTBEAT;
	f.heartbeat = &hb;
	if ((r = s_send_frame(u, &f)) < 0) {
		s_send_failed(u, r, "a heartbeat");
		return;
	}
	u->hello_pending = false;
	u->next_hb = now + u->conf->heartbeat_ms;
}

/* Sends again what of lane l has waited too long for an answer; returns
 * how many went. */
static size_t s_resend_lane(uplink_t *u, s_lane_t *l, int64_t now)
{
	size_t resent = 0;

	for (size_t i = 0; i < l->nfl && !u->blocked; i++) {
		s_flight_t *e = &l->fl[i];
		uint8_t *env;
		size_t len;
		char why[160];
		int r;

		if (e->done || e->resend_at > now)
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
			s_send_failed(u, r, "an envelope");
			break;
		}
		e->resend_at = now + u->conf->resend_after_ms;
		resent++;
	}
	s_flight_compact(l);
	return resent;
}

/* Sends again what has waited too long for an answer. */
static void s_resend_due(uplink_t *u, int64_t now)
{
	size_t resent = s_resend_lane(u, &u->own, now);

	resent += s_resend_lane(u, &u->rel, now);
	if (resent)
		log_info("sent %zu unanswered envelopes again", resent);
}

/* Context of one outbox scan. */
typedef struct s_scan {
	uplink_t *u;
	s_lane_t *l;
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
	s_lane_t *l = sc->l;
	char why[160];
	int r = 0;

	if (s_flight_find(l, signer, seq) >= 0)
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
		s_send_failed(u, r, "an envelope");
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
static size_t s_send_lane(uplink_t *u, s_lane_t *l, size_t budget, int64_t now)
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
	s_lane_rewind(&u->own);
	s_lane_rewind(&u->rel);
}

/* Sends queued items past the cursors, as far as window and credit allow,
 * sharing what is free between the lanes. */
static void s_send_new(uplink_t *u, int64_t now)
{
	size_t limit = u->conf->window < u->credit ? u->conf->window : u->credit;
	bool poll = now >= u->next_poll;
	s_lane_t *first, *second;
	size_t free_slots, share;

	if (u->blocked || s_in_flight(u) >= limit)
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
	free_slots = limit - s_in_flight(u);
	share = second->more ? (free_slots + 1) / 2 : free_slots;
	if (first->more)
		s_send_lane(u, first, share, now);
	if (second->more && s_in_flight(u) < limit)
		s_send_lane(u, second, limit - s_in_flight(u), now);
	if (first->more && s_in_flight(u) < limit)
		s_send_lane(u, first, limit - s_in_flight(u), now);
	if (poll || (!u->own.more && !u->rel.more))
		u->next_poll = now + UPLINK_OUTBOX_POLL_MS;
}

/* Writes the state when it changed, at most every S_STATE_EVERY_MS. */
static void s_save_state(uplink_t *u, int64_t now, bool force)
{
	int r;

	u->state.in_flight = s_in_flight(u);
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

/* ---- the loop --------------------------------------------------------- */

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
	zmq_pollitem_t items[3 + RELAY_POLL_ITEMS];
	int n = 0, timeout = S_POLL_MAX_MS, sock_at = -1, mon_at = -1, relay_at = -1;
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
	if (u->relay) {
		relay_at = n;
		relay_poll_items(u->relay, &items[n]);
		n += RELAY_POLL_ITEMS;
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
	s_flush_acks(u);
	if (relay_at >= 0) {
		/* New custody items may sort below the cursor: scan from the start
		 * (what is in flight is skipped). */
		if (relay_handle(u->relay, &items[relay_at]) > 0)
			s_lane_rewind(&u->rel);
		relay_tick(u->relay, false);
	}
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
	s_resend_due(u, now);
	s_send_new(u, now);
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
	u.own.fl = calloc(conf->window, sizeof(*u.own.fl));
	u.rel.fl = calloc(conf->window, sizeof(*u.rel.fl));
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
	while (!stop)
		s_turn(&u, stop_fd, &stop);
	/* Frames that arrived meanwhile: take them and commit their acks. */
	if (u.sock) {
		s_recv_all(&u);
		s_flush_acks(&u);
	}
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
