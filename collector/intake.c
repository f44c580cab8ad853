/* intake.c: JSON and CSV report files into Lnob__Report values
 * (see intake.h). */
#include "intake.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "lnob_err.h"
#include "outbox.h"
#include "report.h"
#include "util.h"

#define S_ID_RULE "1..64 of [A-Za-z0-9._-]"

/* ---- errors ---------------------------------------------------------- */

/* ---- reports and lists ----------------------------------------------- */

void intake_report_free(Lnob__Report *r)
{
	if (!r)
		return;
	free(r->campaign);
	free(r->period);
	free(r->unit);
	free(r->narrative);
	for (size_t i = 0; i < r->n_values; i++) {
		free(r->values[i]->code);
		free(r->values[i]);
	}
	free(r->values);
	free(r);
}

void intake_list_clear(intake_list_t *list)
{
	size_t max_body = list->max_body;   /* a setting, not content */

	for (size_t i = 0; i < list->n; i++) {
		intake_report_free(list->v[i]);
		free(list->where[i]);
	}
	free(list->v);
	free(list->where);
	memset(list, 0, sizeof(*list));
	list->max_body = max_body;
}

/* Makes room for n reports in list. Returns 0 or -ENOMEM (list unchanged,
 * though its arrays may have grown). */
static int s_list_reserve(intake_list_t *list, size_t n)
{
	Lnob__Report **nv;
	char **nw;

	if (n <= list->cap)
		return 0;
	if (!(nv = realloc(list->v, n * sizeof(*nv))))
		return -ENOMEM;
	list->v = nv;
	if (!(nw = realloc(list->where, n * sizeof(*nw))))
		return -ENOMEM;
	list->where = nw;
	list->cap = n;
	return 0;
}

/* Appends r, found at where, to list, which takes ownership of r. Returns
 * 0 or -ENOMEM (r is not taken then). */
static int s_list_push(intake_list_t *list, Lnob__Report *r, const char *where)
{
	char *w;

	if (list->n == list->cap &&
	    s_list_reserve(list, list->cap ? list->cap * 2 : 16) < 0)
		return -ENOMEM;
	if (!(w = strdup(where)))
		return -ENOMEM;
	list->v[list->n] = r;
	list->where[list->n++] = w;
	return 0;
}

/* Moves every report of src onto the end of dst; src is emptied.
 * Returns 0 or -ENOMEM (both unchanged then). */
static int s_list_take(intake_list_t *dst, intake_list_t *src)
{
	if (s_list_reserve(dst, dst->n + src->n) < 0)
		return -ENOMEM;
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	memcpy(dst->where + dst->n, src->where, src->n * sizeof(*src->where));
	dst->n += src->n;
	free(src->v);
	free(src->where);
	memset(src, 0, sizeof(*src));
	return 0;
}

/* A new report with empty strings, revision 1 and completed_at now_s.
 * Caller owns it (intake_report_free). NULL when out of memory. */
static Lnob__Report *s_report_new(int64_t now_s)
{
	Lnob__Report *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	lnob__report__init(r);
	r->campaign = strdup("");
	r->period = strdup("");
	r->unit = strdup("");
	r->narrative = strdup("");
	r->values = NULL;
	r->n_values = 0;
	r->revision = 1;
	r->completed_at = now_s;
	if (!r->campaign || !r->period || !r->unit || !r->narrative) {
		intake_report_free(r);
		return NULL;
	}
	return r;
}

/* Replaces *field with a copy of s. Returns 0 or -ENOMEM. */
static int s_set_str(char **field, const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

/* Appends indicator code = v to r, typed by its code. Returns 0, -ENOMEM,
 * or LNOB_E_EXISTS when r already holds code. */
static int s_add_value(Lnob__Report *r, const char *code, int64_t v)
{
	Lnob__IndicatorValue *iv, **nv;

	for (size_t i = 0; i < r->n_values; i++)
		if (strcmp(r->values[i]->code, code) == 0)
			return LNOB_E_EXISTS;
	nv = realloc(r->values, (r->n_values + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	r->values = nv;
	iv = malloc(sizeof(*iv));
	if (!iv)
		return -ENOMEM;
	lnob__indicator_value__init(iv);
	iv->code = strdup(code);
	if (!iv->code) {
		free(iv);
		return -ENOMEM;
	}
	if (report_code_is_amount(code)) {
		iv->value_case = LNOB__INDICATOR_VALUE__VALUE_AMOUNT_VND;
		iv->amount_vnd = v;
	} else {
		iv->value_case = LNOB__INDICATOR_VALUE__VALUE_COUNT;
		iv->count = v;
	}
	r->values[r->n_values++] = iv;
	return 0;
}

/* The body limit a list's reports are checked against. */
static size_t s_max_body(const intake_list_t *list)
{
	return list->max_body > 0 && list->max_body < OUTBOX_BODY_MAX ? list->max_body
								       : OUTBOX_BODY_MAX;
}

/* Final checks of a built report, shared by both formats: the shared rule
 * (report_validate) and the body size limit max_body. where prefixes the
 * message. */
static int s_check_report(const char *where, const Lnob__Report *r, size_t max_body, char *err,
			  size_t errlen)
{
	char detail[512];
	size_t size;

	if (report_validate(r, detail, sizeof(detail)) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s", where, detail);
	size = protobuf_c_message_get_packed_size(&r->base);
	if (size > max_body)
		return lnob_errf(err, errlen, LNOB_E_TOOBIG, "%s: report is %zu bytes encoded, over "
			      "the %zu-byte limit", where, size, max_body);
	return 0;
}

/* ---- scalar texts ---------------------------------------------------- */

/* Parses plain decimal digits (no sign, no space) into *ret, refusing
 * values over max. Returns 0, -EINVAL (not digits) or -ERANGE. */
static int s_parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* The calendar's parser (calendar_parse_time()): intake.h keeps the name. */
int intake_parse_time(const char *s, int64_t *ret)
{
	return calendar_parse_time(s, ret);
}

/* ---- fields common to both formats ----------------------------------- */

/* Sets an id field (campaign, period, unit) from text. */
static int s_field_id(const char *where, const char *field, char **dst, const char *s,
		      char *err, size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];

	if (!*s)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: missing", where, field);
	if (!lnob_valid_id(s))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: not " S_ID_RULE ": '%s'",
			      where, field, lnob_quote(q, s));
	if (s_set_str(dst, s) < 0)
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", where);
	return 0;
}

/* Sets completed_at from text. */
static int s_field_time(const char *where, Lnob__Report *r, const char *s, char *err, size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];
	int64_t t;

	if (intake_parse_time(s, &t) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: completed_at: not ISO 8601 with a "
			      "UTC offset (e.g. 2023-11-28T10:00:00+07:00) or Unix seconds: '%s'",
			      where, lnob_quote(q, s));
	r->completed_at = t;
	return 0;
}

/* Sets narrative from text of len bytes. */
static int s_field_narrative(const char *where, Lnob__Report *r, const char *s, size_t len,
			     char *err, size_t errlen)
{
	if (!lnob_utf8_valid(s, len))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: narrative: not valid UTF-8 text", where);
	if (s_set_str(&r->narrative, s) < 0)
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", where);
	return 0;
}

/* Checks revision/base_revision (base < 0: absent, default revision - 1)
 * and sets them. */
static int s_field_revisions(const char *where, Lnob__Report *r, uint64_t rev, int64_t base,
			     char *err, size_t errlen)
{
	if (base >= 0 && (uint64_t)base >= rev)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: base_revision: must be less than "
			      "revision (%" PRIu64 "): '%" PRId64 "'", where, rev, base);
	r->revision = (uint32_t)rev;
	r->base_revision = base >= 0 ? (uint32_t)base : (uint32_t)(rev - 1);
	return 0;
}

/* Adds indicator code = v, with the duplicate check. */
static int s_field_value(const char *where, Lnob__Report *r, const char *code, int64_t v,
			 char *err, size_t errlen)
{
	int rc = s_add_value(r, code, v);

	if (rc == LNOB_E_EXISTS)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: indicator given twice", where, code);
	if (rc < 0)
		return lnob_errf(err, errlen, rc, "%s: out of memory", where);
	return 0;
}

/* ---- JSON ------------------------------------------------------------ */

/* Compact JSON text of v for a message, into out[LNOB_QUOTE_MAX + 4]. */
const char *intake_json_quote(char out[LNOB_QUOTE_MAX + 4], const json_t *v)
{
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	if (!text)
		return memcpy(out, "?", 2);
	lnob_quote(out, text);
	free(text);
	return out;
}

/* A JSON integer in min..max into *ret. */
static bool s_json_uint(const json_t *v, json_int_t min, json_int_t max, json_int_t *ret)
{
	json_int_t x;

	if (!json_is_integer(v))
		return false;
	x = json_integer_value(v);
	if (x < min || x > max)
		return false;
	*ret = x;
	return true;
}

/* Reads the "values" object of a JSON report. */
static int s_json_values(const char *where, Lnob__Report *r, json_t *values, char *err, size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];
	const char *code;
	json_t *v;
	int rc;

	if (!json_is_object(values))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: values: not an object of indicator "
			      "code -> integer: '%s'", where, intake_json_quote(q, values));
	json_object_foreach(values, code, v) {
		json_int_t x;

		if (!lnob_valid_id(code))
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: values: indicator code not "
				      S_ID_RULE ": '%s'", where, lnob_quote(q, code));
		if (json_is_null(v))
			continue;   /* not reported */
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: not a non-negative "
				      "integer: '%s'", where, code, intake_json_quote(q, v));
		x = json_integer_value(v);
		if (x > REPORT_VALUE_MAX)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: out of range "
				      "0..10^15: '%s'", where, code, intake_json_quote(q, v));
		if ((rc = s_field_value(where, r, code, (int64_t)x, err, errlen)) < 0)
			return rc;
	}
	return 0;
}

/* Builds one report from a JSON object. Caller owns *ret. */
static int s_json_report(const char *where, json_t *obj, int64_t now_s, size_t max_body,
			 Lnob__Report **ret,
			 char *err, size_t errlen)
{
	static const char *const known[] = { "campaign", "period", "unit", "revision",
		"base_revision", "completed_at", "narrative", "values", NULL };
	static const char *const ids[] = { "campaign", "period", "unit" };
	char q[LNOB_QUOTE_MAX + 4];
	Lnob__Report *r;
	const char *key;
	json_t *v;
	json_int_t rev = 1, base = -1;
	int rc = 0;

	if (!json_is_object(obj))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: not an object: '%s'", where,
			      intake_json_quote(q, obj));
	json_object_foreach(obj, key, v) {
		size_t i = 0;

		while (known[i] && strcmp(known[i], key) != 0)
			i++;
		if (!known[i])
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: unknown field", where,
				      lnob_quote(q, key));
	}
	if (!(r = s_report_new(now_s)))
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", where);
	for (size_t i = 0; i < 3; i++) {
		char **dst = i == 0 ? &r->campaign : i == 1 ? &r->period : &r->unit;

		v = json_object_get(obj, ids[i]);
		if (!v || json_is_null(v)) {
			rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: missing", where, ids[i]);
			goto fail;
		}
		if (!json_is_string(v)) {
			rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: not a string: '%s'",
				    where, ids[i], intake_json_quote(q, v));
			goto fail;
		}
		if ((rc = s_field_id(where, ids[i], dst, json_string_value(v), err, errlen)) < 0)
			goto fail;
	}
	v = json_object_get(obj, "revision");
	if (v && !json_is_null(v) && !s_json_uint(v, 1, UINT32_MAX, &rev)) {
		rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: revision: not an integer >= 1: '%s'",
			    where, intake_json_quote(q, v));
		goto fail;
	}
	v = json_object_get(obj, "base_revision");
	if (v && !json_is_null(v) && !s_json_uint(v, 0, UINT32_MAX, &base)) {
		rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: base_revision: not an integer >= 0: '%s'",
			    where, intake_json_quote(q, v));
		goto fail;
	}
	if ((rc = s_field_revisions(where, r, (uint64_t)rev, base, err, errlen)) < 0)
		goto fail;
	v = json_object_get(obj, "completed_at");
	if (v && json_is_integer(v)) {
		if (json_integer_value(v) < 0) {
			rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: completed_at: negative Unix "
				    "seconds: '%s'", where, intake_json_quote(q, v));
			goto fail;
		}
		r->completed_at = json_integer_value(v);
	} else if (v && json_is_string(v)) {
		if ((rc = s_field_time(where, r, json_string_value(v), err, errlen)) < 0)
			goto fail;
	} else if (v && !json_is_null(v)) {
		rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: completed_at: not ISO 8601 text or "
			    "Unix seconds: '%s'", where, intake_json_quote(q, v));
		goto fail;
	}
	v = json_object_get(obj, "narrative");
	if (v && json_is_string(v)) {
		if ((rc = s_field_narrative(where, r, json_string_value(v), json_string_length(v),
					    err, errlen)) < 0)
			goto fail;
	} else if (v && !json_is_null(v)) {
		rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: narrative: not a string: '%s'",
			    where, intake_json_quote(q, v));
		goto fail;
	}
	v = json_object_get(obj, "values");
	if (!v || json_is_null(v)) {
		rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: values: missing", where);
		goto fail;
	}
	if ((rc = s_json_values(where, r, v, err, errlen)) < 0)
		goto fail;
	if ((rc = s_check_report(where, r, max_body, err, errlen)) < 0)
		goto fail;
	*ret = r;
	return 0;
fail:
	intake_report_free(r);
	return rc;
}

int intake_parse_json(const char *name, const char *text, size_t len, int64_t now_s,
		      intake_list_t *list, char *err, size_t errlen)
{
	intake_list_t mine = { 0 };
	json_error_t jerr;
	json_t *root;
	size_t n;
	int rc = 0;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s:%d:%d: %s", name, jerr.line,
			      jerr.column, jerr.text);
	if (!json_is_object(root) && !json_is_array(root)) {
		rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: expected one report object or an "
			    "array of them", name);
		goto out;
	}
	n = json_is_array(root) ? json_array_size(root) : 1;
	if (n == 0) {
		rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: no reports (empty array)", name);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *obj = json_is_array(root) ? json_array_get(root, i) : root;
		Lnob__Report *r = NULL;
		char where[512];

		snprintf(where, sizeof(where), "%s: entry %zu", name, i + 1);
		if ((rc = s_json_report(where, obj, now_s, s_max_body(list), &r, err, errlen)) < 0)
			goto out;
		if (s_list_push(&mine, r, where) < 0) {
			intake_report_free(r);
			rc = lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
			goto out;
		}
	}
	if (s_list_take(list, &mine) < 0)
		rc = lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
out:
	intake_list_clear(&mine);
	json_decref(root);
	return rc;
}

/* ---- CSV ------------------------------------------------------------- */

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
				      "indicator code not " S_ID_RULE ": '%s'", c->name,
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

	if (!(r = s_report_new(c->now_s)))
		return lnob_errf(c->err, c->errlen, -ENOMEM, "%s: out of memory", where);
	if ((rc = s_field_id(where, "campaign", &r->campaign, s_csv_get(c, S_COL_CAMPAIGN),
			     c->err, c->errlen)) < 0 ||
	    (rc = s_field_id(where, "period", &r->period, s_csv_get(c, S_COL_PERIOD),
			     c->err, c->errlen)) < 0 ||
	    (rc = s_field_id(where, "unit", &r->unit, s_csv_get(c, S_COL_UNIT),
			     c->err, c->errlen)) < 0)
		goto fail;
	s = s_csv_get(c, S_COL_REVISION);
	if (*s && (s_parse_uint(s, UINT32_MAX, &rev) < 0 || rev < 1)) {
		rc = lnob_errf(c->err, c->errlen, LNOB_E_INVALID, "%s: revision: not an integer "
			    ">= 1: '%s'", where, lnob_quote(q, s));
		goto fail;
	}
	s = s_csv_get(c, S_COL_BASE);
	if (*s) {
		if (s_parse_uint(s, UINT32_MAX, &base) < 0) {
			rc = lnob_errf(c->err, c->errlen, LNOB_E_INVALID, "%s: base_revision: not an "
				    "integer >= 0: '%s'", where, lnob_quote(q, s));
			goto fail;
		}
		base_v = (int64_t)base;
	}
	if ((rc = s_field_revisions(where, r, rev, base_v, c->err, c->errlen)) < 0)
		goto fail;
	s = s_csv_get(c, S_COL_COMPLETED);
	if (*s && (rc = s_field_time(where, r, s, c->err, c->errlen)) < 0)
		goto fail;
	if (c->fixed[S_COL_NARRATIVE] >= 0 &&
	    (rc = s_field_narrative(where, r, c->fields[c->fixed[S_COL_NARRATIVE]],
				    c->lens[c->fixed[S_COL_NARRATIVE]], c->err, c->errlen)) < 0)
		goto fail;
	for (size_t i = 0; i < c->ncols; i++) {
		const char *code = c->cols[i], *cell = c->fields[i];
		bool fixed = false;
		uint64_t v;
		int pr;

		for (size_t k = 0; k < S_COL_FIXED; k++)
			fixed = fixed || c->fixed[k] == (long)i;
		if (fixed || !*cell)
			continue;
		pr = s_parse_uint(cell, REPORT_VALUE_MAX, &v);
		if (pr == -EINVAL) {
			rc = lnob_errf(c->err, c->errlen, LNOB_E_INVALID, "%s: %s: not a non-negative "
				    "integer: '%s'", where, code, lnob_quote(q, cell));
			goto fail;
		}
		if (pr < 0) {
			rc = lnob_errf(c->err, c->errlen, LNOB_E_INVALID, "%s: %s: out of range "
				    "0..10^15: '%s'", where, code, lnob_quote(q, cell));
			goto fail;
		}
		if ((rc = s_field_value(where, r, code, (int64_t)v, c->err, c->errlen)) < 0)
			goto fail;
	}
	if ((rc = s_check_report(where, r, c->max_body, c->err, c->errlen)) < 0)
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
	if (s_list_push(&c->out, r, where) < 0) {
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
	c.max_body = s_max_body(list);
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
	if (c.rc == 0 && s_list_take(list, &c.out) < 0)
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

/* ---- the campaign rules ---------------------------------------------- */

int intake_check_campaigns(const intake_list_t *list, size_t from, const campaigns_t *camps,
			   const hier_t *hier, char *err, size_t errlen)
{
	char detail[512];

	for (size_t i = from; i < list->n; i++) {
		const Lnob__Report *r = list->v[i];
		const campaign_t *c;
		int unit;

		if (campaigns_check_report(camps, r, detail, sizeof(detail)) != 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s", list->where[i], detail);
		if (!(c = campaigns_find(camps, r->campaign)))
			continue;   /* no campaign configured: nothing more to check */
		if ((unit = hier_find(hier, r->unit)) < 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: unit '%s' is not in the "
					 "hierarchy", list->where[i], r->unit);
		if (campaign_check_levels(c, r, hier_unit(hier, unit)->level, detail,
					  sizeof(detail)) < 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s", list->where[i], detail);
	}
	return 0;
}

/* ---- files ----------------------------------------------------------- */

/* True when path ends in ext (case-insensitive). */
static bool s_has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);

	return n > e && strcasecmp(path + n - e, ext) == 0;
}

int intake_parse_file(const char *path, int64_t now_s, intake_list_t *list,
		      char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0, i = 0;
	bool json;
	int rc;

	rc = lnob_read_file(path, INTAKE_FILE_MAX, &text, &len);
	if (rc == LNOB_E_TOOBIG)
		return lnob_errf(err, errlen, rc, "%s: larger than %zu MiB", path,
			      INTAKE_FILE_MAX >> 20);
	if (rc < 0)
		return lnob_errf(err, errlen, rc, "%s: %s", path, lnob_strerror(rc));
	if (s_has_ext(path, ".json")) {
		json = true;
	} else if (s_has_ext(path, ".csv")) {
		json = false;
	} else {
		if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
			i = 3;
		while (i < len && isspace((unsigned char)text[i]))
			i++;
		json = i < len && (text[i] == '{' || text[i] == '[');
	}
	if (json)
		rc = intake_parse_json(path, text, len, now_s, list, err, errlen);
	else
		rc = intake_parse_csv(path, text, len, now_s, list, err, errlen);
	free(text);
	return rc;
}
