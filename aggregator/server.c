/* server.c: the aggregator's run loop (see server.h): the link is the
 * router's (common/router.h); here are the fair batches into ingest, the
 * store's health and the daemon's state. */
#include "server.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "api.h"
#include "envelope.h"
#include "fairq.h"
#include "fleet.h"
#include "fleet_in.h"
#include "http.h"
#include "ingest.h"
#include "lnob_err.h"
#include "log.h"
#include "metadata_out.h"
#include "metrics.h"
#include "notify.h"
#include "router.h"
#include "util.h"
#include "srvbatch.h"
#include "vpool.h"

/* Credit granted while the store cannot write: one envelope per peer at a
 * time, so that a sender with nothing in flight still probes the store. */
#define S_PROBE_CREDIT 1
/* Most grow-and-retry rounds for one batch (each adds map_grow). */
#define S_GROW_ROUNDS 64
/* Store failures are warned of at most this often. */
#define S_WARN_EVERY_MS 60000
/* (peer, reason) keys the refusal log tracks at once. */
#define S_REFUSAL_KEYS 1024
/* Message parts read per loop turn at most, so that ZAP, the state flush
 * and the next batch get their turn. */
#define S_READ_MAX 4096
/* The ROUTER's send high-water mark, and the bounds of its receive
 * high-water mark (s_rcvhwm()), in messages. */
#define S_SNDHWM 100000
#define S_RCVHWM_MIN 16
#define S_RCVHWM_MAX 100000
/* Messages beyond its credit a sender may queue (heartbeats, receipt acks). */
#define S_RCVHWM_SLACK 64
#define S_MB(b) ((unsigned long long)((b) >> 20))

static volatile sig_atomic_t s_stop;   /* the signal that asked us to stop */

static void s_on_signal(int sig)
{
	s_stop = sig;
}

typedef struct server {
	const server_opts_t *opts;
	void *ctx;
	router_conf_t rconf;
	router_t *router;
	http_t *http;              /* NULL without [http] listen */
	store_t *st;
	ingest_ctx_t ing;
	/* The server's metrics (metrics.h): batch commit latency here, the
	 * gauges at each state flush; the HTTP side, in this loop, records its
	 * queries in it and renders /metrics as metrics_render(s->metrics,
	 * s->ing.counters). */
	metrics_t *metrics;
	fleet_in_t *fleet_in;      /* relays' reports of their downstream nodes */
	metaout_t *meta;           /* the metadata sent down (metadata_out.h) */
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
	 * (key: the router_peer_t), each at most window envelopes and
	 * window_bytes, all at most queue_bytes; items are the Lnob__Frame that
	 * owns the envelope's bytes, sized by the envelope's length */
	fairq_t *queue;
	/* the batch in hand (cur, being stored) and the next (ahead, its
	 * signatures being verified by the pool meanwhile), each taken
	 * round-robin from the lanes */
	srvbatch_t batch[2];
	srvbatch_t *cur, *ahead;
	vpool_t *pool;             /* verifies ahead's envelopes (vpool.h) */
	router_verdict_t *verdicts;
	void **taken;              /* fairq_take()'s outputs */
	const void **taken_from;
} server_t;

/* The credit to grant now: the window, or a probe while writes fail. */
static uint32_t s_credit(const server_t *s)
{
	if (s->store_down)
		return s->opts->window < S_PROBE_CREDIT ? s->opts->window : S_PROBE_CREDIT;
	return s->opts->window;
}

/* Writes fail, or succeed again: the router grants the credit of now. */
static void s_credit_changed(server_t *s)
{
	if (s->router)
		router_set_credit(s->router, s_credit(s));
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
	char why[1200];

	if (!s->store_down) {
		s->store_down = true;
		s->down_since = now;
		s->down_batches = 0;
		s_credit_changed(s);
	}
	s->down_batches++;
	s->failed_since_warn++;
	if (s->last_warn && now - s->last_warn < S_WARN_EVERY_MS) {
		log_debug("store %s: batch of %zu envelopes not stored: %s", store_dir(s->st),
			  s->cur->n, lnob_strerror(r));
		return;
	}
	log_warnx("store %s: writes fail: %s; %llu batch(es) not stored since the last "
		  "warning, nothing of them acked; senders get retryable NACKs and credit %u "
		  "while writes fail (warned at most once a minute)", store_dir(s->st),
		  store_strerror(s->st, r, why, sizeof(why)),
		  (unsigned long long)s->failed_since_warn, s_credit(s));
	if (r == LNOB_E_FULL && store_map_size(s->st) >= s->opts->map_max)
		log_warnx("store %s: the map is full at its maximum of %llu MB; an operator must "
			  "raise [store] map_max_mb in %s (and have the disk space) and restart "
			  "lnob-aggregator; until then little or nothing new is stored and senders "
			  "keep their items queued", store_dir(s->st), S_MB(store_map_size(s->st)),
			  s->opts->conf_path ? s->opts->conf_path : "the configuration");
	if (r == LNOB_E_BROKEN)
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
	s_credit_changed(s);
}
/* Waits until the pool has finished the batch ahead's checks: before the
 * writer reads that batch, and before the map size changes (no worker's
 * read transaction may be open then; store_set_quiesce()). */
static void s_quiesce(void *ctx)
{
	server_t *s = ctx;

	vpool_wait(s->pool);
}

/* Takes the next batch from the lanes as the batch ahead: at most
 * batch_max envelopes and batch_bytes (the first alone may be more), one
 * per peer with work in turn (fairq.h), each peer's in its order; and
 * starts the pool on its signatures. Nothing when the lanes are empty. */
static void s_take_ahead(server_t *s)
{
	assert(!vpool_busy(s->pool));
	if (srvbatch_take(s->ahead, s->queue, s->opts->batch_max, s->opts->batch_bytes, s->taken,
			  s->taken_from) > 0)
		srvbatch_preverify(s->ahead, s->pool);
}

/* The monotonic clock in seconds (for latencies below a millisecond). */
static double s_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Stores batch b (one transaction; on LNOB_E_FULL the map grows and the
 * batch is tried again at once), answers it, frees it. Acks go only after
 * the commit. */
static void s_store_batch(server_t *s, srvbatch_t *b)
{
	uint64_t before[AGG_C_COUNT];
	double t0;
	int r;

	memcpy(before, s->ing.counters, sizeof(before));
	t0 = s_seconds();
	r = ingest_batch(&s->ing, b->items, b->n);
	for (int round = 0; r == LNOB_E_FULL && round < S_GROW_ROUNDS && !s->broken &&
	     s_grow(s) == 0; round++) {
		/* The failed try stays counted; its rejections are counted again
		 * by the next try, so they are taken back. */
		uint64_t failed = s->ing.counters[AGG_C_STORE_FAILED];

		memcpy(s->ing.counters, before, sizeof(before));
		s->ing.counters[AGG_C_STORE_FAILED] = failed;
		r = ingest_batch(&s->ing, b->items, b->n);
	}
	metrics_batch_commit(s->metrics, s_seconds() - t0);
	if (r < 0) {
		s->counters_dirty = true;   /* store_failed; the batch did not save it */
		s_store_failed(s, r);
	} else {
		s_store_ok(s);
	}
	srvbatch_answer(b, s->router, s->verdicts);
	srvbatch_clear(b);
}

/* Stores one batch, pipelined: the batch ahead (taken now when there is
 * none) becomes the one in hand once the pool has checked its
 * signatures; the next is taken and handed to the pool, which checks it
 * while this thread stores, commits and answers the one in hand. Under a
 * light load the batch taken is stored in the same call (nothing more
 * waits), so no envelope waits a loop turn more than before. */
static void s_flush_batch(server_t *s)
{
	srvbatch_t *b;

	if (s->broken)
		return;
	if (s->ahead->n == 0)
		s_take_ahead(s);
	if (s->ahead->n == 0)
		return;
	vpool_wait(s->pool);
	b = s->ahead;
	s->ahead = s->cur;
	s->cur = b;
	s_take_ahead(s);
	/* More waiting (a storm): a batch of only duplicates and refusals
	 * need not commit; its counts go with the next commit or state flush. */
	s->ing.lazy_counters = s->ahead->n > 0 || fairq_pending(s->queue) > 0;
	s_store_batch(s, s->cur);
}

/* Envelopes received and not yet stored: in the lanes or the batch ahead. */
static size_t s_pending(const server_t *s)
{
	return fairq_pending(s->queue) + s->ahead->n;
}

/* api_ingest_fn: one envelope the aggregator signed itself, through
 * ingest as a batch of one (the map grown when full, as for batches). */
static int s_ingest_local(void *ctx, ingest_item_t *item)
{
	server_t *s = ctx;
	uint64_t before[AGG_C_COUNT];
	int r;

	if (s->broken)
		return LNOB_E_BROKEN;
	memcpy(before, s->ing.counters, sizeof(before));
	s->ing.lazy_counters = false;
	r = ingest_batch(&s->ing, item, 1);
	if (r == LNOB_E_FULL && s_grow(s) == 0) {
		memcpy(s->ing.counters, before, sizeof(before));
		r = ingest_batch(&s->ing, item, 1);
	}
	if (r < 0)
		s->counters_dirty = true;
	return r;
}

/* lnob__frame__free_unpacked() as a fairq_free_fn. */
static void s_frame_free(void *f)
{
	lnob__frame__free_unpacked(f, NULL);
}

/* router_handler_t.envelope: puts a received envelope frame f (taken) in
 * p's lane. When it does not fit (p's lane holds window envelopes or
 * window_bytes: a sender over its credit; or all lanes hold queue_bytes)
 * batches are flushed first until it does, the router reading nothing
 * more meanwhile: each batch takes from every lane in turn, so this
 * serves p no faster than anyone else. Each flush takes one envelope at
 * least and an empty queue takes any, so the rounds are bounded by what
 * was pending. */
static void s_on_envelope(void *ctx, router_peer_t *p, Lnob__Frame *f)
{
	server_t *s = ctx;
	char signer[LNOB_ID_MAX + 1] = "";
	uint64_t seq = 0;
	size_t rounds = s_pending(s);
	int r = -ENOBUFS;

	for (size_t round = 0; round <= rounds && !s->broken; round++) {
		r = fairq_push(s->queue, p, f, f->envelope.len);
		if (r != -ENOBUFS && r != -ENOSPC)
			break;
		s_flush_batch(s);
	}
	if (r == 0)
		return;
	/* Out of memory, or the store is unusable: the sender sends again. */
	(void)envelope_peek(f->envelope.data, f->envelope.len, signer, sizeof(signer), &seq);
	if (!s->broken)
		router_nack(s->router, p, signer, seq, LNOB__NACK_REASON__NACK_STORE_FAILED,
			    "the aggregator cannot queue it now; retry later", true);
	lnob__frame__free_unpacked(f, NULL);
}

/* router_handler_t.frame_refused: counted under rejected_<reason>. */
static void s_on_frame_refused(void *ctx, const router_peer_t *p, int reason)
{
	server_t *s = ctx;

	(void)p;
	s->ing.counters[AGG_C_REJECTED_BASE + reason]++;
	s->counters_dirty = true;
}

/* router_handler_t.downstream: a relay said what is behind it; judged and
 * persisted at the next state flush (fleet_in.h). */
static void s_on_downstream(void *ctx, router_peer_t *p, const Lnob__Heartbeat *hb)
{
	server_t *s = ctx;

	if (p->node_id[0])
		fleet_in_note(s->fleet_in, p->node_id, hb);
}

/* router_handler_t.zap_denied: counted under zap_denied. */
/* router_handler_t.heartbeat: metadata for a peer that holds an older one. */
static void s_on_heartbeat(void *ctx, router_peer_t *p, const Lnob__Heartbeat *hb)
{
	server_t *s = ctx;

	metaout_on_heartbeat(s->meta, s->router, p, hb);
}

static void s_on_zap_denied(void *ctx, int n)
{
	server_t *s = ctx;

	s->ing.counters[AGG_C_ZAP_DENIED] += (uint64_t)n;
	s->counters_dirty = true;
}

/* router_handler_t.busy: p has envelopes waiting in its lane or in the
 * batch ahead. */
static bool s_busy(void *ctx, const router_peer_t *p)
{
	const server_t *s = ctx;

	/* The batch ahead's items point at their peers. */
	return fairq_lane_len(s->queue, p) > 0 || srvbatch_has_peer(s->ahead, p);
}

/* Reads what is waiting on the ROUTER, at most S_READ_MAX parts. */
static void s_read(server_t *s)
{
	int total = 0, r;

	while (total < S_READ_MAX && !s_stop && (r = router_recv(s->router)) > 0)
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
/* Writes the counters and the dirty peers' records in one transaction.
 * Returns 0 or the store's code. */
static int s_write_state(server_t *s)
{
	MDB_txn *txn = NULL;
	uint64_t ignored = 0;
	int r = store_begin(s->st, true, &txn);

	/* Relayed reports first: a direct contact written below overrides. */
	if (r == 0)
		r = fleet_in_apply(s->fleet_in, s->st, txn, s->ing.hier, &ignored);
	s->ing.counters[AGG_C_DOWNSTREAM_IGNORED] += ignored;
	if (r == 0)
		r = agg_counters_save(s->st, txn, s->ing.counters);
	for (size_t i = 0; r == 0 && i < router_peer_count(s->router); i++) {
		router_peer_t *p = router_peer_at(s->router, i);
		Lnob__PeerRecord rec = LNOB__PEER_RECORD__INIT;

		if (!p->dirty || !p->node_id[0])
			continue;
		rec.node_id = p->node_id;
		rec.last_seen_ms = p->last_seen_ms;
		rec.health = p->has_health ? &p->health : NULL;
		r = agg_peer_put(s->st, txn, &rec);
	}
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	if (r < 0) {
		s->ing.counters[AGG_C_DOWNSTREAM_IGNORED] -= ignored;
	} else {
		fleet_in_clear(s->fleet_in);
		s->ing.counters_unsaved = false;
	}
	return r;
}

/* The gauges (metrics.h): the envelopes waiting for a batch over all
 * lanes, the longest lane, the peers heard from within the fleet's down
 * time. */
static void s_gauges(server_t *s)
{
	int64_t now = lnob_now_ms(), down = fleet_down_ms();
	uint64_t connected = 0, lane_max = 0;

	for (size_t i = 0; i < router_peer_count(s->router); i++) {
		const router_peer_t *p = router_peer_at(s->router, i);
		uint64_t len = fairq_lane_len(s->queue, p);

		if (now - p->last_seen_ms <= down)
			connected++;
		if (len > lane_max)
			lane_max = len;
	}
	metrics_queue_depth(s->metrics, "ingest", fairq_pending(s->queue));
	metrics_queue_depth(s->metrics, "ingest_lane_max", lane_max);
	metrics_queue_depth(s->metrics, "downstream_reports", fleet_in_pending(s->fleet_in));
	metrics_peers(s->metrics, connected);
}

/* Persists counters and peer health when they changed, at most every
 * flush_ms. */
static void s_flush_state(server_t *s, bool force)
{
	int r;
	bool any = s->counters_dirty || s->ing.counters_unsaved ||
		   fleet_in_pending(s->fleet_in) > 0;

	if (s->broken)
		return;
	if (!force && lnob_mono_ms() - s->last_flush < s->opts->flush_ms)
		return;
	s_gauges(s);
	for (size_t i = 0; i < router_peer_count(s->router); i++)
		any = any || router_peer_at(s->router, i)->dirty;
	s->last_flush = lnob_mono_ms();
	if (!any)
		return;
	r = s_write_state(s);
	if (r == LNOB_E_FULL && s_grow(s) == 0)
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
	for (size_t i = 0; i < router_peer_count(s->router); i++)
		router_peer_at(s->router, i)->dirty = false;
	/* Not the peers of the batch ahead (s_busy()): its items point at them. */
	router_evict(s->router, lnob_now_ms());
}
/* ZAP's lookup: an enrolled, unrevoked node with this CURVE key (or a
 * retired one of its still in its grace, keydir.h). */
static bool s_zap_lookup(void *ctx, const uint8_t curve_pk[32], char *ret_id, size_t id_size)
{
	store_t *st = ctx;
	Lnob__NodeRecord *node = NULL;
	keydir_node_t k;
	MDB_txn *txn = NULL;
	char id[LNOB_ID_MAX + 1];
	bool ok = false;

	if (store_begin(st, false, &txn) < 0)
		return false;
	if (agg_node_by_curve(st, txn, curve_pk, id) == 0 &&
	    agg_node_get(st, txn, id, &node) == 0) {
		ok = !node->revoked && keydir_from_record(node, &k) == 0 &&
		     keydir_curve_live(&k, curve_pk, lnob_now_s()) &&
		     lnob_strlcpy(ret_id, id, id_size) == 0;
		lnob__node_record__free_unpacked(node, NULL);
	}
	store_abort(&txn);
	return ok;
}
/* Allocates the batch and the lanes and reads the counters. Returns 0 or
 * -1 (logged). */
static int s_init(server_t *s, const server_opts_t *opts, store_t *st, const hier_t *hier)
{
	MDB_txn *txn = NULL;
	int r;

	memset(s, 0, sizeof(*s));
	s->opts = opts;
	s->st = st;
	s->ing.st = st;
	s->ing.hier = hier;
	s->ing.max_body = opts->max_body;
	s->ing.campaigns = opts->campaigns;
	if (srvbatch_init(&s->batch[0], opts->batch_max, st, opts->max_body) < 0 ||
	    srvbatch_init(&s->batch[1], opts->batch_max, st, opts->max_body) < 0 ||
	    !(s->pool = vpool_new(opts->verify_threads))) {
		log_warnx("out of memory, or no verification threads");
		return -1;
	}
	s->cur = &s->batch[0];
	s->ahead = &s->batch[1];
	store_set_quiesce(st, s_quiesce, s);
	s->verdicts = calloc(opts->batch_max, sizeof(*s->verdicts));
	s->taken = calloc(opts->batch_max, sizeof(*s->taken));
	s->taken_from = calloc(opts->batch_max, sizeof(*s->taken_from));
	s->queue = fairq_new(opts->window, opts->window_bytes, opts->queue_bytes);
	s->metrics = metrics_new();
	s->fleet_in = fleet_in_new();
	if (!s->verdicts || !s->taken || !s->taken_from ||
	    !s->queue || !s->metrics || !s->fleet_in) {
		log_warnx("out of memory");
		return -1;
	}
	if ((r = store_begin(st, false, &txn)) == 0)
		r = agg_counters_load(st, txn, s->ing.counters);
	store_abort(&txn);
	if (r < 0) {
		log_warnx("%s: cannot read counters: %s", store_dir(st), lnob_strerror(r));
		return -1;
	}
	return 0;
}

/* SIGTERM and SIGINT stop the loop; SIGPIPE is ignored. */
static void s_signals(void)
{
	struct sigaction sa;
	sigset_t mask;

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
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
}

/* With [http] listen: the API's HTTP server, its ingest hook this
 * server's. Returns 0 or -1 (logged). */
static int s_listen_http(server_t *s)
{
	char err[512];

	if (!s->opts->http_listen || !s->opts->api)
		return 0;
	s->opts->api->ingest = s_ingest_local;
	s->opts->api->ingest_ctx = s;
	s->opts->api->metrics = s->metrics;
	s->opts->api->counters = s->ing.counters;
	if (!(s->http = http_new(s->opts->http_listen, api_handle, s->opts->api, err,
				 sizeof(err)))) {
		log_warnx("[http] listen: %s", err);
		return -1;
	}
	log_info("HTTP API and dashboard on http://%s/", s->opts->http_listen);
	return 0;
}

/* The ROUTER's RCVHWM: window_bytes in messages of max_frame (libzmq counts
 * whole messages: a bound in bytes on what it holds for a sender not read;
 * beyond it TCP holds that sender), never below a sender's credit + slack:
 * libzmq 4.3.4 aborts (stream_engine_base.cpp:331) when a connection it
 * stopped reading held a ZMTP PING and went away; only flooders fill it. */
static int s_rcvhwm(const server_opts_t *o)
{
	size_t n = o->window_bytes / o->max_frame, floor = (size_t)o->window + S_RCVHWM_SLACK;

	n = n < floor ? floor : n;
	return n < S_RCVHWM_MIN ? S_RCVHWM_MIN : n > S_RCVHWM_MAX ? S_RCVHWM_MAX : (int)n;
}

/* Makes the context and the router (ZAP first, its self-test passed).
 * Returns 0 or -1 (logged). */
static int s_listen(server_t *s, const identity_t *id)
{
	router_conf_t *rc = &s->rconf;

	rc->endpoint = s->opts->endpoint;
	rc->id = id;
	rc->max_frame = s->opts->max_frame;
	rc->sndhwm = S_SNDHWM;
	rc->rcvhwm = s_rcvhwm(s->opts);
	rc->refusal_keys = S_REFUSAL_KEYS;
	rc->zap_lookup = s_zap_lookup;
	rc->zap_ctx = s->st;
	rc->handler.envelope = s_on_envelope;
	rc->handler.frame_refused = s_on_frame_refused;
	rc->handler.zap_denied = s_on_zap_denied;
	rc->handler.downstream = s_on_downstream;
	rc->handler.busy = s_busy;
	rc->handler.heartbeat = s_on_heartbeat;
	rc->ctx = s;
	rc->log = (router_log_t){ log_warnx, log_info, log_debug };
	if (!(s->ctx = zmq_ctx_new())) {
		log_warnx("zmq_ctx_new: %s", zmq_strerror(errno));
		return -1;
	}
	if (!(s->router = router_new(s->ctx, rc)))
		return -1;
	router_set_credit(s->router, s_credit(s));
	router_set_max_body(s->router, s->opts->max_body);
	log_info("listening on %s as %s (batch %zu, window %u, max_body %zu, max_frame %zu, "
		 "batch_bytes %zu, window_bytes %zu, queue_bytes %zu, rcvhwm %d)",
		 router_endpoint(s->router), id->pub.node_id, s->opts->batch_max,
		 s->opts->window, s->opts->max_body, s->opts->max_frame, s->opts->batch_bytes,
		 s->opts->window_bytes, s->opts->queue_bytes, rc->rcvhwm);
	return s_listen_http(s);
}

/* The loop: ZAP, what the ROUTER has, one batch, the state, until a stop
 * request (or a broken store). */
static void s_loop(server_t *s)
{
	s->next_reader_check = lnob_mono_ms() + s->opts->reader_check_ms;
	while (!s_stop) {
		zmq_pollitem_t items[ROUTER_POLL_ITEMS + 1];
		int n = ROUTER_POLL_ITEMS;
		long timeout = s_pending(s) > 0 ? 0 : 100;

		router_poll_items(s->router, items);
		if (s->http) {
			long t = http_timeout_ms(s->http);

			items[n] = (zmq_pollitem_t){ .fd = http_fd(s->http), .events = ZMQ_POLLIN };
			n++;
			if (t >= 0 && t < timeout)
				timeout = t;
		}
		/* Envelopes waiting in the lanes: do not sleep on the socket. */
		if (zmq_poll(items, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_warnx("poll: %s", zmq_strerror(errno));
			break;
		}
		if (items[1].revents & ZMQ_POLLIN)
			router_zap(s->router);
		if (items[0].revents & ZMQ_POLLIN)
			s_read(s);
		if (s->http)
			http_run(s->http);   /* what is ready, and its timeouts */
		s_flush_batch(s);   /* one batch a turn: new arrivals join the next */
		router_tick(s->router);
		s_flush_state(s, false);
		s_reader_check(s);
		metaout_tick(s->meta);
		if (s->opts->tick)
			s->opts->tick(s->opts->tick_arg);
		notify_watchdog();
	}
}

/* After the loop: what was received is stored and answered (at most a
 * window per peer, so this ends: a batch takes at least one envelope),
 * the state persisted. Returns the exit status. */
static int s_finish(server_t *s)
{
	if (s_stop > 0)
		log_info("%s: finishing the batch in hand and stopping (with the %zu envelope(s) "
			 "received and waiting for a batch)", strsignal((int)s_stop),
			 s_pending(s));
	while (!s->broken && s_pending(s) > 0)
		s_flush_batch(s);
	s_flush_state(s, true);
	if (s->broken)
		log_warnx("stopping: the store's map could not be grown; exit 1");
	log_info("stopping: %llu stored, %llu duplicates, %llu failed batches, map grown %u "
		 "time(s) to %llu MB", (unsigned long long)s->ing.counters[AGG_C_STORED],
		 (unsigned long long)s->ing.counters[AGG_C_DUPLICATE],
		 (unsigned long long)s->ing.counters[AGG_C_STORE_FAILED], s->grown,
		 S_MB(store_map_size(s->st)));
	return s->broken ? 1 : 0;
}

int server_run(const server_opts_t *opts, const identity_t *id, store_t *st,
	       const hier_t *hier)
{
	server_t s;
	int rc = 1;

	assert(opts && id && st && hier);
	if (s_init(&s, opts, st, hier) < 0 ||
	    !(s.meta = metaout_new(st, hier, opts->campaigns, id, opts->next_key, opts->max_frame)))
		goto out;
	s_signals();
	if (s_listen(&s, id) < 0)
		goto out;
	notify_ready("listening");
	s_loop(&s);
	notify_stopping();
	rc = s_finish(&s);
out:
	/* LINGER (1 s) bounds how long queued answers, the last acks among
	 * them, get to leave: zmq_ctx_term() waits for them. */
	http_destroy(&s.http);
	router_destroy(&s.router);
	if (s.ctx)
		zmq_ctx_term(s.ctx);
	store_set_quiesce(st, NULL, NULL);
	vpool_destroy(&s.pool);   /* waits for the batch ahead's checks */
	srvbatch_free(&s.batch[0]);
	srvbatch_free(&s.batch[1]);
	free(s.verdicts);
	free(s.taken);
	free(s.taken_from);
	fairq_destroy(&s.queue, s_frame_free);
	metrics_destroy(&s.metrics);
	fleet_in_destroy(&s.fleet_in);
	metaout_destroy(&s.meta);
	return rc;
}
