/*
 * cmd_backup.c: `lnob-collector backup -c CONF DIR` and `lnob-collector
 * restore -c CONF DIR` (README "Backups"; backup.h): a consistent copy of
 * the outbox beside the running daemon, with its totals in the manifest,
 * and of the household register when the collector holds one (its own
 * store, DATA_DIR/households: its own backup in DIR/households, named by
 * the outbox's manifest); and their restore into the configured data_dir
 * (no store there, no daemon running), both or neither, next_seq moved
 * COL_RESTORE_SEQ_SKIP ahead so that no seq used after the backup is ever
 * signed again with other content.
 */
#include "cmd_collector.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "lnob_err.h"
#include "outbox.h"
#include "outbox_households.h"
#include "runlock.h"
#include "util.h"

/* Seqs skipped by a restore: more than a node queues between two backups. */
#define COL_RESTORE_SEQ_SKIP UINT64_C(1000000)
#define S_PATH 4200
/* What a refusal of the register adds: the outbox is not restored either. */
#define S_NOT_RESTORED " (the household register cannot be restored: nothing restored)"

/* The household register of a backup: whether it holds one, its totals. */
typedef struct {
	bool held;
	uint64_t households, last_import;
} s_register_t;

/* dir/households into buf[len]: the register's backup under a backup's
 * directory, or its store under a data_dir. */
static int s_register_dir(char *buf, size_t len, const char *dir, char *err, size_t errlen)
{
	if (snprintf(buf, len, "%s/%s", dir, OUTBOX_HOUSEHOLDS_DIR) >= (int)len)
		return lnob_errf(err, errlen, -ENAMETOOLONG, "%s: path too long", dir);
	return 0;
}

/* Backs up the register of ctx's data_dir, when it holds one, into
 * dir/households (a read-only copy beside the daemon and any import). */
static int s_backup_register(cli_ctx_t *ctx, const char *dir, s_register_t *reg, char *err,
			     size_t errlen)
{
	outbox_households_t *hh = NULL;
	char sub[S_PATH];
	json_t *extra = NULL;
	int r;

	reg->held = false;
	if ((r = s_register_dir(sub, sizeof(sub), dir, err, errlen)) < 0)
		return r;
	if ((r = outbox_households_open(ctx->data_dir, 0, false, &hh, err, errlen)) == -ENOENT)
		return 0;   /* no register imported: the backup holds none */
	if (r < 0)
		return r;
	if ((r = outbox_households_stats(hh, &reg->households, &reg->last_import)) < 0)
		lnob_errf(err, errlen, r, "%s/%s: %s", ctx->data_dir, OUTBOX_HOUSEHOLDS_DIR,
			  lnob_strerror(r));
	else if (!(extra = json_pack("{s:s, s:I, s:I}", "schema", OUTBOX_HOUSEHOLDS_SCHEMA,
				     "households", (json_int_t)reg->households, "last_import",
				     (json_int_t)reg->last_import)))
		r = lnob_errf(err, errlen, -ENOMEM, "out of memory");
	else if ((r = outbox_households_backup(hh, sub, COL_PROG, ctx->node_id, extra, err,
					       errlen)) == 0)
		reg->held = true;
	json_decref(extra);
	outbox_households_close(&hh);
	return r;
}

/* The outbox's backup into dir, its manifest naming the register's. */
static int s_backup_outbox(cli_ctx_t *ctx, const char *dir, const outbox_stats_t *st,
			   const s_register_t *reg, char *err, size_t errlen)
{
	json_t *held = json_pack("{s:I, s:I, s:I, s:s?}", "queued", (json_int_t)st->queued,
				 "parked", (json_int_t)st->parked, "next_seq",
				 (json_int_t)st->next_seq, "register",
				 reg->held ? OUTBOX_HOUSEHOLDS_DIR : NULL);
	int r = held ? outbox_backup(ctx->store, dir, COL_PROG, ctx->node_id, held, err, errlen)
		     : lnob_errf(err, errlen, -ENOMEM, "out of memory");

	json_decref(held);
	return r;
}

int cmd_backup(cli_ctx_t *ctx)
{
	const char *dir = ctx->argv[0];
	s_register_t reg = { 0 };
	outbox_stats_t st;
	char err[1024] = "";
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if ((r = outbox_stats(ctx->store, &st)) < 0)
		return cli_fail(ctx, "backup: %s: %s", ctx->data_dir, lnob_strerror(r));
	/* The register first, the outbox's manifest last: a backup cut short
	 * has none and is refused as a whole. */
	if (backup_fresh(dir, "manifest.json", err, sizeof(err)) < 0 ||
	    backup_fresh(dir, "data.mdb", err, sizeof(err)) < 0 ||
	    s_backup_register(ctx, dir, &reg, err, sizeof(err)) < 0 ||
	    s_backup_outbox(ctx, dir, &st, &reg, err, sizeof(err)) < 0)
		return cli_fail(ctx, "backup: %s", err);
	printf("backup of %s in %s: %" PRIu64 " queued, %" PRIu64 " parked, next seq %" PRIu64
	       " (manifest.json, data.mdb)\n", ctx->data_dir, dir, st.queued, st.parked,
	       st.next_seq);
	if (reg.held)
		printf("household register of %s/%s in %s/%s: %" PRIu64 " households, import %"
		       PRIu64 " (manifest.json, data.mdb)\n", ctx->data_dir, OUTBOX_HOUSEHOLDS_DIR,
		       dir, OUTBOX_HOUSEHOLDS_DIR, reg.households, reg.last_import);
	else
		printf("no household register in %s: none backed up\n", ctx->data_dir);
	return 0;
}

/* The register's backup the manifest m of dir names (none: reg->held
 * false; an older backup's manifest names none), checked into sub. */
static int s_check_register(const json_t *m, const char *dir, char *sub, size_t sublen,
			    s_register_t *reg, char *err, size_t errlen)
{
	const json_t *v = json_object_get(m, "register");
	const char *schema;
	json_t *hm = NULL;
	int r;

	reg->held = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strcmp(json_string_value(v), OUTBOX_HOUSEHOLDS_DIR) != 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s/manifest.json: register: not "
				 "\"%s\"", dir, OUTBOX_HOUSEHOLDS_DIR);
	if ((r = s_register_dir(sub, sublen, dir, err, errlen)) < 0 ||
	    (r = backup_check(sub, COL_PROG, &hm, err, errlen)) < 0)
		return r;
	schema = json_string_value(json_object_get(hm, "schema"));
	if (!schema || strcmp(schema, OUTBOX_HOUSEHOLDS_SCHEMA) != 0) {
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "%s/manifest.json: schema: not %s", sub,
			      OUTBOX_HOUSEHOLDS_SCHEMA);
	} else {
		reg->held = true;
		reg->households = (uint64_t)json_integer_value(json_object_get(hm, "households"));
		reg->last_import = (uint64_t)json_integer_value(json_object_get(hm, "last_import"));
	}
	json_decref(hm);
	return r;
}

/* Refuses the manifest m of dir when it is a register's backup given as
 * the whole backup. */
static int s_check_outbox(const json_t *m, const char *dir, char *err, size_t errlen)
{
	const char *schema = json_string_value(json_object_get(m, "schema"));

	if (schema && strcmp(schema, OUTBOX_HOUSEHOLDS_SCHEMA) == 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s/manifest.json: a backup of the "
				 "household register alone, not of the outbox (restore the backup "
				 "directory holding it)", dir);
	return 0;
}

/* Removes what a restore copied into data_dir before the register failed
 * (data_dir/data.mdb, and the register's directory dst when made), saying
 * so after err. */
static void s_unrestore(const char *data_dir, const char *dst, bool made, char *err,
			size_t errlen)
{
	char path[S_PATH];
	size_t n = strlen(err);
	int r = snprintf(path, sizeof(path), "%s/data.mdb", data_dir) >= (int)sizeof(path)
			? -ENAMETOOLONG : unlink(path) < 0 ? -errno : 0;

	if (made)
		rmdir(dst);   /* empty: a copy cut short leaves no file */
	if (r == 0)
		lnob_errf(err + n, errlen - n, 0, " (the household register cannot be restored: "
			  "nothing restored, %s removed again)", path);
	else
		lnob_errf(err + n, errlen - n, r, " (the household register cannot be restored, "
			  "but the outbox restored into %s cannot be removed: %s; remove it "
			  "yourself)", path, lnob_strerror(r));
}

/* Refuses data_dir, and the register's dst when held, where a store is
 * already or that opening the store would refuse: before any copy. */
static int s_targets(const char *data_dir, const char *dst, bool held, char *err,
		     size_t errlen)
{
	int r;

	if ((r = backup_fresh(data_dir, "data.mdb", err, errlen)) < 0 ||
	    (r = store_check_private(data_dir, err, errlen)) < 0)
		return r;
	if (held && ((r = backup_fresh(dst, "data.mdb", err, errlen)) < 0 ||
		     (r = store_check_private(dst, err, errlen)) < 0))
		return lnob_errf(err + strlen(err), errlen - strlen(err), r, S_NOT_RESTORED);
	return 0;
}

/* Copies the checked backups into data_dir (the register's from sub,
 * when held): both or neither. */
static int s_install(const char *dir, const char *sub, const char *data_dir,
		     const s_register_t *reg, char *err, size_t errlen)
{
	char dst[S_PATH] = "";
	struct stat sb;
	bool made = false;
	int r;

	if (reg->held) {
		if ((r = s_register_dir(dst, sizeof(dst), data_dir, err, errlen)) < 0)
			return r;
		made = stat(dst, &sb) < 0;
	}
	if ((r = s_targets(data_dir, dst, reg->held, err, errlen)) < 0 ||
	    (r = backup_install(dir, data_dir, err, errlen)) < 0) {
		if (made)
			rmdir(dst);   /* made by s_targets(), empty */
		return r;
	}
	if (reg->held && (r = backup_install(sub, dst, err, errlen)) < 0)
		s_unrestore(data_dir, dst, made, err, errlen);
	return r;
}

/* Checks the backup in dir, the outbox's and the register's it names, then
 * installs them into ctx's data_dir. */
static int s_restore_stores(cli_ctx_t *ctx, const char *dir, s_register_t *reg)
{
	char err[1024] = "", sub[S_PATH] = "";
	json_t *m = NULL;
	int r;

	if ((r = backup_check(dir, COL_PROG, &m, err, sizeof(err))) == 0 &&
	    (r = s_check_outbox(m, dir, err, sizeof(err))) == 0 &&
	    (r = s_check_register(m, dir, sub, sizeof(sub), reg, err, sizeof(err))) < 0)
		lnob_errf(err + strlen(err), sizeof(err) - strlen(err), r, S_NOT_RESTORED);
	json_decref(m);
	if (r == 0)
		r = s_install(dir, sub, ctx->data_dir, reg, err, sizeof(err));
	return r < 0 ? cli_fail(ctx, "restore: %s", err) : 0;
}

int cmd_restore(cli_ctx_t *ctx)
{
	const char *dir = ctx->argv[0];
	s_register_t reg = { 0 };
	char err[1024] = "";
	uint64_t next = 0;
	int lockfd, rc, r;

	if ((lockfd = runlock_take(ctx->data_dir, COL_PROG, err, sizeof(err))) < 0)
		return cli_fail(ctx, "restore: %s", err);
	if ((rc = s_restore_stores(ctx, dir, &reg)) == 0 &&
	    (rc = cli_store(ctx, CLI_STORE_WRITE)) == 0 &&
	    (r = outbox_skip_seqs(ctx->store, COL_RESTORE_SEQ_SKIP, &next)) < 0)
		rc = cli_fail(ctx, "restore: %s: %s", ctx->data_dir, lnob_strerror(r));
	if (rc == 0)
		printf("restored %s into %s; next seq %" PRIu64 " (%" PRIu64 " skipped: seqs used "
		       "after the backup are never signed again)\n", dir, ctx->data_dir, next,
		       COL_RESTORE_SEQ_SKIP);
	if (rc == 0 && reg.held)
		printf("restored the household register of %s/%s into %s/%s: %" PRIu64
		       " households, import %" PRIu64 "\n", dir, OUTBOX_HOUSEHOLDS_DIR,
		       ctx->data_dir, OUTBOX_HOUSEHOLDS_DIR, reg.households, reg.last_import);
	cli_store_close(ctx);
	runlock_release(lockfd);
	return rc;
}
