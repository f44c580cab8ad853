/*
 * cmd_fleet.c: `lnob-aggregator fleet -c CONF [--unit U] [--json]`
 * (README "The fleet"): the fleet view (fleet.h) of the unit's subtree
 * (default: the root) as tables or its JSON document, read beside the
 * running daemon. Times are shown in the first configured campaign's
 * utc_offset (else +07:00), with the offset.
 */
#include "cmd_aggregator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaigns.h"
#include "fleet.h"
#include "lnob_err.h"
#include "render.h"
#include "table.h"
#include "util.h"

#define S_COLS_MAX 10

/* Seconds east of UTC the tables show times in: the first configured
 * campaign's utc_offset, else +07:00. */
static int64_t s_offset(const cli_ctx_t *ctx)
{
	return ctx->camps.n > 0 ? campaign_utc_offset(ctx->camps.v[0]) : TABLE_DEFAULT_UTC_OFFSET;
}

/* Unix ms ms as table_time() shows it ("2023-12-05 17:00 +07:00") in
 * offset into buf; "-" for null. */
static const char *s_time(const json_t *ms, int64_t offset, char *buf, size_t len)
{
	if (!json_is_integer(ms))
		return "-";
	return table_time(json_integer_value(ms) / 1000, offset, buf, len);
}

/* An age in ms as "12 s", "5 min", "3 h", "2 d"; "-" for null. */
static const char *s_age(const json_t *ms, char *buf, size_t len)
{
	long long s;

	if (!json_is_integer(ms))
		return "-";
	s = (long long)json_integer_value(ms) / 1000;
	if (s < 120)
		snprintf(buf, len, "%lld s", s < 0 ? 0 : s);
	else if (s < 7200)
		snprintf(buf, len, "%lld min", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%lld h", s / 3600);
	else
		snprintf(buf, len, "%lld d", s / 86400);
	return buf;
}

/* A scalar as text ("-" for null). */
static const char *s_text(const json_t *v, char *buf, size_t len)
{
	const char *t = render_text(v, buf, len);

	return json_is_null(v) || !v ? "-" : t;
}

/* How a column shows its field. */
typedef enum { S_TEXT, S_TIME, S_AGE, S_LIST } s_kind_t;

typedef struct s_col {
	const char *head, *field;
	s_kind_t kind;
} s_col_t;

/* Joins the strings of arr with ", " into buf ("-" when empty). */
static const char *s_join(const json_t *arr, char *buf, size_t len)
{
	size_t i, off = 0;
	const json_t *v;

	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", json_string_value(v));

		if (n < 0 || (size_t)n >= len - off)
			break;   /* cut */
		off += (size_t)n;
	}
	return off ? buf : "-";
}

/* The cell of column c in row o, into buf. */
static const char *s_cell(const s_col_t *c, const json_t *o, int64_t offset, char *buf, size_t len)
{
	const json_t *v = json_object_get(o, c->field);

	switch (c->kind) {
	case S_TIME:
		return s_time(v, offset, buf, len);
	case S_AGE:
		return s_age(v, buf, len);
	case S_LIST:
		return s_join(v, buf, len);
	default:
		return s_text(v, buf, len);
	}
}

/* One cell of a table: its text (in buf, or borrowed). */
typedef struct s_cellbuf {
	char buf[256];
	const char *text;
} s_cellbuf_t;

/* Prints the objects of arr as a table under title (nothing when arr is
 * empty), one line each, each column as wide as its widest cell. */
static void s_table(const char *title, const json_t *arr, const s_col_t *cols, size_t ncol,
		    int64_t offset)
{
	size_t n = json_array_size(arr);
	table_col_t tc[S_COLS_MAX];
	const char *line[S_COLS_MAX];
	s_cellbuf_t (*cells)[S_COLS_MAX];

	if (n == 0 || !(cells = calloc(n, sizeof(*cells))))
		return;
	for (size_t c = 0; c < ncol; c++) {
		tc[c] = (table_col_t){ .title = cols[c].head, .width = lnob_utf8_width(cols[c].head) };
		for (size_t i = 0; i < n; i++) {
			s_cellbuf_t *cb = &cells[i][c];

			cb->text = s_cell(&cols[c], json_array_get(arr, i), offset, cb->buf,
					  sizeof(cb->buf));
			if (lnob_utf8_width(cb->text) > tc[c].width)
				tc[c].width = lnob_utf8_width(cb->text);
		}
	}
	tc[ncol - 1].width = 0;   /* the last: the rest of the line */
	if (title)
		printf("\n%s\n", title);
	table_header(stdout, "  ", tc, ncol);
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; c < ncol; c++)
			line[c] = cells[i][c].text;
		table_row(stdout, "  ", tc, ncol, line);
	}
	free(cells);
}

/* The nodes, relays and units tables. */
static void s_print_tables(const json_t *doc, int64_t offset)
{
	static const s_col_t nodes[] = { { "node", "id", S_TEXT }, { "scope", "scope", S_TEXT },
		{ "name", "scope_name", S_TEXT }, { "via", "via", S_TEXT },
		{ "link", "link", S_TEXT }, { "last contact", "last_contact_ms", S_TIME },
		{ "ago", "age_ms", S_AGE }, { "queued", "queued", S_TEXT },
		{ "parked", "parked", S_TEXT }, { "oldest unsent", "oldest_unsent_ms", S_TIME } };
	static const s_col_t relays[] = { { "relay", "id", S_TEXT }, { "link", "link", S_TEXT },
		{ "nodes behind", "nodes", S_LIST }, { "down", "down", S_LIST },
		{ "queued", "queued", S_TEXT } };
	static const s_col_t units[] = { { "unit", "code", S_TEXT }, { "name", "name", S_TEXT },
		{ "nodes", "nodes", S_TEXT }, { "down", "down", S_TEXT },
		{ "queued", "queued", S_TEXT } };

	s_table(NULL, json_object_get(doc, "nodes"), nodes, 10, offset);
	s_table("relays", json_object_get(doc, "relays"), relays, 5, offset);
	s_table("by unit", json_object_get(doc, "units"), units, 5, offset);
}

/* An integer member of o. */
static long long s_int(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* The heading, the summary and the rejected counters that are not 0. */
static void s_print_summary(const json_t *doc, int64_t offset)
{
	const json_t *u = json_object_get(doc, "unit"), *sum = json_object_get(doc, "summary");
	const json_t *v;
	const char *key;
	char t[TABLE_TIME_LEN], b[1024];

	printf("fleet of %s %s as of %s (a link is down after %lld s of silence)\n",
	       u ? json_string_value(json_object_get(u, "code")) : "(all)",
	       u ? json_string_value(json_object_get(u, "name")) : "",
	       s_time(json_object_get(doc, "now_ms"), offset, t, sizeof(t)),
	       s_int(doc, "down_after_ms") / 1000);
	printf("nodes %lld: %lld up, %lld down, %lld never seen; queued %lld, parked %lld\n",
	       s_int(sum, "nodes"), s_int(sum, "up"), s_int(sum, "down"), s_int(sum, "never"),
	       s_int(sum, "queued"), s_int(sum, "parked"));
	printf("links down: %s\n", s_join(json_object_get(sum, "links_down"), b, sizeof(b)));
	printf("rejected: %lld", s_int(doc, "rejected_total"));
	json_object_foreach((json_t *)json_object_get(doc, "rejected"), key, v)
		if (json_integer_value(v))
			printf(", %s %lld", key, (long long)json_integer_value(v));
	printf("; downstream reports ignored: %lld\n\n", s_int(doc, "downstream_ignored"));
}

int cmd_fleet(cli_ctx_t *ctx)
{
	MDB_txn *txn = NULL;
	json_t *doc = NULL;
	char err[512] = "";
	int unit, rc, r;

	if ((rc = aggcmd_unit(ctx, &unit)) != 0)
		return rc;
	if ((rc = cli_store(ctx, CLI_STORE_READ)) != 0)
		return rc;
	if ((r = store_begin(ctx->store, false, &txn)) == 0)
		r = fleet_view(ctx->store, txn, ctx->hier, unit, ctx->node_id, lnob_now_ms(), &doc, err,
			       sizeof(err));
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "%s", err[0] ? err : lnob_strerror(r));
	if (ctx->format == CLI_JSON) {
		rc = render_json(stdout, doc, JSON_SORT_KEYS) < 0;
	} else {
		s_print_summary(doc, s_offset(ctx));
		s_print_tables(doc, s_offset(ctx));
	}
	json_decref(doc);
	return rc;
}
