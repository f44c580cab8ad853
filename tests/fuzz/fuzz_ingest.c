/*
 * fuzz_ingest.c: envelope bodies through the aggregator's ingest
 * (aggregator/ingest.h, ingest_batch()): a report's decode, report_validate(),
 * the campaign's rules and apply_report()'s revisions and rollups (a
 * snapshot's decode and checks too, snapshot_in.h); a
 * nomination's and a stage's decode and checks (nominations_apply()).
 *
 * The input is a batch of up to S_BATCH_MAX bodies, each
 *   kind (1 byte: the Envelope kind, taken modulo 6, so KIND_UNSPECIFIED
 *   and an unknown kind 5 too; 4 is KIND_SNAPSHOT), length (2 bytes, little-endian), body
 * (the last body is cut at the end of the input). The harness signs each
 * as FUZZ_SIGNER with seq 1, 2, ... (envelope_seal()) and ingests the
 * batch into a new store (one per input, in fuzz_dir(); removed after)
 * holding FUZZ_SIGNER enrolled with the sample hierarchy's root as scope,
 * with the sample campaign configured (fuzz_campaigns()). So a
 * nomination and its stages can meet in one input.
 *
 * Checks every verdict: an ACK or a NACK with a known reason, the
 * envelope's own (signer, seq) named; a batch the store could not take
 * (an error code) is a harness failure, the store is new and large enough.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggstore.h"
#include "envelope.h"
#include "ingest.h"
#include "store.h"

#define S_BATCH_MAX 8
#define S_MAP_SIZE ((size_t)8 << 20)

typedef struct s_batch {
	ingest_item_t items[S_BATCH_MAX];
	uint8_t *env[S_BATCH_MAX];
	size_t n;
} s_batch_t;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	(void)fuzz_identity();
	(void)fuzz_campaigns();
	return 0;
}

/* Splits and seals the input into b. */
static void s_split(const uint8_t *data, size_t size, s_batch_t *b)
{
	size_t off = 0;

	memset(b, 0, sizeof(*b));
	while (off < size && b->n < S_BATCH_MAX) {
		uint32_t kind = data[off] % 6;
		size_t len = 0, avail;
		ingest_item_t *it = &b->items[b->n];

		off++;
		if (off + 2 <= size) {
			len = (size_t)data[off] | (size_t)data[off + 1] << 8;
			off += 2;
		} else {
			off = size;
		}
		avail = size - off;
		if (len > avail)
			len = avail;
		if (envelope_seal(fuzz_identity(), b->n + 1, kind, data + off, len, &b->env[b->n],
				  &it->len) < 0)
			fuzz_die("envelope_seal failed for a body of %zu bytes", len);
		it->env = b->env[b->n];
		it->peer = FUZZ_SIGNER;
		off += len;
		b->n++;
	}
}

/* A new store with FUZZ_SIGNER enrolled (scope: the hierarchy's first
 * root), in dir. */
static store_t *s_store(const char *dir)
{
	Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT;
	const identity_t *id = fuzz_identity();
	const int *roots;
	store_t *st = NULL;
	MDB_txn *txn = NULL;
	char err[512];

	if (hier_children(fuzz_hier(), -1, &roots) == 0)
		fuzz_die("the sample hierarchy has no root");
	if (aggstore_open(dir, S_MAP_SIZE, 0, &st, err, sizeof(err)) < 0)
		fuzz_die("aggstore_open: %s", err);
	rec.node_id = (char *)FUZZ_SIGNER;
	rec.sign_public.data = (uint8_t *)id->pub.sign_pk;
	rec.sign_public.len = 32;
	rec.curve_public.data = (uint8_t *)id->pub.curve_pk;
	rec.curve_public.len = 32;
	rec.scope = (char *)hier_unit(fuzz_hier(), roots[0])->code;
	if (store_begin(st, true, &txn) < 0 || agg_node_put(st, txn, &rec, false) < 0 ||
	    store_commit(&txn) < 0)
		fuzz_die("cannot enroll %s", FUZZ_SIGNER);
	return st;
}

static void s_check(const s_batch_t *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const ingest_item_t *it = &b->items[i];

		fuzz_note("item %zu: %s %s%s", i, it->verdict == INGEST_ACK ? "ACK" : "NACK",
			  it->verdict == INGEST_NACK ? it->detail : it->note,
			  it->duplicate ? " (duplicate)" : "");
		if (it->verdict != INGEST_ACK && it->verdict != INGEST_NACK)
			fuzz_die("item %zu has no verdict", i);
		if (it->verdict == INGEST_NACK &&
		    (it->reason <= 0 || it->reason > LNOB__NACK_REASON__NACK_NOT_REQUESTED ||
		     !it->detail[0]))
			fuzz_die("item %zu: NACK reason %d, detail '%s'", i, it->reason, it->detail);
		if (strcmp(it->signer, FUZZ_SIGNER) != 0 || it->seq != i + 1)
			fuzz_die("item %zu names (%s, %llu)", i, it->signer,
				 (unsigned long long)it->seq);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ingest_ctx_t ctx;
	s_batch_t b;
	char dir[4096 + 16];
	int r;

	s_split(data, size, &b);
	if (b.n == 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s/store", fuzz_dir());
	memset(&ctx, 0, sizeof(ctx));
	ctx.st = s_store(dir);
	ctx.hier = fuzz_hier();
	ctx.max_body = 65536;
	ctx.campaigns = fuzz_campaigns();
	r = ingest_batch(&ctx, b.items, b.n);
	if (r < 0)
		fuzz_die("ingest_batch failed: %d", r);
	s_check(&b);
	store_destroy(&ctx.st);
	fuzz_rmtree(dir);
	for (size_t i = 0; i < b.n; i++)
		free(b.env[i]);
	return 0;
}
