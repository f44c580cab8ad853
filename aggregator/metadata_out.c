/* metadata_out.c: the metadata bundles the aggregator sends down (see
 * metadata_out.h). */
#include "metadata_out.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "aggstore.h"
#include "aggstore_metadata.h"
#include "lnob_err.h"
#include "log.h"
#include "metadata.h"
#include "requests.h"
#include "util.h"

/* Scopes whose bundles are kept (the rest are built each time). */
#define S_CACHE 64

/* One scope's bundle, signed. */
typedef struct s_bundle {
	int scope;              /* hierarchy index */
	uint8_t *body;
	size_t len;
	uint8_t sig[64];
	bool too_large;         /* over max_frame: logged once, never sent */
} s_bundle_t;

struct metaout {
	store_t *st;
	const hier_t *hier;
	campaigns_t *camps;
	uint64_t gen;             /* the store's metadata_gen this version was built at */
	int64_t next_check;       /* monotonic ms */
	const identity_t *id;
	const identity_pub_t *next;   /* the next keys announced, NULL: none */
	size_t max_frame;
	uint64_t version;
	int64_t issued_at;
	metadata_node_t *nodes;   /* unrevoked enrolled nodes at start (strings owned) */
	size_t nnodes, nodes_cap;
	s_bundle_t cache[S_CACHE];
	size_t n;
};

/* keydir_fn: an unrevoked node with a scope into self->nodes. */
static int s_node(void *ctx, const keydir_node_t *node)
{
	metaout_t *self = ctx;
	metadata_node_t *v;

	if (node->revoked || !node->scope[0])
		return 0;
	if (self->nnodes == self->nodes_cap) {
		size_t cap = self->nodes_cap ? self->nodes_cap * 2 : 16;

		if (!(v = realloc(self->nodes, cap * sizeof(*v))))
			return -ENOMEM;
		self->nodes = v;
		self->nodes_cap = cap;
	}
	v = &self->nodes[self->nnodes];
	v->node_id = strdup(node->pub.node_id);
	v->scope = strdup(node->scope);
	if (!v->node_id || !v->scope) {
		free((char *)v->node_id);
		free((char *)v->scope);
		return -ENOMEM;
	}
	self->nnodes++;
	return 0;
}

/* Reads the enrolled nodes. Returns 0 or a code (logged). */
static int s_nodes(metaout_t *self)
{
	MDB_txn *txn = NULL;
	int r;

	if ((r = store_begin(self->st, false, &txn)) == 0)
		r = agg_node_foreach(self->st, txn, s_node, self);
	store_abort(&txn);
	if (r < 0)
		log_warnx("metadata: reading the enrolled nodes: %s", lnob_strerror(r));
	return r;
}

/* The digest of the whole bundle into *ret. Returns 0 or a code (logged). */
static int s_digest(const metaout_t *self, uint64_t *ret)
{
	uint8_t *body, h[crypto_generichash_BYTES];
	size_t len;
	char err[1024];
	int r;

	if ((r = metadata_body_build(self->hier, -1, self->camps, self->nodes, self->nnodes,
				     self->next, &body, &len, err, sizeof(err))) < 0) {
		log_warnx("metadata: %s", err);
		return r;
	}
	crypto_generichash(h, sizeof(h), body, len, NULL, 0);
	free(body);
	*ret = lnob_be64_get(h);
	return 0;
}

/* Forgets the nodes and the bundles built. */
static void s_forget(metaout_t *self)
{
	for (size_t i = 0; i < self->n; i++)
		free(self->cache[i].body);
	self->n = 0;
	for (size_t i = 0; i < self->nnodes; i++) {
		free((char *)self->nodes[i].node_id);
		free((char *)self->nodes[i].scope);
	}
	self->nnodes = 0;
}

/* Reads, and on a change records, the version. Returns 0 or a code. */
static int s_version(metaout_t *self)
{
	uint64_t digest;
	MDB_txn *txn = NULL;
	int r;

	s_forget(self);
	if ((r = store_begin(self->st, false, &txn)) == 0)
		r = agg_metadata_gen(self->st, txn, &self->gen);
	store_abort(&txn);
	if (r < 0 || (r = s_nodes(self)) < 0 || (r = s_digest(self, &digest)) < 0)
		return r;
	if ((r = agg_metadata_version(self->st, digest, lnob_now_s(), &self->version)) < 0)
		log_warnx("metadata: recording its version in %s: %s", store_dir(self->st),
			  lnob_strerror(r));
	return r;
}

metaout_t *metaout_new(store_t *st, const hier_t *hier, campaigns_t *camps,
		       const identity_t *id, const identity_pub_t *next, size_t max_frame)
{
	metaout_t *self = calloc(1, sizeof(*self));

	if (!self) {
		log_warnx("out of memory");
		return NULL;
	}
	*self = (metaout_t){ .st = st, .hier = hier, .camps = camps, .id = id, .next = next,
			     .max_frame = max_frame < METADATA_FRAME_MAX ? max_frame
								  : METADATA_FRAME_MAX,
			     .issued_at = lnob_now_s(),
			     .next_check = lnob_mono_ms() + METAOUT_CHECK_MS };
	if (s_version(self) < 0) {
		/* The store cannot write now: the server runs on, sending none. */
		log_warnx("metadata: none is sent during this run");
		self->version = 0;
		return self;
	}
	log_info("metadata: version %" PRIu64 " (%zu campaign(s), %zu units)", self->version,
		 camps ? camps->n : 0, hier_count(hier));
	return self;
}

void metaout_destroy(metaout_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	s_forget(*self_p);
	free((*self_p)->nodes);
	free(*self_p);
	*self_p = NULL;
}

/* Adds the requests stored since. Returns 0 or a code (logged). */
static int s_requests(metaout_t *self)
{
	MDB_txn *txn = NULL;
	size_t added = 0, skipped = 0;
	char why[1024];
	int r;

	if (!self->camps)
		return 0;
	if ((r = store_begin(self->st, false, &txn)) == 0)
		r = requests_apply(self->st, txn, self->camps, self->hier, &added, &skipped, why,
				   sizeof(why));
	store_abort(&txn);
	if (r < 0)
		log_warnx("metadata: reading the ad-hoc requests: %s", lnob_strerror(r));
	else if (skipped)
		log_warnx("metadata: %zu ad-hoc request(s) left out: %s", skipped, why);
	if (added)
		log_info("metadata: %zu new ad-hoc request(s)", added);
	return r;
}

void metaout_tick(metaout_t *self)
{
	uint64_t gen = 0, old;
	MDB_txn *txn = NULL;
	int r;

	if (!self || lnob_mono_ms() < self->next_check)
		return;
	self->next_check = lnob_mono_ms() + METAOUT_CHECK_MS;
	if ((r = store_begin(self->st, false, &txn)) == 0)
		r = agg_metadata_gen(self->st, txn, &gen);
	store_abort(&txn);
	if (r < 0 || gen == self->gen)
		return;
	old = self->version;
	if (s_requests(self) < 0)
		return;
	self->issued_at = lnob_now_s();
	if (s_version(self) < 0) {
		log_warnx("metadata: none is sent until the next change");
		self->version = 0;
		return;
	}
	if (self->version != old)
		log_info("metadata: version %" PRIu64 " (was %" PRIu64 ")", self->version, old);
}

uint64_t metaout_version(const metaout_t *self)
{
	return self->version;
}

/* The bundle of scope, built and signed when first asked for; NULL when it
 * cannot be (logged) or the cache is full. */
static s_bundle_t *s_bundle(metaout_t *self, int scope)
{
	s_bundle_t *b;
	char err[1024];

	for (size_t i = 0; i < self->n; i++)
		if (self->cache[i].scope == scope)
			return &self->cache[i];
	if (self->n == S_CACHE) {
		log_warnx("metadata: more than %d scopes; not sent to %s", S_CACHE,
			  hier_unit(self->hier, scope)->code);
		return NULL;
	}
	b = &self->cache[self->n];
	memset(b, 0, sizeof(*b));
	b->scope = scope;
	if (metadata_body_build(self->hier, scope, self->camps, self->nodes, self->nnodes,
				self->next, &b->body, &b->len, err, sizeof(err)) < 0 ||
	    metadata_sign(self->id, self->version, self->issued_at, b->body, b->len, b->sig) < 0) {
		log_warnx("metadata for %s: %s", hier_unit(self->hier, scope)->code, err);
		free(b->body);
		return NULL;
	}
	self->n++;
	return b;
}

/* The hierarchy index of node's enrolled scope, or -1. */
static int s_scope_of(metaout_t *self, const char *node_id)
{
	Lnob__NodeRecord *rec = NULL;
	MDB_txn *txn = NULL;
	int scope = -1;

	if (store_begin(self->st, false, &txn) == 0 &&
	    agg_node_get(self->st, txn, node_id, &rec) == 0 && rec->scope && !rec->revoked)
		scope = hier_find(self->hier, rec->scope);
	store_abort(&txn);
	if (rec)
		lnob__node_record__free_unpacked(rec, NULL);
	return scope;
}

void metaout_on_heartbeat(metaout_t *self, router_t *r, router_peer_t *p,
			  const Lnob__Heartbeat *hb)
{
	Lnob__Metadata m = LNOB__METADATA__INIT;
	Lnob__Frame f;
	int64_t now = lnob_mono_ms();
	s_bundle_t *b;
	int scope;

	if (!self || hb->metadata_version == 0 || hb->metadata_version >= self->version ||
	    !p->node_id[0] ||
	    !metadata_due(p->metadata_sent_ms, p->metadata_sent_version, self->version, now))
		return;
	p->metadata_sent_ms = now;
	p->metadata_sent_version = self->version;
	if ((scope = s_scope_of(self, p->node_id)) < 0 || !(b = s_bundle(self, scope)))
		return;
	lnob__frame__init(&f);
	m.version = self->version;
	m.issued_at = self->issued_at;
	m.issuer = (char *)self->id->pub.node_id;
	m.body = (ProtobufCBinaryData){ b->len, b->body };
	m.signature = (ProtobufCBinaryData){ 64, b->sig };
	f.msg_case = LNOB__FRAME__MSG_METADATA;
	f.metadata = &m;
	if (lnob__frame__get_packed_size(&f) > self->max_frame) {
		if (!b->too_large)
			log_warnx("metadata for %s: %zu bytes, over the %zu-byte limit: not sent",
				  hier_unit(self->hier, scope)->code, lnob__frame__get_packed_size(&f),
				  self->max_frame);
		b->too_large = true;
		return;
	}
	log_info("metadata: sending version %" PRIu64 " to %s (it holds %" PRIu64 ")",
		 self->version, p->node_id, hb->metadata_version);
	router_send(r, p, &f);
}
