/*
 * csvread.h: CSV records with file:line errors, over libcsv: the reader
 * under the hierarchy file (hierarchy.h) and the campaign's baseline file
 * (campaign.h). The text is RFC 4180 (libcsv strict), UTF-8; a BOM at the
 * start is dropped, blank lines are skipped, every field is handed over
 * trimmed of blanks (space, tab, CR, LF) with the line its record starts
 * on. The first error wins, the reader's or the callbacks':
 *   "units.csv:7: stray quote (inside an unquoted field, or text after a
 *    closing quote)"
 *   "units.csv:9: unterminated quoted field"
 *   "units.csv:3: NUL byte"
 *   "units.csv:1: header missing"          (no record at all)
 * and after one, no callback is called again.
 */
#ifndef LNOB_CSVREAD_H
#define LNOB_CSVREAD_H

#include <stddef.h>

typedef struct csvread csvread_t;

/* The callbacks of one parse (ctx is csvread_parse()'s). */
typedef struct csvread_ops {
	/* Field `index` (0 first) of the current record: f is NUL-terminated,
	 * len bytes, borrowed until the callback returns. */
	void (*field)(void *ctx, csvread_t *r, const char *f, size_t len, size_t index);
	/* The end of the current record, which had nfields fields. */
	void (*record)(void *ctx, csvread_t *r, size_t nfields);
} csvread_ops_t;

/* Parses buf[0..len) as the file `name` (for messages), calling ops for
 * every field and record in order. Returns 0, or the first error's code
 * (the reader's: LNOB_E_CSV or -ENOMEM; else a callback's) with err set. */
int csvread_parse(const char *buf, size_t len, const char *name, const csvread_ops_t *ops,
		  void *ctx, char *err, size_t errlen);

/* For the callbacks: the index of the current record (0: the first, the
 * header of lnob's files) and the line it starts on. */
size_t csvread_record_index(const csvread_t *r);
unsigned csvread_line(const csvread_t *r);
/* Records the error "<name>:<line of the record>: <message>" unless one is
 * recorded; the parse stops after the current line. Returns the first
 * error's code. */
int csvread_fail(csvread_t *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records "<name>: out of memory" (-ENOMEM) the same way. */
int csvread_oom(csvread_t *r);

#endif
