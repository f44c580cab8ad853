/* relay.c: custody of downstream envelopes behind the router (see
 * relay.h; the link itself is common/router.h). */
#include "relay.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "behind.h"
#include "colmeta.h"
#include "fault.h"
#include "lnob_err.h"
#include "log.h"
#include "relay_receipts.h"
#include "router.h"
#include "util.h"

/* The ROUTER's send and receive high-water marks, in messages. */
#define S_HWM 10000
/* Batches per relay_handle() call, so the uplink gets its turn. */
#define S_BATCHES_PER_CALL 4
/* Last contact and health are persisted at most this often. */
#define S_SEEN_EVERY_MS 2000
/* Receipts owed downstream are looked for at most this often. */
#define S_RECEIPTS_EVERY_MS 250
/* (node, reason) keys the refusal log tracks at once. */
#define S_REFUSAL_KEYS 256

_Static_assert(RELAY_POLL_ITEMS == ROUTER_POLL_ITEMS, "relay.h says what the router polls");

/* One envelope of the batch in hand. */
typedef struct s_item {
	router_peer_t *from;
	Lnob__Frame *frame;   /* owns the envelope bytes */
	char signer[LNOB_ID_MAX + 1];   /* "" when the envelope does not decode */
	uint64_t seq;
	bool custody;         /* passed the checks: offered for custody */
	int reason;           /* 0: ack; else refused */
	bool retryable;
	char detail[256];
} s_item_t;

struct relay {
	const relay_conf_t *conf;
	outbox_t *ob;
	behind_t *behind;     /* the nodes behind it, for the heartbeats upward */
	relay_receipts_t *receipts;   /* the receipts owed downstream, in flight */
	router_conf_t rconf;
	router_t *router;
	admit_conf_t admit;   /* its max_body, advertised and enforced: min(own, upstream's) */
	bool failing;         /* the last custody write failed: credit withheld */
	int64_t seen_at;      /* monotonic ms of the last persist */
	int64_t receipts_at;  /* monotonic ms receipts owed were last looked for */
	size_t stored;        /* taken into custody new, since relay_handle() began */
	s_item_t items[RELAY_BATCH_MAX];
	outbox_relay_in_t in[RELAY_BATCH_MAX];
	router_verdict_t verdicts[RELAY_BATCH_MAX];
	size_t n;
};

/* ---- ZAP and peers ------------------------------------------------------- */

/* zap_lookup_fn: an enrolled, unrevoked downstream node with this key. */
static bool s_zap_lookup(void *ctx, const uint8_t curve_pk[32], char *ret_id, size_t id_size)
{
	relay_t *self = ctx;
	outbox_node_t node;

	if (outbox_downstream_by_curve(self->ob, curve_pk, &node) < 0 || node.revoked)
		return false;
	return lnob_strlcpy(ret_id, node.pub.node_id, id_size) == 0;
}

/* router_handler_t.contact: every frame is a contact to persist. */
static void s_on_contact(void *ctx, router_peer_t *p, bool first)
{
	(void)ctx;
	p->dirty = true;
	if (first)
		log_info("downstream node %s connected", p->node_id[0] ? p->node_id : "?");
}

/* router_handler_t.downstream: a downstream relay said what is behind it. */
static void s_on_downstream(void *ctx, router_peer_t *p, const Lnob__Heartbeat *hb)
{
	relay_t *self = ctx;

	if (p->node_id[0])
		behind_note(self->behind, p->node_id, hb);
}

size_t relay_downstream(relay_t *self, Lnob__Heartbeat *hb, size_t max_bytes)
{
	assert(self && hb);
	return behind_fill(self->behind, self->ob, hb, max_bytes);
}

/* router_handler_t.heartbeat: the metadata held, for a node with an
 * older one (collector/colmeta.h). */
static void s_on_heartbeat(void *ctx, router_peer_t *p, const Lnob__Heartbeat *hb)
{
	relay_t *self = ctx;

	colmeta_forward(self->ob, self->router, p, hb, RELAY_MAX_FRAME);
}

/* router_handler_t.receipt_ack: p took receipts: delete them. */
static void s_on_receipt_ack(void *ctx, router_peer_t *p, const Lnob__ReceiptAck *ra)
{
	relay_t *self = ctx;

	if (p->node_id[0])
		relay_receipts_acked(self->receipts, self->ob, self->behind, p->node_id, ra);
}

/* Custody writes fail, or succeed again: the credit granted is a probe of
 * 1 while they fail, the window otherwise. */
static void s_set_failing(relay_t *self, bool failing)
{
	self->failing = failing;
	router_set_credit(self->router, failing ? 1 : self->conf->window);
}

/* Marks item refused. */
static void s_refuse(s_item_t *it, int reason, bool retryable, const char *detail)
{
	it->custody = false;
	it->reason = reason;
	it->retryable = retryable;
	snprintf(it->detail, sizeof(it->detail), "%s", detail);
}

/* Sends the verdicts of the batch (router_answer()). */
static void s_answer(relay_t *self)
{
	for (size_t i = 0; i < self->n; i++) {
		const s_item_t *it = &self->items[i];

		self->verdicts[i] = (router_verdict_t){ .peer = it->from, .signer = it->signer,
			.seq = it->seq, .reason = it->reason, .detail = it->detail,
			.retryable = it->retryable };
	}
	router_answer(self->router, self->verdicts, self->n);
}

/* ---- the batch -------------------------------------------------------------- */

/* admit_signer_fn: the downstream node enrolled under id. */
static int s_signer(void *ctx, const char *id, admit_key_t *ret)
{
	relay_t *self = ctx;
	outbox_node_t node;
	int r = outbox_downstream_get(self->ob, id, &node);

	if (r < 0)
		return r;
	ret->revoked = node.revoked;
	ret->has_key = true;
	memcpy(ret->sign_pk, node.pub.sign_pk, sizeof(ret->sign_pk));
	ret->n_older = node.n_older;
	memcpy(ret->older_pk, node.older_pk, sizeof(ret->older_pk));
	return 0;
}

/* Checks one envelope (admit.h: decodes, a body within max_body, a
 * downstream signer, not revoked, its signature). Leaves it->custody set
 * when it passed. */
static void s_check(relay_t *self, s_item_t *it)
{
	admit_t a;
	int r = admit_envelope(&self->admit, it->frame->envelope.data, it->frame->envelope.len, &a);
	char why[160];

	lnob_strlcpy(it->signer, a.signer, sizeof(it->signer));
	it->seq = a.seq;
	if (r < 0) {
		snprintf(why, sizeof(why), "relay cannot read its keys: %s", lnob_strerror(r));
		s_refuse(it, LNOB__NACK_REASON__NACK_STORE_FAILED, true, why);
		return;
	}
	if (a.reason) {
		s_refuse(it, a.reason, false, a.detail);
		return;
	}
	/* Custody judges (signer, seq) against what it holds. */
	it->custody = true;
	lnob__envelope__free_unpacked(a.env, NULL);
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
		s_set_failing(self, true);
		for (size_t j = 0; j < m; j++)
			s_refuse(&self->items[at[j]], LNOB__NACK_REASON__NACK_STORE_FAILED, true, why);
	} else if (m > 0) {
		if (self->failing)
			log_info("custody writes succeed again");
		s_set_failing(self, false);
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

/* router_handler_t.envelope: f joins the batch in hand (a full batch is
 * stored and answered first, mid-message if need be). */
static void s_on_envelope(void *ctx, router_peer_t *p, Lnob__Frame *f)
{
	relay_t *self = ctx;
	s_item_t *it;

	if (self->n == RELAY_BATCH_MAX)
		s_flush_batch(self);   /* full mid-message: store it, go on */
	it = &self->items[self->n++];
	memset(it, 0, sizeof(*it));
	it->from = p;
	it->frame = f;
}

size_t relay_handle(relay_t *self, const zmq_pollitem_t *items)
{
	assert(self);
	self->stored = 0;
	if (!items || (items[1].revents & ZMQ_POLLIN))
		router_zap(self->router);
	if (items && !(items[0].revents & ZMQ_POLLIN)) {
		router_tick(self->router);
		return 0;
	}
	for (int b = 0; b < S_BATCHES_PER_CALL; b++) {
		int r = 0;

		while (self->n < RELAY_BATCH_MAX && (r = router_recv(self->router)) > 0)
			;
		if (r < 0)
			log_warnx("relay: receiving: %s", zmq_strerror(-r));
		(void)s_flush_batch(self);
		if (r <= 0)
			break;   /* nothing more waiting */
	}
	router_tick(self->router);
	return self->stored;
}

void relay_set_upstream_limits(relay_t *self, const outbox_limits_t *lim)
{
	size_t body;

	assert(self && lim);
	body = outbox_max_body(lim);
	if (body != self->admit.max_body)
		log_info("relay: taking envelope bodies up to %zu bytes from downstream nodes (%s)",
			 body, body < OUTBOX_BODY_MAX ? "the upstream's max_body" : "this relay's own");
	self->admit.max_body = body;
	router_set_max_body(self->router, body);
}

void relay_poll_items(relay_t *self, zmq_pollitem_t *items)
{
	assert(self);
	router_poll_items(self->router, items);
}

/* What the relay persists of peer p: its last contact and health. */
static void s_seen(const router_peer_t *p, outbox_node_t *ret)
{
	memset(ret, 0, sizeof(*ret));
	lnob_strlcpy(ret->pub.node_id, p->node_id, sizeof(ret->pub.node_id));
	ret->last_seen_ms = p->last_seen_ms;
	ret->has_health = p->has_health;
	ret->queued = p->health.queued;
	ret->parked = p->health.parked;
	ret->oldest_queued_at_ms = p->health.oldest_queued_at;
	ret->next_seq = p->health.next_seq;
}

void relay_tick(relay_t *self, bool force)
{
	outbox_node_t seen[64];
	int64_t now = lnob_mono_ms();
	size_t n = 0, npeers;
	bool all = true;
	int r;

	assert(self);
	if (force || now - self->receipts_at >= S_RECEIPTS_EVERY_MS) {
		self->receipts_at = now;
		relay_receipts_send(self->receipts, self->router, self->ob, self->behind,
				    lnob_now_ms() - self->conf->dead_after_ms, now);
	}
	if (!force && now - self->seen_at < S_SEEN_EVERY_MS)
		return;
	self->seen_at = now;
	npeers = router_peer_count(self->router);
	for (size_t i = 0; i < npeers && all; i++) {
		const router_peer_t *p = router_peer_at(self->router, i);

		if (!p->dirty || !p->node_id[0])
			continue;
		if (n == sizeof(seen) / sizeof(seen[0]))
			all = false;   /* the rest at the next tick */
		else
			s_seen(p, &seen[n++]);
	}
	if (n > 0 && (r = outbox_downstream_seen(self->ob, seen, n)) < 0) {
		log_warnx("relay: recording downstream contact: %s", lnob_strerror(r));
		return;
	}
	for (size_t i = 0, k = 0; i < npeers && k < n; i++) {
		router_peer_t *p = router_peer_at(self->router, i);

		if (p->dirty && p->node_id[0]) {
			p->dirty = false;
			k++;
		}
	}
	/* Forget connections silent for long (never one with unsaved news). */
	if (all)
		router_evict(self->router, lnob_now_ms());
}

/* ---- set-up ------------------------------------------------------------------ */

relay_t *relay_new(void *zmq_ctx, const relay_conf_t *conf, const identity_t *id, outbox_t *ob)
{
	relay_t *self;
	router_conf_t *rc;
	outbox_limits_t lim;

	assert(zmq_ctx && conf && id && ob && conf->window >= 1);
	if (!(self = calloc(1, sizeof(*self))) || !(self->behind = behind_new()) ||
	    !(self->receipts = relay_receipts_new())) {
		log_warnx("relay: out of memory");
		if (self)
			behind_destroy(&self->behind);
		free(self);
		return NULL;
	}
	self->conf = conf;
	self->ob = ob;
	self->seen_at = lnob_mono_ms();
	/* The upstream's body limit as last recorded, until it speaks. */
	if (outbox_get_limits(ob, &lim) < 0)
		memset(&lim, 0, sizeof(lim));
	/* A relay keeps nothing to judge (signer, seq) against: custody does. */
	self->admit = (admit_conf_t){ .max_body = outbox_max_body(&lim), .self_id = id->pub.node_id,
		.self_name = "this relay", .signer = s_signer, .ctx = self };
	rc = &self->rconf;
	*rc = (router_conf_t){ .endpoint = conf->listen, .id = id, .max_frame = RELAY_MAX_FRAME,
		.sndhwm = S_HWM, .rcvhwm = S_HWM, .zmtp_heartbeat_ms = conf->heartbeat_ms,
		.zmtp_timeout_ms = conf->dead_after_ms, .refusal_keys = S_REFUSAL_KEYS,
		.self_name = "this relay", .log_prefix = "relay: ", .custody = true,
		.zap_lookup = s_zap_lookup,
		.zap_ctx = self, .ctx = self, .log = { log_warnx, log_info, log_debug } };
	rc->handler.envelope = s_on_envelope;
	rc->handler.contact = s_on_contact;
	rc->handler.downstream = s_on_downstream;
	rc->handler.heartbeat = s_on_heartbeat;
	rc->handler.receipt_ack = s_on_receipt_ack;
	if (!(self->router = router_new(zmq_ctx, rc))) {
		behind_destroy(&self->behind);
		relay_receipts_destroy(&self->receipts);
		free(self);
		return NULL;
	}
	s_set_failing(self, false);
	router_set_max_body(self->router, self->admit.max_body);
	log_info("relay: listening on %s for downstream nodes (credit %" PRIu32 ", max_body %zu, "
		 "max_frame %zu)", router_endpoint(self->router), conf->window, self->admit.max_body,
		 RELAY_MAX_FRAME);
	return self;
}

void relay_destroy(relay_t **self_p)
{
	relay_t *self;

	if (!self_p || !*self_p)
		return;
	self = *self_p;
	relay_tick(self, true);
	for (size_t i = 0; i < self->n; i++)
		lnob__frame__free_unpacked(self->items[i].frame, NULL);
	router_destroy(&self->router);
	behind_destroy(&self->behind);
	relay_receipts_destroy(&self->receipts);
	free(self);
	*self_p = NULL;
}
