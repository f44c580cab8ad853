/*
 * metrics.h: the aggregator's Prometheus metrics (README "Metrics"): what
 * the server loop measures (batch commit latency, queue depths, peers
 * connected), what the HTTP side measures (query latency and answers per
 * endpoint), and the ingest counters (aggstore.h AGG_C_*), rendered as
 * the Prometheus text exposition format, version 0.0.4.
 *
 * Histograms have the buckets METRICS_BOUNDS (seconds, from 0.5 ms to
 * 10 s) and +Inf; a value v falls in the first bucket whose bound is >= v
 * (Prometheus' `le`), and the rendered buckets are cumulative. Label
 * values are escaped as the format says (backslash, double quote and line
 * feed as \\, \" and \n).
 *
 * Bounded: at most METRICS_ENDPOINTS endpoint labels (further endpoints
 * count under "other"), METRICS_STATUSES statuses per endpoint (further
 * ones under status "other"), METRICS_QUEUES queue gauges (further names
 * are not kept); a label value is cut at METRICS_LABEL_MAX bytes. The
 * caller passes route patterns ("/api/nominations/{signer}/{id}"), not raw
 * paths, as endpoints.
 *
 * One metrics_t belongs to the server loop (server.c) and is used by that
 * one thread (the HTTP side runs in the same loop): no locking. Library
 * module: never logs.
 */
#ifndef LNOB_METRICS_H
#define LNOB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "aggstore.h"

/* Histogram bucket bounds, seconds (then +Inf). */
#define METRICS_BOUNDS 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, \
	1.0, 2.5, 5.0, 10.0
#define METRICS_NBOUNDS 14
#define METRICS_ENDPOINTS 64
#define METRICS_STATUSES 16
#define METRICS_QUEUES 16
#define METRICS_LABEL_MAX 128

typedef struct metrics metrics_t;   /* owned by the server loop */

/* A new set, every value 0. NULL when out of memory. Caller owns it. */
metrics_t *metrics_new(void);
/* Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void metrics_destroy(metrics_t **self_p);

/* One batch's write transaction took seconds (lnob_batch_commit_seconds). */
void metrics_batch_commit(metrics_t *m, double seconds);
/* One HTTP query of endpoint (NULL: "other") answered with status in
 * seconds (lnob_query_duration_seconds{endpoint}, lnob_queries_total{endpoint,
 * status}). */
void metrics_query(metrics_t *m, const char *endpoint, int status, double seconds);
/* The depth of queue now (lnob_queue_depth{queue}; a gauge). */
void metrics_queue_depth(metrics_t *m, const char *queue, uint64_t depth);
/* Peers connected now (lnob_peers_connected; a gauge). */
void metrics_peers(metrics_t *m, uint64_t connected);

/* The index of the bucket seconds falls in: 0 .. METRICS_NBOUNDS (the
 * last: +Inf). A negative or NaN value counts in bucket 0. */
size_t metrics_bucket(double seconds);

/* Prometheus text exposition (version 0.0.4) of m and of the ingest
 * counters c (aggstore.h AGG_C_*): lnob_ingested_total,
 * lnob_duplicates_total, lnob_rejected_total{reason=...}, ... (README
 * "Metrics" lists them all). Returns a malloc'ed NUL-terminated buffer
 * (caller frees) or NULL when out of memory. */
char *metrics_render(const metrics_t *m, const uint64_t c[AGG_C_COUNT]);

#endif
