/*
 * intake_csv.c: CSV report files (libcsv, RFC 4180, UTF-8) into
 * Lnob__Report values (see intake.h): a header line, then one report per
 * line, each error naming the file and the line.
 */
#include "intake.h"

#include <csv.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake_int.h"
#include "lnob_err.h"
#include "report.h"
#include "util.h"

enum { S_COL_CAMPAIGN, S_COL_PERIOD, S_COL_UNIT, S_COL_REVISION, S_COL_BASE,
	S_COL_COMPLETED, S_COL_NARRATIVE, S_COL_FIXED };

static const char *const s_col_names[S_COL_FIXED] = { "campaign", "period", "unit",
	"revision", "base_revision", "completed_at", "narrative" };

/* The state of one CSV file being parsed by libcsv's callbacks. */
typedef struct s_csv {
	const char *name;
	int64_t now_s;
	size_t max_body;            /* the body limit of each report */
	size_t line;                /* the line being fed to libcsv (from 1) */
	size_t row_line;            /* the line the current row started on */
	bool row_open;              /* a row has started and not ended */
	char **fields;              /* the current row, each field owned */
	size_t *lens;
	size_t nfields, cap;
	bool have_header;
	char **cols;                /* header names, owned */
	size_t ncols;
	long fixed[S_COL_FIXED];    /* column of each fixed field, -1 if absent */
	intake_list_t out;          /* this file's reports */
	int rc;                     /* first error, 0 while all is well */
	char *err;
	size_t errlen;
} s_csv_t;

/* Frees the current row's fields. */
static void s_csv_fields_clear(s_csv_t *c)
{
	for (size_t i = 0; i < c->nfields; i++)
		free(c->fields[i]);
	c->nfields = 0;
}

/* libcsv field callback: keeps a copy of the field. */
static void s_csv_field(void *s, size_t len, void *data)
{
	s_csv_t *c = data;
	char *copy;

	if (c->rc < 0)
		return;
	if (len && memchr(s, '\0', len)) {
		/* A C string would end there: "V1\0X" would read as "V1". */
		if (c->have_header && c->nfields < c->ncols)
			c->rc = lnob_errf(c->err, c->errlen, LNOB_E_CSV, "%s:%zu: %s: NUL byte in "
					  "the cell (column %zu)", c->name, c->line,
					  c->cols[c->nfields], c->nfields + 1);
		else
			c->rc = lnob_errf(c->err, c->errlen, LNOB_E_CSV, "%s:%zu: column %zu: NUL "
					  "byte in the cell", c->name, c->line, c->nfields + 1);
		return;
	}
	if (c->nfields == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		char **nf = realloc(c->fields, cap * sizeof(*nf));
		size_t *nl;

		if (!nf) {
			c->rc = lnob_errf(c->err, c->errlen, -ENOMEM, "%s: out of memory", c->name);
			return;
		}
		c->fields = nf;
		nl = realloc(c->lens, cap * sizeof(*nl));
		if (!nl) {
			c->rc = lnob_errf(c->err, c->errlen, -ENOMEM, "%s: out of memory", c->name);
			return;
		}
		c->lens = nl;
		c->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy) {
		c->rc = lnob_errf(c->err, c->errlen, -ENOMEM, "%s: out of memory", c->name);
		return;
	}
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	c->fields[c->nfields] = copy;
	c->lens[c->nfields] = len;
	c->nfields++;
}

/* Takes the header row: the fixed columns and the indicator codes. */
static int s_csv_header(s_csv_t *c)
{
	char q[LNOB_QUOTE_MAX + 4];

	for (size_t k = 0; k < S_COL_FIXED; k++)
		c->fixed[k] = -1;
	c->cols = calloc(c->nfields, sizeof(*c->cols));
	if (!c->cols)
		return lnob_errf(c->err, c->errlen, -ENOMEM, "%s: out of memory", c->name);
	for (size_t i = 0; i < c->nfields; i++) {
		const char *h = c->fields[i];
		size_t k = 0;

		if (!*h)
			return lnob_errf(c->err, c->errlen, LNOB_E_CSV, "%s:%zu: column %zu: empty "
				      "column name", c->name, c->row_line, i + 1);
		for (size_t j = 0; j < c->ncols; j++)
			if (strcmp(c->cols[j], h) == 0)
				return lnob_errf(c->err, c->errlen, LNOB_E_CSV, "%s:%zu: %s: column "
					      "given twice", c->name, c->row_line, lnob_quote(q, h));
		while (k < S_COL_FIXED && strcmp(s_col_names[k], h) != 0)
			k++;
		if (k < S_COL_FIXED)
			c->fixed[k] = (long)i;
		else if (!lnob_valid_id(h))
			return lnob_errf(c->err, c->errlen, LNOB_E_CSV, "%s:%zu: column %zu: "
				      "indicator code not " INTAKE_ID_RULE ": '%s'", c->name,
				      c->row_line, i + 1, lnob_quote(q, h));
		/* The field moves into cols. */
		c->cols[c->ncols++] = c->fields[i];
		c->fields[i] = NULL;
	}
	for (size_t k = 0; k < S_COL_UNIT + 1; k++)
		if (c->fixed[k] < 0)
			return lnob_errf(c->err, c->errlen, LNOB_E_CSV, "%s:%zu: missing column '%s'",
				      c->name, c->row_line, s_col_names[k]);
	c->have_header = true;
	return 0;
}

/* The field of fixed column k in the current row, "" when absent. */
static const char *s_csv_get(const s_csv_t *c, size_t k)
{
	return c->fixed[k] >= 0 ? c->fields[c->fixed[k]] : "";
}

/* Builds one report from the current data row. Caller owns *ret. */
static int s_csv_report(s_csv_t *c, const char *where, Lnob__Report **ret)
{
	char q[LNOB_QUOTE_MAX + 4];
	Lnob__Report *r;
	const char *s;
	uint64_t rev = 1, base;
	int64_t base_v = -1;
	int rc;

	if (!(r = intake_report_new(c->now_s)))
		return lnob_errf(c->err, c->errlen, -ENOMEM, "%s: out of memory", where);
	if ((rc = intake_field_id(where, "campaign", &r->campaign, s_csv_get(c, S_COL_CAMPAIGN),
			     c->err, c->errlen)) < 0 ||
	    (rc = intake_field_id(where, "period", &r->period, s_csv_get(c, S_COL_PERIOD),
			     c->err, c->errlen)) < 0 ||
	    (rc = intake_field_id(where, "unit", &r->unit, s_csv_get(c, S_COL_UNIT),
			     c->err, c->errlen)) < 0)
		goto fail;
	s = s_csv_get(c, S_COL_REVISION);
	if (*s && (intake_parse_uint(s, UINT32_MAX, &rev) < 0 || rev < 1)) {
		rc = lnob_errf(c->err, c->errlen, LNOB_E_INVALID, "%s: revision: not an integer "
			    ">= 1: '%s'", where, lnob_quote(q, s));
		goto fail;
	}
	s = s_csv_get(c, S_COL_BASE);
	if (*s) {
		if (intake_parse_uint(s, UINT32_MAX, &base) < 0) {
			rc = lnob_errf(c->err, c->errlen, LNOB_E_INVALID, "%s: base_revision: not an "
				    "integer >= 0: '%s'", where, lnob_quote(q, s));
			goto fail;
		}
		base_v = (int64_t)base;
	}
	if ((rc = intake_field_revisions(where, r, rev, base_v, c->err, c->errlen)) < 0)
		goto fail;
	s = s_csv_get(c, S_COL_COMPLETED);
	if (*s && (rc = intake_field_time(where, r, s, c->err, c->errlen)) < 0)
		goto fail;
	if (c->fixed[S_COL_NARRATIVE] >= 0 &&
	    (rc = intake_field_narrative(where, r, c->fields[c->fixed[S_COL_NARRATIVE]],
				    c->lens[c->fixed[S_COL_NARRATIVE]], c->err, c->errlen)) < 0)
		goto fail;
	for (size_t i = 0; i < c->ncols; i++) {
		const char *code = c->cols[i], *cell = c->fields[i];
		bool fixed = false;

		for (size_t k = 0; k < S_COL_FIXED; k++)
			fixed = fixed || c->fixed[k] == (long)i;
		if (fixed || !*cell)
			continue;
		if ((rc = intake_field_text_value(where, r, code, cell, c->err, c->errlen)) < 0)
			goto fail;
	}
	if ((rc = intake_check_report(where, r, c->max_body, c->err, c->errlen)) < 0)
		goto fail;
	*ret = r;
	return 0;
fail:
	intake_report_free(r);
	return rc;
}

/* libcsv row callback: the header, or one report. */
static void s_csv_row(int term, void *data)
{
	s_csv_t *c = data;
	Lnob__Report *r = NULL;
	char where[512];

	(void)term;
	c->row_open = false;
	if (c->rc < 0)
		goto out;
	/* A row of one empty field is a blank line in disguise. */
	if (c->nfields == 0 || (c->nfields == 1 && c->lens[0] == 0))
		goto out;
	if (!c->have_header) {
		c->rc = s_csv_header(c);
		goto out;
	}
	snprintf(where, sizeof(where), "%s:%zu", c->name, c->row_line);
	if (c->nfields != c->ncols) {
		c->rc = lnob_errf(c->err, c->errlen, LNOB_E_CSV, "%s: expected %zu fields as in the "
			       "header, got %zu", where, c->ncols, c->nfields);
		goto out;
	}
	if ((c->rc = s_csv_report(c, where, &r)) < 0)
		goto out;
	if (intake_list_push(&c->out, r, where) < 0) {
		intake_report_free(r);
		c->rc = lnob_errf(c->err, c->errlen, -ENOMEM, "%s: out of memory", where);
	}
out:
	s_csv_fields_clear(c);
}

/* True when s[0..n) holds only blanks and line ends. */
static bool s_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

int intake_parse_csv(const char *name, const char *text, size_t len, int64_t now_s,
		     intake_list_t *list, char *err, size_t errlen)
{
	struct csv_parser p;
	s_csv_t c;
	size_t off = 0;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.now_s = now_s;
	c.max_body = intake_max_body(list);
	c.err = err;
	c.errlen = errlen;
	c.line = 1;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		off = 3;   /* UTF-8 byte order mark */
	/* Feed one line at a time so that callbacks know their line. */
	while (off < len && c.rc == 0) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) + 1 : len - off;

		/* A row starts on the first line with content after the last row
		 * ended (rows end only at line ends). */
		if (!c.row_open && !s_blank(text + off, n)) {
			c.row_open = true;
			c.row_line = c.line;
		}
		if (csv_parse(&p, text + off, n, s_csv_field, s_csv_row, &c) != n && c.rc == 0)
			c.rc = lnob_errf(err, errlen, LNOB_E_CSV, "%s:%zu: malformed CSV: %s", name,
				      c.line, csv_strerror(csv_error(&p)));
		off += n;
		if (nl)
			c.line++;
	}
	if (c.rc == 0 && csv_fini(&p, s_csv_field, s_csv_row, &c) != 0 && c.rc == 0)
		c.rc = lnob_errf(err, errlen, LNOB_E_CSV, "%s:%zu: malformed CSV: unterminated "
			      "quoted field", name, c.row_line);
	if (c.rc == 0 && !c.have_header)
		c.rc = lnob_errf(err, errlen, LNOB_E_CSV, "%s: empty file (no header line)", name);
	if (c.rc == 0 && c.out.n == 0)
		c.rc = lnob_errf(err, errlen, LNOB_E_CSV, "%s: no reports (only a header line)", name);
	if (c.rc == 0 && intake_list_take(list, &c.out) < 0)
		c.rc = lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
	csv_free(&p);
	s_csv_fields_clear(&c);
	free(c.fields);
	free(c.lens);
	for (size_t i = 0; i < c.ncols; i++)
		free(c.cols[i]);
	free(c.cols);
	intake_list_clear(&c.out);
	return c.rc;
}
