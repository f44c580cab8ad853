/* api_params.c: the HTTP API's parameters: query arguments (or a POST
 * body's members), units against the token's scope, campaigns and periods
 * (see api_int.h). */
#include "api_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lnob_err.h"
#include "unitsearch.h"
#include "util.h"

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

bool api_unit(api_call_t *c, const char *name, int *ret)
{
	return api_unit_at(c, name, c->api->hier, ret);
}

bool api_unit_at(api_call_t *c, const char *name, const hier_t *h, int *ret)
{
	const char *text = api_arg(c, name), *sc = hier_unit(c->api->hier, c->grant.scope)->code;
	int scope = h == c->api->hier ? c->grant.scope : hier_find(h, sc);
	char why[1024];
	int i, r;

	if (scope < 0) {
		api_error(c, 403, "forbidden", "parameter '%s': the token's scope %s is not in the "
			  "hierarchy version of the period", name, sc);
		return false;
	}
	if (!text) {
		*ret = scope;
		return true;
	}
	if ((r = unit_resolve(h, text, -1, &i, why, sizeof(why))) < 0) {
		if (r == -ENOMEM)
			api_error(c, 500, "internal", "out of memory");
		else
			api_error(c, 400, "bad_request", "parameter '%s': %s", name, why);
		return false;
	}
	if (!hier_in_subtree(h, scope, i)) {
		api_error(c, 403, "forbidden", "parameter '%s': unit %s is outside the token's scope "
			  "(%s)", name, hier_unit(h, i)->code, sc);
		return false;
	}
	*ret = i;
	return true;
}

bool api_campaign(api_call_t *c, const char *period_param, const campaign_t **ret)
{
	const char *id = api_arg(c, "campaign"), *p = period_param ? api_arg(c, period_param) : NULL;
	char err[1024], q[LNOB_QUOTE_MAX + 4];
	int r;

	*ret = NULL;
	if (!id || (period_param && !p)) {
		api_error(c, 400, "bad_request", "parameter '%s' is required",
			  !id ? "campaign" : period_param);
		return false;
	}
	if (!lnob_valid_id(id) || (p && !lnob_valid_id(p))) {
		api_error(c, 400, "bad_request", "parameter '%s': not 1..64 of [A-Za-z0-9._-]: '%s'",
			  !lnob_valid_id(id) ? "campaign" : period_param,
			  lnob_quote(q, !lnob_valid_id(id) ? id : p));
		return false;
	}
	r = campaigns_lookup(c->api->campaigns, id, p, "campaign", period_param, ret, err,
			     sizeof(err));
	if (r < 0) {
		api_error(c, 400, "bad_request", "%s", err);
		return false;
	}
	return true;
}

void api_param_names(char *msg, size_t size)
{
	static const char *const names[][2] = {
		{ "--decision-number", "decision_number" }, { "--decision-date", "decision_date" },
		{ "--granted", "granted_form" }, { "--kind", "stage" }, { "--reason", "reason" },
		{ "--note", "note" }, { "--campaign", "campaign" }, { "--period", "period" },
		{ "--unit", "unit" }, { "--by", "by" },
	};
	char out[1024];
	size_t o = 0;

	for (const char *p = msg; *p && o + 1 < sizeof(out);) {
		size_t i, n = 0;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strncmp(p, names[i][0], (n = strlen(names[i][0]))) == 0 &&
			    (p[n] < 'a' || p[n] > 'z') && p[n] != '-')
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			out[o++] = *p++;
			continue;
		}
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", names[i][1]);
		o = o < sizeof(out) ? o : sizeof(out) - 1;
		p += n;
	}
	out[o] = '\0';
	lnob_strlcpy(msg, out, size);
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
