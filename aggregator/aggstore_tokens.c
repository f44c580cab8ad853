/* aggstore_tokens.c: the aggregator's HTTP API tokens and its own seq
 * (see aggstore.h). */
#include "aggstore.h"
#include "aggstore_int.h"

#include <string.h>

#include "lnob_err.h"

/* The meta name of the aggregator's own last seq. */
#define S_OWN_SEQ "own_seq"

int agg_token_get(store_t *st, MDB_txn *txn, const char *id, Lnob__TokenRecord **ret)
{
	return agg_msg_get(st, txn, AGG_DB_TOKENS, id, strlen(id), &lnob__token_record__descriptor,
			   (ProtobufCMessage **)ret);
}

int agg_token_put(store_t *st, MDB_txn *txn, const Lnob__TokenRecord *rec)
{
	if (!rec->id || !rec->id[0])
		return LNOB_E_INVALID;
	return agg_msg_put(st, txn, AGG_DB_TOKENS, rec->id, strlen(rec->id), &rec->base, 0);
}

typedef struct s_token_walk {
	agg_token_fn fn;
	void *ctx;
} s_token_walk_t;

static int s_token_entry(void *ctx, const MDB_val *k, const MDB_val *v)
{
	s_token_walk_t *w = ctx;
	ProtobufCMessage *m = NULL;
	int r = agg_msg_unpack(v, &lnob__token_record__descriptor, &m);

	(void)k;
	if (r < 0)
		return r;
	r = w->fn(w->ctx, (Lnob__TokenRecord *)m);
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

int agg_token_foreach(store_t *st, MDB_txn *txn, agg_token_fn fn, void *ctx)
{
	s_token_walk_t w = { .fn = fn, .ctx = ctx };

	return store_foreach(txn, store_dbi(st, AGG_DB_TOKENS), NULL, 0, s_token_entry, &w);
}

int agg_own_seq_next(store_t *st, MDB_txn *txn, uint64_t *ret)
{
	uint64_t last = 0;
	int r = store_meta_get_u64(txn, st, S_OWN_SEQ, &last);

	if (r == 0)
		r = store_meta_put_u64(txn, st, S_OWN_SEQ, last + 1);
	if (r == 0)
		*ret = last + 1;
	return r;
}
