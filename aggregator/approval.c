/* approval.c: approvals, the amendment queue and its decisions, and their
 * CLI (see approval.h). */
#include "approval.h"

#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "campaign.h"
#include "codec.h"
#include "envelope.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

static int s_mdb(int r)
{
	return r > 0 ? -r : r;
}

/* The queue key: campaign \0 period \0 approved \0 signer \0 seq(8).
 * Returns its length, 0 when the parts do not fit AGG_KEY_MAX. */
static size_t s_key_amendment(uint8_t *out, const char *campaign, const char *period,
			      const char *approved, const char *signer, uint64_t seq)
{
	size_t off = agg_key_unit(out, campaign, period, approved), n = strlen(signer);

	if (!off || off + 1 + n + 1 + 8 > AGG_KEY_MAX)
		return 0;
	out[off++] = 0;
	memcpy(out + off, signer, n + 1);
	off += n + 1;
	lnob_be64_put(out + off, seq);
	return off + 8;
}

static int s_unpack(const ProtobufCMessageDescriptor *d, const MDB_val *v, ProtobufCMessage **ret)
{
	if (codec_unpack(d, v->mv_size ? v->mv_data : (const uint8_t *)"", v->mv_size, SIZE_MAX,
			 ret) < 0)
		return LNOB_E_CORRUPT;
	return 0;
}

/* Packs msg and puts it under key in db. */
static int s_put(store_t *st, MDB_txn *txn, int db, const uint8_t *key, size_t klen,
		 const ProtobufCMessage *msg, unsigned flags)
{
	uint8_t *buf = NULL;
	size_t len;
	int r = codec_pack(msg, &buf, &len);

	if (r == 0)
		r = store_put(txn, store_dbi(st, (size_t)db), key, klen, buf, len, flags);
	free(buf);
	return r;
}

int approval_get(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		 const char *unit, Lnob__ApprovalRecord **ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);
	MDB_val v;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	r = store_get(txn, store_dbi(st, AGG_DB_APPROVALS), key, klen, &v);
	if (r < 0)
		return r;
	return s_unpack(&lnob__approval_record__descriptor, &v, (ProtobufCMessage **)ret);
}

int approval_covering(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		      const char *period, int unit, int *ret_unit)
{
	for (int u = unit; u >= 0; u = hier_unit(hier, u)->parent) {
		uint8_t key[AGG_KEY_MAX];
		size_t klen = agg_key_unit(key, campaign, period, hier_unit(hier, u)->code);
		MDB_val v;
		int r;

		if (!klen)
			return LNOB_E_INVALID;
		r = store_get(txn, store_dbi(st, AGG_DB_APPROVALS), key, klen, &v);
		if (r == 0) {
			*ret_unit = u;
			return 0;
		}
		if (r != LNOB_E_NOTFOUND)
			return r;
	}
	return LNOB_E_NOTFOUND;
}

int approval_hold(store_t *st, MDB_txn *txn, const hier_t *hier, const Lnob__Report *rep,
		  int unit, const char *signer, uint64_t seq, int64_t received_at, char *note,
		  size_t notelen)
{
	Lnob__AmendmentRecord rec = LNOB__AMENDMENT_RECORD__INIT;
	uint8_t key[AGG_KEY_MAX];
	size_t klen;
	int au = -1, r = approval_covering(st, txn, hier, rep->campaign, rep->period, unit, &au);

	if (r == LNOB_E_NOTFOUND)
		return 0;
	if (r < 0)
		return r;
	assert(au >= 0);
	rec.signer = (char *)signer;
	rec.seq = seq;
	rec.unit = rep->unit;
	rec.revision = rep->revision;
	rec.base_revision = rep->base_revision;
	rec.received_at = received_at;
	rec.approved_unit = (char *)hier_unit(hier, au)->code;
	rec.campaign = rep->campaign;
	rec.period = rep->period;
	klen = s_key_amendment(key, rep->campaign, rep->period, rec.approved_unit, signer, seq);
	if (!klen)
		return LNOB_E_INVALID;
	r = s_put(st, txn, AGG_DB_AMENDMENTS, key, klen, &rec.base, 0);
	if (r < 0)
		return r;
	snprintf(note, notelen, "report %s/%s/%s rev %u by %s #%llu held as an amendment: "
		 "%s/%s is approved for %s; its approver accepts or rejects it "
		 "(lnob-aggregator amendments)", rep->campaign, rep->period, rep->unit,
		 rep->revision, signer, (unsigned long long)seq, rep->campaign, rep->period,
		 rec.approved_unit);
	return 1;
}

int approval_approve(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, const char *by, const char *note, int64_t now)
{
	Lnob__ApprovalRecord rec = LNOB__APPROVAL_RECORD__INIT, *old = NULL;
	Lnob__RollupRecord *roll = NULL;
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	r = approval_get(st, txn, campaign, period, unit, &old);
	if (r == 0) {
		lnob__approval_record__free_unpacked(old, NULL);
		return LNOB_E_EXISTS;
	}
	if (r != LNOB_E_NOTFOUND)
		return r;
	r = agg_rollup_get(st, txn, campaign, period, unit, &roll);
	if (r < 0)
		return r;
	rec.by = (char *)by;
	rec.note = (char *)(note ? note : "");
	rec.approved_at = now;
	rec.rollup = roll;
	r = s_put(st, txn, AGG_DB_APPROVALS, key, klen, &rec.base, MDB_NOOVERWRITE);
	lnob__rollup_record__free_unpacked(roll, NULL);
	return r;
}

/* Counts the entries of db whose key starts with prefix[0..plen-1]. */
static int s_count_prefix(store_t *st, MDB_txn *txn, int db, const uint8_t *prefix,
			  size_t plen, size_t *ret)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	size_t n = 0;
	int r, mr;

	if ((r = mdb_cursor_open(txn, store_dbi(st, (size_t)db), &cur)) != 0)
		return s_mdb(r);
	k.mv_data = (void *)prefix;
	k.mv_size = plen;
	for (mr = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		n++;
	}
	mdb_cursor_close(cur);
	if (mr != 0 && mr != MDB_NOTFOUND)
		return s_mdb(mr);
	*ret = n;
	return 0;
}

/* How many amendments wait under the approval of (campaign, period, unit). */
static int s_pending(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		     const char *unit, size_t *ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit);

	if (!klen || klen + 1 > AGG_KEY_MAX)
		return LNOB_E_INVALID;
	key[klen++] = 0;
	return s_count_prefix(st, txn, AGG_DB_AMENDMENTS, key, klen, ret);
}

int approval_revoke(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		    const char *unit, size_t *ret_pending)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign, period, unit), pending = 0;
	MDB_val v;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	r = store_get(txn, store_dbi(st, AGG_DB_APPROVALS), key, klen, &v);
	if (r == 0)
		r = s_pending(st, txn, campaign, period, unit, &pending);
	if (r < 0)
		return r;
	if (ret_pending)
		*ret_pending = pending;
	if (pending)
		return LNOB_E_EXISTS;
	return store_del(txn, store_dbi(st, AGG_DB_APPROVALS), key, klen);
}

/* Finds the queued amendment (signer, seq): its key into key and *ret_klen
 * and its record (caller frees). Returns 0, LNOB_E_NOTFOUND or an error. */
static int s_find(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq, uint8_t *key,
		  size_t *ret_klen, Lnob__AmendmentRecord **ret)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r, mr;

	if ((r = mdb_cursor_open(txn, store_dbi(st, AGG_DB_AMENDMENTS), &cur)) != 0)
		return s_mdb(r);
	r = LNOB_E_NOTFOUND;
	for (mr = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Lnob__AmendmentRecord *rec;

		if (s_unpack(&lnob__amendment_record__descriptor, &v, (ProtobufCMessage **)&rec) < 0 ||
		    k.mv_size > AGG_KEY_MAX) {
			r = LNOB_E_CORRUPT;
			break;
		}
		if (rec->seq == seq && strcmp(rec->signer, signer) == 0) {
			memcpy(key, k.mv_data, k.mv_size);
			*ret_klen = k.mv_size;
			*ret = rec;
			r = 0;
			break;
		}
		lnob__amendment_record__free_unpacked(rec, NULL);
	}
	mdb_cursor_close(cur);
	if (r == LNOB_E_NOTFOUND && mr != MDB_NOTFOUND)
		r = s_mdb(mr);
	return r;
}

/* Reads the report of envelope (signer, seq) from the log, with the
 * digest of its meaning (report_content_digest()) into hash (may be
 * NULL). Caller frees *ret. */
static int s_report(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		    uint8_t hash[32], Lnob__Report **ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_envelope(key, signer, seq);
	Lnob__Envelope *env = NULL;
	ProtobufCMessage *m;
	MDB_val v;
	int r;

	if (!klen)
		return LNOB_E_INVALID;
	r = store_get(txn, store_dbi(st, AGG_DB_ENVELOPES), key, klen, &v);
	if (r == LNOB_E_NOTFOUND)
		return LNOB_E_CORRUPT;   /* the queue names an envelope the log lacks */
	if (r < 0)
		return r;
	if (envelope_open(v.mv_data, v.mv_size, SIZE_MAX / 2, &env) < 0)
		return LNOB_E_CORRUPT;
	r = codec_unpack(&lnob__report__descriptor, env->body.len ? env->body.data : (const uint8_t *)"",
			 env->body.len, SIZE_MAX, &m);
	lnob__envelope__free_unpacked(env, NULL);
	if (r < 0)
		return LNOB_E_CORRUPT;
	if (hash && (r = report_content_digest((Lnob__Report *)m, hash)) < 0) {
		protobuf_c_message_free_unpacked(m, NULL);
		return r;
	}
	*ret = (Lnob__Report *)m;
	return 0;
}

/* Moves the queued amendment (key, rec) to the decision log. */
static int s_decide(store_t *st, MDB_txn *txn, const uint8_t *key, size_t klen,
		    Lnob__AmendmentRecord *rec, bool accepted, const char *by, const char *reason,
		    int64_t now)
{
	Lnob__AmendmentDecision d = LNOB__AMENDMENT_DECISION__INIT;
	int r;

	d.amendment = rec;
	d.accepted = accepted;
	d.by = (char *)by;
	d.reason = (char *)(reason ? reason : "");
	d.decided_at = now;
	r = s_put(st, txn, AGG_DB_AMENDMENT_LOG, key, klen, &d.base, 0);
	if (r == 0)
		r = store_del(txn, store_dbi(st, AGG_DB_AMENDMENTS), key, klen);
	return r;
}

int amendment_accept(ingest_ctx_t *ctx, MDB_txn *txn, const char *signer, uint64_t seq,
		     const char *by, const char *note, int64_t now, ingest_item_t *ret_item)
{
	Lnob__AmendmentRecord *rec = NULL;
	Lnob__Report *rep = NULL;
	ingest_item_t it;
	uint8_t key[AGG_KEY_MAX];
	size_t klen = 0;
	int unit = -1, r = s_find(ctx->st, txn, signer, seq, key, &klen, &rec);

	if (r < 0)
		return r;
	assert(rec);
	r = s_report(ctx->st, txn, signer, seq, NULL, &rep);
	if (r == 0 && (strcmp(rep->unit, rec->unit) != 0 || rep->revision != rec->revision ||
		       strcmp(rep->campaign, rec->campaign) != 0 ||
		       strcmp(rep->period, rec->period) != 0))
		r = LNOB_E_CORRUPT;
	if (r == 0 && (unit = hier_find(ctx->hier, rep->unit)) < 0)
		r = LNOB_E_HIER;
	memset(&it, 0, sizeof(it));
	lnob_strlcpy(it.signer, signer, sizeof(it.signer));
	it.seq = seq;
	it.verdict = INGEST_ACK;
	if (r == 0) {
		apply_out_t out;

		r = apply_report(ctx->st, txn, ctx->hier, rep, unit, signer, seq, rec->received_at,
				 &out);
		it.conflict = out.conflict;
		it.resolved = out.resolved;
		snprintf(it.note, sizeof(it.note), "%s", r == 0 ? out.note : out.detail);
	}
	if (r == 0)
		r = s_decide(ctx->st, txn, key, klen, rec, true, by, note, now);
	if ((r == 0 || r == LNOB_E_OVERFLOW) && ret_item)
		*ret_item = it;   /* on overflow its note names the unit and indicator */
	if (rep)
		lnob__report__free_unpacked(rep, NULL);
	lnob__amendment_record__free_unpacked(rec, NULL);
	return r;
}

int amendment_reject(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		     const char *by, const char *reason, int64_t now)
{
	Lnob__AmendmentRecord *rec = NULL;
	uint8_t key[AGG_KEY_MAX];
	size_t klen = 0;
	int r = s_find(st, txn, signer, seq, key, &klen, &rec);

	if (r < 0)
		return r;
	r = s_decide(st, txn, key, klen, rec, false, by, reason, now);
	lnob__amendment_record__free_unpacked(rec, NULL);
	return r;
}

int amendments_pending_for(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
			   const char *unit, size_t *ret)
{
	uint8_t prefix[AGG_KEY_MAX];
	size_t plen = strlen(campaign) + 1 + strlen(period) + 1, n = 0;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r = 0, mr;

	if (plen > AGG_KEY_MAX)
		return LNOB_E_INVALID;
	memcpy(prefix, campaign, strlen(campaign) + 1);
	memcpy(prefix + strlen(campaign) + 1, period, strlen(period) + 1);
	if ((mr = mdb_cursor_open(txn, store_dbi(st, AGG_DB_AMENDMENTS), &cur)) != 0)
		return s_mdb(mr);
	k.mv_data = prefix;
	k.mv_size = plen;
	for (mr = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Lnob__AmendmentRecord *rec;

		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		if ((r = s_unpack(&lnob__amendment_record__descriptor, &v, (ProtobufCMessage **)&rec)) < 0)
			break;
		n += strcmp(rec->unit, unit) == 0;
		lnob__amendment_record__free_unpacked(rec, NULL);
	}
	mdb_cursor_close(cur);
	if (r == 0 && mr != 0 && mr != MDB_NOTFOUND)
		r = s_mdb(mr);
	if (r == 0)
		*ret = n;
	return r;
}

int amendment_key_parse(const char *s, char *ret_signer, uint64_t *ret_seq)
{
	const char *slash = strrchr(s, '/');
	char id[LNOB_ID_MAX + 1], *end;
	unsigned long long seq;
	size_t n;

	if (!slash || (n = (size_t)(slash - s)) == 0 || n > LNOB_ID_MAX)
		return LNOB_E_INVALID;
	memcpy(id, s, n);
	id[n] = '\0';
	if (!lnob_valid_id(id) || slash[1] < '0' || slash[1] > '9')
		return LNOB_E_INVALID;
	errno = 0;
	seq = strtoull(slash + 1, &end, 10);
	if (errno || *end || seq == 0)
		return LNOB_E_INVALID;
	memcpy(ret_signer, id, n + 1);
	*ret_seq = (uint64_t)seq;
	return 0;
}

/* ---- views ------------------------------------------------------------- */

/* {code: value} of vals[0..n-1]. */
static json_t *s_values(Lnob__IndicatorValue *const *vals, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, vals[i]->code, json_integer(report_value_of(vals[i])));
	return o;
}

static json_t *s_rollup_json(const Lnob__RollupRecord *r)
{
	if (!r)
		return json_pack("{s:i, s:o}", "units_reported", 0, "sums", json_object());
	return json_pack("{s:I, s:o}", "units_reported", (json_int_t)r->units_reported, "sums",
			 s_values(r->sums, r->n_sums));
}

/* One approval as JSON. */
static int s_approval_row(store_t *st, MDB_txn *txn, const MDB_val *k, const MDB_val *v,
			  json_t *list)
{
	char buf[AGG_KEY_MAX + 1];
	const char *c, *p, *u;
	Lnob__ApprovalRecord *rec = NULL;
	Lnob__RollupRecord *cur = NULL;
	size_t pending = 0;
	int r = agg_key_split(k, buf, &c, &p, &u);

	if (r == 0)
		r = s_unpack(&lnob__approval_record__descriptor, v, (ProtobufCMessage **)&rec);
	if (r == 0)
		r = agg_rollup_get(st, txn, c, p, u, &cur);
	if (r == 0)
		r = s_pending(st, txn, c, p, u, &pending);
	if (r == 0)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:I}",
			"campaign", c, "period", p, "unit", u, "by", rec->by, "note", rec->note,
			"approved_at", (json_int_t)rec->approved_at, "approved", s_rollup_json(rec->rollup),
			"current", s_rollup_json(cur), "pending_amendments", (json_int_t)pending));
	if (cur)
		lnob__rollup_record__free_unpacked(cur, NULL);
	if (rec)
		lnob__approval_record__free_unpacked(rec, NULL);
	return r;
}

int approvals_view(store_t *st, MDB_txn *txn, json_t **ret)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	json_t *list = json_array();
	int r = 0, mr;

	if ((mr = mdb_cursor_open(txn, store_dbi(st, AGG_DB_APPROVALS), &cur)) != 0) {
		json_decref(list);
		return s_mdb(mr);
	}
	for (mr = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		if ((r = s_approval_row(st, txn, &k, &v, list)) < 0)
			break;
	mdb_cursor_close(cur);
	if (r == 0 && mr != MDB_NOTFOUND)
		r = s_mdb(mr);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*ret = json_pack("{s:o}", "approvals", list);
	return *ret ? 0 : -ENOMEM;
}

static void s_print_sums(FILE *out, const json_t *roll)
{
	const char *code;
	json_t *x;

	fprintf(out, "units %lld", (long long)json_integer_value(json_object_get(roll, "units_reported")));
	json_object_foreach(json_object_get(roll, "sums"), code, x)
		fprintf(out, " %s=%lld", code, (long long)json_integer_value(x));
}

void approvals_print(FILE *out, const json_t *view)
{
	json_t *list = json_object_get(view, "approvals"), *a;
	char t[32];
	size_t i;

	fprintf(out, "%zu approval(s)\n", json_array_size(list));
	json_array_foreach(list, i, a) {
		const char *note = json_string_value(json_object_get(a, "note"));

		fprintf(out, "%s/%s unit %s approved by %s at %s; %lld amendment(s) pending%s%s\n",
			json_string_value(json_object_get(a, "campaign")),
			json_string_value(json_object_get(a, "period")),
			json_string_value(json_object_get(a, "unit")),
			json_string_value(json_object_get(a, "by")),
			lnob_utc_text(json_integer_value(json_object_get(a, "approved_at")), t, sizeof(t)),
			(long long)json_integer_value(json_object_get(a, "pending_amendments")),
			note && note[0] ? "; note: " : "", note ? note : "");
		fprintf(out, "    approved: ");
		s_print_sums(out, json_object_get(a, "approved"));
		fprintf(out, "\n    current:  ");
		s_print_sums(out, json_object_get(a, "current"));
		fputc('\n', out);
	}
}

/* The filter of amendments_view(). */
typedef struct s_filter {
	const hier_t *hier;
	const char *campaign, *period;
	int unit;
} s_filter_t;

/* What accepting rep (the envelope rec names, content digest) would do: whether
 * it becomes the current revision by THE RULES, judged on the unit's
 * history with it added. */
static int s_becomes_current(store_t *st, MDB_txn *txn, const Lnob__AmendmentRecord *rec,
			     const uint8_t hash[32], bool *ret)
{
	agg_history_t h;
	agg_rev_t x;
	int r = agg_history_load(st, txn, rec->campaign, rec->period, rec->unit, 0, &h);

	memset(&x, 0, sizeof(x));
	lnob_strlcpy(x.signer, rec->signer, sizeof(x.signer));
	x.seq = rec->seq;
	x.revision = rec->revision;
	x.base_revision = rec->base_revision;
	x.received_at = rec->received_at;
	memcpy(x.content, hash, sizeof(x.content));
	if (r == 0)
		r = agg_history_push(&h, &x);
	if (r == 0) {
		/* keep key order: revision, signer, seq */
		size_t i = h.n - 1;

		while (i > 0 && (h.v[i - 1].revision > x.revision ||
				 (h.v[i - 1].revision == x.revision &&
				  (strcmp(h.v[i - 1].signer, x.signer) > 0 ||
				   (strcmp(h.v[i - 1].signer, x.signer) == 0 && h.v[i - 1].seq > x.seq))))) {
			h.v[i] = h.v[i - 1];
			i--;
		}
		h.v[i] = x;
		agg_history_judge(&h);
		*ret = h.v[h.current].seq == x.seq && strcmp(h.v[h.current].signer, x.signer) == 0;
	}
	agg_history_clear(&h);
	return r;
}

/* {code: a - b} over the codes of either (absent counts as 0 here: a
 * difference); into *ret. Values are at most 10^15, so no overflow. */
static int s_difference(Lnob__IndicatorValue *const *a, size_t an, Lnob__IndicatorValue *const *b,
			size_t bn, json_t **ret)
{
	json_t *d = json_object();

	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < an; i++)
		json_object_set_new(d, a[i]->code, json_integer(report_value_of(a[i])));
	for (size_t i = 0; i < bn; i++) {
		json_t *x = json_object_get(d, b[i]->code);
		json_int_t v = x ? json_integer_value(x) : 0;

		json_object_set_new(d, b[i]->code, json_integer(v - report_value_of(b[i])));
	}
	*ret = d;
	return 0;
}

/* One amendment (queued, or decided with d) as JSON; filtered out rows
 * append nothing. */
static int s_amendment_row(store_t *st, MDB_txn *txn, const s_filter_t *f,
			   Lnob__AmendmentRecord *rec, const Lnob__AmendmentDecision *d, json_t *list)
{
	Lnob__Report *rep = NULL;
	Lnob__LatestRecord *lr = NULL;
	json_t *row, *current = json_null(), *diff = NULL, *change;
	uint8_t hash[32];
	char key[LNOB_ID_MAX + 32];
	bool becomes = false;
	int u, r;

	if ((f->campaign && strcmp(f->campaign, rec->campaign) != 0) ||
	    (f->period && strcmp(f->period, rec->period) != 0))
		return 0;
	u = hier_find(f->hier, rec->unit);
	if (f->unit >= 0 && (u < 0 || !hier_in_subtree(f->hier, f->unit, u)))
		return 0;
	r = s_report(st, txn, rec->signer, rec->seq, hash, &rep);
	if (r == 0) {
		r = agg_latest_get(st, txn, rec->campaign, rec->period, rec->unit, &lr);
		if (r == LNOB_E_NOTFOUND)
			r = 0;
	}
	if (r == 0)
		r = s_difference(rep->values, rep->n_values, lr ? lr->values : NULL,
				 lr ? lr->n_values : 0, &diff);
	if (r == 0 && !d)
		r = s_becomes_current(st, txn, rec, hash, &becomes);
	if (r < 0)
		goto out;
	if (lr)
		current = json_pack("{s:s, s:I, s:I, s:o}", "signer", lr->signer, "seq",
				    (json_int_t)lr->seq, "revision", (json_int_t)lr->revision,
				    "values", s_values(lr->values, lr->n_values));
	if (becomes)
		change = json_pack("{s:i, s:O}", "units_reported", lr ? 0 : 1, "sums", diff);
	else
		change = json_pack("{s:i, s:o}", "units_reported", 0, "sums", json_object());
	snprintf(key, sizeof(key), "%s/%llu", rec->signer, (unsigned long long)rec->seq);
	row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:s, s:o, s:o}",
			"key", key, "campaign", rec->campaign, "period", rec->period,
			"approved_unit", rec->approved_unit, "unit", rec->unit, "signer", rec->signer,
			"seq", (json_int_t)rec->seq, "revision", (json_int_t)rec->revision,
			"base_revision", (json_int_t)rec->base_revision,
			"completed_at", (json_int_t)rep->completed_at,
			"received_at", (json_int_t)rec->received_at,
			"values", s_values(rep->values, rep->n_values),
			"narrative", rep->narrative ? rep->narrative : "", "current", current,
			"difference", diff);
	diff = NULL;
	if (!row) {
		json_decref(change);
		r = -ENOMEM;
		goto out;
	}
	if (d) {
		json_decref(change);
		json_object_set_new(row, "decision", json_pack("{s:s, s:s, s:s, s:I}",
				    "decision", d->accepted ? "accepted" : "rejected", "by", d->by,
				    "reason", d->reason, "decided_at", (json_int_t)d->decided_at));
	} else {
		json_object_set_new(row, "becomes_current", json_boolean(becomes));
		json_object_set_new(row, "rollup_change", change);
	}
	json_array_append_new(list, row);
out:
	json_decref(diff);
	if (lr)
		lnob__latest_record__free_unpacked(lr, NULL);
	if (rep)
		lnob__report__free_unpacked(rep, NULL);
	return r;
}

int amendments_view(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		    const char *period, int unit, bool decided, json_t **ret)
{
	s_filter_t f = { hier, campaign, period, unit };
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	json_t *list = json_array();
	int r = 0, mr;

	mr = mdb_cursor_open(txn, store_dbi(st, decided ? AGG_DB_AMENDMENT_LOG : AGG_DB_AMENDMENTS),
			     &cur);
	if (mr != 0) {
		json_decref(list);
		return s_mdb(mr);
	}
	for (mr = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mr == 0 && r == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		ProtobufCMessage *m;

		if (decided) {
			Lnob__AmendmentDecision *d;

			if ((r = s_unpack(&lnob__amendment_decision__descriptor, &v, &m)) < 0)
				break;
			d = (Lnob__AmendmentDecision *)m;
			r = d->amendment ? s_amendment_row(st, txn, &f, d->amendment, d, list)
					 : LNOB_E_CORRUPT;
			lnob__amendment_decision__free_unpacked(d, NULL);
		} else {
			if ((r = s_unpack(&lnob__amendment_record__descriptor, &v, &m)) < 0)
				break;
			r = s_amendment_row(st, txn, &f, (Lnob__AmendmentRecord *)m, NULL, list);
			lnob__amendment_record__free_unpacked((Lnob__AmendmentRecord *)m, NULL);
		}
	}
	mdb_cursor_close(cur);
	if (r == 0 && mr != MDB_NOTFOUND)
		r = s_mdb(mr);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*ret = json_pack("{s:s, s:o}", "list", decided ? "decided" : "pending", "amendments", list);
	return *ret ? 0 : -ENOMEM;
}

static void s_print_values(FILE *out, const char *label, const json_t *vals, bool sign)
{
	const char *code;
	json_t *x;

	fprintf(out, "    %-10s", label);
	json_object_foreach((json_t *)vals, code, x)
		fprintf(out, sign ? " %s=%+lld" : " %s=%lld", code, (long long)json_integer_value(x));
	fputc('\n', out);
}

void amendments_print(FILE *out, const json_t *view)
{
	json_t *list = json_object_get(view, "amendments"), *a;
	bool decided = strcmp(json_string_value(json_object_get(view, "list")), "decided") == 0;
	char t[32];
	size_t i;

	fprintf(out, "%zu %s amendment(s)\n", json_array_size(list), decided ? "decided" : "pending");
	json_array_foreach(list, i, a) {
		json_t *cur = json_object_get(a, "current"), *d = json_object_get(a, "decision");

		fprintf(out, "%-24s %s/%s unit %s rev %lld (base %lld), approval of %s, received %s\n",
			json_string_value(json_object_get(a, "key")),
			json_string_value(json_object_get(a, "campaign")),
			json_string_value(json_object_get(a, "period")),
			json_string_value(json_object_get(a, "unit")),
			(long long)json_integer_value(json_object_get(a, "revision")),
			(long long)json_integer_value(json_object_get(a, "base_revision")),
			json_string_value(json_object_get(a, "approved_unit")),
			lnob_utc_text(json_integer_value(json_object_get(a, "received_at")), t, sizeof(t)));
		s_print_values(out, "values", json_object_get(a, "values"), false);
		if (json_is_object(cur)) {
			char label[32];

			snprintf(label, sizeof(label), "current r%lld",
				 (long long)json_integer_value(json_object_get(cur, "revision")));
			s_print_values(out, label, json_object_get(cur, "values"), false);
		} else {
			fprintf(out, "    %-10s (no report yet)\n", "current");
		}
		s_print_values(out, "difference", json_object_get(a, "difference"), true);
		if (d)
			fprintf(out, "    %s by %s at %s%s%s\n",
				json_string_value(json_object_get(d, "decision")),
				json_string_value(json_object_get(d, "by")),
				lnob_utc_text(json_integer_value(json_object_get(d, "decided_at")), t, sizeof(t)),
				json_string_value(json_object_get(d, "reason"))[0] ? ": " : "",
				json_string_value(json_object_get(d, "reason")));
		else if (!json_is_true(json_object_get(a, "becomes_current")))
			fprintf(out, "    accepting it leaves the current revision (and the rollups) as they are\n");
	}
}

/* ---- the CLI ----------------------------------------------------------- */

static const struct {
	const char *name;
	bool write;
} s_cmds[] = {
	{ "approve", true }, { "unapprove", true }, { "approvals", false },
	{ "amendments", false }, { "accept", true }, { "reject", true },
};

bool approval_is_cmd(const char *cmd, bool *ret_write)
{
	for (size_t i = 0; i < sizeof(s_cmds) / sizeof(s_cmds[0]); i++)
		if (strcmp(cmd, s_cmds[i].name) == 0) {
			*ret_write = s_cmds[i].write;
			return true;
		}
	return false;
}

/* Checks the operator's text: by (required) and an optional text, each
 * UTF-8 (lnob_utf8_valid) of bounded length: they are stored and shown as
 * JSON. Returns 0, 2 (usage) or LNOB_E_INVALID. */
static int s_check_text(const approval_args_t *a, const char *text, const char *what,
			bool text_required, char *err, size_t errlen)
{
	if (!a->by || !a->by[0] || strlen(a->by) > APPROVAL_BY_MAX) {
		snprintf(err, errlen, "--by NAME is required (1..%d bytes)", APPROVAL_BY_MAX);
		return 2;
	}
	if ((text_required && (!text || !text[0])) || (text && strlen(text) > APPROVAL_TEXT_MAX)) {
		snprintf(err, errlen, "%s: %s1..%d bytes", what, text_required ? "required, " : "",
			 APPROVAL_TEXT_MAX);
		return 2;
	}
	if (!lnob_utf8_valid(a->by, strlen(a->by)))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--by: not valid UTF-8");
	if (text && !lnob_utf8_valid(text, strlen(text)))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: not valid UTF-8", what);
	return 0;
}

/* Checks --campaign/--period (ids; both required when need) against the
 * configured campaigns (none: any id goes) and --unit. *ret_unit gets
 * the unit's index, -1 without one. */
static int s_check_scope(const hier_t *hier, const campaigns_t *camps, const approval_args_t *a,
			 bool need, int *ret_unit, char *err, size_t errlen)
{
	const char *const ids[2][2] = { { "--campaign", a->campaign }, { "--period", a->period } };
	char q[LNOB_QUOTE_MAX + 4];
	const campaign_t *c;

	*ret_unit = -1;
	if (need && (!a->campaign || !a->period || !a->unit)) {
		snprintf(err, errlen, "--campaign C --period P --unit U are required");
		return 2;
	}
	for (size_t i = 0; i < 2; i++)
		if (ids[i][1] && !lnob_valid_id(ids[i][1]))
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: not 1..64 of "
					 "[A-Za-z0-9._-]: '%s'", ids[i][0], lnob_quote(q, ids[i][1]));
	if (a->campaign && camps && camps->n > 0) {
		if (!(c = campaigns_find(camps, a->campaign))) {
			snprintf(err, errlen, "campaign '%s' is not configured", a->campaign);
			return LNOB_E_INVALID;
		}
		if (a->period && !campaign_period_find(c, a->period)) {
			snprintf(err, errlen, "period '%s' is not a period of campaign '%s'", a->period,
				 a->campaign);
			return LNOB_E_INVALID;
		}
	}
	if (a->unit && (*ret_unit = hier_find(hier, a->unit)) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--unit '%s' is not in the hierarchy",
				 lnob_quote(q, a->unit));
	return 0;
}

/* approve and unapprove, in one write transaction. */
static int s_cli_approve(store_t *st, const approval_args_t *a, bool revoke, FILE *out,
			 char *err, size_t errlen)
{
	MDB_txn *txn = NULL;
	size_t pending = 0;
	int r = store_begin(st, true, &txn);

	if (r == 0)
		r = revoke ? approval_revoke(st, txn, a->campaign, a->period, a->unit, &pending)
			   : approval_approve(st, txn, a->campaign, a->period, a->unit, a->by, a->note,
					      lnob_now_s());
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	if (r == LNOB_E_EXISTS && revoke)
		snprintf(err, errlen, "%s/%s for %s: %zu amendment(s) pending; accept or reject "
			 "them first", a->campaign, a->period, a->unit, pending);
	else if (r == LNOB_E_EXISTS)
		snprintf(err, errlen, "%s/%s is approved for %s already (`approvals` lists it)",
			 a->campaign, a->period, a->unit);
	else if (r == LNOB_E_NOTFOUND)
		snprintf(err, errlen, "%s/%s is not approved for %s", a->campaign, a->period, a->unit);
	else if (r < 0)
		snprintf(err, errlen, "%s", lnob_strerror(r));
	else if (revoke)
		fprintf(out, "approval of %s/%s for %s revoked: its subtree takes revisions at once "
			"again\n", a->campaign, a->period, a->unit);
	else
		fprintf(out, "approved %s/%s for %s by %s: revisions for its subtree now wait in "
			"the amendment queue\n", a->campaign, a->period, a->unit, a->by);
	return r;
}

/* accept and reject, in one write transaction. */
static int s_cli_decide(store_t *st, const hier_t *hier, const approval_args_t *a, bool accept,
			FILE *out, char *err, size_t errlen)
{
	ingest_ctx_t ctx;
	ingest_item_t it;
	MDB_txn *txn = NULL;
	char signer[LNOB_ID_MAX + 1];
	uint64_t seq;
	int r;

	if (!a->amendment || amendment_key_parse(a->amendment, signer, &seq) < 0) {
		snprintf(err, errlen, "--amendment SIGNER/SEQ is required (the key `amendments` "
			 "prints)");
		return 2;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.st = st;
	ctx.hier = hier;
	ctx.max_body = SIZE_MAX / 2;
	memset(&it, 0, sizeof(it));
	r = store_begin(st, true, &txn);
	if (r == 0)
		r = accept ? amendment_accept(&ctx, txn, signer, seq, a->by, a->note, lnob_now_s(), &it)
			   : amendment_reject(st, txn, signer, seq, a->by, a->reason, lnob_now_s());
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	if (r == LNOB_E_NOTFOUND) {
		snprintf(err, errlen, "no amendment %s is pending", a->amendment);
		return r;
	}
	if (r < 0) {
		snprintf(err, errlen, "amendment %s: %s%s%s", a->amendment, lnob_strerror(r),
			 it.note[0] ? ": " : "", it.note);
		return r;
	}
	fprintf(out, "amendment %s %s by %s\n", a->amendment, accept ? "accepted" : "rejected", a->by);
	if (it.note[0])
		fprintf(out, "%s\n", it.note);
	return 0;
}

int approval_cli(store_t *st, const hier_t *hier, const campaigns_t *camps,
		 const approval_args_t *a, FILE *out, char *err, size_t errlen)
{
	bool approve = strcmp(a->cmd, "approve") == 0, revoke = strcmp(a->cmd, "unapprove") == 0;
	bool accept = strcmp(a->cmd, "accept") == 0, reject = strcmp(a->cmd, "reject") == 0;
	MDB_txn *txn = NULL;
	json_t *view = NULL;
	int unit, r;

	err[0] = '\0';
	if (approve || revoke) {
		if ((r = s_check_scope(hier, camps, a, true, &unit, err, errlen)) != 0)
			return r;
		if (approve && (r = s_check_text(a, a->note, "--note", false, err, errlen)) != 0)
			return r;
		return s_cli_approve(st, a, revoke, out, err, errlen);
	}
	if (accept || reject) {
		r = s_check_text(a, accept ? a->note : a->reason, accept ? "--note" : "--reason", reject,
				 err, errlen);
		return r ? r : s_cli_decide(st, hier, a, accept, out, err, errlen);
	}
	if ((r = s_check_scope(hier, camps, a, false, &unit, err, errlen)) != 0)
		return r;
	r = store_begin(st, false, &txn);
	if (r == 0)
		r = strcmp(a->cmd, "approvals") == 0
			    ? approvals_view(st, txn, &view)
			    : amendments_view(st, txn, hier, a->campaign, a->period, unit, a->decided, &view);
	store_abort(&txn);
	if (r < 0) {
		snprintf(err, errlen, "%s", lnob_strerror(r));
		return r;
	}
	if (a->json)
		json_dumpf(view, out, JSON_INDENT(2) | JSON_SORT_KEYS), fputc('\n', out);
	else if (strcmp(a->cmd, "approvals") == 0)
		approvals_print(out, view);
	else
		amendments_print(out, view);
	json_decref(view);
	return 0;
}
