/* verify_log.c: the envelope log against the history, the amendment queue
 * and its decisions, and the nomination and stage records (see verify.h). */
#include "verify_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "lnob_err.h"
#include "nominations.h"
#include "util.h"

/* A set of envelope ids (signer, seq), sorted once filled. */
typedef struct s_id {
	char signer[LNOB_ID_MAX + 1];
	uint64_t seq;
} s_id_t;

typedef struct s_ids {
	s_id_t *v;
	size_t n, cap;
} s_ids_t;

static int s_ids_add(s_ids_t *s, const char *signer, uint64_t seq)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		s_id_t *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	lnob_strlcpy(s->v[s->n].signer, signer, sizeof(s->v[s->n].signer));
	s->v[s->n++].seq = seq;
	return 0;
}

static int s_id_cmp(const void *a, const void *b)
{
	const s_id_t *x = a, *y = b;
	int c = strcmp(x->signer, y->signer);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static void s_ids_sort(s_ids_t *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), s_id_cmp);
}

static bool s_ids_has(const s_ids_t *s, const char *signer, uint64_t seq)
{
	s_id_t key;

	lnob_strlcpy(key.signer, signer, sizeof(key.signer));
	key.seq = seq;
	return s->n && bsearch(&key, s->v, s->n, sizeof(*s->v), s_id_cmp) != NULL;
}

/* ---- the amendment queue ------------------------------------------------ */

/* Checks one amendment, pending (d NULL, under queue key k) or decided
 * (d): its key, its envelope, its approval, its place in the history. */
static int s_amendment(verify_t *v, const MDB_val *k, const Lnob__AmendmentRecord *a,
		       const Lnob__AmendmentDecision *d)
{
	uint8_t key[AGG_KEY_MAX], want[AGG_KEY_MAX];
	size_t klen = agg_key_unit(want, a->campaign, a->period, a->approved_unit), n;
	Lnob__Envelope *env = NULL;
	ProtobufCMessage *m = NULL;
	Lnob__Report *rep;
	const char *what = d ? (d->accepted ? "accepted" : "rejected") : "pending";
	MDB_val ev;
	int r, unit, au;

	n = strlen(a->signer);
	if (klen && klen + 1 + n + 1 + 8 <= AGG_KEY_MAX) {
		want[klen++] = 0;
		memcpy(want + klen, a->signer, n + 1);
		klen += n + 1;
		lnob_be64_put(want + klen, a->seq);
		klen += 8;
	} else {
		klen = 0;
	}
	if (!klen || k->mv_size != klen || memcmp(k->mv_data, want, klen) != 0)
		verify_diff(v, "%s/%s unit %s: the %s amendment %s/%llu is filed under another key",
		       a->campaign, a->period, a->unit, what, a->signer, (unsigned long long)a->seq);
	/* its envelope, holding the report it names */
	n = agg_key_envelope(key, a->signer, a->seq);
	r = n ? store_get(v->txn, store_dbi(v->st, AGG_DB_ENVELOPES), key, n, &ev) : LNOB_E_INVALID;
	if (r < 0 && r != LNOB_E_NOTFOUND && r != LNOB_E_INVALID)
		return r;
	if (r == 0 && envelope_open(ev.mv_data, ev.mv_size, SIZE_MAX / 2, &env) == 0)
		(void)codec_unpack(&lnob__report__descriptor,
				   env->body.len ? env->body.data : (const uint8_t *)"", env->body.len,
				   SIZE_MAX, &m);
	rep = (Lnob__Report *)m;
	if (!rep || strcmp(rep->campaign, a->campaign) != 0 || strcmp(rep->period, a->period) != 0 ||
	    strcmp(rep->unit, a->unit) != 0 || rep->revision != a->revision)
		verify_diff(v, "%s/%s unit %s: the %s amendment %s/%llu has no envelope holding its "
		       "report (rev %u) in the log", a->campaign, a->period, a->unit, what,
		       a->signer, (unsigned long long)a->seq, a->revision);
	if (rep)
		lnob__report__free_unpacked(rep, NULL);
	if (env)
		lnob__envelope__free_unpacked(env, NULL);
	/* a pending one waits under an approval covering its unit */
	unit = hier_find(v->hier, a->unit);
	au = hier_find(v->hier, a->approved_unit);
	if (!d && (unit < 0 || au < 0 || !hier_in_subtree(v->hier, au, unit)))
		verify_diff(v, "%s/%s unit %s: the pending amendment %s/%llu is filed under %s, which "
		       "does not cover it", a->campaign, a->period, a->unit, a->signer,
		       (unsigned long long)a->seq, a->approved_unit);
	if (!d) {
		klen = agg_key_unit(key, a->campaign, a->period, a->approved_unit);
		r = klen ? store_get(v->txn, store_dbi(v->st, AGG_DB_APPROVALS), key, klen, &ev)
			 : LNOB_E_NOTFOUND;
		if (r == LNOB_E_NOTFOUND)
			verify_diff(v, "%s/%s unit %s: the pending amendment %s/%llu waits for an approval "
			       "of %s that does not exist", a->campaign, a->period, a->unit, a->signer,
			       (unsigned long long)a->seq, a->approved_unit);
		else if (r < 0)
			return r;
	}
	/* in the history exactly when accepted */
	klen = agg_key_revision(key, a->campaign, a->period, a->unit, a->revision, a->signer, a->seq);
	r = klen ? store_get(v->txn, store_dbi(v->st, AGG_DB_REVISIONS), key, klen, &ev)
		 : LNOB_E_NOTFOUND;
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	if ((r == 0) != (d && d->accepted))
		verify_diff(v, "%s/%s unit %s: the %s amendment %s/%llu (rev %u) is %sin the revision "
		       "history", a->campaign, a->period, a->unit, what, a->signer,
		       (unsigned long long)a->seq, a->revision, r == 0 ? "" : "not ");
	return 0;
}

/* A walk over the amendment queue or its log. */
typedef struct s_amend_walk {
	verify_t *v;
	int db;
	s_ids_t *held;
} s_amend_walk_t;

static int s_amendment_entry(void *ctx, const MDB_val *k, const MDB_val *val)
{
	s_amend_walk_t *w = ctx;
	const ProtobufCMessageDescriptor *desc = w->db == AGG_DB_AMENDMENTS
		? &lnob__amendment_record__descriptor : &lnob__amendment_decision__descriptor;
	ProtobufCMessage *m;
	int r;

	if (codec_unpack(desc, val->mv_size ? val->mv_data : (const uint8_t *)"", val->mv_size,
			 SIZE_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	if (w->db == AGG_DB_AMENDMENTS) {
		Lnob__AmendmentRecord *a = (Lnob__AmendmentRecord *)m;

		r = s_amendment(w->v, k, a, NULL);
		if (r == 0)
			r = s_ids_add(w->held, a->signer, a->seq);
	} else {
		Lnob__AmendmentDecision *d = (Lnob__AmendmentDecision *)m;

		r = d->amendment ? s_amendment(w->v, k, d->amendment, d) : LNOB_E_CORRUPT;
		if (r == 0 && !d->accepted)
			r = s_ids_add(w->held, d->amendment->signer, d->amendment->seq);
	}
	protobuf_c_message_free_unpacked(m, NULL);
	return r;
}

/* The amendment queue and the log of decisions; the ids of the pending
 * and rejected ones go into held (they are in the log, not the history). */
static int s_pass_amendments(verify_t *v, int db, s_ids_t *held)
{
	s_amend_walk_t w = { .v = v, .db = db, .held = held };

	return store_foreach(v->txn, store_dbi(v->st, (size_t)db), NULL, 0, s_amendment_entry, &w);
}

/* ---- nominations and stages --------------------------------------------- */

/* The envelope (signer, seq) of the log, opened: NULL in *ret when the log
 * lacks it or it does not decode. Caller frees. */
static int s_envelope(verify_t *v, const char *signer, uint64_t seq, Lnob__Envelope **ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_envelope(key, signer, seq);
	MDB_val ev;
	int r = klen ? store_get(v->txn, store_dbi(v->st, AGG_DB_ENVELOPES), key, klen, &ev)
		     : LNOB_E_NOTFOUND;

	*ret = NULL;
	if (r == LNOB_E_NOTFOUND)
		return 0;
	if (r < 0)
		return r;
	if (envelope_open(ev.mv_data, ev.mv_size, SIZE_MAX / 2, ret) < 0)
		*ret = NULL;
	return 0;
}

/* True when msg packs to the same bytes as the body of env decoded as d
 * (with strip, documents' bytes dropped first, as the record keeps it). */
static bool s_same_message(const Lnob__Envelope *env, const ProtobufCMessageDescriptor *d,
			   const ProtobufCMessage *msg, bool strip)
{
	ProtobufCMessage *m = NULL;
	uint8_t *a = NULL, *b = NULL;
	size_t al = 0, bl = 0;
	bool same = false;

	if (codec_unpack(d, env->body.len ? env->body.data : (const uint8_t *)"", env->body.len,
			 SIZE_MAX, &m) < 0)
		return false;
	if (strip) {
		Lnob__Nomination *n = (Lnob__Nomination *)m;

		for (size_t i = 0; i < n->n_dossier; i++) {
			free(n->dossier[i]->content.data);
			n->dossier[i]->content.data = NULL;
			n->dossier[i]->content.len = 0;
		}
	}
	if (codec_pack(m, &a, &al) == 0 && codec_pack(msg, &b, &bl) == 0)
		same = al == bl && memcmp(a, b, al) == 0;
	free(a);
	free(b);
	protobuf_c_message_free_unpacked(m, NULL);
	return same;
}

/* One stage record of key at index i: its envelope holds it. */
static int s_stage(verify_t *v, const char *key, uint64_t i, int *ret_kind, s_ids_t *stages)
{
	uint8_t k[NOMINATION_KEY_MAX + 9];
	size_t n = strlen(key);
	Lnob__StageRecord *sr;
	Lnob__Envelope *env = NULL;
	ProtobufCMessage *m;
	MDB_val val;
	int r;

	memcpy(k, key, n + 1);
	lnob_be64_put(k + n + 1, i);
	r = store_get(v->txn, store_dbi(v->st, AGG_DB_STAGES), k, n + 9, &val);
	if (r == LNOB_E_NOTFOUND) {
		verify_diff(v, "nomination %s: stage %llu of its count is missing", key,
			    (unsigned long long)i);
		return 0;
	}
	if (r < 0)
		return r;
	if (codec_unpack(&lnob__stage_record__descriptor, val.mv_size ? val.mv_data : (const uint8_t *)"",
			 val.mv_size, SIZE_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	sr = (Lnob__StageRecord *)m;
	r = s_envelope(v, sr->signer, sr->seq, &env);
	if (r == 0 && (!env || env->kind != LNOB__KIND__KIND_STAGE || !sr->stage ||
		       strcmp(sr->stage->nomination, key) != 0 ||
		       !s_same_message(env, &lnob__stage__descriptor, &sr->stage->base, false)))
		verify_diff(v, "nomination %s: stage %llu (%s #%llu) has no envelope holding it in "
			    "the log", key, (unsigned long long)i, sr->signer,
			    (unsigned long long)sr->seq);
	*ret_kind = sr->stage ? (int)sr->stage->kind : 0;
	if (r == 0)
		r = s_ids_add(stages, sr->signer, sr->seq);
	if (env)
		lnob__envelope__free_unpacked(env, NULL);
	lnob__stage_record__free_unpacked(sr, NULL);
	return r;
}

/* The revises / revised_by links of one record, both ways. */
static int s_links(verify_t *v, const char *key, const Lnob__NominationRecord *rec)
{
	const char *other[2] = { rec->revised_by, rec->nomination->revises };

	for (int w = 0; w < 2; w++) {
		Lnob__NominationRecord *o = NULL;
		ProtobufCMessage *m;
		MDB_val val;
		int r;

		if (!other[w][0])
			continue;
		r = store_get(v->txn, store_dbi(v->st, AGG_DB_NOMINATIONS), other[w], strlen(other[w]),
			      &val);
		if (r < 0 && r != LNOB_E_NOTFOUND)
			return r;
		if (r == 0 && codec_unpack(&lnob__nomination_record__descriptor, val.mv_data,
					   val.mv_size, SIZE_MAX, &m) == 0)
			o = (Lnob__NominationRecord *)m;
		if (!o || !o->nomination ||
		    strcmp(w == 0 ? o->nomination->revises : o->revised_by, key) != 0)
			verify_diff(v, "nomination %s: %s %s, which does not name it back", key,
				    w == 0 ? "revised by" : "revises", other[w]);
		if (o)
			lnob__nomination_record__free_unpacked(o, NULL);
	}
	return 0;
}

/* One nomination record: its envelope, its stages, its links. */
static int s_nomination(verify_t *v, const MDB_val *k, const MDB_val *val, s_ids_t *stages)
{
	char key[NOMINATION_KEY_MAX + 1], want[NOMINATION_KEY_MAX + 2];
	Lnob__NominationRecord *rec;
	Lnob__Envelope *env = NULL;
	ProtobufCMessage *m;
	int r, kind = 0;

	if (k->mv_size > NOMINATION_KEY_MAX ||
	    codec_unpack(&lnob__nomination_record__descriptor, val->mv_size ? val->mv_data
			 : (const uint8_t *)"", val->mv_size, SIZE_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	memcpy(key, k->mv_data, k->mv_size);
	key[k->mv_size] = '\0';
	rec = (Lnob__NominationRecord *)m;
	if (!rec->nomination) {
		lnob__nomination_record__free_unpacked(rec, NULL);
		return LNOB_E_CORRUPT;
	}
	snprintf(want, sizeof(want), "%s/%s", rec->signer, rec->nomination->id);
	r = s_envelope(v, rec->signer, rec->seq, &env);
	if (r == 0 && (strcmp(want, key) != 0 || !env || env->kind != LNOB__KIND__KIND_NOMINATION ||
		       !s_same_message(env, &lnob__nomination__descriptor, &rec->nomination->base,
				       true)))
		verify_diff(v, "nomination %s: its envelope %s #%llu in the log does not hold it",
			    key, rec->signer, (unsigned long long)rec->seq);
	for (uint64_t i = 0; r == 0 && i < rec->stages; i++)
		r = s_stage(v, key, i, &kind, stages);
	if (r == 0 && (int)rec->last_stage != kind)
		verify_diff(v, "nomination %s: its last stage is recorded as %d, its stage history "
			    "ends with %d", key, rec->last_stage, kind);
	if (r == 0)
		r = s_links(v, key, rec);
	if (env)
		lnob__envelope__free_unpacked(env, NULL);
	lnob__nomination_record__free_unpacked(rec, NULL);
	return r;
}

/* A walk over the nomination records. */
typedef struct s_nom_walk {
	verify_t *v;
	s_ids_t *stages;
} s_nom_walk_t;

static int s_nomination_entry(void *ctx, const MDB_val *k, const MDB_val *val)
{
	s_nom_walk_t *w = ctx;

	return s_nomination(w->v, k, val, w->stages);
}

/* Every nomination record; the ids of their stages go into stages. */
static int s_pass_nominations(verify_t *v, s_ids_t *stages)
{
	s_nom_walk_t w = { .v = v, .stages = stages };

	return store_foreach(v->txn, store_dbi(v->st, AGG_DB_NOMINATIONS), NULL, 0,
			     s_nomination_entry, &w);
}

/* ---- the envelope log ---------------------------------------------------- */

/* A report envelope of the log: in the history unless held. */
static int s_log_report(verify_t *v, const Lnob__Envelope *env, const s_ids_t *held)
{
	ProtobufCMessage *m;
	Lnob__Report *rep;
	uint8_t key[AGG_KEY_MAX];
	size_t klen;
	MDB_val val;
	int r;

	if (codec_unpack(&lnob__report__descriptor, env->body.len ? env->body.data : (const uint8_t *)"",
			 env->body.len, SIZE_MAX, &m) < 0) {
		verify_diff(v, "envelope %s #%llu: a report in the log that does not decode",
			    env->signer, (unsigned long long)env->seq);
		return 0;
	}
	rep = (Lnob__Report *)m;
	klen = agg_key_revision(key, rep->campaign, rep->period, rep->unit, rep->revision,
				env->signer, env->seq);
	r = klen ? store_get(v->txn, store_dbi(v->st, AGG_DB_REVISIONS), key, klen, &val)
		 : LNOB_E_NOTFOUND;
	if (r == LNOB_E_NOTFOUND) {
		r = 0;
		if (!s_ids_has(held, env->signer, env->seq))
			verify_diff(v, "%s/%s unit %s: the report %s #%llu (rev %u) is in the log but "
				    "neither in the history nor an amendment held or rejected",
				    rep->campaign, rep->period, rep->unit, env->signer,
				    (unsigned long long)env->seq, rep->revision);
	}
	lnob__report__free_unpacked(rep, NULL);
	return r;
}

/* A nomination envelope of the log: its record holds it, or (the same
 * nomination sent again under a new seq) the same body. */
static int s_log_nomination(verify_t *v, const Lnob__Envelope *env)
{
	ProtobufCMessage *m;
	Lnob__NominationRecord *rec = NULL;
	Lnob__Envelope *first = NULL;
	char key[NOMINATION_KEY_MAX + 2];
	MDB_val val;
	bool ok = false;
	int r;

	if (codec_unpack(&lnob__nomination__descriptor, env->body.len ? env->body.data
			 : (const uint8_t *)"", env->body.len, SIZE_MAX, &m) < 0)
		return 0;   /* reported below as not held */
	snprintf(key, sizeof(key), "%s/%s", env->signer, ((Lnob__Nomination *)m)->id);
	protobuf_c_message_free_unpacked(m, NULL);
	r = store_get(v->txn, store_dbi(v->st, AGG_DB_NOMINATIONS), key, strlen(key), &val);
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	if (r == 0 && codec_unpack(&lnob__nomination_record__descriptor, val.mv_data, val.mv_size,
				   SIZE_MAX, &m) == 0)
		rec = (Lnob__NominationRecord *)m;
	r = rec ? s_envelope(v, rec->signer, rec->seq, &first) : 0;
	ok = first && first->body.len == env->body.len &&
	     memcmp(first->body.data, env->body.data, env->body.len) == 0;
	if (r == 0 && !ok)
		verify_diff(v, "envelope %s #%llu: a nomination in the log that no nomination "
			    "record holds", env->signer, (unsigned long long)env->seq);
	if (first)
		lnob__envelope__free_unpacked(first, NULL);
	if (rec)
		lnob__nomination_record__free_unpacked(rec, NULL);
	return r;
}

/* A walk over the envelope log. */
typedef struct s_log_walk {
	verify_t *v;
	const s_ids_t *held, *stages;
} s_log_walk_t;

static int s_log_entry(void *ctx, const MDB_val *k, const MDB_val *val)
{
	s_log_walk_t *w = ctx;
	Lnob__Envelope *env = NULL;
	int r = 0;

	(void)k;
	if (envelope_open(val->mv_data, val->mv_size, SIZE_MAX / 2, &env) < 0) {
		verify_diff(w->v, "an envelope in the log does not decode");
		return 0;
	}
	if (env->kind == LNOB__KIND__KIND_REPORT)
		r = s_log_report(w->v, env, w->held);
	else if (env->kind == LNOB__KIND__KIND_NOMINATION)
		r = s_log_nomination(w->v, env);
	else if (env->kind != LNOB__KIND__KIND_STAGE || !s_ids_has(w->stages, env->signer, env->seq))
		verify_diff(w->v, "envelope %s #%llu (kind %d) in the log is behind no record",
			    env->signer, (unsigned long long)env->seq, env->kind);
	lnob__envelope__free_unpacked(env, NULL);
	return r;
}

/* Every envelope of the log is behind what it should be. */
static int s_pass_log(verify_t *v, const s_ids_t *held, const s_ids_t *stages)
{
	s_log_walk_t w = { .v = v, .held = held, .stages = stages };

	return store_foreach(v->txn, store_dbi(v->st, AGG_DB_ENVELOPES), NULL, 0, s_log_entry, &w);
}

int verify_log(verify_t *v)
{
	s_ids_t held = { 0 }, stages = { 0 };
	int r = s_pass_amendments(v, AGG_DB_AMENDMENTS, &held);

	if (r == 0)
		r = s_pass_amendments(v, AGG_DB_AMENDMENT_LOG, &held);
	if (r == 0)
		r = s_pass_nominations(v, &stages);
	s_ids_sort(&held);
	s_ids_sort(&stages);
	if (r == 0)
		r = s_pass_log(v, &held, &stages);
	free(held.v);
	free(stages.v);
	return r;
}
