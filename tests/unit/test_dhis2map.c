/* test_dhis2map.c: the DHIS2 mapping file (dhis2map.h): a good file's
 * lists in file order and their lookups both ways (a categoryOptionCombo
 * or none), every refusal with its file and line, the check against a
 * campaign and a hierarchy, the ADX periods derived from DHIS2's, and the
 * sample mapping of deploy/adx against the sample province and plan. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "campaign.h"
#include "dhis2map.h"
#include "hierarchy.h"
#include "lnob_err.h"

static const char s_good[] =
	"[mapping]\n"
	"data_set = DS1\n"
	"attribute_option_combo = HllvX50cXC0 ; the default\n"
	"baseline_period = 2020\n"
	"[org_units]\n"
	"P = OuP\n"
	"D1 = OuD1\n"
	"[data_elements]\n"
	"hh = DeHh\n"
	"poor = DePoor  CocA\n"
	"near = DePoor CocB\n"
	"[periods]\n"
	"2023 = 2023\n"
	"h1 = 2023S1\n";

static dhis2map_t *s_load(const char *text)
{
	dhis2map_t *m = NULL;
	char err[512] = "";

	if (dhis2map_load_mem(text, "m.ini", &m, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return m;
}

static void test_good(void **state)
{
	dhis2map_t *m = s_load(s_good);
	const dhis2map_entry_t *e;

	(void)state;
	assert_string_equal(dhis2map_file(m), "m.ini");
	assert_string_equal(dhis2map_data_set(m), "DS1");
	assert_string_equal(dhis2map_aoc(m), "HllvX50cXC0");
	assert_string_equal(dhis2map_baseline_period(m), "2020");
	assert_int_equal(dhis2map_count(m, DHIS2MAP_UNITS), 2);
	assert_int_equal(dhis2map_count(m, DHIS2MAP_ELEMENTS), 3);
	assert_int_equal(dhis2map_count(m, DHIS2MAP_PERIODS), 2);
	e = dhis2map_entry(m, DHIS2MAP_UNITS, 1);
	assert_string_equal(e->code, "D1");
	assert_string_equal(e->id, "OuD1");
	assert_null(e->coc);
	assert_int_equal(e->line, 7);
	assert_null(dhis2map_entry(m, DHIS2MAP_UNITS, 2));
	e = dhis2map_find(m, DHIS2MAP_ELEMENTS, "poor");
	assert_string_equal(e->id, "DePoor");
	assert_string_equal(e->coc, "CocA");
	assert_ptr_equal(dhis2map_find_id(m, DHIS2MAP_ELEMENTS, "DePoor", "CocB"),
			 dhis2map_find(m, DHIS2MAP_ELEMENTS, "near"));
	assert_null(dhis2map_find_id(m, DHIS2MAP_ELEMENTS, "DePoor", NULL));
	assert_null(dhis2map_find_id(m, DHIS2MAP_ELEMENTS, "DePoor", "CocC"));
	assert_ptr_equal(dhis2map_find_id(m, DHIS2MAP_ELEMENTS, "DeHh", NULL),
			 dhis2map_find(m, DHIS2MAP_ELEMENTS, "hh"));
	assert_string_equal(dhis2map_find_id(m, DHIS2MAP_UNITS, "OuP", NULL)->code, "P");
	assert_string_equal(dhis2map_find_id(m, DHIS2MAP_PERIODS, "2023S1", NULL)->code, "h1");
	assert_null(dhis2map_find(m, DHIS2MAP_UNITS, "D2"));
	assert_null(dhis2map_find(m, DHIS2MAP_UNITS, NULL));
	dhis2map_destroy(&m);
	assert_null(m);
	dhis2map_destroy(&m);
	dhis2map_destroy(NULL);
}

/* Each bad file: the message it must give. */
static void test_refusals(void **state)
{
	static const char *const cases[][2] = {
		{ "[mapping]\ndata_set = D\n[units]\nP = X\n",
		  "m.ini:3: unknown section [units] (mapping, org_units, data_elements, periods)" },
		{ "[mapping]\ndata_set = D\n[periods]\n", "m.ini:3: " },
		{ "[mapping]\ndata_set = D\n[org_units]\nA123456789012345678901234567890123456789012345678 = X\n",
		  "m.ini:4: " },
		{ "[org_units]\nP = X\n", "m.ini: [mapping] data_set: missing" },
		{ "[mapping]\ndata_set = D\nmystery = 1\n", "m.ini:3: [mapping] mystery: unknown key" },
		{ "[mapping]\ndata_set = D E\n", "m.ini:2: [mapping] data_set: not an identifier" },
		{ "[mapping]\ndata_set = D\nbaseline_period = 2020W1\n",
		  "m.ini:3: [mapping] baseline_period: not a DHIS2 period" },
		{ "[mapping]\ndata_set = D\n[org_units]\nP = X\nP = Y\n",
		  "m.ini:5: [org_units] P: given twice (first on line 4)" },
		{ "[mapping]\ndata_set = D\n[org_units]\nP = X\nD1 = X\n",
		  "m.ini:5: [org_units] D1: 'X' is already P's (line 4)" },
		{ "[mapping]\ndata_set = D\n[org_units]\nP =\n", "m.ini:4: [org_units] P: not an "
		  "identifier" },
		{ "[mapping]\ndata_set = D\n[org_units]\nP = <x>\n", "m.ini:4: [org_units] P" },
		{ "[mapping]\ndata_set = D\n[data_elements]\nhh = A B C\n",
		  "m.ini:4: [data_elements] hh: expected a dataElement id and an optional" },
		{ "[mapping]\ndata_set = D\n[data_elements]\nhh = A B\npoor = A B\n",
		  "m.ini:5: [data_elements] poor: 'A B' is already hh's (line 4)" },
		{ "[mapping]\ndata_set = D\n[periods]\n2023 = 2023\n2024 = 2023\n",
		  "m.ini:5: [periods] 2024: '2023' is already 2023's (line 4)" },
		{ "[mapping]\ndata_set = D\n[periods]\n2023 = 2023-01-01\n",
		  "m.ini:4: [periods] 2023: not a DHIS2 period lnob knows" },
		{ "[mapping]\ndata_set = D\n[periods]\np = 20230230\n", "m.ini:4: [periods] p" },
		{ "[mapping]\ndata_set = D\n[periods]\nbad/id = 2023\n",
		  "m.ini:4: [periods] bad/id: not an lnob code" },
		{ "[mapping\n", "m.ini:1: " },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dhis2map_t *m = NULL;
		char err[512] = "";

		if (dhis2map_load_mem(cases[i][0], "m.ini", &m, err, sizeof(err)) != LNOB_E_CONFIG)
			fail_msg("case %zu taken", i);
		assert_null(m);
		if (!strstr(err, cases[i][1]))
			fail_msg("case %zu: '%s' does not hold '%s'", i, err, cases[i][1]);
	}
}

static void test_adx_period(void **state)
{
	static const char *const good[][2] = {
		{ "2023", "2023-01-01/P1Y" }, { "2023S1", "2023-01-01/P6M" },
		{ "2023S2", "2023-07-01/P6M" }, { "2023Q1", "2023-01-01/P3M" },
		{ "2023Q4", "2023-10-01/P3M" }, { "202311", "2023-11-01/P1M" },
		{ "20231105", "2023-11-05/P1D" }, { "20240229", "2024-02-29/P1D" },
	};
	static const char *const bad[] = {
		"", "23", "2023S3", "2023S0", "2023Q5", "202313", "202300", "20230229", "20230431",
		"2023W1", "2023-01", "2023 ", "0000", "2023Q12", "20231", "2023111", "abcd",
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(dhis2map_adx_period(good[i][0], buf, sizeof(buf)), 0);
		assert_string_equal(buf, good[i][1]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (dhis2map_adx_period(bad[i], buf, sizeof(buf)) != LNOB_E_INVALID)
			fail_msg("'%s' was taken", bad[i]);
	assert_int_equal(dhis2map_adx_period(NULL, buf, sizeof(buf)), LNOB_E_INVALID);
	assert_int_equal(dhis2map_adx_period("2023", buf, 10), LNOB_E_INVALID);
}

static const char *s_root(void)
{
	static char root[4096];
	char *p;

	snprintf(root, sizeof(root), "%s", __FILE__);
	for (int i = 0; i < 3; i++) {
		p = strrchr(root, '/');
		assert_non_null(p);
		*p = '\0';
	}
	return root;
}

/* The check against a campaign and a hierarchy; the sample mapping. */
static void test_check(void **state)
{
	char path[4200], err[512] = "";
	hier_t *h = NULL;
	campaign_t *c = NULL;
	dhis2map_t *m = NULL, *bad;

	(void)state;
	snprintf(path, sizeof(path), "%s/deploy/samples/province/units.csv", s_root());
	assert_int_equal(hier_load_csv(path, &h, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/deploy/samples/campaigns/daknong.ini", s_root());
	if (campaign_load(path, h, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	snprintf(path, sizeof(path), "%s/deploy/adx/dhis2-mapping.ini", s_root());
	if (dhis2map_load(path, &m, err, sizeof(err)) != 0 ||
	    dhis2map_check(m, c, h, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(dhis2map_count(m, DHIS2MAP_UNITS), 9);
	bad = s_load("[mapping]\ndata_set = D\n[org_units]\nDNO = X\nNOPE = Y\n");
	assert_int_equal(dhis2map_check(bad, c, h, err, sizeof(err)), LNOB_E_CONFIG);
	assert_string_equal(err, "m.ini:5: [org_units] NOPE: not a unit of the hierarchy");
	assert_int_equal(dhis2map_check(bad, c, NULL, err, sizeof(err)), 0);
	dhis2map_destroy(&bad);
	bad = s_load("[mapping]\ndata_set = D\n[data_elements]\npoor_rate = X\nnope = Y\n");
	assert_int_equal(dhis2map_check(bad, c, h, err, sizeof(err)), LNOB_E_CONFIG);
	assert_non_null(strstr(err, "m.ini:5: [data_elements] nope: not an indicator of campaign "));
	dhis2map_destroy(&bad);
	bad = s_load("[mapping]\ndata_set = D\n[periods]\n2030 = 2030\n");
	assert_int_equal(dhis2map_check(bad, c, h, err, sizeof(err)), LNOB_E_CONFIG);
	assert_non_null(strstr(err, "m.ini:4: [periods] 2030: not a period of campaign "));
	dhis2map_destroy(&bad);
	assert_int_equal(dhis2map_load("/nonexistent/m.ini", &bad, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/m.ini"));
	dhis2map_destroy(&m);
	campaign_destroy(&c);
	hier_destroy(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_adx_period),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
