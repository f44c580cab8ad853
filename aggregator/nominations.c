/* nominations.c: nominations and their stages as the aggregator takes
 * them in, and the stage rules (see nominations.h); their views are
 * nominations_view.c's, text and CSV nominations_print.c's. */
#include "nominations_int.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "award.h"
#include "calendar.h"
#include "codec.h"
#include "envelope.h"
#include "figures.h"
#include "lnob_err.h"
#include "render.h"
#include "report.h"
#include "util.h"

/* Formats a refusal: returns reason, detail filled. */
__attribute__((format(printf, 4, 5)))
static int s_refuse(int reason, char *detail, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lnob_verrf(detail, len, 0, fmt, ap);
	va_end(ap);
	return reason;
}

/* Checks text field `field` (a name for the message): at most max bytes of
 * UTF-8 (lnob_utf8_valid: no NUL), non-empty when required, and without a
 * control character (C0, DEL) when one_line. Returns 0 or R_INVALID with
 * "<field>: <problem>" in detail. */
static int s_check_text(const char *field, const char *s, size_t max, bool required,
			bool one_line, char *detail, size_t len)
{
	size_t n = strlen(s);

	if (required && n == 0)
		return s_refuse(R_INVALID, detail, len, "%s: missing", field);
	if (n > max)
		return s_refuse(R_INVALID, detail, len, "%s: longer than %zu bytes (%zu)", field,
				max, n);
	if (!lnob_utf8_valid(s, n))
		return s_refuse(R_INVALID, detail, len, "%s: not valid UTF-8", field);
	for (size_t i = 0; one_line && i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return s_refuse(R_INVALID, detail, len, "%s: a control character (a line "
					"break?) in one-line text", field);
	return 0;
}

/* Checks a time field: Unix seconds in LNOB_TIME_MIN..LNOB_TIME_MAX.
 * Returns 0 or R_INVALID with "<field>: ..." in detail. */
static int s_check_time(const char *field, int64_t t, char *detail, size_t len)
{
	if (lnob_time_valid(t))
		return 0;
	return s_refuse(R_INVALID, detail, len, "%s: %lld is not a time in " LNOB_TIME_RANGE,
			field, (long long)t);
}

/* ---- ingest: nominations ----------------------------------------------- */

/* Checks one dossier document. Returns 0 or R_INVALID with detail. */
static int s_check_document(const Lnob__Document *d, size_t i, char *detail, size_t len)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	char field[48], q[LNOB_QUOTE_MAX + 4];
	int r;

	if (d->kind < 1 || d->kind > 3)
		return s_refuse(R_INVALID, detail, len, "dossier document %zu: kind %d is not known",
				i + 1, (int)d->kind);
	snprintf(field, sizeof(field), "dossier document %zu: title", i + 1);
	if ((r = s_check_text(field, d->title, NOM_NAME_MAX, true, true, detail, len)) != 0)
		return r;
	snprintf(field, sizeof(field), "dossier document %zu: vote", i + 1);
	if ((r = s_check_text(field, d->vote, NOM_NOTE_MAX, false, true, detail, len)) != 0)
		return r;
	if (d->sha256.len != sizeof(h))
		return s_refuse(R_INVALID, detail, len, "dossier document %zu ('%s'): sha256 has %zu "
				"bytes, not 32", i + 1, lnob_quote(q, d->title), d->sha256.len);
	if (d->content.len == 0)
		return 0;
	if (d->content.len != d->size)
		return s_refuse(R_INVALID, detail, len, "dossier document %zu ('%s'): %zu bytes "
				"attached, size says %" PRIu64, i + 1, lnob_quote(q, d->title),
				d->content.len, d->size);
	crypto_hash_sha256(h, d->content.data, d->content.len);
	if (sodium_memcmp(h, d->sha256.data, sizeof(h)) != 0)
		return s_refuse(R_INVALID, detail, len, "dossier document %zu ('%s'): SHA-256 of "
				"the attached content differs from its sha256", i + 1,
				lnob_quote(q, d->title));
	return 0;
}

/* The field rules of a nomination, without the store: ids, enums, texts
 * (UTF-8, bounded; names one line), proposed_at in the range of times, the
 * amount, the dossier. Returns 0 or R_INVALID with detail, which names the
 * field. */
static int s_check_fields(const Lnob__Nomination *n, char *detail, size_t len)
{
	char q[LNOB_QUOTE_MAX + 4];
	int r;

	if (!lnob_valid_id(n->campaign))
		return s_refuse(R_INVALID, detail, len, "campaign '%s' is not an id",
				lnob_quote(q, n->campaign));
	if (!lnob_valid_id(n->id))
		return s_refuse(R_INVALID, detail, len, "id '%s' is not an id (1..64 of "
				"[A-Za-z0-9._-])", lnob_quote(q, n->id));
	if (!lnob_valid_id(n->occasion))
		return s_refuse(R_INVALID, detail, len, "occasion '%s' is not an id",
				lnob_quote(q, n->occasion));
	if (!lnob_valid_id(n->unit))
		return s_refuse(R_INVALID, detail, len, "unit '%s' is not an id",
				lnob_quote(q, n->unit));
	if (n->nominee_kind < 1 || n->nominee_kind > N_KINDS)
		return s_refuse(R_INVALID, detail, len, "nominee_kind %d is not known",
				(int)n->nominee_kind);
	if (n->form < 1 || n->form > N_FORMS)
		return s_refuse(R_INVALID, detail, len, "form %d is not known", (int)n->form);
	if ((r = s_check_text("nominee_name", n->nominee_name, NOM_NAME_MAX, true, true, detail,
			      len)) != 0 ||
	    (r = s_check_text("summary", n->summary, NOM_TEXT_MAX, false, false, detail, len)) != 0)
		return r;
	if (n->sanction[0] && !lnob_valid_id(n->sanction))
		return s_refuse(R_INVALID, detail, len, "sanction '%s' is not an id",
				lnob_quote(q, n->sanction));
	if (n->contribution_vnd > (uint64_t)REPORT_VALUE_MAX)
		return s_refuse(R_INVALID, detail, len, "contribution_vnd %" PRIu64 " over %lld",
				n->contribution_vnd, REPORT_VALUE_MAX);
	if (n->revises[0] && !nominations_key_ok(n->revises))
		return s_refuse(R_INVALID, detail, len, "revises '%s' is not a nomination key "
				"SIGNER/ID", lnob_quote(q, n->revises));
	if ((r = s_check_time("proposed_at", n->proposed_at, detail, len)) != 0)
		return r;
	if (n->n_dossier > NOM_DOCS_MAX)
		return s_refuse(R_INVALID, detail, len, "dossier of %zu documents, at most %d",
				n->n_dossier, NOM_DOCS_MAX);
	for (size_t i = 0; i < n->n_dossier; i++)
		if ((r = s_check_document(n->dossier[i], i, detail, len)) != 0)
			return r;
	return 0;
}

/* Fields, campaign, unit and scope of a nomination signed by a node of
 * scope `scope`. Returns 0 or a NackReason with detail. */
static int s_check_nomination(const nominations_ctx_t *x, const Lnob__Nomination *n,
			      const char *signer, const char *scope, char *detail, size_t len)
{
	int r, unit, sc;

	if ((r = s_check_fields(n, detail, len)) != 0)
		return r;
	if (x->campaigns && x->campaigns->n > 0) {
		const campaign_t *c = campaigns_find(x->campaigns, n->campaign);

		if (!c)
			return s_refuse(LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN, detail, len,
					"campaign '%s' is not configured on this aggregator", n->campaign);
		const campaign_period_t *p = campaign_period_find(c, n->occasion);

		if (!p || p->kind == CAMPAIGN_PERIOD_ADHOC)
			return s_refuse(LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN, detail, len,
					"occasion '%s' is not a period of campaign '%s'%s", n->occasion,
					n->campaign, p ? " (an ad-hoc request is no occasion for an "
					"award)" : "");
		if (n->sanction[0] && campaign_sanction_find(c, n->sanction) < 0)
			return s_refuse(R_INVALID, detail, len, "sanction '%s' is not one of campaign "
					"'%s' ([awards] sanctions)", n->sanction, n->campaign);
	}
	if ((unit = hier_find(x->hier, n->unit)) < 0)
		return s_refuse(LNOB__NACK_REASON__NACK_UNKNOWN_UNIT, detail, len,
				"unit '%s' is not in the hierarchy", n->unit);
	sc = hier_find(x->hier, scope);
	if (sc < 0 || !hier_in_subtree(x->hier, sc, unit))
		return s_refuse(LNOB__NACK_REASON__NACK_OUT_OF_SCOPE, detail, len,
				"nominee unit '%s' is outside %s's scope '%s'", n->unit, signer, scope);
	return 0;
}

/* True when the envelope (signer, seq) in the log has exactly this body. */
static int s_same_body(store_t *st, MDB_txn *txn, const char *signer, uint64_t seq,
		       const ProtobufCBinaryData *body, bool *ret)
{
	Lnob__Envelope *e = NULL;
	int r = agg_envelope_get(st, txn, signer, seq, &e);

	if (r == LNOB_E_NOTFOUND)
		return LNOB_E_CORRUPT;   /* the record names an envelope the log lacks */
	if (r < 0)
		return r;
	*ret = e->body.len == body->len &&
	       (body->len == 0 || memcmp(e->body.data, body->data, body->len) == 0);
	lnob__envelope__free_unpacked(e, NULL);
	return 0;
}

/* Writes the record of a new nomination n (key) without its documents'
 * bytes, and marks the nomination it revises (prev, or NULL). */
static int s_put_nomination(const nominations_ctx_t *x, MDB_txn *txn, const char *key,
			    Lnob__Nomination *n, const Lnob__Envelope *env, const char *scope,
			    int64_t now, Lnob__NominationRecord *prev)
{
	Lnob__NominationRecord rec = LNOB__NOMINATION_RECORD__INIT;
	ProtobufCBinaryData *saved = NULL;
	uint64_t *attached = NULL;
	const size_t nd = n->n_dossier;
	int r = 0;

	if (nd) {
		saved = calloc(nd, sizeof(*saved));
		attached = calloc(nd, sizeof(*attached));
		if (!saved || !attached) {
			r = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < nd; i++) {   /* the bytes stay in the log */
		saved[i] = n->dossier[i]->content;
		attached[i] = n->dossier[i]->content.len;
		n->dossier[i]->content.data = NULL;
		n->dossier[i]->content.len = 0;
	}
	rec.signer = env->signer;
	rec.seq = env->seq;
	rec.received_at = now;
	rec.scope = (char *)scope;
	rec.nomination = n;
	rec.attached = attached;
	rec.n_attached = nd;
	rec.last_stage = ST_NONE;
	rec.holder = (char *)scope;
	r = agg_nomination_put(x->st, txn, key, &rec);
	for (size_t i = 0; i < nd; i++)
		n->dossier[i]->content = saved[i];
	if (r == 0 && prev) {
		char *was = prev->revised_by;

		prev->revised_by = (char *)key;   /* borrowed for the put */
		r = agg_nomination_put(x->st, txn, n->revises, prev);
		prev->revised_by = was;
	}
out:
	free(saved);
	free(attached);
	return r;
}

static int s_apply_nomination(const nominations_ctx_t *x, MDB_txn *txn, const Lnob__Envelope *env,
			      const char *scope, int64_t now, int *ret_reason, char *detail,
			      size_t len)
{
	Lnob__NominationRecord *old = NULL, *prev = NULL;
	Lnob__Nomination *n = NULL;
	ProtobufCMessage *m;
	char key[NOMINATION_KEY_MAX + 1], field[128];
	bool same = false;
	int r = 0, reason;

	if (codec_unpack_text(&lnob__nomination__descriptor, env->body.len ? env->body.data
			      : (const uint8_t *)"", env->body.len, env->body.len, &m, field,
			      sizeof(field)) < 0) {
		*ret_reason = s_refuse(LNOB__NACK_REASON__NACK_MALFORMED, detail, len,
				       "body does not decode as a Nomination%s%s%s", *field ? ": " : "",
				       field, *field ? ": a NUL byte in a string" : "");
		return 0;
	}
	n = (Lnob__Nomination *)m;
	if ((reason = s_check_nomination(x, n, env->signer, scope, detail, len)) != 0)
		goto out;
	snprintf(key, sizeof(key), "%s/%s", env->signer, n->id);
	r = agg_nomination_get(x->st, txn, key, &old);
	if (r == 0) {
		r = s_same_body(x->st, txn, old->signer, old->seq, &env->body, &same);
		if (r == 0 && !same)
			reason = s_refuse(R_INVALID, detail, len, "nomination id reused: %s is stored "
					  "(seq %" PRIu64 ") with other content", key, old->seq);
		goto out;   /* the same again: acked, nothing changes */
	}
	if (r != LNOB_E_NOTFOUND)
		goto out;
	if (n->revises[0]) {
		r = agg_nomination_get(x->st, txn, n->revises, &prev);
		if (r == LNOB_E_NOTFOUND) {
			r = 0;
			reason = s_refuse(LNOB__NACK_REASON__NACK_UNKNOWN_NOMINATION, detail, len,
					  "revises '%s': no such nomination is stored", n->revises);
			goto out;
		}
		if (r < 0)
			goto out;
		if (prev->last_stage != ST_RETURNED)
			reason = s_refuse(LNOB__NACK_REASON__NACK_BAD_STAGE, detail, len,
					  "revises '%s', whose last stage is %s, not returned",
					  n->revises, nominations_stage_name(prev->last_stage));
		else if (prev->revised_by[0])
			reason = s_refuse(LNOB__NACK_REASON__NACK_BAD_STAGE, detail, len,
					  "revises '%s', which was resubmitted already as '%s'",
					  n->revises, prev->revised_by);
		else if (strcmp(prev->nomination->campaign, n->campaign) != 0 ||
			 strcmp(prev->nomination->unit, n->unit) != 0)
			reason = s_refuse(R_INVALID, detail, len, "revises '%s' of campaign '%s' and "
					  "unit '%s': a resubmission keeps both", n->revises,
					  prev->nomination->campaign, prev->nomination->unit);
		if (reason)
			goto out;
	}
	r = s_put_nomination(x, txn, key, n, env, scope, now, prev);
out:
	*ret_reason = r == 0 ? reason : 0;
	if (old)
		lnob__nomination_record__free_unpacked(old, NULL);
	if (prev)
		lnob__nomination_record__free_unpacked(prev, NULL);
	lnob__nomination__free_unpacked(n, NULL);
	return r;
}

/* ---- ingest: stages ---------------------------------------------------- */

/* Where the signer of a stage must stand against the holder. */
enum { P_NONE, P_AT, P_ABOVE, P_AT_OR_ABOVE };

/* THE STAGES (nominations.h): [last][next]. */
static const unsigned char s_rule[N_STAGES][N_STAGES] = {
	[ST_NONE] = { [ST_RECEIVED] = P_AT_OR_ABOVE, [ST_ENDORSED] = P_AT,
		      [ST_RETURNED] = P_AT_OR_ABOVE, [ST_REJECTED] = P_AT_OR_ABOVE },
	[ST_RECEIVED] = { [ST_APPRAISED] = P_AT, [ST_DECIDED] = P_AT_OR_ABOVE,
			  [ST_RETURNED] = P_AT_OR_ABOVE, [ST_REJECTED] = P_AT_OR_ABOVE },
	[ST_APPRAISED] = { [ST_ENDORSED] = P_AT, [ST_DECIDED] = P_AT_OR_ABOVE,
			   [ST_RETURNED] = P_AT_OR_ABOVE, [ST_REJECTED] = P_AT_OR_ABOVE },
	[ST_ENDORSED] = { [ST_RECEIVED] = P_ABOVE, [ST_DECIDED] = P_AT_OR_ABOVE,
			  [ST_RETURNED] = P_AT_OR_ABOVE, [ST_REJECTED] = P_AT_OR_ABOVE },
};

int nominations_transition(const hier_t *hier, int last, int holder, int next, int signer,
			   char *detail, size_t len)
{
	const hier_unit_t *h = hier_unit(hier, holder), *s = hier_unit(hier, signer);
	bool at = signer == holder;
	bool above = !at && hier_in_subtree(hier, signer, holder);
	int pos;

	assert(h && s);
	if (last < 0 || last >= N_STAGES || next <= ST_NONE || next >= N_STAGES)
		return s_refuse(LNOB__NACK_REASON__NACK_BAD_STAGE, detail, len,
				"stage %d after %d: not a stage", next, last);
	if (last == ST_DECIDED || last == ST_REJECTED || last == ST_RETURNED)
		return s_refuse(LNOB__NACK_REASON__NACK_BAD_STAGE, detail, len,
				"%s after %s: the nomination is closed%s", nominations_stage_name(next),
				nominations_stage_name(last), last == ST_RETURNED ? " (resubmit it as a new "
				"nomination that revises it)" : "");
	pos = s_rule[last][next];
	if (pos == P_NONE)
		return s_refuse(LNOB__NACK_REASON__NACK_BAD_STAGE, detail, len,
				"%s cannot follow %s", nominations_stage_name(next), nominations_stage_name(last));
	if ((pos == P_AT && at) || (pos == P_ABOVE && above) || (pos == P_AT_OR_ABOVE && (at || above)))
		return 0;
	return s_refuse(LNOB__NACK_REASON__NACK_BAD_STAGE, detail, len,
			"%s after %s must be signed %s %s's level ('%s' holds it); the signer's "
			"scope is '%s'", nominations_stage_name(next), nominations_stage_name(last),
			pos == P_AT ? "at" : pos == P_ABOVE ? "above" : "at or above", h->code,
			h->code, s->code);
}

/* The field rules of a stage: kind, campaign, nomination key, texts (UTF-8,
 * bounded; the decision number one line), at and decision_date in the
 * range of times. Returns 0 or R_INVALID with detail, which names the
 * field. */
static int s_check_stage(const Lnob__Stage *s, char *detail, size_t len)
{
	char q[LNOB_QUOTE_MAX + 4];
	int r;

	if (s->kind <= ST_NONE || s->kind >= N_STAGES)
		return s_refuse(R_INVALID, detail, len, "stage kind %d is not known", (int)s->kind);
	if (!lnob_valid_id(s->campaign))
		return s_refuse(R_INVALID, detail, len, "campaign '%s' is not an id",
				lnob_quote(q, s->campaign));
	if (!nominations_key_ok(s->nomination))
		return s_refuse(R_INVALID, detail, len, "nomination '%s' is not a key SIGNER/ID",
				lnob_quote(q, s->nomination));
	if ((r = s_check_text("reason", s->reason, NOM_NOTE_MAX, false, false, detail, len)) != 0 ||
	    (r = s_check_text("note", s->note, NOM_NOTE_MAX, false, false, detail, len)) != 0 ||
	    (r = s_check_text("decision_number", s->decision_number, NOM_NAME_MAX, false, true,
			      detail, len)) != 0 ||
	    (r = s_check_time("at", s->at, detail, len)) != 0)
		return r;
	if (s->decision_date[0] && !lnob_date_valid(s->decision_date))
		return s_refuse(R_INVALID, detail, len, "decision_date '%s' is not a date "
				"YYYY-MM-DD in " LNOB_DATE_RANGE,
				lnob_quote(q, s->decision_date));
	if (s->granted_form < 0 || s->granted_form > N_FORMS)
		return s_refuse(R_INVALID, detail, len, "granted_form %d is not known",
				(int)s->granted_form);
	if ((s->kind == ST_RETURNED || s->kind == ST_REJECTED) && !s->reason[0])
		return s_refuse(R_INVALID, detail, len, "a %s stage needs a reason",
				nominations_stage_name(s->kind));
	if (s->kind == ST_DECIDED && (!s->decision_number[0] || !s->decision_date[0] ||
				      s->granted_form == 0))
		return s_refuse(R_INVALID, detail, len, "a decided stage needs the decision number, "
				"its date and the granted form");
	return 0;
}

static int s_apply_stage(const nominations_ctx_t *x, MDB_txn *txn, const Lnob__Envelope *env,
			 const char *scope, int64_t now, int *ret_reason, char *detail, size_t len)
{
	Lnob__StageRecord srec = LNOB__STAGE_RECORD__INIT;
	Lnob__NominationRecord *rec = NULL;
	Lnob__Stage *s = NULL;
	ProtobufCMessage *m;
	char *old_holder, field[128];
	int r = 0, reason, unit, sc, holder;

	if (codec_unpack_text(&lnob__stage__descriptor, env->body.len ? env->body.data
			      : (const uint8_t *)"", env->body.len, env->body.len, &m, field,
			      sizeof(field)) < 0) {
		*ret_reason = s_refuse(LNOB__NACK_REASON__NACK_MALFORMED, detail, len,
				       "body does not decode as a Stage%s%s%s", *field ? ": " : "",
				       field, *field ? ": a NUL byte in a string" : "");
		return 0;
	}
	s = (Lnob__Stage *)m;
	if ((reason = s_check_stage(s, detail, len)) != 0)
		goto out;
	r = agg_nomination_get(x->st, txn, s->nomination, &rec);
	if (r == LNOB_E_NOTFOUND) {
		r = 0;
		reason = s_refuse(LNOB__NACK_REASON__NACK_UNKNOWN_NOMINATION, detail, len,
				  "nomination '%s' is not stored", s->nomination);
		goto out;
	}
	if (r < 0)
		goto out;
	if (strcmp(rec->nomination->campaign, s->campaign) != 0) {
		reason = s_refuse(R_INVALID, detail, len, "stage names campaign '%s'; nomination "
				  "'%s' is of '%s'", s->campaign, s->nomination,
				  rec->nomination->campaign);
		goto out;
	}
	if ((unit = hier_find(x->hier, rec->nomination->unit)) < 0) {
		reason = s_refuse(LNOB__NACK_REASON__NACK_UNKNOWN_UNIT, detail, len, "nominee unit "
				  "'%s' is no longer in the hierarchy", rec->nomination->unit);
		goto out;
	}
	sc = hier_find(x->hier, scope);
	if (sc < 0 || !hier_in_subtree(x->hier, sc, unit)) {
		reason = s_refuse(LNOB__NACK_REASON__NACK_OUT_OF_SCOPE, detail, len,
				  "nomination '%s' is for unit '%s', outside %s's scope '%s'",
				  s->nomination, rec->nomination->unit, env->signer, scope);
		goto out;
	}
	if ((holder = hier_find(x->hier, rec->holder)) < 0)
		holder = unit;   /* the holder left the hierarchy: judge from the nominee */
	reason = nominations_transition(x->hier, rec->last_stage, holder, s->kind, sc, detail, len);
	if (reason)
		goto out;

	srec.signer = env->signer;
	srec.seq = env->seq;
	srec.received_at = now;
	srec.scope = (char *)scope;
	srec.stage = s;
	r = agg_stage_put(x->st, txn, s->nomination, rec->stages, &srec);
	if (r == LNOB_E_EXISTS)
		r = LNOB_E_CORRUPT;   /* a stage beyond the record's count */
	if (r == 0) {
		old_holder = rec->holder;
		rec->stages++;
		rec->last_stage = s->kind;
		rec->holder = (char *)scope;
		r = agg_nomination_put(x->st, txn, s->nomination, rec);
		rec->holder = old_holder;
	}
out:
	*ret_reason = r == 0 ? reason : 0;
	if (rec)
		lnob__nomination_record__free_unpacked(rec, NULL);
	lnob__stage__free_unpacked(s, NULL);
	return r;
}

int nominations_apply(const nominations_ctx_t *x, MDB_txn *txn, const Lnob__Envelope *env,
		      const char *scope, int64_t now, int *ret_reason, char *detail,
		      size_t detail_len)
{
	assert(x && x->st && x->hier && txn && env && scope && ret_reason);
	*ret_reason = 0;
	detail[0] = '\0';
	if (env->kind == LNOB__KIND__KIND_NOMINATION)
		return s_apply_nomination(x, txn, env, scope, now, ret_reason, detail, detail_len);
	if (env->kind == LNOB__KIND__KIND_STAGE)
		return s_apply_stage(x, txn, env, scope, now, ret_reason, detail, detail_len);
	*ret_reason = s_refuse(LNOB__NACK_REASON__NACK_UNKNOWN_KIND, detail, detail_len,
			       "kind not accepted here");
	return 0;
}

