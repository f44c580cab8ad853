/* test_snapshot_in.c: snapshots arriving at the national aggregator
 * (snapshot_in.h, ingest.h): applied as their unit's report (rollups,
 * a later revision superseding), refused when their unit is outside the
 * signer's scope, when a PART_SUBTREE one's unit has units below it, or
 * when the body does not decode; and `verify` reads them in the log. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggtest.h"
#include "codec.h"
#include "envelope.h"

/* Sends one snapshot of node n: unit, part, revision, one poor_households
 * count. Returns the verdict as at_send(). */
static int t_snap(at_world_t *w, int n, const char *unit, Lnob__SnapshotPart part,
		  uint32_t revision, int64_t poor, char *detail)
{
	Lnob__Snapshot s = LNOB__SNAPSHOT__INIT;
	Lnob__IndicatorValue v = LNOB__INDICATOR_VALUE__INIT, *vp = &v;
	ingest_item_t it;
	uint8_t *body, *env;
	size_t blen, len;

	s.campaign = (char *)AT_CAMPAIGN;
	s.period = (char *)"2023";
	s.unit = (char *)unit;
	s.part = part;
	s.revision = revision;
	s.base_revision = revision - 1;
	s.computed_at = 1701140400;
	v.code = (char *)"poor_households";
	v.value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
	v.count = poor;
	s.sums = &vp;
	s.n_sums = 1;
	assert_int_equal(codec_pack(&s.base, &body, &blen), 0);
	if (poor < -1000) {   /* a body that is not a Snapshot */
		body[0] = 0xff;
		blen = 1;
	}
	assert_int_equal(envelope_seal(&w->ids[n], ++w->seqs[n], LNOB__KIND__KIND_SNAPSHOT, body,
				       blen, &env, &len), 0);
	free(body);
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

static void test_applied_as_reports(void **state)
{
	at_world_t w;
	char d[256], out[4096];
	uint32_t units;
	int p;

	(void)state;
	at_setup(&w, AT_UNITS);
	p = at_node(&w, "nat-p", "P");
	assert_int_equal(t_snap(&w, p, "V1", LNOB__SNAPSHOT_PART__PART_SUBTREE, 1, 10, d), 0);
	assert_int_equal(t_snap(&w, p, "V3", LNOB__SNAPSHOT_PART__PART_SUBTREE, 1, 5, d), 0);
	assert_int_equal(t_snap(&w, p, "P", LNOB__SNAPSHOT_PART__PART_OWN, 1, 1, d), 0);
	assert_int_equal(at_sum(&w, "2023", "P", "poor_households", &units), 16);
	assert_int_equal(units, 3);
	/* The next revision supersedes the first. */
	assert_int_equal(t_snap(&w, p, "V1", LNOB__SNAPSHOT_PART__PART_SUBTREE, 2, 20, d), 0);
	assert_int_equal(at_sum(&w, "2023", "P", "poor_households", &units), 26);
	assert_int_equal(at_sum(&w, "2023", "C1", "poor_households", &units), 20);
	assert_int_equal(at_verify(&w, out, sizeof(out)), 0);
	at_teardown(&w);
}

static void test_refused(void **state)
{
	at_world_t w;
	char d[256];
	int p, c1;

	(void)state;
	at_setup(&w, AT_UNITS);
	p = at_node(&w, "nat-p", "P");
	c1 = at_node(&w, "nat-c1", "C1");
	assert_int_equal(t_snap(&w, p, "D1", LNOB__SNAPSHOT_PART__PART_SUBTREE, 1, 10, d),
			 LNOB__NACK_REASON__NACK_INVALID);
	assert_non_null(strstr(d, "count twice"));
	assert_int_equal(t_snap(&w, c1, "V3", LNOB__SNAPSHOT_PART__PART_SUBTREE, 1, 10, d),
			 LNOB__NACK_REASON__NACK_OUT_OF_SCOPE);
	assert_int_equal(t_snap(&w, p, "X9", LNOB__SNAPSHOT_PART__PART_SUBTREE, 1, 10, d),
			 LNOB__NACK_REASON__NACK_UNKNOWN_UNIT);
	assert_int_equal(t_snap(&w, p, "V1", LNOB__SNAPSHOT_PART__PART_UNSPECIFIED, 1, 10, d),
			 LNOB__NACK_REASON__NACK_INVALID);
	assert_non_null(strstr(d, "part:"));
	assert_int_equal(t_snap(&w, p, "V1", LNOB__SNAPSHOT_PART__PART_SUBTREE, 1, -5, d),
			 LNOB__NACK_REASON__NACK_INVALID);
	assert_int_equal(t_snap(&w, p, "V1", LNOB__SNAPSHOT_PART__PART_SUBTREE, 1, -5000, d),
			 LNOB__NACK_REASON__NACK_MALFORMED);
	assert_non_null(strstr(d, "Snapshot"));
	at_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_applied_as_reports),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
