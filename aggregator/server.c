/* server.c: the aggregator's run loop (see server.h). */
#include "server.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "codec.h"
#include "envelope.h"
#include "fairq.h"
#include "ingest.h"
#include "lnob_err.h"
#include "log.h"
#include "ratelim.h"
#include "util.h"
#include "zap.h"

#define ROUTING_ID_MAX 256
/* Credit granted while the store cannot write: one envelope per peer at a
 * time, so that a sender with nothing in flight still probes the store. */
#define S_PROBE_CREDIT 1
/* Most grow-and-retry rounds for one batch (each adds map_grow). */
#define S_GROW_ROUNDS 64
/* Store failures are warned of at most this often. */
#define S_WARN_EVERY_MS 60000
/* Refusals are logged at most once per (peer, reason) this often; the
 * rest are counted and said in one line ("... and N more like it"). */
#define S_REFUSAL_LOG_MS 1000
/* (peer, reason) keys the refusal log tracks at once. */
#define S_REFUSAL_KEYS 1024
/* Message parts read per loop turn at most, so that ZAP, the state flush
 * and the next batch get their turn. */
#define S_READ_MAX 4096
#define S_MB(b) ((unsigned long long)((b) >> 20))

static volatile sig_atomic_t s_stop;   /* the signal that asked us to stop */

static void s_on_signal(int sig)
{
	s_stop = sig;
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
	int64_t next_reader_check;
	/* store health: an episode runs from a failed batch to the next commit */
	bool store_down;           /* NACK retryably, grant only S_PROBE_CREDIT */
	bool warned_episode;       /* this episode was warned of */
	bool state_warned;         /* a failed state flush was warned of */
	int64_t last_state_warn;   /* monotonic ms of that warning */
	bool broken;               /* the map could not be remapped: stop, exit 1 */
	int64_t down_since;        /* monotonic ms the episode began */
	uint64_t down_batches;     /* batches failed in this episode */
	int64_t last_warn;         /* monotonic ms of the last warning, 0: never */
	uint64_t failed_since_warn;
	unsigned grown;            /* map growths since start */
	/* envelopes received and not yet in a batch: one FIFO lane per peer
	 * (key: the peer_t), each at most window long; items are the
	 * Lnob__Frame that owns the envelope's bytes */
	fairq_t *queue;
	ratelim_t *refusals;       /* the refusal log's limiter */
	/* the batch in hand, taken round-robin from the lanes */
	ingest_item_t *items;
	Lnob__Frame **frames;
	peer_t **from;
	void **taken;              /* fairq_take()'s outputs */
	const void **taken_from;
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

/* zmq_send() with ZMQ_DONTWAIT, tried again when a signal interrupted it
 * (SIGTERM arrives while the last acks are being sent: they must still
 * go). Returns what zmq_send() returns. */
static int s_send_part(void *sock, const void *buf, size_t len, int flags)
{
	int r = -1;

	for (int i = 0; i < 100; i++) {
		r = zmq_send(sock, buf, len, flags | ZMQ_DONTWAIT);
		if (r >= 0 || errno != EINTR)
			break;
	}
	return r;
}

/* Sends one Frame to a peer. A peer that is gone (EHOSTUNREACH) or full
 * (EAGAIN) loses the answer; it will send again and be answered then. */
static void s_send(server_t *s, const peer_t *p, const Lnob__Frame *f)
{
	uint8_t *buf;
	size_t len;

	if (codec_pack(&f->base, &buf, &len) < 0)
		return;
	if (s_send_part(s->router, p->rid, p->rid_len, ZMQ_SNDMORE) < 0) {
		log_debug("answer to %s dropped: %s", p->node_id, zmq_strerror(errno));
	} else if (s_send_part(s->router, buf, len, 0) < 0) {
		log_debug("answer to %s dropped: %s", p->node_id, zmq_strerror(errno));
		/* End the message begun, so the next answer is not glued to it
		 * (its receiver drops a message of more than one part). */
		(void)s_send_part(s->router, "", 0, 0);
	}
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

/* The credit to grant now: the window, or a probe while writes fail. */
static uint32_t s_credit(const server_t *s)
{
	if (s->store_down)
		return s->opts->window < S_PROBE_CREDIT ? s->opts->window : S_PROBE_CREDIT;
	return s->opts->window;
}

/* Grows the map by one step, up to map_max. Needs no open transaction in
 * this process (none is: every transaction here is closed before the
 * function that opened it returns). Returns 0 when it grew, 1 when the
 * map is at its maximum, or a negative code when LMDB could not map the
 * new size: the environment is then unmapped and unusable, so s->broken
 * is set and the daemon stops (exit 1; a supervisor restarts it). */
static int s_grow(server_t *s)
{
	size_t cur = store_map_size(s->st), next;
	int r;

	if (cur == 0 || cur >= s->opts->map_max)
		return 1;
	next = cur + s->opts->map_grow;
	if (next < cur || next > s->opts->map_max)
		next = s->opts->map_max;
	r = store_grow(s->st, next);
	if (r < 0) {
		log_warnx("store %s: cannot grow the map from %llu to %llu MB: %s; the store "
			  "is unusable until restart: stopping", store_dir(s->st), S_MB(cur),
			  S_MB(next), lnob_strerror(r));
		s->broken = true;
		s_stop = -1;
		return r;
	}
	s->grown++;
	log_info("store %s: map full at %llu MB, grown to %llu MB (map_max_mb %llu)",
		 store_dir(s->st), S_MB(cur), S_MB(store_map_size(s->st)), S_MB(s->opts->map_max));
	return 0;
}

/* A batch could not be stored: withholds credit until a batch commits
 * again, and warns at most once every S_WARN_EVERY_MS (near a full map,
 * small batches still fit between failing large ones, so episodes come and
 * go quickly; the warning must not follow each of them). */
static void s_store_failed(server_t *s, int r)
{
	int64_t now = lnob_mono_ms();

	if (!s->store_down) {
		s->store_down = true;
		s->down_since = now;
		s->down_batches = 0;
	}
	s->down_batches++;
	s->failed_since_warn++;
	if (s->last_warn && now - s->last_warn < S_WARN_EVERY_MS) {
		log_debug("store %s: batch of %zu envelopes not stored: %s", store_dir(s->st),
			  s->n, lnob_strerror(r));
		return;
	}
	log_warnx("store %s: writes fail: %s; %llu batch(es) not stored since the last "
		  "warning, nothing of them acked; senders get retryable NACKs and credit %u "
		  "while writes fail (warned at most once a minute)", store_dir(s->st),
		  lnob_strerror(r), (unsigned long long)s->failed_since_warn, s_credit(s));
	if (r == MDB_MAP_FULL && store_map_size(s->st) >= s->opts->map_max)
		log_warnx("store %s: the map is full at its maximum of %llu MB; an operator must "
			  "raise [store] map_max_mb in %s (and have the disk space) and restart "
			  "lnob-aggregator; until then little or nothing new is stored and senders "
			  "keep their items queued", store_dir(s->st), S_MB(store_map_size(s->st)),
			  s->opts->conf_path ? s->opts->conf_path : "the configuration");
	if (r == MDB_PANIC)
		log_warnx("store %s: LMDB reports a fatal error in the environment; restart "
			  "lnob-aggregator", store_dir(s->st));
	s->last_warn = now;
	s->failed_since_warn = 0;
	s->warned_episode = true;
}

/* A batch committed: ends a failure episode (said when it was warned of). */
static void s_store_ok(server_t *s)
{
	if (!s->store_down)
		return;
	if (s->warned_episode)
		log_info("store %s: writes succeed again after %llu failed batch(es) in %.1f s; "
			 "granting credit %u", store_dir(s->st), (unsigned long long)s->down_batches,
			 (double)(lnob_mono_ms() - s->down_since) / 1000.0, s->opts->window);
	s->store_down = false;
	s->warned_episode = false;
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
	out.credit = s_credit(s);
	out.max_body = s->opts->max_body;
	out.max_frame = s->opts->max_frame;
	lnob__frame__init(&f);
	f.msg_case = LNOB__FRAME__MSG_HEARTBEAT;
	f.heartbeat = &out;
	s_send(s, p, &f);
}

/* ratelim_fn: the refusals of one (peer, reason) the log did not show. */
static void s_refusals_said(void *ctx, const char *peer, int reason, uint64_t n)
{
	(void)ctx;
	log_warnx("refused envelopes from %s: %s: ... and %llu more like it in the last second",
		  peer[0] ? peer : "?", agg_reason_name(reason), (unsigned long long)n);
}

/* Whether a refusal of reason from peer p is logged now (at most one per
 * (peer, reason) and S_REFUSAL_LOG_MS; the rest are counted and said
 * later by s_refusals_said()). */
static bool s_log_refusal(server_t *s, const peer_t *p, int reason)
{
	return ratelim_hit(s->refusals, p->node_id, reason, lnob_mono_ms(), s_refusals_said, s);
}

/* Refuses a frame that cannot go into a batch (it does not decode, is
 * over max_frame, or is not a sender's frame): counts reason, logs it
 * (rate-limited) and answers a non-retryable NACK naming (signer, seq)
 * when known ("" and 0 otherwise). */
static void s_refuse_frame(server_t *s, const peer_t *p, int reason, const char *signer,
			   uint64_t seq, const char *detail)
{
	s->ing.counters[AGG_C_REJECTED_BASE + reason]++;
	s->counters_dirty = true;
	if (s_log_refusal(s, p, reason)) {
		if (signer[0])
			log_warnx("refused envelope (%s, %llu) from %s: %s: %s", signer,
				  (unsigned long long)seq, p->node_id, agg_reason_name(reason), detail);
		else
			log_warnx("refused a frame from %s: %s: %s", p->node_id,
				  agg_reason_name(reason), detail);
	}
	s_send_nack(s, p, signer, seq, reason, detail, false);
}

/* Sends the verdicts of the batch: acks grouped per peer, nacks one by one,
 * and logs the refusals (at most one line per (peer, reason) a second). */
static void s_answer(server_t *s)
{
	Lnob__Ack *acks = calloc(s->n ? s->n : 1, sizeof(*acks));
	Lnob__Ack **ackp = calloc(s->n ? s->n : 1, sizeof(*ackp));
	bool *done = calloc(s->n ? s->n : 1, sizeof(*done));

	if (!acks || !ackp || !done)
		goto out;
	for (size_t i = 0; i < s->n; i++) {
		ingest_item_t *it = &s->items[i];

		if (it->verdict == INGEST_ACK && it->conflict)
			log_warnx("%s", it->note);
		else if (it->verdict == INGEST_ACK && it->resolved)
			log_info("%s", it->note);
		else if (it->verdict == INGEST_ACK && it->amended)
			log_info("%s", it->note);
		if (it->verdict != INGEST_NACK)
			continue;
		done[i] = true;
		if (it->reason == LNOB__NACK_REASON__NACK_STORE_FAILED)
			log_debug("envelope (%s, %llu) from %s not stored: %s", it->signer,
				  (unsigned long long)it->seq, s->from[i]->node_id, it->detail);
		else if (s_log_refusal(s, s->from[i], it->reason))
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
		batch.credit = s_credit(s);
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

/* Takes the next batch from the lanes: at most batch_max envelopes,
 * one per peer with work in turn (fairq.h), each peer's in its order. */
static void s_take_batch(server_t *s)
{
	assert(s->n == 0);
	s->n = fairq_take(s->queue, s->opts->batch_max, s->taken, s->taken_from);
	for (size_t i = 0; i < s->n; i++) {
		Lnob__Frame *f = s->taken[i];
		peer_t *p = (peer_t *)s->taken_from[i];

		memset(&s->items[i], 0, sizeof(s->items[i]));
		s->items[i].env = f->envelope.data;
		s->items[i].len = f->envelope.len;
		s->items[i].peer = p->node_id;
		s->frames[i] = f;
		s->from[i] = p;
	}
}

/* Takes the next batch from the lanes and stores it (one transaction; on
 * MDB_MAP_FULL the map grows and the batch is tried again at once),
 * answers it, frees it. Acks go only after the commit. */
static void s_flush_batch(server_t *s)
{
	uint64_t before[AGG_C_COUNT];
	int r;

	if (s->broken || fairq_pending(s->queue) == 0)
		return;
	s_take_batch(s);
	memcpy(before, s->ing.counters, sizeof(before));
	r = ingest_batch(&s->ing, s->items, s->n);
	for (int round = 0; r == MDB_MAP_FULL && round < S_GROW_ROUNDS && !s->broken &&
	     s_grow(s) == 0; round++) {
		/* The failed try stays counted; its rejections are counted again
		 * by the next try, so they are taken back. */
		uint64_t failed = s->ing.counters[AGG_C_STORE_FAILED];

		memcpy(s->ing.counters, before, sizeof(before));
		s->ing.counters[AGG_C_STORE_FAILED] = failed;
		r = ingest_batch(&s->ing, s->items, s->n);
	}
	if (r < 0) {
		s->counters_dirty = true;   /* store_failed; the batch did not save it */
		s_store_failed(s, r);
	} else {
		s_store_ok(s);
	}
	s_answer(s);
	for (size_t i = 0; i < s->n; i++)
		lnob__frame__free_unpacked(s->frames[i], NULL);
	s->n = 0;
}

/* The rest of a message whose first part was read: zmq_msg_recv() with
 * ZMQ_DONTWAIT, tried again when a signal interrupted it. */
static int s_recv_part(zmq_msg_t *m, void *sock)
{
	int r = -1;

	for (int i = 0; i < 100; i++) {
		r = zmq_msg_recv(m, sock, ZMQ_DONTWAIT);
		if (r >= 0 || errno != EINTR)
			break;
	}
	return r;
}

/* lnob__frame__free_unpacked() as a fairq_free_fn. */
static void s_frame_free(void *f)
{
	lnob__frame__free_unpacked(f, NULL);
}

/* Puts a received envelope frame f (taken) in p's lane. A lane already
 * window long (a sender over its credit) first has batches flushed until
 * it has room: each batch takes from every lane in turn, so this serves
 * p no faster than anyone else. */
static void s_enqueue(server_t *s, peer_t *p, Lnob__Frame *f)
{
	char signer[LNOB_ID_MAX + 1] = "";
	uint64_t seq = 0;
	int r = -ENOBUFS;

	for (size_t round = 0; round <= s->npeers && !s->broken; round++) {
		if ((r = fairq_push(s->queue, p, f)) != -ENOBUFS)
			break;
		s_flush_batch(s);
	}
	if (r == 0)
		return;
	/* Out of memory, or the store is unusable: the sender sends again. */
	(void)envelope_peek(f->envelope.data, f->envelope.len, signer, sizeof(signer), &seq);
	if (!s->broken)
		s_send_nack(s, p, signer, seq, LNOB__NACK_REASON__NACK_STORE_FAILED,
			    "the aggregator cannot queue it now; retry later", true);
	lnob__frame__free_unpacked(f, NULL);
}

/* A part over max_frame: NACK_TOO_LARGE, naming (signer, seq) when the
 * envelope inside reads that far (the part is at most 2 x max_frame:
 * ZeroMQ's MAXMSGSIZE drops the connection beyond). */
static void s_frame_too_large(server_t *s, peer_t *p, const uint8_t *buf, size_t len)
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
	snprintf(detail, sizeof(detail), "frame of %zu bytes is over max_frame of %zu bytes",
		 len, s->opts->max_frame);
	s_refuse_frame(s, p, LNOB__NACK_REASON__NACK_TOO_LARGE, signer, seq, detail);
}

/* Handles one part of a message from p as a Frame of its own: an
 * envelope goes into p's lane (answered when its batch is), a heartbeat
 * is answered at once, anything else is refused and answered. */
static void s_on_part(server_t *s, peer_t *p, const uint8_t *buf, size_t len)
{
	ProtobufCMessage *m;
	Lnob__Frame *f;
	char detail[64];

	if (len > s->opts->max_frame) {
		s_frame_too_large(s, p, buf, len);
		return;
	}
	if (codec_unpack(&lnob__frame__descriptor, buf, len, s->opts->max_frame, &m) < 0) {
		s_refuse_frame(s, p, LNOB__NACK_REASON__NACK_MALFORMED, "", 0,
			       "frame does not decode");
		return;
	}
	f = (Lnob__Frame *)m;
	switch (f->msg_case) {
	case LNOB__FRAME__MSG_ENVELOPE:
		s_enqueue(s, p, f);   /* takes f */
		return;
	case LNOB__FRAME__MSG_HEARTBEAT:
		s_on_heartbeat(s, p, f->heartbeat);
		break;
	default:
		snprintf(detail, sizeof(detail), "not a sender's frame (case %d)", (int)f->msg_case);
		s_refuse_frame(s, p, LNOB__NACK_REASON__NACK_MALFORMED, "", 0, detail);
		break;
	}
	lnob__frame__free_unpacked(f, NULL);
}

/* Reads one ROUTER message: the routing id, then every part, each handled
 * as a Frame of its own (s_on_part()). Returns the number of parts read
 * (>= 1) when a message was waiting, 0 when none was, negative on a
 * socket error. */
static int s_recv_one(server_t *s)
{
	zmq_msg_t rid;
	peer_t *p = NULL;
	bool more, first = true;
	int parts = 1;

	zmq_msg_init(&rid);
	if (zmq_msg_recv(&rid, s->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&rid);
		return errno == EAGAIN ? 0 : -errno;
	}
	more = zmq_msg_more(&rid);
	while (more) {
		zmq_msg_t part;

		zmq_msg_init(&part);
		if (s_recv_part(&part, s->router) < 0) {
			zmq_msg_close(&part);
			break;
		}
		parts++;
		more = zmq_msg_more(&part);
		if (first) {
			first = false;
			if (zmq_msg_size(&rid) <= ROUTING_ID_MAX)
				p = s_peer(s, zmq_msg_data(&rid), zmq_msg_size(&rid),
					   zmq_msg_gets(&part, "User-Id"));
			if (p)
				p->last_seen_ms = lnob_now_ms();
		}
		if (p && !s->broken)   /* no peer: out of memory; the sender sends again */
			s_on_part(s, p, zmq_msg_data(&part), zmq_msg_size(&part));
		zmq_msg_close(&part);
	}
	zmq_msg_close(&rid);
	return parts;
}

/* Reads what is waiting on the ROUTER, at most S_READ_MAX parts. */
static void s_read(server_t *s)
{
	int total = 0, r;

	while (total < S_READ_MAX && !s_stop && (r = s_recv_one(s)) > 0)
		total += r;
}

/* Clears reader slots left by processes that died in a read transaction
 * (a killed `status` or `verify`): they pin old pages, so the map fills.
 * Runs every reader_check_ms. */
static void s_reader_check(server_t *s)
{
	int dead = 0, r;

	if (s->broken || lnob_mono_ms() < s->next_reader_check)
		return;
	s->next_reader_check = lnob_mono_ms() + s->opts->reader_check_ms;
	r = store_reader_check(s->st, &dead);
	if (r < 0)
		log_warnx("store %s: checking reader slots: %s", store_dir(s->st), lnob_strerror(r));
	else if (dead > 0)
		log_info("store %s: cleared %d stale reader slot(s) of dead processes",
			 store_dir(s->st), dead);
}

/* Forgets peers silent for ten minutes (their routing ids are gone; a
 * reconnecting collector gets a new one). Only between batches. */
static void s_evict(server_t *s)
{
	int64_t now = lnob_now_ms();
	size_t j = 0;

	for (size_t i = 0; i < s->npeers; i++) {
		if (now - s->peers[i]->last_seen_ms > 600000 && !s->peers[i]->dirty &&
		    fairq_lane_len(s->queue, s->peers[i]) == 0)
			free(s->peers[i]);
		else
			s->peers[j++] = s->peers[i];
	}
	s->npeers = j;
}

/* Writes the counters and the dirty peers' records in one transaction.
 * Returns 0 or the store's code. */
static int s_write_state(server_t *s)
{
	MDB_txn *txn = NULL;
	int r = store_begin(s->st, true, &txn);

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
	return r;
}

/* Persists counters and peer health when they changed, at most every
 * flush_ms. */
static void s_flush_state(server_t *s, bool force)
{
	int r;
	bool any = s->counters_dirty;

	if (s->broken)
		return;
	if (!force && lnob_mono_ms() - s->last_flush < s->opts->flush_ms)
		return;
	for (size_t i = 0; i < s->npeers; i++)
		any = any || s->peers[i]->dirty;
	s->last_flush = lnob_mono_ms();
	if (!any)
		return;
	r = s_write_state(s);
	if (r == MDB_MAP_FULL && s_grow(s) == 0)
		r = s_write_state(s);
	if (r < 0) {
		if (!s->state_warned && (!s->last_state_warn ||
		    lnob_mono_ms() - s->last_state_warn >= S_WARN_EVERY_MS)) {
			log_warnx("store %s: cannot persist counters and peer health: %s (tried "
				  "again every %lld ms, warned at most once a minute)",
				  store_dir(s->st), lnob_strerror(r), (long long)s->opts->flush_ms);
			s->state_warned = true;
			s->last_state_warn = lnob_mono_ms();
		}
		return;
	}
	if (s->state_warned)
		log_info("store %s: counters and peer health persisted again", store_dir(s->st));
	s->state_warned = false;
	s->counters_dirty = false;
	for (size_t i = 0; i < s->npeers; i++)
		s->peers[i]->dirty = false;
	s_evict(s);
}

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

/* Creates the ROUTER: CURVE server, mandatory routing, bounded linger and
 * message size, bound after the ZAP handler. */
static int s_bind(server_t *s, const identity_t *id, char *ret_ep, size_t eplen)
{
	int one = 1, linger = 1000, hwm = 100000;
	/* Twice max_frame, so that a frame over max_frame arrives and is
	 * answered (NACK_TOO_LARGE); beyond, ZeroMQ drops the connection. */
	int64_t maxmsg = 2 * (int64_t)s->opts->max_frame;
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
	s.ing.campaigns = opts->campaigns;
	s.items = calloc(opts->batch_max, sizeof(*s.items));
	s.frames = calloc(opts->batch_max, sizeof(*s.frames));
	s.from = calloc(opts->batch_max, sizeof(*s.from));
	s.taken = calloc(opts->batch_max, sizeof(*s.taken));
	s.taken_from = calloc(opts->batch_max, sizeof(*s.taken_from));
	s.queue = fairq_new(opts->window);
	s.refusals = ratelim_new(S_REFUSAL_KEYS, S_REFUSAL_LOG_MS);
	if (!s.items || !s.frames || !s.from || !s.taken || !s.taken_from || !s.queue ||
	    !s.refusals) {
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
	/* SA_RESTART: a stop request must not fail a write or fsync of the
	 * batch in hand (zmq_poll still returns EINTR, as poll(2) always does). */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* `run` blocks both from its start (see main.c): one that came during
	 * start-up is delivered now, to the handler, and ends the run cleanly. */
	{
		sigset_t mask;

		sigemptyset(&mask);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGINT);
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
	}

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
	log_info("listening on %s as %s (batch %zu, window %u, max_body %zu, max_frame %zu)",
		 bound, id->pub.node_id, opts->batch_max, opts->window, opts->max_body,
		 opts->max_frame);
	s.next_reader_check = lnob_mono_ms() + opts->reader_check_ms;

	while (!s_stop) {
		zmq_pollitem_t items[2] = { { s.router, 0, ZMQ_POLLIN, 0 },
					    { zap_socket(s.zap), 0, ZMQ_POLLIN, 0 } };

		/* Envelopes waiting in the lanes: do not sleep on the socket. */
		if (zmq_poll(items, 2, fairq_pending(s.queue) > 0 ? 0 : 100) < 0) {
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
		if (items[0].revents & ZMQ_POLLIN)
			s_read(&s);
		s_flush_batch(&s);   /* one batch a turn: new arrivals join the next */
		ratelim_expire(s.refusals, lnob_mono_ms(), s_refusals_said, &s);
		s_flush_state(&s, false);
		s_reader_check(&s);
	}
	if (s_stop > 0)
		log_info("%s: finishing the batch in hand and stopping (with the %zu envelope(s) "
			 "received and waiting for a batch)", strsignal((int)s_stop),
			 fairq_pending(s.queue));
	/* What was received is stored and answered: at most a window per
	 * peer, so this ends (a batch takes at least one envelope). */
	while (!s.broken && fairq_pending(s.queue) > 0)
		s_flush_batch(&s);
	ratelim_flush(s.refusals, s_refusals_said, &s);
	s_flush_state(&s, true);
	if (s.broken)
		log_warnx("stopping: the store's map could not be grown; exit 1");
	log_info("stopping: %llu stored, %llu duplicates, %llu failed batches, map grown %u "
		 "time(s) to %llu MB", (unsigned long long)s.ing.counters[AGG_C_STORED],
		 (unsigned long long)s.ing.counters[AGG_C_DUPLICATE],
		 (unsigned long long)s.ing.counters[AGG_C_STORE_FAILED], s.grown,
		 S_MB(store_map_size(st)));
	rc = s.broken ? 1 : 0;
out:
	/* LINGER (1 s) bounds how long queued answers, the last acks among
	 * them, get to leave: zmq_ctx_term() waits for them. */
	if (s.router)
		zmq_close(s.router);
	zap_destroy(&s.zap);
	if (s.ctx)
		zmq_ctx_term(s.ctx);
	free(s.items);
	free(s.frames);
	free(s.from);
	free(s.taken);
	free(s.taken_from);
	fairq_destroy(&s.queue, s_frame_free);
	ratelim_destroy(&s.refusals);
	for (size_t i = 0; i < s.npeers; i++)
		free(s.peers[i]);
	free(s.peers);
	return rc;
}
