/*
 * cmd_requeue.c: `lnob-collector requeue -c CONF (--all | SEQ... |
 * SIGNER:SEQ... | --signer NODE --seq N)`: moves parked items back to
 * their queue, unchanged, in one transaction beside a running daemon (all
 * the named ones or none); and `lnob-collector dismiss -c CONF SEQ...
 * [--reason TEXT]`: removes them, each logged in the dismissed log.
 */
#include "cmd_collector.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

/* Parses a seq: decimal digits only, >= 1. Returns 0 or -EINVAL. */
static int s_parse_seq(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* Fills ref from SIGNER and SEQ texts (signer NULL or own id: an own
 * seq); arg is the operand for messages. Returns 0, or 2 after a usage
 * error. */
static int s_make_ref(cli_ctx_t *ctx, const char *signer, const char *seq, const char *arg,
		      outbox_ref_t *ref)
{
	memset(ref, 0, sizeof(*ref));
	if (s_parse_seq(seq, &ref->seq) < 0)
		return cli_usage(ctx, "'%s': not a seq (a whole number >= 1)", arg);
	if (!signer || strcmp(signer, ctx->node_id) == 0)
		return 0;
	if (!lnob_valid_id(signer))
		return cli_usage(ctx, "'%s': '%s' is not a node id", arg, signer);
	lnob_strlcpy(ref->signer, signer, sizeof(ref->signer));
	return 0;
}

/* Fills ref from an operand SEQ or SIGNER:SEQ. Returns 0, or 2 after a
 * usage error. */
static int s_operand_ref(cli_ctx_t *ctx, const char *arg, outbox_ref_t *ref)
{
	const char *colon = strrchr(arg, ':');
	char signer[LNOB_ID_MAX + 2];
	size_t sl;

	if (!colon)
		return s_make_ref(ctx, NULL, arg, arg, ref);
	sl = (size_t)(colon - arg);
	if (sl == 0 || sl > LNOB_ID_MAX)
		return cli_usage(ctx, "'%s': not SIGNER:SEQ", arg);
	memcpy(signer, arg, sl);
	signer[sl] = '\0';
	return s_make_ref(ctx, signer, colon + 1, arg, ref);
}

/* The refs the command line names into *ret (caller frees), *ret_n of
 * them. Returns 0, 1 after a failure, or 2 after a usage error. */
int col_parked_refs(cli_ctx_t *ctx, outbox_ref_t **ret, size_t *ret_n)
{
	const char *signer = cli_opt(ctx, "signer"), *seq = cli_opt(ctx, "seq");
	outbox_ref_t *refs = calloc((size_t)ctx->argc + 1, sizeof(*refs));
	size_t n = 0;
	int rc = 0;

	if ((signer != NULL) != (seq != NULL)) {
		free(refs);
		return cli_usage(ctx, "--signer and --seq go together");
	}
	if (!refs)
		return cli_fail(ctx, "out of memory");
	if (signer)
		rc = s_make_ref(ctx, signer, seq, seq, &refs[n++]);
	for (int i = 0; rc == 0 && i < ctx->argc; i++)
		rc = s_operand_ref(ctx, ctx->argv[i], &refs[n++]);
	if (rc != 0) {
		free(refs);
		return rc;
	}
	*ret = refs;
	*ret_n = n;
	return 0;
}

const char *col_ref_text(const outbox_ref_t *ref, char out[96])
{
	if (ref->signer[0])
		snprintf(out, 96, "%s:%" PRIu64, ref->signer, ref->seq);
	else
		snprintf(out, 96, "seq %" PRIu64, ref->seq);
	return out;
}

/* outbox_requeue() callback: says what moved. */
static void s_requeued(void *ctx, const char *signer, uint64_t seq)
{
	(void)ctx;
	if (signer[0])
		printf("requeued relayed %s:%" PRIu64 "\n", signer, seq);
	else
		printf("requeued seq %" PRIu64 "\n", seq);
}

/* Says how a requeue or dismiss of n items ended (r: its return); verb
 * and done name it ("requeue", "requeued"). Returns the exit status. */
static int s_outcome(cli_ctx_t *ctx, const char *verb, const char *done, int r,
		     const outbox_ref_t *bad, size_t n)
{
	char text[96];

	if (r == LNOB_E_NOTFOUND)
		return cli_fail(ctx, "%s: %s is not parked (nothing %s)", verb,
				col_ref_text(bad, text), done);
	if (r < 0)
		return cli_fail(ctx, "%s: %s: %s (nothing %s)", verb, ctx->data_dir,
				lnob_strerror(r), done);
	printf("%s %zu parked item%s\n", done, n, n == 1 ? "" : "s");
	return 0;
}

int cmd_requeue(cli_ctx_t *ctx)
{
	bool all = cli_flag(ctx, "all");
	outbox_ref_t *refs = NULL, bad;
	size_t n = 0, moved = 0;
	char text[96];
	int r, rc;

	if ((cli_opt(ctx, "signer") != NULL) != (cli_opt(ctx, "seq") != NULL))
		return cli_usage(ctx, "--signer and --seq go together");
	if (all && (ctx->argc || cli_opt(ctx, "signer")))
		return cli_usage(ctx, "--all takes no seqs");
	if (!all && !ctx->argc && !cli_opt(ctx, "signer"))
		return cli_usage(ctx, "name the parked seqs (SEQ or SIGNER:SEQ), or --all");
	if ((!all && (rc = col_parked_refs(ctx, &refs, &n)) != 0) ||
	    (rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		goto out;
	memset(&bad, 0, sizeof(bad));
	r = outbox_requeue(ctx->store, refs, n, all, s_requeued, NULL, &moved, &bad);
	if (r == LNOB_E_EXISTS)
		rc = cli_fail(ctx, "requeue: %s is parked and queued at once; the outbox is "
			      "inconsistent (nothing requeued)", col_ref_text(&bad, text));
	else
		rc = s_outcome(ctx, "requeue", "requeued", r, &bad, moved);
out:
	free(refs);
	return rc;
}

int cmd_dismiss(cli_ctx_t *ctx)
{
	outbox_ref_t *refs = NULL, bad = { .seq = 0 };
	size_t n = 0;
	int r, rc;

	if (!ctx->argc && !cli_opt(ctx, "signer"))
		return cli_usage(ctx, "name the parked seqs (SEQ or SIGNER:SEQ)");
	if ((rc = col_parked_refs(ctx, &refs, &n)) != 0 ||
	    (rc = cli_store(ctx, CLI_STORE_WRITE)) != 0)
		goto out;
	r = outbox_dismiss(ctx->store, refs, n, cli_opt(ctx, "reason"), lnob_now_ms(), &bad);
	rc = s_outcome(ctx, "dismiss", "dismissed", r, &bad, n);
out:
	free(refs);
	return rc;
}
