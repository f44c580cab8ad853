/* test_campaigns_lookup.c: a campaign and period as an operator names
 * them, or the error listing the known ids (campaigns_lookup()), the
 * time zone tables show a campaign's times in, campaigns_load() of any
 * number of files (once at most 16), and campaigns_load_only() of the
 * one a command asks for. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaigns.h"
#include "conf.h"
#include "lnob_err.h"
#include "table.h"

static const char s_units[] = "code,name,parent_code,level,kind\nP,Tỉnh,,province,\n";

static const char s_ini[] =
	"[campaign]\nid = lnob-2021-2025\nname = t\nstart = 2021-01-01\nend = 2025-12-31\n"
	"baseline_date = 2020-12-31\nutc_offset = +08:00\nlevels = province\n"
	"[indicators]\nhouseholds_total = count\n"
	"[period 2022]\nkind = year\nstart = 2022-01-01\nend = 2022-12-31\n"
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n";

static void test_lookup(void **state)
{
	campaigns_t camps = { 0 }, none = { 0 };
	const campaign_t *c = NULL;
	hier_t *h = NULL;
	char err[512] = "", t[TABLE_TIME_LEN];

	(void)state;
	assert_int_equal(hier_load_mem(s_units, strlen(s_units), "u.csv", &h, err, sizeof(err)), 0);
	assert_int_equal(campaigns_reserve(&camps, 1), 0);
	if (campaign_load_mem(s_ini, "c.ini", h, &camps.v[0], err, sizeof(err)) != 0)
		fail_msg("%s", err);
	camps.n = 1;
	assert_int_equal(campaigns_lookup(&camps, "lnob-2021-2025", "2023", "--campaign", "--period",
					  &c, err, sizeof(err)), 0);
	assert_ptr_equal(c, camps.v[0]);
	assert_int_equal(campaigns_lookup(&camps, "lnob-2021-2025", NULL, "--campaign", "--period",
					  NULL, err, sizeof(err)), 0);
	assert_int_equal(campaigns_lookup(&camps, "lnob-2021-2025", "2030", "--campaign", "--period",
					  &c, err, sizeof(err)), LNOB_E_NOTFOUND);
	assert_string_equal(err, "--period '2030' is not a period of campaign lnob-2021-2025 "
			    "(2022, 2023)");
	assert_int_equal(campaigns_lookup(&camps, "other", "2023", "campaign", "period", &c, err,
					  sizeof(err)), LNOB_E_NOTFOUND);
	assert_string_equal(err, "campaign 'other' is not a configured campaign (lnob-2021-2025)");
	assert_int_equal(campaigns_lookup(&camps, NULL, NULL, "campaign", "period", &c, err,
					  sizeof(err)), LNOB_E_INVALID);
	/* none configured: any id goes */
	c = camps.v[0];
	assert_int_equal(campaigns_lookup(&none, "x", "y", "campaign", "period", &c, err,
					  sizeof(err)), 0);
	assert_null(c);
	/* times in the campaign's zone, +07:00 for any other */
	assert_string_equal(campaigns_time(&camps, "lnob-2021-2025", 1701770400, t, sizeof(t)),
			    "2023-12-05 18:00 +08:00");
	assert_string_equal(campaigns_time(&camps, "other", 1701770400, t, sizeof(t)),
			    "2023-12-05 17:00 +07:00");
	assert_string_equal(campaigns_time(NULL, NULL, 1701770400, t, sizeof(t)),
			    "2023-12-05 17:00 +07:00");
	campaigns_clear(&camps);
	hier_destroy(&h);
}

/* Writes campaign file c<i>.ini (id c<i>) into dir. */
static void s_write_campaign(const char *dir, int i)
{
	char name[32], text[sizeof(s_ini) + 32];

	snprintf(name, sizeof(name), "c%d.ini", i);
	snprintf(text, sizeof(text), "[campaign]\nid = c%d\n%s", i,
		 strstr(s_ini, "name = "));
	tu_write(dir, name, text, 0600);
}

/* Loads "[campaign] files = <files>" from dir/a.conf into camps: every
 * file (only NULL) or campaign only's (campaigns_load_only()). */
static int s_load_only(const char *dir, const char *files, const hier_t *h, const char *only,
		       campaigns_t *camps, char *err, size_t errlen)
{
	char *text = malloc(strlen(files) + 32);
	conf_t *conf = NULL;
	int r;

	assert_non_null(text);
	sprintf(text, "[campaign]\nfiles = %s\n", files);
	if ((r = conf_load(tu_write(dir, "a.conf", text, 0600), &conf, err, errlen)) == 0)
		r = only ? campaigns_load_only(camps, conf, h, only, err, errlen)
			 : campaigns_load(camps, conf, h, err, errlen);
	conf_destroy(&conf);
	free(text);
	return r;
}

static int s_load_files(const char *dir, const char *files, const hier_t *h,
			campaigns_t *camps, char *err, size_t errlen)
{
	return s_load_only(dir, files, h, NULL, camps, err, errlen);
}

/* 100 campaign files on one configuration line of 800 bytes (more than the
 * 16 files and 198-byte lines there once were), each found by its id; an
 * id given twice is still refused. */
static void test_many(void **state)
{
	enum { N = 100 };
	campaigns_t camps = { 0 };
	hier_t *h = NULL;
	char dir[4096], files[N * 16] = "", id[16], err[512] = "";

	(void)state;
	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	assert_int_equal(hier_load_mem(s_units, strlen(s_units), "u.csv", &h, err, sizeof(err)), 0);
	for (int i = 0; i < N; i++) {
		s_write_campaign(dir, i);
		snprintf(files + strlen(files), sizeof(files) - strlen(files), "%sc%d.ini",
			 i ? ", " : "", i);
	}
	if (s_load_files(dir, files, h, &camps, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(camps.n, N);
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		assert_ptr_equal(campaigns_find(&camps, id), camps.v[i]);
	}
	campaigns_clear(&camps);
	assert_null(camps.v);
	strcat(files, ", c7.ini");
	assert_int_equal(s_load_files(dir, files, h, &camps, err, sizeof(err)), LNOB_E_CONFIG);
	assert_non_null(strstr(err, "campaign id 'c7' is configured twice"));
	assert_int_equal(camps.n, 0);
	hier_destroy(&h);
	tu_rmtree(dir);
}

/* Writes campaign file name (id id) into dir: c<i>.ini's text with more
 * after [campaign]'s keys (extra_campaign) and at its end (extra). */
static void s_write_as(const char *dir, const char *name, const char *id,
		       const char *extra_campaign, const char *extra)
{
	char text[sizeof(s_ini) + 256];
	const char *rest = strstr(s_ini, "name = ");

	snprintf(text, sizeof(text), "[campaign]\nid = %s\n%s%s%s", id, extra_campaign, rest, extra);
	tu_write(dir, name, text, 0600);
}

/* Loads files with only and returns err; fails the test unless it is
 * refused with code. */
static const char *s_refused(const char *dir, const char *files, const hier_t *h,
			     const char *only, int code)
{
	static char err[1024];
	campaigns_t camps = { 0 };

	err[0] = '\0';
	assert_int_equal(s_load_only(dir, files, h, only, &camps, err, sizeof(err)), code);
	assert_int_equal(camps.n, 0);
	assert_null(camps.v);
	return err;
}

/* The err campaign_load() gives for the file dir/name alone. */
static const char *s_load_err(const char *dir, const char *name, const hier_t *h)
{
	static char err[1024];
	campaign_t *c = NULL;
	char path[4096];

	assert_true(snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path));
	assert_true(campaign_load(path, h, &c, err, sizeof(err)) < 0);
	return err;
}

/* Only the file of the campaign asked for is loaded in full: another's
 * broken target or missing baseline file fails campaigns_load(), never
 * campaigns_load_only() of this one; an id of two files, a file that
 * cannot be read or whose INI does not parse are refused still; an id no
 * file has loads every file, for campaigns_lookup() to refuse naming
 * them. */
static void test_only(void **state)
{
	campaigns_t camps = { 0 };
	hier_t *h = NULL;
	char dir[4096], err[1024] = "";
	const char *all = "c1.ini, tgt.ini, base.ini";

	(void)state;
	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	assert_int_equal(hier_load_mem(s_units, strlen(s_units), "u.csv", &h, err, sizeof(err)), 0);
	s_write_as(dir, "c1.ini", "c1", "", "");
	s_write_as(dir, "c3.ini", "c3", "", "");
	s_write_as(dir, "tgt.ini", "tgt", "",
		   "[target a]\nlevels = province\nindicator = nobody\ndown_points = 3\n");
	s_write_as(dir, "base.ini", "base", "baseline_file = missing.csv\n", "");
	s_write_as(dir, "dup.ini", "c1", "", "");
	tu_write(dir, "syntax.ini", "[campaign]\nid = syn\nthis is no key\n", 0600);
	/* Every file: the broken ones refuse the load. */
	assert_non_null(strstr(s_refused(dir, all, h, NULL, LNOB_E_CONFIG),
			       "unknown indicator 'nobody'"));
	assert_non_null(strstr(s_refused(dir, "c1.ini, base.ini", h, NULL, -ENOENT),
			       "baseline_file: cannot read"));
	/* c1 only: loaded, the broken ones' deeper errors unseen. */
	if (s_load_only(dir, all, h, "c1", &camps, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(camps.n, 1);
	assert_string_equal(campaign_id(camps.v[0]), "c1");
	assert_int_equal(campaign_utc_offset(camps.v[0]), 8 * 3600);
	campaigns_clear(&camps);
	/* The broken one asked for: its error. */
	assert_non_null(strstr(s_refused(dir, all, h, "tgt", LNOB_E_CONFIG),
			       "tgt.ini:21: [target a] indicator: unknown indicator 'nobody'"));
	/* An id of two files, whichever is asked for. */
	assert_non_null(strstr(s_refused(dir, "c1.ini, c3.ini, dup.ini", h, "c3", LNOB_E_CONFIG),
			       "/dup.ini: campaign id 'c1' is configured twice"));
	assert_non_null(strstr(s_refused(dir, "c1.ini, dup.ini", h, "c1", LNOB_E_CONFIG),
			       "/dup.ini: campaign id 'c1' is configured twice"));
	/* A file that cannot be read, or whose INI does not parse: campaign_load()'s
	 * message for it. */
	assert_string_equal(s_refused(dir, "c1.ini, nofile.ini", h, "c1", -ENOENT),
			    s_load_err(dir, "nofile.ini", h));
	assert_string_equal(s_refused(dir, "c1.ini, syntax.ini", h, "c1", LNOB_E_CONFIG),
			    s_load_err(dir, "syntax.ini", h));
	assert_non_null(strstr(s_load_err(dir, "syntax.ini", h), "syntax.ini:3: "));
	/* An id no file has: every file loaded, refused by the lookup with their
	 * ids (and a broken file's error first, as before). */
	if (s_load_only(dir, "c1.ini, c3.ini", h, "nope", &camps, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(camps.n, 2);
	assert_int_equal(campaigns_lookup(&camps, "nope", NULL, "--campaign", "--period", NULL, err,
					  sizeof(err)), LNOB_E_NOTFOUND);
	assert_string_equal(err, "--campaign 'nope' is not a configured campaign (c1, c3)");
	campaigns_clear(&camps);
	assert_non_null(strstr(s_refused(dir, all, h, "nope", LNOB_E_CONFIG),
			       "unknown indicator 'nobody'"));
	/* No files: none loaded, any id goes (the store's campaigns only). */
	if (s_load_only(dir, "", h, "c1", &camps, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(camps.n, 0);
	hier_destroy(&h);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
