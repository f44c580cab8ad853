/*
 * cli.c: the command table both daemons run on (see cli.h): parsing a
 * subcommand's options, its usage and --help, --version, usage errors,
 * opening its context; and keygen, a subcommand of both.
 */
#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

#ifndef LNOB_VERSION
#define LNOB_VERSION "0.0.0"
#endif

/* getopt_long values: the command's options from S_VAL_OPT on, then the
 * ones every command has. */
enum {
	S_VAL_OPT = 0x1000,
	S_VAL_CONFIG = 0x2000,
	S_VAL_HELP,
	S_VAL_JSON,
	S_VAL_CSV,
};

const char *cli_version(void)
{
	return LNOB_VERSION;
}

/* ---- usage ------------------------------------------------------------- */

/* Prints cmd's usage lines, the first starting with lead. */
static void s_usage_cmd(FILE *out, const cli_prog_t *prog, const cli_cmd_t *cmd, const char *lead)
{
	fprintf(out, "%s%s %s%s%s\n", lead, prog->name, cmd->name, cmd->synopsis[0] ? " " : "",
		cmd->synopsis);
	if (cmd->help)
		fprintf(out, "%s", cmd->help);
}

/* Prints the usage of every subcommand. */
static void s_usage_all(FILE *out, const cli_prog_t *prog)
{
	for (size_t i = 0; i < prog->ncmds; i++)
		s_usage_cmd(out, prog, &prog->cmds[i], i == 0 ? "usage: " : "       ");
	fprintf(out, "       %s SUBCOMMAND --help\n       %s --version\n", prog->name, prog->name);
}

/* Prints "PROG[ CMD]: <fmt ap>" and a newline on stderr. */
__attribute__((format(printf, 3, 0)))
static void s_vsay(const cli_ctx_t *ctx, bool with_cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s%s%s: ", ctx->prog->name, with_cmd && ctx->cmd ? " " : "",
		with_cmd && ctx->cmd ? ctx->cmd->name : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_usage(const cli_ctx_t *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vsay(ctx, true, fmt, ap);
	va_end(ap);
	if (ctx->cmd)
		s_usage_cmd(stderr, ctx->prog, ctx->cmd, "usage: ");
	else
		s_usage_all(stderr, ctx->prog);
	return 2;
}

int cli_fail(const cli_ctx_t *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vsay(ctx, false, fmt, ap);
	va_end(ap);
	return 1;
}

/* ---- options ------------------------------------------------------------- */

/* The index of option name in ctx->cmd->opts, -1 when it has none. */
static int s_opt_index(const cli_ctx_t *ctx, const char *name)
{
	for (int i = 0; ctx->cmd->opts && ctx->cmd->opts[i].name; i++)
		if (strcmp(ctx->cmd->opts[i].name, name) == 0)
			return i;
	return -1;
}

const char *cli_opt(const cli_ctx_t *ctx, const char *name)
{
	int i = s_opt_index(ctx, name);

	return i < 0 ? NULL : ctx->vals[i];
}

bool cli_flag(const cli_ctx_t *ctx, const char *name)
{
	return cli_opt(ctx, name) != NULL;
}

/* The parser's tables for one command: getopt_long's options, its short
 * string and what each short option stands for. */
typedef struct s_parser {
	struct option lopts[CLI_OPTS_MAX + 5];
	char shorts[2 * CLI_OPTS_MAX + 8];
	int short_val[128];
	int nopts;
} s_parser_t;

/* Appends one option to p. */
static void s_parser_add(s_parser_t *p, const char *name, char short_name, bool arg, int val)
{
	size_t n = strlen(p->shorts);

	assert(p->nopts < CLI_OPTS_MAX + 4);
	p->lopts[p->nopts++] = (struct option){ name, arg ? required_argument : no_argument, NULL, val };
	if (short_name > 0) {
		p->shorts[n++] = short_name;
		if (arg)
			p->shorts[n++] = ':';
		p->shorts[n] = '\0';
		p->short_val[(unsigned char)short_name] = val;
	}
}

/* Builds the parser of ctx->cmd. */
static void s_parser_make(const cli_ctx_t *ctx, s_parser_t *p)
{
	const cli_cmd_t *cmd = ctx->cmd;

	memset(p, 0, sizeof(*p));
	p->shorts[0] = ':';   /* ':' for a missing argument, '?' for an unknown option */
	for (int i = 0; cmd->opts && cmd->opts[i].name; i++) {
		assert(i < CLI_OPTS_MAX);
		s_parser_add(p, cmd->opts[i].name, cmd->opts[i].short_name, cmd->opts[i].arg != NULL,
			     S_VAL_OPT + i);
	}
	if (cmd->needs & CLI_NEED_CONF)
		s_parser_add(p, "config", 'c', true, S_VAL_CONFIG);
	s_parser_add(p, "help", 'h', false, S_VAL_HELP);
	s_parser_add(p, "json", 0, false, S_VAL_JSON);
	s_parser_add(p, "csv", 0, false, S_VAL_CSV);
}

/* The long name of the option getopt_long gives as val. */
static const char *s_name(const s_parser_t *p, int val)
{
	for (int i = 0; i < p->nopts; i++)
		if (p->lopts[i].val == val)
			return p->lopts[i].name;
	return "?";
}

/* Records one parsed option (val: S_VAL_*). Returns 0, 1 for --help, or
 * 2 after a usage error. */
static int s_take(cli_ctx_t *ctx, const s_parser_t *p, int val, const char *arg, bool *seen)
{
	int i = val >= S_VAL_CONFIG ? CLI_OPTS_MAX + (val - S_VAL_CONFIG) : val - S_VAL_OPT;

	if (val == S_VAL_HELP)
		return 1;
	if (seen[i])
		return cli_usage(ctx, "option --%s given twice", s_name(p, val));
	seen[i] = true;
	if (val == S_VAL_CONFIG)
		ctx->conf_path = arg;
	else if (val == S_VAL_JSON || val == S_VAL_CSV)
		ctx->format = (enum cli_format)(ctx->format | (val == S_VAL_JSON ? CLI_JSON : CLI_CSV));
	else
		ctx->vals[i] = arg ? arg : "";
	return 0;
}

/* The checks after parsing: formats, required options, operands. Returns
 * 0, or 2 after a usage error. */
static int s_check(cli_ctx_t *ctx)
{
	const cli_cmd_t *cmd = ctx->cmd;

	if (ctx->format == (CLI_JSON | CLI_CSV))
		return cli_usage(ctx, "--json and --csv: one output format at most");
	if (ctx->format && !(cmd->formats & ctx->format))
		return cli_usage(ctx, "%s: not an output format of %s (it prints a table%s)",
				 ctx->format == CLI_JSON ? "--json" : "--csv", cmd->name,
				 cmd->formats & CLI_JSON ? " or --json" : cmd->formats & CLI_CSV
				 ? " or --csv" : " only");
	if ((cmd->needs & CLI_NEED_CONF) && !ctx->conf_path)
		return cli_usage(ctx, "-c CONF is required");
	for (int i = 0; cmd->opts && cmd->opts[i].name; i++)
		if ((cmd->opts[i].flags & CLI_REQUIRED) && !ctx->vals[i])
			return cli_usage(ctx, "--%s %s is required", cmd->opts[i].name,
					 cmd->opts[i].arg ? cmd->opts[i].arg : "");
	if (ctx->argc < cmd->min_args)
		return cli_usage(ctx, "no %s given", cmd->args ? cmd->args : "argument");
	if (cmd->max_args >= 0 && ctx->argc > cmd->max_args)
		return cli_usage(ctx, "unexpected argument '%s'", ctx->argv[cmd->max_args]);
	return 0;
}

/* Parses argv (argv[0] the subcommand) into ctx. Returns 0, 1 for
 * --help, or 2 after a usage error. */
static int s_parse(cli_ctx_t *ctx, int argc, char **argv)
{
	bool seen[CLI_OPTS_MAX + 4] = { false };
	s_parser_t p;
	int c, r;

	s_parser_make(ctx, &p);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, p.shorts, p.lopts, NULL)) != -1) {
		if (c == ':')
			return cli_usage(ctx, "option %s needs an argument", argv[optind - 1]);
		if (c == '?')
			return cli_usage(ctx, "unknown option %s", argv[optind - 1]);
		if (c > 0 && c < 128 && p.short_val[c])
			c = p.short_val[c];
		if ((r = s_take(ctx, &p, c, optarg, seen)) != 0)
			return r;
	}
	ctx->argc = argc - optind;
	ctx->argv = argv + optind;
	return s_check(ctx);
}

/* ---- the context ----------------------------------------------------------- */

/*
 * The line of section.key in the file, 0 when unknown. conf.h offers no
 * such call, but its messages are specified ("file:12: [s] k: ..."), so a
 * range no value can meet makes conf_u64() name the line.
 */
static unsigned s_conf_line(const conf_t *conf, const char *section, const char *key)
{
	const char *name = conf_name(conf);
	char msg[1024];
	uint64_t dummy;
	unsigned line = 0;
	size_t n = strlen(name);

	if (conf_u64(conf, section, key, false, 0, 1, 0, &dummy, msg, sizeof(msg)) == 0)
		return 0;
	if (strncmp(msg, name, n) != 0 || msg[n] != ':' || sscanf(msg + n + 1, "%u:", &line) != 1)
		return 0;
	return line;
}

int cli_conf_error(const conf_t *conf, const char *section, const char *key, char *err,
		   size_t errlen, const char *fmt, ...)
{
	unsigned line = s_conf_line(conf, section, key);
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err, errlen, "%s:%u: [%s] %s: %s", conf_name(conf), line, section, key, msg);
	else
		snprintf(err, errlen, "%s: [%s] %s: %s", conf_name(conf), section, key, msg);
	return LNOB_E_CONFIG;
}

int cli_conf_nonempty(const conf_t *conf, const char *section, const char *key,
		      const char **ret, char *err, size_t errlen)
{
	const char *v;
	int r = conf_str(conf, section, key, NULL, &v, err, errlen);

	if (r < 0)
		return r;
	if (!v[0])
		return cli_conf_error(conf, section, key, err, errlen, "empty");
	*ret = v;
	return 0;
}

/* Loads the node's identity into ctx->id, checked against [node] id.
 * Returns 0 or a negative code with err set. */
static int s_open_identity(cli_ctx_t *ctx, char *err, size_t errlen)
{
	identity_t id;
	char why[768];
	int r;

	if (!ctx->prog->identity_load)
		return lnob_errf(err, errlen, -ENOTSUP, "%s: this program does not load identities",
				 ctx->cmd->name);
	if ((r = ctx->prog->identity_load(ctx->identity_path, &id, why, sizeof(why))) < 0) {
		cli_conf_error(ctx->conf, "node", "identity", err, errlen, "%s", why);
		return r;
	}
	if (strcmp(id.pub.node_id, ctx->node_id) != 0) {
		snprintf(why, sizeof(why), "'%s' is not the id in the identity file %s ('%s')",
			 ctx->node_id, ctx->identity_path, id.pub.node_id);
		identity_wipe(&id);
		return cli_conf_error(ctx->conf, "node", "id", err, errlen, "%s", why);
	}
	ctx->id = id;
	identity_wipe(&id);
	return 0;
}

/* Opens what ctx->cmd needs. Returns 0 or a negative code with err set. */
static int s_open(cli_ctx_t *ctx, char *err, size_t errlen)
{
	unsigned needs = ctx->cmd->needs;
	const char *only;
	char why[768];
	int r;

	if (!(needs & CLI_NEED_CONF))
		return 0;
	if ((r = ctx->prog->ops->conf_load(ctx, ctx->conf_path, err, errlen)) < 0)
		return r;
	log_init(ctx->prog->name, ctx->log_level);
	log_to_syslog(ctx->log_syslog);
	if ((needs & CLI_NEED_IDENTITY) && (r = s_open_identity(ctx, err, errlen)) < 0)
		return r;
	if (!(needs & (CLI_NEED_HIER | CLI_NEED_CAMPAIGNS)) || !ctx->hier_file[0])
		return 0;
	r = ctx->prog->ops->hier_load ? ctx->prog->ops->hier_load(ctx, why, sizeof(why))
				      : hier_load_csv(ctx->hier_file, &ctx->hier, why, sizeof(why));
	if (r < 0) {
		cli_conf_error(ctx->conf, "hierarchy", "file", err, errlen, "%s", why);
		return r;
	}
	if (!(needs & CLI_NEED_CAMPAIGNS))
		return 0;
	only = (needs & CLI_ONE_CAMPAIGN) && !(needs & CLI_NEED_SIGNALS) ? cli_opt(ctx, "campaign")
									  : NULL;
	if ((r = campaigns_load_only(&ctx->camps, ctx->conf, ctx->hier, only, err, errlen)) < 0)
		return r;
	return ctx->prog->ops->campaigns_extend ? ctx->prog->ops->campaigns_extend(ctx, err, errlen)
						: 0;
}

/* Frees what s_open() and the command opened. */
static void s_close(cli_ctx_t *ctx)
{
	cli_store_close(ctx);
	campaigns_clear(&ctx->camps);
	hier_destroy(&ctx->hier);
	identity_wipe(&ctx->id);
	free(ctx->daemon);
	ctx->daemon = NULL;
	conf_destroy(&ctx->conf);
}

/* Opens the store as flags say (CLI_STORE_READ or CLI_STORE_WRITE) into
 * ctx->store, the one open closed first. Returns 0 or the hook's code
 * with err set (ctx->store NULL). */
static int s_store_open(cli_ctx_t *ctx, unsigned flags, char *err, size_t errlen)
{
	int r;

	cli_store_close(ctx);
	r = ctx->prog->ops->store_open(ctx, flags, &ctx->store, err, errlen);
	if (r < 0)
		ctx->store = NULL;
	else
		ctx->store_read = !(flags & CLI_STORE_WRITE);
	return r;
}

int cli_store(cli_ctx_t *ctx, unsigned flags)
{
	char err[1024];
	int r;

	if (!(flags & CLI_STORE_WRITE) && ctx->store && ctx->store_read)
		return 0;
	r = s_store_open(ctx, flags & ~(unsigned)CLI_STORE_ABSENT_OK, err, sizeof(err));
	if (r == -ENOENT && (flags & CLI_STORE_ABSENT_OK) && !(flags & CLI_STORE_WRITE))
		return 0;
	return r < 0 ? cli_fail(ctx, "%s", err) : 0;
}

int cli_store_quiet(cli_ctx_t *ctx)
{
	char err[1024];

	if (ctx->store && ctx->store_read)
		return 0;
	return s_store_open(ctx, CLI_STORE_READ, err, sizeof(err));
}

void cli_store_close(cli_ctx_t *ctx)
{
	if (ctx->store && ctx->prog->ops->store_close)
		ctx->prog->ops->store_close(ctx->store);
	ctx->store = NULL;
	ctx->store_read = false;
}

/* Runs cmd with the command line argv[0..argc-1] (argv[0] its name). */
static int s_run(const cli_prog_t *prog, const cli_cmd_t *cmd, int argc, char **argv)
{
	cli_ctx_t ctx;
	sigset_t mask;
	char err[1024];
	int r;

	memset(&ctx, 0, sizeof(ctx));
	ctx.prog = prog;
	ctx.cmd = cmd;
	if (cmd->needs & CLI_NEED_SIGNALS) {
		/* Blocked first thing: a stop request during start-up waits for
		 * the daemon's loop and ends the run cleanly. Blocked before any
		 * thread starts, too, so that they inherit the mask. */
		sigemptyset(&mask);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGINT);
		if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
			return cli_fail(&ctx, "sigprocmask: %s", strerror(errno));
	}
	if ((r = s_parse(&ctx, argc, argv)) != 0) {
		if (r == 1)
			s_usage_cmd(stdout, prog, cmd, "usage: ");
		return r == 1 ? 0 : r;
	}
	if (s_open(&ctx, err, sizeof(err)) < 0)
		r = cli_fail(&ctx, "%s", err);
	else
		r = cmd->run(&ctx);
	s_close(&ctx);
	return r;
}

int cli_main(const cli_prog_t *prog, int argc, char **argv)
{
	cli_ctx_t top = { .prog = prog };
	const char *name = argc >= 2 ? argv[1] : NULL;

	log_init(prog->name, LOG_LVL_INFO);
	if (!name)
		return cli_usage(&top, "no subcommand given");
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		s_usage_all(stdout, prog);
		return 0;
	}
	if (strcmp(name, "--version") == 0) {
		printf("%s %s\n", prog->name, cli_version());
		return 0;
	}
	for (size_t i = 0; i < prog->ncmds; i++)
		if (strcmp(prog->cmds[i].name, name) == 0)
			return s_run(prog, &prog->cmds[i], argc - 1, argv + 1);
	return cli_usage(&top, "unknown subcommand '%s'", name);
}

/* ---- key rotation's options ---- */

/* The default and the longest grace of a rotated node's old key pair. */
#define S_GRACE_DEFAULT_S ((int64_t)7 * 86400)
#define S_GRACE_MAX_S ((int64_t)365 * 86400)

int cli_key_grace(cli_ctx_t *ctx, int64_t *ret)
{
	const char *g = cli_opt(ctx, "grace");

	*ret = S_GRACE_DEFAULT_S;
	if (g && !cli_flag(ctx, "rotate"))
		return cli_usage(ctx, "--grace goes with --rotate");
	if (cli_flag(ctx, "rotate") && cli_flag(ctx, "replace"))
		return cli_usage(ctx, "--rotate and --replace do not go together (--replace "
				 "re-keys at once, --rotate keeps the old keys for a grace)");
	if (g && !lnob_parse_duration(g, S_GRACE_MAX_S, ret))
		return cli_usage(ctx, "--grace '%s': a duration such as 90s, 36h or 7d, at most "
				 "365d", g);
	return 0;
}

int cli_rotate_said(cli_ctx_t *ctx, int r, const identity_pub_t *pub, const char *where,
		    int64_t until)
{
	char when[40];

	if (r == LNOB_E_NOTFOUND)
		return cli_fail(ctx, "enroll --rotate: node '%s' is not enrolled%s (enroll it "
				"first)", pub->node_id, where);
	if (r == LNOB_E_REVOKED)
		return cli_fail(ctx, "enroll --rotate: node '%s' is revoked; a revoked node is "
				"re-keyed with --replace", pub->node_id);
	if (r == LNOB_E_EXISTS)
		return cli_fail(ctx, "enroll --rotate: %s: node '%s' has or had this key, or another "
				"node holds this CURVE key; a rotation brings a new pair (keygen)",
				cli_opt(ctx, "key"), pub->node_id);
	if (r < 0)
		return cli_fail(ctx, "enroll --rotate: %s", lnob_strerror(r));
	printf("rotated %s: its new keys are enrolled; the old ones are taken until %s\n",
	       pub->node_id, lnob_utc_text(until, when, sizeof(when)));
	return 0;
}
