/* test_households.c: the household register (collector/households.h):
 * a CSV and an .xlsx list read, every refusal naming the file and the
 * line or the sheet and the cell; the stored record both ways; the
 * changes between two lists, one kind each; the counts against a
 * recount; the store's imports (one transaction each, a reader refused);
 * and the reports a register gives under a campaign (only its counts,
 * only at the levels that report them). */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "campaign.h"
#include "households.h"
#include "households_report.h"
#include "lnob_err.h"
#include "outbox_households.h"

static char s_err[1024];

static const char s_units[] =
	"code,name,parent_code,level,kind\n"
	"P,Province,,province,administrative\n"
	"D1,District 1,P,district,administrative\n"
	"C11,Commune 11,D1,commune,administrative\n"
	"V11-1,Village 1,C11,village,administrative\n"
	"V11-2,Village 2,C11,village,administrative\n"
	"C12,Commune 12,D1,commune,administrative\n"
	"V12-1,Village 1,C12,village,administrative\n";

#define S_HEADER "household,village,classification,ethnic_minority,employment,dependants," \
	"nutrition,health_insurance,adult_education,school_attendance,housing_quality," \
	"floor_area,drinking_water,sanitation,telecom,information"
#define S_ZEROS "0,0,0,0,0,0,0,0,0,0,0,0"

typedef struct s_world {
	hier_t *hier;
	households_area_t area;
} s_world_t;

static int s_setup(void **state)
{
	s_world_t *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	assert_int_equal(hier_load_mem(s_units, strlen(s_units), "units.csv", &w->hier, s_err,
				       sizeof(s_err)), 0);
	w->area.hier = w->hier;
	w->area.root = hier_find(w->hier, "C11");
	*state = w;
	return 0;
}

static int s_teardown(void **state)
{
	s_world_t *w = *state;

	hier_destroy(&w->hier);
	free(w);
	return 0;
}

static int s_csv(s_world_t *w, const char *text, households_t *ret)
{
	memset(ret, 0, sizeof(*ret));
	s_err[0] = '\0';
	return households_parse_csv("h.csv", text, strlen(text), &w->area, ret, s_err,
				    sizeof(s_err));
}

static void test_csv(void **state)
{
	s_world_t *w = *state;
	households_t l;
	const household_t *h;

	assert_int_equal(s_csv(w, "name," S_HEADER "\n"
			       "Nguyễn Văn A,H2,V11-1,poor,yes,1,0,0,1,0,0,0,0,0,0,0,1\n"
			       ",,,,,,,,,,,,,,,,\n"
			       "Lò Thị B, H1 ,V11-2,Cận nghèo,có," S_ZEROS "\n"
			       "C,H3,V11-2,phát sinh,không," S_ZEROS "\n"
			       "D,H4,V11-2,Tái nghèo,0," S_ZEROS "\n"
			       "E,H5,V11-1,nghèo phát sinh,1," S_ZEROS "\n", &l), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].id, "H1");   /* sorted, trimmed */
	assert_int_equal(l.v[0].cls, HOUSEHOLDS_NEAR_POOR);
	assert_true(l.v[0].em);
	assert_string_equal(l.v[0].where, "h.csv:4");
	h = households_find(&l, "H2");
	assert_non_null(h);
	assert_string_equal(h->village, "V11-1");
	assert_int_equal(h->cls, HOUSEHOLDS_POOR);
	assert_int_equal(h->depriv, (1u << 0) | (1u << 3) | (1u << 11));
	assert_int_equal(households_find(&l, "H3")->cls, HOUSEHOLDS_NEWLY_POOR);
	assert_false(households_find(&l, "H3")->em);
	assert_int_equal(households_find(&l, "H4")->cls, HOUSEHOLDS_RE_POOR);
	households_clear(&l);
	assert_null(households_find(&l, "H1"));
}

static void s_refused(s_world_t *w, const char *text, const char *msg)
{
	households_t l;

	assert_int_equal(s_csv(w, text, &l), LNOB_E_INVALID);
	assert_string_equal(s_err, msg);
	assert_int_equal(l.n, 0);
}

static void test_csv_refused(void **state)
{
	s_world_t *w = *state;
	households_t l;

	/* Only ASCII case is ignored: "TÁI" is not "tái". */
	assert_int_equal(s_csv(w, S_HEADER "\nH4,V11-2,TÁI NGHÈO,0," S_ZEROS "\n", &l),
			 LNOB_E_INVALID);
	s_refused(w, S_HEADER "\nH1,V11-1,rich,no," S_ZEROS "\n",
		  "h.csv:2: classification: 'rich' is not one of poor, near-poor, escaped, "
		  "newly-poor, re-poor (nghèo, cận nghèo, thoát nghèo, phát sinh, tái nghèo)");
	s_refused(w, S_HEADER "\nH1,V11-1,poor,maybe," S_ZEROS "\n",
		  "h.csv:2: ethnic_minority: 'maybe' is not yes, no, 1, 0, có or không");
	s_refused(w, S_HEADER "\nH1,V11-1,poor,no,0,0,0,2,0,0,0,0,0,0,0,0\n",
		  "h.csv:2: health_insurance: '2' is not 0 or 1 (1: deprived)");
	s_refused(w, S_HEADER "\nH1,V11-1,poor,no,0,0,0,0,0,0,0,0,0,0,0,\n",
		  "h.csv:2: information: '' is not 0 or 1 (1: deprived)");
	s_refused(w, S_HEADER "\nH1,V9,poor,no," S_ZEROS "\n",
		  "h.csv:2: village: 'V9' is not a unit of the hierarchy held");
	s_refused(w, S_HEADER "\nH1,V12-1,poor,no," S_ZEROS "\n",
		  "h.csv:2: village: 'V12-1' is not under 'C11' (the register's commune)");
	s_refused(w, S_HEADER "\nH1,C11,poor,no," S_ZEROS "\n",
		  "h.csv:2: village: 'C11' is not under 'C11' (the register's commune)");
	s_refused(w, S_HEADER "\nH 1,V11-1,poor,no," S_ZEROS "\n",
		  "h.csv:2: household: 'H 1' is not a household id (1..64 of [A-Za-z0-9._-])");
	s_refused(w, S_HEADER "\nH1,V11-1,poor,no," S_ZEROS "\nH2,V11-1,poor,no," S_ZEROS
		  "\nH1,V11-2,poor,no," S_ZEROS "\n",
		  "h.csv:4: household 'H1' is listed twice (also at h.csv:2)");
	s_refused(w, S_HEADER "\n", "h.csv: no households");
	s_refused(w, "household,village,classification,ethnic_minority\nH1,V11-1,poor,no\n",
		  "h.csv:1: header: column 'employment' is missing");
	s_refused(w, S_HEADER ",Village\n", "h.csv:1: header: column 'village' is given twice "
		  "(columns 2 and 17)");
	assert_int_equal(s_csv(w, "", &l), LNOB_E_CSV);
	assert_string_equal(s_err, "h.csv:1: header missing");
}

static void test_csv_commune_refused(void **state)
{
	s_world_t *w = *state;
	households_area_t d = { w->hier, hier_find(w->hier, "D1") };
	households_t l = { 0 };
	const char *t = S_HEADER "\nH1,C12,poor,no," S_ZEROS "\n";

	assert_int_equal(households_parse_csv("h.csv", t, strlen(t), &d, &l, s_err, sizeof(s_err)),
			 LNOB_E_INVALID);
	assert_string_equal(s_err, "h.csv:2: village: 'C12' is a commune, not a village (it has "
			    "units below it)");
}

/* Writes rows (NULL-terminated rows of NULL-terminated cells) to path. */
static void s_write_xlsx(const char *path, const char *const *const *rows)
{
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Hộ");

	for (lxw_row_t r = 0; rows[r]; r++)
		for (lxw_col_t c = 0; rows[r][c]; c++) {
			if (strcmp(rows[r][c], "0") == 0 || strcmp(rows[r][c], "1") == 0)
				worksheet_write_number(ws, r, c, rows[r][c][0] - '0', NULL);
			else if (rows[r][c][0])
				worksheet_write_string(ws, r, c, rows[r][c], NULL);
		}
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static int s_xlsx(s_world_t *w, const char *path, households_t *ret)
{
	memset(ret, 0, sizeof(*ret));
	return households_parse_file(path, &w->area, ret, s_err, sizeof(s_err));
}

static void test_xlsx(void **state)
{
	static const char *const head[] = { "household", "village", "classification",
		"ethnic_minority", "employment", "dependants", "nutrition", "health_insurance",
		"adult_education", "school_attendance", "housing_quality", "floor_area",
		"drinking_water", "sanitation", "telecom", "information", NULL };
	static const char *const r1[] = { "H7", "V11-2", "re-poor", "yes", "0", "0", "0", "0",
		"0", "0", "0", "0", "1", "0", "0", "0", NULL };
	static const char *const r2[] = { "H8", "V11-1", "escaped", "no", "0", "0", "0", "0",
		"0", "0", "0", "0", "0", "0", "0", "0", NULL };
	static const char *const bad[] = { "H9", "V11-1", "poor", "no", "0", "0", "0", "0",
		"0", "0", "0", "0", "0", "0", "0", "", NULL };
	const char *const *ok[] = { head, r1, r2, NULL }, *const *ko[] = { head, r1, bad, NULL };
	s_world_t *w = *state;
	const char *dir = tu_tmpdir();
	char path[512];
	households_t l;

	snprintf(path, sizeof(path), "%s/h.xlsx", dir);
	s_write_xlsx(path, ok);
	assert_int_equal(s_xlsx(w, path, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].id, "H7");
	assert_int_equal(l.v[0].cls, HOUSEHOLDS_RE_POOR);
	assert_true(l.v[0].em);
	assert_int_equal(l.v[0].depriv, 1u << 8);
	assert_int_equal(l.v[1].cls, HOUSEHOLDS_ESCAPED);
	households_clear(&l);
	s_write_xlsx(path, ko);
	assert_int_equal(s_xlsx(w, path, &l), LNOB_E_INVALID);
	assert_non_null(strstr(s_err, "h.xlsx: Hộ!P3: information: '' is not 0 or 1"));
	assert_int_equal(l.n, 0);
	/* The header without its last column; a sheet without any cell. */
	{
		static const char *const shorter[] = { "household", "village", "classification",
			"ethnic_minority", "employment", "dependants", "nutrition",
			"health_insurance", "adult_education", "school_attendance",
			"housing_quality", "floor_area", "drinking_water", "sanitation", "telecom",
			NULL };
		const char *const *no_info[] = { shorter, r1, NULL }, *const *empty[] = { NULL };

		s_write_xlsx(path, no_info);
		assert_int_equal(s_xlsx(w, path, &l), LNOB_E_INVALID);
		assert_non_null(strstr(s_err, "h.xlsx: Hộ row 1: header: column 'information' is "
				       "missing"));
		s_write_xlsx(path, empty);
		assert_int_equal(s_xlsx(w, path, &l), LNOB_E_INVALID);
		assert_non_null(strstr(s_err, "h.xlsx: Hộ: header missing (the sheet is empty)"));
		assert_int_equal(s_xlsx(w, "/nonexistent/h.xlsx", &l), -ENOENT);
		assert_int_equal(households_parse_xlsx("x.xlsx", "PK\3\4junk", 8, &w->area, &l,
						       s_err, sizeof(s_err)), LNOB_E_INVALID);
		assert_non_null(strstr(s_err, "x.xlsx: not an .xlsx workbook"));
	}
	tu_rmtree(dir);
}

static void test_record(void **state)
{
	household_t h = { .id = "H-01.a", .village = "V11-2", .cls = HOUSEHOLDS_RE_POOR,
			  .em = true, .depriv = 0x0a5f }, g;
	uint8_t rec[HOUSEHOLDS_RECORD_MAX];
	size_t n = households_encode(&h, rec);

	(void)state;
	assert_int_equal(households_decode(h.id, strlen(h.id), rec, n, &g), 0);
	assert_string_equal(g.id, h.id);
	assert_string_equal(g.village, h.village);
	assert_int_equal(g.cls, h.cls);
	assert_true(g.em);
	assert_int_equal(g.depriv, h.depriv);
	rec[1] = HOUSEHOLDS_CLASS_COUNT;
	assert_int_equal(households_decode(h.id, strlen(h.id), rec, n, &g), LNOB_E_CORRUPT);
	rec[1] = 0;
	rec[0] = 2;
	assert_int_equal(households_decode(h.id, strlen(h.id), rec, n, &g), LNOB_E_CORRUPT);
	rec[0] = 1;
	assert_int_equal(households_decode(h.id, strlen(h.id), rec, 5, &g), LNOB_E_CORRUPT);
	assert_int_equal(households_decode("", 0, rec, n, &g), LNOB_E_CORRUPT);
}

/* The change of every household between two lists, one kind each. */
static void test_diff(void **state)
{
	s_world_t *w = *state;
	households_t a, b;
	json_t *d = NULL, *c;
	const char *want[][2] = { { "A", "escaped" }, { "B", "newly_poor" }, { "C", "re_poor" },
				  { "D", "removed" }, { "E", "reclassified" }, { "F", "updated" },
				  { "N", "added" }, { "Q", "newly_poor" } };
	size_t i;

	assert_int_equal(s_csv(w, S_HEADER "\nA,V11-1,poor,no," S_ZEROS "\nB,V11-1,poor,no,"
			       S_ZEROS "\nC,V11-1,escaped,no," S_ZEROS "\nD,V11-1,poor,no," S_ZEROS
			       "\nE,V11-1,poor,no," S_ZEROS "\nF,V11-1,near-poor,no," S_ZEROS
			       "\nG,V11-1,poor,yes," S_ZEROS "\n", &a), 0);
	assert_int_equal(s_csv(w, S_HEADER "\nA,V11-1,escaped,no," S_ZEROS "\nB,V11-1,newly-poor,"
			       "no," S_ZEROS "\nC,V11-1,re-poor,no," S_ZEROS "\nE,V11-1,near-poor,no,"
			       S_ZEROS "\nF,V11-2,near-poor,no," S_ZEROS "\nG,V11-1,poor,yes," S_ZEROS
			       "\nN,V11-2,poor,no," S_ZEROS "\nQ,V11-2,newly-poor,no," S_ZEROS "\n",
			       &b), 0);
	assert_int_equal(households_diff(&a, &b, &d), 0);
	assert_int_equal(json_array_size(json_object_get(d, "changes")), 8);
	json_array_foreach(json_object_get(d, "changes"), i, c) {
		assert_string_equal(json_string_value(json_object_get(c, "household")), want[i][0]);
		assert_string_equal(json_string_value(json_object_get(c, "change")), want[i][1]);
	}
	c = json_array_get(json_object_get(d, "changes"), 5);
	assert_string_equal(json_string_value(json_object_get(c, "village_from")), "V11-1");
	assert_string_equal(json_string_value(json_object_get(c, "village")), "V11-2");
	c = json_object_get(d, "counts");
	assert_int_equal(json_integer_value(json_object_get(c, "newly_poor")), 2);
	assert_int_equal(json_integer_value(json_object_get(c, "removed")), 1);
	json_decref(d);
	/* The same list: nothing changed. */
	assert_int_equal(households_diff(&b, &b, &d), 0);
	assert_int_equal(json_array_size(json_object_get(d, "changes")), 0);
	json_decref(d);
	households_clear(&a);
	households_clear(&b);
}

/* The counts of a generated list against a recount of its rows. */
static void test_counts(void **state)
{
	static const char *const cls[] = { "poor", "near-poor", "escaped", "newly-poor", "re-poor" };
	s_world_t *w = *state;
	uint64_t want[2][HOUSEHOLDS_IND_COUNT] = { { 0 } }, dep = 0;
	char *text = malloc(200000), *p = text;
	households_counts_t c, all;
	households_t l;

	p += sprintf(p, "%s\n", S_HEADER);
	for (unsigned i = 0; i < 500; i++) {
		unsigned v = (i * 7) % 2, k = (i * 13) % 5, em = (i % 3) == 0, poor = k == 0 ||
			k == 3 || k == 4;

		want[v][HOUSEHOLDS_IND_POOR] += poor;
		want[v][HOUSEHOLDS_IND_NEAR_POOR] += k == 1;
		want[v][HOUSEHOLDS_IND_ESCAPED] += k == 2;
		want[v][HOUSEHOLDS_IND_NEWLY_POOR] += k == 3;
		want[v][HOUSEHOLDS_IND_RE_POOR] += k == 4;
		want[v][HOUSEHOLDS_IND_EM_POOR] += poor && em;
		dep += v == 0 && k != 2 && i % 2;
		p += sprintf(p, "H%04u,V11-%u,%s,%s,0,0,0,%u,0,0,0,0,0,0,0,0\n", i, v + 1, cls[k],
			     em ? "yes" : "no", i % 2);
	}
	assert_int_equal(s_csv(w, text, &l), 0);
	households_count(&l, "V11-1", &c);
	for (int k = 0; k < HOUSEHOLDS_IND_COUNT; k++)
		assert_int_equal(c.v[k], want[0][k]);
	assert_int_equal(c.depriv[3], dep);
	households_count(&l, NULL, &all);
	assert_int_equal(all.households, 500);
	for (int k = 0; k < HOUSEHOLDS_IND_COUNT; k++)
		assert_int_equal(all.v[k], want[0][k] + want[1][k]);
	households_clear(&l);
	free(text);
}

static void test_store(void **state)
{
	s_world_t *w = *state;
	const char *dir = tu_tmpdir();
	outbox_households_t *st = NULL, *ro = NULL;
	households_t a, b, back = { 0 };
	json_t *info = json_pack("{s:s}", "file", "h.csv"), *doc = NULL;
	uint64_t last = 9;

	assert_int_equal(outbox_households_open(dir, 0, false, &ro, s_err, sizeof(s_err)), -ENOENT);
	assert_int_equal(outbox_households_open(dir, 0, true, &st, s_err, sizeof(s_err)), 0);
	assert_int_equal(outbox_households_read(st, &back, &last), 0);
	assert_int_equal(last, 0);
	assert_int_equal(outbox_households_import_get(st, 0, &doc), LNOB_E_NOTFOUND);
	assert_int_equal(s_csv(w, S_HEADER "\nA,V11-1,poor,no," S_ZEROS "\nB,V11-2,poor,yes,"
			       "1,1,1,1,1,1,1,1,1,1,1,1\n", &a), 0);
	assert_int_equal(s_csv(w, S_HEADER "\nB,V11-2,escaped,yes," S_ZEROS "\nC,V11-1,poor,no,"
			       S_ZEROS "\n", &b), 0);
	assert_int_equal(outbox_households_import(st, &a, info, &doc), 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "import")), 1);
	assert_true(json_is_null(json_object_get(doc, "previous")));
	json_decref(doc);
	assert_int_equal(outbox_households_import(st, &b, info, &doc), 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "previous")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "counts"),
							    "removed")), 1);
	json_decref(doc);
	/* A reader beside the writer: the register as the last import left it. */
	assert_int_equal(outbox_households_open(dir, 0, false, &ro, s_err, sizeof(s_err)), 0);
	assert_int_equal(outbox_households_import(ro, &a, info, &doc), -EROFS);
	assert_int_equal(outbox_households_read(ro, &back, &last), 0);
	assert_int_equal(last, 2);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0].id, "B");
	assert_int_equal(back.v[0].cls, HOUSEHOLDS_ESCAPED);
	assert_int_equal(back.v[0].depriv, 0);
	assert_string_equal(back.v[1].id, "C");
	assert_int_equal(outbox_households_import_get(ro, 1, &doc), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "file")), "h.csv");
	assert_int_equal(json_integer_value(json_object_get(doc, "households")), 2);
	json_decref(doc);
	assert_int_equal(outbox_households_import_get(ro, 3, &doc), LNOB_E_NOTFOUND);
	households_clear(&back);
	households_clear(&a);
	households_clear(&b);
	json_decref(info);
	outbox_households_close(&ro);
	outbox_households_close(&st);
	outbox_households_close(&st);
	tu_rmtree(dir);
}

static const char s_campaign[] =
	"[campaign]\nid = c\nname = c\nstart = 2021-01-01\nend = 2025-12-31\n"
	"baseline_date = 2020-12-31\nlevels = province, district, commune, village\n"
	"reported_by = village\n\n[indicators]\nhouseholds_total = count\n"
	"poor_households = count\nem_poor_households = count\nfund_vnd = amount\n"
	"poor_rate = rate poor_households / households_total\n\n"
	"[reported_by]\nfund_vnd = all\nem_poor_households = commune\n\n"
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n";

/* Under a campaign: the villages' poor counts, the commune's em count,
 * nothing else (no household id anywhere). */
static void test_reports(void **state)
{
	s_world_t *w = *state;
	campaign_t *c = NULL;
	households_t l;
	json_t *arr = NULL, *r;
	size_t unchanged = 9;
	char *text;

	assert_int_equal(campaign_load_mem(s_campaign, "c.ini", w->hier, &c, s_err, sizeof(s_err)),
			 0);
	assert_int_equal(s_csv(w, S_HEADER "\nHX1,V11-1,poor,yes," S_ZEROS "\nHX2,V11-1,re-poor,no,"
			       S_ZEROS "\nHX3,V11-1,near-poor,yes," S_ZEROS "\nHX4,V11-2,newly-poor,"
			       "yes," S_ZEROS "\n", &l), 0);
	households_report_in_t in = { .camp = c, .period = campaign_period_find(c, "2023"),
				      .area = &w->area, .list = &l, .now_s = 1700000000 };
	assert_int_equal(households_reports(&in, &arr, &unchanged, s_err, sizeof(s_err)), 0);
	assert_int_equal(unchanged, 0);
	assert_int_equal(json_array_size(arr), 3);
	r = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(r, "unit")), "V11-1");
	assert_int_equal(json_integer_value(json_object_get(r, "revision")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "values"),
							    "poor_households")), 2);
	assert_int_equal(json_object_size(json_object_get(r, "values")), 1);
	r = json_array_get(arr, 2);
	assert_string_equal(json_string_value(json_object_get(r, "unit")), "C11");
	assert_int_equal(json_object_size(json_object_get(r, "values")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "values"),
							    "em_poor_households")), 2);
	text = json_dumps(arr, 0);
	assert_null(strstr(text, "HX"));
	free(text);
	json_decref(arr);
	households_clear(&l);
	campaign_destroy(&c);
}

/* The repository's root, from this file's path. */
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

/* The samples of deploy/samples/households/ read against the sample
 * province, commune GNG-01, and their changes. */
static void test_samples(void **state)
{
	households_t a = { 0 }, b = { 0 };
	households_area_t area;
	hier_t *h = NULL;
	json_t *d = NULL;
	char path[4200];

	(void)state;
	snprintf(path, sizeof(path), "%s/deploy/samples/province/units.csv", s_root());
	assert_int_equal(hier_load_csv(path, &h, s_err, sizeof(s_err)), 0);
	area.hier = h;
	area.root = hier_find(h, "GNG-01");
	snprintf(path, sizeof(path), "%s/deploy/samples/households/GNG-01-2023.csv", s_root());
	if (households_parse_file(path, &area, &a, s_err, sizeof(s_err)) != 0)
		fail_msg("%s", s_err);
	snprintf(path, sizeof(path), "%s/deploy/samples/households/GNG-01-2024.csv", s_root());
	if (households_parse_file(path, &area, &b, s_err, sizeof(s_err)) != 0)
		fail_msg("%s", s_err);
	assert_int_equal(a.n, 24);
	assert_int_equal(b.n, 23);
	assert_int_equal(households_diff(&a, &b, &d), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "counts"),
							    "removed")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "counts"),
							    "newly_poor")), 1);
	json_decref(d);
	households_clear(&a);
	households_clear(&b);
	hier_destroy(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_refused),
		cmocka_unit_test(test_csv_commune_refused),
		cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_samples),
	};

	return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
