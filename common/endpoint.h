/*
 * endpoint.h: the ZeroMQ endpoints of the configuration ([listen]
 * endpoint, [uplink] endpoint, [relay] listen): checked when the
 * configuration is read, so that `run -n` refuses what `run` could not
 * bind or connect, and a bind tried by `run -n` itself.
 *
 * The forms taken: tcp://HOST:PORT (HOST an IPv4 address, a host name of
 * letters, digits, '-' and '.', or [IPv6]; `*` or 0.0.0.0 for every
 * interface, to bind only; PORT 1..65535) and ipc://PATH (PATH not empty,
 * at most 107 bytes: a Unix socket's path).
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_ENDPOINT_H
#define LNOB_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

/* Checks s (for_bind: an address to listen on, else one to connect to).
 * Returns 0, or LNOB_E_CONFIG with err saying what is wrong without the
 * key ("not tcp://HOST:PORT or ipc://PATH: '127.0.0.1:7700' (no tcp://)",
 * "port '7700x' is not 1..65535", "'*' is for listening, not connecting"). */
int endpoint_check(const char *s, bool for_bind, char *err, size_t errlen);

/* Binds a ZeroMQ ROUTER to s and closes it again: what `run -n` does to
 * find an address in use or not this machine's. Returns 0, or LNOB_E_ZMQ
 * with err "cannot listen on tcp://...: Address already in use". */
int endpoint_try_bind(const char *s, char *err, size_t errlen);

#endif
