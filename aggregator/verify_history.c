/* verify_history.c: verify's passes 1 to 4 (see verify.h): the history,
 * latest records, conflicts and rollups.
 *
 * Pass 1 walks the units with a latest record, grouped by (campaign,
 * period): for each unit it loads the history (from `revisions`, or the
 * one revision its LatestRecord keeps: schema 4) with every
 * revision's report decoded from its envelope, judges it pair by pair
 * (agg_history_judge()), checks each revision record against its
 * envelope, the unit's LatestRecord and ConflictRecord against the
 * judgement, and adds the current revision's values to the sums of the
 * unit and its ancestors, kept here in 128 bits; at the end of a group
 * every unit's materialised rollup is compared. Passes 2 to 5 look for
 * records with nothing behind them (latest, conflict, rollup records; a
 * history with no latest record). verify_log() (verify_log.c) does the
 * rest. */
#include "verify_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "hierperiod.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

/* One indicator of a recomputed rollup. */
typedef struct s_sum {
	char owned[LNOB_ID_MAX + 1];
	__int128 sum;
	uint64_t units;
} s_sum_t;

/* The recomputed rollup of one unit. */
typedef struct s_acc {
	s_sum_t *v;
	size_t n, cap;
	uint64_t reported;
} s_acc_t;

/* The state of pass 1. */
typedef struct s_pass {
	verify_t *v;
	s_acc_t *acc;              /* per hierarchy unit, for the group in hand */
	char cur_c[AGG_KEY_MAX + 1], cur_p[AGG_KEY_MAX + 1], cur_u[AGG_KEY_MAX + 1];
	char **seen;               /* "campaign\0period" of every group */
	size_t *seen_len;
	size_t nseen, cap_seen;
} s_pass_t;

/* ---- the recomputed sums ---------------------------------------------- */

/* Adds one value to a unit's recomputed rollup. */
static int s_acc_add(s_acc_t *a, const Lnob__IndicatorValue *x)
{
	size_t i;

	for (i = 0; i < a->n && strcmp(a->v[i].owned, x->code) != 0; i++)
		;
	if (i == a->n) {
		if (lnob_grow(&a->v, a->n, &a->cap, sizeof(*a->v), 8) < 0)
			return -ENOMEM;
		memset(&a->v[i], 0, sizeof(a->v[i]));
		lnob_strlcpy(a->v[i].owned, x->code, sizeof(a->v[i].owned));
		a->n++;
	}
	a->v[i].sum += report_value_of(x);
	a->v[i].units++;
	return 0;
}

static void s_acc_reset(s_acc_t *a)
{
	a->n = 0;
	a->reported = 0;
}

/* Compares one unit's recomputed rollup with the materialised record. */
/* The hierarchy version (campaign, period) is rolled up on (hierperiod.h). */
static const hier_t *s_tree(const verify_t *v, const char *campaign, const char *period)
{
	return hierperiod_tree(v->hier, v->camps, campaign, period);
}

static void s_compare_unit(verify_t *v, const char *c, const char *p, const char *code,
			   const s_acc_t *a, const Lnob__RollupRecord *rec)
{
	if (rec->units_reported != a->reported)
		verify_diff(v, "%s/%s unit %s: materialised rollup has %u units reported, the "
			    "recomputation from the history %llu", c, p, code, rec->units_reported,
			    (unsigned long long)a->reported);
	if (rec->n_units != rec->n_sums)
		verify_diff(v, "%s/%s unit %s: materialised rollup has %zu sums but %zu carrier "
			    "counts", c, p, code, rec->n_sums, rec->n_units);
	for (size_t i = 0; i < rec->n_sums; i++) {
		const Lnob__IndicatorValue *s = rec->sums[i];
		size_t j;

		for (j = 0; j < a->n && strcmp(a->v[j].owned, s->code) != 0; j++)
			;
		if (j == a->n) {
			verify_diff(v, "%s/%s unit %s: materialised rollup has %s = %lld, but no "
				    "current report of the subtree carries it (absent, not 0)", c, p,
				    code, s->code, (long long)report_value_of(s));
		} else if (a->v[j].sum != report_value_of(s) ||
			   (i < rec->n_units && rec->units[i] != a->v[j].units)) {
			verify_diff(v, "%s/%s unit %s: materialised %s = %lld over %u reports, the "
				    "recomputation %lld over %llu", c, p, code, s->code,
				    (long long)report_value_of(s), i < rec->n_units ? rec->units[i] : 0,
				    (long long)a->v[j].sum, (unsigned long long)a->v[j].units);
		}
	}
	for (size_t j = 0; j < a->n; j++) {
		bool found = false;

		for (size_t i = 0; i < rec->n_sums && !found; i++)
			found = strcmp(rec->sums[i]->code, a->v[j].owned) == 0;
		if (!found)
			verify_diff(v, "%s/%s unit %s: materialised rollup lacks %s = %lld", c, p,
				    code, a->v[j].owned, (long long)a->v[j].sum);
		if (a->v[j].sum > REPORT_VALUE_MAX)
			verify_diff(v, "%s/%s unit %s: %s sums to more than 10^15 over the subtree",
				    c, p, code, a->v[j].owned);
	}
}

/* Compares the recomputed rollup of every unit for one (campaign, period)
 * with the materialised rollups, and resets them. */
static int s_compare(s_pass_t *x, const char *campaign, const char *period)
{
	verify_t *v = x->v;
	const hier_t *h = s_tree(v, campaign, period);

	for (size_t u = 0; u < hier_count(h); u++) {
		const char *code = hier_unit(h, (int)u)->code;
		Lnob__RollupRecord *rec = NULL;
		int r = agg_rollup_get(v->st, v->txn, campaign, period, code, &rec);

		if (r < 0)
			return r;
		if (rec->units_reported || rec->n_sums || x->acc[u].reported)
			v->checked++;
		s_compare_unit(v, campaign, period, code, &x->acc[u], rec);
		lnob__rollup_record__free_unpacked(rec, NULL);
		s_acc_reset(&x->acc[u]);
	}
	return 0;
}

/* ---- groups seen -------------------------------------------------------- */

/* True when (campaign, period) had a group in pass 1. */
static bool s_seen(const s_pass_t *x, const char *c, const char *p)
{
	size_t cl = strlen(c), pl = strlen(p);

	for (size_t i = 0; i < x->nseen; i++)
		if (x->seen_len[i] == cl + 1 + pl && memcmp(x->seen[i], c, cl + 1) == 0 &&
		    memcmp(x->seen[i] + cl + 1, p, pl) == 0)
			return true;
	return false;
}

static int s_add_seen(s_pass_t *x, const char *c, const char *p)
{
	size_t cl = strlen(c), pl = strlen(p);
	char *k;

	if (x->nseen == x->cap_seen) {
		size_t cap = x->cap_seen ? x->cap_seen * 2 : 8;
		char **ns = realloc(x->seen, cap * sizeof(*ns));
		size_t *nl;

		if (!ns)
			return -ENOMEM;
		x->seen = ns;
		if (!(nl = realloc(x->seen_len, cap * sizeof(*nl))))
			return -ENOMEM;
		x->seen_len = nl;
		x->cap_seen = cap;
	}
	if (!(k = malloc(cl + 1 + pl + 1)))
		return -ENOMEM;
	memcpy(k, c, cl + 1);
	memcpy(k + cl + 1, p, pl + 1);
	x->seen[x->nseen] = k;
	x->seen_len[x->nseen++] = cl + 1 + pl;
	return 0;
}

/* ---- one unit ------------------------------------------------------------ */

/* Checks the unit's open ConflictRecord against the judged history h. */
static int s_check_conflict(verify_t *v, const char *c, const char *p, const char *u,
			    const agg_history_t *h)
{
	Lnob__ConflictRecord *rec = NULL;
	int r = agg_conflict_get(v->st, v->txn, c, p, u, &rec);
	size_t k = 0;
	bool same;

	if (r == LNOB_E_NOTFOUND) {
		if (h->members)
			verify_diff(v, "%s/%s unit %s: the history holds a revision conflict of %zu "
				    "revisions but no conflict record", c, p, u, h->members);
		return 0;
	}
	if (r < 0)
		return r;
	same = rec->n_members == h->members;
	for (size_t i = 0; same && i < h->n; i++) {
		const Lnob__ConflictMember *m;

		if (!h->v[i].member)
			continue;
		m = rec->members[k++];
		same = strcmp(m->signer, h->v[i].signer) == 0 && m->seq == h->v[i].seq &&
		       m->revision == h->v[i].revision && m->base_revision == h->v[i].base_revision;
	}
	if (!h->members)
		verify_diff(v, "%s/%s unit %s: a conflict record of %zu members, but the history "
			    "has no open conflict", c, p, u, rec->n_members);
	else if (!same)
		verify_diff(v, "%s/%s unit %s: the conflict record's members (%zu) differ from the "
			    "history's (%zu)", c, p, u, rec->n_members, h->members);
	lnob__conflict_record__free_unpacked(rec, NULL);
	return 0;
}

/* True when the value lists a and b hold the same codes with the same
 * values and kinds (order aside; 0 is a value, absent is not). */
static bool s_same_values(Lnob__IndicatorValue *const *a, size_t an,
			  Lnob__IndicatorValue *const *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++) {
		bool found = false;

		for (size_t j = 0; j < bn && !found; j++)
			found = strcmp(a[i]->code, b[j]->code) == 0 &&
				a[i]->value_case == b[j]->value_case &&
				report_value_of(a[i]) == report_value_of(b[j]);
		if (!found)
			return false;
	}
	return true;
}

/* Checks the unit's LatestRecord against the judged history h. */
static int s_check_latest(verify_t *v, const char *c, const char *p, const char *u,
			  const agg_history_t *h)
{
	const agg_rev_t *cur = &h->v[h->current], *first = &h->v[h->first];
	Lnob__LatestRecord *lr = NULL;
	uint32_t max_base = 0;
	int r = agg_latest_get(v->st, v->txn, c, p, u, &lr);

	if (r == LNOB_E_NOTFOUND) {
		verify_diff(v, "%s/%s unit %s: %zu revisions in the history but no latest record",
			    c, p, u, h->n);
		return 0;
	}
	if (r < 0)
		return r;
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].base_revision > max_base)
			max_base = h->v[i].base_revision;
	if (strcmp(lr->signer, cur->signer) != 0 || lr->seq != cur->seq ||
	    lr->revision != cur->revision)
		verify_diff(v, "%s/%s unit %s: latest is rev %u by %s #%llu, the history's current "
			    "revision is rev %u by %s #%llu", c, p, u, lr->revision, lr->signer,
			    (unsigned long long)lr->seq, cur->revision, cur->signer,
			    (unsigned long long)cur->seq);
	else if (lr->base_revision != cur->base_revision || lr->completed_at != cur->completed_at ||
		 lr->received_at != cur->received_at)
		verify_diff(v, "%s/%s unit %s: latest's base_revision, completed_at or received_at "
			    "differ from its revision's", c, p, u);
	if (!s_same_values(cur->report->values, cur->report->n_values, lr->values, lr->n_values))
		verify_diff(v, "%s/%s unit %s: latest's values differ from the current revision's "
			    "report", c, p, u);
	if (lr->revisions != h->n)
		verify_diff(v, "%s/%s unit %s: latest counts %u revisions, the history holds %zu",
			    c, p, u, lr->revisions, h->n);
	if ((lr->revisions == 1) != (lr->content.len != 0) ||
	    (lr->content.len && (lr->content.len != sizeof(cur->content) ||
				 memcmp(lr->content.data, cur->content, sizeof(cur->content)) != 0)))
		verify_diff(v, "%s/%s unit %s: latest's one-revision record (content, %zu bytes) "
			    "does not fit its count of %u revisions or the revision", c, p, u,
			    lr->content.len, lr->revisions);
	if (lr->conflict != (h->members > 0))
		verify_diff(v, "%s/%s unit %s: latest's conflict flag is %s, the history's %s", c, p,
			    u, lr->conflict ? "set" : "clear", h->members ? "set" : "clear");
	if (lr->max_base != max_base)
		verify_diff(v, "%s/%s unit %s: latest's highest base revision is %u, the history's "
			    "%u", c, p, u, lr->max_base, max_base);
	if (lr->first_completed_at != first->completed_at ||
	    lr->first_received_at != first->received_at || lr->first_revision != first->revision ||
	    lr->first_seq != first->seq || strcmp(lr->first_signer, first->signer) != 0)
		verify_diff(v, "%s/%s unit %s: latest's first report (rev %u by %s #%llu) is not the "
			    "history's first (rev %u by %s #%llu)", c, p, u, lr->first_revision,
			    lr->first_signer, (unsigned long long)lr->first_seq, first->revision,
			    first->signer, (unsigned long long)first->seq);
	lnob__latest_record__free_unpacked(lr, NULL);
	return 0;
}

/* Checks each revision record against the report in its envelope. */
static int s_check_revisions(verify_t *v, const char *c, const char *p, const char *u,
			     const agg_history_t *h)
{
	for (size_t i = 0; i < h->n; i++) {
		const agg_rev_t *x = &h->v[i];
		uint8_t d[32];
		int r = report_content_digest(x->report, d);

		if (r < 0)
			return r;
		if (strcmp(x->report->campaign, c) != 0 || strcmp(x->report->period, p) != 0 ||
		    strcmp(x->report->unit, u) != 0)
			verify_diff(v, "%s/%s unit %s: revision %u by %s #%llu is the envelope of "
				    "another report (%s/%s/%s)", c, p, u, x->revision, x->signer,
				    (unsigned long long)x->seq, x->report->campaign,
				    x->report->period, x->report->unit);
		else if (memcmp(d, x->content, sizeof(d)) != 0 ||
			 x->completed_at != x->report->completed_at)
			verify_diff(v, "%s/%s unit %s: the record of revision %u by %s #%llu differs "
				    "from its envelope's report", c, p, u, x->revision, x->signer,
				    (unsigned long long)x->seq);
	}
	return 0;
}

/* Pass 1, one unit: judge, check, add its current revision to the sums. */
static int s_unit(s_pass_t *x, const char *c, const char *p, const char *u)
{
	verify_t *v = x->v;
	agg_history_t h;
	int unit, r = agg_history_load(v->st, v->txn, c, p, u, AGG_HISTORY_REPORTS, &h);

	if (r == 0 && h.n == 0) {   /* pass 2 says it */
		agg_history_clear(&h);
		return 0;
	}
	if (r == 0)
		r = s_check_revisions(v, c, p, u, &h);
	if (r == 0)
		r = s_check_latest(v, c, p, u, &h);
	if (r == 0)
		r = s_check_conflict(v, c, p, u, &h);
	if (r == 0) {
		const Lnob__Report *cur = h.v[h.current].report;

		const hier_t *t = s_tree(v, c, p);

		unit = hier_find(t, u);
		if (unit < 0)
			verify_diff(v, "%s/%s unit %s: has a report but is not in the hierarchy%s", c, p,
				    u, t != v->hier ? " version of the period" : "");
		for (int a = unit; a >= 0 && r == 0; a = hier_unit(t, a)->parent) {
			x->acc[a].reported++;
			for (size_t i = 0; r == 0 && i < cur->n_values; i++)
				r = s_acc_add(&x->acc[a], cur->values[i]);
		}
	}
	agg_history_clear(&h);
	return r;
}

/* Copies the key part src into dst (size bytes); a part longer than a key
 * allows is refused rather than cut. */
static int s_remember(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return LNOB_E_INVALID;
	memcpy(dst, src, n + 1);
	return 0;
}

/* Pass 1, one latest record: its unit's history (a new (campaign,
 * period) group compares the one before). */
static int s_history_entry(void *ctx, const char *c, const char *p, const char *u,
			   const MDB_val *val)
{
	s_pass_t *x = ctx;
	int r;

	(void)val;
	if (strcmp(c, x->cur_c) != 0 || strcmp(p, x->cur_p) != 0) {
		if (x->cur_c[0] && (r = s_compare(x, x->cur_c, x->cur_p)) < 0)
			return r;
		if ((r = s_remember(x->cur_c, sizeof(x->cur_c), c)) < 0 ||
		    (r = s_remember(x->cur_p, sizeof(x->cur_p), p)) < 0 ||
		    (r = s_add_seen(x, c, p)) < 0)
			return r;
	}
	if ((r = s_remember(x->cur_u, sizeof(x->cur_u), u)) < 0)
		return r;
	return s_unit(x, c, p, u);
}

/* Pass 1: the history, unit by unit, from the latest records (since
 * schema 4 most histories are in them alone). */
static int s_pass_history(s_pass_t *x)
{
	int r = agg_unit_foreach(x->v->st, x->v->txn, AGG_UNIT_LATEST, s_history_entry, x);

	if (r == 0 && x->cur_c[0])
		r = s_compare(x, x->cur_c, x->cur_p);
	return r;
}

/* ---- records with nothing behind them ----------------------------------- */

/* A rollup record not compared in pass 1: it must be empty. */
static int s_orphan_rollup(s_pass_t *x, const char *c, const char *p, const char *u,
			   const MDB_val *val)
{
	ProtobufCMessage *m;
	Lnob__RollupRecord *rec;
	bool empty;

	if (s_seen(x, c, p) && hier_find(s_tree(x->v, c, p), u) >= 0)
		return 0;   /* compared in pass 1 */
	if (codec_unpack(&lnob__rollup_record__descriptor,
			 val->mv_size ? val->mv_data : (const uint8_t *)"", val->mv_size, SIZE_MAX,
			 &m) < 0)
		return LNOB_E_CORRUPT;
	rec = (Lnob__RollupRecord *)m;
	empty = rec->units_reported == 0 && rec->n_sums == 0;
	lnob__rollup_record__free_unpacked(rec, NULL);
	x->v->checked++;
	if (!empty)
		verify_diff(x->v, "%s/%s unit %s: a materialised rollup with no report behind it%s",
			    c, p, u, hier_find(s_tree(x->v, c, p), u) < 0 ?
			    " (unit not in the hierarchy)" : "");
	return 0;
}

/* A history entry: pass 1 read its unit unless the unit has no latest
 * record (said once per unit). */
static int s_orphan_history(s_pass_t *x, const char *c, const char *p, const char *u)
{
	Lnob__LatestRecord *lr = NULL;
	agg_history_t h;
	int r;

	if (strcmp(c, x->cur_c) == 0 && strcmp(p, x->cur_p) == 0 && strcmp(u, x->cur_u) == 0)
		return 0;
	if ((r = s_remember(x->cur_c, sizeof(x->cur_c), c)) < 0 ||
	    (r = s_remember(x->cur_p, sizeof(x->cur_p), p)) < 0 ||
	    (r = s_remember(x->cur_u, sizeof(x->cur_u), u)) < 0)
		return r;
	r = agg_latest_load(x->v->st, x->v->txn, c, p, u, AGG_LATEST_IDENTITY, &lr);
	if (r == 0)
		lnob__latest_record__free_unpacked(lr, NULL);
	if (r != LNOB_E_NOTFOUND)
		return r;
	r = agg_history_load(x->v->st, x->v->txn, c, p, u, 0, &h);
	if (r == 0)
		verify_diff(x->v, "%s/%s unit %s: %zu revisions in the history but no latest record",
			    c, p, u, h.n);
	agg_history_clear(&h);
	return r;
}

/* One record of a pass 2 to 5. */
typedef struct s_orphans {
	s_pass_t *x;
	enum agg_unit_db db;
} s_orphans_t;

static int s_orphan(void *ctx, const char *c, const char *p, const char *u, const MDB_val *val)
{
	s_orphans_t *o = ctx;
	verify_t *v = o->x->v;
	int r;

	if (o->db == AGG_UNIT_ROLLUPS)
		return s_orphan_rollup(o->x, c, p, u, val);
	if (o->db == AGG_UNIT_REVISIONS)
		return s_orphan_history(o->x, c, p, u);
	if ((r = agg_history_exists(v->st, v->txn, c, p, u)) < 0)
		return r;
	if (r == 0)
		verify_diff(v, "%s/%s unit %s: a %s record but no revision in the history", c, p, u,
			    o->db == AGG_UNIT_LATEST ? "latest" : "conflict");
	return 0;
}

/* Passes 2 to 5: records of `db` with nothing behind them. */
static int s_pass_orphans(s_pass_t *x, enum agg_unit_db db)
{
	s_orphans_t o = { .x = x, .db = db };

	return agg_unit_foreach(x->v->st, x->v->txn, db, s_orphan, &o);
}

int verify_history(verify_t *v)
{
	size_t nu = 0;
	s_pass_t x = { .v = v };
	int r = 0;

	/* The accumulators by unit index of any version (the largest). */
	for (const hier_t *h = v->hier; h; h = hier_version_prev(h))
		nu = hier_count(h) > nu ? hier_count(h) : nu;
	x.acc = calloc(nu ? nu : 1, sizeof(*x.acc));
	if (!x.acc)
		r = -ENOMEM;
	if (r == 0)
		r = s_pass_history(&x);
	if (r == 0)
		r = s_pass_orphans(&x, AGG_UNIT_LATEST);
	if (r == 0)
		r = s_pass_orphans(&x, AGG_UNIT_CONFLICTS);
	if (r == 0)
		r = s_pass_orphans(&x, AGG_UNIT_ROLLUPS);
	x.cur_c[0] = x.cur_p[0] = x.cur_u[0] = '\0';
	if (r == 0)
		r = s_pass_orphans(&x, AGG_UNIT_REVISIONS);
	for (size_t i = 0; x.acc && i < nu; i++)
		free(x.acc[i].v);
	for (size_t i = 0; i < x.nseen; i++)
		free(x.seen[i]);
	free(x.seen);
	free(x.seen_len);
	free(x.acc);
	return r;
}
