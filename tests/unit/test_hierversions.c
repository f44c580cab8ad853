/* test_hierversions.c: the hierarchy's versions in the store
 * (hierversions.h) and the periods rolled up on them (hierperiod.h): an
 * import refused for a bad date, the same bytes or a change list that does
 * not hold, stored once, attached to the configured file and refused for
 * another file; a period's version by its last day; reports refused for a
 * unit or a scope gone; each period rolled up on its own tree, the
 * successor's baseline its predecessors' sum; verify on every version. */
#include "testutil.h"
#include "aggtest.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "calendar.h"
#include "figures.h"
#include "hierperiod.h"
#include "hierversions.h"
#include "lnob_err.h"
#include "tokens.h"

/* AT_UNITS with C2 merged into C1 (its village V3 follows). */
#define NEW_UNITS                                          \
	"code,name,parent_code,level,kind\n"               \
	"P,Province,,province,administrative\n"            \
	"D1,District 1,P,district,administrative\n"        \
	"C1,Commune 1,D1,commune,administrative\n"         \
	"V1,Village 1,C1,village,administrative\n"         \
	"V2,Village 2,C1,village,administrative\n"         \
	"V3,Village 3,C1,village,administrative\n"
#define CHANGES "change,code,other\nmerged,C2,C1\n"
#define FROM "2025-07-01"

static const char s_baseline[] =
	"unit,hh\nV1,100\nV2,100\nV3,200\nC1,200\nC2,200\nD1,400\nP,400\n";

static const char s_campaign[] =
	"[campaign]\nid = " AT_CAMPAIGN "\nname = t\nstart = 2021-01-01\nend = 2025-12-31\n"
	"baseline_date = 2020-12-31\nlevels = province, district, commune, village\n"
	"reported_by = village\nbaseline_file = b.csv\n"
	"[indicators]\nhh = count\n"
	"[period 2024]\nkind = year\nstart = 2024-01-01\nend = 2024-12-31\n"
	"[period 2025]\nkind = year\nstart = 2025-01-01\nend = 2025-12-31\n";

#define R(...) (&(at_report_t){ __VA_ARGS__ })

/* The digest of text, as the files' are taken. */
static void s_digest(const char *text, uint8_t d[HIERVER_DIGEST_LEN])
{
	crypto_generichash(d, HIERVER_DIGEST_LEN, (const unsigned char *)text, strlen(text), NULL,
			   0);
}

/* hierver_import() of file in a write transaction of its own. */
static int s_import(at_world_t *w, const char *file, const char *from, const char *changes,
		    char *err, size_t len)
{
	uint8_t cur[HIERVER_DIGEST_LEN];
	char path[4200], cpath[4200], opath[4200];
	hierver_import_t in = { .file = path, .valid_from = from, .changes = changes ? cpath : NULL,
				.current_file = opath, .current_digest = cur, .now = 1796000000 };
	MDB_txn *txn = NULL;
	int r;

	s_digest(AT_UNITS, cur);
	snprintf(path, sizeof(path), "%s/%s", w->dir, file);
	snprintf(cpath, sizeof(cpath), "%s/%s", w->dir, changes ? changes : "");
	snprintf(opath, sizeof(opath), "%s/units.csv", w->dir);
	err[0] = '\0';
	assert_int_equal(store_begin(w->st, true, &txn), 0);
	r = hierver_import(w->st, txn, w->hier, &in, err, len);
	if (r == 0)
		assert_int_equal(store_commit(&txn), 0);
	store_abort(&txn);
	return r;
}

/* The new version attached: w->hier becomes it, the versions before it
 * attached; the campaign loaded on it. */
static void s_attach(at_world_t *w)
{
	uint8_t d[HIERVER_DIGEST_LEN];
	hier_t *h = NULL;
	MDB_txn *txn = NULL;
	char err[1024];

	assert_int_equal(hier_load_mem(NEW_UNITS, strlen(NEW_UNITS), "new.csv", &h, err,
				       sizeof(err)), 0);
	s_digest(NEW_UNITS, d);
	assert_int_equal(store_begin(w->st, false, &txn), 0);
	if (hierver_attach(w->st, txn, h, "new.csv", d, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	store_abort(&txn);
	hier_destroy(&w->hier);
	w->hier = h;
	w->ctx.hier = h;
	at_campaign(w, s_campaign);
}

static void s_world(at_world_t *w)
{
	at_setup(w, AT_UNITS);
	at_file(w, "units.csv", AT_UNITS);
	at_file(w, "new.csv", NEW_UNITS);
	at_file(w, "changes.csv", CHANGES);
	at_file(w, "bad.csv", "change,code,other\nabolished,C2,\nmerged,V3,C1\n");
	at_file(w, "b.csv", s_baseline);
}

static void test_import(void **state)
{
	at_world_t w;
	char err[1024];
	json_t *v = NULL;
	MDB_txn *txn = NULL;

	(void)state;
	s_world(&w);
	assert_int_equal(s_import(&w, "new.csv", "2025-02-30", "changes.csv", err, sizeof(err)),
			 LNOB_E_INVALID);
	assert_non_null(strstr(err, "--valid-from: not a date"));
	assert_int_equal(s_import(&w, "units.csv", FROM, NULL, err, sizeof(err)), LNOB_E_EXISTS);
	assert_non_null(strstr(err, "the same bytes as the latest version"));
	/* No change list: the merger is not said. */
	assert_int_equal(s_import(&w, "new.csv", FROM, NULL, err, sizeof(err)), LNOB_E_HIER);
	assert_non_null(strstr(err, "units.csv:7: C2 is not in the new hierarchy and the change "
			       "list (no --changes) has no line for it"));
	assert_int_equal(s_import(&w, "new.csv", FROM, "bad.csv", err, sizeof(err)), LNOB_E_HIER);
	assert_non_null(strstr(err, "bad.csv:3: merged V3: still in the new hierarchy"));
	/* Nothing stored by a refusal. */
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(hierver_view(w.st, txn, NULL, &v, err, sizeof(err)), 0);
	store_abort(&txn);
	assert_int_equal(json_array_size(json_object_get(v, "versions")), 0);
	json_decref(v);
	assert_int_equal(s_import(&w, "new.csv", FROM, "changes.csv", err, sizeof(err)), 0);
	/* Stored: the configured file first, then the new version. */
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(hierver_view(w.st, txn, NULL, &v, err, sizeof(err)), 0);
	assert_int_equal(json_array_size(json_object_get(v, "versions")), 2);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(v, "versions"), 0),
						 "valid_from")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
				 json_object_get(v, "versions"), 1), "changes")), 1);
	json_decref(v);
	assert_int_equal(hierver_view(w.st, txn, FROM, &v, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(v, "versions"), 0), "lines"), 0), "change")), "merged");
	json_decref(v);
	assert_int_equal(hierver_view(w.st, txn, "2024-01-01", &v, err, sizeof(err)),
			 LNOB_E_NOTFOUND);
	/* The old file is not the latest version any more: refused. */
	{
		uint8_t d[HIERVER_DIGEST_LEN];

		s_digest(AT_UNITS, d);
		assert_int_equal(hierver_attach(w.st, txn, w.hier, "units.csv", d, err, sizeof(err)),
				 LNOB_E_HIER);
		assert_non_null(strstr(err, "units.csv: not the hierarchy's latest version (valid "
				       "from " FROM));
	}
	store_abort(&txn);
	s_attach(&w);
	assert_int_equal(hier_version_count(w.hier), 2);
	/* A version is added after the latest, never in place of one. */
	assert_int_equal(s_import(&w, "units.csv", FROM, NULL, err, sizeof(err)), LNOB_E_INVALID);
	assert_non_null(strstr(err, "not after the latest version's first day (" FROM ")"));
	at_teardown(&w);
}

static void test_periods(void **state)
{
	at_world_t w;
	char err[1024], detail[512];
	int32_t day;
	int n;

	(void)state;
	s_world(&w);
	assert_int_equal(s_import(&w, "new.csv", FROM, "changes.csv", err, sizeof(err)), 0);
	s_attach(&w);
	n = at_node(&w, "n1", "P");
	(void)at_node(&w, "c2-office", "C2");
	/* A period's last day picks its version; a year without a file too. */
	assert_true(hierperiod_day(&w.camps, AT_CAMPAIGN, "2024", &day));
	assert_int_equal(day, calendar_days(2024, 12, 31));
	assert_ptr_equal(hierperiod_tree(w.hier, &w.camps, AT_CAMPAIGN, "2024"),
			 hier_version_prev(w.hier));
	assert_ptr_equal(hierperiod_tree(w.hier, &w.camps, AT_CAMPAIGN, "2025"), w.hier);
	assert_ptr_equal(hierperiod_tree(w.hier, &w.camps, "other", "2023"),
			 hier_version_prev(w.hier));
	assert_ptr_equal(hierperiod_tree(w.hier, &w.camps, "other", "Q3"), w.hier);
	assert_false(hierperiod_day(&w.camps, AT_CAMPAIGN, "2019", &day));
	/* 2024 on the old tree, 2025 on the new one. */
	assert_int_equal(at_send(&w, n, R(.period = "2024", .unit = "V3", .revision = 1,
					  .values = "hh=30"), NULL), 0);
	assert_int_equal(at_send(&w, n, R(.period = "2024", .unit = "V1", .revision = 1,
					  .values = "hh=10"), NULL), 0);
	assert_int_equal(at_sum(&w, "2024", "C2", "hh", NULL), 30);
	assert_int_equal(at_sum(&w, "2024", "C1", "hh", NULL), 10);
	assert_int_equal(at_send(&w, n, R(.period = "2025", .unit = "V3", .revision = 1,
					  .values = "hh=31"), NULL), 0);
	assert_int_equal(at_sum(&w, "2025", "C1", "hh", NULL), 31);
	assert_int_equal(at_sum(&w, "2025", "C2", "hh", NULL), -1);
	assert_int_equal(at_send(&w, n, R(.period = "2025", .unit = "C2", .revision = 1,
					  .values = "hh=1"), detail),
			 LNOB__NACK_REASON__NACK_NOT_IN_PERIOD_HIERARCHY);
	assert_non_null(strstr(detail, "unit 'C2' is not in the hierarchy version valid for "
			       "period 2025 (from " FROM "): merged into C1"));
	assert_int_equal(at_send(&w, 1, R(.period = "2025", .unit = "V3", .revision = 2,
					  .values = "hh=1"), detail),
			 LNOB__NACK_REASON__NACK_OUT_OF_SCOPE);
	assert_non_null(strstr(detail, "the signer's scope 'C2' is not in the hierarchy version"));
	/* The key scoped to the merged commune still reports its 2024. */
	assert_int_equal(at_send(&w, 1, R(.period = "2024", .unit = "V3", .revision = 2,
					  .values = "hh=32"), NULL), 0);
	assert_int_equal(at_sum(&w, "2024", "C2", "hh", NULL), 32);
	assert_int_equal(at_send(&w, n, R(.period = "2025", .unit = "X9", .revision = 1,
					  .values = "hh=1"), NULL),
			 LNOB__NACK_REASON__NACK_UNKNOWN_UNIT);
	{
		char out[4096];

		assert_int_equal(at_verify(&w, out, sizeof(out)), 0);
	}
	at_teardown(&w);
}

static void test_baseline_and_previous(void **state)
{
	at_world_t w;
	campaign_counts_t b;
	figures_t *f = calloc(1, sizeof(*f));
	const campaign_t *c;
	char err[1024];
	int n, hh;

	(void)state;
	assert_non_null(f);
	s_world(&w);
	assert_int_equal(s_import(&w, "new.csv", FROM, "changes.csv", err, sizeof(err)), 0);
	s_attach(&w);
	c = w.camps.v[0];
	hh = campaign_indicator_find(c, "hh");
	/* The successor: its predecessors' rows; the others their own. */
	assert_int_equal(hierperiod_baseline(c, w.hier, hier_find(w.hier, "C1"), &b), 0);
	assert_int_equal(b.v[hh], 200 + 200);
	assert_int_equal(hierperiod_baseline(c, w.hier, hier_find(w.hier, "D1"), &b), 0);
	assert_int_equal(b.v[hh], 400);
	assert_int_equal(hierperiod_baseline(c, w.hier, hier_find(w.hier, "V3"), &b), 0);
	assert_int_equal(b.v[hh], 200);
	/* On the old version: as ever. */
	assert_int_equal(hierperiod_baseline(c, hier_version_prev(w.hier),
					     hier_find(hier_version_prev(w.hier), "C2"), &b), 0);
	assert_int_equal(b.v[hh], 200);
	/* 2025's previous period (2024, the old tree): the predecessors' sum. */
	n = at_node(&w, "n1", "P");
	assert_int_equal(at_send(&w, n, R(.period = "2024", .unit = "V1", .revision = 1,
					  .values = "hh=10"), NULL), 0);
	assert_int_equal(at_send(&w, n, R(.period = "2024", .unit = "V2", .revision = 1,
					  .values = "hh=20"), NULL), 0);
	assert_int_equal(at_send(&w, n, R(.period = "2024", .unit = "V3", .revision = 1,
					  .values = "hh=40"), NULL), 0);
	for (const char *const *u = (const char *const[]){ "V1", "V2", "V3", NULL }; *u; u++)
		assert_int_equal(at_send(&w, n, R(.period = "2025", .unit = *u, .revision = 1,
						  .values = "hh=5"), NULL), 0);
	{
		MDB_txn *txn = NULL;

		assert_int_equal(store_begin(w.st, false, &txn), 0);
		assert_int_equal(figures_build(w.st, txn, NULL, w.hier, c,
					       campaign_period_find(c, "2025"),
					       hier_find(w.hier, "C1"), f), 0);
		store_abort(&txn);
	}
	assert_false(f->ind[hh].partial);
	assert_int_equal(f->ind[hh].cur.v[hh], 15);
	assert_int_equal(f->ind[hh].base.v[hh], 400);
	assert_true(f->ind[hh].has_prev);
	assert_int_equal(f->ind[hh].prev.v[hh], 70);
	free(f);
	at_teardown(&w);
}

/* A third version: V3 goes to C7, split from C1. */
#define SPLIT_UNITS                                        \
	"code,name,parent_code,level,kind\n"               \
	"P,Province,,province,administrative\n"            \
	"D1,District 1,P,district,administrative\n"        \
	"C1,Commune 1,D1,commune,administrative\n"         \
	"V1,Village 1,C1,village,administrative\n"         \
	"V2,Village 2,C1,village,administrative\n"         \
	"C7,Commune 7,D1,commune,administrative\n"         \
	"V3,Village 3,C7,village,administrative\n"

static void test_split(void **state)
{
	at_world_t w;
	uint8_t d[HIERVER_DIGEST_LEN];
	hier_t *h = NULL;
	MDB_txn *txn = NULL;
	campaign_counts_t b;
	const campaign_t *c;
	char err[1024], path[4200], cpath[4200];
	hierver_import_t in = { .file = path, .valid_from = "2026-01-01", .changes = cpath,
				.current_file = "new.csv", .current_digest = d, .now = 1796000000 };

	(void)state;
	s_world(&w);
	at_file(&w, "split.csv", SPLIT_UNITS);
	at_file(&w, "split-changes.csv", "change,code,other\nsplit,C7,C1\nmoved,V3,C7\n");
	assert_int_equal(s_import(&w, "new.csv", FROM, "changes.csv", err, sizeof(err)), 0);
	s_attach(&w);
	s_digest(NEW_UNITS, d);
	snprintf(path, sizeof(path), "%s/split.csv", w.dir);
	snprintf(cpath, sizeof(cpath), "%s/split-changes.csv", w.dir);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	if (hierver_import(w.st, txn, w.hier, &in, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(hier_load_mem(SPLIT_UNITS, strlen(SPLIT_UNITS), "split.csv", &h, err,
				       sizeof(err)), 0);
	s_digest(SPLIT_UNITS, d);
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	if (hierver_attach(w.st, txn, h, "split.csv", d, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	store_abort(&txn);
	assert_int_equal(hier_version_count(h), 3);
	c = w.camps.v[0];
	/* The split unit and the one split from: not known; the rest as ever. */
	assert_int_equal(hierperiod_baseline(c, h, hier_find(h, "C7"), &b), LNOB_E_NOTFOUND);
	assert_int_equal(hierperiod_baseline(c, h, hier_find(h, "C1"), &b), LNOB_E_NOTFOUND);
	assert_int_equal(hierperiod_baseline(c, h, hier_find(h, "V3"), &b), 0);
	assert_int_equal(b.v[campaign_indicator_find(c, "hh")], 200);
	/* verify checks each version's change list: all hold. */
	{
		size_t diffs = 0;

		assert_int_equal(hierver_verify(h, NULL, &diffs), 0);
		assert_int_equal(diffs, 0);
	}
	hier_destroy(&h);
	at_teardown(&w);
}

/* One API request (api_handle(), no socket): its status, its body checked
 * to hold needle. */
static int s_api(api_t *api, const char *token, const char *period, const char *unit,
		 const char *needle)
{
	char auth[TOKEN_TEXT_MAX + 16];
	http_req_t rq;
	http_resp_t resp;

	memset(&rq, 0, sizeof(rq));
	memset(&resp, 0, sizeof(resp));
	rq.method = "GET";
	rq.path = "/api/rollup";
	rq.body = "";
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	rq.authorization = auth;
	rq.args[rq.nargs].key = "campaign";
	rq.args[rq.nargs++].value = AT_CAMPAIGN;
	rq.args[rq.nargs].key = "period";
	rq.args[rq.nargs++].value = period;
	if (unit) {
		rq.args[rq.nargs].key = "unit";
		rq.args[rq.nargs++].value = unit;
	}
	api_handle(api, &rq, &resp);
	assert_non_null(resp.body);
	if (needle && !strstr(resp.body, needle))
		fail_msg("/api/rollup %s %s: '%s' not in %s", period, unit ? unit : "-", needle,
			 resp.body);
	if (!resp.body_static)
		free(resp.body);
	return resp.status;
}

/* The API: a unit taken in the period's version; a token's scope in the
 * latest. */
static void test_api(void **state)
{
	at_world_t w;
	api_t api;
	char err[1024], all[TOKEN_TEXT_MAX + 1], c2[TOKEN_TEXT_MAX + 1], id[TOKEN_ID_LEN + 1];
	MDB_txn *txn = NULL;

	(void)state;
	s_world(&w);
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(token_create(w.st, txn, w.hier, TOKEN_VIEWER, "P", 0, NULL, 1, all, id,
				      err, sizeof(err)), 0);
	assert_int_equal(token_create(w.st, txn, w.hier, TOKEN_VIEWER, "C2", 0, NULL, 1, c2, id,
				      err, sizeof(err)), 0);
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(s_import(&w, "new.csv", FROM, "changes.csv", err, sizeof(err)), 0);
	s_attach(&w);
	api = (api_t){ .st = w.st, .hier = w.hier, .campaigns = &w.camps };
	assert_int_equal(s_api(&api, all, "2024", "C2", "\"C2\""), 200);
	assert_int_equal(s_api(&api, all, "2025", "C1", "\"V3\""), 200);
	assert_int_equal(s_api(&api, all, "2025", "C2", "bad_request"), 400);
	/* A token's scope is a unit of the latest version: C2's is refused. */
	assert_int_equal(s_api(&api, c2, "2024", NULL, "unauthorized"), 401);
	at_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_baseline_and_previous),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
