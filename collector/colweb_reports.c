/* colweb_reports.c: the page's reports (README "The collector's page"):
 * GET /api/reports (where each own envelope is), POST /api/reports (one
 * report or an array in submit's JSON form, checked and queued as
 * `submit` does; with "corrects": SEQ the correction of a refused, parked
 * report as a new revision, the old one dismissed), GET /api/report?seq=N
 * (a parked report's values, to load into the form). */
#include "colweb_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

json_t *colweb_values_json(const Lnob__Report *rep)
{
	json_t *obj = json_object();

	for (size_t i = 0; obj && i < rep->n_values; i++)
		json_object_set_new(obj, rep->values[i]->code,
				    json_integer((json_int_t)report_value_of(rep->values[i])));
	return obj;
}

int colweb_check_queue(cli_ctx_t *ctx, const submit_rules_t *rules, const intake_list_t *list,
		       uint64_t *first, char *err, size_t errlen)
{
	if (submit_rules_check(rules, list, 0, err, errlen) < 0)
		return 400;
	if (list->n == 0) {
		snprintf(err, errlen, "no report");
		return 400;
	}
	if (col_queue_reports(ctx, list, lnob_now_ms(), first, err, errlen) < 0)
		return 500;
	return 0;
}

/* outbox_parked_fn: copies the parked item ctx->seq. */
typedef struct s_find {
	uint64_t seq;
	uint8_t *env;
	size_t len;
	int reason;
	char detail[256];
	int err;
} s_find_t;

static int s_find_one(void *vctx, uint64_t seq, const Lnob__ParkedItem *item)
{
	s_find_t *f = vctx;

	if (seq != f->seq)
		return 0;
	if (!(f->env = malloc(item->envelope.len ? item->envelope.len : 1))) {
		f->err = -ENOMEM;
		return 1;
	}
	memcpy(f->env, item->envelope.data, item->envelope.len);
	f->len = item->envelope.len;
	f->reason = (int)item->reason;
	(void)lnob_strlcpy(f->detail, item->detail ? item->detail : "", sizeof(f->detail));
	return 1;
}

int colweb_parked_report(cli_ctx_t *ctx, uint64_t seq, Lnob__Report **ret, int *ret_reason,
			 char *detail)
{
	s_find_t f = { .seq = seq };
	ProtobufCMessage *m = NULL, *b = NULL;
	const Lnob__Envelope *e;
	int r;

	if (!ctx->store)
		return LNOB_E_NOTFOUND;
	if ((r = outbox_parked_foreach(ctx->store, s_find_one, &f)) < 0 || (r = f.err) < 0)
		goto out;
	if (!f.env) {
		r = LNOB_E_NOTFOUND;
		goto out;
	}
	if (codec_unpack(&lnob__envelope__descriptor, f.env, f.len, f.len, &m) < 0) {
		r = LNOB_E_INVALID;
		goto out;
	}
	e = (const Lnob__Envelope *)m;
	if (e->kind != LNOB__KIND__KIND_REPORT ||
	    codec_unpack(&lnob__report__descriptor, e->body.data, e->body.len, e->body.len, &b) < 0) {
		r = LNOB_E_INVALID;
		goto out;
	}
	*ret = (Lnob__Report *)b;
	if (ret_reason)
		*ret_reason = f.reason;
	if (detail)
		memcpy(detail, f.detail, sizeof(f.detail));
out:
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
	free(f.env);
	return r;
}

void colweb_reports_get(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	json_t *arr = NULL;
	int r = col_report_rows(ctx, NULL, NULL, &arr);

	(void)req;
	if (r < 0)
		colweb_error(resp, 500, "internal", "%s", lnob_strerror(r));
	else
		colweb_json(resp, 200, json_pack("{s:o}", "reports", arr));
}

/* The query's seq (an integer >= 1) into *ret, or 400 answered. */
static int s_seq_arg(const http_req_t *req, http_resp_t *resp, uint64_t *ret)
{
	const char *s = colweb_arg(req, "seq");
	char *end = NULL;
	unsigned long long v = 0;

	errno = 0;
	if (s && s[0] >= '0' && s[0] <= '9')
		v = strtoull(s, &end, 10);
	if (!end || errno || *end || v == 0) {
		colweb_error(resp, 400, "bad_request", "seq: not a seq (an integer >= 1): '%s'",
			     s ? s : "");
		return -1;
	}
	*ret = v;
	return 0;
}

void colweb_report_get(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	Lnob__Report *rep = NULL;
	char detail[256], reason[64];
	uint64_t seq;
	int why = 0, r;

	if (s_seq_arg(req, resp, &seq) < 0)
		return;
	r = colweb_parked_report(ctx, seq, &rep, &why, detail);
	if (r == LNOB_E_NOTFOUND || r == LNOB_E_INVALID) {
		colweb_error(resp, 404, "not_found", "seq %" PRIu64 " is not a refused (parked) "
			     "report of this collector", seq);
		return;
	}
	if (r < 0) {
		colweb_error(resp, 500, "internal", "%s", lnob_strerror(r));
		return;
	}
	colweb_json(resp, 200, json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:s,s:o*,s:s,s:s}", "seq",
					 (json_int_t)seq, "campaign", rep->campaign, "period",
					 rep->period, "unit", rep->unit, "revision",
					 (json_int_t)rep->revision, "base_revision",
					 (json_int_t)rep->base_revision, "narrative",
					 rep->narrative ? rep->narrative : "", "values",
					 colweb_values_json(rep), "reason",
					 col_reason_name(why, reason), "detail", detail));
	protobuf_c_message_free_unpacked(&rep->base, NULL);
}

/* What a POST /api/reports body says beside the reports. */
typedef struct s_post {
	uint64_t corrects;        /* 0: not a correction */
	bool has_revision;        /* the body gives its own revision */
	char *text;               /* the body without "corrects" (malloc'ed), or NULL */
} s_post_t;

/* Takes "corrects" out of a one-object body into p. Returns 0, or 400 with
 * err. A body that is not JSON is left to intake (its message). */
static int s_corrects(const http_req_t *req, s_post_t *p, char *err, size_t errlen)
{
	json_t *doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, NULL);
	json_t *c = json_is_object(doc) ? json_object_get(doc, "corrects") : NULL;
	int rc = 0;

	p->has_revision = json_is_object(doc) && json_object_get(doc, "revision") != NULL;
	if (c && (!json_is_integer(c) || json_integer_value(c) < 1))
		rc = 400, snprintf(err, errlen, "page: corrects: not a seq (an integer >= 1)");
	else if (c) {
		p->corrects = (uint64_t)json_integer_value(c);
		json_object_del(doc, "corrects");
		if (!(p->text = json_dumps(doc, JSON_PRESERVE_ORDER)))
			rc = 500, snprintf(err, errlen, "out of memory");
	}
	json_decref(doc);
	return rc;
}

/* Makes list's one report the correction of the parked report p->corrects:
 * the same campaign, period and unit, and (unless the body gives one)
 * revision one above the refused one's and the last one queued for it.
 * Returns 0, or 400 with err. */
static int s_correction(cli_ctx_t *ctx, const s_post_t *p, intake_list_t *list, char *err,
			size_t errlen)
{
	Lnob__Report *old = NULL, *rep = list->v[0];
	Lnob__EnteredRecord *e = NULL;
	uint32_t rev;
	int r;

	if (list->n != 1)
		return snprintf(err, errlen, "page: corrects: a correction is one report"), 400;
	if ((r = colweb_parked_report(ctx, p->corrects, &old, NULL, NULL)) < 0) {
		snprintf(err, errlen, "page: corrects: seq %" PRIu64 " is not a refused (parked) "
			 "report of this collector%s", p->corrects, r == LNOB_E_NOTFOUND ||
			 r == LNOB_E_INVALID ? "" : ": cannot read the outbox");
		return r == LNOB_E_NOTFOUND || r == LNOB_E_INVALID ? 400 : 500;
	}
	r = strcmp(old->campaign, rep->campaign) != 0 || strcmp(old->period, rep->period) != 0 ||
	    strcmp(old->unit, rep->unit) != 0;
	if (r)
		snprintf(err, errlen, "page: corrects: seq %" PRIu64 " is the report of %s/%s/%s, "
			 "not of %s/%s/%s", p->corrects, old->campaign, old->period, old->unit,
			 rep->campaign, rep->period, rep->unit);
	rev = old->revision;
	if (!r && !p->has_revision) {
		if (outbox_entered_get(ctx->store, rep->campaign, rep->period, rep->unit, &e) == 0) {
			rev = e->report->revision > rev ? e->report->revision : rev;
			lnob__entered_record__free_unpacked(e, NULL);
		}
		rep->revision = rev + 1;
		rep->base_revision = rev;
	}
	protobuf_c_message_free_unpacked(&old->base, NULL);
	return r ? 400 : 0;
}

/* A report entered without a revision revises the last one entered here
 * for its campaign, period and unit (none: it stays 1), so that entering
 * a unit twice corrects it instead of making a conflict at the province. */
static void s_next_revision(cli_ctx_t *ctx, Lnob__Report *rep)
{
	Lnob__EnteredRecord *e = NULL;

	if (outbox_entered_get(ctx->store, rep->campaign, rep->period, rep->unit, &e) != 0)
		return;
	if (e->report && e->report->revision < UINT32_MAX) {
		rep->revision = e->report->revision + 1;
		rep->base_revision = e->report->revision;
	}
	lnob__entered_record__free_unpacked(e, NULL);
}

/* Parses, checks and queues the body's reports (and dismisses the
 * corrected one). Returns 0 with *first and *n, 400 or 500 with err. */
static int s_submit(cli_ctx_t *ctx, const http_req_t *req, const s_post_t *p, uint64_t *first,
		    size_t *n, char *err, size_t errlen)
{
	intake_list_t list = { 0 };
	submit_rules_t rules;
	outbox_limits_t lim;
	const char *text = p->text ? p->text : req->body;
	int rc = 0;

	if (submit_rules_read(ctx, ctx->store, &rules, err, errlen) < 0)
		return 500;
	if (outbox_get_limits(ctx->store, &lim) < 0)
		memset(&lim, 0, sizeof(lim));
	list.max_body = outbox_max_body(&lim);
	if (intake_parse_json("page", text, strlen(text), lnob_now_ms() / 1000, &list, err,
			      errlen) < 0)
		rc = 400;
	else if (p->corrects)
		rc = s_correction(ctx, p, &list, err, errlen);
	else if (!p->has_revision && list.n == 1)
		s_next_revision(ctx, list.v[0]);
	if (rc == 0)
		rc = colweb_check_queue(ctx, &rules, &list, first, err, errlen);
	*n = list.n;
	intake_list_clear(&list);
	submit_rules_clear(&rules);
	return rc;
}

/* Dismisses the corrected seq as `dismiss` would. Returns 0 or a code. */
static int s_dismiss_old(cli_ctx_t *ctx, uint64_t old, uint64_t seq)
{
	outbox_ref_t ref = { .signer = "", .seq = old };
	char why[64];

	snprintf(why, sizeof(why), "corrected by seq %" PRIu64, seq);
	return outbox_dismiss(ctx->store, &ref, 1, why, lnob_now_ms(), NULL);
}

void colweb_reports_post(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	s_post_t p = { 0 };
	char err[1024] = "";
	uint64_t first = 0;
	size_t n = 0;
	int rc = s_corrects(req, &p, err, sizeof(err)), r;

	if (rc == 0)
		rc = s_submit(ctx, req, &p, &first, &n, err, sizeof(err));
	free(p.text);
	if (rc == 400)
		colweb_error(resp, 400, "refused", "%s", err);
	else if (rc)
		colweb_error(resp, 500, "internal", "%s", err);
	else if (p.corrects && (r = s_dismiss_old(ctx, p.corrects, first)) < 0)
		colweb_error(resp, 500, "internal", "queued as seq %" PRIu64 ", but seq %" PRIu64
			     " could not be dismissed: %s", first, p.corrects, lnob_strerror(r));
	else if (p.corrects)
		colweb_json(resp, 200, json_pack("{s:I,s:I,s:I}", "seq", (json_int_t)first,
						 "queued", (json_int_t)n, "dismissed",
						 (json_int_t)p.corrects));
	else
		colweb_json(resp, 200, json_pack("{s:I,s:I}", "seq", (json_int_t)first, "queued",
						 (json_int_t)n));
}
