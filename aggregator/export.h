/*
 * export.h: the summary a provincial office sends upward, as one document
 * (export_build) rendered into an Excel workbook or CSV (export_render).
 * `lnob-aggregator export` (cmd_export.c) and the HTTP API's /api/export
 * both call these two; README "Export to Excel and CSV" is the contract.
 *
 * THE DOCUMENT is made of the operators' views, never recomputed: one
 * view_build() (view.h) per unit of the table and nominations_view()
 * (nominations.h) for the nominations. It is three tables ("sheets"):
 *
 *   {"campaign", "campaign_name", "period", "utc_offset_s", "generated_at",
 *    "unit": {"code", "name", "level"}, "level": null | "commune",
 *    "sheets": [{"id": "summary" | "late" | "nominations", "name": "Tổng hợp",
 *                "columns": [{"id": "code", "header": "Mã đơn vị",
 *                             "type": "text" | "integer" | "percent" | "decimal" | "time"}],
 *                "rows": [{"<column id>": value or null}]}]}
 *
 * Column ids are English (the view's field names and indicator codes),
 * headers Vietnamese (the indicator labels of the campaign file). A value
 * not known is null, and an empty cell in both renderings (never 0).
 * "percent" values are percent numbers (5.9917 for 5.9917 %), "time"
 * values Unix seconds, shown in the campaign's utc_offset.
 *
 * Library code: returns codes with err filled, never logs.
 */
#ifndef LNOB_EXPORT_H
#define LNOB_EXPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "aggstore.h"
#include "campaigns.h"
#include "dhis2map.h"
#include "hierarchy.h"

typedef struct export_opts {
	const campaigns_t *campaigns;
	const char *campaign, *period;
	int unit;              /* hierarchy index: the subtree's root */
	const char *level;     /* NULL: the unit's children; else every unit of that level in the subtree */
	int64_t now;           /* Unix seconds: pending vs missing */
} export_opts_t;

/* ADX and DHIS2 (dataValueSets JSON) need a mapping (dhis2map.h):
 * export_render_mapped(). */
typedef enum { EXPORT_XLSX, EXPORT_CSV, EXPORT_ADX, EXPORT_DHIS2 } export_format_t;

/* Builds the export document (rows per unit; late and missing;
 * nominations) in txn, a read transaction. The summary's rows: the unit
 * itself first (the subtree's total), then its children (o->level NULL)
 * or every unit of o->level in its subtree, in file order. Returns 0 with
 * *ret owned by the caller (json_decref); LNOB_E_NOTFOUND with err naming
 * the problem: a campaign that is not configured or a period that is not
 * the campaign's (listing the known ids), a unit index out of the
 * hierarchy, a level no unit of the
 * hierarchy has (listing its levels) or none below the unit has; a store
 * error; -ENOMEM. */
int export_build(store_t *st, MDB_txn *txn, const hier_t *hier, const export_opts_t *o,
		 json_t **ret, char *err, size_t errlen);

/* Renders doc into memory: *ret_buf malloc'ed (caller frees), *ret_len its
 * size. XLSX: every sheet of doc, a bold frozen header row, number
 * formats, numbers as numbers. CSV: the summary sheet only, UTF-8 with a
 * BOM, RFC 4180 with CRLF line ends (export_render_csv() renders another
 * sheet). Returns 0, or LNOB_E_INVALID (doc is not an export document),
 * -EIO (libxlsxwriter failed: err says how), -errno, -ENOMEM. */
int export_render(const json_t *doc, export_format_t f, unsigned char **ret_buf,
		  size_t *ret_len, char *err, size_t errlen);

/* The CSV of one sheet of doc ("summary", "late" or "nominations"; NULL is
 * "summary"). Returns as export_render(); LNOB_E_NOTFOUND for a sheet doc
 * does not have. */
int export_render_csv(const json_t *doc, const char *sheet, unsigned char **ret_buf,
		      size_t *ret_len, char *err, size_t errlen);

/* Renders doc as f; ADX and DHIS2 with map (the others ignore it): the
 * summary's figures of the mapped units, indicators and period, as they
 * are (export_dv.h), a figure not known left out. ADX: XML in namespace
 * urn:ihe:qrph:adx:2015, <adx exported><group orgUnit period dataSet>
 * <dataValue dataElement [categoryOptionCombo] value/>; DHIS2:
 * {"dataSet", "dataValues": [{"dataElement", "period", "orgUnit",
 * ["categoryOptionCombo",] ["attributeOptionCombo",] "value"}]}, values as
 * strings. Returns as export_render(); LNOB_E_INVALID for ADX or DHIS2
 * without map; LNOB_E_NOTFOUND with err naming the mapping file when it
 * lacks the period or a row's unit, or (ADX) when no figure is known. */
int export_render_mapped(const json_t *doc, export_format_t f, const dhis2map_t *map,
			 unsigned char **ret_buf, size_t *ret_len, char *err, size_t errlen);

/* The same as XLSX (all sheets). */
int export_render_xlsx(const json_t *doc, unsigned char **ret_buf, size_t *ret_len, char *err,
		       size_t errlen);

/* The file name suffix of f: "xlsx", "csv", "adx.xml" or "dhis2.json". */
const char *export_ext(export_format_t f);

/* The file's default name: "lnob-<campaign>-<period>-<unit>.<ext>", with
 * "-<sheet>" before ".csv" for a CSV of a sheet other than the summary
 * (sheet NULL or "summary": none), into buf. The CLI's default --output and
 * the API's Content-Disposition filename. Returns buf ("" when doc is not
 * an export document or buf is too small). */
const char *export_filename(const json_t *doc, export_format_t f, const char *sheet, char *buf,
			    size_t len);

#endif
