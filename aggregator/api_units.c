/* api_units.c: GET /api/units and /api/units/{code} (see api.h): the
 * hierarchy within the token's scope. */
#include "api_int.h"

#include <string.h>
#include <strings.h>

#include "util.h"

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

/* How unit u matches q: 0 exact code, 1 a word of its name starts with q,
 * 2 q is inside its code or name, -1 not at all (ASCII case folded). */
static int s_rank(const hier_unit_t *u, const char *q)
{
	size_t n = strlen(q);
	const char *p;

	if (strcasecmp(u->code, q) == 0)
		return 0;
	for (p = u->name; (p = strcasestr(p, q)); p++)
		if (p == u->name || p[-1] == ' ')
			return 1;
	if (n && (strcasestr(u->code, q) || strcasestr(u->name, q)))
		return 2;
	return -1;
}

/* The units of the scope matching q, best rank first, at most limit. */
static json_t *s_search(api_call_t *c, const char *q, int64_t limit)
{
	const hier_t *h = c->api->hier;
	json_t *list = json_array();

	for (int rank = 0; rank <= 2; rank++)
		for (int i = 0; i < (int)hier_count(h) && (int64_t)json_array_size(list) < limit; i++)
			if (api_in_scope(c, i) && s_rank(hier_unit(h, i), q) == rank)
				json_array_append_new(list, s_unit(h, i));
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
		list = s_search(c, q, limit);
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
