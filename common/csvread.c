/*
 * csvread.c: CSV records with file:line errors (csvread.h). libcsv is fed
 * one physical line at a time, so that each record knows the line it
 * starts on; its callbacks trim each field into a buffer of ours and hand
 * it on.
 */
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

struct csvread {
	const char *name;
	const csvread_ops_t *ops;
	void *ctx;
	unsigned line;          /* physical line being fed to libcsv */
	unsigned rec_line;      /* line the current record started on */
	bool in_record;         /* a record has begun and not yet ended */
	bool events;            /* a callback ran during the current line */
	size_t records;         /* records seen */
	size_t fields;          /* fields of the current record so far */
	char *buf;              /* the current field, trimmed */
	size_t cap;
	lnob_fail_t fail;
};

static bool s_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t csvread_record_index(const csvread_t *r)
{
	return r->records;
}

unsigned csvread_line(const csvread_t *r)
{
	return r->rec_line;
}

int csvread_fail(csvread_t *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lnob_vfail_at(&r->fail, code, r->name, r->rec_line, fmt, ap);
	va_end(ap);
	return r->fail.code;
}

int csvread_oom(csvread_t *r)
{
	return lnob_fail(&r->fail, -ENOMEM, 0, "%s: out of memory", r->name);
}

/* libcsv's end-of-field callback: trims the field and hands it on. */
static void s_on_field(void *field, size_t len, void *data)
{
	csvread_t *r = data;
	const char *s = field ? field : "";

	r->events = true;
	r->in_record = true;
	if (!field)
		len = 0;
	while (len > 0 && s_blank(*s)) {
		s++;
		len--;
	}
	while (len > 0 && s_blank(s[len - 1]))
		len--;
	if (!r->fail.code && len + 1 > r->cap) {
		char *nb = realloc(r->buf, (len + 1) * 2);

		if (!nb) {
			csvread_oom(r);
		} else {
			r->buf = nb;
			r->cap = (len + 1) * 2;
		}
	}
	if (!r->fail.code) {
		memcpy(r->buf, s, len);
		r->buf[len] = '\0';
		r->ops->field(r->ctx, r, r->buf, len, r->fields);
	}
	r->fields++;
}

/* libcsv's end-of-record callback. */
static void s_on_record(int c, void *data)
{
	csvread_t *r = data;

	(void)c;
	r->events = true;
	r->in_record = false;
	if (!r->fail.code)
		r->ops->record(r->ctx, r, r->fields);
	r->records++;
	r->fields = 0;
}

/* Feeds one physical line p[0..n) to libcsv. Returns false when the
 * parse must stop (the error is recorded). */
static bool s_feed(csvread_t *r, struct csv_parser *parser, const char *p, size_t n)
{
	bool blank = true;

	r->line++;
	if (!r->in_record)
		r->rec_line = r->line;
	if (memchr(p, '\0', n)) {
		lnob_fail(&r->fail, LNOB_E_CSV, r->line, "%s:%u: NUL byte", r->name, r->line);
		return false;
	}
	r->events = false;
	if (csv_parse(parser, p, n, s_on_field, s_on_record, r) != n) {
		int e = csv_error(parser);

		lnob_fail(&r->fail, e == CSV_ENOMEM ? -ENOMEM : LNOB_E_CSV, r->line, "%s:%u: %s",
			  r->name, r->line, e == CSV_EPARSE ? "stray quote (inside an unquoted "
			  "field, or text after a closing quote)" : csv_strerror(e));
		return false;
	}
	/* A line with text but no complete field is inside a record (an open
	 * quoted field); a blank one is skipped by libcsv. */
	for (size_t i = 0; i < n && blank; i++)
		blank = s_blank(p[i]);
	if (!r->events && !blank)
		r->in_record = true;
	return true;
}

int csvread_parse(const char *buf, size_t len, const char *name, const csvread_ops_t *ops,
		  void *ctx, char *err, size_t errlen)
{
	csvread_t r = { .name = name, .ops = ops, .ctx = ctx, .fail = { .err = err, .errlen = errlen } };
	struct csv_parser parser;
	const char *p = buf, *end = buf + len;

	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return csvread_oom(&r);
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && !r.fail.code) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);

		if (!s_feed(&r, &parser, p, n))
			break;
		p += n;
	}
	if (!r.fail.code && csv_fini(&parser, s_on_field, s_on_record, &r) != 0)
		csvread_fail(&r, LNOB_E_CSV, "unterminated quoted field");
	csv_free(&parser);
	free(r.buf);
	if (!r.fail.code && r.records == 0)
		lnob_fail(&r.fail, LNOB_E_CSV, 1, "%s:1: header missing", name);
	return r.fail.code;
}
