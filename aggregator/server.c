/* server.c: the aggregator's run loop (see server.h). */
#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "codec.h"
#include "ingest.h"
#include "lnob_err.h"
#include "log.h"
#include "util.h"
#include "zap.h"

#define ROUTING_ID_MAX 256

static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
	(void)sig;
	s_stop = 1;
}

/* A connected peer: its routing id and the node id ZAP admitted it as. */
typedef struct peer {
	uint8_t rid[ROUTING_ID_MAX];
	size_t rid_len;
	char node_id[LNOB_ID_MAX + 1];
	int64_t last_seen_ms;
	Lnob__Health health;
	bool has_health, dirty;
} peer_t;

typedef struct server {
	const server_opts_t *opts;
	void *ctx, *router;
	zap_t *zap;
	store_t *st;
	ingest_ctx_t ing;
	peer_t **peers;            /* each allocated alone: batch items point at them */
	size_t npeers, cap_peers;
	bool counters_dirty;
	int64_t last_flush;
	/* the batch in hand */
	ingest_item_t *items;
	Lnob__Frame **frames;
	peer_t **from;
	size_t n;
} server_t;

/* Finds or adds the peer with this routing id. Returns NULL when out of
 * memory. */
static peer_t *s_peer(server_t *s, const uint8_t *rid, size_t len, const char *node_id)
{
	peer_t *p;

	for (size_t i = 0; i < s->npeers; i++)
		if (s->peers[i]->rid_len == len && memcmp(s->peers[i]->rid, rid, len) == 0)
			return s->peers[i];
	if (s->npeers == s->cap_peers) {
		size_t cap = s->cap_peers ? s->cap_peers * 2 : 16;
		peer_t **np = realloc(s->peers, cap * sizeof(*np));
		if (!np)
			return NULL;
		s->peers = np;
		s->cap_peers = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	s->peers[s->npeers++] = p;
	memcpy(p->rid, rid, len);
	p->rid_len = len;
	lnob_strlcpy(p->node_id, node_id ? node_id : "", sizeof(p->node_id));
	return p;
}

/* Sends one Frame to a peer. A peer that is gone (EHOSTUNREACH) or full
 * (EAGAIN) loses the answer; it will send again and be answered then. */
static void s_send(server_t *s, const peer_t *p, const Lnob__Frame *f)
{
	uint8_t *buf;
	size_t len;

	if (codec_pack(&f->base, &buf, &len) < 0)
		return;
	if (zmq_send(s->router, p->rid, p->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(s->router, buf, len, ZMQ_DONTWAIT) < 0)
		log_debug("answer to %s dropped: %s", p->node_id, zmq_strerror(errno));
	free(buf);
}

static void s_send_nack(server_t *s, const peer_t *p, const char *signer, uint64_t seq,
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
	s_send(s, p, &f);
}

static void s_on_heartbeat(server_t *s, peer_t *p, const Lnob__Heartbeat *hb)
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
	out.sent_at_ms = lnob_now_ms();
	out.credit = s->opts->window;
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_HEARTBEAT;
	f.heartbeat = &out;
	s_send(s, p, &f);
}

/* Sends the verdicts of the batch: acks grouped per peer, nacks one by one,
 * and logs every refusal. */
static void s_answer(server_t *s)
{
	Lnob__Ack *acks = calloc(s->n ? s->n : 1, sizeof(*acks));
	Lnob__Ack **ackp = calloc(s->n ? s->n : 1, sizeof(*ackp));
	bool *done = calloc(s->n ? s->n : 1, sizeof(*done));

	if (!acks || !ackp || !done)
		goto out;
	for (size_t i = 0; i < s->n; i++) {
		ingest_item_t *it = &s->items[i];

		if (it->verdict != INGEST_NACK)
			continue;
		done[i] = true;
		if (it->reason == LNOB__NACK_REASON__NACK_STORE_FAILED)
			log_debug("envelope (%s, %llu) from %s not stored: %s", it->signer,
				  (unsigned long long)it->seq, s->from[i]->node_id, it->detail);
		else
			log_warnx("refused envelope (%s, %llu) from %s: %s: %s",
				  it->signer[0] ? it->signer : "?", (unsigned long long)it->seq,
				  s->from[i]->node_id, agg_reason_name(it->reason), it->detail);
		s_send_nack(s, s->from[i], it->signer, it->seq, it->reason, it->detail, it->retryable);
	}
	for (size_t i = 0; i < s->n; i++) {
		Lnob__Frame f;
		Lnob__AckBatch batch = LNOB__ACK_BATCH__INIT;
		size_t na = 0;

		if (done[i])
			continue;
		for (size_t j = i; j < s->n; j++) {
			if (done[j] || s->from[j] != s->from[i])
				continue;
			done[j] = true;
			lnob__ack__init(&acks[na]);
			acks[na].signer = s->items[j].signer;
			acks[na].seq = s->items[j].seq;
			ackp[na] = &acks[na];
			na++;
		}
		batch.acks = ackp;
		batch.n_acks = na;
		batch.credit = s->opts->window;
		lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_ACKS;
		f.acks = &batch;
		s_send(s, s->from[i], &f);
	}
out:
	free(acks);
	free(ackp);
	free(done);
}

/* Stores the batch in hand (one transaction), answers it, frees it. */
static void s_flush_batch(server_t *s)
{
	int r;

	if (s->n == 0)
		return;
	r = ingest_batch(&s->ing, s->items, s->n);
	if (r < 0)
		log_warnx("batch of %zu envelopes not stored: %s; nothing of it acked, "
			  "senders will retry", s->n, lnob_strerror(r));
	s_answer(s);
	for (size_t i = 0; i < s->n; i++)
		lnob__frame__free_unpacked(s->frames[i], NULL);
	s->n = 0;
}

/* Reads one ROUTER message. Returns 1 when one was handled, 0 when none was
 * waiting, negative on a socket error. */
static int s_recv_one(server_t *s)
{
	zmq_msg_t rid, data;
	ProtobufCMessage *m;
	Lnob__Frame *f;
	const char *user;
	peer_t *p;
	int more = 0;
	size_t ml = sizeof(more);

	zmq_msg_init(&rid);
	if (zmq_msg_recv(&rid, s->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&rid);
		return errno == EAGAIN ? 0 : -errno;
	}
	zmq_msg_init(&data);
	if (!zmq_msg_more(&rid) || zmq_msg_recv(&data, s->router, ZMQ_DONTWAIT) < 0 ||
	    zmq_msg_size(&rid) > ROUTING_ID_MAX) {
		zmq_msg_close(&rid);
		zmq_msg_close(&data);
		return 1;
	}
	user = zmq_msg_gets(&data, "User-Id");
	p = s_peer(s, zmq_msg_data(&rid), zmq_msg_size(&rid), user);
	zmq_msg_close(&rid);
	zmq_getsockopt(s->router, ZMQ_RCVMORE, &more, &ml);
	while (more) {   /* one frame per message: drop anything after it */
		zmq_msg_t junk;
		zmq_msg_init(&junk);
		zmq_msg_recv(&junk, s->router, ZMQ_DONTWAIT);
		more = zmq_msg_more(&junk);
		zmq_msg_close(&junk);
	}
	if (!p) {
		zmq_msg_close(&data);
		return 1;
	}
	p->last_seen_ms = lnob_now_ms();
	if (codec_unpack(&lnob__frame__descriptor, zmq_msg_data(&data), zmq_msg_size(&data),
			 s->opts->max_frame, &m) < 0) {
		zmq_msg_close(&data);
		s->ing.counters[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_MALFORMED]++;
		s->counters_dirty = true;
		log_warnx("refused a frame from %s: malformed: does not decode", p->node_id);
		s_send_nack(s, p, "", 0, LNOB__NACK_REASON__NACK_MALFORMED,
			    "frame does not decode", false);
		return 1;
	}
	zmq_msg_close(&data);
	f = (Lnob__Frame *)m;
	switch (f->msg_case) {
	case LNOB__FRAME__MSG_ENVELOPE:
		s->items[s->n].env = f->envelope.data;
		s->items[s->n].len = f->envelope.len;
		s->items[s->n].peer = p->node_id;
		s->frames[s->n] = f;
		s->from[s->n] = p;
		s->n++;
		return 1;
	case LNOB__FRAME__MSG_HEARTBEAT:
		s_on_heartbeat(s, p, f->heartbeat);
		break;
	default:
		log_debug("ignored frame type %d from %s", f->msg_case, p->node_id);
		break;
	}
	lnob__frame__free_unpacked(f, NULL);
	return 1;
}

/* Forgets peers silent for ten minutes (their routing ids are gone; a
 * reconnecting collector gets a new one). Only between batches. */
static void s_evict(server_t *s)
{
	int64_t now = lnob_now_ms();
	size_t j = 0;

	for (size_t i = 0; i < s->npeers; i++) {
		if (now - s->peers[i]->last_seen_ms > 600000 && !s->peers[i]->dirty)
			free(s->peers[i]);
		else
			s->peers[j++] = s->peers[i];
	}
	s->npeers = j;
}

/* Persists counters and peer health when they changed, at most every
 * flush_ms. */
static void s_flush_state(server_t *s, bool force)
{
	MDB_txn *txn = NULL;
	int r = 0;
	bool any = s->counters_dirty;

	if (!force && lnob_mono_ms() - s->last_flush < s->opts->flush_ms)
		return;
	for (size_t i = 0; i < s->npeers; i++)
		any = any || s->peers[i]->dirty;
	s->last_flush = lnob_mono_ms();
	if (!any)
		return;
	r = store_begin(s->st, true, &txn);
	if (r == 0)
		r = agg_counters_save(s->st, txn, s->ing.counters);
	for (size_t i = 0; r == 0 && i < s->npeers; i++) {
		peer_t *p = s->peers[i];
		Lnob__PeerRecord rec = LNOB__PEER_RECORD__INIT;
		uint8_t *buf;
		size_t len;

		if (!p->dirty || !p->node_id[0])
			continue;
		rec.node_id = p->node_id;
		rec.last_seen_ms = p->last_seen_ms;
		rec.health = p->has_health ? &p->health : NULL;
		r = codec_pack(&rec.base, &buf, &len);
		if (r == 0) {
			r = store_put(txn, store_dbi(s->st, AGG_DB_PEERS), p->node_id,
				      strlen(p->node_id), buf, len, 0);
			free(buf);
		}
	}
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	if (r < 0) {
		log_warnx("cannot persist counters and peer health: %s", lnob_strerror(r));
		return;
	}
	s->counters_dirty = false;
	for (size_t i = 0; i < s->npeers; i++)
		s->peers[i]->dirty = false;
	s_evict(s);
}

/* Creates the ROUTER: CURVE server, mandatory routing, bounded linger and
 * message size, bound after the ZAP handler. */
/* ZAP's lookup: an enrolled, unrevoked node with this CURVE key. */
static bool s_zap_lookup(void *ctx, const uint8_t curve_pk[32], char *ret_id, size_t id_size)
{
	store_t *st = ctx;
	Lnob__NodeRecord *node = NULL;
	MDB_txn *txn = NULL;
	char id[LNOB_ID_MAX + 1];
	bool ok = false;

	if (store_begin(st, false, &txn) < 0)
		return false;
	if (agg_node_by_curve(st, txn, curve_pk, id) == 0 &&
	    agg_node_get(st, txn, id, &node) == 0) {
		ok = !node->revoked && lnob_strlcpy(ret_id, id, id_size) == 0;
		lnob__node_record__free_unpacked(node, NULL);
	}
	store_abort(&txn);
	return ok;
}

static int s_bind(server_t *s, const identity_t *id, char *ret_ep, size_t eplen)
{
	int one = 1, linger = 1000, hwm = 100000;
	int64_t maxmsg = (int64_t)s->opts->max_frame;
	size_t len = eplen;

	s->router = zmq_socket(s->ctx, ZMQ_ROUTER);
	if (!s->router ||
	    zmq_setsockopt(s->router, ZMQ_CURVE_SERVER, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(s->router, ZMQ_CURVE_SECRETKEY, id->curve_sk, 32) != 0 ||
	    zmq_setsockopt(s->router, ZMQ_ROUTER_MANDATORY, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(s->router, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_setsockopt(s->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) != 0 ||
	    zmq_setsockopt(s->router, ZMQ_SNDHWM, &hwm, sizeof(hwm)) != 0 ||
	    zmq_setsockopt(s->router, ZMQ_RCVHWM, &hwm, sizeof(hwm)) != 0 ||
	    zmq_setsockopt(s->router, ZMQ_ZAP_DOMAIN, "lnob", 4) != 0) {
		log_warnx("cannot set up the ROUTER socket: %s", zmq_strerror(errno));
		return -1;
	}
	if (zmq_bind(s->router, s->opts->endpoint) != 0) {
		log_warnx("cannot bind %s: %s", s->opts->endpoint, zmq_strerror(errno));
		return -1;
	}
	if (zmq_getsockopt(s->router, ZMQ_LAST_ENDPOINT, ret_ep, &len) != 0)
		lnob_strlcpy(ret_ep, s->opts->endpoint, eplen);
	return 0;
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

int server_run(const server_opts_t *opts, const identity_t *id, store_t *st,
	       const hier_t *hier)
{
	server_t s;
	struct sigaction sa;
	char bound[256], ep[256], detail[256];
	MDB_txn *txn = NULL;
	int rc = 1, r;

	memset(&s, 0, sizeof(s));
	s.opts = opts;
	s.st = st;
	s.ing.st = st;
	s.ing.hier = hier;
	s.ing.max_body = opts->max_body;
	s.items = calloc(opts->batch_max, sizeof(*s.items));
	s.frames = calloc(opts->batch_max, sizeof(*s.frames));
	s.from = calloc(opts->batch_max, sizeof(*s.from));
	if (!s.items || !s.frames || !s.from) {
		log_warnx("out of memory");
		goto out;
	}
	if ((r = store_begin(st, false, &txn)) == 0)
		r = agg_counters_load(st, txn, s.ing.counters);
	store_abort(&txn);
	if (r < 0) {
		log_warnx("%s: cannot read counters: %s", store_dir(st), lnob_strerror(r));
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = s_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	s.ctx = zmq_ctx_new();
	/* The ZAP handler first: without it libzmq admits every CURVE client. */
	s.zap = s.ctx ? zap_new(s.ctx, s_zap_lookup, st) : NULL;
	if (!s.zap) {
		log_warnx("cannot bind the ZAP handler: %s", zmq_strerror(errno));
		goto out;
	}
	if (s_bind(&s, id, bound, sizeof(bound)) < 0)
		goto out;
	s_connect_ep(bound, ep, sizeof(ep));
	r = zap_self_test(s.zap, s.ctx, ep, id->pub.curve_pk, 10000, detail, sizeof(detail));
	if (r < 0) {
		log_warnx("ZAP self-test failed: %s; refusing to start", detail);
		goto out;
	}
	log_info("ZAP self-test passed: %s", detail);
	log_info("listening on %s as %s (batch %zu, window %u)", bound, id->pub.node_id,
		 opts->batch_max, opts->window);

	while (!s_stop) {
		zmq_pollitem_t items[2] = { { s.router, 0, ZMQ_POLLIN, 0 },
					    { zap_socket(s.zap), 0, ZMQ_POLLIN, 0 } };

		if (zmq_poll(items, 2, 100) < 0) {
			if (errno == EINTR)
				continue;
			log_warnx("poll: %s", zmq_strerror(errno));
			break;
		}
		if (items[1].revents & ZMQ_POLLIN) {
			int denied = zap_handle(s.zap);
			if (denied > 0) {
				s.ing.counters[AGG_C_ZAP_DENIED] += (uint64_t)denied;
				s.counters_dirty = true;
				log_warnx("ZAP refused %d connection attempt(s) with unknown or revoked keys", denied);
			}
		}
		if (items[0].revents & ZMQ_POLLIN) {
			while (s.n < opts->batch_max) {
				r = s_recv_one(&s);
				if (r <= 0)
					break;
			}
			s_flush_batch(&s);
		}
		s_flush_state(&s, false);
	}
	/* Finish the batch in hand (already answered above) and persist. */
	s_flush_batch(&s);
	s_flush_state(&s, true);
	log_info("stopping: %llu stored, %llu duplicates so far",
		 (unsigned long long)s.ing.counters[AGG_C_STORED],
		 (unsigned long long)s.ing.counters[AGG_C_DUPLICATE]);
	rc = 0;
out:
	if (s.router)
		zmq_close(s.router);
	zap_destroy(&s.zap);
	if (s.ctx)
		zmq_ctx_term(s.ctx);
	free(s.items);
	free(s.frames);
	free(s.from);
	for (size_t i = 0; i < s.npeers; i++)
		free(s.peers[i]);
	free(s.peers);
	return rc;
}
