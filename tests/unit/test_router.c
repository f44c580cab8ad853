/* test_router.c: the link's receiving end (router.h) on 127.0.0.1, driven
 * by a CURVE DEALER in the test: heartbeats answered with credit and
 * limits, every part of a message answered, an oversize frame answered
 * too_large, batch answers, refusal logs, ZAP, eviction; and, with fault
 * injection, a send or a receive interrupted by a signal (EINTR) tried
 * again and a half-sent answer ended so that the next one is not glued to
 * it. */
#include "testutil.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "codec.h"
#include "envelope.h"
#include "identity.h"
#include "router.h"
#include "util.h"

#define T_MAX_FRAME 4096
#define T_TIMEOUT_MS 5000

/* The log sinks write here: one line per call. */
static char s_log[32768];

__attribute__((format(printf, 1, 2))) static void s_logf(const char *fmt, ...)
{
	size_t n = strlen(s_log);
	va_list ap;

	if (n + 2 >= sizeof(s_log))
		return;
	va_start(ap, fmt);
	vsnprintf(s_log + n, sizeof(s_log) - n - 1, fmt, ap);
	va_end(ap);
	strcat(s_log, "\n");
}

/* Occurrences of needle in the log. */
static int s_log_count(const char *needle)
{
	int n = 0;

	for (const char *p = strstr(s_log, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

typedef struct t_fx {
	void *ctx;
	identity_t srv, cli;
	router_conf_t conf;
	router_t *r;
	void *dealer;
	Lnob__Frame *env[64];        /* envelopes the router handed over */
	router_peer_t *from[64];
	size_t nenv;
	int refused[32];             /* frame_refused calls by reason */
	int zap_denied;
	int contacts, firsts;
	bool busy;
} t_fx_t;

/* ---- the owner's callbacks -------------------------------------------- */

static void s_on_envelope(void *ctx, router_peer_t *p, Lnob__Frame *f)
{
	t_fx_t *fx = ctx;

	assert_true(fx->nenv < 64);
	fx->from[fx->nenv] = p;
	fx->env[fx->nenv++] = f;
}

static void s_on_refused(void *ctx, const router_peer_t *p, int reason)
{
	t_fx_t *fx = ctx;

	assert_string_equal(p->node_id, "cli");
	fx->refused[reason]++;
}

static void s_on_zap_denied(void *ctx, int n)
{
	((t_fx_t *)ctx)->zap_denied += n;
}

static void s_on_contact(void *ctx, router_peer_t *p, bool first)
{
	t_fx_t *fx = ctx;

	(void)p;
	fx->contacts++;
	fx->firsts += first;
}

static bool s_busy(void *ctx, const router_peer_t *p)
{
	(void)p;
	return ((t_fx_t *)ctx)->busy;
}

/* zap_lookup_fn: the test's client only. */
static bool s_zap(void *ctx, const uint8_t curve_pk[32], char *ret_id, size_t id_size)
{
	t_fx_t *fx = ctx;

	if (memcmp(curve_pk, fx->cli.pub.curve_pk, 32) != 0)
		return false;
	return lnob_strlcpy(ret_id, fx->cli.pub.node_id, id_size) == 0;
}

/* ---- the fixture ------------------------------------------------------- */

/* A DEALER with the given client keys, connected to the router. */
static void *t_dealer(t_fx_t *fx, const identity_t *who)
{
	void *d = zmq_socket(fx->ctx, ZMQ_DEALER);
	int zero = 0;

	assert_non_null(d);
	assert_int_equal(zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof(zero)), 0);
	assert_int_equal(zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, fx->srv.pub.curve_pk, 32), 0);
	assert_int_equal(zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, who->pub.curve_pk, 32), 0);
	assert_int_equal(zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, who->curve_sk, 32), 0);
	assert_int_equal(zmq_connect(d, router_endpoint(fx->r)), 0);
	return d;
}

/* The router as both daemons set it up (credit 7, max_body 1000), and
 * the test's client connected; fault (may be NULL) arms LNOB_FAULT_ROUTER. */
static void t_setup(t_fx_t *fx, const char *fault)
{
	memset(fx, 0, sizeof(*fx));
	s_log[0] = '\0';
	assert_int_equal(identity_generate("srv", &fx->srv), 0);
	assert_int_equal(identity_generate("cli", &fx->cli), 0);
	assert_non_null(fx->ctx = zmq_ctx_new());
	fx->conf = (router_conf_t){ .endpoint = "tcp://127.0.0.1:*", .id = &fx->srv,
		.max_frame = T_MAX_FRAME, .sndhwm = 1000, .rcvhwm = 1000, .refusal_keys = 16,
		.zap_lookup = s_zap, .zap_ctx = fx, .ctx = fx, .log = { s_logf, s_logf, s_logf } };
	fx->conf.handler = (router_handler_t){ .envelope = s_on_envelope, .contact = s_on_contact,
		.frame_refused = s_on_refused, .zap_denied = s_on_zap_denied, .busy = s_busy };
	if (fault)
		setenv("LNOB_FAULT_ROUTER", fault, 1);
	fx->r = router_new(fx->ctx, &fx->conf);
	unsetenv("LNOB_FAULT_ROUTER");
	assert_non_null(fx->r);
	assert_int_equal(s_log_count("ZAP self-test passed"), 1);
	router_set_credit(fx->r, 7);
	router_set_max_body(fx->r, 1000);
	fx->dealer = t_dealer(fx, &fx->cli);
}

static void t_teardown(t_fx_t *fx)
{
	for (size_t i = 0; i < fx->nenv; i++)
		lnob__frame__free_unpacked(fx->env[i], NULL);
	zmq_close(fx->dealer);
	router_destroy(&fx->r);
	assert_null(fx->r);
	zmq_ctx_term(fx->ctx);
}

/* One turn of the owner's loop: ZAP, then every message waiting. */
static void t_pump(t_fx_t *fx, int timeout_ms)
{
	zmq_pollitem_t items[ROUTER_POLL_ITEMS];

	router_poll_items(fx->r, items);
	assert_true(zmq_poll(items, ROUTER_POLL_ITEMS, timeout_ms) >= 0);
	if (items[1].revents & ZMQ_POLLIN)
		router_zap(fx->r);
	if (items[0].revents & ZMQ_POLLIN)
		while (router_recv(fx->r) > 0)
			;
}

/* Pumps the router until the client has a whole message: returns its
 * number of parts and its first part in *ret (caller frees; NULL when
 * empty). Fails the test after T_TIMEOUT_MS. */
static int t_recv_msg(t_fx_t *fx, uint8_t **ret, size_t *ret_len)
{
	int64_t end = lnob_mono_ms() + T_TIMEOUT_MS;
	int parts = 0;

	*ret = NULL;
	*ret_len = 0;
	while (lnob_mono_ms() < end) {
		zmq_msg_t m;
		bool more;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, fx->dealer, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			t_pump(fx, 10);
			continue;
		}
		do {
			if (parts++ == 0 && zmq_msg_size(&m) > 0) {
				*ret_len = zmq_msg_size(&m);
				*ret = malloc(*ret_len);
				memcpy(*ret, zmq_msg_data(&m), *ret_len);
			}
			more = zmq_msg_more(&m);
			zmq_msg_close(&m);
			zmq_msg_init(&m);
		} while (more && zmq_msg_recv(&m, fx->dealer, 0) >= 0);
		zmq_msg_close(&m);
		return parts;
	}
	fail_msg("no answer within %d ms; log:\n%s", T_TIMEOUT_MS, s_log);
	return 0;
}

/* The next answer, which must be one part holding one Frame (caller
 * frees). */
static Lnob__Frame *t_answer(t_fx_t *fx)
{
	ProtobufCMessage *m;
	uint8_t *buf;
	size_t len;

	assert_int_equal(t_recv_msg(fx, &buf, &len), 1);
	assert_int_equal(codec_unpack(&lnob__frame__descriptor, buf ? buf : (uint8_t *)"", len,
				      1 << 20, &m), 0);
	free(buf);
	return (Lnob__Frame *)m;
}

/* A serialized Frame: a heartbeat with health (queued), or the envelope
 * env. Caller frees. */
static uint8_t *t_frame(const uint8_t *env, size_t env_len, uint64_t queued, size_t *ret_len)
{
	Lnob__Frame f;
	Lnob__Heartbeat hb = LNOB__HEARTBEAT__INIT;
	Lnob__Health h = LNOB__HEALTH__INIT;
	uint8_t *buf;

	lnob__frame__init(&f);
	if (env) {
		f.msg_case = LNOB__FRAME__MSG_ENVELOPE;
		f.envelope.data = (uint8_t *)env;
		f.envelope.len = env_len;
	} else {
		h.queued = queued;
		hb.health = &h;
		hb.sent_at_ms = 1;
		f.msg_case = LNOB__FRAME__MSG_HEARTBEAT;
		f.heartbeat = &hb;
	}
	assert_int_equal(codec_pack(&f.base, &buf, ret_len), 0);
	return buf;
}

/* A Frame{envelope} of the client's, seq, with a body of body_len bytes.
 * Caller frees. */
static uint8_t *t_env_frame(const t_fx_t *fx, uint64_t seq, size_t body_len, size_t *ret_len)
{
	uint8_t *body = calloc(1, body_len + 1), *env, *frame;
	size_t len;

	assert_int_equal(envelope_seal(&fx->cli, seq, LNOB__KIND__KIND_REPORT, body, body_len,
				       &env, &len), 0);
	frame = t_frame(env, len, 0, ret_len);
	free(env);
	free(body);
	return frame;
}

static void t_send(t_fx_t *fx, const uint8_t *buf, size_t len, int flags)
{
	assert_true(zmq_send(fx->dealer, buf, len, flags) >= 0);
}

/* Sends a heartbeat and checks its answer: credit, max_body, max_frame. */
static void t_heartbeat(t_fx_t *fx, uint32_t credit)
{
	size_t len;
	uint8_t *hb = t_frame(NULL, 0, 3, &len);
	Lnob__Frame *a;

	t_send(fx, hb, len, 0);
	free(hb);
	a = t_answer(fx);
	assert_int_equal(a->msg_case, LNOB__FRAME__MSG_HEARTBEAT);
	assert_int_equal(a->heartbeat->credit, credit);
	assert_int_equal(a->heartbeat->max_body, 1000);
	assert_int_equal(a->heartbeat->max_frame, T_MAX_FRAME);
	assert_true(a->heartbeat->sent_at_ms > 0);
	lnob__frame__free_unpacked(a, NULL);
}

/* ---- the tests ----------------------------------------------------------- */

/* A heartbeat is answered with credit and limits at once; its health is
 * kept on the peer, which is dirty; the credit set later is what the next
 * heartbeat and the acks say. */
static void test_heartbeat_and_credit(void **state)
{
	t_fx_t fx;
	router_peer_t *p;
	router_verdict_t v;
	Lnob__Frame *a;
	uint8_t *e;
	size_t len;

	(void)state;
	t_setup(&fx, NULL);
	t_heartbeat(&fx, 7);
	assert_int_equal(router_peer_count(fx.r), 1);
	p = router_peer_at(fx.r, 0);
	assert_string_equal(p->node_id, "cli");
	assert_true(p->has_health && p->dirty);
	assert_int_equal(p->health.queued, 3);
	assert_true(p->last_seen_ms > 0);
	assert_int_equal(fx.firsts, 1);
	router_set_credit(fx.r, 2);
	t_heartbeat(&fx, 2);
	assert_int_equal(fx.firsts, 1);
	assert_int_equal(fx.contacts, 2);

	/* An envelope goes to the owner, who answers it: acks with the credit. */
	e = t_env_frame(&fx, 5, 10, &len);
	t_send(&fx, e, len, 0);
	free(e);
	while (fx.nenv == 0)
		t_pump(&fx, 10);
	assert_ptr_equal(fx.from[0], p);
	v = (router_verdict_t){ .peer = p, .signer = "cli", .seq = 5 };
	router_answer(fx.r, &v, 1);
	a = t_answer(&fx);
	assert_int_equal(a->msg_case, LNOB__FRAME__MSG_ACKS);
	assert_int_equal(a->acks->credit, 2);
	assert_int_equal(a->acks->n_acks, 1);
	assert_string_equal(a->acks->acks[0]->signer, "cli");
	assert_int_equal(a->acks->acks[0]->seq, 5);
	lnob__frame__free_unpacked(a, NULL);
	t_teardown(&fx);
}

/* A message of five parts gets five answers, each a message of one part:
 * a heartbeat answer, the owner's verdicts on two envelopes (a NACK
 * alone, then the acks together), a malformed NACK for bytes that do not
 * decode and one for a frame no sender sends. */
static void test_every_part_answered(void **state)
{
	static const uint8_t junk[] = { 0xff, 0xff, 0xff };
	Lnob__Frame acks;
	Lnob__AckBatch batch = LNOB__ACK_BATCH__INIT;
	router_verdict_t v[2];
	int hbs = 0, malformed = 0, nacks = 0, ackframes = 0;
	uint8_t *hb, *e1, *e2, *af;
	size_t hlen, l1, l2, alen;
	t_fx_t fx;

	(void)state;
	t_setup(&fx, NULL);
	lnob__frame__init(&acks);
	hb = t_frame(NULL, 0, 1, &hlen);
	e1 = t_env_frame(&fx, 1, 10, &l1);
	e2 = t_env_frame(&fx, 2, 10, &l2);
	acks.msg_case = LNOB__FRAME__MSG_ACKS;
	acks.acks = &batch;
	assert_int_equal(codec_pack(&acks.base, &af, &alen), 0);
	t_send(&fx, hb, hlen, ZMQ_SNDMORE);
	t_send(&fx, e1, l1, ZMQ_SNDMORE);
	t_send(&fx, junk, sizeof(junk), ZMQ_SNDMORE);
	t_send(&fx, e2, l2, ZMQ_SNDMORE);
	t_send(&fx, af, alen, 0);
	free(hb);
	free(e1);
	free(e2);
	free(af);
	while (fx.nenv < 2)
		t_pump(&fx, 10);
	v[0] = (router_verdict_t){ .peer = fx.from[0], .signer = "cli", .seq = 1,
		.reason = LNOB__NACK_REASON__NACK_BAD_SIGNATURE, .detail = "signature does not verify" };
	v[1] = (router_verdict_t){ .peer = fx.from[1], .signer = "cli", .seq = 2 };
	router_answer(fx.r, v, 2);
	for (int i = 0; i < 5; i++) {
		Lnob__Frame *a = t_answer(&fx);

		if (a->msg_case == LNOB__FRAME__MSG_HEARTBEAT)
			hbs++;
		else if (a->msg_case == LNOB__FRAME__MSG_ACKS && a->acks->n_acks == 1 &&
			 a->acks->acks[0]->seq == 2)
			ackframes++;
		else if (a->msg_case == LNOB__FRAME__MSG_NACK && a->nack->seq == 1 &&
			 a->nack->reason == LNOB__NACK_REASON__NACK_BAD_SIGNATURE && !a->nack->retryable)
			nacks++;
		else if (a->msg_case == LNOB__FRAME__MSG_NACK && a->nack->signer[0] == '\0' &&
			 a->nack->reason == LNOB__NACK_REASON__NACK_MALFORMED && !a->nack->retryable)
			malformed++;
		lnob__frame__free_unpacked(a, NULL);
	}
	assert_int_equal(hbs, 1);
	assert_int_equal(nacks, 1);
	assert_int_equal(ackframes, 1);
	assert_int_equal(malformed, 2);
	assert_int_equal(fx.refused[LNOB__NACK_REASON__NACK_MALFORMED], 2);
	assert_int_equal(s_log_count("refused a frame from cli: malformed: frame does not decode"), 1);
	assert_int_equal(s_log_count("refused envelope (cli, 1) from cli: bad_signature"), 1);
	t_teardown(&fx);
}

/* A frame over max_frame (under twice it) is answered NACK_TOO_LARGE
 * naming (signer, seq), counted; the connection stays. */
static void test_oversize_frame_too_large(void **state)
{
	char detail[128];
	Lnob__Frame *a;
	uint8_t *e;
	size_t len;
	t_fx_t fx;

	(void)state;
	t_setup(&fx, NULL);
	e = t_env_frame(&fx, 9, T_MAX_FRAME + 100, &len);
	assert_true(len > T_MAX_FRAME && len < (size_t)2 * T_MAX_FRAME);
	t_send(&fx, e, len, 0);
	free(e);
	a = t_answer(&fx);
	assert_int_equal(a->msg_case, LNOB__FRAME__MSG_NACK);
	assert_int_equal(a->nack->reason, LNOB__NACK_REASON__NACK_TOO_LARGE);
	assert_false(a->nack->retryable);
	assert_string_equal(a->nack->signer, "cli");
	assert_int_equal(a->nack->seq, 9);
	snprintf(detail, sizeof(detail), "frame of %zu bytes is over max_frame of %d bytes", len,
		 T_MAX_FRAME);
	assert_string_equal(a->nack->detail, detail);
	lnob__frame__free_unpacked(a, NULL);
	assert_int_equal(fx.refused[LNOB__NACK_REASON__NACK_TOO_LARGE], 1);
	assert_int_equal(fx.nenv, 0);
	t_heartbeat(&fx, 7);   /* still connected */
	t_teardown(&fx);
}

/* A flood of refusals of one (node, reason) logs one line; the rest are
 * said in one "... and N more like it" line (here at router_destroy()). */
static void test_refusal_log_rate_limited(void **state)
{
	static const uint8_t junk[] = { 0xff, 0xff, 0xff };
	t_fx_t fx;

	(void)state;
	t_setup(&fx, NULL);
	for (int i = 0; i < 20; i++)
		t_send(&fx, junk, sizeof(junk), i < 19 ? ZMQ_SNDMORE : 0);
	for (int i = 0; i < 20; i++) {
		Lnob__Frame *a = t_answer(&fx);

		assert_int_equal(a->nack->reason, LNOB__NACK_REASON__NACK_MALFORMED);
		lnob__frame__free_unpacked(a, NULL);
	}
	assert_int_equal(fx.refused[LNOB__NACK_REASON__NACK_MALFORMED], 20);
	assert_int_equal(s_log_count("refused a frame from cli: malformed"), 1);
	t_teardown(&fx);
	assert_int_equal(s_log_count("refused envelopes from cli: malformed: ... and 19 more like "
				     "it in the last second"), 1);
}

/* A client with an unknown key is refused by ZAP, counted and logged. */
static void test_zap_denies_unknown(void **state)
{
	identity_t stranger;
	void *d;
	t_fx_t fx;
	int64_t end;

	(void)state;
	t_setup(&fx, NULL);
	assert_int_equal(identity_generate("stranger", &stranger), 0);
	d = t_dealer(&fx, &stranger);
	end = lnob_mono_ms() + T_TIMEOUT_MS;
	while (fx.zap_denied == 0 && lnob_mono_ms() < end)
		t_pump(&fx, 10);
	assert_true(fx.zap_denied >= 1);
	assert_true(s_log_count("ZAP refused") >= 1);
	zmq_close(d);
	t_teardown(&fx);
}

/* A peer silent too long is forgotten unless it is dirty or busy. */
static void test_evict(void **state)
{
	router_peer_t *p;
	int64_t later;
	t_fx_t fx;

	(void)state;
	t_setup(&fx, NULL);
	t_heartbeat(&fx, 7);
	p = router_peer_at(fx.r, 0);
	later = p->last_seen_ms + ROUTER_EVICT_MS + 1;
	router_evict(fx.r, later);
	assert_int_equal(router_peer_count(fx.r), 1);   /* dirty: health not persisted */
	p->dirty = false;
	fx.busy = true;
	router_evict(fx.r, later);
	assert_int_equal(router_peer_count(fx.r), 1);   /* busy */
	fx.busy = false;
	router_evict(fx.r, p->last_seen_ms + ROUTER_EVICT_MS);
	assert_int_equal(router_peer_count(fx.r), 1);   /* not silent long enough */
	router_evict(fx.r, later);
	assert_int_equal(router_peer_count(fx.r), 0);
	/* Back again: a new peer. */
	t_heartbeat(&fx, 7);
	assert_int_equal(router_peer_count(fx.r), 1);
	assert_int_equal(fx.firsts, 2);
	t_teardown(&fx);
}

#ifdef LNOB_FAULT_INJECTION
/* Runs fn with stderr (fd 2) going to a temporary file; returns that
 * file's text (static storage). */
static const char *t_with_stderr(void (*fn)(t_fx_t *), t_fx_t *fx)
{
	static char text[4096];
	const char *dir = tu_tmpdir();
	char path[4200];
	int saved = dup(2), fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/stderr", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	fn(fx);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	close(fd);
	tu_rmtree(dir);
	return text;
}

static void t_two_heartbeats(t_fx_t *fx)
{
	t_heartbeat(fx, 7);
	t_heartbeat(fx, 7);
}

/* A message of three parts (heartbeat, heartbeat, heartbeat): three
 * answers. */
static void t_three_parts(t_fx_t *fx)
{
	size_t len;
	uint8_t *hb = t_frame(NULL, 0, 1, &len);

	t_send(fx, hb, len, ZMQ_SNDMORE);
	t_send(fx, hb, len, ZMQ_SNDMORE);
	t_send(fx, hb, len, 0);
	free(hb);
	for (int i = 0; i < 3; i++) {
		Lnob__Frame *a = t_answer(fx);

		assert_int_equal(a->msg_case, LNOB__FRAME__MSG_HEARTBEAT);
		lnob__frame__free_unpacked(a, NULL);
	}
}

/* A heartbeat whose answer is cut: one empty message of one part; then a
 * heartbeat answered whole in a message of one part. */
static void t_cut_then_whole(t_fx_t *fx)
{
	uint8_t *hb, *buf;
	size_t len, blen;
	bool empty;
	int parts;

	hb = t_frame(NULL, 0, 1, &len);
	t_send(fx, hb, len, 0);
	free(hb);
	parts = t_recv_msg(fx, &buf, &blen);
	empty = buf == NULL && blen == 0;
	free(buf);
	assert_int_equal(parts, 1);
	assert_true(empty);
	t_heartbeat(fx, 7);
}

/* Runs fn against a router armed with fault (LNOB_FAULT_ROUTER): its
 * stderr must say "fault injection: router <hit>", and `dropped` answers
 * must have been logged lost. */
static void t_armed(const char *fault, void (*fn)(t_fx_t *), const char *hit, int dropped)
{
	char want[96];
	t_fx_t fx;

	snprintf(want, sizeof(want), "fault injection: router %s", hit);
	t_setup(&fx, fault);
	assert_non_null(strstr(t_with_stderr(fn, &fx), want));
	assert_int_equal(s_log_count(" dropped: "), dropped);
	t_teardown(&fx);
}

/* A send interrupted by a signal is tried again: the routing id (the
 * 1st part sent) and the Frame part (the 4th) of the two heartbeat
 * answers each fail once with EINTR, and both answers arrive whole. */
static void test_send_eintr_retried(void **state)
{
	(void)state;
	t_armed("send_eintr:1", t_two_heartbeats, "send_eintr at 1", 0);
	t_armed("send_eintr:4", t_two_heartbeats, "send_eintr at 4", 0);
}

/* A receive interrupted by a signal is tried again: the 2nd part read
 * (the heartbeat after its routing id) and the 4th (the second part of a
 * message of three) fail once with EINTR; nothing is lost, every part is
 * answered. */
static void test_recv_eintr_retried(void **state)
{
	(void)state;
	t_armed("recv_eintr:2", t_two_heartbeats, "recv_eintr at 2", 0);
	t_armed("recv_eintr:4", t_three_parts, "recv_eintr at 4", 0);
}

/* An answer whose Frame part fails after its routing id went (the 1st
 * answer, cut) is ended with an empty part: the client gets one empty
 * message, and the next answer arrives alone, whole, not glued to it. */
static void test_half_sent_answer_ended(void **state)
{
	(void)state;
	t_armed("send_cut:1", t_cut_then_whole, "send_cut at 1", 1);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heartbeat_and_credit),
		cmocka_unit_test(test_every_part_answered),
		cmocka_unit_test(test_oversize_frame_too_large),
		cmocka_unit_test(test_refusal_log_rate_limited),
		cmocka_unit_test(test_zap_denies_unknown),
		cmocka_unit_test(test_evict),
#ifdef LNOB_FAULT_INJECTION
		cmocka_unit_test(test_send_eintr_retried),
		cmocka_unit_test(test_recv_eintr_retried),
		cmocka_unit_test(test_half_sent_answer_ended),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
