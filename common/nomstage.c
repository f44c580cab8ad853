/* nomstage.c: the codes, keys and text rules of nominations, and building
 * a stage (see nomstage.h). */
#include "nomstage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "lnob_err.h"
#include "util.h"

#define S_ID_RULE "1..64 of [A-Za-z0-9._-]"

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

/* ---- stages ----------------------------------------------------------- */

void nominate_stage_free(Lnob__Stage **self_p)
{
	if (!self_p || !*self_p)
		return;
	lnob__stage__free_unpacked(*self_p, NULL);   /* owned strings, as above */
	*self_p = NULL;
}

/* An optional option's text: NULL is fine, else checked for UTF-8, length
 * and (one_line) control characters. */
static int s_arg_text(const char *opt, const char *s, size_t max, bool one_line, char *err,
		      size_t errlen)
{
	const char *why;
	size_t len;

	if (!s)
		return 0;
	len = strlen(s);
	if (len == 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: empty", opt);
	if ((why = nominate_text_problem(s, len, max, one_line)) != NULL) {
		if (len > max)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: longer than %zu bytes (%zu)",
				      opt, max, len);
		return lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %s", opt, why);
	}
	return 0;
}

/* The option rules that depend on the kind: which are required, which
 * are refused. Returns 0 or -EINVAL. */
static int s_stage_options(const nominate_stage_args_t *a, int kind, char *err, size_t errlen)
{
	bool wants_reason = kind == LNOB__STAGE_KIND__STAGE_RETURNED ||
			    kind == LNOB__STAGE_KIND__STAGE_REJECTED;
	bool decided = kind == LNOB__STAGE_KIND__STAGE_DECIDED;
	const char *name = nominate_code_name(NOMINATE_STAGE, kind);

	if (wants_reason && !a->reason)
		return lnob_errf(err, errlen, -EINVAL, "--kind %s needs --reason TEXT", name);
	if (!wants_reason && a->reason)
		return lnob_errf(err, errlen, -EINVAL, "--reason is for --kind returned or rejected, "
			      "not %s (use --note)", name);
	if (decided && !a->decision_number)
		return lnob_errf(err, errlen, -EINVAL, "--kind decided needs --decision-number N");
	if (decided && !a->decision_date)
		return lnob_errf(err, errlen, -EINVAL, "--kind decided needs --decision-date YYYY-MM-DD");
	if (decided && !a->granted)
		return lnob_errf(err, errlen, -EINVAL, "--kind decided needs --granted FORM");
	if (!decided && (a->decision_number || a->decision_date || a->granted))
		return lnob_errf(err, errlen, -EINVAL, "%s is for --kind decided only, not %s",
			      a->decision_number ? "--decision-number" :
			      a->decision_date ? "--decision-date" : "--granted", name);
	return 0;
}

/* Copies the optional text s into *dst (NULL: ""). Returns 0 or -ENOMEM. */
static int s_dup_opt(char **dst, const char *s)
{
	*dst = strdup(s ? s : "");
	return *dst ? 0 : -ENOMEM;
}

int nominate_stage_build(const nominate_stage_args_t *a, int64_t now_s, Lnob__Stage **ret,
			 char *err, size_t errlen)
{
	char q[LNOB_QUOTE_MAX + 4];
	Lnob__Stage *s;
	int64_t at = now_s;
	int kind, granted = 0, rc;

	if (!a->nomination)
		return lnob_errf(err, errlen, -EINVAL, "--nomination SIGNER/ID is required");
	if (!a->kind)
		return lnob_errf(err, errlen, -EINVAL, "--kind is required (%s)",
			      nominate_code_list(NOMINATE_STAGE));
	if (!a->campaign || !a->campaign[0])
		return lnob_errf(err, errlen, -EINVAL, "--campaign C is required (or set [nominations] "
			      "campaign in the config)");
	if ((kind = nominate_code_parse(NOMINATE_STAGE, a->kind)) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--kind: unknown stage '%s' (expected %s)",
			      lnob_quote(q, a->kind), nominate_code_list(NOMINATE_STAGE));
	if ((rc = s_stage_options(a, kind, err, errlen)) < 0)
		return rc;
	if (!lnob_valid_id(a->campaign))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--campaign: not " S_ID_RULE ": '%s'",
			      lnob_quote(q, a->campaign));
	if (nominate_key_split(a->nomination, NULL, NULL) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--nomination: not a nomination key "
			      "SIGNER/ID (each " S_ID_RULE "): '%s'", lnob_quote(q, a->nomination));
	if ((rc = s_arg_text("--reason", a->reason, NOMINATE_TEXT_MAX, false, err, errlen)) < 0 ||
	    (rc = s_arg_text("--note", a->note, NOMINATE_TEXT_MAX, false, err, errlen)) < 0 ||
	    (rc = s_arg_text("--decision-number", a->decision_number, NOMINATE_NAME_MAX, true,
			     err, errlen)) < 0)
		return rc;
	if (a->decision_date && !lnob_date_valid(a->decision_date))
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--decision-date: not a date YYYY-MM-DD "
			      "in " LNOB_DATE_RANGE ": '%s'", lnob_quote(q, a->decision_date));
	if (a->granted && (granted = nominate_code_parse(NOMINATE_FORM, a->granted)) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--granted: unknown form '%s' (expected "
			      "%s)", lnob_quote(q, a->granted), nominate_code_list(NOMINATE_FORM));
	if (a->at && calendar_parse_time(a->at, &at) < 0)
		return lnob_errf(err, errlen, LNOB_E_INVALID, "--at: not ISO 8601 with a UTC offset "
			      "(e.g. 2023-11-28T10:00:00+07:00) or Unix seconds: '%s'",
			      lnob_quote(q, a->at));
	if (!lnob_time_valid(at)) {
		if (a->at)
			return lnob_errf(err, errlen, LNOB_E_INVALID, "--at: not a time in "
				      LNOB_TIME_RANGE ": '%s'", lnob_quote(q, a->at));
		return lnob_errf(err, errlen, LNOB_E_INVALID, "the clock says %lld, not a time in "
			      LNOB_TIME_RANGE " (give --at)", (long long)at);
	}
	if (!(s = calloc(1, sizeof(*s))))
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	lnob__stage__init(s);
	s->campaign = s->nomination = s->reason = NULL;
	s->decision_number = s->decision_date = s->note = NULL;
	if (s_dup_opt(&s->campaign, a->campaign) < 0 || s_dup_opt(&s->nomination, a->nomination) < 0 ||
	    s_dup_opt(&s->reason, a->reason) < 0 ||
	    s_dup_opt(&s->decision_number, a->decision_number) < 0 ||
	    s_dup_opt(&s->decision_date, a->decision_date) < 0 || s_dup_opt(&s->note, a->note) < 0) {
		nominate_stage_free(&s);
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	}
	s->kind = (Lnob__StageKind)kind;
	s->granted_form = (Lnob__AwardForm)granted;
	s->at = at;
	*ret = s;
	return 0;
}
