/*
 * main.c: lnob-collector's command table (cli.h): keygen, submit,
 * nominate, stage, run, status, requeue, template, households, and for
 * a relay enroll, revoke.
 * Each subcommand is a cmd_<name>.c (cmd_collector.h).
 *
 * Usage errors exit 2, every other failure exits 1 with one message on
 * stderr naming the file, line or key at fault. The configuration is read
 * and validated in full (unknown keys refused) before anything starts.
 */
#include <stddef.h>

#include "cli.h"
#include "cmd_collector.h"
#include "cmd_households.h"

#define S_NEED_CONF CLI_NEED_CONF
#define S_NEED_SIGN (CLI_NEED_CONF | CLI_NEED_IDENTITY)

static const cli_opt_t s_keygen_opts[] = {
	{ "id", 'i', "NODE_ID", CLI_REQUIRED },
	{ "out", 'o', "PATH", CLI_REQUIRED },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_stage_opts[] = {
	{ "nomination", 0, "SIGNER/ID", CLI_REQUIRED },
	{ "kind", 0, "KIND", CLI_REQUIRED },
	{ "reason", 0, "TEXT", 0 },
	{ "decision-number", 0, "N", 0 },
	{ "decision-date", 0, "YYYY-MM-DD", 0 },
	{ "granted", 0, "FORM", 0 },
	{ "note", 0, "TEXT", 0 },
	{ "at", 0, "TIME", 0 },
	{ "campaign", 0, "C", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_run_opts[] = {
	{ "check", 'n', NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_requeue_opts[] = {
	{ "all", 0, NULL, 0 },
	{ "signer", 0, "NODE", 0 },
	{ "seq", 0, "N", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_dismiss_opts[] = {
	{ "reason", 0, "TEXT", 0 },
	{ "signer", 0, "NODE", 0 },
	{ "seq", 0, "N", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_status_opts[] = {
	{ "report", 0, "UNIT/PERIOD", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_enroll_opts[] = {
	{ "key", 0, "NODE.key.pub", CLI_REQUIRED },
	{ "replace", 0, NULL, 0 },
	{ "rotate", 0, NULL, 0 },
	{ "grace", 0, "DURATION", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_template_opts[] = {
	{ "period", 0, "P", CLI_REQUIRED },
	{ "campaign", 0, "C", 0 },
	{ "unit", 0, "CODE", 0 },
	{ "out", 'o', "FILE.xlsx", CLI_REQUIRED },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_submit_opts[] = {
	{ "campaign", 0, "C", 0 },
	{ "period", 0, "P", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_households_opts[] = {
	{ "unit", 0, "CODE", 0 },
	{ "campaign", 0, "C", 0 },
	{ "period", 0, "P", 0 },
	{ "import", 0, "N", 0 },
	{ NULL, 0, NULL, 0 },
};

static const cli_opt_t s_none[] = { { NULL, 0, NULL, 0 } };

static const cli_cmd_t s_cmds[] = {
	{ .name = "keygen", .synopsis = "--id NODE_ID --out PATH", .opts = s_keygen_opts,
	  .run = cli_keygen },
	{ .name = "submit", .synopsis = "-c CONF [--campaign C] [--period P] FILE...",
	  .help = "             (--campaign, --period: of an .xlsx file without the template's"
		  " names)\n",
	  .opts = s_submit_opts,
	  .needs = S_NEED_SIGN | CLI_NEED_CAMPAIGNS, .min_args = 1, .max_args = -1,
	  .args = "report files", .run = cmd_submit },
	{ .name = "nominate", .synopsis = "-c CONF FILE.json...", .opts = s_none,
	  .needs = S_NEED_SIGN, .min_args = 1, .max_args = -1, .args = "nomination files",
	  .run = cmd_nominate },
	{ .name = "stage", .synopsis = "-c CONF --nomination SIGNER/ID --kind KIND [--campaign C]",
	  .help = "             [--reason TEXT] [--decision-number N --decision-date YYYY-MM-DD"
		  " --granted FORM]\n"
		  "             [--note TEXT] [--at TIME]\n"
		  "             KIND: received, appraised, endorsed, returned|rejected (with"
		  " --reason),\n"
		  "             decided (with the decision's number, date and granted form)\n",
	  .opts = s_stage_opts, .needs = S_NEED_SIGN, .run = cmd_stage },
	{ .name = "run", .synopsis = "-c CONF [-n]", .opts = s_run_opts,
	  .needs = CLI_NEED_SIGNALS | S_NEED_SIGN | CLI_NEED_CAMPAIGNS, .run = cmd_run },
	{ .name = "status", .synopsis = "-c CONF [--report UNIT/PERIOD] [--json]",
	  .opts = s_status_opts, .formats = CLI_JSON,
	  .needs = S_NEED_CONF, .run = cmd_status },
	{ .name = "requeue",
	  .synopsis = "-c CONF (--all | SEQ... | SIGNER:SEQ... | --signer NODE --seq N)",
	  .opts = s_requeue_opts, .needs = S_NEED_CONF, .max_args = -1, .run = cmd_requeue },
	{ .name = "dismiss", .synopsis = "-c CONF (SEQ... | SIGNER:SEQ...) [--reason TEXT]",
	  .opts = s_dismiss_opts, .needs = S_NEED_CONF, .max_args = -1, .run = cmd_dismiss },
	{ .name = "enroll",
	  .synopsis = "-c CONF --key NODE.key.pub [--replace]   (relay: admit a downstream node)",
	  .help = "             enroll -c CONF --key NEW.pub --rotate [--grace DURATION]\n"
		  "             (--rotate: the node's new keys; its old ones are still taken\n"
		  "             for the grace, 7d unless given: 90s, 36h, 7d, at most 365d)\n",
	  .opts = s_enroll_opts, .needs = S_NEED_CONF, .run = cmd_enroll },
	{ .name = "pubkey",
	  .synopsis = "-c CONF   (this node's id and public keys: what the operator enrolls)",
	  .opts = s_none, .needs = S_NEED_SIGN, .run = cmd_pubkey },
	{ .name = "revoke",
	  .synopsis = "-c CONF NODE                             (relay: refuse it from now on)",
	  .opts = s_none, .needs = S_NEED_CONF, .min_args = 1, .max_args = 1, .args = "NODE",
	  .run = cmd_revoke },
	{ .name = "backup", .synopsis = "-c CONF DIR   (a consistent copy beside the running daemon)",
	  .opts = s_none, .needs = S_NEED_CONF, .min_args = 1, .max_args = 1, .args = "DIR",
	  .run = cmd_backup },
	{ .name = "restore",
	  .synopsis = "-c CONF DIR  (into the configured data_dir, which holds no outbox)",
	  .opts = s_none, .needs = S_NEED_CONF, .min_args = 1, .max_args = 1, .args = "DIR",
	  .run = cmd_restore },
	{ .name = "requests", .synopsis = "-c CONF [--json]", .opts = s_none,
	  .formats = CLI_JSON, .needs = S_NEED_CONF | CLI_NEED_CAMPAIGNS, .run = cmd_requests },
	{ .name = "template",
	  .synopsis = "-c CONF --period P [--campaign C] [--unit CODE] --out FILE.xlsx",
	  .opts = s_template_opts, .needs = S_NEED_CONF | CLI_NEED_CAMPAIGNS,
	  .run = cmd_template },
	{ .name = "households",
	  .synopsis = "-c CONF (import FILE | show | diff [--import N] | report --campaign C"
		      " --period P)",
	  .help = "             [--unit CODE] [--json]   (the commune's household register;"
		  " only counts leave it)\n",
	  .opts = s_households_opts, .formats = CLI_JSON,
	  .needs = S_NEED_SIGN | CLI_NEED_CAMPAIGNS, .min_args = 1, .max_args = 2,
	  .args = "VERB [FILE]", .run = cmd_households },
};

static const cli_prog_t s_prog = {
	.name = COL_PROG,
	.cmds = s_cmds,
	.ncmds = sizeof(s_cmds) / sizeof(s_cmds[0]),
	.ops = &col_context,
	.identity_load = identity_load,
};

int main(int argc, char **argv)
{
	return cli_main(&s_prog, argc, argv);
}
