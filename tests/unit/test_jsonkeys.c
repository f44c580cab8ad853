/*
 * test_jsonkeys.c: jsonkeys_unknown() names the first key outside the list,
 * in the object's order, and nothing when all are known (also for an empty
 * object and an empty list).
 */
#include "testutil.h"

#include <jansson.h>

#include "jsonkeys.h"

static void test_unknown(void **state)
{
	static const char *const known[] = { "campaign", "period", "unit", NULL };
	static const char *const none[] = { NULL };
	json_t *o = json_loads("{\"campaign\":1,\"perod\":2,\"unit\":3,\"x\":4}", 0, NULL);
	json_t *ok = json_loads("{\"unit\":1,\"campaign\":2}", 0, NULL);
	json_t *empty = json_object();

	(void)state;
	assert_non_null(o);
	assert_non_null(ok);
	assert_string_equal(jsonkeys_unknown(o, known), "perod");
	assert_null(jsonkeys_unknown(ok, known));
	assert_null(jsonkeys_unknown(empty, known));
	assert_null(jsonkeys_unknown(empty, none));
	assert_string_equal(jsonkeys_unknown(ok, none), "unit");
	json_decref(o);
	json_decref(ok);
	json_decref(empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
