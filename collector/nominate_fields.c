/*
 * nominate_fields.c: what nominations, their documents and stages are
 * made of (see nominate.h, nominate_int.h): the codes of kinds, forms and
 * stages, nomination keys, the text rules, and the JSON field readers
 * every message of which names the file and the path.
 */
#include "nominate.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake.h"
#include "jsonkeys.h"
#include "lnob_err.h"
#include "nominate_int.h"
#include "util.h"

/* ---- codes ------------------------------------------------------------ */

typedef struct s_code {
	const char *code;
	int value;
} s_code_t;

static const s_code_t s_nominee_kinds[] = {
	{ "collective", LNOB__NOMINEE_KIND__NOMINEE_COLLECTIVE },
	{ "individual", LNOB__NOMINEE_KIND__NOMINEE_INDIVIDUAL },
	{ "household", LNOB__NOMINEE_KIND__NOMINEE_HOUSEHOLD },
	{ "enterprise", LNOB__NOMINEE_KIND__NOMINEE_ENTERPRISE },
	{ NULL, 0 },
};

static const s_code_t s_forms[] = {
	{ "giay_khen", LNOB__AWARD_FORM__AWARD_GIAY_KHEN },
	{ "bang_khen_province", LNOB__AWARD_FORM__AWARD_BANG_KHEN_PROVINCE },
	{ "bang_khen_pm", LNOB__AWARD_FORM__AWARD_BANG_KHEN_PM },
	{ "huan_chuong_lao_dong", LNOB__AWARD_FORM__AWARD_HUAN_CHUONG_LAO_DONG },
	{ NULL, 0 },
};

static const s_code_t s_documents[] = {
	{ "proposal", LNOB__DOCUMENT_KIND__DOCUMENT_PROPOSAL },
	{ "council_minutes", LNOB__DOCUMENT_KIND__DOCUMENT_COUNCIL_MINUTES },
	{ "achievement_report", LNOB__DOCUMENT_KIND__DOCUMENT_ACHIEVEMENT_REPORT },
	{ NULL, 0 },
};

static const s_code_t s_stages[] = {
	{ "received", LNOB__STAGE_KIND__STAGE_RECEIVED },
	{ "appraised", LNOB__STAGE_KIND__STAGE_APPRAISED },
	{ "endorsed", LNOB__STAGE_KIND__STAGE_ENDORSED },
	{ "returned", LNOB__STAGE_KIND__STAGE_RETURNED },
	{ "rejected", LNOB__STAGE_KIND__STAGE_REJECTED },
	{ "decided", LNOB__STAGE_KIND__STAGE_DECIDED },
	{ NULL, 0 },
};

/* The table of which. */
static const s_code_t *s_table(enum nominate_enum which)
{
	switch (which) {
	case NOMINATE_NOMINEE_KIND: return s_nominee_kinds;
	case NOMINATE_FORM: return s_forms;
	case NOMINATE_DOCUMENT: return s_documents;
	case NOMINATE_STAGE: return s_stages;
	}
	return s_stages;   /* not reached for a valid enum */
}

int nominate_code_parse(enum nominate_enum which, const char *code)
{
	for (const s_code_t *t = s_table(which); t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->value;
	return -1;
}

const char *nominate_code_name(enum nominate_enum which, int value)
{
	for (const s_code_t *t = s_table(which); t->code; t++)
		if (t->value == value)
			return t->code;
	return NULL;
}

const char *nominate_code_list(enum nominate_enum which)
{
	switch (which) {
	case NOMINATE_NOMINEE_KIND: return "collective, individual, household or enterprise";
	case NOMINATE_FORM: return "giay_khen, bang_khen_province, bang_khen_pm or "
			       "huan_chuong_lao_dong";
	case NOMINATE_DOCUMENT: return "proposal, council_minutes or achievement_report";
	case NOMINATE_STAGE: return "received, appraised, endorsed, returned, rejected or "
				"decided";
	}
	return "";
}

int nominate_key_split(const char *key, char *signer, char *id)
{
	const char *slash = strchr(key, '/');
	char a[LNOB_ID_MAX + 2];
	size_t n;

	if (!slash)
		return LNOB_E_INVALID;
	n = (size_t)(slash - key);
	if (n == 0 || n > LNOB_ID_MAX)
		return LNOB_E_INVALID;
	memcpy(a, key, n);
	a[n] = '\0';
	if (!lnob_valid_id(a) || !lnob_valid_id(slash + 1))
		return LNOB_E_INVALID;
	if (signer)
		memcpy(signer, a, n + 1);
	if (id)
		memcpy(id, slash + 1, strlen(slash + 1) + 1);
	return 0;
}

/* ---- texts ------------------------------------------------------------ */

/* True when s[0..len) holds a control character (C0 or DEL). */
static bool s_has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* Why text s[0..len) is not acceptable, or NULL: NUL bytes, bad UTF-8,
 * over max bytes, a control character in a one-line text. */
const char *nominate_text_problem(const char *s, size_t len, size_t max, bool one_line)
{
	if (memchr(s, '\0', len))
		return "contains a NUL character";
	if (!lnob_utf8_valid(s, len))
		return "not valid UTF-8 text";
	if (len > max)
		return "too long";
	if (one_line && s_has_control(s, len))
		return "contains a control character (a line break?)";
	return NULL;
}

/* Replaces *field with a copy of s. Returns 0 or -ENOMEM. */
int nominate_set_str(char **field, const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

/* ---- JSON fields ---------------------------------------------------------- */

/* An optional text field: *ret NULL when absent or null, else the string
 * and its length. Fails when v is not a string. */
int nominate_json_str(const nominate_parse_t *p, const char *path, const json_t *v,
		      const char **ret, size_t *ret_len)
{
	char q[LNOB_QUOTE_MAX + 4];

	*ret = NULL;
	*ret_len = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: not a string: '%s'",
			      p->name, path, intake_json_quote(q, v));
	*ret = json_string_value(v);
	*ret_len = json_string_length(v);
	return 0;
}

/* A text field into *dst: required (non-empty) or optional, at most max
 * bytes, one line or not. */
int nominate_json_text(const nominate_parse_t *p, const char *path, const json_t *v, bool required,
		       size_t max, bool one_line, char **dst)
{
	const char *s, *why;
	size_t len;
	int rc;

	if ((rc = nominate_json_str(p, path, v, &s, &len)) < 0)
		return rc;
	if (!s || (required && len == 0)) {
		if (required)
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: %s", p->name, path,
				      s ? "empty" : "missing");
		return 0;
	}
	if ((why = nominate_text_problem(s, len, max, one_line)) != NULL) {
		if (len > max && !memchr(s, '\0', len))
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: longer than %zu "
				      "bytes (%zu)", p->name, path, max, len);
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: %s", p->name, path, why);
	}
	if (nominate_set_str(dst, s) < 0)
		return lnob_errf(p->err, p->errlen, -ENOMEM, "%s: out of memory", p->name);
	return 0;
}

/* A required enum field of which into *ret; what names one value in the
 * message ("kind", "form"). */
int nominate_json_enum(const nominate_parse_t *p, const char *path, const json_t *v,
		       enum nominate_enum which, const char *what, int *ret)
{
	char q[LNOB_QUOTE_MAX + 4];
	const char *s;
	size_t len;
	int rc, x;

	if ((rc = nominate_json_str(p, path, v, &s, &len)) < 0)
		return rc;
	if (!s || !*s)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: missing (expected %s)",
			      p->name, path, nominate_code_list(which));
	if (strlen(s) != len || (x = nominate_code_parse(which, s)) < 0)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: unknown %s '%s' "
			      "(expected %s)", p->name, path, what, lnob_quote(q, s),
			      nominate_code_list(which));
	*ret = x;
	return 0;
}

/* Refuses every key of obj not in known (NULL-terminated); prefix is the
 * JSON path of obj ("" for the top). */
int nominate_json_known(const nominate_parse_t *p, const char *prefix, json_t *obj,
			const char *const *known)
{
	char q[LNOB_QUOTE_MAX + 4];
	const char *key = jsonkeys_unknown(obj, known);

	if (key)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s%s: unknown field",
				 p->name, prefix, lnob_quote(q, key));
	return 0;
}
