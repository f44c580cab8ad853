/*
 * export_int.h: what the export's files share (export.h is the public
 * side): building a sheet of the document, and reading one back for the
 * renderers (export_xlsx.c, export_csv.c).
 */
#ifndef LNOB_EXPORT_INT_H
#define LNOB_EXPORT_INT_H

#include <jansson.h>
#include <stddef.h>

#include "hierarchy.h"

/* The column types of the document (export.h). */
typedef enum export_type {
	EXPORT_T_TEXT,
	EXPORT_T_INTEGER,
	EXPORT_T_PERCENT,
	EXPORT_T_DECIMAL,
	EXPORT_T_TIME,
} export_type_t;

/* A new sheet {"id", "name", "columns": [], "rows": []}, or NULL. */
json_t *export_sheet(const char *id, const char *name);
/* Appends a column to sheet (type: one of the export.h type names).
 * Returns 0 or -ENOMEM. */
int export_col(json_t *sheet, const char *id, const char *header, const char *type);
/* Appends row (reference stolen) to sheet. Returns 0 or -ENOMEM. */
int export_row(json_t *sheet, json_t *row);
/* Sets row[key] (reference stolen; NULL is null). */
void export_set(json_t *row, const char *key, json_t *v);
/* A row's {"code", "name", "level", "parent", "parent_name"} of unit code
 * (the parent from the hierarchy), or NULL. */
json_t *export_unit_row(const hier_t *hier, const char *code, const char *name,
			const char *level);

/* The summary sheet's columns and rows from the views: views[0] is the
 * unit's own view, views[1..n-1] those of the rows' units (each a
 * view_build() document). Returns the sheet (caller owns) or NULL. */
json_t *export_summary(const hier_t *hier, json_t *const *views, size_t n);

/* Reading a document back: the sheet with this id, or NULL (borrowed). */
const json_t *export_find_sheet(const json_t *doc, const char *id);
/* A column's type; -1 when it is not one of them. */
int export_col_type(const json_t *col);
/* Checks sheet's shape (name, columns with id, header and a known type,
 * rows of objects). Returns 0 or LNOB_E_INVALID with err saying what. */
int export_check_sheet(const json_t *sheet, char *err, size_t errlen);

#endif
