/* view.c: the operators' view of a campaign period (see view.h). */
#include "view.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "lnob_err.h"
#include "report.h"
#include "rollup.h"
#include "util.h"

#define VIEW_TARGETS_MAX 32     /* effective targets of one unit (one per goal) */
#define VIEW_LEVELS_MAX 32      /* distinct levels below a unit */
#define VIEW_LIST_MAX 12        /* names a table lists before "and N more" */

/* What one (campaign, period) view is built from. */
typedef struct s_ctx {
	store_t *st;
	MDB_txn *txn;
	const hier_t *hier;
	const campaign_t *camp;
	const campaign_period_t *p, *prev;
	int64_t skew, now;
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
	return (double)(long long)(x + (x < 0 ? -0.5 : 0.5));
}

static json_t *s_real(double x)
{
	return json_real(s_round(x * 10000.0) / 10000.0);
}

/* ---- reading the store ------------------------------------------------ */

/* The counts of unit code's rollup for period id, into c; *ret_reported gets
 * its units_reported. With ret_sums, also the sums as a JSON object (caller
 * owns). Returns 0 or a store error. */
static int s_counts(const s_ctx_t *x, const char *period, const char *code,
		    campaign_counts_t *c, unsigned *ret_reported, json_t **ret_sums)
{
	Lnob__RollupRecord *rec = NULL;
	report_sums_t view;
	int r = agg_rollup_get(x->st, x->txn, campaign_id(x->camp), period, code, &rec);

	if (r < 0)
		return r;
	view.v = rec->sums;
	view.n = view.cap = rec->n_sums;
	r = campaign_counts_from_sums(x->camp, &view, c);
	if (r < 0)    /* an out-of-range sum: show what is known */
		campaign_counts_clear(c);
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
 * has none. Caller frees. Returns 0 or a store error. */
static int s_latest(const s_ctx_t *x, const char *code, Lnob__LatestRecord **ret)
{
	uint8_t key[AGG_KEY_MAX];
	size_t klen = agg_key_unit(key, campaign_id(x->camp), x->p->id, code);
	ProtobufCMessage *m;
	MDB_val v;
	int r;

	*ret = NULL;
	if (!klen)
		return 0;
	r = store_get(x->txn, store_dbi(x->st, AGG_DB_LATEST), key, klen, &v);
	if (r == LNOB_E_NOTFOUND)
		return 0;
	if (r < 0)
		return r;
	if (codec_unpack(&lnob__latest_record__descriptor, v.mv_data, v.mv_size, v.mv_size, &m) < 0)
		return LNOB_E_CORRUPT;
	*ret = (Lnob__LatestRecord *)m;
	return 0;
}

/* ---- timeliness -------------------------------------------------------- */

/* The timeliness of one unit: status, and with a report, a JSON object of
 * its times and flags (caller owns *ret_json; NULL without a report and
 * for S_NOT_EXPECTED without one). */
static int s_timeliness(const s_ctx_t *x, int unit, s_status_t *ret_status, json_t **ret_json)
{
	const hier_unit_t *u = hier_unit(x->hier, unit);
	Lnob__LatestRecord *lr = NULL;
	campaign_timeliness_t tl = { 0 };
	int64_t late_from = 0, completed, received;
	bool due = campaign_deadline_for(x->camp, u->level, x->p, &late_from) == 0;
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
		if (r < 0) {
			lnob__latest_record__free_unpacked(lr, NULL);
			return r;
		}
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
	lnob__latest_record__free_unpacked(lr, NULL);
	if (!j)
		return -ENOMEM;
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

/* "values": every indicator of the campaign now, at the baseline and in the
 * previous period, with the changes (now − then). */
static json_t *s_values(const s_ctx_t *x, const campaign_counts_t *cur,
			const campaign_counts_t *base, const campaign_counts_t *prev)
{
	json_t *vals = json_object();

	for (int i = 0; vals && i < (int)campaign_indicator_count(x->camp); i++) {
		const campaign_indicator_t *ind = campaign_indicator(x->camp, i);
		bool rate = ind->kind == CAMPAIGN_IND_RATE;
		double now = 0, then = 0;
		int64_t num, den;
		bool has_now = campaign_value_display(x->camp, cur, i, &now) == 0;
		json_t *o = json_object();

		if (!o)
			break;
		json_object_set_new(o, "value", has_now ? s_val(rate, now) : json_null());
		if (rate && campaign_value(x->camp, cur, i, &num, &den) == 0) {
			json_object_set_new(o, "num", json_integer(num));
			json_object_set_new(o, "den", json_integer(den));
		}
		if (campaign_value_display(x->camp, base, i, &then) == 0) {
			json_object_set_new(o, "baseline", s_val(rate, then));
			json_object_set_new(o, "change_baseline",
					    has_now ? s_val(rate, now - then) : json_null());
		} else {
			json_object_set_new(o, "baseline", json_null());
			json_object_set_new(o, "change_baseline", json_null());
		}
		if (prev && campaign_value_display(x->camp, prev, i, &then) == 0) {
			json_object_set_new(o, "previous", s_val(rate, then));
			json_object_set_new(o, "change_previous",
					    has_now ? s_val(rate, now - then) : json_null());
		} else {
			json_object_set_new(o, "previous", json_null());
			json_object_set_new(o, "change_previous", json_null());
		}
		json_object_set_new(vals, ind->code, o);
	}
	return vals;
}

/* The numbers of one evaluation, into o. */
static void s_eval_json(json_t *o, const campaign_eval_t *ev)
{
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
	json_object_set_new(o, "basis", json_string(t->basis == CAMPAIGN_BASIS_ANNUAL ?
						    "annual" : "average"));
	json_object_set_new(o, "pace", json_string(t->pace == CAMPAIGN_PACE_END ? "end" : "linear"));
	json_object_set_new(o, "by", json_integer(t->by_year));
	json_object_set_new(o, "strict", json_boolean(t->strict));
}

/* "targets": the unit's effective targets, evaluated. */
static int s_targets(const s_ctx_t *x, int unit, const campaign_counts_t *cur,
		     const campaign_counts_t *base, const campaign_counts_t *prev, json_t **ret)
{
	campaign_applied_t ap[VIEW_TARGETS_MAX];
	size_t n = campaign_target_for(x->camp, x->hier, unit, x->p, ap, VIEW_TARGETS_MAX);
	json_t *arr = json_array();

	if (n > VIEW_TARGETS_MAX)
		n = VIEW_TARGETS_MAX;
	for (size_t i = 0; arr && i < n; i++) {
		const campaign_target_t *t = ap[i].target;
		campaign_eval_t ev;
		json_t *o;
		int r = campaign_evaluate(x->camp, t, x->p, base, prev, cur, &ev);

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
		s_eval_json(o, &ev);
		if (t->form == CAMPAIGN_ANY_OF) {
			json_t *alts = json_array();

			if (ev.decided_by) {
				json_t *d = json_pack("{s:s}", "id", ev.decided_by->id);

				s_target_terms(x, d, ev.decided_by);
				json_object_set_new(o, "decided_by", d);
			}
			for (size_t a = 0; alts && a < t->nalts; a++) {
				campaign_eval_t ae;
				json_t *ao = json_pack("{s:s}", "id", t->alts[a]->id);

				if (!ao || campaign_evaluate(x->camp, t->alts[a], x->p, base, prev,
							     cur, &ae) < 0) {
					json_decref(ao);
					continue;
				}
				s_target_terms(x, ao, t->alts[a]);
				s_eval_json(ao, &ae);
				json_array_append_new(alts, ao);
			}
			json_object_set_new(o, "alternatives", alts);
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
		uint8_t key[AGG_KEY_MAX];
		size_t klen;
		int64_t late_from;
		const int *ch;
		size_t nch = hier_children(x->hier, queue[head++], &ch);
		MDB_val v;

		for (size_t k = 0; k < nch && tail < nu; k++)
			queue[tail++] = ch[k];
		if (campaign_deadline_for(x->camp, u->level, x->p, &late_from) < 0)
			continue;
		expected++;
		klen = agg_key_unit(key, campaign_id(x->camp), x->p->id, u->code);
		r = klen ? store_get(x->txn, store_dbi(x->st, AGG_DB_LATEST), key, klen, &v) :
			LNOB_E_NOTFOUND;
		if (r == 0)
			reported++;
		else if (r != LNOB_E_NOTFOUND)
			break;
		r = 0;
	}
	free(queue);
	if (r < 0)
		return r;
	*ret_expected = expected;
	*ret_reported = reported;
	return 0;
}

/* One unit's row: counts, values, targets, its own report's timeliness and
 * the clusters it belongs to. Caller owns *ret. */
static int s_row(const s_ctx_t *x, int unit, json_t **ret)
{
	const hier_unit_t *u = hier_unit(x->hier, unit);
	const campaign_cluster_t *cl[16];
	campaign_counts_t cur, base, prev;
	unsigned reported = 0, prev_reported = 0, expected = 0, expected_reported = 0;
	bool has_prev = false;
	json_t *sums = NULL, *row, *targets = NULL, *report = NULL, *clusters;
	s_status_t st;
	size_t ncl;
	int r;

	r = s_counts(x, x->p->id, u->code, &cur, &reported, &sums);
	if (r == 0 && x->prev) {
		r = s_counts(x, x->prev->id, u->code, &prev, &prev_reported, NULL);
		has_prev = r == 0 && prev_reported > 0;
	}
	if (r < 0) {
		json_decref(sums);
		return r;
	}
	if (campaign_baseline_for(x->camp, x->hier, unit, &base) < 0)
		campaign_counts_clear(&base);
	r = s_targets(x, unit, &cur, &base, has_prev ? &prev : NULL, &targets);
	if (r == 0)
		r = s_timeliness(x, unit, &st, &report);
	if (r == 0)
		r = s_coverage(x, unit, &expected, &expected_reported);
	if (r < 0) {
		json_decref(sums);
		json_decref(targets);
		json_decref(report);
		return r;
	}
	clusters = json_array();
	ncl = campaign_clusters_of(x->camp, u->code, cl, 16);
	for (size_t i = 0; i < ncl && i < 16; i++)
		json_array_append_new(clusters, json_string(cl[i]->id));
	row = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:I, s:o, s:o, s:o, s:o, s:o}",
			"code", u->code, "name", u->name, "level", u->level,
			"units_reported", (json_int_t)reported,
			"units_expected", (json_int_t)expected,
			"units_expected_reported", (json_int_t)expected_reported,
			"complete", expected_reported == expected,
			"previous_units_reported", (json_int_t)prev_reported,
			"sums", sums,
			"values", s_values(x, &cur, &base, has_prev ? &prev : NULL),
			"targets", targets, "report", report ? report : json_null(),
			"clusters", clusters);
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

/* Adds one unit to g; rep (borrowed) is its timeliness object or NULL. */
static void s_group_add(s_group_t *g, const hier_unit_t *u, s_status_t st, const json_t *rep)
{
	json_t *ref;

	if (st == S_NOT_EXPECTED)
		return;
	g->n[st]++;
	ref = json_pack("{s:s, s:s, s:s}", "code", u->code, "name", u->name, "level", u->level);
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
		if (i == unit)
			continue;
		{
			const hier_unit_t *u = hier_unit(x->hier, i);
			json_t *rep = NULL;
			s_status_t st;
			size_t l;

			if ((r = s_timeliness(x, i, &st, &rep)) < 0)
				break;
			if (u->parent == unit)
				s_group_add(&kids, u, st, rep);
			if (st != S_NOT_EXPECTED) {
				for (l = 0; l < nlev && strcmp(lev[l].level, u->level) != 0; l++)
					;
				if (l == nlev && nlev < VIEW_LEVELS_MAX &&
				    (r = s_group_init(&lev[nlev++], u->level)) < 0) {
					json_decref(rep);
					break;
				}
				if (l < nlev)
					s_group_add(&lev[l], u, st, rep);
			}
			json_decref(rep);
		}
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
	static const char *const kinds[] = { "year", "midterm", "final" };
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

int view_build(store_t *st, MDB_txn *txn, const hier_t *hier, const view_opts_t *o,
	       json_t **ret, char *err, size_t errlen)
{
	s_ctx_t x = { .st = st, .txn = txn, .hier = hier, .now = o->now };
	json_t *view = NULL, *row = NULL, *children = NULL, *comp = NULL;
	int r = 0;

	x.camp = campaigns_find(o->campaigns, o->campaign);
	if (!x.camp && o->cluster) {
		snprintf(err, errlen, "campaign '%s' is not configured ([campaign] files): it has "
			 "no clusters", o->campaign);
		return LNOB_E_NOTFOUND;
	}
	if (!x.camp)
		return rollup_view(st, txn, hier, o->campaign, o->period, o->unit, ret);
	if (!(x.p = campaign_period_find(x.camp, o->period))) {
		snprintf(err, errlen, "'%s' is not a period of campaign '%s' (%s)", o->period,
			 o->campaign, campaign_file(x.camp));
		return LNOB_E_NOTFOUND;
	}
	x.prev = campaign_period_previous(x.camp, x.p);
	x.skew = o->campaigns->clock_skew_s;
	if (!(view = s_head(&x)))
		return -ENOMEM;
	if (o->cluster) {
		const campaign_cluster_t *cl = campaign_cluster_find(x.camp, o->cluster);
		json_t *members;

		if (!cl) {
			snprintf(err, errlen, "'%s' is not a cluster of campaign '%s' (%s)",
				 o->cluster, o->campaign, campaign_file(x.camp));
			json_decref(view);
			return LNOB_E_NOTFOUND;
		}
		members = json_array();
		for (size_t i = 0; r == 0 && i < cl->nmembers; i++) {
			int m = hier_find(hier, cl->members[i]);

			if (m < 0)
				continue;   /* checked at load; a newer hierarchy may lack it */
			if ((r = s_row(&x, m, &row)) == 0)
				json_array_append_new(members, row);
		}
		json_object_set_new(view, "cluster", json_pack("{s:s, s:s, s:o}", "id", cl->id,
							       "name", cl->name, "members", members));
	} else {
		const int *kids;
		size_t n = hier_children(hier, o->unit, &kids);

		r = s_row(&x, o->unit, &row);
		if (r == 0)
			json_object_set_new(view, "unit", row);
		children = json_array();
		for (size_t i = 0; r == 0 && i < n; i++) {
			json_t *kid;

			if ((r = s_row(&x, kids[i], &kid)) == 0)
				json_array_append_new(children, kid);
		}
		json_object_set_new(view, "children", children);
		if (r == 0 && (r = s_completeness(&x, o->unit, &comp)) == 0)
			json_object_set_new(view, "completeness", comp);
	}
	if (r < 0) {
		json_decref(view);
		return r;
	}
	*ret = view;
	return 0;
}

/* ---- tables ------------------------------------------------------------ */

/* Formats Unix time t in the view's offset as "2023-12-05 00:00"; "-" for
 * none, and for a time that cannot be shown (any int64 is safe: a stamp
 * stored before the range check, e.g. 2^63-1, does not overflow). */
static const char *s_time(const json_t *view, const json_t *t, char *buf, size_t len)
{
	json_int_t local;
	time_t s;
	struct tm tm;

	if (!json_is_integer(t) || json_integer_value(t) <= 0)
		return "-";
	if (__builtin_add_overflow(json_integer_value(t),
				   json_integer_value(json_object_get(view, "utc_offset_s")), &local))
		return "-";
	s = (time_t)local;
	if (!gmtime_r(&s, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M", &tm))
		return "-";
	return buf;
}

static const char *s_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* "CODE Name", indented for a child. */
static void s_put_unit(FILE *out, const json_t *row, size_t width, bool child)
{
	char label[256];

	snprintf(label, sizeof(label), "%s%s %s", child ? "  " : "", s_str(row, "code"),
		 s_str(row, "name"));
	lnob_fput_col(out, label, width, true);
}

/* A number of the view: integers as such, reals with 2 decimals, "-" for
 * null; with sign, a leading "+" on positives. */
static const char *s_num(const json_t *v, bool sign, char *buf, size_t len)
{
	if (json_is_integer(v))
		snprintf(buf, len, sign ? "%+lld" : "%lld", (long long)json_integer_value(v));
	else if (json_is_number(v))
		snprintf(buf, len, sign ? "%+.2f" : "%.2f", json_number_value(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

static const json_t *s_indicator(const json_t *view, const char *code)
{
	const json_t *ind;
	size_t i;

	json_array_foreach(json_object_get(view, "indicators"), i, ind)
		if (strcmp(s_str(ind, "code"), code) == 0)
			return ind;
	return NULL;
}

static bool s_is_rate(const json_t *view, const char *code)
{
	return strcmp(s_str(s_indicator(view, code), "kind"), "rate") == 0;
}

#define VIEW_TABLE_WIDTH 160   /* a table wider than this is cut into column blocks */

/* One cell of a row: indicator code's figure ("derived": value with its
 * changes). */
static void s_cell(const json_t *row, const char *code, bool derived, bool rate, char *buf,
		   size_t len)
{
	const json_t *v = json_object_get(json_object_get(row, "values"), code);
	char a[32], b[32], c[32];

	if (!derived) {
		s_num(json_object_get(v, "value"), false, buf, len);
		return;
	}
	snprintf(buf, len, "%s%s (%s; %s)", s_num(json_object_get(v, "value"), false, a, sizeof(a)),
		 rate && json_is_number(json_object_get(v, "value")) ? "%" : "",
		 s_num(json_object_get(v, "change_baseline"), true, b, sizeof(b)),
		 s_num(json_object_get(v, "change_previous"), true, c, sizeof(c)));
}

/* A table of indicator columns (reported counts and amounts, or derived
 * sums and rates) with one line per row, cut into blocks of columns that
 * fit VIEW_TABLE_WIDTH; columns no row has a figure for are left out. */
static void s_print_columns(FILE *out, const json_t *view, const json_t *rows, bool with_unit,
			    bool derived)
{
	const json_t *ind, *row;
	const char *codes[CAMPAIGN_INDICATORS_MAX];
	size_t widths[CAMPAIGN_INDICATORS_MAX], nc = 0, i, j, first = 0;
	char cell[128];

	json_array_foreach(json_object_get(view, "indicators"), i, ind) {
		const char *k = s_str(ind, "kind"), *code = s_str(ind, "code");
		bool is_derived = strcmp(k, "sum") == 0 || strcmp(k, "rate") == 0, any = false;
		size_t w = strlen(code);

		if (is_derived != derived || nc == CAMPAIGN_INDICATORS_MAX)
			continue;
		json_array_foreach(rows, j, row) {
			const json_t *v = json_object_get(json_object_get(row, "values"), code);

			if (json_is_number(json_object_get(v, "value"))) {
				s_cell(row, code, derived, strcmp(k, "rate") == 0, cell, sizeof(cell));
				if (lnob_utf8_width(cell) > w)
					w = lnob_utf8_width(cell);
				any = true;
			}
		}
		if (!any)
			continue;
		codes[nc] = code;
		widths[nc++] = w < 8 ? 8 : w;
	}
	if (nc == 0)
		fprintf(out, "(no figures reported)\n");
	while (first < nc) {
		size_t width = 46, last = first;

		while (last < nc && (last == first || width + 1 + widths[last] <= VIEW_TABLE_WIDTH))
			width += 1 + widths[last++];
		lnob_fput_col(out, "unit", 36, true);
		if (!derived)
			fprintf(out, " %8s", "reported");
		for (i = first; i < last; i++) {
			fputc(' ', out);
			lnob_fput_col(out, codes[i], widths[i], false);
		}
		fputc('\n', out);
		json_array_foreach(rows, j, row) {
			s_put_unit(out, row, 36, with_unit && j > 0);
			if (!derived)
				fprintf(out, " %8lld",
					(long long)json_integer_value(json_object_get(row, "units_reported")));
			for (i = first; i < last; i++) {
				s_cell(row, codes[i], derived, s_is_rate(view, codes[i]), cell, sizeof(cell));
				fputc(' ', out);
				lnob_fput_col(out, cell, widths[i], false);
			}
			fputc('\n', out);
		}
		first = last;
		if (first < nc)
			fputc('\n', out);
	}
}

/* Counts table: the reported counts and amounts of the campaign. */
static void s_print_counts(FILE *out, const json_t *view, const json_t *rows, bool with_unit)
{
	fprintf(out, "\nCounts (sums over each subtree; \"reported\": units with a report)\n");
	s_print_columns(out, view, rows, with_unit, false);
}

/* Derived values: each sum and rate now, and its change against the
 * baseline and the previous period. */
static void s_print_derived(FILE *out, const json_t *view, const json_t *rows, bool with_unit)
{
	const char *prev = json_string_value(json_object_get(view, "previous_period"));

	fprintf(out, "\nDerived values from the summed counts: now (change vs baseline; vs %s)\n",
		prev ? prev : "baseline");
	s_print_columns(out, view, rows, with_unit, true);
}

/* "poor_rate -3 pts/yr", "poor_near_poor -50 %", "< 0.5" ... */
static void s_form_text(const json_t *view, const json_t *t, char *buf, size_t len)
{
	const char *form = s_str(t, "form"), *ind = s_str(t, "indicator");
	double v = json_number_value(json_object_get(t, "value"));
	bool rate = s_is_rate(view, ind), annual = strcmp(s_str(t, "basis"), "annual") == 0;
	const char *pct = rate ? "%" : "";

	if (strcmp(form, "down_points") == 0)
		snprintf(buf, len, "%s -%g pts/yr%s", ind, v, annual ? " annual" : "");
	else if (strcmp(form, "down_percent") == 0)
		snprintf(buf, len, "%s -%g %%%s", ind, v, annual ? "/yr" : " by end");
	else if (strcmp(form, "below") == 0)
		snprintf(buf, len, "%s < %g%s", ind, v, pct);
	else if (strcmp(form, "at_most") == 0)
		snprintf(buf, len, "%s <= %g%s", ind, v, pct);
	else if (strcmp(form, "at_least") == 0)
		snprintf(buf, len, "%s >= %g%s", ind, v, pct);
	else
		snprintf(buf, len, "any of");
}

static void s_print_target_line(FILE *out, const json_t *view, const json_t *row, const json_t *t,
				bool first, bool child)
{
	const json_t *d = json_object_get(t, "decided_by");
	const json_t *use = d ? d : t;
	char name[160], form[160], a[32], b[32], c[32], e[32];

	if (first)
		s_put_unit(out, row, 32, child);
	else
		lnob_fput_col(out, "", 32, true);
	snprintf(name, sizeof(name), "%s%s%s", s_str(t, "id"), d ? " > " : "",
		 d ? s_str(d, "id") : "");
	fputc(' ', out);
	lnob_fput_col(out, name, 30, true);
	s_form_text(view, use, form, sizeof(form));
	fputc(' ', out);
	lnob_fput_col(out, form, 28, true);
	fprintf(out, " %9s %9s %11s %9s  %s%s\n",
		s_num(json_object_get(t, "required_change"), false, a, sizeof(a)),
		s_num(json_object_get(t, "change_baseline"), false, b, sizeof(b)),
		s_num(json_object_get(t, "achievement_pct"), false, c, sizeof(c)),
		s_num(json_object_get(t, "progress_pct"), false, e, sizeof(e)),
		s_str(t, "verdict"), json_is_false(json_object_get(row, "complete")) ? " *" : "");
}

/* Targets: one line per effective target of each row. */
static void s_print_targets(FILE *out, const json_t *view, const json_t *rows, bool with_unit)
{
	const json_t *row, *t;
	size_t i, j;
	bool incomplete = false;

	fprintf(out, "\nTargets: change required by now vs achieved since the baseline "
		"(points for rates); achievement and progress in %%\n");
	lnob_fput_col(out, "unit", 32, true);
	fputc(' ', out);
	lnob_fput_col(out, "target", 30, true);
	fputc(' ', out);
	lnob_fput_col(out, "asks", 28, true);
	fprintf(out, " %9s %9s %11s %9s  %s\n", "required", "achieved", "achievement",
		"progress", "on target");
	json_array_foreach(rows, j, row) {
		const json_t *ts = json_object_get(row, "targets");

		if (json_array_size(ts) == 0) {
			s_put_unit(out, row, 32, with_unit && j > 0);
			fprintf(out, " (no target)\n");
		}
		json_array_foreach(ts, i, t)
			s_print_target_line(out, view, row, t, i == 0, with_unit && j > 0);
		if (json_is_false(json_object_get(row, "complete")))
			incomplete = true;
	}
	if (incomplete)
		fprintf(out, "* partial sums: not every unit of the subtree that owes a report has "
			"sent one (see Completeness)\n");
}

/* Up to VIEW_LIST_MAX units of a list, with their times when they have them. */
static void s_print_list(FILE *out, const json_t *view, const char *what, const json_t *list,
			 const char *only)
{
	const json_t *u;
	size_t i, shown = 0, total = 0;
	char a[32], b[32];

	json_array_foreach(list, i, u) {
		char label[256];

		if (only && !json_is_true(json_object_get(u, only)))
			continue;
		if (total++ == 0)
			fprintf(out, "    %s:\n", what);
		if (shown >= VIEW_LIST_MAX)
			continue;
		shown++;
		snprintf(label, sizeof(label), "%s %s", s_str(u, "code"), s_str(u, "name"));
		fputs("      ", out);
		if (json_object_get(u, "completed_at")) {
			lnob_fput_col(out, label, 36, true);
			fprintf(out, " completed %s, arrived %s%s%s%s\n",
				s_time(view, json_object_get(u, "completed_at"), a, sizeof(a)),
				s_time(view, json_object_get(u, "received_at"), b, sizeof(b)),
				json_is_true(json_object_get(u, "by_skew")) ? " (within clock skew)" : "",
				json_is_true(json_object_get(u, "clock_suspect")) ?
				" (completion stamp after arrival: judged by arrival)" : "",
				json_is_true(json_object_get(u, "conflict")) ? " [revision conflict]" : "");
		} else {
			fprintf(out, "%s\n", label);
		}
	}
	if (total > shown)
		fprintf(out, "      ... and %zu more (--json lists all)\n", total - shown);
}

/* One group's line and its lists; the on-time reports that arrived late
 * are listed by name for the children only (a level may hold hundreds). */
static void s_print_group(FILE *out, const json_t *view, const char *label, const json_t *g,
			  bool list_arrived_late)
{
	char a[32];

	lnob_fput_col(out, label, 22, true);
	fprintf(out, " %-17s %8lld %8lld %6lld %8lld %8lld %13lld %9lld\n",
		s_time(view, json_object_get(g, "late_from"), a, sizeof(a)),
		(long long)json_integer_value(json_object_get(g, "expected")),
		(long long)json_integer_value(json_object_get(g, "on_time")),
		(long long)json_integer_value(json_object_get(g, "late")),
		(long long)json_integer_value(json_object_get(g, "missing")),
		(long long)json_integer_value(json_object_get(g, "pending")),
		(long long)json_integer_value(json_object_get(g, "on_time_arrived_late")),
		(long long)json_integer_value(json_object_get(g, "conflicts")));
	s_print_list(out, view, "late", json_object_get(g, "late_units"), NULL);
	s_print_list(out, view, "missing", json_object_get(g, "missing_units"), NULL);
	s_print_list(out, view, "open revision conflict (on time)",
		     json_object_get(g, "on_time_units"), "conflict");
	s_print_list(out, view, "open revision conflict (late)",
		     json_object_get(g, "late_units"), "conflict");
	if (list_arrived_late)
		s_print_list(out, view, "on time by completion, arrived late",
			     json_object_get(g, "on_time_units"), "arrived_late");
	else
		s_print_list(out, view, "on time within the clock-skew allowance",
			     json_object_get(g, "on_time_units"), "by_skew");
}

/* True unless the direct children are exactly the first level's units. */
static bool s_children_differ(const json_t *c)
{
	const json_t *kids = json_object_get(c, "children");
	const json_t *first = json_array_get(json_object_get(c, "levels"), 0);
	json_int_t n = json_integer_value(json_object_get(kids, "expected"));
	const json_t *lists[4] = { json_object_get(kids, "on_time_units"),
				   json_object_get(kids, "late_units"),
				   json_object_get(kids, "missing_units"),
				   json_object_get(kids, "pending_units") };

	if (n == 0)
		return false;
	if (!first || n != json_integer_value(json_object_get(first, "expected")))
		return true;
	for (size_t l = 0; l < 4; l++) {
		const json_t *u;
		size_t i;

		json_array_foreach(lists[l], i, u)
			if (strcmp(s_str(u, "level"), s_str(first, "level")) != 0)
				return true;
	}
	return false;
}

static void s_print_completeness(FILE *out, const json_t *view)
{
	const json_t *c = json_object_get(view, "completeness"), *g;
	size_t i;

	fprintf(out, "\nCompleteness and timeliness (each unit's first report, by its signed "
		"completion time; clock skew %lld s)\n",
		(long long)json_integer_value(json_object_get(view, "clock_skew_s")));
	lnob_fput_col(out, "level", 22, true);
	fprintf(out, " %-17s %8s %8s %6s %8s %8s %13s %9s\n", "late from", "expected",
		"on time", "late", "missing", "pending", "arrived late", "conflicts");
	if (s_children_differ(c))
		s_print_group(out, view, "children", json_object_get(c, "children"), true);
	json_array_foreach(json_object_get(c, "levels"), i, g)
		s_print_group(out, view, s_str(g, "level"), g, false);
}

/* Side by side: each member's status line. */
static void s_print_timeliness_rows(FILE *out, const json_t *view, const json_t *rows)
{
	const json_t *row;
	size_t i;
	char a[32], b[32];

	fprintf(out, "\nReports\n");
	lnob_fput_col(out, "unit", 36, true);
	fprintf(out, " %-10s %-17s %-17s %s\n", "status", "completed", "arrived", "");
	json_array_foreach(rows, i, row) {
		const json_t *r = json_object_get(row, "report");

		s_put_unit(out, row, 36, false);
		fprintf(out, " %-10s %-17s %-17s %s%s\n", json_is_object(r) ? s_str(r, "status") :
			"-", s_time(view, json_object_get(r, "completed_at"), a, sizeof(a)),
			s_time(view, json_object_get(r, "received_at"), b, sizeof(b)),
			json_is_true(json_object_get(r, "arrived_late")) ? "arrived late" : "",
			json_is_true(json_object_get(r, "conflict")) ? " [revision conflict]" : "");
	}
}

void view_print_table(FILE *out, const json_t *view)
{
	json_t *rows;
	const json_t *kid, *cl = json_object_get(view, "cluster");
	const char *prev = json_string_value(json_object_get(view, "previous_period"));
	long long off;
	size_t i;

	if (!json_object_get(view, "indicators")) {
		rollup_print_table(out, view);
		return;
	}
	off = json_integer_value(json_object_get(view, "utc_offset_s"));
	fprintf(out, "campaign %s (%s)\nperiod %s (%s; previous: %s); times in UTC%c%02d:%02d\n",
		s_str(view, "campaign"), s_str(view, "campaign_name"), s_str(view, "period"),
		s_str(view, "period_kind"), prev ? prev : "the baseline", off < 0 ? '-' : '+',
		(int)(llabs(off) / 3600), (int)(llabs(off) % 3600 / 60));
	rows = json_array();
	if (!rows)
		return;
	if (cl) {
		fprintf(out, "cluster %s (%s)\n", s_str(cl, "id"), s_str(cl, "name"));
		json_array_extend(rows, json_object_get(cl, "members"));
	} else {
		json_array_append(rows, json_object_get(view, "unit"));
		json_array_foreach(json_object_get(view, "children"), i, kid)
			json_array_append(rows, (json_t *)kid);
	}
	s_print_counts(out, view, rows, !cl);
	s_print_derived(out, view, rows, !cl);
	s_print_targets(out, view, rows, !cl);
	if (cl)
		s_print_timeliness_rows(out, view, rows);
	else
		s_print_completeness(out, view);
	json_decref(rows);
}
