/*
 * export_render.c: reading an export document back for its renderers
 * (export_int.h); export_render() choosing one is export_format.c.
 */
#include "export.h"
#include "export_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

static const char *const s_types[] = {
	[EXPORT_T_TEXT] = "text", [EXPORT_T_INTEGER] = "integer",
	[EXPORT_T_PERCENT] = "percent", [EXPORT_T_DECIMAL] = "decimal",
	[EXPORT_T_TIME] = "time",
};

const json_t *export_find_sheet(const json_t *doc, const char *id)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(doc, "sheets"), i, s) {
		const char *sid = json_string_value(json_object_get(s, "id"));

		if (sid && strcmp(sid, id) == 0)
			return s;
	}
	return NULL;
}

int export_col_type(const json_t *col)
{
	const char *t = json_string_value(json_object_get(col, "type"));

	for (size_t i = 0; t && i < sizeof(s_types) / sizeof(s_types[0]); i++)
		if (strcmp(t, s_types[i]) == 0)
			return (int)i;
	return -1;
}

int export_check_sheet(const json_t *sheet, char *err, size_t errlen)
{
	const json_t *col, *row;
	size_t i;

	if (!json_is_string(json_object_get(sheet, "name")) ||
	    !json_is_array(json_object_get(sheet, "columns")) ||
	    !json_is_array(json_object_get(sheet, "rows")))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "not an export sheet: it needs a name, "
				 "columns and rows");
	json_array_foreach(json_object_get(sheet, "columns"), i, col)
		if (!json_is_string(json_object_get(col, "id")) ||
		    !json_is_string(json_object_get(col, "header")) || export_col_type(col) < 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "sheet '%s': column %zu needs an "
					 "id, a header and a known type",
					 json_string_value(json_object_get(sheet, "name")), i);
	json_array_foreach(json_object_get(sheet, "rows"), i, row)
		if (!json_is_object(row))
			return lnob_errf(err, errlen, LNOB_E_INVALID, "sheet '%s': row %zu is not an "
					 "object", json_string_value(json_object_get(sheet, "name")), i);
	return 0;
}
