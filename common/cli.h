/*
 * cli.h: one command table for both daemons. A program (lnob-collector,
 * lnob-aggregator) is a table of subcommands; cli_main() reads the command
 * line against it, the same way for both:
 *
 *   PROG --help | -h | help     the usage of every subcommand (stdout), exit 0
 *   PROG --version              "PROG 0.1.0" (the CMake project version), exit 0
 *   PROG CMD --help | -h        CMD's own usage (stdout), exit 0
 *   PROG CMD [options] [args]   runs CMD
 *
 * A usage error exits 2 with one line "PROG CMD: <what>" and CMD's usage
 * on stderr (PROG alone, or an unknown subcommand: every usage): an
 * unknown option, an option given twice, an option without its argument,
 * a required option missing (-c CONF), too few or too many operands, an
 * output format CMD does not have (--json, --csv, and never both), and
 * what CMD itself finds (cli_usage()). Any other failure exits 1 with one
 * line "PROG: <why>" on stderr (cli_fail()).
 *
 * Before CMD runs, cli_main() opens what CMD needs (cli_cmd_t.needs), in
 * this order and with the same messages in both daemons: SIGTERM and
 * SIGINT blocked (a daemon's loop takes them); the configuration (-c CONF,
 * read and validated in full by the program's conf hook, which names the
 * node, its identity file, data_dir and [hierarchy] file); the node's
 * identity, its id checked against [node] id; the org-unit hierarchy and
 * the campaigns checked against it (when the configuration names them;
 * with CLI_ONE_CAMPAIGN and --campaign C, campaign C only). A command
 * opens its store itself with cli_store() when it needs it (so that
 * `run -n` never writes it); a program's hooks may open it read-only
 * before (cli_store_quiet()), and that store is the one cli_store(ctx,
 * CLI_STORE_READ) then hands out: opened once. cli_main() closes
 * everything after CMD.
 *
 * Ownership: everything in a cli_ctx_t is cli_main()'s; a command borrows
 * it for its run.
 */
#ifndef LNOB_CLI_H
#define LNOB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "campaigns.h"
#include "conf.h"
#include "hierarchy.h"
#include "identity.h"
#include "log.h"

/* Most options one subcommand takes (besides -h and the formats). */
#define CLI_OPTS_MAX 24

typedef struct cli_ctx cli_ctx_t;

enum cli_opt_flags {
	CLI_REQUIRED = 1 << 0,   /* a usage error when absent */
};

/* One option of a subcommand: --name (and -s when short is set), with an
 * argument named arg in the usage, or a flag when arg is NULL. */
typedef struct cli_opt {
	const char *name;
	char short_name;
	const char *arg;
	unsigned flags;          /* enum cli_opt_flags */
} cli_opt_t;

/* Output formats: a table is every command's; --json and --csv only
 * those a command names in cli_cmd_t.formats. */
enum cli_format {
	CLI_TABLE = 0,
	CLI_JSON = 1 << 0,
	CLI_CSV = 1 << 1,
};

/* What cli_main() opens before a command runs. */
enum cli_need {
	CLI_NEED_CONF = 1 << 0,        /* -c CONF (required), validated */
	CLI_NEED_IDENTITY = 1 << 1,    /* ctx->id, its id the configuration's */
	CLI_NEED_HIER = 1 << 2,        /* ctx->hier ([hierarchy] file, when named) */
	CLI_NEED_CAMPAIGNS = 1 << 3,   /* ctx->camps, checked against ctx->hier */
	CLI_NEED_SIGNALS = 1 << 4,     /* SIGTERM and SIGINT blocked first */
	/* With CLI_NEED_CAMPAIGNS, in a command that is no daemon (without
	 * CLI_NEED_SIGNALS): when its option --campaign C is given, only the
	 * file of campaign C is loaded (campaigns_load_only()). */
	CLI_ONE_CAMPAIGN = 1 << 5,
};

/* One subcommand. */
typedef struct cli_cmd {
	const char *name;
	const char *synopsis;       /* its arguments, after "PROG name " */
	const char *help;           /* more usage lines, or NULL */
	const cli_opt_t *opts;      /* besides -c, -h, --json and --csv; ends with { NULL } */
	unsigned formats;           /* CLI_JSON | CLI_CSV */
	unsigned needs;             /* enum cli_need */
	int min_args, max_args;     /* operands; max_args -1: no limit */
	const char *args;           /* the operands' name in messages ("FILE") */
	int (*run)(cli_ctx_t *ctx); /* returns the exit status */
} cli_cmd_t;

/* How a program opens what its commands need (its cmd_context.c). */
typedef struct cli_context_ops {
	/* Reads and validates the configuration at path: sets ctx->conf,
	 * ctx->daemon (the program's own validated view: one malloc, which
	 * cli frees)
	 * and the names below. Returns 0 or a negative code with err saying
	 * why (file, line, key). */
	int (*conf_load)(cli_ctx_t *ctx, const char *path, char *err, size_t errlen);
	/* Opens the program's store in ctx->data_dir into *ret (flags: enum
	 * cli_store_flags; with CLI_STORE_READ on an absent store returns
	 * -ENOENT). Returns 0 or a negative code with err naming the
	 * directory. */
	int (*store_open)(cli_ctx_t *ctx, unsigned flags, void **ret, char *err, size_t errlen);
	void (*store_close)(void *store);   /* closes what store_open gave */
	/* May be NULL. Called once ctx->camps is loaded: adds what the
	 * program's store holds to the campaigns (the aggregator's ad-hoc
	 * requests). Returns 0 or a negative code with err. */
	int (*campaigns_extend)(cli_ctx_t *ctx, char *err, size_t errlen);
	/* May be NULL: hier_load_csv(). Loads ctx->hier_file into ctx->hier
	 * (the aggregator: from its store's cache of the file when it holds,
	 * aggregator/hiercache.h). Returns 0 or a negative code with err as
	 * hier_load_csv() writes it. */
	int (*hier_load)(cli_ctx_t *ctx, char *err, size_t errlen);
} cli_context_ops_t;

/* What a program gives cli_main(). */
typedef struct cli_prog {
	const char *name;                    /* "lnob-collector" */
	const cli_cmd_t *cmds;
	size_t ncmds;
	const cli_context_ops_t *ops;
	/* Loads the identity file of CLI_NEED_IDENTITY commands (identity.h's
	 * identity_load(), which decodes CURVE keys with libzmq). NULL in a
	 * program whose table holds no such command (lnob-aggregator: they run
	 * in lnob-aggregator-full, see its main.c), which then links no libzmq;
	 * such a command is refused. */
	int (*identity_load)(const char *path, identity_t *ret, char *err, size_t errlen);
} cli_prog_t;

/* A command's context: its options and operands, then what was opened. */
struct cli_ctx {
	const cli_prog_t *prog;
	const cli_cmd_t *cmd;
	const char *vals[CLI_OPTS_MAX];   /* by cmd->opts index: the argument, "" for a
	                                   * flag given, NULL when absent */
	enum cli_format format;           /* CLI_TABLE, CLI_JSON or CLI_CSV */
	int argc;                         /* the operands */
	char **argv;
	/* CLI_NEED_CONF: set by prog->conf_load (strings borrowed from conf) */
	const char *conf_path;
	conf_t *conf;
	void *daemon;
	const char *node_id, *identity_path, *data_dir;
	const char *hier_file;            /* "" when not configured */
	enum log_level log_level;
	int log_syslog;                 /* [log] target = syslog */
	/* CLI_NEED_IDENTITY, CLI_NEED_HIER, CLI_NEED_CAMPAIGNS */
	identity_t id;
	hier_t *hier;                     /* NULL when not loaded */
	campaigns_t camps;                /* empty when not loaded */
	/* cli_store(), cli_store_quiet() */
	void *store;                      /* NULL until opened (or absent) */
	bool store_read;                  /* store is the read-only one cli_store(ctx,
	                                   * CLI_STORE_READ) hands out again */
};

/* Runs the command line argv[0..argc-1] against prog's table. Returns
 * the process exit status (0, 1 or 2). */
int cli_main(const cli_prog_t *prog, int argc, char **argv);

/* "lnob-collector 0.1.0"'s version part (static). */
const char *cli_version(void);

/* The argument of option name ("" for a flag given), NULL when absent.
 * name must be one of the command's options. */
const char *cli_opt(const cli_ctx_t *ctx, const char *name);
/* Whether the flag (or option) name was given. */
bool cli_flag(const cli_ctx_t *ctx, const char *name);

/* Prints "PROG CMD: <fmt...>" and the command's usage on stderr; returns
 * 2, the exit status of a usage error. */
int cli_usage(const cli_ctx_t *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "PROG: <fmt...>" on stderr; returns 1, the exit status of a
 * failure. */
int cli_fail(const cli_ctx_t *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

enum cli_store_flags {
	CLI_STORE_READ = 0,           /* a reader beside the running daemon */
	CLI_STORE_WRITE = 1 << 0,     /* writable, created when absent */
	CLI_STORE_ABSENT_OK = 1 << 1, /* with CLI_STORE_READ: an absent store is no
	                               * error, ctx->store stays NULL */
};

/* Opens the program's store into ctx->store: with CLI_STORE_READ, the
 * read-only store open already (cli_store_quiet(), an earlier
 * CLI_STORE_READ) when there is one; else the one open is closed first
 * (one store of a directory open at once in a process: LMDB's rule).
 * Returns 0, or 1 after printing the failure (the exit status). */
int cli_store(cli_ctx_t *ctx, unsigned flags);
/* For a program's hooks before the command runs (the aggregator's
 * hierarchy cache and ad-hoc requests): the store read-only into
 * ctx->store, kept for the command's cli_store(ctx, CLI_STORE_READ), or
 * the read-only one open already. Quiet: a store that cannot be opened (none yet,
 * one `run` must upgrade) leaves ctx->store NULL, and the command's own
 * cli_store() says why. Returns 0 with ctx->store set, or a negative code. */
int cli_store_quiet(cli_ctx_t *ctx);
/* Closes ctx->store, if open. */
void cli_store_close(cli_ctx_t *ctx);

/* Formats a configuration error "file:line: [section] key: <fmt...>"
 * (without ":line" when the key is absent) into err, for conf hooks and
 * checks of what the configuration names. Returns LNOB_E_CONFIG. */
int cli_conf_error(const conf_t *conf, const char *section, const char *key, char *err,
		   size_t errlen, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A required string key that must not be empty either (a path, an id, an
 * endpoint): 0 with *ret (borrowed from conf), or LNOB_E_CONFIG with err
 * "file: [section] key: missing" or "file:line: [section] key: empty". */
int cli_conf_nonempty(const conf_t *conf, const char *section, const char *key,
		      const char **ret, char *err, size_t errlen);


/* `PROG keygen --id NODE --out PATH`: writes PATH (0600) and PATH.pub and
 * prints the public file. Returns the exit status. A command of both
 * tables (ctx->argv holds no operands; --id and --out are its options). */
int cli_keygen(cli_ctx_t *ctx);

/* enroll's --rotate, --replace and --grace (both programs): --grace only
 * with --rotate, not both of --rotate and --replace, the grace a duration
 * (lnob_parse_duration()) of at most 365d, 7d when not given. Returns 0
 * with *ret in seconds, or cli_usage()'s exit status. */
int cli_key_grace(cli_ctx_t *ctx, int64_t *ret);

/* What `enroll --rotate` says of r, keydir_rotate()'s answer for pub
 * (where: how "not enrolled" goes on, e.g. " downstream of d-01"; until:
 * the end of the old keys' grace). Returns 0 or cli_fail()'s status. */
int cli_rotate_said(cli_ctx_t *ctx, int r, const identity_pub_t *pub, const char *where,
		    int64_t until);

#endif
