/* test_cmd_context.c: what lnob-aggregator's commands share (cmd_context.c)
 * under cli_main(): the store opened read-only once for the hierarchy's
 * cache, the ad-hoc requests and the command's cli_store(ctx,
 * CLI_STORE_READ), closed before a writable one opens (never two at once);
 * an absent store as before; and with CLI_ONE_CAMPAIGN and --campaign C,
 * only C's campaign file loaded, its stored requests applied and the
 * others' ignored without a word. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "aggstore.h"
#include "cmd_aggregator.h"
#include "hiercache.h"
#include "lnob_err.h"

static const char s_units[] = "code,name,parent_code,level,kind\n"
			      "P,Province,,province,administrative\n"
			      "D1,District 1,P,district,administrative\n";

/* A campaign file, its id and its end (a broken [target] or none). */
#define S_CAMPAIGN(id, tail)                                                            \
	"[campaign]\nid = " id "\nname = t\nstart = 2021-01-01\nend = 2025-12-31\n"      \
	"baseline_date = 2020-12-31\nlevels = province, district\n"                       \
	"[indicators]\nhh = count\n"                                                      \
	"[period 2023]\nkind = year\nstart = 2023-01-01\nend = 2023-12-31\n" tail

/* What LMDB was asked (the test is linked with --wrap=mdb_env_open and
 * --wrap=mdb_env_close: every environment of the process counted, however
 * it is opened), and what the command saw. */
static struct {
	int opens, writes, closes, now, most;
	MDB_env *open[8];
	void *at_start, *handed;
	size_t ncamps;
	char camp0[64];
	bool cached, adhoc;
} s_seen;

int __real_mdb_env_open(MDB_env *env, const char *path, unsigned int flags, mdb_mode_t mode);
int __wrap_mdb_env_open(MDB_env *env, const char *path, unsigned int flags, mdb_mode_t mode);
void __real_mdb_env_close(MDB_env *env);
void __wrap_mdb_env_close(MDB_env *env);

int __wrap_mdb_env_open(MDB_env *env, const char *path, unsigned int flags, mdb_mode_t mode)
{
	int r = __real_mdb_env_open(env, path, flags, mode);

	if (r == 0 && s_seen.now < 8) {
		s_seen.open[s_seen.now] = env;
		s_seen.opens++;
		s_seen.writes += !(flags & MDB_RDONLY);
		if (++s_seen.now > s_seen.most)
			s_seen.most = s_seen.now;
	}
	return r;
}

void __wrap_mdb_env_close(MDB_env *env)
{
	for (int i = 0; i < s_seen.now; i++)
		if (s_seen.open[i] == env) {
			s_seen.open[i] = s_seen.open[--s_seen.now];
			s_seen.closes++;
			break;
		}
	__real_mdb_env_close(env);
}

/* The command: what it was given, then the store read (and written). */
static int s_run(cli_ctx_t *ctx)
{
	const campaign_t *c = ctx->camps.n ? ctx->camps.v[0] : NULL;
	int rc;

	s_seen.at_start = ctx->store;
	s_seen.ncamps = ctx->camps.n;
	snprintf(s_seen.camp0, sizeof(s_seen.camp0), "%s", c ? campaign_id(c) : "");
	s_seen.adhoc = c && campaign_period_find(c, "r1");
	s_seen.cached = aggcmd_conf(ctx)->hier_cached;
	if ((rc = cli_store(ctx, CLI_STORE_READ | CLI_STORE_ABSENT_OK)) != 0)
		return rc;
	s_seen.handed = ctx->store;
	if (strcmp(ctx->cmd->name, "write") == 0)
		return cli_store(ctx, CLI_STORE_WRITE);
	return cli_store(ctx, CLI_STORE_READ);
}

static const cli_opt_t s_opts[] = {
	{ "campaign", 0, "C", 0 },
	{ NULL, 0, NULL, 0 },
};

#define S_NEEDS (CLI_NEED_CONF | CLI_NEED_HIER | CLI_NEED_CAMPAIGNS | CLI_ONE_CAMPAIGN)

static const cli_cmd_t s_cmds[] = {
	{ .name = "read", .synopsis = "-c CONF [--campaign C]", .opts = s_opts, .needs = S_NEEDS,
	  .run = s_run },
	{ .name = "write", .synopsis = "-c CONF [--campaign C]", .opts = s_opts, .needs = S_NEEDS,
	  .run = s_run },
};

static const cli_prog_t s_prog = {
	.name = "lnob-test", .cmds = s_cmds, .ncmds = sizeof(s_cmds) / sizeof(s_cmds[0]),
	.ops = &aggcmd_context,
};

static char s_err[8192];

/* Runs `lnob-test CMD -c CONF [--campaign C]`, stderr into s_err.
 * Returns the exit status. */
static int s_cli(const char *cmd, const char *conf, const char *campaign)
{
	char *argv[8] = { "lnob-test", (char *)cmd, "-c", (char *)conf, NULL, NULL, NULL };
	int r, e = dup(2);
	FILE *fe = tmpfile();
	size_t n;

	assert_non_null(fe);
	if (campaign) {
		argv[4] = "--campaign";
		argv[5] = (char *)campaign;
	}
	memset(&s_seen, 0, sizeof(s_seen));
	fflush(stderr);
	dup2(fileno(fe), 2);
	r = cli_main(&s_prog, campaign ? 6 : 4, argv);
	fflush(stderr);
	dup2(e, 2);
	close(e);
	rewind(fe);
	n = fread(s_err, 1, sizeof(s_err) - 1, fe);
	s_err[n] = '\0';
	fclose(fe);
	return r;
}

/* The store of dir/data with the hierarchy's cache and two requests: r1
 * of campaign c1, r2 of campaign c2. */
static void s_make_store(const char *data, const char *units)
{
	uint8_t digest[HIERCACHE_DIGEST_LEN];
	char *p1[] = { "P" }, *hh[] = { "hh" }, err[512];
	Lnob__AdhocRequest q1, q2;
	MDB_txn *txn = NULL;
	store_t *st = NULL;
	hier_t *h = NULL;
	bool cached;

	assert_int_equal(aggstore_open(data, 64 << 20, 0, &st, err, sizeof(err)), 0);
	assert_int_equal(hiercache_load(NULL, units, &h, digest, &cached, err, sizeof(err)), 0);
	assert_int_equal(hiercache_save(st, digest, h), 0);
	tu_adhoc(&q1, "c1", "r1", p1, 1, hh, 1, "2023-06-30");
	tu_adhoc(&q2, "c2", "r2", p1, 1, hh, 1, "2023-06-30");
	assert_int_equal(store_begin(st, true, &txn), 0);
	assert_int_equal(agg_request_put(st, txn, &q1), 0);
	assert_int_equal(agg_request_put(st, txn, &q2), 0);
	assert_int_equal(store_commit(&txn), 0);
	hier_destroy(&h);
	store_destroy(&st);
}

/* Writes dir/NAME.conf over data_dir data; returns its path (static). */
static const char *s_conf(const char *dir, const char *name, const char *data, const char *units)
{
	static char path[4096];
	char text[8192], file[64];

	assert_true(snprintf(text, sizeof(text), "[node]\nid = agg\nidentity = %s/agg.key\n"
			     "data_dir = %s\n[listen]\nendpoint = tcp://127.0.0.1:7199\n"
			     "[hierarchy]\nfile = %s\n[campaign]\nfiles = c1.ini, c2.ini\n", dir,
			     data, units) < (int)sizeof(text));
	snprintf(file, sizeof(file), "%s.conf", name);
	snprintf(path, sizeof(path), "%s", tu_write(dir, file, text, 0600));
	return path;
}

static void test_store_opened_once(void **state)
{
	char dir[4096], data[4200], units[4200], conf[4096];

	(void)state;
	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(units, sizeof(units), "%s", tu_write(dir, "units.csv", s_units, 0644));
	tu_write(dir, "c1.ini", S_CAMPAIGN("c1", ""), 0600);
	tu_write(dir, "c2.ini", S_CAMPAIGN("c2", "[target a]\nlevels = district\n"
					   "indicator = nobody\ndown_points = 3\n"), 0600);
	s_make_store(data, units);
	snprintf(conf, sizeof(conf), "%s", s_conf(dir, "agg", data, units));
	/* A reader of c1: the store the hierarchy came from (its cache) gave the
	 * requests (r1 applied, c2's r2 ignored without a word) and is the one
	 * the command gets: opened once. */
	assert_int_equal(s_cli("read", conf, "c1"), 0);
	assert_string_equal(s_err, "");
	assert_true(s_seen.cached);
	assert_true(s_seen.adhoc);
	assert_int_equal(s_seen.ncamps, 1);
	assert_string_equal(s_seen.camp0, "c1");
	assert_non_null(s_seen.at_start);
	assert_ptr_equal(s_seen.handed, s_seen.at_start);
	assert_int_equal(s_seen.opens, 1);
	assert_int_equal(s_seen.closes, 1);
	/* A writer: the reader closed before the writable store opens. */
	assert_int_equal(s_cli("write", conf, "c1"), 0);
	assert_int_equal(s_seen.opens, 2);
	assert_int_equal(s_seen.writes, 1);
	assert_int_equal(s_seen.most, 1);
	assert_int_equal(s_seen.closes, 2);
	/* Every campaign without --campaign: c2's broken target refuses them. */
	assert_int_equal(s_cli("read", conf, NULL), 1);
	assert_non_null(strstr(s_err, "c2.ini:16: [target a] indicator: unknown indicator 'nobody'"));
	assert_int_equal(s_seen.now, 0);
	/* No store: the file parsed, the reader's own opening says it is absent
	 * (fine with CLI_STORE_ABSENT_OK, not without), nothing left open. */
	snprintf(conf, sizeof(conf), "%s", s_conf(dir, "none", "/nonexistent/data", units));
	assert_int_equal(s_cli("read", conf, "c1"), 1);
	assert_false(s_seen.cached);
	assert_null(s_seen.at_start);
	assert_null(s_seen.handed);
	assert_int_equal(s_seen.opens, 0);
	assert_non_null(strstr(s_err, "/nonexistent/data"));
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_opened_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
