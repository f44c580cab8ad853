/* test_endpoint.c: the configuration's ZeroMQ endpoints (endpoint.h):
 * the forms taken and refused, each refusal saying what is wrong, and a
 * bind tried on an address in use. */
#include "testutil.h"

#include <string.h>
#include <zmq.h>

#include "endpoint.h"
#include "lnob_err.h"

static void s_refused(const char *s, bool for_bind, const char *want)
{
	char err[512] = "";

	assert_int_equal(endpoint_check(s, for_bind, err, sizeof(err)), LNOB_E_CONFIG);
	if (!strstr(err, want))
		fail_msg("'%s': error '%s' lacks '%s'", s, err, want);
}

static void test_forms(void **state)
{
	char err[512];

	(void)state;
	assert_int_equal(endpoint_check("tcp://127.0.0.1:7700", false, err, sizeof(err)), 0);
	assert_int_equal(endpoint_check("tcp://aggregator.daknong.gov.vn:7700", false, err,
					sizeof(err)), 0);
	assert_int_equal(endpoint_check("tcp://*:7700", true, err, sizeof(err)), 0);
	assert_int_equal(endpoint_check("tcp://0.0.0.0:1", true, err, sizeof(err)), 0);
	assert_int_equal(endpoint_check("tcp://[::1]:65535", false, err, sizeof(err)), 0);
	assert_int_equal(endpoint_check("ipc:///run/lnob/agg.sock", true, err, sizeof(err)), 0);
	s_refused("127.0.0.1:7700", true, "(no tcp://)");
	s_refused("udp://127.0.0.1:7700", true, "not tcp://HOST:PORT or ipc://PATH");
	s_refused("tcp://127.0.0.1", true, "no :PORT after the host");
	s_refused("tcp://127.0.0.1:7700x", true, "port '7700x' is not 1..65535");
	s_refused("tcp://127.0.0.1:0", true, "port '0' is not 1..65535");
	s_refused("tcp://127.0.0.1:65536", true, "port '65536'");
	s_refused("tcp://:7700", true, "no host before the port");
	s_refused("tcp://*:7700", false, "'*' is for listening, not connecting");
	s_refused("tcp://0.0.0.0:7700", false, "is for listening");
	s_refused("tcp://host name:7700", false, "host 'host name' is not an address");
	s_refused("tcp://[::1:7700", false, "no :PORT after the host");
	s_refused("tcp://[zz]:7700", false, "not an IPv6 address in brackets");
	s_refused("ipc://", true, "the path must be 1..107 bytes");
	s_refused("", true, "empty endpoint");
}

static void test_try_bind(void **state)
{
	void *ctx = zmq_ctx_new(), *sock = zmq_socket(ctx, ZMQ_ROUTER);
	char ep[64], err[512] = "";
	size_t len = sizeof(ep);
	int linger = 0;

	(void)state;
	assert_int_equal(zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger)), 0);
	assert_int_equal(zmq_bind(sock, "tcp://127.0.0.1:*"), 0);
	assert_int_equal(zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, ep, &len), 0);
	assert_int_equal(endpoint_try_bind(ep, err, sizeof(err)), LNOB_E_ZMQ);
	assert_non_null(strstr(err, "cannot listen on"));
	assert_non_null(strstr(err, "Address already in use"));
	zmq_close(sock);
	zmq_ctx_term(ctx);   /* returns once the socket is closed: the port is free */
	assert_int_equal(endpoint_try_bind(ep, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_try_bind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
