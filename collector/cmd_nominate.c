/*
 * cmd_nominate.c: `lnob-collector nominate -c CONF FILE.json...` and
 * `lnob-collector stage -c CONF --nomination SIGNER/ID --kind KIND ...`
 * (README "Nominations for awards and their stages"): award nominations
 * with their dossiers' digests, and the stages they pass through, signed
 * and queued.
 */
#include "cmd_collector.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "lnob_err.h"
#include "nominate.h"
#include "util.h"

/* The nominations of one `nominate`, parsed. */
typedef struct s_noms {
	Lnob__Nomination **v;
	size_t n, parsed;
} s_noms_t;

static void s_noms_free(s_noms_t *l)
{
	for (size_t i = 0; i < l->parsed; i++)
		nominate_free(&l->v[i]);
	free(l->v);
}

void col_nominate_opts(const cli_ctx_t *ctx, const outbox_limits_t *lim, int64_t now_ms,
		       nominate_opts_t *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->signer = ctx->node_id;
	ret->campaign = col_conf(ctx)->nom_campaign;
	ret->attach_max = col_conf(ctx)->attach_max;
	ret->now_s = now_ms / 1000;
	ret->max_body = outbox_max_body(lim);   /* the upstream's, as last known */
}

int col_queue_nominations(cli_ctx_t *ctx, Lnob__Nomination *const *v, size_t n, int64_t now_ms,
			  uint64_t *ret_first, char *err, size_t errlen)
{
	uint8_t **bodies = calloc(n ? n : 1, sizeof(*bodies));
	size_t *lens = calloc(n ? n : 1, sizeof(*lens));
	outbox_limits_t lim;
	char origin[160];
	int r = bodies && lens ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < n; i++)
		r = codec_pack(&v[i]->base, &bodies[i], &lens[i]);
	if (r == 0)
		r = outbox_enqueue(ctx->store, &ctx->id, LNOB__KIND__KIND_NOMINATION,
				   (const uint8_t *const *)bodies, lens, n, now_ms, ret_first);
	if (r == LNOB_E_TOOBIG && outbox_get_limits(ctx->store, &lim) == 0)
		lnob_errf(err, errlen, r, "%s: cannot queue: a nomination is over the %zu-byte limit "
			  "(%s; nothing queued)", ctx->data_dir, outbox_max_body(&lim),
			  col_limit_origin(&lim, origin));
	else if (r == LNOB_E_FULL)
		lnob_errf(err, errlen, r, "%s: outbox is full ([node] map_size_mb = %zu); nothing "
			  "queued", ctx->data_dir, col_conf(ctx)->map_size >> 20);
	else if (r < 0)
		lnob_errf(err, errlen, r, "%s: cannot queue: %s (nothing queued)", ctx->data_dir,
			  lnob_strerror(r));
	for (size_t i = 0; bodies && lens && i < n; i++)
		free(bodies[i]);
	free(bodies);
	free(lens);
	return r;
}

/* Parses file i of ctx into l. Returns 0, or 1 after printing the
 * failure. */
static int s_parse_one(cli_ctx_t *ctx, const nominate_opts_t *no, const outbox_limits_t *lim,
		       s_noms_t *l, size_t i)
{
	const char *path = ctx->argv[i];
	char err[1024], origin[160];
	int r = nominate_parse_file(path, no, &l->v[i], err, sizeof(err));

	if (r < 0) {
		/* Over the body limit (not a file too big to read): say whose. */
		if (r == LNOB_E_TOOBIG && strstr(err, "-byte limit"))
			cli_fail(ctx, "%s (%s; nothing queued)", err, col_limit_origin(lim, origin));
		else
			cli_fail(ctx, "%s (nothing queued)", err);
		return 1;
	}
	l->parsed++;
	for (size_t k = 0; k < i; k++)
		if (strcmp(l->v[k]->id, l->v[i]->id) == 0)
			return cli_fail(ctx, "%s: id: '%s' is also the id of %s (nothing queued)", path,
					l->v[i]->id, ctx->argv[k]);
	return 0;
}

/* Parses every nomination file of ctx (digests and attachments of their
 * dossiers) into l. Returns 0, or 1 after printing the failure. */
static int s_parse_all(cli_ctx_t *ctx, s_noms_t *l, int64_t now_ms)
{
	nominate_opts_t no;
	outbox_limits_t lim;
	int rc;

	l->n = (size_t)ctx->argc;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	if (!(l->v = calloc(l->n, sizeof(*l->v)))) {
		cli_fail(ctx, "out of memory");
		return 1;
	}
	if ((rc = col_known_limits(ctx, &lim)) != 0)
		return rc;
	col_nominate_opts(ctx, &lim, now_ms, &no);
	for (size_t i = 0; i < l->n; i++)
		if ((rc = s_parse_one(ctx, &no, &lim, l, i)) != 0)
			return rc;
	return 0;
}

int cmd_nominate(cli_ctx_t *ctx)
{
	s_noms_t l = { 0 };
	uint64_t first = 0;
	int64_t now_ms = lnob_now_ms();
	char err[1024];
	int rc;

	if ((rc = s_parse_all(ctx, &l, now_ms)) == 0 &&
	    (rc = cli_store(ctx, CLI_STORE_WRITE)) == 0) {
		if (col_queue_nominations(ctx, l.v, l.n, now_ms, &first, err, sizeof(err)) < 0)
			rc = cli_fail(ctx, "%s", err);
	}
	if (rc == 0) {
		printf("queued %zu nominations as seq %" PRIu64 "..%" PRIu64 "\n", l.n, first,
		       first + l.n - 1);
		for (size_t i = 0; i < l.n; i++)
			printf("  %s/%s  seq %" PRIu64 "\n", ctx->node_id, l.v[i]->id, first + i);
	}
	s_noms_free(&l);
	return rc;
}

int cmd_stage(cli_ctx_t *ctx)
{
	nominate_stage_args_t a = {
		.nomination = cli_opt(ctx, "nomination"), .kind = cli_opt(ctx, "kind"),
		.reason = cli_opt(ctx, "reason"), .decision_number = cli_opt(ctx, "decision-number"),
		.decision_date = cli_opt(ctx, "decision-date"), .granted = cli_opt(ctx, "granted"),
		.note = cli_opt(ctx, "note"), .at = cli_opt(ctx, "at"),
		.campaign = cli_opt(ctx, "campaign"),
	};
	Lnob__Stage *st = NULL;
	uint8_t *body = NULL;
	size_t len = 0;
	char err[1024];
	uint64_t seq = 0;
	int64_t now_ms = lnob_now_ms();
	int r, rc;

	if (!a.campaign && col_conf(ctx)->nom_campaign[0])
		a.campaign = col_conf(ctx)->nom_campaign;
	r = nominate_stage_build(&a, now_ms / 1000, &st, err, sizeof(err));
	if (r == -EINVAL)
		return cli_usage(ctx, "%s", err);
	if (r < 0)
		return cli_fail(ctx, "stage: %s (nothing queued)", err);
	if (codec_pack(&st->base, &body, &len) < 0)
		rc = cli_fail(ctx, "out of memory");
	else if ((rc = col_enqueue(ctx, LNOB__KIND__KIND_STAGE, (const uint8_t *const *)&body, &len,
				   1, now_ms, &seq)) == 0)
		printf("queued stage %s of %s as seq %" PRIu64 "\n",
		       nominate_code_name(NOMINATE_STAGE, st->kind), st->nomination, seq);
	free(body);
	nominate_stage_free(&st);
	return rc;
}
