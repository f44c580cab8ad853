/* test_campaign.c: campaign files (format, validation with file:line),
 * target resolution (own, cascade, level), the seeds' targets decided
 * exactly just above and just below each threshold, deadlines and
 * timeliness, and the sample province and campaigns in deploy/samples/. */
#include "testutil.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign.h"
#include "campaigns.h"
#include "sums.h"
#include "hierarchy.h"
#include "lnob_err.h"

/* ---- helpers -------------------------------------------------------- */

/* The repository root, from this file's path (CMake compiles it by its
 * absolute path): ".../tests/unit/test_campaign.c" less three parts. */
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

/* Asserts err is "c.ini:<line>: ..." (or file) and holds want. */
static void s_assert_err(const char *err, const char *file, unsigned line, const char *want)
{
	char tag[4200];

	if ((size_t)snprintf(tag, sizeof(tag), "%.4096s:%u: ", file, line) >= sizeof(tag))
		fail_msg("file name too long");
	if (strncmp(err, tag, strlen(tag)) != 0 || (want && !strstr(err, want)))
		fail_msg("error '%s' lacks '%s' or '%s'", err, tag, want ? want : "");
}

static campaign_t *s_load(const char *text, const hier_t *h)
{
	campaign_t *c = NULL;
	char err[512] = "";

	if (campaign_load_mem(text, "c.ini", h, &c, err, sizeof(err)) != 0)
		fail_msg("load failed: %s", err);
	assert_non_null(c);
	return c;
}

/* Loads text that must fail with code at line with want in the message. */
static void s_fails_at(const char *text, const hier_t *h, int code, unsigned line, const char *want)
{
	campaign_t *c = (campaign_t *)(uintptr_t)0x1;  /* must stay unwritten */
	char err[512] = "";

	assert_int_equal(campaign_load_mem(text, "c.ini", h, &c, err, sizeof(err)), code);
	assert_ptr_equal(c, (campaign_t *)(uintptr_t)0x1);
	s_assert_err(err, "c.ini", line, want);
}

static hier_t *s_hier(const char *text)
{
	hier_t *h = NULL;
	char err[256] = "";

	if (hier_load_mem(text, strlen(text), "org.csv", &h, err, sizeof(err)) != 0)
		fail_msg("hierarchy: %s", err);
	return h;
}

/* Counts from "code=value" pairs, NULL-terminated. */
static campaign_counts_t s_counts(const campaign_t *c, const char *const *pairs)
{
	campaign_counts_t k;

	campaign_counts_clear(&k);
	for (; *pairs; pairs++) {
		char code[80];
		const char *eq = strchr(*pairs, '=');

		assert_non_null(eq);
		snprintf(code, sizeof(code), "%.*s", (int)(eq - *pairs), *pairs);
		if (campaign_counts_set(c, &k, code, strtoll(eq + 1, NULL, 10)) != 0)
			fail_msg("cannot set %s", *pairs);
	}
	return k;
}
#define COUNTS(c, ...) s_counts((c), (const char *const[]){ __VA_ARGS__, NULL })

/* The verdict of target id for period pid. */
static campaign_eval_t s_eval(const campaign_t *c, const char *id, const char *pid,
			      const campaign_counts_t *base, const campaign_counts_t *prev,
			      const campaign_counts_t *cur)
{
	const campaign_target_t *t = campaign_target_find(c, id);
	const campaign_period_t *p = campaign_period_find(c, pid);
	campaign_eval_t ev;

	assert_non_null(t);
	assert_non_null(p);
	assert_int_equal(campaign_evaluate(c, t, p, base, prev, cur, &ev), 0);
	return ev;
}

/* Seconds since the epoch of a UTC date and time. */
static int64_t s_utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };

	return (int64_t)timegm(&tm);
}

/* ---- a minimal campaign: 21 lines; error cases append to it ----------- */

#define BASE_LINES 21
static const char s_base[] =
	"[campaign]\n"                                          /* 1 */
	"id = t\n"                                              /* 2 */
	"name = Test\n"                                         /* 3 */
	"start = 2021-01-01\n"                                  /* 4 */
	"end = 2025-12-31\n"                                    /* 5 */
	"baseline_date = 2020-12-31\n"                          /* 6 */
	"levels = province, district, commune, village\n"       /* 7 */
	"[indicators]\n"                                        /* 8 */
	"hh = count\n"                                          /* 9 */
	"poor = count\n"                                        /* 10 */
	"near = count\n"                                        /* 11 */
	"fund_vnd = amount\n"                                   /* 12 */
	"pnp = sum poor + near\n"                               /* 13 */
	"poor_rate = rate poor / hh\n"                          /* 14 */
	"[period 2021]\n"                                       /* 15 */
	"kind = year\n"                                         /* 16 */
	"start = 2021-01-01\n"                                  /* 17 */
	"end = 2021-12-31\n"                                    /* 18 */
	"[deadlines]\n"                                         /* 19 */
	"district = before 12-05\n"                             /* 20 */
	"commune = by 12-05 17:00\n";                           /* 21 */

/* Appends extra to the base, which must load. */
static void s_base_loads(const char *extra)
{
	char text[8192];
	campaign_t *c;

	snprintf(text, sizeof(text), "%s%s", s_base, extra);
	c = s_load(text, NULL);
	campaign_destroy(&c);
}

/* Appends extra to the base and expects an error at BASE_LINES + rel. */
static void s_base_fails(const char *extra, int code, unsigned rel, const char *want)
{
	char text[8192];

	snprintf(text, sizeof(text), "%s%s", s_base, extra);
	s_fails_at(text, NULL, code, BASE_LINES + rel, want);
}

/* The base with one line replaced (1-based) by repl. */
static void s_base_line_fails(unsigned line, const char *repl, unsigned at, const char *want)
{
	char text[8192];
	const char *p = s_base;
	size_t off = 0;

	for (unsigned l = 1; *p; l++) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p) + 1;

		if (l == line)
			off += (size_t)snprintf(text + off, sizeof(text) - off, "%s\n", repl);
		else
			off += (size_t)snprintf(text + off, sizeof(text) - off, "%.*s", (int)len, p);
		p += len;
	}
	s_fails_at(text, NULL, LNOB_E_CONFIG, at, want);
}

/* ---- tests ---------------------------------------------------------- */

static void test_base(void **state)
{
	campaign_t *c = s_load(s_base, NULL);
	const campaign_indicator_t *ind;
	const campaign_period_t *p;
	int64_t n, d, t;

	(void)state;
	assert_string_equal(campaign_id(c), "t");
	assert_string_equal(campaign_name(c), "Test");
	assert_string_equal(campaign_file(c), "c.ini");
	assert_int_equal(campaign_first_year(c), 2021);
	assert_int_equal(campaign_last_year(c), 2025);
	assert_int_equal(campaign_baseline_year(c), 2020);
	assert_int_equal(campaign_utc_offset(c), 7 * 3600);
	assert_int_equal(campaign_level_count(c), 4);
	assert_string_equal(campaign_level(c, 0), "province");
	assert_string_equal(campaign_level(c, 3), "village");
	assert_null(campaign_level(c, 4));
	assert_int_equal(campaign_indicator_count(c), 6);
	assert_int_equal(campaign_indicator_find(c, "nope"), -1);
	assert_int_equal(campaign_indicator_find(c, NULL), -1);
	ind = campaign_indicator(c, campaign_indicator_find(c, "fund_vnd"));
	assert_int_equal(ind->kind, CAMPAIGN_IND_AMOUNT);
	assert_int_equal(ind->line, 12);
	ind = campaign_indicator(c, campaign_indicator_find(c, "hh"));
	assert_int_equal(ind->kind, CAMPAIGN_IND_COUNT);
	assert_string_equal(ind->label, "hh");
	ind = campaign_indicator(c, campaign_indicator_find(c, "pnp"));
	assert_int_equal(ind->kind, CAMPAIGN_IND_SUM);
	assert_int_equal(ind->nparts, 2);
	ind = campaign_indicator(c, campaign_indicator_find(c, "poor_rate"));
	assert_int_equal(ind->kind, CAMPAIGN_IND_RATE);
	assert_int_equal(ind->num, campaign_indicator_find(c, "poor"));
	assert_int_equal(ind->den, campaign_indicator_find(c, "hh"));
	assert_null(campaign_indicator(c, 6));
	assert_null(campaign_indicator(c, -1));

	assert_int_equal(campaign_period_count(c), 1);
	p = campaign_period_find(c, "2021");
	assert_non_null(p);
	assert_int_equal(p->kind, CAMPAIGN_PERIOD_YEAR);
	assert_int_equal(p->years, 1);
	assert_int_equal(p->line, 15);
	assert_null(campaign_period_previous(c, p));
	assert_null(campaign_period_find(c, "2022"));
	assert_int_equal(campaign_target_count(c), 0);
	assert_int_equal(campaign_cluster_count(c), 0);

	/* Values: counts, sums, rates from counts; missing and zero. */
	campaign_counts_t k = COUNTS(c, "hh=200", "poor=30", "near=12");
	assert_int_equal(campaign_value(c, &k, campaign_indicator_find(c, "pnp"), &n, &d), 0);
	assert_int_equal(n, 42);
	assert_int_equal(d, 1);
	assert_int_equal(campaign_value(c, &k, campaign_indicator_find(c, "poor_rate"), &n, &d), 0);
	assert_int_equal(n, 30);
	assert_int_equal(d, 200);
	double pct;
	assert_int_equal(campaign_value_display(c, &k, campaign_indicator_find(c, "poor_rate"), &pct), 0);
	assert_true(pct > 14.999 && pct < 15.001);
	assert_int_equal(campaign_value(c, &k, campaign_indicator_find(c, "fund_vnd"), &n, &d),
			 LNOB_E_NOTFOUND);
	assert_int_equal(campaign_value(c, &k, 99, &n, &d), -EINVAL);
	k = COUNTS(c, "hh=0", "poor=0");
	assert_int_equal(campaign_value(c, &k, campaign_indicator_find(c, "poor_rate"), &n, &d),
			 LNOB_E_INVALID);
	/* Setting values: unknown, derived, out of range. */
	assert_int_equal(campaign_counts_set(c, &k, "zzz", 1), LNOB_E_NOTFOUND);
	assert_int_equal(campaign_counts_set(c, &k, "poor_rate", 1), LNOB_E_INVALID);
	assert_int_equal(campaign_counts_set(c, &k, "pnp", 1), LNOB_E_INVALID);
	assert_int_equal(campaign_counts_set(c, &k, "hh", -1), LNOB_E_INVALID);
	assert_int_equal(campaign_counts_set(c, &k, "hh", REPORT_VALUE_MAX + 1), LNOB_E_INVALID);
	assert_int_equal(campaign_counts_set(c, &k, "hh", REPORT_VALUE_MAX), 0);

	/* Deadlines: "before 12-05" = late from 5 Dec 00:00 +07; "by 12-05
	 * 17:00" = late from 17:01 +07; no deadline for the province. */
	assert_int_equal(campaign_deadline_for(c, "district", p, &t), 0);
	assert_int_equal(t, s_utc(2021, 12, 4, 17, 0, 0));
	assert_int_equal(campaign_deadline_for(c, "commune", p, &t), 0);
	assert_int_equal(t, s_utc(2021, 12, 5, 10, 1, 0));
	assert_int_equal(campaign_deadline_for(c, "province", p, &t), LNOB_E_NOTFOUND);
	assert_int_equal(campaign_deadline_for(c, "hamlet", p, &t), LNOB_E_NOTFOUND);
	campaign_destroy(&c);
	assert_null(c);
	campaign_destroy(&c);
	campaign_destroy(NULL);
}

static void test_sums_from_report(void **state)
{
	campaign_t *c = s_load(s_base, NULL);
	sums_t sums = { 0 };
	Lnob__IndicatorValue v[5], *vp[5];
	campaign_counts_t k;
	int64_t n, d;

	(void)state;
	/* Two villages' reports summed: the rate is 35/300, not the mean of
	 * 10/100 and 25/200. A code the campaign does not know is ignored. */
	const char *codes[5] = { "hh", "poor", "hh", "poor", "models_built" };
	int64_t vals[5] = { 100, 10, 200, 25, 3 };
	for (int i = 0; i < 5; i++) {
		lnob__indicator_value__init(&v[i]);
		v[i].code = (char *)codes[i];
		v[i].value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
		v[i].count = vals[i];
		vp[i] = &v[i];
	}
	assert_int_equal(sums_replace(&sums, NULL, 0, vp, 2, NULL), 0);
	assert_int_equal(sums_replace(&sums, NULL, 0, vp + 2, 3, NULL), 0);
	assert_int_equal(campaign_counts_from_values(c, sums.v, sums.n, &k), 0);
	assert_int_equal(campaign_value(c, &k, campaign_indicator_find(c, "poor_rate"), &n, &d), 0);
	assert_int_equal(n, 35);
	assert_int_equal(d, 300);
	assert_false(k.has[campaign_indicator_find(c, "near")]);
	sums_clear(&sums);
	campaign_destroy(&c);
}

/* Every validation error names the file and the line. */
static void test_errors_campaign(void **state)
{
	(void)state;
	/* Syntax, sections and keys. */
	s_base_fails("[campaign\n", LNOB_E_CONFIG, 1, "syntax error");
	s_fails_at("x = 1\n[campaign]\n", NULL, LNOB_E_CONFIG, 1, "outside any [section]");
	s_base_fails("[foo]\nx = 1\n", LNOB_E_CONFIG, 1, "[foo]: unknown section");
	s_base_fails("[period 2021]\nkind = year\n", LNOB_E_CONFIG, 1,
		     "[period 2021]: section given twice (first on line 15)");
	s_base_fails("\n[period 2022]\n; nothing\n[period 2023]\nkind = year\n",
		     LNOB_E_CONFIG, 2, "empty section");
	s_base_fails("[period 2022]\n", LNOB_E_CONFIG, 1, "empty section");
	s_base_fails("[period a b]\nkind = year\n", LNOB_E_CONFIG, 1, "a type and at most one id");
	s_base_fails("[period bad/id]\nkind = year\n", LNOB_E_CONFIG, 1, "bad period id");
	s_base_fails("[target aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\nx = 1\n",
		     LNOB_E_CONFIG, 1, "section name longer than 48 bytes");
	s_base_line_fails(3, "colour = red", 3, "[campaign] colour: unknown key");
	s_base_line_fails(3, "id = u", 3, "[campaign] id: given twice (first on line 2)");
	s_base_line_fails(3, "name =", 3, "[campaign] name: empty");
	s_base_line_fails(3, "; no name", 1, "[campaign] name: missing");
	s_base_line_fails(2, "id = a b", 2, "bad id 'a b'");
	s_base_line_fails(5, "end = 2025-02-30", 5, "[campaign] end: not a date (YYYY-MM-DD): '2025-02-30'");
	s_base_line_fails(5, "end = 2020-06-01", 5, "end: before start");
	s_base_line_fails(6, "baseline_date = 2021-01-01", 6, "must be before start");
	s_base_line_fails(7, "levels = province, district, province", 7, "'province' given twice");
	s_base_line_fails(7, "levels = province, , commune", 7, "empty item");
	s_base_line_fails(3, "name = Test\nutc_offset = 7", 4, "not an offset");
	s_fails_at("[indicators]\nhh = count\n", NULL, LNOB_E_CONFIG, 1, "no [campaign] section");
	/* A line longer than inih's 198 bytes is read; a name that long is
	 * then refused by its own rule, on its line. */
	char text[8192], longname[300];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	snprintf(text, sizeof(text), "%s; %s\n", s_base, longname);
	campaign_t *c = s_load(text, NULL);
	campaign_destroy(&c);
	snprintf(text, sizeof(text), "%s[target %s]\nindicator = hh\n", s_base, longname);
	s_fails_at(text, NULL, LNOB_E_CONFIG, BASE_LINES + 1, "section name longer than 48");
}

static void test_errors_indicators(void **state)
{
	(void)state;
	s_base_line_fails(9, "hh = counts", 9, "[indicators] hh: expected count, amount");
	s_base_line_fails(12, "fund = amount", 12, "an amount's code must end in _vnd");
	s_base_line_fails(12, "fund_vnd = count", 12, "ending in _vnd is an amount, not a count");
	s_base_line_fails(10, "hh = count", 10, "[indicators] hh: given twice (first on line 9)");
	s_base_line_fails(10, "bad code = count", 10, "bad indicator code");
	s_base_line_fails(13, "pnp = sum poor", 13, "needs 2 or more parts");
	s_base_line_fails(13, "pnp = sum poor + nobody", 13, "unknown indicator 'nobody'");
	s_base_line_fails(13, "pnp = sum poor + fund_vnd", 13, "not both");
	s_base_line_fails(13, "pnp = sum poor + poor", 13, "'poor' given twice");
	s_base_line_fails(13, "pnp = sum poor + poor_rate", 13, "'poor_rate' is derived");
	s_base_line_fails(14, "poor_rate = rate fund_vnd / hh", 14,
			  "numerator 'fund_vnd' is an amount, not a count");
	s_base_line_fails(14, "poor_rate = rate poor / poor_rate", 14,
			  "denominator 'poor_rate' is a rate, not a count");
	s_base_line_fails(14, "poor_rate = rate poor / nobody", 14, "unknown indicator 'nobody'");
	s_base_line_fails(14, "poor_rate = rate poor", 14, "rate numerator / denominator");
	s_base_line_fails(14, "poor_rate = rate poor / hh / hh", 14, "rate numerator / denominator");
	s_base_line_fails(14, "rate_vnd = rate poor / hh", 14, "must not end in _vnd");
	/* A rate over a sum of counts is fine; over a sum of amounts it is not. */
	campaign_t *c;
	char text[8192];
	snprintf(text, sizeof(text), "%s[indicators]\nx = count\n", s_base);
	s_fails_at(text, NULL, LNOB_E_CONFIG, BASE_LINES + 1, "section given twice");
	s_base_fails("[labels]\nnobody = X\n", LNOB_E_CONFIG, 2, "[labels] nobody: unknown indicator");
	s_base_fails("[labels]\nhh = Hộ\nhh = Hộ\n", LNOB_E_CONFIG, 3, "given twice");
	snprintf(text, sizeof(text), "%s[labels]\nhh = Tổng số hộ\n", s_base);
	c = s_load(text, NULL);
	assert_string_equal(campaign_indicator(c, campaign_indicator_find(c, "hh"))->label, "Tổng số hộ");
	campaign_destroy(&c);
}

static void test_errors_periods_deadlines(void **state)
{
	(void)state;
	s_base_line_fails(16, "kind = month", 16, "expected year, midterm or final");
	s_base_line_fails(18, "end = 2021-13-01", 18, "not a date");
	s_base_line_fails(18, "end = 2020-12-31", 18, "end: before start");
	s_base_line_fails(18, "end = 2026-01-31", 18, "outside the campaign's start and end");
	s_base_line_fails(16, "; no kind", 15, "[period 2021] kind: missing");
	s_base_fails("[period m]\nkind = midterm\nstart = 2021-01-01\nend = 2023-06-30\nyears = 0\n",
		     LNOB_E_CONFIG, 5, "years: must be at least 1");
	s_base_fails("[period m]\nkind = midterm\nstart = 2021-01-01\nend = 2023-06-30\nyears = two\n",
		     LNOB_E_CONFIG, 5, "not a number of years");
	s_base_fails("[period m]\nkind = midterm\nstart = 2021-01-01\nend = 2023-06-30\n"
		     "previous = 2020\n", LNOB_E_CONFIG, 5, "previous: unknown period '2020'");
	s_base_fails("[period m]\nkind = midterm\nstart = 2021-01-01\nend = 2021-06-30\n"
		     "previous = 2021\n", LNOB_E_CONFIG, 5, "does not end before it");
	s_base_fails("[period m]\nkind = midterm\nstart = 2021-01-01\nend = 2023-06-30\n"
		     "deadline.hamlet = before 2023-07-01\n", LNOB_E_CONFIG, 5, "'hamlet' is not a level");
	s_base_fails("[period m]\nkind = midterm\nstart = 2021-01-01\nend = 2023-06-30\n"
		     "deadline.district = before 07-01\n", LNOB_E_CONFIG, 5, "expected 'before YYYY-MM-DD");
	s_base_fails("[period m]\nkind = midterm\nstart = 2021-01-01\nend = 2023-06-30\n"
		     "colour = red\n", LNOB_E_CONFIG, 5, "[period m] colour: unknown key");
	/* Two periods of one kind sharing days; the same days in another kind
	 * are fine (a midterm covers years). */
	s_base_fails("[period 2021b]\nkind = year\nstart = 2021-06-01\nend = 2022-05-31\n",
		     LNOB_E_CONFIG, 1, "[period 2021b]: overlaps [period 2021], a period of the "
		     "same kind (2021-06-01 .. 2021-12-31 in both)");
	s_base_fails("[period m1]\nkind = midterm\nstart = 2021-01-01\nend = 2021-12-31\n"
		     "[period m2]\nkind = midterm\nstart = 2021-12-31\nend = 2022-12-31\n",
		     LNOB_E_CONFIG, 5, "[period m2]: overlaps [period m1], a period of the same kind "
		     "(2021-12-31 .. 2021-12-31 in both)");
	s_base_loads("[period 2022]\nkind = year\nstart = 2022-01-01\nend = 2022-12-31\n"
			    "[period m]\nkind = midterm\nstart = 2021-01-01\nend = 2022-12-31\n");
	s_base_line_fails(20, "hamlet = before 12-05", 20, "[deadlines] hamlet: not a level");
	s_base_line_fails(20, "district = 12-05", 20, "expected 'before MM-DD [HH:MM]'");
	s_base_line_fails(20, "district = before 02-29", 20, "expected 'before MM-DD");
	s_base_line_fails(20, "district = before 12-05 25:00", 20, "expected 'before MM-DD");
	s_base_line_fails(21, "district = by 12-04", 21, "[deadlines] district: given twice (first on line 20)");
}

static void test_errors_targets(void **state)
{
	(void)state;
	s_base_fails("[target a]\nlevels = district\nindicator = nobody\ndown_points = 3\n",
		     LNOB_E_CONFIG, 3, "[target a] indicator: unknown indicator 'nobody'");
	s_base_fails("[target a]\nlevels = district\ndown_points = 3\n",
		     LNOB_E_CONFIG, 1, "[target a] indicator: missing");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\n",
		     LNOB_E_CONFIG, 1, "no form");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\ndown_points = 3\n"
		     "below = 1\n", LNOB_E_CONFIG, 5, "a target has one form; down_points is on line 25");
	s_base_fails("[target a]\nlevels = district\nindicator = pnp\ndown_points = 3\n",
		     LNOB_E_CONFIG, 4, "down_points: needs a rate; 'pnp' is not one");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\ndown_points = 0\n",
		     LNOB_E_CONFIG, 4, "expected percentage points");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\ndown_points = 3.12345\n",
		     LNOB_E_CONFIG, 4, "expected percentage points");
	s_base_fails("[target a]\nlevels = district\nindicator = pnp\ndown_percent = 120\n",
		     LNOB_E_CONFIG, 4, "down_percent: expected a percentage");
	s_base_fails("[target a]\nlevels = district\nindicator = pnp\nbelow = 2.5\n",
		     LNOB_E_CONFIG, 4, "'pnp' is a count: expected a whole number");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\nbelow = 101\n",
		     LNOB_E_CONFIG, 4, "expected a percentage 0..100");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\nbelow = 1\nbasis = annual\n",
		     LNOB_E_CONFIG, 5, "basis: only for down_points and down_percent");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\nbelow = 1\nstrict = yes\n",
		     LNOB_E_CONFIG, 5, "strict: only for down_points");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\ndown_points = 1\nbasis = yearly\n",
		     LNOB_E_CONFIG, 5, "expected average or annual");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\ndown_points = 1\n"
		     "basis = annual\npace = end\n", LNOB_E_CONFIG, 6, "pace: not with basis = annual");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\nbelow = 1\nby = 2030\n",
		     LNOB_E_CONFIG, 5, "by: expected a year after the baseline's, up to 2025");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\nbelow = 1\nby = 2020\n",
		     LNOB_E_CONFIG, 5, "by: expected a year");
	/* Scope: levels, cascade, units, periods. */
	s_base_fails("[target a]\nlevels = hamlet\nindicator = poor_rate\nbelow = 1\n",
		     LNOB_E_CONFIG, 2, "[target a] levels: 'hamlet' is not a level");
	s_base_fails("[target a]\nlevels = province\ncascade = district, hamlet\nindicator = poor_rate\n"
		     "below = 1\n", LNOB_E_CONFIG, 3, "[target a] cascade: 'hamlet' is not a level");
	s_base_fails("[target a]\nlevels = commune\ncascade = district\nindicator = poor_rate\n"
		     "below = 1\n", LNOB_E_CONFIG, 3, "cascade: 'district' is not below level 'commune'");
	s_base_fails("[target a]\nunits = D1, D1\nindicator = poor_rate\nbelow = 1\n",
		     LNOB_E_CONFIG, 2, "units: 'D1' given twice");
	s_base_fails("[target a]\nunits = D1\nunits = D/2\nindicator = poor_rate\nbelow = 1\n",
		     LNOB_E_CONFIG, 3, "units: bad unit code 'D/2'");
	s_base_fails("[target a]\nunits = D1\nperiods = 2021, 2029\nindicator = poor_rate\nbelow = 1\n",
		     LNOB_E_CONFIG, 3, "periods: unknown period '2029'");
	s_base_fails("[target a]\nunits = D1\ngoal = x y\nindicator = poor_rate\nbelow = 1\n",
		     LNOB_E_CONFIG, 3, "goal: bad goal id");
	/* Two targets of one goal on the same unit, or level. */
	s_base_fails("[target a]\nunits = D1, D2\nindicator = poor_rate\nbelow = 1\n"
		     "[target b]\nunits = D3\nunits = D2\nindicator = poor_rate\ndown_points = 1\n",
		     LNOB_E_CONFIG, 7, "'D2' already has a target for goal 'poor_rate' (target a, line 22)");
	s_base_fails("[target a]\nlevels = district\nindicator = poor_rate\nbelow = 1\n"
		     "[target b]\nlevels = commune, district\ngoal = poor_rate\nindicator = pnp\n"
		     "down_percent = 10\n", LNOB_E_CONFIG, 6, "levels: 'district' already has a target");
	/* ... unless their goals or periods differ. */
	char text[8192];
	snprintf(text, sizeof(text), "%s[period 2022]\nkind = year\nstart = 2022-01-01\nend = 2022-12-31\n"
		 "[target a]\nlevels = district\nperiods = 2021\nindicator = poor_rate\nbelow = 1\n"
		 "[target b]\nlevels = district\nperiods = 2022\nindicator = poor_rate\nbelow = 2\n"
		 "[target c]\nlevels = district\ngoal = other\nindicator = poor_rate\nbelow = 3\n", s_base);
	campaign_t *c = s_load(text, NULL);
	assert_int_equal(campaign_target_count(c), 3);
	assert_int_equal(campaign_target_find(c, "b")->value_e4, 20000);
	campaign_destroy(&c);
	/* any_of and alternatives. */
	s_base_fails("[target a]\nlevels = district\nany_of = x, y\n[target x]\nindicator = poor_rate\n"
		     "below = 1\n", LNOB_E_CONFIG, 3, "[target a] any_of: unknown target 'y'");
	s_base_fails("[target a]\nlevels = district\nany_of = x\n[target x]\nindicator = poor_rate\n"
		     "below = 1\n", LNOB_E_CONFIG, 3, "needs two or more targets");
	s_base_fails("[target a]\nlevels = district\nany_of = x, x\n[target x]\nindicator = poor_rate\n"
		     "below = 1\n", LNOB_E_CONFIG, 3, "'x' given twice");
	s_base_fails("[target a]\nlevels = district\nany_of = x, b\n[target x]\nindicator = poor_rate\n"
		     "below = 1\n[target b]\nlevels = commune\nindicator = pnp\ndown_percent = 50\n",
		     LNOB_E_CONFIG, 3, "'b' has units or levels of its own");
	s_base_fails("[target a]\nlevels = district\nany_of = x, y\nindicator = poor_rate\n",
		     LNOB_E_CONFIG, 4, "an any_of target takes its alternatives' indicators");
	s_base_fails("[target x]\nindicator = poor_rate\nbelow = 1\n", LNOB_E_CONFIG, 1,
		     "[target x]: no units or levels, and no any_of lists it");
	s_base_fails("[target x]\ngoal = g\nindicator = poor_rate\nbelow = 1\n", LNOB_E_CONFIG, 2,
		     "goal: only for a target with units or levels");
	s_base_fails("[target x]\nany_of = a, b\n", LNOB_E_CONFIG, 1, "an any_of target needs units or levels");
	s_base_fails("[target x]\nlevels = district\nindicator = poor_rate\nbelow = 1\nweight = 2\n",
		     LNOB_E_CONFIG, 5, "[target x] weight: unknown key");
}

static void test_errors_clusters(void **state)
{
	hier_t *h;
	char text[8192];

	(void)state;
	s_base_fails("[cluster k]\nmembers = A\n", LNOB_E_CONFIG, 1, "[cluster k] name: missing");
	s_base_fails("[cluster k]\nname = K\n", LNOB_E_CONFIG, 1, "[cluster k] members: missing");
	s_base_fails("[cluster k]\nname = K\nmembers = A, B\nmembers = C, A\n", LNOB_E_CONFIG, 4,
		     "members: 'A' given twice (line 24)");
	s_base_fails("[cluster k]\nname = K\nmembers = A, B C\n", LNOB_E_CONFIG, 3, "bad unit code 'B C'");

	/* With a hierarchy: units and members must be in it, levels too. */
	h = s_hier("code,name,parent_code,level,kind\nP,P,,province,a\nD1,D1,P,district,a\n"
		   "C1,C1,D1,commune,a\nV1,V1,C1,village,a\n");
	snprintf(text, sizeof(text), "%s[cluster k]\nname = K\nmembers = D1\nmembers = D9\n", s_base);
	s_fails_at(text, h, LNOB_E_CONFIG, BASE_LINES + 4, "[cluster k] members: 'D9' is not in the hierarchy");
	snprintf(text, sizeof(text), "%s[target a]\nunits = D1\nunits = D7\nindicator = poor_rate\nbelow = 1\n",
		 s_base);
	s_fails_at(text, h, LNOB_E_CONFIG, BASE_LINES + 3, "[target a] units: 'D7' is not in the hierarchy");
	hier_destroy(&h);
	h = s_hier("code,name,parent_code,level,kind\nP,P,,province,a\nD1,D1,P,district,a\n");
	s_fails_at(s_base, h, LNOB_E_CONFIG, 7, "[campaign] levels: 'commune' is not a level of the hierarchy");
	hier_destroy(&h);
}

/* Writes a campaign whose baseline file is csv, in dir; returns its path. */
static const char *s_with_baseline(const char *dir, const char *csv)
{
	static char path[4096];
	char text[8192];

	tu_write(dir, "base.csv", csv, 0600);
	/* baseline_file on line 2, in [campaign]. */
	snprintf(text, sizeof(text), "[campaign]\nbaseline_file = base.csv\n%s", s_base + strlen("[campaign]\n"));
	snprintf(path, sizeof(path), "%s", tu_write(dir, "c.ini", text, 0600));
	return path;
}

static void s_baseline_fails(const char *dir, const char *csv, const hier_t *h, int code,
			     unsigned line, const char *want)
{
	char file[4200], err[512] = "";
	const char *path = s_with_baseline(dir, csv);
	campaign_t *c = NULL;

	snprintf(file, sizeof(file), "%s/base.csv", dir);
	assert_int_equal(campaign_load(path, h, &c, err, sizeof(err)), code);
	assert_null(c);
	s_assert_err(err, file, line, want);
}

static void test_baseline(void **state)
{
	const char *dir = tu_tmpdir();
	char d[4096], err[512] = "", ini[4200];
	hier_t *h = s_hier("code,name,parent_code,level,kind\nP,P,,province,a\nD1,D1,P,district,a\n"
			   "C1,C1,D1,commune,a\nC2,C2,D1,commune,a\nV1,V1,C1,village,a\n"
			   "V2,V1,C1,village,a\nV3,V3,C2,village,a\n");
	campaign_t *c = NULL;
	campaign_counts_t k;

	(void)state;
	snprintf(d, sizeof(d), "%s", dir);
	s_baseline_fails(d, "code,hh\n", NULL, LNOB_E_CSV, 1, "header must start with 'unit'");
	s_baseline_fails(d, "unit\nV1\n", NULL, LNOB_E_CSV, 1, "header must be 'unit' and indicator codes");
	s_baseline_fails(d, "unit,hh,nobody\n", NULL, LNOB_E_CSV, 1, "column 3: unknown indicator 'nobody'");
	s_baseline_fails(d, "unit,hh,poor_rate\n", NULL, LNOB_E_CSV, 1, "'poor_rate' is derived (a rate)");
	s_baseline_fails(d, "unit,hh,hh\n", NULL, LNOB_E_CSV, 1, "column 3: 'hh' given twice");
	s_baseline_fails(d, "unit,hh,poor\nV1,10,2\nV2,10\n", NULL, LNOB_E_CSV, 3, "expected 3 columns, found 2");
	s_baseline_fails(d, "unit,hh,poor\nV1,10,2\n\nV2,10,-1\n", NULL, LNOB_E_CSV, 4,
			 "V2: poor: expected a whole number");
	s_baseline_fails(d, "unit,hh,poor\nV1,10,2\nV2,1x,1\n", NULL, LNOB_E_CSV, 3, "V2: hh: expected");
	s_baseline_fails(d, "unit,hh,poor\nV1,10,2\nV 2,10,1\n", NULL, LNOB_E_CSV, 3, "bad unit code 'V 2'");
	s_baseline_fails(d, "unit,hh,poor\nV2,1,1\nV1,10,2\nV2,10,1\nV1,1,1\n", NULL, LNOB_E_CSV, 4,
			 "unit 'V2' given twice (first on line 2)");
	s_baseline_fails(d, "unit,hh,poor\nV1,10,\"2\n", NULL, LNOB_E_CSV, 2, "unterminated");
	s_baseline_fails(d, "unit,hh,poor\nV1,10,2\nV9,10,2\n", h, LNOB_E_CSV, 3,
			 "unit 'V9' is not in the hierarchy");
	/* A parent that disagrees with its children's sum (V1 + V2 = 30). */
	s_baseline_fails(d, "unit,hh,poor\nV1,10,2\nV2,20,3\nC1,31,5\n", h, LNOB_E_CSV, 4,
			 "C1: hh 31 is not the sum of its children's (30)");
	/* An unreadable baseline names the campaign file's line. */
	snprintf(ini, sizeof(ini), "%s/c.ini", d);
	s_with_baseline(d, "unit,hh\n");
	char gone[4200];
	snprintf(gone, sizeof(gone), "%s/base.csv", d);
	remove(gone);
	assert_int_equal(campaign_load(ini, NULL, &c, err, sizeof(err)), -ENOENT);
	s_assert_err(err, ini, 2, "baseline_file: cannot read");

	/* A good one: rows for villages V1, V2 and commune C2 (V3 has none);
	 * empty cells are unknown; C1 and D1 are sums. */
	s_with_baseline(d, "unit,hh,poor,near\nV1,100,10,5\nV2,200,30,\nC2,50,5,1\nD1,350,45,\n");
	assert_int_equal(campaign_load(ini, h, &c, err, sizeof(err)), 0);
	assert_int_equal(campaign_baseline_get(c, "V1", &k), 0);
	assert_int_equal(k.v[campaign_indicator_find(c, "poor")], 10);
	assert_int_equal(campaign_baseline_get(c, "C1", &k), LNOB_E_NOTFOUND);
	assert_int_equal(campaign_baseline_for(c, h, hier_find(h, "C1"), &k), 0);
	assert_int_equal(k.v[campaign_indicator_find(c, "hh")], 300);
	assert_int_equal(k.v[campaign_indicator_find(c, "poor")], 40);
	assert_false(k.has[campaign_indicator_find(c, "near")]);   /* V2 lacks it */
	assert_int_equal(campaign_baseline_for(c, h, hier_find(h, "P"), &k), 0);
	assert_int_equal(k.v[campaign_indicator_find(c, "hh")], 350);   /* D1's own row */
	assert_int_equal(campaign_baseline_for(c, h, hier_find(h, "V3"), &k), LNOB_E_NOTFOUND);
	assert_int_equal(campaign_baseline_for(c, h, 99, &k), -EINVAL);
	campaign_destroy(&c);
	hier_destroy(&h);
	tu_rmtree(d);
}

/* A baseline with a header and no rows loads: nothing is known. */
static void test_baseline_no_rows(void **state)
{
	const char *dir = tu_tmpdir();
	char d[4096], err[512] = "";
	hier_t *h = s_hier("code,name,parent_code,level,kind\nP,P,,province,a\nV1,V1,P,village,a\n");
	campaign_t *c = NULL;
	campaign_counts_t k;

	(void)state;
	snprintf(d, sizeof(d), "%s", dir);
	assert_int_equal(campaign_load(s_with_baseline(d, "unit,hh,poor\n"), NULL, &c, err,
				       sizeof(err)), 0);
	assert_int_equal(campaign_baseline_get(c, "V1", &k), LNOB_E_NOTFOUND);
	assert_int_equal(campaign_baseline_for(c, h, hier_find(h, "P"), &k), LNOB_E_NOTFOUND);
	campaign_destroy(&c);
	hier_destroy(&h);
	tu_rmtree(d);
}

/* A small tree for resolution: P > D1 > C1 > V1, P > D2 > C2 > V2. */
static const char s_tree[] =
	"code,name,parent_code,level,kind\n"
	"P,P,,province,a\nD1,D1,P,district,a\nD2,D2,P,district,a\n"
	"C1,C1,D1,commune,a\nC2,C2,D2,commune,a\nV1,V1,C1,village,a\nV2,V2,C2,village,a\n";

static void s_expect(const campaign_t *c, const hier_t *h, const char *unit, const char *pid,
		     const char *goal, const char *target, campaign_via_t via, const char *from)
{
	campaign_applied_t a[8];
	size_t n = campaign_target_for(c, h, hier_find(h, unit), campaign_period_find(c, pid), a, 8);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i].target->goal, goal) != 0)
			continue;
		if (!target)
			fail_msg("%s %s: goal %s has target %s", unit, pid, goal, a[i].target->id);
		if (strcmp(a[i].target->id, target) != 0 || a[i].via != via ||
		    strcmp(hier_unit(h, a[i].from)->code, from) != 0)
			fail_msg("%s %s: goal %s: got %s via %d from %s", unit, pid, goal,
				 a[i].target->id, a[i].via, hier_unit(h, a[i].from)->code);
		return;
	}
	if (target)
		fail_msg("%s %s: no target for goal %s", unit, pid, goal);
}

static void test_resolution(void **state)
{
	hier_t *h = s_hier(s_tree);
	char text[8192];
	campaign_t *c;
	campaign_applied_t a[4];

	(void)state;
	snprintf(text, sizeof(text), "%s"
		 "[period 2022]\nkind = year\nstart = 2022-01-01\nend = 2022-12-31\n"
		 "[target prov]\nunits = P\ncascade = commune\ngoal = g\nindicator = poor_rate\ndown_points = 3\n"
		 "[target d2]\nunits = D2\ncascade = village\ngoal = g\nindicator = poor_rate\ndown_points = 4\n"
		 "[target communes]\nlevels = commune\ngoal = g\nindicator = pnp\ndown_percent = 50\n"
		 "[target c2]\nunits = C2\ngoal = g\nindicator = poor_rate\ndown_points = 1\n"
		 "[target villages]\nlevels = village\ngoal = g\nindicator = pnp\ndown_percent = 50\n"
		 "[target lvl-prov]\nlevels = province\ncascade = district\ngoal = g\nindicator = poor_rate\n"
		 "below = 5\n"
		 "[target only-2022]\nlevels = district\nperiods = 2022\ngoal = g2\nindicator = poor_rate\n"
		 "below = 9\n", s_base);
	c = s_load(text, h);
	/* P: its own (the unit target beats the level target on the same unit). */
	s_expect(c, h, "P", "2021", "g", "prov", CAMPAIGN_VIA_OWN, "P");
	/* D1, D2: the province level target cascades to districts; P's unit
	 * target cascades only to communes. */
	s_expect(c, h, "D1", "2021", "g", "lvl-prov", CAMPAIGN_VIA_CASCADE, "P");
	s_expect(c, h, "D2", "2021", "g", "d2", CAMPAIGN_VIA_OWN, "D2");
	/* C1: P's cascade beats the commune level default. */
	s_expect(c, h, "C1", "2021", "g", "prov", CAMPAIGN_VIA_CASCADE, "P");
	/* C2: its own overrides the cascade. */
	s_expect(c, h, "C2", "2021", "g", "c2", CAMPAIGN_VIA_OWN, "C2");
	/* V1: nothing cascades to villages on its path: the level default. */
	s_expect(c, h, "V1", "2021", "g", "villages", CAMPAIGN_VIA_LEVEL, "V1");
	/* V2: D2 (the nearest with one) cascades to villages. */
	s_expect(c, h, "V2", "2021", "g", "d2", CAMPAIGN_VIA_CASCADE, "D2");
	/* Goals in the file order; a period-limited target only in its period. */
	s_expect(c, h, "D1", "2021", "g2", NULL, CAMPAIGN_VIA_LEVEL, NULL);
	s_expect(c, h, "D1", "2022", "g2", "only-2022", CAMPAIGN_VIA_LEVEL, "D1");
	assert_int_equal(campaign_target_for(c, h, hier_find(h, "D1"), campaign_period_find(c, "2022"),
					     a, 4), 2);
	assert_string_equal(a[0].target->goal, "g");
	assert_string_equal(a[1].target->goal, "g2");
	/* max bounds what is written, not what is counted. */
	assert_int_equal(campaign_target_for(c, h, hier_find(h, "D1"), campaign_period_find(c, "2022"),
					     NULL, 0), 2);
	assert_int_equal(campaign_target_for(c, h, 99, campaign_period_find(c, "2022"), a, 4), 0);
	campaign_destroy(&c);
	hier_destroy(&h);
}

/* [awards] and [award ID]: the rules load, and every error names the line. */
#define AWARD_HEAD "[award a]\nform = giay_khen\noccasion = annual\nnominees = collective, individual\n"
static void test_errors_awards(void **state)
{
	char text[8192];
	const campaign_award_rule_t *r;
	campaign_t *c;

	(void)state;
	/* A good one: defaults, and [awards] over them. */
	snprintf(text, sizeof(text), "%s%s", s_base,
		 "[target poverty]\nlevels = province\ngoal = poverty\nindicator = poor_rate\ndown_points = 1\n"
		 "[period mid]\nkind = midterm\nstart = 2021-01-01\nend = 2021-12-31\n"
		 AWARD_HEAD "achievement = >= 110%\ncontribution = fund_vnd >= 100\n"
		 "contribution.individual = fund_vnd > 20\n"
		 "[award b]\nform = bang_khen_pm\noccasion = midterm\nperiods = mid\n"
		 "nominees = enterprise\nprogress = > 50.25%\ntargets = any\ngoals = poverty\n"
		 "disqualify = dismissal\n"
		 "[awards]\ndisqualify = warning\nlabel.giay_khen = Giấy khen\n");
	c = s_load(text, NULL);
	assert_int_equal(campaign_award_rule_count(c), 2);
	assert_int_equal(campaign_sanction_count(c), 3);
	assert_string_equal(campaign_sanction(c, 0), "none");
	assert_string_equal(campaign_sanction(c, 3), "dismissal");
	assert_null(campaign_sanction(c, 4));
	assert_int_equal(campaign_sanction_find(c, "warning"), 2);
	assert_int_equal(campaign_sanction_find(c, "scolding"), -1);
	r = campaign_award_rule_find(c, "a");
	assert_int_equal(r->form, CAMPAIGN_GIAY_KHEN);
	assert_int_equal(r->occasion, CAMPAIGN_PERIOD_YEAR);
	assert_null(r->periods);
	assert_int_equal(r->nominees, (1u << CAMPAIGN_NOMINEE_COLLECTIVE) | (1u << CAMPAIGN_NOMINEE_INDIVIDUAL));
	assert_true(r->achievement.set && !r->achievement.strict && r->achievement.bp == 11000);
	assert_false(r->progress.set);
	assert_false(r->any);
	assert_int_equal(r->contribution[CAMPAIGN_NOMINEE_COLLECTIVE].amount, 100);
	assert_false(r->contribution[CAMPAIGN_NOMINEE_COLLECTIVE].strict);
	assert_int_equal(r->contribution[CAMPAIGN_NOMINEE_INDIVIDUAL].amount, 20);
	assert_true(r->contribution[CAMPAIGN_NOMINEE_INDIVIDUAL].strict);
	assert_int_equal(r->contribution[CAMPAIGN_NOMINEE_ENTERPRISE].indicator, -1);
	assert_int_equal(r->disqualify, 2);
	assert_int_equal(r->line, BASE_LINES + 10);
	r = campaign_award_rule_find(c, "b");
	assert_int_equal(r->occasion, CAMPAIGN_PERIOD_MIDTERM);
	assert_int_equal(r->nperiods, 1);
	assert_true(r->progress.strict && r->progress.bp == 5025);
	assert_true(r->any);
	assert_int_equal(r->ngoals, 1);
	assert_int_equal(r->disqualify, 3);
	assert_string_equal(campaign_award_form_label(c, CAMPAIGN_GIAY_KHEN), "Giấy khen");
	assert_string_equal(campaign_award_form_label(c, CAMPAIGN_BANG_KHEN_PM), "bang_khen_pm");
	assert_string_equal(campaign_award_form_code(CAMPAIGN_HUAN_CHUONG_LAO_DONG), "huan_chuong_lao_dong");
	assert_int_equal(campaign_award_form_find("bang_khen_province"), CAMPAIGN_BANG_KHEN_PROVINCE);
	assert_int_equal(campaign_nominee_kind_find("household"), CAMPAIGN_NOMINEE_HOUSEHOLD);
	campaign_destroy(&c);

	/* Head: form, occasion, periods, nominees, keys, id. */
	s_base_fails("[award a]\nform = gold\n", LNOB_E_CONFIG, 2, "[award a] form: expected giay_khen");
	s_base_fails("[award a]\nform = giay_khen\n", LNOB_E_CONFIG, 1, "[award a] occasion: missing");
	s_base_fails("[award a]\nform = giay_khen\noccasion = yearly\n", LNOB_E_CONFIG, 3,
		     "occasion: expected annual, midterm or final: 'yearly'");
	s_base_fails("[award a]\nform = giay_khen\noccasion = annual\nperiods = 2099\n", LNOB_E_CONFIG, 4,
		     "[award a] periods: unknown period '2099'");
	s_base_fails("[period mid]\nkind = midterm\nstart = 2021-01-01\nend = 2021-12-31\n"
		     "[award a]\nform = giay_khen\noccasion = annual\nperiods = 2021\nperiods = mid\n",
		     LNOB_E_CONFIG, 9, "'mid' is not a period of the occasion's kind (annual)");
	s_base_fails("[award a]\nform = giay_khen\noccasion = annual\nachievement = >= 100%\n",
		     LNOB_E_CONFIG, 1, "[award a] nominees: missing");
	s_base_fails("[award a]\nform = giay_khen\noccasion = annual\nnominees = collective, robot\n",
		     LNOB_E_CONFIG, 4, "expected collective, individual, household or enterprise: 'robot'");
	s_base_fails("[award a]\nform = giay_khen\noccasion = annual\nnominees = collective\n"
		     "nominees = collective\n", LNOB_E_CONFIG, 5, "nominees: 'collective' given twice");
	s_base_fails(AWARD_HEAD "colour = gold\n", LNOB_E_CONFIG, 5, "[award a] colour: unknown key");
	s_base_fails(AWARD_HEAD "achievement = >= 100%\nachievement = >= 110%\n", LNOB_E_CONFIG, 6,
		     "achievement: given twice (first on line");
	s_base_fails("[award a/b]\nform = giay_khen\n", LNOB_E_CONFIG, 1, "bad award rule id 'a/b'");

	/* Conditions. */
	s_base_fails(AWARD_HEAD "achievement = 110%\n", LNOB_E_CONFIG, 5,
		     "[award a] achievement: expected '>= P%' or '> P%'");
	s_base_fails(AWARD_HEAD "achievement = >= 110\n", LNOB_E_CONFIG, 5, "expected '>= P%'");
	s_base_fails(AWARD_HEAD "achievement = >= 0%\n", LNOB_E_CONFIG, 5, "expected '>= P%'");
	s_base_fails(AWARD_HEAD "progress = > 50.555%\n", LNOB_E_CONFIG, 5,
		     "[award a] progress: expected '>= P%' or '> P%' with P above 0, at most 1000, 2 decimals");
	s_base_fails(AWARD_HEAD "progress = >= 1000.01%\n", LNOB_E_CONFIG, 5, "at most 1000");
	s_base_fails(AWARD_HEAD "contribution = fund_vnd >= 1e6\n", LNOB_E_CONFIG, 5,
		     "contribution: expected 'CODE >= N' or 'CODE > N'");
	s_base_fails(AWARD_HEAD "contribution = fund_vnd 100\n", LNOB_E_CONFIG, 5, "expected 'CODE >= N'");
	s_base_fails(AWARD_HEAD "contribution = hh >= 5\n", LNOB_E_CONFIG, 5,
		     "contribution: 'hh' is not an amount");
	s_base_fails(AWARD_HEAD "contribution = pnp >= 5\n", LNOB_E_CONFIG, 5, "'pnp' is not an amount");
	s_base_fails(AWARD_HEAD "contribution = nope_vnd >= 5\n", LNOB_E_CONFIG, 5,
		     "unknown indicator 'nope_vnd'");
	s_base_fails(AWARD_HEAD "contribution.robot = fund_vnd >= 5\n", LNOB_E_CONFIG, 5,
		     "contribution.robot: unknown nominee kind 'robot'");
	s_base_fails(AWARD_HEAD "contribution.household = fund_vnd >= 5\n", LNOB_E_CONFIG, 5,
		     "contribution.household: 'household' is not in nominees");
	s_base_fails(AWARD_HEAD "source = nothing\n", LNOB_E_CONFIG, 1,
		     "[award a]: no condition (achievement, progress or contribution)");
	s_base_fails(AWARD_HEAD "contribution.individual = fund_vnd >= 5\n", LNOB_E_CONFIG, 1,
		     "no condition for nominees of kind 'collective'");
	s_base_fails(AWARD_HEAD "progress = > 50%\ntargets = most\n", LNOB_E_CONFIG, 6,
		     "[award a] targets: expected all or any: 'most'");
	s_base_fails(AWARD_HEAD "contribution = fund_vnd >= 5\ntargets = any\n", LNOB_E_CONFIG, 6,
		     "targets: only with achievement or progress");
	s_base_fails(AWARD_HEAD "progress = > 50%\ngoals = nosuch\n", LNOB_E_CONFIG, 6,
		     "[award a] goals: no target has goal 'nosuch'");
	s_base_fails(AWARD_HEAD "progress = > 50%\ndisqualify = scolding\n", LNOB_E_CONFIG, 6,
		     "[award a] disqualify: 'scolding' is not one of the sanctions");

	/* [awards]. */
	s_base_fails("[awards x]\nsanctions = a\n", LNOB_E_CONFIG, 1, "[awards] takes no id");
	s_base_fails("[awards]\nsanctions = reprimand\nsanctions = none\n", LNOB_E_CONFIG, 3,
		     "'none' is reserved");
	s_base_fails("[awards]\nsanctions = reprimand, warning, reprimand\n", LNOB_E_CONFIG, 2,
		     "[awards] sanctions: 'reprimand' given twice");
	s_base_fails("[awards]\nsanctions = a, b\ndisqualify = reprimand\n", LNOB_E_CONFIG, 3,
		     "[awards] disqualify: 'reprimand' is not one of the sanctions");
	s_base_fails("[awards]\nlabel.gold = Vàng\n", LNOB_E_CONFIG, 2,
		     "[awards] label.gold: unknown award form 'gold'");
	s_base_fails("[awards]\nbudget = 5\n", LNOB_E_CONFIG, 2, "[awards] budget: unknown key");
}

/* ---- the samples ------------------------------------------------------ */

static hier_t *s_sample_hier(void)
{
	char path[4200], err[512] = "";
	hier_t *h = NULL;

	snprintf(path, sizeof(path), "%s/deploy/samples/province/units.csv", s_root());
	if (hier_load_csv(path, &h, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return h;
}

static campaign_t *s_sample(const char *name, const hier_t *h)
{
	char path[4200], err[512] = "";
	campaign_t *c = NULL;

	snprintf(path, sizeof(path), "%s/deploy/samples/campaigns/%s", s_root(), name);
	if (campaign_load(path, h, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return c;
}

static void test_samples(void **state)
{
	hier_t *h = s_sample_hier();
	campaign_t *dn = s_sample("daknong.ini", h), *vp = s_sample("vinhphuc.ini", h);
	size_t levels[4] = { 0 };
	const char *names[4] = { "province", "district", "commune", "village" };
	const campaign_cluster_t *cl[4];
	campaign_counts_t k;
	double pct;

	(void)state;
	for (size_t i = 0; i < hier_count(h); i++)
		for (int l = 0; l < 4; l++)
			levels[l] += strcmp(hier_unit(h, (int)i)->level, names[l]) == 0;
	assert_int_equal(levels[0], 1);
	assert_true(levels[1] >= 8);
	assert_true(levels[2] >= 60);
	assert_true(levels[3] >= 600);

	assert_string_equal(campaign_id(dn), "lnob-2021-2025");
	assert_int_equal(campaign_period_count(dn), 7);
	assert_int_equal(campaign_period_find(dn, "midterm-2023")->kind, CAMPAIGN_PERIOD_MIDTERM);
	assert_int_equal(campaign_period_find(dn, "midterm-2023")->years, 3);
	assert_int_equal(campaign_period_find(dn, "final-2025")->kind, CAMPAIGN_PERIOD_FINAL);
	assert_int_equal(campaign_period_find(dn, "final-2025")->years, 5);
	assert_string_equal(campaign_period_previous(dn, campaign_period_find(dn, "final-2025"))->id, "2024");
	assert_string_equal(campaign_period_previous(dn, campaign_period_find(dn, "midterm-2023"))->id,
			    "2022");
	assert_string_equal(campaign_period_previous(dn, campaign_period_find(dn, "2022"))->id, "2021");
	assert_null(campaign_period_previous(dn, campaign_period_find(dn, "2021")));

	/* Resolution on the sample: poor districts, others, communes, villages. */
	s_expect(dn, h, "DNO", "2023", "poverty", "province-poverty", CAMPAIGN_VIA_LEVEL, "DNO");
	s_expect(dn, h, "DNO", "2023", "em-poverty", "province-em-poverty", CAMPAIGN_VIA_LEVEL, "DNO");
	s_expect(dn, h, "DGL", "2023", "poverty", "poor-districts", CAMPAIGN_VIA_OWN, "DGL");
	s_expect(dn, h, "TDU", "2023", "poverty", "poor-districts", CAMPAIGN_VIA_OWN, "TDU");
	s_expect(dn, h, "KNO", "2023", "poverty", "districts", CAMPAIGN_VIA_LEVEL, "KNO");
	s_expect(dn, h, "KNO", "2023", "em-poverty", NULL, CAMPAIGN_VIA_LEVEL, NULL);
	s_expect(dn, h, "DGL-03", "2023", "poverty", "communes", CAMPAIGN_VIA_LEVEL, "DGL-03");
	s_expect(dn, h, "DGL-03-02", "2023", "poverty", "villages", CAMPAIGN_VIA_LEVEL, "DGL-03-02");
	/* Vĩnh Phúc: the province's goal cascades to communes and villages. */
	s_expect(vp, h, "KNO-04", "2023", "poverty", "province-poverty", CAMPAIGN_VIA_CASCADE, "DNO");
	s_expect(vp, h, "KNO-04-01", "2023", "poverty", "province-poverty", CAMPAIGN_VIA_CASCADE, "DNO");
	s_expect(vp, h, "KNO", "2023", "poverty", "districts", CAMPAIGN_VIA_LEVEL, "KNO");
	s_expect(vp, h, "KNO-04", "2023", "new-rural", "communes-new-rural", CAMPAIGN_VIA_LEVEL, "KNO-04");

	/* Reporting levels: villages report the counts, every level its own
	 * fund_vnd; in both campaigns. */
	for (int l = 0; l < 4; l++) {
		for (int w = 0; w < 2; w++) {
			const campaign_t *c = w ? vp : dn;

			assert_int_equal(campaign_level_reports(c, campaign_indicator_find(
				c, "households_total"), names[l]), l == 3);
			assert_int_equal(campaign_level_reports(c, campaign_indicator_find(
				c, "poor_households"), names[l]), l == 3);
			assert_true(campaign_level_reports(c, campaign_indicator_find(c, "fund_vnd"),
							   names[l]));
			assert_false(campaign_level_reports(c, campaign_indicator_find(c, "poor_rate"),
							    names[l]));
		}
	}

	/* Clusters. */
	assert_int_equal(campaign_cluster_count(dn), 4);
	assert_int_equal(campaign_cluster_find(dn, "khoi-thi-tran")->nmembers, 7);
	assert_int_equal(campaign_clusters_of(dn, "TDU", cl, 4), 1);
	assert_string_equal(cl[0]->id, "cum-1");
	assert_int_equal(campaign_clusters_of(dn, "TDU-02", cl, 4), 1);
	assert_string_equal(cl[0]->id, "xa-bien-gioi");
	assert_int_equal(campaign_clusters_of(dn, "DNO", cl, 4), 0);

	/* The baseline: the province's poor rate from its summed counts. */
	assert_int_equal(campaign_baseline_for(dn, h, hier_find(h, "DNO"), &k), 0);
	assert_int_equal(campaign_value_display(dn, &k, campaign_indicator_find(dn, "poor_rate"), &pct), 0);
	assert_true(pct > 1.0 && pct < 40.0);
	assert_string_equal(campaign_indicator(dn, campaign_indicator_find(dn, "poor_rate"))->label,
			    "Tỷ lệ hộ nghèo");
	/* Deadlines: 5 December (Đắk Nông), 1 December (Vĩnh Phúc). */
	int64_t t;
	assert_int_equal(campaign_deadline_for(dn, "commune", campaign_period_find(dn, "2024"), &t), 0);
	assert_int_equal(t, s_utc(2024, 12, 4, 17, 0, 0));
	assert_int_equal(campaign_deadline_for(vp, "district", campaign_period_find(vp, "final-2025"), &t), 0);
	assert_int_equal(t, s_utc(2025, 11, 30, 17, 0, 0));
	assert_int_equal(campaign_deadline_for(dn, "province", campaign_period_find(dn, "2024"), &t),
			 LNOB_E_NOTFOUND);
	campaign_destroy(&dn);
	campaign_destroy(&vp);
	hier_destroy(&h);
}

/* ---- the seeds' numbers, just above and just below ------------------- */

/* Đắk Nông: poor rate down >= 3 points a year on average (province). */
static void test_daknong_province(void **state)
{
	hier_t *h = s_sample_hier();
	campaign_t *c = s_sample("daknong.ini", h);
	campaign_counts_t base = COUNTS(c, "households_total=10000", "poor_households=1500");
	campaign_counts_t cur;
	campaign_eval_t ev;

	(void)state;
	/* 2021: 15 % -> 12 % is exactly 3 points: met, achievement 100 %. */
	cur = COUNTS(c, "households_total=10000", "poor_households=1200");
	ev = s_eval(c, "province-poverty", "2021", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_int_equal(ev.achievement_bp, 10000);
	assert_true(ev.achievement_exact);
	/* One household more: 2.99 points: not met. */
	cur = COUNTS(c, "households_total=10000", "poor_households=1201");
	ev = s_eval(c, "province-poverty", "2021", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	assert_int_equal(ev.achievement_bp, 9966);   /* 2.99 / 3 = 99.666.. % */
	assert_false(ev.achievement_exact);
	/* 2023 is year 3: 9 points under the baseline, whatever 2022 was.
	 * 15 % -> 6 % over 9999 households: 599 poor (5.9906 %) met, 600 not. */
	cur = COUNTS(c, "households_total=9999", "poor_households=599");
	ev = s_eval(c, "province-poverty", "2023", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_true(ev.required > 8.999 && ev.required < 9.001);
	assert_true(ev.goal > 14.999 && ev.goal < 15.001);
	cur = COUNTS(c, "households_total=9999", "poor_households=600");
	ev = s_eval(c, "province-poverty", "2023", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	/* Mid-term review 2023 and final 2025 use the same average path. */
	ev = s_eval(c, "province-poverty", "midterm-2023", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	cur = COUNTS(c, "households_total=10000", "poor_households=0");
	ev = s_eval(c, "province-poverty", "final-2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_int_equal(ev.achievement_bp, 10000);
	assert_int_equal(ev.progress_bp, 10000);
	/* A rise is a negative achievement, floored. */
	cur = COUNTS(c, "households_total=10000", "poor_households=1501");
	ev = s_eval(c, "province-poverty", "2021", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	assert_int_equal(ev.achievement_bp, -34);    /* -0.01 / 3 = -0.33.. % */
	/* Missing counts or an empty denominator: no data. */
	cur = COUNTS(c, "households_total=10000");
	ev = s_eval(c, "province-poverty", "2021", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NO_DATA);
	cur = COUNTS(c, "households_total=0", "poor_households=0");
	ev = s_eval(c, "province-poverty", "2021", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NO_DATA);
	assert_false(ev.has_cur);
	campaign_destroy(&c);
	hier_destroy(&h);
}

/* Đắk Nông: ethnic-minority poor rate down >= 5 points a year. */
static void test_daknong_em(void **state)
{
	hier_t *h = s_sample_hier();
	campaign_t *c = s_sample("daknong.ini", h);
	campaign_counts_t base = COUNTS(c, "em_households_total=4000", "em_poor_households=1200");
	campaign_counts_t cur;
	campaign_eval_t ev;

	(void)state;
	/* 30 % -> 25 % in 2021: exactly 5 points. */
	cur = COUNTS(c, "em_households_total=4000", "em_poor_households=1000");
	assert_int_equal(s_eval(c, "province-em-poverty", "2021", &base, NULL, &cur).verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "em_households_total=4000", "em_poor_households=1001");
	assert_int_equal(s_eval(c, "province-em-poverty", "2021", &base, NULL, &cur).verdict,
			 CAMPAIGN_NOT_MET);
	/* 2022: 10 points: 20 % of 4100 = 820. */
	cur = COUNTS(c, "em_households_total=4100", "em_poor_households=820");
	ev = s_eval(c, "province-em-poverty", "2022", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_int_equal(ev.achievement_bp, 10000);
	cur = COUNTS(c, "em_households_total=4100", "em_poor_households=821");
	assert_int_equal(s_eval(c, "province-em-poverty", "2022", &base, NULL, &cur).verdict,
			 CAMPAIGN_NOT_MET);
	campaign_destroy(&c);
	hier_destroy(&h);
}

/* Đắk Nông: poor districts >= 4 points a year; other districts and
 * communes 3 points or poor + near-poor down 50 %; villages 50 %. */
static void test_daknong_levels(void **state)
{
	hier_t *h = s_sample_hier();
	campaign_t *c = s_sample("daknong.ini", h);
	campaign_counts_t base = COUNTS(c, "households_total=10000", "poor_households=3000",
					"near_poor_households=1000");
	campaign_counts_t cur;
	campaign_eval_t ev;

	(void)state;
	/* Poor district, 2022: 8 points: 30 % -> 22 %. */
	cur = COUNTS(c, "households_total=10000", "poor_households=2200", "near_poor_households=1000");
	assert_int_equal(s_eval(c, "poor-districts", "2022", &base, NULL, &cur).verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "households_total=10000", "poor_households=2201", "near_poor_households=1000");
	assert_int_equal(s_eval(c, "poor-districts", "2022", &base, NULL, &cur).verdict, CAMPAIGN_NOT_MET);
	/* The same figures meet the ordinary districts' 3 points a year (6). */
	ev = s_eval(c, "districts", "2022", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_string_equal(ev.decided_by->id, "rate-3-points");

	/* Communes, 2021: the rate alternative fails (only 1 point), the scale
	 * alternative asks 10 % of 4000 in year 1 of 5: 3600 met, 3601 not. */
	cur = COUNTS(c, "households_total=10000", "poor_households=2900", "near_poor_households=700");
	ev = s_eval(c, "communes", "2021", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_string_equal(ev.decided_by->id, "scale-50-percent");
	cur = COUNTS(c, "households_total=10000", "poor_households=2900", "near_poor_households=701");
	ev = s_eval(c, "communes", "2021", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	/* The deciding alternative is the closer one: 1 point of 3 (33 %) vs
	 * 399 of 400 households (99.75 %). */
	assert_string_equal(ev.decided_by->id, "scale-50-percent");
	assert_int_equal(ev.achievement_bp, 9975);
	/* 2025 (and the final review): the full 50 %: 2000 met, 2001 not. */
	cur = COUNTS(c, "households_total=10000", "poor_households=1500", "near_poor_households=500");
	assert_int_equal(s_eval(c, "communes", "final-2025", &base, NULL, &cur).verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "households_total=10000", "poor_households=1501", "near_poor_households=500");
	ev = s_eval(c, "communes", "final-2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);   /* 14.99 points; 2001 households */
	cur = COUNTS(c, "households_total=10000", "poor_households=1499", "near_poor_households=502");
	ev = s_eval(c, "communes", "final-2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);       /* 15.01 points, though 2001 households */
	assert_string_equal(ev.decided_by->id, "rate-3-points");
	cur = COUNTS(c, "households_total=10000", "poor_households=1600", "near_poor_households=401");
	ev = s_eval(c, "communes", "final-2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	/* Missing near-poor counts: the scale alternative has no data, so the
	 * any_of cannot say "not met". */
	cur = COUNTS(c, "households_total=10000", "poor_households=2900");
	assert_int_equal(s_eval(c, "communes", "2021", &base, NULL, &cur).verdict, CAMPAIGN_NO_DATA);

	/* Villages: poor + near-poor 120 -> 60 by 2025 (exactly 50 % met). */
	campaign_counts_t vb = COUNTS(c, "poor_households=80", "near_poor_households=40");
	cur = COUNTS(c, "poor_households=40", "near_poor_households=20");
	ev = s_eval(c, "villages", "2025", &vb, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_int_equal(ev.achievement_bp, 10000);
	cur = COUNTS(c, "poor_households=40", "near_poor_households=21");
	assert_int_equal(s_eval(c, "villages", "2025", &vb, NULL, &cur).verdict, CAMPAIGN_NOT_MET);
	/* Mid-term 2023: 30 % (84 left) met, 85 not. */
	cur = COUNTS(c, "poor_households=60", "near_poor_households=24");
	assert_int_equal(s_eval(c, "villages", "midterm-2023", &vb, NULL, &cur).verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "poor_households=60", "near_poor_households=25");
	ev = s_eval(c, "villages", "midterm-2023", &vb, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	assert_int_equal(ev.progress_bp, 5833);   /* 35 of the 60 by 2025 */
	/* A village with nobody poor at the baseline has nothing to reduce. */
	campaign_counts_t zero = COUNTS(c, "poor_households=0", "near_poor_households=0");
	assert_int_equal(s_eval(c, "villages", "2021", &zero, NULL, &zero).verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "poor_households=1", "near_poor_households=0");
	ev = s_eval(c, "villages", "2021", &zero, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	assert_false(ev.has_achievement);
	campaign_destroy(&c);
	hier_destroy(&h);
}

/* Vĩnh Phúc: below 0.5 % by 2025 (linear path), > 50 % for districts,
 * 100 % health coverage, at most 2 % for communes by 2022. */
static void test_vinhphuc(void **state)
{
	hier_t *h = s_sample_hier();
	campaign_t *c = s_sample("vinhphuc.ini", h);
	campaign_counts_t base = COUNTS(c, "households_total=10000", "poor_households=1000",
					"near_poor_households=200", "pnp_members=5000",
					"pnp_members_insured=4500");
	campaign_counts_t cur;
	campaign_eval_t ev;

	(void)state;
	/* 2025: below 0.5 %: 49 of 10000 met, 50 (exactly 0.5 %) not. */
	cur = COUNTS(c, "households_total=10000", "poor_households=49");
	assert_int_equal(s_eval(c, "province-poverty", "2025", &base, NULL, &cur).verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "households_total=10000", "poor_households=50");
	assert_int_equal(s_eval(c, "province-poverty", "2025", &base, NULL, &cur).verdict,
			 CAMPAIGN_NOT_MET);
	/* 2023, year 3 of 5: 10 % + (0.5 − 10) × 3/5 = 4.3 %: 429 met, 430 not. */
	cur = COUNTS(c, "households_total=10000", "poor_households=429");
	ev = s_eval(c, "province-poverty", "2023", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "households_total=10000", "poor_households=430");
	ev = s_eval(c, "province-poverty", "2023", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	assert_int_equal(ev.achievement_bp, 10000);   /* 5.7 of 5.7 points, yet not below */
	assert_int_equal(ev.progress_bp, 6000);
	/* Districts: strictly more than 50 %: 1200 -> 600 not met, 599 met. */
	cur = COUNTS(c, "poor_households=400", "near_poor_households=200");
	ev = s_eval(c, "districts", "2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	assert_true(ev.achievement_exact);
	assert_true(campaign_eval_achieves(&ev, 10000, false));
	assert_false(campaign_eval_achieves(&ev, 10000, true));
	cur = COUNTS(c, "poor_households=399", "near_poor_households=200");
	ev = s_eval(c, "districts", "2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_true(campaign_eval_achieves(&ev, 10000, true));
	assert_false(campaign_eval_achieves(&ev, 10017, false));   /* 601/600 = 100.1666.. % */
	assert_true(campaign_eval_achieves(&ev, 10016, true));
	/* Health coverage at least 100 % by 2025. */
	cur = COUNTS(c, "pnp_members=4000", "pnp_members_insured=4000");
	assert_int_equal(s_eval(c, "province-health", "2025", &base, NULL, &cur).verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "pnp_members=4000", "pnp_members_insured=3999");
	assert_int_equal(s_eval(c, "province-health", "2025", &base, NULL, &cur).verdict,
			 CAMPAIGN_NOT_MET);
	/* Communes at most 2 % by 2022; from 2022 on, 2 % itself is fine. */
	cur = COUNTS(c, "households_total=10000", "poor_households=200");
	assert_int_equal(s_eval(c, "communes-new-rural", "2024", &base, NULL, &cur).verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "households_total=10000", "poor_households=201");
	assert_int_equal(s_eval(c, "communes-new-rural", "2022", &base, NULL, &cur).verdict,
			 CAMPAIGN_NOT_MET);
	/* 2021, half way: 10 % -> 6 %: 600 met, 601 not. */
	cur = COUNTS(c, "households_total=10000", "poor_households=600");
	assert_int_equal(s_eval(c, "communes-new-rural", "2021", &base, NULL, &cur).verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "households_total=10000", "poor_households=601");
	assert_int_equal(s_eval(c, "communes-new-rural", "2021", &base, NULL, &cur).verdict,
			 CAMPAIGN_NOT_MET);
	campaign_destroy(&c);
	hier_destroy(&h);
}

/* basis annual, pace end, and the exactness floating point lacks. */
static void test_arithmetic(void **state)
{
	char text[8192];
	campaign_t *c;
	campaign_counts_t base, prev, cur;
	campaign_eval_t ev;

	(void)state;
	snprintf(text, sizeof(text), "%s"
		 "[period 2022]\nkind = year\nstart = 2022-01-01\nend = 2022-12-31\n"
		 "[period 2025]\nkind = year\nstart = 2025-01-01\nend = 2025-12-31\n"
		 "[target annual]\nlevels = district\nindicator = poor_rate\ndown_points = 0.25\n"
		 "basis = annual\n"
		 "[target annual-pct]\nlevels = commune\nindicator = pnp\ndown_percent = 10%%\n"
		 "basis = annual\nstrict = yes\n"
		 "[target at-end]\nlevels = village\nindicator = poor_rate\nbelow = 1%%\npace = end\n"
		 "[target avg]\nlevels = province\nindicator = poor_rate\ndown_points = 3\n", s_base);
	c = s_load(text, NULL);
	base = COUNTS(c, "hh=1000", "poor=100", "near=100");
	/* Annual: vs the previous year, 0.25 points: 8.00 % -> 7.75 %. */
	prev = COUNTS(c, "hh=1000", "poor=80", "near=100");
	cur = COUNTS(c, "hh=4000", "poor=310", "near=90");
	ev = s_eval(c, "annual", "2022", &base, &prev, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_true(ev.has_prev);
	assert_true(ev.change_prev > 0.2499 && ev.change_prev < 0.2501);
	cur = COUNTS(c, "hh=4000", "poor=311", "near=90");
	assert_int_equal(s_eval(c, "annual", "2022", &base, &prev, &cur).verdict, CAMPAIGN_NOT_MET);
	/* Without the previous year's counts: no data; in the first year the
	 * baseline is the previous. */
	assert_int_equal(s_eval(c, "annual", "2022", &base, NULL, &cur).verdict, CAMPAIGN_NO_DATA);
	cur = COUNTS(c, "hh=1000", "poor=97", "near=0");
	assert_int_equal(s_eval(c, "annual", "2021", &base, NULL, &cur).verdict, CAMPAIGN_MET);
	/* Strictly more than 10 % of the previous 180: 162 not met, 161 met. */
	cur = COUNTS(c, "poor=80", "near=82");
	assert_int_equal(s_eval(c, "annual-pct", "2022", &base, &prev, &cur).verdict, CAMPAIGN_NOT_MET);
	cur = COUNTS(c, "poor=80", "near=81");
	assert_int_equal(s_eval(c, "annual-pct", "2022", &base, &prev, &cur).verdict, CAMPAIGN_MET);
	/* pace end: not due before 2025, progress given; judged in 2025. */
	cur = COUNTS(c, "hh=1000", "poor=5");
	ev = s_eval(c, "at-end", "2022", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_DUE);
	assert_false(ev.has_achievement);
	assert_true(ev.has_progress);
	assert_int_equal(ev.progress_bp, 10555);   /* 9.5 of 9 points */
	assert_int_equal(s_eval(c, "at-end", "2025", &base, NULL, &cur).verdict, CAMPAIGN_MET);
	cur = COUNTS(c, "hh=1000", "poor=10");
	assert_int_equal(s_eval(c, "at-end", "2025", &base, NULL, &cur).verdict, CAMPAIGN_NOT_MET);

	/* Exactly 3 points, with denominators where double arithmetic gives
	 * 100 × (0.3 − 0.27) = 2.9999999999999996 and would say "not met". */
	base = COUNTS(c, "hh=1000000000000000", "poor=300000000000000");
	cur = COUNTS(c, "hh=999999999999900", "poor=269999999999973");
	assert_true(100.0 * (0.3 - 269999999999973.0 / 999999999999900.0) < 3.0);
	ev = s_eval(c, "avg", "2021", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_int_equal(ev.achievement_bp, 10000);
	assert_true(ev.achievement_exact);
	/* One household more, over 10^15: just below. */
	cur = COUNTS(c, "hh=999999999999900", "poor=269999999999974");
	ev = s_eval(c, "avg", "2021", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	assert_int_equal(ev.achievement_bp, 9999);
	/* The largest values do not overflow. */
	base = COUNTS(c, "hh=1000000000000000", "poor=1000000000000000");
	cur = COUNTS(c, "hh=1000000000000000", "poor=0");
	ev = s_eval(c, "avg", "2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_int_equal(ev.achievement_bp, 66666);
	/* A rate at 0 has nothing left to reduce: no reduction is required of
	 * it (no achievement), and it must stay at 0. */
	cur = COUNTS(c, "hh=1", "poor=1");
	base = COUNTS(c, "hh=1000000000000000", "poor=0");
	ev = s_eval(c, "avg", "2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	assert_false(ev.has_achievement);
	cur = COUNTS(c, "hh=1000", "poor=0");
	ev = s_eval(c, "avg", "2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_false(ev.has_achievement);
	/* "Down 3 points a year" from 2 %: 15 points cannot be asked of it by
	 * 2025, only the 2 points there are; brought to 0 it has met it. */
	base = COUNTS(c, "hh=1000", "poor=20");
	ev = s_eval(c, "avg", "2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_MET);
	assert_int_equal(ev.achievement_bp, 10000);
	cur = COUNTS(c, "hh=1000", "poor=1");
	ev = s_eval(c, "avg", "2025", &base, NULL, &cur);
	assert_int_equal(ev.verdict, CAMPAIGN_NOT_MET);
	assert_int_equal(ev.achievement_bp, 9500);
	campaign_destroy(&c);
}

/* Deadlines of the seeds and the classification of reports. */
static void test_timeliness(void **state)
{
	char text[8192];
	campaign_t *c;
	campaign_timeliness_t r;
	int64_t late, t;
	const int64_t skew = 300;

	(void)state;
	/* Lai Châu: districts (and departments) before 20 November to DOLISA,
	 * which reports the province's before 30 November. A period may set
	 * its own. */
	snprintf(text, sizeof(text),
		 "[campaign]\nid = laichau\nname = Lai Châu\nstart = 2021-01-01\nend = 2025-12-31\n"
		 "baseline_date = 2020-12-31\nlevels = province, department, district\n"
		 "[indicators]\nhh = count\n"
		 "[deadlines]\nprovince = before 11-30\ndistrict = before 11-20\n"
		 "department = before 11-20\n"
		 "[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n"
		 "[period midterm-2023]\nkind = midterm\nstart = 2021-01-01\nend = 2023-06-30\n"
		 "deadline.district = before 2023-07-15\ndeadline.province = by 2023-07-20 16:30\n");
	c = s_load(text, NULL);
	const campaign_period_t *y = campaign_period_find(c, "2023"), *m =
		campaign_period_find(c, "midterm-2023");
	assert_int_equal(campaign_deadline_for(c, "district", y, &t), 0);
	assert_int_equal(t, s_utc(2023, 11, 19, 17, 0, 0));
	assert_int_equal(campaign_deadline_for(c, "province", y, &t), 0);
	assert_int_equal(t, s_utc(2023, 11, 29, 17, 0, 0));
	assert_int_equal(campaign_deadline_for(c, "district", m, &t), 0);
	assert_int_equal(t, s_utc(2023, 7, 14, 17, 0, 0));
	assert_int_equal(campaign_deadline_for(c, "province", m, &t), 0);
	assert_int_equal(t, s_utc(2023, 7, 20, 9, 31, 0));
	assert_int_equal(campaign_deadline_for(c, "department", m, &t), 0);   /* the annual one */
	assert_int_equal(t, s_utc(2023, 11, 19, 17, 0, 0));

	/* 20 November, district: late from 2023-11-20 00:00 +07. */
	assert_int_equal(campaign_deadline_for(c, "district", y, &late), 0);
	assert_int_equal(campaign_classify(late, late - 3600, late - 60, skew, &r), 0);
	assert_true(r.on_time && !r.arrived_late && !r.by_skew && !r.clock_suspect);
	/* Completed (signed) on 19 Nov, arrived three days late: on time, noted. */
	assert_int_equal(campaign_classify(late, late - 1, late + 3 * 86400, skew, &r), 0);
	assert_true(r.on_time && r.arrived_late && !r.by_skew);
	/* Completed and arrived on 20 Nov: late. */
	assert_int_equal(campaign_classify(late, late + 3600, late + 7200, skew, &r), 0);
	assert_true(!r.on_time && r.arrived_late);
	/* Within the skew bound after the deadline: on time, by the skew. */
	assert_int_equal(campaign_classify(late, late + skew - 1, late + 86400, skew, &r), 0);
	assert_true(r.on_time && r.by_skew);
	assert_int_equal(campaign_classify(late, late + skew, late + 86400, skew, &r), 0);
	assert_false(r.on_time);
	assert_int_equal(campaign_classify(late, late, late + 86400, 0, &r), 0);
	assert_false(r.on_time);
	/* A stamp later than its own arrival (beyond the skew): the clock is
	 * off; judged by arrival. */
	assert_int_equal(campaign_classify(late, late + 86400, late + 60, skew, &r), 0);
	assert_true(!r.on_time && r.clock_suspect);
	assert_int_equal(campaign_classify(late, late + skew + 1, late - 1, skew, &r), 0);
	assert_true(r.on_time && r.clock_suspect);            /* arrived in time all the same */
	assert_int_equal(campaign_classify(late, late + 10, late + 5, skew, &r), 0);
	assert_true(r.on_time && r.by_skew && !r.clock_suspect);
	/* Absurd stamps do not overflow. */
	assert_int_equal(campaign_classify(late, INT64_MAX, INT64_MIN, skew, &r), 0);
	assert_true(r.clock_suspect);
	assert_int_equal(campaign_classify(late, INT64_MIN, late + 1, skew, &r), 0);
	assert_true(r.on_time);
	assert_int_equal(campaign_classify(late, late, late, -1, &r), -EINVAL);
	assert_int_equal(campaign_classify(late, late, late, 0, NULL), -EINVAL);

	/* 30 November, province. */
	assert_int_equal(campaign_deadline_for(c, "province", y, &late), 0);
	assert_int_equal(campaign_classify(late, s_utc(2023, 11, 29, 16, 59, 59),
					   s_utc(2023, 12, 2, 1, 0, 0), skew, &r), 0);
	assert_true(r.on_time && r.arrived_late);
	assert_int_equal(campaign_classify(late, s_utc(2023, 11, 29, 17, 5, 0),
					   s_utc(2023, 11, 29, 17, 6, 0), skew, &r), 0);
	assert_false(r.on_time);
	campaign_destroy(&c);

	/* 1 December (Vĩnh Phúc) and 5 December (Đắk Nông). */
	hier_t *h = s_sample_hier();
	campaign_t *vp = s_sample("vinhphuc.ini", h), *dn = s_sample("daknong.ini", h);
	assert_int_equal(campaign_deadline_for(vp, "district", campaign_period_find(vp, "2022"), &late), 0);
	assert_int_equal(late, s_utc(2022, 11, 30, 17, 0, 0));
	/* 30 Nov 23:59:59 local: on time; 1 Dec 00:00:00 local, arrived at
	 * once: late. */
	assert_int_equal(campaign_classify(late, late - 1, late + 10, 0, &r), 0);
	assert_true(r.on_time && r.arrived_late);
	assert_int_equal(campaign_classify(late, late, late + 10, 0, &r), 0);
	assert_false(r.on_time);
	assert_int_equal(campaign_deadline_for(dn, "village", campaign_period_find(dn, "2022"), &late), 0);
	assert_int_equal(late, s_utc(2022, 12, 4, 17, 0, 0));
	assert_int_equal(campaign_classify(late, s_utc(2022, 12, 4, 16, 59, 0),
					   s_utc(2022, 12, 20, 0, 0, 0), skew, &r), 0);
	assert_true(r.on_time && r.arrived_late);
	assert_int_equal(campaign_classify(late, s_utc(2022, 12, 4, 17, 30, 0),
					   s_utc(2022, 12, 4, 17, 31, 0), skew, &r), 0);
	assert_false(r.on_time);
	campaign_destroy(&vp);
	campaign_destroy(&dn);
	hier_destroy(&h);
}

/* ---- reporting levels ------------------------------------------------ */

/* True when indicator code is reported at level in c. */
static bool s_reports(const campaign_t *c, const char *code, const char *level)
{
	int i = campaign_indicator_find(c, code);

	assert_true(i >= 0);
	return campaign_level_reports(c, i, level);
}

/* The base with text inserted after line 7 (levels). */
static campaign_t *s_base_with(const char *after_levels, const char *extra)
{
	char text[8192];
	const char *l8 = strstr(s_base, "[indicators]\n");

	assert_non_null(l8);
	snprintf(text, sizeof(text), "%.*s%s%s%s", (int)(l8 - s_base), s_base, after_levels, l8,
		 extra);
	return s_load(text, NULL);
}

static void test_reported_by(void **state)
{
	static const char *const all[] = { "province", "district", "commune", "village" };
	campaign_t *c;

	(void)state;
	/* Default: the lowest declared level reports every count and amount. */
	c = s_load(s_base, NULL);
	assert_true(s_reports(c, "hh", "village"));
	assert_true(s_reports(c, "fund_vnd", "village"));
	for (int l = 0; l < 3; l++) {
		assert_false(s_reports(c, "hh", all[l]));
		assert_false(s_reports(c, "fund_vnd", all[l]));
	}
	/* Derived indicators, bad indices, undeclared levels: never. */
	assert_false(s_reports(c, "pnp", "village"));
	assert_false(s_reports(c, "poor_rate", "village"));
	assert_false(campaign_level_reports(c, -1, "village"));
	assert_false(campaign_level_reports(c, 6, "village"));
	assert_false(s_reports(c, "hh", "hamlet"));
	assert_false(s_reports(c, "hh", ""));
	assert_false(s_reports(c, "hh", NULL));
	assert_false(campaign_level_reports(NULL, 0, "village"));
	campaign_destroy(&c);

	/* A list. */
	c = s_base_with("reported_by = commune, village\n", "");
	assert_true(s_reports(c, "poor", "commune"));
	assert_true(s_reports(c, "poor", "village"));
	assert_false(s_reports(c, "poor", "district"));
	assert_false(s_reports(c, "poor", "province"));
	campaign_destroy(&c);

	/* all: every declared level. */
	c = s_base_with("reported_by = all\n", "");
	for (int l = 0; l < 4; l++)
		assert_true(s_reports(c, "near", all[l]));
	assert_false(s_reports(c, "near", "hamlet"));
	assert_false(s_reports(c, "pnp", "province"));
	campaign_destroy(&c);

	/* Per-indicator exceptions; the others keep the default. */
	c = s_base_with("reported_by = village\n",
			"[reported_by]\nfund_vnd = all\nnear = district, commune\n");
	for (int l = 0; l < 4; l++)
		assert_true(s_reports(c, "fund_vnd", all[l]));
	assert_true(s_reports(c, "near", "district"));
	assert_true(s_reports(c, "near", "commune"));
	assert_false(s_reports(c, "near", "village"));
	assert_false(s_reports(c, "near", "province"));
	assert_true(s_reports(c, "hh", "village"));
	assert_false(s_reports(c, "hh", "commune"));
	campaign_destroy(&c);
	/* ... also over the default default. */
	c = s_base_with("", "[reported_by]\npoor = commune\n");
	assert_true(s_reports(c, "poor", "commune"));
	assert_false(s_reports(c, "poor", "village"));
	assert_true(s_reports(c, "hh", "village"));
	campaign_destroy(&c);
}

static void test_errors_reported_by(void **state)
{
	(void)state;
	/* [campaign] reported_by (line 8, after levels). */
	s_base_line_fails(7, "levels = province, district, commune, village\nreported_by = hamlet", 8,
			  "[campaign] reported_by: unknown level 'hamlet'");
	s_base_line_fails(7, "levels = province, district, commune, village\nreported_by = all, village",
			  8, "[campaign] reported_by: 'all' stands alone");
	s_base_line_fails(7, "levels = province, district, commune, village\n"
			  "reported_by = village, commune, village", 8, "'village' given twice");
	s_base_line_fails(7, "levels = province, district, commune, village\nreported_by =", 8,
			  "[campaign] reported_by: empty");
	s_base_line_fails(7, "levels = province, district, commune, village\nreported_by = village, ",
			  8, "empty item");
	s_base_line_fails(7, "levels = province, district, commune, village\nreported_by = village\n"
			  "reported_by = commune", 9, "[campaign] reported_by: given twice (first on line 8)");
	s_base_line_fails(7, "levels = province, all", 7, "'all' is not a level name");
	/* [reported_by] (from line BASE_LINES + 1). */
	s_base_fails("[reported_by]\npoor_rate = all\n", LNOB_E_CONFIG, 2,
		     "[reported_by] poor_rate: a derived indicator is never reported");
	s_base_fails("[reported_by]\nfund_vnd = all\npnp = village\n", LNOB_E_CONFIG, 3,
		     "[reported_by] pnp: a derived indicator is never reported (a sum");
	s_base_fails("[reported_by]\nzzz = all\n", LNOB_E_CONFIG, 2,
		     "[reported_by] zzz: unknown indicator");
	s_base_fails("[reported_by]\nfund_vnd = all\nhh = village\nfund_vnd = district\n",
		     LNOB_E_CONFIG, 4, "[reported_by] fund_vnd: given twice (first on line 23)");
	s_base_fails("[reported_by]\nfund_vnd = district, hamlet\n", LNOB_E_CONFIG, 2,
		     "[reported_by] fund_vnd: unknown level 'hamlet'");
	s_base_fails("[reported_by]\nfund_vnd =\n", LNOB_E_CONFIG, 2, "[reported_by] fund_vnd: empty");
	s_base_fails("[reported_by]\nfund_vnd = village, all\n", LNOB_E_CONFIG, 2,
		     "[reported_by] fund_vnd: 'all' stands alone");
	s_base_fails("[reported_by]\nfund_vnd = commune, commune\n", LNOB_E_CONFIG, 2,
		     "[reported_by] fund_vnd: 'commune' given twice");
	s_base_fails("[reported_by]\nfund_vnd = , commune\n", LNOB_E_CONFIG, 2, "empty item");
	s_base_fails("[reported_by x]\nfund_vnd = all\n", LNOB_E_CONFIG, 1,
		     "[reported_by] takes no id");
	s_base_fails("[reported_by]\n[period 2022]\nkind = year\n", LNOB_E_CONFIG, 1, "empty section");
}

/* A report of unit with values code=value, NULL-terminated; the arrays
 * live in the caller's t_rep. */
typedef struct s_rep {
	Lnob__Report r;
	Lnob__IndicatorValue v[4], *vp[4];
} s_rep_t;

static void s_rep(s_rep_t *x, const char *unit, const char *const *codes)
{
	lnob__report__init(&x->r);
	x->r.campaign = (char *)"t";
	x->r.period = (char *)"2021";
	x->r.unit = (char *)unit;
	x->r.revision = 1;
	x->r.values = x->vp;
	for (x->r.n_values = 0; codes[x->r.n_values]; x->r.n_values++) {
		size_t i = x->r.n_values;

		assert_true(i < 4);
		lnob__indicator_value__init(&x->v[i]);
		x->v[i].code = (char *)codes[i];
		if (report_code_is_amount(codes[i])) {
			x->v[i].value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
			x->v[i].amount_vnd = 1000;
		} else {
			x->v[i].value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
			x->v[i].count = 10;
		}
		x->vp[i] = &x->v[i];
	}
}
#define REP(x, unit, ...) s_rep((x), (unit), (const char *const[]){ __VA_ARGS__, NULL })

static void test_check_levels(void **state)
{
	campaign_t *c = s_base_with("", "[reported_by]\nfund_vnd = all\nnear = district, commune\n");
	char detail[256];
	s_rep_t x;

	(void)state;
	/* A village reports the counts, and fund_vnd. */
	REP(&x, "V001", "hh", "poor", "fund_vnd");
	assert_int_equal(campaign_check_levels(c, &x.r, "village", detail, sizeof(detail)), 0);
	/* A commune reports fund_vnd and near only. */
	REP(&x, "C001", "fund_vnd", "near");
	assert_int_equal(campaign_check_levels(c, &x.r, "commune", detail, sizeof(detail)), 0);
	/* A commune carrying a village's count: refused, naming the levels. */
	REP(&x, "C001", "fund_vnd", "hh", "poor");
	assert_int_equal(campaign_check_levels(c, &x.r, "commune", detail, sizeof(detail)),
			 LNOB_E_WRONG_LEVEL);
	assert_string_equal(detail, "unit 'C001' is a commune; indicator 'hh' is reported by village");
	REP(&x, "V001", "hh", "near");
	assert_int_equal(campaign_check_levels(c, &x.r, "village", detail, sizeof(detail)),
			 LNOB_E_WRONG_LEVEL);
	assert_string_equal(detail, "unit 'V001' is a village; indicator 'near' is reported by "
			    "district, commune");
	REP(&x, "P", "fund_vnd", "near");
	assert_int_equal(campaign_check_levels(c, &x.r, "province", detail, sizeof(detail)),
			 LNOB_E_WRONG_LEVEL);
	assert_string_equal(detail, "unit 'P' is a province; indicator 'near' is reported by "
			    "district, commune");
	/* A level the campaign does not declare reports nothing of it. */
	REP(&x, "SO1", "fund_vnd");
	assert_int_equal(campaign_check_levels(c, &x.r, "office", detail, sizeof(detail)),
			 LNOB_E_WRONG_LEVEL);
	assert_string_equal(detail, "unit 'SO1' is an office; indicator 'fund_vnd' is reported by "
			    "province, district, commune, village");
	/* A small buffer truncates; none at all is fine. */
	char tiny[12];
	assert_int_equal(campaign_check_levels(c, &x.r, "office", tiny, sizeof(tiny)),
			 LNOB_E_WRONG_LEVEL);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_int_equal(campaign_check_levels(c, &x.r, "office", NULL, 0), LNOB_E_WRONG_LEVEL);
	/* Not this function's to judge: derived or unknown indicators, NULLs. */
	REP(&x, "V001", "hh", "poor_rate");
	assert_int_equal(campaign_check_levels(c, &x.r, "village", detail, sizeof(detail)), -EINVAL);
	assert_non_null(strstr(detail, "'poor_rate'"));
	REP(&x, "V001", "zzz");
	assert_int_equal(campaign_check_levels(c, &x.r, "village", detail, sizeof(detail)), -EINVAL);
	assert_int_equal(campaign_check_levels(c, NULL, "village", detail, sizeof(detail)), -EINVAL);
	assert_int_equal(campaign_check_levels(c, &x.r, NULL, detail, sizeof(detail)), -EINVAL);
	assert_int_equal(campaign_check_levels(NULL, &x.r, "village", detail, sizeof(detail)), -EINVAL);
	campaign_destroy(&c);
}

/* The report rule of the configured campaigns (campaigns.h), shared by
 * the aggregator's ingest and the collector's submit. */
static void test_campaigns_check_report(void **state)
{
	campaigns_t camps;
	char detail[256];
	s_rep_t x;

	(void)state;
	memset(&camps, 0, sizeof(camps));
	REP(&x, "V001", "hh", "fund_vnd");
	/* None configured: anything goes. */
	assert_int_equal(campaigns_check_report(&camps, &x.r, detail, sizeof(detail)), 0);
	assert_int_equal(campaigns_check_report(NULL, &x.r, detail, sizeof(detail)), 0);
	assert_int_equal(campaigns_reserve(&camps, 1), 0);
	camps.v[0] = s_load(s_base, NULL);
	camps.n = 1;
	assert_int_equal(campaigns_check_report(&camps, &x.r, detail, sizeof(detail)), 0);
	x.r.campaign = (char *)"other";
	assert_int_equal(campaigns_check_report(&camps, &x.r, detail, sizeof(detail)),
			 LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN);
	assert_non_null(strstr(detail, "campaign 'other' is not one of the configured campaigns"));
	x.r.campaign = (char *)"t";
	x.r.period = (char *)"2019";
	assert_int_equal(campaigns_check_report(&camps, &x.r, detail, sizeof(detail)),
			 LNOB__NACK_REASON__NACK_UNKNOWN_CAMPAIGN);
	assert_string_equal(detail, "period '2019' is not a period of campaign 't'");
	REP(&x, "V001", "hh", "zzz");
	assert_int_equal(campaigns_check_report(&camps, &x.r, detail, sizeof(detail)),
			 LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR);
	assert_string_equal(detail, "indicator 'zzz' is not defined by campaign 't'");
	REP(&x, "V001", "pnp");
	assert_int_equal(campaigns_check_report(&camps, &x.r, detail, sizeof(detail)),
			 LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR);
	assert_non_null(strstr(detail, "'pnp' of campaign 't' is derived (a sum"));
	REP(&x, "V001", "poor_rate");
	assert_int_equal(campaigns_check_report(&camps, &x.r, detail, sizeof(detail)),
			 LNOB__NACK_REASON__NACK_UNKNOWN_INDICATOR);
	assert_non_null(strstr(detail, "(a rate"));
	/* Levels are not its business: a commune's count passes here. */
	REP(&x, "C001", "hh");
	assert_int_equal(campaigns_check_report(&camps, &x.r, detail, sizeof(detail)), 0);
	campaigns_clear(&camps);
	assert_int_equal(camps.n, 0);
}

/* campaign_classify() on every combination of extreme stamps (a store may
 * hold any int64 from before the range check) against its contract
 * computed in 128 bits; UBSan fails the test on any signed overflow. */
static void test_classify_extremes(void **state)
{
	static const int64_t t[] = { INT64_MIN, INT64_MIN + 1, -86400, -1, 0, 1, 1700413200,
				     1700414100, INT64_MAX - 900, INT64_MAX - 1, INT64_MAX };
	static const int64_t skews[] = { 0, 1, 900, INT64_MAX - 1, INT64_MAX };
	const size_t nt = sizeof(t) / sizeof(t[0]), ns = sizeof(skews) / sizeof(skews[0]);
	campaign_timeliness_t r;

	(void)state;
	for (size_t a = 0; a < nt; a++)
		for (size_t b = 0; b < nt; b++)
			for (size_t c = 0; c < nt; c++)
				for (size_t k = 0; k < ns; k++) {
					__int128 late = t[a], done = t[b], came = t[c], skew = skews[k];
					bool arrived_late = came >= late;
					bool suspect = done - came > skew;
					bool on_time = !arrived_late || (!suspect && done < late + skew);
					bool by_skew = arrived_late && !suspect && on_time && done >= late;

					assert_int_equal(campaign_classify(t[a], t[b], t[c], skews[k], &r), 0);
					if (r.arrived_late != arrived_late || r.clock_suspect != suspect ||
					    r.on_time != on_time || r.by_skew != by_skew)
						fail_msg("late_from %lld completed %lld arrived %lld skew %lld: "
							 "got on_time %d late %d skew %d suspect %d",
							 (long long)t[a], (long long)t[b], (long long)t[c],
							 (long long)skews[k], r.on_time, r.arrived_late,
							 r.by_skew, r.clock_suspect);
				}
}

static void test_file_errors(void **state)
{
	const char *dir = tu_tmpdir();
	char d[4096], path[4200], err[512] = "";
	campaign_t *c = NULL;

	(void)state;
	snprintf(d, sizeof(d), "%s", dir);
	snprintf(path, sizeof(path), "%s/absent.ini", d);
	assert_int_equal(campaign_load(path, NULL, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	assert_null(c);
	/* Errors name the path given. */
	char text[8192];
	snprintf(text, sizeof(text), "%s[bogus]\nx = 1\n", s_base);
	snprintf(path, sizeof(path), "%s", tu_write(d, "bad.ini", text, 0600));
	assert_int_equal(campaign_load(path, NULL, &c, err, sizeof(err)), LNOB_E_CONFIG);
	s_assert_err(err, path, BASE_LINES + 1, "unknown section");
	/* A tiny buffer truncates without overflowing; NULL is fine too. */
	char tiny[8];
	assert_int_equal(campaign_load(path, NULL, &c, tiny, sizeof(tiny)), LNOB_E_CONFIG);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_int_equal(campaign_load(path, NULL, &c, NULL, 0), LNOB_E_CONFIG);
	assert_null(c);
	tu_rmtree(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_sums_from_report),
		cmocka_unit_test(test_errors_campaign),
		cmocka_unit_test(test_errors_indicators),
		cmocka_unit_test(test_errors_periods_deadlines),
		cmocka_unit_test(test_errors_targets),
		cmocka_unit_test(test_errors_clusters),
		cmocka_unit_test(test_errors_awards),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_baseline_no_rows),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_daknong_province),
		cmocka_unit_test(test_daknong_em),
		cmocka_unit_test(test_daknong_levels),
		cmocka_unit_test(test_vinhphuc),
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_timeliness),
		cmocka_unit_test(test_reported_by),
		cmocka_unit_test(test_errors_reported_by),
		cmocka_unit_test(test_check_levels),
		cmocka_unit_test(test_campaigns_check_report),
		cmocka_unit_test(test_classify_extremes),
		cmocka_unit_test(test_file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
