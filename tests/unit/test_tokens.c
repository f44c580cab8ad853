/* test_tokens.c: the HTTP API's tokens (tokens.h): the text form, expiry
 * at the end of the day UTC, a created token checks and a changed one does
 * not, revocation and expiry refuse it, the list shows no secret; and
 * http_listen_parse() (http.h). */
#include "testutil.h"
#include "aggtest.h"

#include <string.h>

#include "http.h"
#include "lnob_err.h"
#include "tokens.h"

static void test_text_and_dates(void **state)
{
	char id[TOKEN_ID_LEN + 1], text[TOKEN_TEXT_MAX + 1];
	const char *secret;
	token_role_t role;
	int64_t t;

	(void)state;
	assert_int_equal(token_role_parse("viewer", &role), 0);
	assert_int_equal(role, TOKEN_VIEWER);
	assert_int_equal(token_role_parse("operator", &role), 0);
	assert_int_equal(role, TOKEN_OPERATOR);
	assert_int_equal(token_role_parse("admin", &role), LNOB_E_INVALID);
	assert_int_equal(token_expiry_parse("1970-01-01", &t), LNOB_E_INVALID);   /* < 2000 */
	assert_int_equal(token_expiry_parse("2023-12-31", &t), 0);
	assert_int_equal(t, 1704067199);   /* 2023-12-31T23:59:59Z */
	assert_int_equal(token_expiry_parse("2023-02-29", &t), LNOB_E_INVALID);
	memcpy(text, "lnob_0123456789ab_", 18);
	memset(text + 18, 'A', TOKEN_SECRET_LEN);
	text[18 + TOKEN_SECRET_LEN - 1] = '_';
	text[18 + TOKEN_SECRET_LEN] = '\0';
	assert_int_equal(token_split(text, id, &secret), 0);
	assert_string_equal(id, "0123456789ab");
	assert_int_equal(strlen(secret), TOKEN_SECRET_LEN);
	text[10] = 'A';   /* ids are lowercase hex */
	assert_int_equal(token_split(text, id, &secret), LNOB_E_INVALID);
	assert_int_equal(token_split("lnob_0123456789ab_short", id, &secret), LNOB_E_INVALID);
	assert_int_equal(token_split("bearer", id, &secret), LNOB_E_INVALID);
}

static void test_listen_parse(void **state)
{
	uint32_t a;
	uint16_t p;
	char err[128];

	(void)state;
	assert_int_equal(http_listen_parse("127.0.0.1:8080", &a, &p, err, sizeof(err)), 0);
	assert_int_equal(a, 0x7f000001);
	assert_int_equal(p, 8080);
	assert_int_equal(http_listen_parse("localhost:1", &a, &p, err, sizeof(err)), 0);
	assert_int_equal(a, 0x7f000001);
	assert_int_equal(http_listen_parse("0.0.0.0:65535", &a, &p, err, sizeof(err)), 0);
	assert_int_equal(p, 65535);
	assert_int_equal(http_listen_parse("127.0.0.1:0", &a, &p, err, sizeof(err)), LNOB_E_INVALID);
	assert_int_equal(http_listen_parse("127.0.0.1:65536", &a, &p, err, sizeof(err)),
			 LNOB_E_INVALID);
	assert_int_equal(http_listen_parse("example.org:80", &a, &p, err, sizeof(err)),
			 LNOB_E_INVALID);
	assert_non_null(strstr(err, "IPv4"));
	assert_int_equal(http_listen_parse("8080", &a, &p, err, sizeof(err)), LNOB_E_INVALID);
	assert_int_equal(http_listen_parse("127.0.0.1:+80", &a, &p, err, sizeof(err)),
			 LNOB_E_INVALID);
}

/* Creates a token in w's store; its text into text. */
static void s_create(at_world_t *w, token_role_t role, const char *scope, int64_t expires,
		     char *text, char *id)
{
	MDB_txn *txn = NULL;
	char err[256] = "";

	assert_int_equal(store_begin(w->st, true, &txn), 0);
	assert_int_equal(token_create(w->st, txn, w->hier, role, scope, expires, "test", 1000, text,
				      id, err, sizeof(err)), 0);
	assert_int_equal(store_commit(&txn), 0);
}

/* token_check() of text at now; its grant into g. */
static int s_check(at_world_t *w, const char *text, int64_t now, token_grant_t *g, char *err)
{
	MDB_txn *txn = NULL;
	int r;

	assert_int_equal(store_begin(w->st, false, &txn), 0);
	r = token_check(w->st, txn, w->hier, text, now, g, err, 256);
	store_abort(&txn);
	return r;
}

static void test_check_revoke_expire(void **state)
{
	at_world_t w;
	char text[TOKEN_TEXT_MAX + 1], id[TOKEN_ID_LEN + 1], text2[TOKEN_TEXT_MAX + 1];
	char id2[TOKEN_ID_LEN + 1], err[256];
	token_grant_t g;
	MDB_txn *txn = NULL;
	json_t *list = NULL;
	char *dump;

	(void)state;
	at_setup(&w, AT_UNITS);
	s_create(&w, TOKEN_OPERATOR, "D1", 0, text, id);
	assert_int_equal(strlen(text), TOKEN_TEXT_MAX);
	assert_int_equal(s_check(&w, text, 2000, &g, err), 0);
	assert_string_equal(g.id, id);
	assert_int_equal(g.role, TOKEN_OPERATOR);
	assert_int_equal(g.scope, hier_find(w.hier, "D1"));
	text[TOKEN_TEXT_MAX - 1] = text[TOKEN_TEXT_MAX - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(s_check(&w, text, 2000, &g, err), LNOB_E_NOTFOUND);
	s_create(&w, TOKEN_VIEWER, "C1", 5000, text2, id2);
	assert_int_equal(s_check(&w, text2, 5000, &g, err), 0);
	assert_int_equal(s_check(&w, text2, 5001, &g, err), LNOB_E_INVALID);
	assert_non_null(strstr(err, "expired"));
	assert_int_equal(store_begin(w.st, true, &txn), 0);
	assert_int_equal(token_revoke(w.st, txn, id2, 3000), 0);
	assert_int_equal(token_revoke(w.st, txn, "ffffffffffff", 3000), LNOB_E_NOTFOUND);
	assert_int_equal(token_create(w.st, txn, w.hier, TOKEN_VIEWER, "NOPE", 0, NULL, 1, text, id,
				      err, sizeof(err)), LNOB_E_INVALID);
	assert_int_equal(store_commit(&txn), 0);
	assert_int_equal(s_check(&w, text2, 4000, &g, err), LNOB_E_INVALID);
	assert_non_null(strstr(err, "revoked"));
	assert_int_equal(store_begin(w.st, false, &txn), 0);
	assert_int_equal(tokens_view(w.st, txn, &list), 0);
	store_abort(&txn);
	assert_int_equal(json_array_size(json_object_get(list, "tokens")), 2);
	dump = json_dumps(list, 0);
	assert_null(strstr(dump, "hash"));
	assert_null(strstr(dump, "salt"));
	free(dump);
	json_decref(list);
	at_teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_dates),
		cmocka_unit_test(test_listen_parse),
		cmocka_unit_test(test_check_revoke_expire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
