/*
 * intake.h: report input files (README "Submitting reports") parsed into
 * Lnob__Report values for the outbox.
 *
 * JSON (jansson): one object or an array of objects with the fields
 *   campaign, period, unit        strings, required, 1..64 of [A-Za-z0-9._-]
 *   revision                      integer >= 1, default 1
 *   base_revision                 integer < revision, default revision - 1
 *   completed_at                  ISO 8601 text with a UTC offset, or Unix
 *                                 seconds (integer or digits); default now
 *   narrative                     string, optional
 *   values                        object: indicator code -> integer >= 0
 *                                 (null: not reported)
 * Any other field, and a key given twice, is an error.
 *
 * CSV (libcsv, RFC 4180, UTF-8): a header line, then one report per line.
 * Columns campaign, period, unit are required; revision, base_revision,
 * completed_at and narrative are optional; every other column is an
 * indicator code, an empty cell meaning "not reported". Blank lines are
 * skipped.
 *
 * XLSX (libzip, libxml2): a filled template of `lnob-collector template`,
 * see intake_parse_xlsx().
 *
 * An indicator whose code ends in "_vnd" becomes amount_vnd, every other
 * a count. Each report is finally checked with report_validate().
 *
 * Errors name the file and the place, then the field:
 *   "r.csv:7: poor_households: not a non-negative integer: '-3'"
 *   "r.json: entry 2: unit: missing"      (entries counted from 1)
 *   "r.json:3:14: <JSON syntax error>"     (line:column)
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_INTAKE_H
#define LNOB_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "campaigns.h"
#include "hierarchy.h"
#include "lnob.pb-c.h"
#include "util.h"

/* Largest input file accepted. */
#define INTAKE_FILE_MAX ((size_t)64 << 20)

/* A growing list of parsed reports; each report and everything in it is
 * owned by the list, and so is where[i], the place report i came from, as
 * errors name it ("r.csv:7", "r.json: entry 2"). Start from a zeroed
 * struct. */
typedef struct intake_list {
	Lnob__Report **v;
	char **where;
	size_t n, cap;
	/* Set by the caller before parsing: the largest encoded report (an
	 * Envelope body) to accept, e.g. the upstream's max_body; 0 or more
	 * than OUTBOX_BODY_MAX: OUTBOX_BODY_MAX. A report over it fails the
	 * file with LNOB_E_TOOBIG: "r.csv:7: report is 8214 bytes encoded,
	 * over the 1024-byte limit". */
	size_t max_body;
	/* Set by the caller before parsing, NULL when not given: the campaign
	 * and period of an .xlsx workbook without the defined names
	 * lnob_campaign, lnob_period (submit's --campaign, --period); when
	 * the workbook names them too, both must agree. */
	const char *xlsx_campaign, *xlsx_period;
} intake_list_t;

/* Parses the file at path, JSON, CSV or XLSX chosen by its extension
 * (.json, .csv, .xlsx, any case) or else by its first bytes (a zip's
 * "PK\3\4" means XLSX, '{' or '[' JSON),
 * and appends its reports to list. now_s is the default completed_at.
 * All or nothing: on failure list is as it was and err holds one line
 * naming path and the place. A file without any report is an error.
 * Returns 0, -errno (cannot read), LNOB_E_TOOBIG, LNOB_E_INVALID, LNOB_E_CSV
 * or -ENOMEM. */
int intake_parse_file(const char *path, int64_t now_s, intake_list_t *list,
		      char *err, size_t errlen);

/* The same for text already in memory (len bytes, NUL-terminated);
 * name stands for the file in messages. */
int intake_parse_json(const char *name, const char *text, size_t len, int64_t now_s,
		      intake_list_t *list, char *err, size_t errlen);
int intake_parse_csv(const char *name, const char *text, size_t len, int64_t now_s,
		     intake_list_t *list, char *err, size_t errlen);
/* A filled reporting template (.xlsx, README "Reporting templates in
 * Excel"), len bytes in memory: every sheet with the template's id row,
 * one report per row with a filled indicator cell, campaign and period
 * from the workbook's defined names lnob_campaign and lnob_period, each
 * value checked as a CSV cell. Places are "<name>: <sheet>!<cell>"
 * ("b.xlsx: village!E7: poor_households: not a non-negative integer:
 * '-3'"); where[i] is the row's unit cell ("b.xlsx: village!A7"). */
int intake_parse_xlsx(const char *name, const void *data, size_t len, int64_t now_s,
		      intake_list_t *list, char *err, size_t errlen);

/* The aggregator's campaign rules, applied before queuing when the
 * collector's configuration names the campaigns and the hierarchy (README
 * "Submitting reports"), to reports list->v[from..n) in order: the rule of
 * campaigns_check_report() (a configured campaign, one of its periods, only
 * its counts and amounts), then the report's unit must be in hier, and
 * carry only indicators its level reports (campaign_check_levels()).
 * Returns 0, or LNOB_E_INVALID with err "<place>: <why>", the aggregator's
 * words, for the first report it would refuse, e.g. "r.csv:3: unit 'C001'
 * is a commune; indicator 'households_total' is reported by village". */
int intake_check_campaigns(const intake_list_t *list, size_t from, const campaigns_t *camps,
			   const hier_t *hier, char *err, size_t errlen);

/* Parses a completed_at text: ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.frac]]" with
 * "Z" or an offset "+HH:MM", "+HHMM" or "+HH" (a space may stand for the
 * "T"; fractions are dropped), or Unix seconds as plain digits. The result
 * is Unix seconds UTC, never negative. Returns 0 or LNOB_E_INVALID. */
int intake_parse_time(const char *s, int64_t *ret);

/* Frees every report in list and empties it (max_body and the xlsx
 * defaults stay); list may
 * be reused. */
void intake_list_clear(intake_list_t *list);

/* Frees one report built by this module. Accepts NULL. */
void intake_report_free(Lnob__Report *r);

/* Compact JSON text of v for an error message, cut to LNOB_QUOTE_MAX
 * bytes, into out. Returns out. */
const char *intake_json_quote(char out[LNOB_QUOTE_MAX + 4], const json_t *v);

#endif
