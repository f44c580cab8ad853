/* verify.c: rollup_verify(), the check of the materialised state against
 * a recomputation (see rollup.h). */
#include "rollup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

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
