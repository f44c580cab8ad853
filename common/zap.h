/*
 * zap.h: the ZAP handler (ZeroMQ RFC 27) that admits only enrolled,
 * unrevoked CURVE keys, and the start-up self-test proving it is in force.
 *
 * Without a ZAP handler libzmq admits every CURVE client, so the daemon
 * binds the handler before the ROUTER and refuses to start unless a client
 * with an unknown key is refused.
 */
#ifndef LNOB_ZAP_H
#define LNOB_ZAP_H

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

typedef struct zap zap_t;

/* Decides one CURVE client key: returns true and writes the node id to
 * admit it as into ret_id (at most id_size bytes with the NUL) when the key
 * is enrolled and not revoked; false otherwise (also on any error). */
typedef bool (*zap_lookup_fn)(void *ctx, const uint8_t curve_pk[32], char *ret_id,
			      size_t id_size);

/* Binds the ZAP handler socket (inproc://zeromq.zap.01) in ctx. Keys are
 * looked up with lookup(lookup_ctx, ...) on every request, so enrolments and
 * revocations take effect for the next handshake. One ZAP handler per
 * ZeroMQ context. Returns NULL on failure (errno set). */
zap_t *zap_new(void *zmq_ctx, zap_lookup_fn lookup, void *lookup_ctx);
void zap_destroy(zap_t **self_p);

/* The socket to poll for requests. */
void *zap_socket(zap_t *self);

/* Answers every pending request without blocking. Returns how many were
 * denied (to count), or a negative code. */
int zap_handle(zap_t *self);

/* Connects a throw-away CURVE client with a random, unenrolled key to
 * endpoint (the ROUTER's bound address) and waits up to timeout_ms for its
 * handshake to fail for authentication, answering ZAP meanwhile.
 * Returns 0 when refused as it must be; LNOB_E_CRYPTO when the unknown key
 * was admitted; -ETIMEDOUT when nothing conclusive happened. detail gets a
 * sentence for the log. */
int zap_self_test(zap_t *self, void *zmq_ctx, const char *endpoint,
		  const uint8_t server_pk[32], int timeout_ms, char *detail, size_t dlen);

#endif
