/* api_fleet.c: GET /api/fleet and /metrics (see api.h): the fleet view
 * (fleet.h) within the token's scope, and the server's Prometheus metrics
 * (metrics.h) for root-scoped tokens. */
#include "api_int.h"

#include <string.h>

#include "fleet.h"
#include "metrics.h"
#include "util.h"

void api_fleet(api_call_t *c)
{
	static const char *const allowed[] = { NULL };
	json_t *view = NULL;
	char err[512] = "";
	int r;

	if (!api_args_only(c, allowed))
		return;
	r = fleet_view(c->api->st, c->txn, c->api->hier, c->grant.scope,
		       c->api->id ? c->api->id->pub.node_id : NULL,
		       lnob_now_ms(), &view, err, sizeof(err));
	if (r < 0) {
		api_fail(c, r, err);
		return;
	}
	api_json(c, view);
}

void api_metrics(api_call_t *c)
{
	static const char *const allowed[] = { NULL };
	char *text;

	if (!api_args_only(c, allowed))
		return;
	if (hier_unit(c->api->hier, c->grant.scope)->parent >= 0) {
		api_error(c, 403, "forbidden", "/metrics needs a token scoped to the hierarchy's root; "
			  "this one's is %s", hier_unit(c->api->hier, c->grant.scope)->code);
		return;
	}
	if (!c->api->metrics || !c->api->counters) {
		api_error(c, 500, "internal", "no metrics in this process");
		return;
	}
	if (!(text = metrics_render(c->api->metrics, c->api->counters))) {
		api_error(c, 500, "internal", "out of memory");
		return;
	}
	c->resp->status = 200;
	c->resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	c->resp->cache_control = "no-store";
	c->resp->body = text;
	c->resp->len = strlen(text);
}
