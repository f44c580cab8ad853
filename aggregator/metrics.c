/* metrics.c: the aggregator's Prometheus metrics and their text
 * exposition (see metrics.h). */
#include "metrics.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "util.h"

static const double s_bounds[METRICS_NBOUNDS] = { METRICS_BOUNDS };

typedef struct s_hist {
	uint64_t n[METRICS_NBOUNDS + 1];   /* per bucket, not cumulative; last: +Inf */
	uint64_t count;
	double sum;
} s_hist_t;

typedef struct s_status {
	char status[8];                    /* "200", ... or "other" */
	uint64_t n;
} s_status_t;

typedef struct s_endpoint {
	char name[METRICS_LABEL_MAX + 1];
	s_hist_t h;
	s_status_t st[METRICS_STATUSES + 1];   /* the last: "other" */
	size_t nst;
} s_endpoint_t;

typedef struct s_gauge {
	char name[METRICS_LABEL_MAX + 1];
	uint64_t v;
} s_gauge_t;

struct metrics {
	s_hist_t batch;
	s_endpoint_t ep[METRICS_ENDPOINTS + 1];   /* the last: "other" */
	size_t nep;
	s_gauge_t q[METRICS_QUEUES];
	size_t nq;
	uint64_t peers;
};

metrics_t *metrics_new(void)
{
	return calloc(1, sizeof(metrics_t));
}

void metrics_destroy(metrics_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	free(*self_p);
	*self_p = NULL;
}

size_t metrics_bucket(double seconds)
{
	size_t i = 0;

	if (isnan(seconds))
		return 0;
	while (i < METRICS_NBOUNDS && seconds > s_bounds[i])
		i++;
	return i;
}

static void s_observe(s_hist_t *h, double seconds)
{
	h->n[metrics_bucket(seconds)]++;
	h->count++;
	if (!isnan(seconds) && seconds > 0)
		h->sum += seconds;
}

void metrics_batch_commit(metrics_t *m, double seconds)
{
	assert(m);
	s_observe(&m->batch, seconds);
}

/* The entry named name in v[0..*n-1], a new one while fewer than max, else
 * v[max] under "other". Each entry is size bytes, its name first. */
static void *s_find(void *v, size_t size, size_t *n, size_t max, const char *name,
		    size_t name_size)
{
	char *base = v;

	for (size_t i = 0; i < *n; i++)
		if (strcmp(base + i * size, name) == 0)
			return base + i * size;
	if (*n < max) {
		lnob_strlcpy(base + *n * size, name, name_size);
		return base + (*n)++ * size;
	}
	lnob_strlcpy(base + max * size, "other", name_size);
	return base + max * size;
}

void metrics_query(metrics_t *m, const char *endpoint, int status, double seconds)
{
	s_endpoint_t *e;
	s_status_t *st;
	char code[8], name[METRICS_LABEL_MAX + 1];

	assert(m);
	(void)lnob_strlcpy(name, endpoint ? endpoint : "other", sizeof(name));   /* cut */
	e = s_find(m->ep, sizeof(m->ep[0]), &m->nep, METRICS_ENDPOINTS, name, sizeof(name));
	s_observe(&e->h, seconds);
	snprintf(code, sizeof(code), "%d", status >= 100 && status <= 999 ? status : 0);
	st = s_find(e->st, sizeof(e->st[0]), &e->nst, METRICS_STATUSES, code,
		    sizeof(e->st[0].status));
	st->n++;
}

void metrics_queue_depth(metrics_t *m, const char *queue, uint64_t depth)
{
	char name[METRICS_LABEL_MAX + 1];

	assert(m && queue);
	(void)lnob_strlcpy(name, queue, sizeof(name));   /* cut */
	for (size_t i = 0; i < m->nq; i++)
		if (strcmp(m->q[i].name, name) == 0) {
			m->q[i].v = depth;
			return;
		}
	if (m->nq == METRICS_QUEUES)
		return;
	lnob_strlcpy(m->q[m->nq].name, name, sizeof(m->q[0].name));
	m->q[m->nq++].v = depth;
}

void metrics_peers(metrics_t *m, uint64_t connected)
{
	assert(m);
	m->peers = connected;
}

/* ---- exposition ------------------------------------------------------------ */

/* Writes s as a label value (without the quotes), escaped. */
static void s_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* The HELP and TYPE lines of a metric. */
static void s_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample of a counter or gauge without labels. */
static void s_plain(FILE *f, const char *name, const char *type, const char *help, uint64_t v)
{
	s_head(f, name, type, help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

/* The samples of histogram h: buckets (cumulative), sum and count, with
 * label `lname="lval"` first when lname is set. */
static void s_hist(FILE *f, const char *name, const s_hist_t *h, const char *lname,
		   const char *lval)
{
	uint64_t cum = 0;

	for (size_t i = 0; i <= METRICS_NBOUNDS; i++) {
		cum += h->n[i];
		fprintf(f, "%s_bucket{", name);
		if (lname) {
			fprintf(f, "%s=\"", lname);
			s_label(f, lval);
			fputs("\",", f);
		}
		if (i < METRICS_NBOUNDS)
			fprintf(f, "le=\"%g\"} %" PRIu64 "\n", s_bounds[i], cum);
		else
			fprintf(f, "le=\"+Inf\"} %" PRIu64 "\n", cum);
	}
	fprintf(f, "%s_sum", name);
	if (lname) {
		fprintf(f, "{%s=\"", lname);
		s_label(f, lval);
		fputs("\"}", f);
	}
	fprintf(f, " %.9g\n%s_count", h->sum, name);
	if (lname) {
		fprintf(f, "{%s=\"", lname);
		s_label(f, lval);
		fputs("\"}", f);
	}
	fprintf(f, " %" PRIu64 "\n", h->count);
}

/* The ingest counters (AGG_C_*). */
static void s_counters(FILE *f, const uint64_t c[AGG_C_COUNT])
{
	static const struct { const char *name, *help; int c; } plain[] = {
		{ "lnob_ingested_total", "Envelopes stored new (acked after their commit).",
		  AGG_C_STORED },
		{ "lnob_duplicates_total", "Envelopes received again and acked again.",
		  AGG_C_DUPLICATE },
		{ "lnob_quarantined_total", "Envelopes quarantined: their (signer, seq) was reused.",
		  AGG_C_QUARANTINED },
		{ "lnob_conflicts_total", "Accepted revisions that opened or joined a conflict.",
		  AGG_C_CONFLICT },
		{ "lnob_amended_total", "Stored reports held as amendments of an approval.",
		  AGG_C_AMENDED },
		{ "lnob_store_failed_total", "Batches whose write transaction failed.",
		  AGG_C_STORE_FAILED },
		{ "lnob_zap_denied_total", "Connection attempts ZAP denied.", AGG_C_ZAP_DENIED },
		{ "lnob_downstream_ignored_total",
		  "Relays' reports of downstream nodes ignored (out of the relay's scope).",
		  AGG_C_DOWNSTREAM_IGNORED },
	};

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		s_plain(f, plain[i].name, "counter", plain[i].help, c[plain[i].c]);
	s_head(f, "lnob_rejected_total", "counter", "Envelopes and frames refused, by reason.");
	for (int r = 1; AGG_C_REJECTED_BASE + r <= AGG_C_REJECTED_LAST; r++) {
		fputs("lnob_rejected_total{reason=\"", f);
		s_label(f, admit_reason_name(r));
		fprintf(f, "\"} %" PRIu64 "\n", c[AGG_C_REJECTED_BASE + r]);
	}
}

/* The query metrics of every endpoint. */
static void s_queries(FILE *f, const metrics_t *m)
{
	size_t n = m->nep + (m->ep[METRICS_ENDPOINTS].h.count ? 1 : 0);

	s_head(f, "lnob_query_duration_seconds", "histogram",
	       "HTTP queries answered, by endpoint, seconds.");
	for (size_t i = 0; i < n; i++) {
		const s_endpoint_t *e = &m->ep[i < m->nep ? i : METRICS_ENDPOINTS];

		s_hist(f, "lnob_query_duration_seconds", &e->h, "endpoint", e->name);
	}
	s_head(f, "lnob_queries_total", "counter", "HTTP queries answered, by endpoint and status.");
	for (size_t i = 0; i < n; i++) {
		const s_endpoint_t *e = &m->ep[i < m->nep ? i : METRICS_ENDPOINTS];
		size_t ns = e->nst + (e->st[METRICS_STATUSES].n ? 1 : 0);

		for (size_t j = 0; j < ns; j++) {
			const s_status_t *st = &e->st[j < e->nst ? j : METRICS_STATUSES];

			fputs("lnob_queries_total{endpoint=\"", f);
			s_label(f, e->name);
			fputs("\",status=\"", f);
			s_label(f, st->status);
			fprintf(f, "\"} %" PRIu64 "\n", st->n);
		}
	}
}

char *metrics_render(const metrics_t *m, const uint64_t c[AGG_C_COUNT])
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert(m && c);
	if (!(f = open_memstream(&buf, &len)))
		return NULL;
	s_counters(f, c);
	s_head(f, "lnob_batch_commit_seconds", "histogram",
	       "Write transactions of envelope batches (ingest and commit), seconds.");
	s_hist(f, "lnob_batch_commit_seconds", &m->batch, NULL, NULL);
	s_queries(f, m);
	s_head(f, "lnob_queue_depth", "gauge", "Items waiting in a queue of the server, by queue.");
	for (size_t i = 0; i < m->nq; i++) {
		fputs("lnob_queue_depth{queue=\"", f);
		s_label(f, m->q[i].name);
		fprintf(f, "\"} %" PRIu64 "\n", m->q[i].v);
	}
	s_plain(f, "lnob_peers_connected", "gauge",
		"Peers heard from within the fleet's down time (FLEET_DOWN_MS).", m->peers);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
