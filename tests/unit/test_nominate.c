/* test_nominate.c: nomination files into Nominations (a good file, the
 * defaults, every error with the exact file and JSON path), dossier
 * digests and attachments (SHA-256 against libsodium, the attach_max
 * boundary, the body limit) and stage options (usage errors vs. wrong
 * values). */
#include "testutil.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lnob_err.h"
#include "nominate.h"
#include "outbox.h"

#define NOW 1700000000
/* A file of several digest read chunks, and one byte more. */
#define S_BIG ((size_t)3 * 65536 + 1)

static char s_err[1024];
static const char *s_dir;    /* a temporary directory with the dossier files */

/* The three documents as a dossier JSON array, files relative to s_dir. */
#define DOSSIER \
	"[{\"kind\": \"proposal\", \"title\": \"T\\u1edd tr\\u00ecnh 12/TTr\", \"file\": \"p.txt\"}," \
	" {\"kind\": \"council_minutes\", \"title\": \"Bi\\u00ean b\\u1ea3n\", \"file\": \"m.txt\"," \
	"  \"vote\": \"9/11\"}," \
	" {\"kind\": \"achievement_report\", \"title\": \"B\\u00e1o c\\u00e1o\"," \
	"  \"sha256\": \"00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF\"," \
	"  \"size\": 123456}]"

/* A good nomination, with the dossier text given. */
#define NOM_WITH(dossier) \
	"{\"campaign\": \"lnob-2021-2025\", \"id\": \"2023-007\", \"nominee_kind\": \"collective\"," \
	" \"nominee_name\": \"\\u1ea4p T\\u00e2n H\\u01b0ng\", \"unit\": \"C001\"," \
	" \"form\": \"bang_khen_province\", \"occasion\": \"2023\", \"summary\": \"V\\u01b0\\u1ee3t 12 %\"," \
	" \"contribution_vnd\": 150000000, \"sanction\": \"none\", \"revises\": \"c-001/2023-001\"," \
	" \"proposed_at\": \"2023-12-01T09:00:00+07:00\", \"dossier\": " dossier "}"

static const char s_good[] = NOM_WITH(DOSSIER);

static int s_setup(void **state)
{
	(void)state;
	s_dir = strdup(tu_tmpdir());
	tu_write(s_dir, "p.txt", "proposal bytes", 0600);
	tu_write(s_dir, "m.txt", "minutes", 0600);
	return 0;
}

static int s_teardown(void **state)
{
	(void)state;
	tu_rmtree(s_dir);
	free((void *)s_dir);
	return 0;
}

/* Parses text as "nom.json" in s_dir with attach_max; the code, *ret. */
static int t_parse_max(const char *text, size_t attach_max, Lnob__Nomination **ret)
{
	nominate_opts_t o = { .signer = "c-001", .campaign = NULL, .attach_max = attach_max,
		.now_s = NOW };

	s_err[0] = '\0';
	*ret = NULL;
	return nominate_parse_json("nom.json", s_dir, text, strlen(text), &o, ret, s_err,
				   sizeof(s_err));
}

static int t_parse(const char *text, Lnob__Nomination **ret)
{
	return t_parse_max(text, NOMINATE_ATTACH_MAX_DEFAULT, ret);
}

/* Expects text to fail with exactly msg, and nothing returned. */
static void t_err(const char *text, const char *msg)
{
	Lnob__Nomination *n = NULL;

	assert_true(t_parse(text, &n) < 0);
	assert_null(n);
	assert_string_equal(s_err, msg);
}

/* Like t_err, the message holding want. */
static void t_err_has(const char *text, const char *want)
{
	Lnob__Nomination *n = NULL;

	assert_true(t_parse(text, &n) < 0);
	assert_null(n);
	if (!strstr(s_err, want))
		fail_msg("'%s' lacks '%s'", s_err, want);
}

/* s_good with the first occurrence of from replaced by to, into a static
 * buffer. */
static const char *t_edit(const char *from, const char *to)
{
	static char buf[8192];
	const char *at = strstr(s_good, from);
	size_t pre;

	assert_non_null(at);
	pre = (size_t)(at - s_good);
	assert_true(pre + strlen(to) + strlen(at + strlen(from)) < sizeof(buf));
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)pre, s_good, to, at + strlen(from));
	return buf;
}

static void test_good(void **state)
{
	Lnob__Nomination *n = NULL;
	uint8_t sha[32];

	(void)state;
	assert_int_equal(t_parse(s_good, &n), 0);
	assert_non_null(n);
	assert_string_equal(n->campaign, "lnob-2021-2025");
	assert_string_equal(n->id, "2023-007");
	assert_int_equal(n->nominee_kind, LNOB__NOMINEE_KIND__NOMINEE_COLLECTIVE);
	assert_string_equal(n->nominee_name, "\xe1\xba\xa4p T\xc3\xa2n H\xc6\xb0ng");
	assert_string_equal(n->unit, "C001");
	assert_int_equal(n->form, LNOB__AWARD_FORM__AWARD_BANG_KHEN_PROVINCE);
	assert_string_equal(n->occasion, "2023");
	assert_int_equal(n->contribution_vnd, 150000000);
	assert_string_equal(n->sanction, "none");
	assert_string_equal(n->revises, "c-001/2023-001");
	assert_int_equal(n->proposed_at, 1701396000);   /* 2023-12-01T02:00:00Z */
	assert_int_equal(n->n_dossier, 3);
	/* a file: digest, size and the bytes */
	assert_int_equal(n->dossier[0]->kind, LNOB__DOCUMENT_KIND__DOCUMENT_PROPOSAL);
	crypto_hash_sha256(sha, (const uint8_t *)"proposal bytes", 14);
	assert_int_equal(n->dossier[0]->sha256.len, 32);
	assert_memory_equal(n->dossier[0]->sha256.data, sha, 32);
	assert_int_equal(n->dossier[0]->size, 14);
	assert_int_equal(n->dossier[0]->content.len, 14);
	assert_memory_equal(n->dossier[0]->content.data, "proposal bytes", 14);
	assert_int_equal(n->dossier[1]->kind, LNOB__DOCUMENT_KIND__DOCUMENT_COUNCIL_MINUTES);
	assert_string_equal(n->dossier[1]->vote, "9/11");
	assert_string_equal(n->dossier[1]->title, "Bi\xc3\xaan b\xe1\xba\xa3n");
	/* a digest alone (upper-case hex accepted) */
	assert_int_equal(n->dossier[2]->size, 123456);
	assert_int_equal(n->dossier[2]->content.len, 0);
	assert_int_equal(n->dossier[2]->sha256.data[0], 0x00);
	assert_int_equal(n->dossier[2]->sha256.data[31], 0xff);
	assert_string_equal(n->dossier[2]->vote, "");
	assert_int_equal(nominate_attached_bytes(n), 21);
	nominate_free(&n);
	assert_null(n);
	nominate_free(&n);   /* NULL is fine */
	nominate_free(NULL);
}

static void test_defaults(void **state)
{
	static const char text[] =
		"{\"id\": \"n1\", \"nominee_kind\": \"household\", \"nominee_name\": \"H\","
		" \"unit\": \"V01\", \"form\": \"giay_khen\", \"occasion\": \"final-2025\","
		" \"summary\": \"s\", \"dossier\": " DOSSIER "}";
	nominate_opts_t o = { .signer = "c-001", .campaign = "camp", .attach_max = 0,
		.now_s = NOW };
	Lnob__Nomination *n = NULL;

	(void)state;
	/* no campaign and no default: an error */
	t_err(text, "nom.json: campaign: missing");
	/* the default campaign; attach_max 0: never attach */
	assert_int_equal(nominate_parse_json("nom.json", s_dir, text, strlen(text), &o, &n, s_err,
					     sizeof(s_err)), 0);
	assert_string_equal(n->campaign, "camp");
	assert_int_equal(n->proposed_at, NOW);
	assert_int_equal(n->contribution_vnd, 0);
	assert_string_equal(n->sanction, "");
	assert_string_equal(n->revises, "");
	assert_int_equal(n->nominee_kind, LNOB__NOMINEE_KIND__NOMINEE_HOUSEHOLD);
	assert_int_equal(n->dossier[0]->size, 14);
	assert_int_equal(n->dossier[0]->content.len, 0);
	assert_null(n->dossier[0]->content.data);
	assert_int_equal(nominate_attached_bytes(n), 0);
	nominate_free(&n);
	/* a campaign in the file wins over the default */
	assert_int_equal(nominate_parse_json("nom.json", s_dir, s_good, strlen(s_good), &o, &n,
					     s_err, sizeof(s_err)), 0);
	assert_string_equal(n->campaign, "lnob-2021-2025");
	nominate_free(&n);
	/* Unix seconds as an integer or digits */
	assert_int_equal(t_parse(t_edit("\"2023-12-01T09:00:00+07:00\"", "1700000123"), &n), 0);
	assert_int_equal(n->proposed_at, 1700000123);
	nominate_free(&n);
	assert_int_equal(t_parse(t_edit("\"2023-12-01T09:00:00+07:00\"", "\"1700000124\""), &n), 0);
	assert_int_equal(n->proposed_at, 1700000124);
	nominate_free(&n);
	/* the ends of the range of times */
	assert_int_equal(t_parse(t_edit("\"2023-12-01T09:00:00+07:00\"", "946684800"), &n), 0);
	assert_int_equal(n->proposed_at, 946684800);
	nominate_free(&n);
	assert_int_equal(t_parse(t_edit("\"2023-12-01T09:00:00+07:00\"",
					"\"2101-01-01T06:59:59+07:00\""), &n), 0);
	assert_int_equal(n->proposed_at, 4133980799);
	nominate_free(&n);
}

static void test_errors_top(void **state)
{
	(void)state;
	t_err("{\"id\": ", "nom.json:1:7: unexpected token near end of file");
	t_err("[]", "nom.json: expected one nomination object: '[]'");
	t_err(t_edit("\"id\": \"2023-007\"", "\"id\": \"2023 007\""),
	      "nom.json: id: not 1..64 of [A-Za-z0-9._-]: '2023 007'");
	t_err(t_edit("\"id\": \"2023-007\", ", ""), "nom.json: id: missing");
	t_err(t_edit("\"id\": \"2023-007\"", "\"id\": 7"), "nom.json: id: not a string: '7'");
	t_err(t_edit("\"campaign\"", "\"campain\""), "nom.json: campain: unknown field");
	t_err(t_edit("\"collective\"", "\"family\""),
	      "nom.json: nominee_kind: unknown nominee kind 'family' (expected collective, "
	      "individual, household or enterprise)");
	t_err(t_edit("\"bang_khen_province\"", "\"bang_khen\""),
	      "nom.json: form: unknown form 'bang_khen' (expected giay_khen, bang_khen_province, "
	      "bang_khen_pm or huan_chuong_lao_dong)");
	t_err(t_edit("\"form\": \"bang_khen_province\", ", ""),
	      "nom.json: form: missing (expected giay_khen, bang_khen_province, bang_khen_pm or "
	      "huan_chuong_lao_dong)");
	t_err(t_edit("\"\\u1ea4p T\\u00e2n H\\u01b0ng\"", "\"\""), "nom.json: nominee_name: empty");
	t_err(t_edit("\"\\u1ea4p T\\u00e2n H\\u01b0ng\"", "\"a\\nb\""),
	      "nom.json: nominee_name: contains a control character (a line break?)");
	t_err(t_edit("\"\\u1ea4p T\\u00e2n H\\u01b0ng\"", "\"a\\u0000b\""),
	      "nom.json:1:105: \\u0000 is not allowed without JSON_ALLOW_NUL near "
	      "'\"a\\u0000b\"'");
	t_err(t_edit("\"occasion\": \"2023\"", "\"occasion\": \"mid term\""),
	      "nom.json: occasion: not 1..64 of [A-Za-z0-9._-]: 'mid term'");
	t_err(t_edit("\"summary\": \"V\\u01b0\\u1ee3t 12 %\", ", ""), "nom.json: summary: missing");
	t_err(t_edit("150000000", "-1"), "nom.json: contribution_vnd: not an integer 0..10^15: '-1'");
	t_err(t_edit("150000000", "\"5\""), "nom.json: contribution_vnd: not an integer "
	      "0..10^15: '\"5\"'");
	t_err(t_edit("\"sanction\": \"none\"", "\"sanction\": \"khi\\u1ec3n tr\\u00e1ch\""),
	      "nom.json: sanction: not \"none\" or a sanction code (1..64 of [A-Za-z0-9._-]): "
	      "'khi\xe1\xbb\x83n tr\xc3\xa1""ch'");
	t_err(t_edit("\"c-001/2023-001\"", "\"2023-001\""),
	      "nom.json: revises: not a nomination key SIGNER/ID (each 1..64 of [A-Za-z0-9._-]): "
	      "'2023-001'");
	t_err(t_edit("\"c-001/2023-001\"", "\"c-001/2023-007\""),
	      "nom.json: revises: names this nomination itself ('c-001/2023-007'); a "
	      "resubmission needs a new id");
	t_err(t_edit("\"2023-12-01T09:00:00+07:00\"", "\"2023-12-01T09:00:00\""),
	      "nom.json: proposed_at: not ISO 8601 with a UTC offset (e.g. "
	      "2023-11-28T10:00:00+07:00) or Unix seconds: '2023-12-01T09:00:00'");
	t_err(t_edit("\"2023-12-01T09:00:00+07:00\"", "-5"),
	      "nom.json: proposed_at: not a time in 2000-01-01 .. 2100-12-31 UTC: '-5'");
	/* The range of times: 2000-01-01T00:00:00Z .. 2100-12-31T23:59:59Z. */
	t_err(t_edit("\"2023-12-01T09:00:00+07:00\"", "946684799"),
	      "nom.json: proposed_at: not a time in 2000-01-01 .. 2100-12-31 UTC: '946684799'");
	t_err(t_edit("\"2023-12-01T09:00:00+07:00\"", "\"2101-01-01T07:00:00+07:00\""),
	      "nom.json: proposed_at: not a time in 2000-01-01 .. 2100-12-31 UTC: "
	      "'2101-01-01T07:00:00+07:00'");
	t_err(t_edit("\"2023-12-01T09:00:00+07:00\"", "9223372036854775807"),
	      "nom.json: proposed_at: not a time in 2000-01-01 .. 2100-12-31 UTC: "
	      "'9223372036854775807'");
	t_err(t_edit("\"id\": \"2023-007\"", "\"id\": \"a\", \"id\": \"b\""),
	      "nom.json:1:46: duplicate object key near '\"id\"'");
}

static void test_errors_dossier(void **state)
{
	(void)state;
	t_err(t_edit("\"proposal\"", "\"minute\""),
	      "nom.json: dossier[0].kind: unknown kind 'minute' (expected proposal, "
	      "council_minutes or achievement_report)");
	t_err(t_edit("\"kind\": \"achievement_report\", ", ""),
	      "nom.json: dossier[2].kind: missing (expected proposal, council_minutes or "
	      "achievement_report)");
	t_err(t_edit("\"achievement_report\"", "\"proposal\""),
	      "nom.json: dossier: no achievement_report (the dossier needs a proposal, "
	      "council_minutes and achievement_report)");
	t_err(NOM_WITH("[]"), "nom.json: dossier: no proposal (the dossier needs a proposal, "
	      "council_minutes and achievement_report)");
	t_err(t_edit("\"dossier\": [", "\"dossier\": 5, \"x\": ["),
	      "nom.json: x: unknown field");
	t_err(NOM_WITH("{}"), "nom.json: dossier: not an array of documents: '{}'");
	t_err(t_edit(", \"dossier\": ", "} "), "nom.json:1:350: end of file expected near '['");
	t_err(NOM_WITH("[5]"), "nom.json: dossier[0]: not an object: '5'");
	t_err(t_edit("\"file\": \"p.txt\"", "\"file\": \"p.txt\", \"pages\": 3"),
	      "nom.json: dossier[0].pages: unknown field");
	t_err(t_edit(",  \"vote\": \"9/11\"", ""),
	      "nom.json: dossier[1].vote: missing (the council minutes carry the vote, e.g. "
	      "\"9/11\")");
	t_err(t_edit("\"9/11\"", "\"12/11\""),
	      "nom.json: dossier[1].vote: not FOR/MEMBERS with FOR <= MEMBERS (e.g. \"9/11\"): "
	      "'12/11'");
	t_err(t_edit("\"9/11\"", "\"nine\""),
	      "nom.json: dossier[1].vote: not FOR/MEMBERS with FOR <= MEMBERS (e.g. \"9/11\"): "
	      "'nine'");
	t_err(t_edit("\"file\": \"p.txt\"", "\"file\": \"p.txt\", \"vote\": \"1/1\""),
	      "nom.json: dossier[0].vote: only council_minutes carry a vote");
	t_err(t_edit("\"title\": \"T\\u1edd tr\\u00ecnh 12/TTr\", ", ""),
	      "nom.json: dossier[0].title: missing");
	t_err(t_edit("00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF",
		     "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEF"),
	      "nom.json: dossier[2].sha256: not 64 hex digits: "
	      "'00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEF'");
	t_err(t_edit("00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF",
		     "g0112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF"),
	      "nom.json: dossier[2].sha256: not 64 hex digits: "
	      "'g0112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF'");
	t_err(t_edit("123456", "-2"), "nom.json: dossier[2].size: not an integer >= 0: '-2'");
	t_err(t_edit(",  \"size\": 123456", ""),
	      "nom.json: dossier[2].size: missing (without a file, give sha256 and size)");
	t_err(t_edit("\"sha256\": \"00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF\",",
		     ""),
	      "nom.json: dossier[2].sha256: missing (without a file, give sha256 and size)");
	t_err(t_edit("\"file\": \"p.txt\"", "\"file\": \"\""), "nom.json: dossier[0].file: empty");
	t_err(t_edit("\"file\": \"p.txt\"", "\"size\": 1"),
	      "nom.json: dossier[0].sha256: missing (without a file, give sha256 and size)");
	t_err(t_edit(", \"file\": \"p.txt\"", ""),
	      "nom.json: dossier[0]: needs a file, or sha256 and size");
}

static void test_dossier_files(void **state)
{
	Lnob__Nomination *n = NULL;
	char msg[1024], hex[65];
	uint8_t sha[32];

	(void)state;
	/* a file that is not there, a directory */
	snprintf(msg, sizeof(msg), "nom.json: dossier[0].file: cannot read '%s/nope.txt': %s",
		 s_dir, strerror(ENOENT));
	t_err(t_edit("\"p.txt\"", "\"nope.txt\""), msg);
	snprintf(msg, sizeof(msg), "nom.json: dossier[0].file: cannot read '%s/.': %s", s_dir,
		 strerror(EISDIR));
	t_err(t_edit("\"p.txt\"", "\".\""), msg);
	/* only files inside the nomination's folder: no absolute path, no "..",
	 * no symbolic link out of it (/etc/passwd), none followed, no FIFO */
	snprintf(msg, sizeof(msg), "\"%s/m.txt\"", s_dir);
	t_err_has(t_edit("\"p.txt\"", msg), "is an absolute path: a dossier file must be in "
		  "the nomination's folder");
	t_err_has(t_edit("\"p.txt\"", "\"../../../etc/passwd\""), "leads out of the "
		  "nomination's folder ('..')");
	snprintf(msg, sizeof(msg), "%s/pw", s_dir);
	assert_int_equal(symlink("/etc/passwd", msg), 0);
	t_err_has(t_edit("\"p.txt\"", "\"pw\""), "leads out of the nomination's folder "
		  "(through a symbolic link, to /etc/passwd)");
	snprintf(msg, sizeof(msg), "%s/sub", s_dir);
	assert_int_equal(symlink("/etc", msg), 0);
	t_err_has(t_edit("\"p.txt\"", "\"sub/passwd\""), "to /etc/passwd)");
	snprintf(msg, sizeof(msg), "%s/inlink", s_dir);
	assert_int_equal(symlink("m.txt", msg), 0);
	t_err_has(t_edit("\"p.txt\"", "\"inlink\""), "a symbolic link (not followed)");
	snprintf(msg, sizeof(msg), "%s/pipe", s_dir);
	assert_int_equal(mkfifo(msg, 0600), 0);
	t_err_has(t_edit("\"p.txt\"", "\"pipe\""), "not a regular file");
	/* a file with the digest and size it must have */
	crypto_hash_sha256(sha, (const uint8_t *)"proposal bytes", 14);
	snprintf(msg, sizeof(msg), "\"file\": \"p.txt\", \"sha256\": \"%s\", \"size\": 14",
		 sodium_bin2hex(hex, sizeof(hex), sha, 32));
	assert_int_equal(t_parse(t_edit("\"file\": \"p.txt\"", msg), &n), 0);
	assert_memory_equal(n->dossier[0]->sha256.data, sha, 32);
	nominate_free(&n);
	snprintf(msg, sizeof(msg), "\"file\": \"p.txt\", \"size\": 15");
	snprintf(msg + 512, 512, "nom.json: dossier[0].size: 15, but the file '%s/p.txt' has 14 "
		 "bytes", s_dir);
	t_err(t_edit("\"file\": \"p.txt\"", msg), msg + 512);
	snprintf(msg, sizeof(msg), "\"file\": \"p.txt\", \"sha256\": \"%064d\"", 0);
	{
		char want[512];

		snprintf(want, sizeof(want), "nom.json: dossier[0].sha256: does not match the file "
			 "'%s/p.txt' (its SHA-256 is %s)", s_dir, hex);
		t_err(t_edit("\"file\": \"p.txt\"", msg), want);
	}
}

static void test_attach_boundary(void **state)
{
	Lnob__Nomination *n = NULL;

	(void)state;
	/* p.txt is 14 bytes, m.txt 7: attach_max 14 takes both, 13 only m.txt,
	 * 7 only m.txt, 6 neither, 0 never */
	assert_int_equal(t_parse_max(s_good, 14, &n), 0);
	assert_int_equal(n->dossier[0]->content.len, 14);
	assert_int_equal(n->dossier[1]->content.len, 7);
	nominate_free(&n);
	assert_int_equal(t_parse_max(s_good, 13, &n), 0);
	assert_null(n->dossier[0]->content.data);
	assert_int_equal(n->dossier[0]->size, 14);
	assert_int_equal(n->dossier[1]->content.len, 7);
	nominate_free(&n);
	assert_int_equal(t_parse_max(s_good, 7, &n), 0);
	assert_int_equal(n->dossier[1]->content.len, 7);
	nominate_free(&n);
	assert_int_equal(t_parse_max(s_good, 6, &n), 0);
	assert_int_equal(nominate_attached_bytes(n), 0);
	nominate_free(&n);
	assert_int_equal(t_parse_max(s_good, 0, &n), 0);
	assert_int_equal(nominate_attached_bytes(n), 0);
	assert_int_equal(n->dossier[1]->size, 7);
	nominate_free(&n);
}

/* A file of len pseudo-random bytes named name in s_dir; its bytes in
 * *ret (caller frees). */
static void t_big_file(const char *name, size_t len, uint8_t **ret)
{
	char path[4200];
	uint8_t *buf = malloc(len ? len : 1);
	FILE *f;

	assert_non_null(buf);
	randombytes_buf(buf, len);
	snprintf(path, sizeof(path), "%s/%s", s_dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	*ret = buf;
}

static void test_digest(void **state)
{
	uint8_t *bytes, sha[32], want[32], *content = NULL;
	uint64_t size = 0;
	char path[4200];

	(void)state;
	assert_true(sodium_init() >= 0);
	/* several read chunks, and one byte over: digest equal to libsodium's */
	t_big_file("big.bin", S_BIG, &bytes);
	crypto_hash_sha256(want, bytes, S_BIG);
	snprintf(path, sizeof(path), "%s/big.bin", s_dir);
	assert_int_equal(nominate_digest_file(path, S_BIG, sha, &size, &content), 0);
	assert_memory_equal(sha, want, 32);
	assert_int_equal(size, S_BIG);
	assert_non_null(content);
	assert_memory_equal(content, bytes, S_BIG);
	free(content);
	content = NULL;
	/* attach_max one below: the digest, no bytes */
	assert_int_equal(nominate_digest_file(path, S_BIG - 1, sha, &size, &content), 0);
	assert_memory_equal(sha, want, 32);
	assert_null(content);
	/* ret_content NULL: digest only */
	assert_int_equal(nominate_digest_file(path, 1 << 20, sha, &size, NULL), 0);
	assert_memory_equal(sha, want, 32);
	free(bytes);
	/* an empty file: the SHA-256 of nothing, no bytes */
	t_big_file("empty.bin", 0, &bytes);
	free(bytes);
	snprintf(path, sizeof(path), "%s/empty.bin", s_dir);
	crypto_hash_sha256(want, (const uint8_t *)"", 0);
	assert_int_equal(nominate_digest_file(path, 100, sha, &size, &content), 0);
	assert_memory_equal(sha, want, 32);
	assert_int_equal(size, 0);
	assert_null(content);
	/* errors */
	snprintf(path, sizeof(path), "%s/absent", s_dir);
	assert_int_equal(nominate_digest_file(path, 100, sha, &size, &content), -ENOENT);
	assert_int_equal(nominate_digest_file(s_dir, 100, sha, &size, &content), -EISDIR);
	assert_int_equal(nominate_digest_file("/dev/null", 100, sha, &size, &content),
			 LNOB_E_NOTREG);
	/* a FIFO is refused at once, never waited on; a symbolic link not followed */
	snprintf(path, sizeof(path), "%s/fifo", s_dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(nominate_digest_file(path, 100, sha, &size, &content), LNOB_E_NOTREG);
	snprintf(path, sizeof(path), "%s/link", s_dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(nominate_digest_file(path, 100, sha, &size, &content), LNOB_E_SYMLINK);
}

static void test_body_limit(void **state)
{
	Lnob__Nomination *n = NULL;
	uint8_t *bytes;
	char msg[512];

	(void)state;
	/* an attachment that pushes the body over the limit */
	t_big_file("scan.pdf", OUTBOX_BODY_MAX, &bytes);
	free(bytes);
	assert_int_equal(t_parse(t_edit("\"p.txt\"", "\"scan.pdf\""), &n), LNOB_E_TOOBIG);
	assert_null(n);
	snprintf(msg, sizeof(msg), "over the 65536-byte limit; its attached documents take %zu "
		 "bytes: lower [nominations] attach_max_bytes (now 262144) so that only their "
		 "SHA-256 digests are sent", (size_t)OUTBOX_BODY_MAX + 7);
	assert_int_equal(strncmp(s_err, "nom.json: the nomination is 6", 29), 0);
	assert_non_null(strstr(s_err, msg));
	/* with a lower attach_max it goes as a digest */
	assert_int_equal(t_parse_max(t_edit("\"p.txt\"", "\"scan.pdf\""), 65535, &n), 0);
	assert_int_equal(n->dossier[0]->size, OUTBOX_BODY_MAX);
	assert_int_equal(n->dossier[0]->content.len, 0);
	nominate_free(&n);
}

static void test_huge_summary(void **state)
{
	Lnob__Nomination *n = NULL;
	size_t big = OUTBOX_BODY_MAX - 100;
	char *summary = malloc(big + 3), *text;
	const char *edited;

	(void)state;
	assert_non_null(summary);
	summary[0] = '"';
	memset(summary + 1, 'x', big);
	summary[big + 1] = '"';
	summary[big + 2] = '\0';
	edited = t_edit("\"V\\u01b0\\u1ee3t 12 %\"", "\"S\"");
	text = malloc(strlen(edited) + big + 8);
	assert_non_null(text);
	{
		const char *at = strstr(edited, "\"S\"");
		size_t pre = (size_t)(at - edited);

		snprintf(text, strlen(edited) + big + 8, "%.*s%s%s", (int)pre, edited, summary,
			 at + 3);
	}
	assert_int_equal(t_parse_max(text, 0, &n), LNOB_E_TOOBIG);
	assert_non_null(strstr(s_err, "over the 65536-byte limit (shorten the summary)"));
	assert_int_equal(strncmp(s_err, "nom.json: the nomination is ", 28), 0);
	free(text);
	free(summary);
}

/* A learned body limit (opts max_body) below the outbox's own: a
 * nomination over it is refused naming its size and that limit. */
static void test_learned_body_limit(void **state)
{
	nominate_opts_t o = { .signer = "c-001", .attach_max = 0, .now_s = NOW };
	Lnob__Nomination *n = NULL;
	size_t size;
	char want[256];

	(void)state;
	assert_int_equal(nominate_parse_json("nom.json", s_dir, s_good, strlen(s_good), &o, &n,
					     s_err, sizeof(s_err)), 0);
	size = protobuf_c_message_get_packed_size(&n->base);
	nominate_free(&n);
	o.max_body = size;   /* exactly at the limit: taken */
	assert_int_equal(nominate_parse_json("nom.json", s_dir, s_good, strlen(s_good), &o, &n,
					     s_err, sizeof(s_err)), 0);
	nominate_free(&n);
	o.max_body = size - 1;
	assert_int_equal(nominate_parse_json("nom.json", s_dir, s_good, strlen(s_good), &o, &n,
					     s_err, sizeof(s_err)), LNOB_E_TOOBIG);
	assert_null(n);
	snprintf(want, sizeof(want), "nom.json: the nomination is %zu bytes encoded, over the "
		 "%zu-byte limit (shorten the summary)", size, size - 1);
	assert_string_equal(s_err, want);
}

static void test_parse_file(void **state)
{
	nominate_opts_t o = { .signer = "c-001", .attach_max = 100, .now_s = NOW };
	Lnob__Nomination *n = NULL;
	const char *path;
	char msg[4300];

	(void)state;
	/* dossier files relative to the JSON file's directory */
	path = tu_write(s_dir, "nom.json", s_good, 0600);
	assert_int_equal(nominate_parse_file(path, &o, &n, s_err, sizeof(s_err)), 0);
	assert_int_equal(n->dossier[0]->content.len, 14);
	nominate_free(&n);
	path = tu_write(s_dir, "bad.json", t_edit("\"proposal\"", "\"minute\""), 0600);
	assert_int_equal(nominate_parse_file(path, &o, &n, s_err, sizeof(s_err)), LNOB_E_INVALID);
	snprintf(msg, sizeof(msg), "%s: dossier[0].kind: unknown kind 'minute' (expected "
		 "proposal, council_minutes or achievement_report)", path);
	assert_string_equal(s_err, msg);
	snprintf(msg, sizeof(msg), "%s/absent.json", s_dir);
	assert_int_equal(nominate_parse_file(msg, &o, &n, s_err, sizeof(s_err)), -ENOENT);
	assert_null(n);
}

static void test_codes(void **state)
{
	char signer[LNOB_ID_MAX + 1], id[LNOB_ID_MAX + 1];

	(void)state;
	assert_int_equal(nominate_code_parse(NOMINATE_FORM, "huan_chuong_lao_dong"),
			 LNOB__AWARD_FORM__AWARD_HUAN_CHUONG_LAO_DONG);
	assert_int_equal(nominate_code_parse(NOMINATE_FORM, "GIAY_KHEN"), -1);
	assert_string_equal(nominate_code_name(NOMINATE_STAGE, LNOB__STAGE_KIND__STAGE_DECIDED),
			    "decided");
	assert_null(nominate_code_name(NOMINATE_STAGE, 0));
	assert_string_equal(nominate_code_name(NOMINATE_NOMINEE_KIND, 4), "enterprise");
	assert_int_equal(nominate_key_split("c-001/2023-007", signer, id), 0);
	assert_string_equal(signer, "c-001");
	assert_string_equal(id, "2023-007");
	assert_int_equal(nominate_key_split("c-001/", NULL, NULL), LNOB_E_INVALID);
	assert_int_equal(nominate_key_split("/x", NULL, NULL), LNOB_E_INVALID);
	assert_int_equal(nominate_key_split("a/b/c", NULL, NULL), LNOB_E_INVALID);
	assert_int_equal(nominate_key_split("abc", NULL, NULL), LNOB_E_INVALID);
}

/* ---- stages ----------------------------------------------------------- */

/* Builds a stage from a; the code, and *ret freed unless keep. */
static int t_stage(const nominate_stage_args_t *a, Lnob__Stage **ret)
{
	s_err[0] = '\0';
	*ret = NULL;
	return nominate_stage_build(a, NOW, ret, s_err, sizeof(s_err));
}

/* Expects a to fail with code and exactly msg. */
static void t_stage_err(const nominate_stage_args_t *a, int code, const char *msg)
{
	Lnob__Stage *s = NULL;

	assert_int_equal(t_stage(a, &s), code);
	assert_null(s);
	assert_string_equal(s_err, msg);
}

static void test_stage_good(void **state)
{
	nominate_stage_args_t a = { .campaign = "lnob-2021-2025", .nomination = "c-001/2023-007",
		.kind = "decided", .decision_number = "1234/Q\xc4\x90-UBND",
		.decision_date = "2024-02-29", .granted = "bang_khen_province",
		.at = "2024-03-01T08:00:00+07:00", .note = "trao t\xe1\xba\xb7ng" };
	Lnob__Stage *s = NULL;

	(void)state;
	for (const char *const *d = (const char *const[]){ "2000-01-01", "2100-12-31", NULL };
	     *d; d++) {
		a.decision_date = *d;
		assert_int_equal(t_stage(&a, &s), 0);
		assert_string_equal(s->decision_date, *d);
		nominate_stage_free(&s);
	}
	a.decision_date = "2024-02-29";
	assert_int_equal(t_stage(&a, &s), 0);
	assert_string_equal(s->campaign, "lnob-2021-2025");
	assert_string_equal(s->nomination, "c-001/2023-007");
	assert_int_equal(s->kind, LNOB__STAGE_KIND__STAGE_DECIDED);
	assert_string_equal(s->decision_number, "1234/Q\xc4\x90-UBND");
	assert_string_equal(s->decision_date, "2024-02-29");
	assert_int_equal(s->granted_form, LNOB__AWARD_FORM__AWARD_BANG_KHEN_PROVINCE);
	assert_int_equal(s->at, 1709254800);
	assert_string_equal(s->note, "trao t\xe1\xba\xb7ng");
	assert_string_equal(s->reason, "");
	nominate_stage_free(&s);
	assert_null(s);
	nominate_stage_free(&s);
	nominate_stage_free(NULL);

	/* returned with a reason; at defaults to now */
	memset(&a, 0, sizeof(a));
	a.campaign = "c";
	a.nomination = "c-001/n1";
	a.kind = "returned";
	a.reason = "Thi\xe1\xba\xbfu bi\xc3\xaan b\xe1\xba\xa3n\nh\xe1\xbb\x8dp";
	assert_int_equal(t_stage(&a, &s), 0);
	assert_int_equal(s->kind, LNOB__STAGE_KIND__STAGE_RETURNED);
	assert_int_equal(s->at, NOW);
	assert_int_equal(s->granted_form, 0);
	assert_string_equal(s->decision_date, "");
	nominate_stage_free(&s);
	/* the ends of the range of times; a clock outside it is not used */
	a.at = "946684800";
	assert_int_equal(t_stage(&a, &s), 0);
	assert_int_equal(s->at, 946684800);
	nominate_stage_free(&s);
	a.at = "2100-12-31T23:59:59Z";
	assert_int_equal(t_stage(&a, &s), 0);
	assert_int_equal(s->at, 4133980799);
	nominate_stage_free(&s);
	a.at = NULL;
	assert_int_equal(nominate_stage_build(&a, 0, &s, s_err, sizeof(s_err)), LNOB_E_INVALID);
	assert_null(s);
	assert_string_equal(s_err, "the clock says 0, not a time in 2000-01-01 .. 2100-12-31 UTC "
			    "(give --at)");

	/* the plain kinds */
	a.reason = NULL;
	for (const char *const *k = (const char *const[]){ "received", "appraised", "endorsed",
							    NULL }; *k; k++) {
		a.kind = *k;
		assert_int_equal(t_stage(&a, &s), 0);
		assert_int_equal(s->kind, nominate_code_parse(NOMINATE_STAGE, *k));
		nominate_stage_free(&s);
	}
}

static void test_stage_usage(void **state)
{
	nominate_stage_args_t a = { .campaign = "c", .nomination = "c-001/n1", .kind = "received" };

	(void)state;
	a.nomination = NULL;
	t_stage_err(&a, -EINVAL, "--nomination SIGNER/ID is required");
	a.nomination = "c-001/n1";
	a.kind = NULL;
	t_stage_err(&a, -EINVAL, "--kind is required (received, appraised, endorsed, returned, "
		    "rejected or decided)");
	a.kind = "received";
	a.campaign = NULL;
	t_stage_err(&a, -EINVAL, "--campaign C is required (or set [nominations] campaign in the "
		    "config)");
	a.campaign = "c";
	a.kind = "rejected";
	t_stage_err(&a, -EINVAL, "--kind rejected needs --reason TEXT");
	a.kind = "returned";
	t_stage_err(&a, -EINVAL, "--kind returned needs --reason TEXT");
	a.kind = "endorsed";
	a.reason = "r";
	t_stage_err(&a, -EINVAL, "--reason is for --kind returned or rejected, not endorsed "
		    "(use --note)");
	a.reason = NULL;
	a.kind = "decided";
	t_stage_err(&a, -EINVAL, "--kind decided needs --decision-number N");
	a.decision_number = "1/QD";
	t_stage_err(&a, -EINVAL, "--kind decided needs --decision-date YYYY-MM-DD");
	a.decision_date = "2024-01-02";
	t_stage_err(&a, -EINVAL, "--kind decided needs --granted FORM");
	a.kind = "appraised";
	t_stage_err(&a, -EINVAL, "--decision-number is for --kind decided only, not appraised");
	a.decision_number = NULL;
	t_stage_err(&a, -EINVAL, "--decision-date is for --kind decided only, not appraised");
	a.decision_date = NULL;
	a.granted = "giay_khen";
	t_stage_err(&a, -EINVAL, "--granted is for --kind decided only, not appraised");
}

static void test_stage_values(void **state)
{
	nominate_stage_args_t a = { .campaign = "c", .nomination = "c-001/n1", .kind = "decided",
		.decision_number = "1/QD", .decision_date = "2024-01-02", .granted = "giay_khen" };

	(void)state;
	a.kind = "approved";
	t_stage_err(&a, LNOB_E_INVALID, "--kind: unknown stage 'approved' (expected received, "
		    "appraised, endorsed, returned, rejected or decided)");
	a.kind = "decided";
	a.campaign = "lnob 2021";
	t_stage_err(&a, LNOB_E_INVALID, "--campaign: not 1..64 of [A-Za-z0-9._-]: 'lnob 2021'");
	a.campaign = "c";
	a.nomination = "c-001:n1";
	t_stage_err(&a, LNOB_E_INVALID, "--nomination: not a nomination key SIGNER/ID (each "
		    "1..64 of [A-Za-z0-9._-]): 'c-001:n1'");
	a.nomination = "c-001/n1";
	a.decision_date = "2023-02-29";
	t_stage_err(&a, LNOB_E_INVALID, "--decision-date: not a date YYYY-MM-DD in 2000-01-01 .. "
		    "2100-12-31: '2023-02-29'");
	a.decision_date = "2024-1-02";
	t_stage_err(&a, LNOB_E_INVALID, "--decision-date: not a date YYYY-MM-DD in 2000-01-01 .. "
		    "2100-12-31: '2024-1-02'");
	a.decision_date = "2024-13-01";
	t_stage_err(&a, LNOB_E_INVALID, "--decision-date: not a date YYYY-MM-DD in 2000-01-01 .. "
		    "2100-12-31: '2024-13-01'");
	a.decision_date = "1999-12-31";
	t_stage_err(&a, LNOB_E_INVALID, "--decision-date: not a date YYYY-MM-DD in 2000-01-01 .. "
		    "2100-12-31: '1999-12-31'");
	a.decision_date = "2101-01-01";
	t_stage_err(&a, LNOB_E_INVALID, "--decision-date: not a date YYYY-MM-DD in 2000-01-01 .. "
		    "2100-12-31: '2101-01-01'");
	a.decision_date = "2024-01-02";
	a.granted = "bang_khen";
	t_stage_err(&a, LNOB_E_INVALID, "--granted: unknown form 'bang_khen' (expected giay_khen, "
		    "bang_khen_province, bang_khen_pm or huan_chuong_lao_dong)");
	a.granted = "bang_khen_pm";
	a.decision_number = "";
	t_stage_err(&a, LNOB_E_INVALID, "--decision-number: empty");
	a.decision_number = "1/QD\n2";
	t_stage_err(&a, LNOB_E_INVALID, "--decision-number: contains a control character "
		    "(a line break?)");
	a.decision_number = "1/QD";
	a.note = "\xff\xfe";
	t_stage_err(&a, LNOB_E_INVALID, "--note: not valid UTF-8 text");
	a.note = NULL;
	a.at = "yesterday";
	t_stage_err(&a, LNOB_E_INVALID, "--at: not ISO 8601 with a UTC offset (e.g. "
		    "2023-11-28T10:00:00+07:00) or Unix seconds: 'yesterday'");
	a.at = "946684799";
	t_stage_err(&a, LNOB_E_INVALID, "--at: not a time in 2000-01-01 .. 2100-12-31 UTC: "
		    "'946684799'");
	a.at = "2101-01-01T00:00:00Z";
	t_stage_err(&a, LNOB_E_INVALID, "--at: not a time in 2000-01-01 .. 2100-12-31 UTC: "
		    "'2101-01-01T00:00:00Z'");
	a.at = "1999-12-31T23:59:59Z";
	t_stage_err(&a, LNOB_E_INVALID, "--at: not a time in 2000-01-01 .. 2100-12-31 UTC: "
		    "'1999-12-31T23:59:59Z'");
	a.at = NULL;
	a.kind = "rejected";
	a.decision_number = a.decision_date = a.granted = NULL;
	{
		char *longtext = malloc(NOMINATE_TEXT_MAX + 2);

		assert_non_null(longtext);
		memset(longtext, 'r', NOMINATE_TEXT_MAX + 1);
		longtext[NOMINATE_TEXT_MAX + 1] = '\0';
		a.reason = longtext;
		t_stage_err(&a, LNOB_E_INVALID, "--reason: longer than 4096 bytes (4097)");
		longtext[NOMINATE_TEXT_MAX] = '\0';
		{
			Lnob__Stage *s = NULL;

			assert_int_equal(t_stage(&a, &s), 0);
			nominate_stage_free(&s);
		}
		free(longtext);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors_top),
		cmocka_unit_test(test_errors_dossier),
		cmocka_unit_test(test_dossier_files),
		cmocka_unit_test(test_attach_boundary),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_huge_summary),
		cmocka_unit_test(test_learned_body_limit),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_stage_good),
		cmocka_unit_test(test_stage_usage),
		cmocka_unit_test(test_stage_values),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
