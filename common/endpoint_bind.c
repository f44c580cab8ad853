/* endpoint_bind.c: endpoint_try_bind() (see endpoint.h), apart from the
 * checks of endpoint.c so that a command checking the configuration does
 * not link libzmq. */
#include "endpoint.h"

#include <zmq.h>

#include "lnob_err.h"
#include "util.h"

int endpoint_try_bind(const char *s, char *err, size_t errlen)
{
	void *ctx = zmq_ctx_new(), *sock = ctx ? zmq_socket(ctx, ZMQ_ROUTER) : NULL;
	int linger = 0, r = 0;

	if (!sock || zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
	    zmq_bind(sock, s) < 0)
		r = lnob_errf(err, errlen, LNOB_E_ZMQ, "cannot listen on %s: %s", s,
			      zmq_strerror(zmq_errno()));
	if (sock)
		zmq_close(sock);
	if (ctx)
		zmq_ctx_term(ctx);
	return r;
}
