/* rollup.c: rollup views and verification (see rollup.h). */
#include "rollup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

/* One row of the view: a unit's rollup as JSON. */
static int s_row(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		 const char *period, int unit, json_t **ret)
{
	const hier_unit_t *u = hier_unit(hier, unit);
	Lnob__RollupRecord *rec = NULL;
	json_t *row, *sums;
	int r = agg_rollup_get(st, txn, campaign, period, u->code, &rec);

	if (r < 0)
		return r;
	sums = json_object();
	for (size_t i = 0; i < rec->n_sums; i++)
		json_object_set_new(sums, rec->sums[i]->code,
				    json_integer(report_value_of(rec->sums[i])));
	row = json_pack("{s:s, s:s, s:s, s:I, s:o}", "code", u->code, "name", u->name,
			"level", u->level, "units_reported", (json_int_t)rec->units_reported,
			"sums", sums);
	lnob__rollup_record__free_unpacked(rec, NULL);
	if (!row)
		return -ENOMEM;
	*ret = row;
	return 0;
}

int rollup_view(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		const char *period, int unit, json_t **ret)
{
	json_t *view, *row = NULL, *children;
	const int *kids;
	size_t n = hier_children(hier, unit, &kids);
	int r = s_row(st, txn, hier, campaign, period, unit, &row);

	if (r < 0)
		return r;
	children = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *kid;
		r = s_row(st, txn, hier, campaign, period, kids[i], &kid);
		if (r < 0) {
			json_decref(children);
			json_decref(row);
			return r;
		}
		json_array_append_new(children, kid);
	}
	view = json_pack("{s:s, s:s, s:o, s:o}", "campaign", campaign, "period", period,
			 "unit", row, "children", children);
	if (!view)
		return -ENOMEM;
	*ret = view;
	return 0;
}

/* Collects the indicator codes of every row, in sorted order. */
static json_t *s_codes(const json_t *view)
{
	json_t *set = json_object(), *codes = json_array(), *kid;
	const char *code;
	json_t *val;
	size_t i;

	json_object_foreach(json_object_get(json_object_get(view, "unit"), "sums"), code, val)
		json_object_set(set, code, json_true());
	json_array_foreach(json_object_get(view, "children"), i, kid)
		json_object_foreach(json_object_get(kid, "sums"), code, val)
			json_object_set(set, code, json_true());
	json_object_foreach(set, code, val)
		json_array_append_new(codes, json_string(code));
	json_decref(set);
	return codes;
}

static int s_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Width of an indicator column: its name, at least wide enough for a
 * twelve-digit figure. */
static size_t s_col_width(const char *code)
{
	size_t w = strlen(code);

	return w < 12 ? 12 : w;
}

static void s_print_row(FILE *out, const json_t *row, const char **codes, size_t nc, bool total)
{
	char label[160], num[32];

	snprintf(label, sizeof(label), "%s%s %s", total ? "" : "  ",
		 json_string_value(json_object_get(row, "code")),
		 json_string_value(json_object_get(row, "name")));
	lnob_fput_col(out, label, 36, true);
	fputc(' ', out);
	lnob_fput_col(out, json_string_value(json_object_get(row, "level")), 10, true);
	fprintf(out, " %8lld", (long long)json_integer_value(json_object_get(row, "units_reported")));
	for (size_t i = 0; i < nc; i++) {
		json_t *v = json_object_get(json_object_get(row, "sums"), codes[i]);

		snprintf(num, sizeof(num), "%lld", v ? (long long)json_integer_value(v) : 0LL);
		fputc(' ', out);
		lnob_fput_col(out, num, s_col_width(codes[i]), false);
	}
	fputc('\n', out);
}

void rollup_print_table(FILE *out, const json_t *view)
{
	json_t *codes = s_codes(view), *kid;
	size_t nc = json_array_size(codes), i;
	const char **names = calloc(nc ? nc : 1, sizeof(*names));

	if (!names) {
		json_decref(codes);
		return;
	}
	for (i = 0; i < nc; i++)
		names[i] = json_string_value(json_array_get(codes, i));
	qsort(names, nc, sizeof(*names), s_cmp_str);
	fprintf(out, "campaign %s, period %s\n",
		json_string_value(json_object_get(view, "campaign")),
		json_string_value(json_object_get(view, "period")));
	fprintf(out, "%-36s %-10s %8s", "unit", "level", "reported");
	for (i = 0; i < nc; i++) {
		fputc(' ', out);
		lnob_fput_col(out, names[i], s_col_width(names[i]), false);
	}
	fputc('\n', out);
	s_print_row(out, json_object_get(view, "unit"), names, nc, true);
	json_array_foreach(json_object_get(view, "children"), i, kid)
		s_print_row(out, kid, names, nc, false);
	free(names);
	json_decref(codes);
}

/* Splits a latest-db key "campaign\0period\0unit" into its parts (pointers
 * into buf, which the caller provides at AGG_KEY_MAX+1 bytes). */
static int s_split(const MDB_val *k, char *buf, const char **c, const char **p, const char **u)
{
	char *a, *b;

	if (k->mv_size == 0 || k->mv_size > AGG_KEY_MAX)
		return LNOB_E_CORRUPT;
	memcpy(buf, k->mv_data, k->mv_size);
	buf[k->mv_size] = '\0';
	a = memchr(buf, '\0', k->mv_size);
	if (!a || a + 1 >= buf + k->mv_size)
		return LNOB_E_CORRUPT;
	b = memchr(a + 1, '\0', (size_t)(buf + k->mv_size - (a + 1)));
	if (!b)
		return LNOB_E_CORRUPT;
	*c = buf;
	*p = a + 1;
	*u = b + 1;
	return 0;
}

/* Compares the computed sums of every unit for one (campaign, period). */
static int s_compare(store_t *st, MDB_txn *txn, const hier_t *hier, const char *campaign,
		     const char *period, report_sums_t *sums, unsigned *counts, FILE *out,
		     size_t *diffs, size_t *checked)
{
	for (size_t u = 0; u < hier_count(hier); u++) {
		const char *code = hier_unit(hier, (int)u)->code;
		Lnob__RollupRecord *rec = NULL;
		int r = agg_rollup_get(st, txn, campaign, period, code, &rec);

		if (r < 0)
			return r;
		if (rec->units_reported || rec->n_sums || counts[u])
			(*checked)++;
		if (rec->units_reported != counts[u] ||
		    !report_sums_equal(&sums[u], rec->sums, rec->n_sums)) {
			(*diffs)++;
			if (out)
				fprintf(out, "DIFF %s/%s unit %s: materialised rollup (%u units) "
					"differs from the recomputation (%u units)\n",
					campaign, period, code, rec->units_reported, counts[u]);
		}
		lnob__rollup_record__free_unpacked(rec, NULL);
		report_sums_clear(&sums[u]);
		counts[u] = 0;
	}
	return 0;
}

int rollup_verify(store_t *st, MDB_txn *txn, const hier_t *hier, FILE *out,
		  size_t *ret_diffs, size_t *ret_checked)
{
	size_t nu = hier_count(hier), diffs = 0, checked = 0;
	report_sums_t *sums = calloc(nu ? nu : 1, sizeof(*sums));
	unsigned *counts = calloc(nu ? nu : 1, sizeof(*counts));
	char cur_c[AGG_KEY_MAX + 1] = "", cur_p[AGG_KEY_MAX + 1] = "";
	char kbuf[AGG_KEY_MAX + 1];
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int r, mr;

	if (!sums || !counts) {
		r = -ENOMEM;
		goto out;
	}
	r = mdb_cursor_open(txn, store_dbi(st, AGG_DB_LATEST), &cur);
	if (r != 0) {
		r = r > 0 ? -r : r;
		goto out;
	}
	for (mr = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mr == 0;
	     mr = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const char *c, *p, *code;
		ProtobufCMessage *m;
		Lnob__LatestRecord *lr;
		int unit;

		if ((r = s_split(&k, kbuf, &c, &p, &code)) < 0)
			goto out;
		if (strcmp(c, cur_c) != 0 || strcmp(p, cur_p) != 0) {
			if (cur_c[0] && (r = s_compare(st, txn, hier, cur_c, cur_p, sums, counts,
						       out, &diffs, &checked)) < 0)
				goto out;
			strcpy(cur_c, c);
			strcpy(cur_p, p);
		}
		unit = hier_find(hier, code);
		if (unit < 0) {
			diffs++;
			if (out)
				fprintf(out, "DIFF %s/%s unit %s: has a report but is not in the hierarchy\n",
					c, p, code);
			continue;
		}
		if (codec_unpack(&lnob__latest_record__descriptor, v.mv_data, v.mv_size,
				 v.mv_size, &m) < 0) {
			r = LNOB_E_CORRUPT;
			goto out;
		}
		lr = (Lnob__LatestRecord *)m;
		for (int a = unit; a >= 0 && r == 0; a = hier_unit(hier, a)->parent) {
			r = report_sums_add(&sums[a], lr->values, lr->n_values, 1);
			counts[a]++;
		}
		lnob__latest_record__free_unpacked(lr, NULL);
		if (r < 0)
			goto out;
	}
	if (mr != MDB_NOTFOUND) {
		r = mr > 0 ? -mr : mr;
		goto out;
	}
	if (cur_c[0] && (r = s_compare(st, txn, hier, cur_c, cur_p, sums, counts, out,
				       &diffs, &checked)) < 0)
		goto out;
	*ret_diffs = diffs;
	*ret_checked = checked;
	r = 0;
out:
	if (cur)
		mdb_cursor_close(cur);
	for (size_t i = 0; sums && i < nu; i++)
		report_sums_clear(&sums[i]);
	free(sums);
	free(counts);
	return r;
}
