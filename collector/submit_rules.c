/* submit_rules.c: the rules submit checks reports with (see
 * submit_rules.h). */
#include "submit_rules.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "colmeta.h"
#include "lnob_err.h"
#include "util.h"

int submit_rules_read(cli_ctx_t *ctx, outbox_t *ob, submit_rules_t *ret, char *err,
		      size_t errlen)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	if (ctx->hier) {
		ret->camps = &ctx->camps;
		ret->hier = ctx->hier;
	}
	if (!ob)
		return 0;
	r = colmeta_view(ob, ctx->node_id, &ret->mv, &ret->version, err, errlen);
	if (r == LNOB_E_NOTFOUND)
		return 0;
	if (r < 0)
		return r;
	ret->from_meta = true;
	ret->camps = &ret->mv.camps;
	ret->hier = ret->mv.hier;
	return 0;
}

int submit_rules_load(cli_ctx_t *ctx, submit_rules_t *ret)
{
	char err[1024];
	int r;

	cli_store_close(ctx);
	r = col_store_open(ctx, CLI_STORE_READ, &ctx->store, err, sizeof(err));
	if (r < 0)   /* no store yet: no metadata; another failure: queuing says it */
		ctx->store = NULL;
	r = submit_rules_read(ctx, ctx->store, ret, err, sizeof(err));
	cli_store_close(ctx);
	if (r < 0)
		return cli_fail(ctx, "%s: %s (nothing queued)", ctx->data_dir, err);
	return 0;
}

int submit_rules_check(const submit_rules_t *r, const intake_list_t *list, size_t from,
		       char *err, size_t errlen)
{
	if (!r->hier)
		return 0;
	for (size_t i = from; r->from_meta && i < list->n; i++) {
		int u = hier_find(r->hier, list->v[i]->unit);

		if (u < 0 || (r->mv.own >= 0 && !hier_in_subtree(r->hier, r->mv.own, u)))
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: unit '%s' is out of scope: "
					 "not under '%s' (this node's scope in metadata version %"
					 PRIu64 ")", list->where[i], list->v[i]->unit,
					 r->mv.own_scope[0] ? r->mv.own_scope : "(all)", r->version);
	}
	return intake_check_campaigns(list, from, r->camps, r->hier, err, errlen);
}

void submit_rules_clear(submit_rules_t *r)
{
	if (r->from_meta)
		metadata_view_clear(&r->mv);
	memset(r, 0, sizeof(*r));
}
