/* api_params.c: the HTTP API's parameters: query arguments (or a POST
 * body's members), units against the token's scope, campaigns and periods
 * (see api_int.h). */
#include "api_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lnob_err.h"
#include "util.h"

#define S_SUGGEST 5

const char *api_arg(const api_call_t *c, const char *name)
{
	if (c->body) {
		json_t *v = json_object_get(c->body, name);

		return json_is_string(v) ? json_string_value(v) : NULL;
	}
	for (size_t i = 0; i < c->req->nargs; i++)
		if (strcmp(c->req->args[i].key, name) == 0)
			return c->req->args[i].value;
	return NULL;
}

bool api_args_only(api_call_t *c, const char *const *allowed)
{
	for (size_t i = 0; i < c->req->nargs; i++) {
		const char *k = c->req->args[i].key;
		size_t j;

		for (j = 0; allowed[j] && strcmp(allowed[j], k) != 0; j++)
			;
		if (!allowed[j]) {
			api_error(c, 400, "bad_request", "unknown parameter '%s' of %s", k, c->req->path);
			return false;
		}
		if (!c->req->args[i].value[0]) {
			api_error(c, 400, "bad_request", "parameter '%s' is empty", k);
			return false;
		}
		for (j = i + 1; j < c->req->nargs; j++)
			if (strcmp(c->req->args[j].key, k) == 0) {
				api_error(c, 400, "bad_request", "parameter '%s' is given twice", k);
				return false;
			}
	}
	return true;
}

bool api_in_scope(const api_call_t *c, int i)
{
	return hier_in_subtree(c->api->hier, c->grant.scope, i);
}

bool api_owned(api_call_t *c, const char *code, const char *what)
{
	int u = code ? hier_find(c->api->hier, code) : -1;

	if (u >= 0 && api_in_scope(c, u))
		return true;
	api_error(c, 403, "forbidden", "%s: its unit is outside the token's scope", what);
	return false;
}

/* Up to S_SUGGEST units of the scope whose code or name contains text
 * (ASCII case folded), as "CODE Name, ..." into out. */
static void s_suggest(const api_call_t *c, const char *text, char *out, size_t len)
{
	const hier_t *h = c->api->hier;
	size_t n = 0, off = 0;

	out[0] = '\0';
	for (int i = 0; i < (int)hier_count(h) && n < S_SUGGEST; i++) {
		const hier_unit_t *u = hier_unit(h, i);

		if (!api_in_scope(c, i) || (!strcasestr(u->code, text) && !strcasestr(u->name, text)))
			continue;
		off += (size_t)snprintf(out + off, off < len ? len - off : 0, "%s%s %s",
					n ? ", " : "", u->code, u->name);
		n++;
	}
}

bool api_unit(api_call_t *c, const char *name, int *ret)
{
	const char *code = api_arg(c, name);
	char near[512], q[LNOB_QUOTE_MAX + 4];
	int i;

	if (!code) {
		*ret = c->grant.scope;
		return true;
	}
	if ((i = hier_find(c->api->hier, code)) < 0) {
		s_suggest(c, code, near, sizeof(near));
		api_error(c, 400, "bad_request", "parameter '%s': '%s' is not a unit code%s%s", name,
			  lnob_quote(q, code), near[0] ? "; did you mean: " : "", near);
		return false;
	}
	if (!api_in_scope(c, i)) {
		api_error(c, 403, "forbidden", "parameter '%s': unit %s is outside the token's scope "
			  "(%s)", name, code, hier_unit(c->api->hier, c->grant.scope)->code);
		return false;
	}
	*ret = i;
	return true;
}

/* The known campaign ids (or periods of camp) as "a, b" into out. */
static void s_known(const campaigns_t *cs, const campaign_t *camp, char *out, size_t len)
{
	size_t off = 0, n = camp ? campaign_period_count(camp) : cs->n;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(out + off, off < len ? len - off : 0, "%s%s", i ? ", " : "",
					camp ? campaign_period(camp, (int)i)->id : campaign_id(cs->v[i]));
}

bool api_campaign(api_call_t *c, const char *period_param, const campaign_t **ret)
{
	const campaigns_t *cs = c->api->campaigns;
	const char *id = api_arg(c, "campaign"), *p = period_param ? api_arg(c, period_param) : NULL;
	const campaign_t *camp;
	char known[512], q[LNOB_QUOTE_MAX + 4];

	*ret = NULL;
	s_known(cs, NULL, known, sizeof(known));
	if (!id || !lnob_valid_id(id)) {
		api_error(c, 400, "bad_request", "parameter 'campaign' %s%s; known: %s",
			  id ? "is not an id: " : "is required", id ? lnob_quote(q, id) : "", known);
		return false;
	}
	if (cs->n > 0 && !(camp = campaigns_find(cs, id))) {
		api_error(c, 400, "bad_request", "parameter 'campaign': '%s' is not a configured "
			  "campaign; known: %s", id, known);
		return false;
	}
	if (!period_param || cs->n == 0) {
		if (period_param && (!p || !lnob_valid_id(p))) {
			api_error(c, 400, "bad_request", "parameter '%s' is required (an id)",
				  period_param);
			return false;
		}
		*ret = cs->n ? campaigns_find(cs, id) : NULL;
		return true;
	}
	s_known(cs, camp, known, sizeof(known));
	if (!p || !campaign_period_find(camp, p)) {
		api_error(c, 400, "bad_request", "parameter '%s'%s%s%s of campaign %s; known: %s",
			  period_param, p ? ": '" : " is required: a period", p ? lnob_quote(q, p) : "",
			  p ? "' is not a period" : "", id, known);
		return false;
	}
	*ret = camp;
	return true;
}

bool api_uint(api_call_t *c, const char *name, int64_t max, int64_t def, int64_t *ret)
{
	const char *v = api_arg(c, name);

	if (!v) {
		*ret = def;
		return true;
	}
	if (!lnob_parse_digits(v, max, ret)) {
		api_error(c, 400, "bad_request", "parameter '%s': not a whole number 0..%lld: '%s'",
			  name, (long long)max, v);
		return false;
	}
	return true;
}
