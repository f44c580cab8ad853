/* test_cli.c: the command table both daemons run on: --help, --version,
 * usage errors (exit 2, one line and the command's usage), options,
 * formats and operands, the context a command needs (configuration,
 * identity, store), and the keygen subcommand both daemons share. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "identity.h"
#include "lnob_err.h"

/* ---- a small program on the table ------------------------------------------ */

/* What the test commands saw. */
static struct {
	int runs;
	const char *campaign, *unit;
	bool all;
	int format, argc;
	char argv0[64];
	char node_id[LNOB_ID_MAX + 1];
	int store_opens;
} s_seen;

static int s_run_show(cli_ctx_t *ctx)
{
	s_seen.runs++;
	s_seen.campaign = cli_opt(ctx, "campaign");
	s_seen.unit = cli_opt(ctx, "unit");
	s_seen.all = cli_flag(ctx, "all");
	s_seen.format = ctx->format;
	s_seen.argc = ctx->argc;
	snprintf(s_seen.argv0, sizeof(s_seen.argv0), "%s", ctx->argc ? ctx->argv[0] : "");
	if (cli_opt(ctx, "unit") && strcmp(cli_opt(ctx, "unit"), "bad") == 0)
		return cli_usage(ctx, "--unit: no such unit");
	if (cli_opt(ctx, "unit") && strcmp(cli_opt(ctx, "unit"), "fail") == 0)
		return cli_fail(ctx, "show: it failed");
	return 0;
}

static int s_run_signed(cli_ctx_t *ctx)
{
	s_seen.runs++;
	snprintf(s_seen.node_id, sizeof(s_seen.node_id), "%s", ctx->id.pub.node_id);
	return cli_store(ctx, CLI_STORE_READ | CLI_STORE_ABSENT_OK) == 0 && !ctx->store ? 0 : 1;
}

/* conf hook: [node] id and identity only. */
static int s_conf_load(cli_ctx_t *ctx, const char *path, char *err, size_t errlen)
{
	int r;

	if ((r = conf_load(path, &ctx->conf, err, errlen)) < 0 ||
	    (r = conf_str(ctx->conf, "node", "id", NULL, &ctx->node_id, err, errlen)) < 0 ||
	    (r = conf_str(ctx->conf, "node", "identity", "", &ctx->identity_path, err, errlen)) < 0)
		return r;
	ctx->data_dir = "/nonexistent";
	ctx->hier_file = "";
	ctx->log_level = LOG_LVL_INFO;
	return 0;
}

static int s_store_open(cli_ctx_t *ctx, unsigned flags, void **ret, char *err, size_t errlen)
{
	(void)ctx;
	(void)flags;
	(void)ret;
	s_seen.store_opens++;
	snprintf(err, errlen, "/nonexistent: no store");
	return -ENOENT;
}

static const cli_opt_t s_show_opts[] = {
	{ "campaign", 'C', "C", CLI_REQUIRED },
	{ "unit", 0, "U", 0 },
	{ "all", 'a', NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_keygen_opts[] = {
	{ "id", 'i', "NODE_ID", CLI_REQUIRED },
	{ "out", 'o', "PATH", CLI_REQUIRED },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_none[] = { { NULL, 0, NULL, 0 } };

static const cli_cmd_t s_cmds[] = {
	{ .name = "keygen", .synopsis = "--id NODE_ID --out PATH", .opts = s_keygen_opts,
	  .run = cli_keygen },
	{ .name = "show", .synopsis = "--campaign C [--unit U] [--all] [--json] [ITEM]",
	  .help = "       (shows one thing)\n", .opts = s_show_opts, .formats = CLI_JSON,
	  .max_args = 1, .run = s_run_show },
	{ .name = "list", .synopsis = "ITEM... [--json | --csv]", .opts = s_none,
	  .formats = CLI_JSON | CLI_CSV, .min_args = 1, .max_args = -1, .args = "ITEM",
	  .run = s_run_show },
	{ .name = "signed", .synopsis = "-c CONF", .opts = s_none,
	  .needs = CLI_NEED_CONF | CLI_NEED_IDENTITY, .run = s_run_signed },
};

static const cli_context_ops_t s_ops = { .conf_load = s_conf_load, .store_open = s_store_open };

/* Not const: test_context() takes identity_load away. */
static cli_prog_t s_prog = {
	.name = "lnob-test", .cmds = s_cmds, .ncmds = sizeof(s_cmds) / sizeof(s_cmds[0]),
	.ops = &s_ops, .identity_load = identity_load,
};

/* ---- running it, stdout and stderr captured ------------------------------------ */

static char s_out[8192], s_err[8192];

/* Reads what fd (a temporary file) holds into buf. */
static void s_slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Runs `lnob-test a0 ...` (NULL-terminated) through cli_main(); s_out and
 * s_err get what it printed. Returns the exit status. */
static int s_cli(const char *a0, ...)
{
	char *argv[24];
	int argc = 0, r, o = dup(1), e = dup(2);
	FILE *fo = tmpfile(), *fe = tmpfile();
	va_list ap;

	assert_non_null(fo);
	assert_non_null(fe);
	argv[argc++] = "lnob-test";
	va_start(ap, a0);
	for (const char *a = a0; a && argc < 23; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	memset(&s_seen, 0, sizeof(s_seen));
	r = cli_main(&s_prog, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o, 1);
	dup2(e, 2);
	close(o);
	close(e);
	s_slurp(fo, s_out, sizeof(s_out));
	s_slurp(fe, s_err, sizeof(s_err));
	return r;
}

/* The number of lines of s. */
static int s_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A usage error: exit 2, nothing on stdout, the message first on
 * stderr, then the command's usage. */
static void s_assert_usage(int r, const char *msg, const char *cmd)
{
	char want[128];

	assert_int_equal(r, 2);
	assert_string_equal(s_out, "");
	if (strncmp(s_err, msg, strlen(msg)) != 0)
		fail_msg("stderr %s does not start with %s", s_err, msg);
	snprintf(want, sizeof(want), "\nusage: lnob-test %s", cmd);
	assert_non_null(strstr(s_err, want));
}

static void test_help_and_version(void **state)
{
	char want[64];

	(void)state;
	assert_int_equal(s_cli("--help", NULL), 0);
	assert_non_null(strstr(s_out, "usage: lnob-test keygen --id NODE_ID --out PATH\n"));
	assert_non_null(strstr(s_out, "       lnob-test show --campaign C"));
	assert_non_null(strstr(s_out, "       lnob-test signed -c CONF\n"));
	assert_string_equal(s_err, "");
	assert_int_equal(s_cli("help", NULL), 0);
	assert_int_equal(s_cli("-h", NULL), 0);

	assert_true(strlen(cli_version()) >= 5);   /* the CMake project version */
	assert_int_equal(s_cli("--version", NULL), 0);
	snprintf(want, sizeof(want), "lnob-test %s\n", cli_version());
	assert_string_equal(s_out, want);

	/* Every subcommand its own usage, exit 0, whatever is missing. */
	assert_int_equal(s_cli("show", "--help", NULL), 0);
	assert_string_equal(s_out, "usage: lnob-test show --campaign C [--unit U] [--all] [--json] "
			    "[ITEM]\n       (shows one thing)\n");
	assert_int_equal(s_seen.runs, 0);
	assert_int_equal(s_cli("signed", "-h", NULL), 0);
	assert_string_equal(s_out, "usage: lnob-test signed -c CONF\n");
	assert_int_equal(s_cli("keygen", "--help", NULL), 0);
	assert_int_equal(s_cli("list", "--help", NULL), 0);

	/* No subcommand, or an unknown one: every usage on stderr. */
	assert_int_equal(s_cli(NULL), 2);
	assert_non_null(strstr(s_err, "lnob-test: no subcommand given\nusage: lnob-test keygen"));
	assert_int_equal(s_cli("shwo", NULL), 2);
	assert_non_null(strstr(s_err, "lnob-test: unknown subcommand 'shwo'\n"));
	assert_non_null(strstr(s_err, "lnob-test show --campaign C"));
}

static void test_options_and_operands(void **state)
{
	(void)state;
	assert_int_equal(s_cli("show", "--campaign", "lnob-2021-2025", "--unit=D01", "-a", "X1",
			       NULL), 0);
	assert_int_equal(s_seen.runs, 1);
	assert_string_equal(s_seen.campaign, "lnob-2021-2025");
	assert_string_equal(s_seen.unit, "D01");
	assert_true(s_seen.all);
	assert_int_equal(s_seen.format, CLI_TABLE);
	assert_int_equal(s_seen.argc, 1);
	assert_string_equal(s_seen.argv0, "X1");
	/* Short forms, operands before options, a format. */
	assert_int_equal(s_cli("show", "X2", "-C", "c", "--json", NULL), 0);
	assert_string_equal(s_seen.campaign, "c");
	assert_null(s_seen.unit);
	assert_false(s_seen.all);
	assert_int_equal(s_seen.format, CLI_JSON);
	assert_string_equal(s_seen.argv0, "X2");
	assert_int_equal(s_cli("list", "a", "b", "c", "--csv", NULL), 0);
	assert_int_equal(s_seen.format, CLI_CSV);
	assert_int_equal(s_seen.argc, 3);
}

static void test_usage_errors(void **state)
{
	(void)state;
	s_assert_usage(s_cli("show", "--campaign", "c", "--bogus", NULL),
		       "lnob-test show: unknown option --bogus\n", "show");
	assert_int_equal(s_seen.runs, 0);
	s_assert_usage(s_cli("show", "-C", "c", "-z", NULL), "lnob-test show: unknown option -z\n",
		       "show");
	s_assert_usage(s_cli("show", "--campaign", NULL),
		       "lnob-test show: option --campaign needs an argument\n", "show");
	s_assert_usage(s_cli("show", "--unit", "U", NULL),
		       "lnob-test show: --campaign C is required\n", "show");
	s_assert_usage(s_cli("show", "-C", "a", "--campaign", "b", NULL),
		       "lnob-test show: option --campaign given twice\n", "show");
	s_assert_usage(s_cli("show", "-C", "a", "X", "Y", NULL),
		       "lnob-test show: unexpected argument 'Y'\n", "show");
	s_assert_usage(s_cli("list", NULL), "lnob-test list: no ITEM given\n", "list");
	s_assert_usage(s_cli("signed", NULL), "lnob-test signed: -c CONF is required\n", "signed");
	/* An option another command has is unknown here. */
	s_assert_usage(s_cli("list", "x", "--all", NULL), "lnob-test list: unknown option --all\n",
		       "list");
	/* Formats: one a command does not have, and two at once. */
	s_assert_usage(s_cli("show", "-C", "c", "--csv", NULL),
		       "lnob-test show: --csv: not an output format of show", "show");
	s_assert_usage(s_cli("signed", "-c", "x.conf", "--json", NULL),
		       "lnob-test signed: --json: not an output format of signed", "signed");
	s_assert_usage(s_cli("list", "x", "--json", "--csv", NULL),
		       "lnob-test list: --json and --csv: one output format at most\n", "list");
	/* One line of message, then the usage only. */
	assert_int_equal(s_cli("show", "--campaign", "c", "--bogus", NULL), 2);
	assert_int_equal(s_lines(s_err), 3);
	/* What the command itself finds: a usage error, or a failure. */
	s_assert_usage(s_cli("show", "-C", "c", "--unit", "bad", NULL),
		       "lnob-test show: --unit: no such unit\n", "show");
	assert_int_equal(s_cli("show", "-C", "c", "--unit", "fail", NULL), 1);
	assert_string_equal(s_err, "lnob-test: show: it failed\n");
}

static void test_context(void **state)
{
	const char *dir = tu_tmpdir();
	char key[512], conf[1024], good[1024], text[1200];
	identity_t id;

	(void)state;
	snprintf(key, sizeof(key), "%s/n1.key", dir);
	assert_int_equal(identity_generate("n1", &id), 0);
	assert_int_equal(identity_save(&id, key), 0);
	identity_wipe(&id);
	snprintf(text, sizeof(text), "[node]\nid = n1\nidentity = %s\n", key);
	snprintf(conf, sizeof(conf), "%s", tu_write(dir, "good.conf", text, 0600));
	/* The identity is loaded, the store opened as the command asks (an
	 * absent one is fine for a reader that says so). */
	assert_int_equal(s_cli("signed", "-c", conf, NULL), 0);
	assert_int_equal(s_seen.runs, 1);
	assert_string_equal(s_seen.node_id, "n1");
	assert_int_equal(s_seen.store_opens, 1);
	/* A program that loads no identities (lnob-aggregator, which hands
	 * such commands to lnob-aggregator-full) refuses one, not running it. */
	snprintf(good, sizeof(good), "%s", conf);
	s_prog.identity_load = NULL;
	assert_int_equal(s_cli("signed", "-c", good, NULL), 1);
	s_prog.identity_load = identity_load;
	assert_int_equal(s_seen.runs, 0);
	assert_non_null(strstr(s_err, "signed: this program does not load identities"));
	/* Another id than the identity file's. */
	snprintf(text, sizeof(text), "[node]\nid = n2\nidentity = %s\n", key);
	snprintf(conf, sizeof(conf), "%s", tu_write(dir, "other.conf", text, 0600));
	assert_int_equal(s_cli("signed", "--config", conf, NULL), 1);
	assert_int_equal(s_seen.runs, 0);
	assert_non_null(strstr(s_err, "other.conf:2: [node] id: 'n2' is not the id in the identity "
				      "file"));
	/* A configuration that does not load, and an identity that does not. */
	assert_int_equal(s_cli("signed", "-c", "/nonexistent.conf", NULL), 1);
	assert_non_null(strstr(s_err, "lnob-test: "));
	assert_non_null(strstr(s_err, "/nonexistent.conf"));
	snprintf(conf, sizeof(conf), "%s",
		 tu_write(dir, "nokey.conf", "[node]\nid = n1\nidentity = /nonexistent.key\n", 0600));
	assert_int_equal(s_cli("signed", "-c", conf, NULL), 1);
	assert_non_null(strstr(s_err, "nokey.conf:3: [node] identity: "));
	tu_rmtree(dir);
}

/* ---- keygen ------------------------------------------------------------------- */

/* Runs keygen with the given arguments (NULL-terminated). */
static int s_keygen(const char *a0, ...)
{
	const char *a[16];
	int n = 0;
	va_list ap;

	va_start(ap, a0);
	for (const char *x = a0; x && n < 15; x = va_arg(ap, const char *))
		a[n++] = x;
	va_end(ap);
	while (n < 15)
		a[n++] = NULL;
	return s_cli("keygen", a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL);
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

/* cli_conf_nonempty(): a key absent is missing, present and empty is
 * refused with its line, else borrowed as it is. */
static void test_conf_nonempty(void **state)
{
	static const char text[] = "[node]\nid = n1\ndata_dir =\n";
	conf_t *conf = NULL;
	const char *v = "unset";
	char err[512];

	(void)state;
	assert_int_equal(conf_load_mem(text, "a.conf", &conf, err, sizeof(err)), 0);
	assert_int_equal(cli_conf_nonempty(conf, "node", "id", &v, err, sizeof(err)), 0);
	assert_string_equal(v, "n1");
	v = "unset";
	assert_int_equal(cli_conf_nonempty(conf, "node", "data_dir", &v, err, sizeof(err)),
			 LNOB_E_CONFIG);
	assert_string_equal(err, "a.conf:3: [node] data_dir: empty");
	assert_int_equal(cli_conf_nonempty(conf, "node", "identity", &v, err, sizeof(err)),
			 LNOB_E_CONFIG);
	assert_string_equal(err, "a.conf: [node] identity: missing");
	assert_string_equal(v, "unset");
	conf_destroy(&conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_options_and_operands),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_keygen_writes_pair),
		cmocka_unit_test(test_keygen_refuses_bad_args),
		cmocka_unit_test(test_conf_nonempty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
