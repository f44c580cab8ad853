/* http.c: libmicrohttpd inside a daemon's poll loop (see http.h). */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "log.h"
#include "util.h"

struct http {
	struct MHD_Daemon *d;
	http_handler_fn fn, gate;
	void *ctx;
	int fd;
	struct {
		char path[128];
		size_t max;
	} limits[HTTP_LIMITS_MAX];
	size_t nlimits;
};

/* One request being read. */
typedef struct s_conn {
	char *body;
	size_t len;
	size_t max;       /* its body limit */
	bool too_large;
	bool answered;
} s_conn_t;

/* MHD_KeyValueIterator: collects the query arguments. */
static enum MHD_Result s_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			     const char *value)
{
	http_req_t *rq = cls;

	(void)kind;
	if (rq->nargs == HTTP_ARGS_MAX) {
		rq->too_many_args = true;
		return MHD_NO;
	}
	rq->args[rq->nargs].key = key;
	rq->args[rq->nargs].value = value ? value : "";
	rq->nargs++;
	return MHD_YES;
}

/* Sends resp (taking its body). Returns MHD_queue_response()'s result. */
static enum MHD_Result s_send(struct MHD_Connection *c, http_resp_t *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	if (resp->body_static)
		r = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_PERSISTENT);
	else
		r = MHD_create_response_from_buffer_with_free_callback(resp->len, resp->body, free);
	if (!r) {
		if (!resp->body_static)
			free(resp->body);
		return MHD_NO;
	}
	if (resp->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	if (resp->cache_control)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, resp->cache_control);
	if (resp->etag[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, resp->etag);
	if (resp->disposition[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, resp->disposition);
	if (resp->allow[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ok = MHD_queue_response(c, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ok;
}

/* A fixed JSON error, for what http answers itself (413, 500). */
static enum MHD_Result s_send_error(struct MHD_Connection *c, int status, const char *name,
				    const char *msg)
{
	http_resp_t resp = { .status = status,
			     .content_type = "application/json; charset=utf-8" };
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "{\"error\": \"%s\", \"message\": \"%s\"}\n", name, msg);

	resp.body = strdup(buf);
	resp.len = resp.body ? (size_t)n : 0;
	if (!resp.body)
		resp.body_static = true;
	return s_send(c, &resp);
}

/* Appends an upload chunk to the request's body, or marks it too large. */
static void s_take(s_conn_t *sc, const char *data, size_t n)
{
	char *b;

	if (sc->too_large || n > sc->max || sc->len > sc->max - n) {
		sc->too_large = true;
		return;
	}
	if (!(b = realloc(sc->body, sc->len + n + 1))) {
		sc->too_large = true;
		return;
	}
	memcpy(b + sc->len, data, n);
	sc->len += n;
	b[sc->len] = '\0';
	sc->body = b;
}

/* The request's head (and body so far, sc may be NULL) into rq. */
static void s_request(struct MHD_Connection *c, const char *url, const char *method,
		      const s_conn_t *sc, http_req_t *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = method;
	rq->path = url;
	rq->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							MHD_HTTP_HEADER_AUTHORIZATION);
	rq->if_none_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							MHD_HTTP_HEADER_IF_NONE_MATCH);
	rq->body = sc && sc->body ? sc->body : "";
	rq->body_len = sc ? sc->len : 0;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, s_arg, rq);
}

/* The whole request is in: the handler answers it. */
static enum MHD_Result s_dispatch(http_t *h, struct MHD_Connection *c, const char *url,
				  const char *method, s_conn_t *sc)
{
	http_req_t rq;
	http_resp_t resp;

	s_request(c, url, method, sc, &rq);
	memset(&resp, 0, sizeof(resp));
	h->fn(h->ctx, &rq, &resp);
	sc->answered = true;
	return s_send(c, &resp);
}

/* The gate's early answer to a request whose headers are in, or none
 * (resp->status 0). */
static void s_gate(http_t *h, struct MHD_Connection *c, const char *url, const char *method,
		   http_resp_t *resp)
{
	http_req_t rq;

	memset(resp, 0, sizeof(*resp));
	if (!h->gate)
		return;
	s_request(c, url, method, NULL, &rq);
	h->gate(h->ctx, &rq, resp);
}

void http_set_gate(http_t *self, http_handler_fn gate)
{
	self->gate = gate;
}

/* The body limit of requests to url. */
static size_t s_limit(const http_t *h, const char *url)
{
	for (size_t i = 0; i < h->nlimits; i++)
		if (strcmp(h->limits[i].path, url) == 0)
			return h->limits[i].max;
	return HTTP_BODY_MAX;
}

int http_body_limit(http_t *self, const char *path, size_t max)
{
	size_t n = path ? strlen(path) : 0;

	if (n == 0 || n >= sizeof(self->limits[0].path) || max == 0)
		return -EINVAL;
	if (self->nlimits == HTTP_LIMITS_MAX)
		return -ENOSPC;
	memcpy(self->limits[self->nlimits].path, path, n + 1);
	self->limits[self->nlimits++].max = max;
	return 0;
}

/* MHD_AccessHandlerCallback: reads the body (bounded), then dispatches. */
static enum MHD_Result s_access(void *cls, struct MHD_Connection *c, const char *url,
				const char *method, const char *version,
				const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	http_t *h = cls;
	s_conn_t *sc = *con_cls;

	(void)version;
	if (!sc) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		http_resp_t early;

		if (!(sc = calloc(1, sizeof(*sc))))
			return MHD_NO;
		*con_cls = sc;
		s_gate(h, c, url, method, &early);
		if (early.status) {
			sc->answered = true;
			return s_send(c, &early);
		}
		sc->max = s_limit(h, url);
		if (cl && strtoull(cl, NULL, 10) > (unsigned long long)sc->max)
			sc->too_large = true;
		if (!sc->too_large)
			return MHD_YES;
	}
	if (sc->answered) {
		*upload_data_size = 0;   /* an early answer: the rest is dropped */
		return MHD_YES;
	}
	if (*upload_data_size > 0 && !sc->too_large) {
		s_take(sc, upload_data, *upload_data_size);
		*upload_data_size = 0;
		if (!sc->too_large)
			return MHD_YES;   /* more may come; the last call has none */
	}
	if (sc->too_large) {
		char msg[96];

		sc->answered = true;
		*upload_data_size = 0;
		snprintf(msg, sizeof(msg), "the request body exceeds %zu bytes", sc->max);
		return s_send_error(c, 413, "too_large", msg);
	}
	return s_dispatch(h, c, url, method, sc);
}

/* MHD_RequestCompletedCallback: frees the request's state. */
static void s_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			enum MHD_RequestTerminationCode toe)
{
	s_conn_t *sc = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (sc) {
		free(sc->body);
		free(sc);
	}
	*con_cls = NULL;
}

/* MHD_LogCallback: libmicrohttpd's messages at debug level. */
__attribute__((format(printf, 2, 0)))
static void s_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("http: %s", buf);
}

http_t *http_new(const char *listen, http_handler_fn fn, void *ctx, char *err, size_t errlen)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	uint32_t addr = 0;
	uint16_t port = 0;
	http_t *h;

	if (http_listen_parse(listen, &addr, &port, err, errlen) < 0)
		return NULL;
	if (!(h = calloc(1, sizeof(*h)))) {
		lnob_errf(err, errlen, -ENOMEM, "out of memory");
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(addr);
	sa.sin_port = htons(port);
	h->fn = fn;
	h->ctx = ctx;
	h->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, port, NULL, NULL, s_access, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_MAX,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_S,
				MHD_OPTION_NOTIFY_COMPLETED, s_completed, NULL,
				MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, NULL,
				MHD_OPTION_END);
	if (!h->d || !(info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD))) {
		lnob_errf(err, errlen, LNOB_E_INVALID, "cannot listen on %s: %s", listen,
			  strerror(errno ? errno : EADDRINUSE));
		http_destroy(&h);
		return NULL;
	}
	h->fd = info->epoll_fd;
	return h;
}

void http_destroy(http_t **self_p)
{
	http_t *h = self_p ? *self_p : NULL;

	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d);
	free(h);
	*self_p = NULL;
}

int http_fd(const http_t *self)
{
	return self->fd;
}

long http_timeout_ms(const http_t *self)
{
	MHD_UNSIGNED_LONG_LONG t = 0;

	if (MHD_get_timeout(self->d, &t) != MHD_YES)
		return -1;
	return t > 60000 ? 60000 : (long)t;
}

void http_run(http_t *self)
{
	MHD_run(self->d);
}
