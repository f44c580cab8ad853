/* test_campaign_request.c: ad-hoc (đột xuất) requests as periods of their
 * campaign (common/campaign_request.c): what is accepted and refused, who
 * reports what, who is expected by when, and that no target applies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "campaign.h"
#include "campaign_request.h"
#include "hierarchy.h"
#include "lnob_err.h"

static const char s_ini[] =
	"[campaign]\n"
	"id = t\n"
	"name = Test\n"
	"start = 2021-01-01\n"
	"end = 2025-12-31\n"
	"baseline_date = 2020-12-31\n"
	"levels = province, district, commune, village\n"
	"utc_offset = +07:00\n"
	"[indicators]\n"
	"hh = count\n"
	"poor = count\n"
	"fund_vnd = amount\n"
	"poor_rate = rate poor / hh\n"
	"[period 2021]\n"
	"kind = year\n"
	"start = 2021-01-01\n"
	"end = 2021-12-31\n"
	"[deadlines]\n"
	"village = before 12-05\n"
	"[target poverty]\n"
	"levels = village\n"
	"indicator = poor_rate\n"
	"below = 10%\n";

static const char s_org[] =
	"code,name,parent_code,level,kind\n"
	"P,Province,,province,administrative\n"
	"D1,District 1,P,district,administrative\n"
	"C11,Commune 11,D1,commune,administrative\n"
	"V1,Village 1,C11,village,administrative\n"
	"V2,Village 2,C11,village,administrative\n"
	"V3,Village 3,C11,village,administrative\n"
	"X1,Office,P,office,administrative\n";

typedef struct s_fx {
	hier_t *h;
	campaign_t *c;
} s_fx_t;

static int s_setup(void **state)
{
	static s_fx_t fx;
	char err[512] = "";

	memset(&fx, 0, sizeof(fx));
	if (hier_load_mem(s_org, strlen(s_org), "org.csv", &fx.h, err, sizeof(err)) != 0 ||
	    campaign_load_mem(s_ini, "c.ini", fx.h, &fx.c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	*state = &fx;
	return 0;
}

static int s_teardown(void **state)
{
	s_fx_t *fx = *state;

	campaign_destroy(&fx->c);
	hier_destroy(&fx->h);
	return 0;
}

/* A request of campaign t: units and indicators NULL-terminated. */
typedef struct s_req {
	Lnob__AdhocRequest q;
	char *units[8], *inds[8];
} s_req_t;

static void s_req(s_req_t *x, const char *id, const char *due, const char *const *units,
		  const char *const *inds)
{
	lnob__adhoc_request__init(&x->q);
	x->q.campaign = (char *)"t";
	x->q.id = (char *)id;
	x->q.due = (char *)due;
	x->q.note = (char *)"Báo cáo nhanh";
	x->q.created_at = 1764547200;   /* 2025-12-01T00:00:00Z */
	x->q.units = x->units;
	x->q.indicators = x->inds;
	for (x->q.n_units = 0; units[x->q.n_units]; x->q.n_units++)
		x->units[x->q.n_units] = (char *)units[x->q.n_units];
	for (x->q.n_indicators = 0; inds[x->q.n_indicators]; x->q.n_indicators++)
		x->inds[x->q.n_indicators] = (char *)inds[x->q.n_indicators];
}
#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Adding x must fail naming want; the campaign keeps its periods. */
static void s_refused(s_fx_t *fx, s_req_t *x, const char *want)
{
	size_t n = campaign_period_count(fx->c);
	char err[512] = "";

	assert_int_equal(campaign_request_add(fx->c, fx->h, &x->q, err, sizeof(err)),
			 LNOB_E_INVALID);
	if (!strstr(err, want) || strncmp(err, "ad-hoc request", 14) != 0)
		fail_msg("error '%s' lacks '%s'", err, want);
	assert_int_equal(campaign_period_count(fx->c), n);
}

static void test_added_as_a_period(void **state)
{
	s_fx_t *fx = *state;
	const campaign_period_t *file = campaign_period_find(fx->c, "2021"), *p;
	campaign_applied_t a[4];
	int64_t late;
	s_req_t x;
	char err[512] = "";

	s_req(&x, "dx-1", "2025-12-10", LIST("V2", "V1", "D1x"), LIST("poor"));
	x.q.n_units = 2;   /* V2, V1 */
	assert_int_equal(campaign_request_add(fx->c, fx->h, &x.q, err, sizeof(err)), 0);
	assert_int_equal(campaign_period_count(fx->c), 2);
	assert_int_equal(campaign_request_count(fx->c), 1);
	p = campaign_period_find(fx->c, "dx-1");
	assert_non_null(p);
	assert_ptr_equal(campaign_period(fx->c, 1), p);
	assert_ptr_equal(campaign_period_find(fx->c, "2021"), file);
	assert_int_equal(p->kind, CAMPAIGN_PERIOD_ADHOC);
	assert_non_null(p->request);
	assert_string_equal(p->request->units[0], "V1");   /* sorted */
	assert_string_equal(p->request->units[1], "V2");
	assert_string_equal(p->request->due, "2025-12-10");
	assert_string_equal(p->request->note, "Báo cáo nhanh");
	assert_int_equal(p->end_year, 2025);
	assert_null(campaign_period_previous(fx->c, p));

	/* Who reports what: the asked units, the asked indicators only. */
	int poor = campaign_indicator_find(fx->c, "poor"), hh = campaign_indicator_find(fx->c, "hh");
	assert_true(campaign_reports(fx->c, p, poor, "V1", "village"));
	assert_false(campaign_reports(fx->c, p, hh, "V1", "village"));
	assert_false(campaign_reports(fx->c, p, poor, "V3", "village"));
	assert_true(campaign_reports(fx->c, file, hh, "V3", "village"));
	assert_true(campaign_reports(fx->c, NULL, hh, "V3", "village"));
	assert_true(campaign_request_asks(p, "V2"));
	assert_false(campaign_request_asks(p, "C11"));
	assert_false(campaign_request_asks(file, "V2"));

	/* By when: 00:00 +07:00 of the day after the due day, asked units only. */
	assert_int_equal(campaign_due_for(fx->c, p, "V1", "village", &late), 0);
	assert_int_equal(late, 1765386000);   /* 2025-12-11T00:00+07:00 */
	assert_int_equal(campaign_due_for(fx->c, p, "V3", "village", &late), LNOB_E_NOTFOUND);
	assert_int_equal(campaign_deadline_for(fx->c, "district", p, &late), 0);
	assert_int_equal(campaign_due_for(fx->c, file, "V3", "village", &late), 0);
	/* No target applies to an ad-hoc request; the file's period keeps its own. */
	assert_int_equal(campaign_target_for(fx->c, fx->h, hier_find(fx->h, "V1"), p, a, 4), 0);
	assert_int_equal(campaign_target_for(fx->c, fx->h, hier_find(fx->h, "V1"), file, a, 4), 1);

	/* Taken back. */
	campaign_request_drop_last(fx->c);
	assert_int_equal(campaign_period_count(fx->c), 1);
	assert_null(campaign_period_find(fx->c, "dx-1"));
}

static void test_check_reporter(void **state)
{
	s_fx_t *fx = *state;
	Lnob__Report r = LNOB__REPORT__INIT;
	Lnob__IndicatorValue v[2] = { LNOB__INDICATOR_VALUE__INIT, LNOB__INDICATOR_VALUE__INIT };
	Lnob__IndicatorValue *pv[2] = { &v[0], &v[1] };
	char err[512] = "", detail[512] = "";
	s_req_t x;

	s_req(&x, "dx-2", "2025-12-10", LIST("V1", "V2"), LIST("poor", "fund_vnd"));
	assert_int_equal(campaign_request_add(fx->c, fx->h, &x.q, err, sizeof(err)), 0);
	r.campaign = (char *)"t";
	r.period = (char *)"dx-2";
	r.unit = (char *)"V1";
	r.values = pv;
	r.n_values = 1;
	v[0].code = (char *)"poor";
	v[1].code = (char *)"hh";
	assert_int_equal(campaign_check_reporter(fx->c, &r, "village", detail, sizeof(detail)), 0);
	r.n_values = 2;
	assert_int_equal(campaign_check_reporter(fx->c, &r, "village", detail, sizeof(detail)),
			 LNOB_E_NOT_REQUESTED);
	assert_string_equal(detail, "indicator 'hh' is not asked by ad-hoc request 'dx-2' (it asks: "
			    "poor, fund_vnd)");
	r.n_values = 1;
	r.unit = (char *)"V3";
	assert_int_equal(campaign_check_reporter(fx->c, &r, "village", detail, sizeof(detail)),
			 LNOB_E_NOT_REQUESTED);
	assert_string_equal(detail, "unit 'V3' is not asked by ad-hoc request 'dx-2' (it asks: V1, "
			    "V2)");
	/* The file's period: the reporting levels decide, as ever. */
	r.period = (char *)"2021";
	assert_int_equal(campaign_check_reporter(fx->c, &r, "village", detail, sizeof(detail)), 0);
	assert_int_equal(campaign_check_reporter(fx->c, &r, "commune", detail, sizeof(detail)),
			 LNOB_E_WRONG_LEVEL);
	r.period = (char *)"nope";
	assert_int_equal(campaign_check_reporter(fx->c, &r, "village", detail, sizeof(detail)),
			 -EINVAL);
	campaign_request_drop_last(fx->c);
}

static void test_refusals(void **state)
{
	s_fx_t *fx = *state;
	char note[CAMPAIGN_REQUEST_NOTE_MAX + 2];
	s_req_t x;

	s_req(&x, "2021", "2025-12-10", LIST("V1"), LIST("poor"));
	s_refused(fx, &x, "already has a period or a request of that id");
	s_req(&x, "bad id", "2025-12-10", LIST("V1"), LIST("poor"));
	s_refused(fx, &x, "'bad id' is not an id");
	s_req(&x, "dx", "2025-12-10", LIST("V1", "C11"), LIST("poor"));
	s_refused(fx, &x, "units 'C11' and 'V1' are both asked, and V1 is within C11");
	s_req(&x, "dx", "2025-12-10", LIST("V1", "V1"), LIST("poor"));
	s_refused(fx, &x, "unit 'V1' is given twice");
	s_req(&x, "dx", "2025-12-10", LIST("Z9"), LIST("poor"));
	s_refused(fx, &x, "unit 'Z9' is not in the hierarchy");
	s_req(&x, "dx", "2025-12-10", LIST("X1"), LIST("poor"));
	s_refused(fx, &x, "unit 'X1' is office, not a level of campaign 't'");
	s_req(&x, "dx", "2025-12-10", LIST("V1"), LIST("poor_rate"));
	s_refused(fx, &x, "indicator 'poor_rate' is derived (computed from hh, poor)");
	s_req(&x, "dx", "2025-12-10", LIST("V1"), LIST("poor", "poor"));
	s_refused(fx, &x, "indicator 'poor' is given twice");
	s_req(&x, "dx", "2025-12-10", LIST("V1"), LIST("zzz"));
	s_refused(fx, &x, "'zzz' is not an indicator of campaign 't'");
	s_req(&x, "dx", "2025-02-29", LIST("V1"), LIST("poor"));
	s_refused(fx, &x, "due: expected a date YYYY-MM-DD: '2025-02-29'");
	s_req(&x, "dx", "2020-12-31", LIST("V1"), LIST("poor"));
	s_refused(fx, &x, "due 2020-12-31 is before the campaign's start");
	s_req(&x, "dx", "2025-12-10", LIST("V1"), LIST("poor"));
	x.q.note = (char *)"line\x01";
	s_refused(fx, &x, "note:");
	memset(note, 'a', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	x.q.note = note;
	s_refused(fx, &x, "note:");
	s_req(&x, "dx", "2025-12-10", LIST("V1"), LIST("poor"));
	x.q.n_units = 0;
	s_refused(fx, &x, "asks 0 units");
	s_req(&x, "dx", "2025-12-10", LIST("V1"), LIST("poor"));
	x.q.n_indicators = 0;
	s_refused(fx, &x, "asks 0 indicators");
	s_req(&x, "dx", "2025-12-10", LIST("V1"), LIST("poor"));
	x.q.created_at = 5;
	s_refused(fx, &x, "created_at 5 is outside");
	s_req(&x, "dx", "2025-12-10", LIST("V1"), LIST("poor"));
	x.q.campaign = (char *)"other";
	s_refused(fx, &x, "not of campaign 't'");
}

/* Periods keep their addresses while requests are added (the aggregator
 * holds them across its loop). */
static void test_addresses_stay(void **state)
{
	s_fx_t *fx = *state;
	const campaign_period_t *first = NULL;
	char id[16], err[512] = "";
	s_req_t x;

	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "dx-%02d", i);
		s_req(&x, id, "2025-12-10", LIST("V1"), LIST("poor"));
		assert_int_equal(campaign_request_add(fx->c, NULL, &x.q, err, sizeof(err)), 0);
		if (i == 0)
			first = campaign_period_find(fx->c, "dx-00");
	}
	assert_ptr_equal(campaign_period_find(fx->c, "dx-00"), first);
	assert_int_equal(campaign_request_count(fx->c), 40);
	assert_string_equal(campaign_period(fx->c, 40)->id, "dx-39");
	assert_null(campaign_period(fx->c, 41));
	for (int i = 0; i < 40; i++)
		campaign_request_drop_last(fx->c);
	assert_int_equal(campaign_period_count(fx->c), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_added_as_a_period),
		cmocka_unit_test(test_check_reporter),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_addresses_stay),
	};

	return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
