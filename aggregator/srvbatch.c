/* srvbatch.c: the server's batches and their checks (see srvbatch.h). */
#include "srvbatch.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int srvbatch_init(srvbatch_t *b, size_t max, store_t *st, size_t max_body)
{
	memset(b, 0, sizeof(*b));
	b->st = st;
	b->max_body = max_body;
	b->items = calloc(max, sizeof(*b->items));
	b->frames = calloc(max, sizeof(Lnob__Frame *));
	b->from = calloc(max, sizeof(router_peer_t *));
	return b->items && b->frames && b->from ? 0 : -ENOMEM;
}

void srvbatch_free(srvbatch_t *b)
{
	srvbatch_clear(b);
	free(b->items);
	free(b->frames);
	free(b->from);
	memset(b, 0, sizeof(*b));
}

size_t srvbatch_take(srvbatch_t *b, fairq_t *q, size_t max, size_t max_bytes, void **taken,
		     const void **taken_from)
{
	assert(b->n == 0);
	b->n = fairq_take_bytes(q, max, max_bytes, taken, taken_from);
	for (size_t i = 0; i < b->n; i++) {
		Lnob__Frame *f = taken[i];
		router_peer_t *p = (router_peer_t *)taken_from[i];

		memset(&b->items[i], 0, sizeof(b->items[i]));
		b->items[i].env = f->envelope.data;
		b->items[i].len = f->envelope.len;
		b->items[i].peer = p->node_id;
		b->frames[i] = f;
		b->from[i] = p;
	}
	return b->n;
}

/* Items a job of the pool checks in one read transaction. */
#define S_CHUNK 16

/* vpool_fn: the checks of chunk i, items i * S_CHUNK onwards (a worker
 * thread: those items and the store only). */
static void s_check(void *ctx, size_t i)
{
	srvbatch_t *b = ctx;
	size_t from = i * S_CHUNK, n = b->n - from < S_CHUNK ? b->n - from : S_CHUNK;

	ingest_preverify(b->st, b->max_body, &b->items[from], n);
}

void srvbatch_preverify(srvbatch_t *b, vpool_t *pool)
{
	vpool_start(pool, s_check, b, (b->n + S_CHUNK - 1) / S_CHUNK);
}

void srvbatch_clear(srvbatch_t *b)
{
	for (size_t i = 0; i < b->n; i++)
		lnob__frame__free_unpacked(b->frames[i], NULL);
	b->n = 0;
}

bool srvbatch_has_peer(const srvbatch_t *b, const router_peer_t *p)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->from[i] == p)
			return true;
	return false;
}

void srvbatch_answer(const srvbatch_t *b, router_t *router, router_verdict_t *verdicts)
{
	for (size_t i = 0; i < b->n; i++) {
		const ingest_item_t *it = &b->items[i];
		router_verdict_t *v = &verdicts[i];

		if (it->verdict == INGEST_ACK && it->conflict)
			log_warnx("%s", it->note);
		else if (it->verdict == INGEST_ACK && (it->resolved || it->amended))
			log_info("%s", it->note);
		v->peer = b->from[i];
		v->signer = it->signer;
		v->seq = it->seq;
		v->reason = it->verdict == INGEST_NACK ? it->reason : 0;
		v->detail = it->detail;
		v->retryable = it->retryable;
	}
	router_answer(router, verdicts, b->n);
}
