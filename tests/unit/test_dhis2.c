/* test_dhis2.c: the ADX and dataValueSets renderers of a small export
 * document under a mapping (export_dv.h, export.h export_render_mapped()):
 * both byte for byte (mapped units and indicators only, nulls left out,
 * reals in their fewest decimals, no exponent), the refusals (no mapping,
 * an unmapped unit or period, an indicator that is no column, ADX with no
 * figure); and the baseline import (dhis2_in.h) of what they wrote, JSON
 * and ADX, to the same CSV, with its refusals naming the place. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "dhis2_in.h"
#include "dhis2map.h"
#include "export.h"
#include "lnob_err.h"

static const char s_doc[] =
	"{\"campaign\": \"c\", \"period\": \"2023\", \"generated_at\": 1764810000,"
	" \"unit\": {\"code\": \"P\"}, \"sheets\": [{\"id\": \"summary\", \"name\": \"Tổng hợp\","
	" \"columns\": [{\"id\": \"code\", \"header\": \"Mã\", \"type\": \"text\"},"
	"  {\"id\": \"hh\", \"header\": \"Số hộ\", \"type\": \"integer\"},"
	"  {\"id\": \"poor\", \"header\": \"Nghèo\", \"type\": \"integer\"},"
	"  {\"id\": \"poor_rate\", \"header\": \"Tỷ lệ (%)\", \"type\": \"percent\"},"
	"  {\"id\": \"poor_rate.change_baseline\", \"header\": \"x\", \"type\": \"decimal\"}],"
	" \"rows\": [{\"code\": \"P\", \"hh\": 3000, \"poor\": 150, \"poor_rate\": 5.0,"
	"            \"poor_rate.change_baseline\": -1.5},"
	"          {\"code\": \"D1\", \"hh\": 1000, \"poor\": null, \"poor_rate\": 0.00001},"
	"          {\"code\": \"D2\", \"hh\": 2000, \"poor\": 150, \"poor_rate\": 7.5}]}]}";

static const char s_map[] =
	"[mapping]\ndata_set = DS\n"
	"[org_units]\nP = OuP\nD1 = OuD1\nD2 = OuD2\n"
	"[data_elements]\nhh = DeHh\npoor = DePoor CocA\npoor_rate = DeRate\n"
	"[periods]\n2023 = 2023\n2022 = 2022\n";

static const char s_campaign[] =
	"[campaign]\nid = c\nname = t\nstart = 2021-01-01\nend = 2025-12-31\n"
	"baseline_date = 2020-12-31\nlevels = province, district\nreported_by = district\n"
	"[indicators]\nhh = count\npoor = count\npoor_rate = rate poor / hh\n"
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n";

static json_t *s_json(const char *text)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);

	if (!doc)
		fail_msg("json: %s", je.text);
	return doc;
}

static dhis2map_t *s_mapping(const char *text)
{
	dhis2map_t *m = NULL;
	char err[512] = "";

	if (dhis2map_load_mem(text, "m.ini", &m, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return m;
}

/* doc rendered as f under map, as a NUL-terminated string (caller frees). */
static char *s_render(const json_t *doc, export_format_t f, const dhis2map_t *map)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[512] = "", *s;

	if (export_render_mapped(doc, f, map, &buf, &len, err, sizeof(err)) != 0)
		fail_msg("render: %s", err);
	s = malloc(len + 1);
	assert_non_null(s);
	memcpy(s, buf, len);
	s[len] = '\0';
	free(buf);
	return s;
}

static const char s_want_dhis2[] =
	"{\n"
	"  \"dataSet\": \"DS\",\n"
	"  \"dataValues\": [\n"
	"    {\n      \"dataElement\": \"DeHh\",\n      \"period\": \"2023\",\n"
	"      \"orgUnit\": \"OuP\",\n      \"value\": \"3000\"\n    },\n"
	"    {\n      \"dataElement\": \"DePoor\",\n      \"period\": \"2023\",\n"
	"      \"orgUnit\": \"OuP\",\n      \"categoryOptionCombo\": \"CocA\",\n"
	"      \"value\": \"150\"\n    },\n"
	"    {\n      \"dataElement\": \"DeRate\",\n      \"period\": \"2023\",\n"
	"      \"orgUnit\": \"OuP\",\n      \"value\": \"5\"\n    },\n"
	"    {\n      \"dataElement\": \"DeHh\",\n      \"period\": \"2023\",\n"
	"      \"orgUnit\": \"OuD1\",\n      \"value\": \"1000\"\n    },\n"
	"    {\n      \"dataElement\": \"DeRate\",\n      \"period\": \"2023\",\n"
	"      \"orgUnit\": \"OuD1\",\n      \"value\": \"0.00001\"\n    },\n"
	"    {\n      \"dataElement\": \"DeHh\",\n      \"period\": \"2023\",\n"
	"      \"orgUnit\": \"OuD2\",\n      \"value\": \"2000\"\n    },\n"
	"    {\n      \"dataElement\": \"DePoor\",\n      \"period\": \"2023\",\n"
	"      \"orgUnit\": \"OuD2\",\n      \"categoryOptionCombo\": \"CocA\",\n"
	"      \"value\": \"150\"\n    },\n"
	"    {\n      \"dataElement\": \"DeRate\",\n      \"period\": \"2023\",\n"
	"      \"orgUnit\": \"OuD2\",\n      \"value\": \"7.5\"\n    }\n"
	"  ]\n"
	"}\n";

static const char s_want_adx[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<adx exported=\"2025-12-04T01:00:00Z\" xmlns=\"urn:ihe:qrph:adx:2015\">\n"
	"  <group orgUnit=\"OuP\" period=\"2023-01-01/P1Y\" dataSet=\"DS\">\n"
	"    <dataValue dataElement=\"DeHh\" value=\"3000\"/>\n"
	"    <dataValue dataElement=\"DePoor\" categoryOptionCombo=\"CocA\" value=\"150\"/>\n"
	"    <dataValue dataElement=\"DeRate\" value=\"5\"/>\n"
	"  </group>\n"
	"  <group orgUnit=\"OuD1\" period=\"2023-01-01/P1Y\" dataSet=\"DS\">\n"
	"    <dataValue dataElement=\"DeHh\" value=\"1000\"/>\n"
	"    <dataValue dataElement=\"DeRate\" value=\"0.00001\"/>\n"
	"  </group>\n"
	"  <group orgUnit=\"OuD2\" period=\"2023-01-01/P1Y\" dataSet=\"DS\">\n"
	"    <dataValue dataElement=\"DeHh\" value=\"2000\"/>\n"
	"    <dataValue dataElement=\"DePoor\" categoryOptionCombo=\"CocA\" value=\"150\"/>\n"
	"    <dataValue dataElement=\"DeRate\" value=\"7.5\"/>\n"
	"  </group>\n"
	"</adx>\n";

static void test_render(void **state)
{
	json_t *doc = s_json(s_doc);
	dhis2map_t *m = s_mapping(s_map);
	char *s;

	(void)state;
	s = s_render(doc, EXPORT_DHIS2, m);
	assert_string_equal(s, s_want_dhis2);
	free(s);
	s = s_render(doc, EXPORT_ADX, m);
	assert_string_equal(s, s_want_adx);
	free(s);
	assert_string_equal(export_ext(EXPORT_ADX), "adx.xml");
	assert_string_equal(export_ext(EXPORT_DHIS2), "dhis2.json");
	dhis2map_destroy(&m);
	/* An attribute option combo goes on every value. */
	m = s_mapping("[mapping]\ndata_set = DS\nattribute_option_combo = Aoc\n[org_units]\n"
		      "P = OuP\nD1 = OuD1\nD2 = OuD2\n[periods]\n2023 = 2023Q1\n"
		      "[data_elements]\nhh = DeHh\n");
	s = s_render(doc, EXPORT_DHIS2, m);
	assert_non_null(strstr(s, "\"period\": \"2023Q1\",\n      \"orgUnit\": \"OuP\",\n"
			       "      \"attributeOptionCombo\": \"Aoc\",\n      \"value\": \"3000\""));
	free(s);
	s = s_render(doc, EXPORT_ADX, m);
	assert_non_null(strstr(s, "period=\"2023-01-01/P3M\""));
	free(s);
	dhis2map_destroy(&m);
	json_decref(doc);
}

/* Each mapping refused by the render, with the message it gives. */
static void test_render_refusals(void **state)
{
	static const char *const cases[][2] = {
		{ "[mapping]\ndata_set = DS\n[org_units]\nP = OuP\nD2 = OuD2\n[periods]\n2023 = 2023\n",
		  "m.ini: [org_units] has no orgUnit for unit 'D1' (row 2 of the export)" },
		{ "[mapping]\ndata_set = DS\n[org_units]\nP = A\nD1 = B\nD2 = C\n[periods]\n"
		  "2022 = 2022\n", "m.ini: [periods] has no DHIS2 period for period '2023'" },
		{ "[mapping]\ndata_set = DS\n[org_units]\nP = A\nD1 = B\nD2 = C\n[periods]\n"
		  "2023 = 2023\n[data_elements]\nfund_vnd = F\n",
		  "m.ini:10: [data_elements] fund_vnd: not an indicator of the export" },
	};
	json_t *doc = s_json(s_doc);
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[512] = "";
	dhis2map_t *m;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = s_mapping(cases[i][0]);
		for (int f = EXPORT_ADX; f <= EXPORT_DHIS2; f++) {
			assert_int_equal(export_render_mapped(doc, (export_format_t)f, m, &buf, &len,
							      err, sizeof(err)), LNOB_E_NOTFOUND);
			assert_string_equal(err, cases[i][1]);
		}
		dhis2map_destroy(&m);
	}
	assert_int_equal(export_render(doc, EXPORT_ADX, &buf, &len, err, sizeof(err)),
			 LNOB_E_INVALID);
	assert_string_equal(err, "ADX needs a mapping");
	/* No figure known: ADX refuses (it needs a group), dataValueSets is empty. */
	m = s_mapping("[mapping]\ndata_set = DS\n[org_units]\nP = A\nD1 = B\nD2 = C\n[periods]\n"
		      "2023 = 2023\n");
	assert_int_equal(export_render_mapped(doc, EXPORT_ADX, m, &buf, &len, err, sizeof(err)),
			 LNOB_E_NOTFOUND);
	assert_non_null(strstr(err, "ADX: no figure to export"));
	assert_int_equal(export_render_mapped(doc, EXPORT_DHIS2, m, &buf, &len, err, sizeof(err)),
			 0);
	assert_true(len > 0 && buf[len - 1] == '\n');
	assert_non_null(memmem(buf, len, "\"dataValues\": []", 16));
	free(buf);
	dhis2map_destroy(&m);
	json_decref(doc);
	doc = s_json("{\"period\": \"2023\", \"sheets\": []}");
	m = s_mapping(s_map);
	assert_int_equal(export_render_mapped(doc, EXPORT_DHIS2, m, &buf, &len, err, sizeof(err)),
			 LNOB_E_INVALID);
	dhis2map_destroy(&m);
	json_decref(doc);
}

/* ---- the baseline import ------------------------------------------------ */

static campaign_t *s_camp(void)
{
	campaign_t *c = NULL;
	char err[512] = "";

	if (campaign_load_mem(s_campaign, "c.ini", NULL, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return c;
}

static int s_import(const char *text, const dhis2map_t *m, const campaign_t *c, char **ret,
		    dhis2_in_stats_t *st, char *err, size_t errlen)
{
	dhis2_in_opts_t o = { .map = m, .camp = c, .period = "2023", .name = "x.json" };
	size_t len = 0;

	*ret = NULL;
	return dhis2_in_read(text, strlen(text), &o, ret, &len, st, err, errlen);
}

static void test_import(void **state)
{
	static const char want[] = "unit,hh,poor\nP,3000,150\nD1,1000,\nD2,2000,150\n";
	json_t *doc = s_json(s_doc);
	dhis2map_t *m = s_mapping(s_map);
	campaign_t *c = s_camp();
	dhis2_in_stats_t st = { 0 };
	char err[512] = "", *csv, *text;

	(void)state;
	for (int f = EXPORT_ADX; f <= EXPORT_DHIS2; f++) {
		text = s_render(doc, (export_format_t)f, m);
		if (s_import(text, m, c, &csv, &st, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_string_equal(csv, want);
		assert_int_equal(st.units, 3);
		assert_int_equal(st.values, 5);
		assert_int_equal(st.derived, 3);
		free(csv);
		free(text);
	}
	assert_int_equal(s_import("{\"dataValues\": [{\"dataElement\": \"DeHh\", \"period\": "
				  "\"2023\", \"orgUnit\": \"OuD1\", \"value\": 7, \"comment\": 1},"
				  " {\"dataElement\": \"DeHh\", \"orgUnit\": \"OuP\", \"period\": "
				  "\"2023\", \"value\": \"-1\", \"deleted\": true}]}",
				  m, c, &csv, &st, err, sizeof(err)), 0);
	assert_string_equal(csv, "unit,hh\nD1,7\n");
	assert_int_equal(st.deleted, 1);
	free(csv);
	/* A byte-order mark and blanks before the document. */
	assert_int_equal(s_import("\xEF\xBB\xBF \n{\"dataValues\": [{\"dataElement\": \"DeHh\", "
				  "\"period\": \"2023\", \"orgUnit\": \"OuP\", \"value\": \"0\"}]}",
				  m, c, &csv, &st, err, sizeof(err)), 0);
	assert_string_equal(csv, "unit,hh\nP,0\n");
	free(csv);
	dhis2map_destroy(&m);
	campaign_destroy(&c);
	json_decref(doc);
}

static void test_import_refusals(void **state)
{
#define DV(ou, de, coc, v) "{\"dataElement\": \"" de "\", \"period\": \"2023\", \"orgUnit\": \"" \
	ou "\"" coc ", \"value\": " v "}"
	static const char *const cases[][2] = {
		{ "{\"dataValues\": [" DV("OuP", "DeHh", "", "\"1\"") ", " DV("OuX", "DeHh", "", "\"1\"")
		  "]}", "x.json: dataValues[1].orgUnit: 'OuX' is not in [org_units] of m.ini" },
		{ "{\"dataValues\": [" DV("OuP", "DePoor", "", "\"1\"") "]}",
		  "x.json: dataValues[0].dataElement: 'DePoor' is not in [data_elements] of m.ini" },
		{ "{\"dataValues\": [" DV("OuP", "DePoor", ", \"categoryOptionCombo\": \"CocZ\"",
				       "\"1\"") "]}",
		  "x.json: dataValues[0].dataElement: 'DePoor' with categoryOptionCombo 'CocZ' is "
		  "not in [data_elements] of m.ini" },
		{ "{\"dataValues\": [" DV("OuP", "DeHh", "", "\"1\"") ", " DV("OuP", "DeHh",
		  ", \"categoryOptionCombo\": \"Any\"", "\"2\"") "]}",
		  "x.json: dataValues[1].value: a second value of unit P, hh (first at dataValues[0])" },
		{ "{\"dataValues\": [" DV("OuP", "DeHh", "", "\" 1\"") "]}",
		  "x.json: dataValues[0].value: ' 1' is not a whole number 0..1000000000000000" },
		{ "{\"dataValues\": [" DV("OuP", "DeHh", "", "\"\"") "]}",
		  "x.json: dataValues[0].value: '' is not a whole number" },
		{ "{\"dataValues\": [" DV("OuP", "DeHh", "", "true") "]}",
		  "x.json: dataValues[0].value: not a whole number" },
		{ "{\"dataValues\": [{\"dataElement\": \"DeHh\", \"orgUnit\": \"OuP\", \"value\": "
		  "\"1\"}]}", "x.json: dataValues[0].period: missing" },
		{ "{\"dataValues\": [{\"period\": \"2023\", \"orgUnit\": \"OuP\", \"value\": \"1\"}]}",
		  "x.json: dataValues[0].dataElement: missing" },
		{ "{\"dataValues\": [{\"period\": \"2023\", \"dataElement\": \"DeHh\", \"value\": "
		  "\"1\"}]}", "x.json: dataValues[0].orgUnit: missing" },
		{ "{\"dataValues\": [" DV("OuP", "DeRate", "", "\"5.5\"") "]}",
		  "x.json: no data value of period 2023 of a count or amount to import" },
		{ "[]", "x.json: neither dataValueSets JSON" },
		{ "", "x.json: neither" },
		{ "{\"dataValues\": {}}", "x.json: not a dataValueSets document" },
		{ "{\"dataValues\": [] ", "x.json:1:" },
		{ "<adx xmlns=\"urn:ihe:qrph:adx:2015\"><group orgUnit=\"OuP\" period=\"2023-01-01/P1Y\""
		  " dataSet=\"DS\"><dataValue dataElement=\"DeHh\"/></group></adx>",
		  "x.json:1: adx/group[1]/dataValue[1]/@value: missing" },
		{ "<adx xmlns=\"urn:ihe:qrph:adx:2015\"><group period=\"2023-01-01/P1Y\""
		  " dataSet=\"DS\"><dataValue dataElement=\"DeHh\" value=\"1\"/></group></adx>",
		  "x.json:1: adx/group[1]/@orgUnit: missing" },
		{ "<adx xmlns=\"urn:ihe:qrph:adx:2015\"><group orgUnit=\"OuP\" period=\"2023-01-01/P1Y\""
		  " dataSet=\"DS\">\n<value/></group></adx>",
		  "x.json:2: adx/group[1]: unexpected element <value> (expected <dataValue>)" },
	};
	dhis2map_t *m = s_mapping(s_map);
	campaign_t *c = s_camp();
	dhis2_in_stats_t st = { 0 };
	char err[512] = "", *csv;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(s_import(cases[i][0], m, c, &csv, &st, err, sizeof(err)),
				 LNOB_E_INVALID);
		assert_null(csv);
		if (!strstr(err, cases[i][1]))
			fail_msg("case %zu: '%s' does not hold '%s'", i, err, cases[i][1]);
	}
	dhis2map_destroy(&m);
	campaign_destroy(&c);
#undef DV
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_refusals),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_import_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
