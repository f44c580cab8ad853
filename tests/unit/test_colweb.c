/* test_colweb.c: the collector page's routes (collector/colweb.h) called
 * through colweb_handle() with built requests, against a temporary outbox
 * and a configuration with the campaign and hierarchy set in the context:
 * the password (401), 404 and 405, the form (previous period's values, an
 * ad-hoc request's units and indicators, its panel), reports and their
 * refusals (bad JSON, a JSON path, an unknown campaign, a unit outside
 * the hierarchy), the correction of a parked report (and of a seq that is
 * not parked), nominations with base64 dossiers (and bad ones), the Excel
 * template (the same bytes as template_write(), an unknown period) and the
 * upload of a workbook that is none; then, with a signed metadata bundle
 * of the commune's scope held (an ad-hoc request in it), the scope: a
 * report, a nomination and a template outside it refused. */
#include "testutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"
#include "campaign_request.h"
#include "cmd_collector.h"
#include "colmeta.h"
#include "colweb.h"
#include "conf.h"
#include "hierarchy.h"
#include "lnob_err.h"
#include "metadata.h"
#include "outbox.h"
#include "template.h"
#include "util.h"

#define PW "mat-khau"

static const char s_units[] =
	"code,name,parent_code,level,kind\n"
	"P,Province,,province,administrative\n"
	"D1,District 1,P,district,administrative\n"
	"C001,Commune 1,D1,commune,administrative\n"
	"V001,Village 1,C001,village,administrative\n"
	"V002,Village 2,C001,village,administrative\n";

static const char s_campaign[] =
	"[campaign]\nid = lnob\nname = Test\nstart = 2021-01-01\nend = 2025-12-31\n"
	"baseline_date = 2020-12-31\nlevels = province, district, commune, village\n"
	"reported_by = village\n"
	"[indicators]\nhouseholds_total = count\npoor_households = count\nfund_vnd = amount\n"
	"poor_rate = rate poor_households / households_total\n"
	"[reported_by]\nfund_vnd = all\n"
	"[labels]\npoor_households = Số hộ nghèo\n"
	"[period 2022]\nkind = year\nstart = 2022-01-01\nend = 2022-12-31\n"
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n";

typedef struct t_world {
	char dir[512];
	cli_ctx_t ctx;
} t_world_t;

static t_world_t s_w;

/* A request of method to path with the password (pw NULL: none), query
 * args "k=v&k=v" (NULL: none) and body (NULL: none). The answer in resp
 * (free resp->body). */
static void t_call(const char *method, const char *path, const char *query, const char *pw,
		   const char *body, size_t len, http_resp_t *resp)
{
	static char qbuf[512], auth[128];
	http_req_t req;
	char *save = NULL;

	memset(&req, 0, sizeof(req));
	memset(resp, 0, sizeof(*resp));
	req.method = method;
	req.path = path;
	if (pw) {
		snprintf(auth, sizeof(auth), "Bearer %s", pw);
		req.authorization = auth;
	}
	req.body = body ? body : "";
	req.body_len = body ? len : 0;
	if (query) {
		snprintf(qbuf, sizeof(qbuf), "%s", query);
		for (char *kv = strtok_r(qbuf, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');

			if (eq)
				*eq = '\0';
			req.args[req.nargs].key = kv;
			req.args[req.nargs++].value = eq ? eq + 1 : "";
		}
	}
	colweb_handle(&s_w.ctx, &req, resp);
}

/* The JSON answer of a call, checking its status. Caller owns it. */
static json_t *t_json(const char *method, const char *path, const char *query, const char *body,
		      int status)
{
	http_resp_t resp;
	json_t *doc;

	t_call(method, path, query, PW, body, body ? strlen(body) : 0, &resp);
	doc = json_loadb(resp.body, resp.len, 0, NULL);
	if (resp.status != status)
		fail_msg("%s %s: %d, not %d: %.*s", method, path, resp.status, status, (int)resp.len,
			 resp.body);
	assert_non_null(doc);
	if (!resp.body_static)
		free(resp.body);
	return doc;
}

/* Expects a refusal of status whose message contains want. */
static void t_refused(const char *method, const char *path, const char *query, const char *body,
		      int status, const char *want)
{
	json_t *doc = t_json(method, path, query, body, status);
	const char *msg = json_string_value(json_object_get(doc, "message"));

	if (!msg || !strstr(msg, want))
		fail_msg("%s %s: message '%s' lacks '%s'", method, path, msg ? msg : "(none)", want);
	json_decref(doc);
}

/* The unit code of a form document (borrowed), failing when absent. */
static json_t *t_unit(json_t *doc, const char *code)
{
	json_t *arr = json_object_get(doc, "units");

	for (size_t i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(arr, i), "code")),
			   code) == 0)
			return json_array_get(arr, i);
	fail_msg("no unit %s in the form", code);
	return NULL;
}

static uint64_t t_queued(void)
{
	outbox_stats_t st;

	assert_int_equal(outbox_stats(s_w.ctx.store, &st), 0);
	return st.queued_own;
}

static int t_setup(void **state)
{
	cli_ctx_t *ctx = &s_w.ctx;
	char conf[2048], err[1024], key[600];
	identity_t id;

	(void)state;
	memset(&s_w, 0, sizeof(s_w));
	snprintf(s_w.dir, sizeof(s_w.dir), "%s", tu_tmpdir());
	assert_int_equal(identity_generate("c1", &id), 0);
	snprintf(key, sizeof(key), "%s/c1.key", s_w.dir);
	assert_int_equal(identity_save(&id, key), 0);
	identity_wipe(&id);
	snprintf(conf, sizeof(conf), "[node]\nid = c1\nidentity = %s\ndata_dir = %s/data\n"
		 "[uplink]\nendpoint = tcp://127.0.0.1:1\nserver_public = %s/agg.pub\n"
		 "[nominations]\ncampaign = lnob\nattach_max_bytes = 64\n"
		 "[web]\nlisten = 127.0.0.1:8090\npassword = " PW "\n", key, s_w.dir, s_w.dir);
	if (col_conf_load(ctx, tu_write(s_w.dir, "c.conf", conf, 0600), err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(identity_load(key, &ctx->id, err, sizeof(err)), 0);
	assert_int_equal(campaigns_reserve(&ctx->camps, 1), 0);
	if (hier_load_mem(s_units, strlen(s_units), "units.csv", &ctx->hier, err, sizeof(err)) < 0 ||
	    campaign_load_mem(s_campaign, "c.ini", ctx->hier, &ctx->camps.v[0], err, sizeof(err)) < 0)
		fail_msg("%s", err);
	ctx->camps.n = 1;
	if (col_store_open(ctx, CLI_STORE_WRITE, &ctx->store, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return 0;
}

static int t_teardown(void **state)
{
	cli_ctx_t *ctx = &s_w.ctx;

	(void)state;
	col_store_close(ctx->store);
	campaigns_clear(&ctx->camps);
	hier_destroy(&ctx->hier);
	identity_wipe(&ctx->id);
	conf_destroy(&ctx->conf);
	free(ctx->daemon);
	tu_rmtree(s_w.dir);
	return 0;
}

static void test_auth_and_routes(void **state)
{
	http_resp_t resp;

	(void)state;
	t_call("GET", "/api/status", NULL, NULL, NULL, 0, &resp);
	assert_int_equal(resp.status, 401);
	free(resp.body);
	t_call("GET", "/api/form", NULL, "wrong", NULL, 0, &resp);
	assert_int_equal(resp.status, 401);
	free(resp.body);
	t_call("GET", "/index.html", NULL, NULL, NULL, 0, &resp);
	assert_int_equal(resp.status, 200);
	assert_true(resp.body_static);
	t_refused("GET", "/api/nope", NULL, NULL, 404, "no such endpoint");
	t_call("DELETE", "/api/reports", NULL, PW, NULL, 0, &resp);
	assert_int_equal(resp.status, 405);
	assert_string_equal(resp.allow, "GET, POST");
	free(resp.body);
	t_call("PUT", "/api/template", NULL, PW, NULL, 0, &resp);
	assert_int_equal(resp.status, 405);
	assert_string_equal(resp.allow, "GET, POST");
	free(resp.body);
	json_decref(t_json("GET", "/api/status", NULL, NULL, 200));
}

#define REP(unit, vals) "{\"campaign\": \"lnob\", \"period\": \"2022\", \"unit\": \"" unit \
	"\", \"values\": {" vals "}}"

static void test_reports_and_previous(void **state)
{
	json_t *doc, *u;

	(void)state;
	t_refused("POST", "/api/reports", NULL, "{", 400, "page:1:");
	t_refused("POST", "/api/reports", NULL, REP("V001", "\"poor_households\": -3"), 400,
		  "page: entry 1: poor_households:");
	t_refused("POST", "/api/reports", NULL, "{\"campaign\": \"nope\", \"period\": \"2022\", "
		  "\"unit\": \"V001\", \"values\": {\"poor_households\": 1}}", 400, "nope");
	t_refused("POST", "/api/reports", NULL, REP("V999", "\"poor_households\": 3"), 400,
		  "unit 'V999' is not in the hierarchy");
	assert_int_equal(t_queued(), 0);
	doc = t_json("POST", "/api/reports", NULL, REP("V001", "\"poor_households\": 31"), 200);
	assert_int_equal(json_integer_value(json_object_get(doc, "queued")), 1);
	json_decref(doc);
	/* 2023's form shows 2022's value of V001 beside the field. */
	doc = t_json("GET", "/api/form", "campaign=lnob&period=2023", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(doc, "period_kind")), "campaign");
	u = t_unit(doc, "V001");
	assert_string_equal(json_string_value(json_object_get(json_object_get(u, "previous"),
							      "period")), "2022");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(u,
		"previous"), "values"), "poor_households")), 31);
	assert_true(json_is_null(json_object_get(t_unit(doc, "V002"), "previous")));
	assert_int_equal(json_array_size(json_object_get(t_unit(doc, "C001"), "indicators")), 1);
	json_decref(doc);
	t_refused("GET", "/api/form", "campaign=nope", NULL, 400, "unknown campaign 'nope'");
	t_refused("GET", "/api/form", "campaign=lnob&period=2030", NULL, 400, "no period '2030'");
}

static void test_correction(void **state)
{
	json_t *doc;
	char body[512];
	uint64_t seq;

	(void)state;
	doc = t_json("POST", "/api/reports", NULL, REP("V002", "\"poor_households\": 9"), 200);
	seq = (uint64_t)json_integer_value(json_object_get(doc, "seq"));
	json_decref(doc);
	/* Not parked yet: no correction of it. */
	snprintf(body, sizeof(body), "{\"corrects\": %llu, \"campaign\": \"lnob\", \"period\": "
		 "\"2022\", \"unit\": \"V002\", \"values\": {\"poor_households\": 8}}",
		 (unsigned long long)seq);
	t_refused("POST", "/api/reports", NULL, body, 400, "is not a refused (parked) report");
	t_refused("GET", "/api/report", "seq=1", NULL, 404, "not a refused");
	t_refused("GET", "/api/report", "seq=x", NULL, 400, "seq: not a seq");
	assert_int_equal(outbox_park(s_w.ctx.store, seq, LNOB__NACK_REASON__NACK_OUT_OF_SCOPE,
				     "test", lnob_now_ms()), 0);
	snprintf(body, sizeof(body), "seq=%llu", (unsigned long long)seq);
	doc = t_json("GET", "/api/report", body, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(doc, "unit")), "V002");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "values"),
							    "poor_households")), 9);
	json_decref(doc);
	t_refused("POST", "/api/reports", NULL, "{\"corrects\": \"x\"}", 400, "corrects: not a seq");
	snprintf(body, sizeof(body), "{\"corrects\": %llu, \"campaign\": \"lnob\", \"period\": "
		 "\"2022\", \"unit\": \"V001\", \"values\": {\"poor_households\": 1}}",
		 (unsigned long long)seq);
	t_refused("POST", "/api/reports", NULL, body, 400, "is the report of lnob/2022/V002");
	snprintf(body, sizeof(body), "{\"corrects\": %llu, \"campaign\": \"lnob\", \"period\": "
		 "\"2022\", \"unit\": \"V002\", \"values\": {\"poor_households\": 8}}",
		 (unsigned long long)seq);
	doc = t_json("POST", "/api/reports", NULL, body, 200);
	assert_int_equal(json_integer_value(json_object_get(doc, "dismissed")), (json_int_t)seq);
	json_decref(doc);
	snprintf(body, sizeof(body), "seq=%llu", (unsigned long long)seq);
	t_refused("GET", "/api/report", body, NULL, 404, "not a refused");
	/* The new one is revision 2, in the entered record. */
	{
		Lnob__EnteredRecord *e = NULL;

		assert_int_equal(outbox_entered_get(s_w.ctx.store, "lnob", "2022", "V002", &e), 0);
		assert_int_equal(e->report->revision, 2);
		assert_int_equal(e->report->base_revision, 1);
		assert_int_equal(e->seq, seq + 1);
		lnob__entered_record__free_unpacked(e, NULL);
	}
	/* Entered again without a revision: it revises the last one (3 on 2),
	 * not a second revision 1 (a conflict at the province). */
	doc = t_json("POST", "/api/reports", NULL, REP("V002", "\"poor_households\": 7"), 200);
	json_decref(doc);
	{
		Lnob__EnteredRecord *e = NULL;

		assert_int_equal(outbox_entered_get(s_w.ctx.store, "lnob", "2022", "V002", &e), 0);
		assert_int_equal(e->report->revision, 3);
		assert_int_equal(e->report->base_revision, 2);
		lnob__entered_record__free_unpacked(e, NULL);
	}
}

/* A nomination body for unit whose dossier's three documents are doc0 and
 * two with base64 data. Caller frees. */
static char *t_nomination_of(const char *unit, const char *doc0)
{
	char b64[64], *out = NULL;

	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)"hello", 5,
			  sodium_base64_VARIANT_ORIGINAL);
	if (asprintf(&out, "{\"id\": \"web-1\", \"nominee_kind\": \"household\", \"nominee_name\": "
		     "\"Nguyễn Văn A\", \"unit\": \"%s\", \"form\": \"giay_khen\", \"occasion\": "
		     "\"2022\", \"summary\": \"Thoát nghèo\", \"dossier\": [%s, {\"kind\": "
		     "\"council_minutes\", \"title\": \"BB\", \"vote\": \"9/11\", \"data\": \"%s\"}, "
		     "{\"kind\": \"achievement_report\", \"title\": \"BC\", \"data\": \"%s\"}]}", unit,
		     doc0, b64, b64) < 0)
		fail();
	return out;
}

static char *t_nomination(const char *doc0)
{
	return t_nomination_of("V001", doc0);
}

static void test_nominations(void **state)
{
	char *body;
	json_t *doc, *d;
	uint64_t before = t_queued();

	(void)state;
	body = t_nomination("{\"kind\": \"proposal\", \"title\": \"TT\", \"data\": \"aGVsbG8=\"}");
	doc = t_json("POST", "/api/nominations", NULL, body, 200);
	free(body);
	assert_string_equal(json_string_value(json_object_get(doc, "key")), "c1/web-1");
	d = json_array_get(json_object_get(doc, "documents"), 0);
	assert_int_equal(json_integer_value(json_object_get(d, "size")), 5);
	assert_string_equal(json_string_value(json_object_get(d, "sha256")),
			    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	assert_true(json_is_true(json_object_get(d, "attached")));
	assert_int_equal(json_integer_value(json_object_get(doc, "attached_bytes")), 15);
	json_decref(doc);
	assert_int_equal(t_queued(), before + 1);
	body = t_nomination("{\"kind\": \"proposal\", \"title\": \"TT\", \"data\": \"!!!\"}");
	t_refused("POST", "/api/nominations", NULL, body, 400, "page: dossier[0].data: not base64");
	free(body);
	body = t_nomination("{\"kind\": \"proposal\", \"title\": \"TT\", \"file\": \"/etc/passwd\"}");
	t_refused("POST", "/api/nominations", NULL, body, 400, "dossier[0].file: not taken here");
	free(body);
	body = t_nomination("{\"kind\": \"minutes\", \"title\": \"TT\", \"data\": \"aGVsbG8=\"}");
	t_refused("POST", "/api/nominations", NULL, body, 400, "dossier[0].kind");
	free(body);
	t_refused("POST", "/api/nominations", NULL, "{\"id\": 1", 400, "page:1:");
	assert_int_equal(t_queued(), before + 1);
}

/* GET /api/template's bytes for query, checking 200. Caller frees. */
static char *t_template(const char *query, size_t *len)
{
	http_resp_t resp;

	t_call("GET", "/api/template", query, PW, NULL, 0, &resp);
	if (resp.status != 200)
		fail_msg("template %s: %d %.*s", query, resp.status, (int)resp.len, resp.body);
	assert_string_equal(resp.disposition, "attachment; filename=\"lnob-2023.xlsx\"");
	assert_memory_equal(resp.body, "PK", 2);
	*len = resp.len;
	return resp.body;
}

static void test_template(void **state)
{
	template_opts_t o = { .campaign = s_w.ctx.camps.v[0], .period = "2023",
			      .hier = s_w.ctx.hier, .root = -1 };
	char path[700], err[512], *got, *want = NULL;
	size_t len, wlen = 0;
	uint64_t before = t_queued();

	(void)state;
	got = t_template("campaign=lnob&period=2023", &len);
	snprintf(path, sizeof(path), "%s/cli.xlsx", s_w.dir);
	assert_int_equal(template_write(path, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(lnob_read_file(path, 1 << 24, &want, &wlen), 0);
	assert_int_equal(len, wlen);
	assert_memory_equal(got, want, len);   /* the command's bytes */
	free(want);
	t_refused("GET", "/api/template", "campaign=lnob&period=2030", NULL, 400, "no period '2030'");
	t_refused("GET", "/api/template", "campaign=nope&period=2023", NULL, 400, "unknown campaign");
	t_refused("POST", "/api/template", "name=x.xlsx", "not a workbook", 400, "x.xlsx");
	{
		http_resp_t resp;   /* the empty template: no report, nothing queued */

		t_call("POST", "/api/template", NULL, PW, got, len, &resp);
		assert_int_equal(resp.status, 400);
		free(resp.body);
	}
	free(got);
	assert_int_equal(t_queued(), before);
}

static void test_adhoc(void **state)
{
	static char *units[] = { "V002" }, *inds[] = { "poor_households" };
	Lnob__AdhocRequest q = LNOB__ADHOC_REQUEST__INIT;
	json_t *doc, *arr, *rq;
	char err[512];

	(void)state;
	tu_adhoc(&q, "lnob", "dx-1", units, 1, inds, 1, "2023-06-30");
	q.note = "Rà soát nhanh";
	if (campaign_request_add(s_w.ctx.camps.v[0], s_w.ctx.hier, &q, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	doc = t_json("GET", "/api/form", "campaign=lnob&period=dx-1", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(doc, "period_kind")), "adhoc");
	arr = json_object_get(doc, "units");
	assert_int_equal(json_array_size(arr), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "code")), "V002");
	arr = json_object_get(json_array_get(arr, 0), "indicators");
	assert_int_equal(json_array_size(arr), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "label")),
			    "Số hộ nghèo");
	rq = json_array_get(json_object_get(doc, "requests"), 0);
	assert_string_equal(json_string_value(json_object_get(rq, "id")), "dx-1");
	assert_string_equal(json_string_value(json_object_get(rq, "due")), "2023-06-30");
	assert_string_equal(json_string_value(json_object_get(rq, "note")), "Rà soát nhanh");
	assert_true(json_is_true(json_object_get(rq, "late")));
	json_decref(doc);
	/* The default period stays the campaign file's last. */
	doc = t_json("GET", "/api/form", NULL, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(doc, "period")), "2023");
	json_decref(doc);
	t_refused("POST", "/api/reports", NULL, "{\"campaign\": \"lnob\", \"period\": \"dx-1\", "
		  "\"unit\": \"V001\", \"values\": {\"poor_households\": 1}}", 400,
		  "not asked by ad-hoc request 'dx-1'");
	json_decref(t_json("POST", "/api/reports", NULL, "{\"campaign\": \"lnob\", \"period\": "
			   "\"dx-1\", \"unit\": \"V002\", \"values\": {\"poor_households\": 1}}",
			   200));
	{
		http_resp_t resp;

		t_call("GET", "/api/template", "campaign=lnob&period=dx-1", PW, NULL, 0, &resp);
		assert_int_equal(resp.status, 200);
		free(resp.body);
	}
}

/* The aggregator's side: a bigger hierarchy, the campaign from its file
 * with an ad-hoc request asking V001 and V201 (outside C001). */
static const char s_agg_units[] =
	"code,name,parent_code,level,kind\n"
	"P,Province,,province,administrative\n"
	"D1,District 1,P,district,administrative\n"
	"C001,Commune 1,D1,commune,administrative\n"
	"V001,Village 1,C001,village,administrative\n"
	"V002,Village 2,C001,village,administrative\n"
	"C002,Commune 2,D1,commune,administrative\n"
	"V201,Village 201,C002,village,administrative\n";

/* Builds, signs and gives the running collector C001's bundle. */
static void t_hold_metadata(void)
{
	static char *units[] = { "V001", "V201" }, *inds[] = { "households_total" };
	const metadata_node_t nodes[] = { { "c1", "C001" } };
	Lnob__AdhocRequest q = LNOB__ADHOC_REQUEST__INIT;
	Lnob__Metadata m = LNOB__METADATA__INIT;
	campaigns_t camps;
	hier_t *h = NULL;
	identity_t agg;
	uint8_t *body = NULL, sig[64];
	size_t len = 0;
	char err[1024];
	identity_pub_t next;

	memset(&camps, 0, sizeof(camps));
	assert_int_equal(campaigns_reserve(&camps, 1), 0);
	assert_int_equal(identity_generate("province", &agg), 0);
	if (hier_load_mem(s_agg_units, strlen(s_agg_units), "agg.csv", &h, err, sizeof(err)) < 0 ||
	    campaign_load(tu_write(s_w.dir, "c.ini", s_campaign, 0600), h, &camps.v[0], err,
			  sizeof(err)) < 0)
		fail_msg("%s", err);
	camps.n = 1;
	tu_adhoc(&q, "lnob", "dx-2", units, 2, inds, 1, "2099-12-31");
	if (campaign_request_add(camps.v[0], h, &q, err, sizeof(err)) < 0 ||
	    metadata_body_build(h, hier_find(h, "C001"), &camps, nodes, 1, NULL, &body, &len, err,
				sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(metadata_sign(&agg, 5, 1700000000, body, len, sig), 0);
	m.version = 5;
	m.issued_at = 1700000000;
	m.issuer = agg.pub.node_id;
	m.body = (ProtobufCBinaryData){ len, body };
	m.signature = (ProtobufCBinaryData){ 64, sig };
	if (colmeta_take(s_w.ctx.store, agg.pub.sign_pk, &m, &next, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	free(body);
	identity_wipe(&agg);
	campaigns_clear(&camps);
	hier_destroy(&h);
}

static void test_metadata_scope(void **state)
{
	json_t *doc, *rq;
	char *body;

	(void)state;
	t_hold_metadata();
	doc = t_json("GET", "/api/form", NULL, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(doc, "source")), "metadata");
	assert_int_equal(json_integer_value(json_object_get(doc, "metadata_version")), 5);
	rq = json_array_get(json_object_get(doc, "requests"), 0);
	assert_string_equal(json_string_value(json_object_get(rq, "id")), "dx-2");
	assert_false(json_is_true(json_object_get(rq, "late")));
	assert_int_equal(json_array_size(json_object_get(rq, "units")), 1);   /* V201: not ours */
	assert_string_equal(json_string_value(json_array_get(json_object_get(rq, "units"), 0)),
			    "V001");
	json_decref(doc);
	doc = t_json("GET", "/api/form", "campaign=lnob&period=dx-2", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(doc, "units")), 1);
	json_decref(doc);
	t_refused("POST", "/api/reports", NULL, "{\"campaign\": \"lnob\", \"period\": \"2023\", "
		  "\"unit\": \"C002\", \"values\": {\"fund_vnd\": 1}}", 400,
		  "page: entry 1: unit 'C002' is out of scope: not under 'C001'");
	body = t_nomination_of("C002", "{\"kind\": \"proposal\", \"title\": \"TT\", \"data\": "
			       "\"aGVsbG8=\"}");
	t_refused("POST", "/api/nominations", NULL, body, 400,
		  "page: unit: 'C002' is not in this node's scope");
	free(body);
	t_refused("GET", "/api/template", "campaign=lnob&period=2023&unit=C002", NULL, 400,
		  "unit: 'C002' is not in this node's scope");
	json_decref(t_json("POST", "/api/reports", NULL, "{\"campaign\": \"lnob\", \"period\": "
			   "\"dx-2\", \"unit\": \"V001\", \"values\": {\"households_total\": 3}}",
			   200));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_and_routes),
		cmocka_unit_test(test_reports_and_previous),
		cmocka_unit_test(test_correction),
		cmocka_unit_test(test_nominations),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_adhoc),
		cmocka_unit_test(test_metadata_scope),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
