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
#include "snapshot.h"
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
	if (lnob_grow(&s->v, s->n, &s->cap, sizeof(*s->v), 64) < 0)
		return -ENOMEM;
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

/* An amendment is filed under the key its fields make. */
static void s_amendment_key(verify_t *v, const MDB_val *k, const Lnob__AmendmentRecord *a,
			    const char *what)
{
	uint8_t want[AGG_KEY_MAX];
	size_t klen = agg_key_amendment(want, a->campaign, a->period, a->approved_unit, a->signer,
					a->seq);

	if (!klen || k->mv_size != klen || memcmp(k->mv_data, want, klen) != 0)
		verify_diff(v, "%s/%s unit %s: the %s amendment %s/%llu is filed under another key",
			    a->campaign, a->period, a->unit, what, a->signer,
			    (unsigned long long)a->seq);
}

/* Its envelope in the log holds the report it names. */
static int s_amendment_envelope(verify_t *v, const Lnob__AmendmentRecord *a, const char *what)
{
	Lnob__Report *rep = NULL;
	int r = agg_envelope_report(v->st, v->txn, a->signer, a->seq, &rep, NULL);

	if (r < 0 && r != LNOB_E_CORRUPT && r != LNOB_E_INVALID)
		return r;
	if (!rep || strcmp(rep->campaign, a->campaign) != 0 || strcmp(rep->period, a->period) != 0 ||
	    strcmp(rep->unit, a->unit) != 0 || rep->revision != a->revision)
		verify_diff(v, "%s/%s unit %s: the %s amendment %s/%llu has no envelope holding its "
			    "report (rev %u) in the log", a->campaign, a->period, a->unit, what,
			    a->signer, (unsigned long long)a->seq, a->revision);
	if (rep)
		lnob__report__free_unpacked(rep, NULL);
	return 0;
}

/* A pending one waits under an approval covering its unit. */
static int s_amendment_approval(verify_t *v, const Lnob__AmendmentRecord *a)
{
	int unit = hier_find(v->hier, a->unit), au = hier_find(v->hier, a->approved_unit);
	int r = agg_approval_exists(v->st, v->txn, a->campaign, a->period, a->approved_unit);

	if (unit < 0 || au < 0 || !hier_in_subtree(v->hier, au, unit))
		verify_diff(v, "%s/%s unit %s: the pending amendment %s/%llu is filed under %s, which "
			    "does not cover it", a->campaign, a->period, a->unit, a->signer,
			    (unsigned long long)a->seq, a->approved_unit);
	if (r == 0 || r == LNOB_E_INVALID)
		verify_diff(v, "%s/%s unit %s: the pending amendment %s/%llu waits for an approval "
			    "of %s that does not exist", a->campaign, a->period, a->unit, a->signer,
			    (unsigned long long)a->seq, a->approved_unit);
	return r < 0 && r != LNOB_E_INVALID ? r : 0;
}

/* Checks one amendment, pending (d NULL, under queue key k) or decided
 * (d): its key, its envelope, its approval, its place in the history (in
 * it exactly when accepted). */
static int s_amendment(verify_t *v, const MDB_val *k, const Lnob__AmendmentRecord *a,
		       const Lnob__AmendmentDecision *d)
{
	const char *what = d ? (d->accepted ? "accepted" : "rejected") : "pending";
	int r;

	s_amendment_key(v, k, a, what);
	if ((r = s_amendment_envelope(v, a, what)) < 0)
		return r;
	if (!d && (r = s_amendment_approval(v, a)) < 0)
		return r;
	r = agg_revision_exists(v->st, v->txn, a->campaign, a->period, a->unit, a->revision,
				a->signer, a->seq);
	if (r < 0 && r != LNOB_E_INVALID)
		return r;
	if ((r == 1) != (d && d->accepted))
		verify_diff(v, "%s/%s unit %s: the %s amendment %s/%llu (rev %u) is %sin the revision "
			    "history", a->campaign, a->period, a->unit, what, a->signer,
			    (unsigned long long)a->seq, a->revision, r == 1 ? "" : "not ");
	return 0;
}

/* A walk over the amendment queue or its log: the ids of the pending and
 * rejected ones go into held (they are in the log, not the history). */
typedef struct s_amend_walk {
	verify_t *v;
	s_ids_t *held;
} s_amend_walk_t;

static int s_amendment_entry(void *ctx, const MDB_val *k, const Lnob__AmendmentRecord *a,
			     const Lnob__AmendmentDecision *d)
{
	s_amend_walk_t *w = ctx;
	int r = s_amendment(w->v, k, a, d);

	if (r == 0 && (!d || !d->accepted))
		r = s_ids_add(w->held, a->signer, a->seq);
	return r;
}

/* ---- nominations and stages --------------------------------------------- */

/* The envelope (signer, seq) of the log, opened: NULL in *ret when the log
 * lacks it or it does not decode. Caller frees. */
static int s_envelope(verify_t *v, const char *signer, uint64_t seq, Lnob__Envelope **ret)
{
	int r = agg_envelope_get(v->st, v->txn, signer, seq, ret);

	if (r == LNOB_E_NOTFOUND || r == LNOB_E_CORRUPT || r == LNOB_E_INVALID) {
		*ret = NULL;
		return 0;
	}
	return r;
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
	Lnob__StageRecord *sr = NULL;
	Lnob__Envelope *env = NULL;
	int r = agg_stage_get(v->st, v->txn, key, i, &sr);

	if (r == LNOB_E_NOTFOUND) {
		verify_diff(v, "nomination %s: stage %llu of its count is missing", key,
			    (unsigned long long)i);
		return 0;
	}
	if (r < 0)
		return r;
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
		int r;

		if (!other[w][0])
			continue;
		r = agg_nomination_get(v->st, v->txn, other[w], &o);
		if (r < 0 && r != LNOB_E_NOTFOUND && r != LNOB_E_CORRUPT)
			return r;
		if (!o ||
		    strcmp(w == 0 ? o->nomination->revises : o->revised_by, key) != 0)
			verify_diff(v, "nomination %s: %s %s, which does not name it back", key,
				    w == 0 ? "revised by" : "revises", other[w]);
		if (o)
			lnob__nomination_record__free_unpacked(o, NULL);
	}
	return 0;
}

/* One nomination record: its envelope, its stages, its links. */
static int s_nomination(verify_t *v, const char *key, const Lnob__NominationRecord *rec,
			s_ids_t *stages)
{
	char want[NOMINATION_KEY_MAX + 2];
	Lnob__Envelope *env = NULL;
	int r, kind = 0;

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
	return r;
}

/* A walk over the nomination records. */
typedef struct s_nom_walk {
	verify_t *v;
	s_ids_t *stages;
} s_nom_walk_t;

static int s_nomination_entry(void *ctx, const char *key, const Lnob__NominationRecord *rec)
{
	s_nom_walk_t *w = ctx;

	return s_nomination(w->v, key, rec, w->stages);
}

/* Every nomination record; the ids of their stages go into stages. */
static int s_pass_nominations(verify_t *v, s_ids_t *stages)
{
	s_nom_walk_t w = { .v = v, .stages = stages };

	return agg_nomination_foreach(v->st, v->txn, s_nomination_entry, &w);
}

/* ---- the envelope log ---------------------------------------------------- */

/* A report envelope of the log: in the history unless held. */
static int s_log_report(verify_t *v, const Lnob__Envelope *env, const s_ids_t *held)
{
	Lnob__Report *rep;
	int r;

	if ((r = snapshot_report_of_envelope(env, SIZE_MAX, &rep)) == -ENOMEM)
		return r;
	if (r < 0) {
		verify_diff(v, "envelope %s #%llu: a report in the log that does not decode",
			    env->signer, (unsigned long long)env->seq);
		return 0;
	}
	r = agg_revision_exists(v->st, v->txn, rep->campaign, rep->period, rep->unit,
				rep->revision, env->signer, env->seq);
	if (r == 0 || r == LNOB_E_INVALID) {
		r = 0;
		if (!s_ids_has(held, env->signer, env->seq))
			verify_diff(v, "%s/%s unit %s: the report %s #%llu (rev %u) is in the log but "
				    "neither in the history nor an amendment held or rejected",
				    rep->campaign, rep->period, rep->unit, env->signer,
				    (unsigned long long)env->seq, rep->revision);
	}
	lnob__report__free_unpacked(rep, NULL);
	return r < 0 ? r : 0;
}

/* A nomination envelope of the log: its record holds it, or (the same
 * nomination sent again under a new seq) the same body. */
static int s_log_nomination(verify_t *v, const Lnob__Envelope *env)
{
	ProtobufCMessage *m;
	Lnob__NominationRecord *rec = NULL;
	Lnob__Envelope *first = NULL;
	char key[NOMINATION_KEY_MAX + 2];
	bool ok = false;
	int r;

	if (codec_unpack(&lnob__nomination__descriptor, env->body.len ? env->body.data
			 : (const uint8_t *)"", env->body.len, SIZE_MAX, &m) < 0)
		return 0;   /* reported below as not held */
	snprintf(key, sizeof(key), "%s/%s", env->signer, ((Lnob__Nomination *)m)->id);
	protobuf_c_message_free_unpacked(m, NULL);
	r = agg_nomination_get(v->st, v->txn, key, &rec);
	if (r < 0 && r != LNOB_E_NOTFOUND && r != LNOB_E_CORRUPT)
		return r;
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

static int s_log_entry(void *ctx, const Lnob__Envelope *env)
{
	s_log_walk_t *w = ctx;

	if (!env) {
		verify_diff(w->v, "an envelope in the log does not decode, or is not the one its "
			    "index (signer, seq) names");
		return 0;
	}
	if (env->kind == LNOB__KIND__KIND_REPORT || env->kind == LNOB__KIND__KIND_SNAPSHOT)
		return s_log_report(w->v, env, w->held);
	if (env->kind == LNOB__KIND__KIND_NOMINATION)
		return s_log_nomination(w->v, env);
	if (env->kind != LNOB__KIND__KIND_STAGE || !s_ids_has(w->stages, env->signer, env->seq))
		verify_diff(w->v, "envelope %s #%llu (kind %d) in the log is behind no record",
			    env->signer, (unsigned long long)env->seq, env->kind);
	return 0;
}

/* Every envelope of the log is behind what it should be. */
static int s_pass_log(verify_t *v, const s_ids_t *held, const s_ids_t *stages)
{
	s_log_walk_t w = { .v = v, .held = held, .stages = stages };
	size_t nlog = 0, nidx = 0;
	int r = agg_envelope_foreach(v->st, v->txn, s_log_entry, &w);

	if (r == 0)
		r = agg_envelope_counts(v->st, v->txn, &nlog, &nidx);
	if (r == 0 && nlog != nidx)
		verify_diff(v, "the envelope log holds %zu envelopes, its index (signer, seq) %zu",
			    nlog, nidx);
	return r;
}

int verify_log(verify_t *v)
{
	s_ids_t held = { 0 }, stages = { 0 };
	s_amend_walk_t aw = { .v = v, .held = &held };
	int r = agg_amendment_foreach(v->st, v->txn, false, s_amendment_entry, &aw);

	if (r == 0)
		r = agg_amendment_foreach(v->st, v->txn, true, s_amendment_entry, &aw);
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
