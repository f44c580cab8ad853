/* test_api_routes.c: the HTTP API's router (api.h) without sockets:
 * requests made here go to api_handle() over a small store: 401 without a
 * token, 404 and 405 with Allow, a viewer refused an operator action,
 * parameters refused with a message naming them, scope, ETag and
 * If-None-Match. */
#include "testutil.h"
#include "aggtest.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_int.h"
#include "tokens.h"

typedef struct s_world {
	at_world_t w;
	api_t api;
	char viewer[TOKEN_TEXT_MAX + 1], d1[TOKEN_TEXT_MAX + 1];
	char auth[TOKEN_TEXT_MAX + 16];
} s_world_t;

static void s_token(s_world_t *s, token_role_t role, const char *scope, char *text)
{
	MDB_txn *txn = NULL;
	char id[TOKEN_ID_LEN + 1], err[256];

	assert_int_equal(store_begin(s->w.st, true, &txn), 0);
	assert_int_equal(token_create(s->w.st, txn, s->w.hier, role, scope, 0, NULL, 1, text, id,
				      err, sizeof(err)), 0);
	assert_int_equal(store_commit(&txn), 0);
}

static int s_setup(void **state)
{
	s_world_t *s = calloc(1, sizeof(*s));

	at_setup(&s->w, AT_UNITS);
	s->api = (api_t){ .st = s->w.st, .hier = s->w.hier, .campaigns = &s->w.camps };
	s_token(s, TOKEN_VIEWER, "P", s->viewer);
	s_token(s, TOKEN_VIEWER, "D1", s->d1);
	*state = s;
	return 0;
}

static int s_teardown(void **state)
{
	s_world_t *s = *state;

	at_teardown(&s->w);
	free(s);
	return 0;
}

/* Runs one request; the response body (caller frees) and status. */
static int s_req(s_world_t *s, const char *method, const char *path, const char *token,
		 const char *query, const char *inm, http_resp_t *resp)
{
	http_req_t rq;
	char q[256], *save = NULL, *kv;

	memset(&rq, 0, sizeof(rq));
	memset(resp, 0, sizeof(*resp));
	rq.method = method;
	rq.path = path;
	rq.body = "";
	rq.if_none_match = inm;
	if (token) {
		snprintf(s->auth, sizeof(s->auth), "Bearer %s", token);
		rq.authorization = s->auth;
	}
	snprintf(q, sizeof(q), "%s", query ? query : "");
	for (kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq++ = '\0';
		rq.args[rq.nargs].key = kv;
		rq.args[rq.nargs++].value = eq ? eq : "";
	}
	api_handle(&s->api, &rq, resp);
	return resp->status;
}

/* status of a request, its body checked to contain needle (may be NULL). */
static int s_status(s_world_t *s, const char *method, const char *path, const char *token,
		    const char *query, const char *needle)
{
	http_resp_t resp;
	int st = s_req(s, method, path, token, query, NULL, &resp);

	if (needle) {
		assert_non_null(resp.body);
		if (!strstr(resp.body, needle))
			fail_msg("%s %s: '%s' not in %s", method, path, needle, resp.body);
	}
	if (!resp.body_static)
		free(resp.body);
	return st;
}

static void test_auth_and_routes(void **state)
{
	s_world_t *s = *state;

	assert_int_equal(s_status(s, "GET", "/api/whoami", NULL, NULL, "unauthorized"), 401);
	assert_int_equal(s_status(s, "GET", "/api/whoami", "lnob_x", NULL, "unauthorized"), 401);
	assert_int_equal(s_status(s, "GET", "/api/whoami", s->d1, NULL, "\"D1\""), 200);
	assert_int_equal(s_status(s, "GET", "/api/nothing", s->viewer, NULL, "not_found"), 404);
	assert_int_equal(s_status(s, "GET", "/api/units/P/x", s->viewer, NULL, "not_found"), 404);
	assert_int_equal(s_status(s, "POST", "/api/whoami", s->viewer, NULL, "method_not_allowed"),
			 405);
	assert_int_equal(s_status(s, "POST", "/api/approve", s->viewer, NULL, "operator"), 403);
	assert_int_equal(s_status(s, "GET", "/nothing.css", NULL, NULL, "not_found"), 404);
	assert_int_equal(s_status(s, "GET", "/", NULL, NULL, NULL), 200);
	assert_int_equal(s_status(s, "GET", "/api/fleet", s->viewer, NULL, "\"nodes\""), 200);
	assert_int_equal(s_status(s, "GET", "/metrics", s->d1, NULL, "root"), 403);
	assert_int_equal(s_status(s, "GET", "/metrics", s->viewer, NULL, "no metrics"), 500);
}

static void test_params_and_scope(void **state)
{
	s_world_t *s = *state;
	http_resp_t resp;
	char etag[80];

	assert_int_equal(s_status(s, "GET", "/api/rollup", s->viewer, "period=2023", "'campaign'"),
			 400);
	assert_int_equal(s_status(s, "GET", "/api/rollup", s->viewer, "campaign=c", "'period'"), 400);
	assert_int_equal(s_status(s, "GET", "/api/rollup", s->viewer,
				  "campaign=c&period=2023&unit=Village", "names 3 units"), 400);
	assert_int_equal(s_status(s, "GET", "/api/rollup", s->viewer,
				  "campaign=c&period=2023&unit=Vilage 1", "did you mean: V1"), 400);
	assert_int_equal(s_status(s, "GET", "/api/rollup", s->d1,
				  "campaign=c&period=2023&unit=Province", "outside"), 403);
	assert_int_equal(s_status(s, "GET", "/api/units", s->viewer, "limit=-1", "'limit'"), 400);
	assert_int_equal(s_status(s, "GET", "/api/units", s->viewer, "x=1", "'x'"), 400);
	assert_int_equal(s_status(s, "GET", "/api/units", s->viewer, "q=1&q=2", "twice"), 400);
	assert_int_equal(s_status(s, "GET", "/api/units", s->d1, "q=village", "\"V3\""), 200);
	assert_int_equal(s_status(s, "GET", "/api/units/P", s->d1, NULL, "forbidden"), 403);
	assert_int_equal(s_status(s, "GET", "/api/status", s->d1, NULL, "root"), 403);
	assert_int_equal(s_status(s, "GET", "/api/status", s->viewer, NULL, "\"counters\""), 200);
	assert_int_equal(s_req(s, "GET", "/api/units/C1", s->d1, NULL, NULL, &resp), 200);
	assert_true(resp.etag[0] == '"');
	snprintf(etag, sizeof(etag), "%s", resp.etag);
	free(resp.body);
	assert_int_equal(s_req(s, "GET", "/api/units/C1", s->d1, NULL, etag, &resp), 304);
	assert_null(resp.body);
	assert_int_equal(s_req(s, "GET", "/api/units/C2", s->d1, NULL, etag, &resp), 200);
	free(resp.body);
}

/* The shared builders' option names become the API's parameter names. */
static void test_param_names(void **state)
{
	char msg[128] = "--kind decided needs --decision-number N; --granted FORM, --kinder";

	(void)state;
	api_param_names(msg, sizeof(msg));
	assert_string_equal(msg, "stage decided needs decision_number N; granted_form FORM, "
			    "--kinder");
}

/* api_etag() of doc's JSON_INDENT(2) | JSON_SORT_KEYS text into out. */
static void s_etag_of(json_t *doc, char out[API_ETAG_LEN + 1])
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);

	assert_non_null(text);
	api_etag(text, strlen(text), out);
	assert_int_equal(strlen(out), API_ETAG_LEN);
	assert_true(out[0] == '"' && out[API_ETAG_LEN - 1] == '"');
	free(text);
	json_decref(doc);
}

/* The ETag leaves out the top-level generated_at only: the same document
 * made later keeps it (304 to a client holding it), any other change,
 * a nested generated_at's too, gives another. */
static void test_etag_without_generated_at(void **state)
{
	char a[API_ETAG_LEN + 1], b[API_ETAG_LEN + 1];

	(void)state;
	s_etag_of(json_pack("{s:i, s:i, s:[i]}", "a", 1, "generated_at", 100, "z", 3), a);
	s_etag_of(json_pack("{s:i, s:i, s:[i]}", "a", 1, "generated_at", 2000000000, "z", 3), b);
	assert_string_equal(a, b);
	s_etag_of(json_pack("{s:i, s:i, s:[i]}", "a", 1, "generated_at", 100, "z", 4), b);
	assert_string_not_equal(a, b);
	s_etag_of(json_pack("{s:i, s:i, s:[i]}", "a", 2, "generated_at", 100, "z", 3), b);
	assert_string_not_equal(a, b);
	/* The last member (no comma after it), and a document without one. */
	s_etag_of(json_pack("{s:i, s:i}", "a", 1, "generated_at", 1), a);
	s_etag_of(json_pack("{s:i, s:i}", "a", 1, "generated_at", 22), b);
	assert_string_equal(a, b);
	s_etag_of(json_pack("{s:i}", "a", 1), b);
	s_etag_of(json_pack("{s:i}", "a", 2), a);
	assert_string_not_equal(a, b);
	/* Nested, or a string that spells it: part of the document. */
	s_etag_of(json_pack("{s:{s:i}}", "child", "generated_at", 1), a);
	s_etag_of(json_pack("{s:{s:i}}", "child", "generated_at", 2), b);
	assert_string_not_equal(a, b);
	s_etag_of(json_pack("[s, i]", "\n  \"generated_at\": ", 1), a);
	s_etag_of(json_pack("[s, i]", "\n  \"generated_at\": ", 2), b);
	assert_string_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auth_and_routes, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_params_and_scope, s_setup, s_teardown),
		cmocka_unit_test(test_param_names),
		cmocka_unit_test(test_etag_without_generated_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
