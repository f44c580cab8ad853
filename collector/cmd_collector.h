/*
 * cmd_collector.h: lnob-collector's subcommands on the command table of
 * cli.h (main.c holds the table), and what they share (cmd_context.c):
 * the validated configuration, the outbox as the table's store, the
 * upstream's limits as last recorded, and queueing.
 *
 * Daemon-level code: prints its messages (cli_fail(), cli_usage()) and
 * returns exit statuses.
 */
#ifndef LNOB_CMD_COLLECTOR_H
#define LNOB_CMD_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cli.h"
#include "intake.h"
#include "nominate.h"
#include "outbox.h"
#include "uplink.h"

#define COL_PROG "lnob-collector"

/* The validated configuration (README "Collector configuration"), beside
 * what cli_ctx_t holds (node id, identity, data_dir, hierarchy file).
 * Strings are borrowed from ctx->conf. */
typedef struct col_conf {
	size_t map_size;            /* [node] map_size_mb, in bytes */
	const char *server_public;  /* [uplink] server_public */
	const char *agg_sign_key;   /* [uplink] aggregator_sign_key, "" when not set */
	uplink_conf_t up;           /* [uplink] (server_curve_pk: set by run) */
	bool has_relay;             /* [relay] listen is set */
	relay_conf_t relay;
	size_t attach_max;          /* [nominations] attach_max_bytes */
	const char *nom_campaign;   /* [nominations] campaign, "" when not set */
	bool has_campaigns;         /* [campaign] files and [hierarchy] file are set */
	const char *web_listen;     /* [web] listen (the page, colweb.h), "" when not set */
	const char *web_password;   /* [web] password, "" when not set */
} col_conf_t;

/* The table's hooks (cli_prog_t): the configuration, read and validated
 * in full (unknown keys refused), and the outbox. */
int col_conf_load(cli_ctx_t *ctx, const char *path, char *err, size_t errlen);
int col_store_open(cli_ctx_t *ctx, unsigned flags, void **ret, char *err, size_t errlen);
void col_store_close(void *store);
/* The three above, for cli_main(). */
extern const cli_context_ops_t col_context;

/* ctx's configuration (borrowed). */
static inline const col_conf_t *col_conf(const cli_ctx_t *ctx)
{
	return (const col_conf_t *)ctx->daemon;
}

/* Wall-clock text of a Unix ms time in +07:00, as every table shows
 * times without a campaign ("2025-11-28 10:00 +07:00", table_time()),
 * into out[32]. Returns out. */
const char *col_time_text(int64_t ms, char out[32]);

/* "out_of_scope" for NACK_OUT_OF_SCOPE: the enum name lower-cased without
 * its prefix, into out[64] (cmd_status.c). */
const char *col_reason_name(int reason, char out[64]);

/* `status --report UNIT/PERIOD [--json]`: where that report's own
 * envelopes are (cmd_status_report.c). Returns the exit status. */
int col_status_report(cli_ctx_t *ctx, const char *what);

/* The status document `status --json` prints, of ctx's outbox as open
 * (ctx->store; NULL: empty): *ret (caller owns). Returns 0, or 1 after
 * printing the failure (cmd_status.c; the page's /api/status). */
int col_status_doc(cli_ctx_t *ctx, json_t **ret);

/* Every own envelope of ctx's outbox as open (ctx->store), each queued,
 * sent, stored or refused with its reason, as `status --report --json`'s
 * "envelopes" (with unit and period), unit NULL for all: *ret (caller
 * owns). Returns 0 or a negative code (cmd_status_report.c; the page's
 * GET /api/reports). */
int col_report_rows(cli_ctx_t *ctx, const char *unit, const char *period, json_t **ret);

/* Queues list's reports into ctx's outbox, open writable (ctx->store), in
 * one transaction: 0 with *first, or a negative code with err ending in
 * "nothing queued" (cmd_submit.c; `submit` and the page's POST
 * /api/reports). */
int col_queue_reports(cli_ctx_t *ctx, const intake_list_t *list, int64_t now_ms,
		      uint64_t *first, char *err, size_t errlen);

/* The dismissed log (cmd_status_report.c): printed as the table's
 * "dismissed:" section (arr NULL), or appended to arr. Returns 0 or a
 * negative code. */
int col_dismissed_list(cli_ctx_t *ctx, json_t *arr);

/* The parked items the command line names (SEQ..., SIGNER:SEQ...,
 * --signer NODE --seq N) into *ret (caller frees), *ret_n of them
 * (cmd_requeue.c). Returns 0, 1 after a failure, or 2 after a usage
 * error. */
int col_parked_refs(cli_ctx_t *ctx, outbox_ref_t **ret, size_t *ret_n);

/* The text of a ref for messages, into out[96]: "seq 4", "c1:4". */
const char *col_ref_text(const outbox_ref_t *ref, char out[96]);

/* The limits the upstream last advertised, as the running daemon recorded
 * them in the outbox (all 0 when nothing is known yet, also when no
 * outbox exists yet or a starting `run` has not finished creating it),
 * read as a reader beside the daemon. Returns 0, or 1 after printing the
 * failure. */
int col_known_limits(cli_ctx_t *ctx, outbox_limits_t *ret);

/* Where the body limit comes from, for messages, into out[160]: the
 * upstream's advertised max_body, or this collector's own limit. */
const char *col_limit_origin(const outbox_limits_t *lim, char out[160]);

/* Queues bodies[0..n-1] of kind in one transaction of the outbox (opened
 * writable). Returns 0, or 1 after printing the failure ("nothing
 * queued"). */
int col_enqueue(cli_ctx_t *ctx, uint32_t kind, const uint8_t *const *bodies, const size_t *lens,
		size_t n, int64_t now_ms, uint64_t *ret_first);

/* The options a nomination is parsed with here (cmd_nominate.c; `nominate`
 * and the page's POST /api/nominations): this node as signer, [nominations]
 * campaign and attach_max_bytes, now, and the body limit of lim (the
 * upstream's as last known). */
void col_nominate_opts(const cli_ctx_t *ctx, const outbox_limits_t *lim, int64_t now_ms,
		       nominate_opts_t *ret);

/* Packs v[0..n-1] and queues them (KIND_NOMINATION) into ctx's outbox,
 * open writable (ctx->store), in one transaction: 0 with *ret_first, or a
 * negative code with err ending in "nothing queued" (cmd_nominate.c;
 * `nominate` and the page). */
int col_queue_nominations(cli_ctx_t *ctx, Lnob__Nomination *const *v, size_t n, int64_t now_ms,
			  uint64_t *ret_first, char *err, size_t errlen);

/* The subcommands (cmd_<name>.c); each returns the exit status. */
int cmd_submit(cli_ctx_t *ctx);
int cmd_dismiss(cli_ctx_t *ctx);
int cmd_nominate(cli_ctx_t *ctx);
int cmd_stage(cli_ctx_t *ctx);
int cmd_run(cli_ctx_t *ctx);
int cmd_status(cli_ctx_t *ctx);
int cmd_requeue(cli_ctx_t *ctx);
int cmd_enroll(cli_ctx_t *ctx);
int cmd_pubkey(cli_ctx_t *ctx);
int cmd_revoke(cli_ctx_t *ctx);
int cmd_template(cli_ctx_t *ctx);
int cmd_requests(cli_ctx_t *ctx);   /* cmd_requests.c: the ad-hoc requests held */
int cmd_backup(cli_ctx_t *ctx);     /* cmd_backup.c: backup DIR (backup.h) */
int cmd_restore(cli_ctx_t *ctx);    /* cmd_backup.c: restore DIR */

#endif
