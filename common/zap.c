/* zap.c: ZAP handler and self-test (see zap.h). */
#include "zap.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "identity.h"
#include "lnob_err.h"
#include "util.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

struct zap {
	void *sock;
	zap_lookup_fn lookup;
	void *lookup_ctx;
	uint8_t probe_pk[32];   /* the self-test's key, while it runs */
	bool probing;
	bool probe_denied;
};

zap_t *zap_new(void *zmq_ctx, zap_lookup_fn lookup, void *lookup_ctx)
{
	zap_t *self = calloc(1, sizeof(*self));
	int linger = 0, e;

	if (!self)
		return NULL;
	self->lookup = lookup;
	self->lookup_ctx = lookup_ctx;
	self->sock = zmq_socket(zmq_ctx, ZMQ_REP);
	if (!self->sock)
		goto fail;
	zmq_setsockopt(self->sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_bind(self->sock, ZAP_ENDPOINT) != 0)
		goto fail;
	return self;
fail:
	e = errno;   /* for the caller's message */
	zap_destroy(&self);
	errno = e;
	return NULL;
}

void zap_destroy(zap_t **self_p)
{
	zap_t *self = self_p ? *self_p : NULL;

	if (!self)
		return;
	if (self->sock)
		zmq_close(self->sock);
	free(self);
	*self_p = NULL;
}

void *zap_socket(zap_t *self)
{
	return self->sock;
}

/* Decides one request: the node id to admit as, or NULL to deny. */
static bool s_admit(zap_t *self, const char *mech, const uint8_t *key, size_t klen,
		    char *ret_id)
{
	if (strcmp(mech, "CURVE") != 0 || klen != 32)
		return false;
	if (self->probing && memcmp(key, self->probe_pk, 32) == 0)
		self->probe_denied = true;
	return self->lookup(self->lookup_ctx, key, ret_id, LNOB_ID_MAX + 1);
}

/* Receives one frame into buf (NUL-terminated when it fits); returns its
 * size, or -1. *more tells whether frames follow. */
static int s_recv_part(void *sock, char *buf, size_t cap, bool *more)
{
	int m = 0;
	size_t ml = sizeof(m);
	int n = zmq_recv(sock, buf, cap - 1, ZMQ_DONTWAIT);

	if (n < 0)
		return -1;
	if ((size_t)n > cap - 1)
		n = (int)(cap - 1);   /* truncated: only possible for foreign frames */
	buf[n] = '\0';
	zmq_getsockopt(sock, ZMQ_RCVMORE, &m, &ml);
	*more = m != 0;
	return n;
}

int zap_handle(zap_t *self)
{
	int denied = 0;

	for (;;) {
		char parts[7][256], id[LNOB_ID_MAX + 1] = "";
		int lens[7] = { 0 };
		bool more = true, ok;
		int i, n;

		n = s_recv_part(self->sock, parts[0], sizeof(parts[0]), &more);
		if (n < 0)
			return errno == EAGAIN ? denied : -errno;
		lens[0] = n;
		for (i = 1; i < 7 && more; i++) {
			lens[i] = s_recv_part(self->sock, parts[i], sizeof(parts[i]), &more);
			if (lens[i] < 0)
				break;
		}
		while (more) {   /* drain anything beyond the first credential */
			char junk[256];
			if (s_recv_part(self->sock, junk, sizeof(junk), &more) < 0)
				break;
		}
		/* version, request id, domain, address, routing id, mechanism, key */
		ok = i == 7 && strcmp(parts[0], "1.0") == 0 &&
		     s_admit(self, parts[5], (const uint8_t *)parts[6], (size_t)lens[6], id);
		if (!ok)
			denied++;
		zmq_send(self->sock, "1.0", 3, ZMQ_SNDMORE);
		zmq_send(self->sock, parts[1], (size_t)(lens[1] > 0 ? lens[1] : 0), ZMQ_SNDMORE);
		zmq_send(self->sock, ok ? "200" : "400", 3, ZMQ_SNDMORE);
		zmq_send(self->sock, ok ? "OK" : "key not enrolled or revoked",
			 ok ? 2 : 27, ZMQ_SNDMORE);
		zmq_send(self->sock, id, strlen(id), ZMQ_SNDMORE);
		zmq_send(self->sock, "", 0, 0);
	}
}

/* Reads one monitor event; returns the event number or -1. */
static int s_monitor_event(void *mon)
{
	uint8_t ev[6];
	char addr[256];
	bool more = false;
	int n = zmq_recv(mon, ev, sizeof(ev), ZMQ_DONTWAIT);

	if (n < 6)
		return -1;
	s_recv_part(mon, addr, sizeof(addr), &more);
	return ev[0] | (ev[1] << 8);
}

int zap_self_test(zap_t *self, void *zmq_ctx, const char *endpoint,
		  const uint8_t server_pk[32], int timeout_ms, char *detail, size_t dlen)
{
	uint8_t sk[32];
	void *client = NULL, *mon = NULL;
	char mon_ep[64];
	int linger = 0, r = -ETIMEDOUT;
	int64_t deadline = lnob_mono_ms() + timeout_ms;

	crypto_box_keypair(self->probe_pk, sk);
	self->probing = true;
	self->probe_denied = false;
	client = zmq_socket(zmq_ctx, ZMQ_DEALER);
	snprintf(mon_ep, sizeof(mon_ep), "inproc://lnob-zap-selftest-%p", (void *)self);
	if (!client ||
	    zmq_setsockopt(client, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_setsockopt(client, ZMQ_CURVE_SERVERKEY, server_pk, 32) != 0 ||
	    zmq_setsockopt(client, ZMQ_CURVE_PUBLICKEY, self->probe_pk, 32) != 0 ||
	    zmq_setsockopt(client, ZMQ_CURVE_SECRETKEY, sk, 32) != 0 ||
	    zmq_socket_monitor(client, mon_ep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
			       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
			       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
			       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0) {
		snprintf(detail, dlen, "cannot set up the test client: %s", zmq_strerror(errno));
		r = LNOB_E_ZMQ;
		goto out;
	}
	mon = zmq_socket(zmq_ctx, ZMQ_PAIR);
	if (!mon || zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_connect(mon, mon_ep) != 0 || zmq_connect(client, endpoint) != 0) {
		snprintf(detail, dlen, "cannot connect the test client to %s: %s", endpoint,
			 zmq_strerror(errno));
		r = LNOB_E_ZMQ;
		goto out;
	}
	while (lnob_mono_ms() < deadline) {
		zmq_pollitem_t items[2] = { { self->sock, 0, ZMQ_POLLIN, 0 },
					    { mon, 0, ZMQ_POLLIN, 0 } };
		int ev;

		if (zmq_poll(items, 2, 100) < 0 && errno != EINTR)
			break;
		if (items[0].revents & ZMQ_POLLIN)
			zap_handle(self);
		if (!(items[1].revents & ZMQ_POLLIN))
			continue;
		ev = s_monitor_event(mon);
		if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
			snprintf(detail, dlen, "a client with an unknown CURVE key was admitted");
			r = LNOB_E_CRYPTO;
			break;
		}
		if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH && self->probe_denied) {
			snprintf(detail, dlen, "a client with an unknown CURVE key was refused by ZAP");
			r = 0;
			break;
		}
		if (ev > 0) {
			snprintf(detail, dlen, "unexpected handshake event 0x%x", ev);
			r = LNOB_E_ZMQ;
			break;
		}
	}
	if (r == -ETIMEDOUT)
		snprintf(detail, dlen, "no handshake result from %s within %d ms", endpoint, timeout_ms);
out:
	if (client) {
		zmq_socket_monitor(client, NULL, 0);
		zmq_close(client);
	}
	if (mon)
		zmq_close(mon);
	sodium_memzero(sk, sizeof(sk));
	self->probing = false;
	return r;
}
