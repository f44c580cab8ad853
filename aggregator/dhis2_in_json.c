/*
 * dhis2_in_json.c: DHIS2's dataValueSets JSON read for a baseline
 * (dhis2_in.h): {"dataValues": [{"dataElement", "period", "orgUnit",
 * "categoryOptionCombo"?, "attributeOptionCombo"?, "value", ...}]}, parsed
 * by jansson (a key twice in an object is refused). Other members are
 * ignored; a value with "deleted": true is skipped. Values may be strings
 * (as DHIS2 writes them) or whole JSON numbers.
 */
#include "dhis2_in_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

/* dv[key]: a string, or NULL when absent; *bad set when it is something else. */
static const char *s_str(const json_t *dv, const char *key, const char **bad)
{
	const json_t *v = json_object_get(dv, key);

	if (v && !json_is_string(v) && !*bad)
		*bad = key;
	return json_string_value(v);
}

/* One element of dataValues (index i). */
static int s_value(dhis2_in_table_t *t, const json_t *dv, size_t i, char *err, size_t errlen)
{
	char where[48], num[32];
	const char *bad = NULL;
	const json_t *jv = json_object_get(dv, "value");
	dhis2_in_value_t v = { .where = where, .gwhere = where, .sep = ".", .pos = where };

	snprintf(where, sizeof(where), "dataValues[%zu]", i);
	if (!json_is_object(dv))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: not an object", t->o->name,
				 where);
	if (json_is_true(json_object_get(dv, "deleted"))) {
		t->stats.deleted++;
		return 0;
	}
	v.org_unit = s_str(dv, "orgUnit", &bad);
	v.period = s_str(dv, "period", &bad);
	v.aoc = s_str(dv, "attributeOptionCombo", &bad);
	v.data_element = s_str(dv, "dataElement", &bad);
	v.coc = s_str(dv, "categoryOptionCombo", &bad);
	if (json_is_integer(jv)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(jv));
		v.value = num;
	} else if (jv && !json_is_string(jv)) {
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s.value: not a whole number "
				 "(a string of digits or an integer)", t->o->name, where);
	} else {
		v.value = json_string_value(jv);
	}
	if (bad)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s.%s: not a string", t->o->name,
				 where, bad);
	return dhis2_in_add(t, &v, err, errlen);
}

int dhis2_in_json(const char *text, size_t len, dhis2_in_table_t *t, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	const json_t *list = json_object_get(doc, "dataValues"), *dv;
	size_t i;
	int r = 0;

	if (!doc)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s:%d:%d: %s", t->o->name, je.line,
				 je.column, je.text);
	if (!json_is_array(list))
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: not a dataValueSets document: it "
			      "needs a 'dataValues' array", t->o->name);
	json_array_foreach(list, i, dv)
		if (r == 0)
			r = s_value(t, dv, i, err, errlen);
	json_decref(doc);
	return r;
}
