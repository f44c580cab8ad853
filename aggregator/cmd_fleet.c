/*
 * cmd_fleet.c: `lnob-aggregator fleet -c CONF [--unit U] [--json]`
 * (README "The fleet"): the fleet view (fleet.h) of the unit's subtree
 * (default: the root) as tables or its JSON document, read beside the
 * running daemon. Times are shown in the first configured campaign's
 * utc_offset (else +07:00), with the offset.
 */
#include "cmd_aggregator.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "campaigns.h"
#include "fleet.h"
#include "lnob_err.h"
#include "render.h"
#include "util.h"

/* +07:00, Vietnam's time, when no campaign says otherwise. */
#define S_DEFAULT_OFFSET (7 * 3600)
#define S_COLS_MAX 10

/* Seconds east of UTC the tables show times in. */
static int s_offset(const cli_ctx_t *ctx)
{
	return ctx->camps.n > 0 ? campaign_utc_offset(ctx->camps.v[0]) : S_DEFAULT_OFFSET;
}

/* Unix ms ms as "YYYY-MM-DD HH:MM:SS+HH:MM" in offset into buf; "-" for
 * null. */
static const char *s_time(const json_t *ms, int offset, char *buf, size_t len)
{
	time_t t;
	struct tm tm;
	char day[32];
	int off = offset < 0 ? -offset : offset;

	if (!json_is_integer(ms))
		return "-";
	t = (time_t)(json_integer_value(ms) / 1000) + offset;
	if (!gmtime_r(&t, &tm) || strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return "?";
	snprintf(buf, len, "%s%c%02d:%02d", day, offset < 0 ? '-' : '+', off / 3600,
		 off / 60 % 60);
	return buf;
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

/* Prints rows (an array of arrays of strings) under the headers, each
 * column as wide as its widest cell. */
static void s_table(const char *const *head, size_t ncol, const json_t *rows)
{
	size_t w[S_COLS_MAX], i;
	const json_t *row;

	for (size_t c = 0; c < ncol; c++)
		w[c] = lnob_utf8_width(head[c]);
	json_array_foreach(rows, i, row)
		for (size_t c = 0; c < ncol; c++) {
			size_t n = lnob_utf8_width(json_string_value(json_array_get(row, c)));

			w[c] = n > w[c] ? n : w[c];
		}
	for (size_t c = 0; c < ncol; c++) {
		fputs("  ", stdout);
		lnob_fput_col(stdout, head[c], c + 1 < ncol ? w[c] : 0, true);
	}
	fputc('\n', stdout);
	json_array_foreach(rows, i, row) {
		for (size_t c = 0; c < ncol; c++) {
			fputs("  ", stdout);
			lnob_fput_col(stdout, json_string_value(json_array_get(row, c)),
				      c + 1 < ncol ? w[c] : 0, true);
		}
		fputc('\n', stdout);
	}
}

/* The nodes table. */
static void s_print_nodes(const json_t *doc, int offset)
{
	static const char *const head[] = { "node", "scope", "name", "via", "link",
		"last contact", "ago", "queued", "parked", "oldest unsent" };
	json_t *rows = json_array();
	const json_t *n;
	size_t i;

	json_array_foreach(json_object_get(doc, "nodes"), i, n) {
		char b[7][64];

		json_array_append_new(rows, json_pack("[s, s, s, s, s, s, s, s, s, s]",
			json_string_value(json_object_get(n, "id")),
			json_string_value(json_object_get(n, "scope")),
			s_text(json_object_get(n, "scope_name"), b[0], sizeof(b[0])),
			s_text(json_object_get(n, "via"), b[1], sizeof(b[1])),
			json_string_value(json_object_get(n, "link")),
			s_time(json_object_get(n, "last_contact_ms"), offset, b[2], sizeof(b[2])),
			s_age(json_object_get(n, "age_ms"), b[3], sizeof(b[3])),
			s_text(json_object_get(n, "queued"), b[4], sizeof(b[4])),
			s_text(json_object_get(n, "parked"), b[5], sizeof(b[5])),
			s_time(json_object_get(n, "oldest_unsent_ms"), offset, b[6], sizeof(b[6]))));
	}
	s_table(head, sizeof(head) / sizeof(head[0]), rows);
	json_decref(rows);
}

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

/* The relays and the units tables. */
static void s_print_groups(const json_t *doc)
{
	static const char *const rhead[] = { "relay", "link", "nodes behind", "down", "queued" };
	static const char *const uhead[] = { "unit", "name", "nodes", "down", "queued" };
	json_t *rows = json_array();
	const json_t *g;
	size_t i;

	json_array_foreach(json_object_get(doc, "relays"), i, g) {
		char b[2][512], l[32], q[32];

		json_array_append_new(rows, json_pack("[s, s, s, s, s]",
			json_string_value(json_object_get(g, "id")),
			s_text(json_object_get(g, "link"), l, sizeof(l)),
			s_join(json_object_get(g, "nodes"), b[0], sizeof(b[0])),
			s_join(json_object_get(g, "down"), b[1], sizeof(b[1])),
			s_text(json_object_get(g, "queued"), q, sizeof(q))));
	}
	if (json_array_size(rows) > 0) {
		printf("\nrelays\n");
		s_table(rhead, 5, rows);
	}
	json_array_clear(rows);
	json_array_foreach(json_object_get(doc, "units"), i, g) {
		char b[3][32];

		json_array_append_new(rows, json_pack("[s, s, s, s, s]",
			json_string_value(json_object_get(g, "code")),
			json_string_value(json_object_get(g, "name")),
			s_text(json_object_get(g, "nodes"), b[0], sizeof(b[0])),
			s_text(json_object_get(g, "down"), b[1], sizeof(b[1])),
			s_text(json_object_get(g, "queued"), b[2], sizeof(b[2]))));
	}
	if (json_array_size(rows) > 0) {
		printf("\nby unit\n");
		s_table(uhead, 5, rows);
	}
	json_decref(rows);
}

/* The heading, the summary and the rejected counters that are not 0. */
static void s_print_summary(const json_t *doc, int offset)
{
	const json_t *u = json_object_get(doc, "unit"), *sum = json_object_get(doc, "summary");
	const json_t *v;
	const char *key;
	char t[64], b[1024];

	printf("fleet of %s %s as of %s (a link is down after %lld s of silence)\n",
	       u ? json_string_value(json_object_get(u, "code")) : "(all)",
	       u ? json_string_value(json_object_get(u, "name")) : "",
	       s_time(json_object_get(doc, "now_ms"), offset, t, sizeof(t)),
	       (long long)json_integer_value(json_object_get(doc, "down_after_ms")) / 1000);
	printf("nodes %lld: %lld up, %lld down, %lld never seen; queued %lld, parked %lld\n",
	       (long long)json_integer_value(json_object_get(sum, "nodes")),
	       (long long)json_integer_value(json_object_get(sum, "up")),
	       (long long)json_integer_value(json_object_get(sum, "down")),
	       (long long)json_integer_value(json_object_get(sum, "never")),
	       (long long)json_integer_value(json_object_get(sum, "queued")),
	       (long long)json_integer_value(json_object_get(sum, "parked")));
	printf("links down: %s\n", s_join(json_object_get(sum, "links_down"), b, sizeof(b)));
	printf("rejected: %lld", (long long)json_integer_value(json_object_get(doc, "rejected_total")));
	json_object_foreach((json_t *)json_object_get(doc, "rejected"), key, v)
		if (json_integer_value(v))
			printf(", %s %lld", key, (long long)json_integer_value(v));
	printf("; downstream reports ignored: %lld\n\n",
	       (long long)json_integer_value(json_object_get(doc, "downstream_ignored")));
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
		r = fleet_view(ctx->store, txn, ctx->hier, unit, lnob_now_ms(), &doc, err,
			       sizeof(err));
	store_abort(&txn);
	if (r < 0)
		return cli_fail(ctx, "%s", err[0] ? err : lnob_strerror(r));
	if (ctx->format == CLI_JSON) {
		rc = render_json(stdout, doc, JSON_SORT_KEYS) < 0;
	} else {
		s_print_summary(doc, s_offset(ctx));
		s_print_nodes(doc, s_offset(ctx));
		s_print_groups(doc);
	}
	json_decref(doc);
	return rc;
}
