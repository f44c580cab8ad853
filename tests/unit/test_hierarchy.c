/* test_hierarchy.c: org-unit CSV loading, validation with line numbers, tree queries. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hierarchy.h"
#include "lnob_err.h"

#define HEADER "code,name,parent_code,level,kind\n"

/* Asserts that err mentions ":<line>:" and, when given, the text want. */
static void s_assert_err_at(const char *err, unsigned line, const char *want)
{
	char tag[32];

	snprintf(tag, sizeof(tag), ":%u:", line);
	if (!strstr(err, tag) || (want && !strstr(err, want)))
		fail_msg("error '%s' lacks '%s' or '%s'", err, tag, want ? want : "");
}

/* Loads text that must parse; fails the test otherwise. */
static hier_t *s_load(const char *text)
{
	hier_t *h = NULL;
	char err[256] = "";

	if (hier_load_mem(text, strlen(text), "org.csv", &h, err, sizeof(err)) != 0)
		fail_msg("load failed: %s", err);
	assert_non_null(h);
	return h;
}

/* Loads text that must fail with code; leaves the message in err. */
static void s_load_fails(const char *text, int code, char *err, size_t errlen)
{
	hier_t *h = (hier_t *)(uintptr_t)0x1;  /* must stay unwritten */

	err[0] = '\0';
	assert_int_equal(hier_load_mem(text, strlen(text), "org.csv", &h, err, errlen), code);
	assert_ptr_equal(h, (hier_t *)(uintptr_t)0x1);
	assert_non_null(strstr(err, "org.csv"));
}

/* Asserts that the children of i are exactly the codes listed (NULL-ended). */
static void s_assert_children(const hier_t *h, int i, const char *const *codes)
{
	const int *kids = NULL;
	size_t n = hier_children(h, i, &kids), want = 0;

	while (codes[want])
		want++;
	assert_int_equal(n, want);
	for (size_t k = 0; k < n; k++)
		assert_string_equal(hier_unit(h, kids[k])->code, codes[k]);
}

/* Lines 2..13; a second root (DEPT) on line 13; P2's child comes first. */
static const char s_tree[] =
	HEADER
	"P1,Province One,,province,administrative\n"          /* 2 */
	"D1,District One,P1,district,administrative\n"        /* 3 */
	"C1,Commune One,D1,commune,administrative\n"          /* 4 */
	"V1,Village One,C1,village,administrative\n"          /* 5 */
	"V2,Village Two,C1,village,administrative\n"          /* 6 */
	"C2,Commune Two,D1,commune,administrative\n"          /* 7 */
	"V3,Village Three,C2,village,administrative\n"        /* 8 */
	"D2,District Two,P1,district,administrative\n"        /* 9 */
	"D3,District Three,P2,district,administrative\n"      /* 10: parent later */
	"P2,Province Two,,province,administrative\n"          /* 11 */
	"C3,Commune Three,D2,commune,\n"                      /* 12: empty kind */
	"DEPT,\"Ministry, Planning\",,department,department\n"; /* 13 */

static void test_tree(void **state)
{
	hier_t *h = s_load(s_tree);
	const hier_unit_t *u;
	int p1, d1, c1, v1, v3, d3, p2, dept;

	(void)state;
	assert_int_equal(hier_count(h), 12);
	p1 = hier_find(h, "P1");
	d1 = hier_find(h, "D1");
	c1 = hier_find(h, "C1");
	v1 = hier_find(h, "V1");
	v3 = hier_find(h, "V3");
	d3 = hier_find(h, "D3");
	p2 = hier_find(h, "P2");
	dept = hier_find(h, "DEPT");
	assert_int_equal(p1, 0);
	assert_int_equal(v1, 3);
	assert_int_equal(dept, 11);
	assert_int_equal(hier_find(h, "nope"), -1);
	assert_int_equal(hier_find(h, "p1"), -1);
	assert_int_equal(hier_find(h, ""), -1);
	assert_int_equal(hier_find(h, NULL), -1);
	/* Every code is found at its own index. */
	for (size_t i = 0; i < hier_count(h); i++)
		assert_int_equal(hier_find(h, hier_unit(h, (int)i)->code), (int)i);

	u = hier_unit(h, v1);
	assert_string_equal(u->code, "V1");
	assert_string_equal(u->name, "Village One");
	assert_string_equal(u->parent_code, "C1");
	assert_string_equal(u->level, "village");
	assert_string_equal(u->kind, "administrative");
	assert_int_equal(u->parent, c1);
	assert_int_equal(u->line, 5);
	assert_int_equal(u->depth, 3);
	assert_int_equal(hier_unit(h, p1)->depth, 0);
	assert_int_equal(hier_unit(h, p1)->parent, -1);
	assert_string_equal(hier_unit(h, p1)->parent_code, "");
	assert_int_equal(hier_unit(h, d1)->depth, 1);
	assert_int_equal(hier_unit(h, c1)->depth, 2);
	assert_int_equal(hier_unit(h, d3)->parent, p2);
	assert_int_equal(hier_unit(h, d3)->depth, 1);
	assert_int_equal(hier_unit(h, d3)->line, 10);
	assert_string_equal(hier_unit(h, hier_find(h, "C3"))->kind, "");
	assert_string_equal(hier_unit(h, dept)->name, "Ministry, Planning");
	assert_int_equal(hier_unit(h, dept)->line, 13);
	assert_null(hier_unit(h, -1));
	assert_null(hier_unit(h, 12));

	s_assert_children(h, -1, (const char *const[]){ "P1", "P2", "DEPT", NULL });
	s_assert_children(h, p1, (const char *const[]){ "D1", "D2", NULL });
	s_assert_children(h, d1, (const char *const[]){ "C1", "C2", NULL });
	s_assert_children(h, c1, (const char *const[]){ "V1", "V2", NULL });
	s_assert_children(h, p2, (const char *const[]){ "D3", NULL });
	s_assert_children(h, v1, (const char *const[]){ NULL });
	s_assert_children(h, dept, (const char *const[]){ NULL });
	assert_int_equal(hier_children(h, 12, NULL), 0);
	assert_int_equal(hier_children(h, -2, NULL), 0);

	assert_true(hier_in_subtree(h, p1, p1));
	assert_true(hier_in_subtree(h, p1, v1));
	assert_true(hier_in_subtree(h, p1, v3));
	assert_true(hier_in_subtree(h, d1, v3));
	assert_true(hier_in_subtree(h, c1, v1));
	assert_false(hier_in_subtree(h, c1, v3));
	assert_false(hier_in_subtree(h, v1, c1));
	assert_false(hier_in_subtree(h, p2, v1));
	assert_true(hier_in_subtree(h, p2, d3));
	assert_false(hier_in_subtree(h, dept, p1));
	assert_false(hier_in_subtree(h, -1, p1));
	assert_false(hier_in_subtree(h, p1, 99));
	hier_destroy(&h);
	assert_null(h);
	hier_destroy(&h);
	hier_destroy(NULL);
}

static void test_format(void **state)
{
	/* BOM, CRLF, a padded header, blank lines, quoted fields with a newline
	 * and a doubled quote, and no final newline. */
	const char *text =
		"\xEF\xBB\xBF code , name,parent_code ,level,kind\r\n"  /* 1 */
		"R,Root,,region,\r\n"                                 /* 2 */
		"\r\n"                                                /* 3 */
		"A,\"Two\r\nlines\",R,zone,x\r\n"                     /* 4-5 */
		"  \r\n"                                              /* 6 */
		"B,\"Say \"\"hi\"\"\",A,zone,x\r\n"                   /* 7 */
		"\"C\",C,B,zone,x";                                   /* 8 */
	hier_t *h = s_load(text);

	(void)state;
	assert_int_equal(hier_count(h), 4);
	assert_int_equal(hier_unit(h, 0)->line, 2);
	assert_int_equal(hier_unit(h, 1)->line, 4);
	assert_string_equal(hier_unit(h, 1)->name, "Two\r\nlines");
	assert_int_equal(hier_unit(h, 2)->line, 7);
	assert_string_equal(hier_unit(h, 2)->name, "Say \"hi\"");
	assert_int_equal(hier_unit(h, 3)->line, 8);
	assert_string_equal(hier_unit(h, 3)->code, "C");
	assert_int_equal(hier_unit(h, 3)->depth, 3);
	hier_destroy(&h);

	/* A header alone is an empty hierarchy. */
	h = s_load(HEADER);
	assert_int_equal(hier_count(h), 0);
	assert_int_equal(hier_children(h, -1, NULL), 0);
	assert_int_equal(hier_find(h, "X"), -1);
	hier_destroy(&h);
}

static void test_file(void **state)
{
	const char *dir = tu_tmpdir();
	char path[4096], err[512] = "";
	hier_t *h = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s", tu_write(dir, "org.csv", s_tree, 0600));
	assert_int_equal(hier_load_csv(path, &h, err, sizeof(err)), 0);
	assert_int_equal(hier_count(h), 12);
	hier_destroy(&h);

	/* Errors name the path given. */
	snprintf(path, sizeof(path), "%s", tu_write(dir, "bad.csv", HEADER "A,A,,l,k\nA,B,,l,k\n", 0600));
	assert_int_equal(hier_load_csv(path, &h, err, sizeof(err)), LNOB_E_HIER);
	assert_null(h);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	s_assert_err_at(err, 3, "duplicate");

	snprintf(path, sizeof(path), "%s/absent.csv", dir);
	assert_int_equal(hier_load_csv(path, &h, err, sizeof(err)), -ENOENT);
	assert_null(h);
	assert_non_null(strstr(err, path));
	assert_int_equal(hier_load_csv(dir, &h, err, sizeof(err)), -EISDIR);
	assert_null(h);
	tu_rmtree(dir);
}

static void test_header(void **state)
{
	char err[256];

	(void)state;
	s_load_fails("", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 1, "header");
	s_load_fails("\n\r\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 1, "header");
	s_load_fails("code,name,parent,level,kind\nA,A,,l,k\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 1, "header must be 'code,name,parent_code,level,kind'");
	s_load_fails("code,name,parent_code,level\nA,A,,l\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 1, "header");
	s_load_fails("code,name,parent_code,level,kind,extra\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 1, "header");
	s_load_fails("\n\nA,A,,l,k\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 3, "header");
}

static void test_columns(void **state)
{
	char err[256];

	(void)state;
	s_load_fails(HEADER "A,A,,l,k\nB,B,,l\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 3, "expected 5 columns, found 4");
	s_load_fails(HEADER "A,A,,l,k\n\nB,B,,l,k,x\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 4, "found 6");
	/* A multi-line field pushes later line numbers down. */
	s_load_fails(HEADER "A,\"a\nb\nc\",,l,k\nB\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 5, "found 1");
}

static void test_csv_syntax(void **state)
{
	char err[256];

	(void)state;
	/* A quote inside an unquoted field (strict mode). */
	s_load_fails(HEADER "A,A,,l,k\nB,B\"x,,l,k\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 3, "stray quote");
	/* Text after a closing quote. */
	s_load_fails(HEADER "A,\"A\"x,,l,k\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 2, "stray quote");
	/* An unterminated quoted field, reported on the line it opens. */
	s_load_fails(HEADER "A,A,,l,k\nB,\"open,,l,k\nC,C,,l,k\n", LNOB_E_CSV, err, sizeof(err));
	s_assert_err_at(err, 3, "unterminated");
}

static void test_nul(void **state)
{
	static const char text[] = HEADER "A,A,,l,k\nB,B\0,,l,k\n";
	hier_t *h = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(hier_load_mem(text, sizeof(text) - 1, "org.csv", &h, err, sizeof(err)),
			 LNOB_E_CSV);
	assert_null(h);
	s_assert_err_at(err, 3, "NUL");
}

static void test_bad_code(void **state)
{
	char err[256], text[512], longcode[70];

	(void)state;
	s_load_fails(HEADER "A,A,,l,k\nB B,B,,l,k\n", LNOB_E_HIER, err, sizeof(err));
	s_assert_err_at(err, 3, "bad code 'B B'");
	s_load_fails(HEADER "A,A,,l,k\n,B,,l,k\n", LNOB_E_HIER, err, sizeof(err));
	s_assert_err_at(err, 3, "bad code ''");
	memset(longcode, 'x', 65);
	longcode[65] = '\0';
	snprintf(text, sizeof(text), HEADER "A,A,,l,k\n%s,B,,l,k\n", longcode);
	s_load_fails(text, LNOB_E_HIER, err, sizeof(err));
	s_assert_err_at(err, 3, "bad code");
	longcode[64] = '\0';
	snprintf(text, sizeof(text), HEADER "%s,B,,l,k\n", longcode);
	hier_t *h = s_load(text);
	assert_int_equal(hier_find(h, longcode), 0);
	hier_destroy(&h);
	s_load_fails(HEADER "A,A,,l,k\nB,B,b/ad,l,k\n", LNOB_E_HIER, err, sizeof(err));
	s_assert_err_at(err, 3, "bad parent code 'b/ad'");
}

static void test_empty_fields(void **state)
{
	char err[256];

	(void)state;
	s_load_fails(HEADER "A,A,,l,k\nB,,A,l,k\n", LNOB_E_HIER, err, sizeof(err));
	s_assert_err_at(err, 3, "B: empty name");
	s_load_fails(HEADER "A,A,,l,k\nB,\"  \",A,l,k\n", LNOB_E_HIER, err, sizeof(err));
	s_assert_err_at(err, 3, "empty name");
	s_load_fails(HEADER "A,A,,l,k\n\nB,B,A,,k\n", LNOB_E_HIER, err, sizeof(err));
	s_assert_err_at(err, 4, "B: empty level");
}

/* name, level and kind are UTF-8 text (codes are ids already): anything
 * else is refused at load with the file, the line and the column. */
static void test_utf8(void **state)
{
	const char *dir = tu_tmpdir();
	char err[256], path[4096];
	hier_t *h;

	(void)state;
	h = s_load(HEADER "P,Tỉnh Đắk Nông,,tỉnh,hành chính\n"
		   "D,\"Huyện Krông Nô\",P,huyện,\n"
		   "X,Nam \xcc\x80,P,xã,\xf0\x9f\x8f\xa0\n");    /* a combining mark; U+1F3E0 */
	assert_string_equal(hier_unit(h, 0)->name, "Tỉnh Đắk Nông");
	assert_string_equal(hier_unit(h, 0)->level, "tỉnh");
	assert_string_equal(hier_unit(h, 0)->kind, "hành chính");
	hier_destroy(&h);

	s_load_fails(HEADER "A,A,,l,k\nB,X\xff" "Y,A,l,k\n", LNOB_E_HIER, err, sizeof(err));
	assert_string_equal(err, "org.csv:3: name: not valid UTF-8");
	s_load_fails(HEADER "A,Tỉnh,,l,k\nB,\"Hu\xe1\xbb\",A,l,k\n", LNOB_E_HIER, err,
		     sizeof(err));                                  /* cut short */
	assert_string_equal(err, "org.csv:3: name: not valid UTF-8");
	s_load_fails(HEADER "A,\xc0\xaf,,l,k\n", LNOB_E_HIER, err, sizeof(err));   /* overlong */
	assert_string_equal(err, "org.csv:2: name: not valid UTF-8");
	s_load_fails(HEADER "A,\xed\xa0\x80,,l,k\n", LNOB_E_HIER, err, sizeof(err)); /* surrogate */
	assert_string_equal(err, "org.csv:2: name: not valid UTF-8");
	s_load_fails(HEADER "A,A,,l,k\n\nB,B,A,x\xe3,k\n", LNOB_E_HIER, err, sizeof(err));
	assert_string_equal(err, "org.csv:4: level: not valid UTF-8");
	s_load_fails(HEADER "A,A,,l,\xf4\x90\x80\x80\n", LNOB_E_HIER, err, sizeof(err));
	assert_string_equal(err, "org.csv:2: kind: not valid UTF-8");      /* above U+10FFFF */
	/* A name in Windows-1258 (the old Vietnamese code page): refused. */
	s_load_fails(HEADER "A,Hu\xf4ng,,l,k\n", LNOB_E_HIER, err, sizeof(err));
	assert_string_equal(err, "org.csv:2: name: not valid UTF-8");

	/* From a file: the path, the line, the column. */
	snprintf(path, sizeof(path), "%s",
		 tu_write(dir, "units.csv", HEADER "P,Province,,province,a\nD1,D\xe9,P,district,a\n",
			  0600));
	h = NULL;
	assert_int_equal(hier_load_csv(path, &h, err, sizeof(err)), LNOB_E_HIER);
	assert_null(h);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_string_equal(err + strlen(path), ":3: name: not valid UTF-8");
	tu_rmtree(dir);
}

static void test_duplicate(void **state)
{
	char err[256];

	(void)state;
	s_load_fails(HEADER "A,A,,l,k\nB,B,A,l,k\nC,C,A,l,k\n\nB,B2,A,l,k\n",
		     LNOB_E_HIER, err, sizeof(err));
	assert_string_equal(err, "org.csv:6: duplicate code 'B' (first on line 3)");
	/* The first repeat in file order is named. */
	s_load_fails(HEADER "Z,Z,,l,k\nA,A,,l,k\nZ,Z,,l,k\nA,A,,l,k\nA,A,,l,k\n",
		     LNOB_E_HIER, err, sizeof(err));
	assert_string_equal(err, "org.csv:4: duplicate code 'Z' (first on line 2)");
}

static void test_unknown_parent(void **state)
{
	char err[256];

	(void)state;
	s_load_fails(HEADER "A,A,,l,k\nB,B,A,l,k\nC,C,X9,l,k\n", LNOB_E_HIER, err, sizeof(err));
	assert_string_equal(err, "org.csv:4: C: unknown parent 'X9'");
	/* Parent codes are case-sensitive. */
	s_load_fails(HEADER "A,A,,l,k\nB,B,a,l,k\n", LNOB_E_HIER, err, sizeof(err));
	s_assert_err_at(err, 3, "unknown parent 'a'");
}

static void test_cycle3(void **state)
{
	char err[256];

	(void)state;
	/* R is fine; X -> Y -> Z -> X is a cycle; W hangs below it. */
	s_load_fails(HEADER
		     "R,R,,l,k\n"        /* 2 */
		     "W,W,Y,l,k\n"       /* 3 */
		     "Y,Y,Z,l,k\n"       /* 4 */
		     "X,X,Y,l,k\n"       /* 5 */
		     "Z,Z,X,l,k\n",      /* 6 */
		     LNOB_E_HIER, err, sizeof(err));
	s_assert_err_at(err, 4, "Y: cycle");
	assert_non_null(strstr(err, "Y > Z > X > Y"));
}

static void test_self_parent(void **state)
{
	char err[256];

	(void)state;
	s_load_fails(HEADER "A,A,,l,k\nB,B,A,l,k\nS,S,S,l,k\n", LNOB_E_HIER, err, sizeof(err));
	assert_string_equal(err, "org.csv:4: S: cycle: its own parent");
}

static void test_long_cycle(void **state)
{
	char text[4096], err[256];
	size_t off;

	(void)state;
	/* N0 -> N1 -> ... -> N19 -> N0: the message stays bounded. */
	off = (size_t)snprintf(text, sizeof(text), HEADER);
	for (int i = 0; i < 20; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "N%d,n,N%d,l,k\n",
					i, (i + 1) % 20);
	s_load_fails(text, LNOB_E_HIER, err, sizeof(err));
	s_assert_err_at(err, 2, "N0: cycle");
	assert_non_null(strstr(err, "..."));
	/* A tiny buffer truncates without overflowing. */
	hier_t *h = NULL;
	char tiny[8];
	assert_int_equal(hier_load_mem(text, strlen(text), "org.csv", &h, tiny, sizeof(tiny)),
			 LNOB_E_HIER);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_int_equal(hier_load_mem(text, strlen(text), "org.csv", &h, NULL, 0), LNOB_E_HIER);
	assert_null(h);
}

/* Loads img, which must be refused with want in the message. */
static void s_image_refused(const hier_image_t *img, const char *want)
{
	hier_t *h = NULL;
	char err[256] = "";

	assert_int_equal(hier_from_image(img, "u.csv", &h, err, sizeof(err)), LNOB_E_HIER);
	assert_null(h);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
}

/* hier_image_of() and hier_from_image(): the same hierarchy back (fields,
 * lines, links, depths, code order, children); an image whose structure
 * does not hold is refused, naming what. */
static void test_image(void **state)
{
	hier_t *h = s_load(HEADER "P,Province,,province,\n"
			   "D2,D two,P,district,administrative\n"
			   "C1,C one,D1,commune,\n"
			   "D1,D one,P,district,\n"), *g = NULL;
	uint32_t parent[4], depth[4], by_code[4];
	hier_image_t img, bad;
	void *block = NULL;
	const int *kids;
	char err[256], strings[256];

	(void)state;
	assert_int_equal(hier_image_of(h, &img, &block), 0);
	assert_int_equal(img.count, 4);
	assert_int_equal(img.parent[0], HIER_IMAGE_ROOT);
	assert_int_equal(hier_from_image(&img, "u.csv", &g, err, sizeof(err)), 0);
	tu_assert_hier_same(h, g);
	assert_int_equal(hier_find(g, "D1"), 3);
	assert_int_equal(hier_children(g, 3, &kids), 1);
	assert_int_equal(kids[0], 2);
	assert_true(hier_in_subtree(g, 0, 2));
	hier_destroy(&g);
	/* Each rule broken once. */
	memcpy(parent, img.parent, sizeof(parent));
	memcpy(depth, img.depth, sizeof(depth));
	memcpy(by_code, img.by_code, sizeof(by_code));
	bad = img;
	bad.parent = parent;
	parent[2] = 9;
	s_image_refused(&bad, "unit 2: parent 9 out of range");
	parent[2] = 2;                      /* its own parent: no depth fits */
	s_image_refused(&bad, "unit 2: depth 2 is not its parent's plus one");
	parent[2] = 3;
	parent[0] = 2;                      /* a cycle P > D1 > C1 > P */
	depth[0] = 3;
	bad.depth = depth;
	s_image_refused(&bad, "is not its parent's plus one");
	bad = img;
	bad.by_code = by_code;
	by_code[0] = by_code[1];            /* not increasing: a repeat */
	s_image_refused(&bad, "the code order does not hold (at 1)");
	by_code[0] = 7;
	s_image_refused(&bad, "the code order does not hold (at 0)");
	bad = img;
	bad.strings_len--;                  /* the last NUL cut */
	s_image_refused(&bad, "the strings end in unit 3");
	assert_true(img.strings_len < sizeof(strings) - 1);
	memcpy(strings, img.strings, img.strings_len);
	strings[img.strings_len] = 'x';
	bad.strings = strings;
	bad.strings_len = img.strings_len + 1;
	s_image_refused(&bad, "1 bytes after the last unit's strings");
	free(block);
	hier_destroy(&h);
	/* No units. */
	assert_int_equal(hier_from_image(&(hier_image_t){ 0 }, NULL, &g, err, sizeof(err)), 0);
	assert_int_equal(hier_count(g), 0);
	hier_destroy(&g);
}

static void test_deep(void **state)
{
	size_t n = 5000, cap = n * 32 + 64, off;
	char *text = malloc(cap);
	hier_t *h;
	int last;

	(void)state;
	assert_non_null(text);
	off = (size_t)snprintf(text, cap, HEADER "U0,u,,l,k\n");
	for (size_t i = 1; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off, "U%zu,u,U%zu,l,k\n", i, i - 1);
	h = s_load(text);
	free(text);
	last = hier_find(h, "U4999");
	assert_int_equal(last, 4999);
	assert_int_equal(hier_unit(h, last)->depth, 4999);
	assert_int_equal(hier_unit(h, last)->line, 5001);
	assert_true(hier_in_subtree(h, 0, last));
	assert_false(hier_in_subtree(h, last, 0));
	hier_destroy(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_csv_syntax),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_bad_code),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_unknown_parent),
		cmocka_unit_test(test_cycle3),
		cmocka_unit_test(test_self_parent),
		cmocka_unit_test(test_long_cycle),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
