/*
 * main.c: lnob-aggregator's command table (cli.h): keygen, run, enroll,
 * revoke, rollup, status, fleet, verify, history, conflicts, nominations, export,
 * baseline import (from DHIS2),
 * and approve, unapprove, approvals, amendments, accept, reject (approval.h),
 * token (tokens.h), request (requests.h), backup and restore (backup.h),
 * hierarchy (hierversions.h).
 * Each subcommand is a cmd_<name>.c (cmd_aggregator.h).
 *
 * Exit status: 0 success, 1 failure (one message naming the cause), 2 usage.
 */
#include <malloc.h>
#include <stddef.h>
#include <string.h>

#include "cli.h"
#include "cmd_aggregator.h"

#define S_NEED_VIEW (CLI_NEED_CONF | CLI_NEED_HIER | CLI_NEED_CAMPAIGNS)
/* A command of one campaign: with --campaign C, only C's file is loaded
 * and checked (the others' deeper errors are `run -n`'s to find). */
#define S_NEED_ONE (S_NEED_VIEW | CLI_ONE_CAMPAIGN)

/* Two programs are built from this table. lnob-aggregator-full runs every
 * command. lnob-aggregator (LNOB_AGG_READ) links only the libraries of the
 * other commands: a command whose code needs libzmq, libmicrohttpd,
 * libxlsxwriter, libsystemd or libxml2 (the daemon, the keys, the Excel
 * and ADX exports, the baseline import from DHIS2) has
 * no run function there and is handed to lnob-aggregator-full by exec(),
 * with the same arguments, in the same process: loading those libraries
 * and theirs (GnuTLS, Kerberos, libstdc++...) took about 9 ms of the
 * 18 ms a read-only command took (README "Benchmarks"). */
#ifdef LNOB_AGG_READ
#define S_FULL(fn) NULL
#else
#define S_FULL(fn) fn
#endif

static const cli_opt_t s_keygen_opts[] = {
	{ "id", 'i', "NODE_ID", CLI_REQUIRED },
	{ "out", 'o', "PATH", CLI_REQUIRED },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_run_opts[] = {
	{ "check", 'n', NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_enroll_opts[] = {
	{ "key", 'k', "NODE.pub", CLI_REQUIRED },
	{ "scope", 's', "UNIT", 0 },
	{ "replace", 0, NULL, 0 },
	{ "rotate", 0, NULL, 0 },
	{ "grace", 0, "DURATION", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_rollup_opts[] = {
	{ "campaign", 0, "C", CLI_REQUIRED },
	{ "period", 0, "P", CLI_REQUIRED },
	{ "unit", 0, "U", 0 },
	{ "cluster", 0, "K", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_history_opts[] = {
	{ "campaign", 0, "C", CLI_REQUIRED },
	{ "period", 0, "P", CLI_REQUIRED },
	{ "unit", 0, "U", CLI_REQUIRED },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_nominations_opts[] = {
	{ "campaign", 0, "C", 0 },
	{ "occasion", 0, "P", 0 },
	{ "unit", 0, "U", 0 },
	{ "nomination", 0, "SIGNER/ID", 0 },
	{ "stage", 0, "STAGE", 0 },
	{ "form", 0, "FORM", 0 },
	{ "holder", 0, "U", 0 },
	{ "waiting-days", 0, "N", 0 },
	{ NULL, 0, NULL, 0 },
};

/* The (campaign, period, unit) an approval command may name. */
#define S_KEY_OPTS \
	{ "campaign", 0, "C", 0 }, { "period", 0, "P", 0 }, { "unit", 0, "U", 0 }

static const cli_opt_t s_approve_opts[] = {
	S_KEY_OPTS,
	{ "by", 0, "NAME", 0 },
	{ "note", 0, "TEXT", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_unapprove_opts[] = {
	S_KEY_OPTS,
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_amendments_opts[] = {
	S_KEY_OPTS,
	{ "decided", 0, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_accept_opts[] = {
	{ "amendment", 0, "SIGNER/SEQ", 0 },
	{ "by", 0, "NAME", 0 },
	{ "note", 0, "TEXT", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_reject_opts[] = {
	{ "amendment", 0, "SIGNER/SEQ", 0 },
	{ "by", 0, "NAME", 0 },
	{ "reason", 0, "TEXT", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_token_opts[] = {
	{ "role", 0, "viewer|operator", 0 },
	{ "scope", 0, "UNIT", 0 },
	{ "expires", 0, "YYYY-MM-DD", 0 },
	{ "name", 0, "TEXT", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_request_opts[] = {
	{ "campaign", 0, "C", 0 },
	{ "id", 0, "ID", 0 },
	{ "units", 0, "U1,U2,...", 0 },
	{ "indicators", 0, "I1,I2,...", 0 },
	{ "due", 0, "YYYY-MM-DD", 0 },
	{ "note", 0, "TEXT", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_export_opts[] = {
	{ "campaign", 0, "C", 0 },
	{ "period", 0, "P", CLI_REQUIRED },
	{ "unit", 0, "U", 0 },
	{ "level", 0, "LEVEL", 0 },
	{ "format", 0, "xlsx|csv|adx|dhis2", CLI_REQUIRED },
	{ "sheet", 0, "summary|late|nominations", 0 },
	{ "mapping", 0, "FILE", 0 },
	{ "output", 'o', "FILE", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_baseline_opts[] = {
	{ "campaign", 0, "C", 0 },
	{ "mapping", 0, "FILE", 0 },
	{ "period", 0, "DHIS2_PERIOD", 0 },
	{ "output", 'o', "FILE", CLI_REQUIRED },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_fleet_opts[] = {
	{ "unit", 0, "U", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_hierarchy_opts[] = {
	{ "valid-from", 0, "YYYY-MM-DD", 0 },
	{ "changes", 0, "FILE", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_none[] = { { NULL, 0, NULL, 0 } };

static const cli_cmd_t s_cmds[] = {
	{ .name = "keygen", .synopsis = "--id NODE --out PATH", .opts = s_keygen_opts,
	  .run = S_FULL(cli_keygen) },
	{ .name = "run", .synopsis = "-c CONF [-n]", .opts = s_run_opts,
	  .needs = CLI_NEED_SIGNALS | CLI_NEED_IDENTITY | S_NEED_VIEW, .run = S_FULL(cmd_run) },
	{ .name = "enroll", .synopsis = "-c CONF --key NODE.pub --scope UNIT [--replace]",
	  .help = "             enroll -c CONF --key NEW.pub --rotate [--grace DURATION]\n"
		  "             (--rotate: the node's new keys; its old ones are still taken\n"
		  "             for the grace, 7d unless given: 90s, 36h, 7d, at most 365d)\n",
	  .opts = s_enroll_opts, .needs = CLI_NEED_CONF | CLI_NEED_HIER, .run = S_FULL(cmd_enroll) },
	{ .name = "revoke", .synopsis = "-c CONF NODE", .opts = s_none, .needs = CLI_NEED_CONF,
	  .min_args = 1, .max_args = 1, .args = "NODE", .run = cmd_revoke },
	{ .name = "rollup",
	  .synopsis = "-c CONF --campaign C --period P [--unit U | --cluster K] [--json | --csv]",
	  .opts = s_rollup_opts, .formats = CLI_JSON | CLI_CSV, .needs = S_NEED_ONE,
	  .run = cmd_rollup },
	{ .name = "status", .synopsis = "-c CONF [--json]", .opts = s_none, .formats = CLI_JSON,
	  .needs = CLI_NEED_CONF, .run = cmd_status },
	{ .name = "pubkey", .synopsis = "-c CONF", .opts = s_none,
	  .needs = CLI_NEED_CONF | CLI_NEED_IDENTITY, .run = S_FULL(cmd_pubkey) },
	{ .name = "fleet", .synopsis = "-c CONF [--unit U] [--json]", .opts = s_fleet_opts,
	  .formats = CLI_JSON, .needs = CLI_NEED_CONF | CLI_NEED_HIER | CLI_NEED_CAMPAIGNS,
	  .run = cmd_fleet },
	{ .name = "verify", .synopsis = "-c CONF", .opts = s_none,
	  .needs = S_NEED_VIEW, .run = cmd_verify },
	{ .name = "history", .synopsis = "-c CONF --campaign C --period P --unit U [--json]",
	  .opts = s_history_opts, .formats = CLI_JSON, .needs = S_NEED_ONE,
	  .run = cmd_history },
	{ .name = "conflicts", .synopsis = "-c CONF [--json]", .opts = s_none, .formats = CLI_JSON,
	  .needs = S_NEED_VIEW, .run = cmd_conflicts },
	{ .name = "nominations",
	  .synopsis = "-c CONF --campaign C [--occasion P] [--unit U] [--stage S] [--form F] "
		      "[--holder U] [--waiting-days N] [--json | --csv]",
	  .help = "       " AGG_PROG " nominations -c CONF --nomination SIGNER/ID [--json]\n",
	  .opts = s_nominations_opts, .formats = CLI_JSON | CLI_CSV, .needs = S_NEED_ONE,
	  .run = cmd_nominations },
	{ .name = "approve",
	  .synopsis = "-c CONF --campaign C --period P --unit U --by NAME [--note TEXT]",
	  .opts = s_approve_opts, .needs = S_NEED_ONE, .run = cmd_approval },
	{ .name = "unapprove", .synopsis = "-c CONF --campaign C --period P --unit U",
	  .opts = s_unapprove_opts, .needs = S_NEED_ONE, .run = cmd_approval },
	{ .name = "approvals", .synopsis = "-c CONF [--json]", .opts = s_none, .formats = CLI_JSON,
	  .needs = S_NEED_VIEW, .run = cmd_approval },
	{ .name = "amendments",
	  .synopsis = "-c CONF [--campaign C] [--period P] [--unit U] [--decided] [--json]",
	  .opts = s_amendments_opts, .formats = CLI_JSON, .needs = S_NEED_ONE,
	  .run = cmd_approval },
	{ .name = "accept", .synopsis = "-c CONF --amendment SIGNER/SEQ --by NAME [--note TEXT]",
	  .opts = s_accept_opts, .needs = S_NEED_VIEW, .run = cmd_approval },
	{ .name = "reject", .synopsis = "-c CONF --amendment SIGNER/SEQ --by NAME --reason TEXT",
	  .opts = s_reject_opts, .needs = S_NEED_VIEW, .run = cmd_approval },
	{ .name = "token",
	  .synopsis = "add -c CONF --role viewer|operator --scope UNIT [--expires YYYY-MM-DD] "
		      "[--name TEXT]",
	  .help = "       " AGG_PROG " token list -c CONF [--json]\n"
		  "       " AGG_PROG " token revoke -c CONF ID\n",
	  .opts = s_token_opts, .formats = CLI_JSON, .needs = CLI_NEED_CONF | CLI_NEED_HIER,
	  .min_args = 1, .max_args = 2, .args = "add|list|revoke [ID]", .run = cmd_token },
	{ .name = "export",
	  .synopsis = "-c CONF --period P [--campaign C] [--unit U] [--level LEVEL] "
		      "--format xlsx|csv|adx|dhis2 [--sheet summary|late|nominations] "
		      "[--mapping FILE] [--output FILE]",
	  .opts = s_export_opts, .needs = S_NEED_ONE, .run = S_FULL(cmd_export) },
	{ .name = "baseline",
	  .synopsis = "import -c CONF [--campaign C] [--mapping FILE] [--period DHIS2_PERIOD] "
		      "--output FILE|- EXPORT   (a DHIS2 dataValueSets JSON or ADX file)",
	  .opts = s_baseline_opts, .needs = S_NEED_ONE, .min_args = 2, .max_args = 2,
	  .args = "import EXPORT", .run = S_FULL(cmd_baseline) },
	{ .name = "backup", .synopsis = "-c CONF DIR   (a consistent copy beside the running daemon)",
	  .opts = s_none, .needs = CLI_NEED_CONF, .min_args = 1, .max_args = 1, .args = "DIR",
	  .run = cmd_backup },
	{ .name = "restore",
	  .synopsis = "-c CONF DIR  (into the configured data_dir, which holds no store)",
	  .opts = s_none, .needs = S_NEED_VIEW, .min_args = 1, .max_args = 1,
	  .args = "DIR", .run = cmd_restore },
	{ .name = "national", .synopsis = "send -c CONF   (the national feed's snapshots, now)",
	  .opts = s_none, .needs = S_NEED_VIEW, .min_args = 1, .max_args = 1, .args = "send",
	  .run = S_FULL(cmd_national) },
	{ .name = "request",
	  .synopsis = "add -c CONF --campaign C --id ID --units U1,U2,... --indicators I1,I2,... "
		      "--due YYYY-MM-DD [--note TEXT]",
	  .help = "       " AGG_PROG " request list -c CONF [--campaign C] [--json]\n",
	  .opts = s_request_opts, .formats = CLI_JSON, .needs = S_NEED_ONE,
	  .min_args = 1, .max_args = 1, .args = "add|list", .run = cmd_request },
	{ .name = "hierarchy",
	  .synopsis = "import -c CONF FILE --valid-from YYYY-MM-DD [--changes FILE]",
	  .help = "       " AGG_PROG " hierarchy list -c CONF [--json]\n"
		  "       " AGG_PROG " hierarchy show -c CONF VALID_FROM|first [--json]\n",
	  .opts = s_hierarchy_opts, .formats = CLI_JSON, .needs = S_NEED_VIEW,
	  .min_args = 1, .max_args = 2, .args = "import FILE|list|show VALID_FROM",
	  .run = cmd_hierarchy },
};

static const cli_prog_t s_prog = {
	.name = AGG_PROG,
	.cmds = s_cmds,
	.ncmds = sizeof(s_cmds) / sizeof(s_cmds[0]),
	.ops = &aggcmd_context,
#ifndef LNOB_AGG_READ
	.identity_load = identity_load,
#endif
};

int main(int argc, char **argv)
{
#ifdef LNOB_AGG_READ
	/* A short-lived reader: blocks from the heap, never mmap()'d nor
	 * trimmed, so that freed pages (the hierarchy file's, hiercache.c) are
	 * taken again instead of new ones faulted in. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	for (size_t i = 0; argc >= 2 && i < s_prog.ncmds; i++)
		if (!s_cmds[i].run && strcmp(argv[1], s_cmds[i].name) == 0)
			return aggcmd_exec_full(argv);
#endif
	return cli_main(&s_prog, argc, argv);
}
