/* endpoint.c: ZeroMQ endpoints of the configuration (see endpoint.h). */
#include "endpoint.h"

#include <stdio.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

/* Bytes of a Unix socket path (sun_path less its NUL). */
#define S_IPC_MAX 107

static bool s_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.';
}

/* Checks HOST of tcp://HOST:PORT, n bytes at h. */
static int s_host(const char *s, const char *h, size_t n, bool for_bind, char *err,
		  size_t errlen)
{
	if (n == 0)
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "no host before the port: '%s'", s);
	if ((n == 1 && h[0] == '*') || (n == 7 && memcmp(h, "0.0.0.0", 7) == 0))
		return for_bind ? 0 : lnob_errf(err, errlen, LNOB_E_CONFIG, "'%.*s' is for "
						"listening, not connecting: '%s'", (int)n, h, s);
	if (h[0] == '[') {
		for (size_t i = 1; i + 1 < n; i++)
			if (!strchr("0123456789abcdefABCDEF:.", h[i]))
				return lnob_errf(err, errlen, LNOB_E_CONFIG, "not an IPv6 address "
						 "in brackets: '%s'", s);
		return n > 2 && h[n - 1] == ']' ? 0 : lnob_errf(err, errlen, LNOB_E_CONFIG,
								"not an IPv6 address in brackets: '%s'", s);
	}
	for (size_t i = 0; i < n; i++)
		if (!s_name_char(h[i]))
			return lnob_errf(err, errlen, LNOB_E_CONFIG, "host '%.*s' is not an address "
					 "or a host name: '%s'", (int)n, h, s);
	return 0;
}

int endpoint_check(const char *s, bool for_bind, char *err, size_t errlen)
{
	const char *rest, *colon, *close;
	int64_t port;

	if (!s || !s[0])
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "empty endpoint");
	if (strncmp(s, "ipc://", 6) == 0) {
		size_t n = strlen(s + 6);

		return n > 0 && n <= S_IPC_MAX ? 0 : lnob_errf(err, errlen, LNOB_E_CONFIG,
			"ipc://PATH: the path must be 1..%d bytes: '%s'", S_IPC_MAX, s);
	}
	if (strncmp(s, "tcp://", 6) != 0)
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "not tcp://HOST:PORT or ipc://PATH: "
				 "'%s'%s", s, strstr(s, "://") ? "" : " (no tcp://)");
	rest = s + 6;
	close = strchr(rest, ']');
	if (!(colon = strrchr(rest, ':')) || (rest[0] == '[' && (!close || colon < close)))
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "no :PORT after the host: '%s'", s);
	if (!lnob_parse_digits(colon + 1, 65535, &port) || port < 1)
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "port '%s' is not 1..65535: '%s'",
				 colon + 1, s);
	return s_host(s, rest, (size_t)(colon - rest), for_bind, err, errlen);
}
