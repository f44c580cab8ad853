/* aggstore.c: the aggregator's databases, keys, nodes and counters
 * (see aggstore.h). */
#include "aggstore.h"
#include "aggstore_int.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "identity.h"
#include "admit.h"
#include "aggstore_metadata.h"
#include "keydir.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

static const char *const s_dbs[AGG_DB_COUNT] = {
	"envelopes", "latest", "revisions", "rollups", "nodes",
	"curvekeys", "counters", "quarantine", "peers", "conflicts",
	"approvals", "amendments", "amendment_log",
	"nominations", "stages", "revision_bases", "tokens", "requests", "envelope_ids",
};

static const char *const s_counters[AGG_C_REJECTED_BASE] = {
	"stored", "duplicate", "quarantined", "conflict", "zap_denied", "store_failed",
};

const char *agg_counter_name(int c)
{
	static char names[AGG_C_COUNT][48];

	if (c < 0 || c >= AGG_C_COUNT)
		return "unknown";
	if (c < AGG_C_REJECTED_BASE)
		return s_counters[c];
	if (c == AGG_C_AMENDED)
		return "amended";
	if (c == AGG_C_DOWNSTREAM_IGNORED)
		return "downstream_ignored";
	if (!names[c][0])
		snprintf(names[c], sizeof(names[c]), "rejected_%s",
			 admit_reason_name(c - AGG_C_REJECTED_BASE));
	return names[c];
}

int aggstore_open(const char *dir, size_t map_size, unsigned flags, store_t **ret,
		  char *err, size_t errlen)
{
	return store_open(dir, AGG_SCHEMA, AGG_SCHEMA_VERSION, s_dbs, AGG_DB_COUNT,
			  map_size, flags, ret, err, errlen);
}

/* Appends a text part and its NUL; returns the new offset or 0 on overflow. */
static size_t s_part(uint8_t *out, size_t off, const char *s)
{
	size_t n = strlen(s);

	if (off + n + 1 > AGG_KEY_MAX)
		return 0;
	memcpy(out + off, s, n + 1);
	return off + n + 1;
}

size_t agg_key_envelope(uint8_t *out, const char *signer, uint64_t seq)
{
	size_t off = s_part(out, 0, signer);

	if (!off || off + 8 > AGG_KEY_MAX)
		return 0;
	lnob_be64_put(out + off, seq);
	return off + 8;
}

size_t agg_key_unit(uint8_t *out, const char *campaign, const char *period, const char *unit)
{
	size_t off = s_part(out, 0, campaign);

	if (off)
		off = s_part(out, off, period);
	if (off)
		off = s_part(out, off, unit);
	return off ? off - 1 : 0;   /* no trailing NUL */
}

int agg_counters_load(store_t *st, MDB_txn *txn, uint64_t c[AGG_C_COUNT])
{
	for (int i = 0; i < AGG_C_COUNT; i++) {
		const char *name = agg_counter_name(i);
		MDB_val v;
		int r = store_get(txn, store_dbi(st, AGG_DB_COUNTERS), name, strlen(name), &v);

		if (r == LNOB_E_NOTFOUND) {
			c[i] = 0;
			continue;
		}
		if (r < 0)
			return r;
		if (v.mv_size != 8)
			return LNOB_E_CORRUPT;
		c[i] = lnob_be64_get(v.mv_data);
	}
	return 0;
}

int agg_counters_save(store_t *st, MDB_txn *txn, const uint64_t c[AGG_C_COUNT])
{
	for (int i = 0; i < AGG_C_COUNT; i++) {
		const char *name = agg_counter_name(i);
		uint8_t b[8];
		int r;

		lnob_be64_put(b, c[i]);
		r = store_put(txn, store_dbi(st, AGG_DB_COUNTERS), name, strlen(name), b, 8, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The key directory of the store: "nodes" and "curvekeys" (keydir.h). */
static keydir_t s_keydir(store_t *st)
{
	keydir_t kd = { store_dbi(st, AGG_DB_NODES), store_dbi(st, AGG_DB_CURVEKEYS) };

	return kd;
}

int agg_node_foreach(store_t *st, MDB_txn *txn, keydir_fn fn, void *ctx)
{
	keydir_t kd = s_keydir(st);

	return keydir_foreach(txn, &kd, KEYDIR_SKIP_CORRUPT, fn, ctx);
}

int agg_node_get(store_t *st, MDB_txn *txn, const char *node_id, Lnob__NodeRecord **ret)
{
	keydir_t kd = s_keydir(st);

	return keydir_record(txn, &kd, node_id, ret);
}

int agg_node_by_curve(store_t *st, MDB_txn *txn, const uint8_t curve_pk[32], char *ret_id)
{
	keydir_t kd = s_keydir(st);

	return keydir_id_by_curve(txn, &kd, curve_pk, ret_id);
}

int agg_node_put(store_t *st, MDB_txn *txn, const Lnob__NodeRecord *rec, bool replace)
{
	keydir_t kd = s_keydir(st);
	keydir_node_t n;
	int r;

	if (keydir_from_record(rec, &n) < 0)
		return LNOB_E_INVALID;
	r = keydir_put(txn, &kd, &n, replace);
	if (r == 0)   /* the bundles list the nodes: publish anew */
		r = agg_metadata_gen_bump(st, txn);
	return r == -EINVAL ? LNOB_E_INVALID : r;
}

int agg_node_rotate(store_t *st, MDB_txn *txn, const identity_pub_t *pub, int64_t grace_s,
		    int64_t now_s)
{
	keydir_t kd = s_keydir(st);
	keydir_node_t n;
	int r;

	memset(&n, 0, sizeof(n));
	n.pub = *pub;
	r = keydir_rotate(txn, &kd, &n, grace_s, now_s);
	return r == -EINVAL ? LNOB_E_INVALID : r;
}

/* The rollup a unit's own current report alone makes (each value carried
 * by 1, units_reported 1), unpacked (caller frees); from lr's values. */
static int s_rollup_of(const Lnob__LatestRecord *lr, Lnob__RollupRecord **ret)
{
	Lnob__RollupRecord rec = LNOB__ROLLUP_RECORD__INIT;
	ProtobufCMessage *m = NULL;
	sums_t s = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = sums_replace(&s, NULL, 0, lr->values, lr->n_values, NULL);

	rec.sums = s.v;
	rec.n_sums = s.n;
	rec.units = s.units;
	rec.n_units = s.n;
	rec.units_reported = 1;
	if (r == 0)
		r = codec_pack(&rec.base, &buf, &len);
	if (r == 0 && codec_unpack(&lnob__rollup_record__descriptor, buf, len, SIZE_MAX, &m) < 0)
		r = LNOB_E_CORRUPT;
	free(buf);
	sums_clear(&s);
	if (r == 0)
		*ret = (Lnob__RollupRecord *)m;
	return r == LNOB_E_OVERFLOW ? LNOB_E_CORRUPT : r;
}

int agg_rollup_of_latest(const Lnob__LatestRecord *lr, Lnob__RollupRecord **ret)
{
	MDB_val none = { 0, NULL };
	ProtobufCMessage *m;

	if (lr)
		return s_rollup_of(lr, ret);
	if (agg_msg_unpack(&none, &lnob__rollup_record__descriptor, &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__RollupRecord *)m;
	return 0;
}

int agg_rollup_stored(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		      const char *unit, Lnob__RollupRecord **ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);
	MDB_val v = { 0, NULL };
	ProtobufCMessage *m;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	if ((r = store_get(txn, store_dbi(st, AGG_DB_ROLLUPS), key, klen, &v)) < 0)
		return r;
	if (agg_msg_unpack(&v, &lnob__rollup_record__descriptor, &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__RollupRecord *)m;
	return 0;
}

int agg_rollup_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, Lnob__RollupRecord **ret)
{
	Lnob__LatestRecord *lr = NULL;
	int r = agg_rollup_stored(st, txn, campaign, period, unit, ret);

	if (r != LNOB_E_NOTFOUND)
		return r;
	/* the unit's own report alone, or nothing */
	r = agg_latest_load(st, txn, campaign, period, unit, AGG_LATEST_VALUES, &lr);
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	r = agg_rollup_of_latest(lr, ret);
	if (lr)
		lnob__latest_record__free_unpacked(lr, NULL);
	return r;
}

size_t agg_key_revision(uint8_t *out, const char *campaign, const char *period,
			const char *unit, uint32_t revision, const char *signer, uint64_t seq)
{
	size_t off = agg_key_unit(out, campaign, period, unit), n;

	if (!off || off + 1 + 4 + 1 > AGG_KEY_MAX)
		return 0;
	out[off++] = 0;
	lnob_be32_put(out + off, revision);
	off += 4;
	out[off++] = 0;
	n = strlen(signer);
	if (off + n + 1 + 8 > AGG_KEY_MAX)
		return 0;
	memcpy(out + off, signer, n + 1);
	off += n + 1;
	lnob_be64_put(out + off, seq);
	return off + 8;
}

size_t agg_key_revbase(uint8_t *out, const char *campaign, const char *period,
		       const char *unit, uint32_t base, uint32_t revision, const char *signer,
		       uint64_t seq)
{
	size_t off = agg_key_unit(out, campaign, period, unit), n = strlen(signer);

	if (!off || off + 1 + 8 + n + 1 + 8 > AGG_KEY_MAX)
		return 0;
	out[off++] = 0;
	lnob_be32_put(out + off, base);
	lnob_be32_put(out + off + 4, revision);
	off += 8;
	memcpy(out + off, signer, n + 1);
	off += n + 1;
	lnob_be64_put(out + off, seq);
	return off + 8;
}

int agg_msg_unpack(const MDB_val *v, const ProtobufCMessageDescriptor *d, ProtobufCMessage **ret)
{
	if (codec_unpack(d, v->mv_size ? v->mv_data : (const uint8_t *)"", v->mv_size, SIZE_MAX,
			 ret) < 0)
		return LNOB_E_CORRUPT;
	return 0;
}

int agg_msg_get(store_t *st, MDB_txn *txn, int db, const void *key, size_t klen,
		const ProtobufCMessageDescriptor *d, ProtobufCMessage **ret)
{
	MDB_val v;
	int r = klen ? store_get(txn, store_dbi(st, (size_t)db), key, klen, &v) : LNOB_E_INVALID;

	return r < 0 ? r : agg_msg_unpack(&v, d, ret);
}

int agg_msg_put(store_t *st, MDB_txn *txn, int db, const void *key, size_t klen,
		const ProtobufCMessage *msg, unsigned flags)
{
	uint8_t *buf = NULL;
	size_t len;
	int r = klen ? codec_pack(msg, &buf, &len) : LNOB_E_INVALID;

	if (r == 0)
		r = store_put(txn, store_dbi(st, (size_t)db), key, klen, buf, len, flags);
	free(buf);
	return r;
}

/* Packs msg and puts it under the unit key in db. */
static int s_unit_put(store_t *st, MDB_txn *txn, int db, const ProtobufCMessage *msg,
		      const char *campaign, const char *period, const char *unit)
{
	uint8_t key[AGG_KEY_MAX];

	return agg_msg_put(st, txn, db, key, agg_key_unit(key, campaign, period, unit), msg, 0);
}

int agg_rollup_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, const sums_t *s, uint32_t units_reported)
{
	Lnob__RollupRecord rec = LNOB__ROLLUP_RECORD__INIT;

	rec.sums = s->v;
	rec.n_sums = s->n;
	rec.units = s->units;
	rec.n_units = s->n;
	rec.units_reported = units_reported;
	return s_unit_put(st, txn, AGG_DB_ROLLUPS, &rec.base, campaign, period, unit);
}

int agg_rollup_save(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		    const char *unit, const sums_t *s, uint32_t units_reported)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);
	MDB_val v;
	int r = units_reported == 1 && klen
			? store_get(txn, store_dbi(st, AGG_DB_LATEST), key, klen, &v)
			: LNOB_E_NOTFOUND;

	if (r == 0) {   /* the unit's own report alone: agg_rollup_get() derives it */
		r = store_del(txn, store_dbi(st, AGG_DB_ROLLUPS), key, klen);
		return r == LNOB_E_NOTFOUND ? 0 : r;
	}
	if (r != LNOB_E_NOTFOUND)
		return r;
	return agg_rollup_put(st, txn, campaign, period, unit, s, units_reported);
}

/* True when rec's first report is its current revision (schema 4 then
 * leaves first_* out: see LatestRecord in lnob.proto). */
static bool s_first_is_current(const Lnob__LatestRecord *rec)
{
	return rec->first_seq == rec->seq && strcmp(rec->first_signer, rec->signer) == 0 &&
	       rec->first_revision == rec->revision &&
	       rec->first_completed_at == rec->completed_at &&
	       rec->first_received_at == rec->received_at;
}

int agg_latest_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, const Lnob__LatestRecord *rec)
{
	Lnob__LatestRecord c = *rec;

	/* what the current revision's envelope says: agg_latest_get() reads
	 * it from there */
	c.values = NULL;
	c.n_values = 0;
	c.completed_at = 0;
	c.content.data = NULL;
	c.content.len = 0;
	if (s_first_is_current(rec)) {   /* the reader fills them in */
		c.first_signer = (char *)"";
		c.first_seq = 0;
		c.first_revision = 0;
		c.first_completed_at = 0;
		c.first_received_at = 0;
	}
	return s_unit_put(st, txn, AGG_DB_LATEST, &c.base, campaign, period, unit);
}

int agg_conflict_put(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, const agg_history_t *h, int64_t detected_at)
{
	Lnob__ConflictRecord rec = LNOB__CONFLICT_RECORD__INIT;
	Lnob__ConflictMember *mem;
	Lnob__ConflictMember **memp;
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit), k = 0;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	if (!h) {
		r = store_del(txn, store_dbi(st, AGG_DB_CONFLICTS), key, klen);
		return r == LNOB_E_NOTFOUND ? 0 : r;
	}
	mem = calloc(h->n ? h->n : 1, sizeof(*mem));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	memp = calloc(h->n ? h->n : 1, sizeof(*memp));
	if (!mem || !memp) {
		free(mem);
		free(memp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < h->n; i++) {
		if (!h->v[i].member)
			continue;
		lnob__conflict_member__init(&mem[k]);
		mem[k].signer = (char *)h->v[i].signer;
		mem[k].seq = h->v[i].seq;
		mem[k].revision = h->v[i].revision;
		mem[k].base_revision = h->v[i].base_revision;
		memp[k] = &mem[k];
		k++;
	}
	rec.members = memp;
	rec.n_members = k;
	rec.detected_at = detected_at;
	r = s_unit_put(st, txn, AGG_DB_CONFLICTS, &rec.base, campaign, period, unit);
	free(mem);
	free(memp);
	return r;
}

/* Reads and unpacks one record of db under the unit key. */
static int s_unit_get(store_t *st, MDB_txn *txn, int db, const ProtobufCMessageDescriptor *d,
		      const char *campaign, const char *period, const char *unit,
		      ProtobufCMessage **ret)
{
	uint8_t key[AGG_KEY_MAX];

	return agg_msg_get(st, txn, db, key, agg_key_unit(key, campaign, period, unit), d, ret);
}

/* Fills in from the current revision's report rep what schema 4 leaves
 * out of a stored LatestRecord: values, completed_at and, for a history
 * of one revision and when content is asked, content (taking rep's values
 * over). */
static int s_latest_from_report(Lnob__LatestRecord *lr, Lnob__Report *rep, bool content)
{
	uint8_t *d;
	int r;

	if (rep->revision != lr->revision || rep->base_revision != lr->base_revision)
		return LNOB_E_CORRUPT;   /* the record names another revision */
	if (content && lr->revisions == 1 && lr->content.len == 0) {
		if (!(d = malloc(32)))
			return -ENOMEM;
		if ((r = report_content_digest(rep, d)) < 0) {
			free(d);
			return r;
		}
		lr->content.data = d;   /* freed with lr */
		lr->content.len = 32;
	}
	lr->completed_at = rep->completed_at;
	lr->values = rep->values;   /* taken over: freed with lr */
	lr->n_values = rep->n_values;
	rep->values = NULL;
	rep->n_values = 0;
	return 0;
}

/* Fills in what schema 4 leaves out of a stored LatestRecord: with values,
 * what the current revision's envelope says (s_latest_from_report()),
 * unless the record was written whole (it has values); then first_* when
 * the first report is the current revision (empty first_signer). */
static int s_latest_fill(store_t *st, MDB_txn *txn, Lnob__LatestRecord *lr, unsigned fill)
{
	Lnob__Report *rep = NULL;
	char *first;
	int r;

	if ((fill & AGG_LATEST_VALUES) && lr->n_values == 0) {
		r = agg_envelope_report(st, txn, lr->signer, lr->seq, &rep, NULL);
		if (r < 0)
			return r;
		r = s_latest_from_report(lr, rep, fill & AGG_LATEST_CONTENT);
		lnob__report__free_unpacked(rep, NULL);
		if (r < 0)
			return r;
	}
	if (!lr->first_signer[0]) {
		if (!(first = strdup(lr->signer)))
			return -ENOMEM;
		lr->first_signer = first;   /* freed with lr (not the default "") */
		lr->first_seq = lr->seq;
		lr->first_revision = lr->revision;
		lr->first_completed_at = lr->completed_at;
		lr->first_received_at = lr->received_at;
	}
	return 0;
}

int agg_latest_load(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		    const char *unit, unsigned fill, Lnob__LatestRecord **ret)
{
	Lnob__LatestRecord *lr = NULL;
	int r = s_unit_get(st, txn, AGG_DB_LATEST, &lnob__latest_record__descriptor, campaign,
			   period, unit, (ProtobufCMessage **)&lr);

	if (r < 0)
		return r;
	if ((r = s_latest_fill(st, txn, lr, fill)) < 0) {
		lnob__latest_record__free_unpacked(lr, NULL);
		return r;
	}
	*ret = lr;
	return 0;
}

int agg_latest_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		   const char *unit, Lnob__LatestRecord **ret)
{
	return agg_latest_load(st, txn, campaign, period, unit,
			       AGG_LATEST_VALUES | AGG_LATEST_CONTENT, ret);
}

int agg_conflict_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, Lnob__ConflictRecord **ret)
{
	return s_unit_get(st, txn, AGG_DB_CONFLICTS, &lnob__conflict_record__descriptor, campaign,
			  period, unit, (ProtobufCMessage **)ret);
}

int agg_key_split(const MDB_val *k, char *buf, const char **c, const char **p, const char **u)
{
	char *a, *b;

	if (k->mv_size == 0 || k->mv_size > AGG_KEY_MAX)
		return LNOB_E_CORRUPT;
	memcpy(buf, k->mv_data, k->mv_size);
	buf[k->mv_size] = '\0';
	a = memchr(buf, '\0', k->mv_size);
	if (!a || a + 1 >= buf + k->mv_size)
		return LNOB_E_CORRUPT;
	b = memchr(a + 1, '\0', (size_t)(buf + k->mv_size - (a + 1)));
	if (!b || !b[1])
		return LNOB_E_CORRUPT;
	*c = buf;
	*p = a + 1;
	*u = b + 1;
	return 0;
}
