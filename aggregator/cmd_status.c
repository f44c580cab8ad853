/*
 * cmd_status.c: `lnob-aggregator status -c CONF [--json]` (README
 * "Reading the rollups"): the store's totals, every counter, and each
 * enrolled node with what its last heartbeat said (status.h), read beside
 * the running daemon.
 */
#include "cmd_aggregator.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "aggstore.h"
#include "fault.h"
#include "lnob_err.h"
#include "render.h"
#include "status.h"
#include "util.h"

/* One node of the table. */
static void s_print_node(const json_t *node)
{
	json_t *h = json_object_get(node, "health");
	long long seen = (long long)json_integer_value(json_object_get(node, "last_seen_ms"));
	char queued[24], ago[48];

	if (h)
		snprintf(queued, sizeof(queued), "%lld",
			 (long long)json_integer_value(json_object_get(h, "queued")));
	else
		snprintf(queued, sizeof(queued), "-");
	if (seen > 0)
		snprintf(ago, sizeof(ago), "%.1f s ago", (double)(lnob_now_ms() - seen) / 1000.0);
	else
		snprintf(ago, sizeof(ago), "never");
	printf("  %-20s %-12s %-8s %-10s %s\n", json_string_value(json_object_get(node, "id")),
	       json_string_value(json_object_get(node, "scope")),
	       json_is_true(json_object_get(node, "revoked")) ? "yes" : "no", queued, ago);
}

/* The status document as a table. */
static void s_print_table(const json_t *s)
{
	const char *key;
	json_t *val, *node;
	size_t i;

	printf("envelopes stored  %lld\nlatest reports    %lld\nquarantined       %lld\n",
	       (long long)json_integer_value(json_object_get(s, "envelopes")),
	       (long long)json_integer_value(json_object_get(s, "reports")),
	       (long long)json_integer_value(json_object_get(s, "quarantined")));
	printf("counters:\n");
	json_object_foreach(json_object_get(s, "counters"), key, val)
		if (json_integer_value(val))
			printf("  %-28s %lld\n", key, (long long)json_integer_value(val));
	printf("nodes:\n  %-20s %-12s %-8s %-10s %s\n", "id", "scope", "revoked", "queued",
	       "last seen");
	json_array_foreach(json_object_get(s, "nodes"), i, node)
		s_print_node(node);
}

int cmd_status(cli_ctx_t *ctx)
{
	MDB_txn *txn = NULL;
	json_t *s = NULL;
	int rc, r;

	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, false, &txn)) == 0) {
		/* A reader killed here leaves a stale reader slot (tests). */
		fault_point("agg.status_in_txn");
		r = status_view(ctx->store, txn, &s);
	}
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "status: %s", lnob_strerror(r));
	if (ctx->format == CLI_JSON)
		rc = render_json(stdout, s, 0) < 0;
	else
		s_print_table(s);
	json_decref(s);
	return rc;
}
