/*
 * cmd_token.c: `lnob-aggregator token add -c CONF --role viewer|operator
 * --scope UNIT [--expires YYYY-MM-DD] [--name TEXT]`, `token list -c CONF
 * [--json]` and `token revoke -c CONF ID` (README "HTTP API"): the HTTP
 * API's tokens (tokens.h), beside the running daemon (each request reads
 * its token from the store, so a revocation is immediate).
 */
#include "cmd_aggregator.h"

#include <stdio.h>
#include <string.h>

#include "aggstore.h"
#include "lnob_err.h"
#include "render.h"
#include "tokens.h"
#include "util.h"

/* `token add`: prints the token once. */
static int s_add(cli_ctx_t *ctx)
{
	const char *expires = cli_opt(ctx, "expires");
	char text[TOKEN_TEXT_MAX + 1], id[TOKEN_ID_LEN + 1], err[512] = "";
	token_role_t role;
	int64_t exp = 0;
	MDB_txn *txn = NULL;
	int rc, r;

	if (!cli_opt(ctx, "role") || token_role_parse(cli_opt(ctx, "role"), &role) < 0)
		return cli_usage(ctx, "token add: --role viewer|operator is required");
	if (!cli_opt(ctx, "scope"))
		return cli_usage(ctx, "token add: --scope UNIT is required");
	if (expires && token_expiry_parse(expires, &exp) < 0)
		return cli_usage(ctx, "token add: --expires: not a date YYYY-MM-DD: '%s'", expires);
	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, true, &txn)) == 0)
		r = token_create(ctx->store, txn, ctx->hier, role, cli_opt(ctx, "scope"), exp,
				 cli_opt(ctx, "name"), lnob_now_s(), text, id, err, sizeof(err));
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "token add: %s", err[0] ? err : lnob_strerror(r));
	printf("%s\n", text);
	fprintf(stderr, "token %s (%s, scope %s%s%s): shown once; keep it secret\n", id,
		token_role_name(role), cli_opt(ctx, "scope"), expires ? ", expires end of " : "",
		expires ? expires : "");
	memset(text, 0, sizeof(text));
	return 0;
}

/* `token list`: a table or --json. */
static int s_list(cli_ctx_t *ctx)
{
	MDB_txn *txn = NULL;
	json_t *v = NULL, *row;
	size_t i;
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, false, &txn)) == 0)
		r = tokens_view(ctx->store, txn, &v);
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "token list: %s", lnob_strerror(r));
	if (ctx->format == CLI_JSON) {
		rc = render_json(stdout, v, JSON_SORT_KEYS) < 0;
		json_decref(v);
		return rc;
	}
	printf("%-12s  %-8s  %-12s  %-8s  %-20s  %s\n", "id", "role", "scope", "state", "expires",
	       "name");
	json_array_foreach(json_object_get(v, "tokens"), i, row) {
		json_t *e = json_object_get(row, "expires_at");
		char buf[32] = "never";

		if (json_is_integer(e))
			lnob_utc_text(json_integer_value(e), buf, sizeof(buf));
		printf("%-12s  %-8s  %-12s  %-8s  %-20s  %s\n",
		       json_string_value(json_object_get(row, "id")),
		       json_string_value(json_object_get(row, "role")),
		       json_string_value(json_object_get(row, "scope")),
		       json_is_true(json_object_get(row, "revoked")) ? "revoked" : "active", buf,
		       json_string_value(json_object_get(row, "name")));
	}
	json_decref(v);
	return 0;
}

/* `token revoke ID`. */
static int s_revoke(cli_ctx_t *ctx)
{
	MDB_txn *txn = NULL;
	int rc, r;

	if (ctx->argc != 2)
		return cli_usage(ctx, "token revoke: ID is required");
	if ((rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, true, &txn)) == 0)
		r = token_revoke(ctx->store, txn, ctx->argv[1], lnob_now_s());
	if (r == 0)
		r = store_commit(&txn);
	store_abort(&txn);
	if (r == LNOB_E_NOTFOUND)
		return cli_fail(ctx, "token revoke: no token '%s' (`token list` shows them)",
				ctx->argv[1]);
	if (r < 0)
		return cli_fail(ctx, "token revoke: %s", lnob_strerror(r));
	printf("token %s revoked\n", ctx->argv[1]);
	return 0;
}

int cmd_token(cli_ctx_t *ctx)
{
	const char *what = ctx->argv[0];

	if (strcmp(what, "add") == 0 && ctx->argc == 1)
		return s_add(ctx);
	if (strcmp(what, "list") == 0 && ctx->argc == 1)
		return s_list(ctx);
	if (strcmp(what, "revoke") == 0)
		return s_revoke(ctx);
	return cli_usage(ctx, "token: add, list or revoke ID");
}
