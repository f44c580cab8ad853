/* test_identity.c: identity files: round trip, permissions, malformed files. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "identity.h"
#include "lnob_err.h"
#include "util.h"

static void test_round_trip(void **state)
{
	const char *dir = tu_tmpdir();
	char path[4200], pub[4300], err[512];
	identity_t a, b;
	identity_pub_t p;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/node.key", dir);
	snprintf(pub, sizeof(pub), "%s.pub", path);
	assert_int_equal(identity_generate("d-01", &a), 0);
	assert_int_equal(identity_save(&a, path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(identity_load(path, &b, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(identity_load_public(pub, &p, err, sizeof(err)), 0);
	assert_memory_equal(&a.pub, &p, sizeof(p));
	/* the secret file given where the public one goes: named as such */
	assert_int_equal(identity_load_public(path, &p, err, sizeof(err)), LNOB_E_KEYFILE);
	assert_non_null(strstr(err, "this is a node's SECRET key file, not its public file"));
	/* the public file carries no secret */
	{
		char *text;
		size_t len;
		assert_int_equal(lnob_read_file(pub, 4096, &text, &len), 0);
		assert_null(strstr(text, "secret ="));
		free(text);
	}
	/* never overwritten */
	assert_int_equal(identity_save(&a, path), -EEXIST);
	tu_rmtree(dir);
}

static void test_permissions_refused(void **state)
{
	const char *dir = tu_tmpdir();
	char path[4200], err[512];
	identity_t a, b;
	const unsigned modes[] = { 0640, 0604, 0660, 0644, 0620, 0602 };

	(void)state;
	snprintf(path, sizeof(path), "%s/node.key", dir);
	assert_int_equal(identity_generate("c-9", &a), 0);
	assert_int_equal(identity_save(&a, path), 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(path, modes[i]), 0);
		memset(&b, 0x5a, sizeof(b));
		assert_int_equal(identity_load(path, &b, err, sizeof(err)), LNOB_E_KEYPERM);
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, "chmod 600"));
		assert_int_equal(((uint8_t *)&b)[0], 0x5a);   /* ret not written */
	}
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(identity_load(path, &b, err, sizeof(err)), 0);
	tu_rmtree(dir);
}

static void test_malformed(void **state)
{
	const char *dir = tu_tmpdir();
	identity_t a, b;
	char err[512], spk[65], ssk[129], cpk[41], csk[41], text[1024], other_spk[65];
	identity_t other;
	const char *p;

	(void)state;
	assert_int_equal(identity_generate("c-1", &a), 0);
	assert_int_equal(identity_generate("c-1", &other), 0);
	lnob_hex(spk, a.pub.sign_pk, 32);
	lnob_hex(ssk, a.sign_sk, 64);
	lnob_z85_key(cpk, a.pub.curve_pk);
	lnob_z85_key(csk, a.curve_sk);
	lnob_hex(other_spk, other.pub.sign_pk, 32);

	/* missing file */
	assert_true(identity_load("/nonexistent/lnob.key", &b, err, sizeof(err)) == -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/lnob.key"));
	/* missing secret */
	snprintf(text, sizeof(text), "[node]\nid = c-1\nsign_public = %s\ncurve_public = %s\n", spk, cpk);
	p = tu_write(dir, "a.key", text, 0600);
	assert_int_equal(identity_load(p, &b, err, sizeof(err)), LNOB_E_KEYFILE);
	assert_non_null(strstr(err, "incomplete"));
	/* bad hex, reported with its line */
	snprintf(text, sizeof(text), "[node]\nid = c-1\nsign_public = zz%s\nsign_secret = %s\n"
		 "curve_public = %s\ncurve_secret = %s\n", spk + 2, ssk, cpk, csk);
	p = tu_write(dir, "b.key", text, 0600);
	assert_int_equal(identity_load(p, &b, err, sizeof(err)), LNOB_E_KEYFILE);
	assert_non_null(strstr(err, ":3: bad value for 'sign_public'"));
	/* public key not matching the secret */
	snprintf(text, sizeof(text), "[node]\nid = c-1\nsign_public = %s\nsign_secret = %s\n"
		 "curve_public = %s\ncurve_secret = %s\n", other_spk, ssk, cpk, csk);
	p = tu_write(dir, "c.key", text, 0600);
	assert_int_equal(identity_load(p, &b, err, sizeof(err)), LNOB_E_KEYFILE);
	assert_non_null(strstr(err, "does not match"));
	/* unknown key, line named */
	snprintf(text, sizeof(text), "[node]\nid = c-1\ncolour = blue\n");
	p = tu_write(dir, "d.key", text, 0600);
	assert_int_equal(identity_load(p, &b, err, sizeof(err)), LNOB_E_KEYFILE);
	assert_non_null(strstr(err, ":3: unknown key 'colour'"));
	/* invalid node id */
	assert_int_equal(identity_generate("bad id", &b), LNOB_E_INVALID);
	assert_int_equal(identity_generate("", &b), LNOB_E_INVALID);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_permissions_refused),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
