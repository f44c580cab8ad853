/* colrequests.c: the ad-hoc requests a collector holds (colrequests.h). */
#include "colrequests.h"

#include <errno.h>

/* The asked units of p in the node's scope (own < 0: all). */
static json_t *s_units(const submit_rules_t *r, int own, const campaign_period_t *p)
{
	json_t *arr = json_array();

	for (size_t u = 0; arr && u < p->request->nunits; u++) {
		int x = r->hier ? hier_find(r->hier, p->request->units[u]) : -1;

		if (own >= 0 && (x < 0 || !hier_in_subtree(r->hier, own, x)))
			continue;
		json_array_append_new(arr, json_string(p->request->units[u]));
	}
	return arr;
}

static json_t *s_indicators(const campaign_t *c, const campaign_period_t *p)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < campaign_indicator_count(c); i++) {
		const campaign_indicator_t *ind = campaign_indicator(c, (int)i);

		if (p->request->asked[i])
			json_array_append_new(arr, json_pack("{s:s, s:s}", "code", ind->code, "label",
							     ind->label));
	}
	return arr;
}

/* Appends p's object to arr when it asks a unit in scope. */
static int s_one(const submit_rules_t *r, int own, const campaign_t *c,
		 const campaign_period_t *p, json_t *arr)
{
	json_t *units = s_units(r, own, p), *o;
	int64_t late_from = 0;

	if (!units)
		return -ENOMEM;
	if (json_array_size(units) == 0) {
		json_decref(units);
		return 0;
	}
	(void)campaign_deadline_for(c, campaign_level(c, 0), p, &late_from);
	o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:o, s:o}", "campaign", campaign_id(c),
		      "id", p->id, "due", p->request->due, "late_from", (json_int_t)late_from,
		      "note", p->request->note, "created_at", (json_int_t)p->request->created_at,
		      "units", units, "indicators", s_indicators(c, p));
	return o && json_array_append_new(arr, o) == 0 ? 0 : -ENOMEM;
}

int colrequests_json(const submit_rules_t *r, json_t **ret)
{
	json_t *arr = json_array();
	int own = r->from_meta ? r->mv.own : -1;
	int rc = arr ? 0 : -ENOMEM;

	for (size_t i = 0; rc == 0 && r->camps && i < r->camps->n; i++) {
		const campaign_t *c = r->camps->v[i];

		for (size_t k = 0; rc == 0 && k < campaign_period_count(c); k++) {
			const campaign_period_t *p = campaign_period(c, (int)k);

			if (p->request)
				rc = s_one(r, own, c, p, arr);
		}
	}
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*ret = arr;
	return 0;
}

int colrequests_of(cli_ctx_t *ctx, outbox_t *ob, json_t **ret, char *err, size_t errlen)
{
	submit_rules_t r;
	int rc;

	if ((rc = submit_rules_read(ctx, ob, &r, err, errlen)) < 0)
		return rc;
	rc = colrequests_json(&r, ret);
	submit_rules_clear(&r);
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	return rc;
}

/* Prints arr's strings (or its objects' "code"), ", "-separated. */
static void s_print_list(FILE *out, const json_t *arr)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		fprintf(out, "%s%s", i ? ", " : "", json_is_string(v) ? json_string_value(v)
				      : json_string_value(json_object_get(v, "code")));
}

void colrequests_print(FILE *out, const json_t *list)
{
	size_t i;
	json_t *q;

	fprintf(out, "requests:%s\n", json_array_size(list) ? "" : " -");
	json_array_foreach(list, i, q) {
		const char *note = json_string_value(json_object_get(q, "note"));

		fprintf(out, "  %s (%s) due %s: ", json_string_value(json_object_get(q, "id")),
			json_string_value(json_object_get(q, "campaign")),
			json_string_value(json_object_get(q, "due")));
		s_print_list(out, json_object_get(q, "units"));
		fprintf(out, "; ");
		s_print_list(out, json_object_get(q, "indicators"));
		fprintf(out, "%s%s\n", note && note[0] ? " — " : "", note ? note : "");
	}
}
