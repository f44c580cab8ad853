/* history.c: revision histories and open conflicts for operators (see
 * history.h). */
#include "history.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approval.h"
#include "codec.h"
#include "lnob_err.h"
#include "report.h"
#include "snapshot_in.h"
#include "table.h"
#include "util.h"

static json_t *s_values(const Lnob__Report *rep)
{
	json_t *vals = json_object();

	for (size_t i = 0; rep && i < rep->n_values; i++)
		json_object_set_new(vals, rep->values[i]->code,
				    json_integer(report_value_of(rep->values[i])));
	return vals;
}

int history_view(store_t *st, MDB_txn *txn, const char *campaign, const char *period,
		 const char *unit, json_t **ret)
{
	Lnob__ConflictRecord *cr = NULL;
	agg_history_t h;
	json_t *list, *conflict = json_null(), *view;
	size_t held = 0;
	bool snapshots = false;
	int r = agg_history_load(st, txn, campaign, period, unit, AGG_HISTORY_REPORTS, &h);

	if (r == 0)
		r = amendments_pending_for(st, txn, campaign, period, unit, &held);
	if (r == 0)   /* only a national aggregator's revisions can be snapshots */
		r = snapshot_in_present(st, txn, &snapshots);
	if (r < 0) {
		agg_history_clear(&h);
		return r;
	}
	list = json_array();
	for (size_t i = 0; r == 0 && i < h.n; i++) {
		const agg_rev_t *x = &h.v[i];
		json_t *e = json_pack("{s:I, s:I, s:s, s:I, s:I, s:o, s:b, s:b, s:b, s:o, s:s}",
			"revision", (json_int_t)x->revision, "base_revision", (json_int_t)x->base_revision,
			"signer", x->signer, "seq", (json_int_t)x->seq,
			"completed_at", (json_int_t)x->completed_at,
			"received_at", x->received_at ? json_integer(x->received_at) : json_null(),
			"current", (int)i == h.current, "first", (int)i == h.first,
			"conflict_member", x->member, "values", s_values(x->report),
			"narrative", x->report && x->report->narrative ? x->report->narrative : "");

		/* A national aggregator's revision of a snapshot: what it carried. */
		r = e ? 0 : -ENOMEM;
		if (r == 0 && snapshots)
			r = snapshot_in_describe(st, txn, x->signer, x->seq, e);
		if (r < 0)
			json_decref(e);
		else if (json_array_append_new(list, e) < 0)
			r = -ENOMEM;
	}
	if (r < 0) {
		json_decref(list);
		agg_history_clear(&h);
		return r;
	}
	r = agg_conflict_get(st, txn, campaign, period, unit, &cr);
	if (r == 0) {
		conflict = json_pack("{s:I, s:I}", "detected_at", (json_int_t)cr->detected_at,
				     "members", (json_int_t)cr->n_members);
		lnob__conflict_record__free_unpacked(cr, NULL);
	} else if (r != LNOB_E_NOTFOUND) {
		json_decref(list);
		agg_history_clear(&h);
		return r;
	}
	view = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:I}", "campaign", campaign, "period",
			 period, "unit", unit, "revisions", (json_int_t)h.n, "conflict", conflict,
			 "history", list, "pending_amendments", (json_int_t)held);
	agg_history_clear(&h);
	if (!view)
		return -ENOMEM;
	*ret = view;
	return 0;
}

/* "code=value code=value" of a revision's values: malloc'ed (caller
 * frees), or NULL when out of memory. */
static char *s_values_text(const json_t *values)
{
	char *text = NULL;
	size_t len = 0;
	FILE *v = open_memstream(&text, &len);
	const char *code;
	json_t *val;

	if (!v)
		return NULL;
	json_object_foreach((json_t *)values, code, val)
		fprintf(v, "%s%s=%lld", ftell(v) ? " " : "", code, (long long)json_integer_value(val));
	if (fclose(v) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

void history_print(FILE *out, const json_t *view, const campaigns_t *camps)
{
	static const table_col_t cols[] = {
		{ "", 3, false }, { "rev", 5, true }, { "base", 5, true }, { "signer", 20, false },
		{ "seq", 8, true }, { "completed", 23, false }, { "received", 23, false },
		{ "values", 0, false },
	};
	json_t *hist = json_object_get(view, "history"), *x, *conflict = json_object_get(view, "conflict");
	const char *camp = json_string_value(json_object_get(view, "campaign"));
	char tc[TABLE_TIME_LEN], tr[TABLE_TIME_LEN];
	size_t i;

	fprintf(out, "%s/%s unit %s: %lld revision(s)", camp,
		json_string_value(json_object_get(view, "period")),
		json_string_value(json_object_get(view, "unit")),
		(long long)json_integer_value(json_object_get(view, "revisions")));
	if (json_is_object(conflict))
		fprintf(out, "; OPEN CONFLICT of %lld revisions since %s",
			(long long)json_integer_value(json_object_get(conflict, "members")),
			campaigns_time(camps, camp, json_integer_value(json_object_get(conflict,
				       "detected_at")), tc, sizeof(tc)));
	if (json_integer_value(json_object_get(view, "pending_amendments")))
		fprintf(out, "; %lld more held as amendments of an approval (see `amendments`)",
			(long long)json_integer_value(json_object_get(view, "pending_amendments")));
	fprintf(out, "\n  (* current: what the rollup uses; ! in the open conflict; f first report: timeliness)\n");
	table_header(out, "  ", cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(hist, i, x) {
		char flags[4], rev[24], base[24], seq[24], *vals = s_values_text(json_object_get(x, "values"));

		snprintf(flags, sizeof(flags), "%c%c%c",
			 json_is_true(json_object_get(x, "current")) ? '*' : ' ',
			 json_is_true(json_object_get(x, "conflict_member")) ? '!' : ' ',
			 json_is_true(json_object_get(x, "first")) ? 'f' : ' ');
		snprintf(rev, sizeof(rev), "%lld", (long long)json_integer_value(json_object_get(x, "revision")));
		snprintf(base, sizeof(base), "%lld",
			 (long long)json_integer_value(json_object_get(x, "base_revision")));
		snprintf(seq, sizeof(seq), "%lld", (long long)json_integer_value(json_object_get(x, "seq")));
		table_row(out, "  ", cols, sizeof(cols) / sizeof(cols[0]), (const char *const[]){
			flags, rev, base, json_string_value(json_object_get(x, "signer")), seq,
			campaigns_time(camps, camp, json_integer_value(json_object_get(x, "completed_at")),
				       tc, sizeof(tc)),
			campaigns_time(camps, camp, json_integer_value(json_object_get(x, "received_at")),
				       tr, sizeof(tr)), vals });
		free(vals);
	}
}

/* Where conflicts_view() reads and writes. */
typedef struct s_conflicts {
	store_t *st;
	MDB_txn *txn;
	json_t *list;
} s_conflicts_t;

/* One open conflict as JSON, into x->list. */
static int s_conflict_row(void *ctx, const char *campaign, const char *period, const char *unit,
			  const MDB_val *v)
{
	s_conflicts_t *x = ctx;
	Lnob__ConflictRecord *cr;
	Lnob__LatestRecord *lr = NULL;
	ProtobufCMessage *m;
	json_t *members, *cur = json_null();
	int r;

	if (codec_unpack(&lnob__conflict_record__descriptor,
			 v->mv_size ? v->mv_data : (const uint8_t *)"", v->mv_size, SIZE_MAX, &m) < 0)
		return LNOB_E_CORRUPT;
	cr = (Lnob__ConflictRecord *)m;
	members = json_array();
	for (size_t i = 0; i < cr->n_members; i++)
		json_array_append_new(members, json_pack("{s:s, s:I, s:I, s:I}",
			"signer", cr->members[i]->signer, "seq", (json_int_t)cr->members[i]->seq,
			"revision", (json_int_t)cr->members[i]->revision,
			"base_revision", (json_int_t)cr->members[i]->base_revision));
	r = agg_latest_load(x->st, x->txn, campaign, period, unit, AGG_LATEST_IDENTITY, &lr);
	if (r == 0) {
		cur = json_pack("{s:s, s:I, s:I}", "signer", lr->signer, "seq", (json_int_t)lr->seq,
				"revision", (json_int_t)lr->revision);
		lnob__latest_record__free_unpacked(lr, NULL);
	}
	json_array_append_new(x->list, json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}", "campaign",
			      campaign, "period", period, "unit", unit, "detected_at",
			      (json_int_t)cr->detected_at, "current", cur, "members", members));
	lnob__conflict_record__free_unpacked(cr, NULL);
	return r == LNOB_E_NOTFOUND ? 0 : r;
}

int conflicts_view(store_t *st, MDB_txn *txn, json_t **ret)
{
	json_t *list = json_array();
	s_conflicts_t x = { .st = st, .txn = txn, .list = list };
	int r = list ? agg_unit_foreach(st, txn, AGG_UNIT_CONFLICTS, s_conflict_row, &x) : -ENOMEM;

	if (r < 0) {
		json_decref(list);
		return r;
	}
	*ret = json_pack("{s:o}", "conflicts", list);
	return *ret ? 0 : -ENOMEM;
}

void conflicts_print(FILE *out, const json_t *view, const campaigns_t *camps)
{
	json_t *list = json_object_get(view, "conflicts"), *c, *m;
	char t[TABLE_TIME_LEN];
	size_t i, j;

	fprintf(out, "%zu open revision conflict(s)\n", json_array_size(list));
	json_array_foreach(list, i, c) {
		json_t *cur = json_object_get(c, "current");

		fprintf(out, "%s/%s unit %s, since %s; the rollup uses rev %lld by %s #%lld\n",
			json_string_value(json_object_get(c, "campaign")),
			json_string_value(json_object_get(c, "period")),
			json_string_value(json_object_get(c, "unit")),
			campaigns_time(camps, json_string_value(json_object_get(c, "campaign")),
				       json_integer_value(json_object_get(c, "detected_at")), t, sizeof(t)),
			(long long)json_integer_value(json_object_get(cur, "revision")),
			json_is_object(cur) ? json_string_value(json_object_get(cur, "signer")) : "?",
			(long long)json_integer_value(json_object_get(cur, "seq")));
		json_array_foreach(json_object_get(c, "members"), j, m)
			fprintf(out, "    rev %lld (base %lld) by %s #%lld\n",
				(long long)json_integer_value(json_object_get(m, "revision")),
				(long long)json_integer_value(json_object_get(m, "base_revision")),
				json_string_value(json_object_get(m, "signer")),
				(long long)json_integer_value(json_object_get(m, "seq")));
	}
}
