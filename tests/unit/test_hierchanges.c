/* test_hierchanges.c: the change list of a hierarchy version
 * (hierchanges.h), read and checked against two trees with its errors
 * naming file and line; and the versions of a hierarchy (hierarchy.h):
 * the version of a day, a unit's predecessors through the changes, a
 * code in any version. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hierarchy.h"
#include "hierchanges.h"
#include "lnob_err.h"

#define HEAD "code,name,parent_code,level,kind\n"
/* The old tree: two districts, D2 with two communes, C1 and C2 in D1. */
#define OLD HEAD                                 \
	"P,Province,,province,\n"                \
	"D1,District 1,P,district,\n"            \
	"C1,Commune 1,D1,commune,\n"             \
	"V1,Village 1,C1,village,\n"             \
	"C2,Commune 2,D1,commune,\n"             \
	"V2,Village 2,C2,village,\n"             \
	"D2,District 2,P,district,\n"            \
	"C3,Commune 3,D2,commune,\n"             \
	"C4,Commune 4,D2,commune,\n"
/* The new one: C2 merged into C1 (renamed), D2 abolished, C3 under D1, C4
 * under the province, C5 created, C6 split from C4. */
#define NEW HEAD                                 \
	"P,Province,,province,\n"                \
	"D1,District 1,P,district,\n"            \
	"C1,Commune 1-2,D1,commune,\n"           \
	"V1,Village 1,C1,village,\n"             \
	"V2,Village 2,C1,village,\n"             \
	"C3,Commune 3,D1,commune,\n"             \
	"C4,Commune 4,P,commune,\n"              \
	"C5,Commune 5,D1,commune,\n"             \
	"C6,Commune 6,P,commune,\n"
#define CHANGES "change,code,other\n"            \
	"merged,C2,C1\n"                         \
	"renamed,C1,\n"                          \
	"abolished,D2,\n"                        \
	"moved,C3,D1\n"                          \
	"moved,C4,P\n"                           \
	"created,C5,\n"                          \
	"split,C6,C4\n"

static hier_t *s_tree(const char *csv, const char *name)
{
	hier_t *h = NULL;
	char err[512];

	if (hier_load_mem(csv, strlen(csv), name, &h, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return h;
}

/* The result of checking changes (text) between OLD and NEW-like trees. */
static int s_check(const char *old, const char *nw, const char *changes, char *err, size_t len)
{
	hier_t *a = s_tree(old, "old.csv"), *b = s_tree(nw, "new.csv");
	hier_change_t *v = NULL;
	size_t n = 0;
	int r = hierchanges_load_mem(changes, strlen(changes), "changes.csv", &v, &n, err, len);

	if (r == 0)
		r = hierchanges_check(a, "old.csv", b, "new.csv", v, n, "changes.csv", err, len);
	free(v);
	hier_destroy(&a);
	hier_destroy(&b);
	return r;
}

static void test_read(void **state)
{
	hier_change_t *v = NULL;
	size_t n = 0;
	char err[512];

	(void)state;
	assert_int_equal(hierchanges_load_mem(CHANGES, strlen(CHANGES), "c.csv", &v, &n, err,
					      sizeof(err)), 0);
	assert_int_equal(n, 7);
	assert_int_equal(v[0].kind, HIER_CH_MERGED);
	assert_string_equal(v[0].code, "C2");
	assert_string_equal(v[0].other, "C1");
	assert_int_equal(v[0].line, 2);
	assert_int_equal(v[6].kind, HIER_CH_SPLIT);
	assert_int_equal(v[6].line, 8);
	free(v);
	struct { const char *text, *want; int code; } bad[] = {
		{ "change,code\n", "c.csv:1: header must be 'change,code,other'", LNOB_E_CSV },
		{ "change,code,other\nmerged,C2\n", "c.csv:2: expected 3 columns, found 2",
		  LNOB_E_CSV },
		{ "change,code,other\nfused,C2,C1\n", "c.csv:2: unknown change 'fused'", LNOB_E_HIER },
		{ "change,code,other\nmerged,C 2,C1\n", "c.csv:2: bad code 'C 2'", LNOB_E_HIER },
		{ "change,code,other\nmerged,C2,\n", "c.csv:2: merged C2: the successor must be a unit "
		  "code", LNOB_E_HIER },
		{ "change,code,other\nabolished,C2,C1\n", "c.csv:2: abolished C2: the third column "
		  "must be empty", LNOB_E_HIER },
		{ "change,code,other\nmerged,C2,C1\nabolished,C2,\n", "c.csv:3: abolished C2: the "
		  "code is already on line 2 (merged)", LNOB_E_HIER },
		{ "change,code,other\nsplit,C6,C4\nsplit,C6,C4\n", "c.csv:3: split C6: the code is "
		  "already on line 2 (split)", LNOB_E_HIER },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = NULL;
		assert_int_equal(hierchanges_load_mem(bad[i].text, strlen(bad[i].text), "c.csv", &v,
						      &n, err, sizeof(err)), bad[i].code);
		if (!strstr(err, bad[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].want);
		assert_null(v);
	}
	/* Two predecessors of one split unit: fine. */
	{
		const char *two = "change,code,other\nsplit,C6,C4\nsplit,C6,C3\n";

		assert_int_equal(hierchanges_load_mem(two, strlen(two), "c.csv", &v, &n, err,
						      sizeof(err)), 0);
	}
	assert_int_equal(n, 2);
	free(v);
}

static void test_check(void **state)
{
	char err[512], text[1024];
	struct { const char *from, *to, *want; } bad[] = {
		/* Lines that are not true of the trees. */
		{ "merged,C2,C1\n", "merged,V1,C1\n", "changes.csv:2: merged V1: still in the new" },
		{ "merged,C2,C1\n", "merged,C2,D2\n", "changes.csv:2: merged C2: its successor 'D2' is "
		  "not in the new hierarchy" },
		{ "created,C5,\n", "created,C1,\n", "changes.csv:7: created C1: already in the old" },
		{ "split,C6,C4\n", "split,C6,C9\n", "changes.csv:8: split C6: its predecessor 'C9' is "
		  "not in the old hierarchy" },
		{ "moved,C3,D1\n", "moved,C3,D2\n", "changes.csv:5: moved C3: its parent in the new "
		  "hierarchy is another" },
		{ "renamed,C1,\n", "renamed,V1,\n", "changes.csv:3: renamed V1: its name is the same" },
		/* Differences no line says. */
		{ "abolished,D2,\n", "", "old.csv:8: D2 is not in the new hierarchy and changes.csv "
		  "has no line for it" },
		{ "created,C5,\n", "", "new.csv:9: C5 is not in the old hierarchy and changes.csv has "
		  "no line for it" },
		{ "renamed,C1,\n", "", "new.csv:4: C1: its name changed and changes.csv has no "
		  "'renamed' line for it" },
		{ "moved,C4,P\n", "", "new.csv:8: C4: its parent changed (P, was D2) and changes.csv "
		  "has no 'moved' line for it" },
	};

	(void)state;
	assert_int_equal(s_check(OLD, NEW, CHANGES, err, sizeof(err)), 0);
	/* The same tree, no change: nothing to say. */
	assert_int_equal(s_check(OLD, OLD, "change,code,other\n", err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *at = strstr(CHANGES, bad[i].from);
		size_t pre = (size_t)(at - CHANGES);

		assert_non_null(at);
		snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, CHANGES, bad[i].to,
			 at + strlen(bad[i].from));
		assert_int_equal(s_check(OLD, NEW, text, err, sizeof(err)), LNOB_E_HIER);
		if (!strstr(err, bad[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].want);
	}
}

/* The versions: OLD valid from the beginning, NEW from day 100. */
static void test_versions(void **state)
{
	hier_t *a = s_tree(OLD, "old.csv"), *b = s_tree(NEW, "new.csv");
	hier_change_t *v = NULL;
	const hier_t *found = NULL;
	const char *preds[8];
	bool unknown = true;
	size_t n = 0;
	char err[256];

	(void)state;
	assert_int_equal(hierchanges_load_mem(CHANGES, strlen(CHANGES), "c.csv", &v, &n, err,
					      sizeof(err)), 0);
	assert_int_equal(hier_version_count(b), 1);
	assert_ptr_equal(hier_at_day(b, -5), b);   /* one version: always itself */
	assert_int_equal(hier_version_push(b, a, 100, v, n), 0);
	free(v);
	assert_int_equal(hier_version_count(b), 2);
	assert_ptr_equal(hier_version_prev(b), a);
	assert_int_equal(hier_version_from(b), 100);
	assert_int_equal(hier_version_from(a), HIER_FROM_START);
	assert_ptr_equal(hier_at_day(b, 99), a);
	assert_ptr_equal(hier_at_day(b, 100), b);
	assert_ptr_equal(hier_at_day(b, 5000), b);
	assert_ptr_equal(hier_at_day(a, 5000), a);   /* never later than itself */
	/* The merger's successor: itself and the merged unit. */
	assert_int_equal(hier_predecessors(b, a, "C1", preds, 8, &unknown), 2);
	assert_false(unknown);
	assert_string_equal(preds[0], "C1");
	assert_string_equal(preds[1], "C2");
	/* A moved unit: itself; a created one: none; a split one: unknown. */
	assert_int_equal(hier_predecessors(b, a, "C3", preds, 8, &unknown), 1);
	assert_int_equal(hier_predecessors(b, a, "C5", preds, 8, &unknown), 0);
	assert_false(unknown);
	hier_predecessors(b, a, "C6", preds, 8, &unknown);
	assert_true(unknown);
	hier_predecessors(b, a, "C4", preds, 8, &unknown);
	assert_true(unknown);   /* C6 split from it: its share is not known */
	/* On one version: the code itself, when it is there. */
	assert_int_equal(hier_predecessors(a, a, "C2", preds, 8, &unknown), 1);
	assert_int_equal(hier_predecessors(b, b, "C2", preds, 8, &unknown), 0);
	/* A code of any version, newest first. */
	assert_true(hier_find_any(b, "D2", &found) >= 0);
	assert_ptr_equal(found, a);
	assert_true(hier_find_any(b, "C1", &found) >= 0);
	assert_ptr_equal(found, b);
	assert_int_equal(hier_find_any(b, "X9", NULL), -1);
	/* A version not after the one before: refused, older destroyed. */
	a = s_tree(OLD, "old.csv");
	assert_int_equal(hier_version_push(b, a, 200, NULL, 0), -EINVAL);   /* b has one */
	a = s_tree(OLD, "old.csv");
	{
		hier_t *c = s_tree(NEW, "new.csv");

		assert_int_equal(hier_version_push(c, a, HIER_FROM_START, NULL, 0), -EINVAL);
		hier_destroy(&c);
	}
	hier_destroy(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
