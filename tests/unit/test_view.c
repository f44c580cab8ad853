/* test_view.c: the campaign view over a store written before the range
 * check of completed_at (report_validate): latest records whose stamps are
 * any int64 (2^63-1, negative) are classified and shown without overflow,
 * as JSON and as tables ("-" for a time that cannot be shown). Run under
 * UBSan, a signed overflow fails the test. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggstore.h"
#include "campaign.h"
#include "campaigns.h"
#include "codec.h"
#include "hierarchy.h"
#include "lnob_err.h"
#include "store.h"
#include "view.h"

#define CAMP "lnob-2021-2025"

static const char s_units[] =
	"code,name,parent_code,level,kind\n"
	"P,Province,,province,administrative\n"
	"D1,District 1,P,district,administrative\n"
	"D2,District 2,P,district,administrative\n"
	"D3,District 3,P,district,administrative\n";

static const char s_ini[] =
	"[campaign]\nid = " CAMP "\nname = test\nstart = 2021-01-01\nend = 2025-12-31\n"
	"baseline_date = 2020-12-31\nutc_offset = +07:00\nlevels = province, district\n"
	"[indicators]\nhouseholds_total = count\npoor_households = count\n"
	"poor_rate = rate poor_households / households_total\n"
	"[deadlines]\ndistrict = before 11-20\n"
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n";

/* Writes unit's LatestRecord as an older store may hold it: no check. */
static void s_put_latest(store_t *st, const char *unit, int64_t completed, int64_t received)
{
	Lnob__LatestRecord lr = LNOB__LATEST_RECORD__INIT;
	Lnob__IndicatorValue v = LNOB__INDICATOR_VALUE__INIT, *vals[1] = { &v };
	uint8_t key[AGG_KEY_MAX], *buf;
	size_t klen = agg_key_unit(key, CAMP, "2023", unit), len;
	MDB_txn *txn;

	assert_true(klen > 0);
	v.code = (char *)"households_total";
	v.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	v.count = 100;
	lr.signer = (char *)"old";
	lr.seq = 1;
	lr.revision = 1;
	lr.completed_at = completed;
	lr.received_at = received;
	lr.first_completed_at = completed;
	lr.first_received_at = received;
	lr.revisions = 1;
	lr.values = vals;
	lr.n_values = 1;
	assert_int_equal(codec_pack(&lr.base, &buf, &len), 0);
	assert_int_equal(store_begin(st, true, &txn), 0);
	assert_int_equal(store_put(txn, store_dbi(st, AGG_DB_LATEST), key, klen, buf, len, 0), 0);
	assert_int_equal(store_commit(&txn), 0);
	free(buf);
}

/* The child row of code in view. */
static const json_t *s_child(const json_t *view, const char *code)
{
	const json_t *row;
	size_t i;

	json_array_foreach(json_object_get(view, "children"), i, row)
		if (strcmp(json_string_value(json_object_get(row, "code")), code) == 0)
			return row;
	fail_msg("no child %s", code);
	return NULL;
}

static void test_absurd_stamps(void **state)
{
	const char *dir = tu_tmpdir();
	campaigns_t camps = { .clock_skew_s = 900 };
	view_opts_t o = { .campaigns = &camps, .campaign = CAMP, .period = "2023",
			  .now = 1701000000 };
	store_t *st = NULL;
	hier_t *h = NULL;
	campaign_t *c = NULL;
	const json_t *rep;
	json_t *view = NULL;
	MDB_txn *txn;
	char err[512] = "", *text = NULL;
	size_t tlen = 0;
	FILE *out;

	(void)state;
	assert_int_equal(hier_load_mem(s_units, strlen(s_units), "units.csv", &h, err,
				       sizeof(err)), 0);
	if (campaign_load_mem(s_ini, "test.ini", h, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(campaigns_reserve(&camps, 1), 0);
	camps.v[0] = c;
	camps.n = 1;
	assert_int_equal(aggstore_open(dir, 8 << 20, 0, &st, err, sizeof(err)), 0);
	/* D1: completed at 2^63-1 (adding the +07:00 offset would overflow),
	 * arrived after the deadline (2023-11-20 00:00 +07). D2: a negative
	 * stamp, arrived at 2^63-1. D3: INT64_MIN, arrived at INT64_MIN. */
	s_put_latest(st, "D1", INT64_MAX, 1701000000);
	s_put_latest(st, "D2", -1, INT64_MAX);
	s_put_latest(st, "D3", INT64_MIN, INT64_MIN);

	o.unit = hier_find(h, "P");
	assert_int_equal(store_begin(st, false, &txn), 0);
	if (view_build(st, txn, h, &o, &view, err, sizeof(err)) != 0)
		fail_msg("view_build: %s", err);
	store_abort(&txn);

	rep = json_object_get(s_child(view, "D1"), "report");
	assert_string_equal(json_string_value(json_object_get(rep, "status")), "late");
	assert_true(json_is_true(json_object_get(rep, "clock_suspect")));
	assert_int_equal(json_integer_value(json_object_get(rep, "completed_at")), INT64_MAX);
	rep = json_object_get(s_child(view, "D2"), "report");
	assert_string_equal(json_string_value(json_object_get(rep, "status")), "on_time");
	assert_true(json_is_true(json_object_get(rep, "arrived_late")));
	rep = json_object_get(s_child(view, "D3"), "report");
	assert_string_equal(json_string_value(json_object_get(rep, "status")), "on_time");
	assert_false(json_is_true(json_object_get(rep, "arrived_late")));

	/* The tables: the late unit listed, its stamps shown as "-". */
	out = open_memstream(&text, &tlen);
	assert_non_null(out);
	view_print_table(out, view);
	fclose(out);
	if (!strstr(text, "D1 District 1") || !strstr(text, "completed -, arrived 2023-11-26 19:00"))
		fail_msg("table lacks D1's late line:\n%s", text);
	free(text);

	json_decref(view);
	store_destroy(&st);
	campaigns_clear(&camps);
	hier_destroy(&h);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absurd_stamps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
