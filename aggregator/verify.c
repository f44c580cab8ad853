/* verify.c: rollup_verify(), the check of everything the aggregator
 * materialises against a recomputation from the revision history (see
 * rollup.h and aggstore.h, THE RULES).
 *
 * Pass 1 walks the history (`revisions`) unit by unit, grouped by
 * (campaign, period): for each unit it judges the history, checks the
 * unit's LatestRecord and ConflictRecord against it, and adds the current
 * revision's values to the recomputed sums of the unit and its ancestors;
 * at the end of a group every unit's materialised rollup is compared.
 * Passes 2 to 4 look for what has no history behind it: a LatestRecord, a
 * ConflictRecord, a non-empty rollup of a (campaign, period) without any
 * revision or of a unit not in the hierarchy. Passes 5 and 6 account for
 * the amendment queue and its decisions (approval.h): a pending or
 * rejected amendment is not part of the history, an accepted one is. */
#include "rollup.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "envelope.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

/* The state of one run. */
typedef struct s_verify {
	store_t *st;
	MDB_txn *txn;
	const hier_t *hier;
	FILE *out;
	size_t diffs, checked;
	report_sums_t *sums;       /* per hierarchy unit, for the group in hand */
	unsigned *counts;
	char **seen;               /* "campaign\0period" of every group, keys */
	size_t *seen_len;
	size_t nseen, cap_seen;
} s_verify_t;

static void s_diff(s_verify_t *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_diff(s_verify_t *v, const char *fmt, ...)
{
	va_list ap;

	v->diffs++;
	if (!v->out)
		return;
	fputs("DIFF ", v->out);
	va_start(ap, fmt);
	vfprintf(v->out, fmt, ap);
	va_end(ap);
	fputc('\n', v->out);
}

static int s_mdb(int r)
{
	return r > 0 ? -r : r;
}

/* True when (campaign, period) had a group in pass 1. */
static bool s_seen(const s_verify_t *v, const char *c, const char *p)
{
	size_t cl = strlen(c), pl = strlen(p);

	for (size_t i = 0; i < v->nseen; i++)
		if (v->seen_len[i] == cl + 1 + pl && memcmp(v->seen[i], c, cl + 1) == 0 &&
		    memcmp(v->seen[i] + cl + 1, p, pl) == 0)
			return true;
	return false;
}

static int s_add_seen(s_verify_t *v, const char *c, const char *p)
{
	size_t cl = strlen(c), pl = strlen(p);
	char *k;

	if (v->nseen == v->cap_seen) {
		size_t cap = v->cap_seen ? v->cap_seen * 2 : 8;
		char **ns = realloc(v->seen, cap * sizeof(*ns));
		size_t *nl;

		if (!ns)
			return -ENOMEM;
		v->seen = ns;
		if (!(nl = realloc(v->seen_len, cap * sizeof(*nl))))
			return -ENOMEM;
		v->seen_len = nl;
		v->cap_seen = cap;
	}
	if (!(k = malloc(cl + 1 + pl + 1)))
		return -ENOMEM;
	memcpy(k, c, cl + 1);
	memcpy(k + cl + 1, p, pl + 1);
	v->seen[v->nseen] = k;
	v->seen_len[v->nseen++] = cl + 1 + pl;
	return 0;
}

/* Compares the recomputed sums of every unit for one (campaign, period)
 * with the materialised rollups, and resets them. */
static int s_compare(s_verify_t *v, const char *campaign, const char *period)
{
	for (size_t u = 0; u < hier_count(v->hier); u++) {
		const char *code = hier_unit(v->hier, (int)u)->code;
		Lnob__RollupRecord *rec = NULL;
		int r = agg_rollup_get(v->st, v->txn, campaign, period, code, &rec);

		if (r < 0)
			return r;
		if (rec->units_reported || rec->n_sums || v->counts[u])
			v->checked++;
		if (rec->units_reported != v->counts[u])
			s_diff(v, "%s/%s unit %s: materialised rollup has %u units reported, the "
			       "recomputation from the history %u", campaign, period, code,
			       rec->units_reported, v->counts[u]);
		if (!report_sums_equal(&v->sums[u], rec->sums, rec->n_sums))
			s_diff(v, "%s/%s unit %s: materialised rollup sums differ from the "
			       "recomputation from the history", campaign, period, code);
		lnob__rollup_record__free_unpacked(rec, NULL);
		report_sums_clear(&v->sums[u]);
		v->counts[u] = 0;
	}
	return 0;
}

/* Checks the unit's open ConflictRecord against the judged history h. */
static int s_check_conflict(s_verify_t *v, const char *c, const char *p, const char *u,
			    const agg_history_t *h)
{
	Lnob__ConflictRecord *rec = NULL;
	int r = agg_conflict_get(v->st, v->txn, c, p, u, &rec);
	size_t k = 0;
	bool same;

	if (r == LNOB_E_NOTFOUND) {
		if (h->members)
			s_diff(v, "%s/%s unit %s: the history holds a revision conflict of %zu "
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
		s_diff(v, "%s/%s unit %s: a conflict record of %zu members, but the history has "
		       "no open conflict", c, p, u, rec->n_members);
	else if (!same)
		s_diff(v, "%s/%s unit %s: the conflict record's members (%zu) differ from the "
		       "history's (%zu)", c, p, u, rec->n_members, h->members);
	lnob__conflict_record__free_unpacked(rec, NULL);
	return 0;
}

/* Checks the unit's LatestRecord against the judged history h. */
static int s_check_latest(s_verify_t *v, const char *c, const char *p, const char *u,
			  const agg_history_t *h)
{
	const agg_rev_t *cur = &h->v[h->current], *first = &h->v[h->first];
	Lnob__LatestRecord *lr = NULL;
	report_sums_t want = { 0 };
	int r = agg_latest_get(v->st, v->txn, c, p, u, &lr);

	if (r == LNOB_E_NOTFOUND) {
		s_diff(v, "%s/%s unit %s: %zu revisions in the history but no latest record",
		       c, p, u, h->n);
		return 0;
	}
	if (r < 0)
		return r;
	if (strcmp(lr->signer, cur->signer) != 0 || lr->seq != cur->seq ||
	    lr->revision != cur->revision)
		s_diff(v, "%s/%s unit %s: latest is rev %u by %s #%llu, the history's current "
		       "revision is rev %u by %s #%llu", c, p, u, lr->revision, lr->signer,
		       (unsigned long long)lr->seq, cur->revision, cur->signer,
		       (unsigned long long)cur->seq);
	else if (lr->base_revision != cur->base_revision || lr->completed_at != cur->completed_at ||
		 (cur->received_at && lr->received_at != cur->received_at))
		s_diff(v, "%s/%s unit %s: latest's base_revision, completed_at or received_at "
		       "differ from its revision's", c, p, u);
	if ((r = report_sums_add(&want, cur->report->values, cur->report->n_values, 1)) == 0 &&
	    !report_sums_equal(&want, lr->values, lr->n_values))
		s_diff(v, "%s/%s unit %s: latest's values differ from the current revision's "
		       "report", c, p, u);
	report_sums_clear(&want);
	if (lr->revisions != h->n)
		s_diff(v, "%s/%s unit %s: latest counts %u revisions, the history holds %zu",
		       c, p, u, lr->revisions, h->n);
	if (lr->conflict != (h->members > 0))
		s_diff(v, "%s/%s unit %s: latest's conflict flag is %s, the history's %s", c, p, u,
		       lr->conflict ? "set" : "clear", h->members ? "set" : "clear");
	if (lr->first_completed_at != first->completed_at ||
	    (first->received_at && lr->first_received_at != first->received_at))
		s_diff(v, "%s/%s unit %s: latest's first report (completed %lld, received %lld) "
		       "is not the history's first (rev %u by %s #%llu)", c, p, u,
		       (long long)lr->first_completed_at, (long long)lr->first_received_at,
		       first->revision, first->signer, (unsigned long long)first->seq);
	lnob__latest_record__free_unpacked(lr, NULL);
	return r;
}

/* Pass 1, one unit: judge, check, add its current revision to the sums. */
static int s_unit(s_verify_t *v, const char *c, const char *p, const char *u)
{
	agg_history_t h;
	int unit, r = agg_history_load(v->st, v->txn, c, p, u, &h);

	if (r == 0 && h.n == 0)
		r = LNOB_E_CORRUPT;
	if (r == 0)
		r = s_check_latest(v, c, p, u, &h);
	if (r == 0)
		r = s_check_conflict(v, c, p, u, &h);
	if (r == 0) {
		const agg_rev_t *cur = &h.v[h.current];

		unit = hier_find(v->hier, u);
		if (unit < 0)
			s_diff(v, "%s/%s unit %s: has a report but is not in the hierarchy", c, p, u);
		for (int a = unit; a >= 0 && r == 0; a = hier_unit(v->hier, a)->parent) {
			r = report_sums_add(&v->sums[a], cur->report->values, cur->report->n_values, 1);
			v->counts[a]++;
		}
	}
	agg_history_clear(&h);
	return r;
}

/* Pass 1: the history, unit by unit. */
static int s_pass_history(s_verify_t *v)
{
	char kbuf[AGG_KEY_MAX + 1], cur_c[AGG_KEY_MAX + 1] = "", cur_p[AGG_KEY_MAX + 1] = "";
	uint8_t next[AGG_KEY_MAX + 2];
	MDB_cursor *cur = NULL;
	MDB_val k, val;
	int r, mr;

	if ((r = mdb_cursor_open(v->txn, store_dbi(v->st, AGG_DB_REVISIONS), &cur)) != 0)
		return s_mdb(r);
	for (mr = mdb_cursor_get(cur, &k, &val, MDB_FIRST); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE)) {
		const char *c, *p, *u;
		size_t plen;

		if ((r = agg_key_split(&k, kbuf, &c, &p, &u)) < 0)
			goto out;
		if (strcmp(c, cur_c) != 0 || strcmp(p, cur_p) != 0) {
			if (cur_c[0] && (r = s_compare(v, cur_c, cur_p)) < 0)
				goto out;
			strcpy(cur_c, c);
			strcpy(cur_p, p);
			if ((r = s_add_seen(v, c, p)) < 0)
				goto out;
		}
		if ((r = s_unit(v, c, p, u)) < 0)
			goto out;
		/* On to the next unit: past every "c\0p\0u\0..." key. */
		plen = (size_t)(u - kbuf) + strlen(u);
		memcpy(next, kbuf, plen);
		next[plen] = 1;
		k.mv_data = next;
		k.mv_size = plen + 1;
	}
	if (mr != MDB_NOTFOUND) {
		r = s_mdb(mr);
		goto out;
	}
	r = cur_c[0] ? s_compare(v, cur_c, cur_p) : 0;
out:
	mdb_cursor_close(cur);
	return r;
}

/* True (1) when (c, p, u) has a revision in the history, 0 when not. */
static int s_has_history(s_verify_t *v, const char *c, const char *p, const char *u)
{
	uint8_t key[AGG_KEY_MAX + 1];
	size_t klen = agg_key_unit(key, c, p, u);
	MDB_cursor *cur = NULL;
	MDB_val k, val;
	int r;

	if (!klen || klen + 1 > AGG_KEY_MAX)
		return LNOB_E_CORRUPT;
	key[klen++] = 0;
	if ((r = mdb_cursor_open(v->txn, store_dbi(v->st, AGG_DB_REVISIONS), &cur)) != 0)
		return s_mdb(r);
	k.mv_data = key;
	k.mv_size = klen;
	r = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE);
	if (r == 0)
		r = k.mv_size >= klen && memcmp(k.mv_data, key, klen) == 0;
	else if (r == MDB_NOTFOUND)
		r = 0;
	else
		r = s_mdb(r);
	mdb_cursor_close(cur);
	return r;
}

/* Passes 2 to 4: records of `db` with nothing behind them. */
static int s_pass_orphans(s_verify_t *v, int db)
{
	char kbuf[AGG_KEY_MAX + 1];
	MDB_cursor *cur = NULL;
	MDB_val k, val;
	int r, mr;

	if ((r = mdb_cursor_open(v->txn, store_dbi(v->st, (size_t)db), &cur)) != 0)
		return s_mdb(r);
	for (mr = mdb_cursor_get(cur, &k, &val, MDB_FIRST); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
		const char *c, *p, *u;

		if ((r = agg_key_split(&k, kbuf, &c, &p, &u)) < 0)
			goto out;
		if (db == AGG_DB_ROLLUPS) {
			ProtobufCMessage *m;
			Lnob__RollupRecord *rec;
			bool empty;

			if (s_seen(v, c, p) && hier_find(v->hier, u) >= 0)
				continue;   /* compared in pass 1 */
			if (codec_unpack(&lnob__rollup_record__descriptor,
					 val.mv_size ? val.mv_data : (const uint8_t *)"", val.mv_size,
					 SIZE_MAX, &m) < 0) {
				r = LNOB_E_CORRUPT;
				goto out;
			}
			rec = (Lnob__RollupRecord *)m;
			empty = rec->units_reported == 0 && rec->n_sums == 0;
			lnob__rollup_record__free_unpacked(rec, NULL);
			v->checked++;
			if (!empty)
				s_diff(v, "%s/%s unit %s: a materialised rollup with no report behind it%s",
				       c, p, u, hier_find(v->hier, u) < 0 ? " (unit not in the hierarchy)" : "");
			continue;
		}
		if ((r = s_has_history(v, c, p, u)) < 0)
			goto out;
		if (r == 0)
			s_diff(v, "%s/%s unit %s: a %s record but no revision in the history", c, p, u,
			       db == AGG_DB_LATEST ? "latest" : "conflict");
	}
	r = mr == MDB_NOTFOUND ? 0 : s_mdb(mr);
out:
	mdb_cursor_close(cur);
	return r;
}

/* Checks one amendment, pending (d NULL, under queue key k) or decided
 * (d): its key, its envelope, its approval, its place in the history. */
static int s_amendment(s_verify_t *v, const MDB_val *k, const Lnob__AmendmentRecord *a,
		       const Lnob__AmendmentDecision *d)
{
	uint8_t key[AGG_KEY_MAX], want[AGG_KEY_MAX];
	size_t klen = agg_key_unit(want, a->campaign, a->period, a->approved_unit), n;
	Lnob__Envelope *env = NULL;
	ProtobufCMessage *m = NULL;
	Lnob__Report *rep;
	const char *what = d ? (d->accepted ? "accepted" : "rejected") : "pending";
	MDB_val ev;
	int r, unit, au;

	n = strlen(a->signer);
	if (klen && klen + 1 + n + 1 + 8 <= AGG_KEY_MAX) {
		want[klen++] = 0;
		memcpy(want + klen, a->signer, n + 1);
		klen += n + 1;
		lnob_be64_put(want + klen, a->seq);
		klen += 8;
	} else {
		klen = 0;
	}
	if (!klen || k->mv_size != klen || memcmp(k->mv_data, want, klen) != 0)
		s_diff(v, "%s/%s unit %s: the %s amendment %s/%llu is filed under another key",
		       a->campaign, a->period, a->unit, what, a->signer, (unsigned long long)a->seq);
	/* its envelope, holding the report it names */
	n = agg_key_envelope(key, a->signer, a->seq);
	r = n ? store_get(v->txn, store_dbi(v->st, AGG_DB_ENVELOPES), key, n, &ev) : LNOB_E_INVALID;
	if (r < 0 && r != LNOB_E_NOTFOUND && r != LNOB_E_INVALID)
		return r;
	if (r == 0 && envelope_open(ev.mv_data, ev.mv_size, SIZE_MAX / 2, &env) == 0)
		(void)codec_unpack(&lnob__report__descriptor,
				   env->body.len ? env->body.data : (const uint8_t *)"", env->body.len,
				   SIZE_MAX, &m);
	rep = (Lnob__Report *)m;
	if (!rep || strcmp(rep->campaign, a->campaign) != 0 || strcmp(rep->period, a->period) != 0 ||
	    strcmp(rep->unit, a->unit) != 0 || rep->revision != a->revision)
		s_diff(v, "%s/%s unit %s: the %s amendment %s/%llu has no envelope holding its "
		       "report (rev %u) in the log", a->campaign, a->period, a->unit, what,
		       a->signer, (unsigned long long)a->seq, a->revision);
	if (rep)
		lnob__report__free_unpacked(rep, NULL);
	if (env)
		lnob__envelope__free_unpacked(env, NULL);
	/* a pending one waits under an approval covering its unit */
	unit = hier_find(v->hier, a->unit);
	au = hier_find(v->hier, a->approved_unit);
	if (!d && (unit < 0 || au < 0 || !hier_in_subtree(v->hier, au, unit)))
		s_diff(v, "%s/%s unit %s: the pending amendment %s/%llu is filed under %s, which "
		       "does not cover it", a->campaign, a->period, a->unit, a->signer,
		       (unsigned long long)a->seq, a->approved_unit);
	if (!d) {
		klen = agg_key_unit(key, a->campaign, a->period, a->approved_unit);
		r = klen ? store_get(v->txn, store_dbi(v->st, AGG_DB_APPROVALS), key, klen, &ev)
			 : LNOB_E_NOTFOUND;
		if (r == LNOB_E_NOTFOUND)
			s_diff(v, "%s/%s unit %s: the pending amendment %s/%llu waits for an approval "
			       "of %s that does not exist", a->campaign, a->period, a->unit, a->signer,
			       (unsigned long long)a->seq, a->approved_unit);
		else if (r < 0)
			return r;
	}
	/* in the history exactly when accepted */
	klen = agg_key_revision(key, a->campaign, a->period, a->unit, a->revision, a->signer, a->seq);
	r = klen ? store_get(v->txn, store_dbi(v->st, AGG_DB_REVISIONS), key, klen, &ev)
		 : LNOB_E_NOTFOUND;
	if (r < 0 && r != LNOB_E_NOTFOUND)
		return r;
	if ((r == 0) != (d && d->accepted))
		s_diff(v, "%s/%s unit %s: the %s amendment %s/%llu (rev %u) is %sin the revision "
		       "history", a->campaign, a->period, a->unit, what, a->signer,
		       (unsigned long long)a->seq, a->revision, r == 0 ? "" : "not ");
	return 0;
}

/* Passes 5 and 6: the amendment queue, the log of decisions. */
static int s_pass_amendments(s_verify_t *v, int db)
{
	MDB_cursor *cur = NULL;
	MDB_val k, val;
	int r = 0, mr;

	if ((mr = mdb_cursor_open(v->txn, store_dbi(v->st, (size_t)db), &cur)) != 0)
		return s_mdb(mr);
	for (mr = mdb_cursor_get(cur, &k, &val, MDB_FIRST); mr == 0 && r == 0;
	     mr = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
		const ProtobufCMessageDescriptor *desc = db == AGG_DB_AMENDMENTS
			? &lnob__amendment_record__descriptor : &lnob__amendment_decision__descriptor;
		ProtobufCMessage *m;

		if (codec_unpack(desc, val.mv_size ? val.mv_data : (const uint8_t *)"", val.mv_size,
				 SIZE_MAX, &m) < 0) {
			r = LNOB_E_CORRUPT;
			break;
		}
		if (db == AGG_DB_AMENDMENTS) {
			r = s_amendment(v, &k, (Lnob__AmendmentRecord *)m, NULL);
		} else {
			Lnob__AmendmentDecision *d = (Lnob__AmendmentDecision *)m;

			r = d->amendment ? s_amendment(v, &k, d->amendment, d) : LNOB_E_CORRUPT;
		}
		protobuf_c_message_free_unpacked(m, NULL);
	}
	mdb_cursor_close(cur);
	if (r == 0 && mr != MDB_NOTFOUND)
		r = s_mdb(mr);
	return r;
}

int rollup_verify(store_t *st, MDB_txn *txn, const hier_t *hier, FILE *out,
		  size_t *ret_diffs, size_t *ret_checked)
{
	size_t nu = hier_count(hier);
	s_verify_t v = { .st = st, .txn = txn, .hier = hier, .out = out };
	int r = 0;

	v.sums = calloc(nu ? nu : 1, sizeof(*v.sums));
	v.counts = calloc(nu ? nu : 1, sizeof(*v.counts));
	if (!v.sums || !v.counts)
		r = -ENOMEM;
	if (r == 0)
		r = s_pass_history(&v);
	if (r == 0)
		r = s_pass_orphans(&v, AGG_DB_LATEST);
	if (r == 0)
		r = s_pass_orphans(&v, AGG_DB_CONFLICTS);
	if (r == 0)
		r = s_pass_orphans(&v, AGG_DB_ROLLUPS);
	if (r == 0)
		r = s_pass_amendments(&v, AGG_DB_AMENDMENTS);
	if (r == 0)
		r = s_pass_amendments(&v, AGG_DB_AMENDMENT_LOG);
	if (r == 0) {
		*ret_diffs = v.diffs;
		*ret_checked = v.checked;
	}
	for (size_t i = 0; v.sums && i < nu; i++)
		report_sums_clear(&v.sums[i]);
	for (size_t i = 0; i < v.nseen; i++)
		free(v.seen[i]);
	free(v.seen);
	free(v.seen_len);
	free(v.sums);
	free(v.counts);
	return r;
}
