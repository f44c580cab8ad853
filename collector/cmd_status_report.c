/*
 * cmd_status_report.c: `lnob-collector status -c CONF --report
 * UNIT/PERIOD [--json]` (README "Receipts: where a report is"): every own
 * envelope of that unit's report for that period (any campaign), each
 * queued (not yet acked by the next hop), sent (acked by a relay: in its
 * custody), stored (acked by the aggregator, end to end) or refused
 * (parked, with the reason); and the dismissed log that `status` shows.
 */
#include "cmd_collector.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "render.h"
#include "util.h"

/* One envelope of the report. */
typedef struct s_row {
	uint64_t seq;
	const char *state;   /* "queued", "sent", "stored", "refused" */
	char campaign[LNOB_ID_MAX + 1];
	char unit[LNOB_ID_MAX + 1], period[LNOB_ID_MAX + 1];
	int64_t at_ms;       /* queued: queued_at; sent: sent_at; else done or parked */
	int reason;
	char detail[256];
} s_row_t;

typedef struct s_report {
	const char *unit, *period;   /* unit NULL: every report */
	s_row_t *rows;
	size_t n, cap;
	int err;
} s_report_t;

/* Adds a row for seq when env is the report asked for and seq has none yet. */
static void s_add(s_report_t *s, uint64_t seq, const uint8_t *env, size_t len, const char *campaign,
		  const char *period, const char *unit, const char *state, int64_t at_ms,
		  int reason, const char *detail)
{
	char c[LNOB_ID_MAX + 1], p[LNOB_ID_MAX + 1], u[LNOB_ID_MAX + 1];
	s_row_t *row;

	if (env) {
		outbox_report_of(env, len, c, p, u, NULL);
		campaign = c, period = p, unit = u;
	}
	if (s->unit && (strcmp(unit, s->unit) != 0 || strcmp(period, s->period) != 0))
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i].seq == seq)
			return;   /* queued or parked again: that is where it is */
	if (lnob_grow(&s->rows, s->n, &s->cap, sizeof(*s->rows), 16) < 0) {
		s->err = -ENOMEM;
		return;
	}
	row = &s->rows[s->n++];
	memset(row, 0, sizeof(*row));
	row->seq = seq;
	row->state = state;
	(void)lnob_strlcpy(row->campaign, campaign, sizeof(row->campaign));
	(void)lnob_strlcpy(row->unit, unit, sizeof(row->unit));
	(void)lnob_strlcpy(row->period, period, sizeof(row->period));
	row->at_ms = at_ms;
	row->reason = reason;
	(void)lnob_strlcpy(row->detail, detail ? detail : "", sizeof(row->detail));
}

static int s_queued(void *ctx, uint64_t seq, const uint8_t *env, size_t len)
{
	s_add(ctx, seq, env, len, "", "", "", "queued", 0, 0, "");
	return 0;
}

static int s_parked(void *ctx, uint64_t seq, const Lnob__ParkedItem *p)
{
	s_add(ctx, seq, p->envelope.data, p->envelope.len, "", "", "", "refused", p->parked_at_ms,
	      p->reason, p->detail);
	return 0;
}

static int s_record(void *ctx, uint64_t seq, const Lnob__ReceiptRecord *rec)
{
	const char *state = rec->state == LNOB__RECEIPT_STATE__RECEIPT_STORED ? "stored"
			    : rec->state == LNOB__RECEIPT_STATE__RECEIPT_REFUSED ? "refused" : "sent";

	s_add(ctx, seq, NULL, 0, rec->campaign, rec->period, rec->unit, state,
	      rec->state ? rec->done_at_ms : rec->sent_at_ms, rec->reason, rec->detail);
	return 0;
}

/* The rows as JSON: *ret (caller owns). Returns 0 or -ENOMEM. */
static int s_rows_json(const s_report_t *s, json_t **ret)
{
	json_t *arr = json_array();
	char reason[64];

	for (size_t i = 0; arr && i < s->n; i++) {
		const s_row_t *r = &s->rows[i];

		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:s}", "seq",
			(json_int_t)r->seq, "campaign", r->campaign, "unit", r->unit, "period",
			r->period, "state", r->state, "at_ms", r->at_ms ? json_integer(r->at_ms)
			: json_null(), "reason", r->reason ? json_string(col_reason_name(r->reason,
			reason)) : json_null(), "detail", r->detail));
	}
	if (!arr || json_array_size(arr) != s->n) {
		json_decref(arr);
		return -ENOMEM;
	}
	*ret = arr;
	return 0;
}

/* Collects s's rows from ctx's outbox as open. Returns 0 or a code. */
static int s_collect(cli_ctx_t *ctx, s_report_t *s)
{
	int r = 0;

	if (ctx->store && ((r = outbox_scan(ctx->store, 0, SIZE_MAX, s_queued, s, NULL, NULL)) < 0 ||
			   (r = outbox_parked_foreach(ctx->store, s_parked, s)) < 0 ||
			   (r = outbox_receipt_foreach(ctx->store, s_record, s)) < 0))
		return r;
	return s->err;
}

int col_report_rows(cli_ctx_t *ctx, const char *unit, const char *period, json_t **ret)
{
	s_report_t s = { .unit = unit, .period = period };
	int r = s_collect(ctx, &s);

	if (r == 0)
		r = s_rows_json(&s, ret);
	free(s.rows);
	return r;
}

/* The rows as the table or JSON. Returns the exit status. */
static int s_print(cli_ctx_t *ctx, const s_report_t *s)
{
	char when[32], reason[64];
	json_t *arr = NULL, *doc;
	int rc = 0;

	if (ctx->format != CLI_JSON) {
		printf("report: %s/%s\n", s->unit, s->period);
		printf("envelopes:%s\n", s->n ? "" : " - (none queued here)");
		for (size_t i = 0; i < s->n; i++) {
			const s_row_t *r = &s->rows[i];

			printf("  seq %" PRIu64 "  %s  %-8s %s", r->seq, r->campaign, r->state,
			       r->at_ms ? col_time_text(r->at_ms, when) : "-");
			if (r->reason)
				printf("  %s: %s", col_reason_name(r->reason, reason), r->detail);
			printf("\n");
		}
		return 0;
	}
	if (s_rows_json(s, &arr) < 0)
		return cli_fail(ctx, "out of memory");
	doc = json_pack("{s:s,s:s,s:o}", "unit", s->unit, "period", s->period, "envelopes", arr);
	if (!doc || render_json(stdout, doc, JSON_PRESERVE_ORDER) < 0)
		rc = cli_fail(ctx, "cannot write the report's status");
	json_decref(doc);
	return rc;
}

int col_status_report(cli_ctx_t *ctx, const char *what)
{
	const char *slash = strchr(what, '/');
	char unit[LNOB_ID_MAX + 1];
	s_report_t s = { .unit = unit };
	int r, rc;

	if (!slash || slash == what || !slash[1] || (size_t)(slash - what) > LNOB_ID_MAX)
		return cli_usage(ctx, "--report '%s': not UNIT/PERIOD", what);
	memcpy(unit, what, (size_t)(slash - what));
	unit[slash - what] = '\0';
	s.period = slash + 1;
	if ((rc = cli_store(ctx, CLI_STORE_READ | CLI_STORE_ABSENT_OK)) != 0)
		return rc;
	if ((r = s_collect(ctx, &s)) < 0)
		rc = cli_fail(ctx, "%s: %s", ctx->data_dir, lnob_strerror(r));
	else
		rc = s_print(ctx, &s);
	free(s.rows);
	return rc;
}

/* Where the dismissed log goes: arr, or the table when NULL. */
typedef struct s_dis {
	json_t *arr;
	size_t n;
} s_dis_t;

/* outbox_dismissed_fn: one log record, printed or appended. */
static int s_dismissed(void *ctx, const Lnob__DismissedRecord *d)
{
	s_dis_t *dc = ctx;
	char when[32], reason[64], hex[65];

	for (size_t i = 0; i < d->digest.len && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d->digest.data[i]);
	hex[d->digest.len < 32 ? 2 * d->digest.len : 64] = '\0';
	if (!dc->arr) {
		outbox_ref_t ref = { .seq = d->seq };
		char text[96];

		(void)lnob_strlcpy(ref.signer, d->signer, sizeof(ref.signer));
		if (dc->n++ == 0)
			printf("dismissed:\n");
		printf("  %s  dismissed %s  was %s  reason: %s  sha256 %s\n", col_ref_text(&ref, text),
		       col_time_text(d->dismissed_at_ms, when), col_reason_name(d->refused, reason),
		       d->reason[0] ? d->reason : "-", hex);
		return 0;
	}
	return json_array_append_new(dc->arr, json_pack("{s:s,s:I,s:s,s:I,s:s,s:s,s:s}", "signer",
		d->signer, "seq", (json_int_t)d->seq, "reason", d->reason, "dismissed_at_ms",
		(json_int_t)d->dismissed_at_ms, "refused", col_reason_name(d->refused, reason),
		"detail", d->detail, "sha256", hex)) == 0 ? 0 : -ENOMEM;
}

int col_dismissed_list(cli_ctx_t *ctx, json_t *arr)
{
	s_dis_t dc = { .arr = arr };
	int r = ctx->store ? outbox_dismissed_foreach(ctx->store, s_dismissed, &dc) : 0;

	if (!arr && dc.n == 0)
		printf("dismissed: -\n");
	return r;
}
