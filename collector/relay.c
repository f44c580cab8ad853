/* relay.c: custody of downstream envelopes behind a CURVE ROUTER (see
 * relay.h). */
#include "relay.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "fault.h"
#include "lnob_err.h"
#include "log.h"
#include "ratelim.h"
#include "uplink.h"
#include "util.h"
#include "zap.h"

#define S_ROUTING_ID_MAX 256
#define S_LINGER_MS 1000
#define S_HWM 10000
/* Batches per relay_handle() call, so the uplink gets its turn. */
#define S_BATCHES_PER_CALL 4
/* Last contact and health are persisted at most this often. */
#define S_SEEN_EVERY_MS 2000
/* A connection silent this long is forgotten (its routing id is gone). */
#define S_EVICT_MS 600000
#define S_SELF_TEST_MS 10000
/* Refusals are logged at most once per (node, reason) this often. */
#define S_REFUSAL_LOG_MS 1000
#define S_REFUSAL_KEYS 256

/* One connection from a downstream node: routing id, ZAP user id. */
typedef struct s_peer {
	uint8_t rid[S_ROUTING_ID_MAX];
	size_t rid_len;
	outbox_node_t seen;   /* pub.node_id, last_seen_ms, health */
	bool dirty;           /* seen changed since it was persisted */
} s_peer_t;

/* One envelope of the batch in hand. */
typedef struct s_item {
	s_peer_t *from;
	Lnob__Frame *frame;   /* owns the envelope bytes */
	char signer[LNOB_ID_MAX + 1];   /* "" when the envelope does not decode */
	uint64_t seq;
	bool ack;
	bool custody;         /* passed the checks: offered for custody */
	int reason;
	bool retryable;
	char detail[160];
} s_item_t;

struct relay {
	const relay_conf_t *conf;
	const identity_t *id;
	outbox_t *ob;
	void *router;
	zap_t *zap;
	s_peer_t **peers;     /* each allocated alone: batch items point at them */
	size_t npeers, cap_peers;
	bool failing;         /* the last custody write failed: credit withheld */
	int64_t seen_at;      /* monotonic ms of the last persist */
	size_t max_body;      /* advertised and enforced: min(own, upstream's) */
	ratelim_t *refusals;  /* the refusal log's limiter */
	size_t stored;        /* taken into custody new, since relay_handle() began */
	s_item_t items[RELAY_BATCH_MAX];
	outbox_relay_in_t in[RELAY_BATCH_MAX];
	size_t n;
};

/* ---- ZAP ------------------------------------------------------------------ */

/* zap_lookup_fn: an enrolled, unrevoked downstream node with this key. */
static bool s_zap_lookup(void *ctx, const uint8_t curve_pk[32], char *ret_id, size_t id_size)
{
	relay_t *self = ctx;
	outbox_node_t node;

	if (outbox_downstream_by_curve(self->ob, curve_pk, &node) < 0 || node.revoked)
		return false;
	return lnob_strlcpy(ret_id, node.pub.node_id, id_size) == 0;
}

/* ---- peers ---------------------------------------------------------------- */

/* Finds or adds the peer with this routing id. NULL when out of memory. */
static s_peer_t *s_peer(relay_t *self, const uint8_t *rid, size_t len, const char *node_id)
{
	s_peer_t *p;

	for (size_t i = 0; i < self->npeers; i++)
		if (self->peers[i]->rid_len == len && memcmp(self->peers[i]->rid, rid, len) == 0)
			return self->peers[i];
	if (self->npeers == self->cap_peers) {
		size_t cap = self->cap_peers ? self->cap_peers * 2 : 16;
		s_peer_t **np = realloc(self->peers, cap * sizeof(*np));

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
	lnob_strlcpy(p->seen.pub.node_id, node_id ? node_id : "", sizeof(p->seen.pub.node_id));
	log_info("downstream node %s connected", p->seen.pub.node_id[0] ? p->seen.pub.node_id : "?");
	return p;
}

/* The credit to grant: the window, or a probe of 1 while custody fails. */
static uint32_t s_credit(const relay_t *self)
{
	return self->failing ? 1 : self->conf->window;
}

/* ---- answers -------------------------------------------------------------- */

/* Sends one Frame to a peer. A peer that is gone (EHOSTUNREACH) or full
 * (EAGAIN) loses the answer; it sends again and is answered then. */
static void s_send(relay_t *self, const s_peer_t *p, const Lnob__Frame *f)
{
	uint8_t *buf;
	size_t len;

	if (codec_pack(&f->base, &buf, &len) < 0)
		return;
	if (zmq_send(self->router, p->rid, p->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(self->router, buf, len, ZMQ_DONTWAIT) < 0)
		log_debug("answer to %s dropped: %s", p->seen.pub.node_id, zmq_strerror(errno));
	free(buf);
}

static void s_send_nack(relay_t *self, const s_peer_t *p, const char *signer, uint64_t seq,
			int reason, const char *detail, bool retryable)
{
	Lnob__Frame f;
	Lnob__Nack nack = LNOB__NACK__INIT;

	nack.signer = (char *)signer;
	nack.seq = seq;
	nack.reason = (Lnob__NackReason)reason;
	nack.detail = (char *)detail;
	nack.retryable = retryable;
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_NACK;
	f.nack = &nack;
	s_send(self, p, &f);
}

static void s_on_heartbeat(relay_t *self, s_peer_t *p, const Lnob__Heartbeat *hb)
{
	Lnob__Frame f;
	Lnob__Heartbeat out = LNOB__HEARTBEAT__INIT;

	if (hb->health) {
		p->seen.has_health = true;
		p->seen.queued = hb->health->queued;
		p->seen.parked = hb->health->parked;
		p->seen.oldest_queued_at_ms = hb->health->oldest_queued_at;
		p->seen.next_seq = hb->health->next_seq;
	}
	out.sent_at_ms = lnob_now_ms();
	out.credit = s_credit(self);
	out.max_body = self->max_body;
	out.max_frame = UPLINK_MAX_FRAME;
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_HEARTBEAT;
	f.heartbeat = &out;
	s_send(self, p, &f);
}

/* The NackReason's enum name, static storage. */
static const char *s_reason_name(int reason)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&lnob__nack_reason__descriptor, reason);

	return v ? v->name : "NACK_?";
}

/* ratelim_fn: the refusals of one (node, reason) the log did not show. */
static void s_refusals_said(void *ctx, const char *peer, int reason, uint64_t n)
{
	(void)ctx;
	log_warnx("refused envelopes from %s: %s: ... and %" PRIu64 " more like it in the last "
		  "second", peer[0] ? peer : "?", s_reason_name(reason), n);
}

/* Whether a refusal of reason from p is logged now (at most one per
 * (node, reason) and S_REFUSAL_LOG_MS). */
static bool s_log_refusal(relay_t *self, const s_peer_t *p, int reason)
{
	return ratelim_hit(self->refusals, p->seen.pub.node_id, reason, lnob_mono_ms(),
			   s_refusals_said, self);
}

/* Refuses a frame that cannot go into a batch (does not decode, over
 * UPLINK_MAX_FRAME, not a sender's frame): logs it (rate-limited) and
 * answers a non-retryable NACK naming (signer, seq) when known. */
static void s_refuse_frame(relay_t *self, const s_peer_t *p, int reason, const char *signer,
			   uint64_t seq, const char *detail)
{
	if (s_log_refusal(self, p, reason)) {
		if (signer[0])
			log_warnx("refused envelope (%s, %" PRIu64 ") from %s: %s: %s", signer, seq,
				  p->seen.pub.node_id, s_reason_name(reason), detail);
		else
			log_warnx("refused a frame from %s: %s: %s", p->seen.pub.node_id,
				  s_reason_name(reason), detail);
	}
	s_send_nack(self, p, signer, seq, reason, detail, false);
}

/* Marks item refused. */
static void s_refuse(s_item_t *it, int reason, bool retryable, const char *detail)
{
	it->ack = false;
	it->custody = false;
	it->reason = reason;
	it->retryable = retryable;
	snprintf(it->detail, sizeof(it->detail), "%s", detail);
}

/* Sends the verdicts of the batch: NACKs one by one (refusals logged),
 * acks grouped per peer with the credit. */
static void s_answer(relay_t *self)
{
	Lnob__Ack acks[RELAY_BATCH_MAX];
	Lnob__Ack *ackp[RELAY_BATCH_MAX];
	bool done[RELAY_BATCH_MAX] = { false };

	for (size_t i = 0; i < self->n; i++) {
		s_item_t *it = &self->items[i];

		if (it->ack)
			continue;
		done[i] = true;
		if (it->retryable)
			log_debug("envelope (%s, %" PRIu64 ") from %s not taken: %s", it->signer,
				  it->seq, it->from->seen.pub.node_id, it->detail);
		else if (s_log_refusal(self, it->from, it->reason))
			log_warnx("refused envelope (%s, %" PRIu64 ") from %s: %s: %s",
				  it->signer[0] ? it->signer : "?", it->seq,
				  it->from->seen.pub.node_id, s_reason_name(it->reason), it->detail);
		s_send_nack(self, it->from, it->signer, it->seq, it->reason, it->detail,
			    it->retryable);
	}
	for (size_t i = 0; i < self->n; i++) {
		Lnob__Frame f;
		Lnob__AckBatch batch = LNOB__ACK_BATCH__INIT;
		size_t na = 0;

		if (done[i])
			continue;
		for (size_t j = i; j < self->n; j++) {
			if (done[j] || self->items[j].from != self->items[i].from)
				continue;
			done[j] = true;
			lnob__ack__init(&acks[na]);
			acks[na].signer = self->items[j].signer;
			acks[na].seq = self->items[j].seq;
			ackp[na] = &acks[na];
			na++;
		}
		batch.acks = ackp;
		batch.n_acks = na;
		batch.credit = s_credit(self);
		lnob__frame__init(&f);
		f.msg_case = LNOB__FRAME__MSG_ACKS;
		f.acks = &batch;
		s_send(self, self->items[i].from, &f);
	}
}

/* ---- the batch -------------------------------------------------------------- */

/* Checks one envelope: decodes, finds its signer among the downstream
 * nodes, verifies the signature. Leaves it->custody set when it passed. */
static void s_check(relay_t *self, s_item_t *it)
{
	Lnob__Envelope *env = NULL;
	outbox_node_t node;
	const uint8_t *buf = it->frame->envelope.data;
	size_t len = it->frame->envelope.len;
	/* The frame is at most UPLINK_MAX_FRAME: decode it whole, so that a
	 * body over the limit can be named with its size. */
	int r = envelope_open(buf, len, UPLINK_MAX_FRAME, &env);
	char why[160];

	if (r < 0) {
		/* Name the message if we can, so its sender can park it. */
		(void)envelope_peek(buf, len, it->signer, sizeof(it->signer), &it->seq);
		s_refuse(it, LNOB__NACK_REASON__NACK_MALFORMED, false,
			 r == LNOB_E_INVALID ? "envelope fields out of range"
					     : "envelope does not decode");
		return;
	}
	lnob_strlcpy(it->signer, env->signer, sizeof(it->signer));
	it->seq = env->seq;
	if (env->body.len > self->max_body) {
		/* self->max_body is at most the upstream's: custody would only
		 * park it here. */
		snprintf(why, sizeof(why), "envelope body of %zu bytes is over this relay's max_body "
			 "of %zu bytes", env->body.len, self->max_body);
		s_refuse(it, LNOB__NACK_REASON__NACK_TOO_LARGE, false, why);
		goto out;
	}
	if (strcmp(env->signer, self->id->pub.node_id) == 0) {
		s_refuse(it, LNOB__NACK_REASON__NACK_UNKNOWN_SIGNER, false,
			 "signer is this relay itself");
		goto out;
	}
	r = outbox_downstream_get(self->ob, env->signer, &node);
	if (r == LNOB_E_NOTFOUND) {
		s_refuse(it, LNOB__NACK_REASON__NACK_UNKNOWN_SIGNER, false,
			 "signer is not enrolled at this relay");
		goto out;
	}
	if (r < 0) {
		snprintf(why, sizeof(why), "relay cannot read its keys: %s", lnob_strerror(r));
		s_refuse(it, LNOB__NACK_REASON__NACK_STORE_FAILED, true, why);
		goto out;
	}
	if (node.revoked) {
		s_refuse(it, LNOB__NACK_REASON__NACK_REVOKED_SIGNER, false,
			 "signer's keys are revoked at this relay");
		goto out;
	}
	if (envelope_verify(env, node.pub.sign_pk) < 0) {
		s_refuse(it, LNOB__NACK_REASON__NACK_BAD_SIGNATURE, false, "signature does not verify");
		goto out;
	}
	it->custody = true;
	it->ack = true;
out:
	lnob__envelope__free_unpacked(env, NULL);
}

/* Checks the batch in hand, takes what passed into custody in one
 * transaction, answers, and frees the batch. Returns how many envelopes
 * were stored new. */
static size_t s_flush_batch(relay_t *self)
{
	size_t m = 0, stored = 0;
	size_t at[RELAY_BATCH_MAX];
	int r = 0;

	if (self->n == 0)
		return 0;
	for (size_t i = 0; i < self->n; i++) {
		s_item_t *it = &self->items[i];

		s_check(self, it);
		if (!it->custody)
			continue;
		self->in[m].signer = it->signer;
		self->in[m].seq = it->seq;
		self->in[m].env = it->frame->envelope.data;
		self->in[m].len = it->frame->envelope.len;
		at[m++] = i;
	}
	if (m > 0)
		r = outbox_relay_put(self->ob, self->in, m, lnob_now_ms(), &stored);
	if (r < 0) {
		char why[160];

		snprintf(why, sizeof(why), "relay cannot take custody now: %s", lnob_strerror(r));
		if (!self->failing)
			log_warnx("custody of %zu envelopes failed: %s; nothing acked, credit withheld "
				  "until writes succeed", m, lnob_strerror(r));
		self->failing = true;
		for (size_t j = 0; j < m; j++)
			s_refuse(&self->items[at[j]], LNOB__NACK_REASON__NACK_STORE_FAILED, true, why);
	} else if (m > 0) {
		if (self->failing)
			log_info("custody writes succeed again");
		self->failing = false;
		for (size_t j = 0; j < m; j++) {
			s_item_t *it = &self->items[at[j]];

			if (self->in[j].result == OUTBOX_CUSTODY_CONFLICT)
				s_refuse(it, LNOB__NACK_REASON__NACK_SEQ_REUSED, false,
					 "another envelope with this signer and seq is in custody");
			else if (self->in[j].result == OUTBOX_CUSTODY_DUPLICATE)
				log_debug("envelope (%s, %" PRIu64 ") in custody already; acked again",
					  it->signer, it->seq);
		}
		if (stored > 0) {
			log_debug("took %zu envelopes into custody", stored);
			fault_point("relay.after_custody");
		}
	}
	s_answer(self);
	for (size_t i = 0; i < self->n; i++)
		lnob__frame__free_unpacked(self->items[i].frame, NULL);
	self->n = 0;
	self->stored += stored;
	return stored;
}

/* A part over UPLINK_MAX_FRAME (at most twice that: ZeroMQ's MAXMSGSIZE
 * drops the connection beyond): NACK_TOO_LARGE, naming (signer, seq) when
 * the envelope inside reads that far. */
static void s_frame_too_large(relay_t *self, const s_peer_t *p, const uint8_t *buf, size_t len)
{
	char signer[LNOB_ID_MAX + 1] = "", detail[128];
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
	snprintf(detail, sizeof(detail), "frame of %zu bytes is over this relay's max_frame of "
		 "%zu bytes", len, UPLINK_MAX_FRAME);
	s_refuse_frame(self, p, LNOB__NACK_REASON__NACK_TOO_LARGE, signer, seq, detail);
}

/* Handles one part of a message from p as a Frame of its own: an
 * envelope joins the batch in hand (a full batch is stored and answered
 * first), a heartbeat is answered at once, anything else is refused. */
static void s_on_part(relay_t *self, s_peer_t *p, const uint8_t *buf, size_t len)
{
	ProtobufCMessage *m;
	Lnob__Frame *f;
	char detail[64];

	if (len > UPLINK_MAX_FRAME) {
		s_frame_too_large(self, p, buf, len);
		return;
	}
	if (codec_unpack(&lnob__frame__descriptor, buf, len, UPLINK_MAX_FRAME, &m) < 0) {
		s_refuse_frame(self, p, LNOB__NACK_REASON__NACK_MALFORMED, "", 0,
			       "frame does not decode");
		return;
	}
	f = (Lnob__Frame *)m;
	switch (f->msg_case) {
	case LNOB__FRAME__MSG_ENVELOPE: {
		s_item_t *it;

		if (self->n == RELAY_BATCH_MAX)
			s_flush_batch(self);   /* full mid-message: store it, go on */
		it = &self->items[self->n++];
		memset(it, 0, sizeof(*it));
		it->from = p;
		it->frame = f;
		return;
	}
	case LNOB__FRAME__MSG_HEARTBEAT:
		s_on_heartbeat(self, p, f->heartbeat);
		break;
	default:
		snprintf(detail, sizeof(detail), "not a sender's frame (case %d)", (int)f->msg_case);
		s_refuse_frame(self, p, LNOB__NACK_REASON__NACK_MALFORMED, "", 0, detail);
		break;
	}
	lnob__frame__free_unpacked(f, NULL);
}

/* Reads one ROUTER message: the routing id, then every part, each handled
 * as a Frame of its own. Returns 1 when one was taken, 0 when none was
 * waiting, negative on a socket error. */
static int s_recv_one(relay_t *self)
{
	zmq_msg_t rid;
	s_peer_t *p = NULL;
	bool more, first = true;

	zmq_msg_init(&rid);
	if (zmq_msg_recv(&rid, self->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&rid);
		return errno == EAGAIN ? 0 : -errno;
	}
	more = zmq_msg_more(&rid);
	while (more) {
		zmq_msg_t part;

		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, self->router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&part);
			break;
		}
		more = zmq_msg_more(&part);
		if (first) {
			first = false;
			if (zmq_msg_size(&rid) <= S_ROUTING_ID_MAX)
				p = s_peer(self, zmq_msg_data(&rid), zmq_msg_size(&rid),
					   zmq_msg_gets(&part, "User-Id"));
			if (p) {
				p->seen.last_seen_ms = lnob_now_ms();
				p->dirty = true;
			}
		}
		if (p)   /* no peer: out of memory; the sender sends again */
			s_on_part(self, p, zmq_msg_data(&part), zmq_msg_size(&part));
		zmq_msg_close(&part);
	}
	zmq_msg_close(&rid);
	return 1;
}

size_t relay_handle(relay_t *self, const zmq_pollitem_t *items)
{
	assert(self);
	self->stored = 0;
	if (!items || (items[1].revents & ZMQ_POLLIN)) {
		int denied = zap_handle(self->zap);

		if (denied > 0)
			log_warnx("relay: ZAP refused %d connection attempt(s) with unknown or revoked "
				  "keys", denied);
	}
	if (items && !(items[0].revents & ZMQ_POLLIN)) {
		ratelim_expire(self->refusals, lnob_mono_ms(), s_refusals_said, self);
		return 0;
	}
	for (int b = 0; b < S_BATCHES_PER_CALL; b++) {
		int r = 0;

		while (self->n < RELAY_BATCH_MAX && (r = s_recv_one(self)) > 0)
			;
		if (r < 0)
			log_warnx("relay: receiving: %s", zmq_strerror(-r));
		(void)s_flush_batch(self);
		if (r <= 0)
			break;   /* nothing more waiting */
	}
	ratelim_expire(self->refusals, lnob_mono_ms(), s_refusals_said, self);
	return self->stored;
}

void relay_set_upstream_limits(relay_t *self, const outbox_limits_t *lim)
{
	size_t body;

	assert(self && lim);
	body = outbox_max_body(lim);
	if (body != self->max_body)
		log_info("relay: taking envelope bodies up to %zu bytes from downstream nodes (%s)",
			 body, body < OUTBOX_BODY_MAX ? "the upstream's max_body" : "this relay's own");
	self->max_body = body;
}

void relay_poll_items(relay_t *self, zmq_pollitem_t *items)
{
	assert(self);
	items[0] = (zmq_pollitem_t){ self->router, 0, ZMQ_POLLIN, 0 };
	items[1] = (zmq_pollitem_t){ zap_socket(self->zap), 0, ZMQ_POLLIN, 0 };
}

void relay_tick(relay_t *self, bool force)
{
	outbox_node_t seen[64];
	int64_t now = lnob_mono_ms(), wall = lnob_now_ms();
	size_t n = 0, j = 0;
	bool all = true;
	int r;

	assert(self);
	if (!force && now - self->seen_at < S_SEEN_EVERY_MS)
		return;
	self->seen_at = now;
	for (size_t i = 0; i < self->npeers; i++) {
		s_peer_t *p = self->peers[i];

		if (!p->dirty || !p->seen.pub.node_id[0])
			continue;
		if (n == sizeof(seen) / sizeof(seen[0])) {
			all = false;   /* the rest at the next tick */
			break;
		}
		seen[n++] = p->seen;
	}
	if (n > 0 && (r = outbox_downstream_seen(self->ob, seen, n)) < 0) {
		log_warnx("relay: recording downstream contact: %s", lnob_strerror(r));
		return;
	}
	for (size_t i = 0, k = 0; i < self->npeers && k < n; i++)
		if (self->peers[i]->dirty && self->peers[i]->seen.pub.node_id[0]) {
			self->peers[i]->dirty = false;
			k++;
		}
	if (!all)
		return;
	/* Forget connections silent for long (never one with unsaved news). */
	for (size_t i = 0; i < self->npeers; i++) {
		s_peer_t *p = self->peers[i];

		if (!p->dirty && wall - p->seen.last_seen_ms > S_EVICT_MS)
			free(p);
		else
			self->peers[j++] = p;
	}
	self->npeers = j;
}

/* ---- set-up ------------------------------------------------------------------ */

/* zmq_setsockopt() for an int option. */
static int s_setopt_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof(v));
}

/* The address the self-test connects to: a wildcard bind is reached on
 * loopback. */
static void s_connect_ep(const char *bound, char *out, size_t len)
{
	const char *p = strstr(bound, "://0.0.0.0:");

	if (p)
		snprintf(out, len, "tcp://127.0.0.1:%s", p + strlen("://0.0.0.0:"));
	else
		lnob_strlcpy(out, bound, len);
}

relay_t *relay_new(void *zmq_ctx, const relay_conf_t *conf, const identity_t *id, outbox_t *ob)
{
	relay_t *self;
	/* Twice the frame limit, so that a frame over it arrives and is
	 * answered (NACK_TOO_LARGE); beyond, ZeroMQ drops the connection. */
	int64_t maxmsg = 2 * (int64_t)UPLINK_MAX_FRAME;
	char bound[256], ep[256], detail[256];
	outbox_limits_t lim;
	size_t blen = sizeof(bound);
	int r;

	assert(zmq_ctx && conf && id && ob && conf->window >= 1);
	if (!(self = calloc(1, sizeof(*self)))) {
		log_warnx("relay: out of memory");
		return NULL;
	}
	self->conf = conf;
	self->id = id;
	self->ob = ob;
	self->seen_at = lnob_mono_ms();
	/* The upstream's body limit as last recorded, until it speaks. */
	if (outbox_get_limits(ob, &lim) < 0)
		memset(&lim, 0, sizeof(lim));
	self->max_body = outbox_max_body(&lim);
	if (!(self->refusals = ratelim_new(S_REFUSAL_KEYS, S_REFUSAL_LOG_MS))) {
		log_warnx("relay: out of memory");
		goto fail;
	}
	/* The ZAP handler first: without it libzmq admits every CURVE client. */
	if (!(self->zap = zap_new(zmq_ctx, s_zap_lookup, self))) {
		log_warnx("relay: cannot bind the ZAP handler: %s", zmq_strerror(errno));
		goto fail;
	}
	self->router = zmq_socket(zmq_ctx, ZMQ_ROUTER);
	if (!self->router ||
	    s_setopt_int(self->router, ZMQ_CURVE_SERVER, 1) != 0 ||
	    zmq_setsockopt(self->router, ZMQ_CURVE_SECRETKEY, id->curve_sk, 32) != 0 ||
	    s_setopt_int(self->router, ZMQ_ROUTER_MANDATORY, 1) != 0 ||
	    s_setopt_int(self->router, ZMQ_LINGER, S_LINGER_MS) != 0 ||
	    zmq_setsockopt(self->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) != 0 ||
	    s_setopt_int(self->router, ZMQ_SNDHWM, S_HWM) != 0 ||
	    s_setopt_int(self->router, ZMQ_RCVHWM, S_HWM) != 0 ||
	    s_setopt_int(self->router, ZMQ_HEARTBEAT_IVL, (int)conf->heartbeat_ms) != 0 ||
	    s_setopt_int(self->router, ZMQ_HEARTBEAT_TIMEOUT, (int)conf->dead_after_ms) != 0 ||
	    s_setopt_int(self->router, ZMQ_HANDSHAKE_IVL, (int)conf->dead_after_ms) != 0 ||
	    zmq_setsockopt(self->router, ZMQ_ZAP_DOMAIN, "lnob", 4) != 0) {
		log_warnx("relay: cannot set up the ROUTER socket: %s", zmq_strerror(errno));
		goto fail;
	}
	if (zmq_bind(self->router, conf->listen) != 0) {
		log_warnx("relay: cannot bind %s: %s", conf->listen, zmq_strerror(errno));
		goto fail;
	}
	if (zmq_getsockopt(self->router, ZMQ_LAST_ENDPOINT, bound, &blen) != 0)
		lnob_strlcpy(bound, conf->listen, sizeof(bound));
	s_connect_ep(bound, ep, sizeof(ep));
	r = zap_self_test(self->zap, zmq_ctx, ep, id->pub.curve_pk, S_SELF_TEST_MS, detail,
			  sizeof(detail));
	if (r < 0) {
		log_warnx("relay: ZAP self-test failed: %s; refusing to start", detail);
		goto fail;
	}
	log_info("relay: ZAP self-test passed: %s", detail);
	log_info("relay: listening on %s for downstream nodes (credit %" PRIu32 ", max_body %zu, "
		 "max_frame %zu)", bound, conf->window, self->max_body, UPLINK_MAX_FRAME);
	return self;
fail:
	if (self->router)
		zmq_close(self->router);
	zap_destroy(&self->zap);
	ratelim_destroy(&self->refusals);
	free(self);
	return NULL;
}

void relay_destroy(relay_t **self_p)
{
	relay_t *self;

	if (!self_p || !*self_p)
		return;
	self = *self_p;
	relay_tick(self, true);
	ratelim_flush(self->refusals, s_refusals_said, self);
	ratelim_destroy(&self->refusals);
	for (size_t i = 0; i < self->n; i++)
		lnob__frame__free_unpacked(self->items[i].frame, NULL);
	if (self->router)
		zmq_close(self->router);
	zap_destroy(&self->zap);
	for (size_t i = 0; i < self->npeers; i++)
		free(self->peers[i]);
	free(self->peers);
	free(self);
	*self_p = NULL;
}
