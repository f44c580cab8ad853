/* nominate.c: nomination files and stage options into Lnob__Nomination and
 * Lnob__Stage values (see nominate.h): the nomination's JSON, files,
 * stages; its dossier's documents are nominate_dossier.c's, the codes,
 * texts and JSON field readers both use nominate_fields.c's. */
#include "nominate.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "intake.h"
#include "lnob_err.h"
#include "nominate_int.h"
#include "outbox.h"
#include "report.h"
#include "util.h"

#define S_ID_RULE "1..64 of [A-Za-z0-9._-]"

/* ---- nominations: memory ---------------------------------------------- */

/* Every string, array and document of a nomination this module builds is
 * its own allocation (malloc), so protobuf-c frees it as it frees what it
 * unpacks. */
void nominate_free(Lnob__Nomination **self_p)
{
	if (!self_p || !*self_p)
		return;
	lnob__nomination__free_unpacked(*self_p, NULL);
	*self_p = NULL;
}

/* A new nomination with every string an owned "". Caller owns it
 * (nominate_free). NULL when out of memory. */
static Lnob__Nomination *s_nomination_new(void)
{
	Lnob__Nomination *n = malloc(sizeof(*n));
	char **strs[8];

	if (!n)
		return NULL;
	lnob__nomination__init(n);
	strs[0] = &n->campaign;
	strs[1] = &n->id;
	strs[2] = &n->nominee_name;
	strs[3] = &n->unit;
	strs[4] = &n->occasion;
	strs[5] = &n->summary;
	strs[6] = &n->revises;
	strs[7] = &n->sanction;
	for (size_t i = 0; i < 8; i++)
		*strs[i] = NULL;
	for (size_t i = 0; i < 8; i++) {
		if (!(*strs[i] = strdup(""))) {
			nominate_free(&n);
			return NULL;
		}
	}
	n->dossier = NULL;
	n->n_dossier = 0;
	return n;
}

/* ---- nominations: JSON ------------------------------------------------ */

/* A required id field (campaign, id, unit, occasion) into *dst. */
static int s_json_id(const nominate_parse_t *p, const char *path, const json_t *v, char **dst)
{
	char q[LNOB_QUOTE_MAX + 4];
	const char *s;
	size_t len;
	int rc;

	if ((rc = nominate_json_str(p, path, v, &s, &len)) < 0)
		return rc;
	if (!s || !*s)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: missing", p->name, path);
	if (strlen(s) != len || !lnob_valid_id(s))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: not " S_ID_RULE ": '%s'",
			      p->name, path, lnob_quote(q, s));
	if (nominate_set_str(dst, s) < 0)
		return lnob_errf(p->err, p->errlen, -ENOMEM, "%s: out of memory", p->name);
	return 0;
}

/* The optional fields contribution_vnd, sanction, revises, proposed_at. */
static int s_json_optional(const nominate_parse_t *p, json_t *obj, Lnob__Nomination *n)
{
	char q[LNOB_QUOTE_MAX + 4], own[NOMINATE_KEY_SIZE];
	const char *s;
	size_t len;
	json_t *v;
	int64_t t;
	int rc;

	v = json_object_get(obj, "contribution_vnd");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > REPORT_VALUE_MAX)
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: contribution_vnd: not "
				      "an integer 0..10^15: '%s'", p->name, intake_json_quote(q, v));
		n->contribution_vnd = (uint64_t)json_integer_value(v);
	}
	if ((rc = nominate_json_str(p, "sanction", json_object_get(obj, "sanction"), &s, &len)) < 0)
		return rc;
	if (s && *s && (strlen(s) != len || !lnob_valid_id(s)))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: sanction: not \"none\" or a "
			      "sanction code (" S_ID_RULE "): '%s'", p->name, lnob_quote(q, s));
	if (s && nominate_set_str(&n->sanction, s) < 0)
		return lnob_errf(p->err, p->errlen, -ENOMEM, "%s: out of memory", p->name);
	if ((rc = nominate_json_str(p, "revises", json_object_get(obj, "revises"), &s, &len)) < 0)
		return rc;
	if (s && *s) {
		if (strlen(s) != len || nominate_key_split(s, NULL, NULL) < 0)
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: revises: not a "
				      "nomination key SIGNER/ID (each " S_ID_RULE "): '%s'",
				      p->name, lnob_quote(q, s));
		snprintf(own, sizeof(own), "%s/%s", p->o->signer ? p->o->signer : "", n->id);
		if (strcmp(s, own) == 0)
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: revises: names this "
				      "nomination itself ('%s'); a resubmission needs a new id",
				      p->name, s);
		if (nominate_set_str(&n->revises, s) < 0)
			return lnob_errf(p->err, p->errlen, -ENOMEM, "%s: out of memory", p->name);
	}
	n->proposed_at = p->o->now_s;
	v = json_object_get(obj, "proposed_at");
	if (v && json_is_integer(v)) {
		n->proposed_at = json_integer_value(v);
	} else if (v && json_is_string(v)) {
		if (intake_parse_time(json_string_value(v), &t) < 0)
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: proposed_at: not ISO "
				      "8601 with a UTC offset (e.g. 2023-11-28T10:00:00+07:00) or "
				      "Unix seconds: '%s'", p->name, lnob_quote(q, json_string_value(v)));
		n->proposed_at = t;
	} else if (v && !json_is_null(v)) {
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: proposed_at: not ISO 8601 "
			      "text or Unix seconds: '%s'", p->name, intake_json_quote(q, v));
	}
	if (!lnob_time_valid(n->proposed_at)) {
		if (v && !json_is_null(v))
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: proposed_at: not a "
				      "time in " LNOB_TIME_RANGE ": '%s'", p->name,
				      json_is_string(v) ? lnob_quote(q, json_string_value(v)) :
				      intake_json_quote(q, v));
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: proposed_at: the clock says "
			      "%lld, not a time in " LNOB_TIME_RANGE " (give proposed_at)", p->name,
			      (long long)n->proposed_at);
	}
	return 0;
}

/* The encoded size against the body limit (the upstream's max_body as
 * last known, at most the outbox's own). */
static int s_check_size(const nominate_parse_t *p, const Lnob__Nomination *n)
{
	size_t size = protobuf_c_message_get_packed_size(&n->base);
	size_t attached = nominate_attached_bytes(n);
	size_t max = p->o->max_body > 0 && p->o->max_body < OUTBOX_BODY_MAX ? p->o->max_body
									     : OUTBOX_BODY_MAX;

	if (size <= max)
		return 0;
	if (attached > 0)
		return lnob_errf(p->err, p->errlen, LNOB_E_TOOBIG, "%s: the nomination is %zu bytes "
			      "encoded, over the %zu-byte limit; its attached documents take %zu "
			      "bytes: lower [nominations] attach_max_bytes (now %zu) so that only "
			      "their SHA-256 digests are sent", p->name, size, max,
			      attached, p->o->attach_max);
	return lnob_errf(p->err, p->errlen, LNOB_E_TOOBIG, "%s: the nomination is %zu bytes encoded, "
		      "over the %zu-byte limit (shorten the summary)", p->name, size, max);
}

/* Builds the nomination from the top object. Caller owns *ret. */
static int s_json_nomination(const nominate_parse_t *p, json_t *obj, Lnob__Nomination **ret)
{
	static const char *const known[] = { "campaign", "id", "nominee_kind", "nominee_name",
		"unit", "form", "occasion", "summary", "contribution_vnd", "sanction", "revises",
		"proposed_at", "dossier", NULL };
	char q[LNOB_QUOTE_MAX + 4];
	Lnob__Nomination *n;
	json_t *v;
	int rc, x = 0;

	if (!json_is_object(obj))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: expected one nomination "
			      "object: '%s'", p->name, intake_json_quote(q, obj));
	if ((rc = nominate_json_known(p, "", obj, known)) < 0)
		return rc;
	if (!(n = s_nomination_new()))
		return lnob_errf(p->err, p->errlen, -ENOMEM, "%s: out of memory", p->name);
	v = json_object_get(obj, "campaign");
	if ((!v || json_is_null(v)) && p->o->campaign && p->o->campaign[0]) {
		if (nominate_set_str(&n->campaign, p->o->campaign) < 0) {
			rc = lnob_errf(p->err, p->errlen, -ENOMEM, "%s: out of memory", p->name);
			goto fail;
		}
	} else if ((rc = s_json_id(p, "campaign", v, &n->campaign)) < 0) {
		goto fail;
	}
	if ((rc = s_json_id(p, "id", json_object_get(obj, "id"), &n->id)) < 0 ||
	    (rc = nominate_json_enum(p, "nominee_kind", json_object_get(obj, "nominee_kind"),
			      NOMINATE_NOMINEE_KIND, "nominee kind", &x)) < 0)
		goto fail;
	n->nominee_kind = (Lnob__NomineeKind)x;
	if ((rc = nominate_json_text(p, "nominee_name", json_object_get(obj, "nominee_name"), true,
			      NOMINATE_NAME_MAX, true, &n->nominee_name)) < 0 ||
	    (rc = s_json_id(p, "unit", json_object_get(obj, "unit"), &n->unit)) < 0 ||
	    (rc = nominate_json_enum(p, "form", json_object_get(obj, "form"), NOMINATE_FORM, "form",
			      &x)) < 0)
		goto fail;
	n->form = (Lnob__AwardForm)x;
	if ((rc = s_json_id(p, "occasion", json_object_get(obj, "occasion"), &n->occasion)) < 0 ||
	    (rc = nominate_json_text(p, "summary", json_object_get(obj, "summary"), true,
			      OUTBOX_BODY_MAX, false, &n->summary)) < 0 ||
	    (rc = s_json_optional(p, obj, n)) < 0 ||
	    (rc = nominate_json_dossier(p, json_object_get(obj, "dossier"), n)) < 0 ||
	    (rc = s_check_size(p, n)) < 0)
		goto fail;
	*ret = n;
	return 0;
fail:
	nominate_free(&n);
	return rc;
}

int nominate_parse_json(const char *name, const char *base_dir, const char *text, size_t len,
			const nominate_opts_t *o, Lnob__Nomination **ret, char *err, size_t errlen)
{
	nominate_parse_t p = { .name = name, .base_dir = base_dir, .o = o, .err = err, .errlen = errlen };
	json_error_t jerr;
	json_t *root;
	int rc;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s:%d:%d: %s", name, jerr.line,
			      jerr.column, jerr.text);
	rc = s_json_nomination(&p, root, ret);
	json_decref(root);
	return rc;
}

int nominate_parse_file(const char *path, const nominate_opts_t *o, Lnob__Nomination **ret,
			char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char *text = NULL, *dir = NULL;
	size_t len = 0;
	int rc;

	rc = lnob_read_file(path, NOMINATE_FILE_MAX, &text, &len);
	if (rc == LNOB_E_TOOBIG)
		return lnob_errf(err, errlen, rc, "%s: larger than %zu KiB", path,
			      NOMINATE_FILE_MAX >> 10);
	if (rc < 0)
		return lnob_errf(err, errlen, rc, "%s: %s", path, lnob_strerror(rc));
	if (slash) {
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		if (!(dir = strndup(path, n))) {
			free(text);
			return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", path);
		}
	}
	rc = nominate_parse_json(path, dir, text, len, o, ret, err, errlen);
	free(dir);
	free(text);
	return rc;
}
