/* test_cli.c: the keygen subcommand both daemons share. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "identity.h"

/* Calls cli_keygen with the given arguments (NULL-terminated). */
static int s_keygen(const char *a0, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	argv[argc++] = "keygen";
	va_start(ap, a0);
	for (const char *a = a0; a && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return cli_keygen("lnob-test", argc, argv);
}

static void test_keygen_writes_pair(void **state)
{
	const char *dir = tu_tmpdir();
	char key[512], pub[520], err[256];
	identity_t id;
	identity_pub_t p;
	struct stat sb;

	(void)state;
	snprintf(key, sizeof(key), "%s/node.key", dir);
	snprintf(pub, sizeof(pub), "%s.pub", key);
	assert_int_equal(s_keygen("--id", "cjt-eat", "--out", key, NULL), 0);
	assert_int_equal(stat(key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(identity_load(key, &id, err, sizeof(err)), 0);
	assert_string_equal(id.pub.node_id, "cjt-eat");
	assert_int_equal(identity_load_public(pub, &p, err, sizeof(err)), 0);
	assert_memory_equal(p.sign_pk, id.pub.sign_pk, 32);
	identity_wipe(&id);
	/* A second keygen never overwrites a key. */
	assert_int_equal(s_keygen("--id", "cjt-eat", "--out", key, NULL), 1);
	assert_int_equal(identity_load_public(pub, &p, err, sizeof(err)), 0);
	tu_rmtree(dir);
}

static void test_keygen_refuses_bad_args(void **state)
{
	const char *dir = tu_tmpdir();
	char key[512];
	struct stat sb;

	(void)state;
	snprintf(key, sizeof(key), "%s/x.key", dir);
	assert_int_equal(s_keygen("--id", "xã Nam Đà", "--out", key, NULL), 1);
	assert_int_not_equal(stat(key, &sb), 0);
	assert_int_equal(s_keygen("--id", "ok", NULL), 2);
	assert_int_equal(s_keygen("--out", key, NULL), 2);
	assert_int_equal(s_keygen("--id", "ok", "--out", key, "extra", NULL), 2);
	assert_int_not_equal(stat(key, &sb), 0);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen_writes_pair),
		cmocka_unit_test(test_keygen_refuses_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
