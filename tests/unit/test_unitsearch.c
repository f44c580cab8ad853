/* test_unitsearch.c: folding, ranked search and resolution of org units by
 * code or Vietnamese name, with or without diacritics (unitsearch.h). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "hierarchy.h"
#include "lnob_err.h"
#include "unitsearch.h"

/* A small Lào Cai: two districts with a commune of the district's name,
 * communes named alike, and a second root. Indices in file order. */
static const char s_csv[] =
	"code,name,parent_code,level,kind\n"
	"P10,Tỉnh Lào Cai,,province,administrative\n"                 /* 0 */
	"D01,Huyện Mường Khương,P10,district,administrative\n"         /* 1 */
	"D02,Huyện Bắc Hà,P10,district,administrative\n"               /* 2 */
	"C0101,XÃ Pha Long,D01,commune,administrative\n"               /* 3 */
	"C0102,Thị trấn Mường Khương,D01,commune,administrative\n"     /* 4 */
	"C0103,Xã Đồng Tâm,D01,commune,administrative\n"               /* 5 */
	"C0201,Xã Bản Phố,D02,commune,administrative\n"                /* 6 */
	"C0202,Xã Đồng Tâm,D02,commune,administrative\n"               /* 7 */
	"C0203,Xã Nậm Mòn,D02,commune,administrative\n"                /* 8 */
	"DEPT,Sở Lao động,,department,department\n";                   /* 9 */

static int s_setup(void **state)
{
	hier_t *h = NULL;
	char err[256] = "";

	if (hier_load_mem(s_csv, strlen(s_csv), "units.csv", &h, err, sizeof(err)) != 0)
		fail_msg("load: %s", err);
	*state = h;
	return 0;
}

static int s_teardown(void **state)
{
	hier_t *h = *state;

	hier_destroy(&h);
	return 0;
}

/* Asserts that unit_fold(in) is want. */
static void s_fold_is(const char *in, const char *want)
{
	char *f = unit_fold(in);

	assert_non_null(f);
	assert_string_equal(f, want);
	free(f);
}

static void test_fold(void **state)
{
	(void)state;
	s_fold_is("Huyện Mường Khương", "huyen muong khuong");
	s_fold_is("XÃ", "xa");
	s_fold_is("xa", "xa");
	s_fold_is("Đồng", "dong");
	s_fold_is("đồng", "dong");
	s_fold_is("  Nậm\tMòn  ", "nam mon");
	/* NFC and NFD input fold alike: "ệ" as one code point and as e + marks */
	s_fold_is("Huy\xe1\xbb\x87n", "huyen");
	s_fold_is("Huye\xcc\xa3\xcc\x82n", "huyen");
	s_fold_is("", "");
	assert_null(unit_fold("bad \xff"));
	assert_null(unit_fold(NULL));
}

/* Asserts that searching q in root's subtree gives exactly the indices
 * want[0..n). */
static void s_search_is(const hier_t *h, const char *q, int root, const int *want, size_t n)
{
	int out[16];
	size_t got = 99;

	assert_int_equal(unit_search(h, q, root, out, 16, &got), 0);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(out[i], want[i]);
}

static void test_search_ranks(void **state)
{
	const hier_t *h = *state;

	/* a word of the name starts with it: the district and the town */
	s_search_is(h, "muong khuong", -1, (const int[]){ 1, 4 }, 2);
	/* exact code case-insensitively first, then code prefixes */
	s_search_is(h, "d01", -1, (const int[]){ 1 }, 1);
	s_search_is(h, "c010", -1, (const int[]){ 3, 4, 5 }, 3);
	/* exact folded name before word prefixes, file order within a rank */
	s_search_is(h, "xa dong tam", -1, (const int[]){ 5, 7 }, 2);
	s_search_is(h, "Đồng", -1, (const int[]){ 5, 7, 9 }, 3);
	s_search_is(h, "dong", -1, (const int[]){ 5, 7, 9 }, 3);
	/* name start (rank 2) before a word of the name (rank 3) */
	s_search_is(h, "xa", -1, (const int[]){ 3, 5, 6, 7, 8 }, 5);
	s_search_is(h, "XÃ pha", -1, (const int[]){ 3 }, 1);
	/* substring last */
	s_search_is(h, "uong", -1, (const int[]){ 1, 4 }, 2);
	s_search_is(h, "", -1, NULL, 0);
	s_search_is(h, "nothing like it", -1, NULL, 0);
}

static void test_search_subtree_and_max(void **state)
{
	const hier_t *h = *state;
	int out[2];
	size_t n = 0;

	s_search_is(h, "dong tam", 2, (const int[]){ 7 }, 1);
	s_search_is(h, "dong", 0, (const int[]){ 5, 7 }, 2);
	s_search_is(h, "lao", 9, (const int[]){ 9 }, 1);
	assert_int_equal(unit_search(h, "xa", -1, out, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 5);
}

/* Asserts that text resolves to unit want under root. */
static void s_resolves(const hier_t *h, const char *text, int root, int want)
{
	char err[512] = "";
	int got = -1;

	if (unit_resolve(h, text, root, &got, err, sizeof(err)) != 0)
		fail_msg("'%s': %s", text, err);
	assert_int_equal(got, want);
}

/* Asserts that text fails with code and an err containing each of want. */
static void s_refused(const hier_t *h, const char *text, int root, int code,
		      const char *const *want)
{
	char err[1024] = "";
	int got = 12345;

	assert_int_equal(unit_resolve(h, text, root, &got, err, sizeof(err)), code);
	assert_int_equal(got, 12345);
	for (; *want; want++)
		if (!strstr(err, *want))
			fail_msg("'%s': '%s' lacks '%s'", text, err, *want);
}

static void test_resolve(void **state)
{
	const hier_t *h = *state;

	s_resolves(h, "D01", -1, 1);
	s_resolves(h, "d01", -1, 1);
	s_resolves(h, "huyen muong khuong", -1, 1);
	s_resolves(h, "HUYỆN MƯỜNG KHƯƠNG", -1, 1);
	s_resolves(h, "xa pha long", -1, 3);
	s_resolves(h, "pha long", -1, 3);       /* the one match */
	s_resolves(h, "bac ha", -1, 2);
	s_resolves(h, "dong tam", 2, 7);        /* one in D02's subtree */
	s_resolves(h, "Sở Lao động", -1, 9);
}

static void test_resolve_ambiguous(void **state)
{
	const hier_t *h = *state;

	s_refused(h, "muong khuong", -1, LNOB_E_INVALID,
		  (const char *const[]){ "'muong khuong' names 2 units: ",
					 "D01 Huyện Mường Khương (district)",
					 "C0102 Thị trấn Mường Khương (commune)",
					 "name one by its code", NULL });
	s_refused(h, "Xã Đồng Tâm", -1, LNOB_E_INVALID,
		  (const char *const[]){ "names 2 units", "C0103 Xã Đồng Tâm", "C0202 Xã Đồng Tâm",
					 NULL });
}

static void test_resolve_miss(void **state)
{
	const hier_t *h = *state;

	/* a typo: the nearest units by name, or by a run of their words */
	s_refused(h, "muong khoung", -1, LNOB_E_NOTFOUND,
		  (const char *const[]){ "'muong khoung' is no unit's code or name; did you mean: ",
					 "D01 Huyện Mường Khương", "C0102 Thị trấn Mường Khương",
					 NULL });
	s_refused(h, "nam mong", -1, LNOB_E_NOTFOUND,
		  (const char *const[]){ "did you mean: C0203 Xã Nậm Mòn", NULL });
	s_refused(h, "D011", -1, LNOB_E_NOTFOUND,
		  (const char *const[]){ "did you mean: D01 Huyện Mường Khương", NULL });
	s_refused(h, "zzzzzzzz", -1, LNOB_E_NOTFOUND,
		  (const char *const[]){ "no unit's code or name is near it", NULL });
	/* a code outside the subtree; a name only outside it */
	s_refused(h, "C0201", 1, LNOB_E_NOTFOUND,
		  (const char *const[]){ "'C0201' (Xã Bản Phố) is not under D01 Huyện Mường Khương",
					 NULL });
	s_refused(h, "ban pho", 1, LNOB_E_NOTFOUND, (const char *const[]){ "no unit", NULL });
	s_refused(h, "bad \xff", -1, LNOB_E_INVALID,
		  (const char *const[]){ "is not valid UTF-8", NULL });
}

static void test_suggest_at_most_five(void **state)
{
	const hier_t *h = *state;
	char err[1024] = "";
	int got = -1, commas = 0;

	/* "xa" + one letter is near every commune's first word */
	assert_int_equal(unit_resolve(h, "xaq", -1, &got, err, sizeof(err)), LNOB_E_NOTFOUND);
	for (const char *p = err; (p = strchr(p, ',')); p++)
		commas++;
	assert_true(commas <= 4);
	assert_non_null(strstr(err, "did you mean: C0101 XÃ Pha Long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test_setup_teardown(test_search_ranks, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_search_subtree_and_max, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_resolve, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_ambiguous, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_miss, s_setup, s_teardown),
		cmocka_unit_test_setup_teardown(test_suggest_at_most_five, s_setup, s_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
