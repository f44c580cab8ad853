/* approval_view.c: the views of approvals and of the amendment queue, as
 * JSON documents and as text (see approval.h). */
#include "approval.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "report.h"
#include "table.h"
#include "util.h"

/* Where a view reads. */
typedef struct s_view_ctx {
	store_t *st;
	MDB_txn *txn;
} s_view_ctx_t;


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

/* One approval as JSON, into the list ctx. */
static int s_approval_row(void *ctx, const char *c, const char *p, const char *u,
			  const Lnob__ApprovalRecord *rec)
{
	json_t *list = ((json_t **)ctx)[0];
	s_view_ctx_t *x = ((s_view_ctx_t **)ctx)[1];
	Lnob__RollupRecord *cur = NULL;
	size_t pending = 0;
	int r = agg_rollup_get(x->st, x->txn, c, p, u, &cur);

	if (r == 0)
		r = agg_amendment_count(x->st, x->txn, c, p, u, &pending);
	if (r == 0)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:I}",
			"campaign", c, "period", p, "unit", u, "by", rec->by, "note", rec->note,
			"approved_at", (json_int_t)rec->approved_at, "approved", s_rollup_json(rec->rollup),
			"current", s_rollup_json(cur), "pending_amendments", (json_int_t)pending));
	if (cur)
		lnob__rollup_record__free_unpacked(cur, NULL);
	return r;
}

int approvals_view(store_t *st, MDB_txn *txn, json_t **ret)
{
	s_view_ctx_t x = { .st = st, .txn = txn };
	json_t *list = json_array();
	void *ctx[2] = { list, &x };
	int r = list ? agg_approval_foreach(st, txn, s_approval_row, ctx) : -ENOMEM;

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

void approvals_print(FILE *out, const json_t *view, const campaigns_t *camps)
{
	json_t *list = json_object_get(view, "approvals"), *a;
	char t[TABLE_TIME_LEN];
	size_t i;

	fprintf(out, "%zu approval(s)\n", json_array_size(list));
	json_array_foreach(list, i, a) {
		const char *note = json_string_value(json_object_get(a, "note"));

		fprintf(out, "%s/%s unit %s approved by %s at %s; %lld amendment(s) pending%s%s\n",
			json_string_value(json_object_get(a, "campaign")),
			json_string_value(json_object_get(a, "period")),
			json_string_value(json_object_get(a, "unit")),
			json_string_value(json_object_get(a, "by")),
			campaigns_time(camps, json_string_value(json_object_get(a, "campaign")),
				       json_integer_value(json_object_get(a, "approved_at")), t, sizeof(t)),
			(long long)json_integer_value(json_object_get(a, "pending_amendments")),
			note && note[0] ? "; note: " : "", note ? note : "");
		fprintf(out, "    approved: ");
		s_print_sums(out, json_object_get(a, "approved"));
		fprintf(out, "\n    current:  ");
		s_print_sums(out, json_object_get(a, "current"));
		fputc('\n', out);
	}
}

/* The filter of amendments_view(), and where it writes. */
typedef struct s_filter {
	store_t *st;
	MDB_txn *txn;
	const hier_t *hier;
	const char *campaign, *period;
	int unit;
	json_t *list;
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
			   const Lnob__AmendmentRecord *rec, const Lnob__AmendmentDecision *d,
			   json_t *list)
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
	r = agg_envelope_report(st, txn, rec->signer, rec->seq, &rep, hash);
	if (r == 0) {
		r = agg_latest_load(st, txn, rec->campaign, rec->period, rec->unit,
				    AGG_LATEST_VALUES, &lr);
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

static int s_amendment_entry(void *ctx, const MDB_val *key, const Lnob__AmendmentRecord *rec,
			     const Lnob__AmendmentDecision *d)
{
	s_filter_t *f = ctx;

	(void)key;
	return s_amendment_row(f->st, f->txn, f, rec, d, f->list);
}

int amendments_view(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		    const char *period, int unit, bool decided, json_t **ret)
{
	s_filter_t f = { st, txn, hier, campaign, period, unit, json_array() };
	int r = f.list ? agg_amendment_foreach(st, txn, decided, s_amendment_entry, &f) : -ENOMEM;

	if (r < 0) {
		json_decref(f.list);
		return r;
	}
	*ret = json_pack("{s:s, s:o}", "list", decided ? "decided" : "pending", "amendments", f.list);
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

void amendments_print(FILE *out, const json_t *view, const campaigns_t *camps)
{
	json_t *list = json_object_get(view, "amendments"), *a;
	bool decided = strcmp(json_string_value(json_object_get(view, "list")), "decided") == 0;
	char t[TABLE_TIME_LEN];
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
			campaigns_time(camps, json_string_value(json_object_get(a, "campaign")),
				       json_integer_value(json_object_get(a, "received_at")), t, sizeof(t)));
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
				campaigns_time(camps, json_string_value(json_object_get(a, "campaign")),
					       json_integer_value(json_object_get(d, "decided_at")), t,
					       sizeof(t)),
				json_string_value(json_object_get(d, "reason"))[0] ? ": " : "",
				json_string_value(json_object_get(d, "reason")));
		else if (!json_is_true(json_object_get(a, "becomes_current")))
			fprintf(out, "    accepting it leaves the current revision (and the rollups) as they are\n");
	}
}

