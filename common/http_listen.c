/* http_listen.c: the [http] listen value, HOST:PORT (see http.h). Apart
 * from http.c so that a command checking the configuration does not link
 * libmicrohttpd (README "Benchmarks": a read-only command loads only the
 * libraries it uses). */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

int http_listen_parse(const char *text, uint32_t *ret_addr, uint16_t *ret_port, char *err,
		      size_t errlen)
{
	const char *colon = text ? strrchr(text, ':') : NULL;
	char host[64], *end;
	struct in_addr a;
	unsigned long port;

	if (!colon || colon == text || (size_t)(colon - text) >= sizeof(host))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "not HOST:PORT: '%s'", text ? text : "");
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port < 1 || port > 65535 || colon[1] == '+' ||
	    colon[1] == '-')
		return lnob_errf(err, errlen, LNOB_E_INVALID, "port not 1..65535: '%s'", colon + 1);
	if (strcmp(host, "localhost") == 0)
		a.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &a) != 1)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "host not an IPv4 address or "
				 "localhost: '%s'", host);
	*ret_addr = ntohl(a.s_addr);
	*ret_port = (uint16_t)port;
	return 0;
}
