/*
 * nominate_fields.c: the JSON field readers of nominations and their
 * documents (see nominate.h, nominate_int.h), every message of which names
 * the file and the path; the codes and text rules are common/nomstage.c's.
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

/* ---- texts ------------------------------------------------------------ */

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
