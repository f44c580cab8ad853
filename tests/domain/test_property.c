/* test_property.c: a property test of the aggregator's revisions, conflicts,
 * rollups and verdicts (label domain).
 *
 * Each round makes a random hierarchy (2 to 5 levels, random fan-out and
 * codes), a few signers enrolled with random scopes, and random reports:
 * revisions in any order, forks of one base by several signers, the same
 * revision number twice, exact duplicates of an envelope, the same body
 * under a new seq, the same report with its values in another order under
 * a new seq (the same meaning: no conflict), corrections that drop an
 * indicator, values at or near 10^15 (a sum over a subtree past 10^15 is
 * refused invalid), reports for units outside the signer's scope. Every
 * fourth round also configures a campaign (campaign_load_mem) with a
 * baseline file, reporting levels (counts by the deepest level, an amount
 * by every level), a rate target and a scale target on every unit, and
 * half of those `partial = withhold`; they mix in unknown campaigns,
 * periods and indicators, derived indicators, negative counts and counts
 * reported at the wrong level. The envelopes (real, signed) are shuffled
 * and fed through ingest_batch() in random batch sizes. The test keeps its
 * own model, written from the rules of aggstore.h, sums.h, campaign.h and
 * figures.h (not from their code), and asserts: every verdict (ACK or the
 * NACK reason); verify_store() finds nothing; every materialised rollup
 * holds exactly the model's indicators (absent is not 0), sums and carrier
 * counts and its units_reported; every LatestRecord names the model's
 * current revision, its revision count and conflict flag; the conflict
 * records and their members equal the model's; the history holds every
 * accepted revision; the counters equal the model's; and in campaign
 * rounds, for every unit and period, each target's verdict, achievement,
 * basis and coverage in the rollup view equal the model's partial-data
 * rule computed in 128-bit integers.
 *
 * LNOB_SEED=n repeats a run (the seed is printed); LNOB_ROUNDS=n changes
 * the number of rounds (default 60).
 */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aggstore.h"
#include "campaign.h"
#include "campaigns.h"
#include "codec.h"
#include "envelope.h"
#include "hierarchy.h"
#include "identity.h"
#include "ingest.h"
#include "lnob_err.h"
#include "report.h"
#include "rollup.h"
#include "store.h"
#include "verify.h"
#include "view.h"

#define MAX_UNITS 80
#define MAX_SIGNERS 5
#define MAX_CODES 6
#define MAX_VALUES 3
#define CAMPAIGN "c"
#define VALUE_MAX 1000000000000000LL   /* 10^15: a value, and a sum over a subtree */

static uint64_t s_seed;
static int s_round;

static void s_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void s_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL (seed %" PRIu64 ", round %d): ", s_seed, s_round);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define CHECK(c, ...) do { if (!(c)) s_fail(__VA_ARGS__); } while (0)

/* ---- randomness (xorshift64*) ----------------------------------------- */

static uint64_t s_rng;

static uint64_t s_rand(void)
{
	s_rng ^= s_rng >> 12;
	s_rng ^= s_rng << 25;
	s_rng ^= s_rng >> 27;
	return s_rng * 2685821657736338717ULL;
}

/* 0 .. n-1 */
static unsigned s_below(unsigned n)
{
	return (unsigned)(s_rand() % n);
}

static bool s_chance(unsigned percent)
{
	return s_below(100) < percent;
}

static void s_code(char *out, size_t len, const char *prefix)
{
	static const char al[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789";
	size_t n = 2 + s_below(4), p = strlen(prefix);

	assert(p + n < len);
	memcpy(out, prefix, p);
	for (size_t i = 0; i < n; i++)
		out[p + i] = al[s_below(sizeof(al) - 1)];
	out[p + n] = '\0';
}

/* ---- the model ---------------------------------------------------------- */

typedef struct m_unit {
	char code[16];
	int parent;
} m_unit_t;

typedef struct m_value {
	char code[24];
	int64_t v;
} m_value_t;

/* One sealed report envelope. */
typedef struct m_env {
	uint8_t *buf;
	size_t len;
	int signer;
	uint64_t seq;
	int period;                 /* index into s_periods, or -1: not a period */
	const char *period_id;
	const char *campaign;
	int unit;
	uint32_t rev, base;
	m_value_t vals[MAX_VALUES];
	size_t nvals;
	uint8_t *body;              /* the report bytes */
	size_t blen;
	int64_t completed_at;
	bool reorder;               /* values packed in reverse order */
	int expect;                 /* 0: ACK, else the NackReason */
	bool stored;                /* the model accepted it (in arrival order) */
} m_env_t;

typedef struct m_world {
	m_unit_t units[MAX_UNITS];
	int nunits, depth;
	identity_t ids[MAX_SIGNERS];
	int scope[MAX_SIGNERS];
	int nsigners;
	char codes[MAX_CODES][24];
	int ncodes;
	m_env_t *envs;
	size_t nenvs, cap;
	bool campaign;
	/* campaign rounds */
	int depth_of[MAX_UNITS];
	int deepest;                /* the reporting level of a and b: l<deepest> */
	int64_t base_a[MAX_UNITS], base_b[MAX_UNITS];   /* the baseline file */
	bool withhold;
	int points, percent;        /* the targets: r down P points, s down S % */
} m_world_t;

static const char *const s_periods[] = { "2023", "2024" };
#define NPERIODS 2

static bool m_in_subtree(const m_world_t *w, int root, int u)
{
	for (; u >= 0; u = w->units[u].parent)
		if (u == root)
			return true;
	return false;
}

/* The same meaning: revision, base, completion time and the same set of
 * (code, value), whatever the order. */
static bool m_same_content(const m_env_t *a, const m_env_t *b)
{
	if (a->rev != b->rev || a->base != b->base || a->completed_at != b->completed_at ||
	    a->nvals != b->nvals)
		return false;
	for (size_t i = 0; i < a->nvals; i++) {
		bool found = false;

		for (size_t j = 0; j < b->nvals && !found; j++)
			found = strcmp(a->vals[i].code, b->vals[j].code) == 0 &&
				a->vals[i].v == b->vals[j].v;
		if (!found)
			return false;
	}
	return true;
}

/* Does a conflict b (the rule of aggstore.h, restated)? */
static bool m_conflicts(const m_env_t *a, const m_env_t *b)
{
	bool other = a->signer != b->signer;

	if (a == b)
		return false;
	if (other && a->base == b->base)
		return true;
	if (a->rev != b->rev)
		return false;
	return other || !m_same_content(a, b);
}

/* (signer id, seq) order of two envelopes */
static int m_cmp_id(const m_world_t *w, const m_env_t *a, const m_env_t *b)
{
	int c = strcmp(w->ids[a->signer].pub.node_id, w->ids[b->signer].pub.node_id);

	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The accepted revisions of (period, unit): indices into envs. */
typedef struct m_hist {
	size_t idx[256];
	size_t n;
} m_hist_t;

static void m_history(const m_world_t *w, int period, int unit, m_hist_t *h)
{
	h->n = 0;
	for (size_t i = 0; i < w->nenvs; i++)
		if (w->envs[i].stored && w->envs[i].period == period && w->envs[i].unit == unit) {
			CHECK(h->n < 256, "model history overflow");
			h->idx[h->n++] = i;
		}
}

/* The current revision by the rule: highest revision, then smallest
 * (signer, seq). -1 when none. */
static long m_current(const m_world_t *w, const m_hist_t *h)
{
	long best = -1;

	for (size_t i = 0; i < h->n; i++) {
		const m_env_t *e = &w->envs[h->idx[i]];

		if (best < 0 || e->rev > w->envs[best].rev ||
		    (e->rev == w->envs[best].rev && m_cmp_id(w, e, &w->envs[best]) < 0))
			best = (long)h->idx[i];
	}
	return best;
}

/* Marks member[i] for each revision in an unresolved conflicting pair. */
static size_t m_members(const m_world_t *w, const m_hist_t *h, bool *member)
{
	uint32_t max_base = 0;
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++) {
		member[i] = false;
		if (w->envs[h->idx[i]].base > max_base)
			max_base = w->envs[h->idx[i]].base;
	}
	for (size_t i = 0; i < h->n; i++)
		for (size_t j = 0; j < h->n; j++) {
			const m_env_t *a = &w->envs[h->idx[i]], *b = &w->envs[h->idx[j]];
			uint32_t top = a->rev > b->rev ? a->rev : b->rev;

			if (i != j && m_conflicts(a, b) && max_base < top)
				member[i] = member[j] = true;
		}
	for (size_t i = 0; i < h->n; i++)
		n += member[i];
	return n;
}

/* ---- figures ------------------------------------------------------------ */

static struct {
	size_t rounds, units, signers, envelopes, accepted, duplicates, out_of_scope,
	       campaign_nacks, invalid, conflicts_counted, open_at_end, resolutions, batches,
	       checked_rollups, reordered, overflows, wrong_level, absent_after_drop, verdicts,
	       comparable, incomplete, no_data, met, partial_rounds;
} s_fig;

/* ---- building a round ---------------------------------------------------- */

static void w_hierarchy(m_world_t *w, hier_t **ret)
{
	char *csv = malloc(MAX_UNITS * 96 + 64), err[256];
	size_t len;
	int frontier_start = 0, frontier_end;

	CHECK(csv, "out of memory");
	w->depth = 2 + (int)s_below(4);
	w->nunits = 1;
	s_code(w->units[0].code, sizeof(w->units[0].code), "R");
	w->units[0].parent = -1;
	for (int d = 1; d < w->depth; d++) {
		frontier_end = w->nunits;
		for (int p = frontier_start; p < frontier_end; p++) {
			unsigned kids = 1 + s_below(d == 1 ? 4 : 3);

			for (unsigned k = 0; k < kids && w->nunits < MAX_UNITS; k++) {
				m_unit_t *u = &w->units[w->nunits];
				bool dup;

				do {
					s_code(u->code, sizeof(u->code), "");
					dup = false;
					for (int i = 0; i < w->nunits; i++)
						dup = dup || strcmp(w->units[i].code, u->code) == 0;
				} while (dup);
				u->parent = p;
				w->nunits++;
			}
		}
		frontier_start = frontier_end;
	}
	len = (size_t)sprintf(csv, "code,name,parent_code,level,kind\n");
	for (int i = 0; i < w->nunits; i++) {
		int d = 0;

		for (int a = w->units[i].parent; a >= 0; a = w->units[a].parent)
			d++;
		len += (size_t)sprintf(csv + len, "%s,Unit %s,%s,l%d,administrative\n",
				       w->units[i].code, w->units[i].code,
				       w->units[i].parent >= 0 ? w->units[w->units[i].parent].code : "", d);
	}
	CHECK(hier_load_mem(csv, len, "units.csv", ret, err, sizeof(err)) == 0, "hierarchy: %s", err);
	free(csv);
}

static void w_signers(m_world_t *w, store_t *st)
{
	MDB_txn *txn;

	w->nsigners = 2 + (int)s_below(MAX_SIGNERS - 1);
	CHECK(store_begin(st, true, &txn) == 0, "begin");
	for (int i = 0; i < w->nsigners; i++) {
		Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT;
		char id[16];

		snprintf(id, sizeof(id), "s%c", 'a' + (int)s_below(26));
		s_code(id + 2, sizeof(id) - 2, "");
		snprintf(id + strlen(id), sizeof(id) - strlen(id), "%d", i);   /* unique */
		CHECK(identity_generate(id, &w->ids[i]) == 0, "identity_generate");
		/* a third at the root, the others anywhere */
		w->scope[i] = s_chance(33) ? 0 : (int)s_below((unsigned)w->nunits);
		rec.node_id = w->ids[i].pub.node_id;
		rec.sign_public.data = w->ids[i].pub.sign_pk;
		rec.sign_public.len = 32;
		rec.curve_public.data = w->ids[i].pub.curve_pk;
		rec.curve_public.len = 32;
		rec.scope = w->units[w->scope[i]].code;
		CHECK(agg_node_put(st, txn, &rec, false) == 0, "enroll");
	}
	CHECK(store_commit(&txn) == 0, "commit");
}

static m_env_t *w_push(m_world_t *w)
{
	if (w->nenvs == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->envs = realloc(w->envs, w->cap * sizeof(*w->envs));
		CHECK(w->envs, "out of memory");
	}
	memset(&w->envs[w->nenvs], 0, sizeof(w->envs[0]));
	return &w->envs[w->nenvs++];
}

/* Packs e's report into e->body and seals it with the signer's next seq. */
static void w_seal(m_world_t *w, m_env_t *e, uint64_t *seqs)
{
	Lnob__Report r = LNOB__REPORT__INIT;
	Lnob__IndicatorValue v[MAX_VALUES], *vp[MAX_VALUES];

	if (!e->body) {
		r.campaign = (char *)e->campaign;
		r.period = (char *)e->period_id;
		r.unit = w->units[e->unit].code;
		r.revision = e->rev;
		r.base_revision = e->base;
		if (!e->completed_at)
			e->completed_at = 1700000000 + (int64_t)s_below(1000000);
		r.completed_at = e->completed_at;
		for (size_t i = 0; i < e->nvals; i++) {
			lnob__indicator_value__init(&v[i]);
			v[i].code = e->vals[i].code;
			if (report_code_is_amount(e->vals[i].code)) {
				v[i].value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
				v[i].amount_vnd = e->vals[i].v;
			} else {
				v[i].value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
				v[i].count = e->vals[i].v;
			}
			vp[e->reorder ? e->nvals - 1 - i : i] = &v[i];
		}
		r.values = vp;
		r.n_values = e->nvals;
		CHECK(codec_pack(&r.base, &e->body, &e->blen) == 0, "pack");
	}
	e->seq = ++seqs[e->signer];
	CHECK(envelope_seal(&w->ids[e->signer], e->seq, LNOB__KIND__KIND_REPORT, e->body, e->blen,
			    &e->buf, &e->len) == 0, "seal");
}

/* The verdict the rules call for, before the store is consulted. */
static int w_expect(const m_world_t *w, const m_env_t *e, const campaign_t *camp)
{
	for (size_t i = 0; i < e->nvals; i++)
		if (e->vals[i].v < 0)
			return LNOB__NACK_REASON__NACK_INVALID;
	if (camp) {
		if (strcmp(e->campaign, CAMPAIGN) != 0 || e->period < 0)
			return LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN;
		for (size_t i = 0; i < e->nvals; i++) {
			const char *c = e->vals[i].code;

			if (strcmp(c, "a") != 0 && strcmp(c, "b") != 0 && strcmp(c, "f_vnd") != 0)
				return LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR;
		}
	}
	if (!m_in_subtree(w, w->scope[e->signer], e->unit))
		return LNOB__NACK_REASON__NACK_OUT_OF_SCOPE;
	/* a and b are reported by the deepest level, f_vnd by every level */
	for (size_t i = 0; camp && i < e->nvals; i++)
		if (strcmp(e->vals[i].code, "f_vnd") != 0 && w->depth_of[e->unit] != w->deepest)
			return LNOB__NACK_REASON__NACK_WRONG_LEVEL;
	return 0;
}

/* The campaign of a campaign round: levels l0..l<deepest>, a and b (poor
 * and households) reported by the deepest level, f_vnd by every level; a
 * baseline file; on every unit a rate target (r down P points a year) and
 * a scale target (s = a + b down S % by 2025); half of them withhold
 * verdicts on partial figures. */
static const char s_campaign_text[] =
	"[campaign]\n"
	"id = " CAMPAIGN "\n"
	"name = Property\n"
	"start = 2021-01-01\n"
	"end = 2025-12-31\n"
	"baseline_date = 2020-12-31\n"
	"levels = %s\n"
	"reported_by = l%d\n"
	"partial = %s\n"
	"baseline_file = baseline.csv\n"
	"[reported_by]\n"
	"f_vnd = all\n"
	"[indicators]\n"
	"a = count\n"
	"b = count\n"
	"f_vnd = amount\n"
	"s = sum a + b\n"
	"r = rate a / b\n"
	"[period 2023]\n"
	"kind = year\n"
	"start = 2023-01-01\n"
	"end = 2023-12-31\n"
	"[period 2024]\n"
	"kind = year\n"
	"start = 2024-01-01\n"
	"end = 2024-12-31\n"
	"[target tr]\n"
	"levels = %s\n"
	"goal = rate\n"
	"indicator = r\n"
	"down_points = %d\n"
	"[target ts]\n"
	"levels = %s\n"
	"goal = scale\n"
	"indicator = s\n"
	"down_percent = %d\n";

/* Depths, the deepest level, and a baseline that adds up: childless units
 * get b (households) 20..1019 and a (poor) up to half of it, every other
 * unit the sums of its children. */
static void w_depths_and_baseline(m_world_t *w)
{
	w->deepest = 0;
	for (int u = 0; u < w->nunits; u++) {
		int d = 0;

		for (int a = w->units[u].parent; a >= 0; a = w->units[a].parent)
			d++;
		w->depth_of[u] = d;
		w->deepest = d > w->deepest ? d : w->deepest;
		w->base_a[u] = w->base_b[u] = 0;
	}
	for (int u = w->nunits - 1; u >= 0; u--) {   /* children come after parents */
		bool leaf = true;

		for (int k = u + 1; k < w->nunits && leaf; k++)
			leaf = w->units[k].parent != u;
		if (leaf) {
			w->base_b[u] = 20 + (int64_t)s_below(1000);
			w->base_a[u] = (int64_t)s_below((unsigned)(w->base_b[u] / 2 + 1));
		}
		if (w->units[u].parent >= 0) {
			w->base_a[w->units[u].parent] += w->base_a[u];
			w->base_b[w->units[u].parent] += w->base_b[u];
		}
	}
}

/* Writes dir/baseline.csv and loads the campaign of the round. */
static void w_campaign(m_world_t *w, const char *dir, const hier_t *hier, campaigns_t *camps)
{
	char levels[64] = "l0", path[4300], err[512], *text = malloc(8192);
	FILE *f;

	CHECK(text, "out of memory");
	for (int d = 1; d <= w->deepest; d++)
		snprintf(levels + strlen(levels), sizeof(levels) - strlen(levels), ", l%d", d);
	w->withhold = s_chance(50);
	w->points = 1 + (int)s_below(3);
	w->percent = 10 + 10 * (int)s_below(6);
	snprintf(path, sizeof(path), "%s/baseline.csv", dir);
	CHECK((f = fopen(path, "w")), "baseline file");
	fprintf(f, "unit,a,b\n");
	for (int u = 0; u < w->nunits; u++)
		fprintf(f, "%s,%lld,%lld\n", w->units[u].code, (long long)w->base_a[u],
			(long long)w->base_b[u]);
	fclose(f);
	snprintf(text, 8192, s_campaign_text, levels, w->deepest,
		 w->withhold ? "withhold" : "comparable", levels, w->points, levels, w->percent);
	snprintf(path, sizeof(path), "%s/p.ini", dir);
	CHECK(campaigns_reserve(camps, 1) == 0, "out of memory");
	CHECK(campaign_load_mem(text, path, hier, &camps->v[0], err, sizeof(err)) == 0,
	      "campaign: %s", err);
	camps->n = 1;
	free(text);
}

/* Random values for e: distinct codes. */
static void w_values(m_world_t *w, m_env_t *e)
{
	static const char *const camp_codes[] = { "a", "b", "f_vnd", "s", "r", "zz" };

	unsigned most = w->campaign || w->ncodes >= MAX_VALUES ? MAX_VALUES : (unsigned)w->ncodes;

	e->nvals = 1 + s_below(most);
	for (size_t i = 0; i < e->nvals; i++) {
		const char *code;
		bool dup;

		do {
			if (w->campaign)
				code = camp_codes[s_chance(90) ? s_below(3) : 3 + s_below(3)];
			else
				code = w->codes[s_below((unsigned)w->ncodes)];
			dup = false;
			for (size_t j = 0; j < i; j++)
				dup = dup || strcmp(e->vals[j].code, code) == 0;
		} while (dup);
		snprintf(e->vals[i].code, sizeof(e->vals[i].code), "%s", code);
		if (s_chance(2))
			e->vals[i].v = -1 - (int64_t)s_below(5);
		else if (s_chance(4))   /* at or near the largest value: sums overflow */
			e->vals[i].v = VALUE_MAX - (int64_t)s_below(3);
		else
			e->vals[i].v = (int64_t)s_below(1000);
	}
	if (w->campaign && w->depth_of[e->unit] == w->deepest && s_chance(60)) {
		/* a village's figures: households b and poor a <= b, near its
		 * baseline so that targets go both ways */
		int64_t b = w->base_b[e->unit] + (int64_t)s_below(21) - 10, a;

		b = b < 1 ? 1 : b;
		a = w->base_a[e->unit] - (int64_t)s_below((unsigned)(w->base_a[e->unit] / 2 + 2));
		a = a < 0 ? 0 : a > b ? b : a;
		e->nvals = 2;
		snprintf(e->vals[0].code, sizeof(e->vals[0].code), "a");
		e->vals[0].v = a;
		snprintf(e->vals[1].code, sizeof(e->vals[1].code), "b");
		e->vals[1].v = b;
	}
}

/* The reports of a round, in creation order. */
static void w_reports(m_world_t *w, const campaign_t *camp)
{
	uint64_t seqs[MAX_SIGNERS] = { 0 };

	w->ncodes = 2 + (int)s_below(MAX_CODES - 2);
	for (int i = 0; i < w->ncodes; i++) {
		size_t n;

		s_code(w->codes[i], 10, "i");
		n = strlen(w->codes[i]);
		w->codes[i][n++] = (char)('0' + i % 10);
		strcpy(w->codes[i] + n, i == 0 ? "_vnd" : "");
	}
	for (int p = 0; p < NPERIODS; p++)
		for (int u = 0; u < w->nunits; u++) {
			unsigned k;

			if (!s_chance(55))
				continue;
			k = 1 + s_below(5);
			for (unsigned j = 0; j < k; j++) {
				m_env_t *e = w_push(w);
				size_t orig;

				e->period = p;
				e->period_id = s_periods[p];
				e->campaign = CAMPAIGN;
				if (w->campaign && s_chance(5)) {
					e->campaign = "x";
				} else if (w->campaign && s_chance(5)) {
					e->period = -1;
					e->period_id = "2019";
				}
				e->unit = u;
				e->rev = 1 + s_below(4);
				e->base = s_below(e->rev);
				/* mostly a signer whose scope covers the unit */
				e->signer = (int)s_below((unsigned)w->nsigners);
				for (int t = 0; t < 4 && !m_in_subtree(w, w->scope[e->signer], u) &&
						s_chance(85); t++)
					e->signer = (int)s_below((unsigned)w->nsigners);
				w_values(w, e);
				w_seal(w, e, seqs);
				e->expect = w_expect(w, e, camp);
				orig = w->nenvs - 1;
				if (s_chance(20)) {           /* the same envelope again */
					m_env_t *d = w_push(w), *o = &w->envs[orig];

					*d = *o;
					d->buf = malloc(o->len);
					d->body = malloc(o->blen);
					CHECK(d->buf && d->body, "out of memory");
					memcpy(d->buf, o->buf, o->len);
					memcpy(d->body, o->body, o->blen);
				}
				if (s_chance(15)) {           /* the same body, a new seq */
					m_env_t *d = w_push(w), *o = &w->envs[orig];

					*d = *o;
					d->buf = NULL;
					d->body = malloc(o->blen);
					CHECK(d->body, "out of memory");
					memcpy(d->body, o->body, o->blen);
					w_seal(w, d, seqs);
				}
				if (w->envs[orig].nvals > 1 && s_chance(20)) {
					/* the same meaning, values in another order, a new seq */
					m_env_t *d = w_push(w), *o = &w->envs[orig];

					*d = *o;
					d->buf = NULL;
					d->body = NULL;
					d->reorder = true;
					w_seal(w, d, seqs);
					s_fig.reordered++;
				}
			}
		}
}


/* ---- one round ------------------------------------------------------------ */

static int s_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

/* Asserts one (period, unit)'s latest record, conflict record and history
 * against the model. */
static void s_check_unit(const m_world_t *w, store_t *st, MDB_txn *txn, int p, int u)
{
	const char *code = w->units[u].code;
	Lnob__LatestRecord *lr = NULL;
	Lnob__ConflictRecord *cr = NULL;
	agg_history_t h;
	m_hist_t mh;
	bool member[256];
	size_t nm;
	long cur;
	int r;

	m_history(w, p, u, &mh);
	cur = m_current(w, &mh);
	r = agg_latest_get(st, txn, CAMPAIGN, s_periods[p], code, &lr);
	if (cur < 0) {
		CHECK(r == LNOB_E_NOTFOUND, "unit %s/%s: a latest record without reports", s_periods[p], code);
		return;
	}
	CHECK(r == 0, "unit %s/%s: no latest record", s_periods[p], code);
	CHECK(strcmp(lr->signer, w->ids[w->envs[cur].signer].pub.node_id) == 0 &&
	      lr->seq == w->envs[cur].seq && lr->revision == w->envs[cur].rev,
	      "unit %s/%s: latest is rev %u by %s #%" PRIu64 ", the model's rev %u by %s #%" PRIu64,
	      s_periods[p], code, lr->revision, lr->signer, lr->seq, w->envs[cur].rev,
	      w->ids[w->envs[cur].signer].pub.node_id, w->envs[cur].seq);
	CHECK(lr->revisions == mh.n, "unit %s: %u revisions, model %zu", code, lr->revisions, mh.n);
	nm = m_members(w, &mh, member);
	CHECK(lr->conflict == (nm > 0), "unit %s/%s: conflict flag %d, model %zu members",
	      s_periods[p], code, lr->conflict, nm);
	lnob__latest_record__free_unpacked(lr, NULL);

	r = agg_conflict_get(st, txn, CAMPAIGN, s_periods[p], code, &cr);
	CHECK(nm ? r == 0 : r == LNOB_E_NOTFOUND, "unit %s: conflict record %d, model %zu members",
	      code, r, nm);
	if (cr) {
		CHECK(cr->n_members == nm, "unit %s: %zu members, model %zu", code, cr->n_members, nm);
		for (size_t i = 0; i < cr->n_members; i++) {
			bool found = false;

			for (size_t j = 0; j < mh.n; j++) {
				const m_env_t *e = &w->envs[mh.idx[j]];

				found = found || (member[j] && e->seq == cr->members[i]->seq &&
						  e->rev == cr->members[i]->revision &&
						  e->base == cr->members[i]->base_revision &&
						  strcmp(w->ids[e->signer].pub.node_id,
							 cr->members[i]->signer) == 0);
			}
			CHECK(found, "unit %s: member %s #%" PRIu64 " not in the model's conflict", code,
			      cr->members[i]->signer, cr->members[i]->seq);
		}
		lnob__conflict_record__free_unpacked(cr, NULL);
	}

	CHECK(agg_history_load(st, txn, CAMPAIGN, s_periods[p], code, 0, &h) == 0, "history load");
	CHECK(h.n == mh.n, "unit %s: history %zu, model %zu", code, h.n, mh.n);
	for (size_t j = 0; j < mh.n; j++) {
		const m_env_t *e = &w->envs[mh.idx[j]];
		bool found = false;

		for (size_t i = 0; i < h.n; i++)
			found = found || (h.v[i].seq == e->seq && h.v[i].revision == e->rev &&
					  strcmp(h.v[i].signer, w->ids[e->signer].pub.node_id) == 0);
		CHECK(found, "unit %s: accepted revision #%" PRIu64 " not in the history", code, e->seq);
	}
	agg_history_clear(&h);
}

/* The model's rollup of unit root in period p: per code (codes[]), the sum
 * over the current revisions of its subtree and how many carry it; the
 * units with a report. cur[u] overrides the current revision of unit
 * `with` (>= 0) when not -2. */
typedef struct m_roll {
	char codes[MAX_CODES + 3][24];
	__int128 sum[MAX_CODES + 3];
	unsigned carriers[MAX_CODES + 3];
	size_t n;
	unsigned units;
} m_roll_t;

static void m_roll_add(m_roll_t *r, const m_env_t *e)
{
	r->units++;
	for (size_t i = 0; i < e->nvals; i++) {
		size_t c;

		for (c = 0; c < r->n && strcmp(r->codes[c], e->vals[i].code) != 0; c++)
			;
		if (c == r->n) {
			CHECK(r->n < MAX_CODES + 3, "model: too many codes");
			snprintf(r->codes[r->n], sizeof(r->codes[0]), "%s", e->vals[i].code);
			r->sum[c] = 0;
			r->carriers[c] = 0;
			r->n++;
		}
		r->sum[c] += e->vals[i].v;
		r->carriers[c]++;
	}
}

/* The current revision of (p, u): -1 when none; with `with` (an envelope
 * not yet stored) counted in when it is of (p, u). */
static long m_current_with(const m_world_t *w, int p, int u, const m_env_t *with)
{
	m_hist_t mh;

	m_history(w, p, u, &mh);
	if (with && with->period == p && with->unit == u) {
		CHECK(mh.n < 256, "model history overflow");
		mh.idx[mh.n++] = (size_t)(with - w->envs);
	}
	return m_current(w, &mh);
}

static void m_rollup(const m_world_t *w, int p, int root, const m_env_t *with, m_roll_t *r)
{
	memset(r, 0, sizeof(*r));
	for (int u = 0; u < w->nunits; u++) {
		long cur;

		if (!m_in_subtree(w, root, u) || (cur = m_current_with(w, p, u, with)) < 0)
			continue;
		m_roll_add(r, &w->envs[cur]);
	}
}

/* Would storing e take a sum on its unit's path over 10^15? */
static bool m_overflows(const m_world_t *w, const m_env_t *e)
{
	for (int a = e->unit; a >= 0; a = w->units[a].parent) {
		m_roll_t r;

		m_rollup(w, e->period, a, e, &r);
		for (size_t c = 0; c < r.n; c++)
			if (r.sum[c] > VALUE_MAX)
				return true;
	}
	return false;
}

/* Asserts every rollup of period p against the model's: exactly its
 * indicators (absent is not 0), sums, carriers and units reported. */
static void s_check_rollups(const m_world_t *w, store_t *st, MDB_txn *txn, int p)
{
	for (int u = 0; u < w->nunits; u++) {
		Lnob__RollupRecord *rec = NULL;
		m_roll_t m;

		m_rollup(w, p, u, NULL, &m);
		CHECK(agg_rollup_get(st, txn, CAMPAIGN, s_periods[p], w->units[u].code, &rec) == 0,
		      "rollup get");
		CHECK(rec->units_reported == m.units, "rollup %s/%s: %u units reported, model %u",
		      s_periods[p], w->units[u].code, rec->units_reported, m.units);
		CHECK(rec->n_sums == m.n && rec->n_units == m.n, "rollup %s/%s: %zu indicators, "
		      "model %zu", s_periods[p], w->units[u].code, rec->n_sums, m.n);
		for (size_t i = 0; i < rec->n_sums; i++) {
			size_t c;

			for (c = 0; c < m.n && strcmp(m.codes[c], rec->sums[i]->code) != 0; c++)
				;
			CHECK(c < m.n, "rollup %s/%s: %s = %" PRId64 ", which no current report "
			      "carries", s_periods[p], w->units[u].code, rec->sums[i]->code,
			      report_value_of(rec->sums[i]));
			CHECK(report_value_of(rec->sums[i]) == (int64_t)m.sum[c] &&
			      rec->units[i] == m.carriers[c], "rollup %s/%s %s: %" PRId64 " over %u, "
			      "model %" PRId64 " over %u", s_periods[p], w->units[u].code, m.codes[c],
			      report_value_of(rec->sums[i]), rec->units[i], (int64_t)m.sum[c],
			      m.carriers[c]);
		}
		lnob__rollup_record__free_unpacked(rec, NULL);
	}
}

/* Counts the (period, unit, code) where a correction dropped an indicator
 * no other current report of the subtree carries: absent, not 0. */
static size_t m_absent_after_drop(const m_world_t *w, int p)
{
	size_t n = 0;

	for (int u = 0; u < w->nunits; u++) {
		m_hist_t mh;
		m_roll_t r;
		long cur = m_current_with(w, p, u, NULL);

		if (cur < 0)
			continue;
		m_history(w, p, u, &mh);
		m_rollup(w, p, u, NULL, &r);
		for (size_t j = 0; j < mh.n; j++)
			for (size_t i = 0; i < w->envs[mh.idx[j]].nvals; i++) {
				bool there = false;

				for (size_t c = 0; c < r.n && !there; c++)
					there = strcmp(r.codes[c], w->envs[mh.idx[j]].vals[i].code) == 0;
				n += !there;
			}
	}
	return n;
}

/* ---- verdicts (campaign rounds) ----------------------------------------- */

/* floor(n / d) for d > 0. */
static __int128 m_floor_div(__int128 n, __int128 d)
{
	__int128 q = n / d;

	return q * d > n ? q - 1 : q;
}

/* A verdict of the model: its name, achievement_bp (has), basis and
 * coverage. */
typedef struct m_verdict {
	const char *verdict;
	bool has_bp;
	int64_t bp;
	bool comparable;
	unsigned reported, expected;
} m_verdict_t;

/* The figures rule of figures.h for r = a / b and s = a + b (the same
 * inputs, so the same coverage) at unit u in period p. */
static void m_figures(const m_world_t *w, int p, int u, __int128 cur[2], __int128 base[2],
		      m_verdict_t *v)
{
	memset(v, 0, sizeof(*v));
	cur[0] = cur[1] = base[0] = base[1] = 0;
	for (int x = 0; x < w->nunits; x++) {
		long c;
		int64_t va = -1, vb = -1;

		if (!m_in_subtree(w, u, x) || w->depth_of[x] != w->deepest)
			continue;
		v->expected++;
		if ((c = m_current_with(w, p, x, NULL)) < 0)
			continue;
		for (size_t i = 0; i < w->envs[c].nvals; i++) {
			if (strcmp(w->envs[c].vals[i].code, "a") == 0)
				va = w->envs[c].vals[i].v;
			if (strcmp(w->envs[c].vals[i].code, "b") == 0)
				vb = w->envs[c].vals[i].v;
		}
		if (va < 0 || vb < 0)
			continue;
		v->reported++;
		cur[0] += va;
		cur[1] += vb;
		base[0] += w->base_a[x];
		base[1] += w->base_b[x];
	}
	v->comparable = v->reported < v->expected;
	if (!v->comparable) {
		base[0] = w->base_a[u];
		base[1] = w->base_b[u];
	}
}

/* Sets the verdict from "A >= Q" given as the fractions an/ad and qn/qd
 * (ad, qd > 0, qn >= 0): MET or NOT_MET and floor(10000 A / Q) when Q > 0. */
static void m_judge(m_verdict_t *v, __int128 an, __int128 ad, __int128 qn, __int128 qd)
{
	v->verdict = an * qd >= qn * ad ? "MET" : "NOT_MET";
	v->has_bp = qn > 0;
	if (v->has_bp)
		v->bp = (int64_t)m_floor_div(10000 * an * qd, ad * qn);
}

/* Target tr: r = a / b down P points a year on average, at most the rate. */
static void m_rate_target(const m_world_t *w, int p, int u, m_verdict_t *v)
{
	__int128 c[2], b[2], e = p == 0 ? 3 : 4;

	m_figures(w, p, u, c, b, v);
	v->verdict = "NO_DATA";
	if (v->reported == 0 || c[1] == 0 || b[1] == 0)
		return;
	if (b[0] == 0) {             /* a rate of 0: nothing to reduce */
		v->verdict = c[0] == 0 ? "MET" : "NOT_MET";
		return;
	}
	/* A = 100 (a0 b1 - a1 b0) / (b0 b1); Q = min(P e, 100 a0 / b0) */
	if ((__int128)w->points * e * b[1] <= 100 * b[0])
		m_judge(v, 100 * (b[0] * c[1] - c[0] * b[1]), b[1] * c[1], (__int128)w->points * e, 1);
	else
		m_judge(v, 100 * (b[0] * c[1] - c[0] * b[1]), b[1] * c[1], 100 * b[0], b[1]);
}

/* Target ts: s = a + b down S % against the baseline, spread over 5 years. */
static void m_scale_target(const m_world_t *w, int p, int u, m_verdict_t *v)
{
	__int128 c[2], b[2], e = p == 0 ? 3 : 4, bs, cs;

	m_figures(w, p, u, c, b, v);
	v->verdict = "NO_DATA";
	if (v->reported == 0)
		return;
	bs = b[0] + b[1];
	cs = c[0] + c[1];
	if (bs == 0) {
		v->verdict = cs == 0 ? "MET" : "NOT_MET";
		return;
	}
	m_judge(v, bs - cs, 1, bs * w->percent * e, 500);
}

/* The target id of row's targets, or fails. */
static const json_t *s_target(const json_t *row, const char *id)
{
	const json_t *t;
	size_t i;

	json_array_foreach(json_object_get(row, "targets"), i, t)
		if (strcmp(json_string_value(json_object_get(t, "id")), id) == 0)
			return t;
	s_fail("unit %s: no target %s", json_string_value(json_object_get(row, "code")), id);
}

/* Asserts one target of the view against the model. */
static void s_check_verdict(const m_world_t *w, const json_t *row, const char *id,
			    m_verdict_t *m)
{
	const json_t *t = s_target(row, id), *cov = json_object_get(t, "coverage");
	const char *got = json_string_value(json_object_get(t, "verdict"));
	const json_t *bp = json_object_get(t, "achievement_bp");

	if (m->comparable && w->withhold) {
		m->verdict = "INCOMPLETE";
		m->has_bp = false;
	}
	CHECK(strcmp(got, m->verdict) == 0 && json_is_integer(bp) == m->has_bp &&
	      (!m->has_bp || json_integer_value(bp) == m->bp),
	      "unit %s target %s: %s %lld, model %s %lld (%s, %u of %u units)",
	      json_string_value(json_object_get(row, "code")), id, got,
	      (long long)json_integer_value(bp), m->verdict, (long long)m->bp,
	      m->comparable ? "comparable" : "full", m->reported, m->expected);
	CHECK(strcmp(json_string_value(json_object_get(t, "basis")),
		     m->comparable ? "comparable" : "full") == 0 &&
	      json_integer_value(json_object_get(cov, "reported")) == m->reported &&
	      json_integer_value(json_object_get(cov, "expected")) == m->expected,
	      "unit %s target %s: basis or coverage differ from the model's %u of %u",
	      json_string_value(json_object_get(row, "code")), id, m->reported, m->expected);
	s_fig.verdicts++;
	s_fig.comparable += m->comparable;
	s_fig.incomplete += strcmp(got, "INCOMPLETE") == 0;
	s_fig.no_data += strcmp(got, "NO_DATA") == 0;
	s_fig.met += strcmp(got, "MET") == 0;
}

/* Every unit's targets in the rollup view, against the model. */
static void s_check_verdicts(const m_world_t *w, store_t *st, MDB_txn *txn, const hier_t *hier,
			     const campaigns_t *camps)
{
	for (int p = 0; p < NPERIODS; p++)
		for (int u = 0; u < w->nunits; u++) {
			view_opts_t o = { .campaigns = camps, .campaign = CAMPAIGN,
					  .period = s_periods[p], .unit = hier_find(hier, w->units[u].code),
					  .now = 1800000000 };
			m_verdict_t m;
			json_t *view = NULL;
			char err[256];

			CHECK(view_build(st, txn, hier, &o, &view, err, sizeof(err)) == 0,
			      "view of %s: %s", w->units[u].code, err);
			m_rate_target(w, p, u, &m);
			s_check_verdict(w, json_object_get(view, "unit"), "tr", &m);
			m_scale_target(w, p, u, &m);
			s_check_verdict(w, json_object_get(view, "unit"), "ts", &m);
			json_decref(view);
		}
}

static void s_run_round(const char *base)
{
	m_world_t w;
	hier_t *hier = NULL;
	store_t *st = NULL;
	campaigns_t camps;
	ingest_ctx_t ctx;
	ingest_item_t *items;
	size_t *order, pos = 0, diffs = 0, checked = 0;
	uint64_t want[AGG_C_COUNT] = { 0 }, got[AGG_C_COUNT];
	char dir[4200], err[512];
	MDB_txn *txn;

	memset(&w, 0, sizeof(w));
	memset(&camps, 0, sizeof(camps));
	w.campaign = s_round % 4 == 3;
	w_hierarchy(&w, &hier);
	snprintf(dir, sizeof(dir), "%s/r%d", base, s_round);
	CHECK(aggstore_open(dir, 64 << 20, 0, &st, err, sizeof(err)) == 0, "open: %s", err);
	w_signers(&w, st);
	w_depths_and_baseline(&w);
	if (w.campaign)
		w_campaign(&w, dir, hier, &camps);
	w_reports(&w, camps.n ? camps.v[0] : NULL);

	/* arrival: a random permutation, in random batches */
	order = malloc(w.nenvs * sizeof(*order) + 1);
	items = calloc(w.nenvs + 1, sizeof(*items));
	CHECK(order && items, "out of memory");
	for (size_t i = 0; i < w.nenvs; i++)
		order[i] = i;
	for (size_t i = w.nenvs; i > 1; i--) {
		size_t j = s_below((unsigned)i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.st = st;
	ctx.hier = hier;
	ctx.max_body = 65536;
	ctx.campaigns = camps.n ? &camps : NULL;
	while (pos < w.nenvs) {
		size_t n = 1 + s_below(16);

		if (n > w.nenvs - pos)
			n = w.nenvs - pos;
		for (size_t i = 0; i < n; i++) {
			memset(&items[i], 0, sizeof(items[i]));
			items[i].env = w.envs[order[pos + i]].buf;
			items[i].len = w.envs[order[pos + i]].len;
			items[i].peer = "p";
		}
		CHECK(ingest_batch(&ctx, items, n) == 0, "ingest_batch failed");
		s_fig.batches++;
		for (size_t i = 0; i < n; i++) {
			m_env_t *e = &w.envs[order[pos + i]];
			bool dup = false;

			/* the model, in arrival order */
			if (!e->expect)
				for (size_t j = 0; j < w.nenvs && !dup; j++)
					dup = w.envs[j].stored && w.envs[j].signer == e->signer &&
					      w.envs[j].seq == e->seq;
			if (e->expect) {
				CHECK(items[i].verdict == INGEST_NACK && items[i].reason == e->expect,
				      "envelope %s #%" PRIu64 ": verdict %d reason %d (%s), model %d",
				      w.ids[e->signer].pub.node_id, e->seq, items[i].verdict,
				      items[i].reason, items[i].detail, e->expect);
				want[AGG_C_REJECTED_BASE + e->expect]++;
				continue;
			}
			CHECK(items[i].verdict == INGEST_ACK ? items[i].duplicate == dup :
			      !dup && items[i].reason == LNOB__NACK_REASON__NACK_INVALID &&
			      m_overflows(&w, e),
			      "envelope %s #%" PRIu64 ": verdict %d dup %d (%s), model ACK dup %d",
			      w.ids[e->signer].pub.node_id, e->seq, items[i].verdict,
			      items[i].duplicate, items[i].detail, dup);
			if (dup) {
				want[AGG_C_DUPLICATE]++;
				continue;
			}
			if (m_overflows(&w, e)) {
				CHECK(items[i].verdict == INGEST_NACK &&
				      items[i].reason == LNOB__NACK_REASON__NACK_INVALID &&
				      strstr(items[i].detail, "10^15"),
				      "envelope %s #%" PRIu64 ": verdict %d reason %d (%s), model: "
				      "NACK invalid, a sum over 10^15", w.ids[e->signer].pub.node_id,
				      e->seq, items[i].verdict, items[i].reason, items[i].detail);
				want[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_INVALID]++;
				s_fig.overflows++;
				continue;
			}
			{
				m_hist_t mh;
				bool member[256], was_open;

				m_history(&w, e->period, e->unit, &mh);
				was_open = m_members(&w, &mh, member) > 0;
				e->stored = true;
				want[AGG_C_STORED]++;
				m_history(&w, e->period, e->unit, &mh);
				if (m_members(&w, &mh, member) > 0) {
					for (size_t j = 0; j < mh.n; j++)
						if (mh.idx[j] == (size_t)(e - w.envs) && member[j])
							want[AGG_C_CONFLICT]++;
				} else if (was_open) {
					s_fig.resolutions++;
					CHECK(items[i].resolved, "envelope #%" PRIu64 " resolved no conflict",
					      e->seq);
				}
			}
		}
		pos += n;
	}

	/* the store against the model */
	CHECK(store_begin(st, false, &txn) == 0, "begin");
	CHECK(verify_store(st, txn, hier, stderr, &diffs, &checked) == 0, "verify failed");
	CHECK(diffs == 0, "verify: %zu differences", diffs);
	s_fig.checked_rollups += checked;
	for (int p = 0; p < NPERIODS; p++) {
		s_check_rollups(&w, st, txn, p);
		for (int u = 0; u < w.nunits; u++) {
			m_hist_t mh;
			bool member[256];

			s_check_unit(&w, st, txn, p, u);
			m_history(&w, p, u, &mh);
			s_fig.open_at_end += m_members(&w, &mh, member) > 0;
		}
	}
	if (w.campaign) {
		s_check_verdicts(&w, st, txn, hier, &camps);
		s_fig.partial_rounds++;
	}
	for (int p = 0; p < NPERIODS; p++)
		s_fig.absent_after_drop += m_absent_after_drop(&w, p);
	CHECK(agg_counters_load(st, txn, got) == 0, "counters");
	for (int c = 0; c < AGG_C_COUNT; c++)
		CHECK(got[c] == want[c], "counter %s: %" PRIu64 ", model %" PRIu64,
		      agg_counter_name(c), got[c], want[c]);
	store_abort(&txn);

	s_fig.rounds++;
	s_fig.units += (size_t)w.nunits;
	s_fig.signers += (size_t)w.nsigners;
	s_fig.envelopes += w.nenvs;
	s_fig.accepted += want[AGG_C_STORED];
	s_fig.duplicates += want[AGG_C_DUPLICATE];
	s_fig.out_of_scope += want[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_OUT_OF_SCOPE];
	s_fig.campaign_nacks += want[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN] +
				want[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR];
	s_fig.invalid += want[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_INVALID];
	s_fig.wrong_level += want[AGG_C_REJECTED_BASE + LNOB__NACK_REASON__NACK_WRONG_LEVEL];
	s_fig.conflicts_counted += want[AGG_C_CONFLICT];

	for (size_t i = 0; i < w.nenvs; i++) {
		free(w.envs[i].buf);
		free(w.envs[i].body);
	}
	for (int i = 0; i < w.nsigners; i++)
		identity_wipe(&w.ids[i]);
	free(w.envs);
	free(order);
	free(items);
	campaigns_clear(&camps);
	store_destroy(&st);
	hier_destroy(&hier);
	nftw(dir, s_rm, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const char *e = getenv("LNOB_SEED"), *rounds_s = getenv("LNOB_ROUNDS"), *tmp = getenv("TMPDIR");
	int rounds = rounds_s ? atoi(rounds_s) : 60;
	char base[4096];
	struct timespec t0, t1;

	s_seed = e && *e ? strtoull(e, NULL, 10) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	s_rng = s_seed ? s_seed : 1;
	printf("test_property: seed %" PRIu64 " (repeat with LNOB_SEED=%" PRIu64 "), %d rounds\n",
	       s_seed, s_seed, rounds);
	fflush(stdout);
	snprintf(base, sizeof(base), "%s/lnob-prop-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(base), "mkdtemp");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (s_round = 0; s_round < rounds; s_round++)
		s_run_round(base);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rmdir(base);
	printf("test_property: %zu hierarchies (%zu units, %zu signers), %zu envelopes in %zu "
	       "batches: %zu accepted, %zu duplicates, %zu reordered copies, %zu out of scope, "
	       "%zu campaign NACKs, %zu wrong level, %zu invalid (%zu of them a sum over 10^15); "
	       "%zu conflict joins counted, %zu resolutions, %zu units with an open conflict at "
	       "the end; %zu indicators absent after a correction dropped them; %zu rollups "
	       "verified; in %zu campaign rounds %zu verdicts checked (%zu on the comparable "
	       "basis, %zu INCOMPLETE, %zu NO_DATA, %zu MET); %.1f s\n",
	       s_fig.rounds, s_fig.units, s_fig.signers, s_fig.envelopes, s_fig.batches,
	       s_fig.accepted, s_fig.duplicates, s_fig.reordered, s_fig.out_of_scope,
	       s_fig.campaign_nacks, s_fig.wrong_level, s_fig.invalid, s_fig.overflows,
	       s_fig.conflicts_counted, s_fig.resolutions, s_fig.open_at_end,
	       s_fig.absent_after_drop, s_fig.checked_rollups, s_fig.partial_rounds,
	       s_fig.verdicts, s_fig.comparable, s_fig.incomplete, s_fig.no_data, s_fig.met,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	/* The generators must have produced what they are for. */
	CHECK(s_fig.rounds < 8 || (s_fig.reordered && s_fig.overflows && s_fig.wrong_level &&
				   s_fig.absent_after_drop && s_fig.comparable && s_fig.met),
	      "a run of %zu rounds without every case generated", s_fig.rounds);
	return 0;
}
