/* view.c: the operators' view of a campaign period (see view.h). */
#include "view.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign_request.h"
#include "codec.h"
#include "figures.h"
#include "hierperiod.h"
#include "lnob_err.h"
#include "report.h"
#include "rollup.h"
#include "snapshot_in.h"
#include "util.h"

#define VIEW_TARGETS_MAX 32     /* effective targets of one unit (one per goal) */
#define VIEW_LEVELS_MAX 32      /* distinct levels below a unit */

/* What one (campaign, period) view is built from. */
typedef struct s_ctx {
	store_t *st;
	MDB_txn *txn;
	const hier_t *hier;
	const campaign_t *camp;
	const campaign_period_t *p, *prev;
	int64_t skew, now;
	agg_memo_t *memo;         /* the latest records read (aggstore.h) */
	bool snapshots;           /* the store holds snapshots: a national aggregator */
} s_ctx_t;

/* Where a unit's report stands against its deadline. */
typedef enum s_status {
	S_NOT_EXPECTED,   /* no deadline for the unit's level */
	S_ON_TIME,
	S_LATE,
	S_MISSING,        /* no report, deadline passed */
	S_PENDING,        /* no report yet, deadline not passed */
} s_status_t;

static const char *const s_status_names[] = {
	[S_NOT_EXPECTED] = "not_expected", [S_ON_TIME] = "on_time", [S_LATE] = "late",
	[S_MISSING] = "missing", [S_PENDING] = "pending",
};

static const char *const s_form_names[] = {
	[CAMPAIGN_DOWN_POINTS] = "down_points", [CAMPAIGN_DOWN_PERCENT] = "down_percent",
	[CAMPAIGN_BELOW] = "below", [CAMPAIGN_AT_MOST] = "at_most",
	[CAMPAIGN_AT_LEAST] = "at_least", [CAMPAIGN_ANY_OF] = "any_of",
};

static const char *const s_verdict_names[] = {
	[CAMPAIGN_MET] = "MET", [CAMPAIGN_NOT_MET] = "NOT_MET",
	[CAMPAIGN_NOT_DUE] = "NOT_DUE", [CAMPAIGN_NO_DATA] = "NO_DATA",
	[CAMPAIGN_INCOMPLETE] = "INCOMPLETE",
};

static const char *const s_kind_names[] = {
	[CAMPAIGN_IND_COUNT] = "count", [CAMPAIGN_IND_AMOUNT] = "amount",
	[CAMPAIGN_IND_SUM] = "sum", [CAMPAIGN_IND_RATE] = "rate",
};

static const char *const s_via_names[] = {
	[CAMPAIGN_VIA_OWN] = "own", [CAMPAIGN_VIA_CASCADE] = "cascade",
	[CAMPAIGN_VIA_LEVEL] = "level",
};

/* A display number rounded to 4 decimals (the exact figures are the counts
 * and the basis points beside it). */
static double s_round(double x)
{
	return x < 0 ? ceil(x - 0.5) : floor(x + 0.5);
}

static json_t *s_real(double x)
{
	return json_real(s_round(x * 10000.0) / 10000.0);
}

/* ---- reading the store ------------------------------------------------ */

/* unit code's rollup for period id: *ret_reported gets its units_reported;
 * with ret_sums, the sums as a JSON object (caller owns; an indicator no
 * report carries is not in it). Returns 0 or a store error. */
static int s_sums(const s_ctx_t *x, const char *period, const char *code, unsigned *ret_reported,
		  json_t **ret_sums)
{
	Lnob__RollupRecord *rec = NULL;
	int r = agg_rollup_memo(x->st, x->txn, x->memo, campaign_id(x->camp), period, code,
				&rec);

	if (r < 0)
		return r;
	*ret_reported = rec->units_reported;
	if (ret_sums) {
		json_t *sums = json_object();

		for (size_t i = 0; sums && i < rec->n_sums; i++)
			json_object_set_new(sums, rec->sums[i]->code,
					    json_integer(report_value_of(rec->sums[i])));
		*ret_sums = sums;
	}
	lnob__rollup_record__free_unpacked(rec, NULL);
	return 0;
}

/* The latest record of unit code in this period, or NULL in *ret when it
 * has none; borrowed from x->memo. Returns 0 or a store error. */
static int s_latest(const s_ctx_t *x, const char *code, const Lnob__LatestRecord **ret)
{
	int r = agg_latest_memo(x->st, x->txn, x->memo, campaign_id(x->camp), x->p->id, code,
				ret);

	return r == LNOB_E_NOTFOUND || r == LNOB_E_INVALID ? 0 : r;
}

/* ---- timeliness -------------------------------------------------------- */

/* The timeliness of one unit: status, and with a report, a JSON object of
 * its times and flags (caller owns *ret_json; NULL without a report and
 * for S_NOT_EXPECTED without one). */
static int s_timeliness(const s_ctx_t *x, int unit, s_status_t *ret_status, json_t **ret_json)
{
	const hier_unit_t *u = hier_unit(x->hier, unit);
	const Lnob__LatestRecord *lr = NULL;
	campaign_timeliness_t tl = { 0 };
	int64_t late_from = 0, completed, received;
	bool due = campaign_due_for(x->camp, x->p, u->code, u->level, &late_from) == 0;
	s_status_t st;
	json_t *j;
	int r = s_latest(x, u->code, &lr);

	*ret_json = NULL;
	if (r < 0)
		return r;
	if (!lr) {
		*ret_status = !due ? S_NOT_EXPECTED : x->now < late_from ? S_PENDING : S_MISSING;
		if (due)
			*ret_json = json_pack("{s:s, s:I}", "status", s_status_names[*ret_status],
					      "late_from", (json_int_t)late_from);
		return 0;
	}
	/* Judged on the first report; older stores lack first_*: this revision's. */
	completed = lr->first_completed_at ? lr->first_completed_at : lr->completed_at;
	received = lr->first_received_at ? lr->first_received_at : lr->received_at;
	st = S_NOT_EXPECTED;
	if (due) {
		r = campaign_classify(late_from, completed, received, x->skew, &tl);
		if (r < 0)
			return r;
		st = tl.on_time ? S_ON_TIME : S_LATE;
	}
	j = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:b, s:b, s:s, s:I}",
		      "status", s_status_names[st],
		      "completed_at", (json_int_t)completed, "received_at", (json_int_t)received,
		      "revision", (json_int_t)lr->revision,
		      "revisions", (json_int_t)(lr->revisions ? lr->revisions : 1),
		      "last_completed_at", (json_int_t)lr->completed_at,
		      "last_received_at", (json_int_t)lr->received_at,
		      "arrived_late", tl.arrived_late, "by_skew", tl.by_skew,
		      "clock_suspect", tl.clock_suspect, "conflict", lr->conflict,
		      "signer", lr->signer, "seq", (json_int_t)lr->seq);
	if (j && due)
		json_object_set_new(j, "late_from", json_integer(late_from));
	if (!j)
		return -ENOMEM;
	if (x->snapshots && (r = snapshot_in_describe(x->st, x->txn, lr->signer, lr->seq, j)) < 0) {
		json_decref(j);
		return r;
	}
	*ret_status = st;
	*ret_json = j;
	return 0;
}

/* ---- one unit's row ---------------------------------------------------- */

/* A value of indicator kind: a rate as a rounded real, else an integer. */
static json_t *s_val(bool rate, double x)
{
	return rate ? s_real(x) : json_integer((json_int_t)s_round(x));
}

/* The basis and coverage of a figure, into o. */
static void s_basis_json(json_t *o, bool comparable, unsigned reported, unsigned expected)
{
	json_object_set_new(o, "basis", json_string(comparable ? "comparable" : "full"));
	json_object_set_new(o, "coverage", json_pack("{s:I, s:I}", "reported", (json_int_t)reported,
						     "expected", (json_int_t)expected));
}

/* "values": every indicator of the campaign on its own basis (figures.h):
 * now, at the baseline and in the previous period, with the changes (now
 * − then); null where not known (absent is never 0). */
static json_t *s_values(const s_ctx_t *x, const figures_t *f)
{
	json_t *vals = json_object();

	for (int i = 0; vals && i < (int)campaign_indicator_count(x->camp); i++) {
		const campaign_indicator_t *ind = campaign_indicator(x->camp, i);
		const figures_ind_t *g = &f->ind[i];
		bool rate = ind->kind == CAMPAIGN_IND_RATE;
		double now = 0, then = 0;
		int64_t num, den;
		bool has_now = campaign_value_display(x->camp, &g->cur, i, &now) == 0;
		json_t *o = json_object();

		if (!o)
			break;
		json_object_set_new(o, "value", has_now ? s_val(rate, now) : json_null());
		if (rate && campaign_value(x->camp, &g->cur, i, &num, &den) == 0) {
			json_object_set_new(o, "num", json_integer(num));
			json_object_set_new(o, "den", json_integer(den));
		}
		if (campaign_value_display(x->camp, &g->base, i, &then) == 0) {
			json_object_set_new(o, "baseline", s_val(rate, then));
			json_object_set_new(o, "change_baseline",
					    has_now ? s_val(rate, now - then) : json_null());
		} else {
			json_object_set_new(o, "baseline", json_null());
			json_object_set_new(o, "change_baseline", json_null());
		}
		if (g->has_prev && campaign_value_display(x->camp, &g->prev, i, &then) == 0) {
			json_object_set_new(o, "previous", s_val(rate, then));
			json_object_set_new(o, "change_previous",
					    has_now ? s_val(rate, now - then) : json_null());
		} else {
			json_object_set_new(o, "previous", json_null());
			json_object_set_new(o, "change_previous", json_null());
		}
		s_basis_json(o, g->partial, g->reported, g->expected);
		json_object_set_new(vals, ind->code, o);
	}
	return vals;
}

/* The numbers of one evaluation, into o. */
static void s_eval_json(json_t *o, const figures_eval_t *fe)
{
	const campaign_eval_t *ev = &fe->ev;

	json_object_set_new(o, "verdict", json_string(s_verdict_names[ev->verdict]));
	json_object_set_new(o, "on_target", ev->verdict == CAMPAIGN_MET ? json_true() :
			    ev->verdict == CAMPAIGN_NOT_MET ? json_false() : json_null());
	json_object_set_new(o, "baseline", ev->has_base ? s_real(ev->base) : json_null());
	json_object_set_new(o, "previous", ev->has_prev ? s_real(ev->prev) : json_null());
	json_object_set_new(o, "current", ev->has_cur ? s_real(ev->cur) : json_null());
	json_object_set_new(o, "change_baseline", ev->has_base && ev->has_cur ?
			    s_real(ev->change_base) : json_null());
	json_object_set_new(o, "change_previous", ev->has_prev && ev->has_cur ?
			    s_real(ev->change_prev) : json_null());
	json_object_set_new(o, "required_change", ev->verdict == CAMPAIGN_NO_DATA ?
			    json_null() : s_real(ev->required));
	json_object_set_new(o, "term_change", ev->verdict == CAMPAIGN_NO_DATA ?
			    json_null() : s_real(ev->goal));
	json_object_set_new(o, "achievement_bp", ev->has_achievement ?
			    json_integer(ev->achievement_bp) : json_null());
	json_object_set_new(o, "achievement_pct", ev->has_achievement ?
			    json_real((double)ev->achievement_bp / 100.0) : json_null());
	json_object_set_new(o, "progress_pct", ev->has_progress ?
			    json_real((double)ev->progress_bp / 100.0) : json_null());
	s_basis_json(o, fe->comparable, fe->reported, fe->expected);
}

/* What a target asks, as JSON fields of o. */
static void s_target_terms(const s_ctx_t *x, json_t *o, const campaign_target_t *t)
{
	json_object_set_new(o, "form", json_string(s_form_names[t->form]));
	if (t->form == CAMPAIGN_ANY_OF)
		return;
	json_object_set_new(o, "indicator",
			    json_string(campaign_indicator(x->camp, t->indicator)->code));
	json_object_set_new(o, "value", json_real((double)t->value_e4 / 10000.0));
	json_object_set_new(o, "term_basis", json_string(t->basis == CAMPAIGN_BASIS_ANNUAL ?
							 "annual" : "average"));
	json_object_set_new(o, "pace", json_string(t->pace == CAMPAIGN_PACE_END ? "end" : "linear"));
	json_object_set_new(o, "by", json_integer(t->by_year));
	json_object_set_new(o, "strict", json_boolean(t->strict));
}

/* "alternatives" of an any_of, each on its own figures. */
static json_t *s_alternatives(const s_ctx_t *x, const figures_t *f, const campaign_target_t *t)
{
	json_t *alts = json_array();

	for (size_t a = 0; alts && a < t->nalts; a++) {
		figures_eval_t ae;
		json_t *ao = json_pack("{s:s}", "id", t->alts[a]->id);

		if (!ao || figures_evaluate(f, t->alts[a], &ae) < 0) {
			json_decref(ao);
			continue;
		}
		s_target_terms(x, ao, t->alts[a]);
		s_eval_json(ao, &ae);
		json_array_append_new(alts, ao);
	}
	return alts;
}

/* "targets": the unit's effective targets, each judged on its figures. */
static int s_targets(const s_ctx_t *x, int unit, const figures_t *f, json_t **ret)
{
	campaign_applied_t ap[VIEW_TARGETS_MAX];
	size_t n = campaign_target_for(x->camp, x->hier, unit, x->p, ap, VIEW_TARGETS_MAX);
	json_t *arr = json_array();

	if (n > VIEW_TARGETS_MAX)
		n = VIEW_TARGETS_MAX;
	for (size_t i = 0; arr && i < n; i++) {
		const campaign_target_t *t = ap[i].target;
		figures_eval_t fe;
		json_t *o;
		int r = figures_evaluate(f, t, &fe);

		if (r < 0) {
			json_decref(arr);
			return r;
		}
		o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", t->id, "goal", t->goal,
			      "source", t->source, "via", s_via_names[ap[i].via],
			      "from", hier_unit(x->hier, ap[i].from)->code);
		if (!o)
			break;
		s_target_terms(x, o, t);
		s_eval_json(o, &fe);
		if (t->form == CAMPAIGN_ANY_OF) {
			if (fe.ev.decided_by) {
				json_t *d = json_pack("{s:s}", "id", fe.ev.decided_by->id);

				s_target_terms(x, d, fe.ev.decided_by);
				json_object_set_new(o, "decided_by", d);
			}
			json_object_set_new(o, "alternatives", s_alternatives(x, f, t));
		}
		json_array_append_new(arr, o);
	}
	if (!arr)
		return -ENOMEM;
	*ret = arr;
	return 0;
}

/* How many units of unit's subtree (itself included) are at a level with a
 * deadline, and how many of those have a report this period. */
static int s_coverage(const s_ctx_t *x, int unit, unsigned *ret_expected, unsigned *ret_reported)
{
	size_t nu = hier_count(x->hier), head = 0, tail = 0;
	int *queue = malloc((nu ? nu : 1) * sizeof(*queue));
	unsigned expected = 0, reported = 0;
	int r = 0;

	if (!queue)
		return -ENOMEM;
	queue[tail++] = unit;
	while (head < tail) {
		const hier_unit_t *u = hier_unit(x->hier, queue[head]);
		const Lnob__LatestRecord *lr = NULL;
		int64_t late_from;
		const int *ch;
		size_t nch = hier_children(x->hier, queue[head++], &ch);

		for (size_t k = 0; k < nch && tail < nu; k++)
			queue[tail++] = ch[k];
		if (campaign_due_for(x->camp, x->p, u->code, u->level, &late_from) < 0)
			continue;
		expected++;
		if ((r = s_latest(x, u->code, &lr)) < 0)
			break;
		if (lr)
			reported++;
	}
	free(queue);
	if (r < 0)
		return r;
	*ret_expected = expected;
	*ret_reported = reported;
	return 0;
}

/* The clusters unit code belongs to, as a JSON array of ids. */
static json_t *s_clusters(const s_ctx_t *x, const char *code)
{
	const campaign_cluster_t *cl[16];
	size_t ncl = campaign_clusters_of(x->camp, code, cl, 16);
	json_t *clusters = json_array();

	for (size_t i = 0; clusters && i < ncl && i < 16; i++)
		json_array_append_new(clusters, json_string(cl[i]->id));
	return clusters;
}

/* One unit's row: sums, values, targets, its own report's timeliness and
 * the clusters it belongs to. Caller owns *ret. */
static int s_row(const s_ctx_t *x, int unit, json_t **ret)
{
	const hier_unit_t *u = hier_unit(x->hier, unit);
	unsigned reported = 0, prev_reported = 0, expected = 0, expected_reported = 0;
	json_t *sums = NULL, *row, *targets = NULL, *report = NULL;
	figures_t *f = calloc(1, sizeof(*f));
	s_status_t st;
	int r = f ? 0 : -ENOMEM;

	if (r == 0)
		r = s_sums(x, x->p->id, u->code, &reported, &sums);
	if (r == 0 && x->prev && hier_at_day(x->hier, x->prev->end_day) != x->hier)
		r = hierperiod_prev_reported(x->st, x->txn, x->memo, x->hier, x->camp, x->prev, unit,
					     &prev_reported);
	else if (r == 0 && x->prev)
		r = s_sums(x, x->prev->id, u->code, &prev_reported, NULL);
	if (r == 0)
		r = figures_build(x->st, x->txn, x->memo, x->hier, x->camp, x->p, unit, f);
	if (r == 0)
		r = s_targets(x, unit, f, &targets);
	if (r == 0)
		r = s_timeliness(x, unit, &st, &report);
	if (r == 0)
		r = s_coverage(x, unit, &expected, &expected_reported);
	if (r < 0) {
		json_decref(sums);
		json_decref(targets);
		json_decref(report);
		free(f);
		return r;
	}
	row = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:I, s:o, s:o, s:o, s:o, s:o}",
			"code", u->code, "name", u->name, "level", u->level,
			"units_reported", (json_int_t)reported,
			"units_expected", (json_int_t)expected,
			"units_expected_reported", (json_int_t)expected_reported,
			"complete", expected_reported == expected,
			"previous_units_reported", (json_int_t)prev_reported,
			"sums", sums, "values", s_values(x, f),
			"targets", targets, "report", report ? report : json_null(),
			"clusters", s_clusters(x, u->code));
	free(f);
	if (!row)
		return -ENOMEM;
	*ret = row;
	return 0;
}

/* ---- completeness per level ------------------------------------------- */

/* One group of expected units (a level, or the direct children). */
typedef struct s_group {
	const char *level;      /* NULL for the children group */
	json_t *obj;
	json_t *lists[5];       /* by s_status_t; [S_NOT_EXPECTED] unused */
	json_int_t n[5];
	json_int_t arrived_late, conflicts;   /* on time but arrived late; open conflicts */
} s_group_t;

static int s_group_init(s_group_t *g, const char *level)
{
	memset(g, 0, sizeof(*g));
	g->level = level;
	g->obj = json_object();
	for (int i = S_ON_TIME; i <= S_PENDING; i++)
		g->lists[i] = json_array();
	return g->obj && g->lists[S_ON_TIME] && g->lists[S_LATE] && g->lists[S_MISSING] &&
	       g->lists[S_PENDING] ? 0 : -ENOMEM;
}

/* Adds one unit to g, with its parent's code and name (null for a root);
 * rep (borrowed) is its timeliness object or NULL. */
static void s_group_add(s_group_t *g, const hier_t *hier, const hier_unit_t *u, s_status_t st,
			const json_t *rep)
{
	const hier_unit_t *up = u->parent >= 0 ? hier_unit(hier, u->parent) : NULL;
	json_t *ref;

	if (st == S_NOT_EXPECTED)
		return;
	g->n[st]++;
	ref = json_pack("{s:s, s:s, s:s, s:o, s:o}", "code", u->code, "name", u->name, "level",
			u->level, "parent", up ? json_string(up->code) : json_null(),
			"parent_name", up ? json_string(up->name) : json_null());
	if (rep && (st == S_ON_TIME || st == S_LATE)) {
		static const char *const keys[] = { "completed_at", "received_at", "revisions",
						    "arrived_late", "by_skew", "clock_suspect",
						    "conflict", NULL };
		for (int i = 0; keys[i]; i++)
			json_object_set(ref, keys[i], json_object_get(rep, keys[i]));
		if (st == S_ON_TIME && json_is_true(json_object_get(rep, "arrived_late")))
			g->arrived_late++;
		if (json_is_true(json_object_get(rep, "conflict")))
			g->conflicts++;
	}
	if (rep && json_object_get(rep, "late_from"))
		json_object_set(ref, "late_from", json_object_get(rep, "late_from"));
	json_array_append_new(g->lists[st], ref);
}

/* Finishes g into its object and returns it (ownership to the caller). */
static json_t *s_group_done(s_group_t *g, const s_ctx_t *x)
{
	json_t *o = g->obj;
	int64_t late_from;

	if (g->level) {
		json_object_set_new(o, "level", json_string(g->level));
		if (campaign_deadline_for(x->camp, g->level, x->p, &late_from) == 0)
			json_object_set_new(o, "late_from", json_integer(late_from));
	}
	json_object_set_new(o, "expected", json_integer(g->n[S_ON_TIME] + g->n[S_LATE] +
						       g->n[S_MISSING] + g->n[S_PENDING]));
	json_object_set_new(o, "reported", json_integer(g->n[S_ON_TIME] + g->n[S_LATE]));
	json_object_set_new(o, "on_time", json_integer(g->n[S_ON_TIME]));
	json_object_set_new(o, "late", json_integer(g->n[S_LATE]));
	json_object_set_new(o, "missing", json_integer(g->n[S_MISSING]));
	json_object_set_new(o, "pending", json_integer(g->n[S_PENDING]));
	json_object_set_new(o, "on_time_arrived_late", json_integer(g->arrived_late));
	json_object_set_new(o, "conflicts", json_integer(g->conflicts));
	json_object_set_new(o, "on_time_units", g->lists[S_ON_TIME]);
	json_object_set_new(o, "late_units", g->lists[S_LATE]);
	json_object_set_new(o, "missing_units", g->lists[S_MISSING]);
	json_object_set_new(o, "pending_units", g->lists[S_PENDING]);
	for (int i = S_ON_TIME; i <= S_PENDING; i++)
		g->lists[i] = NULL;
	g->obj = NULL;
	return o;
}

static void s_group_free(s_group_t *g)
{
	json_decref(g->obj);
	for (int i = S_ON_TIME; i <= S_PENDING; i++)
		json_decref(g->lists[i]);
}

/* "completeness": the direct children, and every level below unit with a
 * deadline, in the order the levels first occur going down the tree. */
/* The group of level `level` in lev[0..*nlev), started if it is new;
 * NULL when VIEW_LEVELS_MAX levels are already there. */
static s_group_t *s_level_group(s_group_t *lev, size_t *nlev, const char *level, int *r)
{
	size_t l;

	for (l = 0; l < *nlev && strcmp(lev[l].level, level) != 0; l++)
		;
	if (l < *nlev)
		return &lev[l];
	if (*nlev == VIEW_LEVELS_MAX)
		return NULL;
	/* counted even when it fails: s_group_free() frees what it got */
	if ((*r = s_group_init(&lev[(*nlev)++], level)) < 0)
		return NULL;
	return &lev[*nlev - 1];
}

/* Counts unit i below `unit`: among the children when it is one, and in
 * its level's group when a report is expected of it. */
static int s_tally(const s_ctx_t *x, int unit, int i, s_group_t *kids, s_group_t *lev,
		   size_t *nlev)
{
	const hier_unit_t *u = hier_unit(x->hier, i);
	json_t *rep = NULL;
	s_status_t st;
	s_group_t *g;
	int r;

	if ((r = s_timeliness(x, i, &st, &rep)) < 0)
		return r;
	if (u->parent == unit)
		s_group_add(kids, x->hier, u, st, rep);
	if (st != S_NOT_EXPECTED && (g = s_level_group(lev, nlev, u->level, &r)) != NULL)
		s_group_add(g, x->hier, u, st, rep);
	json_decref(rep);
	return r;
}

static int s_completeness(const s_ctx_t *x, int unit, json_t **ret)
{
	size_t nu = hier_count(x->hier), head = 0, tail = 0, nlev = 0;
	int *queue = malloc((nu ? nu : 1) * sizeof(*queue));
	s_group_t kids, lev[VIEW_LEVELS_MAX];
	json_t *levels = json_array(), *out = NULL;
	int r = s_group_init(&kids, NULL);

	if (!queue || !levels)
		r = -ENOMEM;
	if (r == 0)
		queue[tail++] = unit;
	while (r == 0 && head < tail) {
		int i = queue[head++];
		const int *ch;
		size_t nch = hier_children(x->hier, i, &ch);

		for (size_t k = 0; k < nch; k++)
			queue[tail++] = ch[k];
		if (i != unit)
			r = s_tally(x, unit, i, &kids, lev, &nlev);
	}
	if (r == 0) {
		for (size_t l = 0; l < nlev; l++)
			json_array_append_new(levels, s_group_done(&lev[l], x));
		out = json_pack("{s:o, s:O}", "children", s_group_done(&kids, x), "levels", levels);
		if (!out)
			r = -ENOMEM;
	}
	for (size_t l = 0; l < nlev; l++)
		s_group_free(&lev[l]);
	s_group_free(&kids);
	json_decref(levels);
	free(queue);
	if (r == 0)
		*ret = out;
	return r;
}

/* ---- the view ---------------------------------------------------------- */

/* The head of a campaign view: ids, names, indicators. */
static json_t *s_head(const s_ctx_t *x)
{
	static const char *const kinds[] = { "year", "midterm", "final", "adhoc" };
	json_t *inds = json_array(), *head;

	for (int i = 0; inds && i < (int)campaign_indicator_count(x->camp); i++) {
		const campaign_indicator_t *ind = campaign_indicator(x->camp, i);

		json_array_append_new(inds, json_pack("{s:s, s:s, s:s}", "code", ind->code,
						      "label", ind->label,
						      "kind", s_kind_names[ind->kind]));
	}
	head = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:o}",
			 "campaign", campaign_id(x->camp), "campaign_name", campaign_name(x->camp),
			 "period", x->p->id, "period_kind", kinds[x->p->kind],
			 "previous_period", x->prev ? json_string(x->prev->id) : json_null(),
			 "clock_skew_s", (json_int_t)x->skew,
			 "utc_offset_s", (json_int_t)campaign_utc_offset(x->camp),
			 "generated_at", (json_int_t)x->now, "indicators", inds);
	return head;
}

/* The view of x (its campaign and period set) for o into *ret. */
static int s_view(s_ctx_t *x, const view_opts_t *o, json_t **ret, char *err, size_t errlen)
{
	const hier_t *hier = x->hier;
	json_t *view = NULL, *row = NULL, *children = NULL, *comp = NULL;
	int r = 0;

	if (!(view = s_head(x)))
		return -ENOMEM;
	if (o->cluster) {
		const campaign_cluster_t *cl = campaign_cluster_find(x->camp, o->cluster);
		json_t *members;

		if (!cl) {
			snprintf(err, errlen, "'%s' is not a cluster of campaign '%s' (%s)",
				 o->cluster, o->campaign, campaign_file(x->camp));
			json_decref(view);
			return LNOB_E_NOTFOUND;
		}
		members = json_array();
		for (size_t i = 0; r == 0 && i < cl->nmembers; i++) {
			int m = hier_find(hier, cl->members[i]);

			if (m < 0)
				continue;   /* checked at load; a newer hierarchy may lack it */
			if ((r = s_row(x, m, &row)) == 0)
				json_array_append_new(members, row);
		}
		json_object_set_new(view, "cluster", json_pack("{s:s, s:s, s:o}", "id", cl->id,
							       "name", cl->name, "members", members));
	} else {
		const int *kids;
		size_t n = hier_children(hier, o->unit, &kids);

		r = s_row(x, o->unit, &row);
		if (r == 0)
			json_object_set_new(view, "unit", row);
		children = json_array();
		for (size_t i = 0; r == 0 && i < n; i++) {
			json_t *kid;

			if ((r = s_row(x, kids[i], &kid)) == 0)
				json_array_append_new(children, kid);
		}
		json_object_set_new(view, "children", children);
		if (r == 0 && (r = s_completeness(x, o->unit, &comp)) == 0)
			json_object_set_new(view, "completeness", comp);
	}
	if (r < 0) {
		json_decref(view);
		return r;
	}
	*ret = view;
	return 0;
}

int view_build(store_t *st, MDB_txn *txn, const hier_t *hier, const view_opts_t *o,
	       json_t **ret, char *err, size_t errlen)
{
	view_opts_t on = *o;   /* on the period's hierarchy version (hierperiod.h) */
	s_ctx_t x = { .st = st, .txn = txn, .now = o->now };
	int r = 0;

	if (o->cluster)
		hier = hierperiod_tree(hier, o->campaigns, o->campaign, o->period);
	else if ((r = hierperiod_view_unit(&hier, o->campaigns, o->campaign, o->period, &on.unit,
					   err, errlen)) < 0)
		return r;
	x.hier = hier;
	o = &on;
	if ((r = campaigns_lookup(o->campaigns, o->campaign, o->period, "campaign", "period",
				  &x.camp, err, errlen)) < 0)
		return r;
	if (!x.camp && o->cluster) {
		snprintf(err, errlen, "campaign '%s' is not configured ([campaign] files): it has "
			 "no clusters", o->campaign);
		return LNOB_E_NOTFOUND;
	}
	if (!x.camp)
		return rollup_view(st, txn, hier, o->campaign, o->period, o->unit, ret);
	x.p = campaign_period_find(x.camp, o->period);
	x.prev = campaign_period_previous(x.camp, x.p);
	x.skew = o->campaigns->clock_skew_s;
	if ((r = snapshot_in_present(st, txn, &x.snapshots)) < 0)
		return r;
	if (!(x.memo = agg_memo_new()))
		return -ENOMEM;
	r = s_view(&x, o, ret, err, errlen);
	agg_memo_free(&x.memo);
	return r;
}
