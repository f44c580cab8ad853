/* nominations_view.c: the views of nominations, as JSON documents, and
 * their advisory eligibility (see nominations.h). */
#include "nominations_int.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "award.h"
#include "figures.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

/* Stage `index` of key, which the record counts: missing is LNOB_E_CORRUPT,
 * as is one without its stage. */
static int s_stage(store_t *st, MDB_txn *txn, const char *key, uint64_t index,
		   Lnob__StageRecord **ret)
{
	int r = agg_stage_get(st, txn, key, index, ret);

	if (r == LNOB_E_NOTFOUND)
		return LNOB_E_CORRUPT;
	if (r == 0 && !(*ret)->stage) {
		lnob__stage_record__free_unpacked(*ret, NULL);
		*ret = NULL;
		return LNOB_E_CORRUPT;
	}
	return r;
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
	if (!(f = calloc(1, sizeof(*f))))
		return -ENOMEM;
	r = figures_build(x->st, txn, NULL, x->hier, c, p, unit, f);
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
			 "index", (json_int_t)index, "stage", nominations_stage_name(s->kind),
			 "signer", sr->signer, "seq", (json_int_t)sr->seq, "scope", sr->scope,
			 "at", (json_int_t)s->at, "received_at", (json_int_t)sr->received_at,
			 "reason", s_str_or_null(s->reason), "note", s_str_or_null(s->note),
			 "decision_number", s_str_or_null(s->decision_number),
			 "decision_date", s_str_or_null(s->decision_date),
			 "granted_form", s->granted_form ? json_string(nominations_form_name(s->granted_form))
			 : json_null());
}

/* Whole days from since to now (0 when since is later). */
static int64_t s_days(int64_t since, int64_t now)
{
	return now > since ? (now - since) / 86400 : 0;
}

/* The name of the unit with this code, or null. */
static json_t *s_unit_name(const hier_t *hier, const char *code)
{
	int i = hier_find(hier, code);

	return i >= 0 ? json_string(hier_unit(hier, i)->name) : json_null();
}

/* The row of one nomination at time now: what `nominations` lists and
 * counts. Caller owns *ret. */
static int s_row(const nominations_ctx_t *x, MDB_txn *txn, const char *key,
		 const Lnob__NominationRecord *rec, int64_t now, json_t **ret)
{
	const Lnob__Nomination *n = rec->nomination;
	int unit = hier_find(x->hier, n->unit);
	const hier_unit_t *u = unit >= 0 ? hier_unit(x->hier, unit) : NULL;
	Lnob__StageRecord *last = NULL;
	json_t *elig = NULL, *row, *cur;
	int r;

	if (rec->stages > 0 && (r = s_stage(x->st, txn, key, rec->stages - 1, &last)) < 0)
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
			"occasion", n->occasion, "nominee_kind", nominations_kind_name(n->nominee_kind),
			"nominee_name", n->nominee_name, "unit", n->unit,
			"unit_name", u ? json_string(u->name) : json_null(),
			"level", u ? json_string(u->level) : json_null(),
			"form", nominations_form_name(n->form), "stage", nominations_stage_name(rec->last_stage),
			"stages", (json_int_t)rec->stages, "current", cur,
			"holder", rec->holder, "revises", s_str_or_null(n->revises),
			"revised_by", s_str_or_null(rec->revised_by),
			"proposed_at", (json_int_t)n->proposed_at,
			"received_at", (json_int_t)rec->received_at, "eligibility", elig);
	if (row && (json_object_set_new(row, "holder_name", s_unit_name(x->hier, rec->holder)) < 0 ||
		    json_object_set_new(row, "waiting_days", json_integer((json_int_t)s_days(
			    last ? last->received_at : rec->received_at, now))) < 0)) {
		json_decref(row);
		row = NULL;
	}
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

		r = s_stage(x->st, txn, key, i, &sr);
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
	int r = docs ? s_row(x, txn, key, rec, lnob_now_s(), &row) : -ENOMEM;

	if (r == 0)
		r = s_history(x, txn, key, rec, &hist);
	for (size_t i = 0; r == 0 && i < n->n_dossier; i++) {
		const Lnob__Document *d = n->dossier[i];
		char hex[2 * 32 + 1] = "";

		if (d->sha256.len == 32)
			lnob_hex(hex, d->sha256.data, 32);
		if (json_array_append_new(docs, json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}",
				"kind", nominations_doc_name(d->kind), "title", d->title, "sha256", hex,
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

	if (r == 0 && !nominations_key_ok(key))
		r = LNOB_E_NOTFOUND;
	if (r == 0)
		r = agg_nomination_get(x->st, txn, key, &rec);
	if (r == 0)
		r = s_full(x, txn, key, rec, &one);
	/* The nominations it revises, most recent first, each with its history. */
	for (int i = 0; r == 0 && rec->nomination->revises[0] && i < NOM_CHAIN_MAX; i++) {
		json_t *e = NULL;

		lnob_strlcpy(at, rec->nomination->revises, sizeof(at));
		lnob__nomination_record__free_unpacked(rec, NULL);
		rec = NULL;
		r = agg_nomination_get(x->st, txn, at, &rec);
		if (r == LNOB_E_NOTFOUND)
			r = LNOB_E_CORRUPT;   /* ingest checked it was stored */
		if (r == 0)
			r = s_full(x, txn, at, rec, &e);
		if (r == 0 && json_array_append_new(earlier, e) < 0)
			r = -ENOMEM;
	}
	if (rec)
		lnob__nomination_record__free_unpacked(rec, NULL);
	if (r == 0 && (json_object_set(one, "earlier", earlier) < 0 ||
		       json_object_set_new(one, "utc_offset_s", json_integer((json_int_t)
			       campaigns_utc_offset(x->campaigns, json_string_value(
				       json_object_get(one, "campaign"))))) < 0))
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
		ok = json_object_set_new(f, nominations_form_name(i), json_pack("{s:i, s:[]}", "count", 0,
								      "nominations")) == 0;
	for (int i = 0; ok && i < N_STAGES; i++)
		ok = json_object_set_new(s, nominations_stage_name(i), json_pack("{s:i, s:[]}", "count", 0,
									"nominations")) == 0;
	for (int i = 1; ok && i <= N_KINDS; i++)
		ok = json_object_set_new(k, nominations_kind_name(i), json_pack("{s:i, s:[]}", "count", 0,
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
	if (v && json_object_set_new(v, "utc_offset_s", json_integer((json_int_t)
			campaigns_utc_offset(x->campaigns, q->campaign))) < 0) {
		json_decref(v);
		return NULL;
	}
	if (v && json_object_set_new(v, "filters", json_pack("{s:o, s:o, s:o, s:I}",
			"stage", s_str_or_null(q->stage), "form", s_str_or_null(q->form),
			"holder", s_str_or_null(q->holder),
			"waiting_min_days", (json_int_t)q->waiting_min_days)) < 0) {
		json_decref(v);
		return NULL;
	}
	if (v && s_levels(x->hier, q->unit, json_object_get(v, "levels")) < 0) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* nominations_view()'s walk: the rows of the query. */
typedef struct s_view_walk {
	const nominations_ctx_t *x;
	MDB_txn *txn;
	const nominations_query_t *q;
	json_t *view;
} s_view_walk_t;

/* Whether rec passes q's campaign, occasion, stage, form and holder. */
static bool s_wanted(const nominations_query_t *q, const Lnob__NominationRecord *rec)
{
	const Lnob__Nomination *n = rec->nomination;

	return strcmp(n->campaign, q->campaign) == 0 &&
	       (!q->occasion || strcmp(n->occasion, q->occasion) == 0) &&
	       (!q->stage || strcmp(nominations_stage_name(rec->last_stage), q->stage) == 0) &&
	       (!q->form || strcmp(nominations_form_name(n->form), q->form) == 0) &&
	       (!q->holder || strcmp(rec->holder, q->holder) == 0);
}

static int s_view_entry(void *ctx, const char *key, const Lnob__NominationRecord *rec)
{
	s_view_walk_t *w = ctx;
	json_t *row = NULL;
	int unit, r;

	if (!s_wanted(w->q, rec) || (unit = hier_find(w->x->hier, rec->nomination->unit)) < 0 ||
	    !hier_in_subtree(w->x->hier, w->q->unit, unit))
		return 0;
	r = s_row(w->x, w->txn, key, rec, w->q->now, &row);
	if (r == 0 && json_integer_value(json_object_get(row, "waiting_days")) <
		      w->q->waiting_min_days) {
		json_decref(row);
		return 0;
	}
	if (r == 0)
		r = s_count_row(w->x->hier, w->view, row, unit);
	if (r == 0 && json_array_append_new(json_object_get(w->view, "nominations"), row) < 0)
		r = -ENOMEM;
	else if (r < 0)
		json_decref(row);
	return r;
}

int nominations_view(const nominations_ctx_t *x, MDB_txn *txn, const nominations_query_t *q,
		     json_t **ret, char *err, size_t errlen)
{
	s_view_walk_t w = { .x = x, .txn = txn, .q = q };
	int r = nominations_query_check(x, q, "", err, errlen);

	if (r < 0)
		return r;
	w.view = s_view_head(x, q);
	r = w.view ? agg_nomination_foreach(x->st, txn, s_view_entry, &w) : -ENOMEM;

	if (r < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s", r == LNOB_E_CORRUPT
				 ? "nominations: a record does not decode" : lnob_strerror(r));
		json_decref(w.view);
		return r;
	}
	*ret = w.view;
	return 0;
}
