/* router.c: the receiving end of the link, one ROUTER behind ZAP (see
 * router.h). */
#include "router.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "codec.h"
#include "envelope.h"
#include "lnob_err.h"
#include "ratelim.h"
#include "util.h"

#ifdef LNOB_FAULT_INJECTION
#include <unistd.h>
#endif

#define S_ROUTING_ID_MAX 256
/* Refusals are logged at most once per (node, reason) this often. */
#define S_REFUSAL_LOG_MS 1000
/* Tries of one socket call that signals keep interrupting. */
#define S_EINTR_TRIES 100

/* A line to one of the owner's sinks (dropped when it has none). */
#define S_LOG(self, level, ...)                                   \
	do {                                                      \
		if ((self)->conf->log.level)                      \
			(self)->conf->log.level(__VA_ARGS__);     \
	} while (0)

/* A peer: what the owner sees first, so that a router_peer_t * is an
 * s_peer_t *. */
typedef struct s_peer {
	router_peer_t pub;
	uint8_t rid[S_ROUTING_ID_MAX];
	size_t rid_len;
} s_peer_t;

#ifdef LNOB_FAULT_INJECTION
/* LNOB_FAULT_ROUTER (router.h): which call fails, counted from 1; 0: none. */
typedef struct s_fault {
	unsigned long send_eintr, recv_eintr, send_cut;
	unsigned long sends, recvs, answers;
} s_fault_t;
#endif

struct router {
	const router_conf_t *conf;
	const char *pfx;              /* conf->log_prefix or "" */
	void *sock;
	zap_t *zap;
	s_peer_t **peers;             /* each allocated alone: owners point at them */
	size_t npeers, cap_peers;
	uint32_t credit;
	uint64_t max_body;
	ratelim_t *refusals;
	ratelim_t *zap_denials;       /* one key: ZAP's denials, whoever they were */
	char bound[256];
#ifdef LNOB_FAULT_INJECTION
	s_fault_t fault;
#endif
};

/* ---- fault injection --------------------------------------------------- */

#ifdef LNOB_FAULT_INJECTION
/* Reads LNOB_FAULT_ROUTER: "send_eintr:<n>,recv_eintr:<n>,send_cut:<n>",
 * any of them; a term it does not know is ignored. */
static void s_fault_init(s_fault_t *f)
{
	const char *spec = getenv("LNOB_FAULT_ROUTER");

	memset(f, 0, sizeof(*f));
	while (spec && *spec) {
		unsigned long n = 0;
		size_t len = strcspn(spec, ":,");

		if (spec[len] == ':')
			n = strtoul(spec + len + 1, NULL, 10);
		if (len == 10 && strncmp(spec, "send_eintr", len) == 0)
			f->send_eintr = n;
		else if (len == 10 && strncmp(spec, "recv_eintr", len) == 0)
			f->recv_eintr = n;
		else if (len == 8 && strncmp(spec, "send_cut", len) == 0)
			f->send_cut = n;
		spec = strchr(spec, ',');
		spec = spec ? spec + 1 : NULL;
	}
}

/* Counts one call in *count; true (once) when it is the armed one *want,
 * said on stderr, unbuffered. */
static bool s_fault_hit(unsigned long *want, unsigned long *count, const char *what)
{
	char msg[96];
	int len;

	++*count;
	if (*want == 0 || *count != *want)
		return false;
	*want = 0;
	len = snprintf(msg, sizeof(msg), "fault injection: router %s at %lu\n", what, *count);
	if (len > 0)
		(void)!write(2, msg, (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg) - 1);
	return true;
}
#endif

/* zmq_send() with ZMQ_DONTWAIT (or an injected EINTR). */
static int s_zsend(router_t *self, const void *buf, size_t len, int flags)
{
#ifdef LNOB_FAULT_INJECTION
	if (s_fault_hit(&self->fault.send_eintr, &self->fault.sends, "send_eintr")) {
		errno = EINTR;
		return -1;
	}
#endif
	return zmq_send(self->sock, buf, len, flags | ZMQ_DONTWAIT);
}

/* zmq_msg_recv() with ZMQ_DONTWAIT (or an injected EINTR). */
static int s_zrecv(router_t *self, zmq_msg_t *m)
{
#ifdef LNOB_FAULT_INJECTION
	if (s_fault_hit(&self->fault.recv_eintr, &self->fault.recvs, "recv_eintr")) {
		errno = EINTR;
		return -1;
	}
#endif
	return zmq_msg_recv(m, self->sock, ZMQ_DONTWAIT);
}

/* Whether the Frame part of the answer whose routing id just went is to
 * fail (an injected EAGAIN). */
static bool s_cut(router_t *self)
{
#ifdef LNOB_FAULT_INJECTION
	if (s_fault_hit(&self->fault.send_cut, &self->fault.answers, "send_cut")) {
		errno = EAGAIN;
		return true;
	}
#else
	(void)self;
#endif
	return false;
}

/* ---- sending and receiving --------------------------------------------- */

/* One part, tried again while a signal interrupts it. Returns what
 * zmq_send() returns (errno set on failure). */
static int s_send_part(router_t *self, const void *buf, size_t len, int flags)
{
	int r = -1;

	for (int i = 0; i < S_EINTR_TRIES; i++) {
		r = s_zsend(self, buf, len, flags);
		if (r >= 0 || errno != EINTR)
			break;
	}
	return r;
}

/* One part received, tried again while a signal interrupts it. Returns
 * what zmq_msg_recv() returns (errno set on failure). */
static int s_recv_part(router_t *self, zmq_msg_t *m)
{
	int r = -1;

	for (int i = 0; i < S_EINTR_TRIES; i++) {
		r = s_zrecv(self, m);
		if (r >= 0 || errno != EINTR)
			break;
	}
	return r;
}

int router_send(router_t *self, const router_peer_t *p, const Lnob__Frame *f)
{
	const s_peer_t *sp = (const s_peer_t *)p;
	uint8_t *buf;
	size_t len;
	bool begun;
	int r = 0;

	assert(self && p && f);
	if (codec_pack(&f->base, &buf, &len) < 0)
		return -ENOMEM;
	begun = s_send_part(self, sp->rid, sp->rid_len, ZMQ_SNDMORE) >= 0;
	if (!begun || s_cut(self) || s_send_part(self, buf, len, 0) < 0) {
		r = errno ? -errno : -EAGAIN;
		S_LOG(self, debug, "answer to %s dropped: %s", p->node_id, zmq_strerror(errno));
		/* End the message begun, so the next answer is not glued to it
		 * (its receiver drops a message of more than one part). */
		if (begun)
			(void)s_send_part(self, "", 0, 0);
	}
	free(buf);
	return r;
}

int router_send_to(router_t *self, const char *node_id, int64_t since_ms, const Lnob__Frame *f)
{
	const router_peer_t *best = NULL;

	assert(self && node_id && f);
	for (size_t i = 0; i < self->npeers; i++) {
		const router_peer_t *p = &self->peers[i]->pub;

		if (strcmp(p->node_id, node_id) == 0 && p->last_seen_ms >= since_ms &&
		    (!best || p->last_seen_ms > best->last_seen_ms))
			best = p;
	}
	return best ? router_send(self, best, f) : LNOB_E_NOTFOUND;
}

void router_nack(router_t *self, const router_peer_t *p, const char *signer, uint64_t seq,
		 int reason, const char *detail, bool retryable)
{
	Lnob__Frame f;
	Lnob__Nack nack = LNOB__NACK__INIT;

	nack.signer = (char *)signer;
	nack.seq = seq;
	nack.reason = (Lnob__NackReason)reason;
	nack.detail = (char *)(detail ? detail : "");
	nack.retryable = retryable;
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_NACK;
	f.nack = &nack;
	router_send(self, p, &f);
}

/* ---- refusals ------------------------------------------------------------ */

/* ratelim_fn: the refusals of one (node, reason) the log did not show. */
static void s_refusals_said(void *ctx, const char *peer, int reason, uint64_t n)
{
	router_t *self = ctx;

	S_LOG(self, warn, "refused envelopes from %s: %s: ... and %" PRIu64 " more like it in the "
	      "last second", peer[0] ? peer : "?", admit_reason_name(reason), n);
}

/* Whether a refusal of reason from p is logged now (at most one per
 * (node, reason) and S_REFUSAL_LOG_MS; the rest are said later). */
static bool s_log_refusal(router_t *self, const router_peer_t *p, int reason)
{
	return ratelim_hit(self->refusals, p->node_id, reason, lnob_mono_ms(), s_refusals_said,
			   self);
}

/* Refuses a frame that goes to no owner (over max_frame, does not decode,
 * not a sender's frame): counted by the owner, logged (rate-limited),
 * answered with a final NACK naming (signer, seq) when known ("", 0
 * otherwise). */
static void s_refuse_frame(router_t *self, const router_peer_t *p, int reason,
			   const char *signer, uint64_t seq, const char *detail)
{
	if (self->conf->handler.frame_refused)
		self->conf->handler.frame_refused(self->conf->ctx, p, reason);
	if (s_log_refusal(self, p, reason)) {
		if (signer[0])
			S_LOG(self, warn, "refused envelope (%s, %" PRIu64 ") from %s: %s: %s", signer,
			      seq, p->node_id, admit_reason_name(reason), detail);
		else
			S_LOG(self, warn, "refused a frame from %s: %s: %s", p->node_id,
			      admit_reason_name(reason), detail);
	}
	router_nack(self, p, signer, seq, reason, detail, false);
}

/* A part over max_frame (at most twice that: MAXMSGSIZE drops the
 * connection beyond): NACK_TOO_LARGE, naming (signer, seq) when the
 * envelope inside reads that far. */
static void s_frame_too_large(router_t *self, const router_peer_t *p, const uint8_t *buf,
			      size_t len)
{
	char signer[LNOB_ID_MAX + 1] = "", detail[160], whose[80] = "";
	uint64_t seq = 0;
	ProtobufCMessage *m;

	if (codec_unpack(&lnob__frame__descriptor, buf, len, len, &m) == 0) {
		Lnob__Frame *f = (Lnob__Frame *)m;

		if (f->msg_case == LNOB__FRAME__MSG_ENVELOPE &&
		    envelope_peek(f->envelope.data, f->envelope.len, signer, sizeof(signer),
				  &seq) < 0) {
			signer[0] = '\0';
			seq = 0;
		}
		lnob__frame__free_unpacked(f, NULL);
	}
	if (self->conf->self_name)
		snprintf(whose, sizeof(whose), "%s's ", self->conf->self_name);
	snprintf(detail, sizeof(detail), "frame of %zu bytes is over %smax_frame of %zu bytes",
		 len, whose, self->conf->max_frame);
	s_refuse_frame(self, p, LNOB__NACK_REASON__NACK_TOO_LARGE, signer, seq, detail);
}

/* ---- receiving ------------------------------------------------------------- */

/* A heartbeat from p: its health kept, answered at once with credit and
 * limits. */
static void s_on_heartbeat(router_t *self, router_peer_t *p, const Lnob__Heartbeat *hb)
{
	Lnob__Frame f;
	Lnob__Heartbeat out = LNOB__HEARTBEAT__INIT;

	if (hb->health) {
		lnob__health__init(&p->health);
		p->health.queued = hb->health->queued;
		p->health.parked = hb->health->parked;
		p->health.oldest_queued_at = hb->health->oldest_queued_at;
		p->health.next_seq = hb->health->next_seq;
		p->has_health = true;
	}
	p->dirty = true;
	if (hb->n_downstream > 0 && self->conf->handler.downstream)
		self->conf->handler.downstream(self->conf->ctx, p, hb);
	out.sent_at_ms = lnob_now_ms();
	out.credit = self->credit;
	out.max_body = self->max_body;
	out.max_frame = self->conf->max_frame;
	out.custody = self->conf->custody;
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_HEARTBEAT;
	f.heartbeat = &out;
	router_send(self, p, &f);
	if (self->conf->handler.heartbeat)
		self->conf->handler.heartbeat(self->conf->ctx, p, hb);
}

/* Handles one part of a message from p as a Frame of its own: an envelope
 * goes to the owner, a heartbeat is answered at once, anything else is
 * refused and answered. */
static void s_on_part(router_t *self, router_peer_t *p, const uint8_t *buf, size_t len)
{
	ProtobufCMessage *m;
	Lnob__Frame *f;
	char detail[64];

	if (len > self->conf->max_frame) {
		s_frame_too_large(self, p, buf, len);
		return;
	}
	if (codec_unpack(&lnob__frame__descriptor, buf, len, self->conf->max_frame, &m) < 0) {
		s_refuse_frame(self, p, LNOB__NACK_REASON__NACK_MALFORMED, "", 0,
			       "frame does not decode");
		return;
	}
	f = (Lnob__Frame *)m;
	switch (f->msg_case) {
	case LNOB__FRAME__MSG_ENVELOPE:
		self->conf->handler.envelope(self->conf->ctx, p, f);   /* takes f */
		return;
	case LNOB__FRAME__MSG_HEARTBEAT:
		s_on_heartbeat(self, p, f->heartbeat);
		break;
	default:
		if (f->msg_case == LNOB__FRAME__MSG_RECEIPT_ACK && self->conf->handler.receipt_ack) {
			self->conf->handler.receipt_ack(self->conf->ctx, p, f->receipt_ack);
			break;
		}
		snprintf(detail, sizeof(detail), "not a sender's frame (case %d)", (int)f->msg_case);
		s_refuse_frame(self, p, LNOB__NACK_REASON__NACK_MALFORMED, "", 0, detail);
		break;
	}
	lnob__frame__free_unpacked(f, NULL);
}

/* Finds or adds the peer with this routing id (node_id: ZAP's user id, may
 * be NULL). Sets *ret_new when it was added. NULL when out of memory. */
static s_peer_t *s_peer(router_t *self, const uint8_t *rid, size_t len, const char *node_id,
			bool *ret_new)
{
	s_peer_t *p;

	*ret_new = false;
	for (size_t i = 0; i < self->npeers; i++)
		if (self->peers[i]->rid_len == len && memcmp(self->peers[i]->rid, rid, len) == 0)
			return self->peers[i];
	if (self->npeers == self->cap_peers) {
		size_t cap = self->cap_peers ? self->cap_peers * 2 : 16;
		s_peer_t **np = realloc(self->peers, cap * sizeof(s_peer_t *));

		if (!np)
			return NULL;
		self->peers = np;
		self->cap_peers = cap;
	}
	if (!(p = calloc(1, sizeof(*p))))
		return NULL;
	self->peers[self->npeers++] = p;
	memcpy(p->rid, rid, len);
	p->rid_len = len;
	lnob_strlcpy(p->pub.node_id, node_id ? node_id : "", sizeof(p->pub.node_id));
	*ret_new = true;
	return p;
}

/* The sender of a message whose routing id is rid and first part part:
 * its peer, its contact noted. NULL when out of memory or the routing id
 * is too long (the sender sends again). */
static router_peer_t *s_contact(router_t *self, zmq_msg_t *rid, zmq_msg_t *part)
{
	s_peer_t *p = NULL;
	bool added = false;

	if (zmq_msg_size(rid) <= S_ROUTING_ID_MAX)
		p = s_peer(self, zmq_msg_data(rid), zmq_msg_size(rid),
			   zmq_msg_gets(part, "User-Id"), &added);
	if (!p)
		return NULL;
	p->pub.last_seen_ms = lnob_now_ms();
	if (self->conf->handler.contact)
		self->conf->handler.contact(self->conf->ctx, &p->pub, added);
	return &p->pub;
}

int router_recv(router_t *self)
{
	zmq_msg_t rid;
	router_peer_t *p = NULL;
	bool more, first = true;
	int parts = 1;

	assert(self);
	zmq_msg_init(&rid);
	if (s_recv_part(self, &rid) < 0) {
		int e = errno;

		zmq_msg_close(&rid);
		return e == EAGAIN ? 0 : -e;
	}
	more = zmq_msg_more(&rid);
	while (more) {
		zmq_msg_t part;

		zmq_msg_init(&part);
		if (s_recv_part(self, &part) < 0) {
			zmq_msg_close(&part);
			break;
		}
		parts++;
		more = zmq_msg_more(&part);
		if (first)
			p = s_contact(self, &rid, &part);
		first = false;
		if (p)
			s_on_part(self, p, zmq_msg_data(&part), zmq_msg_size(&part));
		zmq_msg_close(&part);
	}
	zmq_msg_close(&rid);
	return parts;
}

/* ---- batches ----------------------------------------------------------------- */

/* The NACK of verdict v, logged first (a final one rate-limited, a
 * retryable one at debug level). */
static void s_answer_nack(router_t *self, const router_verdict_t *v)
{
	const char *detail = v->detail ? v->detail : "";

	if (v->retryable)
		S_LOG(self, debug, "envelope (%s, %" PRIu64 ") from %s not stored: %s", v->signer,
		      v->seq, v->peer->node_id, detail);
	else if (s_log_refusal(self, v->peer, v->reason))
		S_LOG(self, warn, "refused envelope (%s, %" PRIu64 ") from %s: %s: %s",
		      v->signer[0] ? v->signer : "?", v->seq, v->peer->node_id,
		      admit_reason_name(v->reason), detail);
	router_nack(self, v->peer, v->signer, v->seq, v->reason, detail, v->retryable);
}

/* One Frame{acks} to the peer of v[i] with the acks of that peer from
 * v[i] on, marking them done; acks and ackp have room for n. */
static void s_answer_acks(router_t *self, const router_verdict_t *v, size_t n, size_t i,
			  bool *done, Lnob__Ack *acks, Lnob__Ack **ackp)
{
	Lnob__Frame f;
	Lnob__AckBatch batch = LNOB__ACK_BATCH__INIT;
	size_t na = 0;

	for (size_t j = i; j < n; j++) {
		if (done[j] || v[j].peer != v[i].peer)
			continue;
		done[j] = true;
		lnob__ack__init(&acks[na]);
		acks[na].signer = (char *)v[j].signer;
		acks[na].seq = v[j].seq;
		ackp[na] = &acks[na];
		na++;
	}
	batch.acks = ackp;
	batch.n_acks = na;
	batch.credit = self->credit;
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_ACKS;
	f.acks = &batch;
	router_send(self, v[i].peer, &f);
}

void router_answer(router_t *self, const router_verdict_t *v, size_t n)
{
	size_t cap = n ? n : 1;
	Lnob__Ack *acks = calloc(cap, sizeof(*acks));
	Lnob__Ack **ackp = calloc(cap, sizeof(Lnob__Ack *));
	bool *done = calloc(cap, sizeof(*done));

	assert(self && (v || n == 0));
	if (!acks || !ackp || !done)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (v[i].reason == 0)
			continue;
		done[i] = true;
		s_answer_nack(self, &v[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (!done[i])
			s_answer_acks(self, v, n, i, done, acks, ackp);
out:
	free(acks);
	free(ackp);
	free(done);
}

/* ---- peers ----------------------------------------------------------------- */

size_t router_peer_count(const router_t *self)
{
	assert(self);
	return self->npeers;
}

router_peer_t *router_peer_at(router_t *self, size_t i)
{
	assert(self && i < self->npeers);
	return &self->peers[i]->pub;
}

void router_evict(router_t *self, int64_t now_ms)
{
	const router_handler_t *h;
	size_t j = 0;

	assert(self);
	h = &self->conf->handler;
	for (size_t i = 0; i < self->npeers; i++) {
		s_peer_t *p = self->peers[i];

		if (now_ms - p->pub.last_seen_ms > ROUTER_EVICT_MS && !p->pub.dirty &&
		    !(h->busy && h->busy(self->conf->ctx, &p->pub)))
			free(p);
		else
			self->peers[j++] = p;
	}
	self->npeers = j;
}

/* ---- the loop's other parts ------------------------------------------------ */

void router_set_credit(router_t *self, uint32_t credit)
{
	assert(self);
	self->credit = credit;
}

void router_set_max_body(router_t *self, uint64_t max_body)
{
	assert(self);
	self->max_body = max_body;
}

const char *router_endpoint(const router_t *self)
{
	assert(self);
	return self->bound;
}

void router_poll_items(router_t *self, zmq_pollitem_t *items)
{
	assert(self && items);
	items[0] = (zmq_pollitem_t){ self->sock, 0, ZMQ_POLLIN, 0 };
	items[1] = (zmq_pollitem_t){ zap_socket(self->zap), 0, ZMQ_POLLIN, 0 };
}

/* ratelim_fn: ZAP's denials the log did not show one by one. */
static void s_zap_said(void *ctx, const char *peer, int reason, uint64_t n)
{
	router_t *self = ctx;

	(void)peer;
	(void)reason;
	S_LOG(self, warn, "%sZAP refused %" PRIu64 " more connection attempt(s) with unknown or "
	      "revoked keys in the last second", self->pfx, n);
}

void router_zap(router_t *self)
{
	int denied;

	assert(self);
	denied = zap_handle(self->zap);
	if (denied <= 0)
		return;
	if (ratelim_hit_n(self->zap_denials, "", 0, (uint64_t)denied, lnob_mono_ms(), s_zap_said,
			  self))
		S_LOG(self, warn, "%sZAP refused %d connection attempt(s) with unknown or revoked "
		      "keys (logged at most once a second, with a count of the rest)", self->pfx,
		      denied);
	if (self->conf->handler.zap_denied)
		self->conf->handler.zap_denied(self->conf->ctx, denied);
}

void router_tick(router_t *self)
{
	int64_t now = lnob_mono_ms();

	assert(self);
	ratelim_expire(self->refusals, now, s_refusals_said, self);
	ratelim_expire(self->zap_denials, now, s_zap_said, self);
}

/* ---- set-up ------------------------------------------------------------------ */

/* zmq_setsockopt() for an int option. */
static int s_setopt_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof(v));
}

/* The ROUTER's options (router.h). Returns 0 or -1 (errno set). */
static int s_options(void *s, const router_conf_t *c)
{
	int64_t maxmsg = 2 * (int64_t)c->max_frame;

	if (s_setopt_int(s, ZMQ_CURVE_SERVER, 1) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, c->id->curve_sk, 32) != 0 ||
	    s_setopt_int(s, ZMQ_ROUTER_MANDATORY, 1) != 0 ||
	    s_setopt_int(s, ZMQ_LINGER, ROUTER_LINGER_MS) != 0 ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) != 0 ||
	    s_setopt_int(s, ZMQ_SNDHWM, c->sndhwm) != 0 ||
	    s_setopt_int(s, ZMQ_RCVHWM, c->rcvhwm) != 0)
		return -1;
	if (c->zmtp_heartbeat_ms && s_setopt_int(s, ZMQ_HEARTBEAT_IVL, (int)c->zmtp_heartbeat_ms) != 0)
		return -1;
	if (c->zmtp_timeout_ms &&
	    (s_setopt_int(s, ZMQ_HEARTBEAT_TIMEOUT, (int)c->zmtp_timeout_ms) != 0 ||
	     s_setopt_int(s, ZMQ_HANDSHAKE_IVL, (int)c->zmtp_timeout_ms) != 0))
		return -1;
	return zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "lnob", 4);
}

/* Makes, sets up and binds the ROUTER; notes the address bound. Returns
 * 0 or -1 (logged). */
static int s_bind(router_t *self, void *zmq_ctx)
{
	const router_conf_t *c = self->conf;
	size_t len = sizeof(self->bound);

	self->sock = zmq_socket(zmq_ctx, ZMQ_ROUTER);
	if (!self->sock || s_options(self->sock, c) != 0) {
		S_LOG(self, warn, "%scannot set up the ROUTER socket: %s", self->pfx,
		      zmq_strerror(errno));
		return -1;
	}
	if (zmq_bind(self->sock, c->endpoint) != 0) {
		S_LOG(self, warn, "%scannot bind %s: %s", self->pfx, c->endpoint, zmq_strerror(errno));
		return -1;
	}
	if (zmq_getsockopt(self->sock, ZMQ_LAST_ENDPOINT, self->bound, &len) != 0)
		lnob_strlcpy(self->bound, c->endpoint, sizeof(self->bound));
	return 0;
}

/* Runs the ZAP self-test against the bound address (a wildcard bind is
 * reached on loopback). Returns 0 when an unknown key was refused. */
static int s_self_test(router_t *self, void *zmq_ctx)
{
	const char *wild = strstr(self->bound, "://0.0.0.0:");
	char ep[300], detail[256];

	if (wild)
		snprintf(ep, sizeof(ep), "tcp://127.0.0.1:%s", wild + strlen("://0.0.0.0:"));
	else
		lnob_strlcpy(ep, self->bound, sizeof(ep));
	if (zap_self_test(self->zap, zmq_ctx, ep, self->conf->id->pub.curve_pk,
			  ROUTER_SELF_TEST_MS, detail, sizeof(detail)) < 0) {
		S_LOG(self, warn, "%sZAP self-test failed: %s; refusing to start", self->pfx, detail);
		return -1;
	}
	S_LOG(self, info, "%sZAP self-test passed: %s", self->pfx, detail);
	return 0;
}

router_t *router_new(void *zmq_ctx, const router_conf_t *conf)
{
	router_t *self;

	assert(zmq_ctx && conf && conf->endpoint && conf->id && conf->handler.envelope &&
	       conf->zap_lookup && conf->max_frame > 0 && conf->refusal_keys >= 1);
	if (!(self = calloc(1, sizeof(*self))))
		return NULL;
	self->conf = conf;
	self->pfx = conf->log_prefix ? conf->log_prefix : "";
#ifdef LNOB_FAULT_INJECTION
	s_fault_init(&self->fault);
#endif
	if (!(self->refusals = ratelim_new(conf->refusal_keys, S_REFUSAL_LOG_MS)) ||
	    !(self->zap_denials = ratelim_new(1, S_REFUSAL_LOG_MS))) {
		S_LOG(self, warn, "%sout of memory", self->pfx);
		goto fail;
	}
	/* The ZAP handler first: without it libzmq admits every CURVE client. */
	if (!(self->zap = zap_new(zmq_ctx, conf->zap_lookup, conf->zap_ctx))) {
		S_LOG(self, warn, "%scannot bind the ZAP handler: %s", self->pfx, zmq_strerror(errno));
		goto fail;
	}
	if (s_bind(self, zmq_ctx) < 0 || s_self_test(self, zmq_ctx) < 0)
		goto fail;
	return self;
fail:
	router_destroy(&self);
	return NULL;
}

void router_destroy(router_t **self_p)
{
	router_t *self;

	if (!self_p || !*self_p)
		return;
	self = *self_p;
	if (self->refusals)
		ratelim_flush(self->refusals, s_refusals_said, self);
	if (self->zap_denials)
		ratelim_flush(self->zap_denials, s_zap_said, self);
	ratelim_destroy(&self->refusals);
	ratelim_destroy(&self->zap_denials);
	if (self->sock)
		zmq_close(self->sock);
	zap_destroy(&self->zap);
	for (size_t i = 0; i < self->npeers; i++)
		free(self->peers[i]);
	free(self->peers);
	free(self);
	*self_p = NULL;
}
