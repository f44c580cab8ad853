/* api_units.c: GET /api/units and /api/units/{code} (see api.h): the
 * hierarchy within the token's scope, searched by unitsearch.h. */
#include "api_int.h"

#include "unitsearch.h"

#define S_LIMIT_DEFAULT 20
#define S_LIMIT_MAX 200

/* Unit i as the API shows it. */
static json_t *s_unit(const hier_t *h, int i)
{
	const hier_unit_t *u = hier_unit(h, i);
	const hier_unit_t *p = u->parent >= 0 ? hier_unit(h, u->parent) : NULL;

	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I}", "code", u->code, "name", u->name,
			 "level", u->level, "kind", u->kind,
			 "parent", p ? json_string(p->code) : json_null(),
			 "parent_name", p ? json_string(p->name) : json_null(),
			 "depth", (json_int_t)u->depth);
}

/* The units of the scope matching q (unitsearch.h: codes, names with or
 * without diacritics, any case), best first, at most limit. */
static json_t *s_search(api_call_t *c, const char *q, int64_t limit)
{
	int out[S_LIMIT_MAX];
	json_t *list = json_array();
	size_t n = 0;

	if (unit_search(c->api->hier, q, c->grant.scope, out, (size_t)limit, &n) < 0) {
		json_decref(list);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, s_unit(c->api->hier, out[i]));
	return list;
}

void api_units(api_call_t *c)
{
	static const char *const allowed[] = { "q", "limit", NULL };
	const hier_t *h = c->api->hier;
	const char *q = api_arg(c, "q");
	json_t *list;
	int64_t limit;

	if (!api_args_only(c, allowed) ||
	    !api_uint(c, "limit", S_LIMIT_MAX, S_LIMIT_DEFAULT, &limit))
		return;
	if (q) {
		if (!(list = s_search(c, q, limit))) {
			api_error(c, 500, "internal", "out of memory");
			return;
		}
	} else {
		const int *kids;
		size_t n = hier_children(h, c->grant.scope, &kids);

		list = json_array();
		json_array_append_new(list, s_unit(h, c->grant.scope));
		for (size_t i = 0; i < n && (int64_t)json_array_size(list) < limit + 1; i++)
			json_array_append_new(list, s_unit(h, kids[i]));
	}
	api_json(c, json_pack("{s:o}", "units", list));
}

void api_unit_one(api_call_t *c)
{
	static const char *const allowed[] = { NULL };
	const hier_t *h = c->api->hier;
	json_t *anc, *kids;
	const int *ks;
	size_t n;
	int i;

	if (!api_args_only(c, allowed))
		return;
	if ((i = hier_find(h, c->parts[1])) < 0) {
		api_error(c, 404, "not_found", "no unit '%s' in the hierarchy", c->parts[1]);
		return;
	}
	if (!api_in_scope(c, i)) {
		api_error(c, 403, "forbidden", "unit %s is outside the token's scope (%s)", c->parts[1],
			  hier_unit(h, c->grant.scope)->code);
		return;
	}
	anc = json_array();
	for (int a = hier_unit(h, i)->parent; a >= 0 && api_in_scope(c, a); a = hier_unit(h, a)->parent)
		json_array_insert_new(anc, 0, s_unit(h, a));
	kids = json_array();
	n = hier_children(h, i, &ks);
	for (size_t k = 0; k < n; k++)
		json_array_append_new(kids, s_unit(h, ks[k]));
	api_json(c, json_pack("{s:o, s:o, s:o}", "unit", s_unit(h, i), "ancestors", anc,
			      "children", kids));
}
