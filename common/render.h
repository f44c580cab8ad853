/*
 * render.h: how view documents (one JSON document per view: the rollup,
 * history, nominations, approvals, status ...) are written out, so that a
 * command's --json, --csv and an HTTP answer are the same document: JSON as
 * it is, CSV as one row per element of a list of the document, chosen by
 * columns (a header and the dotted path of its value in the row).
 *
 * Library module: returns codes, never logs.
 */
#ifndef LNOB_RENDER_H
#define LNOB_RENDER_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* Writes doc as JSON, indented by 2, with jansson's flags (JSON_SORT_KEYS,
 * JSON_REAL_PRECISION(n) ...), and a newline. Returns 0 or -EIO. */
int render_json(FILE *out, const json_t *doc, size_t flags);

/* A CSV column: its header, and where its value is in a row: a key, or
 * keys separated by dots for nested objects ("current.at"). */
typedef struct render_col {
	const char *name;
	const char *path;
} render_col_t;

/* The value at path in row (NULL when absent). Borrowed from row. */
const json_t *render_get(const json_t *row, const char *path);

/* A scalar as CSV text into buf: a string as it is, an integer in decimal,
 * a real with %.10g, true/false, and "" for null, absent, an object or an
 * array. Returns buf (or the string itself, borrowed). */
const char *render_text(const json_t *v, char *buf, size_t len);

/* Writes the header line and one line per element of rows (an array of
 * objects), each field quoted as RFC 4180 wants (libcsv). Returns 0 or
 * -EIO. */
int render_csv(FILE *out, const json_t *rows, const render_col_t *cols, size_t ncol);

#endif
