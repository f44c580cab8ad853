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

/* The nominations of one `nominate`, parsed and packed. */
typedef struct s_noms {
	Lnob__Nomination **v;
	uint8_t **bodies;
	size_t *lens;
	size_t n, parsed;
} s_noms_t;

static void s_noms_free(s_noms_t *l)
{
	for (size_t i = 0; i < l->parsed; i++) {
		nominate_free(&l->v[i]);
		free(l->bodies[i]);
	}
	free(l->v);
	free(l->bodies);
	free(l->lens);
}

/* Parses and packs file i of ctx into l. Returns 0, or 1 after printing
 * the failure. */
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
	if (codec_pack(&l->v[i]->base, &l->bodies[i], &l->lens[i]) < 0)
		return cli_fail(ctx, "out of memory");
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
	l->v = calloc(l->n, sizeof(*l->v));
	l->bodies = calloc(l->n, sizeof(*l->bodies));
	l->lens = calloc(l->n, sizeof(*l->lens));
	if (!l->v || !l->bodies || !l->lens) {
		cli_fail(ctx, "out of memory");
		return 1;
	}
	if ((rc = col_known_limits(ctx, &lim)) != 0)
		return rc;
	memset(&no, 0, sizeof(no));
	no.signer = ctx->node_id;
	no.campaign = col_conf(ctx)->nom_campaign;
	no.attach_max = col_conf(ctx)->attach_max;
	no.now_s = now_ms / 1000;
	no.max_body = outbox_max_body(&lim);   /* the upstream's, as last known */
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
	int rc;

	if ((rc = s_parse_all(ctx, &l, now_ms)) == 0 &&
	    (rc = col_enqueue(ctx, LNOB__KIND__KIND_NOMINATION, (const uint8_t *const *)l.bodies,
			      l.lens, l.n, now_ms, &first)) == 0) {
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
