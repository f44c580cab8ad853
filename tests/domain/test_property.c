/* test_property.c: a property test of the aggregator's revisions, conflicts
 * and rollups (label domain).
 *
 * Each round makes a random hierarchy (2 to 5 levels, random fan-out and
 * codes), a few signers enrolled with random scopes, and random reports:
 * revisions in any order, forks of one base by several signers, the same
 * revision number twice, exact duplicates of an envelope, the same body
 * under a new seq, reports for units outside the signer's scope. Every
 * fourth round also configures a small campaign (campaign_load_mem) and
 * mixes in unknown campaigns, periods and indicators, derived indicators
 * and negative counts. The envelopes (real, signed) are shuffled and fed
 * through ingest_batch() in random batch sizes. The test keeps its own
 * model, written from the rules of aggstore.h (not from its code), and
 * asserts: every verdict; verify_store() finds nothing; every
 * materialised rollup equals the model's sums over the subtree and its
 * units_reported; every LatestRecord names the model's current revision,
 * its revision count and conflict flag; the conflict records and their
 * members equal the model's; the history holds every accepted revision;
 * the counters (stored, duplicate, conflict, rejections) equal the model's.
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
#include "verify.h"
#include "store.h"

#define MAX_UNITS 80
#define MAX_SIGNERS 5
#define MAX_CODES 6
#define MAX_VALUES 3
#define CAMPAIGN "c"

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
	uint8_t *body;              /* the report bytes, for "same content" */
	size_t blen;
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
	return other || a->blen != b->blen || memcmp(a->body, b->body, a->blen) != 0;
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
		r.completed_at = 1700000000 + (int64_t)s_below(1000000);
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
			vp[i] = &v[i];
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
	return 0;
}

static const char s_campaign_text[] =
	"[campaign]\n"
	"id = " CAMPAIGN "\n"
	"name = Property\n"
	"start = 2021-01-01\n"
	"end = 2025-12-31\n"
	"baseline_date = 2020-12-31\n"
	"levels = %s\n"
	"reported_by = all\n"
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
	"end = 2024-12-31\n";

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
		e->vals[i].v = s_chance(2) ? -1 - (int64_t)s_below(5) : (int64_t)s_below(1000);
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
			}
		}
}

/* ---- figures ------------------------------------------------------------ */

static struct {
	size_t rounds, units, signers, envelopes, accepted, duplicates, out_of_scope,
	       campaign_nacks, invalid, conflicts_counted, open_at_end, resolutions, batches,
	       checked_rollups;
} s_fig;

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

/* Asserts every rollup of period p against the model's sums. */
static void s_check_rollups(const m_world_t *w, store_t *st, MDB_txn *txn, int p)
{
	int64_t (*sums)[MAX_CODES + 3] = calloc((size_t)w->nunits, sizeof(*sums));
	const char *codes[MAX_CODES + 3];
	unsigned units[MAX_UNITS] = { 0 };
	size_t nc = 0;

	CHECK(sums, "out of memory");
	if (w->campaign) {
		codes[nc++] = "a";
		codes[nc++] = "b";
		codes[nc++] = "f_vnd";
	} else {
		for (int i = 0; i < w->ncodes; i++)
			codes[nc++] = w->codes[i];
	}
	for (int u = 0; u < w->nunits; u++) {
		m_hist_t mh;
		long cur;

		m_history(w, p, u, &mh);
		if ((cur = m_current(w, &mh)) < 0)
			continue;
		for (int a = u; a >= 0; a = w->units[a].parent) {
			units[a]++;
			for (size_t i = 0; i < w->envs[cur].nvals; i++)
				for (size_t c = 0; c < nc; c++)
					if (strcmp(codes[c], w->envs[cur].vals[i].code) == 0)
						sums[a][c] += w->envs[cur].vals[i].v;
		}
	}
	for (int u = 0; u < w->nunits; u++) {
		Lnob__RollupRecord *rec = NULL;

		CHECK(agg_rollup_get(st, txn, CAMPAIGN, s_periods[p], w->units[u].code, &rec) == 0,
		      "rollup get");
		CHECK(rec->units_reported == units[u], "rollup %s/%s: %u units reported, model %u",
		      s_periods[p], w->units[u].code, rec->units_reported, units[u]);
		for (size_t i = 0; i < rec->n_sums; i++) {
			int64_t v = report_value_of(rec->sums[i]);
			bool found = false;

			for (size_t c = 0; c < nc; c++)
				if (strcmp(codes[c], rec->sums[i]->code) == 0) {
					CHECK(v == sums[u][c], "rollup %s/%s %s: %" PRId64 ", model %" PRId64,
					      s_periods[p], w->units[u].code, codes[c], v, sums[u][c]);
					found = true;
				}
			CHECK(found || v == 0, "rollup %s: unexpected code %s", w->units[u].code,
			      rec->sums[i]->code);
		}
		for (size_t c = 0; c < nc; c++) {
			bool found = sums[u][c] == 0;

			for (size_t i = 0; i < rec->n_sums && !found; i++)
				found = strcmp(codes[c], rec->sums[i]->code) == 0;
			CHECK(found, "rollup %s: lacks %s = %" PRId64, w->units[u].code, codes[c], sums[u][c]);
		}
		lnob__rollup_record__free_unpacked(rec, NULL);
	}
	free(sums);
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
	if (w.campaign) {
		char text[sizeof(s_campaign_text) + 64], levels[64] = "l0";

		int deepest = 0;

		for (int u = 0; u < w.nunits; u++) {
			int d = 0;

			for (int a = w.units[u].parent; a >= 0; a = w.units[a].parent)
				d++;
			deepest = d > deepest ? d : deepest;
		}
		for (int d = 1; d <= deepest; d++)
			snprintf(levels + strlen(levels), sizeof(levels) - strlen(levels), ", l%d", d);
		snprintf(text, sizeof(text), s_campaign_text, levels);
		CHECK(campaign_load_mem(text, "p.ini", hier, &camps.v[0], err,
					sizeof(err)) == 0, "campaign: %s", err);
		camps.n = 1;
	}
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
			CHECK(items[i].verdict == INGEST_ACK && items[i].duplicate == dup,
			      "envelope %s #%" PRIu64 ": verdict %d dup %d (%s), model ACK dup %d",
			      w.ids[e->signer].pub.node_id, e->seq, items[i].verdict,
			      items[i].duplicate, items[i].detail, dup);
			if (dup) {
				want[AGG_C_DUPLICATE]++;
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
	       "batches: %zu accepted, %zu duplicates, %zu out of scope, %zu campaign NACKs, "
	       "%zu invalid; %zu conflict joins counted, %zu resolutions, %zu units with an open "
	       "conflict at the end; %zu rollups verified; %.1f s\n",
	       s_fig.rounds, s_fig.units, s_fig.signers, s_fig.envelopes, s_fig.batches,
	       s_fig.accepted, s_fig.duplicates, s_fig.out_of_scope, s_fig.campaign_nacks,
	       s_fig.invalid, s_fig.conflicts_counted, s_fig.resolutions, s_fig.open_at_end,
	       s_fig.checked_rollups,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
