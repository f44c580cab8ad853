/* aggstore_requests.c: the aggregator's ad-hoc requests, db requests
 * keyed campaign 0x00 id (see aggstore.h; the rules are requests.h's). */
#include "aggstore.h"
#include "aggstore_int.h"
#include "aggstore_metadata.h"

#include <string.h>

#include "lnob_err.h"

/* The key campaign 0x00 id into key; 0 when a part is empty or too long. */
static size_t s_key(const char *campaign, const char *id, char key[AGG_REQUEST_KEY_MAX])
{
	size_t a = campaign ? strlen(campaign) : 0, b = id ? strlen(id) : 0;

	if (!a || !b || a + 1 + b > AGG_REQUEST_KEY_MAX)
		return 0;
	memcpy(key, campaign, a);
	key[a] = '\0';
	memcpy(key + a + 1, id, b);
	return a + 1 + b;
}

int agg_request_put(store_t *st, MDB_txn *txn, const Lnob__AdhocRequest *req)
{
	char key[AGG_REQUEST_KEY_MAX];
	size_t klen = s_key(req->campaign, req->id, key);
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	r = agg_msg_put(st, txn, AGG_DB_REQUESTS, key, klen, &req->base, MDB_NOOVERWRITE);
	if (r == 0)   /* the bundles carry the requests: publish anew */
		r = agg_metadata_gen_bump(st, txn);
	return r;
}

typedef struct s_request_walk {
	agg_request_fn fn;
	void *ctx;
} s_request_walk_t;

static int s_request_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_request_walk_t *w = ctx;
	ProtobufCMessage *m = NULL;
	int r = agg_msg_unpack(v, &lnob__adhoc_request__descriptor, &m);

	(void)k;
	if (r < 0)
		return r;
	r = w->fn(w->ctx, (const Lnob__AdhocRequest *)m);
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

int agg_request_foreach(store_t *st, MDB_txn *txn, agg_request_fn fn, void *ctx)
{
	s_request_walk_t w = { .fn = fn, .ctx = ctx };

	return store_foreach(txn, store_dbi(st, AGG_DB_REQUESTS), NULL, 0, s_request_entry, &w);
}
