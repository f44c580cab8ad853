/*
 * cmd_hierarchy.c: `lnob-aggregator hierarchy import -c CONF FILE
 * --valid-from DATE [--changes CHANGES]`, `hierarchy list -c CONF
 * [--json]` and `hierarchy show -c CONF VALID_FROM|first [--json]` (README
 * "Hierarchy versions"): the hierarchy's versions in the store
 * (hierversions.h). An import takes the store's run lock (runlock.h): it
 * is refused while the daemon runs, and when the store holds rollups of a
 * period the new version would take (hierperiod.h).
 */
#include "cmd_aggregator.h"

#include <stdio.h>
#include <string.h>

#include "aggstore.h"
#include "calendar.h"
#include "hierperiod.h"
#include "hierversions.h"
#include "lnob_err.h"
#include "render.h"
#include "runlock.h"
#include "util.h"

/* The import in a write transaction of the store. */
static int s_import_txn(cli_ctx_t *ctx, const hierver_import_t *in, int32_t day, char *err,
			size_t errlen)
{
	MDB_txn *txn = NULL;
	char what[256];
	int r = store_begin(ctx->store, true, &txn);

	if (r == 0 && (r = hierperiod_stored_from(ctx->store, txn, &ctx->camps, day, what,
						  sizeof(what))) == 1)
		r = lnob_errf(err, errlen, LNOB_E_EXISTS, "--valid-from %s: the store holds "
			      "rollups of %s, a period the new version would take, made on the "
			      "version before: a version is imported before its periods' reports "
			      "arrive", in->valid_from, what);
	if (r == 0)
		r = hierver_import(ctx->store, txn, ctx->hier, in, err, errlen);
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	return r;
}

/* `hierarchy import FILE`. */
static int s_import(cli_ctx_t *ctx)
{
	hierver_import_t in = { .file = ctx->argv[1], .valid_from = cli_opt(ctx, "valid-from"),
				.changes = cli_opt(ctx, "changes"), .current_file = ctx->hier_file,
				.current_digest = aggcmd_conf(ctx)->hier_digest,
				.now = lnob_now_s() };
	char err[2048] = "";
	int y, m, d, lock, rc, r;

	if (ctx->argc != 2)
		return cli_usage(ctx, "hierarchy import: FILE is required");
	if (!in.valid_from || !calendar_parse_date(in.valid_from, 2000, 2100, &y, &m, &d))
		return cli_usage(ctx, "hierarchy import: --valid-from YYYY-MM-DD (2000..2100) is "
				 "required");
	if ((lock = runlock_take(ctx->data_dir, AGG_PROG, err, sizeof(err))) < 0)
		return cli_fail(ctx, "hierarchy import: %s: stop the daemon first", err);
	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0) {
		runlock_release(lock);
		return rc;
	}
	r = s_import_txn(ctx, &in, (int32_t)calendar_days(y, m, d), err, sizeof(err));
	runlock_release(lock);
	if (r < 0)
		return cli_fail(ctx, "hierarchy import: %s", err[0] ? err : lnob_strerror(r));
	printf("hierarchy version valid from %s imported from %s%s%s; set [hierarchy] file = %s "
	       "in the configuration before the next start (the daemon refuses another file)\n",
	       in.valid_from, in.file, in.changes ? " with the changes of " : "",
	       in.changes ? in.changes : "", in.file);
	return 0;
}

/* Prints one version's line of the table. */
static void s_print_version(const json_t *v)
{
	const char *vf = json_string_value(json_object_get(v, "valid_from"));
	char when[32];

	lnob_utc_text(json_integer_value(json_object_get(v, "imported_at")), when, sizeof(when));
	printf("%-12s  %6lld  %7lld  %-20s  %s\n", vf ? vf : "(first)",
	       (long long)json_integer_value(json_object_get(v, "units")),
	       (long long)json_integer_value(json_object_get(v, "changes")), when,
	       json_string_value(json_object_get(v, "source")));
}

/* `hierarchy list` and `hierarchy show VALID_FROM`. */
static int s_view(cli_ctx_t *ctx, const char *valid_from)
{
	MDB_txn *txn = NULL;
	json_t *v = NULL, *ver, *line;
	char err[512] = "";
	size_t i, k;
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, false, &txn)) == 0)
		r = hierver_view(ctx->store, txn, valid_from, &v, err, sizeof(err));
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "hierarchy %s: %s", valid_from ? "show" : "list",
				err[0] ? err : lnob_strerror(r));
	if (ctx->format == CLI_JSON) {
		rc = render_json(stdout, v, JSON_SORT_KEYS) < 0;
		json_decref(v);
		return rc;
	}
	if (json_array_size(json_object_get(v, "versions")) == 0)
		printf("one version: %s, valid from the beginning (no version imported)\n",
		       ctx->hier_file);
	else
		printf("%-12s  %6s  %7s  %-20s  %s\n", "valid_from", "units", "changes", "imported",
		       "source");
	json_array_foreach(json_object_get(v, "versions"), i, ver) {
		s_print_version(ver);
		json_array_foreach(json_object_get(ver, "lines"), k, line)
			printf("  line %lld: %s %s%s%s\n",
			       (long long)json_integer_value(json_object_get(line, "line")),
			       json_string_value(json_object_get(line, "change")),
			       json_string_value(json_object_get(line, "code")),
			       *json_string_value(json_object_get(line, "other")) ? " -> " : "",
			       json_string_value(json_object_get(line, "other")));
	}
	json_decref(v);
	return 0;
}

int cmd_hierarchy(cli_ctx_t *ctx)
{
	const char *what = ctx->argv[0];

	if (strcmp(what, "import") == 0)
		return s_import(ctx);
	if (strcmp(what, "list") == 0 && ctx->argc == 1)
		return s_view(ctx, NULL);
	if (strcmp(what, "show") == 0 && ctx->argc == 2)
		return s_view(ctx, ctx->argv[1]);
	return cli_usage(ctx, "hierarchy: import FILE, list, or show VALID_FROM|first");
}
