/*
 * http.h: an HTTP server (libmicrohttpd: the aggregator's API, the
 * collector's page), run inside the
 * server's zmq_poll loop: no thread of its own. http_fd() is an epoll fd
 * the loop polls as a raw fd; http_run() does what is ready;
 * http_timeout_ms() bounds the loop's poll timeout. Each complete request
 * (method, path, query arguments, the Authorization and If-None-Match
 * headers, the body) goes to one handler as an http_req_t; the handler fills
 * an http_resp_t. Nothing of libmicrohttpd leaves http.c.
 *
 * Limits: a body over HTTP_BODY_MAX (or the path's own limit,
 * http_body_limit()) is answered 413 without reading it;
 * at most HTTP_CONN_MAX connections at once; a connection idle for
 * HTTP_IDLE_S seconds is closed; more than HTTP_ARGS_MAX query arguments
 * set too_many_args (the handler answers 400).
 */
#ifndef LNOB_HTTP_H
#define LNOB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_BODY_MAX ((size_t)64 * 1024)
#define HTTP_CONN_MAX 64
#define HTTP_IDLE_S 30
#define HTTP_ARGS_MAX 16
/* Paths with a body limit of their own (http_body_limit()). */
#define HTTP_LIMITS_MAX 8

typedef struct http http_t;

/* One query argument (borrowed for the handler's call; value "" when
 * given without '='). */
typedef struct http_arg {
	const char *key, *value;
} http_arg_t;

/* A complete request; every pointer borrowed for the handler's call. */
typedef struct http_req {
	const char *method;           /* "GET", "POST", ... */
	const char *path;             /* the URL's path, percent-decoded */
	const char *authorization;    /* the header, or NULL */
	const char *if_none_match;    /* the header, or NULL */
	const char *body;             /* NUL-terminated; "" without one */
	size_t body_len;
	http_arg_t args[HTTP_ARGS_MAX];
	size_t nargs;
	bool too_many_args;
} http_req_t;

/* What the handler answers. body is malloc'ed and taken by http (or, with
 * body_static, borrowed for the life of the process); content_type and
 * cache_control are static strings; etag and disposition are sent when
 * not empty. */
typedef struct http_resp {
	int status;
	const char *content_type;
	char *body;
	size_t len;
	bool body_static;
	const char *cache_control;
	char etag[80];
	char disposition[256];
	char allow[32];               /* the Allow header of a 405, or "" */
} http_resp_t;

typedef void (*http_handler_fn)(void *ctx, const http_req_t *req, http_resp_t *resp);

/* Parses "HOST:PORT" (HOST an IPv4 literal or "localhost", PORT 1..65535)
 * into an IPv4 address and a port in host order. Returns 0 or
 * LNOB_E_INVALID with err saying why. */
int http_listen_parse(const char *text, uint32_t *ret_addr, uint16_t *ret_port, char *err,
		      size_t errlen);

/* Binds listen (http_listen_parse()'s form) and starts serving through fn
 * (with ctx). Returns NULL with err filled when it cannot. Caller owns the
 * result (http_destroy). */
http_t *http_new(const char *listen, http_handler_fn fn, void *ctx, char *err, size_t errlen);
void http_destroy(http_t **self_p);

/* Lets requests to path (the exact URL path, copied) carry bodies of up
 * to max bytes instead of HTTP_BODY_MAX, e.g. the collector page's
 * uploads; every other path keeps HTTP_BODY_MAX. Returns 0, -EINVAL (path
 * empty or over 127 bytes, max 0) or -ENOSPC (HTTP_LIMITS_MAX paths
 * already). */
int http_body_limit(http_t *self, const char *path, size_t max);

/* Sets gate, called for each request as soon as its headers are in and
 * before any of its body is read (req->body ""): it answers by setting
 * resp->status (the request is then done, its body never read), or leaves
 * it 0 to go on. So that a client without credentials cannot make the
 * daemon hold a large body. NULL: none. */
void http_set_gate(http_t *self, http_handler_fn gate);

/* The epoll fd to poll for reading. */
int http_fd(const http_t *self);
/* How long the loop may sleep before http_run() must be called, in ms
 * (-1: as long as it likes). */
long http_timeout_ms(const http_t *self);
/* Serves what is ready (accepts, reads, answers, times out). */
void http_run(http_t *self);

#endif
