/*
 * cmd_aggregator.h: lnob-aggregator's subcommands on the command table of
 * cli.h (main.c holds the table), and what they share (cmd_context.c):
 * the validated configuration and the store as the table's store.
 *
 * Daemon-level code: prints its messages (cli_fail(), cli_usage()) and
 * returns exit statuses.
 */
#ifndef LNOB_CMD_AGGREGATOR_H
#define LNOB_CMD_AGGREGATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "hierarchy.h"

#define AGG_PROG "lnob-aggregator"
/* The program of every command, in the directory of AGG_PROG (main.c). */
#define AGG_FULL_PROG "lnob-aggregator-full"

/* The validated configuration (README "Aggregator configuration"),
 * beside what cli_ctx_t holds (node id, identity, data_dir, hierarchy
 * file). Strings are borrowed from ctx->conf. */
typedef struct aggcmd_conf {
	const char *endpoint;                         /* [listen] endpoint */
	uint64_t map_size_mb, map_max_mb, map_grow_mb;
	uint64_t batch_max, window, max_body, max_frame;   /* [ingest] */
	uint64_t batch_bytes, window_bytes, queue_bytes;   /* [ingest], bounds in bytes */
	uint64_t verify_threads;                      /* [ingest], 0: one per CPU (vpool.h) */
	const char *http_listen;                      /* [http] listen, NULL: no HTTP server */
	const char *next_identity;                    /* [node] next_identity, NULL: none */
	/* [national] (national_run.h): outbox "" when there is no national feed. */
	const char *national_outbox, *national_identity, *national_unit;
	uint64_t national_interval_s;
	/* Set by the table's hier_load: the [hierarchy] file's digest, and
	 * whether the store's cache gave it (hiercache.h). */
	uint8_t hier_digest[32];
	bool hier_cached;
} aggcmd_conf_t;

/* The table's hooks (cli_prog_t): the configuration, read and validated
 * in full (unknown keys refused), and the store (aggstore.h). */
int aggcmd_conf_load(cli_ctx_t *ctx, const char *path, char *err, size_t errlen);
int aggcmd_store_open(cli_ctx_t *ctx, unsigned flags, void **ret, char *err, size_t errlen);
void aggcmd_store_close(void *store);
/* The hierarchy from the store's cache of the file (hiercache.h), the
 * store opened read-only for it when there is one and kept in ctx->store
 * (cli_store_quiet()) for the ad-hoc requests and the command. */
int aggcmd_hier_load(cli_ctx_t *ctx, char *err, size_t errlen);
/* The table's hooks, for cli_main(). */
extern const cli_context_ops_t aggcmd_context;

/* The path of AGG_FULL_PROG: the directory of the running program (its
 * /proc/self/exe) and that name, into out. Returns 0, -ENAMETOOLONG or
 * -errno. */
int aggcmd_full_path(char *out, size_t len);
/* Runs AGG_FULL_PROG with argv (argv[1] the command) in this process
 * (execv()); returns only when it cannot, with the message printed: 1. */
int aggcmd_exec_full(char **argv);

/* [national] unit's hierarchy index into *ret: the unit named, else the
 * hierarchy's only root (cmd_national.c). Returns 0, or 1 after the
 * message. */
int aggcmd_national_root(cli_ctx_t *ctx, int *ret);

/* ctx's configuration (borrowed). */
static inline const aggcmd_conf_t *aggcmd_conf(const cli_ctx_t *ctx)
{
	return (const aggcmd_conf_t *)ctx->daemon;
}

/* The unit named by --unit (a code, or a name with or without diacritics:
 * unit_resolve() of unitsearch.h), else the hierarchy's one root, into
 * *ret. Returns 0, or 1 after printing why not (no such unit, with the
 * nearest ones; a name several units have, with their codes; several
 * roots). */
int aggcmd_unit(cli_ctx_t *ctx, int *ret);
/* The same in h, a version of ctx->hier (hierarchy.h). */
int aggcmd_unit_of(cli_ctx_t *ctx, const hier_t *h, int *ret);

/* --campaign (when given) and the period option popt ("period",
 * "occasion"; NULL: none) checked against the configured campaigns
 * (campaigns_lookup() of campaigns.h). Returns 0, or 1 after printing the
 * error that lists the known ids. */
int aggcmd_campaign(cli_ctx_t *ctx, const char *popt);

/* `verify` of ctx's store (cmd_verify.c), for verify and restore; what
 * names the command in a failure. Returns the exit status. */
int aggcmd_verify(cli_ctx_t *ctx, const char *what);

/* The DHIS2 mapping (dhis2map.h) of a command (cmd_mapping.c): the path
 * opt (its --mapping; may be NULL), else [export] mapping, else NULL. */
const char *aggcmd_mapping_path(const cli_ctx_t *ctx, const char *opt);
/* That file read and checked against ctx's hierarchy and camp (NULL: not
 * checked) into *ret (NULL when there is no path; caller owns:
 * dhis2map_destroy()). Returns 0, or 1 after printing "<what>: <file>:
 * <line>: <problem>". */
struct dhis2map;
int aggcmd_mapping(cli_ctx_t *ctx, const char *what, const char *opt, const campaign_t *camp,
		   struct dhis2map **ret);

/* The subcommands (cmd_<name>.c); each returns the exit status. */
int cmd_run(cli_ctx_t *ctx);
int cmd_national(cli_ctx_t *ctx);
int cmd_enroll(cli_ctx_t *ctx);
int cmd_revoke(cli_ctx_t *ctx);
int cmd_rollup(cli_ctx_t *ctx);
int cmd_status(cli_ctx_t *ctx);
int cmd_pubkey(cli_ctx_t *ctx);   /* cmd_pubkey.c */
int cmd_verify(cli_ctx_t *ctx);
int cmd_history(cli_ctx_t *ctx);
int cmd_conflicts(cli_ctx_t *ctx);
int cmd_nominations(cli_ctx_t *ctx);
int cmd_fleet(cli_ctx_t *ctx);      /* the fleet view (fleet.h) */
int cmd_approval(cli_ctx_t *ctx);   /* approve, unapprove, approvals, amendments,
                                       accept, reject (approval.h) */
int cmd_token(cli_ctx_t *ctx);      /* token add | list | revoke (tokens.h) */
int cmd_hierarchy(cli_ctx_t *ctx);  /* hierarchy import | list | show (hierversions.h) */
int cmd_export(cli_ctx_t *ctx);     /* export.h */
int cmd_baseline(cli_ctx_t *ctx);   /* baseline import (dhis2_in.h) */
int cmd_request(cli_ctx_t *ctx);    /* request add | list (requests.h) */
int cmd_backup(cli_ctx_t *ctx);     /* cmd_backup.c: backup DIR (backup.h) */
int cmd_restore(cli_ctx_t *ctx);    /* cmd_backup.c: restore DIR */

#endif
