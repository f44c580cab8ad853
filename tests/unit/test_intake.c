/* test_intake.c: report files into Reports: JSON and CSV happy paths,
 * defaults, _vnd typing, completed_at parsing, every error with the exact
 * file:line (or entry) text, and the campaign rules applied at submit
 * (unknown campaign, period, indicator or unit, derived indicators, and
 * indicators at a level that does not report them). */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "campaigns.h"
#include "hierarchy.h"
#include "intake.h"
#include "lnob_err.h"

#define NOW 1700000000

static char s_err[1024];

/* Parses text as the named format; returns the code, reports in *list. */
static int t_json(const char *text, intake_list_t *list)
{
	s_err[0] = '\0';
	return intake_parse_json("r.json", text, strlen(text), NOW, list, s_err, sizeof(s_err));
}

static int t_csv(const char *text, intake_list_t *list)
{
	s_err[0] = '\0';
	return intake_parse_csv("r.csv", text, strlen(text), NOW, list, s_err, sizeof(s_err));
}

/* The value of indicator code in r; fails when absent or of the wrong type. */
static int64_t t_value(const Lnob__Report *r, const char *code, bool amount)
{
	for (size_t i = 0; i < r->n_values; i++) {
		if (strcmp(r->values[i]->code, code) != 0)
			continue;
		if (amount) {
			assert_int_equal(r->values[i]->value_case, LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND);
			return r->values[i]->amount_vnd;
		}
		assert_int_equal(r->values[i]->value_case, LNOB__INDICATOR_VALUE__VALUE_COUNT);
		return r->values[i]->count;
	}
	fail_msg("indicator %s not in the report", code);
	return -1;
}

/* Expects the JSON (or CSV) text to fail with exactly msg. */
static void t_json_err(const char *text, const char *msg)
{
	intake_list_t l = { 0 };

	assert_true(t_json(text, &l) < 0);
	assert_int_equal(l.n, 0);
	assert_string_equal(s_err, msg);
}

static void t_csv_err(const char *text, const char *msg)
{
	intake_list_t l = { 0 };

	assert_true(t_csv(text, &l) < 0);
	assert_int_equal(l.n, 0);
	assert_string_equal(s_err, msg);
}

/* Expects failure with a message starting with prefix. */
static void t_json_err_prefix(const char *text, const char *prefix)
{
	intake_list_t l = { 0 };

	assert_true(t_json(text, &l) < 0);
	if (strncmp(s_err, prefix, strlen(prefix)) != 0)
		fail_msg("error '%s' does not start with '%s'", s_err, prefix);
}

static void t_csv_err_prefix(const char *text, const char *prefix)
{
	intake_list_t l = { 0 };

	assert_true(t_csv(text, &l) < 0);
	if (strncmp(s_err, prefix, strlen(prefix)) != 0)
		fail_msg("error '%s' does not start with '%s'", s_err, prefix);
}

static void test_json_object(void **state)
{
	intake_list_t l = { 0 };
	const Lnob__Report *r;

	(void)state;
	assert_int_equal(t_json("{\"campaign\": \"lnob-2021-2025\", \"period\": \"2023\", "
				"\"unit\": \"C001\", \"revision\": 2, \"completed_at\": "
				"\"2023-11-28T10:00:00+07:00\", \"narrative\": \"Xã đạt chuẩn\", "
				"\"values\": {\"households_total\": 1200, \"poor_households\": 85, "
				"\"fund_vnd\": 250000000, \"missing\": null}}", &l), 0);
	assert_int_equal(l.n, 1);
	r = l.v[0];
	assert_string_equal(r->campaign, "lnob-2021-2025");
	assert_string_equal(r->period, "2023");
	assert_string_equal(r->unit, "C001");
	assert_int_equal(r->revision, 2);
	assert_int_equal(r->base_revision, 1);
	assert_int_equal(r->completed_at, 1701140400);
	assert_string_equal(r->narrative, "Xã đạt chuẩn");
	assert_int_equal(r->n_values, 3);   /* null: not reported */
	assert_string_equal(r->values[0]->code, "households_total");
	assert_int_equal(t_value(r, "households_total", false), 1200);
	assert_int_equal(t_value(r, "poor_households", false), 85);
	assert_int_equal(t_value(r, "fund_vnd", true), 250000000);
	intake_list_clear(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

static void test_json_array_defaults(void **state)
{
	intake_list_t l = { 0 };

	(void)state;
	assert_int_equal(t_json("[{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\", "
				"\"values\": {\"a\": 1}},\n"
				" {\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U2\", "
				"\"revision\": 3, \"base_revision\": 1, \"completed_at\": 1701140400, "
				"\"narrative\": null, \"values\": {\"b_vnd\": 0}}]", &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0]->revision, 1);
	assert_int_equal(l.v[0]->base_revision, 0);
	assert_int_equal(l.v[0]->completed_at, NOW);
	assert_string_equal(l.v[0]->narrative, "");
	assert_int_equal(l.v[1]->revision, 3);
	assert_int_equal(l.v[1]->base_revision, 1);
	assert_int_equal(l.v[1]->completed_at, 1701140400);
	assert_int_equal(t_value(l.v[1], "b_vnd", true), 0);
	intake_list_clear(&l);
}

static void test_json_errors(void **state)
{
	(void)state;
#define J(values) "{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\", \"values\": " values "}"
	t_json_err("[" J("{\"a\": 1}") ", {\"campaign\": \"c\", \"period\": \"p\", "
		   "\"values\": {\"a\": 1}}]", "r.json: entry 2: unit: missing");
	t_json_err(J("{\"poor_households\": -3}"),
		   "r.json: entry 1: poor_households: not a non-negative integer: '-3'");
	t_json_err(J("{\"poor_households\": \"12\"}"),
		   "r.json: entry 1: poor_households: not a non-negative integer: '\"12\"'");
	t_json_err(J("{\"poor_households\": 1.5}"),
		   "r.json: entry 1: poor_households: not a non-negative integer: '1.5'");
	t_json_err(J("{\"fund_vnd\": 1000000000000001}"),
		   "r.json: entry 1: fund_vnd: out of range 0..10^15: '1000000000000001'");
	t_json_err(J("{\"poor households\": 1}"),
		   "r.json: entry 1: values: indicator code not 1..64 of [A-Za-z0-9._-]: "
		   "'poor households'");
	t_json_err(J("{}"), "r.json: entry 1: values: a report holds 1 to 256 indicators");
	t_json_err(J("[1]"), "r.json: entry 1: values: not an object of indicator code -> "
		   "integer: '[1]'");
	t_json_err("{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\"}",
		   "r.json: entry 1: values: missing");
	t_json_err("{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U 1\", \"values\": {}}",
		   "r.json: entry 1: unit: not 1..64 of [A-Za-z0-9._-]: 'U 1'");
	t_json_err("{\"campaign\": \"c\", \"period\": \"\", \"unit\": \"U1\", \"values\": {}}",
		   "r.json: entry 1: period: missing");
	t_json_err("{\"campaign\": 7, \"period\": \"p\", \"unit\": \"U1\", \"values\": {}}",
		   "r.json: entry 1: campaign: not a string: '7'");
	t_json_err("{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\", \"colour\": 1, "
		   "\"values\": {}}", "r.json: entry 1: colour: unknown field");
	t_json_err("{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\", \"revision\": 0, "
		   "\"values\": {\"a\": 1}}", "r.json: entry 1: revision: not an integer >= 1: '0'");
	t_json_err("{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\", \"revision\": 2, "
		   "\"base_revision\": 2, \"values\": {\"a\": 1}}",
		   "r.json: entry 1: base_revision: must be less than revision (2): '2'");
	t_json_err("{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\", \"completed_at\": "
		   "\"2023-11-28T10:00:00\", \"values\": {\"a\": 1}}",
		   "r.json: entry 1: completed_at: not ISO 8601 with a UTC offset (e.g. "
		   "2023-11-28T10:00:00+07:00) or Unix seconds: '2023-11-28T10:00:00'");
	t_json_err("{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\", \"completed_at\": "
		   "true, \"values\": {\"a\": 1}}",
		   "r.json: entry 1: completed_at: not ISO 8601 text or Unix seconds: 'true'");
	t_json_err("{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\", \"narrative\": "
		   "[], \"values\": {\"a\": 1}}", "r.json: entry 1: narrative: not a string: '[]'");
	t_json_err("[" J("{\"a\": 1}") ", 3]", "r.json: entry 2: not an object: '3'");
	t_json_err("\"x\"", "r.json: expected one report object or an array of them");
	t_json_err("[]", "r.json: no reports (empty array)");
	/* A duplicate indicator is a duplicate key, refused with its place. */
	t_json_err_prefix(J("{\"a\": 1,\n \"a\": 2}"), "r.json:2:");
	assert_non_null(strstr(s_err, "duplicate"));
	t_json_err_prefix("{\"campaign\": \"c\",\n  oops}", "r.json:2:");
	t_json_err_prefix("", "r.json:");
#undef J
}

static void test_csv_happy(void **state)
{
	intake_list_t l = { 0 };
	const Lnob__Report *r;

	(void)state;
	/* BOM, CRLF, a quoted narrative with a comma and a line break, an empty
	 * cell, a blank line, indicators typed by their code. */
	assert_int_equal(t_csv("\xef\xbb\xbf" "campaign,period,unit,revision,completed_at,narrative,"
			       "households_total,poor_households,fund_vnd\r\n"
			       "lnob-2021-2025,2023,C11,1,2023-11-28T10:00:00+07:00,\"ok, done\nline 2\","
			       "1200,85,250000000\r\n"
			       "\r\n"
			       "lnob-2021-2025,2023,C12,2,1701140400,,300,,0\r\n", &l), 0);
	assert_int_equal(l.n, 2);
	r = l.v[0];
	assert_string_equal(r->campaign, "lnob-2021-2025");
	assert_string_equal(r->unit, "C11");
	assert_int_equal(r->revision, 1);
	assert_int_equal(r->base_revision, 0);
	assert_int_equal(r->completed_at, 1701140400);
	assert_string_equal(r->narrative, "ok, done\nline 2");
	assert_int_equal(r->n_values, 3);
	assert_int_equal(t_value(r, "households_total", false), 1200);
	assert_int_equal(t_value(r, "poor_households", false), 85);
	assert_int_equal(t_value(r, "fund_vnd", true), 250000000);
	r = l.v[1];
	assert_string_equal(r->unit, "C12");
	assert_int_equal(r->revision, 2);
	assert_int_equal(r->base_revision, 1);
	assert_int_equal(r->n_values, 2);   /* poor_households not reported */
	assert_int_equal(t_value(r, "households_total", false), 300);
	assert_int_equal(t_value(r, "fund_vnd", true), 0);
	/* A second file appends. */
	assert_int_equal(t_csv("unit,period,campaign,x\nU9,p,c,7", &l), 0);
	assert_int_equal(l.n, 3);
	r = l.v[2];
	assert_string_equal(r->unit, "U9");
	assert_int_equal(r->revision, 1);
	assert_int_equal(r->completed_at, NOW);
	assert_int_equal(t_value(r, "x", false), 7);
	intake_list_clear(&l);
}

static void test_csv_base_revision(void **state)
{
	intake_list_t l = { 0 };

	(void)state;
	assert_int_equal(t_csv("campaign,period,unit,revision,base_revision,a\n"
			       "c,p,U1,3,,1\n"
			       "c,p,U2,3,1,1\n"
			       "c,p,U3,,,1\n", &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0]->base_revision, 2);
	assert_int_equal(l.v[1]->base_revision, 1);
	assert_int_equal(l.v[2]->revision, 1);
	assert_int_equal(l.v[2]->base_revision, 0);
	intake_list_clear(&l);
}

static void test_csv_errors(void **state)
{
	(void)state;
#define H "campaign,period,unit,poor_households,fund_vnd\n"
	t_csv_err(H "c,p,U1,1,2\nc,p,U2,-3,2\n",
		  "r.csv:3: poor_households: not a non-negative integer: '-3'");
	t_csv_err(H "c,p,U1,1.5,2\n", "r.csv:2: poor_households: not a non-negative integer: '1.5'");
	t_csv_err(H "c,p,U1,1,1000000000000001\n",
		  "r.csv:2: fund_vnd: out of range 0..10^15: '1000000000000001'");
	t_csv_err(H "c,p,,1,2\n", "r.csv:2: unit: missing");
	t_csv_err(H "c,p,bad unit,1,2\n", "r.csv:2: unit: not 1..64 of [A-Za-z0-9._-]: 'bad unit'");
	t_csv_err(H ",p,U1,1,2\n", "r.csv:2: campaign: missing");
	t_csv_err(H "c,p/q,U1,1,2\n", "r.csv:2: period: not 1..64 of [A-Za-z0-9._-]: 'p/q'");
	t_csv_err(H "c,p,U1,1,2\n\nc,p,U2,1\n", "r.csv:4: expected 5 fields as in the header, got 4");
	t_csv_err(H "c,p,U1,,\n", "r.csv:2: values: a report holds 1 to 256 indicators");
	t_csv_err("campaign,period,poor_households\nc,p,1\n", "r.csv:1: missing column 'unit'");
	t_csv_err("campaign,period,unit,poor households\nc,p,U1,1\n",
		  "r.csv:1: column 4: indicator code not 1..64 of [A-Za-z0-9._-]: 'poor households'");
	t_csv_err("campaign,period,unit,a,a\nc,p,U1,1,2\n", "r.csv:1: a: column given twice");
	t_csv_err("campaign,period,unit,,a\nc,p,U1,1,2\n", "r.csv:1: column 4: empty column name");
	t_csv_err("campaign,period,unit,revision,a\nc,p,U1,0,1\n",
		  "r.csv:2: revision: not an integer >= 1: '0'");
	t_csv_err("campaign,period,unit,revision,a\nc,p,U1,x,1\n",
		  "r.csv:2: revision: not an integer >= 1: 'x'");
	t_csv_err("campaign,period,unit,base_revision,a\nc,p,U1,1,1\n",
		  "r.csv:2: base_revision: must be less than revision (1): '1'");
	t_csv_err("campaign,period,unit,base_revision,a\nc,p,U1,-1,1\n",
		  "r.csv:2: base_revision: not an integer >= 0: '-1'");
	t_csv_err("campaign,period,unit,completed_at,a\nc,p,U1,2023-11-28T10:00:00,1\n",
		  "r.csv:2: completed_at: not ISO 8601 with a UTC offset (e.g. "
		  "2023-11-28T10:00:00+07:00) or Unix seconds: '2023-11-28T10:00:00'");
	/* The shared range of times (report_validate): 2000 .. 2100 UTC. */
	t_csv_err("campaign,period,unit,completed_at,a\nc,p,U1,1999-12-31T23:59:59Z,1\n",
		  "r.csv:2: completed_at: 946684799 is not a time in 2000-01-01 .. 2100-12-31 UTC");
	t_csv_err("campaign,period,unit,completed_at,a\nc,p,U1,4133980800,1\n",
		  "r.csv:2: completed_at: 4133980800 is not a time in 2000-01-01 .. 2100-12-31 UTC");
	t_csv_err("campaign,period,unit,completed_at,a\nc,p,U1,0,1\n",
		  "r.csv:2: completed_at: 0 is not a time in 2000-01-01 .. 2100-12-31 UTC");
	t_csv_err("campaign,period,unit,narrative,a\nc,p,U1,\"\xff\xfe\",1\n",
		  "r.csv:2: narrative: not valid UTF-8 text");
	/* A multi-line quoted field: the next row's line is still right. */
	t_csv_err("campaign,period,unit,narrative,a\nc,p,U1,\"one\ntwo\nthree\",1\nc,p,U2,,x\n",
		  "r.csv:5: a: not a non-negative integer: 'x'");
	t_csv_err_prefix(H "c,p,U1,1,2\nc,p,U\"2,1,2\n", "r.csv:3: malformed CSV");
	t_csv_err_prefix(H "c,p,U1,1,2\n\"c,p,U2,1,2\n", "r.csv:3: malformed CSV");
	t_csv_err("", "r.csv: empty file (no header line)");
	t_csv_err("\n\n", "r.csv: empty file (no header line)");
	t_csv_err(H, "r.csv: no reports (only a header line)");
#undef H
}

/* A NUL byte inside a cell is refused where it is, never read as the end
 * of the cell's text ("U1\0X" would be unit U1). */
static void test_csv_nul(void **state)
{
	static const char unit[] = "campaign,period,unit,a\nc,p,U1\0X,1\n";
	static const char value[] = "campaign,period,unit,a\nc,p,U1,5\0 7\n";
	static const char header[] = "campaign,period,unit,a\0b\nc,p,U1,5\n";
	intake_list_t l = { 0 };

	(void)state;
	assert_true(intake_parse_csv("r.csv", unit, sizeof(unit) - 1, NOW, &l, s_err,
				     sizeof(s_err)) < 0);
	assert_string_equal(s_err, "r.csv:2: unit: NUL byte in the cell (column 3)");
	assert_true(intake_parse_csv("r.csv", value, sizeof(value) - 1, NOW, &l, s_err,
				     sizeof(s_err)) < 0);
	assert_string_equal(s_err, "r.csv:2: a: NUL byte in the cell (column 4)");
	assert_true(intake_parse_csv("r.csv", header, sizeof(header) - 1, NOW, &l, s_err,
				     sizeof(s_err)) < 0);
	assert_string_equal(s_err, "r.csv:1: column 4: NUL byte in the cell");
	assert_int_equal(l.n, 0);
	intake_list_clear(&l);
}

static void test_all_or_nothing(void **state)
{
	intake_list_t l = { 0 };

	(void)state;
	assert_int_equal(t_csv("campaign,period,unit,a\nc,p,U1,1\n", &l), 0);
	assert_int_equal(l.n, 1);
	/* The second file fails on its second report: none of it is kept. */
	assert_true(t_csv("campaign,period,unit,a\nc,p,U2,1\nc,p,U3,-1\n", &l) < 0);
	assert_string_equal(s_err, "r.csv:3: a: not a non-negative integer: '-1'");
	assert_int_equal(l.n, 1);
	assert_true(t_json("[{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\", "
			   "\"values\": {\"a\": 1}}, {}]", &l) < 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0]->unit, "U1");
	intake_list_clear(&l);
}

static void test_vnd_typing(void **state)
{
	intake_list_t l = { 0 };

	(void)state;
	assert_int_equal(t_csv("campaign,period,unit,fund_vnd,vnd,x_vnd_count,_vnd\n"
			       "c,p,U1,5,6,7,8\n", &l), 0);
	assert_int_equal(t_value(l.v[0], "fund_vnd", true), 5);
	assert_int_equal(t_value(l.v[0], "vnd", false), 6);
	assert_int_equal(t_value(l.v[0], "x_vnd_count", false), 7);
	/* "_vnd" alone has nothing before the suffix: a count. */
	assert_int_equal(t_value(l.v[0], "_vnd", false), 8);
	intake_list_clear(&l);
}

static void test_parse_time(void **state)
{
	static const struct { const char *s; int64_t t; } ok[] = {
		{ "2023-11-28T10:00:00+07:00", 1701140400 },
		{ "2023-11-28T03:00:00Z", 1701140400 },
		{ "2023-11-28t03:00:00z", 1701140400 },
		{ "2023-11-27T22:00:00-05:00", 1701140400 },
		{ "2023-11-28T10:00:00+0700", 1701140400 },
		{ "2023-11-28T10:00+07", 1701140400 },
		{ "2023-11-28 03:00:00.987Z", 1701140400 },
		{ "2023-11-28T05:30:00+05:30", 1701129600 },
		{ "2000-01-01T00:00:00-12:00", 946728000 },
		{ "2024-02-29T00:00:00Z", 1709164800 },
		{ "2023-12-31T23:59:59+00:00", 1704067199 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1701140400", 1701140400 },
		{ "0", 0 },
	};
	static const char *const bad[] = {
		"", "abc", "-5", "+5", "2023-11-28", "2023-11-28T10:00:00", "2023-11-28T10:00:00+7",
		"2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z", "2023-00-10T00:00:00Z",
		"2023-11-31T00:00:00Z", "2023-11-28T24:00:00Z", "2023-11-28T10:60:00Z",
		"2023-11-28T10:00:00+24:00", "2023-11-28T10:00:00+07:00x", "1970-01-01T00:00:00+01:00",
		"2023-11-28T10:00:00.Z", "2023/11/28T10:00:00Z", " 1701140400", "99999999999999999999",
	};
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		t = -1;
		if (intake_parse_time(ok[i].s, &t) != 0 || t != ok[i].t)
			fail_msg("'%s': got %lld, want %lld", ok[i].s, (long long)t, (long long)ok[i].t);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = -1;
		if (intake_parse_time(bad[i], &t) != LNOB_E_INVALID || t != -1)
			fail_msg("'%s' accepted as %lld", bad[i], (long long)t);
	}
}

static void test_files(void **state)
{
	const char *dir = tu_tmpdir();
	char path[4200], dirc[4096];
	intake_list_t l = { 0 };

	(void)state;
	snprintf(dirc, sizeof(dirc), "%s", dir);
	tu_write(dirc, "a.JSON", "{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U1\", "
		 "\"values\": {\"a\": 1}}", 0600);
	tu_write(dirc, "b.csv", "campaign,period,unit,a\nc,p,U2,2\n", 0600);
	/* No extension: '[' or '{' first means JSON, else CSV. */
	tu_write(dirc, "c", "  \n[{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U3\", "
		 "\"values\": {\"a\": 3}}]", 0600);
	tu_write(dirc, "d", "campaign,period,unit,a\nc,p,U4,4\n", 0600);
	tu_write(dirc, "bad.csv", "campaign,period,unit,a\nc,p,U5,-3\n", 0600);
	for (const char *const *n = (const char *const[]){ "a.JSON", "b.csv", "c", "d", NULL }; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dirc, *n);
		if (intake_parse_file(path, NOW, &l, s_err, sizeof(s_err)) != 0)
			fail_msg("%s: %s", path, s_err);
	}
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0]->unit, "U1");
	assert_string_equal(l.v[1]->unit, "U2");
	assert_string_equal(l.v[2]->unit, "U3");
	assert_string_equal(l.v[3]->unit, "U4");
	snprintf(path, sizeof(path), "%s/bad.csv", dirc);
	assert_int_equal(intake_parse_file(path, NOW, &l, s_err, sizeof(s_err)), LNOB_E_INVALID);
	{
		char want[4400];

		snprintf(want, sizeof(want), "%s:2: a: not a non-negative integer: '-3'", path);
		assert_string_equal(s_err, want);
		snprintf(path, sizeof(path), "%s/missing.csv", dirc);
		assert_int_equal(intake_parse_file(path, NOW, &l, s_err, sizeof(s_err)), -ENOENT);
		snprintf(want, sizeof(want), "%s: No such file or directory", path);
		assert_string_equal(s_err, want);
	}
	assert_int_equal(l.n, 4);
	intake_list_clear(&l);
	intake_report_free(NULL);
	tu_rmtree(dirc);
}

/* Every report keeps the place it came from, as errors name it. */
static void test_places(void **state)
{
	intake_list_t l = { 0 };

	(void)state;
	assert_int_equal(t_csv("campaign,period,unit,a\nc,p,U1,1\n\nc,p,U2,2\n", &l), 0);
	assert_int_equal(t_json("[{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U3\", "
				"\"values\": {\"a\": 1}},\n {\"campaign\": \"c\", \"period\": \"p\", "
				"\"unit\": \"U4\", \"values\": {\"a\": 1}}]", &l), 0);
	assert_int_equal(t_json("{\"campaign\": \"c\", \"period\": \"p\", \"unit\": \"U5\", "
				"\"values\": {\"a\": 1}}", &l), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.where[0], "r.csv:2");
	assert_string_equal(l.where[1], "r.csv:4");
	assert_string_equal(l.where[2], "r.json: entry 1");
	assert_string_equal(l.where[3], "r.json: entry 2");
	assert_string_equal(l.where[4], "r.json: entry 1");
	assert_string_equal(l.v[3]->unit, "U4");
	intake_list_clear(&l);
	assert_null(l.where);
}

static const char s_units[] =
	"code,name,parent_code,level,kind\n"
	"P,Province,,province,administrative\n"
	"D1,District 1,P,district,administrative\n"
	"C001,Commune 1,D1,commune,administrative\n"
	"V001,Village 1,C001,village,administrative\n"
	"V002,Village 2,C001,village,administrative\n";

static const char s_campaign[] =
	"[campaign]\nid = lnob-2021-2025\nname = Test\nstart = 2021-01-01\nend = 2025-12-31\n"
	"baseline_date = 2020-12-31\nlevels = province, district, commune, village\n"
	"reported_by = village\n"
	"[indicators]\nhouseholds_total = count\npoor_households = count\nfund_vnd = amount\n"
	"poor_rate = rate poor_households / households_total\n"
	"[reported_by]\nfund_vnd = all\n"
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n";

#define CSV_HEAD "campaign,period,unit,households_total,poor_households,fund_vnd\n"

/* Parses CSV text and checks it against the campaign; returns the code
 * (the message in s_err). */
static int t_check_csv(const campaigns_t *camps, const hier_t *h, const char *text)
{
	intake_list_t l = { 0 };
	int r;

	assert_int_equal(t_csv(text, &l), 0);
	r = intake_check_campaigns(&l, 0, camps, h, s_err, sizeof(s_err));
	intake_list_clear(&l);
	return r;
}

static void test_campaign_rules(void **state)
{
	campaigns_t camps;
	intake_list_t l = { 0 };
	hier_t *h = NULL;
	char err[512];

	(void)state;
	memset(&camps, 0, sizeof(camps));
	if (hier_load_mem(s_units, strlen(s_units), "units.csv", &h, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(campaigns_reserve(&camps, 1), 0);
	if (campaign_load_mem(s_campaign, "c.ini", h, &camps.v[0], err, sizeof(err)) != 0)
		fail_msg("%s", err);
	camps.n = 1;

	/* Villages report the counts, every level its fund_vnd. */
	assert_int_equal(t_check_csv(&camps, h, CSV_HEAD
				     "lnob-2021-2025,2023,V001,120,8,1000000\n"
				     "lnob-2021-2025,2023,C001,,,5000000\n"
				     "lnob-2021-2025,2023,P,,,9000000\n"), 0);
	/* A commune's count: refused with the line and the aggregator's words. */
	assert_int_equal(t_check_csv(&camps, h, CSV_HEAD
				     "lnob-2021-2025,2023,V001,120,8,1000000\n"
				     "lnob-2021-2025,2023,C001,,,5000000\n"
				     "lnob-2021-2025,2023,C001,1200,85,\n"), LNOB_E_INVALID);
	assert_string_equal(s_err, "r.csv:4: unit 'C001' is a commune; indicator "
			    "'households_total' is reported by village");
	/* JSON: the entry; a derived indicator first (the aggregator's order). */
	assert_int_equal(t_json("[{\"campaign\": \"lnob-2021-2025\", \"period\": \"2023\", "
				"\"unit\": \"V002\", \"values\": {\"poor_households\": 3}},"
				"{\"campaign\": \"lnob-2021-2025\", \"period\": \"2023\", "
				"\"unit\": \"D1\", \"values\": {\"fund_vnd\": 1, \"poor_rate\": 3}}]",
				&l), 0);
	assert_int_equal(intake_check_campaigns(&l, 0, &camps, h, s_err, sizeof(s_err)),
			 LNOB_E_INVALID);
	assert_string_equal(s_err, "r.json: entry 2: indicator 'poor_rate' of campaign "
			    "'lnob-2021-2025' is derived (a rate, computed by the aggregator), never "
			    "reported");
	/* Only the reports from `from` on are checked (an earlier file's). */
	assert_int_equal(intake_check_campaigns(&l, 2, &camps, h, s_err, sizeof(s_err)), 0);
	intake_list_clear(&l);
	assert_int_equal(t_json("{\"campaign\": \"lnob-2021-2025\", \"period\": \"2023\", "
				"\"unit\": \"D1\", \"values\": {\"households_total\": 3}}", &l), 0);
	assert_int_equal(intake_check_campaigns(&l, 0, &camps, h, s_err, sizeof(s_err)),
			 LNOB_E_INVALID);
	assert_string_equal(s_err, "r.json: entry 1: unit 'D1' is a district; indicator "
			    "'households_total' is reported by village");
	intake_list_clear(&l);
	/* Unknown campaign, period, indicator, unit. */
	assert_int_equal(t_check_csv(&camps, h, CSV_HEAD "other,2023,V001,1,1,1\n"), LNOB_E_INVALID);
	assert_string_equal(s_err, "r.csv:2: campaign 'other' is not one of the configured "
			    "campaigns ([campaign] files)");
	assert_int_equal(t_check_csv(&camps, h, CSV_HEAD "lnob-2021-2025,2019,V001,1,1,1\n"),
			 LNOB_E_INVALID);
	assert_string_equal(s_err, "r.csv:2: period '2019' is not a period of campaign "
			    "'lnob-2021-2025'");
	assert_int_equal(t_check_csv(&camps, h, "campaign,period,unit,models_built\n"
				     "lnob-2021-2025,2023,V001,2\n"), LNOB_E_INVALID);
	assert_string_equal(s_err, "r.csv:2: indicator 'models_built' is not defined by campaign "
			    "'lnob-2021-2025'");
	assert_int_equal(t_check_csv(&camps, h, CSV_HEAD "lnob-2021-2025,2023,V999,1,1,1\n"),
			 LNOB_E_INVALID);
	assert_string_equal(s_err, "r.csv:2: unit 'V999' is not in the hierarchy");
	/* No campaign configured: anything goes, as at the aggregator. */
	campaigns_clear(&camps);
	assert_int_equal(t_check_csv(&camps, h, CSV_HEAD "other,1999,C001,1200,85,1\n"), 0);
	hier_destroy(&h);
}

/* A learned body limit (list.max_body): the report over it fails its
 * file naming the line (CSV) or entry (JSON), its size and the limit;
 * nothing of the file is kept. 0 or a limit above the outbox's own means
 * the outbox's own. */
static void test_body_limit(void **state)
{
	intake_list_t l = { .max_body = 300 };
	char csv[1024], json[1024], want[256], narrative[400];
	Lnob__Report *r;
	size_t size;

	(void)state;
	memset(narrative, 'x', sizeof(narrative) - 1);
	narrative[sizeof(narrative) - 1] = '\0';
	snprintf(csv, sizeof(csv), "campaign,period,unit,narrative,poor_households\n"
		 "c,2023,C11,short,1\n\nc,2023,C12,%s,2\n", narrative);
	assert_int_equal(t_csv(csv, &l), LNOB_E_TOOBIG);
	assert_int_equal(l.n, 0);
	/* The size said is the report's encoding, the envelope body. */
	assert_int_equal(t_csv("campaign,period,unit,narrative,poor_households\n"
			       "c,2023,C12,x,2\n", &l), 0);
	r = l.v[0];
	free(r->narrative);
	r->narrative = strdup(narrative);
	assert_non_null(r->narrative);
	size = lnob__report__get_packed_size(r);
	intake_list_clear(&l);
	assert_int_equal(l.max_body, 300);   /* a setting: kept */
	assert_int_equal(t_csv(csv, &l), LNOB_E_TOOBIG);
	snprintf(want, sizeof(want), "r.csv:4: report is %zu bytes encoded, over the 300-byte limit",
		 size);
	assert_string_equal(s_err, want);
	snprintf(json, sizeof(json), "[{\"campaign\": \"c\", \"period\": \"2023\", \"unit\": "
		 "\"C11\", \"values\": {\"poor_households\": 1}}, {\"campaign\": \"c\", "
		 "\"period\": \"2023\", \"unit\": \"C12\", \"narrative\": \"%s\", "
		 "\"values\": {\"poor_households\": 2}}]", narrative);
	assert_int_equal(t_json(json, &l), LNOB_E_TOOBIG);
	snprintf(want, sizeof(want), "r.json: entry 2: report is %zu bytes encoded, over the "
		 "300-byte limit", size);
	assert_string_equal(s_err, want);
	assert_int_equal(l.n, 0);
	/* Within the outbox's own limit when nothing is learned. */
	l.max_body = 0;
	assert_int_equal(t_json(json, &l), 0);
	assert_int_equal(l.n, 2);
	intake_list_clear(&l);
	l.max_body = (size_t)1 << 30;
	assert_int_equal(t_csv(csv, &l), 0);
	intake_list_clear(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_object),
		cmocka_unit_test(test_json_array_defaults),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_csv_happy),
		cmocka_unit_test(test_csv_base_revision),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_csv_nul),
		cmocka_unit_test(test_all_or_nothing),
		cmocka_unit_test(test_vnd_typing),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_places),
		cmocka_unit_test(test_campaign_rules),
		cmocka_unit_test(test_body_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
