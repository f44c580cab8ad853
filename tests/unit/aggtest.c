/* aggtest.c: the aggregator world of unit tests (see aggtest.h). */
#include "testutil.h"
#include "aggtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "codec.h"
#include "envelope.h"
#include "lnob_err.h"
#include "report.h"
#include "verify.h"

void at_setup(at_world_t *w, const char *units_csv)
{
	char err[512];

	memset(w, 0, sizeof(*w));
	w->dir = strdup(tu_tmpdir());
	assert_non_null(w->dir);
	assert_int_equal(hier_load_mem(units_csv, strlen(units_csv), "units.csv", &w->hier, err,
				       sizeof(err)), 0);
	assert_int_equal(aggstore_open(w->dir, 64 << 20, 0, &w->st, err, sizeof(err)), 0);
	w->ctx.st = w->st;
	w->ctx.hier = w->hier;
	w->ctx.max_body = 65536;
}

void at_campaign(at_world_t *w, const char *ini)
{
	char err[512], name[4200];

	assert_int_equal(campaigns_reserve(&w->camps, w->camps.n + 1), 0);
	snprintf(name, sizeof(name), "%s/c%zu.ini", w->dir, w->camps.n);
	if (campaign_load_mem(ini, name, w->hier, &w->camps.v[w->camps.n], err, sizeof(err)) != 0)
		fail_msg("campaign: %s", err);
	w->camps.n++;
	w->ctx.campaigns = &w->camps;
}

void at_file(at_world_t *w, const char *name, const char *text)
{
	tu_write(w->dir, name, text, 0600);
}

int at_node(at_world_t *w, const char *id, const char *scope)
{
	Lnob__NodeRecord rec = LNOB__NODE_RECORD__INIT;
	int n = w->nids++;
	MDB_txn *txn;

	assert_true(n < AT_NODES);
	assert_int_equal(identity_generate(id, &w->ids[n]), 0);
	rec.node_id = (char *)id;
	rec.sign_public.data = w->ids[n].pub.sign_pk;
	rec.sign_public.len = 32;
	rec.curve_public.data = w->ids[n].pub.curve_pk;
	rec.curve_public.len = 32;
	rec.scope = (char *)scope;
	assert_int_equal(store_begin(w->st, true, &txn), 0);
	assert_int_equal(agg_node_put(w->st, txn, &rec, false), 0);
	assert_int_equal(store_commit(&txn), 0);
	return n;
}

/* Parses "a=1,b=2" into vals (codes point into buf). */
static size_t s_values(const char *text, char *buf, size_t blen, Lnob__IndicatorValue *vals,
		       size_t max)
{
	size_t n = 0;
	char *save = NULL, *tok;

	snprintf(buf, blen, "%s", text ? text : "");
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		assert_non_null(eq);
		assert_true(n < max);
		*eq = '\0';
		lnob__indicator_value__init(&vals[n]);
		vals[n].code = tok;
		if (report_code_is_amount(tok)) {
			vals[n].value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
			vals[n].amount_vnd = strtoll(eq + 1, NULL, 10);
		} else {
			vals[n].value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
			vals[n].count = strtoll(eq + 1, NULL, 10);
		}
		n++;
	}
	return n;
}

uint8_t *at_seal(at_world_t *w, int n, const at_report_t *r, size_t *ret_len)
{
	Lnob__Report rep = LNOB__REPORT__INIT;
	Lnob__IndicatorValue vals[32], *vp[32];
	char buf[2048];
	uint8_t *body, *env;
	size_t blen, nv = s_values(r->values, buf, sizeof(buf), vals, 32);

	for (size_t i = 0; i < nv; i++)
		vp[i] = &vals[i];
	rep.campaign = (char *)AT_CAMPAIGN;
	rep.period = (char *)(r->period ? r->period : "2023");
	rep.unit = (char *)r->unit;
	rep.revision = r->revision ? r->revision : 1;
	rep.base_revision = r->base;
	rep.completed_at = r->completed_at ? r->completed_at : 1701140400;
	rep.narrative = (char *)(r->narrative ? r->narrative : "");
	rep.values = vp;
	rep.n_values = nv;
	assert_int_equal(codec_pack(&rep.base, &body, &blen), 0);
	assert_int_equal(envelope_seal(&w->ids[n], ++w->seqs[n], LNOB__KIND__KIND_REPORT, body,
				       blen, &env, ret_len), 0);
	free(body);
	return env;
}

int at_send(at_world_t *w, int n, const at_report_t *r, char *detail)
{
	ingest_item_t it;
	size_t len;
	uint8_t *env = at_seal(w, n, r, &len);

	memset(&it, 0, sizeof(it));
	it.env = env;
	it.len = len;
	it.peer = w->ids[n].pub.node_id;
	assert_int_equal(ingest_batch(&w->ctx, &it, 1), 0);
	free(env);
	if (detail)
		snprintf(detail, 256, "%s", it.detail);
	return it.verdict == INGEST_ACK ? 0 : it.reason;
}

size_t at_verify(at_world_t *w, char *out, size_t outlen)
{
	FILE *f = fmemopen(out, outlen, "w");
	size_t diffs = 0, checked = 0;
	MDB_txn *txn;

	assert_non_null(f);
	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(verify_store(w->st, txn, w->hier, f, &diffs, &checked), 0);
	store_abort(&txn);
	fclose(f);
	return diffs;
}

int64_t at_sum(at_world_t *w, const char *period, const char *unit, const char *code,
	       uint32_t *units)
{
	Lnob__RollupRecord *rec = NULL;
	MDB_txn *txn;
	int64_t v = -1;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	assert_int_equal(agg_rollup_get(w->st, txn, AT_CAMPAIGN, period, unit, &rec), 0);
	for (size_t i = 0; i < rec->n_sums; i++)
		if (strcmp(rec->sums[i]->code, code) == 0) {
			v = report_value_of(rec->sums[i]);
			if (units)
				*units = i < rec->n_units ? rec->units[i] : 0;
		}
	lnob__rollup_record__free_unpacked(rec, NULL);
	store_abort(&txn);
	return v;
}

void at_teardown(at_world_t *w)
{
	campaigns_clear(&w->camps);
	store_destroy(&w->st);
	hier_destroy(&w->hier);
	for (int i = 0; i < w->nids; i++)
		identity_wipe(&w->ids[i]);
	tu_rmtree(w->dir);
	free(w->dir);
}
