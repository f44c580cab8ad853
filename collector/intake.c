/* intake.c: report files into Lnob__Report values (see intake.h): the
 * lists, the fields both formats have, JSON and the campaign rules; CSV
 * is intake_csv.c's, reading a file of either intake_file.c's. */
#include "intake.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "campaign_request.h"
#include "intake_int.h"
#include "jsonkeys.h"
#include "lnob_err.h"
#include "outbox.h"
#include "report.h"
#include "util.h"

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
	/* Settings, not content. */
	size_t max_body = list->max_body;
	const char *campaign = list->xlsx_campaign, *period = list->xlsx_period;

	for (size_t i = 0; i < list->n; i++) {
		intake_report_free(list->v[i]);
		free(list->where[i]);
	}
	free(list->v);
	free(list->where);
	memset(list, 0, sizeof(*list));
	list->max_body = max_body;
	list->xlsx_campaign = campaign;
	list->xlsx_period = period;
}

/* Makes room for n reports in list. Returns 0 or -ENOMEM (list unchanged,
 * though its arrays may have grown). */
static int s_list_reserve(intake_list_t *list, size_t n)
{
	Lnob__Report **nv;
	char **nw;

	if (n <= list->cap)
		return 0;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
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
int intake_list_push(intake_list_t *list, Lnob__Report *r, const char *where)
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
int intake_list_take(intake_list_t *dst, intake_list_t *src)
{
	if (s_list_reserve(dst, dst->n + src->n) < 0)
		return -ENOMEM;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
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
Lnob__Report *intake_report_new(int64_t now_s)
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
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
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
size_t intake_max_body(const intake_list_t *list)
{
	return list->max_body > 0 && list->max_body < OUTBOX_BODY_MAX ? list->max_body
								       : OUTBOX_BODY_MAX;
}

/* Final checks of a built report, shared by both formats: the shared rule
 * (report_validate) and the body size limit max_body. where prefixes the
 * message. */
int intake_check_report(const char *where, const Lnob__Report *r, size_t max_body, char *err,
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
int intake_field_id(const char *where, const char *field, char **dst, const char *s,
		      char *err, size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];

	if (!*s)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: missing", where, field);
	if (!lnob_valid_id(s))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: not " INTAKE_ID_RULE ": '%s'",
			      where, field, lnob_quote(q, s));
	if (s_set_str(dst, s) < 0)
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", where);
	return 0;
}

/* Sets completed_at from text. */
int intake_field_time(const char *where, Lnob__Report *r, const char *s, char *err, size_t errlen)
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
int intake_field_narrative(const char *where, Lnob__Report *r, const char *s, size_t len,
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
int intake_field_revisions(const char *where, Lnob__Report *r, uint64_t rev, int64_t base,
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
int intake_field_value(const char *where, Lnob__Report *r, const char *code, int64_t v,
			 char *err, size_t errlen)
{
	int rc = s_add_value(r, code, v);

	if (rc == LNOB_E_EXISTS)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: indicator given twice", where, code);
	if (rc < 0)
		return lnob_errf(err, errlen, rc, "%s: out of memory", where);
	return 0;
}

/* Adds indicator code = the decimal text cell (CSV, xlsx), with the
 * messages both formats give. */
int intake_field_text_value(const char *where, Lnob__Report *r, const char *code,
			    const char *cell, char *err, size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];
	uint64_t v;
	int pr = s_parse_uint(cell, REPORT_VALUE_MAX, &v);

	if (pr == -EINVAL)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: not a non-negative "
				 "integer: '%s'", where, code, lnob_quote(q, cell));
	if (pr < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: out of range "
				 "0..10^15: '%s'", where, code, lnob_quote(q, cell));
	return intake_field_value(where, r, code, (int64_t)v, err, errlen);
}

int intake_parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
	return s_parse_uint(s, max, ret);
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
				      INTAKE_ID_RULE ": '%s'", where, lnob_quote(q, code));
		if (json_is_null(v))
			continue;   /* not reported */
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: not a non-negative "
				      "integer: '%s'", where, code, intake_json_quote(q, v));
		x = json_integer_value(v);
		if (x > REPORT_VALUE_MAX)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: out of range "
				      "0..10^15: '%s'", where, code, intake_json_quote(q, v));
		if ((rc = intake_field_value(where, r, code, (int64_t)x, err, errlen)) < 0)
			return rc;
	}
	return 0;
}

/* Refuses any field of obj a report does not have. */
static int s_json_known(const char *where, json_t *obj, char *err, size_t errlen)
{
	static const char *const known[] = { "campaign", "period", "unit", "revision",
		"base_revision", "completed_at", "narrative", "values", NULL };
	char q[LNOB_QUOTE_MAX + 4];
	const char *key = jsonkeys_unknown(obj, known);

	if (key)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: unknown field", where,
				 lnob_quote(q, key));
	return 0;
}

/* campaign, period and unit of obj into r. */
static int s_json_ids(const char *where, json_t *obj, Lnob__Report *r, char *err, size_t errlen)
{
	static const char *const ids[] = { "campaign", "period", "unit" };
	char q[LNOB_QUOTE_MAX + 4];
	json_t *v;
	int rc;

	for (size_t i = 0; i < 3; i++) {
		char **dst = i == 0 ? &r->campaign : i == 1 ? &r->period : &r->unit;

		v = json_object_get(obj, ids[i]);
		if (!v || json_is_null(v))
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: missing", where, ids[i]);
		if (!json_is_string(v))
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s: not a string: '%s'",
				    where, ids[i], intake_json_quote(q, v));
		if ((rc = intake_field_id(where, ids[i], dst, json_string_value(v), err, errlen)) < 0)
			return rc;
	}
	return 0;
}

/* revision and base_revision of obj into r. */
static int s_json_revisions(const char *where, json_t *obj, Lnob__Report *r, char *err,
			    size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];
	json_int_t rev = 1, base = -1;
	json_t *v;

	v = json_object_get(obj, "revision");
	if (v && !json_is_null(v) && !s_json_uint(v, 1, UINT32_MAX, &rev))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: revision: not an integer >= 1: '%s'",
			    where, intake_json_quote(q, v));
	v = json_object_get(obj, "base_revision");
	if (v && !json_is_null(v) && !s_json_uint(v, 0, UINT32_MAX, &base))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: base_revision: not an integer >= 0: '%s'",
			    where, intake_json_quote(q, v));
	return intake_field_revisions(where, r, (uint64_t)rev, base, err, errlen);
}

/* completed_at and narrative of obj into r. */
static int s_json_texts(const char *where, json_t *obj, Lnob__Report *r, char *err, size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];
	json_t *v;
	int rc;

	v = json_object_get(obj, "completed_at");
	if (v && json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: completed_at: negative Unix "
				    "seconds: '%s'", where, intake_json_quote(q, v));
		r->completed_at = json_integer_value(v);
	} else if (v && json_is_string(v)) {
		if ((rc = intake_field_time(where, r, json_string_value(v), err, errlen)) < 0)
			return rc;
	} else if (v && !json_is_null(v)) {
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: completed_at: not ISO 8601 text or "
			    "Unix seconds: '%s'", where, intake_json_quote(q, v));
	}
	v = json_object_get(obj, "narrative");
	if (v && json_is_string(v))
		return intake_field_narrative(where, r, json_string_value(v), json_string_length(v),
					      err, errlen);
	if (v && !json_is_null(v))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: narrative: not a string: '%s'",
			    where, intake_json_quote(q, v));
	return 0;
}

/* Builds one report from a JSON object. Caller owns *ret. */
static int s_json_report(const char *where, json_t *obj, int64_t now_s, size_t max_body,
			 Lnob__Report **ret, char *err, size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];
	Lnob__Report *r;
	json_t *v;
	int rc;

	if (!json_is_object(obj))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: not an object: '%s'", where,
			      intake_json_quote(q, obj));
	if ((rc = s_json_known(where, obj, err, errlen)) < 0)
		return rc;
	if (!(r = intake_report_new(now_s)))
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", where);
	v = json_object_get(obj, "values");
	if ((rc = s_json_ids(where, obj, r, err, errlen)) < 0 ||
	    (rc = s_json_revisions(where, obj, r, err, errlen)) < 0 ||
	    (rc = s_json_texts(where, obj, r, err, errlen)) < 0)
		goto fail;
	if (!v || json_is_null(v)) {
		rc = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: values: missing", where);
		goto fail;
	}
	if ((rc = s_json_values(where, r, v, err, errlen)) < 0 ||
	    (rc = intake_check_report(where, r, max_body, err, errlen)) < 0)
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
		if ((rc = s_json_report(where, obj, now_s, intake_max_body(list), &r, err, errlen)) < 0)
			goto out;
		if (intake_list_push(&mine, r, where) < 0) {
			intake_report_free(r);
			rc = lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
			goto out;
		}
	}
	if (intake_list_take(list, &mine) < 0)
		rc = lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
out:
	intake_list_clear(&mine);
	json_decref(root);
	return rc;
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
		if (campaign_check_reporter(c, r, hier_unit(hier, unit)->level, detail,
					    sizeof(detail)) < 0)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s", list->where[i], detail);
	}
	return 0;
}
