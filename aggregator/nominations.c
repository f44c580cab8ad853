/* nominations.c: nominations, their stages and their views at the
 * aggregator (see nominations.h). */
#include "nominations.h"

#include <assert.h>
#include <csv.h>
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
#include "report.h"
#include "util.h"

#define NOM_NAME_MAX 512        /* nominee name, document title, decision number */
#define NOM_TEXT_MAX 65536      /* summary */
#define NOM_NOTE_MAX 4096       /* reason, note, vote */
#define NOM_DOCS_MAX 64         /* documents of a dossier */
#define NOM_CHAIN_MAX 64        /* earlier nominations `--nomination` follows */

#define N_FORMS 4               /* AwardForm 1..4 */
#define N_KINDS 4               /* NomineeKind 1..4 */
#define N_STAGES 7              /* StageKind 0..6 (0: proposed) */

#define ST_NONE LNOB__STAGE_KIND__STAGE_UNSPECIFIED
#define ST_RECEIVED LNOB__STAGE_KIND__STAGE_RECEIVED
#define ST_APPRAISED LNOB__STAGE_KIND__STAGE_APPRAISED
#define ST_ENDORSED LNOB__STAGE_KIND__STAGE_ENDORSED
#define ST_RETURNED LNOB__STAGE_KIND__STAGE_RETURNED
#define ST_REJECTED LNOB__STAGE_KIND__STAGE_REJECTED
#define ST_DECIDED LNOB__STAGE_KIND__STAGE_DECIDED

#define R_INVALID LNOB__NACK_REASON__NACK_INVALID

static const char *const s_stage_names[N_STAGES] = {
	[ST_NONE] = "proposed", [ST_RECEIVED] = "received", [ST_APPRAISED] = "appraised",
	[ST_ENDORSED] = "endorsed", [ST_RETURNED] = "returned", [ST_REJECTED] = "rejected",
	[ST_DECIDED] = "decided",
};

static const char *const s_doc_names[] = {
	"unspecified", "proposal", "council_minutes", "achievement_report",
};

/* ---- names and small checks ------------------------------------------- */

static const char *s_stage_name(int k)
{
	return k >= 0 && k < N_STAGES ? s_stage_names[k] : "unknown";
}

/* AwardForm 1..4 to its campaign code ("giay_khen" ...), else "unknown". */
static const char *s_form_name(int f)
{
	const char *s = f >= 1 && f <= N_FORMS ? campaign_award_form_code(f - 1) : NULL;

	return s ? s : "unknown";
}

/* NomineeKind 1..4 to its campaign code ("collective" ...), else "unknown". */
static const char *s_kind_name(int k)
{
	const char *s = k >= 1 && k <= N_KINDS ? campaign_nominee_kind_code(k - 1) : NULL;

	return s ? s : "unknown";
}

static const char *s_doc_name(int k)
{
	return k >= 1 && k <= 3 ? s_doc_names[k] : "unknown";
}

/* True when key is "<signer>/<id>", both valid ids. */
static bool s_key_ok(const char *key)
{
	const char *slash = strchr(key, '/');
	char signer[LNOB_ID_MAX + 1];
	size_t n;

	if (!slash || (n = (size_t)(slash - key)) == 0 || n > LNOB_ID_MAX)
		return false;
	memcpy(signer, key, n);
	signer[n] = '\0';
	return lnob_valid_id(signer) && lnob_valid_id(slash + 1);
}

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

/* ---- records ----------------------------------------------------------- */

/* The NominationRecord stored under key. Caller frees *ret. Returns 0,
 * LNOB_E_NOTFOUND, LNOB_E_CORRUPT or a store error. */
static int s_rec_get(store_t *st, MDB_txn *txn, const char *key, Lnob__NominationRecord **ret)
{
	ProtobufCMessage *m;
	MDB_val v;
	int r = store_get(txn, store_dbi(st, AGG_DB_NOMINATIONS), key, strlen(key), &v);

	if (r < 0)
		return r;
	if (codec_unpack(&lnob__nomination_record__descriptor,
			 v.mv_size ? v.mv_data : (const uint8_t *)"", v.mv_size, SIZE_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__NominationRecord *)m;
	if (!(*ret)->nomination) {
		lnob__nomination_record__free_unpacked(*ret, NULL);
		*ret = NULL;
		return LNOB_E_CORRUPT;
	}
	return 0;
}

static int s_rec_put(store_t *st, MDB_txn *txn, const char *key, const Lnob__NominationRecord *rec)
{
	uint8_t *buf;
	size_t len;
	int r = codec_pack(&rec->base, &buf, &len);

	if (r < 0)
		return r;
	r = store_put(txn, store_dbi(st, AGG_DB_NOMINATIONS), key, strlen(key), buf, len, 0);
	free(buf);
	return r;
}

/* The stages key of (key, index) into out (NOMINATION_KEY_MAX + 9 bytes);
 * returns its length. */
static size_t s_stage_key(uint8_t *out, const char *key, uint64_t index)
{
	size_t n = strlen(key);

	assert(n <= NOMINATION_KEY_MAX);
	memcpy(out, key, n);
	out[n] = 0;
	lnob_be64_put(out + n + 1, index);
	return n + 1 + 8;
}

static int s_stage_get(store_t *st, MDB_txn *txn, const char *key, uint64_t index,
		       Lnob__StageRecord **ret)
{
	uint8_t k[NOMINATION_KEY_MAX + 9];
	size_t klen = s_stage_key(k, key, index);
	ProtobufCMessage *m;
	MDB_val v;
	int r = store_get(txn, store_dbi(st, AGG_DB_STAGES), k, klen, &v);

	if (r < 0)
		return r == LNOB_E_NOTFOUND ? LNOB_E_CORRUPT : r;   /* the record counts it */
	if (codec_unpack(&lnob__stage_record__descriptor, v.mv_size ? v.mv_data : (const uint8_t *)"",
			 v.mv_size, SIZE_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__StageRecord *)m;
	if (!(*ret)->stage) {
		lnob__stage_record__free_unpacked(*ret, NULL);
		*ret = NULL;
		return LNOB_E_CORRUPT;
	}
	return 0;
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
	if (n->revises[0] && !s_key_ok(n->revises))
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
		if (!campaign_period_find(c, n->occasion))
			return s_refuse(LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN, detail, len,
					"occasion '%s' is not a period of campaign '%s'", n->occasion,
					n->campaign);
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
	uint8_t k[AGG_KEY_MAX];
	size_t klen = agg_key_envelope(k, signer, seq);
	Lnob__Envelope *e = NULL;
	MDB_val v;
	int r = klen ? store_get(txn, store_dbi(st, AGG_DB_ENVELOPES), k, klen, &v) : LNOB_E_INVALID;

	if (r == LNOB_E_NOTFOUND)
		return LNOB_E_CORRUPT;   /* the record names an envelope the log lacks */
	if (r < 0)
		return r;
	if (envelope_open(v.mv_data, v.mv_size, SIZE_MAX / 2, &e) < 0)
		return LNOB_E_CORRUPT;
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
	r = s_rec_put(x->st, txn, key, &rec);
	for (size_t i = 0; i < nd; i++)
		n->dossier[i]->content = saved[i];
	if (r == 0 && prev) {
		char *was = prev->revised_by;

		prev->revised_by = (char *)key;   /* borrowed for the put */
		r = s_rec_put(x->st, txn, n->revises, prev);
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
	char key[NOMINATION_KEY_MAX + 1];
	bool same = false;
	int r = 0, reason;

	if (codec_unpack(&lnob__nomination__descriptor, env->body.len ? env->body.data : (const uint8_t *)"",
			 env->body.len, env->body.len, &m) < 0) {
		*ret_reason = s_refuse(LNOB__NACK_REASON__NACK_MALFORMED, detail, len,
				       "body does not decode as a Nomination");
		return 0;
	}
	n = (Lnob__Nomination *)m;
	if ((reason = s_check_nomination(x, n, env->signer, scope, detail, len)) != 0)
		goto out;
	snprintf(key, sizeof(key), "%s/%s", env->signer, n->id);
	r = s_rec_get(x->st, txn, key, &old);
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
		r = s_rec_get(x->st, txn, n->revises, &prev);
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
					  n->revises, s_stage_name(prev->last_stage));
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
				"%s after %s: the nomination is closed%s", s_stage_name(next),
				s_stage_name(last), last == ST_RETURNED ? " (resubmit it as a new "
				"nomination that revises it)" : "");
	pos = s_rule[last][next];
	if (pos == P_NONE)
		return s_refuse(LNOB__NACK_REASON__NACK_BAD_STAGE, detail, len,
				"%s cannot follow %s", s_stage_name(next), s_stage_name(last));
	if ((pos == P_AT && at) || (pos == P_ABOVE && above) || (pos == P_AT_OR_ABOVE && (at || above)))
		return 0;
	return s_refuse(LNOB__NACK_REASON__NACK_BAD_STAGE, detail, len,
			"%s after %s must be signed %s %s's level ('%s' holds it); the signer's "
			"scope is '%s'", s_stage_name(next), s_stage_name(last),
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
	if (!s_key_ok(s->nomination))
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
				s_stage_name(s->kind));
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
	uint8_t k[NOMINATION_KEY_MAX + 9], *buf = NULL;
	size_t klen, blen;
	char *old_holder;
	int r = 0, reason, unit, sc, holder;

	if (codec_unpack(&lnob__stage__descriptor, env->body.len ? env->body.data : (const uint8_t *)"",
			 env->body.len, env->body.len, &m) < 0) {
		*ret_reason = s_refuse(LNOB__NACK_REASON__NACK_MALFORMED, detail, len,
				       "body does not decode as a Stage");
		return 0;
	}
	s = (Lnob__Stage *)m;
	if ((reason = s_check_stage(s, detail, len)) != 0)
		goto out;
	r = s_rec_get(x->st, txn, s->nomination, &rec);
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
	klen = s_stage_key(k, s->nomination, rec->stages);
	r = codec_pack(&srec.base, &buf, &blen);
	if (r == 0)
		r = store_put(txn, store_dbi(x->st, AGG_DB_STAGES), k, klen, buf, blen, MDB_NOOVERWRITE);
	if (r == LNOB_E_EXISTS)
		r = LNOB_E_CORRUPT;   /* a stage beyond the record's count */
	if (r == 0) {
		old_holder = rec->holder;
		rec->stages++;
		rec->last_stage = s->kind;
		rec->holder = (char *)scope;
		r = s_rec_put(x->st, txn, s->nomination, rec);
		rec->holder = old_holder;
	}
out:
	*ret_reason = r == 0 ? reason : 0;
	free(buf);
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

/* ---- eligibility -------------------------------------------------------- */

/* The units_reported of (campaign, period, unit code)'s rollup. */
static int s_units_reported(store_t *st, MDB_txn *txn, const campaign_t *c, const char *period,
			    const char *code, unsigned *ret)
{
	Lnob__RollupRecord *rec = NULL;
	int r = agg_rollup_get(st, txn, campaign_id(c), period, code, &rec);

	if (r < 0)
		return r;
	*ret = rec->units_reported;
	lnob__rollup_record__free_unpacked(rec, NULL);
	return 0;
}

/* award_inputs_t.evaluate over figures (figures.h): each target on its
 * indicator's own basis, as the rollup view judges it. */
static int s_evaluate(void *ctx, const campaign_target_t *t, campaign_eval_t *ret)
{
	figures_eval_t fe;
	int r = figures_evaluate(ctx, t, &fe);

	if (r == 0)
		*ret = fe.ev;
	return r;
}

/* The nominee's contributions as the campaign's rules read them: the
 * nomination's one total, put where each rule for this kind looks (an
 * amount: itself; a sum of amounts: its first part, the others 0). */
static void s_contributions(const campaign_t *c, campaign_nominee_kind_t kind, uint64_t total,
			    campaign_counts_t *k)
{
	campaign_counts_clear(k);
	if (total > (uint64_t)REPORT_VALUE_MAX)
		return;
	for (size_t i = 0; i < campaign_award_rule_count(c); i++) {
		const campaign_award_rule_t *rule = campaign_award_rule(c, (int)i);
		int ind = rule->contribution[kind].indicator;
		const campaign_indicator_t *d = ind >= 0 ? campaign_indicator(c, ind) : NULL;
		bool any = false;

		if (!d)
			continue;
		if (d->kind == CAMPAIGN_IND_AMOUNT) {
			if (!k->has[ind])
				(void)campaign_counts_set(c, k, d->code, (int64_t)total);
			continue;
		}
		if (d->kind != CAMPAIGN_IND_SUM)
			continue;
		for (size_t p = 0; p < d->nparts; p++)
			any = any || k->has[d->parts[p]];
		for (size_t p = 0; !any && p < d->nparts; p++)
			(void)campaign_counts_set(c, k, campaign_indicator(c, d->parts[p])->code,
						  p == 0 ? (int64_t)total : 0);
	}
}

static json_t *s_no_verdict(const char *why)
{
	return json_pack("{s:n, s:s, s:n, s:n}", "verdict", "reason", why, "rule", "highest_form");
}

/* *ret = a verdict-less answer saying why. */
static int s_none(json_t **ret, const char *why)
{
	*ret = s_no_verdict(why);
	return *ret ? 0 : -ENOMEM;
}

static const char *s_verdict_code(award_verdict_t v)
{
	return v == AWARD_ELIGIBLE ? "eligible" : v == AWARD_NOT_ELIGIBLE ? "not_eligible" : "no_data";
}

/* The advisory verdict on n (nominations.h, ELIGIBILITY) as JSON:
 * {"verdict", "reason", "rule", "highest_form"}; verdict null when there is
 * nothing to judge by, reason saying why. Caller owns *ret. */
static int s_eligibility(const nominations_ctx_t *x, MDB_txn *txn, const Lnob__Nomination *n,
			 json_t **ret)
{
	const campaign_t *c = x->campaigns ? campaigns_find(x->campaigns, n->campaign) : NULL;
	const campaign_period_t *p;
	campaign_counts_t gift;
	award_result_t res, all[CAMPAIGN_AWARD_FORMS];
	award_nominee_t who;
	award_inputs_t in = { 0 };
	unsigned units = 0;
	figures_t *f;
	int unit, top = AWARD_NONE, r;

	*ret = NULL;
	if (!c)
		return s_none(ret, "the campaign is not configured on this aggregator");
	if (campaign_award_rule_count(c) == 0)
		return s_none(ret, "the campaign file has no award rules");
	if (!(p = campaign_period_find(c, n->occasion)))
		return s_none(ret, "the occasion is not a period of the campaign");
	if ((unit = hier_find(x->hier, n->unit)) < 0)
		return s_none(ret, "the nominee's unit is not in the hierarchy");
	if (n->nominee_kind < 1 || n->nominee_kind > N_KINDS || n->form < 1 || n->form > N_FORMS)
		return s_none(ret, "unknown nominee kind or form");

	who.kind = (campaign_nominee_kind_t)(n->nominee_kind - 1);
	who.unit = unit;
	who.sanction = !n->sanction[0] ? 0 : campaign_sanction_find(c, n->sanction);
	if (who.sanction < 0)
		who.sanction = AWARD_SANCTION_UNKNOWN;
	if (!(f = malloc(sizeof(*f))))
		return -ENOMEM;
	r = figures_build(x->st, txn, x->hier, c, p, unit, f);
	if (r == 0)
		r = s_units_reported(x->st, txn, c, p->id, n->unit, &units);
	if (r < 0) {
		free(f);
		return r;
	}
	s_contributions(c, who.kind, n->contribution_vnd, &gift);
	in.baseline = &f->ind[0].base;   /* required; the figures judge (s_evaluate) */
	in.current = &f->ind[0].cur;
	in.contributions = &gift;
	in.evaluate = s_evaluate;
	in.evaluate_ctx = f;
	r = award_check(c, x->hier, &who, (campaign_award_form_t)(n->form - 1), p, &in, &res);
	if (r == 0)
		r = award_highest(c, x->hier, &who, p, &in, &top, all);
	free(f);
	if (r < 0)
		return s_none(ret, "the award rules cannot judge this nomination");
	*ret = json_pack("{s:s, s:s, s:o, s:o, s:I}", "verdict", s_verdict_code(res.verdict),
			 "reason", res.text, "rule", res.rule ? json_string(res.rule->id) : json_null(),
			 "highest_form", top == AWARD_NONE ? json_null()
			 : json_string(campaign_award_form_code((campaign_award_form_t)top)),
			 "units_reported", (json_int_t)units);
	return *ret ? 0 : -ENOMEM;
}

/* ---- views -------------------------------------------------------------- */

static json_t *s_str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

/* One stage as JSON. */
static json_t *s_stage_json(uint64_t index, const Lnob__StageRecord *sr)
{
	const Lnob__Stage *s = sr->stage;

	return json_pack("{s:I, s:s, s:s, s:I, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
			 "index", (json_int_t)index, "stage", s_stage_name(s->kind),
			 "signer", sr->signer, "seq", (json_int_t)sr->seq, "scope", sr->scope,
			 "at", (json_int_t)s->at, "received_at", (json_int_t)sr->received_at,
			 "reason", s_str_or_null(s->reason), "note", s_str_or_null(s->note),
			 "decision_number", s_str_or_null(s->decision_number),
			 "decision_date", s_str_or_null(s->decision_date),
			 "granted_form", s->granted_form ? json_string(s_form_name(s->granted_form))
			 : json_null());
}

/* The row of one nomination: what `nominations` lists and counts. Caller
 * owns *ret. */
static int s_row(const nominations_ctx_t *x, MDB_txn *txn, const char *key,
		 const Lnob__NominationRecord *rec, json_t **ret)
{
	const Lnob__Nomination *n = rec->nomination;
	int unit = hier_find(x->hier, n->unit);
	const hier_unit_t *u = unit >= 0 ? hier_unit(x->hier, unit) : NULL;
	Lnob__StageRecord *last = NULL;
	json_t *elig = NULL, *row, *cur;
	int r;

	if (rec->stages > 0 && (r = s_stage_get(x->st, txn, key, rec->stages - 1, &last)) < 0)
		return r;
	if ((r = s_eligibility(x, txn, n, &elig)) < 0) {
		if (last)
			lnob__stage_record__free_unpacked(last, NULL);
		return r;
	}
	cur = last ? s_stage_json(rec->stages - 1, last)
		   : json_pack("{s:s, s:s, s:I, s:s, s:I, s:I}", "stage", "proposed", "signer",
			       rec->signer, "seq", (json_int_t)rec->seq, "scope", rec->scope,
			       "at", (json_int_t)n->proposed_at,
			       "received_at", (json_int_t)rec->received_at);
	row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:I, s:o,"
			" s:s, s:o, s:o, s:I, s:I, s:o}",
			"key", key, "signer", rec->signer, "id", n->id, "campaign", n->campaign,
			"occasion", n->occasion, "nominee_kind", s_kind_name(n->nominee_kind),
			"nominee_name", n->nominee_name, "unit", n->unit,
			"unit_name", u ? json_string(u->name) : json_null(),
			"level", u ? json_string(u->level) : json_null(),
			"form", s_form_name(n->form), "stage", s_stage_name(rec->last_stage),
			"stages", (json_int_t)rec->stages, "current", cur,
			"holder", rec->holder, "revises", s_str_or_null(n->revises),
			"revised_by", s_str_or_null(rec->revised_by),
			"proposed_at", (json_int_t)n->proposed_at,
			"received_at", (json_int_t)rec->received_at, "eligibility", elig);
	if (last)
		lnob__stage_record__free_unpacked(last, NULL);
	if (!row)
		return -ENOMEM;
	*ret = row;
	return 0;
}

/* Every stage of key, in order, as a JSON array. */
static int s_history(const nominations_ctx_t *x, MDB_txn *txn, const char *key,
		     const Lnob__NominationRecord *rec, json_t **ret)
{
	json_t *a = json_array();
	int r = a ? 0 : -ENOMEM;

	for (uint32_t i = 0; r == 0 && i < rec->stages; i++) {
		Lnob__StageRecord *sr = NULL;

		r = s_stage_get(x->st, txn, key, i, &sr);
		if (r == 0 && json_array_append_new(a, s_stage_json(i, sr)) < 0)
			r = -ENOMEM;
		if (sr)
			lnob__stage_record__free_unpacked(sr, NULL);
	}
	if (r < 0) {
		json_decref(a);
		return r;
	}
	*ret = a;
	return 0;
}

/* The row of key with everything else: summary, dossier, history. */
static int s_full(const nominations_ctx_t *x, MDB_txn *txn, const char *key,
		  const Lnob__NominationRecord *rec, json_t **ret)
{
	const Lnob__Nomination *n = rec->nomination;
	json_t *row = NULL, *docs = json_array(), *hist = NULL;
	int r = docs ? s_row(x, txn, key, rec, &row) : -ENOMEM;

	if (r == 0)
		r = s_history(x, txn, key, rec, &hist);
	for (size_t i = 0; r == 0 && i < n->n_dossier; i++) {
		const Lnob__Document *d = n->dossier[i];
		char hex[2 * 32 + 1] = "";

		if (d->sha256.len == 32)
			lnob_hex(hex, d->sha256.data, 32);
		if (json_array_append_new(docs, json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}",
				"kind", s_doc_name(d->kind), "title", d->title, "sha256", hex,
				"size", (json_int_t)d->size,
				"attached", (json_int_t)(i < rec->n_attached ? rec->attached[i] : 0),
				"vote", s_str_or_null(d->vote))) < 0)
			r = -ENOMEM;
	}
	if (r == 0 && (json_object_set_new(row, "summary", json_string(n->summary)) < 0 ||
		       json_object_set_new(row, "contribution_vnd",
					   json_integer((json_int_t)n->contribution_vnd)) < 0 ||
		       json_object_set_new(row, "sanction", json_string(n->sanction[0] ? n->sanction
												: "none")) < 0 ||
		       json_object_set_new(row, "seq", json_integer((json_int_t)rec->seq)) < 0 ||
		       json_object_set_new(row, "scope", json_string(rec->scope)) < 0 ||
		       json_object_set(row, "dossier", docs) < 0 ||
		       json_object_set(row, "history", hist) < 0))
		r = -ENOMEM;
	json_decref(docs);
	json_decref(hist);
	if (r < 0) {
		json_decref(row);
		return r;
	}
	*ret = row;
	return 0;
}

int nominations_one(const nominations_ctx_t *x, MDB_txn *txn, const char *key, json_t **ret)
{
	Lnob__NominationRecord *rec = NULL;
	json_t *one = NULL, *earlier = json_array();
	char at[NOMINATION_KEY_MAX + 1];
	int r = earlier ? 0 : -ENOMEM;

	if (r == 0 && !s_key_ok(key))
		r = LNOB_E_NOTFOUND;
	if (r == 0)
		r = s_rec_get(x->st, txn, key, &rec);
	if (r == 0)
		r = s_full(x, txn, key, rec, &one);
	/* The nominations it revises, most recent first, each with its history. */
	for (int i = 0; r == 0 && rec->nomination->revises[0] && i < NOM_CHAIN_MAX; i++) {
		json_t *e = NULL;

		lnob_strlcpy(at, rec->nomination->revises, sizeof(at));
		lnob__nomination_record__free_unpacked(rec, NULL);
		rec = NULL;
		r = s_rec_get(x->st, txn, at, &rec);
		if (r == LNOB_E_NOTFOUND)
			r = LNOB_E_CORRUPT;   /* ingest checked it was stored */
		if (r == 0)
			r = s_full(x, txn, at, rec, &e);
		if (r == 0 && json_array_append_new(earlier, e) < 0)
			r = -ENOMEM;
	}
	if (rec)
		lnob__nomination_record__free_unpacked(rec, NULL);
	if (r == 0 && json_object_set(one, "earlier", earlier) < 0)
		r = -ENOMEM;
	json_decref(earlier);
	if (r < 0) {
		json_decref(one);
		return r;
	}
	*ret = one;
	return 0;
}

/* A group of counts: {"count", "by_form", "by_stage", "by_kind"}, every
 * bucket {"count", "nominations": [keys]}. */
static json_t *s_group_new(void)
{
	json_t *g = json_pack("{s:i, s:o, s:o, s:o}", "count", 0, "by_form", json_object(),
			      "by_stage", json_object(), "by_kind", json_object());
	json_t *f = json_object_get(g, "by_form"), *s = json_object_get(g, "by_stage"),
	       *k = json_object_get(g, "by_kind");
	bool ok = g && f && s && k;

	for (int i = 1; ok && i <= N_FORMS; i++)
		ok = json_object_set_new(f, s_form_name(i), json_pack("{s:i, s:[]}", "count", 0,
								      "nominations")) == 0;
	for (int i = 0; ok && i < N_STAGES; i++)
		ok = json_object_set_new(s, s_stage_names[i], json_pack("{s:i, s:[]}", "count", 0,
									"nominations")) == 0;
	for (int i = 1; ok && i <= N_KINDS; i++)
		ok = json_object_set_new(k, s_kind_name(i), json_pack("{s:i, s:[]}", "count", 0,
								      "nominations")) == 0;
	if (!ok) {
		json_decref(g);
		return NULL;
	}
	return g;
}

/* Counts one entry into bucket name of g's by (when there is one). */
static int s_bump(json_t *bucket, const char *key)
{
	json_t *n = json_object_get(bucket, "count");

	if (!bucket || !n)
		return 0;   /* an unknown name: counted in the total only */
	if (json_integer_set(n, json_integer_value(n) + 1) < 0 ||
	    json_array_append_new(json_object_get(bucket, "nominations"), json_string(key)) < 0)
		return -ENOMEM;
	return 0;
}

static int s_group_add(json_t *g, const json_t *row)
{
	const char *key = json_string_value(json_object_get(row, "key"));
	json_t *n = json_object_get(g, "count");
	int r = json_integer_set(n, json_integer_value(n) + 1) < 0 ? -ENOMEM : 0;

	if (r == 0)
		r = s_bump(json_object_get(json_object_get(g, "by_form"),
					   json_string_value(json_object_get(row, "form"))), key);
	if (r == 0)
		r = s_bump(json_object_get(json_object_get(g, "by_stage"),
					   json_string_value(json_object_get(row, "stage"))), key);
	if (r == 0)
		r = s_bump(json_object_get(json_object_get(g, "by_kind"),
					   json_string_value(json_object_get(row, "nominee_kind"))), key);
	return r;
}

/* The levels of root's subtree, shallowest first (ties in file order), as
 * {"level": name, ...group} objects appended to levels. */
static int s_levels(const hier_t *hier, int root, json_t *levels)
{
	unsigned depth_max = 0;

	for (size_t i = 0; i < hier_count(hier); i++)
		if (hier_in_subtree(hier, root, (int)i) && hier_unit(hier, (int)i)->depth > depth_max)
			depth_max = hier_unit(hier, (int)i)->depth;
	for (unsigned d = hier_unit(hier, root)->depth; d <= depth_max; d++)
		for (size_t i = 0; i < hier_count(hier); i++) {
			const hier_unit_t *u = hier_unit(hier, (int)i);
			size_t j;
			json_t *l, *g;

			if (u->depth != d || !hier_in_subtree(hier, root, (int)i))
				continue;
			json_array_foreach(levels, j, l)
				if (strcmp(json_string_value(json_object_get(l, "level")), u->level) == 0)
					break;
			if (j < json_array_size(levels))
				continue;
			if (!(g = s_group_new()) ||
			    json_object_set_new(g, "level", json_string(u->level)) < 0 ||
			    json_array_append_new(levels, g) < 0)
				return -ENOMEM;
		}
	return 0;
}

/* Counts row (of hierarchy unit `unit`) into the total, its level and the
 * child of the root whose subtree holds it. */
static int s_count_row(const hier_t *hier, json_t *view, const json_t *row, int unit)
{
	const hier_unit_t *u = hier_unit(hier, unit);
	json_t *l, *ch;
	size_t i;
	int r = s_group_add(json_object_get(view, "total"), row);

	json_array_foreach(json_object_get(view, "levels"), i, l)
		if (r == 0 && strcmp(json_string_value(json_object_get(l, "level")), u->level) == 0)
			r = s_group_add(l, row);
	json_array_foreach(json_object_get(view, "children"), i, ch)
		if (r == 0 && hier_in_subtree(hier, hier_find(hier, json_string_value(
				json_object_get(ch, "code"))), unit))
			r = s_group_add(ch, row);
	return r;
}

/* The head of a view: campaign, occasion, unit, empty groups. */
static json_t *s_view_head(const nominations_ctx_t *x, const nominations_query_t *q)
{
	const hier_unit_t *u = hier_unit(x->hier, q->unit);
	const campaign_t *c = x->campaigns ? campaigns_find(x->campaigns, q->campaign) : NULL;
	json_t *v, *children = json_array();
	const int *kids;
	size_t nk = hier_children(x->hier, q->unit, &kids);

	for (size_t i = 0; children && i < nk; i++) {
		const hier_unit_t *k = hier_unit(x->hier, kids[i]);
		json_t *g = s_group_new();

		if (!g || json_object_set_new(g, "code", json_string(k->code)) < 0 ||
		    json_object_set_new(g, "name", json_string(k->name)) < 0 ||
		    json_object_set_new(g, "level", json_string(k->level)) < 0 ||
		    json_array_append_new(children, g) < 0) {
			json_decref(children);
			return NULL;
		}
	}
	v = json_pack("{s:s, s:o, s:o, s:{s:s, s:s, s:s}, s:I, s:o, s:o, s:o, s:o}",
		      "campaign", q->campaign,
		      "campaign_name", c ? json_string(campaign_name(c)) : json_null(),
		      "occasion", s_str_or_null(q->occasion),
		      "unit", "code", u->code, "name", u->name, "level", u->level,
		      "generated_at", (json_int_t)q->now, "total", s_group_new(),
		      "levels", json_array(), "children", children, "nominations", json_array());
	if (v && s_levels(x->hier, q->unit, json_object_get(v, "levels")) < 0) {
		json_decref(v);
		return NULL;
	}
	return v;
}

int nominations_view(const nominations_ctx_t *x, MDB_txn *txn, const nominations_query_t *q,
		     json_t **ret, char *err, size_t errlen)
{
	json_t *view = s_view_head(x, q), *rows;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r = view ? 0 : -ENOMEM, mr = MDB_NOTFOUND;

	if (r == 0 && (r = mdb_cursor_open(txn, store_dbi(x->st, AGG_DB_NOMINATIONS), &cur)) != 0)
		r = r > 0 ? -r : r;
	rows = json_object_get(view, "nominations");
	for (mr = r ? MDB_NOTFOUND : mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0 && mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char key[NOMINATION_KEY_MAX + 1];
		ProtobufCMessage *m;
		Lnob__NominationRecord *rec;
		const Lnob__Nomination *n;
		json_t *row = NULL;
		int unit;

		if (k.mv_size > NOMINATION_KEY_MAX ||
		    codec_unpack(&lnob__nomination_record__descriptor,
				 v.mv_size ? v.mv_data : (const uint8_t *)"", v.mv_size, SIZE_MAX,
				 &m) < 0) {
			snprintf(err, errlen, "nominations: a record does not decode");
			r = LNOB_E_CORRUPT;
			break;
		}
		memcpy(key, k.mv_data, k.mv_size);
		key[k.mv_size] = '\0';
		rec = (Lnob__NominationRecord *)m;
		n = rec->nomination;
		if (n && strcmp(n->campaign, q->campaign) == 0 &&
		    (!q->occasion || strcmp(n->occasion, q->occasion) == 0) &&
		    (unit = hier_find(x->hier, n->unit)) >= 0 &&
		    hier_in_subtree(x->hier, q->unit, unit)) {
			r = s_row(x, txn, key, rec, &row);
			if (r == 0)
				r = s_count_row(x->hier, view, row, unit);
			if (r == 0 && json_array_append_new(rows, row) < 0)
				r = -ENOMEM;
			else if (r < 0)
				json_decref(row);
		}
		lnob__nomination_record__free_unpacked(rec, NULL);
	}
	if (r == 0 && mr != MDB_NOTFOUND)
		r = mr > 0 ? -mr : mr;
	if (cur)
		mdb_cursor_close(cur);
	if (r < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s", lnob_strerror(r));
		json_decref(view);
		return r;
	}
	*ret = view;
	return 0;
}

/* ---- printing ----------------------------------------------------------- */

static const char *s_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* "giay_khen 1, bang_khen_province 2" for the non-zero buckets of by. */
static void s_print_buckets(FILE *out, const char *label, const json_t *by)
{
	const char *name;
	json_t *b;
	bool any = false;

	fprintf(out, "  %-7s", label);
	json_object_foreach((json_t *)by, name, b) {
		json_int_t n = json_integer_value(json_object_get(b, "count"));

		if (n) {
			fprintf(out, "%s %s %lld", any ? "," : "", name, (long long)n);
			any = true;
		}
	}
	fprintf(out, "%s\n", any ? "" : " -");
}

static void s_print_group(FILE *out, const char *title, const json_t *g)
{
	fprintf(out, "%s: %lld\n", title, (long long)json_integer_value(json_object_get(g, "count")));
	if (!json_integer_value(json_object_get(g, "count")))
		return;
	s_print_buckets(out, "forms", json_object_get(g, "by_form"));
	s_print_buckets(out, "stages", json_object_get(g, "by_stage"));
	s_print_buckets(out, "kinds", json_object_get(g, "by_kind"));
}

void nominations_print(FILE *out, const json_t *view)
{
	const json_t *u = json_object_get(view, "unit"), *g, *row;
	char title[512];
	size_t i, j;

	fprintf(out, "Nominations of %s, %s%s, in %s %s (%s)\n\n", s_jstr(view, "campaign"),
		json_is_string(json_object_get(view, "occasion")) ? "occasion " : "",
		json_is_string(json_object_get(view, "occasion")) ? s_jstr(view, "occasion")
								  : "every occasion",
		s_jstr(u, "code"), s_jstr(u, "name"), s_jstr(u, "level"));
	snprintf(title, sizeof(title), "%s and below", s_jstr(u, "code"));
	s_print_group(out, title, json_object_get(view, "total"));
	json_array_foreach(json_object_get(view, "levels"), i, g) {
		snprintf(title, sizeof(title), "level %s", s_jstr(g, "level"));
		s_print_group(out, title, g);
	}
	json_array_foreach(json_object_get(view, "children"), i, g) {
		snprintf(title, sizeof(title), "%s %s (%s)", s_jstr(g, "code"), s_jstr(g, "name"),
			 s_jstr(g, "level"));
		s_print_group(out, title, g);
	}
	json_array_foreach(json_object_get(view, "levels"), i, g) {
		if (!json_integer_value(json_object_get(g, "count")))
			continue;
		fprintf(out, "\n%s:\n  ", s_jstr(g, "level"));
		lnob_fput_col(out, "KEY", 24, true);
		lnob_fput_col(out, " NOMINEE", 26, true);
		lnob_fput_col(out, " UNIT", 14, true);
		lnob_fput_col(out, " FORM", 22, true);
		lnob_fput_col(out, " STAGE", 11, true);
		fprintf(out, " ELIGIBILITY\n");
		json_array_foreach(json_object_get(view, "nominations"), j, row) {
			const json_t *e = json_object_get(row, "eligibility");
			char cell[640];

			if (strcmp(s_jstr(row, "level"), s_jstr(g, "level")) != 0)
				continue;
			fprintf(out, "  ");
			lnob_fput_col(out, s_jstr(row, "key"), 24, true);
			snprintf(cell, sizeof(cell), " %s", s_jstr(row, "nominee_name"));
			lnob_fput_col(out, cell, 26, true);
			snprintf(cell, sizeof(cell), " %s", s_jstr(row, "unit"));
			lnob_fput_col(out, cell, 14, true);
			snprintf(cell, sizeof(cell), " %s", s_jstr(row, "form"));
			lnob_fput_col(out, cell, 22, true);
			snprintf(cell, sizeof(cell), " %s", s_jstr(row, "stage"));
			lnob_fput_col(out, cell, 11, true);
			fprintf(out, " %s: %s\n", s_jstr(e, "verdict"), s_jstr(e, "reason"));
		}
	}
}

static void s_print_one_body(FILE *out, const json_t *one, const char *indent)
{
	const json_t *e = json_object_get(one, "eligibility"), *d, *s;
	char t1[40], t2[40];
	size_t i;

	fprintf(out, "%snominee       %s (%s), unit %s %s (%s)\n", indent, s_jstr(one, "nominee_name"),
		s_jstr(one, "nominee_kind"), s_jstr(one, "unit"), s_jstr(one, "unit_name"),
		s_jstr(one, "level"));
	fprintf(out, "%sform          %s, occasion %s, campaign %s\n", indent, s_jstr(one, "form"),
		s_jstr(one, "occasion"), s_jstr(one, "campaign"));
	fprintf(out, "%sproposed by   %s #%lld (scope %s) at %s, received %s\n", indent,
		s_jstr(one, "signer"), (long long)json_integer_value(json_object_get(one, "seq")),
		s_jstr(one, "scope"), lnob_utc_text(json_integer_value(json_object_get(one, "proposed_at")),
					     t1, sizeof(t1)),
		lnob_utc_text(json_integer_value(json_object_get(one, "received_at")), t2, sizeof(t2)));
	fprintf(out, "%scontribution  %lld dong; sanction %s\n", indent,
		(long long)json_integer_value(json_object_get(one, "contribution_vnd")),
		s_jstr(one, "sanction"));
	fprintf(out, "%sstage         %s (stages recorded: %lld), held by %s\n", indent, s_jstr(one, "stage"),
		(long long)json_integer_value(json_object_get(one, "stages")), s_jstr(one, "holder"));
	if (json_is_string(json_object_get(one, "revises")))
		fprintf(out, "%srevises       %s\n", indent, s_jstr(one, "revises"));
	if (json_is_string(json_object_get(one, "revised_by")))
		fprintf(out, "%srevised by    %s\n", indent, s_jstr(one, "revised_by"));
	fprintf(out, "%seligibility   %s: %s (advisory)\n", indent, s_jstr(e, "verdict"),
		s_jstr(e, "reason"));
	fprintf(out, "%ssummary       %s\n", indent, s_jstr(one, "summary"));
	fprintf(out, "%sdossier:\n", indent);
	json_array_foreach(json_object_get(one, "dossier"), i, d) {
		fprintf(out, "%s  %zu. %-18s %s\n%s     sha256 %s, %lld bytes, ", indent, i + 1,
			s_jstr(d, "kind"), s_jstr(d, "title"), indent, s_jstr(d, "sha256"),
			(long long)json_integer_value(json_object_get(d, "size")));
		if (json_integer_value(json_object_get(d, "attached")))
			fprintf(out, "%lld attached", (long long)json_integer_value(json_object_get(d, "attached")));
		else
			fprintf(out, "digest only");
		if (json_is_string(json_object_get(d, "vote")))
			fprintf(out, ", vote %s", s_jstr(d, "vote"));
		fputc('\n', out);
	}
	fprintf(out, "%shistory:\n%s  0. proposed   by %s at %s\n", indent, indent,
		s_jstr(one, "signer"), lnob_utc_text(json_integer_value(json_object_get(one, "proposed_at")),
					      t1, sizeof(t1)));
	json_array_foreach(json_object_get(one, "history"), i, s) {
		fprintf(out, "%s  %zu. %-10s by %s #%lld (scope %s) at %s", indent, i + 1,
			s_jstr(s, "stage"), s_jstr(s, "signer"),
			(long long)json_integer_value(json_object_get(s, "seq")), s_jstr(s, "scope"),
			lnob_utc_text(json_integer_value(json_object_get(s, "at")), t1, sizeof(t1)));
		if (json_is_string(json_object_get(s, "reason")))
			fprintf(out, "; reason: %s", s_jstr(s, "reason"));
		if (json_is_string(json_object_get(s, "decision_number")))
			fprintf(out, "; decision %s of %s, granted %s", s_jstr(s, "decision_number"),
				s_jstr(s, "decision_date"), s_jstr(s, "granted_form"));
		if (json_is_string(json_object_get(s, "note")))
			fprintf(out, "; note: %s", s_jstr(s, "note"));
		fputc('\n', out);
	}
}

void nominations_print_one(FILE *out, const json_t *one)
{
	const json_t *e;
	size_t i;

	fprintf(out, "Nomination %s\n", s_jstr(one, "key"));
	s_print_one_body(out, one, "  ");
	json_array_foreach(json_object_get(one, "earlier"), i, e) {
		fprintf(out, "\nrevises %s\n", s_jstr(e, "key"));
		s_print_one_body(out, e, "  ");
	}
}

/* One CSV field, quoted by libcsv, then sep. */
static int s_csv_field(FILE *out, const char *s, char sep)
{
	if (csv_fwrite(out, s, strlen(s)) != 0 || fputc(sep, out) == EOF)
		return -EIO;
	return 0;
}

int nominations_print_csv(FILE *out, const json_t *view)
{
	static const char *const cols[] = {
		"key", "campaign", "occasion", "unit", "unit_name", "level", "nominee_kind",
		"nominee_name", "form", "stage", "stage_signer", "stage_at", "stages", "revises",
		"revised_by", "granted_form", "decision_number", "decision_date", "eligibility",
		"eligibility_reason",
	};
	const size_t ncol = sizeof(cols) / sizeof(cols[0]);
	const json_t *row;
	size_t i;
	int r = 0;

	for (size_t c = 0; r == 0 && c < ncol; c++)
		r = s_csv_field(out, cols[c], c + 1 < ncol ? ',' : '\n');
	json_array_foreach(json_object_get(view, "nominations"), i, row) {
		const json_t *cur = json_object_get(row, "current"), *e = json_object_get(row, "eligibility");
		char at[24], n[24];
		const char *v[20];

		snprintf(at, sizeof(at), "%lld", (long long)json_integer_value(json_object_get(cur, "at")));
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(json_object_get(row, "stages")));
		v[0] = s_jstr(row, "key");
		v[1] = s_jstr(row, "campaign");
		v[2] = s_jstr(row, "occasion");
		v[3] = s_jstr(row, "unit");
		v[4] = s_jstr(row, "unit_name");
		v[5] = s_jstr(row, "level");
		v[6] = s_jstr(row, "nominee_kind");
		v[7] = s_jstr(row, "nominee_name");
		v[8] = s_jstr(row, "form");
		v[9] = s_jstr(row, "stage");
		v[10] = s_jstr(cur, "signer");
		v[11] = at;
		v[12] = n;
		v[13] = json_is_string(json_object_get(row, "revises")) ? s_jstr(row, "revises") : "";
		v[14] = json_is_string(json_object_get(row, "revised_by")) ? s_jstr(row, "revised_by") : "";
		v[15] = json_is_string(json_object_get(cur, "granted_form")) ? s_jstr(cur, "granted_form") : "";
		v[16] = json_is_string(json_object_get(cur, "decision_number")) ? s_jstr(cur, "decision_number") : "";
		v[17] = json_is_string(json_object_get(cur, "decision_date")) ? s_jstr(cur, "decision_date") : "";
		v[18] = json_is_string(json_object_get(e, "verdict")) ? s_jstr(e, "verdict") : "";
		v[19] = s_jstr(e, "reason");
		static_assert(sizeof(v) / sizeof(v[0]) == sizeof(cols) / sizeof(cols[0]), "columns");
		for (size_t c = 0; r == 0 && c < ncol; c++)
			r = s_csv_field(out, v[c], c + 1 < ncol ? ',' : '\n');
	}
	if (r == 0 && fflush(out) != 0)
		r = -EIO;
	return r;
}
