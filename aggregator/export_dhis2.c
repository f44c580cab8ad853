/*
 * export_dhis2.c: the data values of an export (export_dv.h) as DHIS2's
 * dataValueSets JSON (what POST /api/dataValueSets takes), written with
 * jansson, indented by 2, keys in this order:
 *
 *   {"dataSet": "lnobDS",
 *    "dataValues": [{"dataElement": "hhTotal0001", "period": "2023",
 *                    "orgUnit": "ImspTQPwCqd", "categoryOptionCombo": "X",
 *                    "attributeOptionCombo": "Y", "value": "1234"}]}
 *
 * categoryOptionCombo and attributeOptionCombo only when the mapping gives
 * them; values are strings, as DHIS2's API has them.
 */
#include "export_dv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

/* One data value object, or NULL. */
static json_t *s_value(const export_dvs_t *dvs, const export_dv_t *dv)
{
	json_t *o = json_object();

	if (!o || json_object_set_new(o, "dataElement", json_string(dv->data_element)) < 0 ||
	    json_object_set_new(o, "period", json_string(dvs->period)) < 0 ||
	    json_object_set_new(o, "orgUnit", json_string(dv->org_unit)) < 0 ||
	    (dv->coc && json_object_set_new(o, "categoryOptionCombo", json_string(dv->coc)) < 0) ||
	    (dvs->aoc && json_object_set_new(o, "attributeOptionCombo",
					     json_string(dvs->aoc)) < 0) ||
	    json_object_set_new(o, "value", json_string(dv->value)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int export_render_dhis2(const export_dvs_t *dvs, unsigned char **ret_buf, size_t *ret_len,
			char *err, size_t errlen)
{
	json_t *doc = json_pack("{s:s, s:[]}", "dataSet", dvs->data_set, "dataValues");
	json_t *list = json_object_get(doc, "dataValues");
	char *text = NULL;
	int r = doc ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < dvs->n; i++)
		if (json_array_append_new(list, s_value(dvs, &dvs->v[i])) < 0)
			r = -ENOMEM;
	if (r == 0 && !(text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)))
		r = -ENOMEM;
	json_decref(doc);
	if (r < 0)
		return lnob_errf(err, errlen, r, "dataValueSets: out of memory");
	*ret_len = strlen(text) + 1;
	text[*ret_len - 1] = '\n';      /* the NUL becomes the last line's end */
	*ret_buf = (unsigned char *)text;
	return 0;
}
