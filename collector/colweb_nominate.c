/* colweb_nominate.c: POST /api/nominations (README "The collector's
 * page", "Nominations for awards and their stages"): one nomination in
 * `nominate`'s JSON form whose dossier documents carry their bytes as
 * base64 data (the files chosen on the PC), parsed with the same
 * options, digested and attached by the same functions, and queued by the
 * same call as `lnob-collector nominate` (col_nominate_opts(),
 * col_queue_nominations()). */
#include "colweb_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lnob_err.h"
#include "nominate.h"
#include "util.h"

/* The nominee's unit in this node's scope (when a hierarchy is known).
 * Returns 0, or 400 with err. */
static int s_scope(cli_ctx_t *ctx, const Lnob__Nomination *n, char *err, size_t errlen)
{
	submit_rules_t r;
	int u, rc = 0;

	if (submit_rules_read(ctx, ctx->store, &r, err, errlen) < 0)
		return 500;
	if (r.hier && ((u = hier_find(r.hier, n->unit)) < 0 ||
		       (r.from_meta && r.mv.own >= 0 && !hier_in_subtree(r.hier, r.mv.own, u)))) {
		snprintf(err, errlen, "page: unit: '%s' is not in this node's scope", n->unit);
		rc = 400;
	}
	submit_rules_clear(&r);
	return rc;
}

/* The answer: seq, the key and each document's digest. */
static json_t *s_answer(const cli_ctx_t *ctx, const Lnob__Nomination *n, uint64_t seq)
{
	json_t *docs = json_array();
	char key[2 * LNOB_ID_MAX + 2], hex[65];

	snprintf(key, sizeof(key), "%s/%s", ctx->node_id, n->id);
	for (size_t i = 0; docs && i < n->n_dossier; i++) {
		const Lnob__Document *d = n->dossier[i];

		json_array_append_new(docs, json_pack("{s:s,s:s,s:I,s:s,s:b}", "kind",
			nominate_code_name(NOMINATE_DOCUMENT, (int)d->kind), "title", d->title,
			"size", (json_int_t)d->size, "sha256", lnob_hex(hex, d->sha256.data, 32),
			"attached", d->content.len > 0 || (d->size == 0 && d->content.data)));
	}
	return json_pack("{s:I,s:s,s:I,s:o*}", "seq", (json_int_t)seq, "key", key, "attached_bytes",
			 (json_int_t)nominate_attached_bytes(n), "documents", docs);
}

void colweb_nominations_post(cli_ctx_t *ctx, const http_req_t *req, http_resp_t *resp)
{
	Lnob__Nomination *n = NULL;
	nominate_opts_t no;
	outbox_limits_t lim;
	char err[1024];
	uint64_t seq = 0;
	int64_t now_ms = lnob_now_ms();
	int r, rc = 0;

	if (outbox_get_limits(ctx->store, &lim) < 0)
		memset(&lim, 0, sizeof(lim));
	col_nominate_opts(ctx, &lim, now_ms, &no);
	no.no_files = true;   /* the page sends bytes; it names no file of this host */
	r = nominate_parse_json("page", NULL, req->body, req->body_len, &no, &n, err, sizeof(err));
	if (r < 0)
		rc = r == -ENOMEM || r == LNOB_E_CRYPTO ? 500 : 400;
	else if ((rc = s_scope(ctx, n, err, sizeof(err))) == 0)
		rc = col_queue_nominations(ctx, &n, 1, now_ms, &seq, err, sizeof(err)) < 0 ? 500 : 0;
	if (rc == 400)
		colweb_error(resp, 400, "refused", "%s", err);
	else if (rc)
		colweb_error(resp, 500, "internal", "%s", err);
	else
		colweb_json(resp, 200, s_answer(ctx, n, seq));
	nominate_free(&n);
}
